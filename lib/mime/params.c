/* MIME parameters (RFC 2045 5.1, RFC 2231) and the MIME header fields that
 * carry them: Content-Type, Content-Disposition (RFC 2183), and the two
 * simple ones, Content-Transfer-Encoding and MIME-Version (RFC 2045 4, 6).
 * Parsers, folding printers and a one-line rendering for people. */
#include "lex.h"
#include "ascii-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 256     /* distinct parameter names kept per field */
#define MAX_SECTION 999    /* highest RFC 2231 section number accepted */
#define MAX_SECTIONS 1000  /* sections kept per parameter */
#define LINE_ROOM 76       /* a " name=value;" unit within 78 columns */

static char *dup_lower(const char *s, size_t n, int lowercase)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = lowercase ? (char)mime_ascii_lower((unsigned char)s[i]) : s[i];
	d[n] = '\0';
	return d;
}

static int ieq(const char *a, size_t n, const char *b)
{
	size_t i = 0;
	for (; i < n && b[i]; i++)
		if (mime_ascii_lower((unsigned char)a[i]) != mime_ascii_lower((unsigned char)b[i]))
			return 0;
	return i == n && b[i] == '\0';
}

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void buf_cut(struct mime_buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* ---- parameters as written ----------------------------------------------- */

/* One RFC 2231 piece: name*, name*N or name*N*. */
struct section {
	unsigned num;
	int numbered, ext;
	char *text;
	size_t len, off;
};

/* Everything seen for one (lowercased) name, in order of first sight. */
struct entry {
	char *name;
	size_t off;
	char *plain;          /* the first plain value, decoded */
	size_t plain_len;
	int has_plain;
	struct section *secs;
	size_t nsecs;
};

struct pp {
	struct mime_lex l;
	struct mime_defects *df;
	struct entry *e;
	size_t n;
};

static void entries_free(struct pp *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->e[i].name);
		free(p->e[i].plain);
		for (size_t j = 0; j < p->e[i].nsecs; j++)
			free(p->e[i].secs[j].text);
		free(p->e[i].secs);
	}
	free(p->e);
	p->e = NULL;
	p->n = 0;
}

/* The entry of a name, created when new; NULL with *oom clear when there
 * are too many names. */
static struct entry *entry_for(struct pp *p, const char *s, size_t n, size_t off, int *oom)
{
	*oom = 0;
	for (size_t i = 0; i < p->n; i++)
		if (ieq(s, n, p->e[i].name))
			return &p->e[i];
	if (p->n >= MAX_PARAMS) {
		mime_defect(p->df, MIME_D_PARAMS, off, "too many parameters: the rest are ignored");
		return NULL;
	}
	struct entry *e = realloc(p->e, (p->n + 1) * sizeof *e);
	if (!e || !(e[p->n].name = dup_lower(s, n, 1))) {
		if (e)
			p->e = e;
		*oom = 1;
		return NULL;
	}
	p->e = e;
	e += p->n++;
	e->off = off;
	e->plain = NULL;
	e->plain_len = 0;
	e->has_plain = 0;
	e->secs = NULL;
	e->nsecs = 0;
	return e;
}

/* Valid UTF-8 is kept; anything else becomes U+FFFD, with a defect. */
static int utf8_into(const char *s, size_t n, struct mime_buf *out, struct mime_defects *df,
		     size_t off)
{
	if (mime_utf8_valid(s, n))
		return mime_buf_append(out, s, n);
	mime_defect(df, MIME_D_PARAMS, off, "parameter value is not UTF-8");
	return mime_charset_to_utf8(MIME_CS_UTF_8, s, n, out, NULL);
}

/* A plain value. Mail readers decode RFC 2047 encoded words in parameter
 * values (name="=?UTF-8?B?...?="), which RFC 2047 5 forbids; so do we,
 * with a defect. */
static int plain_value(const char *s, size_t n, struct mime_buf *out, struct mime_defects *df,
		       size_t off)
{
	const char *ew = n >= 2 ? memchr(s, '=', n - 1) : NULL;
	while (ew && ew[1] != '?')
		ew = memchr(ew + 1, '=', (size_t)(s + n - 1 - (ew + 1)));
	if (!ew)
		return utf8_into(s, n, out, df, off);
	struct mime_buf d = {0};
	struct mime_defects sub = {0};
	int r = mime_rfc2047_decode_text(s, n, &d, &sub);
	if (!r) {
		if (d.len != n || memcmp(d.data, s, n) != 0)
			mime_defect(df, MIME_D_PARAMS, off, "RFC 2047 encoded word in a parameter value (decoded)");
		else if (sub.count)
			mime_defect(df, sub.first_code, off, sub.first);
		r = utf8_into(d.data ? d.data : "", d.len, out, df, off);
	}
	mime_buf_free(&d);
	return r;
}

