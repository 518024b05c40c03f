// SPDX-License-Identifier: GPL-2.0-or-later
/* link.c - The guest link: framing, batched reads and writes of frames
 *
 * Four kinds of link carry the guest's Ethernet frames:
 * - qemu's stream netdev on a UNIX socket merd listens on (VM mode): each
 *   frame follows a 4-byte big-endian length;
 * - the same framing on a socket inherited from a launcher (--fd);
 * - vhost-user (--vhost-user): the socket carries qemu's control messages,
 *   frames go through virtqueues in the guest's memory (vhost_user.c);
 * - a tap device in the guest's network namespace: one frame per read()
 *   and write(), after a virtio-net header if the tap has one
 *   (IFF_VNET_HDR, as namespace mode creates it).
 *
 * Receive: as many bytes as one recv() gives, every whole frame in them
 * handed to eth_input(), a partial frame kept for the next read; a bounded
 * number of reads per wake-up. A length of 0 or over LINK_FRAME_MAX is a
 * framing error: the connection is dropped and merd listens again.
 *
 * Transmit: frames are built in place in one queue (each after a length
 * word, which is what the stream link sends anyway) and written in one
 * call per batch, at the end of each event loop iteration.
 *
 * Checksum offload: with a virtio-net header on the tap, TCP segments
 * toward the guest carry only the pseudo-header sum, and the header asks
 * the guest's kernel to finish the checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM):
 * the kernel takes such a frame as checksummed (CHECKSUM_PARTIAL), and
 * computes the sum only if it sends the packet on. The other way, the tap
 * offers TUN_F_CSUM: the guest's kernel leaves its transport checksums
 * undone and says so in the header, and merd does not check them (no wire
 * lies between the two). Neither merd nor the guest reads the payload for
 * a checksum. A --pcap capture turns offload off, so that captured
 * checksums are real.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "eth.h"
#include "flow.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "ndp.h"
#include "ip.h"
#include "pcap.h"
#include "tcp.h"
#include "util.h"
#include "vhost_net.h"
#include "vhost_user.h"

/**
 * link_init() - Allocate the link's buffers, once
 * @c:		Execution context
 *
 * Return: 0 on success, -ENOMEM
 */
int link_init(struct ctx *c)
{
	struct link *l = &c->link;

	l->type = LINK_NONE;
	l->fd = -1;
	l->listen_fd = -1;
	l->rx = malloc(LINK_RX_BUF);
	l->tx = malloc(LINK_TX_BUF);
	if (!l->rx || !l->tx)
		return -ENOMEM;
	return c->conf.vhost_user ? vhost_user_init(c) : 0;
}

/**
 * link_listen() - Listen on a UNIX stream socket for qemu
 * @c:		Execution context
 * @path:	Socket path; a stale socket there is replaced
 *
 * Return: 0 on success, negative errno on failure (logged)
 */
int link_listen(struct ctx *c, const char *path)
{
	int fd = unix_listen("socket", path, 1, false), rc;

	if (fd < 0)
		return fd;
	c->link.listen_fd = fd;
	rc = epoll_add(c, fd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_LINK_LISTEN, 0));
	if (rc)
		return rc;
	info("listening on %s", path);
	return 0;
}

/**
 * link_accept() - Accept a qemu connection on the listening socket
 * @c:		Execution context
 *
 * A second connection while a guest is attached is refused: closed at once.
 */
void link_accept(struct ctx *c)
{
	int fd = accept4(c->link.listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (c->link.type != LINK_NONE) {
		warn_ratelimited("guest already attached, refusing another "
				 "connection");
		close(fd);
		return;
	}
	if (!link_attach(c, fd, c->conf.vhost_user ? LINK_VHOST : LINK_STREAM))
		info("guest connected");
}

/**
 * link_tap_mac() - Know the guest's MAC address before its first frame
 * @c:		Execution context
 * @fd:		Tap
 *
 * A connection forwarded to the guest right after start may come before
 * the guest has sent anything; a frame sent to the broadcast address
 * would reach its IP layer, but its TCP drops segments that are not
 * addressed to it. The tap's own address is the guest's: ask the device.
 * Frames from the guest still update it (eth.c) if it changes later.
 */
static void link_tap_mac(struct ctx *c, int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) ||
	    ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER ||
	    (ifr.ifr_hwaddr.sa_data[0] & 1))
		return;			/* learned from its frames instead */
	memcpy(c->guest_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	c->guest_mac_known = true;
}

