#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_vm.bats - VM mode with merd as qemu's vhost-user backend
# (--vhost-user): the test guest (TCG) gets its addresses, moves TCP data
# both ways over IPv4 and IPv6 with sha256 intact and echoes UDP; a qemu
# killed mid-transfer is followed by one that is served; merd runs without
# capabilities; malformed descriptor chains and messages from a fake
# frontend (test/tools/vhost_front.c) stop one queue or drop one
# connection, never merd; the same frontend relays a namespace's tap with
# 64 KiB frames over 4 KiB receive buffers (mergeable buffers); the qemu
# wrapper's --vhost-user runs a guest.
#
# One merd for the file (a second one for the 64 KiB frames). The first
# guest boot (setup_file) runs every check and reports one line each.

load lib/world
load lib/guest
load lib/tcp

world_extra_peers() {
	tcp_peer_start
}

GUEST1='
guest-dhcp | sed "s/^/lease_/"
echo "addr=$(ip -4 -o addr show dev eth0 | awk "{ print \$4 }")"
i=0
until ip -6 addr show dev eth0 scope global | grep -v tentative | grep -q inet6; do
	[ $i -ge 300 ] && break
	usleep 100000
	i=$((i + 1))
done
echo "addr6=$(ip -6 -o addr show dev eth0 scope global | awk "{ print \$4 }")"
udp_echo_check 203.0.113.2 7 1048576 2>&1 | sed "s/^/udp: /"
udp_echo_check 2001:db8:2::2 7 1048576 2>&1 | sed "s/^/udp6: /"
tcp_xfer -t 200 -i vh-up up 203.0.113.2 5000 64M || echo "vh-up rc=$?"
tcp_xfer -t 200 -i vh-down down 203.0.113.2 5000 64M || echo "vh-down rc=$?"
tcp_xfer -t 200 -i vh-v6-up up 2001:db8:2::2 5000 64M || echo "vh-v6-up rc=$?"
tcp_xfer -t 200 -i vh-v6-down down 2001:db8:2::2 5000 64M || echo "vh-v6-down rc=$?"
'

