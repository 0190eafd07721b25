#!/bin/sh
# ember dkim: keygen, sign, verify as a user runs them; keys served by knot
# on loopback; exit statuses as DESIGN.md 3 and the man page say.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70

# ---- keygen -------------------------------------------------------------------
expect "keygen rsa" 0 "k/rsa.key
k/rsa.txt" -- sh -c 'mkdir -p k && "$1" dkim keygen -t rsa -d example.com -s rsa -o k/rsa' sh "$E"
expect "keygen ed25519" 0 "k/ed.key
k/ed.txt" -- "$E" dkim keygen -t ed25519 -d example.com -s ed -o k/ed
mode=$(stat -c %a k/rsa.key)
[ "$mode" = 600 ] && pass "the private key is mode 0600" || fail "the private key is mode 0600" "got $mode"
grep -q 'BEGIN PRIVATE KEY' k/rsa.key && pass "the private key is PKCS#8 PEM" || fail "the private key is PKCS#8 PEM"
# zone-file form: strings of at most 255 octets
if awk -F'"' '/"/ { for (i = 2; i <= NF; i += 2) if (length($i) > 255) bad = 1 } END { exit bad }' k/rsa.txt &&
	head -1 k/rsa.txt | grep -q '^rsa._domainkey.example.com. IN TXT ('; then
	pass "the TXT record in zone-file form, 255-octet strings"
else
	fail "the TXT record in zone-file form, 255-octet strings" "$(cat k/rsa.txt)"
fi
grep -q 'k=ed25519; p=' k/ed.txt && pass "the ed25519 record says k=ed25519" || fail "the ed25519 record says k=ed25519"
expect_err "keygen refuses to overwrite" 73 'exists|File exists' -- "$E" dkim keygen -t ed25519 -d example.com -s ed -o k/ed
expect_err "keygen: RSA under 1024 bits" 64 '1024' -- "$E" dkim keygen -t rsa -b 512 -d example.com -s x -o k/x
expect_err "keygen: an unknown type" 64 'rsa|ed25519' -- "$E" dkim keygen -t dsa -d example.com -s x -o k/x
expect_err "keygen: no -o" 64 'PREFIX' -- "$E" dkim keygen -t rsa -d example.com -s x
# a 4096-bit key: its record, over 700 octets, in three strings joined
"$E" dkim keygen -t rsa -b 4096 -d example.com -s big -o k/big > /dev/null
# a record of 3,000 octets (a long n= note): longer than the 1,232-octet EDNS
# answer lib/io asks for over UDP, so the answer comes truncated and c-ares
# asks again over TCP
"$PYTHON" - k/rsa.txt > k/tcp.txt <<'EOF'
import re, sys
rec = "".join(re.findall(r'"([^"]*)"', open(sys.argv[1]).read()))
rec = rec.replace("k=rsa;", "k=rsa; n=" + "x" * 3000 + ";")
print("tcp._domainkey.example.com. IN TXT " + " ".join('"%s"' % rec[i:i + 255] for i in range(0, len(rec), 255)))
EOF
# a traditional RSA PEM signs too
openssl rsa -in k/rsa.key -traditional -out k/trad.key 2>/dev/null

dns_line "$(cat k/rsa.txt)"
dns_line "$(cat k/ed.txt)"
dns_line "$(sed 's/^rsa\._domainkey/trad._domainkey/' k/rsa.txt)"
dns_line "$(cat k/big.txt)"
dns_line "$(cat k/tcp.txt)"
printf '%s\n' broken._domainkey.example.com > "$DNS_DIR/broken"
dns_start || { fail "knot starts"; finish; exit; }

# ---- sign -----------------------------------------------------------------------
printf 'From: Joe <joe@example.com>\r\nTo: x@example.net\r\nSubject: hi\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700\r\n\r\nHello.\r\n' > crlf.eml
printf 'From: Joe <joe@example.com>\nTo: x@example.net\nSubject: hi\n\nHello.\n' > lf.eml
"$E" dkim sign -d example.com -s rsa -k k/rsa.key crlf.eml > s-rsa.eml 2> err &&
	pass "sign rsa" || fail "sign rsa" "$(cat err)"
