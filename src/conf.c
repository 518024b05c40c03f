// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - Command line, and the addresses merd serves (host's by default) */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "flow.h"
#include "icmp.h"
#include "inany.h"
#include "log.h"
#include "merd.h"
#include "netlink.h"
#include "pasta.h"
#include "pcap.h"
#include "slirp.h"
#include "tcp.h"
#include "raw.h"
#include "udp.h"
#include "util.h"

#define RESOLV_CONF	"/etc/resolv.conf"

enum {
	OPT_NS = 0x100, OPT_ONE_OFF, OPT_TRACE, OPT_UDP_TIMEOUT,
	OPT_ICMP_TIMEOUT, OPT_MAX_FLOWS, OPT_VERSION, OPT_NETNS, OPT_NO_CONFIG,
	OPT_READY_FD, OPT_TAP, OPT_PCAP, OPT_PCAP_MAX,
	OPT_DNS_FORWARD, OPT_MAP_HOST_LO, OPT_EXIT_FD,
	OPT_CTL, OPT_TCP_TIMEOUT,
	OPT_TCP_SYN_TIMEOUT, OPT_TCP_FIN_TIMEOUT,
	OPT_RAW, OPT_RUNAS, OPT_VHOST_USER,
};

static const char conf_usage[] =
"Usage: merd [OPTIONS]                     VM mode: serve one qemu\n"
"       merd [OPTIONS] --ns [--] [CMD...]  namespace mode\n"
"\n"
"Guest link:\n"
"  -s, --socket PATH      UNIX socket to listen on for qemu's stream netdev\n"
"                         (default $XDG_RUNTIME_DIR/merd.socket or\n"
"                         /tmp/merd-UID.socket)\n"
"  -F, --fd N             use the already connected socket N instead\n"
"      --vhost-user       be the vhost-user backend of one virtio-net device\n"
"                         on that socket (qemu: -chardev socket,path=PATH\n"
"                         -netdev vhost-user; guest RAM shared, e.g.\n"
"                         -object memory-backend-memfd,share=on; see merd(1))\n"
"  -1, --one-off          exit once the guest disconnects\n"
"      --ns               run CMD (default $SHELL) in a new user and network\n"
"                         namespace with a tap device served by merd\n"
"      --netns PID|PATH   serve a tap device in an existing network\n"
"                         namespace (joining its user namespace as needed);\n"
"                         merd stops when the namespace goes away\n"
"      --no-config        leave that namespace's addresses and routes alone\n"
"      --tap NAME         tap device name in namespace mode (default tap0;\n"
"                         an existing one is attached to)\n"
"Addresses given to the guest (default: the host's own):\n"
"  -i, --interface NAME   host interface to copy (default: default route's)\n"
"  -a, --address ADDR     guest's IPv4 or IPv6 address (repeat for both)\n"
"  -n, --netmask PREFIX   IPv4 prefix length\n"
"  -g, --gateway ADDR     IPv4 gateway the guest routes through (an IPv6\n"
"                         one only stands in for loopback resolvers)\n"
"  -D, --dns ADDR         resolver for the guest (repeatable; default: the\n"
"                         host's, loopback ones reached through the gateway)\n"
"  -S, --search LIST      DNS search list (default: the host's)\n"
"      --dns-forward ADDR give the guest ADDR (repeat for both families) as\n"
"                         its one resolver; queries to it go to the host's\n"
"                         first resolver\n"
"      --map-host-loopback ADDR  the guest's flows to ADDR go to the host's\n"
"                         loopback, 127.0.0.1 or ::1 (default: none)\n"
"  -m, --mtu N            MTU (default 1500 VM mode, 65520 namespace mode)\n"
"  -4, --ipv4-only        IPv4 only\n"
"  -6, --ipv6-only        IPv6 only\n"
"Port forwarding (host to guest):\n"
"  -t, --tcp-ports SPEC   TCP ports: [ADDR/]PORTS, PORTS a comma list of\n"
"                         P, P-Q, P:GUEST, P-Q:G-H, ~EXCLUDED; or none;\n"
"                         or all, or auto (see below); ADDR IPv4 or IPv6\n"
"                         (::1/8080:80)\n"
"  -u, --udp-ports SPEC   UDP ports, same syntax\n"
"                         all: every port from\n"
"                         net.ipv4.ip_unprivileged_port_start up, but the\n"
"                         ephemeral range and ports bound at start (one\n"
"                         socket per port and family: needs ulimit -n);\n"
"                         exclusions alone (~22) are all but those\n"
"                         auto (namespace mode): ports bound in the\n"
"                         namespace, forwarded as they appear (1 s scan)\n"
"Namespace mode, namespace to host loopback:\n"
"  -T, --tcp-ns SPEC      TCP ports of the namespace's 127.0.0.1 and ::1\n"
"                         joined to the same port (or P:HOSTPORT) of the\n"
"                         host's loopback, spliced; same syntax, ADDR is\n"
"                         the namespace's address to listen on\n"
"  -U, --udp-ns SPEC      UDP ports, same syntax, datagrams relayed\n"
"                         -T/-U auto: ports served on the host's loopback,\n"
"                         as they appear (1 s scan; a helper process stays\n"
"                         in the namespace to open them)\n"
"Flows:\n"
"      --max-flows N      size of the flow table (default 65536)\n"
"      --udp-timeout S    idle UDP flows expire after S seconds (180);\n"
"                         unanswered ones after at most 30\n"
"      --icmp-timeout S   idle ICMP echo flows expire after S seconds (60)\n"
"      --tcp-timeout S    idle established TCP flows expire after S\n"
"                         seconds (7200)\n"
"      --tcp-syn-timeout S  TCP handshakes must finish within S seconds (30)\n"
"      --tcp-fin-timeout S  idle half-closed TCP flows expire after S\n"
"                         seconds (600)\n"
"Raw sockets (CAP_NET_RAW: setcap cap_net_raw+ep, or root with --runas;\n"
"ICMP echo uses them by itself where ping sockets are not permitted):\n"
"      --raw PROTOS       pass the IP protocols PROTOS (comma separated names\n"
"                         of /etc/protocols or numbers: gre,sctp,47) between\n"
"                         guest and host, tracked like UDP flows; merd\n"
"                         refuses to start without CAP_NET_RAW\n"
"Process:\n"
"  -f, --foreground       stay in the foreground (otherwise merd detaches\n"
"                         once ready, except with --ns)\n"
"  -P, --pid FILE         write merd's pid to FILE, removed at exit\n"
"      --runas USER       started as root: open ports and raw sockets, then\n"
"                         become USER (name or uid) before anything else;\n"
"                         without it, root is refused\n"
"      --ready-fd N       write \"1\" to file descriptor N and close it once\n"
"                         the network is up\n"
"      --exit-fd N        stop when file descriptor N hangs up (its writer\n"
"                         closed it)\n"
"      --ctl PATH         control socket (mode 0600): 'merd ctl PATH ...'\n"
"                         lists flows, counters, forwards; adds and\n"
"                         removes forwards\n"
"      --pcap FILE        capture the guest link to FILE (pcap format)\n"
"      --pcap-max MIB     stop capturing at this size (default 64)\n"
"  -d, --debug            debug messages\n"
"      --trace            per-frame and per-flow messages too\n"
"  -q, --quiet            errors only\n"
"  -h, --help             this text\n"
"      --version          version\n"
"\n"
"Control client: merd ctl PATH COMMAND [ARGS] [--json]  (merd ctl --help)\n";

