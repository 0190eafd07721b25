/* RFC 5322 3.6.4 msg-id with the obsolete forms of 4.5.4 (CFWS inside,
 * obs-id-left = local-part, obs-id-right = domain), lists of them, and
 * new ids. */
#include "lex.h"

#include <stdlib.h>
#include <string.h>

struct mp {
	struct mime_lex l;
	struct mime_buf *out;
	size_t err;
};

static int fail(struct mp *p, size_t pos)
{
	p->err = pos;
	return -2;
}

static int skip(struct mp *p)
{
	return mime_lex_cfws(&p->l) < 0 ? fail(p, p->l.pos) : 0;
}

static int all_atext(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!mime_is_atext((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* A quoted word in canonical form: bare when it is an atom, else quoted
 * with only '"' and '\' escaped. Control characters (other than the white
 * space a quoted string keeps) make no usable id. */
static int quoted_word(struct mp *p, size_t at, const struct mime_buf *q)
{
	const char *s = q->data ? q->data : "";
	if (all_atext(s, q->len))
		return mime_buf_append(p->out, s, q->len);
	if (mime_buf_putc(p->out, '"'))
		return -1;
	for (size_t i = 0; i < q->len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(p, at);
		if ((c == '"' || c == '\\') && mime_buf_putc(p->out, '\\'))
			return -1;
		if (mime_buf_putc(p->out, c))
			return -1;
	}
	return mime_buf_putc(p->out, '"');
}

/* word = atom / quoted-string (CFWS already skipped) */
static int word(struct mp *p, int quoted_ok)
{
	size_t at = p->l.pos, s, e;
	if (mime_lex_atext(&p->l, &s, &e))
		return mime_buf_append(p->out, p->l.s + s, e - s);
	if (!quoted_ok || mime_lex_peek(&p->l) != '"')
		return fail(p, at);
	struct mime_buf q = {0};
	int r = mime_lex_quoted_string(&p->l, &q);
	if (r < 0)
		r = p->l.pos == at ? fail(p, at) : -1;
	else
		r = quoted_word(p, at, &q);
	mime_buf_free(&q);
	return r;
}

/* word *("." word) with CFWS around each part (obs-local-part), or
 * atom *("." atom) (obs-domain). */
static int dotted(struct mp *p, int quoted_ok)
{
	for (;;) {
		int r = skip(p);
		if (!r)
			r = word(p, quoted_ok);
		if (!r)
			r = skip(p);
		if (r)
			return r;
		if (mime_lex_peek(&p->l) != '.')
			return 0;
		p->l.pos++;
		if (mime_buf_putc(p->out, '.'))
			return -1;
	}
}

/* domain-literal = "[" *([FWS] dtext) [FWS] "]", FWS dropped; obs-dtext
 * quoted-pairs kept as written. */
static int literal(struct mp *p)
{
	size_t at = p->l.pos;
	p->l.pos++;
	if (mime_buf_putc(p->out, '['))
		return -1;
	for (;;) {
		mime_lex_fws(&p->l);
		int c = mime_lex_peek(&p->l);
		size_t n = 1;
		if (c == ']')
			break;
		if (c == '\\' && p->l.pos + 1 < p->l.len && p->l.s[p->l.pos + 1] > 0x20)
			n = 2;
		else if (c <= 0x20 || c == 0x7f || c == '[' || c == '\\')
			return fail(p, c < 0 ? at : p->l.pos);
		if (mime_buf_append(p->out, p->l.s + p->l.pos, n))
			return -1;
		p->l.pos += n;
	}
	p->l.pos++;
	return mime_buf_putc(p->out, ']');
}

/* [CFWS] "<" id-left "@" id-right ">" (the caller skips the trailing
 * CFWS); the canonical form is appended to p->out (partial on failure). */
static int msgid(struct mp *p)
{
	int r = skip(p);
	if (r)
		return r;
	if (mime_lex_peek(&p->l) != '<')
		return fail(p, p->l.pos);
	p->l.pos++;
	if (mime_buf_putc(p->out, '<'))
		return -1;
	if ((r = dotted(p, 1)) != 0)
		return r;
	if (mime_lex_peek(&p->l) != '@')
		return fail(p, p->l.pos);
	p->l.pos++;
	if (mime_buf_putc(p->out, '@'))
		return -1;
	if ((r = skip(p)) != 0)
		return r;
	r = mime_lex_peek(&p->l) == '[' ? literal(p) : dotted(p, 0);
	if (!r)
		r = skip(p);
	if (r)
		return r;
	if (mime_lex_peek(&p->l) != '>')
		return fail(p, p->l.pos);
	p->l.pos++;
	return mime_buf_putc(p->out, '>');
}

enum mime_status mime_msgid_parse(const char *v, size_t n, struct mime_buf *out, size_t *errpos)
{
	struct mp p = {.out = out};
	size_t mark = out->len;
	mime_lex_init(&p.l, v, n);
	int r = msgid(&p);
	if (!r)
		r = skip(&p);
	if (!r && !mime_lex_eof(&p.l))
		r = fail(&p, p.l.pos);
	if (r) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
		if (r == -2 && errpos)
			*errpos = p.err;
	}
	return r;
}

/* ---- lists --------------------------------------------------------------- */

static int push(struct mime_msgid_list *l, const char *s, size_t n)
{
	char **ids = realloc(l->ids, (l->count + 1) * sizeof *ids);
	if (!ids)
		return -1;
	l->ids = ids;
	char *d = malloc(n + 1);
	if (!d)
		return -1;
	memcpy(d, s, n);
	d[n] = '\0';
	ids[l->count++] = d;
	return 0;
}

/* After a broken id: resume after its ">", or at the next "<". */
static void resync(struct mime_lex *l, size_t start)
{
	l->pos = start + 1;
	while (!mime_lex_eof(l)) {
		int c = mime_lex_peek(l);
		if (c == '<')
			return;
		l->pos++;
		if (c == '>')
			return;
	}
}

/* One item of obs-in-reply-to / obs-references: a msg-id, or a phrase
 * word, or (a defect) anything else. 0, -1, or 1: stop here. */
static int list_item(struct mp *p, struct mime_msgid_list *l, struct mime_defects *df)
{
	size_t at = p->l.pos;
	int c = mime_lex_peek(&p->l);
	if (c == '<') {
		mime_buf_reset(p->out);
		int r = msgid(p);
		if (r == -1)
			return -1;
		if (r == 0)
			return push(l, p->out->data, p->out->len);
		mime_defect(df, MIME_D_MSGID, p->err, "broken message id skipped");
		resync(&p->l, at);
		return 0;
	}
	if (c == '"') {
		if (mime_lex_quoted_string(&p->l, NULL) >= 0)
			return 0;
		mime_defect(df, MIME_D_MSGID, at, "unterminated quoted string in a message id list");
		return 1;
	}
	if (!mime_lex_atext(&p->l, NULL, NULL)) {
		if (c != '.')
			mime_defect(df, MIME_D_MSGID, at, "unexpected character in a message id list");
		p->l.pos++;
	}
	return 0;
}

enum mime_status mime_msgid_list_parse(const char *v, size_t n, struct mime_msgid_list *out,
			  struct mime_defects *df)
{
	struct mime_buf b = {0};
	struct mp p = {.out = &b};
	int r = 0;
	out->ids = NULL;
	out->count = 0;
	mime_lex_init(&p.l, v, n);
	while (r == 0) {
		if (mime_lex_cfws(&p.l) < 0) {
			mime_defect(df, MIME_D_MSGID, p.l.pos, "unterminated comment in a message id list");
			break;
		}
		if (mime_lex_eof(&p.l))
			break;
		r = list_item(&p, out, df);
	}
	mime_buf_free(&b);
	if (r < 0)
		mime_msgid_list_free(out);
	return r < 0 ? -1 : 0;
}

void mime_msgid_list_free(struct mime_msgid_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->ids[i]);
	free(l->ids);
	l->ids = NULL;
	l->count = 0;
}

