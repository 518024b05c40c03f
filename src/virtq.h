/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq.h - Split virtqueues in guest memory, device side */
#ifndef MERD_VIRTQ_H
#define MERD_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#include "vmem.h"

#define VIRTQ_MAX_SIZE		32768	/* largest split ring */

struct vring_desc;
struct vring_avail;
struct vring_used;

/**
 * struct virtq - One split virtqueue, as the device sees it
 * @num:	Size (power of two), 0 until set
 * @last_avail:	Index of the next available entry to take
 * @avail_shadow: The guest's available index when last read: entries up
 *		to it are taken without reading its (shared) cache line again
 * @used_idx:	Index of the next used entry to write (published as used->idx
 *		by virtq_publish())
 * @signalled:	Used index when the guest was last interrupted
 * @desc_uva:	Descriptor table address, in qemu's address space
 * @avail_uva:	Available ring address, same
 * @used_uva:	Used ring address, same
 * @desc:	Descriptor table in merd, once resolved
 * @avail:	Available ring in merd, once resolved
 * @used:	Used ring in merd, once resolved
 * @kick:	Eventfd the guest kicks (qemu's ioeventfd), -1 if none
 * @call:	Eventfd that interrupts the guest, -1 if none
 * @err:	Eventfd that tells qemu of a broken queue, -1 if none
 * @addr_set:	SET_VRING_ADDR came
 * @enabled:	SET_VRING_ENABLE 1 (or no protocol features)
 * @started:	Kick eventfd received and rings resolved; stopped by
 *		GET_VRING_BASE
 * @broken:	A bad descriptor or ring was seen: the queue is stopped
 * @event_idx:	VIRTIO_RING_F_EVENT_IDX negotiated
 */
struct virtq {
	uint32_t num;
	uint16_t last_avail;
	uint16_t avail_shadow;
	uint16_t used_idx;
	uint16_t signalled;
	uint64_t desc_uva;
	uint64_t avail_uva;
	uint64_t used_uva;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	int kick;
	int call;
	int err;
	bool addr_set;
	bool enabled;
	bool started;
	bool broken;
	bool event_idx;
};

/**
 * struct virtq_iter - Walk through one descriptor chain
 * @vq:		Queue
 * @mem:	Guest memory
 * @next:	Index of the next descriptor
 * @steps:	Descriptors visited so far (at most @vq->num)
 * @more:	There is a next descriptor
 */
struct virtq_iter {
	const struct virtq *vq;
	const struct vmem *mem;
	uint32_t next;
	uint32_t steps;
	bool more;
};

/**
 * struct virtq_buf - One descriptor of a chain, checked
 * @p:		Its buffer in merd (inside one mapped region), NULL if @len 0
 * @len:	Its length
 * @write:	The device writes it (VRING_DESC_F_WRITE)
 */
struct virtq_buf {
	uint8_t *p;
	uint32_t len;
	bool write;
};

void virtq_reset(struct virtq *vq);
void virtq_forget_rings(struct virtq *vq);
bool virtq_size_valid(uint64_t num);
int virtq_resolve(struct virtq *vq, const struct vmem *mem,
		  const char **why);
bool virtq_ready(const struct virtq *vq);
int virtq_pop(struct virtq *vq, uint16_t *head, const char **why);
int virtq_pop_notify(struct virtq *vq, uint16_t *head, const char **why);
void virtq_iter_start(struct virtq_iter *it, const struct virtq *vq,
		      const struct vmem *mem, uint16_t head);
int virtq_next(struct virtq_iter *it, struct virtq_buf *b, const char **why);
void virtq_unpop(struct virtq *vq, uint16_t n);
void virtq_used_add(struct virtq *vq, uint16_t head, uint32_t len);
void virtq_publish(struct virtq *vq);
bool virtq_needs_interrupt(struct virtq *vq);
void virtq_avail_event(struct virtq *vq);
bool virtq_empty(const struct virtq *vq);

#endif /* MERD_VIRTQ_H */
