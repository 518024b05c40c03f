// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user.c - vhost-user backend: the control protocol on qemu's UNIX
 * socket, and frames between merd's link queue and the guest's virtqueues
 *
 * Theory of operation. qemu (the frontend) connects to merd's socket and
 * drives the device with messages: a 12-byte header (request, flags,
 * payload size), a payload, and file descriptors alongside. merd reads one
 * message at a time, header then payload, so that descriptors are never
 * taken for the wrong message; every size, file descriptor count, queue
 * index and value is checked, and a bad message closes the connection
 * (merd then listens for the next qemu). Messages answered: GET/SET_FEATURES,
 * GET/SET_PROTOCOL_FEATURES (REPLY_ACK offered), SET_OWNER, RESET_OWNER,
 * SET_MEM_TABLE (vmem.c), SET_VRING_NUM/ADDR/BASE/KICK/CALL/ERR,
 * GET_VRING_BASE (stops the ring) and SET_VRING_ENABLE.
 *
 * The device has two queues: 0 carries frames to the guest (receive, in
 * virtio's words), 1 frames from it. A queue moves frames once it has a
 * kick eventfd (which starts it), its rings resolve inside guest memory,
 * and it is enabled. Kick eventfds are in epoll: a kick on queue 1 hands
 * the guest's frames to eth_input() (copied out of guest memory first, as
 * the guest may change them at any time), a kick on queue 0 means new
 * receive buffers, and lets the link queue drain again. The call eventfd
 * is written only when the guest asks for an interrupt (event index, or
 * the no-interrupt flag).
 *
 * Frames to the guest: link.c calls vhost_user_tx_frame() for each frame
 * of its queue; the virtio-net header (12 bytes with VIRTIO_F_VERSION_1 or
 * mergeable buffers) and the frame are copied into one receive chain, or
 * several with VIRTIO_NET_F_MRG_RXBUF (num_buffers says how many). With no
 * buffer free, the frame waits in the link queue for the next kick.
 *
 * A bad descriptor or ring (virtq.c says why) stops that queue: one error
 * line, counter drop_vhost_desc, and the error eventfd is written; the
 * queue stays stopped until qemu sets it up again or reconnects.
 *
 * Checksum offload: VIRTIO_NET_F_CSUM and VIRTIO_NET_F_GUEST_CSUM are
 * offered unless frames are captured; with both, the header has the same
 * meaning as on namespace mode's tap (link.c).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eth.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "pcap.h"
#include "util.h"
#include "vhost_user.h"

enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_SET_VRING_ENABLE = 18,
};

#define VHOST_USER_VERSION		0x1
#define VHOST_USER_VERSION_MASK		0x3
#define VHOST_USER_REPLY		(1U << 2)
#define VHOST_USER_NEED_REPLY		(1U << 3)
#define VHOST_USER_F_PROTOCOL_FEATURES	30
#define VHOST_USER_PROTOCOL_F_REPLY_ACK	3
#define VHOST_USER_VRING_IDX_MASK	0xffULL
#define VHOST_USER_VRING_NOFD		(1ULL << 8)

#define VHOST_RX_BUDGET		256	/* chains from the guest per kick */
#define VHOST_RX_BUFS_MAX	64	/* receive chains for one frame */

#define BIT(n)			(1ULL << (n))

/**
 * vhost_user_offered() - Virtio features merd offers
 *
 * Return: the feature bits
 */
static uint64_t vhost_user_offered(void)
{
	uint64_t f = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
		     BIT(VIRTIO_RING_F_EVENT_IDX) |
		     BIT(VHOST_USER_F_PROTOCOL_FEATURES);

	if (!pcap_active())
		f |= BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM);
	return f;
}

/**
 * vhost_user_init() - Allocate the vhost-user state, once
 * @c:		Execution context
 *
 * Return: 0 on success, -ENOMEM
 */
