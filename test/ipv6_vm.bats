#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ipv6_vm.bats - VM mode over IPv6: a qemu guest on merd's socket configures
# SLAAC from merd's advertisements, gets 2001:db8:1::10 and the resolvers by
# DHCPv6, pings, resolves AAAA over IPv6, echoes UDP over IPv6. Fake guests
# on merd's socket (inject-frames6.py) check the advertisement itself, bad
# input, and that a guest without IPv6 costs merd no IPv6 work; two more
# boots: a guest booted with ipv6.disable=1, and a guest of merd -4.
#
# One merd and one guest boot for the IPv6 checks (setup_file): the tests
# read what that guest reported.

load lib/world
load lib/guest
load lib/ipv6

# The first guest: every IPv6 check, each result on a KEY=value line
GUEST1='
wait_for() {
	n=$(($1 * 10)) i=0
	shift
	until "$@"; do
		[ $i -ge $n ] && return 1
		usleep 100000
		i=$((i + 1))
	done
}
has_addr() { ip -6 addr show dev eth0 | grep -- "$1" | grep -qv tentative; }
echo "mac=$(cat /sys/class/net/eth0/address)"
wait_for 30 has_addr "scope global dynamic" || echo "slaac_timeout=1"
ip -6 addr show dev eth0 | sed "s/^/ip6addr: /"
ip -6 route show | sed "s/^/ip6route: /"
grep -E "^Icmp6(OutRouterSolicits|InRouterAdvertisements) " /proc/net/snmp6 |
	sed "s/^/snmp: /"
out=$(dhcp6_client -r -c); echo "rapid_rc=$?"; echo "$out" | sed "s/^/rapid_/"
out=$(dhcp6_client -a); echo "dhcp_rc=$?"; echo "$out" | sed "s/^/dhcp_/"
out=$(dhcp6_client -I); echo "info_rc=$?"; echo "$out" | sed "s/^/info_/"
: > /etc/resolv.conf
for d in $(echo "$out" | sed -n "s/^dns=//p"); do
	echo "nameserver $d" >> /etc/resolv.conf
done
echo "search $(echo "$out" | sed -n "s/^domains=//p")" >> /etc/resolv.conf
sed "s/^/resolv: /" /etc/resolv.conf
wait_for 10 has_addr "inet6 2001:db8:1::10/128" || echo "dhcp_addr_timeout=1"
ip -6 addr show dev eth0 scope global | sed "s/^/ip6addr_dhcp: /"
ping -c 3 -W 2 2001:db8:2::2 | sed "s/^/ping6: /"
ping -c 2 -W 2 -I 2001:db8:1::10 2001:db8:2::2 | sed "s/^/ping6_dhcp: /"
ping -c 3 -W 2 fe80::9855:9aff:fe55:9a55%eth0 | sed "s/^/pingll: /"
nslookup -type=aaaa peer.merd.test 2>&1 | sed "s/^/nslookup: /"
udp_echo_check 2001:db8:2::2 7 1048576 2>&1 | sed "s/^/udp6: /"
'

setup_file() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	IPV6_SEARCH="merd.test example.org" ipv6_resolv 203.0.113.53 2001:db8:2::53 ||
		return 1
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

# g() - Print the value of the guest's KEY=value line(s)
g() {
	guest_result "$1" "$GUEST1_RESULTS"
}

@test "guest boots and reports" {
	cat "$GUEST1_RESULTS"
	[ "$GUEST1_RC" -eq 0 ]
	grep -q '^MERD-GUEST-END rc=0$' "$GUEST1_RESULTS"
}

@test "guest configures a global address by SLAAC from merd's prefix" {
	local want
	cat "$GUEST1_RESULTS"
	want=$(ip6_norm "2001:db8:1:0:$(eui64 "$(g mac)")")
	echo "expected $want/64"
	[ -z "$(g slaac_timeout)" ]
	grep -q "^ip6addr: *inet6 $want/64 scope global dynamic" "$GUEST1_RESULTS"
	grep -Eq '^snmp: Icmp6InRouterAdvertisements[[:space:]]+[1-9]' "$GUEST1_RESULTS"
}

