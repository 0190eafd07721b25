/* Received fields: RFC 5322 3.6.7 (received-token list, ";", date-time)
 * read as the RFC 5321 4.4 Stamp; see mime-received.h. */
#include "mime.h"
#include "lex.h"

#include <stdlib.h>
#include <string.h>

/* RFC 5321 4.4 keywords, and RFC 8314's registered "tls" clause. A
 * keyword always opens a clause; any other word continues the current
 * clause's value, or, after a comment, opens an additional clause
 * ("Additional-Registered-Clauses = CFWS Atom FWS String"). */
static const char *const keywords[] = {"from", "by", "via", "with", "id", "for", "tls"};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

static int keyword_index(const char *s, size_t n)
{
	for (size_t i = 0; i < NKEYWORDS; i++)
		if (mime_ascii_is(s, n, keywords[i]))
			return (int)i;
	return -1;
}

static struct mime_received_clause *named_clause(struct mime_received *r, int k)
{
	struct mime_received_clause *c[] = {&r->from, &r->by, &r->via, &r->with, &r->id, &r->for_};
	return k >= 0 && k < 6 ? c[k] : NULL;
}

/* ---- words ---------------------------------------------------------------- */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_break(int c)
{
	return is_space(c) || c == '(' || c == ';';
}

/* Skip a bracketed run "[...]" or "<...>" starting at p; returns the end,
 * or p when the closing byte does not come before a delimiter. A second
 * opening byte is a delimiter too, so that a run of them costs linear
 * time. */
static size_t bracketed(const char *s, size_t n, size_t p, char close)
{
	for (size_t i = p + 1; i < n; i++) {
		if (s[i] == close)
			return i + 1;
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '(' || s[i] == ';' || s[i] == s[p] ||
		    (close == ']' && mime_is_wsp((unsigned char)s[i])))
			return p;
	}
	return p;
}

/* One received-token as written: a run of bytes up to white space, a
 * comment, ";" (or the end), in which quoted strings, domain literals and
 * angle addresses are taken whole. Returns the end offset (> p when a
 * word is there); *bad gets WORD_OPEN_QUOTE or WORD_OPEN_BRACKET when one
 * is not closed (the byte is then taken as it is). */
#define WORD_OPEN_QUOTE 1
#define WORD_OPEN_BRACKET 2
static size_t word_end(const char *s, size_t n, size_t p, int *bad)
{
	while (p < n && !is_break((unsigned char)s[p])) {
		size_t e = p;
		if (s[p] == '"') {
			struct mime_lex l = {s, n, p};
			if (mime_lex_quoted_string(&l, NULL) == 1)
				e = l.pos;
			else
				*bad |= WORD_OPEN_QUOTE;
		} else if (s[p] == '[' || s[p] == '<') {
			e = bracketed(s, n, p, s[p] == '[' ? ']' : '>');
			if (e == p)
				*bad |= WORD_OPEN_BRACKET;
		}
		p = e > p ? e : p + 1;
	}
	return p;
}

/* ---- the parser ------------------------------------------------------------ */

enum { ST_START, ST_VALUE, ST_MORE, ST_AFTER };
/* ST_START: nothing yet; ST_VALUE: a keyword waits for its value (across
 * comments: RFC 5322 allows CFWS between any two received-tokens);
 * ST_MORE: words continue the value; ST_AFTER: a comment or a stray ";"
 * ended the clause, a word opens a new one. */

struct rp {
	const char *v;
	size_t n;
	struct mime_received *r;
	struct mime_defects *df;
	struct mime_received_clause *cur;
	int state;
	/* the string appended to last, its length and allocation: a value of
	   many words grows in amortised constant time */
	char **last;
	size_t last_len, last_cap;
};

/* Append n bytes to *dst, after one space when sep and *dst is not empty;
 * line breaks are dropped (RFC 5322 2.2.3 unfolding), and so are NUL
 * bytes, which no field may hold (RFC 5322 2.2; reported once by
 * mime_received_parse). 0 or -1. */
