#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# fwd_loop.bats - Namespace mode, the rest of port forwarding: -T/-U (the
# namespace's loopback joined to the host's: TCP spliced, UDP relayed),
# -t/-u auto (ports bound in the namespace forwarded as they appear, one
# family busy on the host neither leaking nor blocking the other), -t/-u
# all (every free port, those bound on the host left alone) and specs of
# exclusions alone (all but those); --netns PID and --netns PATH (a file
# of "ip netns attach"): traffic, merd's exit status 0 when the process
# ends or the file is deleted, and one line for a target that is not there.
#
# The host's servers are fwd_peer serve run as root in "host" (they listen
# on every address, loopback included); the namespace's clients are
# fwd_peer run by merd --ns as its command, their lines collected in a
# file. See lib/fwd.bash for fwd_peer and the checks.

load lib/world
load lib/fwd

setup() {
	world_setup && fwd_inet_addrs
}

teardown() {
	[ -z "${WORLD_ID:-}" ] || ip netns delete "merd-att-$WORLD_ID" 2>/dev/null || :
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		world_dump_logs
		[ ! -s "${FWD_LOG:-}" ] || { echo "--- server" >&2; cat "$FWD_LOG" >&2; }
		[ ! -s "${LOOP_OUT:-}" ] || { echo "--- clients" >&2; cat "$LOOP_OUT" >&2; }
	fi
	world_teardown
}

# host_server() - Start fwd_peer serve as USER ("root" or the test user) in
# "host" on PORT...; its log is $FWD_LOG
host_server() {
	local user=$1
	shift
	FWD_LOG=$WORLD_DIR/run/host-server.log
	rm -f "$WORLD_DIR/run/host-server.ready"
	if [ "$user" = root ]; then
		_world_bg host-server ip netns exec "$HOST_NS" "$WORLD_BIN/fwd_peer" serve \
			-l "$FWD_LOG" -r "$WORLD_DIR/run/host-server.ready" -w 300 "$@"
	else
		user_argv "$WORLD_BIN/fwd_peer" serve -l "$FWD_LOG" \
			-r "$WORLD_DIR/run/host-server.ready" -w 300 "$@"
		_world_bg host-server "${USER_ARGV[@]}"
	fi
	_wait_for 10 test -e "$WORLD_DIR/run/host-server.ready"
}

# ns_clients() - Run merd --ns MERD_ARGS... -- with the shell script SCRIPT
# as its command (fwd_peer is $P there); the clients' lines go to $LOOP_OUT.
# Usage: ns_clients SCRIPT MERD_ARGS...
ns_clients() {
	local script=$1
	shift
	LOOP_OUT=$WORLD_DIR/run/clients.out
	: >"$LOOP_OUT"
	chown "$MERD_TEST_USER" "$LOOP_OUT"
	MERD_NS_TIMEOUT=${MERD_NS_TIMEOUT:-120} merd_ns "$@" -- \
		env P="$WORLD_BIN/fwd_peer" O="$LOOP_OUT" G="$WORLD_DIR/run/go" \
		sh -c "$script; true"
}

# loop_line() - Print the client line of request ID from $LOOP_OUT
loop_line() {
	grep "^$1 " "$LOOP_OUT" | tail -n 1
}

# flows_json() - Print the shell command that writes "merd ctl --json"'s
# flows listing to FILE, then the table for people to FILE.txt (run in the
# namespace, as merd's command)
flows_json() {
	echo "\"$MERD\" ctl --json \"$CTL\" flows >\"$1\"; \"$MERD\" ctl \"$CTL\" flows >\"$1.txt\""
}

