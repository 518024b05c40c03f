// SPDX-License-Identifier: GPL-2.0-or-later
/* splice.c - Loopback fast path (-T): a connection to the namespace's
 * loopback joined to one to the host's, socket to socket, with splice(2)
 *
 * Theory of operation
 *
 * A client in the namespace connects to a port merd listens on there
 * (nsfwd.c). merd accepts, connects a socket of its own network namespace
 * to the same family's loopback address (127.0.0.1 or ::1) at the target
 * port, and joins the two: no frame, no TCP of merd's own, the kernel's TCP
 * on both sides. The flow's socket is the namespace's side, @splice.host
 * the host's; the flow's epoll reference is EPOLL_TYPE_FLOW for the first,
 * EPOLL_TYPE_SPLICE for the second.
 *
 * Each direction has a pipe: splice() moves bytes from the source socket
 * into it, then from it into the destination socket, in the kernel (pages
 * move, they are not copied through merd). Pipe sizes are bounded
 * (SPLICE_PIPE_SIZE, or less if the kernel's per-user limit says so), and
 * what the destination does not take stays in the pipe and then in the
 * source's receive queue: the source's window closes, no memory grows.
 *
 * Events are level-triggered, and a side is watched only for what can make
 * progress: EPOLLIN while its pipe is empty and it has not ended, EPOLLOUT
 * while bytes wait in the pipe toward it, so a full pipe or a slow reader
 * never spins the loop. Until the host's connect completes, only its
 * EPOLLOUT is watched.
 *
 * Ends: a source read to end of file, once its pipe is drained, becomes a
 * shutdown(SHUT_WR) of the destination (half-close carried over); when both
 * directions ended, the flow is removed. An error on either socket (the
 * peer's reset, a refused connect) resets the other one (SO_LINGER 0, then
 * close) and removes the flow. Idle flows expire after TCP_IDLE_TIMEOUT_S.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "inany.h"
#include "log.h"
#include "merd.h"
#include "splice.h"
#include "tcp.h"

#define SPLICE_ACCEPT_BUDGET	32
#define SPLICE_ROUNDS		16	/* pipe fills per direction per event */

enum splice_flag {
	SPLICE_F_CONNECTING	= 1 << 0,	/* host socket not connected yet */
	SPLICE_F_EOF0		= 1 << 1,	/* namespace side read to EOF */
	SPLICE_F_EOF1		= 1 << 2,	/* host side read to EOF */
	SPLICE_F_SHUT0		= 1 << 3,	/* host side's write shut */
	SPLICE_F_SHUT1		= 1 << 4,	/* namespace side's write shut */
	SPLICE_F_GONE0		= 1 << 5,	/* namespace side off epoll */
	SPLICE_F_GONE1		= 1 << 6,	/* host side off epoll */
};

#define SPLICE_EOF(dir)		((dir) ? SPLICE_F_EOF1 : SPLICE_F_EOF0)
#define SPLICE_SHUT(dir)	((dir) ? SPLICE_F_SHUT1 : SPLICE_F_SHUT0)
#define SPLICE_GONE(side)	((side) ? SPLICE_F_GONE1 : SPLICE_F_GONE0)

/**
 * splice_fd() - Socket of one side
 * @f:		Flow
 * @side:	0 for the namespace's, 1 for the host's
 *
 * Return: the socket
 */
static int splice_fd(const struct flow *f, int side)
{
	return side ? f->splice.host : f->sock;
}

/**
 * splice_state() - State of a joined connection, in the words of TCP flows
 * @f:		Flow, FLOW_SPLICE
 *
 * Return: "connecting" (to the host's loopback), "established",
 * "fin-guest" (the namespace's client closed its half), "fin-host" (the
 * host's server closed its half) or "closing" (both)
 */
const char *splice_state(const struct flow *f)
{
	uint16_t fl = f->splice.flags;

	if (fl & SPLICE_F_CONNECTING)
		return "connecting";
	if (fl & SPLICE_F_EOF0 && fl & SPLICE_F_EOF1)
		return "closing";
	if (fl & SPLICE_F_EOF0)
		return "fin-guest";
	if (fl & SPLICE_F_EOF1)
		return "fin-host";
	return "established";
}

