// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - Start-up, the event loop, signals and exit
 *
 * merd - rootless user-mode networking for one VM or container.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "ctlclient.h"
#include "flow.h"
#include "frag.h"
#include "fwd.h"
#include "inany.h"
#include "isolation.h"
#include "link.h"
#include "log.h"
#include "ndp.h"
#include "merd.h"
#include "ns.h"
#include "nsfwd.h"
#include "pcap.h"
#include "splice.h"
#include "raw.h"
#include "slirp_api.h"
#include "tcp.h"
#include "util.h"
#include "vhost_net.h"
#include "vhost_user.h"

#define EPOLL_EVENTS	64


/**
 * main_signals() - Route signals through a signalfd
 * @c:		Execution context
 *
 * Return: 0 on success, negative errno on failure
 */
static int main_signals(struct ctx *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (c->sigfd < 0)
		return -errno;
	return epoll_add(c, c->sigfd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_SIGNAL, 0));
}

/**
 * main_signal_event() - Handle pending signals
 * @c:		Execution context
 */
static void main_signal_event(struct ctx *c)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(c->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGUSR1:
			log_flush_suppressed();
			counters_log(c, "counters", true);
			break;
		case SIGCHLD:
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				if (pid != c->child)
					continue;
				c->child_status = ns_exit_code(status);
				c->stop = true;
			}
			break;
		default:
			debug("signal %u, stopping", si.ssi_signo);
			c->stop = true;
			break;
		}
	}
}

/**
 * main_exit_fd_watch() - Watch the --exit-fd for its writer's end
 * @c:		Execution context
 *
 * Return: 0 on success, negative errno (reported) on failure
 */
static int main_exit_fd_watch(struct ctx *c)
{
	int fd = c->conf.exit_fd, flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) ||
	    epoll_add(c, fd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_EXIT_FD, 0))) {
		int rc = -errno;

		err("--exit-fd %d: %s", fd, strerror(errno));
		return rc;
	}
	return 0;
}

/**
 * main_exit_fd_event() - Stop once the --exit-fd's writer is gone
 * @c:		Execution context
 * @events:	epoll events on the exit file descriptor
 *
 * Data written to it is read and ignored; end of file or a hang-up stops
 * merd (slirp4netns's --exit-fd).
 */
static void main_exit_fd_event(struct ctx *c, uint32_t events)
{
	char buf[64];
	ssize_t n = read(c->conf.exit_fd, buf, sizeof(buf));

	if (n > 0 || (n < 0 && errno == EAGAIN && !(events & EPOLLHUP)))
		return;
	info("exit fd %d closed, stopping", c->conf.exit_fd);
	epoll_del(c, c->conf.exit_fd);
	c->stop = true;
}

/**
 * main_dispatch() - Handle one epoll event
 * @c:		Execution context
 * @ev:		Event
 */