# flow_check() - Check the one flow of the JSON listing FILE whose guest
# port is PORT (any if empty): each KEY=VALUE given (VALUE as JSON)
# Usage: flow_check FILE PORT KEY=VALUE...
flow_check() {
	/usr/bin/python3 -c '
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
port = sys.argv[2]
mine = [f for f in flows if not port or f["guest_port"] == int(port)]
print(json.dumps(mine))
assert len(mine) == 1, "%d flows match" % len(mine)
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    assert mine[0][k] == json.loads(v), "%s is %r, not %s" % (k, mine[0][k], v)
' "$@"
}

@test "-T: a process in the namespace reaches a TCP server on the host's 127.0.0.1 and ::1; merd ctl lists the spliced flow as tcp, its bytes counted" {
	local f=$WORLD_DIR/run/flows.json reply lport
	CTL=$WORLD_DIR/run/ctl.sock
	host_server root 5432
	# tk holds its connection 3 s after the server's answer and close
	ns_clients '"$P" -i t4 tcp 127.0.0.1 5432 hello >>"$O"; "$P" -i t6 tcp ::1 5432 hello >>"$O"
		    "$P" -k 3 -i tk tcp 127.0.0.1 5432 hello >>"$O" & sleep 1.5; '"$(flows_json "$f")"'; wait' \
		-T 5432 --ctl "$CTL"
	fwd_check_hello "$(loop_line t4)" 127.0.0.1 5432 any
	fwd_check_hello "$(loop_line t6)" ::1 5432 any
	fwd_check_hello "$(loop_line tk)" 127.0.0.1 5432 any
	cat "$f.txt"
	# tk's flow: request "tk hello\n" out, the answer line in; no packets
	# merd could count (null, "-" in the table); the host closed its half
	reply=$(sed -n 's/.* reply="\([^"]*\)".*/\1/p' <<<"$(loop_line tk)")
	lport=$(fwd_kv lport "$(loop_line tk)")
	echo "reply: $reply, lport $lport"
	[ -n "$reply" ] && [ -n "$lport" ]
	flow_check "$f" "$lport" proto='"tcp"' protonum=6 path='"splice"' \
		remote_port=5432 state='"fin-host"' pkts_out=null pkts_in=null \
		bytes_out=9 bytes_in=$((${#reply} + 1))
	grep -qE "^[0-9]+ +tcp +6 +splice +127\.0\.0\.1 +$lport +127\.0\.0\.1 +5432 +fin-host +- +9 +- +$((${#reply} + 1)) " "$f.txt"
}

@test "-T 6000:5432 translates the port; a port without a host server resets the client" {
	host_server root 5432
	ns_clients '"$P" -i tr tcp 127.0.0.1 6000 hello >>"$O"; "$P" -i none tcp 127.0.0.1 6001 hello >>"$O"' \
		-T 6000:5432 -T 6001
	fwd_check_hello "$(loop_line tr)" 127.0.0.1 5432 any
	echo "client: $(loop_line none)"
	[ "$(fwd_kv result "$(loop_line none)")" = ECONNRESET ] ||
		[ "$(fwd_kv result "$(loop_line none)")" = ECONNREFUSED ]
}

@test "-T: 256 MiB each way through the splice path, SHA-256 intact; half-close carried" {
	local n=$((256 << 20))
	host_server root 5432
	ns_clients "\"\$P\" -t 120 -i up tcp 127.0.0.1 5432 up $n >>\"\$O\"; \"\$P\" -t 120 -i down tcp ::1 5432 down $n >>\"\$O\"" \
		-T 5432
	# "up" ends with the client's FIN, answered after it: half-close works
	fwd_check_up "$(loop_line up)" $n
	fwd_check_down "$(loop_line down)" $n
}

@test "-U: a UDP exchange with a server on the host's 127.0.0.1 and ::1; merd ctl lists the relayed flows as udp" {
	local f=$WORLD_DIR/run/flows.json p
	CTL=$WORLD_DIR/run/ctl.sock
	host_server root 5353
	ns_clients '"$P" -i u4 udp 127.0.0.1 5353 hello >>"$O"; "$P" -i u6 udp ::1 5353 hello >>"$O"; '"$(flows_json "$f")" \
		-U 5353 --ctl "$CTL"
	fwd_check_hello "$(loop_line u4)" 127.0.0.1 5353 any
	fwd_check_hello "$(loop_line u6)" ::1 5353 any
	cat "$f.txt"
	# one datagram "u4 hello" each way, answered
	for p in $(fwd_kv lport "$(loop_line u4)") $(fwd_kv lport "$(loop_line u6)"); do
		flow_check "$f" "$p" proto='"udp"' protonum=17 path='"relay"' \
			remote_port=5353 state='"answered"' pkts_out=1 pkts_in=1 \
			bytes_out=8
	done
	[ "$(grep -cE '^[0-9]+ +udp +17 +relay +' "$f.txt")" -eq 2 ]
}

@test "-T, -U and auto are refused outside namespace mode, in one line" {
	local opt rc
	for opt in "-T 5432" "-U 53" "-T auto" "-t auto"; do
		rc=0
		# shellcheck disable=SC2086 # option and spec
		user_argv "$MERD" -f -s "$WORLD_DIR/run/x.sock" $opt
		(cd "$WORLD_DIR" && "${USER_ARGV[@]}") 2>"$MERD_LOG" || rc=$?
		echo "$opt: $rc: $(cat "$MERD_LOG")"
		[ $rc -eq 1 ] && [ "$(grep -c . "$MERD_LOG")" -eq 1 ] &&
			grep -q 'namespace mode' "$MERD_LOG"
	done
}

# helper_check() - Check the -T/-U auto helper PID: filtered, no_new_privs,
# CAP_NET_BIND_SERVICE alone (over the namespace's user namespace), not
# dumpable, an empty read-only root
helper_check() {
	local st=/proc/$1/status set want
	grep -E '^(Uid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st"
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st"
	grep -Eq '^Seccomp:[[:space:]]+2$' "$st"
	for set in CapEff CapPrm CapBnd CapInh CapAmb; do
		want=0000000000000000
		# CAP_NET_BIND_SERVICE is bit 10
		[ "$set" = CapEff ] || [ "$set" = CapPrm ] && want=0000000000000400
		grep -Eq "^$set:[[:space:]]+$want\$" "$st" ||
			{ echo "$set is not $want"; return 1; }
	done
	[ "$(stat -c %u "$st")" -eq 0 ] || { echo "the helper is dumpable"; return 1; }
	[ -d "/proc/$1/root/" ] && [ -z "$(ls -A "/proc/$1/root/")" ]
	cat "/proc/$1/mountinfo"
	[ "$(grep -c . "/proc/$1/mountinfo")" -eq 1 ]
	awk '$5 == "/" && $6 ~ /(^|,)ro(,|$)/ { ok = 1 } END { exit !ok }' "/proc/$1/mountinfo"
}

@test "-T auto -U auto: a server started on the host's loopback after merd is reachable from the namespace within 2 s" {
	local cmd helper clients
	LOOP_OUT=$WORLD_DIR/run/clients.out
	# the namespace's script: wait for the go, then try every 0.1 s; port
	# 80 is below the namespace's ip_unprivileged_port_start. Then wait
	# for the helper to be checked from outside.
	ns_clients 'while [ ! -e "$G" ]; do sleep 0.1; done
		i=0
		until "$P" -t 1 -i tr$i tcp 127.0.0.1 5555 hello >>"$O"; do
			i=$((i + 1)); [ $i -lt 20 ] || break; sleep 0.1
		done
		"$P" -i t6 tcp ::1 5555 hello >>"$O"
		"$P" -i u4 udp 127.0.0.1 5555 hello >>"$O"
		"$P" -i low tcp 127.0.0.1 80 hello >>"$O"
		echo $$ >"$G.cmd"
		i=0
		while [ ! -e "$G.done" ] && [ $i -lt 100 ]; do
			i=$((i + 1)); sleep 0.1
		done' -T auto -U auto &
	clients=$!
	sleep 1
	host_server root 5555 80
	touch "$WORLD_DIR/run/go"
	_wait_for 30 test -s "$WORLD_DIR/run/go.cmd"
	# merd's helper: the merd process in the command's namespace
	cmd=$(cat "$WORLD_DIR/run/go.cmd")
	helper=$(helper_of "$cmd" 0)
	echo "helper: ${helper:-none}"
	[ -n "$helper" ] && helper_check "$helper" || { touch "$WORLD_DIR/run/go.done"; return 1; }
	touch "$WORLD_DIR/run/go.done"
	wait "$clients"
	cat "$LOOP_OUT"
	fwd_check_hello "$(grep ' result=OK ' "$LOOP_OUT" | grep '^tr' | head -n 1)" 127.0.0.1 5555 any
	fwd_check_hello "$(loop_line t6)" ::1 5555 any
	fwd_check_hello "$(loop_line u4)" 127.0.0.1 5555 any
	fwd_check_hello "$(loop_line low)" 127.0.0.1 80 any
}

# helper_of() - Print the pid of the merd process, other than merd itself
# (MERD), in the network namespace of process PID: the helper
helper_of() {
	local netns d
	netns=$(readlink "/proc/$1/ns/net")
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != "$2" ] &&
			[ "$(cat "$d/comm" 2>/dev/null)" = merd ] &&
			[ "$(readlink "$d/ns/net" 2>/dev/null)" = "$netns" ] &&
			echo "${d#/proc/}"
	done
	return 0
}

@test "--netns PID -T auto: the helper in a namespace merd joined is shut in too, and serves" {
	local target merd helper line i
	host_server root 5556
	user_argv unshare -rn sleep 60
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >/dev/null 2>&1 3>&- &
	target=$!
	echo "$target" >>"$WORLD_DIR/pids"
	_wait_for 5 eval '[ "$(cat /proc/$target/comm)" = sleep ]'
	user_argv "$MERD" -f --netns "$target" -T auto
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null >/dev/null 2>>"$MERD_LOG" 3>&- &
	merd=$!
	echo "$merd" >>"$WORLD_DIR/pids"
	_wait_for 5 eval '[ "$(cat /proc/$merd/comm)" = merd ]'
	_wait_for 5 eval '[ -n "$(helper_of "$target" "$merd")" ]'
	helper=$(helper_of "$target" "$merd")
	echo "helper: $helper"
	helper_check "$helper"
	for i in $(seq 20); do
		line=$(as_user nsenter --preserve-credentials -t "$target" -U -n -- \
			"$WORLD_BIN/fwd_peer" -t 1 -i n$i tcp 127.0.0.1 5556 hello) && break
		sleep 0.1
	done
	fwd_check_hello "$line" 127.0.0.1 5556 any
	kill "$target"
	_wait_for 10 eval '! _pid_alive "$merd"'
}

@test "-T auto test build: a raw socket in the helper is killed by SIGSYS, and merd says it cannot start" {
	[ -x "${MERD_TEST_BUILD:=$BATS_TEST_DIRNAME/../merd-test}" ] ||
		skip "no test build at $MERD_TEST_BUILD (make merd-test)"
	mkdir -p "$WORLD_BIN/sigsys"
	install -m 0755 "$MERD_TEST_BUILD" "$WORLD_BIN/sigsys/merd"
	run as_user env MERD_TEST_SECCOMP_TRIGGER=nsopen-raw \
		"$WORLD_BIN/sigsys/merd" --ns -T auto -- true
	echo "status $status: $output"
	[ "$status" -eq 1 ]
	grep -q 'nsopen: opening a raw socket' <<<"$output"
	# killed without a word (a helper whose call returned would say
	# "State not recoverable" through merd)
	grep -q 'cannot start the helper in the namespace: No child processes' <<<"$output"
}

# poll_ok() - Poll a TCP hello from inet to host PORT until it is served,
# for up to MS milliseconds; print the last client line
poll_ok() {
	local port=$1 ms=$2 t0 line i=0
	t0=$(date +%s%N)
	while :; do
		i=$((i + 1))
		line=$(FWD_HELLO_SECS=1 fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" "$port" p$port-$i)
		[ "$(fwd_kv result "$line")" = OK ] && break
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt "$ms" ] || break
		sleep 0.1
	done
	echo "$line"
}

@test "-t auto -u auto: a server started in the namespace after merd is reachable from inet within 2 s" {
	local line
	FWD_SERVE_DELAY=2 fwd_ns_start -t auto -u auto -- 7777 7778
	# nothing listens in the namespace yet: merd forwards nothing
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 7777 before)"
	_wait_for 10 test -e "$FWD_READY"
	line=$(poll_ok 7777 2000)
	fwd_check_hello "$line" "$FWD_INET4" 7777
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 7778 a6)" "$FWD_INET6" 7778
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 7778 au)" "$FWD_INET4" 7778
	# and a port the namespace does not bind is not forwarded
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 7779 other)"
	fwd_ns_stop
}

