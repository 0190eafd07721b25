/* ember lib/mime: the header reader. Included by mime.h; include mime.h
 * instead.
 *
 * A sans-IO reader of one header section (RFC 5322 2.2, 3.6; obsolete
 * syntax of 4.5): feed bytes in any chunking, pull one event per field.
 * Each field is given raw (every byte of it, with its folding and its final
 * line break), so fields read this way and written back reproduce the
 * input; name and value point into raw. CRLF and bare LF are both line
 * ends. Every reader of ember (the message parser, DKIM, SPF, DMARC, the
 * servers, the commands) reads fields through this one reader, so no two
 * parts of ember can disagree about what the header holds.
 *
 * Where the header ends. RFC 5322 2.2 ends it at the empty line, but real
 * mail has lines that are neither a field ("Name:" then a value), nor a
 * continuation (white space first), nor the empty line: bounces that cut
 * the message they quote, broken generators, and attacks. Measured on such
 * input (mail-parser's malformed/007, mrmime's bad 008, hand-made cases),
 * the peers split four ways:
 *   - Python's email package ends the header before the line, which is the
 *     first line of the body (MissingHeaderBodySeparatorDefect);
 *   - GMime drops the line and reads on to the empty line;
 *   - mblaze keeps the line in the header and reads on;
 *   - dkimpy (MessageFormatError) and OpenDKIM (syntax error) refuse the
 *     message: they neither sign it nor pass its signatures.
 * Each split is an attack when a verifier and a mail reader differ: a
 * "From:" and a garbage line added above a signed header make Python see
 * only the added From, while a lenient verifier passes the signature.
 * ember's rule is two-sided:
 *   - this reader ends the header before such a line, as Python does, with
 *     a DEFECT (MIME_D_NOT_A_FIELD, or MIME_D_FIELD_NAME_BYTE when a
 *     control or 8-bit byte stands where the name is); that line and what
 *     follows are the body, so the structure readers (the parser, descr,
 *     extract, hdr, the model) see the parts a mail reader shows;
 *   - every security consumer refuses a header with a structural defect
 *     (mime_code_is_structural: those two, a continuation line with no
 *     field above it, a NUL or a bare CR in a field) rather than guess:
 *     mime_author() gives a coded reason, DKIM a permerror, the SMTP server
 *     may refuse it.
 * Flagged without ending anything: white space before the colon
 * ("From : x" is a From field by RFC 5322 4.5 obs-optional, but dkimpy,
 * Python and mblaze do not see it as one; mime_author() refuses it), a line
 * over max_line, and a repeat of a field RFC 5322 3.6 or RFC 2045 allows
 * once (MIME_D_REPEATED_FIELD, reported once for each repeat). The raw view
 * stays lossless either way: fields, the bytes before END and the body
 * together are the input.
 *
 * Header bytes may hold NUL: lengths are always given, never implied. */
#ifndef EMBER_MIME_HEADER_H
#define EMBER_MIME_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "mime-core.h"

struct mime_field {
	const char *raw;       /* the whole field, final line break included */
	size_t raw_len;
	const char *name;      /* as written; name_len 0: a line that is not a
				  field (an mbox "From " line, or a continuation
				  line with no field above it) */
	size_t name_len;
	const char *value;     /* after the colon, folding kept, no final line break */
	size_t value_len;
	uint64_t offset;       /* input offset of raw[0] (DEFECT, ERROR: of the
				  byte the problem is about) */
	unsigned long line;    /* 1-based input line of raw[0] (or of the problem) */
	enum mime_code code;   /* DEFECT, ERROR: what; else MIME_C_NONE */
	const char *message;   /* DEFECT, ERROR: short static text; else NULL */
	const struct mime_field_info *info; /* FIELD: mime_field_lookup(name), or NULL */
	size_t line_feeds;     /* FIELD: the LF bytes in raw */
};

/* Every limit: 0 means the default. */
struct mime_field_info;

struct mime_hdr_limits {
	size_t max_line;       /* 998: a longer line is a DEFECT, and is kept */
	size_t max_field;      /* 65536: a longer field is an ERROR */
	size_t max_fields;     /* 10000: more fields is an ERROR */
	size_t max_header;     /* 1 MiB: a longer header section is an ERROR */
	unsigned flags;
};

