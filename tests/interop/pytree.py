#!/usr/bin/python3
"""The MIME tree of messages as Python's email package sees it, in the shape
of `ember descr --json`; and the comparison of the two.

  pytree.py FILE...                  one JSON line per file
  pytree.py --defects FILE...        per file: "FILE: Defect, Defect" (or "FILE: ok")
  pytree.py --defects-out D FILE...  both: trees on stdout, defects into D
  pytree.py --compare EMBER_JSONL PY_JSONL [--names LIST] [--label L] [--fields F,F]
        compares line by line; prints "FAIL L NAME" and a readable diff per
        message that differs, then "L: N of M messages agree"; exits 1 on
        any difference.

Node: {"type", "charset", "encoding", "disposition", "filename", "size", "parts"};
keys absent when the part has no such value; "parts" only on multipart/* and
message/rfc822|global; "size" (decoded body bytes) only on leaves. Python also
descends into message/delivery-status, external-body, partial...: those are
leaves here, and their size is not comparable (absent)."""

import argparse
import email.errors
import email.policy
import json
import sys
from email.parser import BytesParser

CONTAINER_MESSAGES = ("message/rfc822", "message/global")
IGNORED_DEFECTS = (email.errors.UndecodableBytesDefect,
                   email.errors.NonASCIILocalPartDefect)
DEFAULT_FIELDS = ("type", "filename", "charset", "disposition", "size")


def node(part):
    ctype = part.get_content_type()
    n = {"type": ctype}
    charset = part.get_param("charset")
    if charset is not None:
        n["charset"] = str(email.utils.collapse_rfc2231_value(charset)).lower()
    cte = part.get("content-transfer-encoding")
    if cte is not None:
        n["encoding"] = str(cte).strip().lower()
    disp = part.get_content_disposition()
    if disp is not None:
        n["disposition"] = disp
    name = part.get_filename()
    if name is not None:
        n["filename"] = name
    payload = part.get_payload()
    if ctype.startswith("multipart/"):
        n["parts"] = [node(p) for p in payload] if isinstance(payload, list) else []
    elif ctype in CONTAINER_MESSAGES:
        n["parts"] = [node(payload[0])] if isinstance(payload, list) and payload else []
    elif not part.is_multipart():
        body = part.get_payload(decode=True)
        n["size"] = len(body) if body is not None else 0
    return n


def parse(path):
    # parsebytes, not parse(file): parse() reads through a TextIOWrapper in
    # universal-newline mode, which turns every CRLF into LF before parsing.
    with open(path, "rb") as f:
        return BytesParser(policy=email.policy.default).parsebytes(f.read())


def defects(msg):
    """Every defect of every part, and of every header field's value."""
    out = []
    for part in msg.walk():
        found = list(part.defects)
        for _, value in part.items():
            found += getattr(value, "defects", ())
        out += [type(d).__name__ for d in found if not isinstance(d, IGNORED_DEFECTS)]
    return out


# ---- comparison -------------------------------------------------------------

def flatten(tree, fields, path="1", out=None):
    """Pre-order list of (path, {field: value}) for the fields compared."""
    out = [] if out is None else out
    out.append((path, {f: tree[f] for f in fields if f in tree}, "parts" in tree))
    for i, child in enumerate(tree.get("parts", ()), 1):
        flatten(child, fields, "%s.%d" % (path, i), out)
    return out


def diff(ember, py, fields):
    """Readable differences between two trees; [] when they agree."""
    e, p = flatten(ember, fields), flatten(py, fields)
    lines = []
    if [x[0] for x in e] != [x[0] for x in p]:
        lines.append("structure: ember %s" % " ".join("%s=%s" % (a, d.get("type")) for a, d, _ in e))
        lines.append("           python %s" % " ".join("%s=%s" % (a, d.get("type")) for a, d, _ in p))
        return lines
    for (path, de, econt), (_, dp, pcont) in zip(e, p):
        for f in fields:
            # sizes of containers and of uncomparable leaves are not compared
            if f == "size" and (econt or pcont or "size" not in dp):
                continue
            if de.get(f) != dp.get(f):
                lines.append("part %s %s: ember %s, python %s" %
                             (path, f, json.dumps(de.get(f), ensure_ascii=False),
                              json.dumps(dp.get(f), ensure_ascii=False)))
    return lines


def read_jsonl(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.rstrip("\n") for line in f]


def compare(a):
    ember, py = read_jsonl(a.compare[0]), read_jsonl(a.compare[1])
    names = read_jsonl(a.names) if a.names else ["#%d" % (i + 1) for i in range(len(py))]
    fields = a.fields.split(",")
    if not (len(ember) == len(py) == len(names)):
        print("FAIL %s: %d ember lines, %d python lines, %d names" %
              (a.label, len(ember), len(py), len(names)))
        return 1
    good = 0
    for i, (name, el, pl) in enumerate(zip(names, ember, py)):
        try:
            et = json.loads(el)
        except ValueError:
            et = None
        if not isinstance(et, dict):
            et = {"error": "output is not a JSON object: " + el[:300]}
        pt = json.loads(pl)
        if "error" in et or "error" in pt:
            d = [k + ": " + str(t["error"]) for k, t in (("ember", et), ("python", pt)) if "error" in t]
        else:
            d = diff(et, pt, fields)
        if not d:
            good += 1
            continue
        bad = i + 1 - good
        if bad <= a.max_report:
            print("FAIL %s %s" % (a.label, name))
            for line in d[:20]:
                print("  " + line)
        elif bad == a.max_report + 1:
            print("(more failing messages not shown: --max-report %d)" % a.max_report)
    print("%s: %d of %d messages agree" % (a.label, good, len(py)))
    return 0 if good == len(py) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--defects", action="store_true")
    ap.add_argument("--defects-out", metavar="FILE",
                    help="print the trees, and write the defects to FILE")
    ap.add_argument("--compare", nargs=2, metavar=("EMBER_JSONL", "PY_JSONL"))
    ap.add_argument("--names", help="file of message names, one per line (--compare)")
    ap.add_argument("--label", default="descr", help="group name in the output (--compare)")
    ap.add_argument("--max-report", type=int, default=25,
                    help="failing messages shown in full (--compare)")
    ap.add_argument("--fields", default=",".join(DEFAULT_FIELDS),
                    help="node keys compared (--compare), default %(default)s")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.compare:
        return compare(a)
    dout = open(a.defects_out, "w", encoding="utf-8") if a.defects_out else None
    for path in a.files:
        try:
            msg = parse(path)
            d = defects(msg) if a.defects or dout else []
            tree = node(msg) if not a.defects else None
        except Exception as e:  # one line per file whatever happens
            d, tree = ["python raised %s: %s" % (type(e).__name__, e)], {"error": "python: %s" % e}
        if a.defects or dout:
            (dout or sys.stdout).write("%s: %s\n" % (path, ", ".join(d) if d else "ok"))
        if not a.defects:
            print(json.dumps(tree, ensure_ascii=False, separators=(",", ":")))
    if dout:
        dout.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
