// SPDX-License-Identifier: GPL-2.0-or-later
/* eth.c - Ethernet: check and dispatch guest frames, build replies */
#include <net/ethernet.h>
#include <string.h>

#include "arp.h"
#include "eth.h"
#include "ip.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "pcap.h"
#include "util.h"

static const uint8_t eth_broadcast[ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/**
 * eth_trace() - Trace one frame in or out (--trace)
 * @dir:	"in" (from the guest) or "out" (to it)
 * @frame:	Frame, at least @len bytes
 * @len:	Its length
 *
 * Called only with --trace (formatting costs nothing otherwise).
 */
static void eth_trace(const char *dir, const uint8_t *frame, size_t len)
{
	if (len < ETH_HDR_LEN) {
		log_msg(LOG_LVL_TRACE, "eth: frame %s: %zu bytes, runt", dir,
			len);
		return;
	}
	log_msg(LOG_LVL_TRACE, "eth: frame %s: %zu bytes, type 0x%04x, "
		"%02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x",
		dir, len, rd16(frame + 12), frame[6], frame[7], frame[8],
		frame[9], frame[10], frame[11], frame[0], frame[1], frame[2],
		frame[3], frame[4], frame[5]);
}

/**
 * eth_learn() - Remember the guest's MAC address from a frame it sent
 * @c:		Execution context
 * @src:	Source MAC of the frame
 */
static void eth_learn(struct ctx *c, const uint8_t *src)
{
	if (src[0] & 1)		/* group addresses are never a source */
		return;
	if (c->guest_mac_known && !memcmp(c->guest_mac, src, ETH_ALEN))
		return;
	memcpy(c->guest_mac, src, ETH_ALEN);
	c->guest_mac_known = true;
	debug_ratelimited("eth: guest MAC %02x:%02x:%02x:%02x:%02x:%02x",
			  src[0], src[1], src[2], src[3], src[4], src[5]);
}

/**
 * eth_input() - Handle one frame from the guest
 * @c:		Execution context
 * @frame:	Frame, untrusted
 * @len:	Frame length
 */
void eth_input(struct ctx *c, const uint8_t *frame, size_t len)
{
	uint16_t type;

	c->counters[CNT_frames_in]++;
	c->counters[CNT_bytes_in] += len;
	pcap_frame(frame, len);
	if (log_enabled(LOG_LVL_TRACE))
		eth_trace("in", frame, len);

	if (len < ETH_HDR_LEN) {
		count_drop(c, CNT_drop_eth_short);
		debug_ratelimited("eth: frame length %zu < %u, dropped", len,
				  ETH_HDR_LEN);
		return;
	}
	/* frames for another station (not us, not group) are not ours */
	if (!(frame[0] & 1) && memcmp(frame, c->our_mac, ETH_ALEN) != 0) {
		count(c, CNT_ignored);
		return;
	}
	eth_learn(c, frame + ETH_ALEN);

	type = rd16(frame + 12);
	switch (type) {
	case ETHERTYPE_ARP:
		if (c->conf.v4)
			arp_input(c, frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
		else
			count(c, CNT_ignored);
		break;
	case ETHERTYPE_IP:
		if (c->conf.v4)
			ip4_input(c, frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
		else
			count(c, CNT_ignored);
		break;
	case ETHERTYPE_IPV6:
		if (c->conf.v6)
			ip6_input(c, frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
		else
			count(c, CNT_ignored);
		break;
	default:
		count(c, CNT_ignored);	/* LLDP, ...: not served */
		break;
	}
}

/**
 * eth_tx_begin() - Reserve a frame toward the guest
 * @c:		Execution context
 * @l3_cap:	Set to the room for the network layer packet
 *
 * Return: where the network layer packet goes, or NULL (counted drop)
 */
uint8_t *eth_tx_begin(struct ctx *c, size_t *l3_cap)
{
	size_t cap;
	uint8_t *f = link_tx_reserve(c, &cap);

	if (!f)
		return NULL;
	*l3_cap = cap - ETH_HDR_LEN;
	return f + ETH_HDR_LEN;
}

/**
 * eth_tx_commit() - Write the Ethernet header and queue the frame
 * @c:		Execution context
 * @dst_mac:	Destination, NULL for the guest (broadcast until learned)
 * @type:	Ethertype, host order
 * @l3_len:	Length of the network layer packet built after eth_tx_begin()
 */
void eth_tx_commit(struct ctx *c, const uint8_t *dst_mac, uint16_t type,
		   size_t l3_len)
{
	uint8_t *f = c->link.tx + c->link.tx_len + 4;

	if (!dst_mac)
		dst_mac = c->guest_mac_known ? c->guest_mac : eth_broadcast;
	memcpy(f, dst_mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, c->our_mac, ETH_ALEN);
	wr16(f + 12, type);
	if (log_enabled(LOG_LVL_TRACE))
		eth_trace("out", f, ETH_HDR_LEN + l3_len);
	link_tx_commit(c, ETH_HDR_LEN + l3_len);
}
