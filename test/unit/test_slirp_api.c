// SPDX-License-Identifier: GPL-2.0-or-later
/* test_slirp_api.c - slirp4netns's API socket: replies in slirp4netns's
 * form to requests that need no socket (listing, and every refusal); the
 * forwards themselves are tested in test/slirp4netns.bats, in namespaces */
#include <stdio.h>
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
 * api_refusals() - Each bad request gets slirp4netns 1.2's error reply,
 * byte for byte, and nothing is added
 */
static void api_refusals(void)
{
	static const struct {
		const char *req;
		const char *desc;
	} bad[] = {
		{ "{", "cannot parse JSON" },
		{ "not json", "cannot parse JSON" },
		{ "[1,2]", "json_object() failed" },
		{ " \"add_hostfwd\" ", "json_object() failed" },
		{ "{}", "no execute found" },
		{ "{\"execute\":42}", "no execute found" },
		{ "{\"execute\":\"reboot\"}", "unknown execute" },
		{ "{\"execute\":\"list_hostfwd_and_then_some_more_text\"}",
		  "unknown execute" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"sctp\","
		  "\"host_port\":1,\"guest_port\":1}}",
		  "add_hostfwd: bad arguments.proto" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{"
		  "\"host_port\":1,\"guest_port\":1}}",
		  "add_hostfwd: bad arguments.proto" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_addr\":\"nowhere\",\"host_port\":8080,\"guest_port\":80}}",
		  "add_hostfwd: bad arguments.host_addr" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_addr\":\"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2551\","
		  "\"host_port\":8080,\"guest_port\":80}}",
		  "add_hostfwd: bad arguments.host_addr" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":0,\"guest_port\":80}}",
		  "add_hostfwd: bad arguments.host_port" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":70000,\"guest_port\":0}}",
		  "add_hostfwd: bad arguments.host_port" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":8080,\"guest_addr\":\"192.0.2.9\","
		  "\"guest_port\":0}}", "add_hostfwd: bad arguments.guest_addr" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":8080,\"guest_addr\":\"x\",\"guest_port\":80}}",
		  "add_hostfwd: bad arguments.guest_addr" },
		{ "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
		  "\"host_port\":8080}}", "add_hostfwd: bad arguments.guest_port" },
		{ "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}",
		  "remove_hostfwd: bad arguments.id" },
		{ "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":\"1\"}}",
		  "remove_hostfwd: bad arguments.id" },
		{ "{\"execute\":\"remove_hostfwd\"}",
		  "remove_hostfwd: bad arguments.id" },
	};
	char want[256];
	size_t i;

	harness_reset(&h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "{\"error\":{\"desc\":\"bad request: %s\"}}",
			 bad[i].desc);
		CHECK_STR(api(bad[i].req), want);
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
