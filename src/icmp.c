// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP and ICMPv6 echo through ping sockets, errors to the guest
 *
 * Each echo flow (guest address, identifier, destination) gets a ping
 * socket (SOCK_DGRAM, IPPROTO_ICMP or IPPROTO_ICMPV6), which the host
 * allows to users in net.ipv4.ping_group_range (both families). The kernel
 * picks the identifier on the wire; replies are given the guest's
 * identifier back. Where ping sockets are not allowed, a raw socket opened
 * at set-up carries the flows instead (icmp_raw.c); without one either,
 * merd said so once at start and drops echo requests.
 */
#include <errno.h>
#include <time.h>	/* struct timespec, for linux/errqueue.h */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "csum.h"
#include "flow.h"
#include "icmp.h"
#include "icmp_raw.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "util.h"

#define ICMP_HDR_LEN		8
#define ICMP_ECHO_REPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_ECHO_REQUEST	8
#define ICMP6_DEST_UNREACH	1
#define ICMP6_ECHO_REQUEST	128
#define ICMP6_ECHO_REPLY	129
#define ICMP_RX_BUDGET		32

/**
 * icmp_flow_open() - Create an echo flow: its ping socket, or the raw one
 * @c:		Execution context
 * @key:	Flow key (guest_port is the guest's identifier)
 *
 * Return: the flow, or NULL (counted; a one-time warning if not permitted)
 */
static struct flow *icmp_flow_open(struct ctx *c, const struct flow_key *key)
{
	bool v6 = !inany_is_v4(&key->remote_addr);
	int s;

	switch (c->raw.icmp[v6]) {
	case ICMP_ECHO_OFF:
		count_drop(c, CNT_drop_icmp_noperm);	/* said at start */
		return NULL;
	case ICMP_ECHO_RAW:
		return icmp_raw_flow_open(c, key);
	default:
		break;
	}
	s = flow_socket(c, v6 ? AF_INET6 : AF_INET,
			SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (s < 0) {
		if (errno == EACCES || errno == EPERM)
			warn_once("ICMP echo unavailable: ping sockets not "
				  "permitted (net.ipv4.ping_group_range) and "
				  "no raw socket fallback");
		count_drop(c, CNT_drop_sock_err);
		return NULL;
	}
	icmp_sock_recverr(s, v6);
	return flow_insert_sock(c, key, s, EPOLLIN);
}

/**
 * icmp_sock_recverr() - Have a flow socket queue the ICMP errors it gets
 * @s:		UDP or ping socket
 * @v6:		IPv6 socket
 *
 * Without IP_RECVERR a UDP or ping socket ignores host and network
 * unreachable (soft errors): with it, each error is queued with the ICMP
 * type and code, and icmp_sock_err() reads them. A failure only costs the
 * guest those errors.
 */
void icmp_sock_recverr(int s, bool v6)
{
	int one = 1;

	if (setsockopt(s, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof(one)))
		debug_ratelimited("icmp: IP_RECVERR: %s", strerror(errno));
}

/**
 * icmp_err_code() - Destination unreachable code of a queued socket error
 * @ee:		Extended error from the error queue
 *
 * Return: ICMP code for icmp_unreach() (ICMPv6 codes mapped to theirs:
 * no route 0, prohibited 13, port 3, others 1), or -1 if the error is not
 * a destination unreachable the host received
 */
static int icmp_err_code(const struct sock_extended_err *ee)
{
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP)
		return ee->ee_type == ICMP_DEST_UNREACH ? ee->ee_code : -1;
	if (ee->ee_origin != SO_EE_ORIGIN_ICMP6 ||
	    ee->ee_type != ICMP6_DEST_UNREACH)
		return -1;
	switch (ee->ee_code) {
	case 0:
		return 0;			/* no route */
	case 1:
		return ICMP_ADMIN_PROHIBITED;
	case 4:
		return 3;			/* port unreachable */
	default:
		return 1;			/* address unreachable */
	}
}

/**
 * icmp_sock_err() - Read one error from a flow socket's error queue
 * @s:		Socket, with icmp_sock_recverr() done
 * @data:	Buffer for the start of the datagram the error is about
 * @len:	Size of @data; set to the bytes read into it
 * @code:	Set to the unreachable code for icmp_unreach(), -1 for an
 *		error of another kind
 *
 * Return: 0 if an error was read (consumed), negative errno once the queue
 * is empty (-EAGAIN) or the socket failed
 */
