/* RFC 5322 3.2 lexical tokens over a complete, bounded field value.
 * Internal to lib/mime. Every reader of structured fields (addresses,
 * dates, message ids, MIME parameters) uses these, so they agree on what
 * a comment, a quoted string or folding white space is.
 *
 * RFC 6532: octets >= 0x80 (UTF-8) are accepted wherever atext, ctext,
 * qtext and dtext are; validating them as UTF-8 is the caller's choice. */
#ifndef EMBER_MIME_LEX_H
#define EMBER_MIME_LEX_H

#include <stddef.h>
#include "mime.h"

struct mime_lex {
	const char *s;
	size_t len;
	size_t pos;
};

static inline void mime_lex_init(struct mime_lex *l, const char *s, size_t len)
{
	l->s = s;
	l->len = len;
	l->pos = 0;
}

static inline int mime_lex_eof(const struct mime_lex *l) { return l->pos >= l->len; }
static inline int mime_lex_peek(const struct mime_lex *l)
{
	return l->pos < l->len ? (unsigned char)l->s[l->pos] : -1;
}

static inline int mime_is_wsp(int c) { return c == ' ' || c == '\t'; }
/* RFC 5322 3.2.3 atext (plus UTF-8 octets, RFC 6532 3.2) */
int mime_is_atext(int c);
/* RFC 5322 3.2.3 specials */
int mime_is_special(int c);
/* RFC 2045 5.1 tspecials */
int mime_is_tspecial(int c);
/* RFC 2045 5.1 token character: printable ASCII, not space, not tspecial */
int mime_is_token_char(int c);

/* Each returns 1 when it consumed the token, 0 when the token is not at the
 * cursor (nothing consumed), -1 on a malformed token (unterminated comment
 * or quoted string; the cursor is left where the token started). */

/* FWS and obs-FWS (RFC 5322 3.2.2, 4.2): WSP, and CRLF or bare LF followed
 * by WSP. A CR or LF not followed by WSP is not FWS. */
int mime_lex_fws(struct mime_lex *l);
/* comment = "(" *([FWS] ccontent) [FWS] ")", nested (at most 64 deep: deeper
 * is malformed here); when text is not NULL
 * the comment's content (without the outer parentheses, quoted-pairs
 * resolved, FWS unfolded) is appended to it. */
int mime_lex_comment(struct mime_lex *l, struct mime_buf *text);
/* CFWS: any run of FWS and comments. Returns 1 if anything was consumed. */
int mime_lex_cfws(struct mime_lex *l);
/* atom text (no CFWS): [*start, *end) set to the atext run. */
int mime_lex_atext(struct mime_lex *l, size_t *start, size_t *end);
/* dot-atom-text: atext *("." atext); obs forms (CFWS around dots) are the
 * caller's business. */
int mime_lex_dot_atom_text(struct mime_lex *l, size_t *start, size_t *end);
/* quoted-string content (no surrounding CFWS): the unescaped content with
 * FWS unfolded (CRLF removed, WSP kept) appended to out (may be NULL). */
int mime_lex_quoted_string(struct mime_lex *l, struct mime_buf *out);
/* RFC 2045 token (no CFWS). */
int mime_lex_token(struct mime_lex *l, size_t *start, size_t *end);

#endif
