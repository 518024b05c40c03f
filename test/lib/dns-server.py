#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""dns-server.py - Tiny authoritative DNS server of the merd test world

Answers A and AAAA for peer.merd.test over UDP, and for big.merd.test a TXT
record of 3000 bytes (twelve strings of 250: an answer over 1500 bytes, as
DNSSEC or large TXT records give), NXDOMAIN for any other name, an empty
answer for other types of a known name. Logs one line per query.
Usage: dns-server.py [--log FILE] [--ready FILE] ADDR[:PORT]|[ADDR6]:PORT ...
"""
import select
import socket
import struct
import sys

BIG_TXT = b"".join(bytes([250]) + (b"%02d" % i) * 125 for i in range(12))
ZONE = {"peer.merd.test": {1: socket.inet_pton(socket.AF_INET, "203.0.113.2"),
                           28: socket.inet_pton(socket.AF_INET6, "2001:db8:2::2")},
        "big.merd.test": {16: BIG_TXT}}


def question(msg):
    """Return (name, qtype, qclass, end offset) of the one question, or None"""
    labels, off = [], 12
    while off < len(msg):
        n = msg[off]
        off += 1
        if n == 0:
            if off + 4 > len(msg):
                return None
            qtype, qclass = struct.unpack_from("!HH", msg, off)
            return ".".join(labels).lower(), qtype, qclass, off + 4
        if n & 0xc0 or off + n > len(msg):
            return None
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return None


def answer(msg):
    """Build the response to one query message, None to stay silent"""
    if len(msg) < 12:
        return None, None
    qid, flags, qdcount = struct.unpack_from("!HHH", msg)
    if flags & 0x8000:
        return None, None                       # a response: ignore
    opcode, rd = (flags >> 11) & 0xf, flags & 0x0100
    q = question(msg) if qdcount == 1 and opcode == 0 else None
    if q is None:                               # FORMERR, no question echoed
        return struct.pack("!6H", qid, 0x8000 | opcode << 11 | rd | 1,
                           0, 0, 0, 0), None
    name, qtype, qclass, end = q
    rcode, rrs = (3, []) if name not in ZONE else (0, [])
    if name in ZONE and qclass == 1 and qtype in ZONE[name]:
        data = ZONE[name][qtype]
        rrs.append(b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(data))
                   + data)
    hdr = struct.pack("!6H", qid, 0x8000 | 0x0400 | rd | 0x0080 | rcode,
                      1, len(rrs), 0, 0)
    return hdr + msg[12:end] + b"".join(rrs), q


def bind(spec):
    """Open a UDP socket bound to ADDR, ADDR:PORT or [ADDR6]:PORT (port 53)"""
    host, port = spec, 53
    if spec.startswith("["):
        host, _, port = spec[1:].partition("]:")
    elif spec.count(":") == 1:
        host, port = spec.split(":")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    return s


def main(argv):
    log, ready = None, None
    while argv and argv[0] in ("--log", "--ready"):
        if argv[0] == "--log":
            log = open(argv[1], "a", buffering=1)
        else:
            ready = argv[1]
        argv = argv[2:]
    socks = [bind(a) for a in argv]
    if ready:
        open(ready, "w").close()
    while True:
        for s in select.select(socks, [], [])[0]:
            msg, peer = s.recvfrom(4096)
            reply, q = answer(msg)
            if reply:
                s.sendto(reply, peer)
            if log:
                what = "%s %d" % (q[0], q[1]) if q else "malformed"
                log.write("query %s from %s to %s\n"
                          % (what, peer[0], s.getsockname()[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