/**
 * link_tap_offload() - Use the virtio-net header of a tap, if it has one
 * @l:		Link
 * @fd:		Tap
 *
 * Turns checksum offload on, both ways, unless frames are captured
 * (--pcap).
 */
static void link_tap_offload(struct link *l, int fd)
{
	int hl = (int)sizeof(struct virtio_net_hdr);
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	l->vnet_hdr = !ioctl(fd, TUNGETIFF, &ifr) &&
		      ifr.ifr_flags & IFF_VNET_HDR &&
		      !ioctl(fd, TUNSETVNETHDRSZ, &hl);
	l->csum_offload = l->vnet_hdr && !pcap_active() &&
			  !ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_F_CSUM);
}

/**
 * link_attach() - Start serving a guest on a connected socket or tap
 * @c:		Execution context
 * @fd:		Socket or tap file descriptor, owned from now on
 * @type:	Framing
 *
 * Return: 0 on success, negative errno on failure (@fd closed)
 */
int link_attach(struct ctx *c, int fd, enum link_type type)
{
	struct link *l = &c->link;
	int flags = fcntl(fd, F_GETFL), rc;

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = epoll_add(c, fd, EPOLLIN | EPOLLRDHUP,
		       EPOLL_REF(EPOLL_TYPE_LINK, 0));
	if (rc) {
		close(fd);
		return rc;
	}
	l->fd = fd;
	l->type = type;
	l->rx_len = l->rx_off = l->tx_len = l->tx_done = 0;
	l->tx_blocked = false;
	l->vnet_hdr = l->csum_offload = false;
	c->guest_mac_known = false;
	if (type == LINK_TAP) {
		link_tap_offload(l, fd);
		link_tap_mac(c, fd);
	}
	if (type == LINK_VHOST)
		vhost_user_attach(c);
	return 0;
}

/**
 * link_detach() - Stop serving the current guest
 * @c:		Execution context
 * @why:	Reason, for the log
 *
 * In one-off mode, or without a listening socket to wait on, merd stops.
 */
void link_detach(struct ctx *c, const char *why)
{
	struct link *l = &c->link;

	if (l->type == LINK_NONE)
		return;
	info("guest link closed: %s", why);
	if (l->type == LINK_VHOST)
		vhost_user_detach(c);
	close(l->fd);
	l->fd = -1;
	l->type = LINK_NONE;
	l->rx_len = l->rx_off = l->tx_len = l->tx_done = 0;
	l->tx_blocked = false;
	c->guest_mac_known = false;
	c->guest_addr4.s_addr = 0;
	memset(&c->guest_addr6, 0, sizeof(c->guest_addr6));
	ndp_guest_gone(c);
	flow_close_all(c);		/* a new guest starts from nothing */
	if (c->conf.one_off || l->listen_fd < 0)
		c->stop = true;
}

/**
 * link_rx_stream() - Split the receive buffer into frames
 * @c:		Execution context
 * @len:	Bytes in the buffer
 *
 * Return: bytes consumed, or -1 after a framing error (link detached)
 */
static ssize_t link_rx_stream(struct ctx *c, size_t len)
{
	uint8_t *buf = c->link.rx;
	size_t off = 0;

	while (len - off >= 4) {
		uint32_t flen = rd32(buf + off);

		if (flen == 0 || flen > LINK_FRAME_MAX) {
			count_drop(c, CNT_drop_link_framing);
			warn_ratelimited("link: frame length %u out of 1..%u, "
					 "dropping guest", flen,
					 LINK_FRAME_MAX);
			link_detach(c, "framing error");
			return -1;
		}
		if (len - off - 4 < flen)
			break;
		eth_input(c, buf + off + 4, flen);
		if (c->link.type == LINK_NONE)
			return -1;
		off += 4 + flen;
	}
	return (ssize_t)off;
}

