// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - Port forwarding: host ports whose connections reach the guest
 *
 * -t and -u take specs like passt's: [ADDR/]PORTS, PORTS a comma list of
 * FIRST[-LAST][:TO[-TO_LAST]] and ~EXCLUDED[-LAST], or "none". Each
 * forwarded port gets a listening TCP socket, or a bound UDP socket, for
 * each family the guest has (or only ADDR's). A connection accepted there
 * becomes a TCP flow merd opens toward the guest; a datagram becomes a UDP
 * flow. The guest sees the client's real address, except the host's
 * loopback and the host's own address (which is the guest's too): those
 * are shown as the gateway (IPv4) or merd's link-local address (IPv6).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"
#include "fwd.h"
#include "hash.h"
#include "inany.h"
#include "log.h"
#include "merd.h"
#include "portscan.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define FWD_SPEC_MAX	512
#define FWD_BACKLOG	128
#define FWD_PICK_TRIES	32	/* remote ports tried for a mapped client */
#define FWD_PICK_PORT_MIN	1024
#define FWD_ALL_RESERVE	1024	/* descriptors "all" leaves for flows */

/* Set once forwards change at run time: the sandbox has no /proc then */
static bool fwd_sandboxed;

/**
 * fwd_range() - Parse FIRST[-LAST]
 * @s:		Text
 * @first:	First port
 * @last:	Last port (= @first without a dash)
 *
 * Return: 0 on success, -1 if not a valid range of ports 1-65535
 */
static int fwd_range(const char *s, uint16_t *first, uint16_t *last)
{
	unsigned long a, b;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end || !a || a > 65535 || b > 65535 || b < a)
		return -1;
	*first = (uint16_t)a;
	*last = (uint16_t)b;
	return 0;
}

/**
 * fwd_add() - Add a rule, with excluded ports cut out of it
 * @rules:	Rules
 * @r:		Rule to add
 * @excl:	Excluded ports, bitmap of 65536 bits
 *
 * Return: 0 on success, -1 if there are too many rules
 */
static int fwd_add(struct fwd_rules *rules, const struct fwd_rule *r,
		   const uint8_t *excl)
{
	unsigned int p = r->first;

	while (p <= r->last) {
		struct fwd_rule part = *r;

		while (p <= r->last && excl[p / 8] & (1 << (p % 8)))
			p++;
		if (p > r->last)
			break;
		part.first = (uint16_t)p;
		part.to = (uint16_t)(r->to + (p - r->first));
		while (p <= r->last && !(excl[p / 8] & (1 << (p % 8))))
			p++;
		part.last = (uint16_t)(p - 1);
		if (rules->n == FWD_MAX_RULES)
			return -1;
		rules->rule[rules->n++] = part;
	}
	return 0;
}

/**
 * struct fwd_spec - One -t/-u/-T/-U spec being parsed
 * @spec:	The spec as given, for messages
 * @opt:	Option, "-t", "-u", "-T" or "-U"
 * @tmpl:	Protocol and address every rule of the spec gets
 * @items:	Forwarded ranges, in order, exclusions not cut out yet
 * @n:		Number of them
 * @excl:	Excluded ranges (~P[-Q])
 * @n_excl:	Number of them
 */
struct fwd_spec {
	const char *spec;
	const char *opt;
	struct fwd_rule tmpl;
	struct fwd_rule items[FWD_MAX_RULES];
	int n;
	struct fwd_rule excl[FWD_MAX_RULES];
	int n_excl;
};

/**
 * fwd_parse_item() - Parse one item of a port list
 * @item:	FIRST[-LAST][:TO[-TO_LAST]] or ~FIRST[-LAST], modified
 * @r:		Rule to fill (proto and address already set): the forwarded
 *		range, or the excluded one
 *
 * Return: 1 for a forwarded range, 0 for an exclusion, -1 if invalid
 */
static int fwd_parse_item(char *item, struct fwd_rule *r)
{
	uint16_t first, last, to, to_last;
	char *colon = strchr(item, ':');

	if (*item == '~') {
		if (fwd_range(item + 1, &first, &last))
			return -1;
		r->first = r->to = first;
		r->last = last;
		return 0;
	}
	if (colon)
		*colon = '\0';
	if (fwd_range(item, &first, &last))
		return -1;
	to = first;
	if (colon) {
		if (fwd_range(colon + 1, &to, &to_last))
			return -1;
		if (to_last != to && to_last - to != last - first)
			return -1;	/* ranges of different sizes */
		if (to_last == to && last != first)
			return -1;
		if ((unsigned int)to + (last - first) > 65535)
			return -1;
	}
	r->first = first;
	r->last = last;
	r->to = to;
	return 1;
}

/**
 * fwd_parse_addr() - Split off and parse the ADDR/ part of a spec
 * @spec:	Spec, modified: the address part is cut off
 * @r:		Rule whose address is set
 *
 * Return: the port list, or NULL if the address is invalid
 */
