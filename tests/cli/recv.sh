#!/bin/sh
# ember recv: the route from the Received fields; --dot; --stamp.
. "$(dirname "$0")/lib.sh"
RECV=${EMBER_RECV:-$BIN/ember-recv}

msg() { printf '%b' "$1" > "$TMP/$2"; }
T=$(printf '\t')

# Three hops, newest first as servers prepend them: submission (no from),
# relay, delivery (LMTP); zones differ, the delays are 5 and 2 seconds.
msg 'Received: from mx.example.net (mx.example.net [198.51.100.2])\n\tby mailstore.example.net (Postfix) with LMTP id 9A8B7C\n\tfor <you@example.net>; Tue, 24 Nov 2026 10:00:07 +0000 (UTC)\nReceived: from mail.example.org (mail.example.org [192.0.2.1])\n\tby mx.example.net (Postfix) with ESMTPS id 4F2A1B2C3D\n\tfor <you@example.net>; Tue, 24 Nov 2026 11:00:05 +0100 (CET)\nReceived: by mail.example.org (Postfix, from userid 1000)\n\tid 1234ABCD; Tue, 24 Nov 2026 05:00:00 -0500 (EST)\nFrom: me@example.org\nTo: you@example.net\nSubject: hops\n\nReceived: from body.example by nowhere.example; Tue, 24 Nov 2026 10:00:00 +0000\n' hops
ROUTE="-${T}mail.example.org${T}-${T}2026-11-24T10:00:00Z${T}?
mail.example.org[192.0.2.1]${T}mx.example.net${T}ESMTPS${T}2026-11-24T10:00:05Z${T}5
mx.example.net[198.51.100.2]${T}mailstore.example.net${T}LMTP${T}2026-11-24T10:00:07Z${T}2"
expect "route: oldest hop first, UTC times, delays; body not read" 0 "$ROUTE" -- "$RECV" "$TMP/hops"
expect "route from stdin" 0 "$ROUTE" -- sh -c "\"$RECV\" < \"$TMP/hops\""
tr -d '\r' < "$TMP/hops" | sed 's/$/\r/' > "$TMP/hops-crlf"
expect "route: CRLF input" 0 "$ROUTE" -- "$RECV" "$TMP/hops-crlf"

expect "--dot: a chain of hops" 0 'digraph route {
	rankdir=LR;
	node [shape=box];
	"mail.example.org";
	"mail.example.org" -> "mx.example.net" [label="2 ESMTPS\nfrom mail.example.org[192.0.2.1]\n2026-11-24T10:00:05Z\n+5s"];
	"mx.example.net" -> "mailstore.example.net" [label="3 LMTP\nfrom mx.example.net[198.51.100.2]\n2026-11-24T10:00:07Z\n+2s"];
}' -- "$RECV" --dot "$TMP/hops"

msg 'From: a@example.org\nSubject: no trace\n\nbody\n' none
expect "no Received field: nothing, status 0" 0 "" -- "$RECV" "$TMP/none"

