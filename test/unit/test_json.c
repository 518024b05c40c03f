// SPDX-License-Identifier: GPL-2.0-or-later
/* test_json.c - The JSON writer (escapes, commas, refusing what does not
 * fit) and reader (paths, escapes, numbers, and every bound it enforces) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "unit.h"

/**
 * struct seen - What the reader reported, as "path=value;" text
 * @text:	Accumulated text
 * @n:		Scalars seen
 * @stop_at:	Return 7 from the callback at this scalar (1-based), 0 never
 */
struct seen {
	char text[1024];
	int n;
	int stop_at;
};

/**
 * seen_cb() - Reader callback: append "path=value;" (numbers as "#N" if
 * integral, strings quoted)
 * @arg:	struct seen
 * @path:	Path of the scalar
 * @v:		Value
 *
 * Return: 0, or 7 at the scalar numbered stop_at
 */
static int seen_cb(void *arg, const char *path, const struct json_val *v)
{
	struct seen *s = arg;
	size_t used = strlen(s->text);
	char val[300];

	switch (v->type) {
	case JSON_NULL:
		snprintf(val, sizeof(val), "null");
		break;
	case JSON_BOOL:
		snprintf(val, sizeof(val), "%s", v->b ? "T" : "F");
		break;
	case JSON_NUMBER:
		if (v->is_int)
			snprintf(val, sizeof(val), "#%lld", (long long)v->num);
		else
			snprintf(val, sizeof(val), "~%s", v->str);
		break;
	default:
		snprintf(val, sizeof(val), "'%.280s'", v->str);
		break;
	}
	snprintf(s->text + used, sizeof(s->text) - used, "%s=%s;", path, val);
	return ++s->n == s->stop_at ? 7 : 0;
}

/**
 * parse() - Run the reader over a C string
 * @text:	JSON text
 * @s:		Where to collect scalars (zeroed first, stop_at kept)
 * @why:	Error description
 *
 * Return: json_parse()'s value
 */
static int parse(const char *text, struct seen *s, const char **why)
{
	int stop = s->stop_at;

	memset(s, 0, sizeof(*s));
	s->stop_at = stop;
	return json_parse(text, strlen(text), seen_cb, s, why);
}

/**
 * json_writer_object_with_escapes() - Keys, values, nesting and escapes
 */
static void json_writer_object_with_escapes(void)
{
	char buf[256];
	struct json_out o;

	json_out_init(&o, buf, sizeof(buf));
	json_open(&o, '{');
	json_key(&o, "a");
	json_uint(&o, 18446744073709551615ULL);
	json_key(&o, "b\"q");
	json_str(&o, "x\\y\n\x01z");
	json_key(&o, "c");
	json_open(&o, '[');
	json_bool(&o, true);
	json_bool(&o, false);
	json_open(&o, '{');
	json_close(&o, '}');
	json_close(&o, ']');
	json_close(&o, '}');
	CHECK(!o.full);
	buf[o.len] = '\0';
	CHECK_STR(buf, "{\"a\":18446744073709551615,\"b\\\"q\":\"x\\\\y\\u000a"
		  "\\u0001z\",\"c\":[true,false,{}]}");
}

/**
 * json_writer_refuses_whole_writes() - What does not fit is not written at
 * all, and marks the output full
 */
static void json_writer_refuses_whole_writes(void)
{
	char buf[8];
	struct json_out o;

	json_out_init(&o, buf, sizeof(buf));
	json_open(&o, '[');
	json_uint(&o, 123456);		/* 7 bytes: fits exactly */
	CHECK(!o.full);
	CHECK_EQ(o.len, 7);
	json_uint(&o, 1);		/* ",1" does not */
	CHECK(o.full);
	CHECK_EQ(o.len, 8);		/* the comma went in, not the 1 */
	json_close(&o, ']');
	CHECK_EQ(o.len, 8);
	CHECK_MEM(buf, "[123456,", 8);
}

/**
 * json_reader_paths() - Members by name, elements by index, dotted
 */
static void json_reader_paths(void)
{
	struct seen s = { 0 };
	const char *why;

	CHECK_EQ(parse(" {\"ok\":true,\"flows\":[{\"id\":3,\"p\":\"udp\"},"
		       "{\"id\":4}],\"e\":{},\"n\":null} \r\n", &s, &why), 0);
	CHECK_STR(s.text, "ok=T;flows.0.id=#3;flows.0.p='udp';flows.1.id=#4;"
		  "n=null;");
	CHECK(why == NULL);
	CHECK_EQ(parse("-12", &s, &why), 0);
	CHECK_STR(s.text, "=#-12;");
}

/**
 * json_reader_strings() - Escapes decode, \u to UTF-8 with surrogates
 */
static void json_reader_strings(void)
{
	struct seen s = { 0 };
	const char *why;

	CHECK_EQ(parse("[\"a\\\"\\\\\\/\\b\\f\\n\\r\\tz\"]", &s, &why), 0);
	CHECK_STR(s.text, "0='a\"\\/\b\f\n\r\tz';");
	CHECK_EQ(parse("\"\\u00e9\\u20ac\\ud83d\\ude00\"", &s, &why), 0);
	CHECK_STR(s.text, "='\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80';");
	CHECK_EQ(parse("\"\\ud800\"", &s, &why), -EINVAL);
	CHECK_STR(why, "lone high surrogate");
	CHECK_EQ(parse("\"\\udc00\"", &s, &why), -EINVAL);
	CHECK_STR(why, "lone low surrogate");
	CHECK_EQ(parse("\"\\ud800\\u0041\"", &s, &why), -EINVAL);
	CHECK_STR(why, "bad surrogate pair");
	CHECK_EQ(parse("\"\\u12g4\"", &s, &why), -EINVAL);
	CHECK_STR(why, "bad \\u escape");
	CHECK_EQ(parse("\"\\x\"", &s, &why), -EINVAL);
	CHECK_STR(why, "bad escape");
	CHECK_EQ(parse("\"a\tb\"", &s, &why), -EINVAL);
	CHECK_STR(why, "control character in string");
	CHECK_EQ(parse("\"abc", &s, &why), -EINVAL);
	CHECK_STR(why, "unterminated string");
	CHECK_EQ(parse("\"\\u12", &s, &why), -EINVAL);
	CHECK_STR(why, "short \\u escape");
}

