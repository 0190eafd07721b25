#!/bin/sh
# The commands that build or take apart whole messages stream: memory does
# not grow with the message. Each runs with its address space capped at
# 64 MB (ulimit -v 65536) on a 200 MB file, or a message holding one; the
# result is checked byte for byte (the file comes back from the message)
# and by structure (ember descr).
. "$(dirname "$0")/lib.sh"
cap() { (ulimit -v 65536 && "$@"); }

# 200 MB of varied bytes without 200 MB of entropy: a 1 MiB random block,
# repeated (a sparse file of zeros would let a quiet bug through)
head -c 1048576 /dev/urandom > "$TMP/block"
i=0
while [ $i -lt 200 ]; do cat "$TMP/block"; i=$((i + 1)); done > "$TMP/big.bin"
[ "$(wc -c < "$TMP/big.bin")" -eq 209715200 ] && pass "a 200 MB file" || fail "a 200 MB file"

# make, body on stdin: 200 MB of body read twice through a pipe (spooled)
cap "$BIN/ember-make" -T application/octet-stream -f a@example.org -d @0 -m none \
	< "$TMP/big.bin" > "$TMP/made.eml"; rc=$?
[ $rc -eq 0 ] && pass "make: a 200 MB body under 64 MB" || fail "make: a 200 MB body under 64 MB" "rc=$rc"
cap "$BIN/ember-extract" -p 1 "$TMP/made.eml" > "$TMP/made.out"
same_bytes "make: the body comes back" "$TMP/big.bin" "$TMP/made.out"
rm -f "$TMP/made.eml" "$TMP/made.out"

# put: a 200 MB file into a message from a pipe
"$BIN/ember-make" -f a@example.org -t b@example.org -s big -d @0 -m none < /dev/null |
	"$BIN/ember-wrap" --mixed > "$TMP/small.eml"
cap "$BIN/ember-put" "$TMP/big.bin" < "$TMP/small.eml" > "$TMP/put.eml"; rc=$?
[ $rc -eq 0 ] && pass "put: a 200 MB file under 64 MB" || fail "put: a 200 MB file under 64 MB" "rc=$rc"
expect "put: the structure" 0 '1 multipart/mixed
  1.1 text/plain charset=us-ascii encoding=7bit size=0
  1.2 application/octet-stream encoding=base64 disposition=attachment filename="big.bin" size=209715200' \
	-- cap "$BIN/ember-descr" "$TMP/put.eml"

# extract: the 200 MB part, to stdout and to a file, from a file and a pipe
cap "$BIN/ember-extract" -p 1.2 "$TMP/put.eml" > "$TMP/x1"
same_bytes "extract -p: the 200 MB part under 64 MB" "$TMP/big.bin" "$TMP/x1"
rm -f "$TMP/x1"
cat "$TMP/put.eml" | (cd "$TMP" && cap "$BIN/ember-extract" -a -o out) > "$TMP/names"
same_bytes "extract -a from a pipe: the 200 MB part under 64 MB" "$TMP/big.bin" "$TMP/out/big.bin"
expect "extract -a: the files written" 0 "out/part-1.1.txt
out/big.bin" -- cat "$TMP/names"
rm -rf "$TMP/out"

# wrap: a message with a 200 MB part, from a pipe and from a file
cat "$TMP/put.eml" | cap "$BIN/ember-wrap" --mixed > "$TMP/w1.eml"; rc=$?
[ $rc -eq 0 ] && pass "wrap: a 200 MB part from a pipe under 64 MB" || fail "wrap from a pipe" "rc=$rc"
cap "$BIN/ember-wrap" --mixed "$TMP/put.eml" > "$TMP/w2.eml"
same_bytes "wrap: the same from a file" "$TMP/w1.eml" "$TMP/w2.eml"
rm -f "$TMP/w2.eml"
expect "wrap: the structure" 0 '1 multipart/mixed
  1.1 multipart/mixed
    1.1.1 text/plain charset=us-ascii encoding=7bit size=0
    1.1.2 application/octet-stream encoding=base64 disposition=attachment filename="big.bin" size=209715200' \
	-- cap "$BIN/ember-descr" "$TMP/w1.eml"
cap "$BIN/ember-extract" -p 1.1.2 "$TMP/w1.eml" > "$TMP/x2"
same_bytes "wrap: the part is unchanged" "$TMP/big.bin" "$TMP/x2"
finish