int vhost_user_init(struct ctx *c)
{
	struct vhost_user *v = calloc(1, sizeof(*v));
	unsigned int q;

	if (!v)
		return -ENOMEM;
	for (q = 0; q < VHOST_NQ; q++)
		virtq_reset(&v->vq[q]);
	c->link.vhost = v;
	return 0;
}

/**
 * vhost_user_close_fd() - Close a file descriptor if open, and forget it
 * @fd:		File descriptor, set to -1
 */
static void vhost_user_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * vhost_user_drop_fds() - Close the file descriptors of the last message
 * @v:		vhost-user state
 */
static void vhost_user_drop_fds(struct vhost_user *v)
{
	unsigned int i;

	for (i = 0; i < v->nfds; i++)
		vhost_user_close_fd(&v->fds[i]);
	v->nfds = 0;
	v->fds_bad = false;
}

/**
 * vhost_user_stop() - Stop a queue: no more kicks from it
 * @c:		Execution context
 * @vq:		Queue
 */
static void vhost_user_stop(const struct ctx *c, struct virtq *vq)
{
	if (vq->kick >= 0)
		epoll_del(c, vq->kick);
	vhost_user_close_fd(&vq->kick);
	vq->started = false;
}

/**
 * vhost_user_reset() - Forget the device: queues, memory, features
 * @c:		Execution context
 */
static void vhost_user_reset(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	unsigned int q;

	for (q = 0; q < VHOST_NQ; q++) {
		vhost_user_stop(c, &v->vq[q]);
		vhost_user_close_fd(&v->vq[q].call);
		vhost_user_close_fd(&v->vq[q].err);
		virtq_reset(&v->vq[q]);
	}
	vmem_unmap(&v->mem);
	v->features = v->protocol = 0;
	v->hdr_len = sizeof(struct virtio_net_hdr);
	c->link.csum_offload = false;
}

/**
 * vhost_user_attach() - Start serving a new vhost-user connection
 * @c:		Execution context
 */
void vhost_user_attach(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;

	vhost_user_drop_fds(v);
	v->got = 0;
	vhost_user_reset(c);
}

/**
 * vhost_user_detach() - The connection is gone: unmap, close, reset
 * @c:		Execution context
 */
void vhost_user_detach(struct ctx *c)
{
	vhost_user_attach(c);
}

/**
 * vhost_user_broken() - Stop a queue after a bad descriptor or ring
 * @c:		Execution context
 * @q:		Queue index
 * @why:	What was wrong
 *
 * Logged once per queue set-up; the error eventfd tells qemu.
 */
static void vhost_user_broken(struct ctx *c, unsigned int q, const char *why)
{
	struct virtq *vq = &c->link.vhost->vq[q];
	uint64_t one = 1;

	if (vq->broken)
		return;
	vq->broken = true;
	count_drop(c, CNT_drop_vhost_desc);
	err("vhost-user: %s queue: %s; queue stopped", q ? "tx" : "rx", why);
	if (vq->err >= 0 && write(vq->err, &one, sizeof(one)) < 0)
		debug("vhost-user: error eventfd: %s", strerror(errno));
}

/**
 * vhost_user_interrupt() - Publish used entries, interrupt if asked to
 * @vq:		Queue
 */
static void vhost_user_interrupt(struct virtq *vq)
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
 * vhost_user_gather() - Copy one transmit chain out of guest memory
 * @c:		Execution context
 * @head:	First descriptor of the chain
 * @len:	Set to the bytes copied into the link's receive buffer
 * @why:	Set to the reason on -EINVAL
 *
 * Return: 0, -EMSGSIZE if the chain holds more than the buffer (walked to
 * its end all the same), -EINVAL for a bad chain
 */
static int vhost_user_gather(struct ctx *c, uint16_t head, size_t *len,
			     const char **why)
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
		if (big || b.len > LINK_RX_BUF - got) {
			big = true;
			continue;
		}
		memcpy(c->link.rx + got, b.p, b.len);
		got += b.len;
	}
	if (rc < 0)
		return rc;
	*len = got;
	return big ? -EMSGSIZE : 0;
}

