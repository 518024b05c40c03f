/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hash.h - Keyed hashing (SipHash-2-4) for the flow table and TCP ISNs */
#ifndef MERD_HASH_H
#define MERD_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash(const uint64_t key[2], const void *data, size_t len);
int hash_random_key(uint64_t key[2]);

#endif /* MERD_HASH_H */
