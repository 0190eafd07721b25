#!/bin/sh
# ember ar: Authentication-Results fields grouped by authserv-id, one
# result a line; --json, --authserv-id; malformed fields reported with
# file and line (exit 65), no field exits 1; stdin and files; the output
# of `ember dkim verify --ar` (keys served by knot) read back.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/dns/knot.sh"
E=$BIN/ember
cd "$TMP" || exit 70

# ---- grouping, several fields, comments ---------------------------------------
printf '%s\r\n' \
	'Authentication-Results: mx.example.org;' \
	'  dkim=pass (good signature) header.d=example.com header.s=sel;' \
	'  spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a@example.com' \
	'Received: from x by y; Tue, 24 Nov 2026 10:00:00 +0000' \
	'Authentication-Results: relay.example.net; dmarc=fail header.from=example.com' \
	'Authentication-Results: MX.Example.ORG (older hop) 1; iprev=pass policy.iprev=192.0.2.1' \
	'Authentication-Results: other.example; none' \
	'ARC-Authentication-Results: i=1; mx.example.org; dkim=pass' \
	'From: a@example.com' '' 'body' > g.eml
want='mx.example.org
  dkim=pass header.d=example.com header.s=sel
  spf=pass smtp.mailfrom=a@example.com
  iprev=pass policy.iprev=192.0.2.1
relay.example.net
  dmarc=fail header.from=example.com
other.example
  none'
expect "grouped by authserv-id, in order of first appearance" 0 "$want" -- "$E" ar g.eml
expect "from stdin" 0 "$want" -- sh -c '"$1" ar < g.eml' sh "$E"
expect "from stdin as -" 0 "$want" -- sh -c '"$1" ar - < g.eml' sh "$E"
expect "ember-ar is the same program" 0 "$want" -- "$BIN/ember-ar" g.eml
[ ! -s "$TMP/stderr" ] && pass "nothing on stderr for good fields" || fail "nothing on stderr" "$(cat "$TMP/stderr")"
tr -d '\r' < g.eml > g-lf.eml
expect "LF line ends" 0 "$want" -- "$E" ar g-lf.eml

# RFC 8601 B.7: comments everywhere, method version, folded
printf '%s\n' 'Authentication-Results: foo.example.net (foobar) 1 (baz);' \
	'    dkim (Because I like it) / 1 (One yay) = (wait for it) fail' \
	'      policy (A dot can go here) . (like that) expired' \
	"      (this surprised me) = (as I wasn't expecting it) 1362471462" '' > b7.eml
expect "RFC 8601 B.7, the comment-heavy example" 0 "foo.example.net
  dkim=fail policy.expired=1362471462" -- "$E" ar b7.eml
# B.6: reasons quoted, header.i=@domain bare
printf '%s\n' 'Authentication-Results: example.com;' \
	'      dkim=pass reason="good signature"' '        header.i=@mail-router.example.net;' \
	'      dkim=fail reason="bad signature"' '        header.i=@newyork.example.com' \
	'Authentication-Results: example.net;' \
	'      dkim=pass (good signature) header.i=@newyork.example.com' '' > b6.eml
expect "RFC 8601 B.6, two tiers" 0 'example.com
  dkim=pass reason="good signature" header.i=@mail-router.example.net
  dkim=fail reason="bad signature" header.i=@newyork.example.com
example.net
  dkim=pass header.i=@newyork.example.com' -- "$E" ar b6.eml

# values: quoting, escapes, method versions, a quoted local part, UTF-8, bad bytes
printf '%s\n' 'authentication-results: "mx example"; x/2=pass reason="a \"b\" \\ c"' \
	'  p.q="(not a comment)" smtp.auth="john doe"@example.net policy.y=token' \
	"Authentication-Results: mx; spf=pass smtp.mailfrom=j$(printf '\303\266')rg@example.com reason2.x=\"$(printf '\377')\"" \
	'' > v.eml
expect "values as the field would have them; names as written" 0 'mx example
  x/2=pass reason="a \"b\" \\ c" p.q="(not a comment)" smtp.auth="john doe"@example.net policy.y=token
mx
  spf=pass smtp.mailfrom=jörg@example.com reason2.x="�"' -- "$E" ar v.eml

# ---- malformed fields: reported with file and line, the others printed, 65 -------
printf '%s\n' 'Received: from a' ' by b; Tue, 24 Nov 2026 10:00:00 +0000' \
	'Authentication-Results: mx.example.org; dkim=pass' \
	'Subject: a' ' folded' \
	'Authentication-Results: mx.example.org; dkim' \
	'Authentication-Results: mx.example.org; spf=pass' \
	'Authentication-Results: mx.example.org;' ' spf=pass;' \
	'Authentication-Results: mx.example.net; iprev=pass policy.iprev=2001:db8::1' '' > bad.eml
expect "malformed: the others printed, exit 65" 65 'mx.example.org
  dkim=pass
  spf=pass' -- "$E" ar bad.eml
