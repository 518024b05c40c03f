// SPDX-License-Identifier: GPL-2.0-or-later
/* seccomp_trigger.c - Test builds only: a call the filter must refuse,
 * made on request once the filter is on
 *
 * make merd-test builds this file with -DMERD_TEST_SECCOMP; every other
 * build gets an empty seccomp_test_trigger(). MERD_TEST_SECCOMP_TRIGGER
 * in the environment names the call (test/sandbox.bats):
 *
 *   raw            socket(AF_INET, SOCK_RAW)         killed (SIGSYS)
 *   i386           getpid through int $0x80 (i386)   killed: other arch
 *   x32            getpid with the x32 bit set       killed: other arch
 *   netlink        socket(AF_NETLINK)                killed: family
 *   packet         socket(AF_PACKET)                 killed: family
 *   mmap-exec      mmap(PROT_EXEC)                   killed: protection
 *   mprotect-exec  mprotect(PROT_EXEC)               killed: protection
 *   ioctl          ioctl(FIONREAD), not SIOCOUTQ     killed: request
 *   rmdir          unlinkat(AT_REMOVEDIR)            killed: flags
 *   unix           socket(AF_UNIX)                   refused (EPERM), merd
 *                                                    goes on
 *   nsopen-raw     the -T/-U auto helper (nsopen.c): killed: type
 *                  socket(AF_INET, SOCK_RAW)
 *   anything else  acct(2), off every list           killed
 *
 * Names starting with "nsopen-" are for the helper, the others for merd.
 * seccomp_test_announce() logs the call before the filter is loaded (the
 * helper may not write once filtered), seccomp_test_trigger() makes it
 * after, silently, and tells whether it was refused as it should be.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "log.h"
#include "seccomp_merd.h"

#ifdef MERD_TEST_SECCOMP

#define TRIGGER_X32_BIT		0x40000000L	/* __X32_SYSCALL_BIT */
#define TRIGGER_I386_GETPID	20L

/**
 * trigger_i386() - getpid through the i386 entry, int $0x80
 *
 * Return: what the call returned, -ENOSYS off x86_64
 */
static long trigger_i386(void)
{
#ifdef __x86_64__
	long ret = TRIGGER_I386_GETPID;

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return ret;
#else
	return -ENOSYS;
#endif
}

/**
 * trigger_x32() - getpid with the x32 bit in the syscall number
 *
 * Return: what the call returned
 */
static long trigger_x32(void)
{
	return syscall(TRIGGER_X32_BIT | SYS_getpid);
}

/**
 * trigger_raw() - A raw socket
 *
 * Return: what the call returned
 */
