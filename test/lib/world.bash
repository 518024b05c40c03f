# SPDX-License-Identifier: GPL-2.0-or-later
# world.bash - The test world: netns "inet" (peers) and netns "host" (where
# merd runs as an unprivileged user), sourced by the bats suites.
#
#   inet  merd-inet-ID  veth 198.51.100.1/24 2001:db8:1::1/64; on lo
#                       203.0.113.2 203.0.113.53 2001:db8:2::2 2001:db8:2::53
#                       UDP echo :7 on 203.0.113.2, [2001:db8:2::2]
#                       DNS :53 on 203.0.113.53, [2001:db8:2::53]
#   host  merd-host-ID  veth 198.51.100.10/24 2001:db8:1::10/64, default
#                       routes via inet, resolv.conf "nameserver 203.0.113.53"
#
# MERD_BIN: the merd to test (default: ./merd of the checkout). MERD_TEST_KEEP=1:
# keep the world's directory (logs, guest consoles) after teardown.
#
# A sanitizer build of merd (merd-asan, merd-ubsan) is recognised by its
# runtime: the world exports ASAN_OPTIONS and UBSAN_OPTIONS so that merd
# aborts on the first report and writes it to log/san/, and world_teardown
# fails if anything was written there (see world_sanitized).
#
# Nothing in the world can reach outside: the two namespaces have no link but
# their veth pair. Every name carries a per-world ID; world_teardown removes
# all of it and is safe to call on a half-built world, or twice.

WORLD_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MERD_TEST_USER=${MERD_TEST_USER:-merdtest}
WORLD_TOOLS="udp_echo_check tcp_xfer"

# world_fail() - Print MESSAGE to stderr and return failure
world_fail() {
	echo "world: $*" >&2
	return 1
}

# _pid_alive() - True if PID exists and is not a zombie
_pid_alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# _wait_for() - Poll COMMAND... every 0.1 s for up to SECS seconds
_wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# _world_bg() - Start COMMAND... in the background, logging to log/NAME.log
_world_bg() {
	local name=$1
	shift
	"$@" </dev/null >>"$WORLD_DIR/log/$name.log" 2>&1 3>&- &
	echo "$!" >>"$WORLD_DIR/pids"
}

# world_peer_start() - Start peer NAME as root in NETNS; it touches READY
# Usage: world_peer_start NAME NETNS CMD... (CMD gets --ready FILE first)
world_peer_start() {
	local name=$1 ns=$2 ready=$WORLD_DIR/run/$1.ready
	shift 2
	rm -f "$ready"
	_world_bg "$name" ip netns exec "$ns" "$1" --ready "$ready" "${@:2}"
	_wait_for 10 test -e "$ready" ||
		world_fail "peer $name did not start: $(tail -n 5 "$WORLD_DIR/log/$name.log")"
}

# _world_user() - Create the unprivileged test user if it is missing
_world_user() {
	getent passwd "$MERD_TEST_USER" >/dev/null ||
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$MERD_TEST_USER" ||
		getent passwd "$MERD_TEST_USER" >/dev/null || return 1
	_world_subids
}

# _world_subids() - Give the test user subordinate uid and gid ranges (for
# rootlesskit and rootless podman, which map them with newuidmap)
_world_subids() {
	local f
	for f in /etc/subuid /etc/subgid; do
		grep -qs "^$MERD_TEST_USER:" "$f" ||
			echo "$MERD_TEST_USER:1300000:65536" >>"$f" || return 1
	done
}

# _world_tun() - Make /dev/net/tun usable by the test user
_world_tun() {
	[ -c /dev/net/tun ] || modprobe tun 2>/dev/null || :
	if [ ! -c /dev/net/tun ]; then
		mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200 ||
			return 1
	fi
	[ "$(stat -c %a /dev/net/tun)" = 666 ] || chmod 0666 /dev/net/tun
}

