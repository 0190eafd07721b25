/* ember lib/mime: header edits on the raw view. Included by mime.h.
 *
 * A streaming filter: feed a message, pull output chunks. Fields are added,
 * removed or replaced in the top-level header; every other byte of the
 * message comes out exactly as it went in (a relay's Received field, a
 * signer's DKIM-Signature, an edit by `ember field` break no signature over
 * the rest). New fields take the line ending of the message's first line. */
#ifndef EMBER_MIME_EDIT_H
#define EMBER_MIME_EDIT_H

#include <stddef.h>

struct mime_editor;

struct mime_editor *mime_editor_new(void);
void mime_editor_free(struct mime_editor *ed);

/* Edits, applied in this order whatever the order of the calls:
 *   remove: every field of that name (case-insensitive) goes;
 *   replace: the first field of that name is replaced in place by the
 *            field given, later ones go; absent, the field is appended;
 *   prepend: above all other fields (trace fields, RFC 5321 4.4);
 *   append: at the end of the header.
 * A field is given as "Name: value" (folded or not, with or without a final
 * line break, which is added in the message's own style). 0, or -1 when
 * memory is exhausted or the field is not "Name:" followed by a value. */
int mime_editor_remove(struct mime_editor *ed, const char *name);
int mime_editor_replace(struct mime_editor *ed, const char *field, size_t len);
int mime_editor_prepend(struct mime_editor *ed, const char *field, size_t len);
int mime_editor_append(struct mime_editor *ed, const char *field, size_t len);

/* Feed input (len 0: end), then take chunks until it returns 0 (feed more,
 * or, after the end, done). -1: the message cannot be read (a limit of the
 * parser); mime_editor_error tells which. */
void mime_editor_feed(struct mime_editor *ed, const char *buf, size_t len);
int mime_editor_next(struct mime_editor *ed, const char **out, size_t *len);
const char *mime_editor_error(const struct mime_editor *ed, unsigned long *line);

#endif
