/* The message parser's parts: levels, headers, types, body decoding.
 * See parser.c for lines, delimiters and positions. */
#include "parser-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- levels ------------------------------------------------------------ */

void mime_parser_release_level(struct level *lv)
{
	mime_buf_free(&lv->store);
	mime_buf_free(&lv->ctype.value);
	mime_buf_free(&lv->cte.value);
	mime_buf_free(&lv->cdisp.value);
	mime_buf_free(&lv->mid);
	mime_hdr_reader_free(lv->hdr);
	lv->hdr = NULL;
}

static void reset_kept(struct kept_field *k)
{
	mime_buf_reset(&k->value);
	k->seen = 0;
}

/* The level at index i, ready for a new part: allocated the first time,
 * else cleared with its buffers and header reader kept for reuse (the
 * decoder states are set when a body needs them). NULL: no memory. */
static struct level *reuse_level(struct mime_parser *p, int i)
{
	struct level *lv = p->levels[i];
	if (!lv)
		return p->levels[i] = calloc(1, sizeof *lv);
	mime_buf_reset(&lv->store);
	reset_kept(&lv->ctype);
	reset_kept(&lv->cte);
	reset_kept(&lv->cdisp);
	mime_buf_reset(&lv->mid);
	lv->state = LV_HEADER;
	memset(&lv->info, 0, sizeof lv->info);
	lv->children = 0;
	lv->dec = DEC_NONE;
	lv->to_utf8 = 0;
	return lv;
}

/* Start a part below parent (NULL: the top message). Its PART_BEGIN event
 * is queued; its header comes next. */
int mime_parser_push_part(struct mime_parser *p, struct level *parent)
{
	if (!p->levels) {
		p->cap_levels = (int)p->lim.max_depth + 2;
		p->levels = calloc((size_t)p->cap_levels, sizeof *p->levels);
		if (!p->levels)
			return -1;
		p->top = -1;
	}
	if (++p->parts > p->lim.max_parts) {
		mime_parser_fail(p, MIME_E_TOO_MANY_PARTS, "too many parts", p->at);
		return -1;
	}
	char path[24];
	const char *ppath = parent ? parent->info.path : NULL;
	unsigned n = parent ? ++parent->children : 1;
	struct level *lv = reuse_level(p, p->top + 1);
	if (!lv) {
		mime_parser_nomem(p);
		return -1;
	}
	snprintf(path, sizeof path, "%u", n);
	if ((ppath && (mime_buf_puts(&lv->store, ppath) || mime_buf_putc(&lv->store, '.'))) ||
	    mime_buf_puts(&lv->store, path) || mime_buf_putc(&lv->store, '\0')) {
		mime_parser_nomem(p);
		return -1;
	}
	struct mime_hdr_limits hl = {
		.max_line = p->lim.max_line,
		.max_field = p->lim.max_field,
		.max_fields = p->lim.max_fields,
		.max_header = p->lim.max_header,
		.flags = !parent && (p->flags & MIME_MBOX_FROM) ? MIME_HDR_MBOX_FROM : 0,
	};
	if (lv->hdr)
		mime_hdr_reader_reset(lv->hdr, &hl);
	else
		lv->hdr = mime_hdr_reader_new(&hl);
	if (!lv->hdr) {
		mime_parser_nomem(p);
		return -1;
	}
	p->top++;
	p->hdr_covered = 0;
	p->hdr_fed = p->at;
	lv->state = LV_HEADER;
	lv->hdr_at = p->at;
	lv->info.depth = (unsigned)p->top;
	lv->info.path = lv->store.data; /* fixed up after every append to store */
	lv->info.offset = p->at.off;
	mime_parser_push_ev(p, MIME_PART_BEGIN);
	return 0;
}

static void body_flush_decoder(struct mime_parser *p, struct level *lv);

/* The current part is over: flush its decoder, queue PART_END. A multipart
 * that never saw its close delimiter gets the defect given. */
void mime_parser_close_level(struct mime_parser *p, enum mime_code code, const char *unclosed)
{
	struct level *lv = p->levels[p->top];
	if (lv->state == LV_LEAF)
		body_flush_decoder(p, lv);
	if (lv->info.multipart && lv->state != LV_EPILOGUE && unclosed)
		mime_parser_defect(p, code, unclosed);
	mime_parser_push_ev(p, MIME_PART_END);
	/* the level's strings stay until it is reused: queued events point there */
	p->top--;
}

