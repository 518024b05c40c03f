/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inany.h - One address type for both families: IPv4 as v4-mapped IPv6 */
#ifndef MERD_INANY_H
#define MERD_INANY_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

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

/**
 * inany_sockaddr() - Socket address for an address and port
 * @ss:		Socket address to fill: sockaddr_in for a v4-mapped address,
 *		sockaddr_in6 otherwise
 * @a:		Address
 * @port:	Port, host order
 *
 * Return: length of the socket address
 */
static inline socklen_t inany_sockaddr(struct sockaddr_storage *ss,
				       const struct in6_addr *a, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (inany_is_v4(a)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = inany_v4(a);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = *a;
		return sizeof(*sin6);
	}
}

/**
 * inany_from_sockaddr() - Address and port of a socket address
 * @out:	Address (v4-mapped for IPv4)
 * @port:	Port, host order
 * @ss:		AF_INET or AF_INET6 socket address
 */
static inline void inany_from_sockaddr(struct in6_addr *out, uint16_t *port,
				       const struct sockaddr_storage *ss)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;

	if (ss->ss_family == AF_INET) {
		memcpy(&sin, ss, sizeof(sin));
		inany_from_v4(out, sin.sin_addr);
		*port = ntohs(sin.sin_port);
	} else {
		memcpy(&sin6, ss, sizeof(sin6));
		*out = sin6.sin6_addr;
		*port = ntohs(sin6.sin6_port);
	}
}

#endif /* MERD_INANY_H */
