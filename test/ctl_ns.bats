#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctl_ns.bats - The control socket (--ctl) and the flow table's limits in
# namespace mode: version, counters and flows as a user reads them; 20 000
# UDP flows listed, then gone after --udp-timeout with merd's memory
# bounded; a full table refusing the next flow while a TCP transfer goes
# on intact; port forwards added and removed at run time; bad requests; the
# pcap of a ping and a TCP transfer read by tcpdump; the man page against
# --help.
#
# The namespace's side opens flows with ctl-flows.py (test/lib) against the
# world's UDP echo service, and asks merd through "merd ctl" itself.

load lib/world
load lib/tcp
load lib/fwd

world_extra_peers() {
	tcp_peer_start
}

setup() {
	world_setup && fwd_inet_addrs || { world_dump_logs; return 1; }
	SOCK=$WORLD_DIR/run/ctl.sock
	CF=$WORLD_BIN/ctl-flows.py
}

teardown() {
	umount "$WORLD_DIR/run/small" 2>/dev/null || :
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		world_dump_logs
		[ ! -s "${FWD_LOG:-}" ] || { echo "--- guest's server" >&2; cat "$FWD_LOG" >&2; }
	fi
	world_teardown
}

# flow_entry_bytes() - Print FLOW_ENTRY_BYTES_MAX, the documented bound of
# memory per --max-flows entry
flow_entry_bytes() {
	sed -n 's/^#define FLOW_ENTRY_BYTES_MAX[^0-9]*\([0-9][0-9]*\).*/\1/p' \
		"$BATS_TEST_DIRNAME/../src/flow.h"
}

# ctl() - Run "merd ctl ARGS..." as the test user in "host"
ctl() {
	as_user "$MERD" ctl "$@"
}

@test "control socket is owner-only; version, counters and flows answer; tables for people, JSON for scripts" {
	run merd_ns --ctl "$SOCK" -- sh -c "
		stat -c 'mode=%a' $SOCK
		$MERD ctl $SOCK version
		$MERD ctl --json $SOCK version
		busybox ping -c 2 -W 2 203.0.113.2 >/dev/null && echo ping=ok
		$CF open 203.0.113.2 7 40000 3
		$MERD ctl $SOCK flows
		$MERD ctl --json $SOCK counters"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'mode=600' <<<"$output"
	grep -qx "version  *$(sed -n 's/^#define MERD_VERSION.*"\(.*\)"/\1/p' src/merd.h)" <<<"$output"
	grep -q '^{"ok":true,"version":"' <<<"$output"
	grep -qx 'open ok=3 refused=0 lost=0 errors=0' <<<"$output"
	# the table: a header, one row per flow with its counters
	grep -q '^id  *proto  *protonum  *path  *guest_addr  *guest_port  *remote_addr  *remote_port  *state  *pkts_out  *bytes_out  *pkts_in  *bytes_in  *age_ms  *expires_ms$' <<<"$output"
	[ "$(grep -cE '^[0-9]+ +udp +17 +guest +198\.51\.100\.10 +4000[0-2] +203\.0\.113\.2 +7 +answered +1 +10 +1 +10 ' <<<"$output")" -eq 3 ]
	grep -qE '^[0-9]+ +icmp +1 +guest +198\.51\.100\.10 +[0-9]+ +203\.0\.113\.2 +0 +answered +2 +[0-9]+ +2 ' <<<"$output"
	counters=$(grep '^{"ok":true,"counters":' <<<"$output")
	/usr/bin/python3 -c '
import json, sys
c = json.loads(sys.argv[1])["counters"]
assert c["frames_in"] > 0 and c["frames_out"] > 0, c
assert c["flows_active"] == 4 and c["flows_max"] == 65536, c
assert "drop_flow_full" in c and "drop_ip4_csum" in c, c
' "$counters"
	[ ! -e "$SOCK" ]		# removed at exit
}

