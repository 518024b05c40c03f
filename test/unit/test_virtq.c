// SPDX-License-Identifier: GPL-2.0-or-later
/* test_virtq.c - Guest memory translation (vmem.c) and split virtqueue
 * walking (virtq.c): every range checked whole, every index and chain
 * bounded, the event index honoured
 */
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unit.h"
#include "virtq.h"
#include "vmem.h"

#define GPA	0x10000ULL		/* guest address of the region */
#define UVA	0x7f0000000000ULL	/* "qemu's" address of it */
#define SIZE	(1UL << 20)
#define NUM	8
#define DESC	0x1000			/* ring offsets in the region */
#define AVAIL	0x2000
#define USED	0x3000

static struct vmem mem;
static uint8_t *host;			/* the region, as mapped by vmem */

/**
 * setup_mem() - Map one region of a fresh memfd through vmem_map()
 *
 * Return: 0, -1 on failure
 */
static int setup_mem(void)
{
	struct vmem_desc d = { .gpa = GPA, .size = SIZE, .uva = UVA };
	int fd = memfd_create("test_virtq", MFD_CLOEXEC), rc;

	if (fd < 0 || ftruncate(fd, SIZE))
		return -1;
	rc = vmem_map(&mem, &d, &fd, 1);
	close(fd);
	host = rc ? NULL : mem.r[0].host;
	return rc;
}

/**
 * setup_vq() - A started queue of NUM entries in the region
 * @vq:		Queue to set up
 */
static void setup_vq(struct virtq *vq)
{
	const char *why = NULL;

	memset(host, 0, 0x4000);
	virtq_reset(vq);
	vq->num = NUM;
	vq->desc_uva = UVA + DESC;
	vq->avail_uva = UVA + AVAIL;
	vq->used_uva = UVA + USED;
	vq->addr_set = true;
	vq->started = vq->enabled = true;
	CHECK_EQ(virtq_resolve(vq, &mem, &why), 0);
}

/**
 * desc_at() - Descriptor I of the test queue
 * @i:		Index
 *
 * Return: pointer into the region
 */
static struct vring_desc *desc_at(unsigned int i)
{
	return (struct vring_desc *)(host + DESC) + i;
}

/**
 * make_avail() - Post chain HEAD as available entry IDX, index IDX + 1
 * @idx:	Available ring position
 * @head:	Head descriptor
 */
static void make_avail(uint16_t idx, uint16_t head)
{
	struct vring_avail *a = (struct vring_avail *)(host + AVAIL);

	a->ring[idx % NUM] = head;
	a->idx = (uint16_t)(idx + 1);
}

/**
 * gpa_ranges_checked_whole() - Guest addresses become pointers only when
 * the whole range lies in the region, overflow included
 */
static void gpa_ranges_checked_whole(void)
{
	CHECK(vmem_gpa(&mem, GPA, 1) == host);
	CHECK(vmem_gpa(&mem, GPA + SIZE - 1, 1) == host + SIZE - 1);
	CHECK(vmem_gpa(&mem, GPA, SIZE) == host);
	CHECK(vmem_gpa(&mem, GPA + SIZE, 1) == NULL);
	CHECK(vmem_gpa(&mem, GPA + SIZE - 16, 17) == NULL);
	CHECK(vmem_gpa(&mem, GPA - 1, 2) == NULL);
	CHECK(vmem_gpa(&mem, 0, 1) == NULL);
	CHECK(vmem_gpa(&mem, GPA + 16, UINT64_MAX) == NULL);
	CHECK(vmem_gpa(&mem, UINT64_MAX - 8, 16) == NULL);
	CHECK(vmem_uva(&mem, UVA + 4, 4) == host + 4);
	CHECK(vmem_uva(&mem, GPA + 4, 4) == NULL);
}

/**
 * bad_tables_refused() - Regions beyond their file, overlapping, empty
 * or wrapping are refused; a good one maps and unmaps
 */
static void bad_tables_refused(void)
{
	struct vmem m2 = { 0 };
	struct vmem_desc d[2] = {
		{ .gpa = 0, .size = 2 * SIZE, .uva = UVA },
		{ .gpa = 0x1000, .size = 0x1000, .uva = UVA },
	};
	int fd = memfd_create("test_virtq2", MFD_CLOEXEC), fds[2] = { fd, fd };

	CHECK(fd >= 0 && !ftruncate(fd, SIZE));
	CHECK(vmem_map(&m2, d, fds, 1) < 0);		/* beyond its file */
	d[0].size = SIZE;
	CHECK(vmem_map(&m2, d, fds, 2) < 0);		/* overlapping */
	d[0].size = 0;
	CHECK(vmem_map(&m2, d, fds, 1) < 0);		/* empty */
	d[0].size = SIZE;
	d[0].offset = UINT64_MAX - 4;
	CHECK(vmem_map(&m2, d, fds, 1) < 0);		/* offset wraps */
	d[0].offset = 0;
	d[0].gpa = UINT64_MAX - 0x1000;
	CHECK(vmem_map(&m2, d, fds, 1) < 0);		/* address wraps */
	CHECK_EQ(m2.n, 0);
	d[0].gpa = 0;
	CHECK_EQ(vmem_map(&m2, d, fds, 1), 0);
	CHECK_EQ(m2.n, 1);
	vmem_unmap(&m2);
	CHECK_EQ(m2.n, 0);
	close(fd);
}

