#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctl_vm.bats - The control socket in VM mode: a qemu guest pings, echoes
# UDP and downloads over TCP; "merd ctl" on the host lists its flows with
# their counters and states, and the global counters; a port forward added
# at run time reaches the guest's server and, once removed, no longer does.
#
# One merd and one guest boot for the file (setup_file). The guest's
# results file holds what it did; then its fwd_peer server waits on port 80.

load lib/world
load lib/guest
load lib/tcp
load lib/fwd

world_extra_peers() {
	tcp_peer_start
}

GUEST_SCRIPT='
wait_for() {
	n=$(($1 * 10)) i=0
	shift
	until "$@"; do
		[ $i -ge $n ] && return 1
		usleep 100000
		i=$((i + 1))
	done
}
guest-dhcp | sed "s/^/lease_/"
ping -c 2 -W 3 203.0.113.2 | sed "s/^/ping: /"
udp_echo_check 203.0.113.2 7 4000 1000 2>&1 | sed "s/^/udp: /"
tcp_xfer -i vm-ctl down 203.0.113.2 5000 1M 2>&1 | sed "s/^/tcp: /"
fwd_peer serve -e -l /tmp/server.log -w 600 80 &
wait_for 10 test -s /tmp/server.log || echo "server_timeout=1"
echo "READY"
wait
'

# guest_says() - True once the guest's results hold line LINE
guest_says() {
	grep -qx "$1" "$VM_LOG" 2>/dev/null || grep -qx "$1"$'\r' "$VM_LOG" 2>/dev/null
}

setup_file() {
	local d
	world_setup && fwd_inet_addrs || { world_dump_logs; world_teardown; return 1; }
	export SOCK=$WORLD_DIR/run/merd.sock CTL=$WORLD_DIR/run/merd.ctl
	merd_vm_start "$SOCK" --ctl "$CTL" || return 1
	guest_prepare || return 1
	(GUEST_TIMEOUT=600 guest_boot "$SOCK" "$GUEST_SCRIPT" >"$WORLD_DIR/log/guest.out" 2>&1) 3>&- &
	export VM_GUEST_PID=$!
	echo "$VM_GUEST_PID" >>"$WORLD_DIR/pids"
	_wait_for 10 compgen -G "$WORLD_DIR/run/guest-*" >/dev/null || return 1
	d=$(compgen -G "$WORLD_DIR/run/guest-*" | head -n 1)
	export VM_GUEST_OUT=$d VM_LOG=$d/results.raw FWD_LOG=$d/results.raw
	_wait_for 240 guest_says READY ||
		world_fail "the guest did not get ready: $(tail -n 20 "$d/console.log")"
}

teardown_file() {
	merd_vm_stop
	world_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	world_dump_logs
	echo "--- guest results" >&2
	tr -d '\r' <"$VM_LOG" | tail -n 40 >&2
}

# ctl() - Run "merd ctl ARGS..." as the test user in "host"
ctl() {
	as_user "$MERD" ctl "$@"
}

@test "merd ctl lists the VM's ping and UDP flows with packets and bytes each way" {
	tr -d '\r' <"$VM_LOG"
	grep -q '^lease_ip=198\.51\.100\.10' "$VM_LOG"
	[ "$(grep -c '^ping: .* bytes from 203\.0\.113\.2:' "$VM_LOG")" -eq 2 ]
	run ctl "$CTL" flows
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE '^[0-9]+ +icmp +1 +guest +198\.51\.100\.10 +[0-9]+ +203\.0\.113\.2 +0 +answered +2 +[0-9]+ +2 +[0-9]+ ' <<<"$output"
	row=$(grep -E '^[0-9]+ +udp +17 +guest +198\.51\.100\.10 +[0-9]+ +203\.0\.113\.2 +7 +answered ' <<<"$output")
	read -r _ _ _ _ _ _ _ _ _ pkts_out bytes_out pkts_in bytes_in _ <<<"$row"
	[ "$pkts_out" -ge 4 ] && [ "$pkts_in" -ge 4 ]
	[ "$bytes_out" -ge 4000 ] && [ "$bytes_in" -ge 4000 ]
	# the finished TCP download left no flow behind, and was counted
	[[ $output != *' tcp '*'5000'* ]]
	run ctl --json "$CTL" counters
	echo "$output"
	/usr/bin/python3 -c '
import json, sys
c = json.loads(sys.argv[1])["counters"]
assert c["frames_in"] > 10 and c["frames_out"] > 700, c
assert c["bytes_out"] > 1048576, c
assert c["flows_created"] >= 3 and c["flows_active"] >= 2, c
' "$output"
}

@test "a port forward added to the VM at run time reaches its server; removed, it is refused" {
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 vm-before)"
	run ctl "$CTL" forward-add tcp 8080:80
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE '^added +2$' <<<"$output"
	run ctl "$CTL" forwards
	echo "$output"
	grep -qE '^tcp +0\.0\.0\.0 +8080 +80$' <<<"$output"
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 vm-t4)" "$FWD_INET4" 80
	run ctl "$CTL" forward-remove tcp 8080
	[ "$status" -eq 0 ]
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 vm-after)"
}
