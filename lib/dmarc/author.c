/* The author domains DMARC evaluates (RFC 9989 5.3.1, 11.5), from
 * lib/mime's one author reader (mime-author.h). */
#include "dmarc-int.h"

#include <string.h>

/* d[0..n) among the NUL-separated names of out? */
static int listed(const struct mime_buf *out, const char *d, size_t n)
{
	for (size_t at = 0; at < out->len;) {
		size_t k = strlen(out->data + at);
		if (dmarc_ascii_caseeq(out->data + at, k, d, n))
			return 1;
		at += k + 1;
	}
	return 0;
}

/* The distinct domains of one From value, NUL-separated in out. */
static enum dmarc_problem every_domain(const char *v, size_t len, struct mime_buf *out, size_t *count,
				       const char **why)
{
	struct mime_address_list l = {0};
	struct mime_addr_error err = {0};
	enum mime_status st = mime_address_list_parse(v, len, &l, &err);
	if (st == MIME_ENOMEM)
		return DMARC_E_NOMEM;
	if (st) {
		*why = "malformed From";
		return DMARC_E_NO_AUTHOR;
	}
	enum dmarc_problem r = DMARC_OK;
	struct mime_buf d = {0};
	for (size_t i = 0; i < l.count && !r; i++) {
		if (l.items[i].is_group) {
			*why = "group in From";
			r = DMARC_E_NO_AUTHOR;
			break;
		}
		for (size_t k = 0; k < l.items[i].count && !r; k++) {
			const struct mime_mailbox *m = &l.items[i].mailboxes[k];
			mime_buf_reset(&d);
			if (m->domain_kind != MIME_DOMAIN_NAME) {
				*why = "a domain literal in From";
				r = DMARC_E_NO_AUTHOR;
				break;
			}
			st = mime_domain_to_ascii(m->domain, m->domain_len, &d, &err);
			if (st == MIME_ENOMEM) {
				r = DMARC_E_NOMEM;
			} else if (st || !d.len) {
				*why = "malformed From";
				r = DMARC_E_NO_AUTHOR;
			} else {
				mime_ascii_lower_n(d.data, d.len);
				if (!listed(out, d.data, d.len)) {
					if (mime_buf_append(out, d.data, d.len + 1))  /* with its NUL */
						r = DMARC_E_NOMEM;
					else
						(*count)++;
				}
			}
		}
	}
	if (!r && !*count) {
		*why = "no mailbox in From";
		r = DMARC_E_NO_AUTHOR;
	}
	mime_buf_free(&d);
	mime_address_list_free(&l);
	return r;
}

enum dmarc_problem dmarc_author_domains(const struct mime_author *a, const char *from_value,
					size_t from_len, struct mime_buf *out, size_t *count,
					const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = NULL;
	*count = 0;
	switch (a->status) {
	case MIME_AUTHOR_OK:
		if (mime_buf_append(out, a->domain.data, a->domain.len) || mime_buf_putc(out, 0))
			return DMARC_E_NOMEM;
		*count = 1;
		return DMARC_OK;
	case MIME_AUTHOR_NOMEM:
		return DMARC_E_NOMEM;
	case MIME_AUTHOR_SEVERAL_MAILBOXES:
		/* RFC 9989 5.3.1 and 11.5: one domain for all, or each domain */
		if (from_value) {
			size_t start = out->len;
			enum dmarc_problem r = every_domain(from_value, from_len, out, count, why);
			if (r) {
				mime_buf_truncate(out, start);
				*count = 0;
			}
			return r;
		}
		*why = mime_author_reason(a->status);
		return DMARC_E_NO_AUTHOR;
	default:
		*why = mime_author_reason(a->status);
		return DMARC_E_NO_AUTHOR;
	}
}

enum dmarc_problem dmarc_author_domain(const struct mime_author *a, const char *from_value,
				       size_t from_len, struct mime_buf *out, const char **why)
{
	struct mime_buf all = {0};
	size_t n = 0;
	const char *dummy;
	if (!why)
		why = &dummy;
	enum dmarc_problem r = dmarc_author_domains(a, from_value, from_len, &all, &n, why);
	if (!r && n > 1) {
		*why = "several From domains";
		r = DMARC_E_FROM_DOMAINS;
	}
	if (!r && mime_buf_puts(out, all.data))
		r = DMARC_E_NOMEM;
	mime_buf_free(&all);
	return r;
}