int icmp_sock_err(int s, uint8_t *data, size_t *len, int *code)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				    sizeof(struct sockaddr_in6))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = *len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct sock_extended_err ee;
	struct cmsghdr *cm;
	ssize_t n;

	*code = -1;
	n = recvmsg(s, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	*len = (size_t)n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (!((cm->cmsg_level == IPPROTO_IP &&
		       cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == IPPROTO_IPV6 &&
		       cm->cmsg_type == IPV6_RECVERR)) ||
		    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		*code = icmp_err_code(&ee);
	}
	return 0;
}

/**
 * icmp_sock_errors() - Tell the guest of the ICMP errors an echo flow got
 * @c:		Execution context
 * @f:		Echo flow, on a ping socket
 *
 * The error queue holds the echo request as sent: the quote given back is
 * its header with the guest's identifier.
 */
static void icmp_sock_errors(struct ctx *c, struct flow *f)
{
	bool v6 = !inany_is_v4(&f->key.remote_addr);
	uint8_t quote[ICMP_HDR_LEN];
	int i, code;

	for (i = 0; i < ICMP_RX_BUDGET; i++) {
		size_t len = sizeof(quote);

		if (icmp_sock_err(f->sock, quote, &len, &code))
			return;
		if (code < 0 || len < ICMP_HDR_LEN)
			continue;
		wr16(quote + 4, f->key.guest_port);
		icmp_unreach(c, &f->key, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
			     (uint8_t)code, quote);
	}
}

/**
 * icmp_send_failed() - An echo request could not be sent: count it, and
 * if the host has no route to its destination, tell the guest so
 * @c:		Execution context
 * @f:		Echo flow
 * @pkt:	The echo request, at least ICMP_HDR_LEN bytes
 * @e:		errno of sendto()
 */
static void icmp_send_failed(struct ctx *c, const struct flow *f,
			     const struct ip_pkt *pkt, int e)
{
	count_drop(c, CNT_drop_sock_err);
	debug_ratelimited("icmp: sendto: %s", strerror(e));
	if (e == EHOSTUNREACH || e == ENETUNREACH)
		icmp_unreach(c, &f->key, pkt->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
			     e == ENETUNREACH ? 0 : 1, pkt->l4);
}

/**
 * icmp_input() - Handle an ICMP message from the guest
 * @c:		Execution context
 * @pkt:	Checked IPv4 packet with protocol ICMP
 */
void icmp_input(struct ctx *c, const struct ip_pkt *pkt)
{
	uint8_t echo = pkt->v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO_REQUEST;
	struct sockaddr_storage ss;
	struct flow_key key = { 0 };
	struct flow *f;
	socklen_t sl;

	if (pkt->l4_len < ICMP_HDR_LEN) {
		count_drop(c, CNT_drop_icmp_short);
		return;
	}
	if (pkt->l4[0] != echo || pkt->l4[1] != 0) {
		count_drop(c, CNT_drop_icmp_type);
		return;
	}

	key.proto = FLOW_ICMP;
	key.guest_addr = pkt->src;
	key.remote_addr = pkt->dst;
	key.guest_port = rd16(pkt->l4 + 4);
	f = flow_lookup(&c->flows, &key);
	if (!f && !(f = icmp_flow_open(c, &key)))
		return;

	sl = inany_sockaddr(&ss, &key.remote_addr, 0);
	if (f->sock < 0)
		icmp_raw_send(c, f, pkt);
	else if (sendto(f->sock, pkt->l4, pkt->l4_len, MSG_DONTWAIT,
			(struct sockaddr *)&ss, sl) < 0)
		icmp_send_failed(c, f, pkt, errno);
	f->pkts_out++;
	f->bytes_out += pkt->l4_len;
	flow_touch(c, f, c->conf.icmp_timeout);
}

/**
 * icmp_sock_event() - Echo replies arrived on a flow's ping socket
 * @c:		Execution context
 * @f:		Flow
 * @events:	epoll events
 */
void icmp_sock_event(struct ctx *c, struct flow *f, uint32_t events)
{
	bool v6 = !inany_is_v4(&f->key.remote_addr);
	uint8_t reply = v6 ? ICMP6_ECHO_REPLY : ICMP_ECHO_REPLY;
	int i;

	if (events & EPOLLERR)
		icmp_sock_errors(c, f);
	for (i = 0; i < ICMP_RX_BUDGET; i++) {
		size_t cap = 0;
		uint8_t *m = ip_tx_begin_dgram(c, v6, &cap);
		ssize_t n;

		if (!m) {
			if (recv(f->sock, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) < 0)
				break;
			continue;
		}
		n = recv(f->sock, m, cap, MSG_DONTWAIT);
		if (n < 0)
			break;
		if (n < ICMP_HDR_LEN || m[0] != reply)
			continue;
		wr16(m + 4, f->key.guest_port);	/* guest's identifier */
		ip_tx_commit(c, &f->key.remote_addr, &f->key.guest_addr,
			     v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, (size_t)n);
		f->pkts_in++;
		f->bytes_in += (uint64_t)n;
	}
	flow_touch(c, f, c->conf.icmp_timeout);
}

