#!/bin/sh
# ember dmarc: verdicts on signed messages against policies served by knot
# on loopback (p=reject, quarantine, none, sp, np, t=y, psd=y, no record,
# SERVFAIL), trusted and forged Authentication-Results, --json, --ar,
# exit statuses, bad input, the SPF | DKIM | DMARC pipeline, and
# ember dmarc report's XML.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70
A="--authserv-id mx.test"

mkdir k
"$E" dkim keygen -t ed25519 -d example.com -s s1 -o k/s1 > /dev/null || { fail "keygen"; finish; exit; }
key=$(sed -n 's/.*"\(v=DKIM1[^"]*\)".*/\1/p' k/s1.txt)
for d in example.com mail.example.com other.example quar.example none.example sub.sp.example \
	www.example.com test.example org.psd.example norecord.example broken.example \
	two.example pct.example; do
	dns_line "s1._domainkey.$d. IN TXT \"$key\""
done
dns_line '_dmarc.example.com. IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:agg@example.com"'
dns_line 'www.example.com. IN A 192.0.2.80'
dns_line '_dmarc.quar.example. IN TXT "v=DMARC1; p=quarantine"'
dns_line '_dmarc.none.example. IN TXT "v=DMARC1; p=none; rua=mailto:r@none.example"'
dns_line '_dmarc.sp.example. IN TXT "v=DMARC1; p=none; sp=reject"'
dns_line 'sub.sp.example. IN A 192.0.2.81'
dns_line '_dmarc.test.example. IN TXT "v=DMARC1; p=reject; t=y"'
dns_line '_dmarc.psd.example. IN TXT "v=DMARC1; p=quarantine; psd=y"'
dns_line 'org.psd.example. IN A 192.0.2.82'
dns_line '_dmarc.pct.example. IN TXT "v=DMARC1; p=reject; pct=50"'
dns_line '_dmarc.two.example. IN TXT "v=DMARC1; p=none"'
dns_line '_dmarc.two.example. IN TXT "v=DMARC1; p=reject"'
dns_line 'example.com. IN TXT "v=spf1 ip4:192.0.2.10 -all"'
dns_line 'other.example. IN TXT "v=spf1 ip4:192.0.2.66 -all"'
dns_line 'mx.example.com. IN TXT "v=spf1 a -all"'
dns_line 'mx.example.com. IN A 192.0.2.10'
# a 4,000-octet record (a long rua= list): truncated over UDP, read over TCP
"$PYTHON" - > big.txt <<'PY'
rec = "v=DMARC1; p=quarantine; rua=" + ",".join("mailto:r%d@big.example" % i for i in range(200))
rec = rec[:rec.rfind(",", 0, 4000)]
print("_dmarc.big.example. IN TXT " + " ".join('"%s"' % rec[i:i + 255] for i in range(0, len(rec), 255)))
PY
dns_line "$(cat big.txt)"
printf '%s\n' _dmarc.broken.example > "$DNS_DIR/broken"
dns_start || { fail "knot starts"; finish; exit; }

# msg NAME FROM [SIGNING-DOMAIN]: a message, signed by the domain when given
msg() {
	printf 'From: Joe <joe@%s>\r\nTo: x@example.net\r\nSubject: hi\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700\r\nMessage-ID: <%s@example.net>\r\n\r\nHello.\r\n' "$2" "$1" > "$1.raw"
	if [ -n "${3:-}" ]; then
		"$E" dkim sign -d "$3" -s s1 -k k/s1.key "$1.raw" > "$1.eml"
	else
		cp "$1.raw" "$1.eml"
	fi
}
# v NAME STATUS FIRST-LINE ARGS...: ember dmarc's status and first line
v() {
	_n=$1 _rc=$2 _w=$3; shift 3
	"$E" dmarc $A "$@" > "$TMP/o" 2> "$TMP/e"; _g=$?
	_l=$(head -1 "$TMP/o")
	if [ "$_g" = "$_rc" ] && [ "$_l" = "$_w" ]; then
		pass "$_n"
	else
		fail "$_n" "status: want $_rc, got $_g" "want: $_w" "got:  $_l" "$(cat "$TMP/o" "$TMP/e" | head -8)"
	fi
}
# has NAME PATTERN: the last v's output has a line matching grep -E PATTERN
has() {
	if grep -qE "$2" "$TMP/o"; then pass "$1"; else fail "$1" "no line matches: $2" "$(cat "$TMP/o")"; fi
}

