/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ip.h - IPv4 and IPv6: checked views of guest packets, headers out */
#ifndef MERD_IP_H
#define MERD_IP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP4_HDR_LEN	20
#define IP6_HDR_LEN	40
#define IP_DEFAULT_TTL	64
#define IP4_DF		0x4000
#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff

/**
 * struct ip_pkt - A guest packet whose headers were checked
 * @src:	Source address (v4-mapped for IPv4)
 * @dst:	Destination address
 * @v6:		IPv6 packet
 * @proto:	Transport protocol
 * @ttl:	TTL or hop limit
 * @l4:		Transport header, inside the frame
 * @l4_len:	Bytes from @l4 to the end of the IP payload (not the frame)
 * @csum_partial: The guest's kernel left the transport checksum for the
 *		link to finish (tap checksum offload): there is none to check
 */
struct ip_pkt {
	struct in6_addr src;
	struct in6_addr dst;
	bool v6;
	uint8_t proto;
	uint8_t ttl;
	const uint8_t *l4;
	size_t l4_len;
	bool csum_partial;
};

struct ctx;

void ip4_input(struct ctx *c, const uint8_t *pkt, size_t len);
void ip6_input(struct ctx *c, const uint8_t *pkt, size_t len);
bool ip_l4_csum_ok(const struct ip_pkt *pkt);
uint8_t *ip_tx_begin(struct ctx *c, bool v6, size_t *l4_cap);
uint8_t *ip_tx_begin_dgram(struct ctx *c, bool v6, size_t *l4_cap);
void ip4_hdr_write(uint8_t *l3, struct in_addr s, struct in_addr d,
		   uint8_t proto, size_t tot, uint16_t id, uint16_t frag);
void ip6_hdr_write(uint8_t *l3, const struct in6_addr *src,
		   const struct in6_addr *dst, uint8_t nh, size_t plen,
		   uint8_t hops);
void ip_tx_commit(struct ctx *c, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4_len);

#endif /* MERD_IP_H */
