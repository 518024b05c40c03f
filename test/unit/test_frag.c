// SPDX-License-Identifier: GPL-2.0-or-later
/* test_frag.c - IP fragments: reassembly of the guest's (in order, in
 * reverse, duplicated, overlapping, incomplete, too many, too big), whole
 * through eth_input(), and datagrams over the MTU split toward the guest
 *
 * The reassembly cases call frag_input() with packet views and compare the
 * datagram byte for byte; the frame cases send fragments of a TCP segment
 * of no known flow, which merd answers with a RST whose acknowledgement
 * says how long the reassembled segment was (no socket is opened).
 */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "frag.h"
#include "harness.h"
#include "inany.h"
#include "ip.h"
#include "merd.h"
#include "unit.h"
#include "util.h"

#define REMOTE		"203.0.113.2"
#define REMOTE6		"2001:db8:2::2"
#define DGRAM_MAX	(FRAG_DATA_MAX + 1)

static struct harness h;
static uint8_t dgram[DGRAM_MAX];	/* what the guest sends */
static uint8_t got[DGRAM_MAX];		/* what merd reassembled */
static size_t got_len;

/**
 * fill() - Fill the test datagram with a pattern that shows misplacement
 * @seed:	Pattern seed
 */
static void fill(uint32_t seed)
{
	size_t i;

	for (i = 0; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)((i * 7 + seed + (i >> 8) * 13) ^ (i >> 3));
}

/**
 * feed() - Give frag_input() one fragment of the test datagram
 * @v6:		IPv6
 * @id:		Identification
 * @off:	Offset of the fragment, bytes
 * @len:	Its length
 * @more:	More fragments follow
 *
 * A datagram completed is copied to @got and its slot released.
 *
 * Return: true if the fragment completed its datagram
 */
static bool feed(bool v6, uint32_t id, size_t off, size_t len, bool more)
{
	struct frag_info fi = { .id = id, .off = off, .more = more,
				.max = v6 ? 65535 : 65515 };
	struct ip_pkt pkt = { .v6 = v6, .proto = IPPROTO_UDP, .ttl = 64,
			      .l4 = dgram + off, .l4_len = len };
	struct in_addr a;
	int slot;

	if (v6) {
		inet_pton(AF_INET6, H_GUEST_ADDR6, &pkt.src);
		inet_pton(AF_INET6, REMOTE6, &pkt.dst);
	} else {
		a.s_addr = h_addr(H_GUEST_ADDR);
		inany_from_v4(&pkt.src, a);
		a.s_addr = h_addr(REMOTE);
		inany_from_v4(&pkt.dst, a);
	}
	slot = frag_input(&h.c, &pkt, &fi);
	if (slot < 0)
		return false;
	CHECK_EQ(pkt.proto, IPPROTO_UDP);
	got_len = pkt.l4_len;
	memcpy(got, pkt.l4, pkt.l4_len);
	frag_release(&h.c, slot);
	return true;
}

/**
 * same() - Tell whether the datagram reassembled is the one sent
 * @len:	Its length
 *
 * Return: true if @got holds @len bytes equal to the test datagram's
 */
static bool same(size_t len)
{
	return got_len == len && !memcmp(got, dgram, len);
}

/**
 * frag_in_order() - Three fragments in order, both families
 */
static void frag_in_order(void)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		harness_reset(&h);
		fill(1);
		CHECK(!feed(v6, 7, 0, 1480, true));
		CHECK(!feed(v6, 7, 1480, 1480, true));
		CHECK(feed(v6, 7, 2960, 41, false));
		CHECK(same(3001));
		CHECK_EQ(h.c.counters[CNT_frags_in], 3);
		CHECK_EQ(h.c.counters[CNT_frags_reassembled], 1);
		CHECK_EQ(h.c.counters[CNT_dropped], 0);
	}
}

/**
 * frag_reverse_order() - The last fragment first, and a datagram of 64 KiB
 * in 8-byte pieces from the end
 */
