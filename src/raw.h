/* SPDX-License-Identifier: GPL-2.0-or-later */
/* raw.h - Raw sockets, opened during set-up: other IP protocols passed
 * through (--raw), and the ICMP echo fallback's sockets
 */
#ifndef MERD_RAW_H
#define MERD_RAW_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

#define RAW_ID_SPACE	65536	/* ICMP echo identifiers */

/**
 * enum icmp_echo_path - How ICMP echo requests of one family leave merd
 * @ICMP_ECHO_PING:	A ping socket per flow (the default, and zero)
 * @ICMP_ECHO_RAW:	The family's raw ICMP socket, identifiers translated
 * @ICMP_ECHO_OFF:	Neither is permitted: echo requests are dropped
 */
enum icmp_echo_path {
	ICMP_ECHO_PING,
	ICMP_ECHO_RAW,
	ICMP_ECHO_OFF,
};

/**
 * struct raw_proto_socks - The raw sockets of one --raw protocol
 * @proto:	IP protocol number
 * @fd:		IPv4 and IPv6 raw sockets, -1 for a family that is off
 */
struct raw_proto_socks {
	uint8_t proto;
	int fd[2];
};

/**
 * struct raw_socks - Every raw socket merd holds, all opened during set-up
 * @icmp:	Path of ICMP (index 0) and ICMPv6 (index 1) echo requests
 * @icmp_fd:	Raw ICMP and ICMPv6 sockets, valid where @icmp is RAW
 * @icmp_ids:	Flow index of each echo identifier on the wire, IPv4 ids
 *		then IPv6 ids, allocated at set-up with the raw fallback
 * @icmp_next_id:	Where the search for a free identifier starts
 * @proto:	--raw protocols and their sockets
 * @n_proto:	Entries in @proto
 */
struct raw_socks {
	enum icmp_echo_path icmp[2];
	int icmp_fd[2];
	uint32_t *icmp_ids;
	uint16_t icmp_next_id;
	struct raw_proto_socks proto[CONF_RAW_MAX];
	int n_proto;
};

struct ctx;
struct ip_pkt;

int raw_parse(struct conf *conf, const char *arg);
int raw_setup(struct ctx *c);
bool raw_held(const struct ctx *c);
bool raw_input(struct ctx *c, const struct ip_pkt *pkt);
void raw_event(struct ctx *c, uint32_t ref_idx);

#endif /* MERD_RAW_H */
