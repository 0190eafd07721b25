# Shared helpers for tests/images/*.sh (POSIX sh): tests/cli/lib.sh's
# assertions, plus booting an image of images/out under timeout and qemu.
# Every test runs in a network namespace of its own (unshare --net --mount,
# lo up): slirp's 10.0.2.2 is that namespace's loopback, nothing leaves.
#   IMG           images/out
#   SMTP          tests/images/smtp.py (banner, send, ehlo)
#   QEMU_TIMEOUT  seconds any one qemu may run (default 120)
#   BOOT_WAIT     seconds to wait for a banner (default 60: a loaded 2-core
#                 machine boots in 5-9 s, an idle one in 2)
if [ -z "${EMBER_IMAGES_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && unshare --net true 2>/dev/null; then
		export EMBER_IMAGES_NETNS=1
		exec unshare --net --mount --fork sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
	fi
	echo "SKIP all: no network namespace (needs root and unshare)"
	echo "${SUITE:-images-$(basename "$0" .sh)}: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
SUITE=${SUITE:-images-$(basename "$0" .sh)}
# (sourced by tests/images/*.sh and bench/images/run: both two levels down)
. "$(cd "$(dirname "$0")/../.." && pwd)/tests/cli/lib.sh"
IMG=$ROOT/images/out
SMTP="$PYTHON $ROOT/tests/images/smtp.py"
QEMU_TIMEOUT=${QEMU_TIMEOUT:-120}
BOOT_WAIT=${BOOT_WAIT:-60}
QPIDS=""
trap 'for p in $QPIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT

# boot NAME CMD RUN-ARGS...: run-CMD under timeout, console in $TMP/NAME.log;
# $QPID is timeout's pid (qemu is its only child)
boot() {
	_name=$1 _cmd=$2; shift 2
	timeout "$QEMU_TIMEOUT" "$IMG/run-$_cmd" "$@" > "$TMP/$_name.log" 2>&1 &
	QPID=$!
	QPIDS="$QPIDS $QPID"
}

# qemu_kill PID: SIGKILL the qemu that timeout PID runs (the plug pulled),
# and only it
qemu_kill() {
	_q=$(ps -o pid= --ppid "$1" 2>/dev/null)
	[ -n "$_q" ] && kill -KILL $_q 2>/dev/null
	wait "$1" 2>/dev/null
}

# qemu_wait PID SECONDS: the status of timeout PID (qemu's own) once it
# ended, or 124 when it is still running after SECONDS (then it is killed)
qemu_wait() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt $(($2 * 10)) ]; do sleep 0.1; _i=$((_i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		qemu_kill "$1"
		return 124
	fi
	wait "$1"
}

# banner NAME PORT: waits for the 220; its line (seconds, text) in $BANNER
banner() {
	BANNER=$($SMTP banner "$2" "$BOOT_WAIT")
	case $BANNER in *" 220"*) return 0 ;; esac
	fail "$1: no banner" "$BANNER" "console: $(tail -5 "$TMP/$1.log")"
	return 1
}

# console NAME PATTERN: the console of NAME matches grep -E PATTERN
console() {
	if tr -d '\r' < "$TMP/$1.log" | grep -qE "$2"; then pass "$1: console: $2"; else
		fail "$1: console: $2" "$(tail -8 "$TMP/$1.log")"; fi
}

# ext4 images read on the host without a mount: debugfs reads what is
# checkpointed, so after a pulled plug the journal is replayed first (on a
# copy: the disk itself stays as the guest left it)
# disk_snapshot DISK: $TMP/snap.img, DISK with its journal replayed
disk_snapshot() {
	cp "$1" "$TMP/snap.img" &&
		PATH=$PATH:/sbin:/usr/sbin e2fsck -y -E journal_only "$TMP/snap.img" >/dev/null 2>&1
	[ -s "$TMP/snap.img" ]
}
# debugfs_ls IMAGE DIR: the names in DIR
debugfs_ls() {
	PATH=$PATH:/sbin:/usr/sbin debugfs -R "ls -p $2" "$1" 2>/dev/null |
		awk -F/ '$6 != "" && $6 != "." && $6 != ".." { print $6 }'
}
# debugfs_cat IMAGE FILE
debugfs_cat() { PATH=$PATH:/sbin:/usr/sbin debugfs -R "cat $2" "$1" 2>/dev/null; }
