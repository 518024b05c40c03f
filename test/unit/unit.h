/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit.h - Minimal TAP output for merd's C unit tests
 *
 *	static void dhcp_short_packet_dropped(void)
 *	{
 *		CHECK_EQ(dhcp_parse(buf, 3, &req), -1);
 *		CHECK_MEM(out, want, sizeof(want));
 *	}
 *
 *	int main(void)
 *	{
 *		RUN(dhcp_short_packet_dropped);
 *		SKIP(dhcp_v6_option, "not written yet");
 *		return unit_done();
 *	}
 *
 * RUN() calls one test function and prints "ok N - name" or "not ok N -
 * name", after one "# file:line: ..." line per failed check. A failed check
 * does not stop the test function. unit_done() prints the plan "1..N" and
 * returns the exit status: 0 if every test passed, 1 otherwise. A test that
 * crashes leaves no plan, which test/run-tests.sh counts as a failure.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned unit_tests, unit_failed_tests, unit_failed_checks;

/* CHECK() - Fail the current test if @cond is false */
#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

/* CHECK_EQ() - Fail the current test unless integers @a and @b are equal */
#define CHECK_EQ(a, b)							\
	do {								\
		intmax_t unit_a_ = (intmax_t)(a), unit_b_ = (intmax_t)(b); \
		if (unit_a_ != unit_b_)					\
			unit_fail(__FILE__, __LINE__, "%s is %jd, not %s (%jd)", \
				  #a, unit_a_, #b, unit_b_);		\
	} while (0)

/* CHECK_STR() - Fail the current test unless C strings @a and @b are equal */
#define CHECK_STR(a, b)							\
	do {								\
		const char *unit_a_ = (a), *unit_b_ = (b);		\
		if (strcmp(unit_a_, unit_b_) != 0)			\
			unit_fail(__FILE__, __LINE__, "%s is \"%s\", not \"%s\"", \
				  #a, unit_a_, unit_b_);		\
	} while (0)

/* CHECK_MEM() - Fail the current test unless @len bytes at @a and @b match */
#define CHECK_MEM(a, b, len)						\
	do {								\
		const uint8_t *unit_a_ = (const void *)(a);		\
		const uint8_t *unit_b_ = (const void *)(b);		\
		size_t unit_i_, unit_n_ = (len);			\
		for (unit_i_ = 0; unit_i_ < unit_n_; unit_i_++)		\
			if (unit_a_[unit_i_] != unit_b_[unit_i_])	\
				break;					\
		if (unit_i_ < unit_n_)					\
			unit_fail(__FILE__, __LINE__, "%s and %s differ at byte %zu: " \
				  "%02x, not %02x", #a, #b, unit_i_,	\
				  unit_a_[unit_i_], unit_b_[unit_i_]);	\
	} while (0)

/* RUN() - Run test function @fn, a void (*)(void), and report it */
#define RUN(fn)		unit_run(fn, #fn)

/* SKIP() - Report test @fn as skipped, for reason @why */
#define SKIP(fn, why)	printf("ok %u - %s # SKIP %s\n", ++unit_tests, #fn, why)

/**
 * unit_fail() - Record one failed check of the current test, print why
 * @file:	Source file of the check
 * @line:	Line of the check
 * @fmt:	printf() format of the reason, then its arguments
 */
__attribute__((format(printf, 3, 4)))
static inline void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	unit_failed_checks++;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/**
 * unit_run() - Run one test function and print its TAP line
 * @fn:		Test function
 * @name:	Its name, as printed
 */
static inline void unit_run(void (*fn)(void), const char *name)
{
	unsigned before = unit_failed_checks;

	fflush(stdout);
	fn();
	unit_tests++;
	if (unit_failed_checks != before) {
		unit_failed_tests++;
		printf("not ok %u - %s\n", unit_tests, name);
	} else {
		printf("ok %u - %s\n", unit_tests, name);
	}
	fflush(stdout);
}

/**
 * unit_done() - Print the TAP plan
 *
 * Return: exit status for main(): 0 if every test passed, 1 otherwise
 */
static inline int unit_done(void)
{
	printf("1..%u\n", unit_tests);
	fflush(stdout);
	return unit_failed_tests ? 1 : 0;
}

#endif /* UNIT_H */
