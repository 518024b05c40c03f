/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_ooo.h - Guest TCP segments that arrived ahead of a gap, held */
#ifndef MERD_TCP_OOO_H
#define MERD_TCP_OOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define TCP_OOO_SLOTS	4		/* flows holding data at once */
#define TCP_OOO_BUF	(4U << 20)	/* bytes past rcv_nxt one flow holds,
					 * a power of two */
#define TCP_OOO_RANGES	8		/* separate runs one flow holds */
#define TCP_OOO_SACK_MAX 4		/* SACK blocks that fit the options */

int tcp_ooo_init(void);
unsigned int tcp_ooo_get(void);
void tcp_ooo_put(unsigned int slot);
int tcp_ooo_add(unsigned int slot, uint32_t rcv_nxt, uint32_t seq,
		const uint8_t *data, size_t len);
size_t tcp_ooo_ready(unsigned int slot, uint32_t rcv_nxt,
		     struct iovec iov[2]);
bool tcp_ooo_empty(unsigned int slot, uint32_t rcv_nxt);
unsigned int tcp_ooo_sack(unsigned int slot, uint32_t rcv_nxt,
			  uint32_t blocks[][2], unsigned int max);
void tcp_ooo_fin_set(unsigned int slot, uint32_t seq);
bool tcp_ooo_fin(unsigned int slot, uint32_t *seq);

#endif /* MERD_TCP_OOO_H */
