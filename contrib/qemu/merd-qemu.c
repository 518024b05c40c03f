// SPDX-License-Identifier: GPL-2.0-or-later
/* merd-qemu - Run one qemu VM with merd as its network
 *
 * merd-qemu [WRAPPER OPTION | MERD OPTION]... -- QEMU [QEMU ARGUMENT]...
 *
 * Theory of operation: the wrapper makes a connected pair of UNIX stream
 * sockets. merd gets one end (merd -f -F N --ready-fd M ...), and the
 * wrapper waits until merd writes "1" to the ready pipe. qemu then gets the
 * other end as its netdev: "-netdev stream,addr.type=fd" for qemu 7.2 and
 * later, the legacy "-netdev socket,fd=N" before (both use the same framing
 * on a stream socket), and a virtio-net device on it. No socket file is
 * ever created, so nobody else can attach to the VM's link.
 *
 * When qemu exits, the link's last end closes and merd, which serves an
 * inherited socket only once, exits by itself; the wrapper waits for it
 * (and terminates it after a grace period) and exits with qemu's status.
 * SIGTERM, SIGINT and SIGHUP sent to the wrapper are passed to qemu.
 *
 * With --vhost-user, merd is the vhost-user backend instead, on a socket
 * in a directory only the user can enter (made, then removed, by the
 * wrapper: qemu 7.2 passes file descriptors only on a chardev it connected
 * by path, not on an inherited socket), with --one-off; qemu connects to
 * it (-chardev socket,path=... -netdev vhost-user): frames then go through the
 * guest's virtqueues in shared memory, so guest RAM becomes a shared memfd
 * of the -m size (-object memory-backend-memfd,share=on -machine
 * memory-backend=...). Unless the command line asks for KVM, the device
 * gets vectors=0: under TCG, qemu 7.2 crashes in msix_set_vector_notifiers
 * when the guest's driver starts a vhost-user device with MSI-X.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MQ_MAX_ARGS		4096
#define MQ_READY_TIMEOUT_MS	30000
#define MQ_EXIT_GRACE_MS	5000

/**
 * struct mq_conf - What the wrapper was asked to do
 * @merd:	merd binary to run
 * @device:	qemu device model and options, or "none"
 * @id:		netdev id given to qemu
 * @legacy:	1: force -netdev socket, 0: force -netdev stream, -1: detect
 * @vhost_user:	merd is a vhost-user backend (--vhost-user)
 * @dir:	--vhost-user: private directory of the socket
 * @sock:	--vhost-user: socket path
 * @merd_argv:	options passed on to merd, NULL-terminated
 * @merd_argc:	number of them
 * @qemu_argv:	qemu binary and its arguments, from argv
 * @qemu_argc:	number of them
 */
struct mq_conf {
	const char *merd;
	const char *device;
	const char *id;
	int legacy;
	bool vhost_user;
	char dir[256];
	char sock[300];
	const char *merd_argv[MQ_MAX_ARGS];
	int merd_argc;
	char **qemu_argv;
	int qemu_argc;
};

static volatile sig_atomic_t mq_qemu_pid;

/**
 * mq_usage() - Print how to call the wrapper
 * @f:		Stream to print to
 */
static void mq_usage(FILE *f)
{
	fprintf(f,
		"Usage: merd-qemu [OPTION]... [MERD OPTION]... -- QEMU [ARG]...\n"
		"Run QEMU with merd as its network: merd starts first on a private\n"
		"socket pair, qemu gets the other end and a virtio-net device.\n"
		"\n"
		"  --merd PATH       merd binary (default: $MERD, else merd in PATH)\n"
		"  --device MODEL    qemu NIC model and options (default\n"
		"                    virtio-net-pci); \"none\": add no device, give\n"
		"                    your own -device ...,netdev=ID\n"
		"  --id ID           netdev id (default merd0)\n"
		"  --legacy          use -netdev socket,fd=N (qemu before 7.2)\n"
		"  --stream          use -netdev stream,addr.type=fd (qemu 7.2+)\n"
		"  --vhost-user      merd as vhost-user backend: guest RAM becomes a\n"
		"                    shared memfd of the -m size, the netdev\n"
		"                    vhost-user on a socket chardev; the device gets\n"
		"                    vectors=0 unless KVM is asked for (qemu 7.2\n"
		"                    under TCG crashes with MSI-X and vhost-user)\n"
		"  -h, --help        this text\n"
		"Without --legacy or --stream, QEMU -version decides.\n"
		"Every other option before \"--\" goes to merd, e.g. -t 2222:22.\n"
		"Exit status: qemu's.\n");
}

