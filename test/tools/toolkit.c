// SPDX-License-Identifier: GPL-2.0-or-later
/* toolkit.c - What the static test tools share: SHA-256 (so that no tool
 * depends on a library the busybox guest lacks), the test byte stream,
 * addresses from text, a monotonic clock
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "toolkit.h"

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

/**
 * sha256_init() - Start a hash
 * @s:		State
 */
void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->n = 0;
}

/**
 * sha256_block() - Hash one 64-byte block
 * @s:		State
 * @p:		Block
 */
static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	size_t i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

/**
 * sha256_update() - Hash more bytes
 * @s:		State
 * @p:		Bytes
 * @len:	How many
 */
void sha256_update(struct sha256 *s, const uint8_t *p, size_t len)
{
	s->len += len;
	if (s->n) {
		size_t k = 64 - s->n < len ? 64 - s->n : len;

		memcpy(s->blk + s->n, p, k);
		s->n += k;
		p += k;
		len -= k;
		if (s->n < 64)
			return;
		sha256_block(s, s->blk);
		s->n = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(s, p);
	memcpy(s->blk, p, len);
	s->n = len;
}

/**
 * sha256_hex() - Finish a hash and write it as 64 hex digits
 * @s:		State, unusable afterwards
 * @out:	65 bytes
 */
void sha256_hex(struct sha256 *s, char *out)
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (s->n < 56 ? 56 : 120) - s->n;
	size_t i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x",
			(s->h[i / 4] >> (24 - 8 * (i % 4))) & 0xff);
}

/**
 * stream_fill() - Write bytes [@off, @off + @len) of test stream @seed
 * @seed:	Stream
 * @off:	Offset in the stream
 * @p:		Destination
 * @len:	Length
 *
 * The stream is counter-mode pseudo-random bytes (splitmix64 of each
 * 8-byte block's index), so a receiver can check any offset on its own.
 */
void stream_fill(uint64_t seed, uint64_t off, uint8_t *p, size_t len)
{
	while (len) {
		uint64_t z = seed + (off / 8 + 1) * 0x9e3779b97f4a7c15ULL;
		size_t i;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (i = off % 8; i < 8 && len; i++, len--, off++)
			*p++ = (uint8_t)(z >> (8 * i));
	}
}

/**
 * addr_port() - Fill @ss from a numeric IPv4 or IPv6 address and a port
 * @addr:	Address text
 * @port:	Port, 0 to 65535
 * @ss:		Socket address to fill
 *
 * Return: length of the socket address, 0 if @addr is not an address
 */
socklen_t addr_port(const char *addr, unsigned int port,
		    struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (port > 65535)
		return 0;
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return sizeof(*a6);
	}
	return 0;
}

/**
 * addr_parse() - Fill @ss from a numeric address and a port, both text
 * @addr:	Address text, IPv4 or IPv6
 * @port:	Port text, 1 to 65535
 * @ss:		Socket address to fill
 *
 * Return: length of the socket address, 0 if @addr or @port is invalid
 */
socklen_t addr_parse(const char *addr, const char *port,
		     struct sockaddr_storage *ss)
{
	char *end;
	long p = strtol(port, &end, 10);

	if (end == port || *end || p <= 0 || p > 65535) {
		memset(ss, 0, sizeof(*ss));
		return 0;
	}
	return addr_port(addr, (unsigned int)p, ss);
}

/**
 * now_ms() - Monotonic time in milliseconds
 *
 * Return: milliseconds
 */
uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * now_us() - Monotonic time in microseconds, with fractions
 *
 * Return: microseconds
 */
double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/**
 * text_num() - A whole decimal number from text
 * @s:		Text
 * @bad:	What to return if @s is not one number alone
 *
 * Return: the number, or @bad (callers pick a value their range check
 * refuses)
 */
long text_num(const char *s, long bad)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno)
		return bad;
	return v;
}
