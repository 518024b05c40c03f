#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ipv6_ns.bats - Namespace mode over IPv6: SLAAC and the route from merd's
# advertisements, DHCPv6 (stateful, Rapid Commit, stateless), ICMPv6 echo,
# DNS over IPv6, UDP over IPv6, -4 and -6, malformed IPv6 frames.
#
# merd configures tap0 itself (2001:db8:1::10/64, default via its link-local);
# the SLAAC and DHCPv6 tests remove that and let the guest's kernel or
# dhcp6_client do it from what merd advertises.

load lib/world
load lib/ipv6

setup() {
	world_setup
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	world_teardown
}

# Drop merd's static set-up of tap0, bounce the link: the kernel solicits
SLAAC_SCRIPT=$NS_FUNCS'
echo "mac=$(ip -o link show dev tap0 | sed "s/.*link.ether \([0-9a-f:]*\) .*/\1/")"
ip -6 addr flush dev tap0 scope global
ip -6 route del default
ip link set tap0 down && ip link set tap0 up || exit 1
wait_addr "scope global dynamic" 20 || exit 1
ip -6 -o addr show dev tap0 scope global | sed "s/^/addr: /"
i=0
while ! ip -6 route show default | grep -q "proto ra" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip -6 route show default | sed "s/^/route: /"
grep -E "^Icmp6(OutRouterSolicits|InRouterAdvertisements) " /proc/net/snmp6 |
	sed "s/^/snmp: /"
'

@test "namespace gets 2001:db8:1::10/64 and a default route via merd's link-local" {
	run merd_ns -- sh -c 'ip -6 -o addr show dev tap0 scope global
			      ip -6 route show default'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'inet6 2001:db8:1::10/64 scope global' <<<"$output"
	grep -q "^default via $ROUTER_LL_RE dev tap0" <<<"$output"
}

@test "namespace configures a global address by SLAAC from merd's prefix" {
	local mac addr want
	run merd_ns -- sh -c "$SLAAC_SCRIPT"
	echo "$output"
	[ "$status" -eq 0 ]
	mac=$(sed -n 's/^mac=//p' <<<"$output")
	want=$(ip6_norm "2001:db8:1:0:$(eui64 "$mac")")
	echo "expected $want/64 (EUI-64 of $mac)"
	[ "$(grep -c '^addr: ' <<<"$output")" -eq 1 ]
	addr=$(sed -n 's/^addr: .* inet6 \([^ ]*\) scope global dynamic .*/\1/p' <<<"$output")
	[ "$addr" = "$want/64" ]
	# the lifetimes are those of merd's prefix option
	grep -Eq '^addr: .*valid_lft (8640[0-9]|863[0-9][0-9])sec preferred_lft 14[34][0-9][0-9]sec' \
		<<<"$output"
	grep -Eq '^snmp: Icmp6InRouterAdvertisements[[:space:]]+[1-9]' <<<"$output"
}

@test "namespace learns its default route via merd's link-local from the advertisement" {
	run merd_ns -- sh -c "$SLAAC_SCRIPT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^route: ' <<<"$output")" -eq 1 ]
	grep -q "^route: default via $ROUTER_LL_RE dev tap0 proto ra .*hoplimit 64" <<<"$output"
}

@test "namespace pings 2001:db8:2::2 from its SLAAC address" {
	run merd_ns -- sh -c "$SLAAC_SCRIPT"'
a=$(ip -6 -o addr show dev tap0 scope global | awk "{ print \$4 }" | cut -d/ -f1)
busybox ping -c 3 -W 2 -I "$a" 2001:db8:2::2'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 2001:db8:2::2:' <<<"$output")" -eq 3 ]
}

