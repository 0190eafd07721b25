#!/bin/sh
# Lossless pass-through and parse(print(m)) == m (ember corpus check) on
# 2,000 varied messages written by Python's email package, generated here,
# and on every message of ../shared/testdata/mime.
SUITE=interop-roundtrip-python
. "$(dirname "$0")/../cli/lib.sh"
CORPUS=$BIN/ember-corpus
N=${ROUNDTRIP_N:-2000}
if [ ! -x "$CORPUS" ]; then
	skip "round trip" "$CORPUS is not built"
	finish
	exit
fi
if "$PYTHON" "$ROOT/tests/interop/pycorpus.py" --seed 7 -n "$N" "$TMP/py" 2>"$TMP/gen.err"; then
	pass "pycorpus writes $N messages"
else
	fail "pycorpus writes $N messages" "$(tail -3 "$TMP/gen.err")"
fi
out=$("$CORPUS" check "$TMP/py" 2>"$TMP/err"); rc=$?
case $out in
"$N checked, 0 failed,"*) [ $rc -eq 0 ] && pass "Python's messages: $out" || fail "status $rc" "$out" ;;
*) fail "Python's messages round-trip" "$out" "$(head -5 "$TMP/err")" ;;
esac
if [ -z "$TESTDATA" ]; then
	skip "testdata round trip" "../shared/testdata is absent"
	finish
	exit
fi
find "$TESTDATA/mime" -type f \( -name '*.eml' -o -name '*.mail' \) | LC_ALL=C sort > "$TMP/list"
n=$(wc -l < "$TMP/list" | tr -d ' ')
out=$(tr '\n' '\0' < "$TMP/list" | xargs -0 "$CORPUS" check 2>"$TMP/err"); rc=$?
case $out in
"$n checked, 0 failed,"*) [ $rc -eq 0 ] && pass "testdata/mime: $out" || fail "status $rc" "$out" ;;
*) fail "testdata/mime round-trips" "$out" "$(head -5 "$TMP/err")" ;;
esac
finish
