#!/bin/sh
# The front: dispatch, --help listing, unknown commands, --version.
. "$(dirname "$0")/lib.sh"

expect_err "unknown command exits 64 and names it" 64 "nosuch" -- "$BIN/ember" nosuch
expect_err "no command is a usage error" 64 "Usage: ember" -- "$BIN/ember"
expect_err "unknown front option is a usage error" 64 "unknown option '--bogus'" -- "$BIN/ember" --bogus
expect "--version" 0 "ember 0.1.0" -- "$BIN/ember" --version

# Every bin/ember-* must appear in `ember --help`, with its own --summary.
"$BIN/ember" --help > "$TMP/help" 2>&1; rc=$?
[ $rc -eq 0 ] && pass "--help exits 0" || fail "--help exits 0" "got $rc"
n=0
for p in "$BIN"/ember-*; do
	[ -x "$p" ] || continue
	c=${p##*/ember-}
	s=$("$p" --summary)
	n=$((n + 1))
	if [ -n "$s" ] && grep -qF "  $(printf '%-10s' "$c") $s" "$TMP/help"; then
		pass "--help lists $c with its summary"
	else
		fail "--help lists $c with its summary" "summary: $s"
	fi
	# git-style: both spellings run the same program
	a=$("$BIN/ember" "$c" --version); b=$("$p" --version)
	[ "$a" = "$b" ] && [ -n "$a" ] && pass "ember $c == ember-$c" || fail "ember $c == ember-$c" "$a" "$b"
	expect_err "ember-$c rejects an unknown option with 64" 64 "ember $c: unknown option" -- "$p" --no-such-option
	grep -q "^| \`ember $c\` |" "$ROOT/README.md" && pass "README lists $c" || fail "README lists $c"
	[ -f "$ROOT/man/ember-$c.1" ] && pass "man page for $c" || fail "man page for $c"
	# every long option of --help is in the man page (roff's \- read as -,
	# font escapes dropped)
	if [ -f "$ROOT/man/ember-$c.1" ]; then
		sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\f(..//g' "$ROOT/man/ember-$c.1" > "$TMP/man"
		missing=
		for o in $("$p" --help 2>&1 | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
			grep -qE -- "$o([^a-z0-9-]|\$)" "$TMP/man" || missing="$missing $o"
		done
		[ -z "$missing" ] && pass "man page for $c has every option of --help" ||
			fail "man page for $c has every option of --help" "missing:$missing"
	fi
	"$p" --help > "$TMP/h" 2>&1 && grep -q "^Usage: ember $c" "$TMP/h" &&
		pass "ember-$c --help prints its usage" || fail "ember-$c --help prints its usage"
done
listed=$(grep -c '^  [a-z]' "$TMP/help")
[ "$listed" -eq "$n" ] && pass "--help lists exactly the $n commands present" ||
	fail "--help lists exactly the commands present" "listed $listed, present $n"

# A command found on PATH (not beside ember) is dispatched and listed.
mkdir -p "$TMP/path"
printf '#!/bin/sh\n[ "$1" = --summary ] && { echo "a test command"; exit 0; }\necho "args:$*"\n' > "$TMP/path/ember-zzfake"
chmod +x "$TMP/path/ember-zzfake"
expect "dispatch to PATH keeps arguments" 0 "args:a b" -- env PATH="$TMP/path:$PATH" "$BIN/ember" zzfake a b
env PATH="$TMP/path:$PATH" "$BIN/ember" --help | grep -q '^  zzfake  *a test command$' &&
	pass "--help lists a command from PATH" || fail "--help lists a command from PATH"

# make install gives a usable tree
if make -C "$ROOT" -s install PREFIX="$TMP/inst" > "$TMP/install.log" 2>&1; then
	pass "make install"
	expect_err "installed ember runs" 64 "unknown command 'nosuch'" -- "$TMP/inst/bin/ember" nosuch
	"$TMP/inst/bin/ember" --help | grep -q '^Commands:' && pass "installed ember --help" || fail "installed ember --help"
	[ -f "$TMP/inst/include/ember/mime.h" ] && [ -f "$TMP/inst/lib/libember-mime.a" ] &&
		[ -f "$TMP/inst/share/man/man1/ember.1" ] && pass "installed header, library, man page" ||
		fail "installed header, library, man page"
	PKG_CONFIG_PATH=$TMP/inst/lib/pkgconfig pkg-config --cflags --libs ember-mime > "$TMP/pc" 2>&1 &&
		grep -q -- "-lember-mime" "$TMP/pc" && pass "pkg-config ember-mime" || fail "pkg-config ember-mime" "$(cat "$TMP/pc")"
	# a program built against the installed tree links and runs
	printf '#include <ember/mime.h>\n#include <string.h>\nint main(void){struct mime_buf b={0};const char *w="=?ISO-8859-1?Q?Andr=E9?=";if(mime_rfc2047_decode_text(w,strlen(w),&b,NULL))return 1;int r=strcmp(b.data,"Andr\\303\\251");mime_buf_free(&b);return r;}\n' > "$TMP/u.c"
	if cc -o "$TMP/u" "$TMP/u.c" $(PKG_CONFIG_PATH=$TMP/inst/lib/pkgconfig pkg-config --cflags --libs ember-mime) 2> "$TMP/cc.err" && "$TMP/u"; then
		pass "a program links against the installed library"
	else
		fail "a program links against the installed library" "$(head -5 "$TMP/cc.err")"
	fi
else
	fail "make install" "$(tail -5 "$TMP/install.log")"
fi
finish
