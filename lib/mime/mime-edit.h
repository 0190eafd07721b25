/* ember lib/mime: header edits on the raw view. Included by mime.h.
 *
 * A streaming filter: feed a message, pull output chunks. Fields are added,
 * removed or replaced in the top-level header; every other byte of the
 * message comes out exactly as it went in (a relay's Received field, a
 * signer's DKIM-Signature, an edit by `ember field` break no signature over
 * the rest). New fields take the line ending of the message's first line.
 * The header is read by the header reader (mime-header.h), with its rule:
 * when a line that is not a field ends the header, fields added at the end
 * of the header go before that line. */
#ifndef EMBER_MIME_EDIT_H
#define EMBER_MIME_EDIT_H

#include <stddef.h>

#include "mime-core.h"
#include "mime-header.h"

struct mime_editor;

/* The header reader's limits (NULL: the defaults); MIME_HDR_MBOX_FROM
 * keeps an mbox "From " first line first, the edits below it. NULL when
 * memory is exhausted. */
struct mime_editor *mime_editor_new(const struct mime_hdr_limits *lim);
void mime_editor_free(struct mime_editor *ed);
/* Ready for a new message: edits forgotten, limits kept, memory kept (a
 * relay prepends to every message it passes). */
void mime_editor_reset(struct mime_editor *ed);

/* Edits, applied in this order whatever the order of the calls:
 *   remove: every field of that name (case-insensitive) goes;
 *   replace: the first field of that name is replaced in place by the
 *            field given, later ones go; absent, the field is appended;
 *   prepend: above all other fields (trace fields, RFC 5321 4.4);
 *   append: at the end of the header.
 * A field is given as "Name: value" (folded or not, with or without a final
 * line break, which is added in the message's own style). MIME_OK,
 * MIME_ENOMEM, or MIME_EINVAL when it is not "Name:" followed by a value
 * (remove: an empty name or one with bytes a field name cannot hold). */
enum mime_status mime_editor_remove(struct mime_editor *ed, const char *name);
enum mime_status mime_editor_replace(struct mime_editor *ed, const char *field, size_t len);
enum mime_status mime_editor_prepend(struct mime_editor *ed, const char *field, size_t len);
enum mime_status mime_editor_append(struct mime_editor *ed, const char *field, size_t len);

/* Feed input (len 0: end), then take chunks until it returns 0 (feed more,
 * or, after the end, done). -1: the message cannot be edited; see
 * mime_editor_error: a limit of the reader, memory (MIME_E_NOMEM), a feed
 * before the chunks were taken (MIME_E_UNDRAINED), or a prepend to a header
 * whose first line is a continuation, which the new field would absorb
 * (MIME_D_CONTINUATION_FIRST). */
void mime_editor_feed(struct mime_editor *ed, const char *buf, size_t len);
int mime_editor_next(struct mime_editor *ed, const char **out, size_t *len);
/* The message of the error (NULL when none), its line and code (either may
 * be NULL). */
const char *mime_editor_error(const struct mime_editor *ed, unsigned long *line,
			      enum mime_code *code);

#endif
