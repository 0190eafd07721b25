#!/bin/sh
# SPF differential tests: each scenario is zone data served by knot on
# loopback and a query (client IP, HELO name, MAIL FROM), with the result
# RFC 7208 requires written down beside it. Three implementations answer:
#   ember    bin/ember spf --ip IP --helo HOST [--sender ADDR] --dns $DNS
#            (the first word of stdout); must equal the expected result
#   pyspf    /usr/bin/python3 tests/interop/pyspf.py (pyspf 2.0.14 over
#            dnspython, its resolver pointed at knot)
#   libspf2  build/bench/libspf2 check (libspf2 1.2.10's evaluation over a
#            small DNS layer that reaches knot's port: spfquery reads its
#            servers from /etc/resolv.conf, port 53 only; see
#            bench/spf/libspf2.c), one process per query so that a crash
#            is one scenario's; "invalid" is libspf2 returning an error
#            code and no result (SPF_RESULT_INVALID)
# A peer that differs from RFC 7208 on a scenario listed with `known` (after
# the scenarios) is
# counted as skipped, with the section it breaks; any other difference
# fails, and so does a listed disagreement that no longer happens (the
# list stays true). Where a scenario gives an explanation (exp=), the
# explanation is checked too (ember's: its stdout holds the text).
# Sender "-": no MAIL FROM; "<>": the null sender (both: the HELO identity,
# RFC 7208 2.4). Client addresses are documentation ones (192.0.2.0/24,
# 198.51.100.0/24, 2001:db8::/32), loopback only where loopback is the
# point; the names exists: looks for have 127.0.0.2; every name is under
# .test. SPF_PEERS_HOLD=SECONDS keeps knot up that long before the runs
# (its address is printed), to probe it by hand, e.g. with LIBSPF2_TRACE=1.
SUITE=interop-spf-peers
. "$(dirname "$0")/../cli/lib.sh"
. "$ROOT/tests/dns/knot.sh"
EMBER=$BIN/ember
LIBSPF2=$ROOT/build/bench/libspf2
PYSPF="$PYTHON $ROOT/tests/interop/pyspf.py"
have_ember=1
[ -x "$BIN/ember-spf" ] || have_ember=0
have_py=1
"$PYTHON" -c 'import spf, dns.resolver' 2>/dev/null || have_py=0
have_lib=1
[ -x "$LIBSPF2" ] || have_lib=0