@test "20 000 UDP flows are listed, then gone after --udp-timeout; RSS stays within start-up size plus the documented bound" {
	# each flow holds a socket: the open files limit (raised here, as
	# root, before merd drops to the user: merd takes the hard limit) must
	# leave room for 20 000 of them and merd's own descriptors. Raising a
	# hard limit needs CAP_SYS_RESOURCE, which a container may not give
	# root: then merd's descriptors come off the limit, and the test says
	# so in its output
	local n=20000 hard
	{ ulimit -Hn 65536 && ulimit -Sn 65536; } 2>/dev/null || :
	hard=$(ulimit -Hn)
	if [ "$hard" != unlimited ] && [ "$hard" -lt $((n + 64)) ]; then
		n=$((hard - 50))
		echo "# open files limit $hard, not raised (no CAP_SYS_RESOURCE): $n flows, not 20000" >&3
	fi
	echo "flows to open: $n (open files limit $hard)"
	run merd_ns --ctl "$SOCK" --max-flows 32768 --udp-timeout 10 -- sh -c "
		$CF rss | sed 's/^/start /'
		$CF open 203.0.113.2 7 20000 $n
		$CF list $MERD $SOCK udp:7
		$CF rss | sed 's/^/full /'
		sleep 12
		$CF list $MERD $SOCK udp:7 | sed 's/^/later /'
		$CF open 203.0.113.2 7 20000 $n | sed 's/^/again /'
		$CF rss | sed 's/^/again /'
		sleep 12
		$CF list $MERD $SOCK udp:7 | sed 's/^/end /'
		$CF rss | sed 's/^/end /'"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "open ok=$n refused=0 lost=0 errors=0" <<<"$output"
	grep -qx "flows total=$n match=$n" <<<"$output"
	grep -qx 'later flows total=0 match=0' <<<"$output"
	grep -qx "again open ok=$n refused=0 lost=0 errors=0" <<<"$output"
	grep -qx 'end flows total=0 match=0' <<<"$output"
	start=$(sed -n 's/^start rss_kib=//p' <<<"$output")
	end=$(sed -n 's/^end rss_kib=//p' <<<"$output")
	full=$(sed -n 's/^full rss_kib=//p' <<<"$output")
	again=$(sed -n 's/^again rss_kib=//p' <<<"$output")
	# documented bound (merd.1, FLOWS AND LIMITS; test_limits.c checks it
	# against sizeof): FLOW_ENTRY_BYTES_MAX per --max-flows entry (the
	# entry itself, touched as flows come, its buckets and lists), 71 KiB
	# for each of at most 8 control socket clients, the guest link's 5 MiB
	# of buffers
	bound=$((32768 * $(flow_entry_bytes) / 1024 + 8 * 71 + 5 * 1024))
	echo "RSS start $start, full $full, again $again, end $end KiB; bound +$bound KiB"
	[ "$full" -le $((start + bound)) ]
	[ "$again" -le $((start + bound)) ]
	[ "$end" -le $((start + bound)) ]
	[ "$(merd_counter "$MERD_LOG" flows_expired)" -ge $((2 * n)) ]
}

@test "--max-flows 1000: the 1001st flow (UDP, then TCP) is refused and counted, an established TCP download goes on intact" {
	X="$WORLD_BIN/tcp_xfer -t 120"
	run merd_ns --ctl "$SOCK" --max-flows 1000 -- sh -c "
		$X -p 4000 -i full-down down $TCP_PEER $TCP_PORT 32M >$WORLD_DIR/home/xfer.out &
		sleep 1
		$CF open 203.0.113.2 7 30000 999
		$CF list $MERD $SOCK udp:7
		$MERD ctl $SOCK flows | grep ' tcp ' | sed 's/^/during: /'
		$CF open 203.0.113.2 7 31000 1
		$X -i full-conn connect $TCP_PEER $TCP_PORT
		$MERD ctl --json $SOCK counters | grep -o '\"drop_flow_full\":[0-9]*'
		wait
		cat $WORLD_DIR/home/xfer.out"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'open ok=999 refused=0 lost=0 errors=0' <<<"$output"
	grep -qx 'flows total=1000 match=999' <<<"$output"
	# the download, paused by its reader after 1 MiB, is listed as such
	row=$(grep '^during: ' <<<"$output")
	read -r _ _ _ _ _ _ _ _ remote_port state pkts_out _ pkts_in bytes_in _ <<<"$row"
	[ "$remote_port" = 5000 ] && [ "$state" = established ]
	[ "$pkts_out" -ge 1 ] && [ "$pkts_in" -ge 16 ] && [ "$bytes_in" -ge 1048576 ]
	grep -qx 'open ok=0 refused=1 lost=0 errors=0' <<<"$output"
	# a new TCP connection is refused too (RST), before merd connects
	[ "$(kv result "$(grep '^full-conn connect ' <<<"$output")")" = ECONNREFUSED ]
	grep -qx '"drop_flow_full":2' <<<"$output"
	tcp_check_down "$(grep '^full-down down ' <<<"$output")"
	[ "$(kv received "$(grep '^full-down down ' <<<"$output")")" -eq 33554432 ]
}

