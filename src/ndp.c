// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - IPv6 neighbour discovery (RFC 4861): merd is the guest's router
 *
 * merd answers neighbour solicitations for every address but those the
 * guest probes for itself (duplicate address detection, source ::), so all
 * the guest's traffic reaches merd. It advertises itself as the default
 * router from a link-local address derived from its MAC, with the host's
 * prefix for SLAAC, the MTU, the resolvers (RDNSS) and the search list
 * (DNSSL), with the managed flag set so DHCPv6 clients ask for the host's
 * own address too. Advertisements answer solicitations and repeat every
 * NDP_RA_INTERVAL_S, but only once the guest has sent IPv6: a guest without
 * IPv6 costs nothing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "dns.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "ndp.h"
#include "util.h"

#define ND_RS			133
#define ND_RA			134
#define ND_NS			135
#define ND_NA			136
#define ND_OPT_SLLA		1
#define ND_OPT_TLLA		2
#define ND_OPT_PREFIX		3
#define ND_OPT_MTU		5
#define ND_OPT_RDNSS		25
#define ND_OPT_DNSSL		31
#define ND_RA_M_O		0xc0	/* managed and other config */
#define ND_NA_R_S_O		0xe0	/* router, solicited, override */
#define ND_ROUTER_LIFETIME	1800
#define ND_PREFIX_VALID		86400
#define ND_PREFIX_PREFERRED	14400
#define ND_DNS_LIFETIME		1800

static const struct in6_addr ndp_all_nodes = {
	.s6_addr = { 0xff, 0x02, [15] = 0x01 }
};

/**
 * ndp_init() - Derive the router address, create the advertisement timer
 * @c:		Execution context, MAC set
 *
 * Return: 0 on success, negative errno on failure
 */
int ndp_init(struct ctx *c)
{
	uint8_t *a = c->conf.router6.s6_addr;

	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	a[8] = c->our_mac[0] ^ 0x02;		/* modified EUI-64 */
	a[9] = c->our_mac[1];
	a[10] = c->our_mac[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] = c->our_mac[3];
	a[14] = c->our_mac[4];
	a[15] = c->our_mac[5];

	c->ra_timerfd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->ra_timerfd < 0)
		return -errno;
	return epoll_add(c, c->ra_timerfd, EPOLLIN,
			 EPOLL_REF(EPOLL_TYPE_RA_TIMER, 0));
}

/**
 * ndp_opts_valid() - Check that options are whole and none has length 0
 * @o:		Options, untrusted
 * @len:	Bytes of options
 *
 * Return: true if the options may be walked
 */
static bool ndp_opts_valid(const uint8_t *o, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t olen;

		if (off + 2 > len || !o[off + 1])
			return false;
		olen = (size_t)o[off + 1] * 8;
		if (off + olen > len)
			return false;
		off += olen;
	}
	return true;
}

/**
 * ndp_put_dns() - Append RDNSS and DNSSL options
 * @c:		Execution context
 * @o:		Where options go
 * @cap:	Room at @o
 *
 * Return: bytes written
 */
static size_t ndp_put_dns(const struct ctx *c, uint8_t *o, size_t cap)
{
	size_t len = 0, names;
	int i;

	if (c->conf.n_dns6 && cap >= 8 + 16 * (size_t)c->conf.n_dns6) {
		o[0] = ND_OPT_RDNSS;
		o[1] = (uint8_t)(1 + 2 * c->conf.n_dns6);
		memset(o + 2, 0, 2);
		wr32(o + 4, ND_DNS_LIFETIME);
		for (i = 0; i < c->conf.n_dns6; i++)
			memcpy(o + 8 + 16 * (size_t)i, &c->conf.dns6[i].advertised, 16);
		len = 8 + 16 * (size_t)c->conf.n_dns6;
	}
	if (!c->conf.search[0] || cap - len < 16)
		return len;
	names = dns_encode_names(c->conf.search, o + len + 8,
				 MIN(cap - len - 8 - 7, 254UL * 8));
	if (!names)
		return len;
	memset(o + len + 8 + names, 0, 7);	/* zero padded, whole units */
	names = (names + 7) & ~(size_t)7;
	o[len] = ND_OPT_DNSSL;
	o[len + 1] = (uint8_t)(1 + names / 8);
	memset(o + len + 2, 0, 2);
	wr32(o + len + 4, ND_DNS_LIFETIME);
	return len + 8 + names;
}

/**
 * ndp_send_ra() - Send a router advertisement
 * @c:		Execution context
 * @dst:	Destination: the soliciting node, or all nodes
 */
