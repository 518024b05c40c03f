// SPDX-License-Identifier: GPL-2.0-or-later
/* test_icmp_raw.c - Echo identifiers on the wire for the raw ICMP fallback:
 * one per flow and family, skipped while held, free again once a flow ends
 *
 * No raw socket is opened: the identifier table is set up as
 * icmp_raw_setup() does once it has one, and only flows are created.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "harness.h"
#include "icmp_raw.h"
#include "inany.h"
#include "merd.h"
#include "unit.h"

static struct harness h;

/**
 * echo_key() - Key of an echo flow from the guest
 * @v6:		IPv6 flow
 * @remote:	Last byte of the remote address
 * @guest_id:	The guest's echo identifier
 *
 * Return: the key, padding zeroed
 */
static struct flow_key echo_key(bool v6, uint8_t remote, uint16_t guest_id)
{
	struct flow_key k = { .proto = FLOW_ICMP, .guest_port = guest_id };
	struct in_addr g = { h_addr(H_GUEST_ADDR) }, r;

	if (v6) {
		inet_pton(AF_INET6, "2001:db8:1::10", &k.guest_addr);
		inet_pton(AF_INET6, "2001:db8:2::", &k.remote_addr);
		k.remote_addr.s6_addr[15] = remote;
	} else {
		r.s_addr = htonl(0xcb007100 | remote);	/* 203.0.113.x */
		inany_from_v4(&k.guest_addr, g);
		inany_from_v4(&k.remote_addr, r);
	}
	return k;
}

/**
 * raw_reset() - Empty flow table, raw fallback on, identifiers from @next
 * @next:	First identifier tried
 */
static void raw_reset(uint16_t next)
{
	harness_reset(&h);
	memset(h.c.raw.icmp_ids, 0xff,
	       sizeof(*h.c.raw.icmp_ids) * 2 * RAW_ID_SPACE);
	h.c.raw.icmp[0] = h.c.raw.icmp[1] = ICMP_ECHO_RAW;
	h.c.raw.icmp_next_id = next;
}

/**
 * same_guest_id_two_wire_ids() - One guest identifier toward two peers
 * makes two flows with two identifiers, wrapping around at 65535
 */
static void same_guest_id_two_wire_ids(void)
{
	struct flow_key a = echo_key(false, 2, 4242), b = echo_key(false, 3, 4242);
	struct flow *fa, *fb;

	raw_reset(65535);
	fa = icmp_raw_flow_open(&h.c, &a);
	fb = icmp_raw_flow_open(&h.c, &b);
	CHECK(fa && fb);
	if (!fa || !fb)
		return;
	CHECK_EQ(fa->raw_id, 65535);
	CHECK_EQ(fb->raw_id, 0);
	CHECK_EQ(fa->sock, -1);
	CHECK(flow_lookup(&h.c.flows, &a) == fa);
	CHECK(flow_lookup(&h.c.flows, &b) == fb);
}

/**
 * held_ids_skipped_freed_ids_reused() - A live flow's identifier is not
 * given twice; an ended flow's is given again without any clean-up
 */
static void held_ids_skipped_freed_ids_reused(void)
{
	struct flow_key a = echo_key(false, 2, 1), b = echo_key(false, 3, 1);
	struct flow_key c = echo_key(false, 4, 1);
	struct flow *fa, *fb, *fc;

	raw_reset(100);
	fa = icmp_raw_flow_open(&h.c, &a);
	CHECK(fa != NULL);
	if (!fa)
		return;
	h.c.raw.icmp_next_id = 100;		/* aim at the held one */
	fb = icmp_raw_flow_open(&h.c, &b);
	CHECK(fb != NULL);
	if (!fb)
		return;
	CHECK_EQ(fa->raw_id, 100);
	CHECK_EQ(fb->raw_id, 101);
	flow_remove(&h.c, fa);
	h.c.raw.icmp_next_id = 100;
	fc = icmp_raw_flow_open(&h.c, &c);
	CHECK(fc != NULL);
	if (fc)
		CHECK_EQ(fc->raw_id, 100);
}

/**
 * families_have_their_own_ids() - IPv4 and IPv6 flows may hold the same
 * identifier: they leave on different sockets
 */
static void families_have_their_own_ids(void)
{
	struct flow_key a = echo_key(false, 2, 7), b = echo_key(true, 2, 7);
	struct flow *fa, *fb;

	raw_reset(500);
	fa = icmp_raw_flow_open(&h.c, &a);
	h.c.raw.icmp_next_id = 500;
	fb = icmp_raw_flow_open(&h.c, &b);
	CHECK(fa && fb);
	if (fa && fb) {
		CHECK_EQ(fa->raw_id, 500);
		CHECK_EQ(fb->raw_id, 500);
	}
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	if (harness_init(&h, 64)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	h.c.raw.icmp_ids = malloc(sizeof(*h.c.raw.icmp_ids) * 2 * RAW_ID_SPACE);
	if (!h.c.raw.icmp_ids) {
		printf("Bail out! no memory\n");
		return 1;
	}
	RUN(same_guest_id_two_wire_ids);
	RUN(held_ids_skipped_freed_ids_reused);
	RUN(families_have_their_own_ids);
	free(h.c.raw.icmp_ids);
	h.c.raw.icmp_ids = NULL;
	harness_fini(&h);
	return unit_done();
}
