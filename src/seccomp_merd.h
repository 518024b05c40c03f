/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp_merd.h - The seccomp allow-list filter (named so that it does not
 * hide libseccomp's <seccomp.h> from builds with -Isrc)
 */
#ifndef MERD_SECCOMP_H
#define MERD_SECCOMP_H

#include "conf.h"

int seccomp_filter_load(enum merd_mode mode);
int seccomp_nsopen_load(void);
void seccomp_test_announce(const char *who);
int seccomp_test_trigger(const char *who);

#endif /* MERD_SECCOMP_H */
