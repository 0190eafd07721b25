#!/bin/sh
# ember submit and ember send: against ember srv (STARTTLS required, a
# certificate made here, AUTH), against servers that refuse, stall or lack
# TLS; recipients from To/Cc/Bcc and Bcc removed; exit statuses; ember send
# through MX records served by knot on loopback (127.0.0.x).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../dns/knot.sh"
S=$BIN/ember-srv
U=$BIN/ember-submit
cd "$TMP" || exit 70
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; dns_stop; rm -rf "$TMP"' EXIT

start() {
	_name=$1; shift
	"$S" --hostname mx.test "$@" > "$TMP/$_name.addr" 2> "$TMP/$_name.err" &
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
printf 'alice:s3cret\n' > users
printf 's3cret\n' > pw
printf 'wrong\n' > badpw
printf 'From: Alice <alice@src.test>\r\nTo: b@dst.test, "C" <c@dst.test>\r\nCc: d@dst.test\r\nBcc: hidden@dst.test\r\nSubject: s\r\n\r\n.dot line\r\nbody\r\n' > msg
# what should arrive: the message without its Bcc field
grep -v '^Bcc:' msg > msg.nobcc

# ---- usage ---------------------------------------------------------------------------
expect_err "no --server: 64" 64 "server" -- "$U"
expect_err "--user without a password file: 64" 64 "go together" -- "$U" --server 127.0.0.1 --user u
expect_err "--user with --plain: 64" 64 "TLS" -- "$U" --server 127.0.0.1 --plain --user u --password-file pw
printf 'Subject: none\r\n\r\nx\r\n' > norcpt
expect_err "no recipients: 65" 65 "no recipients" -- sh -c "'$U' --server 127.0.0.1:1 < norcpt"
for o in $("$U" --help | grep -oE '^  +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
	m=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	grep -q -- "$m" "$ROOT/man/ember-submit.1" && pass "man page has $o" || fail "man page has $o"
done

# ---- against ember srv ---------------------------------------------------------------
start tls --listen 127.0.0.1:0 --pipe 'cat > "delivered.$$"' --tls-cert cert.pem --tls-key key.pem --auth-file users
expect "STARTTLS, verified with --cafile, AUTH PLAIN: 0" 0 "" -- sh -c "'$U' --server $ADDR --cafile cert.pem --user alice --password-file pw < msg"
f=$(ls delivered.* 2>/dev/null | head -1)
if [ -n "$f" ]; then
	tail -n +4 "$f" > got
	same_bytes "delivered byte for byte, Bcc removed" msg.nobcc got
	grep -q 'with ESMTPSA' "$f" && pass "the server saw TLS and AUTH (ESMTPSA)" || fail "ESMTPSA" "$(sed -n 2,3p "$f")"
	rm -f delivered.*
else
	fail "delivered byte for byte, Bcc removed" "nothing delivered"
fi
expect_err "a wrong password: 77, the server's reply" 77 "AUTH refused: 535" -- sh -c "'$U' --server $ADDR --insecure --user alice --password-file badpw < msg"
expect_err "an unverified certificate: 69, no message" 69 "TLS: certificate verify failed" -- sh -c "'$U' --server $ADDR < msg"
[ -z "$(ls delivered.* 2>/dev/null)" ] && pass "nothing sent over an unverified connection" || fail "nothing sent unverified"
stop $PID

start clear --listen 127.0.0.1:0 --maildir clearmd --domain dst.test
expect_err "--starttls (the default) to a server without it: 69, no fallback" 69 "STARTTLS unavailable" -- sh -c "'$U' --server $ADDR < msg"
[ -z "$(ls clearmd/new)" ] && pass "nothing sent in clear" || fail "nothing sent in clear"
expect "--plain: 0" 0 "" -- sh -c "'$U' --server $ADDR --plain < msg"
grep -c '' clearmd/new/* >/dev/null 2>&1 && pass "--plain delivers" || fail "--plain delivers"
printf 'From: a@src.test\r\nTo: b@dst.test, x@elsewhere.test\r\n\r\nx\r\n' > mixed
expect_err "one recipient refused: 69, named with the reply" 69 "x@elsewhere.test: refused: 550 5.7.1" -- sh -c "'$U' --server $ADDR --plain < mixed"
expect "--to overrides the header; --sender" 0 "" -- sh -c "'$U' --server $ADDR --plain --to '<b@dst.test>' --sender '<>' < mixed"
grep -l '^Return-Path: <>' clearmd/new/* >/dev/null && pass "--sender '<>': the null sender" || fail "null sender"
# a message of 3 MB: the body goes out whole before a reply is awaited
$PYTHON -c '
import sys
sys.stdout.buffer.write(b"From: a@src.test\r\nTo: b@dst.test\r\nSubject: big\r\n\r\n" + (b"b" * 78 + b"\r\n") * 37500)' > big
expect "a 3 MB message: 0 within --timeout 3" 0 "" -- sh -c "'$U' --server $ADDR --plain --timeout 3 < big"
grep -l '^Subject: big' clearmd/new/* > /dev/null 2>&1 && pass "the 3 MB message is stored" || fail "the 3 MB message is stored"
printf 'From: a@src.test\r\nFrom: b@src.test\r\nTo: b@dst.test\r\n\r\nx\r\n' > twofrom
expect_err "two From fields and no --sender: 65" 65 "no sender" -- sh -c "'$U' --server $ADDR --plain < twofrom"
stop $PID

# a server that accepts and never speaks: a timeout, 75
$PYTHON -c '
import socket, time, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); time.sleep(10)' > mute.port &
MP=$!; PIDS="$PIDS $MP"
i=0; while [ $i -lt 100 ] && [ ! -s mute.port ]; do sleep 0.05; i=$((i + 1)); done
expect_err "a server that never answers: 75 after --timeout" 75 "timeout" -- sh -c "'$U' --server 127.0.0.1:$(cat mute.port) --plain --timeout 1 < msg"
kill $MP 2>/dev/null
# a server that closes after its 220 to STARTTLS: a clean failure, no busy loop
$PYTHON -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); f = c.makefile("rb")
c.sendall(b"220 fake\r\n"); f.readline()
c.sendall(b"250-fake\r\n250 STARTTLS\r\n"); f.readline()
c.sendall(b"220 go ahead\r\n"); c.shutdown(socket.SHUT_WR)
import time; time.sleep(8)' > closer.port &
CP=$!; PIDS="$PIDS $CP"
i=0; while [ $i -lt 100 ] && [ ! -s closer.port ]; do sleep 0.05; i=$((i + 1)); done
t0=$(date +%s)
timeout 6 "$U" --server 127.0.0.1:$(cat closer.port) --insecure --timeout 2 < msg > /dev/null 2> closer.err; rc=$?
t1=$(date +%s)
[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $((t1 - t0)) -le 3 ] &&
	pass "a server gone after STARTTLS's 220: exit $rc at once ($(cat closer.err))" ||
	fail "a server gone after STARTTLS's 220" "rc $rc, $((t1 - t0)) s"
kill $CP 2>/dev/null
expect_err "a refused connection: 69" 69 "cannot connect" -- sh -c "'$U' --server 127.0.0.1:1 --plain < msg"

# ---- ember send, MX on loopback --------------------------------------------------------
dns_line 'a.test. MX 10 mx1.a.test.'
dns_line 'a.test. MX 5 mx0.a.test.'
dns_line 'mx0.a.test. A 127.0.0.9'
dns_line 'mx1.a.test. A 127.0.0.2'
dns_line 'b.test. A 127.0.0.2'
dns_line 'null.test. MX 0 .'
if dns_start; then
	start mx --listen 127.0.0.2:0 --maildir mxmd --tls-cert cert.pem --tls-key key.pem --domain a.test --domain b.test
	port=${ADDR##*:}
	printf 'From: s@src.test\r\nTo: x@a.test, y@B.test\r\nCc: z@null.test, w@nx.test\r\nBcc: v@a.test\r\n\r\nhi\r\n' > smsg
	"$BIN/ember-send" --port "$port" --timeout 3 < smsg > send.out 2> send.err; rc=$?
	[ $rc -eq 69 ] && pass "ember send: 69 when a recipient is refused" || fail "ember send status" "$rc $(cat send.err)"
	grep -q '^x@a.test: sent: mx1.a.test: 250' send.out && pass "ember send: MX by preference, the unreachable one skipped" ||
		fail "ember send: MX" "$(cat send.out)"
	grep -q '^y@B.test: sent: b.test: 250' send.out && pass "ember send: no MX, the domain's own address" ||
		fail "ember send: implicit MX" "$(cat send.out)"
	grep -q '^z@null.test: refused: .*null MX' send.out && pass "ember send: null MX refused" || fail "null MX"
	grep -q '^w@nx.test: refused: no such domain' send.out && pass "ember send: NXDOMAIN refused" || fail "NXDOMAIN"
	grep -q '^v@a.test: sent' send.out && pass "ember send: Bcc recipients get it" || fail "Bcc recipient"
	n=$(ls mxmd/new | wc -l)
	[ "$n" -eq 2 ] && pass "ember send: one transaction per domain (2 messages)" || fail "transactions" "$n"
	grep -l 'with ESMTPS' mxmd/new/* | wc -l | grep -q 2 && pass "ember send: opportunistic STARTTLS used" ||
		fail "opportunistic STARTTLS"
	grep -l '^Bcc:' mxmd/new/* >/dev/null 2>&1 && fail "Bcc removed" || pass "ember send: Bcc removed"
	stop $PID
else
	skip "ember send" "knot did not start"
fi
finish
