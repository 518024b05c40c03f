// SPDX-License-Identifier: GPL-2.0-or-later
/* test_arp.c - ARP: merd answers for the gateway and other hosts, never
 * for the guest's own address, probes or announcements
 */
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <string.h>

#include "harness.h"
#include "merd.h"
#include "unit.h"
#include "util.h"

static struct harness h;
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * arp_frame() - Build an ARP packet from the guest
 * @f:		Frame buffer, 42 bytes
 * @op:		Operation
 * @sip:	Sender protocol address text
 * @tip:	Target protocol address text
 *
 * Return: frame length
 */
static size_t arp_frame(uint8_t *f, uint16_t op, const char *sip,
			const char *tip)
{
	uint8_t *a = f + 14;
	uint32_t s = h_addr(sip), t = h_addr(tip);

	h_eth(f, bcast, h_guest_mac, ETHERTYPE_ARP);
	wr16(a, ARPHRD_ETHER);
	wr16(a + 2, ETHERTYPE_IP);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, op);
	memcpy(a + 8, h_guest_mac, 6);
	memcpy(a + 14, &s, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &t, 4);
	return 42;
}

/**
 * check_reply_for() - Ask for an address, expect merd's MAC as the answer
 * @tip:	Address asked for
 */
static void check_reply_for(const char *tip)
{
	uint8_t f[64], rep[128];
	uint32_t t = h_addr(tip), g = h_addr(H_GUEST_ADDR);
	size_t n = arp_frame(f, ARPOP_REQUEST, H_GUEST_ADDR, tip);
	const uint8_t *a = rep + 14;

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(harness_recv(&h, rep, sizeof(rep)), 42);
	CHECK_MEM(rep, h_guest_mac, 6);
	CHECK_MEM(rep + 6, h_our_mac, 6);
	CHECK_EQ(rd16(rep + 12), ETHERTYPE_ARP);
	CHECK_EQ(rd16(a), ARPHRD_ETHER);
	CHECK_EQ(rd16(a + 2), ETHERTYPE_IP);
	CHECK_EQ(a[4], 6);
	CHECK_EQ(a[5], 4);
	CHECK_EQ(rd16(a + 6), ARPOP_REPLY);
	CHECK_MEM(a + 8, h_our_mac, 6);
	CHECK_MEM(a + 14, &t, 4);
	CHECK_MEM(a + 18, h_guest_mac, 6);
	CHECK_MEM(a + 24, &g, 4);
	CHECK_EQ(harness_recv(&h, rep, sizeof(rep)), -1);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * check_silent() - Send an ARP packet, expect no answer and no drop
 * @op:		Operation
 * @sip:	Sender protocol address text
 * @tip:	Target protocol address text
 */
static void check_silent(uint16_t op, const char *sip, const char *tip)
{
	uint8_t f[64], rep[128];
	size_t n = arp_frame(f, op, sip, tip);

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	if (harness_recv(&h, rep, sizeof(rep)) != -1) {
		printf("# op %u %s asking for %s\n", op, sip, tip);
		CHECK(!"answered");
	}
	CHECK_EQ(h.c.counters[CNT_ignored], 1);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * arp_answers_for_gateway() - The gateway's address: merd's MAC
 */
static void arp_answers_for_gateway(void)
{
	check_reply_for(H_GW_ADDR);
}

/**
 * arp_answers_for_other_hosts() - Any other host, on the prefix or beyond:
 * merd's MAC too
 */
static void arp_answers_for_other_hosts(void)
{
	check_reply_for("198.51.100.77");
	check_reply_for("203.0.113.2");
}

/**
 * arp_silent_for_guest_address() - The guest's own address: no answer, or
 * its DAD would fail
 */
static void arp_silent_for_guest_address(void)
{
	check_silent(ARPOP_REQUEST, "198.51.100.20", H_GUEST_ADDR);
}

/**
 * arp_silent_for_probes() - RFC 5227 probe (sender 0.0.0.0), for any
 * address: no answer
 */
static void arp_silent_for_probes(void)
{
	check_silent(ARPOP_REQUEST, "0.0.0.0", H_GUEST_ADDR);
	check_silent(ARPOP_REQUEST, "0.0.0.0", H_GW_ADDR);
	check_silent(ARPOP_REQUEST, "0.0.0.0", "198.51.100.77");
}

/**
 * arp_silent_for_the_rest() - Announcements (sender is target), replies,
 * non-unicast targets
 */
static void arp_silent_for_the_rest(void)
{
	check_silent(ARPOP_REQUEST, H_GUEST_ADDR, H_GUEST_ADDR);
	check_silent(ARPOP_REPLY, H_GUEST_ADDR, H_GW_ADDR);
	check_silent(ARPOP_REQUEST, H_GUEST_ADDR, "255.255.255.255");
	check_silent(ARPOP_REQUEST, H_GUEST_ADDR, "224.0.0.1");
	check_silent(ARPOP_REQUEST, H_GUEST_ADDR, "0.0.0.0");
}

/**
 * arp_malformed_dropped_and_counted() - Malformed: short, other hardware,
 * other protocol, wrong lengths
 */
static void arp_malformed_dropped_and_counted(void)
{
	static const struct { size_t off, val; const char *what; } bad[] = {
		{ 1, 6, "hardware type 6" },
		{ 2, 0x86, "protocol type 0x86dd" },
		{ 4, 8, "hardware length 8" },
		{ 5, 16, "protocol length 16" },
	};
	uint8_t f[64], rep[128];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		n = arp_frame(f, ARPOP_REQUEST, H_GUEST_ADDR, H_GW_ADDR);
		f[14 + bad[i].off] = (uint8_t)bad[i].val;
		if (bad[i].off == 2)
			f[14 + 3] = 0xdd;
		harness_reset(&h);
		CHECK_EQ(harness_send(&h, f, n), 0);
		CHECK_EQ(harness_recv(&h, rep, sizeof(rep)), -1);
		if (h.c.counters[CNT_drop_arp_bad] != 1) {
			printf("# %s\n", bad[i].what);
			CHECK_EQ(h.c.counters[CNT_drop_arp_bad], 1);
		}
	}
	n = arp_frame(f, ARPOP_REQUEST, H_GUEST_ADDR, H_GW_ADDR);
	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n - 1), 0);
	CHECK_EQ(harness_recv(&h, rep, sizeof(rep)), -1);
	CHECK_EQ(h.c.counters[CNT_drop_arp_bad], 1);
	CHECK_EQ(h.c.counters[CNT_dropped], 1);
}

/**
 * arp_padded_request_answered() - A request padded to the Ethernet minimum
 * is answered all the same
 */
static void arp_padded_request_answered(void)
{
	uint8_t f[64] = { 0 }, rep[128];

	arp_frame(f, ARPOP_REQUEST, H_GUEST_ADDR, H_GW_ADDR);
	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, 60), 0);
	CHECK_EQ(harness_recv(&h, rep, sizeof(rep)), 42);
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
	RUN(arp_answers_for_gateway);
	RUN(arp_answers_for_other_hosts);
	RUN(arp_silent_for_guest_address);
	RUN(arp_silent_for_probes);
	RUN(arp_silent_for_the_rest);
	RUN(arp_malformed_dropped_and_counted);
	RUN(arp_padded_request_answered);
	harness_fini(&h);
	return unit_done();
}
