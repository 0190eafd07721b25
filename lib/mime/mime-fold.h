/* ember lib/mime: the folding printer (the prettym of ember). Included by
 * mime.h; include mime.h instead.
 *
 * A header field is printed as a sequence of tokens; the printer breaks
 * lines only where a token allows it, so that lines stay within 78 columns
 * where the grammar allows a fold and never exceed 998 (RFC 5322 2.1.1,
 * 2.2.3). A fold is a CRLF inserted before the white space that precedes a
 * token, so unfolding gives back exactly what was printed unfolded.
 *
 * Lines are measured in bytes. The printer writes into the caller's buffer
 * as it goes; nothing needs freeing. */
#ifndef EMBER_MIME_FOLD_H
#define EMBER_MIME_FOLD_H

#include <stddef.h>

struct mime_buf;

enum mime_fold_how {
	MIME_FOLD_SPACE = 0, /* one space before the token; a fold may replace it */
	MIME_FOLD_GLUE = 1,  /* stuck to the previous token: never a fold between */
	MIME_FOLD_BREAK = 2, /* no space; when a fold is needed, CRLF SP goes before
				the token (only where the grammar allows CFWS) */
};

struct mime_fold {
	struct mime_buf *out;
	size_t line_start;   /* offset in out of the current line */
	size_t begin_line;   /* offset of the field's first line */
	size_t name_end;     /* offset just after "Name:" */
	size_t unit_start;   /* offset of the unit being built (token + glue) */
	int unit_how;        /* how the current unit was opened, -1: none */
	size_t width;        /* 78 */
	size_t hard;         /* 998 */
	const char *eol;     /* "\r\n" */
	int error;           /* sticky: MIME_ENOMEM, MIME_EINVAL (a unit longer than hard) */
};

/* Defaults: 78 columns, 998 at most, CRLF line ends. Change width, hard
 * or eol ("\n") after init if needed. */
void mime_fold_init(struct mime_fold *f, struct mime_buf *out);
/* "Name:" (the value's first token gets its space from MIME_FOLD_SPACE). */
enum mime_status mime_fold_begin(struct mime_fold *f, const char *name);
/* MIME_OK; MIME_ENOMEM; MIME_EINVAL the token cannot fit in a line of hard bytes.
 * Errors are sticky: later calls return the first one. */
enum mime_status mime_fold_token(struct mime_fold *f, const char *s, size_t n, enum mime_fold_how how);
/* Settle the last unit and write the line end. MIME_OK, MIME_ENOMEM, MIME_EINVAL. */
enum mime_status mime_fold_end(struct mime_fold *f);

#endif
