#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# fwd_ns.bats - Port forwarding (-t, -u) in namespace mode: clients in "inet"
# and on the host's loopback reach TCP and UDP servers in the namespace
# through merd's forwarded ports, over IPv4 and IPv6; translation, ranges,
# bound addresses (IPv4 and IPv6), exclusions; bad specs (exclusions that
# leave nothing among them) and privileged ports refused at start; the
# guest's refusal seen by the client; 16 MiB each way intact; inbound UDP
# flows listed by "merd ctl", then aged out after --udp-timeout.
#
# Each test starts merd --ns with its own -t/-u, the namespace's command
# being fwd_peer's server (test/tools/fwd_peer.c), which logs the address
# and port every client came from. Clients are fwd_peer too, run as root in
# "inet" (bound to 198.51.100.3 / 2001:db8:1::3: not merd's gateway address)
# or in "host". Two host clients the guest would see alike are both served
# (TCP and UDP); a UDP answer leaves from the address the client sent to.
# -T/-U, all, exclusions alone (all but those) and auto: fwd_loop.bats.

load lib/world
load lib/fwd

setup() {
	world_setup && fwd_inet_addrs
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		world_dump_logs
		[ ! -s "${FWD_LOG:-}" ] || { echo "--- guest's server" >&2; cat "$FWD_LOG" >&2; }
	fi
	world_teardown
}

@test "IPv4: TCP and UDP clients in inet reach guest port 80 through -t/-u 8080:80; the server logs 198.51.100.3" {
	fwd_ns_start -t 8080:80 -u 8080:80 -- 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 t4)" "$FWD_INET4" 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 8080 u4)" "$FWD_INET4" 80
	fwd_ns_stop
}

@test "IPv6: TCP and UDP clients in inet reach guest port 80 through -t/-u 8080:80; the server logs 2001:db8:1::3" {
	fwd_ns_start -t 8080:80 -u 8080:80 -- 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 8080 t6)" "$FWD_INET6" 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" udp "$FWD_HOST6" 8080 u6)" "$FWD_INET6" 80
	fwd_ns_stop
}

@test "IPv4: clients on the host's loopback and on its own address are shown as the gateway 198.51.100.1" {
	fwd_ns_start -t 8080:80 -u 8080:80 -- 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - tcp 127.0.0.1 8080 lo-t)" "$FWD_GW4" 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - udp 127.0.0.1 8080 lo-u)" "$FWD_GW4" 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - tcp "$FWD_HOST4" 8080 own-t)" "$FWD_GW4" 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - udp "$FWD_HOST4" 8080 own-u)" "$FWD_GW4" 80
	fwd_ns_stop
}

# v6_local_clients() - TCP and UDP hellos from [::1] and the host's own
# IPv6 address: all shown as merd's link-local
v6_local_clients() {
	local FWD_HELLO_SECS=2
	fwd_check_hello "$(fwd_hello "$HOST_NS" - tcp ::1 8080 lo6-t)" "$FWD_LL6" 80 &&
		fwd_check_hello "$(fwd_hello "$HOST_NS" - udp ::1 8080 lo6-u)" "$FWD_LL6" 80 &&
		fwd_check_hello "$(fwd_hello "$HOST_NS" - tcp "$FWD_HOST6" 8080 own6-t)" "$FWD_LL6" 80 &&
		fwd_check_hello "$(fwd_hello "$HOST_NS" - udp "$FWD_HOST6" 8080 own6-u)" "$FWD_LL6" 80
}

@test "IPv6: clients on the host's loopback and on its own address are shown as merd's link-local" {
	fwd_ns_start -t 8080:80 -u 8080:80 -- 80
	v6_local_clients
	fwd_ns_stop
}

@test "-t 9000-9002:7000-7002 forwards each of the three ports to its own guest port" {
	local p
	fwd_ns_start -t 9000-9002:7000-7002 -- 7000 7001 7002 9003
	for p in 0 1 2; do
		fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 900$p r4-$p)" \
			"$FWD_INET4" 700$p
		fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 900$p r6-$p)" \
			"$FWD_INET6" 700$p
	done
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 9003 past)"
	fwd_ns_stop
}

