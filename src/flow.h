/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow.h - The flow table: one entry per tracked flow, hashed, aged */
#ifndef MERD_FLOW_H
#define MERD_FLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "splice.h"
#include "tcp.h"

#define FLOW_NONE		UINT32_MAX
#define FLOW_MAX_DEFAULT	65536
#define FLOW_SCAN_MIN_MS	100

/* Memory one --max-flows entry may cost once flows touched it, bytes: the
 * entry (struct flow), its share of the hash buckets (8 to 16), of the
 * active list (4) and of TCP's three batch lists (24). doc/merd.1 (FLOWS
 * AND LIMITS) gives this figure; test_flow.c checks it against the sizes
 * the table and the lists are allocated with. */
#define FLOW_ENTRY_BYTES_MAX	244

enum flow_proto {
	FLOW_FREE,
	FLOW_UDP,
	FLOW_ICMP,
	FLOW_TCP,
	FLOW_SPLICE,	/* -T: namespace's loopback joined to the host's */
	FLOW_RELAY,	/* -U: datagrams between the two loopbacks */
	FLOW_RAW,
};

/**
 * struct flow_key - What identifies a flow, seen from the guest
 * @guest_addr:	Guest's address (v4-mapped for IPv4)
 * @remote_addr:	Address of the other end, as the guest sees it
 * @guest_port:	Guest's port, or the echo identifier for ICMP, 0 for raw
 * @remote_port:	Remote port, 0 for ICMP, the IP protocol for raw
 * @proto:	enum flow_proto
 * @pad:	Zero, so keys hash and compare as bytes
 */
struct flow_key {
	struct in6_addr guest_addr;
	struct in6_addr remote_addr;
	uint16_t guest_port;
	uint16_t remote_port;
	uint8_t proto;
	uint8_t pad[3];
};

/**
 * struct flow - One tracked flow
 * @key:	Identity, guest side
 * @sock:	Host socket carrying the flow, -1 if none
 * @hash_next:	Next flow in the same bucket (or in the free list)
 * @active_pos:	Position in the table's active array
 * @un_prev:	Previous flow in the table's unanswered queue
 * @un_next:	Next flow in it
 * @un_queued:	The flow is in that queue
 * @deadline:	When the flow expires unless it sees traffic, ms
 * @created:	Creation time, ms
 * @pkts_out:	Packets guest to host
 * @pkts_in:	Packets host to guest
 * @bytes_out:	Payload bytes guest to host
 * @bytes_in:	Payload bytes host to guest
 * @raw_id:	ICMP echo through a raw socket: identifier on the wire
 * @tcp:	TCP: connection state
 * @splice:	FLOW_SPLICE: the other socket and the pipes
 * @relay:	FLOW_RELAY: where answers go
 */
struct flow {
	struct flow_key key;
	int sock;
	uint32_t hash_next;
	uint32_t active_pos;
	uint32_t un_prev;
	uint32_t un_next;
	uint8_t un_queued;
	uint64_t deadline;
	uint64_t created;
	uint64_t pkts_out;
	uint64_t pkts_in;
	uint64_t bytes_out;
	uint64_t bytes_in;
	uint16_t raw_id;
	union {
		struct tcp_conn tcp;
		struct splice_conn splice;
		struct relay_conn relay;
	};
};

/**
 * struct flow_table - All flows, sized once at start
 * @flows:	Entries, @max of them
 * @max:	Capacity
 * @buckets:	Hash buckets, first flow index + 1 of each chain (0: empty),
 *		see flow_head()
 * @mask:	Number of buckets minus one
 * @active:	Indices of flows in use, densely packed
 * @n_active:	Flows in use
 * @free_head:	First entry freed after use, chained through hash_next
 * @fresh:	Entries from this index on were never used: their pages are
 *		untouched, so the table is resident only as far as flows came
 * @un_head:	Oldest UDP or ICMP flow that may be unanswered, FLOW_NONE
 *		if none: the first to go when the table is full
 * @un_tail:	Newest one
 * @key:	Random hash key
 * @timer_at:	Deadline the ageing timer is armed for, 0 if disarmed
 * @last_scan:	Time of the last expiry scan
 */
struct flow_table {
	struct flow *flows;
	uint32_t max;
	uint32_t *buckets;
	uint32_t mask;
	uint32_t *active;
	uint32_t n_active;
	uint32_t free_head;
	uint32_t fresh;
	uint32_t un_head;
	uint32_t un_tail;
	uint64_t key[2];
	uint64_t timer_at;
	uint64_t last_scan;
};

struct ctx;

int flow_table_init(struct ctx *c, uint32_t max);
struct flow *flow_lookup(const struct flow_table *ft,
			 const struct flow_key *key);
bool flow_full(struct ctx *c);
int flow_socket(struct ctx *c, int domain, int type, int protocol);
struct flow *flow_insert(struct ctx *c, const struct flow_key *key);
struct flow *flow_insert_sock(struct ctx *c, const struct flow_key *key,
			      int s, uint32_t events);
void flow_remove(struct ctx *c, struct flow *f);
void flow_touch(struct ctx *c, struct flow *f, unsigned int timeout_s);
void flow_set_deadline(struct ctx *c, struct flow *f, uint64_t at);
uint32_t flow_index(const struct flow_table *ft, const struct flow *f);
uint8_t flow_ipproto(const struct flow_key *k);
const char *flow_proto_name(const struct flow_key *k);
const char *flow_path_name(const struct flow_key *k);
struct flow *flow_at(const struct flow_table *ft, uint32_t idx);
void flow_timer(struct ctx *c);
void flow_sock_event(struct ctx *c, uint32_t idx, uint32_t events);
void flow_close_all(struct ctx *c);

#endif /* MERD_FLOW_H */
