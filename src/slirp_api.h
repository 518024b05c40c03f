/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp_api.h - slirp4netns's API socket (--api-socket) */
#ifndef MERD_SLIRP_API_H
#define MERD_SLIRP_API_H

#include <stddef.h>
#include <stdint.h>

#define API_REQ_MAX	4096	/* one request, bytes (slirp4netns's limit) */

struct ctx;

size_t slirp_api_handle(struct ctx *c, const char *text, size_t len,
			char *out, size_t cap);
int slirp_api_open(struct ctx *c, const char *path);
void slirp_api_accept(struct ctx *c);
void slirp_api_event(struct ctx *c, uint32_t idx);
void slirp_api_close(struct ctx *c);

#endif /* MERD_SLIRP_API_H */