static void main_dispatch(struct ctx *c, const struct epoll_event *ev)
{
	uint64_t ref = ev->data.u64, expirations;

	switch (EPOLL_REF_TYPE(ref)) {
	case EPOLL_TYPE_LINK_LISTEN:
		link_accept(c);
		break;
	case EPOLL_TYPE_LINK:
		if (ev->events & EPOLLOUT)
			link_event_out(c);
		if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR))
			link_rx(c);
		break;
	case EPOLL_TYPE_TIMER:
		if (read(c->timerfd, &expirations, sizeof(expirations)) > 0)
			flow_timer(c);
		break;
	case EPOLL_TYPE_SIGNAL:
		main_signal_event(c);
		break;
	case EPOLL_TYPE_FLOW:
		flow_sock_event(c, EPOLL_REF_IDX(ref), ev->events);
		break;
	case EPOLL_TYPE_RA_TIMER:
		ndp_timer(c);
		break;
	case EPOLL_TYPE_FWD:
		fwd_event(c, EPOLL_REF_IDX(ref));
		break;
	case EPOLL_TYPE_EXIT_FD:
		main_exit_fd_event(c, ev->events);
		break;
	case EPOLL_TYPE_NSFWD:
		nsfwd_event(c, EPOLL_REF_IDX(ref));
		break;
	case EPOLL_TYPE_SPLICE: {
		struct flow *f = flow_at(&c->flows, EPOLL_REF_IDX(ref));

		if (f)
			splice_event(c, f, ev->events, 1);
		break;
	}
	case EPOLL_TYPE_NSFWD_SCAN:
		nsfwd_scan(c);
		break;
	case EPOLL_TYPE_CTL_LISTEN:
		ctl_accept(c);
		break;
	case EPOLL_TYPE_CTL:
		ctl_event(c, EPOLL_REF_IDX(ref), ev->events);
		break;
	case EPOLL_TYPE_API_LISTEN:
		slirp_api_accept(c);
		break;
	case EPOLL_TYPE_API:
		slirp_api_event(c, EPOLL_REF_IDX(ref));
		break;
	case EPOLL_TYPE_RAW:
		raw_event(c, EPOLL_REF_IDX(ref));
		break;
	case EPOLL_TYPE_VHOST_KICK:
		vhost_net_kick(c, EPOLL_REF_IDX(ref));
		break;
	case EPOLL_TYPE_NS_WATCH:
		if (ns_gone((int)EPOLL_REF_IDX(ref), c->conf.netns)) {
			info("namespace %s is gone", c->conf.netns);
			c->stop = true;
		}
		break;
	default:
		break;
	}
}

/**
 * main_batch_end() - Finish a batch: owed ACKs, the link queue, and flows
 * that waited for room on it
 * @c:		Execution context
 */
static void main_batch_end(struct ctx *c)
{
	int rounds;

	tcp_batch_end(c);
	link_rx_done(c);	/* the guest's payload is written */
	link_tx_flush(c);
	for (rounds = 0; rounds < 8 && !c->link.tx_blocked; rounds++) {
		bool more = tcp_tx_resume(c);

		link_tx_flush(c);
		if (!more)
			break;
	}
}

/**
 * main_loop() - Run the event loop until asked to stop
 * @c:		Execution context
 */
static void main_loop(struct ctx *c)
{
	struct epoll_event events[EPOLL_EVENTS];
	int n, i;

	while (!c->stop) {
		n = epoll_wait(c->epollfd, events, EPOLL_EVENTS, -1);
		if (n < 0 && errno != EINTR) {
			err("epoll_wait: %s", strerror(errno));
			break;
		}
		c->now = now_ms();
		for (i = 0; i < n; i++)
			main_dispatch(c, &events[i]);
		main_batch_end(c);
	}
}

/**
 * main_ns_link() - Serve the namespace's tap, and what was opened there
 * @c:		Execution context
 * @tap:	Tap device
 * @extra:	-T/-U sockets and "auto" files from the namespace
 *
 * Return: 0 on success, negative errno on failure
 */
static int main_ns_link(struct ctx *c, int tap, const struct ns_extra *extra)
{
	int rc = nsfwd_start(c, extra);

	return rc ? rc : link_attach(c, tap, LINK_TAP);
}

/**
 * main_ns_start() - Namespace mode: start the command behind a tap
 * @c:		Execution context
 *
 * Return: 0 on success, negative errno on failure (reported)
 */
static int main_ns_start(struct ctx *c)
{
	static struct ns_extra extra;
	struct ns_guest_cfg g = { 0 };
	int tap, rc;

	strcpy(g.tap_name, c->conf.tap_name);
	g.mtu = c->conf.mtu;
	g.v4 = c->conf.v4;
	g.addr4 = c->conf.addr4;
	g.prefix4 = c->conf.prefix4;
	g.gw4 = c->conf.gw4;
	g.v6 = c->conf.v6;
	g.addr6 = c->conf.addr6;
	g.prefix6 = c->conf.prefix6;
	g.gw6 = c->conf.router6;
	g.resolv_conf = conf_resolv_text(&c->conf);
	if (nsfwd_prepare(c, &extra))
		return -ENOENT;		/* reported */

	if (c->conf.netns[0]) {
		int watch = ns_watch(c->conf.netns);

		if (watch < 0)
			return -ENOENT;		/* reported */
		rc = epoll_add(c, watch, EPOLLIN,
			       EPOLL_REF(EPOLL_TYPE_NS_WATCH, watch));
		if (rc)
			return rc;
		rc = ns_attach(c->conf.netns, c->conf.no_config ? NULL : &g,
			       c->conf.tap_name, &tap, &extra);
		if (rc)
			return -ENOENT;		/* reported, in one line */
		return main_ns_link(c, tap, &extra);
	}
	rc = ns_spawn(&g, c->conf.cmd, &tap, &c->child, &extra);
	if (rc)
		return -ENOENT;			/* reported, in one line */
	return main_ns_link(c, tap, &extra);
}

