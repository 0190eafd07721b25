#!/bin/sh
# ember put: a file becomes the last part of the top multipart; every other
# byte of the message stays as it was.
. "$(dirname "$0")/lib.sh"
P=$BIN/ember-put
if [ ! -x "$P" ]; then
	fail "$P is built"
	finish
	exit 1
fi

# crlf NAME 'text': the text with each \n written as CRLF (nothing else escaped)
crlf() { printf '%s' "$2" | sed 's/\\n/\r\n/g' > "$TMP/$1"; }
# run NAME MESSAGE [options...] FILE: output in $TMP/NAME.out
run() {
	_n=$1 _m=$2; shift 2
	"$P" "$@" < "$TMP/$_m" > "$TMP/$_n.out" 2> "$TMP/$_n.err"; echo $? > "$TMP/$_n.rc"
}
same() {
	if [ "$(cat "$TMP/$2.rc")" != 0 ]; then
		fail "$1" "status $(cat "$TMP/$2.rc")" "$(head -c 400 "$TMP/$2.err")"
	else
		same_bytes "$1" "$TMP/$2.want" "$TMP/$2.out"
	fi
}

# The properties, byte for byte: OUT is IN with bytes inserted just before
# the line break of the top multipart's close delimiter (or, when IN has
# none, IN followed by the part and a close delimiter); the insertion is
# EOL "--boundary" EOL and a part; Python reads OUT without defects, with
# one part more, the last one FILE's content (text: in the message's line
# ends), with the expected type and file name.
cat > "$TMP/props.py" <<'EOF'
import email, email.policy, sys
inp, out, data = (open(f, 'rb').read() for f in sys.argv[1:4])
text, name = sys.argv[4] == 'text', sys.argv[5]
def check():
    before = email.message_from_bytes(inp, policy=email.policy.default)
    b = before.get_boundary().encode()
    eol = b'\n' if inp.split(b'\n', 1)[0][-1:] != b'\r' else b'\r\n'
    k = inp.rfind(eol + b'--' + b + b'--')
    tail = inp[k:] if k >= 0 else eol + b'--' + b + b'--' + eol
    k = k if k >= 0 else len(inp)
    if out[:k] != inp[:k]: return 'prefix differs'
    if not out.endswith(tail): return 'suffix differs'
    if not out[k:].startswith(eol + b'--' + b + eol): return 'no delimiter before the part'
    m = email.message_from_bytes(out, policy=email.policy.default)
    bad = [(p.get_content_type(), p.defects) for p in m.walk() if p.defects]
    if bad: return 'defects: %r' % bad
    parts = list(m.iter_parts())
    if len(parts) != len(list(before.iter_parts())) + 1: return 'not one part more'
    last = parts[-1]
    want = data
    if text:  # canonical form; in the message's line ends but in base64
        b64 = last['Content-Transfer-Encoding'] == 'base64'
        want = data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n' if b64 else eol)
    got = last.get_payload(decode=True)
    if got != want: return 'content %r != %r' % (got[:60], want[:60])
    if (last.get_filename() or '') != name: return 'filename %r' % last.get_filename()
    return 'ok ' + last.get_content_type()
print(check())
EOF
props() {  # props TEST IN OUT FILE text|binary NAME TYPE
	expect "$1" 0 "ok $7" -- "$PYTHON" "$TMP/props.py" "$2" "$3" "$4" "$5" "$6"
}

crlf m1.eml 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\npreamble\n--b1\n\nhello\n--b1--  \nepilogue\n'
printf 'Line one\nline two\n' > "$TMP/notes.txt"
printf 'x\000y' > "$TMP/bin.dat"
"$PYTHON" - "$TMP/photo.png" <<'EOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\0" + b"\x00\x80\xff" * 2 for _ in range(2))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF

# ---- exact outputs --------------------------------------------------------------
run text m1.eml "$TMP/notes.txt"
crlf text.want 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\npreamble\n--b1\n\nhello\n--b1\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\nContent-Disposition: attachment; filename=notes.txt\n\nLine one\nline two\n\n--b1--  \nepilogue\n'
same "ASCII text: 7bit, CRLF lines, before the close delimiter; preamble, epilogue kept" text
props "ASCII text: properties" "$TMP/m1.eml" "$TMP/text.out" "$TMP/notes.txt" text notes.txt text/plain

N='Grüße – ein sehr langer Dateiname für einen Test der Abschnitte.dat'
run name m1.eml --inline --name "$N" "$TMP/bin.dat"
crlf name.want 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\npreamble\n--b1\n\nhello\n--b1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\nContent-Disposition: inline;\n filename*0*=utf-8'"''"'Gr%C3%BC%C3%9Fe%20%E2%80%93%20ein%20sehr%20langer%20Datei;\n filename*1*=name%20f%C3%BCr%20einen%20Test%20der%20Abschnitte.dat\n\neAB5\n--b1--  \nepilogue\n'
same "binary data: base64; --inline; a long UTF-8 --name in RFC 2231 sections" name
props "--name: properties (Python reads the name back)" "$TMP/m1.eml" "$TMP/name.out" "$TMP/bin.dat" binary "$N" application/octet-stream

