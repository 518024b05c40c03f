#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_vm.bats - VM mode TCP: a qemu guest (TCG) moves 256 MiB each way, 200
# connections at once, half-closes, is refused and reset; then bad segments
# from a fake qemu, a guest that hangs and one killed mid-transfer, each
# followed by a guest that is served again.
#
# One merd for the file. The first guest boot (setup_file) runs every
# transfer with tcp_xfer and reports one line each; the tests compare those
# lines with the log of tcp-peer.py in "inet" (test/lib/tcp.bash). Under TCG
# the guest moves 200-300 Mbit/s on this kind of machine (each 256 MiB takes
# ~10 s; the boot ~60 s in all); the guest gets 600 s.

load lib/world
load lib/guest
load lib/tcp

WORLD_TOOLS="$WORLD_TOOLS tap_relay"

world_extra_peers() {
	tcp_peer_start
}

# The first guest (IPv6 by SLAAC from merd's advertisements, long done when
# the IPv4 transfers are): each transfer prints its tcp_xfer line, a failing one
# also "ID rc=N" (the refused connect does), and "time ID START END" (guest
# uptime, seconds)
GUEST1='
guest-dhcp >/dev/null || echo "dhcp failed"
x() {
	id=$1
	shift
	s=$(cut -d" " -f1 /proc/uptime)
	tcp_xfer -t 300 -i "$id" "$@" || echo "$id rc=$?"
	echo "time $id $s $(cut -d" " -f1 /proc/uptime)"
}
x vm-up up 203.0.113.2 5000 256M
x vm-down down 203.0.113.2 5000 256M
x vm-many many 203.0.113.2 5000 200 1M
x vm-hc halfclose 203.0.113.2 5000 4M 32M
x vm-ps peershut 203.0.113.2 5000 4M 32M
x vm-zw-down -p 3000 down 203.0.113.2 5000 16M
x vm-zw-up -p 3000 up 203.0.113.2 5000 16M
x vm-refused connect 203.0.113.2 5001
x vm-reset reset 203.0.113.2 5000
x vm-resetup resetup 203.0.113.2 5000
if ip -6 addr show dev eth0 scope global | grep -v tentative | grep -q inet6; then
	x vm-v6-up up 2001:db8:2::2 5000 256M
	x vm-v6-down down 2001:db8:2::2 5000 256M
	x vm-v6-refused connect 2001:db8:2::2 5001
else
	echo no-ipv6
fi
echo transfers-done
sleep 8		# merd is asked for flows_active meanwhile
'

setup_file() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	export SOCK=$WORLD_DIR/run/merd.sock
	merd_vm_start "$SOCK" || return 1
	# the guest is the first: its results go to run/guest-0. Once its
	# transfers are done, and while it is still up, merd must carry no flow.
	GUEST1_OUT=$WORLD_DIR/run/guest-0
	GUEST_TIMEOUT=600 guest_boot "$SOCK" "$GUEST1" >"$WORLD_DIR/log/guest1.out" 2>&1 &
	local job=$! i
	for ((i = 0; i < 1200; i++)); do
		grep -qs '^transfers-done' "$GUEST1_OUT/results.raw" && break
		_pid_alive "$job" || break
		sleep 0.5
	done
	sleep 1
	flows_active >"$WORLD_DIR/run/flows-after-guest1" 2>&1
	wait "$job"
	export GUEST1_RC=$? GUEST1_RESULTS=$GUEST1_OUT/results.txt GUEST1_OUT
}

teardown_file() {
	merd_vm_stop
	world_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	world_dump_logs
	echo "--- guest console" >&2
	tail -n 30 "$GUEST1_OUT/console.log" >&2
}

# guest1() - Print the first guest's result line for ID and MODE
guest1() {
	grep "^$1 $2 " "$GUEST1_RESULTS"
}

# flows_active() - Print merd's flows_active (SIGUSR1); ARGS for merd-flows.py
flows_active() {
	"$WORLD_BIN/merd-flows.py" --pid "$MERD_PID" "$@" "$MERD_LOG"
}

