#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# slirp4netns.bats - merd invoked as "slirp4netns" (a symbolic link), with
# the command lines podman 4 and rootlesskit 1 use: the namespace gets
# slirp4netns's network (10.0.2.100/24, gateway .2, resolver .3), the ready
# fd gets "1", closing the exit fd stops it, the gateway leads to the host's
# loopback unless --disable-host-loopback, a tap made beforehand is attached
# to (rootlesskit), --cidr, a tap name, --enable-ipv6, --userns-path,
# --netns-type, --target-type=netns and --disable-dns work, --help lists
# what podman looks for, -v prints the version, unsupported and unknown
# options are refused by name in one line; the API socket answers as
# slirp4netns 1.2 does, errors byte for byte. Then the real rootlesskit
# runs a command through it.
#
# Each test: a namespace made by "unshare -rn" as the test user (NS_PID),
# merd as slirp4netns attached to it as the test user, commands inside run
# through nsenter.

load lib/world
load lib/tcp

WORLD_TOOLS="$WORLD_TOOLS fwd_peer"

world_extra_peers() {
	tcp_peer_start
}

setup() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	ln -s merd "$WORLD_BIN/slirp4netns"
	SLIRP=$WORLD_BIN/slirp4netns
	mkdir -p "$WORLD_DIR/run/slirp"
	chown "$MERD_TEST_USER:" "$WORLD_DIR/run/slirp"
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	world_teardown
}

# ns_start() - Start a user+network namespace as the test user (NS_PID);
# ARGS are run inside first (as its root), e.g. to make a tap
ns_start() {
	local script=${1:-true}
	user_argv unshare -rn sh -c "$script; exec sleep 300"
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >>"$MERD_LOG" 2>&1 3>&- &
	NS_PID=$!
	echo "$NS_PID" >>"$WORLD_DIR/pids"
	_wait_for 5 eval '[ "$(cat /proc/$NS_PID/comm 2>/dev/null)" = sleep ]'
}

# in_ns() - Run COMMAND... in the namespace, as its root
in_ns() {
	as_user nsenter --preserve-credentials -t "$NS_PID" -U -n -- "$@"
}

# slirp_start() - Start "slirp4netns ARGS..." as the test user with its exit
# fd on a pipe the test holds (closed by slirp_exit_close) and its ready fd on
# another; wait for "1" on it. SLIRP_PID, SLIRP_STATUS_FILE.
slirp_start() {
	local d=$WORLD_DIR/run/slirp r
	rm -f "$d/exit" "$d/ready"
	mkfifo -m 0666 "$d/exit" "$d/ready"
	exec {SLIRP_EXIT_W}<>"$d/exit"
	exec {SLIRP_READY_R}<>"$d/ready"
	SLIRP_STATUS_FILE=$d/status
	rm -f "$SLIRP_STATUS_FILE"
	user_argv "$SLIRP" "$@"
	(
		cd "$WORLD_DIR" || exit 1
		exec {SLIRP_EXIT_W}>&- {SLIRP_READY_R}>&-
		"${USER_ARGV[@]}" 3<"$d/exit" 4>"$d/ready" </dev/null >>"$MERD_LOG" 2>&1
		echo "$?" >"$SLIRP_STATUS_FILE"
	) &
	SLIRP_PID=$!
	echo "$SLIRP_PID" >>"$WORLD_DIR/pids"
	r=
	read -r -t 10 -n 1 r <&"$SLIRP_READY_R" || :
	echo "ready fd said: '$r'"
	[ "$r" = 1 ]
}

# slirp_exit_close() - Close the test's end of the exit pipe
slirp_exit_close() {
	exec {SLIRP_EXIT_W}>&-
}

# host_lo_server_start() - A TCP server on the host's 127.0.0.1:7070 that
# answers "hello-loopback"
host_lo_server_start() {
	in_host socat TCP-LISTEN:7070,bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:'echo hello-loopback' >>"$WORLD_DIR/log/lo-server.log" 2>&1 &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 5 in_host sh -c 'ss -ltn | grep -q "127.0.0.1:7070"'
}

@test "slirp4netns --help lists the flags podman and rootlesskit look for, and no other" {
	run as_user "$SLIRP" --help
	echo "$output"
	[ "$status" -eq 0 ]
	for f in --configure --exit-fd --ready-fd --mtu --enable-ipv6 --api-socket \
		 --cidr --disable-host-loopback --netns-type --userns-path \
		 --enable-sandbox --enable-seccomp --disable-dns; do
		grep -q -- "$f" <<<"$output" || { echo "missing $f"; return 1; }
	done
	! grep -q -- --outbound-addr <<<"$output"
	! grep -q -- --macaddress <<<"$output"
}

