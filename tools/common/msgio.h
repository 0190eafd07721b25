/* ember commands: helpers for the commands that write or rewrite messages
 * (make, wrap, put, extract): line-ending style, MIME fields written in
 * that style, option values. Errors exit through cli.h (70 when memory
 * runs out). */
#ifndef EMBER_MSGIO_H
#define EMBER_MSGIO_H

#include <stddef.h>

#include "mime.h"

/* The message's own line ending: "\r\n" when its first line ends in CRLF
 * (or it has no line break at all), "\n" when it ends in a bare LF. */
const char *msg_eol(const char *data, size_t len);

/* "Content-Type: ..." and "Content-Disposition: ..." folded at 78 columns
 * with line ends eol, appended to out. Values that need it are quoted or
 * RFC 2231 encoded (mime-params.h). Returns 0, or -2 when a name or type is
 * not a token (out is then unchanged). */
int msg_content_type_field(struct mime_buf *out, const char *eol,
			   const struct mime_content_type *ct);
int msg_disposition_field(struct mime_buf *out, const char *eol,
			  const struct mime_disposition *d);
/* "Name: value" + eol, value written as it is (an ASCII token or so). */
void msg_simple_field(struct mime_buf *out, const char *eol, const char *name,
		      const char *value);

/* --encoding: 7bit, 8bit, quoted-printable or base64 (any case); a usage
 * error otherwise. */
enum mime_cte msg_parse_cte(const char *s);

/* RFC 2045 5.1: s[0..n) is a token (not empty). */
int msg_is_token(const char *s, size_t n);

/* Append or die (70). */
void msg_append(struct mime_buf *out, const void *p, size_t n);
void msg_puts(struct mime_buf *out, const char *s);
_Noreturn void msg_oom(void);

#endif
