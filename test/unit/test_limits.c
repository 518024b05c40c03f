// SPDX-License-Identifier: GPL-2.0-or-later
/* test_limits.c - The documented limits hold: memory per --max-flows entry
 * and per control client (doc/merd.1, FLOWS AND LIMITS) against the sizes
 * really allocated, and a forwarded client whose every port is taken is
 * counted as such, not as a full table */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "ctl.h"
#include "flow.h"
#include "fwd.h"
#include "harness.h"
#include "inany.h"
#include "merd.h"
#include "tcp.h"
#include "unit.h"

#define FLOWS	1024

static struct harness h;

/**
 * entry_cost() - Bytes per entry of a table of @max entries, as allocated
 * @max:	--max-flows
 *
 * The table, its buckets and its active list as flow_table_init() sizes
 * them; TCP's lists as tcp_init() sized them for the harness's table
 * (they are proportional to it).
 *
 * Return: bytes per entry, rounded up; 0 if the table cannot be allocated
 */
static size_t entry_cost(uint32_t max)
{
	static struct ctx c;
	size_t bytes, tcp = tcp_lists_bytes() / h.c.flows.max;

	if (flow_table_init(&c, max))
		return 0;
	bytes = (size_t)max * sizeof(*c.flows.flows) +
		((size_t)c.flows.mask + 1) * sizeof(*c.flows.buckets) +
		(size_t)max * sizeof(*c.flows.active);
	free(c.flows.flows);
	free(c.flows.buckets);
	free(c.flows.active);
	return (bytes + max - 1) / max + tcp;
}

/**
 * flow_entry_cost_within_documented_bound() - FLOW_ENTRY_BYTES_MAX covers
 * every table size, and is no more than the worst one needs
 */
static void flow_entry_cost_within_documented_bound(void)
{
	static const uint32_t sizes[] = { 1000, 1024, 1025, 32768, 32769,
					  65536, 65537 };
	size_t i, worst = 0;

	CHECK_EQ(tcp_lists_bytes() % h.c.flows.max, 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t cost = entry_cost(sizes[i]);

		printf("# --max-flows %u: %zu bytes per entry (struct flow %zu)\n",
		       sizes[i], cost, sizeof(struct flow));
		CHECK(cost > 0);
		CHECK(cost <= FLOW_ENTRY_BYTES_MAX);
		if (cost > worst)
			worst = cost;
	}
	/* the documented figure is the worst case, not a loose guess */
	CHECK_EQ(worst, FLOW_ENTRY_BYTES_MAX);
}

/**
 * ctl_client_within_documented_bound() - CTL_CLIENT_BYTES_MAX covers one
 * control client, within 1 KiB
 */
static void ctl_client_within_documented_bound(void)
{
	printf("# control client: %zu bytes\n", ctl_client_bytes());
	CHECK(ctl_client_bytes() <= CTL_CLIENT_BYTES_MAX);
	CHECK(ctl_client_bytes() > CTL_CLIENT_BYTES_MAX - 1024);
}

/**
 * fwd_clash_counted_apart() - A forwarded client that finds every remote
 * port it could be shown with taken is counted as drop_fwd_clash, while
 * the table has room
 */
static void fwd_clash_counted_apart(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(40000) };
	struct sockaddr_storage client = { 0 };
	struct flow_key base = { .proto = FLOW_TCP, .guest_port = 80,
				 .remote_port = 40000 };
	struct in_addr g = { h_addr(H_GUEST_ADDR) }, r = { h_addr(H_GW_ADDR) };
	struct flow *found = NULL;
	int rc = 0, n;

	harness_reset(&h);
	sin.sin_addr.s_addr = h_addr("203.0.113.9");
	memcpy(&client, &sin, sizeof(sin));
	inany_from_v4(&base.guest_addr, g);
	inany_from_v4(&base.remote_addr, r);
	for (n = 0; n < 64 && !rc; n++) {
		struct flow_key k = base;

		rc = fwd_flow_key(&h.c, &k, &client, NULL, &found);
		if (!rc)
			CHECK(flow_insert(&h.c, &k) != NULL);
	}
	printf("# %d clients placed before the clash\n", n - 1);
	CHECK_EQ(rc, -EADDRINUSE);
	CHECK(n > 16);
	CHECK(h.c.flows.n_active < FLOWS);
	CHECK_EQ(h.c.counters[CNT_drop_fwd_clash], 1);
	CHECK_EQ(h.c.counters[CNT_drop_flow_full], 0);
	CHECK_EQ(h.c.counters[CNT_dropped], 1);
}

int main(void)
{
	if (harness_init(&h, FLOWS)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	RUN(flow_entry_cost_within_documented_bound);
	RUN(ctl_client_within_documented_bound);
	RUN(fwd_clash_counted_apart);
	harness_fini(&h);
	return unit_done();
}
