// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ndp.c - libFuzzer target: neighbour discovery (ndp.c, and the
 * ICMPv6 sorting of ip.c), each record's bytes wrapped into a valid
 * Ethernet/IPv6/ICMPv6 frame
 *
 * Records as in fuzz_frame.c; selector bits:
 *
 *	0-1  message: router solicitation, neighbour solicitation,
 *	     neighbour advertisement, or raw (type and code from the bytes)
 *	2-3  source: the guest's link-local address, unspecified (DAD),
 *	     the guest's global address, or merd's own link-local address
 *	4    to merd's link-local address (else all-routers, or the
 *	     solicited-node group of the target)
 *	5    hop limit 64 rather than 255 (must be dropped)
 *	6    solicitation for merd's address: the bytes are then options;
 *	     else the bytes hold the target, then options
 *	7    leave the ICMPv6 checksum as the bytes have it
 *
 * Advertisements are checked by fz_check_frame(): whole options, none of
 * length 0.
 */
#include <arpa/inet.h>
#include <string.h>

#include "eth.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "merd.h"
#include "util.h"

#define FUZZ_FLOWS	4

static uint8_t guest_ll[16], guest6[16], router_ll[16], all_routers[16];
static const uint8_t unspec[16];

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
	inet_pton(AF_INET6, "ff02::2", all_routers);
	memcpy(router_ll, &fuzz_h.c.conf.router6, 16);
	return rc;
}

/**
 * ndp_msg() - Build the ICMPv6 message of one record
 * @r:		Record
 * @m:		Where the message goes, FZ_FRAME_MAX bytes
 * @target:	Set to the target address (solicitations), else zeroed
 *
 * Return: message length
 */
static size_t ndp_msg(const struct fz_record *r, uint8_t *m, uint8_t *target)
{
	static const uint8_t types[] = { 133, 135, 136 };
	size_t n = MIN(r->len, (size_t)FZ_FRAME_MAX - 200), len = 8;
	const uint8_t *p = r->data;

	memset(target, 0, 16);
	if ((r->sel & 3) == 3) {
		memcpy(m, p, n);
		return n;
	}
	memset(m, 0, 8);
	m[0] = types[r->sel & 3];
	if (m[0] != 133) {
		if (r->sel & 0x40) {
			memcpy(target, router_ll, 16);
		} else {
			memcpy(target, p, MIN(n, (size_t)16));
			p += MIN(n, (size_t)16);
			n -= MIN(n, (size_t)16);
		}
		memcpy(m + 8, target, 16);
		len += 16;
	}
	memcpy(m + len, p, n);
	return len + n;
}

/**
 * ndp_dst() - Destination of a record's message
 * @r:		Record
 * @target:	Target address of a solicitation
 * @dst:	Address to fill
 */
static void ndp_dst(const struct fz_record *r, const uint8_t *target,
		    uint8_t *dst)
{
	static const uint8_t sn[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
					0, 1, 0xff };

	if (r->sel & 0x10) {
		memcpy(dst, router_ll, 16);
		return;
	}
	if ((r->sel & 3) == 1) {
		memcpy(dst, sn, 13);
		memcpy(dst + 13, target + 13, 3);
	} else {
		memcpy(dst, all_routers, 16);
	}
}

/**
 * LLVMFuzzerTestOneInput() - Send each record as an NDP message
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t m[FZ_FRAME_MAX], f[FZ_FRAME_MAX];
	const uint8_t *srcs[] = { guest_ll, unspec, guest6, router_ll };
	uint8_t target[16], dst[16];
	struct fz_record r;
	size_t off = 0, len;

	while ((off = fz_next_record(data, size, off, &r))) {
		len = ndp_msg(&r, m, target);
		ndp_dst(&r, target, dst);
		len = fz_frame6(f, srcs[(r.sel >> 2) & 3], dst,
				r.sel & 0x20 ? 64 : 255, IPPROTO_ICMPV6, m,
				len, !(r.sel & 0x80));
		eth_input(&fuzz_h.c, f, len);
		fuzz_output();
	}
	fuzz_end_input();
	return 0;
}
