#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta.bats - merd invoked as "pasta" (a symbolic link), with the command
# line podman 5 passes: it exits 0 once the network is up and keeps serving
# in the background; --config-net copies the host's address, route and MTU;
# --dns-forward and --map-guest-addr addresses work; the gateway leads to
# the host's loopback unless --no-map-gw; published ports (-t) reach the
# namespace; merd ends with the namespace; unsupported options are refused.
#
# Each test: a namespace made by "unshare -rn" as the test user (NS_PID),
# then "pasta ... --netns /proc/NS_PID/ns/net" as the test user.

load lib/world
load lib/tcp

world_extra_peers() {
	tcp_peer_start
}

# podman 5's default line, before --netns
PODMAN5=(--config-net --dns-forward 169.254.1.1 -t none -u none -T none -U none
	 --no-map-gw --quiet)

setup() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	ln -s merd "$WORLD_BIN/pasta"
	PASTA=$WORLD_BIN/pasta
	PASTA_PID_FILE=$WORLD_DIR/home/pasta.pid
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	[ -s "$PASTA_PID_FILE" ] && kill "$(cat "$PASTA_PID_FILE")" 2>/dev/null
	world_teardown
}

# ns_start() - Start a user+network namespace as the test user (NS_PID)
ns_start() {
	user_argv unshare -rn sleep 300
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >>"$MERD_LOG" 2>&1 3>&- &
	NS_PID=$!
	echo "$NS_PID" >>"$WORLD_DIR/pids"
	_wait_for 5 eval '[ "$(cat /proc/$NS_PID/comm 2>/dev/null)" = sleep ]'
}

# in_ns() - Run COMMAND... in the namespace, as its root
in_ns() {
	as_user nsenter --preserve-credentials -t "$NS_PID" -U -n -- "$@"
}

# pasta_run() - Run "pasta ARGS... --netns NS" as the test user: it must
# exit 0 (ready) and leave merd running (PASTA_PID)
pasta_run() {
	run as_user "$PASTA" -P "$PASTA_PID_FILE" "$@" --netns "/proc/$NS_PID/ns/net"
	echo "pasta: status $status: $output"
	[ "$status" -eq 0 ]
	PASTA_PID=$(cat "$PASTA_PID_FILE")
	_pid_alive "$PASTA_PID"
}

# host_server_start() - A TCP server in "host" on ADDR:PORT answering TEXT
host_server_start() {
	in_host socat "TCP-LISTEN:$2,bind=$1,reuseaddr,fork" SYSTEM:"echo $3" \
		>>"$WORLD_DIR/log/host-server.log" 2>&1 &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 5 in_host sh -c "ss -ltn | grep -q '$1:$2 '"
}

@test "pasta (podman 5's line): ready at exit 0, the host's address and route, TCP, DNS" {
	ns_start
	pasta_run "${PODMAN5[@]}" --map-guest-addr 169.254.1.2
	run in_ns ip -4 -o addr show scope global
	echo "$output"
	[[ $output == *"inet 198.51.100.10/24 "* ]]
	run in_ns ip -4 route show default
	echo "$output"
	[[ $output == "default via 198.51.100.1 "* ]]
	run in_ns ip -o link show dev tap0
	[[ $output == *" mtu 65520 "* ]]
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i p-up up "$TCP_PEER" "$TCP_PORT" 8M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$output"
	run in_ns busybox nslookup peer.merd.test 169.254.1.1
	echo "$output"
	[[ $output == *"Address: 203.0.113.2"* ]]
}

@test "pasta --map-guest-addr: that address leads to the host's own address" {
	host_server_start 198.51.100.10 7071 hello-host-addr
	ns_start
	pasta_run "${PODMAN5[@]}" --map-guest-addr 169.254.1.2
	run in_ns timeout 10 socat -T 5 - TCP:169.254.1.2:7071
	echo "$output"
	[ "$output" = hello-host-addr ]
}

@test "pasta: the gateway leads to the host's loopback, not with --no-map-gw" {
	host_server_start 127.0.0.1 7070 hello-loopback
	ns_start
	pasta_run --config-net --quiet
	run in_ns timeout 10 socat -T 5 - TCP:198.51.100.1:7070
	echo "$output"
	[ "$output" = hello-loopback ]
	kill "$PASTA_PID" "$NS_PID"

	ns_start
	pasta_run "${PODMAN5[@]}"
	run in_ns timeout 10 socat -T 5 - TCP:198.51.100.1:7070,connect-timeout=3
	echo "$output"
	[ "$output" != hello-loopback ]
}

@test "pasta -t (podman's published port): a host client reaches the namespace's server" {
	ns_start
	pasta_run --config-net --dns-forward 169.254.1.1 -t 8080:80 -u none -T none \
		-U none --no-map-gw --quiet
	in_ns sh -c 'printf "#!/bin/sh\necho hello-from-ns\n" >"$0" && chmod +x "$0" &&
		     exec busybox nc -l -p 80 -e "$0"' "$WORLD_DIR/home/hello.sh" \
		>>"$WORLD_DIR/log/ns-server.log" 2>&1 &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 5 in_ns sh -c 'ss -ltn | grep -q ":80 "'
	run in_host timeout 10 socat -T 5 - TCP:127.0.0.1:8080
	echo "$output"
	[ "$output" = hello-from-ns ]
}

@test "pasta: merd ends with the namespace" {
	ns_start
	pasta_run "${PODMAN5[@]}"
	kill "$NS_PID"
	_wait_for 10 eval '! _pid_alive "$PASTA_PID"'
}

@test "pasta: unknown options are refused, and a command line without a namespace" {
	ns_start
	run as_user "$PASTA" --no-such-option --netns "/proc/$NS_PID/ns/net"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no-such-option"* ]]
	run as_user "$PASTA" --config-net
	[ "$status" -ne 0 ]
	[[ $output == *"usage: pasta"* ]]
}

@test "pasta -T: the namespace reaches a server on the host's loopback" {
	host_server_start 127.0.0.1 7072 hello-host-lo
	ns_start
	pasta_run --config-net --quiet --no-map-gw -T 7072
	run in_ns timeout 10 socat -T 5 - TCP:127.0.0.1:7072
	echo "$output"
	[ "$output" = hello-host-lo ]
}

@test "pasta (podman 5's line): merd runs without capabilities, filtered, in an empty root" {
	local st set uid
	ns_start
	pasta_run "${PODMAN5[@]}"
	# merd detached: the pid file names the process that serves
	st=/proc/$PASTA_PID/status
	[ "$(cat "/proc/$PASTA_PID/comm")" = pasta ]
	grep -E '^(Uid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st"
	for set in CapEff CapPrm CapBnd CapInh CapAmb; do
		grep -Eq "^$set:[[:space:]]+0+\$" "$st" || { echo "$set is not empty"; return 1; }
	done
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st"
	uid=$(id -u "$MERD_TEST_USER")
	grep -Eq "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid\$" "$st"
	if [ "$(world_sanitized)" != asan ]; then
		grep -Eq '^Seccomp:[[:space:]]+2$' "$st"
		[ -d "/proc/$PASTA_PID/root/" ] && [ -z "$(ls -A "/proc/$PASTA_PID/root/")" ]
	fi
}
