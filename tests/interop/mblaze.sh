#!/bin/sh
# A message built by the ember pipeline (make | wrap --mixed | put) as mblaze's
# mshow and Python's email package read it: multipart/mixed holding the note
# as text/plain and the photo as image/png, intact, with no defect.
SUITE=interop-mblaze
. "$(dirname "$0")/../cli/lib.sh"

for c in make wrap put; do
	if [ ! -x "$BIN/ember-$c" ]; then
		skip "ember make | wrap | put, read by mshow and Python" "$BIN/ember-$c is not built yet"
		finish
		exit
	fi
done

# A small real PNG (4x3 red pixels), written with zlib and the PNG chunk CRCs.
"$PYTHON" - "$TMP/photo.png" <<'EOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\0" + b"\xff\x00\x00" * 4 for _ in range(3))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
EOF
PNG_SIZE=$(wc -c < "$TMP/photo.png" | tr -d ' ')
printf 'Hello,\n\nthe photo from Saturday is attached.\n-- \nme\n' > "$TMP/note"

cd "$TMP" || exit 70
MBLAZE=$TMP/mblaze; export MBLAZE  # no profile or sequence from $HOME
expect "ember make exits 0" 0 "" -- sh -c \
	"'$BIN/ember' make --from me@example.org --to you@example.org --subject 'Café' < note > m1"
expect "ember wrap --mixed exits 0" 0 "" -- sh -c "'$BIN/ember' wrap --mixed < m1 > m2"
expect "ember put --type image/png exits 0" 0 "" -- sh -c \
	"'$BIN/ember' put --type image/png photo.png < m2 > msg"

# mshow -t: the file name, then one line per part; sizes of the container
# and of the text part depend on line ends, the image's is exact.
expect "mshow -t lists multipart/mixed, text/plain, image/png" 0 \
"  1: multipart/mixed
    2: text/plain
    3: image/png size=$PNG_SIZE name=\"photo.png\"" -- sh -c \
	"mshow -t ./msg | sed '1d; 2,3s/ size=[0-9]*//'"

expect "Python: no defect" 0 "msg: ok" -- "$PYTHON" "$ROOT/tests/interop/pytree.py" --defects msg

expect "Python: the same tree, the note and the photo intact" 0 \
"Café | me@example.org | you@example.org
multipart/mixed
text/plain note intact
image/png photo.png png intact" -- "$PYTHON" - <<'EOF'
import email.policy
from email.parser import BytesParser
m = BytesParser(policy=email.policy.default).parse(open("msg", "rb"))
print(m["Subject"], m["From"].addresses[0].addr_spec, m["To"].addresses[0].addr_spec, sep=" | ")
for p in m.walk():
    t = p.get_content_type()
    if t == "text/plain":
        same = p.get_content().replace("\r\n", "\n") == open("note").read()
        print(t, "note intact" if same else "note differs: %r" % p.get_content())
    elif t == "image/png":
        same = p.get_content() == open("photo.png", "rb").read()
        print(t, p.get_filename(), "png intact" if same else "png differs")
    else:
        print(t)
EOF
finish
