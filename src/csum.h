/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csum.h - Internet checksums (RFC 1071) for IPv4, IPv6, ICMP, UDP, TCP */
#ifndef MERD_CSUM_H
#define MERD_CSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
uint16_t csum_ip4_header(const void *hdr, size_t len);
uint32_t csum_pseudo4(struct in_addr src, struct in_addr dst, uint8_t proto,
		      uint16_t l4_len);
uint32_t csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t proto, uint32_t l4_len);
uint16_t csum_l4(uint32_t pseudo, const void *l4, size_t len);

#endif /* MERD_CSUM_H */
