#!/bin/sh
# ember arc: sign (seal) and verify as a user runs them, hop after hop;
# keys served by knot on loopback; exit statuses as the man page says.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70

# expect_first NAME STATUS LINE -- CMD ARGS...: the exit status and the first line of stdout
expect_first() {
	_n=$1 _rc=$2 _want=$3; shift 3
	[ "$1" = "--" ] && shift
	"$@" > "$TMP/first" 2> "$TMP/stderr"; _got=$?
	_out=$(head -1 "$TMP/first")
	if [ "$_got" = "$_rc" ] && [ "$_out" = "$_want" ]; then
		pass "$_n"
	else
		fail "$_n" "status: want $_rc, got $_got" "want: $_want" "got:  $_out" "stderr: $(head -c 300 "$TMP/stderr")"
	fi
}

mkdir -p k
"$E" dkim keygen -t rsa -d example.com -s rsa -o k/rsa > /dev/null
"$E" dkim keygen -t ed25519 -d example.org -s ed -o k/ed > /dev/null
"$E" dkim keygen -t rsa -d example.net -s gone -o k/gone > /dev/null
dns_line "$(cat k/rsa.txt)"
dns_line "$(cat k/ed.txt)"
printf '%s\n' broken._domainkey.example.com > "$DNS_DIR/broken"
dns_start || { fail "knot starts"; finish; exit; }

printf 'Authentication-Results: relay.example; dkim=pass header.d=example.com;\r\n  spf=pass smtp.mailfrom=joe@example.com\r\nAuthentication-Results: other.example; dkim=fail\r\nFrom: Joe <joe@example.com>\r\nTo: x@example.net\r\nSubject: hi\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700\r\n\r\nHello.\r\n' > m.eml

# ---- one hop ------------------------------------------------------------------------
expect "verify: no chain is none, exit 1" 1 "none" -- "$E" arc verify m.eml
"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id relay.example --time 1700000000 \
	m.eml > s1.eml 2> err && pass "sign: the first set" || fail "sign: the first set" "$(cat err)"
n=$(wc -c < m.eml)
tail -c "$n" s1.eml > tail.eml
same_bytes "sign: the message unchanged below the set" m.eml tail.eml
head -1 s1.eml | grep -q '^ARC-Seal: a=rsa-sha256;' && sed -n '/^ARC-Message-Signature:/p' s1.eml | grep -q . &&
	pass "sign: ARC-Seal on top, then the AMS" || fail "sign: ARC-Seal on top, then the AMS" "$(head -3 s1.eml)"
tr -d '\r\n' < s1.eml | grep -q 'ARC-Authentication-Results: i=1; relay.example; *dkim=pass header.d=example.com; spf=pass smtp.mailfrom=joe@example.com' &&
	pass "sign: the AAR holds this hop's results, not another ADMD's" ||
	fail "sign: the AAR holds this hop's results, not another ADMD's" "$(grep -A2 ^ARC-Auth s1.eml)"
tr -d '\r\n ' < s1.eml | grep -q 'cv=none;d=example.com;i=1;s=rsa;t=1700000000' &&
	pass "sign: cv=none i=1 t= at the first hop" || fail "sign: cv=none i=1 t= at the first hop" "$(head -4 s1.eml)"
expect "verify: pass" 0 "pass oldest-pass=0
  i=1 cv=none ams=pass d=example.com s=rsa seal=pass d=example.com s=rsa" -- "$E" arc verify s1.eml
expect "verify --dns" 0 "pass oldest-pass=0
  i=1 cv=none ams=pass d=example.com s=rsa seal=pass d=example.com s=rsa" -- \
	env -u EMBER_DNS "$E" arc verify --dns "$DNS" s1.eml
"$E" arc verify --json s1.eml > j.out
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["result"]=="pass" and d["oldest_pass"]==0 and d["sets"][0]["i"]==1 and d["sets"][0]["ams"]=="pass" and d["sets"][0]["seal"]=="pass" and d["sets"][0]["d"]=="example.com"' j.out &&
	pass "verify --json" || fail "verify --json" "$(cat j.out)"

# an Authentication-Results of our authserv-id below a field this hop did not
# write came with the message: not sealed as ours
{ printf 'Received: from a by relay.example; Thu, 3 Dec 2026 12:00:00 +0000\r\n'; cat m.eml; } > below.eml
expect_err "sign: our authserv-id below the top is not this hop's" 65 'no Authentication-Results field of the authserv-id' -- \
	"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id relay.example --time 1700000000 below.eml