static char *fwd_parse_addr(char *spec, struct fwd_rule *r)
{
	char *slash = strrchr(spec, '/');
	struct in_addr a4;

	if (!slash)
		return spec;
	*slash = '\0';
	if (inet_pton(AF_INET, spec, &a4) == 1)
		inany_from_v4(&r->addr, a4);
	else if (inet_pton(AF_INET6, spec, &r->addr) != 1)
		return NULL;
	r->bound = true;
	return slash + 1;
}

/**
 * fwd_parse_list() - Parse the comma separated items of a spec
 * @s:		Spec: template set, items and exclusions filled
 * @list:	The port list, modified
 *
 * Return: 0 on success, -EINVAL (one line naming the bad part) otherwise
 */
static int fwd_parse_list(struct fwd_spec *s, char *list)
{
	char *item, *save = NULL;

	for (item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		struct fwd_rule r = s->tmpl;
		char shown[FWD_SPEC_MAX];
		int rc;

		snprintf(shown, sizeof(shown), "%s", item);
		rc = fwd_parse_item(item, &r);
		if (rc < 0 || (rc && s->n == FWD_MAX_RULES) ||
		    (!rc && s->n_excl == FWD_MAX_RULES)) {
			err("invalid %s spec '%s': bad part '%s'", s->opt,
			    s->spec, shown);
			return -EINVAL;
		}
		if (rc)
			s->items[s->n++] = r;
		else
			s->excl[s->n_excl++] = r;
	}
	return 0;
}

/**
 * fwd_all_set() - Forward every free port ("all", or exclusions only)
 * @rules:	Rules, "all" flag and rule set
 * @s:		Spec: its protocol and address
 *
 * Return: 0, or -EINVAL (reported) for -T/-U, or if "all" was given for
 * this protocol with another address
 */
static int fwd_all_set(struct fwd_rules *rules, const struct fwd_spec *s)
{
	const struct fwd_rule *r = &s->tmpl;
	struct fwd_rule *a = &rules->all_rule[r->proto == IPPROTO_UDP];
	unsigned int bit = FWD_PROTO_BIT(r->proto);

	if (s->opt[1] == 'T' || s->opt[1] == 'U') {
		err("invalid %s spec '%s': every port (all, or exclusions "
		    "alone) is only for -t and -u", s->opt, s->spec);
		return -EINVAL;
	}
	if ((rules->all & bit) &&
	    (a->bound != r->bound ||
	     (r->bound && !inany_equal(&a->addr, &r->addr)))) {
		err("invalid %s spec '%s': every port is already forwarded, "
		    "on another address", s->opt, s->spec);
		return -EINVAL;
	}
	*a = *r;
	a->first = a->to = 1;
	a->last = 65535;
	rules->all |= (uint8_t)bit;
	return 0;
}

/**
 * fwd_all_except() - A spec of exclusions only: every free port but those
 * @rules:	Rules, "all" set and the exclusions appended
 * @s:		Spec
 *
 * Return: 0, or -EINVAL (reported)
 */
static int fwd_all_except(struct fwd_rules *rules, const struct fwd_spec *s)
{
	int i, rc;

	if (rules->n_excl + s->n_excl > FWD_MAX_RULES) {
		err("too many port forwarding rules");
		return -EINVAL;
	}
	rc = fwd_all_set(rules, s);
	if (rc)
		return rc;
	for (i = 0; i < s->n_excl; i++) {
		struct fwd_excl *e = &rules->excl[rules->n_excl++];

		e->proto = s->tmpl.proto;
		e->first = s->excl[i].first;
		e->last = s->excl[i].last;
	}
	return 0;
}

/**
 * fwd_add_items() - Add the forwarded ranges of a spec, exclusions cut out
 * @rules:	Rules, appended to
 * @s:		Spec, with at least one forwarded range
 *
 * Return: 0, or -EINVAL (reported) if there are too many rules or the
 * exclusions leave no port at all
 */
static int fwd_add_items(struct fwd_rules *rules, const struct fwd_spec *s)
{
	static uint8_t excl[65536 / 8];
	int i, n = rules->n;
	unsigned int p;

	memset(excl, 0, sizeof(excl));
	for (i = 0; i < s->n_excl; i++)
		for (p = s->excl[i].first; p <= s->excl[i].last; p++)
			excl[p / 8] |= (uint8_t)(1 << (p % 8));
	for (i = 0; i < s->n; i++) {
		if (fwd_add(rules, &s->items[i], excl)) {
			err("too many port forwarding rules");
			return -EINVAL;
		}
	}
	if (rules->n == n) {
		err("invalid %s spec '%s': its exclusions leave no port to "
		    "forward", s->opt, s->spec);
		return -EINVAL;
	}
	return 0;
}