# ---- policies --------------------------------------------------------------------
msg aligned example.com example.com
v "aligned DKIM: pass, exit 0" 0 "dmarc=pass header.from=example.com policy=reject disposition=none" aligned.eml
has "aligned: the DKIM line says aligned" '^dkim: pass d=example.com s=s1 \(aligned\)$'
has "aligned: the policy record shown" '^policy: p=reject from _dmarc.example.com: v=DMARC1; p=reject'
msg unaligned example.com other.example
v "unaligned, p=reject: fail, disposition reject, exit 1" 1 \
	"dmarc=fail header.from=example.com policy=reject disposition=reject" unaligned.eml
has "unaligned: the signature passes, not aligned" '^dkim: pass d=other.example s=s1$'
msg relaxed example.com mail.example.com
v "relaxed: d=mail.example.com aligns with example.com" 0 \
	"dmarc=pass header.from=example.com policy=reject disposition=none" relaxed.eml
msg relaxed2 www.example.com example.com
v "relaxed: d=example.com aligns with www.example.com (sp= policy)" 0 \
	"dmarc=pass header.from=www.example.com policy=quarantine disposition=none" relaxed2.eml
msg quar quar.example other.example
v "p=quarantine: disposition quarantine" 1 \
	"dmarc=fail header.from=quar.example policy=quarantine disposition=quarantine" quar.eml
msg none none.example other.example
v "p=none: fail, disposition none" 1 "dmarc=fail header.from=none.example policy=none disposition=none" none.eml
msg sp sub.sp.example other.example
v "sp=reject for an existing subdomain (p=none)" 1 \
	"dmarc=fail header.from=sub.sp.example policy=reject disposition=reject" sp.eml
has "sp: the tag named" '^policy: sp=reject from _dmarc.sp.example'
msg np ghost.example.com other.example
v "np=reject for a subdomain that does not exist" 1 \
	"dmarc=fail header.from=ghost.example.com policy=reject disposition=reject" np.eml
has "np: the tag named, the name said not to exist" '^policy: np=reject from _dmarc.example.com'
has "np: NXDOMAIN noted" 'does not exist'
msg www www.example.com other.example
v "an existing subdomain: sp=quarantine, not np" 1 \
	"dmarc=fail header.from=www.example.com policy=quarantine disposition=quarantine" www.eml
msg testing test.example other.example
v "t=y: the policy reject, the disposition one lower" 1 \
	"dmarc=fail header.from=test.example policy=reject disposition=quarantine" testing.eml
has "t=y noted" 'testing: t=y'
msg psd org.psd.example other.example
v "psd=y on a public-suffix-like name: its policy for a registration without one" 1 \
	"dmarc=fail header.from=org.psd.example policy=quarantine disposition=quarantine" psd.eml
has "psd=y: the PSD's record, the organizational domain one label below" '^policy: p=quarantine from _dmarc.psd.example'
has "psd=y: org domain" '^organizational domain: org.psd.example$'
msg norec norecord.example norecord.example
v "no DMARC record: none, exit 1" 1 "dmarc=none header.from=norecord.example policy=none disposition=none" norec.eml
msg broken broken.example broken.example
v "the policy's DNS fails (SERVFAIL): temperror, exit 75" 75 \
	"dmarc=temperror header.from=broken.example policy=none disposition=none" broken.eml