static const struct option conf_options[] = {
	{ "socket",	required_argument,	NULL, 's' },
	{ "fd",		required_argument,	NULL, 'F' },
	{ "one-off",	no_argument,		NULL, '1' },
	{ "vhost-user",	no_argument,		NULL, OPT_VHOST_USER },
	{ "ns",		no_argument,		NULL, OPT_NS },
	{ "netns",	required_argument,	NULL, OPT_NETNS },
	{ "no-config",	no_argument,		NULL, OPT_NO_CONFIG },
	{ "tap",	required_argument,	NULL, OPT_TAP },
	{ "pid",	required_argument,	NULL, 'P' },
	{ "ready-fd",	required_argument,	NULL, OPT_READY_FD },
	{ "pcap",	required_argument,	NULL, OPT_PCAP },
	{ "pcap-max",	required_argument,	NULL, OPT_PCAP_MAX },
	{ "interface",	required_argument,	NULL, 'i' },
	{ "address",	required_argument,	NULL, 'a' },
	{ "netmask",	required_argument,	NULL, 'n' },
	{ "gateway",	required_argument,	NULL, 'g' },
	{ "dns",	required_argument,	NULL, 'D' },
	{ "search",	required_argument,	NULL, 'S' },
	{ "dns-forward", required_argument,	NULL, OPT_DNS_FORWARD },
	{ "map-host-loopback", required_argument, NULL, OPT_MAP_HOST_LO },
	{ "exit-fd",	required_argument,	NULL, OPT_EXIT_FD },
	{ "mtu",	required_argument,	NULL, 'm' },
	{ "ipv4-only",	no_argument,		NULL, '4' },
	{ "ipv6-only",	no_argument,		NULL, '6' },
	{ "tcp-ports",	required_argument,	NULL, 't' },
	{ "udp-ports",	required_argument,	NULL, 'u' },
	{ "tcp-ns",	required_argument,	NULL, 'T' },
	{ "udp-ns",	required_argument,	NULL, 'U' },
	{ "max-flows",	required_argument,	NULL, OPT_MAX_FLOWS },
	{ "udp-timeout", required_argument,	NULL, OPT_UDP_TIMEOUT },
	{ "icmp-timeout", required_argument,	NULL, OPT_ICMP_TIMEOUT },
	{ "tcp-timeout", required_argument,	NULL, OPT_TCP_TIMEOUT },
	{ "tcp-syn-timeout", required_argument,	NULL, OPT_TCP_SYN_TIMEOUT },
	{ "tcp-fin-timeout", required_argument,	NULL, OPT_TCP_FIN_TIMEOUT },
	{ "ctl",	required_argument,	NULL, OPT_CTL },
	{ "raw",	required_argument,	NULL, OPT_RAW },
	{ "runas",	required_argument,	NULL, OPT_RUNAS },
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "debug",	no_argument,		NULL, 'd' },
	{ "trace",	no_argument,		NULL, OPT_TRACE },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ 0 },
};

