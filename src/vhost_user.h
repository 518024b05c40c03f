/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_user.h - vhost-user backend for one virtio-net device */
#ifndef MERD_VHOST_USER_H
#define MERD_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhost_net.h"
#include "virtq.h"
#include "vmem.h"

#define VHOST_USER_HDR_LEN	12
#define VHOST_USER_PAYLOAD_MAX	(8 + 32 * VMEM_MAX_REGIONS)
#define VHOST_RXQ		0	/* toward the guest */
#define VHOST_TXQ		1	/* from the guest */
#define VHOST_NQ		2
#define VHOST_BIT(n)		(1ULL << (n))	/* a feature bit */

/**
 * struct vhost_user - State of the vhost-user connection and the device
 * @msg:	Message being received: header, then payload
 * @got:	Bytes of @msg received so far
 * @fds:	File descriptors that came with it
 * @nfds:	Number of them
 * @fds_bad:	More came than fit, or they were truncated
 * @features:	Virtio features the frontend acknowledged
 * @protocol:	Protocol features the frontend acknowledged
 * @hdr_len:	Length of the virtio-net header (12, or 10 for legacy
 *		without mergeable buffers)
 * @mem:	Guest memory
 * @vq:		Queues: VHOST_RXQ, VHOST_TXQ
 * @direct:	Frames being written straight into receive buffers
 */
struct vhost_user {
	uint8_t msg[VHOST_USER_HDR_LEN + VHOST_USER_PAYLOAD_MAX];
	size_t got;
	int fds[VMEM_MAX_REGIONS];
	unsigned int nfds;
	bool fds_bad;
	uint64_t features;
	uint64_t protocol;
	size_t hdr_len;
	struct vmem mem;
	struct virtq vq[VHOST_NQ];
	struct vhost_direct direct;
};

struct ctx;

int vhost_user_init(struct ctx *c);
void vhost_user_attach(struct ctx *c);
void vhost_user_detach(struct ctx *c);
void vhost_user_event(struct ctx *c);

#endif /* MERD_VHOST_USER_H */
