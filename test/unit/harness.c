// SPDX-License-Identifier: GPL-2.0-or-later
/* harness.c - A merd execution context for unit tests and fuzz targets
 *
 * harness_init() sets up a struct ctx the way main() does (epoll, timerfd,
 * flow table, NDP, TCP lists, link buffers), configured through
 * conf_parse() with documentation addresses, and attaches a LINK_STREAM guest link on
 * one end of a UNIX socketpair. Tests write frames on the other end
 * (harness_send(), which then runs link_rx() as the event loop would) and
 * read what merd queued for the guest (harness_recv(), after
 * link_tx_flush()). Nothing here is a copy of merd's code: every frame
 * goes through the real link, eth, ip and protocol modules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "eth.h"
#include "flow.h"
#include "frag.h"
#include "harness.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "ndp.h"
#include "tcp.h"
#include "util.h"

const uint8_t h_our_mac[6] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
const uint8_t h_guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/**
 * harness_conf() - Configure the context through the real option parser
 * @h:		Harness
 *
 * Return: 0 on success, what conf_parse() returned otherwise
 */
static int harness_conf(struct harness *h)
{
	char *argv[] = {
		"merd", "-q", "-a", H_GUEST_ADDR, "-n", "24", "-g", H_GW_ADDR,
		"-D", H_DNS_ADDR, "-a", H_GUEST_ADDR6, "-g", H_GW_ADDR6,
		"-D", H_DNS_ADDR6, "-S", H_SEARCH, "-m", "1500", NULL,
	};
	int rc, i;

	optind = 0;		/* conf_parse() may have run before */
	rc = conf_parse(&h->c.conf, (int)ARRAY_SIZE(argv) - 1, argv);
	if (rc)
		return rc;
	/* what conf_host_defaults() does for non-loopback resolvers, without
	 * reading the machine's resolv.conf or routes */
	for (i = 0; i < h->c.conf.n_dns4; i++)
		h->c.conf.dns4[i].advertised = h->c.conf.dns4[i].target;
	for (i = 0; i < h->c.conf.n_dns6; i++)
		h->c.conf.dns6[i].advertised = h->c.conf.dns6[i].target;
	h->c.conf.prefix6 = H_PREFIX6;
	return 0;
}

/**
 * harness_init() - Set up a context as main() would, with a guest attached
 * @h:		Harness to fill
 * @max_flows:	Size of the flow table
 *
 * Return: 0 on success, negative errno (or conf_parse() result) on failure
 */
int harness_init(struct harness *h, uint32_t max_flows)
{
	static bool tcp_ready;
	struct ctx *c = &h->c;
	int rc;

	memset(h, 0, sizeof(*h));
	h->peer = -1;
	c->link.fd = c->link.listen_fd = -1;
	rc = harness_conf(h);
	if (rc)
		return rc;
	log_init(LOG_LVL_ERR, false);
	memcpy(c->our_mac, h_our_mac, ETH_ALEN);
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	c->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	c->sigfd = -1;
	c->ra_timerfd = -1;
	if (c->epollfd < 0 || c->timerfd < 0)
		return -errno;
	rc = epoll_add(c, c->timerfd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_TIMER, 0));
	if (!rc)
		rc = flow_table_init(c, max_flows);
	if (!rc)
		rc = ndp_init(c);
	if (!rc && !tcp_ready) {
		rc = tcp_init(c);	/* process-wide state: once */
		tcp_ready = !rc;
	}
	if (!rc)
		rc = link_init(c);
	if (!rc)
		rc = frag_init(c);
	if (rc)
		return rc;
	c->now = now_ms();
	return harness_attach(h);
}

/**
 * harness_attach() - Attach a fresh socketpair as the guest link
 * @h:		Harness, no guest attached
 *
 * Return: 0 on success, negative errno on failure
 */
int harness_attach(struct harness *h)
{
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK)) {
		rc = -errno;
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	rc = link_attach(&h->c, sv[0], LINK_STREAM);
	if (rc) {
		close(sv[1]);
		return rc;
	}
	if (h->peer >= 0)
		close(h->peer);
	h->peer = sv[1];
	h->c.stop = false;
	return 0;
}

/**
 * harness_drain() - Flush merd's queue and throw away what the peer got
 * @h:		Harness
 */
void harness_drain(struct harness *h)
{
	uint8_t buf[4096];

	link_tx_flush(&h->c);
	while (read(h->peer, buf, sizeof(buf)) > 0)
		;
}

/**
 * harness_reset() - Forget flows, queued frames, counters and the guest MAC
 * @h:		Harness
 */
void harness_reset(struct harness *h)
{
	static const struct itimerspec disarm = { 0 };
	struct ctx *c = &h->c;

	if (c->link.type == LINK_NONE)
		harness_attach(h);
	harness_drain(h);
	flow_close_all(c);
	tcp_batch_end(c);
	tcp_tx_resume(c);
	harness_drain(h);
	c->link.tx_len = c->link.tx_done = 0;
	c->guest_mac_known = false;
	memset(c->counters, 0, sizeof(c->counters));
	frag_reset(c);
	c->now = now_ms();
	c->flows.timer_at = c->flows.last_scan = 0;
	timerfd_settime(c->timerfd, 0, &disarm, NULL);
}

/**
 * harness_fini() - Release everything harness_init() set up
 * @h:		Harness
 */
