#!/bin/sh
# ember hdr: header fields, unfolded and decoded to UTF-8.
. "$(dirname "$0")/lib.sh"
HDR=${EMBER_HDR:-$BIN/ember-hdr}

msg() { printf '%b' "$1" > "$TMP/$2"; }

msg 'Subject: This\r\n is a test\r\nX-Long: one\r\n\ttwo  three\r\n   four\r\n\r\nSubject: body\r\n' folded
expect "folded values unfolded, white space kept, body not read" 0 "Subject: This is a test
X-Long: one	two  three   four" -- "$HDR" "$TMP/folded"

# RFC 2047 8
msg 'From: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>\nTo: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>\nCC: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\nSubject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\n\n' rfc2047
expect "RFC 2047 8 examples, name spelling kept" 0 "From: Keith Moore <moore@cs.utk.edu>
To: Keld Jørn Simonsen <keld@dkuug.dk>
CC: André Pirard <PIRARD@vm1.ulg.ac.be>
Subject: If you can read this you understand the example." -- "$HDR" "$TMP/rfc2047"

msg 'From: Nathaniel Borenstein <nsb@thumper.bellcore.com>\n    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)\n\n' comment
expect "an encoded word in a comment (RFC 2047 8)" 0 "From: Nathaniel Borenstein <nsb@thumper.bellcore.com>    (םולש ןב ילטפנ)" -- "$HDR" "$TMP/comment"

msg 'Subject: (=?ISO-8859-1?Q?a?=)\nSubject: =?ISO-8859-1?Q?a?= b\nSubject: =?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=\nSubject: =?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=\nSubject: =?ISO-8859-1?Q?a?=\n    =?ISO-8859-1?Q?b?=\nSubject: =?ISO-8859-1?Q?a_b?=\nSubject: =?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=\nSubject: =?UTF-8?Q?a?==?UTF-8?Q?b?=\nSubject: x=?UTF-8?Q?y?=z\n\n' adjacent
expect "white space between adjacent encoded words dropped (RFC 2047 6.2)" 0 "(a)
a b
ab
ab
ab
a b
a b
ab
xyz" -- "$HDR" -h subject "$TMP/adjacent"

msg 'Subject: =?UTF-8?B?5pel5pys6Kqe?= =?ISO-2022-JP?B?GyRCJEYkORsoQg==?= =?KOI8-R?Q?=F0=D2=C9=D7=C5=D4?= =?windows-1252?Q?=80uro?= =?utf-16le?B?PQBUAA==?=\n\n' mixed
expect "mixed charsets in one value (ISO-2022-JP unknown: kept, white space too)" 0 "Subject: 日本語 =?ISO-2022-JP?B?GyRCJEYkORsoQg==?= Привет€uro=T" -- "$HDR" "$TMP/mixed"

msg 'Subject: =?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?= ok\n\n' split
expect "a character split between two encoded words is put together" 0 "café ok" -- "$HDR" -h Subject "$TMP/split"

msg 'Subject: =?x-nonesuch?Q?a?= =?UTF-8?Q?b=ZZ?= =?UTF-8?B?!!!!?= =?UTF-8?X?c?= =?UTF-8?Q?d?=\nSubject: =?UTF-8?Q?no end\nSubject: =?UTF-8?Q?bad?b?=\n\n' malformed
expect "malformed encoded words printed as they stand, status 0" 0 "=?x-nonesuch?Q?a?= =?UTF-8?Q?b=ZZ?= =?UTF-8?B?!!!!?= =?UTF-8?X?c?= d
=?UTF-8?Q?no end
=?UTF-8?Q?bad?b?=" -- "$HDR" -h subject "$TMP/malformed"

msg 'Subject: =?US-ASCII*EN?Q?Keith_Moore?=\nContent-Type: multipart/mixed; boundary="=_b"\nContent-Disposition: attachment;\r\n filename*0*=utf-8'"''"'Caf%C3%A9;\r\n filename*1=".txt"\nX-Type: application/x-stuff;\r\n title*=us-ascii'"'"'en-us'"'"'This%20is%20%2A%2A%2Afun%2A%2A%2A\nContent-type: application/x-stuff;\r\n title*=us-ascii'"'"'en-us'"'"'This%20is%20%2A%2A%2Afun%2A%2A%2A\n\n' rfc2231
expect "RFC 2231: language tags, continuations, charsets" 0 'Subject: Keith Moore
Content-Type: multipart/mixed; boundary="=_b"
Content-Disposition: attachment; filename="Café.txt"
X-Type: application/x-stuff; title*=us-ascii'"'"'en-us'"'"'This%20is%20%2A%2A%2Afun%2A%2A%2A
Content-type: application/x-stuff; title="This is ***fun***"' -- "$HDR" "$TMP/rfc2231"

msg 'From: =?UTF-8?Q?Smith=2C_J?= <j@example.org>, "=?UTF-8?Q?q?=" <q@example.org>\nTo: =?UTF-8?Q?a?=@example.org, <=?UTF-8?Q?b?=@example.org>, G: =?UTF-8?Q?J=C3=B6rg?= <j@[192.0.2.1]>;\nReply-To: jdoe@example.org (=?UTF-8?Q?John_D=C3=B6e?=)\n\n' address
expect "address fields: only display names and comments decoded" 0 'From: "Smith, J" <j@example.org>, "=?UTF-8?Q?q?=" <q@example.org>
To: =?UTF-8?Q?a?=@example.org, <=?UTF-8?Q?b?=@example.org>, G: Jörg <j@[192.0.2.1]>;
Reply-To: jdoe@example.org (John Döe)' -- "$HDR" "$TMP/address"

