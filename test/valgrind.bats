#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.bats - merd under valgrind memcheck, once per mode, through real
# traffic: DHCP, ping, UDP echo, a TCP download and upload checked by
# SHA-256, a forwarded port; then SIGTERM. valgrind must report zero errors
# and no definite leak, and merd must exit 0.
#
# merd runs as merd-valgrind (make merd-valgrind): the objects of ./merd
# (-O2 -g) but isolation.c built with -DMERD_VALGRIND, which loads no
# seccomp filter (valgrind 3.19 lacks seccomp(2), and its own calls are off
# merd's allow-list); the rest of the sandbox (user namespace, empty root,
# no capabilities) is there. test/lib/valgrind.supp holds the one
# suppression: valgrind 3.19 wrongly checks mount(2)'s type when it is NULL.
# Skipped, saying why, when valgrind or merd-valgrind is missing.

load lib/world
load lib/tcp
load lib/fwd
load lib/guest

MERD_VALGRIND_BIN=${MERD_VALGRIND_BIN:-$BATS_TEST_DIRNAME/../merd-valgrind}

world_extra_peers() {
	tcp_peer_start
}

setup() {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[ -x "$MERD_VALGRIND_BIN" ] ||
		skip "no $MERD_VALGRIND_BIN (make merd-valgrind)"
	MERD_BIN=$MERD_VALGRIND_BIN world_setup
	install -m 0644 "$BATS_TEST_DIRNAME/lib/valgrind.supp" "$WORLD_BIN/"
	VG_LOG=$WORLD_DIR/run/vg
	VG=(valgrind --tool=memcheck --error-exitcode=97 --leak-check=full
	    --show-leak-kinds=definite --errors-for-leak-kinds=definite
	    --vgdb=no --suppressions="$WORLD_BIN/valgrind.supp"
	    --log-file="$VG_LOG.%p")
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		world_dump_logs
		[ -z "${VG_LOG:-}" ] || cat "$VG_LOG".* >&2 2>/dev/null
		[ -z "${GUEST_LOG:-}" ] || tr -d '\r' <"$GUEST_LOG" | tail -n 30 >&2
	fi
	world_teardown
}

# vg_start() - Start valgrind merd ARGS... as the test user in the
# background; MERD_PID is valgrind's (merd's) pid, MERD_STATUS_FILE gets
# its exit status
vg_start() {
	MERD_STATUS_FILE=$WORLD_DIR/run/merd-vg.status
	user_argv "${VG[@]}" "$MERD" "$@"
	(
		cd "$WORLD_DIR" || exit 1
		"${USER_ARGV[@]}" </dev/null >>"$WORLD_DIR/log/vg-cmd.out" \
			2>>"$MERD_LOG" 3>&-
		echo "$?" >"$MERD_STATUS_FILE"
	) 3>&- &
	echo "$!" >>"$WORLD_DIR/pids"
	MERD_PID=
	_wait_for 10 _vg_pid "$!" ||
		world_fail "valgrind did not start: $(tail -n 5 "$MERD_LOG")"
}

# _vg_pid() - Set MERD_PID to the valgrind child of the wrapper shell PID
_vg_pid() {
	MERD_PID=$(pgrep -P "$1" | head -n 1)
	[ -n "$MERD_PID" ] &&
		[[ $(cat "/proc/$MERD_PID/comm" 2>/dev/null) == memcheck* ]]
}

# vg_stop() - SIGTERM merd, wait (60 s: valgrind checks for leaks at exit),
# print and check its status (0) and valgrind's logs: zero errors, no
# definite leak
vg_stop() {
	local f main=$VG_LOG.$MERD_PID
	kill -TERM "$MERD_PID"
	_wait_for 60 merd_vm_status >/dev/null || {
		echo "merd did not exit within 60 s of SIGTERM"
		return 1
	}
	echo "merd exit status: $(merd_vm_status)"
	for f in "$VG_LOG".*; do
		echo "--- $f"
		grep -E 'ERROR SUMMARY|definitely lost|no leaks are possible|Invalid|uninitialised|Syscall param' "$f" || :
	done
	[ "$(merd_vm_status)" -eq 0 ]
	# the process merd ran as reports its summary: no error, no leak
	grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$main"
	grep -Eq 'definitely lost: 0 bytes in 0 blocks|All heap blocks were freed' "$main"
	# and no process (merd's forks too) reported an error of any kind
	! grep -E 'ERROR SUMMARY: [1-9]' "$VG_LOG".*
	! grep -E '== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched|Source and destination)' \
		"$VG_LOG".*
}

