#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""inject-frames6.py - IPv6 frames to merd: router advertisement, bad input

  inject-frames6.py ra tap IFNAME | ra stream SOCK
        solicit a router advertisement and print what it says (KEY=value)
  inject-frames6.py bad tap IFNAME | bad stream SOCK
        send every malformed IPv6 frame, then check merd still serves IPv6
  inject-frames6.py v4only SOCK SECS
        a fake qemu without IPv6: ARP and IPv4 pings for SECS seconds
  inject-frames6.py mcast IFNAME
        UDP to multicast groups merd does not serve (mDNS, LLMNR, all
        nodes, a global-scope group), 5 datagrams each, on
        ordinary sockets of this netns
  inject-frames6.py rs SOCK [SECS]
        a fake qemu that sends one router solicitation, prints the
        advertisement, stays connected SECS seconds (default 0), disconnects

tap: AF_PACKET on IFNAME (namespace mode, run inside the guest's netns);
stream: a fake qemu on merd's UNIX socket (VM mode).

bad: learns merd's MAC by neighbour solicitation, sends each bad frame to
it, then checks that merd still answers a neighbour solicitation, an echo
request to its link-local address, a DHCPv6 Information-request and an echo
request to 2001:db8:2::2 (carried to the world's peer), and that it never
answered the router solicitation with hop limit 64. Prints one line per bad
frame, "expect COUNTER=N" for each drop counter that must have risen by N,
"bad frames sent: N" (frames that must count as dropped), "ignored frames
sent: N", and exits 0 only if every check passed.
"""
import select
import socket
import struct
import sys
import time

GUEST_MAC = bytes.fromhex("525400123456")
ROUTER_LL = socket.inet_pton(socket.AF_INET6, "fe80::9855:9aff:fe55:9a55")
GUEST_LL = socket.inet_pton(socket.AF_INET6, "fe80::5eed:1")
GUEST_LL64 = socket.inet_pton(socket.AF_INET6, "fe80::5eed:64")
GUEST6 = socket.inet_pton(socket.AF_INET6, "2001:db8:1::10")
PEER6 = socket.inet_pton(socket.AF_INET6, "2001:db8:2::2")
ALL_ROUTERS = socket.inet_pton(socket.AF_INET6, "ff02::2")
ALL_DHCP = socket.inet_pton(socket.AF_INET6, "ff02::1:2")
ALL_ROUTERS_MAC = bytes.fromhex("333300000002")
ALL_DHCP_MAC = bytes.fromhex("333300010002")
GUEST4 = socket.inet_aton("198.51.100.10")
GW4 = socket.inet_aton("198.51.100.1")
PEER4 = socket.inet_aton("203.0.113.2")
ETH_IP6 = 0x86dd
ICMP6, UDP, HOPOPTS, DSTOPTS, FRAG = 58, 17, 0, 60, 44
RS, RA, NS, NA, ECHO, ECHO_REPLY = 133, 134, 135, 136, 128, 129


def ntop(a):
    return socket.inet_ntop(socket.AF_INET6, a)


def csum(data):
    """Internet checksum of data"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def pseudo6(src, dst, nh, length):
    return src + dst + struct.pack("!IxxxB", length, nh)


def l4_csum(seg, off, src, dst, nh):
    """seg with its checksum at off filled for the IPv6 pseudo-header"""
    seg = seg[:off] + b"\0\0" + seg[off + 2:]
    s = csum(pseudo6(src, dst, nh, len(seg)) + seg)
    if nh == UDP and s == 0:
        s = 0xffff
    return seg[:off] + struct.pack("!H", s) + seg[off + 2:]


def ip6(payload, src, dst, nh, hlim=64, plen=None, version=6):
    """IPv6 header, then payload"""
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", version << 28, plen, nh, hlim, src,
                       dst) + payload


def icmp6(typ, body, src, dst, code=0):
    """ICMPv6 message with a valid checksum"""
    return l4_csum(struct.pack("!BBH", typ, code, 0) + body, 2, src, dst,
                   ICMP6)


def udp6(payload, src, dst, sport, dport, ulen=None):
    """UDP datagram with a valid checksum over what is there"""
    ulen = 8 + len(payload) if ulen is None else ulen
    return l4_csum(struct.pack("!HHHH", sport, dport, ulen, 0) + payload, 6,
                   src, dst, UDP)


def eth(dst, src, etype, payload):
    """Ethernet header, then payload"""
    return dst + src + struct.pack("!H", etype) + payload


def solicited_node(a):
    """Solicited-node multicast address and its MAC"""
    sn = socket.inet_pton(socket.AF_INET6, "ff02::1:ff00:0")[:13] + a[13:]
    return sn, b"\x33\x33" + sn[12:]


def ns_frame(mac, target, src=GUEST_LL, opts=None, hlim=255):
    """Neighbour solicitation for target with our link-layer address"""
    dst, dmac = solicited_node(target)
    opts = struct.pack("!BB6s", 1, 1, mac) if opts is None else opts
    body = b"\0" * 4 + target + opts
    return eth(dmac, mac, ETH_IP6,
               ip6(icmp6(NS, body, src, dst), src, dst, ICMP6, hlim))


def rs_frame(mac, src=GUEST_LL, opts=None, hlim=255):
    """Router solicitation to all routers"""
    opts = struct.pack("!BB6s", 1, 1, mac) if opts is None else opts
    body = b"\0" * 4 + opts
    return eth(ALL_ROUTERS_MAC, mac, ETH_IP6,
               ip6(icmp6(RS, body, src, ALL_ROUTERS), src, ALL_ROUTERS,
                   ICMP6, hlim))


def echo_frame(gw, mac, src, dst, ident, seq=1):
    """ICMPv6 echo request"""
    body = struct.pack("!HH", ident, seq) + b"merd-v6-echo" * 4
    return eth(gw, mac, ETH_IP6,
               ip6(icmp6(ECHO, body, src, dst), src, dst, ICMP6))


def dhcpv6_msg(mtype, opts, xid=0x4d5244):
    return struct.pack("!I", mtype << 24 | xid) + opts


def dhcpv6_opt(code, val):
    return struct.pack("!HH", code, len(val)) + val


def dhcpv6_frame(mac, msg, ulen=None):
    """DHCPv6 client message to all DHCP servers, from port 546"""
    return eth(ALL_DHCP_MAC, mac, ETH_IP6,
               ip6(udp6(msg, GUEST_LL, ALL_DHCP, 546, 547, ulen), GUEST_LL,
                   ALL_DHCP, UDP, 1))


def client_id(mac):
    return dhcpv6_opt(1, struct.pack("!HH", 3, 1) + mac)


class Frame:
    """A received IPv6 frame, parsed just enough"""

    def __init__(self, f):
        self.ok = len(f) >= 54 and f[12:14] == b"\x86\xdd"
        if not self.ok:
            return
        self.dst_mac, self.src_mac = f[0:6], f[6:12]
        ip = f[14:]
        plen, self.nh, self.hlim = struct.unpack_from("!HBB", ip, 4)
        self.src, self.dst = ip[8:24], ip[24:40]
        self.l4 = ip[40:40 + plen]
        self.icmp_type = self.l4[0] if self.nh == ICMP6 and self.l4 else None


class Link:
    """Send and receive frames; remembers every RA seen, by destination"""

    def __init__(self):
        self.ra_to = set()

    def recv_frame(self, timeout):
        f = self.recv(timeout)
        if f is None:
            return None
        p = Frame(f)
        if p.ok and p.icmp_type == RA:
            self.ra_to.add(p.dst)
        return p

    def wait(self, match, timeout=2.0):
        """First received frame for which match() is true, or None"""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            p = self.recv_frame(left)
            if p is not None and p.ok and match(p):
                return p

    def drain(self, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            self.recv_frame(end - time.monotonic())


class Stream(Link):
    """merd's socket as a fake qemu: 4-byte big-endian length, then frame"""

    def __init__(self, path):
        super().__init__()
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
            d = self.s.recv(262144)
            if not d:
                return None
            self.buf += d


class Tap(Link):
    """An interface of this netns, through an AF_PACKET socket"""

    def __init__(self, ifname):
        super().__init__()
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
        f, addr = self.s.recvfrom(262144)
        return None if addr[2] == socket.PACKET_OUTGOING else f


def make_link(kind, where):
    return Tap(where) if kind == "tap" else Stream(where)


def router_mac(link, tries=3):
    """Solicit merd's link-local address; return the MAC in the NA"""
    for _ in range(tries):
        link.send(ns_frame(link.mac, ROUTER_LL))
        p = link.wait(lambda p: p.icmp_type == NA and p.dst == GUEST_LL
                      and p.l4[8:24] == ROUTER_LL)
        if p is None:
            continue
        if p.hlim != 255:
            print("FAIL: NA with hop limit %d" % p.hlim)
            return None
        opts = p.l4[24:]
        if len(opts) >= 8 and opts[0] == 2 and opts[1] == 1:
            return opts[2:8]
        print("FAIL: NA without target link-layer address")
        return None
    return None


def dns_names(b):
    out, off = [], 0
    while off < len(b):
        labels = []
        while off < len(b) and b[off]:
            labels.append(b[off + 1:off + 1 + b[off]].decode("ascii", "replace"))
            off += 1 + b[off]
        off += 1
        if labels:
            out.append(".".join(labels))
    return out


def print_ra(p):
    """Print the fields of a router advertisement as KEY=value lines"""
    m = p.l4
    print("ra_src=%s" % ntop(p.src))
    print("ra_dst=%s" % ntop(p.dst))
    print("ra_src_mac=%s" % p.src_mac.hex(":"))
    print("ra_hlim=%d" % p.hlim)
    print("ra_cur_hlim=%d" % m[4])
    print("ra_flags=%s" % ",".join(n for b, n in ((0x80, "M"), (0x40, "O"))
                                   if m[5] & b))
    print("ra_lifetime=%d" % struct.unpack_from("!H", m, 6)[0])
    print("ra_csum_ok=%d" % (csum(pseudo6(p.src, p.dst, ICMP6, len(m)) + m)
                             == 0))
    off = 16
    while off + 2 <= len(m):
        t, n = m[off], m[off + 1] * 8
        if n == 0 or off + n > len(m):
            print("ra_bad_option=%d" % t)
            return
        o = m[off:off + n]
        if t == 1:
            print("ra_slla=%s" % o[2:8].hex(":"))
        elif t == 5:
            print("ra_mtu=%d" % struct.unpack_from("!I", o, 4)[0])
        elif t == 3:
            plen, fl, valid, pref = struct.unpack_from("!BBII", o, 2)
            print("ra_prefix=%s/%d" % (ntop(o[16:32]), plen))
            print("ra_prefix_flags=%s" % ",".join(
                n for b, n in ((0x80, "L"), (0x40, "A")) if fl & b))
            print("ra_prefix_valid=%d" % valid)
            print("ra_prefix_preferred=%d" % pref)
        elif t == 25:
            print("ra_rdnss=%s" % " ".join(ntop(o[i:i + 16])
                                           for i in range(8, n, 16)))
            print("ra_rdnss_lifetime=%d" % struct.unpack_from("!I", o, 4)[0])
        elif t == 31:
            print("ra_dnssl=%s" % " ".join(dns_names(o[8:])))
            print("ra_dnssl_lifetime=%d" % struct.unpack_from("!I", o, 4)[0])
        else:
            print("ra_option=%d" % t)
        off += n


def solicit_ra(link):
    """Send a router solicitation; return the advertisement, or None"""
    for _ in range(3):
        link.send(rs_frame(link.mac))
        p = link.wait(lambda p: p.icmp_type == RA and p.dst == GUEST_LL)
        if p is not None:
            return p
    return None


def ra(link):
    p = solicit_ra(link)
    if p is None:
        print("FAIL: no router advertisement for %s" % ntop(GUEST_LL))
        return 1
    print_ra(p)
    return 0


def ext_chain(n, nh_last, payload):
    """n destination options headers (8 bytes each, PadN), then payload"""
    out = b""
    for i in range(n):
        nh = DSTOPTS if i < n - 1 else nh_last
        out += struct.pack("!BBBB4x", nh, 0, 1, 4)   # PadN of 4 + 2
    return out + payload


def bad_frames(gw, mac):
    """(kind, counter, frame) for every malformed frame, each otherwise valid;
    counter None: not a drop, but ignored (counted as such)"""
    e = lambda p: eth(gw, mac, ETH_IP6, p)
    u = udp6(b"merd-bad-input" * 2, GUEST6, PEER6, 40000, 7)
    good = ip6(u, GUEST6, PEER6, UDP)
    hop = struct.pack("!BBBB4x", UDP, 4, 1, 4)        # claims 40 bytes
    frag = struct.pack("!BxHI", UDP, 0x0001, 0x4d524431)  # offset 0, M
    sol = lambda opts: dhcpv6_frame(mac, dhcpv6_msg(1, client_id(mac) + opts))
    ns0 = struct.pack("!BB6s", 1, 0, mac)              # option length 0
    mcast = socket.inet_pton(socket.AF_INET6, "ff02::1")
    ra_bad = b"\x40\xc0\x07\x08" + b"\0" * 8 + b"\x03\x00" + b"\0" * 6
    return [
        ("ip6 header of 20 bytes", "ip6_short", e(good[:20])),
        ("ip6 version 4", "ip6_version", e(ip6(u, GUEST6, PEER6, UDP,
                                                 version=4))),
        ("payload length 1400 beyond the frame", "ip6_len",
         e(ip6(u, GUEST6, PEER6, UDP, plen=1400))),
        ("hop-by-hop header claiming 40 bytes, 8 there", "ip6_ext",
         e(ip6(hop, GUEST6, PEER6, HOPOPTS))),
        ("extension header cut at 4 bytes", "ip6_ext",
         e(ip6(hop[:4], GUEST6, PEER6, HOPOPTS))),
        ("chain of 100 extension headers", "ip6_ext",
         e(ip6(ext_chain(100, UDP, u), GUEST6, PEER6, DSTOPTS))),
        ("first fragment of 36 bytes (M set: not a multiple of 8)",
         "ip6_frag", e(ip6(frag + u, GUEST6, PEER6, FRAG))),
        ("that fragment after a hop-by-hop header", "ip6_frag",
         e(ip6(struct.pack("!BBBB4x", FRAG, 0, 1, 4) + frag + u, GUEST6,
               PEER6, HOPOPTS))),
        ("ICMPv6 of 2 bytes", "icmp_short",
         e(ip6(b"\x80\x00", GUEST6, PEER6, ICMP6))),
        ("NS with an option of length 0", "ndp_bad",
         ns_frame(mac, ROUTER_LL, opts=ns0)),
        ("NS with hop limit 64", "ndp_bad", ns_frame(mac, ROUTER_LL, hlim=64)),
        ("NS cut before the end of its target", "ndp_bad",
         eth(gw, mac, ETH_IP6,
             ip6(icmp6(NS, b"\0" * 4 + ROUTER_LL[:12], GUEST_LL, ROUTER_LL),
                 GUEST_LL, ROUTER_LL, ICMP6, 255))),
        ("NS for a multicast target", "ndp_bad", ns_frame(mac, mcast)),
        ("RS with hop limit 64", "ndp_bad", rs_frame(mac, GUEST_LL64, hlim=64)),
        ("RS with an option of length 0", "ndp_bad",
         rs_frame(mac, GUEST_LL64, opts=ns0)),
        ("RS with an option running past the end", "ndp_bad",
         rs_frame(mac, GUEST_LL64, opts=struct.pack("!BB6s", 1, 2, mac))),
        ("DHCPv6 Solicit with an option overrunning", "dhcpv6_bad",
         sol(struct.pack("!HH", 3, 200) + b"\0" * 12)),
        ("DHCPv6 Solicit with a cut option header", "dhcpv6_bad",
         sol(b"\0\x08\0")),
        ("DHCPv6 Solicit, UDP length beyond the packet", "dhcpv6_bad",
         dhcpv6_frame(mac, dhcpv6_msg(1, client_id(mac)), ulen=300)),
        ("DHCPv6 Solicit with a client DUID of 1 byte", "dhcpv6_bad",
         dhcpv6_frame(mac, dhcpv6_msg(1, dhcpv6_opt(1, b"\0")))),
        ("RA from the guest with an option of length 0", None,
         eth(ALL_ROUTERS_MAC, mac, ETH_IP6,
             ip6(icmp6(RA, ra_bad, GUEST_LL64, ALL_ROUTERS), GUEST_LL64,
                 ALL_ROUTERS, ICMP6, 255))),
    ]


def still_serves(link, gw):
    """Check merd answers NS, echo, DHCPv6 and carries echo; return failures"""
    fails = 0
    if router_mac(link) != gw:
        print("FAIL: no neighbour advertisement after the bad frames")
        fails += 1
    else:
        print("NS answered after the bad frames")
    link.send(echo_frame(gw, link.mac, GUEST_LL, ROUTER_LL, 0x6d31))
    if link.wait(lambda p: p.icmp_type == ECHO_REPLY and p.src == ROUTER_LL
                 and p.l4[4:6] == b"\x6d\x31") is None:
        print("FAIL: no echo reply from %s" % ntop(ROUTER_LL))
        fails += 1
    else:
        print("echo to %s answered" % ntop(ROUTER_LL))
    msg = dhcpv6_msg(11, client_id(link.mac), xid=0x4d5249)
    link.send(dhcpv6_frame(link.mac, msg))
    if link.wait(lambda p: p.nh == UDP and p.dst == GUEST_LL
                 and p.l4[2:4] == b"\x02\x22" and p.l4[8] == 7
                 and p.l4[9:12] == b"\x4d\x52\x49") is None:
        print("FAIL: no DHCPv6 Reply to an Information-request")
        fails += 1
    else:
        print("DHCPv6 Information-request answered")
    for seq in range(1, 6):                 # the first may wait for a socket
        link.send(echo_frame(gw, link.mac, GUEST6, PEER6, 0x6d32, seq))
        if link.wait(lambda p: p.icmp_type == ECHO_REPLY and p.src == PEER6
                     and p.dst == GUEST6, 1.0) is not None:
            print("echo to %s answered" % ntop(PEER6))
            break
    else:
        print("FAIL: no echo reply from %s" % ntop(PEER6))
        fails += 1
    return fails


def bad(link):
    """Learn merd's MAC, send every bad frame, check merd still serves"""
    gw = router_mac(link)
    if gw is None:
        print("FAIL: no NA for %s before the bad frames" % ntop(ROUTER_LL))
        return 1
    print("router MAC %s" % gw.hex(":"))
    sent, ignored, expect = 0, 0, {}
    for kind, counter, frame in bad_frames(gw, link.mac):
        print("%s (%d bytes)" % (kind, len(frame)), end=": ")
        if not link.send(frame):
            print("skipped")
            continue
        print("sent")
        if counter is None:
            ignored += 1
        else:
            sent += 1
            expect[counter] = expect.get(counter, 0) + 1
    for counter, n in sorted(expect.items()):
        print("expect drop_%s=%d" % (counter, n))
    print("bad frames sent: %d" % sent)
    print("ignored frames sent: %d" % ignored)
    fails = still_serves(link, gw)
    link.drain(1.0)
    if GUEST_LL64 in link.ra_to:
        print("FAIL: merd answered a bad router solicitation")
        fails += 1
    return 1 if fails else 0


def arp_request(mac):
    return eth(b"\xff" * 6, mac, 0x0806,
               struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, GUEST4,
                           b"\0" * 6, GW4))


def ping4(gw, mac, seq):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x6d34, seq) + b"merd-v4" * 8
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), seq, 0x4000,
                    64, 1, 0, GUEST4, PEER4)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(gw, mac, 0x0800, h + body)


