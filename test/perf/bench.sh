#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh - merd against slirp4netns, pasta/passt, qemu's -netdev user and a
# plain veth, side by side in one test world: table, ratios, JSON and a plot
#
# Usage (as root): test/perf/bench.sh [-q] [-s SECTIONS] [-t SECS] [-r REPS] [-o FILE]
#   -q           smoke run: every section, short and once (under 3 minutes)
#   -s LIST      sections, comma separated (default: all of them)
#                tcp latency conn udp vm guest rss idle startup
#   -t SECS      length of each iperf3 run (default 4, plus 1 s omitted)
#   -r REPS      repetitions of each measurement; medians are reported
#                (default 3)
#   -o FILE      JSON results (default build/perf/bench-DATE.json; the plot
#                is the same name with .png, the raw figures with .tsv:
#                test/perf/bench-report.py reads them again)
#
# Needs iperf3, python3, qemu-system-x86_64 (vm, guest); slirp4netns and
# passt (pasta) are the peers: one not installed is skipped with a note.
# gnuplot draws the PNG: if it is missing, bench.sh installs gnuplot-nox with
# apt-get (set BENCH_NO_INSTALL=1 to skip the plot instead). merd is ./merd
# of the checkout, or $MERD_BIN. Not part of `make check`: it measures, it
# never fails on a figure; the targets of issue 9 are printed with the ratios.
# A full run takes about 17 minutes on 2 cores, a smoke run (-q) about 2.5;
# see doc/performance.md.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
ALL_SECTIONS=tcp,latency,conn,udp,vm,guest,rss,idle,startup
secs=4 reps=3 out='' quick='' sections=$ALL_SECTIONS
while getopts "qs:t:r:o:h" o; do
	case $o in
	q) quick=1 ;;
	s) sections=$OPTARG ;;
	t) secs=$OPTARG ;;
	r) reps=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '4,22p' "$0" >&2; exit 2 ;;
	esac
done
if [ -n "$quick" ]; then
	secs=2 reps=1
fi
[ "$(id -u)" = 0 ] || { echo "bench.sh: run as root (it builds namespaces)" >&2; exit 2; }
for s in ${sections//,/ }; do
	case ,$ALL_SECTIONS, in
	*,"$s",*) ;;
	*) echo "bench.sh: unknown section $s (known: $ALL_SECTIONS)" >&2; exit 2 ;;
	esac
done
command -v iperf3 >/dev/null || { echo "bench.sh: iperf3 missing (apt-get install iperf3)" >&2; exit 2; }
out=${out:-$top/build/perf/bench-$(date +%Y%m%d-%H%M%S).json}
mkdir -p "$(dirname "$out")"
make -s -C "$top/test/tools" >&2 || exit 1

# shellcheck source-path=SCRIPTDIR source=../lib/world.bash
source "$top/test/lib/world.bash"
# shellcheck source-path=SCRIPTDIR source=../lib/guest.bash
source "$top/test/lib/guest.bash"
WORLD_TOOLS="$WORLD_TOOLS rr_latency conn_rate udp_flows tap_relay vhost_front"

SERVER4=203.0.113.2 SERVER6=2001:db8:2::2
IPERF_PORT=5201 IPERF_PORT6=5202 RR_PORT=5302 CONN_PORT=5303 ECHO_PORT=7 TCP_PEER_PORT=5000
LIMIT=$((secs + 90))
RAW=
SAMPLER=

# has_section() - True if section NAME was asked for
has_section() {
	case ,$sections, in *,"$1",*) return 0 ;; esac
	return 1
}

# note() - Print a progress line on stderr
note() {
	echo "bench: $*" >&2
}

