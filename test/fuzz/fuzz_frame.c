// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_frame.c - Valid frames around fuzz bytes, and checks of what merd
 * sends the guest, for the protocol fuzz targets (DHCP, DHCPv6, NDP, ICMP)
 *
 * A protocol target's input is a series of records:
 *
 *	selector (1 byte) | length (2 bytes, big-endian) | bytes
 *
 * the last one taking what is left. The target wraps each record's bytes
 * into an Ethernet/IP(/UDP) frame with right lengths and, unless the
 * selector says otherwise, right checksums, so the fuzzer's time goes to
 * the parser behind them rather than to the layers below; several records
 * in one input build state (a lease, a neighbour, an echo flow) on which
 * the next ones act.
 *
 * Everything merd sends back is checked by fz_check_frame() (fuzz_pump()
 * and fuzz_output() call it for every target): IP header
 * checksum and lengths, UDP, TCP, ICMP and ICMPv6 checksums, and the
 * option areas of DHCP and DHCPv6 replies and of router and neighbour
 * advertisements must be whole. Fragments merd made must fit the MTU and
 * come in order, and the datagram they make is checked as a whole. A
 * broken one aborts: merd built a frame the guest cannot parse, from bytes
 * the guest chose.
 */
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "merd.h"
#include "util.h"

/**
 * fz_next_record() - Cut the next record out of an input
 * @in:		Input
 * @size:	Its length
 * @off:	Where the record starts
 * @r:		Record to fill
 *
 * Return: offset of the record after it, 0 if no record starts at @off
 */
size_t fz_next_record(const uint8_t *in, size_t size, size_t off,
		      struct fz_record *r)
{
	if (off + 3 > size)
		return 0;
	r->sel = in[off];
	r->len = MIN((size_t)rd16(in + off + 1), size - off - 3);
	r->data = in + off + 3;
	return off + 3 + r->len;
}

/**
 * fz_l4_csum() - Fill in the checksum of a transport message
 * @l4:		Message
 * @len:	Its length
 * @proto:	IPPROTO_UDP, _TCP, _ICMP or _ICMPV6 (others untouched)
 * @pseudo:	Sum of the pseudo-header, 0 for ICMP
 */
void fz_l4_csum(uint8_t *l4, size_t len, uint8_t proto, uint32_t pseudo)
{
	size_t at = proto == IPPROTO_UDP ? 6 : proto == IPPROTO_TCP ? 16 : 2;
	uint16_t sum;

	if ((proto != IPPROTO_UDP && proto != IPPROTO_TCP &&
	     proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6) ||
	    len < at + 2)
		return;
	memset(l4 + at, 0, 2);
	sum = h_csum_ref(l4, len, pseudo);
	if (proto == IPPROTO_UDP && !sum)
		sum = 0xffff;
	wr16(l4 + at, sum);
}

/**
 * fz_addr_sum() - Sum of an address, for a pseudo-header
 * @a:		Address
 * @len:	4 or 16
 *
 * Return: the sum of its 16-bit words
 */
uint32_t fz_addr_sum(const uint8_t *a, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += rd16(a + i);
	return sum;
}

/**
 * fz_frame4() - An IPv4 frame from the guest around a transport message
 * @f:		Frame buffer, FZ_FRAME_MAX bytes
 * @dst_mac:	Destination MAC
 * @src:	Source address, network order
 * @dst:	Destination address, network order
 * @proto:	IP protocol
 * @l4:		Transport message
 * @len:	Its length, cut to what fits
 * @fix_csum:	Compute the transport checksum
 *
 * Return: frame length
 */
size_t fz_frame4(uint8_t *f, const uint8_t *dst_mac, uint32_t src,
		 uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len,
		 bool fix_csum)
{
	uint8_t *ip = f + ETH_HDR_LEN;
	uint32_t pseudo;

	len = MIN(len, (size_t)FZ_FRAME_MAX - ETH_HDR_LEN - 20);
	h_eth(f, dst_mac, h_guest_mac, ETHERTYPE_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + len));
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	wr16(ip + 10, h_csum_ref(ip, 20, 0));
	memcpy(ip + 20, l4, len);
	pseudo = fz_addr_sum(ip + 12, 8) + proto + (uint32_t)len;
	if (fix_csum)
		fz_l4_csum(ip + 20, len, proto,
			   proto == IPPROTO_ICMP ? 0 : pseudo);
	return ETH_HDR_LEN + 20 + len;
}

