// SPDX-License-Identifier: GPL-2.0-or-later
/* nsfwd.c - Namespace mode: ports of the namespace's loopback forwarded to
 * the host's loopback (-T, -U), and ports bound in the namespace forwarded
 * from the host as they appear (-t auto, -u auto)
 *
 * merd cannot enter the namespace once it has shut itself in, so what it
 * needs there is opened before, by the child that builds or joins the
 * namespace (ns.c, struct ns_extra): one listening (-T) or bound (-U)
 * socket per port and family, on 127.0.0.1 and ::1 unless the spec names
 * an address, and for "auto" the namespace's /proc/net/{tcp,udp}{,6},
 * which stay bound to that namespace and are re-read with pread().
 *
 * -T: each connection is joined to one to the host's loopback, same
 * family, at the target port (splice.c). -U: each client (address and
 * port in the namespace) is a FLOW_RELAY flow with a socket of the host
 * connected to the host's loopback; the client's datagrams go out through
 * it, and what comes back is sent to the client from the namespace's
 * socket it used. Relay flows age like UDP flows (--udp-timeout).
 *
 * "auto": a timer, armed only when "auto" is used, scans the namespace's
 * files every NSFWD_SCAN_MS: a TCP port listening, or a UDP port bound
 * and not connected, on an address other than loopback, gets the host's
 * sockets of that port (fwd.c); those of a port no longer bound are
 * closed. The cost is one read of four files per period, proportional to
 * the sockets in the namespace (capped in portscan.c).
 *
 * -T auto, -U auto, the other way: the same timer reads the host's files
 * (opened before isolation); a port served on the host's loopback or
 * wildcard address, not one of merd's forwarded ports, gets sockets on
 * the namespace's 127.0.0.1 and ::1, which the helper left there opens
 * (nsopen.c); they are closed, with their relay flows, when it goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "merd.h"
#include "ns.h"
#include "nsfwd.h"
#include "nsopen.h"
#include "portscan.h"
#include "splice.h"

#define NSFWD_BACKLOG		128
#define NSFWD_RX_BUDGET		64
#define NSFWD_DGRAM_MAX		65535

static const char *const nsfwd_proc_path[NSFWD_PROC_FILES] = {
	"/proc/self/net/tcp", "/proc/self/net/tcp6",
	"/proc/self/net/udp", "/proc/self/net/udp6",
};

/**
 * nsfwd_slots() - Number of descriptor slots -T/-U rules take
 * @rules:	-T/-U rules
 *
 * Return: two per port (IPv4 and IPv6)
 */
static unsigned int nsfwd_slots(const struct fwd_rules *rules)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < rules->n; i++)
		n += 2U * (rules->rule[i].last - rules->rule[i].first + 1U);
	return n;
}

/**
 * nsfwd_bind_addr() - Address a -T/-U socket binds in the namespace
 * @r:		Rule
 * @v6:		Family
 * @a:		Address to fill
 *
 * Return: true if this family is wanted for @r
 */
static bool nsfwd_bind_addr(const struct fwd_rule *r, bool v6,
			    struct in6_addr *a)
{
	if (r->bound) {
		*a = r->addr;
		return inany_is_v4(a) != v6;
	}
	if (v6)
		*a = in6addr_loopback;
	else
		inany_from_v4(a, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	return true;
}

/**
 * nsfwd_open_one() - Open one -T/-U socket, in the namespace
 * @r:		Rule
 * @port:	Port in the namespace
 * @v6:		Family
 *
 * Return: socket, -1 if the family is not wanted or the namespace has no
 * IPv6 loopback, or negative errno below -1 (reported)
 */
static int nsfwd_open_one(const struct fwd_rule *r, uint16_t port, bool v6)
{
	int type = r->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	struct sockaddr_storage ss;
	struct in6_addr a;
	int s, one = 1, e;
	socklen_t sl;

	if (!nsfwd_bind_addr(r, v6, &a))
		return -1;
	sl = inany_sockaddr(&ss, &a, port);
	s = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, r->proto);
	if (s >= 0 &&
	    !setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	    (!v6 || !setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				sizeof(one))) &&
	    !bind(s, (struct sockaddr *)&ss, sl) &&
	    (type != SOCK_STREAM || !listen(s, NSFWD_BACKLOG)))
		return s;
	e = errno;
	if (s >= 0)
		close(s);
	if ((e == EADDRNOTAVAIL || e == EAFNOSUPPORT) && v6 && !r->bound)
		return -1;	/* no ::1 in the namespace: IPv4 only */
	err("cannot open %s port %u in the namespace: %s",
	    r->proto == IPPROTO_TCP ? "-T" : "-U", port, strerror(e));
	return e > 1 ? -e : -EINVAL;
}

