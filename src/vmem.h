/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmem.h - The guest's memory, mapped from the file descriptors qemu sends */
#ifndef MERD_VMEM_H
#define MERD_VMEM_H

#include <stddef.h>
#include <stdint.h>

#define VMEM_MAX_REGIONS	8	/* VHOST_MEMORY_BASELINE_NREGIONS */

/**
 * struct vmem_region - One region of guest memory, mapped
 * @gpa:	Guest physical address of its first byte
 * @size:	Length, bytes
 * @uva:	Address of its first byte in qemu's own address space
 *		(what vring addresses are given in)
 * @host:	Address of its first byte in merd
 * @map:	Start of the mapping (before the region's offset in the file)
 * @map_len:	Length of the mapping
 */
struct vmem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint8_t *host;
	void *map;
	size_t map_len;
};

/**
 * struct vmem - The guest's memory table
 * @r:		Regions, @n of them in use
 * @n:		Number of regions
 */
struct vmem {
	struct vmem_region r[VMEM_MAX_REGIONS];
	unsigned int n;
};

/**
 * struct vmem_desc - A region as the frontend describes it (host order)
 * @gpa:	Guest physical address
 * @size:	Length
 * @uva:	Address in the frontend's address space
 * @offset:	Offset of the region in the file
 */
struct vmem_desc {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t offset;
};

int vmem_map(struct vmem *m, const struct vmem_desc *d, const int *fds,
	     unsigned int n);
void vmem_unmap(struct vmem *m);
void *vmem_gpa(const struct vmem *m, uint64_t addr, uint64_t len);
void *vmem_uva(const struct vmem *m, uint64_t addr, uint64_t len);

#endif /* MERD_VMEM_H */
