// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ctl.c - The control socket: replies to each command, errors for bad
 * requests, and a listing larger than the reply buffer streamed whole to a
 * client that reads slowly, through a real socket and the event loop's
 * dispatch */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "flow.h"
#include "harness.h"
#include "inany.h"
#include "json.h"
#include "merd.h"
#include "unit.h"

#define FLOWS		4096
#define MANY		3000	/* flows listed: several reply buffers */

static struct harness h;
static char reply[1 << 20];

/**
 * ask() - Run one request line through ctl_handle_line()
 * @req:	Request, without newline
 *
 * Return: the reply, newline stripped, in a static buffer ("" on -ENOSPC)
 */
static const char *ask(const char *req)
{
	size_t len = 0;

	if (ctl_handle_line(&h.c, req, strlen(req), reply, sizeof(reply),
			    &len))
		return "";
	reply[len - 1] = '\0';
	return reply;
}

/**
 * udp_flow() - Insert UDP flow number @n with some traffic counted
 * @n:		Number: guest port 40000 + n, remote 203.0.113.7:53
 *
 * Return: the flow, or NULL
 */
static struct flow *udp_flow(unsigned int n)
{
	struct flow_key k = { .proto = FLOW_UDP };
	struct in_addr g = { h_addr(H_GUEST_ADDR) }, r = { h_addr("203.0.113.7") };
	struct flow *f;

	inany_from_v4(&k.guest_addr, g);
	inany_from_v4(&k.remote_addr, r);
	k.guest_port = (uint16_t)(40000 + n);
	k.remote_port = 53;
	f = flow_insert(&h.c, &k);
	if (f) {
		f->pkts_out = 2;
		f->bytes_out = 60;
		f->deadline = h.c.now + 30000;
	}
	return f;
}

/**
 * ctl_version_and_counters() - version and counters answer in full
 */
static void ctl_version_and_counters(void)
{
	harness_reset(&h);
	CHECK_STR(ask("{\"command\":\"version\"}"),
		  "{\"ok\":true,\"version\":\"" MERD_VERSION "\"}");
	h.c.counters[CNT_drop_flow_full] = 5;
	ask("{ \"command\" : \"counters\" }");
	CHECK(!strncmp(reply, "{\"ok\":true,\"counters\":{\"frames_in\":", 35));
	CHECK(strstr(reply, ",\"drop_flow_full\":5,") != NULL);
	CHECK(strstr(reply, ",\"flows_active\":0,\"flows_max\":4096}}") != NULL);
	CHECK_EQ(json_parse(reply, strlen(reply), NULL, NULL, NULL), 0);
}

/**
 * ctl_flows_lists_each_flow() - One object per flow with its counters
 */
static void ctl_flows_lists_each_flow(void)
{
	struct flow *f;
	char want[512];

	harness_reset(&h);
	CHECK_STR(ask("{\"command\":\"flows\"}"), "{\"ok\":true,\"flows\":[]}");
	f = udp_flow(1);
	CHECK(f != NULL);
	if (!f)
		return;
	f->created = h.c.now - 1500;
	snprintf(want, sizeof(want), "{\"ok\":true,\"flows\":[{\"id\":%u,"
		 "\"proto\":\"udp\",\"protonum\":17,\"path\":\"guest\","
		 "\"guest_addr\":\"" H_GUEST_ADDR "\","
		 "\"guest_port\":40001,\"remote_addr\":\"203.0.113.7\","
		 "\"remote_port\":53,\"state\":\"unanswered\",\"pkts_out\":2,"
		 "\"bytes_out\":60,\"pkts_in\":0,\"bytes_in\":0,\"age_ms\":1500,"
		 "\"expires_ms\":30000}]}", flow_index(&h.c.flows, f));
	CHECK_STR(ask("{\"command\":\"flows\"}"), want);
	f->pkts_in = 1;
	CHECK(strstr(ask("{\"command\":\"flows\"}"), "\"answered\"") != NULL);
}

/**
 * flow_of() - Insert a flow of some kind, with a little traffic
 * @proto:	enum flow_proto
 * @remote:	Remote address (IPv4 or IPv6)
 * @remote_port:	Remote port, or the IP protocol for FLOW_RAW
 *
 * Return: the flow, or NULL
 */
