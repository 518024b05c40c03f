// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp_api.c - slirp4netns's API socket (--api-socket), for podman's
 * port_handler=slirp4netns
 *
 * Theory of operation
 *
 * The slirp4netns front (slirp.c) listens on a UNIX stream socket, mode
 * 0600, opened before the sandbox closes. A client writes one JSON object
 * and shuts its write side; merd answers once and closes, as slirp4netns
 * does:
 *
 *   {"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":
 *    "0.0.0.0","host_port":8080,"guest_addr":"10.0.2.100","guest_port":80}}
 *	-> {"return":{"id":1}}
 *   {"execute":"list_hostfwd"}
 *	-> {"entries":[{"id":1,"proto":"tcp",...}]}
 *   {"execute":"remove_hostfwd","arguments":{"id":1}}
 *	-> {"return":{}}
 *   anything wrong -> {"error":{"desc":"bad request: ..."}}
 *
 * The error texts are slirp4netns 1.2's, byte for byte ("cannot parse
 * JSON", "add_hostfwd: bad arguments.host_port", ...), as are the members
 * it ignores: one that is not a string where a string is expected counts
 * as absent. A failure of merd's own (the port is busy, too many forwards)
 * is the reply slirp4netns gives when libslirp fails, "add_hostfwd:
 * slirp_add_hostfwd failed", and merd logs why.
 *
 * A forward is opened through fwd_runtime_add() with the spec
 * HOST_ADDR/HOST_PORT:GUEST_PORT (host_addr defaults to 0.0.0.0, IPv4
 * only, as in slirp4netns) and always leads to the guest's address: a
 * guest_addr naming another one is refused. Identifiers count up from 1
 * and are never reused. At most API_CLIENTS_MAX clients at once, each
 * with a request of at most API_REQ_MAX bytes (longer: an error); the reply
 * is written with one non-blocking write.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd.h"
#include "json.h"
#include "log.h"
#include "merd.h"
#include "slirp_api.h"
#include "util.h"

#define API_CLIENTS_MAX	4
#define API_FWD_MAX	FWD_MAX_RULES
#define API_OUT_MAX	(API_FWD_MAX * 160 + 64)
#define API_BAD		"?"	/* a string member too long for its field */

/**
 * struct api_fwd - A forward added through the API
 * @id:		Its identifier
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @host_addr:	Host address, as text
 * @host_port:	Host port
 * @guest_addr:	Guest address, as text
 * @guest_port:	Guest port
 */
struct api_fwd {
	unsigned int id;
	uint8_t proto;
	char host_addr[INET6_ADDRSTRLEN];
	uint16_t host_port;
	char guest_addr[INET6_ADDRSTRLEN];
	uint16_t guest_port;
};

/**
 * struct api_req - A request, parsed: a string member that does not fit
 * its field (or holds a NUL) is kept as API_BAD, which no check accepts
 * @has_execute: "execute" is there, and a string
 * @execute:	"execute"
 * @proto:	"arguments.proto"
 * @host_addr:	"arguments.host_addr"
 * @guest_addr:	"arguments.guest_addr"
 * @host_port:	"arguments.host_port", -1 if absent or not a port number
 * @guest_port:	"arguments.guest_port", likewise
 * @id:		"arguments.id", -1 if absent or not a positive integer
 */
struct api_req {
	bool has_execute;
	char execute[32];
	char proto[8];
	char host_addr[INET6_ADDRSTRLEN];
	char guest_addr[INET6_ADDRSTRLEN];
	long host_port;
	long guest_port;
	long id;
};

/**
 * struct api_client - A connected client
 * @fd:		Socket, -1 if the slot is free
 * @in:		Request bytes read so far
 * @len:	How many
 */
struct api_client {
	int fd;
	char in[API_REQ_MAX];
	size_t len;
};

/**
 * struct api_state - The API socket, its clients, the forwards it added
 * @listen_fd:	Listening socket, -1 without --api-socket
 * @cl:		Client slots
 * @fwd:	Forwards added, in order
 * @n_fwd:	How many
 * @next_id:	Identifier of the next one
 */
static struct api_state {
	int listen_fd;
	struct api_client cl[API_CLIENTS_MAX];
	struct api_fwd fwd[API_FWD_MAX];
	int n_fwd;
	unsigned int next_id;
} api = { .listen_fd = -1, .next_id = 1 };

