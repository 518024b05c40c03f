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
		 "\"proto\":\"udp\",\"guest_addr\":\"" H_GUEST_ADDR "\","
		 "\"guest_port\":40001,\"remote_addr\":\"203.0.113.7\","
		 "\"remote_port\":53,\"state\":\"unanswered\",\"pkts_out\":2,"
		 "\"bytes_out\":60,\"pkts_in\":0,\"bytes_in\":0,\"age_ms\":1500,"
		 "\"expires_ms\":30000}]}", flow_index(&h.c.flows, f));
	CHECK_STR(ask("{\"command\":\"flows\"}"), want);
	f->pkts_in = 1;
	CHECK(strstr(ask("{\"command\":\"flows\"}"), "\"answered\"") != NULL);
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
	RUN(ctl_bad_requests_get_errors);
	RUN(ctl_socket_streams_long_listing);
	harness_fini(&h);
	return unit_done();
}
