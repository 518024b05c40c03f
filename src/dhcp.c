// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - DHCPv4 server (RFC 2131/2132) handing the guest its one lease
 *
 * The guest gets the address, prefix, gateway, MTU, resolvers and search
 * list of conf (by default a copy of the host's). There is one lease and
 * one client, so no lease database: every DISCOVER is offered the address,
 * every REQUEST for it acknowledged, any other address refused (NAK).
 */
#include <netinet/in.h>
#include <string.h>

#include "dhcp.h"
#include "dns.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "util.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define BOOTP_FIXED_LEN		236
#define BOOTP_MIN_LEN		300	/* BOOTP clients may want this much */
#define DHCP_MAGIC		0x63825363
#define DHCP_OPT_OFF		(BOOTP_FIXED_LEN + 4)
#define DHCP_LEASE_S		86400
#define DHCP_OPTS_MAX		1024

enum dhcp_msg {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK,
	DHCPNAK, DHCPRELEASE, DHCPINFORM,
};

enum dhcp_opt {
	OPT_PAD = 0, OPT_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6,
	OPT_DOMAIN = 15, OPT_MTU = 26, OPT_REQ_ADDR = 50, OPT_LEASE = 51,
	OPT_MSG_TYPE = 53, OPT_SERVER_ID = 54, OPT_SEARCH = 119,
	OPT_CLASSLESS = 121, OPT_END = 255,
};

/**
 * struct dhcp_req - What merd uses of a client's message, length-checked
 * @bootp:	Fixed BOOTP part, BOOTP_FIXED_LEN bytes
 * @type:	DHCP message type
 * @req_addr:	Requested address (option 50), 0 if absent
 * @server_id:	Server identifier (option 54), 0 if absent
 */
struct dhcp_req {
	const uint8_t *bootp;
	uint8_t type;
	struct in_addr req_addr;
	struct in_addr server_id;
};

/**
 * struct dhcp_opts - Options being written into a reply
 * @buf:	Start of the options area
 * @len:	Bytes written
 * @cap:	Room in @buf
 */
struct dhcp_opts {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

/**
 * dhcp_is_request() - Tell whether a packet is for the DHCP server
 * @pkt:	Checked IPv4 packet
 *
 * Return: true for UDP to port 67 with a whole UDP header
 */
bool dhcp_is_request(const struct ip_pkt *pkt)
{
	return !pkt->v6 && pkt->proto == IPPROTO_UDP && pkt->l4_len >= 8 &&
	       rd16(pkt->l4 + 2) == DHCP_SERVER_PORT;
}

/**
 * dhcp_opt_addr() - Read a 4-byte address option
 * @val:	Option value
 * @len:	Option length
 * @out:	Address to fill when the length is right
 *
 * Return: 0, or -1 if the length is not 4
 */
static int dhcp_opt_addr(const uint8_t *val, size_t len, struct in_addr *out)
{
	if (len != 4)
		return -1;
	memcpy(out, val, 4);
	return 0;
}

/**
 * dhcp_parse_opts() - Walk the options of a client message
 * @o:		Options, untrusted
 * @len:	Length of @o
 * @req:	Parsed fields to fill
 *
 * Return: 0 if every option lies inside the packet, -1 otherwise
 */
static int dhcp_parse_opts(const uint8_t *o, size_t len, struct dhcp_req *req)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = o[i], olen;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (i + 2 > len || i + 2 + o[i + 1] > len)
			return -1;	/* option runs past the packet */
		olen = o[i + 1];
		if (code == OPT_MSG_TYPE && olen == 1)
			req->type = o[i + 2];
		else if ((code == OPT_REQ_ADDR &&
			  dhcp_opt_addr(o + i + 2, olen, &req->req_addr)) ||
			 (code == OPT_SERVER_ID &&
			  dhcp_opt_addr(o + i + 2, olen, &req->server_id)))
			return -1;	/* address option of the wrong length */
		i += 2U + olen;
	}
	return 0;
}

/**
 * dhcp_parse() - Check a client message and extract what merd needs
 * @pkt:	Checked IPv4 packet to port 67
 * @req:	Result
 *
 * Return: 0 on success, -1 if the message is malformed
 */
