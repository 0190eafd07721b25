/* Internals of the message parser, shared by parser.c (lines, delimiters,
 * bodies) and part.c (headers, part types, decoding). Not installed. */
#ifndef EMBER_MIME_PARSER_INT_H
#define EMBER_MIME_PARSER_INT_H

#include <string.h>

#include "mime.h"

enum lv_state {
	LV_HEADER,    /* reading the part's header */
	LV_LEAF,      /* a leaf body (or an opaque part) */
	LV_PREAMBLE,  /* a multipart before its first delimiter */
	LV_CHILDREN,  /* a multipart whose child is at the next level */
	LV_EPILOGUE,  /* a multipart after its close delimiter */
	LV_MESSAGE,   /* message/rfc822|global: the enclosed message is at the next level */
};

enum body_dec { DEC_NONE, DEC_QP, DEC_BASE64 };

struct level {
	enum lv_state state;
	struct mime_part_info info;
	struct mime_buf store;     /* the strings info points to */
	struct mime_buf ctype;     /* raw values of the fields that decide the type */
	struct mime_buf cte;
	struct mime_buf cdisp;
	int seen_ctype, seen_cte, seen_cdisp;
	unsigned children;
	struct mime_hdr_reader *hdr;
	/* decoding of a leaf body */
	enum body_dec dec;
	int to_utf8;
	struct mime_qp_dec qp;
	struct mime_base64_dec b64;
	struct mime_charset_dec cs;
	struct mime_buf mid;       /* transfer-decoded bytes waiting for the charset step */
};

/* queued events whose data lives in the parser's dec buffer are stored by
 * offset and fixed up when they leave the queue (dec may move as it grows) */
struct qev {
	struct mime_event ev;
	size_t raw_off, data_off;
	unsigned char raw_in_dec, data_in_dec;
};

struct mime_parser {
	struct mime_limits lim;
	unsigned flags;
	/* the current feed */
	const char *buf;
	size_t len, pos;
	uint64_t base;            /* input offset of buf[0] */
	int eof, done;
	unsigned long line;
	const char *failed;       /* set: parsing stopped with this error */
	/* levels: [0] is the top message */
	struct level **levels;    /* each allocated on first use, never moved:
				     queued events point into them */
	int top, cap_levels;
	size_t parts;
	/* line state */
	int at_line_start;
	struct mime_buf carry;    /* a possible delimiter cut by the end of a feed */
	int carry_stale;          /* carry was consumed: empty it at the next step */
	char pend[2];             /* the held line break, when copied */
	size_t pend_len, pend_off;
	int pend_in_buf, pend_cr;
	/* events */
	struct qev *queue;
	size_t qhead, qlen, qcap;
	struct mime_buf dec;      /* decoded data and joined spans of queued events */
	uint64_t emitted;         /* raw bytes given out so far: the next event's offset */
	/* header of the current part: bytes fed, bytes covered by fields, and
	 * the last two bytes fed (an empty line cut by a feed) */
	uint64_t hdr_fed, hdr_covered;
	char hdr_tail[2];
	int child_pending;        /* a delimiter opened a part: begin it at the next step */
};

static inline int lv_boundary_active(const struct level *lv)
{
	return lv->info.multipart && (lv->state == LV_PREAMBLE || lv->state == LV_CHILDREN);
}

static inline size_t mime_count_lf(const char *s, size_t n)
{
	size_t c = 0;
	for (const char *e = s + n; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++)
		c++;
	return c;
}

struct mime_event *mime_parser_push_ev(struct mime_parser *p, enum mime_ev type);
/* push an event whose raw bytes are copied into dec (for spans that are not
 * contiguous in the input buffer) */
int mime_parser_ev_raw_copy(struct mime_parser *p, struct mime_event *e, const char *a, size_t an,
			    const char *b, size_t bn);
void mime_parser_defect(struct mime_parser *p, const char *what);
int mime_parser_any_boundary(const struct mime_parser *p);

/* part.c */
int mime_parser_push_part(struct mime_parser *p, struct level *parent);
void mime_parser_release_level(struct level *lv);
void mime_parser_close_level(struct mime_parser *p, const char *unclosed_defect);
void mime_parser_body(struct mime_parser *p, const char *s, size_t n);
void mime_parser_body_copy(struct mime_parser *p, const char *s, size_t n);
void mime_parser_header_bytes(struct mime_parser *p, const char *s, size_t n);
void mime_parser_header_cut(struct mime_parser *p);
void mime_parser_header_end_of_input(struct mime_parser *p);

#endif
