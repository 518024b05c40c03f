/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.h - The guest link: qemu stream socket, inherited fd, or tap */
#ifndef MERD_LINK_H
#define MERD_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LINK_FRAME_MAX		65535		/* largest frame on the link */
#define LINK_RX_BUF		(1 << 20)
#define LINK_TX_BUF		(4 << 20)
#define LINK_TX_SLOT		(4 + LINK_FRAME_MAX)
#define LINK_RX_BUDGET		64		/* reads per wake-up */
#define LINK_RX_ROOM		(LINK_FRAME_MAX + 64)	/* a frame read from
						 * a tap or a virtqueue, header
						 * included */

enum link_type {
	LINK_NONE,
	LINK_STREAM,		/* 4-byte big-endian length, then the frame */
	LINK_TAP,		/* one frame per read() and write() */
	LINK_VHOST,		/* vhost-user: virtqueues in guest memory */
};

/**
 * struct link - Guest link state
 * @type:	Framing in use, LINK_NONE while no guest is attached
 * @listen_fd:	VM mode: listening UNIX socket, -1 otherwise
 * @fd:		Connected socket or tap, -1 if none
 * @rx:		Receive buffer
 * @rx_len:	Bytes of a partial frame kept at the start of @rx
 * @rx_off:	Tap and vhost-user: where the next frame goes in @rx, after
 *		the frames of this batch (link_rx_slot())
 * @tx:		Transmit queue: frames, each after a 4-byte length
 * @tx_len:	Bytes queued in @tx
 * @tx_done:	Bytes of @tx already written
 * @tx_blocked:	The last write hit EAGAIN; waiting for EPOLLOUT
 * @vnet_hdr:	Tap frames follow a struct virtio_net_hdr
 * @csum_offload: TCP checksums toward the guest are left partial (the
 *		pseudo-header sum) for the guest's kernel, which trusts them,
 *		and the guest's kernel may send frames without checksums
 * @rx_csum_partial: The frame being handled has no transport checksum
 * @direct:	Frames committed now go to the guest's buffers, where their
 *		payload already is (link_direct_begin()), not to @tx
 * @vhost:	vhost-user state (--vhost-user), NULL otherwise
 */
struct link {
	enum link_type type;
	int listen_fd;
	int fd;
	uint8_t *rx;
	size_t rx_len;
	size_t rx_off;
	uint8_t *tx;
	size_t tx_len;
	size_t tx_done;
	bool tx_blocked;
	bool vnet_hdr;
	bool csum_offload;
	bool rx_csum_partial;
	bool direct;
	struct vhost_user *vhost;
};

struct ctx;
struct iovec;
struct vhost_user;

int link_init(struct ctx *c);
int link_listen(struct ctx *c, const char *path);
void link_accept(struct ctx *c);
int link_attach(struct ctx *c, int fd, enum link_type type);
void link_detach(struct ctx *c, const char *why);
void link_rx(struct ctx *c);
void link_vnet_input(struct ctx *c, uint8_t *buf, size_t len, size_t hl);
uint8_t *link_rx_slot(struct ctx *c);
void link_rx_done(struct ctx *c);
void link_event_out(struct ctx *c);
uint8_t *link_tx_reserve(struct ctx *c, size_t *cap);
uint8_t *link_tx_reserve_room(struct ctx *c, size_t room);
void link_tx_commit(struct ctx *c, size_t frame_len);
uint8_t *link_tx_tail(struct ctx *c, size_t *space);
void link_tx_flush(struct ctx *c);
bool link_direct_wait(struct ctx *c);
ssize_t link_direct_begin(struct ctx *c, size_t hdrs, size_t mss,
			  size_t room, const struct iovec **iov, size_t *niov);
void link_direct_end(struct ctx *c);

#endif /* MERD_LINK_H */
