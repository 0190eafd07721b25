/* ember lib/mime: rfc2047. Included by mime.h; include mime.h instead.
 *
 * RFC 2047 encoded words ("=?charset?Q?text?=" and "?B?"), with RFC 2231 5
 * language tags ("=?US-ASCII*EN?Q?Keith_Moore?="), decoded to UTF-8 and
 * encoded from UTF-8. Decoders never fail on bad input: a malformed encoded
 * word is kept exactly as written and reported as a defect (offsets are byte
 * offsets in the value given); they fail only when memory runs out. */
#ifndef EMBER_MIME_RFC2047_H
#define EMBER_MIME_RFC2047_H

#include <stddef.h>

struct mime_buf;
struct mime_defects;
struct mime_fold;

/* Where an encoded word stands: RFC 2047 5 (1), (2), (3). */
enum mime_rfc2047_ctx {
	MIME_RFC2047_TEXT,     /* unstructured text (Subject, Comments, X-*) */
	MIME_RFC2047_COMMENT,  /* inside a comment of a structured field */
	MIME_RFC2047_PHRASE,   /* a phrase: display names */
};

/* An unstructured value (may be folded): unfolded (RFC 5322 2.2.3: CRLF
 * removed, the WSP kept) and encoded words decoded to UTF-8; linear white
 * space between two adjacent encoded words dropped (RFC 2047 6.2). A
 * malformed encoded word (bad charset name, bad B/Q data, unknown encoding)
 * is kept exactly as written and reported; an encoded word that is not
 * delimited by white space (RFC 2047 5(1)) is decoded and reported. Bytes
 * outside encoded words: valid UTF-8 kept as is; NUL, stray CR or LF and
 * bytes that are not UTF-8 replaced by U+FFFD, each reported. Appends to
 * out; MIME_OK or MIME_ENOMEM. df may be NULL. */
enum mime_status mime_rfc2047_decode_text(const char *s, size_t n, struct mime_buf *out,
			     struct mime_defects *df);

/* A phrase as written (a display name: atoms, quoted strings, encoded words,
 * comments, folding): words joined by single spaces where CFWS separated
 * them (nothing where nothing did: "Joe Q. Public"), quoted strings
 * unquoted (quoted-pairs resolved), comments dropped, encoded words decoded
 * (only whole atoms, RFC 2047 5(3); one inside a quoted string is NOT
 * decoded, RFC 2047 5 "MUST NOT appear within a quoted-string"), white
 * space between adjacent encoded words dropped. MIME_OK or MIME_ENOMEM. df may be NULL. */
enum mime_status mime_rfc2047_decode_phrase(const char *s, size_t n, struct mime_buf *out,
			       struct mime_defects *df);

/* A structured value for people (address fields, message ids, dates; not
 * Received, where RFC 2047 5 allows no encoded word at all): unfolded;
 * encoded words decoded where RFC 2047 5 allows them, that is whole atoms
 * outside angle brackets, domain literals and addr-specs (5(3)), and whole
 * words of comments (5(2)); everything else (quoted strings, addresses,
 * specials) kept as written. A decoded phrase that would not read back as
 * atoms is written as a quoted string; a decoded comment word has its
 * '(', ')' and '\\' escaped. So "(=?ISO-8859-1?Q?a?= b)" gives "(a b)" and
 * "=?UTF-8?Q?Smith=2C_J?= <j@x.test>" gives "\"Smith, J\" <j@x.test>".
 * MIME_OK or MIME_ENOMEM. df may be NULL. */
enum mime_status mime_rfc2047_decode_structured(const char *s, size_t n, struct mime_buf *out,
				   struct mime_defects *df);

/* Encode UTF-8 text for the given context as tokens of a folding printer
 * (between mime_fold_begin and mime_fold_end). Words (cut at each space)
 * that need no encoding go out as they are (MIME_FOLD_SPACE tokens); runs
 * of words that need encoding (non-ASCII, control characters, a word with
 * "=?", leading, trailing or doubled spaces, and: in PHRASE a word that is
 * not an atom, in COMMENT one with '(', ')' or '\\') become encoded words
 * "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?=", whichever is shorter for the run,
 * each at most 75 characters (RFC 2047 2) and sized to fill the current
 * line, split only at UTF-8 character boundaries, the spaces between the
 * words of a run encoded inside them (Q: "_"). In PHRASE and COMMENT the Q
 * alphabet is restricted per RFC 2047 5(3). In COMMENT the first token is
 * glued (MIME_FOLD_GLUE) to what precedes it, the caller's "("; the caller
 * also writes the ")". So decode(encode(x)) == x for every x: decode_text
 * for TEXT (after the one space that follows the colon), decode_phrase for
 * PHRASE, decode_structured of "(" x ")" for COMMENT.
 * Returns MIME_OK, MIME_ENOMEM, MIME_EINVAL (fold error: a token cannot fit). */
enum mime_status mime_rfc2047_encode(struct mime_fold *f, const char *utf8, size_t n,
			enum mime_rfc2047_ctx ctx);

#endif
