// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp_raw.c - ICMP and ICMPv6 echo through raw sockets, where the host
 * refuses ping sockets and merd was given CAP_NET_RAW
 *
 * At set-up, merd tries a ping socket of each family (as the user it will
 * run as). If the host refuses it (net.ipv4.ping_group_range, which rules
 * both families), merd opens one raw socket of that family instead, while
 * it still holds CAP_NET_RAW: after isolation it holds no capability and
 * could not. With neither, it says so once and drops echo requests.
 *
 * A raw socket does not pick identifiers as a ping socket does: merd gives
 * each echo flow its own identifier on the wire, from a table of the 65536
 * identifiers of the family (the flow index each one belongs to, checked
 * against the flow on every use, so ended flows need no clean-up). Replies
 * are matched by identifier and source address, then given the guest's
 * identifier back. The socket sees every echo reply the host receives: a
 * filter passes only echo replies, and replies to no flow of merd are
 * counted and dropped.
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csum.h"
#include "flow.h"
#include "icmp_raw.h"
#include "inany.h"
#include "ip.h"
#include "isolation.h"
#include "log.h"
#include "merd.h"
#include "util.h"

#define ICMP_HDR_LEN		8
#define ICMP_ECHO_REPLY		0
#define ICMP6_ECHO_REPLY	129
#define ICMP_RAW_BUDGET		32
#define ICMP_RAW_BUF		65536
/* ICMP_FILTER of <linux/icmp.h>, which clashes with glibc's <net/if.h>: a
 * SOL_RAW option taking a 32-bit mask of the ICMP types to block */
#define ICMP_RAW_FILTER		1

/**
 * icmp_ping_try() - Open and close a ping socket of one family
 * @v6:		ICMPv6 rather than ICMP
 *
 * Return: 0 if the host allowed it, negative errno otherwise
 */
static int icmp_ping_try(bool v6)
{
	int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
		       v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (s < 0)
		return -errno;
	close(s);
	return 0;
}

/**
 * icmp_ping_permitted() - Tell whether merd may use ping sockets
 * @conf:	Configuration: the --runas user, if any
 * @v6:		ICMPv6 rather than ICMP
 *
 * The host decides by the user's groups: started as root with --runas,
 * merd asks in a child that became that user first. The child's SIGCHLD,
 * blocked for the signalfd, is taken here: merd waits for no child in VM
 * mode.
 *
 * Return: 0 if permitted, -EACCES if refused, other negative errno
 */
static int icmp_ping_permitted(const struct conf *conf, bool v6)
{
	const struct timespec now = { 0 };
	sigset_t chld;
	int status;
	pid_t pid;

	if (!conf->runas[0] || geteuid())
		return icmp_ping_try(v6);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(isolation_become(conf) ? 2 :
		      icmp_ping_try(v6) == -EACCES ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigtimedwait(&chld, NULL, &now);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 2)
		return -ECHILD;
	return WEXITSTATUS(status) ? -EACCES : 0;
}

/**
 * icmp_raw_filter() - Let only echo replies reach a raw ICMP socket
 * @s:		Raw socket
 * @v6:		ICMPv6 socket
 *
 * Return: 0, or negative errno
 */
static int icmp_raw_filter(int s, bool v6)
{
	struct icmp6_filter f6;
	uint32_t f4;
	int rc;

	if (v6) {
		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		rc = setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f6,
				sizeof(f6));
	} else {
		f4 = ~(1U << ICMP_ECHO_REPLY);
		rc = setsockopt(s, SOL_RAW, ICMP_RAW_FILTER, &f4, sizeof(f4));
	}
	return rc ? -errno : 0;
}

/**
 * icmp_raw_open() - Open the raw socket of one family and watch it
 * @c:		Execution context
 * @v6:		ICMPv6 rather than ICMP
 *
 * Return: 0, -EPERM without CAP_NET_RAW, other negative errno
 */
static int icmp_raw_open(struct ctx *c, bool v6)
{
	uint8_t proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int s, rc;

	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (s < 0)
		return -errno;
	rc = icmp_raw_filter(s, v6);
	if (!rc)
		rc = epoll_add(c, s, EPOLLIN,
			       EPOLL_REF(EPOLL_TYPE_RAW, (uint32_t)proto << 1 | v6));
	if (rc) {
		close(s);
		return rc;
	}
	c->raw.icmp_fd[v6] = s;
	return 0;
}

/**
 * icmp_raw_family() - Choose the echo path of one family
 * @c:		Execution context
 * @v6:		ICMPv6 rather than ICMP
 *
 * Return: 0, or -ENOMEM
 */
