#!/bin/sh
# ember receiver: SPF, DKIM, ARC and DMARC checked in one pass as the
# message arrives, one Authentication-Results field (with Received-SPF)
# on top, delivered to a Maildir or forwarded. Keys, SPF and DMARC records
# from knot on loopback; messages signed by ember dkim sign and by dkimpy;
# sent by Python's smtplib from 127.0.0.2 (SPF passes) or 127.0.0.3 (it
# fails); --enforce (reject, quarantine, temperror), --spf-reject; a
# forged field of our authserv-id; a SERVFAIL for a key; --forward to an
# ember srv and to Postfix's smtp-sink; ARC; the process pipeline's
# results compared.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70

"$E" dkim keygen -t ed25519 -d sender.test -s s1 -o k > /dev/null
"$E" dkim keygen -t rsa -d sender.test -s rsa1 -o r > /dev/null
dns_line "$(cat k.txt)"
dns_line "$(cat r.txt)"
dns_line 'sender.test. TXT "v=spf1 ip4:127.0.0.2 -all"'
dns_line '_dmarc.sender.test. TXT "v=DMARC1; p=reject"'
dns_line 'quar.test. TXT "v=spf1 ip4:127.0.0.9 -all"'
dns_line '_dmarc.quar.test. TXT "v=DMARC1; p=quarantine"'
dns_line '_dmarc.other.test. TXT "v=DMARC1; p=reject"'
dns_line 'client.test. TXT "v=spf1 ip4:127.0.0.2 -all"'
# a key the server cannot give: knot refuses the zone (SERVFAIL for us)
printf 's1._domainkey.broken.test SERVFAIL\ntspf.test SERVFAIL\n_dmarc.tdm.test SERVFAIL\n' > broken.zone
dns_from_file broken.zone
dns_line 'broken.test. TXT "v=spf1 ip4:127.0.0.2 -all"'
dns_line 'slow.test. TXT "v=spf1 ip4:127.0.0.2 -all"'
dns_line "$(sed 's/sender.test/slow.test/' k.txt)"
dns_line 'tdm.test. TXT "v=spf1 ip4:127.0.0.2 -all"'
dns_start || { fail "knot starts"; finish; exit; }

PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; dns_stop; rm -rf "$TMP"' EXIT

# start NAME ARGS...: a receiver; its address in $ADDR
start() {
	_n=$1; shift
	rm -f "$_n.addr"
	"$E" receiver --listen 127.0.0.1:0 --hostname mx.test --domain rcpt.test "$@" \
		> "$_n.addr" 2> "$_n.err" &
	PIDS="$PIDS $!"
	eval "PID_$_n=$!"
	_i=0; while [ $_i -lt 100 ] && [ ! -s "$_n.addr" ]; do sleep 0.05; _i=$((_i + 1)); done
	ADDR=$(cat "$_n.addr")
}

# send ADDR SRCIP SENDER FILE: smtplib's result: "ok", or "CODE where"
send() {
	$PYTHON - "$@" <<'PY'
import smtplib, sys
addr, src, sender, path = sys.argv[1:5]
h, p = addr.rsplit(':', 1)
try:
    s = smtplib.SMTP(h, int(p), source_address=(src, 0), local_hostname='client.test')
    refused = s.sendmail(sender, ['u@rcpt.test'], open(path, 'rb').read())
    print('ok' if not refused else 'refused %r' % refused)
    s.quit()
except smtplib.SMTPSenderRefused as e:
    print(e.smtp_code, 'mail', e.smtp_error.decode())
except smtplib.SMTPDataError as e:
    print(e.smtp_code, 'data', e.smtp_error.decode())
except Exception as e:
    print('error', e)
PY
}

