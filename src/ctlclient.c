// SPDX-License-Identifier: GPL-2.0-or-later
/* ctlclient.c - merd ctl PATH COMMAND [ARGS]: ask a running merd
 *
 * Sends one request line to the control socket, reads the one reply line,
 * and prints it: as is with --json (for scripts), otherwise as text for
 * people: lists of objects as tables with one column per member, other
 * members as "name value" lines. Exit status 0 if merd answered "ok",
 * 1 otherwise (the error on stderr), 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlclient.h"
#include "json.h"

#define CTLCLIENT_COLS	24	/* table columns kept */

static const char ctlclient_usage[] =
"Usage: merd ctl [--json] PATH COMMAND [ARGS]\n"
"Ask the merd listening on control socket PATH (merd --ctl PATH).\n"
"Commands:\n"
"  flows                      tracked flows, like conntrack -L\n"
"  counters                   global counters: frames, bytes, drops by reason\n"
"  forwards                   forwarded host ports\n"
"  forward-add tcp|udp SPEC   forward more ports (SPEC as for -t and -u)\n"
"  forward-remove tcp|udp SPEC  stop forwarding host ports [ADDR/]PORTS\n"
"  version                    merd's version\n"
"  --json                     print merd's JSON reply as is\n";

/**
 * struct ctlclient_table - What the reply holds, gathered for printing
 * @list:	Name of the list being tabulated, empty if none yet
 * @cols:	Column names, from the first element's members
 * @n_cols:	Number of columns
 * @cells:	Cell texts, row by row (NULL: member absent)
 * @n_rows:	Number of rows
 * @cap_rows:	Rows allocated
 * @ok:		The reply said "ok": true
 * @error:	Its "error" text, if any
 */
struct ctlclient_table {
	char list[JSON_PATH_MAX];
	char *cols[CTLCLIENT_COLS];
	int n_cols;
	char **cells;
	size_t n_rows;
	size_t cap_rows;
	bool ok;
	char *error;
};

/**
 * ctlclient_request() - Build the request line for a command
 * @argc:	Arguments after PATH: COMMAND [ARGS]
 * @argv:	They
 * @buf:	Output buffer
 * @cap:	Its size
 *
 * Return: length of the line (newline included), or -1 on bad usage
 */
static int ctlclient_request(int argc, char **argv, char *buf, size_t cap)
{
	struct json_out o;
	bool fwd = !strcmp(argv[0], "forward-add") ||
		   !strcmp(argv[0], "forward-remove");

	if (fwd ? argc != 3 : argc != 1)
		return -1;
	json_out_init(&o, buf, cap - 1);
	json_open(&o, '{');
	json_key(&o, "command");
	json_str(&o, argv[0]);
	if (fwd) {
		json_key(&o, "proto");
		json_str(&o, argv[1]);
		json_key(&o, "spec");
		json_str(&o, argv[2]);
	}
	json_close(&o, '}');
	if (o.full)
		return -1;
	buf[o.len++] = '\n';
	return (int)o.len;
}

/**
 * ctlclient_connect() - Connect to the control socket
 * @path:	Socket path
 *
 * Return: connected socket, or -1 (reported)
 */
static int ctlclient_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTLCLIENT_TIMEOUT_S };
	int s;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "merd ctl: path too long: %s\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "merd ctl: %s: %s\n", path, strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return s;
}

/**
 * ctlclient_read_line() - Read the reply line
 * @s:		Socket
 * @len:	Its length, newline excluded
 *
 * Return: the line (malloc'ed, NUL-terminated), or NULL (reported)
 */
