// SPDX-License-Identifier: GPL-2.0-or-later
/* vmem.c - The guest's memory: regions mapped once from qemu's file
 * descriptors, and the only way from a guest or qemu address to a pointer
 *
 * Every address and length that comes from the guest (descriptors) or from
 * qemu (vring addresses) is turned into a pointer by vmem_gpa() or
 * vmem_uva(), which return NULL unless the whole range [addr, addr + len)
 * lies inside one mapped region. Nothing else adds guest-supplied numbers
 * to pointers.
 *
 * A region is refused if its file is shorter than the region (a mapping
 * past the end of a file faults with SIGBUS when touched).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "vmem.h"

/**
 * vmem_check() - Check one region's description before mapping it
 * @d:		Region as described by the frontend
 * @fd:		Its file
 *
 * Return: 0 if sane, -EINVAL otherwise (reported)
 */
static int vmem_check(const struct vmem_desc *d, int fd)
{
	off_t end;

	if (!d->size || d->size > (uint64_t)SSIZE_MAX ||
	    d->offset > (uint64_t)SSIZE_MAX - d->size ||
	    d->gpa > UINT64_MAX - d->size || d->uva > UINT64_MAX - d->size) {
		err("vhost-user: memory region gpa 0x%llx size 0x%llx "
		    "offset 0x%llx out of range",
		    (unsigned long long)d->gpa, (unsigned long long)d->size,
		    (unsigned long long)d->offset);
		return -EINVAL;
	}
	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || (uint64_t)end < d->offset + d->size) {
		err("vhost-user: memory region of 0x%llx bytes at offset "
		    "0x%llx, but its file has %lld",
		    (unsigned long long)d->size, (unsigned long long)d->offset,
		    (long long)end);
		return -EINVAL;
	}
	return 0;
}

/**
 * vmem_map() - Map a new memory table, replacing the old one
 * @m:		Memory table, unmapped first
 * @d:		Regions as described by the frontend
 * @fds:	One file descriptor per region (not closed here)
 * @n:		Number of regions, at most VMEM_MAX_REGIONS
 *
 * Each region is mapped once, shared, read and write. Overlapping regions
 * are refused.
 *
 * Return: 0 on success, -EINVAL or negative errno (reported; @m empty)
 */
int vmem_map(struct vmem *m, const struct vmem_desc *d, const int *fds,
	     unsigned int n)
{
	unsigned int i, j;

	vmem_unmap(m);
	if (!n || n > VMEM_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (vmem_check(&d[i], fds[i])) {
			vmem_unmap(m);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (d[i].gpa < d[j].gpa + d[j].size &&
			    d[j].gpa < d[i].gpa + d[i].size) {
				err("vhost-user: memory regions %u and %u "
				    "overlap", j, i);
				vmem_unmap(m);
				return -EINVAL;
			}
		}
		m->r[i].map_len = (size_t)(d[i].offset + d[i].size);
		m->r[i].map = mmap(NULL, m->r[i].map_len,
				   PROT_READ | PROT_WRITE, MAP_SHARED,
				   fds[i], 0);
		if (m->r[i].map == MAP_FAILED) {
			int rc = -errno;

			err("vhost-user: cannot map memory region %u: %s", i,
			    strerror(errno));
			m->r[i].map = NULL;
			vmem_unmap(m);
			return rc;
		}
		m->r[i].host = (uint8_t *)m->r[i].map + d[i].offset;
		m->r[i].gpa = d[i].gpa;
		m->r[i].size = d[i].size;
		m->r[i].uva = d[i].uva;
		m->n = i + 1;
	}
	return 0;
}

/**
 * vmem_unmap() - Unmap every region of the table
 * @m:		Memory table, left empty
 */
void vmem_unmap(struct vmem *m)
{
	unsigned int i;

	for (i = 0; i < VMEM_MAX_REGIONS; i++) {
		if (m->r[i].map)
			munmap(m->r[i].map, m->r[i].map_len);
	}
	memset(m, 0, sizeof(*m));
}

/**
 * vmem_find() - Find the region holding a whole range of addresses
 * @m:		Memory table
 * @addr:	First address of the range
 * @len:	Its length (0: the address alone must be in a region)
 * @uva:	Addresses are qemu's (vring addresses), not guest physical
 *
 * Overflow-safe: @addr - start is computed only once @addr >= start.
 *
 * Return: pointer to @addr in merd, NULL if any of the range is outside
 * every region or the range spans two
 */
static void *vmem_find(const struct vmem *m, uint64_t addr, uint64_t len,
		       int uva)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct vmem_region *r = &m->r[i];
		uint64_t start = uva ? r->uva : r->gpa, off;

		if (addr < start)
			continue;
		off = addr - start;
		if (off >= r->size || len > r->size - off)
			continue;
		return r->host + off;
	}
	return NULL;
}

/**
 * vmem_gpa() - Pointer to a range of guest physical memory
 * @m:		Memory table
 * @addr:	Guest physical address
 * @len:	Length of the range
 *
 * Return: pointer, or NULL unless [@addr, @addr + @len) lies in one region
 */
void *vmem_gpa(const struct vmem *m, uint64_t addr, uint64_t len)
{
	return vmem_find(m, addr, len, 0);
}

/**
 * vmem_uva() - Pointer to a range given in qemu's address space
 * @m:		Memory table
 * @addr:	Address in qemu's address space (vring addresses)
 * @len:	Length of the range
 *
 * Return: pointer, or NULL unless [@addr, @addr + @len) lies in one region
 */
void *vmem_uva(const struct vmem *m, uint64_t addr, uint64_t len)
{
	return vmem_find(m, addr, len, 1);
}
