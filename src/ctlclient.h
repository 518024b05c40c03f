/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctlclient.h - merd ctl PATH COMMAND: the control socket's client */
#ifndef MERD_CTLCLIENT_H
#define MERD_CTLCLIENT_H

#define CTLCLIENT_TIMEOUT_S	10	/* wait for a reply at most this long */
#define CTLCLIENT_REPLY_MAX	(256 << 20)	/* longest reply read, bytes */

int ctlclient_main(int argc, char **argv);

#endif /* MERD_CTLCLIENT_H */
