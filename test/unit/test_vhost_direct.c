// SPDX-License-Identifier: GPL-2.0-or-later
/* test_vhost_direct.c - Receive chains reserved for frames whose payload
 * goes straight into the guest's buffers (vhost_net.c): the pieces handed
 * out, the headers and num_buffers written, the used lengths, and every
 * chain not used given back
 */
#include <errno.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "merd.h"
#include "unit.h"
#include "vhost_net.h"
#include "vhost_user.h"

#define GPA	0x10000ULL		/* guest address of the region */
#define UVA	0x7f0000000000ULL	/* "qemu's" address of it */
#define SIZE	(1UL << 20)
#define NUM	16
#define DESC	0x1000			/* ring offsets in the region */
#define AVAIL	0x2000
#define USED	0x3000
#define BUFS	0x10000			/* buffer I at BUFS + I * BUFSZ */
#define BUFSZ	0x2000
#define HL	12			/* virtio-net header, mergeable */
#define HDRS	54			/* Ethernet, IPv4, TCP */

static struct ctx c;
static struct vhost_user *v;
static uint8_t *host;			/* the region, as mapped */

/**
 * setup() - Map the region, start the receive queue empty
 * @features:	Features the "guest" acknowledged
 */
static void setup(uint64_t features)
{
	struct vmem_desc d = { .gpa = GPA, .size = SIZE, .uva = UVA };
	struct virtq *vq;
	const char *why = NULL;
	int fd;

	if (!v) {
		v = calloc(1, sizeof(*v));
		fd = memfd_create("test_vhost_direct", MFD_CLOEXEC);
		CHECK(v && fd >= 0 && !ftruncate(fd, SIZE));
		CHECK_EQ(vmem_map(&v->mem, &d, &fd, 1), 0);
		close(fd);
		host = v->mem.r[0].host;
		c.link.vhost = v;
	}
	memset(host, 0, SIZE);
	v->features = features;
	v->hdr_len = HL;
	vq = &v->vq[VHOST_RXQ];
	virtq_reset(vq);
	vq->num = NUM;
	vq->desc_uva = UVA + DESC;
	vq->avail_uva = UVA + AVAIL;
	vq->used_uva = UVA + USED;
	vq->addr_set = vq->started = vq->enabled = true;
	CHECK_EQ(virtq_resolve(vq, &v->mem, &why), 0);
}

/**
 * post() - Make descriptor I, of LEN device-writable bytes at buffer I,
 * available as a chain of its own
 * @i:		Descriptor and buffer index
 * @len:	Buffer length
 */
static void post(uint16_t i, uint32_t len)
{
	struct vring_desc *d = (struct vring_desc *)(host + DESC) + i;
	struct vring_avail *a = (struct vring_avail *)(host + AVAIL);

	*d = (struct vring_desc){ .addr = GPA + BUFS + (uint64_t)i * BUFSZ,
				  .len = len, .flags = VRING_DESC_F_WRITE };
	a->ring[a->idx % NUM] = i;
	a->idx++;
}

/**
 * buf() - Buffer I, as merd sees it
 * @i:		Buffer index
 *
 * Return: pointer into the region
 */
static uint8_t *buf(unsigned int i)
{
	return host + BUFS + (size_t)i * BUFSZ;
}

/**
 * used() - The used ring
 *
 * Return: pointer into the region
 */
static struct vring_used *used(void)
{
	return (struct vring_used *)(host + USED);
}

/**
 * num_buffers() - The num_buffers field of the header in buffer I
 * @i:		Buffer index
 *
 * Return: its value (little-endian in guest memory)
 */
static uint16_t num_buffers(unsigned int i)
{
	return (uint16_t)(buf(i)[10] | buf(i)[11] << 8);
}

/**
 * frame() - Finish the next direct frame with PAYLOAD bytes, its headers
 * all bytes 0xab
 * @payload:	Payload bytes already in the buffers
 *
 * Return: what vhost_net_direct_frame() returned
 */
