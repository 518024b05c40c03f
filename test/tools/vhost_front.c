// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_front.c - A small vhost-user frontend (what qemu is to merd
 * --vhost-user): checks the backend with good and malformed set-ups, and
 * relays a tap device to it for the benchmarks
 *
 * vhost_front SOCK SCENARIO     one connection, one scenario; exit 0 if the
 *                               backend behaved as it must (printed), 1 if
 *                               not, 2 on bad usage
 * vhost_front -l                list the scenarios
 * vhost_front relay [-i IFNAME] [-b BYTES] SOCK
 *                               create tap IFNAME (default tap0, with a
 *                               virtio-net header) in the current network
 *                               namespace and relay its frames through the
 *                               backend's virtqueues until the backend
 *                               closes the connection; receive buffers of
 *                               BYTES (default 4096: large frames span
 *                               several, as mergeable buffers allow; at
 *                               most RXBUF_MAX)
 *
 * Guest memory is one memfd of MEM_SIZE bytes at guest physical address 0
 * ("qemu's" address of it: UVA_BASE). Each queue has NUM entries; receive
 * buffers are rxbuf bytes (RXBUF_MAX apart), transmit slots TXSLOT bytes. The handshake is
 * qemu 7.2's order, with REPLY_ACK, so each SET_* message is acknowledged
 * and a dropped connection is seen at once. Little-endian hosts only (as
 * the virtio 1.0 rings are), which is every host this runs on.
 *
 * Scenarios:
 *   good              handshake, ARP request on the transmit queue, the
 *                     ARP reply must come back in a receive buffer
 *   call-pipe         the same 600 times, interrupts going to a pipe
 *                     that fills: merd must not block on it
 *   desc-outside ...  a bad transmit chain (see scenario table): the
 *                     backend must stop the queue, signal its error
 *                     eventfd, and neither crash nor use the chain
 *   num-absurd ...    a bad message: the backend must drop the connection
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define MEM_SIZE	(48UL << 20)
#define UVA_BASE	0x7f0000000000ULL
#define NUM		256
#define RING_GPA(q)	((uint64_t)(q) * 0x10000)
#define DESC_OFF	0
#define AVAIL_OFF	0x4000
#define USED_OFF	0x8000
#define RXBUF_MAX	0x11000
#define RXBUF_GPA	0x100000ULL
#define TXSLOT		0x11000
#define TXSLOT_GPA	0x1400000ULL
#define HDR_LEN		12
#define TIMEOUT_MS	3000
#define CALL_PIPE_ROUNDS 600

static uint32_t rxbuf = 4096;	/* receive buffer size */

enum {
	GET_FEATURES = 1, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE,
	SET_VRING_NUM = 8, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE,
	SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR, GET_PROTOCOL_FEATURES,
	SET_PROTOCOL_FEATURES, SET_VRING_ENABLE = 18,
};

#define F_VERSION_1	(1ULL << 32)
#define F_MRG_RXBUF	(1ULL << 15)
#define F_CSUM		(1ULL << 0)
#define F_GUEST_CSUM	(1ULL << 1)
#define F_PROTOCOL	(1ULL << 30)
#define PF_REPLY_ACK	(1ULL << 3)
#define NEED_REPLY	(1U << 3)

/**
 * struct front - The frontend's side of one connection
 * @s:		Connection to the backend
 * @memfd:	Guest memory
 * @mem:	Its mapping
 * @kick:	Kick eventfds, per queue
 * @call:	Call eventfds, per queue
 * @err:	Error eventfds, per queue
 * @avail_idx:	Our available index, per queue
 * @used_seen:	Used entries consumed, per queue
 * @features:	Features acknowledged
 */
struct front {
	int s;
	int memfd;
	uint8_t *mem;
	int kick[2];
	int call[2];
	int err[2];
	uint16_t avail_idx[2];
	uint16_t used_seen[2];
	uint64_t features;
};

/**
 * fail() - Print a failure and exit 1
 * @what:	Message
 */
static void __attribute__((noreturn)) fail(const char *what)
{
	fprintf(stderr, "vhost_front: FAIL %s%s%s\n", what, errno ? ": " : "",
		errno ? strerror(errno) : "");
	exit(1);
}

/**
 * desc() - Descriptor table of queue Q
 * @f:		Frontend
 * @q:		Queue
 *
 * Return: pointer in guest memory
 */
static struct vring_desc *desc(const struct front *f, int q)
{
	return (struct vring_desc *)(f->mem + RING_GPA(q) + DESC_OFF);
}