/**
 * link_rx_slot() - Where the next frame read from a tap or a virtqueue goes
 * @c:		Execution context
 *
 * The frames of a batch are kept one after the other in the receive
 * buffer, as TCP gathers their payload to write it to the host sockets in
 * one call per run of segments: when the buffer is full, that payload is
 * written (tcp_rx_flush()) before the buffer is used again from its start.
 *
 * Return: the place, with LINK_RX_ROOM bytes free
 */
uint8_t *link_rx_slot(struct ctx *c)
{
	struct link *l = &c->link;

	if (LINK_RX_BUF - l->rx_off < LINK_RX_ROOM) {
		tcp_rx_flush(c);
		l->rx_off = 0;
	}
	return l->rx + l->rx_off;
}

/**
 * link_rx_done() - The batch's TCP payload is written: the receive buffer
 * is free again from its start
 * @c:		Execution context
 */
void link_rx_done(struct ctx *c)
{
	c->link.rx_off = 0;
}

/**
 * link_vnet_input() - Handle one frame read from a tap or a virtqueue,
 * after its virtio-net header if it has one (IFF_VNET_HDR, vhost-user)
 * @c:		Execution context
 * @buf:	The frame, from link_rx_slot(): kept until the batch ends
 * @len:	Its bytes, header included
 * @hl:		Header length: 0 for none, else at least a struct virtio_net_hdr
 *
 * The header may say that the transport checksum was left undone
 * (checksum offload, believed only where it was negotiated); segmentation
 * offload is never offered, so a frame asking for it is a framing error.
 */
void link_vnet_input(struct ctx *c, uint8_t *buf, size_t len, size_t hl)
{
	struct link *l = &c->link;
	struct virtio_net_hdr vh = { 0 };

	l->rx_off += (len + 63) & ~(size_t)63;	/* the next frame after it */
	if (len < hl) {
		count_drop(c, CNT_drop_link_framing);
		return;
	}
	if (hl)
		memcpy(&vh, buf, sizeof(vh));
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		count_drop(c, CNT_drop_link_framing);
		return;
	}
	l->rx_csum_partial = l->csum_offload &&
			     vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	eth_input(c, buf + hl, len - hl);
	l->rx_csum_partial = false;
}

/**
 * link_rx() - Read and handle what the guest sent, in a bounded batch
 * @c:		Execution context
 */
void link_rx(struct ctx *c)
{
	struct link *l = &c->link;
	int i;

	if (l->type == LINK_VHOST) {
		vhost_user_event(c);	/* control messages; frames: kicks */
		return;
	}
	for (i = 0; i < LINK_RX_BUDGET && l->type != LINK_NONE; i++) {
		ssize_t n, used;

		if (l->type == LINK_TAP) {
			uint8_t *slot = link_rx_slot(c);

			n = read(l->fd, slot, LINK_RX_ROOM);
			if (n > 0)
				link_vnet_input(c, slot, (size_t)n,
						l->vnet_hdr ?
						sizeof(struct virtio_net_hdr) :
						0);
		} else {
			n = recv(l->fd, l->rx + l->rx_len,
				 LINK_RX_BUF - l->rx_len, 0);
			if (n == 0) {
				link_detach(c, "guest closed the connection");
				return;
			}
			if (n > 0) {
				l->rx_len += (size_t)n;
				used = link_rx_stream(c, l->rx_len);
				if (used < 0)
					return;
				tcp_rx_flush(c);	/* frames move or go */
				l->rx_len -= (size_t)used;
				memmove(l->rx, l->rx + used, l->rx_len);
			}
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			link_detach(c, strerror(errno));
			return;
		}
	}
}

/**
 * link_tx_compact() - Move unwritten frames to the start of the queue
 * @l:		Link
 */
static void link_tx_compact(struct link *l)
{
	if (!l->tx_done)
		return;
	memmove(l->tx, l->tx + l->tx_done, l->tx_len - l->tx_done);
	l->tx_len -= l->tx_done;
	l->tx_done = 0;
}

