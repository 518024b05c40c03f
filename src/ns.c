// SPDX-License-Identifier: GPL-2.0-or-later
/* ns.c - Namespace mode: run a command in new user, network and mount
 * namespaces, behind a tap device that merd serves
 *
 * merd (parent) and the child talk over a SOCK_SEQPACKET socket pair:
 *
 *   parent                            child
 *   fork()  -------------------->     unshare(user, net, mount), id maps,
 *                                     lo up, tap: MTU, up, addresses,
 *                                     routes, /etc/resolv.conf
 *           <--------------------     int 0 + tap fd (SCM_RIGHTS),
 *                                     or int -errno, then exit 1
 *   tap fd, O_NONBLOCK, to the link
 *   ...merd ready, shut in...
 *   ns_release(): one byte  ----->    execvp(CMD)
 *   (or merd exits: end of file)      (or exit 1)
 *
 * The child reports its own set-up failure in one line; the parent only
 * returns the error. The parent's end of the socket stays in ns_sync_fd
 * between ns_spawn() and ns_release(): there is one guest per merd.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* unshare(), CLONE_NEW* */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/if_tun.h>
#include <linux/nsfs.h>

#include "log.h"
#include "netlink.h"
#include "ns.h"

#define NS_LO_IFINDEX	1	/* the kernel's loopback index, in every netns */
#define NS_RESOLV	"/etc/resolv.conf"
#define NS_ERRNO_MAX	4095
#define NS_EXTRA_BATCH	128	/* descriptors per message */

#ifndef OPEN_TREE_CLONE		/* <linux/mount.h> clashes with <sys/mount.h> */
#define OPEN_TREE_CLONE		1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH	0x00000004
#endif

static int ns_sync_fd = -1;	/* parent's end of the socket to the child */

/**
 * ns_fail() - Report a set-up failure in the child, in one line
 * @rc:		Negative errno
 * @fmt:	What failed, printf-style
 *
 * Return: @rc
 */
__attribute__((format(printf, 2, 3)))
static int ns_fail(int rc, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err("ns: %s: %s", what, strerror(-rc));
	return rc;
}

/**
 * ns_write_text() - Write a short text to a file, in one write
 * @path:	File
 * @flags:	Open flags beyond O_WRONLY | O_CLOEXEC: 0 for an existing
 *		file, O_CREAT | O_EXCL to create it (mode 0644)
 * @text:	Text
 *
 * Return: 0, -EIO if the text was written short, other negative errno
 */
static int ns_write_text(const char *path, int flags, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644), rc = 0;
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	close(fd);
	return rc;
}

/**
 * ns_enter() - Enter new user, network and mount namespaces as root inside
 *
 * Only our own ids are mapped (to 0), which needs no privilege, once
 * setgroups(2) is denied.
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_enter(void)
{
	unsigned int uid = geteuid(), gid = getegid();
	char map[32];
	int rc;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS))
		return ns_fail(-errno, "unshare user, net, mount namespaces");
	rc = ns_write_text("/proc/self/setgroups", 0, "deny");
	if (rc && rc != -ENOENT)
		return ns_fail(rc, "/proc/self/setgroups");
	snprintf(map, sizeof(map), "0 %u 1", uid);
	rc = ns_write_text("/proc/self/uid_map", 0, map);
	if (rc)
		return ns_fail(rc, "/proc/self/uid_map \"%s\"", map);
	snprintf(map, sizeof(map), "0 %u 1", gid);
	rc = ns_write_text("/proc/self/gid_map", 0, map);
	if (rc)
		return ns_fail(rc, "/proc/self/gid_map \"%s\"", map);
	return 0;
}

/**
 * ns_tap_open() - Create the tap device, each frame after a virtio-net
 * header (link.c uses it for checksum offload)
 * @name:	Device name
 * @ifindex:	Its interface index, set on success
 *
 * Return: tap file descriptor (blocking, close-on-exec), or negative errno
 * (reported)
 */
