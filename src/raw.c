// SPDX-License-Identifier: GPL-2.0-or-later
/* raw.c - Other IP protocols (GRE, SCTP, ESP, ...) passed between guest and
 * host through raw sockets, with flows tracked like UDP (--raw)
 *
 * Each protocol given to --raw gets one raw socket per family, opened at
 * set-up while merd holds CAP_NET_RAW (it holds no capability after
 * isolation, and the socket keeps working). A guest packet of such a
 * protocol makes (or refreshes) a flow keyed by the guest's address, the
 * remote address and the protocol, and its payload leaves on the raw socket
 * toward the remote: the kernel writes the IP header, with the host's
 * address as source, which the guest has too. A packet the host receives
 * on that socket goes to the guest only if it comes from the remote end of
 * a flow: the guest's address becomes its destination and merd writes a
 * fresh IP header (with its checksum). Other packets are counted and
 * dropped. Flows expire after --udp-timeout seconds without traffic.
 *
 * Protocols merd translates itself (ICMP, TCP, UDP, ICMPv6) and IPv6
 * extension headers are refused. Checksums of the payload are carried as
 * they are: right for protocols whose checksum does not cover addresses
 * (GRE, SCTP), and for the others as long as the guest uses the host's
 * address, as it does by default.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "icmp_raw.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "raw.h"
#include "util.h"

#define RAW_BUDGET	32
#define RAW_BUF		65536

/**
 * raw_proto_refused() - Tell why a protocol cannot be passed through
 * @proto:	IP protocol number
 *
 * Return: the reason, or NULL if it can
 */
static const char *raw_proto_refused(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_ICMP:
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
		return "merd translates it itself";
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_NONE:
	case IPPROTO_MH:
		return "an IPv6 extension header, not a protocol";
	case IPPROTO_RAW:
		return "reserved";
	default:
		return proto > 255 ? "not a protocol number (0 to 255)" : NULL;
	}
}

/**
 * raw_parse_one() - Add one protocol, by name or number, to --raw
 * @conf:	Configuration
 * @name:	Name from /etc/protocols, or a number
 *
 * Names are resolved now: /etc/protocols is out of reach after isolation.
 *
 * Return: 0, or -EINVAL (reported)
 */
static int raw_parse_one(struct conf *conf, const char *name)
{
	const struct protoent *pe;
	const char *why;
	unsigned long v;
	char *end;
	int i;

	errno = 0;
	v = strtoul(name, &end, 10);
	if (!*name || *end || errno || name[0] < '0' || name[0] > '9') {
		pe = getprotobyname(name);
		if (!pe) {
			err("invalid --raw '%s': unknown protocol", name);
			return -EINVAL;
		}
		v = (unsigned long)pe->p_proto;
	}
	why = raw_proto_refused((unsigned int)MIN(v, 256UL));
	if (why) {
		err("invalid --raw '%s': %s", name, why);
		return -EINVAL;
	}
	for (i = 0; i < conf->n_raw; i++) {
		if (conf->raw_protos[i] == v)
			return 0;
	}
	if (conf->n_raw == CONF_RAW_MAX) {
		err("invalid --raw '%s': at most %d protocols", name,
		    CONF_RAW_MAX);
		return -EINVAL;
	}
	conf->raw_protos[conf->n_raw++] = (uint8_t)v;
	return 0;
}

/**
 * raw_parse() - Parse the argument of --raw: PROTO[,PROTO...]
 * @conf:	Configuration
 * @arg:	Comma separated names or numbers
 *
 * Return: 0, or -EINVAL (reported)
 */