static long trigger_raw(void)
{
	return syscall(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

/**
 * trigger_netlink() - A netlink socket
 *
 * Return: what the call returned
 */
static long trigger_netlink(void)
{
	return syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
}

/**
 * trigger_packet() - A packet socket
 *
 * Return: what the call returned
 */
static long trigger_packet(void)
{
	return syscall(SYS_socket, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/**
 * trigger_unix() - A UNIX socket, as glibc's syslog(3) makes to reconnect
 *
 * Return: what the call returned
 */
static long trigger_unix(void)
{
	return syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/**
 * trigger_mmap_exec() - An executable anonymous mapping
 *
 * Return: what the call returned
 */
static long trigger_mmap_exec(void)
{
	return syscall(SYS_mmap, NULL, 4096UL, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
}

/**
 * trigger_mprotect_exec() - A writable mapping made executable
 *
 * Return: what the call returned, or -ENOMEM if the mapping failed
 */
static long trigger_mprotect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -ENOMEM;
	return syscall(SYS_mprotect, p, 4096UL, PROT_READ | PROT_EXEC);
}

/**
 * trigger_ioctl() - An ioctl request other than SIOCOUTQ
 *
 * Return: what the call returned
 */
static long trigger_ioctl(void)
{
	int n = 0;

	return syscall(SYS_ioctl, 0, FIONREAD, &n);
}

/**
 * trigger_rmdir() - unlinkat() of a directory
 *
 * Return: what the call returned
 */
static long trigger_rmdir(void)
{
	return syscall(SYS_unlinkat, AT_FDCWD, "merd-test", AT_REMOVEDIR);
}

/**
 * trigger_acct() - acct(2), on no list
 *
 * Return: what the call returned
 */
static long trigger_acct(void)
{
	return syscall(SYS_acct, NULL);
}

/**
 * struct trigger - One call a test can ask for
 * @name:	Value of MERD_TEST_SECCOMP_TRIGGER
 * @what:	What is called, for the log
 * @call:	The call
 * @refused:	errno the filter answers with, 0 if it must kill
 */
struct trigger {
	const char *name;
	const char *what;
	long (*call)(void);
	int refused;
};

static const struct trigger triggers[] = {
	{ "raw", "opening a raw socket", trigger_raw, 0 },
	{ "i386", "calling getpid through int $0x80 (i386)", trigger_i386, 0 },
	{ "x32", "calling getpid as x32", trigger_x32, 0 },
	{ "netlink", "opening a netlink socket", trigger_netlink, 0 },
	{ "packet", "opening a packet socket", trigger_packet, 0 },
	{ "mmap-exec", "mapping memory executable", trigger_mmap_exec, 0 },
	{ "mprotect-exec", "making memory executable", trigger_mprotect_exec,
	  0 },
	{ "ioctl", "calling ioctl(FIONREAD)", trigger_ioctl, 0 },
	{ "rmdir", "removing a directory with unlinkat", trigger_rmdir, 0 },
	{ "unix", "opening a UNIX socket", trigger_unix, EPERM },
	{ "nsopen-raw", "opening a raw socket", trigger_raw, 0 },
};

static const struct trigger trigger_default = {
	"acct", "calling acct(2), off the allow-list", trigger_acct, 0
};

/**
 * trigger_find() - The call a test asks @who for
 * @who:	"merd", or "nsopen" for the helper
 * @name:	Value of MERD_TEST_SECCOMP_TRIGGER
 *
 * Return: the trigger, NULL if @name is for the other process
 */
static const struct trigger *trigger_find(const char *who, const char *name)
{
	bool helper = !strcmp(who, "nsopen");
	size_t i;

	for (i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		if (!strcmp(triggers[i].name, name))
			return helper == !strncmp(name, "nsopen-", 7) ?
			       &triggers[i] : NULL;
	}
	return helper ? NULL : &trigger_default;
}

/**
 * seccomp_test_announce() - Say which call MERD_TEST_SECCOMP_TRIGGER asks
 * @who for, before the filter is on
 * @who:	"merd", or "nsopen" for the helper
 */
void seccomp_test_announce(const char *who)
{
	const char *name = getenv("MERD_TEST_SECCOMP_TRIGGER");
	const struct trigger *t = name ? trigger_find(who, name) : NULL;

	if (t)
		info("test build: %s: %s", who, t->what);
}

/**
 * seccomp_test_trigger() - Make the call MERD_TEST_SECCOMP_TRIGGER asks for
 * @who:	"merd", or "nsopen" for the helper
 *
 * Called once the filter is on; writes nothing.
 *
 * Return: 0 without a call for @who, the errno the filter refused the call
 * with where it should, -ENOTRECOVERABLE if the call returned where the
 * filter should have killed the process (or refused it otherwise)
 */
int seccomp_test_trigger(const char *who)
{
	const char *name = getenv("MERD_TEST_SECCOMP_TRIGGER");
	const struct trigger *t = name ? trigger_find(who, name) : NULL;
	long rc;

	if (!t)
		return 0;
	errno = 0;
	rc = t->call();
	if (t->refused && rc == -1 && errno == t->refused)
		return t->refused;
	return -ENOTRECOVERABLE;
}

#else

/**
 * seccomp_test_announce() - Nothing, outside test builds
 * @who:	Unused
 */
void seccomp_test_announce(const char *who)
{
	(void)who;
}

/**
 * seccomp_test_trigger() - Nothing, outside test builds
 * @who:	Unused
 *
 * Return: 0
 */
int seccomp_test_trigger(const char *who)
{
	(void)who;
	return 0;
}

#endif /* MERD_TEST_SECCOMP */
