/* SPDX-License-Identifier: GPL-2.0-or-later */
/* toolkit.h - What the static test tools share: SHA-256, the test byte
 * stream, addresses from text, a monotonic clock
 */
#ifndef TOOLKIT_H
#define TOOLKIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/**
 * struct sha256 - Running SHA-256 state (FIPS 180-4)
 * @h:		Hash words
 * @len:	Bytes hashed so far
 * @blk:	Partial block
 * @n:		Bytes in @blk
 */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t blk[64];
	size_t n;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const uint8_t *p, size_t len);
void sha256_hex(struct sha256 *s, char *out);
void stream_fill(uint64_t seed, uint64_t off, uint8_t *p, size_t len);
socklen_t addr_port(const char *addr, unsigned int port,
		    struct sockaddr_storage *ss);
socklen_t addr_parse(const char *addr, const char *port,
		     struct sockaddr_storage *ss);
uint64_t now_ms(void);
double now_us(void);
long text_num(const char *s, long bad);

#endif /* TOOLKIT_H */
