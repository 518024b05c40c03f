// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp.c - slirp4netns's command line, for podman 4 and rootlesskit 1
 *
 * Invoked as "slirp4netns" (a symbolic link to merd, or a copy), merd takes
 * slirp4netns's options and arguments, as podman and rootlesskit pass them,
 * and maps them onto its own configuration:
 *
 *   slirp4netns [OPTION]... PID|PATH [TAPNAME]
 *
 * The guest network is slirp4netns's: CIDR (default 10.0.2.0/24) with the
 * guest at .100, the gateway at .2 standing for the host's loopback (unless
 * --disable-host-loopback) and a resolver at .3 forwarded to the host's;
 * with --enable-ipv6, fd00::/64 with fd00::100, gateway fd00::2 and resolver
 * fd00::3. merd always runs sandboxed and filtered, so --enable-sandbox and
 * --enable-seccomp are accepted as what merd does anyway. podman decides
 * which options exist from the --help text: it lists only what is honoured.
 * Options merd does not implement are refused by name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "merd.h"
#include "slirp.h"

#define SLIRP_MTU_MAX	65521	/* slirp4netns's own limit */

enum {
	SLIRP_OPT_CIDR = 0x100, SLIRP_OPT_NO_HOST_LO, SLIRP_OPT_NETNS_TYPE,
	SLIRP_OPT_USERNS, SLIRP_OPT_SANDBOX, SLIRP_OPT_SECCOMP,
	SLIRP_OPT_NO_DNS, SLIRP_OPT_MAC, SLIRP_OPT_OUT4, SLIRP_OPT_OUT6,
	SLIRP_OPT_TARGET,
};

static const char slirp_usage[] =
"Usage: slirp4netns [OPTION]... PID|PATH [TAPNAME]\n"
"User-mode networking for unprivileged network namespaces (merd's\n"
"slirp4netns-compatible front; merd " MERD_VERSION ").\n"
"\n"
"  -c, --configure          bring up the tap: address CIDR+100, default\n"
"                           route via CIDR+2, resolver CIDR+3, lo up\n"
"  -e, --exit-fd=FD         exit when FD hangs up\n"
"  -r, --ready-fd=FD        write \"1\" to FD once the network is up\n"
"  -m, --mtu=MTU            MTU (default 1500, at most 65521; merd uses\n"
"                           at most 65520)\n"
"  -6, --enable-ipv6        IPv6: fd00::/64, gateway fd00::2, resolver\n"
"                           fd00::3\n"
"  -a, --api-socket=PATH    API socket (add_hostfwd, list_hostfwd,\n"
"                           remove_hostfwd)\n"
"      --cidr=CIDR          IPv4 network (default 10.0.2.0/24)\n"
"      --disable-host-loopback  the gateway does not lead to the host's\n"
"                           loopback\n"
"      --netns-type=TYPE    PID|PATH is a \"pid\" (default) or a \"path\"\n"
"      --userns-path=PATH   user namespace owning the network namespace\n"
"                           (merd finds the owner by itself)\n"
"      --enable-sandbox     sandbox (merd always runs sandboxed)\n"
"      --enable-seccomp     seccomp filter (merd always filters)\n"
"      --disable-dns        no resolver at CIDR+3\n"
"      --target-type=TYPE   \"netns\" (the only one)\n"
"  -h, --help               this text\n"
"  -v, --version            version\n";

static const struct option slirp_options[] = {
	{ "configure",		no_argument,		NULL, 'c' },
	{ "exit-fd",		required_argument,	NULL, 'e' },
	{ "ready-fd",		required_argument,	NULL, 'r' },
	{ "mtu",		required_argument,	NULL, 'm' },
	{ "enable-ipv6",	no_argument,		NULL, '6' },
	{ "api-socket",		required_argument,	NULL, 'a' },
	{ "cidr",		required_argument,	NULL, SLIRP_OPT_CIDR },
	{ "disable-host-loopback", no_argument,	NULL, SLIRP_OPT_NO_HOST_LO },
	{ "netns-type",		required_argument,	NULL, SLIRP_OPT_NETNS_TYPE },
	{ "userns-path",	required_argument,	NULL, SLIRP_OPT_USERNS },
	{ "enable-sandbox",	no_argument,		NULL, SLIRP_OPT_SANDBOX },
	{ "enable-seccomp",	no_argument,		NULL, SLIRP_OPT_SECCOMP },
	{ "disable-dns",	no_argument,		NULL, SLIRP_OPT_NO_DNS },
	{ "macaddress",		required_argument,	NULL, SLIRP_OPT_MAC },
	{ "outbound-addr",	required_argument,	NULL, SLIRP_OPT_OUT4 },
	{ "outbound-addr6",	required_argument,	NULL, SLIRP_OPT_OUT6 },
	{ "target-type",	required_argument,	NULL, SLIRP_OPT_TARGET },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'v' },
	{ 0 },
};