static int add_plain(struct pp *p, struct entry *e, const struct mime_buf *v, size_t off)
{
	if (e->has_plain) {
		mime_defect(p->df, MIME_D_PARAMS, off, "repeated parameter: the first one is used");
		return 0;
	}
	struct mime_buf d = {0};
	if (plain_value(v->data ? v->data : "", v->len, &d, p->df, off) ||
	    (!d.data && mime_buf_append(&d, "", 0))) {
		mime_buf_free(&d);
		return -1;
	}
	e->plain = d.data;
	e->plain_len = d.len;
	e->has_plain = 1;
	return 0;
}

/* RFC 2231 3, 4: after the first '*' of a name: "" (name*), "N" or "N*".
 * 0 and *sec filled, or -2 when it is none of these. */
static int section_name(const char *s, size_t n, struct section *sec)
{
	size_t i = 0;
	sec->num = 0;
	sec->numbered = n > 0;
	sec->ext = n == 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && sec->num <= MAX_SECTION)
		sec->num = sec->num * 10 + (unsigned)(s[i++] - '0');
	if (n > 0 && (i == 0 || sec->num > MAX_SECTION))
		return -2;
	if (i < n && s[i] == '*' && i + 1 == n)
		sec->ext = 1, i++;
	return i == n ? 0 : -2;
}

static int add_section(struct pp *p, struct entry *e, const struct section *sec,
		       const struct mime_buf *v)
{
	if (e->nsecs >= MAX_SECTIONS) {
		mime_defect(p->df, MIME_D_PARAMS, sec->off, "too many RFC 2231 sections: the rest are ignored");
		return 0;
	}
	struct section *s = realloc(e->secs, (e->nsecs + 1) * sizeof *s);
	if (!s)
		return -1;
	e->secs = s;
	s += e->nsecs;
	*s = *sec;
	s->len = v->len;
	if (!(s->text = dup_lower(v->data ? v->data : "", v->len, 0)))
		return -1;
	e->nsecs++;
	return 0;
}

/* Record one parameter: name [ns, ne) as written, v its value (unquoted). */
static int add_param(struct pp *p, size_t ns, size_t ne, const struct mime_buf *v, int quoted,
		     size_t off)
{
	const char *name = p->l.s + ns, *star = memchr(name, '*', ne - ns);
	size_t base = star ? (size_t)(star - name) : ne - ns;
	struct section sec = {.off = off};
	int oom;
	if (base == 0) {
		mime_defect(p->df, MIME_D_PARAMS, off, "parameter without a name: ignored");
		return 0;
	}
	if (star && section_name(star + 1, ne - ns - base - 1, &sec)) {
		mime_defect(p->df, MIME_D_PARAMS, off, "bad RFC 2231 parameter name: ignored");
		return 0;
	}
	if (star && sec.numbered && star[1] == '0' && star + 2 < p->l.s + ne && star[2] >= '0' &&
	    star[2] <= '9')
		mime_defect(p->df, MIME_D_PARAMS, off, "RFC 2231 section number with a leading zero");
	struct entry *e = entry_for(p, name, base, off, &oom);
	if (!e)
		return oom ? -1 : 0;
	if (!star)
		return add_plain(p, e, v, off);
	if (quoted && sec.ext)
		mime_defect(p->df, MIME_D_PARAMS, off, "RFC 2231 extended value in quotes");
	return add_section(p, e, &sec, v);
}

/* ---- RFC 2231 sections joined and decoded ---------------------------------- */

/* RFC 2231 4: %XX octets; a '%' not followed by two hex digits is kept. */
static int pct_decode(const char *s, size_t n, struct mime_buf *out, struct mime_defects *df,
		      size_t off)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], h, l;
		if (c == '%' && i + 2 < n && (h = mime_hex_value((unsigned char)s[i + 1])) >= 0 &&
		    (l = mime_hex_value((unsigned char)s[i + 2])) >= 0) {
			c = h * 16 + l;
			i += 2;
		} else if (c == '%') {
			bad = 1;
		}
		if (mime_buf_putc(out, c))
			return -1;
	}
	if (bad)
		mime_defect(df, MIME_D_PARAMS, off, "bad %-escape in an RFC 2231 value: kept as written");
	return 0;
}

/* The sections to join, in order: the one "name*" alone, or the numbered
 * ones sorted, the first of a repeated number kept. *k is their count. */
