// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_net.c - vhost-user data path: frames between merd's link queue and
 * the guest's virtqueues (the device that vhost_user.c sets up)
 *
 * Kick eventfds are in epoll: a kick on queue 1 (transmit, in virtio's
 * words) hands the guest's frames to eth_input(), each copied out of guest
 * memory first, as the guest may change it at any time; a bounded batch
 * per kick, merd kicking itself when more is left. A kick on queue 0
 * means new receive buffers, and lets the link queue drain again. The call
 * eventfd is written only when the guest asks for an interrupt (event
 * index, or the no-interrupt flag).
 *
 * Frames to the guest: link.c calls vhost_net_tx_frame() for each frame of
 * its queue; the virtio-net header (12 bytes with VIRTIO_F_VERSION_1 or
 * mergeable buffers) and the frame are copied into one receive chain, or
 * several with VIRTIO_NET_F_MRG_RXBUF (num_buffers says how many). With no
 * buffer free, the frame waits in the link queue for the next kick; chains
 * taken for a frame that does not fit are given back.
 *
 * A bad descriptor or ring (virtq.c says why) stops that queue: one error
 * line, counter drop_vhost_desc, and the error eventfd is written; the
 * queue stays stopped until qemu sets it up again or reconnects.
 */
#include <endian.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "link.h"
#include "log.h"
#include "merd.h"
#include "util.h"
#include "vhost_net.h"
#include "vhost_user.h"

#define VHOST_RX_BUDGET		256	/* chains from the guest per kick */
#define VHOST_RX_BUFS_MAX	64	/* receive chains for one frame */

/**
 * vhost_net_broken() - Stop a queue after a bad descriptor or ring
 * @c:		Execution context
 * @q:		Queue index
 * @why:	What was wrong
 *
 * Logged once per queue set-up; the error eventfd tells qemu.
 */
void vhost_net_broken(struct ctx *c, unsigned int q, const char *why)
{
	struct virtq *vq = &c->link.vhost->vq[q];
	uint64_t one = 1;

	if (vq->broken)
		return;
	vq->broken = true;
	count_drop(c, CNT_drop_vhost_desc);
	err_ratelimited("vhost-user: %s queue: %s; queue stopped",
			q ? "tx" : "rx", why);
	if (vq->err >= 0 && write(vq->err, &one, sizeof(one)) < 0)
		debug_ratelimited("vhost-user: error eventfd: %s",
				  strerror(errno));
}

/**
 * vhost_net_interrupt() - Publish used entries, interrupt if asked to
 * @vq:		Queue
 */
static void vhost_net_interrupt(struct virtq *vq)
{
	uint64_t one = 1;

	if (!virtq_ready(vq))
		return;
	virtq_publish(vq);
	if (virtq_needs_interrupt(vq) && vq->call >= 0 &&
	    write(vq->call, &one, sizeof(one)) < 0)
		debug_ratelimited("vhost-user: call eventfd: %s",
				  strerror(errno));
}

/**
 * vhost_net_gather() - Copy one transmit chain out of guest memory
 * @c:		Execution context
 * @head:	First descriptor of the chain
 * @dst:	Where it goes: LINK_RX_ROOM bytes of the link's receive buffer
 * @len:	Set to the bytes copied there
 * @why:	Set to the reason on -EINVAL
 *
 * Return: 0, -EMSGSIZE if the chain holds more than LINK_RX_ROOM (walked
 * to its end all the same), -EINVAL for a bad chain
 */
static int vhost_net_gather(struct ctx *c, uint16_t head, uint8_t *dst,
			     size_t *len, const char **why)
{
	struct vhost_user *v = c->link.vhost;
	struct virtq_iter it;
	struct virtq_buf b;
	bool big = false;
	size_t got = 0;
	int rc;

	virtq_iter_start(&it, &v->vq[VHOST_TXQ], &v->mem, head);
	while ((rc = virtq_next(&it, &b, why)) > 0) {
		if (b.write) {
			*why = "device-writable descriptor in a transmit chain";
			return -EINVAL;
		}
		if (big || b.len > LINK_RX_ROOM - got) {
			big = true;
			continue;
		}
		memcpy(dst + got, b.p, b.len);
		got += b.len;
	}
	if (rc < 0)
		return rc;
	*len = got;
	return big ? -EMSGSIZE : 0;
}