# rec() - Record one raw figure: SECTION TOOL CASE METRIC VALUE
rec() {
	[ -n "$5" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW/results.tsv"
}

cleanup() {
	[ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null
	world_teardown
	[ -n "$RAW" ] && rm -rf "$RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- sampling a helper's process ------------------------------------------

# sampler_start() - Sample process PID (or the pid found by FINDER, a
# command printing it) every 0.1 s into FILE: "ms utime stime rss_kb vctx
# nvctx" lines, until it exits
sampler_start() {
	local file=$1 finder=$2
	: >"$file"
	(
		p=
		for _ in $(seq 100); do
			p=$(eval "$finder" 2>/dev/null) && [ -n "$p" ] && break
			sleep 0.05
		done
		[ -n "$p" ] || exit 0
		while [ -r "/proc/$p/stat" ]; do
			st=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || break
			awk -v st="$st" -v ms="$(date +%s%3N)" '
				/^VmRSS:/ { r = $2 }
				/^voluntary_ctxt/ { v = $2 }
				/^nonvoluntary_ctxt/ { n = $2 }
				END { if (r != "") print ms, st, r, v, n }' \
				"/proc/$p/status" >>"$file" 2>/dev/null
			sleep 0.1
		done
	) &
	SAMPLER=$!
}

# sampler_stop() - Stop the sampler
sampler_stop() {
	[ -n "$SAMPLER" ] || return 0
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	SAMPLER=
}

# child_named() - Print the child of PID whose command is NAME (or NAME.*)
child_named() {
	local c
	for c in $(pgrep -P "$1"); do
		case $(cat "/proc/$c/comm" 2>/dev/null) in
		"$2" | "$2".*) echo "$c"; return 0 ;;	# Debian: pasta.avx2
		esac
	done
	return 1
}

# cpu_secs() - Print the CPU seconds (user + system) in sample FILE
cpu_secs() {
	awk -v hz="$(getconf CLK_TCK)" 'END { if (NR) printf "%.3f", ($2 + $3) / hz }' "$1"
}

# --- guests ----------------------------------------------------------------

# WAIT6: sh -c text that waits until IPv6 reaches the world's servers, then
# runs its arguments
# shellcheck disable=SC2016 # expanded by the guest's sh
WAIT6='for i in $(seq 50); do ip -6 route get 2001:db8:2::2 >/dev/null 2>&1 && ! ip -6 addr | grep -q tentative && break; sleep 0.1; done; exec "$@"'

# run_in() - Run COMMAND... as the test user in a guest served by TOOL
# (veth merd pasta slirp4netns); stdout is the command's. With SAMPLE=FILE,
# the helper's process is sampled into FILE.
run_in() {
	local tool=$1
	shift
	case $tool in
	veth) as_user timeout -k 5 "$LIMIT" "$@" ;;
	merd) helper_run merd merd "$MERD" --ns -q -- "$@" ;;
	pasta) helper_run pasta passt pasta --config-net -f -q -t none -u none \
		-T none -U none --no-map-gw -- "$@" ;;
	slirp4netns) run_slirp4netns "$@" ;;
	esac
}

# helper_run() - Run helper command CMD... (process name COMM) as the test
# user, its stderr in log/NAME.log; sample it if SAMPLE is set
helper_run() {
	local name=$1 comm=$2 pid rc
	shift 2
	user_argv "$@"
	(cd "$WORLD_DIR" && exec timeout -k 5 "$LIMIT" "${USER_ARGV[@]}") \
		2>>"$WORLD_DIR/log/$name.log" &
	pid=$!
	[ -z "${SAMPLE:-}" ] || sampler_start "$SAMPLE" "child_named $pid $comm"
	wait "$pid"
	rc=$?
	sampler_stop
	return $rc
}