# lossy_guest() - Run COMMAND... in a namespace whose tap0 reaches merd on
# $SOCK through tap_relay, which loses every Nth data frame on the way to
# merd (a loss the namespace's TCP cannot see locally); addresses as merd's
# DHCP gives them. Usage: lossy_guest N sack|nosack COMMAND...
lossy_guest() {
	local every=$1 sack=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the user's sh
	as_user timeout -k 5 150 unshare --user --map-root-user --net sh -c '
		relay=$1 every=$2 sack=$3 sock=$4; shift 4
		"$relay" -d "$every" -i tap0 "$sock" &
		r=$!
		for i in $(seq 100); do
			ip link show tap0 >/dev/null 2>&1 && break
			sleep 0.05
		done
		[ "$sack" = sack ] || sysctl -qw net.ipv4.tcp_sack=0
		ip link set lo up
		ip link set tap0 up
		ip addr add 198.51.100.10/24 dev tap0
		ip route add default via 198.51.100.1
		"$@"
		rc=$?
		kill "$r"
		exit "$rc"' sh "$WORLD_BIN/tap_relay" "$every" "$sack" "$SOCK" "$@"
}

# qemu_of() - Print the pid of the qemu started under PID (a guest_boot job)
qemu_of() {
	local p
	for p in $(_world_tree "$1"); do
		[[ $(cat "/proc/$p/comm" 2>/dev/null) == qemu-system* ]] && echo "$p"
	done
}

# endless_guest_start() - Boot a guest in the background (GUEST_JOB,
# QEMU_PID) that downloads without end as connection ID, and with UP_ID
# also uploads without end; return once merd carries them
# Usage: endless_guest_start ID [UP_ID]
endless_guest_start() {
	local i n want=1 up=
	if [ -n "${2:-}" ]; then
		want=2
		up="tcp_xfer -t 600 -i $2 up $TCP_PEER $TCP_PORT 1000G &"
	fi
	guest_boot "$SOCK" "
guest-dhcp >/dev/null || echo 'dhcp failed'
$up
tcp_xfer -t 600 -i $1 down $TCP_PEER $TCP_PORT 1000G" \
		>"$WORLD_DIR/log/guest-$1.out" 2>&1 &
	GUEST_JOB=$!
	for ((i = 0; i < 120; i++)); do
		n=$(flows_active | sed -n 's/^flows_active=//p')
		[ "${n:-0}" -ge "$want" ] && break
		sleep 0.5
	done
	QEMU_PID=$(qemu_of "$GUEST_JOB")
	echo "flows_active=$n, qemu $QEMU_PID"
	[ "${n:-0}" -ge "$want" ] && [ -n "$QEMU_PID" ]
}

@test "guest boots and runs every transfer" {
	cat "$GUEST1_RESULTS"
	[ "$GUEST1_RC" -eq 0 ]
	grep -q '^MERD-GUEST-END rc=0$' "$GUEST1_RESULTS"
	# every transfer but the refused connect exits 0
	[ -z "$(grep -E '^(dhcp failed|vm-[^ ]* rc=)' "$GUEST1_RESULTS" |
		grep -Ev '^vm-(v6-)?refused ')" ]
	grep -qx 'vm-refused rc=1' "$GUEST1_RESULTS"
}

@test "guest uploads 256 MiB to inet, sha256 equal on both ends" {
	grep '^time vm-up ' "$GUEST1_RESULTS"
	tcp_check_up "$(guest1 vm-up up)"
	[ "$(kv sent "$(guest1 vm-up up)")" -eq 268435456 ]
	[ "$(kv from "$(tcp_peer_line vm-up)")" = 198.51.100.10 ]	# the host's
}

@test "guest downloads 256 MiB from inet, sha256 equal on both ends" {
	grep '^time vm-down ' "$GUEST1_RESULTS"
	tcp_check_down "$(guest1 vm-down down)"
	[ "$(kv received "$(guest1 vm-down down)")" -eq 268435456 ]
}