msg big big.example other.example
v "a 4,000-octet record, over TCP: read whole" 1 \
	"dmarc=fail header.from=big.example policy=quarantine disposition=quarantine" big.eml
has "the 4,000-octet record: its last URI" 'mailto:r1[0-9][0-9]@big.example$'
msg two two.example other.example
v "two DMARC records: both discarded, none" 1 "dmarc=none header.from=two.example policy=none disposition=none" two.eml
v "--dns: nothing listens: temperror" 75 \
	"dmarc=temperror header.from=example.com policy=none disposition=none" --dns 127.0.0.1:1 unaligned.eml

# ---- RFC 7489 mode -----------------------------------------------------------------
v "--rfc7489: sp= from the PSL's organizational domain" 1 \
	"dmarc=fail header.from=www.example.com policy=quarantine disposition=quarantine" --rfc7489 www.eml
v "--rfc7489: psd.example is the PSL's organizational domain (.example is a suffix)" 1 \
	"dmarc=fail header.from=org.psd.example policy=quarantine disposition=quarantine" --rfc7489 psd.eml
has "--rfc7489: organizational domain psd.example, not the Tree Walk's org.psd.example" '^organizational domain: psd.example$'
v "--rfc7489: np= is not a 7489 tag: sp=" 1 \
	"dmarc=fail header.from=ghost.example.com policy=quarantine disposition=quarantine" --rfc7489 np.eml
v "--rfc7489: t= is not a 7489 tag" 1 \
	"dmarc=fail header.from=test.example policy=reject disposition=reject" --rfc7489 testing.eml

msg pct pct.example other.example
v "--rfc7489, pct=50, the number 10: chosen, reject" 1 \
	"dmarc=fail header.from=pct.example policy=reject disposition=reject" --rfc7489 --random 10 pct.eml
v "--rfc7489, pct=50, the number 70: left out, one step down" 1 \
	"dmarc=fail header.from=pct.example policy=reject disposition=quarantine" --rfc7489 --random 70 pct.eml
has "pct: said so" 'left out by pct='
v "RFC 9989: pct= is no tag, the policy applies" 1 \
	"dmarc=fail header.from=pct.example policy=reject disposition=reject" --random 70 pct.eml
"$E" dmarc $A --rfc7489 --random 70 --json pct.eml > pct.jsonl
"$E" dmarc report pct.jsonl > pct.xml
"$PYTHON" -c '
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
t = ET.parse(sys.argv[1]).getroot()
assert t.find("d:policy_published/d:discovery_method", ns).text == "psl"
assert t.find("d:policy_published/d:sp", ns).text == "reject"
r = t.find("d:record/d:row/d:policy_evaluated", ns)
assert r.find("d:disposition", ns).text == "quarantine"
assert r.find("d:reason/d:type", ns).text == "other" and "pct=" in r.find("d:reason/d:comment", ns).text
' pct.xml && pass "report, 7489 mode: psl, the override reason for pct=" || fail "report, 7489 mode: psl, the override reason for pct=" "$(cat pct.xml)"

# ---- Authentication-Results: trusted and forged ---------------------------------------
{ printf 'Authentication-Results: mx.test; dkim=pass header.d=example.com header.s=s9\r\n'; cat unaligned.raw; } > trusted.eml
v "a trusted dkim=pass for the From domain: pass" 0 \
	"dmarc=pass header.from=example.com policy=reject disposition=none" trusted.eml
has "trusted: its selector shown" '^dkim: pass d=example.com s=s9 \(aligned\)$'
{ printf 'Authentication-Results: MX.Test; spf=pass smtp.mailfrom=bounce@mail.example.com\r\n'; cat unaligned.raw; } > trusted-spf.eml
v "a trusted spf=pass (authserv-id in any case), relaxed: pass" 0 \
	"dmarc=pass header.from=example.com policy=reject disposition=none" trusted-spf.eml
