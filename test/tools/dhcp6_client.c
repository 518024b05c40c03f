// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp6_client.c - A small DHCPv6 client (RFC 8415) for merd's tests
 *
 * dhcp6_client [-i IFACE] [-r] [-I] [-a] [-p PLEN] [-c] [-w SECS] [-n TRIES]
 *
 *   -i IFACE  interface (default eth0)
 *   -r        Solicit with Rapid Commit: expect a Reply at once
 *   -I        Information-request only (stateless): resolvers, domains
 *   -a        apply the address to IFACE (ioctl SIOCSIFADDR), /PLEN
 *   -p PLEN   prefix length of the applied address (default 128)
 *   -c        after the lease: Renew, Rebind, Confirm, then Release, each
 *             of which must be answered by a Reply
 *   -w SECS   wait up to SECS for a usable link-local address (default 10)
 *   -n TRIES  transmissions of each message before giving up (default 4)
 *
 * The client waits for a link-local address of IFACE that passed duplicate
 * address detection, binds it on port 546 and sends to ff02::1:2 port 547.
 * Every answer must carry our transaction ID and client DUID, a server DUID
 * and no failure status; the address must sit in an IA_NA with our IAID.
 * Prints KEY=value lines:
 *   link_local=ADDR  exchange=solicit,advertise,request,reply
 *   server=ADDR (source of the answers)  server_duid=HEX  rapid_commit=0|1
 *   addr=ADDR  t1=  t2=  preferred=  valid=  dns=ADDR...  domains=NAME...
 *   renew=ok rebind=ok confirm=ok release=ok  applied=ADDR/PLEN
 * Exit: 0 on success, 1 on no or bad answer, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

#define CLIENT_PORT	546
#define SERVER_PORT	547
#define MSG_MAX		1500
#define RTO_MS		1000
#define IAID		0x6d657264U	/* "merd" */
#define IF_INET6_TENTATIVE	0x40
#define IF_INET6_DADFAILED	0x08

enum msg_type {
	SOLICIT = 1, ADVERTISE, REQUEST, CONFIRM, RENEW, REBIND, REPLY,
	RELEASE, DECLINE, RECONFIGURE, INFORMATION_REQUEST,
};

enum opt_code {
	OPT_CLIENTID = 1, OPT_SERVERID = 2, OPT_IA_NA = 3, OPT_IAADDR = 5,
	OPT_ORO = 6, OPT_ELAPSED = 8, OPT_STATUS = 13, OPT_RAPID_COMMIT = 14,
	OPT_DNS = 23, OPT_DOMAINS = 24,
};

static const char *const msg_names[] = {
	"?", "solicit", "advertise", "request", "confirm", "renew", "rebind",
	"reply", "release", "decline", "reconfigure", "information-request",
};

/**
 * struct answer - What a server message told us, checked
 * @type:	Message type
 * @from:	Source address
 * @server_duid:	Server DUID
 * @server_duid_len:	Its length
 * @has_addr:	An IA_NA with our IAID held an address
 * @addr:	That address
 * @t1:		T1 of the IA_NA
 * @t2:		T2 of the IA_NA
 * @preferred:	Preferred lifetime of the address
 * @valid:	Valid lifetime of the address
 * @rapid:	Rapid Commit option present
 * @dns:	Resolvers, text, space separated
 * @domains:	Search list, text, space separated
 */
struct answer {
	uint8_t type;
	struct sockaddr_in6 from;
	uint8_t server_duid[130];
	size_t server_duid_len;
	bool has_addr;
	struct in6_addr addr;
	uint32_t t1, t2, preferred, valid;
	bool rapid;
	char dns[512];
	char domains[1024];
};

