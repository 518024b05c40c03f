#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# merd-cost.sh - What moving data costs merd itself, load-independent:
# CPU time, system calls and context switches per GiB (iperf3 upload and
# download) and per request/response transaction (rr_latency), in
# namespace mode, with the veth's throughput and latency of the same run
# beside them
#
# Usage (as root): test/perf/merd-cost.sh [-t SECS] [-r REPS] [-n TRANS]
#             [-p PERFDATA_DIR] [-c CASES]
#   -t SECS    length of each iperf3 run (default 4)
#   -r REPS    repetitions; medians are printed (default 3)
#   -n TRANS   request/response transactions per run (default 20000)
#   -p DIR     also record a call-graph profile of merd per case
#              (perf record), reports in DIR/CASE.txt
#   -c CASES   comma-separated subset of up,down,up6,down6,rr (default all)
# MERD_COST_ARGS: more options for merd (for example "-m 1500").
#
# Needs perf (linux-perf), iperf3. The counts come from `perf stat -p` on
# merd's process (software events and the raw_syscalls tracepoint; no
# hardware counter is needed), the bytes from iperf3's JSON. Throughput
# and latency figures are wall-clock, so noisy on a shared machine; the
# per-GiB and per-transaction costs are what to compare between builds.
# Nothing leaves the test world (test/lib/world.bash).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=4 reps=3 trans=20000 pdir='' cases=up,down,up6,down6,rr
while getopts "t:r:n:p:c:" o; do
	case $o in
	t) secs=$OPTARG ;;
	r) reps=$OPTARG ;;
	n) trans=$OPTARG ;;
	p) pdir=$OPTARG ;;
	c) cases=$OPTARG ;;
	*) sed -n '8,17p' "$0" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "merd-cost.sh: run as root" >&2; exit 2; }
command -v perf >/dev/null || { echo "merd-cost.sh: perf missing" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=../lib/world.bash
source "$top/test/lib/world.bash"
WORLD_TOOLS="$WORLD_TOOLS rr_latency"
S4=203.0.113.2 S6=2001:db8:2::2 P4=5201 P6=5202 RRP=5302
RAW=

world_extra_peers() {
	_world_bg iperf3 ip netns exec "$INET_NS" iperf3 -s -B "$S4" -p "$P4"
	_world_bg iperf3-6 ip netns exec "$INET_NS" iperf3 -s -B "$S6" -p "$P6"
	_world_bg rr ip netns exec "$INET_NS" "$WORLD_BIN/rr_latency" -l "$S4" "$RRP"
	_wait_for 10 in_inet sh -c "ss -Htln | grep -q ':$P4 ' &&
		ss -Htln | grep -q ':$P6 ' && ss -Htln | grep -q ':$RRP '"
}

cleanup() {
	world_teardown
	[ -z "$RAW" ] || [ -n "${COST_KEEP:-}" ] || rm -rf "$RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# client_cmd() - Set CMD to the client command of CASE, output to FILE
client_cmd() {
	case $1 in
	up) CMD=(iperf3 -c "$S4" -p "$P4" -t "$secs" -J) ;;
	down) CMD=(iperf3 -c "$S4" -p "$P4" -t "$secs" -J -R) ;;
	up6) CMD=(iperf3 -c "$S6" -p "$P6" -t "$secs" -J) ;;
	down6) CMD=(iperf3 -c "$S6" -p "$P6" -t "$secs" -J -R) ;;
	rr) CMD=("$WORLD_BIN/rr_latency" -n "$trans" "$S4" "$RRP") ;;
	esac
}

# run_veth() - CASE straight from the host namespace, output in FILE
run_veth() {
	client_cmd "$1"
	as_user "${CMD[@]}" >"$2" 2>&1
}

