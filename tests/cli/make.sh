#!/bin/sh
# ember make: complete messages from options and a body.
. "$(dirname "$0")/lib.sh"
MK=${EMBER_MAKE:-$BIN/ember-make}
D='Tue, 1 Jul 2003 10:52:37 +0200'
if [ ! -x "$MK" ]; then
	fail "$MK is built"
	finish
	exit 1
fi

# want NAME: the expected message, from printf-style text with \n for CRLF
want() { printf "$(printf '%s' "$1" | sed 's/\\n/\\r\\n/g')" > "$TMP/$2.want"; }
# run NAME [options...] < body: output in $TMP/NAME.eml, status in $TMP/NAME.rc
run() {
	_n=$1; shift
	"$MK" "$@" > "$TMP/$_n.eml" 2> "$TMP/$_n.err"; echo $? > "$TMP/$_n.rc"
}
same() {
	if [ "$(cat "$TMP/$2.rc")" != 0 ]; then
		fail "$1" "status $(cat "$TMP/$2.rc")" "$(head -c 400 "$TMP/$2.err")"
	else
		same_bytes "$1" "$TMP/$2.want" "$TMP/$2.eml"
	fi
}

# ---- exact outputs ----------------------------------------------------------
printf 'Hello,\nworld.\n' | run ascii --from 'Alice <alice@example.org>' \
	--to 'Bob <bob@example.com>, carol@example.net' --subject 'Hi  there' \
	--date "$D" --message-id 'abc@example.org'
want 'Date: Tue, 1 Jul 2003 10:52:37 +0200\nFrom: Alice <alice@example.org>\nTo: Bob <bob@example.com>, carol@example.net\nSubject: Hi  there\nMessage-ID: <abc@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nHello,\nworld.\n' ascii
same "ASCII message, LF body made CRLF" ascii

run empty --to x@example.org --date none --message-id none < /dev/null
want 'To: x@example.org\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n' empty
same "empty body, --date none, --message-id none" empty

run hdr --to x@example.org --date "$D" --message-id '<1@h.example>' \
	--header 'X-Mailer: ember  make' --header 'In-Reply-To:<0@h.example>' < /dev/null
want 'Date: Tue, 1 Jul 2003 10:52:37 +0200\nTo: x@example.org\nMessage-ID: <1@h.example>\nX-Mailer: ember  make\nIn-Reply-To: <0@h.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n' hdr
same "--header fields in order after Message-ID" hdr

run rfc3339 --date 2003-07-01T10:52:37-03:30 --message-id none < /dev/null
run epoch --date @1057049557 --message-id none < /dev/null
run short --date '1 Jul 2003 10:52:37 +0000' --message-id none < /dev/null
if head -1 "$TMP/rfc3339.eml" | grep -q '^Date: Tue, 1 Jul 2003 10:52:37 -0330.$' &&
   head -1 "$TMP/epoch.eml" | grep -q '^Date: Tue, 1 Jul 2003 08:52:37 +0000.$' &&
   head -1 "$TMP/short.eml" | grep -q '^Date: Tue, 1 Jul 2003 10:52:37 +0000.$'; then
	pass "dates re-printed canonically (RFC 3339, @seconds, no day name)"
else
	fail "dates re-printed canonically" "$(head -1 "$TMP/rfc3339.eml" "$TMP/epoch.eml" "$TMP/short.eml")"
fi
SOURCE_DATE_EPOCH=86400 TZ=UTC run sde --message-id none < /dev/null
if head -1 "$TMP/sde.eml" | grep -q '^Date: Fri, 2 Jan 1970 00:00:00 +0000.$'; then
	pass "SOURCE_DATE_EPOCH fixes now"
else
	fail "SOURCE_DATE_EPOCH fixes now" "$(head -1 "$TMP/sde.eml")"
fi

TO=''
for i in 1 2 3 4 5 6 7 8 9 10; do TO="$TO${TO:+, }recipient$i@example.org"; done
run longto --to "$TO" --date none --message-id none < /dev/null
want 'To: recipient1@example.org, recipient2@example.org, recipient3@example.org,\n recipient4@example.org, recipient5@example.org, recipient6@example.org,\n recipient7@example.org, recipient8@example.org, recipient9@example.org,\n recipient10@example.org\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n' longto
same "long To list folded at 78 columns" longto

printf '\000\001\002\377' | run b64 --type application/octet-stream --date none --message-id none
want 'MIME-Version: 1.0\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC/w==\n' b64
same "binary body: base64, no charset" b64

printf "Caf\303\251 au lait, c'est tr\303\250s bon.\n" | run qp --date none --message-id none
want "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 au lait, c'est tr=C3=A8s bon.\n" qp
same "mostly ASCII UTF-8 text: quoted-printable" qp

printf "Caf\303\251 au lait, c'est tr\303\250s bon.\n" | run eight --8bit --date none --message-id none
printf "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\303\251 au lait, c'est tr\303\250s bon.\r\n" > "$TMP/eight.want"
same "--8bit: 8bit body as it is" eight