static int dhcp_parse(const struct ip_pkt *pkt, struct dhcp_req *req)
{
	size_t ulen = rd16(pkt->l4 + 4), blen;
	const uint8_t *b = pkt->l4 + 8;

	if (ulen < 8 || ulen > pkt->l4_len)
		return -1;
	blen = ulen - 8;
	if (blen < DHCP_OPT_OFF || b[0] != 1 /* BOOTREQUEST */ ||
	    b[1] != 1 || b[2] != 6 || rd32(b + BOOTP_FIXED_LEN) != DHCP_MAGIC)
		return -1;

	memset(req, 0, sizeof(*req));
	req->bootp = b;
	if (dhcp_parse_opts(b + DHCP_OPT_OFF, blen - DHCP_OPT_OFF, req))
		return -1;
	return req->type ? 0 : -1;
}

/**
 * dhcp_put() - Append one option to a reply
 * @o:		Options being written
 * @code:	Option code
 * @val:	Value
 * @len:	Value length, at most 255
 */
static void dhcp_put(struct dhcp_opts *o, uint8_t code, const void *val,
		     size_t len)
{
	if (len > 255 || o->len + 2 + len + 1 > o->cap)
		return;		/* never displaces the end option */
	o->buf[o->len++] = code;
	o->buf[o->len++] = (uint8_t)len;
	memcpy(o->buf + o->len, val, len);
	o->len += len;
}

/**
 * dhcp_put_search() - Add domain name and search list options
 * @c:		Execution context
 * @o:		Options being written
 */
static void dhcp_put_search(const struct ctx *c, struct dhcp_opts *o)
{
	uint8_t enc[CONF_SEARCH_LEN + 64];
	size_t first = strcspn(c->conf.search, " "), n, off;

	if (!first)
		return;
	dhcp_put(o, OPT_DOMAIN, c->conf.search, first);
	n = dns_encode_names(c->conf.search, enc, sizeof(enc));
	for (off = 0; off < n; off += 255)	/* RFC 3396 long option */
		dhcp_put(o, OPT_SEARCH, enc + off, MIN(n - off, 255));
}

/**
 * dhcp_put_routes() - Add router, or classless routes if it is off-link
 * @c:		Execution context
 * @o:		Options being written
 *
 * A gateway outside the guest's prefix (a /32 host address, say) cannot
 * be given as option 3 alone: RFC 3442 routes make it on-link first.
 */
static void dhcp_put_routes(const struct ctx *c, struct dhcp_opts *o)
{
	uint32_t mask = c->conf.prefix4 ? ~0U << (32 - c->conf.prefix4) : 0;
	uint32_t a = ntohl(c->conf.addr4.s_addr);
	uint32_t g = ntohl(c->conf.gw4.s_addr);
	uint8_t r[14];

	if (!g)
		return;
	if ((a & mask) == (g & mask)) {
		dhcp_put(o, OPT_ROUTER, &c->conf.gw4, 4);
		return;
	}
	r[0] = 32;			/* gateway/32, on-link */
	memcpy(r + 1, &c->conf.gw4, 4);
	memset(r + 5, 0, 4);
	r[9] = 0;			/* default via gateway */
	memcpy(r + 10, &c->conf.gw4, 4);
	dhcp_put(o, OPT_CLASSLESS, r, sizeof(r));
	dhcp_put(o, OPT_ROUTER, &c->conf.gw4, 4);
}

/**
 * dhcp_put_config() - Add the network configuration options
 * @c:		Execution context
 * @o:		Options being written
 * @lease:	Include lease time and mask (not for INFORM)
 */
static void dhcp_put_config(const struct ctx *c, struct dhcp_opts *o,
			    bool lease)
{
	uint32_t mask = c->conf.prefix4 ? ~0U << (32 - c->conf.prefix4) : 0;
	uint8_t v[4 * CONF_MAX_DNS];
	int i;

	if (lease) {
		wr32(v, DHCP_LEASE_S);
		dhcp_put(o, OPT_LEASE, v, 4);
		wr32(v, mask);
		dhcp_put(o, OPT_MASK, v, 4);
	}
	dhcp_put_routes(c, o);
	for (i = 0; i < c->conf.n_dns4; i++)
		memcpy(v + 4 * (size_t)i, &c->conf.dns4[i].advertised, 4);
	if (c->conf.n_dns4)
		dhcp_put(o, OPT_DNS, v, 4 * (size_t)c->conf.n_dns4);
	dhcp_put_search(c, o);
	wr16(v, (uint16_t)c->conf.mtu);
	dhcp_put(o, OPT_MTU, v, 2);
}

