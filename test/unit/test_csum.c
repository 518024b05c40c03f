// SPDX-License-Identifier: GPL-2.0-or-later
/* test_csum.c - Internet checksums against a byte-wise reference and RFC
 * vectors: any length, any alignment, IPv4 header, IPv4 and IPv6
 * pseudo-headers
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "harness.h"
#include "unit.h"
#include "util.h"

/**
 * fill_random() - Fill a buffer from a fixed-seed generator
 * @buf:	Buffer
 * @len:	Length
 * @seed:	Generator state, updated
 */
static void fill_random(uint8_t *buf, size_t len, uint32_t *seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		*seed = *seed * 1103515245 + 12345;
		buf[i] = (uint8_t)(*seed >> 16);
	}
}

/**
 * csum_final() - merd's checksum of a buffer, host order
 * @buf:	Bytes
 * @len:	Length
 * @sum:	Starting sum
 *
 * Return: checksum field value, host order
 */
static uint16_t csum_final(const void *buf, size_t len, uint32_t sum)
{
	return ntohs(csum_fold(csum_partial(buf, len, sum)));
}

/**
 * csum_rfc1071_example() - RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums
 * to ddf2
 */
static void csum_rfc1071_example(void)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ(csum_final(b, sizeof(b), 0), 0xffff & ~0xddf2);
	CHECK_EQ(h_csum_ref(b, sizeof(b), 0), 0xffff & ~0xddf2);
}

/**
 * csum_partial_any_length_and_alignment() - Every length 0..300 at every
 * alignment 0..7 matches the reference
 */
static void csum_partial_any_length_and_alignment(void)
{
	static uint8_t buf[512];
	uint32_t seed = 1;
	size_t len, off;

	fill_random(buf, sizeof(buf), &seed);
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 300; len++)
			if (csum_final(buf + off, len, 0) !=
			    h_csum_ref(buf + off, len, 0)) {
				CHECK_EQ(csum_final(buf + off, len, 0),
					 h_csum_ref(buf + off, len, 0));
				printf("# offset %zu length %zu\n", off, len);
				return;
			}
}

/**
 * csum_partial_odd_tail_is_high_byte() - Odd lengths pad the last byte as
 * the high half of a word
 */
static void csum_partial_odd_tail_is_high_byte(void)
{
	static const uint8_t one[] = { 0xab };
	static const uint8_t three[] = { 0x12, 0x34, 0x56 };

	CHECK_EQ(csum_partial(one, 1, 0), 0xab00);
	CHECK_EQ(csum_partial(three, 3, 0), 0x1234 + 0x5600);
}

/**
 * csum_partial_chains() - Chained even-length pieces give the sum of the
 * whole
 */
static void csum_partial_chains(void)
{
	static uint8_t buf[1500];
	uint32_t seed = 7, sum;
	size_t cut;

	fill_random(buf, sizeof(buf), &seed);
	for (cut = 0; cut <= 200; cut += 2) {
		sum = csum_partial(buf, cut, 0);
		sum = csum_partial(buf + cut, sizeof(buf) - 1 - cut, sum);
		CHECK_EQ(ntohs(csum_fold(sum)),
			 h_csum_ref(buf, sizeof(buf) - 1, 0));
	}
}

/**
 * csum_partial_large_all_ones() - A 64 KiB buffer of 0xff carries without
 * losing bits
 */
static void csum_partial_large_all_ones(void)
{
	static uint8_t buf[65536];
	uint32_t seed = 3;

	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(csum_final(buf, sizeof(buf), 0), h_csum_ref(buf, sizeof(buf), 0));
	CHECK_EQ(csum_final(buf, sizeof(buf) - 1, 0x12345),
		 h_csum_ref(buf, sizeof(buf) - 1, 0x12345));
	fill_random(buf, sizeof(buf), &seed);
	CHECK_EQ(csum_final(buf + 1, sizeof(buf) - 1, 0xffff),
		 h_csum_ref(buf + 1, sizeof(buf) - 1, 0xffff));
}

/**
 * csum_ip4_header_known_vector() - The classic IPv4 header example:
 * checksum b861, and a header with its checksum in place sums to zero
 */
static void csum_ip4_header_known_vector(void)
{
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
			  0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
			  0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t sum = csum_ip4_header(h, sizeof(h));

	CHECK_EQ(ntohs(sum), 0xb861);
	memcpy(h + 10, &sum, 2);
	CHECK_EQ(csum_fold(csum_partial(h, sizeof(h), 0)), 0);
}

/**
 * csum_ip4_header_with_options() - IPv4 header with options (IHL 6) against
 * the reference
 */
static void csum_ip4_header_with_options(void)
{
	uint8_t h[24];
	uint32_t seed = 11;

	fill_random(h, sizeof(h), &seed);
	h[0] = 0x46;
	memset(h + 10, 0, 2);
	CHECK_EQ(ntohs(csum_ip4_header(h, sizeof(h))), h_csum_ref(h, 24, 0));
}