static struct flow *flow_of(uint8_t proto, const char *remote,
			    uint16_t remote_port)
{
	struct flow_key k = { .proto = proto, .guest_port = 41000,
			      .remote_port = remote_port };
	struct in_addr g = { h_addr(H_GUEST_ADDR) }, r4;
	struct flow *f;

	inany_from_v4(&k.guest_addr, g);
	if (inet_pton(AF_INET, remote, &r4) == 1)
		inany_from_v4(&k.remote_addr, r4);
	else
		inet_pton(AF_INET6, remote, &k.remote_addr);
	f = flow_insert(&h.c, &k);
	if (f) {
		f->pkts_out = f->pkts_in = 3;
		f->bytes_out = f->bytes_in = 300;
		f->sock = -1;
	}
	return f;
}

/**
 * ctl_flows_name_each_kind() - Spliced, relayed, raw and ICMP flows are
 * listed under their own protocol and path; spliced ones say they count no
 * packets, and their state is that of their TCP connection
 */
static void ctl_flows_name_each_kind(void)
{
	static const struct {
		uint8_t proto;
		const char *remote;
		uint16_t port;
		const char *want;
	} kinds[] = {
		{ FLOW_SPLICE, "127.0.0.1", 5432, "\"proto\":\"tcp\","
		  "\"protonum\":6,\"path\":\"splice\"" },
		{ FLOW_RELAY, "127.0.0.1", 5353, "\"proto\":\"udp\","
		  "\"protonum\":17,\"path\":\"relay\"" },
		{ FLOW_RAW, "203.0.113.2", 47, "\"proto\":\"raw\","
		  "\"protonum\":47,\"path\":\"raw\"" },
		{ FLOW_ICMP, "203.0.113.2", 0, "\"proto\":\"icmp\","
		  "\"protonum\":1,\"path\":\"guest\"" },
		{ FLOW_ICMP, "2001:db8:2::2", 0, "\"proto\":\"icmpv6\","
		  "\"protonum\":58,\"path\":\"guest\"" },
		{ FLOW_TCP, "203.0.113.2", 80, "\"proto\":\"tcp\","
		  "\"protonum\":6,\"path\":\"guest\"" },
	};
	struct flow *sp = NULL;
	const char *t;
	size_t i;

	harness_reset(&h);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct flow *f = flow_of(kinds[i].proto, kinds[i].remote,
					 kinds[i].port);

		CHECK(f != NULL);
		if (f && kinds[i].proto == FLOW_SPLICE) {
			f->pkts_out = f->pkts_in = 0;
			f->splice.host = -1;
			memset(f->splice.pipe, -1, sizeof(f->splice.pipe));
			sp = f;
		}
	}
	t = ask("{\"command\":\"flows\"}");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strstr(t, kinds[i].want))
			printf("# missing %s\n", kinds[i].want);
		CHECK(strstr(t, kinds[i].want) != NULL);
	}
	CHECK(strstr(t, "\"state\":\"established\",\"pkts_out\":null,"
		      "\"bytes_out\":300,\"pkts_in\":null,\"bytes_in\":300")
	      != NULL);
	CHECK(sp != NULL);
	if (sp)
		sp->splice.flags = 1 << 1;	/* the client's FIN came */
	t = ask("{\"command\":\"flows\"}");
	CHECK(strstr(t, "\"path\":\"splice\"") != NULL);
	CHECK(strstr(t, "\"state\":\"fin-guest\",\"pkts_out\":null") != NULL);
	CHECK(strstr(t, "\"icmp\"") != NULL);
	CHECK_EQ(json_parse(t, strlen(t), NULL, NULL, NULL), 0);
}

/**
 * ctl_leading_white_space() - A request may start with white space
 */
static void ctl_leading_white_space(void)
{
	harness_reset(&h);
	CHECK_STR(ask("  {\"command\":\"version\"}"),
		  "{\"ok\":true,\"version\":\"" MERD_VERSION "\"}");
	CHECK_STR(ask("\t {\"command\":\"version\"} "),
		  "{\"ok\":true,\"version\":\"" MERD_VERSION "\"}");
	CHECK_STR(ask("  flows"), "{\"ok\":false,\"error\":\"a request is "
		  "one JSON object per line\"}");
}

/**
 * ctl_bad_requests_get_errors() - Each kind of bad request, its error
 */
