#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# faults.bats - Faults on the guest link and on the host: a length prefix of
# 4 GiB, a qemu that sends half a frame and hangs, a second qemu while one
# is attached, and merd at its open files limit. merd drops what it must,
# keeps answering, and serves the next guest; flows already open live on.
#
# VM mode faults use fake qemus (test/tools/inject-frames.py) on merd's
# socket; the file descriptor limit is set on merd with prlimit, in
# namespace mode, where the guest opens more flows than merd has files.

load lib/world
load lib/tcp

WORLD_TOOLS="$WORLD_TOOLS flood"

world_extra_peers() {
	tcp_peer_start
}

setup() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	SOCK=$WORLD_DIR/run/merd.sock
	CTL=$WORLD_DIR/home/merd.ctl
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	merd_vm_stop
	world_teardown
}

@test "VM mode: a length prefix of 4 GiB drops the connection, the next qemu is served" {
	merd_vm_start "$SOCK"
	run as_user "$WORLD_BIN/inject-frames.py" framing "$SOCK" max
	echo "$output"
	[ "$status" -eq 0 ]
	run as_user "$WORLD_BIN/inject-frames.py" arp "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	merd_vm_stop
	[ "$(merd_counter "$MERD_LOG" drop_link_framing)" -ge 1 ]
}

@test "VM mode: a qemu that sends half a frame and hangs stalls nothing; the next one is served" {
	local t0 t1
	merd_vm_start "$SOCK" --ctl "$CTL"
	as_user "$WORLD_BIN/inject-frames.py" partial "$SOCK" 6 \
		>"$WORLD_DIR/log/partial.log" 2>&1 &
	local hang=$!
	_wait_for 5 grep -q "partial frame sent" "$WORLD_DIR/log/partial.log"
	# merd answers its control socket and signals while the frame waits
	t0=$(date +%s%N)
	run as_user "$MERD" ctl "$CTL" version
	t1=$(date +%s%N)
	echo "$output ($(((t1 - t0) / 1000000)) ms)"
	[ "$status" -eq 0 ]
	[[ $output == *"$("$MERD" --version | awk '{ print $2 }')"* ]]
	kill -USR1 "$MERD_PID"
	_wait_for 5 grep -q "counters:" "$MERD_LOG"
	wait "$hang"
	run as_user "$WORLD_BIN/inject-frames.py" arp "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "VM mode: a second qemu while one is attached is turned away, the first still served" {
	merd_vm_start "$SOCK"
	run as_user "$WORLD_BIN/inject-frames.py" second "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "guest already attached" "$MERD_LOG"
}

@test "at merd's open files limit, new flows are refused and counted, an open transfer completes intact" {
	local out=$WORLD_DIR/run/fd.out
	# merd raises its soft limit to the hard one: 64 files in all
	user_argv prlimit --nofile=64:64 "$MERD" --ns -- sh -c '
		PATH=$1:$PATH
		tcp_xfer -t 120 -i fd-down down 203.0.113.2 5000 32M >/tmp/x.out 2>&1 &
		x=$!
		sleep 0.3
		echo "udp: $(flood udp tap0 500 198.51.100.10 203.0.113.2 20000)"
		wait $x
		echo "xfer_rc=$?"
		cat /tmp/x.out' sh "$WORLD_BIN"
	(cd "$WORLD_DIR" && exec timeout -k 5 120 "${USER_ARGV[@]}") >"$out" 2>"$MERD_LOG"
	cat "$out"
	tail -n 2 "$MERD_LOG"
	grep -qx 'xfer_rc=0' "$out"
	tcp_check_down "$(grep '^fd-down down ' "$out")"
	[ "$(merd_counter "$MERD_LOG" drop_sock_err)" -ge 1 ]
}