has "trusted spf: said so" '^spf: pass smtp.mailfrom=mail.example.com \(aligned\) \(from Authentication-Results\)$'
{ printf 'Authentication-Results: evil.example; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com\r\n'; cat unaligned.raw; } > forged.eml
v "a forged field (another authserv-id): ignored, DKIM computed: none, fail" 1 \
	"dmarc=fail header.from=example.com policy=reject disposition=reject" forged.eml
has "forged: no DKIM result" '^dkim: none$'
# our own authserv-id, but below a field this hop did not write (a Received
# above it): it came with the message, and is not trusted
{ printf 'Received: from x by mx.test; Thu, 3 Dec 2026 12:00:00 +0000\r\n'
  printf 'Authentication-Results: mx.test; dkim=pass header.d=example.com header.s=s9\r\n'; cat unaligned.raw; } > below.eml
v "our authserv-id below the top: ignored, DKIM computed: fail" 1 \
	"dmarc=fail header.from=example.com policy=reject disposition=reject" below.eml
if grep -q '1 Authentication-Results field of mx.test below the top of the header' "$TMP/e"; then
	pass "below the top: said so on stderr"; else fail "below the top: said so on stderr" "$(cat "$TMP/e")"; fi
{ printf 'Authentication-Results: mx.test; spf=pass smtp.mailfrom=bounce@mail.example.com\r\n'
  printf 'Received-SPF: pass (mx.test: x) client-ip=192.0.2.1; identity=mailfrom\r\n'
  printf 'Authentication-Results: mx.test; dkim=pass header.d=example.com header.s=s9\r\n'; cat unaligned.raw; } > block.eml
v "our fields in the top run (AR, Received-SPF, AR): all trusted" 0 \
	"dmarc=pass header.from=example.com policy=reject disposition=none" block.eml
has "top run: the second field's DKIM used" '^dkim: pass d=example.com s=s9 \(aligned\)$'
{ printf 'Authentication-Results: evil.example; dkim=pass header.d=example.com\r\n'; cat aligned.eml; } > forged2.eml
v "a forged field on a signed message: the signature is checked" 0 \
	"dmarc=pass header.from=example.com policy=reject disposition=none" forged2.eml
{ printf 'Authentication-Results: mx.test; dkim=fail header.d=example.com\r\n'; cat aligned.eml; } > trustfail.eml
v "a trusted dkim=fail: used, not recomputed" 1 \
	"dmarc=fail header.from=example.com policy=reject disposition=reject" trustfail.eml
{ printf 'Authentication-Results: mx.test; dkim=temperror header.d=example.com\r\n'; cat unaligned.raw; } > trusttemp.eml
v "a trusted dkim=temperror, nothing aligned passes: temperror" 75 \
	"dmarc=temperror header.from=example.com policy=reject disposition=none" trusttemp.eml

# ---- bad input ------------------------------------------------------------------------
printf 'To: x@example.net\r\nSubject: no author\r\n\r\nhi\r\n' > nofrom.eml
v "no From: permerror, exit 1" 1 "dmarc=permerror header.from= policy=none disposition=none" nofrom.eml
has "no From: the reason" '^reason: no From field$'
{ printf 'From: ceo@example.com\r\n'; cat unaligned.raw; } | sed 's/^From: Joe <joe@example.com>/From: x@other.example/' > twofrom.eml
v "two From fields: permerror" 1 "dmarc=permerror header.from= policy=none disposition=none" twofrom.eml
has "two From fields: the reason" '^reason: several From fields$'
sed 's/^From: Joe <joe@example.com>/From: <x@other.example>, <ceo@example.com>/' aligned.raw > twodom.raw
"$E" dkim sign -d other.example -s s1 -k k/s1.key twodom.raw > twodom.eml
v "From with two domains (CVE-2019-16378): each evaluated, example.com's failure decides" 1 \
	"dmarc=fail header.from=example.com policy=reject disposition=reject" twodom.eml
