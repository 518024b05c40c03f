// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - Shut merd in once set-up is done: the user merd runs as,
 * namespaces, an empty root, no capabilities, then the seccomp allow-list
 *
 * Before set-up, isolation_user_check() refuses root without --runas. Set-up
 * opens what needs privilege (forwarded ports, raw sockets: CAP_NET_RAW of
 * the host's user namespace works only on sockets opened before merd leaves
 * it), then isolation_runas() makes root the --runas user: groups, gid, uid;
 * every capability goes with the uid. Then, from isolation_enter(), after
 * every socket and device of set-up is open and the pid file written, and
 * before the first guest byte (in --ns mode, before the command is let
 * start: no guest ever runs beside a merd that is not shut in):
 *
 *   directory fds                of the socket and the pid file, for exit
 *   tzset()                      time zone read now: syslog needs it later
 *   unshare user, mount, IPC, UTS, PID; map our own uid and gid to
 *                                themselves (not the network namespace:
 *                                new flows open sockets in the host's)
 *   mounts private, empty read-only tmpfs, pivot_root, old root detached
 *   capabilities: all sets cleared (libcap-ng), in the new user namespace
 *                 too, where merd held all of them. A CAP_NET_RAW from a
 *                 file capability is not kept: entering the new user
 *                 namespace replaces it by capabilities over that namespace
 *                 only, and the raw sockets opened before keep working.
 *   no_new_privs, not dumpable, no core dumps
 *   seccomp filter (seccomp.c)
 *
 * The PID namespace: unshare() puts the children created afterwards in
 * it, not merd, which keeps its pid (the one -P writes and launchers
 * signal), and the command of --ns, started before, stays its child.
 * merd creates no process after isolation (clone and fork are on no
 * list), so the namespace costs nothing; any process it did create would
 * be pid 1 of an empty namespace, with no host process in sight. It also
 * forbids new threads (the kernel refuses CLONE_THREAD across PID
 * namespaces). AddressSanitizer builds leave it out: LeakSanitizer
 * clones a tracer at exit, which must see merd's pid.
 *
 * A merd that holds raw sockets, or is not dumpable (it changed user, or
 * gained a capability from its file), never becomes dumpable: a process of
 * the same user could otherwise attach to it and take its sockets. Its
 * /proc files then belong to root, so the uid and gid maps of the new user
 * namespace cannot be written: merd runs there unmapped (the overflow uid
 * inside), which nothing after isolation depends on.
 *
 * Nothing after this needs a path, a privilege or a new kind of file
 * descriptor: sockets toward the world and accepted clients are still
 * created (their family is filtered), files are not opened.
 *
 * isolation_helper_enter() shuts in the -T/-U auto helper (nsopen.c) the
 * same way, but for the namespaces: it stays in the guest's.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cap-ng.h>

#include "isolation.h"
#include "log.h"
#include "merd.h"
#include "raw.h"
#include "seccomp_merd.h"

#define ISOLATION_UNLINK_MAX	4	/* the sockets and the pid file */

/**
 * struct isolation_unlink_dir - A file to remove at exit, by directory
 * @path:	Path as given (compared with isolation_unlink()'s argument)
 * @dirfd:	O_PATH descriptor of its directory, opened before isolation
 * @name:	Offset of the file name in @path
 */
struct isolation_unlink_dir {
	const char *path;
	int dirfd;
	size_t name;
};

static struct isolation_unlink_dir isolation_files[ISOLATION_UNLINK_MAX];
static unsigned int isolation_n_files;

/**
 * isolation_file_keep() - Open the directory of a file merd removes at exit
 * @path:	File, empty for none
 *
 * Best effort: without the descriptor, the file stays behind at exit.
 */
static void isolation_file_keep(const char *path)
{
	struct isolation_unlink_dir *u;
	char dir[PATH_MAX];
	const char *slash;

	if (!path[0] || isolation_n_files >= ISOLATION_UNLINK_MAX)
		return;
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	u = &isolation_files[isolation_n_files];
	u->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (u->dirfd < 0) {
		warn("isolation: %s: %s, it stays at exit", dir, strerror(errno));
		return;
	}
	u->path = path;
	u->name = slash ? (size_t)(slash - path) + 1 : 0;
	isolation_n_files++;
}

/**
 * isolation_unlink() - Remove a file, also once merd has no file system
 * @path:	File, as given to merd, whose directory isolation_enter() kept
 *
 * Return: 0, or negative errno (-ENOENT for a file whose directory could
 * not be kept)
 */
int isolation_unlink(const char *path)
{
	unsigned int i;

	for (i = 0; i < isolation_n_files; i++) {
		const struct isolation_unlink_dir *u = &isolation_files[i];

		if (u->path != path && strcmp(u->path, path) != 0)
			continue;
		if (unlinkat(u->dirfd, path + u->name, 0))
			return -errno;
		return 0;
	}
	return -ENOENT;		/* its directory could not be kept: said */
}

/**
 * isolation_write() - Write a short text to a file of /proc
 * @path:	File
 * @text:	Text, written in one call
 *
 * Return: 0, or negative errno
 */
static int isolation_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/**
 * isolation_userns() - Enter new user, mount, IPC, UTS and PID namespaces
 * as ourselves: the same uid and gid inside as outside, where we may
 * @private:	Stay not dumpable throughout: no id maps (see the top)
 * @pidns:	Also a PID namespace, for children (none is created)
 *
 * Return: 0, or negative errno (reported)
 */
static int isolation_userns(bool private, bool pidns)
{
	int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
	unsigned int uid = geteuid(), gid = getegid();
	char map[64];
	int rc;

	private = private || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1;
	if (private && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		rc = -errno;
		err("isolation: not dumpable: %s", strerror(errno));
		return rc;
	}
	if (unshare(flags | (pidns ? CLONE_NEWPID : 0))) {
		rc = -errno;
		err("isolation: unshare user, mount, IPC, UTS%s: %s",
		    pidns ? ", PID" : "", strerror(errno));
		return rc;
	}
	if (private) {
		debug("isolation: privileged start, user namespace unmapped");
		return 0;
	}
	rc = isolation_write("/proc/self/setgroups", "deny");
	if (rc && rc != -ENOENT) {
		err("isolation: /proc/self/setgroups: %s", strerror(-rc));
		return rc;
	}
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	rc = isolation_write("/proc/self/uid_map", map);
	if (!rc) {
		snprintf(map, sizeof(map), "%u %u 1", gid, gid);
		rc = isolation_write("/proc/self/gid_map", map);
	}
	if (rc)
		err("isolation: id map \"%s\": %s", map, strerror(-rc));
	return rc;
}

/**
 * isolation_root() - Replace the root by an empty read-only tmpfs
 *
 * The tmpfs is mounted over a directory that exists everywhere, entered,
 * and made the root with pivot_root(".", "."): the old root then sits on top
 * of it, and is detached.
 *
 * Return: 0, or negative errno (reported)
 */
static int isolation_root(void)
{
	static const char *const dirs[] = { "/tmp", "/dev", "/" };
	const char *dir = NULL;
	size_t i;
	int rc;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		rc = -errno;
		err("isolation: making mounts private: %s", strerror(errno));
		return rc;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !dir; i++) {
		if (!mount("merd", dirs[i], "tmpfs",
			   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			   "size=4k,nr_inodes=2,mode=0500"))
			dir = dirs[i];
	}
	if (!dir) {
		rc = -errno;
		err("isolation: empty tmpfs: %s", strerror(errno));
		return rc;
	}
	if (chdir(dir) || syscall(SYS_pivot_root, ".", ".") ||
	    umount2(".", MNT_DETACH) || chdir("/")) {
		rc = -errno;
		err("isolation: pivot_root to an empty root: %s",
		    strerror(errno));
		return rc;
	}
	return 0;
}