@test "merd's router advertisement: prefix L+A, MTU, RDNSS, DNSSL, M and O" {
	IPV6_SEARCH="merd.test example.org" ipv6_resolv 2001:db8:2::53 203.0.113.53
	run merd_ns -- "$WORLD_BIN/inject-frames6.py" ra tap tap0
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(guest_v ra_src)" = "$ROUTER_LL" ]
	[ "$(guest_v ra_src_mac)" = 9a:55:9a:55:9a:55 ]
	[ "$(guest_v ra_slla)" = 9a:55:9a:55:9a:55 ]
	[ "$(guest_v ra_hlim)" = 255 ]
	[ "$(guest_v ra_csum_ok)" = 1 ]
	[ "$(guest_v ra_flags)" = M,O ]
	[ "$(guest_v ra_lifetime)" -gt 0 ]
	[ "$(guest_v ra_mtu)" = 65520 ]
	[ "$(guest_v ra_prefix)" = 2001:db8:1::/64 ]
	[ "$(guest_v ra_prefix_flags)" = L,A ]
	[ "$(guest_v ra_prefix_valid)" -ge "$(guest_v ra_prefix_preferred)" ]
	[ "$(guest_v ra_rdnss)" = 2001:db8:2::53 ]
	[ "$(guest_v ra_dnssl)" = "merd.test example.org" ]
}

@test "DHCPv6 Solicit, Advertise, Request, Reply gives the guest 2001:db8:1::10" {
	run merd_ns -- sh -c "$NS_FUNCS"'
ip -6 addr flush dev tap0 scope global
'"$WORLD_BIN"'/dhcp6_client -i tap0 -a || exit 1
wait_addr "inet6 2001:db8:1::10/128" 10 || exit 1
busybox ping -c 2 -W 2 -I 2001:db8:1::10 2001:db8:2::2'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(guest_v exchange)" = solicit,advertise,request,reply ]
	[ "$(guest_v server)" = "$ROUTER_LL" ]
	[ "$(guest_v server_duid)" = "$MERD_DUID" ]
	[ "$(guest_v rapid_commit)" = 0 ]
	[ "$(guest_v addr)" = 2001:db8:1::10 ]
	[ "$(guest_v applied)" = 2001:db8:1::10/128 ]
	[ "$(guest_v preferred)" -gt 0 ]
	[ "$(guest_v valid)" -ge "$(guest_v preferred)" ]
	[ "$(grep -c 'bytes from 2001:db8:2::2:' <<<"$output")" -eq 2 ]
}

@test "DHCPv6 with Rapid Commit: the Solicit is answered by a Reply with 2001:db8:1::10" {
	run merd_ns -- "$WORLD_BIN/dhcp6_client" -i tap0 -r -c
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(guest_v exchange)" = solicit,reply ]
	[ "$(guest_v rapid_commit)" = 1 ]
	[ "$(guest_v addr)" = 2001:db8:1::10 ]
	[ "$(guest_v server_duid)" = "$MERD_DUID" ]
	for m in renew rebind confirm release; do
		[ "$(guest_v $m)" = ok ]
	done
}

@test "DHCPv6 Information-request gives the resolvers and the search list" {
	IPV6_SEARCH="merd.test example.org" \
		ipv6_resolv 2001:db8:2::53 203.0.113.53 2001:db8:2::54
	run merd_ns -- "$WORLD_BIN/dhcp6_client" -i tap0 -I
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(guest_v exchange)" = information-request,reply ]
	[ "$(guest_v dns)" = "2001:db8:2::53 2001:db8:2::54" ]
	[ "$(guest_v domains)" = "merd.test example.org" ]
	refute grep -q '^addr=' <<<"$output"
}

@test "namespace pings 2001:db8:2::2 through merd" {
	run merd_ns -- busybox ping -c 3 -W 2 2001:db8:2::2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 2001:db8:2::2:' <<<"$output")" -eq 3 ]
	[ "$(merd_counter "$MERD_LOG" flows_created)" -ge 1 ]
}

@test "namespace pings merd's link-local address" {
	run merd_ns -- sh -c "$NS_FUNCS"'
wait_addr "scope link" 10 || exit 1
busybox ping -c 3 -W 2 '"$ROUTER_LL"'%tap0'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c "bytes from $ROUTER_LL_RE:" <<<"$output")" -eq 3 ]
	# answered by merd itself: no flow, no socket
	[ "$(merd_counter "$MERD_LOG" flows_created)" -eq 0 ]
}

@test "namespace resolves peer.merd.test AAAA through the host's IPv6 resolver" {
	ipv6_resolv 2001:db8:2::53
	run merd_ns -- sh -c 'cat /etc/resolv.conf; getent ahostsv6 peer.merd.test'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eqx 'nameserver[[:space:]]+2001:db8:2::53' <<<"$output"
	refute grep -q 'nameserver[[:space:]]*[0-9]*\.' <<<"$output"
	grep -Eq '^2001:db8:2::2[[:space:]].*peer\.merd\.test' <<<"$output"
	# the world's DNS server saw the AAAA query over IPv6, from the host
	grep -q '^query peer\.merd\.test 28 from 2001:db8:1::10 to 2001:db8:2::53$' \
		"$WORLD_DIR/log/dns.queries"
}

