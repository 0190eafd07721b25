#!/bin/sh
# ember relay: usage and map errors; a message for alias@our.test mapped by
# a pattern arrives at dst.test's MX (ember srv on 127.0.0.5) byte for byte
# below the relay's Received; two recipients of one destination in one
# transaction; a 4xx from the MX (smtp-sink -r) retried and delivered once
# the MX takes it; a 5xx (smtp-sink -f) gives a DSN at the sender's MX,
# read with Python's email package; a null sender's failure gives none;
# SIGKILL after the 250 with the MX down, restart on the same queue:
# delivered; DKIM signatures of ours verified by ember dkim verify and
# dkimpy, a foreign signature still valid after the relay; relaying denied.
# DNS from knot on loopback; every MX on 127.0.0.x.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../dns/knot.sh"
R=$BIN/ember-relay
S=$BIN/ember-srv
PY=$PYTHON
cd "$TMP" || exit 70
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; dns_stop; rm -rf "$TMP"' EXIT

crlf() { sed 's/$/\r/'; }
wait_for() {  # FILE PATTERN [TRIES of 0.1 s]
	_i=0
	while [ $_i -lt "${3:-100}" ] && ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.1; _i=$((_i + 1)); done
	grep -q "$2" "$1" 2>/dev/null
}
start_srv() {  # NAME ADDR:PORT ARGS...
	_n=$1; shift
	"$S" --hostname "$_n.test" --listen "$@" > "$_n.addr" 2> "$_n.err" &
	PID=$!; PIDS="$PIDS $PID"
	wait_for "$_n.addr" . 50
}
start_relay() {  # LOGNAME ARGS...
	_n=$1; shift
	: > "$_n.addr"
	"$R" --listen 127.0.0.1:0 --domain our.test --domain Our2.test --hostname relay.test \
		--mx-port "$P" --dns "$DNS" "$@" > "$_n.addr" 2>> "$_n.log" &
	RPID=$!; PIDS="$PIDS $RPID"
	wait_for "$_n.addr" . 50
	RADDR=$(cat "$_n.addr")
}
# send ADDR FROM RCPT[,RCPT...] FILE: the SMTP replies, one line each, via smtplib
send() {
	"$PY" - "$@" <<'EOF'
import os, smtplib, ssl, sys
host, port = sys.argv[1].rsplit(":", 1)
s = smtplib.SMTP(host, int(port), timeout=10)
s.ehlo("client.test")
if os.environ.get("SEND_USER"):
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    s.starttls(context=ctx); s.ehlo("client.test")
    s.login(os.environ["SEND_USER"], os.environ["SEND_PASS"])
code, _ = s.mail(sys.argv[2]); print("MAIL", code)
ok = 0
for r in sys.argv[3].split(","):
    code, text = s.rcpt(r); print("RCPT", r, code, text.decode()); ok += code // 100 == 2
if ok:
    code, text = s.data(open(sys.argv[4], "rb").read()); print("DATA", code, text.decode())
s.quit()
EOF
}
# below NAME FILE ORIGINAL N: FILE ends with ORIGINAL, above it exactly N fields
below() {
	if "$PY" - "$2" "$3" "$4" <<'EOF'
import sys
got = open(sys.argv[1], "rb").read(); orig = open(sys.argv[2], "rb").read()
if not got.endswith(orig): sys.exit("not a suffix")
top = got[:-len(orig)].decode()
lines = top.split("\r\n")
if lines[-1] != "" or "" in lines[:-1]: sys.exit("a blank line above the message")
n = sum(1 for l in lines[:-1] if not l[0] in " \t")
if n != int(sys.argv[3]): sys.exit("%d fields above, not %s:\n%s" % (n, sys.argv[3], top))
EOF
	then pass "$1"; else fail "$1" "$(head -c 600 "$2")"; fi
}

P=$(dns_free_port)

