#!/bin/sh
# ember corpus gen|check: determinism, the three outputs agree, the round trip
# on a 20,000-message slice, failures reported and counted, exit codes.
. "$(dirname "$0")/lib.sh"
C=${EMBER_CORPUS:-$BIN/ember-corpus}
if [ ! -x "$C" ]; then
	fail "$C is built"
	finish
	exit 1
fi

# ---- determinism ---------------------------------------------------------------
"$C" gen --seed 3 -n 300 - > "$TMP/a.mbox"
"$C" gen --seed 3 -n 300 > "$TMP/b.mbox"
"$C" gen --seed 4 -n 300 > "$TMP/c.mbox"
same_bytes "same seed, same bytes" "$TMP/a.mbox" "$TMP/b.mbox"
if [ -s "$TMP/a.mbox" ] && ! cmp -s "$TMP/a.mbox" "$TMP/c.mbox"; then
	pass "another seed, other bytes"
else
	fail "another seed, other bytes"
fi
n=$(grep -c '^From ember-corpus@localhost Thu Jan  1 00:00:00 1970$' "$TMP/a.mbox")
[ "$n" = 300 ] && pass "300 mboxrd separators" || fail "300 mboxrd separators" "got $n"

# message K depends only on (seed, K)
"$C" gen --seed 3 --first 250 -n 51 > "$TMP/tail.mbox"
awk '/^From ember-corpus@localhost /{n++} n >= 250' "$TMP/a.mbox" > "$TMP/a-tail.mbox"
same_bytes "--first 250 -n 51 gives messages 250..300" "$TMP/a-tail.mbox" "$TMP/tail.mbox"

# ---- -o DIR, --mbox FILE and - agree --------------------------------------------------
"$C" gen --seed 3 -n 300 --mbox "$TMP/m.mbox"
"$C" gen --seed 3 -n 300 -o "$TMP/dir"
same_bytes "--mbox FILE == stdout" "$TMP/a.mbox" "$TMP/m.mbox"
cnt=$(ls "$TMP/dir" | wc -l)
[ "$cnt" = 300 ] && [ -f "$TMP/dir/0000001.eml" ] && [ -f "$TMP/dir/0000300.eml" ] &&
	pass "-o DIR: 0000001.eml .. 0000300.eml" || fail "-o DIR: 0000001.eml .. 0000300.eml" "$cnt files"
# undo the mboxrd quoting independently and compare with the files
cat > "$TMP/split.py" <<'EOF'
import re, sys, os
data = open(sys.argv[1], 'rb').read()
sep = b'From ember-corpus@localhost Thu Jan  1 00:00:00 1970\n'
assert data.startswith(sep)
msgs = data[len(sep):].split(b'\n' + sep)
bad = 0
msgs[-1] = msgs[-1][:-1]  # the blank line after the last message (the others'
                          # went with the split)
for i, m in enumerate(msgs, 1):
    m = re.sub(rb'(?m)^>(>*From )', rb'\1', m)
    if open(os.path.join(sys.argv[2], '%07d.eml' % i), 'rb').read() != m:
        bad += 1
        print('differs:', i)
quoted = len(re.findall(rb'(?m)^>+From ', data))
print('%d messages, %d differ, %d quoted From lines' % (len(msgs), bad, quoted))
EOF
out=$("$PYTHON" "$TMP/split.py" "$TMP/m.mbox" "$TMP/dir" 2>&1)
case $out in
	"300 messages, 0 differ, "*) q=${out##*differ, }; q=${q%% *}
		[ "$q" -gt 0 ] && pass "mbox == files, with >From quoting ($q lines)" ||
			fail "mbox == files: no From line was quoted" "$out" ;;
	*) fail "mbox == files" "$out" ;;
esac
if LC_ALL=C grep -qv "$(printf '\r$')" "$TMP/dir/0000001.eml"; then
	fail "messages have CRLF line ends"
else
	pass "messages have CRLF line ends"
fi
expect "check DIR" 0 "" -- sh -c "'$C' check '$TMP/dir' | sed 's/, [0-9.]* seconds.*//' | grep -x '300 checked, 0 failed' >/dev/null"
expect "check MBOX (a file)" 0 "" -- sh -c "'$C' check '$TMP/m.mbox' | grep '^300 checked, 0 failed, [0-9.]* seconds, [0-9.]* MB/s$' >/dev/null"
expect "check FILE FILE" 0 "" -- sh -c "'$C' check '$TMP/dir/0000007.eml' '$TMP/dir/0000008.eml' | grep '^2 checked, 0 failed' >/dev/null"

# ---- the round trip on a slice ---------------------------------------------------------
"$C" gen --seed 7 -n 20000 - | "$C" check - > "$TMP/slice.out" 2> "$TMP/slice.err"; rc=$?
if [ $rc = 0 ] && grep -q '^20000 checked, 0 failed, [0-9.]* seconds, [0-9.]* MB/s$' "$TMP/slice.out"; then
	pass "gen --seed 7 -n 20000 - | check -: $(cat "$TMP/slice.out")"
