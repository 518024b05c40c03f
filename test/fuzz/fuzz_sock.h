/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sock.h - A fake host socket layer for fuzz targets linked with
 * -Wl,--wrap: TCP sockets whose every answer the fuzz input decides
 */
#ifndef MERD_FUZZ_SOCK_H
#define MERD_FUZZ_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define FZ_SOCKS	64	/* fake sockets open at once, at most */

/**
 * struct fz_sock - One fake TCP socket: a host peer that never exists
 * @used:	Slot taken
 * @fd:		Real file descriptor standing for it (an eventfd, so that
 *		epoll_ctl() and close() work)
 * @listening:	A listening socket: accept4() makes new fake sockets
 * @accepts:	Connections waiting on a listening socket
 * @peer:	Address accept4() reports for the next connection
 * @so_error:	What SO_ERROR reports (and clears)
 * @err:	Error the next recv()/recvmsg()/send() fails with, 0 if none
 * @rx_total:	Bytes the host peer ever sent
 * @rx_head:	Bytes read (dropped) from the receive queue
 * @peek_off:	SO_PEEK_OFF, bytes from @rx_head; -1 if not set
 * @rx_peeked:	Highest stream offset merd ever peeked or read
 * @rx_eof:	The host peer shut its write side: EOF after the queue
 * @wr_shut:	merd shut its write side
 * @tx_total:	Bytes merd wrote
 * @send_room:	Bytes send() takes before it fails with EAGAIN
 * @sndbuf:	Send buffer size SO_MEMINFO reports
 * @outq:	Bytes queued SO_MEMINFO reports
 * @linger0:	merd asked for a reset on close (SO_LINGER 0)
 */
struct fz_sock {
	bool used;
	int fd;
	bool listening;
	int accepts;
	struct sockaddr_storage peer;
	int so_error;
	int err;
	uint64_t rx_total;
	uint64_t rx_head;
	int64_t peek_off;
	uint64_t rx_peeked;
	bool rx_eof;
	bool wr_shut;
	uint64_t tx_total;
	size_t send_room;
	int sndbuf;
	int outq;
	bool linger0;
};

/**
 * struct fz_sock_conf - What the next socket() and connect() do
 * @active:	Fake TCP sockets instead of real ones
 * @socket_err:	Error the next socket() fails with, 0 for none (once)
 * @connect_err: Error connect() fails with: 0 connected at once,
 *		EINPROGRESS, or a refusal (ECONNREFUSED, ENETUNREACH, ...)
 * @peek_off_ok: setsockopt(SO_PEEK_OFF) succeeds (Linux 6.9+)
 */
struct fz_sock_conf {
	bool active;
	int socket_err;
	int connect_err;
	bool peek_off_ok;
};

extern struct fz_sock_conf fz_conf;

struct fz_sock *fz_sock_of(int fd);
struct fz_sock *fz_sock_listen(void);
void fz_sock_close_all(void);
int fz_sock_connected(void);
uint8_t fz_host_byte(uint64_t off);
uint8_t fz_guest_byte(uint64_t off);

#endif /* MERD_FUZZ_SOCK_H */
