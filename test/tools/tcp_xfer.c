// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_xfer.c - TCP client of the test world: move bytes to and from the TCP
 * peer (test/lib/tcp-peer.py) and print what a user would check
 *
 * tcp_xfer [-i ID] [-t SECS] [-p MS] [-n] MODE ADDR PORT [ARG...]
 *
 * -p MS: stall for MS milliseconds once the first MiB has moved: "down"
 * stops reading (its receive window closes), "up" asks the peer to stop
 * reading (the window merd advertises closes).
 * -n: for the benchmark in a slow (TCG) guest, whose CPU would otherwise
 * time the hash rather than the network: "up" sends zeros and "down"
 * hashes nothing; the byte counts are still checked, the sha256 printed
 * is that of nothing, and "up" does not compare the peer's hash.
 *
 *   up BYTES          send BYTES, shut the write side, read the peer's
 *                     "sink bytes=N sha256=H" reply
 *   down BYTES        ask for BYTES, read them to EOF
 *   halfclose UP DOWN send UP bytes, shut the write side, then read the
 *                     peer's reply: a line, then DOWN bytes, then EOF
 *   peershut DOWN UP  the peer sends DOWN bytes and shuts its write side
 *                     first; after that EOF, send UP bytes and shut ours
 *   many CONNS BYTES  CONNS connections at once to the echo service, each
 *                     sends BYTES of its own and checks the echo byte for byte
 *   connect           connect only: print the result and how long it took
 *   reset             read what the peer sends until it resets
 *   resetup           send to the peer until it resets
 *
 * Every request starts with one line, "ID COMMAND [ARG]", the peer logs ID
 * with its side of the story (bytes and SHA-256), and tcp_xfer prints one
 * line "ID MODE key=value..." with its own: the test compares the two.
 * Errors print as errno names (ECONNRESET). Exit: 0 if the transfer did what
 * the mode expects, 1 if not, 2 on bad usage, 3 when SECS (default 120) ran
 * out first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define CHUNK		((size_t)256 * 1024)
#define LINE_MAX_LEN	256
#define MANY_MAX	4096

static const char *id = "x";
static const char *mode = "";
static unsigned pause_ms;
static bool no_check;		/* -n: no pattern, no hash */
static uint8_t buf[CHUNK], want[CHUNK];

/* Helpers */

/**
 * err_name() - Name of an errno value
 * @e:		errno value, 0 for none
 *
 * Return: "ECONNRESET" and the like
 */
static const char *err_name(int e)
{
	const char *n = e ? strerrorname_np(e) : "OK";

	return n ? n : "EUNKNOWN";
}

/**
 * on_alarm() - The time given ran out: say so, exit 3
 * @sig:	SIGALRM
 */
static void on_alarm(int sig)
{
	const char *part[] = { id, " ", mode, " result=timeout\n" };
	size_t i;

	(void)sig;
	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++)	/* no stdio */
		if (write(STDOUT_FILENO, part[i], strlen(part[i])) < 0)
			break;
	_exit(3);
}

static struct sockaddr_storage peer;
static socklen_t peer_len;

/**
 * peer_connect() - Connect a blocking socket to the peer
 * @err:	Set to the errno of a failure, 0 on success
 *
 * Return: socket, or -1 with @err set
 */
static int peer_connect(int *err)
{
	int s = socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*err = 0;
	if (s < 0) {
		*err = errno;
		return -1;
	}
	if (connect(s, (struct sockaddr *)&peer, peer_len)) {
		*err = errno;
		close(s);
		return -1;
	}
	return s;
}

/**
 * send_all() - Send all of @len bytes
 * @s:		Socket
 * @p:		Bytes
 * @len:	Length
 *
 * Return: 0, or the errno of the failure
 */
