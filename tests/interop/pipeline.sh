#!/bin/sh
# The pipeline of issue 4, and what other readers make of its output:
#   ember make ... < note.txt | ember wrap --mixed | ember put --type image/png photo.png | ember descr
# ember descr prints a multipart/mixed with a text/plain and an image/png part;
# Python's email package (policy.default) reads the same bytes into the same
# tree with no defects; mblaze's mshow -t lists the same parts; and ember
# extract gives the note and the photo back.
SUITE=interop-pipeline
. "$(dirname "$0")/../cli/lib.sh"

for c in make wrap put descr extract; do
	if [ ! -x "$BIN/ember-$c" ]; then
		fail "ember-$c is built"
		finish
		exit 1
	fi
done
cd "$TMP" || exit 70
MBLAZE=$TMP/mblaze; export MBLAZE  # no profile or sequences from $HOME
mkdir -p "$MBLAZE"

# a small valid PNG (5x2 pixels), chunks and CRCs written with zlib/struct
"$PYTHON" - photo.png <<'EOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\0" + b"".join(bytes((40 * x, 100 * y, 200)) for x in range(5)) for y in range(2))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 5, 2, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF
"$PYTHON" -c "import zlib,sys; d=open('photo.png','rb').read(); assert d[:8]==b'\x89PNG\r\n\x1a\n'" &&
	pass "photo.png is a PNG" || fail "photo.png is a PNG"
PNG_SIZE=$(wc -c < photo.png | tr -d ' ')
printf 'Hello,\n\nthe photo from Saturday is attached.\n-- \nme\n' > note.txt

"$BIN/ember" make --from me@example.org --to you@example.org --subject 'Café' < note.txt |
	"$BIN/ember" wrap --mixed | "$BIN/ember" put --type image/png photo.png > msg 2> err
[ -s msg ] && [ ! -s err ] && pass "make | wrap --mixed | put: a message, no complaint" ||
	fail "make | wrap --mixed | put" "$(head -5 err)"

# ---- the issue's pipeline, ending in ember descr ---------------------------------
expect "ember descr: multipart/mixed with text/plain and image/png" 0 "1 multipart/mixed
  1.1 text/plain charset=us-ascii encoding=7bit size=57
  1.2 image/png encoding=base64 disposition=attachment filename=\"photo.png\" size=$PNG_SIZE" -- sh -c \
	"'$BIN/ember' make --from me@example.org --to you@example.org --subject 'Café' < note.txt |
	 '$BIN/ember' wrap --mixed | '$BIN/ember' put --type image/png photo.png | '$BIN/ember' descr"

# ---- Python: the same tree, no defects, the same content --------------------------
"$BIN/ember" descr --json msg > ember.jsonl
"$PYTHON" "$ROOT/tests/interop/pytree.py" msg > py.jsonl
expect "Python's tree == ember descr --json (types, names, charsets, dispositions, sizes)" 0 \
	"pipeline: 1 of 1 messages agree" -- "$PYTHON" "$ROOT/tests/interop/pytree.py" \
	--compare ember.jsonl py.jsonl --label pipeline --fields type,filename,charset,disposition,encoding,size
expect "Python: no defect in the message or any part or field" 0 "msg: ok" -- \
	"$PYTHON" "$ROOT/tests/interop/pytree.py" --defects msg
expect "Python: the header, the note and the photo" 0 "Café | me@example.org | you@example.org
multipart/mixed 0
text/plain 0 note intact
image/png 0 photo.png png intact" -- "$PYTHON" - <<'EOF'
import email.policy
from email.parser import BytesParser
m = BytesParser(policy=email.policy.default).parsebytes(open("msg", "rb").read())
print(m["Subject"], m["From"].addresses[0].addr_spec, m["To"].addresses[0].addr_spec, sep=" | ")
for p in m.walk():
    t, d = p.get_content_type(), len(p.defects)
    if t == "text/plain":
        same = p.get_content().replace("\r\n", "\n") == open("note.txt").read()
        print(t, d, "note intact" if same else "note differs: %r" % p.get_content())
    elif t == "image/png":
        same = p.get_content() == open("photo.png", "rb").read()
        print(t, d, p.get_filename(), "png intact" if same else "png differs")
    else:
        print(t, d)
EOF

# ---- mblaze: mshow -t lists the same parts (numbered 1, 2, 3 in its own way) -------
mshow -t ./msg > mshow.out 2> mshow.err
expect "mshow -t: the same parts as ember descr" 0 "multipart/mixed
text/plain
image/png name=\"photo.png\"" -- sh -c \
	"sed '1d; s/^ *[0-9]*: //; s/ size=[0-9]*//' mshow.out"
"$BIN/ember" descr msg | sed 's/^ *[0-9.]* //; s/ .*//' > descr.types
sed '1d; s/^ *[0-9]*: //; s/ .*//' mshow.out > mshow.types
same_bytes "mshow -t and ember descr: the same types in the same order" descr.types mshow.types
grep -q "image/png size=$PNG_SIZE " mshow.out && pass "mshow -t: the photo's decoded size" ||
	fail "mshow -t: the photo's decoded size" "$(cat mshow.out mshow.err)"

# ---- and back out --------------------------------------------------------------------
"$BIN/ember" extract --part 1.2 msg > photo.out
same_bytes "ember extract --part 1.2: the photo, byte for byte" photo.png photo.out
"$BIN/ember" extract --part 1.1 msg | tr -d '\r' > note.out
same_bytes "ember extract --part 1.1: the note (in CRLF lines)" note.txt note.out
mkdir x && (cd x && mshow -x ../msg 3 > /dev/null 2>&1)
if [ -f x/photo.png ]; then
	same_bytes "mshow -x: mblaze decodes the same photo" photo.png x/photo.png
else
	skip "mshow -x: mblaze decodes the same photo" "mshow -x wrote no photo.png"
fi
finish