# udp_host_squatter() - As the test user (merd's own: SO_REUSEPORT would let
# merd share its port), bind UDP 0.0.0.0:PORT and answer "ID host" to each
# "ID ..." datagram
udp_host_squatter() {
	user_argv /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
open(sys.argv[2], "w").close()
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d.split()[0] + b" host", a)' "$1" "$WORLD_DIR/run/squatter.ready"
	_world_bg squatter "${USER_ARGV[@]}"
	_wait_for 10 test -e "$WORLD_DIR/run/squatter.ready"
}

@test "-t all -u all: a guest server on an arbitrary port is reachable; ports bound on the host beforehand are left alone" {
	local line
	# "all" takes a socket per port and family: keep the range within
	# this machine's open files limit (ports 18000-19999 here)
	in_host sysctl -qw net.ipv4.ip_unprivileged_port_start=18000
	in_host sysctl -qw net.ipv4.ip_local_port_range="20000 65535"
	host_server root 19458
	udp_host_squatter 19457
	fwd_ns_start -t all -u all -- 19123 19457 19458 17999 20001
	grep 'all:' "$MERD_LOG"
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 19123 t4)" "$FWD_INET4" 19123
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 19123 t6)" "$FWD_INET6" 19123
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 19123 u4)" "$FWD_INET4" 19123
	# below ip_unprivileged_port_start, and in the ephemeral range: not taken
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 17999 low)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 20001 eph)"
	# TCP 19458: the host's own server answers, the guest's sees nothing
	line=$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 19458 hostt)
	echo "client: $line"
	[ "$(fwd_kv result "$line")" = OK ]
	grep -q ' id=hostt ' "$WORLD_DIR/run/host-server.log"
	fwd_not grep -q ' id=hostt ' "$FWD_LOG"
	# UDP 19457: bound by merd's own user with SO_REUSEPORT, still left alone
	line=$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 19457 hostu)
	echo "client: $line"
	[ "$(fwd_kv reply "$line")" = "hostu host" ]
	fwd_not grep -q ' id=hostu ' "$FWD_LOG"
	fwd_ns_stop
}