/* ---- headers -------------------------------------------------------------- */

/* The first of each field that decides the type is kept (the reader
 * reports the repeats). */
static int keep_value(struct kept_field *k, const struct mime_field *f, struct pos field_at)
{
	if (k->seen++)
		return 0;
	k->at = pos_in(field_at, f->raw, (size_t)(f->value - f->raw));
	return mime_buf_append(&k->value, f->value, f->value_len) ? -1 : 0;
}

static void on_field(struct mime_parser *p, struct level *lv, const struct mime_field *f)
{
	struct mime_event *e = mime_parser_push_ev(p, MIME_FIELD);
	if (!e)
		return;
	struct pos at = p->at;
	mime_parser_ev_raw_lines(p, e, f->raw, f->raw_len, f->line_feeds);
	e->name = f->name;
	e->name_len = f->name_len;
	e->value = f->value;
	e->value_len = f->value_len;
	p->hdr_covered += f->raw_len;
	int r = 0;
	const char *known = f->info ? f->info->name : "";  /* the table's spelling */
	if (!strcmp(known, "Content-Type"))
		r = keep_value(&lv->ctype, f, at);
	else if (!strcmp(known, "Content-Transfer-Encoding"))
		r = keep_value(&lv->cte, f, at);
	else if (!strcmp(known, "Content-Disposition"))
		r = keep_value(&lv->cdisp, f, at);
	if (r < 0)
		mime_parser_nomem(p);
}

/* A position the header reader gave, in the whole input. */
static struct pos in_input(const struct level *lv, const struct mime_field *f)
{
	return (struct pos){lv->hdr_at.off + f->offset, lv->hdr_at.line + f->line - 1};
}

static void resolve_part(struct mime_parser *p, struct level *lv);

/* The reader's END: the empty line (the last bytes it took: taken of them
 * are in s, the rest in prev_tail), the part's type, and the body's first
 * bytes when the header ended before a line that is not a field. */
static void header_end(struct mime_parser *p, struct level *lv, const char *prev_tail,
		       const char *s, size_t n)
{
	const char *held;
	size_t taken;
	size_t held_n = mime_hdr_reader_body(lv->hdr, &held, &taken);
	uint64_t consumed = mime_hdr_reader_consumed(lv->hdr);
	size_t blank = (size_t)(consumed - p->hdr_covered);
	struct mime_event *e = mime_parser_push_ev(p, MIME_HEADER_END);
	if (e && blank) {
		if (blank <= taken) {
			mime_parser_ev_raw(p, e, s + taken - blank, blank);
		} else {
			size_t before = blank - taken; /* <= 2: an empty line */
			mime_parser_ev_raw_copy(p, e, prev_tail + 2 - before, before, s, taken);
		}
	}
	resolve_part(p, lv);
	if (!p->failed && (held_n || taken < n))
		mime_parser_reread(p, lv->hdr_at.off + consumed, held, held_n, s ? s + taken : "",
				   n - taken);
}

/* Drain the header reader's events after a feed of s[0..n). */
static void drain_header(struct mime_parser *p, struct level *lv, const char *prev_tail,
			 const char *s, size_t n)
{
	struct mime_field f;
	for (;;) {
		switch (mime_hdr_reader_next(lv->hdr, &f)) {
		case MIME_HDR_AWAIT:
			return;
		case MIME_HDR_FIELD:
			on_field(p, lv, &f);
			break;
		case MIME_HDR_DEFECT:
			mime_parser_defect_at(p, f.code, f.message, in_input(lv, &f));
			break;
		case MIME_HDR_ERROR:
			mime_parser_fail(p, f.code, f.message, in_input(lv, &f));
			return;
		case MIME_HDR_END:
			header_end(p, lv, prev_tail, s, n);
			return;
		}
	}
}

/* Bytes of the current part's header (a line, or the part of one that this
 * feed holds). */