# every byte after the field is the message's
n=$(wc -c < crlf.eml)
tail -c "$n" s-rsa.eml > tail.eml
same_bytes "sign: the message unchanged below the field" crlf.eml tail.eml
head -1 s-rsa.eml | grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa;' &&
	pass "sign: the field's first line" || fail "sign: the field's first line" "$(head -1 s-rsa.eml)"
"$E" dkim sign -d example.com -s ed -k k/ed.key < lf.eml > s-lf.eml
n=$(wc -c < lf.eml)
tail -c "$n" s-lf.eml > tail.eml
same_bytes "sign from stdin, LF: the message unchanged" lf.eml tail.eml
if ! awk 'BEGIN { RS = "\n" } /\r$/ { bad = 1 } END { exit bad }' s-lf.eml; then
	fail "sign LF: the field with LF line ends too"
else
	pass "sign LF: the field with LF line ends too"
fi
"$E" dkim sign -d example.com -s trad -k k/trad.key -c simple/simple -H from:subject:to --no-oversign \
	crlf.eml > s-trad.eml 2> err && pass "sign with a traditional RSA PEM" || fail "sign with a traditional RSA PEM" "$(cat err)"
tr -d '\r\n ' < s-trad.eml | grep -q 'c=simple/simple;.*h=from:subject:to;' &&
	pass "sign -c and -H, --no-oversign" || fail "sign -c and -H, --no-oversign" "$(head -3 s-trad.eml)"
"$E" dkim sign -d example.com -s ed -k k/ed.key --time 1000000 --expire 3600 crlf.eml > s-exp.eml
tr -d '\r\n ' < s-exp.eml | grep -q 't=1000000;x=1003600;' && pass "sign --time --expire: t= and x=" ||
	fail "sign --time --expire: t= and x=" "$(head -3 s-exp.eml)"

printf 'From: a@example.com\r\nnot a field\r\n\r\nbody\r\n' > garbage.eml
expect_err "sign: a line that is not a field: 65, file and line" 65 \
	'^ember dkim: garbage.eml:2: the header has a structural defect' -- \
	"$E" dkim sign -d example.com -s ed -k k/ed.key garbage.eml
printf ' first\r\nFrom: a@example.com\r\n\r\nbody\r\n' > cont.eml
expect_err "sign: a continuation line first: 65" 65 'cont.eml:1: the header has a structural defect' -- \
	"$E" dkim sign -d example.com -s ed -k k/ed.key cont.eml
printf 'From: a@example.com\000x\r\n\r\nbody\r\n' > nul.eml
expect_err "sign: a NUL in a field: 65" 65 'nul.eml:1: the header has a structural defect' -- \
	"$E" dkim sign -d example.com -s ed -k k/ed.key nul.eml
printf 'To: a@example.com\r\n\r\nbody\r\n' > nofrom.eml
expect_err "sign: no From: 65" 65 'nofrom.eml: no From field' -- "$E" dkim sign -d example.com -s ed -k k/ed.key nofrom.eml
expect_err "sign: a missing file: 66" 66 'no-such.eml' -- "$E" dkim sign -d example.com -s ed -k k/ed.key no-such.eml
expect_err "sign: no key: 66" 66 'no-such.key' -- "$E" dkim sign -d example.com -s ed -k no-such.key crlf.eml
expect_err "sign: a key that is not PEM: 65" 65 'crlf.eml' -- "$E" dkim sign -d example.com -s ed -k crlf.eml crlf.eml
expect_err "sign: -c unknown: 64" 64 'simple or relaxed' -- "$E" dkim sign -d example.com -s ed -k k/ed.key -c fancy crlf.eml
expect_err "sign: -a not the key's: 64" 64 'algorithm' -- "$E" dkim sign -d example.com -s ed -k k/ed.key -a rsa-sha256 crlf.eml
expect_err "sign: -H without From: 64" 64 'From' -- "$E" dkim sign -d example.com -s ed -k k/ed.key -H to:subject crlf.eml
expect_err "sign: no -d: 64" 64 'DOMAIN' -- "$E" dkim sign -s ed -k k/ed.key crlf.eml