/**
 * vhost_net_rx() - Take what the guest sent on its transmit queue
 * @c:		Execution context
 *
 * A bounded batch: if chains remain after it, merd kicks itself to come
 * back after other events.
 */
void vhost_net_rx(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	struct virtq *vq = &v->vq[VHOST_TXQ];
	const char *why = NULL;
	uint64_t one = 1;
	int i, rc = 0;

	for (i = 0; i < VHOST_RX_BUDGET && virtq_ready(vq); i++) {
		uint8_t *slot = link_rx_slot(c);
		uint16_t head;
		size_t len = 0;

		rc = virtq_pop_notify(vq, &head, &why);
		if (rc == -EAGAIN)
			break;
		if (!rc)
			rc = vhost_net_gather(c, head, slot, &len, &why);
		if (rc == -EINVAL) {
			vhost_net_broken(c, VHOST_TXQ, why);
			break;
		}
		virtq_used_add(vq, head, 0);
		if (rc == -EMSGSIZE)
			count_drop(c, CNT_drop_link_framing);
		else
			link_vnet_input(c, slot, len, c->link.vhost->hdr_len);
		if (c->link.type != LINK_VHOST)
			return;
	}
	vhost_net_interrupt(vq);
	if (i == VHOST_RX_BUDGET && vq->kick >= 0 &&
	    write(vq->kick, &one, sizeof(one)) < 0)
		debug_ratelimited("vhost-user: kick eventfd: %s",
				  strerror(errno));
}

/**
 * vhost_net_kick() - A kick eventfd fired
 * @c:		Execution context
 * @q:		Queue index
 */
void vhost_net_kick(struct ctx *c, unsigned int q)
{
	struct vhost_user *v = c->link.vhost;
	uint64_t n;

	if (c->link.type != LINK_VHOST || q >= VHOST_NQ || v->vq[q].kick < 0)
		return;
	if (read(v->vq[q].kick, &n, sizeof(n)) < 0 && errno != EAGAIN)
		debug_ratelimited("vhost-user: kick eventfd: %s",
				  strerror(errno));
	if (q == VHOST_TXQ)
		vhost_net_rx(c);
	else
		c->link.tx_blocked = false;	/* new buffers: flush again */
}

/**
 * vhost_net_copy() - Copy part of header-then-frame into a guest buffer
 * @dst:	Guest buffer
 * @off:	Offset in header-then-frame
 * @n:		Bytes to copy
 * @h:		Virtio-net header
 * @hl:		Its length
 * @f:		Frame
 */
static void vhost_net_copy(uint8_t *dst, size_t off, size_t n,
			    const uint8_t *h, size_t hl, const uint8_t *f)
{
	if (off < hl) {
		size_t k = MIN(n, hl - off);

		memcpy(dst, h + off, k);
		dst += k;
		off += k;
		n -= k;
	}
	if (n)
		memcpy(dst, f + (off - hl), n);
}

/**
 * struct vhost_net_fill - One frame being written into receive chains
 * @h:		Header, then @f, @total bytes in all
 * @f:		Frame
 * @total:	Header and frame length
 * @done:	Bytes written so far
 * @hdr:	Where the header went, if the first buffer holds all of it
 */
struct vhost_net_fill {
	struct virtio_net_hdr_mrg_rxbuf h;
	const uint8_t *f;
	size_t total;
	size_t done;
	uint8_t *hdr;
};

/**
 * vhost_net_fill_chain() - Write as much of a frame as one chain takes
 * @v:		vhost-user state
 * @head:	First descriptor of the chain
 * @fl:		Frame being written, progress updated
 * @written:	Set to the bytes written into this chain
 * @why:	Set to the reason on -EINVAL
 *
 * Return: 0, -EINVAL for a bad chain
 */
