#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# mkcorpus.py - Write the seed corpora of the fuzz targets into corpus/:
# valid frames of each kind merd handles (ARP request, DHCP DISCOVER and
# REQUEST, ICMP echo, UDP datagram, TCP SYN and a whole TCP session; NDP
# router and neighbour solicitations, DHCPv6 Solicit, ICMPv6 echo, UDP and
# TCP over IPv6), in
# the input format of each target (see fuzz_eth.c, fuzz_link.c,
# fuzz_conf.c), and for the protocol targets (fuzz_tcp.c, fuzz_dhcp.c,
# fuzz_dhcpv6.c, fuzz_ndp.c, fuzz_icmp.c) inputs that each reach the end of
# a normal exchange. Run it again after changing a format:
# python3 mkcorpus.py
import os
import struct

OUR_MAC = bytes.fromhex("9a559a559a55")
GUEST_MAC = bytes.fromhex("525400123456")
BCAST = b"\xff" * 6
GUEST = bytes([198, 51, 100, 10])
GW = bytes([198, 51, 100, 1])
PEER = bytes([203, 0, 113, 2])     # on the fuzzer's loopback: TCP 80, UDP 7
DNS = bytes([203, 0, 113, 53])     # the harness's resolver, on it too: UDP 53

FZ_DST_OURS, FZ_IP_CSUM, FZ_ACK_ISN, FZ_PUMP, FZ_TICK = 1, 2, 4, 8, 16

GUEST_LL = bytes.fromhex("fe800000000000005054" "00fffe123456")
ROUTER_LL = bytes.fromhex("fe800000000000009855" "9afffe559a55")
GUEST6 = bytes.fromhex("20010db8000100000000000000000010")
PEER6 = bytes.fromhex("20010db8000200000000000000000002")
ALL_ROUTERS = bytes.fromhex("ff020000000000000000000000000002")
DHCP6_SERVERS = bytes.fromhex("ff020000000000000000000000010002")


def csum(data, s=0):
    if len(data) % 2:
        data += b"\0"
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, etype, payload):
    return dst + GUEST_MAC + struct.pack(">H", etype) + payload


def ip4(src, dst, proto, l4):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000,
                    64, proto, 0, src, dst)
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    return h + l4


def l4sum(src, dst, proto, seg, off):
    s = csum(src + dst + struct.pack(">BBH", 0, proto, len(seg)) + seg)
    return seg[:off] + struct.pack(">H", s) + seg[off + 2:]


def udp(src, dst, sport, dport, payload):
    seg = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip4(src, dst, 17, l4sum(src, dst, 17, seg, 6))


def tcp(sport, dport, seq, ack, flags, payload=b"", opts=b""):
    doff = (20 + len(opts)) // 4
    seg = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, doff << 4,
                      flags, 65535, 0, 0) + opts + payload
    return ip4(GUEST, PEER, 6, l4sum(GUEST, PEER, 6, seg, 16))


def ip6(src, dst, nh, l4, hops=64):
    return struct.pack(">IHBB", 0x60000000, len(l4), nh, hops) + src + \
        dst + l4


def l6sum(src, dst, nh, seg, off):
    s = csum(src + dst + struct.pack(">IxxxB", len(seg), nh) + seg)
    return seg[:off] + struct.pack(">H", s) + seg[off + 2:]


def mcast_mac(dst6):
    return b"\x33\x33" + dst6[12:]


def icmp6(src, dst, msg, hops=255):
    return ip6(src, dst, 58, l6sum(src, dst, 58, msg, 2), hops)


def udp6(src, dst, sport, dport, payload):
    seg = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip6(src, dst, 17, l6sum(src, dst, 17, seg, 6))


def tcp6(sport, dport, seq, ack, flags, payload=b"", opts=b""):
    doff = (20 + len(opts)) // 4
    seg = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, doff << 4,
                      flags, 65535, 0, 0) + opts + payload
    return ip6(GUEST6, PEER6, 6, l6sum(GUEST6, PEER6, 6, seg, 16))


