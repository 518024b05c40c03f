#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench-report.py - Medians, table, ratios and targets of a bench.sh run

bench-report.py RESULTS.tsv OUT.json OUT.png PLOTDIR KEY=VALUE...

RESULTS.tsv has one raw figure a line: section, tool, case, metric, value.
KEY=VALUE words: secs, reps, quick, and TOOL=version for each tool. Prints
the tables, merd's ratios to each peer and the targets of issue 9 (met or
not: it measures, it does not fail), writes the JSON and a gnuplot script
(PLOTDIR/plot.gp, drawing OUT.png) with its data files.
"""
import json
import os
import platform
import statistics
import sys
import time

PEERS = ("slirp4netns", "pasta", "passt", "qemu-user")
ORDER = ("veth", "merd", "merd-vhost", "slirp4netns", "pasta", "passt", "qemu-user",
         "baseline", "merd-vm", "merd-ns")


def load(path):
    """Read the raw figures: {(section, tool, case, metric): [values]}."""
    raw = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            try:
                v = float(parts[4])
            except ValueError:
                continue
            raw.setdefault(tuple(parts[:4]), []).append(v)
    return raw


def medians(raw):
    """Nested dict section -> tool -> case -> metric -> {runs, median}."""
    res = {}
    for (sec, tool, case, metric), runs in raw.items():
        d = res.setdefault(sec, {}).setdefault(tool, {}).setdefault(case, {})
        d[metric] = {"runs": runs, "median": round(statistics.median(runs), 4)}
    return res


def med(res, sec, tool, case, metric):
    """One median, or None."""
    try:
        return res[sec][tool][case][metric]["median"]
    except KeyError:
        return None


def tools_of(res, sec):
    """Tools of a section in a stable order."""
    ts = list(res.get(sec, {}))
    return sorted(ts, key=lambda t: ORDER.index(t) if t in ORDER else 99)


def cases_of(res, sec):
    """Cases of a section, in first-seen order."""
    cs = []
    for t in res.get(sec, {}).values():
        for c in t:
            if c not in cs:
                cs.append(c)
    return cs


def fmt(v, spec="%.2f"):
    """A figure, or '-'."""
    return spec % v if v is not None else "-"


def ratio(a, b):
    """a / b rounded, or None."""
    return round(a / b, 2) if a is not None and b else None


def table(res, sec, metric, title, spec="%.2f"):
    """Print one table (cases x tools) and merd's ratios to the others."""
    ts, cs = tools_of(res, sec), cases_of(res, sec)
    if not ts or not any(med(res, sec, t, c, metric) is not None
                         for t in ts for c in cs):
        return {}
    print("\n%s" % title)
    others = [t for t in ts if t != "merd"] if "merd" in ts else []
    print("%-16s" % "case" + "".join(" %12s" % t for t in ts) +
          "".join(" %16s" % ("merd/" + t) for t in others))
    ratios = {}
    for c in cs:
        if all(med(res, sec, t, c, metric) is None for t in ts):
            continue
        m = med(res, sec, "merd", c, metric)
        row = "%-16s" % c + "".join(
            " %12s" % fmt(med(res, sec, t, c, metric), spec) for t in ts)
        for t in others:
            r = ratio(m, med(res, sec, t, c, metric))
            ratios["%s %s %s merd/%s" % (sec, c, metric, t)] = r
            row += " %16s" % fmt(r)
        print(row)
    return ratios


def target_tcp(res, goals):
    """TCP each way: at least min(1.5 x best peer, 0.9 x veth)."""
    for c in cases_of(res, "tcp"):
        m = med(res, "tcp", "merd", c, "gbps")
        best = max([med(res, "tcp", p, c, "gbps") or 0 for p in PEERS])
        veth = med(res, "tcp", "veth", c, "gbps")
        bounds = [b for b in (1.5 * best if best else None,
                              0.9 * veth if veth else None) if b]
        goal = round(min(bounds), 3) if bounds else None
        goals["tcp " + c] = {
            "rule": "merd >= min(1.5 x best peer, 0.9 x veth) Gbit/s",
            "goal": goal, "merd": m,
            "met": bool(m is not None and goal and m >= goal)}


