#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon.bats - merd as a daemon and its log: detached, it logs to syslog
# at the level chosen (-q: no info line, but SIGUSR1's counters; --trace:
# per-frame lines); --trace gives a line per frame and per flow, and
# nothing without it; SIGHUP stops merd cleanly; a start-up that fails in
# the sandbox leaves no pid file or socket behind.
#
# syslog is test/lib/syslog-sink.py's datagram socket, bind-mounted on
# /dev/log in a mount namespace of merd's own (over a tmpfs /dev holding
# only the devices merd opens), so nothing reaches the machine's syslog.
# The guest of VM mode is a fake qemu (test/tools/inject-frames.py).

load lib/world

setup() {
	world_setup || { world_dump_logs; return 1; }
	SOCK=$WORLD_DIR/run/merd.sock
	PIDF=$WORLD_DIR/run/merd.pid
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		world_dump_logs
		[ ! -s "${SYSLOG:-}" ] || { echo "--- syslog" >&2; cat "$SYSLOG" >&2; }
	fi
	[ ! -s "$PIDF" ] || kill -TERM "$(cat "$PIDF")" 2>/dev/null || :
	world_teardown
}

# syslog_sink() - Start the sink: socket $LOG_SOCK, messages in $SYSLOG
syslog_sink() {
	LOG_SOCK=$WORLD_DIR/run/log.sock
	SYSLOG=$WORLD_DIR/log/syslog
	: >"$SYSLOG"
	world_peer_start syslog-sink "$HOST_NS" "$WORLD_BIN/syslog-sink.py" \
		"$LOG_SOCK" "$SYSLOG"
}