@test "guest's default route is via merd's link-local, from the advertisement" {
	cat "$GUEST1_RESULTS"
	# busybox's ip shows no "proto ra"; a route that expires came from an RA
	grep -q "^ip6route: default via $ROUTER_LL_RE dev eth0 .*expires" "$GUEST1_RESULTS"
	[ "$(grep -c '^ip6route: default' "$GUEST1_RESULTS")" -eq 1 ]
}

@test "guest gets 2001:db8:1::10 by DHCPv6 (Solicit, Advertise, Request, Reply)" {
	cat "$GUEST1_RESULTS"
	[ "$(g dhcp_rc)" = 0 ]
	[ "$(g dhcp_exchange)" = solicit,advertise,request,reply ]
	[ "$(g dhcp_server)" = "$ROUTER_LL" ]
	[ "$(g dhcp_server_duid)" = "$MERD_DUID" ]
	[ "$(g dhcp_addr)" = 2001:db8:1::10 ]
	[ "$(g dhcp_applied)" = 2001:db8:1::10/128 ]
	[ -z "$(g dhcp_addr_timeout)" ]
	grep -q '^ip6addr_dhcp: *inet6 2001:db8:1::10/128 scope global' "$GUEST1_RESULTS"
	[ "$(grep -c '^ping6_dhcp: .* bytes from 2001:db8:2::2:' "$GUEST1_RESULTS")" -eq 2 ]
}

@test "guest gets 2001:db8:1::10 by DHCPv6 with Rapid Commit, renews, rebinds, releases" {
	cat "$GUEST1_RESULTS"
	[ "$(g rapid_rc)" = 0 ]
	[ "$(g rapid_exchange)" = solicit,reply ]
	[ "$(g rapid_rapid_commit)" = 1 ]
	[ "$(g rapid_addr)" = 2001:db8:1::10 ]
	for m in renew rebind confirm release; do
		[ "$(g rapid_$m)" = ok ]
	done
}

@test "guest gets the resolvers and the search list by DHCPv6 Information-request" {
	cat "$GUEST1_RESULTS"
	[ "$(g info_rc)" = 0 ]
	[ "$(g info_exchange)" = information-request,reply ]
	[ "$(g info_dns)" = 2001:db8:2::53 ]
	[ "$(g info_domains)" = "merd.test example.org" ]
}

@test "guest pings 2001:db8:2::2" {
	cat "$GUEST1_RESULTS"
	[ "$(grep -c '^ping6: .* bytes from 2001:db8:2::2:' "$GUEST1_RESULTS")" -eq 3 ]
}

@test "guest pings merd's link-local address" {
	cat "$GUEST1_RESULTS"
	[ "$(grep -c "^pingll: .* bytes from $ROUTER_LL_RE:" "$GUEST1_RESULTS")" -eq 3 ]
}

@test "guest resolves peer.merd.test AAAA over IPv6" {
	cat "$GUEST1_RESULTS"
	grep -Eqx 'resolv: nameserver 2001:db8:2::53' "$GUEST1_RESULTS"
	grep -Eq '^nslookup: Address:?[[:space:]]+2001:db8:2::2$' "$GUEST1_RESULTS"
	grep -q '^query peer\.merd\.test 28 from 2001:db8:1::10 to 2001:db8:2::53$' \
		"$WORLD_DIR/log/dns.queries"
}

@test "guest echoes 1 MiB over UDP over IPv6 intact" {
	cat "$GUEST1_RESULTS"
	grep -q '^udp6: udp_echo_check: OK 1024 datagrams, 1048576 bytes' "$GUEST1_RESULTS"
}

@test "merd's router advertisement: prefix L+A, MTU 1500, RDNSS, DNSSL, M and O" {
	_merd_listening "$SOCK"
	run as_user "$WORLD_BIN/inject-frames6.py" ra stream "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(guest_v ra_src)" = "$ROUTER_LL" ]
	[ "$(guest_v ra_slla)" = 9a:55:9a:55:9a:55 ]
	[ "$(guest_v ra_hlim)" = 255 ]
	[ "$(guest_v ra_csum_ok)" = 1 ]
	[ "$(guest_v ra_flags)" = M,O ]
	[ "$(guest_v ra_lifetime)" -gt 0 ]
	[ "$(guest_v ra_mtu)" = 1500 ]
	[ "$(guest_v ra_prefix)" = 2001:db8:1::/64 ]
	[ "$(guest_v ra_prefix_flags)" = L,A ]
	[ "$(guest_v ra_rdnss)" = 2001:db8:2::53 ]
	[ "$(guest_v ra_dnssl)" = "merd.test example.org" ]
}

