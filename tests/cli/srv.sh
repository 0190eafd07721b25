#!/bin/sh
# ember srv: delivery byte for byte (Return-Path and Received on top), the
# stores (Maildir, mbox, --pipe and its statuses), recipient domains, and
# the security cases: the smuggling sequences, STARTTLS with pipelined
# plaintext, AUTH before TLS, 1 MB command lines, 10,000 RCPTs, silent
# clients (timeouts), 1,000 connections held, --max-clients; and nothing
# lost: messages under load, SIGKILL, every 250 complete in the Maildir.
. "$(dirname "$0")/lib.sh"
S=$BIN/ember-srv
PROBE="$PYTHON $ROOT/tests/cli/smtp_probe.py"
cd "$TMP" || exit 70
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$TMP"' EXIT

# start NAME ARGS...: ember srv on a free port; $ADDR, $PID
start() {
	_name=$1; shift
	"$S" --listen 127.0.0.1:0 --hostname mx.test "$@" > "$TMP/$_name.addr" 2> "$TMP/$_name.err" &
	PID=$!
	PIDS="$PIDS $PID"
	_i=0
	while [ $_i -lt 100 ] && [ ! -s "$TMP/$_name.addr" ]; do sleep 0.05; _i=$((_i + 1)); done
	ADDR=$(cat "$TMP/$_name.addr")
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 ||
	{ echo "openssl failed"; exit 70; }
printf 'alice:s3cret\n# a comment\n\nbob:b0b\n' > users

# ---- usage ----------------------------------------------------------------------------
expect_err "no --listen is a usage error" 64 "listen" -- "$S" --maildir md
expect_err "two stores is a usage error" 64 "one of" -- "$S" --listen 127.0.0.1:0 --maildir md --mbox m
expect_err "a bad number is a usage error" 64 "max-size" -- "$S" --listen 127.0.0.1:0 --maildir md --max-size x
expect_err "cannot listen: 69" 69 "" -- "$S" --listen 192.0.2.1:25 --maildir md
for o in $("$S" --help | grep -oE '^  +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
	m=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	grep -q -- "$m" "$ROOT/man/ember-srv.1" && pass "man page has $o" || fail "man page has $o"
done

# ---- delivery ---------------------------------------------------------------------------
start plain --maildir md
[ -d md/new ] && [ -d md/cur ] && [ -d md/tmp ] && pass "the Maildir is made" || fail "the Maildir is made"
printf 'From: a@src.test\r\nTo: b@dst.test\r\nSubject: one\r\n\r\n.dot\r\n..two\r\nbody\r\n' > msg1
$PYTHON - "$ADDR" <<'EOF' > out1
import smtplib, sys
h, p = sys.argv[1].rsplit(':', 1)
s = smtplib.SMTP(h, int(p))
s.ehlo('client.test')
r = s.sendmail('a@src.test', ['b@dst.test'], open('msg1', 'rb').read())
print('refused', r)
s.quit()
EOF
grep -q "refused {}" out1 && pass "smtplib: 250" || fail "smtplib: 250" "$(cat out1)"
f=$(ls md/new | head -1)
[ "$(ls md/new | wc -l)" -eq 1 ] && pass "one message in new/" || fail "one message in new/"
head -1 "md/new/$f" | grep -q '^Return-Path: <a@src.test>' && pass "Return-Path first" ||
	fail "Return-Path first" "$(head -1 "md/new/$f")"
sed -n 2p "md/new/$f" | grep -q '^Received: from client.test (\[127.0.0.1\]) by mx.test (ember) with ESMTP' &&
	pass "Received: from the HELO name and address, by us, with ESMTP" || fail "Received" "$(sed -n 2,3p "md/new/$f")"
grep -q 'for <b@dst.test>;' "md/new/$f" && pass "Received: for the one recipient" || fail "Received: for"
# the rest: byte for byte (the Received field is folded on two lines)
tail -n +4 "md/new/$f" > rest1
same_bytes "the message is stored byte for byte under the two fields" msg1 rest1
stop $PID

# ---- --mbox, --pipe -----------------------------------------------------------------------
start mbox --mbox mb
$PYTHON -c "
import smtplib; s = smtplib.SMTP('${ADDR%:*}', ${ADDR##*:}); s.sendmail('a@src.test', ['b@dst.test'], open('msg1','rb').read()); s.quit()" &&
	head -1 mb | grep -q '^From a@src.test ' && grep -q '^Subject: one' mb && pass "--mbox appends (mboxrd)" ||
	fail "--mbox appends" "$(head -3 mb)"
stop $PID
for st in 0 75 1; do
	start pipe$st --pipe "cat > piped.$st; exit $st"
	$PYTHON - "$ADDR" > pipe.out 2>&1 <<'EOF'
import smtplib, sys
h, p = sys.argv[1].rsplit(':', 1)
s = smtplib.SMTP(h, int(p))
try:
    s.sendmail('a@src.test', ['b@dst.test'], b'Subject: p\r\n\r\nx\r\n')
    print(250)
except smtplib.SMTPDataError as e:
    print(e.smtp_code)
EOF
	want=250; [ $st = 75 ] && want=451; [ $st = 1 ] && want=554
	[ "$(cat pipe.out)" = $want ] && pass "--pipe: exit $st gives $want" || fail "--pipe: exit $st gives $want" "$(cat pipe.out)"
	stop $PID
done
grep -q '^Return-Path: <a@src.test>' piped.0 && tail -1 piped.0 | grep -q '^x' &&
	pass "--pipe: the command reads the message on stdin" || fail "--pipe: the command reads the message"

# ---- policy ------------------------------------------------------------------------------
start dom --maildir md2 --domain dst.test --domain Other.Test
$PYTHON - "$ADDR" > dom.out <<'EOF'
import smtplib, sys
h, p = sys.argv[1].rsplit(':', 1)
s = smtplib.SMTP(h, int(p)); s.ehlo('x'); s.mail('a@src.test')
print(s.rcpt('b@dst.test')[0], s.rcpt('c@other.test')[0], s.rcpt('d@elsewhere.test')[0], s.rcpt('Postmaster')[0])
s.quit()
EOF
[ "$(cat dom.out)" = "250 250 550 250" ] && pass "--domain: others refused (550 5.7.1)" || fail "--domain" "$(cat dom.out)"
stop $PID

# ---- security ---------------------------------------------------------------------------
SEQS=$TESTDATA/smtp/smuggling-eod-sequences.json
if [ -f "$SEQS" ]; then
	start smug --maildir smug
	start smugn --maildir smugn --normalise
	NADDR=$ADDR
	ADDR=$(cat "$TMP/smug.addr")
	n=0 ok=0 okn=0
	for hex in $($PYTHON -c "import json,sys; print(' '.join(s['hex'] for s in json.load(open(sys.argv[1]))['sequences']))" "$SEQS"); do
		n=$((n + 1))
		r=$($PROBE smuggle "$ADDR" "$hex")
		[ "$r" = "220 250 250 250 354 550 221" ] && ok=$((ok + 1)) || echo "  $hex: $r"
		r=$($PROBE smuggle "$NADDR" "$hex")
		case $hex in *00*) w="220 250 250 250 354 550 221" ;; *) w="220 250 250 250 354 250 221" ;; esac
		[ "$r" = "$w" ] && okn=$((okn + 1)) || echo "  normalised $hex: $r"
	done
	[ $n -eq 12 ] && [ $ok -eq $n ] && [ -z "$(ls smug/new)" ] &&
		pass "smuggling: each of the 12 sequences refused (550), nothing stored" ||
		fail "smuggling: refused" "$ok of $n; stored: $(ls smug/new | wc -l)"
	nm=$(ls smugn/new | wc -l)
	ns=$(grep -l '^MAIL FROM:<ceo@victim.test>' smugn/new/* 2>/dev/null | wc -l)
	[ $okn -eq $n ] && [ "$nm" -eq 10 ] && [ "$ns" -eq 10 ] &&
		pass "smuggling, --normalise: one message each (the smuggled one is its text), NUL refused" ||
		fail "smuggling, --normalise" "$okn of $n; messages $nm, with the text $ns"
	stop $PID
	stop "$(echo $PIDS | awk '{print $(NF-1)}')"
else
	skip "smuggling" "no $SEQS"
fi

start tls --maildir tlsmd --tls-cert cert.pem --tls-key key.pem --auth-file users --timeout 1 --data-timeout 1
r=$($PROBE starttls-inject "$ADDR" cert.pem 2>&1)
[ "$r" = "220 250 220 250 503 221" ] && pass "STARTTLS: the plaintext MAIL pipelined after it is not run" ||
	fail "STARTTLS injection" "$r"
r=$($PROBE auth-clear "$ADDR" 2>&1)
[ "$r" = "auth-offered=0 starttls=1 auth=538" ] && pass "AUTH before TLS: not offered, refused (538)" ||
	fail "AUTH before TLS" "$r"
r=$($PROBE tls-bdat-pipelined "$ADDR" cert.pem 600000 2>&1)
[ "$r" = "220 250 220 250 250 250 250 250 250 250 221" ] &&
	[ "$(grep -l 'Subject: two' tlsmd/new/* 2>/dev/null | wc -l)" = 1 ] &&
	pass "TLS: a 600 kB BDAT pipelined behind a message being committed waits and is stored" ||
	fail "TLS pipelined BDAT" "$r"
r=$($PROBE silent "$ADDR" 2>&1)
case $r in "421 closed=1 secs="[12]) pass "a silent client: 421 after --timeout 1, closed" ;; *) fail "silent client" "$r" ;; esac
stop $PID

start limits --maildir limmd --max-clients 1100
r=$($PROBE bigline "$ADDR" 2>&1)
[ "$r" = "500 250" ] && pass "a 1 MB command line: 500, the session goes on" || fail "1 MB line" "$r"
r=$($PROBE rcpts "$ADDR" 10000 2>&1)
[ "$r" = "250=1000 452=9000 last=250" ] && pass "10,000 RCPTs: 1000 taken, 9000 get 452, the session goes on" ||
	fail "10,000 RCPTs" "$r"
r=$($PROBE many "$ADDR" 1000 2>&1)
[ "$r" = "greeted=1000 noop=1000" ] && pass "1,000 connections held at once, each served" || fail "1,000 connections" "$r"
stop $PID
start few --maildir fewmd --max-clients 3
r=$($PROBE many "$ADDR" 4 2>&1)
[ "$r" = "greeted=3 noop=3" ] && pass "--max-clients 3: the 4th gets 421" || fail "--max-clients" "$r"
stop $PID

# gone after STARTTLS, before the handshake: freed (no busy loop, no slot
# kept); a client that never reads: closed once its last replies waited a
# whole --timeout
start gone --maildir gonemd --max-clients 1 --tls-cert cert.pem --tls-key key.pem --timeout 1
r=$($PROBE tls-gone "$ADDR" 2>&1)
t0=$(awk '{print $14 + $15}' /proc/$PID/stat)
sleep 1.5
t1=$(awk '{print $14 + $15}' /proc/$PID/stat)
b=$($PROBE banner "$ADDR" 2>&1)
[ "$r" = "220 250 220" ] && [ $((t1 - t0)) -lt 30 ] && [ "$b" = 220 ] &&
	pass "gone after STARTTLS's 220: no busy loop ($((t1 - t0)) ticks in 1.5 s), the slot is free" ||
	fail "gone after STARTTLS" "$r; $((t1 - t0)) ticks; banner $b"
r=$($PROBE stuck "$ADDR" 4 2>&1)
[ "$r" = 220 ] && pass "a client that never reads is closed after --timeout: the slot is free again" ||
	fail "a stuck client keeps its slot" "$r"
stop $PID

# ---- nothing lost: load, SIGKILL, every 250 complete -------------------------------------
start load --maildir loadmd
( $PROBE load "$ADDR" acked 4 8 ) &
LP=$!
sleep 1.5
kill -KILL "$PID"
wait "$PID" 2>/dev/null
wait $LP
r=$($PROBE check-load loadmd acked)
case $r in
"acked=0 "*) fail "SIGKILL under load" "no message was acknowledged: $r" ;;
*" missing=0 partial=0") pass "SIGKILL under load: every message that got 250 is complete ($r)" ;;
*) fail "SIGKILL under load" "$r" ;;
esac
# a client that sends commands and never reads the replies: the server
# stops reading it once its replies pile up, so its memory stays bounded
start noread --maildir md-noread
$PYTHON - "$ADDR" <<'EOF' > noread.out
import socket, sys, time
h, p = sys.argv[1].rsplit(':', 1)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((h, int(p))); s.settimeout(0.01)
end = time.time() + 3; sent = 0
while time.time() < end:
    try: sent += s.send(b'NOOP\r\n' * 1000)
    except socket.timeout: pass
print(sent)
EOF
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$PID/status 2>/dev/null)
if [ -n "$rss" ] && [ "$rss" -lt 65536 ]; then pass "a client that never reads: ${rss} kB resident after $(cat noread.out) bytes"
else fail "a client that never reads: memory bounded" "rss=${rss:-?} kB"; fi
stop $PID
finish
