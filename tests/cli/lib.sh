# Shared helpers for tests/cli/*.sh and tests/interop/*.sh (POSIX sh).
# Source it, call the assertions, end with `finish`, which prints the
# closing "SUITE: P passed, F failed[, S skipped]" line that tests/run sums.
#   SUITE    name for the closing line (default: cli-<script name>)
#   BIN      the built commands (repo's bin/)
#   TMP      a scratch directory removed at exit
#   TESTDATA ../shared/testdata, or empty when absent
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/bin
SUITE=${SUITE:-cli-$(basename "$0" .sh)}
TESTDATA=$(cd "$ROOT/../shared/testdata" 2>/dev/null && pwd || true)
PYTHON=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
_P=0 _F=0 _S=0

pass() { _P=$((_P + 1)); echo "PASS $1"; }
fail() { _F=$((_F + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '  %s\n' "$@"; return 0; }
skip() { _S=$((_S + 1)); echo "SKIP $1${2:+: $2}"; }

# expect NAME STATUS EXPECTED -- CMD ARGS...
#   runs CMD, compares exit status and stdout (exact, bar trailing newlines)
expect() {
	_n=$1 _rc=$2 _want=$3; shift 3
	[ "$1" = "--" ] && shift
	_out=$("$@" 2>"$TMP/stderr"); _got=$?
	if [ "$_got" = "$_rc" ] && [ "$_out" = "$_want" ]; then
		pass "$_n"
	else
		fail "$_n" "status: want $_rc, got $_got" "stdout want: $(printf '%s' "$_want" | head -c 400)" \
			"stdout got:  $(printf '%s' "$_out" | head -c 400)" "stderr: $(head -c 400 "$TMP/stderr")"
	fi
}

# expect_err NAME STATUS PATTERN -- CMD ARGS...: status, and stderr matches grep -E PATTERN
expect_err() {
	_n=$1 _rc=$2 _pat=$3; shift 3
	[ "$1" = "--" ] && shift
	"$@" >"$TMP/stdout" 2>"$TMP/stderr"; _got=$?
	if [ "$_got" = "$_rc" ] && grep -qE "$_pat" "$TMP/stderr"; then
		pass "$_n"
	else
		fail "$_n" "status: want $_rc, got $_got" "stderr: $(head -c 400 "$TMP/stderr")"
	fi
}

# same_bytes NAME FILE1 FILE2: byte-for-byte equality
same_bytes() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1 | head -1)"; fi
}

finish() {
	if [ "$_S" -gt 0 ]; then
		echo "$SUITE: $_P passed, $_F failed, $_S skipped"
	else
		echo "$SUITE: $_P passed, $_F failed"
	fi
	[ "$_F" -eq 0 ]
}