/**
 * mq_parse() - Split the command line into wrapper, merd and qemu parts
 * @argc:	Argument count
 * @argv:	Arguments
 * @mq:		Configuration to fill
 *
 * Return: 0 on success, 1 after printing an error, 2 after printing help
 */
static int mq_parse(int argc, char **argv, struct mq_conf *mq)
{
	int i;

	mq->merd = getenv("MERD") ? getenv("MERD") : "merd";
	mq->device = "virtio-net-pci";
	mq->id = "merd0";
	mq->legacy = -1;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc && strcmp(argv[i + 1], "--") != 0;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			mq_usage(stdout);
			return 2;
		} else if (strcmp(a, "--legacy") == 0) {
			mq->legacy = 1;
		} else if (strcmp(a, "--stream") == 0) {
			mq->legacy = 0;
		} else if (strcmp(a, "--vhost-user") == 0) {
			mq->vhost_user = true;
		} else if (strcmp(a, "--merd") == 0 || strcmp(a, "--device") == 0 ||
			   strcmp(a, "--id") == 0) {
			if (!has_value) {
				fprintf(stderr, "merd-qemu: %s needs a value\n", a);
				return 1;
			}
			if (strcmp(a, "--merd") == 0)
				mq->merd = argv[++i];
			else if (strcmp(a, "--device") == 0)
				mq->device = argv[++i];
			else
				mq->id = argv[++i];
		} else if (mq->merd_argc < MQ_MAX_ARGS - 8) {
			mq->merd_argv[mq->merd_argc++] = a;
		} else {
			fprintf(stderr, "merd-qemu: too many merd options\n");
			return 1;
		}
	}
	if (i >= argc - 1) {
		fprintf(stderr, "merd-qemu: no qemu command after \"--\"\n");
		mq_usage(stderr);
		return 1;
	}
	mq->qemu_argv = argv + i + 1;
	mq->qemu_argc = argc - i - 1;
	return 0;
}

/**
 * mq_keep_fd() - Let a file descriptor survive exec
 * @fd:		File descriptor
 *
 * Return: 0 on success, -1 on error
 */
