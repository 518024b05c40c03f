#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp-peer.py - TCP peer of the merd test world (tcp_xfer's other end)

Usage: tcp-peer.py [--ready FILE] [--port N] ADDR...

Listens on port N (5000) of each ADDR. A client sends one line,
"ID COMMAND [ARG]", then:

  sink [MS]     the peer reads to EOF, replies "sink bytes=N sha256=H", closes;
                with MS, it stops reading for MS milliseconds after 1 MiB
  source N      the peer sends N random bytes, then closes (FIN)
  echo          the peer echoes everything, shuts its write side at EOF
  reply N       half-close, client first: the peer reads to EOF, then sends
                "reply bytes=N sha256=H" and N random bytes, then closes
  shutfirst N   half-close, peer first: the peer sends N random bytes, shuts
                its write side, then reads what the client sends until EOF
  reset         the peer sends 1 MiB or more, waits, then resets (RST)
  resetup       the peer reads 1 MiB or more, then resets (RST)

Every connection ends with one line on stdout, "ID COMMAND key=value...",
with the bytes and SHA-256 of what the peer sent and received and how it
ended (status=ok, or the errno name), and the client's address (from=): the
test compares it with what the client printed.
"""
import errno
import hashlib
import os
import socket
import struct
import sys
import threading
import time

CHUNK = 1 << 20
LOG = threading.Lock()


def log(line):
    """One line on stdout, whole"""
    with LOG:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def err_name(e):
    """ECONNRESET and the like, for an OSError"""
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else str(e)


class Conn:
    """One accepted connection: its socket and what went through it"""

    def __init__(self, sock):
        self.s = sock
        self.rx = b""           # read past the request line
        self.sent = 0
        self.sent_sha = hashlib.sha256()
        self.rcvd = 0
        self.rcvd_sha = hashlib.sha256()

    def request(self):
        """Read the request line; keep what follows it in self.rx"""
        data = b""
        while b"\n" not in data and len(data) < 256:
            d = self.s.recv(256)
            if not d:
                break
            data += d
        line, _, self.rx = data.partition(b"\n")
        return line.decode(errors="replace").split()

    def recv(self):
        """Next bytes from the client, b"" at EOF; hashed"""
        if self.rx:
            d, self.rx = self.rx, b""
        else:
            d = self.s.recv(CHUNK)
        self.rcvd += len(d)
        self.rcvd_sha.update(d)
        return d

    def recv_to_eof(self, limit=None):
        """Read until EOF, or until limit bytes arrived"""
        while limit is None or self.rcvd < limit:
            if not self.recv():
                return

    def send(self, data):
        """Send all of data; hashed"""
        self.s.sendall(data)
        self.sent += len(data)
        self.sent_sha.update(data)

    def send_random(self, n):
        """Send n random bytes"""
        while n > 0:
            k = min(n, CHUNK)
            self.send(os.urandom(k))
            n -= k

    def abort(self):
        """Close with a RST (SO_LINGER 0)"""
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                          struct.pack("ii", 1, 0))
        self.s.close()

    def sent_kv(self):
        return "sent=%d sent_sha256=%s" % (self.sent, self.sent_sha.hexdigest())

    def rcvd_kv(self):
        return "received=%d received_sha256=%s" % (self.rcvd,
                                                   self.rcvd_sha.hexdigest())


def serve(c, req):
    """Run one request; return the status text for the log"""
    cmd, arg = req[1], int(req[2]) if len(req) > 2 else 0
    if cmd == "sink":
        if arg:
            c.recv_to_eof(1 << 20)
            time.sleep(arg / 1000)
        c.recv_to_eof()
        c.send(("sink bytes=%d sha256=%s\n" %
                (c.rcvd, c.rcvd_sha.hexdigest())).encode())
    elif cmd == "source":
        c.send_random(arg)
    elif cmd == "echo":
        while True:
            d = c.recv()
            if not d:
                break
            c.send(d)
        c.s.shutdown(socket.SHUT_WR)
    elif cmd == "reply":
        c.recv_to_eof()
        head = "reply bytes=%d sha256=%s\n" % (c.rcvd, c.rcvd_sha.hexdigest())
        c.s.sendall(head.encode())
        c.send_random(arg)
    elif cmd == "shutfirst":
        c.send_random(arg)
        c.s.shutdown(socket.SHUT_WR)
        log("%s %s shut write side %s" % (req[0], cmd, c.sent_kv()))
        c.recv_to_eof()
    elif cmd == "reset":
        c.send_random(1 << 20)
        time.sleep(0.5)
        c.abort()
    elif cmd == "resetup":
        c.recv_to_eof(1 << 20)
        c.abort()
    else:
        return "unknown-command"
    return "ok"


def handle(sock, addr):
    """Thread body for one connection from addr"""
    c = Conn(sock)
    req = []
    try:
        req = c.request()
        if len(req) < 2:
            raise ValueError("bad request %r" % req)
        status = serve(c, req)
    except OSError as e:
        status = err_name(e)
    except ValueError as e:
        status = "bad-request"
        log("? %s" % e)
    log("%s %s %s %s from=%s status=%s" % (req[0] if req else "?",
                                           req[1] if len(req) > 1 else "?",
                                           c.sent_kv(), c.rcvd_kv(), addr[0],
                                           status))
    try:
        c.s.close()
    except OSError:
        pass


def listen(addr, port):
    """Listening socket on addr:port"""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4096)
    return s


def accept_loop(ls):
    """Accept forever, one thread per connection"""
    while True:
        s, addr = ls.accept()
        threading.Thread(target=handle, args=(s, addr), daemon=True).start()


def main(argv):
    ready, port = None, 5000
    while argv and argv[0] in ("--ready", "--port"):
        if argv[0] == "--ready":
            ready = argv[1]
        else:
            port = int(argv[1])
        argv = argv[2:]
    threads = [threading.Thread(target=accept_loop, args=(listen(a, port),),
                                daemon=True) for a in argv]
    for t in threads:
        t.start()
    if ready:
        open(ready, "w").close()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main(sys.argv[1:])
