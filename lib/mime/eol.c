/* Line endings, streaming; see mime-eol.h. */
#include "mime.h"

#include <string.h>

void mime_eol_init(struct mime_eol *e, enum mime_eol_mode mode, unsigned flags)
{
	memset(e, 0, sizeof *e);
	e->mode = mode;
	e->flags = flags;
}

/* The first CR or LF in s[0..n), or n. */
static size_t plain_run(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != '\r' && s[i] != '\n')
		i++;
	return i;
}

/* To CRLF: a CR is written at once; what follows it decides whether it
 * was a bare one (then, with MIME_EOL_BARE_CR, an LF completes it). */
static size_t to_crlf(struct mime_eol *e, const char *in, size_t n, char *out)
{
	size_t o = 0;
	if (n == 0) {
		if (e->cr) {
			e->bare_cr++;
			if (e->flags & MIME_EOL_BARE_CR)
				out[o++] = '\n';
		}
		e->cr = 0;
		return o;
	}
	for (size_t i = 0; i < n;) {
		char c = in[i];
		if (e->cr && c != '\n') {
			e->bare_cr++;
			if (e->flags & MIME_EOL_BARE_CR)
				out[o++] = '\n';
		}
		if (c == '\n' && !e->cr) {
			e->bare_lf++;
			out[o++] = '\r';
		}
		if (c == '\r' || c == '\n') {
			out[o++] = c;
			e->cr = c == '\r';
			i++;
			continue;
		}
		e->cr = 0;
		size_t k = plain_run(in + i, n - i);
		memcpy(out + o, in + i, k);
		o += k;
		i += k;
	}
	return o;
}

/* To LF: a CR is held until the next byte shows whether it starts a CRLF. */
static size_t to_lf(struct mime_eol *e, const char *in, size_t n, char *out)
{
	size_t o = 0;
	if (n == 0) {
		if (e->cr) {
			e->bare_cr++;
			out[o++] = e->flags & MIME_EOL_BARE_CR ? '\n' : '\r';
		}
		e->cr = 0;
		return o;
	}
	for (size_t i = 0; i < n;) {
		char c = in[i];
		if (e->cr) {
			e->cr = 0;
			if (c == '\n') {
				out[o++] = '\n';
				i++;
				continue;
			}
			e->bare_cr++;
			out[o++] = e->flags & MIME_EOL_BARE_CR ? '\n' : '\r';
		}
		if (c == '\r') {
			e->cr = 1;
			i++;
			continue;
		}
		if (c == '\n') {
			e->bare_lf++;
			out[o++] = '\n';
			i++;
			continue;
		}
		size_t k = plain_run(in + i, n - i);
		memcpy(out + o, in + i, k);
		o += k;
		i += k;
	}
	return o;
}

size_t mime_eol_convert(struct mime_eol *e, const char *in, size_t n, char *out)
{
	return e->mode == MIME_EOL_CRLF ? to_crlf(e, in, n, out) : to_lf(e, in, n, out);
}

enum mime_status mime_eol_append(struct mime_eol *e, const char *in, size_t n,
				 struct mime_buf *out)
{
	if (mime_buf_reserve(out, mime_eol_room(n)))
		return MIME_ENOMEM;
	out->len += mime_eol_convert(e, in, n, out->data + out->len);
	out->data[out->len] = '\0';
	return MIME_OK;
}

enum mime_status mime_eol_all(enum mime_eol_mode mode, const char *in, size_t n,
			      struct mime_buf *out)
{
	struct mime_eol e;
	mime_eol_init(&e, mode, 0);
	if (n && mime_eol_append(&e, in, n, out))
		return MIME_ENOMEM;
	return mime_eol_append(&e, NULL, 0, out);
}
