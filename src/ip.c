// SPDX-License-Identifier: GPL-2.0-or-later
/* ip.c - IPv4 and IPv6: check guest packets, dispatch them, build headers */
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "eth.h"
#include "icmp.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "ndp.h"
#include "merd.h"
#include "raw.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP4_DF		0x4000
#define IP6_EXT_MAX	8	/* extension headers walked before giving up */

#define ICMP6_ECHO_REQUEST	128
#define ICMP6_MLD_QUERY		130
#define ICMP6_MLD_REPORT	131
#define ICMP6_MLD_DONE		132
#define ICMP6_ROUTER_SOLICIT	133
#define ICMP6_ROUTER_ADVERT	134
#define ICMP6_NEIGHBOR_SOLICIT	135
#define ICMP6_NEIGHBOR_ADVERT	136
#define ICMP6_MLD2_REPORT	143

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
 * ip_transport_input() - Hand a guest packet to its transport translator
 * @c:		Execution context
 * @pkt:	Checked packet, either family, for a destination merd carries
 *
 * ICMPv6 never gets here (ip6_input() sorts it out first); ICMP does, for
 * IPv4 only.
 */
static void ip_transport_input(struct ctx *c, const struct ip_pkt *pkt)
{
	if (pkt->proto == IPPROTO_ICMP && !pkt->v6) {
		icmp_input(c, pkt);
		return;
	}
	switch (pkt->proto) {
	case IPPROTO_UDP:
		udp_input(c, pkt);
		break;
	case IPPROTO_TCP:
		tcp_input(c, pkt);
		break;
	default:
		if (raw_input(c, pkt))
			break;
		count_drop(c, CNT_drop_l4_proto);
		debug_ratelimited("ip: protocol %u not carried, dropped",
				  pkt->proto);
		break;
	}
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
	pkt.csum_partial = c->link.rx_csum_partial;

	if (pkt.proto == IPPROTO_UDP && dhcp_is_request(&pkt)) {
		dhcp_input(c, &pkt);
		return;
	}
	if ((ntohl(inany_v4(&pkt.dst).s_addr) >> 24) == IN_LOOPBACKNET) {
		count_drop(c, CNT_drop_ip4_addr);
		return;
	}
	if (!ip4_dst_unicast(c, inany_v4(&pkt.dst))) {
		count(c, CNT_ignored);
		return;
	}
	c->guest_addr4 = inany_v4(&pkt.src);
	ip_transport_input(c, &pkt);
}

/**
 * ip6_ext_hdr() - Tell whether a next-header value is an extension header
 * @nh:		Next header value
 *
 * Return: true for hop-by-hop, routing, destination options, mobility
 */
static bool ip6_ext_hdr(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_MH;
}

/**
 * ip6_parse() - Check an IPv6 header, walk extension headers with bounds
 * @c:		Execution context, for drop counters
 * @p:		Packet from the guest, untrusted
 * @len:	Bytes from @p to the end of the frame
 * @out:	View to fill
 *
 * Fragments are dropped: guests do path MTU discovery against merd's MTU,
 * and merd does not reassemble.
 *
 * Return: 0 if the packet is sound, -1 if it was dropped (counted)
 */
static int ip6_parse(struct ctx *c, const uint8_t *p, size_t len,
		     struct ip_pkt *out)
{
	size_t end, off = IP6_HDR_LEN;
	uint8_t nh;
	int n = 0;

