// SPDX-License-Identifier: GPL-2.0-or-later
/* portscan.c - Which ports are bound, from /proc/net/{tcp,udp}{,6}: for
 * "all" (ports already bound on the host are left alone) and "auto" (ports
 * bound in the namespace are forwarded)
 *
 * Each line of those files reads "SL: LOCAL_HEX:PORT REMOTE_HEX:PORT ST
 * ...", addresses as the kernel's 32-bit words in hexadecimal (one word
 * for IPv4, four for IPv6). The file is read with pread() from offset 0,
 * so a descriptor opened once (before isolation, in the namespace it
 * describes) serves every scan. Lines are parsed as untrusted text: a line
 * that does not parse is skipped.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inany.h"
#include "portscan.h"

#define PORTSCAN_BUF		65536
#define PORTSCAN_LINE_MAX	512
#define TCP_LISTEN_STATE	0x0a
#define UDP_UNCONNECTED_STATE	0x07

/**
 * portscan_hex() - Parse a fixed number of hexadecimal digits
 * @s:		Text
 * @digits:	How many
 * @out:	Value
 *
 * Return: pointer past them, or NULL if not all are hexadecimal
 */
static const char *portscan_hex(const char *s, int digits, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < digits; i++) {
		char ch = s[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' :
			ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 :
			ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;

		if (d < 0)
			return NULL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return s + digits;
}

/**
 * portscan_addr() - Parse ADDR:PORT as the kernel prints it
 * @s:		Text
 * @a:		Address (v4-mapped for IPv4)
 * @port:	Port
 *
 * Return: pointer past it, or NULL if malformed
 */
static const char *portscan_addr(const char *s, struct in6_addr *a,
				 uint32_t *port)
{
	size_t len = strcspn(s, ":");
	uint32_t w;
	int i;

	if (len != 8 && len != 32)
		return NULL;
	for (i = 0; i < (int)len / 8; i++) {
		if (!portscan_hex(s + (ptrdiff_t)8 * i, 8, &w))
			return NULL;
		/* the word was printed in host order from network bytes */
		memcpy(&a->s6_addr[len == 8 ? 12 : 4 * i], &w, 4);
	}
	if (len == 8) {
		memset(a->s6_addr, 0, 10);
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
	}
	if (s[len] != ':')
		return NULL;
	return portscan_hex(s + len + 1, 4, port);
}

/**
 * portscan_loopback() - Tell whether an address is a loopback one
 * @a:		Address
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
static bool portscan_loopback(const struct in6_addr *a)
{
	if (inany_is_v4(a))
		return a->s6_addr[12] == 127;
	return IN6_IS_ADDR_LOOPBACK(a);
}

/**
 * portscan_any() - Tell whether an address is the wildcard one
 * @a:		Address
 *
 * Return: true for 0.0.0.0 and ::
 */
static bool portscan_any(const struct in6_addr *a)
{
	struct in6_addr any4;

	inany_from_v4(&any4, (struct in_addr){ 0 });
	return IN6_IS_ADDR_UNSPECIFIED(a) || inany_equal(a, &any4);
}

/**
 * portscan_line() - Mark the port of one line if it is wanted
 * @line:	Line, NUL-terminated
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @what:	Which sockets count
 * @ports:	Bitmap of 65536 bits
 */
static void portscan_line(const char *line, uint8_t proto,
			  enum portscan_what what, uint8_t *ports)
{
	struct in6_addr local, remote;
	uint32_t lport, rport, st;
	const char *s = strchr(line, ':');

	if (!s || s[1] != ' ')
		return;
	s += 2;
	s = portscan_addr(s, &local, &lport);
	if (!s || *s != ' ')
		return;
	s = portscan_addr(s + 1, &remote, &rport);
	if (!s || *s != ' ' || !portscan_hex(s + 1, 2, &st) || !lport)
		return;
	if (what != PORTSCAN_ANY &&
	    ((proto == IPPROTO_TCP && st != TCP_LISTEN_STATE) ||
	     (proto == IPPROTO_UDP && (st != UDP_UNCONNECTED_STATE || rport))))
		return;
	if (what == PORTSCAN_SERVERS && portscan_loopback(&local))
		return;
	if (what == PORTSCAN_LOCAL && !portscan_loopback(&local) &&
	    !portscan_any(&local))
		return;
	ports[lport / 8] |= (uint8_t)(1 << (lport % 8));
}

/**
 * portscan_read() - Mark the ports of the sockets a /proc/net file lists
 * @fd:		/proc/net/{tcp,tcp6,udp,udp6}, -1 to do nothing
 * @proto:	IPPROTO_TCP or IPPROTO_UDP, which the file is about
 * @what:	Which sockets count
 * @ports:	Bitmap of 65536 bits, bits set for those ports
 *
 * Return: 0, or negative errno if the file cannot be read
 */
int portscan_read(int fd, uint8_t proto, enum portscan_what what,
		  uint8_t *ports)
{
	static char buf[PORTSCAN_BUF + 1];
	size_t have = 0;
	off_t off = 0;

	if (fd < 0)
		return 0;
	while (off < PORTSCAN_MAX_BYTES) {
		ssize_t n = pread(fd, buf + have, PORTSCAN_BUF - have, off);
		char *line = buf, *nl;

		if (n < 0)
			return -errno;
		if (!n)
			break;
		off += n;
		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			*nl = '\0';
			portscan_line(line, proto, what, ports);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		if (have >= PORTSCAN_LINE_MAX)
			have = 0;	/* no line is that long: skip it */
		memmove(buf, line, have);
	}
	return 0;
}