# ---- usage and configuration ------------------------------------------------------------
expect_err "no --listen: 64" 64 "listen" -- "$R" --domain our.test
expect_err "no --domain: 64" 64 "domain" -- "$R" --listen 127.0.0.1:0
expect_err "--dkim-key without --dkim-selector: 64" 64 "together" -- "$R" --listen 127.0.0.1:0 --domain d.test --dkim-key k
expect_err "an unreadable map: 66" 66 "nosuch.map" -- "$R" --listen 127.0.0.1:0 --domain d.test --map nosuch.map
printf '# aliases\n\na@our.test b@dst.test\n/^(.*)@our\\.test$/ $1@dst.test\n/^(unclosed@our.test x@y\n' > bad1.map
expect_err "a pattern without its closing slash: map:5, 78" 78 "^ember relay: map:5: .*closing" -- "$R" --listen 127.0.0.1:0 --domain d.test --map bad1.map
printf '/^(.*@our.test$/ $1@dst.test\n' > bad2.map
expect_err "a pattern PCRE2 refuses: map:1, 78" 78 "^ember relay: map:1: the pattern: .*parenthes" -- "$R" --listen 127.0.0.1:0 --domain d.test --map bad2.map
printf 'a@our.test\n' > bad3.map
expect_err "an address without a target: 78" 78 "map:1: an address without a result" -- "$R" --listen 127.0.0.1:0 --domain d.test --map bad3.map
printf '/^(.*)@our.test$/ $x@dst.test\n' > bad4.map
expect_err "a bad substitution: 78" 78 "map:1: '\\\$' must be" -- "$R" --listen 127.0.0.1:0 --domain d.test --map bad4.map
printf 'x@our.test y@dst.test\n/(.*)@our.test/q z@dst.test\n' > bad5.map
expect_err "an unknown pattern flag: 78" 78 "map:2: an unknown pattern flag" -- "$R" --listen 127.0.0.1:0 --domain d.test --map bad5.map
touch q.file
expect_err "a queue that cannot be made: 73" 73 "q.file" -- "$R" --listen 127.0.0.1:0 --domain d.test --queue q.file/sub

# ---- DNS and the exchangers ----------------------------------------------------------------
"$BIN/ember-dkim" keygen -t rsa -b 2048 -d our.test -s sel -o key > /dev/null || { fail "keygen"; finish; exit; }
"$BIN/ember-dkim" keygen -t ed25519 -d far.test -s far -o farkey > /dev/null || { fail "keygen"; finish; exit; }
dns_line "$(cat key.txt)"
dns_line "$(cat farkey.txt)"
dns_line 'dst.test. MX 10 mx.dst.test.'
dns_line 'mx.dst.test. A 127.0.0.5'
dns_line 'src.test. MX 10 mx.src.test.'
dns_line 'mx.src.test. A 127.0.0.6'
dns_line 'soft.test. MX 10 mx.soft.test.'
dns_line 'mx.soft.test. A 127.0.0.7'
dns_line 'hard.test. MX 10 mx.hard.test.'
dns_line 'mx.hard.test. A 127.0.0.8'
dns_line 'down.test. A 127.0.0.9'
dns_line 'gone.test. A 127.0.0.10'
dns_line 'mute.test. A 127.0.0.11'
dns_start || { fail "knot starts"; finish; exit; }
# (dns_start sets its own trap: ours again, the servers too)
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; dns_stop; rm -rf "$TMP"' EXIT

cat > relay.map <<'EOF'
# exact addresses first, then patterns (first match wins)
team@our.test      u1@dst.test, u2@dst.test
soft@our.test      x@soft.test
hard@our.test      x@hard.test
down@our.test      later@down.test
/^list-([a-z]+)@our2\.test$/   $1@dst.test
/^(.*)@our\.test$/             ${1}-fwd@dst.test
EOF
start_srv dst "127.0.0.5:$P" --maildir dst || { fail "ember srv on 127.0.0.5:$P" "$(cat dst.err)"; finish; exit; }
start_srv src "127.0.0.6:$P" --maildir src || { fail "ember srv on 127.0.0.6:$P"; finish; exit; }
start_relay relay --map relay.map --queue q --retry 1 --dkim-key key.key --dkim-selector sel ||
	{ fail "ember relay starts" "$(cat relay.log)"; finish; exit; }