@test "-t all and -t ~22 are refused with a clear line when the open files limit is too low" {
	local rc spec
	ulimit -n 4096	# ports 1024-32767: 63488 sockets
	for spec in all "~22"; do
		rc=0
		merd_ns -t "$spec" -- true || rc=$?
		echo "-t $spec: status $rc: $(cat "$MERD_LOG")"
		[ $rc -eq 1 ] && [ "$(grep -c . "$MERD_LOG")" -eq 1 ] &&
			grep -q 'open files limit' "$MERD_LOG"
	done
}

@test "-t ~19123,~19200-19300 -u ~19124 (exclusions alone): every free port but those is forwarded" {
	local line
	# every port but the excluded ones: keep the range within this
	# machine's open files limit (ports 18000-19999 here)
	in_host sysctl -qw net.ipv4.ip_unprivileged_port_start=18000
	in_host sysctl -qw net.ipv4.ip_local_port_range="20000 65535"
	fwd_ns_start -t "~19123,~19200-19300" -u "~19124" -- 18500 19123 19124 19250
	grep 'all:' "$MERD_LOG"
	# an arbitrary port, both protocols and families
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 18500 t4)" "$FWD_INET4" 18500
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 18500 t6)" "$FWD_INET6" 18500
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 18500 u4)" "$FWD_INET4" 18500
	# excluded for TCP only: UDP 19123 and TCP 19124 are forwarded
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 19123 u19123)" "$FWD_INET4" 19123
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 19124 t19124)" "$FWD_INET4" 19124
	# the excluded ones are not, though the guest listens there
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 19123 x1)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET6" tcp "$FWD_HOST6" 19123 x2)"
	fwd_check_refused "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 19250 x3)"
	line=$(FWD_HELLO_SECS=2 fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 19124 x4)
	echo "client: $line"
	[ "$(fwd_kv result "$line")" != OK ]
	fwd_not grep -q ' id=x[0-9] ' "$FWD_LOG"
	fwd_ns_stop
}