/**
 * main_nofile() - Raise the open files limit to its hard limit
 * @max_flows:	Size of the flow table: each flow may hold a socket
 *
 * Says so (debug level: the common case of a 65536-entry table and a
 * lower limit is no error) if the hard limit leaves less than one
 * descriptor per flow; flows then fail, and are counted, past the limit.
 */
static void main_nofile(unsigned int max_flows)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		warn("cannot raise the open files limit: %s", strerror(errno));
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < max_flows + 64U)
		debug("open files limit %llu: fewer than --max-flows %u flows "
		      "can have a socket", (unsigned long long)rl.rlim_max,
		      max_flows);
}

/**
 * main_setup() - Create everything the event loop needs
 * @c:		Execution context
 *
 * Return: 0 on success, negative errno on failure (reported)
 */
static int main_setup(struct ctx *c)
{
	int rc = isolation_user_check(&c->conf);

	if (rc)
		return -ENOENT;		/* reported */
	c->our_mac[0] = 0x9a;	/* locally administered, unicast */
	c->our_mac[1] = 0x55;
	c->our_mac[2] = 0x9a;
	c->our_mac[3] = 0x55;
	c->our_mac[4] = 0x9a;
	c->our_mac[5] = 0x55;
	c->ra_timerfd = -1;
	main_nofile(c->conf.max_flows);
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	c->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->epollfd < 0 || c->timerfd < 0)
		return -errno;
	rc = epoll_add(c, c->timerfd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_TIMER, 0));
	if (!rc)
		rc = main_signals(c);
	if (!rc)
		rc = flow_table_init(c, c->conf.max_flows);
	if (!rc)
		rc = ndp_init(c);
	if (!rc)
		rc = tcp_init(c);
	if (!rc)
		rc = link_init(c);
	if (!rc)
		rc = frag_init(c);
	if (!rc && c->conf.exit_fd >= 0)
		rc = main_exit_fd_watch(c);
	if (rc)
		return rc;
	c->now = now_ms();
	if (fwd_open(c))
		return -ENOENT;		/* reported */
	rc = raw_setup(c);
	if (!rc && isolation_runas(&c->conf))
		rc = -ENOENT;		/* reported */
	if (rc)
		return rc;
	/* as the user merd runs as, so that the user can connect */
	if (c->conf.ctl_path[0] && ctl_open(c, c->conf.ctl_path))
		return -ENOENT;		/* reported */
	if (c->conf.api_socket[0] && slirp_api_open(c, c->conf.api_socket))
		return -ENOENT;		/* reported */

	if (c->conf.mode == MODE_NS)
		return main_ns_start(c);
	if (c->conf.link_fd >= 0)
		return link_attach(c, c->conf.link_fd, c->conf.vhost_user ?
				   LINK_VHOST : LINK_STREAM);
	return link_listen(c, c->conf.sock_path);
}

/**
 * main_detach() - Go to the background; the parent exits once merd is ready
 * @c:		Execution context
 * @ready:	Set to the pipe end on which the daemon says it is ready
 *
 * The parent waits for one byte on a pipe, written by main_detached() once
 * the pid file is written and the sandbox is closed: its exit status 0
 * then means "ready" (podman's pasta network takes it so), 1 that the
 * daemon failed first.
 *
 * Return: 0 in the daemon, never returns in the parent
 */