: > "$TMP/checks"
: > "$TMP/known"
z() { dns_line "$1"; }
# sc NAME EXPECTED IP HELO SENDER [EXPLANATION]
sc() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6-}" >> "$TMP/checks"; }
# known PEER NAME WHY: PEER's answer to NAME is not RFC 7208's, because WHY
known() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$TMP/known"; }
# nib IPV6: the nibble form (%{i} of RFC 7208 7.3), e.g. 2.0.0.1.0.d.b.8...
nib() { "$PYTHON" -c 'import ipaddress, sys
print(".".join(ipaddress.IPv6Address(sys.argv[1]).exploded.replace(":", "")))' "$1"; }
rnib() { "$PYTHON" -c 'import ipaddress, sys
print(ipaddress.IPv6Address(sys.argv[1]).reverse_pointer)' "$1"; }

C=192.0.2.1            # the client, most of the time
X=198.51.100.9         # a client that no record names
H=mail.client.test     # its HELO name
z "$H. A $C"
z "$H. TXT \"v=spf1 a -all\""

# ---- all, the default, records that are not there or not SPF (4.5, 4.7) ------
z 'all-pass.test. TXT "v=spf1 +all"'
z 'all-fail.test. TXT "v=spf1 -all"'
z 'all-soft.test. TXT "v=spf1 ~all"'
z 'all-neutral.test. TXT "v=spf1 ?all"'
z 'default.test. TXT "v=spf1 ip4:198.51.100.1"'
z 'bare.test. TXT "v=spf1"'
z 'norecord.test. A 192.0.2.200'
z 'notspf.test. TXT "v=spf10 -all"'
z 'notspf.test. TXT "some other text"'
z 'two.test. TXT "v=spf1 +all"'
z 'two.test. TXT "v=spf1 -all"'
z 'caps.test. TXT "v=spf1 -ALL"'
sc all-pass pass $C $H joe@all-pass.test
sc all-fail fail $C $H joe@all-fail.test
sc all-softfail softfail $C $H joe@all-soft.test
sc all-neutral neutral $C $H joe@all-neutral.test
sc default-neutral neutral $C $H joe@default.test
sc bare-v-spf1-neutral neutral $C $H joe@bare.test
sc no-record-none none $C $H joe@norecord.test
sc nxdomain-none none $C $H joe@nx.nowhere.test
sc not-spf-none none $C $H joe@notspf.test
sc multiple-records-permerror permerror $C $H joe@two.test
sc mechanism-case-insensitive fail $C $H joe@caps.test

# ---- ip4, ip6, IPv4-mapped clients (5.6, 5) ------------------------------------
z 'ip4.test. TXT "v=spf1 ip4:192.0.2.10 -all"'
z 'ip4cidr.test. TXT "v=spf1 ip4:192.0.2.0/24 -all"'
z 'ip4bad.test. TXT "v=spf1 ip4:192.0.2.0/33 -all"'
z 'ip4short.test. TXT "v=spf1 ip4:192.0.2 -all"'
z 'ip6.test. TXT "v=spf1 ip6:2001:db8::/32 -all"'
z 'ip6all.test. TXT "v=spf1 ip6:::/0 -all"'
z 'ip6bad.test. TXT "v=spf1 ip6:2001:db8::/129 -all"'
z 'mapped.test. TXT "v=spf1 -ip4:192.0.2.10 ip6:::ffff:192.0.2.10 +all"'
sc ip4-match pass 192.0.2.10 $H joe@ip4.test
sc ip4-nomatch fail 192.0.2.11 $H joe@ip4.test
sc ip4-cidr24 pass 192.0.2.77 $H joe@ip4cidr.test
sc ip4-cidr24-outside fail $X $H joe@ip4cidr.test
sc ip4-cidr33-permerror permerror $C $H joe@ip4bad.test
sc ip4-three-octets-permerror permerror $C $H joe@ip4short.test
sc ip6-match pass 2001:db8::1 $H joe@ip6.test
sc ip6-nomatch fail 2001:db9::1 $H joe@ip6.test
sc ip6-0-no-ipv4 fail $C $H joe@ip6all.test
sc ip6-cidr129-permerror permerror 2001:db8::1 $H joe@ip6bad.test
sc ip4-mapped-is-ipv4 fail ::ffff:192.0.2.10 $H joe@mapped.test
sc ip4-mapped-ip4-term pass ::ffff:192.0.2.10 $H joe@ip4.test

# ---- a, with CIDR lengths and dual CIDR (5.3) -----------------------------------
z 'a.test. A 192.0.2.20'
z 'a.test. TXT "v=spf1 a -all"'
z 'a24.test. A 192.0.2.21'
z 'a24.test. TXT "v=spf1 a/24 -all"'
z 'dual.host.test. A 192.0.2.30'
z 'dual.host.test. AAAA 2001:db8:1::30'
z 'dual.test. TXT "v=spf1 a:dual.host.test/32//64 -all"'
z 'a-noaddr.test. TXT "v=spf1 a -all"'
z 'a-nx.test. TXT "v=spf1 a:nx.a-nx.test ?all"'
z 'a-bad.test. TXT "v=spf1 a:dual.host.test//129 -all"'
sc a-match pass 192.0.2.20 $H joe@a.test
sc a-nomatch fail 192.0.2.22 $H joe@a.test
sc a-cidr24 pass 192.0.2.99 $H joe@a24.test
sc a-dual-ip6-64 pass 2001:db8:1::ffff $H joe@dual.test
sc a-dual-ip6-outside fail 2001:db8:2::30 $H joe@dual.test
sc a-dual-ip4-32 pass 192.0.2.30 $H joe@dual.test
sc a-dual-ip4-outside fail 192.0.2.31 $H joe@dual.test
sc a-no-address fail $C $H joe@a-noaddr.test
sc a-nxdomain-nomatch neutral $C $H joe@a-nx.test
sc a-cidr6-129-permerror permerror 2001:db8:1::30 $H joe@a-bad.test

# ---- mx (5.4), and more than 10 exchanges (4.6.4) --------------------------------
z 'mx.test. MX 10 mx1.mx.test.'
z 'mx.test. MX 20 mx2.mx.test.'
z 'mx1.mx.test. A 192.0.2.40'
z 'mx2.mx.test. AAAA 2001:db8:40::1'
z 'mx.test. TXT "v=spf1 mx//64 -all"'
z 'mxv4.test. MX 10 mx1.mx.test.'
z 'mxv4.test. TXT "v=spf1 mx/24 -all"'
i=1
while [ $i -le 11 ]; do
	z "mx11.test. MX $i m$i.mx11.test."
	z "m$i.mx11.test. A 192.0.2.$((100 + i))"
	[ $i -le 10 ] && z "mx10.test. MX $i m$i.mx11.test."
	i=$((i + 1))
done
z 'mx11.test. TXT "v=spf1 mx -all"'
z 'mx10.test. TXT "v=spf1 mx -all"'
z 'mx-none.test. A 192.0.2.41'
z 'mx-none.test. TXT "v=spf1 mx ?all"'
sc mx-match pass 192.0.2.40 $H joe@mx.test
sc mx-ip6-64 pass 2001:db8:40::abcd $H joe@mx.test
sc mx-ip6-outside fail 2001:db8:41::1 $H joe@mx.test
sc mx-cidr24 pass 192.0.2.250 $H joe@mxv4.test
sc mx-more-than-10-permerror permerror $X $H joe@mx11.test
sc mx-10-tenth-matches pass 192.0.2.110 $H joe@mx10.test
sc mx-no-mx-nomatch neutral 192.0.2.41 $H joe@mx-none.test

# ---- ptr (5.5) and %{p} ---------------------------------------------------------
z '50.2.0.192.in-addr.arpa. PTR host.ptr.test.'
z 'host.ptr.test. A 192.0.2.50'
z '51.2.0.192.in-addr.arpa. PTR liar.ptr.test.'
z 'liar.ptr.test. A 192.0.2.199'
z 'ptr.test. TXT "v=spf1 ptr -all"'
z 'ptr-other.test. TXT "v=spf1 ptr:ptr.test -all"'
P6=2001:db8::50
z "$(rnib $P6). PTR host6.ptr.test."
z "host6.ptr.test. AAAA $P6"
sc ptr-match pass 192.0.2.50 $H joe@ptr.test
sc ptr-not-validated fail 192.0.2.51 $H joe@ptr.test
sc ptr-no-ptr fail 192.0.2.52 $H joe@ptr.test
sc ptr-domain-arg pass 192.0.2.50 $H joe@ptr-other.test
sc ptr-ipv6 pass $P6 $H joe@ptr.test

# ---- exists (5.7) ----------------------------------------------------------------
z 'exists.test. TXT "v=spf1 exists:%{i}.ex.exists.test -all"'
z '192.0.2.60.ex.exists.test. A 127.0.0.2'
sc exists-match pass 192.0.2.60 $H joe@exists.test
sc exists-nomatch fail 192.0.2.61 $H joe@exists.test

# ---- include (5.2), nested, no record, loops ---------------------------------------
z 'inc.test. TXT "v=spf1 include:inc-child.test -all"'
z 'inc-child.test. TXT "v=spf1 ip4:192.0.2.70 -all"'
z 'inc-neutral.test. TXT "v=spf1 include:inc-child.test ?all"'
z 'inc-none.test. TXT "v=spf1 include:norecord.test -all"'
z 'inc-nx.test. TXT "v=spf1 include:nx.inc-nx.test -all"'
z 'inc-perm.test. TXT "v=spf1 include:ip4bad.test +all"'
z 'inc-temp.test. TXT "v=spf1 include:servfail.test +all"'
z 'inc-deep.test. TXT "v=spf1 include:inc-deep1.test -all"'
z 'inc-deep1.test. TXT "v=spf1 include:inc-deep2.test -all"'
z 'inc-deep2.test. TXT "v=spf1 include:inc-child.test -all"'
z 'inc-loop-a.test. TXT "v=spf1 include:inc-loop-b.test -all"'
z 'inc-loop-b.test. TXT "v=spf1 include:inc-loop-a.test -all"'
z 'inc-self.test. TXT "v=spf1 include:inc-self.test -all"'
z 'inc-lazy.test. TXT "v=spf1 ip4:192.0.2.70 include:norecord.test -all"'
sc include-pass pass 192.0.2.70 $H joe@inc.test
sc include-child-fail-nomatch fail $X $H joe@inc.test
sc include-child-fail-parent-neutral neutral $X $H joe@inc-neutral.test
sc include-no-record-permerror permerror $C $H joe@inc-none.test
sc include-nxdomain-permerror permerror $C $H joe@inc-nx.test
sc include-child-permerror permerror $C $H joe@inc-perm.test
sc include-child-temperror temperror $C $H joe@inc-temp.test
sc include-nested-3 pass 192.0.2.70 $H joe@inc-deep.test
sc include-loop-permerror permerror $C $H joe@inc-loop-a.test
sc include-self-loop-permerror permerror $C $H joe@inc-self.test
sc include-after-match-not-evaluated pass 192.0.2.70 $H joe@inc-lazy.test
z 'cname.test. CNAME inc-child.test.'
z 'dot.test. TXT "v=spf1 a:a.test. -all"'
z 'spaces.test. TXT "v=spf1   ip4:192.0.2.1    -all  "'
sc record-behind-cname pass 192.0.2.70 $H joe@cname.test
sc domain-with-final-dot pass 192.0.2.20 $H joe@dot.test
sc runs-of-spaces pass $C $H joe@spaces.test

# ---- redirect= and exp= (6.1, 6.2) -------------------------------------------------
z 'redir.test. TXT "v=spf1 ip4:198.51.100.200 redirect=redir-target.test"'
z 'redir-target.test. TXT "v=spf1 ip4:192.0.2.80 -all"'
z 'redir-none.test. TXT "v=spf1 redirect=norecord.test"'
z 'redir-all.test. TXT "v=spf1 -all redirect=all-pass.test"'
z 'redir-loop-a.test. TXT "v=spf1 redirect=redir-loop-b.test"'
z 'redir-loop-b.test. TXT "v=spf1 redirect=redir-loop-a.test"'
z 'redir-twice.test. TXT "v=spf1 redirect=all-pass.test redirect=all-fail.test"'
z 'redir-d.test. TXT "v=spf1 redirect=redir-d-target.test"'
z 'redir-d-target.test. TXT "v=spf1 exists:%{d}.d.redir.test -all"'
z 'redir-d-target.test.d.redir.test. A 127.0.0.2'
z 'exp.test. TXT "v=spf1 ip4:192.0.2.90 exp=why.exp.test -all"'
z 'why.exp.test. TXT "%{i} is not one of %{d}'"'"'s designated mail servers."'
z 'exp-macro.test. TXT "v=spf1 exp=%{l}.why.exp-macro.test -all"'
z 'joe.why.exp-macro.test. TXT "%{S} rejected: see https://%{o}/spf?ip=%{I}&h=%{h}"'
z 'exp-esc.test. TXT "v=spf1 exp=why.exp-esc.test -all"'
z 'why.exp-esc.test. TXT "a%_b%-c%%d"'
z 'exp-nx.test. TXT "v=spf1 exp=nx.exp-nx.test -all"'
z 'exp-two.test. TXT "v=spf1 exp=why.exp-two.test -all"'
z 'why.exp-two.test. TXT "one"'
z 'why.exp-two.test. TXT "two"'
z 'exp-twice.test. TXT "v=spf1 exp=why.exp.test exp=why.exp.test -all"'
z 'exp-c.test. TXT "v=spf1 exp=why.exp-c.test -all"'
z 'why.exp-c.test. TXT "client %{c}, via %{v}"'
z 'unknown-mod.test. TXT "v=spf1 foo=bar -all"'
z 'unknown-mech.test. TXT "v=spf1 foo -all"'
sc redirect-pass pass 192.0.2.80 $H joe@redir.test
sc redirect-fail fail $C $H joe@redir.test
sc redirect-no-record-permerror permerror $C $H joe@redir-none.test
sc redirect-ignored-after-all fail $C $H joe@redir-all.test
sc redirect-loop-permerror permerror $C $H joe@redir-loop-a.test
sc redirect-twice-permerror permerror $C $H joe@redir-twice.test
sc redirect-target-is-d pass $C $H joe@redir-d.test
sc exp-macros fail $C $H joe@exp.test "192.0.2.1 is not one of exp.test's designated mail servers."
sc exp-pass-no-explanation pass 192.0.2.90 $H joe@exp.test
sc exp-uppercase-url-escaped fail $C $H joe@exp-macro.test \
	"joe%40exp-macro.test rejected: see https://exp-macro.test/spf?ip=192.0.2.1&h=$H"
sc exp-escapes fail $C $H joe@exp-esc.test "a b%20c%d"
sc exp-nxdomain-still-fail fail $C $H joe@exp-nx.test
sc exp-two-records-still-fail fail $C $H joe@exp-two.test
sc exp-twice-permerror permerror $C $H joe@exp-twice.test
sc exp-c-and-v fail $C $H joe@exp-c.test "client 192.0.2.1, via in-addr"
z 'redir-exp.test. TXT "v=spf1 exp=why1.redir-exp.test redirect=redir-exp-t.test"'
z 'why1.redir-exp.test. TXT "the first record'"'"'s"'
z 'redir-exp-t.test. TXT "v=spf1 exp=why2.redir-exp.test -all"'
z 'why2.redir-exp.test. TXT "the target'"'"'s"'
z 'inc-exp.test. TXT "v=spf1 include:inc-exp-c.test exp=why1.inc-exp.test -all"'
z 'why1.inc-exp.test. TXT "the including record'"'"'s"'
z 'inc-exp-c.test. TXT "v=spf1 exp=why2.inc-exp.test -all"'
z 'why2.inc-exp.test. TXT "the included record'"'"'s"'
sc exp-of-redirect-target fail $C $H joe@redir-exp.test "the target's"
sc exp-not-from-include fail $C $H joe@inc-exp.test "the including record's"
sc unknown-modifier-ignored fail $C $H joe@unknown-mod.test
sc unknown-mechanism-permerror permerror $C $H joe@unknown-mech.test

# ---- processing limits (4.6.4) --------------------------------------------------
terms() { _t= _i=1; while [ $_i -le "$1" ]; do _t="$_t $2"; _i=$((_i + 1)); done; printf '%s' "$_t"; }
z "lim-11.test. TXT \"v=spf1$(terms 11 a:a.test) -all\""
z "lim-10.test. TXT \"v=spf1$(terms 9 a:a.test) a:lim-10.test -all\""
z 'lim-10.test. A 192.0.2.120'
z "lim-ip4.test. TXT \"v=spf1$(terms 30 ip4:198.51.100.1) +all\""
z 'void-3.test. TXT "v=spf1 a:nx1.void.test a:nx2.void.test a:nx3.void.test +all"'
z 'void-2.test. TXT "v=spf1 a:nx1.void.test a:nx2.void.test +all"'
z 'void-nodata.test. TXT "v=spf1 a:all-fail.test mx:all-fail.test a:all-soft.test +all"'
z 'lim-inc.test. TXT "v=spf1 include:lim-inc1.test include:lim-inc1.test -all"'
z "lim-inc1.test. TXT \"v=spf1$(terms 5 a:a.test) ?all\""
sc more-than-10-lookups-permerror permerror $X $H joe@lim-11.test
sc ten-lookups-pass pass 192.0.2.120 $H joe@lim-10.test
sc ip4-terms-do-not-count pass $C $H joe@lim-ip4.test
sc void-lookups-3-permerror permerror $C $H joe@void-3.test
sc void-lookups-2-pass pass $C $H joe@void-2.test
sc void-nodata-counts permerror $C $H joe@void-nodata.test
sc lookups-counted-across-includes permerror $X $H joe@lim-inc.test

# ---- the macro language (7) --------------------------------------------------------
z 'mac-l.test. TXT "v=spf1 exists:%{l}.l.mac.test -all"'
z 'joe.l.mac.test. A 127.0.0.2'
z 'mac-o.test. TXT "v=spf1 include:mac-o-child.test -all"'
z 'mac-o-child.test. TXT "v=spf1 exists:%{o}.o.mac.test -all"'
z 'mac-o.test.o.mac.test. A 127.0.0.2'
z 'mac-d.test. TXT "v=spf1 include:mac-d-child.test -all"'
z 'mac-d-child.test. TXT "v=spf1 exists:%{d}.d.mac.test -all"'
z 'mac-d-child.test.d.mac.test. A 127.0.0.2'
z 'x.y.mac-d2.test. TXT "v=spf1 exists:%{d2}.d2.mac.test -all"'
z 'mac-d2.test.d2.mac.test. A 127.0.0.2'
z 'mac-ir.test. TXT "v=spf1 exists:%{ir}.%{v}._spf.%{d} -all"'
z '1.2.0.192.in-addr._spf.mac-ir.test. A 127.0.0.2'
z 'mac-i6.test. TXT "v=spf1 exists:%{i}.%{v}.i6.mac.test -all"'
I6=2001:db8::1:2
z "$(nib $I6).ip6.i6.mac.test. A 127.0.0.2"
z 'mac-h.test. TXT "v=spf1 exists:%{h}.h.mac.test -all"'
z "$H.h.mac.test. A 127.0.0.2"
z 'mac-p.test. TXT "v=spf1 exists:%{p}.p.mac.test -all"'
z 'host.ptr.test.p.mac.test. A 127.0.0.2'
z 'mac-lm.test. TXT "v=spf1 exists:%{l-}.lm.mac.test -all"'
z 'foo.bar.lm.mac.test. A 127.0.0.2'
z 'mac-lr.test. TXT "v=spf1 exists:%{lr-}.lr.mac.test -all"'
z 'bar.foo.lr.mac.test. A 127.0.0.2'
z 'mac-l1r.test. TXT "v=spf1 exists:%{l1r-}.l1r.mac.test -all"'
z 'foo.l1r.mac.test. A 127.0.0.2'
z 'mac-i2r.test. TXT "v=spf1 exists:%{i2r}.i2r.mac.test -all"'
z '0.192.i2r.mac.test. A 127.0.0.2'
z 'mac-ir2.test. TXT "v=spf1 exists:%{ir2}.ir2.mac.test -all"'
z '0.192.ir2.mac.test. A 127.0.0.2'
z 'mac-s.test. TXT "v=spf1 exists:%{L}.lu.mac.test -all"'
z 'a\0372Bb.lu.mac.test. A 127.0.0.2'   # a%2Bb
z 'mac-bad.test. TXT "v=spf1 exists:%{x}.mac.test -all"'
z 'mac-exponly.test. TXT "v=spf1 exists:%{t}.mac.test -all"'
z 'mac-open.test. TXT "v=spf1 exists:%{l.mac.test -all"'
z 'mac-pct.test. TXT "v=spf1 a:%a.mac.test -all"'
sc macro-l pass $C $H joe@mac-l.test
sc macro-o-in-include pass $C $H joe@mac-o.test
sc macro-d-in-include pass $C $H joe@mac-d.test
sc macro-d2 pass $C $H joe@x.y.mac-d2.test
sc macro-ir-v pass $C $H joe@mac-ir.test
sc macro-i-ipv6-nibbles pass $I6 $H joe@mac-i6.test
sc macro-h pass $C $H joe@mac-h.test
sc macro-p pass 192.0.2.50 $H joe@mac-p.test
sc macro-l-dash pass $C $H foo-bar@mac-lm.test
sc macro-lr-dash pass $C $H foo-bar@mac-lr.test
sc macro-l1r-dash pass $C $H foo-bar@mac-l1r.test
sc macro-i2r pass $C $H joe@mac-i2r.test
sc macro-digit-after-r-permerror permerror $C $H joe@mac-ir2.test
sc macro-uppercase-url-escaped pass $C $H a+b@mac-s.test
sc macro-unknown-letter-permerror permerror $C $H joe@mac-bad.test
sc macro-exp-only-letter-permerror permerror $C $H joe@mac-exponly.test
sc macro-unclosed-permerror permerror $C $H joe@mac-open.test
sc macro-bad-percent-in-domain-permerror permerror $C $H joe@mac-pct.test

# ---- HELO identity, null sender (2.3, 2.4) ----------------------------------------
z 'helo-none.client.test. A 192.0.2.1'
z 'helo-mac.client.test. TXT "v=spf1 exists:%{l}.%{o}.hm.test -all"'
z 'postmaster.helo-mac.client.test.hm.test. A 127.0.0.2'
sc helo-identity-pass pass $C $H -
sc helo-identity-l-is-postmaster pass $C helo-mac.client.test -
sc helo-identity-fail fail $X $H -
sc null-sender-uses-helo fail $X $H '<>'
sc helo-no-record-none none $C helo-none.client.test -
sc helo-not-used-with-sender pass $X $H joe@all-pass.test

# ---- DNS failures (4.4, 5) --------------------------------------------------------
printf 'servfail.test SERVFAIL\nsf-a.servfail2.test SERVFAIL\n' > "$TMP/broken.zone"
dns_from_file "$TMP/broken.zone"
z 'sf-a.test. TXT "v=spf1 a:sf-a.servfail2.test -all"'
z 'sf-lazy.test. TXT "v=spf1 ip4:192.0.2.1 a:sf-a.servfail2.test -all"'
sc servfail-record-temperror temperror $C $H joe@servfail.test
sc servfail-a-temperror temperror $C $H joe@sf-a.test
sc servfail-after-match-not-asked pass $C $H joe@sf-lazy.test
known libspf2 servfail-record-temperror 'RFC 7208 4.4: a DNS error fetching the record is temperror; libspf2 (SPF_server_get_record, TRY_AGAIN) returns the error code SPF_E_DNS_ERROR and leaves the result unset (SPF_RESULT_INVALID)'

# ---- a 4 KB record in several strings (3.3), served over TCP ---------------------
big=$("$PYTHON" -c 'terms = " ".join("ip4:203.0.113.%d" % i for i in range(1, 230))
rec = "v=spf1 " + terms + " ip4:192.0.2.1 -all"
print(" ".join("\"%s\"" % rec[i:i + 250] for i in range(0, len(rec), 250)))')
z "big.test. TXT ( $big )"
sc record-4k-strings-joined pass $C $H joe@big.test
sc record-4k-last-term fail $X $H joe@big.test

# ---- loopback clients: no exception in RFC 7208 --------------------------------------
sc loopback-client-fail fail 127.0.0.1 $H joe@all-fail.test
known libspf2 loopback-client-fail 'RFC 7208 4 and 5 know no exception for a loopback client; libspf2 gives 127.0.0.0/8 and ::1 a pass before it looks at the record (SPF_REASON_LOCALHOST)'

# ---- CVE-2021-20314 and CVE-2023-42118: libspf2's macro expander --------------------
# CVE-2021-20314: the compiled form of a macro-string overran a stack buffer
# (a 4-byte header not counted); triggered by explanation strings full of
# macros with transformers. CVE-2023-42118: an integer underflow in
# SPF_record_expand_data's reversal and truncation of parts. The inputs: long
# runs of %{l1r-}-style macros over long local parts, and local parts that
# are nothing but delimiters or start or end with one (empty parts). RFC 7208
# 7.3: each delimiter separates two parts (empty ones too), parts are joined
# with ".", DIGIT keeps that many from the right, after reversal.
# lx LOCAL TEMPLATE: TEMPLATE's %{l...} and %{L...} macros expanded for the
# local part LOCAL as 7.3 reads (the other letters are not used here)
lx() { "$PYTHON" - "$1" "$2" <<'EOF'
import re, sys, urllib.parse
local, tmpl = sys.argv[1], sys.argv[2]
def one(m):
    letter, digits, rev, delims = m.group(1), m.group(2), m.group(3), m.group(4) or "."
    parts = re.split("[" + re.escape(delims) + "]", local)
    if rev:
        parts.reverse()
    if digits:
        parts = parts[-int(digits):]
    v = ".".join(parts)
    return urllib.parse.quote(v, safe="-._~") if letter == "L" else v
print(re.sub(r"%\{([lL])([0-9]*)(r?)([-.+,/_=]*)\}", one, tmpl))
EOF
}
long=a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-0-1-2-3-4-5
# an explain-string of 564 octets of macros, about the size of libspf2's
# compile buffer, that expands to 774 octets
z "cve1.test. TXT \"v=spf1 exp=why.cve1.test -all\""
runs=$(terms 36 '%{l1r-}%{L2r-}' | tr -d ' ')$(terms 10 '%{lr-}' | tr -d ' ')
z "why.cve1.test. TXT \"$runs\""
sc cve-2021-20314-long-exp fail $C $H "$long@cve1.test" "$(lx "$long" "$runs")"
# one of 840 octets expanding to 2,676: the result must be fail; its text is
# not checked: RFC 7208 bounds it nowhere, an SMTP reply line holds 512
# octets (RFC 5321 4.5.3.1.5), and an implementation may give its default
# explanation instead (ember does beyond 1,023 octets)
z "cve1b.test. TXT \"v=spf1 exp=why.cve1b.test -all\""
z "why.cve1b.test. TXT \"$(terms 40 '%{l1r-}%{lr-}%{L2r-}' | tr -d ' ')\""
sc cve-2021-20314-huge-exp fail $C $H "$long@cve1b.test"
T2='[%{l1r-}|%{lr-}|%{l-}|%{l2}|%{L1r-+}|%{Lr+}]'
z "cve2.test. TXT \"v=spf1 exp=why.cve2.test -all\""
z "why.cve2.test. TXT \"$T2\""
for l in - a- -a --a-- a+b-c +; do
	case $l in
	-) n=only-delim ;; a-) n=trailing-delim ;; -a) n=leading-delim ;;
	--a--) n=runs-of-delim ;; a+b-c) n=two-delims ;; +) n=only-plus ;;
	esac
	sc cve-2023-42118-$n fail $C $H "$l@cve2.test" "$(lx "$l" "$T2")"
