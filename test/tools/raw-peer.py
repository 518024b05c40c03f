#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""raw-peer.py - Both ends of an IP protocol merd does not translate

  raw-peer.py [--ready FILE] serve PROTO ADDR...
      Answer every packet of IP protocol PROTO sent to ADDR (one raw socket
      per address, bound to it) with "echo " + its payload, to its source.
      Each packet is logged on stdout: "from SRC to ADDR: PAYLOAD".
  raw-peer.py send PROTO DST MESSAGE [TIMEOUT]
      Send MESSAGE as the payload of one PROTO packet to DST, wait for a
      PROTO packet from DST, print "reply from DST: PAYLOAD"; exit 1 if none
      came within TIMEOUT seconds (default 3).

Needs CAP_NET_RAW in its network namespace (root in the test world, or
root of the namespace merd --ns creates).
"""
import select
import socket
import sys
import time


def family(addr):
    """Address family of a literal address"""
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def payload_of(fam, data):
    """Payload of what a raw socket returned (IPv4 sockets add the header)"""
    if fam == socket.AF_INET6:
        return data
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    return data[(data[0] & 0x0f) * 4:]


def serve(proto, addrs, ready):
    """Echo server on raw sockets bound to ADDRS"""
    socks = []
    for addr in addrs:
        s = socket.socket(family(addr), socket.SOCK_RAW, proto)
        s.bind((addr, 0))
        socks.append((s, addr))
    if ready:
        open(ready, "w").close()
    while True:
        readable, _, _ = select.select([s for s, _ in socks], [], [])
        for s, addr in socks:
            if s not in readable:
                continue
            data, src = s.recvfrom(65535)
            payload = payload_of(s.family, data)
            if payload is None:
                continue
            print("from %s to %s: %s" % (src[0], addr,
                                         payload.decode(errors="replace")),
                  flush=True)
            s.sendto(b"echo " + payload, (src[0], 0))


def send(proto, dst, message, timeout):
    """Send one packet to DST, print the first PROTO packet DST sends back"""
    s = socket.socket(family(dst), socket.SOCK_RAW, proto)
    s.sendto(message.encode(), (dst, 0))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        readable, _, _ = select.select([s], [], [], end - time.monotonic())
        if not readable:
            break
        data, src = s.recvfrom(65535)
        payload = payload_of(s.family, data)
        if payload is None or src[0] != dst:
            continue
        print("reply from %s: %s" % (src[0], payload.decode(errors="replace")),
              flush=True)
        return 0
    print("no reply from %s" % dst, flush=True)
    return 1


def main(argv):
    ready = None
    if argv[:1] == ["--ready"]:
        ready, argv = argv[1], argv[2:]
    if len(argv) >= 3 and argv[0] == "serve":
        serve(int(argv[1]), argv[2:], ready)
        return 0
    if len(argv) in (4, 5) and argv[0] == "send":
        return send(int(argv[1]), argv[2], argv[3],
                    float(argv[4]) if len(argv) == 5 else 3.0)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