/**
 * vhost_user_input() - Handle one frame the guest sent, after its header
 * @c:		Execution context
 * @len:	Bytes in the link's receive buffer, header included
 *
 * Segmentation offload is never offered: a header asking for it is a
 * framing error. A header saying the checksum is left undone is believed
 * when checksum offload was negotiated.
 */
static void vhost_user_input(struct ctx *c, size_t len)
{
	struct link *l = &c->link;
	size_t hl = l->vhost->hdr_len;
	struct virtio_net_hdr vh;

	if (len < hl) {
		count_drop(c, CNT_drop_link_framing);
		return;
	}
	memcpy(&vh, l->rx, sizeof(vh));
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		count_drop(c, CNT_drop_link_framing);
		return;
	}
	l->rx_csum_partial = l->csum_offload &&
			     vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	eth_input(c, l->rx + hl, len - hl);
	l->rx_csum_partial = false;
}

/**
 * vhost_user_rx() - Take what the guest sent on its transmit queue
 * @c:		Execution context
 *
 * A bounded batch: if chains remain after it, merd kicks itself to come
 * back after other events.
 */
static void vhost_user_rx(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	struct virtq *vq = &v->vq[VHOST_TXQ];
	const char *why = NULL;
	uint64_t one = 1;
	int i, rc = 0;

	for (i = 0; i < VHOST_RX_BUDGET && virtq_ready(vq); i++) {
		uint16_t head;
		size_t len = 0;

		rc = virtq_pop(vq, &head, &why);
		if (rc == -EAGAIN) {
			virtq_avail_event(vq);
			if (virtq_empty(vq))
				break;
			continue;
		}
		if (!rc)
			rc = vhost_user_gather(c, head, &len, &why);
		if (rc == -EINVAL) {
			vhost_user_broken(c, VHOST_TXQ, why);
			break;
		}
		virtq_used_add(vq, head, 0);
		if (rc == -EMSGSIZE)
			count_drop(c, CNT_drop_link_framing);
		else
			vhost_user_input(c, len);
		if (c->link.type != LINK_VHOST)
			return;
	}
	vhost_user_interrupt(vq);
	if (i == VHOST_RX_BUDGET && vq->kick >= 0 &&
	    write(vq->kick, &one, sizeof(one)) < 0)
		debug("vhost-user: kick eventfd: %s", strerror(errno));
}

/**
 * vhost_user_kick() - A kick eventfd fired
 * @c:		Execution context
 * @q:		Queue index
 */
void vhost_user_kick(struct ctx *c, unsigned int q)
{
	struct vhost_user *v = c->link.vhost;
	uint64_t n;

	if (c->link.type != LINK_VHOST || q >= VHOST_NQ || v->vq[q].kick < 0)
		return;
	if (read(v->vq[q].kick, &n, sizeof(n)) < 0 && errno != EAGAIN)
		debug("vhost-user: kick eventfd: %s", strerror(errno));
	if (q == VHOST_TXQ)
		vhost_user_rx(c);
	else
		c->link.tx_blocked = false;	/* new buffers: flush again */
}

/**
 * vhost_user_copy() - Copy part of header-then-frame into a guest buffer
 * @dst:	Guest buffer
 * @off:	Offset in header-then-frame
 * @n:		Bytes to copy
 * @h:		Virtio-net header
 * @hl:		Its length
 * @f:		Frame
 */