static int ns_tap_open(const char *name, unsigned int *ifindex)
{
	size_t len = strnlen(name, IFNAMSIZ);
	struct ifreq ifr;
	int fd, rc;

	if (len >= IFNAMSIZ)
		return ns_fail(-EINVAL, "tap name %.*s", IFNAMSIZ, name);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, len);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;	/* link.c */

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ns_fail(-errno, "open /dev/net/tun");
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		rc = ns_fail(-errno, "TUNSETIFF %s", name);
		close(fd);
		return rc;
	}
	*ifindex = if_nametoindex(ifr.ifr_name);
	if (!*ifindex) {
		rc = ns_fail(-errno, "index of %s", ifr.ifr_name);
		close(fd);
		return rc;
	}
	return fd;
}

/**
 * ns_net_v4() - Give the tap device its IPv4 address and default route
 * @nlfd:	Netlink socket
 * @cfg:	Guest set-up
 * @ifindex:	Tap device
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_net_v4(int nlfd, const struct ns_guest_cfg *cfg,
		     unsigned int ifindex)
{
	char a[INET_ADDRSTRLEN];
	int rc;

	rc = nl_addr4_add(nlfd, ifindex, cfg->addr4, cfg->prefix4);
	if (rc)
		return ns_fail(rc, "address %s/%d on %s",
			       inet_ntop(AF_INET, &cfg->addr4, a, sizeof(a)),
			       cfg->prefix4, cfg->tap_name);
	rc = nl_route4_default(nlfd, ifindex, cfg->gw4);
	if (rc)
		return ns_fail(rc, "default route via %s on %s",
			       inet_ntop(AF_INET, &cfg->gw4, a, sizeof(a)),
			       cfg->tap_name);
	return 0;
}

/**
 * ns_net_v6() - Give the tap device its IPv6 address and default route
 * @nlfd:	Netlink socket
 * @cfg:	Guest set-up
 * @ifindex:	Tap device
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_net_v6(int nlfd, const struct ns_guest_cfg *cfg,
		     unsigned int ifindex)
{
	char a[INET6_ADDRSTRLEN];
	int rc;

	if (!IN6_IS_ADDR_UNSPECIFIED(&cfg->addr6)) {
		rc = nl_addr6_add(nlfd, ifindex, &cfg->addr6, cfg->prefix6);
		if (rc)
			return ns_fail(rc, "address %s/%d on %s",
				       inet_ntop(AF_INET6, &cfg->addr6, a,
						 sizeof(a)),
				       cfg->prefix6, cfg->tap_name);
	}
	rc = nl_route6_default(nlfd, ifindex, &cfg->gw6);
	if (rc)
		return ns_fail(rc, "default route via %s on %s",
			       inet_ntop(AF_INET6, &cfg->gw6, a, sizeof(a)),
			       cfg->tap_name);
	return 0;
}

/**
 * ns_no_dad() - Turn off duplicate address detection on the tap
 * @tap:	Tap device name
 *
 * merd is the only other node on the link and never claims the guest's
 * addresses: detection would only hold IPv6 back for its first seconds.
 * Best effort: without IPv6 in the namespace the file is missing.
 */
static void ns_no_dad(const char *tap)
{
	char path[64 + IFNAMSIZ];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad",
		 tap);
	ns_write_text(path, 0, "0");
}