[ "$(cat "$TMP/stderr")" = "ember ar: bad.eml:6: Authentication-Results does not parse
ember ar: bad.eml:8: Authentication-Results does not parse
ember ar: bad.eml:10: Authentication-Results does not parse" ] && pass "malformed: one line each, file and line" ||
	fail "malformed: one line each, file and line" "$(cat "$TMP/stderr")"
expect_err "malformed from stdin: stdin:LINE" 65 '^ember ar: stdin:6: Authentication-Results does not parse$' -- \
	sh -c '"$1" ar < bad.eml' sh "$E"
printf 'Authentication-Results: (unterminated; none\n\n' > only-bad.eml
expect "only a malformed field: nothing printed, 65" 65 "" -- "$E" ar only-bad.eml

# ---- no field: nothing, exit 1 ----------------------------------------------------
printf 'From: a@example.com\nSubject: x\n\nAuthentication-Results: in the body; none\n' > none.eml
expect "no Authentication-Results: nothing printed, exit 1" 1 "" -- "$E" ar none.eml
printf '' > empty.eml
expect "an empty file: exit 1" 1 "" -- "$E" ar empty.eml
expect "--authserv-id that no field has: exit 1" 1 "" -- "$E" ar --authserv-id nobody.example g.eml

# ---- --authserv-id -----------------------------------------------------------------
expect "--authserv-id: that id only, case-insensitive" 0 'mx.example.org
  dkim=pass header.d=example.com header.s=sel
  spf=pass smtp.mailfrom=a@example.com
  iprev=pass policy.iprev=192.0.2.1' -- "$E" ar --authserv-id MX.EXAMPLE.org g.eml
expect "--authserv-id=ID form" 0 'other.example
  none' -- "$E" ar --authserv-id=other.example g.eml
expect "--authserv-id: a quoted id" 0 'mx example
  x/2=pass reason="a \"b\" \\ c" p.q="(not a comment)" smtp.auth="john doe"@example.net policy.y=token' -- \
	"$E" ar --authserv-id 'MX Example' v.eml

# ---- several files ---------------------------------------------------------------
expect "several files: FILE: before each line; 1 for the one without" 1 'b7.eml: foo.example.net
b7.eml:   dkim=fail policy.expired=1362471462
b6.eml: example.com
b6.eml:   dkim=pass reason="good signature" header.i=@mail-router.example.net
b6.eml:   dkim=fail reason="bad signature" header.i=@newyork.example.com
b6.eml: example.net
b6.eml:   dkim=pass header.i=@newyork.example.com' -- "$E" ar b7.eml none.eml b6.eml
expect "several files, a malformed one: 65 wins over 1" 65 'b7.eml: foo.example.net
b7.eml:   dkim=fail policy.expired=1362471462' -- "$E" ar none.eml b7.eml only-bad.eml
expect_err "a file that cannot be opened: 66" 66 'no-such.eml' -- "$E" ar no-such.eml

# ---- --json -----------------------------------------------------------------------
check_json() { # NAME PYTHON-ASSERTIONS -- CMD...: stdout is JSON lines, the assertions hold on o (list)
	_n=$1 _py=$2; shift 3
	"$@" > "$TMP/json" 2> "$TMP/stderr"
	if "$PYTHON" -c 'import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
exec(sys.argv[2])' "$TMP/json" "$_py" 2> "$TMP/pyerr"; then
		pass "$_n"
	else
		fail "$_n" "$(cat "$TMP/json" | head -c 600)" "$(tail -3 "$TMP/pyerr")"
	fi
}
check_json "--json: groups, fields, lines, results, props" '
assert len(o) == 1
m = o[0]
assert m["file"] == "g.eml" and m["malformed"] == []
assert [g["authserv_id"] for g in m["groups"]] == ["mx.example.org", "relay.example.net", "other.example"]
g = m["groups"][0]
assert [f["line"] for f in g["fields"]] == [1, 6] and [f["version"] for f in g["fields"]] == [1, 1]
r = g["fields"][0]["results"]
assert [(x["method"], x["result"], x["method_version"]) for x in r] == [("dkim", "pass", 1), ("spf", "pass", 1)]
assert r[0]["props"] == [{"ptype": "header", "property": "d", "value": "example.com"},
                         {"ptype": "header", "property": "s", "value": "sel"}]
assert r[1]["props"] == [{"ptype": "smtp", "property": "mailfrom", "value": "a@example.com"}]
assert "reason" not in r[0]
assert m["groups"][2]["fields"][0]["results"] == []
' -- "$E" ar --json g.eml
check_json "--json: values unquoted, versions, UTF-8, bad bytes as U+FFFD" '
m = o[0]
r = m["groups"][0]["fields"][0]["results"][0]
assert m["groups"][0]["authserv_id"] == "mx example"
assert r["method"] == "x" and r["method_version"] == 2 and r["reason"] == "a \"b\" \\ c"
assert [p["value"] for p in r["props"]] == ["(not a comment)", "\"john doe\"@example.net", "token"]
p = m["groups"][1]["fields"][0]["results"][0]["props"]
assert p[0]["value"] == "j\u00f6rg@example.com" and p[1]["value"] == "\ufffd", p
' -- "$E" ar --json v.eml
check_json "--json: malformed lines, one object per message, the empty one" '
assert [m["file"] for m in o] == ["bad.eml", "none.eml", "-"]
assert o[0]["malformed"] == [6, 8, 10] and len(o[0]["groups"]) == 1
assert o[1]["groups"] == [] and o[1]["malformed"] == []
assert o[2]["groups"][0]["fields"][0]["version"] == 1
' -- sh -c '"$1" ar --json bad.eml none.eml - < b7.eml' sh "$E"
check_json "--json --authserv-id" '
assert [g["authserv_id"] for g in o[0]["groups"]] == ["relay.example.net"]
' -- "$E" ar --json --authserv-id relay.example.net g.eml

# ---- usage, help, man page ---------------------------------------------------------
expect_err "an unknown option: 64" 64 'ember ar: unknown option' -- "$E" ar --nope
expect_err "--authserv-id without its argument: 64" 64 'ember ar' -- "$E" ar --authserv-id
"$E" ar --help > help.txt
ok=1
for o in $(grep -oE -- '--[a-z][a-z-]+' help.txt | sort -u); do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$ROOT/man/ember-ar.1" || { ok=0; echo "  not in the man page: $o"; }
done
[ $ok = 1 ] && pass "every --help option is in the man page" || fail "every --help option is in the man page"
"$E" --help | grep -q '^  ar  *print Authentication-Results fields grouped by authserv-id$' &&
	pass "ember --help lists ar" || fail "ember --help lists ar"

# ---- ember dkim verify --ar, read back ----------------------------------------------
mkdir -p k
"$E" dkim keygen -t ed25519 -d example.com -s ed -o k/ed > /dev/null
"$E" dkim keygen -t rsa -d example.com -s rsa -o k/rsa > /dev/null
dns_line "$(cat k/ed.txt)"
dns_line "$(cat k/rsa.txt)"
if dns_start; then
	printf 'From: Joe <joe@example.com>\r\nTo: x@example.net\r\nSubject: hi\r\n\r\nHello.\r\n' > m.eml
	"$E" dkim sign -d example.com -s ed -k k/ed.key m.eml | "$E" dkim sign -d example.com -s rsa -k k/rsa.key > s.eml
	"$E" dkim verify --ar --authserv-id mx.test < s.eml > v1.eml
	out=$("$E" ar v1.eml)
	case $out in
	"mx.test
  dkim=pass header.d=example.com header.s=rsa header.a=rsa-sha256 header.b="*"
  dkim=pass header.d=example.com header.s=ed header.a=ed25519-sha256 header.b="*) pass "dkim verify --ar read back: two passes" ;;
	*) fail "dkim verify --ar read back: two passes" "$out" "$(head -5 v1.eml)" ;;
	esac
	# a changed body: fail, with the reason quoted; a second hop's field above
	sed 's/Hello\./Hullo./' s.eml | "$E" dkim verify --ar --authserv-id mx.test |
		"$E" dkim verify --ar --authserv-id hop2.test > v2.eml
	"$E" ar v2.eml > out2.txt
	if [ "$(sed -n 1p out2.txt)" = hop2.test ] && [ "$(grep -c '^  dkim=fail reason=".*' out2.txt)" = 4 ] &&
		[ "$(sed -n 4p out2.txt)" = mx.test ]; then
		pass "a changed body: fail with a quoted reason, each hop its group, the top first"
	else
		fail "a changed body: fail with a quoted reason, each hop its group" "$(cat out2.txt)"
	fi
	expect "--authserv-id picks one hop" 0 "$(sed -n '4,6p' out2.txt)" -- "$E" ar --authserv-id mx.test v2.eml
	# an unsigned message: dkim=none
	"$E" dkim verify --ar --authserv-id mx.test < m.eml | "$E" ar > out3.txt
	[ "$(cat out3.txt)" = 'mx.test
  dkim=none' ] && pass "unsigned: dkim=none read back" || fail "unsigned: dkim=none read back" "$(cat out3.txt)"
	# --json of the verified message agrees with dkim verify --json
	dj=$("$E" dkim verify --json < s.eml)
	aj=$("$E" ar --json v1.eml)
	"$PYTHON" -c 'import json, sys
d = json.loads(sys.argv[1]); a = json.loads(sys.argv[2])
r = a["groups"][0]["fields"][0]["results"]
assert [x["result"] for x in r] == [s["result"] for s in d["signatures"]]
for x, s in zip(r, d["signatures"]):
    p = {q["property"]: q["value"] for q in x["props"]}
    assert p["d"] == s["d"] and p["s"] == s["s"] and p["a"] == s["a"] and s["b"].startswith(p["b"]) and len(p["b"]) == 8, (p, s)
' "$dj" "$aj" && pass "ar --json agrees with dkim verify --json (d, s, a, b's first 8)" ||
		fail "ar --json agrees with dkim verify --json" "$dj" "$aj"
else
	fail "knot starts"
fi

finish
