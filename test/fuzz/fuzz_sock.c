// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_sock.c - A fake host socket layer: TCP sockets whose answers the
 * fuzz input decides, for targets linked with
 *
 *	-Wl,--wrap=socket,--wrap=connect,--wrap=setsockopt,
 *	--wrap=getsockopt,--wrap=ioctl,--wrap=recv,--wrap=recvmsg,
 *	--wrap=send,--wrap=shutdown,--wrap=close,--wrap=accept4
 *
 * (see the Makefile). The linker sends every call of those functions to
 * the __wrap_ ones below; a call on a file descriptor that is not a fake
 * socket goes on to the C library (__real_), so the rest of the process
 * (the guest link, epoll, libFuzzer itself) is untouched. merd's code is
 * not changed at all: tcp.c makes its calls as in production.
 *
 * While fz_conf.active is set, socket(AF_INET or AF_INET6, SOCK_STREAM)
 * makes a fake socket: an eventfd stands for it, so epoll_ctl() and close()
 * work on a real descriptor, but nothing is ever connected or sent. The
 * fake host peer's byte stream is a known pattern (fz_host_byte()), so data
 * merd forwards to the guest can be checked byte by byte; what merd writes
 * must be the guest's pattern (fz_guest_byte()) in order, or the process
 * aborts: a wrong byte is a bug the fuzzer found. So is merd dropping bytes
 * from the receive queue that it never peeked (acknowledged data it never
 * sent), which aborts too.
 */
#include <errno.h>
#include <linux/sock_diag.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz_sock.h"

#define FZ_SEND_ROOM_DEFAULT	(1U << 20)
#define FZ_SNDBUF_DEFAULT	(1 << 18)

struct fz_sock_conf fz_conf = { .peek_off_ok = true };
static struct fz_sock socks[FZ_SOCKS];

/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp):
 * the linker's --wrap names these */
int __real_socket(int domain, int type, int protocol);
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __real_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);
int __real_getsockopt(int fd, int level, int name, void *val,
		      socklen_t *len);
int __real_ioctl(int fd, unsigned long req, ...);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __real_send(int fd, const void *buf, size_t len, int flags);
ssize_t __real_sendmsg(int fd, const struct msghdr *msg, int flags);
int __real_shutdown(int fd, int how);
int __real_close(int fd);
int __real_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);

int __wrap_socket(int domain, int type, int protocol);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);
int __wrap_getsockopt(int fd, int level, int name, void *val,
		      socklen_t *len);
int __wrap_ioctl(int fd, unsigned long req, ...);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags);
int __wrap_shutdown(int fd, int how);
int __wrap_close(int fd);
int __wrap_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

/**
 * fz_host_byte() - Byte of the fake host peer's stream at an offset
 * @off:	Offset from the start of the stream
 *
 * Return: the byte; any shift of the offset by less than 64 KiB changes it
 */
uint8_t fz_host_byte(uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 8) * 7 + (off >> 16));
}

/**
 * fz_guest_byte() - Byte of the fake guest's stream at an offset
 * @off:	Offset from the start of the stream
 *
 * Return: the byte (another pattern than the host's)
 */
uint8_t fz_guest_byte(uint64_t off)
{
	return (uint8_t)(fz_host_byte(off) ^ 0x5a);
}

/**
 * fz_fail() - A broken invariant: say which, and abort for libFuzzer
 * @what:	What went wrong
 * @s:		The socket it went wrong on
 */
static void fz_fail(const char *what, const struct fz_sock *s)
{
	fprintf(stderr, "fuzz_sock: %s (fd %d, rx %llu..%llu peeked %llu, "
		"tx %llu)\n", what, s->fd, (unsigned long long)s->rx_head,
		(unsigned long long)s->rx_total,
		(unsigned long long)s->rx_peeked,
		(unsigned long long)s->tx_total);
	abort();
}

/**
 * fz_sock_of() - The fake socket behind a file descriptor
 * @fd:		File descriptor
 *
 * Return: the fake socket, or NULL if @fd is a real one
 */
struct fz_sock *fz_sock_of(int fd)
{
	int i;

	for (i = 0; fd >= 0 && i < FZ_SOCKS; i++)
		if (socks[i].used && socks[i].fd == fd)
			return &socks[i];
	return NULL;
}

/**
 * fz_sock_new() - Make a fake socket with default answers
 *
 * Return: the socket, or NULL with errno set if none is left
 */