/**
 * struct slirp_opts - slirp4netns options before they become merd's
 * @configure:	-c: configure the tap
 * @ipv6:	--enable-ipv6
 * @host_lo:	The gateway leads to the host's loopback
 * @dns:	A resolver at CIDR+3
 * @by_path:	--netns-type=path
 * @net:	IPv4 network, host byte order
 * @prefix:	Its prefix length
 */
struct slirp_opts {
	bool configure;
	bool ipv6;
	bool host_lo;
	bool dns;
	bool by_path;
	uint32_t net;
	int prefix;
};

/**
 * slirp_fd() - Parse a file descriptor number
 * @name:	Option name, for the error line
 * @s:		Text
 * @fd:		Result
 *
 * Return: 0 on success, -EINVAL (reported) otherwise
 */
static int slirp_fd(const char *name, const char *s, int *fd)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX) {
		err("%s: bad file descriptor '%s'", name, s);
		return -EINVAL;
	}
	*fd = (int)v;
	return 0;
}

/**
 * slirp_cidr() - Parse --cidr: an IPv4 network with room for .100
 * @s:		Text, ADDR/PREFIX
 * @o:		Options: network and prefix set
 *
 * Return: 0 on success, -EINVAL (reported) otherwise
 */
static int slirp_cidr(const char *s, struct slirp_opts *o)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	struct in_addr a;
	long prefix;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = '\0';
	prefix = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || prefix < 1 || prefix > 25 ||
	    inet_pton(AF_INET, buf, &a) != 1)
		goto bad;
	o->prefix = (int)prefix;
	o->net = ntohl(a.s_addr) & ~(0xffffffffU >> prefix);
	return 0;
bad:
	err("--cidr: '%s' is not an IPv4 network of /25 or wider", s);
	return -EINVAL;
}

/**
 * slirp_option() - Apply one slirp4netns option
 * @conf:	merd's configuration
 * @o:		Options kept for slirp_finish()
 * @opt:	Option code
 * @arg:	Its argument, if any
 *
 * Return: 0, 1 to exit 0 at once (help, version), or -EINVAL (reported)
 */
static int slirp_option(struct conf *conf, struct slirp_opts *o, int opt,
			const char *arg)
{
	unsigned long mtu;
	char *end;

	switch (opt) {
	case 'c': o->configure = true; return 0;
	case 'e': return slirp_fd("--exit-fd", arg, &conf->exit_fd);
	case 'r': return slirp_fd("--ready-fd", arg, &conf->ready_fd);
	case 'm':
		mtu = strtoul(arg, &end, 10);
		if (*end || end == arg || mtu < CONF_MTU_MIN ||
		    mtu > SLIRP_MTU_MAX) {
			err("--mtu: '%s' is not between %d and %d", arg,
			    CONF_MTU_MIN, SLIRP_MTU_MAX);
			return -EINVAL;
		}
		conf->mtu = mtu > CONF_MTU_MAX ? CONF_MTU_MAX : (int)mtu;
		return 0;
	case '6': o->ipv6 = true; return 0;
	case 'a':
		if (strlen(arg) >= sizeof(conf->api_socket)) {
			err("--api-socket: path too long");
			return -EINVAL;
		}
		strcpy(conf->api_socket, arg);
		return 0;
	case SLIRP_OPT_CIDR: return slirp_cidr(arg, o);
	case SLIRP_OPT_NO_HOST_LO: o->host_lo = false; return 0;
	case SLIRP_OPT_NETNS_TYPE:
		if (strcmp(arg, "path") != 0 && strcmp(arg, "pid") != 0) {
			err("--netns-type: '%s' is neither pid nor path", arg);
			return -EINVAL;
		}
		o->by_path = strcmp(arg, "path") == 0;
		return 0;
	case SLIRP_OPT_USERNS:
	case SLIRP_OPT_SANDBOX:
	case SLIRP_OPT_SECCOMP:
		return 0;
	case SLIRP_OPT_NO_DNS: o->dns = false; return 0;
	case SLIRP_OPT_TARGET:
		if (strcmp(arg, "netns") == 0)
			return 0;
		err("--target-type=%s is not supported by merd", arg);
		return -EINVAL;
	case SLIRP_OPT_MAC:
	case SLIRP_OPT_OUT4:
	case SLIRP_OPT_OUT6:
		err("--%s is not supported by merd", opt == SLIRP_OPT_MAC ?
		    "macaddress" : opt == SLIRP_OPT_OUT4 ? "outbound-addr" :
		    "outbound-addr6");
		return -EINVAL;
	case 'h': fputs(slirp_usage, stdout); return 1;
	case 'v':
		printf("slirp4netns-compatible front of merd %s\n",
		       MERD_VERSION);
		return 1;
	default:
		err("option not handled (see slirp4netns --help)");
		return -EINVAL;
	}
}

