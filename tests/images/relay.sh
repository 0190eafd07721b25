#!/bin/sh
# The relay image: a message sent with swaks into the booted image is
# rewritten by the map baked into its initramfs and arrives at a sink on
# the host (ember srv on this namespace's loopback, 10.0.2.2 from the
# guest), byte for byte below the relay's Received; a message queued while
# the sink is down survives the plug pulled and is delivered after a
# restart on the same disk.
. "$(dirname "$0")/lib.sh"
[ -x "$IMG/run-relay" ] || { skip "all" "no images/out/run-relay (make images)"; finish; exit; }
command -v swaks >/dev/null 2>&1 || { skip "all" "no swaks (scripts/deps)"; finish; exit; }
cd "$TMP" || exit 70
KDIR=$ROOT/build/images/kernel
printf '# aliases of our.test\n/^(.*)@our\\.test$/ $1@dst.test\n' > map
sh "$ROOT/images/build" relay "$ROOT/build/static/ember-relay" "$KDIR" "$TMP/relay.cpio.gz" \
	--args "$ROOT/images/relay.args" --file "$TMP/map:/etc/ember/map:--map" ||
	{ fail "images/build with a map" ""; finish; exit; }
DISK=$TMP/disk.img
truncate -s 64M "$DISK" && PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -F -q "$DISK"
SPORT=2600
SINKS=""
start_sink() {
	"$BIN/ember-srv" --listen 127.0.0.1:$SPORT --hostname sink.test --maildir sinkmd \
		--domain dst.test > sink.addr 2> sink.err &
	SINK=$!
	SINKS="$SINKS $SINK"
	_i=0; while [ $_i -lt 100 ] && [ ! -s sink.addr ]; do sleep 0.05; _i=$((_i + 1)); done
}
trap 'for p in $QPIDS $SINKS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
# wait_new N SECONDS: sinkmd/new holds N messages
wait_new() {
	_i=0
	while [ "$(ls sinkmd/new 2>/dev/null | wc -l)" -lt "$1" ] && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1; _i=$((_i + 1)); done
	[ "$(ls sinkmd/new 2>/dev/null | wc -l)" -ge "$1" ]
}
printf 'From: Ann <ann@src.test>\r\nTo: alice@our.test\r\nSubject: through the relay image\r\nMessage-ID: <1@src.test>\r\n\r\nfirst body\r\n' > msg1
printf 'From: Ann <ann@src.test>\r\nTo: bob@our.test\r\nSubject: queued\r\nMessage-ID: <2@src.test>\r\n\r\nsecond body\r\n' > msg2
OPTS="ember.domain=our.test ember.hostname=relay.test ember.smarthost=10.0.2.2:$SPORT ember.retry=1"

start_sink
boot first relay --port 2525 --disk "$DISK" --initrd "$TMP/relay.cpio.gz" $OPTS
if banner first 2525; then
	pass "relay image: 220 banner ($BANNER)"
	console first "running ember-relay --listen 0\.0\.0\.0:25 --queue /var/ember/queue --map /etc/ember/map --domain our\.test"
	swaks --server 127.0.0.1:2525 --helo client.test --from ann@src.test --to alice@our.test \
		--data msg1 > swaks.out 2>&1
	grep -q '<- *250 .*queued' swaks.out && pass "swaks -> relay image: 250, queued" ||
		fail "swaks -> relay image: 250" "$(tail -5 swaks.out)"
	if wait_new 1 30; then
		f=$(ls sinkmd/new/* | head -1)
		tr -d '\r' < "$f" | sed -n 2,3p | tr '\n' ' ' | grep -q 'from relay\.test .*for <alice@dst\.test>' &&
			pass "it arrives at the sink on the host, for alice@dst.test (rewritten by the map)" ||
			fail "rewritten recipient" "$(head -8 "$f")"
		grep -q 'by relay\.test' "$f" && pass "the relay's Received is on it" || fail "relay's Received" "$(head -8 "$f")"
	else
		fail "it arrives at the sink" "$(tail -5 "$TMP/first.log")"
	fi
	# byte for byte (smtplib sends the file's bytes as they are): the sink's
	# Return-Path and Received, the relay's Received, then msg3 as sent
	printf 'From: Ann <ann@src.test>\r\nTo: carol@our.test\r\nSubject: bytes\r\n\r\n\tline with a tab \r\n\r\nend\r\n' > msg3
	r=$($SMTP send 2525 ann@src.test carol@our.test msg3)
	if [ "$r" = 250 ] && wait_new 2 30; then
		f=$(grep -l '^Subject: bytes' sinkmd/new/* | head -1)
		tail -c "$(wc -c < msg3)" "$f" > tail3
		cmp -s tail3 msg3 && [ "$(head -c "$(($(wc -c < "$f") - $(wc -c < msg3)))" "$f" | tr -d '\r' | grep -c '^[A-Za-z-]*:')" = 3 ] &&
			pass "byte for byte below the relay's Received (3 fields above: Return-Path, 2 Received)" ||
			fail "byte for byte" "$(od -c tail3 | head -3)"
	else
		fail "byte for byte: delivered" "$r"
	fi
	# the sink down: the next message is queued and retried
	kill "$SINK"; wait "$SINK" 2>/dev/null
	r=$($SMTP send 2525 ann@src.test bob@our.test msg2)
	[ "$r" = 250 ] && pass "sink down: the relay image still answers 250 (queued)" || fail "queued: 250" "$r"
	sleep 3
	console first "deferred"
fi
qemu_kill "$QPID"
disk_snapshot "$DISK"
q=$(debugfs_ls "$TMP/snap.img" /queue | grep -c '\.env$')
[ "$q" = 1 ] && pass "plug pulled: one message in the queue on the disk" ||
	fail "plug pulled: one message in the queue" "$(debugfs_ls "$TMP/snap.img" /queue)"

# ---- restart on the same disk, the sink back ------------------------------------------
rm -f sink.addr
start_sink
boot second relay --port 2526 --disk "$DISK" --initrd "$TMP/relay.cpio.gz" $OPTS
if banner second 2526; then
	if wait_new 3 40; then
		f=$(grep -l '^Subject: queued' sinkmd/new/* | head -1)
		[ -n "$f" ] && grep -q 'for <bob@dst\.test>' "$f" &&
			pass "restart: the queued message is delivered, rewritten, after the reboot" ||
			fail "restart: delivered" "$(ls sinkmd/new)"
	else
		fail "restart: the queued message is delivered" "$(tail -8 "$TMP/second.log")"
	fi
fi
qemu_kill "$QPID"
finish