static int send_all(int s, const void *p, size_t len)
{
	const uint8_t *q = p;

	while (len) {
		ssize_t n = send(s, q, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		q += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * request() - Connect and send the request line "ID CMD"
 * @cmd:	Command and its argument
 *
 * Return: socket; on failure, prints the error and exits 1
 */
static int request(const char *cmd)
{
	char line[LINE_MAX_LEN];
	int s, e;

	s = peer_connect(&e);
	if (s < 0) {
		printf("%s %s result=%s at=connect\n", id, mode, err_name(e));
		exit(1);
	}
	snprintf(line, sizeof(line), "%s %s\n", id, cmd);
	e = send_all(s, line, strlen(line));
	if (e) {
		printf("%s %s result=%s at=request\n", id, mode, err_name(e));
		exit(1);
	}
	return s;
}

/**
 * send_stream() - Send @bytes of pseudo-random data, hashing them
 * @s:		Socket
 * @seed:	Stream
 * @bytes:	How many; UINT64_MAX: until an error
 * @sha:	Hash of what was sent, started by the caller
 * @sent:	Set to the bytes the socket took
 *
 * Return: 0, or the errno of the failure
 */
static int send_stream(int s, uint64_t seed, uint64_t bytes,
		       struct sha256 *sha, uint64_t *sent)
{
	for (*sent = 0; *sent < bytes;) {
		size_t k = bytes - *sent < CHUNK ? (size_t)(bytes - *sent) : CHUNK;
		ssize_t n;

		if (!no_check)
			stream_fill(seed, *sent, buf, k);
		n = send(s, buf, k, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (!no_check)
			sha256_update(sha, buf, (size_t)n);
		*sent += (uint64_t)n;
	}
	return 0;
}

/**
 * recv_stream() - Read until EOF, an error or @max bytes, hashing
 * @s:		Socket
 * @max:	Most bytes to read (the caller expects EOF at or before)
 * @sha:	Hash of what arrived, started by the caller
 * @got:	Set to the bytes read
 *
 * Return: 0 at EOF, -1 if @max bytes came and more follow, or errno
 */
static int recv_stream(int s, uint64_t max, struct sha256 *sha, uint64_t *got)
{
	for (*got = 0;;) {
		ssize_t n = recv(s, buf, CHUNK, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (!n)
			return 0;
		if (!no_check)
			sha256_update(sha, buf, (size_t)n);
		if (pause_ms && *got < (1 << 20) && *got + (uint64_t)n >= (1 << 20))
			usleep(pause_ms * 1000U);
		*got += (uint64_t)n;
		if (*got > max)
			return -1;
	}
}

/**
 * recv_line() - Read one line, byte by byte so nothing after it is taken
 * @s:		Socket
 * @line:	LINE_MAX_LEN bytes, without the newline on return
 *
 * Return: 0, or errno (EPROTO if EOF or overlong)
 */
static int recv_line(int s, char *line)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = recv(s, line + n, 1, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno;
		if (!r || n + 1 == LINE_MAX_LEN)
			return EPROTO;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
}

/**
 * seed_new() - A seed that differs between runs
 *
 * Return: seed
 */
static uint64_t seed_new(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_nsec << 20 ^ (uint64_t)ts.tv_sec ^
	       (uint64_t)getpid() << 40;
}

/**
 * result_name() - Text of a recv_stream()/send_stream() status
 * @rc:		0 (EOF or done), -1 (too much), errno
 *
 * Return: "OK", "TOOLONG", or the errno name
 */
static const char *result_name(int rc)
{
	return rc == -1 ? "TOOLONG" : err_name(rc);
}

/* Modes */

/**
 * do_up() - Upload BYTES to the sink; compare its reply with what was sent
 * @bytes:	How many
 *
 * Return: exit status
 */
static int do_up(uint64_t bytes)
{
	char line[LINE_MAX_LEN], hex[65], want_line[LINE_MAX_LEN], cmd[32];
	struct sha256 sha;
	uint64_t sent;
	int s, rc;

	snprintf(cmd, sizeof(cmd), "sink %u", pause_ms);
	s = request(cmd);

	sha256_init(&sha);
	rc = send_stream(s, seed_new(), bytes, &sha, &sent);
	sha256_hex(&sha, hex);
	if (!rc && shutdown(s, SHUT_WR))
		rc = errno;
	if (!rc)
		rc = recv_line(s, line);
	if (rc) {
		printf("%s up sent=%llu sha256=%s result=%s\n", id,
		       (unsigned long long)sent, hex, err_name(rc));
		return 1;
	}
	printf("%s up sent=%llu sha256=%s reply=\"%s\"\n", id,
	       (unsigned long long)sent, hex, line);
	snprintf(want_line, sizeof(want_line), "sink bytes=%llu sha256=%s",
		 (unsigned long long)sent, no_check ? "" : hex);
	close(s);
	if (no_check)
		return strncmp(line, want_line, strlen(want_line)) ? 1 : 0;
	return strcmp(line, want_line) ? 1 : 0;
}

/**
 * do_down() - Download BYTES from the source, to EOF
 * @bytes:	How many the source is asked for
 *
 * Return: exit status
 */
static int do_down(uint64_t bytes)
{
	char cmd[64], hex[65];
	struct sha256 sha;
	uint64_t got;
	int s, rc;

	snprintf(cmd, sizeof(cmd), "source %llu", (unsigned long long)bytes);
	s = request(cmd);
	sha256_init(&sha);
	rc = recv_stream(s, bytes, &sha, &got);
	sha256_hex(&sha, hex);
	printf("%s down received=%llu sha256=%s result=%s\n", id,
	       (unsigned long long)got, hex, result_name(rc));
	close(s);
	return rc || got != bytes;
}

/**
 * do_halfclose() - Send, shut the write side, then read the whole reply
 * @up:		Bytes to send
 * @down:	Bytes the peer replies with after our FIN
 *
 * Return: exit status
 */
static int do_halfclose(uint64_t up, uint64_t down)
{
	char cmd[64], line[LINE_MAX_LEN], hex[65], hex2[65], want_line[LINE_MAX_LEN];
	struct sha256 sha;
	uint64_t sent, got = 0;
	int s, rc;

	snprintf(cmd, sizeof(cmd), "reply %llu", (unsigned long long)down);
	s = request(cmd);
	sha256_init(&sha);
	rc = send_stream(s, seed_new(), up, &sha, &sent);
	sha256_hex(&sha, hex);
	if (!rc && shutdown(s, SHUT_WR))
		rc = errno;
	if (!rc)
		rc = recv_line(s, line);
	if (rc) {
		printf("%s halfclose sent=%llu sha256=%s result=%s\n", id,
		       (unsigned long long)sent, hex, err_name(rc));
		return 1;
	}
	sha256_init(&sha);
	rc = recv_stream(s, down, &sha, &got);
	sha256_hex(&sha, hex2);
	printf("%s halfclose sent=%llu sha256=%s reply=\"%s\" received=%llu "
	       "received_sha256=%s result=%s\n", id, (unsigned long long)sent,
	       hex, line, (unsigned long long)got, hex2, result_name(rc));
	snprintf(want_line, sizeof(want_line), "reply bytes=%llu sha256=%s",
		 (unsigned long long)sent, hex);
	close(s);
	return rc || got != down || strcmp(line, want_line) != 0;
}

/**
 * do_peershut() - The peer sends and shuts first; send after its EOF
 * @down:	Bytes the peer sends before its FIN
 * @up:		Bytes to send after that
 *
 * Return: exit status
 */
static int do_peershut(uint64_t down, uint64_t up)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 30 };
	char cmd[64], hex[65], hex2[65];
	struct sha256 sha;
	uint64_t got, sent = 0;
	int s, rc, rc2 = 0;

	snprintf(cmd, sizeof(cmd), "shutfirst %llu", (unsigned long long)down);
	s = request(cmd);
	sha256_init(&sha);
	rc = recv_stream(s, down, &sha, &got);
	sha256_hex(&sha, hex);
	sha256_init(&sha);
	if (!rc)
		rc2 = send_stream(s, seed_new(), up, &sha, &sent);
	sha256_hex(&sha, hex2);
	if (!rc && !rc2 && shutdown(s, SHUT_WR))
		rc2 = errno;
	/* closing waits until what was sent is acknowledged */
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (!rc && !rc2 && close(s))
		rc2 = errno;
	printf("%s peershut received=%llu sha256=%s result=%s sent=%llu "
	       "sent_sha256=%s send_result=%s\n", id, (unsigned long long)got, hex,
	       result_name(rc), (unsigned long long)sent, hex2, err_name(rc2));
	return rc || rc2 || got != down || sent != up;
}

/**
 * do_connect() - Connect only, and tell how it went and how long it took
 *
 * Return: 0 if connected, 1 otherwise
 */
static int do_connect(void)
{
	uint64_t t0 = now_ms();
	int e, s = peer_connect(&e);

	printf("%s connect result=%s ms=%llu\n", id, err_name(e),
	       (unsigned long long)(now_ms() - t0));
	if (s >= 0)
		close(s);
	return s < 0;
}

/**
 * do_reset() - Read from a peer that resets the connection mid-stream
 *
 * Return: 0 if the reset was seen as ECONNRESET after some data
 */
static int do_reset(void)
{
	struct sha256 sha;
	uint64_t got;
	int s = request("reset"), rc;

	sha256_init(&sha);
	rc = recv_stream(s, UINT64_MAX - 1, &sha, &got);
	printf("%s reset received=%llu result=%s\n", id,
	       (unsigned long long)got, result_name(rc));
	close(s);
	return rc != ECONNRESET || !got;
}

/**
 * do_resetup() - Send to a peer that resets the connection mid-stream
 *
 * Return: 0 if the reset was seen as ECONNRESET after some data
 */
static int do_resetup(void)
{
	struct sha256 sha;
	uint64_t sent;
	int s = request("resetup"), rc;

	sha256_init(&sha);
	rc = send_stream(s, seed_new(), UINT64_MAX, &sha, &sent);
	printf("%s resetup sent=%llu result=%s\n", id,
	       (unsigned long long)sent, err_name(rc));
	close(s);
	return rc != ECONNRESET || !sent;
}

/**
 * struct conn - One connection of do_many()
 * @fd:		Socket, -1 once finished
 * @hdr:	Request line
 * @hdr_len:	Its length
 * @hdr_sent:	Bytes of it sent
 * @sent:	Payload bytes sent
 * @rcvd:	Payload bytes echoed and checked
 * @up:		Connected
 * @shut:	Write side shut
 * @bad:	Failure, as text; NULL while fine
 * @bad_at:	Offset of the first wrong byte
 */
struct conn {
	int fd;
	char hdr[48];
	size_t hdr_len;
	size_t hdr_sent;
	uint64_t sent;
	uint64_t rcvd;
	bool up;
	bool shut;
	const char *bad;
	uint64_t bad_at;
};

/**
 * conn_out() - Connection @k can write: finish connecting, send more
 * @c:		Connection
 * @k:		Its number (stream seed)
 * @bytes:	Payload per connection
 */
static void conn_out(struct conn *c, uint64_t k, uint64_t bytes)
{
	ssize_t n;

	if (!c->up) {
		int e = 0;
		socklen_t sl = sizeof(e);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl);
		if (e) {
			c->bad = err_name(e);
			return;
		}
		c->up = true;
	}
	if (c->hdr_sent < c->hdr_len) {
		n = send(c->fd, c->hdr + c->hdr_sent, c->hdr_len - c->hdr_sent,
			 MSG_NOSIGNAL);
		if (n > 0)
			c->hdr_sent += (size_t)n;
		return;
	}
	if (c->sent < bytes) {
		size_t len = bytes - c->sent < 65536 ? bytes - c->sent : 65536;

		stream_fill(k + 1, c->sent, buf, len);
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			c->bad = err_name(errno);
		if (n > 0)
			c->sent += (uint64_t)n;
	}
	if (c->sent == bytes && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
}

/**
 * conn_in() - Connection @k can read: check the echo
 * @c:		Connection
 * @k:		Its number (stream seed)
 * @bytes:	Payload per connection
 *
 * Return: true once the connection is finished, well or badly
 */
static bool conn_in(struct conn *c, uint64_t k, uint64_t bytes)
{
	ssize_t n = recv(c->fd, buf, 65536, 0), i;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return false;
		c->bad = err_name(errno);
		return true;
	}
	if (!n) {
		if (c->rcvd != bytes)
			c->bad = "SHORT";
		return true;
	}
	if (c->rcvd + (uint64_t)n > bytes) {
		c->bad = "TOOLONG";
		return true;
	}
	stream_fill(k + 1, c->rcvd, want, (size_t)n);
	if (memcmp(want, buf, (size_t)n) != 0) {
		for (i = 0; i < n && want[i] == buf[i]; i++)
			;
		c->bad = "CORRUPT";
		c->bad_at = c->rcvd + (uint64_t)i;
		return true;
	}
	c->rcvd += (uint64_t)n;
	return false;
}

/**
 * do_many() - Many connections at once through the echo service
 * @nconn:	Connections
 * @bytes:	Payload each
 *
 * Return: exit status
 */
static int do_many(unsigned nconn, uint64_t bytes)
{
	static struct conn conns[MANY_MAX];
	static struct pollfd pfd[MANY_MAX];
	unsigned k, left = nconn, ok = 0, shown = 0;

	for (k = 0; k < nconn; k++) {
		struct conn *c = &conns[k];

		c->fd = socket(peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			printf("%s many result=%s at=socket\n", id,
			       err_name(errno));
			return 1;
		}
		if (connect(c->fd, (struct sockaddr *)&peer, peer_len) &&
		    errno != EINPROGRESS)
			c->bad = err_name(errno);
		c->hdr_len = (size_t)snprintf(c->hdr, sizeof(c->hdr),
					      "%s.%u echo\n", id, k);
	}
	while (left) {
		for (k = 0; k < nconn; k++) {
			struct conn *c = &conns[k];

			if (c->bad && c->fd >= 0) {
				close(c->fd);
				c->fd = -1;
				left--;
			}
			pfd[k].fd = c->fd;
			pfd[k].events = POLLIN |
					(c->up && c->shut ? 0 : POLLOUT);
		}
		if (!left)
			break;
		if (poll(pfd, nconn, -1) < 0 && errno != EINTR)
			return 1;
		for (k = 0; k < nconn; k++) {
			struct conn *c = &conns[k];

			if (c->fd < 0 || !pfd[k].revents)
				continue;
			if (pfd[k].revents & (POLLOUT | POLLERR | POLLHUP) &&
			    (!c->up || !c->shut))
				conn_out(c, k, bytes);
			if (!c->bad && c->up &&
			    pfd[k].revents & (POLLIN | POLLERR | POLLHUP) &&
			    conn_in(c, k, bytes) && !c->bad) {
				close(c->fd);
				c->fd = -1;
				left--;
				ok++;
			}
		}
	}
	for (k = 0; k < nconn && shown < 10; k++) {
		if (!conns[k].bad)
			continue;
		printf("%s.%u many failed=%s sent=%llu echoed=%llu at=%llu\n",
		       id, k, conns[k].bad, (unsigned long long)conns[k].sent,
		       (unsigned long long)conns[k].rcvd,
		       (unsigned long long)conns[k].bad_at);
		shown++;
	}
	printf("%s many conns=%u bytes=%llu intact=%u failed=%u\n", id, nconn,
	       (unsigned long long)bytes, ok, nconn - ok);
	return ok != nconn;
}

/**
 * num() - Parse a byte count: digits with an optional K, M or G suffix
 * @s:		Text
 *
 * Return: value; exits 2 on a bad number
 */
static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	}
	if (end == s || *end) {
		fprintf(stderr, "tcp_xfer: bad number %s\n", s);
		exit(2);
	}
	return v;
}