/**
 * splice_close() - Close the host socket and the pipes of a flow
 * @f:		Flow being removed (its own socket is closed by flow.c)
 */
void splice_close(struct flow *f)
{
	struct splice_conn *sp = &f->splice;
	int d, e;

	if (sp->host >= 0)
		close(sp->host);
	sp->host = -1;
	for (d = 0; d < 2; d++) {
		for (e = 0; e < 2; e++) {
			if (sp->pipe[d][e] >= 0)
				close(sp->pipe[d][e]);
			sp->pipe[d][e] = -1;
		}
	}
}

/**
 * splice_abort() - Reset the other end of a failed side, remove the flow
 * @c:		Execution context
 * @f:		Flow
 * @failed:	Side whose socket failed (reset, refused), -1 for neither
 */
static void splice_abort(struct ctx *c, struct flow *f, int failed)
{
	static const struct linger now = { .l_onoff = 1, .l_linger = 0 };
	int side;

	for (side = 0; side < 2; side++) {
		if (side != failed && splice_fd(f, side) >= 0)
			setsockopt(splice_fd(f, side), SOL_SOCKET, SO_LINGER,
				   &now, sizeof(now));
	}
	flow_remove(c, f);
}

/**
 * splice_in() - Move what the source has into the pipe of a direction
 * @f:		Flow
 * @dir:	0: namespace to host, 1: host to namespace
 *
 * Return: bytes moved, 0 at end of file or with nothing to read (then
 * -EAGAIN), negative errno on a socket error
 */
static ssize_t splice_in(struct flow *f, int dir)
{
	struct splice_conn *sp = &f->splice;
	ssize_t n;

	n = splice(splice_fd(f, dir), NULL, sp->pipe[dir][1], NULL,
		   sp->pipe_size - sp->pending[dir],
		   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		sp->pending[dir] += (uint32_t)n;
		return n;
	}
	if (!n) {
		sp->flags |= SPLICE_EOF(dir);
		return 0;
	}
	return -errno;
}

/**
 * splice_out() - Move what a direction's pipe holds to its destination
 * @f:		Flow
 * @dir:	0: namespace to host, 1: host to namespace
 *
 * Return: bytes moved, or negative errno (-EAGAIN: destination full)
 */
static ssize_t splice_out(struct flow *f, int dir)
{
	struct splice_conn *sp = &f->splice;
	ssize_t n;

	n = splice(sp->pipe[dir][0], NULL, splice_fd(f, !dir), NULL,
		   sp->pending[dir], SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n < 0)
		return -errno;
	sp->pending[dir] -= (uint32_t)n;
	if (dir)
		f->bytes_in += (uint64_t)n;	/* delivered to the namespace */
	else
		f->bytes_out += (uint64_t)n;	/* delivered to the host */
	return n;
}

/**
 * splice_dir() - Move one direction's bytes as far as both ends allow
 * @f:		Flow, connected
 * @dir:	0: namespace to host, 1: host to namespace
 *
 * Return: 0, or the side whose socket failed plus one, negated
 */
static int splice_dir(struct flow *f, int dir)
{
	struct splice_conn *sp = &f->splice;
	int round;

	for (round = 0; round < SPLICE_ROUNDS; round++) {
		ssize_t in = 0, out = 0;

		if (!(sp->flags & SPLICE_EOF(dir)) &&
		    sp->pending[dir] < sp->pipe_size) {
			in = splice_in(f, dir);
			if (in < 0 && in != -EAGAIN)
				return -(dir + 1);
		}
		if (sp->pending[dir]) {
			out = splice_out(f, dir);
			if (out < 0 && out != -EAGAIN)
				return -(!dir + 1);
		}
		if (out <= 0 && (in <= 0 || sp->pending[dir]))
			break;	/* source dry or ended, or destination full */
	}
	if ((sp->flags & SPLICE_EOF(dir)) && !sp->pending[dir] &&
	    !(sp->flags & SPLICE_SHUT(dir))) {
		shutdown(splice_fd(f, !dir), SHUT_WR);
		sp->flags |= SPLICE_SHUT(dir);
	}
	return 0;
}

