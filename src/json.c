// SPDX-License-Identifier: GPL-2.0-or-later
/* json.c - A small JSON writer into fixed buffers, and a bounded reader
 *
 * The writer appends to a caller's buffer and never allocates: a write that
 * does not fit is refused whole and marks the output full, so a caller can
 * roll back to a length it saved and try again later with more room.
 *
 * The reader checks a whole text against RFC 8259 and hands each scalar to
 * a callback with its path: members by name, array elements by index,
 * joined with dots ({"a":[{"b":1}]} gives "a.0.b"). Nesting, paths and
 * strings are bounded (JSON_DEPTH_MAX, JSON_PATH_MAX, JSON_STR_MAX); what
 * exceeds a bound is an error, never a truncation. Nothing is allocated.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/**
 * json_out_init() - Start writing into a buffer
 * @o:		Output state
 * @buf:	Buffer
 * @cap:	Its size
 */
void json_out_init(struct json_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->comma = false;
	o->full = false;
}

/**
 * json_put() - Append bytes if they all fit
 * @o:		Output state
 * @s:		Bytes
 * @n:		How many
 *
 * Return: true if written, false if the output is (now) full
 */
static bool json_put(struct json_out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return false;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

/**
 * json_sep() - Write the comma owed before a value or key
 * @o:		Output state
 */
static void json_sep(struct json_out *o)
{
	if (o->comma)
		json_put(o, ",", 1);
	o->comma = false;
}

/**
 * json_open() - Start an object or an array
 * @o:		Output state
 * @bracket:	'{' or '['
 */
void json_open(struct json_out *o, char bracket)
{
	json_sep(o);
	json_put(o, &bracket, 1);
}

/**
 * json_close() - End an object or an array
 * @o:		Output state
 * @bracket:	'}' or ']'
 */
void json_close(struct json_out *o, char bracket)
{
	json_put(o, &bracket, 1);
	o->comma = true;
}

/**
 * json_quoted() - Write a string between quotes, escaped
 * @o:		Output state
 * @s:		NUL-terminated text
 */
static void json_quoted(struct json_out *o, const char *s)
{
	char esc[8];

	json_put(o, "\"", 1);
	for (; *s && !o->full; s++) {
		unsigned char ch = (unsigned char)*s;
		size_t run = strcspn(s, "\"\\\x01\x02\x03\x04\x05\x06\x07\x08"
				     "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"
				     "\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
				     "\x1b\x1c\x1d\x1e\x1f");

		if (run) {
			json_put(o, s, run);
			s += run - 1;
			continue;
		}
		if (ch == '"' || ch == '\\')
			snprintf(esc, sizeof(esc), "\\%c", ch);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
		json_put(o, esc, strlen(esc));
	}
	json_put(o, "\"", 1);
}

/**
 * json_key() - Write a member name of the current object
 * @o:		Output state
 * @key:	Name
 */
void json_key(struct json_out *o, const char *key)
{
	json_sep(o);
	json_quoted(o, key);
	json_put(o, ":", 1);
}

/**
 * json_str() - Write a string value
 * @o:		Output state
 * @s:		NUL-terminated text
 */
void json_str(struct json_out *o, const char *s)
{
	json_sep(o);
	json_quoted(o, s);
	o->comma = true;
}

/**
 * json_uint() - Write an unsigned integer value
 * @o:		Output state
 * @v:		Value
 */
void json_uint(struct json_out *o, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);

	json_sep(o);
	json_put(o, num, (size_t)n);
	o->comma = true;
}

/**
 * json_bool() - Write true or false
 * @o:		Output state
 * @v:		Value
 */
void json_bool(struct json_out *o, bool v)
{
	json_sep(o);
	json_put(o, v ? "true" : "false", v ? 4 : 5);
	o->comma = true;
}

/**
 * json_null() - Write null: a value that does not exist for this item
 * @o:		Output state
 */
void json_null(struct json_out *o)
{
	json_sep(o);
	json_put(o, "null", 4);
	o->comma = true;
}

/**
 * struct json_frame - An object or array being read
 * @close:	'}' or ']'
 * @idx:	Arrays: index of the next element
 * @plen:	Path length outside it
 */
struct json_frame {
	char close;
	unsigned int idx;
	size_t plen;
};

