#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu_wrapper.bats - contrib/qemu/merd-qemu: one qemu guest with merd as its
# network, started by the wrapper alone. The guest gets its lease, pings,
# moves 16 MiB each way intact and serves a port forwarded through the
# wrapper's merd options; merd ends with qemu; the legacy -netdev socket form
# works; the qemu version picks the netdev form; a merd that cannot start
# stops the wrapper before qemu runs.
#
# setup_file boots the main guest in the background, waits until its server
# listens, connects to it through the forward from "host", then waits for
# the guest to end. A second boot uses --legacy. Fake qemu scripts (no VM)
# check the command line the wrapper builds. Without qemu-system-x86_64 the
# tests that boot skip, saying so (.ci/run installs it); the fake ones run.

load lib/world
load lib/guest
load lib/tcp

world_extra_peers() {
	tcp_peer_start
}

GUEST1='
guest-dhcp | sed "s/^/lease_/"
ping -c 2 -W 2 203.0.113.2 | sed "s/^/ping: /"
tcp_xfer -t 120 -i w-up up 203.0.113.2 5000 16M || echo "w-up rc=$?"
tcp_xfer -t 120 -i w-down down 203.0.113.2 5000 16M || echo "w-down rc=$?"
printf "#!/bin/sh\necho hello-from-guest\n" >/tmp/hello
chmod +x /tmp/hello
nc -l -p 80 -e /tmp/hello &
server=$!
(sleep 60; kill $server 2>/dev/null) &
watchdog=$!
i=0
while ! netstat -ltn 2>/dev/null | grep -q ":80 " && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
echo READY
wait $server
echo "server_rc=$?"
kill $watchdog 2>/dev/null
'

GUEST2='
guest-dhcp | sed "s/^/lease_/"
ping -c 2 -W 2 203.0.113.2 | sed "s/^/ping: /"
'

# wrapper_words() - Print the wrapper and its options for run.sh -W
wrapper_words() {
	echo "$WORLD_BIN/merd-qemu --merd $WORLD_BIN/merd $*"
}

# world_merds() - Print "PID PARENT" for each live process running this
# world's merd binary (matched by the executable's device and inode, not by
# its arguments), PARENT "merd-qemu" if its parent runs this world's
# wrapper, else its parent's pid
world_merds() {
	local merd wrapper p pp
	merd=$(stat -L -c %d:%i "$WORLD_BIN/merd")
	wrapper=$(stat -L -c %d:%i "$WORLD_BIN/merd-qemu")
	for p in $(pgrep -u "$MERD_TEST_USER"); do
		[ "$(stat -L -c %d:%i "/proc/$p/exe" 2>/dev/null)" = "$merd" ] &&
			_pid_alive "$p" || continue
		pp=$(awk '{ print $4 }' "/proc/$p/stat")
		[ "$(stat -L -c %d:%i "/proc/$pp/exe" 2>/dev/null)" = "$wrapper" ] &&
			pp=merd-qemu
		echo "$p $pp"
	done
}

# skip_without_qemu() - Skip the test, saying why, if qemu is not installed
skip_without_qemu() {
	[ -z "${QEMU_ABSENT:-}" ] || skip "qemu-system-x86_64 is not installed"
}

setup_file() {
	local i job out
	world_setup || { world_dump_logs; world_teardown; return 1; }
	[ -x "$WORLD_BIN/merd-qemu" ] || world_fail "merd-qemu not built (make)" || return 1
	if ! command -v qemu-system-x86_64 >/dev/null; then
		export QEMU_ABSENT=1
		return 0
	fi
	GUEST1_OUT=$WORLD_DIR/run/guest-0
	GUEST_WRAPPER=$(wrapper_words -t 8080:80) \
		guest_boot "" "$GUEST1" >"$WORLD_DIR/log/guest1.out" 2>&1 &
	job=$!
	for ((i = 0; i < 600; i++)); do
		grep -qs '^READY' "$GUEST1_OUT/results.raw" && break
		_pid_alive "$job" || break
		sleep 0.5
	done
	# the wrapper's merd, while the guest runs
	world_merds >"$WORLD_DIR/run/merd-during"
	out=$WORLD_DIR/run/fwd-reply
	in_host timeout 40 socat -T 30 - TCP:127.0.0.1:8080 </dev/null >"$out" 2>&1
	echo "socat rc=$?" >>"$out"
	wait "$job"
	export GUEST1_RC=$? GUEST1_RESULTS=$GUEST1_OUT/results.txt GUEST1_OUT
	# after qemu: merd must be gone (this world's: other test runs may
	# have their own merd running as the test user)
	sleep 1
	world_merds >"$WORLD_DIR/run/merd-left"
	GUEST_WRAPPER=$(wrapper_words --legacy) \
		guest_boot "" "$GUEST2" >"$WORLD_DIR/log/guest2.out" 2>&1
	export GUEST2_RC=$? GUEST2_RESULTS=$GUEST_RESULTS
}

