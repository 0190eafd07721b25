#!/bin/sh
# ember addr: mailboxes of address fields, one per line.
. "$(dirname "$0")/lib.sh"
ADDR=${EMBER_ADDR:-$BIN/ember-addr}

msg() { printf '%b' "$1" > "$TMP/$2"; }

msg 'From: John Doe <jdoe@machine.example>\nTo: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\nCc: Undisclosed recipients:;\nSubject: groups\n\nTo: not@header.example\n' groups
expect "groups: members one by one, empty group prints nothing" 0 "John Doe <jdoe@machine.example>
Ed Jones <c@a.test>
joe@where.test
John <jdoe@one.test>" -- "$ADDR" "$TMP/groups"

msg 'From: "Smith, John" <john@example.org>\nTo: "Giant; \\"Big\\" Box" <sysservices@example.net>, "Mary Smith: Personal Account" <smith@home.example>\n\n' quoted
expect "quoted names keep their quotes when needed" 0 '"Smith, John" <john@example.org>
"Giant; \"Big\" Box" <sysservices@example.net>
"Mary Smith: Personal Account" <smith@home.example>' -- "$ADDR" "$TMP/quoted"

msg 'From: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>\nTo: =?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?= <test@test.com>,\n =?UTF-8?B?SsO2cmc=?= Smith <j@example.org>\n\n' ew
expect "encoded words: ISO-8859-1, adjacent words joined, UTF-8 B" 0 "Keld Jørn Simonsen <keld@dkuug.dk>
ab <test@test.com>
Jörg Smith <j@example.org>" -- "$ADDR" "$TMP/ew"

msg 'From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\nCc: john@example.org (John Doe)\n\n' comments
expect "comments dropped" 0 "Pete <pete@silly.test>
john@example.org" -- "$ADDR" "$TMP/comments"

msg 'To: Mary Smith <@node.test,@relay.test:mary@example.net>\n\n' route
expect "routes dropped" 0 "Mary Smith <mary@example.net>" -- "$ADDR" "$TMP/route"

msg 'From: Hans <hans@xn--bcher-kva.example>\nTo: fritz@b\303\274cher.example\n\n' idn
expect "IDN: U-labels by default" 0 "Hans <hans@bücher.example>
fritz@bücher.example" -- "$ADDR" "$TMP/idn"
expect "IDN: --ascii gives A-labels" 0 "Hans <hans@xn--bcher-kva.example>
fritz@xn--bcher-kva.example" -- "$ADDR" --ascii "$TMP/idn"

msg 'To: a@[192.0.2.1], B <b@[IPv6:2001:db8::1]>\n\n' literal
expect "domain literals" 0 "a@[192.0.2.1]
B <b@[IPv6:2001:db8::1]>" -- "$ADDR" "$TMP/literal"

msg 'From: Joe Q. Public <john.q.public@example.com>\nTo: Mary Smith <mary@x.test>, , jdoe@test  . example,\n "john"."doe"@example.org, "a b"@example.org\n\n' obs
expect "obsolete forms" 0 '"Joe Q. Public" <john.q.public@example.com>
Mary Smith <mary@x.test>
jdoe@test.example
john.doe@example.org
"a b"@example.org' -- "$ADDR" "$TMP/obs"
expect "-a: only addresses" 0 'john.q.public@example.com
mary@x.test
jdoe@test.example
john.doe@example.org
"a b"@example.org' -- "$ADDR" -a "$TMP/obs"
expect "--address-only --ascii" 0 "hans@xn--bcher-kva.example
fritz@xn--bcher-kva.example" -- "$ADDR" --address-only --ascii "$TMP/idn"

msg 'To: t@example.org\nX-Original-To: x@example.org\nFrom: f@example.org\nDelivered-To: d@example.org\n\n' fields
expect "fields in message order" 0 "t@example.org
f@example.org" -- "$ADDR" "$TMP/fields"
expect "-h names fields, case-insensitive, comma list" 0 "x@example.org
d@example.org" -- "$ADDR" -h x-original-to,DELIVERED-TO "$TMP/fields"
expect "-h repeatable" 0 "t@example.org
x@example.org" -- "$ADDR" -h To -h X-Original-To "$TMP/fields"