static int vhost_net_fill_chain(struct vhost_user *v, uint16_t head,
				 struct vhost_net_fill *fl, uint32_t *written,
				 const char **why)
{
	struct virtq_iter it;
	struct virtq_buf b;
	int rc = 0;

	*written = 0;
	virtq_iter_start(&it, &v->vq[VHOST_RXQ], &v->mem, head);
	while (fl->done < fl->total) {
		size_t n;

		rc = virtq_next(&it, &b, why);
		if (rc <= 0)
			break;
		if (!b.write) {
			*why = "device-readable descriptor in a receive chain";
			return -EINVAL;
		}
		n = MIN((size_t)b.len, fl->total - fl->done);
		if (!fl->done && b.len >= v->hdr_len)
			fl->hdr = b.p;
		vhost_net_copy(b.p, fl->done, n, (const uint8_t *)&fl->h,
				v->hdr_len, fl->f);
		fl->done += n;
		*written += (uint32_t)n;
	}
	return rc < 0 ? rc : 0;
}

/**
 * vhost_net_tx_frame() - Write one frame into the guest's receive queue
 * @c:		Execution context
 * @vh:		Virtio-net header for it (checksum offload)
 * @f:		Frame
 * @len:	Its length
 *
 * The chains taken are given back, not used, if the frame does not fit
 * (the next frame may use them).
 *
 * Return: 0 once written (published by vhost_net_tx_done()), -EAGAIN if
 * the guest has no buffer free yet, -EMSGSIZE if the frame fits in no
 * buffer the guest gives, -EIO if the queue does not run (frame dropped)
 */
int vhost_net_tx_frame(struct ctx *c, const struct virtio_net_hdr *vh,
			const uint8_t *f, size_t len)
{
	struct vhost_user *v = c->link.vhost;
	struct virtq *vq = &v->vq[VHOST_RXQ];
	bool mrg = v->features & VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF);
	struct vhost_net_fill fl = { .f = f, .total = v->hdr_len + len };
	uint16_t heads[VHOST_RX_BUFS_MAX], n = 0, i;
	uint32_t lens[VHOST_RX_BUFS_MAX];
	const char *why = NULL;
	int rc;

	if (!virtq_ready(vq))
		return -EIO;
	fl.h.hdr = *vh;
	fl.h.num_buffers = htole16(1);
	while (fl.done < fl.total) {
		if (n == VHOST_RX_BUFS_MAX || (n && !mrg)) {
			virtq_unpop(vq, n);
			return -EMSGSIZE;
		}
		rc = virtq_pop_notify(vq, &heads[n], &why);
		if (!rc)
			rc = vhost_net_fill_chain(v, heads[n], &fl, &lens[n],
						   &why);
		if (rc) {
			virtq_unpop(vq, n);
			if (rc == -EAGAIN)
				return -EAGAIN;
			vhost_net_broken(c, VHOST_RXQ, why);
			return -EIO;
		}
		n++;
	}
	if (n > 1) {
		uint16_t nb = htole16(n);

		if (!fl.hdr) {
			virtq_unpop(vq, n);
			return -EMSGSIZE;
		}
		memcpy(fl.hdr + offsetof(struct virtio_net_hdr_mrg_rxbuf,
					 num_buffers), &nb, sizeof(nb));
	}
	for (i = 0; i < n; i++)
		virtq_used_add(vq, heads[i], lens[i]);
	return 0;
}

/**
 * vhost_net_tx_done() - Publish the frames written to the guest, and
 * interrupt it if it asks for that
 * @c:		Execution context
 */
void vhost_net_tx_done(struct ctx *c)
{
	struct virtq *vq = &c->link.vhost->vq[VHOST_RXQ];

	if (virtq_ready(vq))
		vhost_net_interrupt(vq);
}

