#!/bin/sh
# ember mdir: delivery byte for byte, unique names under parallel
# deliveries, list, get, flags, errors, and mblaze (mlist, minc, mflag, mshow)
# reading what ember writes and ember reading what mblaze flags.
. "$(dirname "$0")/lib.sh"
M=$BIN/ember-mdir
MD=$TMP/Maildir

# a message with CRLF, a bare CR, a NUL, 8-bit bytes and no final newline
printf 'From: a@example.org\r\nSubject: t\r\n\r\nline\r\nbare\rcr \000nul \303\251\r\nlast' > "$TMP/msg"

# ---- deliver ---------------------------------------------------------------------
name=$("$M" deliver "$MD" < "$TMP/msg"); rc=$?
[ $rc -eq 0 ] && pass "deliver exits 0" || fail "deliver exits 0" "got $rc"
[ -d "$MD/tmp" ] && [ -d "$MD/new" ] && [ -d "$MD/cur" ] && pass "deliver makes tmp/ new/ cur/" ||
	fail "deliver makes tmp/ new/ cur/"
same_bytes "delivery is byte-identical" "$TMP/msg" "$MD/new/$name"
size=$(wc -c < "$TMP/msg" | tr -d ' ')
printf '%s\n' "$name" | grep -Eq "^[0-9]+\.M[0-9]{6}P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[^/:]+,S=$size\$" &&
	pass "the name: TIME.M<usec>P<pid>Q<n>R<rand>.HOST,S=size" || fail "the name" "$name"
[ -z "$(ls "$MD/tmp")" ] && pass "nothing left in tmp/" || fail "nothing left in tmp/" "$(ls "$MD/tmp")"
: > "$TMP/empty"
e=$("$M" deliver "$MD" < "$TMP/empty") && same_bytes "an empty message" "$TMP/empty" "$MD/new/$e" ||
	fail "an empty message"
head -c 3000000 /dev/urandom > "$TMP/big"
b=$("$M" deliver "$MD" < "$TMP/big") && same_bytes "a 3 MB binary message" "$TMP/big" "$MD/new/$b" ||
	fail "a 3 MB binary message"

# 20 deliveries at once: 20 names, 20 files, each whole
mkdir -p "$TMP/par"
i=0
while [ $i -lt 20 ]; do
	printf 'Subject: %s\n\nmessage %s\n' $i $i > "$TMP/par/in.$i"
	"$M" deliver "$TMP/P" < "$TMP/par/in.$i" > "$TMP/par/out.$i" &
	i=$((i + 1))
done
wait
n=$(cat "$TMP"/par/out.* | sort -u | wc -l | tr -d ' ')
f=$(ls "$TMP/P/new" | wc -l | tr -d ' ')
[ "$n" = 20 ] && [ "$f" = 20 ] && pass "20 parallel deliveries: 20 unique names" ||
	fail "20 parallel deliveries: 20 unique names" "names $n files $f"
ok=1 i=0
while [ $i -lt 20 ]; do
	cmp -s "$TMP/par/in.$i" "$TMP/P/new/$(cat "$TMP/par/out.$i")" || ok=0
	i=$((i + 1))
done
[ $ok = 1 ] && pass "20 parallel deliveries: each byte-identical" || fail "20 parallel deliveries: each byte-identical"

# ---- list, get ------------------------------------------------------------------------
expect "list" 0 "$(printf '%s\n' "$name" "$e" "$b" | sort)" -- "$M" list "$MD"
expect "list --new" 0 "$(printf '%s\n' "$name" "$e" "$b" | sort)" -- "$M" list --new "$MD"
expect "list --cur: empty" 0 "" -- "$M" list --cur "$MD"
"$M" get "$MD" "$name" > "$TMP/got" && same_bytes "get by name" "$TMP/msg" "$TMP/got" || fail "get by name"
"$M" get "$MD" "${name%%,S=*}" > "$TMP/got" && same_bytes "get by the part before ,S=" "$TMP/msg" "$TMP/got" ||
	fail "get by the part before ,S="
"$M" get "$MD" "$MD/new/$name" > "$TMP/got" && same_bytes "get by path" "$TMP/msg" "$TMP/got" ||
	fail "get by path"

# ---- flag ---------------------------------------------------------------------------------
expect "flag --seen moves to cur/ with :2,S" 0 "$name:2,S" -- "$M" flag "$MD" "$name" --seen
[ -f "$MD/cur/$name:2,S" ] && [ ! -e "$MD/new/$name" ] && pass "the file is in cur/ only" ||
	fail "the file is in cur/ only"
expect "flags added, sorted DFPRST" 0 "$name:2,DFPRST" -- "$M" flag "$MD" "$name" -T --replied -D --passed --flagged
expect "the same flags again: no change" 0 "$name:2,DFPRST" -- "$M" flag "$MD" "$name" --seen
expect "flag with no flags: cur/ with :2," 0 "$e:2," -- "$M" flag "$MD" "$e"
"$M" get "$MD" "$name" > "$TMP/got" && same_bytes "get after flag (by the unique part)" "$TMP/msg" "$TMP/got" ||
	fail "get after flag"
