// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_ooo.c - Guest TCP segments that arrived ahead of a gap, held until
 * the gap is filled
 *
 * Theory of operation
 *
 * A segment the guest sends after one that was lost on the way cannot go
 * to the host socket yet. Dropping it would make the guest send the whole
 * flight again, one segment per round trip once in recovery; holding it
 * (and telling the guest so with SACK) makes it send only what was lost.
 *
 * The memory is fixed at start: TCP_OOO_SLOTS slots of TCP_OOO_BUF bytes,
 * one mapping whose pages are touched only when a flow holds data, and
 * given back (MADV_DONTNEED) when the slot is free again. A flow borrows
 * a slot on its first out-of-order segment and returns it once nothing is
 * held; when every slot is taken, or a segment lies beyond TCP_OOO_BUF
 * bytes past rcv_nxt, or would make more than TCP_OOO_RANGES separate
 * runs, the segment is dropped as before and the guest sends it again.
 *
 * A slot is a ring indexed by sequence number (seq modulo TCP_OOO_BUF), and
 * a sorted list of the runs [start, end) it holds, all at or past the
 * flow's rcv_nxt, which every call takes and trims against: what rcv_nxt
 * passed is forgotten. Sequence numbers are compared as offsets from
 * rcv_nxt, so wrapping around 2^32 needs no special case.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "tcp_ooo.h"
#include "util.h"

/**
 * struct tcp_ooo_slot - Data one flow holds past a gap
 * @used:	Lent to a flow
 * @touched:	Data was written since the slot was last given back
 * @fin:	The guest's FIN came right after the held data, at @fin_seq
 * @n:		Runs held
 * @recent:	Start of the run the latest segment went into
 * @fin_seq:	Sequence number of the held FIN
 * @start:	First sequence number of each run, in order
 * @end:	One past the last, each
 */
struct tcp_ooo_slot {
	bool used;
	bool touched;
	bool fin;
	uint8_t n;
	uint32_t recent;
	uint32_t fin_seq;
	uint32_t start[TCP_OOO_RANGES];
	uint32_t end[TCP_OOO_RANGES];
};

static struct {
	uint8_t *mem;
	struct tcp_ooo_slot slot[TCP_OOO_SLOTS];
} ooo;

/**
 * tcp_ooo_init() - Map the memory of every slot, untouched
 *
 * Return: 0 on success, negative errno on failure
 */
