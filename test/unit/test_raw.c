// SPDX-License-Identifier: GPL-2.0-or-later
/* test_raw.c - --raw passthrough, guest side: a packet of a listed
 * protocol makes or refreshes one flow per remote address and protocol;
 * other protocols, and a family without a socket, are dropped and counted
 *
 * The protocol's "raw socket" here is one end of a UNIX datagram socket
 * pair: sending to an IP address on it fails (counted), so nothing leaves
 * the process, and the flow bookkeeping is what is checked.
 */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "harness.h"
#include "inany.h"
#include "merd.h"
#include "unit.h"

#define PROTO_GRE	47

static struct harness h;
static int pair[2] = { -1, -1 };

/**
 * raw_frame() - Send a guest IPv4 packet of @proto to @dst
 * @proto:	IP protocol
 * @dst:	Destination address
 */
static void raw_frame(uint8_t proto, const char *dst)
{
	uint8_t f[14 + 20 + 16];

	h_eth(f, h_our_mac, h_guest_mac, ETHERTYPE_IP);
	h_ip4(f + 14, H_GUEST_ADDR, dst, proto, 16);
	memset(f + 34, 0x47, 16);
	CHECK_EQ(harness_send(&h, f, sizeof(f)), 0);
}

/**
 * raw_key() - Key of the flow toward @dst for @proto
 * @proto:	IP protocol
 * @dst:	Remote address
 *
 * Return: the key, padding zeroed
 */
static struct flow_key raw_key(uint8_t proto, const char *dst)
{
	struct flow_key k = { .proto = FLOW_RAW, .remote_port = proto };
	struct in_addr g = { h_addr(H_GUEST_ADDR) }, r = { h_addr(dst) };

	inany_from_v4(&k.guest_addr, g);
	inany_from_v4(&k.remote_addr, r);
	return k;
}

/**
 * raw_reset() - Empty table; GRE passed through on IPv4 only
 */
static void raw_reset(void)
{
	harness_reset(&h);
	h.c.raw.n_proto = 1;
	h.c.raw.proto[0].proto = PROTO_GRE;
	h.c.raw.proto[0].fd[0] = pair[0];
	h.c.raw.proto[0].fd[1] = -1;
}

/**
 * one_flow_per_remote() - Packets to one remote share a flow; another
 * remote gets its own; each counts its packets
 */
static void one_flow_per_remote(void)
{
	struct flow_key a = raw_key(PROTO_GRE, "203.0.113.2");
	struct flow_key b = raw_key(PROTO_GRE, "203.0.113.3");
	const struct flow *fa, *fb;

	raw_reset();
	raw_frame(PROTO_GRE, "203.0.113.2");
	raw_frame(PROTO_GRE, "203.0.113.2");
	raw_frame(PROTO_GRE, "203.0.113.3");
	CHECK_EQ(h.c.counters[CNT_flows_created], 2);
	CHECK_EQ(h.c.counters[CNT_drop_l4_proto], 0);
	fa = flow_lookup(&h.c.flows, &a);
	fb = flow_lookup(&h.c.flows, &b);
	CHECK(fa && fb && fa != fb);
	if (fa && fb) {
		CHECK_EQ(fa->pkts_out, 2);
		CHECK_EQ(fa->bytes_out, 32);
		CHECK_EQ(fb->pkts_out, 1);
		CHECK_EQ(fa->sock, -1);
		CHECK(fa->deadline > h.c.now);
	}
	/* the "socket" refused an IP destination: counted, nothing sent */
	CHECK_EQ(h.c.counters[CNT_drop_sock_err], 3);
}

/**
 * unlisted_protocol_dropped() - A protocol not given to --raw is dropped
 * under drop_l4_proto and makes no flow
 */
static void unlisted_protocol_dropped(void)
{
	raw_reset();
	raw_frame(50, "203.0.113.2");		/* ESP */
	CHECK_EQ(h.c.counters[CNT_drop_l4_proto], 1);
	CHECK_EQ(h.c.counters[CNT_flows_created], 0);
	CHECK_EQ(h.c.flows.n_active, 0);
}

/**
 * no_raw_no_flow() - Without --raw, GRE is dropped as before
 */
static void no_raw_no_flow(void)
{
	harness_reset(&h);
	h.c.raw.n_proto = 0;
	raw_frame(PROTO_GRE, "203.0.113.2");
	CHECK_EQ(h.c.counters[CNT_drop_l4_proto], 1);
	CHECK_EQ(h.c.flows.n_active, 0);
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	if (harness_init(&h, 64) ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair)) {
		printf("Bail out! set-up failed\n");
		return 1;
	}
	RUN(one_flow_per_remote);
	RUN(unlisted_protocol_dropped);
	RUN(no_raw_no_flow);
	h.c.raw.n_proto = 0;
	close(pair[0]);
	close(pair[1]);
	harness_fini(&h);
	return unit_done();
}