/**
 * struct json_rd - Reader state
 * @p:		Next byte
 * @end:	End of the text
 * @cb:		Callback for scalars
 * @arg:	Its argument
 * @path:	Path of the value being read
 * @plen:	Length of @path
 * @str:	Decoded string or number text
 * @stack:	Open objects and arrays, outermost first
 * @depth:	How many
 * @why:	What was wrong, once something was
 * @rc:		Non-zero value the callback stopped with
 */
struct json_rd {
	const char *p;
	const char *end;
	json_cb cb;
	void *arg;
	char path[JSON_PATH_MAX];
	size_t plen;
	char str[JSON_STR_MAX + 1];
	struct json_frame stack[JSON_DEPTH_MAX];
	int depth;
	const char *why;
	int rc;
};

/**
 * json_fail() - Record why the text is refused
 * @r:		Reader state
 * @why:	Reason, a static string
 *
 * Return: -EINVAL
 */
static int json_fail(struct json_rd *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return -EINVAL;
}

/**
 * json_ws() - Skip white space
 * @r:		Reader state
 */
static void json_ws(struct json_rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/**
 * json_hex4() - Read the four hex digits of a \u escape
 * @r:		Reader state, at the first digit
 * @out:	Code unit
 *
 * Return: 0, or -EINVAL
 */
static int json_hex4(struct json_rd *r, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	if (r->end - r->p < 4)
		return json_fail(r, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char ch = *r->p++;

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned int)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned int)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned int)(ch - 'A' + 10);
		else
			return json_fail(r, "bad \\u escape");
	}
	*out = v;
	return 0;
}

/**
 * json_utf8() - Append a code point, UTF-8 encoded, to the string
 * @r:		Reader state
 * @n:		Bytes in r->str so far, updated
 * @cp:		Code point, at most 0x10ffff
 *
 * Return: 0, or -EINVAL if the string is too long
 */
static int json_utf8(struct json_rd *r, size_t *n, unsigned int cp)
{
	unsigned char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k > JSON_STR_MAX)
		return json_fail(r, "string too long");
	memcpy(r->str + *n, b, k);
	*n += k;
	return 0;
}

/**
 * json_unicode() - Decode a \u escape, with its low surrogate if paired
 * @r:		Reader state, after "\u"
 * @n:		Bytes in r->str so far, updated
 *
 * Return: 0, or -EINVAL
 */
static int json_unicode(struct json_rd *r, size_t *n)
{
	unsigned int cp, lo;

	if (json_hex4(r, &cp))
		return -EINVAL;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return json_fail(r, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
			return json_fail(r, "lone high surrogate");
		r->p += 2;
		if (json_hex4(r, &lo))
			return -EINVAL;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(r, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return json_utf8(r, n, cp);
}

/**
 * json_escape() - Decode one escape sequence of a string
 * @r:		Reader state, after the backslash
 * @n:		Bytes in r->str so far, updated
 *
 * Return: 0, or -EINVAL
 */
static int json_escape(struct json_rd *r, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;

	if (r->p >= r->end)
		return json_fail(r, "unterminated string");
	if (*r->p == 'u') {
		r->p++;
		return json_unicode(r, n);
	}
	hit = *r->p ? strchr(from, *r->p) : NULL;
	if (!hit)
		return json_fail(r, "bad escape");
	r->p++;
	if (*n + 1 > JSON_STR_MAX)
		return json_fail(r, "string too long");
	r->str[(*n)++] = to[hit - from];
	return 0;
}

/**
 * json_string() - Read a string into r->str
 * @r:		Reader state, at the opening quote
 * @len:	Decoded length
 *
 * Return: 0, or -EINVAL
 */
static int json_string(struct json_rd *r, size_t *len)
{
	size_t n = 0;

	r->p++;
	while (r->p < r->end && *r->p != '"') {
		unsigned char ch = (unsigned char)*r->p;

		if (ch < 0x20)
			return json_fail(r, "control character in string");
		if (ch == '\\') {
			r->p++;
			if (json_escape(r, &n))
				return -EINVAL;
			continue;
		}
		if (n + 1 > JSON_STR_MAX)
			return json_fail(r, "string too long");
		r->str[n++] = (char)ch;
		r->p++;
	}
	if (r->p >= r->end)
		return json_fail(r, "unterminated string");
	r->p++;
	r->str[n] = '\0';
	*len = n;
	return 0;
}

/**
 * json_digits() - Skip one or more decimal digits
 * @r:		Reader state
 *
 * Return: number of digits skipped
 */
static size_t json_digits(struct json_rd *r)
{
	const char *start = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return (size_t)(r->p - start);
}

/**
 * json_number() - Read a number, as text and, if integral, as a value
 * @r:		Reader state, at '-' or a digit
 * @v:		Value to fill
 *
 * Return: 0, or -EINVAL
 */
static int json_number(struct json_rd *r, struct json_val *v)
{
	const char *start = r->p;
	bool integral = true;
	size_t n;

	if (*r->p == '-')
		r->p++;
	n = json_digits(r);
	if (!n || (n > 1 && r->p[-(long)n] == '0'))
		return json_fail(r, "bad number");
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		integral = false;
		if (!json_digits(r))
			return json_fail(r, "bad number");
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		integral = false;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!json_digits(r))
			return json_fail(r, "bad number");
	}
	n = (size_t)(r->p - start);
	if (n > JSON_STR_MAX)
		return json_fail(r, "number too long");
	memcpy(r->str, start, n);
	r->str[n] = '\0';
	v->type = JSON_NUMBER;
	v->str = r->str;
	v->len = n;
	errno = 0;
	v->num = integral ? strtoll(r->str, NULL, 10) : 0;
	v->is_int = integral && !errno;
	if (!v->is_int)
		v->num = 0;
	return 0;
}

