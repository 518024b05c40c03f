// SPDX-License-Identifier: GPL-2.0-or-later
/* flow.c - The flow table: keyed hash, O(1) insert/lookup/delete, ageing
 *
 * Theory of operation
 *
 * Every flow merd tracks (UDP, ICMP echo, later TCP) has one entry in a
 * table allocated once at start-up, --max-flows entries. Entries are found
 * from the guest side by hashing their key (SipHash with a random key, so a
 * guest cannot aim for one bucket) into a power-of-two bucket array and
 * walking a short chain; from the host side, the epoll reference of the
 * flow's socket carries the entry's index, so no lookup is needed.
 *
 * Free entries are chained through hash_next. Entries in use are also listed
 * in a dense array, so the ageing scan costs the number of live flows, not
 * the table size.
 *
 * When the table is full, a new flow takes the place of the oldest UDP or
 * ICMP flow that never carried a packet back (a datagram to nowhere, a
 * port scan): such flows are queued in creation order, and the queue is
 * trimmed lazily, an answered flow being dropped from it when it reaches
 * the head. So the cost is O(1) amortized and nothing on the data path.
 * Answered flows and TCP connections are never evicted; if nothing can
 * be, the new flow is refused (counted as drop_flow_full). The same goes
 * when the process runs out of descriptors before the table fills (an
 * open files limit below --max-flows): flow_socket() evicts the same way.
 *
 * Ageing: each flow has a deadline, pushed forward by traffic. One timerfd
 * is armed for the earliest deadline known; when it fires, a scan removes
 * what expired and re-arms for the next deadline. Pushing a deadline later
 * never re-arms (the scan finds out), so traffic costs no system call; with
 * no flows the timer is disarmed and merd does not wake up at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "flow.h"
#include "hash.h"
#include "icmp.h"
#include "inany.h"
#include "log.h"
#include "merd.h"
#include "nsfwd.h"
#include "splice.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

/**
 * flow_table_init() - Allocate and key the flow table
 * @c:		Execution context
 * @max:	Number of entries
 *
 * Return: 0 on success, negative errno on failure
 */
int flow_table_init(struct ctx *c, uint32_t max)
{
	struct flow_table *ft = &c->flows;
	uint32_t nb = 1;
	int rc;

	while (nb < max * 2U && nb < (1U << 30))
		nb <<= 1;

	ft->max = max;
	ft->mask = nb - 1;
	/* zeroed pages: resident only once flows touch them */
	ft->flows = calloc(max, sizeof(*ft->flows));
	ft->buckets = calloc(nb, sizeof(*ft->buckets));
	ft->active = malloc(max * sizeof(*ft->active));
	if (!ft->flows || !ft->buckets || !ft->active)
		return -ENOMEM;

	ft->free_head = FLOW_NONE;
	ft->fresh = 0;
	ft->n_active = 0;
	ft->un_head = ft->un_tail = FLOW_NONE;

	rc = hash_random_key(ft->key);
	return rc;
}

/**
 * flow_ipproto() - IP protocol a flow carries
 * @k:		Flow key
 *
 * Return: IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, or for
 * --raw flows the protocol passed through
 */
uint8_t flow_ipproto(const struct flow_key *k)
{
	switch (k->proto) {
	case FLOW_TCP:
	case FLOW_SPLICE:
		return IPPROTO_TCP;
	case FLOW_UDP:
	case FLOW_RELAY:
		return IPPROTO_UDP;
	case FLOW_RAW:
		return (uint8_t)k->remote_port;
	default:
		return inany_is_v4(&k->remote_addr) ? IPPROTO_ICMP
						    : IPPROTO_ICMPV6;
	}
}

/**
 * flow_proto_name() - Name of the protocol a flow carries, as conntrack
 * names it
 * @k:		Flow key
 *
 * Return: "tcp", "udp", "icmp", "icmpv6", or "raw" for --raw flows (their
 * protocol number is flow_ipproto())
 */
const char *flow_proto_name(const struct flow_key *k)
{
	if (k->proto == FLOW_RAW)
		return "raw";
	switch (flow_ipproto(k)) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	default:
		return "icmpv6";
	}
}

