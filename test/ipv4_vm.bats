#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ipv4_vm.bats - VM mode over IPv4: a qemu guest on merd's socket gets its
# address by DHCP, pings, resolves, echoes UDP; the next qemu is served too.
#
# One merd and one guest boot for the whole file (setup_file): the tests read
# what that guest reported. One more boot checks that a second qemu is served.

load lib/world
load lib/guest

# The first guest: every IPv4 check, each result on a KEY=value line
GUEST1='
guest-dhcp | sed "s/^/lease_/"
echo "addr=$(ip -4 -o addr show dev eth0 | awk "{ print \$4 }")"
echo "route=$(ip -4 route show default)"
echo "mtu=$(cat /sys/class/net/eth0/mtu)"
sed "s/^/resolv: /" /etc/resolv.conf
ping -c 3 -W 2 203.0.113.2 | sed "s/^/ping: /"
nslookup -type=a peer.merd.test 2>&1 | sed "s/^/nslookup: /"
udp_echo_check 203.0.113.2 7 1048576 2>&1 | sed "s/^/udp: /"
for s in 4000 9000 65000; do
	udp_echo_check 203.0.113.2 7 $((s * 2)) $s 30 2>&1 | sed "s/^/udpfrag: /"
done
'

setup_file() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	export SOCK=$WORLD_DIR/run/merd.sock
	merd_vm_start "$SOCK" || return 1
	guest_boot "$SOCK" "$GUEST1" >"$WORLD_DIR/log/guest1.out" 2>&1
	export GUEST1_RC=$? GUEST1_RESULTS=$GUEST_RESULTS GUEST1_OUT=$GUEST_OUT
}

teardown_file() {
	merd_vm_stop
	world_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	world_dump_logs
	echo "--- guest console" >&2
	tail -n 30 "$GUEST1_OUT/console.log" >&2
}

@test "guest boots and reports" {
	cat "$GUEST1_RESULTS"
	[ "$GUEST1_RC" -eq 0 ]
	grep -q '^MERD-GUEST-END rc=0$' "$GUEST1_RESULTS"
}

@test "guest gets 198.51.100.10/24 by DHCP" {
	cat "$GUEST1_RESULTS"
	[ "$(guest_result lease_ip "$GUEST1_RESULTS")" = 198.51.100.10 ]
	[ "$(guest_result lease_mask "$GUEST1_RESULTS")" = 24 ]
	[ "$(guest_result addr "$GUEST1_RESULTS")" = 198.51.100.10/24 ]
}

@test "guest gets router 198.51.100.1 by DHCP" {
	cat "$GUEST1_RESULTS"
	[ "$(guest_result lease_router "$GUEST1_RESULTS")" = 198.51.100.1 ]
	guest_result route "$GUEST1_RESULTS" | grep -q '^default via 198\.51\.100\.1 dev eth0'
}

@test "guest gets the host's resolver by DHCP" {
	cat "$GUEST1_RESULTS"
	[ "$(guest_result lease_dns "$GUEST1_RESULTS")" = 203.0.113.53 ]
	grep -Eqx 'resolv: nameserver[[:space:]]+203\.0\.113\.53' "$GUEST1_RESULTS"
}

@test "guest pings 203.0.113.2" {
	cat "$GUEST1_RESULTS"
	[ "$(grep -c '^ping: .* bytes from 203\.0\.113\.2:' "$GUEST1_RESULTS")" -eq 3 ]
}

@test "guest resolves peer.merd.test" {
	cat "$GUEST1_RESULTS"
	grep -Eq '^nslookup: Address:?[[:space:]]+203\.0\.113\.2$' "$GUEST1_RESULTS"
	grep -q '^query peer\.merd\.test 1 from 198\.51\.100\.10 ' "$WORLD_DIR/log/dns.queries"
}

@test "guest echoes 1 MiB over UDP intact" {
	cat "$GUEST1_RESULTS"
	grep -q '^udp: udp_echo_check: OK 1024 datagrams, 1048576 bytes' "$GUEST1_RESULTS"
}

@test "guest at MTU 1500 echoes UDP datagrams of 4000 to 65000 bytes intact (fragments both ways)" {
	grep -qx 'mtu=1500' "$GUEST1_RESULTS"
	grep -q '^udpfrag: udp_echo_check: OK 2 datagrams, 8000 bytes' "$GUEST1_RESULTS"
	grep -q '^udpfrag: udp_echo_check: OK 2 datagrams, 18000 bytes' "$GUEST1_RESULTS"
	grep -q '^udpfrag: udp_echo_check: OK 2 datagrams, 130000 bytes' "$GUEST1_RESULTS"
}

@test "a second qemu is served after the first exits" {
	_merd_listening "$SOCK"
	run guest_boot "$SOCK" '
guest-dhcp | sed "s/^/lease_/"
ping -c 1 -W 2 203.0.113.2 | sed "s/^/ping: /"'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'lease_ip=198\.51\.100\.10' <<<"$output"
	grep -q '^ping: .* bytes from 203\.0\.113\.2:' <<<"$output"
}

@test "merd exits 0 on SIGTERM and prints its counters" {
	local log=$MERD_LOG
	merd_vm_stop
	[ "$(merd_counter "$log" frames_in)" -gt 1000 ]	# 1 MiB of UDP
	[ "$(merd_counter "$log" frames_out)" -gt 1000 ]
	# the guest's 4000 to 65000-byte datagrams, reassembled
	[ "$(merd_counter "$log" frags_reassembled)" -ge 6 ]
}

@test "with --one-off merd exits 0 when its guest disconnects" {
	local sock=$WORLD_DIR/run/oneoff.sock log=$WORLD_DIR/log/oneoff.log
	(
		MERD_LOG=$log
		merd_vm_start "$sock" --one-off
		as_user "$WORLD_BIN/inject-frames.py" arp "$sock"
		_wait_for 5 merd_vm_status >/dev/null
		[ "$(merd_vm_status)" -eq 0 ]
	)
	grep -q '^merd: counters: ' "$log"
}