/* struct in6_ifreq of linux/ipv6.h, which clashes with netinet/in.h */
struct ifreq6 {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static uint8_t duid[14];	/* DUID-LLT-like: type 1, Ethernet, time, MAC */
static char exchange[256];

/**
 * rd16() - Read a big-endian 16-bit value
 * @p:		Bytes
 *
 * Return: value
 */
static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * rd32() - Read a big-endian 32-bit value
 * @p:		Bytes
 *
 * Return: value
 */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * put_opt() - Append an option to a message
 * @m:		Message
 * @len:	Bytes used, updated
 * @code:	Option code
 * @val:	Value (may be NULL when @vlen is 0)
 * @vlen:	Value length
 */
static void put_opt(uint8_t *m, size_t *len, uint16_t code, const void *val,
		    size_t vlen)
{
	m[*len] = (uint8_t)(code >> 8);
	m[*len + 1] = (uint8_t)code;
	m[*len + 2] = (uint8_t)(vlen >> 8);
	m[*len + 3] = (uint8_t)vlen;
	if (vlen)
		memcpy(m + *len + 4, val, vlen);
	*len += 4 + vlen;
}

/**
 * hex_bytes() - Bytes from hexadecimal digits
 * @hex:	Exactly 2 * @n hexadecimal digits
 * @out:	@n bytes, written
 * @n:		Bytes
 *
 * Return: 1, 0 if @hex is not 2 * @n hexadecimal digits
 */
static int hex_bytes(const char *hex, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(hex) != 2 * n || strspn(hex, "0123456789abcdefABCDEF") != 2 * n)
		return 0;
	for (i = 0; i < n; i++) {
		char two[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		out[i] = (uint8_t)strtoul(two, NULL, 16);
	}
	return 1;
}

/**
 * link_local_line() - Check one line of /proc/net/if_inet6
 * @line:	"ADDR IFINDEX PLEN SCOPE FLAGS NAME", cut up here
 * @ifname:	Interface wanted
 * @ifindex:	Its index
 * @out:	Address, set if usable
 *
 * Return: 1 if the line is a usable link-local address of the interface
 */
static int link_local_line(char *line, const char *ifname, unsigned ifindex,
			   struct in6_addr *out)
{
	char *save = NULL, *field[6];
	int n;