/**
 * splice_want() - epoll events a side should be watched for
 * @f:		Flow
 * @side:	0 for the namespace's socket, 1 for the host's
 *
 * Return: events, 0 if nothing on that side can make progress
 */
static uint32_t splice_want(const struct flow *f, int side)
{
	const struct splice_conn *sp = &f->splice;
	uint32_t ev = 0;

	if (sp->flags & SPLICE_F_CONNECTING)
		return side ? EPOLLOUT : 0;
	if (!(sp->flags & SPLICE_EOF(side)) && !sp->pending[side])
		ev |= EPOLLIN;
	if (sp->pending[!side])
		ev |= EPOLLOUT;
	return ev;
}

/**
 * splice_watch() - Update what each side is watched for
 * @c:		Execution context
 * @f:		Flow
 * @hup:	Sides that reported EPOLLHUP (bit per side): with nothing to
 *		wait for, they leave epoll, which would report it forever
 *
 * Return: 0, or negative errno from epoll_ctl
 */
static int splice_watch(struct ctx *c, struct flow *f, unsigned int hup)
{
	struct splice_conn *sp = &f->splice;
	uint32_t idx = flow_index(&c->flows, f);
	int side;

	for (side = 0; side < 2; side++) {
		uint32_t want = splice_want(f, side);
		uint64_t ref = side ? EPOLL_REF(EPOLL_TYPE_SPLICE, idx)
				    : EPOLL_REF(EPOLL_TYPE_FLOW, idx);

		if (sp->flags & SPLICE_GONE(side))
			continue;
		if (!want && (hup & (1U << side))) {
			epoll_del(c, splice_fd(f, side));
			sp->flags |= SPLICE_GONE(side);
			continue;
		}
		if (want == sp->events[side])
			continue;
		if (epoll_mod(c, splice_fd(f, side), want, ref))
			return -errno;
		sp->events[side] = want;
	}
	return 0;
}

/**
 * splice_connected() - The host socket's connect finished, or failed
 * @c:		Execution context
 * @f:		Flow, connecting
 *
 * Return: true if connected, false if it failed (the flow is gone: the
 * namespace's client is reset)
 */
static bool splice_connected(struct ctx *c, struct flow *f)
{
	int e = 0;
	socklen_t sl = sizeof(e);

	if (getsockopt(f->splice.host, SOL_SOCKET, SO_ERROR, &e, &sl) || e) {
		debug_ratelimited("splice: flow %u: connect: %s",
				  flow_index(&c->flows, f),
				  strerror(e ? e : errno));
		splice_abort(c, f, 1);
		return false;
	}
	f->splice.flags &= (uint16_t)~SPLICE_F_CONNECTING;
	return true;
}

/**
 * splice_event() - Something happened on one socket of a joined connection
 * @c:		Execution context
 * @f:		Flow
 * @events:	epoll events
 * @side:	0 for the namespace's socket, 1 for the host's
 */
void splice_event(struct ctx *c, struct flow *f, uint32_t events, int side)
{
	struct splice_conn *sp = &f->splice;
	int rc, dir;

	if (f->key.proto != FLOW_SPLICE)
		return;
	if (events & EPOLLERR) {	/* reset, or refused */
		splice_abort(c, f, side);
		return;
	}
	if ((sp->flags & SPLICE_F_CONNECTING) &&
	    (!side || !splice_connected(c, f)))
		return;
	for (dir = 0; dir < 2; dir++) {
		rc = splice_dir(f, dir);
		if (rc) {
			splice_abort(c, f, -rc - 1);
			return;
		}
	}
	if ((sp->flags & (SPLICE_F_SHUT0 | SPLICE_F_SHUT1)) ==
	    (SPLICE_F_SHUT0 | SPLICE_F_SHUT1)) {
		flow_remove(c, f);	/* both halves closed */
		return;
	}
	if (splice_watch(c, f, events & EPOLLHUP ? 1U << side : 0)) {
		splice_abort(c, f, -1);
		return;
	}
	flow_touch(c, f, TCP_IDLE_TIMEOUT_S);
}

/**
 * splice_pipes() - Create a flow's two pipes, sized
 * @sp:		Connection state, pipes set to -1
 *
 * Return: 0, or negative errno
 */
