/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - Small helpers shared by every module: macros, time, byte access */
#ifndef MERD_UTIL_H
#define MERD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define UNUSED			__attribute__((unused))

/**
 * rd16() - Read a big-endian 16-bit value from a byte buffer
 * @p:		Buffer, at least 2 bytes long
 *
 * Return: value in host order
 */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * rd32() - Read a big-endian 32-bit value from a byte buffer
 * @p:		Buffer, at least 4 bytes long
 *
 * Return: value in host order
 */
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * wr16() - Write a 16-bit value big-endian into a byte buffer
 * @p:		Buffer, at least 2 bytes long
 * @v:		Value in host order
 */
static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/**
 * wr32() - Write a 32-bit value big-endian into a byte buffer
 * @p:		Buffer, at least 4 bytes long
 * @v:		Value in host order
 */
static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/**
 * now_ms() - Monotonic clock in milliseconds
 *
 * Return: milliseconds since an arbitrary point, never going backwards
 */
static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif /* MERD_UTIL_H */
