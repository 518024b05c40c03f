// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp_ooo.c - Guest segments held past a gap: runs, SACK blocks, the
 * ring's wrap, sequence numbers wrapping around 2^32, the bounds */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_ooo.h"
#include "unit.h"

#define SEG	1000U			/* bytes per segment in these tests */

static uint8_t stream[8 * SEG];		/* the bytes the guest sends */

/**
 * off() - Offset of a point of the stream
 * @segs:	Whole segments before it
 * @extra:	Bytes past them
 *
 * Return: the offset, in bytes
 */
static uint32_t off(uint32_t segs, uint32_t extra)
{
	return segs * SEG + extra;
}

/**
 * hold() - Hold the stream's bytes [@from, @from + @len) past @base
 * @slot:	Slot
 * @base:	rcv_nxt, the sequence number of the stream's byte 0
 * @from:	Offset of the first byte
 * @len:	How many
 *
 * Return: what tcp_ooo_add() returns
 */
static int hold(unsigned int slot, uint32_t base, uint32_t from, uint32_t len)
{
	return tcp_ooo_add(slot, base, base + from, stream + from, len);
}

/**
 * ooo_take() - Borrow a slot for one test
 *
 * Return: slot number, nonzero
 */
static unsigned int ooo_take(void)
{
	unsigned int slot = tcp_ooo_get();

	CHECK(slot);
	return slot;
}

/**
 * ooo_read() - Copy the bytes ready at rcv_nxt into a buffer
 * @slot:	Slot
 * @rcv_nxt:	Next sequence number expected
 * @out:	Buffer, room for @room bytes
 * @room:	Its size
 *
 * Return: bytes ready (as tcp_ooo_ready() says), copied up to @room
 */
static size_t ooo_read(unsigned int slot, uint32_t rcv_nxt, uint8_t *out,
		       size_t room)
{
	struct iovec iov[2];
	size_t len = tcp_ooo_ready(slot, rcv_nxt, iov);

	if (!len || len > room)
		return len;
	memcpy(out, iov[0].iov_base, iov[0].iov_len);
	memcpy(out + iov[0].iov_len, iov[1].iov_base, iov[1].iov_len);
	return len;
}

/**
 * ooo_gap_filled_in_order() - Segments 2 and 3 held while 1 is missing come
 * out in one piece once rcv_nxt reaches them
 */
static void ooo_gap_filled_in_order(void)
{
	unsigned int slot = ooo_take();
	uint32_t base = 5000, blocks[4][2];
	uint8_t out[sizeof(stream)] = { 0 };

	CHECK_EQ(hold(slot, base, off(1, 0), SEG), SEG);
	CHECK_EQ(hold(slot, base, off(2, 0), SEG), SEG);
	CHECK_EQ(ooo_read(slot, base, out, sizeof(out)), 0);	/* gap */
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 4), 1);
	CHECK_EQ(blocks[0][0], base + off(1, 0));
	CHECK_EQ(blocks[0][1], base + off(3, 0));
	/* segment 1 went to the socket: rcv_nxt moved past it */
	CHECK_EQ(ooo_read(slot, base + off(1, 0), out, sizeof(out)), 2 * SEG);
	CHECK_MEM(out, stream + off(1, 0), (size_t)2 * SEG);
	CHECK(!tcp_ooo_empty(slot, base + off(1, 0)));
	CHECK(tcp_ooo_empty(slot, base + off(3, 0)));
	tcp_ooo_put(slot);
}

/**
 * ooo_runs_and_sack_order() - Separate runs give separate SACK blocks, the
 * latest one first, the others in order; a segment bridging two merges them
 */
static void ooo_runs_and_sack_order(void)
{
	unsigned int slot = ooo_take();
	uint32_t base = 100, blocks[4][2];

	hold(slot, base, off(2, 0), SEG);
	hold(slot, base, off(6, 0), SEG);
	hold(slot, base, off(4, 0), SEG);
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 4), 3);
	CHECK_EQ(blocks[0][0], base + off(4, 0));
	CHECK_EQ(blocks[1][0], base + off(2, 0));
	CHECK_EQ(blocks[2][0], base + off(6, 0));
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 2), 2);	/* room for 2 */
	hold(slot, base, off(3, 0), SEG);
	hold(slot, base, off(5, 0), SEG);
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 4), 1);
	CHECK_EQ(blocks[0][0], base + off(2, 0));
	CHECK_EQ(blocks[0][1], base + off(7, 0));
	tcp_ooo_put(slot);
}

/**
 * ooo_overlaps_and_duplicates() - Segments overlapping held data, or held
 * twice, leave one run with the right bytes
 */
