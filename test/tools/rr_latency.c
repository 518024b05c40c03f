// SPDX-License-Identifier: GPL-2.0-or-later
/* rr_latency.c - TCP request/response latency: N transactions of one byte
 * each way on one connection, for the benchmarks in test/perf
 *
 * rr_latency -l ADDR PORT          server: echo each byte back, forever,
 *                                  one connection after the other
 * rr_latency [-n N] ADDR PORT      client: N transactions (default 10000),
 *                                  print "rr n=N median_us=M p99_us=P
 *                                  mean_us=A"
 *
 * ADDR is IPv4 or IPv6. TCP_NODELAY on both sides. Exit: 0, 1 on a network
 * error (printed as errno text), 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define RR_MAX		1000000

static double rtt_us[RR_MAX];

/**
 * rr_nodelay() - Turn Nagle's algorithm off on socket S
 * @s:		TCP socket
 */
static void rr_nodelay(int s)
{
	int one = 1;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/**
 * rr_serve() - Accept connections one after the other; echo every byte
 * @ss:		Address to listen on
 * @len:	Its length
 *
 * Return: 1 if the socket could not be set up (never returns otherwise)
 */
static int rr_serve(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, l = socket(ss->ss_family, SOCK_STREAM, 0);
	char b[4096];

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (const struct sockaddr *)ss, len) || listen(l, 16)) {
		perror("rr_latency: listen");
		return 1;
	}
	for (;;) {
		int s = accept(l, NULL, NULL);
		ssize_t n;

		if (s < 0)
			continue;
		rr_nodelay(s);
		while ((n = read(s, b, sizeof(b))) > 0)
			if (write(s, b, (size_t)n) != n)
				break;
		close(s);
	}
}

/**
 * rr_cmp() - Order two doubles for qsort()
 * @a:		First
 * @b:		Second
 *
 * Return: <0, 0 or >0 as *a is less, equal or greater
 */
static int rr_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/**
 * rr_run() - Connect and time N one-byte transactions
 * @ss:		Server address
 * @len:	Its length
 * @n:		Transactions
 *
 * Return: 0 after printing the figures, 1 on a network error
 */
static int rr_run(const struct sockaddr_storage *ss, socklen_t len, long n)
{
	int s = socket(ss->ss_family, SOCK_STREAM, 0);
	double sum = 0;
	char c = 'x';
	long i;

	if (s < 0 || connect(s, (const struct sockaddr *)ss, len)) {
		printf("rr result=%s at=connect\n", strerror(errno));
		return 1;
	}
	rr_nodelay(s);
	for (i = 0; i < n; i++) {
		double t0 = now_us();

		if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1) {
			printf("rr result=%s at=%ld\n",
			       errno ? strerror(errno) : "EOF", i);
			return 1;
		}
		rtt_us[i] = now_us() - t0;
		sum += rtt_us[i];
	}
	close(s);
	qsort(rtt_us, (size_t)n, sizeof(rtt_us[0]), rr_cmp);
	printf("rr n=%ld median_us=%.1f p99_us=%.1f mean_us=%.1f\n", n,
	       rtt_us[n / 2], rtt_us[n * 99 / 100], sum / (double)n);
	return 0;
}

/**
 * main() - Parse the command line; serve or measure
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0, 1 on a network error, 2 on bad usage
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	int o, listen_mode = 0;
	socklen_t len;
	long n = 10000;

	while ((o = getopt(argc, argv, "ln:")) != -1) {
		if (o == 'l')
			listen_mode = 1;
		else if (o == 'n')
			n = strtol(optarg, NULL, 10);
		else
			goto usage;
	}
	if (argc - optind != 2 || n < 1 || n > RR_MAX ||
	    !(len = addr_parse(argv[optind], argv[optind + 1], &ss)))
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (listen_mode)
		return rr_serve(&ss, len);
	return rr_run(&ss, len, n);
usage:
	fprintf(stderr, "usage: rr_latency -l ADDR PORT | rr_latency [-n N] ADDR PORT\n");
	return 2;
}
