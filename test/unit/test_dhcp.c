// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dhcp.c - DHCP through the guest link: OFFER and ACK options, NAK,
 * INFORM, and malformed client messages dropped and counted
 */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <string.h>

#include "harness.h"
#include "merd.h"
#include "unit.h"
#include "util.h"

#define XID		0xdeadbeef
#define BOOTP_LEN	300

static struct harness h;
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * struct reply - A DHCP reply merd sent, checked and split into options
 * @len:	Frame length, -1 if nothing was sent
 * @frame:	The frame
 * @ip_dst:	IPv4 destination, network order
 * @bootp:	BOOTP part, inside @frame
 * @opt:	Option values, each repeated option concatenated (RFC 3396)
 * @opt_len:	Length of each option, -1 if absent
 * @ends:	The option area ended with an end option
 */
struct reply {
	int len;
	uint8_t frame[2048];
	uint32_t ip_dst;
	const uint8_t *bootp;
	uint8_t opt[256][512];
	int opt_len[256];
	int ends;
};

static struct reply r;

/**
 * client_msg() - Build a client message frame
 * @f:		Frame buffer
 * @type:	DHCP message type, 0 for none
 * @ciaddr:	Client address text, NULL for 0.0.0.0
 * @extra:	More options (before the end option), may be NULL
 * @extra_len:	Their length
 *
 * Return: frame length
 */
static size_t client_msg(uint8_t *f, uint8_t type, const char *ciaddr,
			 const uint8_t *extra, size_t extra_len)
{
	uint8_t *ip = f + 14, *u = ip + 20, *b = u + 8, *o;
	uint32_t ci = ciaddr ? h_addr(ciaddr) : 0;

	memset(f, 0, 14 + 20 + 8 + BOOTP_LEN);
	h_eth(f, bcast, h_guest_mac, ETHERTYPE_IP);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	wr32(b + 4, XID);
	wr16(b + 10, 0x8000);			/* broadcast flag */
	memcpy(b + 12, &ci, 4);
	memcpy(b + 28, h_guest_mac, 6);
	wr32(b + 236, 0x63825363);
	o = b + 240;
	if (type) {
		*o++ = 53;
		*o++ = 1;
		*o++ = type;
	}
	if (extra_len) {
		memcpy(o, extra, extra_len);
		o += extra_len;
	}
	*o = 255;
	wr16(u, 68);
	wr16(u + 2, 67);
	wr16(u + 4, 8 + BOOTP_LEN);
	h_ip4(ip, ciaddr ? ciaddr : "0.0.0.0",
	      ciaddr ? H_GW_ADDR : "255.255.255.255", IPPROTO_UDP,
	      8 + BOOTP_LEN);
	return 14 + 20 + 8 + BOOTP_LEN;
}

/**
 * reply_get() - Read merd's reply and check its headers and checksums
 *
 * Return: 0 if a sound DHCP reply was read into r, -1 otherwise
 */
static int reply_get(void)
{
	const uint8_t *ip, *u, *b, *o, *end;
	uint32_t pseudo, gw = h_addr(H_GW_ADDR);
	size_t ulen, i;

	memset(&r, 0, sizeof(r));
	memset(r.opt_len, 0xff, sizeof(r.opt_len));
	r.len = harness_recv(&h, r.frame, sizeof(r.frame));
	if (r.len < 14 + 20 + 8 + 240)
		return -1;
	ip = r.frame + 14;
	u = ip + 20;
	b = u + 8;
	CHECK_MEM(r.frame, h_guest_mac, 6);		/* learned */
	CHECK_MEM(r.frame + 6, h_our_mac, 6);
	CHECK_EQ(rd16(r.frame + 12), ETHERTYPE_IP);
	CHECK_EQ(ip[0], 0x45);
	CHECK_EQ(rd16(ip + 2), r.len - 14);
	CHECK_EQ(ip[9], IPPROTO_UDP);
	CHECK_EQ(h_csum_ref(ip, 20, 0), 0);
	CHECK_MEM(ip + 12, &gw, 4);
	memcpy(&r.ip_dst, ip + 16, 4);
	CHECK_EQ(rd16(u), 67);
	CHECK_EQ(rd16(u + 2), 68);
	ulen = rd16(u + 4);
	CHECK_EQ(ulen, r.len - 14 - 20);
	CHECK(ulen >= 8 + BOOTP_LEN);
	pseudo = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) +
		 rd16(ip + 18) + IPPROTO_UDP + (uint32_t)ulen;
	CHECK_EQ(h_csum_ref(u, ulen, pseudo), 0);
	CHECK_EQ(b[0], 2);				/* BOOTREPLY */
	CHECK_EQ(rd32(b + 4), XID);
	CHECK_EQ(rd16(b + 10), 0x8000);
	CHECK_MEM(b + 28, h_guest_mac, 6);
	CHECK_EQ(rd32(b + 236), 0x63825363);
	r.bootp = b;

	end = u + ulen;
	for (o = b + 240; o < end;) {
		uint8_t code = o[0], len;

		if (code == 0) {
			o++;
			continue;
		}
		if (code == 255) {
			r.ends = 1;
			break;
		}
		CHECK(o + 2 <= end && o + 2 + o[1] <= end);
		if (o + 2 > end || o + 2 + o[1] > end)
			return -1;
		len = o[1];
		if (r.opt_len[code] < 0)
			r.opt_len[code] = 0;
		for (i = 0; i < len && r.opt_len[code] < 512; i++)
			r.opt[code][r.opt_len[code]++] = o[2 + i];
		o += 2 + len;
	}
	CHECK(r.ends);
	return 0;
}

