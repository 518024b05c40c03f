// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - Route netlink without libraries: read the host, set up a guest
 *
 * Every request carries its own sequence number. Requests that change
 * something, and plain gets, ask for an acknowledgement (NLM_F_ACK); dumps
 * end with NLMSG_DONE instead. nl_do() sends one request and reads until the
 * kernel's answer to it is complete, handing each data message to a
 * callback, and returns the kernel's error, if any.
 *
 * Answers are untrusted like frames: every message and every attribute is
 * length-checked before it is read, messages that do not come from the
 * kernel or answer another request are skipped, and an attribute of the
 * wrong size makes its message (route, address, link) unusable. A dump the
 * kernel marks as interrupted (NLM_F_DUMP_INTR) is taken as it is: these
 * queries run once, at start-up.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

#define NL_BUF_SIZE	32768	/* largest datagram the kernel sends */
#define NL_REQ_ATTRS	128	/* room for the attributes of a request */
#define NL_ADDR_MAX	16	/* bytes in the longest address (IPv6) */
#define NL_ERRNO_MAX	4095	/* largest errno the kernel returns */

/**
 * struct nl_req - One request being built
 * @nh:		Netlink header, @nh.nlmsg_len covers what is used so far
 * @body:	Family header (ifinfomsg, ifaddrmsg, rtmsg), then attributes
 */
struct nl_req {
	struct nlmsghdr nh;
	char body[NL_REQ_ATTRS];
};

/**
 * struct nl_walk - State of the reception of one answer
 * @seq:	Sequence number of the request
 * @cb:		Called for each data message of the answer, or NULL
 * @arg:	Argument for @cb
 * @rc:		First error: the kernel's, a malformed answer, or @cb's
 * @done:	The answer is complete (ACK, error or end of dump seen)
 */
struct nl_walk {
	uint32_t seq;
	int (*cb)(const struct nlmsghdr *nh, void *arg);
	void *arg;
	int rc;
	bool done;
};

/**
 * struct nl_link_q - Answer to a link query
 * @ifindex:	Interface index, 0 until found
 * @ifname:	Interface name
 * @mtu:	Interface MTU
 */
struct nl_link_q {
	unsigned int ifindex;
	char ifname[IFNAMSIZ];
	int mtu;
};

/**
 * struct nl_route_q - Default route search
 * @af:		Address family searched
 * @oif:	Only routes through this interface, 0 for any
 * @found:	A default route was found
 * @metric:	Its metric (lowest seen so far)
 * @ifindex:	Its output interface
 * @gw:		Its gateway, all zeroes if on-link
 */
struct nl_route_q {
	int af;
	unsigned int oif;
	bool found;
	uint32_t metric;
	unsigned int ifindex;
	unsigned char gw[NL_ADDR_MAX];
};

/**
 * struct nl_addr_q - Address search on one interface
 * @af:		Address family searched
 * @ifindex:	Interface searched
 * @found:	A usable address was found
 * @secondary:	It is an IPv4 secondary or an IPv6 temporary address
 * @prefix_len:	Its prefix length
 * @addr:	The address
 */
struct nl_addr_q {
	int af;
	unsigned int ifindex;
	bool found;
	bool secondary;
	int prefix_len;
	unsigned char addr[NL_ADDR_MAX];
};

/**
 * nl_alen() - Length of an address of a family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 4 or 16
 */
static size_t nl_alen(int af)
{
	return af == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

/**
 * nl_req_init() - Start a request
 * @r:		Request to fill
 * @type:	Message type (RTM_*)
 * @flags:	NLM_F_* flags besides NLM_F_REQUEST and NLM_F_ACK
 * @hlen:	Length of the family header that follows
 *
 * Return: pointer to the zeroed family header
 */
static void *nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags,
			 size_t hlen)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(hlen);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	return r->body;
}

/**
 * nl_attr_add() - Append an attribute to a request
 * @r:		Request
 * @type:	Attribute type
 * @data:	Payload
 * @len:	Length of @data
 *
 * Return: 0 on success, -ENOBUFS if the request has no room left
 */
static int nl_attr_add(struct nl_req *r, unsigned short type,
		       const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->nh.nlmsg_len);
	struct rtattr *a = (struct rtattr *)((char *)r + off);

	if (off + RTA_SPACE(len) > sizeof(*r))
		return -ENOBUFS;
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy((char *)a + RTA_LENGTH(0), data, len);
	r->nh.nlmsg_len = off + RTA_SPACE(len);
	return 0;
}

