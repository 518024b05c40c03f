#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-tests.sh [UNIT_TEST_BINARY...] - Run merd's C unit tests, then every
# test/*.bats suite (as root: they build network namespaces), print all of
# their TAP, and end with one line: "N passed, N failed[, N skipped]".
# Exit 0 only if no test failed and at least one ran.
#
# Without arguments the unit tests are build/unit/test_*. MERD_SUITES picks
# suites (default: test/*.bats); MERD_SUITE_TIMEOUT bounds each (900 s).
# MERD_ASAN_SUITES names suites to run a second time, against the ASan+UBSan
# build (MERD_ASAN_BIN, default ./merd-asan), counted under the suite's name
# with " (asan)" added; "none" or empty: no sanitizer pass.
# The guest image is built once per run into MERD_GUEST_CACHE (a temporary
# directory unless set).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
passed=0 failed=0 skipped=0
out=$(mktemp -d "${TMPDIR:-/tmp}/merd-tests.XXXXXX")
if [ -z "${MERD_GUEST_CACHE:-}" ]; then
	MERD_GUEST_CACHE=$out/guest
	export MERD_GUEST_CACHE
fi
trap 'rm -rf "$out"' EXIT

# tally() - Count the TAP lines in FILE from producer NAME, which exited RC
tally() {
	local name=$1 rc=$2 file=$3 line plan= p=0 f=0 s=0
	while IFS= read -r line; do
		case $line in
		"ok "*"# "[Ss][Kk][Ii][Pp]*) s=$((s + 1)) ;;
		"ok "*) p=$((p + 1)) ;;
		"not ok "*"# "[Tt][Oo][Dd][Oo]*) s=$((s + 1)) ;;
		"not ok "*) f=$((f + 1)) ;;
		1..*) plan=${line#1..} plan=${plan%%[!0-9]*} ;;
		esac
	done <"$file"
	if [ -n "$plan" ] && [ $((p + f + s)) -lt "$plan" ]; then
		echo "# $name: $((plan - p - f - s)) planned tests did not report"
		f=$((f + plan - p - f - s))
	elif [ -z "$plan" ] && [ "$rc" -eq 0 ]; then
		echo "# $name: no TAP plan"
		f=$((f + 1))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $name: exited with status $rc but reported no failure"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# run_one() - Run COMMAND..., named NAME, show its output and tally it
run_one() {
	local name=$1 rc=0 log t0=$SECONDS
	shift
	log=$out/$(basename "$name").tap
	echo "# --- $name"
	("$@") >"$log" 2>&1 </dev/null || rc=$?
	cat "$log"
	[ "$rc" -eq 124 ] && echo "# $name: timed out"
	echo "# $name: $((SECONDS - t0)) s"
	tally "$name" "$rc" "$log"
}

units=("$@")
if [ ${#units[@]} -eq 0 ]; then
	for u in "$top"/build/unit/test_*; do
		[ -x "$u" ] && units+=("$u")
	done
fi
for u in "${units[@]}"; do
	run_one "$u" timeout -k 10 300 "$u"
done

if [ -n "${MERD_SUITES:-}" ]; then
	read -r -a suites <<<"$MERD_SUITES"
else
	suites=("$here"/*.bats)
fi
for s in "${suites[@]}"; do
	[ -e "$s" ] || continue
	run_one "$s" timeout -k 10 "${MERD_SUITE_TIMEOUT:-900}" bats --tap "$s"
done

# The sanitizer pass: the same suites, merd-asan under test (world.bash
# makes any sanitizer report fatal and fails the test that caused it)
asan_bin=${MERD_ASAN_BIN:-$top/merd-asan}
read -r -a asan_suites <<<"${MERD_ASAN_SUITES:-}"
[ "${asan_suites[*]}" != none ] || asan_suites=()
if [ ${#asan_suites[@]} -gt 0 ] && [ ! -x "$asan_bin" ]; then
	echo "not ok 1 sanitizer pass: no ASan build at $asan_bin (make asan)" >"$out/asan.tap"
	cat "$out/asan.tap"
	tally "sanitizer pass" 1 "$out/asan.tap"
	asan_suites=()
fi
for s in "${asan_suites[@]}"; do
	run_one "$s (asan)" env MERD_BIN="$asan_bin" \
		timeout -k 10 "${MERD_SUITE_TIMEOUT:-900}" bats --tap "$s"
done

total=$((passed + failed + skipped))
[ "$total" -gt 0 ] || echo "# no test ran"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