/**
 * avail() - Available ring of queue Q
 * @f:		Frontend
 * @q:		Queue
 *
 * Return: pointer in guest memory
 */
static struct vring_avail *avail(const struct front *f, int q)
{
	return (struct vring_avail *)(f->mem + RING_GPA(q) + AVAIL_OFF);
}

/**
 * used() - Used ring of queue Q
 * @f:		Frontend
 * @q:		Queue
 *
 * Return: pointer in guest memory
 */
static struct vring_used *used(const struct front *f, int q)
{
	return (struct vring_used *)(f->mem + RING_GPA(q) + USED_OFF);
}

/**
 * msg_send() - Send one message, with file descriptors
 * @f:		Frontend
 * @req:	Request
 * @flags:	Extra header flags (NEED_REPLY)
 * @p:		Payload
 * @size:	Its length
 * @fds:	File descriptors to pass
 * @nfds:	How many
 *
 * Return: 0, -1 if the connection is gone
 */
static int msg_send(struct front *f, uint32_t req, uint32_t flags,
		    const void *p, uint32_t size, const int *fds, int nfds)
{
	uint32_t h[3] = { req, 1 | flags, size };
	char cbuf[CMSG_SPACE(sizeof(int) * 16)] = { 0 };
	struct iovec iov[2] = { { h, sizeof(h) }, { (void *)p, size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *cm;

	if (nfds) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(f->s, &mh, MSG_NOSIGNAL) ==
	       (ssize_t)(sizeof(h) + size) ? 0 : -1;
}

/**
 * read_full() - Read exactly LEN bytes, waiting at most TIMEOUT_MS
 * @s:		Socket
 * @buf:	Destination
 * @len:	Length
 *
 * Return: 0, -1 on end of file, error or time-out
 */
static int read_full(int s, void *buf, size_t len)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	uint8_t *b = buf;

	while (len) {
		ssize_t n;

		if (poll(&p, 1, TIMEOUT_MS) != 1)
			return -1;
		n = read(s, b, len);
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * msg_reply() - Read the answer to request REQ
 * @f:		Frontend
 * @req:	Request answered
 * @p:		Payload destination
 * @size:	Its expected length
 *
 * Return: 0, -1 if none came (connection dropped)
 */
static int msg_reply(struct front *f, uint32_t req, void *p, uint32_t size)
{
	uint32_t h[3];

	if (read_full(f->s, h, sizeof(h)) || h[0] != req || h[2] != size)
		return -1;
	return read_full(f->s, p, size);
}

/**
 * msg_set() - Send a SET_* message asking for an acknowledgement
 * @f:		Frontend
 * @req:	Request
 * @p:		Payload
 * @size:	Its length
 * @fds:	File descriptors
 * @nfds:	How many
 *
 * Return: 0 if acknowledged with 0, -1 otherwise (connection dropped)
 */
static int msg_set(struct front *f, uint32_t req, const void *p,
		   uint32_t size, const int *fds, int nfds)
{
	uint64_t ack = 1;

	if (msg_send(f, req, NEED_REPLY, p, size, fds, nfds) ||
	    msg_reply(f, req, &ack, sizeof(ack)))
		return -1;
	return ack ? -1 : 0;
}

/**
 * set_u64() - SET_* message with a 64-bit payload
 * @f:		Frontend
 * @req:	Request
 * @v:		Value
 * @fd:		File descriptor to pass, or -1
 *
 * Return: as msg_set()
 */
static int set_u64(struct front *f, uint32_t req, uint64_t v, int fd)
{
	return msg_set(f, req, &v, sizeof(v), &fd, fd >= 0);
}

/**
 * set_state() - SET_VRING_NUM, _BASE or _ENABLE
 * @f:		Frontend
 * @req:	Request
 * @q:		Queue index
 * @v:		Value
 *
 * Return: as msg_set()
 */
static int set_state(struct front *f, uint32_t req, uint32_t q, uint32_t v)
{
	uint32_t st[2] = { q, v };

	return msg_set(f, req, st, sizeof(st), NULL, 0);
}

/**
 * expect_drop() - Check that the backend closes the connection
 * @f:		Frontend
 * @what:	Scenario, for the message
 *
 * Return: 0 (printed), never if it does not (exit 1)
 */
static int expect_drop(struct front *f, const char *what)
{
	struct pollfd p = { .fd = f->s, .events = POLLIN };
	char b[64];

	while (poll(&p, 1, TIMEOUT_MS) == 1) {
		ssize_t n = read(f->s, b, sizeof(b));

		if (n <= 0) {
			printf("vhost_front: OK %s: connection dropped\n", what);
			return 0;
		}
	}
	errno = 0;
	fail("the backend kept the connection after a bad message");
}

/**
 * front_connect() - Connect to the backend's socket
 * @f:		Frontend, zeroed and set up here
 * @path:	Socket path
 */
static void front_connect(struct front *f, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int q;

	memset(f, 0, sizeof(*f));
	if (strlen(path) >= sizeof(a.sun_path))
		fail("socket path too long");
	memcpy(a.sun_path, path, strlen(path) + 1);
	f->s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->s < 0 || connect(f->s, (struct sockaddr *)&a, sizeof(a)))
		fail("connect");
	f->memfd = memfd_create("vhost_front", MFD_CLOEXEC);
	if (f->memfd < 0 || ftruncate(f->memfd, MEM_SIZE))
		fail("memfd");
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	if (f->mem == MAP_FAILED)
		fail("mmap");
	for (q = 0; q < 2; q++) {
		f->kick[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		f->call[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		f->err[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	}
}

/**
 * front_features() - Negotiate features and protocol features
 * @f:		Frontend
 * @want:	Features wanted (those offered are taken)
 */
static void front_features(struct front *f, uint64_t want)
{
	uint64_t v = 0;

	if (msg_send(f, GET_FEATURES, 0, NULL, 0, NULL, 0) ||
	    msg_reply(f, GET_FEATURES, &v, sizeof(v)))
		fail("GET_FEATURES");
	if ((v & (F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL)) !=
	    (F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL))
		fail("VERSION_1, MRG_RXBUF or PROTOCOL_FEATURES not offered");
	f->features = v & want;
	if (msg_send(f, GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0) ||
	    msg_reply(f, GET_PROTOCOL_FEATURES, &v, sizeof(v)) ||
	    !(v & PF_REPLY_ACK))
		fail("GET_PROTOCOL_FEATURES: no REPLY_ACK");
	v = PF_REPLY_ACK;
	if (msg_send(f, SET_PROTOCOL_FEATURES, 0, &v, sizeof(v), NULL, 0) ||
	    msg_set(f, SET_OWNER, NULL, 0, NULL, 0) ||
	    set_u64(f, SET_FEATURES, f->features, -1))
		fail("SET_PROTOCOL_FEATURES, SET_OWNER or SET_FEATURES");
}

/**
 * front_mem() - Send the memory table: one region, the whole memfd
 * @f:		Frontend
 * @size:	Region size to claim
 * @gpa:	Its guest physical address
 *
 * Return: as msg_set()
 */
static int front_mem(struct front *f, uint64_t size, uint64_t gpa)
{
	uint64_t m[5] = { 1, gpa, size, UVA_BASE + gpa, 0 };

	return msg_set(f, SET_MEM_TABLE, m, sizeof(m), &f->memfd, 1);
}

/**
 * front_queue() - Set up queue Q and start it
 * @f:		Frontend
 * @q:		Queue
 * @desc_uva:	Descriptor table address to give (normally UVA_BASE + ring)
 *
 * Return: 0, -1 if the backend dropped the connection
 */
static int front_queue(struct front *f, int q, uint64_t desc_uva)
{
	uint64_t a[5] = { (uint64_t)q, desc_uva,
			  UVA_BASE + RING_GPA(q) + USED_OFF,
			  UVA_BASE + RING_GPA(q) + AVAIL_OFF, 0 };

	memset(f->mem + RING_GPA(q), 0, 0x10000);
	f->avail_idx[q] = f->used_seen[q] = 0;
	if (set_state(f, SET_VRING_NUM, q, NUM) ||
	    set_state(f, SET_VRING_BASE, q, 0) ||
	    msg_set(f, SET_VRING_ADDR, a, sizeof(a), NULL, 0) ||
	    set_u64(f, SET_VRING_ERR, q, f->err[q]) ||
	    set_u64(f, SET_VRING_CALL, q, f->call[q]) ||
	    set_u64(f, SET_VRING_KICK, q, f->kick[q]))
		return -1;
	return set_state(f, SET_VRING_ENABLE, q, 1);
}

/**
 * front_setup() - The whole good set-up: features, memory, both queues
 * @f:		Frontend
 * @path:	Socket path
 * @want:	Features wanted
 */
static void front_setup(struct front *f, const char *path, uint64_t want)
{
	front_connect(f, path);
	front_features(f, want);
	if (front_mem(f, MEM_SIZE, 0))
		fail("SET_MEM_TABLE");
	if (front_queue(f, 0, UVA_BASE + RING_GPA(0)) ||
	    front_queue(f, 1, UVA_BASE + RING_GPA(1)))
		fail("queue set-up");
}

/**
 * post() - Make chain HEAD available on queue Q (published at once)
 * @f:		Frontend
 * @q:		Queue
 * @head:	First descriptor
 */
static void post(struct front *f, int q, uint16_t head)
{
	struct vring_avail *a = avail(f, q);

	a->ring[f->avail_idx[q] % NUM] = head;
	f->avail_idx[q]++;
	__atomic_store_n(&a->idx, f->avail_idx[q], __ATOMIC_RELEASE);
}

/**
 * kick() - Kick queue Q
 * @f:		Frontend
 * @q:		Queue
 */
static void kick(const struct front *f, int q)
{
	uint64_t one = 1;

	if (write(f->kick[q], &one, sizeof(one)) != sizeof(one))
		fail("kick");
}

/**
 * rx_fill() - Give the backend every receive buffer
 * @f:		Frontend
 */
static void rx_fill(struct front *f)
{
	struct vring_desc *d = desc(f, 0);
	uint16_t i;

	for (i = 0; i < NUM; i++) {
		d[i].addr = RXBUF_GPA + (uint64_t)i * RXBUF_MAX;
		d[i].len = rxbuf;
		d[i].flags = VRING_DESC_F_WRITE;
		post(f, 0, i);
	}
	kick(f, 0);
}

/**
 * arp_request() - Write an ARP request for the gateway after a header
 * @p:		Destination: 12-byte virtio-net header, then the frame
 *
 * Return: header and frame length
 */
static uint32_t arp_request(uint8_t *p)
{
	static const uint8_t frame[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 198, 51, 100, 10,
		0, 0, 0, 0, 0, 0, 198, 51, 100, 1,
	};

	memset(p, 0, HDR_LEN);
	memcpy(p + HDR_LEN, frame, sizeof(frame));
	return HDR_LEN + sizeof(frame);
}

/**
 * wait_used() - Wait until queue Q has a used entry we have not seen
 * @f:		Frontend
 * @q:		Queue
 *
 * Return: 0, -1 after TIMEOUT_MS
 */
static int wait_used(struct front *f, int q)
{
	int i;

	for (i = 0; i < TIMEOUT_MS / 10; i++) {
		if (__atomic_load_n(&used(f, q)->idx, __ATOMIC_ACQUIRE) !=
		    f->used_seen[q])
			return 0;
		usleep(10000);
	}
	return -1;
}

/**
 * scenario_good() - An ARP request goes out, its reply comes back
 * @f:		Frontend
 * @path:	Socket path
 *
 * Return: 0 (printed), exits 1 on failure
 */
static int scenario_good(struct front *f, const char *path)
{
	struct vring_used_elem e;
	const uint8_t *b;

	front_setup(f, path, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL);
	rx_fill(f);
	desc(f, 1)[0] = (struct vring_desc){
		.addr = TXSLOT_GPA,
		.len = arp_request(f->mem + TXSLOT_GPA),
	};
	post(f, 1, 0);
	kick(f, 1);
	if (wait_used(f, 1))
		fail("the transmit chain was not used");
	if (wait_used(f, 0))
		fail("no frame in the receive queue");
	e = used(f, 0)->ring[0];
	b = f->mem + RXBUF_GPA + (uint64_t)e.id * RXBUF_MAX;
	if (e.id >= NUM || e.len < HDR_LEN + 42 || b[10] != 1 || b[11] ||
	    b[HDR_LEN + 12] != 0x08 || b[HDR_LEN + 13] != 0x06 ||
	    b[HDR_LEN + 21] != 2 || memcmp(b + HDR_LEN + 28, "\xc6\x33\x64\x01", 4) != 0)
		fail("the frame received is not the ARP reply");
	printf("vhost_front: OK good: ARP reply from "
	       "%02x:%02x:%02x:%02x:%02x:%02x in buffer %u, %u bytes\n",
	       b[HDR_LEN + 22], b[HDR_LEN + 23], b[HDR_LEN + 24],
	       b[HDR_LEN + 25], b[HDR_LEN + 26], b[HDR_LEN + 27], e.id, e.len);
	return 0;
}

/**
 * scenario_call_pipe() - Interrupts go to a pipe nobody reads: merd must
 * not block on it
 * @f:		Frontend
 * @path:	Socket path
 *
 * Both queues' call "eventfd" is a pipe of 4096 bytes, full after 512
 * interrupts; CALL_PIPE_ROUNDS ARP exchanges ask for about twice that.
 *
 * Return: 0 (printed), exits 1 on failure
 */
static int scenario_call_pipe(struct front *f, const char *path)
{
	int p[2], i;

	front_connect(f, path);
	if (pipe2(p, O_CLOEXEC) || fcntl(p[1], F_SETPIPE_SZ, 4096) < 0)
		fail("pipe");
	f->call[0] = f->call[1] = p[1];
	front_features(f, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL);
	if (front_mem(f, MEM_SIZE, 0) ||
	    front_queue(f, 0, UVA_BASE + RING_GPA(0)) ||
	    front_queue(f, 1, UVA_BASE + RING_GPA(1)))
		fail("queue set-up");
	rx_fill(f);
	desc(f, 1)[0] = (struct vring_desc){
		.addr = TXSLOT_GPA, .len = arp_request(f->mem + TXSLOT_GPA) };
	for (i = 0; i < CALL_PIPE_ROUNDS; i++) {
		post(f, 1, 0);
		kick(f, 1);
		if (wait_used(f, 1) || wait_used(f, 0))
			fail("no ARP reply: merd blocked on its interrupt pipe?");
		f->used_seen[1]++;
		post(f, 0, (uint16_t)used(f, 0)->ring[f->used_seen[0]++ % NUM].id);
		kick(f, 0);
	}
	printf("vhost_front: OK call-pipe: %d ARP replies with interrupts "
	       "going to a full pipe\n", i);
	return 0;
}

/**
 * bad_tx_chain() - Write the transmit chain of a descriptor scenario
 * @f:		Frontend, set up, receive buffers given
 * @name:	Scenario
 *
 * Return: 0 if @name is a transmit chain scenario (posted and kicked),
 * -1 if not
 */
static int bad_tx_chain(struct front *f, const char *name)
{
	struct vring_desc *d = desc(f, 1);
	uint16_t head = 0, i;

	d[0] = (struct vring_desc){ .addr = TXSLOT_GPA,
				    .len = arp_request(f->mem + TXSLOT_GPA) };
	if (!strcmp(name, "desc-outside")) {
		d[0].addr = MEM_SIZE + 0x1000;
	} else if (!strcmp(name, "desc-overflow")) {
		d[0].addr = MEM_SIZE - 16;
	} else if (!strcmp(name, "desc-wrap")) {
		d[0].addr = 0xfffffffffffffff0ULL;
		d[0].len = 0x20;
	} else if (!strcmp(name, "head-index")) {
		head = NUM + 3;
	} else if (!strcmp(name, "next-index")) {
		d[0].flags = VRING_DESC_F_NEXT;
		d[0].next = NUM + 5;
	} else if (!strcmp(name, "loop")) {
		d[1] = d[0];
		d[0].flags = d[1].flags = VRING_DESC_F_NEXT;
		d[0].next = 1;
		d[1].next = 0;
	} else if (!strcmp(name, "chain-long")) {
		for (i = 0; i < NUM; i++)
			d[i] = (struct vring_desc){
				.addr = TXSLOT_GPA, .len = 1,
				.flags = VRING_DESC_F_NEXT,
				.next = (uint16_t)((i + 1) % NUM) };
	} else if (!strcmp(name, "indirect")) {
		d[0].flags = VRING_DESC_F_INDIRECT;
	} else if (!strcmp(name, "tx-writable")) {
		d[0].flags = VRING_DESC_F_WRITE;
	} else if (!strcmp(name, "avail-jump")) {
		f->avail_idx[1] = NUM + 4;
	} else {
		return -1;
	}
	post(f, 1, head);
	kick(f, 1);
	return 0;
}

/**
 * expect_stop() - Check that the backend stopped queue Q, and only that
 * @f:		Frontend
 * @q:		Queue
 * @name:	Scenario, for the message
 *
 * The queue's error eventfd must fire, no chain may come back used, and
 * the connection must stay.
 *
 * Return: 0 (printed), exits 1 otherwise
 */
static int expect_stop(struct front *f, int q, const char *name)
{
	struct pollfd p = { .fd = f->err[q], .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, TIMEOUT_MS) != 1 ||
	    read(f->err[q], &v, sizeof(v)) != sizeof(v))
		fail("the error eventfd did not fire");
	if (q == 1 && used(f, 1)->idx)
		fail("a bad chain came back used");
	if (msg_set(f, SET_OWNER, NULL, 0, NULL, 0))
		fail("the connection was dropped for a bad descriptor");
	printf("vhost_front: OK %s: %s queue stopped, error eventfd "
	       "signalled, connection kept\n", name, q ? "tx" : "rx");
	return 0;
}

/**
 * scenario_desc() - Bad descriptors or rings: the queue must stop
 * @f:		Frontend
 * @path:	Socket path
 * @name:	Scenario
 *
 * Return: 0 (printed), 1 if @name is no such scenario; exits 1 on failure
 */
static int scenario_desc(struct front *f, const char *path, const char *name)
{
	uint64_t ring = UVA_BASE + RING_GPA(1);

	if (!strcmp(name, "ring-outside") || !strcmp(name, "ring-misaligned")) {
		front_connect(f, path);
		front_features(f, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL);
		if (front_mem(f, MEM_SIZE, 0) ||
		    front_queue(f, 0, UVA_BASE + RING_GPA(0)) ||
		    front_queue(f, 1, name[5] == 'o' ? ring + MEM_SIZE
						     : ring + 8))
			fail("queue set-up");
		return expect_stop(f, 1, name);
	}
	if (!strcmp(name, "rx-readonly")) {
		uint16_t i;

		front_setup(f, path, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL);
		rx_fill(f);
		for (i = 0; i < NUM; i++)
			desc(f, 0)[i].flags = 0;
		desc(f, 1)[0] = (struct vring_desc){
			.addr = TXSLOT_GPA,
			.len = arp_request(f->mem + TXSLOT_GPA) };
		post(f, 1, 0);
		kick(f, 1);
		return expect_stop(f, 0, name);
	}
	front_setup(f, path, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL);
	rx_fill(f);
	if (bad_tx_chain(f, name))
		return 1;
	return expect_stop(f, 1, name);
}

/**
 * bad_mem() - Memory table scenarios: send the bad table
 * @f:		Frontend, features negotiated
 * @name:	Scenario
 *
 * Return: 0 if sent, 1 if @name is no memory table scenario
 */
static int bad_mem(struct front *f, const char *name)
{
	uint64_t m[1 + 4 * 9] = { 1, 0, MEM_SIZE, UVA_BASE, 0 };
	int fds[2] = { f->memfd, f->memfd }, nfds = 1;
	uint32_t size = 8 + 32;

	if (!strcmp(name, "mem-beyond-file")) {
		m[2] = 2 * MEM_SIZE;
	} else if (!strcmp(name, "mem-wrap")) {
		m[1] = 0xfffffffffffff000ULL;
	} else if (!strcmp(name, "mem-offset")) {
		m[4] = 0xfffffffffffff000ULL;
	} else if (!strcmp(name, "mem-zero")) {
		m[2] = 0;
	} else if (!strcmp(name, "mem-fds")) {
		m[0] = 2;
		size = 8 + 64;
	} else if (!strcmp(name, "mem-overlap")) {
		m[0] = 2;
		m[5] = 0x1000;
		m[6] = 0x1000;
		m[7] = UVA_BASE + 0x1000;
		size = 8 + 64;
		nfds = 2;
	} else if (!strcmp(name, "mem-count")) {
		m[0] = 9;
		size = 8 + 32 * 9;
	} else {
		return 1;
	}
	msg_send(f, SET_MEM_TABLE, NEED_REPLY, m, size, fds, nfds);
	return 0;
}

/**
 * scenario_msg() - Bad messages: the connection must be dropped
 * @f:		Frontend
 * @path:	Socket path
 * @name:	Scenario
 *
 * Return: 0 (printed), 1 if @name is no such scenario; exits 1 on failure
 */
static int scenario_msg(struct front *f, const char *path, const char *name)
{
	uint32_t st[2] = { 0, NUM };
	uint64_t v = 0;
	uint8_t big[4096] = { 0 };

	front_connect(f, path);
	front_features(f, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL);
	if (!bad_mem(f, name))
		return expect_drop(f, name);
	if (front_mem(f, MEM_SIZE, 0))
		fail("SET_MEM_TABLE");
	if (!strcmp(name, "num-absurd"))
		st[1] = 1000;
	else if (!strcmp(name, "num-huge"))
		st[1] = 65536;
	else if (!strcmp(name, "num-zero"))
		st[1] = 0;
	else if (!strcmp(name, "queue-index"))
		st[0] = 2;
	if (!strncmp(name, "num-", 4) || !strcmp(name, "queue-index")) {
		msg_send(f, SET_VRING_NUM, NEED_REPLY, st, sizeof(st), NULL, 0);
	} else if (!strcmp(name, "fd-extra")) {
		msg_send(f, SET_VRING_NUM, NEED_REPLY, st, sizeof(st),
			 &f->memfd, 1);
	} else if (!strcmp(name, "payload-long")) {
		msg_send(f, SET_FEATURES, NEED_REPLY, big, sizeof(big), NULL, 0);
	} else if (!strcmp(name, "payload-short")) {
		msg_send(f, SET_VRING_ADDR, NEED_REPLY, big, 16, NULL, 0);
	} else if (!strcmp(name, "unknown-request")) {
		msg_send(f, 99, NEED_REPLY, &v, sizeof(v), NULL, 0);
	} else if (!strcmp(name, "bad-version")) {
		uint32_t h[3] = { SET_OWNER, 2, 0 };

		if (write(f->s, h, sizeof(h)) != sizeof(h))
			fail("write");
	} else if (!strcmp(name, "features-unoffered")) {
		v = 1ULL << 60;
		msg_send(f, SET_FEATURES, NEED_REPLY, &v, sizeof(v), NULL, 0);
	} else if (!strcmp(name, "kick-nofd")) {
		v = 1 | 1ULL << 8;
		msg_send(f, SET_VRING_KICK, NEED_REPLY, &v, sizeof(v), NULL, 0);
	} else {
		return 1;
	}
	return expect_drop(f, name);
}

static const char *const scenarios[] = {
	"good", "call-pipe",
	/* bad descriptors or rings: the queue stops */
	"desc-outside", "desc-overflow", "desc-wrap", "head-index",
	"next-index", "loop", "chain-long", "indirect", "tx-writable",
	"avail-jump", "rx-readonly", "ring-outside", "ring-misaligned",
	/* bad messages: the connection is dropped */
	"mem-beyond-file", "mem-wrap", "mem-offset", "mem-zero", "mem-fds",
	"mem-overlap", "mem-count", "num-absurd", "num-huge", "num-zero",
	"queue-index", "fd-extra", "payload-long", "payload-short",
	"unknown-request", "bad-version", "features-unoffered", "kick-nofd",
	NULL,
};

/**
 * relay_tap_open() - Create tap device NAME with a 12-byte virtio-net header
 * @name:	Interface name
 * @csum:	Take frames with checksums left undone (TUN_F_CSUM)
 *
 * Return: the tap file descriptor (non-blocking); exits 1 on error
 */
static int relay_tap_open(const char *name, int csum)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int hl = HDR_LEN;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) ||
	    ioctl(fd, TUNSETVNETHDRSZ, &hl) ||
	    ioctl(fd, TUNSETOFFLOAD, csum ? TUN_F_CSUM : 0))
		fail("tap");
	return fd;
}

/**
 * relay_to_tap() - Write the frames the backend put in receive buffers
 * to the tap, and give the buffers back
 * @f:		Frontend
 * @tap:	Tap device
 */
static void relay_to_tap(struct front *f, int tap)
{
	struct vring_used *u = used(f, 0);
	uint16_t end = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
	struct iovec iov[64];
	int posted = 0;

	while (f->used_seen[0] != end) {
		struct vring_used_elem e = u->ring[f->used_seen[0] % NUM];
		const uint8_t *b = f->mem + RXBUF_GPA + (uint64_t)e.id * RXBUF_MAX;
		uint16_t nb = (uint16_t)(b[10] | b[11] << 8), i;

		if (!nb || nb > 64 || (uint16_t)(end - f->used_seen[0]) < nb)
			fail("bad num_buffers");
		for (i = 0; i < nb; i++) {
			e = u->ring[(f->used_seen[0] + i) % NUM];
			iov[i].iov_base = f->mem + RXBUF_GPA +
					  (uint64_t)e.id * RXBUF_MAX;
			iov[i].iov_len = e.len;
		}
		if (writev(tap, iov, nb) < 0 && errno != EAGAIN &&
		    errno != EIO)
			fail("tap write");
		for (i = 0; i < nb; i++) {
			e = u->ring[f->used_seen[0]++ % NUM];
			post(f, 0, (uint16_t)e.id);
			posted++;
		}
	}
	if (posted)
		kick(f, 0);
}

/**
 * relay_from_tap() - Read frames from the tap into free transmit slots
 * @f:		Frontend
 * @tap:	Tap device
 * @free_slots:	Stack of free slots, updated
 * @nfree:	Its depth, updated
 */
static void relay_from_tap(struct front *f, int tap, uint16_t *free_slots,
			   int *nfree)
{
	struct vring_used *u = used(f, 1);
	uint16_t end = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
	int posted = 0;

	while (f->used_seen[1] != end)
		free_slots[(*nfree)++] =
			(uint16_t)u->ring[f->used_seen[1]++ % NUM].id;
	while (*nfree) {
		uint16_t slot = free_slots[*nfree - 1];
		uint8_t *buf = f->mem + TXSLOT_GPA + (uint64_t)slot * TXSLOT;
		ssize_t n = read(tap, buf, TXSLOT);

		if (n <= 0)
			break;
		(*nfree)--;
		desc(f, 1)[slot] = (struct vring_desc){
			.addr = TXSLOT_GPA + (uint64_t)slot * TXSLOT,
			.len = (uint32_t)n };
		post(f, 1, slot);
		posted++;
	}
	if (posted)
		kick(f, 1);
}

/**
 * relay() - Relay tap frames through the backend until it goes
 * @path:	Socket path
 * @ifname:	Tap device to create
 *
 * Return: 0 once the backend closed the connection; exits 1 on error
 */
static int relay(const char *path, const char *ifname)
{
	static uint16_t free_slots[NUM];
	struct front f;
	int nfree = 0, tap;
	uint64_t v;

	front_setup(&f, path, F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL |
			      F_CSUM | F_GUEST_CSUM);
	tap = relay_tap_open(ifname, !!(f.features & F_CSUM));
	while (nfree < NUM) {
		free_slots[nfree] = (uint16_t)nfree;
		nfree++;
	}
	rx_fill(&f);
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = f.s, .events = POLLIN },
			{ .fd = f.call[0], .events = POLLIN },
			{ .fd = f.call[1], .events = POLLIN },
			{ .fd = tap, .events = nfree ? POLLIN : 0 },
		};

		if (poll(p, 4, -1) < 0 && errno != EINTR)
			fail("poll");
		if (p[0].revents)
			return 0;
		if (p[1].revents && read(f.call[0], &v, sizeof(v)) < 0)
			fail("call eventfd");
		if (p[2].revents && read(f.call[1], &v, sizeof(v)) < 0)
			fail("call eventfd");
		relay_to_tap(&f, tap);
		relay_from_tap(&f, tap, free_slots, &nfree);
	}
}

