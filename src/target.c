// SPDX-License-Identifier: GPL-2.0-or-later
/* target.c - Where the guest's outbound flows really go
 *
 * The guest addresses its flows to the addresses it sees; most are real
 * and used as they are. Two kinds stand in for something else:
 *
 * - an advertised resolver (the gateway standing in for a resolver on the
 *   host's loopback, or the --dns-forward address): port 53 of it, UDP or
 *   TCP, goes to the host's resolver;
 * - the --map-host-loopback address: every port of it goes to the host's
 *   loopback (127.0.0.1, or ::1 for an IPv6 address), as slirp4netns's
 *   10.0.2.2 and pasta's gateway do;
 * - pasta's --map-guest-addr address: every port of it goes to the host's
 *   own address, the one merd gives the guest.
 */
#include <netinet/in.h>
#include <string.h>

#include "conf.h"
#include "flow.h"
#include "inany.h"
#include "merd.h"
#include "target.h"

#define DNS_PORT	53

/**
 * target_dns() - Find the resolver behind an advertised address
 * @conf:	Configuration, resolvers mapped
 * @to:		Address the guest used; replaced by the resolver's
 *
 * Return: true if @to was an advertised resolver
 */
static bool target_dns(const struct conf *conf, struct in6_addr *to)
{
	struct in6_addr adv;
	int i;

	for (i = 0; i < conf->n_dns4; i++) {
		inany_from_v4(&adv, conf->dns4[i].advertised);
		if (inany_equal(&adv, to)) {
			inany_from_v4(to, conf->dns4[i].target);
			return true;
		}
	}
	for (i = 0; i < conf->n_dns6; i++) {
		if (inany_equal(&conf->dns6[i].advertised, to)) {
			*to = conf->dns6[i].target;
			return true;
		}
	}
	return false;
}

/**
 * target_host_loopback() - Map the --map-host-loopback address
 * @conf:	Configuration
 * @to:		Address the guest used; replaced by the loopback address
 *
 * Return: true if @to was the mapped address
 */
static bool target_host_loopback(const struct conf *conf, struct in6_addr *to)
{
	struct in6_addr a;

	if (conf->map_lo4.s_addr) {
		inany_from_v4(&a, conf->map_lo4);
		if (inany_equal(&a, to)) {
			struct in_addr lo = { htonl(INADDR_LOOPBACK) };

			inany_from_v4(to, lo);
			return true;
		}
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&conf->map_lo6) &&
	    inany_equal(&conf->map_lo6, to)) {
		*to = in6addr_loopback;
		return true;
	}
	return false;
}

/**
 * target_guest_addr() - Map pasta's --map-guest-addr address
 * @conf:	Configuration
 * @to:		Address the guest used; replaced by the host's own address
 *
 * Return: true if @to was the mapped address
 */
static bool target_guest_addr(const struct conf *conf, struct in6_addr *to)
{
	struct in6_addr a;

	if (conf->map_guest4.s_addr) {
		inany_from_v4(&a, conf->map_guest4);
		if (inany_equal(&a, to)) {
			inany_from_v4(to, conf->addr4);
			return true;
		}
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&conf->map_guest6) &&
	    inany_equal(&conf->map_guest6, to)) {
		*to = conf->addr6;
		return true;
	}
	return false;
}

/**
 * target_sockaddr() - Socket address a guest's outbound flow connects to
 * @c:		Execution context
 * @key:	Flow key: remote address and port as the guest sees them
 * @sa:		Socket address to fill
 *
 * Return: length of @sa
 */
socklen_t target_sockaddr(const struct ctx *c, const struct flow_key *key,
			  struct sockaddr_storage *sa)
{
	struct in6_addr to = key->remote_addr;

	if (key->remote_port == DNS_PORT && target_dns(&c->conf, &to))
		return inany_sockaddr(sa, &to, key->remote_port);
	if (!target_host_loopback(&c->conf, &to))
		target_guest_addr(&c->conf, &to);
	return inany_sockaddr(sa, &to, key->remote_port);
}
