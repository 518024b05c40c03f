#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# sandbox.bats - Least privilege: a running merd, in VM mode and in both
# namespace modes, holds no capability, runs under its seccomp filter with
# no_new_privs, not dumpable and without core dumps, sees an empty read-only
# root, has its own user, mount, IPC, UTS namespaces and a PID namespace for
# children, and is still the invoking user to the host; the command of --ns
# starts only once merd is shut in; calls the filter must refuse (test
# build, merd-test: off the list, other architectures, argument filters)
# are killed by SIGSYS, a UNIX socket is refused with EPERM.

load lib/world

MERD_TEST_BUILD=${MERD_TEST_BUILD:-$BATS_TEST_DIRNAME/../merd-test}

setup() {
	world_setup
	MERD_UID=$(id -u "$MERD_TEST_USER")
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || world_dump_logs
	merd_vm_stop >/dev/null 2>&1
	world_teardown
}

# sandbox_check() - Check the isolation of the running merd PID
sandbox_check() {
	local pid=$1 st=/proc/$1/status ns
	# filtered, no capability, the test user, an empty root
	world_no_caps_check "$pid" || return 1
	# its own user, mount, IPC and UTS namespaces, the host's network one
	for ns in user mnt ipc uts; do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
			{ echo "the host's $ns namespace"; return 1; }
	done
	[ "$(readlink "/proc/$pid/ns/net")" = "$(in_host readlink /proc/self/ns/net)" ]
	# its own pid, but a PID namespace of its own for any child (unshare
	# moves the children to come, not merd); not in ASan builds
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink /proc/self/ns/pid)" ]
	[ "$(world_sanitized)" = asan ] ||
		[ "$(readlink "/proc/$pid/ns/pid_for_children")" != "$(readlink /proc/self/ns/pid)" ] ||
		{ echo "children would share the host's PID namespace"; return 1; }
	# no core dumps; not dumpable (the files of its /proc directory then
	# belong to root, the directory itself still to its user)
	grep -E '^Max core file size' "/proc/$pid/limits"
	grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"
	[ "$(world_sanitized)" = asan ] || [ "$(stat -c %u "$st")" -eq 0 ] ||
		{ echo "dumpable: $st belongs to $(stat -c %u "$st")"; return 1; }
	# the root, seen from merd: one read-only mount
	[ "$(world_sanitized)" = asan ] || root_ro_check "$pid"
}

# root_ro_check() - The only mount PID sees is its root, read-only
root_ro_check() {
	local info
	info=$(cat "/proc/$1/mountinfo")
	echo "mountinfo: $info"
	[ "$(grep -c . <<<"$info")" -eq 1 ]
	# fields: id parent major:minor root mount-point options ...
	awk '$5 == "/" && $6 ~ /(^|,)ro(,|$)/ { ok = 1 } END { exit !ok }' <<<"$info"
}

# user_bg() - Start COMMAND... as the test user in "host", in the
# background, logging to $MERD_LOG; BG_PID is its pid (the exec chain keeps it)
user_bg() {
	user_argv "$@"
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >/dev/null \
		2>>"$MERD_LOG" 3>&- &
	BG_PID=$!
	echo "$BG_PID" >>"$WORLD_DIR/pids"
}

# install_test_build() - Install merd-test as $WORLD_BIN/sigsys/merd
install_test_build() {
	[ -x "$MERD_TEST_BUILD" ] ||
		world_fail "no test build at $MERD_TEST_BUILD (make merd-test)" ||
		return 1
	mkdir -p "$WORLD_BIN/sigsys"
	install -m 0755 "$MERD_TEST_BUILD" "$WORLD_BIN/sigsys/merd"
}

@test "VM mode: merd runs without capabilities, filtered, in an empty root" {
	local sock=$WORLD_DIR/run/merd.sock
	merd_vm_start "$sock"
	sandbox_check "$MERD_PID"
	# The listening socket still takes a client after isolation
	as_user python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$sock"
	merd_vm_stop
	# Removed at exit through a descriptor of its directory
	[ ! -e "$sock" ]
}

@test "VM mode: the pid file is written, then removed at exit" {
	local sock=$WORLD_DIR/run/merd.sock pidf=$WORLD_DIR/run/merd.pid
	merd_vm_start "$sock" -P "$pidf"
	[ "$(cat "$pidf")" = "$MERD_PID" ]
	sandbox_check "$MERD_PID"
	merd_vm_stop
	[ ! -e "$pidf" ]
}

@test "namespace mode (--ns): merd runs without capabilities, filtered, in an empty root" {
	user_bg "$MERD" --ns -- sleep 30
	# ip netns exec, setpriv and env exec in turn: merd comes last
	_wait_for 5 eval '[ "$(cat /proc/$BG_PID/comm)" = merd ]'
	sandbox_check "$BG_PID"
	kill "$BG_PID"
}

@test "namespace mode (--netns PID): merd runs without capabilities, filtered, in an empty root" {
	local target merd
	user_bg unshare -rn sleep 30
	target=$BG_PID
	_wait_for 5 eval '[ "$(cat /proc/$target/comm)" = sleep ]'
	user_bg "$MERD" -f --netns "$target"
	merd=$BG_PID
	_wait_for 5 eval '[ "$(cat /proc/$merd/comm)" = merd ]'
	sandbox_check "$merd"
	kill "$target"
	# merd sees its namespace go, after isolation too
	_wait_for 10 eval '! _pid_alive "$merd"'
}

