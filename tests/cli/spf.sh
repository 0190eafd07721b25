#!/bin/sh
# ember spf: verdicts, exit statuses, --json, the two filters (every other
# byte unchanged), --analyze, and the inputs that broke other SPF libraries,
# against records served by knot on loopback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70

dns_line 'ex.test. TXT "v=spf1 ip4:127.0.0.0/24 ip6:2001:db8::/48 mx:mx.ex.test/30 -all exp=why.ex.test"'
dns_line 'why.ex.test. TXT "%{i} may not send for %{d} (sender %{s}, local %{l}, helo %{h})"'
dns_line 'mx.ex.test. MX 10 mail.ex.test.'
dns_line 'mail.ex.test. A 127.0.1.4'
dns_line 'soft.test. TXT "v=spf1 ~all"'
dns_line 'neutral.test. TXT "v=spf1 ?all"'
dns_line 'helo.test. TXT "v=spf1 a -all"'
dns_line 'helo.test. A 127.0.2.1'
dns_line 'two.test. TXT "v=spf1 -all"'
dns_line 'two.test. TXT "v=spf1 +all"'
dns_line 'notspf.test. TXT "v=spf10 +all"'
dns_line 'syntax.test. TXT "v=spf1 ip4:127.0.0.1/33 -all"'
dns_line 'inc.test. TXT "v=spf1 include:ex.test -all"'
dns_line 'incnone.test. TXT "v=spf1 include:nothing.test -all"'
dns_line 'loop1.test. TXT "v=spf1 include:loop2.test -all"'
dns_line 'loop2.test. TXT "v=spf1 include:loop1.test -all"'
dns_line 'redir.test. TXT "v=spf1 redirect=redir.test"'
dns_line 'void.test. TXT "v=spf1 a:v1.test a:v2.test a:v3.test a:v4.test +all"'
dns_line 'many.test. TXT "v=spf1 a:m1.test a:m2.test a:m3.test a:m4.test a:m5.test a:m6.test a:m7.test a:m8.test a:m9.test a:m10.test a:m11.test +all"'
for i in 1 2 3 4 5 6 7 8 9 10 11; do dns_line "m$i.test. A 10.9.9.$i"; done
dns_line 'bigmx.test. TXT "v=spf1 mx -all"'
for i in 1 2 3 4 5 6 7 8 9 10 11; do dns_line "bigmx.test. MX $i mx$i.bigmx.test."; done
dns_line 'mapped.test. TXT "v=spf1 ip4:127.0.5.0/24 -all"'
dns_line 'v6.test. TXT "v=spf1 ip6:2001:db8:1::/48 -all"'
dns_line 'xn--bcher-kva.test. TXT "v=spf1 ip4:127.0.6.1 -all"'
dns_line 'temp.test. TXT "v=spf1 a:broken.test -all"'
dns_line 'exists.test. TXT "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"'
dns_line '1.0.0.127.a._spf.exists.test. A 127.0.0.2'
# CVE-2021-20314 (libspf2: a stack overflow expanding reversed, split,
# URL-escaped macros of a long local part) and CVE-2023-42118 (libspf2: an
# integer underflow in the same expansion): the same macros here
dns_line 'cve1.test. TXT "v=spf1 exists:%{L1r-}%{L1r-}%{L1r-}%{L1r-}%{L1r-}%{L1r-}%{L1r-}%{L1r-}.%{d} -all"'
dns_line 'cve2.test. TXT "v=spf1 exists:%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}.%{d} -all"'
dns_line 'cve3.test. TXT "v=spf1 a:%{l0}.%{d} -all"'
# a record of 4,000 octets in 16 strings, joined
big='"v=spf1 ip4:127.0.7.1'
i=0; while [ $i -lt 15 ]; do big="$big\" \"$(printf ' ip4:10.%d.0.0/16%.0s' $(seq 1 14) | head -c 240)"; i=$((i + 1)); done
dns_line "big.test. TXT $big\" \" -all\""
printf '%s\n' broken.test > "$DNS_DIR/broken"
dns_start || { echo "cli-spf: 0 passed, 1 failed"; exit 1; }

