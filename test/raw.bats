#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# raw.bats - CAP_NET_RAW: ICMP echo through a raw socket where ping sockets
# are forbidden, IP protocols passed through (--raw), --runas from root, and
# what a running merd holds afterwards (no capability at all).
#
# CAP_NET_RAW is granted with setcap on a copy of merd the test user runs,
# or by starting merd as root with --runas. The host forbids ping sockets
# with net.ipv4.ping_group_range="1 0" (for IPv6 too). The peer of the
# passed-through protocol is test/tools/raw-peer.py in "inet".

load lib/world
load lib/guest

RAW_PROTO=47	# GRE's number: the kernel of the test machine need not know it

setup() {
	world_setup
	MERD_UID=$(id -u "$MERD_TEST_USER")
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	merd_vm_stop >/dev/null 2>&1
	world_teardown
}

# cap_merd() - Install a copy of merd with cap_net_raw+ep, make it $MERD
cap_merd() {
	mkdir -p "$WORLD_BIN/cap"
	install -m 0755 "$WORLD_BIN/merd" "$WORLD_BIN/cap/merd"
	setcap cap_net_raw+ep "$WORLD_BIN/cap/merd"
	getcap "$WORLD_BIN/cap/merd" | grep -q cap_net_raw
	MERD=$WORLD_BIN/cap/merd
}

# forbid_ping() - Forbid ping sockets in "host" to the test user: to
# everyone, or with RANGE (e.g. "0 0") to every group outside RANGE
forbid_ping() {
	in_host sysctl -qw net.ipv4.ping_group_range="${1:-1 0}"
	# the test user cannot open one any more
	! as_user python3 -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)' 2>/dev/null
}

# raw_peer() - Start the raw-peer.py echo server for RAW_PROTO in "inet"
raw_peer() {
	install -m 0755 "$BATS_TEST_DIRNAME/tools/raw-peer.py" "$WORLD_BIN/"
	world_peer_start raw-peer "$INET_NS" "$WORLD_BIN/raw-peer.py" serve \
		"$RAW_PROTO" 203.0.113.2 2001:db8:2::2
}

# user_bg() - Start COMMAND... as the test user in "host", in the
# background, stderr to $MERD_LOG; BG_PID is its pid
user_bg() {
	user_argv "$@"
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >/dev/null \
		2>>"$MERD_LOG" 3>&- &
	BG_PID=$!
	echo "$BG_PID" >>"$WORLD_DIR/pids"
}

@test "ping sockets forbidden, CAP_NET_RAW given: the namespace pings over IPv4 and IPv6" {
	cap_merd
	forbid_ping
	run merd_ns -- sh -c 'busybox ping -c 3 -W 2 203.0.113.2
			      busybox ping -c 3 -W 2 2001:db8:2::2'
	echo "$output"
	cat "$MERD_LOG"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 203\.0\.113\.2:' <<<"$output")" -eq 3 ]
	[ "$(grep -c 'bytes from 2001:db8:2::2:' <<<"$output")" -eq 3 ]
	grep -q 'ICMP echo: ping sockets not permitted, using a raw socket' "$MERD_LOG"
	grep -q 'ICMPv6 echo: ping sockets not permitted, using a raw socket' "$MERD_LOG"
}

@test "two pings at once through the raw socket each get their own replies" {
	cap_merd
	forbid_ping
	run merd_ns -- sh -c 'cd "$HOME"
			      busybox ping -c 4 -W 2 203.0.113.2 >a.out &
			      busybox ping -c 4 -W 2 198.51.100.1 >b.out
			      wait; cat a.out b.out; rm -f a.out b.out'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 203\.0\.113\.2: seq=' <<<"$output")" -eq 4 ]
	[ "$(grep -c 'bytes from 198\.51\.100\.1: seq=' <<<"$output")" -eq 4 ]
	# replies are given back in order and once: no duplicates
	! grep -q 'DUP' <<<"$output"
}

@test "raw ICMP: one guest identifier to two peers leaves as two identifiers, comes back as one" {
	cap_merd
	forbid_ping
	in_inet tcpdump -i veth0 -n -U -w "$WORLD_DIR/run/inet.pcap" icmp \
		>"$WORLD_DIR/log/tcpdump.log" 2>&1 &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 5 grep -q 'listening on' "$WORLD_DIR/log/tcpdump.log"
	# the guest's own echo requests, identifier 4242, from a raw socket
	run merd_ns -- python3 -c 'import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
for dst in ("203.0.113.2", "198.51.100.1"):
    m = struct.pack("!BBHHH", 8, 0, 0, 4242, 1) + b"merd-id-test"
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    s.sendto(m, (dst, 0))
    while True:
        d, src = s.recvfrom(2048)
        t, code, _, ident, seq = struct.unpack("!BBHHH", d[20:28])
        if t == 0 and src[0] == dst:
            print("reply from %s id %d sum %d" % (dst, ident, csum(d[20:])))
            break'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'reply from 203\.0\.113\.2 id 4242 sum 0' <<<"$output"
	grep -qx 'reply from 198\.51\.100\.1 id 4242 sum 0' <<<"$output"
	sleep 0.5
	kill "$(tail -n 1 "$WORLD_DIR/pids")"
	sleep 0.5
	# what went on the wire: requests from the host, with merd's identifiers
	run tcpdump -n -r "$WORLD_DIR/run/inet.pcap" 'icmp[icmptype] == icmp-echo'
	echo "$output"
	[ "$(grep -c 'ICMP echo request' <<<"$output")" -eq 2 ]
	ids=$(sed -n 's/.*ICMP echo request, id \([0-9]*\),.*/\1/p' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$ids")" -eq 2 ]
}