/**
 * json_literal() - Read true, false or null
 * @r:		Reader state
 * @v:		Value to fill
 *
 * Return: 0, or -EINVAL
 */
static int json_literal(struct json_rd *r, struct json_val *v)
{
	static const struct {
		const char *word;
		enum json_type type;
		bool b;
	} lit[] = {
		{ "true", JSON_BOOL, true },
		{ "false", JSON_BOOL, false },
		{ "null", JSON_NULL, false },
	};
	size_t i, n;

	for (i = 0; i < sizeof(lit) / sizeof(lit[0]); i++) {
		n = strlen(lit[i].word);
		if ((size_t)(r->end - r->p) >= n &&
		    !memcmp(r->p, lit[i].word, n)) {
			r->p += n;
			v->type = lit[i].type;
			v->b = lit[i].b;
			return 0;
		}
	}
	return json_fail(r, "unexpected character");
}

/**
 * json_path_push() - Append a component to the path
 * @r:		Reader state
 * @name:	Component
 * @len:	Its length
 * @old:	Path length before, to restore with json_path_pop()
 *
 * Return: 0, or -EINVAL if the path would be too long
 */
static int json_path_push(struct json_rd *r, const char *name, size_t len,
			  size_t *old)
{
	size_t dot = r->plen ? 1 : 0;

	*old = r->plen;
	if (memchr(name, '\0', len))		/* from a \u0000 escape */
		return json_fail(r, "NUL in member name");
	if (r->plen + dot + len >= JSON_PATH_MAX)
		return json_fail(r, "path too long");
	if (dot)
		r->path[r->plen] = '.';
	memcpy(r->path + r->plen + dot, name, len);
	r->plen += dot + len;
	r->path[r->plen] = '\0';
	return 0;
}

/**
 * json_path_pop() - Restore the path after a member or element
 * @r:		Reader state
 * @old:	Length returned by json_path_push()
 */
static void json_path_pop(struct json_rd *r, size_t old)
{
	r->plen = old;
	r->path[old] = '\0';
}

/**
 * json_next() - Read what comes before the next member or element: its
 * name and ':' in an object; extend the path accordingly
 * @r:		Reader state, after '{', '[' or ','
 * @f:		Container
 *
 * Return: 0, or -EINVAL
 */
static int json_next(struct json_rd *r, struct json_frame *f)
{
	size_t len = 0, old;
	char idx[12];
	int n;

	json_path_pop(r, f->plen);
	if (f->close == ']') {
		n = snprintf(idx, sizeof(idx), "%u", f->idx++);
		return json_path_push(r, idx, (size_t)n, &old);
	}
	json_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return json_fail(r, "expected a member name");
	if (json_string(r, &len) || json_path_push(r, r->str, len, &old))
		return -EINVAL;
	json_ws(r);
	if (r->p >= r->end || *r->p != ':')
		return json_fail(r, "expected ':'");
	r->p++;
	return 0;
}