# Real fields: Exim (TCP-info "[ip] helo=..."), Microsoft 365 (several-word
# values, IPv6 in the comment, via), qmail (comments only), Sendmail.
msg 'Received: from DM6PR12MB4516.namprd12.prod.outlook.com (2603:10b6:5:2a5::13) by\n SN7PR12MB8145.namprd12.prod.outlook.com (2603:10b6:806:350::10) with\n Microsoft SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.19; Tue, 24 Nov\n 2026 10:00:09 +0000\nReceived: from BN9PR03CA0123.namprd03.prod.outlook.com (2603:10b6:408:fe::8)\n by DM6PR12MB4516.namprd12.prod.outlook.com (2603:10b6:5:2a5::13) with\n Microsoft SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.19 via Frontend\n Transport; Tue, 24 Nov 2026 10:00:08 +0000\nReceived: from mail.example.org ([192.0.2.1] helo=mail.example.org)\n\tby mx.example.net with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <sender@example.org>)\n\tid 1tFbRs-000Kx0-2b\n\tfor you@example.net;\n\tTue, 24 Nov 2026 10:00:03 +0000\nReceived: from unknown (HELO client.example) (203.0.113.9)\n  by mail.example.org with SMTP; 24 Nov 2026 10:00:00 -0000\n\n' real
expect "real fields: Microsoft 365, Exim, qmail" 0 "unknown[203.0.113.9]${T}mail.example.org${T}SMTP${T}2026-11-24T10:00:00Z${T}?
mail.example.org[192.0.2.1]${T}mx.example.net${T}esmtps${T}2026-11-24T10:00:03Z${T}3
BN9PR03CA0123.namprd03.prod.outlook.com[2603:10b6:408:fe::8]${T}DM6PR12MB4516.namprd12.prod.outlook.com${T}Microsoft SMTP Server${T}2026-11-24T10:00:08Z${T}5
DM6PR12MB4516.namprd12.prod.outlook.com[2603:10b6:5:2a5::13]${T}SN7PR12MB8145.namprd12.prod.outlook.com${T}Microsoft SMTP Server${T}2026-11-24T10:00:09Z${T}1" -- "$RECV" "$TMP/real"

# A field without a date, one with an unreadable date: '?' and status 65.
msg 'Received: by mx.example.net with SMTP id 42\n\t2016-11-09 20:10:27 +0000 UTC\nReceived: from a.example (a.example [192.0.2.7]) by b.example with ESMTP; 2015-10-29 11:38:32-04:00\nReceived: from c.example by a.example; Thu, 29 Oct 2015 08:38:00 -0700\n\n' broken
expect "broken dates: ? for time and delay, status 65" 65 "c.example${T}a.example${T}-${T}2015-10-29T15:38:00Z${T}?
a.example[192.0.2.7]${T}b.example${T}ESMTP${T}?${T}?
-${T}mx.example.net${T}SMTP${T}?${T}?" -- "$RECV" "$TMP/broken"
expect_err "broken dates: FILE:LINE: what at byte N" 65 "^ember recv: .*/broken:3: Received: unreadable date at byte 149$" -- "$RECV" "$TMP/broken"
expect_err "missing date reported with its line" 65 "^ember recv: .*/broken:2: Received: no ';' and date at byte 74$" -- "$RECV" "$TMP/broken"

if [ -n "$TESTDATA" ] && [ -f "$TESTDATA/dmarc/blaze/003.mail" ]; then
	expect "real message (blaze/003.mail): Gmail, Exim, an ISO date" 65 "-${T}10.31.135.131${T}HTTP${T}2015-10-29T15:38:12Z${T}?
-${T}vkex70${T}SMTP${T}2015-10-29T15:38:32Z${T}20
mail-vk0-f48.google.com[209.85.213.48]${T}mxgoog1.mail.janestreet.com${T}esmtps${T}2015-10-29T15:38:32Z${T}0
-${T}tot-qpr-mailcore2${T}JS-mailcore${T}?${T}?
tot-qpr-mailcore2.delacy.com[172.27.56.106]${T}mxout4.mail.janestreet.com${T}esmtps${T}2015-10-29T15:38:32Z${T}?
mxout4.mail.janestreet.com[38.105.200.233]${T}mx.google.com${T}ESMTPS${T}2015-10-29T15:38:33Z${T}1
-${T}10.36.56.134${T}SMTP${T}2015-10-29T15:38:33Z${T}0" -- "$RECV" "$TESTDATA/dmarc/blaze/003.mail"
else
	skip "real message (blaze/003.mail)" "no ../shared/testdata"
fi