has "two domains: each one's verdict" '^author domain other.example: dmarc=none policy=none disposition=none$'
has "two domains: each one's verdict (2)" '^author domain example.com: dmarc=fail policy=reject disposition=reject$'
"$E" dmarc $A --json twodom.eml | "$PYTHON" -c '
import json, sys
o = json.loads(sys.stdin.read())
assert o["result"] == "fail" and o["header_from"] == "example.com", o
assert [(a["header_from"], a["result"]) for a in o["authors"]] == [("other.example", "none"), ("example.com", "fail")], o
' && pass "two domains --json: each author's verdict" || fail "two domains --json: each author's verdict"
sed 's/^From: Joe <joe@example.com>/From: a@example.com, b@EXAMPLE.com/' aligned.raw > samedom.raw
"$E" dkim sign -d example.com -s s1 -k k/s1.key samedom.raw > samedom.eml
v "From with two mailboxes of one domain: evaluated" 0 \
	"dmarc=pass header.from=example.com policy=reject disposition=none" samedom.eml
printf 'From: a@example.com\r\nnot a field\r\n\r\nbody\r\n' > garbage.eml
v "a header with a line that is not a field: permerror, no crash" 1 \
	"dmarc=permerror header.from= policy=none disposition=none" garbage.eml
printf 'From: <<<\r\n\r\nx\r\n' > malformed.eml
v "a malformed From: permerror" 1 "dmarc=permerror header.from= policy=none disposition=none" malformed.eml
: > empty.eml
v "an empty file: permerror" 1 "dmarc=permerror header.from= policy=none disposition=none" empty.eml

# ---- --json ---------------------------------------------------------------------------
"$E" dmarc $A --json unaligned.eml > j1.json; rc=$?
if [ $rc = 1 ] && "$PYTHON" - j1.json <<'PY'
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["result"] == "fail" and o["header_from"] == "example.com", o
assert o["policy"] == "reject" and o["disposition"] == "reject" and o["policy_domain"] == "example.com", o
assert o["dkim"] == [{"domain": "other.example", "selector": "s1", "result": "pass"}], o
assert o["dkim_aligned"] is False and o["spf_aligned"] is False and o["discovery"] == "treewalk", o
assert o["record"].startswith("v=DMARC1; p=reject"), o
PY
then pass "--json: one object, the fields, exit 1"; else fail "--json: one object, the fields, exit 1" "rc $rc" "$(cat j1.json)"; fi

# ---- --ar ------------------------------------------------------------------------------
"$E" dmarc $A --ar unaligned.eml > ar.eml; rc=$?
head -3 ar.eml | tr -d '\r\n\t' > ar.head
if [ $rc = 0 ] && grep -q '^Authentication-Results: mx.test; dmarc=fail' ar.head && grep -q 'header.from=example.com' ar.head &&
	grep -q 'polrec.p=reject' ar.head; then
	pass "--ar: dmarc=fail header.from polrec.p, exit 0"
else
	fail "--ar: dmarc=fail header.from polrec.p, exit 0" "rc $rc" "$(head -3 ar.eml)"
fi
"$E" dmarc $A --ar sp.eml | head -3 | tr -d '\r\n\t' > ar.sp
grep -q 'header.from=sub.sp.example polrec.p=none polrec.domain=sp.example' ar.sp &&
	pass "--ar: a record found above the author domain: polrec.p is its p=, polrec.domain names it" ||
	fail "--ar: polrec.domain" "$(cat ar.sp)"
n=$(wc -c < unaligned.eml)
tail -c "$n" ar.eml > ar.tail
same_bytes "--ar: the message byte for byte below the field" unaligned.eml ar.tail
"$E" dmarc $A --ar aligned.eml | head -1 | grep -q '^Authentication-Results: mx.test; dmarc=pass header.from=example.com' &&
	pass "--ar: dmarc=pass" || fail "--ar: dmarc=pass" "$("$E" dmarc $A --ar aligned.eml | head -2)"
