#!/bin/sh
# ember descr: the part tree, as text and JSON; errors instead of partial output.
. "$(dirname "$0")/lib.sh"
DESCR=$BIN/ember-descr

msg() { printf '%b' "$1" > "$TMP/$2"; }

msg 'Subject: plain\r\n\r\nhello\r\n' plain
expect "no Content-Type: text/plain by default, no charset claimed" 0 \
	'1 text/plain size=7' -- "$DESCR" "$TMP/plain"
expect "json leaf" 0 '{"type":"text/plain","size":7}' -- "$DESCR" --json "$TMP/plain"

msg 'Content-Type: multipart/mixed; boundary="b1"\n\npreamble\n--b1\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n--b1\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\n\nalt one\n--b2\nContent-Type: text/html\n\n<p>x</p>\n--b2--\n--b1\nContent-Type: application/pdf; name="ignored.pdf"\nContent-Disposition: attachment; filename*=utf-8\0047\0047r%C3%A9sum%C3%A9.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b1\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw==\n--b1--\nepilogue\n' tree
expect "tree: paths, types, charset, encoding, RFC 2231 file name, decoded sizes" 0 \
'1 multipart/mixed
  1.1 text/plain charset=utf-8 encoding=quoted-printable size=5
  1.2 multipart/alternative
    1.2.1 text/plain size=7
    1.2.2 text/html size=8
  1.3 application/pdf encoding=base64 disposition=attachment filename="résumé.pdf" size=5
  1.4 message/rfc822
    1.4.1 image/png encoding=base64 size=4' -- "$DESCR" "$TMP/tree"
expect "json tree, one line" 0 \
'{"type":"multipart/mixed","parts":[{"type":"text/plain","charset":"utf-8","encoding":"quoted-printable","size":5},{"type":"multipart/alternative","parts":[{"type":"text/plain","size":7},{"type":"text/html","size":8}]},{"type":"application/pdf","encoding":"base64","disposition":"attachment","filename":"résumé.pdf","size":5},{"type":"message/rfc822","parts":[{"type":"image/png","encoding":"base64","size":4}]}]}' \
	-- "$DESCR" --json "$TMP/tree"

msg 'Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: a\n\nA\n--d\nContent-Type: text/plain\n\nB\n--d--\n' digest
expect "multipart/digest: parts default to message/rfc822 (RFC 2046 5.1.5)" 0 \
'{"type":"multipart/digest","parts":[{"type":"message/rfc822","parts":[{"type":"text/plain","size":1}]},{"type":"text/plain","size":1}]}' \
	-- "$DESCR" --json "$TMP/digest"

msg 'Content-Type: text/plain; name="only-name.txt"\n\nx' name
expect "file name from the Content-Type name parameter when no disposition" 0 \
	'{"type":"text/plain","filename":"only-name.txt","size":1}' -- "$DESCR" --json "$TMP/name"

# an empty boundary is no boundary (RFC 2046 5.1.1): a "-- " signature line
# must not split the text into parts
printf 'Content-Type: multipart/mixed; boundary=\r\n\r\nHello,\r\n-- \r\nContent-Type: text/html\r\n\r\n<b>sig</b>\r\n' > "$TMP/emptyb"
printf 'Content-Type: multipart/mixed; boundary=""\r\n\r\nHello,\r\n-- \r\nme\r\n' > "$TMP/emptyq"
expect "boundary= (no value): one opaque part" 0 '{"type":"multipart/mixed","size":52}' -- "$DESCR" --json "$TMP/emptyb"
expect "boundary=\"\": one opaque part" 0 '{"type":"multipart/mixed","size":17}' -- "$DESCR" --json "$TMP/emptyq"

# several files: one line each; stdin
expect "two files, two lines" 0 '{"type":"text/plain","size":7}
{"type":"text/plain","filename":"only-name.txt","size":1}' -- "$DESCR" --json "$TMP/plain" "$TMP/name"
out=$("$DESCR" --json < "$TMP/plain")
[ "$out" = '{"type":"text/plain","size":7}' ] && pass "stdin" || fail "stdin" "$out"

# a header line beyond the field limit: an error line, no partial JSON
{ printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\nX-Big: '; head -c 70000 /dev/zero | tr '\0' a; printf '\n\nx\n--b--\n'; } > "$TMP/huge"
expect_err "a field over the limit: status 65, file and line named" 65 "ember descr: .*huge: line [0-9]+: header field longer than the limit" -- "$DESCR" --json "$TMP/huge"
[ ! -s "$TMP/stdout" ] && pass "nothing on stdout for a message that cannot be read" || fail "partial output" "$(head -c 200 "$TMP/stdout")"
expect_err "missing file: 66" 66 "ember descr: .*nosuch" -- "$DESCR" "$TMP/nosuch"
expect_err "unknown option: 64" 64 "ember descr" -- "$DESCR" --nosuch

# deep nesting stays bounded: the parts beyond the depth limit are opaque
i=0; : > "$TMP/deep.h"; : > "$TMP/deep.t"
while [ $i -lt 2000 ]; do printf 'Content-Type: multipart/mixed; boundary=a%d\n\n--a%d\n' $i $i >> "$TMP/deep.h"; i=$((i + 1)); done
printf '\nleaf\n' >> "$TMP/deep.h"
"$DESCR" --json "$TMP/deep.h" > "$TMP/deep.out" 2>"$TMP/deep.err"; rc=$?
[ $rc -eq 0 ] && [ "$(grep -o '"parts"' "$TMP/deep.out" | wc -l)" -eq 63 ] && pass "2000-deep nesting: 64 levels, the rest opaque" \
	|| fail "deep nesting" "rc=$rc" "$(head -c 300 "$TMP/deep.err")"
# memory is bounded by the limits, not by the message: a 60 MB attachment
# goes through with the address space capped at 64 MB
{ printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'
  head -c 45000000 /dev/zero | base64 -w 76; printf -- '--b--\n'; } > "$TMP/big"
expect "60 MB message under a 64 MB address-space limit" 0 \
	'{"type":"multipart/mixed","parts":[{"type":"application/octet-stream","encoding":"base64","size":45000000}]}' \
	-- sh -c 'ulimit -v 65536 && exec "$1" --json "$2"' sh "$DESCR" "$TMP/big"
rm -f "$TMP/big"

# what was tolerated is said on stderr; the tree and the status as before
printf 'From: a@example.org\nFrom: b@example.org\n\nx\n' > "$TMP/twofrom"
expect_err "two From fields: reported, status 0" 0 "^ember descr: .*twofrom:2: repeated From field" -- "$DESCR" "$TMP/twofrom"
printf 'Content-Type: multipart/mixed; boundary=b\n--b\nContent-Type: text/plain\n\nhi\n--b--\n' > "$TMP/noblank"
expect "the header-end rule: the part Python sees is there" 0 "1 multipart/mixed
  1.1 text/plain size=2" -- "$DESCR" "$TMP/noblank"

finish
