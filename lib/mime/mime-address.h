/* ember lib/mime: address. Included by mime.h; include mime.h instead.
 *
 * RFC 5322 3.4 addresses (with the obsolete forms of 4.4 and RFC 6532
 * UTF-8), parsed from one complete field value (folding allowed), and
 * printed back either as one line for people and scripts or as a folded
 * header field. Domains convert between U-labels and A-labels (IDNA 2008,
 * UTS #46 non-transitional, through libidn2). */
#ifndef EMBER_MIME_ADDRESS_H
#define EMBER_MIME_ADDRESS_H

#include <stddef.h>

struct mime_fold;

enum mime_domain_kind {
	MIME_DOMAIN_NAME,     /* dot-atom: "example.org", "bücher.example" */
	MIME_DOMAIN_LITERAL,  /* "[192.0.2.1]", "[IPv6:2001:db8::1]" (brackets kept) */
};

/* Every string below is NUL-terminated and owned by the list. */
struct mime_mailbox {
	/* display name exactly as written (words, quoted strings, encoded words,
	 * inner comments and folding, outer CFWS trimmed); NULL when absent.
	 * Decode it with mime_rfc2047_decode_phrase(). */
	char *name;
	size_t name_len;
	/* canonical local part: dot-atom when the content allows it, else a
	 * quoted string with only '"' and '\\' escaped (RFC 5322 3.2.4) */
	char *local;
	size_t local_len;
	char *domain;         /* CFWS removed; obs-domain joined with '.' */
	size_t domain_len;
	enum mime_domain_kind domain_kind;
	char *route;          /* obs-route "@a,@b" (RFC 5322 4.4), or NULL */
	/* the text of the comments after a bare addr-spec, the old display-name
	 * convention "john@example.org (John Doe)"; NULL when none */
	char *comment;
	size_t offset;        /* byte offset of the mailbox in the value */
};

struct mime_address {
	int is_group;         /* 0: a mailbox, mailboxes[0]; 1: a group */
	char *name;           /* group: display name as written (like above) */
	size_t name_len;
	struct mime_mailbox *mailboxes;
	size_t count;         /* a group may be empty */
	size_t offset;
};

struct mime_address_list {
	struct mime_address *items;
	size_t count;
};

struct mime_addr_error {
	size_t pos;           /* byte offset in the value */
	const char *msg;      /* short static text: "expected '>'" */
};

/* Two parsers, two uses. The strict one is for decisions: the author
 * (mime-author.h), SMTP arguments, DKIM and DMARC identities. The tolerant
 * one is for display only (ember addr, hdr): what it skips could be read
 * otherwise by another reader, so nothing is decided on what it gives.
 *
 * Strict: the whole value must be an address-list (obs-addr-list: empty
 * elements allowed; an empty value gives an empty list). MIME_OK; MIME_ENOMEM;
 * MIME_EINVAL malformed (err filled, out empty). out must be zeroed or freed. */
enum mime_status mime_address_list_parse(const char *v, size_t len, struct mime_address_list *out,
			    struct mime_addr_error *err);
/* Tolerant: an element that does not parse is skipped (up to the next ','
 * at its level) and reported as a defect; the rest is parsed. MIME_OK or MIME_ENOMEM. */
enum mime_status mime_address_list_parse_tolerant(const char *v, size_t len, struct mime_address_list *out,
				     struct mime_defects *df);
/* One mailbox (From with a single author, Sender): MIME_OK, MIME_ENOMEM, MIME_EINVAL. */
enum mime_status mime_mailbox_parse(const char *v, size_t len, struct mime_mailbox *out,
		       struct mime_addr_error *err);
void mime_mailbox_free(struct mime_mailbox *m);
void mime_address_list_free(struct mime_address_list *l);

/* IDN: convert a domain name to its A-label (xn--) or U-label form
 * (IDNA 2008 + UTS #46 non-transitional). An ASCII name without "xn--"
 * labels and a domain literal are copied unchanged. MIME_OK, MIME_ENOMEM, MIME_EINVAL not a
 * valid IDN (err->pos: offset in d of the offending label). */
enum mime_status mime_domain_to_ascii(const char *d, size_t len, struct mime_buf *out,
			 struct mime_addr_error *err);
enum mime_status mime_domain_to_unicode(const char *d, size_t len, struct mime_buf *out,
			   struct mime_addr_error *err);

/* Printer flags */
#define MIME_ADDR_SPEC_ONLY 1u  /* line: only local@domain */
#define MIME_ADDR_ASCII     2u  /* line: domains as A-labels (default U-labels) */
#define MIME_ADDR_UTF8      4u  /* field: RFC 6532 output: UTF-8 display names
				   and U-label domains instead of encoded words
				   and A-labels */

/* One line, no line break: `Display Name <local@domain>` (name decoded to
 * UTF-8; quoted when it would not parse as a phrase), or `local@domain`.
 * Routes and comments dropped. Appended to out. MIME_OK or MIME_ENOMEM. */
enum mime_status mime_mailbox_print(const struct mime_mailbox *m, unsigned flags, struct mime_buf *out);

/* The list as tokens of a folding printer between mime_fold_begin and
 * mime_fold_end. MIME_OK, MIME_ENOMEM, MIME_EINVAL a token cannot fit, MIME_EUTF8 a local part is not
 * ASCII and MIME_ADDR_UTF8 was not given (needs RFC 6532). */
enum mime_status mime_address_list_fold(struct mime_fold *f, const struct mime_address_list *l,
			   unsigned flags);
/* The whole field "Name: list CRLF" appended to out; same returns. */
enum mime_status mime_address_list_field(struct mime_buf *out, const char *name,
			    const struct mime_address_list *l, unsigned flags);

/* Same addresses: decoded display names, local parts, and domains compared
 * as A-labels (case-insensitively); routes and comments ignored. 1, 0, -1. */
int mime_address_list_equal(const struct mime_address_list *a,
			    const struct mime_address_list *b);

#endif
