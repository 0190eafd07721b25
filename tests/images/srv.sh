#!/bin/sh
# The srv image (the machinery's test until the relay and the receiver have
# theirs): boot, the PID-1 side on the console, a message over slirp, the
# plug pulled after its 250 and the message on the disk (read with debugfs,
# no mount), a second boot on that disk with ember.* options, and a
# command that ends: qemu exits 0 (power-off), with the state in RAM, and
# with the disk, which is left clean.
. "$(dirname "$0")/lib.sh"
[ -x "$IMG/run-srv" ] || { skip "all" "no images/out/run-srv (make images)"; finish; exit; }
cd "$TMP" || exit 70
DISK=$TMP/disk.img
printf 'From: a@src.test\r\nTo: b@dst.test\r\nSubject: one\r\n\r\nbody one\r\n' > msg1
printf 'From: a@src.test\r\nTo: b@dst.test\r\nSubject: two\r\n\r\nbody two\r\n' > msg2
{ printf 'From: a@src.test\r\nTo: b@dst.test\r\nSubject: big\r\n\r\n'
  i=0; while [ $i -lt 40 ]; do printf '%070d\r\n' $i; i=$((i + 1)); done; } > big

# ---- first boot: a fresh disk ---------------------------------------------------------
boot first srv --port 2525 --disk "$DISK"
if banner first 2525; then
	pass "first: 220 banner ($BANNER)"
	console first "init: .* [0-9]+ modules loaded$"
	console first "init: .* eth0 10\.0\.2\.15/24, default route via 10\.0\.2\.2"
	console first "init: .* /var/ember is /dev/vda \(ext4\)"
	console first "init: .* host name localhost"
	case $BANNER in *"220 localhost "*) pass "first: banner names localhost" ;;
		*) fail "first: banner names localhost" "$BANNER" ;; esac
	console first "running ember-srv --listen 0\.0\.0\.0:25 --maildir /var/ember/Maildir$"
	r=$($SMTP send 2525 a@src.test b@dst.test msg1)
	[ "$r" = 250 ] && pass "first: message 250" || fail "first: message 250" "$r"
fi
qemu_kill "$QPID"
disk_snapshot "$DISK"
new=$(debugfs_ls "$TMP/snap.img" /Maildir/new)
[ "$(printf '%s\n' "$new" | grep -c .)" = 1 ] && pass "plug pulled after 250: one message in Maildir/new" ||
	fail "plug pulled after 250: one message in Maildir/new" "$new"
debugfs_cat "$TMP/snap.img" "/Maildir/new/$(printf '%s\n' "$new" | head -1)" > got1
grep -q '^Subject: one' got1 && grep -q 'body one' got1 && pass "the message on the disk is whole" ||
	fail "the message on the disk is whole" "$(head -c 300 got1)"

# ---- second boot: the same disk, ember.* options ---------------------------------------
boot second srv --port 2526 --disk "$DISK" ember.hostname=mx.image.test ember.max-size=1000 ember.no-chunking
if banner second 2526; then
	case $BANNER in *"220 mx.image.test "*) pass "ember.hostname=V: --hostname V" ;;
		*) fail "ember.hostname=V: --hostname V" "$BANNER" ;; esac
	console second "running ember-srv --listen 0\.0\.0\.0:25 --maildir /var/ember/Maildir --hostname mx\.image\.test --max-size 1000 --no-chunking$"
	$SMTP ehlo 2526 > ehlo
	grep -qx SIZE ehlo && ! grep -qx CHUNKING ehlo && pass "bare ember.no-chunking: --no-chunking" ||
		fail "bare ember.no-chunking: --no-chunking" "$(cat ehlo)"
	r=$($SMTP send 2526 a@src.test b@dst.test big)
	[ "$r" = 552 ] && pass "ember.max-size=1000: a 3 kB message refused (552)" || fail "ember.max-size=1000: 552" "$r"
	r=$($SMTP send 2526 a@src.test b@dst.test msg2)
	[ "$r" = 250 ] && pass "second: message 250" || fail "second: message 250" "$r"
fi
qemu_kill "$QPID"
disk_snapshot "$DISK"
[ "$(debugfs_ls "$TMP/snap.img" /Maildir/new | grep -c .)" = 2 ] && pass "restart: both messages on the disk" ||
	fail "restart: both messages on the disk" "$(debugfs_ls "$TMP/snap.img" /Maildir/new)"

# ---- third boot: no disk, and a command that ends --------------------------------------
boot third srv --port 2527 --disk none "ember.hostname=two words" ember.no-such-option
qemu_wait "$QPID" 60; rc=$?
[ "$rc" = 0 ] && pass "the command ended (usage error): qemu exits 0 (power-off)" ||
	fail "the command ended: qemu exits 0" "rc $rc" "$(tail -8 "$TMP/third.log")"
console third "no /dev/vda: /var/ember is in RAM and will not survive"
console third 'running ember-srv --listen 0\.0\.0\.0:25 --maildir /var/ember/Maildir --hostname "two words" --no-such-option$'
console third "ember-srv has ended"
console third "powering off"

# ---- fourth boot: the twice-unplugged disk, a command that ends ------------------------
boot fourth srv --port 2528 --disk "$DISK" ember.no-such-option
qemu_wait "$QPID" 60; rc=$?
[ "$rc" = 0 ] && pass "fourth: power-off, qemu exits 0" || fail "fourth: power-off, qemu exits 0" "rc $rc"
PATH=$PATH:/sbin:/usr/sbin e2fsck -fn "$DISK" > fsck 2>&1 && pass "power-off unmounts: e2fsck -fn finds the disk clean" ||
	fail "power-off unmounts: e2fsck -fn finds the disk clean" "$(tail -3 fsck)"
! grep -q "still busy" "$TMP/fourth.log" && pass "fourth: /var/ember unmounted" || fail "fourth: /var/ember unmounted"
finish