# _world_install() - Copy merd and the test tools where the test user reads
_world_install() {
	local merd=${MERD_BIN:-$WORLD_LIB/../../merd} t
	[ -x "$merd" ] || world_fail "no merd binary at $merd (make, or set MERD_BIN)" ||
		return 1
	install -m 0755 "$merd" "$WORLD_DIR/bin/merd"
	# the qemu wrapper, when built (make builds it beside merd)
	[ ! -x "$WORLD_LIB/../../contrib/qemu/merd-qemu" ] ||
		install -m 0755 "$WORLD_LIB/../../contrib/qemu/merd-qemu" "$WORLD_DIR/bin/"
	for t in $WORLD_TOOLS; do
		[ -x "$WORLD_LIB/../tools/$t" ] || make -s -C "$WORLD_LIB/../tools" >&2 ||
			return 1
		install -m 0755 "$WORLD_LIB/../tools/$t" "$WORLD_DIR/bin/$t"
	done
	install -m 0755 "$WORLD_LIB"/*.py "$WORLD_LIB"/../tools/*.py "$WORLD_DIR/bin/"
	install -m 0755 "$WORLD_LIB/../guest/run.sh" "$WORLD_DIR/bin/guest-run"
}

# _world_links() - Build the two namespaces and the veth pair between them
_world_links() {
	local vi=mv${WORLD_ID}i vh=mv${WORLD_ID}h
	ip netns add "$INET_NS" && ip netns add "$HOST_NS" || return 1
	ip link add "$vi" netns "$INET_NS" type veth peer name "$vh" netns "$HOST_NS" ||
		return 1
	in_inet sh -ec "
		ip link set lo up
		ip link set $vi name veth0 up
		ip addr add 198.51.100.1/24 dev veth0
		ip addr add 2001:db8:1::1/64 dev veth0 nodad
		for a in 203.0.113.2/32 203.0.113.53/32; do ip addr add \$a dev lo; done
		for a in 2001:db8:2::2/128 2001:db8:2::53/128; do
			ip addr add \$a dev lo nodad
		done" || return 1
	in_host sh -ec "
		ip link set lo up
		ip link set $vh name veth0 up
		ip addr add 198.51.100.10/24 dev veth0
		ip addr add 2001:db8:1::10/64 dev veth0 nodad
		ip route add default via 198.51.100.1 dev veth0
		ip -6 route add default via 2001:db8:1::1 dev veth0
		sysctl -qw net.ipv4.ping_group_range='0 2147483647'"
}

# _world_etc() - Give "host" its own nsswitch.conf and hosts: name lookups
# there use files and the world's DNS only (no nss-resolve, no mdns)
_world_etc() {
	mkdir -p "/etc/netns/$HOST_NS"
	printf '%s\n' "passwd: files" "group: files" "shadow: files" \
		"hosts: files dns" "networks: files" "protocols: files" \
		"services: files" >"/etc/netns/$HOST_NS/nsswitch.conf"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$HOST_NS/hosts"
}

# _world_resolv() - Write the host's resolv.conf with nameserver ADDR
_world_resolv() {
	mkdir -p "/etc/netns/$HOST_NS"
	printf 'nameserver %s\nsearch merd.test\n' "$1" >"/etc/netns/$HOST_NS/resolv.conf"
	# ip netns exec bind-mounts it: refuse to go on if that did not happen
	in_host grep -qx "nameserver $1" /etc/resolv.conf ||
		world_fail "host netns does not see its own resolv.conf"
}

# world_setup() - Build a fresh world; exports WORLD_* , INET_NS, HOST_NS, MERD
world_setup() {
	[ "$(id -u)" = 0 ] || world_fail "the test world needs root" || return 1
	world_gc
	WORLD_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	INET_NS=merd-inet-$WORLD_ID
	HOST_NS=merd-host-$WORLD_ID
	WORLD_DIR=$(mktemp -d "/tmp/merd-world-$WORLD_ID.XXXXXX")
	WORLD_BIN=$WORLD_DIR/bin
	MERD=$WORLD_BIN/merd
	MERD_LOG=$WORLD_DIR/log/merd.log
	export WORLD_ID INET_NS HOST_NS WORLD_DIR WORLD_BIN MERD MERD_LOG
	echo "$$" >"$WORLD_DIR/owner"
	mkdir -p "$WORLD_DIR"/{bin,log,run,home}
	_world_user && _world_tun || world_fail "cannot prepare user or tun" || return 1
	chmod 0755 "$WORLD_DIR" "$WORLD_DIR"/{bin,log}
	chown "$MERD_TEST_USER:" "$WORLD_DIR/run" "$WORLD_DIR/home"
	_world_install || return 1
	_world_sanitizer || return 1
	_world_links || world_fail "cannot build the namespaces" || return 1
	_world_etc && _world_resolv 203.0.113.53 || return 1
	world_peer_start udp-echo "$INET_NS" "$WORLD_BIN/udp-echo-server.py" \
		203.0.113.2 2001:db8:2::2 || return 1
	world_peer_start dns "$INET_NS" "$WORLD_BIN/dns-server.py" \
		--log "$WORLD_DIR/log/dns.queries" 203.0.113.53 '[2001:db8:2::53]:53' ||
		return 1
	# Hook: a suite may define world_extra_peers (TCP sink/source, HTTP...)
	if declare -F world_extra_peers >/dev/null; then
		world_extra_peers || return 1
	fi
}

# world_sanitized() - Print "asan" or "ubsan" and succeed if the merd under
# test is a sanitizer build, else fail
world_sanitized() {
	[ -n "${MERD_SANITIZER:-}" ] && echo "$MERD_SANITIZER"
}

# _world_sanitizer() - If $MERD is a sanitizer build, set MERD_SANITIZER and
# the options that make any report fatal and logged in log/san/merd.PID
_world_sanitizer() {
	local opts
	MERD_SANITIZER=
	if grep -qa __asan_init "$MERD"; then
		MERD_SANITIZER=asan
	elif grep -qa __ubsan_handle "$MERD"; then
		MERD_SANITIZER=ubsan
	fi
	export MERD_SANITIZER
	[ -n "$MERD_SANITIZER" ] || return 0
	install -d -m 0755 -o "$MERD_TEST_USER" "$WORLD_DIR/log/san" || return 1
	opts="halt_on_error=1:abort_on_error=1:log_path=$WORLD_DIR/log/san/merd"
	ASAN_OPTIONS="$opts:detect_leaks=1:strict_string_checks=1"
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_stack_use_after_return=1"
	UBSAN_OPTIONS="$opts:print_stacktrace=1"
	export ASAN_OPTIONS UBSAN_OPTIONS
}

# world_sanitizer_check() - Fail, showing the reports, if a sanitizer build
# of merd wrote any report (log/san/) or was aborted or exited with
# LeakSanitizer's status (run/*.status: 134, 23)
world_sanitizer_check() {
	local f rc=0
	[ -n "${MERD_SANITIZER:-}" ] && [ -d "${WORLD_DIR:-}" ] || return 0
	for f in "$WORLD_DIR"/log/san/*; do
		[ -s "$f" ] || continue
		echo "world: $MERD_SANITIZER report in $f:" >&2
		cat "$f" >&2
		rc=1
	done
	for f in "$WORLD_DIR"/run/*.status; do
		[ -s "$f" ] || continue
		case $(cat "$f") in
		134 | 23)
			echo "world: $MERD_SANITIZER build of merd exited with status $(cat "$f") ($f)" >&2
			rc=1 ;;
		esac
	done
	return "$rc"
}

# world_loopback_resolver() - Make the host's resolver 127.0.0.53, served
# by the same DNS server inside "host" (queries logged in log/dns-lo.queries)
world_loopback_resolver() {
	world_peer_start dns-lo "$HOST_NS" "$WORLD_BIN/dns-server.py" \
		--log "$WORLD_DIR/log/dns-lo.queries" 127.0.0.53 || return 1
	_world_resolv 127.0.0.53
}

# _world_tree() - Print PID and all its descendants
_world_tree() {
	local c
	echo "$1"
	for c in $(pgrep -P "$1" 2>/dev/null); do
		_world_tree "$c"
	done
}

# _world_any_alive() - True if any PID... is alive
_world_any_alive() {
	local p
	for p in "$@"; do
		_pid_alive "$p" && return 0
	done
	return 1
}

# _world_kill() - TERM, then KILL, every process the world started
_world_kill() {
	local roots p pids=()
	roots=$(cat "$WORLD_DIR/pids" 2>/dev/null
		ip netns pids "$INET_NS" 2>/dev/null
		ip netns pids "$HOST_NS" 2>/dev/null)
	for p in $roots; do
		_pid_alive "$p" && pids+=($(_world_tree "$p"))
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	_wait_for 2 eval '! _world_any_alive "${pids[@]}"' && return 0
	kill -KILL "${pids[@]}" 2>/dev/null
	_wait_for 2 eval '! _world_any_alive "${pids[@]}"'
	return 0
}

# world_gc() - Tear down worlds left by test processes that no longer exist
world_gc() {
	local d owner
	for d in /tmp/merd-world-*; do
		[ -f "$d/owner" ] || continue
		owner=$(cat "$d/owner" 2>/dev/null) || continue
		[ -n "$owner" ] && _pid_alive "$owner" && continue
		(
			WORLD_DIR=$d
			WORLD_ID=${d#/tmp/merd-world-}
			WORLD_ID=${WORLD_ID%%.*}
			INET_NS=merd-inet-$WORLD_ID
			HOST_NS=merd-host-$WORLD_ID
			MERD_SANITIZER=
			world_teardown
		)
	done
}

# world_dump_logs() - Print the end of every log of the world to stderr
world_dump_logs() {
	local f
	[ -d "${WORLD_DIR:-}" ] || return 0
	for f in "$WORLD_DIR"/log/* "$WORLD_DIR"/log/san/*; do
		[ -f "$f" ] && [ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 40 "$f" >&2
	done
}

# world_teardown() - Remove everything world_setup made; safe to repeat
world_teardown() {
	local san=0
	[ -n "${WORLD_ID:-}" ] || return 0
	[ -n "${WORLD_DIR:-}" ] && _world_kill
	world_sanitizer_check || san=1
	ip netns del "$INET_NS" 2>/dev/null
	ip netns del "$HOST_NS" 2>/dev/null
	rm -rf "/etc/netns/$HOST_NS"
	if [ -n "${MERD_TEST_KEEP:-}" ]; then
		echo "world: kept $WORLD_DIR" >&2
		rm -f "$WORLD_DIR/owner"
	else
		case ${WORLD_DIR:-} in /tmp/merd-world-*) rm -rf "$WORLD_DIR" ;; esac
	fi
	unset WORLD_ID WORLD_DIR WORLD_BIN INET_NS HOST_NS MERD MERD_LOG MERD_PID \
	      MERD_STATUS_FILE MERD_SANITIZER
	return "$san"
}

# in_inet() - Run COMMAND... as root in the "inet" namespace
in_inet() {
	ip netns exec "$INET_NS" "$@"
}

# in_host() - Run COMMAND... as root in the "host" namespace
in_host() {
	ip netns exec "$HOST_NS" "$@"
}

# user_argv() - Set USER_ARGV to run COMMAND... as the test user in "host"
user_argv() {
	USER_ARGV=(ip netns exec "$HOST_NS"
		   setpriv --reuid="$MERD_TEST_USER" --regid="$MERD_TEST_USER"
		   --init-groups --inh-caps=-all --
		   env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
		   HOME="$WORLD_DIR/home" TMPDIR="$WORLD_DIR/home" LANG=C.UTF-8
		   USER="$MERD_TEST_USER" LOGNAME="$MERD_TEST_USER"
		   ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS}
		   ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@")
}

# as_user() - Run COMMAND... as the test user in "host", from WORLD_DIR
as_user() {
	user_argv "$@"
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}")
}

# merd_ns() - Run merd --ns ARGS... as the test user; merd's stderr (and
# CMD's) goes to $MERD_LOG, stdout is CMD's. Returns merd's exit status, 124
# if it ran longer than $MERD_NS_TIMEOUT (120) seconds.
merd_ns() {
	user_argv "$MERD" --ns "$@"
	(cd "$WORLD_DIR" && exec timeout -k 5 "${MERD_NS_TIMEOUT:-120}" \
		"${USER_ARGV[@]}") 2>"$MERD_LOG"
}

# merd_vm_start() - Start merd -f -s SOCK ARGS... as the test user in the
# background (MERD_PID), log in $MERD_LOG; wait until SOCK is listening
merd_vm_start() {
	local sock=$1
	shift
	MERD_STATUS_FILE=$WORLD_DIR/run/merd-$RANDOM$RANDOM.status
	export MERD_STATUS_FILE
	user_argv "$MERD" -f -s "$sock" "$@"
	(
		cd "$WORLD_DIR" || exit 1
		"${USER_ARGV[@]}" </dev/null >>"$MERD_LOG" 2>&1 3>&-
		echo "$?" >"$MERD_STATUS_FILE"
	) 3>&- &
	echo "$!" >>"$WORLD_DIR/pids"
	MERD_PID=
	_wait_for 5 _merd_vm_pid "$!" ||
		world_fail "merd did not start: $(tail -n 5 "$MERD_LOG")" || return 1
	export MERD_PID
	_wait_for 10 _merd_listening "$sock" && return 0
	world_fail "merd is not listening on $sock: $(tail -n 5 "$MERD_LOG")"
}

# _merd_vm_pid() - Set MERD_PID to the child of the wrapper shell PID
_merd_vm_pid() {
	MERD_PID=$(pgrep -P "$1" | head -n 1)
	[ -n "$MERD_PID" ] && [ "$(cat "/proc/$MERD_PID/comm" 2>/dev/null)" = merd ]
}

# _merd_listening() - True if a socket in "host" listens on PATH
_merd_listening() {
	in_host awk -v p="$1" '$8 == p && $4 == "00010000" { f = 1 }
			      END { exit !f }' /proc/net/unix
}

# merd_vm_stop() - SIGTERM merd started by merd_vm_start; return its status
# (137 if it had to be killed after 10 s)
merd_vm_stop() {
	[ -n "${MERD_PID:-}" ] || return 0
	merd_vm_status >/dev/null || kill -TERM "$MERD_PID" 2>/dev/null
	if ! _wait_for 10 merd_vm_status >/dev/null; then
		kill -KILL "$MERD_PID" 2>/dev/null
		_wait_for 2 merd_vm_status >/dev/null
		MERD_PID=
		return 137
	fi
	MERD_PID=
	return "$(merd_vm_status)"
}

# merd_vm_status() - Print the exit status of merd once it has exited, else
# fail
merd_vm_status() {
	[ -s "${MERD_STATUS_FILE:-/nonexistent}" ] && cat "$MERD_STATUS_FILE"
}

# _sandboxed() - True once PID runs under its seccomp filter
_sandboxed() {
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$1/status" 2>/dev/null
}

# _caps_dropped() - True once PID holds no effective capability
_caps_dropped() {
	grep -Eq '^CapEff:[[:space:]]+0+$' "/proc/$1/status" 2>/dev/null
}

# world_no_caps_check() - PID runs filtered, as the test user, with no
# capability in any set, in an empty root (a sanitizer build: no filter
# and its own root, as LeakSanitizer needs, so only the capabilities)
world_no_caps_check() {
	local st=/proc/$1/status set uid
	uid=$(id -u "$MERD_TEST_USER")
	if [ "$(world_sanitized)" = asan ]; then
		echo "ASan build: seccomp filter and empty root not checked"
		_wait_for 10 _caps_dropped "$1" || { cat "$st"; return 1; }
	else
		_wait_for 10 _sandboxed "$1" || { cat "$st"; return 1; }
	fi
	grep -E '^(Uid|Gid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st"
	for set in CapEff CapPrm CapBnd CapInh CapAmb; do
		grep -Eq "^$set:[[:space:]]+0+\$" "$st" ||
			{ echo "$set is not empty"; return 1; }
	done
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st"
	grep -Eq "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid\$" "$st"
	# a root the test cannot list would pass for empty
	[ -d "/proc/$1/root/" ]
	[ "$(world_sanitized)" = asan ] || [ -z "$(ls -A "/proc/$1/root/")" ]
}

# merd_counter() - Print counter NAME from the last counters line in LOGFILE
merd_counter() {
	local v
	v=$(sed -n "s/^.*merd: counters:.* $2=\([0-9][0-9]*\).*\$/\1/p" "$1" | tail -n 1)
	[ -n "$v" ] || world_fail "no counter $2 in $1" || return 1
	echo "$v"
}