# run_slirp4netns() - COMMAND... in an unshare'd namespace served by
# slirp4netns (IPv6 on, MTU 65520); sampled like helper_run
run_slirp4netns() {
	local d=$WORLD_DIR/home/slirp.$BASHPID rc pid
	rm -rf "$d"
	as_user mkdir -p "$d"
	# shellcheck disable=SC2016 # expanded by the user's sh
	as_user sh -c '
		d=$1; shift
		unshare --user --map-root-user --net sh -c "
			echo \$\$ >$d/pid
			while [ ! -s $d/ready ]; do sleep 0.02; done
			exec \"\$@\"" sh "$@" &
		child=$!
		while [ ! -s "$d/pid" ]; do sleep 0.02; done
		slirp4netns --configure --mtu=65520 --disable-host-loopback \
			--enable-ipv6 --ready-fd=3 "$(cat "$d/pid")" tap0 3>"$d/ready" \
			>>"$d/slirp.log" 2>&1 &
		slirp=$!
		echo "$slirp" >"$d/slirp.pid"
		wait "$child"
		rc=$?
		kill "$slirp" 2>/dev/null
		wait "$slirp" 2>/dev/null
		exit $rc' sh "$d" timeout -k 5 "$LIMIT" "$@" &
	pid=$!
	[ -z "${SAMPLE:-}" ] || sampler_start "$SAMPLE" "cat $d/slirp.pid"
	wait "$pid"
	rc=$?
	sampler_stop
	cat "$d/slirp.log" >>"$WORLD_DIR/log/slirp4netns.log" 2>/dev/null
	rm -rf "$d"
	return $rc
}

# --- iperf3 ----------------------------------------------------------------

# iperf_json() - Print FIELD (python expression on j) of iperf3 JSON FILE
iperf_json() {
	$PY -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# tcp_once() - One iperf3 TCP run: TOOL FAMILY STREAMS DIR REP
tcp_once() {
	local tool=$1 fam=$2 st=$3 dir=$4 rep=$5 f srv port case v cpu
	case=ip$fam-${st}s-$dir
	f=$RAW/tcp-$tool-$case-$rep.json
	srv=$SERVER4 port=$IPERF_PORT
	[ "$fam" = 4 ] || srv=$SERVER6 port=$IPERF_PORT6
	local cmd=(iperf3 -c "$srv" -p "$port" -t "$secs" -O 1 -J -P "$st")
	[ "$dir" = up ] || cmd+=(-R)
	[ "$fam" = 4 ] || cmd=(sh -c "$WAIT6" sh "${cmd[@]}")
	for _ in 1 2; do
		SAMPLE=$RAW/samp.txt run_in "$tool" "${cmd[@]}" >"$f" 2>"$f.err"
		v=$(iperf_json "$f" 'j["end"]["sum_received"]["bits_per_second"] / 1e9') && break
		sleep 1
	done
	if [ -z "$v" ]; then
		note "tcp $tool $case run $rep failed: $(tail -c 300 "$f.err" "$f" | tr '\n' ' ')"
		return
	fi
	rec tcp "$tool" "$case" gbps "$v"
	if [ "$tool" != veth ] && [ -s "$RAW/samp.txt" ]; then
		cpu=$(cpu_secs "$RAW/samp.txt")
		rec tcp "$tool" "$case" cpu_s "$cpu"
		rec tcp "$tool" "$case" core_per_gbps \
			"$(awk -v c="$cpu" -v t="$((secs + 1))" -v g="$v" 'BEGIN { printf "%.4f", c / t / g }')"
	fi
	note "$(printf 'tcp %-12s %-15s run %d: %6.2f Gbit/s' "$tool" "$case" "$rep" "$v")"
}

# section_tcp() - TCP throughput, IPv4 and IPv6, 1 and 4 streams, both ways
section_tcp() {
	local fams="4 6" streams="1 4" fam st dir rep t
	[ -z "$quick" ] || fams=4 streams=1
	for fam in $fams; do
		for st in $streams; do
			for dir in up down; do
				for ((rep = 1; rep <= reps; rep++)); do
					for t in "${TOOLS[@]}"; do
						tcp_once "$t" "$fam" "$st" "$dir" "$rep"
					done
				done
			done
		done
	done
}

# section_latency() - TCP request/response: 1 byte each way, N times
section_latency() {
	local n=10000 rep t line
	[ -z "$quick" ] || n=2000
	for ((rep = 1; rep <= reps; rep++)); do
		for t in "${TOOLS[@]}"; do
			line=$(run_in "$t" "$WORLD_BIN/rr_latency" -n "$n" "$SERVER4" "$RR_PORT" 2>&1 | tail -n 1)
			note "latency $t run $rep: $line"
			rec latency "$t" rr-1byte median_us "$(kv median_us "$line")"
			rec latency "$t" rr-1byte p99_us "$(kv p99_us "$line")"
		done
	done
}

# section_conn() - New TCP connections per second
section_conn() {
	local d=3 rep t line
	[ -z "$quick" ] || d=1
	for ((rep = 1; rep <= reps; rep++)); do
		for t in "${TOOLS[@]}"; do
			line=$(run_in "$t" "$WORLD_BIN/conn_rate" -d "$d" "$SERVER4" "$CONN_PORT" 2>&1 | tail -n 1)
			note "conn $t run $rep: $line"
			rec conn "$t" connect-close per_sec "$(kv per_sec "$line")"
			rec conn "$t" connect-close errors "$(kv errors "$line")"
		done
	done
}

# section_udp() - UDP, 64-byte datagrams, unlimited rate, both ways: what the
# receiver got (iperf3 -u -b 0 -l 64)
section_udp() {
	local rep t dir f v LIMIT=$((secs + 20))
	for ((rep = 1; rep <= reps; rep++)); do
		for dir in up down; do
			for t in "${TOOLS[@]}"; do
				f=$RAW/udp-$t-$dir-$rep.json
				local cmd=(iperf3 -c "$SERVER4" -p "$IPERF_PORT" -u -b 0 -l 64 -t "$secs" -J)
				[ "$dir" = up ] || cmd+=(-R)
				run_in "$t" "${cmd[@]}" >"$f" 2>"$f.err"
				v=$(iperf_json "$f" '"%.0f %.3f %.2f" % ((j["end"]["sum"]["packets"] - j["end"]["sum"]["lost_packets"]) / j["end"]["sum"]["seconds"], j["end"]["sum"]["bits_per_second"] * (1 - j["end"]["sum"]["lost_percent"] / 100) / 1e6, j["end"]["sum"]["lost_percent"])')
				if [ -z "$v" ]; then
					note "udp $t $dir run $rep failed: $(tail -c 300 "$f.err" "$f" | tr '\n' ' ')"
					continue
				fi
				read -r pps mbps loss <<<"$v"
				rec udp "$t" "64B-$dir" rx_pps "$pps"
				rec udp "$t" "64B-$dir" rx_mbps "$mbps"
				rec udp "$t" "64B-$dir" loss_pct "$loss"
				note "udp $t 64B-$dir run $rep: $pps packets/s received, $mbps Mbit/s, loss $loss%"
			done
		done
	done
}

# kv() - Print the value of the first KEY=value word of LINE
kv() {
	awk -v k="$1=" '{ for (i = 1; i <= NF; i++)
				if (index($i, k) == 1) { print substr($i, length(k) + 1); exit }
			}' <<<"$2"
}

