/* ember lib/mime: the streaming message parser. Included by mime.h.
 *
 * Sans-IO: the caller feeds bytes in any chunking and pulls events. Every
 * event carries the input bytes it stands for (raw, raw_len), in order and
 * without overlap, so writing every event's raw bytes reproduces the input
 * exactly (the raw view: a relay or a DKIM signer sees the message byte for
 * byte). Body events can also carry decoded data (transfer encoding, and
 * charset to UTF-8 for text parts) when decoding is requested.
 *
 * Memory is bounded by the limits, never by the message size: body bytes
 * are passed through as they arrive; only header lines and possible
 * boundary lines are assembled, each bounded by a limit.
 *
 * Headers are read by the header reader (mime-header.h), with its rule: a
 * line that is neither a field, a continuation nor the empty line ends the
 * header, with a DEFECT, and is the first line of the body.
 *
 * Every DEFECT and ERROR carries a code (enum mime_code), the input offset
 * and line of the byte it is about, and a static message. Defects found by
 * the charset step inside a transfer-encoded text part are placed on the
 * encoded byte that completed the offending character. */
#ifndef EMBER_MIME_PARSER_H
#define EMBER_MIME_PARSER_H

#include <stddef.h>
#include <stdint.h>

/* Every limit: 0 means the default given here. */
struct mime_limits {
	size_t max_line;      /* header or boundary line; longer is a defect (998) */
	size_t max_field;     /* one header field, folded; longer is an error (65536) */
	size_t max_fields;    /* fields in one header section; more is an error (10000) */
	unsigned max_depth;   /* nesting of multiparts and messages; deeper parts are
				 kept opaque, as a defect (64) */
	size_t max_parts;     /* parts in one message; more is an error (10000) */
	size_t max_header;    /* bytes of one header section; more is an error (1 MiB) */
};

enum mime_ev {
	MIME_AWAIT,        /* feed more input (or end it with a feed of length 0) */
	MIME_PART_BEGIN,   /* a part (or message) starts; its header follows */
	MIME_FIELD,        /* one header field of the current part */
	MIME_HEADER_END,   /* the header is over: ev->part holds its resolved type */
	MIME_BODY,         /* body bytes: leaf body, preamble or epilogue */
	MIME_DELIMITER,    /* a boundary delimiter line (with the line break before it) */
	MIME_PART_END,     /* the current part is over */
	MIME_DEFECT,       /* something wrong that was tolerated: ev->message */
	MIME_END,          /* end of the message */
	MIME_ERROR,        /* a limit was exceeded or memory ran out: parsing stops */
};

enum mime_body_kind { MIME_BODY_LEAF, MIME_BODY_PREAMBLE, MIME_BODY_EPILOGUE };

enum mime_cte {
	MIME_CTE_7BIT, MIME_CTE_8BIT, MIME_CTE_BINARY,
	MIME_CTE_QUOTED_PRINTABLE, MIME_CTE_BASE64, MIME_CTE_UNKNOWN,
};

/* What the header of a part says, with the RFC 2045/2046 defaults applied. */
struct mime_part_info {
	const char *path;         /* "1", "1.2", "1.2.1": the top message is "1" */
	unsigned depth;           /* 0 for the top message */
	const char *type;         /* lowercased, e.g. "text" */
	const char *subtype;      /* lowercased, e.g. "plain" */
	const char *charset;      /* lowercased parameter as given, or NULL */
	const char *boundary;     /* multipart boundary, or NULL */
	const char *disposition;  /* lowercased, or NULL */
	const char *filename;     /* UTF-8: Content-Disposition filename, else
				     Content-Type name; NULL when none */
	enum mime_cte cte;
	const char *cte_name;     /* lowercased as written, or NULL when absent */
	int multipart;            /* type is multipart and the boundary usable */
	int message;              /* message/rfc822 or message/global, parsed inside */
	int defaulted;            /* no usable Content-Type: defaults applied */
	uint64_t offset;          /* input offset of the part's first byte */
};

struct mime_field;

struct mime_event {
	enum mime_ev type;
	unsigned depth;
	const char *raw;          /* input bytes this event stands for */
	size_t raw_len;
	uint64_t offset;          /* input offset of raw[0] */
	const struct mime_part_info *part; /* the current part (PART_BEGIN..PART_END) */
	/* MIME_FIELD: name and value point into raw */
	const char *name;
	size_t name_len;
	const char *value;        /* after the colon, folding kept, no final line break */
	size_t value_len;
	/* MIME_BODY */
	enum mime_body_kind body_kind;
	const char *data;         /* decoded bytes when decoding, else == raw */
	size_t len;
	/* MIME_DELIMITER */
	int close;                /* a close delimiter (--boundary--) */
	/* every event: the 1-based input line of raw[0] (DEFECT, ERROR: of the
	 * byte the problem is about, as offset is) */
	unsigned long line;
	/* MIME_DEFECT, MIME_ERROR */
	enum mime_code code;
	const char *message;
};

enum {
	MIME_DECODE_CTE = 1,      /* undo quoted-printable and base64 in leaf bodies */
	MIME_DECODE_TEXT = 2,     /* and convert text leaves to UTF-8 */
	MIME_MBOX_FROM = 4,       /* a first line "From " is an mbox separator (files
				     kept in mbox style); off by default, as wire
				     input never has one */
};

struct mime_parser;

struct mime_parser *mime_parser_new(const struct mime_limits *limits, unsigned flags);
void mime_parser_free(struct mime_parser *p);
/* Ready for a new message with the same limits and flags; memory kept (a
 * server parses many messages with one parser). */
void mime_parser_reset(struct mime_parser *p);
/* Feed the next bytes (len 0: end of input). The bytes must stay valid and
 * unchanged until mime_parser_next returns MIME_AWAIT or MIME_END. Feeding
 * before mime_parser_next returned MIME_AWAIT is a sticky MIME_ERROR
 * (MIME_E_UNDRAINED), never a silent loss. */
void mime_parser_feed(struct mime_parser *p, const char *buf, size_t len);
/* Next event; spans in ev stay valid until the next call. */
enum mime_ev mime_parser_next(struct mime_parser *p, struct mime_event *ev);

#endif
