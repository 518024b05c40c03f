/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inany.h - One address type for both families: IPv4 as v4-mapped IPv6 */
#ifndef MERD_INANY_H
#define MERD_INANY_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define INANY_STRLEN	INET6_ADDRSTRLEN

/**
 * inany_from_v4() - Store an IPv4 address as v4-mapped IPv6
 * @out:	Address to fill
 * @a:		IPv4 address, network order
 */
static inline void inany_from_v4(struct in6_addr *out, struct in_addr a)
{
	memset(out, 0, 10);
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], &a, 4);
}

/**
 * inany_is_v4() - Tell whether an address is v4-mapped
 * @a:		Address
 *
 * Return: true for an IPv4 address
 */
static inline bool inany_is_v4(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

/**
 * inany_v4() - IPv4 part of a v4-mapped address
 * @a:		Address, v4-mapped
 *
 * Return: the IPv4 address, network order
 */
static inline struct in_addr inany_v4(const struct in6_addr *a)
{
	struct in_addr r;

	memcpy(&r, &a->s6_addr[12], 4);
	return r;
}

/**
 * inany_equal() - Compare two addresses
 * @a:		First address
 * @b:		Second address
 *
 * Return: true if equal
 */
static inline bool inany_equal(const struct in6_addr *a,
			       const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/**
 * inany_ntop() - Format an address, IPv4 in dotted quad
 * @a:		Address
 * @buf:	Output, INANY_STRLEN bytes
 *
 * Return: @buf
 */
static inline const char *inany_ntop(const struct in6_addr *a, char *buf)
{
	if (inany_is_v4(a)) {
		struct in_addr v4 = inany_v4(a);

		return inet_ntop(AF_INET, &v4, buf, INANY_STRLEN);
	}
	return inet_ntop(AF_INET6, a, buf, INANY_STRLEN);
}

/**
 * inany_prefix() - Copy an IPv6 address with the host part cleared
 * @out:	16 bytes to fill
 * @a:		Address
 * @plen:	Prefix length, 0 to 128
 */
static inline void inany_prefix(uint8_t *out, const struct in6_addr *a,
				int plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = plen - 8 * i;

		out[i] = bits >= 8 ? a->s6_addr[i] :
			 bits <= 0 ? 0 :
			 (uint8_t)(a->s6_addr[i] & (0xff << (8 - bits)));
	}
}

#endif /* MERD_INANY_H */