newest() { ls -t "$1"/new 2>/dev/null | head -1; }
# the top field (Authentication-Results), unfolded
ar_of() { awk 'NR > 1 && /^[^ \t]/ { exit } { printf "%s", $0 }' "$1" | tr -d '\r' | tr -s ' \t' ' '; }
# the bytes below our fields (those of the message as sent, n of them)
tail_same() { n=$(wc -c < "$2"); tail -c "$n" "$3" > "$TMP/tail.eml"; same_bytes "$1" "$2" "$TMP/tail.eml"; }

printf 'From: Alice <alice@sender.test>\r\nTo: u@rcpt.test\r\nSubject: aligned\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <a@sender.test>\r\n\r\nhello\r\n.leading dot\r\n' > a.eml
"$E" dkim sign -d sender.test -s s1 -k k.key a.eml > a.signed
$PYTHON "$ROOT/tests/interop/dkimpy.py" sign r.key sender.test rsa1 rsa-sha256 relaxed/relaxed < a.eml > a.py
sed 's/^From: Alice <alice@sender.test>/From: Mallory <m@other.test>/' a.eml > u.eml
"$E" dkim sign -d sender.test -s s1 -k k.key u.eml > u.signed
sed 's/^From: Alice <alice@sender.test>/From: Q <q@quar.test>/' a.eml > q.eml
"$E" dkim sign -d sender.test -s s1 -k k.key q.eml > q.signed

# ---- checks, delivered to a Maildir ---------------------------------------------
start plain --maildir "$TMP/md"
[ "$(send "$ADDR" 127.0.0.2 bounce@sender.test a.signed)" = ok ] && pass "signed, right IP: 250" ||
	fail "signed, right IP: 250"
f=md/new/$(newest md)
head -1 "$f" | grep -q '^Return-Path: <bounce@sender.test>' && pass "Return-Path first" ||
	fail "Return-Path first" "$(head -1 "$f")"
ar=$(sed 1d "$f" | ar_of /dev/stdin)
case $ar in
"Authentication-Results: mx.test; spf=pass smtp.mailfrom=bounce@sender.test; spf=pass smtp.helo=client.test; dkim=pass header.d=sender.test header.s=s1 header.a=ed25519-sha256 header.b="*"; arc=none; dmarc=pass header.from=sender.test polrec.p=reject")
	pass "spf=pass (MAIL FROM, then HELO) dkim=pass arc=none dmarc=pass in one field" ;;
*) fail "spf=pass dkim=pass arc=none dmarc=pass in one field" "$ar" ;;
esac
sed -n 2,20p "$f" | tr -d '\r' | grep -n '^[A-Z]' | cut -d: -f2 | head -4 | tr '\n' ' ' > order
[ "$(cat order)" = "Authentication-Results Received-SPF Received DKIM-Signature " ] &&
	pass "the fields in order: Return-Path, Authentication-Results, Received-SPF, Received" ||
	fail "the fields in order" "$(cat order)"
grep -q '^Received-SPF: pass' "$f" && grep -q 'client-ip=127.0.0.2' "$f" && pass "Received-SPF: pass, client-ip" ||
	fail "Received-SPF: pass, client-ip" "$(grep -A2 '^Received-SPF' "$f")"
"$E" ar --json --authserv-id mx.test "$f" > ar.json && $PYTHON -c '
import json, sys
j = json.load(open(sys.argv[1]))
r = {x["method"]: x["result"] for g in j["groups"] for f in g["fields"] for x in f["results"]}
sys.exit(0 if r == {"spf": "pass", "dkim": "pass", "arc": "none", "dmarc": "pass"} and not j["malformed"] else 1)' ar.json &&
	pass "ember ar --json reads the field" || fail "ember ar --json reads the field" "$(cat ar.json)"
tail_same "the message byte for byte under our fields" a.signed "$f"
"$E" dmarc --authserv-id mx.test "$f" > dm.out 2> dm.err
head -1 dm.out | grep -q '^dmarc=pass' && [ ! -s dm.err ] &&
	pass "ember dmarc trusts the field on top (Return-Path is part of this hop)" ||
	fail "ember dmarc trusts the field on top" "$(cat dm.out dm.err)"

