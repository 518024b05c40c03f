#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""udp-echo-server.py - UDP echo (port 7) of the merd test world

Each socket is bound to one address so that replies leave from the address
the client sent to. Usage: udp-echo-server.py [--ready FILE] [--port N] ADDR...
"""
import select
import socket
import sys


def main(argv):
    ready, port = None, 7
    while argv and argv[0] in ("--ready", "--port"):
        if argv[0] == "--ready":
            ready = argv[1]
        else:
            port = int(argv[1])
        argv = argv[2:]
    socks = []
    for addr in argv:
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                          socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.bind((addr, port))
        s.setblocking(False)
        socks.append(s)
    if ready:
        open(ready, "w").close()
    while True:
        for s in select.select(socks, [], [])[0]:
            for _ in range(256):                # drain, then poll again
                try:
                    msg, peer = s.recvfrom(65536)
                except BlockingIOError:
                    break
                try:
                    s.sendto(msg, peer)
                except OSError:
                    pass                        # full or unreachable: a drop


if __name__ == "__main__":
    main(sys.argv[1:])