/**
 * flow_path_name() - How merd carries a flow
 * @k:		Flow key
 *
 * Return: "guest" (the guest's packets translated to a host socket), "raw"
 * (passed through a raw socket, --raw), "splice" (-T: the namespace's
 * loopback joined to the host's, socket to socket) or "relay" (-U:
 * datagrams between the two loopbacks)
 */
const char *flow_path_name(const struct flow_key *k)
{
	switch (k->proto) {
	case FLOW_SPLICE:
		return "splice";
	case FLOW_RELAY:
		return "relay";
	case FLOW_RAW:
		return "raw";
	default:
		return "guest";
	}
}

/**
 * flow_trace() - Trace a flow's start or end, with its addresses
 * @c:		Execution context
 * @f:		Flow
 * @what:	"created" or "ended"
 *
 * Called only with --trace (formatting costs nothing otherwise).
 */
static void flow_trace(const struct ctx *c, const struct flow *f,
		       const char *what)
{
	const struct flow_key *k = &f->key;
	char g[INANY_STRLEN], r[INANY_STRLEN];
	bool v4 = inany_is_v4(&k->remote_addr);

	inany_ntop(&k->guest_addr, g);
	inany_ntop(&k->remote_addr, r);
	log_msg(LOG_LVL_TRACE, "flow %u %s: %s %s%s%s:%u > %s%s%s:%u (%s, "
		"proto %u), %llu ms, out/in %llu/%llu packets %llu/%llu bytes",
		flow_index(&c->flows, f), what, flow_proto_name(k),
		v4 ? "" : "[", g, v4 ? "" : "]", k->guest_port,
		v4 ? "" : "[", r, v4 ? "" : "]", k->remote_port,
		flow_path_name(k), flow_ipproto(k),
		(unsigned long long)(c->now - f->created),
		(unsigned long long)f->pkts_out,
		(unsigned long long)f->pkts_in,
		(unsigned long long)f->bytes_out,
		(unsigned long long)f->bytes_in);
}

/**
 * flow_bucket() - Bucket of a key
 * @ft:		Flow table
 * @key:	Flow key, padding zeroed
 *
 * Return: bucket index
 */
static uint32_t flow_bucket(const struct flow_table *ft,
			    const struct flow_key *key)
{
	return (uint32_t)siphash(ft->key, key, sizeof(*key)) & ft->mask;
}

/**
 * flow_index() - Index of a flow entry
 * @ft:		Flow table
 * @f:		Entry in @ft
 *
 * Return: index, usable in epoll references
 */
uint32_t flow_index(const struct flow_table *ft, const struct flow *f)
{
	return (uint32_t)(f - ft->flows);
}

/**
 * flow_at() - Entry at an index, if in use
 * @ft:		Flow table
 * @idx:	Index from an epoll reference
 *
 * Return: the entry, or NULL if out of range or free
 */
struct flow *flow_at(const struct flow_table *ft, uint32_t idx)
{
	if (idx >= ft->max || ft->flows[idx].key.proto == FLOW_FREE)
		return NULL;
	return &ft->flows[idx];
}

/**
 * flow_head() - First entry of a hash chain
 * @ft:		Flow table
 * @b:		Bucket
 *
 * Buckets hold index + 1, so that a zeroed bucket is an empty one and the
 * bucket array needs no initialisation: FLOW_NONE + 1 wraps to 0.
 *
 * Return: index of the first entry, or FLOW_NONE
 */
static uint32_t flow_head(const struct flow_table *ft, uint32_t b)
{
	return ft->buckets[b] - 1U;
}

/**
 * flow_head_set() - Make an entry the first of a hash chain
 * @ft:		Flow table
 * @b:		Bucket
 * @idx:	Index of the entry, or FLOW_NONE for an empty chain
 */
static void flow_head_set(struct flow_table *ft, uint32_t b, uint32_t idx)
{
	ft->buckets[b] = idx + 1U;
}

/**
 * flow_lookup() - Find a flow by its guest-side key
 * @ft:		Flow table
 * @key:	Key, padding zeroed
 *
 * Return: the flow, or NULL if not tracked
 */