# ---- --stamp ------------------------------------------------------------------
stamp() {
	"$RECV" --stamp --from 'mail.example.org (mail.example.org [192.0.2.1])' --by mx.example.net \
		--with ESMTPS --id 4F2A1B2C3D --for you@example.net --date 'Tue, 24 Nov 2026 10:00:00 +0000' "$@"
}
printf 'From: a@example.org\r\nSubject: crlf\r\n\r\nbody line\r\nno final line end' > "$TMP/m-crlf"
printf 'Received: from mail.example.org (mail.example.org [192.0.2.1])\r\n by mx.example.net with ESMTPS id 4F2A1B2C3D for <you@example.net>; Tue, 24\r\n Nov 2026 10:00:00 +0000\r\n' > "$TMP/want-crlf"
cat "$TMP/m-crlf" >> "$TMP/want-crlf"
stamp "$TMP/m-crlf" > "$TMP/got-crlf"; rc=$?
[ $rc -eq 0 ] && same_bytes "--stamp: CRLF message, field in CRLF, rest byte for byte" "$TMP/want-crlf" "$TMP/got-crlf" ||
	fail "--stamp: CRLF message" "status $rc"
tr -d '\r' < "$TMP/m-crlf" > "$TMP/m-lf"
tr -d '\r' < "$TMP/want-crlf" > "$TMP/want-lf"
stamp < "$TMP/m-lf" > "$TMP/got-lf"
same_bytes "--stamp: LF message (stdin), field in LF" "$TMP/want-lf" "$TMP/got-lf"
expect "--stamp then route: the new hop is last" 0 "mail.example.org[192.0.2.1]${T}mx.example.net${T}ESMTPS${T}2026-11-24T10:00:00Z${T}?" -- "$RECV" "$TMP/got-lf"

# a binary body (NUL, CR, 8-bit, > one buffer) passes through unchanged
printf 'Subject: bin\n\n' > "$TMP/bin"
$PYTHON -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(300000)))' >> "$TMP/bin"
"$RECV" --stamp --from a.example --by b.example --date @0 < "$TMP/bin" > "$TMP/bin-out"
{ printf 'Received: from a.example by b.example; Thu, 1 Jan 1970 00:00:00 +0000\n'; cat "$TMP/bin"; } > "$TMP/bin-want"
same_bytes "--stamp: @SECONDS date, 300 kB binary body byte for byte" "$TMP/bin-want" "$TMP/bin-out"

: > "$TMP/empty"
expect "--stamp: empty input (LF), <addr> kept as given, folded" 0 "Received: from a.example by b.example for <x@b.example>; Thu, 1 Jan 1970
 00:00:01 +0000" \
	-- "$RECV" --stamp --from a.example --by b.example --for '<x@b.example>' --date @1 "$TMP/empty"
out=$(TZ=UTC "$RECV" --stamp --from a.example --by b.example < "$TMP/empty")
now=$(TZ=UTC date '+%a, %-d %b %Y')
case $out in
"Received: from a.example by b.example; $now "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]" +0000") pass "--stamp: the date is now by default (TZ=UTC)" ;;
*) fail "--stamp: the date is now by default (TZ=UTC)" "$out" ;;
esac

expect_err "--stamp needs --by" 64 "needs --from and --by" -- "$RECV" --stamp --from a.example "$TMP/empty"
expect_err "--from without --stamp" 64 "need --stamp" -- "$RECV" --from a.example "$TMP/empty"
expect_err "a value with a line break is refused" 64 "cannot be written" -- "$RECV" --stamp --from "$(printf 'a\nX-Injected: 1')" --by b "$TMP/empty"
expect_err "a value with ';' is refused" 64 "cannot be written" -- "$RECV" --stamp --from 'a;b' --by b "$TMP/empty"
expect_err "a bad --date" 64 "not an RFC 5322 date" -- "$RECV" --stamp --from a --by b --date 'yesterday' "$TMP/empty"
expect_err "--stamp and --dot" 64 "do not go together" -- "$RECV" --stamp --dot --from a --by b "$TMP/empty"

expect_err "missing file exits 66" 66 "ember recv: .*nosuch" -- "$RECV" "$TMP/nosuch"
expect_err "unknown option exits 64" 64 "unknown option" -- "$RECV" --bogus
expect_err "two files: usage error" 64 "one message" -- "$RECV" "$TMP/none" "$TMP/none"
"$RECV" --help > "$TMP/help" 2>&1 && grep -q "^Usage: ember recv" "$TMP/help" &&
	pass "--help" || fail "--help"
finish
