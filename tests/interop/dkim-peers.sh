#!/bin/sh
# DKIM interop with the two reference implementations, keys made by
# `ember dkim keygen` and served by knot on loopback: for rsa-sha256 and
# ed25519-sha256 and each of the four canonicalisations, ember signs and
# dkimpy and libopendkim (build/bench/opendkim, bench/dkim/opendkim.c)
# verify; dkimpy and libopendkim sign and ember verifies; one body byte or
# one header byte changed makes all three say fail. The messages: a plain
# one, a MIME one with folded fields, trailing white space and empty lines
# at the end, and one with 8-bit UTF-8 in its header (RFC 6532).
SUITE=interop-dkim-peers
. "$(dirname "$0")/../cli/lib.sh"
. "$ROOT/tests/dns/knot.sh"
EMBER=$BIN/ember
PY="$PYTHON $ROOT/tests/interop/dkimpy.py"
ODK=$ROOT/build/bench/opendkim
have_dkimpy=1
"$PYTHON" -c 'import dkim, dns.resolver' 2>/dev/null || have_dkimpy=0
have_odk=1
[ -x "$ODK" ] || have_odk=0

K=$TMP/keys
mkdir -p "$K"
"$EMBER" dkim keygen -t rsa -b 2048 -d example.com -s rsa -o "$K/rsa" > /dev/null &&
	"$EMBER" dkim keygen -t ed25519 -d example.com -s ed -o "$K/ed" > /dev/null ||
	{ fail "keygen"; finish; exit; }
dns_line "$(cat "$K/rsa.txt")"
dns_line "$(cat "$K/ed.txt")"
dns_start || { fail "knot starts"; finish; exit; }

M=$TMP/msgs
mkdir -p "$M"
crlf() { sed 's/$/\r/'; }
crlf > "$M/plain.eml" <<'EOF'
From: Joe SixPack <joe@example.com>
To: Suzie Q <suzie@example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700
Message-ID: <20030712040037.46341.5F8J@example.com>

Hi.

We lost the game. Are you hungry yet?

Joe.
EOF
crlf > "$M/mime.eml" <<'EOF'
From: "Joe Q. Public" <joe@example.com>
To: a@example.net,
	b@example.net,
  c@example.net
Subject:   a folded
	 subject   with  runs of   white space
Date: Fri, 11 Jul 2003 21:00:37 -0700
Message-ID: <mime.1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

trailing white space here   	
and  runs   of	 it
--b1
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAwQFBgcICQoLDA0ODw==
--b1--



EOF
crlf > "$M/utf8.eml" <<'EOF'
From: Jöran <joeran@example.com>
To: Zoë <zoe@example.net>
Subject: Grüße aus Köln
Date: Fri, 11 Jul 2003 21:00:37 -0700
Message-ID: <utf8.1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Schöne Grüße.
EOF

# verdict lines of a verifier: "pass" per signature (ember: the first word)
ember_verify() { "$EMBER" dkim verify --dns "$DNS" "$1" 2>&1 | cut -d' ' -f1 | tr '\n' ' '; }
py_verify() { $PY verify "$DNS" < "$1" 2>/dev/null | tr '\n' ' '; }
odk_verify() { "$ODK" verify --dns "$DNS" "$1" 2>/dev/null | cut -d' ' -f1 | tr '\n' ' '; }

# is NAME WANT GOT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

# change FILE OUT: one body byte changed (the last letter of the body), and
# HEADER_OUT: one header byte (Date's year)
tamper() {
	"$PYTHON" - "$1" "$2" "$3" <<'EOF'
import sys
m = open(sys.argv[1], "rb").read()
h, sep, b = m.partition(b"\r\n\r\n")
i = max(b.rfind(c) for c in b"AEIOUaeiou")
b = b[:i] + bytes([b[i] ^ 0x20]) + b[i + 1:]
open(sys.argv[2], "wb").write(h + sep + b)
open(sys.argv[3], "wb").write(m.replace(b" 2003 ", b" 2004 ", 1))
EOF
}