expect "list --cur" 0 "$(printf '%s\n' "$name:2,DFPRST" "$e:2," | sort)" -- "$M" list --cur "$MD"
expect "list --new" 0 "$b" -- "$M" list --new "$MD"

# ---- errors ----------------------------------------------------------------------------
expect_err "list: missing dir" 66 "^ember mdir: $TMP/none: no such Maildir" -- "$M" list "$TMP/none"
expect_err "get: missing dir" 66 "no such Maildir" -- "$M" get "$TMP/none" x
expect_err "flag: missing dir" 66 "no such Maildir" -- "$M" flag "$TMP/none" x --seen
expect_err "deliver: missing parent" 73 "^ember mdir: $TMP/no/such: No such file" -- \
	sh -c "\"$M\" deliver \"$TMP/no/such\" < \"$TMP/msg\""
expect_err "get: unknown ID" 66 "^ember mdir: $MD: no message 123.nosuch$" -- "$M" get "$MD" 123.nosuch
expect_err "flag: unknown ID" 66 "no message 123.nosuch" -- "$M" flag "$MD" 123.nosuch -S
expect_err "get: empty ID" 65 "not a message ID" -- "$M" get "$MD" ""
expect_err "get: .. as ID" 65 "not a message ID" -- "$M" get "$MD" ..
expect_err "no subcommand" 64 "a subcommand" -- "$M"
expect_err "unknown subcommand" 64 "unknown subcommand 'nope'" -- "$M" nope "$MD"
expect_err "--new on get" 64 "options of list" -- "$M" get --new "$MD" x
expect_err "--seen on list" 64 "options of flag" -- "$M" list --seen "$MD"
expect_err "--new --cur" 64 "not both" -- "$M" list --new --cur "$MD"
expect_err "deliver: two dirs" 64 "deliver DIR" -- "$M" deliver "$MD" "$MD"
lines=$("$M" get "$MD" 123.nosuch 2>&1 | wc -l | tr -d ' ')
[ "$lines" = 1 ] && pass "an error is one line" || fail "an error is one line" "$lines lines"

# ---- mblaze ------------------------------------------------------------------------------
if command -v mlist > /dev/null && command -v mflag > /dev/null && command -v mshow > /dev/null &&
	command -v minc > /dev/null; then
	X=$TMP/mb
	i=0
	while [ $i -lt 5 ]; do
		printf 'From: b%s@example.org\nSubject: mblaze %s\nMessage-ID: <%s@example.org>\n\nbody %s\n' \
			$i $i $i $i | "$M" deliver "$X" > /dev/null
		i=$((i + 1))
	done
	n=$(mlist "$X" | wc -l | tr -d ' ')
	[ "$n" = 5 ] && pass "mlist sees the 5 ember delivered" || fail "mlist sees the 5 ember delivered" "$n"
	n=$(mlist -N "$X" 2>/dev/null | wc -l | tr -d ' ')
	[ "$n" = 5 ] && pass "mlist -N: all 5 are new" || fail "mlist -N: all 5 are new" "$n"
	first=$(mlist "$X" | sort | head -1)
	mshow -q "$first" 2>/dev/null | grep -q "^Subject: mblaze" && pass "mshow reads an ember delivery" ||
		fail "mshow reads an ember delivery" "$(mshow -q "$first" 2>&1 | head -3)"
	# ember flags, mblaze reads the flags
	id=$(basename "$first")
	"$M" flag "$X" "$id" --seen --flagged > /dev/null
	n=$(mlist -S "$X" | wc -l | tr -d ' ')
	f=$(mlist -F "$X" | wc -l | tr -d ' ')
	[ "$n" = 1 ] && [ "$f" = 1 ] && pass "mlist -S and -F see ember's flags" ||
		fail "mlist -S and -F see ember's flags" "seen $n flagged $f"
	# mblaze moves and flags (minc: new/ to cur/ with ":2,"; mflag flags only
	# those), ember reads them
	second=$(mlist "$X/new" | sort | head -1)
	sid=$(basename "$second")
	minc "$X" > /dev/null
	n=$(mlist "$X/new" | wc -l | tr -d ' ')
	[ "$n" = 0 ] && pass "minc takes ember's new/" || fail "minc takes ember's new/" "$n left"
	mflag -R -S "$X/cur/$sid:2," > /dev/null 2>&1
	expect "ember list sees mflag's flags" 0 "$sid:2,RS" -- sh -c "\"$M\" list --cur \"$X\" | grep -F \"$sid\""
	"$M" get "$X" "$sid" | grep -q '^Subject: mblaze' && pass "ember get reads a message mflag moved" ||
		fail "ember get reads a message mflag moved"
	expect "ember adds to mflag's flags" 0 "$sid:2,PRS" -- "$M" flag "$X" "$sid" --passed
	mflag -s "$X/cur/$sid:2,PRS" > /dev/null 2>&1
	expect "ember list after mflag -s" 0 "$sid:2,PR" -- sh -c "\"$M\" list --cur \"$X\" | grep -F \"$sid\""
else
	skip "mblaze interop" "mlist, mflag, mshow or minc not installed"
fi
finish
