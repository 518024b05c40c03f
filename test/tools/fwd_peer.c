// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_peer.c - Both ends of the port forwarding tests: a server that runs in
 * the guest and logs who reached it, and the client that reaches it from the
 * host's side through merd's forwarded ports
 *
 * fwd_peer serve [-l LOG] [-e] [-r READY] [-s STOP] [-w SECS] PORT...
 *
 *   Listens on TCP and UDP port PORT of every address ([::], dual stack) and
 *   logs one line per client, with the address the client came from:
 *     tcp port=P from=ADDR sport=N id=ID cmd=CMD ... status=ok
 *     udp port=P from=ADDR sport=N id=ID len=N
 *   A TCP client sends one line "ID CMD [ARG]" first:
 *     hello          the server answers "ID hello from=ADDR sport=N port=P"
 *     sink           the client sends bytes to EOF; the answer is
 *                    "ID sink bytes=N sha256=H"
 *     source BYTES   the server sends BYTES of a pseudo-random stream, then
 *                    shuts its side; it logs their SHA-256
 *     quit           the server answers "ID quit" and exits 0
 *   A UDP datagram "ID hello" (or "ID quit") gets the same hello answer.
 *   READY is created once every socket is bound. The server exits once the
 *   file STOP exists, or after SECS (default 600) seconds. LOG: default
 *   stdout; -e: copy the log lines to stdout as well.
 *
 * fwd_peer [-b ADDR] [-p PORT] [-i ID] [-t SECS] [-k SECS] tcp ADDR PORT hello|quit
 * fwd_peer [-b ADDR] [-p PORT] [-i ID] [-t SECS] tcp ADDR PORT up|down BYTES
 * fwd_peer [-b ADDR] [-p PORT] [-i ID] [-t SECS] udp ADDR PORT hello|quit
 *
 *   Client: -b binds the client to ADDR first (the address the server should
 *   see), -p to source port PORT (with SO_REUSEADDR); -k keeps a hello
 *   connection open SECS seconds after the answer; -t bounds each wait
 *   (default 10 s). up: "sink", BYTES of the stream sent; down: "source
 *   BYTES". Prints
 *   one line "ID MODE key=value...": result=OK or an errno name (where it
 *   happened: stage=connect|send|recv), lport (the client's own port),
 *   connect_ms, ms (the whole exchange),
 *   sent/received and their sha256, reply="..." (the server's answer line).
 *   Exit: 0 if result=OK, 1 if not, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define CHUNK		((size_t)128 * 1024)
#define LINE_LEN	256
#define MAX_PORTS	32
#define STREAM_SEED	0x6d657264ULL	/* "merd" */

static uint8_t buf[CHUNK];
static int log_fd = 1;
static bool log_echo;

/* Helpers */

/**
 * errname() - Name of an errno value
 * @e:		errno
 *
 * Return: "ECONNRESET" and the like, or "E<number>"
 */
static const char *errname(int e)
{
	static char other[16];

	switch (e) {
	case ECONNRESET:	return "ECONNRESET";
	case ECONNREFUSED:	return "ECONNREFUSED";
	case ETIMEDOUT:		return "ETIMEDOUT";
	case EPIPE:		return "EPIPE";
	case EHOSTUNREACH:	return "EHOSTUNREACH";
	case ENETUNREACH:	return "ENETUNREACH";
	case EADDRNOTAVAIL:	return "EADDRNOTAVAIL";
	case EAGAIN:		return "EAGAIN";
	case EINVAL:		return "EINVAL";
	case EACCES:		return "EACCES";
	case EADDRINUSE:	return "EADDRINUSE";
	case ECONNABORTED:	return "ECONNABORTED";
	}
	snprintf(other, sizeof(other), "E%d", e);
	return other;
}

/**
 * addr_str() - Write a socket address as "ADDR" and its port
 * @ss:		Address (IPv4-mapped IPv6 is shown as IPv4)
 * @out:	INET6_ADDRSTRLEN bytes, "?" if @ss is neither IPv4 nor IPv6
 *
 * Return: the port, 0 for neither
 */
static int addr_str(const struct sockaddr_storage *ss, char *out)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &a4->sin_addr, out, INET6_ADDRSTRLEN);
		return ntohs(a4->sin_port);
	}
	if (ss->ss_family != AF_INET6) {
		strcpy(out, "?");
		return 0;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr))
		inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], out,
			  INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET6, &a6->sin6_addr, out, INET6_ADDRSTRLEN);
	return ntohs(a6->sin6_port);
}