printf 'From: joe@example.com\nTo: x@example.net\n\nlf only\n' > lf.eml
"$E" dmarc $A --ar lf.eml > ar-lf.eml; rc=$?
n=$(wc -c < lf.eml)
tail -c "$n" ar-lf.eml > ar-lf.tail
[ $rc = 0 ] && cmp -s lf.eml ar-lf.tail && ! head -1 ar-lf.eml | grep -q "$(printf '\r')" &&
	pass "--ar on an LF message: LF field, the message unchanged" || fail "--ar on an LF message: LF field, the message unchanged" "$(head -2 ar-lf.eml | od -c | head -3)"
"$E" dmarc $A --ar broken.eml > ar-b.eml; rc=$?
[ $rc = 0 ] && head -1 ar-b.eml | grep -q 'dmarc=temperror' && pass "--ar temperror: exit 0" || fail "--ar temperror: exit 0" "rc $rc"
"$E" dmarc $A --ar nofrom.eml > ar-n.eml; rc=$?
[ $rc = 0 ] && head -1 ar-n.eml | grep -q 'dmarc=permerror' && pass "--ar without From: permerror, exit 0" ||
	fail "--ar without From: permerror, exit 0" "rc $rc" "$(head -2 ar-n.eml)"
cat unaligned.eml | "$E" dmarc $A --ar > ar-stdin.eml && tail -c "$(wc -c < unaligned.eml)" ar-stdin.eml | cmp -s - unaligned.eml &&
	pass "--ar from a pipe: byte for byte" || fail "--ar from a pipe: byte for byte"

# ---- the pipeline: ember spf --ar | ember dkim verify --ar | ember dmarc --ar ----------------
pipeline() { # FILE IP SENDER
	"$E" spf --ip "$2" --helo mx.example.com --sender "$3" --ar $A "$1" |
		"$E" dkim verify --ar $A | "$E" dmarc --ar $A
}
pipeline aligned.eml 192.0.2.99 bounce@example.com > p1.eml
head -1 p1.eml | tr -d '\r' | grep -q '^Authentication-Results: mx.test; dmarc=pass header.from=example.com' &&
	pass "pipeline: signed and aligned: dmarc=pass (SPF fails, DKIM aligns)" || fail "pipeline: signed and aligned: dmarc=pass" "$(head -6 p1.eml)"
grep -c '^Authentication-Results: mx.test;' p1.eml | grep -q '^3$' && pass "pipeline: three fields, ours" || fail "pipeline: three fields, ours" "$(grep -c '^Authentication-Results' p1.eml)"
tail -c "$(wc -c < aligned.eml)" p1.eml | cmp -s - aligned.eml && pass "pipeline: the message byte for byte" || fail "pipeline: the message byte for byte"
pipeline unaligned.eml 192.0.2.66 bounce@other.example > p2.eml
head -3 p2.eml | tr -d '\r\n' | grep -q '^Authentication-Results: mx.test; dmarc=fail.*header.from=example.com' &&
	pass "pipeline: unaligned From: dmarc=fail" || fail "pipeline: unaligned From: dmarc=fail" "$(head -4 p2.eml)"
"$E" spf --ip 192.0.2.66 --helo mx.example.com --sender bounce@other.example --ar $A unaligned.eml |
	"$E" dkim verify --ar $A > p2-in.eml
v "pipeline: unaligned From: p=reject's disposition (SPF and DKIM both passed for other.example)" 1 \
	"dmarc=fail header.from=example.com policy=reject disposition=reject" p2-in.eml
has "pipeline: SPF read from the field" '^spf: pass smtp.mailfrom=other.example \(from Authentication-Results\)$'
pipeline unaligned.raw 192.0.2.10 bounce@example.com > p3.eml
head -1 p3.eml | tr -d '\r' | grep -q 'dmarc=pass header.from=example.com' &&
	pass "pipeline: unsigned, SPF aligned: dmarc=pass" || fail "pipeline: unsigned, SPF aligned: dmarc=pass" "$(head -4 p3.eml)"

