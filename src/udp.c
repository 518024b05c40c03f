// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation: one connected host socket per guest flow
 *
 * A flow is the guest's 5-tuple. Its socket is bound to the guest's source
 * port when the host has it free (so port-sensitive peers see the same
 * port), to an ephemeral one otherwise, and connected to the destination:
 * the kernel then delivers to it only that peer's replies, which go back
 * to the guest from the address and port it sent to. Queries to a resolver
 * merd advertised in place of a loopback one are sent to that resolver.
 * Flows age out after --udp-timeout seconds without traffic, or after
 * UDP_UNANSWERED_TIMEOUT_S (if shorter) while no datagram went the other
 * way. When the flow table is full, a new flow is refused with an ICMP
 * "administratively prohibited" to the guest.
 *
 * A datagram on a forwarded port (fwd.c) starts a flow the other way: its
 * socket is bound to the same port (SO_REUSEPORT, as the forwarding socket
 * is) and connected to the client, so the client's next datagrams and the
 * guest's replies go through it, and the flow ages like any other.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "fwd.h"
#include "icmp.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "target.h"
#include "udp.h"
#include "util.h"

#define UDP_HDR_LEN	8
#define UDP_RX_BUDGET	64

/**
 * udp_sock_bind() - Bind a flow socket to the guest's port if free
 * @s:		Socket
 * @family:	AF_INET or AF_INET6
 * @port:	Guest's source port
 */
static void udp_sock_bind(int s, int family, uint16_t port)
{
	struct sockaddr_storage sa = { .ss_family = (sa_family_t)family };
	socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in)
					 : sizeof(struct sockaddr_in6);

	/* sin_port and sin6_port sit at the same offset */
	((struct sockaddr_in *)&sa)->sin_port = htons(port);
	if (bind(s, (struct sockaddr *)&sa, sl))
		debug_ratelimited("udp: port %u busy on the host, using "
				  "another", port);
}

/**
 * udp_timeout() - Idle time a UDP flow is allowed now
 * @c:		Execution context
 * @f:		Flow
 *
 * Return: --udp-timeout once datagrams went both ways, else at most
 * UDP_UNANSWERED_TIMEOUT_S, seconds
 */
static unsigned int udp_timeout(const struct ctx *c, const struct flow *f)
{
	if (f->pkts_in && f->pkts_out)
		return c->conf.udp_timeout;
	return MIN(c->conf.udp_timeout, UDP_UNANSWERED_TIMEOUT_S);
}

/**
 * udp_unreach() - Tell the guest a destination of its flow is unreachable
 * @c:		Execution context
 * @key:	The flow
 * @code:	ICMP destination unreachable code (3 port, 1 host, 0 net...)
 */
static void udp_unreach(struct ctx *c, const struct flow_key *key,
			uint8_t code)
{
	uint8_t quote[8] = { 0 };

	wr16(quote, key->guest_port);
	wr16(quote + 2, key->remote_port);
	wr16(quote + 4, UDP_HDR_LEN);
	icmp_unreach(c, key, IPPROTO_UDP, code, quote);
}

/**
 * udp_refuse() - Tell the guest a new flow was refused: the table is full
 * @c:		Execution context
 * @key:	The flow it asked for
 */
static void udp_refuse(struct ctx *c, const struct flow_key *key)
{
	udp_unreach(c, key, ICMP_ADMIN_PROHIBITED);
}

/**
 * udp_flow_open() - Create the flow and its connected socket
 * @c:		Execution context
 * @key:	Flow key
 *
 * Return: the flow, or NULL on failure (counted)
 */
static struct flow *udp_flow_open(struct ctx *c, const struct flow_key *key)
{
	struct sockaddr_storage sa;
	socklen_t sl = target_sockaddr(c, key, &sa);
	int s;

