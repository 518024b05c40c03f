// SPDX-License-Identifier: GPL-2.0-or-later
/* test_link.c - Stream framing of the guest link: reassembly across reads,
 * batches, framing errors, and a transmit queue that waits for the guest
 */
#include <errno.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "link.h"
#include "merd.h"
#include "unit.h"
#include "util.h"

static struct harness h;
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * arp_req() - Write a framed ARP request for the gateway: 4 + 42 bytes
 * @p:		Buffer, 46 bytes
 *
 * Return: 46
 */
static size_t arp_req(uint8_t *p)
{
	uint8_t *f = p + 4, *a = f + 14;
	uint32_t s = h_addr(H_GUEST_ADDR), t = h_addr(H_GW_ADDR);

	wr32(p, 42);
	h_eth(f, bcast, h_guest_mac, ETHERTYPE_ARP);
	wr16(a, ARPHRD_ETHER);
	wr16(a + 2, ETHERTYPE_IP);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, ARPOP_REQUEST);
	memcpy(a + 8, h_guest_mac, 6);
	memcpy(a + 14, &s, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &t, 4);
	return 46;
}

/**
 * count_replies() - Read every frame merd sent, count the ARP replies
 *
 * Return: number of ARP replies
 */
static int count_replies(void)
{
	uint8_t rep[128];
	int n = 0, len;

	while ((len = harness_recv(&h, rep, sizeof(rep))) >= 0)
		n += len == 42 && rd16(rep + 12) == ETHERTYPE_ARP;
	return n;
}

/**
 * link_frame_split_across_reads() - A frame cut anywhere, even inside its
 * length word, is put together
 */
static void link_frame_split_across_reads(void)
{
	uint8_t buf[64];
	size_t n = arp_req(buf), cut;

	for (cut = 1; cut < n; cut++) {
		harness_reset(&h);
		CHECK_EQ(harness_send_raw(&h, buf, cut), 0);
		CHECK_EQ(h.c.counters[CNT_frames_in], 0);
		CHECK_EQ(harness_send_raw(&h, buf + cut, n - cut), 0);
		CHECK_EQ(h.c.counters[CNT_frames_in], 1);
		CHECK_EQ(count_replies(), 1);
	}
}

/**
 * link_many_frames_in_one_write() - Many frames in one write: each handled,
 * each answered
 */
static void link_many_frames_in_one_write(void)
{
	uint8_t buf[46 * 100];
	size_t i;

	for (i = 0; i < 100; i++)
		arp_req(buf + 46 * i);
	harness_reset(&h);
	CHECK_EQ(harness_send_raw(&h, buf, sizeof(buf)), 0);
	CHECK_EQ(h.c.counters[CNT_frames_in], 100);
	CHECK_EQ(count_replies(), 100);
	CHECK_EQ(h.c.counters[CNT_frames_out], 100);
	CHECK_EQ(h.c.counters[CNT_bytes_out], 100 * 42);
}

/**
 * check_framing_error() - Send bytes with a bad length word after a good
 * frame, expect the good one answered and the link dropped
 * @len:	The bad length
 */
static void check_framing_error(uint32_t len)
{
	uint8_t buf[64 + 4], rep[64];
	size_t n = arp_req(buf);

	harness_reset(&h);
	wr32(buf + n, len);
	CHECK_EQ(harness_send_raw(&h, buf, n + 4), 0);
	CHECK_EQ(h.c.counters[CNT_frames_in], 1);
	CHECK_EQ(h.c.counters[CNT_drop_link_framing], 1);
	CHECK_EQ(h.c.link.type, LINK_NONE);
	CHECK_EQ(h.c.link.fd, -1);
	CHECK(h.c.stop);		/* no listening socket to go back to */
	/* the queued reply was discarded with the link: the guest sees EOF */
	CHECK_EQ(read(h.peer, rep, sizeof(rep)), 0);
}

/**
 * link_bad_length_detaches() - Length 0 and lengths over LINK_FRAME_MAX end
 * the connection
 */
static void link_bad_length_detaches(void)
{
	check_framing_error(0);
	check_framing_error(LINK_FRAME_MAX + 1);
	check_framing_error(0xffffffff);
}

/**
 * link_largest_frame_taken() - The largest frame is taken whole
 */
static void link_largest_frame_taken(void)
{
	static uint8_t buf[4 + LINK_FRAME_MAX];

	memset(buf, 0, sizeof(buf));
	wr32(buf, LINK_FRAME_MAX);
	memcpy(buf + 4, h_our_mac, 6);
	wr16(buf + 4 + 12, 0x88b5);	/* local experimental ethertype */
	harness_reset(&h);
	CHECK_EQ(harness_send_raw(&h, buf, sizeof(buf)), 0);
	CHECK_EQ(h.c.counters[CNT_frames_in], 1);
	CHECK_EQ(h.c.counters[CNT_bytes_in], LINK_FRAME_MAX);
	CHECK_EQ(h.c.link.type, LINK_STREAM);
}

/**
 * link_guest_close_detaches() - The guest closing its end detaches it
 */
static void link_guest_close_detaches(void)
{
	harness_reset(&h);
	close(h.peer);
	h.peer = -1;
	link_rx(&h.c);
	CHECK_EQ(h.c.link.type, LINK_NONE);
	CHECK(h.c.stop);
}

/**
 * link_tx_waits_for_slow_guest() - A guest that does not read: the queue
 * waits (EAGAIN), then all of it arrives, in order, once the guest reads
 * again
 */
static void link_tx_waits_for_slow_guest(void)
{
	static uint8_t buf[46 * 256];
	uint8_t rx[4096];
	size_t i, have = 0, total = 0;
	int sent = 0, got = 0, rounds;

	for (i = 0; i < 256; i++)
		arp_req(buf + 46 * i);
	harness_reset(&h);
	while (!h.c.link.tx_blocked && sent < 100000) {
		CHECK_EQ(harness_send_raw(&h, buf, sizeof(buf)), 0);
		sent += 256;
		link_tx_flush(&h.c);
	}
	CHECK(h.c.link.tx_blocked);
	CHECK(harness_queued(&h) > 0);
	CHECK_EQ(h.c.counters[CNT_drop_tx_full], 0);
	/* read the stream: 4-byte length, 42-byte reply, over and over */
	for (rounds = 0; rounds < 100000 && got < sent; rounds++) {
		ssize_t n = read(h.peer, rx + have, sizeof(rx) - have);

		if (n < 0 && errno == EAGAIN) {
			link_event_out(&h.c);	/* what EPOLLOUT would do */
			continue;
		}
		if (n <= 0)
			break;
		have += (size_t)n;
		total += (size_t)n;
		for (i = 0; have - i >= 46; i += 46) {
			got += rd32(rx + i) == 42 &&
			       !memcmp(rx + i + 4, h_guest_mac, 6);
		}
		memmove(rx, rx + i, have - i);
		have -= i;
	}
	CHECK_EQ(got, sent);
	CHECK_EQ(total, (size_t)sent * 46);
	CHECK(!h.c.link.tx_blocked);
	CHECK_EQ(harness_queued(&h), 0);
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
	RUN(link_frame_split_across_reads);
	RUN(link_many_frames_in_one_write);
	RUN(link_bad_length_detaches);
	RUN(link_largest_frame_taken);
	RUN(link_guest_close_detaches);
	RUN(link_tx_waits_for_slow_guest);
	harness_fini(&h);
	return unit_done();
}