/**
 * conf_uint() - Parse a bounded unsigned option value
 * @name:	Option name, for the error line
 * @s:		Text
 * @min:	Smallest accepted value
 * @max:	Largest accepted value
 * @out:	Result
 *
 * Return: 0 on success, -EINVAL (reported) otherwise
 */
static int conf_uint(const char *name, const char *s, unsigned long min,
		     unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max) {
		err("invalid %s '%s': expected %lu to %lu", name, s, min, max);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/**
 * conf_string() - Copy a string option value, refusing what does not fit
 * @name:	Option name, for the error line
 * @s:		Value
 * @out:	Destination
 * @size:	Size of @out
 *
 * Return: 0 on success, -EINVAL (reported) if @s is empty or too long
 */
static int conf_string(const char *name, const char *s, char *out,
		       size_t size)
{
	if (!*s || strlen(s) >= size) {
		err("invalid %s '%s': empty or too long", name, s);
		return -EINVAL;
	}
	strcpy(out, s);
	return 0;
}

/**
 * conf_addr() - Parse an address option value of either family
 * @name:	Option name, for the error line
 * @s:		Text
 * @v4:		Set if @s is an IPv4 address
 * @v6:		Set if @s is an IPv6 address
 *
 * Return: 0 on success, -EINVAL (reported) otherwise
 */
int conf_addr(const char *name, const char *s, struct in_addr *v4,
		     struct in6_addr *v6)
{
	if (inet_pton(AF_INET, s, v4) == 1 || inet_pton(AF_INET6, s, v6) == 1)
		return 0;
	err("invalid %s '%s': expected an IPv4 or IPv6 address", name, s);
	return -EINVAL;
}

/**
 * conf_dns() - Add a resolver given with -D
 * @conf:	Configuration
 * @s:		Address text, either family
 *
 * Return: 0 on success, -EINVAL (reported) otherwise
 */
static int conf_dns(struct conf *conf, const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr("--dns", s, &a4, &a6))
		return -EINVAL;
	if (strchr(s, ':')) {
		if (conf->n_dns6 == CONF_MAX_DNS)
			goto full;
		conf->dns6[conf->n_dns6++].target = a6;
	} else {
		if (conf->n_dns4 == CONF_MAX_DNS)
			goto full;
		conf->dns4[conf->n_dns4++].target = a4;
	}
	return 0;
full:
	err("at most %d resolvers per family", CONF_MAX_DNS);
	return -EINVAL;
}

/**
 * conf_runas() - Resolve the user of --runas, by name or number
 * @conf:	Configuration
 * @s:		User name, or numeric uid (gid: the user's, or the same number)
 *
 * Resolved now, while the password database can still be read.
 *
 * Return: 0 on success, -EINVAL (reported) for an unknown user or root
 */
