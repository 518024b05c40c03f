#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp-throughput.sh - TCP throughput of merd --ns against slirp4netns, pasta
# and a plain veth, both directions, in a test world of its own
#
# Usage (as root): test/perf/tcp-throughput.sh [-t SECS] [-r REPS] [-o FILE]
#   -t SECS   length of each iperf3 run (default 5, the first second omitted)
#   -r REPS   runs per tool and direction, the tools taking turns; the
#             median is reported (default 3)
#   -o FILE   JSON results (default build/perf/tcp-throughput-DATE.json)
#
# Needs: iperf3, python3, and for the peers the Debian packages slirp4netns
# and passt (pasta); a missing peer is skipped. merd is ./merd of the
# checkout, or $MERD_BIN. Not part of `make check`: it measures, it does not
# judge (the target of issue 3 is printed next to the ratios).
#
# The world is test/lib/world.bash's: iperf3 -s runs in "inet" on
# 203.0.113.2:5201; each "guest" is a network namespace of the unprivileged
# test user whose only way out is the tool under test, and whose only route
# leads to "inet" (the world's host namespace has no other):
#   merd         merd --ns -- iperf3 -c ...            (MTU 65520)
#   slirp4netns  unshare -Urn + slirp4netns --configure --mtu=65520
#                --disable-host-loopback PID tap0        (10.0.2.100)
#   pasta        pasta --config-net -t/-u/-T/-U none --no-map-gw -- iperf3
#                (MTU 65520, the host's addresses)
#   veth         iperf3 -c straight from the host namespace: the veth pair
#                every tool's sockets use, the bound for all of them
# "upload" is guest -> inet (iperf3 client sends), "download" inet -> guest
# (iperf3 -R); each figure is what the receiver counted.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=5 reps=3 out=
while getopts "t:r:o:" o; do
	case $o in
	t) secs=$OPTARG ;;
	r) reps=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '4,10p' "$0" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "tcp-throughput.sh: run as root (it builds namespaces)" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "tcp-throughput.sh: iperf3 missing (apt-get install iperf3)" >&2; exit 2; }
out=${out:-$top/build/perf/tcp-throughput-$(date +%Y%m%d-%H%M%S).json}
mkdir -p "$(dirname "$out")"

# shellcheck source-path=SCRIPTDIR source=../lib/world.bash
source "$top/test/lib/world.bash"

SERVER=203.0.113.2
PORT=5201
RAW=

cleanup() {
	world_teardown
	[ -n "$RAW" ] && rm -rf "$RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# iperf_args() - Set IPERF to the client command for DIRECTION (upload or
# download)
iperf_args() {
	IPERF=(iperf3 -c "$SERVER" -p "$PORT" -t "$secs" -O 1 -J)
	[ "$1" = upload ] || IPERF+=(-R)
}

# run_veth() - iperf3 from the host namespace itself
run_veth() {
	iperf_args "$1"
	as_user "${IPERF[@]}"
}

# run_merd() - iperf3 in merd's namespace
run_merd() {
	iperf_args "$1"
	user_argv "$MERD" --ns -q -- "${IPERF[@]}"
	(cd "$WORLD_DIR" && exec timeout -k 5 $((secs + 60)) "${USER_ARGV[@]}") \
		2>>"$WORLD_DIR/log/merd.log"
}

# run_pasta() - iperf3 in a namespace pasta made and serves
run_pasta() {
	iperf_args "$1"
	as_user timeout -k 5 $((secs + 60)) pasta --config-net -f -q \
		-t none -u none -T none -U none --no-map-gw \
		-- "${IPERF[@]}" 2>>"$WORLD_DIR/log/pasta.log"
}

# run_slirp4netns() - iperf3 in an unshare'd namespace served by slirp4netns
run_slirp4netns() {
	local d=$WORLD_DIR/home/slirp.$$ rc
	iperf_args "$1"
	rm -rf "$d"
	as_user mkdir -p "$d"
	# shellcheck disable=SC2016 # expanded by the user's sh
	as_user sh -c '
		d=$1; shift
		unshare --user --map-root-user --net sh -c "
			echo \$\$ >$d/pid
			while [ ! -s $d/ready ]; do sleep 0.05; done
			exec \"\$@\"" sh "$@" &
		child=$!
		while [ ! -s "$d/pid" ]; do sleep 0.05; done
		slirp4netns --configure --mtu=65520 --disable-host-loopback \
			--ready-fd=3 "$(cat "$d/pid")" tap0 3>"$d/ready" \
			>>"$d/slirp.log" 2>&1 &
		slirp=$!
		wait "$child"
		rc=$?
		kill "$slirp" 2>/dev/null
		wait "$slirp" 2>/dev/null
		exit $rc' sh "$d" timeout -k 5 $((secs + 60)) "${IPERF[@]}"
	rc=$?
	cat "$d/slirp.log" >>"$WORLD_DIR/log/slirp4netns.log" 2>/dev/null
	rm -rf "$d"
	return $rc
}

# bps() - Print bits per second the receiver counted, from iperf3 JSON FILE
bps() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(int(j["end"]["sum_received"]["bits_per_second"]))' "$1" 2>/dev/null
}

