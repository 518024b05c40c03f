/* SPDX-License-Identifier: GPL-2.0-or-later */
/* splice.h - Loopback fast path: TCP joined socket to socket with splice(2) */
#ifndef MERD_SPLICE_H
#define MERD_SPLICE_H

#include <stdbool.h>
#include <stdint.h>

#define SPLICE_PIPE_SIZE	(512 << 10)	/* asked for; the kernel may
						 * give less (pipe-max-size,
						 * pipe-user-pages-soft) */

/**
 * struct splice_conn - State of one joined connection
 * @host:	Socket to the host's loopback (the flow's own socket is the
 *		namespace's side)
 * @pipe:	One pipe per direction: [0] namespace to host, [1] back;
 *		[dir][0] reads, [dir][1] writes
 * @pending:	Bytes in each pipe
 * @pipe_size:	Capacity of each pipe, bytes
 * @events:	epoll events each side is registered for: [0] namespace
 *		socket, [1] host socket
 * @flags:	enum splice_flag bits
 */
struct splice_conn {
	int host;
	int pipe[2][2];
	uint32_t pending[2];
	uint32_t pipe_size;
	uint32_t events[2];
	uint16_t flags;
};

/**
 * struct relay_conn - State of one -U flow
 * @lfd:	The namespace's socket its client sent to; answers leave
 *		through it
 */
struct relay_conn {
	int lfd;
};

struct ctx;
struct flow;

void splice_accept(struct ctx *c, int lfd, bool v6, uint16_t host_port);
void splice_event(struct ctx *c, struct flow *f, uint32_t events, int side);
void splice_close(struct flow *f);
const char *splice_state(const struct flow *f);

#endif /* MERD_SPLICE_H */