[ "$(send "$ADDR" 127.0.0.2 bounce@sender.test a.py)" = ok ] && pass "dkimpy-signed: 250" || fail "dkimpy-signed: 250"
f=md/new/$(newest md)
sed 1d "$f" | ar_of /dev/stdin | grep -q 'dkim=pass header.d=sender.test header.s=rsa1 header.a=rsa-sha256.*dmarc=pass' &&
	pass "dkimpy's rsa-sha256 signature: dkim=pass, dmarc=pass" ||
	fail "dkimpy's rsa-sha256 signature: dkim=pass" "$(sed 1d "$f" | ar_of /dev/stdin)"
tail_same "dkimpy-signed: byte for byte under our fields" a.py "$f"

[ "$(send "$ADDR" 127.0.0.3 bounce@sender.test a.signed)" = ok ] && pass "wrong IP: still 250 without --enforce" ||
	fail "wrong IP: 250"
f=md/new/$(newest md)
ar=$(sed 1d "$f" | ar_of /dev/stdin)
case $ar in *"spf=fail"*"smtp.mailfrom=bounce@sender.test"*"dkim=pass"*"dmarc=pass"*) pass "wrong IP: spf=fail (DKIM keeps dmarc=pass)" ;;
*) fail "wrong IP: spf=fail" "$ar" ;; esac
grep -q '^Received-SPF: fail' "$f" && pass "wrong IP: Received-SPF: fail" || fail "wrong IP: Received-SPF: fail"

[ "$(send "$ADDR" 127.0.0.2 '' a.signed)" = ok ] && pass "null sender: 250" || fail "null sender: 250"
f=md/new/$(newest md)
sed 1d "$f" | ar_of /dev/stdin | grep -q 'spf=pass smtp.helo=client.test' &&
	pass "null sender: spf for the HELO name (smtp.helo)" || fail "null sender: smtp.helo" "$(sed 1d "$f" | ar_of /dev/stdin)"

[ "$(send "$ADDR" 127.0.0.2 bounce@sender.test u.signed)" = ok ] && pass "unaligned From: 250 without --enforce" ||
	fail "unaligned From: 250"
f=md/new/$(newest md)
sed 1d "$f" | ar_of /dev/stdin | grep -q 'dkim=pass header.d=sender.test.*dmarc=fail .*header.from=other.test polrec.p=reject' &&
	pass "unaligned From: dmarc=fail, disposition reject" || fail "unaligned From: dmarc=fail" "$(sed 1d "$f" | ar_of /dev/stdin)"

# a forged field of our authserv-id on an unaligned message: it stays below ours, unread
{ printf 'Authentication-Results: mx.test; dkim=pass header.d=other.test; spf=pass smtp.mailfrom=m@other.test; dmarc=pass header.from=other.test\r\n'; cat u.signed; } > forged.eml
[ "$(send "$ADDR" 127.0.0.2 bounce@sender.test forged.eml)" = ok ] && pass "forged field: 250" || fail "forged field: 250"
f=md/new/$(newest md)
sed 1d "$f" | ar_of /dev/stdin | grep -q 'dmarc=fail .*header.from=other.test' &&
	pass "a forged field of our authserv-id does not turn dmarc=fail into pass" ||
	fail "forged field: dmarc=fail" "$(sed 1d "$f" | ar_of /dev/stdin)"
tail_same "forged field: left in place, below ours (byte for byte)" forged.eml "$f"
"$E" dmarc --authserv-id mx.test "$f" 2> dm.err | head -1 | grep -q '^dmarc=fail' &&
	grep -q 'below the top of the header' dm.err &&
	pass "ember dmarc on the stored message: fail, the forged field ignored" ||
	fail "ember dmarc on the stored message" "$(cat dm.err)"

sed 's/sender.test/broken.test/g' a.eml > b.eml
"$E" dkim sign -d broken.test -s s1 -k k.key b.eml > b.signed
[ "$(send "$ADDR" 127.0.0.2 bounce@broken.test b.signed)" = ok ] && pass "key SERVFAIL: 250 without --enforce" ||
	fail "key SERVFAIL: 250"
