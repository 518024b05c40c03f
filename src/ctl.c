// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl.c - The control socket (--ctl PATH): line-delimited JSON requests
 *
 * Theory of operation
 *
 * merd listens on a UNIX stream socket, created mode 0600 before the
 * sandbox closes. Each request is one line holding one JSON object whose
 * "command" member names what to do; each reply is one line holding one
 * JSON object with "ok": true and the command's members, or "ok": false
 * and "error". Commands are looked up in a table (ctl_cmds), so that other
 * front ends (a slirp4netns-compatible API) can reuse the handlers.
 *
 * At most CTL_CLIENTS_MAX clients are connected at once, each with a fixed
 * request buffer (CTL_REQ_MAX: a longer line gets an error and the
 * connection is closed) and a fixed reply buffer (CTL_OUT_BUF). Sockets are
 * non-blocking: a reply that does not fit in the socket waits in the
 * buffer, and while it waits merd reads no further request from that
 * client. Long listings (flows, forwards) are produced piecewise into the
 * reply buffer as the client reads, so merd holds no more than one buffer
 * per client whatever the table size; a listing walks the flow table by
 * index, so flows that come or go while it is produced may or may not
 * appear in it, but none appears twice. A client that stops reading keeps
 * its slot only until another client needs one and it has been idle for
 * CTL_IDLE_MS. Nothing here touches the data path: a bad request costs its
 * sender an error line, nothing else.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "json.h"
#include "log.h"
#include "merd.h"
#include "splice.h"
#include "util.h"

#define CTL_NAME_LEN	32

/**
 * struct ctl_req - A request, parsed
 * @name:	Member paths ("command", "proto", "arguments.proto", ...)
 * @val:	Their values as text (strings decoded, numbers as written,
 *		true, false, null)
 * @n:		Members kept
 */
struct ctl_req {
	char name[CTL_FIELDS_MAX][CTL_NAME_LEN];
	char val[CTL_FIELDS_MAX][CTL_FIELD_LEN];
	int n;
};

/**
 * struct ctl_reply - A reply being produced
 * @o:		JSON output into the client's buffer
 * @cursor:	Listings: next table index to look at
 * @started:	The head of the reply is written
 */
struct ctl_reply {
	struct json_out o;
	uint32_t cursor;
	bool started;
};

/* A command handler: writes what fits of the reply into @r, returns true
 * once the reply is complete, false to be called again with more room */
typedef bool (*ctl_fn)(struct ctx *c, const struct ctl_req *req,
		       struct ctl_reply *r);

/**
 * struct ctl_cmd - One entry of the command table
 * @name:	Value of "command"
 * @fn:		Handler
 */
struct ctl_cmd {
	const char *name;
	ctl_fn fn;
};

/**
 * struct ctl_client - One connected client
 * @fd:		Socket, -1 if the slot is free
 * @in:		Bytes of requests read, not handled yet
 * @in_len:	How many
 * @out:	Reply bytes
 * @out_off:	Bytes of @out already written to the socket
 * @reply:	Reply being produced, writing into @out
 * @fn:		Handler of the reply in progress, NULL if none
 * @req:	Its request
 * @closing:	Close once @out is written
 * @last_active:	Time of the last byte read or written, ms
 */
struct ctl_client {
	int fd;
	char in[CTL_REQ_MAX];
	size_t in_len;
	char out[CTL_OUT_BUF];
	size_t out_off;
	struct ctl_reply reply;
	ctl_fn fn;
	struct ctl_req req;
	bool closing;
	uint64_t last_active;
};

/**
 * struct ctl_state - The control socket and its clients
 * @listen_fd:	Listening socket, -1 without --ctl
 * @path:	Its path
 * @cl:		Client slots
 */
static struct ctl_state {
	int listen_fd;
	const char *path;
	struct ctl_client cl[CTL_CLIENTS_MAX];
} ctl = { .listen_fd = -1 };

static const char *const ctl_counter_names[] = {
#define CTL_COUNTER_NAME(name) #name,
	MERD_COUNTERS(CTL_COUNTER_NAME)
#undef CTL_COUNTER_NAME
};

