// SPDX-License-Identifier: GPL-2.0-or-later
/* conn_rate.c - New TCP connections per second, for the benchmarks in
 * test/perf
 *
 * conn_rate -l ADDR PORT        server: accept and close at once, forever
 * conn_rate [-d SECS] ADDR PORT client: for SECS seconds (default 3),
 *                               connect, wait for the server's close, close;
 *                               print "conn n=N errors=E secs=S per_sec=R"
 *
 * The server closes first, so neither the client nor the helper under test
 * keeps TIME_WAIT sockets that would use up the ephemeral ports. ADDR is
 * IPv4 or IPv6. Exit: 0 if at least one connection completed, 1 if none
 * did (the first error is printed), 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

/**
 * conn_serve() - Accept connections and close each at once
 * @ss:		Address to listen on
 * @len:	Its length
 *
 * Return: 1 if the socket could not be set up (never returns otherwise)
 */
static int conn_serve(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, l = socket(ss->ss_family, SOCK_STREAM, 0);

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (const struct sockaddr *)ss, len) || listen(l, 1024)) {
		perror("conn_rate: listen");
		return 1;
	}
	for (;;) {
		int s = accept(l, NULL, NULL);

		if (s >= 0)
			close(s);
	}
}

/**
 * conn_once() - One connection: connect, read to the server's close, close
 * @ss:		Server address
 * @len:	Its length
 *
 * Return: 0, or a positive errno value
 */
static int conn_once(const struct sockaddr_storage *ss, socklen_t len)
{
	int s = socket(ss->ss_family, SOCK_STREAM, 0), e = 0;
	char b[64];
	ssize_t n;

	if (s < 0)
		return errno;
	if (connect(s, (const struct sockaddr *)ss, len))
		e = errno;
	while (!e && (n = read(s, b, sizeof(b))) != 0)
		if (n < 0)
			e = errno;
	close(s);
	return e;
}

/**
 * conn_run() - Open and close connections for SECS seconds
 * @ss:		Server address
 * @len:	Its length
 * @secs:	Duration
 *
 * Return: 0 after printing the figures, 1 if no connection completed
 */
static int conn_run(const struct sockaddr_storage *ss, socklen_t len,
		    double secs)
{
	double t0 = now_us() / 1e6, t = t0;
	long n = 0, errs = 0;
	int first = 0, e;

	while (t - t0 < secs) {
		e = conn_once(ss, len);
		if (e) {
			errs++;
			if (!first)
				first = e;
		} else {
			n++;
		}
		t = now_us() / 1e6;
	}
	printf("conn n=%ld errors=%ld secs=%.2f per_sec=%.0f%s%s\n", n, errs,
	       t - t0, (double)n / (t - t0), first ? " first_error=" : "",
	       first ? strerror(first) : "");
	return n ? 0 : 1;
}

/**
 * main() - Parse the command line; serve or measure
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0, 1 if nothing connected, 2 on bad usage
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	int o, listen_mode = 0;
	double secs = 3;
	socklen_t len;

	while ((o = getopt(argc, argv, "ld:")) != -1) {
		if (o == 'l')
			listen_mode = 1;
		else if (o == 'd')
			secs = strtod(optarg, NULL);
		else
			goto usage;
	}
	if (argc - optind != 2 || secs <= 0 ||
	    !(len = addr_parse(argv[optind], argv[optind + 1], &ss)))
		goto usage;
	if (listen_mode)
		return conn_serve(&ss, len);
	return conn_run(&ss, len, secs);
usage:
	fprintf(stderr, "usage: conn_rate -l ADDR PORT | conn_rate [-d SECS] ADDR PORT\n");
	return 2;
}
