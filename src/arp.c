// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - ARP: answer the guest for every address that is not its own
 *
 * Every off-guest host is reached through merd, so merd's MAC answers for
 * the gateway and any other address the guest asks for, except the guest's
 * own (that would break its duplicate address detection) and addresses
 * outside unicast space.
 */
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>

#include "arp.h"
#include "eth.h"
#include "log.h"
#include "merd.h"
#include "util.h"

#define ARP_LEN		28	/* Ethernet/IPv4 ARP packet */

/**
 * arp_should_answer() - Decide whether merd answers for a target address
 * @c:		Execution context
 * @sip:	Sender protocol address, network order
 * @tip:	Target protocol address, network order
 *
 * Return: true to answer with merd's MAC
 */
static bool arp_should_answer(const struct ctx *c, struct in_addr sip,
			      struct in_addr tip)
{
	uint32_t t = ntohl(tip.s_addr);

	if (tip.s_addr == sip.s_addr)		/* gratuitous, announcement */
		return false;
	if (!sip.s_addr)			/* RFC 5227 probe */
		return false;
	if (tip.s_addr == c->conf.addr4.s_addr)	/* the guest's own */
		return false;
	return t && t != INADDR_BROADCAST && !IN_MULTICAST(t);
}

/**
 * arp_input() - Handle an ARP packet from the guest
 * @c:		Execution context
 * @p:		ARP packet, untrusted
 * @len:	Bytes from @p to the end of the frame
 */
void arp_input(struct ctx *c, const uint8_t *p, size_t len)
{
	struct in_addr sip, tip;
	size_t cap;
	uint8_t *r;

	if (len < ARP_LEN || rd16(p) != ARPHRD_ETHER ||
	    rd16(p + 2) != ETHERTYPE_IP || p[4] != ETH_ALEN || p[5] != 4) {
		count_drop(c, CNT_drop_arp_bad);
		return;
	}
	if (rd16(p + 6) != ARPOP_REQUEST) {
		count(c, CNT_ignored);
		return;
	}
	memcpy(&sip, p + 14, 4);
	memcpy(&tip, p + 24, 4);
	if (!arp_should_answer(c, sip, tip)) {
		count(c, CNT_ignored);
		return;
	}

	r = eth_tx_begin(c, &cap);
	if (!r)
		return;
	memcpy(r, p, 6);			/* hardware/protocol types */
	wr16(r + 6, ARPOP_REPLY);
	memcpy(r + 8, c->our_mac, ETH_ALEN);	/* sender: merd, for tip */
	memcpy(r + 14, &tip, 4);
	memcpy(r + 18, p + 8, ETH_ALEN);	/* target: who asked */
	memcpy(r + 24, &sip, 4);
	eth_tx_commit(c, p + 8, ETHERTYPE_ARP, ARP_LEN);
}
