/* Internal to lib/dmarc: ASCII helpers (never the C locale's: DESIGN.md 1). */
#ifndef EMBER_DMARC_INT_H
#define EMBER_DMARC_INT_H

#include <stddef.h>

#include "dmarc.h"

static inline int dmarc_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static inline int dmarc_ascii_caseeq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (dmarc_lower((unsigned char)a[i]) != dmarc_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* s[0..n) is lit, ASCII case-insensitively */
static inline int dmarc_ascii_is(const char *s, size_t n, const char *lit)
{
	size_t ln = 0;
	while (lit[ln])
		ln++;
	return dmarc_ascii_caseeq(s, n, lit, ln);
}

/* Labels of a domain name (no final dot). */
size_t dmarc_labels(const char *d);
/* The last k labels of d (a pointer into it). */
const char *dmarc_last_labels(const char *d, size_t k);

#endif