static struct fz_sock *fz_sock_new(void)
{
	struct fz_sock *s = NULL;
	int i, fd;

	for (i = 0; !s && i < FZ_SOCKS; i++)
		if (!socks[i].used)
			s = &socks[i];
	if (!s) {
		errno = EMFILE;
		return NULL;
	}
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->fd = fd;
	s->peek_off = -1;
	s->send_room = FZ_SEND_ROOM_DEFAULT;
	s->sndbuf = FZ_SNDBUF_DEFAULT;
	return s;
}

/**
 * fz_sock_listen() - Make a fake listening socket
 *
 * Return: the socket, or NULL if none is left
 */
struct fz_sock *fz_sock_listen(void)
{
	struct fz_sock *s = fz_sock_new();

	if (s)
		s->listening = true;
	return s;
}

/**
 * fz_sock_close_all() - Close every fake socket left
 */
void fz_sock_close_all(void)
{
	int i;

	for (i = 0; i < FZ_SOCKS; i++) {
		if (!socks[i].used)
			continue;
		socks[i].used = false;
		__real_close(socks[i].fd);
	}
}

/**
 * fz_sock_connected() - Count the fake sockets open, listeners aside
 *
 * Return: how many
 */
int fz_sock_connected(void)
{
	int i, n = 0;

	for (i = 0; i < FZ_SOCKS; i++)
		n += socks[i].used && !socks[i].listening;
	return n;
}

/**
 * fz_take_err() - Report a pending error once, as the kernel does
 * @s:		Fake socket
 *
 * Return: -1 with errno set if an error was pending, 0 otherwise
 */
static int fz_take_err(struct fz_sock *s)
{
	if (!s->err)
		return 0;
	errno = s->err;
	s->err = 0;
	return -1;
}

/**
 * __wrap_socket() - socket(): a fake TCP socket while faking is on
 * @domain:	Address family
 * @type:	Type and flags
 * @protocol:	Protocol
 *
 * Return: file descriptor, or -1 with errno set
 */
int __wrap_socket(int domain, int type, int protocol)
{
	struct fz_sock *s;

	if (!fz_conf.active || (domain != AF_INET && domain != AF_INET6) ||
	    (type & 0xf) != SOCK_STREAM)
		return __real_socket(domain, type, protocol);
	if (fz_conf.socket_err) {
		errno = fz_conf.socket_err;
		fz_conf.socket_err = 0;
		return -1;
	}
	s = fz_sock_new();
	return s ? s->fd : -1;
}

/**
 * __wrap_connect() - connect(): what fz_conf.connect_err says
 * @fd:		Socket
 * @sa:		Address
 * @len:	Its length
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct fz_sock *s = fz_sock_of(fd);

	if (!s)
		return __real_connect(fd, sa, len);
	if (!fz_conf.connect_err)
		return 0;
	errno = fz_conf.connect_err;
	return -1;
}

/**
 * __wrap_setsockopt() - setsockopt(): SO_PEEK_OFF and SO_LINGER noted
 * @fd:		Socket
 * @level:	Level
 * @name:	Option
 * @val:	Value
 * @len:	Its length
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len)
{
	struct fz_sock *s = fz_sock_of(fd);
	int v;

	if (!s)
		return __real_setsockopt(fd, level, name, val, len);
	if (level == SOL_SOCKET && name == SO_PEEK_OFF) {
		if (!fz_conf.peek_off_ok || len < sizeof(int)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&v, val, sizeof(v));
		s->peek_off = v < 0 ? -1 : v;
	} else if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger l;

		if (len < sizeof(l)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&l, val, sizeof(l));
		s->linger0 = l.l_onoff && !l.l_linger;
	}
	return 0;
}

/**
 * fz_meminfo() - SO_MEMINFO of a fake socket: its send buffer, and what
 * is queued there (payload only: a fake segment costs nothing more)
 * @s:		Fake socket
 * @val:	Where the values go
 * @len:	Their room, then their length
 *
 * Return: 0
 */
static int fz_meminfo(const struct fz_sock *s, void *val, socklen_t *len)
{
	uint32_t mi[SK_MEMINFO_VARS] = { 0 };

	mi[SK_MEMINFO_SNDBUF] = (uint32_t)s->sndbuf;
	mi[SK_MEMINFO_WMEM_QUEUED] = (uint32_t)s->outq;
	if (*len > sizeof(mi))
		*len = sizeof(mi);
	memcpy(val, mi, *len);
	return 0;
}