static void vhost_user_copy(uint8_t *dst, size_t off, size_t n,
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
 * struct vhost_user_fill - One frame being written into receive chains
 * @h:		Header, then @f, @total bytes in all
 * @f:		Frame
 * @total:	Header and frame length
 * @done:	Bytes written so far
 * @hdr:	Where the header went, if the first buffer holds all of it
 */
struct vhost_user_fill {
	struct virtio_net_hdr_mrg_rxbuf h;
	const uint8_t *f;
	size_t total;
	size_t done;
	uint8_t *hdr;
};

/**
 * vhost_user_fill_chain() - Write as much of a frame as one chain takes
 * @v:		vhost-user state
 * @head:	First descriptor of the chain
 * @fl:		Frame being written, progress updated
 * @written:	Set to the bytes written into this chain
 * @why:	Set to the reason on -EINVAL
 *
 * Return: 0, -EINVAL for a bad chain
 */
static int vhost_user_fill_chain(struct vhost_user *v, uint16_t head,
				 struct vhost_user_fill *fl, uint32_t *written,
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
		vhost_user_copy(b.p, fl->done, n, (const uint8_t *)&fl->h,
				v->hdr_len, fl->f);
		fl->done += n;
		*written += (uint32_t)n;
	}
	return rc < 0 ? rc : 0;
}

/**
 * vhost_user_tx_frame() - Write one frame into the guest's receive queue
 * @c:		Execution context
 * @vh:		Virtio-net header for it (checksum offload)
 * @f:		Frame
 * @len:	Its length
 *
 * The chains taken are given back, not used, if the frame does not fit
 * (the next frame may use them).
 *
 * Return: 0 once written (published by vhost_user_tx_done()), -EAGAIN if
 * the guest has no buffer free yet, -EMSGSIZE if the frame fits in no
 * buffer the guest gives, -EIO if the queue does not run (frame dropped)
 */
