// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_echo_check.c - Send a byte count through a UDP echo server, verify all
 *
 * udp_echo_check ADDR PORT TOTAL_BYTES [DGRAM_SIZE [TIMEOUT_S]]
 *
 * Datagrams carry a header (magic, run nonce, sequence number, length) and
 * pseudo-random bytes derived from nonce and sequence number, so each echo is
 * checked byte for byte against what was sent. At most WINDOW datagrams are
 * outstanding; one unanswered for RTO_MS is sent again (UDP may drop). Exit 0
 * only when every datagram came back intact, 1 on a corrupt echo or when the
 * time is up, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define MAGIC		0x4d524445U	/* "MRDE" */
#define HDR_LEN		20
#define WINDOW		64
#define RTO_MS		300
#define DGRAM_MAX	65507

enum state { UNSENT, INFLIGHT, DONE };

/**
 * struct dgram - Book-keeping for one datagram
 * @state:	UNSENT, INFLIGHT or DONE
 * @sent_ms:	Last time it was sent
 */
struct dgram {
	enum state state;
	uint64_t sent_ms;
};

static uint64_t nonce;
static size_t dsize, total;
static unsigned long refused;	/* ICMP port unreachable, seen on any call */

/**
 * dgram_len() - Length of datagram @seq: the last one carries the remainder
 * @seq:	Sequence number
 *
 * Return: length in bytes
 */
static size_t dgram_len(uint32_t seq)
{
	size_t left = total - (size_t)seq * dsize;

	return left < dsize ? left : dsize;
}

/**
 * dgram_fill() - Write the expected content of datagram @seq into @buf
 * @buf:	Buffer of at least dgram_len(@seq) bytes
 * @seq:	Sequence number
 */