/**
 * ctl_req_member() - Keep one scalar of a request (json_parse() callback)
 * @arg:	struct ctl_req
 * @path:	Member path
 * @v:		Value
 *
 * Return: 0, or -E2BIG if there are too many members or one is too long
 */
static int ctl_req_member(void *arg, const char *path,
			  const struct json_val *v)
{
	static const char *const lit[] = { "null", "false", "true" };
	struct ctl_req *req = arg;
	const char *text;
	size_t len;

	if (req->n == CTL_FIELDS_MAX || strlen(path) >= CTL_NAME_LEN)
		return -E2BIG;
	if (v->type == JSON_STRING || v->type == JSON_NUMBER) {
		text = v->str;
		len = v->len;
	} else {
		text = lit[v->type == JSON_BOOL ? 1 + v->b : 0];
		len = strlen(text);
	}
	if (len >= CTL_FIELD_LEN || memchr(text, '\0', len))
		return -E2BIG;
	strcpy(req->name[req->n], path);
	memcpy(req->val[req->n], text, len);
	req->val[req->n][len] = '\0';
	req->n++;
	return 0;
}

/**
 * ctl_req_get() - Value of a request member
 * @req:	Request
 * @name:	Member path
 *
 * Return: its text, or NULL if absent
 */
static const char *ctl_req_get(const struct ctl_req *req, const char *name)
{
	int i;

	for (i = 0; i < req->n; i++)
		if (!strcmp(req->name[i], name))
			return req->val[i];
	return NULL;
}

/**
 * ctl_error() - Write an error reply
 * @r:		Reply
 * @why:	Message
 *
 * Return: true (the reply is complete)
 */
static bool ctl_error(struct ctl_reply *r, const char *why)
{
	json_open(&r->o, '{');
	json_key(&r->o, "ok");
	json_bool(&r->o, false);
	json_key(&r->o, "error");
	json_str(&r->o, why);
	json_close(&r->o, '}');
	return true;
}

/**
 * ctl_ok() - Start a successful reply: {"ok":true
 * @r:		Reply
 */
static void ctl_ok(struct ctl_reply *r)
{
	json_open(&r->o, '{');
	json_key(&r->o, "ok");
	json_bool(&r->o, true);
}

/**
 * ctl_cmd_version() - "version": merd's version
 * @c:		Execution context
 * @req:	Request (unused)
 * @r:		Reply
 *
 * Return: true
 */
static bool ctl_cmd_version(struct ctx *c, const struct ctl_req *req,
			    struct ctl_reply *r)
{
	(void)c;
	(void)req;
	ctl_ok(r);
	json_key(&r->o, "version");
	json_str(&r->o, MERD_VERSION);
	json_close(&r->o, '}');
	return true;
}

/**
 * ctl_cmd_counters() - "counters": every global counter
 * @c:		Execution context
 * @req:	Request (unused)
 * @r:		Reply
 *
 * Return: true
 */
static bool ctl_cmd_counters(struct ctx *c, const struct ctl_req *req,
			     struct ctl_reply *r)
{
	int i;

	(void)req;
	ctl_ok(r);
	json_key(&r->o, "counters");
	json_open(&r->o, '{');
	for (i = 0; i < CNT_MAX; i++) {
		json_key(&r->o, ctl_counter_names[i]);
		json_uint(&r->o, c->counters[i]);
	}
	json_key(&r->o, "flows_active");
	json_uint(&r->o, c->flows.n_active);
	json_key(&r->o, "flows_max");
	json_uint(&r->o, c->flows.max);
	json_close(&r->o, '}');
	json_close(&r->o, '}');
	return true;
}

/**
 * ctl_flow_state() - State of a flow, in words
 * @f:		Flow
 *
 * Return: for TCP "connecting", "syn-ack-sent", "syn-sent",
 * "established", "fin-guest" (the guest closed its half), "fin-host" (the
 * host peer closed its half) or "closing" (both), spliced ones the same
 * (splice_state()); for the others (UDP, ICMP, raw, relayed) "answered"
 * once packets went both ways, else "unanswered"
 */
