/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsfwd.h - Namespace mode: -T/-U (namespace's loopback to the host's) and
 * the namespace's side of "auto" */
#ifndef MERD_NSFWD_H
#define MERD_NSFWD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "fwd.h"

#define NSFWD_MAX_SOCKS		2048
#define NSFWD_PROC_FILES	4	/* tcp, tcp6, udp, udp6 */
#define NSFWD_SCAN_MS		1000	/* "auto": /proc/net scan period */

/**
 * struct nsfwd_sock - A socket in the namespace merd listens on (-T/-U)
 * @fd:		Listening (TCP) or bound (UDP) socket, in the namespace
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @v6:		IPv6: the host side is ::1, else 127.0.0.1
 * @port:	Port in the namespace
 * @host_port:	Port on the host's loopback
 * @addr:	Address bound in the namespace (v4-mapped for IPv4)
 * @dyn:	Opened by -T/-U auto, closed when the host's port goes
 */
struct nsfwd_sock {
	int fd;
	uint8_t proto;
	bool v6;
	uint16_t port;
	uint16_t host_port;
	struct in6_addr addr;
	bool dyn;
};

/**
 * struct nsfwd - Namespace-side forwarding state
 * @sock:	-T/-U sockets
 * @n:		Number in use (closed ones included: their @fd is -1)
 * @proc:	/proc/net/{tcp,tcp6,udp,udp6} of the namespace, opened in it
 *		before isolation ("auto"), -1 if not used
 * @timerfd:	"auto" scan timer, -1 without "auto"
 * @auto_rule:	Rules the "auto" sockets of the host point to: TCP, UDP
 * @fwd_auto:	Ports forwarded by "auto" now, bitmap per protocol (TCP,
 *		UDP) and family (IPv4, IPv6)
 * @helper:	-T/-U auto: socket to the helper in the namespace (nsopen.c),
 *		-1 if none
 * @host_proc:	-T/-U auto: /proc/net/{tcp,tcp6,udp,udp6} of the host
 * @rev:	-T/-U auto: host ports the helper was asked for, bitmap per
 *		protocol (cleared when the port goes)
 */
struct nsfwd {
	struct nsfwd_sock sock[NSFWD_MAX_SOCKS];
	unsigned int n;
	int proc[NSFWD_PROC_FILES];
	int timerfd;
	struct fwd_rule auto_rule[2];
	uint8_t fwd_auto[2][2][65536 / 8];
	int helper;
	int host_proc[NSFWD_PROC_FILES];
	uint8_t rev[2][65536 / 8];
};

struct ctx;
struct flow;
struct ns_extra;

int nsfwd_prepare(struct ctx *c, struct ns_extra *extra);
int nsfwd_start(struct ctx *c, const struct ns_extra *extra);
void nsfwd_event(struct ctx *c, uint32_t idx);
void nsfwd_relay_event(struct ctx *c, struct flow *f);
void nsfwd_scan(struct ctx *c);

#endif /* MERD_NSFWD_H */