@test "--netns PID: -T reaches the host's loopback from the attached namespace; -t auto follows a server there as it starts and stops" {
	local target line
	host_server root 5432
	user_argv unshare -rn sleep 60
	_world_bg target "${USER_ARGV[@]}"
	target=$(tail -n 1 "$WORLD_DIR/pids")
	_wait_for 5 eval '[ "$(cat /proc/$target/comm)" = sleep ]'
	user_argv "$MERD" -f --netns "$target" -T 5432 -t auto
	_world_bg merd "${USER_ARGV[@]}"
	_wait_for 5 eval 'nsenter -t "$target" -n ip -o addr show tap0 | grep -q inet'
	line=$(nsenter -t "$target" -n "$WORLD_BIN/fwd_peer" -t 5 -i nt tcp 127.0.0.1 5432 hello || :)
	fwd_check_hello "$line" 127.0.0.1 5432 any
	# a server in the namespace, started after merd: reachable from inet
	FWD_LOG=$WORLD_DIR/run/ns-server.log
	_world_bg ns-server nsenter -t "$target" -n "$WORLD_BIN/fwd_peer" serve \
		-l "$FWD_LOG" -r "$WORLD_DIR/run/ns-server.ready" -w 60 7777
	_wait_for 10 test -e "$WORLD_DIR/run/ns-server.ready"
	fwd_check_hello "$(poll_ok 7777 2000)" "$FWD_INET4" 7777
	# the server goes: so does the forward (refused, not reset)
	kill "$(tail -n 1 "$WORLD_DIR/pids")"
	_wait_for 3 eval 'fwd_check_refused "$(FWD_HELLO_SECS=1 fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 7777 gone)"'
	kill "$target"
}

