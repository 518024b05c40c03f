/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp.h - slirp4netns's command line, for podman 4 and rootlesskit 1 */
#ifndef MERD_SLIRP_H
#define MERD_SLIRP_H

struct conf;

int slirp_parse(struct conf *conf, int argc, char **argv);

#endif /* MERD_SLIRP_H */