def eth6(dst_mac, pkt):
    return eth(dst_mac, 0x86dd, pkt)


def v6_seeds():
    slla = bytes([1, 1]) + GUEST_MAC
    rs = icmp6(GUEST_LL, ALL_ROUTERS, bytes([133, 0, 0, 0]) + b"\0" * 4 +
               slla)
    sn = bytes.fromhex("ff0200000000000000000001ff") + ROUTER_LL[13:]
    ns = icmp6(GUEST_LL, sn, bytes([135, 0, 0, 0]) + b"\0" * 4 +
               ROUTER_LL + slla)
    echo = icmp6(GUEST6, PEER6, struct.pack(">BBHHH", 128, 0, 0, 0x77, 1) +
                 b"merd-fuzz-ping6", 64)
    duid = struct.pack(">HH", 3, 1) + GUEST_MAC
    sol = bytes([1, 0x12, 0x34, 0x56]) + struct.pack(">HH", 1, len(duid)) + \
        duid + struct.pack(">HHIII", 3, 12, 1, 0, 0) + \
        struct.pack(">HHH", 8, 2, 0) + struct.pack(">HHHH", 6, 4, 23, 24)
    dhcp6 = udp6(GUEST_LL, DHCP6_SERVERS, 546, 547, sol)
    syn = tcp6(40010, 80, 7000, 0, 0x02, opts=SYN_OPTS)
    ack = tcp6(40010, 80, 7001, 0, 0x10)
    data = tcp6(40010, 80, 7001, 0, 0x18, b"hello over v6\r\n")
    fin = tcp6(40010, 80, 7016, 31, 0x11)
    c = FZ_IP_CSUM
    return {
        "ndp_router_solicitation": rec(c, eth6(mcast_mac(ALL_ROUTERS), rs)),
        "ndp_neighbor_solicitation": rec(c, eth6(mcast_mac(sn), ns)),
        "icmp6_echo": rec(c | FZ_PUMP, eth6(OUR_MAC, echo)),
        "dhcp6_solicit": rec(c, eth6(mcast_mac(DHCP6_SERVERS), dhcp6)),
        "udp6_datagram": rec(c | FZ_PUMP, eth6(OUR_MAC, udp6(GUEST6, PEER6,
                             40011, 7, b"hello, echo 6"))),
        "tcp6_session": rec(c | FZ_PUMP, eth6(OUR_MAC, syn)) +
                        rec(c | FZ_ACK_ISN | FZ_PUMP, eth6(OUR_MAC, ack)) +
                        rec(c | FZ_ACK_ISN | FZ_PUMP, eth6(OUR_MAC, data)) +
                        rec(c | FZ_ACK_ISN | FZ_PUMP | FZ_TICK,
                            eth6(OUR_MAC, fin)),
    }


def arp_request(tip=GW):
    a = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + GUEST_MAC + GUEST + \
        b"\0" * 6 + tip
    return eth(BCAST, 0x0806, a)