@test "VM mode: ping sockets forbidden, CAP_NET_RAW given: the guest pings 203.0.113.2" {
	local sock=$WORLD_DIR/run/merd.sock
	cap_merd
	forbid_ping
	merd_vm_start "$sock"
	run guest_boot "$sock" 'guest-dhcp >/dev/null
ping -c 3 -W 2 203.0.113.2 | sed "s/^/ping: /"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ping: .* bytes from 203\.0\.113\.2:' <<<"$output")" -eq 3 ]
	grep -q 'ICMP echo: ping sockets not permitted, using a raw socket' "$MERD_LOG"
}

@test "with CAP_NET_RAW used for ICMP, the running merd holds no capability" {
	local sock=$WORLD_DIR/run/merd.sock
	cap_merd
	forbid_ping
	merd_vm_start "$sock"
	grep -q 'ICMP echo: ping sockets not permitted, using a raw socket' "$MERD_LOG"
	world_no_caps_check "$MERD_PID"
	merd_vm_stop
	[ ! -e "$sock" ]
}

@test "namespace mode with CAP_NET_RAW: merd holds no capability, its command runs as the user" {
	cap_merd
	forbid_ping
	user_bg "$MERD" --raw gre --ns -- sh -c 'busybox ping -c 1 -W 2 203.0.113.2 >"$HOME/ping.out"; sleep 30'
	_wait_for 5 eval '[ "$(cat /proc/$BG_PID/comm)" = merd ]'
	world_no_caps_check "$BG_PID"
	_wait_for 10 grep -q 'bytes from 203\.0\.113\.2:' "$WORLD_DIR/home/ping.out"
	# the command: a child of merd, the test user outside its namespace,
	# with none of merd's raw sockets
	local child
	child=$(pgrep -P "$BG_PID" | head -n 1)
	[ -n "$child" ]
	grep -Eq "^Uid:[[:space:]]+$MERD_UID[[:space:]]" "/proc/$child/status"
	! ls -l "/proc/$child/fd" | grep -q socket
	kill "$BG_PID"
}

@test "ping sockets forbidden, no CAP_NET_RAW: one warning, UDP still works" {
	forbid_ping
	run merd_ns -- sh -c 'busybox ping -c 2 -W 1 203.0.113.2
			      busybox ping -c 2 -W 1 2001:db8:2::2
			      "$0" 203.0.113.2 7 65536 64 30' "$WORLD_BIN/udp_echo_check"
	echo "$output"
	cat "$MERD_LOG"
	[ "$status" -eq 0 ]
	! grep -q 'bytes from' <<<"$output"
	grep -q '^udp_echo_check: OK [0-9]* datagrams, 65536 bytes' <<<"$output"
	# said once per family, at start, not once per request
	[ "$(grep -c 'ICMP echo unavailable' "$MERD_LOG")" -eq 1 ]
	[ "$(grep -c 'ICMPv6 echo unavailable' "$MERD_LOG")" -eq 1 ]
	grep 'ICMP echo unavailable' "$MERD_LOG" | grep -q 'no CAP_NET_RAW'
	[ "$(merd_counter "$MERD_LOG" drop_icmp_noperm)" -ge 2 ]
}

