/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns.h - DNS name encoding for the search lists DHCP, DHCPv6 and NDP give */
#ifndef MERD_DNS_H
#define MERD_DNS_H

#include <stddef.h>
#include <stdint.h>

size_t dns_encode_names(const char *list, uint8_t *out, size_t cap);

#endif /* MERD_DNS_H */
