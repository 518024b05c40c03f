// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - Levelled logging, to stderr in the foreground or syslog otherwise */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static enum log_level log_level_max = LOG_LVL_INFO;
static bool log_to_syslog;

/**
 * log_init() - Set the verbosity and the destination of log lines
 * @level:	Most verbose level printed
 * @use_syslog:	Send lines to syslog instead of stderr
 */
void log_init(enum log_level level, bool use_syslog)
{
	log_level_max = level;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog("merd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/**
 * log_enabled() - Tell whether a level would be printed
 * @level:	Level to check
 *
 * Return: true if lines of @level are printed
 */
bool log_enabled(enum log_level level)
{
	return level <= log_level_max;
}

/**
 * log_ratelimit() - Decide whether a rate-limited line may be printed now
 * @last_sec:	Call site's last print time (monotonic seconds), updated
 * @suppressed:	Call site's count of lines suppressed since, updated
 *
 * Return: true if the caller may print (at most once per second)
 */
bool log_ratelimit(long long *last_sec, unsigned *suppressed)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec == *last_sec) {
		(*suppressed)++;
		return false;
	}
	if (*suppressed)
		log_msg(LOG_LVL_DEBUG, "(%u similar lines suppressed)",
			*suppressed);
	*last_sec = ts.tv_sec;
	*suppressed = 0;
	return true;
}

/**
 * log_msg() - Print one log line if its level is enabled
 * @level:	Severity of the line
 * @fmt:	printf-style format, without trailing newline
 */
void log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG, LOG_DEBUG };
	va_list ap;

	if (!log_enabled(level))
		return;

	va_start(ap, fmt);
	if (log_to_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		fputs("merd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
