#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_ns.bats - Namespace mode TCP: bulk transfers both ways, many
# connections at once, half-close, refusal, resets, a client or a whole
# namespace that vanishes, and bad segments.
#
# One world for the file; each test runs its own merd --ns. The namespace's
# side is tcp_xfer (test/tools/tcp_xfer.c), the other end tcp-peer.py in
# "inet"; both print bytes and SHA-256 of what they sent and received, and
# the tests compare the two (test/lib/tcp.bash). The namespace's command asks
# merd for flows_active with merd-flows.py (SIGUSR1, its ancestor).

load lib/world
load lib/tcp

world_extra_peers() {
	tcp_peer_start
}

setup_file() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
}

teardown_file() {
	world_teardown
}

setup() {
	X="$WORLD_BIN/tcp_xfer -t 120"
	FLOWS="$WORLD_BIN/merd-flows.py --wait-zero 10 $MERD_LOG"
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
}

@test "namespace uploads 256 MiB to inet, sha256 equal on both ends" {
	run merd_ns -- sh -c "$X -i ns-up up $TCP_PEER $TCP_PORT 256M; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^ns-up up ' <<<"$output")"
	[ "$(kv sent "$(grep '^ns-up up ' <<<"$output")")" -eq 268435456 ]
	[ "$(kv from "$(tcp_peer_line ns-up)")" = 198.51.100.10 ]	# the host's
	grep -qx 'flows_active=0' <<<"$output"
}

