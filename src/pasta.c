// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - pasta's command line, for podman 5
 *
 * Invoked as "pasta" (a symbolic link to merd), merd takes the options
 * podman 5's pasta network passes, and the common ones of pasta's own
 * command line, and maps them onto its configuration. podman 5's default:
 *
 *   pasta --config-net --dns-forward 169.254.1.1 -t none -u none -T none
 *         -U none --no-map-gw --quiet --netns PATH --map-guest-addr 169.254.1.2
 *
 * with published ports as -t/-u [ADDR/]H1-H2:C1-C2. As pasta does, merd
 * attaches to the namespace, configures it only with --config-net (a copy
 * of the host's addresses and routes), maps the gateway to the host's
 * loopback unless --no-map-gw, and detaches once the network is up: podman
 * takes exit status 0 as "ready". Options merd does not implement are
 * refused by name.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "merd.h"
#include "pasta.h"

enum {
	PASTA_OPT_CONFIG_NET = 0x100, PASTA_OPT_NO_MAP_GW, PASTA_OPT_NETNS,
	PASTA_OPT_MAP_GUEST, PASTA_OPT_DNS_FORWARD, PASTA_OPT_VERSION,
};

static const char pasta_usage[] =
"Usage: pasta [OPTION]... [--netns] PATH|PID\n"
"User-mode networking for a network namespace (merd's pasta-compatible\n"
"front; merd " MERD_VERSION ").\n"
"\n"
"      --config-net         configure the namespace's interface as a copy\n"
"                           of the host's (addresses, routes, MTU)\n"
"      --netns PATH|PID     the namespace to serve\n"
"      --dns-forward ADDR   resolver address given to the namespace,\n"
"                           forwarded to the host's resolver\n"
"      --no-map-gw          the gateway is not mapped to the host's loopback\n"
"      --map-guest-addr ADDR  ADDR leads to the host's own address\n"
"  -t, --tcp-ports SPEC     host TCP ports forwarded to the namespace\n"
"  -u, --udp-ports SPEC     host UDP ports forwarded to the namespace\n"
"  -T, --tcp-ns SPEC        TCP ports of the namespace's loopback forwarded\n"
"                           to the host's loopback\n"
"  -U, --udp-ns SPEC        UDP ports, the same way\n"
"  -a, --address ADDR       address given to the namespace\n"
"  -n, --netmask PREFIX     its IPv4 prefix length\n"
"  -g, --gateway ADDR       gateway given to the namespace\n"
"  -D, --dns ADDR           resolver (repeatable)\n"
"  -S, --search LIST        DNS search list\n"
"  -m, --mtu MTU            MTU (default 65520)\n"
"  -i, --interface NAME     host interface to copy\n"
"  -4, --ipv4-only          IPv4 only\n"
"  -6, --ipv6-only          IPv6 only\n"
"  -f, --foreground         do not detach once ready\n"
"  -P, --pid FILE           write the pid to FILE\n"
"  -q, --quiet              errors only\n"
"  -d, --debug              debug messages\n"
"  -h, --help               this text\n"
"      --version            version\n"
"SPEC: none, all, auto, or [ADDR/]PORTS as in merd(1).\n";

static const struct option pasta_options[] = {
	{ "config-net",		no_argument,		NULL, PASTA_OPT_CONFIG_NET },
	{ "netns",		required_argument,	NULL, PASTA_OPT_NETNS },
	{ "dns-forward",	required_argument,	NULL, PASTA_OPT_DNS_FORWARD },
	{ "no-map-gw",		no_argument,		NULL, PASTA_OPT_NO_MAP_GW },
	{ "map-guest-addr",	required_argument,	NULL, PASTA_OPT_MAP_GUEST },
	{ "tcp-ports",		required_argument,	NULL, 't' },
	{ "udp-ports",		required_argument,	NULL, 'u' },
	{ "tcp-ns",		required_argument,	NULL, 'T' },
	{ "udp-ns",		required_argument,	NULL, 'U' },
	{ "address",		required_argument,	NULL, 'a' },
	{ "netmask",		required_argument,	NULL, 'n' },
	{ "gateway",		required_argument,	NULL, 'g' },
	{ "dns",		required_argument,	NULL, 'D' },
	{ "search",		required_argument,	NULL, 'S' },
	{ "mtu",		required_argument,	NULL, 'm' },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "ipv4-only",		no_argument,		NULL, '4' },
	{ "ipv6-only",		no_argument,		NULL, '6' },
	{ "foreground",		no_argument,		NULL, 'f' },
	{ "pid",		required_argument,	NULL, 'P' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "debug",		no_argument,		NULL, 'd' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, PASTA_OPT_VERSION },
	{ 0 },
};

/**
 * pasta_option() - Apply one pasta option
 * @conf:	merd's configuration
 * @opt:	Option code
 * @arg:	Its argument, if any
 * @map_gw:	Cleared by --no-map-gw
 * @config_net:	Set by --config-net
 *
 * Options that merd spells the same way go through conf_option().
 *
 * Return: 0, 1 to exit 0 at once (help, version), or -EINVAL (reported)
 */
static int pasta_option(struct conf *conf, int opt, const char *arg,
			bool *map_gw, bool *config_net)
{
	switch (opt) {
	case PASTA_OPT_CONFIG_NET: *config_net = true; return 0;
	case PASTA_OPT_NO_MAP_GW: *map_gw = false; return 0;
	case PASTA_OPT_NETNS:
		if (strlen(arg) >= sizeof(conf->netns)) {
			err("--netns: path too long");
			return -EINVAL;
		}
		strcpy(conf->netns, arg);
		return 0;
	case PASTA_OPT_MAP_GUEST:
		return conf_addr("--map-guest-addr", arg, &conf->map_guest4,
				 &conf->map_guest6);
	case PASTA_OPT_DNS_FORWARD:
		return conf_addr("--dns-forward", arg, &conf->dns_fwd4,
				 &conf->dns_fwd6);
	case 'h': fputs(pasta_usage, stdout); return 1;
	case PASTA_OPT_VERSION:
		printf("pasta-compatible front of merd %s\n", MERD_VERSION);
		return 1;
	default:
		return conf_option(conf, opt, arg);
	}
}

/**
 * pasta_parse() - Parse pasta's command line into merd's
 * @conf:	Configuration, defaults already set
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 to run, 1 to exit 0 at once (help, version), -EINVAL on bad
 * usage (one line on stderr already)
 */
int pasta_parse(struct conf *conf, int argc, char **argv)
{
	bool map_gw = true, config_net = false;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:t:u:T:U:a:n:g:D:S:m:i:46fP:qdh",
				  pasta_options, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return conf_getopt_error("pasta", opt, argv);
		rc = pasta_option(conf, opt, optarg, &map_gw, &config_net);
		if (rc)
			return rc;
	}
	if (optind < argc && !conf->netns[0] && argc - optind == 1 &&
	    strlen(argv[optind]) < sizeof(conf->netns))
		strcpy(conf->netns, argv[optind++]);
	if (optind < argc || !conf->netns[0]) {
		err("usage: pasta [OPTION]... [--netns] PATH|PID (running a "
		    "command is merd --ns's job)");
		return -EINVAL;
	}
	conf->mode = MODE_NS;
	conf->no_config = !config_net;
	conf->map_gw = map_gw;
	if (!conf->mtu)
		conf->mtu = CONF_MTU_DEFAULT_NS;
	return 0;
}
