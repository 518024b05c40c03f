// SPDX-License-Identifier: GPL-2.0-or-later
/* test_flow.c - The flow table: insert, lookup, remove, limits and ageing */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <sys/timerfd.h>

#include "flow.h"
#include "hash.h"
#include "harness.h"
#include "inany.h"
#include "merd.h"
#include "unit.h"
#include "util.h"

#define SMALL	16

static struct harness h;

/**
 * key_n() - A distinct UDP flow key for each number
 * @n:		Number
 *
 * Return: the key, padding zeroed
 */
static struct flow_key key_n(unsigned int n)
{
	struct flow_key k = { 0 };
	struct in_addr g = { h_addr(H_GUEST_ADDR) }, r;

	r.s_addr = htonl(0xcb007100 | (n & 0xff));	/* 203.0.113.n */
	inany_from_v4(&k.guest_addr, g);
	inany_from_v4(&k.remote_addr, r);
	k.guest_port = (uint16_t)(40000 + n);
	k.remote_port = 53;
	k.proto = FLOW_UDP;
	return k;
}

/**
 * bucket_of() - Bucket a key hashes to, as the table computes it
 * @k:		Key
 *
 * Return: bucket index
 */
static uint32_t bucket_of(const struct flow_key *k)
{
	return (uint32_t)siphash(h.c.flows.key, k, sizeof(*k)) &
	       h.c.flows.mask;
}

/**
 * flow_insert_then_lookup() - What is inserted is found, what is not is not
 */
static void flow_insert_then_lookup(void)
{
	struct flow_key k = key_n(1), other = key_n(2);
	struct flow *f;

	harness_reset(&h);
	f = flow_insert(&h.c, &k);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(flow_lookup(&h.c.flows, &k) == f);
	CHECK(flow_lookup(&h.c.flows, &other) == NULL);
	CHECK_EQ(f->sock, -1);
	CHECK_EQ(h.c.flows.n_active, 1);
	CHECK_EQ(h.c.counters[CNT_flows_created], 1);
	CHECK(flow_at(&h.c.flows, flow_index(&h.c.flows, f)) == f);
	other.proto = FLOW_TCP;		/* same tuple, other protocol */
	k.proto = FLOW_TCP;
	CHECK(flow_lookup(&h.c.flows, &k) == NULL);
}

/**
 * flow_remove_frees_entry() - A removed flow is gone, its entry free again
 */
static void flow_remove_frees_entry(void)
{
	struct flow_key k = key_n(3);
	struct flow *f;
	uint32_t idx;

	harness_reset(&h);
	f = flow_insert(&h.c, &k);
	CHECK(f != NULL);
	if (!f)
		return;
	idx = flow_index(&h.c.flows, f);
	flow_remove(&h.c, f);
	CHECK(flow_lookup(&h.c.flows, &k) == NULL);
	CHECK(flow_at(&h.c.flows, idx) == NULL);
	CHECK(flow_at(&h.c.flows, SMALL) == NULL);	/* out of range */
	CHECK_EQ(h.c.flows.n_active, 0);
}

/**
 * flow_full_table_refuses_and_counts() - SMALL answered flows fit; the
 * next is refused and counted; a removal makes room
 */
static void flow_full_table_refuses_and_counts(void)
{
	struct flow *f[SMALL];
	struct flow_key k;
	unsigned int i;

	harness_reset(&h);
	for (i = 0; i < SMALL; i++) {
		k = key_n(i);
		f[i] = flow_insert(&h.c, &k);
		CHECK(f[i] != NULL);
		if (!f[i])
			return;
		f[i]->pkts_out = f[i]->pkts_in = 1;	/* answered */
	}
	k = key_n(SMALL);
	CHECK(flow_insert(&h.c, &k) == NULL);
	CHECK(flow_insert(&h.c, &k) == NULL);
	CHECK_EQ(h.c.counters[CNT_drop_flow_full], 2);
	CHECK_EQ(h.c.counters[CNT_dropped], 2);
	CHECK_EQ(h.c.flows.n_active, SMALL);
	for (i = 0; i < SMALL; i++) {
		k = key_n(i);
		CHECK(flow_lookup(&h.c.flows, &k) == f[i]);
	}
	flow_remove(&h.c, f[5]);
	k = key_n(SMALL);
	CHECK(flow_insert(&h.c, &k) != NULL);
	CHECK(flow_lookup(&h.c.flows, &k) != NULL);
	CHECK_EQ(h.c.counters[CNT_flows_created], SMALL + 1);
}