/**
 * __wrap_getsockopt() - getsockopt(): SO_ERROR and SO_MEMINFO
 * @fd:		Socket
 * @level:	Level
 * @name:	Option
 * @val:	Where the value goes
 * @len:	Its room, then its length
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_getsockopt(int fd, int level, int name, void *val,
		      socklen_t *len)
{
	struct fz_sock *s = fz_sock_of(fd);
	int v;

	if (!s)
		return __real_getsockopt(fd, level, name, val, len);
	if (level == SOL_SOCKET && name == SO_MEMINFO)
		return fz_meminfo(s, val, len);
	if (level != SOL_SOCKET || *len < sizeof(int) || name != SO_ERROR) {
		errno = ENOPROTOOPT;
		return -1;
	}
	v = s->so_error;
	s->so_error = 0;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

/**
 * __wrap_ioctl() - ioctl(): none is answered on fake sockets (merd asks
 * them nothing), the others go to the C library
 * @fd:		File descriptor
 * @req:	Request
 *
 * Return: the C library's answer, or -1 with errno ENOTTY
 */
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fz_sock_of(fd))
		return __real_ioctl(fd, req, arg);
	errno = ENOTTY;
	return -1;
}

/**
 * fz_copy_out() - Copy the host's stream into iovecs
 * @iov:	Vectors
 * @n_iov:	How many
 * @from:	Stream offset of the first byte
 * @avail:	Bytes there are from @from
 *
 * Return: bytes copied
 */
static size_t fz_copy_out(const struct iovec *iov, size_t n_iov,
			  uint64_t from, uint64_t avail)
{
	size_t done = 0, i, j;

	for (i = 0; i < n_iov && done < avail; i++) {
		uint8_t *p = iov[i].iov_base;

		for (j = 0; j < iov[i].iov_len && done < avail; j++)
			p[j] = fz_host_byte(from + done++);
	}
	return done;
}

/**
 * fz_read() - recv() or recvmsg() on a fake socket
 * @s:		Fake socket
 * @iov:	Vectors, NULL with MSG_TRUNC (the bytes are dropped)
 * @n_iov:	How many
 * @len:	Bytes wanted, the sum of the vectors' lengths
 * @flags:	MSG_PEEK, MSG_TRUNC
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
static ssize_t fz_read(struct fz_sock *s, const struct iovec *iov,
		       size_t n_iov, size_t len, int flags)
{
	uint64_t start = 0, avail, n;

	if (s->listening) {
		errno = ENOTCONN;
		return -1;
	}
	if (fz_take_err(s))
		return -1;
	if (flags & MSG_PEEK && s->peek_off >= 0)
		start = (uint64_t)s->peek_off;
	avail = s->rx_total - s->rx_head;
	avail = start < avail ? avail - start : 0;
	n = avail < len ? avail : len;
	if (!n && len) {
		if (s->rx_eof)
			return 0;
		errno = EAGAIN;
		return -1;
	}
	if (iov)
		n = fz_copy_out(iov, n_iov, s->rx_head + start, n);
	if (flags & MSG_PEEK) {
		if (s->peek_off >= 0)
			s->peek_off += (int64_t)n;
		if (s->rx_head + start + n > s->rx_peeked)
			s->rx_peeked = s->rx_head + start + n;
		return (ssize_t)n;
	}
	if (s->rx_head + n > s->rx_peeked)
		fz_fail("merd dropped bytes it never peeked", s);
	s->rx_head += n;
	if (s->peek_off >= 0)
		s->peek_off = s->peek_off > (int64_t)n ?
			      s->peek_off - (int64_t)n : 0;
	return (ssize_t)n;
}

/**
 * __wrap_recv() - recv(): the host peer's stream, peeked or dropped
 * @fd:		Socket
 * @buf:	Buffer, may be NULL with MSG_TRUNC
 * @len:	Bytes wanted
 * @flags:	Flags
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	struct fz_sock *s = fz_sock_of(fd);
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	if (!s)
		return __real_recv(fd, buf, len, flags);
	return fz_read(s, buf ? &iov : NULL, 1, len, flags);
}

/**
 * __wrap_recvmsg() - recvmsg(): the host peer's stream into iovecs
 * @fd:		Socket
 * @msg:	Message header
 * @flags:	Flags
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct fz_sock *s = fz_sock_of(fd);
	size_t len = 0, i;

	if (!s)
		return __real_recvmsg(fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	msg->msg_flags = 0;
	return fz_read(s, msg->msg_iov, msg->msg_iovlen, len, flags);
}

/**
 * fz_take() - Take what fz_sock.send_room allows of bytes merd writes,
 * checking they are the guest's stream in order
 * @s:		Fake socket, writable
 * @p:		Bytes
 * @len:	Their length
 *
 * Return: bytes taken
 */
