/* Internals of the message parser, shared by parser.c (lines, delimiters,
 * bodies, positions) and part.c (headers, part types, decoding). Not
 * installed. */
#ifndef EMBER_MIME_PARSER_INT_H
#define EMBER_MIME_PARSER_INT_H

#include <string.h>

#include "mime.h"
#include "ascii-int.h"

enum lv_state {
	LV_HEADER,    /* reading the part's header */
	LV_LEAF,      /* a leaf body (or an opaque part) */
	LV_PREAMBLE,  /* a multipart before its first delimiter */
	LV_CHILDREN,  /* a multipart whose child is at the next level */
	LV_EPILOGUE,  /* a multipart after its close delimiter */
	LV_MESSAGE,   /* message/rfc822|global: the enclosed message is at the next level */
};

enum body_dec { DEC_NONE, DEC_QP, DEC_BASE64 };

/* An input position: byte offset and 1-based line. */
struct pos {
	uint64_t off;
	unsigned long line;
};

/* The first of the fields that decide a part's type: its value, and where
 * the value starts in the input (for the positions of its defects). */
struct kept_field {
	struct mime_buf value;
	struct pos at;
	int seen;
};

/* The input position of a byte the charset step read, by its offset there
 * (key); a defect it finds in a transfer-encoded part is placed there. */
enum { RING = 16 };
struct ring_ent {
	uint64_t key;
	struct pos at;
};

struct level {
	enum lv_state state;
	struct mime_part_info info;
	struct mime_buf store;     /* the strings info points to */
	struct kept_field ctype, cte, cdisp;
	unsigned children;
	struct mime_hdr_reader *hdr;
	struct pos hdr_at;         /* where the header starts */
	/* decoding of a leaf body */
	enum body_dec dec;
	int to_utf8;
	struct mime_qp_dec qp;
	struct mime_base64_dec b64;
	struct mime_charset_dec cs;
	struct mime_buf mid;       /* transfer-decoded bytes waiting for the charset step */
	struct ring_ent ring[RING];
};

/* queued events whose data lives in the parser's dec buffer are stored by
 * offset and fixed up when they leave the queue (dec may move as it grows) */
struct qev {
	struct mime_event ev;
	size_t raw_off, data_off;
	unsigned char raw_in_dec, data_in_dec;
};

/* The input the parser reads from: the caller's feed, or, for a moment,
 * the first line of a body that a header reader had already taken. */
struct input {
	const char *buf;
	size_t len, pos;
	uint64_t base;             /* input offset of buf[0] */
	int eof;
};

struct mime_parser {
	struct mime_limits lim;
	unsigned flags;
	struct input in;           /* what is read now */
	struct input fed;          /* the caller's feed, while replaying */
	int replaying;
	struct mime_buf replay;    /* bytes read again as body */
	int done;
	const char *failed;        /* set: parsing stopped with this error */
	enum mime_code fail_code;
	struct pos fail_at;
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
	struct pos at;            /* the position after the raw bytes queued so far */
	/* header of the current part: bytes covered by fields, where the bytes
	 * fed end, and the last two bytes fed (an empty line cut by a feed) */
	uint64_t hdr_covered;
	struct pos hdr_fed;       /* the position after the bytes fed to it */
	char hdr_tail[2];
	int child_pending;        /* a delimiter opened a part: begin it at the next step */
};

static inline int lv_boundary_active(const struct level *lv)
{
	return lv->info.multipart && (lv->state == LV_PREAMBLE || lv->state == LV_CHILDREN);
}

/* The position k bytes into s, which starts at p0. */
static inline struct pos pos_in(struct pos p0, const char *s, size_t k)
{
	return k ? (struct pos){p0.off + k, p0.line + (unsigned long)mime_count_lf(s, k)} : p0;
}

/* An event at the current position (after every raw byte queued so far). */
struct mime_event *mime_parser_push_ev(struct mime_parser *p, enum mime_ev type);
/* The event's raw bytes, which start at the current position (and move it);
 * _lines: the caller counted their line feeds already. */
#define MIME_LF_UNKNOWN ((size_t)-1)
void mime_parser_ev_raw(struct mime_parser *p, struct mime_event *e, const char *raw, size_t n);
void mime_parser_ev_raw_lines(struct mime_parser *p, struct mime_event *e, const char *raw, size_t n,
			      size_t lf);
/* The same for raw bytes that are not contiguous in the input buffer (a
 * line break held from an earlier feed and the line after it): joined in
 * dec. */
int mime_parser_ev_raw_copy(struct mime_parser *p, struct mime_event *e, const char *a, size_t an,
			    const char *b, size_t bn);
/* A defect about the byte at position at; mime_parser_defect: at the
 * current position. */
void mime_parser_defect_at(struct mime_parser *p, enum mime_code code, const char *what,
			   struct pos at);
void mime_parser_defect(struct mime_parser *p, enum mime_code code, const char *what);
/* Stop with an error (the first one stays). */
void mime_parser_fail(struct mime_parser *p, enum mime_code code, const char *what, struct pos at);
void mime_parser_nomem(struct mime_parser *p);
int mime_parser_any_boundary(const struct mime_parser *p);
/* Read the bytes from input offset start to the current read position
 * again, as the start of the body: held (bytes a header reader took from
 * earlier buffers) then tail. */
void mime_parser_reread(struct mime_parser *p, uint64_t start, const char *held, size_t held_n,
			const char *tail, size_t tail_n);

/* part.c */
int mime_parser_push_part(struct mime_parser *p, struct level *parent);
void mime_parser_release_level(struct level *lv);
void mime_parser_close_level(struct mime_parser *p, enum mime_code code, const char *unclosed);
void mime_parser_body(struct mime_parser *p, const char *s, size_t n);
void mime_parser_body_lines(struct mime_parser *p, const char *s, size_t n, size_t lf);
void mime_parser_body_copy(struct mime_parser *p, const char *s, size_t n);
void mime_parser_header_bytes(struct mime_parser *p, const char *s, size_t n);
void mime_parser_header_cut(struct mime_parser *p);
void mime_parser_header_end_of_input(struct mime_parser *p);

#endif