/**
 * nl_attrs() - Index a run of attributes by type, checking each length
 * @p:		First attribute
 * @len:	Bytes from @p to the end of the run
 * @tb:		Table to fill: first attribute of each type, NULL if absent
 * @n:		Entries in @tb; attributes of higher types are ignored
 *
 * Parsing stops at the first attribute that does not fit in @len.
 */
static void nl_attrs(const void *p, size_t len, const struct rtattr **tb,
		     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tb[i] = NULL;
	while (len >= sizeof(struct rtattr)) {
		const struct rtattr *a = p;
		size_t type = a->rta_type & NLA_TYPE_MASK;
		size_t step = RTA_ALIGN(a->rta_len);

		if (a->rta_len < sizeof(*a) || a->rta_len > len)
			return;
		if (type < n && !tb[type])
			tb[type] = a;
		if (step >= len)
			return;
		p = (const char *)p + step;
		len -= step;
	}
}

/**
 * nl_attr_get() - Payload of an attribute of an exact length
 * @a:		Attribute, or NULL
 * @len:	Expected payload length
 *
 * Return: pointer to the payload, NULL if @a is NULL or of another length
 */
static const void *nl_attr_get(const struct rtattr *a, size_t len)
{
	if (!a || RTA_PAYLOAD(a) != len)
		return NULL;
	return (const char *)a + RTA_LENGTH(0);
}

/**
 * nl_attr_u32() - Read a 32-bit attribute
 * @a:		Attribute, or NULL
 * @v:		Value, left alone unless the attribute is usable
 *
 * Return: true if @a is present and 4 bytes long
 */
static bool nl_attr_u32(const struct rtattr *a, uint32_t *v)
{
	const void *p = nl_attr_get(a, sizeof(*v));

	if (p)
		memcpy(v, p, sizeof(*v));
	return p != NULL;
}

/**
 * nl_msg_attrs() - Index the attributes of a message after its family header
 * @nh:		Message, whose nlmsg_len is already within the datagram
 * @hlen:	Length of the family header
 * @tb:		Table to fill, see nl_attrs()
 * @n:		Entries in @tb
 *
 * Return: true if the message is long enough to hold the family header
 */
static bool nl_msg_attrs(const struct nlmsghdr *nh, size_t hlen,
			 const struct rtattr **tb, size_t n)
{
	if (nh->nlmsg_len < NLMSG_SPACE(hlen))
		return false;
	nl_attrs((const char *)nh + NLMSG_SPACE(hlen),
		 nh->nlmsg_len - NLMSG_SPACE(hlen), tb, n);
	return true;
}

/**
 * nl_msg_data() - Family header of a message
 * @nh:		Message
 *
 * Return: pointer to what follows the netlink header (check length first)
 */
static const void *nl_msg_data(const struct nlmsghdr *nh)
{
	return (const char *)nh + NLMSG_HDRLEN;
}

/**
 * nl_walk_end() - Mark the answer complete
 * @w:		Reception state
 * @rc:		Error to report unless an earlier one is kept
 */
static void nl_walk_end(struct nl_walk *w, int rc)
{
	if (!w->rc)
		w->rc = rc;
	w->done = true;
}

/**
 * nl_walk_status() - Read the error code of an NLMSG_ERROR or NLMSG_DONE
 * @nh:		Message, whose nlmsg_len is already within the datagram
 *
 * Return: 0 or the kernel's negative errno, -EBADMSG if it makes no sense
 */
static int nl_walk_status(const struct nlmsghdr *nh)
{
	int e = 0;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return nh->nlmsg_type == NLMSG_DONE ? 0 : -EBADMSG;
	memcpy(&e, nl_msg_data(nh), sizeof(e));
	if (e > 0 || e < -NL_ERRNO_MAX)
		return -EBADMSG;
	return e;
}

/**
 * nl_walk_msg() - Handle one message of the answer to our request
 * @w:		Reception state
 * @nh:		Message, whose nlmsg_len is already within the datagram
 */