/**
 * ns_net_setup() - Bring up lo and the tap device, add addresses and routes
 * @cfg:	Guest set-up
 * @ifindex:	Tap device
 *
 * The tap device must be up before IPv6 routes can use it.
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_net_setup(const struct ns_guest_cfg *cfg, unsigned int ifindex)
{
	int nlfd = nl_socket(), rc;

	if (nlfd < 0)
		return ns_fail(nlfd, "netlink socket");
	rc = nl_link_setup(nlfd, NS_LO_IFINDEX, 0, true);
	if (rc) {
		ns_fail(rc, "bringing lo up");
	} else {
		ns_no_dad(cfg->tap_name);
		rc = nl_link_setup(nlfd, ifindex, cfg->mtu, true);
		if (rc)
			ns_fail(rc, "MTU %d and up on %s", cfg->mtu,
				cfg->tap_name);
	}
	if (!rc && cfg->v4)
		rc = ns_net_v4(nlfd, cfg, ifindex);
	if (!rc && cfg->v6)
		rc = ns_net_v6(nlfd, cfg, ifindex);
	close(nlfd);
	return rc;
}

/**
 * ns_bind_file() - Bind a file over another, or over a link to nowhere
 * @src:	File to show
 * @dst:	Path to cover
 *
 * mount(2) follows @dst if it is a symbolic link, and fails if the link
 * dangles (systemd-resolved's, with the service stopped): then a detached
 * copy of @src is moved onto the link itself (open_tree(2), Linux 5.2).
 *
 * Return: 0, or negative errno (the one of mount(2) if both ways fail)
 */
static int ns_bind_file(const char *src, const char *dst)
{
	int rc;

	if (!mount(src, dst, NULL, MS_BIND, NULL))
		return 0;
	rc = -errno;
#if defined(SYS_open_tree) && defined(SYS_move_mount)
	if (rc == -ENOENT) {
		int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src,
				 OPEN_TREE_CLONE | O_CLOEXEC);

		if (fd >= 0 && !syscall(SYS_move_mount, fd, "", AT_FDCWD, dst,
					MOVE_MOUNT_F_EMPTY_PATH))
			rc = 0;
		if (fd >= 0)
			close(fd);
	}
#endif
	return rc;
}

/**
 * ns_resolv_bind() - Show a text as /etc/resolv.conf, in our mount namespace
 * @text:	Contents
 *
 * A memfd cannot be the source of a bind mount (its internal mount is not
 * in our namespace: EINVAL), so the file lives on a small tmpfs, mounted for
 * a moment on a directory that is not on the way to /etc/resolv.conf, then
 * detached again: the bind mount keeps the file. mount(2) follows symbolic
 * links, so a link (systemd-resolved's) gets its target covered, a link to
 * nowhere gets covered itself (see ns_bind_file()), and an existing bind
 * mount (ip netns exec's) gets covered by ours.
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_resolv_bind(const char *text)
{
	static const char *const dirs[] = { "/tmp", "/dev" };
	const char *dir = NULL;
	char path[32];
	size_t i;
	int rc;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return ns_fail(-errno, "making mounts private");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !dir; i++) {
		if (!mount("tmpfs", dirs[i], "tmpfs",
			   MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0700"))
			dir = dirs[i];
	}
	if (!dir)
		return ns_fail(-errno, "tmpfs on %s for resolv.conf", dirs[0]);
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	rc = ns_write_text(path, O_CREAT | O_EXCL, text);
	if (rc) {
		ns_fail(rc, "writing %s", path);
	} else {
		rc = ns_bind_file(path, NS_RESOLV);
		if (rc)
			ns_fail(rc, "bind mount over %s", NS_RESOLV);
	}
	umount2(dir, MNT_DETACH);
	return rc;
}

/**
 * ns_child_setup() - Build the guest's namespaces, in the child
 * @cfg:	Guest set-up
 *
 * Return: tap file descriptor, or negative errno (reported)
 */
static int ns_child_setup(const struct ns_guest_cfg *cfg)
{
	unsigned int ifindex = 0;
	int tap, rc;

	rc = ns_enter();
	if (rc)
		return rc;
	tap = ns_tap_open(cfg->tap_name, &ifindex);
	if (tap < 0)
		return tap;
	rc = ns_net_setup(cfg, ifindex);
	if (!rc && cfg->resolv_conf)
		rc = ns_resolv_bind(cfg->resolv_conf);
	if (rc) {
		close(tap);
		return rc;
	}
	return tap;
}