/**
 * fz_frame6() - An IPv6 frame from the guest around a transport message,
 * to merd's MAC, or to the group MAC of a multicast destination
 * @f:		Frame buffer, FZ_FRAME_MAX bytes
 * @src:	Source address, 16 bytes
 * @dst:	Destination address, 16 bytes
 * @hops:	Hop limit
 * @nh:		Next header
 * @l4:		Transport message
 * @len:	Its length, cut to what fits
 * @fix_csum:	Compute the transport checksum
 *
 * Return: frame length
 */
size_t fz_frame6(uint8_t *f, const void *src, const void *dst, uint8_t hops,
		 uint8_t nh, const uint8_t *l4, size_t len, bool fix_csum)
{
	const uint8_t *d = dst;
	uint8_t *ip = f + ETH_HDR_LEN, mac[6] = { 0x33, 0x33 };

	len = MIN(len, (size_t)FZ_FRAME_MAX - ETH_HDR_LEN - 40);
	memcpy(mac + 2, d + 12, 4);
	h_eth(f, d[0] == 0xff ? mac : h_our_mac, h_guest_mac, ETHERTYPE_IPV6);
	wr32(ip, 0x60000000U);
	wr16(ip + 4, (uint16_t)len);
	ip[6] = nh;
	ip[7] = hops;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memcpy(ip + 40, l4, len);
	if (fix_csum)
		fz_l4_csum(ip + 40, len, nh,
			   fz_addr_sum(ip + 8, 32) + nh + (uint32_t)len);
	return ETH_HDR_LEN + 40 + len;
}

/**
 * fz_bad() - Something merd sent the guest is malformed: abort
 * @what:	What is wrong
 */
static void fz_bad(const char *what)
{
	fprintf(stderr, "fuzz: merd sent the guest a frame with %s\n", what);
	abort();
}

/**
 * fz_check_dhcp() - A DHCP reply: BOOTREPLY, cookie, options ending in END
 * @b:		BOOTP message
 * @len:	Its length
 */
static void fz_check_dhcp(const uint8_t *b, size_t len)
{
	size_t i = 240;

	if (len < 240 || b[0] != 2 || rd32(b + 236) != 0x63825363)
		fz_bad("a malformed DHCP header");
	while (i < len && b[i] != 255) {
		if (!b[i]) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + b[i + 1] > len)
			fz_bad("a DHCP option past the message");
		i += 2U + b[i + 1];
	}
	if (i >= len)
		fz_bad("DHCP options without an end");
}

/**
 * fz_check_tlv() - Options of DHCPv6 (16-bit code and length) or of NDP
 * (8-bit type, length in units of 8 bytes) must fill their area exactly
 * @o:		Options
 * @len:	Length of the area
 * @ndp:	NDP options rather than DHCPv6 ones
 */
static void fz_check_tlv(const uint8_t *o, size_t len, bool ndp)
{
	size_t i = 0, olen;

	while (i < len) {
		if (i + (ndp ? 2 : 4) > len)
			fz_bad("a truncated option header");
		olen = ndp ? (size_t)o[i + 1] * 8 : 4 + (size_t)rd16(o + i + 2);
		if (!olen || i + olen > len)
			fz_bad("an option past its message");
		i += olen;
	}
}

/**
 * fz_check_l4() - Check a transport message merd sent the guest
 * @l4:		Message
 * @len:	Its length, from the IP header
 * @proto:	Protocol
 * @pseudo:	Pseudo-header sum (ignored for ICMP)
 */
static void fz_check_l4(const uint8_t *l4, size_t len, uint8_t proto,
			uint32_t pseudo)
{
	if (proto == IPPROTO_ICMP)
		pseudo = 0;
	else if (proto != IPPROTO_UDP && proto != IPPROTO_TCP &&
		 proto != IPPROTO_ICMPV6)
		return;
	if (len < (proto == IPPROTO_UDP ? 8U : 4U) ||
	    h_csum_ref(l4, len, pseudo))
		fz_bad("a bad transport checksum or length");
	if (proto == IPPROTO_UDP && rd16(l4 + 4) != len)
		fz_bad("a UDP length that is not the IP one");
	if (proto == IPPROTO_UDP && rd16(l4) == 67)
		fz_check_dhcp(l4 + 8, len - 8);
	if (proto == IPPROTO_UDP && rd16(l4) == 547 && len >= 12)
		fz_check_tlv(l4 + 12, len - 12, false);
	if (proto == IPPROTO_ICMPV6 && l4[0] == 134 && len >= 16)
		fz_check_tlv(l4 + 16, len - 16, true);
	if (proto == IPPROTO_ICMPV6 && l4[0] == 136 && len >= 24)
		fz_check_tlv(l4 + 24, len - 24, true);
}