/**
 * api_text() - Copy a string member into a field
 * @dst:	Field, left alone if the value is not a string
 * @size:	Its size, more than sizeof(API_BAD)
 * @v:		Value
 *
 * Return: true if it was a string (kept as API_BAD if it does not fit)
 */
static bool api_text(char *dst, size_t size, const struct json_val *v)
{
	if (v->type != JSON_STRING)
		return false;
	if (v->len >= size || memchr(v->str, '\0', v->len)) {
		strcpy(dst, API_BAD);
		return true;
	}
	memcpy(dst, v->str, v->len);
	dst[v->len] = '\0';
	return true;
}

/**
 * api_number() - A member's value as a bounded integer
 * @v:		Value
 * @max:	Largest accepted
 *
 * Return: the value, or -1 if it is not an integer from 0 to @max
 */
static long api_number(const struct json_val *v, long max)
{
	if (v->type != JSON_NUMBER || !v->is_int || v->num < 0 || v->num > max)
		return -1;
	return (long)v->num;
}

/**
 * api_member() - Keep one scalar of a request (json_parse() callback)
 * @arg:	struct api_req
 * @path:	Member path
 * @v:		Value
 *
 * Return: 0
 */
static int api_member(void *arg, const char *path, const struct json_val *v)
{
	struct api_req *req = arg;

	if (!strcmp(path, "execute"))
		req->has_execute = api_text(req->execute, sizeof(req->execute),
					    v);
	else if (!strcmp(path, "arguments.proto"))
		api_text(req->proto, sizeof(req->proto), v);
	else if (!strcmp(path, "arguments.host_addr"))
		api_text(req->host_addr, sizeof(req->host_addr), v);
	else if (!strcmp(path, "arguments.guest_addr"))
		api_text(req->guest_addr, sizeof(req->guest_addr), v);
	else if (!strcmp(path, "arguments.host_port"))
		req->host_port = api_number(v, 65535);
	else if (!strcmp(path, "arguments.guest_port"))
		req->guest_port = api_number(v, 65535);
	else if (!strcmp(path, "arguments.id"))
		req->id = api_number(v, 0x7fffffff);
	return 0;
}

/**
 * api_error() - Write an error reply
 * @o:		Reply
 * @why:	What was wrong, after "bad request: ": slirp4netns's words
 */
static void api_error(struct json_out *o, const char *why)
{
	char desc[160];

	snprintf(desc, sizeof(desc), "bad request: %s", why);
	json_open(o, '{');
	json_key(o, "error");
	json_open(o, '{');
	json_key(o, "desc");
	json_str(o, desc);
	json_close(o, '}');
	json_close(o, '}');
}

/**
 * api_guest_addr() - Check a forward's guest address
 * @c:		Execution context
 * @req:	Request, guest_addr filled in if absent
 * @v6:		The host address is an IPv6 one
 *
 * Return: true if the guest address is the guest's own (or absent)
 */