# --- VM mode through the relay ------------------------------------------------

# vm_helper_start() - Start VM-mode helper NAME listening on SOCK as the test
# user; VM_PID is its process
vm_helper_start() {
	local name=$1 sock=$2 pid
	rm -f "$sock"
	case $name in
	merd) user_argv "$MERD" -f -q -m 65520 -s "$sock" ;;
	merd-vhost) user_argv "$MERD" -f -q -m 65520 -s "$sock" --vhost-user ;;
	passt) user_argv passt -f -q -s "$sock" -t none -u none ;;
	qemu-user) user_argv qemu-system-x86_64 -machine none -nodefaults \
		-display none -monitor none -serial none \
		-netdev user,id=u0 \
		-netdev "stream,id=s0,server=on,addr.type=unix,addr.path=$sock" \
		-netdev hubport,id=h0,hubid=0,netdev=u0 \
		-netdev hubport,id=h1,hubid=0,netdev=s0 ;;
	esac
	(cd "$WORLD_DIR" && exec "${USER_ARGV[@]}") </dev/null \
		>>"$WORLD_DIR/log/vm-$name.log" 2>&1 &
	pid=$!
	VM_PID=
	_wait_for 10 _merd_listening "$sock" ||
		{ note "vm: $name is not listening on $sock: $(tail -n 3 "$WORLD_DIR/log/vm-$name.log")"; kill "$pid" 2>/dev/null; return 1; }
	VM_PID=$(pgrep -P "$pid" | head -n 1)
	VM_PID=${VM_PID:-$pid}
	VM_WRAP=$pid
}

