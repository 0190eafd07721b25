#!/bin/sh
# ARC interop with dkimpy (dkim.ARC: the implementation the ARC test suite
# was written with), keys made by `ember dkim keygen` and served by knot on
# loopback. On each message: ember seals and dkimpy validates; dkimpy seals
# and ember validates; chains of two and three hops mixing both, each
# validated by both; a body byte changed after the last seal makes both say
# fail. dkimpy's ARC (1.1.4) is rsa-sha256 only (it cannot load an Ed25519
# key for ARC and calls an ed25519-sha256 set an unknown algorithm), so the
# hops dkimpy sees are rsa-sha256, with two keys of two domains; an
# ed25519-sha256 hop by ember on top of a mixed chain is validated by ember.
# The messages: a plain one, a MIME one with folded fields and runs of white
# space, one with trailing empty lines and two Authentication-Results of
# the hop, one with bare LF line ends.
SUITE=interop-arc-dkimpy
. "$(dirname "$0")/../cli/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
PY="$PYTHON $ROOT/tests/interop/arcpy.py"
if ! "$PYTHON" -c 'import dkim, dns.resolver, authres' 2>/dev/null; then
	skip "dkimpy" "python3-dkim, dnspython or authres missing"
	finish
	exit
fi

K=$TMP/keys
mkdir -p "$K"
"$E" dkim keygen -t rsa -b 2048 -d example.com -s rsa -o "$K/rsa" > /dev/null &&
	"$E" dkim keygen -t rsa -b 1024 -d example.org -s rsa2 -o "$K/rsa2" > /dev/null &&
	"$E" dkim keygen -t ed25519 -d example.org -s ed -o "$K/ed" > /dev/null ||
	{ fail "keygen"; finish; exit; }
dns_line "$(cat "$K/rsa.txt")"
dns_line "$(cat "$K/rsa2.txt")"
dns_line "$(cat "$K/ed.txt")"
dns_start || { fail "knot starts"; finish; exit; }

M=$TMP/msgs
mkdir -p "$M"
crlf() { sed 's/$/\r/'; }
crlf > "$M/plain.eml" <<'EOF'
Authentication-Results: hop1.example; dkim=pass header.d=example.com;
  spf=pass smtp.mailfrom=joe@example.com
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
Authentication-Results: hop1.example; dkim=pass (2048-bit key) header.d=example.com
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

caf=C3=A9   with trailing white space   
--b1--
EOF
crlf > "$M/trailing.eml" <<'EOF'
Authentication-Results: hop1.example; spf=pass smtp.mailfrom=a@example.com
Authentication-Results: hop1.example; dmarc=pass header.from=example.com
From: a@example.com
To: b@example.net
Subject: empty lines at the end

body



EOF
printf 'Authentication-Results: hop1.example; dkim=none\nFrom: lf@example.com\nTo: b@example.net\nSubject: bare LF\n\nline one\nline two\n' > "$M/lf.eml"