static int frame(size_t payload)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	uint8_t hdrs[HDRS];

	memset(hdrs, 0xab, sizeof(hdrs));
	return vhost_net_direct_frame(&c, &vh, hdrs, HDRS + payload);
}

/**
 * frames_span_buffers_in_order() - Two frames over four 4 KiB buffers:
 * payload pieces after the headers, num_buffers and used lengths right,
 * the buffer the short second frame did not need given back
 */
static void frames_span_buffers_in_order(void)
{
	const struct iovec *iov = NULL;
	size_t niov = 0;
	uint16_t i;

	setup(VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF));
	for (i = 0; i < 4; i++)
		post(i, 4096);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 8000, 16000, &iov, &niov),
		 16000);
	CHECK_EQ(niov, 4);
	CHECK(iov[0].iov_base == buf(0) + HL + HDRS);
	CHECK_EQ(iov[0].iov_len, 4096 - HL - HDRS);
	CHECK(iov[1].iov_base == buf(1));
	CHECK_EQ(iov[1].iov_len, 8000 - (4096 - HL - HDRS));
	CHECK(iov[2].iov_base == buf(2) + HL + HDRS);
	CHECK(iov[3].iov_base == buf(3));
	/* the socket gave 12000 bytes: one whole frame, one of 4000 */
	CHECK_EQ(frame(8000), 0);
	CHECK_EQ(frame(4000), 0);
	CHECK_EQ(frame(1), -EMSGSIZE);		/* none reserved */
	vhost_net_direct_end(&c);
	CHECK_EQ(used()->idx, 3);
	CHECK_EQ(used()->ring[0].id, 0);
	CHECK_EQ(used()->ring[0].len, 4096);
	CHECK_EQ(used()->ring[1].id, 1);
	CHECK_EQ(used()->ring[1].len, HL + HDRS + 8000 - 4096);
	CHECK_EQ(used()->ring[2].id, 2);
	CHECK_EQ(used()->ring[2].len, HL + HDRS + 4000);
	CHECK_EQ(num_buffers(0), 2);
	CHECK_EQ(num_buffers(2), 1);
	CHECK_EQ(buf(0)[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK(buf(0)[HL] == 0xab && buf(0)[HL + HDRS - 1] == 0xab);
	CHECK_EQ(v->vq[VHOST_RXQ].last_avail, 3);	/* buffer 3 back */
}

/**
 * ring_runs_out_mid_frame() - A frame that finds too few buffers is not
 * reserved, and what it took goes back; a batch that sends nothing gives
 * back everything
 */
static void ring_runs_out_mid_frame(void)
{
	const struct iovec *iov = NULL;
	size_t niov = 0;

	setup(VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post(0, 4096);
	post(1, 4096);
	post(2, 4096);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 8000, 24000, &iov, &niov),
		 8000);
	CHECK_EQ(niov, 2);
	CHECK_EQ(v->vq[VHOST_RXQ].last_avail, 2);
	vhost_net_direct_end(&c);		/* the socket had nothing */
	CHECK_EQ(v->vq[VHOST_RXQ].last_avail, 0);
	CHECK_EQ(used()->idx, 0);
}

/**
 * empty_ring_asks_for_kick() - With no buffer free, nothing is reserved,
 * the caller is told to wait, and the guest is asked to kick the queue at
 * its next buffer (event index)
 */
static void empty_ring_asks_for_kick(void)
{
	const struct iovec *iov = NULL;
	size_t niov = 0;

	setup(VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF));
	v->vq[VHOST_RXQ].event_idx = true;
	post(0, 4096);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 1000, 1000, &iov, &niov),
		 1000);
	CHECK_EQ(frame(1000), 0);
	vhost_net_direct_end(&c);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 1000, 1000, &iov, &niov),
		 -ENOBUFS);
	CHECK_EQ(used()->ring[NUM].id & 0xffff, 1);	/* avail_event */
	vhost_net_direct_end(&c);
	CHECK_EQ(used()->idx, 1);
	CHECK_EQ(v->vq[VHOST_RXQ].last_avail, 1);
}

