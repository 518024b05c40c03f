/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frag.h - IP fragments: split toward the guest, reassembled from it */
#ifndef MERD_FRAG_H
#define MERD_FRAG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAG_SLOTS	16	/* datagrams reassembled at once */
#define FRAG_DATA_MAX	65535	/* bytes after the fixed IP header, at most */
#define FRAG_TIMEOUT_S	30	/* RFC 791 and RFC 8200: fragments wait 30 s */
#define FRAG6_HDR_LEN	8	/* IPv6 Fragment extension header */

/**
 * struct frag_info - Where a guest fragment sits in its datagram
 * @id:		Identification (IPv4: 16 bits; IPv6: 32 bits)
 * @off:	Offset of its data in the datagram's fragmentable part, bytes
 * @more:	More fragments follow (MF, or M for IPv6)
 * @max:	Largest fragmentable part the datagram may have: beyond it the
 *		reassembled packet's length field would overflow
 */
struct frag_info {
	uint32_t id;
	size_t off;
	bool more;
	size_t max;
};

/**
 * struct frag_slot - One datagram being reassembled
 * @src:	Source address (v4-mapped for IPv4), part of the key
 * @dst:	Destination address, part of the key
 * @id:		Identification, part of the key
 * @expires:	Monotonic time (ms) when it is given up, set by its first
 *		fragment
 * @total:	Length of the fragmentable part, known from the last
 *		fragment, 0 before
 * @have:	Bytes held (fragments never overlap: an exact count)
 * @hi:		Highest end of a fragment held
 * @proto:	IPv4: protocol, part of the key; IPv6: next header of the
 *		fragment at offset 0
 * @ttl:	TTL or hop limit of the fragment at offset 0
 * @v6:		IPv6 datagram
 * @used:	The slot holds a datagram
 */
struct frag_slot {
	struct in6_addr src;
	struct in6_addr dst;
	uint32_t id;
	uint64_t expires;
	uint32_t total;
	uint32_t have;
	uint32_t hi;
	uint8_t proto;
	uint8_t ttl;
	bool v6;
	bool used;
};

/**
 * struct frag_table - Reassembly table, and the state of fragmenting
 * @slot:	Datagrams being reassembled
 * @mem:	FRAG_SLOTS buffers, each data then a map of the 8-byte units
 *		held, in one mapping made at start (pages are touched, so
 *		resident, only once fragments use them)
 * @ip6_id:	Identification of the next IPv6 datagram fragmented toward
 *		the guest
 */
struct frag_table {
	struct frag_slot slot[FRAG_SLOTS];
	uint8_t *mem;
	uint32_t ip6_id;
};

struct ctx;
struct ip_pkt;

int frag_init(struct ctx *c);
void frag_reset(struct ctx *c);
void frag_fini(struct ctx *c);
int frag_input(struct ctx *c, struct ip_pkt *pkt, const struct frag_info *fi);
void frag_release(struct ctx *c, int slot);
void frag_expire(struct ctx *c);
size_t frag_tx_room(const struct ctx *c, bool v6);
size_t frag_tx_need(const struct ctx *c, bool v6, size_t l4_len);
void frag_tx(struct ctx *c, const struct in6_addr *src,
	     const struct in6_addr *dst, uint8_t proto, size_t l4_len);

#endif /* MERD_FRAG_H */