teardown_file() {
	world_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	world_dump_logs
	echo "--- guest" >&2
	tail -n 30 "$WORLD_DIR/log/guest1.out" >&2
}

# fake_qemu() - Write a fake qemu to PATH that answers -version with VERSION,
# and otherwise logs its arguments, checks that the netdev's fd is a socket
# and exits 7
fake_qemu() {
	cat >"$1" <<EOF
#!/bin/bash
if [ "\$1" = -version ]; then
	echo "QEMU emulator version $2 (fake)"
	exit 0
fi
echo "args: \$*" >"$1.log"
fd=\$(sed -n 's/.*[,=]fd=\([0-9]*\).*/\1/p; s/.*addr.str=\([0-9]*\).*/\1/p' <<<"\$*" | head -n 1)
[ -S "/proc/\$\$/fd/\$fd" ] && echo "socket fd \$fd" >>"$1.log"
exit 7
EOF
	chmod 0755 "$1"
	chown "$MERD_TEST_USER:" "$1"
}

@test "merd-qemu: the guest gets its lease by DHCP and pings" {
	skip_without_qemu
	cat "$GUEST1_RESULTS"
	[ "$GUEST1_RC" -eq 0 ]
	[ "$(guest_result lease_ip "$GUEST1_RESULTS")" = 198.51.100.10 ]
	[ "$(guest_result lease_router "$GUEST1_RESULTS")" = 198.51.100.1 ]
	grep -q '^ping: 2 packets transmitted, 2 packets received' "$GUEST1_RESULTS"
}

@test "merd-qemu: 16 MiB each way between the guest and inet, intact" {
	skip_without_qemu
	cat "$GUEST1_RESULTS"
	tcp_check_up "$(grep '^w-up up ' "$GUEST1_RESULTS")"
	tcp_check_down "$(grep '^w-down down ' "$GUEST1_RESULTS")"
}

@test "merd-qemu: a port forward given as a merd option reaches the guest" {
	skip_without_qemu
	cat "$WORLD_DIR/run/fwd-reply"
	grep -qx 'hello-from-guest' "$WORLD_DIR/run/fwd-reply"
	grep -qx 'server_rc=0' "$GUEST1_RESULTS"
}

@test "merd-qemu: merd ends when qemu ends; the wrapper exits with qemu's status" {
	skip_without_qemu
	grep 'qemu status' "$WORLD_DIR/log/guest1.out"
	grep -q 'qemu status 0,' "$WORLD_DIR/log/guest1.out"
	# while the guest ran: one merd, the wrapper's child
	echo "during: $(cat "$WORLD_DIR/run/merd-during")"
	[ "$(grep -c . "$WORLD_DIR/run/merd-during")" -eq 1 ]
	grep -qE '^[0-9]+ merd-qemu$' "$WORLD_DIR/run/merd-during"
	# after qemu: none
	echo "after: $(cat "$WORLD_DIR/run/merd-left")"
	[ ! -s "$WORLD_DIR/run/merd-left" ]
}

@test "merd-qemu --legacy: the guest on -netdev socket,fd=N is served" {
	skip_without_qemu
	cat "$GUEST2_RESULTS"
	[ "$GUEST2_RC" -eq 0 ]
	[ "$(guest_result lease_ip "$GUEST2_RESULTS")" = 198.51.100.10 ]
	grep -q '^ping: 2 packets transmitted, 2 packets received' "$GUEST2_RESULTS"
}

@test "merd-qemu: qemu's version picks -netdev stream (7.2+) or socket (older)" {
	local q=$WORLD_DIR/run/qemu-new r=$WORLD_DIR/run/qemu-old
	fake_qemu "$q" 7.2.0
	fake_qemu "$r" 6.2.0
	run as_user "$WORLD_BIN/merd-qemu" --merd "$WORLD_BIN/merd" -- "$q" -m 64
	echo "$output"
	cat "$q.log"
	[ "$status" -eq 7 ]
	grep -q '^args: -m 64 -netdev stream,id=merd0,server=off,addr.type=fd,addr.str=[0-9]* -device virtio-net-pci,netdev=merd0$' "$q.log"
	grep -q '^socket fd ' "$q.log"
	run as_user "$WORLD_BIN/merd-qemu" --merd "$WORLD_BIN/merd" --device none \
		--id n1 -- "$r"
	echo "$output"
	cat "$r.log"
	[ "$status" -eq 7 ]
	grep -q '^args: -netdev socket,id=n1,fd=[0-9]*$' "$r.log"
	grep -q '^socket fd ' "$r.log"
}

@test "merd-qemu: a merd that cannot start stops the wrapper before qemu" {
	local q=$WORLD_DIR/run/qemu-never
	fake_qemu "$q" 7.2.0
	run as_user "$WORLD_BIN/merd-qemu" --merd "$WORLD_BIN/merd" -t 99999 -- "$q"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"merd did not become ready"* ]]
	[ ! -e "$q.log" ]
}