/**
 * logline() - Write one line to the log in a single write()
 * @fmt:	Format, without the newline
 */
static void logline(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) < 0)
		return;
	if (log_echo && log_fd != 1 && write(1, line, (size_t)n) < 0)
		return;
}

/**
 * write_all() - Write all of @p to @s
 * @s:		Socket
 * @p:		Bytes
 * @len:	Length
 *
 * Return: 0, or -1 with errno set
 */
static int write_all(int s, const void *p, size_t len)
{
	const uint8_t *q = p;

	while (len) {
		ssize_t n = send(s, q, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		q += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * read_line() - Read one line from @s, byte by byte (nothing after it)
 * @s:		Socket
 * @line:	LINE_LEN bytes, NUL-terminated without the newline
 *
 * Return: length, or -1 with errno set (0 at EOF: ECONNABORTED-like)
 */
static int read_line(int s, char *line)
{
	int n = 0;

	for (;;) {
		ssize_t r = recv(s, line + n, 1, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!r || line[n] == '\n' || n == LINE_LEN - 2)
			break;
		n++;
	}
	line[n] = '\0';
	return n;
}

/* The server */

/**
 * since_ms() - Milliseconds since a time
 * @t0:		now_ms() then
 *
 * Return: elapsed milliseconds
 */
static long long since_ms(uint64_t t0)
{
	return (long long)(now_ms() - t0);
}

/**
 * request_parse() - Split a request line "ID COMMAND [ARG]"
 * @line:	Line, cut up here
 * @id:		64 bytes, set to ID
 * @cmd:	32 bytes, set to COMMAND
 * @arg:	Set to ARG if given
 *
 * Return: fields found (2 or 3 for a good line), 0 if ARG is not a number
 */
static int request_parse(char *line, char *id, char *cmd,
			 unsigned long long *arg)
{
	char *save = NULL, *f[3], *end;
	int n;

	for (n = 0; n < 3; n++) {
		f[n] = strtok_r(n ? NULL : line, " \t\r\n", &save);
		if (!f[n])
			break;
	}
	if (n < 2)
		return n;
	snprintf(id, 64, "%s", f[0]);
	snprintf(cmd, 32, "%s", f[1]);
	if (n == 3) {
		errno = 0;
		*arg = strtoull(f[2], &end, 10);
		if (*end || errno)
			return 0;
	}
	return n;
}

/**
 * serve_tcp() - Handle one TCP client (in a child process)
 * @s:		Accepted socket
 * @port:	Listening port
 */
static void serve_tcp(int s, int port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	char from[INET6_ADDRSTRLEN], line[LINE_LEN], id[64] = "-", cmd[32] = "";
	char hex[65], reply[LINE_LEN + 128];
	struct timeval tv = { .tv_sec = 60 };
	unsigned long long arg = 0, n = 0;
	struct sha256 h;
	int sport;

	getpeername(s, (struct sockaddr *)&ss, &sl);
	sport = addr_str(&ss, from);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	errno = 0;
	if (read_line(s, line) < 0 ||
	    request_parse(line, id, cmd, &arg) < 2) {
		logline("tcp port=%d from=%s sport=%d id=%s cmd=? status=%s",
			port, from, sport, id, errno ? errname(errno) : "badline");
		return;
	}
	sha256_init(&h);
	if (!strcmp(cmd, "hello") || !strcmp(cmd, "quit")) {
		snprintf(reply, sizeof(reply), "%s %s from=%s sport=%d port=%d\n",
			 id, cmd, from, sport, port);
		if (write_all(s, reply, strlen(reply)))
			goto fail;
		logline("tcp port=%d from=%s sport=%d id=%s cmd=%s status=ok",
			port, from, sport, id, cmd);
		if (!strcmp(cmd, "quit"))
			kill(getppid(), SIGUSR1);
		return;
	}
	if (!strcmp(cmd, "sink")) {
		ssize_t r;

		while ((r = recv(s, buf, sizeof(buf), 0)) != 0) {
			if (r < 0) {
				if (errno == EINTR)
					continue;
				goto fail;
			}
			sha256_update(&h, buf, (size_t)r);
			n += (unsigned long long)r;
		}
		sha256_hex(&h, hex);
		snprintf(reply, sizeof(reply), "%s sink bytes=%llu sha256=%s\n",
			 id, n, hex);
		if (write_all(s, reply, strlen(reply)))
			goto fail;
		logline("tcp port=%d from=%s sport=%d id=%s cmd=sink received=%llu "
			"sha256=%s status=ok", port, from, sport, id, n, hex);
		return;
	}
	if (!strcmp(cmd, "source")) {
		while (n < arg) {
			size_t k = arg - n < CHUNK ? (size_t)(arg - n) : CHUNK;

			stream_fill(STREAM_SEED, n, buf, k);
			if (write_all(s, buf, k))
				goto fail;
			sha256_update(&h, buf, k);
			n += k;
		}
		sha256_hex(&h, hex);
		shutdown(s, SHUT_WR);
		while (recv(s, buf, sizeof(buf), 0) > 0)	/* to the client's EOF */
			;
		logline("tcp port=%d from=%s sport=%d id=%s cmd=source sent=%llu "
			"sha256=%s status=ok", port, from, sport, id, n, hex);
		return;
	}
	logline("tcp port=%d from=%s sport=%d id=%s cmd=%s status=badcmd",
		port, from, sport, id, cmd);
	return;
fail:
	logline("tcp port=%d from=%s sport=%d id=%s cmd=%s bytes=%llu status=%s",
		port, from, sport, id, cmd, n, errname(errno));
}

/**
 * serve_udp() - Answer the datagrams waiting on @s
 * @s:		Bound UDP socket
 * @port:	Its port
 *
 * Return: true if one of them was "quit"
 */
static bool serve_udp(int s, int port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	char from[INET6_ADDRSTRLEN], id[64] = "-", cmd[32] = "?";
	char reply[LINE_LEN];
	ssize_t n;
	int sport;

	n = recvfrom(s, buf, LINE_LEN - 1, MSG_DONTWAIT,
		     (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return false;
	buf[n] = '\0';
	sscanf((char *)buf, "%63s %31s", id, cmd);
	sport = addr_str(&ss, from);
	logline("udp port=%d from=%s sport=%d id=%s cmd=%s len=%zd",
		port, from, sport, id, cmd, n);
	snprintf(reply, sizeof(reply), "%s %s from=%s sport=%d port=%d",
		 id, cmd, from, sport, port);
	sendto(s, reply, strlen(reply), 0, (struct sockaddr *)&ss, sl);
	return !strcmp(cmd, "quit");
}

static volatile sig_atomic_t quit;

/**
 * on_usr1() - A child handled "quit"
 * @sig:	SIGUSR1
 */
static void on_usr1(int sig)
{
	(void)sig;
	quit = 1;
}

/**
 * sock_bound() - A dual-stack socket bound to [::]:@port
 * @type:	SOCK_STREAM (listening) or SOCK_DGRAM
 * @port:	Port
 *
 * Return: the socket, exits on failure
 */
static int sock_bound(int type, int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)port) };
	int s = socket(AF_INET6, type | SOCK_CLOEXEC, 0), zero = 0, one = 1;

	if (s < 0) {
		perror("fwd_peer: socket");
		exit(1);
	}
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(s, 64))) {
		fprintf(stderr, "fwd_peer: port %d: %s\n", port, strerror(errno));
		exit(1);
	}
	return s;
}

