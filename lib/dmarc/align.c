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
