"""Helper of hdr-python.sh.
  hdr-python.py MESSAGE
      Python's reading (email.policy.default) of every Subject field of the
      message, one per line: str(field), unfolded, with control characters
      other than TAB shown as U+FFFD, as ember hdr shows them.
  hdr-python.py --vectors MIMEDIR OUTDIR
      writes one message per header vector of MIMEDIR/vectors/rfc2047-decode.tsv
      (rfc2047-LINE.eml) and MIMEDIR/mail-parser/unstructured.json
      (unstructured-INDEX.eml), the vector as the Subject field."""
import json
import os
import re
import sys
from email import policy
from email.parser import BytesParser

CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def subjects(path):
    with open(path, "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f, headersonly=True)
    for value in msg.get_all("subject") or []:
        text = CONTROLS.sub("\ufffd", str(value))
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape") + b"\n")


def write(path, field):
    """Subject + field body (with its line end, or one added) + empty line."""
    if not field.endswith("\n"):
        field += "\r\n"
    with open(path, "wb") as f:
        f.write(b"Subject:" + field.encode("utf-8") + b"\r\n")


def vectors(mime, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(mime, "vectors", "rfc2047-decode.tsv"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or line.startswith("upstream_test\t"):
                continue
            raw = line.rstrip("\n").split("\t")[1]
            text = json.loads('"' + raw.replace('"', '\\"') + '"')  # JSON escapes
            write(os.path.join(out, "rfc2047-%03d.eml" % n), " " + text)
    with open(os.path.join(mime, "mail-parser", "unstructured.json"), encoding="utf-8") as f:
        for i, v in enumerate(json.load(f)):
            write(os.path.join(out, "unstructured-%03d.eml" % i), v["header"])


def main():
    if sys.argv[1] == "--vectors":
        vectors(sys.argv[2], sys.argv[3])
    else:
        subjects(sys.argv[1])


main()