/* ---- new ids ------------------------------------------------------------- */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* RFC 4648 6 base32, lowercase, no padding */
static int base32(const unsigned char *s, size_t n, struct mime_buf *out)
{
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | s[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			if (mime_buf_putc(out, b32[(acc >> bits) & 31]))
				return -1;
		}
	}
	if (bits && mime_buf_putc(out, b32[(acc << (5 - bits)) & 31]))
		return -1;
	return 0;
}

/* A non-negative number in base 32, most significant digit first. */
static int base32_number(uint64_t v, struct mime_buf *out)
{
	char d[16];
	size_t n = 0;
	do {
		d[n++] = b32[v & 31];
		v >>= 5;
	} while (v);
	while (n)
		if (mime_buf_putc(out, d[--n]))
			return -1;
	return 0;
}

enum mime_status mime_msgid_make(const unsigned char *rnd, size_t n, int64_t now, const char *domain,
		    struct mime_buf *out)
{
	struct mime_lex l;
	size_t dn = strlen(domain), mark = out->len;
	mime_lex_init(&l, domain, dn);
	if (n == 0 || n > 64 || now < 0 || !mime_lex_dot_atom_text(&l, NULL, NULL) || l.pos != dn)
		return -2;
	if (mime_buf_putc(out, '<') || base32(rnd, n, out) || mime_buf_putc(out, '.') ||
	    base32_number((uint64_t)now, out) || mime_buf_putc(out, '@') ||
	    mime_buf_append(out, domain, dn) || mime_buf_putc(out, '>')) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
		return -1;
	}
	return 0;
}
