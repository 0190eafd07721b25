/* The message parser's parts: levels, headers, types, body decoding.
 * See parser.c for lines and delimiters. */
#include "parser-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- levels ------------------------------------------------------------ */

void mime_parser_release_level(struct level *lv)
{
	mime_buf_free(&lv->store);
	mime_buf_free(&lv->ctype);
	mime_buf_free(&lv->cte);
	mime_buf_free(&lv->cdisp);
	mime_buf_free(&lv->mid);
	mime_hdr_reader_free(lv->hdr);
	lv->hdr = NULL;
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
	mime_buf_reset(&lv->ctype);
	mime_buf_reset(&lv->cte);
	mime_buf_reset(&lv->cdisp);
	mime_buf_reset(&lv->mid);
	lv->state = LV_HEADER;
	memset(&lv->info, 0, sizeof lv->info);
	lv->seen_ctype = lv->seen_cte = lv->seen_cdisp = 0;
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
		p->failed = "too many parts";
		return -1;
	}
	char path[24];
	const char *ppath = parent ? parent->info.path : NULL;
	unsigned n = parent ? ++parent->children : 1;
	struct level *lv = reuse_level(p, p->top + 1);
	if (!lv) {
		p->failed = "out of memory";
		return -1;
	}
	snprintf(path, sizeof path, "%u", n);
	if ((ppath && (mime_buf_puts(&lv->store, ppath) || mime_buf_putc(&lv->store, '.'))) ||
	    mime_buf_puts(&lv->store, path) || mime_buf_putc(&lv->store, '\0')) {
		p->failed = "out of memory";
		return -1;
	}
	struct mime_hdr_limits hl = {
		.max_line = p->lim.max_line,
		.max_field = p->lim.max_field,
		.max_fields = p->lim.max_fields,
		.flags = !parent && !(p->flags & MIME_NO_MBOX_FROM) ? MIME_HDR_MBOX_FROM : 0,
	};
	if (lv->hdr)
		mime_hdr_reader_reset(lv->hdr, &hl);
	else
		lv->hdr = mime_hdr_reader_new(&hl);
	if (!lv->hdr) {
		p->failed = "out of memory";
		return -1;
	}
	p->top++;
	p->hdr_fed = p->hdr_covered = 0;
	lv->state = LV_HEADER;
	lv->info.depth = (unsigned)p->top;
	lv->info.path = lv->store.data; /* fixed up after every append to store */
	lv->info.offset = p->base + p->pos;
	mime_parser_push_ev(p, MIME_PART_BEGIN);
	return 0;
}

static void body_flush_decoder(struct mime_parser *p, struct level *lv);

/* The current part is over: flush its decoder, queue PART_END. A multipart
 * that never saw its close delimiter gets the defect given. */
void mime_parser_close_level(struct mime_parser *p, const char *unclosed)
{
	struct level *lv = p->levels[p->top];
	if (lv->state == LV_LEAF)
		body_flush_decoder(p, lv);
	if (lv->info.multipart && lv->state != LV_EPILOGUE && unclosed)
		mime_parser_defect(p, unclosed);
	mime_parser_push_ev(p, MIME_PART_END);
	/* the level's strings stay until it is reused: queued events point there */
	p->top--;
}

/* ---- headers -------------------------------------------------------------- */

static int keep_value(struct mime_buf *b, int *seen, const struct mime_field *f)
{
	if ((*seen)++)
		return 1; /* the first one counts; the caller reports the duplicate */
	return mime_buf_append(b, f->value, f->value_len) ? -1 : 0;
}

static void on_field(struct mime_parser *p, struct level *lv, const struct mime_field *f)
{
	struct mime_event *e = mime_parser_push_ev(p, MIME_FIELD);
	if (!e)
		return;
	e->raw = f->raw;
	e->raw_len = f->raw_len;
	e->offset = f->offset;
	e->line = f->line;
	e->name = f->name;
	e->name_len = f->name_len;
	e->value = f->value;
	e->value_len = f->value_len;
	p->hdr_covered += f->raw_len;
	int r = 0;
	if (mime_field_is(f, "content-type"))
		r = keep_value(&lv->ctype, &lv->seen_ctype, f);
	else if (mime_field_is(f, "content-transfer-encoding"))
		r = keep_value(&lv->cte, &lv->seen_cte, f);
	else if (mime_field_is(f, "content-disposition"))
		r = keep_value(&lv->cdisp, &lv->seen_cdisp, f);
	if (r < 0)
		p->failed = "out of memory";
	else if (r > 0)
		mime_parser_defect(p, "repeated MIME field: the first one is used");
}

static void resolve_part(struct mime_parser *p, struct level *lv, int complete);