printf 'From: a@example.org\nContent-Type: multipart/mixed; boundary=lf\n\n--lf\n\nhello\n--lf--\n' > "$TMP/lf.eml"
run lf lf.eml "$TMP/notes.txt"
printf 'From: a@example.org\nContent-Type: multipart/mixed; boundary=lf\n\n--lf\n\nhello\n--lf\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\nContent-Disposition: attachment; filename=notes.txt\n\nLine one\nline two\n\n--lf--\n' > "$TMP/lf.want"
same "a message with LF line ends: the new lines too" lf
props "LF message: properties" "$TMP/lf.eml" "$TMP/lf.out" "$TMP/notes.txt" text notes.txt text/plain

: > "$TMP/empty"
run empty m1.eml "$TMP/empty"
crlf empty.want '--b1\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\nContent-Disposition: attachment; filename=empty\n\n\n--b1--  \n'
sed -n '9,15p' "$TMP/empty.out" > "$TMP/empty.got"
same_bytes "an empty file: an empty text/plain part" "$TMP/empty.want" "$TMP/empty.got"

# ---- types, charsets, encodings ------------------------------------------------
run png m1.eml "$TMP/photo.png"
grep -q '^Content-Type: image/png.$' "$TMP/png.out" && grep -q '^Content-Transfer-Encoding: base64.$' "$TMP/png.out" &&
	pass "a PNG: image/png (libmagic), base64" || fail "a PNG: image/png (libmagic), base64" "$(sed -n '9,12p' "$TMP/png.out")"
props "PNG: properties" "$TMP/m1.eml" "$TMP/png.out" "$TMP/photo.png" binary photo.png image/png

printf "Caf\303\251 au lait, c'est tr\303\250s bon.\n" > "$TMP/utf8.txt"
run utf8 m1.eml "$TMP/utf8.txt"
crlf utf8.want "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\nContent-Disposition: attachment; filename=utf8.txt\n\nCaf=C3=A9 au lait, c'est tr=C3=A8s bon.\n\n"
sed -n '10,15p' "$TMP/utf8.out" > "$TMP/utf8.got"
same_bytes "mostly ASCII UTF-8 text: charset=utf-8, quoted-printable" "$TMP/utf8.want" "$TMP/utf8.got"
props "UTF-8 text: properties" "$TMP/m1.eml" "$TMP/utf8.out" "$TMP/utf8.txt" text utf8.txt text/plain

printf 'Caf\351 cr\350me br\373l\351e, tr\350s bien.\n' > "$TMP/latin1.txt"
run latin1 m1.eml "$TMP/latin1.txt"
grep -q '^Content-Type: text/plain; charset=iso-8859-1.$' "$TMP/latin1.out" &&
	pass "Latin-1 text: libmagic's charset" || fail "Latin-1 text: libmagic's charset" "$(sed -n '10p' "$TMP/latin1.out")"
props "Latin-1 text: properties" "$TMP/m1.eml" "$TMP/latin1.out" "$TMP/latin1.txt" text latin1.txt text/plain

printf 'a,b\r\n1,2\r\n' > "$TMP/data.csv"
run csv m1.eml --type 'text/csv; charset=utf-8; header=present' --encoding base64 "$TMP/data.csv"
crlf csv.want 'Content-Type: text/csv; charset=utf-8; header=present\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=data.csv\n\nYSxiDQoxLDINCg==\n'
sed -n '10,14p' "$TMP/csv.out" > "$TMP/csv.got"
same_bytes "--type with parameters and --encoding base64 as given" "$TMP/csv.want" "$TMP/csv.got"
run qp m1.eml --encoding quoted-printable "$TMP/notes.txt"
grep -q '^Content-Transfer-Encoding: quoted-printable.$' "$TMP/qp.out" &&
	pass "--encoding quoted-printable" || fail "--encoding quoted-printable"
props "--encoding quoted-printable: properties" "$TMP/m1.eml" "$TMP/qp.out" "$TMP/notes.txt" text notes.txt text/plain

printf '{"a": 1}\r\n' > "$TMP/j.json"
run json m1.eml --type application/json "$TMP/j.json"
run jsonlf lf.eml --type application/json "$TMP/j.json"
grep -q '^Content-Transfer-Encoding: 7bit.$' "$TMP/json.out" && grep -q '^Content-Transfer-Encoding: base64$' "$TMP/jsonlf.out" &&
	pass "non-text data with CRLF lines: 7bit in a CRLF message, base64 in an LF one" ||
	fail "non-text data with CRLF lines: 7bit / base64"
