// SPDX-License-Identifier: GPL-2.0-or-later
/* flood.c - Send floods of frames to merd from inside a guest namespace
 *
 *   flood syn IFNAME COUNT SRC DST PORT...   TCP SYNs from random source
 *                                           ports to DST, PORTs in turn
 *   flood udp IFNAME COUNT SRC DST FIRST     one UDP datagram to each port
 *                                           FIRST, FIRST+1, ... (wrapping
 *                                           below 65536 to 1024)
 *   flood arp IFNAME COUNT SRC               ARP requests for random
 *                                           addresses of SRC's /24
 *   flood ndp IFNAME COUNT SRC6              neighbour solicitations for
 *                                           random targets of SRC6's /64
 *
 * Frames go out of IFNAME (the guest's tap) through an AF_PACKET socket,
 * from its MAC address, to merd's (9a:55:9a:55:9a:55), or broadcast (ARP)
 * and solicited-node multicast (NDP), with correct checksums: they reach
 * merd's parsers, not its drop counters. When the device's queue is full,
 * the sender waits a little and tries again. Prints "sent=N failed=M".
 * Exit: 0 if every frame was sent, 1 if not, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolkit.h"

static const uint8_t merd_mac[6] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
/* UDP payload of the flood: 16 bytes, no terminating NUL */
static const uint8_t flood_payload[16] = {
	'm', 'e', 'r', 'd', ' ', 'f', 'l', 'o', 'o', 'd', ' ', 't', 'e', 's', 't', '!'
};

/**
 * struct flood - Where frames go and what they carry
 * @fd:		AF_PACKET socket
 * @ll:		Link-layer address of IFNAME
 * @mac:	IFNAME's MAC address
 * @sent:	Frames sent
 * @failed:	Frames that could not be sent
 */
struct flood {
	int fd;
	struct sockaddr_ll ll;
	uint8_t mac[6];
	unsigned long sent;
	unsigned long failed;
};

/**
 * csum_add() - Add bytes to a ones' complement sum
 * @sum:	Sum so far
 * @p:		Bytes
 * @len:	Their number
 *
 * Return: the new sum, not folded
 */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/**
 * csum_fold() - Fold a sum into a checksum field value
 * @sum:	Sum
 *
 * Return: the checksum, host order
 */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * put16() - Write a 16-bit big-endian value
 * @p:		Where
 * @v:		Value
 */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * rnd32() - A random 32-bit number
 *
 * Return: the number
 */
static uint32_t rnd32(void)
{
	uint32_t v = 0;

	static uint32_t x = 2463534242U;	/* xorshift32 if no getrandom */

	if (getrandom(&v, sizeof(v), 0) == sizeof(v))
		return v;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/**
 * flood_send() - Send one frame, waiting while the device queue is full
 * @f:		Flood state
 * @frame:	Frame
 * @len:	Its length
 */
static void flood_send(struct flood *f, const uint8_t *frame, size_t len)
{
	struct timespec pause = { 0, 200000 };
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if (sendto(f->fd, frame, len, 0, (struct sockaddr *)&f->ll,
			   sizeof(f->ll)) == (ssize_t)len) {
			f->sent++;
			return;
		}
		if (errno != ENOBUFS && errno != EAGAIN)
			break;
		nanosleep(&pause, NULL);
	}
	f->failed++;
}

/**
 * eth_head() - Write an Ethernet header
 * @f:		Flood state (source MAC)
 * @p:		Frame
 * @dst:	Destination MAC
 * @type:	EtherType
 *
 * Return: pointer past the header
 */
static uint8_t *eth_head(const struct flood *f, uint8_t *p, const uint8_t *dst,
			 uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, f->mac, 6);
	put16(p + 12, type);
	return p + 14;
}

/**
 * ip4_head() - Write an IPv4 header with its checksum
 * @p:		Where
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Protocol
 * @payload:	Bytes after the header
 */
static void ip4_head(uint8_t *p, struct in_addr src, struct in_addr dst,
		     uint8_t proto, size_t payload)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + payload));
	p[6] = 0x40;			/* DF */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));
}

/**
 * l4_csum4() - Checksum of a TCP or UDP segment over IPv4
 * @ip:		IPv4 header (addresses, protocol)
 * @l4:		Segment
 * @len:	Its length
 *
 * Return: the checksum field value
 */
static uint16_t l4_csum4(const uint8_t *ip, const uint8_t *l4, size_t len)
{
	uint32_t sum = csum_add(0, ip + 12, 8);

	sum += ip[9] + (uint32_t)len;
	return csum_fold(csum_add(sum, l4, len));
}