static int conf_runas(struct conf *conf, const char *s)
{
	const struct passwd *pw;
	unsigned int v;
	char *end;

	if (conf_string("--runas", s, conf->runas, sizeof(conf->runas)))
		return -EINVAL;
	pw = getpwnam(s);
	if (pw) {
		conf->runas_uid = pw->pw_uid;
		conf->runas_gid = pw->pw_gid;
	} else {
		errno = 0;
		v = (unsigned int)strtoul(s, &end, 10);
		if (errno || *end || s[0] < '0' || s[0] > '9' ||
		    v >= (unsigned int)INT_MAX) {
			err("invalid --runas '%s': no such user", s);
			return -EINVAL;
		}
		pw = getpwuid((uid_t)v);
		conf->runas_uid = (uid_t)v;
		conf->runas_gid = pw ? pw->pw_gid : (gid_t)v;
	}
	if (!conf->runas_uid) {
		err("invalid --runas '%s': merd does not run as root", s);
		return -EINVAL;
	}
	return 0;
}

/**
 * conf_set_defaults() - Values used when no option says otherwise
 * @conf:	Configuration to fill
 */
static void conf_set_defaults(struct conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->mode = MODE_VM;
	conf->link_fd = -1;
	conf->ready_fd = -1;
	conf->exit_fd = -1;
	conf->log_level = LOG_LVL_INFO;
	conf->pcap_max = PCAP_MAX_DEFAULT;
	conf->v4 = conf->v6 = true;
	conf->udp_timeout = UDP_TIMEOUT_DEFAULT;
	conf->icmp_timeout = ICMP_TIMEOUT_DEFAULT;
	conf->tcp_timeout = TCP_IDLE_TIMEOUT_S;
	conf->tcp_syn_timeout = TCP_SYN_TIMEOUT_S;
	conf->tcp_fin_timeout = TCP_HALF_TIMEOUT_S;
	conf->max_flows = FLOW_MAX_DEFAULT;
	conf->prefix4 = -1;
	conf->prefix6 = -1;
	strcpy(conf->tap_name, "tap0");
}

/**
 * conf_default_socket() - Pick the socket path when none was given
 * @conf:	Configuration
 *
 * With --runas, the path is that user's, in /tmp: the runtime directory
 * of the user who started merd is not the one merd runs as.
 */
static void conf_default_socket(struct conf *conf)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	unsigned int uid = conf->runas[0] ? (unsigned int)conf->runas_uid :
					    (unsigned int)getuid();

	if (dir && *dir && !conf->runas[0])
		snprintf(conf->sock_path, sizeof(conf->sock_path),
			 "%s/merd.socket", dir);
	else
		snprintf(conf->sock_path, sizeof(conf->sock_path),
			 "/tmp/merd-%u.socket", uid);
}

/**
 * conf_option() - Apply one option
 * @conf:	Configuration
 * @opt:	Option character or code
 * @arg:	Its argument, if any
 *
 * Also used by the pasta front for the options it shares. -d, -q and
 * --trace set conf->log_level.
 *
 * Return: 0, 1 if merd should exit 0 now (help, version), -EINVAL
 */