/**
 * ns_send_fds() - Send a message with descriptors
 * @sock:	Socket
 * @data:	Payload
 * @len:	Its length
 * @fds:	Descriptors, NULL with @n = 0
 * @n:		How many, at most NS_EXTRA_BATCH
 *
 * Return: 0, or negative errno
 */
static int ns_send_fds(int sock, const void *data, size_t len, const int *fds,
		       unsigned int n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * NS_EXTRA_BATCH)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n) {
		struct cmsghdr *cmsg;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/**
 * ns_recv_fds() - Receive a message and the descriptors it carries
 * @sock:	Socket
 * @data:	Payload buffer
 * @len:	Its size
 * @fds:	Descriptors received (close-on-exec), NS_EXTRA_BATCH of room
 * @n:		How many, set
 *
 * Return: payload length, or negative errno
 */
static ssize_t ns_recv_fds(int sock, void *data, size_t len, int *fds, int *n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * NS_EXTRA_BATCH)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	const struct cmsghdr *cmsg;
	ssize_t r;

	*n = 0;
	do {
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
	     cmsg = CMSG_NXTHDR(&msg, (struct cmsghdr *)cmsg)) {
		size_t k;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (*n + k > NS_EXTRA_BATCH)
			k = NS_EXTRA_BATCH - (size_t)*n;
		memcpy(fds + *n, CMSG_DATA(cmsg), k * sizeof(int));
		*n += (int)k;
	}
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))
		return -EPROTO;
	return r;
}

/**
 * ns_send() - Send the set-up status, and the tap device if ready
 * @sock:	Child's end of the socket pair
 * @status:	0, or the negative errno of the failure
 * @fd:		Tap file descriptor, or -1 on failure
 *
 * Return: 0, or negative errno
 */
static int ns_send(int sock, int status, int fd)
{
	return ns_send_fds(sock, &status, sizeof(status), fd >= 0 ? &fd : NULL,
			   fd >= 0 ? 1 : 0);
}

/**
 * ns_extra_send() - Open the extra descriptors in the namespace, send them
 * @sock:	Child's end of the socket pair
 * @extra:	What to open, NULL for nothing
 *
 * Messages: an int count N, then N slot numbers, with N descriptors; a
 * message with N = 0 ends the list.
 *
 * Return: 0, or negative errno (reported if the opening failed)
 */
static int ns_extra_send(int sock, struct ns_extra *extra)
{
	int msg[1 + NS_EXTRA_BATCH], fds[NS_EXTRA_BATCH], rc;
	unsigned int i, k = 0;

	if (extra && extra->n) {
		rc = extra->open(extra->arg, extra->fds, extra->n);
		if (rc) {
			msg[0] = rc;
			ns_send_fds(sock, msg, sizeof(int), NULL, 0);
			return rc;
		}
	}
	for (i = 0; extra && i <= extra->n; i++) {
		bool last = i == extra->n;

		if (!last && extra->fds[i] >= 0) {
			msg[1 + k] = (int)i;
			fds[k++] = extra->fds[i];
		}
		if (k && (k == NS_EXTRA_BATCH || last)) {
			msg[0] = (int)k;
			rc = ns_send_fds(sock, msg, (1 + k) * sizeof(int),
					 fds, k);
			if (rc)
				return rc;
			k = 0;
		}
	}
	msg[0] = 0;
	return ns_send_fds(sock, msg, sizeof(int), NULL, 0);
}

/**
 * ns_extra_recv() - Receive the extra descriptors into their slots
 * @sock:	Parent's end of the socket pair
 * @extra:	Slots to fill (all set to -1 first), NULL for nothing
 *
 * Return: 0, or negative errno (reported, by the child if it failed
 * there; -EPROTO for a malformed message)
 */
