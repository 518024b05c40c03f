// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_dhcp.c - libFuzzer target: DHCPv4 messages (dhcp.c), each record's
 * bytes wrapped into a valid Ethernet/IPv4/UDP frame to port 67
 *
 * Records as in fuzz_frame.c; selector bits:
 *
 *	0  source 0.0.0.0 (else the guest's address)
 *	1  to 255.255.255.255 and the broadcast MAC (else the gateway, merd)
 *	2  a BOOTREQUEST header (op, htype, hlen, xid, chaddr, magic cookie)
 *	   before the bytes, which are then the options; else the bytes are
 *	   the whole BOOTP message
 *	3  leave the UDP checksum as the bytes have it (0 means none)
 *	4  UDP length field from the record's first two bytes, not the real
 *	   one
 *	5  the template's ciaddr is the guest's address (a renewal)
 *
 * Replies are checked by fz_check_frame(): a whole BOOTREPLY with options
 * ending in END.
 */
#include <string.h>


#include "eth.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "merd.h"
#include "util.h"

#define FUZZ_FLOWS	4
#define BOOTP_OPTS	240		/* fixed part and magic cookie */

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * LLVMFuzzerInitialize() - Check isolation, set up the context
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init(FUZZ_FLOWS, 0);
}

/**
 * dhcp_udp() - Build the UDP datagram of one record
 * @r:		Record
 * @u:		Where the datagram goes, FZ_FRAME_MAX bytes
 *
 * Return: datagram length
 */
static size_t dhcp_udp(const struct fz_record *r, uint8_t *u)
{
	size_t len = 8, n = MIN(r->len, (size_t)FZ_FRAME_MAX - 100 - 8 -
						  BOOTP_OPTS);
	uint32_t ciaddr = h_addr(H_GUEST_ADDR);
	uint8_t *b = u + 8;

	if (r->sel & 0x04) {
		memset(b, 0, BOOTP_OPTS);
		b[0] = 1;
		b[1] = 1;
		b[2] = 6;
		wr32(b + 4, 0x1234abcd);
		if (r->sel & 0x20)
			memcpy(b + 12, &ciaddr, 4);
		memcpy(b + 28, h_guest_mac, 6);
		wr32(b + 236, 0x63825363);
		len += BOOTP_OPTS;
	}
	memcpy(u + len, r->data, n);
	len += n;
	wr16(u, 68);
	wr16(u + 2, 67);
	wr16(u + 4, (uint16_t)len);
	if (r->sel & 0x10 && r->len >= 2)
		wr16(u + 4, rd16(r->data));
	if (!(r->sel & 0x08))
		memset(u + 6, 0, 2);		/* fz_frame4() fills it */
	return len;
}

/**
 * LLVMFuzzerTestOneInput() - Send each record as a DHCP message
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
		len = dhcp_udp(&r, u);
		len = fz_frame4(f, r.sel & 0x02 ? bcast_mac : h_our_mac,
				r.sel & 0x01 ? 0 : h_addr(H_GUEST_ADDR),
				r.sel & 0x02 ? 0xffffffffU : h_addr(H_GW_ADDR),
				17, u, len, !(r.sel & 0x08));
		eth_input(&fuzz_h.c, f, len);
		fuzz_output();
	}
	fuzz_end_input();
	return 0;
}