@test "--max-flows 1000 filled by datagrams to nowhere: new flows still open, the oldest unanswered ones make room" {
	run merd_ns --ctl "$SOCK" --max-flows 1000 -- sh -c "
		$CF open 203.0.113.2 7 30000 100
		$CF spray 203.0.113.2 9 40000 1500
		sleep 1
		$CF list $MERD $SOCK udp:9
		$CF open 203.0.113.2 7 31000 50
		$CF list $MERD $SOCK udp:7
		$MERD ctl --json $SOCK counters | grep -oE '\"(flows_evicted|drop_flow_full)\":[0-9]*'"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'open ok=100 refused=0 lost=0 errors=0' <<<"$output"
	grep -qx 'flows total=1000 match=900' <<<"$output"	# full
	grep -qx 'open ok=50 refused=0 lost=0 errors=0' <<<"$output"
	grep -qx 'flows total=1000 match=150' <<<"$output"	# answered kept
	grep -qx '"drop_flow_full":0' <<<"$output"
	evicted=$(sed -n 's/^"flows_evicted"://p' <<<"$output")
	[ "$evicted" -ge 650 ]			# 1500 + 50 flows into 900 places
}

@test "port forwards added and removed through the control socket take effect and are listed" {
	fwd_ns_start --ctl "$SOCK" -- 80
	# nothing forwarded yet
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 before)"
	run ctl "$SOCK" forward-add tcp 8080:80
	echo "$output"
	[ "$status" -eq 0 ]
	ctl "$SOCK" forward-add udp 8080:80
	run ctl "$SOCK" forwards
	echo "$output"
	grep -qE '^tcp +0\.0\.0\.0 +8080 +80$' <<<"$output"
	grep -qE '^tcp +:: +8080 +80$' <<<"$output"
	grep -qE '^udp +0\.0\.0\.0 +8080 +80$' <<<"$output"
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 t4)" "$FWD_INET4" 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 8080 t6)" "$FWD_INET6" 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 8080 u4)" "$FWD_INET4" 80
	# the same port twice is refused, and changes nothing
	run ctl "$SOCK" forward-add tcp 8080
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q 'File exists' <<<"$output"
	# a privileged port is refused (the sandbox stays intact)
	run ctl "$SOCK" forward-add tcp 80
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q 'Permission denied' <<<"$output"
	run ctl "$SOCK" forward-remove tcp 8080
	echo "$output"
	[ "$status" -eq 0 ]
	run ctl --json "$SOCK" forwards
	echo "$output"
	[[ $output != *'"proto":"tcp"'* ]]
	[[ $output == *'"proto":"udp","host_addr":"0.0.0.0","host_port":8080,"guest_port":80'* ]]
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 after)"
	run ctl "$SOCK" forward-remove tcp 8080
	[ "$status" -eq 1 ]
	fwd_ns_stop
}