/**
 * fwd_parse_word() - Take "all" or "auto" as a spec
 * @rules:	Rules, flags updated
 * @s:		Spec: its protocol, no address
 *
 * Return: 1 if the spec was one of them, 0 if not, -EINVAL (reported) if
 * it is not valid for the option
 */
static int fwd_parse_word(struct fwd_rules *rules, const struct fwd_spec *s)
{
	if (!strcmp(s->spec, "auto")) {
		rules->autos |= (uint8_t)FWD_PROTO_BIT(s->tmpl.proto);
		return 1;
	}
	if (strcmp(s->spec, "all") != 0)
		return 0;
	return fwd_all_set(rules, s) ? -EINVAL : 1;
}

/**
 * fwd_parse() - Parse a -t or -u spec into rules
 * @rules:	Rules, appended to
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @spec:	The spec
 *
 * Return: 0 on success, -EINVAL (one line naming the bad part) otherwise
 */
int fwd_parse(struct fwd_rules *rules, uint8_t proto, const char *spec)
{
	return fwd_parse_opt(rules, proto, spec,
			     proto == IPPROTO_TCP ? "-t" : "-u");
}

/**
 * fwd_parse_opt() - Parse a -t, -u, -T or -U spec into rules
 * @rules:	Rules, appended to
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @spec:	The spec
 * @opt:	Option, for messages and what it accepts
 *
 * A spec of exclusions only ("~22", "127.0.0.1/~22,~80") means every
 * port but those, as "all" does for -t and -u (passt's meaning).
 *
 * Return: 0 on success, -EINVAL (one line naming the bad part) otherwise
 */
int fwd_parse_opt(struct fwd_rules *rules, uint8_t proto, const char *spec,
		  const char *opt)
{
	static struct fwd_spec s;
	char buf[FWD_SPEC_MAX], *list;
	int rc;

	memset(&s, 0, sizeof(s));
	s.spec = spec;
	s.opt = opt;
	s.tmpl.proto = proto;
	if (!strcmp(spec, "none"))
		return 0;
	rc = fwd_parse_word(rules, &s);
	if (rc)
		return rc < 0 ? rc : 0;
	if (strlen(spec) >= sizeof(buf)) {
		err("%s spec too long", opt);
		return -EINVAL;
	}
	strcpy(buf, spec);
	list = fwd_parse_addr(buf, &s.tmpl);
	if (!list) {
		err("invalid %s spec '%s': bad address '%s'", opt, spec, buf);
		return -EINVAL;
	}
	rc = fwd_parse_list(&s, list);
	if (rc)
		return rc;
	if (!s.n && !s.n_excl) {
		err("invalid %s spec '%s': no ports to forward", opt, spec);
		return -EINVAL;
	}
	return s.n ? fwd_add_items(rules, &s) : fwd_all_except(rules, &s);
}

/**
 * fwd_bind_error() - Explain why a forwarded port could not be bound
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @port:	Host port
 * @e:		errno
 */
static void fwd_bind_error(uint8_t proto, uint16_t port, int e)
{
	const char *p = proto == IPPROTO_TCP ? "TCP" : "UDP";
	unsigned long start = 1024;
	char line[32];
	FILE *f;

	if (e != EACCES || fwd_sandboxed) {
		err("cannot forward %s port %u: %s", p, port, strerror(e));
		return;
	}
	f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	if (f) {
		if (fgets(line, sizeof(line), f))
			start = strtoul(line, NULL, 10);
		fclose(f);
	}
	err("cannot forward %s port %u: ports below %lu need privilege "
	    "(net.ipv4.ip_unprivileged_port_start)", p, port, start);
}

/**
 * fwd_slot() - Entry for a new forwarding socket: a closed one, or the next
 * @c:		Execution context
 *
 * Return: index, or FWD_MAX_SOCKS if the table is full
 */
static unsigned int fwd_slot(struct ctx *c)
{
	unsigned int i;

	if (!c->fwd.n_free)
		return c->fwd.n;
	for (i = 0; i < c->fwd.n; i++) {
		if (c->fwd.sock[i].fd < 0) {
			c->fwd.n_free--;
			return i;
		}
	}
	return c->fwd.n;
}

/**
 * fwd_sock_open() - Open one forwarding socket
 * @c:		Execution context
 * @r:		Rule
 * @port:	Host port
 * @v6:		IPv6 socket (wildcard or @r's IPv6 address)
 * @report:	Report failures, and refuse ports forwarded twice (which
 *		costs a walk of every socket); otherwise a debug line
 *
 * Return: 0 on success, negative errno (reported if @report)
 */
