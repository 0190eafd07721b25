#!/bin/sh
# ember wrap: the body and its Content-* fields become the first part of a
# new multipart; every other byte stays as it was.
. "$(dirname "$0")/lib.sh"
W=$BIN/ember-wrap
if [ ! -x "$W" ]; then
	fail "$W is built"
	finish
	exit 1
fi

# crlf NAME 'text': a file with \n written as CRLF
crlf() { printf "$(printf '%s' "$2" | sed 's/\\n/\\r\\n/g')" > "$TMP/$1"; }
# run NAME [options...] < input: output in $TMP/NAME.out
run() {
	_n=$1; shift
	"$W" "$@" > "$TMP/$_n.out" 2> "$TMP/$_n.err"; echo $? > "$TMP/$_n.rc"
}
same() {
	if [ "$(cat "$TMP/$2.rc")" != 0 ]; then
		fail "$1" "status $(cat "$TMP/$2.rc")" "$(head -c 400 "$TMP/$2.err")"
	else
		same_bytes "$1" "$TMP/$2.want" "$TMP/$2.out"
	fi
}

# The raw properties, checked byte for byte on IN and OUT: the fields that
# are not Content-* stay on top, in order; then MIME-Version (when IN has
# none) and the new Content-Type; the first part's header is IN's Content-*
# fields, in order; its body is IN's body; the boundary occurs nowhere in IN.
cat > "$TMP/props.py" <<'EOF'
import re, sys
def split(m):
    lines = re.findall(rb'[^\n]*\n|[^\n]+$', m)
    fields, i = [], 0
    while i < len(lines) and lines[i] not in (b'\r\n', b'\n'):
        if lines[i][:1] in (b' ', b'\t') and fields:
            fields[-1] += lines[i]
        else:
            fields.append(lines[i])
        i += 1
    return fields, b''.join(lines[i + 1:])
def check(inp, out, kind):
    isc = lambda f: f.lower().startswith(b'content-')
    fin, body_in = split(inp)
    top, body_out = split(out)
    keep = [f for f in fin if not isc(f)]
    if top[:len(keep)] != keep: return 'top fields differ'
    rest = top[len(keep):]
    if not any(f.lower().startswith(b'mime-version:') for f in fin):
        if not rest or not re.match(rb'MIME-Version: 1\.0\r?\n$', rest[0]): return 'no MIME-Version'
        rest = rest[1:]
    if len(rest) != 1 or not rest[0].startswith(b'Content-Type: multipart/' + kind.encode() + b';'):
        return 'new Content-Type: %r' % rest
    b = re.search(rb'boundary="([^"]+)"', rest[0]).group(1)
    if b in inp: return 'boundary in the input'
    eol = b'\n' if re.match(rb'[^\n]*[^\r\n]?\n', inp) and not re.match(rb'[^\n]*\r\n', inp) else b'\r\n'
    head, tail = b'--' + b + eol, eol + b'--' + b + b'--' + eol
    if not body_out.startswith(head) or not body_out.endswith(tail): return 'delimiters'
    part = body_out[len(head):-len(tail)]
    pf, pb = split(part)
    if pf != [f for f in fin if isc(f)]: return 'part fields %r' % pf
    if pb != body_in: return 'part body %r != %r' % (pb[:80], body_in[:80])
    return 'ok'
print(check(open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read(), sys.argv[3]))
EOF
props() {  # props NAME IN OUT KIND
	expect "$1" 0 ok -- "$PYTHON" "$TMP/props.py" "$2" "$3" "$4"
}

# ---- exact outputs --------------------------------------------------------------
crlf w1.eml 'Received: from x by y; Tue, 1 Jul 2003 10:52:37 +0200\nFrom: Alice <alice@example.org>\nContent-Type: text/html;\n charset=utf-8\nTo: bob@example.com\nContent-Transfer-Encoding: quoted-printable\nMIME-Version: 1.0\nContent-ID: <c1@example.org>\nSubject: Hi\ncontent-description: the text\n\n<p>caf=C3=A9</p>\n'
run mixed --mixed "$TMP/w1.eml"
crlf mixed.want 'Received: from x by y; Tue, 1 Jul 2003 10:52:37 +0200\nFrom: Alice <alice@example.org>\nTo: bob@example.com\nMIME-Version: 1.0\nSubject: Hi\nContent-Type: multipart/mixed; boundary="=_ember_42f7265f8fc99307"\n\n--=_ember_42f7265f8fc99307\nContent-Type: text/html;\n charset=utf-8\nContent-Transfer-Encoding: quoted-printable\nContent-ID: <c1@example.org>\ncontent-description: the text\n\n<p>caf=C3=A9</p>\n\n--=_ember_42f7265f8fc99307--\n'
same "--mixed: Content-* fields into the part, the others on top in order" mixed
props "--mixed: raw properties" "$TMP/w1.eml" "$TMP/mixed.out" mixed
run mixed2 --mixed < "$TMP/w1.eml"
same_bytes "stdin and FILE give the same bytes (the boundary is reproducible)" "$TMP/mixed.out" "$TMP/mixed2.out"