/**
 * slirp_host() - IPv4 address at an offset in the slirp network
 * @o:		Options
 * @host:	Host part (2, 3, 100)
 *
 * Return: the address, network byte order
 */
static struct in_addr slirp_host(const struct slirp_opts *o, uint32_t host)
{
	struct in_addr a = { htonl(o->net | host) };

	return a;
}

/**
 * slirp_finish() - Turn slirp4netns's options into merd's configuration
 * @conf:	merd's configuration
 * @o:		Options
 * @target:	PID|PATH argument
 * @tap:	TAPNAME argument, or NULL for tap0
 *
 * Return: 0 on success, -EINVAL (reported) otherwise
 */
static int slirp_finish(struct conf *conf, const struct slirp_opts *o,
			const char *target, const char *tap)
{
	if (strlen(target) >= sizeof(conf->netns) ||
	    (tap && strlen(tap) >= sizeof(conf->tap_name))) {
		err("namespace or tap name too long");
		return -EINVAL;
	}
	if (!o->by_path && strspn(target, "0123456789") != strlen(target)) {
		err("'%s' is not a PID (--netns-type=path takes a path)",
		    target);
		return -EINVAL;
	}
	conf->mode = MODE_NS;
	conf->foreground = true;
	strcpy(conf->netns, target);
	if (tap)
		strcpy(conf->tap_name, tap);
	conf->no_config = !o->configure;
	if (!conf->mtu)
		conf->mtu = CONF_MTU_DEFAULT_VM;

	conf->addr4 = slirp_host(o, 100);
	conf->prefix4 = o->prefix;
	conf->gw4 = slirp_host(o, 2);
	if (o->host_lo)
		conf->map_lo4 = conf->gw4;
	if (o->dns)
		conf->dns_fwd4 = slirp_host(o, 3);
	conf->no_dns = !o->dns;

	conf->v6 = o->ipv6;
	if (o->ipv6) {
		inet_pton(AF_INET6, "fd00::100", &conf->addr6);
		inet_pton(AF_INET6, "fd00::2", &conf->gw6);
		conf->prefix6 = 64;
		if (o->host_lo)
			conf->map_lo6 = conf->gw6;
		if (o->dns)
			inet_pton(AF_INET6, "fd00::3", &conf->dns_fwd6);
	}
	return 0;
}

/**
 * slirp_parse() - Parse slirp4netns's command line into merd's
 * @conf:	Configuration, defaults already set
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 to run, 1 to exit 0 at once (help, version), -EINVAL on bad
 * usage (one line on stderr already)
 */
int slirp_parse(struct conf *conf, int argc, char **argv)
{
	struct slirp_opts o = { .host_lo = true, .dns = true,
				.net = 0x0a000200, .prefix = 24 };
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:ce:r:m:6a:hv", slirp_options,
				  NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return conf_getopt_error("slirp4netns", opt, argv);
		rc = slirp_option(conf, &o, opt, optarg);
		if (rc)
			return rc;
	}
	if (optind >= argc || argc - optind > 2) {
		err("usage: slirp4netns [OPTION]... PID|PATH [TAPNAME]");
		return -EINVAL;
	}
	return slirp_finish(conf, &o, argv[optind],
			    optind + 1 < argc ? argv[optind + 1] : NULL);
}
