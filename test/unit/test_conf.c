// SPDX-License-Identifier: GPL-2.0-or-later
/* test_conf.c - Command line parsing: what good options set, and that
 * every bad one is refused with -EINVAL
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "flow.h"
#include "harness.h"
#include "unit.h"
#include "util.h"

#define MAX_ARGS	32

static struct conf conf;

/**
 * parse() - Run conf_parse() on a NULL-terminated list of arguments
 * @args:	Arguments after argv[0]
 *
 * Return: what conf_parse() returned
 */
static int parse(const char *const *args)
{
	static char *argv[MAX_ARGS + 2];
	int argc = 1;

	argv[0] = "merd";
	while (*args && argc <= MAX_ARGS)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	optind = 0;		/* a fresh getopt scan for each call */
	opterr = 0;
	return conf_parse(&conf, argc, argv);
}

#define PARSE(...)	parse((const char *const[]){ __VA_ARGS__, NULL })

/**
 * conf_defaults() - Nothing given: VM mode, both families, defaults of the
 * man page
 */
static void conf_defaults(void)
{
	CHECK_EQ(PARSE("-f"), 0);
	CHECK_EQ(conf.mode, MODE_VM);
	CHECK(conf.v4);
	CHECK_EQ(conf.link_fd, -1);
	CHECK_EQ(conf.mtu, CONF_MTU_DEFAULT_VM);
	CHECK_EQ(conf.max_flows, FLOW_MAX_DEFAULT);
	CHECK_EQ(conf.udp_timeout, 180);
	CHECK_EQ(conf.icmp_timeout, 60);
	CHECK_EQ(conf.tcp_timeout, 7200);
	CHECK_EQ(conf.tcp_syn_timeout, 30);
	CHECK_EQ(conf.tcp_fin_timeout, 600);
	CHECK_STR(conf.ctl_path, "");
	CHECK_EQ(conf.prefix4, -1);
	CHECK(conf.sock_path[0] != '\0');	/* a default path */
	CHECK(conf.foreground);
}

/**
 * conf_good_options() - Addresses, resolvers, search list, MTU and limits
 * land where they go
 */
static void conf_good_options(void)
{
	struct in_addr a;

	CHECK_EQ(PARSE("-a", "198.51.100.10", "-n", "24", "-g", "198.51.100.1",
		       "-D", "203.0.113.53", "--dns", "203.0.113.54",
		       "-S", "example.com example.org", "-m", "9000",
		       "--max-flows", "1024", "--udp-timeout", "30",
		       "--icmp-timeout", "5", "-s", "/tmp/m.sock", "-1", "-4",
		       "--tcp-timeout", "100", "--tcp-syn-timeout", "7",
		       "--tcp-fin-timeout", "9", "--ctl", "/tmp/m.ctl"),
		 0);
	CHECK_EQ(conf.tcp_timeout, 100);
	CHECK_EQ(conf.tcp_syn_timeout, 7);
	CHECK_EQ(conf.tcp_fin_timeout, 9);
	CHECK_STR(conf.ctl_path, "/tmp/m.ctl");
	inet_pton(AF_INET, "198.51.100.10", &a);
	CHECK_EQ(conf.addr4.s_addr, a.s_addr);
	inet_pton(AF_INET, "198.51.100.1", &a);
	CHECK_EQ(conf.gw4.s_addr, a.s_addr);
	CHECK_EQ(conf.prefix4, 24);
	CHECK_EQ(conf.n_dns4, 2);
	inet_pton(AF_INET, "203.0.113.54", &a);
	CHECK_EQ(conf.dns4[1].target.s_addr, a.s_addr);
	CHECK_STR(conf.search, "example.com example.org");
	CHECK_EQ(conf.mtu, 9000);
	CHECK_EQ(conf.max_flows, 1024);
	CHECK_EQ(conf.udp_timeout, 30);
	CHECK_EQ(conf.icmp_timeout, 5);
	CHECK_STR(conf.sock_path, "/tmp/m.sock");
	CHECK(conf.one_off);
	CHECK(conf.v4);
	CHECK(!conf.v6);
}

/**
 * conf_bounds_inclusive() - Limits are inclusive
 */
static void conf_bounds_inclusive(void)
{
	CHECK_EQ(PARSE("-m", "576"), 0);
	CHECK_EQ(conf.mtu, 576);
	CHECK_EQ(PARSE("-m", "65520", "-n", "0"), 0);
	CHECK_EQ(conf.mtu, 65520);
	CHECK_EQ(conf.prefix4, 0);
	CHECK_EQ(PARSE("-n", "32", "--max-flows", "16"), 0);
	CHECK_EQ(conf.prefix4, 32);
	CHECK_EQ(conf.max_flows, 16);
}

/**
 * conf_fd_and_ns_mode() - --fd N, and namespace mode with a command after
 * --
 */