static int ns_extra_recv(int sock, struct ns_extra *extra)
{
	unsigned int i;

	for (i = 0; extra && i < extra->n; i++)
		extra->fds[i] = -1;
	for (;;) {
		int msg[1 + NS_EXTRA_BATCH], fds[NS_EXTRA_BATCH], nfd = 0, k;
		ssize_t len = ns_recv_fds(sock, msg, sizeof(msg), fds, &nfd);

		if (len == (ssize_t)sizeof(int) && !nfd && msg[0] < 0 &&
		    msg[0] >= -NS_ERRNO_MAX)
			return msg[0];	/* reported by the child */
		if (len < (ssize_t)sizeof(int) || msg[0] < 0 ||
		    msg[0] > NS_EXTRA_BATCH || msg[0] != nfd ||
		    len != (ssize_t)((1 + nfd) * sizeof(int))) {
			for (k = 0; k < nfd; k++)
				close(fds[k]);
			return ns_fail(len < 0 ? (int)len : -EPROTO,
				       "descriptors from the namespace");
		}
		if (!nfd)
			return 0;
		for (k = 0; k < nfd; k++) {
			unsigned int slot = (unsigned int)msg[1 + k];

			if (!extra || slot >= extra->n || extra->fds[slot] >= 0)
				close(fds[k]);
			else
				extra->fds[slot] = fds[k];
		}
	}
}

/**
 * ns_exec() - Run the command, with the signal state a shell expects
 * @argv:	Command and arguments, NULL or empty for $SHELL or /bin/sh
 *
 * merd blocks the signals it reads from a signalfd and ignores SIGPIPE: the
 * mask and an ignored disposition would survive execve(), so both are reset.
 * Exits 127 if the command is not found, 126 if it cannot be run, as shells.
 */
