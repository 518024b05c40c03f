// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_dhcpv6.c - libFuzzer target: DHCPv6 messages (dhcpv6.c), each
 * record's bytes wrapped into a valid Ethernet/IPv6/UDP frame to port 547
 *
 * Records as in fuzz_frame.c; selector bits:
 *
 *	0  from the guest's global address (else its link-local one)
 *	1  to merd's link-local address (else All_DHCP_Relay_Agents_and_
 *	   Servers, ff02::1:2)
 *	2  a message header (type from the record's first byte, a
 *	   transaction ID) and a Client Identifier before the rest of the
 *	   bytes, which are then options; else the bytes are the message
 *	3  leave the UDP checksum as the bytes have it
 *	4  UDP length field from the record's first two bytes
 *	5  with 2: a Server Identifier holding merd's DUID too
 *	6  with 2: an IA_NA too
 *
 * Replies are checked by fz_check_frame(): options fill the message.
 */
#include <arpa/inet.h>
#include <string.h>

#include "eth.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "merd.h"
#include "util.h"

#define FUZZ_FLOWS	4

static uint8_t guest_ll[16], guest6[16], router_ll[16], servers[16];

/**
 * LLVMFuzzerInitialize() - Check isolation, set up the context, addresses
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int rc;

	(void)argc;
	(void)argv;
	rc = fuzz_init(FUZZ_FLOWS, 0);
	inet_pton(AF_INET6, "fe80::5054:ff:fe12:3456", guest_ll);
	inet_pton(AF_INET6, H_GUEST_ADDR6, guest6);
	inet_pton(AF_INET6, "ff02::1:2", servers);
	memcpy(router_ll, &fuzz_h.c.conf.router6, 16);
	return rc;
}

/**
 * dhcpv6_opt() - Append an option
 * @b:		Message
 * @len:	Its length, updated
 * @code:	Option code
 * @val:	Value
 * @vlen:	Its length
 */
static void dhcpv6_opt(uint8_t *b, size_t *len, uint16_t code,
		       const uint8_t *val, size_t vlen)
{
	wr16(b + *len, code);
	wr16(b + *len + 2, (uint16_t)vlen);
	memcpy(b + *len + 4, val, vlen);
	*len += 4 + vlen;
}

/**
 * dhcpv6_template() - Header and identifiers before a record's options
 * @r:		Record, its first byte the message type
 * @b:		Message buffer
 *
 * Return: bytes written
 */
static size_t dhcpv6_template(const struct fz_record *r, uint8_t *b)
{
	uint8_t duid[10], ia[12] = { 0, 0, 0, 1 };
	size_t len = 4;

	b[0] = r->len ? r->data[0] : 1;
	b[1] = 0x12;
	b[2] = 0x34;
	b[3] = 0x56;
	wr16(duid, 3);
	wr16(duid + 2, 1);
	memcpy(duid + 4, h_guest_mac, 6);
	dhcpv6_opt(b, &len, 1, duid, sizeof(duid));
	if (r->sel & 0x20) {
		memcpy(duid + 4, fuzz_h.c.our_mac, 6);
		dhcpv6_opt(b, &len, 2, duid, sizeof(duid));
	}
	if (r->sel & 0x40)
		dhcpv6_opt(b, &len, 3, ia, sizeof(ia));
	return len;
}

/**
 * dhcpv6_udp() - Build the UDP datagram of one record
 * @r:		Record
 * @u:		Where the datagram goes, FZ_FRAME_MAX bytes
 *
 * Return: datagram length
 */
static size_t dhcpv6_udp(const struct fz_record *r, uint8_t *u)
{
	size_t len = 8, n = MIN(r->len, (size_t)FZ_FRAME_MAX - 200);
	const uint8_t *p = r->data;

	if (r->sel & 0x04) {
		len += dhcpv6_template(r, u + 8);
		if (n) {
			p++;
			n--;
		}
	}
	memcpy(u + len, p, n);
	len += n;
	wr16(u, 546);
	wr16(u + 2, 547);
	wr16(u + 4, (uint16_t)len);
	if (r->sel & 0x10 && r->len >= 2)
		wr16(u + 4, rd16(r->data));
	if (!(r->sel & 0x08))
		memset(u + 6, 0, 2);
	return len;
}

/**
 * LLVMFuzzerTestOneInput() - Send each record as a DHCPv6 message
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t u[FZ_FRAME_MAX], f[FZ_FRAME_MAX];
	struct fz_record r;
	size_t off = 0, len;

	while ((off = fz_next_record(data, size, off, &r))) {
		len = dhcpv6_udp(&r, u);
		len = fz_frame6(f, r.sel & 0x01 ? guest6 : guest_ll,
				r.sel & 0x02 ? router_ll : servers, 1, 17, u,
				len, !(r.sel & 0x08));
		eth_input(&fuzz_h.c, f, len);
		fuzz_output();
	}
	fuzz_end_input();
	return 0;
}