static void conf_fd_and_ns_mode(void)
{
	CHECK_EQ(PARSE("--fd", "5"), 0);
	CHECK_EQ(conf.link_fd, 5);
	CHECK_EQ(PARSE("--ns", "--", "sh", "-c", "true"), 0);
	CHECK_EQ(conf.mode, MODE_NS);
	CHECK_EQ(conf.mtu, CONF_MTU_DEFAULT_NS);
	CHECK(conf.foreground);
	CHECK(conf.cmd != NULL);
	if (conf.cmd) {
		CHECK_STR(conf.cmd[0], "sh");
		CHECK_STR(conf.cmd[2], "true");
	}
	CHECK_EQ(PARSE("--ns"), 0);
	CHECK(conf.cmd == NULL);		/* $SHELL, later */
}

/**
 * conf_parse_twice_starts_afresh() - A second parse starts from the
 * defaults again
 */
static void conf_parse_twice_starts_afresh(void)
{
	CHECK_EQ(PARSE("-m", "9000", "-1"), 0);
	CHECK_EQ(PARSE("-f"), 0);
	CHECK_EQ(conf.mtu, CONF_MTU_DEFAULT_VM);
	CHECK(!conf.one_off);
}

/**
 * conf_version_and_help() - --version and --help: 1, "exit 0 now"
 */
static void conf_version_and_help(void)
{
	int out = dup(1), null = open("/dev/null", O_WRONLY);

	fflush(stdout);
	dup2(null, 1);
	CHECK_EQ(PARSE("--version"), 1);
	CHECK_EQ(PARSE("-h"), 1);
	fflush(stdout);
	dup2(out, 1);
	close(out);
	close(null);
}

/**
 * conf_bad_options_refused() - Every bad option value or combination:
 * -EINVAL
 */
static void conf_bad_options_refused(void)
{
	static const char *const bad[][6] = {
		{ "-a", "198.51.100.300" },
		{ "-a", "2001:db8::1x" },
		{ "-a", "" },
		{ "-g", "gateway" },
		{ "-D", "203.0.113" },
		{ "-n", "33" },
		{ "-n", "-1" },
		{ "-n", "24x" },
		{ "-n", "" },
		{ "-m", "575" },
		{ "-m", "65521" },
		{ "-m", "99999999999999999999999" },
		{ "--max-flows", "15" },
		{ "--max-flows", "16777217" },
		{ "--udp-timeout", "0" },
		{ "--icmp-timeout", "86401" },
		{ "--tcp-timeout", "0" },
		{ "--tcp-timeout", "2592001" },
		{ "--tcp-syn-timeout", "3601" },
		{ "--tcp-fin-timeout", "0" },
		{ "--ctl", "" },
		{ "--fd", "-3" },
		{ "--fd", "three" },
		{ "-4", "-6" },
		{ "--no-such-option" },
		{ "-Z" },
		{ "stray-argument" },
		{ "-f", "--", "cmd-without-ns" },
		{ "-a" },
	};
	char long_path[200], long_if[40], long_search[400];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *args[8] = { 0 };

		memcpy(args, bad[i], sizeof(bad[i]));
		rc = parse(args);
		if (rc != -EINVAL) {
			printf("# %s %s: %d\n", bad[i][0],
			       bad[i][1] ? bad[i][1] : "", rc);
			CHECK_EQ(rc, -EINVAL);
		}
	}
	CHECK_EQ(PARSE("-D", "203.0.113.1", "-D", "203.0.113.2",
		       "-D", "203.0.113.3", "-D", "203.0.113.4"), 0);
	CHECK_EQ(PARSE("-D", "203.0.113.1", "-D", "203.0.113.2",
		       "-D", "203.0.113.3", "-D", "203.0.113.4",
		       "-D", "203.0.113.5"), -EINVAL);	/* CONF_MAX_DNS */
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK_EQ(PARSE("-s", long_path), -EINVAL);
	memset(long_if, 'i', sizeof(long_if) - 1);
	long_if[sizeof(long_if) - 1] = '\0';
	CHECK_EQ(PARSE("-i", long_if), -EINVAL);
	memset(long_search, 's', sizeof(long_search) - 1);
	long_search[sizeof(long_search) - 1] = '\0';
	CHECK_EQ(PARSE("-S", long_search), -EINVAL);
}

/**
 * conf_port_specs() - -t/-u specs: an IPv6 bind address, exclusions
 * alone meaning every port but those, exclusions that leave nothing
 */