/**
 * isolation_caps() - Drop every capability
 *
 * In the new user namespace merd holds every capability (over that
 * namespace only): they go, with the bounding and ambient sets. None is
 * kept, CAP_NET_RAW included: one over the new user namespace would not
 * open raw sockets toward the host's network namespace, and merd opened
 * the raw sockets it needs before isolation.
 *
 * Return: 0, or negative errno (reported)
 */
static int isolation_caps(void)
{
	int rc;

	capng_clear(CAPNG_SELECT_ALL);
	rc = capng_apply(CAPNG_SELECT_ALL);
	if (rc) {
		err("isolation: dropping capabilities: libcap-ng error %d", rc);
		return -EPERM;
	}
	return 0;
}

/**
 * isolation_process() - No new privileges, no core dumps, not ptrace-able
 * @dumpable:	Stay dumpable (ASan builds: LeakSanitizer ptraces itself)
 *
 * Return: 0, or negative errno (reported)
 */
static int isolation_process(bool dumpable)
{
	const struct rlimit none = { 0, 0 };
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    (!dumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) ||
	    setrlimit(RLIMIT_CORE, &none)) {
		rc = -errno;
		err("isolation: process limits: %s", strerror(errno));
		return rc;
	}
	return 0;
}

/**
 * isolation_real_root() - Tell whether merd runs as the host's root
 *
 * uid 0 of a user namespace (where podman runs its rootless network
 * helper, say) is an unprivileged user of the host: only uid 0 mapped to
 * itself, as in the initial namespace, is root.
 *
 * Return: true if the effective uid is the initial namespace's root
 */
