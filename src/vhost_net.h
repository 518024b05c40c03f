/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_net.h - vhost-user data path: frames to and from the virtqueues */
#ifndef MERD_VHOST_NET_H
#define MERD_VHOST_NET_H

#include <stddef.h>
#include <stdint.h>

struct ctx;
struct virtio_net_hdr;

void vhost_net_broken(struct ctx *c, unsigned int q, const char *why);
void vhost_net_rx(struct ctx *c);
void vhost_net_kick(struct ctx *c, unsigned int q);
int vhost_net_tx_frame(struct ctx *c, const struct virtio_net_hdr *vh,
		       const uint8_t *f, size_t len);
void vhost_net_tx_done(struct ctx *c);

#endif /* MERD_VHOST_NET_H */
