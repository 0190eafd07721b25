"""Helper of addr-python.sh. Usage: addr-python.py MESSAGE EMBER_OUTPUT
Prints two blocks of "display name<TAB>addr-spec" lines: Python's reading of the
message's From/Sender/Reply-To/To/Cc/Bcc fields (email.policy.default), then
"--", then Python's reading of each line ember addr printed (so the two sides
are compared as data, not as spellings)."""
import sys
from email import policy
from email.parser import BytesParser

FIELDS = {"from", "sender", "reply-to", "to", "cc", "bcc"}


def rows_of_message(path):
    with open(path, "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f, headersonly=True)
    rows = []
    for name, value in msg.items():
        if name.lower() not in FIELDS:
            continue
        try:
            addresses = value.addresses
        except Exception as e:  # pragma: no cover - reported as a row
            rows.append("python-error\t%s" % type(e).__name__)
            continue
        for a in addresses:
            rows.append("%s\t%s" % (a.display_name, a.addr_spec))
    return rows


def rows_of_ember(path):
    rows = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            h = policy.default.header_factory("To", line.rstrip("\n"))
            for a in h.addresses:
                rows.append("%s\t%s" % (a.display_name, a.addr_spec))
    return rows


def main():
    out = rows_of_message(sys.argv[1]) + ["--"] + rows_of_ember(sys.argv[2])
    sys.stdout.write("\n".join(out) + "\n")


main()