def target_one(goals, name, rule, value, goal, higher):
    """Record one target: VALUE against GOAL, HIGHER if more is better."""
    met = None
    if value is not None and goal is not None:
        met = value >= goal if higher else value <= goal
    goals[name] = {"rule": rule, "goal": goal, "merd": value, "met": met}


def targets(res):
    """Every target of issue 9 that this run has the figures for."""
    goals = {}
    target_tcp(res, goals)
    veth = med(res, "latency", "veth", "rr-1byte", "median_us")
    target_one(goals, "latency", "merd median <= 1.3 x veth (us)",
               med(res, "latency", "merd", "rr-1byte", "median_us"),
               round(1.3 * veth, 1) if veth else None, False)
    slirp = med(res, "conn", "slirp4netns", "connect-close", "per_sec")
    target_one(goals, "connections/s", "merd >= 2 x slirp4netns",
               med(res, "conn", "merd", "connect-close", "per_sec"),
               2 * slirp if slirp else None, True)
    for c in cases_of(res, "guest"):
        q = med(res, "guest", "qemu-user", c, "mbps")
        for t in ("merd", "merd-65520", "merd-vhost"):
            if med(res, "guest", t, c, "mbps") is None:
                continue
            target_one(goals, "VM (TCG guest, %s) %s" % (t, c),
                       "%s >= 3 x qemu -netdev user (Mbit/s)" % t,
                       med(res, "guest", t, c, "mbps"), 3 * q if q else None, True)
    for c in cases_of(res, "vm"):
        q = med(res, "vm", "qemu-user", c, "gbps")
        if c.startswith("ip4"):
            target_one(goals, "VM (relay) " + c, "merd >= 3 x qemu -netdev user (Gbit/s)",
                       med(res, "vm", "merd", c, "gbps"), 3 * q if q else None, True)
            ns = med(res, "tcp", "merd", c, "gbps")
            target_one(goals, "VM vhost-user (relay) " + c,
                       "merd-vhost >= 0.8 x merd namespace mode (Gbit/s)",
                       med(res, "vm", "merd-vhost", c, "gbps"),
                       round(0.8 * ns, 3) if ns else None, True)
    target_one(goals, "idle wake-ups/s", "merd == 0",
               med(res, "idle", "merd", "idle", "wakeups_per_s"), 0, False)
    target_one(goals, "idle RSS", "merd <= 4096 KiB",
               med(res, "idle", "merd", "idle", "rss_kib"), 4096, False)
    return {k: v for k, v in goals.items() if v["merd"] is not None or v["goal"] is not None}


def print_targets(goals):
    """Print the targets and whether each is met."""
    print("\nTargets of issue 9 (measured, not enforced)")
    for k, g in goals.items():
        state = {True: "met", False: "NOT met", None: "no figure"}[g["met"]]
        print("  %-26s %-42s goal %-9s merd %-9s %s" % (
            k, g["rule"], fmt(g["goal"], "%g"), fmt(g["merd"], "%g"), state))


def plot_data(res, sec, metric, path, scale=1.0):
    """Write one histogram data file: case, then one column per tool."""
    ts, cs = tools_of(res, sec), cases_of(res, sec)
    with open(path, "w") as f:
        f.write("case " + " ".join(ts) + "\n")
        for c in cs:
            vals = [med(res, sec, t, c, metric) for t in ts]
            if all(v is None for v in vals):
                continue
            f.write(c + " " + " ".join("?" if v is None else "%g" % (v * scale)
                                      for v in vals) + "\n")
    return len(ts) if any(med(res, sec, t, c, metric) is not None
                          for t in ts for c in cs) else 0


PANELS = (("tcp", "gbps", 1, "TCP throughput (Gbit/s), namespace mode"),
          ("udp", "rx_pps", 1e-3, "UDP 64-byte datagrams received (kpps)"),
          ("latency", "median_us", 1, "TCP 1-byte request/response, median (us)"),
          ("conn", "per_sec", 1e-3, "new TCP connections (k/s)"),
          ("vm", "gbps", 1, "VM mode via tap_relay, TCP (Gbit/s)"),
          ("guest", "mbps", 1, "TCG guest, TCP 1 stream (Mbit/s)"))