@test "slirp4netns: unsupported and unknown options, bad arguments: status 1, one line naming them" {
	local args want
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086 # the words of the line
		run as_user "$SLIRP" $args
		echo "slirp4netns $args: status $status: $output"
		[ "$status" -eq 1 ]
		[ "$(grep -c . <<<"$output")" -eq 1 ]
		[[ $output == *"$want"* ]]
	done <<-'EOF'
	--outbound-addr=198.51.100.10 1|--outbound-addr is not supported
	--outbound-addr6=2001:db8:1::10 1|--outbound-addr6 is not supported
	--macaddress=02:00:00:00:00:01 1|--macaddress is not supported
	--target-type=bess 1|--target-type=bess
	--cidr=10.0.2.0/30 1|--cidr
	--netns-type=pid /run/x|not a PID
	--netns-type=file 1|--netns-type
	--no-such-option 1|--no-such-option
	--no-such-option=3 1|--no-such-option
	-Z 1|-Z
	--mtu|--mtu needs an argument
	-c|usage: slirp4netns
	EOF
}

@test "slirp4netns -v and --version: the version, status 0" {
	local opt
	for opt in -v --version; do
		run as_user "$SLIRP" "$opt"
		echo "$opt: status $status: $output"
		[ "$status" -eq 0 ]
		[[ $output == *"slirp4netns"*"merd $(sed -n 's/^#define MERD_VERSION.*"\(.*\)"/\1/p' src/merd.h)"* ]]
	done
}

@test "slirp4netns --userns-path, --netns-type=path and --target-type=netns (podman's full line): served" {
	ns_start
	slirp_start --mtu=65520 --enable-sandbox --enable-seccomp -c -e 3 -r 4 \
		--userns-path="/proc/$NS_PID/ns/user" --netns-type=path \
		--target-type=netns "/proc/$NS_PID/ns/net" tap0
	run in_ns ip -4 -o addr show dev tap0
	echo "$output"
	[[ $output == *"inet 10.0.2.100/24 "* ]]
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i u-down down "$TCP_PEER" "$TCP_PORT" 1M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$output"
	slirp_exit_close
	_wait_for 10 test -s "$SLIRP_STATUS_FILE"
	[ "$(cat "$SLIRP_STATUS_FILE")" = 0 ]
}

@test "slirp4netns --netns-type=pid --disable-dns: served, and no resolver answers at .3" {
	ns_start
	slirp_start -c -e 3 -r 4 --netns-type=pid --disable-dns "$NS_PID"
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i d-down down "$TCP_PEER" "$TCP_PORT" 1M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$output"
	run in_ns timeout 10 busybox nslookup peer.merd.test 10.0.2.3
	echo "nslookup: status $status: $output"
	[ "$status" -ne 0 ]
	[[ $output != *"Address: 203.0.113.2"* ]]
	slirp_exit_close
}

@test "slirp4netns -c (podman's line): 10.0.2.100/24 via .2, ready fd, TCP, DNS at .3; exit fd stops it" {
	ns_start
	slirp_start --mtu=65520 --enable-sandbox --enable-seccomp -c -e 3 -r 4 \
		--netns-type=path "/proc/$NS_PID/ns/net" tap0
	run in_ns ip -4 -o addr show dev tap0
	echo "$output"
	[[ $output == *"inet 10.0.2.100/24 "* ]]
	run in_ns ip -4 route show default
	echo "$output"
	[[ $output == "default via 10.0.2.2 dev tap0"* ]]
	run in_ns ip -o link show dev tap0
	echo "$output"
	[[ $output == *" mtu 65520 "* ]]
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i s-down down "$TCP_PEER" "$TCP_PORT" 8M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$output"
	run in_ns busybox nslookup peer.merd.test 10.0.2.3
	echo "$output"
	[[ $output == *"Address: 203.0.113.2"* ]]
	slirp_exit_close
	_wait_for 10 test -s "$SLIRP_STATUS_FILE"
	cat "$SLIRP_STATUS_FILE"
	[ "$(cat "$SLIRP_STATUS_FILE")" = 0 ]
}

@test "slirp4netns: the gateway leads to the host's loopback, not with --disable-host-loopback" {
	host_lo_server_start
	ns_start
	slirp_start -c -e 3 -r 4 "$NS_PID"
	run in_ns timeout 10 socat -T 5 - TCP:10.0.2.2:7070
	echo "$output"
	[ "$output" = hello-loopback ]
	slirp_exit_close
	_wait_for 10 test -s "$SLIRP_STATUS_FILE"

	ns_start
	slirp_start -c -e 3 -r 4 --disable-host-loopback "$NS_PID"
	run in_ns timeout 10 socat -T 5 - TCP:10.0.2.2:7070,connect-timeout=3
	echo "$output"
	[ "$output" != hello-loopback ]
	slirp_exit_close
}