/**
 * check_addr_opt() - Check an option holding one address
 * @code:	Option code
 * @addr:	Expected address text
 */
static void check_addr_opt(uint8_t code, const char *addr)
{
	uint32_t a = h_addr(addr);

	CHECK_EQ(r.opt_len[code], 4);
	if (r.opt_len[code] == 4)
		CHECK_MEM(r.opt[code], &a, 4);
}

/**
 * check_lease_opts() - Check what every OFFER and ACK carries
 */
static void check_lease_opts(void)
{
	static const uint8_t lease[] = { 0x00, 0x01, 0x51, 0x80 };	/* 1 d */
	static const uint8_t search[] = "\x07" "example" "\x03" "com" "\x00"
		"\x04" "test" "\x07" "example" "\x03" "org";	/* + 0 */
	uint32_t yi = h_addr(H_GUEST_ADDR);

	CHECK_MEM(r.bootp + 16, &yi, 4);		/* yiaddr */
	check_addr_opt(54, H_GW_ADDR);			/* server id */
	CHECK_EQ(r.opt_len[51], 4);
	CHECK_MEM(r.opt[51], lease, 4);
	check_addr_opt(1, "255.255.255.0");
	check_addr_opt(3, H_GW_ADDR);
	check_addr_opt(6, H_DNS_ADDR);
	CHECK_EQ(r.opt_len[15], strlen("example.com"));
	CHECK_MEM(r.opt[15], "example.com", strlen("example.com"));
	CHECK_EQ(r.opt_len[119], sizeof(search));	/* with final 0 */
	CHECK_MEM(r.opt[119], search, sizeof(search));
	CHECK_EQ(r.opt_len[26], 2);
	CHECK_EQ(rd16(r.opt[26]), H_MTU);
	CHECK_EQ(r.opt_len[121], -1);			/* gateway on-link */
}

/**
 * dhcp_discover_gets_offer() - DISCOVER through link_rx(): an OFFER with
 * every option, broadcast
 */