/**
 * vhost_net_direct_chain() - Take one receive chain for a direct frame, and
 * add its buffers to the batch's payload pieces
 * @v:		vhost-user state
 * @s:		Frame the chain is for; its header goes first, at the start
 *		of its first buffer
 * @need:	Bytes still wanted for the frame (its headers included, if
 *		the frame has no buffer yet)
 * @why:	Set to the reason on -EINVAL
 *
 * Return: bytes the chain takes; 0 if no chain is free, the batch is full
 * or the first buffer cannot hold the headers (a chain taken is recorded
 * all the same, for the caller to give back); -EINVAL for a bad chain
 */
static long vhost_net_direct_chain(struct vhost_user *v,
				   struct vhost_direct_seg *s, size_t need,
				   const char **why)
{
	struct vhost_direct *d = &v->direct;
	struct virtq *vq = &v->vq[VHOST_RXQ];
	size_t hl = v->hdr_len + d->hdrs, took = 0;
	struct virtq_iter it;
	struct virtq_buf b;
	uint16_t head;
	int rc;

	if (d->nheads == VHOST_DIRECT_CHAINS || d->niov == VHOST_DIRECT_IOV)
		return 0;
	rc = virtq_pop_notify(vq, &head, why);
	if (rc)
		return rc == -EAGAIN ? 0 : rc;
	d->heads[d->nheads] = head;
	d->room[d->nheads++] = 0;
	virtq_iter_start(&it, vq, &v->mem, head);
	while (took < need && d->niov < VHOST_DIRECT_IOV &&
	       (rc = virtq_next(&it, &b, why)) > 0) {
		size_t skip = 0, n;

		if (!b.write) {
			*why = "device-readable descriptor in a receive chain";
			return -EINVAL;
		}
		if (!s->hdr) {
			if (b.len < hl)
				return 0;
			s->hdr = b.p;
			skip = took = hl;
		}
		n = MIN((size_t)b.len - skip, need - took);
		if (!n)
			continue;
		d->iov[d->niov].iov_base = b.p + skip;
		d->iov[d->niov++].iov_len = n;
		took += n;
	}
	if (rc < 0)
		return rc;
	d->room[d->nheads - 1] = (uint32_t)took;
	return (long)took;
}

/**
 * vhost_net_direct_seg() - Reserve receive chains for one direct frame
 * @c:		Execution context
 * @want:	Payload bytes of the frame
 *
 * Return: 1 if reserved, 0 if the chains free do not suit (those taken are
 * given back), -EINVAL after a bad chain stopped the queue
 */
static int vhost_net_direct_seg(struct ctx *c, size_t want)
{
	struct vhost_user *v = c->link.vhost;
	struct vhost_direct *d = &v->direct;
	bool mrg = v->features & VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF);
	struct vhost_direct_seg *s = &d->seg[d->nseg];
	size_t need = v->hdr_len + d->hdrs + want, got = 0;
	unsigned int niov = d->niov;
	const char *why = NULL;
	long n = 0;

	*s = (struct vhost_direct_seg){ .first = (uint16_t)d->nheads };
	while (got < need) {
		unsigned int chains = d->nheads - s->first;

		if (chains == VHOST_RX_BUFS_MAX || (chains && !mrg))
			break;
		n = vhost_net_direct_chain(v, s, need - got, &why);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (n < 0) {
		vhost_net_broken(c, VHOST_RXQ, why);
		return -EINVAL;
	}
	if (got < need) {
		virtq_unpop(&v->vq[VHOST_RXQ], (uint16_t)(d->nheads - s->first));
		d->nheads = s->first;
		d->niov = niov;
		return 0;
	}
	s->nchains = (uint16_t)(d->nheads - s->first);
	d->nseg++;
	return 1;
}

/**
 * vhost_net_direct_begin() - Reserve receive buffers for frames whose
 * payload the caller reads straight into them
 * @c:		Execution context
 * @hdrs:	Bytes of frame headers before each payload (Ethernet, IP,
 *		transport): they go in the first buffer of each frame, after
 *		the virtio-net header
 * @mss:	Payload bytes of each frame but the last
 * @room:	Payload bytes wanted in all
 * @iov:	Set to the payload pieces, in order, @mss bytes per frame
 * @niov:	Set to their number
 *
 * The caller fills the pieces, finishes each frame that got payload with
 * vhost_net_direct_frame(), in order, and then calls
 * vhost_net_direct_end(), which gives back what was not used.
 *
 * Return: payload bytes reserved; 0 if none (then frames go through the
 * link's queue and the copy into the buffers, which knows every layout);
 * -ENOBUFS if the guest has no receive buffer free (it is asked to kick
 * the queue once it gives some)
 */