#define MIME_HDR_MBOX_FROM 1u  /* a first line "From " is an mbox separator
				  (a FIELD with name_len 0, no defect); off by
				  default, as wire input never has one */

enum mime_hdr_ev {
	MIME_HDR_AWAIT,        /* feed more (or end the input with a feed of 0) */
	MIME_HDR_FIELD,        /* *f is a field, valid until the next feed */
	MIME_HDR_DEFECT,       /* f->code, f->message, f->line, f->offset */
	MIME_HDR_END,          /* the header is over (see mime_hdr_reader_unread) */
	MIME_HDR_ERROR,        /* a limit, memory, or a feed while events were
				  waiting: stop (f->code says which) */
};

struct mime_hdr_reader;

/* NULL limits: the defaults. NULL when memory is exhausted. */
struct mime_hdr_reader *mime_hdr_reader_new(const struct mime_hdr_limits *lim);
void mime_hdr_reader_free(struct mime_hdr_reader *r);
/* Ready for a new header section, memory kept (a server reads many). */
void mime_hdr_reader_reset(struct mime_hdr_reader *r, const struct mime_hdr_limits *lim);
/* Feed the next bytes; n == 0 ends the input. Drain the events (up to
 * AWAIT, END or ERROR) before the next feed: a feed while events of the
 * last one are waiting is a sticky ERROR (MIME_E_UNDRAINED), never a
 * silent loss. Bytes fed after END are not read. */
void mime_hdr_reader_feed(struct mime_hdr_reader *r, const char *s, size_t n);
enum mime_hdr_ev mime_hdr_reader_next(struct mime_hdr_reader *r, struct mime_field *f);
/* The message of the last DEFECT or ERROR (static text). */
const char *mime_hdr_reader_message(const struct mime_hdr_reader *r);
/* Once END was given: the bytes of the header section, the empty line
 * included (0 when there is none); the body starts at this input offset. */
uint64_t mime_hdr_reader_consumed(const struct mime_hdr_reader *r);
/* Once END was given, the body is: the bytes the reader had to take from
 * earlier feeds to see that a line was not a field (*held, the return
 * value; 0 but after such a line that began in an earlier feed), then the
 * last buffer fed from index *unread on. */
size_t mime_hdr_reader_body(const struct mime_hdr_reader *r, const char **held, size_t *unread);

/* ASCII case-insensitive comparison of a field's name with name. */
int mime_field_is(const struct mime_field *f, const char *name);

/* What a field name says about its value: which grammar reads it. One
 * table for every reader (hdr, DKIM, ARC, the repeated-field check). */
enum mime_field_kind {
	MIME_FIELD_UNSTRUCTURED,  /* Subject, Comments, unknown names: RFC 2047 text */
	MIME_FIELD_ADDRESS,       /* From, To, Reply-To, Return-Path, ... */
	MIME_FIELD_DATE,          /* Date, Resent-Date */
	MIME_FIELD_MSGID,         /* Message-ID, In-Reply-To, References, Content-ID */
	MIME_FIELD_MIME_PARAMS,   /* Content-Type, Content-Disposition */
	MIME_FIELD_MIME_TOKEN,    /* Content-Transfer-Encoding, MIME-Version */
	MIME_FIELD_TRACE,         /* Received: its own grammar, no encoded words */
	MIME_FIELD_AUTH,          /* DKIM-Signature, ARC-*, Authentication-Results,
				     Received-SPF: machine-read, taken verbatim */
};

#define MIME_FIELD_ONCE 1u    /* at most once in a header (RFC 5322 3.6,
				 RFC 2045 3, RFC 2183) */

struct mime_field_info {
	const char *name;     /* canonical spelling: "Message-ID" */
	enum mime_field_kind kind;
	unsigned flags;
	const char *repeated; /* MIME_FIELD_ONCE: the DEFECT message of a repeat */
	size_t len;           /* of name */
};

/* The entry for a name (ASCII case-insensitive); NULL for a name not in
 * the table (an unstructured field). */
const struct mime_field_info *mime_field_lookup(const char *name, size_t len);
enum mime_field_kind mime_field_kind(const char *name, size_t len);

#endif