done
# a domain-spec whose expansion is far longer than 253 octets: cut from the
# left, label by label, to 253 (7.3); an A record waits at the cut name
z 'cve3.test. TXT "v=spf1 exists:%{lr-}.%{lr-}.%{lr-}.%{lr-}.%{lr-}.%{l1r-}.cve3.test -all"'
cut=$("$PYTHON" -c 'import sys
r = ".".join(reversed(sys.argv[1].split("-")))
n = ".".join([r] * 5 + ["a", "cve3.test"])
while len(n) > 253: n = n.split(".", 1)[1]
print(n)' $long)
z "$cut. A 127.0.0.2"
sc cve-long-domain-cut-to-253 pass $C $H "$long@cve3.test"

# ---- where the peers part from RFC 7208 -------------------------------------------
# Each was looked at by hand: the same answer comes from libspf2 over its own
# in-memory SPF_dns_zone layer (no DNS at all), so it is libspf2's and not
# bench/spf/libspf2.c's transport.
unset_result='libspf2 sees the error (SPF_record_compile fails) but SPF_server_get_record returns only the error code, "Failed to compile SPF record", and leaves the result unset (SPF_RESULT_INVALID); RFC 7208 4.6 and'
for n in ip4-cidr33-permerror:5.6 ip4-three-octets-permerror:5.6 ip6-cidr129-permerror:5.6 \
	a-cidr6-129-permerror:5.6 unknown-mechanism-permerror:4.6.1 macro-unknown-letter-permerror:7.1 \
	macro-exp-only-letter-permerror:7.1 macro-unclosed-permerror:7.1 macro-digit-after-r-permerror:7.1; do
	known libspf2 "${n%%:*}" "$unset_result ${n#*:}: a syntax error is permerror"
done
known libspf2 ip6-0-no-ipv4 'libspf2 refuses ip6:::/0 ("Invalid IPv6 CIDR netmask (=0)") and gives no result; RFC 7208 5.6 allows an ip6-cidr-length of 0, and an IPv4 client does not match it'
known libspf2 ip4-mapped-is-ipv4 'libspf2 checks an IPv4-mapped IPv6 client as IPv6 (it matched ip6:::ffff:192.0.2.10); RFC 7208 5 (and the RFC 7208 suite, 5/9/2): it is checked as the IPv4 address it holds'
known libspf2 ip4-mapped-ip4-term 'libspf2 checks an IPv4-mapped IPv6 client as IPv6, so ip4: never matches it; RFC 7208 5: it is checked as IPv4'
known libspf2 redirect-twice-permerror 'libspf2 follows the first of two redirect= modifiers; RFC 7208 6: redirect and exp MUST NOT appear more than once, permerror'
known libspf2 exp-twice-permerror 'libspf2 takes the first of two exp= modifiers; RFC 7208 6: permerror'
for n in exp-macros exp-uppercase-url-escaped exp-c-and-v exp-of-redirect-target exp-not-from-include; do
	known libspf2 "$n: explanation" 'libspf2 turns each space of the explanation into "%" and leaves some of its macros unexpanded (%{d} before an apostrophe, %{c}, %{v}); RFC 7208 6.2 and 7.1: the TXT record is a macro-string, its spaces are literal and every macro is expanded'
done
known libspf2 void-lookups-3-permerror 'libspf2 has no limit on void lookups; RFC 7208 4.6.4: more than 2 are permerror'
known libspf2 void-nodata-counts 'libspf2 has no limit on void lookups (NODATA answers count too); RFC 7208 4.6.4'
known libspf2 lookups-counted-across-includes 'libspf2 does not count the DNS terms of included records against the one limit of 10 for the whole check (2 includes + 10 a terms passed); RFC 7208 4.6.4'
known libspf2 macro-bad-percent-in-domain-permerror 'libspf2 takes "%a" as two literal characters; RFC 7208 7.1: a "%" not followed by "{", "%", "-" or "_" is a syntax error, permerror'
for n in record-4k-strings-joined record-4k-last-term; do
	known libspf2 $n 'libspf2 evaluates a record of 66 or more mechanisms (here 231, 4,039 octets; 63 still work) to neutral without an error, looking at none of them; RFC 7208 4.6 and 4.7: the terms are evaluated left to right, and nothing limits how many ip4 terms a record holds (3.3: the strings of a TXT record are joined)'
done
for n in only-delim trailing-delim leading-delim runs-of-delim two-delims only-plus; do
	known libspf2 "cve-2023-42118-$n: explanation" 'libspf2 drops the first character of a value with fewer parts than the DIGIT transformer asks for (%{l2} of "a-" gives "-"; %{l1r-} of "+" gives ""): the truncation loop of SPF_record_expand_data (the function of CVE-2023-42118) stops one place late; RFC 7208 7.3: when there are fewer parts, all are kept. No crash, the work is bounded'
done
known libspf2 cve-long-domain-cut-to-253 'libspf2 asks for the whole expanded name (over 253 octets: the answer is an error, no match, fail); RFC 7208 7.3: the name is cut from the left, label by label, to 253 octets'
known pyspf macro-unclosed-permerror 'pyspf leaves an unclosed "%{" in the name as literal text and looks it up; RFC 7208 7.1: a syntax error, permerror'
known pyspf macro-digit-after-r-permerror 'pyspf reads %{ir2} as %{ir}, ignoring the 2; RFC 7208 7.1: transformers are *DIGIT ["r"], so a digit after r is a syntax error, permerror'
known pyspf 'cve-2021-20314-long-exp: explanation' 'pyspf cuts the first label off an explanation longer than 253 octets (here 774), as if it were a domain name; RFC 7208 7.3 cuts domain names only, and 6.2 explanations are text'
known pyspf cve-long-domain-cut-to-253 'pyspf cuts one label off a name longer than 253 octets, not as many as needed, and dnspython then raises NameTooLong out of pyspf (no result); RFC 7208 7.3: labels are removed until the name is 253 octets or less'

dns_start || { fail "knot starts"; finish; exit; }
[ -n "${SPF_PEERS_HOLD:-}" ] && { echo "DNS=$DNS"; sleep "$SPF_PEERS_HOLD"; }

# ---- the runs ------------------------------------------------------------------------
cut -f3-5 "$TMP/checks" | tr '\t' ' ' > "$TMP/queries"
N=$(wc -l < "$TMP/queries" | tr -d ' ')
echo "$N scenarios"
if [ $have_py = 1 ]; then
	timeout 300 $PYSPF check "$DNS" < "$TMP/queries" > "$TMP/py.out" 2> "$TMP/py.err"
	[ "$(wc -l < "$TMP/py.out")" -eq "$N" ] ||
		fail "pyspf answers every query" "$(tail -3 "$TMP/py.err")"
fi
if [ $have_lib = 1 ]; then
	: > "$TMP/lib.out"
	while read -r q; do
		printf '%s\n' "$q" | timeout 30 "$LIBSPF2" check --dns "$DNS" > "$TMP/lib1" 2>/dev/null
		rc=$?
		if [ $rc -eq 0 ] && [ -s "$TMP/lib1" ]; then
			cat "$TMP/lib1" >> "$TMP/lib.out"
		elif [ $rc -eq 124 ]; then
			printf 'timeout\t\n' >> "$TMP/lib.out"
		else
			printf 'crash\texit %s\n' "$rc" >> "$TMP/lib.out"
		fi
	done < "$TMP/queries"
fi
# ember_run IP HELO SENDER: ember's stdout
ember_run() {
	case $3 in
	-) timeout 30 "$EMBER" spf --ip "$1" --helo "$2" --dns "$DNS" ;;
	'<>') timeout 30 "$EMBER" spf --ip "$1" --helo "$2" --sender '' --dns "$DNS" ;;
	*) timeout 30 "$EMBER" spf --ip "$1" --helo "$2" --sender "$3" --dns "$DNS" ;;
	esac 2>/dev/null
}