static bool api_guest_addr(const struct ctx *c, struct api_req *req, bool v6)
{
	char own[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;

	if (v6)
		inet_ntop(AF_INET6, &c->conf.addr6, own, sizeof(own));
	else
		inet_ntop(AF_INET, &c->conf.addr4, own, sizeof(own));
	if (!req->guest_addr[0]) {
		strcpy(req->guest_addr, own);
		return true;
	}
	if (v6)
		return inet_pton(AF_INET6, req->guest_addr, &a6) == 1 &&
		       IN6_ARE_ADDR_EQUAL(&a6, &c->conf.addr6);
	return inet_pton(AF_INET, req->guest_addr, &a4) == 1 &&
	       a4.s_addr == c->conf.addr4.s_addr;
}

/**
 * api_add_check() - Check an add_hostfwd request, fill in its defaults
 * @c:		Execution context
 * @req:	Request: host_addr and guest_addr filled in if absent
 *
 * Checked in slirp4netns's order, with its words. An IPv6 host_addr is
 * merd's own addition; a guest_addr that is not the guest's is refused as
 * a bad one.
 *
 * Return: NULL if it can be done, else what is wrong
 */
static const char *api_add_check(const struct ctx *c, struct api_req *req)
{
	struct in6_addr a6;
	struct in_addr a4;
	bool v6;

	if (strcmp(req->proto, "tcp") != 0 && strcmp(req->proto, "udp") != 0)
		return "add_hostfwd: bad arguments.proto";
	if (!req->host_addr[0])
		strcpy(req->host_addr, "0.0.0.0");
	v6 = inet_pton(AF_INET6, req->host_addr, &a6) == 1;
	if (!v6 && inet_pton(AF_INET, req->host_addr, &a4) != 1)
		return "add_hostfwd: bad arguments.host_addr";
	if (req->host_port <= 0)
		return "add_hostfwd: bad arguments.host_port";
	if (!api_guest_addr(c, req, v6))
		return "add_hostfwd: bad arguments.guest_addr";
	if (req->guest_port <= 0)
		return "add_hostfwd: bad arguments.guest_port";
	if (api.n_fwd == API_FWD_MAX) {
		info("api: add_hostfwd: %d forwards already", API_FWD_MAX);
		return "add_hostfwd: slirp_add_hostfwd failed";
	}
	return NULL;
}

/**
 * api_add() - add_hostfwd
 * @c:		Execution context
 * @req:	Request
 * @o:		Reply
 */
static void api_add(struct ctx *c, struct api_req *req, struct json_out *o)
{
	uint8_t proto = !strcmp(req->proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
	const char *why = api_add_check(c, req);
	char spec[INET6_ADDRSTRLEN + 16];
	struct api_fwd *f;
	int n;

	if (why) {
		api_error(o, why);
		return;
	}
	snprintf(spec, sizeof(spec), "%s/%ld:%ld", req->host_addr,
		 req->host_port, req->guest_port);
	n = fwd_runtime_add(c, proto, spec);
	if (n <= 0) {
		info("api: add_hostfwd %s %s: %s", req->proto, spec,
		     n ? strerror(-n) : "no socket opened");
		api_error(o, "add_hostfwd: slirp_add_hostfwd failed");
		return;
	}
	f = &api.fwd[api.n_fwd++];
	f->id = api.next_id++;
	f->proto = proto;
	strcpy(f->host_addr, req->host_addr);
	f->host_port = (uint16_t)req->host_port;
	strcpy(f->guest_addr, req->guest_addr);
	f->guest_port = (uint16_t)req->guest_port;
	info("api: forwarded %s %s/%u to port %u (id %u)", req->proto,
	     f->host_addr, f->host_port, f->guest_port, f->id);
	json_open(o, '{');
	json_key(o, "return");
	json_open(o, '{');
	json_key(o, "id");
	json_uint(o, f->id);
	json_close(o, '}');
	json_close(o, '}');
}

/**
 * api_list() - list_hostfwd
 * @o:		Reply
 */
static void api_list(struct json_out *o)
{
	int i;

	json_open(o, '{');
	json_key(o, "entries");
	json_open(o, '[');
	for (i = 0; i < api.n_fwd; i++) {
		const struct api_fwd *f = &api.fwd[i];

		json_open(o, '{');
		json_key(o, "id");
		json_uint(o, f->id);
		json_key(o, "proto");
		json_str(o, f->proto == IPPROTO_UDP ? "udp" : "tcp");
		json_key(o, "host_addr");
		json_str(o, f->host_addr);
		json_key(o, "host_port");
		json_uint(o, f->host_port);
		json_key(o, "guest_addr");
		json_str(o, f->guest_addr);
		json_key(o, "guest_port");
		json_uint(o, f->guest_port);
		json_close(o, '}');
	}
	json_close(o, ']');
	json_close(o, '}');
}

/**
 * api_remove() - remove_hostfwd
 * @c:		Execution context
 * @req:	Request
 * @o:		Reply
 */
static void api_remove(struct ctx *c, const struct api_req *req,
		       struct json_out *o)
{
	char spec[INET6_ADDRSTRLEN + 8];
	struct api_fwd *f = NULL;
	int i;

	for (i = 0; req->id > 0 && i < api.n_fwd && !f; i++)
		if (api.fwd[i].id == (unsigned long)req->id)
			f = &api.fwd[i];
	if (!f) {
		api_error(o, "remove_hostfwd: bad arguments.id");
		return;
	}
	snprintf(spec, sizeof(spec), "%s/%u", f->host_addr, f->host_port);
	fwd_runtime_remove(c, f->proto, spec);
	info("api: removed forward id %u", f->id);
	api.n_fwd--;
	memmove(f, f + 1, (size_t)(&api.fwd[api.n_fwd] - f) * sizeof(*f));
	json_open(o, '{');
	json_key(o, "return");
	json_open(o, '{');
	json_close(o, '}');
	json_close(o, '}');
}

/**
 * api_is_object() - Tell whether a valid JSON text is an object
 * @text:	Text, already parsed
 * @len:	Its length
 *
 * Return: true if its first character but white space is '{'
 */
static bool api_is_object(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\n\r", text[i]) && text[i])
		i++;
	return i < len && text[i] == '{';
}

/**
 * slirp_api_handle() - Answer one request
 * @c:		Execution context
 * @text:	Request
 * @len:	Its length
 * @out:	Reply buffer
 * @cap:	Its size
 *
 * Return: length of the reply in @out
 */
size_t slirp_api_handle(struct ctx *c, const char *text, size_t len,
			char *out, size_t cap)
{
	struct api_req req = { .host_port = -1, .guest_port = -1, .id = -1 };
	const char *why = NULL;
	struct json_out o;

	json_out_init(&o, out, cap);
	if (json_parse(text, len, api_member, &req, &why)) {
		debug("api: request is not JSON: %s", why ? why : "?");
		api_error(&o, "cannot parse JSON");
	} else if (!api_is_object(text, len)) {
		api_error(&o, "json_object() failed");
	} else if (!req.has_execute) {
		api_error(&o, "no execute found");
	} else if (!strcmp(req.execute, "add_hostfwd")) {
		api_add(c, &req, &o);
	} else if (!strcmp(req.execute, "list_hostfwd")) {
		api_list(&o);
	} else if (!strcmp(req.execute, "remove_hostfwd")) {
		api_remove(c, &req, &o);
	} else {
		api_error(&o, "unknown execute");
	}
	return o.len;
}

/**
 * slirp_api_open() - Listen on the API socket, owner-only
 * @c:		Execution context
 * @path:	Socket path; a stale socket there is replaced
 *
 * Return: 0 on success, negative errno on failure (reported)
 */
int slirp_api_open(struct ctx *c, const char *path)
{
	int fd, i;

	for (i = 0; i < API_CLIENTS_MAX; i++)
		api.cl[i].fd = -1;
	fd = unix_serve(c, "API socket", path, API_CLIENTS_MAX,
			EPOLL_REF(EPOLL_TYPE_API_LISTEN, 0));
	if (fd < 0)
		return fd;
	api.listen_fd = fd;
	return 0;
}

/**
 * slirp_api_accept() - Accept a client on the API socket
 * @c:		Execution context
 */
void slirp_api_accept(struct ctx *c)
{
	int fd = accept4(api.listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < API_CLIENTS_MAX && api.cl[i].fd >= 0; i++)
		;
	if (i == API_CLIENTS_MAX) {
		debug_ratelimited("api: %d clients already, refusing one",
				  API_CLIENTS_MAX);
		close(fd);
		return;
	}
	api.cl[i].fd = fd;
	api.cl[i].len = 0;
	if (epoll_add(c, fd, EPOLLIN | EPOLLRDHUP,
		      EPOLL_REF(EPOLL_TYPE_API, i)))
		epoll_close(c, &api.cl[i].fd);
}

/**
 * slirp_api_event() - Read a client's request; once it is whole, answer
 * @c:		Execution context
 * @idx:	Client slot
 */
void slirp_api_event(struct ctx *c, uint32_t idx)
{
	static char out[API_OUT_MAX];
	struct api_client *cl;
	size_t len;
	ssize_t n;

	if (idx >= API_CLIENTS_MAX || api.cl[idx].fd < 0)
		return;
	cl = &api.cl[idx];
	n = read(cl->fd, cl->in + cl->len, sizeof(cl->in) - cl->len);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		cl->len += (size_t)n;
		if (cl->len < sizeof(cl->in))
			return;		/* more may come */
	}
	if (n < 0) {
		epoll_close(c, &cl->fd);
		return;
	}
	if (cl->len == sizeof(cl->in)) {
		struct json_out o;

		json_out_init(&o, out, sizeof(out));
		api_error(&o, "too large message");
		len = o.len;
	} else {
		len = slirp_api_handle(c, cl->in, cl->len, out, sizeof(out));
	}
	if (write(cl->fd, out, len) != (ssize_t)len)
		debug("api: reply not written whole");
	epoll_close(c, &cl->fd);
}

/**
 * slirp_api_close() - Close the API socket and its clients, at exit
 * @c:		Execution context
 */
void slirp_api_close(struct ctx *c)
{
	int i;

	for (i = 0; i < API_CLIENTS_MAX; i++)
		epoll_close(c, &api.cl[i].fd);
	epoll_close(c, &api.listen_fd);
}