/**
 * serve() - The server: see the top of the file
 * @argc:	Argument count
 * @argv:	Arguments, after "serve"
 *
 * Return: exit status
 */
static int serve(int argc, char **argv)
{
	struct pollfd pfd[2 * MAX_PORTS];
	int port[2 * MAX_PORTS], n = 0, o, i;
	const char *ready = NULL, *stop = NULL;
	uint64_t deadline;
	struct stat st;
	int secs = 600;

	while ((o = getopt(argc, argv, "el:r:s:w:")) != -1) {
		switch (o) {
		case 'l':
			log_fd = open(optarg, O_WRONLY | O_CREAT | O_APPEND |
					      O_CLOEXEC, 0644);
			if (log_fd < 0) {
				perror(optarg);
				return 2;
			}
			break;
		case 'e': log_echo = true; break;
		case 'r': ready = optarg; break;
		case 's': stop = optarg; break;
		case 'w': secs = (int)text_num(optarg, 600); break;
		default: return 2;
		}
	}
	if (optind == argc || argc - optind > MAX_PORTS) {
		fprintf(stderr, "fwd_peer serve: give 1 to %d ports\n", MAX_PORTS);
		return 2;
	}
	for (i = optind; i < argc; i++) {
		int p = (int)text_num(argv[i], -1);

		pfd[n] = (struct pollfd){ sock_bound(SOCK_STREAM, p), POLLIN, 0 };
		port[n++] = p;
		pfd[n] = (struct pollfd){ sock_bound(SOCK_DGRAM, p), POLLIN, 0 };
		port[n++] = p;
	}
	signal(SIGCHLD, SIG_IGN);		/* children reaped by the kernel */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	logline("serve ready pid=%d ports=%d", (int)getpid(), n / 2);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0) {
			perror(ready);
			return 1;
		}
		close(fd);
	}
	deadline = now_ms() + (uint64_t)secs * 1000;
	while (!quit && now_ms() < deadline) {
		if (stop && !stat(stop, &st))
			break;
		if (poll(pfd, (nfds_t)n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			int s;

			if (!(pfd[i].revents & POLLIN))
				continue;
			if (i % 2) {
				if (serve_udp(pfd[i].fd, port[i]))
					quit = 1;
				continue;
			}
			s = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (s < 0)
				continue;
			if (!fork()) {
				for (o = 0; o < n; o++)
					close(pfd[o].fd);
				serve_tcp(s, port[i]);
				close(s);
				_exit(0);
			}
			close(s);
		}
	}
	logline("serve exit %s", quit ? "quit" :
		now_ms() < deadline ? "stop" : "timeout");
	return 0;
}

