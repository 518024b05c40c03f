// SPDX-License-Identifier: GPL-2.0-or-later
/* hash.c - SipHash-2-4 (Aumasson, Bernstein), keyed from getrandom() */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"

#define ROTL64(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/**
 * sip_round() - One SipRound over the four state words
 * @v:		State, updated
 */
static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

/**
 * sip_load() - Read up to 8 bytes as a little-endian word
 * @p:		Bytes
 * @n:		How many, at most 8
 *
 * Return: the word, zero-padded
 */
static uint64_t sip_load(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/**
 * siphash() - SipHash-2-4 of a buffer
 * @key:	128-bit key
 * @data:	Input
 * @len:	Input length
 *
 * Return: 64-bit keyed hash
 */
uint64_t siphash(const uint64_t key[2], const void *data, size_t len)
{
	uint64_t v[4] = {
		key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
		key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL,
	};
	const uint8_t *p = data;
	uint64_t m;
	size_t left;

	for (left = len; left >= 8; left -= 8, p += 8) {
		m = sip_load(p, 8);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	m = sip_load(p, left) | (uint64_t)(len & 0xff) << 56;
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/**
 * hash_random_key() - Fill a hash key from the kernel's random pool
 * @key:	Key to fill
 *
 * Return: 0 on success, negative errno on failure
 */
int hash_random_key(uint64_t key[2])
{
	ssize_t n = getrandom(key, 2 * sizeof(key[0]), 0);

	if (n != (ssize_t)(2 * sizeof(key[0])))
		return n < 0 ? -errno : -EIO;
	return 0;
}
