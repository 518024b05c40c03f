# SPDX-License-Identifier: GPL-2.0-or-later
# fwd.bash - Helpers of the port forwarding suites (fwd_ns.bats, fwd_vm.bats),
# sourced after world.bash: the guest's server and the host-side clients are
# both test/tools/fwd_peer (see its top comment), installed in the world and,
# through $WORLD_TOOLS, in the test guest.
#
#   inet  198.51.100.3/24 and 2001:db8:1::3/64 on veth0 too (fwd_inet_addrs):
#         the clients bind to them, so the address the guest's server logs
#         cannot be merd's gateway address (198.51.100.1, inet's first one)
#   host  198.51.100.10, 2001:db8:1::10: the forwarded ports listen here
#
# The guest's server logs one line per client, "tcp port=GUEST_PORT
# from=ADDR sport=PORT id=ID ...", and answers each "hello" with the same
# facts; fwd_check_hello compares the two with what the client printed.

WORLD_TOOLS="$WORLD_TOOLS fwd_peer"

FWD_INET4=198.51.100.3		# second address of "inet": the real client
FWD_INET6=2001:db8:1::3
FWD_HOST4=198.51.100.10		# the host's addresses (and the guest's)
FWD_HOST6=2001:db8:1::10
FWD_GW4=198.51.100.1		# what the guest sees for host-local clients
FWD_LL6=fe80::9855:9aff:fe55:9a55	# merd's link-local, the same for IPv6

# fwd_inet_addrs() - Give "inet" the client addresses FWD_INET4, FWD_INET6
fwd_inet_addrs() {
	in_inet ip addr add "$FWD_INET4/24" dev veth0 &&
		in_inet ip addr add "$FWD_INET6/64" dev veth0 nodad
}

# fwd_cli() - Run fwd_peer ARGS... as root in netns NS (a client); print
# its line. Its exit status is fwd_peer's: 0 only for result=OK
fwd_cli() {
	local ns=$1
	shift
	ip netns exec "$ns" "$WORLD_BIN/fwd_peer" "$@"
}

# fwd_hello() - Print the line of a hello over PROTO from NS (bound to BIND,
# "-" for none) to ADDR PORT, request ID, more fwd_peer options OPT...;
# never fails. FWD_HELLO_SECS: how long to wait for the answer (5)
fwd_hello() {
	local ns=$1 bind=$2 proto=$3 addr=$4 port=$5 id=$6 opts=()
	shift 6
	[ "$bind" = - ] || opts=(-b "$bind")
	fwd_cli "$ns" "${opts[@]}" "$@" -t "${FWD_HELLO_SECS:-5}" -i "$id" \
		"$proto" "$addr" "$port" hello || :
}

# fwd_kv() - Print the value of the first KEY=value word of LINE (quotes
# around a value are dropped; a quoted value may hold spaces)
fwd_kv() {
	local re="(^| )$1=(\"([^\"]*)\"|([^ ]*))"
	[[ " $2" =~ $re ]] || return 0
	echo "${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
}

# fwd_log_line() - Print the server's log line for request ID (waiting up
# to SECS, default 10, for it); fail if there is none
fwd_log_line() {
	local id=$1 secs=${2:-10}
	_wait_for "$secs" grep -q " id=$id " "$FWD_LOG" ||
		world_fail "the guest's server logged nothing for $id" || return 1
	grep " id=$id " "$FWD_LOG" | tr -d '\r' | tail -n 1
}

# fwd_check_hello() - Check a hello exchange: client LINE (from fwd_peer
# tcp|udp ... hello) got an answer and the server logged the request from
# address FROM, on guest port PORT, from the client's own port. With SPORT
# "any", the source port is not compared. Return status, no set -e needed.
fwd_check_hello() {
	local line=$1 from=$2 port=$3 sport=${4:-same} id log reply
	id=${line%% *}
	echo "client: $line"
	if [ "$(fwd_kv result "$line")" != OK ]; then
		fwd_log_line "$id" 1 | sed 's/^/server: /'
		return 1
	fi
	log=$(fwd_log_line "$id") || return 1
	echo "server: $log"
	reply=$(fwd_kv reply "$line")
	[ "$(fwd_kv from "$log")" = "$from" ] || return 1
	[ "$(fwd_kv port "$log")" = "$port" ] || return 1
	[ "$(fwd_kv from "$reply")" = "$from" ] || return 1
	[ "$(fwd_kv port "$reply")" = "$port" ] || return 1
	[ "$sport" = any ] ||
		[ "$(fwd_kv sport "$log")" = "$(fwd_kv lport "$line")" ] || return 1
	[[ $log == "tcp "* ]] && { [ "$(fwd_kv status "$log")" = ok ] || return 1; }
	return 0
}

# fwd_check_refused() - Check that client LINE was refused at connect time
# (nothing listens on that host port)
fwd_check_refused() {
	echo "client: $1"
	[ "$(fwd_kv result "$1")" = ECONNREFUSED ] && [ "$(fwd_kv stage "$1")" = connect ]
}

# fwd_check_reset() - Check that client LINE connected, then was reset (the
# guest refused merd's connection) within MS milliseconds of starting
fwd_check_reset() {
	echo "client: $1 (limit $2 ms)"
	[ "$(fwd_kv result "$1")" = ECONNRESET ] && [ "$(fwd_kv connect_ms "$1")" != -1 ] &&
		[ "$(fwd_kv ms "$1")" -le "$2" ]
}

