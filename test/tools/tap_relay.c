// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_relay.c - Relay frames between a tap device and a qemu stream socket,
 * so that a network namespace can stand in for a VM guest in the benchmarks
 * of test/perf
 *
 * tap_relay [-i IFNAME] [-d N] SOCKPATH
 *
 * Creates tap device IFNAME (default tap0) in the current network namespace
 * (needs CAP_NET_ADMIN there: run it under unshare -Urn), connects to the
 * UNIX stream socket SOCKPATH as qemu's "-netdev stream,server=off" does,
 * and copies frames both ways in qemu's framing: a 4-byte big-endian length,
 * then the Ethernet frame. Frames read from the tap in one go are sent in
 * one write. The caller configures the device (address, MTU, up) after it
 * appears. -d N drops every Nth frame of more than DROP_MIN_LEN bytes read
 * from the tap, a loss the sender's TCP cannot see locally (it stands in
 * for a lossy link in tests of loss recovery). Exit: 0 when the socket is
 * closed by the other end, 1 on an error (printed), 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FRAME_MAX	(65536 + 64)
#define BATCH_FRAMES	64
#define TO_SOCK_SIZE	(BATCH_FRAMES * (FRAME_MAX + 4UL))
#define FROM_SOCK_SIZE	(1024UL * 1024)
#define DROP_MIN_LEN	128	/* frames that carry data, not bare ACKs */

static uint8_t to_sock[TO_SOCK_SIZE];
static uint8_t from_sock[FROM_SOCK_SIZE];
static unsigned long drop_every;	/* -d: 0, or drop every Nth frame */
static unsigned long drop_seen;		/* frames of DROP_MIN_LEN+ so far */

/**
 * relay_drop() - Decide whether the frame just read is to be lost
 * @len:	Its length
 *
 * Return: true if -d asked to drop it
 */
static bool relay_drop(size_t len)
{
	return drop_every && len > DROP_MIN_LEN &&
	       ++drop_seen % drop_every == 0;
}

/**
 * relay_tap_open() - Create tap device NAME, non-blocking
 * @name:	Interface name
 *
 * Return: the tap file descriptor, -1 with a message on error
 */
static int relay_tap_open(const char *name)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr)) {
		fprintf(stderr, "tap_relay: tap %s: %s\n", name, strerror(errno));
		return -1;
	}
	return fd;
}

/**
 * relay_connect() - Connect to the UNIX stream socket at PATH
 * @path:	Socket path
 *
 * Return: the socket, -1 with a message on error
 */
static int relay_connect(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "tap_relay: socket path too long\n");
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "tap_relay: connect %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return s;
}

/**
 * relay_write_all() - Write LEN bytes of BUF to blocking socket S
 * @s:		Socket
 * @buf:	Data
 * @len:	Length
 *
 * Return: 0, -1 on error
 */
static int relay_write_all(int s, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(s, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * relay_from_tap() - Read up to BATCH_FRAMES frames from the tap and send
 * them, framed, in one write
 * @tap:	Tap device
 * @s:		Stream socket
 *
 * Return: 0, -1 if the socket failed
 */
static int relay_from_tap(int tap, int s)
{
	size_t off = 0;
	int i;

	for (i = 0; i < BATCH_FRAMES; i++) {
		ssize_t n = read(tap, to_sock + off + 4, FRAME_MAX);

		if (n <= 0)
			break;
		if (relay_drop((size_t)n))
			continue;
		to_sock[off] = (uint8_t)(n >> 24);
		to_sock[off + 1] = (uint8_t)(n >> 16);
		to_sock[off + 2] = (uint8_t)(n >> 8);
		to_sock[off + 3] = (uint8_t)n;
		off += 4 + (size_t)n;
	}
	return off ? relay_write_all(s, to_sock, off) : 0;
}

/**
 * relay_from_sock() - Read from the socket; write each complete frame to the
 * tap, keep a partial one for the next call
 * @tap:	Tap device
 * @s:		Stream socket
 * @have:	Bytes held in from_sock, updated
 *
 * Return: 0, 1 on end of file, -1 on an error or an impossible length
 */
static int relay_from_sock(int tap, int s, size_t *have)
{
	ssize_t n = read(s, from_sock + *have, FROM_SOCK_SIZE - *have);
	size_t off = 0;

	if (n == 0)
		return 1;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	*have += (size_t)n;
	while (*have - off >= 4) {
		const uint8_t *p = from_sock + off;
		size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 |
			     (size_t)p[2] << 8 | p[3];

		if (len > FRAME_MAX) {
			fprintf(stderr, "tap_relay: frame length %zu\n", len);
			return -1;
		}
		if (*have - off < 4 + len)
			break;
		if (write(tap, p + 4, len) < 0 && errno != EAGAIN)
			fprintf(stderr, "tap_relay: tap write: %s\n", strerror(errno));
		off += 4 + len;
	}
	memmove(from_sock, from_sock + off, *have - off);
	*have -= off;
	return 0;
}

/**
 * relay_loop() - Copy frames both ways until the socket closes
 * @tap:	Tap device
 * @s:		Stream socket
 *
 * Return: 0 at end of file, 1 on an error
 */
static int relay_loop(int tap, int s)
{
	struct pollfd p[2] = { { .fd = tap, .events = POLLIN },
			       { .fd = s, .events = POLLIN } };
	size_t have = 0;
	int rc;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if ((p[0].revents & POLLIN) && relay_from_tap(tap, s))
			return 1;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = relay_from_sock(tap, s, &have);
			if (rc)
				return rc < 0;
		}
	}
}

/**
 * main() - Open the tap and the socket, relay
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 at end of file, 1 on an error, 2 on bad usage
 */
int main(int argc, char **argv)
{
	const char *ifname = "tap0";
	int o, tap, s;

	while ((o = getopt(argc, argv, "i:d:")) != -1) {
		if (o == 'i')
			ifname = optarg;
		else if (o == 'd')
			drop_every = strtoul(optarg, NULL, 10);
		else
			goto usage;
	}
	if (argc - optind != 1)
		goto usage;
	tap = relay_tap_open(ifname);
	if (tap < 0)
		return 1;
	s = relay_connect(argv[optind]);
	if (s < 0)
		return 1;
	return relay_loop(tap, s);
usage:
	fprintf(stderr, "usage: tap_relay [-i IFNAME] [-d N] SOCKPATH\n");
	return 2;
}