expect pass-ip4 0 "pass mailfrom ex.test: matched ip4:127.0.0.0/24 in ex.test" -- \
	"$E" spf --ip 127.0.0.9 --helo helo.test --sender a@ex.test
expect pass-mx-cidr 0 "pass mailfrom ex.test: matched mx:mx.ex.test/30 in ex.test" -- \
	"$E" spf --ip 127.0.1.6 --helo helo.test --sender a@ex.test
expect fail-exp 1 "fail mailfrom ex.test: 10.0.0.1 may not send for ex.test (sender a@ex.test, local a, helo helo.test)" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender a@ex.test
expect pass-ip6 0 "pass mailfrom ex.test: matched ip6:2001:db8::/48 in ex.test" -- \
	"$E" spf --ip 2001:db8:0:1::25 --helo helo.test --sender a@ex.test
expect fail-ip6-exp 1 "fail mailfrom ex.test: 2.0.0.1.0.d.b.8.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1 may not send for ex.test (sender a@ex.test, local a, helo helo.test)" -- \
	"$E" spf --ip 2001:db8:1::1 --helo helo.test --sender a@ex.test
expect softfail 1 "softfail mailfrom soft.test: matched ~all in soft.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@soft.test
expect neutral 1 "neutral mailfrom neutral.test: matched ?all in neutral.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@neutral.test
expect none 1 "none mailfrom nothing.test: no SPF record for nothing.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@nothing.test
expect none-not-spf1 1 "none mailfrom notspf.test: no SPF record for notspf.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@notspf.test
expect helo-null-sender 0 "pass helo helo.test: matched a in helo.test" -- \
	"$E" spf --ip 127.0.2.1 --helo helo.test --sender ''
expect helo-angle-null 1 "fail helo helo.test: 127.0.2.2 is not allowed to send mail for helo.test" -- \
	"$E" spf --ip 127.0.2.2 --helo helo.test --sender '<>'
expect helo-no-sender 0 "pass helo helo.test: matched a in helo.test" -- \
	"$E" spf --ip 127.0.2.1 --helo helo.test
expect nolocal 0 "pass mailfrom ex.test: matched ip4:127.0.0.0/24 in ex.test" -- \
	"$E" spf --ip 127.0.0.1 --helo helo.test --sender @ex.test
expect postmaster-exp 1 "fail mailfrom ex.test: 10.0.0.1 may not send for ex.test (sender postmaster@ex.test, local postmaster, helo helo.test)" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender @ex.test
expect multiple 1 "permerror mailfrom two.test: more than one SPF record for two.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@two.test
expect syntax 1 'permerror mailfrom syntax.test: bad CIDR length in the record of syntax.test at "ip4:127.0.0.1/33"' -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@syntax.test
expect include-pass 0 "pass mailfrom inc.test: matched include:ex.test in inc.test" -- \
	"$E" spf --ip 127.0.0.1 --helo helo.test --sender x@inc.test
expect include-fail 1 "fail mailfrom inc.test: 10.0.0.1 is not allowed to send mail for inc.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@inc.test
expect include-none 1 "permerror mailfrom incnone.test: include of nothing.test, which has no SPF record" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@incnone.test
expect include-loop 1 "permerror mailfrom loop1.test: more than 10 DNS lookups" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@loop1.test
expect redirect-loop 1 "permerror mailfrom redir.test: more than 10 DNS lookups" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@redir.test
expect void-flood 1 "permerror mailfrom void.test: more than 2 void DNS lookups" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@void.test
expect eleven-terms 1 "permerror mailfrom many.test: more than 10 DNS lookups" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@many.test
expect eleven-mx 1 "permerror mailfrom bigmx.test: more than 10 MX names for bigmx.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@bigmx.test
expect v4-mapped 0 "pass mailfrom mapped.test: matched ip4:127.0.5.0/24 in mapped.test" -- \
	"$E" spf --ip ::ffff:127.0.5.9 --helo helo.test --sender x@mapped.test
