#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# splice-throughput.sh - Throughput of merd's -T loopback path (a process in
# the namespace reaching the host's 127.0.0.1 through splice(2)) against a
# plain loopback connection on the host, both directions
#
# Usage (as root): test/perf/splice-throughput.sh [-t SECS] [-r REPS]
#   -t SECS   length of each iperf3 run (default 5, the first second omitted)
#   -r REPS   runs per path and direction; the median is reported (default 3)
#
# Needs iperf3. merd is ./merd of the checkout, or $MERD_BIN. Not part of
# `make check`: it measures, it does not judge. The world is
# test/lib/world.bash's; iperf3 -s runs as root in "host" on 127.0.0.1:5201:
#   loopback   iperf3 -c 127.0.0.1 from "host" itself, as the test user
#   merd -T    merd --ns -T 5201 -- iperf3 -c 127.0.0.1 (the namespace's
#              127.0.0.1:5201 is merd's, joined to the host's)
# "upload" is client -> server, "download" server -> client (iperf3 -R);
# each figure is what the receiver counted.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=5 reps=3
while getopts "t:r:" o; do
	case $o in
	t) secs=$OPTARG ;;
	r) reps=$OPTARG ;;
	*) sed -n '7,9p' "$0" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "splice-throughput.sh: run as root (it builds namespaces)" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "splice-throughput.sh: iperf3 missing (apt-get install iperf3)" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../lib/world.bash
source "$top/test/lib/world.bash"

PORT=5201
trap world_teardown EXIT
trap 'exit 130' INT TERM

# run() - One iperf3 run over PATH (loopback or merd) in DIRECTION; print
# the receiver's bits per second
run() {
	local args=(iperf3 -c 127.0.0.1 -p "$PORT" -t "$secs" -O 1 -J)
	[ "$2" = upload ] || args+=(-R)
	if [ "$1" = merd ]; then
		user_argv "$MERD" --ns -q -T "$PORT" -- "${args[@]}"
		(cd "$WORLD_DIR" && exec timeout -k 5 $((secs + 60)) "${USER_ARGV[@]}") \
			2>>"$WORLD_DIR/log/merd.log"
	else
		as_user "${args[@]}"
	fi | python3 -c 'import json, sys
print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null
}

# median() - Median of the numbers on stdin, in Gbit/s with two decimals
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f", m / 1e9 }'
}

world_setup || { world_dump_logs; exit 1; }
_world_bg iperf3 ip netns exec "$HOST_NS" iperf3 -s -B 127.0.0.1 -p "$PORT"
_wait_for 10 in_host sh -c "ss -Htln | grep -q '127.0.0.1:$PORT'" ||
	{ echo "splice-throughput.sh: iperf3 server did not start" >&2; exit 1; }

echo "splice-throughput: $reps x ${secs} s each, Gbit/s (median), $(uname -r), $(nproc) CPUs"
printf '%-10s %10s %10s\n' path upload download
declare -A res
for path in loopback merd; do
	for dir in upload download; do
		res[$path-$dir]=$(for ((i = 0; i < reps; i++)); do
			run "$path" "$dir"
			sleep 0.5
		done | median)
	done
	printf '%-10s %10s %10s\n' "$([ $path = merd ] && echo "merd -T" || echo $path)" \
		"${res[$path-upload]}" "${res[$path-download]}"
done
awk -v a="${res[merd-upload]}" -v b="${res[loopback-upload]}" \
    -v c="${res[merd-download]}" -v d="${res[loopback-download]}" \
	'BEGIN { if (b > 0 && d > 0) printf "merd -T / loopback: upload %.0f%%, download %.0f%%\n", 100 * a / b, 100 * c / d }'