@test "-t 127.0.0.1/8081:80 is reachable on 127.0.0.1 only" {
	fwd_ns_start -t 127.0.0.1/8081:80 -- 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - tcp 127.0.0.1 8081 lo)" "$FWD_GW4" 80
	fwd_check_refused "$(fwd_hello "$HOST_NS" - tcp "$FWD_HOST4" 8081 own4)"
	fwd_check_refused "$(fwd_hello "$HOST_NS" - tcp ::1 8081 lo6)"
	fwd_check_refused "$(fwd_hello "$HOST_NS" - tcp "$FWD_HOST6" 8081 own6)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8081 inet4)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 8081 inet6)"
	fwd_not grep -q ' id=\(own\|lo6\|inet\)' "$FWD_LOG"
	fwd_ns_stop
}

@test "-t ::1/8081:80 (an IPv6 bind address) is reachable on ::1 only" {
	fwd_ns_start -t ::1/8081:80 -u ::1/8081:80 -- 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - tcp ::1 8081 lo6)" "$FWD_LL6" 80
	fwd_check_hello "$(fwd_hello "$HOST_NS" - udp ::1 8081 lo6u)" "$FWD_LL6" 80
	fwd_check_refused "$(fwd_hello "$HOST_NS" - tcp 127.0.0.1 8081 lo4)"
	fwd_check_refused "$(fwd_hello "$HOST_NS" - tcp "$FWD_HOST6" 8081 own6)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 8081 inet6)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8081 inet4)"
	fwd_not grep -q ' id=\(lo4\|own6\|inet\)' "$FWD_LOG"
	fwd_ns_stop
}

@test "-t 9000-9002,~9001 forwards 9000 and 9002; 9001 is refused though the guest listens there" {
	fwd_ns_start -t 9000-9002,~9001 -- 9000 9001 9002
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 9000 x4-0)" "$FWD_INET4" 9000
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 9002 x4-2)" "$FWD_INET4" 9002
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 9002 x6-2)" "$FWD_INET6" 9002
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 9001 x4-1)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 9001 x6-1)"
	fwd_check_refused "$(fwd_hello "$HOST_NS" - tcp 127.0.0.1 9001 xlo-1)"
	fwd_not grep -q ' id=x[a-z0-9]*-1 ' "$FWD_LOG"
	fwd_ns_stop
}

# ns_once() - merd --ns OPT SPEC, running a command that leaves a mark
ns_once() {
	rm -f "$WORLD_DIR/run/ran"
	merd_ns "$@" -- touch "$WORLD_DIR/run/ran"
}

@test "bad -t and -u specs are refused at start: status 1, one line naming the bad part or the spec" {
	while read -r opt spec part; do
		fwd_bad_spec ns_once "$part" "$opt" "$spec"
		[ ! -e "$WORLD_DIR/run/ran" ]
	done <<-'EOF'
	-t 80x '80x'
	-t 1-10:5-6 '1-10:5-6'
	-t 70000 '70000'
	-t 0 '0'
	-t 10-5 '10-5'
	-t 80: '80:'
	-t 1-2:65535-65536 '1-2:65535-65536'
	-t 8080,81x,8082 '81x'
	-t 999.1.1.1/8080 '999.1.1.1'
	-t ::1x/8080 '::1x'
	-t ~8080x '~8080x'
	-t 8080:80,~8080 '8080:80,~8080': its exclusions leave no port
	-t 1-3,~1-3 '1-3,~1-3': its exclusions leave no port
	-t , ',': no ports
	-u 53x '53x'
	-u 1000-1001:2000-2002 '1000-1001:2000-2002'
	-u 65536 '65536'
	-u 1000-1001,~999-1002 '1000-1001,~999-1002': its exclusions leave no port
	EOF
}

@test "-T and -U refuse all and exclusions alone: only -t and -u take every port" {
	fwd_bad_spec ns_once "'all'" -T all
	fwd_bad_spec ns_once "'all'" -U all
	fwd_bad_spec ns_once "'~22'" -T "~22"
	fwd_bad_spec ns_once "'~53'" -U "~53"
	[ ! -e "$WORLD_DIR/run/ran" ]
}

@test "-t none and -u none forward nothing and start" {
	ns_once -t none -u none
	[ -e "$WORLD_DIR/run/ran" ]
}

@test "a host port below net.ipv4.ip_unprivileged_port_start is refused with a line naming the sysctl" {
	in_host sysctl -qw net.ipv4.ip_unprivileged_port_start=1024
	fwd_bad_spec ns_once net.ipv4.ip_unprivileged_port_start -t 80
	grep -q 'port 80\b' "$MERD_LOG"
	fwd_bad_spec ns_once net.ipv4.ip_unprivileged_port_start -u 1023:53
	grep -q 'port 1023\b' "$MERD_LOG"
	fwd_bad_spec ns_once net.ipv4.ip_unprivileged_port_start -t 8080,1000-1001
	grep -q 'port 1000\b' "$MERD_LOG"
	[ ! -e "$WORLD_DIR/run/ran" ]
}

