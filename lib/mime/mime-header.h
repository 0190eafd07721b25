/* ember lib/mime: the header reader. Included by mime.h; include mime.h
 * instead.
 *
 * A sans-IO reader of one header section (RFC 5322 2.2, 3.6; obsolete
 * syntax of 4.5): feed bytes in any chunking, pull one event per field.
 * Each field is given raw (every byte of it, with its folding and its final
 * line break), so fields read this way and written back reproduce the
 * input; name and value point into raw. CRLF and bare LF are both line
 * ends. Every reader of ember (the message parser, DKIM, SPF, DMARC, the
 * servers, the commands) reads fields through this one reader. */
#ifndef EMBER_MIME_HEADER_H
#define EMBER_MIME_HEADER_H

#include <stddef.h>
#include <stdint.h>

struct mime_field {
	const char *raw;       /* the whole field, final line break included */
	size_t raw_len;
	const char *name;      /* as written; name_len 0: a line that is not a
				  field (an mbox "From " line, or garbage, which
				  also gives a DEFECT) */
	size_t name_len;
	const char *value;     /* after the colon, folding kept, no final line break */
	size_t value_len;
	uint64_t offset;       /* input offset of raw[0] */
	unsigned long line;    /* 1-based input line of raw[0] */
};

/* Every limit: 0 means the default. */
struct mime_hdr_limits {
	size_t max_line;       /* 998: a longer line is a DEFECT, and is kept */
	size_t max_field;      /* 65536: a longer field is an ERROR */
	size_t max_fields;     /* 10000: more fields is an ERROR */
	unsigned flags;
};

#define MIME_HDR_MBOX_FROM 1u  /* a first line "From " is an mbox separator:
				  a FIELD with name_len 0, no defect */

enum mime_hdr_ev {
	MIME_HDR_AWAIT,        /* feed more (or end the input with a feed of 0) */
	MIME_HDR_FIELD,        /* *f is a field, valid until the next feed */
	MIME_HDR_DEFECT,       /* mime_hdr_reader_message(); f->line, f->offset */
	MIME_HDR_END,          /* the empty line (or the end of input) was read */
	MIME_HDR_ERROR,        /* a limit was exceeded or memory ran out: stop */
};

struct mime_hdr_reader;

/* NULL limits: the defaults. NULL when memory is exhausted. */
struct mime_hdr_reader *mime_hdr_reader_new(const struct mime_hdr_limits *lim);
void mime_hdr_reader_free(struct mime_hdr_reader *r);
/* Ready for a new header section, memory kept (a server reads many). */
void mime_hdr_reader_reset(struct mime_hdr_reader *r, const struct mime_hdr_limits *lim);
/* Feed the next bytes; n == 0 ends the input. Bytes after the empty line
 * are not read (see mime_hdr_reader_consumed). Drain the events (up to
 * AWAIT, END or ERROR) before the next feed. */
void mime_hdr_reader_feed(struct mime_hdr_reader *r, const char *s, size_t n);
enum mime_hdr_ev mime_hdr_reader_next(struct mime_hdr_reader *r, struct mime_field *f);
/* The message of the last DEFECT or ERROR (static text). */
const char *mime_hdr_reader_message(const struct mime_hdr_reader *r);
/* Bytes that belong to the header section, the empty line included; once
 * END was given, the body starts at this input offset. */
uint64_t mime_hdr_reader_consumed(const struct mime_hdr_reader *r);

/* Case-insensitive comparison of a field's name with name. */
int mime_field_is(const struct mime_field *f, const char *name);

#endif