int conf_option(struct conf *conf, int opt, const char *arg)
{
	unsigned int v;

	switch (opt) {
	case 's':
		return conf_string("--socket", arg, conf->sock_path,
				   sizeof(conf->sock_path));
	case 'F':
		if (conf_uint("--fd", arg, 0, INT_MAX, &v))
			return -EINVAL;
		conf->link_fd = (int)v;
		return 0;
	case '1': conf->one_off = true; return 0;
	case OPT_VHOST_USER: conf->vhost_user = true; return 0;
	case OPT_NS: conf->mode = MODE_NS; return 0;
	case OPT_NETNS:
		conf->mode = MODE_NS;
		return conf_string("--netns", arg, conf->netns,
				   sizeof(conf->netns));
	case OPT_NO_CONFIG: conf->no_config = true; return 0;
	case OPT_TAP:
		return conf_string("--tap", arg, conf->tap_name,
				   sizeof(conf->tap_name));
	case 'P':
		return conf_string("--pid", arg, conf->pid_file,
				   sizeof(conf->pid_file));
	case OPT_PCAP:
		return conf_string("--pcap", arg, conf->pcap_path,
				   sizeof(conf->pcap_path));
	case OPT_PCAP_MAX:
		if (conf_uint("--pcap-max", arg, 1, 1U << 20, &v))
			return -EINVAL;
		conf->pcap_max = (uint64_t)v << 20;
		return 0;
	case OPT_READY_FD:
		if (conf_uint("--ready-fd", arg, 0, INT_MAX, &v))
			return -EINVAL;
		conf->ready_fd = (int)v;
		return 0;
	case 'i':
		return conf_string("--interface", arg, conf->ifname,
				   sizeof(conf->ifname));
	case 'a': return conf_addr("--address", arg, &conf->addr4,
				   &conf->addr6);
	case 'g': return conf_addr("--gateway", arg, &conf->gw4, &conf->gw6);
	case 'n':
		if (conf_uint("--netmask", arg, 0, 32, &v))
			return -EINVAL;
		conf->prefix4 = (int)v;
		return 0;
	case 'D':
		return conf_dns(conf, arg);
	case OPT_DNS_FORWARD:
		return conf_addr("--dns-forward", arg, &conf->dns_fwd4,
				 &conf->dns_fwd6);
	case OPT_MAP_HOST_LO:
		return conf_addr("--map-host-loopback", arg, &conf->map_lo4,
				 &conf->map_lo6);
	case OPT_EXIT_FD:
		if (conf_uint("--exit-fd", arg, 0, INT_MAX, &v))
			return -EINVAL;
		conf->exit_fd = (int)v;
		return 0;
	case 'S':
		if (strlen(arg) >= sizeof(conf->search)) {
			err("search list too long");
			return -EINVAL;
		}
		strcpy(conf->search, arg);
		return 0;
	case 'm':
		if (conf_uint("--mtu", arg, CONF_MTU_MIN, CONF_MTU_MAX, &v))
			return -EINVAL;
		conf->mtu = (int)v;
		return 0;
	case 't': return fwd_parse(&conf->fwd, IPPROTO_TCP, arg);
	case 'u': return fwd_parse(&conf->fwd, IPPROTO_UDP, arg);
	case 'T': return fwd_parse_opt(&conf->fwd_out, IPPROTO_TCP, arg, "-T");
	case 'U': return fwd_parse_opt(&conf->fwd_out, IPPROTO_UDP, arg, "-U");
	case '4': conf->v6 = false; return 0;
	case '6': conf->v4 = false; return 0;
	case OPT_MAX_FLOWS:
		return conf_uint("--max-flows", arg, 16, 1U << 24,
				 &conf->max_flows);
	case OPT_UDP_TIMEOUT:
		return conf_uint("--udp-timeout", arg, 1, 86400,
				 &conf->udp_timeout);
	case OPT_ICMP_TIMEOUT:
		return conf_uint("--icmp-timeout", arg, 1, 86400,
				 &conf->icmp_timeout);
	case OPT_TCP_TIMEOUT:
		return conf_uint("--tcp-timeout", arg, 1, 30UL * 86400,
				 &conf->tcp_timeout);
	case OPT_TCP_SYN_TIMEOUT:
		return conf_uint("--tcp-syn-timeout", arg, 1, 3600,
				 &conf->tcp_syn_timeout);
	case OPT_TCP_FIN_TIMEOUT:
		return conf_uint("--tcp-fin-timeout", arg, 1, 86400,
				 &conf->tcp_fin_timeout);
	case OPT_CTL:
		return conf_string("--ctl", arg, conf->ctl_path,
				   sizeof(conf->ctl_path));
	case OPT_RAW: return raw_parse(conf, arg);
	case OPT_RUNAS: return conf_runas(conf, arg);
	case 'f': conf->foreground = true; return 0;
	case 'd': conf->log_level = LOG_LVL_DEBUG; return 0;
	case OPT_TRACE: conf->log_level = LOG_LVL_TRACE; return 0;
	case 'q': conf->log_level = LOG_LVL_ERR; return 0;
	case 'h': fputs(conf_usage, stdout); return 1;
	case OPT_VERSION: printf("merd %s\n", MERD_VERSION); return 1;
	default:
		err("option not handled (see merd --help)");
		return -EINVAL;
	}
}

/**
 * conf_invoked_as() - Tell whether merd runs under another tool's name
 * @argv0:	argv[0]
 * @name:	"slirp4netns" or "pasta": the command line that tool takes
 *
 * Return: true if the last path component of @argv0 is @name
 */
static bool conf_invoked_as(const char *argv0, const char *name)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && strcmp(base, name) == 0;
}

/**
 * conf_getopt_error() - Report an option getopt_long() refused, in one line
 * @prog:	Name the command was invoked as: "merd", "slirp4netns", "pasta"
 * @opt:	What getopt_long() returned: ':' for a missing argument (the
 *		option string starts with "+:"), '?' for an unknown option
 * @argv:	Arguments, optind past the bad one (opterr is 0)
 *
 * Return: -EINVAL
 */