static void frag_reverse_order(void)
{
	size_t off;
	bool done = false;

	harness_reset(&h);
	fill(2);
	CHECK(!feed(false, 9, 2960, 41, false));
	CHECK(!feed(false, 9, 1480, 1480, true));
	CHECK(feed(false, 9, 0, 1480, true));
	CHECK(same(3001));

	fill(3);
	CHECK(!feed(true, 0xdeadbeef, 65528, 7, false));
	for (off = 65528; off && !done; ) {
		off -= 8;
		done = feed(true, 0xdeadbeef, off, 8, true);
	}
	CHECK_EQ(off, 0);
	CHECK(done && same(65535));
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * frag_interleaved() - Two datagrams of one pair at once, told apart by ID;
 * an IPv4 and an IPv6 one with the same ID too
 */
static void frag_interleaved(void)
{
	harness_reset(&h);
	fill(4);
	CHECK(!feed(false, 1, 0, 1000, true));
	CHECK(!feed(false, 2, 0, 1000, true));
	CHECK(!feed(true, 1, 0, 1000, true));
	CHECK(feed(false, 2, 1000, 500, false));
	CHECK(same(1500));
	CHECK(feed(true, 1, 1000, 200, false));
	CHECK(same(1200));
	CHECK(feed(false, 1, 1000, 10, false));
	CHECK(same(1010));
	CHECK_EQ(h.c.counters[CNT_frags_reassembled], 3);
}

/**
 * frag_duplicates() - An exact copy of a fragment held is ignored
 */
static void frag_duplicates(void)
{
	harness_reset(&h);
	fill(5);
	CHECK(!feed(false, 3, 0, 1480, true));
	CHECK(!feed(false, 3, 0, 1480, true));
	CHECK_EQ(h.c.counters[CNT_ignored], 1);
	CHECK(feed(false, 3, 1480, 100, false));
	CHECK(same(1580));
	harness_reset(&h);
	CHECK(!feed(true, 3, 0, 1448, true));
	CHECK(!feed(true, 3, 1448, 1448, true));
	CHECK(!feed(true, 3, 1448, 1448, true));
	CHECK(feed(true, 3, 2896, 4, false));
	CHECK(same(2900));
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * frag_overlaps_discard() - A fragment over bytes held that differ, one
 * partly over them, or two ends that disagree: the datagram is dropped
 */
static void frag_overlaps_discard(void)
{
	harness_reset(&h);
	fill(6);
	CHECK(!feed(false, 4, 0, 1480, true));
	dgram[8] ^= 0xff;			/* a teardrop of other bytes */
	CHECK(!feed(false, 4, 8, 16, true));
	dgram[8] ^= 0xff;
	CHECK_EQ(h.c.counters[CNT_drop_frag_overlap], 1);
	/* the rest starts a datagram of its own that never completes */
	CHECK(!feed(false, 4, 1480, 100, false));
	CHECK_EQ(h.c.counters[CNT_frags_reassembled], 0);

	harness_reset(&h);			/* RFC 5722: same bytes, too */
	CHECK(!feed(true, 4, 0, 16, true));
	CHECK(!feed(true, 4, 8, 16, true));
	CHECK_EQ(h.c.counters[CNT_drop_frag_overlap], 1);

	harness_reset(&h);			/* two last fragments */
	CHECK(!feed(true, 5, 1000, 100, false));
	CHECK(!feed(true, 5, 1000, 104, false));
	CHECK_EQ(h.c.counters[CNT_drop_frag_overlap], 1);

	harness_reset(&h);			/* data past the end */
	CHECK(!feed(false, 6, 1000, 100, false));
	CHECK(!feed(false, 6, 1096, 8, true));
	CHECK_EQ(h.c.counters[CNT_drop_frag_overlap], 1);

	harness_reset(&h);			/* an end before data held */
	CHECK(!feed(false, 7, 1000, 104, true));
	CHECK(!feed(false, 7, 0, 1000, false));
	CHECK_EQ(h.c.counters[CNT_drop_frag_overlap], 1);
	CHECK_EQ(h.c.counters[CNT_frags_reassembled], 0);
}

/**
 * frag_missing_last_times_out() - Without its last fragment, a datagram is
 * dropped FRAG_TIMEOUT_S after its first, and its slot is free again
 */
static void frag_missing_last_times_out(void)
{
	harness_reset(&h);
	fill(7);
	CHECK(!feed(false, 8, 0, 1480, true));
	h.c.now += FRAG_TIMEOUT_S * 1000ULL - 1;
	CHECK(!feed(false, 8, 1480, 1480, true));
	frag_expire(&h.c);
	CHECK_EQ(h.c.counters[CNT_drop_frag_timeout], 0);
	h.c.now += 1;
	frag_expire(&h.c);
	CHECK_EQ(h.c.counters[CNT_drop_frag_timeout], 1);
	/* the last one now finds nothing to complete */
	CHECK(!feed(false, 8, 2960, 40, false));
	CHECK_EQ(h.c.counters[CNT_frags_reassembled], 0);
}

/**
 * frag_table_full() - A datagram past FRAG_SLOTS at once is dropped; once
 * one completes, a new one fits
 */
static void frag_table_full(void)
{
	uint32_t id;

	harness_reset(&h);
	fill(8);
	for (id = 0; id < FRAG_SLOTS; id++)
		CHECK(!feed(id & 1, id, 0, 8, true));
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
	CHECK(!feed(false, 100, 0, 8, true));
	CHECK_EQ(h.c.counters[CNT_drop_frag_full], 1);
	CHECK(feed(false, 0, 8, 8, false));	/* frees one */
	CHECK(!feed(false, 100, 0, 8, true));
	CHECK(feed(false, 100, 8, 3, false));
	CHECK(same(11));
	CHECK_EQ(h.c.counters[CNT_drop_frag_full], 1);
}

/**
 * frag_oversize_and_malformed() - Fragments that could only make a
 * datagram past the IP limit, and fragments no datagram can have
 */
static void frag_oversize_and_malformed(void)
{
	harness_reset(&h);
	fill(9);
	CHECK(!feed(false, 10, 65512, 8, false));	/* ends at 65520 */
	CHECK_EQ(h.c.counters[CNT_drop_frag_toobig], 1);
	CHECK(!feed(false, 10, 65528, 8, true));
	CHECK_EQ(h.c.counters[CNT_drop_frag_toobig], 2);
	CHECK(!feed(true, 10, 65528, 8, false));	/* ends at 65536 */
	CHECK_EQ(h.c.counters[CNT_drop_frag_toobig], 3);
	CHECK(!feed(false, 10, 65504, 11, false));	/* exactly 65515 */
	CHECK_EQ(h.c.counters[CNT_drop_frag_toobig], 3);

	CHECK(!feed(false, 11, 0, 12, true));	/* not a multiple of 8 */
	CHECK_EQ(h.c.counters[CNT_drop_ip4_frag], 1);
	CHECK(!feed(true, 11, 8, 0, false));		/* empty */
	CHECK_EQ(h.c.counters[CNT_drop_ip6_frag], 1);
}

/**
 * tcp_seg() - Build a TCP segment of no known flow, PSH only, in @dgram
 * @v6:		IPv6 pseudo-header
 * @len:	Segment length, header included
 * @seq:	Sequence number
 */
static void tcp_seg(bool v6, size_t len, uint32_t seq)
{
	struct in6_addr s6, d6;
	struct in_addr s, d;
	uint32_t pseudo;
	uint16_t sum;

	fill(10);
	wr16(dgram, 40000);
	wr16(dgram + 2, 9);
	wr32(dgram + 4, seq);
	wr32(dgram + 8, 0);
	dgram[12] = 5 << 4;
	dgram[13] = 0x08;			/* PSH */
	wr16(dgram + 14, 1000);
	memset(dgram + 16, 0, 4);
	if (v6) {
		inet_pton(AF_INET6, H_GUEST_ADDR6, &s6);
		inet_pton(AF_INET6, REMOTE6, &d6);
		pseudo = csum_pseudo6(&s6, &d6, IPPROTO_TCP, (uint32_t)len);
	} else {
		s.s_addr = h_addr(H_GUEST_ADDR);
		d.s_addr = h_addr(REMOTE);
		pseudo = csum_pseudo4(s, d, IPPROTO_TCP, (uint16_t)len);
	}
	sum = csum_l4(pseudo, dgram, len);	/* network order */
	memcpy(dgram + 16, &sum, 2);
}

/**
 * send_frag4() - Send one IPv4 fragment of @dgram as a frame
 * @off:	Offset, bytes
 * @len:	Length
 * @more:	MF
 */
static void send_frag4(size_t off, size_t len, bool more)
{
	static uint8_t f[2048];

	h_eth(f, h_our_mac, h_guest_mac, ETHERTYPE_IP);
	h_ip4(f + 14, H_GUEST_ADDR, REMOTE, IPPROTO_TCP, len);
	wr16(f + 20, (uint16_t)(off / 8 | (more ? IP4_MF : 0)));
	memset(f + 24, 0, 2);
	wr16(f + 24, h_csum_ref(f + 14, 20, 0));
	memcpy(f + 34, dgram + off, len);
	CHECK_EQ(harness_send(&h, f, 34 + len), 0);
}

/**
 * send_frag6() - Send one IPv6 fragment of @dgram as a frame, after a
 * destination options header
 * @off:	Offset, bytes
 * @len:	Length
 * @more:	M
 */
static void send_frag6(size_t off, size_t len, bool more)
{
	static uint8_t f[2048];
	uint8_t *p = f + 14;

	h_eth(f, h_our_mac, h_guest_mac, ETHERTYPE_IPV6);
	memset(p, 0, 40 + 8 + 8);
	wr32(p, 6U << 28);
	wr16(p + 4, (uint16_t)(8 + 8 + len));
	p[6] = IPPROTO_DSTOPTS;
	p[7] = 64;
	inet_pton(AF_INET6, H_GUEST_ADDR6, p + 8);
	inet_pton(AF_INET6, REMOTE6, p + 24);
	p[40] = IPPROTO_FRAGMENT;		/* PadN fills the rest */
	p[42] = 1;
	p[43] = 4;
	p[48] = IPPROTO_TCP;
	wr16(p + 50, (uint16_t)(off | (more ? 1 : 0)));
	wr32(p + 52, 0x4d455244);
	memcpy(p + 56, dgram + off, len);
	CHECK_EQ(harness_send(&h, f, 14 + 56 + len), 0);
}

/**
 * check_rst() - Expect merd's RST for the reassembled segment
 * @v6:		IPv6
 * @ack:	Acknowledgement number it must carry
 */
static void check_rst(bool v6, uint32_t ack)
{
	uint8_t rep[256];
	size_t l4 = 14 + (v6 ? 40 : 20);
	int n = harness_recv(&h, rep, sizeof(rep));

	CHECK_EQ(n, (int)(l4 + 20));
	if (n != (int)(l4 + 20))
		return;
	CHECK_EQ(rep[l4 + 13], 0x14);		/* RST, ACK */
	CHECK_EQ(rd32(rep + l4 + 8), ack);
}

/**
 * frag_frames_reach_tcp() - Fragments sent as frames, out of order, become
 * one segment for TCP: its RST acknowledges every byte
 */
static void frag_frames_reach_tcp(void)
{
	harness_reset(&h);
	tcp_seg(false, 3000, 1000);
	send_frag4(1480, 1480, true);
	send_frag4(2960, 40, false);
	CHECK_EQ(harness_recv(&h, got, sizeof(got)), -1);
	send_frag4(0, 1480, true);
	check_rst(false, 1000 + 2980);
	CHECK_EQ(h.c.counters[CNT_frags_reassembled], 1);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);

	harness_reset(&h);
	tcp_seg(true, 2900, 5000);
	send_frag6(2896, 4, false);
	send_frag6(0, 1448, true);
	send_frag6(1448, 1448, true);
	check_rst(true, 5000 + 2880);
	CHECK_EQ(h.c.counters[CNT_frags_reassembled], 1);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);

	harness_reset(&h);			/* atomic: offset 0, M 0 */
	tcp_seg(true, 100, 7000);
	send_frag6(0, 100, false);
	check_rst(true, 7000 + 80);
	CHECK_EQ(h.c.counters[CNT_frags_in], 0);
}