@test "VM mode: malformed IPv6 frames are dropped and counted, IPv6 still served" {
	local sock=$WORLD_DIR/run/bad6.sock sent rc
	(
		MERD_LOG=$WORLD_DIR/log/bad6.log
		merd_vm_start "$sock"
		as_user "$WORLD_BIN/inject-frames6.py" bad stream "$sock" \
			>"$WORLD_DIR/log/bad6.out" && rc=0 || rc=$?
		echo "inject rc=$rc" >>"$WORLD_DIR/log/bad6.out"
		merd_vm_stop
	)
	output=$(cat "$WORLD_DIR/log/bad6.out")
	echo "$output"
	grep -qx 'inject rc=0' <<<"$output"
	sent=$(sed -n 's/^bad frames sent: //p' <<<"$output")
	[ "$sent" -ge 20 ]
	check_expected_drops "$WORLD_DIR/log/bad6.log" "$sent" "$output"
}

@test "a guest without IPv6 costs merd no IPv6 work: no frame, no log line, no timer" {
	local sock=$WORLD_DIR/run/v4only.sock log=$WORLD_DIR/log/v4only.log pid rc
	(
		MERD_LOG=$log
		merd_vm_start "$sock" -d
		as_user "$WORLD_BIN/inject-frames6.py" v4only "$sock" 4 \
			>"$WORLD_DIR/log/v4only.out" 2>&1 &
		pid=$!
		sleep 2
		ra_timer_idle "$MERD_PID" 2>&1 || echo "timer armed" >>"$WORLD_DIR/log/v4only.out"
		wait "$pid" && rc=0 || rc=$?
		echo "v4only rc=$rc" >>"$WORLD_DIR/log/v4only.out"
		# control: a guest's router solicitation arms the timer
		as_user "$WORLD_BIN/inject-frames6.py" rs "$sock" 3 \
			>"$WORLD_DIR/log/v4only-rs.out" 2>&1 &
		_wait_for 5 grep -q '^holding' "$WORLD_DIR/log/v4only-rs.out" || :
		ra_timer_armed "$MERD_PID" 2>&1 && echo "armed after RS" >>"$WORLD_DIR/log/v4only.out"
		wait $! || :
		merd_vm_stop
	)
	cat "$WORLD_DIR/log/v4only.out" "$log"
	grep -qx 'v4only rc=0' "$WORLD_DIR/log/v4only.out"
	grep -qx 'ipv6 frames received: 0' "$WORLD_DIR/log/v4only.out"
	refute grep -q 'timer armed' "$WORLD_DIR/log/v4only.out"
	grep -qx 'armed after RS' "$WORLD_DIR/log/v4only.out"
	# the log up to the control's connection has no IPv6 line
	[ -z "$(sed '/guest link closed/q' "$log" | merd_v6_log_lines /dev/stdin)" ]
}

@test "an IPv6 guest that leaves takes merd's advertisement timer with it" {
	local sock=$WORLD_DIR/run/leave.sock log=$WORLD_DIR/log/leave.log rc
	(
		MERD_LOG=$log
		merd_vm_start "$sock"
		as_user "$WORLD_BIN/inject-frames6.py" rs "$sock" | sed 's/^/rs: /'
		_wait_for 5 grep -q 'guest link closed' "$log" || :
		ra_timer_armed "$MERD_PID" 2>&1 && echo "timer still armed"
		merd_vm_stop
	) >"$WORLD_DIR/log/leave.out" 2>&1
	cat "$WORLD_DIR/log/leave.out" "$log"
	grep -q '^rs: ra_src=' "$WORLD_DIR/log/leave.out"
	grep -q 'guest link closed' "$log"
	refute grep -q 'timer still armed' "$WORLD_DIR/log/leave.out"
}