static void nl_walk_msg(struct nl_walk *w, const struct nlmsghdr *nh)
{
	int rc;

	if (nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == NLMSG_DONE) {
		nl_walk_end(w, nl_walk_status(nh));
		return;
	}
	if (nh->nlmsg_type < NLMSG_MIN_TYPE || !w->cb)
		return;
	rc = w->cb(nh, w->arg);
	if (rc < 0 && !w->rc)
		w->rc = rc;
}

/**
 * nl_walk() - Handle the messages of one received datagram
 * @w:		Reception state, @w->done set once the answer is complete
 * @p:		Datagram
 * @len:	Its length
 *
 * A message whose length runs out of the datagram ends the answer with
 * -EBADMSG: nothing after it can be trusted.
 */
static void nl_walk(struct nl_walk *w, const char *p, size_t len)
{
	while (!w->done && len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nh = (const struct nlmsghdr *)p;
		size_t step = NLMSG_ALIGN(nh->nlmsg_len);

		if (nh->nlmsg_len < sizeof(*nh) || nh->nlmsg_len > len) {
			nl_walk_end(w, -EBADMSG);
			return;
		}
		if (nh->nlmsg_seq == w->seq)
			nl_walk_msg(w, nh);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/**
 * nl_recv_answer() - Read datagrams until the answer to a request is complete
 * @fd:		Netlink socket
 * @w:		Reception state
 *
 * Return: 0, the kernel's negative errno, or another negative errno
 */
static int nl_recv_answer(int fd, struct nl_walk *w)
{
	union {
		struct nlmsghdr align;
		char buf[NL_BUF_SIZE];
	} u;

	while (!w->done) {
		struct sockaddr_nl from = { 0 };
		socklen_t sl = sizeof(from);
		ssize_t n;

		n = recvfrom(fd, u.buf, sizeof(u.buf), MSG_TRUNC,
			     (struct sockaddr *)&from, &sl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > sizeof(u.buf))
			return -EMSGSIZE;
		if (sl != sizeof(from) || from.nl_family != AF_NETLINK ||
		    from.nl_pid)
			continue;	/* not from the kernel */
		nl_walk(w, u.buf, n);
	}
	return w->rc;
}

/**
 * nl_do() - Send a request and wait for the complete answer
 * @fd:		Netlink socket
 * @r:		Request, sequence number and NLM_F_ACK (unless a dump) set here
 * @cb:		Called for each data message of the answer, or NULL
 * @arg:	Argument for @cb
 *
 * Return: 0, the kernel's negative errno, -EBADMSG for a malformed answer,
 * the first negative value @cb returned, or another negative errno
 */
static int nl_do(int fd, struct nl_req *r,
		 int (*cb)(const struct nlmsghdr *nh, void *arg), void *arg)
{
	static uint32_t nl_seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nl_walk w = { .cb = cb, .arg = arg };
	ssize_t n;

	w.seq = ++nl_seq;
	r->nh.nlmsg_seq = w.seq;
	if ((r->nh.nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		r->nh.nlmsg_flags |= NLM_F_ACK;
	do {
		n = sendto(fd, r, r->nh.nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != r->nh.nlmsg_len)
		return -EIO;
	return nl_recv_answer(fd, &w);
}

/**
 * nl_socket() - Open a route netlink socket in the current network namespace
 *
 * Return: file descriptor (close-on-exec), or negative errno
 */
int nl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	return fd < 0 ? -errno : fd;
}

/**
 * nl_link_cb() - Take name, index and MTU from an RTM_NEWLINK message
 * @nh:		Message
 * @arg:	struct nl_link_q to fill
 *
 * Return: 0, or -EBADMSG if the message lacks a sane name or MTU
 */
static int nl_link_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifi = nl_msg_data(nh);
	const struct rtattr *tb[IFLA_MAX + 1];
	struct nl_link_q *l = arg;
	uint32_t mtu;
	size_t len;

	if (nh->nlmsg_type != RTM_NEWLINK ||
	    !nl_msg_attrs(nh, sizeof(*ifi), tb, IFLA_MAX + 1))
		return 0;
	if (ifi->ifi_index <= 0 || !tb[IFLA_IFNAME] ||
	    !nl_attr_u32(tb[IFLA_MTU], &mtu) || mtu > INT32_MAX)
		return -EBADMSG;
	len = strnlen((const char *)tb[IFLA_IFNAME] + RTA_LENGTH(0),
		      RTA_PAYLOAD(tb[IFLA_IFNAME]));
	if (!len || len >= IFNAMSIZ)
		return -EBADMSG;
	memcpy(l->ifname, (const char *)tb[IFLA_IFNAME] + RTA_LENGTH(0), len);
	l->ifname[len] = '\0';
	l->ifindex = ifi->ifi_index;
	l->mtu = (int)mtu;
	return 0;
}

/**
 * nl_link_query() - Name, index and MTU of one interface
 * @fd:		Netlink socket
 * @ifindex:	Interface index, or 0 to look up @ifname
 * @ifname:	Interface name if @ifindex is 0
 * @l:		Answer
 *
 * Return: 0, -ENODEV if there is no such interface, other negative errno
 */
static int nl_link_query(int fd, unsigned int ifindex, const char *ifname,
			 struct nl_link_q *l)
{
	struct nl_req r;
	struct ifinfomsg *ifi = nl_req_init(&r, RTM_GETLINK, 0, sizeof(*ifi));
	int rc;

	memset(l, 0, sizeof(*l));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	if (!ifindex) {
		if (!ifname || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
			return -EINVAL;
		rc = nl_attr_add(&r, IFLA_IFNAME, ifname, strlen(ifname) + 1);
		if (rc)
			return rc;
	}
	rc = nl_do(fd, &r, nl_link_cb, l);
	if (!rc && !l->ifindex)
		return -ENODEV;
	return rc;
}

/**
 * nl_route_nexthop() - Output interface and gateway of a route
 * @tb:		Attributes of the route
 * @alen:	Length of an address of the route's family
 * @oif:	Output interface, set on success
 * @gw:		Gateway, set if the route has one
 *
 * A multipath route gives its first next hop.
 *
 * Return: true if the route has a well-formed output interface and gateway
 */
static bool nl_route_nexthop(const struct rtattr *const *tb, size_t alen,
			     uint32_t *oif, const void **gw)
{
	const struct rtattr *ntb[RTA_MAX + 1];
	const struct rtnexthop *nh;
	size_t len;

	if (!tb[RTA_MULTIPATH]) {
		*gw = nl_attr_get(tb[RTA_GATEWAY], alen);
		if (tb[RTA_GATEWAY] && !*gw)
			return false;
		return nl_attr_u32(tb[RTA_OIF], oif);
	}
	nh = nl_attr_get(tb[RTA_MULTIPATH], RTA_PAYLOAD(tb[RTA_MULTIPATH]));
	len = RTA_PAYLOAD(tb[RTA_MULTIPATH]);
	if (len < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) ||
	    nh->rtnh_len > len || nh->rtnh_ifindex <= 0)
		return false;
	nl_attrs((const char *)nh + RTNH_LENGTH(0),
		 nh->rtnh_len - RTNH_LENGTH(0), ntb, RTA_MAX + 1);
	*gw = nl_attr_get(ntb[RTA_GATEWAY], alen);
	if (ntb[RTA_GATEWAY] && !*gw)
		return false;
	*oif = nh->rtnh_ifindex;
	return true;
}

/**
 * nl_route_cb() - Keep the default route of lowest metric seen so far
 * @nh:		Message, RTM_NEWROUTE expected
 * @arg:	struct nl_route_q to update
 *
 * Only unicast routes of the main table count, and not those through a
 * gateway of another family (RTA_VIA).
 *
 * Return: 0
 */
static int nl_route_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtmsg *rtm = nl_msg_data(nh);
	const struct rtattr *tb[RTA_MAX + 1];
	struct nl_route_q *q = arg;
	uint32_t table, metric = 0, oif = 0;
	const void *gw = NULL;
	size_t alen = nl_alen(q->af);

	if (nh->nlmsg_type != RTM_NEWROUTE ||
	    !nl_msg_attrs(nh, sizeof(*rtm), tb, RTA_MAX + 1))
		return 0;
	if (rtm->rtm_family != q->af || rtm->rtm_dst_len ||
	    rtm->rtm_type != RTN_UNICAST || tb[RTA_VIA])
		return 0;
	if (!nl_attr_u32(tb[RTA_TABLE], &table))
		table = rtm->rtm_table;
	nl_attr_u32(tb[RTA_PRIORITY], &metric);
	if (table != RT_TABLE_MAIN || !nl_route_nexthop(tb, alen, &oif, &gw))
		return 0;
	if ((q->oif && oif != q->oif) || (q->found && metric >= q->metric))
		return 0;
	q->found = true;
	q->metric = metric;
	q->ifindex = oif;
	memset(q->gw, 0, sizeof(q->gw));
	if (gw)
		memcpy(q->gw, gw, alen);
	return 0;
}

/**
 * nl_route_query() - Find the default route of lowest metric
 * @fd:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @oif:	Only routes through this interface, 0 for any
 * @q:		Answer, @q->found false if there is none
 *
 * Return: 0, or negative errno
 */
static int nl_route_query(int fd, int af, unsigned int oif,
			  struct nl_route_q *q)
{
	struct nl_req r;
	struct rtmsg *rtm = nl_req_init(&r, RTM_GETROUTE, NLM_F_DUMP,
					sizeof(*rtm));

	rtm->rtm_family = af;
	memset(q, 0, sizeof(*q));
	q->af = af;
	q->oif = oif;
	return nl_do(fd, &r, nl_route_cb, q);
}

/**
 * nl_addr_cb() - Keep the first usable global address of an interface
 * @nh:		Message, RTM_NEWADDR expected
 * @arg:	struct nl_addr_q to update
 *
 * Tentative, deprecated and failed addresses do not count. A primary IPv4
 * address, or a stable IPv6 one, is preferred to a secondary or temporary
 * one (the kernel uses the same flag bit for both).
 *
 * Return: 0
 */
static int nl_addr_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct ifaddrmsg *ifa = nl_msg_data(nh);
	const struct rtattr *tb[IFA_MAX + 1];
	struct nl_addr_q *q = arg;
	size_t alen = nl_alen(q->af);
	const void *a;
	uint32_t flags;

	if (nh->nlmsg_type != RTM_NEWADDR ||
	    !nl_msg_attrs(nh, sizeof(*ifa), tb, IFA_MAX + 1))
		return 0;
	if (ifa->ifa_family != q->af || ifa->ifa_index != q->ifindex ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE || ifa->ifa_prefixlen > alen * 8)
		return 0;
	if (!nl_attr_u32(tb[IFA_FLAGS], &flags))
		flags = ifa->ifa_flags;
	if (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED))
		return 0;
	if (q->found && (!q->secondary || (flags & IFA_F_SECONDARY)))
		return 0;
	a = nl_attr_get(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], alen);
	if (!a)
		return 0;
	q->found = true;
	q->secondary = flags & IFA_F_SECONDARY;
	q->prefix_len = ifa->ifa_prefixlen;
	memcpy(q->addr, a, alen);
	return 0;
}

