// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_flows.c - Open many UDP flows at once and hold them, for the RSS
 * figure of the benchmarks in test/perf
 *
 * udp_flows [-n N] [-w SECS] ADDR PORT
 *
 * Opens N sockets (default 10000), each sends one datagram to the UDP echo
 * service at ADDR PORT from a port of its own (one flow each in the helper
 * under test), 100 sockets at a time, each batch waiting up to 0.2 s
 * for its echoes (then once more to those without an answer), prints "flows n=N answered=A", then keeps every
 * socket open for SECS seconds (default 10) so the helper's memory can be
 * read, and exits. Exit: 0 if every flow was answered, 1 if not, 2 on bad
 * usage or when the sockets cannot be opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define FLOWS_MAX	65536
#define FLOWS_BATCH	100

static struct pollfd pfd[FLOWS_MAX];
static unsigned char answered[FLOWS_MAX];

/**
 * flows_open() - Raise the file limit and open N connected UDP sockets
 * @ss:		Echo service address
 * @len:	Its length
 * @n:		Sockets
 *
 * Return: 0, -1 with a message on stderr if one could not be opened
 */
static int flows_open(const struct sockaddr_storage *ss, socklen_t len, int n)
{
	struct rlimit rl;
	int i;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < n; i++) {
		int s = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);

		if (s < 0 || connect(s, (const struct sockaddr *)ss, len)) {
			fprintf(stderr, "udp_flows: socket %d: %s\n", i,
				strerror(errno));
			return -1;
		}
		pfd[i].fd = s;
		pfd[i].events = POLLIN;
	}
	return 0;
}

/**
 * flows_send() - Send one datagram on every socket of a range not answered
 * yet
 * @from:	First socket
 * @to:		One past the last
 */
static void flows_send(int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (!answered[i] && send(pfd[i].fd, &i, sizeof(i), 0) < 0 &&
		    errno == EAGAIN)
			usleep(100);
}

/**
 * flows_collect() - Read echoes for up to MS milliseconds, or until WANT
 * sockets have been answered
 * @n:		Sockets opened so far
 * @ms:		Time to wait
 * @want:	Answered sockets to wait for
 *
 * Return: sockets answered so far
 */
static int flows_collect(int n, int ms, int want)
{
	int i, got = 0, left = ms;
	char b[64];

	while (left > 0) {
		if (poll(pfd, (nfds_t)n, 20) < 0)
			break;
		left -= 20;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			while (recv(pfd[i].fd, b, sizeof(b), 0) > 0)
				answered[i] = 1;
		}
		for (got = 0, i = 0; i < n; i++)
			got += answered[i];
		if (got >= want)
			break;
	}
	return got;
}

/**
 * main() - Open the flows, count the echoes, hold the sockets
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if every flow was answered, 1 if not, 2 on bad usage
 */
int main(int argc, char **argv)
{
	int o, n = 10000, got, wait_s = 10, i;
	struct sockaddr_storage ss;
	socklen_t len;

	while ((o = getopt(argc, argv, "n:w:")) != -1) {
		if (o == 'n')
			n = (int)strtol(optarg, NULL, 10);
		else if (o == 'w')
			wait_s = (int)strtol(optarg, NULL, 10);
		else
			goto usage;
	}
	if (argc - optind != 2 || n < 1 || n > FLOWS_MAX || wait_s < 0 ||
	    !(len = addr_parse(argv[optind], argv[optind + 1], &ss)))
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (flows_open(&ss, len, n))
		return 2;
	for (i = 0; i < n; i += FLOWS_BATCH) {
		int to = i + FLOWS_BATCH < n ? i + FLOWS_BATCH : n;

		flows_send(i, to);
		flows_collect(to, 200, to);
	}
	got = flows_collect(n, 100, n);
	if (got < n) {
		flows_send(0, n);
		got = flows_collect(n, 2000, n);
	}
	printf("flows n=%d answered=%d\n", n, got);
	sleep((unsigned)wait_s);
	return got == n ? 0 : 1;
usage:
	fprintf(stderr, "usage: udp_flows [-n N] [-w SECS] ADDR PORT\n");
	return 2;
}
