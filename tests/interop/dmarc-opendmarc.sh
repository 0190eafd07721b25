#!/bin/sh
# DMARC interop with OpenDMARC's library (build/bench/opendmarc,
# bench/dmarc/opendmarc.c): the same cases, the same DMARC records served
# by knot on loopback (libopendmarc's own resolver is pointed at knot's
# port: it takes its name servers as sockaddr_in, port included), the same
# SPF and DKIM results; ember in --rfc7489 mode (both take organizational
# domains from Debian's public suffix list). Compared: the verdict (pass,
# reject, quarantine, none for p=none, absent when no policy applies), and
# the DKIM and SPF alignment. The cases where the two are meant to differ
# (RFC 7489 read differently, OpenDMARC's leniency) are listed at the end
# with the reason, and checked to differ in that way.
SUITE=interop-dmarc-opendmarc
. "$(dirname "$0")/../cli/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
ODM=$ROOT/build/bench/opendmarc
if [ ! -x "$ODM" ]; then
	skip "OpenDMARC" "build/bench/opendmarc is not built (make build/bench/opendmarc)"
	finish
	exit
fi
cd "$TMP" || exit 70

dns_line '_dmarc.example.com. IN TXT "v=DMARC1; p=reject; sp=quarantine"'
dns_line '_dmarc.strict.example.org. IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"'
dns_line '_dmarc.quar.example.org. IN TXT "v=DMARC1; p=quarantine"'
dns_line '_dmarc.none.example.org. IN TXT "v=DMARC1; p=none; rua=mailto:r@none.example.org"'
dns_line '_dmarc.example.co.uk. IN TXT "v=DMARC1; p=reject; sp=none"'
dns_line '_dmarc.testing.example.org. IN TXT "v=DMARC1; p=reject; t=y"'
dns_line '_dmarc.np.example.org. IN TXT "v=DMARC1; p=quarantine; np=reject"'
dns_line '_dmarc.sub.example.net. IN TXT "v=DMARC1; p=quarantine"'
dns_line '_dmarc.example.net. IN TXT "v=DMARC1; p=reject"'
dns_line '_dmarc.nospace.example.org. IN TXT "v=DMARC1;p=reject;sp=none;adkim=r"'
dns_line '_dmarc.unknown.example.org. IN TXT "v=DMARC1; p=reject; foo=bar; zz=1"'
dns_line '_dmarc.fo.example.org. IN TXT "v=DMARC1; p=quarantine; fo=1; ruf=mailto:f@fo.example.org"'
dns_line '_dmarc.spnone.example.org. IN TXT "v=DMARC1; p=reject; sp=none"'
dns_line '_dmarc.long.example.org. IN TXT "v=DMARC1; p=reject; rua=mailto:a@long.example.org,mailto:b@long.example.org,mailto:c@long.example.org"'
dns_line '_dmarc.nop.example.org. IN TXT "v=DMARC1; rua=mailto:r@nop.example.org"'
dns_line '_dmarc.badp.example.org. IN TXT "v=DMARC1; p=bogus"'
dns_line '_dmarc.pn.example.org. IN TXT "v=DMARC1; p=n"'
dns_line '_dmarc.two.example.org. IN TXT "v=DMARC1; p=none"'
dns_line '_dmarc.two.example.org. IN TXT "v=DMARC1; p=reject"'
dns_line '_dmarc.upper.example.org. IN TXT "v=DMARC1; p=REJECT"'
dns_line '_dmarc.mid.example.org. IN TXT "v=DMARC1; p=none"'
dns_line '_dmarc.psd.example. IN TXT "v=DMARC1; p=reject; psd=y"'
dns_start || { fail "knot starts"; finish; exit; }

# NAME FROM DKIM-DOMAIN DKIM-RESULT SPF-DOMAIN SPF-RESULT
cat > cases <<'CASES'
dkim-aligned	example.com	example.com	pass	-	none
dkim-unaligned	example.com	example.org	pass	-	none
dkim-fail	example.com	example.com	fail	-	none
dkim-relaxed-sub	example.com	mail.example.com	pass	-	none
dkim-relaxed-from-sub	www.example.com	example.com	pass	-	none
spf-aligned	example.com	-	none	example.com	pass
spf-relaxed	example.com	-	none	bounce.example.com	pass
spf-fail	example.com	-	none	example.com	fail
spf-unaligned	example.com	-	none	example.net	pass
sub-sp	www.example.com	example.org	pass	-	none
strict-dkim-sub	strict.example.org	mail.strict.example.org	pass	-	none
strict-dkim-same	strict.example.org	strict.example.org	pass	-	none
strict-spf-sub	strict.example.org	-	none	mx.strict.example.org	pass
quarantine	quar.example.org	other.example	pass	-	none
p-none	none.example.org	other.example	pass	-	none
no-record	norecord.example.org	other.example	pass	-	none
psl-co-uk	mail.example.co.uk	example.co.uk	pass	-	none
psl-co-uk-other	example.co.uk	other.co.uk	pass	-	none
psl-co-uk-sp	mail.example.co.uk	x.example	pass	-	none
sub-own-record	sub.example.net	other.example	pass	-	none
sub-own-relaxed	sub.example.net	example.net	pass	-	none
nospace	nospace.example.org	other.example	pass	-	none
unknown-tags	unknown.example.org	other.example	pass	-	none
fo	fo.example.org	other.example	pass	-	none
sp-none	a.spnone.example.org	other.example	pass	-	none
mid-7489	a.sub.example.net	other.example	pass	-	none
long-rua	long.example.org	long.example.org	pass	-	none
both-aligned	example.com	example.com	pass	example.com	pass
case	EXAMPLE.COM	example.com	pass	-	none
mid-ignored	a.mid.example.org	other.example	pass	-	none
t-ignored	testing.example.org	other.example	pass	-	none
np-ignored	ghost.np.example.org	other.example	pass	-	none
psd-ignored	org.psd.example	other.example	pass	-	none
no-p-rua	nop.example.org	other.example	pass	-	none
bad-p	badp.example.org	other.example	pass	-	none
p-n	pn.example.org	other.example	pass	-	none
two-records	two.example.org	other.example	pass	-	none
upper-p	upper.example.org	other.example	pass	-	none
dkim-temperror	example.com	example.com	temperror	-	none
CASES