int raw_parse(struct conf *conf, const char *arg)
{
	char buf[256], *tok, *save = NULL;

	if (!*arg || strlen(arg) >= sizeof(buf)) {
		err("invalid --raw '%s': empty or too long", arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (raw_parse_one(conf, tok))
			return -EINVAL;
	}
	return 0;
}

/**
 * raw_open() - Open and watch the raw socket of one protocol and family
 * @c:		Execution context
 * @proto:	IP protocol
 * @v6:		IPv6 rather than IPv4
 *
 * Return: the socket, or -1 (reported: merd cannot start)
 */
static int raw_open(struct ctx *c, uint8_t proto, bool v6)
{
	int s = socket(v6 ? AF_INET6 : AF_INET,
		       SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	if (s < 0) {
		if (errno == EPERM)
			err("--raw %u needs CAP_NET_RAW (setcap cap_net_raw+ep "
			    "on merd, or start it as root with --runas)", proto);
		else
			err("--raw %u: raw %s socket: %s", proto,
			    v6 ? "IPv6" : "IPv4", strerror(errno));
		return -1;
	}
	if (epoll_add(c, s, EPOLLIN,
		      EPOLL_REF(EPOLL_TYPE_RAW, (uint32_t)proto << 1 | v6))) {
		err("--raw %u: epoll: %s", proto, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

/**
 * raw_setup() - Open every raw socket merd needs, before isolation
 * @c:		Execution context, flow table ready
 *
 * A merd holding raw sockets is made not dumpable at once, so that no
 * other process of the user can attach to it and take them (isolation.c).
 *
 * Return: 0, or -ENOENT if a --raw socket cannot be opened (reported),
 * other negative errno
 */
int raw_setup(struct ctx *c)
{
	int i, rc = icmp_raw_setup(c);

	for (i = 0; !rc && i < c->conf.n_raw; i++) {
		struct raw_proto_socks *p = &c->raw.proto[i];

		p->proto = c->conf.raw_protos[i];
		p->fd[0] = p->fd[1] = -1;
		c->raw.n_proto = i + 1;
		if (c->conf.v4 && (p->fd[0] = raw_open(c, p->proto, false)) < 0)
			return -ENOENT;
		if (c->conf.v6 && (p->fd[1] = raw_open(c, p->proto, true)) < 0)
			return -ENOENT;
		info("IP protocol %u passed through raw sockets", p->proto);
	}
	if (!rc && raw_held(c) && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		rc = -errno;
	return rc;
}

/**
 * raw_held() - Tell whether merd holds any raw socket
 * @c:		Execution context
 *
 * Return: true if a raw socket was opened at set-up
 */
bool raw_held(const struct ctx *c)
{
	return c->raw.n_proto || c->raw.icmp[0] == ICMP_ECHO_RAW ||
	       c->raw.icmp[1] == ICMP_ECHO_RAW;
}

/**
 * raw_find() - The sockets of a --raw protocol
 * @c:		Execution context
 * @proto:	IP protocol
 *
 * Return: the entry, or NULL if @proto is not passed through
 */
static const struct raw_proto_socks *raw_find(const struct ctx *c,
					      uint8_t proto)
{
	int i;

	for (i = 0; i < c->raw.n_proto; i++) {
		if (c->raw.proto[i].proto == proto)
			return &c->raw.proto[i];
	}
	return NULL;
}

/**
 * raw_input() - Pass a guest packet of a --raw protocol to the host side
 * @c:		Execution context
 * @pkt:	Checked packet
 *
 * Return: true if the protocol is one of --raw (the packet was handled,
 * sent or counted), false if not
 */
bool raw_input(struct ctx *c, const struct ip_pkt *pkt)
{
	const struct raw_proto_socks *p = raw_find(c, pkt->proto);
	struct flow_key key = { .proto = FLOW_RAW };
	struct sockaddr_storage ss;
	struct flow *f;
	socklen_t sl;

	if (!p)
		return false;
	if (p->fd[pkt->v6] < 0) {
		count_drop(c, CNT_drop_l4_proto);
		return true;
	}
	key.guest_addr = pkt->src;
	key.remote_addr = pkt->dst;
	key.remote_port = pkt->proto;
	f = flow_lookup(&c->flows, &key);
	if (!f && !(f = flow_insert(c, &key)))
		return true;		/* counted */
	sl = inany_sockaddr(&ss, &pkt->dst, 0);
	if (sendto(p->fd[pkt->v6], pkt->l4, pkt->l4_len, MSG_DONTWAIT,
		   (struct sockaddr *)&ss, sl) < 0) {
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("raw: protocol %u: sendto: %s", pkt->proto,
				  strerror(errno));
	}
	f->pkts_out++;
	f->bytes_out += pkt->l4_len;
	flow_touch(c, f, c->conf.udp_timeout);
	return true;
}

/**
 * raw_payload() - Source and payload of what an IPv4 raw socket returned
 * @buf:	IPv4 header and payload
 * @n:		Length of @buf
 * @src:	Set to the source address
 * @payload:	Set to the payload
 *
 * Return: payload length, or -1 if the header does not hold up
 */
static ssize_t raw_payload(const uint8_t *buf, size_t n, struct in6_addr *src,
			   const uint8_t **payload)
{
	size_t ihl, total;
	struct in_addr a;

	if (n < IP4_HDR_LEN || buf[0] >> 4 != 4)
		return -1;
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	total = rd16(buf + 2);
	if (ihl < IP4_HDR_LEN || total < ihl || total > n)
		return -1;
	memcpy(&a, buf + 12, 4);
	inany_from_v4(src, a);
	*payload = buf + ihl;
	return (ssize_t)(total - ihl);
}

/**
 * raw_deliver() - Give a host packet of a --raw protocol to its flow's guest
 * @c:		Execution context
 * @proto:	IP protocol
 * @v6:		Family
 * @src:	Source address
 * @payload:	Payload, @len bytes
 * @len:	Its length
 */
static void raw_deliver(struct ctx *c, uint8_t proto, bool v6,
			const struct in6_addr *src, const uint8_t *payload,
			size_t len)
{
	struct flow_key key = { .proto = FLOW_RAW, .remote_port = proto };
	size_t cap = 0;
	struct flow *f;
	uint8_t *m;

	if (v6)
		key.guest_addr = c->guest_addr6;
	else
		inany_from_v4(&key.guest_addr, c->guest_addr4);
	key.remote_addr = *src;
	f = flow_lookup(&c->flows, &key);
	if (!f) {
		count(c, CNT_raw_unmatched);
		return;
	}
	m = ip_tx_begin_dgram(c, v6, &cap);
	if (!m)
		return;
	if (len > cap) {
		count_drop(c, CNT_drop_tx_full);
		return;
	}
	memcpy(m, payload, len);
	ip_tx_commit(c, src, &f->key.guest_addr, proto, len);
	f->pkts_in++;
	f->bytes_in += len;
	flow_touch(c, f, c->conf.udp_timeout);
}

/**
 * raw_proto_event() - Packets arrived on the raw socket of a --raw protocol
 * @c:		Execution context
 * @p:		The protocol's sockets
 * @v6:		The IPv6 socket
 */
static void raw_proto_event(struct ctx *c, const struct raw_proto_socks *p,
			    bool v6)
{
	static uint8_t buf[RAW_BUF];
	int i;

	for (i = 0; i < RAW_BUDGET; i++) {
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = sizeof(ss);
		const uint8_t *payload = buf;
		struct in6_addr src;
		uint16_t port;
		ssize_t n;

		n = recvfrom(p->fd[v6], buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			break;
		if (v6)
			inany_from_sockaddr(&src, &port, &ss);
		else
			n = raw_payload(buf, (size_t)n, &src, &payload);
		if (n < 0 || (v6 && ss.ss_family != AF_INET6)) {
			count_drop(c, CNT_drop_raw_bad);
			continue;
		}
		raw_deliver(c, p->proto, v6, &src, payload, (size_t)n);
	}
}

/**
 * raw_event() - A raw socket is readable
 * @c:		Execution context
 * @ref_idx:	Index of its epoll reference: protocol << 1 | IPv6
 */
void raw_event(struct ctx *c, uint32_t ref_idx)
{
	uint8_t proto = (uint8_t)(ref_idx >> 1);
	bool v6 = ref_idx & 1;
	const struct raw_proto_socks *p;

	if (proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) {
		icmp_raw_event(c, v6);
		return;
	}
	p = raw_find(c, proto);
	if (p && p->fd[v6] >= 0)
		raw_proto_event(c, p, v6);
}
