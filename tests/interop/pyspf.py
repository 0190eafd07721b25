"""pyspf's side of tests/interop/spf-peers.sh and of bench/spf.

  pyspf.py check HOST:PORT [RECEIVER]        < QUERIES
  pyspf.py bench HOST:PORT COUNT SECONDS QUERIES

QUERIES: one query a line, "IP HELO SENDER" (SENDER "-": none, "<>": the
null sender; both check the HELO identity). check: "RESULT<TAB>EXPLANATION"
a line (the explanation of a fail, else empty), each query evaluated afresh
(pyspf's cache lives in one spf.query). bench: the queries in turn, round
and round, until COUNT evaluations or SECONDS; prints "pyspf: evaluations=N
seconds=S". pyspf keeps nothing from one evaluation to the next, so for the
bench a cache is put around spf.DNSLookup: every answer and every failure
kept 300 seconds, the rule ember's and libspf2's sides have.

DNS: pyspf asks dnspython's module-level resolver (dns.resolver.query), so
that resolver is replaced by one whose only nameserver is HOST:PORT.
"""
import sys
import time
import warnings

import dns.resolver
import spf

warnings.filterwarnings("ignore", category=DeprecationWarning)


def use_server(server):
    host, _, port = server.rpartition(":")
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [host]
    r.port = int(port)
    r.timeout = 2
    r.lifetime = 4
    r.cache = None
    dns.resolver.default_resolver = r


def add_cache(seconds=300):
    lookup = spf.DNSLookup
    cache = {}

    def cached(name, qtype, *args, **kw):
        key = (name.lower(), qtype)
        hit = cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            if hit[1] is not None:
                raise hit[1]
            return hit[2]
        try:
            ans = lookup(name, qtype, *args, **kw)
        except spf.TempError as e:
            cache[key] = (now + seconds, e, None)
            raise
        cache[key] = (now + seconds, None, ans)
        return ans

    spf.DNSLookup = cached


def parse(line):
    ip, helo, sender = line.split()[:3]
    if sender in ("-", "<>"):
        sender = ""
    return ip, helo, sender


def evaluate(q, receiver=None):
    ip, helo, sender = q
    try:
        res, _code, exp = spf.query(ip, sender, helo, receiver=receiver).check()
    except Exception as e:  # pyspf itself failing: say how
        return "crash", type(e).__name__ + ": " + str(e).replace("\n", " ")
    return res, (exp if res == "fail" else "")


def main():
    mode, server = sys.argv[1], sys.argv[2]
    use_server(server)
    if mode == "check":
        receiver = sys.argv[3] if len(sys.argv) > 3 else None
        for line in sys.stdin:
            if not line.strip():
                continue
            res, exp = evaluate(parse(line), receiver)
            print("%s\t%s" % (res, exp), flush=True)
        return 0
    count, seconds = int(sys.argv[3]), float(sys.argv[4])
    qs = [parse(l) for l in open(sys.argv[5]) if l.strip()]
    add_cache()
    tally = {}
    done = 0
    t0 = time.monotonic()
    while done < count and time.monotonic() - t0 < seconds:
        res, _ = evaluate(qs[done % len(qs)])
        tally[res] = tally.get(res, 0) + 1
        done += 1
    t = time.monotonic() - t0
    print("pyspf: evaluations=%d seconds=%.3f" % (done, t))
    print("pyspf results: " + " ".join("%s=%d" % kv for kv in sorted(tally.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
