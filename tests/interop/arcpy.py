#!/usr/bin/python3
"""dkimpy as an ARC peer for tests/interop/arc-dkimpy.sh.

  arcpy.py seal KEYFILE DOMAIN SELECTOR ALG AUTHSERV-ID < msg > sealed
      the message with dkimpy's new ARC set prepended (dkim.ARC.sign: the
      Authentication-Results of AUTHSERV-ID sealed, cv= their arc= result),
      in the message's line ends (dkimpy writes CRLF);
      ALG rsa-sha256 or ed25519-sha256; KEYFILE PEM as `ember dkim keygen`
      writes it (PKCS#8); exit 1 when dkimpy adds no set
  arcpy.py verify HOST:PORT < msg
      dkim.arc_verify's chain status ("pass", "fail", "none"; a chain dkimpy
      calls terminated prints "fail"), keys asked of that DNS server only;
      exit 0 for pass, 1 otherwise
"""
import base64
import sys

import dkim
import dns.resolver


def pem_body(path):
    lines = open(path).read().split("\n")
    return base64.b64decode("".join(l for l in lines if l and not l.startswith("-----")))


def seal(keyfile, domain, selector, alg, srv_id):
    msg = sys.stdin.buffer.read()
    if alg == "ed25519-sha256":
        key = base64.b64encode(pem_body(keyfile)[-32:])  # the seed, as dkimpy takes it
    else:
        key = open(keyfile, "rb").read()
    # dkim.arc_sign passes rsa-sha256 whatever it is given: the class is used
    a = dkim.ARC(msg, signature_algorithm=alg.encode(), linesep=b"\r\n")
    fields = a.sign(selector.encode(), domain.encode(), key, srv_id.encode(),
                    include_headers=a.default_sign_headers())
    if not fields:
        sys.exit("dkimpy added no ARC set")
    out = b"".join(fields)
    first = msg.split(b"\n", 1)[0]
    if not first.endswith(b"\r"):  # a message kept with bare LF: the fields too
        out = out.replace(b"\r\n", b"\n")
    sys.stdout.buffer.write(out + msg)


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

    cv, results, why = dkim.arc_verify(sys.stdin.buffer.read(), dnsfunc=dnsfunc)
    cv = cv.decode() if cv else "fail"
    print(cv)
    if cv != "pass":
        print("dkimpy: %s" % why, file=sys.stderr)
    sys.exit(0 if cv == "pass" else 1)


if __name__ == "__main__":
    if sys.argv[1] == "seal":
        seal(*sys.argv[2:7])
    elif sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        sys.exit("usage: arcpy.py seal|verify ...")