@test "a guest booted with ipv6.disable=1 costs merd no IPv6 work" {
	local sock=$WORLD_DIR/run/disabled.sock log=$WORLD_DIR/log/disabled.log rc
	(
		MERD_LOG=$log
		merd_vm_start "$sock" -d
		GUEST_APPEND=ipv6.disable=1 guest_boot "$sock" '
[ -e /proc/net/if_inet6 ] && echo has_ipv6=1 || echo has_ipv6=0
guest-dhcp | sed "s/^/lease_/"
ping -c 2 -W 2 203.0.113.2 | sed "s/^/ping: /"' && rc=0 || rc=$?
		echo "guest rc=$rc"
		_wait_for 5 grep -q 'guest link closed' "$log" || :
		ra_timer_idle "$MERD_PID" 2>&1 || echo "timer armed"
		merd_vm_stop
	) >"$WORLD_DIR/log/disabled.out" 2>&1
	cat "$WORLD_DIR/log/disabled.out" "$log"
	grep -qx 'guest rc=0' "$WORLD_DIR/log/disabled.out"
	grep -qx 'has_ipv6=0' "$WORLD_DIR/log/disabled.out"
	[ "$(grep -c '^ping: .* bytes from 203\.0\.113\.2:' "$WORLD_DIR/log/disabled.out")" -eq 2 ]
	refute grep -q 'timer armed' "$WORLD_DIR/log/disabled.out"
	[ -z "$(merd_v6_log_lines "$log")" ]
	[ "$(merd_counter "$log" frames_in)" -ge 4 ]
}

@test "merd -4: the guest's IPv6 gets no answer, IPv4 works, no IPv6 log line" {
	local sock=$WORLD_DIR/run/only4.sock log=$WORLD_DIR/log/only4.log rc
	(
		MERD_LOG=$log
		merd_vm_start "$sock" -4 -d
		guest_boot "$sock" '
guest-dhcp | sed "s/^/lease_/"
i=0
until grep -Eq "^Icmp6OutRouterSolicits[[:space:]]+[1-9]" /proc/net/snmp6 || [ $i -ge 100 ]; do
	usleep 100000
	i=$((i + 1))
done
sleep 1
grep -E "^Icmp6(OutRouterSolicits|InRouterAdvertisements) " /proc/net/snmp6 | sed "s/^/snmp: /"
ip -6 addr show dev eth0 scope global | sed "s/^/global: /"
ip -6 route show default | sed "s/^/route: /"
dhcp6_client -n 2 -r | sed "s/^/dhcp6: /"
ping -c 2 -W 2 203.0.113.2 | sed "s/^/ping: /"' && rc=0 || rc=$?
		echo "guest rc=$rc"
		_wait_for 5 grep -q 'guest link closed' "$log" || :
		ra_timer_idle "$MERD_PID" 2>&1 || echo "timer armed"
		merd_vm_stop
	) >"$WORLD_DIR/log/only4.out" 2>&1
	cat "$WORLD_DIR/log/only4.out" "$log"
	grep -qx 'guest rc=0' "$WORLD_DIR/log/only4.out"
	grep -qx 'lease_ip=198\.51\.100\.10' "$WORLD_DIR/log/only4.out"
	[ "$(grep -c '^ping: .* bytes from 203\.0\.113\.2:' "$WORLD_DIR/log/only4.out")" -eq 2 ]
	grep -Eq '^snmp: Icmp6OutRouterSolicits[[:space:]]+[1-9]' "$WORLD_DIR/log/only4.out"
	grep -Eq '^snmp: Icmp6InRouterAdvertisements[[:space:]]+0$' "$WORLD_DIR/log/only4.out"
	refute grep -q '^global: ' "$WORLD_DIR/log/only4.out"
	refute grep -q '^route: ' "$WORLD_DIR/log/only4.out"
	grep -q '^dhcp6: no answer to solicit' "$WORLD_DIR/log/only4.out"
	refute grep -q 'timer armed' "$WORLD_DIR/log/only4.out"
	[ -z "$(merd_v6_log_lines "$log")" ]
}

@test "merd exits 0 on SIGTERM and counted the guest's IPv6" {
	local log=$MERD_LOG
	merd_vm_stop
	[ "$(merd_counter "$log" frames_in)" -gt 1000 ]	# 1 MiB of UDP
	[ "$(merd_counter "$log" dropped)" -eq 0 ]
}