printf 'x' | run forced --encoding base64 --charset iso-8859-1 --type text/html --date none --message-id none
want 'MIME-Version: 1.0\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\neA==\n' forced
same "--encoding, --charset and --type as given" forced

run multi --from 'a@example.org, B <b@example.org>' --date none --message-id none < /dev/null
want 'From: a@example.org, B <b@example.org>\nSender: a@example.org\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n' multi
same "several authors: Sender is the first (RFC 5322 3.6.2)" multi

# ---- non-ASCII header text -----------------------------------------------------
printf 'Gr\303\274\303\237e!\n' | run intl --from "$(printf 'J\303\274rgen Gro\303\237 <jg@b\303\274cher.example>')" \
	--to "$(printf 'Zo\303\253 <zoe@example.org>')" --cc 'plain@example.org' \
	--subject "$(printf 'Gr\303\274\303\237e aus K\303\266ln, und noch ein ziemlich langer Betreff dazu')" \
	--date "$D" --message-id auto
if grep -qi '^Subject: =?utf-8?[bq]?' "$TMP/intl.eml" && grep -q '@xn--bcher-kva.example>' "$TMP/intl.eml" &&
   ! LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMP/intl.eml"; then
	pass "non-ASCII subject and names as encoded words, IDN as A-label, all ASCII"
else
	fail "non-ASCII header text" "$(head -c 600 "$TMP/intl.eml")"
fi
if grep -q '^Message-ID: <[a-z2-7]\{24\}@xn--bcher-kva.example>.$' "$TMP/intl.eml"; then
	pass "auto Message-ID: random @ the From domain"
else
	fail "auto Message-ID" "$(grep Message-ID "$TMP/intl.eml")"
fi

run utf8local --to "$(printf 'j\303\266rg@example.org')" --date none --message-id none < /dev/null
if [ "$(cat "$TMP/utf8local.rc")" = 64 ] && grep -q -- '--8bit' "$TMP/utf8local.err"; then
	pass "non-ASCII local part without --8bit: usage error"
else
	fail "non-ASCII local part without --8bit" "$(cat "$TMP/utf8local.rc") $(cat "$TMP/utf8local.err")"
fi
run utf8ok --8bit --to "$(printf 'j\303\266rg@example.org')" --date none --message-id none < /dev/null
if [ "$(cat "$TMP/utf8ok.rc")" = 0 ] && head -1 "$TMP/utf8ok.eml" | grep -q "$(printf '^To: j\303\266rg@example.org.$')"; then
	pass "non-ASCII local part with --8bit: RFC 6532 field"
else
	fail "non-ASCII local part with --8bit" "$(head -1 "$TMP/utf8ok.eml")"
fi

# ---- line lengths --------------------------------------------------------------
long=$(awk 'BEGIN { for (i = 0; i < 30; i++) printf "word%d ", i }')
printf '%s\n' "$long$long" | run lines --to "$TO, $TO" --cc "$TO" --subject "$long" \
	--header "X-Long: $long" --date "$D" --message-id none