void mime_parser_header_bytes(struct mime_parser *p, const char *s, size_t n)
{
	struct level *lv = p->levels[p->top];
	char prev_tail[2];
	memcpy(prev_tail, p->hdr_tail, 2);
	mime_hdr_reader_feed(lv->hdr, s, n);
	/* a piece is a line or the start of one: its line feed, if any, ends it */
	p->hdr_fed.off += n;
	p->hdr_fed.line += n && s[n - 1] == '\n';
	/* keep the last two bytes fed: an empty line may be cut by a feed */
	if (n >= 2) {
		memcpy(p->hdr_tail, s + n - 2, 2);
	} else if (n == 1) {
		p->hdr_tail[0] = p->hdr_tail[1];
		p->hdr_tail[1] = s[0];
	}
	p->at_line_start = n && s[n - 1] == '\n';
	drain_header(p, lv, prev_tail, s, n);
}

/* The header ends without an empty line: at the end of input, or cut by a
 * boundary delimiter (then the part has no body: RFC 2046 wants the empty
 * line, most readers do without it). */
static void header_ends_early(struct mime_parser *p, enum mime_code code, const char *defect)
{
	struct level *lv = p->levels[p->top];
	char prev_tail[2];
	memcpy(prev_tail, p->hdr_tail, 2);
	mime_hdr_reader_feed(lv->hdr, NULL, 0);
	if (defect)  /* about the line after the bytes fed: the delimiter */
		mime_parser_defect_at(p, code, defect, p->hdr_fed);
	drain_header(p, lv, prev_tail, NULL, 0);
}

void mime_parser_header_cut(struct mime_parser *p)
{
	header_ends_early(p, MIME_D_HEADER_CUT, "part header cut by a boundary delimiter");
}

void mime_parser_header_end_of_input(struct mime_parser *p)
{
	int empty = p->top == 0 && p->at.off == 0 && mime_hdr_reader_consumed(p->levels[0]->hdr) == 0;
	header_ends_early(p, MIME_D_EMPTY_MESSAGE, empty ? "empty message" : NULL);
	if (p->levels[p->top]->state == LV_HEADER)
		p->levels[p->top]->state = LV_LEAF; /* no END from the reader: it failed */
}

/* ---- bodies ------------------------------------------------------------------ */

/* Where the decoders' defects are: the decoder read s[0..n), which starts
 * at input position at, when its own offset counter was base. Through the
 * ring instead for the charset step after a transfer decoding. */
struct dec_ctx {
	struct mime_parser *p;
	struct level *lv;
	struct pos at;
	const char *s;
	size_t n;
	uint64_t base;
	int ring;
};

static void on_decode_defect(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	struct dec_ctx *c = ctx;
	struct pos at = c->at;
	if (c->ring) {
		const struct ring_ent *r = &c->lv->ring[off % RING];
		if (r->key == off)
			at = r->at;
	} else if (off >= c->base) {
		size_t k = off - c->base < c->n ? (size_t)(off - c->base) : c->n;
		at = pos_in(c->at, c->s, k);
	} else {  /* a byte held from an earlier buffer: no line break after it */
		at.off -= c->base - off;
	}
	mime_parser_defect_at(c->p, code, what, at);
}

static uint64_t dec_offset(const struct level *lv)
{
	return lv->dec == DEC_QP ? lv->qp.off : lv->dec == DEC_BASE64 ? lv->b64.off : lv->cs.offset;
}

/* The transfer decoding of n bytes (n == 0: the end) appended to out. */
static int transfer(struct level *lv, const char *s, size_t n, struct mime_buf *out,
		    struct mime_defects *df)
{
	if (lv->dec == DEC_QP)
		return mime_qp_decode(&lv->qp, s, n, out, df);
	if (lv->dec == DEC_BASE64)
		return mime_base64_decode(&lv->b64, s, n, out, df);
	return n ? mime_buf_append(out, s, n) : 0;
}

/* The charset step over mid (n == 0: and its end) into dec. */
static int charset(struct mime_parser *p, struct level *lv, size_t n, struct mime_defects *df)
{
	int r = lv->mid.len ? mime_charset_dec_feed(&lv->cs, lv->mid.data, lv->mid.len, &p->dec, df) : 0;
	if (!r && n == 0)
		r = mime_charset_dec_feed(&lv->cs, NULL, 0, &p->dec, df);
	return r;
}

