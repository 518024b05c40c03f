/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - Levelled, rate-limited logging to stderr or syslog */
#ifndef MERD_LOG_H
#define MERD_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_TRACE,
};

#define LOG_BURST	5	/* lines per call site per second, at most */

/**
 * struct log_limit - Rate limit state of one call site
 * @sec:	Monotonic second of the current window
 * @printed:	Lines printed in it
 * @suppressed:	Lines suppressed since the last note on them (reported
 *		when the site prints again, or by log_flush_suppressed())
 * @level:	Level of the site's lines
 * @fmt:	Their format, which the note quotes
 * @next:	Next site with lines suppressed, in log.c's list
 * @listed:	The site is in that list
 */
struct log_limit {
	long long sec;
	unsigned int printed;
	unsigned int suppressed;
	enum log_level level;
	const char *fmt;
	struct log_limit *next;
	bool listed;
};

void log_init(enum log_level level, bool use_syslog);
bool log_enabled(enum log_level level);
bool log_ratelimit(struct log_limit *l, enum log_level level,
		   const char *fmt);
void log_flush_suppressed(void);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_always(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
				log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
/* per-packet lines: asked for with --trace, never rate-limited; the
 * arguments are not even evaluated without it */
#define trace(...)	do { if (log_enabled(LOG_LVL_TRACE)) \
				log_msg(LOG_LVL_TRACE, __VA_ARGS__); } while (0)

/**
 * log_ratelimited() - A line at most LOG_BURST times per second per call
 * site, for anything a guest or the network can cause
 *
 * Hostile guests must not be able to flood the log: each call site keeps
 * its own window and count of suppressed lines, reported with the message's
 * format when the site prints again (or at exit, or on SIGUSR1: see
 * log_flush_suppressed()). Nothing is evaluated below the level.
 */
#define log_ratelimited(level, fmt, ...)				\
	do {								\
		static struct log_limit limit_ = { .sec = -1 };	\
		if (log_enabled(level) &&				\
		    log_ratelimit(&limit_, level, fmt))			\
			log_msg(level, fmt, ##__VA_ARGS__);		\
	} while (0)

#define err_ratelimited(...)	log_ratelimited(LOG_LVL_ERR, __VA_ARGS__)
#define warn_ratelimited(...)	log_ratelimited(LOG_LVL_WARN, __VA_ARGS__)
#define info_ratelimited(...)	log_ratelimited(LOG_LVL_INFO, __VA_ARGS__)
#define debug_ratelimited(...)	log_ratelimited(LOG_LVL_DEBUG, __VA_ARGS__)

#define warn_once(...)							\
	do {								\
		static bool done_;					\
		if (!done_) {						\
			done_ = true;					\
			log_msg(LOG_LVL_WARN, __VA_ARGS__);		\
		}							\
	} while (0)

#endif /* MERD_LOG_H */
