// SPDX-License-Identifier: GPL-2.0-or-later
/* virtq.c - Split virtqueues in guest memory, device side: descriptor
 * chains walked with every index and buffer checked, the used ring, and
 * interrupt and kick suppression (event index)
 *
 * The guest owns the descriptor table and the available ring, and may
 * change them at any time: each field is read once (volatile), then
 * checked, then used. An available index more than the queue size ahead,
 * a head or next index past the queue size, a chain longer than the queue
 * (a loop), an indirect descriptor (never offered) or a buffer not wholly
 * inside one region of guest memory is an error that the caller turns into
 * a stopped queue; virtq.c itself only reports it, with a reason.
 *
 * Ordering: the available index is read with acquire semantics before the
 * entries it covers; used entries are written before the used index is
 * stored with release semantics; a full barrier separates the used index
 * (or our avail_event) from reading what the guest asked for in return.
 */
#include <endian.h>
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <string.h>

#include "virtq.h"
#include "vmem.h"

/**
 * virtq_reset() - Forget a queue's set-up
 * @vq:		Queue; its file descriptors must have been closed already
 */
void virtq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
	vq->kick = vq->call = vq->err = -1;
}

/**
 * virtq_size_valid() - Check a queue size given by the frontend
 * @num:	Size
 *
 * Return: true for a power of two from 1 to VIRTQ_MAX_SIZE
 */
bool virtq_size_valid(uint64_t num)
{
	return num && num <= VIRTQ_MAX_SIZE && !(num & (num - 1));
}

/**
 * virtq_forget_rings() - Drop the pointers to the rings (memory changed,
 * or they were bad)
 * @vq:		Queue
 */
