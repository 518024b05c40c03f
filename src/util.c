// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - epoll registration and counter reporting shared by every module */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>

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
 * counters_log() - Print every counter on one line
 * @c:		Execution context
 * @prefix:	What the line starts with
 */
void counters_log(const struct ctx *c, const char *prefix)
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
	info("%s: %s flows_active=%u", prefix, line, c->flows.n_active);
}
