/* SPDX-License-Identifier: GPL-2.0-or-later */
/* harness.h - A merd execution context for unit tests and fuzz targets */
#ifndef MERD_TEST_HARNESS_H
#define MERD_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "merd.h"

/* What the harness configures: documentation addresses only */
#define H_GUEST_ADDR	"198.51.100.10"
#define H_GW_ADDR	"198.51.100.1"
#define H_DNS_ADDR	"203.0.113.53"
#define H_PREFIX	24
#define H_GUEST_ADDR6	"2001:db8:1::10"
#define H_GW_ADDR6	"2001:db8:1::1"
#define H_DNS_ADDR6	"2001:db8:2::53"
#define H_PREFIX6	64
#define H_MTU		1500
#define H_SEARCH	"example.com test.example.org"

extern const uint8_t h_our_mac[6];
extern const uint8_t h_guest_mac[6];

/**
 * struct harness - A context with a guest link whose far end tests hold
 * @c:		Execution context, as main() would set it up
 * @peer:	Our end of the LINK_STREAM socketpair: what merd sends, we
 *		read here (length-prefixed frames); what we write, merd reads
 */
struct harness {
	struct ctx c;
	int peer;
};

int harness_init(struct harness *h, uint32_t max_flows);
int harness_attach(struct harness *h);
void harness_reset(struct harness *h);
void harness_fini(struct harness *h);
int harness_send(struct harness *h, const void *frame, size_t len);
int harness_send_raw(struct harness *h, const void *buf, size_t len);
int harness_recv(struct harness *h, uint8_t *buf, size_t cap);
void harness_drain(struct harness *h);
size_t harness_queued(const struct harness *h);

size_t h_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src,
	     uint16_t type);
size_t h_ip4(uint8_t *p, const char *src, const char *dst, uint8_t proto,
	     size_t l4_len);
uint16_t h_csum_ref(const void *buf, size_t len, uint32_t sum);
uint32_t h_addr(const char *s);

#endif /* MERD_TEST_HARNESS_H */