static int fwd_sock_open(struct ctx *c, const struct fwd_rule *r,
			 uint16_t port, bool v6, bool report)
{
	struct sockaddr_storage ss = { 0 };
	struct fwd_sock *fs;
	int type = r->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM, s;
	struct in6_addr addr = in6addr_any;
	int one = 1, rc;
	unsigned int i, slot;
	socklen_t sl;

	if (r->bound)
		addr = r->addr;
	else if (!v6)
		inany_from_v4(&addr, (struct in_addr){ .s_addr = INADDR_ANY });
	sl = inany_sockaddr(&ss, &addr, port);

	for (i = 0; report && i < c->fwd.n; i++) {
		fs = &c->fwd.sock[i];
		if (fs->fd >= 0 && fs->proto == r->proto && fs->v6 == v6 &&
		    fs->host_port == port &&
		    (!fs->rule->bound || !r->bound ||
		     inany_equal(&fs->rule->addr, &r->addr))) {
			err("%s port %u forwarded twice",
			    r->proto == IPPROTO_TCP ? "TCP" : "UDP", port);
			return -EEXIST;
		}
	}
	slot = fwd_slot(c);
	if (slot == FWD_MAX_SOCKS) {
		err("more than %d forwarding sockets", FWD_MAX_SOCKS);
		return -ENOSPC;
	}
	s = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   r->proto);
	if (s < 0)
		return -errno;
	/*
	 * UDP clients get their own sockets on the same port: SO_REUSEPORT
	 * lets them share it, and only with sockets of merd's own user
	 * (SO_REUSEADDR would let any user bind it and take datagrams).
	 */
	setsockopt(s, SOL_SOCKET, type == SOCK_DGRAM ? SO_REUSEPORT :
			SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* UDP: learn the address each client sent to, to answer from it */
	if (type == SOCK_DGRAM)
		setsockopt(s, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
			   v6 ? IPV6_RECVPKTINFO : IP_PKTINFO, &one,
			   sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, sl) ||
	    (type == SOCK_STREAM && listen(s, FWD_BACKLOG))) {
		rc = -errno;
		if (report)
			fwd_bind_error(r->proto, port, errno);
		else
			debug_ratelimited("cannot forward port %u: %s", port,
					  strerror(errno));
		close(s);
		if (slot < c->fwd.n)
			c->fwd.n_free++;
		return rc;
	}
	if (slot == c->fwd.n)
		c->fwd.n++;
	fs = &c->fwd.sock[slot];
	fs->fd = s;
	fs->proto = r->proto;
	fs->v6 = v6;
	fs->host_port = port;
	fs->rule = r;
	fs->guest_port = (uint16_t)(r->to + (port - r->first));
	return epoll_add(c, s, EPOLLIN, EPOLL_REF(EPOLL_TYPE_FWD, slot));
}

/**
 * fwd_port_open() - Open the sockets of one port of a rule: each family the
 * guest has (or the rule's address's)
 * @c:		Execution context
 * @r:		Rule, lives as long as the sockets
 * @port:	Host port
 * @report:	See fwd_sock_open()
 *
 * Return: 0 on success, negative errno (what was opened stays open)
 */
int fwd_port_open(struct ctx *c, const struct fwd_rule *r, uint16_t port,
		  bool report)
{
	bool want4 = c->conf.v4 && (!r->bound || inany_is_v4(&r->addr));
	bool want6 = c->conf.v6 && (!r->bound || !inany_is_v4(&r->addr));
	int rc;

	if (!want4 && !want6) {
		err("port forward to a family the guest does not have");
		return -EAFNOSUPPORT;
	}
	if (want4 && (rc = fwd_sock_open(c, r, port, false, report)))
		return rc;
	if (want6 && (rc = fwd_sock_open(c, r, port, true, report)))
		return rc;
	return 0;
}

/**
 * fwd_port_open_family() - Open the socket of one port of a rule, one
 * family, failures a debug line ("auto", which tries again)
 * @c:		Execution context
 * @r:		Rule, lives as long as the socket
 * @port:	Host port
 * @v6:		IPv6 rather than IPv4
 *
 * Return: 0 on success, negative errno
 */
int fwd_port_open_family(struct ctx *c, const struct fwd_rule *r,
			 uint16_t port, bool v6)
{
	return fwd_sock_open(c, r, port, v6, false);
}

/**
 * fwd_sock_drop() - Close forwarding socket @i, leaving a hole in the array
 * @c:		Execution context
 * @i:		Index in c->fwd.sock, of an open socket
 *
 * The hole is taken again by the next socket opened (fwd_slot()).
 */
static void fwd_sock_drop(struct ctx *c, unsigned int i)
{
	struct fwd_sock *fs = &c->fwd.sock[i];

	epoll_close(c, &fs->fd);
	c->fwd.n_free++;
}

/**
 * fwd_port_close() - Close the sockets of one port of a rule
 * @c:		Execution context
 * @r:		Rule
 * @port:	Host port
 */