static int mq_keep_fd(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

/**
 * mq_qemu_legacy() - Find out whether qemu lacks -netdev stream
 * @qemu:	qemu binary
 *
 * Runs "QEMU -version" and reads "version MAJOR.MINOR".
 *
 * Return: 1 if qemu is older than 7.2 (legacy netdev), 0 if newer or
 *	   if the version could not be read (the stream form is tried)
 */
static int mq_qemu_legacy(const char *qemu)
{
	char buf[512] = { 0 }, *v, *end;
	long major, minor;
	int p[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return 0;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execlp(qemu, qemu, "-version", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && len < sizeof(buf) - 1 &&
	       (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	v = strstr(buf, "version ");
	if (!v)
		return 0;
	major = strtol(v + strlen("version "), &end, 10);
	if (*end != '.')
		return 0;
	minor = strtol(end + 1, &end, 10);
	return major < 7 || (major == 7 && minor < 2);
}

/**
 * mq_spawn_merd() - Start merd on one end of the link
 * @mq:		Configuration
 * @link_fd:	merd's end of the socket pair
 * @ready_fd:	Write end of the ready pipe
 *
 * Return: merd's pid, or -1 on error
 */
static pid_t mq_spawn_merd(struct mq_conf *mq, int link_fd, int ready_fd)
{
	char link_arg[16], ready_arg[16];
	const char *argv[MQ_MAX_ARGS];
	int argc = 0, i;
	pid_t pid;

	snprintf(link_arg, sizeof(link_arg), "%d", link_fd);
	snprintf(ready_arg, sizeof(ready_arg), "%d", ready_fd);
	argv[argc++] = mq->merd;
	argv[argc++] = "-f";
	if (mq->vhost_user) {
		argv[argc++] = "--vhost-user";
		argv[argc++] = "--one-off";
		argv[argc++] = "-s";
		argv[argc++] = mq->sock;
	} else {
		argv[argc++] = "-F";
		argv[argc++] = link_arg;
	}
	argv[argc++] = "--ready-fd";
	argv[argc++] = ready_arg;
	for (i = 0; i < mq->merd_argc; i++)
		argv[argc++] = mq->merd_argv[i];
	argv[argc] = NULL;

	pid = fork();
	if (pid == 0) {
		if (mq_keep_fd(link_fd) || mq_keep_fd(ready_fd))
			_exit(127);
		execvp(mq->merd, (char *const *)argv);
		fprintf(stderr, "merd-qemu: cannot run %s: %s\n", mq->merd,
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/**
 * mq_wait_ready() - Wait until merd says the network is up
 * @ready_fd:	Read end of the ready pipe
 *
 * Return: true if merd wrote "1", false if it closed the pipe without, or
 *	   did not answer within MQ_READY_TIMEOUT_MS
 */
static bool mq_wait_ready(int ready_fd)
{
	struct pollfd pfd = { .fd = ready_fd, .events = POLLIN };
	char c = 0;
	int rc;

	do
		rc = poll(&pfd, 1, MQ_READY_TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return false;
	return read(ready_fd, &c, 1) == 1 && c == '1';
}

/**
 * mq_mem_size() - The guest RAM size qemu is given, for the memory backend
 * @mq:		Configuration
 * @buf:	Set to the size, with a unit ("1G", "256M"; qemu's default
 *		128M without -m)
 * @len:	Size of @buf
 */
static void mq_mem_size(const struct mq_conf *mq, char *buf, size_t len)
{
	const char *v = NULL, *end;
	size_t n;
	int i;

	for (i = 1; i + 1 < mq->qemu_argc; i++) {
		if (strcmp(mq->qemu_argv[i], "-m") == 0 ||
		    strcmp(mq->qemu_argv[i], "--m") == 0)
			v = mq->qemu_argv[i + 1];
	}
	if (!v) {
		snprintf(buf, len, "128M");
		return;
	}
	if (strncmp(v, "size=", 5) == 0)
		v += 5;
	end = strchr(v, ',');
	n = end ? (size_t)(end - v) : strlen(v);
	/* a bare number is MiB to -m, bytes to memory-backend-memfd */
	snprintf(buf, len, "%.*s%s", (int)n, v,
		 n && v[n - 1] >= '0' && v[n - 1] <= '9' ? "M" : "");
}

/**
 * mq_wants_kvm() - Tell whether qemu's command line asks for KVM
 * @mq:		Configuration
 *
 * Return: true for -enable-kvm, or kvm in -accel or -machine
 */
static bool mq_wants_kvm(const struct mq_conf *mq)
{
	int i;

	for (i = 1; i < mq->qemu_argc; i++) {
		const char *a = mq->qemu_argv[i];

		if (strcmp(a, "-enable-kvm") == 0)
			return true;
		if (i + 1 < mq->qemu_argc && strstr(mq->qemu_argv[i + 1], "kvm") &&
		    (strcmp(a, "-accel") == 0 || strcmp(a, "-machine") == 0 ||
		     strcmp(a, "-M") == 0))
			return true;
	}
	return false;
}

/**
 * struct mq_net - The network arguments added to qemu's
 * @netdev:	-netdev value
 * @device:	-device value
 * @chardev:	-chardev value (vhost-user)
 * @memobj:	-object value for the shared memory backend (vhost-user)
 * @machine:	-machine value naming it (vhost-user)
 */
struct mq_net {
	char netdev[256];
	char device[1024];
	char chardev[512];
	char memobj[256];
	char machine[256];
};

/**
 * mq_net_args() - Build the network arguments for qemu
 * @mq:		Configuration
 * @link_fd:	qemu's end of the socket pair
 * @n:		Arguments to fill
 */
static void mq_net_args(struct mq_conf *mq, int link_fd, struct mq_net *n)
{
	char size[64];

	snprintf(n->device, sizeof(n->device), "%s,netdev=%s", mq->device,
		 mq->id);
	if (mq->vhost_user) {
		mq_mem_size(mq, size, sizeof(size));
		snprintf(n->chardev, sizeof(n->chardev), "socket,id=%s-chr,path=%s",
			 mq->id, mq->sock);
		snprintf(n->netdev, sizeof(n->netdev),
			 "vhost-user,id=%s,chardev=%s-chr", mq->id, mq->id);
		snprintf(n->memobj, sizeof(n->memobj),
			 "memory-backend-memfd,id=%s-mem,size=%s,share=on",
			 mq->id, size);
		snprintf(n->machine, sizeof(n->machine), "memory-backend=%s-mem",
			 mq->id);
		if (!mq_wants_kvm(mq))
			snprintf(n->device, sizeof(n->device),
				 "%s,netdev=%s,vectors=0", mq->device, mq->id);
		return;
	}
	if (mq->legacy < 0)
		mq->legacy = mq_qemu_legacy(mq->qemu_argv[0]);
	if (mq->legacy)
		snprintf(n->netdev, sizeof(n->netdev), "socket,id=%s,fd=%d",
			 mq->id, link_fd);
	else
		snprintf(n->netdev, sizeof(n->netdev),
			 "stream,id=%s,server=off,addr.type=fd,addr.str=%d",
			 mq->id, link_fd);
}

/**
 * mq_spawn_qemu() - Start qemu on the other end of the link
 * @mq:		Configuration
 * @link_fd:	qemu's end of the socket pair
 *
 * Return: qemu's pid, or -1 on error
 */
static pid_t mq_spawn_qemu(struct mq_conf *mq, int link_fd)
{
	static struct mq_net n;
	char **argv;
	int argc = 0, i;
	pid_t pid;

	mq_net_args(mq, link_fd, &n);
	argv = calloc((size_t)mq->qemu_argc + 11, sizeof(*argv));
	if (!argv)
		return -1;
	for (i = 0; i < mq->qemu_argc; i++)
		argv[argc++] = mq->qemu_argv[i];
	if (mq->vhost_user) {
		argv[argc++] = "-object";
		argv[argc++] = n.memobj;
		argv[argc++] = "-machine";
		argv[argc++] = n.machine;
		argv[argc++] = "-chardev";
		argv[argc++] = n.chardev;
	}
	argv[argc++] = "-netdev";
	argv[argc++] = n.netdev;
	if (strcmp(mq->device, "none") != 0) {
		argv[argc++] = "-device";
		argv[argc++] = n.device;
	}

	pid = fork();
	if (pid == 0) {
		if (mq_keep_fd(link_fd))
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "merd-qemu: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	free(argv);
	return pid;
}

/**
 * mq_forward_signal() - Pass a terminating signal on to qemu
 * @sig:	Signal number
 */
static void mq_forward_signal(int sig)
{
	if (mq_qemu_pid > 0)
		kill((pid_t)mq_qemu_pid, sig);
}

/**
 * mq_status() - Turn a wait status into an exit status
 * @status:	Status from waitpid()
 *
 * Return: the exit code, or 128 + signal number
 */
static int mq_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/**
 * mq_wait_child() - Wait for a child for at most a while
 * @pid:	Child
 * @ms:		Milliseconds to wait, -1 for ever
 * @status:	Its wait status, when it ended
 *
 * Return: true if the child ended
 */
static bool mq_wait_child(pid_t pid, int ms, int *status)
{
	struct timespec tick = { 0, 10000000L };
	int waited = 0;
	pid_t rc;

	for (;;) {
		rc = waitpid(pid, status, ms < 0 ? 0 : WNOHANG);
		if (rc == pid)
			return true;
		if (rc < 0 && errno != EINTR)
			return false;
		if (rc == 0) {
			if (waited >= ms)
				return false;
			nanosleep(&tick, NULL);
			waited += 10;
		}
	}
}

/**
 * mq_stop_merd() - Let merd end after qemu, terminate it if it lingers
 * @pid:	merd's pid
 */
static void mq_stop_merd(pid_t pid)
{
	int status;

	if (mq_wait_child(pid, MQ_EXIT_GRACE_MS, &status))
		return;
	kill(pid, SIGTERM);
	if (mq_wait_child(pid, MQ_EXIT_GRACE_MS, &status))
		return;
	kill(pid, SIGKILL);
	mq_wait_child(pid, -1, &status);
}

/**
 * mq_signals() - Forward SIGTERM, SIGINT and SIGHUP to qemu
 */
static void mq_signals(void)
{
	struct sigaction sa = { .sa_handler = mq_forward_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/**
 * mq_sock_dir() - --vhost-user: make the private directory of merd's socket
 * @mq:		Configuration, @dir and @sock set
 *
 * In $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp; mode 0700.
 *
 * Return: 0, -1 with a message on error
 */
static int mq_sock_dir(struct mq_conf *mq)
{
	const char *base = getenv("XDG_RUNTIME_DIR");

	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (snprintf(mq->dir, sizeof(mq->dir), "%s/merd-qemu.XXXXXX", base) >=
	    (int)sizeof(mq->dir) || !mkdtemp(mq->dir)) {
		fprintf(stderr, "merd-qemu: cannot make a directory in %s: %s\n",
			base, strerror(errno));
		return -1;
	}
	snprintf(mq->sock, sizeof(mq->sock), "%s/vhost-user.sock", mq->dir);
	if (strlen(mq->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "merd-qemu: socket path %s too long\n",
			mq->sock);
		rmdir(mq->dir);
		return -1;
	}
	return 0;
}

/**
 * mq_sock_dir_remove() - Remove the socket's directory, and the socket if
 * merd left it
 * @mq:		Configuration
 */
static void mq_sock_dir_remove(const struct mq_conf *mq)
{
	if (!mq->vhost_user)
		return;
	unlink(mq->sock);
	rmdir(mq->dir);
}

/**
 * main() - Start merd, then qemu; wait for qemu, then for merd
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: qemu's exit status, or 1 if merd or qemu could not start
 */
int main(int argc, char **argv)
{
	static struct mq_conf mq;
	int link[2], ready[2], status = 0, rc;
	pid_t merd, qemu;

	rc = mq_parse(argc, argv, &mq);
	if (rc)
		return rc == 2 ? 0 : 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, link) ||
	    pipe2(ready, O_CLOEXEC)) {
		perror("merd-qemu: socketpair");
		return 1;
	}
	if (mq.vhost_user && mq_sock_dir(&mq))
		return 1;
	merd = mq_spawn_merd(&mq, link[0], ready[1]);
	close(link[0]);
	close(ready[1]);
	if (merd < 0 || !mq_wait_ready(ready[0])) {
		fprintf(stderr, "merd-qemu: merd did not become ready\n");
		if (merd > 0)
			mq_stop_merd(merd);
		mq_sock_dir_remove(&mq);
		return 1;
	}
	close(ready[0]);

	mq_signals();
	qemu = mq_spawn_qemu(&mq, link[1]);
	mq_qemu_pid = qemu;
	close(link[1]);
	if (qemu < 0) {
		perror("merd-qemu: fork");
		mq_stop_merd(merd);
		mq_sock_dir_remove(&mq);
		return 1;
	}
	mq_wait_child(qemu, -1, &status);
	mq_qemu_pid = 0;
	mq_stop_merd(merd);
	mq_sock_dir_remove(&mq);
	return mq_status(status);
}