@test "VM mode test build: a syscall off the allow-list is killed by SIGSYS" {
	install_test_build
	run as_user env MERD_TEST_SECCOMP_TRIGGER=1 "$WORLD_BIN/sigsys/merd" -f \
		-s "$WORLD_DIR/run/sigsys.sock"
	echo "status $status: $output"
	[ "$status" -eq $((128 + 31)) ]
	grep -q 'calling acct(2)' <<<"$output"
	! grep -q 'the filter is not live' <<<"$output"
}

@test "VM mode test build: a raw socket after isolation is killed by SIGSYS" {
	install_test_build
	run as_user env MERD_TEST_SECCOMP_TRIGGER=raw "$WORLD_BIN/sigsys/merd" -f \
		-s "$WORLD_DIR/run/sigsys.sock"
	echo "status $status: $output"
	[ "$status" -eq $((128 + 31)) ]
	grep -q 'opening a raw socket' <<<"$output"
	! grep -q 'the filter is not live' <<<"$output"
}

# trigger_check() - Run merd-test in VM mode with the trigger NAME: it must
# log WHAT, then be killed by SIGSYS
trigger_check() {
	run as_user env MERD_TEST_SECCOMP_TRIGGER="$1" "$WORLD_BIN/sigsys/merd" -f \
		-s "$WORLD_DIR/run/sigsys.sock"
	echo "$1: status $status: $output"
	[ "$status" -eq $((128 + 31)) ]
	grep -q "merd: $2" <<<"$output"
	! grep -q 'the filter is not live' <<<"$output"
}

@test "test build: calls through the i386 (int \$0x80) and x32 conventions are killed by SIGSYS" {
	[ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
	install_test_build
	trigger_check i386 'calling getpid through int \$0x80'
	trigger_check x32 'calling getpid as x32'
}

@test "test build: netlink and packet sockets, executable memory, other ioctls, rmdir are killed by SIGSYS" {
	install_test_build
	trigger_check netlink 'opening a netlink socket'
	trigger_check packet 'opening a packet socket'
	trigger_check mmap-exec 'mapping memory executable'
	trigger_check mprotect-exec 'making memory executable'
	trigger_check ioctl 'calling ioctl(FIONREAD)'
	trigger_check rmdir 'removing a directory'
}

@test "test build: a UNIX socket after isolation is refused (EPERM), and merd goes on" {
	local sock=$WORLD_DIR/run/unix.sock
	install_test_build
	user_bg env MERD_TEST_SECCOMP_TRIGGER=unix "$WORLD_BIN/sigsys/merd" \
		-f -s "$sock"
	_wait_for 5 grep -q 'merd: refused: Operation not permitted' "$MERD_LOG"
	cat "$MERD_LOG"
	grep -q 'merd: opening a UNIX socket' "$MERD_LOG"
	! grep -q 'the filter is not live' "$MERD_LOG"
	sandbox_check "$BG_PID"
	# still serving: its listening socket takes a client
	as_user python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$sock"
	_pid_alive "$BG_PID"
	kill "$BG_PID"
}

@test "namespace mode test build: a syscall off the allow-list is killed by SIGSYS" {
	install_test_build
	run as_user env MERD_TEST_SECCOMP_TRIGGER=1 "$WORLD_BIN/sigsys/merd" \
		--ns -- true
	echo "status $status: $output"
	[ "$status" -eq $((128 + 31)) ]
	grep -q 'calling acct(2)' <<<"$output"
}

@test "the test build without the trigger runs sandboxed like merd" {
	install_test_build
	user_bg "$WORLD_BIN/sigsys/merd" -f -s "$WORLD_DIR/run/t.sock"
	_wait_for 5 eval '[ "$(cat /proc/$BG_PID/comm)" = merd ]'
	sandbox_check "$BG_PID"
	kill "$BG_PID"
}

@test "merd run as root refuses to run, in one line" {
	run in_host "$MERD" -f -s "$WORLD_DIR/run/root.sock"
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	grep -q 'refusing to run as root' <<<"$output"
}

@test "namespace mode (--ns): the command starts only once merd is shut in" {
	local fifo=$WORLD_DIR/home/pid.fifo out=$WORLD_DIR/home/parent.status
	# merd writes its pid file before it shuts itself in: a FIFO holds it
	# there until the test reads it, and the command must not run meanwhile
	as_user mkfifo "$fifo"
	user_bg "$MERD" -P "$fifo" --ns -- sh -c \
		'grep -E "^(Seccomp|NoNewPrivs):" /proc/$PPID/status >"$HOME/parent.status"; sleep 30'
	sleep 1
	[ ! -e "$out" ] || { echo "the command ran first: $(cat "$out")"; return 1; }
	[ "$(cat "$fifo")" = "$BG_PID" ]
	_wait_for 10 test -s "$out"
	cat "$out"
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$out"
	[ "$(world_sanitized)" = asan ] || grep -Eq '^Seccomp:[[:space:]]+2$' "$out"
	kill "$BG_PID"
}
