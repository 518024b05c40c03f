#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# badinput.bats - Malformed frames from the guest are dropped and counted,
# and merd goes on serving it; a bad length prefix drops only the connection.
#
# Every bad frame is addressed to merd's MAC (learned by ARP first) and is
# valid but for its one defect; see test/tools/inject-frames.py.

load lib/world

setup() {
	world_setup
	SOCK=$WORLD_DIR/run/merd.sock
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