msg 'Received: from a (=?UTF-8?Q?x?=) by b; Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <=?UTF-8?Q?x?=@example.org>\nDate: Thu, 1 Jan 2026 00:00:00 +0000 (=?UTF-8?Q?UTC_=E2=80=94_z?=)\nDKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s;\n\tb=abc\n\n' verbatim
expect "Received only unfolded (RFC 2047 5); message ids kept; comments decoded" 0 "Received: from a (=?UTF-8?Q?x?=) by b; Thu, 1 Jan 2026 00:00:00 +0000
Message-ID: <=?UTF-8?Q?x?=@example.org>
Date: Thu, 1 Jan 2026 00:00:00 +0000 (UTC — z)
DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s;	b=abc" -- "$HDR" "$TMP/verbatim"

msg 'Received: from a\nSubject: one\nX-Tag: 1\nsubject: two\nX-TAG: 2\nTo: t@example.org\nSUBJECT: three\n\n' repeated
expect "-h: several names, repeated fields, message order" 0 "one
1
two
2
three" -- "$HDR" -h subject,x-tag "$TMP/repeated"
expect "-h repeatable, case-insensitive" 0 "from a
one
two
t@example.org
three" -- "$HDR" -h SUBJECT -h received,TO "$TMP/repeated"
expect "-h of an absent field prints nothing" 0 "" -- "$HDR" -h cc "$TMP/repeated"

msg 'Subject: crlf\r\n =?UTF-8?Q?j=C3=A9?=\r\nX-Empty:\r\nX-Blank:   \r\n\r\n' crlf
msg 'Subject: crlf\n =?UTF-8?Q?j=C3=A9?=\nX-Empty:\nX-Blank:   \n\n' lf
expect "CRLF input" 0 "Subject: crlf jé
X-Empty:
X-Blank:" -- "$HDR" "$TMP/crlf"
expect "LF input, same output" 0 "Subject: crlf jé
X-Empty:
X-Blank:" -- "$HDR" "$TMP/lf"
expect "stdin and several files, nothing in between" 0 "Subject: crlf jé
X-Empty:
X-Blank:
Subject: one
Subject: two" -- sh -c "printf 'Subject: one\\n\\nSubject: two\\n' > \"$TMP/s1\"; printf 'Subject: two\\n' | \"$HDR\" \"$TMP/crlf\" \"$TMP/s1\" -"
expect "-H: file name and TAB" 0 "$TMP/lf	crlf jé
-	x" -- sh -c "printf 'Subject: x\\n\\n' | \"$HDR\" -H -h subject \"$TMP/lf\" -"

msg 'From someone@example.org Mon Jan  1 00:00:00 2026\nSubject: caf\351 =?UTF-8?Q?a=0Ab?=\tz\nX-Nul: a\0b\n\n' bytes
expect "mbox From line skipped; bytes not UTF-8, NUL, decoded line breaks: U+FFFD" 0 "Subject: caf� a�b	z
X-Nul: a�b" -- "$HDR" "$TMP/bytes"

awk 'BEGIN { printf "Subject: ok\nX-Big: "; for (i = 0; i < 70000; i++) printf "x"; printf "\nTo: t@example.org\n\n" }' > "$TMP/big"
expect "a header that cannot be read: what came before, exit 65" 65 "Subject: ok
Subject: one" -- "$HDR" "$TMP/big" "$TMP/s1"
expect_err "a header that cannot be read: FILE:LINE: what" 65 "^ember hdr: .*/big:2: " -- "$HDR" "$TMP/big"
expect_err "missing file exits 66" 66 "ember hdr: .*nosuch" -- "$HDR" "$TMP/nosuch"
expect_err "unknown option exits 64" 64 "unknown option" -- "$HDR" --bogus
expect_err "-h needs an argument" 64 "needs an argument" -- "$HDR" -h
"$HDR" --help > "$TMP/help" 2>&1 && grep -q "^Usage: ember hdr" "$TMP/help" &&
	pass "--help" || fail "--help"
expect "--summary" 0 "print header fields, unfolded and decoded to UTF-8" -- "$HDR" --summary

# ---- header defects: said on stderr as FILE:LINE, the status unchanged ---------
msg 'Subject: one\nFrom: a@example.org\nnot a field\nTo: after@example.org\n\nbody\n' garbage
expect "a line that is not a field ends the header" 0 "Subject: one
From: a@example.org" -- "$HDR" "$TMP/garbage"
expect_err "the line that ended the header is reported" 0 "^ember hdr: .*garbage:3: line is not a header field" -- "$HDR" "$TMP/garbage"
msg 'From: a@example.org\nSubject: x\nFrom: b@example.org\n\n' twofrom
expect_err "a repeated From is reported" 0 "^ember hdr: .*twofrom:3: repeated From field" -- "$HDR" "$TMP/twofrom"
expect "-h from:subject (mblaze's list)" 0 "a@example.org
x
b@example.org" -- "$HDR" -h from:subject "$TMP/twofrom"

finish
