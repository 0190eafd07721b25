/* ember lib/mime: unstructured. Included by mime.h; include mime.h instead.
 *
 * Unstructured field values (RFC 5322 3.2.5 unstructured, 3.2.2 folding, and
 * the obsolete forms of 4.1/4.2: obs-utext, obs-FWS), the C counterpart of
 * OCaml's unstrctrd. A tokenizer over one complete value (folding kept) cuts
 * it into tokens that cover every byte: printing the tokens back in order
 * gives the value byte for byte. Nothing is copied: tokens point into the
 * value. UTF-8 is accepted in words (RFC 6532 3.2); what is not UTF-8, NUL,
 * and CR or LF that are not part of a fold are tokens of their own. */
#ifndef EMBER_MIME_UNSTRUCTURED_H
#define EMBER_MIME_UNSTRUCTURED_H

#include <stddef.h>

struct mime_buf;

enum mime_utok_kind {
	MIME_UTOK_WORD,     /* a run of VCHAR, obs-NO-WS-CTL and UTF-8 characters */
	MIME_UTOK_WSP,      /* a run of SP and HTAB */
	MIME_UTOK_FWS,      /* a fold: CRLF or bare LF and the WSP run after it */
	MIME_UTOK_COMMENT,  /* "(...)", nested (at most 64 deep), quoted-pairs
			       and folds inside (only with MIME_UTOK_COMMENTS) */
	MIME_UTOK_QUOTED,   /* "\"...\"" (only with MIME_UTOK_QUOTES) */
	MIME_UTOK_SPECIAL,  /* one RFC 5322 special other than '.', '(' and '"'
			       (only with MIME_UTOK_SPECIALS) */
	MIME_UTOK_INVALID,  /* NUL; CR or LF not part of a fold; one byte that
			       does not start a valid UTF-8 character; an
			       unterminated comment or quoted string (the
			       opening byte alone) */
};

/* Flags of mime_unstructured_init: what a caller wants recognised. Without
 * any, the value is read as RFC 5322 unstructured text. */
#define MIME_UTOK_COMMENTS 1u
#define MIME_UTOK_QUOTES   2u
#define MIME_UTOK_SPECIALS 4u  /* ")<>[]:;@\\," cut words (structured values) */

struct mime_utoken {
	enum mime_utok_kind kind;
	const char *s;      /* into the value */
	size_t len;
	size_t offset;      /* of s[0] in the value */
};

struct mime_unstructured {
	const char *s;
	size_t len;
	size_t pos;
	unsigned flags;
};

void mime_unstructured_init(struct mime_unstructured *u, const char *s, size_t n,
			    unsigned flags);
/* The next token: 1, or 0 at the end of the value (t untouched). */
int mime_unstructured_next(struct mime_unstructured *u, struct mime_utoken *t);

/* RFC 5322 2.2.3 unfolding: each CRLF (or bare LF) that is followed by WSP
 * is removed, the WSP kept; every other byte copied. Appends to out; MIME_OK or
 * MIME_ENOMEM. */
enum mime_status mime_unstructured_unfold(const char *s, size_t n, struct mime_buf *out);

/* Length of the valid UTF-8 character at s[0] (1 to 4; overlongs,
 * surrogates and values above U+10FFFF are not valid), 0 when s[0] does
 * not start one. n > 0. */
size_t mime_unstructured_utf8_len(const char *s, size_t n);

#endif
