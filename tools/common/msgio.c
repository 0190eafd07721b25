/* ember commands: message rewriting helpers; see msgio.h. */
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
	if (r)
		mime_buf_truncate(out, mark);
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



enum mime_cte msg_parse_cte(const char *s)
{
	static const enum mime_cte all[] = {
		MIME_CTE_7BIT, MIME_CTE_8BIT, MIME_CTE_QUOTED_PRINTABLE, MIME_CTE_BASE64,
	};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (!mime_ascii_casecmp(s, mime_cte_name(all[i])))
			return all[i];
	cli_usage_error("--encoding: '%s' is not 7bit, 8bit, quoted-printable or base64", s);
}

int msg_is_token(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || strchr("()<>@,;:\\\"/[]?=", s[i]))
			return 0;
	return n > 0;
}