@test "host port 80 is forwarded once net.ipv4.ip_unprivileged_port_start allows it" {
	in_host sysctl -qw net.ipv4.ip_unprivileged_port_start=80
	fwd_ns_start -t 80 -u 80 -- 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 80 p80t)" "$FWD_INET4" 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 80 p80u)" "$FWD_INET4" 80
	fwd_ns_stop
}

@test "the guest refusing (no server on its port) resets the host's client within 1 s" {
	fwd_ns_start -t 8080:80 -t 8090:91 -- 80
	fwd_check_reset "$(fwd_hello "$HOST_NS" - tcp 127.0.0.1 8090 lo)" 1000
	fwd_check_reset "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8090 in4)" 1000
	fwd_check_reset "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 8090 in6)" 1000
	# merd is none the worse: the next client is served
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 after)" "$FWD_INET4" 80
	fwd_ns_stop
}

@test "16 MiB each way through a forwarded TCP port, IPv4 and IPv6, SHA-256 intact" {
	local n=$((16 << 20)) out
	fwd_ns_start -t 8080:80 -- 80
	out=$(fwd_cli "$INET_NS" -b "$FWD_INET4" -t 60 -i up4 tcp "$FWD_HOST4" 8080 up $n)
	fwd_check_up "$out" $n
	out=$(fwd_cli "$INET_NS" -b "$FWD_INET4" -t 60 -i down4 tcp "$FWD_HOST4" 8080 down $n)
	fwd_check_down "$out" $n
	out=$(fwd_cli "$INET_NS" -b "$FWD_INET6" -t 60 -i up6 tcp "$FWD_HOST6" 8080 up $n)
	fwd_check_up "$out" $n
	out=$(fwd_cli "$INET_NS" -b "$FWD_INET6" -t 60 -i down6 tcp "$FWD_HOST6" 8080 down $n)
	fwd_check_down "$out" $n
	out=$(fwd_cli "$HOST_NS" -t 60 -i uplo tcp 127.0.0.1 8080 up $n)
	fwd_check_up "$out" $n
	fwd_ns_stop
}

@test "right after start: refused until merd listens, reset until the guest's server listens, then served" {
	local i=0 line r seen=refused lines=()
	FWD_SERVE_DELAY=1 fwd_ns_start -t 8080:80 -- 80
	while [ "$seen" != ok ] || [ $i -lt 8 ]; do
		i=$((i + 1))
		if ((i % 2)); then
			line=$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 s$i)
		else
			line=$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 8080 s$i)
		fi
		lines+=("$line")
		r=$(fwd_kv result "$line")
		case $seen/$r in
		refused/ECONNREFUSED) ;;
		refused/ECONNRESET | reset/ECONNRESET)
			seen=reset
			fwd_check_reset "$line" 500 ;;
		*/OK)
			seen=ok
			fwd_check_hello "$line" "$([ $((i % 2)) = 1 ] && echo "$FWD_INET4" ||
						   echo "$FWD_INET6")" 80 ;;
		*)
			printf '%s\n' "${lines[@]}"
			false ;;
		esac
		[ $i -lt 100 ]
		sleep 0.05
	done
	printf '%s\n' "${lines[@]}"
	echo "$(grep -c ' result=ECONNRESET ' <<<"$(printf '%s\n' "${lines[@]}")") resets"
	fwd_ns_stop
}

# collision() - Two TCP clients the guest would see as the same address and
# port: 127.0.0.1:40000 and the host's 198.51.100.10:40000 (both are shown
# as 198.51.100.1:40000), the first one still connected; both must be served
collision() {
	local FWD_HELLO_SECS=2
	local a b
	fwd_cli "$HOST_NS" -b 127.0.0.1 -p 40000 -k 2 -i ca tcp 127.0.0.1 8080 hello \
		>"$WORLD_DIR/run/ca.out" &
	sleep 0.5
	b=$(fwd_hello "$HOST_NS" "$FWD_HOST4" tcp "$FWD_HOST4" 8080 cb -p 40000)
	wait $!
	a=$(cat "$WORLD_DIR/run/ca.out")
	fwd_check_hello "$a" "$FWD_GW4" 80 any && fwd_check_hello "$b" "$FWD_GW4" 80 any
}