# measure() - Run TOOL in DIRECTION once, as run number I; raw JSON in $RAW
measure() {
	local tool=$1 dir=$2 i=$3 f v
	f=$RAW/$tool-$dir-$i.json
	for _ in 1 2; do	# iperf3's server is sometimes still busy
		"run_$tool" "$dir" >"$f" 2>"$f.err"
		v=$(bps "$f") && break
		sleep 1
	done
	printf '  %-12s %-8s run %d: %s\n' "$tool" "$dir" "$i" \
		"$(awk -v b="${v:-0}" 'BEGIN { printf "%.2f Gbit/s", b / 1e9 }')" >&2
	[ -n "$v" ] || { cat "$f.err" "$f" >&2; rm -f "$f"; }
	sleep 0.5
}

# version_of() - One line saying which TOOL this is
version_of() {
	case $1 in
	merd) "$MERD" --version 2>&1 | head -n 1 ;;
	slirp4netns) slirp4netns --version 2>&1 | head -n 1 ;;
	pasta) dpkg-query -W -f '${Package} ${Version}' passt 2>/dev/null ||
		pasta --version 2>&1 | head -n 1 ;;
	veth) uname -r ;;
	esac
}

world_setup || { world_dump_logs; exit 1; }
RAW=$(mktemp -d /tmp/merd-perf.XXXXXX)
chmod 0755 "$RAW"
_world_bg iperf3 ip netns exec "$INET_NS" iperf3 -s -B "$SERVER" -p "$PORT"
_wait_for 10 in_inet sh -c "ss -Htln | grep -q '$SERVER:$PORT'" ||
	{ echo "tcp-throughput.sh: iperf3 server did not start" >&2; exit 1; }

tools=(veth merd)
for t in slirp4netns pasta; do
	if command -v "$t" >/dev/null; then
		tools+=("$t")
	else
		echo "tcp-throughput.sh: $t not installed, skipped" >&2
	fi
done

echo "tcp-throughput: ${#tools[@]} tools, $reps x ${secs} s each direction" >&2
versions=()
# Round robin: every tool once per round, so that a machine whose load
# drifts over the minutes of the run weighs on every tool alike
for ((i = 1; i <= reps; i++)); do
	for d in upload download; do
		for t in "${tools[@]}"; do
			measure "$t" "$d" "$i"
		done
	done
done
for t in "${tools[@]}"; do
	versions+=("$t=$(version_of "$t")")
done

python3 - "$RAW" "$out" "$secs" "$reps" "${versions[@]}" <<'EOF'
import json, os, platform, statistics, sys, time

raw, out, secs, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
versions = dict(v.split("=", 1) for v in sys.argv[5:])
tools = list(versions)
res = {}
for t in tools:
    res[t] = {}
    for d in ("upload", "download"):
        runs = []
        for i in range(1, reps + 1):
            try:
                with open(os.path.join(raw, "%s-%s-%d.json" % (t, d, i))) as f:
                    j = json.load(f)
                runs.append(j["end"]["sum_received"]["bits_per_second"] / 1e9)
            except (OSError, ValueError, KeyError):
                pass
        res[t][d] = {"runs_gbps": [round(r, 3) for r in runs],
                     "median_gbps": round(statistics.median(runs), 3) if runs else None}

def med(t, d):
    return res.get(t, {}).get(d, {}).get("median_gbps")

def ratio(a, b):
    return round(a / b, 2) if a and b else None

peers = [t for t in ("slirp4netns", "pasta") if t in res]
ratios, target = {}, {}
for d in ("upload", "download"):
    m = med("merd", d)
    for p in peers + ["veth"]:
        ratios["merd/%s %s" % (p, d)] = ratio(m, med(p, d))
    best = max([med(p, d) or 0 for p in peers] or [0])
    bounds = [b for b in (1.5 * best, 0.9 * (med("veth", d) or 0)) if b]
    goal = min(bounds) if bounds else None
    target[d] = {"best_peer_gbps": best or None,
                 "goal_gbps": round(goal, 3) if goal else None,
                 "merd_gbps": m, "met": bool(m and goal and m >= goal)}

print()
print("TCP throughput, iperf3, 1 stream, guest MTU 65520, median of %d x %d s"
      % (reps, secs))
print("%-12s %16s %16s   %s" % ("tool", "upload Gbit/s", "download Gbit/s",
                                "runs up / down"))
for t in tools:
    u, d = med(t, "upload"), med(t, "download")
    print("%-12s %16s %16s   %s / %s" % (
        t, "%.2f" % u if u else "-", "%.2f" % d if d else "-",
        " ".join("%.2f" % r for r in res[t]["upload"]["runs_gbps"]),
        " ".join("%.2f" % r for r in res[t]["download"]["runs_gbps"])))
print()
for k, v in ratios.items():
    print("%-26s %s" % (k, "%.2f" % v if v else "-"))
print()
for d, g in target.items():
    print("target %-8s min(1.5 x best peer, 0.9 x veth) = %s Gbit/s: merd %s -> %s"
          % (d, g["goal_gbps"], g["merd_gbps"], "met" if g["met"] else "NOT met"))

doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "kernel": platform.release(),
       "cpus": os.cpu_count(), "secs": secs, "reps": reps, "mtu": 65520,
       "streams": 1, "versions": versions, "results": res, "ratios": ratios,
       "target": target}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
print("\nresults: %s" % out)
EOF