/**
 * nsfwd_open_ns() - Open every -T/-U socket and "auto" file, in the
 * namespace (called by ns.c in the child)
 * @arg:	Execution context (the child's copy)
 * @fds:	Slots to fill, -1 for none
 * @n:		Number of slots
 *
 * Return: 0, or negative errno (reported)
 */
static int nsfwd_open_ns(void *arg, int *fds, unsigned int n)
{
	const struct ctx *c = arg;
	const struct fwd_rules *rules = &c->conf.fwd_out;
	unsigned int slot = 0, p;
	int i, k;

	for (i = 0; i < rules->n; i++) {
		const struct fwd_rule *r = &rules->rule[i];

		for (p = r->first; p <= r->last; p++) {
			for (k = 0; k < 2 && slot < n; k++) {
				fds[slot] = nsfwd_open_one(r, (uint16_t)p, k);
				if (fds[slot] < -1)
					return fds[slot];
				slot++;
			}
		}
	}
	for (k = 0; c->conf.fwd.autos && k < NSFWD_PROC_FILES && slot < n;
	     k++, slot++) {
		fds[slot] = open(nsfwd_proc_path[k], O_RDONLY | O_CLOEXEC);
		if (fds[slot] < 0 && k % 2 == 0) {
			err("auto: cannot open %s in the namespace: %s",
			    nsfwd_proc_path[k], strerror(errno));
			return -errno;
		}
	}
	if (c->conf.fwd_out.autos && slot < n) {
		fds[slot] = nsopen_spawn();
		if (fds[slot] < 0) {
			err("-T/-U auto: cannot start the helper in the "
			    "namespace: %s", strerror(-fds[slot]));
			return fds[slot];
		}
	}
	return 0;
}

/**
 * nsfwd_prepare() - Say what the namespace's child opens for merd
 * @c:		Execution context
 * @extra:	Filled: callback, argument, number of slots
 *
 * Return: 0, or -E2BIG (reported) if the rules take too many sockets
 */
int nsfwd_prepare(struct ctx *c, struct ns_extra *extra)
{
	unsigned int n = nsfwd_slots(&c->conf.fwd_out);

	if (c->conf.fwd.autos)
		n += NSFWD_PROC_FILES;
	if (c->conf.fwd_out.autos)
		n++;			/* the helper's socket */
	if (n > NS_EXTRA_MAX || n > NSFWD_MAX_SOCKS) {
		err("-T/-U: too many ports (%u sockets, at most %d)", n,
		    NSFWD_MAX_SOCKS);
		return -E2BIG;
	}
	extra->open = nsfwd_open_ns;
	extra->arg = c;
	extra->n = n;
	return 0;
}

/**
 * nsfwd_add() - Watch one -T/-U socket received from the namespace
 * @c:		Execution context
 * @r:		Rule
 * @port:	Port in the namespace
 * @v6:		Family
 * @fd:		Socket, owned from now on
 * @dyn:	Opened by -T/-U auto
 *
 * Return: 0, or negative errno
 */
static int nsfwd_add(struct ctx *c, const struct fwd_rule *r, uint16_t port,
		     bool v6, int fd, bool dyn)
{
	unsigned int i;
	struct nsfwd_sock *ns;

	for (i = 0; i < c->nsfwd.n && c->nsfwd.sock[i].fd >= 0; i++)
		;
	if (i == NSFWD_MAX_SOCKS) {
		close(fd);
		return -ENOSPC;
	}
	if (i == c->nsfwd.n)
		c->nsfwd.n++;
	ns = &c->nsfwd.sock[i];
	ns->dyn = dyn;
	ns->fd = fd;
	ns->proto = r->proto;
	ns->v6 = v6;
	ns->port = port;
	ns->host_port = (uint16_t)(r->to + (port - r->first));
	nsfwd_bind_addr(r, v6, &ns->addr);
	return epoll_add(c, fd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_NSFWD, i));
}

/**
 * nsfwd_auto_start() - Arm the "auto" scan timer, and scan once
 * @c:		Execution context, /proc files received
 *
 * Return: 0, or negative errno
 */
