// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz.c - What merd's libFuzzer targets share: a harness context, a check
 * that the process is shut in an empty network namespace, local peers in
 * that namespace, and one round of the event loop
 *
 * Targets make real sockets for the flows the input asks for. They must
 * never reach a network: fuzz_init() refuses to start unless the only
 * interface in sight is a loopback (run them under `unshare -rn`, as
 * `make fuzz-run` does). On that loopback it puts FUZZ_LOCAL_ADDR(6) and
 * the harness's resolver addresses, and listens on all of them: a TCP
 * server on FUZZ_TCP_PORT that writes a greeting, UDP echo servers on
 * FUZZ_UDP_PORT and on 53, so TCP, UDP and DNS flows of both families get
 * somewhere; everything else is unreachable.
 *
 * MERD_FUZZ_VERBOSE=1 in the environment turns on merd's debug log and
 * prints the counters after each input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "netlink.h"
#include "raw.h"
#include "tcp.h"
#include "util.h"

#define FUZZ_MAX_CONNS	64

struct harness fuzz_h;
static bool verbose;	/* MERD_FUZZ_VERBOSE: debug log, counters per input */

/**
 * struct fuzz_peers - Servers on the fuzzer's loopback
 * @tcp_listen:	TCP listening socket, -1 if none
 * @udp:	UDP echo sockets (FUZZ_UDP_PORT, then DNS), -1 if none
 * @conns:	Accepted TCP connections, closed at the end of each input
 * @n_conns:	Entries in @conns
 * @last_isn:	Sequence number of the last SYN-ACK merd sent the guest
 */
static struct fuzz_peers {
	int tcp_listen;
	int udp[2];
	int conns[FUZZ_MAX_CONNS];
	int n_conns;
	uint32_t last_isn;
} peers = { .tcp_listen = -1, .udp = { -1, -1 } };

/**
 * fuzz_isolated() - Check that no interface but loopback is in sight
 *
 * Return: true if the network namespace holds nothing but lo
 */
static bool fuzz_isolated(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	bool ok = ifs != NULL;

	for (i = ifs; ok && i->if_index; i++)
		if (strcmp(i->if_name, "lo") != 0)
			ok = false;
	if (ifs)
		if_freenameindex(ifs);
	return ok;
}

/**
 * fuzz_loopback() - Bring lo up with FUZZ_LOCAL_ADDR, allow ping sockets
 *
 * Return: 0 on success, negative errno on failure
 */
static int fuzz_loopback(void)
{
	struct in6_addr a6, dns6;
	struct in_addr a, dns;
	unsigned int lo = if_nametoindex("lo");
	int nl = nl_socket(), rc, fd;

	if (nl < 0 || !lo)
		return nl < 0 ? nl : -ENODEV;
	inet_pton(AF_INET, FUZZ_LOCAL_ADDR, &a);
	inet_pton(AF_INET, H_DNS_ADDR, &dns);
	inet_pton(AF_INET6, FUZZ_LOCAL_ADDR6, &a6);
	inet_pton(AF_INET6, H_DNS_ADDR6, &dns6);
	rc = nl_link_setup(nl, lo, 0, true);
	if (!rc)
		rc = nl_addr4_add(nl, lo, a, 32);
	if (!rc)
		rc = nl_addr4_add(nl, lo, dns, 32);
	if (!rc)
		rc = nl_addr6_add(nl, lo, &a6, 128);
	if (!rc)
		rc = nl_addr6_add(nl, lo, &dns6, 128);
	close(nl);
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	if (fd >= 0) {		/* if refused, ICMP echo stays refused */
		ssize_t w = write(fd, "0 0", 3);

		(void)w;
		close(fd);
	}
	return rc;
}

/**
 * fuzz_sock_any() - A dual-stack socket bound to a port on every address
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @port:	Port
 *
 * Return: socket, or negative errno
 */
static int fuzz_sock_any(int type, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	int s = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;

	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(s, FUZZ_MAX_CONNS))) {
		int rc = -errno;

		close(s);
		return rc;
	}
	return s;
}

/**
 * fuzz_servers() - Start the TCP greeter and the UDP echoes on lo
 *
 * Return: 0 on success, negative errno on failure
 */
static int fuzz_servers(void)
{
	peers.tcp_listen = fuzz_sock_any(SOCK_STREAM, FUZZ_TCP_PORT);
	peers.udp[0] = fuzz_sock_any(SOCK_DGRAM, FUZZ_UDP_PORT);
	peers.udp[1] = fuzz_sock_any(SOCK_DGRAM, 53);
	if (peers.tcp_listen < 0)
		return peers.tcp_listen;
	return peers.udp[0] < 0 ? peers.udp[0] : MIN(peers.udp[1], 0);
}

/**
 * fuzz_init() - Set up the harness, after checking the isolation
 * @max_flows:	Size of the flow table (small: bounds the sockets made)
 * @with_peers:	Also start the loopback servers
 *
 * Return: 0 on success; exits the process if not isolated
 */