static void conf_port_specs(void)
{
	struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;
	const struct fwd_rules *f = &conf.fwd;

	CHECK_EQ(PARSE("-f", "-t", "::1/8080:80"), 0);
	CHECK_EQ(f->n, 1);
	CHECK(f->rule[0].bound && !memcmp(&f->rule[0].addr, &lo6, 16));
	CHECK_EQ(f->rule[0].first, 8080);
	CHECK_EQ(f->rule[0].to, 80);

	CHECK_EQ(PARSE("-f", "-t", "~22,~8000-8010", "-u", "~53"), 0);
	CHECK_EQ(f->n, 0);
	CHECK_EQ(f->all, FWD_PROTO_BIT(IPPROTO_TCP) |
			 FWD_PROTO_BIT(IPPROTO_UDP));
	CHECK_EQ(f->n_excl, 3);
	CHECK_EQ(f->excl[1].proto, IPPROTO_TCP);
	CHECK_EQ(f->excl[1].first, 8000);
	CHECK_EQ(f->excl[1].last, 8010);
	CHECK_EQ(f->excl[2].proto, IPPROTO_UDP);
	CHECK(!f->all_rule[0].bound);
	CHECK_EQ(f->all_rule[0].last, 65535);

	CHECK_EQ(PARSE("-f", "-t", "127.0.0.1/~22"), 0);
	CHECK(f->all_rule[0].bound);
	CHECK_EQ(PARSE("-f", "-t", "all", "-t", "~22"), 0);
	CHECK_EQ(f->n_excl, 1);
	CHECK_EQ(PARSE("-f", "-t", "all", "-t", "127.0.0.1/~22"), -EINVAL);

	CHECK_EQ(PARSE("-f", "-t", "8080:80,~8080"), -EINVAL);
	CHECK_EQ(PARSE("-f", "-t", "1-3,~1-3"), -EINVAL);
	CHECK_EQ(PARSE("-f", "-u", "1000-1001,~999-1002"), -EINVAL);
	CHECK_EQ(PARSE("-f", "-t", "1-3,~2"), 0);	/* 1 and 3 */
	CHECK_EQ(f->n, 2);
	CHECK_EQ(PARSE("--ns", "-T", "~22"), -EINVAL);
	CHECK_EQ(PARSE("--ns", "-U", "all"), -EINVAL);
	CHECK_EQ(PARSE("-f", "-t", ","), -EINVAL);
	CHECK_EQ(PARSE("-f", "-t", "::1/"), -EINVAL);
	CHECK_EQ(PARSE("-f", "-t", "~0"), -EINVAL);
}

/**
 * conf_raw_protocols() - --raw takes names of /etc/protocols and numbers,
 * once each, and refuses what merd translates or cannot pass
 */
static void conf_raw_protocols(void)
{
	CHECK_EQ(PARSE("-f", "--raw", "gre,132", "--raw", "47"), 0);
	CHECK_EQ(conf.n_raw, 2);
	CHECK_EQ(conf.raw_protos[0], 47);
	CHECK_EQ(conf.raw_protos[1], 132);
	CHECK_EQ(PARSE("-f", "--raw", "sctp"), 0);
	CHECK_EQ(conf.n_raw, 1);
	CHECK_EQ(conf.raw_protos[0], 132);
	CHECK_EQ(PARSE("--raw", "udp"), -EINVAL);
	CHECK_EQ(PARSE("--raw", "6"), -EINVAL);
	CHECK_EQ(PARSE("--raw", "1"), -EINVAL);
	CHECK_EQ(PARSE("--raw", "58"), -EINVAL);
	CHECK_EQ(PARSE("--raw", "44"), -EINVAL);	/* IPv6 fragment */
	CHECK_EQ(PARSE("--raw", "256"), -EINVAL);
	CHECK_EQ(PARSE("--raw", "-1"), -EINVAL);
	CHECK_EQ(PARSE("--raw", ""), -EINVAL);
	CHECK_EQ(PARSE("--raw", "gre,"), 0);
	CHECK_EQ(PARSE("--raw", "no-such-protocol"), -EINVAL);
	CHECK_EQ(PARSE("--raw", "2,3,4,5,7,8,9,10,11"), -EINVAL); /* 9 */
}

/**
 * conf_runas_user() - --runas takes a user name or a uid, never root
 */
static void conf_runas_user(void)
{
	CHECK_EQ(PARSE("-f", "--runas", "nobody"), 0);
	CHECK(conf.runas_uid != 0);
	CHECK_EQ(PARSE("-f", "--runas", "4242"), 0);
	CHECK_EQ(conf.runas_uid, 4242);
	CHECK_EQ(conf.runas_gid, 4242);
	CHECK_EQ(PARSE("--runas", "root"), -EINVAL);
	CHECK_EQ(PARSE("--runas", "0"), -EINVAL);
	CHECK_EQ(PARSE("--runas", "no-such-user-here"), -EINVAL);
	CHECK_EQ(PARSE("--runas", "12abc"), -EINVAL);
}

/**
 * main() - Run every test of this file
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	RUN(conf_defaults);
	RUN(conf_good_options);
	RUN(conf_bounds_inclusive);
	RUN(conf_fd_and_ns_mode);
	RUN(conf_parse_twice_starts_afresh);
	RUN(conf_version_and_help);
	RUN(conf_bad_options_refused);
	RUN(conf_port_specs);
	RUN(conf_raw_protocols);
	RUN(conf_runas_user);
	return unit_done();
}