/**
 * udp_out() - Queue a UDP datagram toward the guest as merd's senders do
 * @v6:		IPv6
 * @len:	Payload length
 */
static void udp_out(bool v6, size_t len)
{
	struct in6_addr src, dst;
	struct in_addr a;
	size_t cap = 0;
	uint8_t *u = ip_tx_begin_dgram(&h.c, v6, &cap);

	CHECK(u && cap >= 8 + len);
	if (!u)
		return;
	if (v6) {
		inet_pton(AF_INET6, REMOTE6, &src);
		inet_pton(AF_INET6, H_GUEST_ADDR6, &dst);
	} else {
		a.s_addr = h_addr(REMOTE);
		inany_from_v4(&src, a);
		a.s_addr = h_addr(H_GUEST_ADDR);
		inany_from_v4(&dst, a);
	}
	wr16(u, 53);
	wr16(u + 2, 40000);
	wr16(u + 4, (uint16_t)(8 + len));
	memcpy(u + 8, dgram, len);
	ip_tx_commit(&h.c, &src, &dst, IPPROTO_UDP, 8 + len);
}

/**
 * frag_rx4() - Read merd's IPv4 fragments and put them together as the
 * guest's kernel would, checking each header
 * @len:	UDP datagram length expected
 *
 * Return: fragments read
 */
