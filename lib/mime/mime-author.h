/* ember lib/mime: the author of a message. Included by mime.h.
 *
 * The RFC 5322 author as authentication needs it (DMARC, RFC 9989 4.4 and
 * 6.6.1; DKIM reports; ARC; the receiver): exactly one From field holding
 * exactly one mailbox, in a header with no structural defect
 * (mime-header.h), parsed with the strict address grammar, its domain
 * lowercased and converted to an A-label. Anything else gets a coded
 * reason instead of a guess, so that no two parts of ember, and no reader
 * after them, can see two different authors.
 *
 * Two address parsers, two uses (mime-address.h):
 *   - mime_address_list_parse, strict: the whole value must parse; for
 *     decisions (the author, SMTP arguments, DKIM i= and d= checks);
 *   - mime_address_list_parse_tolerant, which skips what does not parse:
 *     for display (ember addr, hdr) only, never for a decision.
 *
 * Feed it the top-level fields and header defects as the header reader
 * gives them (mime_author_field, mime_author_defect), then finish; or give
 * it the message with mime_author_read. */
#ifndef EMBER_MIME_AUTHOR_H
#define EMBER_MIME_AUTHOR_H

#include <stddef.h>
#include <stdint.h>

#include "mime-core.h"
#include "mime-address.h"
#include "mime-header.h"

enum mime_author_status {
	MIME_AUTHOR_OK = 0,
	MIME_AUTHOR_NO_FROM,            /* "no From field" */
	MIME_AUTHOR_SEVERAL_FROM,       /* "several From fields" */
	MIME_AUTHOR_STRUCTURE,          /* the header has a structural defect */
	MIME_AUTHOR_WSP_NAME,           /* "From :": white space before the colon */
	MIME_AUTHOR_MALFORMED,          /* "malformed From": not an address-list, no
					   mailbox, a domain that is no valid IDN */
	MIME_AUTHOR_GROUP,              /* "group in From" */
	MIME_AUTHOR_SEVERAL_MAILBOXES,  /* "several mailboxes in From" */
	MIME_AUTHOR_LITERAL,            /* a domain literal: no domain name */
	MIME_AUTHOR_NOMEM,
};

/* flags: noted, not fatal */
#define MIME_AUTHOR_NAME_LOOKS_LIKE_ADDRESS 1u  /* "ceo@bank.example" <x@evil.example>:
						   the decoded display name (or the
						   old-style comment) holds '@' or '<' */

struct mime_author {
	enum mime_author_status status;
	unsigned flags;
	struct mime_mailbox mailbox;  /* MIME_AUTHOR_OK: the author as parsed */
	struct mime_buf address;      /* MIME_AUTHOR_OK: local@domain, domain as written */
	struct mime_buf domain;       /* MIME_AUTHOR_OK: the domain, lowercased A-label */
	uint64_t offset;              /* the (first) From field, or the problem */
	unsigned long line;
	const char *detail;           /* a static word on the reason, or NULL: the
					 parser's error, the structural defect */
	/* while reading */
	unsigned nfrom;
	enum mime_author_status from_status;
	enum mime_code structural;
	uint64_t s_offset;
	unsigned long s_line;
	const char *s_message;
};

void mime_author_init(struct mime_author *a);
/* Every top-level field, in order. */
void mime_author_field(struct mime_author *a, const struct mime_field *f);
/* Every DEFECT of the top-level header (d as the reader gave it). */
void mime_author_defect(struct mime_author *a, const struct mime_field *d);
/* The verdict (also in a->status). */
enum mime_author_status mime_author_finish(struct mime_author *a);
void mime_author_free(struct mime_author *a);
/* The whole message (or its header) in a buffer: read, finish. MIME_AUTHOR_STRUCTURE
 * also when the header cannot be read at all (a limit). */
enum mime_author_status mime_author_read(const char *msg, size_t len,
					 const struct mime_hdr_limits *lim, struct mime_author *a);
/* The reason in words: "several From fields", ... ("" for MIME_AUTHOR_OK). */
const char *mime_author_reason(enum mime_author_status s);

#endif