int conf_getopt_error(const char *prog, int opt, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	int len = (int)strcspn(arg, "=");

	if (opt == ':')
		err("option %.*s needs an argument (see %s --help)", len, arg,
		    prog);
	else if (optopt && optopt < 0x100)
		err("unknown option -%c (see %s --help)", optopt, prog);
	else
		err("unknown option %.*s (see %s --help)", len, arg, prog);
	return -EINVAL;
}

/**
 * conf_parse() - Parse the command line
 * @conf:	Configuration to fill
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 to run, 1 to exit 0 at once (help, version), -EINVAL on bad
 * usage (one line on stderr already)
 */
int conf_parse(struct conf *conf, int argc, char **argv)
{
	int opt, rc;

	conf_set_defaults(conf);
	log_init(conf->log_level, false);
	if (conf_invoked_as(argv[0], "slirp4netns"))
		return slirp_parse(conf, argc, argv);
	if (conf_invoked_as(argv[0], "pasta")) {
		rc = pasta_parse(conf, argc, argv);
		log_init(conf->log_level, false);
		return rc;
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:F:1i:a:n:g:D:S:m:t:u:T:U:P:46fdqh",
				  conf_options, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return conf_getopt_error("merd", opt, argv);
		rc = conf_option(conf, opt, optarg);
		if (rc)
			return rc;
	}
	log_init(conf->log_level, false);

	if (!conf->v4 && !conf->v6) {
		err("-4 and -6 together leave no protocol");
		return -EINVAL;
	}
	if (conf->mode != MODE_NS &&
	    (conf->fwd_out.n || conf->fwd_out.autos || conf->fwd.autos)) {
		err("%s needs namespace mode (--ns or --netns)",
		    conf->fwd.autos ? "auto" : "-T/-U");
		return -EINVAL;
	}
	if (conf->mode == MODE_NS && conf->vhost_user) {
		err("--vhost-user is for VM mode, not with --ns or --netns");
		return -EINVAL;
	}
	if (conf->mode == MODE_NS && conf->netns[0]) {
		if (optind < argc) {
			err("unexpected argument '%s': --netns runs no command",
			    argv[optind]);
			return -EINVAL;
		}
	} else if (conf->mode == MODE_NS) {
		conf->cmd = optind < argc ? argv + optind : NULL;
		conf->foreground = true;
	} else if (optind < argc) {
		err("unexpected argument '%s' (a command needs --ns)",
		    argv[optind]);
		return -EINVAL;
	} else if (conf->link_fd < 0 && !conf->sock_path[0]) {
		conf_default_socket(conf);
	}
	if (!conf->mtu)
		conf->mtu = conf->mode == MODE_NS ? CONF_MTU_DEFAULT_NS
						  : CONF_MTU_DEFAULT_VM;
	return 0;
}

/**
 * conf_resolv_line() - Use one line of resolv.conf
 * @conf:	Configuration, resolvers and search list updated
 * @line:	Line, newline stripped
 * @want_ns:	Take nameserver lines (no -D was given)
 * @want_search:	Take search and domain lines (no -S was given)
 */
static void conf_resolv_line(struct conf *conf, char *line, bool want_ns,
			     bool want_search)
{
	char *kw = strtok(line, " \t"), *arg = strtok(NULL, " \t");
	struct in6_addr a6;
	struct in_addr a;

	if (!kw || !arg)
		return;
	if (want_ns && !strcmp(kw, "nameserver") &&
	    inet_pton(AF_INET, arg, &a) == 1 && conf->n_dns4 < CONF_MAX_DNS) {
		conf->dns4[conf->n_dns4++].target = a;
	} else if (want_ns && !strcmp(kw, "nameserver") &&
		   inet_pton(AF_INET6, arg, &a6) == 1 &&
		   conf->n_dns6 < CONF_MAX_DNS) {
		conf->dns6[conf->n_dns6++].target = a6;
	} else if (want_search &&
		   (!strcmp(kw, "search") || !strcmp(kw, "domain"))) {
		conf->search[0] = '\0';
		for (; arg; arg = strtok(NULL, " \t")) {
			size_t used = strlen(conf->search);

			if (used + strlen(arg) + 2 > sizeof(conf->search))
				break;
			snprintf(conf->search + used,
				 sizeof(conf->search) - used, "%s%s",
				 used ? " " : "", arg);
		}
	}
}

/**
 * conf_read_resolv() - Take resolvers and search list from resolv.conf
 * @conf:	Configuration
 */