/**
 * json_reader_numbers() - RFC 8259 grammar; integers exact, others as text
 */
static void json_reader_numbers(void)
{
	struct seen s = { 0 };
	const char *why;

	CHECK_EQ(parse("[0,-0,1.5,2e3,-1E-2,9223372036854775807,"
		       "9223372036854775808]", &s, &why), 0);
	CHECK_STR(s.text, "0=#0;1=#0;2=~1.5;3=~2e3;4=~-1E-2;"
		  "5=#9223372036854775807;6=~9223372036854775808;");
	CHECK_EQ(parse("01", &s, &why), -EINVAL);
	CHECK_STR(why, "bad number");
	CHECK_EQ(parse("1.", &s, &why), -EINVAL);
	CHECK_EQ(parse("-", &s, &why), -EINVAL);
	CHECK_EQ(parse("1e+", &s, &why), -EINVAL);
	CHECK_EQ(parse("+1", &s, &why), -EINVAL);
	CHECK_STR(why, "unexpected character");
}

/**
 * json_reader_structure_errors() - Broken objects and arrays, trailing
 * bytes, empty text, NUL bytes
 */
static void json_reader_structure_errors(void)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "", "unexpected end" },
		{ "   ", "unexpected end" },
		{ "{", "expected a member name" },
		{ "{\"a\"}", "expected ':'" },
		{ "{\"a\":1,}", "expected a member name" },
		{ "{\"a\":1 \"b\":2}", "expected ',' or '}'" },
		{ "[1 2]", "expected ',' or ']'" },
		{ "[1,]", "unexpected character" },
		{ "{} {}", "trailing characters" },
		{ "tru", "unexpected character" },
		{ "{a:1}", "expected a member name" },
	};
	struct seen s = { 0 };
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i].text, &s, &why), -EINVAL);
		CHECK_STR(why, bad[i].why);
	}
	CHECK_EQ(json_parse("[1]\0", 4, seen_cb, &s, &why), -EINVAL);
	CHECK_STR(why, "trailing characters");
	CHECK_EQ(json_parse("{\"a\0b\":1}", 9, seen_cb, &s, &why), -EINVAL);
	CHECK_STR(why, "control character in string");
	CHECK_EQ(parse("{\"a\\u0000b\":1}", &s, &why), -EINVAL);
	CHECK_STR(why, "NUL in member name");
}

/**
 * json_reader_bounds() - Depth, path and string length limits are errors
 */
static void json_reader_bounds(void)
{
	static char text[4096];
	struct seen s = { 0 };
	const char *why;
	int i;

	for (i = 0; i < JSON_DEPTH_MAX; i++)
		text[i] = '[';
	for (i = 0; i < JSON_DEPTH_MAX; i++)
		text[JSON_DEPTH_MAX + i] = ']';
	text[(size_t)2 * JSON_DEPTH_MAX] = '\0';
	CHECK_EQ(parse(text, &s, &why), 0);
	memmove(text + 1, text, strlen(text) + 1);
	text[0] = '[';
	strcat(text, "]");
	CHECK_EQ(parse(text, &s, &why), -EINVAL);
	CHECK_STR(why, "nested too deep");

	text[0] = '"';
	memset(text + 1, 'a', JSON_STR_MAX);
	strcpy(text + 1 + JSON_STR_MAX, "\"");
	CHECK_EQ(parse(text, &s, &why), 0);
	strcpy(text + JSON_STR_MAX, "aa\"");
	CHECK_EQ(parse(text, &s, &why), -EINVAL);
	CHECK_STR(why, "string too long");

	snprintf(text, sizeof(text), "{\"%0*d\":1}", JSON_PATH_MAX - 1, 0);
	CHECK_EQ(parse(text, &s, &why), 0);
	snprintf(text, sizeof(text), "{\"%0*d\":1}", JSON_PATH_MAX, 0);
	CHECK_EQ(parse(text, &s, &why), -EINVAL);
	CHECK_STR(why, "path too long");
}

/**
 * json_reader_callback_stops() - A non-zero callback value stops the
 * reader and is returned
 */
static void json_reader_callback_stops(void)
{
	struct seen s = { .stop_at = 2 };
	const char *why;

	CHECK_EQ(parse("[1,2,3]", &s, &why), 7);
	CHECK_EQ(s.n, 2);
	CHECK_STR(why, "stopped");
}

int main(void)
{
	RUN(json_writer_object_with_escapes);
	RUN(json_writer_refuses_whole_writes);
	RUN(json_reader_paths);
	RUN(json_reader_strings);
	RUN(json_reader_numbers);
	RUN(json_reader_structure_errors);
	RUN(json_reader_bounds);
	RUN(json_reader_callback_stops);
	return unit_done();
}