	if (len < IP6_HDR_LEN) {
		count_drop(c, CNT_drop_ip6_short);
		return -1;
	}
	if (p[0] >> 4 != 6) {
		count_drop(c, CNT_drop_ip6_version);
		return -1;
	}
	end = IP6_HDR_LEN + rd16(p + 4);
	if (end > len) {
		count_drop(c, CNT_drop_ip6_len);
		return -1;
	}
	for (nh = p[6]; ip6_ext_hdr(nh) || nh == IPPROTO_FRAGMENT;) {
		size_t hlen;

		if (nh == IPPROTO_FRAGMENT) {
			count_drop(c, CNT_drop_ip6_frag);
			return -1;
		}
		if (++n > IP6_EXT_MAX || off + 8 > end) {
			count_drop(c, CNT_drop_ip6_ext);
			return -1;
		}
		hlen = ((size_t)p[off + 1] + 1) * 8;
		if (off + hlen > end) {
			count_drop(c, CNT_drop_ip6_ext);
			return -1;
		}
		nh = p[off];
		off += hlen;
	}
	memcpy(&out->src, p + 8, 16);
	memcpy(&out->dst, p + 24, 16);
	out->v6 = true;
	out->ttl = p[7];
	out->proto = nh;
	out->l4 = p + off;
	out->l4_len = end - off;
	return 0;
}

/**
 * ip6_dst_carried() - Tell whether a destination can go out on sockets
 * @dst:	Destination
 *
 * Return: false for multicast, link-local, loopback, unspecified and
 * v4-mapped addresses, which have no meaning beyond the link
 */
static bool ip6_dst_carried(const struct in6_addr *dst)
{
	return !IN6_IS_ADDR_MULTICAST(dst) && !IN6_IS_ADDR_LINKLOCAL(dst) &&
	       !IN6_IS_ADDR_LOOPBACK(dst) && !IN6_IS_ADDR_UNSPECIFIED(dst) &&
	       !IN6_IS_ADDR_V4MAPPED(dst);
}

/**
 * icmp6_input() - Sort an ICMPv6 message: neighbour discovery or echo
 * @c:		Execution context
 * @pkt:	Checked IPv6 packet with next header ICMPv6
 */
static void icmp6_input(struct ctx *c, const struct ip_pkt *pkt)
{
	if (pkt->l4_len < 4) {
		count_drop(c, CNT_drop_icmp_short);
		return;
	}
	if (!ip_l4_csum_ok(pkt)) {
		count_drop(c, CNT_drop_icmp_csum);
		return;
	}
	switch (pkt->l4[0]) {
	case ICMP6_ROUTER_SOLICIT:
	case ICMP6_NEIGHBOR_SOLICIT:
		ndp_input(c, pkt);
		break;
	case ICMP6_ECHO_REQUEST:
		if (inany_equal(&pkt->dst, &c->conf.router6))
			icmp6_echo_local(c, pkt);
		else if (ip6_dst_carried(&pkt->dst))
			icmp_input(c, pkt);
		else
			count(c, CNT_ignored);
		break;
	case ICMP6_NEIGHBOR_ADVERT:
	case ICMP6_ROUTER_ADVERT:
	case ICMP6_MLD_QUERY:
	case ICMP6_MLD_REPORT:
	case ICMP6_MLD_DONE:
	case ICMP6_MLD2_REPORT:
		count(c, CNT_ignored);	/* nothing for merd to do */
		break;
	default:
		count_drop(c, CNT_drop_icmp_type);
		break;
	}
}

/**
 * ip6_input() - Handle an IPv6 packet from the guest
 * @c:		Execution context
 * @p:		Packet, untrusted
 * @len:	Bytes from @p to the end of the frame
 */
void ip6_input(struct ctx *c, const uint8_t *p, size_t len)
{
	struct ip_pkt pkt;

	if (ip6_parse(c, p, len, &pkt))
		return;
	pkt.csum_partial = c->link.rx_csum_partial;
	ndp_guest_seen(c);

	if (pkt.proto == IPPROTO_ICMPV6) {
		icmp6_input(c, &pkt);
		return;
	}
	if (pkt.proto == IPPROTO_UDP && dhcpv6_is_request(&pkt)) {
		dhcpv6_input(c, &pkt);
		return;
	}
	if ((!ip6_dst_carried(&pkt.dst) &&
	     !inany_equal(&pkt.dst, &c->conf.router6)) ||
	    pkt.proto == IPPROTO_NONE) {
		count(c, CNT_ignored);
		return;
	}
	if (ip6_dst_carried(&pkt.src))
		c->guest_addr6 = pkt.src;
	ip_transport_input(c, &pkt);
}

