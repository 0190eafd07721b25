#!/bin/sh
# bench/run: it collects the BENCH summary lines of each bench/NAME/run into
# one table (the convention of bench/README.md), and fails when a script
# fails, prints no summary line, or names a peer as missing. Fake benches
# in a directory of their own (BENCH_DIR), the report in TMP (BENCH_REPORT):
# the real bench/ and README.md are not touched.
. "$(dirname "$0")/lib.sh"
B=$TMP/bench
mkdir -p "$B/good" "$B/nopeer" "$B/broken" "$B/silent"
printf '#!/bin/sh\necho "a table of its own"\necho "BENCH widget rate|200 msg/s|peerA|100 msg/s|2.00x"\necho "BENCH widget rate|200 msg/s|peerB|400 msg/s|0.50x"\n' > "$B/good/run"
printf '#!/bin/sh\necho "BENCH gadget|5 MB/s|peerC|missing|-"\n' > "$B/nopeer/run"
printf '#!/bin/sh\necho "BENCH thing|1 op/s|peerD|1 op/s|1.00x"\nexit 3\n' > "$B/broken/run"
printf '#!/bin/sh\necho "nothing to sum up"\n' > "$B/silent/run"
run() { BENCH_DIR=$B BENCH_REPORT=$TMP/REPORT.md sh "$ROOT/bench/run" "$@" > "$TMP/out" 2>&1; }

run good; rc=$?
[ $rc = 0 ] && pass "all peers measured: exit 0" || fail "all peers measured: exit 0" "exit $rc" "$(tail -5 "$TMP/out")"
grep -q '^| good | widget rate | 200 msg/s | peerA | 100 msg/s | 2.00x |$' "$TMP/REPORT.md" &&
	grep -q '^| good | widget rate | 200 msg/s | peerB | 400 msg/s | 0.50x |$' "$TMP/REPORT.md" &&
	pass "a row per task and peer" || fail "a row per task and peer" "$(cat "$TMP/REPORT.md")"
grep -q '^| bench | task | ember | peer | peer.s figure | ember/peer |$' "$TMP/REPORT.md" &&
	pass "the table's header" || fail "the table's header"
grep -qE "on [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]+ UTC, $(nproc) cores, " "$TMP/REPORT.md" &&
	pass "the date, the cores, the CPU" || fail "the date, the cores, the CPU" "$(grep Measured "$TMP/REPORT.md")"
grep -q '^a table of its own$' "$TMP/out" && ! grep -q '^BENCH ' "$TMP/out" &&
	pass "the script's own output shown, the summary lines not" || fail "the script's own output shown"

run good nopeer; rc=$?
[ $rc = 1 ] && grep -q '^- bench/nopeer: gadget: the peer peerC is missing$' "$TMP/REPORT.md" &&
	pass "a missing peer: said, and exit 1" || fail "a missing peer: said, and exit 1" "exit $rc" "$(cat "$TMP/REPORT.md")"
run broken; rc=$?
[ $rc = 1 ] && grep -q '^- bench/broken: exited 3$' "$TMP/REPORT.md" &&
	pass "a script that fails: said, and exit 1" || fail "a script that fails" "exit $rc"
run silent; rc=$?
[ $rc = 1 ] && grep -q '^- bench/silent: no summary line$' "$TMP/REPORT.md" &&
	pass "no summary line: said, and exit 1" || fail "no summary line" "exit $rc"
run nosuch; rc=$?
[ $rc = 1 ] && grep -q '^- bench/nosuch: no such script' "$TMP/REPORT.md" &&
	pass "no such bench: exit 1" || fail "no such bench: exit 1" "exit $rc"
finish