/**
 * link_tx_tail_room() - Free end of the transmit queue, with room asked for
 * @c:		Execution context
 * @need:	Bytes that must be free from the end of the queue
 * @space:	Set to the bytes free there
 *
 * Return: where the next length word goes, NULL if no guest is attached
 * or the queue has not @need bytes free, even once flushed
 */
static uint8_t *link_tx_tail_room(struct ctx *c, size_t need, size_t *space)
{
	struct link *l = &c->link;

	if (l->type == LINK_NONE)
		return NULL;
	if (LINK_TX_BUF - l->tx_len < need) {
		link_tx_flush(c);
		link_tx_compact(l);
	}
	if (l->type == LINK_NONE || LINK_TX_BUF - l->tx_len < need)
		return NULL;
	*space = LINK_TX_BUF - l->tx_len;
	return l->tx + l->tx_len;
}

/**
 * link_tx_tail() - Free end of the transmit queue, for several frames
 * @c:		Execution context
 * @space:	Set to the bytes free there
 *
 * Frames built there one after the other (length word, frame) are queued
 * by link_tx_commit() in the same order.
 *
 * Return: where the next length word goes, NULL if no guest is attached
 * or the queue is full
 */
uint8_t *link_tx_tail(struct ctx *c, size_t *space)
{
	return link_tx_tail_room(c, LINK_TX_SLOT, space);
}

/**
 * link_tx_reserve_room() - Room for frames at the end of the transmit queue
 * @c:		Execution context
 * @room:	Bytes needed from the end of the queue, length words
 *		included: at least LINK_TX_SLOT
 *
 * Return: where to build the first frame, or NULL if no guest is attached
 * or the queue is full (counted as a drop)
 */
uint8_t *link_tx_reserve_room(struct ctx *c, size_t room)
{
	size_t space;
	uint8_t *tail;

	if (c->link.type == LINK_NONE) {
		count_drop(c, CNT_drop_no_guest);
		return NULL;
	}
	tail = link_tx_tail_room(c, MAX(room, (size_t)LINK_TX_SLOT), &space);
	if (!tail) {
		count_drop(c, CNT_drop_tx_full);
		return NULL;
	}
	return tail + 4;
}

/**
 * link_tx_reserve() - Room for one frame at the end of the transmit queue
 * @c:		Execution context
 * @cap:	Set to the largest frame that fits
 *
 * Return: where to build the frame, or NULL if no guest is attached or the
 * queue is full (counted as a drop)
 */
uint8_t *link_tx_reserve(struct ctx *c, size_t *cap)
{
	uint8_t *f = link_tx_reserve_room(c, LINK_TX_SLOT);

	if (f)
		*cap = LINK_FRAME_MAX;
	return f;
}

static void link_direct_frame(struct ctx *c, size_t frame_len);

/**
 * link_tx_commit() - Queue the frame built at the last reservation
 * @c:		Execution context
 * @frame_len:	Length of the frame, at most the reserved capacity
 */
void link_tx_commit(struct ctx *c, size_t frame_len)
{
	struct link *l = &c->link;

	if (l->direct) {
		link_direct_frame(c, frame_len);
	} else {
		wr32(l->tx + l->tx_len, (uint32_t)frame_len);
		pcap_frame(l->tx + l->tx_len + 4, frame_len);
		l->tx_len += 4 + frame_len;
	}
	c->counters[CNT_frames_out]++;
	c->counters[CNT_bytes_out] += frame_len;
}

/**
 * link_tx_blocked() - Wait for the link to take more, or give up on it
 * @c:		Execution context
 * @e:		errno of the failed write
 *
 * Return: true if the queue should be kept for later
 */
static bool link_tx_blocked(struct ctx *c, int e)
{
	struct link *l = &c->link;

	if (e == EAGAIN || e == EINTR) {
		if (!l->tx_blocked) {
			l->tx_blocked = true;
			epoll_mod(c, l->fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP,
				  EPOLL_REF(EPOLL_TYPE_LINK, 0));
		}
		return true;
	}
	link_detach(c, strerror(e));
	return false;
}