/**
 * sizes_and_rings_checked() - Queue sizes are powers of two up to 32768;
 * rings outside memory or misaligned are refused
 */
static void sizes_and_rings_checked(void)
{
	struct virtq vq;
	const char *why = NULL;

	CHECK(virtq_size_valid(1) && virtq_size_valid(256));
	CHECK(virtq_size_valid(32768));
	CHECK(!virtq_size_valid(0) && !virtq_size_valid(1000));
	CHECK(!virtq_size_valid(65536));
	setup_vq(&vq);
	vq.used_uva = UVA + SIZE - 8;		/* used ring runs off the end */
	CHECK_EQ(virtq_resolve(&vq, &mem, &why), -EINVAL);
	CHECK_STR(why, "ring outside guest memory");
	vq.used_uva = UVA + USED;
	vq.desc_uva = UVA + DESC + 8;
	CHECK_EQ(virtq_resolve(&vq, &mem, &why), -EINVAL);
	CHECK_STR(why, "misaligned ring");
}

/**
 * chain_walked_in_bounds() - A two-descriptor chain is walked to its end,
 * each buffer where the guest put it, and returned used
 */
static void chain_walked_in_bounds(void)
{
	struct virtq vq;
	struct virtq_iter it;
	struct virtq_buf b;
	const char *why = NULL;
	uint16_t head = 99;

	setup_vq(&vq);
	*desc_at(2) = (struct vring_desc){ .addr = GPA + 0x8000, .len = 12,
					   .flags = VRING_DESC_F_NEXT, .next = 5 };
	*desc_at(5) = (struct vring_desc){ .addr = GPA + 0x9000, .len = 100,
					   .flags = VRING_DESC_F_WRITE };
	CHECK_EQ(virtq_pop(&vq, &head, &why), -EAGAIN);
	make_avail(0, 2);
	CHECK_EQ(virtq_pop(&vq, &head, &why), 0);
	CHECK_EQ(head, 2);
	virtq_iter_start(&it, &vq, &mem, head);
	CHECK_EQ(virtq_next(&it, &b, &why), 1);
	CHECK(b.p == host + 0x8000 && b.len == 12 && !b.write);
	CHECK_EQ(virtq_next(&it, &b, &why), 1);
	CHECK(b.p == host + 0x9000 && b.len == 100 && b.write);
	CHECK_EQ(virtq_next(&it, &b, &why), 0);
	virtq_used_add(&vq, head, 100);
	virtq_publish(&vq);
	CHECK_EQ(((struct vring_used *)(host + USED))->idx, 1);
	CHECK_EQ(((struct vring_used *)(host + USED))->ring[0].id, 2);
	CHECK_EQ(((struct vring_used *)(host + USED))->ring[0].len, 100);
}

/**
 * walk_error() - Pop and walk the chain posted as entry 0
 * @head:	Head to post
 *
 * Return: the reason the walk or pop failed, NULL if it did not
 */
static const char *walk_error(uint16_t head)
{
	static struct virtq vq;
	struct virtq_iter it;
	struct virtq_buf b;
	const char *why = NULL;
	uint16_t h;
	int rc;

	virtq_reset(&vq);
	vq.num = NUM;
	vq.desc_uva = UVA + DESC;
	vq.avail_uva = UVA + AVAIL;
	vq.used_uva = UVA + USED;
	vq.addr_set = true;
	if (virtq_resolve(&vq, &mem, &why))
		return why;
	make_avail(0, head);
	if (virtq_pop(&vq, &h, &why))
		return why;
	virtq_iter_start(&it, &vq, &mem, h);
	while ((rc = virtq_next(&it, &b, &why)) > 0)
		;
	return rc ? why : NULL;
}

/**
 * bad_chains_reported() - Each kind of bad chain is reported with its
 * reason, never walked past
 */