# ---- a second and a third hop: verify --ar, then seal what it found ------------------
"$E" arc verify --ar --authserv-id hop2.example s1.eml > ar2.eml; rc=$?
[ $rc = 0 ] && head -2 ar2.eml | tr -d '\r\n' | grep -q '^Authentication-Results: hop2.example; arc=pass header.oldest-pass=0 *header.d=example.com' &&
	pass "verify --ar: arc=pass prepended, exit 0" || fail "verify --ar: arc=pass prepended, exit 0" "rc=$rc" "$(head -2 ar2.eml)"
n=$(wc -c < s1.eml)
tail -c "$n" ar2.eml > tail.eml
same_bytes "verify --ar: the message byte for byte" s1.eml tail.eml
"$E" arc sign -d example.org -s ed -k k/ed.key -a ed25519-sha256 --authserv-id hop2.example ar2.eml > s2.eml 2> err &&
	pass "sign: the second set, ed25519" || fail "sign: the second set, ed25519" "$(cat err)"
tr -d '\r\n ' < s2.eml | grep -q 'ARC-Seal:a=ed25519-sha256;b=[^;]*;cv=pass;d=example.org;i=2;' &&
	pass "sign: i=2 cv=pass from arc=pass" || fail "sign: i=2 cv=pass from arc=pass" "$(head -3 s2.eml)"
expect "verify: two hops pass" 0 "pass oldest-pass=0
  i=1 cv=none ams=pass d=example.com s=rsa seal=pass d=example.com s=rsa
  i=2 cv=pass ams=pass d=example.org s=ed seal=pass d=example.org s=ed" -- "$E" arc verify s2.eml
# a mailing list changes the subject, then seals: the chain still passes,
# the first AMS does not: oldest-pass 2... after a third hop
"$E" arc verify --ar --authserv-id hop3.example s2.eml | sed 's/^Subject: hi/Subject: [list] hi/' > ar3.eml
"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id hop3.example ar3.eml > s3.eml 2> err &&
	pass "sign: a third set over a changed message" || fail "sign: a third set over a changed message" "$(cat err)"
expect "verify: three hops, the old AMSs broken: pass, oldest-pass=3" 0 "pass oldest-pass=3
  i=1 cv=none ams=fail d=example.com s=rsa seal=pass d=example.com s=rsa: the ARC-Message-Signature does not verify
  i=2 cv=pass ams=fail d=example.org s=ed seal=pass d=example.org s=ed: the ARC-Message-Signature does not verify
  i=3 cv=pass ams=pass d=example.com s=rsa seal=pass d=example.com s=rsa" -- "$E" arc verify s3.eml

# ---- failures ---------------------------------------------------------------------
sed 's/^Hello\./Hello!/' s2.eml > body.eml
expect "verify: a changed body fails the latest AMS, exit 1" 1 "fail: body hash mismatch (the body changed)
  i=1 cv=none ams=fail d=example.com s=rsa seal=pass d=example.com s=rsa: body hash mismatch (the body changed)
  i=2 cv=pass ams=fail d=example.org s=ed seal=pass d=example.org s=ed: body hash mismatch (the body changed)" -- \
	"$E" arc verify body.eml
"$E" arc verify --ar --authserv-id hop3.example body.eml > arf.eml; rc=$?
[ $rc = 0 ] && head -1 arf.eml | grep -q '^Authentication-Results: hop3.example; arc=fail' &&
	pass "verify --ar: arc=fail, exit 0" || fail "verify --ar: arc=fail, exit 0" "rc=$rc" "$(head -2 arf.eml)"
# a chain whose latest seal says cv=fail has ended: not sealed again
"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id hop3.example arf.eml > f3.eml 2> err
tr -d '\r\n ' < f3.eml | grep -q 'ARC-Seal:a=rsa-sha256;b=[^;]*;cv=fail;d=example.com;i=3;' &&
	pass "sign: arc=fail gives cv=fail" || fail "sign: arc=fail gives cv=fail" "$(head -3 f3.eml)"
expect_first "verify: the latest seal says cv=fail" 1 "fail: the latest ARC-Seal says cv=fail" -- \
	"$E" arc verify f3.eml
"$E" arc verify --ar --authserv-id hop4.example f3.eml | "$E" arc sign -d example.com -s rsa -k k/rsa.key \
	--authserv-id hop4.example > f4.eml 2> err; rc=$?
