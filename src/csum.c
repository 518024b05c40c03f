// SPDX-License-Identifier: GPL-2.0-or-later
/* csum.c - Internet checksums (RFC 1071), summed 64 bits at a time */
#include <string.h>

#include "csum.h"

/* Four 64-bit lanes: one AVX2 register, two SSE2 ones elsewhere */
typedef uint64_t csum_v4u64 __attribute__((vector_size(32)));

/**
 * csum_blocks() - Sum 64-byte blocks as 32-bit native-order words
 * @p:		Data, any alignment
 * @n:		Length in bytes, a multiple of 64, below 2 GiB
 *
 * Each 64-bit lane adds two 32-bit words per 32 bytes, so it cannot
 * overflow below 2^31 bytes. An AVX2 clone is chosen at start-up where the
 * CPU has it.
 *
 * Return: sum of the 32-bit words, not folded
 */
__attribute__((target_clones("avx2", "default")))
static uint64_t csum_blocks(const uint8_t *p, size_t n)
{
	const csum_v4u64 lo = { 0xffffffff, 0xffffffff, 0xffffffff,
				0xffffffff };
	csum_v4u64 a0 = { 0 }, a1 = { 0 };
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i += 64) {
		csum_v4u64 w0, w1;

		memcpy(&w0, p + i, sizeof(w0));
		memcpy(&w1, p + i + 32, sizeof(w1));
		a0 += (w0 & lo) + (w0 >> 32);
		a1 += (w1 & lo) + (w1 >> 32);
	}
	a0 += a1;
	for (i = 0; i < 4; i++)
		sum += (a0[i] & 0xffffffff) + (a0[i] >> 32);
	return sum;
}

/**
 * csum_partial() - Add a buffer to a running one's complement sum
 * @buf:	Data, any alignment
 * @len:	Length in bytes
 * @sum:	Running sum from a previous call, or 0
 *
 * The buffer is summed as a sequence of big-endian 16-bit words; an odd
 * final byte is padded with zero. Callers chaining several buffers must
 * keep every buffer but the last an even length.
 *
 * Return: 32-bit partial sum, not folded
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	size_t blocks = len & ~(size_t)63;
	uint64_t acc = 0;

	if (blocks) {
		acc = csum_blocks(p, blocks);
		p += blocks;
		len -= blocks;
	}
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		acc += (w & 0xffffffff) + (w >> 32);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;

		memcpy(&w, last, 2);
		acc += w;
	}

	/* acc holds sums of native-order words: convert once at the end */
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return sum + ntohs((uint16_t)acc);
}

/**
 * csum_fold() - Fold a 32-bit sum into the 16-bit checksum field value
 * @sum:	Partial sum, host order words
 *
 * Return: one's complement of the folded sum, in network byte order
 */
uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/**
 * csum_ip4_header() - Checksum of an IPv4 header
 * @hdr:	Header, with its checksum field zeroed
 * @len:	Header length in bytes
 *
 * Return: value for the checksum field, network order
 */
uint16_t csum_ip4_header(const void *hdr, size_t len)
{
	return csum_fold(csum_partial(hdr, len, 0));
}

/**
 * csum_pseudo4() - Partial sum of the IPv4 pseudo-header
 * @src:	Source address, network order
 * @dst:	Destination address, network order
 * @proto:	IP protocol number
 * @l4_len:	Length of the transport header and payload
 *
 * Return: partial sum to pass to csum_l4()
 */
uint32_t csum_pseudo4(struct in_addr src, struct in_addr dst, uint8_t proto,
		      uint16_t l4_len)
{
	uint32_t s = ntohl(src.s_addr), d = ntohl(dst.s_addr);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) +
	       proto + l4_len;
}

/**
 * csum_pseudo6() - Partial sum of the IPv6 pseudo-header (RFC 8200, 8.1)
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Upper-layer protocol number
 * @l4_len:	Upper-layer packet length
 *
 * Return: partial sum to pass to csum_l4()
 */
uint32_t csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t proto, uint32_t l4_len)
{
	uint32_t sum = csum_partial(src, sizeof(*src), 0);

	sum = csum_partial(dst, sizeof(*dst), sum);
	return sum + (l4_len >> 16) + (l4_len & 0xffff) + proto;
}

/**
 * csum_l4() - Checksum of a transport segment given its pseudo-header sum
 * @pseudo:	Result of csum_pseudo4() or csum_pseudo6()
 * @l4:		Transport header and payload, checksum field zeroed
 * @len:	Length of @l4
 *
 * Return: value for the checksum field, network order (0 is returned as
 * is: UDP callers map it to 0xffff)
 */
uint16_t csum_l4(uint32_t pseudo, const void *l4, size_t len)
{
	return csum_fold(csum_partial(l4, len, pseudo));
}