# seal with ember or dkimpy: WHO FILE KEY(rsa|rsa2|ed) AUTHSERV-ID
seal() {
	case $3 in
	rsa) _d=example.com _s=rsa _a=rsa-sha256 ;;
	rsa2) _d=example.org _s=rsa2 _a=rsa-sha256 ;;
	*) _d=example.org _s=ed _a=ed25519-sha256 ;;
	esac
	if [ "$1" = ember ]; then
		"$E" arc sign -d $_d -s $_s -k "$K/$3.key" -a $_a --authserv-id "$4" "$2"
	else
		$PY seal "$K/$3.key" $_d $_s $_a "$4" < "$2"
	fi
}
# the next hop's Authentication-Results: ember's validation, arc=...
next_hop() { "$E" arc verify --ar --authserv-id "$2" "$1"; }
both_say() {  # NAME WANT FILE: ember's status and dkimpy's
	_e=$("$E" arc verify "$3" 2>&1 | head -1 | cut -d' ' -f1 | tr -d :)
	_p=$($PY verify "$DNS" < "$3" 2> "$TMP/py.err")
	if [ "$_e" = "$2" ] && [ "$_p" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "ember: $_e, dkimpy: $_p, want $2" "$(head -c 300 "$TMP/py.err")"
	fi
}

W=$TMP/w
mkdir -p "$W"
for m in plain mime trailing lf; do
	f=$M/$m.eml
	for k in rsa rsa2; do
		# one hop each way
		seal ember "$f" $k hop1.example > "$W/$m.e1.$k" 2> "$TMP/err" || fail "$m: ember seals ($k)" "$(cat "$TMP/err")"
		both_say "$m: ember seals ($k), both pass" pass "$W/$m.e1.$k"
		seal dkimpy "$f" $k hop1.example > "$W/$m.p1.$k" 2> "$TMP/err" || fail "$m: dkimpy seals ($k)" "$(cat "$TMP/err")"
		both_say "$m: dkimpy seals ($k), both pass" pass "$W/$m.p1.$k"
	done
	# two hops: ember then dkimpy; dkimpy then ember
	next_hop "$W/$m.e1.rsa" hop2.example > "$W/h" && seal dkimpy "$W/h" rsa2 hop2.example > "$W/$m.ep"
	both_say "$m: ember then dkimpy: pass" pass "$W/$m.ep"
	next_hop "$W/$m.p1.rsa2" hop2.example > "$W/h" && seal ember "$W/h" rsa hop2.example > "$W/$m.pe"
	both_say "$m: dkimpy then ember: pass" pass "$W/$m.pe"
	# three hops: dkimpy, ember, dkimpy; the mailing list of hop 2 changes the subject
	next_hop "$W/$m.p1.rsa" hop2.example | sed 's/^Subject: /Subject: [list] /' > "$W/h"
	seal ember "$W/h" rsa2 hop2.example > "$W/$m.pe2"
	next_hop "$W/$m.pe2" hop3.example > "$W/h" && seal dkimpy "$W/h" rsa hop3.example > "$W/$m.pep"
	both_say "$m: dkimpy, ember (subject changed), dkimpy: pass" pass "$W/$m.pep"
	"$E" arc verify "$W/$m.pep" | head -1 | grep -q 'oldest-pass=2' &&
		pass "$m: oldest-pass=2 after the change at hop 2" ||
		fail "$m: oldest-pass=2 after the change at hop 2" "$("$E" arc verify "$W/$m.pep")"
	# three hops: ember, dkimpy, ember
	next_hop "$W/$m.e1.rsa2" hop2.example > "$W/h" && seal dkimpy "$W/h" rsa hop2.example > "$W/$m.ep2"
	next_hop "$W/$m.ep2" hop3.example > "$W/h" && seal ember "$W/h" rsa2 hop3.example > "$W/$m.epe"
	both_say "$m: ember, dkimpy, ember: pass" pass "$W/$m.epe"
	# a body changed after the last seal
	sed '$s/^/X/' "$W/$m.epe" > "$W/$m.bad"
	both_say "$m: a body byte changed: both fail" fail "$W/$m.bad"
	# a fourth hop by ember with ed25519 over the mixed chain
	next_hop "$W/$m.epe" hop4.example > "$W/h" && seal ember "$W/h" ed hop4.example > "$W/$m.epee"
	"$E" arc verify "$W/$m.epee" > "$TMP/out" && [ "$(grep -c 'seal=pass' "$TMP/out")" = 4 ] &&
		pass "$m: ember, dkimpy, ember, ember (ed25519): ember says pass" ||
		fail "$m: ember, dkimpy, ember, ember (ed25519): ember says pass" "$(cat "$TMP/out")"
done
skip "ed25519-sha256 with dkimpy" "dkimpy 1.1.4's ARC seals and validates rsa-sha256 only"
finish