/* Drain the header reader's events after a feed. */
static void drain_header(struct mime_parser *p, struct level *lv, const char *prev_tail,
			 const char *last, size_t last_n)
{
	struct mime_field f;
	for (;;) {
		enum mime_hdr_ev ev = mime_hdr_reader_next(lv->hdr, &f);
		switch (ev) {
		case MIME_HDR_AWAIT:
			return;
		case MIME_HDR_FIELD:
			on_field(p, lv, &f);
			break;
		case MIME_HDR_DEFECT: {
			struct mime_event *e = mime_parser_push_ev(p, MIME_DEFECT);
			if (e) {
				e->message = mime_hdr_reader_message(lv->hdr);
				e->line = f.line;
				e->offset = f.offset;
			}
			break;
		}
		case MIME_HDR_ERROR:
			p->failed = mime_hdr_reader_message(lv->hdr);
			return;
		case MIME_HDR_END: {
			/* the empty line: what was fed and not covered by fields */
			struct mime_event *e = mime_parser_push_ev(p, MIME_HEADER_END);
			size_t blank = p->hdr_fed - p->hdr_covered;
			if (e && blank) {
				if (blank <= last_n) {
					e->raw = last + last_n - blank;
					e->raw_len = blank;
				} else {
					size_t before = blank - last_n; /* <= 2: an empty line */
					mime_parser_ev_raw_copy(p, e, prev_tail + 2 - before, before, last, last_n);
				}
				e->offset = p->base + p->pos - blank;
			}
			resolve_part(p, lv, blank > 0);
			return;
		}
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
	p->hdr_fed += n;
	/* keep the last two bytes fed: an empty line may be cut by a feed */
	if (n >= 2) {
		memcpy(p->hdr_tail, s + n - 2, 2);
	} else if (n == 1) {
		p->hdr_tail[0] = p->hdr_tail[1];
		p->hdr_tail[1] = s[0];
	}
	p->at_line_start = n && s[n - 1] == '\n';
	if (p->at_line_start)
		p->line++;
	drain_header(p, lv, prev_tail, s, n);
}

/* The header ends without an empty line: at the end of input, or cut by a
 * boundary delimiter (then the part has no body: RFC 2046 wants the empty
 * line, most readers do without it). */
static void header_ends_early(struct mime_parser *p, const char *defect)
{
	struct level *lv = p->levels[p->top];
	char prev_tail[2];
	memcpy(prev_tail, p->hdr_tail, 2);
	mime_hdr_reader_feed(lv->hdr, NULL, 0);
	if (defect)
		mime_parser_defect(p, defect);
	drain_header(p, lv, prev_tail, NULL, 0);
}

void mime_parser_header_cut(struct mime_parser *p)
{
	header_ends_early(p, "part header cut by a boundary delimiter");
}

void mime_parser_header_end_of_input(struct mime_parser *p)
{
	header_ends_early(p, p->top == 0 && p->hdr_fed == 0 ? "empty message" : NULL);
	if (p->levels[p->top]->state == LV_HEADER)
		p->levels[p->top]->state = LV_LEAF; /* no END from the reader: it failed */
}

/* ---- bodies ------------------------------------------------------------------ */

static void on_decode_defect(void *ctx, uint64_t off, const char *what)
{
	(void)off;
	mime_parser_defect(ctx, what);
}

/* Run n bytes (n == 0: end of the body) through the part's decoders into
 * the parser's dec buffer; the data of event e is what they give. */
static void decode_into(struct mime_parser *p, struct level *lv, struct qev *q, const char *s, size_t n)
{
	struct mime_defects df = {.fn = on_decode_defect, .ctx = p};
	struct mime_buf *out = lv->to_utf8 ? &lv->mid : &p->dec;
	size_t start = p->dec.len;
	size_t qi = (size_t)(q - p->queue); /* defects may move the queue */
	int r = 0;
	if (lv->to_utf8)
		mime_buf_reset(&lv->mid);
	switch (lv->dec) {
	case DEC_QP:
		r = mime_qp_decode(&lv->qp, s, n, out, &df);
		break;
	case DEC_BASE64:
		r = mime_base64_decode(&lv->b64, s, n, out, &df);
		break;
	case DEC_NONE:
		r = n ? mime_buf_append(out, s, n) : 0;
		break;
	}
	if (!r && lv->to_utf8 && (lv->mid.len || n == 0))
		r = mime_charset_dec_feed(&lv->cs, lv->mid.data, lv->mid.len, &p->dec, &df);
	if (!r && lv->to_utf8 && n == 0)
		r = mime_charset_dec_feed(&lv->cs, NULL, 0, &p->dec, &df);
	if (r) {
		p->failed = "out of memory";
		return;
	}
	q = &p->queue[qi];
	q->data_in_dec = 1;
	q->data_off = start;
	q->ev.len = p->dec.len - start;
}

void mime_parser_body(struct mime_parser *p, const char *s, size_t n)
{
	struct level *lv = p->levels[p->top];
	struct mime_event *e = mime_parser_push_ev(p, MIME_BODY);
	if (!e)
		return;
	e->raw = s;
	e->raw_len = n;
	e->data = s;
	e->len = n;
	e->body_kind = lv->state == LV_PREAMBLE ? MIME_BODY_PREAMBLE
		     : lv->state == LV_EPILOGUE ? MIME_BODY_EPILOGUE : MIME_BODY_LEAF;
	if (lv->state == LV_LEAF && (lv->dec != DEC_NONE || lv->to_utf8))
		decode_into(p, lv, (struct qev *)e, s, n);
}

/* The same for bytes that will not stay put until the event is taken (the
 * held line break, which the next line replaces): copied into dec. */
void mime_parser_body_copy(struct mime_parser *p, const char *s, size_t n)
{
	size_t qi = p->qlen, off = p->dec.len;
	if (mime_buf_append(&p->dec, s, n)) {
		p->failed = "out of memory";
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
	decode_into(p, lv, (struct qev *)e, NULL, 0);
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
			mime_parser_defect(p, "unknown charset: text passed through as it is");
			return;
		}
		lv->to_utf8 = 1;
		mime_charset_dec_init(&lv->cs, id);
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
		for (size_t i = at; i < at + n; i++)
			if (lv->store.data[i] >= 'A' && lv->store.data[i] <= 'Z')
				lv->store.data[i] += 'a' - 'A';
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
			mime_parser_defect(p, "multipart without a boundary: read as one opaque part");
		else
			container = 1;
		/* RFC 2045 6.4 forbids it; readers ignore it, and so do we */
		if (container && !identity)
			mime_parser_defect(p, "multipart with a transfer encoding: the encoding is ignored");
	} else if (strcmp(pi->type, "message") == 0 &&
		   (strcmp(pi->subtype, "rfc822") == 0 || strcmp(pi->subtype, "global") == 0)) {
		container = identity ? 2 : 0;
	}
	if (container && p->top + 1 >= (int)p->lim.max_depth) {
		mime_parser_defect(p, "nesting deeper than the limit: part read as opaque");
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

static void type_from_field(struct mime_parser *p, struct level *lv, struct resolved *r, int *oom)
{
	struct mime_defects df = {.fn = on_decode_defect, .ctx = p};
	struct mime_content_type ct = {0};
	int rc = lv->seen_ctype ? mime_content_type_parse(lv->ctype.data, lv->ctype.len, &ct, &df) : -2;
	if (rc == -1) {
		*oom = 1;
	} else if (rc == 0) {
		r->type = store_str(lv, ct.type, strlen(ct.type), 1);
		r->subtype = store_str(lv, ct.subtype, strlen(ct.subtype), 1);
		r->charset = store_param(lv, ct.params, ct.nparams, "charset", 1, oom);
		r->boundary = store_param(lv, ct.params, ct.nparams, "boundary", 0, oom);
		r->filename = store_param(lv, ct.params, ct.nparams, "name", 0, oom);
		if (r->type < 0 || r->subtype < 0)
			*oom = 1;
	} else {
		if (lv->seen_ctype)
			mime_parser_defect(p, "unusable Content-Type: the default type applies");
		if (set_default_type(lv, r, parent_is_digest(p)))
			*oom = 1;
	}
	mime_content_type_free(&ct);
}

static void disposition_from_field(struct mime_parser *p, struct level *lv, struct resolved *r,
				   int *oom)
{
	struct mime_defects df = {.fn = on_decode_defect, .ctx = p};
	struct mime_disposition d = {0};
	int rc = mime_disposition_parse(lv->cdisp.data, lv->cdisp.len, &d, &df);
	if (rc == -1) {
		*oom = 1;
	} else if (rc == 0) {
		r->disposition = store_str(lv, d.type, strlen(d.type), 1);
		long fn = store_param(lv, d.params, d.nparams, "filename", 0, oom);
		if (fn >= 0)
			r->filename = fn; /* the disposition's file name wins (as mail readers do) */
		if (r->disposition < 0)
			*oom = 1;
	} else {
		mime_parser_defect(p, "unusable Content-Disposition: ignored");
	}
	mime_disposition_free(&d);
}

static void cte_from_field(struct mime_parser *p, struct level *lv, struct resolved *r, int *oom)
{
	struct mime_buf tok = {0};
	int rc = mime_cte_parse(lv->cte.data, lv->cte.len, &tok);
	if (rc == -1)
		*oom = 1;
	else if (rc == 0)
		r->cte = store_str(lv, tok.data, tok.len, 1);
	else
		mime_parser_defect(p, "unusable Content-Transfer-Encoding: 7bit assumed");
	if (rc == 0 && r->cte < 0)
		*oom = 1;
	mime_buf_free(&tok);
}

/* The header is over (complete: it ended with an empty line): what the
 * part is, and how its body is read. */
static void resolve_part(struct mime_parser *p, struct level *lv, int complete)
{
	struct resolved r = {-1, -1, -1, -1, -1, -1, -1};
	int oom = 0;
	type_from_field(p, lv, &r, &oom);
	if (lv->seen_cdisp)
		disposition_from_field(p, lv, &r, &oom);
	if (lv->seen_cte)
		cte_from_field(p, lv, &r, &oom);
	if (oom) {
		p->failed = "out of memory";
		return;
	}
	set_info(lv, &r);
	if (lv->info.cte == MIME_CTE_UNKNOWN)
		mime_parser_defect(p, "unknown Content-Transfer-Encoding: body kept as it is");
	(void)complete; /* a header cut short still opens its container: it is empty */
	choose_body(p, lv);
}
