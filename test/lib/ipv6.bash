# SPDX-License-Identifier: GPL-2.0-or-later
# ipv6.bash - Helpers of the IPv6 suites, sourced after world.bash (and
# guest.bash): the world's resolvers, merd in the background in namespace
# mode, merd's router advertisement timer (read from /proc/PID/fdinfo), IPv6
# lines in merd's log, EUI-64 addresses, KEY=value results (guest_v), the
# drop counters inject-frames6.py expects, and refute (a negation bats heeds).
#
# The world installs dhcp6_client (a static DHCPv6 client, test/tools) too,
# and guest.bash puts it in the guest's /bin with the other world tools.

WORLD_TOOLS="$WORLD_TOOLS dhcp6_client"

ROUTER_LL=fe80::9855:9aff:fe55:9a55	# merd's link-local: from 9a:55:9a:55:9a:55
ROUTER_LL_RE='fe80::9855:9aff:fe55:9a55'
MERD_DUID=000300019a559a559a55		# DUID-LL of merd's MAC

# ipv6_resolv() - Give "host" a resolv.conf naming NAMESERVER... and the
# search list in $IPV6_SEARCH (default merd.test); merd reads it at start
ipv6_resolv() {
	local f=/etc/netns/$HOST_NS/resolv.conf ns
	: >"$f"
	for ns in "$@"; do
		echo "nameserver $ns" >>"$f"
	done
	echo "search ${IPV6_SEARCH:-merd.test}" >>"$f"
	in_host grep -qx "nameserver $1" /etc/resolv.conf ||
		world_fail "host netns does not see its own resolv.conf"
}

# ipv6_loopback_resolver() - Serve DNS on [::1]:53 inside "host" (queries
# logged in log/dns-lo6.queries) and make it the host's only resolver
ipv6_loopback_resolver() {
	world_peer_start dns-lo6 "$HOST_NS" "$WORLD_BIN/dns-server.py" \
		--log "$WORLD_DIR/log/dns-lo6.queries" '[::1]:53' || return 1
	ipv6_resolv ::1
}

# merd_ns_bg() - Start merd --ns ARGS... as the test user in the background,
# stderr to $MERD_LOG; sets MERD_NS_PID (merd itself, the exec'd process)
merd_ns_bg() {
	user_argv "$MERD" --ns "$@"
	(cd "$WORLD_DIR" && exec timeout -k 5 "${MERD_NS_TIMEOUT:-120}" \
		"${USER_ARGV[@]}") </dev/null >"$WORLD_DIR/log/ns-cmd.out" \
		2>"$MERD_LOG" 3>&- &
	MERD_NS_WRAP=$!
	echo "$MERD_NS_WRAP" >>"$WORLD_DIR/pids"
	MERD_NS_PID=
	_wait_for 5 _merd_ns_pid || world_fail "merd did not start" || return 1
}

# _merd_ns_pid() - Find merd under the timeout wrapper
_merd_ns_pid() {
	local p
	for p in $(_world_tree "$MERD_NS_WRAP"); do
		if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = merd ] &&
		   [ "$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")" = "$MERD_NS_WRAP" ]; then
			MERD_NS_PID=$p
			return 0
		fi
	done
	return 1
}

# merd_ns_wait() - Wait for merd started by merd_ns_bg; return its status
merd_ns_wait() {
	local rc=0
	wait "$MERD_NS_WRAP" || rc=$?
	MERD_NS_PID=
	return "$rc"
}

# merd_timers() - Print one line per timerfd of merd PID: "fd N value S.NS
# interval S.NS" (value 0.0: disarmed)
merd_timers() {
	local fd n
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:[timerfd]" ] || continue
		n=${fd##*/}
		awk -v n="$n" '
			/^it_value:/ { gsub(/[(),]/, " "); v = $2 "." $3 }
			/^it_interval:/ { gsub(/[(),]/, " "); i = $2 "." $3 }
			END { print "fd " n " value " v " interval " i }' \
			"/proc/$1/fdinfo/$n"
	done
}

# ra_timer_armed() - True if merd PID has a periodic timer of 300 s armed:
# the unsolicited router advertisements (the flow timer is never periodic)
ra_timer_armed() {
	local t
	t=$(merd_timers "$1")
	echo "$t" >&2
	[ -n "$t" ] || world_fail "no timerfd in merd $1" || return 2
	grep -q ' interval 300\.0$' <<<"$t"
}

# ra_timer_idle() - True if merd PID has timerfds but none periodic
ra_timer_idle() {
	local t
	t=$(merd_timers "$1")
	echo "$t" >&2
	[ -n "$t" ] && ! grep -q ' interval [1-9][0-9]*\.\| interval 0\.[1-9]' <<<"$t"
}

# merd_v6_log_lines() - Print the lines of merd's LOG that speak of IPv6
# (the counters line aside; paths, which hold random names, are cut out)
merd_v6_log_lines() {
	grep -v 'merd: counters: ' "$1" | sed 's#/[^ ]*#PATH#g' |
		grep -Ei 'ipv6|ip6|icmpv?6|ndp|dhcpv6|neighbou?r|router|advert|solicit|slaac|fe80:|2001:db8' ||
		:
}

# eui64() - Print the modified EUI-64 interface identifier of MAC, as the
# last 64 bits of an IPv6 address in ip's notation ("5054:ff:fe12:3456")
eui64() {
	local IFS=: b
	read -r -a b <<<"$1"
	printf '%x:%x:%x:%x\n' $(((0x${b[0]} ^ 2) << 8 | 0x${b[1]})) \
		$((0x${b[2]} << 8 | 0xff)) $((0xfe << 8 | 0x${b[3]})) \
		$((0x${b[4]} << 8 | 0x${b[5]}))
}

# ip6_norm() - Print IPv6 address ADDR in its canonical (RFC 5952) form
ip6_norm() {
	python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' "$1"
}

# The shell functions namespace-mode commands use (prepend to the script):
# wait_addr PATTERN SECS: until an address line of tap0 matches PATTERN and
# is no longer tentative
NS_FUNCS='
wait_addr() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		ip -6 addr show dev tap0 | grep -- "$1" | grep -qv tentative && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "no address matching $1 on tap0 after $2 s"
	ip -6 addr show dev tap0
	return 1
}
'

# guest_v() - Print the value of the KEY=value line(s) KEY in $output
guest_v() {
	sed -n "s/^$1=//p" <<<"$output"
}

# check_expected_drops() - Check LOG's counters after inject-frames6.py bad:
# dropped >= SENT, and each "expect drop_X=N" line of OUTPUT: drop_X >= N
check_expected_drops() {
	local log=$1 sent=$2 c n v
	v=$(merd_counter "$log" dropped)
	echo "dropped=$v, bad frames sent=$sent"
	[ "$v" -ge "$sent" ] || return 1
	while read -r c n; do
		v=$(merd_counter "$log" "$c") || return 1
		echo "$c=$v (expected at least $n)"
		[ "$v" -ge "$n" ] || return 1
	done < <(sed -n 's/^expect \(drop_[a-z0-9_]*\)=\([0-9]*\)$/\1 \2/p' <<<"$3")
	[ -n "$(sed -n '/^expect drop_/p' <<<"$3")" ]
}

# refute() - Succeed only if COMMAND... fails. Use it rather than "! COMMAND"
# in a test: bats (set -e) does not stop at a negated command that succeeds
refute() {
	! "$@"
}
