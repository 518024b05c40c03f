// SPDX-License-Identifier: GPL-2.0-or-later
/* seccomp.c - Load the syscall allow-list of the mode merd runs in, or
 * the one of its -T/-U auto helper
 *
 * The lists are seccomp/common.list, seccomp/vm.list, seccomp/ns.list and
 * seccomp/nsopen.list, turned into build/gen/seccomp_lists.h by
 * seccomp/gen.sh: one SECCOMP_RULE(syscall, action, count, conditions) per
 * line of a list. Anything else kills the process (SIGSYS), and so does a
 * call made through another architecture's calling convention (i386 or
 * x32 on x86_64).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include <seccomp.h>

#include "log.h"
#include "seccomp_merd.h"
#include "../build/gen/seccomp_lists.h"

/**
 * struct seccomp_rule - One line of an allow-list
 * @nr:		Syscall number (libseccomp's pseudo-number if this
 *		architecture lacks it)
 * @name:	Syscall name, for messages
 * @action:	SCMP_ACT_ALLOW, or SCMP_ACT_ERRNO(e) for a call refused
 *		without killing
 * @argc:	Number of conditions in @args, all of which must hold
 * @args:	Conditions on the arguments
 */
struct seccomp_rule {
	int nr;
	const char *name;
	uint32_t action;
	unsigned int argc;
	struct scmp_arg_cmp args[3];
};

#define SECCOMP_RULE(sys, act, n, ...)					\
	{ .nr = SCMP_SYS(sys), .name = #sys, .action = (act),		\
	  .argc = (n), .args = __VA_ARGS__ },

static const struct seccomp_rule seccomp_common[] = { SECCOMP_LIST_common };
static const struct seccomp_rule seccomp_vm[] = { SECCOMP_LIST_vm
						  { .name = NULL } };
static const struct seccomp_rule seccomp_ns[] = { SECCOMP_LIST_ns
						  { .name = NULL } };
static const struct seccomp_rule seccomp_nsopen[] = { SECCOMP_LIST_nsopen };

#undef SECCOMP_RULE

#define SECCOMP_N(list)	(sizeof(list) / sizeof((list)[0]))

/**
 * seccomp_rules_add() - Add the rules of one list to a filter
 * @ctx:	libseccomp filter
 * @rules:	Rules
 * @n:		Number of rules (a trailing entry without name is skipped)
 *
 * A syscall this architecture does not have (libseccomp gives it a
 * negative pseudo-number) is skipped: the lists hold both epoll_wait and
 * epoll_pwait, for example, as different architectures need one or the other.
 *
 * Return: 0, or negative errno from libseccomp (reported)
 */
static int seccomp_rules_add(scmp_filter_ctx ctx,
			     const struct seccomp_rule *rules, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct seccomp_rule *r = &rules[i];

		if (!r->name || r->nr < 0)
			continue;
		rc = seccomp_rule_add_array(ctx, r->action, r->nr, r->argc,
					    r->args);
		if (rc) {
			err("seccomp: rule for %s: %s", r->name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/**
 * seccomp_default_action() - What a call off the list does
 *
 * A build with -DMERD_SECCOMP_AUDIT logs such calls (kernel log, audit
 * type 1326) and lets them run: that is how the lists are checked against
 * a whole test run. Every other build kills the process.
 *
 * Return: libseccomp action
 */
static uint32_t seccomp_default_action(void)
{
#ifdef MERD_SECCOMP_AUDIT
	return SCMP_ACT_LOG;
#else
	return SCMP_ACT_KILL_PROCESS;
#endif
}

/**
 * seccomp_lists_load() - Allow only the syscalls of one or two lists
 * @a:		First list
 * @na:		Its number of rules
 * @b:		Second list, NULL for none
 * @nb:		Its number of rules
 *
 * The filter also sets no_new_privs (which isolation already did).
 *
 * Return: 0, or negative errno (reported)
 */
static int seccomp_lists_load(const struct seccomp_rule *a, size_t na,
			      const struct seccomp_rule *b, size_t nb)
{
	scmp_filter_ctx ctx = seccomp_init(seccomp_default_action());
	int rc;

	if (!ctx) {
		err("seccomp: cannot create the filter");
		return -ENOMEM;
	}
	/* seccomp_init() added the native architecture only */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (rc)
		err("seccomp: filter attributes: %s", strerror(-rc));
	if (!rc)
		rc = seccomp_rules_add(ctx, a, na);
	if (!rc && b)
		rc = seccomp_rules_add(ctx, b, nb);
	if (!rc) {
		rc = seccomp_load(ctx);
		if (rc)
			err("seccomp: loading the filter: %s", strerror(-rc));
	}
	seccomp_release(ctx);
	return rc;
}

/**
 * seccomp_filter_load() - Allow only the syscalls of @mode, from now on
 * @mode:	VM or namespace mode
 *
 * Return: 0, or negative errno (reported)
 */
int seccomp_filter_load(enum merd_mode mode)
{
	if (mode == MODE_NS)
		return seccomp_lists_load(seccomp_common,
					  SECCOMP_N(seccomp_common),
					  seccomp_ns, SECCOMP_N(seccomp_ns));
	return seccomp_lists_load(seccomp_common, SECCOMP_N(seccomp_common),
				  seccomp_vm, SECCOMP_N(seccomp_vm));
}

/**
 * seccomp_nsopen_load() - Allow only the syscalls of the -T/-U auto
 * helper (nsopen.c), from now on
 *
 * Return: 0, or negative errno (reported)
 */
int seccomp_nsopen_load(void)
{
	return seccomp_lists_load(seccomp_nsopen, SECCOMP_N(seccomp_nsopen),
				  NULL, 0);
}