props "non-text 7bit: properties" "$TMP/m1.eml" "$TMP/json.out" "$TMP/j.json" binary j.json application/json
props "non-text in an LF message: properties" "$TMP/lf.eml" "$TMP/jsonlf.out" "$TMP/j.json" binary j.json application/json

# a file holding the boundary delimiter: base64, so the part does not end early
printf 'before\n--b1--\nafter\n' > "$TMP/delim.txt"
run delim m1.eml "$TMP/delim.txt"
grep -q '^Content-Transfer-Encoding: base64.$' "$TMP/delim.out" &&
	pass "a file with a delimiter line: base64 (RFC 2046 5.1.1)" || fail "a file with a delimiter line: base64"
props "delimiter line: properties" "$TMP/m1.eml" "$TMP/delim.out" "$TMP/delim.txt" text delim.txt text/plain
expect_err "a delimiter line with --encoding quoted-printable: 65" 65 "boundary" -- \
	sh -c "'$P' --encoding quoted-printable '$TMP/delim.txt' < '$TMP/m1.eml'"

# ---- structure -------------------------------------------------------------------
crlf nested.eml 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\n\none\n--inner--\n--outer--\n'
run nested nested.eml "$TMP/notes.txt"
expect "nested: the part goes into the top multipart" 0 "1 multipart/mixed
  1.1 multipart/alternative
    1.1.1 text/plain size=3
  1.2 text/plain charset=us-ascii encoding=7bit disposition=attachment filename=\"notes.txt\" size=20" -- \
	"$BIN/ember-descr" "$TMP/nested.out"
props "nested: properties" "$TMP/nested.eml" "$TMP/nested.out" "$TMP/notes.txt" text notes.txt text/plain

crlf open.eml 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nno close delimiter\n'
run open open.eml "$TMP/notes.txt"
grep -q 'no close delimiter: one is added' "$TMP/open.err" && pass "no close delimiter: a warning" ||
	fail "no close delimiter: a warning" "$(cat "$TMP/open.err")"
props "no close delimiter: part and close delimiter appended" "$TMP/open.eml" "$TMP/open.out" "$TMP/notes.txt" text notes.txt text/plain

# twice, and the content comes back out through ember extract
"$P" --name a.bin "$TMP/bin.dat" < "$TMP/png.out" > "$TMP/two.out" 2> "$TMP/two.err"
expect "two puts: two parts appended in order" 0 "1 multipart/mixed
  1.1 text/plain size=5
  1.2 image/png encoding=base64 disposition=attachment filename=\"photo.png\" size=$(wc -c < "$TMP/photo.png" | tr -d ' ')
  1.3 application/octet-stream encoding=base64 disposition=attachment filename=\"a.bin\" size=3" -- \
	"$BIN/ember-descr" "$TMP/two.out"
if [ -x "$BIN/ember-extract" ]; then
	"$BIN/ember-extract" -p 1.2 "$TMP/two.out" > "$TMP/x.png"
	same_bytes "ember extract gives the PNG back" "$TMP/photo.png" "$TMP/x.png"
fi

# ---- errors -------------------------------------------------------------------------
crlf single.eml 'From: a@example.org\nSubject: x\n\nhello\n'
expect_err "not multipart: 65, suggests ember wrap --mixed" 65 "text/plain, not multipart.*ember wrap --mixed" -- \
	sh -c "'$P' '$TMP/notes.txt' < '$TMP/single.eml'"
crlf nob.eml 'MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nhello\n'
expect_err "multipart without a boundary: 65" 65 "without a usable boundary" -- \
	sh -c "'$P' '$TMP/notes.txt' < '$TMP/nob.eml'"
expect_err "7bit asked for binary data: 65" 65 "not 7bit" -- \
	sh -c "'$P' --encoding 7bit '$TMP/bin.dat' < '$TMP/m1.eml'"
expect_err "an unknown encoding: 64" 64 "not 7bit, 8bit" -- sh -c "'$P' --encoding x '$TMP/bin.dat' < '$TMP/m1.eml'"
expect_err "a bad --type: 64" 64 "not TYPE/SUBTYPE" -- sh -c "'$P' --type nonsense '$TMP/bin.dat' < '$TMP/m1.eml'"
expect_err "no FILE: 64" 64 "which FILE" -- sh -c "'$P' < '$TMP/m1.eml'"
expect_err "two FILEs: 64" 64 "one FILE at a time" -- sh -c "'$P' '$TMP/bin.dat' '$TMP/bin.dat' < '$TMP/m1.eml'"
expect_err "FILE - : 64" 64 "cannot be stdin" -- sh -c "'$P' - < '$TMP/m1.eml'"
expect_err "a missing FILE: 66" 66 "nosuch" -- sh -c "'$P' '$TMP/nosuch' < '$TMP/m1.eml'"
expect_err "a directory: 66" 66 "is a directory" -- sh -c "'$P' '$TMP' < '$TMP/m1.eml'"
finish