/**
 * usage() - Print the synopsis, exit 2
 */
static void usage(void)
{
	fprintf(stderr, "usage: tcp_xfer [-i ID] [-t SECS] [-p MS] [-n] MODE ADDR PORT [ARG...]\n"
		"  MODE: up BYTES | down BYTES | halfclose UP DOWN | "
		"peershut DOWN UP |\n"
		"        many CONNS BYTES | connect | reset | resetup\n");
	exit(2);
}

/**
 * main() - Parse the options, run one mode
 * @argc:	Argument count
 * @argv:	Options, MODE ADDR PORT, the mode's arguments
 *
 * Return: exit status of the mode
 */
int main(int argc, char **argv)
{
	unsigned secs = 120;
	int o, nargs;

	while ((o = getopt(argc, argv, "i:t:p:n")) != -1) {
		if (o == 'i')
			id = optarg;
		else if (o == 't')
			secs = (unsigned)num(optarg);
		else if (o == 'p')
			pause_ms = (unsigned)num(optarg);
		else if (o == 'n')
			no_check = true;
		else
			usage();
	}
	if (argc - optind < 3)
		usage();
	mode = argv[optind];
	peer_len = addr_parse(argv[optind + 1], argv[optind + 2], &peer);
	if (!peer_len)
		usage();
	nargs = argc - optind - 3;
	argv += optind + 3;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(secs);

	if (!strcmp(mode, "up") && nargs == 1)
		return do_up(num(argv[0]));
	if (!strcmp(mode, "down") && nargs == 1)
		return do_down(num(argv[0]));
	if (!strcmp(mode, "halfclose") && nargs == 2)
		return do_halfclose(num(argv[0]), num(argv[1]));
	if (!strcmp(mode, "peershut") && nargs == 2)
		return do_peershut(num(argv[0]), num(argv[1]));
	if (!strcmp(mode, "many") && nargs == 2 && num(argv[0]) <= MANY_MAX)
		return do_many((unsigned)num(argv[0]), num(argv[1]));
	if (!strcmp(mode, "connect") && !nargs)
		return do_connect();
	if (!strcmp(mode, "reset") && !nargs)
		return do_reset();
	if (!strcmp(mode, "resetup") && !nargs)
		return do_resetup();
	usage();
	return 2;
}
