/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isolation.h - Shutting merd in once set-up is done */
#ifndef MERD_ISOLATION_H
#define MERD_ISOLATION_H

struct conf;
struct ctx;

int isolation_user_check(const struct conf *conf);
int isolation_become(const struct conf *conf);
int isolation_runas(const struct conf *conf);
int isolation_enter(const struct ctx *c);
int isolation_helper_enter(void);
int isolation_unlink(const char *path);

#endif /* MERD_ISOLATION_H */