/**
 * nl_addr_query() - Find the address to mirror on an interface
 * @fd:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifindex:	Interface
 * @q:		Answer
 *
 * Return: 0, -ENOENT if the interface has no usable address, other negative
 * errno
 */
static int nl_addr_query(int fd, int af, unsigned int ifindex,
			 struct nl_addr_q *q)
{
	struct nl_req r;
	struct ifaddrmsg *ifa = nl_req_init(&r, RTM_GETADDR, NLM_F_DUMP,
					    sizeof(*ifa));
	int rc;

	ifa->ifa_family = af;
	memset(q, 0, sizeof(*q));
	q->af = af;
	q->ifindex = ifindex;
	rc = nl_do(fd, &r, nl_addr_cb, q);
	if (!rc && !q->found)
		return -ENOENT;
	return rc;
}

/**
 * nl_host_query() - Interface, address and default route of one family
 * @fd:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifname:	Interface, or NULL for that of the default route
 * @l:		Interface found
 * @r:		Default route through it, @r->found false if none
 * @a:		Address on it
 *
 * Return: 0, -ENOENT without a default route (@ifname NULL) or a usable
 * address, -ENODEV if @ifname does not exist, other negative errno
 */
static int nl_host_query(int fd, int af, const char *ifname,
			 struct nl_link_q *l, struct nl_route_q *r,
			 struct nl_addr_q *a)
{
	int rc;

