// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ip4.c - IPv4 frames through eth_input(): each kind of malformed
 * packet is dropped under its own counter, nothing else is touched, and
 * what is not for merd is ignored rather than dropped
 *
 * No frame here opens a socket: the well-formed ones are TCP segments of
 * no known flow, which merd answers with a RST built from the segment.
 */
#include <net/ethernet.h>
#include <string.h>

#include "csum.h"
#include "harness.h"
#include "merd.h"
#include "unit.h"
#include "util.h"

#define REMOTE	"203.0.113.2"

static struct harness h;
static const char *const counter_name[] = {
#define NAME(x) #x,
	MERD_COUNTERS(NAME)
#undef NAME
};

/**
 * ip_frame() - Build a guest frame to merd's MAC with an IPv4 packet
 * @f:		Frame buffer, 14 + 20 + @l4_len bytes at least
 * @proto:	Transport protocol
 * @l4_len:	Transport bytes after the header, zeroed
 *
 * Return: frame length
 */
static size_t ip_frame(uint8_t *f, uint8_t proto, size_t l4_len)
{
	h_eth(f, h_our_mac, h_guest_mac, ETHERTYPE_IP);
	h_ip4(f + 14, H_GUEST_ADDR, REMOTE, proto, l4_len);
	memset(f + 34, 0, l4_len);
	return 34 + l4_len;
}

/**
 * ip_recsum() - Recompute the IPv4 header checksum after an edit
 * @f:		Frame from ip_frame()
 * @ihl:	Header length in bytes
 */
static void ip_recsum(uint8_t *f, size_t ihl)
{
	memset(f + 24, 0, 2);
	wr16(f + 24, h_csum_ref(f + 14, ihl, 0));
}

/**
 * check_drop() - Send a frame, expect exactly one drop under @which
 * @f:		Frame
 * @n:		Length
 * @which:	The drop_* counter expected, CNT_MAX for "ignored, no drop"
 * @what:	Name of the case, for failure lines
 */
static void check_drop(const uint8_t *f, size_t n, enum counter which,
		       const char *what)
{
	uint8_t rep[256];
	int i, bad = 0;

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	for (i = CNT_dropped; i < CNT_MAX; i++) {
		uint64_t want = 0;

		if (i == CNT_dropped || i == (int)which)
			want = which == CNT_MAX ? 0 : 1;
		if (i == CNT_ignored && which == CNT_MAX)
			want = 1;
		if (i == CNT_ignored || i == CNT_dropped ||
		    !strncmp(counter_name[i], "drop_", 5) || i == (int)which)
			if (h.c.counters[i] != want) {
				printf("# %s: %s=%ju, expected %ju\n", what,
				       counter_name[i],
				       (uintmax_t)h.c.counters[i],
				       (uintmax_t)want);
				bad = 1;
			}
	}
	CHECK(!bad);
	CHECK_EQ(h.c.counters[CNT_frames_in], 1);
	CHECK_EQ(h.c.flows.n_active, 0);
	CHECK_EQ(harness_recv(&h, rep, sizeof(rep)), -1);
}

/**
 * ip4_eth_short_dropped() - Ethernet: runt frames
 */
static void ip4_eth_short_dropped(void)
{
	uint8_t f[64];

	ip_frame(f, IPPROTO_TCP, 20);
	check_drop(f, 13, CNT_drop_eth_short, "13-byte frame");
	check_drop(f, 1, CNT_drop_eth_short, "1-byte frame");
}

/**
 * ip4_header_defects_dropped() - The IPv4 header itself
 */
static void ip4_header_defects_dropped(void)
{
	uint8_t f[128];
	size_t n;

	ip_frame(f, IPPROTO_TCP, 20);
	check_drop(f, 14 + 19, CNT_drop_ip4_short, "19-byte packet");
	check_drop(f, 14, CNT_drop_ip4_short, "empty packet");

	n = ip_frame(f, IPPROTO_TCP, 20);
	f[14] = 0x65;
	ip_recsum(f, 20);
	check_drop(f, n, CNT_drop_ip4_version, "version 6 as ethertype IPv4");

	n = ip_frame(f, IPPROTO_TCP, 20);
	f[14] = 0x44;
	ip_recsum(f, 20);
	check_drop(f, n, CNT_drop_ip4_ihl, "IHL 4");

	n = ip_frame(f, IPPROTO_TCP, 20);
	f[14] = 0x4f;				/* 60 bytes > 40 in the frame */
	check_drop(f, n, CNT_drop_ip4_ihl, "IHL past the frame");

	n = ip_frame(f, IPPROTO_TCP, 20);
	wr16(f + 16, 19);
	ip_recsum(f, 20);
	check_drop(f, n, CNT_drop_ip4_len, "total length < header");

	n = ip_frame(f, IPPROTO_TCP, 20);
	wr16(f + 16, 41);
	ip_recsum(f, 20);
	check_drop(f, n, CNT_drop_ip4_len, "total length past the frame");

	n = ip_frame(f, IPPROTO_TCP, 20);
	f[24] ^= 0x01;
	check_drop(f, n, CNT_drop_ip4_csum, "bad header checksum");

	n = ip_frame(f, IPPROTO_TCP, 20);
	f[20] |= 0x20;				/* more fragments */
	ip_recsum(f, 20);
	check_drop(f, n, CNT_drop_ip4_frag,
		   "first fragment of 20 bytes, not a multiple of 8");

	n = ip_frame(f, IPPROTO_TCP, 20);
	wr16(f + 20, 0x4000 | 185);		/* DF, offset 1480 */
	ip_recsum(f, 20);
	check_drop(f, n, CNT_drop_ip4_frag, "later fragment with DF");

	n = ip_frame(f, 47, 20);		/* GRE */
	check_drop(f, n, CNT_drop_l4_proto, "GRE");
}

