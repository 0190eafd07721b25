#!/usr/bin/python3
"""dkimpy as a DKIM peer for tests/interop/dkim-peers.sh.

  dkimpy.py sign KEYFILE DOMAIN SELECTOR ALG CANON < msg > signed
      ALG rsa-sha256 or ed25519-sha256; CANON header/body, e.g. relaxed/simple;
      KEYFILE PEM as `ember dkim keygen` writes it (PKCS#8)
  dkimpy.py verify HOST:PORT < msg
      one line per DKIM-Signature, top first: "pass" or "fail", keys asked
      of that DNS server only (never the system's resolver); exit 0 when
      every signature passes, 1 otherwise
"""
import base64
import sys

import dkim
import dns.resolver


def pem_body(path):
    lines = open(path).read().split("\n")
    return base64.b64decode("".join(l for l in lines if l and not l.startswith("-----")))


def sign(keyfile, domain, selector, alg, canon):
    msg = sys.stdin.buffer.read()
    h, b = canon.split("/")
    if alg == "ed25519-sha256":
        # dkimpy takes the Ed25519 seed in base64: the last 32 octets of PKCS#8
        key = base64.b64encode(pem_body(keyfile)[-32:])
    else:
        key = open(keyfile, "rb").read()
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(h.encode(), b.encode()), signature_algorithm=alg.encode(),
                    linesep=b"\r\n")
    sys.stdout.buffer.write(sig + msg)


def verify(server):
    host, port = server.rsplit(":", 1)
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [host]
    res.port = int(port)
    res.lifetime = 5

    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        try:
            ans = res.resolve(name.rstrip("."), "TXT")
        except Exception:
            return None
        for r in ans:
            return b"".join(r.strings)
        return None

    msg = sys.stdin.buffer.read()
    d = dkim.DKIM(msg)
    n = sum(1 for k, _ in d.headers if k.lower() == b"dkim-signature")
    ok = n > 0
    for i in range(n):
        try:
            good = d.verify(idx=i, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            good = False
            print("fail: %s" % e, file=sys.stderr)
        print("pass" if good else "fail")
        ok = ok and good
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "sign":
        sign(*sys.argv[2:7])
    elif sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        sys.exit("usage: dkimpy.py sign|verify ...")