int tcp_ooo_init(void)
{
	void *p = mmap(NULL, (size_t)TCP_OOO_SLOTS * TCP_OOO_BUF,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	ooo.mem = p;
	memset(ooo.slot, 0, sizeof(ooo.slot));
	return 0;
}

/**
 * tcp_ooo_at() - Slot by number
 * @slot:	1 to TCP_OOO_SLOTS
 *
 * Return: the slot, NULL for 0 or out of range
 */
static struct tcp_ooo_slot *tcp_ooo_at(unsigned int slot)
{
	if (!slot || slot > TCP_OOO_SLOTS || !ooo.mem)
		return NULL;
	return &ooo.slot[slot - 1];
}

/**
 * tcp_ooo_get() - Borrow a free slot
 *
 * Return: its number, 1 to TCP_OOO_SLOTS, or 0 if all are taken
 */
unsigned int tcp_ooo_get(void)
{
	unsigned int i;

	if (!ooo.mem)
		return 0;
	for (i = 0; i < TCP_OOO_SLOTS; i++) {
		if (!ooo.slot[i].used) {
			ooo.slot[i].used = true;
			ooo.slot[i].n = 0;
			ooo.slot[i].fin = false;
			return i + 1;
		}
	}
	return 0;
}

/**
 * tcp_ooo_put() - Give a slot back, and its memory to the kernel
 * @slot:	Slot number, 0 is ignored
 */
void tcp_ooo_put(unsigned int slot)
{
	struct tcp_ooo_slot *s = tcp_ooo_at(slot);

	if (!s)
		return;
	if (s->touched)
		madvise(ooo.mem + (size_t)(slot - 1) * TCP_OOO_BUF,
			TCP_OOO_BUF, MADV_DONTNEED);
	memset(s, 0, sizeof(*s));
}

/**
 * tcp_ooo_trim() - Forget what rcv_nxt passed
 * @s:		Slot
 * @rcv_nxt:	Next sequence number the flow expects
 */
static void tcp_ooo_trim(struct tcp_ooo_slot *s, uint32_t rcv_nxt)
{
	unsigned int i, kept = 0;

	for (i = 0; i < s->n; i++) {
		if ((int32_t)(s->end[i] - rcv_nxt) <= 0)
			continue;		/* all of it delivered */
		s->start[kept] = (int32_t)(s->start[i] - rcv_nxt) < 0 ?
				 rcv_nxt : s->start[i];
		s->end[kept++] = s->end[i];
	}
	s->n = (uint8_t)kept;
}

/**
 * tcp_ooo_copy() - Write bytes into a slot's ring at their sequence number
 * @slot:	Slot number
 * @seq:	Sequence number of the first byte
 * @data:	Bytes
 * @len:	How many, at most TCP_OOO_BUF
 */
static void tcp_ooo_copy(unsigned int slot, uint32_t seq, const uint8_t *data,
			 size_t len)
{
	uint8_t *ring = ooo.mem + (size_t)(slot - 1) * TCP_OOO_BUF;
	size_t off = seq & (TCP_OOO_BUF - 1), first = MIN(len, TCP_OOO_BUF - off);

	memcpy(ring + off, data, first);
	memcpy(ring, data + first, len - first);
}

/**
 * tcp_ooo_merge() - Insert run [start, end) into the sorted list, merging
 * with the runs it overlaps or touches
 * @s:		Slot, trimmed against @rcv_nxt
 * @rcv_nxt:	Reference for comparisons
 * @start:	First sequence number
 * @end:	One past the last
 *
 * Return: 0, or -ENOSPC if it would make one run too many (list unchanged)
 */
static int tcp_ooo_merge(struct tcp_ooo_slot *s, uint32_t rcv_nxt,
			 uint32_t start, uint32_t end)
{
	uint32_t lo = start - rcv_nxt, hi = end - rcv_nxt;
	unsigned int i = 0, j;

	while (i < s->n && s->end[i] - rcv_nxt < lo)
		i++;				/* runs wholly before */
	j = i;
	while (j < s->n && s->start[j] - rcv_nxt <= hi) {
		lo = MIN(lo, s->start[j] - rcv_nxt);	/* overlapping */
		hi = MAX(hi, s->end[j] - rcv_nxt);
		j++;
	}
	if (i == j && s->n == TCP_OOO_RANGES)
		return -ENOSPC;
	memmove(&s->start[i + 1], &s->start[j], (s->n - j) * sizeof(s->start[0]));
	memmove(&s->end[i + 1], &s->end[j], (s->n - j) * sizeof(s->end[0]));
	s->n = (uint8_t)(s->n - (j - i) + 1);
	s->start[i] = rcv_nxt + lo;
	s->end[i] = rcv_nxt + hi;
	s->recent = s->start[i];
	return 0;
}

/**
 * tcp_ooo_add() - Hold a segment that arrived past rcv_nxt
 * @slot:	Slot number the flow borrowed
 * @rcv_nxt:	Next sequence number the flow expects
 * @seq:	Segment's sequence number, past @rcv_nxt
 * @data:	Payload
 * @len:	Its length
 *
 * What lies beyond TCP_OOO_BUF bytes past @rcv_nxt is cut off.
 *
 * Return: bytes held (from @seq on), or -EINVAL if @seq is not past
 * @rcv_nxt, -ENOSPC if nothing could be held
 */
int tcp_ooo_add(unsigned int slot, uint32_t rcv_nxt, uint32_t seq,
		const uint8_t *data, size_t len)
{
	struct tcp_ooo_slot *s = tcp_ooo_at(slot);
	uint32_t off = seq - rcv_nxt;

	if (!s || !s->used || (int32_t)off <= 0 || !len)
		return -EINVAL;
	if (off >= TCP_OOO_BUF)
		return -ENOSPC;
	len = MIN(len, (size_t)(TCP_OOO_BUF - off));
	tcp_ooo_trim(s, rcv_nxt);
	if (tcp_ooo_merge(s, rcv_nxt, seq, seq + (uint32_t)len))
		return -ENOSPC;
	tcp_ooo_copy(slot, seq, data, len);
	s->touched = true;
	return (int)len;
}

/**
 * tcp_ooo_ready() - Held bytes that now follow rcv_nxt without a gap
 * @slot:	Slot number
 * @rcv_nxt:	Next sequence number the flow expects
 * @iov:	Set to the bytes, in one or two pieces (the ring wraps)
 *
 * Return: how many bytes, 0 if the gap is still open
 */
size_t tcp_ooo_ready(unsigned int slot, uint32_t rcv_nxt, struct iovec iov[2])
{
	struct tcp_ooo_slot *s = tcp_ooo_at(slot);
	uint8_t *ring;
	size_t len, off;

	if (!s || !s->used)
		return 0;
	tcp_ooo_trim(s, rcv_nxt);
	if (!s->n || s->start[0] != rcv_nxt)
		return 0;
	ring = ooo.mem + (size_t)(slot - 1) * TCP_OOO_BUF;
	len = s->end[0] - s->start[0];
	off = rcv_nxt & (TCP_OOO_BUF - 1);
	iov[0].iov_base = ring + off;
	iov[0].iov_len = MIN(len, TCP_OOO_BUF - off);
	iov[1].iov_base = ring;
	iov[1].iov_len = len - iov[0].iov_len;
	return len;
}

/**
 * tcp_ooo_empty() - Tell whether a slot holds nothing past rcv_nxt
 * @slot:	Slot number
 * @rcv_nxt:	Next sequence number the flow expects
 *
 * Return: true if no data is held (a held FIN does not count)
 */
bool tcp_ooo_empty(unsigned int slot, uint32_t rcv_nxt)
{
	struct tcp_ooo_slot *s = tcp_ooo_at(slot);

	if (!s || !s->used)
		return true;
	tcp_ooo_trim(s, rcv_nxt);
	return !s->n;
}

/**
 * tcp_ooo_sack() - SACK blocks for what a slot holds (RFC 2018): the run
 * the latest segment went into first, then the others in order
 * @slot:	Slot number
 * @rcv_nxt:	Next sequence number the flow expects
 * @blocks:	Filled with [left edge, right edge] pairs
 * @max:	Room in @blocks
 *
 * Return: blocks filled
 */
unsigned int tcp_ooo_sack(unsigned int slot, uint32_t rcv_nxt,
			  uint32_t blocks[][2], unsigned int max)
{
	struct tcp_ooo_slot *s = tcp_ooo_at(slot);
	unsigned int i, n = 0;

	if (!s || !s->used)
		return 0;
	tcp_ooo_trim(s, rcv_nxt);
	for (i = 0; i < s->n && n < max; i++) {
		if (s->start[i] == s->recent) {
			blocks[n][0] = s->start[i];
			blocks[n++][1] = s->end[i];
		}
	}
	for (i = 0; i < s->n && n < max; i++) {
		if (s->start[i] != s->recent) {
			blocks[n][0] = s->start[i];
			blocks[n++][1] = s->end[i];
		}
	}
	return n;
}

/**
 * tcp_ooo_fin_set() - Remember the guest's FIN, which came after held data
 * @slot:	Slot number
 * @seq:	Its sequence number
 */
void tcp_ooo_fin_set(unsigned int slot, uint32_t seq)
{
	struct tcp_ooo_slot *s = tcp_ooo_at(slot);

	if (!s || !s->used)
		return;
	s->fin = true;
	s->fin_seq = seq;
}

/**
 * tcp_ooo_fin() - A FIN held with the data, if any
 * @slot:	Slot number
 * @seq:	Set to its sequence number
 *
 * Return: true if one is held
 */
bool tcp_ooo_fin(unsigned int slot, uint32_t *seq)
{
	const struct tcp_ooo_slot *s = tcp_ooo_at(slot);

	if (!s || !s->used || !s->fin)
		return false;
	*seq = s->fin_seq;
	return true;
}
