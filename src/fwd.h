/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd.h - Port forwarding from the host to the guest (-t, -u) */
#ifndef MERD_FWD_H
#define MERD_FWD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define FWD_MAX_RULES	64
#define FWD_MAX_SOCKS	131072	/* listening sockets, both families */
#define FWD_PROTO_BIT(proto)	((proto) == IPPROTO_TCP ? 1U : 2U)

/**
 * struct fwd_rule - One range of forwarded ports, from a -t or -u spec
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @addr:	Host address to bind (v4-mapped for IPv4), if @bound
 * @bound:	Bind @addr only; otherwise every address of both families
 * @first:	First host port
 * @last:	Last host port
 * @to:		Guest port that @first maps to
 */
struct fwd_rule {
	uint8_t proto;
	struct in6_addr addr;
	bool bound;
	uint16_t first;
	uint16_t last;
	uint16_t to;
};

/**
 * struct fwd_excl - Ports "all" leaves out, from a spec of exclusions only
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @first:	First port
 * @last:	Last port
 */
struct fwd_excl {
	uint8_t proto;
	uint16_t first;
	uint16_t last;
};

/**
 * struct fwd_rules - Every forwarding rule given on the command line
 * @rule:	Rules, exclusions already cut out of them
 * @n:		Number of rules
 * @all:	"all", or a spec of exclusions only ("~22": every port but
 *		those), given: FWD_PROTO_BIT() of each protocol
 * @autos:	"auto" given, FWD_PROTO_BIT() of each protocol
 * @all_rule:	Rule the sockets of "all" come from, TCP then UDP: ports
 *		1-65535 to the same ports, the spec's address if it gave one
 * @excl:	Ports "all" leaves out
 * @n_excl:	Number of them
 */
struct fwd_rules {
	struct fwd_rule rule[FWD_MAX_RULES];
	int n;
	uint8_t all;
	uint8_t autos;
	struct fwd_rule all_rule[2];
	struct fwd_excl excl[FWD_MAX_RULES];
	int n_excl;
};

/**
 * struct fwd_sock - A host socket forwarded ports arrive on
 * @fd:		Listening (TCP) or bound (UDP) socket
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @v6:		IPv6 socket: clients reach the guest's IPv6 address
 * @host_port:	Port on the host
 * @guest_port:	Port in the guest
 * @rule:	Rule it comes from
 */
struct fwd_sock {
	int fd;
	uint8_t proto;
	bool v6;
	uint16_t host_port;
	uint16_t guest_port;
	const struct fwd_rule *rule;
};

/**
 * struct fwd - Forwarding sockets, opened at start
 * @sock:	Sockets
 * @n:		Number in use (closed ones included: their @fd is -1)
 * @n_free:	Closed entries, reused first
 */
struct fwd {
	struct fwd_sock sock[FWD_MAX_SOCKS];
	unsigned int n;
	unsigned int n_free;
};

struct ctx;
struct flow;
struct flow_key;
struct sockaddr_storage;

int fwd_parse(struct fwd_rules *rules, uint8_t proto, const char *spec);
int fwd_parse_opt(struct fwd_rules *rules, uint8_t proto, const char *spec,
		  const char *opt);
int fwd_port_open(struct ctx *c, const struct fwd_rule *r, uint16_t port,
		  bool report);
int fwd_port_open_family(struct ctx *c, const struct fwd_rule *r,
			 uint16_t port, bool v6);
void fwd_port_close(struct ctx *c, const struct fwd_rule *r, uint16_t port);
int fwd_open(struct ctx *c);
void fwd_event(struct ctx *c, uint32_t idx);
void fwd_remote_addr(const struct ctx *c, struct in6_addr *a);
void fwd_guest_addr(const struct ctx *c, bool v6, struct in6_addr *a);
int fwd_flow_key(struct ctx *c, struct flow_key *key,
		 const struct sockaddr_storage *client,
		 const struct sockaddr_storage *local, struct flow **found);
int fwd_runtime_add(struct ctx *c, uint8_t proto, const char *spec);
int fwd_runtime_remove(struct ctx *c, uint8_t proto, const char *spec);
void fwd_sock_addr(const struct fwd_sock *fs, struct in6_addr *a);

#endif /* MERD_FWD_H */