static int str_add(struct rp *p, char **dst, const char *s, size_t n, int sep)
{
	if (p->last != dst) {
		p->last = dst;
		p->last_len = *dst ? strlen(*dst) : 0;
		p->last_cap = *dst ? p->last_len + 1 : 0;
	}
	size_t len = p->last_len, add = sep && len ? 1 : 0;
	if (len + add + n + 1 > p->last_cap) {
		size_t cap = p->last_cap * 2 > len + add + n + 1 ? p->last_cap * 2 : len + add + n + 1;
		char *t = realloc(*dst, cap);
		if (!t)
			return -1;
		*dst = t;
		p->last_cap = cap;
	}
	char *d = *dst;
	if (add)
		d[len++] = ' ';
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\r' && s[i] != '\n' && s[i] != '\0')
			d[len++] = s[i];
	d[len] = '\0';
	p->last_len = len;
	return 0;
}

static int new_extra(struct rp *p, const char *name, size_t len)
{
	struct mime_received *r = p->r;
	struct mime_received_clause *x = realloc(r->extra, (r->nextra + 1) * sizeof *x);
	if (!x)
		return -1;
	r->extra = x;
	p->last = NULL;  /* the clauses may have moved */
	p->cur = &x[r->nextra++];
	memset(p->cur, 0, sizeof *p->cur);
	return str_add(p, &p->cur->name, name, len, 0);
}

/* The clause being read ends: a keyword that never got a value. */
static void end_clause(struct rp *p, size_t at)
{
	if (p->state == ST_VALUE)
		mime_defect(p->df, MIME_D_RECEIVED, at, "Received: clause without a value");
}

/* A keyword opens its clause (a repeated one goes to extra). */
static int open_keyword(struct rp *p, size_t s, size_t e, int k)
{
	struct mime_received_clause *c = named_clause(p->r, k);
	end_clause(p, s);
	if (c && !c->value) {
		p->cur = c;
	} else {
		if (c)
			mime_defect(p->df, MIME_D_RECEIVED, s, "Received: repeated clause");
		if (new_extra(p, p->v + s, e - s))
			return -1;
	}
	p->state = ST_VALUE;
	return str_add(p, &p->cur->value, "", 0, 0);
}

static int on_word(struct rp *p, size_t s, size_t e)
{
	int k = keyword_index(p->v + s, e - s);
	if (k >= 0)
		return open_keyword(p, s, e, k);
	if (p->state == ST_VALUE || p->state == ST_MORE) {
		int sep = p->state == ST_MORE;
		p->state = ST_MORE;
		return str_add(p, &p->cur->value, p->v + s, e - s, sep);
	}
	/* RFC 5321 4.4 Additional-Registered-Clauses: Atom FWS String */
	if (new_extra(p, p->v + s, e - s) || str_add(p, &p->cur->value, "", 0, 0))
		return -1;
	p->state = ST_VALUE;
	return 0;
}

/* A comment: the info of the clause before it (or of the whole field). */
static int on_comment(struct rp *p, struct mime_lex *l)
{
	struct mime_buf t = {0};
	size_t start = l->pos;
	int rc = mime_lex_comment(l, &t);
	if (rc < 0 && l->pos == start) {
		/* unterminated: the rest of the value is its text */
		mime_defect(p->df, MIME_D_RECEIVED, start, "Received: unterminated comment");
		mime_buf_reset(&t);
		rc = mime_buf_append(&t, l->s + start + 1, l->len - start - 1);
		l->pos = l->len;
	}
	if (rc >= 0 && !t.data)
		rc = mime_buf_append(&t, "", 0);
	char **dst = p->cur ? &p->cur->info : &p->r->info;
	if (rc >= 0)
		rc = str_add(p, dst, t.data, t.len, *dst != NULL);
	mime_buf_free(&t);
	/* a keyword still waits for its value: "from (comment) host" */
	if (p->cur && p->state != ST_VALUE)
		p->state = ST_AFTER;
	return rc < 0 ? -1 : 0;
}

