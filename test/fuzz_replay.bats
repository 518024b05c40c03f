#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz_replay.bats - Every fuzz target's seed corpus and every crash the
# fuzzers found (test/fuzz/regress/TARGET) run clean through the target's
# harness, with its checks (well-formed frames to the guest, both TCP byte
# streams intact, no socket leaked), on ASan+UBSan objects: regression
# tests for what fuzzing found, without libFuzzer or clang.
#
# The replay binaries come from make fuzz-replay (make check builds them).
# They run as the test user in an empty network namespace of their own
# (unshare -rn), as the fuzzers do: no packet leaves it.

load lib/world

setup_file() {
	_world_user || return 1
	REPLAY_DIR=$(mktemp -d /tmp/merd-replay.XXXXXX)
	export REPLAY_DIR
	cp -r "$BATS_TEST_DIRNAME/fuzz/corpus" "$REPLAY_DIR/corpus"
	if [ -d "$BATS_TEST_DIRNAME/fuzz/regress" ]; then
		cp -r "$BATS_TEST_DIRNAME/fuzz/regress" "$REPLAY_DIR/regress"
	fi
	mkdir -p "$REPLAY_DIR/bin" "$REPLAY_DIR/regress"
	cp "$BATS_TEST_DIRNAME"/../build/asan/replay/fuzz_* "$REPLAY_DIR/bin/" 2>/dev/null
	rm -f "$REPLAY_DIR"/bin/*.o
	chmod -R a+rX "$REPLAY_DIR"
}

teardown_file() {
	rm -rf "$REPLAY_DIR"
}

# replay() - Run TARGET's replay binary on its seeds and regression inputs
# as the test user; fails unless every input ran and none crashed
replay() {
	local t=$1 bin=$REPLAY_DIR/bin/fuzz_$1 n
	[ -x "$bin" ] || { echo "no $bin: run make fuzz-replay"; return 1; }
	run setpriv --reuid="$MERD_TEST_USER" --regid="$MERD_TEST_USER" \
		--init-groups --inh-caps=-all -- \
		env -i PATH=/usr/bin:/bin ASAN_OPTIONS=detect_leaks=0 \
		unshare -rn "$bin" "$REPLAY_DIR/corpus/$t" "$REPLAY_DIR/regress/$t"
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	n=$(sed -n 's/^replay: \([0-9]*\) inputs replayed$/\1/p' <<<"$output")
	n=${n:-0}
	echo "inputs: $n, seeds: $(ls "$REPLAY_DIR/corpus/$t" | wc -l)"
	[ "$n" -ge "$(ls "$REPLAY_DIR/corpus/$t" | wc -l)" ]
}

@test "fuzz_eth: guest frames of every kind replay clean" {
	replay eth
}

@test "fuzz_link: guest link byte streams replay clean" {
	replay link
}

@test "fuzz_conf: command lines replay clean" {
	replay conf
}

@test "fuzz_ctl: control requests replay clean, each answered with valid JSON" {
	replay ctl
}

@test "fuzz_tcp: TCP sessions over fake host sockets replay clean, streams intact" {
	replay tcp
}

@test "fuzz_dhcp: DHCP exchanges replay clean, replies well-formed" {
	replay dhcp
}

@test "fuzz_dhcpv6: DHCPv6 exchanges replay clean, replies well-formed" {
	replay dhcpv6
}

@test "fuzz_ndp: neighbour discovery replays clean, advertisements well-formed" {
	replay ndp
}

@test "fuzz_icmp: echo over ping and raw sockets and ICMP errors replay clean" {
	replay icmp
}

@test "fuzz_frag: IP fragments, reassembled and sent, replay clean" {
	replay frag
}

@test "fuzz_virtq: descriptor chains and memory tables replay clean" {
	replay virtq
}