static void order_sections(struct pp *p, struct entry *e, size_t *k)
{
	struct section *s = e->secs;
	for (size_t i = 0; i < e->nsecs; i++)
		if (!s[i].numbered) {
			if (e->nsecs > 1)
				mime_defect(p->df, MIME_D_PARAMS, e->off, "conflicting RFC 2231 forms: name* is used");
			struct section t = s[0];
			s[0] = s[i];
			s[i] = t;
			*k = 1;
			return;
		}
	for (size_t i = 1; i < e->nsecs; i++)  /* stable insertion sort */
		for (size_t j = i; j > 0 && s[j - 1].num > s[j].num; j--) {
			struct section t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	*k = 0;
	unsigned want = 0;
	for (size_t i = 0; i < e->nsecs; i++) {
		if (*k && s[*k - 1].num == s[i].num) {
			mime_defect(p->df, MIME_D_PARAMS, s[i].off, "repeated RFC 2231 section: the first one is used");
			continue;
		}
		if (s[i].num != want)
			mime_defect(p->df, MIME_D_PARAMS, s[i].off, "missing RFC 2231 section");
		want = s[i].num + 1;
		struct section t = s[*k];
		s[*k] = s[i];
		s[i] = t;
		(*k)++;
	}
}

struct joined {
	char *charset, *language;
	size_t skip;          /* bytes of "charset'language'" in section 0 */
};

/* RFC 5646 tags: letters, digits and '-' (what we can print back). */
static int language_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = mime_ascii_lower((unsigned char)s[i]);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

/* RFC 2231 4: charset'language' at the start of the first extended
 * section (section 0 or the lone name*). */
static int split_initial(struct pp *p, const struct section *s, struct joined *j)
{
	const char *t = s->text, *q1 = memchr(t, '\'', s->len), *q2 = NULL;
	if (q1)
		q2 = memchr(q1 + 1, '\'', s->len - (size_t)(q1 + 1 - t));
	if (!q2) {
		mime_defect(p->df, MIME_D_PARAMS, s->off, "RFC 2231 value without charset'language'");
		j->charset = dup_lower("", 0, 0);
		j->language = dup_lower("", 0, 0);
		j->skip = 0;
	} else {
		size_t ln = (size_t)(q2 - q1 - 1);
		if (!language_ok(q1 + 1, ln)) {
			mime_defect(p->df, MIME_D_PARAMS, s->off, "bad language in an RFC 2231 value: dropped");
			ln = 0;
		}
		j->charset = dup_lower(t, (size_t)(q1 - t), 0);
		j->language = dup_lower(q1 + 1, ln, 0);
		j->skip = (size_t)(q2 + 1 - t);
	}
	return j->charset && j->language ? 0 : -1;
}

/* The joined bytes to UTF-8 from the declared charset. */
static int convert(struct pp *p, const struct joined *j, const struct mime_buf *raw,
		   struct mime_buf *out, size_t off)
{
	const char *s = raw->data ? raw->data : "";
	if (!j->charset || !j->charset[0])
		return utf8_into(s, raw->len, out, p->df, off);
	int id = mime_charset_lookup(j->charset, strlen(j->charset));
	if (id < 0) {
		mime_defect(p->df, MIME_D_PARAMS, off, "unknown charset in an RFC 2231 value");
		return utf8_into(s, raw->len, out, p->df, off);
	}
	struct mime_defects sub = {0};
	if (mime_charset_to_utf8(id, s, raw->len, out, &sub))
		return -1;
	if (sub.count)
		mime_defect(p->df, sub.first_code, off, sub.first);
	return 0;
}

static int join_sections(struct pp *p, struct entry *e, struct mime_param *out)
{
	size_t k;
	struct joined j = {0};
	struct mime_buf raw = {0}, val = {0};
	int r = 0, any_ext = 0;
	order_sections(p, e, &k);
	for (size_t i = 0; i < k; i++)
		any_ext |= e->secs[i].ext;
	if (e->secs[0].ext && e->secs[0].num == 0)
		r = split_initial(p, &e->secs[0], &j);
	else if (any_ext && (!(j.charset = dup_lower("", 0, 0)) || !(j.language = dup_lower("", 0, 0))))
		r = -1;
	for (size_t i = 0; i < k && !r; i++) {
		const struct section *s = &e->secs[i];
		size_t from = i == 0 ? j.skip : 0;
		r = s->ext ? pct_decode(s->text + from, s->len - from, &raw, p->df, s->off)
			   : mime_buf_append(&raw, s->text, s->len);
	}
	if (!r)
		r = convert(p, &j, &raw, &val, e->off);
	if (!r && !val.data)
		r = mime_buf_append(&val, "", 0);
	mime_buf_free(&raw);
	if (r) {
		free(j.charset);
		free(j.language);
		mime_buf_free(&val);
		return -1;
	}
	out->value = val.data;
	out->value_len = val.len;
	out->charset = j.charset;
	out->language = j.language;
	return 0;
}

/* The final parameter of an entry: RFC 2231 form over the plain one (mail
 * writers send both, the plain one for old readers). */
static int finish_entry(struct pp *p, struct entry *e, struct mime_param *out)
{
	memset(out, 0, sizeof *out);
	out->name = e->name;
	e->name = NULL;
	if (!e->nsecs) {
		out->value = e->plain;
		out->value_len = e->plain_len;
		e->plain = NULL;
		return 0;
	}
	if (join_sections(p, e, out))
		return -1;
	if (e->has_plain && (e->plain_len != out->value_len ||
			     memcmp(e->plain, out->value, out->value_len) != 0))
		mime_defect(p->df, MIME_D_PARAMS, e->off, "plain and RFC 2231 forms of a parameter differ: "
					   "the RFC 2231 one is used");
	return 0;
}

void mime_params_free(struct mime_param *ps, size_t n)
{
	for (size_t i = 0; ps && i < n; i++) {
		free(ps[i].name);
		free(ps[i].value);
		free(ps[i].charset);
		free(ps[i].language);
	}
	free(ps);
}

static int finish(struct pp *p, struct mime_param **ps, size_t *np)
{
	*ps = NULL;
	*np = 0;
	if (!p->n)
		return 0;
	struct mime_param *out = calloc(p->n, sizeof *out);
	if (!out)
		return -1;
	for (size_t i = 0; i < p->n; i++)
		if (finish_entry(p, &p->e[i], &out[i])) {
			mime_params_free(out, i + 1);
			return -1;
		}
	*ps = out;
	*np = p->n;
	return 0;
}

/* ---- the parameter grammar, with the tolerance mail readers have ----------- */

/* CFWS; an unterminated comment ends the field (defect, 1). */
static int skip(struct pp *p)
{
	if (mime_lex_cfws(&p->l) >= 0)
		return 0;
	mime_defect(p->df, MIME_D_PARAMS, p->l.pos, "unterminated comment");
	p->l.pos = p->l.len;
	return 1;
}

static void to_semicolon(struct pp *p)
{
	const char *s = memchr(p->l.s + p->l.pos, ';', p->l.len - p->l.pos);
	p->l.pos = s ? (size_t)(s - p->l.s) : p->l.len;
}

/* attribute [CFWS] "=" here? (a parameter after a missing ';') */
static int at_param(struct pp *p)
{
	struct mime_lex save = p->l;
	size_t s, e;
	int r = mime_lex_token(&p->l, &s, &e) && mime_lex_cfws(&p->l) >= 0 &&
		mime_lex_peek(&p->l) == '=';
	p->l = save;
	return r;
}

/* Raw bytes from start to the next ';' (or the end), line breaks removed,
 * white space trimmed: for values with unquoted specials or 8-bit bytes
 * (boundary=----=_Part_1, name=a b.pdf). */
static int raw_value(struct pp *p, size_t start, struct mime_buf *v, int to_end)
{
	if (to_end)
		p->l.pos = p->l.len;
	else
		to_semicolon(p);
	size_t end = p->l.pos;
	/* an unterminated quoted string keeps its white space: it was quoted */
	while (!to_end && end > start && is_space(p->l.s[end - 1]))
		end--;
	for (size_t i = start; i < end; i++)
		if (p->l.s[i] != '\r' && p->l.s[i] != '\n' && mime_buf_putc(v, p->l.s[i]))
			return -1;
	return 0;
}

/* value = token / quoted-string (RFC 2045 5.1). *quoted set. 0, -1, or 1
 * when there is no value at all (a token has at least one character): the
 * parameter is skipped. */
static int value(struct pp *p, struct mime_buf *v, int *quoted)
{
	size_t start = p->l.pos, s, e;
	*quoted = mime_lex_peek(&p->l) == '"';
	if (*quoted) {
		int r = mime_lex_quoted_string(&p->l, v);
		if (r >= 0 || p->l.pos != start)
			return r < 0 ? -1 : 0;
		mime_defect(p->df, MIME_D_PARAMS, start, "unterminated quoted string: the rest is the value");
		return raw_value(p, start + 1, v, 1);
	}
	if (mime_lex_token(&p->l, &s, &e)) {
		struct mime_lex after = p->l;
		if (skip(p) || mime_lex_eof(&p->l) || mime_lex_peek(&p->l) == ';' || at_param(p))
			return mime_buf_append(v, p->l.s + s, e - s);
		p->l = after;
	}
	if (mime_lex_eof(&p->l) || mime_lex_peek(&p->l) == ';') {
		mime_defect(p->df, MIME_D_PARAMS, start, "empty parameter value: skipped");
		return 1;
	}
	mime_defect(p->df, MIME_D_PARAMS, start, "unquoted special characters in a parameter value");
	return raw_value(p, start, v, 0);
}

/* parameter = attribute "=" value; 0 or -1. */
static int param(struct pp *p, struct mime_buf *v)
{
	size_t off = p->l.pos, ns, ne;
	int quoted;
	if (!mime_lex_token(&p->l, &ns, &ne)) {
		mime_defect(p->df, MIME_D_PARAMS, off, "bad parameter: skipped");
		to_semicolon(p);
		return 0;
	}
	if (skip(p) || mime_lex_peek(&p->l) != '=') {
		mime_defect(p->df, MIME_D_PARAMS, off, "parameter without '=': skipped");
		to_semicolon(p);
		return 0;
	}
	p->l.pos++;
	skip(p);
	mime_buf_reset(v);
	int r = value(p, v, &quoted);
	if (r)
		return r < 0 ? -1 : 0;
	if (!skip(p) && !mime_lex_eof(&p->l) && mime_lex_peek(&p->l) != ';' && !at_param(p)) {
		mime_defect(p->df, MIME_D_PARAMS, p->l.pos, "junk after a parameter value: skipped");
		to_semicolon(p);
	}
	return add_param(p, ns, ne, v, quoted, off);
}

/* *(";" parameter), each ';' optional where a parameter clearly follows. */
static int params(struct pp *p, int sep)
{
	struct mime_buf v = {0};
	int r = 0;
	while (!r) {
		if (skip(p) || mime_lex_eof(&p->l))
			break;
		if (mime_lex_peek(&p->l) == ';') {
			p->l.pos++;
			sep = 1;
			continue;
		}
		if (!sep && !at_param(p)) {
			mime_defect(p->df, MIME_D_PARAMS, p->l.pos, "junk before a parameter: skipped");
			to_semicolon(p);
			continue;
		}
		if (!sep)
			mime_defect(p->df, MIME_D_PARAMS, p->l.pos, "missing ';' before a parameter");
		r = param(p, &v);
		sep = 0;
	}
	mime_buf_free(&v);
	return r;
}

static int parse_params_at(struct pp *p, struct mime_param **ps, size_t *np, int sep)
{
	int r = params(p, sep);
	if (!r)
		r = finish(p, ps, np);
	entries_free(p);
	return r;
}

enum mime_status mime_params_parse(const char *v, size_t n, struct mime_param **ps, size_t *np,
		      struct mime_defects *df)
{
	struct pp p = {.df = df};
	mime_lex_init(&p.l, v, n);
	return parse_params_at(&p, ps, np, 1);
}

const struct mime_param *mime_param_get(const struct mime_param *ps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ieq(name, strlen(name), ps[i].name))
			return &ps[i];
	return NULL;
}