# vm_helper_stop() - Stop the helper vm_helper_start started
vm_helper_stop() {
	[ -n "${VM_WRAP:-}" ] || return 0
	kill "$VM_PID" "$VM_WRAP" 2>/dev/null
	wait "$VM_WRAP" 2>/dev/null
	VM_WRAP='' VM_PID=''
}

# run_relay() - COMMAND... in a namespace whose tap0 tap_relay joins to the
# helper NAME's stream socket SOCK (static addresses as its DHCP would give);
# for merd-vhost, vhost_front relays the tap through merd's virtqueues, with
# receive buffers of 4096 bytes as a Linux guest gives (BENCH_VHOST_RXBUF)
run_relay() {
	local name=$1 sock=$2 addr=198.51.100.10/24 gw=198.51.100.1 mtu=65520
	local relay=$WORLD_BIN/tap_relay mode=
	shift 2
	if [ "$name" = merd-vhost ]; then
		relay=$WORLD_BIN/vhost_front mode="relay -b ${BENCH_VHOST_RXBUF:-4096}"
	fi
	if [ "$name" = qemu-user ]; then
		addr=10.0.2.15/24 gw=10.0.2.2 mtu=1500
	fi
	# shellcheck disable=SC2016 # expanded by the user's sh
	as_user timeout -k 5 "$LIMIT" unshare --user --map-root-user --net sh -c '
		relay=$1 sock=$2 addr=$3 gw=$4 mtu=$5 mode=$6; shift 6
		"$relay" $mode -i tap0 "$sock" 2>&1 &
		r=$!
		for i in $(seq 100); do ip link show tap0 >/dev/null 2>&1 && break; sleep 0.02; done
		ip link set lo up
		ip link set tap0 mtu "$mtu" up
		ip addr add "$addr" dev tap0
		ip route add default via "$gw"
		"$@"
		rc=$?
		kill $r
		exit $rc' sh "$relay" "$sock" "$addr" "$gw" "$mtu" "$mode" "$@"
}

# section_vm() - VM mode: TCP both ways and latency through the relay, merd
# (stream socket, and vhost-user) against passt and qemu's -netdev user
section_vm() {
	local name rep dir f v sock=$WORLD_DIR/run/vm.sock line cpu
	for name in "${VM_TOOLS[@]}"; do
		for ((rep = 1; rep <= reps; rep++)); do
			for dir in up down; do
				vm_helper_start "$name" "$sock" || continue 3
				[ "${name%-vhost}" != merd ] || sampler_start "$RAW/samp.txt" "echo $VM_PID"
				f=$RAW/vm-$name-$dir-$rep.json
				local cmd=(iperf3 -c "$SERVER4" -p "$IPERF_PORT" -t "$secs" -O 1 -J)
				[ "$dir" = up ] || cmd+=(-R)
				run_relay "$name" "$sock" "${cmd[@]}" >"$f" 2>"$f.err"
				v=$(iperf_json "$f" 'j["end"]["sum_received"]["bits_per_second"] / 1e9')
				if [ "${name%-vhost}" = merd ]; then
					cpu=$(cpu_secs "$RAW/samp.txt")
					sampler_stop
				fi
				vm_helper_stop
				if [ -z "$v" ]; then
					note "vm $name $dir run $rep failed: $(tail -c 300 "$f.err" "$f" | tr '\n' ' ')"
					continue
				fi
				rec vm "$name" "ip4-1s-$dir" gbps "$v"
				[ "${name%-vhost}" != merd ] || [ -z "$cpu" ] ||
					rec vm "$name" "ip4-1s-$dir" core_per_gbps \
						"$(awk -v c="$cpu" -v t="$((secs + 1))" -v g="$v" 'BEGIN { printf "%.4f", c / t / g }')"
				note "$(printf 'vm  %-10s ip4-1s-%-4s run %d: %6.2f Gbit/s' "$name" "$dir" "$rep" "$v")"
			done
			vm_helper_start "$name" "$sock" || continue 2
			line=$(run_relay "$name" "$sock" "$WORLD_BIN/rr_latency" -n 5000 "$SERVER4" "$RR_PORT" 2>&1 | tail -n 1)
			vm_helper_stop
			note "vm $name latency run $rep: $line"
			rec vm "$name" rr-1byte median_us "$(kv median_us "$line")"
		done
	done
}

