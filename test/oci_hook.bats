#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# oci_hook.bats - contrib/podman/merd-oci-hook: given a container's state
# JSON on stdin (as an OCI runtime passes it), it attaches merd to that
# process's network namespace and returns once the network is up; merd ends
# with the namespace; a state without a pid is refused. Then rootless podman
# runs the hook from a hooks directory holding the shipped
# contrib/podman/merd-hook.json (its two paths pointed at this world's
# files) for a container with --network none and the hook's annotation,
# and the container reaches inet.

load lib/world
load lib/tcp
load lib/podman

WORLD_TOOLS="$WORLD_TOOLS fwd_peer"

world_extra_peers() {
	tcp_peer_start
}

HOOK_SRC=$BATS_TEST_DIRNAME/../contrib/podman/merd-oci-hook
HOOK_JSON=$BATS_TEST_DIRNAME/../contrib/podman/merd-hook.json

setup() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	install -m 0755 "$HOOK_SRC" "$WORLD_BIN/merd-oci-hook"
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	podman_stop_pause
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

# state_json() - A container state as runc prints it, for process PID
state_json() {
	cat <<EOF
{
  "ociVersion": "1.0.2-dev",
  "id": "merd-test",
  "status": "created",
  "pid": $1,
  "bundle": "/nonexistent/bundle",
  "annotations": {
    "io.merd.network": "on",
    "note": "not the \"pid\": 1 you are looking for"
  }
}
EOF
}

@test "merd-oci-hook: a state on stdin gives that namespace merd's network" {
	ns_start
	state_json "$NS_PID" >"$WORLD_DIR/run/state.json"
	run as_user env MERD="$WORLD_BIN/merd" "$WORLD_BIN/merd-oci-hook" \
		-P "$WORLD_DIR/home/hook-merd.pid" <"$WORLD_DIR/run/state.json"
	echo "$output"
	[ "$status" -eq 0 ]
	run in_ns ip -4 -o addr show dev tap0
	echo "$output"
	[[ $output == *"inet 198.51.100.10/24 "* ]]
	run in_ns "$WORLD_BIN/tcp_xfer" -t 60 -i hook-down down "$TCP_PEER" "$TCP_PORT" 4M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_down "$output"
	# merd goes with the namespace
	local merd
	merd=$(cat "$WORLD_DIR/home/hook-merd.pid")
	_pid_alive "$merd"
	kill "$NS_PID"
	_wait_for 10 eval '! _pid_alive "$merd"'
}

@test "merd-oci-hook: a state without a pid is refused" {
	run as_user env MERD="$WORLD_BIN/merd" "$WORLD_BIN/merd-oci-hook" <<<'{"id": "x", "status": "created"}'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"no container pid"* ]]
}

@test "podman runs the shipped merd-hook.json from a hooks directory: a --network none container reaches inet" {
	command -v podman >/dev/null || skip "podman is not installed"
	local hooks=$WORLD_DIR/home/hooks.d
	mkdir -p "$hooks"
	# the shipped file, its two install paths replaced by this world's
	grep -q '"/usr/local/libexec/merd/merd-oci-hook"' "$HOOK_JSON"
	grep -q '"MERD=/usr/local/bin/merd"' "$HOOK_JSON"
	sed -e "s|\"/usr/local/libexec/merd/merd-oci-hook\"|\"$WORLD_BIN/merd-oci-hook\"|" \
	    -e "s|\"MERD=/usr/local/bin/merd\"|\"MERD=$WORLD_BIN/merd\"|" \
	    "$HOOK_JSON" >"$hooks/merd.json"
	diff "$HOOK_JSON" "$hooks/merd.json" || :
	[ "$(diff "$HOOK_JSON" "$hooks/merd.json" | grep -c '^>')" -eq 2 ]
	chown -R "$MERD_TEST_USER:" "$hooks"
	podman_image
	run podman_user --hooks-dir "$hooks" run --rm --network none \
		--annotation io.merd.network=on localhost/merd-test-box \
		sh -c 'ip -4 -o addr show dev tap0;
		       tcp_xfer -t 60 -i podhook-down down 203.0.113.2 5000 4M'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"inet 198.51.100.10/24 "* ]]
	tcp_check_down "$(grep '^podhook-down down ' <<<"$output")"
}