/* ---- Content-Type, Content-Disposition --------------------------------- */

/* [CFWS] token [CFWS]: the token lowercased in *out. 0, -1, -2 none. */
static int type_token(struct pp *p, char **out)
{
	size_t s, e;
	if (skip(p) || !mime_lex_token(&p->l, &s, &e))
		return -2;
	if (!(*out = dup_lower(p->l.s + s, e - s, 1)))
		return -1;
	skip(p);
	return 0;
}

/* RFC 2045 5.1: type "/" subtype *(";" parameter) */
enum mime_status mime_content_type_parse(const char *v, size_t n, struct mime_content_type *out,
			    struct mime_defects *df)
{
	struct pp p = {.df = df};
	int r;
	memset(out, 0, sizeof *out);
	mime_lex_init(&p.l, v, n);
	r = type_token(&p, &out->type);
	if (!r && mime_lex_peek(&p.l) != '/')
		r = -2;
	if (!r) {
		p.l.pos++;
		r = type_token(&p, &out->subtype);
	}
	if (!r)
		r = parse_params_at(&p, &out->params, &out->nparams, 0);
	if (r)
		mime_content_type_free(out);
	return r;
}

void mime_content_type_free(struct mime_content_type *ct)
{
	free(ct->type);
	free(ct->subtype);
	mime_params_free(ct->params, ct->nparams);
	memset(ct, 0, sizeof *ct);
}