@test "namespace downloads 256 MiB from inet, sha256 equal on both ends" {
	run merd_ns -- sh -c "$X -i ns-down down $TCP_PEER $TCP_PORT 256M; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$(grep '^ns-down down ' <<<"$output")"
	[ "$(kv received "$(grep '^ns-down down ' <<<"$output")")" -eq 268435456 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "200 concurrent connections each echo 1 MiB intact" {
	run merd_ns -- sh -c "$X -i ns-many many $TCP_PEER $TCP_PORT 200 1M; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'ns-many many conns=200 bytes=1048576 intact=200 failed=0' <<<"$output"
	# the peer saw 200 connections, each 1 MiB in and out
	[ "$(grep -c '^ns-many\.[0-9]* echo sent=1048576 .* received=1048576 .* status=ok$' \
		"$WORLD_DIR/log/tcp-peer.log")" -eq 200 ]
	[ "$(merd_counter "$MERD_LOG" flows_created)" -ge 200 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "receivers that stop reading for 3 s: both windows close and reopen, data intact" {
	run merd_ns -- sh -c "
		$X -p 3000 -i ns-zw-down down $TCP_PEER $TCP_PORT 64M
		$X -p 3000 -i ns-zw-up up $TCP_PEER $TCP_PORT 64M
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$(grep '^ns-zw-down down ' <<<"$output")"
	tcp_check_up "$(grep '^ns-zw-up up ' <<<"$output")"
	grep -qx 'flows_active=0' <<<"$output"
}

@test "MTU 1500, a receiver that stops reading: the window never outgrows merd's socket, no segment is dropped" {
	# small segments cost the socket's buffer more than their payload: a
	# window counted in payload alone lets the namespace send more than the
	# socket takes, merd drops the rest of the flight (out of order), and
	# the sender waits out its retransmission timeouts
	run merd_ns -m 1500 -- sh -c "
		$X -p 1000 -i ns-1500-up up $TCP_PEER $TCP_PORT 32M
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^ns-1500-up up ' <<<"$output")"
	grep 'merd: counters:' "$MERD_LOG" | tail -n 1
	[ "$(merd_counter "$MERD_LOG" tcp_out_of_order)" -eq 0 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "1000 connections one after another: each closes cleanly, no flow left" {
	run merd_ns -- sh -c "
		i=0
		while [ \$i -lt 1000 ]; do
			$X -i ns-seq-\$i up $TCP_PEER $TCP_PORT 1K >/dev/null || echo failed \$i
			i=\$((i + 1))
		done
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(grep failed <<<"$output")" ]
	[ "$(grep -c '^ns-seq-[0-9]* sink .* received=1024 .* status=ok$' \
		"$WORLD_DIR/log/tcp-peer.log")" -eq 1000 ]
	[ "$(merd_counter "$MERD_LOG" flows_created)" -eq 1000 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "half-close: namespace shuts its write side first, still gets the whole reply" {
	run merd_ns -- sh -c "$X -i ns-hc halfclose $TCP_PEER $TCP_PORT 4M 32M; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_halfclose "$(grep '^ns-hc halfclose ' <<<"$output")" 33554432
	grep -qx 'flows_active=0' <<<"$output"
}

@test "half-close: peer shuts its write side first, namespace keeps sending" {
	run merd_ns -- sh -c "$X -i ns-ps peershut $TCP_PEER $TCP_PORT 4M 32M; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_peershut "$(grep '^ns-ps peershut ' <<<"$output")" 4194304 33554432
	grep -qx 'flows_active=0' <<<"$output"
}

@test "namespace moves 256 MiB each way over IPv6, sha256 equal on both ends" {
	run merd_ns -- sh -c "
		ip -6 -o addr show dev tap0 scope global | grep -q inet6 || exit 99
		$X -i ns-v6-up up 2001:db8:2::2 $TCP_PORT 256M
		$X -i ns-v6-down down 2001:db8:2::2 $TCP_PORT 256M
		$X -i ns-v6-refused connect 2001:db8:2::2 $TCP_CLOSED_PORT
		$FLOWS"
	echo "$output"
	[ "$status" -ne 99 ] || { echo "no IPv6 address in the namespace"; false; }
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^ns-v6-up up ' <<<"$output")"
	tcp_check_down "$(grep '^ns-v6-down down ' <<<"$output")"
	line=$(grep '^ns-v6-refused connect ' <<<"$output")
	[ "$(kv result "$line")" = ECONNREFUSED ]
	[ "$(kv ms "$line")" -lt 2000 ]
	grep -qx 'flows_active=0' <<<"$output"
	# the peer sees the host's own IPv6 address: no NAT visible
	[ "$(kv from "$(tcp_peer_line ns-v6-up)")" = 2001:db8:1::10 ]
}

@test "connection to a closed port in inet is refused within 2 s" {
	run merd_ns -- sh -c "$X -i ns-refused connect $TCP_PEER $TCP_CLOSED_PORT; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(grep '^ns-refused connect ' <<<"$output")
	[ "$(kv result "$line")" = ECONNREFUSED ]
	[ "$(kv ms "$line")" -lt 2000 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "connection to an unreachable address fails within 2 s with EHOSTUNREACH" {
	# inet routes 203.0.113.64/26 to "unreachable": it answers with ICMP
	in_inet sysctl -qw net.ipv4.ip_forward=1
	in_inet ip route add unreachable 203.0.113.64/26
	run merd_ns -- sh -c "$X -i ns-unreach connect 203.0.113.70 80; $FLOWS"
	in_inet ip route del unreachable 203.0.113.64/26
	in_inet sysctl -qw net.ipv4.ip_forward=0
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(grep '^ns-unreach connect ' <<<"$output")
	[ "$(kv result "$line")" = EHOSTUNREACH ]
	[ "$(kv ms "$line")" -lt 2000 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "connection to a silent address fails after merd's 30 s SYN timeout" {
	# inet drops what is sent to 203.0.113.99 without a word
	run merd_ns -- sh -c "$X -i ns-silent connect 203.0.113.99 80; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(grep '^ns-silent connect ' <<<"$output")
	[ "$(kv result "$line")" = ECONNREFUSED ]	# merd's RST
	[ "$(kv ms "$line")" -ge 29000 ]
	[ "$(kv ms "$line")" -lt 40000 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "peer resetting mid-download makes the application see ECONNRESET" {
	run merd_ns -- sh -c "$X -i ns-reset reset $TCP_PEER $TCP_PORT; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(grep '^ns-reset reset ' <<<"$output")
	[ "$(kv result "$line")" = ECONNRESET ]
	[ "$(kv received "$line")" -gt 0 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "peer resetting mid-upload makes the application see ECONNRESET" {
	run merd_ns -- sh -c "$X -i ns-resetup resetup $TCP_PEER $TCP_PORT; $FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(grep '^ns-resetup resetup ' <<<"$output")
	[ "$(kv result "$line")" = ECONNRESET ]
	[ "$(kv sent "$line")" -ge 1048576 ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "clients killed mid-transfer leave no flow behind; merd serves the next" {
	run merd_ns -- sh -c "
		$X -i ns-kill-down down $TCP_PEER $TCP_PORT 1000G & p=\$!
		$X -i ns-kill-up up $TCP_PEER $TCP_PORT 1000G & q=\$!
		sleep 2
		$WORLD_BIN/merd-flows.py $MERD_LOG | sed 's/^/during: /'
		kill -KILL \$p \$q
		$FLOWS
		$X -i ns-kill-after up $TCP_PEER $TCP_PORT 16M
		$X -i ns-kill-after2 down $TCP_PEER $TCP_PORT 16M
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'during: flows_active=2' <<<"$output"
	[ "$(grep -cx 'flows_active=0' <<<"$output")" -eq 2 ]
	# the peer's source saw the reset, its sink the namespace's FIN, midway
	line=$(tcp_peer_line ns-kill-down)
	echo "$line"
	[ "$(kv status "$line")" = ECONNRESET ]
	[ "$(kv sent "$line")" -gt 0 ]
	line=$(tcp_peer_line ns-kill-up)
	echo "$line"
	[ "$(kv received "$line")" -gt 0 ]
	tcp_check_up "$(grep '^ns-kill-after up ' <<<"$output")"
	tcp_check_down "$(grep '^ns-kill-after2 down ' <<<"$output")"
}

@test "namespace going silent mid-download and mid-upload: merd gives up on both" {
	# tap0 down: the namespace neither sends nor acknowledges. The download
	# has data in flight: merd retransmits with backoff (200 ms doubling to
	# 10 s, 10 times: ~63 s), then resets the peer and forgets the flow. The
	# upload has nothing in flight and a silent peer: after 30 s without a
	# segment from the namespace merd sends keepalive probes on the same
	# backoff, and gives up on that flow too (~93 s).
	MERD_NS_TIMEOUT=200 run merd_ns -- sh -c "
		$X -t 190 -i ns-gone down $TCP_PEER $TCP_PORT 1000G & p=\$!
		$X -t 190 -i ns-gone-up up $TCP_PEER $TCP_PORT 1000G & q=\$!
		sleep 2
		ip link set tap0 down
		$WORLD_BIN/merd-flows.py $MERD_LOG | sed 's/^/during: /'
		$WORLD_BIN/merd-flows.py --wait-zero 130 $MERD_LOG
		ip link set tap0 up
		ip route add default via 198.51.100.1 dev tap0
		kill -KILL \$p \$q
		$X -i ns-gone-after up $TCP_PEER $TCP_PORT 16M
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'during: flows_active=2' <<<"$output"
	[ "$(grep -cx 'flows_active=0' <<<"$output")" -eq 2 ]
	line=$(tcp_peer_line ns-gone)
	echo "$line"
	[ "$(kv status "$line")" = ECONNRESET ]
	line=$(tcp_peer_line ns-gone-up)
	echo "$line"
	[ "$(kv status "$line")" = ECONNRESET ]
	[ "$(kv received "$line")" -gt 0 ]
	tcp_check_up "$(grep '^ns-gone-after up ' <<<"$output")"
}

@test "a connection idle for 40 s gets one keepalive probe, answers it, then carries data" {
	# both ends silent past TCP_KEEPALIVE_S (30 s): merd probes once, the
	# namespace's kernel answers, which ends the probing (unanswered, the
	# probes would follow each other at 0.2, 0.4, 0.8 s... and end the flow)
	run merd_ns -- sh -c "
		/usr/bin/python3 -c '
import socket, time
def segs():
    t = [l.split() for l in open(\"/proc/net/snmp\") if l.startswith(\"Tcp:\")]
    return int(t[1][t[0].index(\"InSegs\")]), int(t[1][t[0].index(\"OutSegs\")])
s = socket.create_connection((\"$TCP_PEER\", $TCP_PORT))
s.sendall(b\"ns-idle echo\\n\")
time.sleep(5)
i0, o0 = segs()
time.sleep(34)
i1, o1 = segs()
print(\"idle segments: in=%d out=%d\" % (i1 - i0, o1 - o0), flush=True)
time.sleep(1)
s.sendall(b\"after the pause\\n\")
s.shutdown(socket.SHUT_WR)
got = b\"\"
while True:
    d = s.recv(4096)
    if not d:
        break
    got += d
print(\"echoed: %r\" % got)
' & p=\$!
		sleep 38
		$WORLD_BIN/merd-flows.py $MERD_LOG | sed 's/^/idle: /'
		wait \$p
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'idle: flows_active=1' <<<"$output"
	grep -qx 'idle segments: in=1 out=1' <<<"$output"
	grep -qxF "echoed: b'after the pause\\n'" <<<"$output"
	line=$(tcp_peer_line ns-idle)
	echo "$line"
	[ "$(kv status "$line")" = ok ]
	grep -qx 'flows_active=0' <<<"$output"
}

@test "bad TCP segments are dropped or answered per RFC 9293, transfers work after" {
	# from 198.51.100.77, which the namespace does not own: its kernel
	# ignores merd's answers to the fake TCP instead of resetting them
	run merd_ns -- sh -c "
		$WORLD_BIN/tcp-badinput.py tap tap0 198.51.100.77
		echo badinput=\$?
		$X -i ns-bad-after up $TCP_PEER $TCP_PORT 16M
		$X -i ns-bad-after2 down $TCP_PEER $TCP_PORT 16M
		$FLOWS"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'badinput=0' <<<"$output"
	tcp_check_badinput "$output"
	tcp_check_down "$(grep '^after down ' <<<"$output")"
	tcp_check_up "$(grep '^ns-bad-after up ' <<<"$output")"
	tcp_check_down "$(grep '^ns-bad-after2 down ' <<<"$output")"
	grep -qx 'flows_active=0' <<<"$output"
	[ "$(merd_counter "$MERD_LOG" drop_tcp_doff)" -eq 4 ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_flags)" -eq 2 ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_seq)" -ge 2 ]
}
