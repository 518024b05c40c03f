/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eth.h - Ethernet: parse frames from the guest, build frames to it */
#ifndef MERD_ETH_H
#define MERD_ETH_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN	14

struct ctx;

void eth_input(struct ctx *c, const uint8_t *frame, size_t len);
uint8_t *eth_tx_begin(struct ctx *c, size_t *l3_cap);
void eth_tx_commit(struct ctx *c, const uint8_t *dst_mac, uint16_t type,
		   size_t l3_len);

#endif /* MERD_ETH_H */
