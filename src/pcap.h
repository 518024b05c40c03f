/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap.h - Capture of the guest link in pcap format (--pcap) */
#ifndef MERD_PCAP_H
#define MERD_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_MAX_DEFAULT	(64ULL << 20)	/* bytes */

int pcap_open(const char *path, uint64_t max_bytes);
void pcap_frame(const uint8_t *frame, size_t len);
void pcap_close(void);
bool pcap_active(void);

#endif /* MERD_PCAP_H */
