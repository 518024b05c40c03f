/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_net.h - vhost-user data path: frames to and from the virtqueues */
#ifndef MERD_VHOST_NET_H
#define MERD_VHOST_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define VHOST_DIRECT_SEGS	64	/* frames in one direct batch */
#define VHOST_DIRECT_CHAINS	1024	/* receive chains in one batch */
#define VHOST_DIRECT_IOV	1024	/* payload pieces in one batch */

/**
 * struct vhost_direct_seg - One frame reserved in the guest's buffers
 * @hdr:	Where its virtio-net header and frame headers go (the start
 *		of its first buffer)
 * @first:	Index in struct vhost_direct's @heads of its first chain
 * @nchains:	Number of chains it spans
 */
struct vhost_direct_seg {
	uint8_t *hdr;
	uint16_t first;
	uint16_t nchains;
};

/**
 * struct vhost_direct - Frames whose payload the kernel writes straight
 * into the guest's receive buffers (no copy by merd)
 * @iov:	Payload pieces of all the frames, in order
 * @niov:	Number of them
 * @heads:	Chains taken, in order
 * @room:	Bytes each chain takes
 * @nheads:	Number of chains taken
 * @used:	Chains given to the guest so far (a prefix of @heads)
 * @seg:	The frames reserved
 * @nseg:	Number of them
 * @next:	Next frame to finish
 * @hdrs:	Bytes of frame headers before each payload
 */
struct vhost_direct {
	struct iovec iov[VHOST_DIRECT_IOV];
	unsigned int niov;
	uint16_t heads[VHOST_DIRECT_CHAINS];
	uint32_t room[VHOST_DIRECT_CHAINS];
	unsigned int nheads;
	unsigned int used;
	struct vhost_direct_seg seg[VHOST_DIRECT_SEGS];
	unsigned int nseg;
	unsigned int next;
	size_t hdrs;
};

struct ctx;
struct virtio_net_hdr;

void vhost_net_broken(struct ctx *c, unsigned int q, const char *why);
void vhost_net_rx(struct ctx *c);
void vhost_net_kick(struct ctx *c, unsigned int q);
int vhost_net_tx_frame(struct ctx *c, const struct virtio_net_hdr *vh,
		       const uint8_t *f, size_t len);
void vhost_net_tx_done(struct ctx *c);
ssize_t vhost_net_direct_begin(struct ctx *c, size_t hdrs, size_t mss,
			       size_t room, const struct iovec **iov,
			       size_t *niov);
int vhost_net_direct_frame(struct ctx *c, const struct virtio_net_hdr *vh,
			   const uint8_t *f, size_t flen);
void vhost_net_direct_end(struct ctx *c);

#endif /* MERD_VHOST_NET_H */