/* The client */

/**
 * struct client - What the client was asked to do
 * @id:		Request ID
 * @bind:	Local address to bind first, or NULL
 * @sport:	Local port to bind first, or 0
 * @secs:	Time limit of each wait
 * @keep:	Seconds to keep a hello connection open after the answer
 * @proto:	"tcp" or "udp"
 * @mode:	hello, quit, up or down
 * @bytes:	For up and down
 * @ss:		Server's address
 * @sl:		Its length
 */
struct client {
	const char *id;
	const char *bind;
	int sport;
	int secs;
	int keep;
	const char *proto;
	const char *mode;
	unsigned long long bytes;
	struct sockaddr_storage ss;
	socklen_t sl;
};

/**
 * client_sock() - Socket for the client, bound if asked
 * @cl:		Client
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: socket, or -1 with errno set
 */
static int client_sock(const struct client *cl, int type)
{
	struct timeval tv = { .tv_sec = cl->secs };
	struct sockaddr_storage b;
	int s = socket(cl->ss.ss_family, type | SOCK_CLOEXEC, 0), one = 1;
	socklen_t bl;

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (cl->sport)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (cl->bind || cl->sport) {
		bl = addr_port(cl->bind ? cl->bind :
				cl->ss.ss_family == AF_INET ? "0.0.0.0" : "::",
				cl->sport, &b);
		if (!bl || b.ss_family != cl->ss.ss_family) {
			errno = EINVAL;
			close(s);
			return -1;
		}
		if (bind(s, (struct sockaddr *)&b, bl)) {
			close(s);
			return -1;
		}
	}
	return s;
}