	if (flow_full(c)) {
		udp_refuse(c, key);
		return NULL;
	}
	s = flow_socket(c, sa.ss_family,
			SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s < 0) {		/* out of descriptors, most likely: refuse */
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("udp: socket: %s", strerror(errno));
		udp_refuse(c, key);
		return NULL;
	}
	udp_sock_bind(s, sa.ss_family, key->guest_port);
	icmp_sock_recverr(s, sa.ss_family == AF_INET6);
	if (connect(s, (struct sockaddr *)&sa, sl)) {
		int e = errno;

		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("udp: connect: %s", strerror(e));
		close(s);
		/* the host has no route there: say so, as a router would */
		if (e == EHOSTUNREACH || e == ENETUNREACH)
			udp_unreach(c, key, e == ENETUNREACH ? 0 : 1);
		return NULL;
	}
	return flow_insert_sock(c, key, s, EPOLLIN);
}

/**
 * udp_input() - Carry a guest's UDP datagram to the host side
 * @c:		Execution context
 * @pkt:	Checked IP packet with protocol UDP
 */
void udp_input(struct ctx *c, const struct ip_pkt *pkt)
{
	struct flow_key key = { 0 };
	size_t ulen;
	struct flow *f;

	if (pkt->l4_len < UDP_HDR_LEN) {
		count_drop(c, CNT_drop_udp_short);
		return;
	}
	ulen = rd16(pkt->l4 + 4);
	if (ulen < UDP_HDR_LEN || ulen > pkt->l4_len) {
		count_drop(c, CNT_drop_udp_len);
		return;
	}

	if (!ip_l4_csum_ok(pkt)) {
		count_drop(c, CNT_drop_udp_csum);
		return;
	}
	key.proto = FLOW_UDP;
	key.guest_addr = pkt->src;
	/* answers to clients shown as merd's link-local leave from the
	 * guest's own link-local address: the flow knows its global one */
	if (pkt->v6 && IN6_IS_ADDR_LINKLOCAL(&pkt->src) &&
	    inany_equal(&pkt->dst, &c->conf.router6))
		fwd_guest_addr(c, true, &key.guest_addr);
	key.remote_addr = pkt->dst;
	key.guest_port = rd16(pkt->l4);
	key.remote_port = rd16(pkt->l4 + 2);
	if (!key.remote_port) {
		count_drop(c, CNT_drop_udp_port);
		return;
	}

	f = flow_lookup(&c->flows, &key);
	if (!f && !(f = udp_flow_open(c, &key)))
		return;

	if (send(f->sock, pkt->l4 + UDP_HDR_LEN, ulen - UDP_HDR_LEN,
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("udp: send: %s", strerror(errno));
	}
	f->pkts_out++;
	f->bytes_out += ulen - UDP_HDR_LEN;
	flow_touch(c, f, udp_timeout(c, f));
}

/**
 * udp_sock_recv_one() - Move one datagram from a flow socket to the guest
 * @c:		Execution context
 * @f:		Flow
 *
 * Return: 0 if a datagram was handled, -EAGAIN when the socket is empty,
 * other negative errno on socket errors
 */
static int udp_sock_recv_one(struct ctx *c, struct flow *f)
{
	bool v6 = !inany_is_v4(&f->key.remote_addr);
	size_t cap = 0;
	uint8_t *u = ip_tx_begin_dgram(c, v6, &cap);
	ssize_t n;

	if (!u) {	/* nowhere to put it: discard, keep the loop going */
		n = recv(f->sock, NULL, 0, MSG_DONTWAIT | MSG_TRUNC);
		return n < 0 ? -errno : 0;
	}
	n = recv(f->sock, u + UDP_HDR_LEN, cap - UDP_HDR_LEN,
		 MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n > cap - UDP_HDR_LEN) {
		count_drop(c, CNT_drop_tx_full);
		debug_ratelimited("udp: %zd byte datagram past the IP limit, dropped",
				  n);
		return 0;
	}
	wr16(u, f->key.remote_port);
	wr16(u + 2, f->key.guest_port);
	wr16(u + 4, (uint16_t)(UDP_HDR_LEN + n));
	ip_tx_commit(c, &f->key.remote_addr, &f->key.guest_addr, IPPROTO_UDP,
		     UDP_HDR_LEN + (size_t)n);
	f->pkts_in++;
	f->bytes_in += (uint64_t)n;
	return 0;
}

/**
 * udp_sock_errors() - Tell the guest of the ICMP errors a flow socket got
 * @c:		Execution context
 * @f:		Flow
 *
 * The socket queues them (IP_RECVERR): port, host and network
 * unreachable alike, each given to the guest once.
 */
static void udp_sock_errors(struct ctx *c, struct flow *f)
{
	uint8_t data[8];
	int i, code;

	for (i = 0; i < UDP_RX_BUDGET; i++) {
		size_t len = sizeof(data);

		if (icmp_sock_err(f->sock, data, &len, &code))
			return;
		if (code >= 0)
			udp_unreach(c, &f->key, (uint8_t)code);
	}
}

/**
 * udp_sock_event() - Datagrams (or an error) arrived on a flow's socket
 * @c:		Execution context
 * @f:		Flow
 * @events:	epoll events
 */
void udp_sock_event(struct ctx *c, struct flow *f, uint32_t events)
{
	int i, rc = 0;

	if (events & EPOLLERR)
		udp_sock_errors(c, f);
	for (i = 0; i < UDP_RX_BUDGET; i++) {
		rc = udp_sock_recv_one(c, f);
		if (rc)
			break;
	}
	/* errors the socket reports once more on recv(), already told */
	if (rc && rc != -EAGAIN && rc != -ECONNREFUSED &&
	    rc != -EHOSTUNREACH && rc != -ENETUNREACH)
		debug_ratelimited("udp: recv: %s", strerror(-rc));
	flow_touch(c, f, udp_timeout(c, f));
}

/**
 * udp_fwd_local() - Host address a datagram was sent to, from its pktinfo
 * @msg:	Received message, with control data
 * @lfd_name:	Forwarding socket's own address (wildcard), port kept
 * @local:	Socket address to fill: @lfd_name with the address replaced
 *
 * Return: length of @local
 */
static socklen_t udp_fwd_local(const struct msghdr *msg,
			       const struct sockaddr_storage *lfd_name,
			       struct sockaddr_storage *local)
{
	const struct cmsghdr *cm;

	*local = *lfd_name;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR((struct msghdr *)msg,
							   (struct cmsghdr *)cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo)) &&
		    local->ss_family == AF_INET) {
			struct in_pktinfo pi;
			struct sockaddr_in sin;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(&sin, local, sizeof(sin));
			sin.sin_addr = pi.ipi_addr;
			memcpy(local, &sin, sizeof(sin));
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo)) &&
			   local->ss_family == AF_INET6) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 sin6;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(&sin6, local, sizeof(sin6));
			sin6.sin6_addr = pi.ipi6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				sin6.sin6_scope_id = (uint32_t)pi.ipi6_ifindex;
			memcpy(local, &sin6, sizeof(sin6));
		}
	}
	return local->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					   : sizeof(struct sockaddr_in6);
}

