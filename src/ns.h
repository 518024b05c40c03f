/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns.h - Namespace mode: a command in new namespaces behind a tap device */
#ifndef MERD_NS_H
#define MERD_NS_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

/**
 * struct ns_guest_cfg - Set-up of the guest's network namespace
 * @tap_name:	Name of the tap device inside ("tap0")
 * @mtu:	Its MTU (65520), 0 to keep the kernel's
 * @v4:		Configure IPv4
 * @addr4:	IPv4 address of the tap device
 * @prefix4:	Its prefix length
 * @gw4:	IPv4 default gateway, 0 for an on-link default route
 * @v6:		Configure IPv6 (link-local addressing is the kernel's)
 * @addr6:	IPv6 address of the tap device, added without DAD; :: for none
 * @prefix6:	Its prefix length
 * @gw6:	IPv6 default gateway, :: for an on-link default route
 * @resolv_conf: Text shown as /etc/resolv.conf inside, NULL to leave it
 */
struct ns_guest_cfg {
	char tap_name[IFNAMSIZ];
	int mtu;
	bool v4;
	struct in_addr addr4;
	int prefix4;
	struct in_addr gw4;
	bool v6;
	struct in6_addr addr6;
	int prefix6;
	struct in6_addr gw6;
	const char *resolv_conf;
};

#define NS_EXTRA_MAX	2048	/* descriptors opened inside for merd */

/**
 * struct ns_extra - Descriptors opened inside the namespace for merd, before
 * it shuts itself in: listening sockets of -T/-U, /proc/net files of "auto"
 * @open:	Called in the namespace (in a child of merd): fills @fds,
 *		-1 where a slot stays empty; returns 0 or negative errno
 *		(reported)
 * @arg:	Its argument
 * @fds:	Slots, filled in merd with what the child opened
 * @n:		Slots in use, set by the caller before the call
 */
struct ns_extra {
	int (*open)(void *arg, int *fds, unsigned int n);
	void *arg;
	int fds[NS_EXTRA_MAX];
	unsigned int n;
};

int ns_spawn(const struct ns_guest_cfg *cfg, char *const argv[], int *tap_fd,
	     pid_t *pid, struct ns_extra *extra);
int ns_release(void);
int ns_attach(const char *target, const struct ns_guest_cfg *cfg,
	      const char *tap_name, int *tap_fd, struct ns_extra *extra);
int ns_exit_code(int wstatus);
int ns_watch(const char *target);
bool ns_gone(int fd, const char *target);

#endif /* MERD_NS_H */
