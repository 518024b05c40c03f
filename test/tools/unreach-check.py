#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""unreach-check.py - What a guest's application sees when it sends to an
address nobody can reach

  unreach-check.py udp ADDR PORT   a connected UDP socket sends one datagram
                                   and waits for an answer or an error
  unreach-check.py ping ADDR       an ICMP (ICMPv6) echo request on a raw
                                   socket; waits for the reply or for a
                                   destination unreachable quoting it

Waits up to 5 s. Prints one line, "KIND ADDR result=R ms=N": R is an errno
name (EHOSTUNREACH, ENETUNREACH, ECONNREFUSED...) for udp, "unreachable
code=N" or "reply" for ping, "timeout" if nothing came. Exit 0 if
something came back, 1 on timeout, 2 on bad usage. Run it as root inside
the guest's network namespace (the raw socket needs CAP_NET_RAW there).
"""
import errno
import os
import select
import socket
import struct
import sys
import time

WAIT = 5.0
IP_RECVERR, IPV6_RECVERR = 11, 25       # linux/in.h, linux/in6.h


def udp(addr, port):
    """Send one datagram; return the errno name the socket reports (with
    IP_RECVERR, as host and network unreachable are soft errors a UDP
    socket otherwise ignores; traceroute and DNS resolvers set it too)"""
    v6 = ":" in addr
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                      socket.SOCK_DGRAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.connect((addr, port))
    s.send(b"merd-unreach")
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if not select.select([s], [], [], end - time.monotonic())[0]:
            break
        try:
            s.recv(2048)
            return "answered"
        except OSError as e:
            return errno.errorcode.get(e.errno, str(e.errno))
    return "timeout"


def csum(data):
    """Internet checksum of data"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ping(addr):
    """Send one echo request; return what came back for it"""
    v6 = ":" in addr
    ident = os.getpid() & 0xffff
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
        req = struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"merd-unreach"
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        req = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"merd-unreach"
        req = req[:2] + struct.pack("!H", csum(req)) + req[4:]
    s.sendto(req, (addr, 0))
    reply, unreach, hdr = (129, 1, 40) if v6 else (0, 3, 20)
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if not select.select([s], [], [], end - time.monotonic())[0]:
            break
        m = s.recv(4096)
        if not v6:
            m = m[(m[0] & 0x0f) * 4:]           # raw IPv4: skip the header
        if len(m) < 8:
            continue
        if m[0] == reply and struct.unpack_from("!H", m, 4)[0] == ident:
            return "reply"
        # the quoted echo request: our identifier, after the quoted header
        q = m[8 + hdr:]
        if m[0] == unreach and len(q) >= 8 and \
                struct.unpack_from("!H", q, 4)[0] == ident:
            return "unreachable code=%d" % m[1]
    return "timeout"


def main(argv):
    t0 = time.monotonic()
    if len(argv) == 3 and argv[0] == "udp":
        r = udp(argv[1], int(argv[2]))
    elif len(argv) == 2 and argv[0] == "ping":
        r = ping(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print("%s %s result=%s ms=%d" % (argv[0], argv[1], r,
                                     (time.monotonic() - t0) * 1000))
    return 1 if r == "timeout" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