/**
 * flood_syn() - TCP SYNs from random source ports
 * @f:		Flood state
 * @n:		How many
 * @src:	Source address
 * @dst:	Destination address
 * @ports:	Destination ports, used in turn
 * @n_ports:	Their number
 */
static void flood_syn(struct flood *f, unsigned long n, struct in_addr src,
		      struct in_addr dst, const uint16_t *ports, int n_ports)
{
	uint8_t frame[14 + 20 + 20], *ip, *th;
	unsigned long i;

	ip = eth_head(f, frame, merd_mac, ETHERTYPE_IP);
	th = ip + 20;
	ip4_head(ip, src, dst, IPPROTO_TCP, 20);
	for (i = 0; i < n; i++) {
		uint32_t r = rnd32();

		memset(th, 0, 20);
		put16(th, (uint16_t)(1024 + r % 64000));
		put16(th + 2, ports[i % (unsigned long)n_ports]);
		memcpy(th + 4, &r, 4);			/* sequence */
		th[12] = 5 << 4;
		th[13] = 0x02;				/* SYN */
		put16(th + 14, 64240);
		put16(th + 16, l4_csum4(ip, th, 20));
		flood_send(f, frame, sizeof(frame));
	}
}

/**
 * flood_udp() - One UDP datagram to each of many ports
 * @f:		Flood state
 * @n:		How many
 * @src:	Source address
 * @dst:	Destination address
 * @first:	First destination port
 */
static void flood_udp(struct flood *f, unsigned long n, struct in_addr src,
		      struct in_addr dst, unsigned int first)
{
	uint8_t frame[14 + 20 + 8 + 16], *ip, *uh;
	unsigned int port = first;
	unsigned long i;

	ip = eth_head(f, frame, merd_mac, ETHERTYPE_IP);
	uh = ip + 20;
	ip4_head(ip, src, dst, IPPROTO_UDP, 8 + 16);
	memcpy(uh + 8, flood_payload, sizeof(flood_payload));
	for (i = 0; i < n; i++) {
		uint16_t sum;

		put16(uh, 40000);
		put16(uh + 2, (uint16_t)port);
		put16(uh + 4, 8 + 16);
		put16(uh + 6, 0);
		sum = l4_csum4(ip, uh, 8 + 16);
		put16(uh + 6, sum ? sum : 0xffff);
		flood_send(f, frame, sizeof(frame));
		port = port >= 65535 ? 1024 : port + 1;
	}
}

/**
 * flood_arp() - ARP requests for random addresses of SRC's /24
 * @f:		Flood state
 * @n:		How many
 * @src:	Sender address
 */
static void flood_arp(struct flood *f, unsigned long n, struct in_addr src)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t frame[14 + 28], *a;
	unsigned long i;

	a = eth_head(f, frame, bcast, ETHERTYPE_ARP);
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETHERTYPE_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);		/* request */
	memcpy(a + 8, f->mac, 6);
	memcpy(a + 14, &src, 4);
	memset(a + 18, 0, 6);
	for (i = 0; i < n; i++) {
		uint8_t *t = a + 24;

		memcpy(t, &src, 4);
		t[3] = (uint8_t)(1 + rnd32() % 254);
		flood_send(f, frame, sizeof(frame));
	}
}

/**
 * flood_ndp() - Neighbour solicitations for random targets of SRC6's /64
 * @f:		Flood state
 * @n:		How many
 * @src:	Source address
 */
static void flood_ndp(struct flood *f, unsigned long n,
		      const struct in6_addr *src)
{
	uint8_t frame[14 + 40 + 32], *ip, *icmp, dst_mac[6];
	struct in6_addr target, snm;
	unsigned long i;
	uint32_t sum;

	for (i = 0; i < n; i++) {
		uint32_t r = rnd32();

		target = *src;
		memcpy(&target.s6_addr[12], &r, 4);
		memset(&snm, 0, sizeof(snm));
		snm.s6_addr[0] = 0xff;
		snm.s6_addr[1] = 0x02;
		snm.s6_addr[11] = 0x01;
		snm.s6_addr[12] = 0xff;
		memcpy(&snm.s6_addr[13], &target.s6_addr[13], 3);
		dst_mac[0] = dst_mac[1] = 0x33;
		memcpy(dst_mac + 2, &snm.s6_addr[12], 4);

		ip = eth_head(f, frame, dst_mac, ETHERTYPE_IPV6);
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, 32);
		ip[6] = IPPROTO_ICMPV6;
		ip[7] = 255;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, &snm, 16);
		icmp = ip + 40;
		memset(icmp, 0, 32);
		icmp[0] = 135;			/* neighbour solicitation */
		memcpy(icmp + 8, &target, 16);
		icmp[24] = 1;			/* source link-layer address */
		icmp[25] = 1;
		memcpy(icmp + 26, f->mac, 6);
		sum = csum_add(0, ip + 8, 32);
		sum += 32 + IPPROTO_ICMPV6;
		put16(icmp + 2, csum_fold(csum_add(sum, icmp, 32)));
		flood_send(f, frame, sizeof(frame));
	}
}

