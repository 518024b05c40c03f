/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcpv6.h - DHCPv6 server: stateful address and stateless information */
#ifndef MERD_DHCPV6_H
#define MERD_DHCPV6_H

#include <stdbool.h>

struct ctx;
struct ip_pkt;

bool dhcpv6_is_request(const struct ip_pkt *pkt);
void dhcpv6_input(struct ctx *c, const struct ip_pkt *pkt);

#endif /* MERD_DHCPV6_H */