int fuzz_init(uint32_t max_flows, int with_peers)
{
	if (!fuzz_isolated()) {
		fprintf(stderr, "fuzz: interfaces other than lo are in sight: "
			"run me in an empty network namespace (unshare -rn, "
			"or make fuzz-run)\n");
		exit(1);
	}
	if (harness_init(&fuzz_h, max_flows)) {
		fprintf(stderr, "fuzz: harness_init failed\n");
		exit(1);
	}
	verbose = getenv("MERD_FUZZ_VERBOSE") != NULL;
	if (verbose)
		log_init(LOG_LVL_DEBUG, false);
	if (with_peers && (fuzz_loopback() || fuzz_servers())) {
		fprintf(stderr, "fuzz: cannot set up loopback peers\n");
		exit(1);
	}
	return 0;
}

/**
 * fuzz_peers_serve() - Accept connections, greet them, echo datagrams
 */
static void fuzz_peers_serve(void)
{
	static const char greeting[] = "220 merd fuzz peer says hello\r\n";
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	static uint8_t buf[65536];	/* datagrams over the MTU echo whole */
	ssize_t n;
	int s, u;

	while (peers.tcp_listen >= 0 && peers.n_conns < FUZZ_MAX_CONNS &&
	       (s = accept4(peers.tcp_listen, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		peers.conns[peers.n_conns++] = s;
		if (send(s, greeting, sizeof(greeting) - 1, MSG_NOSIGNAL) < 0)
			continue;
	}
	for (s = 0; s < peers.n_conns; s++)	/* drain what the guest sent */
		while (recv(peers.conns[s], buf, sizeof(buf), 0) > 0)
			;
	for (u = 0; u < 2; u++) {
		while (peers.udp[u] >= 0 &&
		       (n = recvfrom(peers.udp[u], buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl)) >= 0) {
			sendto(peers.udp[u], buf, (size_t)n, 0,
			       (struct sockaddr *)&from, fl);
			fl = sizeof(from);
		}
	}
}

/**
 * fuzz_output() - Read what merd sent the guest, check each frame
 * (fz_check_frame() aborts on a malformed one), note SYN-ACKs
 */
void fuzz_output(void)
{
	static uint8_t f[LINK_FRAME_MAX];
	int len;

	while ((len = harness_recv(&fuzz_h, f, sizeof(f))) >= 0) {
		const uint8_t *ip = f + 14, *th;

		fz_check_frame(f, MIN((size_t)len, sizeof(f)));

		if (len >= 14 + 40 + 20 && rd16(f + 12) == ETHERTYPE_IPV6 &&
		    ip[6] == IPPROTO_TCP)
			th = ip + 40;
		else if (len >= 14 + 20 + 20 && rd16(f + 12) == ETHERTYPE_IP &&
			 ip[9] == IPPROTO_TCP)
			th = ip + (size_t)(ip[0] & 0x0f) * 4;
		else
			continue;
		if (th + 20 <= f + len && (th[13] & 0x12) == 0x12)
			peers.last_isn = rd32(th + 4);
	}
}

/**
 * fuzz_last_isn() - Sequence number of the last SYN-ACK to the guest
 *
 * Return: that ISN, so inputs can acknowledge it (merd's ISNs are keyed
 * hashes: no input could guess them)
 */
uint32_t fuzz_last_isn(void)
{
	return peers.last_isn;
}

/**
 * fuzz_pump() - One round of the event loop, without waiting: peers
 * answer, flow sockets are served, the batch ends as in main_loop()
 */
void fuzz_pump(void)
{
	struct ctx *c = &fuzz_h.c;
	struct epoll_event ev[32];
	uint64_t expirations;
	int n, i, round;

	for (round = 0; round < 4; round++) {
		fuzz_peers_serve();
		n = epoll_wait(c->epollfd, ev, 32, 0);
		for (i = 0; i < n; i++) {
			uint64_t ref = ev[i].data.u64;

			switch (EPOLL_REF_TYPE(ref)) {
			case EPOLL_TYPE_FLOW:
				flow_sock_event(c, EPOLL_REF_IDX(ref),
						ev[i].events);
				break;
			case EPOLL_TYPE_RAW:	/* fuzz_icmp's raw sockets */
				raw_event(c, EPOLL_REF_IDX(ref));
				break;
			case EPOLL_TYPE_TIMER:
				if (read(c->timerfd, &expirations,
					 sizeof(expirations)) > 0)
					flow_timer(c);
				break;
			default:
				break;
			}
		}
		tcp_batch_end(c);
		link_tx_flush(c);
		tcp_tx_resume(c);
		fuzz_output();
		if (n <= 0)
			break;
	}
}

/**
 * fuzz_end_input() - Let every flow time out, then forget all state, so
 * that each input starts from the same place
 */
void fuzz_end_input(void)
{
	struct ctx *c = &fuzz_h.c;
	int i;

	fuzz_pump();
	c->now += 86400ULL * 1000;		/* a day later: all expire */
	flow_timer(c);
	fuzz_output();
	if (verbose)
		counters_log(c, "counters", false);
	for (i = 0; i < peers.n_conns; i++)
		close(peers.conns[i]);
	peers.n_conns = 0;
	peers.last_isn = 0;
	harness_reset(&fuzz_h);
}