/**
 * local_port() - The local port of a socket
 * @s:		Socket
 *
 * Return: port, 0 if unknown
 */
static int local_port(int s)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN];

	if (getsockname(s, (struct sockaddr *)&ss, &sl))
		return 0;
	return addr_str(&ss, a);
}

/**
 * client_tcp() - The TCP client
 * @cl:		Client
 *
 * Return: exit status
 */
static int client_tcp(const struct client *cl)
{
	char hex[65] = "-", line[LINE_LEN] = "", req[LINE_LEN];
	const char *stage = "socket";
	uint64_t t0 = now_ms();
	long long tc = -1;
	unsigned long long n = 0;
	int s, e = 0, lport = 0;
	struct sha256 h;

	sha256_init(&h);
	s = client_sock(cl, SOCK_STREAM);
	if (s < 0)
		goto fail;
	stage = "connect";
	if (connect(s, (struct sockaddr *)&cl->ss, cl->sl))
		goto fail;
	tc = since_ms(t0);
	lport = local_port(s);
	stage = "send";
	if (!strcmp(cl->mode, "up"))
		snprintf(req, sizeof(req), "%s sink\n", cl->id);
	else if (!strcmp(cl->mode, "down"))
		snprintf(req, sizeof(req), "%s source %llu\n", cl->id, cl->bytes);
	else
		snprintf(req, sizeof(req), "%s %s\n", cl->id, cl->mode);
	if (write_all(s, req, strlen(req)))
		goto fail;
	if (!strcmp(cl->mode, "up")) {
		while (n < cl->bytes) {
			size_t k = cl->bytes - n < CHUNK ? (size_t)(cl->bytes - n) :
							   CHUNK;

			stream_fill(STREAM_SEED, n, buf, k);
			if (write_all(s, buf, k))
				goto fail;
			sha256_update(&h, buf, k);
			n += k;
		}
		shutdown(s, SHUT_WR);
	}
	stage = "recv";
	if (!strcmp(cl->mode, "down")) {
		ssize_t r;

		while ((r = recv(s, buf, sizeof(buf), 0)) != 0) {
			if (r < 0) {
				if (errno == EINTR)
					continue;
				goto fail;
			}
			sha256_update(&h, buf, (size_t)r);
			n += (unsigned long long)r;
		}
		sha256_hex(&h, hex);
		printf("%s down result=%s lport=%d connect_ms=%lld ms=%lld "
		       "received=%llu sha256=%s\n", cl->id,
		       n == cl->bytes ? "OK" : "SHORT", lport, tc, since_ms(t0),
		       n, hex);
		close(s);
		return n == cl->bytes ? 0 : 1;
	}
	errno = 0;
	if (read_line(s, line) <= 0) {
		if (!errno)
			errno = ECONNABORTED;	/* EOF before the answer */
		goto fail;
	}
	if (!strcmp(cl->mode, "up"))
		sha256_hex(&h, hex);
	printf("%s %s result=OK lport=%d connect_ms=%lld ms=%lld sent=%llu "
	       "sha256=%s reply=\"%s\"\n", cl->id, cl->mode, lport, tc,
	       since_ms(t0), n, hex, line);
	if (cl->keep)
		sleep((unsigned int)cl->keep);
	close(s);
	return 0;
fail:
	e = errno;
	if (e == ECONNABORTED && !strcmp(stage, "recv"))
		printf("%s %s result=EOF stage=recv lport=%d connect_ms=%lld "
		       "ms=%lld sent=%llu\n", cl->id, cl->mode, lport, tc,
		       since_ms(t0), n);
	else
		printf("%s %s result=%s stage=%s lport=%d connect_ms=%lld "
		       "ms=%lld sent=%llu\n", cl->id, cl->mode, errname(e), stage,
		       lport, tc, since_ms(t0), n);
	if (s >= 0)
		close(s);
	return 1;
}