f=md/new/$(newest md)
sed 1d "$f" | ar_of /dev/stdin | grep -q 'dkim=temperror reason="[^"]*" header.d=broken.test' &&
	pass "a key that cannot be fetched: dkim=temperror" || fail "key SERVFAIL: dkim=temperror" "$(sed 1d "$f" | ar_of /dev/stdin)"

# ARC: sealed by a relay that checked it (ember dkim verify --ar, ember arc sign)
"$E" dkim verify --ar --authserv-id relay.test a.signed |
	"$E" arc sign -d sender.test -s s1 -k k.key --authserv-id relay.test > arc.eml
[ "$(send "$ADDR" 127.0.0.2 bounce@sender.test arc.eml)" = ok ] && pass "ARC-sealed: 250" || fail "ARC-sealed: 250"
f=md/new/$(newest md)
sed 1d "$f" | ar_of /dev/stdin | grep -q 'arc=pass header.oldest-pass=0 header.d=sender.test' &&
	pass "an ARC-sealed message: arc=pass" || fail "ARC-sealed: arc=pass" "$(sed 1d "$f" | ar_of /dev/stdin)"

# the process pipeline gives the same results for the same message
for m in a.signed u.signed a.py arc.eml; do
	"$E" spf --ip 127.0.0.2 --helo client.test --ar --authserv-id mx.test "$m" |
		"$E" spf --ip 127.0.0.2 --helo client.test --sender bounce@sender.test --ar --authserv-id mx.test |
		"$E" dkim verify --ar --authserv-id mx.test | "$E" arc verify --ar --authserv-id mx.test |
		"$E" dmarc --ar --authserv-id mx.test > pipe.eml
	"$E" ar --authserv-id mx.test pipe.eml | sed 1d | sed 's/^ *//' | grep -v '^$' | sed 's/ header.b=[^ ]*//' | sort > pipe.res
	[ "$(send "$ADDR" 127.0.0.2 bounce@sender.test "$m")" = ok ] || fail "pipeline comparison: $m sent"
	f=md/new/$(newest md)
	"$E" ar --authserv-id mx.test "$f" | sed 1d | sed 's/^ *//' | sed 's/ header.b=[^ ]*//' | sort > recv.res
	if cmp -s pipe.res recv.res && [ -s recv.res ]; then pass "$m: the receiver's results are the pipeline's"
	else fail "$m: the receiver's results are the pipeline's" "$(diff pipe.res recv.res)"; fi
done
kill $PID_plain; wait $PID_plain; rc=$?
[ $rc -eq 0 ] && pass "exit 0 after SIGTERM" || fail "exit 0 after SIGTERM" "got $rc"

# ---- --enforce ---------------------------------------------------------------------
start enf --maildir "$TMP/me" --enforce
r=$(send "$ADDR" 127.0.0.2 bounce@sender.test u.signed)
case $r in "550 data"*"DMARC"*) pass "--enforce: p=reject, unaligned: 550 at the end of the data" ;;
*) fail "--enforce: p=reject: 550" "$r" ;; esac
[ -z "$(ls me/new)" ] && pass "--enforce: nothing stored for the rejected message" || fail "--enforce: nothing stored"
r=$(send "$ADDR" 127.0.0.2 bounce@sender.test q.signed)
[ "$r" = ok ] && pass "--enforce: p=quarantine: 250" || fail "--enforce: p=quarantine: 250" "$r"
f=me/new/$(newest me)
grep -q '^X-Ember-Quarantine: dmarc policy of quar.test' "$f" && pass "--enforce: p=quarantine: X-Ember-Quarantine" ||
	fail "--enforce: quarantine field" "$(head -12 "$f")"
r=$(send "$ADDR" 127.0.0.3 bounce@sender.test a.signed)
[ "$r" = ok ] && pass "--enforce without --spf-reject: SPF fail is no refusal (DMARC passes)" ||
	fail "--enforce: SPF fail, DMARC pass: 250" "$r"