static void __attribute__((noreturn)) ns_exec(char *const argv[])
{
	char *shell[] = { getenv("SHELL"), NULL };
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (!argv || !argv[0]) {
		if (!shell[0] || !shell[0][0])
			shell[0] = "/bin/sh";
		argv = shell;
	}
	execvp(argv[0], argv);
	e = errno;
	err("ns: exec %s: %s", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/**
 * ns_child_unprivileged() - Make a child of a privileged merd writable
 * through /proc, holding nothing of merd's
 * @sock:	Child's end of the socket pair, kept
 *
 * A merd that changed user (--runas) or gained CAP_NET_RAW from its file
 * is not dumpable, so its child could not write its own uid and gid maps.
 * Such a child first closes every descriptor but stdio and @sock (raw
 * sockets among them: no other process of the user may get hold of
 * them), then becomes dumpable as any process of the user. A child of an
 * ordinary merd is left as it is.
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_child_unprivileged(int sock)
{
	unsigned int s = (unsigned int)sock;
	int rc;

	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1)
		return 0;
	if (s < 3)
		rc = close_range(3, ~0U, 0);
	else
		rc = (s > 3 && close_range(3, s - 1, 0)) ||
		     close_range(s + 1, ~0U, 0);
	if (rc)
		return ns_fail(-errno, "close inherited descriptors");
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return ns_fail(-errno, "dumpable");
	return 0;
}

/**
 * ns_child() - Child side: set up, hand over the tap, wait, run the command
 * @cfg:	Guest set-up
 * @argv:	Command, see ns_exec()
 * @sock:	Child's end of the socket pair
 * @extra:	Descriptors to open inside for merd, NULL for none
 */
static void __attribute__((noreturn)) ns_child(const struct ns_guest_cfg *cfg,
					       char *const argv[], int sock,
					       struct ns_extra *extra)
{
	int tap = ns_child_unprivileged(sock);
	ssize_t n;
	char go;

	if (!tap)
		tap = ns_child_setup(cfg);
	if (tap < 0) {
		ns_send(sock, tap, -1);
		_exit(1);
	}
	if (ns_send(sock, 0, tap) || ns_extra_send(sock, extra))
		_exit(1);
	close(tap);
	do {
		n = read(sock, &go, sizeof(go));
	} while (n < 0 && errno == EINTR);
	if (n != sizeof(go))
		_exit(1);	/* merd gave up before the start */
	close(sock);
	ns_exec(argv);
}

/**
 * ns_recv_tap() - Receive the child's set-up status and its tap device
 * @sock:	Parent's end of the socket pair
 *
 * Return: tap file descriptor (close-on-exec), the child's negative errno
 * (the child reported it), -ECHILD if the child ended without a word,
 * other negative errno (reported)
 */
static int ns_recv_tap(int sock)
{
	int status = 0, fds[NS_EXTRA_BATCH], n, i;
	ssize_t len = ns_recv_fds(sock, &status, sizeof(status), fds, &n);

	if (len == (ssize_t)sizeof(status) && !status && n == 1)
		return fds[0];
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (len < 0)
		return ns_fail((int)len, "set-up status");
	if (len == 0)
		return ns_fail(-ECHILD, "set-up ended without a word");
	if (len != (ssize_t)sizeof(status) || status >= 0 ||
	    status < -NS_ERRNO_MAX)
		return ns_fail(-EPROTO, "set-up status");
	return status;
}

/**
 * ns_recv() - Receive what the child sends: status, tap, extra descriptors
 * @sock:	Parent's end of the socket pair
 * @extra:	Slots for the extra descriptors, NULL for none
 *
 * Return: tap file descriptor (close-on-exec), or negative errno
 * (reported, by the child or here; no descriptor left open)
 */
static int ns_recv(int sock, struct ns_extra *extra)
{
	int fd = ns_recv_tap(sock), rc;

	if (fd < 0)
		return fd;
	rc = ns_extra_recv(sock, extra);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/**
 * ns_spawn() - Start a command in new namespaces behind a configured tap
 * @cfg:	Guest set-up
 * @argv:	Command and arguments, NULL or empty for $SHELL or /bin/sh
 * @tap_fd:	Tap device, non-blocking and close-on-exec, set on success
 * @pid:	Child process, set on success: merd's to wait for
 * @extra:	Descriptors to open inside for merd, NULL for none
 *
 * The command does not start before ns_release(). If set-up fails inside,
 * the child reports what failed on stderr and is reaped here.
 *
 * Return: 0, or negative errno, reported in one line (-EBUSY if a child
 * already waits for ns_release(), the child's set-up failure, fork or
 * socket errors)
 */
int ns_spawn(const struct ns_guest_cfg *cfg, char *const argv[], int *tap_fd,
	     pid_t *pid, struct ns_extra *extra)
{
	int sv[2], fd, rc;
	pid_t child;

	if (ns_sync_fd >= 0)
		return ns_fail(-EBUSY, "a namespace is already waiting");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return ns_fail(-errno, "socketpair");
	child = fork();
	if (child < 0) {
		rc = ns_fail(-errno, "fork");
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (!child) {
		close(sv[0]);
		ns_child(cfg, argv, sv[1], extra);
	}
	close(sv[1]);
	fd = ns_recv(sv[0], extra);
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		rc = ns_fail(-errno, "non-blocking tap");
		close(fd);
		fd = rc;
	}
	if (fd < 0) {
		close(sv[0]);	/* end of file: a waiting child exits */
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return fd;
	}
	ns_sync_fd = sv[0];
	*tap_fd = fd;
	*pid = child;
	return 0;
}

/**
 * ns_release() - Let the command start: merd serves the tap from now on
 *
 * Called once merd is shut in (isolation.c), so that no guest ever runs
 * beside a merd that is not: it only sends and closes.
 *
 * Return: 0, -EBADF without a child waiting, or negative errno (the child
 * is gone: merd learns it from SIGCHLD)
 */
int ns_release(void)
{
	ssize_t n;
	int rc;

	if (ns_sync_fd < 0)
		return -EBADF;
	do {
		n = send(ns_sync_fd, "g", 1, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	rc = n == 1 ? 0 : -errno;
	close(ns_sync_fd);
	ns_sync_fd = -1;
	return rc;
}

/**
 * ns_exit_code() - merd's exit code for the command's wait status
 * @wstatus:	Status from waitpid()
 *
 * Return: the command's exit code, 128 + signal if it was killed, 1 if the
 * status says neither
 */
int ns_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/**
 * ns_target_open() - Open the network namespace to attach to
 * @target:	PID, or path of a netns file (/proc/PID/ns/net, a bind mount
 *		such as /run/user/UID/netns/NAME)
 *
 * Return: file descriptor, or negative errno (reported)
 */
static int ns_target_open(const char *target)
{
	char path[PATH_MAX];
	int fd;

	if (target[0] && strspn(target, "0123456789") == strlen(target))
		snprintf(path, sizeof(path), "/proc/%s/ns/net", target);
	else
		snprintf(path, sizeof(path), "%s", target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err("--netns %s: cannot open %s: %s", target, path,
		    strerror(errno));
		return -errno;
	}
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		err("--netns %s: not a network namespace", target);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/**
 * ns_join() - Join a network namespace, and the user namespace owning it
 * if that is not ours
 * @netns:	Network namespace file descriptor
 *
 * Return: 0, or negative errno (reported)
 */
static int ns_join(int netns)
{
	struct stat mine, owner;
	int userns = ioctl(netns, NS_GET_USERNS), rc = 0;

	if (userns < 0)
		return ns_fail(-errno, "owner of the network namespace");
	if (stat("/proc/self/ns/user", &mine) || fstat(userns, &owner)) {
		rc = ns_fail(-errno, "stat user namespace");
	} else if ((mine.st_ino != owner.st_ino ||
		    mine.st_dev != owner.st_dev) &&
		   setns(userns, CLONE_NEWUSER)) {
		rc = ns_fail(-errno, "join the namespace's user namespace");
	}
	close(userns);
	if (!rc && setns(netns, CLONE_NEWNET))
		rc = ns_fail(-errno, "join the network namespace");
	return rc;
}

/**
 * ns_attach_child() - Child side of ns_attach(): join, open, configure
 * @netns:	Network namespace file descriptor
 * @cfg:	Guest set-up, NULL to leave the namespace's set-up alone
 * @tap_name:	Tap device to create, or to attach to if it exists
 * @sock:	Child's end of the socket pair
 * @extra:	Descriptors to open inside for merd, NULL for none
 */
static void __attribute__((noreturn)) ns_attach_child(int netns,
						       const struct ns_guest_cfg *cfg,
						       const char *tap_name,
						       int sock,
						       struct ns_extra *extra)
{
	unsigned int ifindex = 0;
	int tap = -1, rc;

	rc = ns_join(netns);
	if (!rc) {
		tap = ns_tap_open(tap_name, &ifindex);
		rc = tap < 0 ? tap : 0;
	}
	if (!rc && cfg) {
		ns_no_dad(tap_name);
		rc = ns_net_setup(cfg, ifindex);
	}
	if (ns_send(sock, rc, rc ? -1 : tap) || rc ||
	    ns_extra_send(sock, extra))
		_exit(1);
	_exit(0);
}

/**
 * ns_attach() - Serve a tap device in an existing network namespace
 * @target:	PID or netns path, see ns_target_open()
 * @cfg:	Guest set-up to apply, NULL to leave the namespace alone
 * @tap_name:	Tap device name
 * @tap_fd:	Tap device, non-blocking and close-on-exec, set on success
 * @extra:	Descriptors to open inside for merd, NULL for none
 *
 * A short-lived child joins the namespace (and its owning user namespace:
 * an unprivileged user may, for namespaces it created), opens the tap and
 * hands it over; merd itself never leaves its own namespaces. When the
 * namespace goes away, the tap device goes with it, and reading the tap
 * fails: merd then stops.
 *
 * Return: 0, or negative errno (reported in one line, here or by the child)
 */
int ns_attach(const char *target, const struct ns_guest_cfg *cfg,
	      const char *tap_name, int *tap_fd, struct ns_extra *extra)
{
	int netns = ns_target_open(target), sv[2], fd, rc;
	pid_t child;

	if (netns < 0)
		return netns;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		rc = ns_fail(-errno, "socketpair");
		close(netns);
		return rc;
	}
	child = fork();
	if (!child) {
		close(sv[0]);
		ns_attach_child(netns, cfg, tap_name, sv[1], extra);
	}
	close(sv[1]);
	close(netns);
	if (child < 0) {
		rc = ns_fail(-errno, "fork");
		close(sv[0]);
		return rc;
	}
	fd = ns_recv(sv[0], extra);
	close(sv[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		rc = ns_fail(-errno, "non-blocking tap");
		close(fd);
		return rc;
	}
	*tap_fd = fd;
	return 0;
}

/**
 * ns_target_pid() - PID a target names: "PID" or "/proc/PID/ns/net"
 * @target:	--netns argument
 *
 * Return: the PID, or 0 if @target is another path
 */
static pid_t ns_target_pid(const char *target)
{
	unsigned long pid;
	char *end;

	if (!strncmp(target, "/proc/", 6))
		target += 6;
	if (*target < '1' || *target > '9')
		return 0;
	pid = strtoul(target, &end, 10);
	if (pid > INT_MAX || (*end && strcmp(end, "/ns/net") != 0))
		return 0;
	return (pid_t)pid;
}

/**
 * ns_watch() - Something to poll that says when the namespace is gone
 * @target:	--netns argument
 *
 * The tap file descriptor keeps the namespace alive, so its end cannot be
 * seen on the tap: a PID target is watched through a pidfd (the namespace
 * ends with its process), a bind-mounted namespace file through inotify on
 * its directory (ip netns delete removes it). A target that does not exist
 * is reported here, as the one line of the failure.
 *
 * Return: file descriptor to poll for reading, or negative errno (reported)
 */
int ns_watch(const char *target)
{
	pid_t pid = ns_target_pid(target);
	char dir[PATH_MAX], *slash;
	struct stat st;
	int fd;

	if (pid)
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
	else
		fd = stat(target, &st);
	if (fd < 0) {
		err("--netns %s: %s", target, strerror(errno));
		return -errno;
	}
	if (pid)
		return fd;
	snprintf(dir, sizeof(dir), "%s", target);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return ns_fail(-errno, "inotify_init1");
	if (inotify_add_watch(fd, dir, IN_DELETE | IN_DELETE_SELF |
					IN_MOVED_FROM | IN_UNMOUNT) < 0) {
		int rc = ns_fail(-errno, "watch %s", dir);

		close(fd);
		return rc;
	}
	return fd;
}

/**
 * ns_gone() - Check, after the watch fired, whether the namespace is gone
 * @fd:		File descriptor from ns_watch()
 * @target:	--netns argument
 *
 * No path can be looked at here: merd's root is empty by now.
 *
 * Return: true if merd should stop
 */
bool ns_gone(int fd, const char *target)
{
	union {
		char buf[4096];
		struct inotify_event align;
	} u;
	const char *name = strrchr(target, '/');
	ssize_t n;

	if (ns_target_pid(target))
		return true;		/* a pidfd is readable once it exited */
	name = name ? name + 1 : target;
	while ((n = read(fd, u.buf, sizeof(u.buf))) > 0) {
		ssize_t off = 0;

		while (off + (ssize_t)sizeof(struct inotify_event) <= n) {
			const struct inotify_event *ev =
				(const struct inotify_event *)(u.buf + off);

			if (ev->mask & (IN_DELETE_SELF | IN_UNMOUNT |
					IN_IGNORED) ||
			    (ev->len && !strcmp(ev->name, name)))
				return true;
			off += (ssize_t)sizeof(*ev) + ev->len;
		}
	}
	return false;	/* an event for another file of that directory */
}
