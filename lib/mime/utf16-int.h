/* UTF-16 code units to UTF-8, shared by the UTF-16 charsets and UTF-7
 * (RFC 2781 2.2, RFC 2152). Internal to lib/mime. */
#ifndef EMBER_MIME_UTF16_INT_H
#define EMBER_MIME_UTF16_INT_H

#include "mime.h"

/* One unit: a high surrogate waits in *high (its offset in *high_off) for
 * the low one; an unpaired surrogate becomes U+FFFD with a defect named by
 * prefix ("UTF-16", "UTF-7"). 0 or -1 (memory). */
int mime_utf16_unit(uint16_t *high, uint64_t *high_off, uint32_t u, uint64_t off,
		    const char *prefix, struct mime_buf *out, struct mime_defects *df);

#endif