# (knot refuses the names of a zone it cannot load: REFUSED, a temporary failure)
# ---- verify ---------------------------------------------------------------------
expect "verify: pass, exit 0" 0 "pass d=example.com s=rsa a=rsa-sha256" -- "$E" dkim verify s-rsa.eml
expect "verify from stdin, EMBER_DNS" 0 "pass d=example.com s=ed a=ed25519-sha256" -- sh -c '"$1" dkim verify < "$2"' sh "$E" s-lf.eml
expect "verify --dns" 0 "pass d=example.com s=trad a=rsa-sha256" -- env -u EMBER_DNS "$E" dkim verify --dns "$DNS" s-trad.eml
sed 's/Hello\./Hello!/' s-rsa.eml > body.eml
expect "verify: a body byte changed: fail, exit 1" 1 \
	"fail d=example.com s=rsa a=rsa-sha256: body hash mismatch (the body changed)" -- "$E" dkim verify body.eml
sed 's/^Subject: hi/Subject: ho/' s-rsa.eml > head.eml
expect "verify: a header byte changed: fail" 1 \
	"fail d=example.com s=rsa a=rsa-sha256: the signature does not verify (the header changed, or another key)" -- \
	"$E" dkim verify head.eml
{ printf 'From: CEO <ceo@example.com>\r\n'; cat s-rsa.eml; } > addfrom.eml
expect "verify: a From added on top: fail" 1 \
	"fail d=example.com s=rsa a=rsa-sha256: the signature does not verify (the header changed, or another key)" -- \
	"$E" dkim verify addfrom.eml
sed 's/^To: x@example.net/garbage\r\nTo: x@example.net/' s-rsa.eml > mid.eml
expect "verify: a garbage line mid-header: permerror" 1 \
	"permerror d=example.com s=rsa a=rsa-sha256: the header has a structural defect (a line that is not a field, a continuation first, a NUL or a bare CR)" -- \
	"$E" dkim verify mid.eml
expect "verify: unsigned: none, exit 1" 1 "none: no DKIM-Signature field" -- "$E" dkim verify crlf.eml
sed 's/s=rsa;/s=broken;/' s-rsa.eml > broken.eml
expect "verify: the key's server fails: temperror, exit 75" 75 \
	"temperror d=example.com s=broken a=rsa-sha256: the key's DNS query failed (refused, unreachable or a malformed answer)" -- "$E" dkim verify broken.eml
sed 's/s=rsa;/s=gone;/' s-rsa.eml > gone.eml
expect "verify: no key: permerror" 1 \
	"permerror d=example.com s=gone a=rsa-sha256: no key for the signature (no TXT record)" -- "$E" dkim verify gone.eml
expect "verify --time past x=: permerror" 1 \
	"permerror d=example.com s=ed a=ed25519-sha256: the signature expired (x=)" -- "$E" dkim verify --time 2000000000 s-exp.eml
expect "verify --time before x=: pass" 0 "pass d=example.com s=ed a=ed25519-sha256" -- "$E" dkim verify --time 1000100 s-exp.eml
"$E" dkim sign -d example.com -s big -k k/big.key crlf.eml > s-big.eml
expect "verify: a 4096-bit key, its record in three strings" 0 \
	"pass d=example.com s=big a=rsa-sha256" -- "$E" dkim verify s-big.eml
"$E" dkim sign -d example.com -s tcp -k k/rsa.key crlf.eml > s-tcp.eml
expect "verify: a 3,000-octet record, truncated over UDP, read over TCP" 0 \
	"pass d=example.com s=tcp a=rsa-sha256" -- "$E" dkim verify s-tcp.eml
# several files: each line prefixed, keys asked at once, the worst status
expect "verify several: prefixed, exit 1 when one fails" 1 "s-rsa.eml: pass d=example.com s=rsa a=rsa-sha256
body.eml: fail d=example.com s=rsa a=rsa-sha256: body hash mismatch (the body changed)
crlf.eml: none: no DKIM-Signature field" -- "$E" dkim verify s-rsa.eml body.eml crlf.eml
expect "verify several: temperror and pass: 75" 75 "s-rsa.eml: pass d=example.com s=rsa a=rsa-sha256
broken.eml: temperror d=example.com s=broken a=rsa-sha256: the key's DNS query failed (refused, unreachable or a malformed answer)" -- \
	"$E" dkim verify s-rsa.eml broken.eml