/**
 * flow_full_table_evicts_oldest_unanswered() - In a full table, a new flow
 * takes the place of the oldest UDP flow never answered, not of answered
 * ones nor of TCP; with none left, it is refused
 */
static void flow_full_table_evicts_oldest_unanswered(void)
{
	struct flow *f[SMALL];
	struct flow_key k;
	unsigned int i;

	harness_reset(&h);
	for (i = 0; i < SMALL; i++) {
		k = key_n(i);
		if (i == 0 || i == 4)
			k.proto = FLOW_TCP;
		f[i] = flow_insert(&h.c, &k);
		CHECK(f[i] != NULL);
		if (!f[i])
			return;
		f[i]->pkts_out = 1;
		if (i < 3)
			f[i]->pkts_in = 1;	/* 0-2 answered; 3, 5... not */
	}
	k = key_n(SMALL);
	CHECK(flow_insert(&h.c, &k) != NULL);
	CHECK_EQ(h.c.counters[CNT_flows_evicted], 1);
	k = key_n(3);
	CHECK(flow_lookup(&h.c.flows, &k) == NULL);	/* the oldest went */
	f[5]->pkts_in = 1;				/* answered meanwhile */
	k = key_n(SMALL + 1);
	CHECK(flow_insert(&h.c, &k) != NULL);
	k = key_n(5);
	CHECK(flow_lookup(&h.c.flows, &k) == f[5]);
	k = key_n(6);
	CHECK(flow_lookup(&h.c.flows, &k) == NULL);	/* the next went */
	for (i = 7; i < SMALL; i++) {
		k = key_n(SMALL + i);
		CHECK(flow_insert(&h.c, &k) != NULL);
	}
	/* now only answered UDP, TCP, and the new (unanswered) ones */
	CHECK_EQ(h.c.counters[CNT_flows_evicted], SMALL - 5);
	for (i = 0; i < 6; i++) {
		k = key_n(i);
		if (i == 0 || i == 4)
			k.proto = FLOW_TCP;
		CHECK((flow_lookup(&h.c.flows, &k) != NULL) == (i != 3));
	}
	CHECK_EQ(h.c.counters[CNT_drop_flow_full], 0);
	CHECK_EQ(h.c.flows.n_active, SMALL);
}

/**
 * flow_full_udp_gets_icmp_prohibited() - With the table full of answered
 * flows, a guest's datagram of a new flow is answered with an ICMP
 * "administratively prohibited" quoting it, and counted
 */
static void flow_full_udp_gets_icmp_prohibited(void)
{
	uint8_t fr[64] = { 0 }, rep[256];
	struct flow_key k;
	unsigned int i;
	int n;

	harness_reset(&h);
	for (i = 0; i < SMALL; i++) {
		struct flow *f;

		k = key_n(i);
		f = flow_insert(&h.c, &k);
		CHECK(f != NULL);
		if (!f)
			return;
		f->pkts_out = f->pkts_in = 1;
	}
	h_eth(fr, h_our_mac, h_guest_mac, ETHERTYPE_IP);
	h_ip4(fr + 14, H_GUEST_ADDR, "203.0.113.9", IPPROTO_UDP, 12);
	wr16(fr + 34, 40999);		/* UDP: ports, length, no checksum */
	wr16(fr + 36, 53);
	wr16(fr + 38, 12);
	CHECK_EQ(harness_send(&h, fr, 14 + 20 + 12), 0);
	CHECK_EQ(h.c.counters[CNT_drop_flow_full], 1);
	CHECK_EQ(h.c.flows.n_active, SMALL);
	n = harness_recv(&h, rep, sizeof(rep));
	CHECK_EQ(n, 14 + 20 + 8 + 20 + 8);
	if (n < 14 + 20 + 8 + 20 + 8)
		return;
	CHECK_EQ(rep[23], IPPROTO_ICMP);
	CHECK_EQ(rep[34], 3);		/* destination unreachable */
	CHECK_EQ(rep[35], 13);		/* administratively prohibited */
	CHECK_EQ(rd16(rep + 42 + 20), 40999);	/* the datagram, quoted */
	CHECK_EQ(rd16(rep + 42 + 22), 53);
}