@test "namespace mode under valgrind: DHCP, ping, UDP, TCP both ways, a forwarded port, SIGTERM: zero errors, no leak" {
	local ready=$WORLD_DIR/run/vg-fwd.ready line
	FWD_LOG=$WORLD_DIR/run/vg-fwd.log
	vg_start -t 8080 --ns -- sh -c '
		PATH=$0:$PATH
		busybox udhcpc -i tap0 -n -q -f -s /bin/true -t 5 2>&1 |
			sed "s/^/dhcp: /"
		busybox ping -c 3 -W 5 203.0.113.2 | sed "s/^/ping: /"
		udp_echo_check 203.0.113.2 7 262144 2>&1 | sed "s/^/udp: /"
		tcp_xfer -t 300 -i vg-down down 203.0.113.2 5000 8M
		tcp_xfer -t 300 -i vg-up up 203.0.113.2 5000 8M
		exec fwd_peer serve -l "$1" -r "$2" -w 300 8080' \
		"$WORLD_BIN" "$FWD_LOG" "$ready"
	_wait_for 240 test -e "$ready"
	line=$(fwd_hello "$INET_NS" - tcp 198.51.100.10 8080 vg-fwd)
	cat "$WORLD_DIR/log/vg-cmd.out"
	echo "forward: $line"
	vg_stop
	out=$(cat "$WORLD_DIR/log/vg-cmd.out")
	grep -q '^dhcp: .*lease of 198\.51\.100\.10 obtained' <<<"$out"
	[ "$(grep -c '^ping: .*bytes from 203\.0\.113\.2:' <<<"$out")" -eq 3 ]
	grep -q '^udp: udp_echo_check: OK' <<<"$out"
	tcp_check_down "$(grep '^vg-down down ' <<<"$out")"
	tcp_check_up "$(grep '^vg-up up ' <<<"$out")"
	[ "$(fwd_kv result "$line")" = OK ]
	[[ $(fwd_kv reply "$line") == *"port=8080"* ]]
}

# The guest: every kind of traffic, then a server on port 8080 until the
# host's client has been served
VM_SCRIPT='
wait_for() {
	n=$(($1 * 10)) i=0
	shift
	until "$@"; do
		[ $i -ge $n ] && return 1
		usleep 100000
		i=$((i + 1))
	done
}
guest-dhcp | sed "s/^/lease_/"
ping -c 3 -W 5 203.0.113.2 | sed "s/^/ping: /"
udp_echo_check 203.0.113.2 7 262144 2>&1 | sed "s/^/udp: /"
tcp_xfer -t 300 -i vgvm-down down 203.0.113.2 5000 8M
tcp_xfer -t 300 -i vgvm-up up 203.0.113.2 5000 8M
fwd_peer serve -l /tmp/server.log -w 300 8080 &
wait_for 10 test -e /tmp/server.log
echo READY
wait_for 120 grep -q " id=vgvm-fwd " /tmp/server.log || echo "fwd_timeout=1"
kill %1
'

@test "VM mode under valgrind: DHCP, ping, UDP, TCP both ways, a forwarded port, SIGTERM: zero errors, no leak" {
	local sock=$WORLD_DIR/run/merd.sock line
	vg_start -f -s "$sock" -t 8080
	_wait_for 60 _merd_listening "$sock"
	guest_prepare
	(GUEST_TIMEOUT=600 guest_boot "$sock" "$VM_SCRIPT" \
		>"$WORLD_DIR/log/guest.out" 2>&1) 3>&- &
	local guest=$!
	echo "$guest" >>"$WORLD_DIR/pids"
	_wait_for 10 compgen -G "$WORLD_DIR/run/guest-*" >/dev/null
	GUEST_LOG=$(compgen -G "$WORLD_DIR/run/guest-*" | head -n 1)/results.raw
	_wait_for 400 grep -q '^READY' "$GUEST_LOG"
	line=$(fwd_hello "$INET_NS" - tcp 198.51.100.10 8080 vgvm-fwd)
	echo "forward: $line"
	wait "$guest"
	out=$(tr -d '\r' <"$GUEST_LOG")
	echo "$out"
	vg_stop
	grep -qx 'lease_ip=198.51.100.10' <<<"$out"
	[ "$(grep -c '^ping: .*bytes from 203\.0\.113\.2:' <<<"$out")" -eq 3 ]
	grep -q '^udp: udp_echo_check: OK' <<<"$out"
	tcp_check_down "$(grep '^vgvm-down down ' <<<"$out")"
	tcp_check_up "$(grep '^vgvm-up up ' <<<"$out")"
	! grep -q fwd_timeout <<<"$out"
	[ "$(fwd_kv result "$line")" = OK ]
}