bad=0
for f in "$TMP"/*.eml; do
	# a header line: <= 78 columns + CR; any line: <= 998 + CR
	awk 'BEGIN { h = 1 } /^\r$/ { h = 0 } { if ((h && length($0) > 79) || length($0) > 999) { print FILENAME ": " $0; exit 1 } }' "$f" || bad=1
done
if [ $bad = 0 ]; then pass "every header line <= 78 columns, every line <= 998"; else fail "line lengths"; fi
if LC_ALL=C grep -c "$(printf '\r$')" "$TMP/ascii.eml" | grep -qx 11 && ! LC_ALL=C grep -q "$(printf '[^\r]$')" "$TMP/lines.eml"; then
	pass "CRLF line endings"
else
	fail "CRLF line endings"
fi

# ---- errors ----------------------------------------------------------------
expect_err "bad address: usage error naming it and the position" 64 "make: --to: .* at byte [0-9]+ of 'Bob <bob'" \
	-- "$MK" --to 'Bob <bob' --date none < /dev/null
expect_err "bad date: usage error" 64 "make: --date" -- "$MK" --date 'yesterday' < /dev/null
expect_err "impossible date: usage error" 64 "make: --date" -- "$MK" --date '31 Feb 2003 10:00:00 +0000' < /dev/null
expect_err "bad message id: usage error" 64 "make: --message-id" -- "$MK" --message-id 'no at' < /dev/null
expect_err "bad --header: usage error" 64 "make: --header" -- "$MK" --header 'no colon' < /dev/null
expect_err "--header for a field of its own option" 64 "own option" -- "$MK" --header 'Subject: x' < /dev/null
expect_err "line break in subject" 64 "make: --subject" -- "$MK" --subject "$(printf 'a\nBcc: x@y.z')" < /dev/null
expect_err "bad --type" 64 "make: --type" -- "$MK" --type 'text' < /dev/null
expect_err "bad --encoding" 64 "make: --encoding" -- "$MK" --encoding 'uuencode' < /dev/null
printf '\303\251\n' > "$TMP/latin"
expect_err "--encoding 7bit with 8-bit data: 65" 65 "not 7bit" -- "$MK" --encoding 7bit < "$TMP/latin"

# ---- Python's email package reads the same message -------------------------------
cat > "$TMP/check.py" <<'EOF'
import sys, email, email.policy, email.utils
path, subject, frm, to, date, body = sys.argv[1:7]
msg = email.message_from_binary_file(open(path, 'rb'), policy=email.policy.default)
problems = [str(d) for d in msg.defects]
for k, v in msg.items():
    problems += ['%s: %s' % (k, d) for d in getattr(v, 'defects', ())]
def addrs(name):
    h = msg[name]
    return '' if h is None else ';'.join('%s|%s' % (a.display_name, a.addr_spec) for a in h.addresses)
got = {
    'subject': str(msg['subject'] or ''),
    'from': addrs('from'),
    'to': addrs('to'),
    'date': str(msg['date'].datetime) if msg['date'] else '',
    'body': msg.get_content().replace('\r\n', '\n'),
}
want = {'subject': subject, 'from': frm, 'to': to, 'date': date, 'body': open(body, encoding='utf-8').read()}
for k in want:
    if got[k] != want[k]:
        problems.append('%s: want %r, got %r' % (k, want[k], got[k]))
print('\n'.join(problems))
sys.exit(1 if problems else 0)
EOF
pycheck() {
	_n=$1; shift
	if [ ! -x "$PYTHON" ]; then skip "$_n" "no $PYTHON"; return; fi
	if _o=$("$PYTHON" "$TMP/check.py" "$@" 2>&1); then pass "$_n"; else fail "$_n" "$_o"; fi
}
printf 'Hello,\nworld.\n' > "$TMP/ascii.body"
pycheck "python: ASCII message" "$TMP/ascii.eml" 'Hi  there' 'Alice|alice@example.org' \
	'Bob|bob@example.com;|carol@example.net' '2003-07-01 10:52:37+02:00' "$TMP/ascii.body"
printf 'Gr\303\274\303\237e!\n' > "$TMP/intl.body"
pycheck "python: encoded subject and names, IDN" "$TMP/intl.eml" \
	"$(printf 'Gr\303\274\303\237e aus K\303\266ln, und noch ein ziemlich langer Betreff dazu')" \
	"$(printf 'J\303\274rgen Gro\303\237|jg@xn--bcher-kva.example')" \
	"$(printf 'Zo\303\253|zoe@example.org')" '2003-07-01 10:52:37+02:00' "$TMP/intl.body"
printf "Caf\303\251 au lait, c'est tr\303\250s bon.\n" > "$TMP/qp.body"
pycheck "python: quoted-printable body" "$TMP/qp.eml" '' '' '' '' "$TMP/qp.body"
pycheck "python: 8bit body" "$TMP/eight.eml" '' '' '' '' "$TMP/qp.body"
printf '%s\n' "$long$long" > "$TMP/lines.body"
pycheck "python: long folded fields" "$TMP/lines.eml" "$long" '' \
	"$(printf '%s' "$TO, $TO" | sed 's/, /;|/g; s/^/|/')" '2003-07-01 10:52:37+02:00' "$TMP/lines.body"
: > "$TMP/empty.body"
pycheck "python: empty body" "$TMP/empty.eml" '' '' '|x@example.org' '' "$TMP/empty.body"
awk 'BEGIN { for (i = 0; i < 300; i++) printf "\320\237\321\200\320\270\320\262\320\265\321\202 %d\n", i }' > "$TMP/ru.body"
run ru --subject "$(printf '\320\237\321\200\320\270\320\262\320\265\321\202')" --date "$D" --message-id none < "$TMP/ru.body"
if grep -q '^Content-Transfer-Encoding: base64.$' "$TMP/ru.eml"; then pass "Cyrillic text: base64"; else fail "Cyrillic text: base64"; fi
pycheck "python: base64 text body" "$TMP/ru.eml" "$(printf '\320\237\321\200\320\270\320\262\320\265\321\202')" \
	'' '' '2003-07-01 10:52:37+02:00' "$TMP/ru.body"

# ---- ember hdr gives the subject back ---------------------------------------------
if [ -x "$BIN/ember-hdr" ]; then
	_got=$("$MK" --subject 'Hello from ember' --to x@example.org < /dev/null | "$BIN/ember-hdr" -h subject)
	case $_got in
	"Hello from ember" | "Subject: Hello from ember") pass "ember make | ember hdr -h subject" ;;
	*) fail "ember make | ember hdr -h subject" "got: $_got" ;;
	esac
else
	skip "ember make | ember hdr -h subject" "no ember-hdr yet"
fi

finish
