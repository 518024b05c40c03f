// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_icmp.c - libFuzzer target: ICMP and ICMPv6 (icmp.c, icmp_raw.c):
 * echo requests and any other message from the guest, through ping
 * sockets or the raw socket fallback, and messages from the network on
 * the raw sockets
 *
 * An input is one header byte, then records as in fuzz_frame.c. Header
 * bits 0 and 1: ICMP and ICMPv6 echo go through raw sockets (else ping
 * sockets). Selector bits of a record:
 *
 *	0    ICMPv6 (else ICMP)
 *	1-2  to the peer on the fuzzer's loopback, merd's own address (the
 *	     gateway, or its link-local address), the resolver (also on the
 *	     loopback), or a documentation address with no route
 *	3    an echo request (an echo reply with 6) whose identifier,
 *	     sequence and data are the bytes; else the bytes are the message
 *	4    leave the checksum as the bytes have it
 *	5    then one round of the event loop: replies come back
 *	6    not from the guest but from the network: the message is sent
 *	     from the peer's address on the loopback, where merd's raw
 *	     sockets see it; with 3, an echo reply to merd's newest raw echo
 *	     flow
 *	7    then 61 s pass and the flow timer runs: echo flows expire
 *
 * Raw sockets are open in the fuzzer's own network namespace (it holds
 * CAP_NET_RAW there): merd's two, and two that send "the network's"
 * messages to the loopback. Frames to the guest are checked by
 * fz_check_frame().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eth.h"
#include "flow.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "inany.h"
#include "merd.h"
#include "raw.h"
#include "util.h"

#define FUZZ_FLOWS	16

static uint8_t peer6[16], dns6[16], router_ll[16], guest6[16], far6[16];
static int net_fd[2] = { -1, -1 };	/* "the network": raw senders */
static bool raw_ok;

/**
 * icmp_raw_sock() - Open a raw ICMP or ICMPv6 socket
 * @v6:		ICMPv6
 *
 * Return: the socket, or -1
 */
