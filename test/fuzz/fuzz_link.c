// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_link.c - libFuzzer target: arbitrary bytes on the guest's stream
 * link, through link_rx() and its framing into eth_input()
 *
 * The first two bytes of an input say where to cut the rest in two
 * writes, so frames and length words split across reads are covered.
 * Each input gets a fresh socketpair: no partial frame carries over.
 */
#include "fuzz.h"
#include "link.h"
#include "merd.h"
#include "util.h"

#define FUZZ_FLOWS	16

/**
 * LLVMFuzzerInitialize() - Check isolation, set up context and peers
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init(FUZZ_FLOWS, 1);
}

/**
 * LLVMFuzzerTestOneInput() - Write one input on the link in two parts
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx *c = &fuzz_h.c;
	size_t cut;

	if (size < 2)
		return 0;
	cut = MIN((size_t)rd16(data), size - 2);
	data += 2;
	size -= 2;
	harness_send_raw(&fuzz_h, data, cut);
	if (c->link.type != LINK_NONE)
		harness_send_raw(&fuzz_h, data + cut, size - cut);
	fuzz_pump();
	if (c->link.type != LINK_NONE)
		link_detach(c, "end of input");
	fuzz_end_input();		/* attaches a fresh link */
	return 0;
}
