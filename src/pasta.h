/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta.h - pasta's command line, for podman 5 */
#ifndef MERD_PASTA_H
#define MERD_PASTA_H

struct conf;

int pasta_parse(struct conf *conf, int argc, char **argv);

#endif /* MERD_PASTA_H */
