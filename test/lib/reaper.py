#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# reaper.py - Run a command as a child subreaper, so that the exit status of
# a daemon it leaves behind (merd as pasta, detached once ready) can be seen.
#
#   reaper.py LOG CMD [ARGS...]
#
# LOG gets "start PID" for CMD, then "exit PID STATUS" for every process that
# ends under the reaper: CMD itself, and each descendant orphaned to it
# (STATUS: the exit code, or -SIGNAL). The reaper exits 0 once none is left.
import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    if len(sys.argv) < 3:
        print("usage: reaper.py LOG CMD [ARGS...]", file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0):
        print("reaper.py: prctl: %s" % os.strerror(ctypes.get_errno()),
              file=sys.stderr)
        return 1
    log = open(sys.argv[1], "a", buffering=1)
    pid = os.fork()
    if pid == 0:
        log.close()
        try:
            os.execvp(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    log.write("start %d\n" % pid)
    while True:
        try:
            p, st = os.wait()
        except ChildProcessError:
            return 0
        log.write("exit %d %d\n" % (p, os.waitstatus_to_exitcode(st)))


if __name__ == "__main__":
    sys.exit(main())