struct flow *flow_lookup(const struct flow_table *ft,
			 const struct flow_key *key)
{
	uint32_t i = flow_head(ft, flow_bucket(ft, key));

	while (i != FLOW_NONE) {
		struct flow *f = &ft->flows[i];

		if (!memcmp(&f->key, key, sizeof(*key)))
			return f;
		i = f->hash_next;
	}
	return NULL;
}

/**
 * flow_un_push() - Queue a new UDP or ICMP flow as possibly unanswered
 * @ft:		Flow table
 * @f:		Flow, just inserted
 */
static void flow_un_push(struct flow_table *ft, struct flow *f)
{
	uint32_t idx = flow_index(ft, f);

	f->un_prev = ft->un_tail;
	f->un_next = FLOW_NONE;
	f->un_queued = 1;
	if (ft->un_tail != FLOW_NONE)
		ft->flows[ft->un_tail].un_next = idx;
	else
		ft->un_head = idx;
	ft->un_tail = idx;
}

/**
 * flow_un_unlink() - Take a flow out of the unanswered queue, if in it
 * @ft:		Flow table
 * @f:		Flow
 */
static void flow_un_unlink(struct flow_table *ft, struct flow *f)
{
	if (!f->un_queued)
		return;
	if (f->un_prev != FLOW_NONE)
		ft->flows[f->un_prev].un_next = f->un_next;
	else
		ft->un_head = f->un_next;
	if (f->un_next != FLOW_NONE)
		ft->flows[f->un_next].un_prev = f->un_prev;
	else
		ft->un_tail = f->un_prev;
	f->un_queued = 0;
}

/**
 * flow_evict() - Free the entry of the oldest unanswered UDP or ICMP flow
 * @c:		Execution context
 *
 * Return: true if an entry was freed (counted as flows_evicted)
 */
static bool flow_evict(struct ctx *c)
{
	struct flow_table *ft = &c->flows;

	while (ft->un_head != FLOW_NONE) {
		struct flow *f = &ft->flows[ft->un_head];

		flow_un_unlink(ft, f);
		if (f->pkts_in && f->pkts_out)
			continue;		/* answered since: keep it */
		debug_ratelimited("flow: table full, %u unanswered for %llu ms "
				  "evicted", flow_index(ft, f),
				  (unsigned long long)(c->now - f->created));
		count(c, CNT_flows_evicted);
		flow_remove(c, f);
		return true;
	}
	return false;
}

/**
 * flow_full() - Check, before a new flow costs anything, that it fits
 * @c:		Execution context
 *
 * When the table is full, the oldest unanswered UDP or ICMP flow makes
 * room if there is one.
 *
 * Return: true (counted as drop_flow_full) if the table is full
 */
bool flow_full(struct ctx *c)
{
	const struct flow_table *ft = &c->flows;

	if (ft->free_head != FLOW_NONE || ft->fresh < ft->max || flow_evict(c))
		return false;
	count_drop(c, CNT_drop_flow_full);
	return true;
}

/**
 * flow_socket() - Open the host socket of a new flow; out of descriptors,
 * let the oldest unanswered UDP or ICMP flow make room, as for a full table
 * @c:		Execution context
 * @domain:	As for socket(2)
 * @type:	As for socket(2)
 * @protocol:	As for socket(2)
 *
 * Return: the socket, or -1 with errno set
 */
int flow_socket(struct ctx *c, int domain, int type, int protocol)
{
	int s = socket(domain, type, protocol);

	while (s < 0 && (errno == EMFILE || errno == ENFILE) &&
	       flow_evict(c))
		s = socket(domain, type, protocol);
	return s;
}

/**
 * flow_insert() - Take a free entry for a new flow
 * @c:		Execution context
 * @key:	Key of the new flow, padding zeroed, not already in the table
 *
 * Return: the new entry (socket -1, counters zero), or NULL if the table is
 * full and no unanswered flow could be evicted (counted)
 */
struct flow *flow_insert(struct ctx *c, const struct flow_key *key)
{
	struct flow_table *ft = &c->flows;
	uint32_t idx, b;
	struct flow *f;