static void conf_read_resolv(struct conf *conf)
{
	bool want_ns = !conf->n_dns4 && !conf->n_dns6, want_search = !conf->search[0];
	char line[512];
	FILE *f;

	if (!want_ns && !want_search)
		return;
	f = fopen(RESOLV_CONF, "re");
	if (!f) {
		warn("cannot read %s: %s", RESOLV_CONF, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n#;")] = '\0';
		conf_resolv_line(conf, line, want_ns, want_search);
	}
	fclose(f);
}

/**
 * conf_dns_keep() - Tell whether a resolver can be given to the guest
 * @loopback:	The resolver is on the host's loopback, out of the guest's
 *		reach: the gateway has to stand for it
 * @gw_ok:	There is a gateway address that can stand for it
 * @gw_used:	The gateway already stands for a resolver; set when it takes
 *		this one (it stands for one only, the first)
 *
 * Return: true if the resolver is kept, false if it is left out
 */
static bool conf_dns_keep(bool loopback, bool gw_ok, bool *gw_used)
{
	if (!loopback)
		return true;
	if (*gw_used || !gw_ok)
		return false;
	*gw_used = true;
	return true;
}

/**
 * conf_map_dns() - Choose what the guest is told for each resolver
 * @conf:	Configuration, addresses and gateway known
 *
 * A resolver on the host's loopback (127.0.0.53 of systemd-resolved, say)
 * is out of the guest's reach: the guest is given the gateway instead, and
 * merd sends queries to the gateway's port 53 on to that resolver. With
 * --dns-forward the guest is told that one address, standing for the
 * first resolver.
 */
static void conf_map_dns(struct conf *conf)
{
	bool gw_used = false;
	int i, n = 0;

	if (conf->dns_fwd4.s_addr) {
		conf->dns4[0].advertised = conf->dns_fwd4;
		conf->n_dns4 = conf->n_dns4 ? 1 : 0;
		return;
	}
	for (i = 0; i < conf->n_dns4; i++) {
		struct conf_dns4 d = conf->dns4[i];
		bool lo = (ntohl(d.target.s_addr) >> 24) == IN_LOOPBACKNET;

		d.advertised = lo ? conf->gw4 : d.target;
		if (conf_dns_keep(lo, conf->gw4.s_addr, &gw_used))
			conf->dns4[n++] = d;
	}
	conf->n_dns4 = n;
}

/**
 * conf_map_dns6() - Choose what the guest is told for each IPv6 resolver
 * @conf:	Configuration, addresses and gateway known
 *
 * As for IPv4: ::1 (or a v4-mapped loopback) is replaced by the host's
 * gateway address when that is global; without one it is left out (the
 * guest still resolves AAAA names over IPv4). With --dns-forward, that
 * address stands for the first IPv6 resolver, or the first IPv4 one if
 * the host has none.
 */
static void conf_map_dns6(struct conf *conf)
{
	bool gw_ok = !IN6_IS_ADDR_UNSPECIFIED(&conf->gw6) &&
		     !IN6_IS_ADDR_LINKLOCAL(&conf->gw6), gw_used = false;
	int i, n = 0;

	if (!IN6_IS_ADDR_UNSPECIFIED(&conf->dns_fwd6)) {
		/* an IPv4 resolver serves too, as a v4-mapped target */
		if (!conf->n_dns6 && conf->n_dns4)
			inany_from_v4(&conf->dns6[0].target,
				      conf->dns4[0].target);
		else if (!conf->n_dns6)
			return;
		conf->dns6[0].advertised = conf->dns_fwd6;
		conf->n_dns6 = 1;
		return;
	}
	for (i = 0; i < conf->n_dns6; i++) {
		struct conf_dns6 d = conf->dns6[i];
		bool lo = IN6_IS_ADDR_LOOPBACK(&d.target);

		if (IN6_IS_ADDR_LINKLOCAL(&d.target))
			continue;	/* no scope to reach it with */
		d.advertised = lo ? conf->gw6 : d.target;
		if (conf_dns_keep(lo, gw_ok, &gw_used))
			conf->dns6[n++] = d;
	}
	conf->n_dns6 = n;
}

/**
 * conf_host6() - Take the guest's IPv6 set-up from the host
 * @conf:	Configuration
 *
 * Without a global IPv6 address on the host (and none given), IPv6 is
 * turned off for the guest: it would have nowhere to go.
 */
static void conf_host6(struct conf *conf)
{
	struct nl_host6 h = { 0 };
	int rc = nl_host6_get(conf->ifname[0] ? conf->ifname : NULL, &h);

	if (IN6_IS_ADDR_UNSPECIFIED(&conf->addr6)) {
		if (rc) {
			info("no IPv6 address on the host: IPv6 off");
			conf->v6 = false;
			return;
		}
		conf->addr6 = h.addr;
	}
	if (conf->prefix6 < 0)
		conf->prefix6 = rc ? 64 : h.prefix_len;
	if (IN6_IS_ADDR_UNSPECIFIED(&conf->gw6) && !rc)
		conf->gw6 = h.gw;
}

/**
 * conf_map_gw() - Let the gateway stand for the host's loopback (pasta)
 * @conf:	Configuration, gateways known
 *
 * An IPv6 gateway is mapped only when global: the guest reaches a
 * link-local one as merd's own router address, not as itself.
 */
static void conf_map_gw(struct conf *conf)
{
	if (conf->v4 && !conf->map_lo4.s_addr)
		conf->map_lo4 = conf->gw4;
	if (conf->v6 && IN6_IS_ADDR_UNSPECIFIED(&conf->map_lo6) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&conf->gw6) &&
	    !IN6_IS_ADDR_LINKLOCAL(&conf->gw6))
		conf->map_lo6 = conf->gw6;
}

