#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""syslog-sink.py - A syslog socket for tests: keep every message

Usage:
  syslog-sink.py [--ready FILE] SOCK LOG
      Bind a UNIX datagram socket at SOCK (mode 0666), as syslogd's
      /dev/log is, and append each message received to LOG, one line each
      (as sent: "<PRI>TIMESTAMP merd[PID]: TEXT"). FILE is created once
      the socket is bound. Runs until killed.
"""
import os
import socket
import sys


def main(argv):
    ready = None
    if argv[:1] == ["--ready"] and len(argv) >= 2:
        ready = argv[1]
        argv = argv[2:]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, log = argv
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    if ready:
        open(ready, "w").close()
    with open(log, "ab", buffering=0) as out:
        while True:
            msg = s.recv(65536)
            out.write(msg.rstrip(b"\0\n") + b"\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
