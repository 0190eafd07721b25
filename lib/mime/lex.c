/* RFC 5322 3.2 lexical tokens; see lex.h. */
#include "lex.h"
#include "ascii-int.h"

#include <string.h>

int mime_is_atext(int c)
{
	if (c >= 0x80)
		return c <= 0xff;
	if (mime_is_alnum(c))
		return 1;
	return c > 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

int mime_is_special(int c)
{
	return c > 0 && c < 0x80 && strchr("()<>[]:;@\\,.\"", c) != NULL;
}

int mime_is_tspecial(int c)
{
	return c > 0 && c < 0x80 && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

int mime_is_token_char(int c)
{
	return c > 0x20 && c < 0x7f && !mime_is_tspecial(c);
}

/* A line break that continues the field: CRLF or bare LF, then WSP. */
static size_t fold_len(const struct mime_lex *l, size_t p)
{
	size_t n = 0;
	if (p < l->len && l->s[p] == '\r')
		n = 1;
	if (p + n < l->len && l->s[p + n] == '\n' && p + n + 1 < l->len &&
	    mime_is_wsp((unsigned char)l->s[p + n + 1]))
		return n + 1;
	return 0;
}

int mime_lex_fws(struct mime_lex *l)
{
	size_t start = l->pos;
	for (;;) {
		int c = mime_lex_peek(l);
		size_t f;
		if (mime_is_wsp(c))
			l->pos++;
		else if ((f = fold_len(l, l->pos)) != 0)
			l->pos += f;
		else
			break;
	}
	return l->pos > start;
}

/* RFC 5322 3.2.1 quoted-pair, with obs-qp (4.1): backslash and any octet
 * except a line break. */
static int quoted_pair(struct mime_lex *l, struct mime_buf *out)
{
	if (l->pos + 1 >= l->len || l->s[l->pos] != '\\')
		return 0;
	int c = (unsigned char)l->s[l->pos + 1];
	if (c == '\r' || c == '\n')
		return 0;
	if (out && mime_buf_putc(out, c))
		return -1;
	l->pos += 2;
	return 1;
}

/* Append the white space of an FWS run, dropping the line breaks. */
static int fws_text(struct mime_lex *l, struct mime_buf *out)
{
	size_t start = l->pos;
	if (!mime_lex_fws(l))
		return 0;
	if (!out)
		return 1;
	for (size_t i = start; i < l->pos; i++)
		if (mime_is_wsp((unsigned char)l->s[i]) && mime_buf_putc(out, l->s[i]))
			return -1;
	return 1;
}

#define MIME_LEX_MAX_NESTING 64

int mime_lex_comment(struct mime_lex *l, struct mime_buf *text)
{
	if (mime_lex_peek(l) != '(')
		return 0;
	size_t start = l->pos;
	int depth = 0;
	while (l->pos < l->len) {
		int c = (unsigned char)l->s[l->pos];
		int r;
		if (c == '(') {
			/* deeper nesting is refused: it also keeps a tolerant caller that
			 * retries at every '(' linear on "((((..." */
			if (depth == MIME_LEX_MAX_NESTING)
				break;
			if (depth++ && text && mime_buf_putc(text, c))
				return -1;
			l->pos++;
		} else if (c == ')') {
			l->pos++;
			if (--depth == 0)
				return 1;
			if (text && mime_buf_putc(text, c))
				return -1;
		} else if ((r = quoted_pair(l, text)) != 0) {
			if (r < 0)
				return -1;
		} else if ((r = fws_text(l, text)) != 0) {
			if (r < 0)
				return -1;
		} else if (c == '\r' || c == '\n') {
			break;
		} else {
			if (text && mime_buf_putc(text, c))
				return -1;
			l->pos++;
		}
	}
	l->pos = start;
	return -1;
}

int mime_lex_cfws(struct mime_lex *l)
{
	size_t start = l->pos;
	for (;;) {
		if (mime_lex_fws(l))
			continue;
		int r = mime_lex_comment(l, NULL);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	return l->pos > start;
}

int mime_lex_atext(struct mime_lex *l, size_t *start, size_t *end)
{
	size_t s = l->pos;
	while (l->pos < l->len && mime_is_atext((unsigned char)l->s[l->pos]))
		l->pos++;
	if (start)
		*start = s;
	if (end)
		*end = l->pos;
	return l->pos > s;
}

int mime_lex_dot_atom_text(struct mime_lex *l, size_t *start, size_t *end)
{
	size_t s = l->pos;
	if (!mime_lex_atext(l, NULL, NULL))
		return 0;
	while (mime_lex_peek(l) == '.') {
		size_t dot = l->pos++;
		if (!mime_lex_atext(l, NULL, NULL)) {
			l->pos = dot;
			break;
		}
	}
	if (start)
		*start = s;
	if (end)
		*end = l->pos;
	return 1;
}

int mime_lex_quoted_string(struct mime_lex *l, struct mime_buf *out)
{
	if (mime_lex_peek(l) != '"')
		return 0;
	size_t start = l->pos++;
	size_t mark = out ? out->len : 0;
	while (l->pos < l->len) {
		int c = (unsigned char)l->s[l->pos];
		int r;
		if (c == '"') {
			l->pos++;
			return 1;
		}
		if ((r = quoted_pair(l, out)) != 0 || (r = fws_text(l, out)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (c == '\r' || c == '\n' || c == '\\')
			break;
		if (out && mime_buf_putc(out, c))
			return -1;
		l->pos++;
	}
	l->pos = start;
	if (out) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return -1;
}

int mime_lex_token(struct mime_lex *l, size_t *start, size_t *end)
{
	size_t s = l->pos;
	while (l->pos < l->len && mime_is_token_char((unsigned char)l->s[l->pos]))
		l->pos++;
	if (start)
		*start = s;
	if (end)
		*end = l->pos;
	return l->pos > s;
}