static bool isolation_real_root(void)
{
	char line[128] = "", *end;
	unsigned long inside, outside;
	FILE *f;

	if (geteuid())
		return false;
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return true;	/* cannot tell: assume the worst */
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	inside = strtoul(line, &end, 10);
	if (end == line)
		return true;
	outside = strtoul(end, &end, 10);
	return inside == 0 && outside == 0;
}

/**
 * isolation_user_check() - Refuse to start as root without --runas, or
 * --runas for another user without root
 * @conf:	Configuration
 *
 * Return: 0, or -EPERM (reported)
 */
int isolation_user_check(const struct conf *conf)
{
	if (isolation_real_root() && !conf->runas[0]) {
		err("refusing to run as root: use --runas USER");
		return -EPERM;
	}
	if (geteuid() && conf->runas[0] && conf->runas_uid != geteuid()) {
		err("--runas %s: only root can become another user",
		    conf->runas);
		return -EPERM;
	}
	return 0;
}

/**
 * isolation_become() - Become the --runas user: groups, gid, then uid
 * @conf:	Configuration, --runas resolved
 *
 * The only group is the user's primary one. Changing from root to another
 * uid clears every capability set.
 *
 * Return: 0, or negative errno
 */
int isolation_become(const struct conf *conf)
{
	gid_t gid = conf->runas_gid;
	uid_t uid = conf->runas_uid;

	if (setgroups(1, &gid) ||
	    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -errno;
	if (getuid() != uid || geteuid() != uid || getegid() != gid)
		return -EPERM;
	return 0;
}

/**
 * isolation_runas() - Started as root: become the --runas user now
 * @conf:	Configuration
 *
 * Called once what needs root is open (forwarded ports, raw sockets).
 *
 * Return: 0, or negative errno (reported)
 */
int isolation_runas(const struct conf *conf)
{
	int rc;

	if (geteuid() || !conf->runas[0])
		return 0;
	rc = isolation_become(conf);
	if (rc) {
		err("--runas %s: cannot become uid %u gid %u: %s", conf->runas,
		    (unsigned int)conf->runas_uid,
		    (unsigned int)conf->runas_gid, strerror(-rc));
		return rc;
	}
	info("running as %s (uid %u)", conf->runas,
	     (unsigned int)conf->runas_uid);
	return 0;
}

/**
 * isolation_sanitized() - Tell whether this is an AddressSanitizer build
 *
 * LeakSanitizer reads /proc and stops the world with ptrace at exit, from
 * a process it clones: ASan builds enter the namespaces (no PID one) and
 * drop capabilities, but keep the root, stay dumpable and load no filter.
 * Every other build (UBSan too) is fully isolated.
 *
 * Return: true in ASan builds
 */
static bool isolation_sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return true;
#else
	return false;
#endif
#else
	return false;
#endif
}

/**
 * isolation_valgrind_build() - Tell whether this build runs under valgrind
 *
 * valgrind 3.19 has no seccomp(2), which the filter's kill-process action
 * needs, and its own calls would fall foul of the allow-list: the build
 * for it (make merd-valgrind: -DMERD_VALGRIND, the same -O2 -g objects but
 * this file) does everything else isolation does, but loads no filter. It
 * says so at start. Every other build has no way to skip the filter: no
 * option, no environment variable, nothing a guest could reach.
 *
 * Return: true in the valgrind build
 */