int vhost_user_tx_frame(struct ctx *c, const struct virtio_net_hdr *vh,
			const uint8_t *f, size_t len)
{
	struct vhost_user *v = c->link.vhost;
	struct virtq *vq = &v->vq[VHOST_RXQ];
	bool mrg = v->features & BIT(VIRTIO_NET_F_MRG_RXBUF);
	struct vhost_user_fill fl = { .f = f, .total = v->hdr_len + len };
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
		rc = virtq_pop(vq, &heads[n], &why);
		if (rc == -EAGAIN) {
			/* event index: ask for a kick, then look once more */
			virtq_avail_event(vq);
			if (!virtq_empty(vq))
				rc = virtq_pop(vq, &heads[n], &why);
		}
		if (!rc)
			rc = vhost_user_fill_chain(v, heads[n], &fl, &lens[n],
						   &why);
		if (rc) {
			virtq_unpop(vq, n);
			if (rc == -EAGAIN)
				return -EAGAIN;
			vhost_user_broken(c, VHOST_RXQ, why);
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
 * vhost_user_tx_done() - Publish the frames written to the guest, and
 * interrupt it if it asks for that
 * @c:		Execution context
 */
void vhost_user_tx_done(struct ctx *c)
{
	struct virtq *vq = &c->link.vhost->vq[VHOST_RXQ];

	if (virtq_ready(vq))
		vhost_user_interrupt(vq);
}

/**
 * struct vhost_user_hdr - Header of every message
 * @request:	Request code
 * @flags:	Version, reply and need-reply bits
 * @size:	Payload length
 */
struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

/**
 * vhost_user_reply() - Send the answer to the message just handled
 * @c:		Execution context
 * @request:	Its request code
 * @payload:	Answer
 * @size:	Its length (8 or 12 bytes here)
 *
 * Return: 0, or -EIO if it could not be sent whole
 */
static int vhost_user_reply(const struct ctx *c, uint32_t request,
			    const void *payload, uint32_t size)
{
	uint8_t buf[VHOST_USER_HDR_LEN + 16];
	struct vhost_user_hdr h = {
		.request = request,
		.flags = VHOST_USER_VERSION | VHOST_USER_REPLY,
		.size = size,
	};

	if (size > sizeof(buf) - sizeof(h))
		return -EIO;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	if (send(c->link.fd, buf, sizeof(h) + size, MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof(h) + size))
		return -EIO;
	return 0;
}

/**
 * vhost_user_reply_u64() - Send a 64-bit answer
 * @c:		Execution context
 * @request:	Request code answered
 * @val:	Value
 *
 * Return: 0, -EIO
 */
static int vhost_user_reply_u64(const struct ctx *c, uint32_t request,
				uint64_t val)
{
	return vhost_user_reply(c, request, &val, sizeof(val));
}

/**
 * vhost_user_queue() - Check a queue index from a message
 * @v:		vhost-user state
 * @idx:	Index
 *
 * Return: the queue, NULL (reported) if there is no such queue
 */
static struct virtq *vhost_user_queue(struct vhost_user *v, uint64_t idx)
{
	if (idx >= VHOST_NQ) {
		err("vhost-user: queue index %llu, only %d queues",
		    (unsigned long long)idx, VHOST_NQ);
		return NULL;
	}
	return &v->vq[idx];
}

/**
 * vhost_user_start() - Start a queue once it has a kick eventfd
 * @c:		Execution context
 * @q:		Queue index
 *
 * Rings that do not lie in guest memory stop the queue (reported).
 */
static void vhost_user_start(struct ctx *c, unsigned int q)
{
	struct vhost_user *v = c->link.vhost;
	struct virtq *vq = &v->vq[q];
	const char *why = NULL;

	vq->started = true;
	vq->broken = false;
	vq->event_idx = v->features & BIT(VIRTIO_RING_F_EVENT_IDX);
	if (virtq_resolve(vq, &v->mem, &why)) {
		vhost_user_broken(c, q, why);
		return;
	}
	debug("vhost-user: %s queue started, size %u", q ? "tx" : "rx",
	      vq->num);
	if (q == VHOST_TXQ)
		vhost_user_rx(c);
	else
		c->link.tx_blocked = false;
}

/**
 * vhost_user_set_features() - SET_FEATURES: what the guest's driver took
 * @c:		Execution context
 * @f:		Feature bits
 *
 * Return: 0, -EINVAL (reported) for a feature merd did not offer
 */
static int vhost_user_set_features(struct ctx *c, uint64_t f)
{
	struct vhost_user *v = c->link.vhost;
	unsigned int q;

	if (f & ~vhost_user_offered()) {
		err("vhost-user: features 0x%llx not offered",
		    (unsigned long long)(f & ~vhost_user_offered()));
		return -EINVAL;
	}
	v->features = f;
	v->hdr_len = f & (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF)) ?
		     sizeof(struct virtio_net_hdr_mrg_rxbuf) :
		     sizeof(struct virtio_net_hdr);
	c->link.csum_offload = (f & BIT(VIRTIO_NET_F_CSUM)) &&
			       (f & BIT(VIRTIO_NET_F_GUEST_CSUM));
	for (q = 0; q < VHOST_NQ; q++) {
		v->vq[q].event_idx = f & BIT(VIRTIO_RING_F_EVENT_IDX);
		/* without protocol features, rings start enabled */
		if (!(f & BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
			v->vq[q].enabled = true;
	}
	debug("vhost-user: features 0x%llx", (unsigned long long)f);
	return 0;
}

/**
 * vhost_user_set_mem_table() - SET_MEM_TABLE: map the guest's memory
 * @c:		Execution context
 * @p:		Payload: region count, padding, regions
 * @size:	Payload length
 *
 * The old table is unmapped; queues already started find their rings in
 * the new one, or stop.
 *
 * Return: 0, -EINVAL (reported) for a bad table
 */
static int vhost_user_set_mem_table(struct ctx *c, const uint8_t *p,
				    uint32_t size)
{
	struct vhost_user *v = c->link.vhost;
	struct vmem_desc d[VMEM_MAX_REGIONS];
	uint32_t n, i, q;

	if (size < 8)
		return -EINVAL;
	memcpy(&n, p, sizeof(n));
	if (!n || n > VMEM_MAX_REGIONS || size != 8 + 32 * n ||
	    n != v->nfds) {
		err("vhost-user: memory table of %u regions in %u bytes with "
		    "%u file descriptors", n, size, v->nfds);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *r = p + 8 + (size_t)32 * i;

		memcpy(&d[i].gpa, r, 8);
		memcpy(&d[i].size, r + 8, 8);
		memcpy(&d[i].uva, r + 16, 8);
		memcpy(&d[i].offset, r + 24, 8);
	}
	if (vmem_map(&v->mem, d, v->fds, n))
		return -EINVAL;
	for (i = 0; i < n; i++)
		debug("vhost-user: memory region %u: guest 0x%llx size 0x%llx",
		      i, (unsigned long long)d[i].gpa,
		      (unsigned long long)d[i].size);
	for (q = 0; q < VHOST_NQ; q++) {
		if (v->vq[q].started)
			vhost_user_start(c, q);
		else
			virtq_forget_rings(&v->vq[q]);	/* old mapping */
	}
	return 0;
}

/**
 * vhost_user_set_fd() - SET_VRING_KICK, _CALL, _ERR: a queue's eventfd
 * @c:		Execution context
 * @req:	Which of the three
 * @val:	Payload: queue index, and the no-fd flag
 *
 * Return: 0, -EINVAL (reported)
 */
static int vhost_user_set_fd(struct ctx *c, uint32_t req, uint64_t val)
{
	struct vhost_user *v = c->link.vhost;
	unsigned int q = (unsigned int)(val & VHOST_USER_VRING_IDX_MASK);
	bool nofd = val & VHOST_USER_VRING_NOFD;
	struct virtq *vq = vhost_user_queue(v, q);
	int fd, *slot;

	if (!vq || val & ~(VHOST_USER_VRING_IDX_MASK | VHOST_USER_VRING_NOFD) ||
	    v->nfds != (nofd ? 0U : 1U))
		return -EINVAL;
	if (nofd && req == VHOST_USER_SET_VRING_KICK) {
		err("vhost-user: a queue without kick eventfd (polling) is "
		    "not supported");
		return -EINVAL;
	}
	fd = nofd ? -1 : v->fds[0];
	v->nfds = 0;			/* the queue owns it now */
	/* never block on what the frontend passed (a full pipe, say) */
	if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK)) {
		err("vhost-user: eventfd: %s", strerror(errno));
		close(fd);
		return -EINVAL;
	}
	if (req == VHOST_USER_SET_VRING_KICK) {
		vhost_user_stop(c, vq);
		if (epoll_add(c, fd, EPOLLIN,
			      EPOLL_REF(EPOLL_TYPE_VHOST_KICK, q))) {
			err("vhost-user: kick eventfd: %s", strerror(errno));
			close(fd);
			return -EINVAL;
		}
		vq->kick = fd;
		vhost_user_start(c, q);
		return 0;
	}
	slot = req == VHOST_USER_SET_VRING_CALL ? &vq->call : &vq->err;
	vhost_user_close_fd(slot);
	*slot = fd;
	return 0;
}

/**
 * vhost_user_vring_state() - SET_VRING_NUM, _BASE, _ENABLE, GET_VRING_BASE
 * @c:		Execution context
 * @req:	Request
 * @p:		Payload: queue index, value (32 bits each)
 *
 * Return: 0, -EINVAL (reported)
 */
static int vhost_user_vring_state(struct ctx *c, uint32_t req,
				  const uint8_t *p)
{
	struct vhost_user *v = c->link.vhost;
	uint32_t s[2];
	struct virtq *vq;

	memcpy(s, p, sizeof(s));
	vq = vhost_user_queue(v, s[0]);
	if (!vq)
		return -EINVAL;
	switch (req) {
	case VHOST_USER_SET_VRING_NUM:
		if (!virtq_size_valid(s[1]) || vq->started) {
			err("vhost-user: queue size %u%s", s[1],
			    vq->started ? " on a running queue" :
			    ": not a power of two up to 32768");
			return -EINVAL;
		}
		vq->num = s[1];
		return 0;
	case VHOST_USER_SET_VRING_BASE:
		if (s[1] > UINT16_MAX || vq->started) {
			err("vhost-user: queue base %u", s[1]);
			return -EINVAL;
		}
		vq->last_avail = (uint16_t)s[1];
		return 0;
	case VHOST_USER_SET_VRING_ENABLE:
		if (s[1] > 1)
			return -EINVAL;
		vq->enabled = s[1];
		if (s[0] == VHOST_RXQ)
			c->link.tx_blocked = false;
		return 0;
	default:				/* GET_VRING_BASE */
		vhost_user_stop(c, vq);
		s[1] = vq->last_avail;
		return vhost_user_reply(c, req, s, sizeof(s)) ? -EIO : 1;
	}
}

/**
 * vhost_user_set_addr() - SET_VRING_ADDR: where a queue's rings are
 * @c:		Execution context
 * @p:		Payload: struct vhost_vring_addr
 *
 * Return: 0, -EINVAL (reported)
 */
static int vhost_user_set_addr(struct ctx *c, const uint8_t *p)
{
	struct vhost_user *v = c->link.vhost;
	uint32_t idx;
	struct virtq *vq;

	memcpy(&idx, p, sizeof(idx));
	vq = vhost_user_queue(v, idx);
	if (!vq)
		return -EINVAL;
	memcpy(&vq->desc_uva, p + 8, 8);
	memcpy(&vq->used_uva, p + 16, 8);
	memcpy(&vq->avail_uva, p + 24, 8);
	vq->addr_set = true;
	if (vq->started)
		vhost_user_start(c, idx);
	return 0;
}

/**
 * vhost_user_payload_ok() - Check a message's payload size and fd count
 * @req:	Request
 * @size:	Payload length
 * @nfds:	File descriptors that came with it
 *
 * SET_MEM_TABLE and the eventfd messages check their own descriptors.
 *
 * Return: true if they fit the request
 */
static bool vhost_user_payload_ok(uint32_t req, uint32_t size,
				  unsigned int nfds)
{
	switch (req) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_SET_OWNER:
	case VHOST_USER_RESET_OWNER:
		return !size && !nfds;
	case VHOST_USER_SET_FEATURES:
	case VHOST_USER_SET_PROTOCOL_FEATURES:
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		return size == 8 && !nfds;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return size == 8;
	case VHOST_USER_SET_VRING_ADDR:
		return size == 40 && !nfds;
	case VHOST_USER_SET_MEM_TABLE:
		return true;
	default:
		return false;
	}
}

