/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - Route netlink: read the host's set-up, configure the guest's */
#ifndef MERD_NETLINK_H
#define MERD_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

/**
 * struct nl_host4 - IPv4 view of one host interface
 * @ifindex:	Interface index
 * @ifname:	Interface name
 * @addr:	First usable global address on it
 * @prefix_len:	Prefix length of @addr
 * @gw:		Gateway of the default route through it, 0 if none/on-link
 * @mtu:	Interface MTU
 */
struct nl_host4 {
	unsigned int ifindex;
	char ifname[IFNAMSIZ];
	struct in_addr addr;
	int prefix_len;
	struct in_addr gw;
	int mtu;
};

/**
 * struct nl_host6 - IPv6 view of one host interface
 * @ifindex:	Interface index
 * @ifname:	Interface name
 * @addr:	First usable global address (not tentative, not deprecated,
 *		a stable one preferred over a temporary one)
 * @prefix_len:	Prefix length of @addr
 * @gw:		Gateway of the default route (often link-local), :: if none
 * @mtu:	Interface MTU
 */
struct nl_host6 {
	unsigned int ifindex;
	char ifname[IFNAMSIZ];
	struct in6_addr addr;
	int prefix_len;
	struct in6_addr gw;
	int mtu;
};

int nl_host4_get(const char *ifname, struct nl_host4 *h);
int nl_host6_get(const char *ifname, struct nl_host6 *h);

int nl_socket(void);
int nl_link_setup(int nlfd, unsigned int ifindex, int mtu, bool up);
int nl_addr4_add(int nlfd, unsigned int ifindex, struct in_addr a,
		 int prefix_len);
int nl_addr6_add(int nlfd, unsigned int ifindex, const struct in6_addr *a,
		 int prefix_len);
int nl_route4_default(int nlfd, unsigned int ifindex, struct in_addr gw);
int nl_route6_default(int nlfd, unsigned int ifindex,
		      const struct in6_addr *gw);

#endif /* MERD_NETLINK_H */