expect v6-bracket 0 "pass mailfrom v6.test: matched ip6:2001:db8:1::/48 in v6.test" -- \
	"$E" spf --ip '[2001:db8:1::9]' --helo helo.test --sender x@v6.test
expect idn-sender 0 "pass mailfrom xn--bcher-kva.test: matched ip4:127.0.6.1 in xn--bcher-kva.test" -- \
	"$E" spf --ip 127.0.6.1 --helo helo.test --sender 'x@bücher.test'
expect temperror 75 "temperror mailfrom temp.test: DNS error for A broken.test" -- \
	"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@temp.test
expect exists-macros 0 "pass mailfrom exists.test: matched exists:%{ir}.%{l1r+-}._spf.%{d} in exists.test" -- \
	"$E" spf --ip 127.0.0.1 --helo helo.test --sender a-b@exists.test
expect big-record 0 "pass mailfrom big.test: matched ip4:127.0.7.1 in big.test" -- \
	"$E" spf --ip 127.0.7.1 --helo helo.test --sender x@big.test
expect big-record-fail 1 "fail mailfrom big.test: 127.0.7.2 is not allowed to send mail for big.test" -- \
	"$E" spf --ip 127.0.7.2 --helo helo.test --sender x@big.test

# the CVE inputs: a 64-octet local part of many parts, expanded again and
# again; the answer is a bounded fail, not a crash
long=$(printf 'a-%.0s' $(seq 1 31))b
for c in cve1 cve2 cve3; do
	out=$("$E" spf --ip 10.0.0.1 --helo helo.test --sender "$long@$c.test" 2>&1); rc=$?
	case $c:$rc:$out in
	cve1:1:"fail mailfrom cve1.test: "*|cve2:1:"fail mailfrom cve2.test: "*) pass "$c" ;;
	cve3:1:"permerror mailfrom cve3.test: "*) pass "$c" ;;
	*) fail "$c" "rc $rc: $out" ;;
	esac
done

# --json: both identities
"$E" spf --ip 127.0.2.1 --helo helo.test --sender a@ex.test --json > j.json; rc=$?
if [ $rc = 1 ] && $PYTHON -c '
import json, sys
j = json.load(open("j.json"))
assert j["result"] == "fail" and j["identity"] == "mailfrom", j
assert j["identities"]["mailfrom"]["result"] == "fail"
assert j["identities"]["mailfrom"]["explanation"].startswith("127.0.2.1 may not send")
assert j["identities"]["helo"]["result"] == "pass" and j["identities"]["helo"]["mechanism"] == "a"
'; then pass json; else fail json "rc $rc" "$(cat j.json)"; fi

# the filters: the field on top, every other byte unchanged
printf 'From: a@ex.test\r\nSubject: s\r\n\r\nbody\r\n.\r\nmore\n' > m.eml
"$E" spf --ip 127.0.0.3 --helo helo.test --sender a@ex.test --ar --authserv-id mx.rcv.test m.eml > ar.eml; rc=$?
if [ $rc = 0 ] && [ "$(head -1 ar.eml)" = "$(printf 'Authentication-Results: mx.rcv.test; spf=pass smtp.mailfrom=a@ex.test\r')" ]; then
	pass ar-field; else fail ar-field "rc $rc" "$(head -2 ar.eml)"; fi
tail -n +2 ar.eml > rest.eml; same_bytes ar-rest m.eml rest.eml
"$E" spf --ip 10.0.0.1 --helo helo.test --sender a@ex.test --ar --authserv-id mx.rcv.test < m.eml > ar2.eml; rc=$?
if [ $rc = 0 ] && head -3 ar2.eml | tr -d '\r\n' | grep -q 'spf=fail reason="10.0.0.1 may not send for ex.test (sender a@ex.test, local a, helo helo.test)" smtp.mailfrom=a@ex.test'; then
	pass ar-fail-stdin; else fail ar-fail-stdin "rc $rc" "$(head -3 ar2.eml)"; fi