@test "malformed, oversized and unknown requests get an error line; a stalled client stalls nothing; a 9th client is turned away" {
	fwd_ns_start --ctl "$SOCK" -t 8080:80 -- 80
	run in_host setpriv --reuid="$MERD_TEST_USER" --regid="$MERD_TEST_USER" \
		--init-groups -- /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb")
for req in [b"{\"command\":\"nope\"}", b"not json", b"{\"command\":", b"[1,2]",
            b"{\"command\" \"flows\"}",
            b"{\"command\":\"flows\",\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}",
            b"{\"command\":\"forward-add\",\"proto\":\"sctp\",\"spec\":\"1\"}",
            b"{\"command\":\"forward-add\",\"proto\":\"tcp\",\"spec\":\"99999\"}",
            b"\"\\ud800\"", b"{\"command\":\"version\"}"]:
    f.write(req + b"\n")
    f.flush()
    print(f.readline().decode().strip())
f.write(b"x" * 5000 + b"\n")
f.flush()
print(f.readline().decode().strip())
try:
    print("eof" if f.readline() == b"" else "open")
except ConnectionResetError:
    print("eof")
' "$SOCK"
	echo "$output"
	[ "$(grep -c '^{"ok":false,"error":"' <<<"$output")" -eq 10 ]
	grep -qx '{"ok":false,"error":"unknown command"}' <<<"$output"
	[ "$(grep -cx '{"ok":false,"error":"a request is one JSON object per line"}' <<<"$output")" -eq 3 ]
	grep -qx '{"ok":false,"error":"invalid JSON: unexpected end"}' <<<"$output"
	grep -qx '{"ok":false,"error":"invalid JSON: expected '"':'"'"}' <<<"$output"
	grep -qx '{"ok":false,"error":"invalid JSON: nested too deep"}' <<<"$output"
	grep -qx '{"ok":false,"error":"invalid spec"}' <<<"$output"
	grep -q '^{"ok":true,"version":"' <<<"$output"
	grep -qx '{"ok":false,"error":"request too long"}' <<<"$output"
	[ "$(tail -n 1 <<<"$output")" = eof ]
	# a client that sends half a line and stalls does not stop a forward
	in_host setpriv --reuid="$MERD_TEST_USER" --regid="$MERD_TEST_USER" \
		--init-groups -- /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.send(b"{\"command\":")
time.sleep(30)' "$SOCK" &
	echo "$!" >>"$WORLD_DIR/pids"
	sleep 0.5
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 stall)" "$FWD_INET4" 80
	run ctl "$SOCK" version
	[ "$status" -eq 0 ]
	# with the stalled one, 8 clients: a 9th is closed at once, the 8 work
	run in_host setpriv --reuid="$MERD_TEST_USER" --regid="$MERD_TEST_USER" \
		--init-groups -- /usr/bin/python3 -c '
import socket, sys, time
def client():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sys.argv[1])
    return s
seven = [client() for i in range(7)]
time.sleep(0.3)
ninth = client()
try:
    ninth.send(b"{\"command\":\"version\"}\n")
    print("ninth", "closed" if ninth.recv(100) == b"" else "answered")
except OSError:
    print("ninth closed")
for s in seven:
    s.send(b"{\"command\":\"version\"}\n")
    print("other", "ok" if s.recv(100).startswith(b"{\"ok\":true") else "bad")
' "$SOCK"
	echo "$output"
	grep -qx 'ninth closed' <<<"$output"
	[ "$(grep -cx 'other ok' <<<"$output")" -eq 7 ]
	fwd_ns_stop
}

@test "tcpdump reads merd's pcap of a ping and a TCP transfer without warnings" {
	command -v tcpdump >/dev/null || skip "tcpdump is not installed"
	X="$WORLD_BIN/tcp_xfer -t 60"
	run merd_ns --pcap "$WORLD_DIR/run/cap.pcap" -- sh -c "
		busybox ping -c 2 -W 2 203.0.113.2 >/dev/null && echo ping=ok
		$X -i pcap-down down $TCP_PEER $TCP_PORT 64K"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx ping=ok <<<"$output"
	run tcpdump -nn -r "$WORLD_DIR/run/cap.pcap"
	echo "$output" | head -n 20
	[ "$status" -eq 0 ]
	grep -q '^reading from file .*, link-type EN10MB (Ethernet)' <<<"$output"
	[ "$(grep -c 'ICMP echo request' <<<"$output")" -ge 2 ]
	[ "$(grep -c 'ICMP echo reply' <<<"$output")" -ge 2 ]
	grep -q '198\.51\.100\.10\.[0-9]* > 203\.0\.113\.2\.5000: Flags \[S\]' <<<"$output"
	grep -q '203\.0\.113\.2\.5000 > 198\.51\.100\.10\.[0-9]*: Flags \[F\.\]' <<<"$output"
	# nothing but the header line and packets: no warning, no truncation
	[ "$(grep -vcE '^(reading from file|[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} )' <<<"$output")" -eq 0 ]
}

