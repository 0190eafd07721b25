#!/bin/sh
# ember addr against Python's email package (policy.default) on every message
# of ../shared/testdata/mime: the mailboxes of From, Sender, Reply-To, To, Cc
# and Bcc, in order, as (display name, addr-spec) pairs and with -a. Our lines
# are read back by Python too, so the comparison is of data, not spelling.
# Where Python breaks the RFCs the case is listed below with the exact
# difference, which must still be there (so the list cannot rot).
SUITE=interop-addr-python
. "$(dirname "$0")/../cli/lib.sh"
ADDR=${EMBER_ADDR:-$BIN/ember-addr}
HELPER=$ROOT/tests/interop/addr-python.py

# Known differences: "@FILE RFC section: reason", then the exact lines of
# `diff python ember` (prefix "a": the -a comparison; TAB between name and
# addr-spec).
known() {
	awk -v f="@$1" 'index($0, f " ") == 1 {on = 1; next} /^@/ {on = 0} on' <<'EOF'
@mail-parser/eml/rfc/001.eml RFC 5322 3.4.1: an addr-spec needs a domain; Python takes "Whomever" as one
< 	Whomever
< 	Someone
a< Whomever
a< Someone
@mail-parser/eml/rfc/004.eml RFC 5322 3.4.1: an addr-spec needs a domain; Python takes the bare word as one
< 	Moderator-Address
< 	Recipient-List
a< Moderator-Address
a< Recipient-List
@mail-parser/eml/thirdparty/007.eml RFC 5322 3.4.1: "Moderator-Address <moderator>" has no domain
< Moderator-Address	moderator
a< moderator
@mrmime-bad/006.eml RFC 5322 3.4.1: "Sender: weis" has no domain
< 	weis
a< weis
@mrmime-bad/010.eml RFC 5322 3.4.1: "Sender: weis" has no domain
< 	weis
a< weis
@mrmime-bad/014.eml RFC 5322 3.4.1: "Sender: weis" has no domain
< 	weis
a< weis
@mail-parser/eml/malformed/019.eml RFC 5322 2.2, 3.5: Python ends the header at the broken first line "Fro :uMmlti ..."; we report it and read the To field after it
> rimap-test	rimap-test@example.test
a> rimap-test@example.test
EOF
}

if [ -z "$TESTDATA" ] || [ ! -d "$TESTDATA/mime" ]; then
	echo "$SUITE: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
cd "$TESTDATA/mime" || exit 70
for f in $(find mail-parser/eml mrmime-bad hamlet -type f \( -name '*.eml' -o -name '*.mail' \) | sort); do
	"$ADDR" "$f" > "$TMP/names" 2>/dev/null
	"$ADDR" -a "$f" > "$TMP/specs" 2>/dev/null
	if ! "$PYTHON" "$HELPER" "$f" "$TMP/names" > "$TMP/both" 2> "$TMP/pyerr"; then
		fail "$f" "python: $(tail -1 "$TMP/pyerr")"
		continue
	fi
	sed '/^--$/,$d' "$TMP/both" > "$TMP/py"
	awk 'p; /^--$/ {p = 1}' "$TMP/both" > "$TMP/em"
	cut -f2- "$TMP/py" > "$TMP/pya"
	{ diff "$TMP/py" "$TMP/em" | grep '^[<>]'
	  diff "$TMP/pya" "$TMP/specs" | grep '^[<>]' | sed 's/^/a/'; } > "$TMP/diff"
	known "$f" > "$TMP/known"
	if [ -s "$TMP/known" ]; then
		if cmp -s "$TMP/diff" "$TMP/known"; then
			pass "$f differs from Python as listed"
		else
			fail "$f: the listed difference changed" "$(diff "$TMP/known" "$TMP/diff" | head -20)"
		fi
	elif [ -s "$TMP/diff" ]; then
		fail "$f" "$(head -20 "$TMP/diff")"
	else
		pass "$f"
	fi
done
finish