/**
 * udp_fwd_flow() - Flow for a client of a forwarded port, created if new
 * @c:		Execution context
 * @key:	Flow key as the guest would see it; its remote port changes if
 *		another client already has that view
 * @client:	Client's real address
 * @cl_len:	Its length
 * @local:	Host address and port the client sent to
 * @local_len:	Its length
 *
 * The new socket is bound to @local, not the wildcard, so that answers
 * leave from the address the client sent to.
 *
 * Return: the flow, or NULL (counted)
 */
static struct flow *udp_fwd_flow(struct ctx *c, struct flow_key *key,
				 const struct sockaddr_storage *client,
				 socklen_t cl_len,
				 const struct sockaddr_storage *local,
				 socklen_t local_len)
{
	struct flow *f = NULL;
	int s, one = 1;

	if (fwd_flow_key(c, key, client, local, &f))
		return NULL;
	if (f)
		return f;
	s = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_UDP);
	if (s < 0) {
		count_drop(c, CNT_drop_sock_err);
		return NULL;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (local->ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s, (const struct sockaddr *)local, local_len) ||
	    connect(s, (const struct sockaddr *)client, cl_len)) {
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("udp: forwarded flow socket: %s",
				  strerror(errno));
		close(s);
		return NULL;
	}
	return flow_insert_sock(c, key, s, EPOLLIN);
}