void fwd_port_close(struct ctx *c, const struct fwd_rule *r, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < c->fwd.n; i++) {
		const struct fwd_sock *fs = &c->fwd.sock[i];

		if (fs->fd >= 0 && fs->rule == r && fs->host_port == port)
			fwd_sock_drop(c, i);
	}
}

/**
 * fwd_sysctl_ports() - Read one or two numbers from a /proc/sys file
 * @path:	File
 * @a:		First number, kept if unreadable
 * @b:		Second number, kept if absent; NULL for none
 */
static void fwd_sysctl_ports(const char *path, unsigned long *a,
			     unsigned long *b)
{
	char line[64];
	FILE *f = fopen(path, "re");
	char *end;

	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		unsigned long v = strtoul(line, &end, 10);

		if (end != line) {
			*a = v;
			if (b) {
				v = strtoul(end, &end, 10);
				*b = v ? v : *b;
			}
		}
	}
	fclose(f);
}

/**
 * fwd_bound_ports() - Ports bound on the host now, for one protocol
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @bound:	Bitmap of 65536 bits to fill
 *
 * Return: 0, or negative errno (reported) if the host's /proc/net cannot
 * be read
 */
static int fwd_bound_ports(uint8_t proto, uint8_t *bound)
{
	static const char *const files[2][2] = {
		{ "/proc/self/net/tcp", "/proc/self/net/tcp6" },
		{ "/proc/self/net/udp", "/proc/self/net/udp6" },
	};
	int k, fd, rc;

	memset(bound, 0, 65536 / 8);
	for (k = 0; k < 2; k++) {
		const char *path = files[proto == IPPROTO_UDP][k];

		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && k)
			continue;	/* no IPv6 on the host */
		rc = fd < 0 ? -errno : portscan_read(fd, proto, PORTSCAN_ANY,
						     bound);
		if (fd >= 0)
			close(fd);
		if (rc) {
			err("all: cannot read %s: %s", path, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/**
 * fwd_all_room() - Check that the open files limit allows "all"
 * @c:		Execution context
 * @r:		Rule of "all": its address, if any, takes one family
 * @ports:	Ports to open
 *
 * The soft limit is raised to the hard one first.
 *
 * Return: 0, or -EMFILE (reported)
 */
static int fwd_all_room(const struct ctx *c, const struct fwd_rule *r,
			unsigned int ports)
{
	unsigned int families = r->bound ? 1U : (unsigned int)(c->conf.v4 +
							       c->conf.v6);
	unsigned long need = (unsigned long)ports * families;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY &&
	    need + c->fwd.n + FWD_ALL_RESERVE > rl.rlim_cur) {
		err("%s all (or exclusions alone) needs %lu sockets, more "
		    "than the open files limit %lu allows with %d to spare: "
		    "raise it, or list the ports",
		    r->proto == IPPROTO_TCP ? "-t" : "-u", need,
		    (unsigned long)rl.rlim_cur, FWD_ALL_RESERVE);
		return -EMFILE;
	}
	if (need + c->fwd.n > FWD_MAX_SOCKS) {
		err("all: more than %d forwarding sockets", FWD_MAX_SOCKS);
		return -EMFILE;
	}
	return 0;
}

/**
 * fwd_all_skip() - Mark the ports "all" leaves alone: bound on the host
 * now, or excluded by a spec
 * @rules:	Rules, with the exclusions
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @skip:	Bitmap of 65536 bits to fill
 *
 * Return: 0, or negative errno (reported) if /proc/net cannot be read
 */
static int fwd_all_skip(const struct fwd_rules *rules, uint8_t proto,
			uint8_t *skip)
{
	int rc = fwd_bound_ports(proto, skip), i;
	unsigned int p;

	for (i = 0; !rc && i < rules->n_excl; i++) {
		const struct fwd_excl *e = &rules->excl[i];

		for (p = e->first; e->proto == proto && p <= e->last; p++)
			skip[p / 8] |= (uint8_t)(1 << (p % 8));
	}
	return rc;
}

/**
 * fwd_open_all() - "all": forward every port not bound on the host now,
 * from ip_unprivileged_port_start up, the ephemeral range and excluded
 * ports left out
 * @c:		Execution context, explicit rules already open
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 *
 * Ports merd already forwards count as bound. A port that cannot be bound
 * (taken in between) is skipped.
 *
 * Return: 0, or negative errno (reported)
 */
static int fwd_open_all(struct ctx *c, uint8_t proto)
{
	static uint8_t skip[65536 / 8];
	const struct fwd_rule *r = &c->conf.fwd.all_rule[proto == IPPROTO_UDP];
	unsigned long start = 1024, eph_lo = 32768, eph_hi = 60999, p;
	unsigned int n = 0, range = 0, opened = 0;
	int rc = fwd_all_skip(&c->conf.fwd, proto, skip);

	if (rc)
		return rc;
	fwd_sysctl_ports("/proc/sys/net/ipv4/ip_unprivileged_port_start",
			 &start, NULL);
	fwd_sysctl_ports("/proc/sys/net/ipv4/ip_local_port_range", &eph_lo,
			 &eph_hi);
	start = start ? start : 1;
	for (p = start; p <= 65535; p++) {
		if (p >= eph_lo && p <= eph_hi)
			continue;
		range++;
		n += !(skip[p / 8] & (1 << (p % 8)));
	}
	rc = fwd_all_room(c, r, n);
	if (rc)
		return rc;
	for (p = start; p <= 65535; p++) {
		if ((skip[p / 8] & (1 << (p % 8))) ||
		    (p >= eph_lo && p <= eph_hi))
			continue;
		opened += !fwd_port_open(c, r, (uint16_t)p, false);
	}
	info("%s all: %u ports forwarded (%lu-65535 but the ephemeral "
	     "%lu-%lu and %u bound or excluded)",
	     proto == IPPROTO_TCP ? "-t" : "-u", opened, start, eph_lo, eph_hi,
	     range - n);
	return 0;
}

/**
 * fwd_rule_open() - Open the sockets of one rule, for every family it wants
 * @c:		Execution context, addresses known
 * @r:		Rule, in c->conf.fwd
 *
 * Return: 0 on success, negative errno (reported) on the first failure
 */
static int fwd_rule_open(struct ctx *c, const struct fwd_rule *r)
{
	unsigned int p;
	int rc;

	for (p = r->first; p <= r->last; p++) {
		rc = fwd_port_open(c, r, (uint16_t)p, true);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * fwd_open() - Open the sockets of every rule
 * @c:		Execution context, addresses known
 *
 * Return: 0 on success, negative errno (reported) on the first failure
 */
int fwd_open(struct ctx *c)
{
	const struct fwd_rules *rules = &c->conf.fwd;
	int i, rc;

	for (i = 0; i < rules->n; i++) {
		rc = fwd_rule_open(c, &rules->rule[i]);
		if (rc)
			return rc;
	}
	if (rules->all & FWD_PROTO_BIT(IPPROTO_TCP) &&
	    (rc = fwd_open_all(c, IPPROTO_TCP)))
		return rc;
	if (rules->all & FWD_PROTO_BIT(IPPROTO_UDP) &&
	    (rc = fwd_open_all(c, IPPROTO_UDP)))
		return rc;
	return 0;
}

/**
 * fwd_remote_addr() - Address the guest sees for a client of a forward
 * @c:		Execution context
 * @a:		Client address, replaced if the guest cannot reach it
 */
void fwd_remote_addr(const struct ctx *c, struct in6_addr *a)
{
	if (inany_is_v4(a)) {
		struct in_addr v4 = inany_v4(a);

		if ((ntohl(v4.s_addr) >> 24) == IN_LOOPBACKNET ||
		    v4.s_addr == c->conf.addr4.s_addr)
			inany_from_v4(a, c->conf.gw4);
		return;
	}
	if (IN6_IS_ADDR_LOOPBACK(a) || inany_equal(a, &c->conf.addr6))
		*a = c->conf.router6;
}

/**
 * fwd_guest_addr() - Address of the guest that forwarded clients reach
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 * @a:		Address to fill (v4-mapped for IPv4)
 *
 * That is the address the guest last sent from, if it sent anything yet
 * (a VM may have configured itself, or taken a SLAAC address), else the
 * one merd handed out.
 */
void fwd_guest_addr(const struct ctx *c, bool v6, struct in6_addr *a)
{
	if (v6)
		*a = IN6_IS_ADDR_UNSPECIFIED(&c->guest_addr6) ? c->conf.addr6 :
							       c->guest_addr6;
	else
		inany_from_v4(a, c->guest_addr4.s_addr ? c->guest_addr4 :
							 c->conf.addr4);
}

/**
 * fwd_same_ends() - Tell whether a flow's socket joins a client and a
 * local address
 * @f:		Flow
 * @client:	Client's address
 * @local:	Host address the client sent to, NULL not to compare it
 *
 * Return: true if the socket's peer is @client (and its name @local)
 */
static bool fwd_same_ends(const struct flow *f,
			  const struct sockaddr_storage *client,
			  const struct sockaddr_storage *local)
{
	struct sockaddr_storage ss = { 0 };
	struct in6_addr a, b;
	socklen_t sl = sizeof(ss);
	uint16_t pa, pb;

	if (f->sock < 0 || getpeername(f->sock, (struct sockaddr *)&ss, &sl) ||
	    ss.ss_family != client->ss_family)
		return false;
	inany_from_sockaddr(&a, &pa, &ss);
	inany_from_sockaddr(&b, &pb, client);
	if (pa != pb || !inany_equal(&a, &b))
		return false;
	if (!local)
		return true;
	sl = sizeof(ss);
	if (getsockname(f->sock, (struct sockaddr *)&ss, &sl) ||
	    ss.ss_family != local->ss_family)
		return false;
	inany_from_sockaddr(&a, &pa, &ss);
	inany_from_sockaddr(&b, &pb, local);
	return pa == pb && inany_equal(&a, &b);
}

/**
 * fwd_candidate_port() - Remote port to try for a client whose view is taken
 * @c:		Execution context
 * @client:	Client's address
 * @try:	Attempt number, from 1
 *
 * The sequence depends only on the client and a secret key, so a UDP
 * client's later datagrams find the port its flow got.
 *
 * Return: a port from 1024 to 65535
 */
static uint16_t fwd_candidate_port(const struct ctx *c,
				   const struct sockaddr_storage *client,
				   unsigned int try)
{
	struct {
		struct in6_addr addr;
		uint16_t port;
		uint16_t pad;
		uint32_t try;
	} in = { .try = try };

	inany_from_sockaddr(&in.addr, &in.port, client);
	return (uint16_t)(FWD_PICK_PORT_MIN +
			  siphash(c->flows.key, &in, sizeof(in)) %
			  (65536 - FWD_PICK_PORT_MIN));
}

/**
 * fwd_flow_key() - Give a forwarded client a key no other flow has
 * @c:		Execution context
 * @key:	Key as the guest would see the client; its remote port is
 *		replaced if another flow has that view (two host clients
 *		mapped to the gateway with the same port, say)
 * @client:	Client's real address
 * @local:	For UDP, the host address the client sent to: a flow whose
 *		socket joins it to @client is the client's own; NULL for TCP
 * @found:	Set to that flow, or NULL
 *
 * Return: 0 if @key is free or @found is set, -EADDRINUSE if every
 * candidate port is taken (counted as drop_fwd_clash: the table need not
 * be full)
 */
int fwd_flow_key(struct ctx *c, struct flow_key *key,
		 const struct sockaddr_storage *client,
		 const struct sockaddr_storage *local, struct flow **found)
{
	unsigned int try;

	*found = NULL;
	for (try = 0; try < FWD_PICK_TRIES; try++) {
		struct flow *f;

		if (try)
			key->remote_port = fwd_candidate_port(c, client, try);
		f = flow_lookup(&c->flows, key);
		if (!f)
			return 0;
		if (local && fwd_same_ends(f, client, local)) {
			*found = f;
			return 0;
		}
	}
	count_drop(c, CNT_drop_fwd_clash);
	return -EADDRINUSE;
}

/**
 * fwd_event() - A client reached a forwarded port
 * @c:		Execution context
 * @idx:	Index of the forwarding socket
 */
void fwd_event(struct ctx *c, uint32_t idx)
{
	const struct fwd_sock *fs;

	if (idx >= c->fwd.n || c->fwd.sock[idx].fd < 0)
		return;
	fs = &c->fwd.sock[idx];
	if (fs->proto == IPPROTO_TCP)
		tcp_fwd_accept(c, fs->fd, fs->v6, fs->guest_port);
	else
		udp_fwd_recv(c, fs->fd, fs->v6, fs->guest_port);
}

/*
 * Run-time changes, from the control socket (ctl.c): forwards added with
 * the same spec syntax as -t and -u, removed by spec, listed. A removed
 * socket leaves a hole in the socket array (fwd_sock_drop()); a rule of the
 * command line's table no open socket uses any more is dropped, and the
 * rule pointers of sockets into that table follow. Rules of "auto" live
 * in their own table (nsfwd.c) and are never moved.
 */

/**
 * fwd_rule_index() - Where a rule sits in the command line's table
 * @rules:	The table
 * @r:		Rule
 *
 * Return: its index, or -1 if @r is not in @rules (an "auto" rule)
 */
static int fwd_rule_index(const struct fwd_rules *rules,
			  const struct fwd_rule *r)
{
	uintptr_t first = (uintptr_t)&rules->rule[0], at = (uintptr_t)r;

	if (at < first || at >= (uintptr_t)&rules->rule[rules->n])
		return -1;
	return (int)((at - first) / sizeof(rules->rule[0]));
}

/**
 * fwd_rule_sockets() - Count the open sockets of one rule
 * @c:		Execution context
 * @r:		Rule
 *
 * Return: number of open sockets whose rule is @r
 */
static unsigned int fwd_rule_sockets(const struct ctx *c,
				     const struct fwd_rule *r)
{
	unsigned int j, n = 0;

	for (j = 0; j < c->fwd.n; j++)
		n += c->fwd.sock[j].fd >= 0 && c->fwd.sock[j].rule == r;
	return n;
}

/**
 * fwd_rules_compact() - Drop rules no open socket refers to any more
 * @c:		Execution context
 * @from:	First rule that may be dropped (earlier ones are kept)
 */
static void fwd_rules_compact(struct ctx *c, int from)
{
	struct fwd_rules *rules = &c->conf.fwd;
	unsigned int j;
	int i = from;

	while (i < rules->n) {
		if (fwd_rule_sockets(c, &rules->rule[i])) {
			i++;
			continue;
		}
		memmove(&rules->rule[i], &rules->rule[i + 1],
			(size_t)(rules->n - i - 1) * sizeof(rules->rule[0]));
		for (j = 0; j < c->fwd.n; j++) {
			struct fwd_sock *fs = &c->fwd.sock[j];

			if (fs->fd >= 0 && fwd_rule_index(rules, fs->rule) > i)
				fs->rule--;
		}
		rules->n--;
	}
}

/**
 * fwd_runtime_add() - Forward more ports while running
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @spec:	Ports, as for -t and -u; not "all", "auto" or exclusions
 *		alone, which only the command line takes
 *
 * All or nothing: if one socket cannot be opened, those opened for @spec
 * are closed again.
 *
 * Return: number of sockets opened, or negative errno (-EINVAL for a bad
 * spec, -EEXIST for a port already forwarded, bind errors)
 */
int fwd_runtime_add(struct ctx *c, uint8_t proto, const char *spec)
{
	static struct fwd_rules add;
	struct fwd_rules *rules = &c->conf.fwd;
	int n_rules = rules->n, i, rc = 0, n = 0;
	unsigned int p;

	fwd_sandboxed = true;
	add.n = add.n_excl = 0;
	add.all = add.autos = 0;
	if (fwd_parse(&add, proto, spec) || add.all || add.autos)
		return -EINVAL;
	if (rules->n + add.n > FWD_MAX_RULES) {
		err("too many port forwarding rules");
		return -EINVAL;
	}
	memcpy(&rules->rule[rules->n], add.rule,
	       (size_t)add.n * sizeof(add.rule[0]));
	rules->n += add.n;
	for (i = n_rules; i < rules->n && !rc; i++)
		rc = fwd_rule_open(c, &rules->rule[i]);
	for (i = n_rules; i < rules->n; i++) {
		const struct fwd_rule *r = &rules->rule[i];

		if (!rc) {
			n += (int)fwd_rule_sockets(c, r);
			continue;
		}
		for (p = r->first; p <= r->last; p++)
			fwd_port_close(c, r, (uint16_t)p);
	}
	if (rc)
		rules->n = n_rules;
	return rc ? rc : n;
}

/**
 * fwd_sock_matches() - Tell whether a socket falls under a removal rule
 * @fs:		Forwarding socket
 * @r:		Rule from the removal spec
 *
 * Return: true if same protocol, host port in range, and, if @r names an
 * address, the socket is bound to that address
 */
static bool fwd_sock_matches(const struct fwd_sock *fs,
			     const struct fwd_rule *r)
{
	if (fs->proto != r->proto || fs->host_port < r->first ||
	    fs->host_port > r->last)
		return false;
	if (!r->bound)
		return true;
	return fs->rule->bound && inany_equal(&fs->rule->addr, &r->addr);
}

/**
 * fwd_runtime_remove() - Stop forwarding ports while running
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @spec:	[ADDR/]PORTS of host ports, as for -t (":TO" parts ignored)
 *
 * Connections and flows already made go on; only the listening (TCP) or
 * bound (UDP) sockets close.
 *
 * Return: number of sockets closed (0: nothing matched), or -EINVAL
 */
int fwd_runtime_remove(struct ctx *c, uint8_t proto, const char *spec)
{
	static struct fwd_rules gone;
	unsigned int i;
	int n = 0, k;

	gone.n = 0;
	if (fwd_parse(&gone, proto, spec))
		return -EINVAL;
	for (i = 0; i < c->fwd.n; i++) {
		bool match = false;

		if (c->fwd.sock[i].fd < 0)
			continue;
		for (k = 0; k < gone.n && !match; k++)
			match = fwd_sock_matches(&c->fwd.sock[i], &gone.rule[k]);
		if (match) {
			fwd_sock_drop(c, i);
			n++;
		}
	}
	fwd_rules_compact(c, 0);
	return n;
}

/**
 * fwd_sock_addr() - Host address a forwarding socket is bound to
 * @fs:		Forwarding socket
 * @a:		Address to fill (v4-mapped for IPv4; a wildcard if unbound)
 */
void fwd_sock_addr(const struct fwd_sock *fs, struct in6_addr *a)
{
	if (fs->rule->bound)
		*a = fs->rule->addr;
	else if (fs->v6)
		*a = in6addr_any;
	else
		inany_from_v4(a, (struct in_addr){ .s_addr = INADDR_ANY });
}
