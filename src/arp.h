/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arp.h - ARP: answer the guest for every address that is not its own */
#ifndef MERD_ARP_H
#define MERD_ARP_H

#include <stddef.h>
#include <stdint.h>

struct ctx;

void arp_input(struct ctx *c, const uint8_t *p, size_t len);

#endif /* MERD_ARP_H */
