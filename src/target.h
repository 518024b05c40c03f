/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.h - Where the guest's outbound flows really go */
#ifndef MERD_TARGET_H
#define MERD_TARGET_H

#include <sys/socket.h>

struct ctx;
struct flow_key;

socklen_t target_sockaddr(const struct ctx *c, const struct flow_key *key,
			  struct sockaddr_storage *sa);

#endif /* MERD_TARGET_H */
