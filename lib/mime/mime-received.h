/* ember lib/mime: Received fields (trace). Included by mime.h; include
 * mime.h instead.
 *
 * A Received value is read as RFC 5322 3.6.7 reads it (a list of
 * received-tokens, ";", a date-time) and split into the clauses of the
 * RFC 5321 4.4 Stamp:
 *
 *   from mail.example.org (mail.example.org [192.0.2.1])
 *   by mx.example.net (Postfix) with ESMTPS id 4F2A1B2C3D
 *   for <you@example.net>; Tue, 24 Nov 2026 10:00:00 +0000 (UTC)
 *
 * A clause is a keyword (from, by, via, with, id, for, or an additional
 * clause such as RFC 8314's "tls"), a value, and the comments that follow
 * the value (the TCP-info of from and by, "(Postfix)", Exim's
 * "(envelope-from <...>)", Gmail's "(version=TLS1_2 ...)"), kept as the
 * clause's info. The reader is tolerant of what real MTAs write: values of
 * several words (Microsoft's "with Microsoft SMTP Server", "via Frontend
 * Transport"), clauses in any order, unknown clauses (kept in extra), a
 * missing or unreadable date (a defect). It never fails on its input. */
#ifndef EMBER_MIME_RECEIVED_H
#define EMBER_MIME_RECEIVED_H

#include <stddef.h>

struct mime_buf;
struct mime_defects;

/* One clause. Strings are NUL-terminated, owned by the mime_received. */
struct mime_received_clause {
	char *name;   /* extra clauses only: the keyword as written; NULL in
			 the named clauses of struct mime_received */
	char *value;  /* NULL: the clause is absent. Its words (atoms, domains,
			 address literals "[192.0.2.1]", paths "<a@b>", quoted
			 strings as written) joined by one space; "" when the
			 keyword had no value */
	char *info;   /* NULL: no comment. Else the text of the comments after
			 the value (without the outer parentheses, quoted
			 pairs resolved, folding removed), several joined by
			 one space: "mail.example.org [192.0.2.1]" */
};

struct mime_received {
	/* RFC 5321 4.4 clauses; the first of each kind (a repeated one is a
	   defect and goes to extra). Keywords are case-insensitive. */
	struct mime_received_clause from, by, via, with, id, for_;
	struct mime_received_clause *extra; /* other clauses, in order */
	size_t nextra;
	char *info;       /* comments before the first clause (qmail's
			     "(qmail 1234 invoked by uid 89)"), or NULL */
	char *date_text;  /* after the last ";", trimmed, unfolded; NULL when
			     there is no ";" */
	int has_date;     /* date_text parsed as an RFC 5322 3.3 date-time */
	struct mime_date date;
};

/* Parse the value of a Received field (after the colon, folding kept).
 * *r is overwritten (no need to initialise it); free it with
 * mime_received_free() whatever the result. Defects (offsets in v):
 * no date, an unreadable date, a repeated clause, a keyword without a
 * value, an unterminated comment or quoted string. df may be NULL.
 * MIME_OK, or MIME_ENOMEM when memory is exhausted. */
enum mime_status mime_received_parse(const char *v, size_t n, struct mime_received *r,
			struct mime_defects *df);
void mime_received_free(struct mime_received *r);

/* Append a whole Received field, "Received: " to the final CRLF, folded
 * at 78 columns by the folding printer (RFC 5321 4.4 Stamp): the clauses
 * present in the order from, by, via, with, id, for, then extra, each
 * info as one comment after its value, then "; " and the date
 * (has_date: printed canonically; else date_text when set; else no ";",
 * the obsolete form of RFC 5322 4.5.6). A keyword and the first word of
 * its value stay on one line. Parsing what this prints gives back the
 * same clauses, infos and date; what could not be read back that way is
 * refused with MIME_EINVAL: a value holding a line break, a tab, ";" or "(" outside
 * a quoted string or brackets, an unclosed quote or bracket, two spaces
 * in a row, a keyword as one of its words; an info with a line break; a
 * date_text with a line break or a ";"; an extra clause whose name is not
 * one word, or is not a keyword and would not follow a comment (it would
 * read as more of the value before). MIME_OK, MIME_ENOMEM, MIME_EINVAL (as above, or a
 * token longer than 998 bytes). out is unchanged on error. */
enum mime_status mime_received_field(struct mime_buf *out, const struct mime_received *r);

/* RFC 3848 and RFC 6531 protocol names (the value of "with"): */
#define MIME_WITH_ESMTP 1u  /* an extension of SMTP or LMTP was used */
#define MIME_WITH_TLS   2u  /* ESMTPS, ESMTPSA, LMTPS, UTF8SMTPS, ... */
#define MIME_WITH_AUTH  4u  /* ESMTPA, ESMTPSA, LMTPA, UTF8SMTPA, ... */
#define MIME_WITH_LMTP  8u  /* LMTP and its variants (RFC 2033) */
#define MIME_WITH_UTF8 16u  /* UTF8SMTP, UTF8LMTP and variants (RFC 6531) */
/* The flags of a protocol name of the SMTP family (RFC 5321 4.4, RFC 3848,
 * RFC 6531 3.7.3; case-insensitive): "SMTP" gives 0, "ESMTPSA"
 * ESMTP|TLS|AUTH, "UTF8LMTPS" LMTP|UTF8|TLS; -1 for any other name
 * ("Microsoft SMTP Server", "HTTP", "mapi", NULL). */
int mime_received_with_flags(const char *with);

#endif
