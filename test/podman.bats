#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman.bats - Rootless podman 4 (Debian's) with merd as its slirp4netns
# (--network-cmd-path): a container from a local busybox image fetches
# 8 MiB from the TCP peer in "inet" intact, resolves a name of the test zone
# through 10.0.2.3, and a published port (-p 8080:80) reaches a server in
# the container, through podman's rootlessport and through merd's API
# socket (port_handler=slirp4netns), where the container sees the client's
# real address.
#
# How podman runs in the world: test/lib/podman.bash.

load lib/world
load lib/tcp
load lib/podman

WORLD_TOOLS="$WORLD_TOOLS fwd_peer"

world_extra_peers() {
	tcp_peer_start
}

setup_file() {
	command -v podman >/dev/null || return 0
	world_setup || { world_dump_logs; world_teardown; return 1; }
	export PODMAN_LOG=$WORLD_DIR/run/slirp4netns.log
	# merd under slirp4netns's name, its stderr kept for the test's logs
	cat >"$WORLD_BIN/slirp4netns" <<EOF
#!/bin/bash
exec -a slirp4netns "$WORLD_BIN/merd" "\$@" 2>>"$PODMAN_LOG"
EOF
	chmod 0755 "$WORLD_BIN/slirp4netns"
	install -m 0666 /dev/null "$PODMAN_LOG"
	export PODMAN_CMD_PATH=$WORLD_BIN/slirp4netns
	podman_image || return 1
}

teardown_file() {
	[ -n "${WORLD_DIR:-}" ] || return 0
	podman_stop_pause
	world_teardown
}

setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	PODMAN_ARGS=(--network-cmd-path "$PODMAN_CMD_PATH")
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	world_dump_logs
	echo "--- merd as slirp4netns" >&2
	tail -n 20 "$PODMAN_LOG" >&2
}

@test "podman: a container fetches 8 MiB from inet intact, merd as its slirp4netns" {
	run podman_user run --rm --network slirp4netns localhost/merd-test-box \
		tcp_xfer -t 60 -i pod-down down "$TCP_PEER" "$TCP_PORT" 8M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$(grep '^pod-down down ' <<<"$output")"
	# merd, not another slirp4netns, carried it
	grep -q 'merd: counters: ' "$PODMAN_LOG"
}

@test "podman: the container resolves a name of the test zone through 10.0.2.3" {
	run podman_user run --rm --network slirp4netns localhost/merd-test-box \
		sh -c 'cat /etc/resolv.conf; nslookup peer.merd.test 10.0.2.3'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^nameserver 10.0.2.3' <<<"$output"
	[[ $output == *"Address: 203.0.113.2"* ]]
}

@test "podman: a published port (-p 8080:80) reaches a server in the container" {
	local reply=$WORLD_DIR/run/pod-reply
	podman_user run -d --name web --network slirp4netns -p 8080:80 \
		localhost/merd-test-box \
		sh -c 'printf "#!/bin/sh\necho hello-from-container\n" >/tmp/h &&
		       chmod +x /tmp/h && exec nc -l -p 80 -e /tmp/h' \
		>"$WORLD_DIR/log/podman-web.log" 2>&1
	_wait_for 20 eval 'in_host timeout 5 socat -T 3 - TCP:127.0.0.1:8080 </dev/null >"$reply" 2>&1 &&
			   grep -q hello-from-container "$reply"'
	cat "$reply"
	podman_user rm -f web >/dev/null 2>&1 || :
	grep -qx hello-from-container "$reply"
}

@test "podman port_handler=slirp4netns: -p goes through merd's API socket; the container sees the client's address" {
	local line
	podman_user run -d --name web2 --network slirp4netns:port_handler=slirp4netns \
		-p 8081:80 localhost/merd-test-box fwd_peer serve -w 120 80 \
		>"$WORLD_DIR/log/podman-web2.log" 2>&1
	_wait_for 20 eval 'line=$(ip netns exec "$INET_NS" "$WORLD_BIN/fwd_peer" -t 3 -i pod-api tcp 198.51.100.10 8081 hello 2>/dev/null); [[ $line == *result=OK* ]]'
	echo "$line"
	podman_user rm -f web2 >/dev/null 2>&1 || :
	[[ $line == *"result=OK"* ]]
	[[ $line == *"from=198.51.100.1 "* ]]
	grep -q 'api: forwarded tcp 0.0.0.0/8081 to port 80' "$PODMAN_LOG"
}