static void ndp_send_ra(struct ctx *c, const struct in6_addr *dst)
{
	size_t cap = 0, len = 16;
	uint8_t *m = ip_tx_begin(c, true, &cap);

	if (!m || cap < 16 + 8 + 8 + 32 + 512)
		return;
	memset(m, 0, cap < 1024 ? cap : 1024);
	m[0] = ND_RA;
	m[4] = IP_DEFAULT_TTL;
	m[5] = ND_RA_M_O;
	wr16(m + 6, ND_ROUTER_LIFETIME);

	m[len] = ND_OPT_SLLA;
	m[len + 1] = 1;
	memcpy(m + len + 2, c->our_mac, ETH_ALEN);
	len += 8;
	m[len] = ND_OPT_MTU;
	m[len + 1] = 1;
	wr32(m + len + 4, (uint32_t)c->conf.mtu);
	len += 8;
	if (c->conf.prefix6 <= 64) {
		m[len] = ND_OPT_PREFIX;
		m[len + 1] = 4;
		m[len + 2] = (uint8_t)c->conf.prefix6;
		/* on-link; autonomous only where SLAAC can work: a /64 */
		m[len + 3] = c->conf.prefix6 == 64 ? 0xc0 : 0x80;
		wr32(m + len + 4, ND_PREFIX_VALID);
		wr32(m + len + 8, ND_PREFIX_PREFERRED);
		inany_prefix(m + len + 16, &c->conf.addr6, c->conf.prefix6);
		len += 32;
	}
	len += ndp_put_dns(c, m + len, 512);
	ip_tx_commit(c, &c->conf.router6, dst, IPPROTO_ICMPV6, len);
}

/**
 * ndp_send_na() - Answer a neighbour solicitation with merd's MAC
 * @c:		Execution context
 * @dst:	Who asked
 * @target:	Address asked for
 */
static void ndp_send_na(struct ctx *c, const struct in6_addr *dst,
			const uint8_t *target)
{
	size_t cap = 0;
	uint8_t *m = ip_tx_begin(c, true, &cap);
	struct in6_addr src;

	if (!m || cap < 32)
		return;
	memset(m, 0, 32);
	m[0] = ND_NA;
	m[4] = ND_NA_R_S_O;
	memcpy(m + 8, target, 16);
	m[24] = ND_OPT_TLLA;
	m[25] = 1;
	memcpy(m + 26, c->our_mac, ETH_ALEN);
	memcpy(&src, target, 16);
	ip_tx_commit(c, &src, dst, IPPROTO_ICMPV6, 32);
}

/**
 * ndp_input() - Handle a router or neighbour solicitation
 * @c:		Execution context
 * @pkt:	Checked IPv6 packet carrying ICMPv6 type 133 or 135
 */
void ndp_input(struct ctx *c, const struct ip_pkt *pkt)
{
	const uint8_t *m = pkt->l4;
	size_t fixed = m[0] == ND_RS ? 8 : 24;
	struct in6_addr target;

	if (pkt->ttl != 255 || m[1] || pkt->l4_len < fixed ||
	    !ndp_opts_valid(m + fixed, pkt->l4_len - fixed)) {
		count_drop(c, CNT_drop_ndp_bad);
		return;
	}
	if (m[0] == ND_RS) {
		ndp_send_ra(c, IN6_IS_ADDR_UNSPECIFIED(&pkt->src) ?
			       &ndp_all_nodes : &pkt->src);
		return;
	}
	memcpy(&target, m + 8, 16);
	if (IN6_IS_ADDR_MULTICAST(&target)) {
		count_drop(c, CNT_drop_ndp_bad);
		return;
	}
	/* a DAD probe names an address the guest is taking: SLAAC's, say */
	if (IN6_IS_ADDR_UNSPECIFIED(&pkt->src) &&
	    !IN6_IS_ADDR_LINKLOCAL(&target))
		c->guest_addr6 = target;
	if (IN6_IS_ADDR_UNSPECIFIED(&pkt->src) ||	/* DAD probe */
	    inany_equal(&target, &pkt->src)) {
		count(c, CNT_ignored);
		return;
	}
	ndp_send_na(c, &pkt->src, m + 8);
}

/**
 * ndp_guest_seen() - The guest sent IPv6: start periodic advertisements
 * @c:		Execution context
 */
void ndp_guest_seen(struct ctx *c)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = NDP_RA_INTERVAL_S },
		.it_interval = { .tv_sec = NDP_RA_INTERVAL_S },
	};

	if (c->guest_v6)
		return;
	c->guest_v6 = true;
	if (timerfd_settime(c->ra_timerfd, 0, &its, NULL))
		warn("ndp: timerfd_settime: %s", strerror(errno));
}

/**
 * ndp_timer() - Time for an unsolicited router advertisement
 * @c:		Execution context
 */
void ndp_timer(struct ctx *c)
{
	uint64_t expirations;

	if (read(c->ra_timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	ndp_send_ra(c, &ndp_all_nodes);
}

/**
 * ndp_guest_gone() - The guest left: stop advertising until the next one
 * sends IPv6
 * @c:		Execution context
 */
void ndp_guest_gone(struct ctx *c)
{
	static const struct itimerspec off;

	if (!c->guest_v6)
		return;
	c->guest_v6 = false;
	if (timerfd_settime(c->ra_timerfd, 0, &off, NULL))
		warn("ndp: timerfd_settime: %s", strerror(errno));
}