	if (ifname) {
		rc = nl_link_query(fd, 0, ifname, l);
		if (!rc)
			rc = nl_route_query(fd, af, l->ifindex, r);
	} else {
		rc = nl_route_query(fd, af, 0, r);
		if (!rc && !r->found)
			rc = -ENOENT;
		if (!rc)
			rc = nl_link_query(fd, r->ifindex, NULL, l);
	}
	if (!rc)
		rc = nl_addr_query(fd, af, l->ifindex, a);
	return rc;
}

/**
 * nl_host_get() - Query the current network namespace for one family
 * @af:		AF_INET or AF_INET6
 * @ifname:	Interface, or NULL for that of the default route
 * @ifindex:	Index of the interface found, set on success
 * @name:	Its name, IFNAMSIZ bytes, set on success
 * @mtu:	Its MTU, set on success
 * @addr:	Address on it, nl_alen(@af) bytes, set on success
 * @prefix_len:	Prefix length of @addr, set on success
 * @gw:		Gateway of the default route through it, nl_alen(@af) bytes,
 *		all zeroes if none or on-link, set on success
 *
 * Nothing is written on failure.
 *
 * Return: as nl_host_query()
 */
static int nl_host_get(int af, const char *ifname, unsigned int *ifindex,
		       char *name, int *mtu, void *addr, int *prefix_len,
		       void *gw)
{
	struct nl_link_q l;
	struct nl_route_q r;
	struct nl_addr_q a;
	int fd = nl_socket(), rc;

	if (fd < 0)
		return fd;
	rc = nl_host_query(fd, af, ifname, &l, &r, &a);
	close(fd);
	if (rc)
		return rc;
	*ifindex = l.ifindex;
	memcpy(name, l.ifname, IFNAMSIZ);
	*mtu = l.mtu;
	memcpy(addr, a.addr, nl_alen(af));
	*prefix_len = a.prefix_len;
	memcpy(gw, r.gw, nl_alen(af));
	return 0;
}

