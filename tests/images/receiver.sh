#!/bin/sh
# The receiver image: knot on this namespace's loopback (10.0.2.2 from the
# guest, ember.dns=) serves the sender's DKIM key, SPF and DMARC records; a
# message signed by ember dkim sign and sent into the booted image comes out
# in its Maildir on the disk (read with debugfs) with dkim=pass spf=pass
# dmarc=pass in this hop's Authentication-Results, the bytes below our
# fields as sent; an unaligned From gets dmarc=fail, and with ember.enforce
# a p=reject failure is refused (550) and not stored.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
[ -x "$IMG/run-receiver" ] || { skip "all" "no images/out/run-receiver (make images)"; finish; exit; }
cd "$TMP" || exit 70
E=$BIN/ember
"$E" dkim keygen -t ed25519 -d sender.test -s s1 -o k > /dev/null
dns_line "$(cat k.txt)"
# slirp's hostfwd connections come from 10.0.2.2 inside the guest
dns_line 'sender.test. TXT "v=spf1 ip4:10.0.2.2 -all"'
dns_line '_dmarc.sender.test. TXT "v=DMARC1; p=reject"'
dns_line 'client.test. TXT "v=spf1 ip4:10.0.2.2 -all"'
dns_start || { fail "knot starts"; finish; exit; }
trap 'for p in $QPIDS; do kill "$p" 2>/dev/null; done; dns_stop; wait 2>/dev/null; rm -rf "$TMP"' EXIT
printf 'From: Ann <ann@sender.test>\r\nTo: bob@rcpt.test\r\nSubject: signed\r\nMessage-ID: <1@sender.test>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nhello from the host\r\n' > a.eml
"$E" dkim sign -d sender.test -s s1 -k k.key a.eml > a.signed
printf 'From: Mallory <ceo@sender.test>\r\nTo: bob@rcpt.test\r\nSubject: forged\r\n\r\nsend money\r\n' > f.eml
DISK=$TMP/disk.img
truncate -s 64M "$DISK" && PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -F -q "$DISK"
OPTS="ember.domain=rcpt.test ember.hostname=mx.rcpt.test ember.authserv-id=mx.rcpt.test ember.dns=10.0.2.2:$DNS_PORT"

boot first receiver --port 2525 --disk "$DISK" $OPTS
if banner first 2525; then
	pass "receiver image: 220 banner ($BANNER)"
	console first "running ember-receiver --listen 0\.0\.0\.0:25 --maildir /var/ember/Maildir --domain rcpt\.test"
	r=$($SMTP send 2525 ann@sender.test bob@rcpt.test a.signed)
	[ "$r" = 250 ] && pass "a signed message: 250" || fail "signed: 250" "$r"
	r=$($SMTP send 2525 mallory@evil.test bob@rcpt.test f.eml)
	[ "$r" = 250 ] && pass "an unsigned message claiming sender.test: 250 (no --enforce)" || fail "forged: 250" "$r"
fi
qemu_kill "$QPID"
disk_snapshot "$DISK"
for n in $(debugfs_ls "$TMP/snap.img" /Maildir/new); do debugfs_cat "$TMP/snap.img" "/Maildir/new/$n" > "got.$n"; done
s=$(grep -l '^Subject: signed' got.* 2>/dev/null | head -1)
f=$(grep -l '^Subject: forged' got.* 2>/dev/null | head -1)
if [ -n "$s" ]; then
	"$E" ar --authserv-id mx.rcpt.test "$s" > ar.out 2>&1
	grep -q 'dkim=pass header.d=sender.test' ar.out && grep -q 'spf=pass smtp.mailfrom=ann@sender.test' ar.out &&
		grep -q 'dmarc=pass header.from=sender.test' ar.out &&
		pass "the stored message: dkim=pass spf=pass dmarc=pass (keys and records from knot on the host)" ||
		fail "dkim/spf/dmarc pass" "$(cat ar.out)"
	tail -c "$(wc -c < a.signed)" "$s" | cmp -s - a.signed && pass "the bytes below our fields are the ones sent" ||
		fail "bytes below our fields" ""
	head -1 "$s" | grep -q '^Return-Path: <ann@sender.test>' && pass "Return-Path on top (a final delivery)" ||
		fail "Return-Path" "$(head -1 "$s")"
	grep -q '^Received-SPF: pass' "$s" && pass "Received-SPF: pass" || fail "Received-SPF" "$(grep -i received-spf "$s")"
else
	fail "the signed message is in the Maildir on the disk" "$(ls got.* 2>/dev/null)"
fi
if [ -n "$f" ]; then
	"$E" ar --authserv-id mx.rcpt.test "$f" > ar2.out 2>&1
	grep -q 'dmarc=fail .*header.from=sender.test' ar2.out && pass "the forged one: dmarc=fail" ||
		fail "forged: dmarc=fail" "$(cat ar2.out)"
else
	fail "the forged message is in the Maildir" ""
fi

# ---- --enforce: p=reject refused at the end of DATA ----------------------------------
boot second receiver --port 2526 --disk "$DISK" $OPTS ember.enforce
if banner second 2526; then
	r=$($SMTP send 2526 mallory@evil.test bob@rcpt.test f.eml)
	[ "$r" = 550 ] && pass "ember.enforce: the DMARC p=reject failure gets 550" || fail "enforce: 550" "$r"
	r=$($SMTP send 2526 ann@sender.test bob@rcpt.test a.signed)
	[ "$r" = 250 ] && pass "ember.enforce: the signed message still 250" || fail "enforce: signed 250" "$r"
fi
qemu_kill "$QPID"
disk_snapshot "$DISK"
[ "$(debugfs_ls "$TMP/snap.img" /Maildir/new | grep -c .)" = 3 ] &&
	pass "enforce: the refused message was not stored (3 in all)" ||
	fail "enforce: not stored" "$(debugfs_ls "$TMP/snap.img" /Maildir/new)"
finish