/**
 * icmp6_unreach() - ICMPv6 destination unreachable for an IPv6 flow
 * @c:		Execution context
 * @key:	The flow, guest side
 * @proto:	Its transport protocol
 * @code:	ICMPv4 code as for icmp_unreach()
 * @quote:	First 8 bytes of the transport header the guest sent
 */
static void icmp6_unreach(struct ctx *c, const struct flow_key *key,
			  uint8_t proto, uint8_t code, const uint8_t quote[8])
{
	size_t cap = 0, len = ICMP_HDR_LEN + IP6_HDR_LEN + 8;
	uint8_t *m = ip_tx_begin(c, true, &cap), *q;

	if (!m || cap < len)
		return;
	memset(m, 0, len);
	m[0] = ICMP6_DEST_UNREACH;
	m[1] = code == 3 ? 4 : code == 1 ? 3 :	/* port, address, */
	       code == ICMP_ADMIN_PROHIBITED ? 1 : 0;	/* prohibited, route */
	q = m + ICMP_HDR_LEN;
	wr32(q, 6U << 28);
	wr16(q + 4, 8);
	q[6] = proto;
	q[7] = IP_DEFAULT_TTL;
	memcpy(q + 8, &key->guest_addr, 16);
	memcpy(q + 24, &key->remote_addr, 16);
	memcpy(q + IP6_HDR_LEN, quote, 8);
	ip_tx_commit(c, &key->remote_addr, &key->guest_addr, IPPROTO_ICMPV6,
		     len);
}

/**
 * icmp6_echo_local() - Answer an echo request for merd's own address
 * @c:		Execution context
 * @pkt:	Checked ICMPv6 echo request to the router's link-local address
 */
void icmp6_echo_local(struct ctx *c, const struct ip_pkt *pkt)
{
	size_t cap = 0;
	uint8_t *m;

	if (pkt->l4_len < ICMP_HDR_LEN || pkt->l4[1]) {
		count_drop(c, CNT_drop_icmp_short);
		return;
	}
	m = ip_tx_begin(c, true, &cap);
	if (!m || cap < pkt->l4_len)
		return;
	memcpy(m, pkt->l4, pkt->l4_len);
	m[0] = ICMP6_ECHO_REPLY;
	ip_tx_commit(c, &pkt->dst, &pkt->src, IPPROTO_ICMPV6, pkt->l4_len);
}

/**
 * icmp_unreach() - Tell the guest a destination of one of its flows is
 * unreachable
 * @c:		Execution context
 * @key:	The flow, guest side
 * @proto:	Its transport protocol
 * @code:	ICMP destination unreachable code (0 net, 1 host, 3 port,
 *		13 administratively prohibited),
 *		mapped to its ICMPv6 equivalent for IPv6 flows
 * @quote:	First 8 bytes of the transport header the guest sent
 *
 * The quoted datagram is rebuilt from the flow: an IPv4 header and the
 * first 8 bytes of the transport header, as RFC 792 asks.
 */
void icmp_unreach(struct ctx *c, const struct flow_key *key, uint8_t proto,
		  uint8_t code, const uint8_t quote[8])
{
	struct in_addr g = inany_v4(&key->guest_addr);
	struct in_addr r = inany_v4(&key->remote_addr);
	size_t cap = 0;
	uint8_t *m, *q;
	uint16_t sum;

	if (!inany_is_v4(&key->remote_addr)) {
		icmp6_unreach(c, key, proto, code, quote);
		return;
	}
	m = ip_tx_begin(c, false, &cap);
	if (!m || cap < ICMP_HDR_LEN + IP4_HDR_LEN + 8)
		return;
	memset(m, 0, ICMP_HDR_LEN + IP4_HDR_LEN + 8);
	m[0] = ICMP_DEST_UNREACH;
	m[1] = code;
	q = m + ICMP_HDR_LEN;
	q[0] = 0x45;
	wr16(q + 2, IP4_HDR_LEN + 8);
	q[8] = IP_DEFAULT_TTL;
	q[9] = proto;
	memcpy(q + 12, &g, 4);
	memcpy(q + 16, &r, 4);
	memcpy(q + IP4_HDR_LEN, quote, 8);
	sum = csum_ip4_header(q, IP4_HDR_LEN);
	memcpy(q + 10, &sum, 2);
	ip_tx_commit(c, &key->remote_addr, &key->guest_addr, IPPROTO_ICMP,
		     ICMP_HDR_LEN + IP4_HDR_LEN + 8);
}