/* RFC 2183 2: disposition-type *(";" disposition-parm) */
enum mime_status mime_disposition_parse(const char *v, size_t n, struct mime_disposition *out,
			   struct mime_defects *df)
{
	struct pp p = {.df = df};
	memset(out, 0, sizeof *out);
	mime_lex_init(&p.l, v, n);
	int r = type_token(&p, &out->type);
	if (!r)
		r = parse_params_at(&p, &out->params, &out->nparams, 0);
	if (r)
		mime_disposition_free(out);
	return r;
}

void mime_disposition_free(struct mime_disposition *d)
{
	free(d->type);
	mime_params_free(d->params, d->nparams);
	memset(d, 0, sizeof *d);
}

/* ---- Content-Transfer-Encoding, MIME-Version ------------------------------ */

enum mime_status mime_cte_parse(const char *v, size_t n, struct mime_buf *out)
{
	struct mime_lex l;
	size_t s, e, mark = out->len;
	mime_lex_init(&l, v, n);
	if (mime_lex_cfws(&l) < 0 || !mime_lex_token(&l, &s, &e) || mime_lex_cfws(&l) < 0 ||
	    !mime_lex_eof(&l))
		return -2;
	for (size_t i = s; i < e; i++)
		if (mime_buf_putc(out, mime_ascii_lower((unsigned char)v[i]))) {
			buf_cut(out, mark);
			return -1;
		}
	return 0;
}