/**
 * vhost_user_handle() - Act on one whole message
 * @c:		Execution context
 * @req:	Request
 * @p:		Payload, length already checked
 * @size:	Its length
 *
 * Return: 0 done (acknowledge if asked), 1 done and answered, negative
 * errno for a bad message (the connection is dropped)
 */
static int vhost_user_handle(struct ctx *c, uint32_t req, const uint8_t *p,
			     uint32_t size)
{
	struct vhost_user *v = c->link.vhost;
	uint64_t u = 0;

	if (size == 8)
		memcpy(&u, p, sizeof(u));
	switch (req) {
	case VHOST_USER_GET_FEATURES:
		return vhost_user_reply_u64(c, req, vhost_user_offered()) ?: 1;
	case VHOST_USER_SET_FEATURES:
		return vhost_user_set_features(c, u);
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		return vhost_user_reply_u64(c, req,
					    BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK)) ?: 1;
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if (u & ~BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))
			return -EINVAL;
		v->protocol = u;
		return 0;
	case VHOST_USER_SET_OWNER:
		return 0;
	case VHOST_USER_RESET_OWNER:
		vhost_user_reset(c);
		return 0;
	case VHOST_USER_SET_MEM_TABLE:
		return vhost_user_set_mem_table(c, p, size);
	case VHOST_USER_SET_VRING_ADDR:
		return vhost_user_set_addr(c, p);
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return vhost_user_set_fd(c, req, u);
	default:
		return vhost_user_vring_state(c, req, p);
	}
}