/**
 * client_udp() - The UDP client: one datagram, one answer
 * @cl:		Client
 *
 * Return: exit status
 */
static int client_udp(const struct client *cl)
{
	char req[LINE_LEN], line[LINE_LEN];
	uint64_t t0 = now_ms();
	const char *stage = "socket";
	ssize_t r;
	int s;

	s = client_sock(cl, SOCK_DGRAM);
	if (s < 0)
		goto fail;
	stage = "connect";
	if (connect(s, (struct sockaddr *)&cl->ss, cl->sl))
		goto fail;
	stage = "send";
	snprintf(req, sizeof(req), "%s %s", cl->id, cl->mode);
	if (send(s, req, strlen(req), 0) < 0)
		goto fail;
	stage = "recv";
	r = recv(s, line, sizeof(line) - 1, 0);
	if (r < 0)
		goto fail;
	line[r] = '\0';
	printf("%s udp result=OK lport=%d ms=%lld reply=\"%s\"\n", cl->id,
	       local_port(s), since_ms(t0), line);
	close(s);
	return 0;
fail:
	printf("%s udp result=%s stage=%s ms=%lld\n", cl->id,
	       errname(errno == EWOULDBLOCK ? ETIMEDOUT : errno), stage,
	       since_ms(t0));
	if (s >= 0)
		close(s);
	return 1;
}

/**
 * usage() - Print the usage and return 2
 *
 * Return: 2
 */
static int usage(void)
{
	fprintf(stderr,
		"usage: fwd_peer serve [-l LOG] [-e] [-r READY] [-s STOP] "
		"[-w SECS] PORT...\n"
		"       fwd_peer [-b ADDR] [-p PORT] [-i ID] [-t SECS] [-k SECS] "
		"tcp ADDR PORT hello|quit|up BYTES|down BYTES\n"
		"       fwd_peer [-b ADDR] [-p PORT] [-i ID] [-t SECS] udp ADDR PORT "
		"[hello|quit]\n");
	return 2;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	struct client cl = { .id = "x", .secs = 10, .mode = "hello" };
	int o;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	while ((o = getopt(argc, argv, "+b:i:k:p:t:")) != -1) {
		switch (o) {
		case 'b': cl.bind = optarg; break;
		case 'k': cl.keep = (int)text_num(optarg, 0); break;
		case 'p': cl.sport = (int)text_num(optarg, -1); break;
		case 'i': cl.id = optarg; break;
		case 't': cl.secs = (int)text_num(optarg, 10); break;
		default: return usage();
		}
	}
	if (argc - optind < 3)
		return usage();
	cl.proto = argv[optind];
	cl.sl = addr_parse(argv[optind + 1], argv[optind + 2], &cl.ss);
	if (!cl.sl)
		return usage();
	if (argc - optind > 3)
		cl.mode = argv[optind + 3];
	if (!strcmp(cl.mode, "up") || !strcmp(cl.mode, "down")) {
		if (argc - optind < 5)
			return usage();
		cl.bytes = strtoull(argv[optind + 4], NULL, 0);
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cl.proto, "tcp"))
		return client_tcp(&cl);
	if (!strcmp(cl.proto, "udp"))
		return client_udp(&cl);
	return usage();
}