"$ODM" "$DNS" < cases > odm.out 2> odm.err || { fail "opendmarc runs" "$(cat odm.err)"; finish; exit; }

# ember's view of the same case: a message with our trusted results
ember_case() { # NAME FROM DKIM-D DKIM-R SPF-D SPF-R
	{
		printf 'Authentication-Results: mx.test'
		[ "$3" != - ] && printf '; dkim=%s header.d=%s header.s=s' "$4" "$3"
		[ "$5" != - ] && printf '; spf=%s smtp.mailfrom=b@%s' "$6" "$5"
		[ "$3" = - ] && [ "$5" = - ] && printf '; none'
		printf '\r\nFrom: x@%s\r\nSubject: %s\r\n\r\nhi\r\n' "$2" "$1"
	} > "$1.eml"
	"$E" dmarc --authserv-id mx.test --rfc7489 --random 0 --json "$1.eml" |
		"$PYTHON" -c '
import json, sys
o = json.loads(sys.stdin.read())
r = o["result"]
v = "pass" if r == "pass" else o["disposition"] if r == "fail" else "absent" if r == "none" else r
print("%s verdict=%s dkim=%s spf=%s" % (sys.argv[1], v, "aligned" if o["dkim_aligned"] else "unaligned",
      "aligned" if o["spf_aligned"] else "unaligned"))' "$1"
}
# expected differences: NAME ember-verdict opendmarc-verdict reason
cat > differ <<'DIFF'
no-p-rua	none	absent	RFC 7489 6.6.3 step 6 (and RFC 9989): no valid p= but a valid rua= URI: act as p=none; OpenDMARC refuses the record (DMARC_PARSE_ERROR_NO_REQUIRED_P)
p-n	absent	none	"n" is not a policy value (RFC 7489 6.3, RFC 9989 4.7); OpenDMARC reads any value starting with n as none
dkim-temperror	temperror	reject	no aligned pass and a temporary DKIM failure: no conclusion, the policy is not applied (RFC 7489 6.6.2, RFC 9989 5.3.2); OpenDMARC applies p=reject
psd-ignored	reject	absent	the public suffix list's default rule (no rule matches: the prevailing rule is "*", so psd.example is org.psd.example's registrable domain, as libpsl says); OpenDMARC's PSL code has no default rule
two-records	absent	none	two DMARC records at one name: policy discovery ends, no DMARC processing (RFC 7489 6.6.3 step 3, RFC 9989 4.10.1); OpenDMARC uses one of them
DIFF
ncase=0 nsame=0
while IFS='	' read -r name from dd dr sd sr; do
	ncase=$((ncase + 1))
	mine=$(ember_case "$name" "$from" "$dd" "$dr" "$sd" "$sr")
	theirs=$(grep "^$name " odm.out | sed 's/ p=[a-z]* sp=[a-z]*//; s/ query=.*//')
	d=$(grep "^$name	" differ)
	if [ -n "$d" ]; then
		want_m=$(printf '%s' "$d" | cut -f2) want_o=$(printf '%s' "$d" | cut -f3) why=$(printf '%s' "$d" | cut -f4)
		got_m=$(printf '%s' "$mine" | sed 's/.*verdict=\([a-z]*\).*/\1/')
		got_o=$(printf '%s' "$theirs" | sed 's/.*verdict=\([a-z]*\).*/\1/')
		if [ "$got_m" = "$want_m" ] && [ "$got_o" = "$want_o" ]; then
			pass "$name: differs as expected (ember $got_m, OpenDMARC $got_o): $why"
		else
			fail "$name: the expected difference" "want ember $want_m, OpenDMARC $want_o" "ember:     $mine" "opendmarc: $theirs"
		fi
		continue
	fi
	if [ "$mine" = "$theirs" ]; then
		nsame=$((nsame + 1))
		pass "$name: $mine"
	else
		fail "$name: ember and OpenDMARC agree" "ember:     $mine" "opendmarc: $theirs $(grep "^$name " odm.out | sed 's/.*query=//')"
	fi
done < cases
[ "$nsame" -ge 20 ] && pass "at least 20 cases agree ($nsame of $ncase)" || fail "at least 20 cases agree" "$nsame of $ncase"
finish
