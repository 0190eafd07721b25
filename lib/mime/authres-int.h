/* Internal to lib/mime: what the Authentication-Results printer and
 * reader share. */
#ifndef EMBER_MIME_AUTHRES_INT_H
#define EMBER_MIME_AUTHRES_INT_H

#include <stddef.h>

/* s[0..n) is a pvalue RFC 8601 2.2 allows without quotes besides a token:
 * [ [ local-part ] "@" ] domain-name, the local-part a dot-atom (RFC 8616
 * UTF-8 too), the domain-name RFC 6376 3.5's. */
int mime_authres_is_bare_addr(const char *s, size_t n);

#endif