static void dhcp_discover_gets_offer(void)
{
	uint8_t f[600];
	size_t n = client_msg(f, 1, NULL, NULL, 0);

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	CHECK_EQ(r.opt_len[53], 1);
	CHECK_EQ(r.opt[53][0], 2);			/* DHCPOFFER */
	CHECK_EQ(r.ip_dst, 0xffffffff);
	check_lease_opts();
	CHECK_EQ(harness_recv(&h, r.frame, sizeof(r.frame)), -1);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * dhcp_request_gets_ack() - REQUEST for the offered address, server id
 * ours: ACK
 */
static void dhcp_request_gets_ack(void)
{
	uint8_t f[600], o[12] = { 50, 4, 0, 0, 0, 0, 54, 4, 0, 0, 0, 0 };
	uint32_t a = h_addr(H_GUEST_ADDR), g = h_addr(H_GW_ADDR);
	size_t n;

	memcpy(o + 2, &a, 4);
	memcpy(o + 8, &g, 4);
	n = client_msg(f, 3, NULL, o, sizeof(o));
	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	CHECK_EQ(r.opt[53][0], 5);			/* DHCPACK */
	CHECK_EQ(r.ip_dst, 0xffffffff);
	check_lease_opts();
}

/**
 * dhcp_request_other_address_gets_nak() - REQUEST for another address: NAK,
 * no configuration, broadcast
 */
static void dhcp_request_other_address_gets_nak(void)
{
	uint8_t f[600], o[6] = { 50, 4, 198, 51, 100, 99 };
	size_t n = client_msg(f, 3, NULL, o, sizeof(o));
	uint32_t zero = 0;

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	CHECK_EQ(r.opt[53][0], 6);			/* DHCPNAK */
	CHECK_MEM(r.bootp + 16, &zero, 4);
	CHECK_EQ(r.opt_len[51], -1);
	CHECK_EQ(r.opt_len[1], -1);
	CHECK_EQ(r.opt_len[3], -1);
	CHECK_EQ(r.ip_dst, 0xffffffff);
}

/**
 * dhcp_request_for_other_server_ignored() - REQUEST naming another server:
 * silence, and not counted as bad
 */
static void dhcp_request_for_other_server_ignored(void)
{
	uint8_t f[600], o[6] = { 54, 4, 198, 51, 100, 2 };
	size_t n = client_msg(f, 3, NULL, o, sizeof(o));

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(harness_recv(&h, r.frame, sizeof(r.frame)), -1);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * dhcp_renewal_acked_unicast() - Renewal: REQUEST with ciaddr and no option
 * 50, ACK unicast to it
 */
static void dhcp_renewal_acked_unicast(void)
{
	uint8_t f[600];
	size_t n = client_msg(f, 3, H_GUEST_ADDR, NULL, 0);

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	CHECK_EQ(r.opt[53][0], 5);
	CHECK_EQ(r.ip_dst, h_addr(H_GUEST_ADDR));
}

/**
 * dhcp_inform_acked_without_lease() - INFORM: ACK with configuration but no
 * lease, mask or yiaddr
 */
static void dhcp_inform_acked_without_lease(void)
{
	uint8_t f[600];
	size_t n = client_msg(f, 8, H_GUEST_ADDR, NULL, 0);
	uint32_t zero = 0;

	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	CHECK_EQ(r.opt[53][0], 5);
	CHECK_MEM(r.bootp + 16, &zero, 4);
	CHECK_EQ(r.opt_len[51], -1);
	CHECK_EQ(r.opt_len[1], -1);
	check_addr_opt(3, H_GW_ADDR);
	check_addr_opt(6, H_DNS_ADDR);
	CHECK_EQ(r.ip_dst, h_addr(H_GUEST_ADDR));
}

/**
 * dhcp_release_ignored() - RELEASE and DECLINE: no answer, ignored rather
 * than dropped
 */
static void dhcp_release_ignored(void)
{
	uint8_t f[600];
	size_t n;

	harness_reset(&h);
	n = client_msg(f, 7, H_GUEST_ADDR, NULL, 0);
	CHECK_EQ(harness_send(&h, f, n), 0);
	n = client_msg(f, 4, NULL, NULL, 0);
	CHECK_EQ(harness_send(&h, f, n), 0);
	CHECK_EQ(harness_recv(&h, r.frame, sizeof(r.frame)), -1);
	CHECK_EQ(h.c.counters[CNT_ignored], 2);
	CHECK_EQ(h.c.counters[CNT_dropped], 0);
}

/**
 * dhcp_offlink_gateway_gets_classless_route() - A gateway outside the
 * guest's prefix comes with RFC 3442 routes
 */
static void dhcp_offlink_gateway_gets_classless_route(void)
{
	uint8_t f[600], want[14] = { 32, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint32_t g = h_addr(H_GW_ADDR);
	size_t n = client_msg(f, 1, NULL, NULL, 0);
	int saved = h.c.conf.prefix4;

	memcpy(want + 1, &g, 4);
	memcpy(want + 10, &g, 4);
	harness_reset(&h);
	h.c.conf.prefix4 = 32;
	CHECK_EQ(harness_send(&h, f, n), 0);
	h.c.conf.prefix4 = saved;
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	check_addr_opt(1, "255.255.255.255");
	CHECK_EQ(r.opt_len[121], 14);
	CHECK_MEM(r.opt[121], want, 14);
	check_addr_opt(3, H_GW_ADDR);
}

/**
 * dhcp_long_search_list_split() - A search list longer than one option is
 * split (RFC 3396) and joins up
 */
static void dhcp_long_search_list_split(void)
{
	static const char *const dom[] = {
		"alpha.example.com", "bravo.example.net", "charlie.example.org",
		"delta.example.com", "echo.example.net", "foxtrot.example.org",
		"golf.example.com", "hotel.example.net", "india.example.org",
		"juliet.example.com", "kilo.example.net", "lima.example.org",
		"mike.example.com", "november.example.net",
	};
	uint8_t f[600], want[512];
	char saved[sizeof(h.c.conf.search)];
	size_t n = client_msg(f, 1, NULL, NULL, 0), w = 0, i;

	memcpy(saved, h.c.conf.search, sizeof(saved));
	h.c.conf.search[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(dom); i++) {
		const char *p = dom[i];

		if (i)
			strcat(h.c.conf.search, " ");
		strcat(h.c.conf.search, dom[i]);
		while (*p) {			/* labels, then the root */
			size_t lab = strcspn(p, ".");

			want[w++] = (uint8_t)lab;
			memcpy(want + w, p, lab);
			w += lab;
			p += lab + (p[lab] == '.');
		}
		want[w++] = 0;
	}
	CHECK(w > 255);
	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	memcpy(h.c.conf.search, saved, sizeof(saved));
	CHECK_EQ(reply_get(), 0);
	if (r.len < 0)
		return;
	CHECK_EQ(r.opt_len[119], w);
	CHECK_MEM(r.opt[119], want, w);
	CHECK_EQ(r.opt_len[15], strlen(dom[0]));
}

/**
 * check_bad() - Send a frame, expect no reply and one drop_dhcp_bad
 * @f:		Frame
 * @n:		Its length
 * @what:	Name of the defect, for the failure line
 */
static void check_bad(const uint8_t *f, size_t n, const char *what)
{
	harness_reset(&h);
	CHECK_EQ(harness_send(&h, f, n), 0);
	if (harness_recv(&h, r.frame, sizeof(r.frame)) != -1 ||
	    h.c.counters[CNT_drop_dhcp_bad] != 1 ||
	    h.c.counters[CNT_dropped] != 1) {
		printf("# %s: drop_dhcp_bad %ju\n", what,
		       (uintmax_t)h.c.counters[CNT_drop_dhcp_bad]);
		CHECK(!"malformed DHCP message not dropped and counted");
	}
}

/**
 * fix_lengths() - Set UDP and IP lengths and checksum for a BOOTP length
 * @f:		Frame from client_msg()
 * @blen:	BOOTP length (options included)
 *
 * Return: new frame length
 */
static size_t fix_lengths(uint8_t *f, size_t blen)
{
	wr16(f + 14 + 20 + 4, (uint16_t)(8 + blen));
	h_ip4(f + 14, "0.0.0.0", "255.255.255.255", IPPROTO_UDP, 8 + blen);
	return 14 + 20 + 8 + blen;
}

/**
 * dhcp_malformed_dropped_and_counted() - Malformed messages: no reply, each
 * counted as drop_dhcp_bad
 */
static void dhcp_malformed_dropped_and_counted(void)
{
	uint8_t f[600], *b = f + 14 + 20 + 8;
	uint8_t bad50[5] = { 50, 3, 1, 2, 3 };
	size_t n;

	n = client_msg(f, 1, NULL, NULL, 0);
	wr32(b + 236, 0x63825364);
	check_bad(f, n, "bad magic cookie");

	client_msg(f, 1, NULL, NULL, 0);
	n = fix_lengths(f, 200);
	check_bad(f, n, "BOOTP truncated before the cookie");

	client_msg(f, 1, NULL, NULL, 0);
	n = fix_lengths(f, 239);
	check_bad(f, n, "BOOTP one byte short of the cookie");

	/* an option whose length runs past the end of the datagram */
	client_msg(f, 1, NULL, NULL, 0);
	b[243] = 12;
	b[244] = 40;
	memset(b + 245, 'a', 10);
	n = fix_lengths(f, 255);
	check_bad(f, n, "option overruns the datagram");

	/* an option header cut in half at the very end */
	client_msg(f, 1, NULL, NULL, 0);
	b[243] = 12;
	n = fix_lengths(f, 244);
	check_bad(f, n, "option header cut");

	/* UDP length beyond the IP payload */
	n = client_msg(f, 1, NULL, NULL, 0);
	wr16(f + 14 + 20 + 4, 8 + BOOTP_LEN + 1);
	check_bad(f, n, "UDP length past the packet");

	n = client_msg(f, 0, NULL, NULL, 0);
	check_bad(f, n, "no message type");

	n = client_msg(f, 3, NULL, bad50, sizeof(bad50));
	check_bad(f, n, "requested address of length 3");

	n = client_msg(f, 1, NULL, NULL, 0);
	b[0] = 2;
	check_bad(f, n, "BOOTREPLY from the guest");

	n = client_msg(f, 1, NULL, NULL, 0);
	b[2] = 16;
	check_bad(f, n, "hardware address length 16");
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	if (harness_init(&h, 64)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	RUN(dhcp_discover_gets_offer);
	RUN(dhcp_request_gets_ack);
	RUN(dhcp_request_other_address_gets_nak);
	RUN(dhcp_request_for_other_server_ignored);
	RUN(dhcp_renewal_acked_unicast);
	RUN(dhcp_inform_acked_without_lease);
	RUN(dhcp_release_ignored);
	RUN(dhcp_offlink_gateway_gets_classless_route);
	RUN(dhcp_long_search_list_split);
	RUN(dhcp_malformed_dropped_and_counted);
	harness_fini(&h);
	return unit_done();
}