# fwd_check_up() - Check an upload: client LINE (fwd_peer ... up BYTES) and
# the server's line agree on the byte count and SHA-256
fwd_check_up() {
	local log
	echo "client: $1"
	log=$(fwd_log_line "${1%% *}") || return 1
	echo "server: $log"
	[ "$(fwd_kv result "$1")" = OK ] && [ "$(fwd_kv sent "$1")" = "$2" ] &&
		[ "$(fwd_kv received "$log")" = "$2" ] &&
		[ "$(fwd_kv sha256 "$log")" = "$(fwd_kv sha256 "$1")" ] &&
		[ "$(fwd_kv status "$log")" = ok ]
}

# fwd_check_down() - Check a download: client LINE (fwd_peer ... down
# BYTES) and the server's line agree on the byte count and SHA-256
fwd_check_down() {
	local log
	echo "client: $1"
	log=$(fwd_log_line "${1%% *}") || return 1
	echo "server: $log"
	[ "$(fwd_kv result "$1")" = OK ] && [ "$(fwd_kv received "$1")" = "$2" ] &&
		[ "$(fwd_kv sent "$log")" = "$2" ] &&
		[ "$(fwd_kv sha256 "$log")" = "$(fwd_kv sha256 "$1")" ] &&
		[ "$(fwd_kv status "$log")" = ok ]
}

# known_bug() - Run CHECK...: the test passes if it succeeds. If it fails,
# the test is skipped as known merd bug WHAT (so that the suites stay green
# until src/ is fixed); MERD_TEST_STRICT=1 makes it fail instead. CHECK runs
# with set -e off, so it must return its own status (the fwd_check_* do).
known_bug() {
	local what=$1
	shift
	"$@" && return 0
	echo "known merd bug: $what"
	[ -z "${MERD_TEST_STRICT:-}" ] || return 1
	skip "known merd bug: $what"
}

# fwd_ns_start() - Start merd --ns MERD_ARGS... in the background as the
# test user, the guest's command being the server on guest ports PORT...;
# wait until it serves. Usage: fwd_ns_start MERD_ARGS... -- PORT...
# The server's log: $FWD_LOG; merd's stderr: $MERD_LOG. With
# FWD_SERVE_DELAY=SECS the server starts SECS after merd, and fwd_ns_start
# returns at once.
fwd_ns_start() {
	local args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	FWD_LOG=$WORLD_DIR/run/fwd-server.log
	FWD_READY=$WORLD_DIR/run/fwd-server.ready
	FWD_STOP=$WORLD_DIR/run/fwd-server.stop
	rm -f "$FWD_LOG" "$FWD_READY" "$FWD_STOP"
	# FWD_SERVE_DELAY: the server starts that many seconds after merd
	user_argv "$MERD" --ns "${args[@]}" -- sh -c \
		'sleep "$0"; exec "$@"' "${FWD_SERVE_DELAY:-0}" \
		"$WORLD_BIN/fwd_peer" serve -l "$FWD_LOG" -r "$FWD_READY" \
		-s "$FWD_STOP" -w 300 "$@"
	(cd "$WORLD_DIR" && exec timeout -k 5 "${MERD_NS_TIMEOUT:-300}" \
		"${USER_ARGV[@]}") </dev/null >>"$WORLD_DIR/log/fwd-ns.out" \
		2>"$MERD_LOG" 3>&- &
	FWD_NS_WRAP=$!
	echo "$FWD_NS_WRAP" >>"$WORLD_DIR/pids"
	export FWD_LOG FWD_READY FWD_STOP FWD_NS_WRAP
	[ -z "${FWD_SERVE_DELAY:-}" ] || return 0	# the caller waits
	_wait_for 10 test -e "$FWD_READY" && return 0
	world_fail "the guest's server did not start: $(tail -n 5 "$MERD_LOG" \
		"$WORLD_DIR/log/fwd-ns.out" 2>&1)"
}

# fwd_ns_stop() - Stop the server started by fwd_ns_start; return merd's
# exit status (the server's: 0)
fwd_ns_stop() {
	local rc=0
	[ -n "${FWD_NS_WRAP:-}" ] || return 0
	touch "$FWD_STOP"
	wait "$FWD_NS_WRAP" || rc=$?
	FWD_NS_WRAP=
	return "$rc"
}

# fwd_bad_spec() - Run RUNNER ARGS... (a function that runs merd with
# ARGS, its stderr in $MERD_LOG); check merd exits 1 with one line on
# stderr, which holds PART. Usage: fwd_bad_spec RUNNER PART ARGS...
fwd_bad_spec() {
	local runner=$1 part=$2 rc=0 lines
	shift 2
	"$runner" "$@" >/dev/null || rc=$?
	lines=$(grep -c . "$MERD_LOG")
	echo "merd $*: status $rc, $lines line(s): $(cat "$MERD_LOG")"
	[ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -qF -- "$part" "$MERD_LOG"
}

# fwd_not() - Succeed only if COMMAND... fails (bats heeds a failing
# fwd_not, not a "! COMMAND")
fwd_not() {
	! "$@"
}
