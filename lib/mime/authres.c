/* Authentication-Results (RFC 8601 2.2) written: see mime-authres.h. */
#include "mime.h"
#include "lex.h"
#include "authres-int.h"

#include <string.h>

static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!mime_is_token_char((unsigned char)*s))
			return 0;
	return 1;
}

/* A value: a token as it is, else a quoted string (RFC 2045 5.1). */
static enum mime_status put_value(struct mime_buf *b, const char *v)
{
	if (is_token(v))
		return mime_buf_puts(b, v);
	if (mime_buf_putc(b, '"'))
		return MIME_ENOMEM;
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '\r' || c == '\n')
			continue;
		if ((c == '"' || c == '\\') && mime_buf_putc(b, '\\'))
			return MIME_ENOMEM;
		if (mime_buf_putc(b, c))
			return MIME_ENOMEM;
	}
	return mime_buf_putc(b, '"');
}

/* A pvalue: also an addr-spec or "@domain" as it is (RFC 8601 2.2), which
 * is how readers expect smtp.mailfrom and header.i. */
static enum mime_status put_pvalue(struct mime_buf *b, const char *v)
{
	if (mime_authres_is_bare_addr(v, strlen(v)))
		return mime_buf_puts(b, v);
	return put_value(b, v);
}

/* One word of the field as a token of the folding printer. */
static enum mime_status word(struct mime_fold *f, struct mime_buf *w)
{
	enum mime_status r = mime_fold_token(f, w->data, w->len, MIME_FOLD_SPACE);
	mime_buf_reset(w);
	return r;
}

enum mime_status mime_authres_field(struct mime_buf *out, const char *authserv_id,
				    const struct mime_authres_result *r, size_t n)
{
	if (!*authserv_id)
		return MIME_EINVAL;
	size_t mark = out->len;
	struct mime_fold f;
	struct mime_buf w = {0};
	mime_fold_init(&f, out);
	enum mime_status st = mime_fold_begin(&f, "Authentication-Results");
	if (!st)
		st = put_value(&w, authserv_id) || mime_buf_putc(&w, ';') ? MIME_ENOMEM : word(&f, &w);
	if (!st && n == 0 && !(st = mime_buf_puts(&w, "none")))
		st = word(&f, &w);
	for (size_t i = 0; !st && i < n; i++) {
		const struct mime_authres_result *x = &r[i];
		if (!is_token(x->method) || !is_token(x->result)) {
			st = MIME_EINVAL;
			break;
		}
		int last = x->nprops == 0 && !x->reason;
		st = mime_buf_puts(&w, x->method) || mime_buf_putc(&w, '=') || mime_buf_puts(&w, x->result) ||
		     (last && i + 1 < n && mime_buf_putc(&w, ';')) ? MIME_ENOMEM : word(&f, &w);
		if (!st && x->reason) {
			last = x->nprops == 0;
			st = mime_buf_puts(&w, "reason=") || put_value(&w, x->reason) ||
			     (last && i + 1 < n && mime_buf_putc(&w, ';')) ? MIME_ENOMEM : word(&f, &w);
		}
		for (size_t k = 0; !st && k < x->nprops; k++) {
			const struct mime_authres_prop *p = &x->props[k];
			st = mime_buf_puts(&w, p->ptype) || mime_buf_putc(&w, '.') || mime_buf_puts(&w, p->name) ||
			     mime_buf_putc(&w, '=') || put_pvalue(&w, p->value) ||
			     (k + 1 == x->nprops && i + 1 < n && mime_buf_putc(&w, ';')) ? MIME_ENOMEM
			     : word(&f, &w);
		}
	}
	if (!st)
		st = mime_fold_end(&f);
	mime_buf_free(&w);
	if (st)
		mime_buf_truncate(out, mark);
	return st;
}

int mime_hop_is_ours(struct mime_hop *h, const struct mime_field *f)
{
	if (!h->below && !mime_field_is(f, "Authentication-Results") &&
	    !mime_field_is(f, "Received-SPF") && !mime_field_is(f, "Return-Path"))
		h->below = 1;
	return !h->below;
}