	for (n = 0; n < 6; n++) {
		field[n] = strtok_r(n ? NULL : line, " \t\n", &save);
		if (!field[n])
			return 0;
	}
	if (strtoul(field[1], NULL, 16) != ifindex ||
	    strtoul(field[3], NULL, 16) != 0x20 ||
	    strtoul(field[4], NULL, 16) & (IF_INET6_TENTATIVE | IF_INET6_DADFAILED) ||
	    strcmp(field[5], ifname) != 0)
		return 0;
	return hex_bytes(field[0], out->s6_addr, 16);
}

/**
 * link_local() - Find a usable link-local address of an interface
 * @ifname:	Interface
 * @ifindex:	Its index
 * @out:	Address found
 *
 * Return: 1 if found, 0 if none yet (missing or still tentative)
 */
static int link_local(const char *ifname, unsigned ifindex,
		      struct in6_addr *out)
{
	FILE *f = fopen("/proc/net/if_inet6", "r");
	char line[256];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = link_local_line(line, ifname, ifindex, out);
	fclose(f);
	return found;
}

/**
 * make_duid() - Build our DUID-LLT from the interface's MAC address
 * @s:		Any socket
 * @ifname:	Interface
 */
static void make_duid(int s, const char *ifname)
{
	struct ifreq ifr = { 0 };

	strncpy(ifr.ifr_name, ifname, IF_NAMESIZE - 1);
	duid[1] = 1;		/* DUID-LLT */
	duid[3] = 1;		/* Ethernet */
	duid[4] = 0x2f;		/* a fixed time: 2025 */
	duid[5] = 0x00;
	duid[6] = 0x4d;
	duid[7] = 0x52;
	if (!ioctl(s, SIOCGIFHWADDR, &ifr))
		memcpy(duid + 8, ifr.ifr_hwaddr.sa_data, 6);
}

/**
 * build() - Build a client message
 * @m:		Buffer of MSG_MAX bytes
 * @type:	Message type
 * @xid:	Transaction ID
 * @rapid:	Add Rapid Commit (Solicit only)
 * @srv:	Server the message is for (DUID), NULL for none
 * @addr:	Address to name in the IA_NA, NULL for an empty IA_NA, or no
 *		IA_NA at all for Information-request
 *
 * Return: message length
 */
static size_t build(uint8_t *m, uint8_t type, uint32_t xid, bool rapid,
		    const struct answer *srv, const struct in6_addr *addr)
{
	static const uint8_t oro[] = { 0, OPT_DNS, 0, OPT_DOMAINS };
	static const uint8_t elapsed[2] = { 0, 0 };
	uint8_t ia[12 + 4 + 24] = { 0 };
	size_t len = 4, ialen = 12;

	m[0] = type;
	m[1] = (uint8_t)(xid >> 16);
	m[2] = (uint8_t)(xid >> 8);
	m[3] = (uint8_t)xid;
	put_opt(m, &len, OPT_CLIENTID, duid, sizeof(duid));
	if (srv)
		put_opt(m, &len, OPT_SERVERID, srv->server_duid,
			srv->server_duid_len);
	put_opt(m, &len, OPT_ELAPSED, elapsed, sizeof(elapsed));
	put_opt(m, &len, OPT_ORO, oro, sizeof(oro));
	if (rapid)
		put_opt(m, &len, OPT_RAPID_COMMIT, NULL, 0);
	if (type == INFORMATION_REQUEST)
		return len;
	ia[0] = IAID >> 24;
	ia[1] = (IAID >> 16) & 0xff;
	ia[2] = (IAID >> 8) & 0xff;
	ia[3] = IAID & 0xff;
	if (addr) {
		ia[12] = 0;
		ia[13] = OPT_IAADDR;
		ia[15] = 24;
		memcpy(ia + 16, addr, 16);
		ialen += 28;
	}
	put_opt(m, &len, OPT_IA_NA, ia, ialen);
	return len;
}

/**
 * append_names() - Append DNS names in wire format (no compression) as text
 * @out:	Text, space separated, updated
 * @cap:	Size of @out
 * @p:		Names
 * @len:	Bytes of names
 *
 * Return: 0, or -1 if the names are malformed
 */
static int append_names(char *out, size_t cap, const uint8_t *p, size_t len)
{
	size_t off = 0, used = strlen(out);

	while (off < len) {
		if (used && used + 1 < cap)
			out[used++] = ' ';
		while (off < len && p[off]) {
			size_t l = p[off];

			if (l > 63 || off + 1 + l > len || used + l + 2 > cap)
				return -1;
			memcpy(out + used, p + off + 1, l);
			used += l;
			off += 1 + l;
			if (off < len && p[off])
				out[used++] = '.';
		}
		if (off >= len)
			return -1;	/* no root label */
		off++;
		out[used] = '\0';
	}
	out[used] = '\0';
	return 0;
}

/**
 * parse_ia_na() - Take the address out of an IA_NA
 * @a:		Answer, updated
 * @p:		IA_NA option value
 * @len:	Its length
 *
 * Return: 0, or -1 if malformed, another IAID, or a failure status inside
 */
static int parse_ia_na(struct answer *a, const uint8_t *p, size_t len)
{
	size_t off = 12;

	if (len < 12 || rd32(p) != IAID)
		return -1;
	a->t1 = rd32(p + 4);
	a->t2 = rd32(p + 8);
	while (off < len) {
		uint16_t code, olen;

		if (off + 4 > len)
			return -1;
		code = rd16(p + off);
		olen = rd16(p + off + 2);
		if (off + 4 + olen > len)
			return -1;
		if (code == OPT_STATUS && (olen < 2 || rd16(p + off + 4))) {
			printf("ia_status=%u\n", olen < 2 ? 0xffffU :
			       (unsigned)rd16(p + off + 4));
			return -1;
		}
		if (code == OPT_IAADDR && olen >= 24) {
			memcpy(&a->addr, p + off + 4, 16);
			a->preferred = rd32(p + off + 20);
			a->valid = rd32(p + off + 24);
			a->has_addr = true;
		}
		off += 4 + olen;
	}
	return 0;
}

/**
 * parse() - Check a server message and extract what it tells
 * @m:		Message
 * @len:	Its length
 * @xid:	Transaction ID we sent
 * @a:		Result
 *
 * Return: 0 if it answers our message, -1 if not ours or malformed
 */
static int parse(const uint8_t *m, size_t len, uint32_t xid, struct answer *a)
{
	bool client_ok = false;
	size_t off = 4;
	char s[INET6_ADDRSTRLEN];

	if (len < 4 || (rd32(m) & 0xffffff) != xid)
		return -1;
	a->type = m[0];
	while (off < len) {
		const uint8_t *v = m + off + 4;
		uint16_t code, olen;

		if (off + 4 > len)
			return -1;
		code = rd16(m + off);
		olen = rd16(m + off + 2);
		if (off + 4 + olen > len) {
			printf("bad answer: option %u overruns\n", code);
			return -1;
		}
		switch (code) {
		case OPT_CLIENTID:
			client_ok = olen == sizeof(duid) &&
				    !memcmp(v, duid, sizeof(duid));
			break;
		case OPT_SERVERID:
			if (olen < 2 || olen > sizeof(a->server_duid))
				return -1;
			memcpy(a->server_duid, v, olen);
			a->server_duid_len = olen;
			break;
		case OPT_IA_NA:
			if (parse_ia_na(a, v, olen))
				return -1;
			break;
		case OPT_STATUS:
			if (olen < 2 || rd16(v)) {
				printf("status=%u\n", olen < 2 ? 0xffffU : (unsigned)rd16(v));
				return -1;
			}
			break;
		case OPT_RAPID_COMMIT:
			a->rapid = true;
			break;
		case OPT_DNS:
			for (size_t i = 0; i + 16 <= olen; i += 16) {
				size_t used = strlen(a->dns);

				inet_ntop(AF_INET6, v + i, s, sizeof(s));
				snprintf(a->dns + used, sizeof(a->dns) - used,
					 "%s%s", used ? " " : "", s);
			}
			if (olen % 16)
				return -1;
			break;
		case OPT_DOMAINS:
			if (append_names(a->domains, sizeof(a->domains), v, olen))
				return -1;
			break;
		default:
			break;
		}
		off += 4 + olen;
	}
	if (!client_ok)
		printf("bad answer: client DUID missing or not ours\n");
	if (!a->server_duid_len)
		printf("bad answer: no server DUID\n");
	return client_ok && a->server_duid_len ? 0 : -1;
}

/**
 * transact() - Send a message until an answer of the wanted type comes
 * @s:		Socket bound to port 546
 * @dst:	Where to send
 * @m:		Message
 * @len:	Its length
 * @want:	Answer type expected (a different type fails)
 * @tries:	Transmissions before giving up
 * @a:		Answer
 *
 * Return: 0 on an answer of type @want, -1 otherwise
 */
static int transact(int s, const struct sockaddr_in6 *dst, const uint8_t *m,
		    size_t len, uint8_t want, int tries, struct answer *a)
{
	static uint8_t buf[65536];
	uint32_t xid = rd32(m) & 0xffffff;
	size_t used = strlen(exchange);
	int t;

	snprintf(exchange + used, sizeof(exchange) - used, "%s%s",
		 used ? "," : "", msg_names[m[0]]);
	for (t = 0; t < tries; t++) {
		uint64_t end = now_ms() + RTO_MS;

		if (sendto(s, m, len, 0, (const struct sockaddr *)dst,
			   sizeof(*dst)) < 0) {
			printf("sendto: %s\n", strerror(errno));
			return -1;
		}
		for (uint64_t n; (n = now_ms()) < end;) {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			socklen_t sl = sizeof(a->from);
			ssize_t r;

			if (poll(&pfd, 1, (int)(end - n)) <= 0)
				continue;
			memset(a, 0, sizeof(*a));
			r = recvfrom(s, buf, sizeof(buf), 0,
				     (struct sockaddr *)&a->from, &sl);
			if (r < 0 || parse(buf, (size_t)r, xid, a))
				continue;
			used = strlen(exchange);
			snprintf(exchange + used, sizeof(exchange) - used,
				 ",%s", a->type < RECONFIGURE + 2 ?
				 msg_names[a->type] : "?");
			if (a->type != want) {
				printf("unexpected %s to %s\n",
				       msg_names[a->type < 12 ? a->type : 0],
				       msg_names[m[0]]);
				return -1;
			}
			return 0;
		}
	}
	printf("no answer to %s after %d tries\n", msg_names[m[0]], tries);
	return -1;
}

/**
 * print_answer() - Print what the final answer told
 * @a:		Answer
 */
static void print_answer(const struct answer *a)
{
	char s[INET6_ADDRSTRLEN];
	size_t i;

	inet_ntop(AF_INET6, &a->from.sin6_addr, s, sizeof(s));
	printf("server=%s\nserver_duid=", s);
	for (i = 0; i < a->server_duid_len; i++)
		printf("%02x", a->server_duid[i]);
	printf("\nrapid_commit=%d\n", a->rapid);
	if (a->has_addr) {
		inet_ntop(AF_INET6, &a->addr, s, sizeof(s));
		printf("addr=%s\nt1=%u\nt2=%u\npreferred=%u\nvalid=%u\n", s,
		       a->t1, a->t2, a->preferred, a->valid);
	}
	printf("dns=%s\ndomains=%s\n", a->dns, a->domains);
}

/**
 * apply() - Add the leased address to the interface
 * @s:		Any IPv6 socket
 * @ifindex:	Interface
 * @addr:	Address
 * @plen:	Prefix length
 *
 * Return: 0 on success (or if the address is there already), -1 on error
 */
static int apply(int s, unsigned ifindex, const struct in6_addr *addr,
		 unsigned plen)
{
	struct ifreq6 r = { .addr = *addr, .prefixlen = plen,
			    .ifindex = (int)ifindex };
	char t[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, addr, t, sizeof(t));
	if (ioctl(s, SIOCSIFADDR, &r) && errno != EEXIST) {
		printf("cannot add %s/%u: %s\n", t, plen, strerror(errno));
		return -1;
	}
	printf("applied=%s/%u\n", t, plen);
	return 0;
}

/**
 * lifecycle() - Renew, Rebind, Confirm and Release a lease
 * @s:		Socket
 * @dst:	Servers' multicast address
 * @srv:	Answer that gave the lease
 * @tries:	Transmissions per message
 *
 * Return: 0 if each got a fitting Reply, -1 otherwise
 */
static int lifecycle(int s, const struct sockaddr_in6 *dst,
		     const struct answer *srv, int tries)
{
	static const struct { uint8_t type; bool srv; const char *name; } steps[] = {
		{ RENEW, true, "renew" }, { REBIND, false, "rebind" },
		{ CONFIRM, false, "confirm" }, { RELEASE, true, "release" },
	};
	uint8_t m[MSG_MAX];
	struct answer a;
	size_t i, len;
	int rc = 0;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint32_t xid = (uint32_t)random() & 0xffffff;

		len = build(m, steps[i].type, xid, false,
			    steps[i].srv ? srv : NULL, &srv->addr);
		if (transact(s, dst, m, len, REPLY, tries, &a)) {
			printf("%s=fail\n", steps[i].name);
			rc = -1;
			continue;
		}
		/* RENEW and REBIND extend the lease: the address must be in */
		if (steps[i].type != CONFIRM && steps[i].type != RELEASE &&
		    (!a.has_addr || memcmp(&a.addr, &srv->addr, 16) != 0)) {
			printf("%s=fail (no address)\n", steps[i].name);
			rc = -1;
			continue;
		}
		printf("%s=ok\n", steps[i].name);
	}
	return rc;
}