static int frag_rx4(size_t len)
{
	static uint8_t f[2048];
	int n, frames = 0;
	uint16_t id = 0;
	size_t off = 0;

	while ((n = harness_recv(&h, f, sizeof(f))) > 0) {
		uint16_t fo = rd16(f + 20);
		size_t plen = rd16(f + 16) - 20;

		CHECK(n <= 14 + H_MTU);
		CHECK_EQ(n, 34 + (int)plen);
		CHECK_EQ(h_csum_ref(f + 14, 20, 0), 0);
		CHECK(!(fo & IP4_DF) || len <= H_MTU - 20);
		if (!frames)
			id = rd16(f + 18);
		CHECK_EQ(rd16(f + 18), id);
		CHECK_EQ((size_t)(fo & IP4_OFFMASK) * 8, off);
		CHECK_EQ(!!(fo & IP4_MF), off + plen < len);
		if (off + plen <= sizeof(got))
			memcpy(got + off, f + 34, plen);
		off += plen;
		frames++;
	}
	got_len = off;
	return frames;
}

/**
 * frag_rx6() - Read merd's IPv6 fragments and put them together
 * @len:	UDP datagram length expected
 *
 * Return: fragments read
 */
static int frag_rx6(size_t len)
{
	static uint8_t f[2048];
	int n, frames = 0;
	uint32_t id = 0;
	size_t off = 0;

	while ((n = harness_recv(&h, f, sizeof(f))) > 0) {
		size_t plen = rd16(f + 18) - 8;
		uint16_t fo = rd16(f + 56);

		CHECK(n <= 14 + H_MTU);
		CHECK_EQ(n, 62 + (int)plen);
		CHECK_EQ(f[20], IPPROTO_FRAGMENT);
		CHECK_EQ(f[54], IPPROTO_UDP);
		if (!frames)
			id = rd32(f + 58);
		CHECK_EQ(rd32(f + 58), id);
		CHECK_EQ((size_t)(fo & 0xfff8), off);
		CHECK_EQ(fo & 1, off + plen < len);
		if (off + plen <= sizeof(got))
			memcpy(got + off, f + 62, plen);
		off += plen;
		frames++;
	}
	got_len = off;
	return frames;
}

