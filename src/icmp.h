/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp.h - ICMP echo through ping sockets; errors toward the guest */
#ifndef MERD_ICMP_H
#define MERD_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP_TIMEOUT_DEFAULT	60	/* seconds idle */
#define ICMP_ADMIN_PROHIBITED	13	/* destination unreachable code */

struct ctx;
struct flow;
struct flow_key;
struct ip_pkt;

void icmp_input(struct ctx *c, const struct ip_pkt *pkt);
void icmp6_echo_local(struct ctx *c, const struct ip_pkt *pkt);
void icmp_sock_event(struct ctx *c, struct flow *f, uint32_t events);
void icmp_sock_recverr(int s, bool v6);
int icmp_sock_err(int s, uint8_t *data, size_t *len, int *code);
void icmp_unreach(struct ctx *c, const struct flow_key *key, uint8_t proto,
		  uint8_t code, const uint8_t quote[8]);

#endif /* MERD_ICMP_H */