static int parse_clauses(struct rp *p, size_t end)
{
	struct mime_lex l;
	mime_lex_init(&l, p->v, end);
	while (l.pos < end) {
		int c = (unsigned char)p->v[l.pos];
		if (is_space(c)) {
			l.pos++;
		} else if (c == '(') {
			if (on_comment(p, &l))
				return -1;
		} else if (c == ';') {
			mime_defect(p->df, MIME_D_RECEIVED, l.pos, "Received: ';' before the last one");
			end_clause(p, l.pos);
			p->state = p->cur ? ST_AFTER : p->state;
			l.pos++;
		} else {
			int bad = 0;
			size_t e = word_end(p->v, end, l.pos, &bad);
			if (bad & WORD_OPEN_QUOTE)
				mime_defect(p->df, MIME_D_RECEIVED, l.pos, "Received: unterminated quoted string");
			if (on_word(p, l.pos, e))
				return -1;
			l.pos = e;
		}
	}
	end_clause(p, end);
	return 0;
}

/* The offset of the last ";" outside comments and words (quoted strings,
 * brackets: the words of parse_clauses), or n. */
static size_t find_semi(const char *v, size_t n)
{
	struct mime_lex l;
	size_t semi = n;
	mime_lex_init(&l, v, n);
	while (l.pos < n) {
		int c = (unsigned char)v[l.pos], bad = 0;
		if (is_space(c)) {
			l.pos++;
		} else if (c == '(') {
			if (mime_lex_comment(&l, NULL) != 1)
				break;  /* unterminated: the rest is comment */
		} else if (c == ';') {
			semi = l.pos++;
		} else {
			l.pos = word_end(v, n, l.pos, &bad);
		}
	}
	return semi;
}

/* Defects of the date parser, moved from offsets in date_text (unfolded)
 * to offsets in the whole value. */
struct shift {
	struct mime_defects *df;
	const char *v;
	size_t base, end;
};

static void shifted(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	struct shift *s = ctx;
	size_t i = s->base;
	for (uint64_t kept = 0; i < s->end; i++) {
		int c = (unsigned char)s->v[i];
		if (c != '\r' && c != '\n' && c != '\0' && kept++ == off)
			break;
	}
	mime_defect(s->df, code, i, what);
}

/* The date is read from date_text, so that printing date_text and reading
 * it back always gives the same has_date and date. */
static int parse_date(struct rp *p, size_t semi)
{
	struct mime_received *r = p->r;
	size_t s = semi + 1, e = p->n;
	while (s < e && is_space((unsigned char)p->v[s]))
		s++;
	while (e > s && is_space((unsigned char)p->v[e - 1]))
		e--;
	if (str_add(p, &r->date_text, p->v + s, e - s, 0))
		return -1;
	struct shift sh = {p->df, p->v, s, e};
	struct mime_defects sub = {.fn = shifted, .ctx = &sh};
	size_t errpos = 0, len = strlen(r->date_text);
	if (mime_date_parse(r->date_text, len, &r->date, &errpos, p->df ? &sub : NULL) == 0) {
		r->has_date = 1;
	} else {
		memset(&r->date, 0, sizeof r->date);
		shifted(&sh, MIME_D_RECEIVED, errpos, "Received: unreadable date");
	}
	return 0;
}

enum mime_status mime_received_parse(const char *v, size_t n, struct mime_received *r,
			struct mime_defects *df)
{
	memset(r, 0, sizeof *r);
	struct rp p = {.v = v, .n = n, .r = r, .df = df, .state = ST_START};
	const char *nul = memchr(v, '\0', n);
	if (nul)
		mime_defect(df, MIME_D_RECEIVED, (uint64_t)(nul - v), "Received: NUL byte (dropped)");
	size_t semi = find_semi(v, n);
	if (parse_clauses(&p, semi))
		return -1;
	if (semi == n) {
		/* RFC 5322 4.5.6 obs-received: no date */
		mime_defect(df, MIME_D_RECEIVED, n, "Received: no ';' and date");
		return 0;
	}
	return parse_date(&p, semi);
}

static void clause_free(struct mime_received_clause *c)
{
	free(c->name);
	free(c->value);
	free(c->info);
	memset(c, 0, sizeof *c);
}

