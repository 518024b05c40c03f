// SPDX-License-Identifier: GPL-2.0-or-later
/* frag.c - IP fragments: datagrams over the guest's MTU split toward it,
 * the guest's fragments reassembled
 *
 * Theory of operation
 *
 * Toward the guest: a UDP datagram or echo reply from the host may exceed
 * the guest link's MTU (a DNS answer with EDNS0, a 9000-byte datagram).
 * Its sender reserves room for the largest datagram, fragmented
 * (ip_tx_begin_dgram(), frag_tx_room()), receives it where an unfragmented
 * packet's payload would go, and ip_tx_commit() computes the transport
 * checksum over the whole of it, then calls frag_tx(). That splits it in
 * place, in the transmit queue: each piece moves up to its place in its
 * own frame, the last piece first (every piece moves toward the end of the
 * queue, by the headers of the frames before it, so moving from the end
 * overwrites nothing still to be moved), and gets its IP header (IPv4: MF,
 * offset, one fresh ID per datagram, DF clear; IPv6: a Fragment header
 * with a 32-bit identification). The frames are then queued in order.
 *
 * From the guest: fragments go to a table of FRAG_SLOTS datagrams, keyed
 * by (source, destination, protocol, ID) for IPv4 and (source,
 * destination, ID) for IPv6, each with a buffer of FRAG_DATA_MAX bytes and
 * a bitmap of the 8-byte units held, all in one mapping made at start.
 * Every fragment is checked before a byte is copied: non-empty, a multiple
 * of 8 bytes unless last, ending within the datagram's largest length and
 * agreeing with the last fragment's end. A fragment that overlaps one held
 * discards the whole datagram (RFC 5722), unless it is an exact copy of
 * bytes held (a duplicate, ignored). Once every byte up to the last
 * fragment's end is held, the datagram is handed back to ip.c, which gives
 * it to the transport as any packet, then frees the slot. A datagram
 * not complete FRAG_TIMEOUT_S after its first fragment is dropped, found
 * by the next fragment (no timer: nothing wakes merd up); a new datagram
 * finding every slot taken is dropped. Each of these is counted once per
 * datagram (or fragment) under its own reason.
 */
#include <errno.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "eth.h"
#include "frag.h"
#include "inany.h"
#include "ip.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "util.h"

#define FRAG_UNIT	8
#define FRAG_BUF	(FRAG_DATA_MAX + 1)
#define FRAG_MAP	(FRAG_BUF / FRAG_UNIT / 8)
#define FRAG_SLOT_MEM	(FRAG_BUF + FRAG_MAP)
#define FRAG_MEM	((size_t)FRAG_SLOTS * FRAG_SLOT_MEM)
#define FRAG_FRAME_HDR	(4 + ETH_HDR_LEN)	/* length word, Ethernet */

/**
 * frag_init() - Map the reassembly buffers, pick the first IPv6 ID
 * @c:		Execution context
 *
 * Return: 0 on success, negative errno on failure
 */