/* One piece of a transfer-encoded text part, byte by byte, so that each
 * decoded byte's input position is in the ring before the charset step
 * reads it. The transfer decoder's own defects were reported already. */
static int text_piece_slow(struct mime_parser *p, struct level *lv, const char *s, size_t n,
			   struct pos at)
{
	struct dec_ctx c = {.p = p, .lv = lv, .at = at, .ring = 1};
	struct mime_defects df = {.fn = on_decode_defect, .ctx = &c};
	size_t i = 0;
	do {
		size_t k = n ? 1 : 0;  /* n == 0: the end of the body */
		mime_buf_reset(&lv->mid);
		if (transfer(lv, n ? s + i : NULL, k, &lv->mid, NULL))
			return -1;
		for (size_t j = 0; j < lv->mid.len; j++) {
			uint64_t key = lv->cs.offset + j;
			lv->ring[key % RING] = (struct ring_ent){key, at};
		}
		c.at = at;
		if (charset(p, lv, k, &df))
			return -1;
		if (n)
			at = pos_in(at, s + i, 1);
	} while (++i < n);
	return 0;
}

/* A transfer-encoded text part: each piece is decoded whole, unless the
 * charset step finds a defect or stops inside a character; then again
 * byte by byte, to place what it finds. */
static int text_pieces(struct mime_parser *p, struct level *lv, const char *s, size_t n,
		       struct pos at)
{
	enum { PIECE = 4096 };
	for (size_t i = 0;;) {
		size_t k = n - i < PIECE ? n - i : PIECE;
		const char *piece = n ? s + i : NULL;
		struct mime_qp_dec qp = lv->qp;
		struct mime_base64_dec b64 = lv->b64;
		struct mime_charset_dec cs = lv->cs;
		size_t mark = p->dec.len;
		struct dec_ctx c = {.p = p, .lv = lv, .at = at, .s = piece, .n = k,
				    .base = dec_offset(lv)};
		struct mime_defects df = {.fn = on_decode_defect, .ctx = &c}, quiet = {0};
		mime_buf_reset(&lv->mid);
		if (transfer(lv, piece, k, &lv->mid, &df) || charset(p, lv, k, &quiet))
			return -1;
		if (quiet.count || mime_charset_dec_pending(&lv->cs)) {
			lv->qp = qp;
			lv->b64 = b64;
			lv->cs = cs;
			mime_buf_truncate(&p->dec, mark);
			if (text_piece_slow(p, lv, piece, k, at))
				return -1;
		}
		if (n)
			at = pos_in(at, piece, k);
		i += k;
		if (i == n)
			return 0;
	}
}

/* Run n bytes (n == 0: end of the body) through the part's decoders into
 * the parser's dec buffer; the data of event e is what they give. at is
 * the input position of s[0]. */
static void decode_into(struct mime_parser *p, struct level *lv, struct qev *q, const char *s,
			size_t n, struct pos at)
{
	size_t start = p->dec.len;
	size_t qi = (size_t)(q - p->queue); /* defects may move the queue */
	int r;
	if (lv->to_utf8 && lv->dec != DEC_NONE) {
		r = text_pieces(p, lv, s, n, at);
	} else {
		struct dec_ctx c = {.p = p, .lv = lv, .at = at, .s = s, .n = n, .base = dec_offset(lv)};
		struct mime_defects df = {.fn = on_decode_defect, .ctx = &c};
		if (lv->to_utf8) {
			r = mime_charset_dec_feed(&lv->cs, s, n, &p->dec, &df);
		} else {
			r = transfer(lv, s, n, &p->dec, &df);
		}
	}
	if (r) {
		mime_parser_nomem(p);
		return;
	}
	q = &p->queue[qi];
	q->data_in_dec = 1;
	q->data_off = start;
	q->ev.len = p->dec.len - start;
}