void mime_received_free(struct mime_received *r)
{
	if (!r)
		return;
	for (int k = 0; k < 6; k++)
		clause_free(named_clause(r, k));
	for (size_t i = 0; i < r->nextra; i++)
		clause_free(&r->extra[i]);
	free(r->extra);
	free(r->info);
	free(r->date_text);
	memset(r, 0, sizeof *r);
}

/* ---- the printer ----------------------------------------------------------- */

struct pr {
	struct mime_fold f;
	const struct mime_received *r;
	int after_comment;  /* the last thing printed was a comment (or nothing) */
	int open_value;     /* the last clause printed had an empty value: a
			       word after it would be read as its value */
};

/* The keyword, then each word of the value as a token, so that reading
 * them back gives the value: words joined by one space, none a keyword,
 * nothing that breaks a word. The first word stays on the keyword's line
 * (a space inside a GLUE token is never folded). */
static int print_words(struct pr *p, const char *kw, const char *s)
{
	size_t n = strlen(s), pos = 0;
	if (mime_fold_token(&p->f, kw, strlen(kw), MIME_FOLD_SPACE))
		return p->f.error;
	while (pos < n) {
		int bad = 0;
		size_t e = word_end(s, n, pos, &bad);
		if (e == pos || bad || (e < n && s[e] != ' ') || e + 1 == n)
			return -2;
		if (keyword_index(s + pos, e - pos) >= 0)
			return -2;
		if (pos == 0 ? mime_fold_token(&p->f, " ", 1, MIME_FOLD_GLUE) ||
				       mime_fold_token(&p->f, s, e, MIME_FOLD_GLUE)
			     : mime_fold_token(&p->f, s + pos, e - pos, MIME_FOLD_SPACE))
			return p->f.error;
		pos = e + (e < n);
	}
	return 0;
}

/* s as tokens split at its spaces, where a fold may go: a run of spaces
 * stays before the next token (no line of white space only), and a space
 * after a backslash is never a fold point (a quoted pair "\ " must not
 * become "\" CRLF, RFC 5322 3.2.1). The first token is SPACE-led. */
static int print_split(struct pr *p, const char *s, size_t n)
{
	size_t pos = 0;
	while (pos < n) {
		size_t e = pos;
		while (e < n && s[e] == ' ')
			e++;
		while (e < n && (s[e] != ' ' || s[e - 1] == '\\'))
			e++;
		if (mime_fold_token(&p->f, s + pos, e - pos, MIME_FOLD_SPACE))
			return p->f.error;
		pos = e + 1;
	}
	return 0;
}

/* Balanced parentheses can stay as they are in a comment (RFC 5322 3.2.2
 * ccontent nests); unbalanced ones are quoted. */
static int balanced(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return 0;
	}
	return depth == 0;
}

/* "(" text ")", with quoted pairs where needed, as tokens split at the
 * spaces (where the comment may fold); runs of spaces are kept. */
static int print_comment(struct pr *p, const char *text)
{
	struct mime_buf b = {0};
	int keep = balanced(text), rc = 0;
	rc |= mime_buf_putc(&b, '(');
	for (const char *s = text; *s && !rc; s++) {
		if (*s == '\r' || *s == '\n') {
			mime_buf_free(&b);
			return -2;
		}
		if (*s == '\\' || (!keep && (*s == '(' || *s == ')')))
			rc |= mime_buf_putc(&b, '\\');
		rc |= mime_buf_putc(&b, *s);
	}
	rc |= mime_buf_putc(&b, ')');
	if (!rc)
		rc = print_split(p, b.data, b.len);
	mime_buf_free(&b);
	p->after_comment = 1;
	return rc;
}

static int print_clause(struct pr *p, const char *kw, const struct mime_received_clause *c)
{
	if (!c->value)
		return 0;
	if (p->open_value && keyword_index(kw, strlen(kw)) < 0)
		return -2;  /* it would be read as the value of the clause before */
	int rc = print_words(p, kw, c->value);
	p->after_comment = 0;
	p->open_value = !*c->value;
	if (!rc && c->info)
		rc = print_comment(p, c->info);
	return rc;
}

