/* ember commands: the recipient map (addrmap.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "addrmap.h"
#include "mime.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rule {
	char *key;         /* exact: the address */
	pcre2_code *re;    /* or a pattern */
	char *result;
};

struct addrmap {
	struct rule *r;
	size_t n;
};

void addrmap_free(struct addrmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->r[i].key);
		pcre2_code_free(m->r[i].re);
		free(m->r[i].result);
	}
	free(m->r);
	free(m);
}

size_t addrmap_rules(const struct addrmap *m)
{
	return m ? m->n : 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Check a result: $ followed by a digit, {digit} or $. NULL or the problem. */
static const char *check_result(const char *s)
{
	for (; *s; s++) {
		if (*s != '$')
			continue;
		s++;
		if (*s == '$' || (*s >= '1' && *s <= '9'))
			continue;
		if (s[0] == '{' && s[1] >= '1' && s[1] <= '9' && s[2] == '}') {
			s += 2;
			continue;
		}
		return "'$' must be followed by 1 to 9, {1} to {9} or '$'";
	}
	return NULL;
}

/* One line (NUL-terminated, no line end) into a rule. NULL, or the problem. */
static const char *parse_line(char *l, struct rule *r, char *why, size_t whylen)
{
	char *p = l, *res;
	memset(r, 0, sizeof *r);
	if (*p == '/') {
		char *q = p + 1;
		while (*q && *q != '/') {
			if (*q == '\\' && q[1])
				q++;
			q++;
		}
		if (*q != '/')
			return "a pattern without its closing '/'";
		*q++ = 0;
		uint32_t opts = PCRE2_CASELESS | PCRE2_UTF;
		for (; *q && !is_space(*q); q++) {
			if (*q == 'i')
				opts ^= PCRE2_CASELESS;
			else if (*q == 'x')
				opts |= PCRE2_EXTENDED;
			else
				return "an unknown pattern flag (i and x are known)";
		}
		res = q;
		int ec;
		PCRE2_SIZE off;
		r->re = pcre2_compile((PCRE2_SPTR)(p + 1), PCRE2_ZERO_TERMINATED, opts, &ec, &off, NULL);
		if (!r->re) {
			unsigned char msg[200];
			pcre2_get_error_message(ec, msg, sizeof msg);
			snprintf(why, whylen, "the pattern: %s at offset %zu", (char *)msg, (size_t)off);
			return why;
		}
	} else {
		char *q = p;
		while (*q && !is_space(*q))
			q++;
		if (!*q)
			return "an address without a result";
		*q++ = 0;
		if (!strchr(p, '@'))
			return "the key is not an address (local@domain) nor a /pattern/";
		if (!(r->key = strdup(p)))
			return "out of memory";
		mime_ascii_lower_n(r->key, strlen(r->key));
		res = q;
	}
	while (is_space(*res))
		res++;
	size_t n = strlen(res);
	while (n && is_space(res[n - 1]))
		res[--n] = 0;
	if (!n)
		return "no result";
	const char *bad = check_result(res);
	if (bad)
		return bad;
	if (!(r->result = strdup(res)))
		return "out of memory";
	return NULL;
}

struct addrmap *addrmap_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct addrmap *m = calloc(1, sizeof *m);
	char *copy = malloc(len + 1), *s, *line;
	unsigned long no = 0;
	if (!m || !copy) {
		free(m);
		free(copy);
		snprintf(err, errlen, "0: out of memory");
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = 0;
	for (s = copy; (line = strsep(&s, "\n")) != NULL;) {
		no++;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		char *p = line;
		while (is_space(*p))
			p++;
		if (!*p || *p == '#')
			continue;
		if (is_space(line[0])) {
			/* Postfix: a continuation line; we keep one rule a line */
			snprintf(err, errlen, "%lu: a line that starts with white space", no);
			goto fail;
		}
		struct rule *r = realloc(m->r, (m->n + 1) * sizeof *r);
		if (!r) {
			snprintf(err, errlen, "0: out of memory");
			goto fail;
		}
		m->r = r;
		char why[256];
		const char *bad = parse_line(p, &m->r[m->n], why, sizeof why);
		m->n++;  /* freed with the map, whole or not */
		if (bad) {
			snprintf(err, errlen, "%lu: %s", no, bad);
			goto fail;
		}
	}
	free(copy);
	return m;
fail:
	free(copy);
	addrmap_free(m);
	return NULL;
}

void addrmap_list_free(char **l)
{
	if (!l)
		return;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
}

/* result with $N replaced by the groups of the match. */
static int expand(const char *result, const char *subject, pcre2_match_data *md, int rc,
		  struct mime_buf *out)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	for (const char *s = result; *s; s++) {
		if (*s != '$') {
			if (mime_buf_putc(out, *s))
				return -1;
			continue;
		}
		s++;
		if (*s == '$') {
			if (mime_buf_putc(out, '$'))
				return -1;
			continue;
		}
		int g;
		if (*s == '{') {
			g = s[1] - '0';
			s += 2;
		} else {
			g = *s - '0';
		}
		if (g < rc && ov[2 * g] != PCRE2_UNSET &&
		    mime_buf_append(out, subject + ov[2 * g], ov[2 * g + 1] - ov[2 * g]))
			return -1;
	}
	return 0;
}

/* "a, b ,c" into a NULL-terminated list. */
static int split(const char *s, size_t n, char ***out)
{
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += s[i] == ',';
	char **l = calloc(cap + 1, sizeof *l);
	size_t k = 0;
	if (!l)
		return -1;
	const char *p = s, *end = s + n;
	while (p <= end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *e = c ? c : end;
		const char *a = p;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		const char *b = e;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b == a || !(l[k++] = strndup(a, (size_t)(b - a)))) {
			addrmap_list_free(l);
			return -1;
		}
		if (!c)
			break;
		p = c + 1;
	}
	*out = l;
	return 1;
}

int addrmap_lookup(const struct addrmap *m, const char *addr, char ***out)
{
	*out = NULL;
	for (size_t i = 0; m && i < m->n; i++) {
		const struct rule *r = &m->r[i];
		if (r->key) {
			if (!mime_ascii_casecmp(r->key, addr))
				return split(r->result, strlen(r->result), out);
			continue;
		}
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re, NULL);
		if (!md)
			return -1;
		int rc = pcre2_match(r->re, (PCRE2_SPTR)addr, strlen(addr), 0, 0, md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH) {
			pcre2_match_data_free(md);
			continue;
		}
		struct mime_buf b = {0};
		int res = rc < 0 ? -1 : expand(r->result, addr, md, rc, &b);
		pcre2_match_data_free(md);
		if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
			mime_buf_free(&b);
			continue;  /* a match error (bad UTF-8 subject...): not this rule */
		}
		if (!res)
			res = split(b.data ? b.data : "", b.len, out);
		mime_buf_free(&b);
		return res;
	}
	return 0;
}