ssize_t vhost_net_direct_begin(struct ctx *c, size_t hdrs, size_t mss,
			       size_t room, const struct iovec **iov,
			       size_t *niov)
{
	struct vhost_user *v = c->link.vhost;
	struct vhost_direct *d = &v->direct;
	struct virtq *vq = &v->vq[VHOST_RXQ];
	size_t total = 0;

	d->niov = d->nheads = d->used = d->nseg = d->next = 0;
	d->hdrs = hdrs;
	if (!mss || !virtq_ready(vq))
		return 0;
	if (virtq_empty(vq)) {
		virtq_avail_event(vq);
		if (virtq_empty(vq))
			return -ENOBUFS;
	}
	while (total < room && d->nseg < VHOST_DIRECT_SEGS) {
		size_t want = MIN(mss, room - total);

		if (vhost_net_direct_seg(c, want) <= 0)
			break;
		total += want;
	}
	if (!virtq_ready(vq)) {
		d->nseg = 0;
		return 0;
	}
	*iov = d->iov;
	*niov = d->niov;
	return (ssize_t)total;
}

/**
 * vhost_net_direct_frame() - Finish the next direct frame: its headers go
 * into its first buffer, and its chains to the used ring
 * @c:		Execution context
 * @vh:		Virtio-net header for it (checksum offload)
 * @f:		The frame's headers, as merd built them
 * @flen:	Length of the whole frame: the headers, and the payload
 *		already in the buffers
 *
 * Return: 0, -EMSGSIZE if the frame is not the one reserved next or is
 * larger (a caller's mistake: nothing is written, the frame is lost)
 */
int vhost_net_direct_frame(struct ctx *c, const struct virtio_net_hdr *vh,
			    const uint8_t *f, size_t flen)
{
	struct vhost_user *v = c->link.vhost;
	struct vhost_direct *d = &v->direct;
	struct virtio_net_hdr_mrg_rxbuf h = { .hdr = *vh };
	struct vhost_direct_seg *s;
	size_t left, w;
	uint16_t nb = 0, i;

	if (d->next >= d->nseg || flen < d->hdrs)
		return -EMSGSIZE;
	s = &d->seg[d->next++];
	if (d->used != s->first)
		return -EMSGSIZE;	/* one before it got nothing */
	for (left = v->hdr_len + flen, i = 0; i < s->nchains && left; i++) {
		left -= MIN((size_t)d->room[s->first + i], left);
		nb++;
	}
	if (left)
		return -EMSGSIZE;	/* more than was reserved */
	h.num_buffers = htole16(nb);
	memcpy(s->hdr, &h, v->hdr_len);
	memcpy(s->hdr + v->hdr_len, f, d->hdrs);
	for (left = v->hdr_len + flen, i = 0; i < nb; i++) {
		w = MIN((size_t)d->room[s->first + i], left);
		virtq_used_add(&v->vq[VHOST_RXQ], d->heads[s->first + i],
			       (uint32_t)w);
		left -= w;
	}
	d->used = s->first + nb;
	return 0;
}

/**
 * vhost_net_direct_end() - Give back the chains no frame used, publish the
 * frames, and interrupt the guest if it asks for that
 * @c:		Execution context
 */
void vhost_net_direct_end(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	struct vhost_direct *d = &v->direct;
	struct virtq *vq = &v->vq[VHOST_RXQ];

	if (d->nheads > d->used)
		virtq_unpop(vq, (uint16_t)(d->nheads - d->used));
	d->niov = d->nheads = d->used = d->nseg = d->next = 0;
	vhost_net_interrupt(vq);
}
