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

# unreach_check() - Check the unreach-check.py line for WHAT in OUTPUT:
# result RESULT, in under 2 s
unreach_check() {
	local line
	line=$(grep "^$2 result=" <<<"$1")
	echo "$2: $line"
	[[ $line == "$2 result=$3 ms="* ]]
	[ "${line##* ms=}" -lt 2000 ]
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

@test "at merd's open files limit, datagrams to nowhere make room for new flows; answered ones are kept, and then new flows are refused" {
	local out=$WORLD_DIR/run/fd.out
	# The namespace's command (merd's child, the same user) brings merd's
	# open files limit down to 64 and keeps its own. It sends to 500
	# ports nobody answers, then asks for a UDP echo and a download: the
	# oldest unanswered flows give way. Then 80 TCP connections at once,
	# none of which may be evicted: those past the limit are refused, and
	# the download still completes.
	user_argv "$MERD" --ns -- sh -c '
		PATH=$1:$PATH
		prlimit --pid $PPID --nofile=64:64 || exit 1
		echo "udp: $(flood udp tap0 500 198.51.100.10 203.0.113.2 20000)"
		sleep 0.5
		udp_echo_check 203.0.113.2 7 4096 512 5 >/dev/null && echo echo_ok
		tcp_xfer -t 120 -i fd-down down 203.0.113.2 5000 32M >/tmp/x.out 2>&1 &
		x=$!
		sleep 0.3
		tcp_xfer -t 60 -i fd-many many 203.0.113.2 5000 80 64K
		wait $x
		echo "xfer_rc=$?"
		cat /tmp/x.out' sh "$WORLD_BIN"
	(cd "$WORLD_DIR" && exec timeout -k 5 120 "${USER_ARGV[@]}") >"$out" 2>"$MERD_LOG"
	cat "$out"
	tail -n 2 "$MERD_LOG"
	grep -qx 'echo_ok' "$out"
	grep -qx 'xfer_rc=0' "$out"
	tcp_check_down "$(grep '^fd-down down ' "$out")"
	[ "$(merd_counter "$MERD_LOG" flows_evicted)" -ge 1 ]
	grep -q '^fd-many many conns=80 .* failed=[1-9]' "$out"
	[ "$(merd_counter "$MERD_LOG" drop_sock_err)" -ge 1 ]
}

# The guest: note merd's RSS (merd is its parent) idle, push 512 MiB at
# the peer, which stops reading for 10 s after the first MiB; sample the
# RSS every 0.2 s until the upload ends
STALL='
PATH=$1:$PATH
rss() { awk "/^VmRSS:/ { print \$2 }" /proc/$PPID/status; }
echo "rss_idle=$(rss)"
t0=$(date +%s)
tcp_xfer -t 300 -p 10000 -i stall-up up 203.0.113.2 5000 512M >/tmp/x.out 2>&1 &
x=$!
max=0 n=0
while kill -0 $x 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$max" ] && max=$r
	n=$((n + 1))
	sleep 0.2
done
wait $x
echo "xfer_rc=$?"
echo "secs=$(($(date +%s) - t0))"
echo "rss_max=$max samples=$n"
cat /tmp/x.out
'

@test "a host peer that stops reading for 10 s while the guest pushes 512 MiB: merd's memory stays bounded, data intact" {
	local out=$WORLD_DIR/run/stall.out idle max bound
	MERD_NS_TIMEOUT=300 merd_ns -- sh -c "$STALL" sh "$WORLD_BIN" >"$out"
	local rc=$?
	cat "$out"
	[ "$rc" -eq 0 ]
	grep -qx 'xfer_rc=0' "$out"
	tcp_check_up "$(grep '^stall-up up ' "$out")"
	# the peer really stopped reading: the upload took 10 s at least
	[ "$(sed -n 's/^secs=//p' "$out")" -ge 10 ]
	# memory: the idle size plus the documented bound for what traffic
	# touches (doc/merd.1, FLOWS AND LIMITS: 196 bytes per entry, here a few,
	# the guest link's 5 MiB of buffers, 68 KiB per control client), and
	# 1 MiB of slack for the allocator and the stack; nothing grows with
	# the 512 MiB the guest pushes while the peer does not read
	idle=$(sed -n 's/^rss_idle=//p' "$out")
	max=$(sed -n 's/^rss_max=\([0-9]*\) .*/\1/p' "$out")
	bound=$((idle + (196 * 64 + 5 * 1048576 + 1048576) / 1024))
	echo "RSS KiB: idle $idle, highest while stalled $max, bound $bound"
	# a sanitizer build's shadow memory, quarantine and fake stacks are
	# not merd's: the bound holds for real builds only
	if world_sanitized; then
		echo "$MERD_SANITIZER build: RSS bound not checked"
		return 0
	fi
	[ "$max" -le "$bound" ]
}

@test "destination unreachable: UDP and ping to addresses inet cannot route get ICMP unreachable within 2 s, IPv4 and IPv6" {
	local u=$WORLD_BIN/unreach-check.py
	# inet routes 203.0.113.64/26 and 2001:db8:6::/48 to "unreachable"
	in_inet sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	in_inet ip route add unreachable 203.0.113.64/26
	in_inet ip -6 route add unreachable 2001:db8:6::/48
	run merd_ns -- sh -c "
		$u udp 203.0.113.70 9; $u udp 2001:db8:6::70 9
		$u ping 203.0.113.70; $u ping 2001:db8:6::70"
	echo "$output"
	[ "$status" -eq 0 ]
	unreach_check "$output" 'udp 203.0.113.70' EHOSTUNREACH
	unreach_check "$output" 'udp 2001:db8:6::70' ENETUNREACH
	unreach_check "$output" 'ping 203.0.113.70' 'unreachable code=1'
	unreach_check "$output" 'ping 2001:db8:6::70' 'unreachable code=0'
}

@test "destination unreachable: UDP and ping to addresses the host has no route to get ICMP unreachable at once, IPv4 and IPv6" {
	local u=$WORLD_BIN/unreach-check.py
	in_host ip route add unreachable 203.0.113.128/26
	in_host ip -6 route add unreachable 2001:db8:7::/48
	run merd_ns -- sh -c "
		$u udp 203.0.113.130 9; $u udp 2001:db8:7::70 9
		$u ping 203.0.113.130; $u ping 2001:db8:7::70"
	echo "$output"
	[ "$status" -eq 0 ]
	unreach_check "$output" 'udp 203.0.113.130' EHOSTUNREACH
	unreach_check "$output" 'udp 2001:db8:7::70' EHOSTUNREACH
	unreach_check "$output" 'ping 203.0.113.130' 'unreachable code=1'
	unreach_check "$output" 'ping 2001:db8:7::70' 'unreachable code=3'
}
