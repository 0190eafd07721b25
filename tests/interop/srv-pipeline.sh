#!/bin/sh
# The receiving chain of issue 12 and 15: ember srv --pipe 'ember spf
# --received-by mx.test --ar | ember dkim verify --ar | ember dmarc --ar |
# ember mdir deliver DIR', a message
# signed by ember dkim sent by Python's smtplib, keys and DMARC records
# from knot: the delivered message carries spf=pass (the client and the
# sender read from srv's own trace fields), dkim=pass and dmarc=pass (or a
# fail with the reject disposition for an unaligned From), and every byte
# below the prepended fields is the one sent.
SUITE=interop-srv-pipeline
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70
"$E" dkim keygen -t ed25519 -d sender.test -s s1 -o k > /dev/null
dns_line "$(cat k.txt)"
dns_line '_dmarc.sender.test. TXT "v=DMARC1; p=reject"'
dns_line 'sender.test. TXT "v=spf1 ip4:127.0.0.1 -all"'
dns_line '_dmarc.other.test. TXT "v=DMARC1; p=reject"'
dns_start || { fail "knot starts"; finish; exit; }

"$E" srv --listen 127.0.0.1:0 --hostname mx.test --domain rcpt.test \
	--pipe "$E spf --received-by mx.test --ar --authserv-id mx.test | $E dkim verify --ar --authserv-id mx.test | $E dmarc --ar --authserv-id mx.test | $E mdir deliver $TMP/md" \
	> addr 2> srv.err &
SRV=$!
trap 'kill $SRV 2>/dev/null; dns_stop; rm -rf "$TMP"' EXIT
i=0; while [ $i -lt 100 ] && [ ! -s addr ]; do sleep 0.05; i=$((i + 1)); done
ADDR=$(cat addr)

send() {  # FILE: smtplib's result
	$PYTHON - "$ADDR" "$1" <<'PY'
import smtplib, sys
h, p = sys.argv[1].rsplit(':', 1)
s = smtplib.SMTP(h, int(p))
s.ehlo('client.test')
print('refused', s.sendmail('bounce@sender.test', ['u@rcpt.test'], open(sys.argv[2], 'rb').read()))
s.quit()
PY
}

printf 'From: Alice <alice@sender.test>\r\nTo: u@rcpt.test\r\nSubject: aligned\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\n\r\nhello\r\n.leading dot\r\n' > a.eml
"$E" dkim sign -d sender.test -s s1 -k k.key a.eml > a.signed
[ "$(send a.signed)" = "refused {}" ] && pass "aligned: 250" || fail "aligned: 250"
f=$(ls md/new 2>/dev/null | head -1)
if [ -n "$f" ] && head -1 "md/new/$f" | grep -q '^Authentication-Results: mx.test; dmarc=pass header.from=sender.test'; then
	pass "aligned: dmarc=pass on top"; else fail "aligned: dmarc=pass on top" "$(head -3 "md/new/$f" 2>/dev/null)"; fi
grep -q '^Authentication-Results: mx.test; dkim=pass header.d=sender.test' "md/new/$f" &&
	pass "aligned: dkim=pass below it" || fail "aligned: dkim=pass below it"
grep -q '^Authentication-Results: mx.test; spf=pass smtp.mailfrom=bounce@sender.test' "md/new/$f" &&
	pass "aligned: spf=pass from srv's trace fields" || fail "aligned: spf=pass from srv's trace fields"
"$E" ar --authserv-id mx.test "md/new/$f" > ar.out
grep -q 'dmarc=pass' ar.out && grep -q 'dkim=pass' ar.out && pass "ember ar reads both" || fail "ember ar reads both" "$(cat ar.out)"
# below the prepended fields (the three ARs, Return-Path, Received): the bytes sent
n=$(wc -c < a.signed)
tail -c "$n" "md/new/$f" > tail.eml
same_bytes "aligned: the signed message byte for byte under the fields" a.signed tail.eml

# signed by sender.test, From other.test: DKIM passes, DMARC fails, reject
sed 's/^From: Alice <alice@sender.test>/From: Mallory <m@other.test>/' a.eml > u.eml
"$E" dkim sign -d sender.test -s s1 -k k.key u.eml > u.signed
[ "$(send u.signed)" = "refused {}" ] && pass "unaligned: 250 (the filters mark, they do not refuse)" ||
	fail "unaligned: 250"
g=$(ls -t md/new | head -1)
if [ "$g" != "$f" ] && head -3 "md/new/$g" | tr -d '\r\n' |
	grep -q 'dmarc=fail .*header.from=other.test.*polrec.p=reject'; then
	pass "unaligned: dmarc=fail, reject disposition"; else fail "unaligned: dmarc=fail, reject disposition" "$(head -3 "md/new/$g")"; fi
finish