/**
 * ip_l4_csum_ok() - Verify the transport checksum of a guest packet
 * @pkt:	Checked packet, TCP, UDP or ICMPv6
 *
 * A UDP checksum of 0 over IPv4 means none was computed (RFC 768); with
 * tap checksum offload, the guest's kernel computed none either.
 *
 * Return: true if the checksum is right (or absent where allowed)
 */
bool ip_l4_csum_ok(const struct ip_pkt *pkt)
{
	uint32_t pseudo;

	if (pkt->csum_partial)
		return true;
	if (!pkt->v6 && pkt->proto == IPPROTO_UDP && pkt->l4_len >= 8 &&
	    !pkt->l4[6] && !pkt->l4[7])
		return true;
	if (pkt->v6)
		pseudo = csum_pseudo6(&pkt->src, &pkt->dst, pkt->proto,
				      (uint32_t)pkt->l4_len);
	else
		pseudo = csum_pseudo4(inany_v4(&pkt->src), inany_v4(&pkt->dst),
				      pkt->proto, (uint16_t)pkt->l4_len);
	return !csum_fold(csum_partial(pkt->l4, pkt->l4_len, pseudo));
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
 * @partial:	The link offloads TCP checksums: leave the pseudo-header sum
 *		for the guest's kernel to finish (link.c)
 */
static void ip_l4_csum(uint8_t *l4, size_t len, uint8_t proto,
		       uint32_t pseudo, bool partial)
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
	if (partial && proto == IPPROTO_TCP)
		sum = (uint16_t)~csum_fold(pseudo);
	else
		sum = csum_l4(pseudo, l4, len);
	if (proto == IPPROTO_UDP && !sum)
		sum = 0xffff;
	memcpy(l4 + off, &sum, 2);
}

/**
 * ip6_tx_commit() - Write the IPv6 header and checksum, queue the frame
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header (no extension headers are sent)
 * @l4_len:	Length of the segment built after ip_tx_begin()
 */
static void ip6_tx_commit(struct ctx *c, const struct in6_addr *src,
			  const struct in6_addr *dst, uint8_t proto,
			  size_t l4_len)
{
	uint8_t *l3 = c->link.tx + c->link.tx_len + 4 + ETH_HDR_LEN;
	uint8_t *l4 = l3 + IP6_HDR_LEN;
	uint8_t hops = IP_DEFAULT_TTL;

	/* neighbour discovery is only believed with hop limit 255 */
	if (proto == IPPROTO_ICMPV6 && l4[0] >= 133 && l4[0] <= 137)
		hops = 255;
	ip_l4_csum(l4, l4_len, proto,
		   csum_pseudo6(src, dst, proto, (uint32_t)l4_len),
		   c->link.csum_offload);
	wr32(l3, 6U << 28);
	wr16(l3 + 4, (uint16_t)l4_len);
	l3[6] = proto;
	l3[7] = hops;
	memcpy(l3 + 8, src, 16);
	memcpy(l3 + 24, dst, 16);
	eth_tx_commit(c, NULL, ETHERTYPE_IPV6, IP6_HDR_LEN + l4_len);
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
	uint8_t *l3 = c->link.tx + c->link.tx_len + 4 + ETH_HDR_LEN;
	uint8_t *l4 = l3 + IP4_HDR_LEN;
	struct in_addr s = inany_v4(src), d = inany_v4(dst);
	uint16_t hsum;

	if (!inany_is_v4(dst)) {
		ip6_tx_commit(c, src, dst, proto, l4_len);
		return;
	}

	ip_l4_csum(l4, l4_len, proto,
		   csum_pseudo4(s, d, proto, (uint16_t)l4_len),
		   c->link.csum_offload);

	l3[0] = 0x45;
	l3[1] = 0;
	wr16(l3 + 2, (uint16_t)(IP4_HDR_LEN + l4_len));
	wr16(l3 + 4, c->ip4_id++);
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