/**
 * ip4_transport_defects_dropped() - UDP, ICMP and TCP headers that do not
 * fit or do not add up
 */
static void ip4_transport_defects_dropped(void)
{
	uint8_t f[128];
	size_t n;

	n = ip_frame(f, IPPROTO_UDP, 7);
	check_drop(f, n, CNT_drop_udp_short, "7-byte UDP");

	n = ip_frame(f, IPPROTO_UDP, 12);
	wr16(f + 34, 5000);
	wr16(f + 36, 7);
	wr16(f + 38, 13);
	check_drop(f, n, CNT_drop_udp_len, "UDP length past the packet");
	wr16(f + 38, 7);
	check_drop(f, n, CNT_drop_udp_len, "UDP length < header");

	n = ip_frame(f, IPPROTO_ICMP, 7);
	f[34] = 8;
	check_drop(f, n, CNT_drop_icmp_short, "7-byte ICMP");

	n = ip_frame(f, IPPROTO_ICMP, 8);
	f[34] = 13;				/* timestamp */
	check_drop(f, n, CNT_drop_icmp_type, "ICMP timestamp");
	f[34] = 8;
	f[35] = 1;
	check_drop(f, n, CNT_drop_icmp_type, "echo request code 1");

	n = ip_frame(f, IPPROTO_TCP, 19);
	check_drop(f, n, CNT_drop_tcp_short, "19-byte TCP");

	n = ip_frame(f, IPPROTO_TCP, 20);
	f[34 + 12] = 4 << 4;
	check_drop(f, n, CNT_drop_tcp_doff, "data offset 4");
	f[34 + 12] = 6 << 4;			/* 24 bytes > 20 */
	check_drop(f, n, CNT_drop_tcp_doff, "data offset past the packet");
}

/**
 * ip4_not_for_us_ignored() - Not for merd: another station's MAC, unknown
 * ethertypes, broadcast, multicast and the guest's own address: ignored,
 * not dropped
 */
static void ip4_not_for_us_ignored(void)
{
	static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	static const char *const dst[] = {
		"255.255.255.255", "198.51.100.255", "224.0.0.251",
		H_GUEST_ADDR, "0.1.2.3",
	};
	uint8_t f[128];
	size_t n, i;

	n = ip_frame(f, IPPROTO_TCP, 20);
	memcpy(f, other_mac, 6);
	check_drop(f, n, CNT_MAX, "unicast to another MAC");

	n = ip_frame(f, IPPROTO_TCP, 20);
	wr16(f + 12, 0x88cc);			/* LLDP */
	check_drop(f, n, CNT_MAX, "LLDP");

	for (i = 0; i < ARRAY_SIZE(dst); i++) {
		n = ip_frame(f, IPPROTO_UDP, 8);
		h_ip4(f + 14, H_GUEST_ADDR, dst[i], IPPROTO_UDP, 8);
		wr16(f + 34, 5353);
		wr16(f + 36, 5353);
		wr16(f + 38, 8);
		check_drop(f, n, CNT_MAX, dst[i]);
	}
}

/**
 * ip4_padding_is_not_payload() - Ethernet padding after the IP packet is
 * not taken as payload: a TCP segment of no flow gets a RST acknowledging
 * exactly its sequence
 */
static void ip4_padding_is_not_payload(void)
{
	uint8_t f[128] = { 0 }, rep[256];
	const uint8_t *ip = rep + 14, *th = ip + 20;
	uint32_t g = h_addr(H_GUEST_ADDR), r = h_addr(REMOTE);
	struct in_addr src, dst;
	uint16_t sum;
	int len;

	ip_frame(f, IPPROTO_TCP, 20);
	wr16(f + 34, 40000);
	wr16(f + 36, 80);
	wr32(f + 38, 1000);			/* seq */
	f[46] = 5 << 4;
	f[47] = 0x08;				/* PSH alone */
	memset(f + 54, 0xee, 10);		/* padding to 64 */
	memcpy(&src, f + 26, 4);
	memcpy(&dst, f + 30, 4);
	sum = csum_l4(csum_pseudo4(src, dst, IPPROTO_TCP, 20), f + 34, 20);
	memcpy(f + 50, &sum, 2);		/* merd checks it */
	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, 64), 0);
	len = harness_recv(&h, rep, sizeof(rep));
	CHECK_EQ(len, 54);
	if (len != 54)
		return;
	CHECK_MEM(rep, h_guest_mac, 6);
	CHECK_EQ(h_csum_ref(ip, 20, 0), 0);
	CHECK_MEM(ip + 12, &r, 4);
	CHECK_MEM(ip + 16, &g, 4);
	CHECK_EQ(rd16(th), 80);
	CHECK_EQ(rd16(th + 2), 40000);
	CHECK_EQ(th[13], 0x14);			/* RST ACK */
	CHECK_EQ(rd32(th + 8), 1000);		/* no payload counted */
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
	CHECK_EQ(h.c.counters[CNT_frames_out], 1);
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	if (harness_init(&h, 16)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	RUN(ip4_eth_short_dropped);
	RUN(ip4_header_defects_dropped);
	RUN(ip4_transport_defects_dropped);
	RUN(ip4_not_for_us_ignored);
	RUN(ip4_padding_is_not_payload);
	harness_fini(&h);
	return unit_done();
}
