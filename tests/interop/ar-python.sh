#!/bin/sh
# ember's Authentication-Results reader (through `ember ar --json`) against
# Python's authres (Debian's python3-authres): RFC 8601's appendix B and
# 2.7.6 examples, real fields, fields ember's printer writes
# (tests/interop/ar-probe.c) and fields `ember dkim verify --ar` writes
# (keys served by knot). tests/interop/ar-python.py lists every difference
# with its RFC reason; a difference not listed, or one listed that is gone,
# fails.
SUITE=interop-ar-python
. "$(dirname "$0")/../cli/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
LIB=$ROOT/build/lib/libember-mime.a
if ! "$PYTHON" -c 'import authres' 2>/dev/null; then
	skip "authres" "python3-authres is not installed (scripts/deps)"
	finish
	exit
fi
cd "$TMP" || exit 70

# the printer's fields
if cc -std=c17 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -I"$ROOT/lib/mime" -o probe \
	"$ROOT/tests/interop/ar-probe.c" "$LIB" $(pkg-config --libs libidn2) 2> cc.err; then
	pass "ar-probe.c compiles"
	./probe > printed.txt
else
	fail "ar-probe.c compiles" "$(head -20 cc.err)"
	: > printed.txt
fi

# dkim verify --ar's fields: two signatures pass, a changed body fails both,
# no signature, a signature that does not parse, an unknown key
: > dkim-verify.txt
mkdir -p k
"$E" dkim keygen -t ed25519 -d example.com -s ed -o k/ed > /dev/null
"$E" dkim keygen -t rsa -d example.com -s rsa -o k/rsa > /dev/null
dns_line "$(cat k/ed.txt)"
dns_line "$(cat k/rsa.txt)"
if dns_start; then
	printf 'From: Joe <joe@example.com>\r\nTo: x@example.net\r\nSubject: hi\r\n\r\nHello.\r\n' > m.eml
	"$E" dkim sign -d example.com -s ed -k k/ed.key m.eml | "$E" dkim sign -d example.com -s rsa -k k/rsa.key > s.eml
	sed 's/Hello\./Hullo./' s.eml > changed.eml
	{ printf 'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=x; b=\r\n'; cat m.eml; } > broken.eml
	"$E" dkim sign -d example.com -s nokey -k k/ed.key m.eml > nokey.eml
	for f in s.eml changed.eml m.eml broken.eml nokey.eml; do
		"$E" dkim verify --ar --authserv-id mx.test < "$f" |
			awk '/^Authentication-Results:/ {on = 1; print; next} on && /^[ \t]/ {print; next} {on = 0}' |
			tr -d '\r' >> dkim-verify.txt
		echo -- >> dkim-verify.txt
	done
	pass "knot serves the keys"
else
	fail "knot starts"
fi

"$PYTHON" "$ROOT/tests/interop/ar-python.py" "$E-ar" printed.txt dkim-verify.txt > out.txt 2> py.err ||
	fail "ar-python.py runs" "$(tail -5 py.err)"
while IFS= read -r l; do
	case $l in
	"PASS "*) _P=$((_P + 1)); echo "$l" ;;
	"FAIL "*) _F=$((_F + 1)); echo "$l" ;;
	*) echo "$l" ;;
	esac
done < out.txt
finish