/**
 * link_vnet_hdr() - Fill the virtio-net header of a frame toward the guest
 * @l:		Link
 * @f:		Frame, built by merd
 * @len:	Its length
 * @vh:		Header to fill
 *
 * With checksum offload, a TCP segment's checksum field holds only the
 * pseudo-header sum (ip.c): the header says where the guest's kernel is
 * to finish it.
 */
static void link_vnet_hdr(const struct link *l, const uint8_t *f, size_t len,
			  struct virtio_net_hdr *vh)
{
	size_t l4 = 0;

	memset(vh, 0, sizeof(*vh));
	if (!l->csum_offload || len < ETH_HDR_LEN + IP4_HDR_LEN + 20)
		return;
	if (rd16(f + 12) == ETHERTYPE_IP && f[ETH_HDR_LEN + 9] == IPPROTO_TCP)
		l4 = ETH_HDR_LEN + (size_t)(f[ETH_HDR_LEN] & 0xf) * 4;
	else if (rd16(f + 12) == ETHERTYPE_IPV6 &&
		 len >= ETH_HDR_LEN + IP6_HDR_LEN + 20 &&
		 f[ETH_HDR_LEN + 6] == IPPROTO_TCP)
		l4 = ETH_HDR_LEN + IP6_HDR_LEN;
	if (!l4)
		return;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l4;
	vh->csum_offset = 16;		/* TCP checksum field */
}

/**
 * link_direct_begin() - Reserve guest buffers for frames whose payload the
 * caller reads straight into them, with no copy by merd
 * @c:		Execution context
 * @hdrs:	Bytes of headers before each payload (Ethernet, IP, transport)
 * @mss:	Payload bytes per frame
 * @room:	Payload bytes wanted
 * @iov:	Set to the payload pieces, @mss bytes per frame, in order
 * @niov:	Set to their number
 *
 * Only over vhost-user with checksum offload (the guest's kernel sums the
 * payload; with --pcap offload is off, so every frame is captured from the
 * queue) and while nothing waits in the queue, so that frames keep their
 * order. Until link_direct_end(), each frame built and committed as usual
 * (its headers at the end of the queue, which is scratch space then) goes
 * to the guest's buffers instead, its payload being there already.
 *
 * Return: payload bytes reserved, 0 if the caller must use the queue,
 * -ENOBUFS if the guest has no receive buffer free: the link then waits
 * for the guest's kick, as when its queue found none (link_direct_wait())
 */
ssize_t link_direct_begin(struct ctx *c, size_t hdrs, size_t mss,
			  size_t room, const struct iovec **iov, size_t *niov)
{
	struct link *l = &c->link;
	ssize_t n;

	if (l->type != LINK_VHOST || !l->csum_offload || l->tx_blocked ||
	    l->tx_done != l->tx_len)
		return 0;
	n = vhost_net_direct_begin(c, hdrs, mss, room, iov, niov);
	if (n == -ENOBUFS)
		l->tx_blocked = true;
	l->direct = n > 0;
	return n;
}

/**
 * link_direct_wait() - Before a batch of data toward the guest: flush what
 * waits in the queue if direct frames may follow, and say if the guest's
 * buffers are all taken
 * @c:		Execution context
 *
 * Over vhost-user, data that finds no receive buffer stays in its socket
 * (the caller retries once the guest gives buffers, which clears
 * @tx_blocked) rather than being copied into the queue to wait there.
 *
 * Return: true if the caller should wait for the guest's buffers
 */
bool link_direct_wait(struct ctx *c)
{
	struct link *l = &c->link;

	if (l->type != LINK_VHOST || !l->csum_offload)
		return false;
	if (!l->tx_blocked && l->tx_done != l->tx_len)
		link_tx_flush(c);
	return l->type == LINK_VHOST && l->tx_blocked;
}

/**
 * link_direct_frame() - Send a frame built during a direct batch
 * @c:		Execution context
 * @frame_len:	Its length, headers (at the end of the queue) and payload
 *		(in the guest's buffers)
 */
