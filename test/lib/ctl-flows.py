#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ctl-flows.py - Open UDP flows from the guest; read merd's control socket

Usage:
  ctl-flows.py open ADDR PORT FIRST COUNT
      COUNT UDP flows to ADDR:PORT (an echo service), from source ports
      FIRST, FIRST+1, ...: each sends one datagram and waits up to 2 s for
      its echo. Prints "open ok=N refused=N lost=N errors=N" (refused: the
      errno an ICMP "administratively prohibited" gives, EHOSTUNREACH).
  ctl-flows.py spray ADDR PORT FIRST COUNT
      One datagram from each of COUNT source ports, waiting for nothing
      (errors ignored). Prints "spray sent=N".
  ctl-flows.py list MERD SOCK [PROTO:PORT]
      Ask merd (merd ctl --json SOCK flows) and print "flows total=N
      match=M" (match: flows of PROTO with remote port PORT).
  ctl-flows.py rss
      Print "rss_kib=N": VmRSS of the nearest ancestor named merd.
"""
import errno
import json
import os
import socket
import subprocess
import sys


BATCH = 128


def outcome(res, s, i):
    """Wait for the echo on S (flow I), count what happened"""
    try:
        s.recv(100)
        res["ok"] += 1
    except socket.timeout:
        res["lost"] += 1
    except OSError as e:
        if e.errno == errno.EHOSTUNREACH:
            res["refused"] += 1
        else:
            res["errors"] += 1
            print("flow %d: %s" % (i, errno.errorcode.get(e.errno, e)),
                  file=sys.stderr)
    finally:
        s.close()


def open_flows(addr, port, first, count):
    """Open COUNT echo flows, BATCH at a time, print counts of outcomes"""
    res = {"ok": 0, "refused": 0, "lost": 0, "errors": 0}
    for start in range(0, count, BATCH):
        socks = []
        for i in range(start, min(count, start + BATCH)):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            s.bind(("", first + i))
            s.connect((addr, port))
            s.send(b"merd-ctl-%d" % (i % 10))
            socks.append((s, i))
        for s, i in socks:
            outcome(res, s, i)
    print("open " + " ".join("%s=%d" % kv for kv in res.items()))


def spray(addr, port, first, count):
    """Send one datagram from each of COUNT ports, wait for nothing"""
    sent = 0
    for i in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("", first + i))
                s.sendto(b"spray", (addr, port))
                sent += 1
            except OSError:
                pass
    print("spray sent=%d" % sent)


def list_flows(merd, sock, match):
    """Count merd's flows, and those matching PROTO:PORT"""
    out = subprocess.run([merd, "ctl", "--json", sock, "flows"], check=True,
                         stdout=subprocess.PIPE).stdout
    reply = json.loads(out)
    assert reply["ok"] is True
    n = 0
    if match:
        proto, port = match.split(":")
        n = sum(1 for f in reply["flows"]
                if f["proto"] == proto and f["remote_port"] == int(port))
    print("flows total=%d match=%d" % (len(reply["flows"]), n))


def merd_ancestor():
    """PID of the nearest ancestor whose comm is merd"""
    pid = os.getppid()
    while pid > 1:
        with open("/proc/%d/comm" % pid) as f:
            if f.read().strip() == "merd":
                return pid
        with open("/proc/%d/stat" % pid) as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    raise SystemExit("ctl-flows: no merd ancestor")


def rss():
    """Print merd's resident set size"""
    with open("/proc/%d/status" % merd_ancestor()) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                print("rss_kib=%s" % line.split()[1])


def main(argv):
    if argv[:1] == ["open"] and len(argv) == 5:
        open_flows(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    elif argv[:1] == ["spray"] and len(argv) == 5:
        spray(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    elif argv[:1] == ["list"] and len(argv) in (3, 4):
        list_flows(argv[1], argv[2], argv[3] if len(argv) == 4 else None)
    elif argv == ["rss"]:
        rss()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