/**
 * headers_must_fit_first_buffer() - A first buffer too small for the
 * headers reserves nothing: such frames are copied (link.c)
 */
static void headers_must_fit_first_buffer(void)
{
	const struct iovec *iov = NULL;
	size_t niov = 0;
	uint16_t i;

	setup(VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF));
	for (i = 0; i < 8; i++)
		post(i, 64);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 1000, 1000, &iov, &niov), 0);
	vhost_net_direct_end(&c);
	CHECK_EQ(v->vq[VHOST_RXQ].last_avail, 0);
	CHECK_EQ(used()->idx, 0);
}

/**
 * one_chain_without_mergeable() - Without mergeable buffers a frame must
 * fit one chain: a larger one reserves nothing, a smaller one a chain each
 */
static void one_chain_without_mergeable(void)
{
	const struct iovec *iov = NULL;
	size_t niov = 0;

	setup(0);
	post(0, 4096);
	post(1, 4096);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 8000, 8000, &iov, &niov), 0);
	vhost_net_direct_end(&c);
	CHECK_EQ(v->vq[VHOST_RXQ].last_avail, 0);
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 4000, 8000, &iov, &niov),
		 8000);
	CHECK_EQ(niov, 2);
	CHECK_EQ(frame(4000), 0);
	CHECK_EQ(frame(4000), 0);
	vhost_net_direct_end(&c);
	CHECK_EQ(used()->idx, 2);
	CHECK_EQ(used()->ring[1].len, HL + HDRS + 4000);
}

/**
 * multi_descriptor_chain() - A chain of a small header buffer and a large
 * one: the headers in the first, the payload from its rest on
 */
static void multi_descriptor_chain(void)
{
	struct vring_desc *d = (struct vring_desc *)(host + DESC);
	const struct iovec *iov = NULL;
	size_t niov = 0;

	setup(VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post(0, 100);
	d[0].flags |= VRING_DESC_F_NEXT;
	d[0].next = 1;
	d[1] = (struct vring_desc){ .addr = GPA + BUFS + BUFSZ, .len = 4000,
				    .flags = VRING_DESC_F_WRITE };
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 3000, 3000, &iov, &niov),
		 3000);
	CHECK_EQ(niov, 2);
	CHECK(iov[0].iov_base == buf(0) + HL + HDRS);
	CHECK_EQ(iov[0].iov_len, 100 - HL - HDRS);
	CHECK(iov[1].iov_base == buf(1));
	CHECK_EQ(iov[1].iov_len, 3000 - (100 - HL - HDRS));
	CHECK_EQ(frame(3000), 0);
	vhost_net_direct_end(&c);
	CHECK_EQ(used()->idx, 1);
	CHECK_EQ(used()->ring[0].len, HL + HDRS + 3000);
}

/**
 * bad_chain_stops_queue() - A device-readable buffer in a receive chain
 * stops the queue and reserves nothing
 */
static void bad_chain_stops_queue(void)
{
	struct vring_desc *d = (struct vring_desc *)(host + DESC);
	const struct iovec *iov = NULL;
	size_t niov = 0;

	setup(VHOST_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post(0, 4096);
	d[0].flags = 0;
	CHECK_EQ(vhost_net_direct_begin(&c, HDRS, 1000, 1000, &iov, &niov), 0);
	CHECK(v->vq[VHOST_RXQ].broken);
	CHECK_EQ(c.counters[CNT_drop_vhost_desc], 1);
	vhost_net_direct_end(&c);
	CHECK_EQ(used()->idx, 0);
}

/**
 * main() - Run the tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	RUN(frames_span_buffers_in_order);
	RUN(ring_runs_out_mid_frame);
	RUN(empty_ring_asks_for_kick);
	RUN(headers_must_fit_first_buffer);
	RUN(one_chain_without_mergeable);
	RUN(multi_descriptor_chain);
	RUN(bad_chain_stops_queue);
	return unit_done();
}