void mime_parser_body_lines(struct mime_parser *p, const char *s, size_t n, size_t lf)
{
	struct level *lv = p->levels[p->top];
	struct mime_event *e = mime_parser_push_ev(p, MIME_BODY);
	if (!e)
		return;
	struct pos at = p->at;
	mime_parser_ev_raw_lines(p, e, s, n, lf);
	e->data = s;
	e->len = n;
	e->body_kind = lv->state == LV_PREAMBLE ? MIME_BODY_PREAMBLE
		     : lv->state == LV_EPILOGUE ? MIME_BODY_EPILOGUE : MIME_BODY_LEAF;
	if (lv->state == LV_LEAF && (lv->dec != DEC_NONE || lv->to_utf8))
		decode_into(p, lv, (struct qev *)e, s, n, at);
}

void mime_parser_body(struct mime_parser *p, const char *s, size_t n)
{
	mime_parser_body_lines(p, s, n, MIME_LF_UNKNOWN);
}

/* The same for bytes that will not stay put until the event is taken (the
 * held line break, which the next line replaces): copied into dec. */
void mime_parser_body_copy(struct mime_parser *p, const char *s, size_t n)
{
	size_t qi = p->qlen, off = p->dec.len;
	if (mime_buf_append(&p->dec, s, n)) {
		mime_parser_nomem(p);
		return;
	}
	mime_parser_body(p, s, n);
	if (qi >= p->qlen)
		return;
	struct qev *q = &p->queue[qi];
	q->raw_in_dec = 1;
	q->raw_off = off;
	if (!q->data_in_dec) {
		q->data_in_dec = 1;
		q->data_off = off;
	}
}

/* End of a decoded leaf: what the decoders still hold, as a last BODY event
 * with no raw bytes. */
static void body_flush_decoder(struct mime_parser *p, struct level *lv)
{
	if (lv->dec == DEC_NONE && !lv->to_utf8)
		return;
	struct mime_event *e = mime_parser_push_ev(p, MIME_BODY);
	if (!e)
		return;
	e->body_kind = MIME_BODY_LEAF;
	decode_into(p, lv, (struct qev *)e, NULL, 0, p->at);
}

static void start_decoding(struct mime_parser *p, struct level *lv)
{
	if (p->flags & MIME_DECODE_CTE) {
		if (lv->info.cte == MIME_CTE_QUOTED_PRINTABLE) {
			lv->dec = DEC_QP;
			mime_qp_dec_init(&lv->qp);
		} else if (lv->info.cte == MIME_CTE_BASE64) {
			lv->dec = DEC_BASE64;
			mime_base64_dec_init(&lv->b64);
		}
	}
	if ((p->flags & MIME_DECODE_TEXT) && strcmp(lv->info.type, "text") == 0) {
		const char *cs = lv->info.charset ? lv->info.charset : "us-ascii";
		int id = mime_charset_lookup(cs, strlen(cs));
		if (id < 0) {
			mime_parser_defect_at(p, MIME_D_CHARSET_UNKNOWN,
					      "unknown charset: text passed through as it is",
					      lv->ctype.at);
			return;
		}
		lv->to_utf8 = 1;
		mime_charset_dec_init(&lv->cs, id);
		for (size_t i = 0; i < RING; i++)
			lv->ring[i].key = UINT64_MAX;
	}
}

/* ---- the part's type ----------------------------------------------------------- */

/* Copy a string into the level's store; returns its offset or -1. The
 * pointers into store are set once the header is resolved (store may move
 * while it grows). */
static long store_str(struct level *lv, const char *s, size_t n, int lower)
{
	size_t at = lv->store.len;
	if (mime_buf_append(&lv->store, s, n) || mime_buf_putc(&lv->store, '\0'))
		return -1;
	if (lower)
		mime_ascii_lower_n(lv->store.data + at, n);
	return (long)at;
}

struct resolved {
	long type, subtype, charset, boundary, disposition, filename, cte;
};

static const char *at(const struct level *lv, long off)
{
	return off < 0 ? NULL : lv->store.data + off;
}

static enum mime_cte cte_kind(const char *name)
{
	static const struct { const char *name; enum mime_cte kind; } k[] = {
		{"7bit", MIME_CTE_7BIT}, {"8bit", MIME_CTE_8BIT}, {"binary", MIME_CTE_BINARY},
		{"quoted-printable", MIME_CTE_QUOTED_PRINTABLE}, {"base64", MIME_CTE_BASE64},
	};
	if (!name)
		return MIME_CTE_7BIT;
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcmp(name, k[i].name) == 0)
			return k[i].kind;
	return MIME_CTE_UNKNOWN;
}