static char *ctlclient_read_line(int s, size_t *len)
{
	size_t used = 0, cap = 65536;
	char *buf = malloc(cap + 1), *nl = NULL;

	if (!buf)
		return NULL;
	while (!nl) {
		ssize_t n;

		if (used == cap) {
			char *more = cap < CTLCLIENT_REPLY_MAX ?
				     realloc(buf, cap * 2 + 1) : NULL;

			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		n = read(s, buf + used, cap - used);
		if (n <= 0) {
			fprintf(stderr, "merd ctl: %s\n", n ? strerror(errno) :
				"connection closed before the reply ended");
			break;
		}
		nl = memchr(buf + used, '\n', (size_t)n);
		used += (size_t)n;
	}
	if (!nl) {
		free(buf);
		return NULL;
	}
	*nl = '\0';
	*len = (size_t)(nl - buf);
	return buf;
}

/**
 * ctlclient_text() - A scalar as text
 * @v:		Value
 *
 * Return: malloc'ed text
 */
static char *ctlclient_text(const struct json_val *v)
{
	if (v->type == JSON_STRING || v->type == JSON_NUMBER)
		return strndup(v->str, v->len);
	if (v->type == JSON_BOOL)
		return strdup(v->b ? "true" : "false");
	return strdup("-");
}

/**
 * ctlclient_cell() - Store one cell of a table: element @row, member @col
 * @t:		Table
 * @row:	Element index
 * @col:	Member name
 * @v:		Value
 *
 * Return: 0, or -ENOMEM
 */
static int ctlclient_cell(struct ctlclient_table *t, size_t row,
			  const char *col, const struct json_val *v)
{
	int i;

	for (i = 0; i < t->n_cols && strcmp(t->cols[i], col) != 0; i++)
		;
	if (i == t->n_cols) {
		if (row || t->n_cols == CTLCLIENT_COLS)
			return 0;	/* only the first element's members */
		t->cols[t->n_cols++] = strdup(col);
	}
	while (row >= t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
		char **more = realloc(t->cells, cap * CTLCLIENT_COLS *
				      sizeof(*more));

		if (!more)
			return -ENOMEM;
		memset(more + t->cap_rows * CTLCLIENT_COLS, 0,
		       (cap - t->cap_rows) * CTLCLIENT_COLS * sizeof(*more));
		t->cells = more;
		t->cap_rows = cap;
	}
	if (row >= t->n_rows)
		t->n_rows = row + 1;
	free(t->cells[row * CTLCLIENT_COLS + (size_t)i]);
	t->cells[row * CTLCLIENT_COLS + (size_t)i] = ctlclient_text(v);
	return 0;
}

/**
 * ctlclient_cell_path() - Tell whether a path is LIST.ROW.MEMBER
 * @path:	Path of a scalar
 * @list:	List already being tabulated, empty if none
 * @row:	ROW, if so
 *
 * Return: true for a member of an element of @list (or of any list if
 * @list is empty)
 */
static bool ctlclient_cell_path(const char *path, const char *list,
				unsigned long *row)
{
	const char *dot = strchr(path, '.');
	char *end;

	if (!dot || dot == path || dot[1] < '0' || dot[1] > '9')
		return false;
	if (list[0] && (strlen(list) != (size_t)(dot - path) ||
			strncmp(path, list, strlen(list)) != 0))
		return false;
	errno = 0;
	*row = strtoul(dot + 1, &end, 10);
	return !errno && *end == '.' && end[1] && !strchr(end + 1, '.');
}

/**
 * ctlclient_scalar() - Gather one scalar of the reply (json_parse() cb)
 * @arg:	struct ctlclient_table
 * @path:	Its path
 * @v:		Value
 *
 * Return: 0, or -ENOMEM
 */
static int ctlclient_scalar(void *arg, const char *path,
			    const struct json_val *v)
{
	struct ctlclient_table *t = arg;
	const char *dot = strchr(path, '.');
	unsigned long row;
	char *text;

	if (!strcmp(path, "ok")) {
		t->ok = v->type == JSON_BOOL && v->b;
		return 0;
	}
	if (!strcmp(path, "error")) {
		free(t->error);
		t->error = ctlclient_text(v);
		return 0;
	}
	if (ctlclient_cell_path(path, t->list, &row)) {
		if (!t->list[0])
			snprintf(t->list, sizeof(t->list), "%.*s",
				 (int)(dot - path), path);
		return ctlclient_cell(t, row, strrchr(path, '.') + 1, v);
	}
	text = ctlclient_text(v);
	if (!text)
		return -ENOMEM;
	printf("%-24s %s\n", dot ? dot + 1 : path, text);
	free(text);
	return 0;
}

/**
 * ctlclient_print_row() - Print one table row
 * @t:		Table
 * @row:	Row, or -1 for the header
 * @width:	Column widths
 */
static void ctlclient_print_row(const struct ctlclient_table *t, long row,
				const int *width)
{
	int i;

	for (i = 0; i < t->n_cols; i++) {
		const char *s = row < 0 ? t->cols[i] :
				t->cells[(size_t)row * CTLCLIENT_COLS + (size_t)i];

		printf("%-*s%s", i + 1 < t->n_cols ? width[i] : 0, s ? s : "-",
		       i + 1 < t->n_cols ? "  " : "\n");
	}
}

/**
 * ctlclient_print_table() - Print the gathered list as a table
 * @t:		Table
 */
static void ctlclient_print_table(const struct ctlclient_table *t)
{
	int width[CTLCLIENT_COLS], i;
	size_t r;

	if (!t->n_cols)
		return;
	for (i = 0; i < t->n_cols; i++) {
		width[i] = (int)strlen(t->cols[i]);
		for (r = 0; r < t->n_rows; r++) {
			const char *s = t->cells[r * CTLCLIENT_COLS + (size_t)i];
			int w = s ? (int)strlen(s) : 1;

			if (w > width[i])
				width[i] = w;
		}
	}
	ctlclient_print_row(t, -1, width);
	for (r = 0; r < t->n_rows; r++)
		ctlclient_print_row(t, (long)r, width);
}

/**
 * ctlclient_print() - Print a reply for people
 * @line:	Reply, one JSON object
 * @len:	Its length
 *
 * Return: 0 if merd said ok, 1 otherwise
 */
static int ctlclient_print(const char *line, size_t len)
{
	struct ctlclient_table t = { 0 };
	const char *why = NULL;
	size_t i;
	int rc = json_parse(line, len, ctlclient_scalar, &t, &why);

	if (rc)
		fprintf(stderr, "merd ctl: bad reply: %s\n", why);
	else if (!t.ok)
		fprintf(stderr, "merd ctl: %s\n", t.error ? t.error : "failed");
	else
		ctlclient_print_table(&t);
	for (i = 0; i < t.n_rows * CTLCLIENT_COLS; i++)
		free(t.cells[i]);
	for (i = 0; i < (size_t)t.n_cols; i++)
		free(t.cols[i]);
	free(t.cells);
	free(t.error);
	return !rc && t.ok ? 0 : 1;
}

/**
 * ctlclient_main() - merd ctl [--json] PATH COMMAND [ARGS]
 * @argc:	Argument count, argv[0] being "ctl"
 * @argv:	Arguments
 *
 * Return: exit status: 0 if merd answered ok, 1 if not or on failure,
 * 2 on bad usage
 */
int ctlclient_main(int argc, char **argv)
{
	char req[4096], *reply;
	bool json = false;
	size_t len = 0;
	int s, n, i, j;

	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return fputs(ctlclient_usage, stdout) < 0;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	n = argc >= 3 ? ctlclient_request(argc - 2, argv + 2, req,
					  sizeof(req)) : -1;
	if (n < 0) {
		fputs(ctlclient_usage, stderr);
		return 2;
	}
	s = ctlclient_connect(argv[1]);
	if (s < 0)
		return 1;
	if (write(s, req, (size_t)n) != n) {
		fprintf(stderr, "merd ctl: write: %s\n", strerror(errno));
		close(s);
		return 1;
	}
	reply = ctlclient_read_line(s, &len);
	close(s);
	if (!reply)
		return 1;
	if (json) {
		puts(reply);
		n = strncmp(reply, "{\"ok\":true", 10) ? 1 : 0;
	} else {
		n = ctlclient_print(reply, len);
	}
	free(reply);
	return n;
}
