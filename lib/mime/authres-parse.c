/* Authentication-Results (RFC 8601 2.2) read: see mime-authres.h.
 *
 * Two passes over the field with the same code: the first checks the
 * grammar and counts results and properties, the second, into the one
 * block allocated between them, copies the strings. Nothing allocates
 * while parsing, so a field that does not parse leaves nothing behind,
 * and the block's size is known up front: every string copied is at most
 * as long as the bytes it was read from, and those never overlap.
 *
 *   authres-header = "Authentication-Results:" [CFWS] authserv-id
 *                    [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS] CRLF
 *   authserv-id    = value
 *   authres-version = 1*DIGIT [CFWS]
 *   no-result      = [CFWS] ";" [CFWS] "none"
 *   resinfo        = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
 *   methodspec     = [CFWS] method [CFWS] "=" [CFWS] result
 *   reasonspec     = "reason" [CFWS] "=" [CFWS] value
 *   propspec       = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *   method         = Keyword [ [CFWS] "/" [CFWS] method-version ]
 *   method-version = 1*DIGIT [CFWS]
 *   result, ptype, property = Keyword     (RFC 5321 Keyword = Ldh-str)
 *   pvalue         = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
 *
 * value is RFC 2045's token or quoted-string, local-part RFC 5322's
 * (dot-atom or quoted-string, CFWS around it), domain-name RFC 6376 3.5's
 * (two labels at least); U-labels and UTF-8 local-parts as RFC 8616 allows
 * them. */
#include "mime.h"
#include "lex.h"
#include "ascii-int.h"
#include "authres-int.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The block: the struct, the method versions, the results, the
 * properties, the strings. The versions come just before the results, so
 * that mime_authres_method_version finds them from a->results (a copy of
 * the struct works too). */
#define ALIGN(n) (((n) + (sizeof(max_align_t) - 1)) & ~(sizeof(max_align_t) - 1))

static size_t versions_size(size_t nres) { return ALIGN(nres * sizeof(unsigned)); }

struct ar {
	struct mime_lex l;
	int fill;                         /* second pass: copy */
	size_t nres, nprops;              /* counted (pass 1), filled (pass 2) */
	struct mime_authres *a;
	struct mime_authres_result *res;
	struct mime_authres_prop *props;
	unsigned *mversion;
	char *pool;                       /* strings, NUL-terminated */
};

#define BAD (-1)

static int peek(const struct ar *p) { return mime_lex_peek(&p->l); }

static int cfws(struct ar *p) { return mime_lex_cfws(&p->l); }

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Ldh-str: letters, digits, hyphens, not ending in a hyphen (RFC 5321 4.1.2). */
static int is_ldh(int c) { return c >= 0 && (mime_is_alnum(c) || c == '-'); }

/* s[0..n) copied to the pool (pass 2); "" stands for it in pass 1. */
static const char *put(struct ar *p, const char *s, size_t n)
{
	if (!p->fill)
		return "";
	char *d = p->pool;
	memcpy(d, s, n);
	d[n] = '\0';
	p->pool += n + 1;
	return d;
}

/* The content of the quoted string at s[0..n) (quotes included, already
 * checked by the lexer): quoted-pairs resolved, line breaks of its folding
 * dropped (RFC 5322 3.2.4). keep_quotes: copied as written, unfolded. */
static const char *put_quoted(struct ar *p, const char *s, size_t n, int keep_quotes)
{
	if (!p->fill)
		return "";
	char *d = p->pool, *o = d;
	size_t i = keep_quotes ? 0 : 1, end = keep_quotes ? n : n - 1;
	for (; i < end; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '\\' && !keep_quotes)
			i++;
		else if (s[i] == '\\')
			*o++ = s[i++];
		*o++ = s[i];
	}
	*o = '\0';
	p->pool = o + 1;
	return d;
}

/* Keyword at the cursor: [*s, *e). 1, 0 (none there), BAD (ends in '-'). */
static int keyword(struct ar *p, size_t *s, size_t *e)
{
	size_t st = p->l.pos;
	while (is_ldh(peek(p)))
		p->l.pos++;
	*s = st;
	*e = p->l.pos;
	if (*e == st)
		return 0;
	return p->l.s[*e - 1] == '-' ? BAD : 1;
}

/* A Keyword that must be there, copied. */
static int need_keyword(struct ar *p, const char **out)
{
	size_t s, e;
	if (keyword(p, &s, &e) != 1)
		return BAD;
	*out = put(p, p->l.s + s, e - s);
	return 0;
}

/* 1*DIGIT, at most UINT_MAX. */
static int number(struct ar *p, unsigned *v)
{
	if (!is_digit(peek(p)))
		return BAD;
	unsigned long long x = 0;
	while (is_digit(peek(p))) {
		x = x * 10 + (unsigned)(peek(p) - '0');
		if (x > UINT_MAX)
			return BAD;
		p->l.pos++;
	}
	*v = (unsigned)x;
	return 0;
}