/**
 * struct fz_frag - A datagram merd is sending in fragments, as the guest
 * puts it together
 * @buf:	Its bytes so far
 * @next:	Offset the next fragment must have
 * @id:		Identification of its fragments
 * @addr_sum:	Sum of its addresses, for the pseudo-header
 * @proto:	Transport protocol
 * @v6:		IPv6
 * @open:	A first fragment came, the last not yet
 */
static struct fz_frag {
	uint8_t buf[65536];
	size_t next;
	uint32_t id;
	uint32_t addr_sum;
	uint8_t proto;
	bool v6;
	bool open;
} fz_frag;

/**
 * fz_check_fragment() - Check a fragment merd sent, and the datagram its
 * last one completes
 * @v6:		IPv6
 * @addrs:	Source and destination addresses
 * @id:		Identification
 * @proto:	Transport protocol
 * @off:	Offset of its data, bytes
 * @more:	More fragments follow
 * @data:	Its data
 * @len:	Its length
 */
static void fz_check_fragment(bool v6, const uint8_t *addrs, uint32_t id,
			      uint8_t proto, size_t off, bool more,
			      const uint8_t *data, size_t len)
{
	struct fz_frag *r = &fz_frag;

	if (!len || (more && len % 8) || off + len > sizeof(r->buf) - 1)
		fz_bad("a fragment of a bad length");
	if (!off) {
		r->open = true;
		r->id = id;
		r->v6 = v6;
		r->proto = proto;
		r->addr_sum = fz_addr_sum(addrs, v6 ? 32 : 8);
	} else if (!r->open || r->id != id || r->v6 != v6 ||
		   r->proto != proto || off != r->next) {
		fz_bad("fragments out of order");
	}
	memcpy(r->buf + off, data, len);
	r->next = off + len;
	if (more)
		return;
	r->open = false;
	fz_check_l4(r->buf, r->next, proto,
		    r->addr_sum + proto + (uint32_t)r->next);
}

/**
 * fz_check_frame() - Check one frame merd sent the guest
 * @f:		Frame
 * @len:	Its length
 */
void fz_check_frame(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN;
	size_t ihl, tot;
	uint16_t fo;

	if (len < ETH_HDR_LEN)
		fz_bad("no Ethernet header");
	if (len > ETH_HDR_LEN + (size_t)fuzz_h.c.conf.mtu &&
	    ((rd16(f + 12) == ETHERTYPE_IP && len >= ETH_HDR_LEN + 20 &&
	      (rd16(ip + 6) & 0x3fff)) ||
	     (rd16(f + 12) == ETHERTYPE_IPV6 && len >= ETH_HDR_LEN + 40 &&
	      ip[6] == IPPROTO_FRAGMENT)))
		fz_bad("a fragment over the MTU");
	if (rd16(f + 12) == ETHERTYPE_IP) {
		ihl = len >= ETH_HDR_LEN + 20 ? (size_t)(ip[0] & 0x0f) * 4 : 0;
		tot = ihl ? rd16(ip + 2) : 0;
		if (ihl < 20 || tot < ihl || ETH_HDR_LEN + tot > len ||
		    h_csum_ref(ip, ihl, 0))
			fz_bad("a bad IPv4 header");
		fo = rd16(ip + 6);
		if (fo & 0x3fff) {
			if (fo & 0x4000)
				fz_bad("a fragment with DF");
			fz_check_fragment(false, ip + 12, rd16(ip + 4), ip[9],
					  (size_t)(fo & 0x1fff) * 8, fo & 0x2000,
					  ip + ihl, tot - ihl);
			return;
		}
		fz_check_l4(ip + ihl, tot - ihl, ip[9],
			    fz_addr_sum(ip + 12, 8) + ip[9] +
			    (uint32_t)(tot - ihl));
	} else if (rd16(f + 12) == ETHERTYPE_IPV6) {
		tot = len >= ETH_HDR_LEN + 40 ? rd16(ip + 4) : 0;
		if (len < ETH_HDR_LEN + 40 || ETH_HDR_LEN + 40 + tot > len)
			fz_bad("a bad IPv6 payload length");
		if (ip[6] == IPPROTO_FRAGMENT) {
			if (tot < 8)
				fz_bad("a Fragment header cut");
			fo = rd16(ip + 42);
			fz_check_fragment(true, ip + 8, rd32(ip + 44), ip[40],
					  fo & 0xfff8, fo & 1, ip + 48, tot - 8);
			return;
		}
		fz_check_l4(ip + 40, tot, ip[6],
			    fz_addr_sum(ip + 8, 32) + ip[6] + (uint32_t)tot);
	}
}
