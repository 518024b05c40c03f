// SPDX-License-Identifier: GPL-2.0-or-later
/* dns.c - DNS name encoding (RFC 1035 3.1) for search lists given to guests */
#include <string.h>

#include "dns.h"

/**
 * dns_encode_names() - Encode a space separated list of domains as a
 * sequence of uncompressed DNS names (RFC 3397, RFC 8106, RFC 8415 21.15)
 * @list:	Domains, e.g. "example.org corp.example"; a trailing dot is
 *		allowed
 * @out:	Output buffer
 * @cap:	Size of @out
 *
 * Return: encoded length, 0 if the list is empty, has a label over 63
 * bytes, or does not fit
 */
size_t dns_encode_names(const char *list, uint8_t *out, size_t cap)
{
	const char *p = list;
	size_t n = 0;

	while (*p) {
		size_t dom = strcspn(p, " \t"), start = n, lab;
		const char *d = p;

		while (d < p + dom) {
			lab = strcspn(d, ".");
			if (d + lab > p + dom)
				lab = (size_t)(p + dom - d);
			if (lab > 63 || n + lab + 2 > cap)
				return 0;
			if (lab) {
				out[n++] = (uint8_t)lab;
				memcpy(out + n, d, lab);
				n += lab;
			}
			d += lab + 1;
		}
		if (n > start)
			out[n++] = 0;		/* root: end of this name */
		p += dom;
		p += strspn(p, " \t");
	}
	return n;
}