# --- the real TCG guest ----------------------------------------------------

# section_guest() - Boot the test guest on merd (stream socket at the
# default MTU 1500 and at 65520, vhost-user at 65520) and on qemu's -netdev
# user, and time one download and one upload in each
section_guest() {
	local size=64 rep net out d u sock=$WORLD_DIR/run/guest.sock script
	[ -z "$quick" ] || size=8
	# -n: the TCG guest would time its own SHA-256, not the network
	script="guest-dhcp >/dev/null || echo dhcp-failed
t0=\$(cut -d' ' -f1 /proc/uptime)
tcp_xfer -n -t 200 -i g-down down $SERVER4 $TCP_PEER_PORT ${size}M
t1=\$(cut -d' ' -f1 /proc/uptime)
tcp_xfer -n -t 200 -i g-up up $SERVER4 $TCP_PEER_PORT ${size}M
t2=\$(cut -d' ' -f1 /proc/uptime)
echo \"times down_s=\$(echo \$t0 \$t1 | awk '{ print \$2 - \$1 }') up_s=\$(echo \$t1 \$t2 | awk '{ print \$2 - \$1 }')\""
	# shellcheck disable=SC2016 # a script of its own
	printf '#!/bin/sh\n# --device DEV -- QEMU...: add qemu'"'"'s own user netdev\ndev=$2\nshift 3\nexec "$@" -netdev user,id=n0 -device "$dev,netdev=n0"\n' \
		>"$WORLD_BIN/qemu-user-wrap"
	chmod 0755 "$WORLD_BIN/qemu-user-wrap"
	guest_prepare || { note "guest: cannot build the test guest"; return; }
	for rep in $(seq "$reps"); do
		for net in merd merd-65520 merd-vhost qemu-user; do
			case $net in
			merd)
				merd_vm_start "$sock" -q || continue
				out=$(guest_boot "$sock" "$script" 2>>"$WORLD_DIR/log/guest.log")
				merd_vm_stop ;;
			merd-65520)
				merd_vm_start "$sock" -q -m 65520 || continue
				out=$(guest_boot "$sock" "$script" 2>>"$WORLD_DIR/log/guest.log")
				merd_vm_stop ;;
			merd-vhost)
				merd_vm_start "$sock" -q -m 65520 --vhost-user || continue
				out=$(GUEST_VHOST=1 guest_boot "$sock" "$script" 2>>"$WORLD_DIR/log/guest.log")
				merd_vm_stop ;;
			*)
				out=$(GUEST_WRAPPER="$WORLD_BIN/qemu-user-wrap" guest_boot "" "$script" 2>>"$WORLD_DIR/log/guest.log") ;;
			esac
			d=$(kv down_s "$(grep '^times' <<<"$out")")
			u=$(kv up_s "$(grep '^times' <<<"$out")")
			if ! grep -q "g-down down received=$((size << 20)) " <<<"$out" ||
			   ! grep -q "g-up up sent=$((size << 20)) .*reply=\"sink bytes=$((size << 20)) " <<<"$out"; then
				note "guest $net: transfer failed: $(tr '\n' ' ' <<<"$out")"
				continue
			fi
			rec guest "$net" "tcg-${size}M-down" mbps "$(awk -v s="$size" -v t="$d" 'BEGIN { printf "%.1f", s * 8 * 1.048576 / t }')"
			rec guest "$net" "tcg-${size}M-up" mbps "$(awk -v s="$size" -v t="$u" 'BEGIN { printf "%.1f", s * 8 * 1.048576 / t }')"
			note "guest $net run $rep: ${size} MiB down in $d s, up in $u s"
		done
	done
}

