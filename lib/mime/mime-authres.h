/* ember lib/mime: Authentication-Results (RFC 8601). Included by mime.h.
 *
 * The field that records what an ADMD's checks found: "authserv-id;
 * method=result reason=... ptype.property=value ...; ...". Written here,
 * folded at 78 columns; every layer (DKIM, SPF, DMARC, ARC, the receiver)
 * writes it through this one printer. New fields go above all others
 * (RFC 8601 7.1). */
#ifndef EMBER_MIME_AUTHRES_H
#define EMBER_MIME_AUTHRES_H

#include <stddef.h>

#include "mime-core.h"

struct mime_authres_prop {
	const char *ptype;     /* "header", "smtp", "policy" */
	const char *name;      /* "d", "from", "mailfrom" */
	const char *value;     /* written as a token, or a quoted string when it
				  is not one */
};

struct mime_authres_result {
	const char *method;    /* "dkim", "spf", "dmarc", "arc" */
	const char *result;    /* "pass", "fail", ... */
	const char *reason;    /* reason="..." (NULL: none) */
	const struct mime_authres_prop *props;
	size_t nprops;
};

/* "Authentication-Results: ID; r1; r2" folded, with a CRLF at the end;
 * "ID; none" when n is 0 (RFC 8601 2.2). Appended to out. MIME_OK,
 * MIME_ENOMEM, MIME_EINVAL (an id or a method that is not a token, or a
 * word too long for a line). */
enum mime_status mime_authres_field(struct mime_buf *out, const char *authserv_id,
				    const struct mime_authres_result *r, size_t n);

#endif