static int version_number(struct mime_lex *l, int *v)
{
	size_t count = 0;
	*v = 0;
	if (mime_lex_cfws(l) < 0)
		return -2;
	while (mime_lex_peek(l) >= '0' && mime_lex_peek(l) <= '9' && count < 9) {
		*v = *v * 10 + (l->s[l->pos++] - '0');
		count++;
	}
	if (count == 0 || (mime_lex_peek(l) >= '0' && mime_lex_peek(l) <= '9'))
		return -2;
	return mime_lex_cfws(l) < 0 ? -2 : 0;
}

/* RFC 2045 4: version := "MIME-Version" ":" 1*DIGIT "." 1*DIGIT, with
 * comments allowed anywhere ("1.(produced by MetaSend Vx.x)0"). */
enum mime_status mime_version_parse(const char *v, size_t n, int *major, int *minor)
{
	struct mime_lex l;
	mime_lex_init(&l, v, n);
	if (version_number(&l, major) || mime_lex_peek(&l) != '.')
		return -2;
	l.pos++;
	if (version_number(&l, minor) || !mime_lex_eof(&l))
		return -2;
	return 0;
}

/* ---- printing --------------------------------------------------------------- */

static int is_token(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!mime_is_token_char((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* A name we can print: a token without the RFC 2231 '*'. */
static int good_name(const char *s)
{
	return s && is_token(s, strlen(s)) && !strchr(s, '*');
}

/* Printed as a quoted string, a value would come back the same: printable
 * ASCII (and tab) only, no "=?" (which readers decode as RFC 2047). */
static int quotable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return 0;
		if (c == '=' && i + 1 < n && s[i + 1] == '?')
			return 0;
	}
	return 1;
}

static int put_quoted(struct mime_buf *b, const char *s, size_t n)
{
	if (mime_buf_putc(b, '"'))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((s[i] == '"' || s[i] == '\\') && mime_buf_putc(b, '\\')) ||
		    mime_buf_putc(b, s[i]))
			return -1;
	return mime_buf_putc(b, '"');
}

/* name=value, value a token or a quoted string */
static int plain_token(struct mime_buf *b, const struct mime_param *pm)
{
	if (mime_buf_puts(b, pm->name) || mime_buf_putc(b, '='))
		return -1;
	if (is_token(pm->value, pm->value_len))
		return mime_buf_append(b, pm->value, pm->value_len);
	return put_quoted(b, pm->value, pm->value_len);
}

/* RFC 2231 7 attribute-char: token characters but '*', '\'' and '%'. */
static int attr_char(int c)
{
	return mime_is_token_char(c) && c != '*' && c != '\'' && c != '%';
}

static int put_ext_byte(struct mime_buf *b, unsigned char c)
{
	if (attr_char(c))
		return mime_buf_putc(b, c);
	char e[3] = {'%', mime_hex_upper[c >> 4], mime_hex_upper[c & 15]};
	return mime_buf_append(b, e, 3);
}

