/* Unstructured values: a lossless tokenizer and unfolding; see
 * mime-unstructured.h. */
#include "lex.h"

#include <string.h>

void mime_unstructured_init(struct mime_unstructured *u, const char *s, size_t n,
			    unsigned flags)
{
	u->s = s;
	u->len = n;
	u->pos = 0;
	u->flags = flags;
}

/* RFC 3629 4: the well-formed UTF-8 byte sequences. */
size_t mime_unstructured_utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = p[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;          /* no overlongs */
	else if (c == 0xed)
		hi = 0x9f;          /* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;          /* nothing above U+10FFFF */
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* A line break that starts a fold (CRLF or LF, then WSP): its length, or 0. */
static size_t fold_break(const char *s, size_t n, size_t p)
{
	size_t b = p < n && s[p] == '\r' ? 1 : 0;
	if (p + b + 1 < n && s[p + b] == '\n' && mime_is_wsp((unsigned char)s[p + b + 1]))
		return b + 1;
	return 0;
}

static int cuts_word(const struct mime_unstructured *u, int c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0)
		return 1;
	if (c == '(' && (u->flags & MIME_UTOK_COMMENTS))
		return 1;
	if (c == '"' && (u->flags & MIME_UTOK_QUOTES))
		return 1;
	return (u->flags & MIME_UTOK_SPECIALS) && c < 0x80 && strchr(")<>[]:;@\\,", c);
}

static size_t word_len(const struct mime_unstructured *u)
{
	size_t p = u->pos;
	while (p < u->len && !cuts_word(u, (unsigned char)u->s[p])) {
		size_t l = mime_unstructured_utf8_len(u->s + p, u->len - p);
		if (!l)
			break;
		p += l;
	}
	return p - u->pos;
}

static size_t wsp_len(const char *s, size_t n, size_t p)
{
	size_t q = p;
	while (q < n && mime_is_wsp((unsigned char)s[q]))
		q++;
	return q - p;
}

/* RFC 5322 3.2.2 comment at s[p] (nested, quoted-pairs and folds inside, a
 * line break that is not a fold ends it unterminated): its length, or 0.
 * Nesting deeper than MAX_NEST counts as unterminated: that bounds the
 * rescans after an unterminated "(((((...", which would be quadratic. */
#define MAX_NEST 64

static size_t comment_len(const char *s, size_t n, size_t p)
{
	size_t q = p, f;
	int depth = 0;
	while (q < n) {
		int c = (unsigned char)s[q];
		if (c == '(' && ++depth > MAX_NEST)
			return 0;
		if (c == ')' && --depth == 0)
			return q + 1 - p;
		if (c == '\\' && q + 1 < n && s[q + 1] != '\r' && s[q + 1] != '\n')
			q += 2;
		else if (c != '\r' && c != '\n')
			q++;
		else if ((f = fold_break(s, n, q)) != 0)
			q += f;
		else
			return 0;
	}
	return 0;
}

/* A comment or a quoted string at the cursor: its length, 0 if malformed. */
static size_t bracketed_len(const struct mime_unstructured *u, int c)
{
	struct mime_lex l;
	if (c == '(')
		return comment_len(u->s, u->len, u->pos);
	mime_lex_init(&l, u->s, u->len);
	l.pos = u->pos;
	return mime_lex_quoted_string(&l, NULL) == 1 ? l.pos - u->pos : 0;
}

static enum mime_utok_kind classify(const struct mime_unstructured *u, size_t *len)
{
	const char *s = u->s;
	size_t p = u->pos, f;
	int c = (unsigned char)s[p];
	*len = 1;
	if (mime_is_wsp(c)) {
		*len = wsp_len(s, u->len, p);
		return MIME_UTOK_WSP;
	}
	if ((f = fold_break(s, u->len, p)) != 0) {
		*len = f + wsp_len(s, u->len, p + f);
		return MIME_UTOK_FWS;
	}
	if ((c == '(' && (u->flags & MIME_UTOK_COMMENTS)) ||
	    (c == '"' && (u->flags & MIME_UTOK_QUOTES))) {
		size_t b = bracketed_len(u, c);
		if (!b)
			return MIME_UTOK_INVALID;
		*len = b;
		return c == '(' ? MIME_UTOK_COMMENT : MIME_UTOK_QUOTED;
	}
	if (c == 0 || c == '\r' || c == '\n')
		return MIME_UTOK_INVALID;
	if (cuts_word(u, c))
		return MIME_UTOK_SPECIAL;
	*len = word_len(u);
	if (*len == 0) {
		*len = 1;
		return MIME_UTOK_INVALID;
	}
	return MIME_UTOK_WORD;
}

int mime_unstructured_next(struct mime_unstructured *u, struct mime_utoken *t)
{
	if (u->pos >= u->len)
		return 0;
	size_t len;
	t->kind = classify(u, &len);
	t->s = u->s + u->pos;
	t->len = len;
	t->offset = u->pos;
	u->pos += len;
	return 1;
}

/* RFC 5322 2.2.3: "Unfolding is accomplished by simply removing any CRLF
 * that is immediately followed by WSP." Bare LF too (obs-FWS, 4.2). */
enum mime_status mime_unstructured_unfold(const char *s, size_t n, struct mime_buf *out)
{
	size_t start = 0;
	for (size_t p = 0; p < n; p++) {
		size_t f = fold_break(s, n, p);
		if (!f)
			continue;
		if (mime_buf_append(out, s + start, p - start))
			return -1;
		p += f - 1;
		start = p + 1;
	}
	if (mime_buf_append(out, s + start, n - start))
		return -1;
	return 0;
}