static void link_direct_frame(struct ctx *c, size_t frame_len)
{
	const uint8_t *f = c->link.tx + c->link.tx_len + 4;
	struct virtio_net_hdr vh;

	link_vnet_hdr(&c->link, f, frame_len, &vh);
	if (vhost_net_direct_frame(c, &vh, f, frame_len))
		count_drop(c, CNT_drop_vhost_buf);
	else
		c->counters[CNT_frames_direct]++;
}

/**
 * link_direct_end() - End a direct batch: buffers not used go back to the
 * guest's queue, the frames are published
 * @c:		Execution context
 */
void link_direct_end(struct ctx *c)
{
	if (!c->link.direct)
		return;
	c->link.direct = false;
	vhost_net_direct_end(c);
}

/**
 * link_tx_flush_tap() - Write queued frames to the tap, one per write()
 * @c:		Execution context
 */
static void link_tx_flush_tap(struct ctx *c)
{
	struct link *l = &c->link;
	struct virtio_net_hdr vh;
	struct iovec iov[2] = { { .iov_base = &vh, .iov_len = sizeof(vh) } };

	while (l->tx_done < l->tx_len) {
		uint32_t flen = rd32(l->tx + l->tx_done);
		int skip = l->vnet_hdr ? 0 : 1;

		iov[1].iov_base = l->tx + l->tx_done + 4;
		iov[1].iov_len = flen;
		if (l->vnet_hdr)
			link_vnet_hdr(l, iov[1].iov_base, flen, &vh);
		if (writev(l->fd, iov + skip, 2 - skip) < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				link_tx_blocked(c, errno);
				return;
			}
			debug_ratelimited("link: tap write: %s",
					  strerror(errno));
			count_drop(c, CNT_drop_tx_full);
		}
		l->tx_done += 4 + flen;
	}
}

/**
 * link_tx_flush_vhost() - Copy queued frames into the guest's receive queue
 * @c:		Execution context
 *
 * Frames wait in the queue while the guest has no buffer free (its next
 * kick of the receive queue clears @tx_blocked); those the device cannot
 * take at all are dropped and counted.
 */
static void link_tx_flush_vhost(struct ctx *c)
{
	struct link *l = &c->link;
	struct virtio_net_hdr vh;

	while (l->tx_done < l->tx_len) {
		uint32_t flen = rd32(l->tx + l->tx_done);
		const uint8_t *f = l->tx + l->tx_done + 4;
		int rc;

		link_vnet_hdr(l, f, flen, &vh);
		rc = vhost_net_tx_frame(c, &vh, f, flen);
		if (rc == -EAGAIN) {
			l->tx_blocked = true;
			break;
		}
		if (rc)
			count_drop(c, rc == -EMSGSIZE ? CNT_drop_vhost_buf
						      : CNT_drop_no_guest);
		l->tx_done += 4 + flen;
	}
	vhost_net_tx_done(c);
}

/**
 * link_tx_flush() - Write the transmit queue to the guest, as far as it goes
 * @c:		Execution context
 */
void link_tx_flush(struct ctx *c)
{
	struct link *l = &c->link;
	ssize_t n;

	if (l->type == LINK_NONE || l->tx_blocked || l->tx_done == l->tx_len)
		return;

	if (l->type == LINK_TAP) {
		link_tx_flush_tap(c);
	} else if (l->type == LINK_VHOST) {
		link_tx_flush_vhost(c);
	} else {
		while (l->tx_done < l->tx_len) {
			n = send(l->fd, l->tx + l->tx_done,
				 l->tx_len - l->tx_done, MSG_NOSIGNAL);
			if (n < 0) {
				if (!link_tx_blocked(c, errno))
					return;
				break;
			}
			l->tx_done += (size_t)n;
		}
	}
	if (l->type != LINK_NONE && l->tx_done == l->tx_len)
		l->tx_len = l->tx_done = 0;
}

/**
 * link_event_out() - The link can take more: resume writing
 * @c:		Execution context
 */
void link_event_out(struct ctx *c)
{
	struct link *l = &c->link;

	l->tx_blocked = false;
	epoll_mod(c, l->fd, EPOLLIN | EPOLLRDHUP,
		  EPOLL_REF(EPOLL_TYPE_LINK, 0));
	link_tx_flush(c);
}