# ---- ember dmarc --ip alone ---------------------------------------------------------------
v "--ip: SPF computed, aligned: pass" 0 "dmarc=pass header.from=example.com policy=reject disposition=none" \
	--ip 192.0.2.10 --helo mx.example.com --sender bounce@example.com unaligned.raw
has "--ip: the SPF line" '^spf: pass smtp.mailfrom=example.com \(aligned\)$'
v "--ip: SPF fails: fail" 1 "dmarc=fail header.from=example.com policy=reject disposition=reject" \
	--ip 192.0.2.11 --helo mx.example.com --sender bounce@example.com unaligned.raw
v "--ip, null sender: the HELO identity, aligned" 0 "dmarc=pass header.from=example.com policy=reject disposition=none" \
	--ip 192.0.2.10 --helo mx.example.com --sender '<>' unaligned.raw
has "null sender: smtp.helo" '^spf: pass smtp.helo=mx.example.com \(aligned\)$'
"$E" dmarc $A --ar --ip 192.0.2.10 --helo mx.example.com --sender bounce@example.com unaligned.raw > ip-ar.eml; rc=$?
[ $rc = 0 ] && head -1 ip-ar.eml | grep -q 'dmarc=pass header.from=example.com' && pass "--ip --ar alone: dmarc=pass, exit 0" ||
	fail "--ip --ar alone: dmarc=pass, exit 0" "rc $rc" "$(head -2 ip-ar.eml)"
v "a trusted spf= wins over --ip" 0 "dmarc=pass header.from=example.com policy=reject disposition=none" \
	--ip 192.0.2.11 --helo mx.example.com --sender bounce@example.com trusted-spf.eml