/**
 * main() - Run one scenario, list them, or relay
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if the backend behaved, 1 if not, 2 on bad usage
 */
int main(int argc, char **argv)
{
	struct front f;
	int i, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (i = 0; scenarios[i]; i++)
			puts(scenarios[i]);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "relay")) {
		const char *ifname = "tap0";
		int o;

		optind = 2;
		while ((o = getopt(argc, argv, "i:b:")) != -1) {
			if (o == 'i')
				ifname = optarg;
			else if (o == 'b')
				rxbuf = (uint32_t)strtoul(optarg, NULL, 10);
			else
				goto usage;
		}
		if (argc - optind != 1 || rxbuf < 64 || rxbuf > RXBUF_MAX)
			goto usage;
		return relay(argv[optind], ifname);
	}
	if (argc != 3)
		goto usage;
	for (i = 0; scenarios[i] && strcmp(scenarios[i], argv[2]) != 0; i++)
		;
	if (!scenarios[i])
		goto usage;
	if (!strcmp(argv[2], "good"))
		return scenario_good(&f, argv[1]);
	if (!strcmp(argv[2], "call-pipe"))
		return scenario_call_pipe(&f, argv[1]);
	rc = scenario_desc(&f, argv[1], argv[2]);
	if (rc != 1)
		return rc;
	close(f.s);
	rc = scenario_msg(&f, argv[1], argv[2]);
	if (rc != 1)
		return rc;
usage:
	fprintf(stderr, "usage: vhost_front SOCK SCENARIO | -l | "
		"relay [-i IFNAME] [-b BYTES] SOCK\n");
	return 2;
}
