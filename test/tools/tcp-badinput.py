#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp-badinput.py - A fake guest TCP that sends merd bad segments

  tcp-badinput.py tap IFNAME [SRC_ADDR]   AF_PACKET on IFNAME (namespace
                                          mode, run inside the netns)
  tcp-badinput.py stream SOCK [SRC_ADDR]  a fake qemu on merd's socket

The fake guest speaks TCP itself, from SRC_ADDR (default 198.51.100.10; in
namespace mode pick an address the namespace does not own, so that its
kernel drops merd's answers instead of resetting them), to the TCP peer of
the world (tcp-peer.py on 203.0.113.2:5000). Each case prints one line
"case NAME: ok (...)" or "case NAME: FAIL (...)":

  bare_ack      control: an ACK of no connection is answered with RST
  synfin        SYN+FIN: dropped, no answer (and no connection)
  synrst        SYN+RST: dropped, no answer
  doff_short    data offset 4 on a fresh port: dropped, no RST
  doff_long     data offset 15 in a 28-byte segment: dropped, no RST
  wscale200     SYN with window scale 200: merd uses 14 (RFC 7323 2.3): with
                a window field of 1 it sends 16384 bytes before our ACK, in
                segments no larger than our MSS (1000)
  retransmit    a guest that lost all but the first segment of a burst: three
                duplicate ACKs make merd send again from the hole (fast
                retransmit), silence makes it send again (timeout), and the
                download completes intact ("retransmit down ..." line)
  syn_payload   SYN carrying the request line: what merd acknowledges of it
                reaches the peer once, the rest after the handshake
  On one live connection (a "sink" upload; its reply checks what the peer
  got is exactly the legitimate bytes):
  live_doff_short, live_doff_long   data with a bad data offset: dropped
  seq_far       data 2^31 beyond RCV.NXT: not accepted, answered by an ACK
                of RCV.NXT (RFC 9293 3.10.7.4)
  rst_far       RST 2^31 beyond RCV.NXT: ignored, the connection lives
  syn_live      SYN on the connection: challenge ACK (RFC 9293 3.10.7.4)
  dup_old       data merd already acknowledged, sent again: ACK of RCV.NXT
  ooo           data beyond a hole: not taken, duplicate ACK of RCV.NXT
  ack_unsent    data whose ACK field acknowledges bytes merd never sent:
                dropped and answered by an ACK (RFC 9293 3.10.7.4)
  after         a fresh connection downloads 200000 bytes; prints
                "after-ID down received=N sha256=H result=OK" for the test
                to compare with the peer's log

Prints "tcp bad segments sent: N" and exits 0 only if every case passed.
"""
import importlib.util
import os
import random
import socket
import struct
import sys
import time
import hashlib

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "inject_frames", os.path.join(HERE, "inject-frames.py"))
inj = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inj)

PEER = socket.inet_aton("203.0.113.2")
PORT = 5000
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = 1000
QUIET = 0.5                 # seconds of silence that mean "no answer"
bad_sent = 0


def tcp_csum(src, dst, seg):
    """TCP checksum over the IPv4 pseudo-header and seg"""
    return inj.csum(src + dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)


class Seg:
    """A parsed segment from merd"""

    def __init__(self, f):
        ihl = (f[14] & 0x0f) * 4
        t = f[14 + ihl:14 + struct.unpack("!H", f[16:18])[0]]
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.wnd) = struct.unpack("!HHIIBBH", t[:16])
        doff = (off >> 4) * 4
        self.opts = t[20:doff]
        self.data = t[doff:]

    def wscale(self):
        """Window scale option value, or None"""
        o, i = self.opts, 0
        while i < len(o):
            if o[i] == 0:
                break
            if o[i] == 1:
                i += 1
                continue
            if i + 1 < len(o) and o[i] == 3 and o[i + 1] == 3:
                return o[i + 2]
            i += max(o[i + 1], 2) if i + 1 < len(o) else len(o)
        return None

    def __str__(self):
        names = "".join(n for b, n in ((SYN, "S"), (FIN, "F"), (RST, "R"),
                                       (PSH, "P"), (ACK, "."))
                        if self.flags & b)
        return "[%s] seq=%u ack=%u wnd=%u len=%u" % (names, self.seq,
                                                     self.ack, self.wnd,
                                                     len(self.data))


class Fake:
    """One fake TCP endpoint of the guest"""

    def __init__(self, link, gw, src, sport=None):
        self.link, self.gw, self.src = link, gw, src
        self.sport = sport or random.randint(20000, 60000)
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss
        self.rcv_nxt = 0
        self.wnd = 65535

    def send(self, flags, seq=None, ack=None, data=b"", wnd=None, opts=b"",
             doff=None, bad=False):
        """Build and send one segment; bad ones are counted"""
        global bad_sent
        seq = self.snd_nxt if seq is None else seq
        ack = self.rcv_nxt if ack is None else ack
        hlen = 20 + len(opts)
        doff = hlen // 4 if doff is None else doff
        wnd = self.wnd if wnd is None else wnd
        t = struct.pack("!HHIIBBHHH", self.sport, PORT, seq & 0xffffffff,
                        ack & 0xffffffff, doff << 4, flags, wnd, 0, 0)
        t += opts + data
        t = t[:16] + struct.pack("!H", tcp_csum(self.src, PEER, t)) + t[18:]
        frame = inj.eth(self.gw, self.link.mac, 0x0800,
                        inj.ip4(t, self.src, PEER, proto=6))
        self.link.send(frame)
        if bad:
            bad_sent += 1

    def recv(self, timeout):
        """Next segment of this connection from merd, or None"""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            f = self.link.recv(left)
            if (not f or len(f) < 54 or f[12:14] != b"\x08\x00"
                    or f[23] != 6 or f[26:30] != PEER or f[30:34] != self.src):
                continue
            s = Seg(f)
            if s.sport == PORT and s.dport == self.sport:
                return s

    def quiet(self, timeout=QUIET):
        """Return the first segment merd sends within timeout, or None"""
        return self.recv(timeout)

    def connect(self, opts=None, data=b""):
        """Handshake; return the SYN-ACK (None if none came)"""
        if opts is None:
            opts = struct.pack("!BBH", 2, 4, MSS) + b"\x01\x03\x03\x07"
        self.send(SYN, ack=0, opts=opts, data=data)
        s = self.recv(3)
        if not s or s.flags & (SYN | ACK) != SYN | ACK:
            return None
        self.snd_nxt = s.ack
        self.rcv_nxt = (s.seq + 1) & 0xffffffff
        self.send(ACK)
        return s

    def send_data(self, data):
        """Send data in MSS pieces; True once merd acknowledged it all"""
        for i in range(0, len(data), MSS):
            self.send(ACK | PSH, data=data[i:i + MSS])
            self.snd_nxt = (self.snd_nxt + len(data[i:i + MSS])) & 0xffffffff
        end = time.monotonic() + 5
        while time.monotonic() < end:
            s = self.recv(end - time.monotonic())
            if s and s.ack == self.snd_nxt:
                return True
        return False

    def take(self, s, wnd=None):
        """Account for an in-order segment s from merd; ACK it"""
        if s.seq != self.rcv_nxt:
            return b""
        self.rcv_nxt = (self.rcv_nxt + len(s.data) +
                        (1 if s.flags & FIN else 0)) & 0xffffffff
        self.send(ACK, wnd=wnd)
        return s.data

    def recv_to_fin(self, limit, timeout=10):
        """Receive until merd's FIN, ACKing; return the bytes"""
        out = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(out) <= limit:
            s = self.recv(end - time.monotonic())
            if not s:
                break
            out += self.take(s)
            if s.flags & FIN and s.seq + len(s.data) + 1 == self.rcv_nxt:
                return out, True
        return out, False

    def close(self):
        """Send our FIN"""
        self.send(FIN | ACK)
        self.snd_nxt = (self.snd_nxt + 1) & 0xffffffff


results = []


def case(name, ok, detail):
    """Record and print one case"""
    results.append(ok)
    print("case %s: %s (%s)" % (name, "ok" if ok else "FAIL", detail))


def fresh_port_cases(link, gw, src):
    """Cases on ports with no connection"""
    f = Fake(link, gw, src)
    f.send(ACK, seq=f.iss, ack=12345)
    s = f.quiet()
    case("bare_ack", bool(s and s.flags & RST), "answer: %s" % s)

    for name, flags in (("synfin", SYN | FIN), ("synrst", SYN | RST)):
        f = Fake(link, gw, src)
        f.send(flags, ack=0, bad=True)
        s = f.quiet()
        case(name, s is None, "answer: %s" % s)
        if s and s.flags & SYN:         # do not leave it behind
            f.send(RST, seq=s.ack, ack=0)

    for name, doff, data in (("doff_short", 4, b"EVIL-DOFF"),
                             ("doff_long", 15, b"EVIL-DOF")):
        f = Fake(link, gw, src)
        f.send(ACK, ack=12345, doff=doff, data=data, bad=True)
        s = f.quiet()
        case(name, s is None, "answer: %s" % s)


def wscale_case(link, gw, src):
    """SYN with window scale 200, then a window field of 1"""
    f = Fake(link, gw, src)
    opts = struct.pack("!BBH", 2, 4, MSS) + b"\x01\x03\x03" + bytes([200])
    global bad_sent
    bad_sent += 1
    f.wnd = 1
    sa = f.connect(opts=opts)
    if not sa:
        case("wscale200", False, "no SYN-ACK")
        return
    req = b"wscale200 source 200000\n"
    f.send(ACK | PSH, data=req)
    f.snd_nxt += len(req)
    got, biggest = b"", 0
    while True:                 # all merd sends before we ACK anything
        s = f.recv(QUIET)
        if not s:
            break
        biggest = max(biggest, len(s.data))
        if s.seq == (f.rcv_nxt + len(got)) & 0xffffffff:
            got += s.data
    inflight = len(got)
    f.rcv_nxt = (f.rcv_nxt + len(got)) & 0xffffffff
    f.wnd = 4                   # 64 KiB at a shift of 14
    f.send(ACK)
    rest, fin = f.recv_to_fin(200000)
    data = got + rest
    f.close()
    f.quiet(0.2)
    ok = (sa.wscale() is not None and inflight == 16384 and fin and
          len(data) == 200000 and biggest <= MSS)
    case("wscale200", ok, "SYN-ACK %s wscale %s; %d bytes before our first "
         "ACK with window field 1, largest segment %d; %d bytes in all, FIN "
         "%s" % (sa, sa.wscale(), inflight, biggest, len(data), fin))
    print("wscale200 down received=%d sha256=%s result=OK" %
          (len(data), hashlib.sha256(data).hexdigest()))


def retransmit_case(link, gw, src):
    """Lose all but the first segment of a burst; expect merd to resend"""
    f = Fake(link, gw, src)
    if not f.connect():
        case("retransmit", False, "no SYN-ACK")
        return
    req = b"retransmit source 50000\n"
    f.send(ACK | PSH, data=req)
    f.snd_nxt += len(req)
    d0 = f.rcv_nxt
    first, burst = None, 0
    while True:
        s = f.recv(QUIET)
        if not s:
            break
        burst += len(s.data)
        if s.seq == d0 and s.data:
            first = s.data
    if not first:
        case("retransmit", False, "no data from merd")
        return
    hole = (d0 + len(first)) & 0xffffffff
    f.rcv_nxt = hole
    for _ in range(4):          # one new ACK, three duplicates
        f.send(ACK)
    fast = None                 # within 150 ms: before any timer could
    end = time.monotonic() + 0.15
    while time.monotonic() < end and not fast:
        s = f.recv(end - time.monotonic())
        if s and s.seq == hole and s.data:
            fast = s
    while f.recv(0.1):          # the rest of the resent burst
        pass
    timed = None
    end = time.monotonic() + 3
    while time.monotonic() < end and not timed:
        s = f.recv(end - time.monotonic())
        if s and s.seq == hole and s.data:
            timed = s
    f.send(ACK)                 # and now take it all
    rest, fin = f.recv_to_fin(50000)
    data = first + rest
    f.close()
    f.quiet(0.2)
    case("retransmit", bool(fast and timed and fin and len(data) == 50000),
         "%d bytes before our ACK; resent from the hole after 3 duplicate "
         "ACKs: %s;"
         " after silence: %s; %d bytes in all, FIN %s" %
         (burst, fast, timed, len(data), fin))
    print("retransmit down received=%d sha256=%s result=%s" %
          (len(data), hashlib.sha256(data).hexdigest(),
           "OK" if fin else "NOFIN"))


def syn_payload_case(link, gw, src):
    """SYN carrying the request line"""
    f = Fake(link, gw, src)
    req = b"synpayload sink\n"
    global bad_sent
    bad_sent += 1
    sa = f.connect(data=req)
    if not sa:
        case("syn_payload", False, "no SYN-ACK")
        return
    took = (sa.ack - f.iss - 1) & 0xffffffff
    if took not in (0, len(req)):
        case("syn_payload", False, "SYN-ACK acknowledges %d bytes" % took)
        return
    body = os.urandom(5000)
    ok = f.send_data(req[took:] + body)
    f.close()
    reply, fin = f.recv_to_fin(200)
    want = "sink bytes=%d sha256=%s\n" % (len(body),
                                          hashlib.sha256(body).hexdigest())
    case("syn_payload", ok and fin and reply.decode() == want,
         "SYN-ACK %s took %d bytes of the SYN's %d; reply %r" %
         (sa, took, len(req), reply))


def live_cases(link, gw, src):
    """Bad segments on one live connection; its reply proves what got in"""
    f = Fake(link, gw, src)
    if not f.connect():
        case("live", False, "no SYN-ACK")
        return
    legit = os.urandom(3000)
    f.send_data(b"live sink\n" + legit[:1000])

    for name, doff, data in (("live_doff_short", 4, b"EVIL-DOFF"),
                             ("live_doff_long", 15, b"EVIL-DOF")):
        f.send(ACK, doff=doff, data=data, bad=True)
        s = f.quiet()
        case(name, s is None, "answer: %s" % s)

    f.send(ACK | PSH, seq=f.snd_nxt + 0x80000000, data=b"EVIL-SEQ", bad=True)
    s = f.quiet()
    case("seq_far", bool(s and s.flags == ACK and s.ack == f.snd_nxt and
                         not s.data), "answer: %s, RCV.NXT %u" %
         (s, f.snd_nxt))

    f.send(RST, seq=f.snd_nxt + 0x80000000, ack=0, bad=True)
    s = f.quiet()
    alive = f.send_data(legit[1000:2000])
    case("rst_far", s is None and alive,
         "answer: %s; data after it acknowledged: %s" % (s, alive))

    f.send(SYN, seq=f.snd_nxt - 500, ack=0, bad=True)
    s = f.quiet()
    case("syn_live", bool(s and s.flags == ACK and s.ack == f.snd_nxt),
         "answer: %s, RCV.NXT %u" % (s, f.snd_nxt))

    f.send(ACK | PSH, seq=f.snd_nxt - 1000, data=legit[1000:2000])
    s = f.quiet()
    case("dup_old", bool(s and s.flags == ACK and s.ack == f.snd_nxt),
         "answer: %s, RCV.NXT %u" % (s, f.snd_nxt))

    f.send(ACK | PSH, seq=f.snd_nxt + 500, data=legit[2500:3000])
    s = f.quiet()
    case("ooo", bool(s and s.flags == ACK and s.ack == f.snd_nxt),
         "answer: %s, RCV.NXT %u" % (s, f.snd_nxt))

    f.send(ACK | PSH, ack=f.rcv_nxt + 100000, data=b"EVIL-ACK", bad=True)
    s = f.quiet()
    case("ack_unsent", bool(s and s.flags == ACK and s.ack == f.snd_nxt),
         "answer: %s, RCV.NXT %u" % (s, f.snd_nxt))

    alive = f.send_data(legit[2000:])
    f.close()
    reply, fin = f.recv_to_fin(200)
    want = "sink bytes=%d sha256=%s\n" % (len(legit),
                                          hashlib.sha256(legit).hexdigest())
    case("live", alive and fin and reply.decode() == want,
         "peer's reply %r, want %r" % (reply, want))


def after_case(link, gw, src):
    """A plain download on a fresh connection"""
    f = Fake(link, gw, src)
    f.wnd = 65535
    if not f.connect(opts=struct.pack("!BBH", 2, 4, MSS)):
        case("after", False, "no SYN-ACK")
        return
    req = b"after source 200000\n"
    f.send(ACK | PSH, data=req)
    f.snd_nxt += len(req)
    data, fin = f.recv_to_fin(200000)
    f.close()
    f.quiet(0.2)
    print("after down received=%d sha256=%s result=%s" %
          (len(data), hashlib.sha256(data).hexdigest(),
           "OK" if fin else "NOFIN"))
    case("after", fin and len(data) == 200000, "%d bytes, FIN %s" %
         (len(data), fin))


def main(argv):
    if len(argv) not in (2, 3) or argv[0] not in ("tap", "stream"):
        print(__doc__, file=sys.stderr)
        return 2
    src = socket.inet_aton(argv[2] if len(argv) == 3 else "198.51.100.10")
    link = inj.Tap(argv[1]) if argv[0] == "tap" else inj.Stream(argv[1])
    gw = inj.arp_gateway(link)
    if gw is None:
        print("FAIL: no ARP reply for the gateway")
        return 1
    fresh_port_cases(link, gw, src)
    wscale_case(link, gw, src)
    retransmit_case(link, gw, src)
    syn_payload_case(link, gw, src)
    live_cases(link, gw, src)
    after_case(link, gw, src)
    print("tcp bad segments sent: %d" % bad_sent)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main(sys.argv[1:]))