# rst_server() - As root in "host", accept two connections on 127.0.0.1:PORT:
# reset the first after its first bytes; on the second, wait for the
# client's reset and write what recv() said to $WORLD_DIR/run/rst.out
rst_server() {
	_world_bg rst-server ip netns exec "$HOST_NS" /usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
open(sys.argv[2] + ".ready", "w").close()
a, _ = s.accept()
a.recv(10)
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
a.close()
a, _ = s.accept()
a.settimeout(10)
try:
    r = "data %r" % a.recv(10)
    r = "then %r" % a.recv(10)
except ConnectionResetError:
    r = "reset"
except socket.timeout:
    r = "timeout"
open(sys.argv[2], "w").write(r + "\n")' "$1" "$WORLD_DIR/run/rst.out"
	_wait_for 10 test -e "$WORLD_DIR/run/rst.out.ready"
}

@test "-T: a reset by either end reaches the other one" {
	rst_server 5440
	ns_clients '/usr/bin/python3 -c "
import socket, struct
c = socket.create_connection((\"127.0.0.1\", 5440))
c.settimeout(10)
c.sendall(b\"x\")
try:
    print(\"first\", c.recv(10))
except ConnectionResetError:
    print(\"first reset\")
c = socket.create_connection((\"127.0.0.1\", 5440))
c.sendall(b\"y\")
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))
c.close()
" >>"$O"' -T 5440
	cat "$LOOP_OUT"
	grep -qx 'first reset' "$LOOP_OUT"
	_wait_for 5 test -s "$WORLD_DIR/run/rst.out"
	cat "$WORLD_DIR/run/rst.out"
	grep -qx 'reset' "$WORLD_DIR/run/rst.out"
}

# attach_start() - Start "merd -f ARGS..." as the test user in the
# background; once it ends, its exit status is in $ATTACH_STATUS
attach_start() {
	ATTACH_STATUS=$WORLD_DIR/run/attach-$RANDOM$RANDOM.status
	user_argv "$MERD" -f "$@"
	(
		cd "$WORLD_DIR" || exit 1
		"${USER_ARGV[@]}" </dev/null >>"$MERD_LOG" 2>&1 3>&-
		echo "$?" >"$ATTACH_STATUS"
	) 3>&- &
	echo "$!" >>"$WORLD_DIR/pids"
}

# attach_exit_status() - Wait up to 10 s for the merd of attach_start to
# end; print its exit status, fail if it is still running
attach_exit_status() {
	_wait_for 10 test -s "$ATTACH_STATUS" || { echo "merd still running"; return 1; }
	cat "$ATTACH_STATUS"
}

# userns_target() - Start "unshare -rn sleep 60" as the test user; TARGET
# is its pid, a process whose network namespace it owns
userns_target() {
	user_argv unshare -rn sleep 60
	_world_bg target "${USER_ARGV[@]}"
	TARGET=$(tail -n 1 "$WORLD_DIR/pids")
	_wait_for 5 eval '[ "$(cat /proc/$TARGET/comm)" = sleep ]'
}

@test "--netns PID: merd exits with status 0 once the process, and its namespace, end" {
	local st
	userns_target
	attach_start --netns "$TARGET"
	_wait_for 5 eval 'nsenter -t "$TARGET" -n ip -o addr show tap0 | grep -q inet'
	[ ! -e "$ATTACH_STATUS" ]	# serving
	kill "$TARGET"
	st=$(attach_exit_status)
	echo "merd's exit status: $st"
	cat "$MERD_LOG"
	[ "$st" = 0 ]
}

@test "--netns PATH (ip netns attach): inet reaches a server there; ip netns delete makes merd exit 0" {
	local name=merd-att-$WORLD_ID st
	userns_target
	# as "ip netns add" leaves it: a bind-mounted file, and no process
	ip netns attach "$name" "$TARGET"
	kill "$TARGET"
	attach_start --netns "/run/netns/$name" -t 8080:80 -u 8080:80
	_wait_for 5 eval 'nsenter --net="/run/netns/$name" ip -o addr show tap0 | grep -q inet'
	FWD_LOG=$WORLD_DIR/run/ns-server.log
	_world_bg ns-server nsenter --net="/run/netns/$name" "$WORLD_BIN/fwd_peer" serve \
		-l "$FWD_LOG" -r "$WORLD_DIR/run/ns-server.ready" -w 60 80
	_wait_for 10 test -e "$WORLD_DIR/run/ns-server.ready"
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 8080 np4)" "$FWD_INET4" 80
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET6" udp "$FWD_HOST6" 8080 np6)" "$FWD_INET6" 80
	kill "$(tail -n 1 "$WORLD_DIR/pids")"
	[ ! -e "$ATTACH_STATUS" ]	# still serving
	ip netns delete "$name"
	st=$(attach_exit_status)
	echo "merd's exit status: $st"
	cat "$MERD_LOG"
	[ "$st" = 0 ]
	grep -q "namespace /run/netns/$name is gone" "$MERD_LOG"
}

@test "--netns with no such file, no such process or a file that is no namespace: status 1, one line" {
	local dead t rc
	dead=$(sh -c 'echo $$')
	for t in /nonexistent "$WORLD_DIR/run/no/such" "$dead" "/proc/$dead/ns/net" /etc/hostname; do
		rc=0
		as_user "$MERD" -f --netns "$t" 2>"$MERD_LOG" || rc=$?
		echo "--netns $t: status $rc: $(cat "$MERD_LOG")"
		[ $rc -eq 1 ] && [ "$(grep -c . "$MERD_LOG")" -eq 1 ] &&
			grep -qF -- "--netns $t: " "$MERD_LOG"
	done
}

# v6_squatter() - As root in "host", hold TCP and UDP [::]:PORT, IPv6 only
# (no SO_REUSEPORT: merd cannot share them)
v6_squatter() {
	_world_bg squat6 ip netns exec "$HOST_NS" /usr/bin/python3 -c '
import socket, sys, time
for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET6, t)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::", int(sys.argv[1])))
    if t == socket.SOCK_STREAM:
        s.listen()
    globals()["keep%d" % t] = s
open(sys.argv[2], "w").close()
time.sleep(120)' "$1" "$WORLD_DIR/run/squat6.ready"
	_wait_for 10 test -e "$WORLD_DIR/run/squat6.ready"
}

# host_v4_socks() - Print how many sockets of PROTO (t or u) are bound to
# 0.0.0.0:PORT in "host"
host_v4_socks() {
	in_host ss -Hn"$1"a "sport = :$2" | grep -c " 0\.0\.0\.0:$2 " || :
}

@test "-t auto -u auto: a port whose IPv6 side is busy on the host is served over IPv4, without a socket more per scan, and closed when the server goes" {
	local line n
	v6_squatter 7790
	userns_target
	attach_start --netns "$TARGET" -t auto -u auto
	_wait_for 5 eval 'nsenter -t "$TARGET" -n ip -o addr show tap0 | grep -q inet'
	FWD_LOG=$WORLD_DIR/run/ns-server.log
	_world_bg ns-server nsenter -t "$TARGET" -n "$WORLD_BIN/fwd_peer" serve \
		-l "$FWD_LOG" -r "$WORLD_DIR/run/ns-server.ready" -w 60 7790
	_wait_for 10 test -e "$WORLD_DIR/run/ns-server.ready"
	fwd_check_hello "$(poll_ok 7790 2000)" "$FWD_INET4" 7790
	fwd_check_hello "$(fwd_hello "$INET_NS" "$FWD_INET4" udp "$FWD_HOST4" 7790 au4)" "$FWD_INET4" 7790
	# three scans more: still one IPv4 socket each, IPv6 still the squatter's
	sleep 3
	n="$(host_v4_socks t 7790) $(host_v4_socks u 7790)"
	echo "merd's IPv4 sockets on 7790 (TCP UDP): $n"
	[ "$n" = "1 1" ]
	# the server goes: so do the IPv4 forwards (refused, not reset)
	kill "$(tail -n 1 "$WORLD_DIR/pids")"
	_wait_for 3 eval 'fwd_check_refused "$(FWD_HELLO_SECS=1 fwd_hello "$INET_NS" "$FWD_INET4" tcp "$FWD_HOST4" 7790 gone)"'
	_wait_for 3 eval '[ "$(host_v4_socks u 7790)" = 0 ]'
	kill "$TARGET"
	[ "$(attach_exit_status)" = 0 ]
}