@test "slirp4netns without -c (rootlesskit's line) attaches to the tap made beforehand" {
	ns_start "ip tuntap add name tap0 mode tap && ip link set tap0 up"
	slirp_start --mtu 1500 -r 4 -e 3 --disable-host-loopback "$NS_PID" tap0
	# rootlesskit's child configures the namespace itself
	in_ns ip addr add 10.0.2.100/24 dev tap0
	in_ns ip route add default via 10.0.2.2
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i rk-up up "$TCP_PEER" "$TCP_PORT" 4M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$output"
	slirp_exit_close
}

@test "slirp4netns --cidr and a tap name: 10.99.5.100/24 on eth7, resolver 10.99.5.3" {
	ns_start
	slirp_start -c -e 3 -r 4 --cidr=10.99.5.0/24 "$NS_PID" eth7
	run in_ns ip -4 -o addr show dev eth7
	echo "$output"
	[[ $output == *"inet 10.99.5.100/24 "* ]]
	run in_ns busybox nslookup peer.merd.test 10.99.5.3
	echo "$output"
	[[ $output == *"Address: 203.0.113.2"* ]]
	slirp_exit_close
}

@test "slirp4netns --enable-ipv6: fd00::100 reaches an IPv6 peer, resolver fd00::3" {
	ns_start
	slirp_start -c -e 3 -r 4 --enable-ipv6 "$NS_PID"
	run in_ns ip -6 -o addr show dev tap0 scope global
	echo "$output"
	[[ $output == *"inet6 fd00::100/64 "* ]]
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i s6-down down 2001:db8:2::2 "$TCP_PORT" 4M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$output"
	run in_ns busybox nslookup peer.merd.test fd00::3
	echo "$output"
	[[ $output == *"Address: 203.0.113.2"* ]]
	slirp_exit_close
}

@test "rootlesskit --net=slirp4netns with merd as its slirp4netns: a command reaches a peer" {
	command -v rootlesskit >/dev/null || skip "rootlesskit is not installed"
	run as_user timeout 120 rootlesskit --net=slirp4netns \
		--slirp4netns-binary="$SLIRP" --disable-host-loopback --mtu=65520 \
		--state-dir="$WORLD_DIR/run/slirp/rk" \
		"$WORLD_BIN/tcp_xfer" -t 60 -i rk-down down "$TCP_PEER" "$TCP_PORT" 8M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$(grep '^rk-down down ' <<<"$output")"
}

@test "merd's own --map-host-loopback and --dns-forward: any address can stand for them" {
	host_lo_server_start
	run merd_ns --map-host-loopback 192.0.2.1 --dns-forward 192.0.2.53 -- sh -c '
		timeout 10 socat -T 5 - TCP:192.0.2.1:7070
		cat /etc/resolv.conf
		busybox nslookup peer.merd.test'
	echo "$output"
	cat "$MERD_LOG"
	[ "$status" -eq 0 ]
	grep -qx hello-loopback <<<"$output"
	grep -qx "nameserver 192.0.2.53" <<<"$output"
	[ "$(grep -c '^nameserver' <<<"$output")" -eq 1 ]
	[[ $output == *"Address: 203.0.113.2"* ]]
}

# api() - Send one request to the API socket SOCK, print the reply
api() {
	as_user socat -t 5 - "UNIX-CONNECT:$1" <<<"$2"
}