int frag_init(struct ctx *c)
{
	void *m = mmap(NULL, FRAG_MEM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		return -errno;
	c->frag.mem = m;
	if (getrandom(&c->frag.ip6_id, sizeof(c->frag.ip6_id), 0) < 0)
		c->frag.ip6_id = (uint32_t)c->now;
	frag_reset(c);
	return 0;
}

/**
 * frag_reset() - Forget every datagram being reassembled
 * @c:		Execution context
 */
void frag_reset(struct ctx *c)
{
	memset(c->frag.slot, 0, sizeof(c->frag.slot));
}

/**
 * frag_fini() - Unmap the reassembly buffers
 * @c:		Execution context
 */
void frag_fini(struct ctx *c)
{
	if (c->frag.mem)
		munmap(c->frag.mem, FRAG_MEM);
	c->frag.mem = NULL;
}

/**
 * frag_buf() - Data buffer of a slot
 * @c:		Execution context
 * @i:		Slot index
 *
 * Return: FRAG_BUF bytes, followed by the slot's map of FRAG_MAP bytes
 */
static uint8_t *frag_buf(const struct ctx *c, int i)
{
	return c->frag.mem + (size_t)i * FRAG_SLOT_MEM;
}

/**
 * frag_map_count() - Count the units of a range already held
 * @map:	Bitmap, one bit per 8-byte unit
 * @a:		First unit
 * @b:		One past the last unit
 *
 * Return: units of [@a, @b) whose bit is set
 */
static size_t frag_map_count(const uint8_t *map, size_t a, size_t b)
{
	size_t i, n = 0;

	for (i = a; i < b; i++)
		n += (map[i / 8] >> (i % 8)) & 1;
	return n;
}

/**
 * frag_map_set() - Mark a range of units held
 * @map:	Bitmap
 * @a:		First unit
 * @b:		One past the last unit
 */
static void frag_map_set(uint8_t *map, size_t a, size_t b)
{
	size_t i;

	for (i = a; i < b; i++)
		map[i / 8] |= (uint8_t)(1U << (i % 8));
}

/**
 * frag_expire() - Drop the datagrams whose time is up
 * @c:		Execution context
 */
void frag_expire(struct ctx *c)
{
	int i;

	for (i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &c->frag.slot[i];

		if (s->used && c->now >= s->expires) {
			s->used = false;
			count_drop(c, CNT_drop_frag_timeout);
			debug_ratelimited("frag: datagram id %u incomplete after "
					  "%d s, dropped", s->id, FRAG_TIMEOUT_S);
		}
	}
}

/**
 * frag_find() - Slot of a fragment's datagram, taken if new
 * @c:		Execution context
 * @pkt:	Fragment
 * @fi:		Its place
 *
 * Return: slot index, or -1 if the table is full (counted)
 */
static int frag_find(struct ctx *c, const struct ip_pkt *pkt,
		     const struct frag_info *fi)
{
	struct frag_slot *s;
	int i, free_slot = -1;

	for (i = 0; i < FRAG_SLOTS; i++) {
		s = &c->frag.slot[i];
		if (!s->used) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (s->v6 == pkt->v6 && s->id == fi->id &&
		    (pkt->v6 || s->proto == pkt->proto) &&
		    inany_equal(&s->src, &pkt->src) &&
		    inany_equal(&s->dst, &pkt->dst))
			return i;
	}
	if (free_slot < 0) {
		count_drop(c, CNT_drop_frag_full);
		debug_ratelimited("frag: %d datagrams in reassembly, fragment "
				  "of a new one dropped", FRAG_SLOTS);
		return -1;
	}
	s = &c->frag.slot[free_slot];
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->v6 = pkt->v6;
	s->id = fi->id;
	s->src = pkt->src;
	s->dst = pkt->dst;
	s->proto = pkt->v6 ? 0 : pkt->proto;
	s->expires = c->now + FRAG_TIMEOUT_S * 1000ULL;
	memset(frag_buf(c, free_slot) + FRAG_BUF, 0, FRAG_MAP);
	return free_slot;
}

/**
 * frag_check() - Check a fragment on its own, before its datagram is found
 * @c:		Execution context
 * @pkt:	Fragment: @l4 and @l4_len are its data
 * @fi:		Its place
 *
 * Return: 0 if it can be part of a datagram, -1 if dropped (counted)
 */
static int frag_check(struct ctx *c, const struct ip_pkt *pkt,
		      const struct frag_info *fi)
{
	size_t max = MIN(fi->max, (size_t)FRAG_DATA_MAX);

	if (!pkt->l4_len || (fi->more && pkt->l4_len % FRAG_UNIT) ||
	    fi->off % FRAG_UNIT) {
		count_drop(c, pkt->v6 ? CNT_drop_ip6_frag : CNT_drop_ip4_frag);
		debug_ratelimited("frag: fragment of %zu bytes at %zu, MF %d, "
				  "dropped", pkt->l4_len, fi->off, fi->more);
		return -1;
	}
	if (fi->off > max || pkt->l4_len > max - fi->off) {
		count_drop(c, CNT_drop_frag_toobig);
		debug_ratelimited("frag: fragment ends at %zu, past %zu, dropped",
				  fi->off + pkt->l4_len, max);
		return -1;
	}
	return 0;
}

/**
 * frag_conflict() - Tell whether a fragment cannot belong with those held
 * @s:		Datagram
 * @map:	Its bitmap
 * @buf:	Its data
 * @pkt:	Fragment, checked by frag_check()
 * @fi:		Its place
 *
 * Return: 0 if it adds new bytes, 1 if it is an exact duplicate of bytes
 * held, -1 if it overlaps or contradicts them
 */
static int frag_conflict(const struct frag_slot *s, const uint8_t *map,
			 const uint8_t *buf, const struct ip_pkt *pkt,
			 const struct frag_info *fi)
{
	size_t end = fi->off + pkt->l4_len;
	size_t a = fi->off / FRAG_UNIT, b = (end + FRAG_UNIT - 1) / FRAG_UNIT;
	size_t held;

	if (s->total && (end > s->total || (!fi->more && end != s->total)))
		return -1;
	if (!fi->more && s->hi > end)
		return -1;
	held = frag_map_count(map, a, b);
	if (!held)
		return 0;
	if (held == b - a && (fi->more || s->total) &&
	    !memcmp(buf + fi->off, pkt->l4, pkt->l4_len))
		return 1;
	return -1;
}

/**
 * frag_complete() - Give the reassembled datagram the packet's view
 * @c:		Execution context
 * @i:		Slot, every byte held
 * @pkt:	Packet view to point at the datagram
 */
static void frag_complete(struct ctx *c, int i, struct ip_pkt *pkt)
{
	const struct frag_slot *s = &c->frag.slot[i];

	pkt->l4 = frag_buf(c, i);
	pkt->l4_len = s->total;
	pkt->proto = s->proto;
	pkt->ttl = s->ttl;
	pkt->csum_partial = false;	/* the guest summed before splitting */
	count(c, CNT_frags_reassembled);
}

/**
 * frag_input() - Take a guest fragment into its datagram
 * @c:		Execution context
 * @pkt:	Fragment, headers checked: @l4 and @l4_len are its data
 *		(IPv6: after the Fragment header, @proto its next header).
 *		When the datagram is complete, it points at the datagram
 * @fi:		Its place in the datagram
 *
 * Return: slot index of the complete datagram, to give to frag_release()
 * once handled, or -1 if the fragment was held or dropped (counted)
 */
int frag_input(struct ctx *c, struct ip_pkt *pkt, const struct frag_info *fi)
{
	struct frag_slot *s;
	uint8_t *buf;
	size_t end;
	int i, rc;

	frag_expire(c);
	if (frag_check(c, pkt, fi))
		return -1;
	i = frag_find(c, pkt, fi);
	if (i < 0)
		return -1;
	s = &c->frag.slot[i];
	buf = frag_buf(c, i);
	end = fi->off + pkt->l4_len;
	rc = frag_conflict(s, buf + FRAG_BUF, buf, pkt, fi);
	if (rc) {
		if (rc > 0) {
			count(c, CNT_ignored);
			return -1;
		}
		s->used = false;
		count_drop(c, CNT_drop_frag_overlap);
		debug_ratelimited("frag: fragment at %zu overlaps, datagram "
				  "id %u dropped", fi->off, fi->id);
		return -1;
	}
	memcpy(buf + fi->off, pkt->l4, pkt->l4_len);
	frag_map_set(buf + FRAG_BUF, fi->off / FRAG_UNIT,
		     (end + FRAG_UNIT - 1) / FRAG_UNIT);
	count(c, CNT_frags_in);
	s->have += (uint32_t)pkt->l4_len;
	s->hi = (uint32_t)MAX((size_t)s->hi, end);
	if (!fi->more)
		s->total = (uint32_t)end;
	if (!fi->off) {
		s->ttl = pkt->ttl;
		if (pkt->v6)
			s->proto = pkt->proto;
	}
	if (!s->total || s->have != s->total)
		return -1;
	frag_complete(c, i, pkt);
	return i;
}

/**
 * frag_release() - Free the slot of a datagram handled
 * @c:		Execution context
 * @slot:	Slot index from frag_input()
 */
void frag_release(struct ctx *c, int slot)
{
	if (slot >= 0 && slot < FRAG_SLOTS)
		c->frag.slot[slot].used = false;
}

/**
 * frag_chunk() - Bytes of a datagram each fragment toward the guest carries
 * @c:		Execution context
 * @v6:		IPv6
 *
 * Return: the room under the MTU after the headers, in 8-byte units
 */
static size_t frag_chunk(const struct ctx *c, bool v6)
{
	size_t h = v6 ? IP6_HDR_LEN + FRAG6_HDR_LEN : IP4_HDR_LEN;

	return ((size_t)c->conf.mtu - h) & ~(size_t)(FRAG_UNIT - 1);
}

/**
 * frag_tx_need() - Queue bytes a datagram takes, fragmented
 * @c:		Execution context
 * @v6:		IPv6
 * @l4_len:	Transport segment's length
 *
 * Return: bytes from the end of the queue to the end of the last frame
 */
size_t frag_tx_need(const struct ctx *c, bool v6, size_t l4_len)
{
	size_t h = v6 ? IP6_HDR_LEN + FRAG6_HDR_LEN : IP4_HDR_LEN;
	size_t chunk = frag_chunk(c, v6);
	size_t n = (l4_len + chunk - 1) / chunk;

	return n * (FRAG_FRAME_HDR + h) + l4_len;
}

/**
 * frag_tx_room() - Queue bytes the largest datagram takes, fragmented
 * @c:		Execution context
 * @v6:		IPv6
 *
 * Return: bytes to reserve at the end of the queue
 */
size_t frag_tx_room(const struct ctx *c, bool v6)
{
	return frag_tx_need(c, v6, v6 ? FRAG_DATA_MAX
				      : FRAG_DATA_MAX - IP4_HDR_LEN);
}

/**
 * frag_hdr() - Write a fragment's IP header (and IPv6 Fragment header)
 * @l3:		Where the IP header goes
 * @src:	Source address (v4-mapped for IPv4)
 * @dst:	Destination address
 * @proto:	Transport protocol
 * @id:		Identification of the datagram
 * @off:	Offset of the fragment's data, bytes
 * @len:	Its data length
 * @more:	More fragments follow
 */
static void frag_hdr(uint8_t *l3, const struct in6_addr *src,
		     const struct in6_addr *dst, uint8_t proto, uint32_t id,
		     size_t off, size_t len, bool more)
{
	uint16_t fo = (uint16_t)(off / FRAG_UNIT);

	if (inany_is_v4(dst)) {
		ip4_hdr_write(l3, inany_v4(src), inany_v4(dst), proto,
			      IP4_HDR_LEN + len, (uint16_t)id,
			      (uint16_t)(fo | (more ? IP4_MF : 0)));
		return;
	}
	ip6_hdr_write(l3, src, dst, IPPROTO_FRAGMENT, FRAG6_HDR_LEN + len,
		      IP_DEFAULT_TTL);
	l3[IP6_HDR_LEN] = proto;
	l3[IP6_HDR_LEN + 1] = 0;
	wr16(l3 + IP6_HDR_LEN + 2, (uint16_t)((fo << 3) | (more ? 1 : 0)));
	wr32(l3 + IP6_HDR_LEN + 4, id);
}

/**
 * frag_tx() - Split the packet being built at the end of the queue into
 * fragments that fit the MTU, in place, and queue them
 * @c:		Execution context
 * @src:	Source address (v4-mapped for IPv4)
 * @dst:	Destination address
 * @proto:	Transport protocol
 * @l4_len:	Length of the segment, checksum filled, where
 *		ip_tx_begin_dgram() put it; frag_tx_need() bytes are free
 *		from the end of the queue
 */
void frag_tx(struct ctx *c, const struct in6_addr *src,
	     const struct in6_addr *dst, uint8_t proto, size_t l4_len)
{
	bool v6 = !inany_is_v4(dst);
	size_t hu = v6 ? IP6_HDR_LEN : IP4_HDR_LEN;
	size_t h = v6 ? IP6_HDR_LEN + FRAG6_HDR_LEN : IP4_HDR_LEN;
	size_t chunk = frag_chunk(c, v6), n = (l4_len + chunk - 1) / chunk, k;
	const uint8_t *seg = c->link.tx + c->link.tx_len + FRAG_FRAME_HDR + hu;
	uint8_t *base = c->link.tx + c->link.tx_len;
	uint32_t id = v6 ? c->frag.ip6_id++ : c->ip4_id++;

	/* the last piece first: each moves up by the frames before it */
	for (k = n; k--;) {
		size_t off = k * chunk, len = MIN(chunk, l4_len - off);
		uint8_t *l3 = base + k * (FRAG_FRAME_HDR + h + chunk) +
			      FRAG_FRAME_HDR;

		if (l3 + h != seg + off)
			memmove(l3 + h, seg + off, len);
		frag_hdr(l3, src, dst, proto, id, off, len, k + 1 < n);
	}
	for (k = 0; k < n; k++)
		eth_tx_commit(c, NULL, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP,
			      h + MIN(chunk, l4_len - k * chunk));
	c->counters[CNT_frags_out] += n;
}