static int nsfwd_auto_start(struct ctx *c)
{
	struct itimerspec its = { 0 };
	int k;

	for (k = 0; k < 2; k++) {
		struct fwd_rule *r = &c->nsfwd.auto_rule[k];

		r->proto = k ? IPPROTO_UDP : IPPROTO_TCP;
		r->first = r->to = 1;
		r->last = 65535;
	}
	c->nsfwd.timerfd = timerfd_create(CLOCK_MONOTONIC,
					  TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->nsfwd.timerfd < 0)
		return -errno;
	its.it_interval.tv_nsec = (NSFWD_SCAN_MS % 1000) * 1000000L;
	its.it_interval.tv_sec = NSFWD_SCAN_MS / 1000;
	its.it_value = its.it_interval;
	if (timerfd_settime(c->nsfwd.timerfd, 0, &its, NULL))
		return -errno;
	nsfwd_scan(c);
	return epoll_add(c, c->nsfwd.timerfd, EPOLLIN,
			 EPOLL_REF(EPOLL_TYPE_NSFWD_SCAN, 0));
}

/**
 * nsfwd_start() - Take the descriptors the namespace's child opened
 * @c:		Execution context
 * @extra:	Slots, as laid out by nsfwd_open_ns()
 *
 * Return: 0, or negative errno
 */
int nsfwd_start(struct ctx *c, const struct ns_extra *extra)
{
	const struct fwd_rules *rules = &c->conf.fwd_out;
	unsigned int slot = 0, p;
	int i, k, rc;

	c->nsfwd.timerfd = c->nsfwd.helper = -1;
	for (k = 0; k < NSFWD_PROC_FILES; k++)
		c->nsfwd.proc[k] = c->nsfwd.host_proc[k] = -1;
	for (i = 0; i < rules->n; i++) {
		const struct fwd_rule *r = &rules->rule[i];

		for (p = r->first; p <= r->last; p++) {
			for (k = 0; k < 2; k++, slot++) {
				if (slot >= extra->n || extra->fds[slot] < 0)
					continue;
				rc = nsfwd_add(c, r, (uint16_t)p, k,
					       extra->fds[slot], false);
				if (rc)
					return rc;
			}
		}
	}
	for (k = 0; c->conf.fwd.autos && k < NSFWD_PROC_FILES &&
	     slot < extra->n; k++)
		c->nsfwd.proc[k] = extra->fds[slot++];
	if (c->conf.fwd_out.autos && slot < extra->n) {
		c->nsfwd.helper = extra->fds[slot++];
		/* the host's side: merd's own namespace, before isolation */
		for (k = 0; k < NSFWD_PROC_FILES; k++)
			c->nsfwd.host_proc[k] = open(nsfwd_proc_path[k],
						     O_RDONLY | O_CLOEXEC);
	}
	if (!c->conf.fwd.autos && !c->conf.fwd_out.autos)
		return 0;
	return nsfwd_auto_start(c);
}

/**
 * nsfwd_relay_flow() - Flow of a -U client, created if new
 * @c:		Execution context
 * @ns:		The namespace's socket the client sent to
 * @client:	Client's address in the namespace
 *
 * Return: the flow, or NULL (counted)
 */