def v4only(path, secs):
    """An IPv4-only guest: ARP, then a ping a second; count the replies"""
    link = Stream(path)
    gw = None
    for _ in range(3):
        link.send(arp_request(link.mac))
        end = time.monotonic() + 2
        while gw is None and time.monotonic() < end:
            f = link.recv(end - time.monotonic())
            if f and len(f) >= 42 and f[12:14] == b"\x08\x06" \
                    and f[20:22] == b"\0\x02" and f[28:32] == GW4:
                gw = f[22:28]
        if gw:
            break
    if gw is None:
        print("FAIL: no ARP reply")
        return 1
    replies, other, seq, end = 0, 0, 0, time.monotonic() + secs
    while time.monotonic() < end:
        seq += 1
        link.send(ping4(gw, link.mac, seq))
        stop = min(end, time.monotonic() + 1)
        while time.monotonic() < stop:
            f = link.recv(stop - time.monotonic())
            if f is None:
                continue
            if f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0:
                replies += 1
            elif f[12:14] == b"\x86\xdd":
                other += 1
    print("v4 echo replies: %d of %d" % (replies, seq))
    print("ipv6 frames received: %d" % other)
    return 0 if replies and not other else 1


def rs_once(path, hold=0.0):
    link = Stream(path)
    rc = ra(link)
    print("holding %g s" % hold)
    link.drain(hold)
    return rc


def mcast(ifname):
    """UDP datagrams to multicast groups merd does not serve"""
    idx = socket.if_nametoindex(ifname)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    n = 0
    for dst, port in (("ff02::fb", 5353), ("ff02::1:3", 5355),
                      ("ff02::1", 9), ("ff0e::4d52", 4000)):
        for _ in range(5):
            s.sendto(b"merd-multicast", (dst, port, 0, idx))
            n += 1
    print("multicast datagrams sent: %d" % n)
    return 0


def main(argv):
    if len(argv) == 3 and argv[0] in ("ra", "bad") and argv[1] in ("tap",
                                                                  "stream"):
        link = make_link(argv[1], argv[2])
        return ra(link) if argv[0] == "ra" else bad(link)
    if len(argv) == 3 and argv[0] == "v4only":
        return v4only(argv[1], float(argv[2]))
    if len(argv) == 2 and argv[0] == "mcast":
        return mcast(argv[1])
    if len(argv) in (2, 3) and argv[0] == "rs":
        return rs_once(argv[1], float(argv[2]) if len(argv) == 3 else 0.0)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main(sys.argv[1:]))
