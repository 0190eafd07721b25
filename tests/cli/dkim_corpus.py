#!/usr/bin/python3
"""Every signed message of ../shared/testdata/dkim against its expected
verdict (tests/cli/dkim-corpus.sh starts knot and runs this).

Usage: dkim_corpus.py EMBER_DKIM TESTDATA/dkim ROWS
ROWS selects what to check: "main" (every row without a DNS override) or
"override:FOLDER:N" (the Nth override row of FOLDER, knot already serving it).
Prints PASS/FAIL lines. Upstream verdicts are mapped to RFC 8601 results;
where ember reads a message otherwise than the upstream project, KNOWN says
what ember gives and why, and that is what is checked."""
import json
import os
import re
import subprocess
import sys

EMBER, TD, ROWS = sys.argv[1], sys.argv[2], sys.argv[3]

# file -> (ember's results, why it differs from upstream)
KNOWN = {
    # Mail::DKIM corpus: pre-RFC 6376 drafts, DomainKeys, RFC 4871 leniency
    **{f: ("permerror", "a pre-RFC 6376 draft signature without v= (RFC 6376 3.5: v= is required)")
       for f in ["good_ietf00_1.txt", "good_ietf00_2.txt", "good_ietf00_3.txt", "good_ietf00_4.txt",
                 "good_ietf00_5.txt", "mine_ietf01_1.txt", "mine_ietf01_2.txt", "mine_ietf01_3.txt",
                 "mine_ietf01_4.txt", "good_ietf01_1.txt", "good_ietf01_2.txt", "bad_ietf01_1.txt",
                 "bad_ietf01_2.txt", "bad_ietf01_3.txt", "bad_1.txt"]},
    **{f: ("permerror", "v=0.5, a draft's version (RFC 6376 3.5: v=1)")
       for f in ["mine_ietf05_1.txt", "no_body_1.txt", "no_body_2.txt", "no_body_3.txt"]},
    **{f: ("none", "DomainKeys (RFC 4870, DomainKey-Signature) is not DKIM")
       for f in ["good_dk_gmail.txt", "good_dk_yahoo.txt", "good_dk_1.txt", "good_dk_2.txt",
                 "good_dk_3.txt", "good_dk_4.txt", "good_dk_5.txt", "good_dk_6.txt", "good_dk_7.txt",
                 "dk_headers_1.txt", "dk_headers_2.txt", "bad_dk_1.txt", "bad_dk_2.txt",
                 "bad_dk_3.txt", "bad_dk_4.txt", "bad_dk_5.txt", "dk_multiple_1.txt"]},
    "multiple_1.txt": ("permerror,permerror,permerror,permerror",
                       "four draft signatures without v= (upstream: invalid, pass, fail)"),
    "multiple_2.txt": ("permerror,pass,fail,permerror",
                       "c=foobar and 'synerr' are malformed (RFC 6376 3.5): permerror, as dkimpy"),
    "good_qp_2.txt": ("permerror", "i= in RFC 4871 quoted-printable: RFC 6376 3.5 has none, so "
                      "i= is not in d= (dkimpy agrees)"),
    "good_qp_3.txt": ("permerror", "the same: '@' written =40 in i="),
    "badkey_8.txt": ("pass", "g= in the key record was dropped by RFC 6376 (dkimpy agrees)"),
    "badkey_9.txt": ("pass", "the same: g= is ignored"),
    "badkey_12.txt": ("pass", "the same: g= is ignored"),
    "badkey_13.txt": ("pass", "the same: g= is ignored"),
    # DKIM Verifier: its policy layer on top of a valid signature
    "dkim/added_header-from.eml": ("fail", "a From above the signed one, not covered by h= "
                                   "(RFC 6376 8.15): fail, as dkimpy"),
}

# Mail::DKIM "invalid": a signature or key that cannot be used
def mailkim(v):
    return {"invalid": "permerror|temperror"}.get(v, v)

def verifier_crypto(v):
    v = v.replace("pass(crypto)/permerror(t=s)", "permerror")
    return v.replace("fail(no key)", "permerror")  # no key record: RFC 6376 6.1.2 permerror

def rows():
    """(folder, file, expected, note) for every row of the main run."""
    out = []
    for folder in ["rfc", "dkimpy", "mail-dkim", "dkim_verifier"]:
        path = os.path.join(TD, folder, "expected-results.tsv")
        head = None
        for line in open(path, encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if head is None:
                head = cols
                continue
            r = dict(zip(head, cols))
            if folder == "rfc":
                if r["expected"] != "-":
                    out.append((folder, r["file"], r["expected"], r.get("note", "")))
            elif folder == "dkimpy":
                if r["kind"] == "verify" and r["dns_override"] == "-":
                    out.append((folder, r["file"], r["expected"], r.get("note", "")))
            elif folder == "mail-dkim":
                if r["expected"] == "skip" and r["file"] not in KNOWN:
                    continue
                exp = r["per_signature"] if r["per_signature"] != "-" else r["expected"]
                out.append((folder, "corpus/" + r["file"], ",".join(mailkim(x) for x in exp.split(",")),
                            r.get("note", "")))
            else:
                if r["dns_override"] == "-":
                    out.append((folder, r["file"], verifier_crypto(r["crypto_only"]), r.get("note", "")))
    return out

def clock(path):
    """Just after the newest t= of its signatures: when it was received."""
    data = open(path, "rb").read()
    head = data.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    ts = [int(t) for t in re.findall(rb"DKIM-Signature:[^\n]*(?:\n[ \t][^\n]*)*", head, re.I)
          for t in re.findall(rb"(?:^|;)\s*t\s*=\s*(\d+)", t)]
    return str(max(ts) + 60) if ts else None

def run(folder, f, expected, note, legacy):
    path = os.path.join(TD, folder, f)
    cmd = [EMBER, "verify", "--json"]
    if legacy:
        cmd.append("--legacy")
    t = clock(path)
    if t:
        cmd += ["--time", t]
    p = subprocess.run(cmd + [path], capture_output=True, text=True)
    try:
        got = json.loads(p.stdout)
        results = [s["result"] for s in got["signatures"]] or ["none"]
    except (ValueError, KeyError):
        print("FAIL %s/%s: no JSON (%s)" % (folder, f, p.stderr.strip()[:200]))
        return
    key = f[len("corpus/"):] if f.startswith("corpus/") else f
    why = ""
    if key in KNOWN:
        expected, why = KNOWN[key]
    want = expected.split(",")
    ok = len(want) == len(results) and all(re.fullmatch(w, g) for w, g in zip(want, results))
    reasons = "; ".join(s.get("reason") or "" for s in got["signatures"])
    label = "%s/%s: %s%s" % (folder, f, ",".join(results), " (%s)" % why if why else "")
    print(("PASS " if ok else "FAIL ") + label + ("" if ok else "  want %s: %s" % (expected, reasons)))

if ROWS == "main":
    for folder, f, exp, note in rows():
        run(folder, f, exp, note, legacy=folder == "mail-dkim")
else:
    _, folder, f, expected = ROWS.split(":", 3)
    run(folder, f, verifier_crypto(expected) if folder == "dkim_verifier" else expected, "", False)