printf 'From: a@example.org\nSubject: plain\n\nline 1\nline 2' > "$TMP/w2.eml"
run alt --alternative < "$TMP/w2.eml"
printf 'From: a@example.org\nSubject: plain\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="=_ember_78e8937e1f98b400"\n\n--=_ember_78e8937e1f98b400\n\nline 1\nline 2\n--=_ember_78e8937e1f98b400--\n' > "$TMP/alt.want"
same "LF message, no Content-* field: LF lines, MIME-Version added, empty part header" alt
props "--alternative: raw properties" "$TMP/w2.eml" "$TMP/alt.out" alternative

run rel --related < "$TMP/w1.eml"
if grep -q '^Content-Type: multipart/related; type="text/html";' "$TMP/rel.out" &&
   grep -q '^ boundary="=_ember_42f7265f8fc99307"' "$TMP/rel.out"; then
	pass "--related: type= the root's type (RFC 2387 3.1), folded at 78 columns"
else
	fail "--related: type= the root's type" "$(grep -A1 '^Content-Type: multipart' "$TMP/rel.out")"
fi
props "--related: raw properties" "$TMP/w1.eml" "$TMP/rel.out" related
run rel2 -r < "$TMP/w2.eml"
grep -q '^Content-Type: multipart/related; type="text/plain";$' "$TMP/rel2.out" &&
	pass "--related without Content-Type: type=\"text/plain\"" ||
	fail "--related without Content-Type" "$(head -5 "$TMP/rel2.out")"

run par --parallel < "$TMP/w2.eml"
props "--parallel: raw properties" "$TMP/w2.eml" "$TMP/par.out" parallel

run sig --signed --protocol application/pgp-signature --micalg pgp-sha256 < "$TMP/w1.eml"
crlf sig.want 'Content-Type: multipart/signed; protocol="application/pgp-signature";\n micalg=pgp-sha256; boundary="=_ember_42f7265f8fc99307"\n'
sed -n '/^Content-Type: multipart/,/^ micalg/p' "$TMP/sig.out" > "$TMP/sig.got"
same_bytes "--signed: protocol and micalg from the options (RFC 1847 2.1)" "$TMP/sig.want" "$TMP/sig.got"
props "--signed: raw properties" "$TMP/w1.eml" "$TMP/sig.out" signed

# ---- more inputs: the raw properties, and Python reads the result -------------
crlf mbox.eml 'From alice@example.org Tue Jul  1 10:52:37 2003\nFrom: alice@example.org\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC/w==\n'
crlf multi.eml 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=inner\n\npreamble\n--inner\n\none\n--inner\nContent-Type: text/plain\n\ntwo\n--inner--\nepilogue\n'
crlf headonly.eml 'From: a@example.org\nSubject: no body\n'
printf 'Subject: cut' > "$TMP/cut.eml"
: > "$TMP/empty.eml"
printf 'From: a@example.org\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n\000\001\r\n--x\n\r\377' > "$TMP/binary.eml"
printf 'From: a@example.org\nContent-Type: text/plain\n\ncrlf\r\nand lf\nmixed\r\n' > "$TMP/mixedeol.eml"
run cut --mixed < "$TMP/cut.eml"
for m in mbox multi headonly empty binary mixedeol; do
	run "$m" --mixed < "$TMP/$m.eml"
	props "$m: raw properties" "$TMP/$m.eml" "$TMP/$m.out" mixed
done
head -1 "$TMP/mbox.out" | grep -q '^From alice@example.org Tue Jul  1' &&
	pass "an mbox From line stays first" || fail "an mbox From line stays first" "$(head -1 "$TMP/mbox.out")"
