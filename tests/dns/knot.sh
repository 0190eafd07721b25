# A DNS server for the tests: knot on a free loopback port, serving a root
# zone (so any name can be answered) built from zone-file lines. Source it
# after tests/cli/lib.sh (it needs $TMP), then:
#   dns_line 'name. IN TXT "v=DKIM1; ..."'      add a record (zone-file syntax)
#   dns_from_file FILE                         add the lines of a keys.zone
#                                              (../shared/testdata syntax: NXDOMAIN
#                                              lines are left out, SERVFAIL and
#                                              TIMEOUT names are put in a zone
#                                              knot cannot load, so it refuses them)
#   dns_start                                  start it: $DNS is 127.0.0.1:PORT
#   dns_stop                                   (also done at exit)
# Names not in the zone are NXDOMAIN. Nothing leaves the machine: knot
# answers from its zone only and never recurses.
DNS_DIR=$TMP/knot
mkdir -p "$DNS_DIR"
: > "$DNS_DIR/records"
: > "$DNS_DIR/broken"
dns_line() { printf '%s\n' "$1" >> "$DNS_DIR/records"; }
dns_from_file() {
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in
		''|';'*) ;;
		*' NXDOMAIN') ;;
		*' SERVFAIL'|*' TIMEOUT') printf '%s\n' "${_l%% *}" >> "$DNS_DIR/broken" ;;
		*) printf '%s\n' "$_l" >> "$DNS_DIR/records" ;;
		esac
	done < "$1"
}
dns_free_port() {
	/usr/bin/python3 -c 'import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: t.close(); u.close()'
}
dns_start() {
	{ printf '$ORIGIN .\n$TTL 300\n'
	  printf '.\tSOA\tns.test. hostmaster.test. 1 3600 600 86400 300\n'
	  printf '.\tNS\tns.test.\nns.test.\tA\t127.0.0.1\n'
	  cat "$DNS_DIR/records"; } > "$DNS_DIR/root.zone"
	DNS_PORT=$(dns_free_port)
	{ printf 'server:\n    rundir: "%s"\n    listen: 127.0.0.1@%s\n' "$DNS_DIR" "$DNS_PORT"
	  printf 'log:\n  - target: "%s/knot.log"\n    any: info\n' "$DNS_DIR"
	  printf 'database:\n    storage: "%s/db"\n' "$DNS_DIR"
	  printf 'zone:\n  - domain: .\n    storage: "%s"\n    file: "root.zone"\n' "$DNS_DIR"
	  sort -u "$DNS_DIR/broken" | while read -r _n; do
		printf '  - domain: %s\n    storage: "%s"\n    file: "no-such.zone"\n' "$_n" "$DNS_DIR"
	  done; } > "$DNS_DIR/knot.conf"
	mkdir -p "$DNS_DIR/db"
	knotd -c "$DNS_DIR/knot.conf" > "$DNS_DIR/knotd.out" 2>&1 &
	DNS_PID=$!
	DNS=127.0.0.1:$DNS_PORT
	export EMBER_DNS=$DNS
	# ready when the zone is loaded
	_i=0
	while [ $_i -lt 100 ] && ! grep -q 'zone file parsed\|loaded' "$DNS_DIR/knot.log" 2>/dev/null; do
		sleep 0.05; _i=$((_i + 1))
	done
	grep -q '\[\.\].*loaded\|\[\.\] zone file parsed' "$DNS_DIR/knot.log" 2>/dev/null || {
		echo "knot did not start:"; cat "$DNS_DIR/knotd.out" "$DNS_DIR/knot.log" 2>/dev/null | tail -5
		return 1; }
	trap 'dns_stop; rm -rf "$TMP"' EXIT
}
dns_stop() {
	[ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2>/dev/null && wait "$DNS_PID" 2>/dev/null
	DNS_PID=
}
