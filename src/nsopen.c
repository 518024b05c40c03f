// SPDX-License-Identifier: GPL-2.0-or-later
/* nsopen.c - A helper left in the namespace that opens loopback sockets
 * there for merd, once merd has shut itself in (-T auto, -U auto)
 *
 * merd cannot enter the guest's namespace after isolation. When -T or -U
 * is "auto", the child that builds or joins the namespace (ns.c, through
 * nsfwd.c) starts this helper there, detached (double fork), with one end
 * of a SOCK_SEQPACKET pair; merd keeps the other. The helper closes every
 * other descriptor and shuts itself in (isolation_helper_enter(): an empty
 * root, CAP_NET_BIND_SERVICE only, not dumpable, its own allow-list,
 * seccomp/nsopen.list), says so, then serves requests one at a time:
 *
 *   helper -> merd   int 0 once shut in, or int -errno (then it exits)
 *   merd -> helper   struct nsopen_req (protocol, family, port)
 *   helper -> merd   int 0 + the socket (SCM_RIGHTS), or int -errno
 *
 * Sockets are bound to 127.0.0.1 or ::1. The helper exits when merd's end
 * closes (merd exited). merd waits for each answer at most NSOPEN_WAIT_MS,
 * for the first NSOPEN_START_MS.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inany.h"
#include "isolation.h"
#include "nsopen.h"

#define NSOPEN_BACKLOG	128
#define NSOPEN_WAIT_MS	1000
#define NSOPEN_START_MS	10000	/* to shut itself in, on a loaded machine */

/**
 * struct nsopen_req - What merd asks the helper to open
 * @proto:	IPPROTO_TCP (listening socket) or IPPROTO_UDP (bound)
 * @v6:		::1 rather than 127.0.0.1
 * @port:	Port
 */
struct nsopen_req {
	uint8_t proto;
	uint8_t v6;
	uint16_t port;
};

/**
 * nsopen_socket() - Open a socket on the namespace's loopback
 * @req:	What to open, checked
 *
 * Return: socket, or negative errno
 */
static int nsopen_socket(const struct nsopen_req *req)
{
	int type = req->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	struct in6_addr a = in6addr_loopback;
	struct sockaddr_storage ss;
	int s, one = 1, rc;
	socklen_t sl;

	if (!req->v6)
		inany_from_v4(&a, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	sl = inany_sockaddr(&ss, &a, req->port);
	s = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   req->proto);
	if (s < 0)
		return -errno;
	if (!setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	    (!req->v6 || !setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				     sizeof(one))) &&
	    !bind(s, (struct sockaddr *)&ss, sl) &&
	    (type != SOCK_STREAM || !listen(s, NSOPEN_BACKLOG)))
		return s;
	rc = -errno;
	close(s);
	return rc;
}

/**
 * nsopen_answer() - Send the result of a request
 * @sock:	Helper's end
 * @rc:		0 with @fd, or negative errno
 * @fd:		Socket, or -1
 *
 * Return: 0, or -1 if merd's end is gone
 */
static int nsopen_answer(int sock, int rc, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &rc, .iov_len = sizeof(rc) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/**
 * nsopen_serve() - The helper: answer requests until merd goes
 * @sock:	Helper's end of the pair
 */
static void __attribute__((noreturn)) nsopen_serve(int sock)
{
	struct nsopen_req req;
	int rc;

	if (sock > 3)
		syscall(SYS_close_range, 3U, (unsigned int)sock - 1, 0U);
	syscall(SYS_close_range, (unsigned int)sock + 1, ~0U, 0U);
	rc = isolation_helper_enter();
	if (nsopen_answer(sock, rc, -1) || rc)
		_exit(1);
	while (read(sock, &req, sizeof(req)) == sizeof(req)) {
		int fd = -EINVAL;

		if ((req.proto == IPPROTO_TCP || req.proto == IPPROTO_UDP) &&
		    req.port)
			fd = nsopen_socket(&req);
		if (nsopen_answer(sock, fd < 0 ? fd : 0, fd))
			break;
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

/**
 * nsopen_ready() - Wait for the helper to say it is shut in
 * @sock:	merd's end of the pair
 *
 * Return: 0, the helper's negative errno, -ECHILD if it ended without a
 * word (killed), -ETIMEDOUT if it said nothing in NSOPEN_START_MS
 */
static int nsopen_ready(int sock)
{
	struct timeval tv = { .tv_sec = NSOPEN_START_MS / 1000,
			      .tv_usec = (NSOPEN_START_MS % 1000) * 1000L };
	int status = -EPROTO;
	ssize_t n;

	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	do
		n = recv(sock, &status, sizeof(status), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (n == 0)
		return -ECHILD;
	if (n != sizeof(status) || status > 0)
		return -EPROTO;
	return status;
}

/**
 * nsopen_spawn() - Start the helper, from inside the namespace
 *
 * Return: merd's end of the pair (close-on-exec), or negative errno, once
 * the helper said it is shut in
 */
int nsopen_spawn(void)
{
	int sv[2], rc = 0;
	struct timeval tv = { .tv_sec = NSOPEN_WAIT_MS / 1000,
			      .tv_usec = (NSOPEN_WAIT_MS % 1000) * 1000L };
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (!pid) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (fork())
			_exit(0);	/* the helper is reparented */
		close(sv[0]);
		nsopen_serve(sv[1]);
	}
	if (pid < 0)
		rc = -errno;
	else
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	close(sv[1]);
	if (!rc)
		rc = nsopen_ready(sv[0]);
	if (!rc && setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		rc = -errno;
	if (rc) {
		close(sv[0]);
		return rc;
	}
	return sv[0];
}

/**
 * nsopen_request() - Ask the helper for a socket on the namespace's loopback
 * @sock:	merd's end of the pair
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @v6:		::1 rather than 127.0.0.1
 * @port:	Port
 *
 * Return: the socket (non-blocking, close-on-exec), or negative errno
 * (-EPIPE if the helper is gone or did not answer in time)
 */
int nsopen_request(int sock, uint8_t proto, bool v6, uint16_t port)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct nsopen_req req = { .proto = proto, .v6 = v6, .port = port };
	int rc = 0, fd = -1;
	struct iovec iov = { .iov_base = &rc, .iov_len = sizeof(rc) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	const struct cmsghdr *cm;

	if (send(sock, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req) ||
	    recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(rc))
		return -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	if (!rc && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return rc < 0 ? rc : -EPROTO;
}