static int splice_pipes(struct splice_conn *sp)
{
	int d, size = SPLICE_PIPE_SIZE;

	for (d = 0; d < 2; d++) {
		if (pipe2(sp->pipe[d], O_NONBLOCK | O_CLOEXEC))
			return -errno;
	}
	/* over the per-user limit, the pipe keeps its default size */
	for (d = 0; d < 2; d++) {
		int got;

		fcntl(sp->pipe[d][1], F_SETPIPE_SZ, SPLICE_PIPE_SIZE);
		got = fcntl(sp->pipe[d][1], F_GETPIPE_SZ);
		if (got <= 0)
			return -errno;
		if (got < size)
			size = got;
	}
	sp->pipe_size = (uint32_t)size;
	return 0;
}

/**
 * splice_host_connect() - Start connecting to the host's loopback
 * @v6:		::1 rather than 127.0.0.1
 * @port:	Port on the host
 *
 * Return: non-blocking socket, connecting or connected, or negative errno
 */
static int splice_host_connect(bool v6, uint16_t port)
{
	struct sockaddr_storage ss;
	struct in6_addr to = in6addr_loopback;
	socklen_t sl;
	int s, one = 1;

	if (!v6)
		inany_from_v4(&to, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	sl = inany_sockaddr(&ss, &to, port);
	s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_TCP);
	if (s < 0)
		return -errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		int rc = -errno;

		close(s);
		return rc;
	}
	return s;
}

/**
 * splice_start() - Make the flow of an accepted namespace client
 * @c:		Execution context
 * @s:		Accepted socket, owned from now on
 * @key:	Flow key
 * @v6:		Connect to ::1 rather than 127.0.0.1
 * @host_port:	Port on the host's loopback
 */
static void splice_start(struct ctx *c, int s, const struct flow_key *key,
			 bool v6, uint16_t host_port)
{
	struct flow *f = flow_insert(c, key);
	struct splice_conn *sp;
	int one = 1;

	if (!f) {
		close(s);
		return;		/* counted */
	}
	sp = &f->splice;
	sp->host = -1;
	memset(sp->pipe, -1, sizeof(sp->pipe));
	f->sock = s;
	if (epoll_add(c, s, 0, EPOLL_REF(EPOLL_TYPE_FLOW,
					 flow_index(&c->flows, f)))) {
		count_drop(c, CNT_drop_sock_err);
		splice_abort(c, f, 1);
		return;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sp->flags = SPLICE_F_CONNECTING;
	if (splice_pipes(sp) ||
	    (sp->host = splice_host_connect(v6, host_port)) < 0 ||
	    epoll_add(c, sp->host, EPOLLOUT,
		      EPOLL_REF(EPOLL_TYPE_SPLICE, flow_index(&c->flows, f)))) {
		debug_ratelimited("splice: cannot join a client to port %u: %s",
				  host_port, strerror(errno));
		count_drop(c, CNT_drop_sock_err);
		if (sp->host >= 0) {
			close(sp->host);
			sp->host = -1;
		}
		splice_abort(c, f, 1);
		return;
	}
	sp->events[1] = EPOLLOUT;
	flow_touch(c, f, TCP_SYN_TIMEOUT_S);
}

/**
 * splice_accept() - Accept clients on a -T port of the namespace
 * @c:		Execution context
 * @lfd:	Listening socket, in the namespace
 * @v6:		IPv6 socket: the host side connects to ::1
 * @host_port:	Port on the host's loopback
 */
void splice_accept(struct ctx *c, int lfd, bool v6, uint16_t host_port)
{
	int i;

	for (i = 0; i < SPLICE_ACCEPT_BUDGET; i++) {
		struct flow_key key = { .proto = FLOW_SPLICE,
					.remote_port = host_port };
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = sizeof(ss);
		int s = accept4(lfd, (struct sockaddr *)&ss, &sl,
				SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (s < 0)
			return;
		inany_from_sockaddr(&key.guest_addr, &key.guest_port, &ss);
		key.remote_addr = key.guest_addr;
		splice_start(c, s, &key, v6, host_port);
	}
}
