#!/usr/bin/python3
"""dkimpy side of bench/dkim, driven as bench/dkim/opendkim.c drives libopendkim.

  dkimpy.py bench-verify --keys FILE -n REPEAT FILE...
  dkimpy.py bench-sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG] -n REPEAT FILE...

Every file is read first; then REPEAT passes over them are timed
(CLOCK_MONOTONIC) and one line is printed: "dkimpy: messages=N seconds=S".
Verifying: every DKIM-Signature field of each message (dkim.DKIM.verify with
idx), keys from the --keys table (lines "SELECTOR._domainkey.DOMAIN
KEY-RECORD") through dnsfunc. Signing: dkim.sign, its default fields; an
Ed25519 key (PKCS#8 PEM, as `ember dkim keygen` writes it) is given to
dkimpy as the base64 of its 32-byte seed, the form it takes (RFC 8463).
Exit 1 when a message does not pass (or cannot be signed), 64 usage.
Run it with /usr/bin/python3 (Debian's python3-dkim)."""
import argparse
import base64
import re
import sys
import time

import dkim


def load(paths):
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(f.read())
    return out


def load_keys(path):
    keys = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            name, _, rec = line.partition(b" ")
            keys[name.lower().rstrip(b".")] = rec.strip()
    return keys


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def report(messages, seconds, bad, what):
    print("dkimpy: messages=%d seconds=%.6f" % (messages, seconds), flush=True)
    if bad:
        print("dkimpy: %d of %d messages %s" % (bad, messages, what), file=sys.stderr)
    return 1 if bad else 0


def verify_all(msg, dnsfunc):
    """1 when the message has a signature and every one passes."""
    d = dkim.DKIM(msg)
    n = sum(1 for name, _ in d.headers if name.lower() == b"dkim-signature")
    if n == 0:
        return False
    try:
        return all(d.verify(idx=i, dnsfunc=dnsfunc) for i in range(n))
    except dkim.DKIMException:
        return False


def bench_verify(a):
    msgs = load(a.files)
    keys = load_keys(a.keys)

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower().rstrip(b"."))

    bad = 0
    t0 = now()
    for _ in range(a.n):
        for m in msgs:
            bad += not verify_all(m, dnsfunc)
    return report(len(msgs) * a.n, now() - t0, bad, "did not pass")


def private_key(pem, alg):
    """dkimpy's form of the key: PEM for RSA, base64 seed for Ed25519."""
    if alg != b"ed25519-sha256":
        return pem
    m = re.search(rb"-----BEGIN PRIVATE KEY-----(.*?)-----END", pem, re.S)
    der = base64.b64decode(m.group(1)) if m else b""
    # PKCS#8 Ed25519 (RFC 8410): ... 06 03 2B 65 70 04 22 04 20 SEED
    if len(der) < 48 or b"\x06\x03\x2b\x65\x70" not in der or der[-34:-32] != b"\x04\x20":
        sys.exit("dkimpy.py: not an Ed25519 PKCS#8 key")
    return base64.b64encode(der[-32:])


def key_alg(pem):
    m = re.search(rb"-----BEGIN PRIVATE KEY-----(.*?)-----END", pem, re.S)
    if m and b"\x06\x03\x2b\x65\x70" in base64.b64decode(m.group(1)):
        return b"ed25519-sha256"
    return b"rsa-sha256"


def bench_sign(a):
    msgs = load(a.files)
    with open(a.key, "rb") as f:
        pem = f.read()
    alg = a.a.encode() if a.a else key_alg(pem)
    key = private_key(pem, alg)
    h, _, b = a.c.partition("/")
    canon = (h.encode(), (b or "simple").encode())
    sel, dom = a.s.encode(), a.d.encode()
    bad = 0
    t0 = now()
    for _ in range(a.n):
        for m in msgs:
            try:
                sig = dkim.sign(m, sel, dom, key, canonicalize=canon, signature_algorithm=alg)
                bad += not sig
            except dkim.DKIMException:
                bad += 1
    return report(len(msgs) * a.n, now() - t0, bad, "could not be signed")


def main():
    p = argparse.ArgumentParser(prog="dkimpy.py")
    sub = p.add_subparsers(dest="mode", required=True)
    v = sub.add_parser("bench-verify")
    v.add_argument("--keys", required=True)
    v.add_argument("-n", type=int, required=True)
    v.add_argument("files", nargs="+")
    s = sub.add_parser("bench-sign")
    s.add_argument("-d", required=True)
    s.add_argument("-s", required=True)
    s.add_argument("-k", "--key", required=True)
    s.add_argument("-c", default="relaxed/relaxed")
    s.add_argument("-a")
    s.add_argument("-n", type=int, required=True)
    s.add_argument("files", nargs="+")
    try:
        a = p.parse_args()
    except SystemExit as e:
        sys.exit(64 if e.code else 0)
    if a.n < 1:
        p.error("-n: a positive number")
    return bench_verify(a) if a.mode == "bench-verify" else bench_sign(a)


if __name__ == "__main__":
    sys.exit(main())