[ $rc = 0 ] && grep -q 'not sealed: the chain has ended' err && [ "$(grep -c '^ARC-Seal' f4.eml)" = 3 ] &&
	pass "sign: an ended chain goes out unsealed, with a warning, exit 0" ||
	fail "sign: an ended chain goes out unsealed, with a warning, exit 0" "rc=$rc" "$(cat err)"
# a gap in the instances: i=2 renumbered 3
sed 's/i=2;/i=3;/' s2.eml > gap.eml
expect_first "verify: a gap in the instances" 1 "fail: an ARC set without its ARC-Authentication-Results" -- \
	"$E" arc verify gap.eml
# a duplicate: the first ARC-Seal twice
{ sed -n '/^ARC-Seal:/,/^ARC-Message/p' s1.eml | sed '$d'; cat s1.eml; } > dup.eml
expect_first "verify: two seals with one instance" 1 "fail: two ARC fields of one kind with the same instance (i=)" -- \
	"$E" arc verify dup.eml
# keys: none in DNS (permerror: fail), a name that cannot be answered now (temperror: 75)
"$E" arc sign -d example.net -s gone -k k/gone.key --authserv-id relay.example m.eml > gone.eml
expect_first "verify: no key is a failing chain, exit 1" 1 "fail: no key for the signature (no TXT record)" -- \
	"$E" arc verify gone.eml
"$E" arc sign -d example.com -s broken -k k/rsa.key --authserv-id relay.example m.eml > broken.eml
expect_first "verify: a key that cannot be fetched now: temperror, exit 75" 75 \
	"temperror: the key's DNS query failed (refused, unreachable or a malformed answer)" -- "$E" arc verify broken.eml
expect "verify: several files, FILE: before each line" 1 "s1.eml: pass oldest-pass=0
s1.eml:   i=1 cv=none ams=pass d=example.com s=rsa seal=pass d=example.com s=rsa
m.eml: none" -- "$E" arc verify s1.eml m.eml

# ---- sign: refusals ------------------------------------------------------------------
expect_err "sign: no Authentication-Results of the authserv-id: 65" 65 \
	'ember arc: m.eml: no Authentication-Results field of the authserv-id' -- \
	"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id nobody.example m.eml
expect_err "sign: no -k: 64" 64 'KEYFILE' -- "$E" arc sign -d example.com -s rsa m.eml
expect_err "sign: an ed25519 key for rsa-sha256: 64" 64 'type' -- \
	"$E" arc sign -d example.com -s rsa -k k/ed.key -a rsa-sha256 --authserv-id relay.example m.eml
expect_err "sign: -H naming ARC-Seal: 64" 64 'ARC' -- \
	"$E" arc sign -d example.com -s rsa -k k/rsa.key -H from:arc-seal --authserv-id relay.example m.eml
expect_err "sign: a file that is not there: 66" 66 'nope.eml' -- \
	"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id relay.example nope.eml
expect_err "verify: --authserv-id without --ar: 64" 64 'ar' -- "$E" arc verify --authserv-id x s1.eml
expect_err "an unknown subcommand: 64" 64 'sign or verify' -- "$E" arc frob
printf 'Authentication-Results: relay.example; dkim=pass\r\nFrom: a@example.com\r\nnot a field\r\n\r\nbody\r\n' > garbage.eml
expect_err "sign: a line that is not a field: 65, file and line" 65 'garbage.eml: line 3' -- \
	"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id relay.example garbage.eml

# ---- LF files, stdin, -H ----------------------------------------------------------------
tr -d '\r' < m.eml > lf.eml
"$E" arc sign -d example.com -s rsa -k k/rsa.key --authserv-id relay.example -H from:to:subject --no-oversign \
	< lf.eml > slf.eml
n=$(wc -c < lf.eml)
tail -c "$n" slf.eml > tail.eml
same_bytes "sign from stdin, LF: the message unchanged" lf.eml tail.eml
if grep -q "$(printf '\r')" slf.eml; then fail "sign LF: the set with LF line ends"; else pass "sign LF: the set with LF line ends"; fi
tr -d '\n ' < slf.eml | grep -q 'h=from:to:subject;' && pass "sign -H --no-oversign" || fail "sign -H --no-oversign" "$(head -6 slf.eml)"
expect_first "verify: an LF file, from stdin" 0 "pass oldest-pass=0" -- sh -c '"$1" arc verify < "$2"' sh "$E" slf.eml
expect "ember arc --help names both subcommands" 0 "2" -- sh -c '"$1" arc --help | grep -c "ember arc \(sign\|verify\) "' sh "$E"

finish