/* Bytes of the UTF-8 character at s[i] (1 for anything else). */
static size_t char_len(const char *s, size_t n, size_t i)
{
	size_t k = 1;
	if ((unsigned char)s[i] >= 0xc0)
		while (k < 4 && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k++;
	return k;
}

static size_t ext_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += attr_char((unsigned char)s[i]) ? 1 : 3;
	return w;
}

/* How many bytes of the value from i fit in room printed columns, whole
 * characters only (a section never splits an escape or a UTF-8 sequence,
 * for readers that decode sections one by one); at least one character. */
static size_t ext_chunk(const struct mime_param *pm, size_t i, size_t room)
{
	size_t used = 0, end = i;
	while (end < pm->value_len) {
		size_t k = char_len(pm->value, pm->value_len, end);
		size_t w = ext_width(pm->value + end, k);
		if (used + w > room && end > i)
			break;
		used += w;
		end += k;
	}
	return end - i;
}

/* "name*=" or "name*N*=", then "utf-8'lang'" on the first section. */
static int ext_head(struct mime_buf *b, const struct mime_param *pm, long sec)
{
	char num[24];
	if (mime_buf_puts(b, pm->name))
		return -1;
	if (sec >= 0) {
		snprintf(num, sizeof num, "*%ld", sec);
		if (mime_buf_puts(b, num))
			return -1;
	}
	if (mime_buf_append(b, "*=", 2))
		return -1;
	if (sec > 0)
		return 0;
	if (mime_buf_puts(b, "utf-8'") || mime_buf_puts(b, pm->language ? pm->language : ""))
		return -1;
	return mime_buf_putc(b, '\'');
}

/* RFC 2231 3, 4: "; name*=utf-8'lang'%XX..." or, when that does not fit
 * in a line, "; name*0*=utf-8'lang'...; name*1*=..." */
static int fold_ext(struct mime_fold *f, const struct mime_param *pm)
{
	size_t head = strlen(pm->name) + 9 + (pm->language ? strlen(pm->language) : 0);
	size_t total = ext_width(pm->value, pm->value_len);
	long sec = head + total <= LINE_ROOM ? -1 : 0;
	/* readers (ours included) take at most MAX_SECTION + 1 sections: with a
	 * long name, sections grow past the line width rather than outnumber
	 * that (a character is at most 12 columns: 4 escaped bytes) */
	size_t min_room = total / MAX_SECTION + 13;
	struct mime_buf b = {0};
	size_t i = 0;
	int r = 0;
	do {
		mime_buf_reset(&b);
		r = ext_head(&b, pm, sec);
		size_t room = b.len < LINE_ROOM ? LINE_ROOM - b.len : 0;
		size_t n = ext_chunk(pm, i, room > min_room ? room : min_room);
		for (size_t k = i; !r && k < i + n; k++)
			r = put_ext_byte(&b, (unsigned char)pm->value[k]);
		i += n;
		if (!r)
			r = mime_fold_token(f, ";", 1, MIME_FOLD_GLUE);
		if (!r)
			r = mime_fold_token(f, b.data, b.len, MIME_FOLD_SPACE);
		sec++;
	} while (!r && sec > 0 && i < pm->value_len);
	mime_buf_free(&b);
	return r;
}

static int good_language(const char *s)
{
	return !s || language_ok(s, strlen(s));
}

static int fold_param(struct mime_fold *f, const struct mime_param *pm)
{
	if (!good_name(pm->name) || !good_language(pm->language))
		return -2;
	if (!quotable(pm->value, pm->value_len) || (pm->language && pm->language[0]))
		return fold_ext(f, pm);
	struct mime_buf b = {0};
	int r = plain_token(&b, pm);
	if (!r && b.len > LINE_ROOM)
		r = 1;
	if (!r)
		r = mime_fold_token(f, ";", 1, MIME_FOLD_GLUE);
	if (!r)
		r = mime_fold_token(f, b.data, b.len, MIME_FOLD_SPACE);
	mime_buf_free(&b);
	return r == 1 ? fold_ext(f, pm) : r;
}

enum mime_status mime_params_fold(struct mime_fold *f, const struct mime_param *ps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = fold_param(f, &ps[i]);
		if (r)
			return r;
	}
	return 0;
}

enum mime_status mime_content_type_fold(struct mime_fold *f, const struct mime_content_type *ct)
{
	if (!ct->type || !ct->subtype || !is_token(ct->type, strlen(ct->type)) ||
	    !is_token(ct->subtype, strlen(ct->subtype)))
		return -2;
	struct mime_buf b = {0};
	int r = mime_buf_puts(&b, ct->type) || mime_buf_putc(&b, '/') ||
		mime_buf_puts(&b, ct->subtype) ? -1 : 0;
	if (!r)
		r = mime_fold_token(f, b.data, b.len, MIME_FOLD_SPACE);
	mime_buf_free(&b);
	return r ? r : mime_params_fold(f, ct->params, ct->nparams);
}