/**
 * nl_host4_get() - IPv4 address, prefix, gateway and MTU of a host interface
 * @ifname:	Interface, or NULL for that of the IPv4 default route of
 *		lowest metric
 * @h:		Filled from the current network namespace on success; @h->gw
 *		is 0 if @ifname has no default route or it is on-link
 *
 * Return: 0, -ENOENT if there is no default route (@ifname NULL) or no
 * usable address, -ENODEV if @ifname does not exist, other negative errno
 */
int nl_host4_get(const char *ifname, struct nl_host4 *h)
{
	return nl_host_get(AF_INET, ifname, &h->ifindex, h->ifname, &h->mtu,
			   &h->addr, &h->prefix_len, &h->gw);
}

/**
 * nl_host6_get() - IPv6 address, prefix, gateway and MTU of a host interface
 * @ifname:	Interface, or NULL for that of the IPv6 default route of
 *		lowest metric
 * @h:		Filled from the current network namespace on success; @h->gw
 *		is :: if @ifname has no default route or it is on-link
 *
 * Return: 0, -ENOENT if there is no default route (@ifname NULL) or no
 * usable global address, -ENODEV if @ifname does not exist, other negative
 * errno
 */
int nl_host6_get(const char *ifname, struct nl_host6 *h)
{
	return nl_host_get(AF_INET6, ifname, &h->ifindex, h->ifname, &h->mtu,
			   &h->addr, &h->prefix_len, &h->gw);
}

/**
 * nl_link_setup() - Set the MTU of an interface and bring it up or down
 * @nlfd:	Netlink socket
 * @ifindex:	Interface
 * @mtu:	MTU, or 0 to leave it
 * @up:		Bring the interface up (true) or down (false)
 *
 * Return: 0, or the kernel's negative errno
 */
int nl_link_setup(int nlfd, unsigned int ifindex, int mtu, bool up)
{
	struct nl_req r;
	struct ifinfomsg *ifi = nl_req_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));
	uint32_t m = mtu;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu > 0) {
		int rc = nl_attr_add(&r, IFLA_MTU, &m, sizeof(m));

		if (rc)
			return rc;
	}
	return nl_do(nlfd, &r, NULL, NULL);
}

/**
 * nl_addr_add() - Add an address to an interface
 * @nlfd:	Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifindex:	Interface
 * @a:		Address, 4 or 16 bytes
 * @prefix_len:	Prefix length
 * @flags:	IFA_F_* flags, 0 for none
 *
 * Return: 0, -EINVAL for a bad prefix length, or the kernel's negative errno
 */