# run_merd() - CASE in merd --ns, output in FILE, perf stat in FILE.stat
run_merd() {
	local c=$1 f=$2 tpid pid='' sp rp=''
	client_cmd "$c"
	# shellcheck disable=SC2086 # MERD_COST_ARGS: words for merd
	user_argv "$MERD" --ns -q ${MERD_COST_ARGS:-} -- \
		sh -c 'sleep 0.3; exec "$@" >"$0" 2>&1' \
		"$RAW/out.$$" "${CMD[@]}"
	rm -f "$RAW/out.$$"
	(cd "$WORLD_DIR" && exec timeout -k 5 $((secs + 60)) "${USER_ARGV[@]}") \
		2>>"$WORLD_DIR/log/merd.log" &
	tpid=$!
	for _ in $(seq 50); do	# timeout's child, once it is merd
		pid=$(pgrep -P "$tpid" -x merd) && break
		sleep 0.02
	done
	perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter${COST_EVENTS:+,$COST_EVENTS} \
		-p "$pid" -o "$f.stat" 2>/dev/null &
	sp=$!
	if [ -n "$pdir" ]; then
		perf record -q -g -p "$pid" -o "$RAW/$c.perf" 2>/dev/null &
		rp=$!
	fi
	wait "$tpid"
	wait "$sp"
	[ -z "$rp" ] || wait "$rp"
	cp "$RAW/out.$$" "$f" 2>/dev/null
	[ -z "$rp" ] || perf report -i "$RAW/$c.perf" --no-children \
		--percent-limit 1 --stdio 2>/dev/null >"$pdir/$c.txt"
}

world_setup || { world_dump_logs; exit 1; }
RAW=$(mktemp -d /tmp/merd-cost.XXXXXX)
chmod 0777 "$RAW"
[ -z "$pdir" ] || mkdir -p "$pdir"
for ((i = 1; i <= reps; i++)); do
	for c in ${cases//,/ }; do
		run_veth "$c" "$RAW/veth-$c-$i"
		sleep 0.3
		run_merd "$c" "$RAW/merd-$c-$i"
		sleep 0.3
	done
done

/usr/bin/python3 - "$RAW" "$reps" "$cases" "$trans" <<'EOF'
import json, os, re, statistics, sys
raw, reps, cases = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
trans = int(sys.argv[4])

def stat(path):
    s = {}
    try:
        for line in open(path):
            p = line.strip().split(",")
            if len(p) > 2 and p[0] and p[0][0].isdigit():
                s[p[2]] = float(p[0])
    except OSError:
        pass
    return s

def out(path, case):
    try:
        txt = open(path).read()
    except OSError:
        return None
    if case == "rr":
        m = re.search(r"median_us=([\d.]+).*p99_us=([\d.]+)", txt)
        return (float(m.group(1)), float(m.group(2))) if m else None
    try:
        j = json.loads(txt)
        e = j["end"]
        return (e["sum_received"]["bits_per_second"] / 1e9,
                e["sum_sent"]["bytes"])
    except (ValueError, KeyError):
        return None

med = lambda v: statistics.median(v) if v else float("nan")
print("%-6s %10s %10s %6s | %12s %14s %12s" % (
    "case", "veth", "merd", "ratio", "cpu ms", "syscalls", "ctx sw"))
for c in cases:
    v, m, cpu, sc, cs = [], [], [], [], []
    for i in range(1, reps + 1):
        a = out(os.path.join(raw, "veth-%s-%d" % (c, i)), c)
        b = out(os.path.join(raw, "merd-%s-%d" % (c, i)), c)
        s = stat(os.path.join(raw, "merd-%s-%d.stat" % (c, i)))
        if a:
            v.append(a[0])
        if not b or "task-clock" not in s:
            continue
        m.append(b[0])
        div = b[1] / 2**30 if c != "rr" else trans / 1000.0
        cpu.append(s["task-clock"] / div)
        sc.append(s.get("raw_syscalls:sys_enter", 0) / div)
        cs.append(s.get("context-switches", 0) / div)
    unit = "per GiB" if c != "rr" else "per 1000 transactions"
    print("%-6s %10.2f %10.2f %6.2f | %12.1f %14.0f %12.0f   (%s; %s)" % (
        c, med(v), med(m), med(m) / med(v) if v and m else float("nan"),
        med(cpu), med(sc), med(cs), unit,
        "Gbit/s" if c != "rr" else "median us"))
EOF