printf 'Subject: cut\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_ember_' > "$TMP/cut.head"
head -c "$(wc -c < "$TMP/cut.head")" "$TMP/cut.out" > "$TMP/cut.got"
same_bytes "a field cut by the end of the input gets its line end" "$TMP/cut.head" "$TMP/cut.got"
for m in mixed alt rel sig mbox multi headonly empty binary; do
	expect "$m: Python reads it without defects" 0 "$m.out: ok" -- \
		sh -c "cd '$TMP' && '$PYTHON' '$ROOT/tests/interop/pytree.py' --defects $m.out"
done

# the part's content is the old content: decoded bodies compared
if [ -x "$BIN/ember-extract" ]; then
	for m in mbox:1:1.1 multi:1.2:1.1.2 mixedeol:1:1.1 binary:1:1.1; do
		n=${m%%:*} a=${m#*:}; a=${a%%:*} b=${m##*:}
		"$BIN/ember-extract" -p "$a" "$TMP/$n.eml" > "$TMP/$n.x1" 2>&1
		"$BIN/ember-extract" -p "$b" "$TMP/$n.out" > "$TMP/$n.x2" 2>&1
		same_bytes "$n: part $b of the result == part $a of the input" "$TMP/$n.x1" "$TMP/$n.x2"
	done
fi

expect "the structure, as descr sees it" 0 "1 multipart/mixed
  1.1 multipart/mixed
    1.1.1 text/plain size=3
    1.1.2 text/plain size=3" -- "$BIN/ember-descr" "$TMP/multi.out"

# ---- the boundary -----------------------------------------------------------------
# same header as w2.eml, a body holding the boundary wrap would take: another
printf 'From: a@example.org\nSubject: plain\n\n--=_ember_78e8937e1f98b400\n' > "$TMP/clash.eml"
run clash --alternative < "$TMP/clash.eml"
b=$(sed -n 's/.*boundary="\([^"]*\)".*/\1/p' "$TMP/clash.out")
if [ -n "$b" ] && [ "$b" != "=_ember_78e8937e1f98b400" ] && ! grep -qF -- "$b" "$TMP/clash.eml"; then
	pass "a boundary found in the message is replaced by the next candidate"
else
	fail "a boundary found in the message is replaced" "got '$b'"
fi
props "clash: raw properties" "$TMP/clash.eml" "$TMP/clash.out" alternative
expect "clash: the old delimiter line is content" 0 "1 multipart/alternative
  1.1 text/plain size=27" -- "$BIN/ember-descr" "$TMP/clash.out"

# wrapping twice: a new boundary that differs from the inner one
run twice --mixed < "$TMP/mixed.out"
b1=$(sed -n 's/^Content-Type: multipart.*boundary="\([^"]*\)".*/\1/p' "$TMP/twice.out" | head -1)
b2=$(sed -n 's/^Content-Type: multipart.*boundary="\([^"]*\)".*/\1/p' "$TMP/twice.out" | tail -1)
[ -n "$b1" ] && [ "$b1" != "$b2" ] && pass "wrapping twice: two boundaries" || fail "wrapping twice: two boundaries" "$b1 $b2"
props "twice: raw properties" "$TMP/mixed.out" "$TMP/twice.out" mixed
expect "twice: the structure" 0 "1 multipart/mixed
  1.1 multipart/mixed
    1.1.1 text/html charset=utf-8 encoding=quoted-printable size=14" -- "$BIN/ember-descr" "$TMP/twice.out"

# ---- errors ------------------------------------------------------------------------
expect_err "no kind of multipart: 64" 64 "say which multipart" -- "$W" "$TMP/w1.eml"
expect_err "two kinds: 64" 64 "choose one" -- "$W" --mixed --related "$TMP/w1.eml"
expect_err "--signed without --micalg: 64" 64 "needs --protocol and --micalg" -- \
	"$W" --signed --protocol application/pgp-signature "$TMP/w1.eml"
expect_err "--protocol without --signed: 64" 64 "go with --signed" -- \
	"$W" --mixed --protocol a/b "$TMP/w1.eml"
expect_err "--protocol not TYPE/SUBTYPE: 64" 64 "not TYPE/SUBTYPE" -- \
	"$W" --signed --protocol 'pgp' --micalg x "$TMP/w1.eml"
expect_err "--micalg not a token: 64" 64 "not a token" -- \
	"$W" --signed --protocol a/b --micalg 'a b' "$TMP/w1.eml"
expect_err "two messages: 64" 64 "one message at a time" -- "$W" --mixed "$TMP/w1.eml" "$TMP/w2.eml"
expect_err "a missing file: 66" 66 "nosuch" -- "$W" --mixed "$TMP/nosuch"
finish
