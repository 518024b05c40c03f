#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ipv4_ns.bats - Namespace mode over IPv4: addressing, ICMP, DNS, UDP, user

load lib/world

setup() {
	world_setup
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	world_teardown
}

@test "namespace gets the host's address, default route and MTU 65520 on tap0" {
	run merd_ns -- sh -c 'ip -4 -o addr show dev tap0
			      ip -4 route show default
			      ip -o link show dev tap0
			      ip -o link show dev lo'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'inet 198\.51\.100\.10/24 ' <<<"$output"
	grep -q '^default via 198\.51\.100\.1 dev tap0' <<<"$output"
	grep -q '^[0-9]*: tap0:.* mtu 65520 ' <<<"$output"
	grep -q '^[0-9]*: lo: <[A-Z,_]*\bUP\b' <<<"$output"
}

@test "namespace pings 203.0.113.2 through merd" {
	run merd_ns -- busybox ping -c 3 -W 2 203.0.113.2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 203\.0\.113\.2:' <<<"$output")" -eq 3 ]
	[ "$(merd_counter "$MERD_LOG" frames_in)" -ge 3 ]
	[ "$(merd_counter "$MERD_LOG" frames_out)" -ge 3 ]
}

@test "namespace resolves peer.merd.test through the host's resolver" {
	run merd_ns -- sh -c 'cat /etc/resolv.conf; getent ahostsv4 peer.merd.test'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eqx 'nameserver[[:space:]]+203\.0\.113\.53' <<<"$output"
	grep -Eq '^203\.0\.113\.2[[:space:]].*peer\.merd\.test' <<<"$output"
	# the world's DNS server saw the query, from the host's address
	grep -q '^query peer\.merd\.test 1 from 198\.51\.100\.10 ' "$WORLD_DIR/log/dns.queries"
}

@test "namespace resolves through a loopback resolver of the host via the gateway" {
	world_loopback_resolver
	run merd_ns -- sh -c 'cat /etc/resolv.conf; getent ahostsv4 peer.merd.test'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eqx 'nameserver[[:space:]]+198\.51\.100\.1' <<<"$output"
	grep -Eq '^203\.0\.113\.2[[:space:]].*peer\.merd\.test' <<<"$output"
	grep -q '^query peer\.merd\.test 1 .* to 127\.0\.0\.53$' "$WORLD_DIR/log/dns-lo.queries"
	! grep -q 'peer\.merd\.test' "$WORLD_DIR/log/dns.queries"
}

@test "-D overrides the host's resolver" {
	world_loopback_resolver
	run merd_ns -D 203.0.113.53 -- sh -c 'cat /etc/resolv.conf; getent ahostsv4 peer.merd.test'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eqx 'nameserver[[:space:]]+203\.0\.113\.53' <<<"$output"
	grep -Eq '^203\.0\.113\.2[[:space:]].*peer\.merd\.test' <<<"$output"
	grep -q '^query peer\.merd\.test 1 from 198\.51\.100\.10 ' "$WORLD_DIR/log/dns.queries"
	! grep -q 'peer\.merd\.test' "$WORLD_DIR/log/dns-lo.queries"
}

@test "at MTU 1500, UDP datagrams of 1400 to 65000 bytes go both ways intact (IPv4 fragments)" {
	# the namespace's kernel fragments what it sends, merd reassembles;
	# merd fragments the echoes, the namespace's kernel reassembles
	run merd_ns -m 1500 -- sh -c 'ip -o link show dev tap0
		for s in 1400 4000 9000 65000; do
			"$0" 203.0.113.2 7 $((s * 4)) $s 30 || exit 1
		done' "$WORLD_BIN/udp_echo_check"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^[0-9]*: tap0:.* mtu 1500 ' <<<"$output"
	for s in 1400 4000 9000 65000; do
		grep -q "^udp_echo_check: OK 4 datagrams, $((s * 4)) bytes" <<<"$output"
	done
	# 4000, 9000 and 65000 bytes: 12 datagrams each way at least, in pieces
	[ "$(merd_counter "$MERD_LOG" frags_reassembled)" -ge 12 ]
	[ "$(merd_counter "$MERD_LOG" frags_out)" -ge 12 ]
	[ "$(merd_counter "$MERD_LOG" drop_frag_overlap)" -eq 0 ]
	[ "$(merd_counter "$MERD_LOG" drop_tx_full)" -eq 0 ]
}

@test "at MTU 1500, a 3000-byte DNS answer over UDP and 4000-byte pings reach the namespace (IPv4)" {
	run merd_ns -m 1500 -- sh -c '"$0" 203.0.113.53 big.merd.test TXT &&
		busybox ping -c 2 -W 3 -s 4000 203.0.113.2' "$WORLD_BIN/dns-query.py"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'rcode=0' <<<"$output"
	grep -qx 'txt=3000 f299f4a3a9e2d1f99276ba52ab815d98c061c571a4c6883e9a69f6d8c07532ac' <<<"$output"
	[ "$(grep -c '^4008 bytes from 203\.0\.113\.2' <<<"$output")" -eq 2 ]
	[ "$(merd_counter "$MERD_LOG" frags_reassembled)" -ge 2 ]
}

@test "namespace echoes 1 MiB over UDP intact" {
	run merd_ns -- "$WORLD_BIN/udp_echo_check" 203.0.113.2 7 1048576 1024 30
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^udp_echo_check: OK 1024 datagrams, 1048576 bytes' <<<"$output"
}

@test "merd and the namespace's command run as the unprivileged user" {
	local uid pid p tree=() i
	uid=$(id -u "$MERD_TEST_USER")
	user_argv "$MERD" --ns -- sleep 5
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >/dev/null 2>"$MERD_LOG" 3>&- &
	pid=$!
	for ((i = 0; i < 50; i++)); do	# until merd has started the command
		tree=($(_world_tree "$pid"))
		for p in "${tree[@]}"; do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && break 2
		done
		sleep 0.1
	done
	[ "$(cat "/proc/$pid/comm")" = merd ]
	[ "$(cat "/proc/$p/comm")" = sleep ]
	for p in "${tree[@]}"; do
		[ -e "/proc/$p/status" ] || continue	# a short-lived helper
		echo "$p $(cat "/proc/$p/comm" 2>/dev/null): $(grep '^Uid:' "/proc/$p/status" 2>/dev/null)"
		grep -Eq "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid\$" \
			"/proc/$p/status"
	done
	kill "$pid"
}

@test "merd exits with the command's exit status" {
	run merd_ns -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run merd_ns -- true
	[ "$status" -eq 0 ]
	grep -q '^merd: counters: ' "$MERD_LOG"
}