@test "200 concurrent guest connections each echo 1 MiB intact" {
	grep '^time vm-many ' "$GUEST1_RESULTS"
	[ "$(guest1 vm-many many)" = 'vm-many many conns=200 bytes=1048576 intact=200 failed=0' ]
	[ "$(grep -c '^vm-many\.[0-9]* echo sent=1048576 .* received=1048576 .* status=ok$' \
		"$WORLD_DIR/log/tcp-peer.log")" -eq 200 ]
}

@test "receivers that stop reading for 3 s: both windows close and reopen, data intact" {
	grep '^time vm-zw' "$GUEST1_RESULTS"
	tcp_check_down "$(guest1 vm-zw-down down)"
	tcp_check_up "$(guest1 vm-zw-up up)"
}

@test "half-close: guest shuts its write side first, still gets the whole reply" {
	tcp_check_halfclose "$(guest1 vm-hc halfclose)" 33554432
}

@test "half-close: peer shuts its write side first, guest keeps sending" {
	tcp_check_peershut "$(guest1 vm-ps peershut)" 4194304 33554432
}

@test "guest moves 256 MiB each way over IPv6, sha256 equal on both ends" {
	! grep -qx no-ipv6 "$GUEST1_RESULTS" || { echo "the guest got no IPv6 address"; false; }
	grep '^time vm-v6' "$GUEST1_RESULTS"
	tcp_check_up "$(guest1 vm-v6-up up)"
	tcp_check_down "$(guest1 vm-v6-down down)"
	[ "$(kv from "$(tcp_peer_line vm-v6-up)")" = 2001:db8:1::10 ]	# the host's
	line=$(guest1 vm-v6-refused connect)
	echo "$line"
	[ "$(kv result "$line")" = ECONNREFUSED ]
	[ "$(kv ms "$line")" -lt 2000 ]
}

@test "guest's connection to a closed port in inet is refused within 2 s" {
	line=$(guest1 vm-refused connect)
	echo "$line"
	[ "$(kv result "$line")" = ECONNREFUSED ]
	[ "$(kv ms "$line")" -lt 2000 ]
}

@test "peer resetting mid-download makes the guest's application see ECONNRESET" {
	line=$(guest1 vm-reset reset)
	echo "$line"
	[ "$(kv result "$line")" = ECONNRESET ]
	[ "$(kv received "$line")" -gt 0 ]
}

@test "peer resetting mid-upload makes the guest's application see ECONNRESET" {
	line=$(guest1 vm-resetup resetup)
	echo "$line"
	[ "$(kv result "$line")" = ECONNRESET ]
	[ "$(kv sent "$line")" -ge 1048576 ]
}

@test "no flow is left once the guest's transfers are over, guest still up" {
	cat "$WORLD_DIR/run/flows-after-guest1"
	grep -q '^transfers-done' "$GUEST1_RESULTS"
	[ "$(cat "$WORLD_DIR/run/flows-after-guest1")" = flows_active=0 ]
	[ "$(merd_counter "$MERD_LOG" flows_created)" -ge 212 ]
}

@test "bad TCP segments from a fake qemu are dropped or answered per RFC 9293" {
	local doff flags seq
	flows_active >/dev/null
	doff=$(merd_counter "$MERD_LOG" drop_tcp_doff)
	flags=$(merd_counter "$MERD_LOG" drop_tcp_flags)
	seq=$(merd_counter "$MERD_LOG" drop_tcp_seq)
	run as_user "$WORLD_BIN/tcp-badinput.py" stream "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_badinput "$output"
	tcp_check_down "$(grep '^after down ' <<<"$output")"
	[ "$(flows_active --wait-zero 10)" = flows_active=0 ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_doff)" -eq $((doff + 4)) ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_flags)" -eq $((flags + 2)) ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_seq)" -ge $((seq + 2)) ]
}