msg 'From: a@example.org\r\nTo: B\r\n <b@example.org>\r\n\r\n' crlf
expect "CRLF and folding" 0 "a@example.org
B <b@example.org>" -- "$ADDR" "$TMP/crlf"
expect "stdin and several files" 0 "a@example.org
B <b@example.org>
t@example.org
f@example.org" -- sh -c "\"$ADDR\" - \"$TMP/fields\" < \"$TMP/crlf\""

msg 'From: good@example.org\nTo: x@example.org, John <broken, y@example.org\nCc: z@example.org\n\n' bad
expect "malformed field: the good mailboxes, exit 65" 65 "good@example.org
x@example.org
y@example.org
z@example.org" -- "$ADDR" "$TMP/bad"
expect_err "malformed field: FILE:LINE: message at byte N" 65 "^ember addr: .*/bad:2: expected '@' at byte 54$" -- "$ADDR" "$TMP/bad"
expect_err "missing file exits 66" 66 "ember addr: .*nosuch" -- "$ADDR" "$TMP/nosuch"
expect_err "unknown option exits 64" 64 "unknown option" -- "$ADDR" --bogus
"$ADDR" --help > "$TMP/help" 2>&1 && grep -q "^Usage: ember addr" "$TMP/help" &&
	pass "--help" || fail "--help"

# ---- header defects: said on stderr, the status unchanged ---------------------
msg 'From: a@example.org\nTo: t@example.org\nFrom: b@example.org\n\n' twofrom
expect "two From fields: both printed" 0 "a@example.org
t@example.org
b@example.org" -- "$ADDR" "$TMP/twofrom"
expect_err "two From fields: the repeat reported at its line" 0 "^ember addr: .*/twofrom:3: repeated From field" -- "$ADDR" "$TMP/twofrom"
msg 'From: a@example.org\nnot a field\nTo: t@example.org\n\n' garbage
expect "a line that is not a field ends the header" 0 "a@example.org" -- "$ADDR" "$TMP/garbage"
expect_err "a line that is not a field: reported" 0 "garbage:2: line is not a header field" -- "$ADDR" "$TMP/garbage"
expect "-h with ':' as mblaze writes it" 0 "x@example.org
d@example.org" -- "$ADDR" -h x-original-to:delivered-to "$TMP/fields"

# ---- --author: the author as authentication reads it ---------------------------
msg 'Subject: s\nFrom: "J\\"o" <user@b\303\274cher.example>\n\nFrom: other@example.org\n' idnauthor
expect "--author: the address and its A-label domain" 0 "user@bücher.example xn--bcher-kva.example" -- "$ADDR" --author "$TMP/idnauthor"
msg 'From: User <USER@Example.ORG>\r\n\r\n' upper
expect "--author: the domain lowercased" 0 "USER@Example.ORG example.org" -- "$ADDR" --author < "$TMP/upper"
expect "--author: several files, each named" 0 "$TMP/upper	USER@Example.ORG example.org
$TMP/idnauthor	user@bücher.example xn--bcher-kva.example" -- "$ADDR" --author "$TMP/upper" "$TMP/idnauthor"
msg 'From: a@example.org, b@example.org\n\n' twobox
msg 'From: Team: a@example.org;\n\n' group
msg 'From: <a@\n\n' malformed
msg 'To: t@example.org\n\n' nofrom
msg 'From : a@example.org\n\n' wsp
msg 'From: a@[192.0.2.1]\n\n' literal
msg 'Subject: x\nbroken line\nFrom: a@example.org\n\n' structure
for c in "twofrom:several From fields" "twobox:several mailboxes in From" "group:group in From" \
	 "malformed:malformed From" "nofrom:no From field" "wsp:white space before the colon of From" \
	 "literal:domain literal in From" "structure:the header has a structural defect"; do
	f=${c%%:*} why=${c#*:}
	expect_err "--author refuses: $why (65)" 65 "^ember addr: .*$f(:[0-9]+)?: $why" -- "$ADDR" --author "$TMP/$f"
	out=$("$ADDR" --author "$TMP/$f" 2>/dev/null)
	[ -z "$out" ] && pass "--author $f: nothing on stdout" || fail "--author $f: nothing on stdout" "$out"
done
msg 'From: "ceo@bank.example" <x@evil.example>\n\n' lookalike
expect "--author: a display name like an address is not the author" 0 "x@evil.example evil.example" -- "$ADDR" --author "$TMP/lookalike"
expect_err "--author with -h: 64" 64 "author" -- "$ADDR" --author -h to "$TMP/upper"

finish
