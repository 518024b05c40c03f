/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsopen.h - Helper in the namespace that opens loopback sockets for merd */
#ifndef MERD_NSOPEN_H
#define MERD_NSOPEN_H

#include <stdbool.h>
#include <stdint.h>

int nsopen_spawn(void);
int nsopen_request(int sock, uint8_t proto, bool v6, uint16_t port);

#endif /* MERD_NSOPEN_H */