static void ctl_bad_requests_get_errors(void)
{
	static const struct {
		const char *req;
		const char *error;
	} bad[] = {
		{ "", "invalid JSON: unexpected end" },
		{ "flows", "a request is one JSON object per line" },
		{ "{\"command\":1", "invalid JSON: expected ',' or '}'" },
		{ "{}", "no \\\"command\\\"" },
		{ "{\"command\":\"reboot\"}", "unknown command" },
		{ "{\"command\":\"forward-add\"}",
		  "need \\\"proto\\\" (tcp or udp) and \\\"spec\\\"" },
		{ "{\"command\":\"forward-add\",\"proto\":\"tcp\",\"spec\":\"0\"}",
		  "invalid spec" },
		{ "{\"command\":\"forward-remove\",\"proto\":\"udp\","
		  "\"spec\":\"65000\"}", "no such forward" },
		{ "{\"command\":\"version\",\"a\":1,\"b\":2,\"c\":3,\"d\":4,"
		  "\"e\":5,\"f\":6,\"g\":7,\"h\":8}",
		  "too many or too long members" },
	};
	char want[256];
	size_t i;

	harness_reset(&h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"%s\"}",
			 bad[i].error);
		CHECK_STR(ask(bad[i].req), want);
	}
	CHECK_STR(ask("{\"command\":\"version\",\"a\":1,\"b\":2,\"c\":3,"
		      "\"d\":4,\"e\":5,\"f\":6,\"g\":7}"),
		  "{\"ok\":true,\"version\":\"" MERD_VERSION "\"}");
}

/**
 * pump() - Dispatch control socket events as main() would, for a while
 * @ms:		How long to wait for the first event
 *
 * Return: number of events handled
 */
static int pump(int ms)
{
	struct epoll_event ev[8];
	int n = epoll_wait(h.c.epollfd, ev, 8, ms), i;

	for (i = 0; i < n; i++) {
		uint64_t ref = ev[i].data.u64;

		if (EPOLL_REF_TYPE(ref) == EPOLL_TYPE_CTL_LISTEN)
			ctl_accept(&h.c);
		else if (EPOLL_REF_TYPE(ref) == EPOLL_TYPE_CTL)
			ctl_event(&h.c, EPOLL_REF_IDX(ref), ev[i].events);
	}
	return n < 0 ? 0 : n;
}

/**
 * count_ids() - json_parse() callback: count flows.N.id members
 * @arg:	Counter
 * @path:	Path
 * @v:		Value (unused)
 *
 * Return: 0
 */
static int count_ids(void *arg, const char *path, const struct json_val *v)
{
	const char *dot = strrchr(path, '.');

	(void)v;
	if (!strncmp(path, "flows.", 6) && dot && !strcmp(dot, ".id"))
		(*(unsigned int *)arg)++;
	return 0;
}

/**
 * ctl_socket_streams_long_listing() - MANY flows (several reply buffers)
 * reach a client that reads slowly through a small receive buffer, whole
 * and in one valid line; then the next request on the same connection
 */
static void ctl_socket_streams_long_listing(void)
{
	static const char req[] = "{\"command\":\"flows\"}\n"
				  "{\"command\":\"version\"}\n";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int i, ids = 0;
	size_t got = 0;
	int s, small = 4096, rounds;
	char *nl;

	harness_reset(&h);
	for (i = 0; i < MANY; i++)
		CHECK(udp_flow(i) != NULL);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/merd-test-ctl-%d",
		 (int)getpid());
	CHECK_EQ(ctl_open(&h.c, sa.sun_path), 0);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	CHECK_EQ(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(write(s, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	for (rounds = 0; rounds < 100000; rounds++) {
		ssize_t n;

		pump(got ? 0 : 10);
		n = read(s, reply + got, 997);	/* slowly */
		if (n > 0)
			got += (size_t)n;
		nl = memchr(reply, '\n', got);
		if (nl && memchr(nl + 1, '\n', got - (size_t)(nl + 1 - reply)))
			break;
		CHECK(got < sizeof(reply) - 997);
		if (got >= sizeof(reply) - 997)
			break;
	}
	nl = memchr(reply, '\n', got);
	CHECK(nl != NULL);
	if (nl) {
		CHECK_EQ(json_parse(reply, (size_t)(nl - reply), count_ids, &ids,
				    NULL), 0);
		CHECK_EQ(ids, MANY);
		CHECK((size_t)(nl - reply) > (size_t)CTL_OUT_BUF * 3);
		CHECK(!strncmp(nl + 1, "{\"ok\":true,\"version\":", 21));
	}
	close(s);
	pump(10);
	ctl_close(&h.c);
	unlink(sa.sun_path);
}

int main(void)
{
	if (harness_init(&h, FLOWS)) {
		printf("Bail out! harness_init failed\n");
		return 1;
	}
	RUN(ctl_version_and_counters);
	RUN(ctl_flows_lists_each_flow);
	RUN(ctl_flows_name_each_kind);
	RUN(ctl_leading_white_space);
	RUN(ctl_bad_requests_get_errors);
	RUN(ctl_socket_streams_long_listing);
	harness_fini(&h);
	return unit_done();
}