/**
 * flood_open() - Open the AF_PACKET socket on an interface
 * @f:		Flood state to fill
 * @ifname:	Interface
 *
 * Return: 0 on success, -1 on error (reported)
 */
static int flood_open(struct flood *f, const char *ifname)
{
	struct ifreq ifr = { 0 };

	f->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (f->fd < 0 || strlen(ifname) >= sizeof(ifr.ifr_name)) {
		perror("flood: socket");
		return -1;
	}
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(f->fd, SIOCGIFHWADDR, &ifr)) {
		perror("flood: SIOCGIFHWADDR");
		return -1;
	}
	memcpy(f->mac, ifr.ifr_hwaddr.sa_data, 6);
	f->ll.sll_family = AF_PACKET;
	f->ll.sll_ifindex = (int)if_nametoindex(ifname);
	f->ll.sll_halen = 6;
	return f->ll.sll_ifindex ? 0 : -1;
}

/**
 * usage() - Print the usage
 *
 * Return: 2
 */
static int usage(void)
{
	fprintf(stderr,
		"usage: flood syn IFNAME COUNT SRC DST PORT...\n"
		"       flood udp IFNAME COUNT SRC DST FIRST\n"
		"       flood arp IFNAME COUNT SRC\n"
		"       flood ndp IFNAME COUNT SRC6\n");
	return 2;
}

/**
 * port_arg() - A port number from the command line
 * @s:		Text
 *
 * Return: the port, 0 if @s is not one of 1 to 65535
 */
static uint16_t port_arg(const char *s)
{
	long p = text_num(s, -1);

	return p < 1 || p > 65535 ? 0 : (uint16_t)p;
}

/**
 * flood_run() - Send the flood the command line asks for
 * @f:		Flood, open
 * @n:		Frames
 * @argc:	Argument count, at least 5
 * @argv:	Arguments
 *
 * Return: 0 once sent, 2 (after the usage text) on bad usage
 */
static int flood_run(struct flood *f, unsigned long n, int argc, char **argv)
{
	struct in_addr src, dst;
	struct in6_addr src6;
	uint16_t ports[16] = { 0 };
	int i, n_ports;

	if (!strcmp(argv[1], "ndp")) {
		if (inet_pton(AF_INET6, argv[4], &src6) != 1)
			return usage();
		flood_ndp(f, n, &src6);
		return 0;
	}
	if (inet_pton(AF_INET, argv[4], &src) != 1)
		return usage();
	if (!strcmp(argv[1], "arp")) {
		flood_arp(f, n, src);
		return 0;
	}
	if (argc < 7 || inet_pton(AF_INET, argv[5], &dst) != 1)
		return usage();
	n_ports = argc - 6 > 16 ? 16 : argc - 6;
	for (i = 0; i < n_ports; i++)
		if (!(ports[i] = port_arg(argv[6 + i])))
			return usage();
	if (!strcmp(argv[1], "syn"))
		flood_syn(f, n, src, dst, ports, n_ports);
	else if (!strcmp(argv[1], "udp"))
		flood_udp(f, n, src, dst, ports[0]);
	else
		return usage();
	return 0;
}

/**
 * main() - Parse the mode and its arguments, send the flood
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if every frame was sent, 1 if not, 2 on bad usage
 */
int main(int argc, char **argv)
{
	struct flood f = { 0 };
	unsigned long n;
	int rc;

	if (argc < 5)
		return usage();
	n = strtoul(argv[3], NULL, 10);
	if (flood_open(&f, argv[2]))
		return 1;
	rc = flood_run(&f, n, argc, argv);
	if (rc)
		return rc;
	printf("sent=%lu failed=%lu\n", f.sent, f.failed);
	return f.failed ? 1 : 0;
}
