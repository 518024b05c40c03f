/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctl.h - The control socket: line-delimited JSON requests and replies */
#ifndef MERD_CTL_H
#define MERD_CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_CLIENTS_MAX	8		/* connected at once */
#define CTL_REQ_MAX	4096		/* one request line, bytes */
#define CTL_OUT_BUF	65536		/* reply buffer per client */
#define CTL_IDLE_MS	10000		/* a client idle this long may be
					 * closed to make room for another */
#define CTL_FIELDS_MAX	8		/* request members kept */
#define CTL_FIELD_LEN	256		/* longest request value kept */
#define CTL_CLIENT_BYTES_MAX	(71 << 10)	/* one client's state, at
						 * most (doc/merd.1; checked
						 * by test_ctl.c) */

struct ctx;

int ctl_open(struct ctx *c, const char *path);
void ctl_accept(struct ctx *c);
void ctl_event(struct ctx *c, uint32_t idx, uint32_t events);
void ctl_close(struct ctx *c);
size_t ctl_client_bytes(void);
int ctl_handle_line(struct ctx *c, const char *line, size_t len, char *out,
		    size_t cap, size_t *out_len);

#endif /* MERD_CTL_H */