	if (flow_full(c))
		return NULL;
	if (ft->free_head != FLOW_NONE) {
		idx = ft->free_head;
		ft->free_head = ft->flows[idx].hash_next;
	} else {
		idx = ft->fresh++;	/* never used: its page comes in now */
	}
	f = &ft->flows[idx];

	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->sock = -1;
	f->created = c->now;

	b = flow_bucket(ft, key);
	f->hash_next = flow_head(ft, b);
	flow_head_set(ft, b, idx);

	f->active_pos = ft->n_active;
	ft->active[ft->n_active++] = idx;
	if (key->proto == FLOW_UDP || key->proto == FLOW_ICMP)
		flow_un_push(ft, f);
	count(c, CNT_flows_created);
	if (log_enabled(LOG_LVL_TRACE))
		flow_trace(c, f, "created");
	return f;
}

/**
 * flow_insert_sock() - Take an entry for a new flow carried by a socket
 * @c:		Execution context
 * @key:	Key of the new flow, padding zeroed, not in the table yet
 * @s:		The flow's socket, owned from now on (closed on failure)
 * @events:	epoll events to watch it for
 *
 * Return: the new entry, or NULL (counted) if the table is full or the
 * socket cannot be watched
 */
struct flow *flow_insert_sock(struct ctx *c, const struct flow_key *key,
			      int s, uint32_t events)
{
	struct flow *f = flow_insert(c, key);

	if (!f) {
		close(s);
		return NULL;
	}
	f->sock = s;
	if (epoll_add(c, s, events,
		      EPOLL_REF(EPOLL_TYPE_FLOW, flow_index(&c->flows, f)))) {
		count_drop(c, CNT_drop_sock_err);
		flow_remove(c, f);
		return NULL;
	}
	return f;
}

/**
 * flow_unlink() - Remove an entry from its hash chain
 * @ft:		Flow table
 * @f:		Entry, in the table
 */
static void flow_unlink(struct flow_table *ft, const struct flow *f)
{
	uint32_t idx = flow_index(ft, f), b = flow_bucket(ft, &f->key);
	uint32_t i = flow_head(ft, b);

	if (i == idx) {
		flow_head_set(ft, b, f->hash_next);
		return;
	}
	while (i != FLOW_NONE) {
		struct flow *prev = &ft->flows[i];

		if (prev->hash_next == idx) {
			prev->hash_next = f->hash_next;
			return;
		}
		i = prev->hash_next;
	}
}

/**
 * flow_remove() - Close a flow's socket and free its entry
 * @c:		Execution context
 * @f:		Entry in use
 */
void flow_remove(struct ctx *c, struct flow *f)
{
	struct flow_table *ft = &c->flows;
	uint32_t idx = flow_index(ft, f), last;

	if (log_enabled(LOG_LVL_TRACE))
		flow_trace(c, f, "ended");
	if (f->sock >= 0)
		close(f->sock);
	if (f->key.proto == FLOW_SPLICE)
		splice_close(f);
	if (f->key.proto == FLOW_TCP)
		tcp_flow_gone(f);	/* guest data gathered or held, unsent */
	flow_unlink(ft, f);
	flow_un_unlink(ft, f);

	last = ft->active[--ft->n_active];
	ft->active[f->active_pos] = last;
	ft->flows[last].active_pos = f->active_pos;

	memset(f, 0, sizeof(*f));
	f->sock = -1;
	f->hash_next = ft->free_head;
	ft->free_head = idx;
}

/**
 * flow_timer_arm() - Arm the ageing timer for a deadline
 * @c:		Execution context
 * @at:		Monotonic deadline, ms; 0 disarms
 */
static void flow_timer_arm(struct ctx *c, uint64_t at)
{
	struct itimerspec its = { 0 };

	if (at) {
		its.it_value.tv_sec = (time_t)(at / 1000);
		its.it_value.tv_nsec = (long)(at % 1000) * 1000000;
	}
	if (timerfd_settime(c->timerfd, TFD_TIMER_ABSTIME, &its, NULL))
		warn_ratelimited("flow: timerfd_settime: %s",
				 strerror(errno));
	c->flows.timer_at = at;
}