pass "ember relay starts and prints its address"
MAIN=$RPID MAINADDR=$RADDR

# ---- a pattern, byte for byte ---------------------------------------------------------------------
crlf > m1 <<'EOF'
From: Somebody <somebody@far.test>
To: alias@our.test
Subject: one
Message-ID: <m1@far.test>

Hello,
.a dot line, and trailing spaces   
EOF
# signed by its own domain on the way in: the relay must keep it valid
"$BIN/ember-dkim" sign -d far.test -s far -k farkey.key m1 > m1.signed
send "$RADDR" somebody@far.test alias@our.test m1.signed > s1.out
grep -q '^DATA 250' s1.out && pass "the relay queues the message (250)" || fail "queued" "$(cat s1.out)" "$(tail -5 relay.log)"
wait_for relay.log 'alias-fwd@dst.test: delivered to mx.dst.test' ||
	fail "delivered" "$(tail -5 relay.log)"
f=$(grep -l 'Subject: one' dst/new/* 2>/dev/null | head -1)
if [ -n "$f" ]; then
	pass "mapped by a pattern with \${1}: delivered at dst.test's MX"
	# Return-Path and Received of the MX, then the relay's Received, then the message as sent
	below "the message arrives byte for byte below the relay's Received" "$f" m1.signed 3
	grep -q 'for <alias-fwd@dst.test>' "$f" && pass "the MX got the mapped recipient" || fail "mapped recipient"
	sed -n 3,4p "$f" | grep -q 'by relay.test' && pass "the relay's Received is there" || fail "relay Received" "$(head -5 "$f")"
	expect "a foreign DKIM signature still verifies after the relay (ember)" 0 "pass d=far.test s=far a=ed25519-sha256" -- sh -c "'$BIN/ember-dkim' verify --dns '$DNS' '$f' | cut -d' ' -f1-4"
	if "$PY" -c 'import dkim, dns.resolver' 2>/dev/null; then
		expect "a foreign DKIM signature still verifies after the relay (dkimpy)" 0 "pass" -- sh -c "'$PY' '$ROOT/tests/interop/dkimpy.py' verify '$DNS' < '$f'"
	else
		skip "dkimpy verification" "no dkimpy"
	fi
	grep -c '^DKIM-Signature' "$f" | grep -qx 1 && pass "mail from elsewhere is not signed by the relay" || fail "not signed"
else
	fail "delivered at dst.test's MX" "$(ls dst/new)" "$(tail -5 relay.log)"
fi

# ---- several recipients of one destination, one transaction; our DKIM ---------------------------
crlf > m2 <<'EOF'
From: Alice <alice@our.test>
To: team@our.test, list-bob@our2.test
Subject: two
Date: Thu, 03 Dec 2026 10:00:00 +0000

For the team.
EOF
send "$RADDR" alice@our.test team@our.test,list-bob@OUR2.test m2 > s2.out
grep -q '^DATA 250' s2.out && pass "three recipients (an expansion and a pattern) accepted" || fail "accepted" "$(cat s2.out)"
wait_for relay.log 'bob@dst.test: delivered' && wait_for relay.log 'u2@dst.test: delivered' ||
	fail "delivered to the three" "$(tail -5 relay.log)"
n=$(grep -l 'Subject: two' dst/new/* 2>/dev/null | wc -l)
[ "$n" -eq 1 ] && pass "three recipients of dst.test in one transaction (one message at the MX)" ||
	fail "one transaction" "$n messages"
f=$(grep -l 'Subject: two' dst/new/* 2>/dev/null | head -1)
if [ -n "$f" ]; then
	below "signed: Received, DKIM-Signature, then the message unchanged" "$f" m2 4
	[ -n "$KEEP" ] && cp "$f" /tmp/x/signed.eml && cp key.txt /tmp/x/
	expect "our DKIM signature verifies (ember dkim verify)" 0 "pass d=our.test s=sel a=rsa-sha256" -- sh -c "'$BIN/ember-dkim' verify --dns '$DNS' '$f' | cut -d' ' -f1-4"
	if "$PY" -c 'import dkim, dns.resolver' 2>/dev/null; then
		expect "our DKIM signature verifies (dkimpy)" 0 "pass" -- sh -c "'$PY' '$ROOT/tests/interop/dkimpy.py' verify '$DNS' < '$f'"
	else
		skip "dkimpy verification" "no dkimpy"
	fi
fi

# ---- refusals at RCPT ---------------------------------------------------------------------------
send "$RADDR" x@far.test someone@elsewhere.test m1 > s3.out
grep -q '^RCPT someone@elsewhere.test 550 5.7.1' s3.out && pass "a foreign recipient without AUTH: 550 5.7.1 relaying denied" ||
	fail "relaying denied" "$(cat s3.out)"
printf 'only@our.test o@dst.test\n' > strict.map
start_relay strict --map strict.map --queue q2
send "$RADDR" x@far.test nobody@our.test,only@our.test m1 > s4.out
grep -q '^RCPT nobody@our.test 550 5.1.1' s4.out && pass "a recipient of ours no rule matches: 550 5.1.1" ||
	fail "550 5.1.1" "$(cat s4.out)"
grep -q '^RCPT only@our.test 250' s4.out && pass "an exact rule: 250" || fail "exact rule" "$(cat s4.out)"
i=0; while [ $i -lt 51 ]; do printf 'Received: from h%d.test by h%d.test; Thu, 3 Dec 2026 10:00:00 +0000\r\n' $i $i; i=$((i + 1)); done > loop.eml
cat m1 >> loop.eml
send "$RADDR" x@far.test only@our.test loop.eml > s14.out
grep -q '^DATA 554 5.4.6' s14.out && pass "51 Received fields: 554 5.4.6, a mail loop" || fail "loop" "$(cat s14.out)"
cp m1 hops50.eml; i=0; while [ $i -lt 50 ]; do printf 'Received: from h%d.test by h%d.test; Thu, 3 Dec 2026 10:00:00 +0000\r\n' $i $i; i=$((i + 1)); done > hops50.eml
cat m1 >> hops50.eml
send "$RADDR" x@far.test only@our.test hops50.eml > s15.out
grep -q '^DATA 250' s15.out && pass "50 Received fields: taken" || fail "50 hops" "$(cat s15.out)"
kill "$RPID"; wait "$RPID" 2>/dev/null; rc=$?
[ $rc -eq 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM status" "$rc"
RPID=$MAIN RADDR=$MAINADDR

# ---- 4xx: deferred, retried, delivered --------------------------------------------------------
smtp-sink -u root -r RCPT "127.0.0.7:$P" 10 > sink7.out 2>&1 &
SINK=$!; PIDS="$PIDS $SINK"
sleep 0.3
send "$RADDR" alice@our.test soft@our.test m2 > s5.out
grep -q '^DATA 250' s5.out || fail "soft: queued" "$(cat s5.out)"
wait_for relay.log 'x@soft.test: deferred (attempt 1' && pass "a 4xx from the MX: deferred" ||
	fail "deferred" "$(tail -3 relay.log)"
kill "$SINK"; wait "$SINK" 2>/dev/null
start_srv soft "127.0.0.7:$P" --maildir soft
wait_for relay.log 'x@soft.test: delivered to mx.soft.test' 100 &&
	pass "retried with backoff and delivered once the MX takes it" || fail "retried" "$(grep soft relay.log)"
[ "$(ls soft/new 2>/dev/null | wc -l)" -eq 1 ] && pass "delivered once" || fail "delivered once"

# ---- 5xx: a DSN to the sender -----------------------------------------------------------------
smtp-sink -u root -f RCPT "127.0.0.8:$P" 10 > sink8.out 2>&1 &
SINK=$!; PIDS="$PIDS $SINK"
sleep 0.3
before=$(ls src/new | wc -l)
send "$RADDR" bounce@src.test hard@our.test m1 > s6.out
wait_for relay.log 'x@hard.test: failed' && pass "a 5xx from the MX: failed" || fail "failed" "$(tail -3 relay.log)"
wait_for relay.log 'DSN to <bounce@src.test> queued' || fail "DSN queued" "$(tail -3 relay.log)"
i=0; while [ $i -lt 50 ] && [ "$(ls src/new | wc -l)" -le "$before" ]; do sleep 0.1; i=$((i + 1)); done
f=$(grep -l 'multipart/report' src/new/* 2>/dev/null | head -1)
if [ -n "$f" ]; then
	expect "the DSN: multipart/report, delivery-status fields (Python's email)" 0 \
"delivery-status
<>
MAILER-DAEMON@relay.test
rfc822; x@hard.test
rfc822; hard@our.test
failed
5.3.0
smtp; 500 5.3.0 Error: command failed
text/rfc822-headers
<m1@far.test>" -- "$PY" -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.compat32)
assert m.get_content_type() == "multipart/report", m.get_content_type()
print(m.get_param("report-type"))
print(m["Return-Path"])
print(email.utils.parseaddr(m["From"])[1])
parts = m.get_payload()
ds = parts[1]
assert ds.get_content_type() == "message/delivery-status"
blocks = ds.get_payload()
r = blocks[1]
for k in ("Final-Recipient", "Original-Recipient", "Action", "Status", "Diagnostic-Code"): print(r[k])
print(parts[2].get_content_type())
print(email.message_from_string(parts[2].get_payload())["Message-ID"])
' "$f"
else
	fail "the DSN arrives at the sender's MX" "$(tail -3 relay.log)"
fi
before=$(ls src/new | wc -l)
send "$RADDR" "" hard@our.test m1 > s7.out
wait_for relay.log 'no DSN for a message from the null sender' && pass "a null sender's failure: no DSN" ||
	fail "no DSN" "$(tail -3 relay.log)"
sleep 0.5
[ "$(ls src/new | wc -l)" -eq "$before" ] && pass "nothing sent back for the null sender" || fail "nothing sent"
kill "$SINK"; wait "$SINK" 2>/dev/null

# ---- SIGKILL after the 250, the MX down; restart on the same queue -------------------------------
send "$RADDR" alice@our.test down@our.test m2 > s8.out
grep -q '^DATA 250' s8.out && pass "queued for a destination that is down" || fail "queued (down)" "$(cat s8.out)"
wait_for relay.log 'later@down.test: deferred' || fail "deferred (down)" "$(tail -3 relay.log)"
kill -9 "$RPID"; wait "$RPID" 2>/dev/null
ls q/*.env > /dev/null 2>&1 && pass "SIGKILL: the message is still in the queue" || fail "still queued" "$(ls q)"
start_srv down "127.0.0.9:$P" --maildir down
start_relay relay --map relay.map --queue q --retry 1 --dkim-key key.key --dkim-selector sel
wait_for relay.log 'resumed' && pass "the restarted relay resumes the queue" || fail "resumed" "$(tail -3 relay.log)"
wait_for relay.log 'later@down.test: delivered' 100 && pass "delivered after the restart" || fail "delivered after restart" "$(tail -5 relay.log)"
f=$(ls down/new/* 2>/dev/null | head -1)
[ -n "$f" ] && below "after the restart, byte for byte too" "$f" m2 4
i=0; while [ $i -lt 30 ] && ls q/*.env >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
ls q/*.env > /dev/null 2>&1 && fail "the queue is empty at the end" "$(ls q)" || pass "the queue is empty at the end"
kill "$RPID"; wait "$RPID" 2>/dev/null

# ---- expiry, --require-tls ------------------------------------------------------------------------
printf 'exp@our.test x@gone.test\n/^(.*)@our\\.test$/ $1@dst.test\n' > exp.map
start_relay exp --map exp.map --queue q3 --retry 1 --expire 3 --require-tls dst.test
send "$RADDR" late@src.test exp@our.test,tls@our.test m1 > s9.out
grep -q '^DATA 250' s9.out || fail "queued (expiry)" "$(cat s9.out)"
wait_for exp.log 'tls@dst.test: deferred.*TLS' 50 && pass "--require-tls: an MX without STARTTLS is not used (deferred)" ||
	fail "--require-tls" "$(tail -3 exp.log)"
grep -q 'tls@dst.test: delivered' exp.log && fail "nothing sent in the clear"
wait_for exp.log 'x@gone.test: failed: expired after' 100 && pass "--expire: given up after the time" ||
	fail "expired" "$(tail -3 exp.log)"
i=0; while [ $i -lt 50 ] && ! grep -ql 'Final-Recipient: rfc822; x@gone.test' src/new/* 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
f=$(grep -l 'Final-Recipient: rfc822; x@gone.test' src/new/* 2>/dev/null | head -1)
[ -n "$f" ] && grep -q '^Status: 5.4.7' "$f" && pass "the DSN of an expired message says 5.4.7" ||
	fail "expiry DSN" "$f" "$(tail -3 exp.log)"
kill "$RPID"; wait "$RPID" 2>/dev/null

# ---- --smarthost, and AUTH: submission of a foreign recipient ---------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.pem -days 2 -subj /CN=relay.test >/dev/null 2>&1 ||
	fail "openssl"
printf 'alice:s3cret\n' > users
start_relay smart --queue q4 --smarthost "127.0.0.5:$P" --tls-cert tls.pem --tls-key tls.key --auth-file users
crlf > m3 <<'EOF2'
From: alice@our.test
To: friend@nowhere.test
Subject: three

via the smarthost
EOF2
send "$RADDR" alice@our.test friend@nowhere.test m3 > s10.out
grep -q '^RCPT friend@nowhere.test 550 5.7.1' s10.out && pass "without AUTH a foreign recipient is refused" || fail "refused" "$(cat s10.out)"
SEND_USER=alice SEND_PASS=s3cret send "$RADDR" alice@our.test friend@nowhere.test m3 > s11.out
grep -q '^DATA 250' s11.out && pass "after AUTH a foreign recipient is taken (submission)" || fail "AUTH" "$(cat s11.out)"
wait_for smart.log 'friend@nowhere.test: delivered to 127.0.0.5' 50 && pass "--smarthost: delivered there, no MX asked" ||
	fail "smarthost" "$(tail -3 smart.log)"
f=$(grep -l 'Subject: three' dst/new/* 2>/dev/null | head -1)
[ -n "$f" ] && grep -q 'for <friend@nowhere.test>' "$f" && pass "the recipient forwarded as it is" || fail "as it is"
kill "$RPID"; wait "$RPID" 2>/dev/null

# ---- a stuck delivery does not stop the server ------------------------------------------------------
"$PY" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.11", int(sys.argv[1]))); s.listen(8); print("up", flush=True)
c, _ = s.accept(); time.sleep(20)' "$P" > mute.out &
MUTE=$!; PIDS="$PIDS $MUTE"
wait_for mute.out up 50
printf 'stuck@our.test x@mute.test\n/^(.*)@our\\.test$/ $1@dst.test\n' > mute.map
start_relay mute --map mute.map --queue q5 --workers 1 --client-timeout 10
send "$RADDR" alice@our.test stuck@our.test m2 > s12.out
sleep 0.5
t0=$(date +%s.%N)
send "$RADDR" alice@our.test next@our.test m2 > s13.out
t1=$(date +%s.%N)
grep -q '^DATA 250' s13.out && echo "$t0 $t1" | awk '{ exit !($2 - $1 < 2) }' &&
	pass "the only worker stuck on a mute MX, the server still queues at once" ||
	fail "served while stuck" "$(cat s13.out)" "$t0 $t1"
kill "$RPID"; wait "$RPID" 2>/dev/null
kill "$MUTE" 2>/dev/null
finish