@test "two host clients that map to the same gateway address and port are both served" {
	fwd_ns_start -t 8080:80 -- 80
	collision
	fwd_ns_stop
}

# udp_collision() - Two UDP clients the guest would see alike: 127.0.0.1:40001
# and 198.51.100.10:40001; each must get its own answer
udp_collision() {
	local FWD_HELLO_SECS=2
	local a b
	a=$(fwd_hello "$HOST_NS" 127.0.0.1 udp 127.0.0.1 8080 ua -p 40001)
	b=$(fwd_hello "$HOST_NS" "$FWD_HOST4" udp "$FWD_HOST4" 8080 ub -p 40001)
	fwd_check_hello "$a" "$FWD_GW4" 80 any && fwd_check_hello "$b" "$FWD_GW4" 80 any &&
		[ "$(fwd_kv sport "$(fwd_log_line ua)")" != "$(fwd_kv sport "$(fwd_log_line ub)")" ]
}

@test "two UDP host clients that map to the same gateway address and port each get their answer" {
	fwd_ns_start -u 8080:80 -- 80
	udp_collision
	fwd_ns_stop
}

# udp_second_addr() - A UDP client in inet sends to the host's second
# address 198.51.100.11; the answer must come back from that address
udp_second_addr() {
	local FWD_HELLO_SECS=2
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp 198.51.100.11 8080 second)" \
		"$FWD_INET4" 80
}

@test "a UDP answer comes back from the host address the client sent to" {
	in_host ip addr add 198.51.100.11/24 dev veth0
	fwd_ns_start -u 8080:80 -- 80
	udp_second_addr
	fwd_ns_stop
}

# udp_port_taken() - While merd forwards UDP 8080, user nobody binds
# 0.0.0.0:8080 with SO_REUSEADDR: that must fail, or get nothing
udp_port_taken() {
	local FWD_HELLO_SECS=2
	local thief
	in_host setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("0.0.0.0", 8080))
except OSError as e:
    print("bind refused:", e.strerror, flush=True); sys.exit(0)
print("bound", flush=True)
s.settimeout(3)
try:
    print("received", s.recv(100), flush=True)
except socket.timeout:
    print("received nothing", flush=True)' >"$WORLD_DIR/run/thief.out" 2>&1 &
	thief=$!
	_wait_for 5 grep -q . "$WORLD_DIR/run/thief.out"
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 8080 victim)" \
		"$FWD_INET4" 80
	local rc=$?
	wait "$thief"
	echo "nobody: $(cat "$WORLD_DIR/run/thief.out")"
	[ $rc -eq 0 ] && fwd_not grep -q '^received b' "$WORLD_DIR/run/thief.out"
}

@test "another user cannot take over a forwarded UDP port" {
	fwd_ns_start -u 8080:80 -- 80
	udp_port_taken
	fwd_ns_stop
}

# dup_udp() - merd -u 8080 -u 8080:90 must be refused like the TCP case
dup_udp() {
	fwd_bad_spec ns_once 8080 -u 8080 -u 8080:90
}

@test "the same host port given twice is refused, for UDP as for TCP" {
	fwd_bad_spec ns_once 8080 -t 8080 -t 8080:90
	dup_udp
}

# udp_flows() - Print the udp rows of "merd ctl SOCK flows"
udp_flows() {
	as_user "$MERD" ctl "$1" flows | grep -E '^[0-9]+ +udp ' || :
}

@test "an inbound UDP flow (-u) is listed by merd ctl, then gone after --udp-timeout" {
	local sock=$WORLD_DIR/run/ctl.sock rows
	fwd_ns_start -u 8080:80 --ctl "$sock" --udp-timeout 3 -- 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 8080 age4)" \
		"$FWD_INET4" 80
	rows=$(udp_flows "$sock")
	echo "after the exchange: $rows"
	# guest 198.51.100.10:80, remote the real client 198.51.100.3, answered
	grep -qE '^[0-9]+ +udp +17 +guest +198\.51\.100\.10 +80 +198\.51\.100\.3 +[0-9]+ +answered +' <<<"$rows"
	sleep 1
	[ -n "$(udp_flows "$sock")" ]	# not before the timeout
	_wait_for 5 eval '[ -z "$(udp_flows "$sock")" ]'
	echo "after the timeout: $(udp_flows "$sock")"
	fwd_ns_stop
}