# ---- report ------------------------------------------------------------------------------
t1=$(($(date +%s) + 10)) t2=$(($(date +%s) + 110))
for f in aligned aligned aligned unaligned relaxed www np; do "$E" dmarc $A --json --time $t1 "$f.eml"; done > rep.jsonl
"$E" dmarc $A --json --ip 192.0.2.10 --helo mx.example.com --sender bounce@example.com --time $t2 unaligned.raw >> rep.jsonl
"$E" dmarc report --org-name "Test & Co" --email dmarc@mx.test < rep.jsonl > rep.xml; rc=$?
if [ $rc = 0 ] && "$PYTHON" - rep.xml $t1 $t2 <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
t = ET.parse(sys.argv[1]).getroot()
assert t.tag == "{urn:ietf:params:xml:ns:dmarc-2.0}feedback", t.tag
m = t.find("d:report_metadata", ns)
assert m.find("d:org_name", ns).text == "Test & Co"
assert m.find("d:date_range/d:begin", ns).text == sys.argv[2] and m.find("d:date_range/d:end", ns).text == sys.argv[3]
assert m.find("d:report_id", ns).text == "example.com!%s!%s" % (sys.argv[2], sys.argv[3])
pp = t.find("d:policy_published", ns)
assert pp.find("d:domain", ns).text == "example.com" and pp.find("d:p", ns).text == "reject"
assert pp.find("d:sp", ns).text == "quarantine" and pp.find("d:np", ns).text == "reject"
assert pp.find("d:discovery_method", ns).text == "treewalk" and pp.find("d:testing", ns).text == "n"
recs = t.findall("d:record", ns)
counts = sorted(int(r.find("d:row/d:count", ns).text) for r in recs)
assert sum(counts) == 8 and counts[-1] == 3 and len(recs) == 6, counts
froms = sorted(r.find("d:identifiers/d:header_from", ns).text for r in recs)
assert froms.count("example.com") == 4 and "ghost.example.com" in froms, froms
passes = [r for r in recs if r.find("d:row/d:policy_evaluated/d:dkim", ns).text == "pass"]
assert sum(int(r.find("d:row/d:count", ns).text) for r in passes) == 4 and len(passes) == 2, len(passes)
spf = [r for r in recs if r.find("d:auth_results/d:spf", ns) is not None]
assert len(spf) == 1 and spf[0].find("d:auth_results/d:spf/d:scope", ns).text == "mfrom"
assert spf[0].find("d:row/d:source_ip", ns).text == "192.0.2.10"
assert spf[0].find("d:row/d:policy_evaluated/d:spf", ns).text == "pass"
PY
then pass "report: well-formed RFC 9990 XML, 8 messages in 6 records, counts and results"
else fail "report: well-formed RFC 9990 XML, 8 messages in 6 records, counts and results" "rc $rc" "$(head -40 rep.xml)"; fi
"$E" dmarc $A --json testing.eml > rep-t.jsonl
"$E" dmarc report --report-id r-1 --begin 100 --end 200 rep-t.jsonl > rep-t.xml
"$PYTHON" -c '
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
t = ET.parse(sys.argv[1]).getroot()
assert t.find("d:report_metadata/d:report_id", ns).text == "r-1"
assert t.find("d:report_metadata/d:date_range/d:begin", ns).text == "100"
assert t.find("d:policy_published/d:testing", ns).text == "y"
assert t.find("d:record/d:row/d:policy_evaluated/d:reason/d:type", ns).text == "policy_test_mode"
' rep-t.xml && pass "report: t=y, testing y, the override reason policy_test_mode" || fail "report: t=y" "$(cat rep-t.xml)"
cat rep.jsonl rep-t.jsonl > rep-2.jsonl
expect_err "report: two policy domains without --domain: 64" 64 'give --domain' -- "$E" dmarc report rep-2.jsonl
"$E" dmarc report --domain test.example rep-2.jsonl > rep-d.xml && grep -c '<record>' rep-d.xml | grep -q '^1$' &&
	pass "report --domain: that domain's records only" || fail "report --domain: that domain's records only" "$(cat rep-d.xml)"
printf '{"result": "pass"\n' > bad.jsonl
expect_err "report: a line that is not JSON: 65, file and line" 65 'bad.jsonl:1: not a JSON object' -- "$E" dmarc report bad.jsonl
"$E" dmarc $A --json norec.eml > none.jsonl
expect_err "report: no result with a policy: 65" 65 'no result with a DMARC policy' -- "$E" dmarc report none.jsonl

# ---- usage --------------------------------------------------------------------------------
expect_err "--helo without --ip: 64" 64 'go with --ip' -- "$E" dmarc --helo x aligned.eml
expect_err "--ip without --helo or --sender: 64" 64 'needs --helo' -- "$E" dmarc --ip 192.0.2.1 aligned.eml
expect_err "--ar with --json: 64" 64 'one at a time' -- "$E" dmarc --ar --json aligned.eml
expect_err "--ip not an address: 64" 64 'not an IPv4 or IPv6' -- "$E" dmarc --ip nope --helo x aligned.eml
expect_err "two files: 64" 64 'one message' -- "$E" dmarc aligned.eml unaligned.eml
expect_err "a missing file: 66" 66 'no-such.eml' -- "$E" dmarc no-such.eml
expect_err "--random out of range: 64" 64 'random' -- "$E" dmarc --random 100 aligned.eml
"$E" dmarc --help | grep -q '^Usage: ember dmarc' && pass "--help" || fail "--help"
# every --help option is in the man page
missing=
for o in $("$E" dmarc --help | grep -oE -- '--[a-z0-9-]+' | sort -u); do
	grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$ROOT/man/ember-dmarc.1" || missing="$missing $o"
done
[ -z "$missing" ] && pass "the man page names every --help option" || fail "the man page names every --help option" "missing:$missing"
finish
