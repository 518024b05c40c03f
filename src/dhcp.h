/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcp.h - DHCPv4 server for the one guest */
#ifndef MERD_DHCP_H
#define MERD_DHCP_H

#include <stdbool.h>

struct ctx;
struct ip_pkt;

bool dhcp_is_request(const struct ip_pkt *pkt);
void dhcp_input(struct ctx *c, const struct ip_pkt *pkt);

#endif /* MERD_DHCP_H */
