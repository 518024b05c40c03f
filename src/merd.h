/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merd.h - The execution context passed to every module */
#ifndef MERD_H
#define MERD_H

#include <stdbool.h>
#include <stdint.h>
#include <net/ethernet.h>
#include <netinet/in.h>

#include "conf.h"
#include "flow.h"
#include "frag.h"
#include "fwd.h"
#include "link.h"
#include "nsfwd.h"
#include "raw.h"

#define MERD_VERSION	"0.1.0"

/* Every counter, by name: totals and one per reason a frame is dropped */
#define MERD_COUNTERS(X)						\
	X(frames_in) X(frames_out) X(bytes_in) X(bytes_out) X(frames_direct) \
	X(dropped)	\
	X(drop_link_framing) X(drop_eth_short)	\
	X(drop_arp_bad) X(drop_ip4_short) X(drop_ip4_version)		\
	X(drop_ip4_ihl) X(drop_ip4_len) X(drop_ip4_csum)		\
	X(drop_ip4_frag) X(drop_ip4_addr) X(drop_l4_proto)		\
	X(drop_udp_short) X(drop_udp_len) X(drop_udp_port) X(drop_udp_csum) X(drop_dhcp_bad)		\
	X(drop_tcp_short) X(drop_tcp_doff) X(drop_tcp_flags)		\
	X(drop_tcp_seq) X(drop_tcp_csum) X(tcp_out_of_order) X(drop_tcp_ooo) \
	X(drop_ip6_short) X(drop_ip6_version) X(drop_ip6_len)		\
	X(drop_ip6_ext) X(drop_ip6_frag) X(drop_ndp_bad)		\
	X(drop_dhcpv6_bad)						\
	X(drop_icmp_short) X(drop_icmp_type) X(drop_icmp_csum) X(drop_flow_full)		\
	X(drop_fwd_clash)						\
	X(drop_sock_err) X(drop_tx_full) X(drop_no_guest)		\
	X(drop_icmp_noperm) X(drop_raw_bad) X(raw_unmatched)		\
	X(drop_vhost_desc) X(drop_vhost_buf)				\
	X(drop_frag_timeout) X(drop_frag_overlap) X(drop_frag_toobig)	\
	X(drop_frag_full) X(frags_in) X(frags_reassembled) X(frags_out)	\
	X(ignored) X(flows_created) X(flows_expired) X(flows_evicted)

enum counter {
#define COUNTER_ENUM(name) CNT_##name,
	MERD_COUNTERS(COUNTER_ENUM)
#undef COUNTER_ENUM
	CNT_MAX
};

/* What an epoll event refers to: type in the high half, index in the low */
enum epoll_type {
	EPOLL_TYPE_NONE,
	EPOLL_TYPE_LINK_LISTEN,
	EPOLL_TYPE_LINK,
	EPOLL_TYPE_TIMER,
	EPOLL_TYPE_SIGNAL,
	EPOLL_TYPE_FLOW,
	EPOLL_TYPE_RA_TIMER,
	EPOLL_TYPE_FWD,
	EPOLL_TYPE_NS_WATCH,
	EPOLL_TYPE_EXIT_FD,
	EPOLL_TYPE_NSFWD,	/* -T/-U socket in the namespace */
	EPOLL_TYPE_SPLICE,	/* host side of a FLOW_SPLICE flow */
	EPOLL_TYPE_NSFWD_SCAN,	/* "auto" scan timer */
	EPOLL_TYPE_CTL_LISTEN,
	EPOLL_TYPE_CTL,
	EPOLL_TYPE_RAW,
	EPOLL_TYPE_API_LISTEN,	/* slirp4netns --api-socket */
	EPOLL_TYPE_API,
	EPOLL_TYPE_VHOST_KICK,	/* vhost-user kick eventfd, by queue */
};

#define EPOLL_REF(type, idx)	((uint64_t)(type) << 32 | (uint32_t)(idx))
#define EPOLL_REF_TYPE(ref)	((enum epoll_type)((ref) >> 32))
#define EPOLL_REF_IDX(ref)	((uint32_t)(ref))

/**
 * struct ctx - Execution context
 * @conf:	Configuration from options and host discovery
 * @epollfd:	The one epoll instance
 * @timerfd:	Flow ageing timer
 * @ra_timerfd:	Periodic router advertisements, armed once the guest
 *		shows IPv6 traffic
 * @sigfd:	signalfd for SIGTERM, SIGINT, SIGCHLD, SIGUSR1
 * @now:	Monotonic time in ms, refreshed once per loop iteration
 * @link:	Guest link state
 * @flows:	Flow table
 * @fwd:	Sockets of forwarded ports
 * @nsfwd:	Namespace mode: -T/-U sockets, "auto" state
 * @raw:	Raw sockets: ICMP echo fallback, --raw protocols
 * @our_mac:	MAC address merd answers with (gateway and every off-guest host)
 * @guest_mac:	Guest's MAC address, learned from its frames
 * @guest_mac_known:	@guest_mac is valid
 * @guest_v6:	The guest has sent IPv6: router advertisements are due
 * @guest_addr4:	Last IPv4 source address the guest used, 0 if none
 * @guest_addr6:	Last global IPv6 source address the guest used
 * @ip4_id:	Identification field of the next IPv4 packet to the guest
 * @frag:	Reassembly table, and the next IPv6 fragment identification
 * @child:	Namespace mode: pid of the command, 0 if none
 * @child_status:	Exit code to return once the child ended
 * @stop:	Set when the event loop should end
 * @counters:	Counters, indexed by enum counter
 */
struct ctx {
	struct conf conf;
	int epollfd;
	int timerfd;
	int ra_timerfd;
	int sigfd;
	uint64_t now;
	struct link link;
	struct flow_table flows;
	struct fwd fwd;
	struct nsfwd nsfwd;
	struct raw_socks raw;
	uint8_t our_mac[ETH_ALEN];
	uint8_t guest_mac[ETH_ALEN];
	bool guest_mac_known;
	bool guest_v6;
	struct in_addr guest_addr4;
	struct in6_addr guest_addr6;
	uint16_t ip4_id;
	struct frag_table frag;
	pid_t child;
	int child_status;
	bool stop;
	uint64_t counters[CNT_MAX];
};

/**
 * count() - Increment a counter
 * @c:		Execution context
 * @which:	Counter
 */
static inline void count(struct ctx *c, enum counter which)
{
	c->counters[which]++;
}

/**
 * count_drop() - Count a dropped frame under its reason and in the total
 * @c:		Execution context
 * @reason:	One of the drop_* counters
 */
static inline void count_drop(struct ctx *c, enum counter reason)
{
	c->counters[reason]++;
	c->counters[CNT_dropped]++;
}

int epoll_add(const struct ctx *c, int fd, uint32_t events, uint64_t ref);
int epoll_mod(const struct ctx *c, int fd, uint32_t events, uint64_t ref);
void epoll_del(const struct ctx *c, int fd);
void epoll_close(const struct ctx *c, int *fd);
void counters_log(const struct ctx *c, const char *prefix, bool asked);
int unix_listen(const char *what, const char *path, int backlog, bool private);
int unix_serve(const struct ctx *c, const char *what, const char *path,
	       int backlog, uint64_t ref);

#endif /* MERD_H */
