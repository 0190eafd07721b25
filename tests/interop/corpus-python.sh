#!/bin/sh
# ember corpus gen against Python's email package: 2,000 generated messages
# read by /usr/bin/python3 (policy.default, message_from_bytes) must show no
# defect on any part or header field, and the same MIME tree as
# `ember descr --json` (tests/interop/pytree.py builds Python's tree).
#
# Defects allowed (Python's notices about valid RFC 6532 UTF-8 headers, see
# pytree.py IGNORED_DEFECTS): UndecodableBytesDefect (raw UTF-8 in a header,
# RFC 6532 3.2) and NonASCIILocalPartDefect (a UTF-8 local part, RFC 6532
# 3.2). Nothing else.
#
# The trees are compared part by part in pre-order (type, file name,
# charset, disposition, decoded size), descending only into multipart/* and
# message/rfc822|global (Python also descends into message/delivery-status;
# pytree.py keeps those as leaves).
#   CORPUS_N      messages (default 2000)
#   CORPUS_FIELDS the node keys compared (default type,filename,charset,
#                 disposition,size)
#   CORPUS_SEED   seed (default 1); a failing NNNNNNN.eml is rebuilt by
#                 ember corpus gen --seed SEED --first NNNNNNN -n 1 -o DIR
SUITE=interop-corpus-python
. "$(dirname "$0")/../cli/lib.sh"
HERE=$ROOT/tests/interop
N=${CORPUS_N:-2000}
SEED=${CORPUS_SEED:-1}
CORPUS=$BIN/ember-corpus
DESCR=$BIN/ember-descr

for p in "$CORPUS" "$DESCR"; do
	if [ ! -x "$p" ]; then
		skip "corpus vs Python email" "$p is not built yet"
		finish
		exit
	fi
done

if "$CORPUS" gen --seed "$SEED" -n "$N" -o "$TMP/corpus" 2>"$TMP/gen.err"; then
	pass "ember corpus gen writes $N messages (seed $SEED)"
else
	fail "ember corpus gen writes $N messages (seed $SEED)" "$(tail -n 3 "$TMP/gen.err")"
fi
(cd "$TMP/corpus" && ls) > "$TMP/names"
[ "$(wc -l < "$TMP/names")" -eq "$N" ] && pass "one file per message" ||
	fail "one file per message" "$(wc -l < "$TMP/names") files"

# Python: trees on stdout, defects per file
(cd "$TMP/corpus" && tr '\n' '\0' < "$TMP/names" |
	xargs -0 "$PYTHON" "$HERE/pytree.py" --defects-out "$TMP/py.defects") > "$TMP/py.jsonl"
bad=$(grep -vc ': ok$' "$TMP/py.defects")
if [ "$bad" = 0 ] && [ "$(wc -l < "$TMP/py.defects")" -eq "$N" ]; then
	pass "Python finds no defect in $N generated messages"
else
	fail "Python finds no defect in $N generated messages" "$bad messages with defects:" \
		"$(grep -v ': ok$' "$TMP/py.defects" | head -n 8)"
fi

# ember descr --json, one message at a time (a crash costs one line)
: > "$TMP/ember.jsonl"
while IFS= read -r f; do
	o=$(cd "$TMP/corpus" && "$DESCR" --json "$f" 2>"$TMP/descr.err"); rc=$?
	if [ $rc -eq 0 ] && [ -n "$o" ]; then
		printf '%s\n' "$o" | head -n 1 >> "$TMP/ember.jsonl"
	else
		printf '{"error":"ember-descr exited %s: %s"}\n' "$rc" \
			"$(head -c 200 "$TMP/descr.err" | tr -d '"\\\n')" >> "$TMP/ember.jsonl"
	fi
done < "$TMP/names"
if "$PYTHON" "$HERE/pytree.py" --compare "$TMP/ember.jsonl" "$TMP/py.jsonl" \
	--names "$TMP/names" --label corpus --fields "${CORPUS_FIELDS:-type,filename,charset,disposition,size}" > "$TMP/cmp.out" 2>&1; then
	pass "same MIME tree: $(tail -n 1 "$TMP/cmp.out")"
else
	sed '$d' "$TMP/cmp.out" | head -n 60
	fail "same MIME tree: $(tail -n 1 "$TMP/cmp.out")"
fi
finish