enum mime_status mime_disposition_fold(struct mime_fold *f, const struct mime_disposition *d)
{
	if (!d->type || !is_token(d->type, strlen(d->type)))
		return -2;
	int r = mime_fold_token(f, d->type, strlen(d->type), MIME_FOLD_SPACE);
	return r ? r : mime_params_fold(f, d->params, d->nparams);
}

static int field(struct mime_buf *out, const char *name, const struct mime_content_type *ct,
		 const struct mime_disposition *d)
{
	struct mime_fold f;
	size_t mark = out->len;
	mime_fold_init(&f, out);
	int r = mime_fold_begin(&f, name);
	if (!r)
		r = ct ? mime_content_type_fold(&f, ct) : mime_disposition_fold(&f, d);
	if (!r)
		r = mime_fold_end(&f);
	if (r)
		buf_cut(out, mark);
	return r;
}

enum mime_status mime_content_type_field(struct mime_buf *out, const struct mime_content_type *ct)
{
	return field(out, "Content-Type", ct, NULL);
}

enum mime_status mime_disposition_field(struct mime_buf *out, const struct mime_disposition *d)
{
	return field(out, "Content-Disposition", NULL, d);
}

/* ---- for people -------------------------------------------------------------- */

/* A value on one line: a token as is, else quoted; control characters
 * (which could drive a terminal) shown as U+FFFD. */
static int render_value(struct mime_buf *b, const char *s, size_t n)
{
	if (is_token(s, n))
		return mime_buf_append(b, s, n);
	if (mime_buf_putc(b, '"'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;
		if (c < 0x20 || c == 0x7f)
			r = mime_buf_puts(b, "\xef\xbf\xbd");
		else
			r = ((c == '"' || c == '\\') && mime_buf_putc(b, '\\')) || mime_buf_putc(b, c);
		if (r)
			return -1;
	}
	return mime_buf_putc(b, '"');
}

static int render_params(struct mime_buf *b, const struct mime_param *ps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mime_buf_append(b, "; ", 2) || mime_buf_puts(b, ps[i].name) ||
		    mime_buf_putc(b, '=') || render_value(b, ps[i].value, ps[i].value_len))
			return -1;
	return 0;
}

static int render_unfolded(const char *v, size_t n, struct mime_buf *out)
{
	while (n && is_space(v[n - 1]))
		n--;
	size_t i = 0;
	while (i < n && is_space(v[i]))
		i++;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		int r = 0;
		if (c == '\r' || c == '\n')
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			r = mime_buf_puts(out, "\xef\xbf\xbd");
		else
			r = mime_buf_putc(out, c);
		if (r)
			return -1;
	}
	return 0;
}

static int render_ct(const char *v, size_t n, struct mime_buf *out, struct mime_defects *df)
{
	struct mime_content_type ct;
	int r = mime_content_type_parse(v, n, &ct, df);
	if (r)
		return r;
	if (mime_buf_puts(out, ct.type) || mime_buf_putc(out, '/') ||
	    mime_buf_puts(out, ct.subtype) || render_params(out, ct.params, ct.nparams))
		r = -1;
	mime_content_type_free(&ct);
	return r;
}

static int render_disp(const char *v, size_t n, struct mime_buf *out, struct mime_defects *df)
{
	struct mime_disposition d;
	int r = mime_disposition_parse(v, n, &d, df);
	if (r)
		return r;
	if (mime_buf_puts(out, d.type) || render_params(out, d.params, d.nparams))
		r = -1;
	mime_disposition_free(&d);
	return r;
}

/* Content-Type when the value has a '/' before any ';', else
 * Content-Disposition, else the value unfolded. */
enum mime_status mime_params_render(const char *v, size_t n, struct mime_buf *out, struct mime_defects *df)
{
	size_t mark = out->len;
	const char *semi = n ? memchr(v, ';', n) : NULL, *slash = n ? memchr(v, '/', n) : NULL;
	int r = -2;
	if (slash && (!semi || slash < semi))
		r = render_ct(v, n, out, df);
	if (r == -2) {
		buf_cut(out, mark);
		r = render_disp(v, n, out, df);
	}
	if (r == -2) {
		buf_cut(out, mark);
		r = render_unfolded(v, n, out);
	}
	if (r)
		buf_cut(out, mark);
	return r;
}
