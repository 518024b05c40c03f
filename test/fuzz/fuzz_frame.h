/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_frame.h - Valid frames around fuzz bytes, and checks of what merd
 * sends the guest, for the protocol fuzz targets
 */
#ifndef MERD_FUZZ_FRAME_H
#define MERD_FUZZ_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_FRAME_MAX	9000	/* frames the protocol targets build */

/**
 * struct fz_record - One record of an input: a selector and some bytes
 * @sel:	Selector byte: the target says what its bits choose
 * @data:	Bytes, inside the input
 * @len:	Their length
 */
struct fz_record {
	uint8_t sel;
	const uint8_t *data;
	size_t len;
};

size_t fz_next_record(const uint8_t *in, size_t size, size_t off,
		      struct fz_record *r);
size_t fz_frame4(uint8_t *f, const uint8_t *dst_mac, uint32_t src,
		 uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len,
		 bool fix_csum);
size_t fz_frame6(uint8_t *f, const void *src, const void *dst, uint8_t hops,
		 uint8_t nh, const uint8_t *l4, size_t len, bool fix_csum);
void fz_check_frame(const uint8_t *f, size_t len);
void fz_l4_csum(uint8_t *l4, size_t len, uint8_t proto, uint32_t pseudo);
uint32_t fz_addr_sum(const uint8_t *a, size_t len);

#endif /* MERD_FUZZ_FRAME_H */
