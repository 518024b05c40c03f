// SPDX-License-Identifier: GPL-2.0-or-later
/* test_portscan.c - /proc/net/{tcp,udp}{,6} parsing for "all" and "auto" */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portscan.h"
#include "unit.h"

static const char tcp4[] =
"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0\n"
"   1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 100 0 0 10 0\n"
"   2: 0A6433C6:9C40 0300A8C0:0050 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0 100 0 0 10 0\n"
"   3: garbage:ZZZZ 00000000:0000 0A\n"
"   4: 0A6433C6:0016 00000000:0000 0A";	/* no newline: a torn line */

static const char udp6[] =
"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
"    0: 00000000000000000000000000000000:1E61 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4 2 0 0\n"
"    1: 00000000000000000000000001000000:14E9 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 5 2 0 0\n"
"    2: B80D0120000000000000000010000000:C350 B80D0120000000000000000003000000:0035 01 00000000:00000000 00:00000000 00000000  1000        0 6 2 0 0\n";

/**
 * scan() - Run portscan_read() over a text in a temporary file
 * @text:	File contents
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @what:	Which sockets count
 * @ports:	Bitmap to fill (cleared first)
 *
 * Return: portscan_read()'s result
 */
static int scan(const char *text, uint8_t proto, enum portscan_what what,
		uint8_t *ports)
{
	char path[] = "/tmp/merd-portscan-XXXXXX";
	int fd = mkstemp(path), rc;

	memset(ports, 0, 65536 / 8);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	unlink(path);
	rc = portscan_read(fd, proto, what, ports);
	close(fd);
	return rc;
}

/**
 * has() - Tell whether a port's bit is set
 * @ports:	Bitmap
 * @p:		Port
 *
 * Return: 1 if set
 */
static int has(const uint8_t *ports, unsigned int p)
{
	return !!(ports[p / 8] & (1 << (p % 8)));
}

static uint8_t ports[65536 / 8];

/**
 * tcp_servers_skip_loopback_and_clients() - Only listening, non-loopback
 */
static void tcp_servers_skip_loopback_and_clients(void)
{
	CHECK_EQ(scan(tcp4, IPPROTO_TCP, PORTSCAN_SERVERS, ports), 0);
	CHECK_EQ(has(ports, 8080), 1);		/* 0.0.0.0:8080 LISTEN */
	CHECK_EQ(has(ports, 5432), 0);		/* 127.0.0.1 only */
	CHECK_EQ(has(ports, 40000), 0);		/* established */
	CHECK_EQ(has(ports, 22), 0);		/* torn last line */
}

/**
 * tcp_any_counts_every_socket() - "all" leaves every bound port alone
 */
static void tcp_any_counts_every_socket(void)
{
	CHECK_EQ(scan(tcp4, IPPROTO_TCP, PORTSCAN_ANY, ports), 0);
	CHECK_EQ(has(ports, 8080), 1);
	CHECK_EQ(has(ports, 5432), 1);
	CHECK_EQ(has(ports, 40000), 1);
}

/**
 * udp6_unconnected_non_loopback() - UDP: bound and unconnected, not ::1
 */
static void udp6_unconnected_non_loopback(void)
{
	CHECK_EQ(scan(udp6, IPPROTO_UDP, PORTSCAN_SERVERS, ports), 0);
	CHECK_EQ(has(ports, 7777), 1);		/* [::]:7777 */
	CHECK_EQ(has(ports, 5353), 0);		/* [::1]:5353 */
	CHECK_EQ(has(ports, 50000), 0);		/* connected */
}

/**
 * bad_fd_is_an_error() - A descriptor that cannot be read is reported
 */
static void bad_fd_is_an_error(void)
{
	CHECK(portscan_read(9999, IPPROTO_TCP, PORTSCAN_ANY, ports) < 0);
	CHECK_EQ(portscan_read(-1, IPPROTO_TCP, PORTSCAN_ANY, ports), 0);
}

int main(void)
{
	RUN(tcp_servers_skip_loopback_and_clients);
	RUN(tcp_any_counts_every_socket);
	RUN(udp6_unconnected_non_loopback);
	RUN(bad_fd_is_an_error);
	return unit_done();
}