static int nl_addr_add(int nlfd, int af, unsigned int ifindex, const void *a,
		       int prefix_len, uint32_t flags)
{
	size_t alen = nl_alen(af);
	struct nl_req r;
	struct ifaddrmsg *ifa = nl_req_init(&r, RTM_NEWADDR,
					    NLM_F_CREATE | NLM_F_EXCL,
					    sizeof(*ifa));
	int rc;

	if (prefix_len < 0 || (size_t)prefix_len > alen * 8)
		return -EINVAL;
	ifa->ifa_family = af;
	ifa->ifa_prefixlen = prefix_len;
	ifa->ifa_flags = flags & 0xff;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	rc = nl_attr_add(&r, IFA_LOCAL, a, alen);
	if (!rc)
		rc = nl_attr_add(&r, IFA_ADDRESS, a, alen);
	if (!rc && flags)
		rc = nl_attr_add(&r, IFA_FLAGS, &flags, sizeof(flags));
	return rc ? rc : nl_do(nlfd, &r, NULL, NULL);
}

/**
 * nl_addr4_add() - Add an IPv4 address to an interface
 * @nlfd:	Netlink socket
 * @ifindex:	Interface
 * @a:		Address
 * @prefix_len:	Prefix length, 0 to 32
 *
 * Return: 0, -EINVAL for a bad prefix length, or the kernel's negative errno
 */
int nl_addr4_add(int nlfd, unsigned int ifindex, struct in_addr a,
		 int prefix_len)
{
	return nl_addr_add(nlfd, AF_INET, ifindex, &a, prefix_len, 0);
}

/**
 * nl_addr6_add() - Add an IPv6 address to an interface, without DAD
 * @nlfd:	Netlink socket
 * @ifindex:	Interface
 * @a:		Address
 * @prefix_len:	Prefix length, 0 to 128
 *
 * Return: 0, -EINVAL for a bad prefix length, or the kernel's negative errno
 */
int nl_addr6_add(int nlfd, unsigned int ifindex, const struct in6_addr *a,
		 int prefix_len)
{
	return nl_addr_add(nlfd, AF_INET6, ifindex, a, prefix_len,
			   IFA_F_NODAD);
}

/**
 * nl_route_add() - Add a default route through an interface
 * @nlfd:	Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifindex:	Output interface
 * @gw:		Gateway, or NULL for an on-link default route
 * @onlink:	Take @gw as on the link even if no prefix covers it
 *
 * Return: 0, or the kernel's negative errno
 */
static int nl_route_add(int nlfd, int af, unsigned int ifindex,
			const void *gw, bool onlink)
{
	struct nl_req r;
	struct rtmsg *rtm = nl_req_init(&r, RTM_NEWROUTE,
					NLM_F_CREATE | NLM_F_EXCL,
					sizeof(*rtm));
	uint32_t oif = ifindex;
	int rc;

	rtm->rtm_family = af;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = gw && onlink ? RTNH_F_ONLINK : 0;
	rc = nl_attr_add(&r, RTA_OIF, &oif, sizeof(oif));
	if (!rc && gw)
		rc = nl_attr_add(&r, RTA_GATEWAY, gw, nl_alen(af));
	return rc ? rc : nl_do(nlfd, &r, NULL, NULL);
}

/**
 * nl_route4_default() - Add the IPv4 default route through an interface
 * @nlfd:	Netlink socket
 * @ifindex:	Output interface
 * @gw:		Gateway, taken as on the link even outside the interface's
 *		prefix; 0 for an on-link default route
 *
 * Return: 0, or the kernel's negative errno
 */
int nl_route4_default(int nlfd, unsigned int ifindex, struct in_addr gw)
{
	return nl_route_add(nlfd, AF_INET, ifindex, gw.s_addr ? &gw : NULL,
			    true);
}

/**
 * nl_route6_default() - Add the IPv6 default route through an interface
 * @nlfd:	Netlink socket
 * @ifindex:	Output interface
 * @gw:		Gateway (a global one is taken as on the link even outside
 *		the interface's prefixes), NULL or :: for an on-link route
 *
 * Return: 0, or the kernel's negative errno
 */
int nl_route6_default(int nlfd, unsigned int ifindex,
		      const struct in6_addr *gw)
{
	if (!gw || IN6_IS_ADDR_UNSPECIFIED(gw))
		return nl_route_add(nlfd, AF_INET6, ifindex, NULL, false);
	return nl_route_add(nlfd, AF_INET6, ifindex, gw,
			    !IN6_IS_ADDR_LINKLOCAL(gw));
}
