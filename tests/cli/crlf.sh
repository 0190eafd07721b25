#!/bin/sh
# ember crlf: line endings to CRLF and back, streaming in fixed buffers.
. "$(dirname "$0")/lib.sh"
CRLF=${EMBER_CRLF:-$BIN/ember-crlf}

# bytes NAME 'printf format' : write a file
bytes() { printf "$2" > "$TMP/$1"; }
# conv NAME WANT-FILE ARGS... : run, compare the output bytes
conv() {
	_n=$1 _w=$2; shift 2
	"$CRLF" "$@" > "$TMP/out" 2> "$TMP/err"; _rc=$?
	if [ $_rc -ne 0 ]; then fail "$_n" "status $_rc" "$(cat "$TMP/err")"; else same_bytes "$_n" "$_w" "$TMP/out"; fi
}

bytes in1 'a\nb\r\nc\rd\n\n\r\r\nend'
bytes want1 'a\r\nb\r\nc\rd\r\n\r\n\r\r\nend'
conv "bare LF to CRLF; CRLF and bare CR unchanged; no final line end" "$TMP/want1" "$TMP/in1"
conv "converting twice changes nothing" "$TMP/want1" "$TMP/want1"
bytes in2 'a\r\nb\nc\rd\r\n\r\r\n\r'
bytes want2 'a\nb\nc\rd\n\r\n\r'
conv "--lf: CRLF to LF; bare CR, bare LF and a final CR unchanged" "$TMP/want2" --lf "$TMP/in2"
conv "-l is --lf" "$TMP/want2" -l "$TMP/in2"
bytes nul 'x\000\377\200\n'
bytes wantnul 'x\000\377\200\r\n'
conv "NUL and 8-bit bytes copied" "$TMP/wantnul" "$TMP/nul"
: > "$TMP/empty"
conv "empty input" "$TMP/empty" "$TMP/empty"

# stdin, '-', several files: each converted on its own (a CR ending one
# file and an LF starting the next are not one CRLF)
bytes f1 'one\r'
bytes f2 '\ntwo\n'
bytes want12 'one\r\r\ntwo\r\n'
conv "several files, each on its own" "$TMP/want12" "$TMP/f1" "$TMP/f2"
"$CRLF" - "$TMP/f2" < "$TMP/f1" > "$TMP/out"
same_bytes "'-' is stdin" "$TMP/want12" "$TMP/out"
"$CRLF" < "$TMP/in1" > "$TMP/out"
same_bytes "stdin when no FILE" "$TMP/want1" "$TMP/out"

# Read buffers are 65536 bytes: CRLF split across each boundary, a bare CR
# ending a buffer, an LF starting one, then 4 MB of random bytes rich in
# CR and LF; compared with Python's conversions.
$PYTHON - "$TMP" <<'EOF'
import random, re, sys
d = sys.argv[1]
B = 65536
edge = bytearray(b'x' * (B * 6 + 10))
edge[B - 1:B + 1] = b'\r\n'          # CRLF across the 1st boundary
edge[2 * B - 1] = ord('\r')          # bare CR ending the 2nd buffer
edge[2 * B] = ord('y')
edge[3 * B] = ord('\n')              # bare LF starting the 4th buffer
edge[4 * B - 1:4 * B + 1] = b'\r\r'  # CR CR LF across the 4th boundary
edge[4 * B + 1] = ord('\n')
edge[-1] = ord('\r')                 # a CR ending the input
r = random.Random(1)
def pick(alphabet, n):
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return r.randbytes(n).translate(table)
rnd = pick(b'\r\n\r\nab\x00\xff ', 4 << 20)
lf_only = pick(b'\n\nab\xc3\xa9 \x00', 3 << 20)
crlf = lambda b: re.sub(rb'(?<!\r)\n', b'\r\n', b)
lf = lambda b: b.replace(b'\r\n', b'\n')
for name, data in (('edge', bytes(edge)), ('rnd', rnd)):
    open(f'{d}/{name}', 'wb').write(data)
    open(f'{d}/{name}.crlf', 'wb').write(crlf(data))
    open(f'{d}/{name}.lf', 'wb').write(lf(data))
open(f'{d}/lfonly', 'wb').write(lf_only)
EOF
conv "buffer edges: to CRLF" "$TMP/edge.crlf" "$TMP/edge"
conv "buffer edges: --lf" "$TMP/edge.lf" --lf "$TMP/edge"
conv "4 MB random: to CRLF, as Python" "$TMP/rnd.crlf" "$TMP/rnd"
conv "4 MB random: --lf, as Python" "$TMP/rnd.lf" --lf "$TMP/rnd"
"$CRLF" < "$TMP/rnd" > "$TMP/out"
same_bytes "4 MB random through a pipe" "$TMP/rnd.crlf" "$TMP/out"

# the same bytes whatever the read size: one byte at a time included
head -c 200000 "$TMP/rnd" > "$TMP/small"
$PYTHON -c 'import re,sys; b=open(sys.argv[1],"rb").read(); open(sys.argv[1]+".crlf","wb").write(re.sub(rb"(?<!\r)\n", b"\r\n", b)); open(sys.argv[1]+".lf","wb").write(b.replace(b"\r\n", b"\n"))' "$TMP/small"
for n in 1 2 3 7 4096; do
	conv "--buffer-size $n: to CRLF, same bytes" "$TMP/small.crlf" --buffer-size "$n" "$TMP/small"
	conv "--buffer-size $n: --lf, same bytes" "$TMP/small.lf" --lf --buffer-size "$n" "$TMP/small"
done
expect_err "--buffer-size 0 is a usage error" 64 "buffer-size" -- "$CRLF" --buffer-size 0 "$TMP/small"

# property: for an input without CR, crlf then --lf gives it back
"$CRLF" "$TMP/lfonly" | "$CRLF" --lf > "$TMP/out"
same_bytes "property: crlf | crlf --lf == LF-only input (3 MB)" "$TMP/lfonly" "$TMP/out"
"$CRLF" "$TMP/lfonly" > "$TMP/lfonly.crlf"
"$CRLF" --lf "$TMP/lfonly.crlf" | "$CRLF" > "$TMP/out"
same_bytes "property: crlf --lf | crlf == CRLF-only input" "$TMP/lfonly.crlf" "$TMP/out"
$PYTHON -c 'import sys; b=open(sys.argv[1],"rb").read(); sys.exit(not (b.count(b"\n") == b.count(b"\r\n") > 0))' "$TMP/lfonly.crlf" &&
	pass "every LF of the CRLF form follows a CR" || fail "every LF of the CRLF form follows a CR"

# constant memory: 200 MB through the command under a 64 MB address-space limit
n=$( (ulimit -v 65536 2>/dev/null; head -c 100000000 /dev/zero | tr '\0' '\n' | "$CRLF" | wc -c) 2>&1)
[ "$n" = 200000000 ] && pass "100 MB of LF in 64 MB of memory: 200 MB of CRLF" ||
	fail "100 MB of LF in 64 MB of memory" "$n"

expect_err "missing file exits 66" 66 "ember crlf: .*nosuch" -- "$CRLF" "$TMP/nosuch"
expect_err "unknown option exits 64" 64 "unknown option" -- "$CRLF" --bogus
"$CRLF" --help > "$TMP/help" 2>&1 && grep -q "^Usage: ember crlf" "$TMP/help" &&
	pass "--help" || fail "--help"
finish
