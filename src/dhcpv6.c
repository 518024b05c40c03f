// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - DHCPv6 server (RFC 8415) for the one guest
 *
 * Stateful: an IA_NA gets the address of conf (by default the host's own
 * global address). Stateless: information requests get the resolvers and
 * the search list. A Solicit with Rapid Commit is answered with a Reply at
 * once. One client and one address, so no binding table: the server DUID
 * (DUID-LL of merd's MAC) is all the state there is.
 */
#include <netinet/in.h>
#include <string.h>

#include "dhcpv6.h"
#include "dns.h"
#include "inany.h"
#include "ip.h"
#include "log.h"
#include "merd.h"
#include "util.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547
#define DHCPV6_HDR_LEN		4
#define DHCPV6_DUID_MAX		130	/* RFC 8415 11.1: 2 + up to 128 */
#define DHCPV6_T1		43200
#define DHCPV6_T2		69120
#define DHCPV6_PREFERRED	86400
#define DHCPV6_VALID		86400
#define DHCPV6_REPLY_MAX	1024

enum dhcpv6_msg {
	SOLICIT = 1, ADVERTISE, REQUEST, CONFIRM, RENEW, REBIND, REPLY,
	RELEASE, DECLINE, RECONFIGURE, INFORMATION_REQUEST,
};

enum dhcpv6_opt {
	OPT6_CLIENTID = 1, OPT6_SERVERID = 2, OPT6_IA_NA = 3,
	OPT6_IAADDR = 5, OPT6_STATUS = 13, OPT6_RAPID_COMMIT = 14,
	OPT6_DNS = 23, OPT6_DOMAINS = 24,
};

/**
 * struct dhcpv6_req - What merd uses of a client message, length-checked
 * @type:	Message type
 * @xid:	Transaction ID, 3 bytes
 * @client_id:	Client DUID (option value), NULL if absent
 * @client_id_len:	Its length
 * @server_id:	Server DUID the client addressed, NULL if absent
 * @server_id_len:	Its length
 * @iaid:	IAID of the first IA_NA, valid if @has_ia_na
 * @has_ia_na:	The client asked for an address
 * @rapid:	Rapid Commit option present
 */
struct dhcpv6_req {
	uint8_t type;
	const uint8_t *xid;
	const uint8_t *client_id;
	size_t client_id_len;
	const uint8_t *server_id;
	size_t server_id_len;
	const uint8_t *iaid;
	bool has_ia_na;
	bool rapid;
};

/**
 * dhcpv6_is_request() - Tell whether a packet is for the DHCPv6 server
 * @pkt:	Checked IPv6 packet
 *
 * Return: true for UDP to port 547 with a whole UDP header
 */
bool dhcpv6_is_request(const struct ip_pkt *pkt)
{
	return pkt->v6 && pkt->proto == IPPROTO_UDP && pkt->l4_len >= 8 &&
	       rd16(pkt->l4 + 2) == DHCPV6_SERVER_PORT;
}

/**
 * dhcpv6_opt() - Take note of one option of a client message
 * @req:	Parsed fields, updated
 * @code:	Option code
 * @val:	Value, inside the packet
 * @len:	Value length
 *
 * Return: 0, or -1 if the option is malformed
 */
static int dhcpv6_opt(struct dhcpv6_req *req, uint16_t code,
		      const uint8_t *val, size_t len)
{
	switch (code) {
	case OPT6_CLIENTID:
	case OPT6_SERVERID:
		if (len < 2 || len > DHCPV6_DUID_MAX)
			return -1;
		if (code == OPT6_CLIENTID) {
			req->client_id = val;
			req->client_id_len = len;
		} else {
			req->server_id = val;
			req->server_id_len = len;
		}
		return 0;
	case OPT6_IA_NA:
		if (len < 12)
			return -1;
		if (!req->has_ia_na) {
			req->has_ia_na = true;
			req->iaid = val;
		}
		return 0;
	case OPT6_RAPID_COMMIT:
		req->rapid = true;
		return 0;
	default:
		return 0;	/* unknown options are ignored */
	}
}

/**
 * dhcpv6_parse() - Check a client message and extract what merd needs
 * @pkt:	Checked IPv6 UDP packet to port 547
 * @req:	Result
 *
 * Return: 0 on success, -1 if malformed
 */
static int dhcpv6_parse(const struct ip_pkt *pkt, struct dhcpv6_req *req)
{
	size_t ulen = rd16(pkt->l4 + 4), mlen, off;
	const uint8_t *m = pkt->l4 + 8;

	if (ulen < 8 + DHCPV6_HDR_LEN || ulen > pkt->l4_len)
		return -1;
	mlen = ulen - 8;
	memset(req, 0, sizeof(*req));
	req->type = m[0];
	req->xid = m + 1;
	for (off = DHCPV6_HDR_LEN; off < mlen;) {
		size_t olen;

		if (off + 4 > mlen)
			return -1;
		olen = rd16(m + off + 2);
		if (off + 4 + olen > mlen)
			return -1;	/* option runs past the message */
		if (dhcpv6_opt(req, rd16(m + off), m + off + 4, olen))
			return -1;
		off += 4 + olen;
	}
	return 0;
}

/**
 * dhcpv6_put() - Append an option to a reply
 * @b:		Reply buffer
 * @len:	Bytes used, updated
 * @code:	Option code
 * @val:	Value, may be NULL if @vlen is 0
 * @vlen:	Value length
 */
static void dhcpv6_put(uint8_t *b, size_t *len, uint16_t code,
		       const void *val, size_t vlen)
{
	if (*len + 4 + vlen > DHCPV6_REPLY_MAX)
		return;
	wr16(b + *len, code);
	wr16(b + *len + 2, (uint16_t)vlen);
	if (vlen)
		memcpy(b + *len + 4, val, vlen);
	*len += 4 + vlen;
}

/**
 * dhcpv6_server_duid() - merd's DUID-LL (RFC 8415 11.4)
 * @c:		Execution context
 * @duid:	10 bytes to fill
 */
static void dhcpv6_server_duid(const struct ctx *c, uint8_t duid[10])
{
	wr16(duid, 3);			/* DUID-LL */
	wr16(duid + 2, 1);		/* Ethernet */
	memcpy(duid + 4, c->our_mac, ETH_ALEN);
}

/**
 * dhcpv6_put_ia_na() - Append the IA_NA holding the guest's address
 * @c:		Execution context
 * @req:	Request, with an IA_NA
 * @b:		Reply buffer
 * @len:	Bytes used, updated
 */
static void dhcpv6_put_ia_na(const struct ctx *c, const struct dhcpv6_req *req,
			     uint8_t *b, size_t *len)
{
	uint8_t ia[12 + 4 + 24];

	memcpy(ia, req->iaid, 4);
	wr32(ia + 4, DHCPV6_T1);
	wr32(ia + 8, DHCPV6_T2);
	wr16(ia + 12, OPT6_IAADDR);
	wr16(ia + 14, 24);
	memcpy(ia + 16, &c->conf.addr6, 16);
	wr32(ia + 32, DHCPV6_PREFERRED);
	wr32(ia + 36, DHCPV6_VALID);
	dhcpv6_put(b, len, OPT6_IA_NA, ia, sizeof(ia));
}

/**
 * dhcpv6_put_info() - Append resolvers and search list
 * @c:		Execution context
 * @b:		Reply buffer
 * @len:	Bytes used, updated
 */
static void dhcpv6_put_info(const struct ctx *c, uint8_t *b, size_t *len)
{
	uint8_t v[CONF_SEARCH_LEN + 64];
	size_t n;
	int i;

	for (i = 0; i < c->conf.n_dns6; i++)
		memcpy(v + 16 * (size_t)i, &c->conf.dns6[i].advertised, 16);
	if (c->conf.n_dns6)
		dhcpv6_put(b, len, OPT6_DNS, v, 16 * (size_t)c->conf.n_dns6);
	n = dns_encode_names(c->conf.search, v, sizeof(v));
	if (n)
		dhcpv6_put(b, len, OPT6_DOMAINS, v, n);
}

/**
 * dhcpv6_reply() - Build and queue the answer to one client message
 * @c:		Execution context
 * @pkt:	The request, for addresses
 * @req:	Parsed request
 * @type:	ADVERTISE or REPLY
 */
static void dhcpv6_reply(struct ctx *c, const struct ip_pkt *pkt,
			 const struct dhcpv6_req *req, uint8_t type)
{
	size_t cap = 0, len = DHCPV6_HDR_LEN;
	uint8_t *u = ip_tx_begin(c, true, &cap), *b, duid[10];

	if (!u || cap < 8 + DHCPV6_REPLY_MAX)
		return;
	b = u + 8;
	b[0] = type;
	memcpy(b + 1, req->xid, 3);
	if (req->client_id)
		dhcpv6_put(b, &len, OPT6_CLIENTID, req->client_id,
			   req->client_id_len);
	dhcpv6_server_duid(c, duid);
	dhcpv6_put(b, &len, OPT6_SERVERID, duid, sizeof(duid));
	if (type == REPLY && req->type == SOLICIT)
		dhcpv6_put(b, &len, OPT6_RAPID_COMMIT, NULL, 0);
	if (req->has_ia_na && req->type != INFORMATION_REQUEST &&
	    req->type != RELEASE && req->type != DECLINE)
		dhcpv6_put_ia_na(c, req, b, &len);
	if (req->type == CONFIRM || req->type == RELEASE ||
	    req->type == DECLINE) {
		static const uint8_t success[] = { 0, 0 };

		dhcpv6_put(b, &len, OPT6_STATUS, success, sizeof(success));
	}
	dhcpv6_put_info(c, b, &len);

	wr16(u, DHCPV6_SERVER_PORT);
	wr16(u + 2, DHCPV6_CLIENT_PORT);
	wr16(u + 4, (uint16_t)(8 + len));
	ip_tx_commit(c, &c->conf.router6, &pkt->src, IPPROTO_UDP, 8 + len);
}

/**
 * dhcpv6_for_us() - Check the server identifier rules of RFC 8415 16
 * @c:		Execution context
 * @req:	Parsed request
 *
 * Return: true if merd should answer
 */
static bool dhcpv6_for_us(const struct ctx *c, const struct dhcpv6_req *req)
{
	uint8_t duid[10];
	bool ours;

	dhcpv6_server_duid(c, duid);
	ours = req->server_id && req->server_id_len == sizeof(duid) &&
	       !memcmp(req->server_id, duid, sizeof(duid));

	switch (req->type) {
	case SOLICIT:
	case CONFIRM:
	case REBIND:
		return req->client_id && !req->server_id;
	case REQUEST:
	case RENEW:
	case RELEASE:
	case DECLINE:
		return req->client_id && ours;
	case INFORMATION_REQUEST:
		return !req->server_id || ours;
	default:
		return false;
	}
}

/**
 * dhcpv6_input() - Answer a DHCPv6 client message from the guest
 * @c:		Execution context
 * @pkt:	Checked IPv6 packet to UDP port 547
 */
void dhcpv6_input(struct ctx *c, const struct ip_pkt *pkt)
{
	struct dhcpv6_req req;

	if (dhcpv6_parse(pkt, &req)) {
		count_drop(c, CNT_drop_dhcpv6_bad);
		debug_ratelimited("dhcpv6: malformed message, dropped");
		return;
	}
	if (!dhcpv6_for_us(c, &req)) {
		count(c, CNT_ignored);
		return;
	}
	if (req.type == SOLICIT && !req.rapid)
		dhcpv6_reply(c, pkt, &req, ADVERTISE);
	else
		dhcpv6_reply(c, pkt, &req, REPLY);
}
