// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - Levelled logging, to stderr in the foreground or syslog otherwise */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static enum log_level log_level_max = LOG_LVL_INFO;
static bool log_to_syslog;
static struct log_limit *log_suppressed_sites;	/* with lines to report */

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
 * log_note_suppressed() - Say how many lines a call site suppressed, if any
 * @l:		Call site's state; its count is reset
 */
static void log_note_suppressed(struct log_limit *l)
{
	if (!l->suppressed)
		return;
	log_msg(l->level, "(%u more lines like \"%s\" suppressed)",
		l->suppressed, l->fmt);
	l->suppressed = 0;
}

/**
 * log_ratelimit() - Decide whether a rate-limited line may be printed now
 * @l:		Call site's state, updated
 * @level:	Level of the line (and of the note on suppressed lines)
 * @fmt:	Its format, which the note quotes to say which message it was
 *
 * At most LOG_BURST lines per second per call site. The first line printed
 * in a new second is preceded by a note counting what was suppressed since
 * the last note, if anything was. A site that suppresses a line joins the
 * list log_flush_suppressed() reports from.
 *
 * Return: true if the caller may print
 */
bool log_ratelimit(struct log_limit *l, enum log_level level,
		   const char *fmt)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != l->sec) {
		log_note_suppressed(l);
		l->sec = ts.tv_sec;
		l->printed = 0;
	}
	if (l->printed < LOG_BURST) {
		l->printed++;
		return true;
	}
	l->suppressed++;
	l->level = level;
	l->fmt = fmt;
	if (!l->listed) {
		l->listed = true;
		l->next = log_suppressed_sites;
		log_suppressed_sites = l;
	}
	return false;
}

/**
 * log_flush_suppressed() - Report every call site's suppressed lines now:
 * at exit, and when SIGUSR1 asks for the counters, so that a flood that
 * stopped is still told of
 */
void log_flush_suppressed(void)
{
	struct log_limit *l;

	for (l = log_suppressed_sites; l; l = l->next)
		log_note_suppressed(l);
}

/**
 * log_vmsg() - Print one log line, whatever the level
 * @level:	Severity of the line
 * @fmt:	printf-style format, without trailing newline
 * @ap:		Its arguments
 */
__attribute__((format(printf, 2, 0)))
static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG, LOG_DEBUG };

	if (log_to_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		fputs("merd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

/**
 * log_msg() - Print one log line if its level is enabled
 * @level:	Severity of the line
 * @fmt:	printf-style format, without trailing newline
 */
void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/**
 * log_always() - Print one log line whatever the verbosity: for what the
 * user asked for (SIGUSR1's counters), which -q must not hide
 * @level:	Severity of the line (its syslog priority)
 * @fmt:	printf-style format, without trailing newline
 */
void log_always(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