setup_file() {
	world_setup || { world_dump_logs; world_teardown; return 1; }
	make -s -C "$BATS_TEST_DIRNAME/tools" vhost_front >&2 &&
		install -m 0755 "$BATS_TEST_DIRNAME/tools/vhost_front" "$WORLD_BIN/" ||
		return 1
	export SOCK=$WORLD_DIR/run/merd.sock GUEST_VHOST=1
	merd_vm_start "$SOCK" --vhost-user || return 1
	GUEST_TIMEOUT=600 guest_boot "$SOCK" "$GUEST1" >"$WORLD_DIR/log/guest1.out" 2>&1
	export GUEST1_RC=$? GUEST1_RESULTS=$GUEST_RESULTS GUEST1_OUT=$GUEST_OUT
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

# guest1() - Print the first guest's tcp_xfer line for ID and MODE
guest1() {
	grep "^$1 $2 " "$GUEST1_RESULTS"
}

@test "vhost-user: guest boots and reports" {
	cat "$GUEST1_RESULTS"
	[ "$GUEST1_RC" -eq 0 ]
	grep -q '^MERD-GUEST-END rc=0$' "$GUEST1_RESULTS"
	! grep -E '^vh-[^ ]* rc=' "$GUEST1_RESULTS"
}

@test "vhost-user: guest gets 198.51.100.10/24 and its router by DHCP" {
	[ "$(guest_result lease_ip "$GUEST1_RESULTS")" = 198.51.100.10 ]
	[ "$(guest_result lease_router "$GUEST1_RESULTS")" = 198.51.100.1 ]
	[ "$(guest_result addr "$GUEST1_RESULTS")" = 198.51.100.10/24 ]
}

@test "vhost-user: guest gets an address in the host's IPv6 prefix from router advertisements" {
	guest_result addr6 "$GUEST1_RESULTS"
	[[ $(guest_result addr6 "$GUEST1_RESULTS") == 2001:db8:1:0:*/64 ]]
}

@test "vhost-user: guest echoes 1 MiB of UDP intact over IPv4 and IPv6" {
	grep '^udp' "$GUEST1_RESULTS"
	grep -q '^udp: udp_echo_check: OK 1024 datagrams, 1048576 bytes' "$GUEST1_RESULTS"
	grep -q '^udp6: udp_echo_check: OK 1024 datagrams, 1048576 bytes' "$GUEST1_RESULTS"
}

@test "vhost-user: guest uploads and downloads 64 MiB over IPv4, sha256 equal on both ends" {
	tcp_check_up "$(guest1 vh-up up)"
	tcp_check_down "$(guest1 vh-down down)"
	[ "$(kv received "$(guest1 vh-down down)")" -eq 67108864 ]
	[ "$(kv from "$(tcp_peer_line vh-up)")" = 198.51.100.10 ]
}

@test "vhost-user: guest uploads and downloads 64 MiB over IPv6, sha256 equal on both ends" {
	tcp_check_up "$(guest1 vh-v6-up up)"
	tcp_check_down "$(guest1 vh-v6-down down)"
	[ "$(kv received "$(guest1 vh-v6-down down)")" -eq 67108864 ]
	[ "$(kv from "$(tcp_peer_line vh-v6-up)")" = 2001:db8:1::10 ]
}

# counters_now() - Make merd log its counters (SIGUSR1), wait for the line
counters_now() {
	local lines
	lines=$(grep -c 'merd: counters:' "$MERD_LOG" || :)
	kill -USR1 "$MERD_PID"
	_wait_for 5 eval '[ "$(grep -c "merd: counters:" "$MERD_LOG")" -gt "$lines" ]'
}

# front() - Run the fake vhost-user frontend as the test user
front() {
	as_user "$WORLD_BIN/vhost_front" "$@"
}

@test "vhost-user: merd holds no capability and runs filtered" {
	local st=/proc/$MERD_PID/status set
	grep -E '^(Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st"
	for set in CapEff CapPrm CapBnd CapInh CapAmb; do
		grep -Eq "^$set:[[:space:]]+0+\$" "$st"
	done
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st"
	if [ "$(world_sanitized)" = asan ]; then
		# ASan builds load no filter: LeakSanitizer needs ptrace at
		# exit (isolation_sanitized(), as sandbox.bats says)
		echo "ASan build: seccomp filter not checked"
		return 0
	fi
	grep -Eq '^Seccomp:[[:space:]]+2$' "$st"
}

@test "vhost-user: a fake frontend's ARP request is answered through the virtqueues" {
	run front "$SOCK" good
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^vhost_front: OK good: ARP reply from 9a:55:9a:55:9a:55' <<<"$output"
}

@test "vhost-user: interrupts to a pipe nobody reads never block merd" {
	run front "$SOCK" call-pipe
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^vhost_front: OK call-pipe: 600 ARP replies' <<<"$output"
	_pid_alive "$MERD_PID"
}

@test "vhost-user: malformed descriptor chains and rings stop that queue, merd stays up, the next frontend is served" {
	local s n=0 before
	counters_now
	before=$(merd_counter "$MERD_LOG" drop_vhost_desc)
	# the three whose lines are looked for below come first: the log
	# takes 5 lines a second from one place, then counts the rest
	for s in desc-outside loop rx-readonly desc-overflow desc-wrap \
		 head-index next-index chain-long indirect tx-writable \
		 avail-jump ring-outside ring-misaligned; do
		run front "$SOCK" "$s"
		echo "$output"
		[ "$status" -eq 0 ]
		grep -q "^vhost_front: OK $s: .* queue stopped" <<<"$output"
		n=$((n + 1))
	done
	_pid_alive "$MERD_PID"
	counters_now
	[ "$(merd_counter "$MERD_LOG" drop_vhost_desc)" -eq $((before + n)) ]
	grep -q 'vhost-user: tx queue: descriptor buffer outside guest memory; queue stopped' "$MERD_LOG"
	grep -q 'vhost-user: tx queue: descriptor chain longer than the queue (a loop); queue stopped' "$MERD_LOG"
	grep -q 'vhost-user: rx queue: device-readable descriptor in a receive chain; queue stopped' "$MERD_LOG"
	run front "$SOCK" good
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "vhost-user: malformed messages and memory tables drop the connection, merd stays up, the next frontend is served" {
	local s
	for s in mem-beyond-file mem-wrap mem-offset mem-zero mem-fds \
		 mem-overlap mem-count num-absurd num-huge num-zero queue-index \
		 fd-extra payload-long payload-short unknown-request bad-version \
		 features-unoffered kick-nofd; do
		run front "$SOCK" "$s"
		echo "$output"
		[ "$status" -eq 0 ]
		grep -q "^vhost_front: OK $s: connection dropped" <<<"$output"
	done
	_pid_alive "$MERD_PID"
	grep -q 'memory region of 0x6000000 bytes at offset 0x0, but its file has 50331648' "$MERD_LOG"
	grep -q 'queue size 1000: not a power of two' "$MERD_LOG"
	run front "$SOCK" good
	echo "$output"
	[ "$status" -eq 0 ]
}

# flows_active() - Print merd's flows_active (SIGUSR1); ARGS for merd-flows.py
flows_active() {
	"$WORLD_BIN/merd-flows.py" --pid "$MERD_PID" "$@" "$MERD_LOG"
}

# qemu_of() - Print the pid of the qemu started under PID (a guest_boot job)
qemu_of() {
	local p
	for p in $(_world_tree "$1"); do
		[[ $(cat "/proc/$p/comm" 2>/dev/null) == qemu-system* ]] && echo "$p"
	done
}

@test "vhost-user: qemu killed mid-download: memory unmapped, flows closed, the next qemu is served" {
	local job i n qemu closed
	closed=$(grep -c 'guest link closed' "$MERD_LOG" || :)
	guest_boot "$SOCK" "
guest-dhcp >/dev/null || echo 'dhcp failed'
tcp_xfer -t 600 -i vh-kill down $TCP_PEER $TCP_PORT 1000G" \
		>"$WORLD_DIR/log/guest-kill.out" 2>&1 &
	job=$!
	for ((i = 0; i < 240; i++)); do
		n=$(flows_active | sed -n 's/^flows_active=//p')
		[ "${n:-0}" -ge 1 ] && break
		sleep 0.5
	done
	qemu=$(qemu_of "$job")
	echo "flows_active=$n qemu=$qemu"
	[ "${n:-0}" -ge 1 ] && [ -n "$qemu" ]
	grep -q 'memfd:' "/proc/$MERD_PID/maps"		# guest memory mapped
	kill -KILL "$qemu"
	wait "$job" || :
	run flows_active --wait-zero 10
	echo "$output"
	[ "$output" = flows_active=0 ]
	[ "$(grep -c 'guest link closed' "$MERD_LOG")" -gt "$closed" ]
	! grep 'memfd:' "/proc/$MERD_PID/maps"		# and unmapped
	line=$(tcp_peer_line vh-kill)
	echo "$line"
	[ "$(kv sent "$line")" -gt 0 ]
	_merd_listening "$SOCK"

	run guest_boot "$SOCK" '
guest-dhcp >/dev/null || echo "dhcp failed"
tcp_xfer -t 120 -i vh-after up 203.0.113.2 5000 16M
tcp_xfer -t 120 -i vh-after2 down 203.0.113.2 5000 16M'
	echo "$output"
	[ "$status" -eq 0 ]
	tcp_check_up "$(grep '^vh-after up ' <<<"$output")"
	tcp_check_down "$(grep '^vh-after2 down ' <<<"$output")"
}

@test "vhost-user: merd-qemu --vhost-user runs the guest with merd as its backend" {
	[ -x "$WORLD_BIN/merd-qemu" ] || skip "merd-qemu not built (make)"
	GUEST_VHOST= GUEST_WRAPPER="$WORLD_BIN/merd-qemu --merd $WORLD_BIN/merd --vhost-user" \
		run guest_boot "" '
guest-dhcp | sed "s/^/lease_/"
tcp_xfer -t 120 -i vw-up up 203.0.113.2 5000 16M
tcp_xfer -t 120 -i vw-down down 203.0.113.2 5000 16M'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^lease_ip=198.51.100.10$' <<<"$output"
	tcp_check_up "$(grep '^vw-up up ' <<<"$output")"
	tcp_check_down "$(grep '^vw-down down ' <<<"$output")"
}

@test "vhost-user: merd-qemu --vhost-user gives qemu shared memory of the -m size, a private socket, vectors=0 without KVM" {
	local q=$WORLD_DIR/run/qemu-fake
	cat >"$q" <<EOF
#!/bin/bash
echo "args: \$*" >"$q.log"
sock=\$(sed -n 's/.*-chardev socket,id=merd0-chr,path=\([^ ]*\).*/\1/p' <<<"\$*")
[ -S "\$sock" ] && echo "socket \$(stat -c %a "\${sock%/*}")" >>"$q.log"
exit 7
EOF
	chmod 0755 "$q"
	chown "$MERD_TEST_USER:" "$q"
	run as_user "$WORLD_BIN/merd-qemu" --merd "$WORLD_BIN/merd" --vhost-user -- "$q" -m 512
	echo "$output"
	cat "$q.log"
	[ "$status" -eq 7 ]
	grep -q '^args: -m 512 -object memory-backend-memfd,id=merd0-mem,size=512M,share=on -machine memory-backend=merd0-mem -chardev socket,id=merd0-chr,path=[^ ]*/merd-qemu\.[A-Za-z0-9]*/vhost-user\.sock -netdev vhost-user,id=merd0,chardev=merd0-chr -device virtio-net-pci,netdev=merd0,vectors=0$' "$q.log"
	grep -qx 'socket 700' "$q.log"
	run as_user "$WORLD_BIN/merd-qemu" --merd "$WORLD_BIN/merd" --vhost-user -- "$q" -accel kvm -m size=2G,slots=2,maxmem=4G
	cat "$q.log"
	[ "$status" -eq 7 ]
	grep -q 'memory-backend-memfd,id=merd0-mem,size=2G,share=on .* -device virtio-net-pci,netdev=merd0$' "$q.log"
	# the socket's directory is gone with merd
	! ls "$WORLD_DIR/home" | grep merd-qemu
}

# relay_xfer() - Start a second merd (-m MTU), relay a namespace's tap
# through its virtqueues with receive buffers of BUF bytes (vhost_front
# stands in for the guest's driver), move SIZE each way with tcp_xfer
# and check both ends' sha256; merd's counters end up in its log
# (MERD_LOG)
relay_xfer() {
	local buf=$1 mtu=$2 size=$3 sock2=$WORLD_DIR/run/merd2.sock
	MERD_LOG=$WORLD_DIR/log/merd2-$buf.log
	merd_vm_start "$sock2" --vhost-user -m "$mtu"
	# shellcheck disable=SC2016 # expanded by the user's sh
	run as_user timeout -k 5 150 unshare --user --map-root-user --net sh -c '
		"$1" relay -i tap0 -b "$4" "$2" & r=$!
		for i in $(seq 100); do ip link show tap0 >/dev/null 2>&1 && break; sleep 0.05; done
		ip link set lo up
		ip link set tap0 mtu "$5" up
		ip addr add 198.51.100.10/24 dev tap0
		ip route add default via 198.51.100.1
		"$3" -t 60 -i vr-up up 203.0.113.2 5000 "$6"
		"$3" -t 60 -i vr-down down 203.0.113.2 5000 "$6"
		kill $r' sh "$WORLD_BIN/vhost_front" "$sock2" "$WORLD_BIN/tcp_xfer" \
		"$buf" "$mtu" "$size"
	echo "$output"
	tcp_check_up "$(grep '^vr-up up ' <<<"$output")"
	tcp_check_down "$(grep '^vr-down down ' <<<"$output")"
	merd_vm_stop
	grep 'merd: counters:' "$MERD_LOG" | tail -n 1
	[ "$(merd_counter "$MERD_LOG" drop_vhost_buf)" -eq 0 ]
	[ "$(merd_counter "$MERD_LOG" drop_vhost_desc)" -eq 0 ]
}

@test "vhost-user: 64 KiB frames span several 4 KiB receive buffers (mergeable), 64 MiB each way intact" {
	relay_xfer 4096 65520 64M
	# the frames were larger than one receive buffer
	[ "$(merd_counter "$MERD_LOG" bytes_out)" -gt $(( $(merd_counter "$MERD_LOG" frames_out) * 4096 )) ]
	# and most of the download went straight from the socket into them:
	# at least half of its 64 MiB in frames of 64 KiB
	[ "$(merd_counter "$MERD_LOG" frames_direct)" -ge 512 ]
}

@test "vhost-user: receive buffers of 1500 bytes, 44 to a frame, partly free when a frame is reserved: 64 MiB each way intact" {
	relay_xfer 1500 65520 64M
	[ "$(merd_counter "$MERD_LOG" frames_direct)" -ge 512 ]
}

@test "vhost-user: one receive buffer per 64 KiB frame: 64 MiB each way intact, written straight from the socket" {
	relay_xfer 69632 65520 64M
	[ "$(merd_counter "$MERD_LOG" frames_direct)" -ge 512 ]
}

@test "vhost-user: receive buffers too small for a frame's headers: merd copies, 16 MiB each way intact" {
	relay_xfer 64 1500 16M
	[ "$(merd_counter "$MERD_LOG" frames_direct)" -eq 0 ]
	[ "$(merd_counter "$MERD_LOG" frames_out)" -gt 10000 ]
}
