// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_eth.c - libFuzzer target: guest frames through eth_input()
 *
 * An input is a series of records, each a frame from the guest:
 *
 *	flags (1 byte) | length (2 bytes, big-endian) | frame (length bytes)
 *
 * the last frame taking whatever is left if the input ends early. Flags
 * make the frames the fuzzer writes get past checks it could not solve:
 *
 *	FZ_DST_OURS	destination MAC set to merd's
 *	FZ_IP_CSUM	every checksum merd checks recomputed: the IPv4
 *			header's, and TCP, UDP, ICMP and ICMPv6 checksums
 *			over the length the IP header gives
 *	FZ_ACK_ISN	TCP acknowledgement number taken as an offset from
 *			the ISN of merd's last SYN-ACK (a keyed hash)
 *	FZ_PUMP		after the frame, one round of the event loop
 *	FZ_TICK		then 31 s pass and the flow timer runs
 *
 * Flows are real sockets, in the fuzzer's own empty network namespace,
 * toward a TCP greeter and a UDP echo on its loopback (see fuzz.c).
 */
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>

#include "eth.h"
#include "flow.h"
#include "fuzz.h"
#include "merd.h"
#include "util.h"

#define FZ_DST_OURS	0x01
#define FZ_IP_CSUM	0x02
#define FZ_ACK_ISN	0x04
#define FZ_PUMP		0x08
#define FZ_TICK		0x10

#define FUZZ_FLOWS	32

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
 * fuzz_l4_csum() - Recompute a transport checksum merd checks
 * @l4:		Transport header
 * @len:	Transport header and payload length, from the IP header
 * @proto:	IP protocol: TCP, UDP, ICMP or ICMPv6 (others untouched)
 * @pseudo:	Sum of the pseudo-header (0 for ICMP, which has none)
 */
static void fuzz_l4_csum(uint8_t *l4, size_t len, uint8_t proto,
			 uint32_t pseudo)
{
	size_t off;
	uint16_t sum;

	switch (proto) {
	case IPPROTO_TCP: off = 16; break;
	case IPPROTO_UDP: off = 6; break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: off = 2; break;
	default: return;
	}
	if (len < off + 2)
		return;
	memset(l4 + off, 0, 2);
	sum = h_csum_ref(l4, len, pseudo);
	if (proto == IPPROTO_UDP && !sum)
		sum = 0xffff;		/* 0 would mean "no checksum" */
	wr16(l4 + off, sum);
}

/**
 * fuzz_fixup6() - Apply a record's flags to an IPv6 packet
 * @ip:		IPv6 header, inside the frame
 * @len:	Bytes from @ip to the end of the frame, at least 40
 * @flags:	Record flags
 */
static void fuzz_fixup6(uint8_t *ip, size_t len, uint8_t flags)
{
	size_t plen = rd16(ip + 4), i;
	uint8_t *l4 = ip + 40;
	uint32_t pseudo = 0;

	if (flags & FZ_ACK_ISN && ip[6] == IPPROTO_TCP && len >= 40 + 20)
		wr32(l4 + 8, rd32(l4 + 8) + fuzz_last_isn() + 1);
	if (!(flags & FZ_IP_CSUM) || 40 + plen > len)
		return;
	for (i = 8; i < 40; i += 2)		/* source, destination */
		pseudo += rd16(ip + i);
	pseudo += (uint32_t)plen + ip[6];
	fuzz_l4_csum(l4, plen, ip[6], pseudo);
}

/**
 * fuzz_fixup() - Apply a record's flags to its frame
 * @f:		Frame, writable copy
 * @len:	Its length
 * @flags:	Record flags
 */
static void fuzz_fixup(uint8_t *f, size_t len, uint8_t flags)
{
	uint8_t *ip = f + 14, *th;
	uint32_t pseudo = 0;
	size_t ihl, tot;

	if (flags & FZ_DST_OURS && len >= 6)
		memcpy(f, fuzz_h.c.our_mac, 6);
	if (len >= 14 + 40 && rd16(f + 12) == ETHERTYPE_IPV6)
		fuzz_fixup6(ip, len - 14, flags);
	if (len < 14 + 20 || rd16(f + 12) != ETHERTYPE_IP)
		return;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || 14 + ihl > len)
		return;
	th = ip + ihl;
	if (flags & FZ_ACK_ISN && ip[9] == IPPROTO_TCP && th + 20 <= f + len)
		wr32(th + 8, rd32(th + 8) + fuzz_last_isn() + 1);
	if (!(flags & FZ_IP_CSUM))
		return;
	memset(ip + 10, 0, 2);
	wr16(ip + 10, h_csum_ref(ip, ihl, 0));
	tot = rd16(ip + 2);
	if (tot < ihl || 14 + tot > len)
		return;
	if (ip[9] != IPPROTO_ICMP)
		pseudo = (uint32_t)rd16(ip + 12) + rd16(ip + 14) +
			 rd16(ip + 16) + rd16(ip + 18) + ip[9] + (tot - ihl);
	fuzz_l4_csum(th, tot - ihl, ip[9], pseudo);
}

/**
 * LLVMFuzzerTestOneInput() - Run one input: its frames, then clean up
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[LINK_FRAME_MAX];
	struct ctx *c = &fuzz_h.c;
	size_t off = 0;

	while (off + 3 <= size) {
		uint8_t flags = data[off];
		size_t len = MIN((size_t)rd16(data + off + 1), size - off - 3);

		memcpy(frame, data + off + 3, len);
		off += 3 + len;
		fuzz_fixup(frame, len, flags);
		eth_input(c, frame, len);
		if (flags & FZ_PUMP)
			fuzz_pump();
		if (flags & FZ_TICK) {
			c->now += 31000;
			flow_timer(c);
		}
	}
	fuzz_end_input();
	return 0;
}
