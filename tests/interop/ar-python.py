"""ember's Authentication-Results reader against Python's authres (Debian's
python3-authres) on RFC 8601's examples, real fields, and fields ember
writes. Usage: ar-python.py EMBER-AR [FIELDS-FILE...] where each file holds
fields ("Authentication-Results: ..." with folding) separated by lines "--".

Both parses are reduced to the same form: the authserv-id, versions and
names lowercased (RFC 8601 2.2: they are case-insensitive), results in
order with their reason and properties; "ERROR" when the field is refused.
Every difference must be in KNOWN with its RFC reason and must still be
there; any other difference fails. Prints PASS/FAIL lines."""
import json
import os
import subprocess
import sys
import tempfile

import authres

FC = authres.all_features()

CASES = [
    # RFC 8601 appendix B and 2.7.6
    ("rfc8601-b2", " example.org 1; none"),
    ("rfc8601-b3", " example.com;\r\n          spf=pass smtp.mailfrom=example.net"),
    ("rfc8601-b4a", " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                    "          spf=pass smtp.mailfrom=example.net"),
    ("rfc8601-b4b", " example.com; iprev=pass\r\n          policy.iprev=192.0.2.200"),
    ("rfc8601-b5a", " example.com;\r\n          dkim=pass (good signature) header.d=example.com"),
    ("rfc8601-b5b", " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
                    "          spf=fail smtp.mailfrom=example.com"),
    ("rfc8601-b6a", " example.com;\r\n      dkim=pass reason=\"good signature\"\r\n"
                    "        header.i=@mail-router.example.net;\r\n      dkim=fail reason=\"bad signature\"\r\n"
                    "        header.i=@newyork.example.com"),
    ("rfc8601-b6b", " example.net;\r\n      dkim=pass (good signature) header.i=@newyork.example.com"),
    ("rfc8601-b7", " foo.example.net (foobar) 1 (baz);\r\n"
                   "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
                   "      policy (A dot can go here) . (like that) expired\r\n"
                   "      (this surprised me) = (as I wasn't expecting it) 1362471462"),
    ("rfc8601-2.7.6", " example.com;\r\n          foo=pass bar.baz=blob (2 of 3 tests OK)"),
    # real fields and edge cases
    ("gmail", " mx.google.com;\r\n       dkim=pass header.i=@email.example.com header.s=20111006"
              " header.b=URn9MW+F;\r\n       spf=pass (google.com: domain of foo@b.email.example.com"
              " designates 1.2.3.4 as permitted sender) smtp.mailfrom=foo@b.email.example.com;\r\n"
              "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=email.example.com"),
    ("opendkim-quoted-id", " \"mx.example.org\"; dkim=pass (2048-bit key) header.d=example.com header.b=\"Xc3/+ab1\""),
    ("microsoft", " spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none (message not"
                  " signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass reason=100"),
    ("microsoft-id", " mx.microsoft.com; spf=pass smtp.mailfrom=example.com; dmarc=pass action=none"
                     " header.from=example.com"),
    ("fastmail-iprev-v6", " mx.example.net; iprev=pass policy.iprev=2001:db8::1 (mail.example.com)"),
    ("iprev-v6-quoted", " mx.example.net; iprev=pass policy.iprev=\"2001:db8::1\""),
    ("uppercase", " MX.Example.ORG; DKIM=Pass Header.D=Example.COM"),
    ("no-space-after-semicolon", " mx;spf=none;dkim=none;dmarc=none"),
    ("escaped-reason", " mx; dkim=fail reason=\"bad \\\"sig\\\" here\" header.d=example.com"),
    ("empty-reason", " mx; dkim=fail reason=\"\" header.d=example.com"),
    ("reason-after-props", " mx; dkim=pass header.d=example.com reason=late"),
    ("trailing-semicolon", " mx; dkim=pass header.d=example.com;"),
    ("method-none", " mx; none=pass"),
    ("field-version-2", " mx 2; dkim=pass"),
    ("method-version-2", " mx; dkim/2=pass header.d=example.com"),
    ("quoted-local-part", " mx; auth=pass smtp.auth=\"john doe\"@example.net"),
    ("utf8-local-part", " mx; spf=pass smtp.mailfrom=j\u00f6rg@example.com"),
    ("one-label-domain", " mx; spf=pass smtp.mailfrom=user@localhost"),
    ("comment-before-version", " mx (c) 1 (d); spf (e) = (f) pass (g) smtp (h) . (i) mailfrom (j) = (k) a@example.com (l)"),
    ("unknown-ptype", " mx; x=pass foo.bar=baz"),
    ("unterminated-comment", " mx; dkim=pass (oops header.d=example.com"),
]

# name -> (kind, reason); kind: "rfc" authres breaks RFC 8601, "choice" both
# readings can be defended
KNOWN = {
    "rfc8601-b7": ("rfc", "RFC 8601 2.2 method-version = 1*DIGIT [CFWS]: authres takes no CFWS after the "
                          "method version and refuses the RFC's own example B.7"),
    "rfc8601-2.7.6": ("rfc", "RFC 8601 2.2 ptype = Keyword, and 2.7.6's own example has bar.baz: authres drops "
                             "every property whose ptype is not smtp, header, body or policy; ember keeps it "
                             "(the consumer ignores what it does not know)"),
    "opendkim-quoted-id": ("rfc", "RFC 8601 2.2 authserv-id = value (RFC 2045 token / quoted-string): authres "
                                  "reads a dot-atom only and refuses the quoted id OpenDKIM can write"),
    "microsoft-id": ("rfc", "RFC 8601 2.2 propspec = ptype \".\" property \"=\" pvalue: 'action=none' is not "
                            "one; ember refuses the field, authres drops the word silently"),
    "escaped-reason": ("rfc", "RFC 5322 3.2.4: a quoted-pair stands for the character after the backslash; "
                              "authres keeps the backslashes"),
    "empty-reason": ("rfc", "RFC 2045 5.1 value = token / quoted-string, and \"\" is a quoted-string; "
                            "authres refuses the empty reason"),
    "reason-after-props": ("rfc", "RFC 8601 2.2 resinfo: reasonspec comes before the propspecs; ember refuses, "
                                  "authres drops 'reason=late' silently"),
    "method-none": ("rfc", "RFC 8601 2.2: \"none\" is no-result only when nothing follows; none=pass is a "
                           "methodspec (method = Keyword); authres reads 'none' and refuses the rest"),
    "field-version-2": ("choice", "RFC 8601 2.2 authres-version = 1*DIGIT: ember reads version 2 and says so "
                                  "(the caller decides); authres refuses versions other than 1"),
    "utf8-local-part": ("rfc", "RFC 8616 3 (EAI): a local-part may be UTF-8 (RFC 6532 3.2 atext); authres "
                               "takes ASCII atext only and keeps an empty value"),
    "one-label-domain": ("choice", "RFC 8601 2.2 pvalue's domain-name is RFC 6376 3.5's: two labels at least; "
                                   "ember refuses user@localhost, authres takes any dot-atom"),
    "unknown-ptype": ("rfc", "RFC 8601 2.2 ptype = Keyword: authres drops a property of an unknown ptype; "
                             "ember keeps it"),
    "printed-3": ("rfc", "ember's printer escapes \" and \\ in a quoted string (RFC 5322 3.2.4); authres "
                         "keeps the backslashes when reading it"),
    "printed-6": ("rfc", "RFC 2045 5.1: \"\" is a quoted-string, an empty reason; authres refuses it"),
    "printed-7": ("rfc", "RFC 8601 2.2 pvalue = [CFWS] value [CFWS] then the next propspec: authres drops a "
                         "quoted-string pvalue unless ';' or the end follows it"),
}


def unfold(v):
    return v.replace("\r\n", "").replace("\n", "")


def py_parse(value):
    try:
        h = FC.parse_value(unfold(value))
    except Exception as e:  # authres raises its own SyntaxError and others
        return "ERROR (%s)" % type(e).__name__
    out = ["%s v%s" % (h.authserv_id.lower(), h.version or 1)]
    for r in h.results:
        s = "%s/%s=%s" % (r.method.lower(), r.version or 1, r.result.lower())
        if r.reason is not None:
            s += " reason<%s>" % r.reason
        for p in r.properties:
            s += " %s.%s<%s>" % (p.type.lower(), p.name.lower(), p.value)
        out.append(s)
    return " | ".join(out)


def ember_parse(ar, value):
    with tempfile.NamedTemporaryFile("wb", suffix=".eml", delete=False) as f:
        f.write(b"Authentication-Results:" + value.encode() + b"\r\n\r\n")
        name = f.name
    try:
        p = subprocess.run([ar, "--json", name], capture_output=True)
    finally:
        os.unlink(name)
    o = json.loads(p.stdout)
    if o["malformed"]:
        return "ERROR"
    g = o["groups"][0]
    f = g["fields"][0]
    out = ["%s v%s" % (g["authserv_id"].lower(), f["version"])]
    for r in f["results"]:
        s = "%s/%s=%s" % (r["method"].lower(), r["method_version"], r["result"].lower())
        if "reason" in r:
            s += " reason<%s>" % r["reason"]
        for q in r["props"]:
            s += " %s.%s<%s>" % (q["ptype"].lower(), q["property"].lower(), q["value"])
        out.append(s)
    return " | ".join(out)


def main():
    ar = sys.argv[1]
    cases = list(CASES)
    for path in sys.argv[2:]:
        prefix = os.path.basename(path).rsplit(".", 1)[0]
        text = open(path, encoding="utf-8").read()
        for i, chunk in enumerate(text.split("--\n"), 1):
            if not chunk.strip():
                continue
            assert chunk.startswith("Authentication-Results:"), chunk
            cases.append(("%s-%d" % (prefix, i), chunk[len("Authentication-Results:"):].rstrip("\r\n")))
    kinds = {}
    for name, value in cases:
        py, em = py_parse(value), ember_parse(ar, value)
        same = py.split(" (")[0] == em if py.startswith("ERROR") else py == em
        if name in KNOWN:
            kind, why = KNOWN[name]
            if same:
                print("FAIL %s: listed as a difference, but both read it the same: %s" % (name, em))
            else:
                kinds[kind] = kinds.get(kind, 0) + 1
                print("PASS %s: known difference (%s): %s\n  authres: %s\n  ember:   %s" % (name, kind, why, py, em))
        elif same:
            print("PASS %s: %s" % (name, em))
        else:
            print("FAIL %s\n  authres: %s\n  ember:   %s" % (name, py, em))
    print("cases: %d; known differences: %s" % (len(cases), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))


main()