void harness_fini(struct harness *h)
{
	struct ctx *c = &h->c;

	flow_close_all(c);
	if (c->link.fd >= 0)
		close(c->link.fd);
	if (h->peer >= 0)
		close(h->peer);
	close(c->timerfd);
	if (c->ra_timerfd >= 0)
		close(c->ra_timerfd);
	close(c->epollfd);
	free(c->link.rx);
	free(c->link.tx);
	free(c->flows.flows);
	free(c->flows.buckets);
	free(c->flows.active);
	frag_fini(c);
	memset(h, 0, sizeof(*h));
	h->peer = -1;
}

/**
 * harness_write_all() - Write a whole buffer to the peer end
 * @h:		Harness
 * @buf:	Bytes
 * @len:	Length
 *
 * Return: 0 on success, negative errno on failure
 */
static int harness_write_all(struct harness *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(h->peer, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			link_rx(&h->c);		/* let merd make room */
			if (h->c.link.type == LINK_NONE)
				return -EPIPE;
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * harness_send_raw() - Write bytes on the guest link, let merd read them
 * @h:		Harness
 * @buf:	Bytes, framing included
 * @len:	Length
 *
 * Return: 0 on success, negative errno on failure
 */
int harness_send_raw(struct harness *h, const void *buf, size_t len)
{
	int rc = harness_write_all(h, buf, len);

	if (h->c.link.type != LINK_NONE)
		link_rx(&h->c);
	return rc;
}

/**
 * harness_send() - Send one frame from the guest, as qemu frames it
 * @h:		Harness
 * @frame:	Ethernet frame
 * @len:	Its length
 *
 * Return: 0 on success, negative errno on failure
 */
int harness_send(struct harness *h, const void *frame, size_t len)
{
	uint8_t hdr[4];
	int rc;

	wr32(hdr, (uint32_t)len);
	rc = harness_write_all(h, hdr, sizeof(hdr));
	if (!rc)
		rc = harness_write_all(h, frame, len);
	if (h->c.link.type != LINK_NONE)
		link_rx(&h->c);
	return rc;
}

/**
 * harness_read_full() - Read exactly @len bytes from the peer end
 * @fd:		Peer socket, non-blocking
 * @buf:	Where to put them, NULL to discard
 * @len:	How many
 *
 * Return: 0 on success, -1 if the stream ended or stalled for a second
 */
static int harness_read_full(int fd, uint8_t *buf, size_t len)
{
	static uint8_t scratch[4096];	/* where discarded bytes go */

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		size_t want = buf ? len : MIN(len, sizeof(scratch));
		ssize_t n = read(fd, buf ? buf : scratch, want);

		if (n > 0) {
			if (buf)
				buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0 || errno != EAGAIN || poll(&pfd, 1, 1000) != 1)
			return -1;
	}
	return 0;
}

/**
 * harness_recv() - Flush merd's queue and read the next frame to the guest
 * @h:		Harness
 * @buf:	Where the frame goes
 * @cap:	Room in @buf; longer frames are read, cut, and reported
 *		with their full length
 *
 * Return: frame length, or -1 if merd sent nothing
 */
int harness_recv(struct harness *h, uint8_t *buf, size_t cap)
{
	uint8_t hdr[4];
	uint32_t len;
	ssize_t n;

	link_tx_flush(&h->c);
	n = recv(h->peer, hdr, sizeof(hdr), MSG_PEEK | MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	if (harness_read_full(h->peer, hdr, sizeof(hdr)))
		return -1;
	len = rd32(hdr);
	if (harness_read_full(h->peer, buf, MIN(len, cap)) ||
	    (len > cap && harness_read_full(h->peer, NULL, len - cap)))
		return -1;
	return (int)len;
}

/**
 * harness_queued() - Bytes merd queued toward the guest and did not send
 * @h:		Harness
 *
 * Return: length of the unsent part of the transmit queue
 */
size_t harness_queued(const struct harness *h)
{
	return h->c.link.tx_len - h->c.link.tx_done;
}

/**
 * h_addr() - Parse a dotted quad
 * @s:		Address text
 *
 * Return: the address, network order
 */
uint32_t h_addr(const char *s)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/**
 * h_eth() - Write an Ethernet header
 * @f:		Frame
 * @dst:	Destination MAC
 * @src:	Source MAC
 * @type:	Ethertype, host order
 *
 * Return: header length
 */
size_t h_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src,
	     uint16_t type)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	wr16(f + 12, type);
	return ETH_HDR_LEN;
}

/**
 * h_csum_ref() - Internet checksum, the slow obvious way (RFC 1071)
 * @buf:	Bytes
 * @len:	Length, odd allowed (padded with a zero byte)
 * @sum:	Sum to start from (e.g. of a pseudo-header), host order
 *
 * Return: checksum field value, host order
 */
uint16_t h_csum_ref(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint64_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint64_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/**
 * h_ip4() - Write a 20-byte IPv4 header with a valid checksum
 * @p:		Where it goes
 * @src:	Source address text
 * @dst:	Destination address text
 * @proto:	Protocol
 * @l4_len:	Payload length
 *
 * Return: header length
 */
size_t h_ip4(uint8_t *p, const char *src, const char *dst, uint8_t proto,
	     size_t l4_len)
{
	uint32_t s = h_addr(src), d = h_addr(dst);

	memset(p, 0, 20);
	p[0] = 0x45;
	wr16(p + 2, (uint16_t)(20 + l4_len));
	wr16(p + 4, 0x1234);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	wr16(p + 10, h_csum_ref(p, 20, 0));
	return 20;
}