/**
 * udp_fwd_recv_one() - Receive one datagram of a forwarded port
 * @lfd:	Forwarding socket
 * @buf:	Where the payload goes
 * @cap:	Room there
 * @client:	Client's address, filled
 * @cl_len:	Its length, filled
 * @local:	Host address and port the client sent to, filled
 * @local_len:	Its length, filled
 *
 * Return: payload length (may exceed @cap: truncated), or -1 with errno
 */
static ssize_t udp_fwd_recv_one(int lfd, uint8_t *buf, size_t cap,
				struct sockaddr_storage *client,
				socklen_t *cl_len,
				struct sockaddr_storage *local,
				socklen_t *local_len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = { .msg_name = client,
			      .msg_namelen = sizeof(*client),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct sockaddr_storage name = { 0 };
	socklen_t sl = sizeof(name);
	ssize_t n;

	n = recvmsg(lfd, &msg, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -1;
	*cl_len = msg.msg_namelen;
	if (getsockname(lfd, (struct sockaddr *)&name, &sl))
		return -1;
	*local_len = udp_fwd_local(&msg, &name, local);
	return n;
}

/**
 * udp_fwd_recv() - Datagrams arrived on a forwarded port: to the guest
 * @c:		Execution context
 * @lfd:	Forwarding socket
 * @v6:		IPv6 socket: the guest's IPv6 address is the destination
 * @guest_port:	Port in the guest
 */
void udp_fwd_recv(struct ctx *c, int lfd, bool v6, uint16_t guest_port)
{
	int i;

	for (i = 0; i < UDP_RX_BUDGET; i++) {
		struct flow_key key = { .proto = FLOW_UDP,
					.guest_port = guest_port };
		struct sockaddr_storage client = { 0 }, local = { 0 };
		socklen_t cl_len = 0, local_len = 0;
		size_t cap = 0;
		uint8_t *u = ip_tx_begin_dgram(c, v6, &cap);
		struct flow *f;
		ssize_t n;

		if (!u) {
			if (recv(lfd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) < 0)
				return;
			continue;
		}
		n = udp_fwd_recv_one(lfd, u + UDP_HDR_LEN, cap - UDP_HDR_LEN,
				     &client, &cl_len, &local, &local_len);
		if (n < 0)
			return;
		if ((size_t)n > cap - UDP_HDR_LEN) {
			count_drop(c, CNT_drop_tx_full);
			continue;
		}
		inany_from_sockaddr(&key.remote_addr, &key.remote_port, &client);
		fwd_remote_addr(c, &key.remote_addr);
		fwd_guest_addr(c, v6, &key.guest_addr);
		f = udp_fwd_flow(c, &key, &client, cl_len, &local, local_len);
		if (!f)
			continue;
		wr16(u, key.remote_port);
		wr16(u + 2, guest_port);
		wr16(u + 4, (uint16_t)(UDP_HDR_LEN + n));
		ip_tx_commit(c, &key.remote_addr, &key.guest_addr, IPPROTO_UDP,
			     UDP_HDR_LEN + (size_t)n);
		f->pkts_in++;
		f->bytes_in += (uint64_t)n;
		flow_touch(c, f, udp_timeout(c, f));
	}
}
