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
#include "udp.h"
#include "util.h"

#define UDP_HDR_LEN	8
#define UDP_RX_BUDGET	64
#define DNS_PORT	53

/**
 * udp_target() - Where a guest's datagram really goes
 * @c:		Execution context
 * @key:	Flow key: remote address and port as the guest sees them
 * @sa:		Socket address to fill
 *
 * Return: length of @sa
 */
static socklen_t udp_target(const struct ctx *c, const struct flow_key *key,
			    struct sockaddr_storage *sa)
{
	struct in6_addr to = key->remote_addr;
	int i;

	for (i = 0; key->remote_port == DNS_PORT && i < c->conf.n_dns4; i++) {
		struct in6_addr adv;

		inany_from_v4(&adv, c->conf.dns4[i].advertised);
		if (inany_equal(&adv, &to)) {
			inany_from_v4(&to, c->conf.dns4[i].target);
			break;
		}
	}
	for (i = 0; key->remote_port == DNS_PORT && i < c->conf.n_dns6; i++) {
		if (inany_equal(&c->conf.dns6[i].advertised, &to)) {
			to = c->conf.dns6[i].target;
			break;
		}
	}
	return inany_sockaddr(sa, &to, key->remote_port);
}

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
		debug("udp: port %u busy on the host, using another", port);
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
 * udp_refuse() - Tell the guest a new flow was refused: the table is full
 * @c:		Execution context
 * @key:	The flow it asked for
 */
static void udp_refuse(struct ctx *c, const struct flow_key *key)
{
	uint8_t quote[8] = { 0 };

	wr16(quote, key->guest_port);
	wr16(quote + 2, key->remote_port);
	wr16(quote + 4, UDP_HDR_LEN);
	icmp_unreach(c, key, IPPROTO_UDP, ICMP_ADMIN_PROHIBITED, quote);
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
	socklen_t sl = udp_target(c, key, &sa);
	int s;

	if (flow_full(c)) {
		udp_refuse(c, key);
		return NULL;
	}
	s = socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_UDP);
	if (s < 0) {		/* out of descriptors, most likely: refuse */
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("udp: socket: %s", strerror(errno));
		udp_refuse(c, key);
		return NULL;
	}
	udp_sock_bind(s, sa.ss_family, key->guest_port);
	if (connect(s, (struct sockaddr *)&sa, sl)) {
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("udp: connect: %s", strerror(errno));
		close(s);
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
	uint8_t *u = ip_tx_begin(c, v6, &cap);
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
		debug_ratelimited("udp: %zd byte datagram over the MTU, dropped",
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
 * udp_sock_event() - Datagrams (or an error) arrived on a flow's socket
 * @c:		Execution context
 * @f:		Flow
 * @events:	epoll events
 */
void udp_sock_event(struct ctx *c, struct flow *f, uint32_t events)
{
	int i, rc = 0;

	(void)events;
	for (i = 0; i < UDP_RX_BUDGET; i++) {
		rc = udp_sock_recv_one(c, f);
		if (rc)
			break;
	}
	if (rc == -ECONNREFUSED) {
		/* the peer's port unreachable: tell the guest the same */
		uint8_t quote[8] = { 0 };

		wr16(quote, f->key.guest_port);
		wr16(quote + 2, f->key.remote_port);
		wr16(quote + 4, UDP_HDR_LEN);
		icmp_unreach(c, &f->key, IPPROTO_UDP, 3, quote);
	} else if (rc && rc != -EAGAIN) {
		debug_ratelimited("udp: recv: %s", strerror(-rc));
	}
	flow_touch(c, f, udp_timeout(c, f));
}

/**
 * udp_fwd_flow() - Flow for a client of a forwarded port, created if new
 * @c:		Execution context
 * @lfd:	Forwarding socket the client reached
 * @key:	Flow key
 * @client:	Client's real address
 * @cl_len:	Its length
 *
 * Return: the flow, or NULL (counted)
 */
static struct flow *udp_fwd_flow(struct ctx *c, int lfd,
				 const struct flow_key *key,
				 const struct sockaddr_storage *client,
				 socklen_t cl_len)
{
	struct sockaddr_storage local = { 0 };
	socklen_t sl = sizeof(local);
	struct flow *f = flow_lookup(&c->flows, key);
	int s, one = 1;

	if (f)
		return f;
	if (getsockname(lfd, (struct sockaddr *)&local, &sl))
		return NULL;
	s = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_UDP);
	if (s < 0) {
		count_drop(c, CNT_drop_sock_err);
		return NULL;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (local.ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&local, sl) ||
	    connect(s, (const struct sockaddr *)client, cl_len)) {
		count_drop(c, CNT_drop_sock_err);
		close(s);
		return NULL;
	}
	return flow_insert_sock(c, key, s, EPOLLIN);
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
		struct sockaddr_storage client = { 0 };
		socklen_t cl_len = sizeof(client);
		size_t cap = 0;
		uint8_t *u = ip_tx_begin(c, v6, &cap);
		struct flow *f;
		ssize_t n;

		if (!u) {
			if (recv(lfd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) < 0)
				return;
			continue;
		}
		n = recvfrom(lfd, u + UDP_HDR_LEN, cap - UDP_HDR_LEN,
			     MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&client, &cl_len);
		if (n < 0)
			return;
		if ((size_t)n > cap - UDP_HDR_LEN) {
			count_drop(c, CNT_drop_tx_full);
			continue;
		}
		inany_from_sockaddr(&key.remote_addr, &key.remote_port, &client);
		fwd_remote_addr(c, &key.remote_addr);
		fwd_guest_addr(c, v6, &key.guest_addr);
		f = udp_fwd_flow(c, lfd, &key, &client, cl_len);
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