static void dgram_fill(uint8_t *buf, uint32_t seq)
{
	uint64_t x = nonce ^ ((uint64_t)seq * 0x9e3779b97f4a7c15ULL) ^ 1;
	size_t len = dgram_len(seq), i;
	uint32_t h[5] = { htonl(MAGIC), htonl((uint32_t)(nonce >> 32)),
			  htonl((uint32_t)nonce), htonl(seq),
			  htonl((uint32_t)len) };

	memcpy(buf, h, HDR_LEN);
	for (i = HDR_LEN; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

/**
 * crc32_update() - CRC-32 (IEEE 802.3) over @len bytes
 * @crc:	Running value, 0 to start
 * @p:		Data
 * @len:	Length of @p
 *
 * Return: updated CRC
 */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t len)
{
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return ~crc;
}

/**
 * echo_check() - Check one received datagram against what was sent
 * @buf:	Received bytes
 * @len:	Received length
 * @n:		Number of datagrams in the run
 * @scratch:	Buffer of DGRAM_MAX bytes
 * @seq:	Sequence number found, set on return 0 and 1
 *
 * Return: 0 if intact, 1 if it belongs to this run but differs, -1 if it is
 * not from this run at all (ignored)
 */
static int echo_check(const uint8_t *buf, size_t len, uint32_t n,
		      uint8_t *scratch, uint32_t *seq)
{
	uint32_t h[5];

	if (len < HDR_LEN)
		return -1;
	memcpy(h, buf, HDR_LEN);
	if (ntohl(h[0]) != MAGIC || ntohl(h[1]) != (uint32_t)(nonce >> 32) ||
	    ntohl(h[2]) != (uint32_t)nonce || ntohl(h[3]) >= n)
		return -1;
	*seq = ntohl(h[3]);
	if (len != dgram_len(*seq))
		return 1;
	dgram_fill(scratch, *seq);
	return memcmp(scratch, buf, len) ? 1 : 0;
}

/**
 * send_due() - Send unsent datagrams into the window, resend timed-out ones
 * @s:		Connected socket
 * @d:		Book-keeping array
 * @n:		Number of datagrams
 * @next:	First never-sent sequence number, updated
 * @buf:	Scratch buffer
 * @resent:	Retransmission count, updated
 *
 * Return: number of datagrams in flight
 */
static unsigned send_due(int s, struct dgram *d, uint32_t n, uint32_t *next,
			 uint8_t *buf, unsigned long *resent)
{
	uint64_t t = now_ms();
	unsigned inflight = 0;
	uint32_t i;

	for (i = 0; i < *next; i++) {
		if (d[i].state != INFLIGHT)
			continue;
		if (t - d[i].sent_ms >= RTO_MS) {
			dgram_fill(buf, i);
			if (send(s, buf, dgram_len(i), 0) >= 0)
				(*resent)++;
			else if (errno == ECONNREFUSED)
				refused++;
			d[i].sent_ms = t;
		}
		inflight++;
	}
	while (inflight < WINDOW && *next < n) {
		dgram_fill(buf, *next);
		if (send(s, buf, dgram_len(*next), 0) < 0) {
			if (errno == ECONNREFUSED)
				refused++;
			else if (errno != ENOBUFS && errno != EAGAIN)
				break;
		}
		d[*next].state = INFLIGHT;
		d[*next].sent_ms = t;
		(*next)++;
		inflight++;
	}
	return inflight;
}

/**
 * main() - Run the check
 * @argc:	Argument count
 * @argv:	ADDR PORT TOTAL_BYTES [DGRAM_SIZE [TIMEOUT_S]]
 *
 * Return: 0 if every datagram came back intact, 1 otherwise, 2 on bad usage
 */
int main(int argc, char **argv)
{
	static uint8_t buf[DGRAM_MAX + 1], scratch[DGRAM_MAX];
	unsigned long resent = 0, foreign = 0;
	uint32_t n, seq, next = 0, done = 0, i, crc = 0;
	struct sockaddr_storage ss;
	uint64_t deadline;
	struct dgram *d;
	long timeout_s;
	socklen_t sl;
	int s, sz;

	if (argc < 4 || argc > 6 || !(sl = addr_parse(argv[1], argv[2], &ss))) {
		fprintf(stderr, "usage: udp_echo_check ADDR PORT TOTAL_BYTES "
			"[DGRAM_SIZE [TIMEOUT_S]]\n");
		return 2;
	}
	total = strtoul(argv[3], NULL, 0);
	dsize = argc > 4 ? strtoul(argv[4], NULL, 0) : 1024;
	timeout_s = argc > 5 ? strtol(argv[5], NULL, 0) : 60;
	if (dsize < HDR_LEN || dsize > DGRAM_MAX || total < HDR_LEN ||
	    total / dsize >= UINT32_MAX || timeout_s <= 0) {
		fprintf(stderr, "udp_echo_check: DGRAM_SIZE must be %d..%d, "
			"TOTAL_BYTES at least %d\n", HDR_LEN, DGRAM_MAX,
			HDR_LEN);
		return 2;
	}
	if (total % dsize && total % dsize < HDR_LEN)
		total -= total % dsize;	/* no runt tail without a header */
	n = (uint32_t)((total + dsize - 1) / dsize);
	d = calloc(n, sizeof(*d));
	nonce = ((uint64_t)getpid() << 32) ^ now_ms() ^
		((uint64_t)time(NULL) << 20);

	s = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sz = 4 << 20;
	if (!d || s < 0 || connect(s, (struct sockaddr *)&ss, sl)) {
		perror("udp_echo_check: socket");
		free(d);
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));

	deadline = now_ms() + (uint64_t)timeout_s * 1000;
	while (done < n) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		ssize_t r;

		if (now_ms() > deadline) {
			for (i = 0; i < n && d[i].state == DONE; i++)
				;
			printf("udp_echo_check: FAIL after %ld s: %u of %u "
			       "datagrams echoed, first missing #%u, %lu "
			       "retransmitted, %lu refused\n", timeout_s,
			       done, n, i, resent, refused);
			free(d);
			return 1;
		}
		send_due(s, d, n, &next, buf, &resent);
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		while ((r = recv(s, buf, sizeof(buf), 0)) >= 0 ||
		       errno == ECONNREFUSED) {
			int bad;

			if (r < 0) {
				refused++;
				continue;
			}
			bad = echo_check(buf, (size_t)r, n, scratch, &seq);
			if (bad < 0) {
				foreign++;
				continue;
			}
			if (bad) {
				printf("udp_echo_check: FAIL: datagram #%u "
				       "came back altered (%zd bytes, sent "
				       "%zu)\n", seq, r, dgram_len(seq));
				free(d);
				return 1;
			}
			if (d[seq].state != DONE)
				done++;
			d[seq].state = DONE;
		}
	}
	for (i = 0; i < n; i++) {
		dgram_fill(buf, i);
		crc = crc32_update(crc, buf, dgram_len(i));
	}
	printf("udp_echo_check: OK %u datagrams, %zu bytes, crc32 %08x, "
	       "%lu retransmitted, %lu foreign\n", n, total, crc, resent,
	       foreign);
	free(d);
	return 0;
}