@test "a guest that hangs mid-download and mid-upload: merd gives up on both" {
	# SIGSTOP: qemu keeps its socket but neither reads nor acknowledges.
	# The download has data in flight: merd retransmits with backoff (~63 s
	# in all), resets the peer and forgets the flow. The upload has nothing
	# in flight and a silent peer: after 30 s without a segment from the
	# guest, merd probes it on the same backoff and gives up too (~93 s).
	# The link itself stays until qemu goes.
	endless_guest_start vm-hang vm-hang-up
	sleep 1
	kill -STOP "$QEMU_PID"
	run flows_active --wait-zero 130
	kill -KILL "$QEMU_PID"
	wait "$GUEST_JOB" || :
	echo "$output"
	[ "$output" = flows_active=0 ]
	line=$(tcp_peer_line vm-hang)
	echo "$line"
	[ "$(kv status "$line")" = ECONNRESET ]
	[ "$(kv sent "$line")" -gt 0 ]
	line=$(tcp_peer_line vm-hang-up)
	echo "$line"
	[ "$(kv status "$line")" = ECONNRESET ]
	[ "$(kv received "$line")" -gt 0 ]
}

@test "a guest killed mid-download leaves no flow behind; the next guest is served" {
	endless_guest_start vm-kill
	sleep 1
	kill -KILL "$QEMU_PID"
	wait "$GUEST_JOB" || :
	run flows_active --wait-zero 10
	echo "$output"
	[ "$output" = flows_active=0 ]
	line=$(tcp_peer_line vm-kill)
	echo "$line"
	[ "$(kv status "$line")" = ECONNRESET ]
	[ "$(kv sent "$line")" -gt 0 ]
	_merd_listening "$SOCK"

	run guest_boot "$SOCK" '
guest-dhcp >/dev/null || echo "dhcp failed"
tcp_xfer -t 120 -i vm-after up 203.0.113.2 5000 16M
tcp_xfer -t 120 -i vm-after2 down 203.0.113.2 5000 16M'
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^vm-after up ' <<<"$output")"
	tcp_check_down "$(grep '^vm-after2 down ' <<<"$output")"
	[ "$(flows_active --wait-zero 10)" = flows_active=0 ]
}

@test "a guest link losing 1 data frame in 100: 64 MiB uploaded intact, what came past each gap held and SACKed, none dropped" {
	# without SACK and a hold, every loss cost the guest a retransmission
	# timeout and the flight after it, and backoff stalled the transfer
	local ooo dropped
	flows_active >/dev/null
	ooo=$(merd_counter "$MERD_LOG" tcp_out_of_order)
	dropped=$(merd_counter "$MERD_LOG" drop_tcp_ooo)
	run lossy_guest 100 sack "$WORLD_BIN/tcp_xfer" -t 60 -i vm-lossy up \
		203.0.113.2 5000 64M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^vm-lossy up ' <<<"$output")"
	[ "$(flows_active --wait-zero 10)" = flows_active=0 ]
	echo "out of order: $(merd_counter "$MERD_LOG" tcp_out_of_order) (was $ooo)"
	[ "$(merd_counter "$MERD_LOG" tcp_out_of_order)" -gt "$ooo" ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_ooo)" -eq "$dropped" ]
}

@test "the same lossy link without SACK: duplicate ACKs start the guest's fast retransmit, 32 MiB uploaded intact" {
	local dropped
	flows_active >/dev/null
	dropped=$(merd_counter "$MERD_LOG" drop_tcp_ooo)
	run lossy_guest 100 nosack "$WORLD_BIN/tcp_xfer" -t 120 -i vm-lossy-ns \
		up 203.0.113.2 5000 32M
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^vm-lossy-ns up ' <<<"$output")"
	[ "$(flows_active --wait-zero 10)" = flows_active=0 ]
	[ "$(merd_counter "$MERD_LOG" drop_tcp_ooo)" -eq "$dropped" ]
}
