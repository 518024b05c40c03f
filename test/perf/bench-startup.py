#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench-startup.py - Time from exec to ready of one helper, for bench.sh

bench-startup.py MODE SOCK CMD...

MODE ready-fd: the word FD in CMD becomes the write end of a pipe; ready when
the command writes to it (merd --ready-fd, or a command that the helper runs
once its network is up). MODE socket: ready when the UNIX socket SOCK accepts
a connection (passt). Prints the milliseconds, then stops the command.
"""
import os
import socket
import subprocess
import sys
import time


def wait_socket(path, p):
    """Poll PATH until it accepts a connection; False if P exits first."""
    while p.poll() is None:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return True
        except OSError:
            time.sleep(0.0005)
        finally:
            s.close()
    return False


def main():
    """Run the command, wait until it is ready, print the time it took."""
    mode, sock, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    r, w = os.pipe()
    argv = [str(w) if a == "FD" else a for a in argv]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, pass_fds=(w,), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    if mode == "socket":
        ok = wait_socket(sock, p)
    else:
        ok = os.read(r, 1) != b""
    t1 = time.monotonic()
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    if not ok:
        return 1
    print("%.2f" % ((t1 - t0) * 1000))
    return 0


sys.exit(main())
