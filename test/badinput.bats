#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# badinput.bats - Malformed frames from the guest are dropped and counted,
# and merd goes on serving it; a bad length prefix drops only the connection.
#
# Every bad frame is addressed to merd's MAC (learned by ARP first) and is
# valid but for its one defect; see test/tools/inject-frames.py. The frames
# built to each class of libslirp's CVEs are in test/tools/cve-frames.py:
# each must raise its own drop counter by one (read on the control socket).

load lib/world
load lib/tcp

world_extra_peers() {
	tcp_peer_start || return 1
	# echo services on the FTP and IRC ports, for the tcp_emu payloads
	world_peer_start ftp-peer "$INET_NS" "$WORLD_BIN/tcp-peer.py" --port 21 \
		"$TCP_PEER" || return 1
	world_peer_start irc-peer "$INET_NS" "$WORLD_BIN/tcp-peer.py" --port 6667 \
		"$TCP_PEER"
}

setup() {
	world_setup
	SOCK=$WORLD_DIR/run/merd.sock
	CTL=$WORLD_DIR/run/merd.ctl
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	world_teardown
}

# check_drops() - Check LOG's counters: dropped >= SENT, and each drop_REASON >= 1
check_drops() {
	local log=$1 sent=$2 r v
	shift 2
	v=$(merd_counter "$log" dropped)
	echo "dropped=$v, bad frames sent=$sent"
	[ "$v" -ge "$sent" ]
	for r in "$@"; do
		v=$(merd_counter "$log" "drop_$r")
		echo "drop_$r=$v"
		[ "$v" -ge 1 ]
	done
}

@test "namespace mode: malformed frames on tap0 are dropped and counted, ping still works" {
	run merd_ns -- sh -c "'$WORLD_BIN/inject-frames.py' tap tap0 &&
			      busybox ping -c 3 -W 2 203.0.113.2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 203\.0\.113\.2:' <<<"$output")" -eq 3 ]
	sent=$(sed -n 's/^bad frames sent: //p' <<<"$output")
	# the kernel refuses to send a runt Ethernet header through AF_PACKET
	[ "$sent" -ge 6 ]
	check_drops "$MERD_LOG" "$sent" ip4_short ip4_len ip4_ihl udp_short udp_len dhcp_bad
}

@test "VM mode: malformed frames are dropped and counted, ARP still answered" {
	merd_vm_start "$SOCK"
	run as_user "$WORLD_BIN/inject-frames.py" stream "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	sent=$(sed -n 's/^bad frames sent: //p' <<<"$output")
	[ "$sent" -eq 7 ]
	merd_vm_stop
	check_drops "$MERD_LOG" "$sent" eth_short ip4_short ip4_len ip4_ihl udp_short \
		udp_len dhcp_bad
}

@test "VM mode: length prefix 0 drops the connection, the next qemu is served" {
	merd_vm_start "$SOCK"
	run as_user "$WORLD_BIN/inject-frames.py" framing "$SOCK" zero
	echo "$output"
	[ "$status" -eq 0 ]
	run as_user "$WORLD_BIN/inject-frames.py" arp "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	merd_vm_stop
	check_drops "$MERD_LOG" 1 link_framing
}

@test "VM mode: length prefix 0x7fffffff drops the connection, the next qemu is served" {
	merd_vm_start "$SOCK"
	run as_user "$WORLD_BIN/inject-frames.py" framing "$SOCK" huge
	echo "$output"
	[ "$status" -eq 0 ]
	run as_user "$WORLD_BIN/inject-frames.py" arp "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	merd_vm_stop
	check_drops "$MERD_LOG" 1 link_framing
}

# check_cve() - Check cve-frames.py's OUTPUT: every class sent, none failed
check_cve() {
	local cve
	! grep -q '^FAIL' <<<"$1"
	for cve in CVE-2019-14378 CVE-2021-3592 CVE-2021-3593 CVE-2021-3594 \
		   CVE-2021-3595; do
		grep -q "^ok $cve " <<<"$1"
	done
	grep -qx 'cve frames: 27 ok, 0 failed' <<<"$1"
	grep -qx 'ARP answered after the frames' <<<"$1"
}

@test "VM mode: frames built to each libslirp CVE class are each dropped and counted by their own counter" {
	merd_vm_start "$SOCK" --ctl "$CTL"
	run as_user "$WORLD_BIN/cve-frames.py" stream "$SOCK" "$CTL"
	echo "$output"
	[ "$status" -eq 0 ]
	check_cve "$output"
	# merd still answers the guest after the corpus
	run as_user "$WORLD_BIN/inject-frames.py" arp "$SOCK"
	[ "$status" -eq 0 ]
	merd_vm_stop
}

@test "namespace mode: the libslirp CVE frames on tap0 are each dropped and counted, then a download runs intact" {
	run merd_ns --ctl "$CTL" -- sh -c "
		'$WORLD_BIN/cve-frames.py' tap tap0 '$CTL' || exit 1
		'$WORLD_BIN/tcp_xfer' -i cve-down down $TCP_PEER $TCP_PORT 32M"
	echo "$output"
	[ "$status" -eq 0 ]
	check_cve "$output"
	tcp_check_down "$(grep '^cve-down down ' <<<"$output")"
}

@test "FTP and IRC commands libslirp's tcp_emu rewrote (CVE-2020-7039) reach the peer byte for byte" {
	local line id log peer
	run merd_ns -- "$WORLD_BIN/cve-frames.py" emu "$TCP_PEER" emu
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' echo=same$' <<<"$output")" -eq 7 ]
	# the peer received exactly what was sent, and sent it back
	while read -r line; do
		id=${line%% *}
		log=$WORLD_DIR/log/irc-peer.log
		[ "$(kv port "$line")" != 21 ] || log=$WORLD_DIR/log/ftp-peer.log
		_wait_for 5 grep -q "^$id echo .* status=" "$log"
		peer=$(grep "^$id echo .* status=" "$log")
		echo "peer: $peer"
		[ "$(kv received_sha256 "$peer")" = "$(kv sha256 "$line")" ]
		[ "$(kv sent "$peer")" = "$(kv sent "$line")" ]
		[ "$(kv status "$peer")" = ok ]
	done < <(grep '^emu-' <<<"$output")
}