static size_t fz_take(struct fz_sock *s, const uint8_t *p, size_t len)
{
	size_t n = len < s->send_room ? len : s->send_room, i;

	for (i = 0; i < n; i++)
		if (p[i] != fz_guest_byte(s->tx_total + i))
			fz_fail("merd wrote a byte the guest did not send "
				"there", s);
	s->tx_total += n;
	s->send_room -= n;
	return n;
}

/**
 * fz_writable() - Check a write may go to a fake socket
 * @s:		Fake socket
 *
 * Return: true, or false with errno set as the call is to fail
 */
static bool fz_writable(struct fz_sock *s)
{
	if (fz_take_err(s))
		return false;
	if (s->wr_shut || s->listening) {
		errno = s->listening ? ENOTCONN : EPIPE;
		return false;
	}
	if (!s->send_room) {
		errno = EAGAIN;
		return false;
	}
	return true;
}

/**
 * __wrap_send() - send(): take what fz_sock.send_room allows, check it is
 * the guest's stream in order
 * @fd:		Socket
 * @buf:	Bytes
 * @len:	Their length
 * @flags:	Flags
 *
 * Return: bytes taken, or -1 with errno set
 */
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
	struct fz_sock *s = fz_sock_of(fd);

	if (!s)
		return __real_send(fd, buf, len, flags);
	if (len && !fz_writable(s))
		return -1;
	return (ssize_t)fz_take(s, buf, len);
}

/**
 * __wrap_sendmsg() - sendmsg(): send() over each piece, in order, until
 * one is not taken whole
 * @fd:		Socket
 * @msg:	Message (no address, no control data on a TCP socket)
 * @flags:	Flags
 *
 * Return: bytes taken, or -1 with errno set
 */
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct fz_sock *s = fz_sock_of(fd);
	size_t i, n, total = 0, want = 0;

	if (!s)
		return __real_sendmsg(fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++)
		want += msg->msg_iov[i].iov_len;
	if (want && !fz_writable(s))
		return -1;
	for (i = 0; i < msg->msg_iovlen; i++) {
		n = fz_take(s, msg->msg_iov[i].iov_base,
			    msg->msg_iov[i].iov_len);
		total += n;
		if (n < msg->msg_iov[i].iov_len)
			break;
	}
	return (ssize_t)total;
}

/**
 * __wrap_shutdown() - shutdown(): note the closed write side
 * @fd:		Socket
 * @how:	SHUT_RD, SHUT_WR or SHUT_RDWR
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_shutdown(int fd, int how)
{
	struct fz_sock *s = fz_sock_of(fd);

	if (!s)
		return __real_shutdown(fd, how);
	if (how != SHUT_RD)
		s->wr_shut = true;
	return 0;
}

/**
 * __wrap_close() - close(): forget a fake socket, close its eventfd
 * @fd:		File descriptor
 *
 * Return: what close() returns
 */
int __wrap_close(int fd)
{
	struct fz_sock *s = fz_sock_of(fd);

	if (s)
		s->used = false;
	return __real_close(fd);
}

/**
 * __wrap_accept4() - accept4(): a new fake socket per waiting connection
 * @fd:		Listening socket
 * @sa:		Where the client's address goes
 * @len:	Its room, then its length
 * @flags:	Flags
 *
 * Return: the new socket, or -1 with errno set
 */
int __wrap_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	struct fz_sock *s = fz_sock_of(fd), *n;

	if (!s)
		return __real_accept4(fd, sa, len, flags);
	if (!s->listening || !s->accepts) {
		errno = s->listening ? EAGAIN : EINVAL;
		return -1;
	}
	s->accepts--;
	n = fz_sock_new();
	if (!n)
		return -1;
	if (sa && len) {
		memcpy(sa, &s->peer, *len < sizeof(s->peer) ? *len :
		       sizeof(s->peer));
		*len = sizeof(s->peer);
	}
	return n->fd;
}