static const char *ctl_flow_state(const struct flow *f)
{
	uint16_t fl = f->tcp.flags;

	if (f->key.proto == FLOW_SPLICE)
		return splice_state(f);
	if (f->key.proto != FLOW_TCP)
		return f->pkts_in && f->pkts_out ? "answered" : "unanswered";
	switch (f->tcp.state) {
	case TCPS_CONNECTING:
		return "connecting";
	case TCPS_SYN_ACK_SENT:
		return "syn-ack-sent";
	case TCPS_SYN_SENT:
		return "syn-sent";
	default:
		break;
	}
	if (fl & TCP_F_GUEST_FIN && fl & TCP_F_FIN_SENT)
		return "closing";
	if (fl & TCP_F_GUEST_FIN)
		return "fin-guest";
	if (fl & TCP_F_FIN_SENT)
		return "fin-host";
	return "established";
}

/**
 * ctl_flow_pkts() - Write a packet count, or null for a spliced flow
 * @f:		Flow
 * @o:		Output
 * @pkts:	The count
 *
 * A spliced flow's bytes go socket to socket through the kernel: merd
 * sees no packet of it, and says so rather than a count of zero.
 */
static void ctl_flow_pkts(const struct flow *f, struct json_out *o,
			  uint64_t pkts)
{
	if (f->key.proto == FLOW_SPLICE)
		json_null(o);
	else
		json_uint(o, pkts);
}

/**
 * ctl_flow_item() - Write one flow of the listing
 * @c:		Execution context
 * @f:		Flow in use
 * @o:		Output
 */
static void ctl_flow_item(const struct ctx *c, const struct flow *f,
			  struct json_out *o)
{
	char a[INANY_STRLEN];

	json_open(o, '{');
	json_key(o, "id");
	json_uint(o, flow_index(&c->flows, f));
	json_key(o, "proto");
	json_str(o, flow_proto_name(&f->key));
	json_key(o, "protonum");
	json_uint(o, flow_ipproto(&f->key));
	json_key(o, "path");
	json_str(o, flow_path_name(&f->key));
	json_key(o, "guest_addr");
	json_str(o, inany_ntop(&f->key.guest_addr, a));
	json_key(o, "guest_port");
	json_uint(o, f->key.guest_port);
	json_key(o, "remote_addr");
	json_str(o, inany_ntop(&f->key.remote_addr, a));
	json_key(o, "remote_port");		/* raw: no port, see protonum */
	json_uint(o, f->key.proto == FLOW_RAW ? 0 : f->key.remote_port);
	json_key(o, "state");
	json_str(o, ctl_flow_state(f));
	json_key(o, "pkts_out");
	ctl_flow_pkts(f, o, f->pkts_out);
	json_key(o, "bytes_out");
	json_uint(o, f->bytes_out);
	json_key(o, "pkts_in");
	ctl_flow_pkts(f, o, f->pkts_in);
	json_key(o, "bytes_in");
	json_uint(o, f->bytes_in);
	json_key(o, "age_ms");
	json_uint(o, c->now - f->created);
	json_key(o, "expires_ms");
	json_uint(o, f->deadline > c->now ? f->deadline - c->now : 0);
	json_close(o, '}');
}

/**
 * ctl_list_head() - Write {"ok":true,"NAME":[ once
 * @r:		Reply
 * @name:	Member holding the list
 */
static void ctl_list_head(struct ctl_reply *r, const char *name)
{
	if (r->started)
		return;
	ctl_ok(r);
	json_key(&r->o, name);
	json_open(&r->o, '[');
	r->started = true;
}

/**
 * ctl_list_item_fits() - Keep an item if it fit, else roll it back
 * @r:		Reply
 * @len:	Output length before the item
 * @comma:	Comma state before the item
 *
 * Return: true if the item is kept
 */
static bool ctl_list_item_fits(struct ctl_reply *r, size_t len, bool comma)
{
	if (!r->o.full)
		return true;
	r->o.len = len;
	r->o.comma = comma;
	return false;
}

