/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndp.h - IPv6 neighbour discovery: neighbour and router advertisements */
#ifndef MERD_NDP_H
#define MERD_NDP_H

#define NDP_RA_INTERVAL_S	300	/* unsolicited advertisements */

struct ctx;
struct ip_pkt;

int ndp_init(struct ctx *c);
void ndp_input(struct ctx *c, const struct ip_pkt *pkt);
void ndp_guest_seen(struct ctx *c);
void ndp_guest_gone(struct ctx *c);
void ndp_timer(struct ctx *c);

#endif /* MERD_NDP_H */
