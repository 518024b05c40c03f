#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""merd-flows.py - Ask merd for its counters, print flows_active

Usage: merd-flows.py [--pid PID] [--wait-zero SECS] LOGFILE

Sends SIGUSR1 to merd (PID, else the nearest ancestor named "merd": the
command of namespace mode runs as merd's child), waits for the counters
line it writes to LOGFILE, and prints "flows_active=N". With --wait-zero,
asks again every half second until N is 0 or SECS passed. Exit 0 if the
last N read is 0 (or, without --wait-zero, if a value was read at all).
"""
import os
import re
import signal
import sys
import time


def merd_ancestor():
    """PID of the nearest ancestor whose comm is merd, or None"""
    pid = os.getppid()
    while pid > 1:
        with open("/proc/%d/comm" % pid) as f:
            if f.read().strip() == "merd":
                return pid
        with open("/proc/%d/stat" % pid) as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    return None


def flows_active(pid, logfile):
    """Signal merd, return flows_active from the counters line it adds"""
    with open(logfile, "rb") as f:
        f.seek(0, os.SEEK_END)
        os.kill(pid, signal.SIGUSR1)
        end = time.monotonic() + 5
        data = b""
        while time.monotonic() < end:
            data += f.read()
            m = re.findall(rb"merd: counters:.* flows_active=(\d+)", data)
            if m:
                return int(m[-1])
            time.sleep(0.05)
    return None


def main(argv):
    pid, wait = None, None
    while argv and argv[0] in ("--pid", "--wait-zero"):
        if argv[0] == "--pid":
            pid = int(argv[1])
        else:
            wait = float(argv[1])
        argv = argv[2:]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    pid = pid or merd_ancestor()
    if not pid:
        print("merd-flows: no merd process found", file=sys.stderr)
        return 2
    end = time.monotonic() + (wait or 0)
    while True:
        n = flows_active(pid, argv[0])
        if n is None or not wait or n == 0 or time.monotonic() >= end:
            break
        time.sleep(0.5)
    print("flows_active=%s" % ("unknown" if n is None else n))
    return 0 if n == 0 or (n is not None and not wait) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
