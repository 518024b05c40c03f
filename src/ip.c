// SPDX-License-Identifier: GPL-2.0-or-later
/* ip.c - IPv4 and IPv6: check guest packets, dispatch them, build headers */
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "eth.h"
#include "frag.h"
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

#define IP6_EXT_MAX	8	/* extension headers walked before giving up */

#define ICMP6_ECHO_REQUEST	128
#define ICMP6_MLD_QUERY		130
#define ICMP6_MLD_REPORT	131
#define ICMP6_MLD_DONE		132
#define ICMP6_ROUTER_SOLICIT	133
#define ICMP6_ROUTER_ADVERT	134
#define ICMP6_NEIGHBOR_SOLICIT	135
#define ICMP6_NEIGHBOR_ADVERT	136
#define ICMP6_REDIRECT		137
#define ICMP6_MLD2_REPORT	143

/**
 * ip4_parse() - Check an IPv4 header and make a view of the packet
 * @c:		Execution context, for drop counters
 * @p:		Packet from the guest, untrusted
 * @len:	Bytes from @p to the end of the frame
 * @out:	View to fill
 * @fi:		Filled for a fragment: its place in its datagram
 *
 * Return: 0 if the packet is sound and whole, 1 if it is a sound fragment
 * (@out's transport view is then its data), -1 if it was dropped (counted)
 */
