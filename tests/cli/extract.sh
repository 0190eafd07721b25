#!/bin/sh
# ember extract: decoded parts to stdout or to files with safe names.
. "$(dirname "$0")/lib.sh"
X=$BIN/ember-extract
if [ ! -x "$X" ]; then
	fail "$X is built"
	finish
	exit 1
fi

"$PYTHON" - "$TMP/photo.png" <<'EOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\0" + b"\x10\x20\x30" * 3 for _ in range(3))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 3, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF

# A message with every kind of part: quoted-printable text, a nested
# alternative, a base64 image, a message/rfc822 holding a multipart, and
# file names that are unsafe, hidden, RFC 2047 or RFC 2231 encoded, with
# control characters, repeated, too long, or only dots.
"$PYTHON" - "$TMP/photo.png" > "$TMP/m.eml" <<'EOF'
import base64, sys
png = open(sys.argv[1], 'rb').read()
b64 = base64.encodebytes(png).replace(b'\n', b'\r\n')
parts = [
 b'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 =\r\nau lait.\r\n',
 b'Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--alt--\r\n',
 b'Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="photo.png"\r\n\r\n' + b64,
 b'Content-Type: message/rfc822\r\n\r\nFrom: b@example.org\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\ninner text\r\n--in\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="../../etc/passwd"\r\nContent-Transfer-Encoding: base64\r\n\r\ncm9vdDp4OjA6MDo=\r\n--in--\r\n',
 b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=".hidden"\r\n\r\nsecret',
 b'Content-Type: text/plain; name="=?utf-8?q?r=C3=A9sum=C3=A9.txt?="\r\n\r\nCV\r\n',
 b'Content-Type: application/octet-stream; name=photo.png\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n',
 b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''%01ctl%7Fx%C2%85y.txt\r\n\r\nctl",
 b'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="' + b'a' * 300 + b'.txt"\r\n\r\nlong',
 b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="..."\r\n\r\ndots',
]
out = b'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=top\r\n\r\npreamble\r\n'
for p in parts:
    out += b'--top\r\n' + p + (b'' if p.endswith(b'\r\n') else b'\r\n')
sys.stdout.buffer.write(out + b'--top--\r\nepilogue\r\n')
EOF
A200=$(printf '%196s' '' | tr ' ' a).txt

# ---- one part to stdout -------------------------------------------------------------
"$X" --part 1.3 "$TMP/m.eml" > "$TMP/p13" 2> "$TMP/err"
same_bytes "--part 1.3: the base64 image, decoded, to stdout" "$TMP/photo.png" "$TMP/p13"
printf 'Caf\303\251 au lait.' > "$TMP/p11.want"
"$X" -p 1.1 < "$TMP/m.eml" > "$TMP/p11"
same_bytes "-p 1.1 (stdin): quoted-printable undone, soft break removed" "$TMP/p11.want" "$TMP/p11"
printf 'Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--alt--\r\n' > "$TMP/p12.want"
"$X" -p 1.2 "$TMP/m.eml" > "$TMP/p12"
same_bytes "a multipart part: all of it, its header included" "$TMP/p12.want" "$TMP/p12"
printf 'From: b@example.org\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\ninner text\r\n--in\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="../../etc/passwd"\r\nContent-Transfer-Encoding: base64\r\n\r\ncm9vdDp4OjA6MDo=\r\n--in--\r\n' > "$TMP/p14.want"
"$X" -p 1.4 "$TMP/m.eml" > "$TMP/p14"
same_bytes "a message/rfc822 part: the message it holds" "$TMP/p14.want" "$TMP/p14"
expect "a part inside the enclosed message" 0 "root:x:0:0:" -- "$X" -p 1.4.1.2 "$TMP/m.eml"
"$X" -p 1 "$TMP/m.eml" > "$TMP/p1"
same_bytes "-p 1 of a multipart message: the message" "$TMP/m.eml" "$TMP/p1"
printf 'Subject: x\nContent-Transfer-Encoding: base64\n\naGVsbG8K\n' > "$TMP/single.eml"
expect "-p 1 of a single-part message: its decoded body" 0 "hello" -- "$X" -p 1 "$TMP/single.eml"