/**
 * csum_pseudo4_udp_matches_reference() - UDP over IPv4: pseudo-header +
 * segment equals the reference over the explicit 12-byte pseudo-header
 * followed by the segment
 */
static void csum_pseudo4_udp_matches_reference(void)
{
	struct in_addr s = { h_addr("198.51.100.10") };
	struct in_addr d = { h_addr("203.0.113.2") };
	uint8_t ph[12 + 64], seg[64];
	uint32_t seed = 5;
	size_t len;

	for (len = 8; len <= sizeof(seg); len++) {
		fill_random(seg, len, &seed);
		memset(seg + 6, 0, 2);
		memcpy(ph, &s, 4);
		memcpy(ph + 4, &d, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_UDP;
		wr16(ph + 10, (uint16_t)len);
		memcpy(ph + 12, seg, len);
		CHECK_EQ(ntohs(csum_l4(csum_pseudo4(s, d, IPPROTO_UDP,
						    (uint16_t)len), seg, len)),
			 h_csum_ref(ph, 12 + len, 0));
	}
}

/**
 * csum_pseudo4_known_datagram() - A fixed UDP datagram: known checksum, and
 * it verifies to zero
 */
static void csum_pseudo4_known_datagram(void)
{
	/* 192.168.0.1:1024 -> 192.168.0.199:53, payload "hello": 0x35b4 */
	struct in_addr s = { h_addr("192.168.0.1") };
	struct in_addr d = { h_addr("192.168.0.199") };
	uint8_t u[13] = { 0x04, 0x00, 0x00, 0x35, 0x00, 0x0d, 0x00, 0x00,
			  'h', 'e', 'l', 'l', 'o' };
	uint16_t sum = csum_l4(csum_pseudo4(s, d, IPPROTO_UDP, 13), u, 13);
	uint32_t ref = 0xc0a8 + 0x0001 + 0xc0a8 + 0x00c7 + 17 + 13;

	CHECK_EQ(ntohs(sum), 0x35b4);
	CHECK_EQ(ntohs(sum), h_csum_ref(u, 13, ref));
	memcpy(u + 6, &sum, 2);
	CHECK_EQ(csum_fold(csum_partial(u, 13, csum_pseudo4(s, d, 17, 13))),
		 0);
}

/**
 * csum_pseudo6_matches_reference() - TCP over IPv6 (RFC 8200 8.1): 32-bit
 * length, next header last
 */
static void csum_pseudo6_matches_reference(void)
{
	struct in6_addr s, d;
	uint8_t ph[40 + 100], seg[100];
	uint32_t seed = 9;
	size_t len;

	inet_pton(AF_INET6, "2001:db8:1::10", &s);
	inet_pton(AF_INET6, "2001:db8:2::2", &d);
	for (len = 20; len <= sizeof(seg); len += 7) {
		fill_random(seg, len, &seed);
		memset(seg + 16, 0, 2);
		memcpy(ph, &s, 16);
		memcpy(ph + 16, &d, 16);
		wr32(ph + 32, (uint32_t)len);
		memset(ph + 36, 0, 3);
		ph[39] = IPPROTO_TCP;
		memcpy(ph + 40, seg, len);
		CHECK_EQ(ntohs(csum_l4(csum_pseudo6(&s, &d, IPPROTO_TCP,
						    (uint32_t)len), seg, len)),
			 h_csum_ref(ph, 40 + len, 0));
	}
}

/**
 * csum_pseudo6_large_length() - Jumbo lengths: the high half of the 32-bit
 * length counts
 */
static void csum_pseudo6_large_length(void)
{
	struct in6_addr s, d;
	uint8_t ph[40];
	uint32_t len = 0x12345;

	inet_pton(AF_INET6, "2001:db8::1", &s);
	inet_pton(AF_INET6, "ff02::1", &d);
	memcpy(ph, &s, 16);
	memcpy(ph + 16, &d, 16);
	wr32(ph + 32, len);
	memset(ph + 36, 0, 3);
	ph[39] = IPPROTO_ICMPV6;
	CHECK_EQ(ntohs(csum_fold(csum_pseudo6(&s, &d, IPPROTO_ICMPV6, len))),
		 h_csum_ref(ph, 40, 0));
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	RUN(csum_rfc1071_example);
	RUN(csum_partial_any_length_and_alignment);
	RUN(csum_partial_odd_tail_is_high_byte);
	RUN(csum_partial_chains);
	RUN(csum_partial_large_all_ones);
	RUN(csum_ip4_header_known_vector);
	RUN(csum_ip4_header_with_options);
	RUN(csum_pseudo4_udp_matches_reference);
	RUN(csum_pseudo4_known_datagram);
	RUN(csum_pseudo6_matches_reference);
	RUN(csum_pseudo6_large_length);
	return unit_done();
}