# --- process figures ---------------------------------------------------------

# section_rss() - Peak RSS while the guest holds 10 000 UDP flows
section_rss() {
	local t n=10000 line
	for t in "${TOOLS[@]}"; do
		[ "$t" != veth ] || continue
		line=$(SAMPLE=$RAW/samp-rss.txt run_in "$t" "$WORLD_BIN/udp_flows" -n "$n" -w 4 "$SERVER4" "$ECHO_PORT" 2>&1 | tail -n 1)
		note "rss $t: $line, peak RSS $(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' "$RAW/samp-rss.txt") KiB"
		rec rss "$t" udp-10k-flows answered "$(kv answered "$line")"
		rec rss "$t" udp-10k-flows rss_kib "$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { if (m) print m }' "$RAW/samp-rss.txt")"
	done
}

# section_idle() - Wake-ups per second and RSS of an idle helper with a
# guest that does nothing (from 2 s after start, for 10 s)
section_idle() {
	local t w=10 v
	[ -z "$quick" ] || w=3
	for t in "${TOOLS[@]}"; do
		[ "$t" != veth ] || continue
		SAMPLE=$RAW/samp-idle.txt run_in "$t" sleep $((w + 3)) >/dev/null 2>&1
		v=$(awk -v w="$w" 'NR == 1 { t0 = $1 }
			$1 - t0 >= 2000 && !a { a = 1; ta = $1; va = $5 + $6; ra = $4 }
			a && $1 - ta <= w * 1000 { tb = $1; vb = $5 + $6 }
			END { if (tb > ta) printf "%.2f %d", (vb - va) * 1000 / (tb - ta), ra }' "$RAW/samp-idle.txt")
		[ -n "$v" ] || { note "idle $t: no samples"; continue; }
		note "idle $t: ${v% *} wake-ups/s, RSS ${v#* } KiB"
		rec idle "$t" idle wakeups_per_s "${v% *}"
		rec idle "$t" idle rss_kib "${v#* }"
	done
}

# section_startup() - Time from exec to ready: merd VM mode (--ready-fd),
# merd --ns and pasta (their command runs), passt (its socket listens)
section_startup() {
	local rep n=5 t ms
	[ -z "$quick" ] || n=2
	for ((rep = 1; rep <= n; rep++)); do
		for t in baseline merd-vm merd-ns passt pasta; do
			case $t in
			baseline) user_argv sh -c 'echo 1 >&"$0"' FD ;;
			merd-vm) user_argv "$MERD" -f -q -s "$WORLD_DIR/run/st.sock" --ready-fd FD ;;
			merd-ns) user_argv "$MERD" -q --ns -- sh -c 'echo 1 >&"$0"' FD ;;
			passt) command -v passt >/dev/null || continue
				user_argv passt -f -q -s "$WORLD_DIR/run/st.sock" -t none -u none ;;
			pasta) command -v pasta >/dev/null || continue
				user_argv pasta --config-net -f -q -t none -u none -T none \
					-U none --no-map-gw -- sh -c 'echo 1 >&"$0"' FD ;;
			esac
			rm -f "$WORLD_DIR/run/st.sock"
			ms=$(startup_once "$t")
			note "startup $t run $rep: ${ms:-failed} ms"
			rec startup "$t" exec-to-ready ms "$ms"
		done
	done
}

# startup_once() - Time USER_ARGV for TOOL (FD in it: the pipe's write
# end, ready when "1" arrives; passt: ready when its socket accepts); print
# milliseconds
startup_once() {
	local mode=ready-fd
	[ "$1" != passt ] || mode=socket
	(cd "$WORLD_DIR" && timeout 20 $PY "$here/bench-startup.py" "$mode" \
		"$WORLD_DIR/run/st.sock" "${USER_ARGV[@]}")
}