"$E" spf --ip 127.0.2.1 --helo helo.test --sender '' --ar --authserv-id mx.rcv.test m.eml > ar3.eml
if head -1 ar3.eml | grep -q 'spf=pass smtp.helo=helo.test'; then pass ar-helo; else fail ar-helo "$(head -1 ar3.eml)"; fi
"$E" spf --ip 10.0.0.1 --helo helo.test --sender x@temp.test --ar --authserv-id mx.rcv.test m.eml > ar4.eml; rc=$?
if [ $rc = 0 ] && head -1 ar4.eml | grep -q 'spf=temperror'; then pass ar-temperror-exit-0; else fail ar-temperror-exit-0 "rc $rc"; fi

"$E" spf --ip 10.0.0.1 --helo helo.test --sender a@ex.test --received-spf --authserv-id mx.rcv.test m.eml > r.eml; rc=$?
want="Received-SPF: fail (mx.rcv.test: domain of a@ex.test does not designate
 10.0.0.1 as permitted sender) client-ip=10.0.0.1; envelope-from=\"a@ex.test\";
 helo=helo.test; receiver=mx.rcv.test; mechanism=-all; identity=mailfrom"
if [ $rc = 0 ] && [ "$(head -3 r.eml | tr -d '\r')" = "$want" ]; then pass received-spf; else
	fail received-spf "rc $rc" "$(head -3 r.eml)"; fi
tail -n +4 r.eml > rest2.eml; same_bytes received-spf-rest m.eml rest2.eml
if awk 'length($0) > 79 { exit 1 }' r.eml; then pass received-spf-folded; else fail received-spf-folded; fi

# --analyze: recorded and now; a record changed since is shown as such
"$E" spf --ip 127.0.0.3 --helo helo.test --sender a@ex.test --received-spf --authserv-id mx.rcv.test r.eml > rr.eml
expect analyze-same 0 "rr.eml:1: recorded pass, now pass client-ip=127.0.0.3 identity=mailfrom envelope-from=a@ex.test
rr.eml:5: recorded fail, now fail client-ip=10.0.0.1 identity=mailfrom envelope-from=a@ex.test" -- "$E" spf --analyze rr.eml
sed 's/^Received-SPF: fail/Received-SPF: pass/' r.eml > forged.eml
"$E" spf --analyze forged.eml > an.out; rc=$?
if [ $rc = 1 ] && grep -q '^forged.eml:1: recorded pass, now fail (changed) client-ip=10.0.0.1' an.out; then
	pass analyze-changed; else fail analyze-changed "rc $rc" "$(cat an.out)"; fi
printf 'Received-SPF: pass (x) client-ip=127.0.2.1; helo=helo.test; identity=helo\r\nFrom: a@b.test\r\n\r\n' > h.eml
expect analyze-helo 0 "h.eml:1: recorded pass, now pass client-ip=127.0.2.1 identity=helo helo=helo.test" -- "$E" spf --analyze h.eml
printf 'Received-SPF: ((\r\n\r\n' > bad.eml
expect analyze-bad 1 "bad.eml:1: recorded ?, now ?: the field does not parse" -- "$E" spf --analyze bad.eml
printf 'From: a@b.test\r\n\r\n' > none.eml
expect_err analyze-none 1 'none.eml: no Received-SPF field' -- "$E" spf --analyze none.eml

# --received-by: the IP, HELO and sender of the hop ember srv recorded on top
printf 'Return-Path: <a@ex.test>\r\nReceived: from helo.test ([127.0.0.3]) by mx.rcv.test (ember) with ESMTP\r\n id 1 for <u@rcv.test>; Thu, 3 Dec 2026 12:00:00 +0000\r\nFrom: a@ex.test\r\n\r\nhi\r\n' > t.eml
"$E" spf --received-by mx.rcv.test --ar --authserv-id mx.rcv.test t.eml > t.out; rc=$?
if [ $rc = 0 ] && [ "$(head -1 t.out | tr -d '\r')" = "Authentication-Results: mx.rcv.test; spf=pass smtp.mailfrom=a@ex.test" ]; then
	pass received-by-ar; else fail received-by-ar "rc $rc" "$(head -2 t.out)"; fi
