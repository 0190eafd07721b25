/* Growable buffer and defect recording shared by every lib/mime piece. */
#include "mime.h"

#include <stdlib.h>
#include <string.h>

enum mime_status mime_buf_reserve(struct mime_buf *b, size_t n)
{
	if (n < b->cap - b->len && b->data)
		return MIME_OK;
	if (n > SIZE_MAX / 2 - b->len)
		return MIME_ENOMEM;
	size_t need = b->len + n + 1;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return MIME_ENOMEM;
	b->data = p;
	b->cap = cap;
	return MIME_OK;
}

enum mime_status mime_buf_append(struct mime_buf *b, const void *p, size_t n)
{
	if (mime_buf_reserve(b, n))
		return MIME_ENOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MIME_OK;
}

enum mime_status mime_buf_putc(struct mime_buf *b, int c)
{
	char ch = (char)c;
	return mime_buf_append(b, &ch, 1);
}

enum mime_status mime_buf_puts(struct mime_buf *b, const char *s)
{
	return mime_buf_append(b, s, strlen(s));
}

void mime_buf_reset(struct mime_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void mime_buf_truncate(struct mime_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void mime_buf_free(struct mime_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mime_defect(struct mime_defects *d, enum mime_code code, uint64_t offset, const char *what)
{
	if (!d)
		return;
	if (d->count == 0) {
		d->first_offset = offset;
		d->first = what;
		d->first_code = code;
	}
	d->count++;
	if (d->fn)
		d->fn(d->ctx, code, offset, what);
}