# --- main ------------------------------------------------------------------

world_extra_peers() {
	# bound: an unbound UDP server answers from the veth's address
	_world_bg iperf3 ip netns exec "$INET_NS" iperf3 -s -B "$SERVER4" -p "$IPERF_PORT"
	_world_bg iperf3-6 ip netns exec "$INET_NS" iperf3 -s -B "$SERVER6" -p "$IPERF_PORT6"
	_world_bg rr ip netns exec "$INET_NS" "$WORLD_BIN/rr_latency" -l "$SERVER4" "$RR_PORT"
	_world_bg conn ip netns exec "$INET_NS" "$WORLD_BIN/conn_rate" -l "$SERVER4" "$CONN_PORT"
	world_peer_start tcp-peer "$INET_NS" "$WORLD_BIN/tcp-peer.py" \
		--port "$TCP_PEER_PORT" "$SERVER4" "$SERVER6" || return 1
	_wait_for 10 in_inet sh -c "ss -Htln | grep -q ':$IPERF_PORT ' &&
		ss -Htln | grep -q ':$IPERF_PORT6 ' &&
		ss -Htln | grep -q '$SERVER4:$RR_PORT' && ss -Htln | grep -q '$SERVER4:$CONN_PORT'" ||
		world_fail "iperf3, rr_latency or conn_rate did not start"
}

# gnuplot_ready() - True if gnuplot is there, installing it if need be
gnuplot_ready() {
	command -v gnuplot >/dev/null && return 0
	[ -z "${BENCH_NO_INSTALL:-}" ] || return 1
	note "installing gnuplot-nox for the plot"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null 2>&1
	command -v gnuplot >/dev/null
}

# version_of() - One line saying which TOOL this is
version_of() {
	case $1 in
	merd | merd-vhost) "$MERD" --version 2>&1 | head -n 1 ;;
	slirp4netns) slirp4netns --version 2>&1 | head -n 1 ;;
	pasta | passt) dpkg-query -W -f '${Package} ${Version}' passt 2>/dev/null ;;
	qemu-user) qemu-system-x86_64 --version | head -n 1 ;;
	veth) echo "Linux $(uname -r)" ;;
	esac
}

TOOLS=(veth merd)
VM_TOOLS=(merd merd-vhost)
for t in slirp4netns pasta; do
	if command -v "$t" >/dev/null; then
		TOOLS+=("$t")
	else
		note "$t not installed, skipped (apt-get install ${t/pasta/passt})"
	fi
done
command -v passt >/dev/null && VM_TOOLS+=(passt)
if command -v qemu-system-x86_64 >/dev/null; then
	VM_TOOLS+=(qemu-user)
else
	note "qemu-system-x86_64 not installed: no qemu -netdev user, no guest section"
	sections=${sections//guest/}
fi

world_setup || { world_dump_logs; exit 1; }
RAW=$(mktemp -d /tmp/merd-bench.XXXXXX)
chmod 0755 "$RAW"
: >"$RAW/results.tsv"
start=$SECONDS
note "tools: ${TOOLS[*]}; VM mode: ${VM_TOOLS[*]}; sections: $sections; ${reps} x ${secs} s"
for s in ${sections//,/ }; do
	note "--- $s ($((SECONDS - start)) s so far)"
	"section_$s"
done
note "measured in $((SECONDS - start)) s"

versions=()
for t in "${TOOLS[@]}" "${VM_TOOLS[@]}"; do
	versions+=("$t=$(version_of "$t")")
done
plot=${out%.json}.png
cp "$RAW/results.tsv" "${out%.json}.tsv"
$PY "$here/bench-report.py" "$RAW/results.tsv" "$out" "$plot" "$RAW/plot" \
	"secs=$secs" "reps=$reps" "quick=${quick:-0}" "${versions[@]}" || exit 1
if gnuplot_ready; then
	gnuplot "$RAW/plot/plot.gp" && echo "plot:    $plot"
else
	note "gnuplot not available: no plot"
fi
