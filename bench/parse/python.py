#!/usr/bin/python3
"""Python side of bench/parse: parse every message with the email package
(BytesParser, policy default), walk every part (into message/rfc822 too) and
decode every leaf with get_payload(decode=True).

  python.py [--mbox] [-l LIST] [FILE...]

Prints one line, like gmime-parse:
  python: messages=N parts=N input=BYTES decoded=BYTES seconds=S maxrss_kb=K"""

import email.policy
import mailbox
import os
import resource
import sys
import time
from email.parser import BytesParser


def walk(msg, t):
    for part in msg.walk():
        t["parts"] += 1
        if not part.is_multipart():
            body = part.get_payload(decode=True)
            t["decoded"] += len(body) if body is not None else 0


def parse_file(path, mbox, parser, t):
    t["input"] += os.path.getsize(path)
    if mbox:
        box = mailbox.mbox(path, factory=lambda f: parser.parsebytes(f.read()), create=False)
        msgs = iter(box)
    else:
        # parsebytes: parse(file) would turn CRLF into LF (universal newlines)
        with open(path, "rb") as f:
            msgs = [parser.parsebytes(f.read())]
    for msg in msgs:
        t["messages"] += 1
        walk(msg, t)


def main(argv):
    t = dict(messages=0, parts=0, input=0, decoded=0)
    parser = BytesParser(policy=email.policy.default)
    mbox = False
    files = []
    args = iter(argv)
    for a in args:
        if a == "--mbox":
            mbox = True
        elif a == "-l":
            with open(next(args)) as f:
                files += [line.rstrip("\n") for line in f if line.strip()]
        else:
            files.append(a)
    start = time.perf_counter()
    for path in files:
        parse_file(path, mbox, parser, t)
    secs = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("python: messages=%d parts=%d input=%d decoded=%d seconds=%.3f maxrss_kb=%d" %
          (t["messages"], t["parts"], t["input"], t["decoded"], secs, rss))


if __name__ == "__main__":
    main(sys.argv[1:])