/**
 * usage() - Print usage, return 2
 *
 * Return: 2
 */
static int usage(void)
{
	fprintf(stderr, "usage: dhcp6_client [-i IFACE] [-r] [-I] [-a] "
		"[-p PLEN] [-c] [-w SECS] [-n TRIES]\n");
	return 2;
}

/**
 * main() - Run one DHCPv6 exchange
 * @argc:	Argument count
 * @argv:	Options
 *
 * Return: 0 on success, 1 on failure, 2 on bad usage
 */
int main(int argc, char **argv)
{
	const char *ifname = "eth0";
	bool rapid = false, info = false, set = false, cycle = false;
	unsigned plen = 128, ifindex;
	int wait_s = 10, tries = 4, o, s, one = 1, hops = 1;
	struct sockaddr_in6 me = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	char t[INET6_ADDRSTRLEN];
	uint8_t m[MSG_MAX];
	struct answer a;
	uint64_t end;
	size_t len;

	while ((o = getopt(argc, argv, "i:rIap:cw:n:")) != -1) {
		switch (o) {
		case 'i': ifname = optarg; break;
		case 'r': rapid = true; break;
		case 'I': info = true; break;
		case 'a': set = true; break;
		case 'p': plen = (unsigned)text_num(optarg, 999); break;
		case 'c': cycle = true; break;
		case 'w': wait_s = (int)text_num(optarg, -1); break;
		case 'n': tries = (int)text_num(optarg, 0); break;
		default: return usage();
		}
	}
	if (optind != argc || plen > 128 || tries < 1 || wait_s < 0 || (info && (rapid || set || cycle)))
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ifindex = if_nametoindex(ifname);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (!ifindex || s < 0) {
		printf("no interface %s or no IPv6: %s\n", ifname, strerror(errno));
		return 1;
	}
	srandom((unsigned)(now_ms() ^ (uint64_t)getpid() << 16));
	make_duid(s, ifname);

	end = now_ms() + (uint64_t)wait_s * 1000;
	while (!link_local(ifname, ifindex, &me.sin6_addr)) {
		if (now_ms() > end) {
			printf("no usable link-local address on %s\n", ifname);
			return 1;
		}
		usleep(100000);
	}
	inet_ntop(AF_INET6, &me.sin6_addr, t, sizeof(t));
	printf("link_local=%s\n", t);
	me.sin6_port = htons(CLIENT_PORT);
	me.sin6_scope_id = ifindex;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
	setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	if (bind(s, (struct sockaddr *)&me, sizeof(me))) {
		printf("bind [%s]:%d: %s\n", t, CLIENT_PORT, strerror(errno));
		return 1;
	}
	inet_pton(AF_INET6, "ff02::1:2", &dst.sin6_addr);
	dst.sin6_port = htons(SERVER_PORT);
	dst.sin6_scope_id = ifindex;

	if (info) {
		len = build(m, INFORMATION_REQUEST,
			    (uint32_t)random() & 0xffffff, false, NULL, NULL);
		if (transact(s, &dst, m, len, REPLY, tries, &a))
			return 1;
	} else {
		len = build(m, SOLICIT, (uint32_t)random() & 0xffffff, rapid,
			    NULL, NULL);
		if (transact(s, &dst, m, len, rapid ? REPLY : ADVERTISE,
			     tries, &a))
			return 1;
		if (!rapid) {
			struct answer adv = a;

			len = build(m, REQUEST, (uint32_t)random() & 0xffffff,
				    false, &adv, adv.has_addr ? &adv.addr : NULL);
			if (transact(s, &dst, m, len, REPLY, tries, &a))
				return 1;
		}
		if (!a.has_addr) {
			printf("no address in the Reply\n");
			return 1;
		}
	}
	printf("exchange=%s\n", exchange);
	print_answer(&a);
	if (cycle && lifecycle(s, &dst, &a, tries))
		return 1;
	if (set && apply(s, ifindex, &a.addr, plen))
		return 1;
	return 0;
}