static int ip4_parse(struct ctx *c, const uint8_t *p, size_t len,
		     struct ip_pkt *out, struct frag_info *fi)
{
	size_t ihl, total;
	struct in_addr a;
	uint16_t fo;

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
	fo = rd16(p + 6);
	if ((fo & IP4_DF) && (fo & (IP4_MF | IP4_OFFMASK))) {
		count_drop(c, CNT_drop_ip4_frag);	/* a contradiction */
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
	if (!(fo & (IP4_MF | IP4_OFFMASK)))
		return 0;
	fi->id = rd16(p + 4);
	fi->off = (size_t)(fo & IP4_OFFMASK) * 8;
	fi->more = fo & IP4_MF;
	fi->max = 65535 - ihl;
	return 1;
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
 * ip4_deliver() - Hand a whole IPv4 packet to the service or translator
 * @c:		Execution context
 * @pkt:	Checked packet, reassembled if it came in fragments
 */
static void ip4_deliver(struct ctx *c, const struct ip_pkt *pkt)
{
	if (pkt->proto == IPPROTO_UDP && dhcp_is_request(pkt)) {
		dhcp_input(c, pkt);
		return;
	}
	if ((ntohl(inany_v4(&pkt->dst).s_addr) >> 24) == IN_LOOPBACKNET) {
		count_drop(c, CNT_drop_ip4_addr);
		return;
	}
	if (!ip4_dst_unicast(c, inany_v4(&pkt->dst))) {
		count(c, CNT_ignored);
		return;
	}
	c->guest_addr4 = inany_v4(&pkt->src);
	ip_transport_input(c, pkt);
}

static void ip_frag_input(struct ctx *c, struct ip_pkt *pkt,
			  const struct frag_info *fi);

/**
 * ip4_input() - Handle an IPv4 packet from the guest
 * @c:		Execution context
 * @p:		Packet, untrusted
 * @len:	Bytes from @p to the end of the frame
 */
void ip4_input(struct ctx *c, const uint8_t *p, size_t len)
{
	struct frag_info fi;
	struct ip_pkt pkt;
	int rc = ip4_parse(c, p, len, &pkt, &fi);

	if (rc < 0)
		return;
	pkt.csum_partial = c->link.rx_csum_partial;
	if (rc)
		ip_frag_input(c, &pkt, &fi);
	else
		ip4_deliver(c, &pkt);
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
 * ip6_ext_walk() - Walk extension headers up to the transport header or a
 * Fragment header, with bounds
 * @c:		Execution context, for drop counters
 * @p:		Bytes the headers are in, untrusted
 * @end:	Length of @p
 * @off:	Offset of the first header to walk, moved past those walked
 * @nh:		Next header value for it, updated
 * @n:		Headers walked so far, updated
 *
 * Return: 0 at a header that is not an extension header (or is a
 * Fragment header), -1 if dropped (counted)
 */
static int ip6_ext_walk(struct ctx *c, const uint8_t *p, size_t end,
			size_t *off, uint8_t *nh, int *n)
{
	while (ip6_ext_hdr(*nh)) {
		size_t hlen;

		if (++*n > IP6_EXT_MAX || *off + 8 > end) {
			count_drop(c, CNT_drop_ip6_ext);
			return -1;
		}
		hlen = ((size_t)p[*off + 1] + 1) * 8;
		if (*off + hlen > end) {
			count_drop(c, CNT_drop_ip6_ext);
			return -1;
		}
		*nh = p[*off];
		*off += hlen;
	}
	return 0;
}

/**
 * ip6_frag_hdr() - Read a Fragment header
 * @c:		Execution context, for drop counters
 * @p:		Packet, untrusted
 * @end:	End of its payload
 * @off:	Offset of the Fragment header, moved past it
 * @nh:		Set to its next header
 * @fi:		Filled with the fragment's place in its datagram
 *
 * Return: 0 for an atomic fragment (offset 0, no more: RFC 6946, a whole
 * packet), 1 for a fragment, -1 if dropped (counted)
 */
static int ip6_frag_hdr(struct ctx *c, const uint8_t *p, size_t end,
			size_t *off, uint8_t *nh, struct frag_info *fi)
{
	uint16_t fo;

	if (*off + FRAG6_HDR_LEN > end) {
		count_drop(c, CNT_drop_ip6_frag);
		return -1;
	}
	fo = rd16(p + *off + 2);
	*nh = p[*off];
	fi->id = rd32(p + *off + 4);
	fi->off = fo & 0xfff8;
	fi->more = fo & 1;
	/* the reassembled payload length, extension headers before this
	 * one included, must fit in 16 bits */
	fi->max = 65535 - (*off - IP6_HDR_LEN);
	*off += FRAG6_HDR_LEN;
	return fi->off || fi->more;
}

/**
 * ip6_parse() - Check an IPv6 header, walk extension headers with bounds
 * @c:		Execution context, for drop counters
 * @p:		Packet from the guest, untrusted
 * @len:	Bytes from @p to the end of the frame
 * @out:	View to fill
 * @fi:		Filled for a fragment: its place in its datagram
 *
 * Return: 0 if the packet is sound and whole, 1 if it is a sound fragment
 * (@out's transport view is then the data after the Fragment header, its
 * protocol that header's next header), -1 if it was dropped (counted)
 */
static int ip6_parse(struct ctx *c, const uint8_t *p, size_t len,
		     struct ip_pkt *out, struct frag_info *fi)
{
	size_t end, off = IP6_HDR_LEN;
	uint8_t nh;
	int n = 0, rc = 0;

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
	nh = p[6];
	while (!rc) {
		if (ip6_ext_walk(c, p, end, &off, &nh, &n))
			return -1;
		if (nh != IPPROTO_FRAGMENT)
			break;
		if (++n > IP6_EXT_MAX) {
			count_drop(c, CNT_drop_ip6_ext);
			return -1;
		}
		rc = ip6_frag_hdr(c, p, end, &off, &nh, fi);
		if (rc < 0)
			return -1;
	}
	memcpy(&out->src, p + 8, 16);
	memcpy(&out->dst, p + 24, 16);
	out->v6 = true;
	out->ttl = p[7];
	out->proto = nh;
	out->l4 = p + off;
	out->l4_len = end - off;
	return rc;
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
 * ip6_deliver() - Hand a whole IPv6 packet to the service or translator
 * @c:		Execution context
 * @pkt:	Checked packet, reassembled if it came in fragments
 */
static void ip6_deliver(struct ctx *c, const struct ip_pkt *pkt)
{
	if (pkt->proto == IPPROTO_ICMPV6) {
		icmp6_input(c, pkt);
		return;
	}
	if (pkt->proto == IPPROTO_UDP && dhcpv6_is_request(pkt)) {
		dhcpv6_input(c, pkt);
		return;
	}
	if ((!ip6_dst_carried(&pkt->dst) &&
	     !inany_equal(&pkt->dst, &c->conf.router6)) ||
	    pkt->proto == IPPROTO_NONE) {
		count(c, CNT_ignored);
		return;
	}
	if (ip6_dst_carried(&pkt->src))
		c->guest_addr6 = pkt->src;
	ip_transport_input(c, pkt);
}

/**
 * ip6_input() - Handle an IPv6 packet from the guest
 * @c:		Execution context
 * @p:		Packet, untrusted
 * @len:	Bytes from @p to the end of the frame
 */
void ip6_input(struct ctx *c, const uint8_t *p, size_t len)
{
	struct frag_info fi;
	struct ip_pkt pkt;
	int rc = ip6_parse(c, p, len, &pkt, &fi);

	if (rc < 0)
		return;
	pkt.csum_partial = c->link.rx_csum_partial;
	ndp_guest_seen(c);
	if (rc)
		ip_frag_input(c, &pkt, &fi);
	else
		ip6_deliver(c, &pkt);
}

/**
 * ip6_reasm_walk() - Walk the extension headers a reassembled IPv6
 * datagram starts with, up to its transport header
 * @c:		Execution context
 * @pkt:	Reassembled datagram: its protocol is the next header of the
 *		fragment at offset 0; moved to the transport header
 *
 * Return: 0 if the datagram can be delivered, -1 if dropped (counted)
 */
static int ip6_reasm_walk(struct ctx *c, struct ip_pkt *pkt)
{
	size_t off = 0;
	uint8_t nh = pkt->proto;
	int n = 0;

	if (ip6_ext_walk(c, pkt->l4, pkt->l4_len, &off, &nh, &n))
		return -1;
	if (nh == IPPROTO_FRAGMENT) {
		count_drop(c, CNT_drop_ip6_frag);	/* fragments inside */
		return -1;
	}
	/* RFC 6980: neighbour discovery never comes in fragments */
	if (nh == IPPROTO_ICMPV6 && off < pkt->l4_len &&
	    pkt->l4[off] >= ICMP6_ROUTER_SOLICIT &&
	    pkt->l4[off] <= ICMP6_REDIRECT) {
		count(c, CNT_ignored);
		return -1;
	}
	pkt->proto = nh;
	pkt->l4 += off;
	pkt->l4_len -= off;
	return 0;
}

/**
 * ip_frag_input() - Take a guest fragment; deliver its datagram once whole
 * @c:		Execution context
 * @pkt:	Fragment, headers checked
 * @fi:		Its place in its datagram
 */
static void ip_frag_input(struct ctx *c, struct ip_pkt *pkt,
			  const struct frag_info *fi)
{
	int slot = frag_input(c, pkt, fi);

	if (slot < 0)
		return;
	if (!pkt->v6)
		ip4_deliver(c, pkt);
	else if (!ip6_reasm_walk(c, pkt))
		ip6_deliver(c, pkt);
	tcp_rx_flush(c);	/* TCP payload in the slot, before it goes */
	frag_release(c, slot);
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
 * ip_tx_begin_dgram() - Reserve a packet toward the guest that may exceed
 * the MTU: room for the largest datagram, fragmented
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 * @l4_cap:	Set to the room for the transport segment, the IP limit
 *
 * ip_tx_commit() splits what it finds over the MTU into fragments.
 *
 * Return: where the transport segment goes, or NULL (counted drop)
 */
uint8_t *ip_tx_begin_dgram(struct ctx *c, bool v6, size_t *l4_cap)
{
	size_t hlen = v6 ? IP6_HDR_LEN : IP4_HDR_LEN;
	uint8_t *f = link_tx_reserve_room(c, frag_tx_room(c, v6));

	if (!f)
		return NULL;
	*l4_cap = v6 ? FRAG_DATA_MAX : FRAG_DATA_MAX - IP4_HDR_LEN;
	return f + ETH_HDR_LEN + hlen;
}

/**
 * ip4_hdr_write() - Write an IPv4 header, checksum included
 * @l3:		Where it goes
 * @s:		Source address
 * @d:		Destination address
 * @proto:	Transport protocol
 * @tot:	Total length
 * @id:		Identification
 * @frag:	Flags and fragment offset, host order
 */
void ip4_hdr_write(uint8_t *l3, struct in_addr s, struct in_addr d,
		   uint8_t proto, size_t tot, uint16_t id, uint16_t frag)
{
	uint16_t hsum;

	l3[0] = 0x45;
	l3[1] = 0;
	wr16(l3 + 2, (uint16_t)tot);
	wr16(l3 + 4, id);
	wr16(l3 + 6, frag);
	l3[8] = IP_DEFAULT_TTL;
	l3[9] = proto;
	memset(l3 + 10, 0, 2);
	memcpy(l3 + 12, &s, 4);
	memcpy(l3 + 16, &d, 4);
	hsum = csum_ip4_header(l3, IP4_HDR_LEN);
	memcpy(l3 + 10, &hsum, 2);
}

/**
 * ip6_hdr_write() - Write an IPv6 header
 * @l3:		Where it goes
 * @src:	Source address
 * @dst:	Destination address
 * @nh:		Next header
 * @plen:	Payload length
 * @hops:	Hop limit
 */
void ip6_hdr_write(uint8_t *l3, const struct in6_addr *src,
		   const struct in6_addr *dst, uint8_t nh, size_t plen,
		   uint8_t hops)
{
	wr32(l3, 6U << 28);
	wr16(l3 + 4, (uint16_t)plen);
	l3[6] = nh;
	l3[7] = hops;
	memcpy(l3 + 8, src, 16);
	memcpy(l3 + 24, dst, 16);
}

/**
 * ip_tx_split() - Queue a packet over the MTU as fragments
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Transport protocol
 * @l4_len:	Length of the segment, checksum filled
 *
 * Only a sender that reserved with ip_tx_begin_dgram() builds more than
 * the MTU; one that did not finds no room here, and its packet is dropped.
 */
static void ip_tx_split(struct ctx *c, const struct in6_addr *src,
			const struct in6_addr *dst, uint8_t proto,
			size_t l4_len)
{
	bool v6 = !inany_is_v4(dst);

	if (l4_len > (v6 ? FRAG_DATA_MAX : FRAG_DATA_MAX - IP4_HDR_LEN) ||
	    LINK_TX_BUF - c->link.tx_len < frag_tx_need(c, v6, l4_len)) {
		count_drop(c, CNT_drop_tx_full);
		return;
	}
	frag_tx(c, src, dst, proto, l4_len);
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
	if (IP6_HDR_LEN + l4_len > (size_t)c->conf.mtu) {
		ip_tx_split(c, src, dst, proto, l4_len);
		return;
	}
	ip6_hdr_write(l3, src, dst, proto, l4_len, hops);
	eth_tx_commit(c, NULL, ETHERTYPE_IPV6, IP6_HDR_LEN + l4_len);
}

/**
 * ip_tx_commit() - Write the IP header and checksums, queue the frame (as
 * fragments if it exceeds the MTU)
 * @c:		Execution context
 * @src:	Source address (v4-mapped for IPv4)
 * @dst:	Destination address
 * @proto:	Transport protocol
 * @l4_len:	Length of the segment built after ip_tx_begin() or
 *		ip_tx_begin_dgram()
 */
void ip_tx_commit(struct ctx *c, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4_len)
{
	uint8_t *l3 = c->link.tx + c->link.tx_len + 4 + ETH_HDR_LEN;
	uint8_t *l4 = l3 + IP4_HDR_LEN;
	struct in_addr s = inany_v4(src), d = inany_v4(dst);

	if (!inany_is_v4(dst)) {
		ip6_tx_commit(c, src, dst, proto, l4_len);
		return;
	}

	ip_l4_csum(l4, l4_len, proto,
		   csum_pseudo4(s, d, proto, (uint16_t)l4_len),
		   c->link.csum_offload);
	if (IP4_HDR_LEN + l4_len > (size_t)c->conf.mtu) {
		ip_tx_split(c, src, dst, proto, l4_len);
		return;
	}
	ip4_hdr_write(l3, s, d, proto, IP4_HDR_LEN + l4_len, c->ip4_id++,
		      IP4_DF);
	eth_tx_commit(c, NULL, ETHERTYPE_IP, IP4_HDR_LEN + l4_len);
}
