/* Identifier alignment (RFC 9989 4.4) and the organizational domain of
 * RFC 7489 3.2 (the public suffix list). */
#include "dmarc-int.h"

#include <stdlib.h>
#include <string.h>

/* n without a final dot */
static size_t name_len(const char *s)
{
	size_t n = strlen(s);
	return n && s[n - 1] == '.' ? n - 1 : n;
}

int dmarc_domain_eq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	size_t an = name_len(a), bn = name_len(b);
	return an && dmarc_ascii_caseeq(a, an, b, bn);
}

int dmarc_aligned(enum dmarc_align mode, const char *a, const char *org_a, const char *b,
		  const char *org_b)
{
	if (dmarc_domain_eq(a, b))
		return 1;
	if (mode == DMARC_STRICT)
		return 0;
	return dmarc_domain_eq(org_a, org_b);
}

size_t dmarc_labels(const char *d)
{
	size_t n = name_len(d);
	if (!n)
		return 0;
	size_t k = 1;
	for (size_t i = 0; i < n; i++)
		k += d[i] == '.';
	return k;
}

const char *dmarc_last_labels(const char *d, size_t k)
{
	size_t have = dmarc_labels(d);
	const char *p = d;
	while (have > k) {
		const char *dot = strchr(p, '.');
		if (!dot)
			break;
		p = dot + 1;
		have--;
	}
	return p;
}

/* RFC 9989 4.10.1 step 5 (the shortcut): x labels; x < 8: one label off;
 * x >= 8: down to 7. */
size_t dmarc_walk_targets(const char *domain, const char *targets[DMARC_WALK_MAX])
{
	size_t x = dmarc_labels(domain), n = 0;
	if (!x)
		return 0;
	targets[n++] = domain;
	if (x >= DMARC_WALK_LABELS)
		x = DMARC_WALK_LABELS;  /* the next step takes it to 7 */
	while (x > 1 && n < DMARC_WALK_MAX) {
		x--;
		targets[n++] = dmarc_last_labels(domain, x);
	}
	return n;
}

enum dmarc_problem dmarc_psl_org_domain(const psl_ctx_t *psl, const char *domain, struct mime_buf *out)
{
	size_t n = name_len(domain);
	char *low = malloc(n + 1);
	if (!low)
		return DMARC_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)dmarc_lower((unsigned char)domain[i]);
	low[n] = '\0';
	const char *org = psl ? psl_registrable_domain(psl, low) : NULL;
	enum dmarc_problem r = mime_buf_puts(out, org ? org : low) ? DMARC_E_NOMEM : DMARC_OK;
	free(low);
	return r;
}

/* ---- the author ------------------------------------------------------------ */

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
