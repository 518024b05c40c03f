// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ctl.c - libFuzzer target: arbitrary request lines for the control
 * socket, through the JSON reader and the command table
 *
 * Each line of an input is one request, answered by ctl_handle_line(); each
 * reply must be one valid JSON object (checked with the reader itself, an
 * invalid one aborts). A few flows are in the table, so listings have
 * content; forwards a request added are removed after each input.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "fuzz.h"
#include "fwd.h"
#include "inany.h"
#include "json.h"
#include "merd.h"

#define FUZZ_FLOWS	16

static char fuzz_reply[1 << 20];

/**
 * LLVMFuzzerInitialize() - Check isolation, set up context and a few flows
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct flow_key k = { .proto = FLOW_UDP, .remote_port = 53 };
	int rc, i;

	(void)argc;
	(void)argv;
	rc = fuzz_init(FUZZ_FLOWS, 0);
	for (i = 0; !rc && i < 4; i++) {
		inany_from_v4(&k.guest_addr,
			      (struct in_addr){ h_addr(H_GUEST_ADDR) });
		inany_from_v4(&k.remote_addr,
			      (struct in_addr){ h_addr(H_DNS_ADDR) });
		k.guest_port = (uint16_t)(1000 + i);
		k.proto = i == 3 ? FLOW_TCP : FLOW_UDP;
		flow_insert(&fuzz_h.c, &k);
	}
	return rc;
}

/**
 * LLVMFuzzerTestOneInput() - Answer each line of one input
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	size_t len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (line <= CTL_REQ_MAX &&
		    (ctl_handle_line(&fuzz_h.c, p, line, fuzz_reply,
				     sizeof(fuzz_reply), &len) ||
		     len < 3 || fuzz_reply[0] != '{' ||
		     fuzz_reply[len - 1] != '\n' ||
		     json_parse(fuzz_reply, len - 1, NULL, NULL, NULL)))
			abort();	/* every request gets a valid reply */
		p += line + 1;
	}
	fwd_runtime_remove(&fuzz_h.c, IPPROTO_TCP, "1-65535");
	fwd_runtime_remove(&fuzz_h.c, IPPROTO_UDP, "1-65535");
	return 0;
}