# a thousand files in one run
mkdir many
i=0
while [ $i -lt 1000 ]; do cp s-rsa.eml many/$i.eml; i=$((i + 1)); done
out=$("$E" dkim verify many/*.eml 2>&1); rc=$?
np=$(printf '%s\n' "$out" | grep -c ': pass d=example.com s=rsa')
[ $rc = 0 ] && [ "$np" = 1000 ] && pass "verify 1000 files: 1000 pass" || fail "verify 1000 files: 1000 pass" "rc $rc, $np pass"
# a server that does not answer: temperror, quickly
expect "verify: nothing listens at --dns: temperror" 75 \
	"temperror d=example.com s=rsa a=rsa-sha256: the key's DNS query failed (refused, unreachable or a malformed answer)" -- \
	env -u EMBER_DNS "$E" dkim verify --dns 127.0.0.1:1 s-rsa.eml

# --json: one object per message
"$E" dkim verify --json s-rsa.eml body.eml > j.out
if "$PYTHON" - j.out <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["file"] for r in rows] == ["s-rsa.eml", "body.eml"], rows
assert rows[0]["result"] == "pass" and rows[1]["result"] == "fail", rows
s = rows[0]["signatures"][0]
assert s["d"] == "example.com" and s["s"] == "rsa" and s["a"] == "rsa-sha256" and s["line"] == 1, s
assert rows[1]["signatures"][0]["reason"] == "body hash mismatch (the body changed)", rows[1]
EOF
then pass "verify --json"; else fail "verify --json" "$(cat j.out)"; fi

# --ar: the message with an Authentication-Results field on top, exit 0
"$E" dkim verify --ar --authserv-id mx.example.net s-rsa.eml > ar.eml 2> err; rc=$?
b8=$(tr -d '\r\n ' < s-rsa.eml | sed 's/.*;b=//' | cut -c1-8)
head -1 ar.eml | tr -d '\r' > ar.first
if [ $rc = 0 ] && grep -q "^Authentication-Results: mx.example.net; dkim=pass" ar.first &&
	tr -d '\r\n\t ' < ar.eml | grep -q "header.d=example.com" && tr -d '\r\n\t ' < ar.eml | grep -qF "header.b=$b8" ||
	tr -d '\r\n\t ' < ar.eml | grep -qF "header.b=\"$b8\""; then  # quoted when it holds a / or +
	pass "verify --ar: dkim=pass header.d header.s header.b"
else
	fail "verify --ar: dkim=pass header.d header.s header.b" "rc $rc" "$(head -3 ar.eml)"
fi
n=$(wc -c < s-rsa.eml)
tail -c "$n" ar.eml > tail.eml
same_bytes "verify --ar: the message unchanged below the field" s-rsa.eml tail.eml
"$E" dkim verify --ar --authserv-id mx.example.net body.eml > ar2.eml; rc=$?
[ $rc = 0 ] && head -2 ar2.eml | tr -d '\r\n\t' | grep -q 'dkim=fail' && pass "verify --ar on a failing message: dkim=fail, exit 0" ||
	fail "verify --ar on a failing message: dkim=fail, exit 0" "rc $rc" "$(head -2 ar2.eml)"
"$E" dkim verify --ar --authserv-id mx.example.net crlf.eml | head -1 | grep -q '^Authentication-Results: mx.example.net; dkim=none' &&
	pass "verify --ar unsigned: dkim=none" || fail "verify --ar unsigned: dkim=none"
expect_err "verify --authserv-id without --ar: 64" 64 'authserv-id' -- "$E" dkim verify --authserv-id x s-rsa.eml
expect_err "verify --ar with two files: 64" 64 'one message' -- "$E" dkim verify --ar s-rsa.eml body.eml
expect_err "verify --dns not HOST:PORT: 64" 64 'HOST' -- "$E" dkim verify --dns 'a b:c:d' s-rsa.eml
expect_err "dkim without a subcommand: 64" 64 'sign|verify|keygen|Usage' -- "$E" dkim
finish
