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
	const char *value;     /* written as a token or an addr-spec ("a@b.example",
				  "@b.example", RFC 8601 2.2), else as a quoted
				  string */
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

/* An Authentication-Results field read (RFC 8601 2.2): the whole grammar,
 * CFWS and nested comments wherever it allows them (comments are skipped),
 * folded or not. Names (authserv-id, method, result, ptype, property) are
 * kept as written: comparing them without regard to case is the caller's
 * (mime_authres_id_is for the authserv-id). Values are kept unquoted
 * (quoted-pairs resolved, folding removed); a pvalue that is an addr-spec
 * ("user@example.com", "@example.com", RFC 8601's [[local-part] "@"]
 * domain-name) is kept as written, a quoted local-part with its quotes.
 * Unknown methods, results and ptypes are kept (RFC 8601 2.7, 2.3: the
 * consumer ignores what it does not know). */
struct mime_authres {
	const char *authserv_id;             /* lowercase-insensitive compare is the caller's: keep as written */
	unsigned version;                    /* 1 when absent */
	const struct mime_authres_result *results;   /* "none" gives nresults 0 */
	size_t nresults;
};

/* value: the field body after the colon (folded or not, CFWS and comments
 * allowed anywhere RFC 8601 2.2 allows them; a final line break is
 * allowed). MIME_OK and *out set (free it with mime_authres_free);
 * MIME_EINVAL when it does not parse (a NUL byte, an empty authserv-id, a
 * number beyond UINT_MAX included); MIME_ENOMEM. On failure *out is NULL.
 * Linear time; one allocation of at most about 16 bytes per input byte. */
enum mime_status mime_authres_parse(const char *value, size_t len, struct mime_authres **out);
void mime_authres_free(struct mime_authres *a);

/* 1 when a's authserv-id is id, ASCII case-insensitively (RFC 8601 2.5). */
int mime_authres_id_is(const struct mime_authres *a, const char *id);

/* The method version of results[i] ("dkim/1=pass"): 1 when absent (RFC
 * 8601 2.2); i must be below nresults. mime_authres_field writes none, so
 * it is version 1 there. */
unsigned mime_authres_method_version(const struct mime_authres *a, size_t i);

/* Which Authentication-Results fields this hop wrote (DESIGN.md 4, RFC
 * 8601 5): a receiving server prepends Received, then its filters prepend
 * their Authentication-Results (and Received-SPF) above it, so this hop's
 * are the run of those two at the top of the header (with the
 * Return-Path a final delivery puts among or above them: ember receiver
 * writes Return-Path, Authentication-Results, Received-SPF, Received).
 * Fed every field in
 * order (zeroed to start), mime_hop_is_ours gives 1 for a field in that
 * run, 0 from the first other field on: an Authentication-Results of our
 * authserv-id further down came with the message and is not to be
 * trusted. */
struct mime_field;
struct mime_hop {
	int below;
};
int mime_hop_is_ours(struct mime_hop *h, const struct mime_field *f);

#endif