/**
 * ctl_list_tail() - Write ]} if it fits
 * @r:		Reply
 *
 * Return: true if the reply is complete
 */
static bool ctl_list_tail(struct ctl_reply *r)
{
	size_t len = r->o.len;
	bool comma = r->o.comma;

	json_close(&r->o, ']');
	json_close(&r->o, '}');
	return ctl_list_item_fits(r, len, comma);
}

/**
 * ctl_cmd_flows() - "flows": every flow, like conntrack -L
 * @c:		Execution context
 * @req:	Request (unused)
 * @r:		Reply, resumed at r->cursor
 *
 * Return: true once the listing is complete
 */
static bool ctl_cmd_flows(struct ctx *c, const struct ctl_req *req,
			  struct ctl_reply *r)
{
	(void)req;
	ctl_list_head(r, "flows");
	for (; r->cursor < c->flows.max; r->cursor++) {
		const struct flow *f = flow_at(&c->flows, r->cursor);
		size_t len = r->o.len;
		bool comma = r->o.comma;

		if (!f)
			continue;
		ctl_flow_item(c, f, &r->o);
		if (!ctl_list_item_fits(r, len, comma))
			return false;
	}
	return ctl_list_tail(r);
}

/**
 * ctl_fwd_item() - Write one forwarded port of the listing
 * @fs:		Forwarding socket
 * @o:		Output
 */
static void ctl_fwd_item(const struct fwd_sock *fs, struct json_out *o)
{
	char a[INANY_STRLEN];
	struct in6_addr addr;

	fwd_sock_addr(fs, &addr);
	json_open(o, '{');
	json_key(o, "proto");
	json_str(o, fs->proto == IPPROTO_TCP ? "tcp" : "udp");
	json_key(o, "host_addr");
	json_str(o, inany_ntop(&addr, a));
	json_key(o, "host_port");
	json_uint(o, fs->host_port);
	json_key(o, "guest_port");
	json_uint(o, fs->guest_port);
	json_close(o, '}');
}

/**
 * ctl_cmd_forwards() - "forwards": every forwarded host port and socket
 * @c:		Execution context
 * @req:	Request (unused)
 * @r:		Reply, resumed at r->cursor
 *
 * Return: true once the listing is complete
 */
static bool ctl_cmd_forwards(struct ctx *c, const struct ctl_req *req,
			     struct ctl_reply *r)
{
	(void)req;
	ctl_list_head(r, "forwards");
	for (; r->cursor < c->fwd.n; r->cursor++) {
		size_t len = r->o.len;
		bool comma = r->o.comma;

		if (c->fwd.sock[r->cursor].fd < 0)
			continue;	/* a closed socket's hole */
		ctl_fwd_item(&c->fwd.sock[r->cursor], &r->o);
		if (!ctl_list_item_fits(r, len, comma))
			return false;
	}
	return ctl_list_tail(r);
}

/**
 * ctl_fwd_args() - Protocol and spec of a forward-add or -remove request
 * @req:	Request
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 *
 * Return: the spec, or NULL if "proto" or "spec" is missing or wrong
 */
