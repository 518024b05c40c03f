#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""dns-query.py SERVER NAME [A|AAAA|TXT] - One DNS query over UDP, no resolver

The query advertises EDNS0 with a UDP payload size of 65535. Prints
"rcode=N", one "answer=ADDR" line per A/AAAA record, one "txt=LEN SHA256"
line per TXT record (its strings joined) and "size=N", the response's
length; exits 0 if a well-formed response with our ID and question came
back within 3 s.
"""
import hashlib
import socket
import struct
import sys


def main(server, name, qtype="A"):
    t = {"A": 1, "AAAA": 28, "TXT": 16}[qtype.upper()]
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    msg = struct.pack("!6H", 0x4d52, 0x0100, 1, 0, 0, 1) + q + struct.pack("!HH", t, 1)
    opt = b"\0" + struct.pack("!HHIH", 41, 65535, 0, 0)  # EDNS0 OPT
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(msg + opt, (server, 53))
    r = s.recv(65536)
    qid, flags, qd, an = struct.unpack_from("!4H", r)
    if qid != 0x4d52 or not flags & 0x8000 or r[12:len(msg)] != msg[12:]:
        print("bad response")
        return 1
    print("rcode=%d" % (flags & 0xf))
    print("size=%d" % len(r))
    off = len(msg)
    for _ in range(an):
        while r[off] and r[off] < 0xc0:         # name: labels, then end/pointer
            off += r[off] + 1
        off += 2 if r[off] >= 0xc0 else 1
        rtype, _, _, rdlen = struct.unpack_from("!HHIH", r, off)
        off += 10
        if rtype in (1, 28):
            f = socket.AF_INET if rtype == 1 else socket.AF_INET6
            print("answer=%s" % socket.inet_ntop(f, r[off:off + rdlen]))
        elif rtype == 16:
            d, i, txt = r[off:off + rdlen], 0, b""
            while i < len(d):
                txt += d[i + 1:i + 1 + d[i]]
                i += 1 + d[i]
            print("txt=%d %s" % (len(txt), hashlib.sha256(txt).hexdigest()))
        off += rdlen
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
