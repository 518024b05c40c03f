// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_frag.c - libFuzzer target: IP fragments from the guest, reassembly
 *
 * An input is a series of records (fz_next_record()):
 *
 *	selector (1 byte) | length (2 bytes, big-endian) | bytes
 *
 * The selector's bits:
 *
 *	FR_WHOLE	the bytes are id (1), protocol (1), piece size in
 *			8-byte units (1), then a whole transport message: its
 *			checksum is filled in, and it is sent as fragments of
 *			that size (the last one, or all of them, in reverse
 *			order with FR_MF)
 *			otherwise the bytes are id (1), protocol (1), offset
 *			(2, in 8-byte units, 13 bits), then one fragment's
 *			data, sent as it is
 *	FR_V6		IPv6 (a Fragment header), else IPv4
 *	FR_MF		more fragments follow (FR_WHOLE: reverse order)
 *	FR_EXT		IPv4: 4 bytes of options; IPv6: a destination
 *			options header before the Fragment header
 *	FR_GW		to merd's gateway address rather than the peer
 *	FR_PUMP		after the record, one round of the event loop
 *	FR_TICK		then 31 s pass: the datagrams held expire
 *
 * Destinations are the fuzzer's loopback peers (TCP greeter, UDP echo,
 * see fuzz.c); what merd sends back, fragments included, is checked by
 * fz_check_frame(). After every record the reassembly table must hold
 * together (frag_table_check()), or the target aborts.
 */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "flow.h"
#include "frag.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "merd.h"
#include "util.h"

#define FR_WHOLE	0x01
#define FR_V6		0x02
#define FR_MF		0x04
#define FR_EXT		0x08
#define FR_GW		0x10
#define FR_PUMP		0x20
#define FR_TICK		0x40

#define FUZZ_FLOWS	32
#define FR_DATA_MAX	(LINK_FRAME_MAX - ETH_HDR_LEN - 40 - 16)

/**
 * struct fr_frag - One fragment to send
 * @sel:	Record selector
 * @id:		Identification
 * @proto:	Protocol (IPv6: the Fragment header's next header)
 * @off:	Offset, 8-byte units
 * @more:	More fragments follow
 * @data:	Its data
 * @len:	Its length
 */
struct fr_frag {
	uint8_t sel;
	uint32_t id;
	uint8_t proto;
	size_t off;
	bool more;
	const uint8_t *data;
	size_t len;
};

/**
 * LLVMFuzzerInitialize() - Check isolation, set up context and peers
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init(FUZZ_FLOWS, 1);
}

/**
 * fr_addrs() - Source and destination of a record's packets
 * @sel:	Record selector
 * @src:	Filled: the guest's address (v4-mapped for IPv4)
 * @dst:	Filled: the peer's or the gateway's
 */
static void fr_addrs(uint8_t sel, struct in6_addr *src, struct in6_addr *dst)
{
	bool v6 = sel & FR_V6;
	const char *d;

	if (v6)
		d = sel & FR_GW ? H_GW_ADDR6 : FUZZ_LOCAL_ADDR6;
	else
		d = sel & FR_GW ? H_GW_ADDR : FUZZ_LOCAL_ADDR;
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (v6) {
		inet_pton(AF_INET6, H_GUEST_ADDR6, src);
		inet_pton(AF_INET6, d, dst);
		return;
	}
	src->s6_addr[10] = src->s6_addr[11] = 0xff;
	dst->s6_addr[10] = dst->s6_addr[11] = 0xff;
	inet_pton(AF_INET, H_GUEST_ADDR, &src->s6_addr[12]);
	inet_pton(AF_INET, d, &dst->s6_addr[12]);
}

/**
 * fr_send() - Build one fragment's frame and give it to merd
 * @fr:		Fragment
 */