void virtq_forget_rings(struct virtq *vq)
{
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

/**
 * virtq_resolve() - Find the rings in guest memory, checked, at start
 * @vq:		Queue with size and ring addresses set
 * @mem:	Guest memory
 * @why:	Set to the reason on failure
 *
 * Each ring must lie wholly inside one region, event index fields
 * included, and be aligned as the virtio specification requires.
 *
 * Return: 0 on success, -EINVAL
 */
int virtq_resolve(struct virtq *vq, const struct vmem *mem, const char **why)
{
	uint64_t n = vq->num;

	virtq_forget_rings(vq);
	if (!virtq_size_valid(n) || !vq->addr_set) {
		*why = "size or ring addresses not set";
		return -EINVAL;
	}
	vq->desc = vmem_uva(mem, vq->desc_uva, 16 * n);
	vq->avail = vmem_uva(mem, vq->avail_uva, 6 + 2 * n);
	vq->used = vmem_uva(mem, vq->used_uva, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used) {
		*why = "ring outside guest memory";
		virtq_forget_rings(vq);
		return -EINVAL;
	}
	if ((uintptr_t)vq->desc % 16 || (uintptr_t)vq->avail % 2 ||
	    (uintptr_t)vq->used % 4) {
		*why = "misaligned ring";
		virtq_forget_rings(vq);
		return -EINVAL;
	}
	vq->used_idx = le16toh(__atomic_load_n(&vq->used->idx,
					       __ATOMIC_ACQUIRE));
	vq->signalled = vq->used_idx;
	vq->avail_shadow = vq->last_avail;
	return 0;
}

/**
 * virtq_ready() - Tell whether frames may move on a queue
 * @vq:		Queue
 *
 * Return: true if started, enabled, resolved and not broken
 */
bool virtq_ready(const struct virtq *vq)
{
	return vq->started && vq->enabled && !vq->broken && vq->desc;
}

/**
 * virtq_avail_idx() - Read the guest's available index
 * @vq:		Queue, resolved
 *
 * Return: the index, read before (acquire) the entries it covers
 */
static uint16_t virtq_avail_idx(const struct virtq *vq)
{
	return le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
}

/**
 * virtq_empty() - Tell whether the guest has made nothing more available
 * @vq:		Queue, resolved
 *
 * Return: true if no entry waits
 */
bool virtq_empty(const struct virtq *vq)
{
	return virtq_avail_idx(vq) == vq->last_avail;
}

/**
 * virtq_pop() - Take the next available descriptor chain
 * @vq:		Queue, ready
 * @head:	Set to the index of its first descriptor (< queue size)
 * @why:	Set to the reason on -EINVAL
 *
 * Return: 0, -EAGAIN if none is available, -EINVAL if the available ring
 * is bad
 */
int virtq_pop(struct virtq *vq, uint16_t *head, const char **why)
{
	const volatile uint16_t *ring = vq->avail->ring;
	uint16_t h;

	if (vq->avail_shadow == vq->last_avail) {
		uint16_t idx = virtq_avail_idx(vq);

		if ((uint16_t)(idx - vq->last_avail) > vq->num) {
			*why = "available index ahead by more than the queue "
			       "size";
			return -EINVAL;
		}
		vq->avail_shadow = idx;
		if (idx == vq->last_avail)
			return -EAGAIN;
	}
	h = le16toh(ring[vq->last_avail & (vq->num - 1)]);
	if (h >= vq->num) {
		*why = "available head index out of range";
		return -EINVAL;
	}
	vq->last_avail++;
	*head = h;
	return 0;
}

/**
 * virtq_pop_notify() - Take the next available chain; if there is none,
 * ask the guest to kick at its next one, and look once more (an entry
 * made available meanwhile is otherwise missed)
 * @vq:		Queue, ready
 * @head:	Set to the index of its first descriptor
 * @why:	Set to the reason on -EINVAL
 *
 * Return: as virtq_pop()
 */
int virtq_pop_notify(struct virtq *vq, uint16_t *head, const char **why)
{
	int rc = virtq_pop(vq, head, why);

	if (rc != -EAGAIN)
		return rc;
	virtq_avail_event(vq);
	return virtq_empty(vq) ? -EAGAIN : virtq_pop(vq, head, why);
}

/**
 * virtq_unpop() - Give back chains taken but not used
 * @vq:		Queue
 * @n:		Number of chains taken since the last one used
 */
void virtq_unpop(struct virtq *vq, uint16_t n)
{
	vq->last_avail = (uint16_t)(vq->last_avail - n);
}

/**
 * virtq_iter_start() - Start walking the chain at @head
 * @it:		Iterator to set up
 * @vq:		Queue, ready
 * @mem:	Guest memory
 * @head:	First descriptor, from virtq_pop()
 */
void virtq_iter_start(struct virtq_iter *it, const struct virtq *vq,
		      const struct vmem *mem, uint16_t head)
{
	it->vq = vq;
	it->mem = mem;
	it->next = head;
	it->steps = 0;
	it->more = true;
}

/**
 * virtq_next() - Next descriptor of a chain, checked
 * @it:		Iterator
 * @b:		Set to the descriptor's buffer
 * @why:	Set to the reason on -EINVAL
 *
 * The descriptor is read once; its buffer must lie inside one region of
 * guest memory. At most the queue size of descriptors is walked.
 *
 * Return: 1 with @b set, 0 at the end of the chain, -EINVAL
 */
int virtq_next(struct virtq_iter *it, struct virtq_buf *b, const char **why)
{
	const volatile struct vring_desc *d;
	uint64_t addr;
	uint16_t flags;

	if (!it->more)
		return 0;
	if (it->steps++ >= it->vq->num) {
		*why = "descriptor chain longer than the queue (a loop)";
		return -EINVAL;
	}
	if (it->next >= it->vq->num) {
		*why = "next descriptor index out of range";
		return -EINVAL;
	}
	d = &it->vq->desc[it->next];
	addr = le64toh(d->addr);
	b->len = le32toh(d->len);
	flags = le16toh(d->flags);
	it->next = le16toh(d->next);
	if (flags & VRING_DESC_F_INDIRECT) {
		*why = "indirect descriptor (not negotiated)";
		return -EINVAL;
	}
	b->p = b->len ? vmem_gpa(it->mem, addr, b->len) : NULL;
	if (b->len && !b->p) {
		*why = "descriptor buffer outside guest memory";
		return -EINVAL;
	}
	b->write = flags & VRING_DESC_F_WRITE;
	it->more = flags & VRING_DESC_F_NEXT;
	return 1;
}

/**
 * virtq_used_add() - Return a chain to the guest, not yet published
 * @vq:		Queue
 * @head:	First descriptor of the chain
 * @len:	Bytes written into it
 */
void virtq_used_add(struct virtq *vq, uint16_t head, uint32_t len)
{
	volatile struct vring_used_elem *e;

	e = &vq->used->ring[vq->used_idx & (vq->num - 1)];
	e->id = htole32(head);
	e->len = htole32(len);
	vq->used_idx++;
}

/**
 * virtq_publish() - Make the chains added so far visible to the guest
 * @vq:		Queue
 */
void virtq_publish(struct virtq *vq)
{
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
}

/**
 * virtq_needs_interrupt() - Tell whether the guest wants an interrupt now
 * @vq:		Queue, used index published
 *
 * With the event index, the guest says after which used entry it wants
 * one; otherwise it may turn interrupts off with a flag.
 *
 * Return: true if the call eventfd should be written (remembered as done)
 */
bool virtq_needs_interrupt(struct virtq *vq)
{
	uint16_t old = vq->signalled, new = vq->used_idx, ev;
	const volatile uint16_t *ring = vq->avail->ring;
	bool need;

	if (old == new)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		ev = le16toh(ring[vq->num]);		/* used_event */
		need = (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
	} else {
		need = !(le16toh(__atomic_load_n(&vq->avail->flags,
						 __ATOMIC_RELAXED)) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled = new;
	return need;
}

/**
 * virtq_avail_event() - Ask for a kick at the next available entry
 * @vq:		Queue
 *
 * With the event index, the guest kicks only once its available index
 * passes the one we write here. The caller checks virtq_empty() again
 * afterwards: an entry made available just before is otherwise missed.
 */
void virtq_avail_event(struct virtq *vq)
{
	volatile struct vring_used_elem *after;

	if (!vq->event_idx)
		return;
	after = &vq->used->ring[vq->num];
	*(volatile uint16_t *)after = htole16(vq->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
