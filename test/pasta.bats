#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta.bats - merd invoked as "pasta" (a symbolic link), with the command
# line podman 5 passes: it exits 0 once the network is up and keeps serving
# in the background; --config-net copies the host's address, route and MTU;
# --dns-forward and --map-guest-addr addresses work; the gateway leads to
# the host's loopback unless --no-map-gw; published ports (-t) reach the
# namespace; merd ends with the namespace, with status 0: when its process
# ends, and, as podman 5 uses it, when the bind-mounted namespace file is
# unmounted and removed; unsupported options are refused.
#
# Each test: a namespace made by "unshare -rn" as the test user (NS_PID),
# then "pasta ... --netns /proc/NS_PID/ns/net" as the test user; or, as
# podman 5 does, a namespace file made by "unshare --net=FILE" in the user's
# own user and mount namespaces, where pasta runs too. test/lib/reaper.py
# collects the exit status of the detached merd.

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

# reaped_status() - Print the exit status reaper.py logged in LOG for PID
reaped_status() {
	sed -n "s/^exit $2 //p" "$1"
}

@test "pasta: merd ends with the namespace's process, with status 0" {
	local log=$WORLD_DIR/run/reaped pid
	ns_start
	# as pasta_run, under reaper.py: the detached merd's status is seen
	as_user "$WORLD_BIN/reaper.py" "$log" "$PASTA" -P "$PASTA_PID_FILE" \
		"${PODMAN5[@]}" --netns "/proc/$NS_PID/ns/net" \
		</dev/null >>"$WORLD_DIR/log/reaper.log" 2>&1 3>&- &
	echo "$!" >>"$WORLD_DIR/pids"
	_wait_for 10 test -s "$PASTA_PID_FILE"
	pid=$(cat "$PASTA_PID_FILE")
	_pid_alive "$pid"
	kill "$NS_PID"
	_wait_for 10 eval '[ -n "$(reaped_status "$log" "$pid")" ]'
	cat "$log"
	[ "$(reaped_status "$log" "$pid")" = 0 ]
	[ "$(reaped_status "$log" "$(sed -n 's/^start //p' "$log")")" = 0 ]
}

@test "pasta --netns FILE (podman 5's bind-mounted namespace): served, then merd exits 0 once the file is unmounted and removed" {
	local d=$WORLD_DIR/run/netns pid
	mkdir -p "$d"
	chown "$MERD_TEST_USER:" "$d"
	# all in the test user's own user and mount namespaces, as podman 5
	# runs pasta: make the file, start pasta (it detaches once ready), use
	# the network, then do what podman does when the container goes
	run as_user unshare -rm sh -c '
		d=$1 R=$2 P=$3 X=$4 peer=$5 port=$6
		touch "$d/netns-1" && unshare --net="$d/netns-1" true || exit 1
		"$R" "$d/reaped" "$P" -P "$d/pid" --config-net --dns-forward 169.254.1.1 \
			-t none -u none -T none -U none --no-map-gw --quiet \
			--netns "$d/netns-1" --map-guest-addr 169.254.1.2 &
		i=0
		while [ ! -s "$d/pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		m=$(cat "$d/pid")
		echo "merd=$m"
		nsenter --net="$d/netns-1" ip -4 -o addr show dev tap0
		nsenter --net="$d/netns-1" "$X" -t 60 -i nf-down down "$peer" "$port" 1M
		umount "$d/netns-1" && rm "$d/netns-1" && echo removed
		i=0
		while ! grep -q "^exit $m " "$d/reaped" && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		grep -q "^exit $m " "$d/reaped" || { echo "merd still running"; exit 1; }
		wait' sh "$d" "$WORLD_BIN/reaper.py" "$PASTA" "$WORLD_BIN/tcp_xfer" \
		"$TCP_PEER" "$TCP_PORT"
	echo "$output"
	cat "$d/reaped"
	[ "$status" -eq 0 ]
	[[ $output == *"inet 198.51.100.10/24 "* ]]
	tcp_check_down "$(grep '^nf-down down ' <<<"$output")"
	grep -qx removed <<<"$output"
	pid=$(sed -n 's/^merd=//p' <<<"$output")
	[ -n "$pid" ]
	# pasta said ready (0), and the detached merd ended with 0
	[ "$(reaped_status "$d/reaped" "$(sed -n 's/^start //p' "$d/reaped")")" = 0 ]
	[ "$(reaped_status "$d/reaped" "$pid")" = 0 ]
}

@test "pasta: unknown options are refused, and a command line without a namespace, in one line" {
	ns_start
	run as_user "$PASTA" --no-such-option --netns "/proc/$NS_PID/ns/net"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	[[ $output == *"no-such-option"* ]]
	run as_user "$PASTA" --config-net --netns
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	[[ $output == *"--netns needs an argument"* ]]
	run as_user "$PASTA" --config-net
	[ "$status" -eq 1 ]
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
	ns_start
	pasta_run "${PODMAN5[@]}"
	# merd detached: the pid file names the process that serves
	[ "$(cat "/proc/$PASTA_PID/comm")" = pasta ]
	world_no_caps_check "$PASTA_PID"
}