else
	fail "gen --seed 7 -n 20000 - | check -" "status $rc" "$(cat "$TMP/slice.out")" "$(head -c 600 "$TMP/slice.err")"
fi

# ---- failures: a damaged message is noticed, named and counted ---------------------------
# A generated message with a header field past the parser's limit (65,536
# bytes, mime-parser.h): the raw view cannot be given back.
big=$(awk 'BEGIN { for (i = 0; i < 14000; i++) printf "word " }')
{ printf 'X-Damage: %s\r\n' "$big"; cat "$TMP/dir/0000002.eml"; } > "$TMP/long.eml"
expect_err "a damaged message: status 1, named, with the reason" 1 \
	"^ember corpus: $TMP/long.eml: the parser stopped: header field longer than the limit \\(line [0-9]+\\)$" \
	-- "$C" check "$TMP/dir/0000001.eml" "$TMP/long.eml"
grep -q '^2 checked, 1 failed, ' "$TMP/stdout" && pass "summary counts it" || fail "summary counts it" "$(cat "$TMP/stdout")"

# the same inside an mbox: FILE:N; and more parts than the limit (10,000)
{ "$C" gen --seed 5 -n 3; printf 'From someone@example.org Mon Jan  1 00:00:00 2024\n';
  printf 'From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n'
  awk 'BEGIN { for (i = 0; i < 10001; i++) printf "--b\r\n\r\npart\r\n"; printf "--b--\r\n\n" }'
  "$C" gen --seed 5 --first 4 -n 1; } > "$TMP/bad.mbox"
expect_err "mbox: the failing message is FILE:N" 1 \
	"^ember corpus: $TMP/bad.mbox:4: the parser stopped: too many parts \\(line [0-9]+\\)$" \
	-- "$C" check -k "$TMP/kept" "$TMP/bad.mbox"
grep -q '^5 checked, 1 failed, ' "$TMP/stdout" && pass "mbox summary: 5 checked, 1 failed" ||
	fail "mbox summary: 5 checked, 1 failed" "$(cat "$TMP/stdout")"
[ "$(ls "$TMP/kept")" = fail-000001.eml ] && grep -q '^--b--' "$TMP/kept/fail-000001.eml" &&
	pass "-k keeps the failing message" || fail "-k keeps the failing message" "$(ls "$TMP/kept")"
expect_err "stdin is named stdin:N" 1 "^ember corpus: stdin:4: the parser stopped" \
	-- sh -c "'$C' check < '$TMP/bad.mbox'"

# ---- exit codes ---------------------------------------------------------------------------
printf 'Subject: not an mbox\r\n\r\nx\r\n' > "$TMP/plain.eml"
expect_err "stdin that is not an mbox: 65" 65 "stdin: not an mbox" -- sh -c "'$C' check - < '$TMP/plain.eml'"
head -c 3000 "$C" > "$TMP/garbage"
expect_err "a file that is not mail: 65" 65 "garbage: not a mail message" -- "$C" check "$TMP/garbage"
: > "$TMP/empty"
expect_err "an empty file is not mail: 65" 65 "empty: not a mail message" -- "$C" check "$TMP/empty"
expect "a single message file that is not an mbox passes" 0 "" -- \
	sh -c "'$C' check '$TMP/plain.eml' | grep -q '^1 checked, 0 failed'"
expect_err "missing file: 66" 66 "nosuch" -- "$C" check "$TMP/nosuch"
expect_err "no subcommand: 64" 64 "gen or check" -- "$C"
expect_err "unknown subcommand: 64" 64 "unknown subcommand 'frob'" -- "$C" frob
expect_err "bad -n: 64" 64 "not a number" -- "$C" gen -n ten
expect_err "two outputs: 64" 64 "one output" -- "$C" gen -n 1 -o "$TMP/x" -
expect_err "gen: unknown option: 64" 64 "unknown option" -- "$C" gen --bogus
expect_err "check: unknown option: 64" 64 "unknown option" -- "$C" check --bogus
"$C" --help | grep -q '^Usage: ember corpus gen' && pass "--help" || fail "--help"
"$C" check --help | grep -q 'N checked, F failed, S seconds, R MB/s' && pass "check --help" || fail "check --help"
expect "--version" 0 "ember corpus 0.1.0" -- "$C" --version

# the checker reads what the parser reads: a first line that is a continuation
# is a message with a defect, not "not mail"
printf ' lead\r\nSubject: s\r\n\r\nbody\r\n' > "$TMP/lead.eml"
expect "a first line starting with white space is checked" 0 "" -- \
	sh -c "'$C' check '$TMP/lead.eml' 2>&1 | grep -q '^1 checked, 0 failed'"

finish
