#!/bin/sh
# DKIM conformance: every signed message of ../shared/testdata/dkim (the RFC
# 6376 Appendix A and RFC 8463 Appendix A examples, go-msgauth's known
# answers, dkimpy's, Mail::DKIM's and DKIM Verifier's corpora) verified by
# `ember dkim verify` with its keys served by knot on loopback, against the
# verdicts the upstream projects assert (tests/cli/dkim_corpus.py lists
# where ember reads a message otherwise, and why). The rows that replace a
# key record are run each with its own zone.
SUITE=cli-dkim-corpus
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
D=$TESTDATA/dkim
if [ -z "$TESTDATA" ] || [ ! -d "$D" ]; then
	skip "the DKIM corpus" "../shared/testdata/dkim is absent"
	finish
	exit
fi
for f in rfc dkimpy mail-dkim dkim_verifier; do dns_from_file "$D/$f/keys.zone"; done
cp "$DNS_DIR/records" "$DNS_DIR/records.all"
dns_start || { fail "knot starts"; finish; exit; }

check() {
	"$PYTHON" "$ROOT/tests/cli/dkim_corpus.py" "$BIN/ember-dkim" "$D" "$1" > "$TMP/out" 2>&1
	while IFS= read -r l; do
		case $l in
		PASS*) pass "${l#PASS }" ;;
		FAIL*) fail "${l#FAIL }" ;;
		*) fail "dkim_corpus.py: $l" ;;
		esac
	done < "$TMP/out"
}
check main

# A key record replaced: the zone again with that one record changed.
override() {  # NAME VALUE FOLDER FILE EXPECTED
	dns_stop
	grep -v "^$1\. " "$DNS_DIR/records.all" > "$DNS_DIR/records"
	printf '%s. IN TXT %s\n' "$1" "$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g; s/.\{1,250\}/"&" /g')" \
		>> "$DNS_DIR/records"
	dns_start || { fail "knot restarts"; return; }
	check "override:$3:$4:$5"
}
rfckey=$(grep '^brisbane._domainkey.example.com\.' "$D/rfc/keys.zone" | sed 's/.*p=//; s/"[^"]*$//; s/" "//g')
tab=$(printf '\t')
grep -v '^#' "$D/dkim_verifier/expected-results.tsv" | tail -n +2 > "$TMP/rows"
while IFS="$tab" read -r file ov upstream crypto note; do  # no pipe: no subshell
	[ "$ov" = "-" ] && continue
	override brisbane._domainkey.example.com "$(printf '%s' "$ov" | sed "s|<RFC6376 key>|$rfckey|")" \
		dkim_verifier "$file" "$crypto"
done < "$TMP/rows"
# dkimpy: a corrupted key must give a clean result, not a crash (dkimpy: fail;
# ember: permerror, the record has no usable key)
override test._domainkey.football.example.com \
	"k=rsa; p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==" \
	dkimpy rfc6376.signed.rsa.msg permerror
finish