/**
 * dhcp_reply() - Build and queue the answer to one client message
 * @c:		Execution context
 * @req:	Parsed request
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 */
static void dhcp_reply(struct ctx *c, const struct dhcp_req *req,
		       uint8_t type)
{
	struct in_addr ciaddr, dst;
	struct in6_addr src6, dst6;
	struct dhcp_opts o;
	size_t cap, blen;
	uint8_t *u, *b;

	u = ip_tx_begin(c, false, &cap);
	if (!u || cap < 8 + DHCP_OPT_OFF + 64)
		return;
	b = u + 8;
	memset(b, 0, DHCP_OPT_OFF);
	b[0] = 2;				/* BOOTREPLY */
	memcpy(b + 1, req->bootp + 1, 3 + 4);	/* htype hlen hops xid */
	memcpy(b + 10, req->bootp + 10, 2);	/* flags */
	memcpy(b + 12, req->bootp + 12, 4);	/* ciaddr */
	if (type != DHCPNAK && req->type != DHCPINFORM)
		memcpy(b + 16, &c->conf.addr4, 4);	/* yiaddr */
	memcpy(b + 24, req->bootp + 24, 4 + 16);	/* giaddr chaddr */
	wr32(b + BOOTP_FIXED_LEN, DHCP_MAGIC);

	o.buf = b + DHCP_OPT_OFF;
	o.len = 0;
	o.cap = MIN(cap - 8 - DHCP_OPT_OFF, DHCP_OPTS_MAX);
	dhcp_put(&o, OPT_MSG_TYPE, &type, 1);
	dhcp_put(&o, OPT_SERVER_ID, &c->conf.gw4, 4);
	if (type != DHCPNAK)
		dhcp_put_config(c, &o, req->type != DHCPINFORM);
	o.buf[o.len++] = OPT_END;

	blen = MAX(DHCP_OPT_OFF + o.len, (size_t)BOOTP_MIN_LEN);
	memset(o.buf + o.len, 0, blen - DHCP_OPT_OFF - o.len);
	wr16(u, DHCP_SERVER_PORT);
	wr16(u + 2, DHCP_CLIENT_PORT);
	wr16(u + 4, (uint16_t)(8 + blen));

	memcpy(&ciaddr, req->bootp + 12, 4);
	dst.s_addr = ciaddr.s_addr && type != DHCPNAK ? ciaddr.s_addr
						       : INADDR_BROADCAST;
	inany_from_v4(&src6, c->conf.gw4);
	inany_from_v4(&dst6, dst);
	ip_tx_commit(c, &src6, &dst6, IPPROTO_UDP, 8 + blen);
}

/**
 * dhcp_input() - Answer a DHCP client message from the guest
 * @c:		Execution context
 * @pkt:	Checked IPv4 packet to UDP port 67
 */
void dhcp_input(struct ctx *c, const struct ip_pkt *pkt)
{
	struct dhcp_req req;
	struct in_addr want;

	if (dhcp_parse(pkt, &req)) {
		count_drop(c, CNT_drop_dhcp_bad);
		debug_ratelimited("dhcp: malformed message, dropped");
		return;
	}
	switch (req.type) {
	case DHCPDISCOVER:
		dhcp_reply(c, &req, DHCPOFFER);
		break;
	case DHCPREQUEST:
		if (req.server_id.s_addr &&
		    req.server_id.s_addr != c->conf.gw4.s_addr)
			break;		/* the client chose another server */
		want = req.req_addr;
		if (!want.s_addr)
			memcpy(&want, req.bootp + 12, 4);	/* renewal */
		dhcp_reply(c, &req, want.s_addr == c->conf.addr4.s_addr ?
				    DHCPACK : DHCPNAK);
		break;
	case DHCPINFORM:
		dhcp_reply(c, &req, DHCPACK);
		break;
	default:
		count(c, CNT_ignored);	/* DECLINE, RELEASE: one lease only */
		break;
	}
}
