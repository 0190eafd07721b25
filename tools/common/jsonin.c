/* Minimal JSON input; see jsonin.h. */
#include "jsonin.h"

#include <stdlib.h>
#include <string.h>

struct rd {
	const char *s, *end;
	const char *err;
	int depth;
};

static void ws(struct rd *r)
{
	while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r'))
		r->s++;
}

static int fail(struct rd *r, const char *why)
{
	if (!r->err)
		r->err = why;
	return -1;
}

static int put_utf8(char *o, size_t *k, unsigned long cp)
{
	if (cp < 0x80) {
		o[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | cp >> 6);
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*k)++] = (char)(0xe0 | cp >> 12);
		o[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | cp >> 18);
		o[(*k)++] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
	return 0;
}

static long hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static int string(struct rd *r, char **out)
{
	r->s++;  /* the quote */
	const char *start = r->s;
	while (r->s < r->end && *r->s != '"')
		r->s += *r->s == '\\' && r->s + 1 < r->end ? 2 : 1;
	if (r->s >= r->end)
		return fail(r, "a string without its end");
	size_t n = (size_t)(r->s - start);
	char *o = malloc(n + 1);
	if (!o)
		return fail(r, "out of memory");
	size_t k = 0;
	for (const char *p = start; p < r->s; p++) {
		if ((unsigned char)*p < 0x20) {
			free(o);
			return fail(r, "a control character in a string");
		}
		if (*p != '\\') {
			o[k++] = *p;
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/': o[k++] = *p; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'u': {
			long cp = r->s - p >= 5 ? hex4(p + 1) : -1;
			if (cp < 0) {
				free(o);
				return fail(r, "a bad \\u escape");
			}
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && r->s - p >= 7 && p[1] == '\\' && p[2] == 'u') {
				long lo = hex4(p + 3);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			put_utf8(o, &k, (unsigned long)cp);
			break;
		}
		default:
			free(o);
			return fail(r, "a bad escape");
		}
	}
	o[k] = '\0';
	r->s++;
	*out = o;
	return 0;
}

static int value(struct rd *r, struct jv *v);

static int push(struct jv *v, struct jv *item, char *key)
{
	struct jv *items = realloc(v->items, (v->n + 1) * sizeof *items);
	if (!items)
		return -1;
	v->items = items;
	if (v->type == JV_OBJ) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
		if (!keys)
			return -1;
		v->keys = keys;
		keys[v->n] = key;
	}
	items[v->n++] = *item;
	return 0;
}

static int container(struct rd *r, struct jv *v, char close)
{
	v->type = close == '}' ? JV_OBJ : JV_ARR;
	if (++r->depth > 64)
		return fail(r, "nested too deep");
	r->s++;
	ws(r);
	if (r->s < r->end && *r->s == close) {
		r->s++;
		r->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		ws(r);
		if (v->type == JV_OBJ) {
			if (r->s >= r->end || *r->s != '"')
				return fail(r, "a member name expected");
			if (string(r, &key))
				return -1;
			ws(r);
			if (r->s >= r->end || *r->s != ':') {
				free(key);
				return fail(r, "':' expected");
			}
			r->s++;
		}
		struct jv item = {0};
		if (value(r, &item) || push(v, &item, key)) {
			jv_free(&item);
			free(key);
			return fail(r, "out of memory");
		}
		ws(r);
		if (r->s < r->end && *r->s == ',') {
			r->s++;
			continue;
		}
		if (r->s < r->end && *r->s == close) {
			r->s++;
			r->depth--;
			return 0;
		}
		return fail(r, "',' or the end of a list expected");
	}
}

static int literal(struct rd *r, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(r->end - r->s) < n || memcmp(r->s, lit, n))
		return fail(r, "not a JSON value");
	r->s += n;
	return 0;
}

static int value(struct rd *r, struct jv *v)
{
	ws(r);
	if (r->s >= r->end)
		return fail(r, "a value expected");
	switch (*r->s) {
	case '{': return container(r, v, '}');
	case '[': return container(r, v, ']');
	case '"': v->type = JV_STR; return string(r, &v->str);
	case 't': v->type = JV_BOOL; v->b = 1; return literal(r, "true");
	case 'f': v->type = JV_BOOL; return literal(r, "false");
	case 'n': v->type = JV_NULL; return literal(r, "null");
	}
	char buf[64];
	size_t n = 0;
	while (r->s + n < r->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", r->s[n]))
		n++;
	if (!n)
		return fail(r, "not a JSON value");
	memcpy(buf, r->s, n);
	buf[n] = '\0';
	char *e;
	v->type = JV_NUM;
	v->num = strtod(buf, &e);
	if (*e)
		return fail(r, "not a number");
	r->s += n;
	return 0;
}

int jv_parse(const char *s, size_t len, struct jv *out, const char **err)
{
	struct rd r = {s, s + len, NULL, 0};
	memset(out, 0, sizeof *out);
	if (value(&r, out) == 0) {
		ws(&r);
		if (r.s == r.end)
			return 0;
		fail(&r, "more after the value");
	}
	jv_free(out);
	*err = r.err;
	return -1;
}

void jv_free(struct jv *v)
{
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof *v);
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *jv_get_str(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);
	return v && v->type == JV_STR ? v->str : NULL;
}

int jv_get_bool(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);
	return v && v->type == JV_BOOL && v->b;
}
