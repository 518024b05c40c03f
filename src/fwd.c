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
#include <sys/socket.h>
#include <unistd.h>

#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "merd.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define FWD_SPEC_MAX	512
#define FWD_BACKLOG	128

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
 * fwd_parse_item() - Parse one item of a port list
 * @item:	FIRST[-LAST][:TO[-TO_LAST]] or ~FIRST[-LAST], modified
 * @r:		Rule to fill (proto and address already set)
 * @excl:	Exclusion bitmap, updated for ~ items
 *
 * Return: 1 for a rule in @r, 0 for an exclusion, -1 if invalid
 */
static int fwd_parse_item(char *item, struct fwd_rule *r, uint8_t *excl)
{
	uint16_t first, last, to, to_last;
	char *colon = strchr(item, ':');
	unsigned int p;

	if (*item == '~') {
		if (fwd_range(item + 1, &first, &last))
			return -1;
		for (p = first; p <= last; p++)
			excl[p / 8] |= (uint8_t)(1 << (p % 8));
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
 * fwd_parse() - Parse a -t or -u spec into rules
 * @rules:	Rules, appended to
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @spec:	The spec
 *
 * Return: 0 on success, -EINVAL (one line naming the bad part) otherwise
 */
int fwd_parse(struct fwd_rules *rules, uint8_t proto, const char *spec)
{
	static uint8_t excl[65536 / 8];
	struct fwd_rule r = { .proto = proto }, items[FWD_MAX_RULES];
	const char *opt = proto == IPPROTO_TCP ? "-t" : "-u";
	char buf[FWD_SPEC_MAX], *list, *item, *save = NULL;
	int n = 0, i, rc;

	if (!strcmp(spec, "none"))
		return 0;
	if (!strcmp(spec, "all") || !strcmp(spec, "auto")) {
		err("%s %s: not supported yet", opt, spec);
		return -EINVAL;
	}
	if (strlen(spec) >= sizeof(buf)) {
		err("%s spec too long", opt);
		return -EINVAL;
	}
	strcpy(buf, spec);
	list = fwd_parse_addr(buf, &r);
	if (!list) {
		err("invalid %s spec '%s': bad address '%s'", opt, spec, buf);
		return -EINVAL;
	}
	memset(excl, 0, sizeof(excl));
	for (item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char shown[FWD_SPEC_MAX];

		snprintf(shown, sizeof(shown), "%s", item);
		rc = fwd_parse_item(item, &r, excl);
		if (rc < 0 || (rc && n == FWD_MAX_RULES)) {
			err("invalid %s spec '%s': bad part '%s'", opt, spec,
			    shown);
			return -EINVAL;
		}
		if (rc)
			items[n++] = r;
	}
	if (!n) {
		err("invalid %s spec '%s': no ports to forward", opt, spec);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (fwd_add(rules, &items[i], excl)) {
			err("too many port forwarding rules");
			return -EINVAL;
		}
	}
	return 0;
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
 * fwd_sock_open() - Open one forwarding socket
 * @c:		Execution context
 * @r:		Rule
 * @port:	Host port
 * @v6:		IPv6 socket (wildcard or @r's IPv6 address)
 *
 * Return: 0 on success, negative errno (reported)
 */
static int fwd_sock_open(struct ctx *c, const struct fwd_rule *r,
			 uint16_t port, bool v6)
{
	struct sockaddr_storage ss = { 0 };
	struct fwd_sock *fs;
	int type = r->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM, s;
	struct in6_addr addr = in6addr_any;
	int one = 1, rc;
	unsigned int i;
	socklen_t sl;

	if (r->bound)
		addr = r->addr;
	else if (!v6)
		inany_from_v4(&addr, (struct in_addr){ .s_addr = INADDR_ANY });
	sl = inany_sockaddr(&ss, &addr, port);

	for (i = 0; i < c->fwd.n; i++) {
		fs = &c->fwd.sock[i];
		if (fs->proto == r->proto && fs->v6 == v6 &&
		    fs->host_port == port &&
		    (!fs->rule->bound || !r->bound ||
		     inany_equal(&fs->rule->addr, &r->addr))) {
			err("%s port %u forwarded twice",
			    r->proto == IPPROTO_TCP ? "TCP" : "UDP", port);
			return -EEXIST;
		}
	}
	if (c->fwd.n == FWD_MAX_SOCKS) {
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
	if (bind(s, (struct sockaddr *)&ss, sl) ||
	    (type == SOCK_STREAM && listen(s, FWD_BACKLOG))) {
		rc = -errno;
		fwd_bind_error(r->proto, port, errno);
		close(s);
		return rc;
	}
	fs = &c->fwd.sock[c->fwd.n];
	fs->fd = s;
	fs->proto = r->proto;
	fs->v6 = v6;
	fs->host_port = port;
	fs->rule = r;
	fs->guest_port = (uint16_t)(r->to + (port - r->first));
	return epoll_add(c, s, EPOLLIN,
			 EPOLL_REF(EPOLL_TYPE_FWD, c->fwd.n++));
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
		const struct fwd_rule *r = &rules->rule[i];
		bool want4 = c->conf.v4 && (!r->bound || inany_is_v4(&r->addr));
		bool want6 = c->conf.v6 && (!r->bound || !inany_is_v4(&r->addr));
		unsigned int p;

		if (!want4 && !want6) {
			err("port forward to a family the guest does not have");
			return -EAFNOSUPPORT;
		}
		for (p = r->first; p <= r->last; p++) {
			if ((want4 && (rc = fwd_sock_open(c, r, (uint16_t)p,
							   false))) ||
			    (want6 && (rc = fwd_sock_open(c, r, (uint16_t)p,
							   true))))
				return rc;
		}
	}
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
 * fwd_event() - A client reached a forwarded port
 * @c:		Execution context
 * @idx:	Index of the forwarding socket
 */
void fwd_event(struct ctx *c, uint32_t idx)
{
	const struct fwd_sock *fs;

	if (idx >= c->fwd.n)
		return;
	fs = &c->fwd.sock[idx];
	if (fs->proto == IPPROTO_TCP)
		tcp_fwd_accept(c, fs->fd, fs->v6, fs->guest_port);
	else
		udp_fwd_recv(c, fs->fd, fs->v6, fs->guest_port);
}

/*
 * Run-time changes, from the control socket (ctl.c): forwards added with
 * the same spec syntax as -t and -u, removed by spec, listed. The socket
 * array stays dense: a removed socket's place is taken by the last one,
 * whose epoll reference is updated; a rule no socket uses any more is
 * dropped and the rule pointers of the sockets after it follow.
 */

/**
 * fwd_rule_open() - Open the sockets of one rule, for every family it wants
 * @c:		Execution context, addresses known
 * @r:		Rule, in c->conf.fwd
 *
 * Return: 0 on success, negative errno (reported) on the first failure
 */
static int fwd_rule_open(struct ctx *c, const struct fwd_rule *r)
{
	bool want4 = c->conf.v4 && (!r->bound || inany_is_v4(&r->addr));
	bool want6 = c->conf.v6 && (!r->bound || !inany_is_v4(&r->addr));
	unsigned int p;
	int rc;

	if (!want4 && !want6)
		return -EAFNOSUPPORT;
	for (p = r->first; p <= r->last; p++) {
		if (want4 && (rc = fwd_sock_open(c, r, (uint16_t)p, false)))
			return rc;
		if (want6 && (rc = fwd_sock_open(c, r, (uint16_t)p, true)))
			return rc;
	}
	return 0;
}

/**
 * fwd_sock_close() - Close forwarding socket @i, keeping the array dense
 * @c:		Execution context
 * @i:		Index in c->fwd.sock
 */
static void fwd_sock_close(struct ctx *c, unsigned int i)
{
	struct fwd_sock *fs = &c->fwd.sock[i];
	unsigned int last = --c->fwd.n;

	epoll_del(c, fs->fd);
	close(fs->fd);
	if (i == last)
		return;
	*fs = c->fwd.sock[last];
	epoll_mod(c, fs->fd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_FWD, i));
}

/**
 * fwd_rules_compact() - Drop rules no socket refers to any more
 * @c:		Execution context
 * @from:	First rule that may be dropped (earlier ones are kept)
 */
static void fwd_rules_compact(struct ctx *c, int from)
{
	struct fwd_rules *rules = &c->conf.fwd;
	unsigned int j;
	int i = from;

	while (i < rules->n) {
		bool used = false;

		for (j = 0; j < c->fwd.n && !used; j++)
			used = c->fwd.sock[j].rule == &rules->rule[i];
		if (used) {
			i++;
			continue;
		}
		memmove(&rules->rule[i], &rules->rule[i + 1],
			(size_t)(rules->n - i - 1) * sizeof(rules->rule[0]));
		rules->n--;
		for (j = 0; j < c->fwd.n; j++)
			if (c->fwd.sock[j].rule > &rules->rule[i])
				c->fwd.sock[j].rule--;
	}
}

/**
 * fwd_runtime_add() - Forward more ports while running
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @spec:	Ports, as for -t and -u
 *
 * All or nothing: if one socket cannot be opened, those opened for @spec
 * are closed again.
 *
 * Return: number of sockets opened, or negative errno (-EINVAL for a bad
 * spec, -EEXIST for a port already forwarded, bind errors)
 */
int fwd_runtime_add(struct ctx *c, uint8_t proto, const char *spec)
{
	struct fwd_rules *rules = &c->conf.fwd;
	unsigned int n_socks = c->fwd.n;
	int n_rules = rules->n, i, rc = 0;

	fwd_sandboxed = true;
	if (fwd_parse(rules, proto, spec)) {
		rules->n = n_rules;
		return -EINVAL;
	}
	for (i = n_rules; i < rules->n && !rc; i++)
		rc = fwd_rule_open(c, &rules->rule[i]);
	if (rc) {
		while (c->fwd.n > n_socks)
			fwd_sock_close(c, c->fwd.n - 1);
		rules->n = n_rules;
		return rc;
	}
	return (int)(c->fwd.n - n_socks);
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
	for (i = 0; i < c->fwd.n;) {
		bool match = false;

		for (k = 0; k < gone.n && !match; k++)
			match = fwd_sock_matches(&c->fwd.sock[i], &gone.rule[k]);
		if (!match) {
			i++;
			continue;
		}
		fwd_sock_close(c, i);
		n++;
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