/**
 * json_enter() - Open an object or an array
 * @r:		Reader state, at '{' or '['
 *
 * Return: 0 if a member or element follows (path set), 1 if the container
 * was empty and is closed already, -EINVAL
 */
static int json_enter(struct json_rd *r)
{
	struct json_frame *f;

	if (r->depth == JSON_DEPTH_MAX)
		return json_fail(r, "nested too deep");
	f = &r->stack[r->depth++];
	f->close = *r->p == '{' ? '}' : ']';
	f->idx = 0;
	f->plen = r->plen;
	r->p++;
	json_ws(r);
	if (r->p < r->end && *r->p == f->close) {
		r->p++;
		r->depth--;
		return 1;
	}
	return json_next(r, f);
}

/**
 * json_after() - After a value: a comma, or the end of containers
 * @r:		Reader state
 * @done:	Set once the outermost value ended
 *
 * Return: 0 (a value follows, unless @done), or -EINVAL
 */
static int json_after(struct json_rd *r, bool *done)
{
	while (r->depth) {
		struct json_frame *f = &r->stack[r->depth - 1];

		json_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			return json_next(r, f);
		}
		if (r->p >= r->end || *r->p != f->close)
			return json_fail(r, f->close == '}' ?
					 "expected ',' or '}'" :
					 "expected ',' or ']'");
		r->p++;
		r->depth--;
		json_path_pop(r, f->plen);
	}
	*done = true;
	return 0;
}

/**
 * json_scalar() - Read a string, number or literal; hand it to the callback
 * @r:		Reader state, at the value
 *
 * Return: 0, -EINVAL, or the callback's non-zero value
 */
static int json_scalar(struct json_rd *r)
{
	struct json_val v = { 0 };
	size_t len = 0;
	int rc;

	if (*r->p == '"') {
		if (json_string(r, &len))
			return -EINVAL;
		v.type = JSON_STRING;
		v.str = r->str;
		v.len = len;
	} else if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
		if (json_number(r, &v))
			return -EINVAL;
	} else if (json_literal(r, &v)) {
		return -EINVAL;
	}
	rc = r->cb ? r->cb(r->arg, r->path, &v) : 0;
	if (rc)
		r->rc = rc;
	return rc;
}

/**
 * json_values() - Read values until the outermost one ends (no recursion:
 * open containers are on r->stack)
 * @r:		Reader state
 *
 * Return: 0, -EINVAL, or the callback's non-zero value
 */
static int json_values(struct json_rd *r)
{
	bool done = false;
	int rc;

	while (!done) {
		json_ws(r);
		if (r->p >= r->end)
			return json_fail(r, "unexpected end");
		if (*r->p == '{' || *r->p == '[') {
			rc = json_enter(r);
			if (rc <= 0) {
				if (rc)
					return rc;
				continue;	/* a member or element follows */
			}
		} else {
			rc = json_scalar(r);
			if (rc)
				return rc;
		}
		rc = json_after(r, &done);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * json_parse() - Check a JSON text and report its scalars
 * @text:	Text, not necessarily NUL-terminated
 * @len:	Its length
 * @cb:		Called for each scalar with its path, may be NULL
 * @arg:	Passed to @cb
 * @why:	Set to a static description of the first error, if any
 *
 * Return: 0 if the text is one valid JSON value (surrounded by white space
 * at most), -EINVAL if it is not, or the first non-zero value @cb returned
 */
int json_parse(const char *text, size_t len, json_cb cb, void *arg,
	       const char **why)
{
	struct json_rd r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.p = text;
	r.end = text + len;
	r.cb = cb;
	r.arg = arg;
	rc = json_values(&r);
	if (!rc) {
		json_ws(&r);
		if (r.p != r.end)
			rc = json_fail(&r, "trailing characters");
	}
	if (why)
		*why = r.why ? r.why : (rc ? "stopped" : NULL);
	return r.rc ? r.rc : rc;
}