/**
 * flow_remove_middle_keeps_others() - Removing the middle of a hash chain,
 * and the middle of the active array, keeps every other flow findable
 */
static void flow_remove_middle_keeps_others(void)
{
	struct flow_key keys[SMALL * 8], k;
	uint32_t chain[SMALL * 8], n = 0, want_bucket = 0, i, found = 0;
	struct flow *f;

	harness_reset(&h);
	/* pick three keys sharing a bucket: the table's key is known to us */
	for (i = 0; i < SMALL * 8 && n < 3; i++) {
		k = key_n(i);
		if (n == 0 || bucket_of(&k) == want_bucket) {
			if (n == 0) {
				uint32_t j, same = 0;

				for (j = i + 1; j < SMALL * 8; j++) {
					struct flow_key k2 = key_n(j);

					same += bucket_of(&k2) == bucket_of(&k);
				}
				if (same < 2)
					continue;
				want_bucket = bucket_of(&k);
			}
			chain[n++] = i;
		}
	}
	CHECK_EQ(n, 3);
	if (n != 3)
		return;
	/* the chain's three, then other flows up to a full table */
	for (i = 0; i < 3; i++) {
		keys[i] = key_n(chain[i]);
		CHECK(flow_insert(&h.c, &keys[i]) != NULL);
	}
	for (i = 0; i < SMALL * 8 && n < SMALL; i++) {
		if (i == chain[0] || i == chain[1] || i == chain[2])
			continue;
		keys[n] = key_n(i);
		CHECK(flow_insert(&h.c, &keys[n]) != NULL);
		n++;
	}
	/* chains are newest first: keys[1] is in the middle of its chain */
	f = flow_lookup(&h.c.flows, &keys[1]);
	CHECK(f != NULL);
	if (f)
		flow_remove(&h.c, f);
	CHECK(flow_lookup(&h.c.flows, &keys[1]) == NULL);
	/* and one from the middle of the active array */
	f = flow_lookup(&h.c.flows, &keys[SMALL / 2]);
	CHECK(f != NULL);
	if (f)
		flow_remove(&h.c, f);
	for (i = 0; i < n; i++) {
		if (i == 1 || i == SMALL / 2)
			continue;
		f = flow_lookup(&h.c.flows, &keys[i]);
		CHECK(f != NULL);
		found += f != NULL;
	}
	CHECK_EQ(found, n - 2);
	CHECK_EQ(h.c.flows.n_active, n - 2);
	/* every active entry points back to its own place */
	for (i = 0; i < h.c.flows.n_active; i++)
		CHECK_EQ(h.c.flows.flows[h.c.flows.active[i]].active_pos, i);
}

/**
 * flow_ageing_expires_exactly_the_late() - Deadlines: flow_timer() expires
 * exactly the flows at or past theirs, and re-arms the timerfd for the next
 * one
 */
