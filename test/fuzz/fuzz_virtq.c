// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_virtq.c - libFuzzer target: the split virtqueue walker (virtq.c)
 * and guest memory translation (vmem.c) on arbitrary rings
 *
 * Guest memory is one memfd region of REGION bytes at guest address GPA.
 * An input is: byte 0, the queue size (1 << (b % 9): 1 to 256); byte 1,
 * flags (bit 0: event index, bit 1: the queue is a receive queue, whose
 * buffers must be device-writable); then the descriptor table, the
 * available ring and the used ring, copied to RINGS in guest memory in
 * that order (what the input does not cover stays zero). Every available
 * chain is then popped and walked as vhost_user.c does, until the ring is
 * empty or found bad. Each buffer handed out must lie inside the region
 * (checked here: abort() otherwise), and is read whole (or written, for a
 * receive queue).
 *
 * Seed: corpus/virtq/two_chains (a transmit queue of 4 with chains 0->1
 * and 2, both inside the region).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "virtq.h"
#include "vmem.h"

#define GPA		0x10000ULL
#define UVA		0x7f0000000000ULL
#define REGION		0x10000UL
#define RINGS		0x8000UL		/* ring offset in the region */

static struct vmem mem;
static uint8_t *host;

/**
 * LLVMFuzzerInitialize() - Map the guest memory region once
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0; exits if the memfd cannot be made
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vmem_desc d = { .gpa = GPA, .size = REGION, .uva = UVA };
	int fd = memfd_create("fuzz_virtq", MFD_CLOEXEC);

	(void)argc;
	(void)argv;
	if (fd < 0 || ftruncate(fd, REGION) || vmem_map(&mem, &d, &fd, 1))
		exit(1);
	close(fd);
	host = mem.r[0].host;
	return 0;
}

/**
 * fuzz_buf() - Touch one buffer handed out, after checking where it lies
 * @b:		Buffer
 * @rx:		Receive queue: write it; otherwise read it
 */
static void fuzz_buf(const struct virtq_buf *b, int rx)
{
	static uint8_t sink[REGION];

	if (!b->len)
		return;
	if (b->p < host || b->p > host + REGION ||
	    b->len > (size_t)(host + REGION - b->p))
		abort();
	if (rx)
		memset(b->p, 0xa5, b->len);
	else
		memcpy(sink, b->p, b->len);
}

/**
 * LLVMFuzzerTestOneInput() - Walk every chain the input's rings hold
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtq vq;
	const char *why = NULL;
	unsigned int n;
	int rx;

	if (size < 2)
		return 0;
	memset(host, 0, REGION);
	virtq_reset(&vq);
	vq.num = 1U << (data[0] % 9);
	vq.event_idx = data[1] & 1;
	rx = !!(data[1] & 2);
	vq.desc_uva = UVA + RINGS;
	vq.avail_uva = vq.desc_uva + 16ULL * vq.num;
	vq.used_uva = (vq.avail_uva + 6 + 2ULL * vq.num + 3) & ~3ULL;
	vq.addr_set = vq.started = vq.enabled = true;
	memcpy(host + RINGS, data + 2, size - 2 < REGION - RINGS ?
					 size - 2 : REGION - RINGS);
	if (virtq_resolve(&vq, &mem, &why))
		abort();			/* the layout above always fits */
	for (n = 0; n <= vq.num; n++) {
		struct virtq_iter it;
		struct virtq_buf b;
		uint32_t len = 0;
		uint16_t head;
		int rc = virtq_pop(&vq, &head, &why);

		if (rc)
			break;
		virtq_iter_start(&it, &vq, &mem, head);
		while ((rc = virtq_next(&it, &b, &why)) > 0) {
			fuzz_buf(&b, rx && b.write);
			len += b.len;
		}
		if (rc < 0)
			break;
		virtq_used_add(&vq, head, rx ? len : 0);
	}
	virtq_publish(&vq);
	(void)virtq_needs_interrupt(&vq);
	virtq_avail_event(&vq);
	return 0;
}