static struct flow *nsfwd_relay_flow(struct ctx *c, const struct nsfwd_sock *ns,
				     const struct sockaddr_storage *client)
{
	struct flow_key key = { .proto = FLOW_RELAY, .remote_addr = ns->addr,
				.remote_port = ns->port };
	struct sockaddr_storage to;
	struct in6_addr host = in6addr_loopback;
	struct flow *f;
	socklen_t sl;
	int s;

	inany_from_sockaddr(&key.guest_addr, &key.guest_port, client);
	f = flow_lookup(&c->flows, &key);
	if (f)
		return f;
	if (!ns->v6)
		inany_from_v4(&host, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	sl = inany_sockaddr(&to, &host, ns->host_port);
	s = socket(to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_UDP);
	if (s < 0 || connect(s, (struct sockaddr *)&to, sl)) {
		count_drop(c, CNT_drop_sock_err);
		if (s >= 0)
			close(s);
		return NULL;
	}
	f = flow_insert_sock(c, &key, s, EPOLLIN);
	if (f)
		f->relay.lfd = ns->fd;
	return f;
}

/**
 * nsfwd_relay_recv() - Datagrams from the namespace on a -U socket: to the
 * host's loopback
 * @c:		Execution context
 * @ns:		The namespace's socket
 */
static void nsfwd_relay_recv(struct ctx *c, const struct nsfwd_sock *ns)
{
	static uint8_t buf[NSFWD_DGRAM_MAX];
	int i;

	for (i = 0; i < NSFWD_RX_BUDGET; i++) {
		struct sockaddr_storage client = { 0 };
		socklen_t sl = sizeof(client);
		struct flow *f;
		ssize_t n;

		n = recvfrom(ns->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&client, &sl);
		if (n < 0)
			return;
		f = nsfwd_relay_flow(c, ns, &client);
		if (!f)
			continue;
		if (send(f->sock, buf, (size_t)n, MSG_DONTWAIT) < 0)
			count_drop(c, CNT_drop_sock_err);
		f->pkts_out++;
		f->bytes_out += (uint64_t)n;
		flow_touch(c, f, c->conf.udp_timeout);
	}
}

/**
 * nsfwd_relay_event() - Answers from the host's loopback for a -U client
 * @c:		Execution context
 * @f:		Relay flow
 */
void nsfwd_relay_event(struct ctx *c, struct flow *f)
{
	static uint8_t buf[NSFWD_DGRAM_MAX];
	struct sockaddr_storage client;
	socklen_t sl = inany_sockaddr(&client, &f->key.guest_addr,
				      f->key.guest_port);
	int i;

	for (i = 0; i < NSFWD_RX_BUDGET; i++) {
		ssize_t n = recv(f->sock, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0)
			break;	/* empty, or refused by the host: nothing */
		if (sendto(f->relay.lfd, buf, (size_t)n, MSG_DONTWAIT,
			   (struct sockaddr *)&client, sl) < 0)
			count_drop(c, CNT_drop_sock_err);
		f->pkts_in++;
		f->bytes_in += (uint64_t)n;
	}
	flow_touch(c, f, c->conf.udp_timeout);
}

/**
 * nsfwd_event() - A -T/-U socket of the namespace is readable
 * @c:		Execution context
 * @idx:	Index in the -T/-U sockets
 */
void nsfwd_event(struct ctx *c, uint32_t idx)
{
	const struct nsfwd_sock *ns;

	if (idx >= c->nsfwd.n || c->nsfwd.sock[idx].fd < 0)
		return;
	ns = &c->nsfwd.sock[idx];
	if (ns->proto == IPPROTO_TCP)
		splice_accept(c, ns->fd, ns->v6, ns->host_port);
	else
		nsfwd_relay_recv(c, ns);
}

/**
 * nsfwd_auto_port() - -t/-u auto: forward one port of the namespace from
 * the host, each family the guest has, or stop forwarding it
 * @c:		Execution context
 * @k:		0 for TCP, 1 for UDP
 * @port:	Port
 * @want:	Bound in the namespace now
 *
 * Each family's socket is recorded as it opens: one the host keeps busy
 * (its IPv6 side, say) is tried again at the next scan, while the other
 * one serves, and both close when the namespace's port goes.
 */
static void nsfwd_auto_port(struct ctx *c, int k, uint16_t port, bool want)
{
	const struct fwd_rule *r = &c->nsfwd.auto_rule[k];
	uint8_t bit = (uint8_t)(1 << (port % 8));
	int v6;

	if (!want) {
		fwd_port_close(c, r, port);
		for (v6 = 0; v6 < 2; v6++)
			c->nsfwd.fwd_auto[k][v6][port / 8] &= (uint8_t)~bit;
		return;
	}
	for (v6 = 0; v6 < 2; v6++) {
		uint8_t *have = &c->nsfwd.fwd_auto[k][v6][port / 8];

		if ((v6 ? c->conf.v6 : c->conf.v4) && !(*have & bit) &&
		    !fwd_port_open_family(c, r, port, v6))
			*have |= bit;
	}
}

/**
 * nsfwd_scan_ns() - -t/-u auto: forward the ports bound in the namespace
 * now, stop forwarding those that went
 * @c:		Execution context
 * @k:		0 for TCP, 1 for UDP
 */
static void nsfwd_scan_ns(struct ctx *c, int k)
{
	static uint8_t now[65536 / 8];
	const uint8_t *have4 = c->nsfwd.fwd_auto[k][0];
	const uint8_t *have6 = c->nsfwd.fwd_auto[k][1];
	uint8_t proto = k ? IPPROTO_UDP : IPPROTO_TCP;
	unsigned int p;

	memset(now, 0, sizeof(now));
	portscan_read(c->nsfwd.proc[k ? 2 : 0], proto, PORTSCAN_SERVERS, now);
	portscan_read(c->nsfwd.proc[k ? 3 : 1], proto, PORTSCAN_SERVERS, now);
	for (p = 1; p < 65536; p++) {
		uint8_t bit = (uint8_t)(1 << (p % 8));
		bool want = now[p / 8] & bit;
		bool full = (!c->conf.v4 || (have4[p / 8] & bit)) &&
			    (!c->conf.v6 || (have6[p / 8] & bit));
		bool any = (have4[p / 8] | have6[p / 8]) & bit;

		if ((want && !full) || (!want && any))
			nsfwd_auto_port(c, k, (uint16_t)p, want);
	}
}

/**
 * nsfwd_rev_open() - -T/-U auto: listen on a port of the namespace's
 * loopback, both families, through the helper
 * @c:		Execution context
 * @k:		0 for TCP, 1 for UDP
 * @port:	Port, the same on the host's loopback
 */
static void nsfwd_rev_open(struct ctx *c, int k, uint16_t port)
{
	const struct fwd_rule *r = &c->nsfwd.auto_rule[k];
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		int fd = nsopen_request(c->nsfwd.helper, r->proto, v6, port);

		if (fd < 0) {
			debug_ratelimited("auto: port %u%s in the namespace: "
					  "%s", port, v6 ? " (::1)" : "",
					  strerror(-fd));
			continue;
		}
		if (nsfwd_add(c, r, port, v6, fd, true))
			debug_ratelimited("auto: port %u: no room to watch it",
					  port);
	}
}

