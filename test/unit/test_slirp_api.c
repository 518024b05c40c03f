// SPDX-License-Identifier: GPL-2.0-or-later
/* test_slirp_api.c - slirp4netns's API socket: replies in slirp4netns's
 * form to requests that need no socket (listing, and every refusal); the
 * forwards themselves are tested in test/slirp4netns.bats, in namespaces */
#include <string.h>

#include "harness.h"
#include "merd.h"
#include "slirp_api.h"
#include "unit.h"

static struct harness h;

/**
 * api() - Answer one request through slirp_api_handle()
 * @req:	Request text
 *
 * Return: the reply, in a static buffer
 */
static const char *api(const char *req)
{
	static char out[16384];
	size_t len = slirp_api_handle(&h.c, req, strlen(req), out,
				      sizeof(out) - 1);

	out[len] = '\0';
	return out;
}

/**
 * api_list_empty() - list_hostfwd with nothing added
 */
static void api_list_empty(void)
{
	harness_reset(&h);
	CHECK_STR(api("{\"execute\":\"list_hostfwd\"}"), "{\"entries\":[]}");
	CHECK_STR(api(" {\"execute\" : \"list_hostfwd\"}\n"),
		  "{\"entries\":[]}");
}

/**
 * api_refusals() - Each bad request gets its error, nothing is added
 */
static void api_refusals(void)
{
	static const struct {
		const char *req;
		const char *desc;
	} bad[] = {
		{ "{", "invalid JSON" },
		{ "[1,2]", "unknown \\\"execute\\\"" },
		{ "{\"execute\":\"reboot\"}", "unknown \\\"execute\\\"" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"sctp\","
		  "\"host_port\":1,\"guest_port\":1}}", "proto must be tcp or udp" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":0,\"guest_port\":80}}", "must be 1 to 65535" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":70000,\"guest_port\":80}}", "must be 1 to 65535" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_addr\":\"nowhere\",\"host_port\":8080,\"guest_port\":80}}",
		  "bad host_addr" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":8080,\"guest_addr\":\"192.0.2.9\","
		  "\"guest_port\":80}}", "guest_addr must be the guest's" },
		{ "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}",
		  "no such id" },
		{ "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":\"1\"}}",
		  "no such id" },
	};
	size_t i;

	harness_reset(&h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *r = api(bad[i].req);

		CHECK(!strncmp(r, "{\"error\":{\"desc\":\"bad request: ", 31));
		CHECK(strstr(r, bad[i].desc) != NULL);
	}
	CHECK_STR(api("{\"execute\":\"list_hostfwd\"}"), "{\"entries\":[]}");
}

/**
 * main() - Run the tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	if (harness_init(&h, 64))
		return 1;
	RUN(api_list_empty);
	RUN(api_refusals);
	return unit_done();
}