/**
 * vhost_user_message() - Check and handle the message received whole
 * @c:		Execution context
 *
 * Return: 0, or negative errno for a bad message
 */
static int vhost_user_message(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	struct vhost_user_hdr h;
	int rc;

	memcpy(&h, v->msg, sizeof(h));
	if (v->fds_bad || !vhost_user_payload_ok(h.request, h.size, v->nfds)) {
		err("vhost-user: request %u with %u bytes and %u file "
		    "descriptors not understood", h.request, h.size, v->nfds);
		return -EINVAL;
	}
	trace("vhost-user: request %u, %u bytes", h.request, h.size);
	rc = vhost_user_handle(c, h.request, v->msg + sizeof(h), h.size);
	vhost_user_drop_fds(v);
	if (rc < 0)
		return rc;
	if (!rc && h.flags & VHOST_USER_NEED_REPLY &&
	    v->protocol & BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))
		return vhost_user_reply_u64(c, h.request, 0);
	return 0;
}

/**
 * vhost_user_take_fds() - Keep the file descriptors that came with data
 * @v:		vhost-user state
 * @mh:		Message header of the recvmsg() call
 */
static void vhost_user_take_fds(struct vhost_user *v, struct msghdr *mh)
{
	struct cmsghdr *cm;

	if (mh->msg_flags & MSG_CTRUNC)
		v->fds_bad = true;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t i, n;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (v->nfds < VMEM_MAX_REGIONS) {
				v->fds[v->nfds++] = fd;
			} else {
				close(fd);
				v->fds_bad = true;
			}
		}
	}
}

