#!/bin/sh
# SMTP against real peers: swaks against ember srv (STARTTLS, AUTH PLAIN);
# Python's smtplib one command at a time and a pipelining client; ember
# submit against Postfix's smtp-sink (with and without PIPELINING and
# 8BITMIME) and against Python's aiosmtpd (STARTTLS and implicit TLS, AUTH).
# Every delivered message byte-identical to what was sent, but for the
# fields prepended.
SUITE=interop-smtp
. "$(dirname "$0")/../cli/lib.sh"
S=$BIN/ember-srv
U=$BIN/ember-submit
cd "$TMP" || exit 70
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$TMP"' EXIT

start() {
	_name=$1; shift
	"$S" --listen 127.0.0.1:0 --hostname mx.test "$@" > "$TMP/$_name.addr" 2> "$TMP/$_name.err" &
	PID=$!
	PIDS="$PIDS $PID"
	_i=0
	while [ $_i -lt 100 ] && [ ! -s "$TMP/$_name.addr" ]; do sleep 0.05; _i=$((_i + 1)); done
	ADDR=$(cat "$TMP/$_name.addr")
}
# the message as stored, without Return-Path and our (two-line) Received
body_of() { tail -n +4 "$1"; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 ||
	{ echo "openssl failed"; exit 70; }
printf 'alice:s3cret\n' > users
printf 's3cret\n' > pw
printf 'From: a@src.test\r\nTo: b@dst.test\r\nSubject: interop\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n.a line with a dot\r\n..two dots\r\n\r\nt\303\251l\303\251phone\r\n.\r\nend\r\n' > msg

# ---- swaks -> ember srv: STARTTLS and AUTH PLAIN ------------------------------------
if command -v swaks >/dev/null 2>&1; then
	start swaks --maildir sw --tls-cert cert.pem --tls-key key.pem --auth-file users
	swaks --server "${ADDR%:*}" --port "${ADDR##*:}" --tls --auth PLAIN --auth-user alice --auth-password s3cret \
		--from a@src.test --to b@dst.test --data @msg > swaks.out 2>&1; rc=$?
	[ $rc -eq 0 ] && pass "swaks: STARTTLS, AUTH PLAIN, accepted" || fail "swaks" "$(tail -5 swaks.out)"
	grep -q '<~  235 2.7.0' swaks.out && pass "swaks: 235 over TLS" || fail "swaks: 235 over TLS"
	f=$(ls sw/new | head -1)
	if [ -n "$f" ]; then
		body_of "sw/new/$f" > got
		# swaks sends its data, then CRLF "." CRLF: one more CRLF than the file
		{ cat msg; printf '\r\n'; } > msg.swaks
		same_bytes "swaks: stored byte for byte (with the CRLF swaks adds before the dot)" msg.swaks got
		grep -q 'with ESMTPSA' "sw/new/$f" && pass "swaks: Received says ESMTPSA" || fail "swaks: ESMTPSA"
	else
		fail "swaks: stored byte for byte" "nothing stored"
	fi
	swaks --server "${ADDR%:*}" --port "${ADDR##*:}" --auth PLAIN --auth-user alice --auth-password s3cret \
		--from a@src.test --to b@dst.test --data @msg > swaks2.out 2>&1
	grep -q 'Host did not advertise authentication' swaks2.out && [ "$(ls sw/new | wc -l)" -eq 1 ] &&
		pass "swaks without TLS: no AUTH offered, nothing taken" || fail "swaks without TLS" "$(tail -3 swaks2.out)"
	kill $PID
else
	skip "swaks" "not installed"
fi

# ---- smtplib -> ember srv: one at a time, then pipelined -----------------------------
start py --maildir pymd
$PYTHON - "$ADDR" <<'PY' > py.out 2>&1
import smtplib, socket, sys
host, port = sys.argv[1].rsplit(':', 1)
msg = open('msg', 'rb').read()
s = smtplib.SMTP(host, int(port)); s.ehlo('py.test')
assert s.has_extn('pipelining') and s.has_extn('8bitmime') and s.has_extn('smtputf8')
print('smtplib', s.sendmail('a@src.test', ['b@dst.test', 'c@dst.test'], msg, mail_options=['BODY=8BITMIME']))
s.quit()
# pipelined: everything in one write, the replies read after
def stuff(m):
    out = []
    for l in m.split(b'\r\n')[:-1]:
        out.append((b'.' + l) if l.startswith(b'.') else l)
    return b'\r\n'.join(out) + b'\r\n'
c = socket.create_connection((host, int(port)))
f = c.makefile('rb')
c.sendall(b'EHLO py.test\r\nMAIL FROM:<a@src.test> BODY=8BITMIME\r\nRCPT TO:<b@dst.test>\r\nDATA\r\n' +
          stuff(msg) + b'.\r\nQUIT\r\n')
codes = []
while True:
    l = f.readline()
    if not l: break
    if l[3:4] != b'-': codes.append(int(l[:3]))
print('pipelined', codes)
PY
grep -q '^smtplib {}' py.out && pass "smtplib: both recipients taken" || fail "smtplib" "$(cat py.out)"
grep -q "^pipelined \[220, 250, 250, 250, 354, 250, 221\]" py.out && pass "pipelined: every reply in order" ||
	fail "pipelined" "$(cat py.out)"
n=0
for f in pymd/new/*; do body_of "$f" > got; cmp -s msg got && n=$((n + 1)); done
[ $n -eq 2 ] && pass "smtplib and pipelined: both stored byte for byte" || fail "stored byte for byte" "$n of 2"
kill $PID

# ---- ember submit -> Postfix smtp-sink ---------------------------------------------------
if [ -x /usr/sbin/smtp-sink ]; then
	SP=$($PYTHON -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	for flags in "" "-p" "-8"; do
		/usr/sbin/smtp-sink -u nobody $flags -c "127.0.0.1:$SP" 10 > sink.out 2>&1 &
		SK=$!; PIDS="$PIDS $SK"
		sleep 0.3
		"$U" --server "127.0.0.1:$SP" --plain --helo submit.test < msg > sub.out 2> sub.err; rc=$?
		case "$flags" in
		-8) [ $rc -eq 69 ] && grep -q '8BITMIME' sub.err &&
			pass "submit -> smtp-sink -8: an 8-bit message fails cleanly without 8BITMIME" ||
			fail "smtp-sink -8" "$rc $(cat sub.err)" ;;
		*) [ $rc -eq 0 ] && pass "submit -> smtp-sink ${flags:-(pipelining)}: accepted" ||
			fail "smtp-sink $flags" "$rc $(cat sub.err)" ;;
		esac
		kill $SK; wait $SK 2>/dev/null
	done
else
	skip "smtp-sink" "postfix not installed"
fi

# ---- ember submit -> aiosmtpd: STARTTLS and implicit TLS, AUTH ---------------------------
if $PYTHON -c 'import aiosmtpd' 2>/dev/null; then
	for mode in starttls implicit; do
		mkdir -p "aio-$mode"
		$PYTHON "$ROOT/tests/interop/smtp_aio.py" cert.pem key.pem "aio-$mode" $([ $mode = implicit ] && echo --implicit) > aio.port 2> aio.err &
		AP=$!; PIDS="$PIDS $AP"
		i=0; while [ $i -lt 100 ] && [ ! -s aio.port ]; do sleep 0.05; i=$((i + 1)); done
		port=$(cat aio.port)
		opt=--starttls; [ $mode = implicit ] && opt=--tls
		printf 'From: a@src.test\r\nTo: b@dst.test\r\nCc: c@dst.test\r\nBcc: h@dst.test\r\nSubject: aio\r\n\r\n.dot\r\nline\r\n' > amsg
		grep -v '^Bcc:' amsg > amsg.nobcc
		"$U" --server "127.0.0.1:$port" $opt --cafile cert.pem --user alice --password-file pw < amsg 2> asub.err; rc=$?
		[ $rc -eq 0 ] && pass "submit -> aiosmtpd ($mode, AUTH): accepted" || fail "aiosmtpd $mode" "$rc $(cat asub.err) $(tail -3 aio.err)"
		[ -f "aio-$mode/msg.0" ] && same_bytes "aiosmtpd ($mode): byte for byte, Bcc removed" amsg.nobcc "aio-$mode/msg.0" ||
			fail "aiosmtpd ($mode): byte for byte" "nothing stored"
		[ "$(cat "aio-$mode/env.0" 2>/dev/null | tr '\n' ' ')" = "a@src.test b@dst.test c@dst.test h@dst.test " ] &&
			pass "aiosmtpd ($mode): envelope from From, To, Cc and Bcc" || fail "aiosmtpd envelope" "$(cat "aio-$mode/env.0")"
		printf 'bad\n' > badpw
		"$U" --server "127.0.0.1:$port" $opt --cafile cert.pem --user alice --password-file badpw < amsg 2> asub.err; rc=$?
		[ $rc -eq 77 ] && pass "submit -> aiosmtpd ($mode): a refused AUTH is 77" || fail "aiosmtpd refused AUTH" "$rc $(cat asub.err)"
		kill $AP; wait $AP 2>/dev/null
		: > aio.port
	done
else
	skip "aiosmtpd" "python3-aiosmtpd not installed"
fi
finish
