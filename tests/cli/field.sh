#!/bin/sh
# ember field: header edits on the raw view; every other byte unchanged.
. "$(dirname "$0")/lib.sh"
FIELD=$BIN/ember-field

printf 'Received: from a\r\n\tby b; Tue, 24 Nov 2026 10:00:00 +0000\r\nFrom: x@example.org\r\nSubject: old\r\nDKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n\r\nSubject: in the body\r\nbody line \r\n' > "$TMP/m"

"$FIELD" < "$TMP/m" > "$TMP/o"
same_bytes "no edit: byte for byte" "$TMP/m" "$TMP/o"

expect "add goes on top, in the message's CRLF style" 0 "$(printf 'X-New: 1\r')" -- sh -c "'$FIELD' --add 'X-New: 1' < '$TMP/m' | head -1"
"$FIELD" --add 'X-New: 1' < "$TMP/m" | tail -c +11 > "$TMP/o"
same_bytes "add: the rest unchanged" "$TMP/m" "$TMP/o"

"$FIELD" --remove subject < "$TMP/m" > "$TMP/o"
printf 'Received: from a\r\n\tby b; Tue, 24 Nov 2026 10:00:00 +0000\r\nFrom: x@example.org\r\nDKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n\r\nSubject: in the body\r\nbody line \r\n' > "$TMP/want"
same_bytes "remove: header only, case-insensitive; body Subject kept" "$TMP/want" "$TMP/o"

"$FIELD" --replace 'Subject: new' < "$TMP/m" > "$TMP/o"
sed 's/^Subject: old\r$/Subject: new\r/' "$TMP/m" > "$TMP/want"
same_bytes "replace in place" "$TMP/want" "$TMP/o"

"$FIELD" --append 'X-Last: z' < "$TMP/m" > "$TMP/o"
grep -c '' "$TMP/o" > /dev/null
[ "$(sed -n 7p "$TMP/o")" = "$(printf 'X-Last: z\r')" ] && pass "append: at the end of the header" || fail "append" "$(sed -n 7p "$TMP/o")"

printf 'A: 1\nB: 2\n\nbody\n' | "$FIELD" --add 'C: 3' > "$TMP/o"
printf 'C: 3\nA: 1\nB: 2\n\nbody\n' > "$TMP/want"
same_bytes "LF message: new field with LF" "$TMP/want" "$TMP/o"

# a 1 MB body passes through unchanged
{ printf 'A: 1\n\n'; head -c 1000000 /dev/urandom; } > "$TMP/big"
"$FIELD" --remove nosuch < "$TMP/big" > "$TMP/o"
same_bytes "binary 1 MB body unchanged" "$TMP/big" "$TMP/o"

expect_err "bad field: usage error" 64 "not a header field" -- "$FIELD" --add 'no colon'
{ printf 'X: '; head -c 70000 /dev/zero | tr '\0' a; printf '\n\nb\n'; } > "$TMP/huge"
expect_err "field over the limit: 65 with the line" 65 "ember field: .*line 1: header field longer than the limit" -- "$FIELD" "$TMP/huge"

# a first line that is a continuation: --add would glue it onto the new field
printf ' continued\nA: 1\n\nbody\n' > "$TMP/cont"
expect_err "--add onto a first-line continuation: 65" 65 "ember field: .*cont: line 1: the header starts with a continuation line" -- "$FIELD" --add 'N: v' "$TMP/cont"
expect "--add refused: nothing written" 65 "" -- "$FIELD" --add 'N: v' "$TMP/cont"
printf ' continued\nA: 1\nZ: z\n\nbody\n' > "$TMP/want"
"$FIELD" --append 'Z: z' "$TMP/cont" > "$TMP/o"
same_bytes "--append there is fine" "$TMP/want" "$TMP/o"
# no empty line: the line that ends the header is the body's first; the field goes before it
printf 'A: 1\nbody line\nmore\n' > "$TMP/noblank"
printf 'A: 1\nZ: z\nbody line\nmore\n' > "$TMP/want"
"$FIELD" --append 'Z: z' "$TMP/noblank" > "$TMP/o"
same_bytes "--append with no empty line: before the body line" "$TMP/want" "$TMP/o"
printf 'A: 1' > "$TMP/nolf"
printf 'A: 1\r\nZ: z\r\n' > "$TMP/want"
"$FIELD" --append 'Z: z' "$TMP/nolf" > "$TMP/o"
same_bytes "--append after a last field without line break" "$TMP/want" "$TMP/o"
printf 'From me Tue Jul  1 10:52:37 2003\nA: 1\n\nb\n' > "$TMP/mbox"
printf 'From me Tue Jul  1 10:52:37 2003\nN: v\nA: 1\n\nb\n' > "$TMP/want"
"$FIELD" --add 'N: v' "$TMP/mbox" > "$TMP/o"
same_bytes "--add: an mbox From line stays first" "$TMP/want" "$TMP/o"
expect_err "--remove of a name with a space: 64" 64 "not a field name" -- "$FIELD" --remove 'a b'

finish
