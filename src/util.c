// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - epoll registration, listening UNIX sockets and counter reporting
 * shared by every module */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "merd.h"

static const char *const counter_names[] = {
#define COUNTER_NAME(name) #name,
	MERD_COUNTERS(COUNTER_NAME)
#undef COUNTER_NAME
};

/**
 * epoll_add() - Watch a file descriptor
 * @c:		Execution context
 * @fd:		File descriptor
 * @events:	epoll events
 * @ref:	Reference returned with events, see EPOLL_REF()
 *
 * Return: 0 on success, negative errno on failure
 */
int epoll_add(const struct ctx *c, int fd, uint32_t events, uint64_t ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_mod() - Change what is watched on a file descriptor
 * @c:		Execution context
 * @fd:		File descriptor, already watched
 * @events:	epoll events
 * @ref:	Reference returned with events
 *
 * Return: 0 on success, negative errno on failure
 */
int epoll_mod(const struct ctx *c, int fd, uint32_t events, uint64_t ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_MOD, fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_del() - Stop watching a file descriptor
 * @c:		Execution context
 * @fd:		File descriptor
 */
void epoll_del(const struct ctx *c, int fd)
{
	epoll_ctl(c->epollfd, EPOLL_CTL_DEL, fd, NULL);
}

/**
 * epoll_close() - Stop watching a file descriptor and close it
 * @c:		Execution context
 * @fd:		File descriptor, set to -1; nothing is done if already negative
 */
void epoll_close(const struct ctx *c, int *fd)
{
	if (*fd < 0)
		return;
	epoll_del(c, *fd);
	close(*fd);
	*fd = -1;
}

/**
 * counters_log() - Print every counter on one line
 * @c:		Execution context
 * @prefix:	What the line starts with
 * @asked:	The user asked for it (SIGUSR1): printed even with -q
 */
void counters_log(const struct ctx *c, const char *prefix, bool asked)
{
	char line[2048];
	size_t used = 0;
	int i;

	line[0] = '\0';
	for (i = 0; i < CNT_MAX && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 "%s%s=%llu", i ? " " : "",
					 counter_names[i],
					 (unsigned long long)c->counters[i]);
	if (asked)
		log_always(LOG_LVL_INFO, "%s: %s flows_active=%u", prefix, line,
			   c->flows.n_active);
	else
		info("%s: %s flows_active=%u", prefix, line, c->flows.n_active);
}

/**
 * unix_listen() - Listen on a UNIX stream socket, replacing a stale one
 * @what:	What the socket is for, in error lines ("control socket")
 * @path:	Socket path
 * @backlog:	listen() backlog
 * @private:	Create it owner-only (mode 0600)
 *
 * Return: non-blocking, close-on-exec listening socket, or negative errno
 * (reported)
 */
int unix_listen(const char *what, const char *path, int backlog, bool private)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t mask = 0;
	int fd, rc;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		err("%s path too long: %s", what, path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (private)
		mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (private)
		umask(mask);
	if (rc || listen(fd, backlog)) {
		rc = -errno;
		err("%s %s: %s", what, path, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

/**
 * unix_serve() - Listen on an owner-only UNIX stream socket and watch it
 * @c:		Execution context
 * @what:	What the socket is for, in error lines ("control socket")
 * @path:	Socket path; a stale socket there is replaced
 * @backlog:	listen() backlog
 * @ref:	Reference returned with its events, see EPOLL_REF()
 *
 * Return: the listening socket, or negative errno (reported)
 */
int unix_serve(const struct ctx *c, const char *what, const char *path,
	       int backlog, uint64_t ref)
{
	int fd = unix_listen(what, path, backlog, true), rc;

	if (fd < 0)
		return fd;
	rc = epoll_add(c, fd, EPOLLIN, ref);
	if (rc) {
		err("%s %s: epoll: %s", what, path, strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}