static const char *ctl_fwd_args(const struct ctl_req *req, uint8_t *proto)
{
	const char *p = ctl_req_get(req, "proto");

	if (!p)
		return NULL;
	if (!strcmp(p, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(p, "udp"))
		*proto = IPPROTO_UDP;
	else
		return NULL;
	return ctl_req_get(req, "spec");
}

/**
 * ctl_fwd_change() - Reply to forward-add or forward-remove
 * @c:		Execution context
 * @req:	Request
 * @r:		Reply
 * @add:	Add rather than remove
 *
 * Return: true
 */
static bool ctl_fwd_change(struct ctx *c, const struct ctl_req *req,
			   struct ctl_reply *r, bool add)
{
	uint8_t proto = 0;
	const char *spec = ctl_fwd_args(req, &proto);
	int n;

	if (!spec)
		return ctl_error(r, "need \"proto\" (tcp or udp) and \"spec\"");
	n = add ? fwd_runtime_add(c, proto, spec)
		: fwd_runtime_remove(c, proto, spec);
	if (n == -EINVAL)
		return ctl_error(r, "invalid spec");
	if (n < 0)
		return ctl_error(r, strerror(-n));
	if (!n && !add)
		return ctl_error(r, "no such forward");
	info("ctl: %s %s %s: %d socket%s", add ? "forwarded" : "removed",
	     proto == IPPROTO_TCP ? "tcp" : "udp", spec, n, n == 1 ? "" : "s");
	ctl_ok(r);
	json_key(&r->o, add ? "added" : "removed");
	json_uint(&r->o, (uint64_t)n);
	json_close(&r->o, '}');
	return true;
}

/**
 * ctl_cmd_fwd_add() - "forward-add": forward ports ("proto", "spec")
 * @c:		Execution context
 * @req:	Request
 * @r:		Reply
 *
 * Return: true
 */
static bool ctl_cmd_fwd_add(struct ctx *c, const struct ctl_req *req,
			    struct ctl_reply *r)
{
	return ctl_fwd_change(c, req, r, true);
}

/**
 * ctl_cmd_fwd_remove() - "forward-remove": stop forwarding ("proto",
 * "spec")
 * @c:		Execution context
 * @req:	Request
 * @r:		Reply
 *
 * Return: true
 */
static bool ctl_cmd_fwd_remove(struct ctx *c, const struct ctl_req *req,
			       struct ctl_reply *r)
{
	return ctl_fwd_change(c, req, r, false);
}

static const struct ctl_cmd ctl_cmds[] = {
	{ "version",		ctl_cmd_version },
	{ "counters",		ctl_cmd_counters },
	{ "flows",		ctl_cmd_flows },
	{ "forwards",		ctl_cmd_forwards },
	{ "forward-add",	ctl_cmd_fwd_add },
	{ "forward-remove",	ctl_cmd_fwd_remove },
};

/**
 * ctl_bad_request() - Reply to a request merd cannot act on
 * @c:		Execution context (unused)
 * @req:	Request, its "error" member says why
 * @r:		Reply
 *
 * Return: true
 */
static bool ctl_bad_request(struct ctx *c, const struct ctl_req *req,
			    struct ctl_reply *r)
{
	const char *why = ctl_req_get(req, "error");

	(void)c;
	return ctl_error(r, why ? why : "bad request");
}

/**
 * ctl_req_fail() - Turn a request into an error carrying a reason
 * @req:	Request, replaced by {"error": WHY}
 * @why:	Reason
 */
static void ctl_req_fail(struct ctl_req *req, const char *why)
{
	req->n = 1;
	strcpy(req->name[0], "error");
	snprintf(req->val[0], sizeof(req->val[0]), "%s", why);
}

/**
 * ctl_dispatch() - Parse a request line and pick its handler
 * @line:	Request, without the newline
 * @len:	Its length
 * @req:	Parsed request to fill
 *
 * Return: the handler (ctl_bad_request() for anything wrong)
 */
static ctl_fn ctl_dispatch(const char *line, size_t len, struct ctl_req *req)
{
	const char *why = NULL, *cmd;
	size_t i, ws = 0;
	int rc;

	req->n = 0;
	while (ws < len && (line[ws] == ' ' || line[ws] == '\t'))
		ws++;		/* JSON allows white space before the object */
	if (ws < len && line[ws] != '{') {
		ctl_req_fail(req, "a request is one JSON object per line");
		return ctl_bad_request;
	}
	rc = json_parse(line, len, ctl_req_member, req, &why);
	if (rc == -E2BIG) {
		ctl_req_fail(req, "too many or too long members");
		return ctl_bad_request;
	}
	if (rc) {
		char msg[80];

		snprintf(msg, sizeof(msg), "invalid JSON: %s", why);
		ctl_req_fail(req, msg);
		return ctl_bad_request;
	}
	cmd = ctl_req_get(req, "command");
	if (!cmd) {
		ctl_req_fail(req, "no \"command\"");
		return ctl_bad_request;
	}
	for (i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		if (!strcmp(cmd, ctl_cmds[i].name))
			return ctl_cmds[i].fn;
	ctl_req_fail(req, "unknown command");
	return ctl_bad_request;
}

/**
 * ctl_handle_line() - Answer one request whole (unit tests, fuzzing)
 * @c:		Execution context
 * @line:	Request, without the newline
 * @len:	Its length
 * @out:	Reply buffer
 * @cap:	Its size
 * @out_len:	Reply length, newline included
 *
 * Return: 0, or -ENOSPC if the reply does not fit in @cap
 */
int ctl_handle_line(struct ctx *c, const char *line, size_t len, char *out,
		    size_t cap, size_t *out_len)
{
	static struct ctl_req req;
	struct ctl_reply r = { 0 };
	ctl_fn fn = ctl_dispatch(line, len, &req);

	if (cap < 2)
		return -ENOSPC;
	json_out_init(&r.o, out, cap - 1);
	if (!fn(c, &req, &r) || r.o.full)
		return -ENOSPC;
	out[r.o.len++] = '\n';
	*out_len = r.o.len;
	return 0;
}

/**
 * ctl_client_bytes() - Memory of one client's state (the documented bound)
 *
 * Return: its size, bytes
 */
size_t ctl_client_bytes(void)
{
	return sizeof(struct ctl_client);
}

/**
 * ctl_open() - Listen on the control socket, owner-only
 * @c:		Execution context
 * @path:	Socket path; a stale socket there is replaced
 *
 * Return: 0 on success, negative errno on failure (reported)
 */
int ctl_open(struct ctx *c, const char *path)
{
	int fd, i;

	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		ctl.cl[i].fd = -1;
	fd = unix_serve(c, "control socket", path, CTL_CLIENTS_MAX,
			EPOLL_REF(EPOLL_TYPE_CTL_LISTEN, 0));
	if (fd < 0)
		return fd;
	ctl.listen_fd = fd;
	ctl.path = path;
	return 0;
}

/**
 * ctl_slot() - A free client slot, made by closing an idle client if need be
 * @c:		Execution context
 *
 * Return: the slot, or NULL if every client is busy and recent
 */
static struct ctl_client *ctl_slot(struct ctx *c)
{
	struct ctl_client *oldest = NULL;
	int i;

	for (i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *cl = &ctl.cl[i];

		if (cl->fd < 0)
			return cl;
		if (!oldest || cl->last_active < oldest->last_active)
			oldest = cl;
	}
	if (oldest && c->now - oldest->last_active >= CTL_IDLE_MS) {
		debug("ctl: closing an idle client for a new one");
		epoll_close(c, &oldest->fd);
		return oldest;
	}
	return NULL;
}

/**
 * ctl_accept() - Accept a client on the control socket
 * @c:		Execution context
 */
void ctl_accept(struct ctx *c)
{
	struct ctl_client *cl;
	int fd = accept4(ctl.listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	cl = ctl_slot(c);
	if (!cl) {
		debug_ratelimited("ctl: %d clients already, refusing one",
				  CTL_CLIENTS_MAX);
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->in_len = 0;
	cl->out_off = 0;
	cl->fn = NULL;
	cl->closing = false;
	cl->last_active = c->now;
	json_out_init(&cl->reply.o, cl->out, sizeof(cl->out) - 1);
	if (epoll_add(c, fd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_CTL,
						 cl - ctl.cl)))
		epoll_close(c, &cl->fd);
}

/**
 * ctl_fill() - Produce more of the reply in progress
 * @c:		Execution context
 * @cl:		Client, its reply buffer written out (empty)
 */
static void ctl_fill(struct ctx *c, struct ctl_client *cl)
{
	struct json_out *o = &cl->reply.o;

	o->full = false;
	if (!cl->fn(c, &cl->req, &cl->reply)) {
		if (!o->len) {	/* an item larger than the buffer: give up */
			cl->closing = true;
			cl->fn = NULL;
		}
		return;
	}
	cl->out[o->len++] = '\n';
	cl->fn = NULL;
}

/**
 * ctl_start() - Take the next request line, if any, and start its reply
 * @c:		Execution context
 * @cl:		Client with no reply in progress
 *
 * Return: true if a reply was started
 */
static bool ctl_start(struct ctx *c, struct ctl_client *cl)
{
	char *nl = memchr(cl->in, '\n', cl->in_len);
	size_t len;

	if (!nl && cl->in_len < sizeof(cl->in))
		return false;
	len = nl ? (size_t)(nl - cl->in) : cl->in_len;
	if (len && cl->in[len - 1] == '\r')
		len--;
	if (!nl) {		/* a line longer than the buffer: give up */
		ctl_req_fail(&cl->req, "request too long");
		cl->fn = ctl_bad_request;
		cl->closing = true;
		cl->in_len = 0;
	} else {
		cl->fn = ctl_dispatch(cl->in, len, &cl->req);
		cl->in_len -= (size_t)(nl + 1 - cl->in);
		memmove(cl->in, nl + 1, cl->in_len);
	}
	memset(&cl->reply, 0, sizeof(cl->reply));
	json_out_init(&cl->reply.o, cl->out, sizeof(cl->out) - 1);
	ctl_fill(c, cl);
	return true;
}

/**
 * ctl_flush() - Write what is pending, produce more, start the next reply
 * @c:		Execution context
 * @cl:		Client
 *
 * Return: 0, or -1 if the client was closed
 */
static int ctl_flush(struct ctx *c, struct ctl_client *cl)
{
	struct json_out *o = &cl->reply.o;

	for (;;) {
		while (cl->out_off < o->len) {
			ssize_t n = write(cl->fd, cl->out + cl->out_off,
					  o->len - cl->out_off);

			if (n < 0 && errno == EAGAIN) {
				epoll_mod(c, cl->fd, EPOLLOUT,
					  EPOLL_REF(EPOLL_TYPE_CTL, cl - ctl.cl));
				return 0;
			}
			if (n <= 0) {
				epoll_close(c, &cl->fd);
				return -1;
			}
			cl->out_off += (size_t)n;
			cl->last_active = c->now;
		}
		o->len = 0;
		cl->out_off = 0;
		if (cl->fn)
			ctl_fill(c, cl);
		else if (cl->closing || !ctl_start(c, cl))
			break;
	}
	if (cl->closing) {
		epoll_close(c, &cl->fd);
		return -1;
	}
	epoll_mod(c, cl->fd, EPOLLIN, EPOLL_REF(EPOLL_TYPE_CTL, cl - ctl.cl));
	return 0;
}

/**
 * ctl_read() - Read request bytes from a client
 * @c:		Execution context
 * @cl:		Client
 *
 * Return: 0, or -1 if the client went away (and was closed)
 */
static int ctl_read(struct ctx *c, struct ctl_client *cl)
{
	ssize_t n;

	if (cl->in_len == sizeof(cl->in))
		return 0;	/* ctl_start() answers the overlong line */
	n = read(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		epoll_close(c, &cl->fd);
		return -1;
	}
	cl->in_len += (size_t)n;
	cl->last_active = c->now;
	return 0;
}

/**
 * ctl_event() - Traffic on a client's socket
 * @c:		Execution context
 * @idx:	Client slot
 * @events:	epoll events
 */
void ctl_event(struct ctx *c, uint32_t idx, uint32_t events)
{
	struct ctl_client *cl;

	if (idx >= CTL_CLIENTS_MAX || ctl.cl[idx].fd < 0)
		return;
	cl = &ctl.cl[idx];
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		epoll_close(c, &cl->fd);
		return;
	}
	if (events & EPOLLIN && ctl_read(c, cl))
		return;
	ctl_flush(c, cl);
}

/**
 * ctl_close() - Close the control socket and its clients, at exit (the
 * socket file is removed by the caller)
 * @c:		Execution context
 */
void ctl_close(struct ctx *c)
{
	int i;

	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		epoll_close(c, &ctl.cl[i].fd);
	epoll_close(c, &ctl.listen_fd);
}