static int parent_is_digest(const struct mime_parser *p)
{
	if (p->top == 0)
		return 0;
	const struct mime_part_info *pi = &p->levels[p->top - 1]->info;
	return pi->multipart && strcmp(pi->subtype, "digest") == 0;
}

/* Fix the info pointers once store no longer grows. */
static void set_info(struct level *lv, const struct resolved *r)
{
	struct mime_part_info *pi = &lv->info;
	pi->path = lv->store.data;
	pi->type = at(lv, r->type);
	pi->subtype = at(lv, r->subtype);
	pi->charset = at(lv, r->charset);
	pi->boundary = at(lv, r->boundary);
	pi->disposition = at(lv, r->disposition);
	pi->filename = at(lv, r->filename);
	pi->cte_name = at(lv, r->cte);
	pi->cte = cte_kind(pi->cte_name);
}

/* RFC 2045 5.2 and RFC 2046 5.1.5: no usable Content-Type means text/plain
 * in us-ascii, or message/rfc822 inside a multipart/digest. */
static int set_default_type(struct level *lv, struct resolved *r, int digest)
{
	r->type = store_str(lv, digest ? "message" : "text", digest ? 7 : 4, 0);
	r->subtype = store_str(lv, digest ? "rfc822" : "plain", digest ? 6 : 5, 0);
	r->charset = -1; /* info.charset is the parameter only; decoding assumes us-ascii */
	lv->info.defaulted = 1;
	return r->type < 0 || r->subtype < 0 ? -1 : 0;
}

/* What the body of the part is: a multipart, an enclosed message or a leaf. */
static void choose_body(struct mime_parser *p, struct level *lv)
{
	struct mime_part_info *pi = &lv->info;
	int identity = pi->cte == MIME_CTE_7BIT || pi->cte == MIME_CTE_8BIT || pi->cte == MIME_CTE_BINARY;
	int container = 0;
	if (strcmp(pi->type, "multipart") == 0) {
		if (!pi->boundary || !*pi->boundary) /* RFC 2046 5.1.1: 1 to 70 characters */
			mime_parser_defect_at(p, MIME_D_NO_BOUNDARY, "multipart without a boundary: "
					      "read as one opaque part", lv->ctype.at);
		else
			container = 1;
		/* RFC 2045 6.4 forbids it; readers ignore it, and so do we */
		if (container && !identity)
			mime_parser_defect_at(p, MIME_D_ENCODED_MULTIPART, "multipart with a transfer "
					      "encoding: the encoding is ignored", lv->cte.at);
	} else if (strcmp(pi->type, "message") == 0 &&
		   (strcmp(pi->subtype, "rfc822") == 0 || strcmp(pi->subtype, "global") == 0)) {
		container = identity ? 2 : 0;
	}
	if (container && p->top + 1 >= (int)p->lim.max_depth) {
		mime_parser_defect_at(p, MIME_D_TOO_DEEP, "nesting deeper than the limit: "
				      "part read as opaque", lv->ctype.at);
		container = 0;
	}
	pi->multipart = container == 1;
	pi->message = container == 2;
	if (container == 1) {
		lv->state = LV_PREAMBLE;
	} else if (container == 2) {
		lv->state = LV_MESSAGE;
		mime_parser_push_part(p, lv);
	} else {
		lv->state = LV_LEAF;
		start_decoding(p, lv);
	}
}

/* Store the value of parameter name, or -1 when absent. */
static long store_param(struct level *lv, const struct mime_param *ps, size_t n, const char *name,
			int lower, int *oom)
{
	const struct mime_param *pa = mime_param_get(ps, n, name);
	if (!pa)
		return -1;
	long at = store_str(lv, pa->value, pa->value_len, lower);
	if (at < 0)
		*oom = 1;
	return at;
}

/* Defects of a kept field's grammar: at their place in its value. */
struct field_ctx {
	struct mime_parser *p;
	const struct kept_field *k;
};