static void flow_ageing_expires_exactly_the_late(void)
{
	struct flow *f[6];
	struct itimerspec its;
	struct flow_key k;
	uint64_t t0;
	unsigned int i;

	harness_reset(&h);
	t0 = h.c.now;
	for (i = 0; i < 6; i++) {
		k = key_n(100 + i);
		f[i] = flow_insert(&h.c, &k);
		CHECK(f[i] != NULL);
		if (!f[i])
			return;
		flow_touch(&h.c, f[i], 10 * (i + 1));	/* 10 s .. 60 s */
	}
	CHECK_EQ(h.c.flows.timer_at, t0 + 10000);
	CHECK_EQ(timerfd_gettime(h.c.timerfd, &its), 0);
	CHECK(its.it_value.tv_sec || its.it_value.tv_nsec);

	/* traffic on the first two pushes them past the others */
	h.c.now = t0 + 5000;
	flow_touch(&h.c, f[0], 60);
	flow_touch(&h.c, f[1], 60);

	/* at t0 + 30 s flows 0..2 would be due, but 0 and 1 were touched:
	 * only 2 goes, at the millisecond of its deadline and not before */
	h.c.now = t0 + 30000 - 1;
	flow_timer(&h.c);
	CHECK_EQ(h.c.counters[CNT_flows_expired], 0);
	CHECK_EQ(h.c.flows.n_active, 6);
	h.c.now = t0 + 30000;
	flow_timer(&h.c);
	CHECK_EQ(h.c.counters[CNT_flows_expired], 1);
	k = key_n(101);
	CHECK(flow_lookup(&h.c.flows, &k) != NULL);	/* touched */
	k = key_n(102);
	CHECK(flow_lookup(&h.c.flows, &k) == NULL);
	k = key_n(103);
	CHECK(flow_lookup(&h.c.flows, &k) != NULL);
	CHECK_EQ(h.c.flows.n_active, 5);
	CHECK_EQ(h.c.flows.timer_at, t0 + 40000);	/* flow 3's deadline */

	/* at t0 + 65 s everything is past due; the timer is disarmed */
	h.c.now = t0 + 65000;
	flow_timer(&h.c);
	CHECK_EQ(h.c.counters[CNT_flows_expired], 6);
	CHECK_EQ(h.c.flows.n_active, 0);
	CHECK_EQ(h.c.flows.timer_at, 0);
	CHECK_EQ(timerfd_gettime(h.c.timerfd, &its), 0);
	CHECK(!its.it_value.tv_sec && !its.it_value.tv_nsec);
}

/**
 * flow_ageing_scans_are_spaced() - The timer is never armed closer than
 * FLOW_SCAN_MIN_MS after a scan
 */
static void flow_ageing_scans_are_spaced(void)
{
	struct flow_key k = key_n(200), k2 = key_n(201);
	struct flow *f, *g;

	harness_reset(&h);
	f = flow_insert(&h.c, &k);
	g = flow_insert(&h.c, &k2);
	CHECK(f && g);
	if (!f || !g)
		return;
	flow_touch(&h.c, f, 1);
	flow_touch(&h.c, g, 100);
	h.c.now += 1000;
	flow_timer(&h.c);		/* f goes */
	CHECK(flow_lookup(&h.c.flows, &k) == NULL);
	flow_set_deadline(&h.c, g, h.c.now + 1);
	CHECK_EQ(h.c.flows.timer_at, h.c.now + FLOW_SCAN_MIN_MS);
	CHECK_EQ(g->deadline, h.c.now + 1);
}

/**
 * flow_close_all_empties() - Flow_close_all() empties the table, and
 * sockets are closed
 */
static void flow_close_all_empties(void)
{
	struct flow_key k;
	unsigned int i;

	harness_reset(&h);
	for (i = 0; i < 8; i++) {
		k = key_n(i);
		CHECK(flow_insert(&h.c, &k) != NULL);
	}
	flow_close_all(&h.c);
	CHECK_EQ(h.c.flows.n_active, 0);
	for (i = 0; i < SMALL; i++) {
		k = key_n(i + 300);
		CHECK(flow_insert(&h.c, &k) != NULL);
	}
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	if (harness_init(&h, SMALL)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	RUN(flow_insert_then_lookup);
	RUN(flow_remove_frees_entry);
	RUN(flow_full_table_refuses_and_counts);
	RUN(flow_full_table_evicts_oldest_unanswered);
	RUN(flow_full_udp_gets_icmp_prohibited);
	RUN(flow_remove_middle_keeps_others);
	RUN(flow_ageing_expires_exactly_the_late);
	RUN(flow_ageing_scans_are_spaced);
	RUN(flow_close_all_empties);
	harness_fini(&h);
	return unit_done();
}