r=$(send "$ADDR" 127.0.0.2 bounce@broken.test b.signed)
[ "$r" = ok ] && pass "--enforce: dkim temperror, DMARC passes on SPF: 250" || fail "--enforce: dkim temperror: 250" "$r"
r=$(send "$ADDR" 127.0.0.2 bounce@tspf.test a.signed)
case $r in "451 data"*"4.7.24"*) pass "--enforce: SPF temperror: 451 4.7.24 at the end of the data" ;;
*) fail "--enforce: SPF temperror: 451" "$r" ;; esac
sed 's/sender.test/tdm.test/g' a.eml > t.eml
r=$(send "$ADDR" 127.0.0.2 bounce@tdm.test t.eml)
case $r in "451 data"*"4.7.0"*"DMARC"*) pass "--enforce: DMARC temperror: 451 4.7.0" ;;
*) fail "--enforce: DMARC temperror: 451" "$r" ;; esac
[ "$(ls me/new | wc -l)" -eq 3 ] && pass "--enforce: only the three accepted messages stored" ||
	fail "--enforce: three stored" "$(ls me/new | wc -l)"
kill $PID_enf; wait $PID_enf

start rej --maildir "$TMP/mr" --enforce --spf-reject
r=$(send "$ADDR" 127.0.0.3 bounce@sender.test a.signed)
case $r in "550 mail"*"5.7.23"*|"550 mail"*) pass "--spf-reject: SPF fail: 550 at MAIL FROM" ;;
*) fail "--spf-reject: 550 at MAIL" "$r" ;; esac
r=$(send "$ADDR" 127.0.0.2 bounce@sender.test a.signed)
[ "$r" = ok ] && pass "--spf-reject: SPF pass: 250" || fail "--spf-reject: SPF pass: 250" "$r"
[ "$(ls mr/new | wc -l)" -eq 1 ] && pass "--spf-reject: one message stored" || fail "--spf-reject: one stored"
kill $PID_rej; wait $PID_rej

# ---- no session waits for another's DNS ---------------------------------------------
# a DNS proxy in front of knot that holds every answer about slow.test for
# 1.5 s: a message whose SPF and key lookups are slow is sent first, a
# fast one on a second connection after it gets its 250 before it
SLOWP=$(dns_free_port)
$PYTHON - "$SLOWP" "${DNS#*:}" > slow.log 2>&1 <<'PY' &
import socket, sys, threading, time
lp, up = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", lp))
def name(q):
    i, out = 12, []
    while q[i]:
        out.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace")); i += 1 + q[i]
    return ".".join(out).lower()
def relay(q, peer):
    if name(q).endswith("slow.test"):
        time.sleep(1.5)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
    u.sendto(q, ("127.0.0.1", up))
    try: s.sendto(u.recv(65535), peer)
    except OSError: pass
while True:
    q, peer = s.recvfrom(65535)
    threading.Thread(target=relay, args=(q, peer), daemon=True).start()
