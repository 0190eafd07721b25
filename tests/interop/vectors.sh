#!/bin/sh
# lib/mime against the header vectors of mail-parser (Stalwart Labs, MIT):
# ../shared/testdata/mime/mail-parser/{content_type,date,id,received,
# address}.json, see PROVENANCE.md there. tests/interop/vectors-probe.c is
# compiled against build/lib/libember-mime.a and prints what lib/mime makes
# of each field body; tests/interop/vectors.py maps mail-parser's expected
# values and ours to one shape, compares them field by field, and checks
# every difference against its KNOWN table: a justified difference (class
# b, with the RFC section or the model choice) passes, a bug in ember
# (class a) or an unlisted or changed
# difference fails. One PASS/FAIL per vector file.
SUITE=interop-vectors
. "$(dirname "$0")/../cli/lib.sh"
LIB=$ROOT/build/lib/libember-mime.a
DIR=$TESTDATA/mime/mail-parser

if [ -z "$TESTDATA" ] || [ ! -d "$DIR" ]; then
	skip "mail-parser vectors" "no ../shared/testdata/mime/mail-parser"
	finish
	exit
fi
if [ ! -f "$LIB" ]; then
	skip "mail-parser vectors" "build/lib/libember-mime.a not built (make)"
	finish
	exit
fi

cd "$ROOT" || exit 70
# shellcheck disable=SC2046 # pkg-config output is a word list
if ! cc -std=c17 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Ilib/mime -o "$TMP/probe" \
	tests/interop/vectors-probe.c "$LIB" $(pkg-config --libs libidn2 openssl) 2> "$TMP/cc"; then
	fail "vectors-probe.c compiles" "$(head -20 "$TMP/cc")"
	finish
	exit
fi
pass "vectors-probe.c compiles"

for name in content_type date id received address; do
	if "$PYTHON" tests/interop/vectors.py "$TMP/probe" "$DIR" "$name" > "$TMP/out" 2>&1; then
		tail -1 "$TMP/out"
		pass "$name"
	else
		grep -v '^[a-z_]*: [0-9]* of ' "$TMP/out"
		tail -1 "$TMP/out"
		fail "$name"
	fi
done
finish