/**
 * nsfwd_rev_close() - -T/-U auto: stop listening on a port of the
 * namespace's loopback, and end its relay flows
 * @c:		Execution context
 * @k:		0 for TCP, 1 for UDP
 * @port:	Port
 */
static void nsfwd_rev_close(struct ctx *c, int k, uint16_t port)
{
	uint8_t proto = k ? IPPROTO_UDP : IPPROTO_TCP;
	unsigned int i, j;

	for (i = 0; i < c->nsfwd.n; i++) {
		struct nsfwd_sock *ns = &c->nsfwd.sock[i];

		if (ns->fd < 0 || !ns->dyn || ns->proto != proto ||
		    ns->port != port)
			continue;
		for (j = 0; proto == IPPROTO_UDP && j < c->flows.n_active;) {
			struct flow *f = &c->flows.flows[c->flows.active[j]];

			if (f->key.proto == FLOW_RELAY && f->relay.lfd == ns->fd)
				flow_remove(c, f);	/* j now holds another */
			else
				j++;
		}
		epoll_close(c, &ns->fd);
	}
}

/**
 * nsfwd_scan_host() - -T/-U auto: make the ports served on the host's
 * loopback appear on the namespace's, remove those that went
 * @c:		Execution context
 * @k:		0 for TCP, 1 for UDP
 *
 * A port counts if a socket of the host listens (TCP) or is bound and not
 * connected (UDP) on a loopback or the wildcard address, and it is not one
 * of merd's own forwarded ports. Each port is asked for once while it is
 * there, whether the namespace could take it or not.
 */
static void nsfwd_scan_host(struct ctx *c, int k)
{
	static uint8_t now[65536 / 8];
	uint8_t proto = k ? IPPROTO_UDP : IPPROTO_TCP;
	unsigned int p, i;

	memset(now, 0, sizeof(now));
	portscan_read(c->nsfwd.host_proc[k ? 2 : 0], proto, PORTSCAN_LOCAL,
		      now);
	portscan_read(c->nsfwd.host_proc[k ? 3 : 1], proto, PORTSCAN_LOCAL,
		      now);
	for (i = 0; i < c->fwd.n; i++) {
		const struct fwd_sock *fs = &c->fwd.sock[i];

		if (fs->fd >= 0 && fs->proto == proto)
			now[fs->host_port / 8] &=
				(uint8_t)~(1 << (fs->host_port % 8));
	}
	for (p = 1; p < 65536; p++) {
		bool want = now[p / 8] & (1 << (p % 8));
		uint8_t *asked = &c->nsfwd.rev[k][p / 8];

		if (want == !!(*asked & (1 << (p % 8))))
			continue;
		if (want) {
			*asked |= (uint8_t)(1 << (p % 8));
			nsfwd_rev_open(c, k, (uint16_t)p);
		} else {
			*asked &= (uint8_t)~(1 << (p % 8));
			nsfwd_rev_close(c, k, (uint16_t)p);
		}
	}
}

/**
 * nsfwd_scan() - The "auto" timer fired: scan both sides as configured
 * @c:		Execution context
 */
void nsfwd_scan(struct ctx *c)
{
	uint64_t expirations;
	int k;

	if (c->nsfwd.timerfd >= 0 &&
	    read(c->nsfwd.timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		return;
	for (k = 0; k < 2; k++) {
		unsigned int bit = FWD_PROTO_BIT(k ? IPPROTO_UDP : IPPROTO_TCP);

		if (c->conf.fwd.autos & bit)
			nsfwd_scan_ns(c, k);
		if ((c->conf.fwd_out.autos & bit) && c->nsfwd.helper >= 0)
			nsfwd_scan_host(c, k);
	}
}