PY
PIDS="$PIDS $!"
sleep 0.3
sed 's/sender.test/slow.test/g' a.eml > slow.eml
"$E" dkim sign -d slow.test -s s1 -k k.key slow.eml > slow.signed
start slow --maildir "$TMP/ms" --dns 127.0.0.1:$SLOWP
{ send "$ADDR" 127.0.0.2 bounce@slow.test slow.signed > slow.res; date +%s.%N > slow.t; } &
SL=$!
sleep 0.3
send "$ADDR" 127.0.0.2 bounce@sender.test a.signed > fast.res; date +%s.%N > fast.t
wait $SL
if [ "$(cat fast.res)" = ok ] && [ "$(cat slow.res)" = ok ] &&
	[ "$(echo "$(cat fast.t) $(cat slow.t)" | awk '{ print ($1 < $2) }')" = 1 ]; then
	pass "a message waiting for slow DNS does not hold up another session"
	f=$(grep -l '^From: Alice <alice@slow.test>' ms/new/*)
	sed -n 2,4p "$f" | tr -d '\r\n' | grep -q 'spf=pass.*dkim=pass header.d=slow.test.*dmarc=none' &&
		pass "the slow one, answered late: spf and dkim pass (no DMARC record)" ||
		fail "the slow one: pass" "$(sed -n 2,4p "$f")"
else fail "slow DNS holds up nobody" "fast: $(cat fast.res) $(cat fast.t)" "slow: $(cat slow.res) $(cat slow.t)"; fi
kill $PID_slow; wait $PID_slow

# ---- many sessions at once ------------------------------------------------------------
start many --maildir "$TMP/mm"
$PYTHON - "$ADDR" a.signed > many.res <<'PY'
import smtplib, sys, threading
h, p = sys.argv[1].rsplit(':', 1)
msg = open(sys.argv[2], 'rb').read()
ok = []
def one(i):
    s = smtplib.SMTP(h, int(p), source_address=('127.0.0.2', 0), local_hostname='client.test')
    for _ in range(5):
        ok.append(not s.sendmail('bounce@sender.test', ['u@rcpt.test'], msg))
    s.quit()
t = [threading.Thread(target=one, args=(i,)) for i in range(20)]
[x.start() for x in t]; [x.join() for x in t]
print(sum(ok))
PY
n=0; for g in mm/new/*; do sed -n 2,4p "$g" | tr -d '\r\n' | grep -q 'spf=pass.*dkim=pass.*dmarc=pass' && n=$((n + 1)); done
[ "$(cat many.res)" = 100 ] && [ "$n" = 100 ] && pass "20 sessions at once, 5 messages each: 100 stored, each with spf, dkim and dmarc pass" ||
	fail "20 sessions at once" "accepted $(cat many.res), passing $n"
kill $PID_many; wait $PID_many

# ---- --forward ---------------------------------------------------------------------
"$E" srv --listen 127.0.0.1:0 --hostname next.test --maildir "$TMP/next" > next.addr 2> next.err &
PIDS="$PIDS $!"; NEXT=$!
i=0; while [ $i -lt 100 ] && [ ! -s next.addr ]; do sleep 0.05; i=$((i + 1)); done
start fwd --forward "$(cat next.addr)"
r=$(send "$ADDR" 127.0.0.2 bounce@sender.test a.signed)
[ "$r" = ok ] && pass "--forward to ember srv: the next hop's 250" || fail "--forward: 250" "$r" "$(cat fwd.err)"
f=next/new/$(newest next)
grep -q '^Authentication-Results: mx.test; spf=pass' "$f" && pass "--forward: the next hop has our field" ||
	fail "--forward: our field at the next hop" "$(head -5 "$f")"
[ "$(grep -c '^Return-Path:' "$f")" = 1 ] && pass "--forward: no Return-Path of ours (the next hop's only)" ||
	fail "--forward: one Return-Path"
tail_same "--forward: the message byte for byte under the fields" a.signed "$f"
kill $PID_fwd; wait $PID_fwd
kill $NEXT; wait $NEXT 2>/dev/null

# sink OPTION WANT NAME: smtp-sink as the next hop, refusing the end of the data
sink() {
	SINK=$(dns_free_port)
	_u=; [ "$(id -u)" = 0 ] && _u="-u nobody"
	/usr/sbin/smtp-sink $_u $1 127.0.0.1:$SINK 10 > sink.out 2>&1 &
	SINKPID=$!; PIDS="$PIDS $SINKPID"
	sleep 0.3
	start fwd4 --forward 127.0.0.1:$SINK
	r=$(send "$ADDR" 127.0.0.2 bounce@sender.test a.signed)
	case $r in "$2"*) pass "$3" ;; *) fail "$3" "$r" "$(cat fwd4.err sink.out)" ;; esac
	kill $SINKPID 2>/dev/null; wait $SINKPID 2>/dev/null
	r=$(send "$ADDR" 127.0.0.2 bounce@sender.test a.signed)
	case $r in "451 data"*) pass "$3; then no next hop at all: 451" ;; *) fail "$3; no next hop: 451" "$r" ;; esac
	kill $PID_fwd4; wait $PID_fwd4
}
sink '-r .' '451 data 4.4.0 The next hop cannot take the message now: 45' \
	"--forward to smtp-sink answering 4xx to the data: 451 with its answer"
sink '-f .' '554 data 5.0.0 The next hop refused the message: 5' \
	"--forward to smtp-sink answering 5xx to the data: 554 with its answer"
sink '-Q data' '451 data' "--forward to smtp-sink closing with 421: 451"

# ---- STARTTLS, --max-size, stopping -----------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
	-subj /CN=mx.test > /dev/null 2>&1 || fail "openssl makes a certificate"
start tls --maildir "$TMP/mt" --tls-cert cert.pem --tls-key key.pem --max-size 20000
r=$($PYTHON - "$ADDR" a.signed <<'PY'
import smtplib, ssl, sys
h, p = sys.argv[1].rsplit(':', 1)
s = smtplib.SMTP(h, int(p), source_address=('127.0.0.2', 0), local_hostname='client.test')
s.starttls(context=ssl._create_unverified_context())
s.ehlo('client.test')
print('ok' if not s.sendmail('bounce@sender.test', ['u@rcpt.test'], open(sys.argv[2], 'rb').read()) else 'refused')
try:
    s.sendmail('bounce@sender.test', ['u@rcpt.test'], b'From: a@sender.test\r\n\r\n' + b'x' * 998 + b'\r\n' * 30 + b'y' * 30000)
    print('big accepted')
except smtplib.SMTPException as e:
    print(getattr(e, 'smtp_code', e))
s.quit()
PY
)
[ "$r" = "ok
552" ] && pass "STARTTLS: checked and stored; over --max-size: 552" || fail "STARTTLS and --max-size" "$r"
f=mt/new/$(newest mt)
grep -q 'with ESMTPS' "$f" && sed -n 2,4p "$f" | tr -d '\r\n' | grep -q 'dkim=pass.*dmarc=pass' &&
	pass "STARTTLS: Received says ESMTPS, the checks pass" || fail "STARTTLS: ESMTPS and pass" "$(head -12 "$f")"
kill $PID_tls; wait $PID_tls

# SIGTERM while a message waits for DNS: it gets 451, the receiver exits 0
start stop --maildir "$TMP/mq" --dns 127.0.0.1:$SLOWP
send "$ADDR" 127.0.0.2 bounce@slow.test slow.signed > stop.res &
SP=$!
sleep 0.5
kill $PID_stop; wait $PID_stop; rc=$?
wait $SP
case "$rc $(cat stop.res)" in "0 451 data"*) pass "SIGTERM while waiting for DNS: 451 to the client, exit 0" ;;
*) fail "SIGTERM while waiting for DNS" "rc $rc: $(cat stop.res)" "$(cat stop.err)" ;; esac

# ---- usage, exit statuses ------------------------------------------------------------
expect_err "no --maildir or --forward: 64" 64 "one of --maildir and --forward" -- "$E" receiver --listen 127.0.0.1:0
expect_err "--spf-reject without --enforce: 64" 64 "goes with --enforce" -- \
	"$E" receiver --listen 127.0.0.1:0 --maildir md --spf-reject
expect_err "cannot listen: 69" 69 "" -- "$E" receiver --listen 192.0.2.1:25 --maildir md
: > plainfile
expect_err "cannot create the Maildir: 73" 73 "plainfile/m" -- "$E" receiver --listen 127.0.0.1:0 --maildir plainfile/m
expect_err "an unreadable certificate: 66" 66 "" -- "$E" receiver --listen 127.0.0.1:0 --maildir md \
	--tls-cert no-such.pem
finish
