/* SPDX-License-Identifier: GPL-2.0-or-later */
/* portscan.h - Which ports are bound: /proc/net/{tcp,udp}{,6} parsed */
#ifndef MERD_PORTSCAN_H
#define MERD_PORTSCAN_H

#include <stdint.h>

#define PORTSCAN_MAX_BYTES	(8 << 20)	/* read at most this per file */

enum portscan_what {
	PORTSCAN_ANY,		/* every socket's local port */
	PORTSCAN_SERVERS,	/* TCP listening, UDP unconnected; on an
				 * address other than loopback */
	PORTSCAN_LOCAL,		/* TCP listening, UDP unconnected; on
				 * loopback or the wildcard address */
};

int portscan_read(int fd, uint8_t proto, enum portscan_what what,
		  uint8_t *ports);

#endif /* MERD_PORTSCAN_H */
