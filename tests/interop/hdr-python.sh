#!/bin/sh
# ember hdr -h subject against Python's email package (policy.default,
# str(msg['subject']) for every Subject field, unfolded) on every message of
# ../shared/testdata/mime (read in place), and on the header vectors there
# (vectors/rfc2047-decode.tsv, mail-parser/unstructured.json), each written
# as the Subject of a message.
# Every difference must be listed below, with its reason, and must still be
# there (so the list cannot rot); any other difference fails. The listed ones
# are counted by kind:
#   rfc      Python breaks the RFCs
#   choice   both readings are allowed; ember keeps a malformed word as written
#   charset  a charset ember has no table for (RFC 2047 6.2 (a): shown as written)
SUITE=interop-hdr-python
. "$(dirname "$0")/../cli/lib.sh"
HDR=${EMBER_HDR:-$BIN/ember-hdr}
HELPER=$ROOT/tests/interop/hdr-python.py
SELF=$ROOT/tests/interop/hdr-python.sh

# "@NAME KIND RFC section: reason", then the exact lines of `diff python ember`.
known() {
	awk -v f="@$1" 'index($0, f " ") == 1 {on = 1; next} /^@/ {on = 0} on' <<'EOF'
@mail-parser/eml/malformed/019.eml rfc RFC 5322 2.2, 3.5: Python ends the header at the broken first line "Fro :uMmlti ..." and loses the Subject after it; we read on
> Sprint 3 multipart fixture
> Sprint 3 multipart fixture
@unstructured-005 rfc RFC 2047 2: encoded-text has no SPACE, so "=?iso-8859-1?q?this is some text?=" is four words of text, not an encoded word; Python decodes it
< this is some text
> =?iso-8859-1?q?this is some text?=
@unstructured-024 rfc RFC 2047 2: an encoded word has no white space, so a fold cannot be inside one; Python decodes across the fold
< Hello  there!
> =?utf-8?Q?Hello _there!?=
@unstructured-025 rfc RFC 2047 2: an encoded word has no white space, so a fold cannot be inside one; Python decodes across the fold
< Hello  there!
> =?utf-8?Q?Hello _there!?=
@unstructured-026 rfc RFC 2047 2: an encoded word has no white space, so a fold cannot be inside one; Python decodes across the fold
< Hello   	   there!
> =?utf-8?Q?Hello   	  _there!?=
@rfc2047-020 choice RFC 2047 4.2, 6.3: "=zz" makes the word incorrectly formed; Python decodes the rest ("andré=zz"), ember shows the word as written
< andré=zz
> =?iso-8859-1?Q?andr=e9=zz?=
@rfc2047-017 charset RFC 2047 6.2: mac-iceland is not among ember's charsets, the word is shown as written
< Re: räksmörgås baz foo bar räksmörgås
> Re: =?mac-iceland?q?r=8Aksm=9Arg=8Cs?= baz foo bar =?mac-iceland?q?r=8Aksm=9Arg=8Cs?=
EOF
}

kind_of() {
	grep "^@$1 " "$SELF" | head -n 1 | cut -d' ' -f2
}

if [ -z "$TESTDATA" ] || [ ! -d "$TESTDATA/mime" ]; then
	echo "$SUITE: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$HDR" ]; then
	skip "ember hdr vs Python email" "$HDR is not built yet"
	finish
	exit
fi
case $HDR in /*) ;; *) HDR=$(pwd)/$HDR ;; esac
"$PYTHON" "$HELPER" --vectors "$TESTDATA/mime" "$TMP/vectors" || exit 70
n_rfc=0 n_choice=0 n_charset=0

# compare LABEL FILE
compare() {
	"$HDR" -h subject "$2" > "$TMP/em" 2>/dev/null
	if ! "$PYTHON" "$HELPER" "$2" > "$TMP/py" 2> "$TMP/pyerr"; then
		fail "$1" "python: $(tail -1 "$TMP/pyerr")"
		return
	fi
	diff "$TMP/py" "$TMP/em" | grep '^[<>]' > "$TMP/diff"
	known "$1" > "$TMP/known"
	if [ -s "$TMP/known" ]; then
		if cmp -s "$TMP/diff" "$TMP/known"; then
			k=$(kind_of "$1")
			pass "$1 differs from Python as listed ($k)"
			case $k in
			rfc) n_rfc=$((n_rfc + 1)) ;;
			choice) n_choice=$((n_choice + 1)) ;;
			*) n_charset=$((n_charset + 1)) ;;
			esac
		else
			fail "$1: the listed difference changed" "$(diff "$TMP/known" "$TMP/diff" | head -20)"
		fi
	elif [ -s "$TMP/diff" ]; then
		fail "$1" "$(head -20 "$TMP/diff")"
	else
		pass "$1"
	fi
}

cd "$TESTDATA/mime" || exit 70
for f in $(find mail-parser/eml mrmime-bad hamlet -type f \( -name '*.eml' -o -name '*.mail' \) | sort); do
	compare "$f" "$f"
done
for f in "$TMP"/vectors/*.eml; do
	compare "$(basename "$f" .eml)" "$f"
done
echo "$SUITE: listed differences: $n_rfc where Python breaks the RFCs, $n_choice allowed choices, $n_charset charsets ember lacks"
finish
