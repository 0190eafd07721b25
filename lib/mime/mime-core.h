/* ember lib/mime: shared core types: the status of every function, the
 * codes of defects and errors, ASCII helpers, the growable buffer.
 * Included by mime.h; do not include directly. */
#ifndef EMBER_MIME_CORE_H
#define EMBER_MIME_CORE_H

#include <stddef.h>
#include <stdint.h>

/* What the library's functions return. The values are fixed: MIME_OK is 0
 * and every failure is negative, so `if (r)` and `if (r < 0)` both work. */
enum mime_status {
	MIME_OK = 0,
	MIME_ENOMEM = -1,     /* memory ran out: try again later (SMTP 4xx) */
	MIME_EINVAL = -2,     /* the input does not parse, is out of range or
				 cannot be written within the limits (5xx) */
	MIME_EUTF8 = -3,      /* it can only be written with RFC 6532 UTF-8
				 headers (SMTPUTF8), which were not allowed */
	MIME_ELIMIT = -4,     /* a configured limit was exceeded */
	MIME_ESTATE = -5,     /* called out of order (fed while events of the
				 last feed were still waiting to be taken) */
};

/* The code of every DEFECT (something wrong that was tolerated) and ERROR
 * (a reason to stop) the readers report, beside a short static message.
 * Callers switch on the code; the message is for people. The grammars and
 * decoders report one code per family (MIME_D_QP, MIME_D_ADDRESS, ...);
 * the header and the structure of the message have one code per case. */
enum mime_code {
	MIME_C_NONE = 0,
	/* the header's structure (mime_code_is_structural): where readers of
	 * a header may disagree, so security decisions refuse the header */
	MIME_D_NOT_A_FIELD,        /* a line neither field, continuation nor empty:
				      the header ends before it */
	MIME_D_FIELD_NAME_BYTE,    /* a control or 8-bit byte where the field
				      name is: the header ends before the line */
	MIME_D_CONTINUATION_FIRST, /* a continuation line with no field above */
	MIME_D_FIELD_NUL,          /* a NUL byte in a field */
	MIME_D_FIELD_BARE_CR,      /* a CR not followed by LF in a field */
	/* the header, tolerated */
	MIME_D_WSP_BEFORE_COLON,   /* "From : x" (RFC 5322 4.5 obs-optional) */
	MIME_D_LINE_TOO_LONG,      /* a header line over max_line (998) */
	MIME_D_REPEATED_FIELD,     /* a second From, Date, Subject, Content-Type ...
				      (RFC 5322 3.6, RFC 2045 3) */
	MIME_D_EMPTY_MESSAGE,
	/* the MIME structure */
	MIME_D_HEADER_CUT,         /* a part header cut by a boundary delimiter */
	MIME_D_UNCLOSED_MULTIPART, /* no close delimiter */
	MIME_D_NO_BOUNDARY,        /* multipart without a usable boundary */
	MIME_D_ENCODED_MULTIPART,  /* multipart with a transfer encoding */
	MIME_D_TOO_DEEP,           /* nesting deeper than max_depth: opaque */
	MIME_D_CONTENT_TYPE,       /* unusable Content-Type: default applied */
	MIME_D_DISPOSITION,        /* unusable Content-Disposition: ignored */
	MIME_D_CTE,                /* unusable Content-Transfer-Encoding */
	MIME_D_CTE_UNKNOWN,        /* an encoding that cannot be undone */
	MIME_D_CHARSET_UNKNOWN,    /* text in a charset we cannot convert */
	/* grammars and decoders */
	MIME_D_QP,
	MIME_D_BASE64,
	MIME_D_UTF7,
	MIME_D_CHARSET,            /* malformed or unmappable input */
	MIME_D_RFC2047,
	MIME_D_PARAMS,
	MIME_D_ADDRESS,
	MIME_D_DATE,
	MIME_D_MSGID,
	MIME_D_RECEIVED,
	/* errors: the reader stops */
	MIME_E_NOMEM,              /* temporary */
	MIME_E_FIELD_TOO_LONG,     /* one field over max_field */
	MIME_E_TOO_MANY_FIELDS,    /* over max_fields */
	MIME_E_HEADER_TOO_LONG,    /* a header section over max_header bytes */
	MIME_E_TOO_MANY_PARTS,     /* over max_parts */
	MIME_E_UNDRAINED,          /* fed before the last feed's events were
				      taken: those bytes would be lost */
	MIME_C_COUNT
};

/* A stable lowercase name for a code ("not-a-field", "qp", "nomem"), for
 * JSON output and tests; "unknown" for a value out of range. */
const char *mime_code_name(enum mime_code c);
/* 1 for the structural header defects above: a header that has one is read
 * differently by different mail software, so authentication (DKIM, DMARC,
 * the author) refuses it rather than guess. */
int mime_code_is_structural(enum mime_code c);
/* 1 for the MIME_E_ codes. */
int mime_code_is_error(enum mime_code c);

/* ASCII, whatever the C locale: header names, charset names, MIME tokens,
 * SMTP verbs and domains are compared with these, never with strcasecmp or
 * tolower (under tr_TR, 'I' does not fold to 'i'). */
static inline int mime_ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
static inline int mime_ascii_upper(int c) { return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c; }
/* Lengths given: NUL bytes are compared like any other byte. */
int mime_ascii_caseeq(const char *a, size_t an, const char *b, size_t bn);
/* s[0..n) equals the NUL-terminated lit, ignoring ASCII case. */
int mime_ascii_is(const char *s, size_t n, const char *lit);
/* NUL-terminated strings: <0, 0, >0 like strcasecmp, in ASCII. */
int mime_ascii_casecmp(const char *a, const char *b);
/* Lowercase n bytes in place. */
void mime_ascii_lower_n(char *s, size_t n);

/* A growable byte buffer owned by the caller. Zero-initialise it
 * (struct mime_buf b = {0};) and release it with mime_buf_free().
 * data is always NUL-terminated after a successful append (the NUL is
 * not counted in len), so text results can be used as C strings. */
struct mime_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* MIME_OK, or MIME_ENOMEM (the buffer is unchanged). */
enum mime_status mime_buf_append(struct mime_buf *b, const void *p, size_t n);
enum mime_status mime_buf_putc(struct mime_buf *b, int c);
enum mime_status mime_buf_puts(struct mime_buf *b, const char *s);
/* Ensure room for n more bytes. */
enum mime_status mime_buf_reserve(struct mime_buf *b, size_t n);
void mime_buf_reset(struct mime_buf *b);  /* len = 0, memory kept */
/* Cut back to len bytes (len <= b->len), NUL kept; memory kept. */
void mime_buf_truncate(struct mime_buf *b, size_t len);
void mime_buf_free(struct mime_buf *b);   /* memory released, zeroed */

/* Defects: things wrong with the input that a tolerant reader repairs or
 * keeps as they are. Decoders never fail on them; they count them and,
 * when a callback is set, report each one with its code, the byte offset
 * (from the start of the input fed so far) and a short static message. */
typedef void (*mime_defect_fn)(void *ctx, enum mime_code code, uint64_t offset,
			       const char *what);

struct mime_defects {
	mime_defect_fn fn;   /* may be NULL */
	void *ctx;
	uint64_t count;
	uint64_t first_offset; /* valid when count > 0 */
	const char *first;     /* message of the first defect, or NULL */
	enum mime_code first_code;
};

void mime_defect(struct mime_defects *d, enum mime_code code, uint64_t offset, const char *what);

#endif