def dhcp(msg_type, extra=b""):
    b = struct.pack(">BBBBIHH4s4s4s4s", 1, 1, 6, 0, 0x1234abcd, 0, 0x8000,
                    b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    b += GUEST_MAC + b"\0" * 10 + b"\0" * 192 + b"\x63\x82\x53\x63"
    b += bytes([53, 1, msg_type]) + extra + bytes([55, 4, 1, 3, 6, 119, 255])
    b += b"\0" * (300 - len(b)) if len(b) < 300 else b""
    return eth(BCAST, 0x0800, udp(b"\0" * 4, b"\xff" * 4, 68, 67, b))


def icmp_echo():
    m = struct.pack(">BBHHH", 8, 0, 0, 0x4242, 1) + b"merd-fuzz-ping" * 2
    m = m[:2] + struct.pack(">H", csum(m)) + m[4:]
    return eth(OUR_MAC, 0x0800, ip4(GUEST, PEER, 1, m))


SYN_OPTS = bytes([2, 4, 5, 0xb4, 1, 3, 3, 7])


def rec(flags, frame):
    return struct.pack(">BH", flags, len(frame)) + frame


def eth_seeds():
    req = dhcp(3, bytes([50, 4]) + GUEST + bytes([54, 4]) + GW)
    syn = eth(OUR_MAC, 0x0800, tcp(40000, 80, 1000, 0, 0x02, opts=SYN_OPTS))
    ack = eth(OUR_MAC, 0x0800, tcp(40000, 80, 1001, 0, 0x10))
    data = eth(OUR_MAC, 0x0800,
               tcp(40000, 80, 1001, 0, 0x18, b"GET / HTTP/1.0\r\n\r\n"))
    ack2 = eth(OUR_MAC, 0x0800, tcp(40000, 80, 1019, 31, 0x10))
    fin = eth(OUR_MAC, 0x0800, tcp(40000, 80, 1019, 31, 0x11))
    query = bytes.fromhex("abcd0100000100000000000007"
                          "6578616d706c6503636f6d0000010001")
    dns = eth(OUR_MAC, 0x0800, udp(GUEST, DNS, 33333, 53, query))
    c = FZ_IP_CSUM
    return {
        "arp_request": rec(0, arp_request()),
        "dhcp_discover": rec(0, dhcp(1)),
        "dhcp_discover_request": rec(0, dhcp(1)) + rec(0, req),
        "icmp_echo": rec(c | FZ_PUMP, icmp_echo()),
        "udp_datagram": rec(c | FZ_PUMP, eth(OUR_MAC, 0x0800,
                            udp(GUEST, PEER, 40001, 7, b"hello, echo"))),
        "udp_dns_query": rec(c | FZ_PUMP, dns),
        "tcp_syn": rec(c | FZ_PUMP, syn),
        "tcp_session": rec(c | FZ_PUMP, syn) +
                       rec(c | FZ_ACK_ISN | FZ_PUMP, ack) +
                       rec(c | FZ_ACK_ISN | FZ_PUMP, data) +
                       rec(c | FZ_ACK_ISN | FZ_PUMP, ack2) +
                       rec(c | FZ_ACK_ISN | FZ_PUMP | FZ_TICK, fin),
        "tcp_rst_unknown": rec(c, eth(OUR_MAC, 0x0800,
                               tcp(40002, 80, 5, 9, 0x10))),
    }


# fuzz_tcp: operations (see fuzz_tcp.c)
T_SEG, T_DATA, T_EOF, T_ERR, T_ROOM, T_WND, T_CONNECT, T_EVENT, T_TICK, \
    T_ACCEPT, T_LINK = range(11)
SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08
EV_IN, EV_OUT, EV_ERR, EV_HUP, EV_RDHUP = 1, 2, 4, 8, 16


def t_seg(slot, flags, sel=1, ds=0, da=0, wnd=0xffff, ln=0, mss=None,
          ws=0xff):
    b = bytes([slot << 4 | T_SEG, flags, sel | (8 if mss else 0),
               ds & 0xff, da & 0xff]) + struct.pack(">HH", wnd, ln)
    if mss:
        b += struct.pack(">HB", mss, ws)
    return b


def t_op(slot, op, *args):
    return bytes([slot << 4 | op]) + bytes(args)


def t_data(slot, n, shift=0x80):
    return t_op(slot, T_DATA) + struct.pack(">HB", n, shift)


def t_tick(ms):
    return t_op(0, T_TICK) + struct.pack(">H", ms // 8)


def t_open(slot):
    return t_seg(slot, SYN, 0, mss=1460, ws=7) + t_op(slot, T_EVENT, EV_OUT) \
        + t_seg(slot, ACK)


def tcp_seeds():
    session = t_open(0) + t_data(0, 3000) + t_seg(0, ACK | PSH, ln=100) + \
        t_seg(0, ACK) + t_op(0, T_EOF, EV_IN | EV_RDHUP) + \
        t_seg(0, ACK | FIN)
    inbound = t_op(4, T_ACCEPT, 0) + t_seg(4, SYN | ACK, mss=1460, ws=7) + \
        t_data(4, 2000) + t_seg(4, ACK | PSH, ln=50) + t_seg(4, ACK) + \
        t_op(4, T_EOF, EV_IN | EV_RDHUP) + t_seg(4, ACK | FIN)
    return {
        "session": session,
        "session6": t_open(1) + t_data(1, 5000) + t_seg(1, ACK) +
        t_seg(1, ACK | FIN, ln=10) + t_op(1, T_EOF, EV_RDHUP),
        "inbound": inbound,
        "inbound6_rst": t_op(5, T_ACCEPT, 1) + t_seg(5, RST | ACK),
        "refused_at_once": t_op(0, T_CONNECT, 2) + t_seg(0, SYN, 0),
        "refused_later": t_seg(0, SYN, 0) + t_op(0, T_ERR, 0x85) +
        t_op(0, T_EVENT, EV_OUT | EV_ERR),
        "unreachable": t_seg(2, SYN, 0) + t_op(2, T_ERR, 0x83) +
        t_op(2, T_EVENT, EV_OUT),
        "socket_fails": t_op(0, T_CONNECT, 0x80) + t_seg(0, SYN, 0),
        "connect_timeout": t_seg(3, SYN, 0) + t_tick(31000),
        "retransmit": t_open(0) + t_data(0, 4000) + t_tick(300) +
        t_tick(600) + t_seg(0, ACK, sel=0) + t_seg(0, ACK, sel=0) +
        t_seg(0, ACK, sel=0) + t_seg(0, ACK, sel=0) + t_seg(0, ACK, sel=2),
        "zero_window": t_open(0) + t_seg(0, ACK, wnd=0) + t_data(0, 1000) +
        t_tick(1000) + t_tick(2000) + t_seg(0, ACK, wnd=100),
        "send_blocked": t_open(0) + t_op(0, T_ROOM, 0, 10, 0) +
        t_seg(0, ACK | PSH, ln=100) + t_op(0, T_WND, 0, 4, 0, 4) +
        t_op(0, T_EVENT, EV_OUT) + t_op(0, T_ROOM, 0xff, 0xff, 0) +
        t_seg(0, ACK | PSH, ln=100),
        "host_reset": t_open(0) + t_data(0, 100) + t_op(0, T_ERR, 0) +
        t_op(0, T_EVENT, EV_IN),
        "link_full": t_open(0) + t_open(1) + t_open(2) + t_op(0, T_LINK, 1) +
        t_data(0, 0xffff, 0x85) + t_data(1, 0xffff, 0x85) +
        t_data(2, 0xffff, 0x85) + t_seg(0, ACK, wnd=0xffff) +
        t_op(0, T_LINK, 0) + t_seg(0, ACK, sel=1) + t_seg(1, ACK, sel=1) +
        t_seg(2, ACK, sel=1),
        "keepalive": t_open(0) + t_tick(31000) + t_tick(300) +
        t_seg(0, ACK, sel=0),
    }


def dhcp_seeds():
    disc = bytes([53, 1, 1, 55, 4, 1, 3, 6, 119, 255])
    req = bytes([53, 1, 3, 50, 4]) + GUEST + bytes([54, 4]) + GW + b"\xff"
    whole = dhcp(1)[14 + 20 + 8:]
    return {
        "discover": rec(0x07, disc),
        "discover_request": rec(0x07, disc) + rec(0x07, req),
        "renew": rec(0x24, bytes([53, 1, 3, 255])),
        "inform": rec(0x24, bytes([53, 1, 8, 255])),
        "request_other": rec(0x07, bytes([53, 1, 3, 50, 4, 198, 51, 100, 99,
                                          255])),
        "whole_message": rec(0x03, whole),
        "release": rec(0x24, bytes([53, 1, 7, 54, 4]) + GW + b"\xff"),
    }


def dhcp6_seeds():
    oro = struct.pack(">HHHH", 6, 4, 23, 24)
    duid = struct.pack(">HH", 3, 1) + GUEST_MAC
    whole = bytes([1, 1, 2, 3]) + struct.pack(">HH", 1, len(duid)) + duid + \
        oro
    return {
        "solicit": rec(0x44, bytes([1]) + oro),
        "solicit_rapid": rec(0x44, bytes([1]) + struct.pack(">HH", 14, 0) +
                             oro),
        "solicit_request": rec(0x44, bytes([1]) + oro) +
        rec(0x64, bytes([3]) + oro),
        "renew": rec(0x65, bytes([5]) + oro),
        "information_request": rec(0x04, bytes([11]) + oro),
        "whole_message": rec(0x00, whole),
    }


def ndp_seeds():
    slla = bytes([1, 1]) + GUEST_MAC
    return {
        "router_solicitation": rec(0x00, slla),
        "neighbor_solicitation": rec(0x41, slla),
        "neighbor_solicitation_unicast": rec(0x51, slla),
        "dad_probe": rec(0x05, GUEST6),
        "neighbor_advertisement": rec(0x02, GUEST_LL + bytes([2, 1]) +
                                      GUEST_MAC),
        "raw_rs": rec(0x03, bytes([133, 0, 0, 0, 0, 0, 0, 0]) + slla),
    }


def icmp_seeds():
    ping = struct.pack(">HH", 0x4242, 1) + b"merd-fuzz-ping" * 2
    quote = ip4(GUEST, PEER, 17, struct.pack(">HHHH", 4000, 53, 8, 0))
    return {
        "echo": b"\0" + rec(0x28, ping),
        "echo6": b"\0" + rec(0x29, ping),
        "echo6_router": b"\0" + rec(0x0b, ping),
        "echo_gateway": b"\0" + rec(0x0a, ping),
        "echo_no_route": b"\0" + rec(0x0e, ping) + rec(0x0f, ping),
        "raw_echo": b"\x01" + rec(0x28, ping) + rec(0x68, ping),
        "raw_echo6": b"\x02" + rec(0x29, ping) + rec(0x69, ping),
        "guest_unreachable": b"\0" + rec(0x00, bytes([3, 3, 0, 0, 0, 0, 0,
                                                      0]) + quote),
        "net_unreachable": b"\x03" + rec(0x28, ping) +
        rec(0x60, bytes([3, 1, 0, 0, 0, 0, 0, 0]) + quote),
        "echo_expires": b"\0" + rec(0xa8, ping) + rec(0xa9, ping),
    }


def framed(frame):
    return struct.pack(">I", len(frame)) + frame


def link_seeds():
    two = framed(arp_request()) + framed(dhcp(1))
    return {
        "arp_request": struct.pack(">H", 7) + framed(arp_request()),
        "two_frames_split": struct.pack(">H", 50) + two,
        "icmp_then_bad_length": struct.pack(">H", 0) +
                                framed(icmp_echo()) + b"\0\0\0\0",
        "udp_datagram": struct.pack(">H", 2) + framed(eth(OUR_MAC, 0x0800,
                        udp(GUEST, PEER, 40001, 7, b"hi"))),
    }


def conf_seeds():
    def argv(*a):
        return b"\0".join(x.encode() for x in a)
    return {
        "vm": argv("-s", "/tmp/merd.sock", "-f", "-1"),
        "addresses": argv("-a", "198.51.100.10", "-n", "24", "-g",
                          "198.51.100.1", "-D", "203.0.113.53", "-S",
                          "example.com example.org", "-m", "1500"),
        "ns": argv("--ns", "-4", "--udp-timeout", "30", "--", "sh", "-c",
                   "true"),
        "limits": argv("--max-flows", "16", "--icmp-timeout", "86400",
                       "--fd", "3", "-d"),
        "bad": argv("-m", "70000", "-n", "33"),
    }


# fuzz_frag: selector bits (see fuzz_frag.c)
FR_WHOLE, FR_V6, FR_MF, FR_EXT, FR_GW, FR_PUMP, FR_TICK = \
    1, 2, 4, 8, 16, 32, 64


def fr_whole(sel, ident, proto, piece8, msg):
    """A whole message, sent as fragments of piece8 * 8 + 8 bytes"""
    return rec(sel | FR_WHOLE, bytes([ident, proto, piece8]) + msg)


def fr_raw(sel, ident, proto, off8, data):
    """One fragment, as it is"""
    return rec(sel, bytes([ident, proto]) + struct.pack(">H", off8) + data)


def frag_seeds():
    pattern = bytes((i * 7 + (i >> 8)) & 0xff for i in range(4000))
    udp_msg = struct.pack(">HHHH", 40010, 7, 8 + len(pattern), 0) + pattern
    echo = struct.pack(">BBHHH", 8, 0, 0, 0x4d52, 1) + pattern[:3000]
    echo6 = struct.pack(">BBHHH", 128, 0, 0, 0x4d52, 1) + pattern[:3000]
    syn = struct.pack(">HHIIBBHHH", 40011, 80, 1000, 0, 6 << 4, 0x02, 65535,
                      0, 0) + bytes([2, 4, 5, 0xb4])
    p = FR_PUMP
    return {
        "udp4_in_order": fr_whole(p, 1, 17, 184, udp_msg),
        "udp4_reverse": fr_whole(p | FR_MF | FR_EXT, 2, 17, 184, udp_msg),
        "udp6_in_order": fr_whole(p | FR_V6, 3, 17, 180, udp_msg),
        "udp6_reverse_ext": fr_whole(p | FR_V6 | FR_MF | FR_EXT, 4, 17, 90,
                                     udp_msg),
        "icmp4_echo": fr_whole(p, 5, 1, 184, echo),
        "icmp6_echo": fr_whole(p | FR_V6, 6, 58, 180, echo6),
        "icmp6_echo_gateway": fr_whole(p | FR_V6 | FR_GW, 7, 58, 180, echo6),
        "tcp4_syn_pieces": fr_whole(p, 8, 6, 0, syn),
        "overlap4": fr_raw(FR_MF, 9, 17, 0, udp_msg[:1480]) +
                    fr_raw(FR_MF, 9, 17, 1, b"\xff" * 16),
        "overlap6_same": fr_raw(FR_V6 | FR_MF, 10, 17, 0, udp_msg[:16]) +
                         fr_raw(FR_V6 | FR_MF, 10, 17, 1, udp_msg[8:24]),
        "duplicate_then_last": fr_raw(FR_MF, 11, 17, 0, udp_msg[:1480]) +
                               fr_raw(FR_MF, 11, 17, 0, udp_msg[:1480]) +
                               fr_raw(p, 11, 17, 185, udp_msg[1480:]),
        "timeout": fr_raw(FR_MF | FR_TICK, 12, 17, 0, udp_msg[:1480]) +
                   fr_raw(p, 12, 17, 185, udp_msg[1480:]),
        "too_big": fr_raw(0, 13, 17, 0x1fff, pattern[:64]) +
                   fr_raw(FR_V6 | FR_MF, 13, 17, 0x1fff, pattern[:64]),
        "table_full": b"".join(fr_raw(FR_MF | (FR_V6 if i & 1 else 0), i, 17,
                                      0, pattern[:8]) for i in range(20)),
        "atomic6": fr_raw(p | FR_V6, 14, 17, 0,
                          udp_msg[:8] + pattern[:100]),
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for target, seeds in (("eth", {**eth_seeds(), **v6_seeds()}),
                          ("link", link_seeds()),
                          ("conf", conf_seeds()),
                          ("tcp", tcp_seeds()), ("dhcp", dhcp_seeds()),
                          ("dhcpv6", dhcp6_seeds()), ("ndp", ndp_seeds()),
                          ("icmp", icmp_seeds()),
                          ("frag", frag_seeds())):
        d = os.path.join(here, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
