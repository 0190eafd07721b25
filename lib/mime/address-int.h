/* Internal to lib/mime: helpers shared by address.c, address-print.c and
 * address-idn.c. */
#ifndef EMBER_MIME_ADDRESS_INT_H
#define EMBER_MIME_ADDRESS_INT_H

#include <stddef.h>
#include "mime.h"

/* malloc'd NUL-terminated copy, or NULL */
char *mime_addr_dup(const char *s, size_t n);
/* RFC 5322 3.2.3 dot-atom-text (atext incl. UTF-8 octets, RFC 6532) */
int mime_addr_is_dot_atom(const char *s, size_t n);
/* canonical local part of content s: dot-atom or minimal quoted string */
int mime_addr_local_canon(const char *s, size_t n, struct mime_buf *out);

#endif
