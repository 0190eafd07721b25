#!/bin/sh
# The README cannot rot: every ```sh block of README.md is run, in the
# order of the file, by one shell (so variables, exports and files carry
# from one block to the next), with `set -e`, in one empty temporary
# directory, with bin/ first on PATH. Each block must exit 0 (the first that
# does not stops the run; the blocks after it are counted as failed).
# A ```text block that comes right after a ```sh block (nothing but blank
# lines or prose between, no other fenced block) is that block's expected
# standard output, compared line by line: exactly, except that a line of
# the text block ending in "..." matches any line that starts with what
# comes before the "...".
# Other fences are not run: ```console (commands to read, not to run here:
# certificates, ~/Maildir, a real domain), ```c, plain ```.
# The README's knot listens on port 53530: that number is replaced in the
# blocks by a free loopback port, so that runs do not collide. Processes
# the blocks leave running are stopped by the PIDs they wrote to *.pid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../dns/knot.sh"
README=$ROOT/README.md
W=$TMP/work
mkdir -p "$W" "$TMP/blocks"
trap 'for p in "$W"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# blocks/N.sh, blocks/N.line (the README line of its fence), blocks/N.want
awk -v d="$TMP/blocks" '
	/^```/ && !inb {
		inb = 1; kind = substr($0, 4)
		if (kind == "sh") { n++; f = d "/" n ".sh"; print NR > (d "/" n ".line"); close(d "/" n ".line"); last = n }
		else if (kind == "text" && last) { f = d "/" last ".want"; last = 0 }
		else { f = ""; last = 0 }
		if (f != "") printf "" > f
		next
	}
	/^```/ && inb { inb = 0; if (f != "") close(f); f = ""; next }
	inb && f != "" { print > f }
' "$README"
n=$(ls "$TMP/blocks"/*.sh 2>/dev/null | wc -l)
[ "$n" -gt 0 ] && pass "README has sh blocks ($n)" || fail "README has sh blocks"

PORT=$(dns_free_port)
i=1
{
	echo 'set -e'
	echo "cd '$W'"
	while [ $i -le "$n" ]; do
		echo "echo $i > '$TMP/at'"
		echo '{'
		sed "s/53530/$PORT/g" "$TMP/blocks/$i.sh"
		echo "} > '$TMP/out.$i' 2> '$TMP/err.$i'"
		i=$((i + 1))
	done
	echo "echo done > '$TMP/at'"
} > "$TMP/run.sh"

PATH=$BIN:$PATH:/usr/sbin:/sbin sh "$TMP/run.sh" < /dev/null; rc=$?
at=$(cat "$TMP/at" 2>/dev/null)

# match WANT GOT: line by line, "..." at the end of a wanted line a prefix
match() {
	[ "$(wc -l < "$1")" = "$(wc -l < "$2")" ] || return 1
	_k=1
	while IFS= read -r _w; do
		_g=$(sed -n "${_k}p" "$2")
		case $_w in
		*...) _p=${_w%...}
		      [ "${_g#"$_p"}" != "$_g" ] || [ -z "$_p" ] || return 1 ;;
		*) [ "$_w" = "$_g" ] || return 1 ;;
		esac
		_k=$((_k + 1))
	done < "$1"
}

i=1
while [ $i -le "$n" ]; do
	line=$(cat "$TMP/blocks/$i.line")
	name="README block $i (line $line)"
	if [ "$at" != done ] && [ "$i" -ge "$at" ]; then
		if [ "$i" = "$at" ]; then
			fail "$name exits 0" "exit status $rc" "$(head -c 600 "$TMP/blocks/$i.sh")" \
				"stdout: $(head -c 400 "$TMP/out.$i")" "stderr: $(head -c 600 "$TMP/err.$i")"
		else
			fail "$name: not run (an earlier block failed)"
		fi
		i=$((i + 1))
		continue
	fi
	pass "$name exits 0"
	if [ -f "$TMP/blocks/$i.want" ]; then
		if match "$TMP/blocks/$i.want" "$TMP/out.$i"; then
			pass "$name prints what the README shows"
		else
			fail "$name prints what the README shows" "want: $(cat "$TMP/blocks/$i.want")" \
				"got:  $(cat "$TMP/out.$i")"
		fi
	fi
	i=$((i + 1))
done
finish