tail -n +2 t.out > t.rest; same_bytes received-by-rest t.eml t.rest
"$E" spf --received-by mx.rcv.test --ar --authserv-id mx.rcv.test < t.eml > t2.out
same_bytes received-by-stdin t.out t2.out
expect received-by-verdict 0 "pass mailfrom ex.test: matched ip4:127.0.0.0/24 in ex.test" -- "$E" spf --received-by MX.rcv.test t.eml
expect received-by-sender 1 "none mailfrom other.test: no SPF record for other.test" -- "$E" spf --received-by mx.rcv.test --sender b@other.test t.eml
sed 's/ex\.test>\r$/ex.test>\r/; s/^Return-Path: <a@ex.test>/Return-Path: <>/; s/127\.0\.0\.3/127.0.2.1/' t.eml > tn.eml
expect received-by-null-sender 0 "pass helo helo.test: matched a in helo.test" -- "$E" spf --received-by mx.rcv.test tn.eml
sed 's/\[127\.0\.0\.3\]/[IPv6:2001:db8::1]/' t.eml > t6.eml
expect received-by-ipv6 0 "pass mailfrom ex.test: matched ip6:2001:db8::/48 in ex.test" -- "$E" spf --received-by mx.rcv.test t6.eml
expect_err received-by-other-host 65 'the top Received field is not by other.test' -- "$E" spf --received-by other.test --ar t.eml
# a pair that came with the message, below a field of its own: not trusted
{ printf 'X-Top: 1\r\n'; cat t.eml; } > tf.eml
expect_err received-by-not-on-top 65 'the first field is not Return-Path' -- "$E" spf --received-by mx.rcv.test tf.eml
printf 'Return-Path: <a@ex.test>\r\nFrom: a@ex.test\r\n\r\n' > tr.eml
expect_err received-by-no-received 65 'the second field is not Received' -- "$E" spf --received-by mx.rcv.test tr.eml
expect_err received-by-with-ip 64 'no --ip or --helo' -- "$E" spf --received-by mx.rcv.test --ip 127.0.0.1 t.eml
# end to end: what ember srv writes, read back
"$E" srv --listen 127.0.0.1:0 --hostname mx.rcv.test --maildir md > srv.addr 2> srv.err &
SRVPID=$!
i=0; while [ $i -lt 100 ] && [ ! -s srv.addr ]; do sleep 0.05; i=$((i + 1)); done
printf 'From: a@ex.test\r\nTo: u@rcv.test\r\nSubject: s\r\n\r\nhi\r\n' | "$E" submit --plain --server "$(cat srv.addr)" --helo helo.test
kill $SRVPID; wait $SRVPID 2>/dev/null
expect received-by-srv 0 "pass mailfrom ex.test: matched ip4:127.0.0.0/24 in ex.test" -- "$E" spf --received-by mx.rcv.test md/new/*

# usage
expect_err no-ip 64 'ember spf: --ip is required' -- "$E" spf --helo helo.test
expect_err bad-ip 64 "not an IPv4 or IPv6 address: '1.2.3'" -- "$E" spf --ip 1.2.3 --helo h.test
expect_err bad-idn 64 'not a valid domain name' -- "$E" spf --ip 10.0.0.1 --helo h.test --sender "$(printf 'x@\377.test')"
expect_err two-modes 64 'one at a time' -- "$E" spf --ip 10.0.0.1 --helo h.test --ar --json
expect_err file-needs-filter 64 'FILE goes with' -- "$E" spf --ip 10.0.0.1 --helo h.test m.eml
expect_err no-file 66 'nosuch.eml' -- "$E" spf --ip 10.0.0.1 --helo h.test --ar nosuch.eml
"$E" spf --help > help.txt; rc=$?
if [ $rc = 0 ] && grep -q -- '--received-spf' help.txt; then pass help; else fail help; fi
finish