/**
 * vhost_user_recv() - Read the rest of the header, or of the payload
 * @c:		Execution context
 *
 * Return: bytes read, 0 if nothing is there yet, -EPIPE once qemu closed
 * the connection, -EINVAL for a payload too long, other negative errno
 */
static ssize_t vhost_user_recv(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	char cbuf[CMSG_SPACE(sizeof(int) * VMEM_MAX_REGIONS)];
	struct iovec iov = { .iov_base = v->msg + v->got };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct vhost_user_hdr h;
	ssize_t n;

	if (v->got < VHOST_USER_HDR_LEN) {
		iov.iov_len = VHOST_USER_HDR_LEN - v->got;
	} else {
		memcpy(&h, v->msg, sizeof(h));
		iov.iov_len = VHOST_USER_HDR_LEN + h.size - v->got;
	}
	n = recvmsg(c->link.fd, &mh, MSG_CMSG_CLOEXEC);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	vhost_user_take_fds(v, &mh);
	v->got += (size_t)n;
	if (v->got == VHOST_USER_HDR_LEN) {
		memcpy(&h, v->msg, sizeof(h));
		if (h.size > VHOST_USER_PAYLOAD_MAX ||
		    (h.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
			err("vhost-user: request %u: payload of %u bytes, "
			    "flags 0x%x", h.request, h.size, h.flags);
			return -EINVAL;
		}
	}
	return n;
}

/**
 * vhost_user_event() - Read and handle what qemu sent on the connection
 * @c:		Execution context
 *
 * A bad message, or the connection closing, detaches the guest: merd
 * listens for the next qemu.
 */
void vhost_user_event(struct ctx *c)
{
	struct vhost_user *v = c->link.vhost;
	struct vhost_user_hdr h;
	ssize_t n;
	int rc;

	for (;;) {
		n = vhost_user_recv(c);
		if (!n)
			return;
		if (n < 0) {
			link_detach(c, n == -EPIPE ? "qemu closed the vhost-user connection"
						   : "bad vhost-user message");
			return;
		}
		if (v->got < VHOST_USER_HDR_LEN)
			continue;
		memcpy(&h, v->msg, sizeof(h));
		if (v->got < VHOST_USER_HDR_LEN + h.size)
			continue;
		v->got = 0;
		rc = vhost_user_message(c);
		if (rc) {
			vhost_user_drop_fds(v);
			link_detach(c, "bad vhost-user message");
			return;
		}
		if (c->link.type != LINK_VHOST)
			return;
	}
}