for alg in rsa-sha256 ed25519-sha256; do
	case $alg in rsa-sha256) sel=rsa ;; *) sel=ed ;; esac
	for canon in simple/simple relaxed/relaxed simple/relaxed relaxed/simple; do
		for m in plain mime utf8; do
			t="$alg $canon $m"
			out=$TMP/$sel-$(echo "$canon" | tr / -)-$m
			# ember signs
			if ! "$EMBER" dkim sign -d example.com -s "$sel" -k "$K/$sel.key" -c "$canon" \
				"$M/$m.eml" > "$out.ember" 2> "$TMP/err"; then
				fail "$t: ember signs" "$(cat "$TMP/err")"; continue
			fi
			is "$t: ember signs, ember verifies" "pass " "$(ember_verify "$out.ember")"
			tamper "$out.ember" "$out.ember.body" "$out.ember.head"
			is "$t: ember's, a body byte changed: ember fails" "fail " "$(ember_verify "$out.ember.body")"
			is "$t: ember's, a header byte changed: ember fails" "fail " "$(ember_verify "$out.ember.head")"
			if [ $have_dkimpy = 1 ]; then
				is "$t: ember signs, dkimpy verifies" "pass " "$(py_verify "$out.ember")"
				is "$t: ember's, a body byte changed: dkimpy fails" "fail " "$(py_verify "$out.ember.body")"
				is "$t: ember's, a header byte changed: dkimpy fails" "fail " "$(py_verify "$out.ember.head")"
				if $PY sign "$K/$sel.key" example.com "$sel" "$alg" "$canon" < "$M/$m.eml" \
					> "$out.py" 2> "$TMP/err"; then
					is "$t: dkimpy signs, ember verifies" "pass " "$(ember_verify "$out.py")"
					tamper "$out.py" "$out.py.body" "$out.py.head"
					is "$t: dkimpy's, a body byte changed: ember fails" "fail " "$(ember_verify "$out.py.body")"
					is "$t: dkimpy's, a header byte changed: ember fails" "fail " "$(ember_verify "$out.py.head")"
					is "$t: dkimpy's, a body byte changed: dkimpy fails" "fail " "$(py_verify "$out.py.body")"
				else
					fail "$t: dkimpy signs" "$(tail -3 "$TMP/err")"
				fi
			else
				skip "$t: dkimpy" "python3-dkim or python3-dnspython is not installed"
			fi
			if [ $have_odk = 1 ]; then
				is "$t: ember signs, opendkim verifies" "pass " "$(odk_verify "$out.ember")"
				is "$t: ember's, a body byte changed: opendkim fails" "fail " "$(odk_verify "$out.ember.body")"
				is "$t: ember's, a header byte changed: opendkim fails" "fail " "$(odk_verify "$out.ember.head")"
				if "$ODK" sign -d example.com -s "$sel" -k "$K/$sel.key" -c "$canon" -a "$alg" \
					"$M/$m.eml" > "$out.odk" 2> "$TMP/err"; then
					is "$t: opendkim signs, ember verifies" "pass " "$(ember_verify "$out.odk")"
					tamper "$out.odk" "$out.odk.body" "$out.odk.head"
					is "$t: opendkim's, a body byte changed: ember fails" "fail " "$(ember_verify "$out.odk.body")"
					is "$t: opendkim's, a header byte changed: ember fails" "fail " "$(ember_verify "$out.odk.head")"
					is "$t: opendkim's, a body byte changed: opendkim fails" "fail " "$(odk_verify "$out.odk.body")"
				else
					fail "$t: opendkim signs" "$(tail -3 "$TMP/err")"
				fi
			else
				skip "$t: opendkim" "build/bench/opendkim is not built (make check builds it)"
			fi
		done
	done
done
finish