static bool isolation_valgrind_build(void)
{
#ifdef MERD_VALGRIND
	warn("valgrind build: no seccomp filter");
	return true;
#else
	return false;
#endif
}

/**
 * isolation_enter() - Shut merd in, once set-up is done
 * @c:		Execution context
 *
 * Nothing that needs a privilege or a path may follow: see the top of this
 * file. In namespace mode, the command's process is not affected: it was
 * started before, and waits for ns_release().
 *
 * Return: 0, or negative errno (reported)
 */
int isolation_enter(const struct ctx *c)
{
	bool sanitized = isolation_sanitized();
	int rc;

	if (isolation_real_root()) {
		err("refusing to run as root: use --runas USER");
		return -EPERM;
	}
	if (c->link.listen_fd >= 0)
		isolation_file_keep(c->conf.sock_path);
	isolation_file_keep(c->conf.pid_file);
	isolation_file_keep(c->conf.ctl_path);
	isolation_file_keep(c->conf.api_socket);
	tzset();

	rc = isolation_userns(raw_held(c), !sanitized);
	if (!rc && !sanitized)
		rc = isolation_root();
	if (!rc)
		rc = isolation_caps();
	if (!rc)
		rc = isolation_process(sanitized);
	if (rc || sanitized)
		return rc;
	if (isolation_valgrind_build())
		return 0;
	seccomp_test_announce("merd");
	rc = seccomp_filter_load(c->conf.mode);
	if (rc)
		return rc;
	rc = seccomp_test_trigger("merd");
	if (rc > 0) {
		info("test build: merd: refused: %s", strerror(rc));
		rc = 0;
	} else if (rc) {
		err("test build: merd: the call returned: the filter is not live");
	}
	return rc;
}

/**
 * isolation_helper_caps() - Drop every capability of the -T/-U auto helper
 * but CAP_NET_BIND_SERVICE
 *
 * The helper holds every capability over the guest's user namespace (it
 * built or joined it). It needs one of them: a port below the namespace's
 * net.ipv4.ip_unprivileged_port_start (1024 by default) served on the
 * host's loopback (a resolver on port 53, say) is bound on the
 * namespace's with CAP_NET_BIND_SERVICE. The bounding set is emptied: the
 * helper never executes anything.
 *
 * Return: 0, or negative errno (reported)
 */
static int isolation_helper_caps(void)
{
	int rc;

	capng_clear(CAPNG_SELECT_ALL);
	rc = capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			  CAP_NET_BIND_SERVICE);
	if (!rc)
		rc = capng_apply(CAPNG_SELECT_ALL);
	if (rc) {
		err("nsopen: dropping capabilities: libcap-ng error %d", rc);
		return -EPERM;
	}
	return 0;
}

/**
 * isolation_helper_enter() - Shut the -T/-U auto helper in (nsopen.c)
 *
 * The helper stays in the guest's network and user namespaces, where it
 * opens sockets. It gets a mount namespace of its own with an empty
 * read-only root, keeps CAP_NET_BIND_SERVICE only (over the guest's user
 * namespace), sets no_new_privs, is not dumpable (the guest runs as the
 * same user: it could attach to it otherwise), has no core dumps and
 * loads its own allow-list, seccomp/nsopen.list.
 *
 * Return: 0, or negative errno (reported)
 */
int isolation_helper_enter(void)
{
	int rc = 0;

	if (unshare(CLONE_NEWNS)) {
		rc = -errno;
		err("nsopen: unshare mount: %s", strerror(errno));
	}
	if (!rc)
		rc = isolation_root();
	if (!rc)
		rc = isolation_helper_caps();
	if (!rc)
		rc = isolation_process(false);
	if (!rc) {
		seccomp_test_announce("nsopen");
		rc = seccomp_nsopen_load();
	}
	if (!rc)	/* test builds: a call that returned fails the start */
		rc = seccomp_test_trigger("nsopen");
	return rc < 0 ? rc : 0;
}