static void ooo_overlaps_and_duplicates(void)
{
	unsigned int slot = ooo_take();
	uint32_t base = 0, blocks[4][2];
	uint8_t out[sizeof(stream)] = { 0 };

	hold(slot, base, off(2, 0), 2 * SEG);
	hold(slot, base, off(2, 0), 2 * SEG);
	hold(slot, base, off(1, 500), 2 * SEG);
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 4), 1);
	CHECK_EQ(blocks[0][0], base + off(1, 500));
	CHECK_EQ(blocks[0][1], base + off(4, 0));
	/* rcv_nxt inside the run: only what lies past it comes out */
	CHECK_EQ(ooo_read(slot, base + off(3, 0), out, sizeof(out)), SEG);
	CHECK_MEM(out, stream + off(3, 0), SEG);
	tcp_ooo_put(slot);
}

/**
 * ooo_sequence_wraps() - Runs either side of 2^32 and the ring's own wrap
 * give back the bytes in order
 */
static void ooo_sequence_wraps(void)
{
	unsigned int slot = ooo_take();
	uint32_t base = UINT32_MAX - 1500, blocks[4][2];
	uint8_t out[sizeof(stream)] = { 0 };

	CHECK_EQ(hold(slot, base, off(1, 0), 3 * SEG), 3 * SEG);
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 4), 1);
	CHECK_EQ(blocks[0][0], (uint32_t)(base + off(1, 0)));
	CHECK_EQ(blocks[0][1], (uint32_t)(base + off(4, 0)));
	CHECK_EQ(ooo_read(slot, base + off(1, 0), out, sizeof(out)), 3 * SEG);
	CHECK_MEM(out, stream + off(1, 0), (size_t)3 * SEG);
	tcp_ooo_put(slot);
}

/**
 * ooo_bounds() - Data not past rcv_nxt is refused, data beyond the ring is
 * cut off or refused, and one run too many is refused with nothing changed
 */
static void ooo_bounds(void)
{
	unsigned int slot = ooo_take(), i;
	uint32_t base = 7, blocks[4][2];

	CHECK_EQ(tcp_ooo_add(slot, base, base, stream, SEG), -EINVAL);
	CHECK_EQ(tcp_ooo_add(slot, base, base - 10, stream, SEG), -EINVAL);
	CHECK_EQ(tcp_ooo_add(slot, base, base + 1, stream, 0), -EINVAL);
	CHECK_EQ(tcp_ooo_add(slot, base, base + TCP_OOO_BUF, stream, SEG),
		 -ENOSPC);
	CHECK_EQ(tcp_ooo_add(slot, base, base + TCP_OOO_BUF - 100, stream, SEG),
		 100);
	tcp_ooo_put(slot);

	slot = ooo_take();
	for (i = 0; i < TCP_OOO_RANGES; i++)
		CHECK_EQ(tcp_ooo_add(slot, base, base + (2 * i + 1) * 100,
				     stream, 50), 50);
	CHECK_EQ(tcp_ooo_add(slot, base, base + 5000, stream, 50), -ENOSPC);
	CHECK_EQ(tcp_ooo_sack(slot, base, blocks, 4), 4);
	CHECK(blocks[0][0] != base + 5000 && blocks[1][0] != base + 5000);
	/* filling a gap between two runs needs no new run */
	CHECK_EQ(tcp_ooo_add(slot, base, base + 150, stream, 150), 150);
	tcp_ooo_put(slot);
}

/**
 * ooo_slots_run_out() - Every slot can be lent once; a slot given back
 * is lent again, empty; number 0 means none and is ignored everywhere
 */
static void ooo_slots_run_out(void)
{
	unsigned int slots[TCP_OOO_SLOTS], i;
	struct iovec iov[2];
	uint32_t fin;

	for (i = 0; i < TCP_OOO_SLOTS; i++)
		slots[i] = ooo_take();
	CHECK_EQ(tcp_ooo_get(), 0);
	tcp_ooo_add(slots[1], 0, 10, stream, 10);
	tcp_ooo_fin_set(slots[1], 20);
	CHECK(tcp_ooo_fin(slots[1], &fin));
	CHECK_EQ(fin, 20);
	tcp_ooo_put(slots[1]);
	CHECK_EQ(tcp_ooo_get(), slots[1]);
	CHECK(tcp_ooo_empty(slots[1], 0));
	CHECK(!tcp_ooo_fin(slots[1], &fin));
	for (i = 0; i < TCP_OOO_SLOTS; i++)
		tcp_ooo_put(slots[i]);
	CHECK_EQ(tcp_ooo_add(0, 0, 10, stream, 10), -EINVAL);
	CHECK_EQ(tcp_ooo_ready(0, 0, iov), 0);
	CHECK(tcp_ooo_empty(0, 0));
	tcp_ooo_put(0);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + i / 251);	/* no period of 256 */
	if (tcp_ooo_init())
		return 1;
	RUN(ooo_gap_filled_in_order);
	RUN(ooo_runs_and_sack_order);
	RUN(ooo_overlaps_and_duplicates);
	RUN(ooo_sequence_wraps);
	RUN(ooo_bounds);
	RUN(ooo_slots_run_out);
	return unit_done();
}