static int icmp_raw_family(struct ctx *c, bool v6)
{
	const char *fam = v6 ? "ICMPv6" : "ICMP";
	int rc = icmp_ping_permitted(&c->conf, v6);

	c->raw.icmp[v6] = ICMP_ECHO_PING;
	if (rc != -EACCES)
		return 0;	/* allowed, or fails per flow for other reasons */
	rc = icmp_raw_open(c, v6);
	if (rc) {
		c->raw.icmp[v6] = ICMP_ECHO_OFF;
		warn("%s echo unavailable: ping sockets not permitted "
		     "(net.ipv4.ping_group_range) and no raw socket: %s", fam,
		     rc == -EPERM ? "no CAP_NET_RAW" : strerror(-rc));
		return 0;
	}
	c->raw.icmp[v6] = ICMP_ECHO_RAW;
	info("%s echo: ping sockets not permitted, using a raw socket", fam);
	if (!c->raw.icmp_ids) {
		size_t size = sizeof(*c->raw.icmp_ids) * 2 * RAW_ID_SPACE;

		c->raw.icmp_ids = malloc(size);
		if (!c->raw.icmp_ids)
			return -ENOMEM;
		memset(c->raw.icmp_ids, 0xff, size);	/* all FLOW_NONE */
		c->raw.icmp_next_id = (uint16_t)c->flows.key[0];
	}
	return 0;
}

/**
 * icmp_raw_setup() - Pick ping or raw sockets for echo, per family
 * @c:		Execution context, flow table ready
 *
 * Must run before the user changes (--runas) and before isolation.
 *
 * Return: 0, or negative errno (set-up fails)
 */
int icmp_raw_setup(struct ctx *c)
{
	int rc = 0;

	c->raw.icmp_fd[0] = c->raw.icmp_fd[1] = -1;
	if (c->conf.v4)
		rc = icmp_raw_family(c, false);
	if (!rc && c->conf.v6)
		rc = icmp_raw_family(c, true);
	return rc;
}

/**
 * icmp_raw_owner() - The flow an identifier on the wire belongs to
 * @c:		Execution context
 * @v6:		Family of the identifier
 * @id:		Identifier on the wire
 *
 * Return: the live raw echo flow holding @id, or NULL
 */
static struct flow *icmp_raw_owner(const struct ctx *c, bool v6, uint16_t id)
{
	uint32_t idx = c->raw.icmp_ids[(v6 ? RAW_ID_SPACE : 0) + id];
	struct flow *f = flow_at(&c->flows, idx);

	if (!f || f->key.proto != FLOW_ICMP || f->sock >= 0 ||
	    f->raw_id != id || inany_is_v4(&f->key.remote_addr) == v6)
		return NULL;
	return f;
}

/**
 * icmp_raw_flow_open() - Create an echo flow carried by the raw socket
 * @c:		Execution context
 * @key:	Flow key (guest_port is the guest's identifier)
 *
 * Return: the flow with a free identifier on the wire, or NULL (counted)
 */
struct flow *icmp_raw_flow_open(struct ctx *c, const struct flow_key *key)
{
	bool v6 = !inany_is_v4(&key->remote_addr);
	struct flow *f;
	uint32_t n;
	uint16_t id = 0;

	for (n = 0; n < RAW_ID_SPACE; n++) {
		id = c->raw.icmp_next_id++;
		if (!icmp_raw_owner(c, v6, id))
			break;
	}
	if (n == RAW_ID_SPACE) {
		count_drop(c, CNT_drop_flow_full);
		return NULL;
	}
	f = flow_insert(c, key);
	if (!f)
		return NULL;
	f->raw_id = id;
	c->raw.icmp_ids[(v6 ? RAW_ID_SPACE : 0) + id] =
		flow_index(&c->flows, f);
	return f;
}

/**
 * icmp_raw_send() - Send a guest's echo request with the flow's identifier
 * @c:		Execution context
 * @f:		Raw echo flow
 * @pkt:	Checked echo request, at least ICMP_HDR_LEN long
 *
 * The ICMP checksum is the guest's to get right (checked here) and merd's
 * to redo; the kernel computes the ICMPv6 one.
 */