# judge PEER NAME WANT GOT: against RFC 7208 and the known list
judge() {
	_why=$(awk -F'\t' -v p="$1" -v n="$2" '$1 == p && $2 == n { print $3 }' "$TMP/known")
	if [ "$3" = "$4" ]; then
		if [ -n "$_why" ]; then
			fail "$2: $1" "listed as a known disagreement, but it gives '$4' as RFC 7208 does: take it off the list"
		else
			pass "$2: $1"
		fi
	elif [ -n "$_why" ]; then
		skip "$2: $1" "known disagreement: gives '$4', RFC 7208 '$3': $_why"
	else
		fail "$2: $1" "want '$3', got '$4'"
	fi
}

i=0
while IFS="$(printf '\t')" read -r name want ip helo sender expl; do
	i=$((i + 1))
	if [ $have_ember = 1 ]; then
		out=$(ember_run "$ip" "$helo" "$sender")
		got=$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')
		judge ember "$name" "$want" "${got:-(nothing)}"
		if [ -n "$expl" ]; then
			case $out in
			*"$expl"*) judge ember "$name: explanation" "$expl" "$expl" ;;
			*) judge ember "$name: explanation" "$expl" "$(printf '%s' "$out" | tr '\n' ' ' | head -c 300)" ;;
			esac
		fi
	else
		skip "$name: ember" "bin/ember-spf is not built yet"
	fi
	for peer in pyspf libspf2; do
		case $peer in
		pyspf) [ $have_py = 1 ] || { skip "$name: pyspf" "pyspf or dnspython is not installed"; continue; }
			f=$TMP/py.out ;;
		libspf2) [ $have_lib = 1 ] || { skip "$name: libspf2" "build/bench/libspf2 is not built (make build/bench/libspf2)"; continue; }
			f=$TMP/lib.out ;;
		esac
		line=$(sed -n "${i}p" "$f")
		got=${line%%"$(printf '\t')"*}
		judge $peer "$name" "$want" "${got:-(nothing)}"
		if [ -n "$expl" ] && [ "$got" = fail ]; then
			judge $peer "$name: explanation" "$expl" "${line#*"$(printf '\t')"}"
		fi
	done
done < "$TMP/checks"
finish