static int icmp_raw_sock(bool v6)
{
	return socket(v6 ? AF_INET6 : AF_INET,
		      SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		      v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

/**
 * icmp_raw_init() - merd's raw sockets and identifier table, as
 * icmp_raw_setup() makes them when ping sockets are refused, and the
 * network's senders
 *
 * Return: true if all of them could be opened
 */
static bool icmp_raw_init(void)
{
	struct ctx *c = &fuzz_h.c;
	size_t size = sizeof(*c->raw.icmp_ids) * 2 * RAW_ID_SPACE;
	int v;

	c->raw.icmp_ids = malloc(size);
	if (!c->raw.icmp_ids)
		return false;
	memset(c->raw.icmp_ids, 0xff, size);
	for (v = 0; v < 2; v++) {
		uint8_t proto = v ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

		c->raw.icmp_fd[v] = icmp_raw_sock(v);
		net_fd[v] = icmp_raw_sock(v);
		if (c->raw.icmp_fd[v] < 0 || net_fd[v] < 0 ||
		    epoll_add(c, c->raw.icmp_fd[v], EPOLLIN,
			      EPOLL_REF(EPOLL_TYPE_RAW, (uint32_t)proto << 1 | v)))
			return false;
	}
	return true;
}

/**
 * LLVMFuzzerInitialize() - Check isolation, context, peers, raw sockets
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int rc;

	(void)argc;
	(void)argv;
	rc = fuzz_init(FUZZ_FLOWS, 1);
	inet_pton(AF_INET6, FUZZ_LOCAL_ADDR6, peer6);
	inet_pton(AF_INET6, H_DNS_ADDR6, dns6);
	inet_pton(AF_INET6, H_GUEST_ADDR6, guest6);
	inet_pton(AF_INET6, "2001:db8:3::77", far6);
	memcpy(router_ll, &fuzz_h.c.conf.router6, 16);
	raw_ok = icmp_raw_init();
	if (!raw_ok)
		fprintf(stderr, "fuzz_icmp: no raw sockets: ping path only\n");
	return rc;
}

/**
 * icmp_newest_raw_id() - Identifier on the wire of the newest raw echo flow
 * @v6:		Family
 *
 * Return: the identifier, 0 if there is no such flow
 */
static uint16_t icmp_newest_raw_id(bool v6)
{
	const struct flow_table *ft = &fuzz_h.c.flows;
	const struct flow *f, *best = NULL;
	uint32_t i;

	for (i = 0; i < ft->max; i++) {
		f = flow_at(ft, i);
		if (f && f->key.proto == FLOW_ICMP && f->sock < 0 &&
		    inany_is_v4(&f->key.remote_addr) != v6 &&
		    (!best || f->created >= best->created))
			best = f;
	}
	return best ? best->raw_id : 0;
}

/**
 * icmp_msg() - Build the ICMP message of one record
 * @r:		Record
 * @m:		Where it goes, FZ_FRAME_MAX bytes
 *
 * Return: message length
 */
static size_t icmp_msg(const struct fz_record *r, uint8_t *m)
{
	bool v6 = r->sel & 1, net = r->sel & 0x40;
	size_t n = MIN(r->len, (size_t)FZ_FRAME_MAX - 200);

	if (!(r->sel & 0x08)) {
		memcpy(m, r->data, n);
		return n;
	}
	m[0] = v6 ? (net ? 129 : 128) : (net ? 0 : 8);
	m[1] = 0;
	memset(m + 2, 0, 2);
	memcpy(m + 4, r->data, n);
	if (net && n >= 2)
		wr16(m + 4, icmp_newest_raw_id(v6));
	return 4 + n;
}

/**
 * icmp_from_net() - Send a message from the network to merd's raw sockets
 * @v6:		Family
 * @m:		Message (the kernel adds the IP header, and the ICMPv6
 *		checksum)
 * @len:	Its length
 * @fix:	Compute the ICMP checksum
 */
static void icmp_from_net(bool v6, uint8_t *m, size_t len, bool fix)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

	if (!raw_ok || len < 4)
		return;
	if (v6) {
		a6->sin6_family = AF_INET6;
		memcpy(&a6->sin6_addr, peer6, 16);
	} else {
		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = h_addr(FUZZ_LOCAL_ADDR);
		if (fix) {
			memset(m + 2, 0, 2);
			wr16(m + 2, h_csum_ref(m, len, 0));
		}
	}
	if (sendto(net_fd[v6], m, len, MSG_DONTWAIT, (struct sockaddr *)&ss,
		   v6 ? sizeof(*a6) : sizeof(*a4)) < 0)
		return;			/* the kernel refused it: no input */
}

/**
 * icmp_guest() - Send a record's message from the guest
 * @r:		Record
 * @m:		Message
 * @len:	Its length
 */
static void icmp_guest(const struct fz_record *r, const uint8_t *m,
		       size_t len)
{
	static const char *dst4[] = { FUZZ_LOCAL_ADDR, H_GW_ADDR, H_DNS_ADDR,
				      "192.0.2.77" };
	const uint8_t *dst6[] = { peer6, router_ll, dns6, far6 };
	static uint8_t f[FZ_FRAME_MAX];
	unsigned int d = (r->sel >> 1) & 3;
	size_t flen;

	if (r->sel & 1)
		flen = fz_frame6(f, guest6, dst6[d], 64,
				 IPPROTO_ICMPV6, m, len, !(r->sel & 0x10));
	else
		flen = fz_frame4(f, h_our_mac, h_addr(H_GUEST_ADDR),
				 h_addr(dst4[d]), IPPROTO_ICMP, m, len,
				 !(r->sel & 0x10));
	eth_input(&fuzz_h.c, f, flen);
}

/**
 * LLVMFuzzerTestOneInput() - Choose the echo paths, send each record
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t m[FZ_FRAME_MAX];
	struct ctx *c = &fuzz_h.c;
	struct fz_record r;
	size_t off = 1, len;

	if (!size)
		return 0;
	c->raw.icmp[0] = raw_ok && data[0] & 1 ? ICMP_ECHO_RAW : ICMP_ECHO_PING;
	c->raw.icmp[1] = raw_ok && data[0] & 2 ? ICMP_ECHO_RAW : ICMP_ECHO_PING;
	while ((off = fz_next_record(data, size, off, &r))) {
		len = icmp_msg(&r, m);
		if (r.sel & 0x40)
			icmp_from_net(r.sel & 1, m, len, !(r.sel & 0x10));
		else
			icmp_guest(&r, m, len);
		if (r.sel & 0x60)
			fuzz_pump();
		else
			fuzz_output();
		if (r.sel & 0x80) {
			c->now += 61000;
			flow_timer(c);
		}
	}
	fuzz_end_input();
	return 0;
}