def write_plot(res, png, plotdir, title):
    """Write the gnuplot script and its data for up to six panels."""
    os.makedirs(plotdir, exist_ok=True)
    gp = ["set terminal pngcairo size 1800,1100 font ',9'",
          "set output '%s'" % png, "set datafile missing '?'",
          "set termoption noenhanced", "set style data histograms", "set style histogram clustered gap 1",
          "set style fill solid 0.8 border -1", "set key top right",
          "set grid ytics", "set yrange [0:*]", "set xtics rotate by -30",
          "set multiplot layout 2,3 title '%s'" % title]
    for sec, metric, scale, label in PANELS:
        path = os.path.join(plotdir, sec + ".dat")
        n = plot_data(res, sec, metric, path, scale)
        gp.append("set title '%s'" % label)
        if not n:
            gp.append("set label 1 'not measured' at graph 0.4,0.5")
            gp.append("set yrange [0:1]; unset xtics; unset ytics")
            gp.append("plot 0 notitle lc rgb 'white'")
            gp.append("set yrange [0:*]; set xtics rotate by -30; set ytics")
            gp.append("unset label 1")
            continue
        gp.append("plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)"
                  % (n + 1, path))
    gp.append("unset multiplot")
    with open(os.path.join(plotdir, "plot.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")


def main():
    """Read, print, write."""
    tsv, out, png, plotdir = sys.argv[1:5]
    kv = dict(a.split("=", 1) for a in sys.argv[5:])
    meta = {k: kv.pop(k) for k in ("secs", "reps", "quick") if k in kv}
    res = medians(load(tsv))
    reps, secs = meta.get("reps"), meta.get("secs")
    print("\nmerd benchmarks: medians of %s run(s), iperf3 %s s each (+1 s omitted)"
          % (reps, secs))
    ratios = {}
    ratios.update(table(res, "tcp", "gbps", "TCP throughput, Gbit/s (receiver), guest MTU 65520"))
    ratios.update(table(res, "tcp", "core_per_gbps", "helper CPU, cores per Gbit/s (utime+stime / time / Gbit/s)", "%.3f"))
    ratios.update(table(res, "latency", "median_us", "TCP request/response, 1 byte each way, median us", "%.1f"))
    ratios.update(table(res, "latency", "p99_us", "TCP request/response, 1 byte each way, p99 us", "%.1f"))
    ratios.update(table(res, "conn", "per_sec", "new TCP connections per second", "%.0f"))
    ratios.update(table(res, "udp", "rx_pps", "UDP 64-byte datagrams, packets/s received", "%.0f"))
    ratios.update(table(res, "udp", "rx_mbps", "UDP 64-byte datagrams, Mbit/s received", "%.1f"))
    ratios.update(table(res, "udp", "loss_pct", "UDP 64-byte datagrams, loss %", "%.1f"))
    ratios.update(table(res, "vm", "gbps", "VM mode through tap_relay, TCP 1 stream IPv4, Gbit/s"))
    ratios.update(table(res, "vm", "core_per_gbps", "VM mode, merd cores per Gbit/s", "%.3f"))
    ratios.update(table(res, "vm", "median_us", "VM mode through tap_relay, request/response median us", "%.1f"))
    ratios.update(table(res, "guest", "mbps", "TCG test guest (qemu), TCP Mbit/s", "%.1f"))
    ratios.update(table(res, "rss", "rss_kib", "peak RSS KiB, guest holding 10 000 UDP flows", "%.0f"))
    ratios.update(table(res, "rss", "answered", "UDP flows answered (of 10 000)", "%.0f"))
    ratios.update(table(res, "idle", "wakeups_per_s", "idle: context switches per second", "%.2f"))
    ratios.update(table(res, "idle", "rss_kib", "idle RSS KiB", "%.0f"))
    ratios.update(table(res, "startup", "ms", "start-up, exec to ready, ms (baseline: the same exec chain, a shell)", "%.1f"))
    goals = targets(res)
    print_targets(goals)
    doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "kernel": platform.release(), "cpus": os.cpu_count(),
           "load_avg": os.getloadavg(), "params": meta, "versions": kv,
           "results": res, "ratios": {k: v for k, v in ratios.items() if v is not None},
           "targets": goals}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    write_plot(res, png, plotdir, "merd benchmarks %s (medians of %s run(s))"
               % (doc["date"], reps))
    print("\nresults: %s" % out)


main()
