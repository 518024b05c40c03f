/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.h - UDP translation: one host socket per guest flow */
#ifndef MERD_UDP_H
#define MERD_UDP_H

#include <stdbool.h>
#include <stdint.h>

#define UDP_TIMEOUT_DEFAULT	180	/* seconds idle */
#define UDP_UNANSWERED_TIMEOUT_S 30	/* seconds, no datagram back yet */

struct ctx;
struct flow;
struct ip_pkt;

void udp_input(struct ctx *c, const struct ip_pkt *pkt);
void udp_sock_event(struct ctx *c, struct flow *f, uint32_t events);
void udp_fwd_recv(struct ctx *c, int lfd, bool v6, uint16_t guest_port);

#endif /* MERD_UDP_H */
