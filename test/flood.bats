#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# flood.bats - A guest that floods merd (namespace mode): 100 000 TCP SYNs
# to a closed port and to a port whose server never accepts, UDP datagrams
# to 50 000 ports, 20 000 ARP requests and 20 000 neighbour solicitations,
# while a 64 MiB download runs. merd stays up, its memory stays within the
# table's documented bound, the download arrives intact, the flood is
# refused and counted, and once the half-open flows time out new
# connections work again.
#
# The guest is merd --ns's namespace; test/tools/flood sends well-formed
# frames (checksums right) out of tap0 through an AF_PACKET socket, so they
# reach merd's flow handling rather than its drop counters (those the tap
# device's queue takes are dropped by the kernel before merd: a flood is
# what it is).

load lib/world
load lib/tcp

WORLD_TOOLS="$WORLD_TOOLS flood"
MAX_FLOWS=1024

world_extra_peers() {
	tcp_peer_start
	# a server that never accepts: connections to it stay half-open
	_world_bg stuck ip netns exec "$INET_NS" python3 -c '
import socket, time
s = socket.socket()
s.bind(("203.0.113.2", 5002))
s.listen(16)
time.sleep(900)'
}

setup() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	world_teardown
}

# The guest: note merd's RSS (merd is its parent) idle, start the download,
# note the RSS once the download runs (merd's buffers for the guest link
# and TCP are in use then), flood, note it again, wait for the download,
# wait for the half-open flows to time out, connect once more
GUEST='
PATH=$1:$PATH
rss() { awk "/^VmRSS:/ { print \$2 }" /proc/$PPID/status; }
echo "rss_idle=$(rss)"
tcp_xfer -t 300 -i fl-down down 203.0.113.2 5000 64M >/tmp/xfer.out 2>&1 &
xfer=$!
sleep 0.5
echo "rss_start=$(rss)"
echo "syn: $(flood syn tap0 100000 198.51.100.10 203.0.113.2 5001 5002)"
echo "udp: $(flood udp tap0 50000 198.51.100.10 203.0.113.2 10000)"
echo "arp: $(flood arp tap0 20000 198.51.100.10)"
echo "ndp: $(flood ndp tap0 20000 2001:db8:1::10)"
echo "rss_flood=$(rss)"
wait $xfer
echo "xfer_rc=$?"
cat /tmp/xfer.out
sleep 7
tcp_xfer -t 30 -i fl-after down 203.0.113.2 5000 1M || echo "fl-after rc=$?"
echo "rss_end=$(rss)"
'

@test "a guest flooding SYNs, UDP ports, ARP and NDP: merd holds, a download runs through intact" {
	local out=$WORLD_DIR/run/flood.out
	MERD_NS_TIMEOUT=300 merd_ns --max-flows "$MAX_FLOWS" --tcp-syn-timeout 5 \
		--udp-timeout 5 -- sh -c "$GUEST" sh "$WORLD_BIN" >"$out"
	local rc=$?
	cat "$out"
	tail -n 3 "$MERD_LOG"
	[ "$rc" -eq 0 ]
	# every frame was sent (the tap's queue may drop some before merd)
	grep -q '^syn: sent=100000 failed=0$' "$out"
	grep -q '^udp: sent=50000 failed=0$' "$out"
	grep -q '^arp: sent=20000 failed=0$' "$out"
	grep -q '^ndp: sent=20000 failed=0$' "$out"
	# the download that ran through it all arrived intact
	grep -qx 'xfer_rc=0' "$out"
	tcp_check_down "$(grep '^fl-down down ' "$out")"
	# and after the flood's flows aged out, a new connection works
	tcp_check_down "$(grep '^fl-after down ' "$out")"
	# the table filled: flows were refused or evicted, counted, not carried
	local full evicted
	full=$(merd_counter "$MERD_LOG" drop_flow_full)
	evicted=$(merd_counter "$MERD_LOG" flows_evicted)
	echo "drop_flow_full=$full flows_evicted=$evicted"
	[ $((full + evicted)) -gt 0 ]
	# memory: the idle size plus the documented bound (doc/merd.1, FLOWS AND
	# LIMITS: FLOW_ENTRY_BYTES_MAX per table entry, checked against sizeof
	# by test_limits.c; 8 control clients of 71 KiB; the guest link's 5 MiB
	# of buffers), and 1 MiB of slack for the allocator and the stack
	local idle start flood end bound per_entry
	per_entry=$(sed -n 's/^#define FLOW_ENTRY_BYTES_MAX[^0-9]*\([0-9][0-9]*\).*/\1/p' \
		"$BATS_TEST_DIRNAME/../src/flow.h")
	[ -n "$per_entry" ]
	idle=$(sed -n 's/^rss_idle=//p' "$out")
	start=$(sed -n 's/^rss_start=//p' "$out")
	flood=$(sed -n 's/^rss_flood=//p' "$out")
	end=$(sed -n 's/^rss_end=//p' "$out")
	bound=$((idle + (per_entry * MAX_FLOWS + 8 * 71 * 1024 + 5 * 1048576 + 1048576) / 1024))
	echo "RSS KiB: idle $idle, download running $start, after the flood $flood, end $end, bound $bound"
	# a sanitizer build's shadow memory, quarantine and fake stacks are
	# not merd's: the bound holds for real builds only
	if world_sanitized; then
		echo "$MERD_SANITIZER build: RSS bound not checked"
		return 0
	fi
	[ "$flood" -le "$bound" ]
	[ "$end" -le "$bound" ]
}
