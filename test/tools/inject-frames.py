#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""inject-frames.py - Send malformed frames to merd, check it still answers

  inject-frames.py tap IFNAME        AF_PACKET on IFNAME (namespace mode,
                                     run inside the guest's netns)
  inject-frames.py stream SOCK       a fake qemu on merd's UNIX socket (VM
                                     mode: 4-byte big-endian length framing)
  inject-frames.py arp SOCK           a fake qemu that only ARPs for the
                                     gateway: exit 0 if merd answers
  inject-frames.py framing SOCK zero|huge|max
                                     send one bad length prefix (0,
                                     0x7fffffff, 0xffffffff), expect merd
                                     to close that connection
  inject-frames.py partial SOCK SECS  a fake qemu that sends the length
                                     prefix and 10 bytes of a 1000-byte
                                     frame, then hangs for SECS seconds
  inject-frames.py second SOCK        attach a fake qemu, then try a second
                                     one: exit 0 if the second is closed at
                                     once and the first is still answered
  inject-frames.py macs SOCK COUNT    a fake qemu whose source MAC changes
                                     with every frame: COUNT broadcast
                                     frames of an ethertype merd ignores,
                                     two sources in turn, then after 1.2 s
                                     two more; exit 0 if merd still
                                     answers ARP after

For tap and stream: ARP for the gateway (learning merd's MAC), send every
bad frame to that MAC, then ARP again. Prints one "sent KIND" line per bad
frame actually sent, "bad frames sent: N", and exits 0 only if merd answered
the ARP request both before and after. Framing: exits 0 if merd closed the
connection within 5 s.
"""
import os
import select
import socket
import struct
import sys
import time

GUEST_MAC = bytes.fromhex("525400123456")
GUEST_IP = socket.inet_aton("198.51.100.10")
GW_IP = socket.inet_aton("198.51.100.1")
PEER_IP = socket.inet_aton("203.0.113.2")
BCAST = b"\xff" * 6


def csum(data):
    """Internet checksum of data"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(payload, src=GUEST_IP, dst=PEER_IP, proto=17, ihl=5, tot=None):
    """IPv4 header with a valid checksum, then payload"""
    hlen = max(ihl, 5) * 4
    tot = hlen + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 0x1234, 0x4000, 64,
                    proto, 0, src, dst) + b"\0" * (hlen - 20)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def udp(payload, sport=40000, dport=7, ulen=None):
    """UDP header (no checksum), then payload"""
    ulen = 8 + len(payload) if ulen is None else ulen
    return struct.pack("!HHHH", sport, dport, ulen, 0) + payload


def eth(dst, src, etype, payload):
    """Ethernet header, then payload"""
    return dst + src + struct.pack("!H", etype) + payload


def arp_request(src_mac):
    """ARP who-has gateway tell guest"""
    return eth(BCAST, src_mac, 0x0806,
               struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac,
                           GUEST_IP, b"\0" * 6, GW_IP))


def dhcp_overrun(src_mac):
    """DHCP DISCOVER whose second option claims 255 bytes it does not have"""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x4d455244,
                        0, 0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                        src_mac + b"\0" * 10, b"", b"")
    opts = b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\x37\xff\x01\x03\x06"
    return eth(BCAST, src_mac, 0x0800,
               ip4(udp(bootp + opts, 68, 67), b"\0" * 4, b"\xff" * 4))


def bad_frames(dst, src):
    """(kind, frame) for every malformed frame, each otherwise valid"""
    e = lambda p: eth(dst, src, 0x0800, p)
    data = b"merd-bad-input" * 2
    return [
        ("eth_short", dst + src[:4]),                       # 10 bytes
        ("ip4_short", e(ip4(b"")[:12])),                    # 12 of 20 bytes
        ("ip4_len", e(ip4(udp(data), tot=1400))),           # claims 1400
        ("ip4_ihl", e(ip4(udp(data), ihl=4))),              # IHL 4
        ("udp_short", e(ip4(udp(b"")[:4]))),                # 4 of 8 bytes
        ("udp_len", e(ip4(udp(data, ulen=500)))),           # claims 500
        ("dhcp_bad", dhcp_overrun(src)),
    ]


class Stream:
    """merd's socket as a fake qemu: 4-byte big-endian length, then frame"""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""
        self.mac = GUEST_MAC

    def send(self, frame):
        self.s.sendall(struct.pack("!I", len(frame)) + frame)
        return True

    def recv(self, timeout):
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack("!I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return None
            d = self.s.recv(65536)
            if not d:
                return None
            self.buf += d


class Tap:
    """An interface of this netns, through an AF_PACKET socket"""

    def __init__(self, ifname):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(3))             # ETH_P_ALL
        self.s.bind((ifname, 0))
        self.mac = self.s.getsockname()[4]

    def send(self, frame):
        try:
            self.s.send(frame)
            return True
        except OSError as e:                # the kernel refuses runts
            print("not sent (%s)" % e.strerror, end=": ")
            return False

    def recv(self, timeout):
        if not select.select([self.s], [], [], timeout)[0]:
            return None
        f, addr = self.s.recvfrom(65536)
        return None if addr[2] == socket.PACKET_OUTGOING else f