/**
 * flow_set_deadline() - Set when a flow's timer fires
 * @c:		Execution context
 * @f:		Flow
 * @at:		Monotonic deadline, ms
 */
void flow_set_deadline(struct ctx *c, struct flow *f, uint64_t at)
{
	f->deadline = at;
	if (!c->flows.timer_at || at < c->flows.timer_at)
		flow_timer_arm(c, MAX(at, c->flows.last_scan + FLOW_SCAN_MIN_MS));
}

/**
 * flow_touch() - Push a flow's deadline after traffic
 * @c:		Execution context
 * @f:		Flow
 * @timeout_s:	Idle time allowed from now, seconds
 */
void flow_touch(struct ctx *c, struct flow *f, unsigned int timeout_s)
{
	flow_set_deadline(c, f, c->now + (uint64_t)timeout_s * 1000);
}

/**
 * flow_expire() - A flow reached its deadline: end it, or let TCP decide
 * @c:		Execution context
 * @f:		Flow
 *
 * Return: true if the entry was freed
 */
static bool flow_expire(struct ctx *c, struct flow *f)
{
	uint64_t before = f->deadline;

	if (f->key.proto == FLOW_TCP) {
		tcp_timer(c, f);	/* retransmits, or ends the flow */
		if (f->key.proto == FLOW_FREE)
			return true;
		if (f->deadline > before && f->deadline > c->now)
			return false;
	}
	debug_ratelimited("flow: %u expired", flow_index(&c->flows, f));
	count(c, CNT_flows_expired);
	flow_remove(c, f);
	return true;
}

/**
 * flow_timer() - Handle flows past their deadline, re-arm for the next one
 * @c:		Execution context
 */
void flow_timer(struct ctx *c)
{
	struct flow_table *ft = &c->flows;
	uint64_t next = 0, expiry;
	uint32_t i = 0;

	ft->last_scan = c->now;
	ft->timer_at = 0;
	while (i < ft->n_active) {
		struct flow *f = &ft->flows[ft->active[i]];

		/* a freed entry's place is taken by the last one: look again */
		if (f->deadline <= c->now && flow_expire(c, f))
			continue;
		if (!next || f->deadline < next)
			next = f->deadline;
		i++;
	}
	expiry = next ? MAX(next, c->now + FLOW_SCAN_MIN_MS) : 0;
	flow_timer_arm(c, expiry);
}

/**
 * flow_sock_event() - Hand an event on a flow's socket to its protocol
 * @c:		Execution context
 * @idx:	Flow index
 * @events:	epoll events
 */
void flow_sock_event(struct ctx *c, uint32_t idx, uint32_t events)
{
	struct flow *f = flow_at(&c->flows, idx);

	if (!f)
		return;
	switch (f->key.proto) {
	case FLOW_UDP:
		udp_sock_event(c, f, events);
		break;
	case FLOW_ICMP:
		icmp_sock_event(c, f, events);
		break;
	case FLOW_TCP:
		tcp_sock_event(c, f, events);
		break;
	case FLOW_SPLICE:
		splice_event(c, f, events, 0);
		break;
	case FLOW_RELAY:
		nsfwd_relay_event(c, f);
		break;
	default:
		break;
	}
}

/**
 * flow_close_all() - Close every flow: at exit, or when the guest left
 * @c:		Execution context
 */
void flow_close_all(struct ctx *c)
{
	static const struct linger abort_now = { .l_onoff = 1 };

	while (c->flows.n_active) {
		struct flow *f = &c->flows.flows[c->flows.active[0]];

		/* the guest's end is gone: reset the host peers of TCP */
		if ((f->key.proto == FLOW_TCP || f->key.proto == FLOW_SPLICE) &&
		    f->sock >= 0)
			setsockopt(f->sock, SOL_SOCKET, SO_LINGER, &abort_now,
				   sizeof(abort_now));
		if (f->key.proto == FLOW_SPLICE && f->splice.host >= 0)
			setsockopt(f->splice.host, SOL_SOCKET, SO_LINGER,
				   &abort_now, sizeof(abort_now));
		flow_remove(c, f);
	}
}
