// SPDX-License-Identifier: GPL-2.0-or-later
/* test_log.c - Logging: rate limits per call site and what the note on
 * suppressed lines says, and when it comes; levels, trace arguments not evaluated when off,
 * and lines asked for (log_always()) printed even with -q */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

static char out[1 << 16];

/**
 * capture() - Send stderr, where log lines go, to a fresh temporary file
 *
 * Return: the file, or NULL
 */
static FILE *capture(void)
{
	FILE *f = tmpfile();

	fflush(stderr);
	if (f)
		dup2(fileno(f), 2);
	return f;
}

/**
 * captured() - Read what was logged since capture(), restore nothing
 * @f:		File from capture()
 *
 * Return: the text, NUL-terminated, in a static buffer
 */
static const char *captured(FILE *f)
{
	size_t n;

	fflush(stderr);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

/**
 * lines() - Count the lines of a text that contain @needle
 * @text:	Text
 * @needle:	What to look for
 *
 * Return: the count
 */
static unsigned int lines(const char *text, const char *needle)
{
	unsigned int n = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (strstr(line, needle))
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/**
 * next_second() - Sleep into the next second of the monotonic clock
 */
static void next_second(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	usleep((useconds_t)(1000000 - ts.tv_nsec / 1000 + 10000));
}

/**
 * flood_site() - One call site a guest could hit once per frame
 * @i:		Frame number
 */
static void flood_site(unsigned int i)
{
	debug_ratelimited("test: guest frame %u", i);
}

/**
 * log_rate_limit_per_site() - 10 000 lines from one site make at most
 * LOG_BURST per second, another site is limited apart, and the note on
 * the suppressed ones names the message
 */
static void log_rate_limit_per_site(void)
{
	FILE *f = capture();
	unsigned int i;
	const char *t;

	CHECK(f != NULL);
	if (!f)
		return;
	log_init(LOG_LVL_DEBUG, false);
	next_second();
	for (i = 0; i < 10000; i++)
		flood_site(i);
	debug_ratelimited("test: another site");
	next_second();
	flood_site(10000);
	t = captured(f);
	CHECK_EQ(lines(t, "merd: test: guest frame "), LOG_BURST + 1);
	CHECK_EQ(lines(t, "merd: test: another site"), 1);
	CHECK_EQ(lines(t, "(9995 more lines like \"test: guest frame %u\" "
		       "suppressed)"), 1);
	CHECK(strstr(t, "merd: test: guest frame 10000\n") != NULL);
}

/**
 * log_flush_notes_a_stopped_flood() - Lines suppressed by a site that
 * prints no more are reported by log_flush_suppressed(), once
 */
static void log_flush_notes_a_stopped_flood(void)
{
	FILE *f = capture();
	unsigned int i;
	const char *t;

	CHECK(f != NULL);
	if (!f)
		return;
	log_init(LOG_LVL_DEBUG, false);
	next_second();
	for (i = 0; i < 100; i++)
		debug_ratelimited("test: stopped flood %u", i);
	log_flush_suppressed();
	log_flush_suppressed();
	t = captured(f);
	CHECK_EQ(lines(t, "merd: test: stopped flood "), LOG_BURST);
	CHECK_EQ(lines(t, "(95 more lines like \"test: stopped flood %u\" "
		       "suppressed)"), 1);
	CHECK_EQ(lines(t, "suppressed"), 1);
}

static unsigned int evaluated;

/**
 * costly() - An argument whose evaluation is counted
 *
 * Return: 42
 */
static int costly(void)
{
	evaluated++;
	return 42;
}

/**
 * log_levels_and_trace_arguments() - Lines below the level are not printed,
 * trace arguments not even evaluated; log_always() prints under -q
 */
static void log_levels_and_trace_arguments(void)
{
	FILE *f = capture();
	const char *t;

	CHECK(f != NULL);
	if (!f)
		return;
	evaluated = 0;
	log_init(LOG_LVL_DEBUG, false);
	trace("test: trace %d", costly());
	CHECK_EQ(evaluated, 0);
	log_init(LOG_LVL_TRACE, false);
	trace("test: trace %d", costly());
	CHECK_EQ(evaluated, 1);
	log_init(LOG_LVL_ERR, false);		/* -q */
	info("test: info under -q");
	debug_ratelimited("test: debug under -q");
	log_always(LOG_LVL_INFO, "test: asked for");
	err("test: an error");
	t = captured(f);
	CHECK_EQ(lines(t, "merd: test: trace 42"), 1);
	CHECK_EQ(lines(t, "under -q"), 0);
	CHECK_EQ(lines(t, "merd: test: asked for"), 1);
	CHECK_EQ(lines(t, "merd: test: an error"), 1);
}

int main(void)
{
	int saved = dup(2);

	RUN(log_rate_limit_per_site);
	RUN(log_flush_notes_a_stopped_flood);
	RUN(log_levels_and_trace_arguments);
	dup2(saved, 2);
	close(saved);
	return unit_done();
}