/* An extra clause must read back as one: a keyword whose named clause is
 * present, or another name where a new clause can start. */
static int print_extra(struct pr *p, const struct mime_received_clause *c)
{
	const char *name = c->name;
	size_t n = name ? strlen(name) : 0;
	int bad = 0;
	if (!n || word_end(name, n, 0, &bad) != n || bad)
		return -2;
	int k = keyword_index(name, n);
	const struct mime_received *r = p->r;
	const struct mime_received_clause *named[] = {&r->from, &r->by, &r->via, &r->with, &r->id, &r->for_};
	if (k >= 0 && k < 6 && !named[k]->value)
		return -2;
	if (k < 0 && !p->after_comment)
		return -2;
	return print_clause(p, name, c);
}

static int print_date(struct pr *p)
{
	const struct mime_received *r = p->r;
	struct mime_buf d = {0};
	int rc = 0;
	if (r->has_date)
		rc = mime_date_print(&r->date, &d);
	else if (r->date_text)
		rc = mime_buf_append(&d, r->date_text, strlen(r->date_text));
	else
		return 0;
	if (!rc && !d.data)
		rc = mime_buf_append(&d, "", 0);
	if (!rc && (strpbrk(d.data, "\r\n") || find_semi(d.data, d.len) != d.len ||
		    (d.len && (mime_is_wsp((unsigned char)d.data[0]) ||
			       mime_is_wsp((unsigned char)d.data[d.len - 1])))))
		rc = -2;
	if (!rc)
		rc = mime_fold_token(&p->f, ";", 1, MIME_FOLD_GLUE);
	if (!rc)
		rc = print_split(p, d.data, d.len);
	mime_buf_free(&d);
	return rc;
}

static int print_all(struct pr *p)
{
	const struct mime_received *r = p->r;
	const struct mime_received_clause *c[] = {&r->from, &r->by, &r->via, &r->with, &r->id, &r->for_};
	int rc = mime_fold_begin(&p->f, "Received");
	p->after_comment = 1;
	if (!rc && r->info)
		rc = print_comment(p, r->info);
	for (int k = 0; k < 6 && !rc; k++)
		rc = print_clause(p, keywords[k], c[k]);
	for (size_t i = 0; i < r->nextra && !rc; i++)
		rc = print_extra(p, &r->extra[i]);
	if (!rc)
		rc = print_date(p);
	if (!rc)
		rc = mime_fold_end(&p->f);
	return rc;
}

enum mime_status mime_received_field(struct mime_buf *out, const struct mime_received *r)
{
	struct pr p = {.r = r};
	size_t len = out->len;
	mime_fold_init(&p.f, out);
	int rc = print_all(&p);
	if (rc) {
		out->len = len;
		if (out->data)
			out->data[len] = '\0';
	}
	return rc;
}

/* ---- protocol names --------------------------------------------------------- */

/* RFC 3848 and RFC 6531 3.7.3: [UTF8] (SMTP | LMTP) [S] [A], where an
 * E before SMTP marks the extended forms ("ESMTP", "ESMTPSA"). */
int mime_received_with_flags(const char *with)
{
	if (!with)
		return -1;
	unsigned f = 0;
	const char *s = with;
	if (mime_ascii_caseeq(s, 4, "UTF8", 4)) {
		f |= MIME_WITH_UTF8 | MIME_WITH_ESMTP;
		s += 4;
	} else if (mime_ascii_caseeq(s, 5, "ESMTP", 5)) {
		f |= MIME_WITH_ESMTP;
		s++;
	}
	if (mime_ascii_caseeq(s, 4, "LMTP", 4))
		f = (f & ~MIME_WITH_ESMTP) | MIME_WITH_LMTP;
	else if (!mime_ascii_caseeq(s, 4, "SMTP", 4) || (f == 0 && s[4]))
		return -1;
	s += 4;
	if (*s == 'S' || *s == 's') {
		f |= MIME_WITH_TLS;
		s++;
	}
	if (*s == 'A' || *s == 'a') {
		f |= MIME_WITH_AUTH;
		s++;
	}
	return *s ? -1 : (int)f;
}