void icmp_raw_send(struct ctx *c, struct flow *f, const struct ip_pkt *pkt)
{
	struct sockaddr_storage ss;
	uint8_t hdr[ICMP_HDR_LEN];
	struct iovec iov[2];
	struct msghdr mh = { .msg_name = &ss, .msg_iov = iov, .msg_iovlen = 2 };
	uint16_t sum;

	if (!pkt->v6 && csum_fold(csum_partial(pkt->l4, pkt->l4_len, 0))) {
		count_drop(c, CNT_drop_icmp_csum);
		return;
	}
	memcpy(hdr, pkt->l4, sizeof(hdr));
	wr16(hdr + 4, f->raw_id);
	memset(hdr + 2, 0, 2);
	if (!pkt->v6) {
		sum = csum_fold(csum_partial(pkt->l4 + ICMP_HDR_LEN,
					     pkt->l4_len - ICMP_HDR_LEN,
					     csum_partial(hdr, sizeof(hdr), 0)));
		memcpy(hdr + 2, &sum, 2);
	}
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ (void *)(uintptr_t)(pkt->l4 + ICMP_HDR_LEN),
				 pkt->l4_len - ICMP_HDR_LEN };
	mh.msg_namelen = inany_sockaddr(&ss, &f->key.remote_addr, 0);
	if (sendmsg(c->raw.icmp_fd[pkt->v6], &mh, MSG_DONTWAIT) < 0) {
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("icmp: raw sendmsg: %s", strerror(errno));
	}
}

/**
 * icmp_raw_reply() - Find the echo reply in what a raw socket returned
 * @buf:	Datagram: IPv4 header and ICMP message, or ICMPv6 message
 * @n:		Its length
 * @v6:		ICMPv6 socket
 * @src:	Source address, from @sa for IPv6, set from the header for IPv4
 * @msg:	Set to the echo reply
 *
 * Return: length of the echo reply, 0 if there is none to use
 */
static size_t icmp_raw_reply(const uint8_t *buf, size_t n, bool v6,
			     struct in6_addr *src, const uint8_t **msg)
{
	size_t ihl, total;
	struct in_addr a;

	*msg = buf;
	if (!v6) {
		if (n < IP4_HDR_LEN || buf[0] >> 4 != 4)
			return 0;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		total = rd16(buf + 2);
		if (ihl < IP4_HDR_LEN || total < ihl || total > n)
			return 0;
		memcpy(&a, buf + 12, 4);
		inany_from_v4(src, a);
		*msg = buf + ihl;
		n = total - ihl;
	}
	if (n < ICMP_HDR_LEN || (*msg)[1] ||
	    (*msg)[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHO_REPLY))
		return 0;
	return n;
}

/**
 * icmp_raw_deliver() - Give an echo reply to the flow it answers
 * @c:		Execution context
 * @v6:		Family
 * @src:	Where the reply came from
 * @msg:	Echo reply, @len bytes
 * @len:	Its length
 */
static void icmp_raw_deliver(struct ctx *c, bool v6,
			     const struct in6_addr *src, const uint8_t *msg,
			     size_t len)
{
	struct flow *f = icmp_raw_owner(c, v6, rd16(msg + 4));
	size_t cap = 0;
	uint8_t *m;

	if (!f || !inany_equal(&f->key.remote_addr, src)) {
		count(c, CNT_raw_unmatched);	/* someone else's ping */
		return;
	}
	m = ip_tx_begin_dgram(c, v6, &cap);
	if (!m)
		return;
	if (len > cap) {
		count_drop(c, CNT_drop_tx_full);
		return;
	}
	memcpy(m, msg, len);
	wr16(m + 4, f->key.guest_port);		/* guest's identifier */
	ip_tx_commit(c, &f->key.remote_addr, &f->key.guest_addr,
		     v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, len);
	f->pkts_in++;
	f->bytes_in += len;
	flow_touch(c, f, c->conf.icmp_timeout);
}

/**
 * icmp_raw_event() - Echo replies arrived on a raw ICMP socket
 * @c:		Execution context
 * @v6:		The ICMPv6 socket
 */
void icmp_raw_event(struct ctx *c, bool v6)
{
	static uint8_t buf[ICMP_RAW_BUF];
	int i;

	if (c->raw.icmp[v6] != ICMP_ECHO_RAW)
		return;
	for (i = 0; i < ICMP_RAW_BUDGET; i++) {
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = sizeof(ss);
		struct in6_addr src;
		const uint8_t *msg;
		uint16_t port;
		ssize_t n;
		size_t len;

		n = recvfrom(c->raw.icmp_fd[v6], buf, sizeof(buf),
			     MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			break;
		if (v6)
			inany_from_sockaddr(&src, &port, &ss);
		len = icmp_raw_reply(buf, (size_t)n, v6, &src, &msg);
		if (!len) {
			count_drop(c, CNT_drop_raw_bad);
			continue;
		}
		icmp_raw_deliver(c, v6, &src, msg, len);
	}
}
