// SPDX-License-Identifier: GPL-2.0-or-later
/* ip.c - IPv4: check guest packets, dispatch them, build headers to it */
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "dhcp.h"
#include "eth.h"
#include "icmp.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP4_DF		0x4000

/**
 * ip4_parse() - Check an IPv4 header and make a view of the packet
 * @c:		Execution context, for drop counters
 * @p:		Packet from the guest, untrusted
 * @len:	Bytes from @p to the end of the frame
 * @out:	View to fill
 *
 * Return: 0 if the packet is sound, -1 if it was dropped (counted)
 */
static int ip4_parse(struct ctx *c, const uint8_t *p, size_t len,
		     struct ip_pkt *out)
{
	size_t ihl, total;
	struct in_addr a;

	if (len < IP4_HDR_LEN) {
		count_drop(c, CNT_drop_ip4_short);
		return -1;
	}
	if (p[0] >> 4 != 4) {
		count_drop(c, CNT_drop_ip4_version);
		return -1;
	}
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = rd16(p + 2);
	if (ihl < IP4_HDR_LEN || ihl > len) {
		count_drop(c, CNT_drop_ip4_ihl);
		return -1;
	}
	if (total < ihl || total > len) {
		count_drop(c, CNT_drop_ip4_len);
		return -1;
	}
	if (csum_fold(csum_partial(p, ihl, 0)) != 0) {
		count_drop(c, CNT_drop_ip4_csum);
		return -1;
	}
	if (rd16(p + 6) & (IP4_MF | IP4_OFFMASK)) {
		count_drop(c, CNT_drop_ip4_frag);
		return -1;
	}

	memcpy(&a, p + 12, 4);
	inany_from_v4(&out->src, a);
	memcpy(&a, p + 16, 4);
	inany_from_v4(&out->dst, a);
	out->v6 = false;
	out->ttl = p[8];
	out->proto = p[9];
	out->l4 = p + ihl;
	out->l4_len = total - ihl;
	return 0;
}

/**
 * ip4_dst_unicast() - Tell whether a destination can be carried on sockets
 * @c:		Execution context
 * @dst:	Destination, network order
 *
 * Return: false for broadcast, multicast, 0/8 and the guest's own address
 */
static bool ip4_dst_unicast(const struct ctx *c, struct in_addr dst)
{
	uint32_t d = ntohl(dst.s_addr);
	uint32_t mask = c->conf.prefix4 ? ~0U << (32 - c->conf.prefix4) : 0;
	uint32_t net = ntohl(c->conf.addr4.s_addr) & mask;

	if (d == INADDR_BROADCAST || IN_MULTICAST(d) || !(d >> 24))
		return false;
	if (c->conf.prefix4 < 31 && d == (net | ~mask))
		return false;		/* directed broadcast */
	return dst.s_addr != c->conf.addr4.s_addr;
}

/**
 * ip4_input() - Handle an IPv4 packet from the guest
 * @c:		Execution context
 * @p:		Packet, untrusted
 * @len:	Bytes from @p to the end of the frame
 */
void ip4_input(struct ctx *c, const uint8_t *p, size_t len)
{
	struct ip_pkt pkt;

	if (ip4_parse(c, p, len, &pkt))
		return;

	if (pkt.proto == IPPROTO_UDP && dhcp_is_request(&pkt)) {
		dhcp_input(c, &pkt);
		return;
	}
	if (!ip4_dst_unicast(c, inany_v4(&pkt.dst))) {
		count(c, CNT_ignored);
		return;
	}

	switch (pkt.proto) {
	case IPPROTO_UDP:
		udp_input(c, &pkt);
		break;
	case IPPROTO_ICMP:
		icmp_input(c, &pkt);
		break;
	case IPPROTO_TCP:
		tcp_input(c, &pkt);
		break;
	default:
		count_drop(c, CNT_drop_l4_proto);
		debug_ratelimited("ip: protocol %u not carried, dropped",
				  pkt.proto);
		break;
	}
}

/**
 * ip_tx_begin() - Reserve a packet toward the guest
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 * @l4_cap:	Set to the room for the transport segment (within the MTU)
 *
 * Return: where the transport segment goes, or NULL (counted drop)
 */
uint8_t *ip_tx_begin(struct ctx *c, bool v6, size_t *l4_cap)
{
	size_t hlen = v6 ? IP6_HDR_LEN : IP4_HDR_LEN, cap;
	uint8_t *l3 = eth_tx_begin(c, &cap);

	if (!l3)
		return NULL;
	*l4_cap = MIN(cap, (size_t)c->conf.mtu) - hlen;
	return l3 + hlen;
}

/**
 * ip_l4_csum() - Fill the transport checksum of a segment toward the guest
 * @l4:		Segment
 * @len:	Segment length
 * @proto:	Transport protocol
 * @pseudo:	Pseudo-header sum (unused for ICMPv4)
 */
static void ip_l4_csum(uint8_t *l4, size_t len, uint8_t proto,
		       uint32_t pseudo)
{
	uint16_t sum;
	size_t off;

	switch (proto) {
	case IPPROTO_UDP:
		off = 6;
		break;
	case IPPROTO_TCP:
		off = 16;
		break;
	case IPPROTO_ICMP:
		off = 2;
		pseudo = 0;
		break;
	case IPPROTO_ICMPV6:
		off = 2;
		break;
	default:
		return;
	}
	memset(l4 + off, 0, 2);
	sum = csum_l4(pseudo, l4, len);
	if (proto == IPPROTO_UDP && !sum)
		sum = 0xffff;
	memcpy(l4 + off, &sum, 2);
}

/**
 * ip_tx_commit() - Write the IP header and checksums, queue the frame
 * @c:		Execution context
 * @src:	Source address (v4-mapped for IPv4)
 * @dst:	Destination address
 * @proto:	Transport protocol
 * @l4_len:	Length of the segment built after ip_tx_begin()
 */
void ip_tx_commit(struct ctx *c, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4_len)
{
	static uint16_t ip4_id;
	uint8_t *l3 = c->link.tx + c->link.tx_len + 4 + ETH_HDR_LEN;
	uint8_t *l4 = l3 + IP4_HDR_LEN;
	struct in_addr s = inany_v4(src), d = inany_v4(dst);
	uint16_t hsum;

	ip_l4_csum(l4, l4_len, proto,
		   csum_pseudo4(s, d, proto, (uint16_t)l4_len));

	l3[0] = 0x45;
	l3[1] = 0;
	wr16(l3 + 2, (uint16_t)(IP4_HDR_LEN + l4_len));
	wr16(l3 + 4, ip4_id++);
	wr16(l3 + 6, IP4_DF);
	l3[8] = IP_DEFAULT_TTL;
	l3[9] = proto;
	memset(l3 + 10, 0, 2);
	memcpy(l3 + 12, &s, 4);
	memcpy(l3 + 16, &d, 4);
	hsum = csum_ip4_header(l3, IP4_HDR_LEN);
	memcpy(l3 + 10, &hsum, 2);

	eth_tx_commit(c, NULL, ETHERTYPE_IP, IP4_HDR_LEN + l4_len);
}