@test "a loopback IPv6 resolver of the host is reached through the gateway's address" {
	ipv6_loopback_resolver
	run merd_ns -- sh -c 'cat /etc/resolv.conf
			      "$0" 2001:db8:1::1 peer.merd.test AAAA' \
		"$WORLD_BIN/dns-query.py"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eqx 'nameserver[[:space:]]+2001:db8:1::1' <<<"$output"
	grep -qx 'answer=2001:db8:2::2' <<<"$output"
	grep -q '^query peer\.merd\.test 28 .* to ::1$' "$WORLD_DIR/log/dns-lo6.queries"
	refute grep -q 'peer\.merd\.test' "$WORLD_DIR/log/dns.queries"
}

@test "namespace echoes 1 MiB over UDP over IPv6 intact" {
	run merd_ns -- "$WORLD_BIN/udp_echo_check" 2001:db8:2::2 7 1048576 1024 30
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^udp_echo_check: OK 1024 datagrams, 1048576 bytes' <<<"$output"
}

@test "at MTU 1500, UDP datagrams of 1400 to 65000 bytes go both ways intact (IPv6 fragments)" {
	# the namespace's kernel fragments what it sends, merd reassembles;
	# merd fragments the echoes, the namespace's kernel reassembles
	run merd_ns -m 1500 -- sh -c 'ip -o link show dev tap0
		for s in 1400 4000 9000 65000; do
			"$0" 2001:db8:2::2 7 $((s * 4)) $s 30 || exit 1
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

@test "at MTU 1500, a 3000-byte DNS answer over UDP and 4000-byte pings reach the namespace (IPv6)" {
	run merd_ns -m 1500 -- sh -c '"$0" 2001:db8:2::53 big.merd.test TXT &&
		busybox ping -c 2 -W 3 -s 4000 2001:db8:2::2' "$WORLD_BIN/dns-query.py"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'rcode=0' <<<"$output"
	grep -qx 'txt=3000 f299f4a3a9e2d1f99276ba52ab815d98c061c571a4c6883e9a69f6d8c07532ac' <<<"$output"
	[ "$(grep -c '^4008 bytes from 2001:db8:2::2' <<<"$output")" -eq 2 ]
	[ "$(merd_counter "$MERD_LOG" frags_reassembled)" -ge 2 ]
}

@test "UDP to a closed port of an IPv6 peer is refused (ICMPv6 port unreachable)" {
	run merd_ns -- "$WORLD_BIN/udp_echo_check" 2001:db8:2::2 9 100 100 3
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Eq '^udp_echo_check: FAIL .* [1-9][0-9]* refused$' <<<"$output"
}

@test "merd -4 ignores the guest's IPv6: no advertisement, no IPv6 log line, no timer" {
	merd_ns_bg -4 -d -- sh -c '
i=0
until grep -Eq "^Icmp6OutRouterSolicits[[:space:]]+[1-9]" /proc/net/snmp6 || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
echo solicited
sleep 2
grep -E "^Icmp6(OutRouterSolicits|InRouterAdvertisements|InNeighborAdvertisements) " /proc/net/snmp6
ip -6 addr show dev tap0 scope global | sed "s/^/global: /"
ip -6 route show default | sed "s/^/route: /"
ip -4 -o addr show dev tap0'
	_wait_for 15 grep -q '^solicited$' "$WORLD_DIR/log/ns-cmd.out"
	run ra_timer_armed "$MERD_NS_PID"
	[ "$status" -eq 1 ]
	merd_ns_wait
	cat "$WORLD_DIR/log/ns-cmd.out" "$MERD_LOG"
	out=$(cat "$WORLD_DIR/log/ns-cmd.out")
	grep -Eq '^Icmp6OutRouterSolicits[[:space:]]+[1-9]' <<<"$out"
	grep -Eq '^Icmp6InRouterAdvertisements[[:space:]]+0$' <<<"$out"
	grep -Eq '^Icmp6InNeighborAdvertisements[[:space:]]+0$' <<<"$out"
	refute grep -q '^global: ' <<<"$out"
	refute grep -q '^route: ' <<<"$out"
	grep -q 'inet 198\.51\.100\.10/24' <<<"$out"
	[ -z "$(merd_v6_log_lines "$MERD_LOG")" ]
	# the guest's IPv6 frames came in, and were ignored; merd sent nothing
	[ "$(merd_counter "$MERD_LOG" frames_in)" -ge 2 ]
	[ "$(merd_counter "$MERD_LOG" frames_out)" -eq 0 ]
	[ "$(merd_counter "$MERD_LOG" ignored)" -eq "$(merd_counter "$MERD_LOG" frames_in)" ]
}

@test "merd arms its 300 s advertisement timer once the guest sends IPv6" {
	merd_ns_bg -- sh -c 'busybox ping -c 1 -W 2 2001:db8:2::2; echo pinged; sleep 2'
	_wait_for 15 grep -q '^pinged$' "$WORLD_DIR/log/ns-cmd.out"
	ra_timer_armed "$MERD_NS_PID"
	merd_ns_wait
}

@test "merd -6 serves IPv6 alone" {
	ipv6_resolv 203.0.113.53 2001:db8:2::53
	run merd_ns -6 -- sh -c 'ip -4 -o addr show dev tap0 | sed "s/^/v4: /"
				 ip -4 route show | sed "s/^/v4route: /"
				 cat /etc/resolv.conf
				 busybox ping -c 2 -W 2 2001:db8:2::2
				 getent ahostsv6 peer.merd.test
				 "$0" -i tap0 -r' "$WORLD_BIN/dhcp6_client"
	echo "$output"
	[ "$status" -eq 0 ]
	refute grep -q '^v4: ' <<<"$output"
	refute grep -q '^v4route: ' <<<"$output"
	grep -Eqx 'nameserver[[:space:]]+2001:db8:2::53' <<<"$output"
	refute grep -q 'nameserver[[:space:]]*203\.' <<<"$output"
	[ "$(grep -c 'bytes from 2001:db8:2::2:' <<<"$output")" -eq 2 ]
	grep -Eq '^2001:db8:2::2[[:space:]].*peer\.merd\.test' <<<"$output"
	[ "$(guest_v addr)" = 2001:db8:1::10 ]
}

@test "merd -6 leaves the guest's IPv4 unanswered, ARP included" {
	ipv6_resolv 2001:db8:2::53
	run merd_ns -6 -d -- sh -c 'ip addr add 198.51.100.10/24 dev tap0
				    ip route add default via 198.51.100.1
				    busybox ping -c 2 -W 1 203.0.113.2
				    ip -4 neigh show dev tap0 | sed "s/^/neigh: /"'
	echo "$output"
	refute grep -q 'bytes from 203\.0\.113\.2:' <<<"$output"
	refute grep -q '^neigh: 198\.51\.100\.1 .*lladdr' <<<"$output"
	grep -Eq '^neigh: 198\.51\.100\.1 (INCOMPLETE|FAILED)' <<<"$output"
}

@test "multicast merd does not serve is ignored quietly" {
	run merd_ns -d -- sh -c "$NS_FUNCS"'
wait_addr "scope link" 10 || exit 1
"$0" mcast tap0' "$WORLD_BIN/inject-frames6.py"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'multicast datagrams sent: 20' <<<"$output"
	[ "$(merd_counter "$MERD_LOG" flows_created)" -eq 0 ]
	[ "$(merd_counter "$MERD_LOG" ignored)" -ge 20 ]
	[ "$(merd_counter "$MERD_LOG" dropped)" -eq 0 ]
	[ -z "$(merd_v6_log_lines "$MERD_LOG")" ]
}

@test "malformed IPv6 frames on tap0 are dropped and counted, IPv6 ping still works" {
	local sent line
	run merd_ns -- sh -c "'$WORLD_BIN/inject-frames6.py' bad tap tap0 &&
			      busybox ping -c 3 -W 2 2001:db8:2::2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 2001:db8:2::2:' <<<"$output")" -eq 3 ]
	sent=$(sed -n 's/^bad frames sent: //p' <<<"$output")
	[ "$sent" -ge 20 ]
	check_expected_drops "$MERD_LOG" "$sent" "$output"
}
