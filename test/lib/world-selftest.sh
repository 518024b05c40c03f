#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# world-selftest.sh - Check the test world itself, without merd (as root):
# it builds and tears down cleanly twice, its DNS server answers, its UDP echo
# server passes udp_echo_check over IPv4 and IPv6 straight from "host", and the
# guest boots under qemu and reports. Prints TAP; exits 1 on any failure.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/world.bash"
source "$here/guest.bash"
export MERD_BIN=${MERD_BIN:-/bin/true}	# the world only installs it
n=0 fails=0

# check() - Run COMMAND..., print a TAP line for DESCRIPTION
check() {
	local what=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		sed 's/^/#   /' <<<"$out"
		fails=$((fails + 1))
	fi
}

# dns_is() - True if SERVER answers NAME TYPE with EXPECTED (rcode=N or answer=ADDR)
dns_is() {
	local out
	out=$(in_host "$WORLD_BIN/dns-query.py" "$1" "$2" "$3") || return 1
	echo "$out"
	grep -qx "$4" <<<"$out"
}

for round in 1 2; do
	n=$((n + 1))
	if world_setup; then
		echo "ok $n - round $round: world builds"
	else
		echo "not ok $n - round $round: world builds"
		fails=$((fails + 1))
	fi
	id=$WORLD_ID dir=$WORLD_DIR
	check "host resolv.conf is the world's" in_host grep -qx 'nameserver 203.0.113.53' /etc/resolv.conf
	check "host has no route but the world's" eval \
		'[ "$(in_host ip -4 route | tee /dev/stderr | wc -l)" -eq 2 ]'
	check "DNS A peer.merd.test" dns_is 203.0.113.53 peer.merd.test A answer=203.0.113.2
	check "DNS AAAA over IPv6" dns_is 2001:db8:2::53 peer.merd.test AAAA answer=2001:db8:2::2
	check "DNS NXDOMAIN" dns_is 203.0.113.53 nope.merd.test A rcode=3
	check "UDP echo 1 MiB over IPv4" as_user "$WORLD_BIN/udp_echo_check" 203.0.113.2 7 1048576
	check "UDP echo 1 MiB over IPv6" as_user "$WORLD_BIN/udp_echo_check" 2001:db8:2::2 7 1048576 1400
	check "ping socket allowed to the test user" as_user /usr/bin/python3 -c \
		'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)'
	check "loopback resolver answers" eval \
		'world_loopback_resolver && dns_is 127.0.0.53 peer.merd.test A answer=203.0.113.2'
	if [ "$round" = 2 ]; then
		t0=$SECONDS
		check "guest boots without network and reports" eval \
			'out=$(guest_boot "" "echo hello-from-guest; exit 3"); rc=$?
			 echo "$out"; [ $rc -eq 3 ] && grep -qx hello-from-guest <<<"$out"'
		echo "# guest boot took $((SECONDS - t0)) s"
	fi
	world_teardown
	check "round $round: nothing left" sh -c "! ip netns list | grep -q $id &&
		[ ! -e $dir ] && [ ! -e /etc/netns/merd-host-$id ]"
done
echo "1..$n"
[ "$fails" -eq 0 ]