static void bad_chains_reported(void)
{
	struct virtq vq;
	unsigned int i;

	setup_vq(&vq);
	*desc_at(0) = (struct vring_desc){ .addr = GPA + SIZE, .len = 4 };
	CHECK_STR(walk_error(0), "descriptor buffer outside guest memory");
	*desc_at(0) = (struct vring_desc){ .addr = GPA + SIZE - 4, .len = 8 };
	CHECK_STR(walk_error(0), "descriptor buffer outside guest memory");
	*desc_at(0) = (struct vring_desc){ .addr = UINT64_MAX - 2, .len = 8 };
	CHECK_STR(walk_error(0), "descriptor buffer outside guest memory");
	CHECK_STR(walk_error(NUM), "available head index out of range");
	*desc_at(0) = (struct vring_desc){ .addr = GPA, .len = 4,
					   .flags = VRING_DESC_F_NEXT,
					   .next = NUM };
	CHECK_STR(walk_error(0), "next descriptor index out of range");
	for (i = 0; i < NUM; i++)
		*desc_at(i) = (struct vring_desc){
			.addr = GPA, .len = 4, .flags = VRING_DESC_F_NEXT,
			.next = (uint16_t)((i + 1) % NUM) };
	CHECK_STR(walk_error(3), "descriptor chain longer than the queue (a loop)");
	*desc_at(0) = (struct vring_desc){ .addr = GPA, .len = 16,
					   .flags = VRING_DESC_F_INDIRECT };
	CHECK_STR(walk_error(0), "indirect descriptor (not negotiated)");
	*desc_at(0) = (struct vring_desc){ .addr = GPA, .len = 16 };
	CHECK(walk_error(0) == NULL);
}

/**
 * avail_index_jump_refused() - An available index more than the queue
 * size ahead is refused
 */
static void avail_index_jump_refused(void)
{
	struct virtq vq;
	const char *why = NULL;
	uint16_t h;

	setup_vq(&vq);
	((struct vring_avail *)(host + AVAIL))->idx = NUM + 1;
	CHECK_EQ(virtq_pop(&vq, &h, &why), -EINVAL);
	CHECK_STR(why, "available index ahead by more than the queue size");
}

/**
 * interrupts_as_the_guest_asks() - The no-interrupt flag and the event
 * index are honoured; avail_event asks for the next kick
 */
static void interrupts_as_the_guest_asks(void)
{
	struct vring_avail *a = (struct vring_avail *)(host + AVAIL);
	struct virtq vq;

	setup_vq(&vq);
	CHECK(!virtq_needs_interrupt(&vq));		/* nothing used */
	virtq_used_add(&vq, 0, 0);
	virtq_publish(&vq);
	a->flags = VRING_AVAIL_F_NO_INTERRUPT;
	CHECK(!virtq_needs_interrupt(&vq));
	virtq_used_add(&vq, 0, 0);
	a->flags = 0;
	CHECK(virtq_needs_interrupt(&vq));
	/* event index: interrupt once used passes used_event */
	setup_vq(&vq);
	vq.event_idx = true;
	a->ring[NUM] = 1;				/* used_event */
	virtq_used_add(&vq, 0, 0);			/* used 1 */
	CHECK(!virtq_needs_interrupt(&vq));
	virtq_used_add(&vq, 0, 0);			/* used 2: passes 1 */
	CHECK(virtq_needs_interrupt(&vq));
	virtq_used_add(&vq, 0, 0);
	CHECK(!virtq_needs_interrupt(&vq));
	/* and we ask for a kick at our next available entry */
	vq.last_avail = 5;
	virtq_avail_event(&vq);
	CHECK_EQ(*(uint16_t *)&((struct vring_used *)(host + USED))->ring[NUM], 5);
}

/**
 * pop_notify_asks_for_kick() - With nothing available, the guest is asked
 * to kick at the next entry; an entry then made available is taken
 */
static void pop_notify_asks_for_kick(void)
{
	struct virtq vq;
	const char *why = NULL;
	uint16_t head = 99;

	setup_vq(&vq);
	vq.event_idx = true;
	*desc_at(3) = (struct vring_desc){ .addr = GPA + 0x8000, .len = 64,
					   .flags = VRING_DESC_F_WRITE };
	CHECK_EQ(virtq_pop_notify(&vq, &head, &why), -EAGAIN);
	CHECK_EQ(*(uint16_t *)&((struct vring_used *)(host + USED))->ring[NUM], 0);
	make_avail(0, 3);
	CHECK_EQ(virtq_pop_notify(&vq, &head, &why), 0);
	CHECK_EQ(head, 3);
	CHECK_EQ(virtq_pop_notify(&vq, &head, &why), -EAGAIN);
	CHECK_EQ(*(uint16_t *)&((struct vring_used *)(host + USED))->ring[NUM], 1);
}

/**
 * main() - Map the region, run every test
 *
 * Return: 0 if every test passed, 1 otherwise
 */
int main(void)
{
	if (setup_mem()) {
		printf("Bail out! cannot map a memfd\n");
		return 1;
	}
	RUN(gpa_ranges_checked_whole);
	RUN(bad_tables_refused);
	RUN(sizes_and_rings_checked);
	RUN(chain_walked_in_bounds);
	RUN(bad_chains_reported);
	RUN(avail_index_jump_refused);
	RUN(interrupts_as_the_guest_asks);
	RUN(pop_notify_asks_for_kick);
	vmem_unmap(&mem);
	return unit_done();
}