# merd_detached() - Run merd -s $SOCK -P $PIDF ARGS... as the test user,
# without -f, its /dev/log the sink's; return once merd said it is ready
# (the status of the process that detached)
merd_detached() {
	local old=$WORLD_DIR/run/dev
	mkdir -p "$old"
	user_argv "$MERD" -s "$SOCK" -P "$PIDF" "$@"
	(cd "$WORLD_DIR" && exec unshare -m --propagation private sh -ec '
		old=$1 log=$2
		shift 2
		mount --bind /dev "$old"
		mount -t tmpfs -o mode=0755,size=64k merd-test-dev /dev
		for d in null zero full random urandom; do
			touch "/dev/$d"
			mount --bind "$old/$d" "/dev/$d"
		done
		touch /dev/log
		mount --bind "$log" /dev/log
		umount -l "$old"
		exec "$@"' sh "$old" "$LOG_SOCK" "${USER_ARGV[@]}") \
		</dev/null >>"$MERD_LOG" 2>&1 3>&-
}

# daemon_gone() - True once the daemon of $PIDF has exited
daemon_gone() {
	! kill -0 "$DAEMON" 2>/dev/null
}

# daemon_stop() - SIGTERM the daemon, wait for it to exit
daemon_stop() {
	kill -TERM "$DAEMON"
	_wait_for 10 daemon_gone
}

# fake_guest() - A fake qemu ARPs for the gateway through $SOCK, then leaves
fake_guest() {
	as_user "$WORLD_BIN/inject-frames.py" arp "$SOCK"
}

@test "detached with -q, merd logs no info line to syslog; the counters SIGUSR1 asks for it does" {
	syslog_sink
	merd_detached -q
	DAEMON=$(cat "$PIDF")
	echo "daemon $DAEMON"
	# the process that started it returned: the daemon is another one
	[ -n "$DAEMON" ] && kill -0 "$DAEMON"
	run fake_guest
	echo "$output"
	[ "$status" -eq 0 ]
	kill -USR1 "$DAEMON"
	_wait_for 5 grep -q 'merd\[[0-9]*\]: counters: ' "$SYSLOG"
	daemon_stop
	cat "$SYSLOG"
	# SIGUSR1 asked for the counters: they are there, once; at exit they
	# are an info line like "guest connected", which -q keeps out
	[ "$(grep -c 'merd\[[0-9]*\]: counters: .*frames_in=[1-9]' "$SYSLOG")" -eq 1 ]
	! grep -q 'guest connected\|guest link closed' "$SYSLOG"
	[ ! -e "$PIDF" ] && [ ! -e "$SOCK" ]
}

@test "detached with --trace, merd logs the frames and debug lines to syslog" {
	syslog_sink
	merd_detached --trace
	DAEMON=$(cat "$PIDF")
	run fake_guest
	echo "$output"
	[ "$status" -eq 0 ]
	_wait_for 5 grep -q 'eth: frame out: ' "$SYSLOG"
	daemon_stop
	cat "$SYSLOG"
	grep -q 'merd\[[0-9]*\]: guest connected' "$SYSLOG"
	grep -q 'merd\[[0-9]*\]: eth: guest MAC 52:54:00:12:34:56' "$SYSLOG"
	grep -Eq 'merd\[[0-9]+\]: eth: frame in: 42 bytes, type 0x0806, 52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff' "$SYSLOG"
	grep -Eq 'merd\[[0-9]+\]: eth: frame out: [0-9]+ bytes, type 0x0806, 9a:55:9a:55:9a:55 > 52:54:00:12:34:56' "$SYSLOG"
}

@test "--trace: a ping logs a line per frame in and out and its flow's start and end; without --trace, none" {
	run merd_ns --trace -- busybox ping -c 2 -W 2 203.0.113.2
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E 'eth: frame|flow [0-9]+ ' "$MERD_LOG" | head -n 40
	[ "$(grep -cE 'merd: eth: frame in: 98 bytes, type 0x0800, ' "$MERD_LOG")" -ge 2 ]
	[ "$(grep -cE 'merd: eth: frame out: 98 bytes, type 0x0800, 9a:55:9a:55:9a:55 > ' "$MERD_LOG")" -ge 2 ]
	grep -Eq 'merd: flow [0-9]+ created: icmp 198\.51\.100\.10:[0-9]+ > 203\.0\.113\.2:0 \(guest, proto 1\)' "$MERD_LOG"
	grep -Eq 'merd: flow [0-9]+ ended: icmp 198\.51\.100\.10:[0-9]+ > 203\.0\.113\.2:0 \(guest, proto 1\), [0-9]+ ms, out/in 2/2 packets 128/128 bytes' "$MERD_LOG"
	run merd_ns -d -- busybox ping -c 2 -W 2 203.0.113.2
	[ "$status" -eq 0 ]
	grep -q 'merd: counters: ' "$MERD_LOG"
	! grep -qE 'eth: frame|flow [0-9]+ (created|ended)' "$MERD_LOG"
}

@test "SIGHUP stops merd as SIGTERM does: exit 0, socket, control socket and pid file removed" {
	local ctl=$WORLD_DIR/run/merd.ctl
	merd_vm_start "$SOCK" -P "$PIDF" --ctl "$ctl"
	[ -e "$PIDF" ] && [ -S "$ctl" ]
	kill -HUP "$MERD_PID"
	_wait_for 10 merd_vm_status >/dev/null
	cat "$MERD_LOG"
	[ "$(merd_vm_status)" -eq 0 ]
	grep -q 'merd: counters: ' "$MERD_LOG"
	[ ! -e "$PIDF" ] && [ ! -e "$SOCK" ] && [ ! -e "$ctl" ]
}

@test "start-up failing in the sandbox leaves no pid file, socket or control socket behind" {
	local ctl=$WORLD_DIR/run/merd.ctl
	# in a user namespace that may not have nested ones, merd's own
	# cannot be made: isolation fails after the files were made
	user_argv unshare -U -r sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"' sh \
		"$MERD" -f -s "$SOCK" -P "$PIDF" --ctl "$ctl"
	run "${USER_ARGV[@]}"
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	grep -qE 'isolation: unshare user, mount, IPC, UTS(, PID)?: No space left on device' <<<"$output"
	grep -q "listening on $SOCK" <<<"$output"	# it got that far
	[ ! -e "$PIDF" ] && [ ! -e "$SOCK" ] && [ ! -e "$ctl" ]
}