@test "--pcap-max caps the capture on a whole frame, given before or after --pcap; the file is made only once the options are good" {
	command -v tcpdump >/dev/null || skip "tcpdump is not installed"
	local cap=$WORLD_DIR/run/cap.pcap size
	X="$WORLD_BIN/tcp_xfer -t 60"
	# --help, a bad option, options that conflict: the file is left alone
	echo keep >"$cap"
	chown "$MERD_TEST_USER" "$cap"
	run as_user "$MERD" --pcap "$cap" --help
	[ "$status" -eq 0 ]
	run as_user "$MERD" --pcap "$cap" --no-such-option
	[ "$status" -eq 1 ]
	run as_user "$MERD" --pcap "$cap" -4 -6
	[ "$status" -eq 1 ]
	[ "$(cat "$cap")" = keep ]
	# --pcap-max after --pcap: 1 MiB of a 4 MiB download
	run merd_ns --pcap "$cap" --pcap-max 1 -- $X -i cap-down down $TCP_PEER $TCP_PORT 4M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$(grep '^cap-down down ' <<<"$output")"
	size=$(stat -c %s "$cap")
	echo "capture: $size bytes"
	grep -q 'merd: pcap: size cap of 1048576 bytes reached, capture stopped' "$MERD_LOG"
	# full up to the last frame that fit (frames up to 65534 bytes, and a
	# 16-byte record header each)
	[ "$size" -le 1048576 ] && [ "$size" -gt $((1048576 - 65550)) ]
	run tcpdump -nn -r "$cap"
	[ "$status" -eq 0 ]
	grep -q 'Flags \[S\]' <<<"$output"
	[ "$(grep -vcE '^(reading from file|[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} )' <<<"$output")" -eq 0 ]
}

@test "--pcap on a full file system: capture stops, saying how many bytes the file holds, and merd goes on" {
	local dir=$WORLD_DIR/run/small size
	X="$WORLD_BIN/tcp_xfer -t 60"
	mkdir -p "$dir"
	mount -t tmpfs -o size=256k,mode=0777 merd-test-pcap "$dir"
	run merd_ns --pcap "$dir/cap.pcap" -- $X -i full-down down $TCP_PEER $TCP_PORT 4M
	echo "$output"
	size=$(stat -c %s "$dir/cap.pcap")
	umount "$dir"
	[ "$status" -eq 0 ]
	tcp_check_down "$(grep '^full-down down ' <<<"$output")"
	grep 'pcap' "$MERD_LOG"
	# what merd counted as written is what the file holds: a short write
	# is counted as far as it went
	grep -q "merd: pcap: write: No space left on device, capture stopped at $size bytes" "$MERD_LOG"
}

@test "man page renders and documents every option --help lists, and no other" {
	command -v groff >/dev/null || skip "groff is not installed"
	run groff -man -Tutf8 -ww -z doc/merd.1
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]		# no warnings
	help=$("$MERD" --help | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z0-9-]+' |
		grep -oE -- '--[a-z0-9-]+' | sort -u)
	# the tag line after each .TP of the OPTIONS section
	man=$(awk '/^\.SH OPTIONS/ { o = 1; next } /^\.SH/ { o = 0 }
		   o && prev == ".TP" { print } { prev = $0 }' doc/merd.1 |
		grep -oE -- '\\-\\-[a-z0-9-]+' | sed 's/\\-/-/g' | sort -u)
	echo "help: $help"
	echo "man:  $man"
	[ -n "$help" ]
	[ "$help" = "$man" ]
	MANWIDTH=80 run man -l doc/merd.1
	[ "$status" -eq 0 ]
	grep -q 'control socket' <<<"$output"
	# the memory bound it gives is the one the code is checked against
	# (test_limits.c): bytes per entry, KiB per control client
	local per_entry client
	per_entry=$(flow_entry_bytes)
	client=$(sed -n 's/^#define CTL_CLIENT_BYTES_MAX[^0-9]*(\([0-9]*\) << 10).*/\1/p' src/ctl.h)
	echo "bound: $per_entry bytes per entry, $client KiB per client"
	[ -n "$per_entry" ] && [ -n "$client" ]
	tr '\n' ' ' <doc/merd.1 | grep -q "plus $per_entry bytes per entry plus"
	tr '\n' ' ' <doc/merd.1 | grep -q "$per_entry bytes per table entry at most"
	tr '\n' ' ' <doc/merd.1 | grep -q "$client KiB per control socket client"
}