/**
 * udp_sum_ok() - Check the UDP checksum of a datagram put together
 * @v6:		IPv6
 *
 * Return: true if it sums to zero with its pseudo-header
 */
static bool udp_sum_ok(bool v6)
{
	struct in6_addr s6, d6;
	struct in_addr s, d;
	uint32_t pseudo;

	if (v6) {
		inet_pton(AF_INET6, REMOTE6, &s6);
		inet_pton(AF_INET6, H_GUEST_ADDR6, &d6);
		pseudo = csum_pseudo6(&s6, &d6, IPPROTO_UDP, (uint32_t)got_len);
	} else {
		s.s_addr = h_addr(REMOTE);
		d.s_addr = h_addr(H_GUEST_ADDR);
		pseudo = csum_pseudo4(s, d, IPPROTO_UDP, (uint16_t)got_len);
	}
	return !csum_fold(csum_partial(got, got_len, pseudo));
}

/**
 * frag_tx_splits_over_mtu() - A datagram over the MTU leaves in fragments
 * that fit it, with one ID, offsets in order, and a UDP checksum over the
 * whole; one under the MTU leaves whole, DF set; the largest ones fit
 */
static void frag_tx_splits_over_mtu(void)
{
	static const size_t sizes[] = { 1472, 1473, 4000, 65507 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		harness_reset(&h);
		fill((uint32_t)i);
		udp_out(false, sizes[i]);
		CHECK_EQ(frag_rx4(8 + sizes[i]),
			 (int)((8 + sizes[i] + 1479) / 1480));
		CHECK_EQ(got_len, 8 + sizes[i]);
		CHECK(udp_sum_ok(false));
		CHECK(!memcmp(got + 8, dgram, sizes[i]));
		CHECK_EQ(h.c.counters[CNT_dropped], 0);
	}
	harness_reset(&h);
	udp_out(false, 100);
	CHECK_EQ(harness_recv(&h, got, sizeof(got)), 14 + 20 + 108);
	CHECK(rd16(got + 20) & IP4_DF);

	for (i = 0; i < 3; i++) {
		size_t len = i == 2 ? 65527 : 1453 + i * 3000;

		harness_reset(&h);
		fill(20 + (uint32_t)i);
		udp_out(true, len);
		frag_rx6(8 + len);
		CHECK_EQ(got_len, 8 + len);
		CHECK(udp_sum_ok(true));
		CHECK(!memcmp(got + 8, dgram, len));
		CHECK_EQ(h.c.counters[CNT_dropped], 0);
	}
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if every test passed
 */
int main(void)
{
	if (harness_init(&h, 64)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	RUN(frag_in_order);
	RUN(frag_reverse_order);
	RUN(frag_interleaved);
	RUN(frag_duplicates);
	RUN(frag_overlaps_discard);
	RUN(frag_missing_last_times_out);
	RUN(frag_table_full);
	RUN(frag_oversize_and_malformed);
	RUN(frag_frames_reach_tcp);
	RUN(frag_tx_splits_over_mtu);
	harness_fini(&h);
	return unit_done();
}
