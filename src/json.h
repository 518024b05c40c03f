/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h - A small JSON writer into fixed buffers, and a bounded reader */
#ifndef MERD_JSON_H
#define MERD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_DEPTH_MAX	8	/* nesting of objects and arrays */
#define JSON_PATH_MAX	128	/* "a.0.b" path of a value, bytes */
#define JSON_STR_MAX	1024	/* one decoded string, bytes */

/**
 * struct json_out - Text being written into a caller's buffer
 * @buf:	Buffer
 * @cap:	Its size
 * @len:	Bytes written
 * @comma:	A value was just written: the next one needs a comma
 * @full:	Something did not fit; @len stays at the last whole write
 */
struct json_out {
	char *buf;
	size_t cap;
	size_t len;
	bool comma;
	bool full;
};

void json_out_init(struct json_out *o, char *buf, size_t cap);
void json_open(struct json_out *o, char bracket);
void json_close(struct json_out *o, char bracket);
void json_key(struct json_out *o, const char *key);
void json_str(struct json_out *o, const char *s);
void json_uint(struct json_out *o, uint64_t v);
void json_bool(struct json_out *o, bool v);
void json_null(struct json_out *o);

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
};

/**
 * struct json_val - One scalar value the reader found
 * @type:	enum json_type
 * @str:	JSON_STRING: decoded text, NUL-terminated (may hold NULs);
 *		JSON_NUMBER: the number as written
 * @len:	Length of @str
 * @num:	JSON_NUMBER: value if an integer in range, else 0
 * @is_int:	JSON_NUMBER: @num holds it exactly
 * @b:		JSON_BOOL: value
 */
struct json_val {
	enum json_type type;
	const char *str;
	size_t len;
	int64_t num;
	bool is_int;
	bool b;
};

/* Called for each scalar, with its path ("a.b", "list.3.name"): non-zero
 * stops the reader, which then returns that value */
typedef int (*json_cb)(void *arg, const char *path, const struct json_val *v);

int json_parse(const char *text, size_t len, json_cb cb, void *arg,
	       const char **why);

#endif /* MERD_JSON_H */