static void on_field_defect(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	struct field_ctx *c = ctx;
	size_t n = off < c->k->value.len ? (size_t)off : c->k->value.len;
	mime_parser_defect_at(c->p, code, what, pos_in(c->k->at, c->k->value.data, n));
}

static void type_from_field(struct mime_parser *p, struct level *lv, struct resolved *r, int *oom)
{
	struct field_ctx fc = {p, &lv->ctype};
	struct mime_defects df = {.fn = on_field_defect, .ctx = &fc};
	struct mime_content_type ct = {0};
	int rc = lv->ctype.seen ? mime_content_type_parse(lv->ctype.value.data, lv->ctype.value.len,
							  &ct, &df) : MIME_EINVAL;
	if (rc == MIME_ENOMEM) {
		*oom = 1;
	} else if (rc == MIME_OK) {
		r->type = store_str(lv, ct.type, strlen(ct.type), 1);
		r->subtype = store_str(lv, ct.subtype, strlen(ct.subtype), 1);
		r->charset = store_param(lv, ct.params, ct.nparams, "charset", 1, oom);
		r->boundary = store_param(lv, ct.params, ct.nparams, "boundary", 0, oom);
		r->filename = store_param(lv, ct.params, ct.nparams, "name", 0, oom);
		if (r->type < 0 || r->subtype < 0)
			*oom = 1;
	} else {
		if (lv->ctype.seen)
			mime_parser_defect_at(p, MIME_D_CONTENT_TYPE, "unusable Content-Type: the "
					      "default type applies", lv->ctype.at);
		if (set_default_type(lv, r, parent_is_digest(p)))
			*oom = 1;
	}
	mime_content_type_free(&ct);
}

static void disposition_from_field(struct mime_parser *p, struct level *lv, struct resolved *r,
				   int *oom)
{
	struct field_ctx fc = {p, &lv->cdisp};
	struct mime_defects df = {.fn = on_field_defect, .ctx = &fc};
	struct mime_disposition d = {0};
	int rc = mime_disposition_parse(lv->cdisp.value.data, lv->cdisp.value.len, &d, &df);
	if (rc == MIME_ENOMEM) {
		*oom = 1;
	} else if (rc == MIME_OK) {
		r->disposition = store_str(lv, d.type, strlen(d.type), 1);
		long fn = store_param(lv, d.params, d.nparams, "filename", 0, oom);
		if (fn >= 0)
			r->filename = fn; /* the disposition's file name wins (as mail readers do) */
		if (r->disposition < 0)
			*oom = 1;
	} else {
		mime_parser_defect_at(p, MIME_D_DISPOSITION, "unusable Content-Disposition: ignored",
				      lv->cdisp.at);
	}
	mime_disposition_free(&d);
}

static void cte_from_field(struct mime_parser *p, struct level *lv, struct resolved *r, int *oom)
{
	struct mime_buf tok = {0};
	int rc = mime_cte_parse(lv->cte.value.data, lv->cte.value.len, &tok);
	if (rc == MIME_ENOMEM)
		*oom = 1;
	else if (rc == MIME_OK)
		r->cte = store_str(lv, tok.data, tok.len, 1);
	else
		mime_parser_defect_at(p, MIME_D_CTE, "unusable Content-Transfer-Encoding: 7bit assumed",
				      lv->cte.at);
	if (rc == MIME_OK && r->cte < 0)
		*oom = 1;
	mime_buf_free(&tok);
}

/* The header is over: what the part is, and how its body is read. */
static void resolve_part(struct mime_parser *p, struct level *lv)
{
	struct resolved r = {-1, -1, -1, -1, -1, -1, -1};
	int oom = 0;
	type_from_field(p, lv, &r, &oom);
	if (lv->cdisp.seen)
		disposition_from_field(p, lv, &r, &oom);
	if (lv->cte.seen)
		cte_from_field(p, lv, &r, &oom);
	if (oom) {
		mime_parser_nomem(p);
		return;
	}
	set_info(lv, &r);
	if (lv->info.cte == MIME_CTE_UNKNOWN)
		mime_parser_defect_at(p, MIME_D_CTE_UNKNOWN, "unknown Content-Transfer-Encoding: "
				      "body kept as it is", lv->cte.at);
	choose_body(p, lv);
}