# ---- --all -------------------------------------------------------------------------
mkdir "$TMP/w" && cd "$TMP/w" || exit 70
expect "--all -o out: every leaf, safe names, the list printed" 0 "out/part-1.1.txt
out/part-1.2.1.txt
out/part-1.2.2.html
out/photo.png
out/part-1.4.1.1.txt
out/_._etc_passwd
out/hidden
out/résumé.txt
out/photo-2.png
out/_ctl_x_y.txt
out/$A200
out/part-1.10.bin" -- "$X" --all -o out "$TMP/m.eml"
[ "$(ls -A out | wc -l)" -eq 12 ] && pass "--all: 12 files, nothing else" || fail "--all: 12 files" "$(ls -A out)"
same_bytes "--all: the image" "$TMP/photo.png" out/photo.png
same_bytes "--all: the text" "$TMP/p11.want" out/part-1.1.txt

# every file == what Python's email package decodes for that leaf
cat > "$TMP/leaves.py" <<'EOF'
import email, email.policy, hashlib, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
for p in m.walk():
    if not p.is_multipart() and p.get_content_type() not in ('message/rfc822', 'message/global'):
        print(hashlib.sha256(p.get_payload(decode=True)).hexdigest())
EOF
"$PYTHON" "$TMP/leaves.py" "$TMP/m.eml" > "$TMP/py.sums"
"$X" --all -o py "$TMP/m.eml" | while read -r f; do sha256sum "$f" | cut -d' ' -f1; done > "$TMP/x.sums"
same_bytes "--all: each file is what Python decodes for that part" "$TMP/py.sums" "$TMP/x.sums"

expect "--all --part 1.2: the leaves under 1.2, into ." 0 "part-1.2.1.txt
part-1.2.2.html" -- "$X" --all --part 1.2 "$TMP/m.eml"
expect "several --part: files" 0 "sel/photo.png
sel/hidden" -- "$X" -p 1.3 -p 1.5 -o sel "$TMP/m.eml"
expect "--part with -o: a file" 0 "one/part-1.4.eml" -- "$X" -p 1.4 -o one "$TMP/m.eml"
same_bytes "--part with -o: the enclosed message" "$TMP/p14.want" one/part-1.4.eml

# ---- never overwrite -----------------------------------------------------------------
mkdir ow && printf 'old' > ow/hidden
expect_err "an existing file: 73, named" 73 "ow/hidden: exists \(--force overwrites it\)" -- \
	"$X" -p 1.3 -p 1.5 -o ow "$TMP/m.eml"
[ ! -e ow/photo.png ] && [ "$(cat ow/hidden)" = old ] && pass "an existing file: nothing written" ||
	fail "an existing file: nothing written" "$(ls ow)"
expect "--force overwrites" 0 "ow/photo.png
ow/hidden" -- "$X" -p 1.3 -p 1.5 -o ow --force "$TMP/m.eml"
[ "$(cat ow/hidden)" = secret ] && pass "--force: the new content" || fail "--force: the new content"
mkdir ln && printf 'victim' > victim && ln -s ../victim ln/photo.png
expect_err "a symlink in the way: 73" 73 "exists" -- "$X" -p 1.3 -o ln "$TMP/m.eml"
"$X" -p 1.3 -o ln -f "$TMP/m.eml" > /dev/null
[ "$(cat victim)" = victim ] && [ ! -L ln/photo.png ] && cmp -s ln/photo.png "$TMP/photo.png" &&
	pass "--force replaces a symlink, never writes through it" || fail "--force replaces a symlink"
printf x > afile
expect_err "-o names a file: 73" 73 "not a directory" -- "$X" --all -o afile "$TMP/m.eml"

# ---- errors --------------------------------------------------------------------------
expect_err "no such part: 65" 65 "no part 1.11" -- "$X" -p 1.11 "$TMP/m.eml"
expect_err "no such part among others: 65, nothing written" 65 "no part 2" -- "$X" -p 1.3 -p 2 -o none "$TMP/m.eml"
[ ! -e none ] && pass "no such part: no directory, no file" || fail "no such part: nothing written"
expect_err "a malformed part number: 64" 64 "not a part number" -- "$X" -p 1..2 "$TMP/m.eml"
expect_err "part 0: 64" 64 "not a part number" -- "$X" -p 1.0 "$TMP/m.eml"
expect_err "neither --part nor --all: 64" 64 "give --part PART or --all" -- "$X" "$TMP/m.eml"
expect_err "two messages: 64" 64 "one message at a time" -- "$X" --all "$TMP/m.eml" "$TMP/m.eml"
expect_err "a missing FILE: 66" 66 "nosuch" -- "$X" --all "$TMP/nosuch"
finish