static int main_detach(struct ctx *c, int *ready)
{
	int p[2], null;
	char b = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &b, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 && b == '1' ? 0 : 1);
	}
	close(p[0]);
	*ready = p[1];
	setsid();
	/* signalfd wakes epoll for the process that registered it: redo */
	epoll_del(c, c->sigfd);
	close(c->sigfd);
	if (main_signals(c))
		return -1;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	log_init(c->conf.log_level, true);	/* -q, -d, --trace kept */
	return 0;
}

/**
 * main_detached() - Let the parent of main_detach() exit: merd is ready
 * @fd:		Its pipe end, or -1 if merd did not detach
 */
static void main_detached(int fd)
{
	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		warn("cannot tell the parent merd is ready: %s",
		     strerror(errno));
	close(fd);
}

/**
 * main_ready() - Tell whoever waits that the network is up
 * @c:		Execution context
 *
 * Writes the pid file, then "1" to the ready file descriptor
 * (slirp4netns's convention), which is closed.
 *
 * Return: 0, or 1 if the pid file could not be written (reported)
 */
static int main_ready(const struct ctx *c)
{
	if (c->conf.pid_file[0]) {
		FILE *f = fopen(c->conf.pid_file, "we");

		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			err("cannot write pid file %s: %s", c->conf.pid_file,
			    strerror(errno));
			return 1;
		}
	}
	if (c->conf.ready_fd >= 0) {
		if (write(c->conf.ready_fd, "1", 1) != 1)
			warn("ready fd %d: %s", c->conf.ready_fd,
			     strerror(errno));
		close(c->conf.ready_fd);
	}
	return 0;
}

/**
 * main_files_remove() - Close the sockets merd made in the file system,
 * remove them and the pid file: at exit, or when start-up failed late
 * @c:		Execution context
 */
static void main_files_remove(struct ctx *c)
{
	ctl_close(c);
	if (c->conf.ctl_path[0])
		isolation_unlink(c->conf.ctl_path);
	slirp_api_close(c);
	if (c->conf.api_socket[0])
		isolation_unlink(c->conf.api_socket);
	if (c->link.listen_fd >= 0 && c->conf.sock_path[0])
		isolation_unlink(c->conf.sock_path);
	if (c->conf.pid_file[0])
		isolation_unlink(c->conf.pid_file);
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 after a clean stop, the command's status in namespace mode,
 * 1 on bad usage or set-up failure
 */
int main(int argc, char **argv)
{
	static struct ctx c;
	int rc, detached = -1;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctlclient_main(argc - 1, argv + 1);
	rc = conf_parse(&c.conf, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 1;
	if (conf_host_defaults(&c.conf))
		return 1;
	/* only now: a bad option or --help leaves the file alone */
	if (c.conf.pcap_path[0] && pcap_open(c.conf.pcap_path, c.conf.pcap_max))
		return 1;		/* reported */

	rc = main_setup(&c);
	if (rc) {
		if (rc != -ENOENT)
			err("set-up failed: %s", strerror(-rc));
		return 1;
	}
	if ((c.conf.mode != MODE_NS || c.conf.netns[0]) &&
	    !c.conf.foreground && main_detach(&c, &detached))
		return 1;
	if (main_ready(&c)) {
		c.conf.pid_file[0] = '\0';	/* not ours to remove */
		main_files_remove(&c);		/* reported */
		return 1;
	}
	if (isolation_enter(&c)) {
		main_files_remove(&c);		/* reported */
		return 1;
	}
	/* the command of --ns starts only now: no guest runs beside a merd
	 * that is not shut in (sending one byte and closing is on the list)
	 */
	if (c.conf.mode == MODE_NS && !c.conf.netns[0])
		ns_release();
	main_detached(detached);	/* nothing privileged after this */

	main_loop(&c);

	log_flush_suppressed();
	counters_log(&c, "counters", false);
	flow_close_all(&c);
	main_files_remove(&c);
	return c.child_status;
}
