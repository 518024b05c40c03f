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

void log_init(enum log_level level, bool use_syslog);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
				log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
#define trace(...)	do { if (log_enabled(LOG_LVL_TRACE)) \
				log_msg(LOG_LVL_TRACE, __VA_ARGS__); } while (0)

/**
 * debug_ratelimited() - Debug line at most once per second per call site
 *
 * Hostile guests must not be able to flood the log: each call site keeps
 * its own last-print time and a count of suppressed lines.
 */
#define debug_ratelimited(...)						\
	do {								\
		static long long last_sec_ = -1;			\
		static unsigned suppressed_;				\
		if (log_enabled(LOG_LVL_DEBUG) &&			\
		    log_ratelimit(&last_sec_, &suppressed_))		\
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);		\
	} while (0)

#define warn_once(...)							\
	do {								\
		static bool done_;					\
		if (!done_) {						\
			done_ = true;					\
			log_msg(LOG_LVL_WARN, __VA_ARGS__);		\
		}							\
	} while (0)

bool log_ratelimit(long long *last_sec, unsigned *suppressed);

#endif /* MERD_LOG_H */