static void fr_send(const struct fr_frag *fr)
{
	static uint8_t f[LINK_FRAME_MAX];
	struct in6_addr src, dst;
	uint8_t *ip = f + ETH_HDR_LEN;
	size_t len = MIN(fr->len, (size_t)FR_DATA_MAX), h;

	fr_addrs(fr->sel, &src, &dst);
	if (fr->sel & FR_V6) {
		h_eth(f, h_our_mac, h_guest_mac, ETHERTYPE_IPV6);
		h = 40 + (fr->sel & FR_EXT ? 8 : 0);
		memset(ip, 0, h + 8);
		wr32(ip, 0x60000000U);
		wr16(ip + 4, (uint16_t)(h - 40 + 8 + len));
		ip[6] = fr->sel & FR_EXT ? IPPROTO_DSTOPTS : IPPROTO_FRAGMENT;
		ip[7] = 64;
		memcpy(ip + 8, &src, 16);
		memcpy(ip + 24, &dst, 16);
		if (fr->sel & FR_EXT) {
			ip[40] = IPPROTO_FRAGMENT;
			ip[42] = 1;			/* PadN, 4 bytes */
			ip[43] = 4;
		}
		ip[h] = fr->proto;
		wr16(ip + h + 2, (uint16_t)((fr->off & 0x1fff) << 3 | fr->more));
		wr32(ip + h + 4, fr->id);
		memcpy(ip + h + 8, fr->data, len);
		eth_input(&fuzz_h.c, f, ETH_HDR_LEN + h + 8 + len);
		return;
	}
	h_eth(f, h_our_mac, h_guest_mac, ETHERTYPE_IP);
	h = fr->sel & FR_EXT ? 24 : 20;
	memset(ip, 0, h);
	ip[0] = (uint8_t)(0x40 | h / 4);
	wr16(ip + 2, (uint16_t)(h + len));
	wr16(ip + 4, (uint16_t)fr->id);
	wr16(ip + 6, (uint16_t)((fr->off & 0x1fff) | (fr->more ? 0x2000 : 0)));
	ip[8] = 64;
	ip[9] = fr->proto;
	memcpy(ip + 12, &src.s6_addr[12], 4);
	memcpy(ip + 16, &dst.s6_addr[12], 4);
	if (h == 24)
		memset(ip + 20, 1, 4);		/* NOP options */
	wr16(ip + 10, h_csum_ref(ip, h, 0));
	memcpy(ip + h, fr->data, len);
	eth_input(&fuzz_h.c, f, ETH_HDR_LEN + h + len);
}

/**
 * fr_whole() - Send a whole transport message as fragments of one size
 * @sel:	Record selector
 * @b:		Record bytes: id, protocol, piece size, message
 * @n:		Their length, at least 3
 */
static void fr_whole(uint8_t sel, const uint8_t *b, size_t n)
{
	static uint8_t msg[FRAG_DATA_MAX];
	struct fr_frag fr = { .sel = sel, .id = b[0], .proto = b[1] };
	size_t len = MIN(n - 3, sizeof(msg) - 64), piece = ((size_t)b[2] + 1) * 8;
	size_t i, count = (len + piece - 1) / piece;
	struct in6_addr src, dst;
	uint32_t pseudo = 0;

	memcpy(msg, b + 3, len);
	fr_addrs(sel, &src, &dst);
	if (b[1] != IPPROTO_ICMP)
		pseudo = fz_addr_sum(sel & FR_V6 ? src.s6_addr
						 : src.s6_addr + 12,
				     sel & FR_V6 ? 16 : 4) +
			 fz_addr_sum(sel & FR_V6 ? dst.s6_addr
						 : dst.s6_addr + 12,
				     sel & FR_V6 ? 16 : 4) +
			 b[1] + (uint32_t)len;
	fz_l4_csum(msg, len, b[1], pseudo);
	for (i = 0; i < count; i++) {
		size_t k = sel & FR_MF ? count - 1 - i : i;

		fr.off = k * piece / 8;
		fr.data = msg + k * piece;
		fr.len = MIN(piece, len - k * piece);
		fr.more = k + 1 < count;
		fr_send(&fr);
	}
}

/**
 * frag_table_check() - Abort if the reassembly table does not hold
 * together: bytes held past a datagram's end, or a slot that never expires
 */
static void frag_table_check(void)
{
	const struct ctx *c = &fuzz_h.c;
	int i;

	for (i = 0; i < FRAG_SLOTS; i++) {
		const struct frag_slot *s = &c->frag.slot[i];

		if (!s->used)
			continue;
		if (s->have > s->hi || s->hi > FRAG_DATA_MAX ||
		    (s->total && (s->hi > s->total || s->have >= s->total)) ||
		    s->expires > c->now + FRAG_TIMEOUT_S * 1000ULL)
			abort();
	}
}

/**
 * LLVMFuzzerTestOneInput() - Run one input: its records, then clean up
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx *c = &fuzz_h.c;
	struct fz_record r;
	size_t off = 0;

	while ((off = fz_next_record(data, size, off, &r))) {
		if (r.len < 3)
			continue;
		if (r.sel & FR_WHOLE) {
			fr_whole(r.sel, r.data, r.len);
		} else if (r.len >= 4) {
			struct fr_frag fr = {
				.sel = r.sel, .id = r.data[0],
				.proto = r.data[1], .off = rd16(r.data + 2),
				.more = r.sel & FR_MF, .data = r.data + 4,
				.len = r.len - 4,
			};
			fr_send(&fr);
		}
		frag_table_check();
		if (r.sel & FR_PUMP)
			fuzz_pump();
		if (r.sel & FR_TICK) {
			c->now += 31000;
			frag_expire(c);
			flow_timer(c);
		}
	}
	fuzz_end_input();
	return 0;
}