def arp_gateway(link, tries=3):
    """ARP for the gateway; return the MAC in the reply, or None"""
    for _ in range(tries):
        link.send(arp_request(link.mac))
        end = time.monotonic() + 2
        while time.monotonic() < end:
            f = link.recv(end - time.monotonic())
            if (f and len(f) >= 42 and f[12:14] == b"\x08\x06"
                    and f[20:22] == b"\0\x02" and f[28:32] == GW_IP
                    and f[38:42] == GUEST_IP):
                return f[22:28]
    return None


def inject(link):
    """ARP, every bad frame, ARP again; return the exit status"""
    gw = arp_gateway(link)
    if gw is None:
        print("FAIL: no ARP reply for 198.51.100.1 before the bad frames")
        return 1
    print("gateway MAC %s" % gw.hex(":"))
    sent = 0
    for kind, frame in bad_frames(gw, link.mac):
        print("%s (%d bytes)" % (kind, len(frame)), end=": ")
        if link.send(frame):
            sent += 1
            print("sent")
        else:
            print("skipped")
    print("bad frames sent: %d" % sent)
    if arp_gateway(link) is None:
        print("FAIL: no ARP reply for 198.51.100.1 after the bad frames")
        return 1
    print("ARP answered after the bad frames")
    return 0


def framing(path, how):
    """Send a bad length prefix; return 0 if merd closes the connection"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    n = {"zero": 0, "huge": 0x7fffffff, "max": 0xffffffff}[how]
    s.sendall(struct.pack("!I", n) + arp_request(GUEST_MAC))
    end = time.monotonic() + 5
    while time.monotonic() < end:
        if not select.select([s], [], [], end - time.monotonic())[0]:
            break
        try:
            if not s.recv(65536):
                print("connection closed by merd after length %#x" % n)
                return 0
        except ConnectionResetError:
            print("connection reset by merd after length %#x" % n)
            return 0
    print("FAIL: merd kept the connection after length %#x" % n)
    return 1


def partial(path, secs):
    """Send the start of a frame and hang; return 0 once SECS passed"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(struct.pack("!I", 1000) + b"\x00" * 10)
    print("partial frame sent, hanging for %d s" % secs)
    time.sleep(secs)
    s.close()
    return 0


def second(path):
    """A second qemu while one is attached: refused, the first still served"""
    first = Stream(path)
    if arp_gateway(first) is None:
        print("FAIL: the first qemu gets no ARP reply")
        return 1
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    closed = False
    try:
        s.sendall(struct.pack("!I", 42) + arp_request(GUEST_MAC))
    except (BrokenPipeError, ConnectionResetError):
        closed = True                       # merd closed it first
    if not closed and select.select([s], [], [], 5)[0]:
        try:
            closed = not s.recv(65536)
        except ConnectionResetError:
            closed = True
    if not closed:
        print("FAIL: the second qemu was not turned away")
        return 1
    print("second qemu turned away")
    if arp_gateway(first) is None:
        print("FAIL: the first qemu is no longer answered")
        return 1
    print("first qemu still answered")
    return 0


def macs(path, count):
    """Frames alternating between two source MACs; 0 if ARP still works"""
    link = Stream(path)
    srcs = [GUEST_MAC, bytes.fromhex("525400abcdef")]
    payload = b"merd-mac-flood".ljust(46, b"\0")
    for i in range(count):
        link.send(eth(BCAST, srcs[i % 2], 0x88b5, payload))
    time.sleep(1.2)             # the next second: suppressed lines noted
    for i in range(2):
        link.send(eth(BCAST, srcs[i % 2], 0x88b5, payload))
    print("mac frames sent: %d" % (count + 2))
    link.mac = GUEST_MAC
    if arp_gateway(link) is None:
        print("FAIL: no ARP reply after the frames")
        return 1
    print("ARP answered after the frames")
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "tap":
        return inject(Tap(argv[1]))
    if len(argv) == 2 and argv[0] == "stream":
        return inject(Stream(argv[1]))
    if len(argv) == 2 and argv[0] == "arp":
        gw = arp_gateway(Stream(argv[1]))
        print("gateway MAC %s" % gw.hex(":") if gw else "FAIL: no ARP reply")
        return 0 if gw else 1
    if len(argv) == 3 and argv[0] == "framing" and argv[2] in ("zero", "huge", "max"):
        return framing(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "partial":
        return partial(argv[1], int(argv[2]))
    if len(argv) == 2 and argv[0] == "second":
        return second(argv[1])
    if len(argv) == 3 and argv[0] == "macs":
        return macs(argv[1], int(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main(sys.argv[1:]))