@test "slirp4netns --api-socket: add_hostfwd, list_hostfwd, remove_hostfwd as slirp4netns answers them" {
	local sock=$WORLD_DIR/run/slirp/api.sock line
	ns_start
	slirp_start -c -e 3 -r 4 --api-socket "$sock" "$NS_PID"
	[ "$(stat -c %a "$sock")" = 600 ]
	in_ns "$WORLD_BIN/fwd_peer" serve -w 60 80 >>"$WORLD_DIR/log/ns-server.log" 2>&1 &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 5 in_ns sh -c 'ss -ltn | grep -q ":80 "'

	run api "$sock" '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"0.0.0.0","host_port":8080,"guest_addr":"10.0.2.100","guest_port":80}}'
	echo "$output"
	[ "$output" = '{"return":{"id":1}}' ]
	# a client in inet reaches the namespace's server, which sees its address
	line=$(ip netns exec "$INET_NS" "$WORLD_BIN/fwd_peer" -t 5 -i api1 tcp 198.51.100.10 8080 hello || :)
	echo "$line"
	[[ $line == *"result=OK"* ]]
	[[ $line == *"from=198.51.100.1 "* ]]

	run api "$sock" '{"execute":"add_hostfwd","arguments":{"proto":"udp","host_port":5353,"guest_port":53}}'
	[ "$output" = '{"return":{"id":2}}' ]
	run api "$sock" '{"execute":"list_hostfwd"}'
	echo "$output"
	[ "$output" = '{"entries":[{"id":1,"proto":"tcp","host_addr":"0.0.0.0","host_port":8080,"guest_addr":"10.0.2.100","guest_port":80},{"id":2,"proto":"udp","host_addr":"0.0.0.0","host_port":5353,"guest_addr":"10.0.2.100","guest_port":53}]}' ]

	run api "$sock" '{"execute":"remove_hostfwd","arguments":{"id":1}}'
	[ "$output" = '{"return":{}}' ]
	line=$(ip netns exec "$INET_NS" "$WORLD_BIN/fwd_peer" -t 5 -i api2 tcp 198.51.100.10 8080 hello || :)
	echo "$line"
	[[ $line != *"result=OK"* ]]
	run api "$sock" '{"execute":"list_hostfwd"}'
	[[ $output == '{"entries":[{"id":2,'* ]]
	slirp_exit_close
}

# api_exact() - Send exactly TEXT (no newline added) to the API socket SOCK
api_exact() {
	printf '%s' "$2" | as_user socat -t 5 - "UNIX-CONNECT:$1"
}

# pad() - Print TEXT followed by spaces up to N bytes
pad() {
	printf '%s%*s' "$2" $(($1 - ${#2})) ''
}

@test "slirp4netns --api-socket: bad requests get slirp4netns 1.2's error replies byte for byte, and merd keeps serving" {
	local sock=$WORLD_DIR/run/slirp/api.sock req want
	ns_start
	in_host socat TCP-LISTEN:8081,reuseaddr,fork SYSTEM:true >>"$WORLD_DIR/log/busy.log" 2>&1 &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 5 in_host sh -c 'ss -ltn | grep -q ":8081 "'
	slirp_start -c -e 3 -r 4 --api-socket "$sock" "$NS_PID"
	while IFS='|' read -r req want; do
		run api_exact "$sock" "$req"
		echo "$req -> $output"
		[ "$output" = "{\"error\":{\"desc\":\"bad request: $want\"}}" ]
	done <<-'EOF'
	not json|cannot parse JSON
	[1,2]|json_object() failed
	{"arguments":{}}|no execute found
	{"execute":"reboot"}|unknown execute
	{"execute":"add_hostfwd","arguments":{"proto":"sctp","host_port":1,"guest_port":1}}|add_hostfwd: bad arguments.proto
	{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"nowhere","host_port":8080,"guest_port":80}}|add_hostfwd: bad arguments.host_addr
	{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":0,"guest_port":80}}|add_hostfwd: bad arguments.host_port
	{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":8080,"guest_addr":"10.0.2.7","guest_port":80}}|add_hostfwd: bad arguments.guest_addr
	{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":8080}}|add_hostfwd: bad arguments.guest_port
	{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":8081,"guest_port":80}}|add_hostfwd: slirp_add_hostfwd failed
	{"execute":"remove_hostfwd","arguments":{"id":99}}|remove_hostfwd: bad arguments.id
	EOF
	# 4096 bytes is too large, as for slirp4netns; 4095 is served
	run api_exact "$sock" "$(pad 4096 '{"execute":"list_hostfwd"}')"
	echo "4096 bytes -> $output"
	[ "$output" = '{"error":{"desc":"bad request: too large message"}}' ]
	run api_exact "$sock" "$(pad 4095 '{"execute":"list_hostfwd"}')"
	echo "4095 bytes -> $output"
	[ "$output" = '{"entries":[]}' ]
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i api-down down "$TCP_PEER" "$TCP_PORT" 1M
	[ "$status" -eq 0 ]
	slirp_exit_close
}

@test "slirp4netns (podman's line): merd runs without capabilities, filtered, in an empty root" {
	local merd
	ns_start
	slirp_start --enable-sandbox --enable-seccomp -c -e 3 -r 4 \
		--netns-type=path "/proc/$NS_PID/ns/net" tap0
	# the exec chain of user_argv ends in merd (as "slirp4netns"): the
	# one child of the subshell
	merd=$(pgrep -P "$SLIRP_PID" | head -n 1)
	[ "$(cat "/proc/$merd/comm")" = slirp4netns ]
	world_no_caps_check "$merd"
	slirp_exit_close
	_wait_for 10 test -s "$SLIRP_STATUS_FILE"
	[ "$(cat "$SLIRP_STATUS_FILE")" = 0 ]
}
