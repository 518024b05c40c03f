/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp_raw.h - ICMP echo through raw sockets where ping sockets are refused */
#ifndef MERD_ICMP_RAW_H
#define MERD_ICMP_RAW_H

#include <stdbool.h>

struct ctx;
struct flow;
struct flow_key;
struct ip_pkt;

int icmp_raw_setup(struct ctx *c);
struct flow *icmp_raw_flow_open(struct ctx *c, const struct flow_key *key);
void icmp_raw_send(struct ctx *c, struct flow *f, const struct ip_pkt *pkt);
void icmp_raw_event(struct ctx *c, bool v6);

#endif /* MERD_ICMP_RAW_H */