/* RFC 6376 3.5 domain-name from pos: sub-domain 1*("." sub-domain), each
 * sub-domain Let-dig [Ldh-str] (or UTF-8, RFC 8616). The length, 0 if
 * there is none. */
static size_t domain_len(const struct ar *p, size_t pos)
{
	const char *s = p->l.s;
	size_t n = p->l.len, i = pos, end = 0, labels = 0;
	for (;;) {
		size_t st = i;
		while (i < n && ((unsigned char)s[i] >= 0x80 || is_ldh((unsigned char)s[i])))
			i++;
		if (i == st || s[st] == '-' || s[i - 1] == '-')
			break;
		labels++;
		end = i;
		if (i + 1 >= n || s[i] != '.')
			break;
		i++;
	}
	return labels >= 2 ? end - pos : 0;
}

int mime_authres_is_bare_addr(const char *s, size_t n)
{
	struct ar p = {0};
	mime_lex_init(&p.l, s, n);
	mime_lex_dot_atom_text(&p.l, NULL, NULL);
	if (p.l.pos >= n || s[p.l.pos] != '@')
		return 0;
	size_t d = domain_len(&p, p.l.pos + 1);
	return d > 0 && d == n - p.l.pos - 1;
}

/* authserv-id and reason: value = token / quoted-string (a U-label domain
 * too: RFC 8616). */
static int value(struct ar *p, const char **out)
{
	struct mime_lex *l = &p->l;
	size_t s = l->pos;
	if (peek(p) == '"') {
		if (mime_lex_quoted_string(l, NULL) != 1)
			return BAD;
		*out = put_quoted(p, l->s + s, l->pos - s, 0);
		return 0;
	}
	size_t t, e, d = domain_len(p, s);
	mime_lex_token(l, &t, &e);
	if (d > e - s)
		l->pos = s + d;
	if (l->pos == s)
		return BAD;
	*out = put(p, l->s + s, l->pos - s);
	return 0;
}

/* "@" domain-name after a local-part at [ls, le) (quoted: written as it
 * is, unfolded); the cursor is on the "@". */
static int addr_rest(struct ar *p, size_t ls, size_t le, int quoted, const char **out)
{
	struct mime_lex *l = &p->l;
	size_t d = domain_len(p, l->pos + 1);
	if (!d)
		return BAD;
	if (p->fill) {
		char *o = p->pool;
		if (quoted)
			put_quoted(p, l->s + ls, le - ls, 1);
		else
			put(p, l->s + ls, le - ls);
		p->pool--;  /* over the NUL */
		put(p, l->s + l->pos, d + 1);
		*out = o;
	}
	l->pos += d + 1;
	return 0;
}

/* pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS] */
static int pvalue(struct ar *p, const char **out)
{
	struct mime_lex *l = &p->l;
	if (cfws(p) < 0)
		return BAD;
	size_t s = l->pos, e, back;
	int quoted = peek(p) == '"';
	if (quoted) {
		if (mime_lex_quoted_string(l, NULL) != 1)
			return BAD;
	} else {
		mime_lex_dot_atom_text(l, NULL, NULL);
	}
	e = back = l->pos;
	/* a local-part is a dot-atom or quoted-string: CFWS may follow it */
	if (l->pos > s && cfws(p) < 0)
		return BAD;
	if (peek(p) == '@') {
		if (addr_rest(p, s, e, quoted, out))
			return BAD;
	} else {
		l->pos = s;
		if (quoted) {
			mime_lex_quoted_string(l, NULL);
			*out = put_quoted(p, l->s + s, back - s, 0);
		} else if (value(p, out)) {
			return BAD;
		}
	}
	return cfws(p) < 0 ? BAD : 0;
}

/* The rest after the cursor is empty (or a final line break). */
static int at_end(const struct ar *p)
{
	size_t r = p->l.len - p->l.pos;
	const char *s = p->l.s + p->l.pos;
	return r == 0 || (r == 1 && s[0] == '\n') || (r == 2 && s[0] == '\r' && s[1] == '\n');
}

/* propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue */
static int propspec(struct ar *p)
{
	struct mime_authres_prop x = {0};
	if (need_keyword(p, &x.ptype) || cfws(p) < 0 || peek(p) != '.')
		return BAD;
	p->l.pos++;
	if (cfws(p) < 0 || need_keyword(p, &x.name) || cfws(p) < 0 || peek(p) != '=')
		return BAD;
	p->l.pos++;
	if (pvalue(p, &x.value))
		return BAD;
	if (p->fill)
		p->props[p->nprops] = x;
	p->nprops++;
	return 0;
}

/* reasonspec at the cursor? ("reason" [CFWS] "=": a ptype may be called
 * reason too, and then a "." follows.) The cursor is left where it was. */
static int is_reason(struct ar *p)
{
	size_t s, e, at = p->l.pos;
	int r = keyword(p, &s, &e) == 1 && mime_ascii_is(p->l.s + s, e - s, "reason") &&
		cfws(p) >= 0 && peek(p) == '=';
	p->l.pos = at;
	return r;
}

/* methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ], the method's
 * Keyword at [ms, me) already read. */
static int resinfo(struct ar *p, size_t ms, size_t me)
{
	struct mime_authres_result x = {0};
	unsigned version = 1;
	x.method = put(p, p->l.s + ms, me - ms);
	if (cfws(p) < 0)
		return BAD;
	if (peek(p) == '/') {
		p->l.pos++;
		if (cfws(p) < 0 || number(p, &version) || cfws(p) < 0)
			return BAD;
	}
	if (peek(p) != '=')
		return BAD;
	p->l.pos++;
	if (cfws(p) < 0 || need_keyword(p, &x.result))
		return BAD;
	size_t first = p->nprops;
	int sp = cfws(p);
	if (sp > 0 && is_reason(p)) {
		p->l.pos += 6;
		if (cfws(p) < 0)
			return BAD;
		p->l.pos++;  /* "=" */
		if (cfws(p) < 0 || value(p, &x.reason))
			return BAD;
		sp = cfws(p);
	}
	if (sp < 0)
		return BAD;
	if (sp > 0 && is_ldh(peek(p))) {
		/* the CFWS after each pvalue is its own: none needed between */
		do {
			if (propspec(p))
				return BAD;
		} while (is_ldh(peek(p)));
	}
	if (p->fill) {
		x.props = p->props + first;
		x.nprops = p->nprops - first;
		p->mversion[p->nres] = version;
		p->res[p->nres] = x;
	}
	p->nres++;
	return 0;
}

static int field(struct ar *p)
{
	const char *id;
	unsigned version = 1;
	if (cfws(p) < 0)
		return BAD;
	size_t s0 = p->l.pos;
	/* "" names no one, and the printer cannot write it */
	if (value(p, &id) || (p->l.pos - s0 == 2 && p->l.s[s0] == '"'))
		return BAD;
	int sp = cfws(p);
	if (sp < 0)
		return BAD;
	if (sp > 0 && is_digit(peek(p)) && (number(p, &version) || cfws(p) < 0))
		return BAD;
	if (p->fill) {
		p->a->authserv_id = id;
		p->a->version = version;
	}
	for (int first = 1;; first = 0) {
		/* [CFWS] ";" [CFWS] then "none" or a methodspec */
		if (peek(p) != ';')
			return BAD;
		p->l.pos++;
		size_t s, e;
		if (cfws(p) < 0 || keyword(p, &s, &e) != 1)
			return BAD;
		size_t after = p->l.pos;
		if (first && mime_ascii_is(p->l.s + s, e - s, "none") && cfws(p) >= 0 && at_end(p))
			return 0;
		p->l.pos = after;
		if (resinfo(p, s, e) || cfws(p) < 0)
			return BAD;
		if (at_end(p))
			return 0;
	}
}

enum mime_status mime_authres_parse(const char *value, size_t len, struct mime_authres **out)
{
	*out = NULL;
	/* no field holds a NUL (RFC 5322 2.2); a string could not hold it */
	if (!value || memchr(value, '\0', len) || len > SIZE_MAX / 64)
		return MIME_EINVAL;
	struct ar p = {0};
	mime_lex_init(&p.l, value, len);
	if (field(&p))
		return MIME_EINVAL;
	size_t nres = p.nres, nprops = p.nprops;
	size_t at_ver = ALIGN(sizeof(struct mime_authres));
	size_t at_res = at_ver + versions_size(nres);
	size_t at_props = at_res + nres * sizeof *p.res;
	size_t at_pool = at_props + nprops * sizeof *p.props;
	/* each string no longer than its bytes in value, plus its NUL */
	size_t size = at_pool + len + 1 + 3 * (nres + nprops);
	char *block = malloc(size);
	if (!block)
		return MIME_ENOMEM;
	struct mime_authres *a = (struct mime_authres *)(void *)block;
	memset(a, 0, sizeof *a);
	p = (struct ar){.fill = 1, .a = a};
	p.res = (struct mime_authres_result *)(void *)(block + at_res);
	p.props = (struct mime_authres_prop *)(void *)(block + at_props);
	p.mversion = (unsigned *)(void *)(block + at_ver);
	p.pool = block + at_pool;
	mime_lex_init(&p.l, value, len);
	field(&p);  /* as the first pass: it parses */
	a->results = p.res;
	a->nresults = nres;
	*out = a;
	return MIME_OK;
}

void mime_authres_free(struct mime_authres *a)
{
	free(a);
}

int mime_authres_id_is(const struct mime_authres *a, const char *id)
{
	return mime_ascii_casecmp(a->authserv_id, id) == 0;
}

unsigned mime_authres_method_version(const struct mime_authres *a, size_t i)
{
	if (i >= a->nresults)
		return 1;
	const char *res = (const char *)a->results;
	return ((const unsigned *)(const void *)(res - versions_size(a->nresults)))[i];
}
