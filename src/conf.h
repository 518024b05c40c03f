/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - Options and the addresses merd serves to the guest */
#ifndef MERD_CONF_H
#define MERD_CONF_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "fwd.h"

#define CONF_MAX_DNS		4
#define CONF_SEARCH_LEN		256
#define CONF_MTU_MAX		65520
#define CONF_MTU_MIN		576
#define CONF_MTU_DEFAULT_VM	1500
#define CONF_MTU_DEFAULT_NS	65520
#define CONF_RAW_MAX		8	/* --raw protocols */
#define CONF_USER_LEN		64

enum merd_mode {
	MODE_VM,
	MODE_NS,
};

/**
 * struct conf_dns4 - One resolver given to the guest
 * @advertised:	Address the guest is told to use
 * @target:	Address queries are sent to (differs for loopback resolvers)
 */
struct conf_dns4 {
	struct in_addr advertised;
	struct in_addr target;
};

/**
 * struct conf_dns6 - One IPv6 resolver given to the guest
 * @advertised:	Address the guest is told to use
 * @target:	Address queries are sent to (differs for loopback resolvers)
 */
struct conf_dns6 {
	struct in6_addr advertised;
	struct in6_addr target;
};

/**
 * struct conf - Configuration, fixed after start-up
 * @mode:	VM (qemu socket) or namespace mode
 * @sock_path:	VM mode: UNIX socket path to listen on
 * @link_fd:	Already connected guest socket (--fd), or -1
 * @one_off:	Exit once the guest disconnects
 * @vhost_user:	VM mode: be qemu's vhost-user backend on the socket
 * @foreground:	Do not detach
 * @cmd:	Namespace mode: command to run inside, NULL-terminated
 * @v4:		IPv4 enabled
 * @v6:		IPv6 enabled
 * @mtu:	MTU given to the guest
 * @ifname:	Host interface mirrored, empty for the default route's
 * @addr4:	Guest's IPv4 address
 * @prefix4:	Its prefix length
 * @gw4:	Gateway the guest routes through (merd answers for it)
 * @dns4:	Resolvers given to the guest
 * @n_dns4:	Number of entries in @dns4
 * @addr6:	Guest's IPv6 address (DHCPv6, namespace set-up)
 * @prefix6:	Its prefix length, also the prefix advertised for SLAAC
 * @gw6:	Host's IPv6 gateway (stands in for loopback resolvers)
 * @router6:	merd's link-local address: the guest's IPv6 router
 * @dns6:	IPv6 resolvers given to the guest
 * @n_dns6:	Number of entries in @dns6
 * @search:	DNS search list, space separated
 * @udp_timeout:	Idle timeout for answered UDP flows, seconds (unanswered
 *		ones: UDP_UNANSWERED_TIMEOUT_S at most)
 * @tcp_timeout:	Idle timeout for established TCP flows, seconds
 * @tcp_syn_timeout:	Timeout of TCP handshakes, seconds
 * @tcp_fin_timeout:	Idle timeout of half-closed TCP flows, seconds
 * @icmp_timeout:	Idle timeout for ICMP echo flows, seconds
 * @max_flows:	Size of the flow table
 * @tap_name:	Namespace mode: tap device name inside
 * @fwd:	Ports forwarded from the host to the guest
 * @fwd_out:	Namespace mode: ports of the namespace's loopback forwarded
 *		to the host's (-T, -U)
 * @netns:	Namespace mode: existing namespace to attach to (PID or
 *		path), empty to create one
 * @no_config:	Leave an attached namespace's addresses and routes alone
 * @pid_file:	Where to write merd's pid, empty for none
 * @ready_fd:	Write "1" there and close it once the network is up, or -1
 * @pcap_path:	--pcap: capture file, empty for none; opened once the
 *		command line is parsed and checked (main())
 * @pcap_max:	Size cap of the capture file, bytes
 * @ctl_path:	Control socket path, empty for none
 * @exit_fd:	Stop when this file descriptor hangs up, or -1
 * @dns_fwd4:	--dns-forward: the guest's one IPv4 resolver, or 0
 * @dns_fwd6:	--dns-forward: the guest's one IPv6 resolver, or ::
 * @map_lo4:	--map-host-loopback: IPv4 address leading to 127.0.0.1
 * @map_lo6:	--map-host-loopback: IPv6 address leading to ::1
 * @no_dns:	No resolver for the guest (slirp4netns --disable-dns)
 * @map_gw:	The gateway leads to the host's loopback (pasta's default)
 * @map_guest4:	pasta --map-guest-addr: IPv4 address leading to @addr4
 * @map_guest6:	pasta --map-guest-addr: IPv6 address leading to @addr6
 * @log_level:	enum log_level: -q, -d, --trace
 * @api_socket:	slirp4netns --api-socket path, empty for none
 * @raw_protos:	IP protocols passed through raw sockets (--raw)
 * @n_raw:	Entries in @raw_protos
 * @runas:	--runas: user merd becomes when started as root, empty if none
 * @runas_uid:	Its uid, resolved while parsing
 * @runas_gid:	Its primary gid
 */
struct conf {
	enum merd_mode mode;
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int link_fd;
	bool one_off;
	bool vhost_user;
	bool foreground;
	char **cmd;
	bool v4;
	bool v6;
	int mtu;
	char ifname[IFNAMSIZ];
	struct in_addr addr4;
	int prefix4;
	struct in_addr gw4;
	struct conf_dns4 dns4[CONF_MAX_DNS];
	int n_dns4;
	struct in6_addr addr6;
	int prefix6;
	struct in6_addr gw6;
	struct in6_addr router6;
	struct conf_dns6 dns6[CONF_MAX_DNS];
	int n_dns6;
	char search[CONF_SEARCH_LEN];
	unsigned int udp_timeout;
	unsigned int tcp_timeout;
	unsigned int tcp_syn_timeout;
	unsigned int tcp_fin_timeout;
	unsigned int icmp_timeout;
	unsigned int max_flows;
	char tap_name[IFNAMSIZ];
	struct fwd_rules fwd;
	struct fwd_rules fwd_out;
	char netns[PATH_MAX];
	bool no_config;
	char pid_file[PATH_MAX];
	int ready_fd;
	int exit_fd;
	char pcap_path[PATH_MAX];
	uint64_t pcap_max;
	struct in_addr dns_fwd4;
	struct in6_addr dns_fwd6;
	struct in_addr map_lo4;
	struct in6_addr map_lo6;
	bool no_dns;
	bool map_gw;
	struct in_addr map_guest4;
	struct in6_addr map_guest6;
	int log_level;
	char api_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint8_t raw_protos[CONF_RAW_MAX];
	int n_raw;
	char runas[CONF_USER_LEN];
	uid_t runas_uid;
	gid_t runas_gid;
};

int conf_parse(struct conf *conf, int argc, char **argv);
int conf_addr(const char *name, const char *s, struct in_addr *v4,
	      struct in6_addr *v6);
int conf_option(struct conf *conf, int opt, const char *arg);
int conf_getopt_error(const char *prog, int opt, char *const argv[]);
int conf_host_defaults(struct conf *conf);
const char *conf_resolv_text(const struct conf *conf);

#endif /* MERD_CONF_H */
