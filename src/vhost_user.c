// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user.c - vhost-user backend: the control protocol on qemu's UNIX
 * socket (frames move in vhost_net.c)
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
 * and it is enabled; frames then move in vhost_net.c. The kick eventfds
 * are in epoll (EPOLL_TYPE_VHOST_KICK, by queue).
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

#include "link.h"
#include "log.h"
#include "merd.h"
#include "pcap.h"
#include "util.h"
#include "vhost_net.h"
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

/**
 * vhost_user_offered() - Virtio features merd offers
 *
 * Return: the feature bits
 */
static uint64_t vhost_user_offered(void)
{
	uint64_t f = VHOST_BIT(VIRTIO_F_VERSION_1) |
		     VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF) |
		     VHOST_BIT(VIRTIO_RING_F_EVENT_IDX) |
		     VHOST_BIT(VHOST_USER_F_PROTOCOL_FEATURES);

	if (!pcap_active())
		f |= VHOST_BIT(VIRTIO_NET_F_CSUM) |
		     VHOST_BIT(VIRTIO_NET_F_GUEST_CSUM);
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
	vq->event_idx = v->features & VHOST_BIT(VIRTIO_RING_F_EVENT_IDX);
	if (virtq_resolve(vq, &v->mem, &why)) {
		vhost_net_broken(c, q, why);
		return;
	}
	debug_ratelimited("vhost-user: %s queue started, size %u",
			  q ? "tx" : "rx", vq->num);
	if (q == VHOST_TXQ)
		vhost_net_rx(c);
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
	v->hdr_len = f & (VHOST_BIT(VIRTIO_F_VERSION_1) |
			  VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF)) ?
		     sizeof(struct virtio_net_hdr_mrg_rxbuf) :
		     sizeof(struct virtio_net_hdr);
	c->link.csum_offload = (f & VHOST_BIT(VIRTIO_NET_F_CSUM)) &&
			       (f & VHOST_BIT(VIRTIO_NET_F_GUEST_CSUM));
	for (q = 0; q < VHOST_NQ; q++) {
		v->vq[q].event_idx = f & VHOST_BIT(VIRTIO_RING_F_EVENT_IDX);
		/* without protocol features, rings start enabled */
		if (!(f & VHOST_BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
			v->vq[q].enabled = true;
	}
	debug_ratelimited("vhost-user: features 0x%llx",
			  (unsigned long long)f);
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
		debug_ratelimited("vhost-user: memory region %u: guest 0x%llx "
				  "size 0x%llx", i,
				  (unsigned long long)d[i].gpa,
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
		u = VHOST_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK);
		return vhost_user_reply_u64(c, req, u) ?: 1;
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if (u & ~VHOST_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))
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
	    v->protocol & VHOST_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))
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
			link_detach(c, n == -EPIPE ?
				    "qemu closed the vhost-user connection" :
				    "bad vhost-user message");
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