@test "--raw gre passes GRE (protocol 47) between the namespace and inet, both families; merd ctl lists its flows as raw, 47" {
	local ctl=$WORLD_DIR/run/ctl.sock
	cap_merd
	raw_peer
	run merd_ns --raw gre --ctl "$ctl" -- sh -c '"$0" send 47 203.0.113.2 hello4 &&
					 "$0" send 47 2001:db8:2::2 hello6 &&
					 "$1" ctl --json "$2" flows && "$1" ctl "$2" flows' \
		"$WORLD_BIN/raw-peer.py" "$MERD" "$ctl"
	echo "$output"
	cat "$MERD_LOG"
	[ "$status" -eq 0 ]
	# one flow per peer: "helloN" out, "echo helloN" in
	/usr/bin/python3 -c '
import json, sys
flows = json.loads(sys.argv[1])["flows"]
print(flows)
assert len(flows) == 2, flows
for f, peer in zip(sorted(flows, key=lambda f: f["remote_addr"]),
                   ["2001:db8:2::2", "203.0.113.2"]):
    want = {"proto": "raw", "protonum": 47, "path": "raw",
            "remote_addr": peer, "remote_port": 0, "state": "answered",
            "pkts_out": 1,
            "bytes_out": 6, "pkts_in": 1, "bytes_in": 11}
    for k, v in want.items():
        assert f[k] == v, (k, f[k], v)
' "$(grep '^{"ok":true,"flows":' <<<"$output")"
	grep -qE '^[0-9]+ +raw +47 +raw +198\.51\.100\.10 +0 +203\.0\.113\.2 +0 +answered +1 +6 +1 +11 ' <<<"$output"
	grep -qx 'reply from 203\.0\.113\.2: echo hello4' <<<"$output"
	grep -qx 'reply from 2001:db8:2::2: echo hello6' <<<"$output"
	# inet saw the host's addresses: the guest's, which the host has too
	grep -qx 'from 198\.51\.100\.10 to 203\.0\.113\.2: hello4' "$WORLD_DIR/log/raw-peer.log"
	grep -qx 'from 2001:db8:1::10 to 2001:db8:2::2: hello6' "$WORLD_DIR/log/raw-peer.log"
	grep -q 'IP protocol 47 passed through raw sockets' "$MERD_LOG"
}

@test "--raw: packets from a peer the guest did not send to are dropped, flows age out" {
	cap_merd
	raw_peer
	merd_ns --raw 47 --udp-timeout 1 -- sh -c '
		"$0" send 47 203.0.113.2 first || exit 1
		sleep 3
		"$0" send 47 203.0.113.2 second' "$WORLD_BIN/raw-peer.py" &
	local pid=$!
	sleep 1.5
	# unsolicited: from an address the guest never sent to
	in_inet "$WORLD_BIN/raw-peer.py" send 47 198.51.100.10 unsolicited 1 || :
	wait "$pid"
	cat "$MERD_LOG"
	[ "$(merd_counter "$MERD_LOG" raw_unmatched)" -ge 1 ]
	[ "$(merd_counter "$MERD_LOG" flows_expired)" -ge 1 ]
	[ "$(grep -c 'hello\|first\|second' "$WORLD_DIR/log/raw-peer.log")" -eq 2 ]
}

@test "--raw without CAP_NET_RAW is refused in one line" {
	run as_user "$MERD" -f --raw gre -s "$WORLD_DIR/run/r.sock"
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	grep -q 'needs CAP_NET_RAW' <<<"$output"
}

@test "--raw refuses protocols merd translates and unknown names" {
	run as_user "$MERD" -f --raw udp
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	grep -q "invalid --raw 'udp': merd translates it itself" <<<"$output"
	run as_user "$MERD" -f --raw gre,nosuchproto
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	grep -q "invalid --raw 'nosuchproto': unknown protocol" <<<"$output"
}

@test "--runas merdtest started as root: merd runs as merdtest, with no capability" {
	local sock=$WORLD_DIR/run/root.sock
	MERD_STATUS_FILE=$WORLD_DIR/run/root.status
	(
		cd "$WORLD_DIR" || exit 1
		in_host "$MERD" -f --runas "$MERD_TEST_USER" -s "$sock" \
			</dev/null >>"$MERD_LOG" 2>&1 3>&-
		echo "$?" >"$MERD_STATUS_FILE"
	) 3>&- &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 10 _merd_listening "$sock"
	MERD_PID=$(in_host ss -xlpn | sed -n "s|.*$sock .*pid=\([0-9]*\).*|\1|p" | head -n 1)
	[ -n "$MERD_PID" ]
	world_no_caps_check "$MERD_PID"
	# the socket is the user's: a client running as that user connects
	[ "$(stat -c %u "$sock")" = "$MERD_UID" ]
	as_user python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$sock"
	grep -q "running as $MERD_TEST_USER" "$MERD_LOG"
	merd_vm_stop
	[ ! -e "$sock" ]
}

@test "--runas from root, ping sockets for root only: raw ICMP and --raw, the command runs as the user" {
	# root may open ping sockets, the user it becomes may not: merd asks
	# as that user, and takes the raw socket while it is still root
	forbid_ping '0 0'
	raw_peer
	run in_host timeout 60 "$MERD" --runas "$MERD_TEST_USER" --raw gre --ns -- \
		sh -c 'busybox ping -c 2 -W 2 203.0.113.2
		       "$0" send 47 203.0.113.2 hello-root
		       cat /proc/self/uid_map' "$WORLD_BIN/raw-peer.py"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 203\.0\.113\.2:' <<<"$output")" -eq 2 ]
	grep -qx 'reply from 203\.0\.113\.2: echo hello-root' <<<"$output"
	grep -q 'ICMP echo: ping sockets not permitted, using a raw socket' <<<"$output"
	# inside, root is the test user outside
	grep -Eq "^[[:space:]]*0[[:space:]]+$MERD_UID[[:space:]]+1\$" <<<"$output"
}

@test "root without --runas is refused before doing anything" {
	run in_host "$MERD" --ns -- true
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	[ "$output" = "merd: refusing to run as root: use --runas USER" ] ||
		grep -qx '.*refusing to run as root: use --runas USER' <<<"$output"
}
