/* The folding printer: header fields within 78 columns where the grammar
 * allows a fold, never beyond 998 (RFC 5322 2.1.1, 2.2.3).
 *
 * Tokens are grouped in units: a token opened with SPACE or BREAK and the
 * GLUE tokens stuck to it. A unit is settled when the next one opens or the
 * field ends: if it would end its line beyond the width and something
 * precedes it on that line, a line break is inserted before it. Deciding
 * late lets a unit's trailing glue (",", ";") count toward the width. */
#include "mime.h"

#include <string.h>

void mime_fold_init(struct mime_fold *f, struct mime_buf *out)
{
	memset(f, 0, sizeof *f);
	f->out = out;
	f->unit_how = -1;
	f->width = 78;
	f->hard = 998;
	f->eol = "\r\n";
}

enum mime_status mime_fold_begin(struct mime_fold *f, const char *name)
{
	f->line_start = f->out->len;
	f->unit_how = -1;
	if (!f->error && (mime_buf_puts(f->out, name) || mime_buf_putc(f->out, ':')))
		f->error = -1;
	f->unit_start = f->name_end = f->out->len;
	f->begin_line = f->line_start;
	return f->error;
}

/* Insert the fold before the unit: CRLF before its space (SPACE), or
 * CRLF SP before its first byte (BREAK). */
static int fold_before_unit(struct mime_fold *f)
{
	struct mime_buf *b = f->out;
	size_t el = strlen(f->eol);
	size_t add = el + (f->unit_how == MIME_FOLD_BREAK);
	if (mime_buf_reserve(b, add + 1))
		return -1;
	memmove(b->data + f->unit_start + add, b->data + f->unit_start, b->len - f->unit_start);
	memcpy(b->data + f->unit_start, f->eol, el);
	if (f->unit_how == MIME_FOLD_BREAK)
		b->data[f->unit_start + el] = ' ';
	b->len += add;
	b->data[b->len] = '\0';
	f->line_start = f->unit_start + el;
	return 0;
}

static int settle(struct mime_fold *f)
{
	if (f->error)
		return f->error;
	if (f->unit_how >= 0) {
		size_t line = f->out->len - f->line_start;
		/* something before the unit on its line, other than a field name */
		int movable = f->unit_start > f->line_start &&
			      !(f->line_start == f->begin_line && f->unit_start == f->name_end);
		if (line > f->width && movable && fold_before_unit(f))
			return f->error = -1;
	}
	if (f->out->len - f->line_start > f->hard)
		return f->error = -2;
	f->unit_how = -1;
	return 0;
}

enum mime_status mime_fold_token(struct mime_fold *f, const char *s, size_t n, enum mime_fold_how how)
{
	if (how != MIME_FOLD_GLUE) {
		if (settle(f))
			return f->error;
		f->unit_start = f->out->len;
		f->unit_how = how;
		if (how == MIME_FOLD_SPACE && mime_buf_putc(f->out, ' '))
			return f->error = -1;
	}
	if (f->error)
		return f->error;
	if (mime_buf_append(f->out, s, n))
		return f->error = -1;
	return 0;
}

enum mime_status mime_fold_end(struct mime_fold *f)
{
	if (settle(f))
		return f->error;
	if (mime_buf_puts(f->out, f->eol))
		return f->error = -1;
	return 0;
}
