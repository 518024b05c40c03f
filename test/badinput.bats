#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# badinput.bats - Malformed frames from the guest are dropped and counted,
# and merd goes on serving it; a bad length prefix drops only the connection.
#
# Every bad frame is addressed to merd's MAC (learned by ARP first) and is
# valid but for its one defect; see test/tools/inject-frames.py. The frames
# built to each class of libslirp's CVEs are in test/tools/cve-frames.py:
# each must raise its own drop counter by one (read on the control socket).
# A guest cannot flood the log: every line it can cause is rate-limited.

load lib/world
load lib/tcp

WORLD_TOOLS="$WORLD_TOOLS flood"

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

# log_lines() - Print how many lines of LOGFILE match the regex RE
log_lines() {
	grep -cE "$2" "$1" || :
}

@test "VM mode, -d: a guest changing its source MAC on each of 5000 frames gets a bounded number of log lines" {
	merd_vm_start "$SOCK" -d
	local t0=$SECONDS
	run as_user "$WORLD_BIN/inject-frames.py" macs "$SOCK" 5000
	echo "$output"
	[ "$status" -eq 0 ]
	local secs=$((SECONDS - t0 + 1))
	merd_vm_stop
	local macs notes total
	macs=$(log_lines "$MERD_LOG" 'merd: eth: guest MAC ')
	notes=$(log_lines "$MERD_LOG" 'more lines like "eth: guest MAC .*" suppressed')
	total=$(wc -l <"$MERD_LOG")
	echo "over ${secs} s: $macs guest MAC lines, $notes notes, $total lines in all"
	grep 'suppressed' "$MERD_LOG" || :
	# at most 5 a second, each second's excess counted by one note that
	# names the message
	[ "$macs" -ge 2 ]
	[ "$macs" -le $((5 * secs)) ]
	[ "$notes" -ge 1 ] && [ "$notes" -le "$secs" ]
	[ "$total" -le $((6 * secs + 20)) ]
}

@test "namespace mode, -d: SYNs refused by the peer and 3000 UDP flows expiring get a bounded number of log lines, the rest counted by message" {
	# SYNs from flood (some may be lost in the tap's queue), datagrams
	# from 3000 sockets to a port nobody serves
	run merd_ns -d --udp-timeout 1 -- sh -c "
		'$WORLD_BIN/flood' syn tap0 3000 198.51.100.10 203.0.113.2 5999
		sleep 1
		'$WORLD_BIN/ctl-flows.py' spray 203.0.113.2 9 20000 3000
		sleep 4"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'sent=3000 failed=0' <<<"$output"
	grep -qx 'spray sent=3000' <<<"$output"
	local refused expired total
	refused=$(log_lines "$MERD_LOG" 'merd: tcp: connect to port 5999: ')
	expired=$(log_lines "$MERD_LOG" 'merd: flow: [0-9]+ expired$')
	total=$(wc -l <"$MERD_LOG")
	echo "$refused connect lines, $expired expiry lines, $total lines in all"
	grep 'suppressed' "$MERD_LOG" || :
	[ "$(merd_counter "$MERD_LOG" flows_expired)" -ge 2000 ]
	[ "$refused" -ge 1 ] && [ "$refused" -le 40 ]
	[ "$expired" -ge 1 ] && [ "$expired" -le 40 ]
	# the rest is told of, by message, at the latest at exit
	grep -q 'merd: (.* more lines like "tcp: connect to port %u: %s" suppressed)' "$MERD_LOG"
	grep -q 'merd: (.* more lines like "flow: %u expired" suppressed)' "$MERD_LOG"
	[ "$total" -le 200 ]
}