/**
 * conf_host_defaults() - Fill what options left open from the host
 * @conf:	Configuration
 *
 * The guest gets the address, prefix and gateway of the host interface
 * that holds the default route (or --interface), and the host's resolvers.
 *
 * Return: 0 on success, -ENOENT if the host has no usable IPv4 set-up and
 * options did not give one (reported)
 */
int conf_host_defaults(struct conf *conf)
{
	struct nl_host4 h = { 0 };

	if (conf->v4 && (!conf->addr4.s_addr || !conf->gw4.s_addr ||
			 conf->prefix4 < 0)) {
		int rc = nl_host4_get(conf->ifname[0] ? conf->ifname : NULL,
				      &h);

		if (rc && !conf->addr4.s_addr) {
			info("no IPv4 address on the host%s%s: IPv4 off (-a, "
			     "-n and -g give one)", conf->ifname[0] ?
			     " interface " : "", conf->ifname);
			conf->v4 = false;
			goto v6;
		}
		if (!conf->addr4.s_addr)
			conf->addr4 = h.addr;
		if (conf->prefix4 < 0)
			conf->prefix4 = rc ? 24 : h.prefix_len;
		if (!conf->gw4.s_addr)
			conf->gw4 = h.gw;
	}
	if (conf->v4 && !conf->gw4.s_addr) {
		err("no IPv4 gateway to give the guest: use -g");
		return -ENOENT;
	}
v6:
	if (conf->v6)
		conf_host6(conf);
	if (!conf->v4 && !conf->v6) {
		err("no usable IPv4 or IPv6 set-up on the host: use -a and -g");
		return -ENOENT;
	}
	if (conf->map_gw)
		conf_map_gw(conf);
	if (!conf->no_dns)
		conf_read_resolv(conf);
	conf_map_dns(conf);
	conf_map_dns6(conf);
	if (!conf->v6 || conf->no_dns)
		conf->n_dns6 = 0;
	if (!conf->v4 || conf->no_dns)
		conf->n_dns4 = 0;
	return 0;
}

/**
 * conf_resolv_text() - resolv.conf contents for a namespace guest
 * @conf:	Configuration, resolvers mapped
 *
 * Return: text naming the advertised resolvers and the search list, in a
 * static buffer, or NULL if there is no resolver to name
 */
const char *conf_resolv_text(const struct conf *conf)
{
	static char text[CONF_MAX_DNS * 2 * 64 + CONF_SEARCH_LEN + 16];
	char addr[INET6_ADDRSTRLEN];
	size_t used = 0;
	int i;

	if (!conf->n_dns4 && !conf->n_dns6)
		return NULL;
	for (i = 0; i < conf->n_dns4; i++) {
		inet_ntop(AF_INET, &conf->dns4[i].advertised, addr,
			  sizeof(addr));
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "nameserver %s\n", addr);
	}
	for (i = 0; i < conf->n_dns6; i++) {
		inet_ntop(AF_INET6, &conf->dns6[i].advertised, addr,
			  sizeof(addr));
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "nameserver %s\n", addr);
	}
	if (conf->search[0])
		snprintf(text + used, sizeof(text) - used, "search %s\n",
			 conf->search);
	return text;
}
