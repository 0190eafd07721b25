/* ember commands: message rewriting helpers; see msgio.h. */
#define _GNU_SOURCE  /* memmem */
#include "msgio.h"
#include "cli.h"

#include <string.h>

_Noreturn void msg_oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

void msg_append(struct mime_buf *out, const void *p, size_t n)
{
	if (n && mime_buf_append(out, p, n))
		msg_oom();
}

void msg_puts(struct mime_buf *out, const char *s)
{
	msg_append(out, s, strlen(s));
}

const char *msg_eol(const char *data, size_t len)
{
	const char *lf = memchr(data, '\n', len);
	if (lf && (lf == data || lf[-1] != '\r'))
		return "\n";
	return "\r\n";
}

/* Run one folded field through the printer; undo it on a -2. */
static int fold_field(struct mime_buf *out, const char *eol, const char *name,
		      int (*body)(struct mime_fold *, const void *), const void *arg)
{
	size_t mark = out->len;
	struct mime_fold f;
	mime_fold_init(&f, out);
	f.eol = eol;
	int r = mime_fold_begin(&f, name);
	if (!r)
		r = body(&f, arg);
	if (!r)
		r = mime_fold_end(&f);
	if (r == -1)
		msg_oom();
	if (r) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return r;
}

static int ct_body(struct mime_fold *f, const void *arg)
{
	return mime_content_type_fold(f, arg);
}

static int disp_body(struct mime_fold *f, const void *arg)
{
	return mime_disposition_fold(f, arg);
}

int msg_content_type_field(struct mime_buf *out, const char *eol,
			   const struct mime_content_type *ct)
{
	return fold_field(out, eol, "Content-Type", ct_body, ct);
}

int msg_disposition_field(struct mime_buf *out, const char *eol,
			  const struct mime_disposition *d)
{
	return fold_field(out, eol, "Content-Disposition", disp_body, d);
}

void msg_simple_field(struct mime_buf *out, const char *eol, const char *name,
		      const char *value)
{
	msg_puts(out, name);
	msg_puts(out, ": ");
	msg_puts(out, value);
	msg_puts(out, eol);
}

void msg_put_lines(struct mime_buf *out, const char *s, size_t n, const char *eol)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		size_t end = i > start && s[i - 1] == '\r' ? i - 1 : i;
		msg_append(out, s + start, end - start);
		msg_puts(out, eol);
		start = i + 1;
	}
	msg_append(out, s + start, n - start);
}

int msg_contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}
