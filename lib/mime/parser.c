/* The streaming message parser: RFC 5322 messages with RFC 2045/2046 MIME
 * structure. See mime-parser.h for the contract.
 *
 * The input is cut into lines only where it matters: header lines, and
 * lines that may be a boundary delimiter (they start with "--" while some
 * multipart is open). Everything else in a body is passed through in runs,
 * as spans of the caller's buffer. A line is copied into the parser only
 * when it starts as a possible delimiter and is cut by the end of a feed,
 * and then only up to max_line bytes.
 *
 * Positions: events are queued in the order of their raw bytes, so the
 * parser keeps the position (offset and line) just after the raw bytes
 * queued so far; each event starts there, and a defect carries the
 * position of the byte it is about. */
#include "mime.h"
#include "parser-int.h"

#include <stdlib.h>
#include <string.h>

static const struct mime_limits default_limits = {
	.max_line = 998,
	.max_field = 65536,
	.max_fields = 10000,
	.max_depth = 64,
	.max_parts = 10000,
	.max_header = 1u << 20,
};

static void start(struct mime_parser *p)
{
	p->at = (struct pos){0, 1};
	p->at_line_start = 1;
	if (mime_parser_push_part(p, NULL) && !p->failed)
		mime_parser_nomem(p);
}

struct mime_parser *mime_parser_new(const struct mime_limits *lim, unsigned flags)
{
	struct mime_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->lim = lim ? *lim : default_limits;
	if (!p->lim.max_line)
		p->lim.max_line = default_limits.max_line;
	if (!p->lim.max_field)
		p->lim.max_field = default_limits.max_field;
	if (!p->lim.max_fields)
		p->lim.max_fields = default_limits.max_fields;
	if (!p->lim.max_depth)
		p->lim.max_depth = default_limits.max_depth;
	if (!p->lim.max_parts)
		p->lim.max_parts = default_limits.max_parts;
	if (!p->lim.max_header)
		p->lim.max_header = default_limits.max_header;
	p->flags = flags;
	start(p);
	if (p->failed) {
		mime_parser_free(p);
		return NULL;
	}
	return p;
}

void mime_parser_reset(struct mime_parser *p)
{
	/* what is kept: the levels (with their buffers and header readers),
	 * the queue's and the buffers' memory */
	struct level **levels = p->levels;
	int cap = p->cap_levels;
	struct qev *queue = p->queue;
	size_t qcap = p->qcap;
	struct mime_buf carry = p->carry, dec = p->dec, replay = p->replay;
	struct mime_limits lim = p->lim;
	unsigned flags = p->flags;
	memset(p, 0, sizeof *p);
	p->lim = lim;
	p->flags = flags;
	p->levels = levels;
	p->cap_levels = cap;
	p->top = -1;
	p->queue = queue;
	p->qcap = qcap;
	p->carry = carry;
	p->dec = dec;
	p->replay = replay;
	mime_buf_reset(&p->carry);
	mime_buf_reset(&p->dec);
	mime_buf_reset(&p->replay);
	start(p);
}

void mime_parser_free(struct mime_parser *p)
{
	if (!p)
		return;
	for (int i = 0; p->levels && i < p->cap_levels; i++) {
		if (p->levels[i])
			mime_parser_release_level(p->levels[i]);
		free(p->levels[i]);
	}
	free(p->levels);
	free(p->queue);
	mime_buf_free(&p->carry);
	mime_buf_free(&p->dec);
	mime_buf_free(&p->replay);
	free(p);
}

void mime_parser_feed(struct mime_parser *p, const char *buf, size_t len)
{
	if (p->done || p->failed)
		return;
	/* bytes of the last feed unread, or events pointing into it, would be lost
	 * (before the first feed, the events waiting point nowhere) */
	if (p->in.pos < p->in.len || p->replaying || (p->qhead < p->qlen && p->in.len)) {
		mime_parser_fail(p, MIME_E_UNDRAINED,
				 "fed before the events of the last feed were taken", p->at);
		return;
	}
	p->in.base += p->in.len;
	p->in.buf = buf;
	p->in.len = len;
	p->in.pos = 0;
	if (len == 0)
		p->in.eof = 1;
	/* the pending line break, if it was in the previous buffer, was copied */
}

/* ---- events and positions --------------------------------------------------- */

struct mime_event *mime_parser_push_ev(struct mime_parser *p, enum mime_ev type)
{
	if (p->qlen == p->qcap) {
		size_t cap = p->qcap ? p->qcap * 2 : 16;
		struct qev *q = realloc(p->queue, cap * sizeof *q);
		if (!q) {
			mime_parser_nomem(p);
			return NULL;
		}
		p->queue = q;
		p->qcap = cap;
	}
	struct qev *q = &p->queue[p->qlen++];
	memset(q, 0, sizeof *q);
	struct mime_event *e = &q->ev;
	e->type = type;
	e->depth = p->top > 0 ? (unsigned)p->top : 0;
	e->part = p->top >= 0 ? &p->levels[p->top]->info : NULL;
	e->offset = p->at.off;
	e->line = p->at.line;
	return e;
}

void mime_parser_ev_raw_lines(struct mime_parser *p, struct mime_event *e, const char *raw, size_t n,
			      size_t lf)
{
	e->raw = raw;
	e->raw_len = n;
	e->offset = p->at.off;
	e->line = p->at.line;
	p->at.off += n;
	p->at.line += (unsigned long)(lf == MIME_LF_UNKNOWN ? mime_count_lf(raw, n) : lf);
}

void mime_parser_ev_raw(struct mime_parser *p, struct mime_event *e, const char *raw, size_t n)
{
	mime_parser_ev_raw_lines(p, e, raw, n, MIME_LF_UNKNOWN);
}

int mime_parser_ev_raw_copy(struct mime_parser *p, struct mime_event *e, const char *a, size_t an,
			    const char *b, size_t bn)
{
	struct qev *q = (struct qev *)e;
	q->raw_off = p->dec.len;
	q->raw_in_dec = 1;
	if (mime_buf_append(&p->dec, a, an) || mime_buf_append(&p->dec, b, bn)) {
		mime_parser_nomem(p);
		return -1;
	}
	mime_parser_ev_raw(p, e, p->dec.data + q->raw_off, an + bn);
	return 0;
}

void mime_parser_defect_at(struct mime_parser *p, enum mime_code code, const char *what,
			   struct pos at)
{
	struct mime_event *e = mime_parser_push_ev(p, MIME_DEFECT);
	if (!e)
		return;
	e->code = code;
	e->message = what;
	e->offset = at.off;
	e->line = at.line;
}

void mime_parser_defect(struct mime_parser *p, enum mime_code code, const char *what)
{
	mime_parser_defect_at(p, code, what, p->at);
}

void mime_parser_fail(struct mime_parser *p, enum mime_code code, const char *what, struct pos at)
{
	if (p->failed)
		return;
	p->failed = what;
	p->fail_code = code;
	p->fail_at = at;
}

void mime_parser_nomem(struct mime_parser *p)
{
	mime_parser_fail(p, MIME_E_NOMEM, "out of memory", p->at);
}

/* ---- reading a body's first line again ---------------------------------------- */

void mime_parser_reread(struct mime_parser *p, uint64_t start, const char *held, size_t held_n,
			const char *tail, size_t tail_n)
{
	p->at_line_start = 1;
	if (start >= p->in.base) {  /* all of it is in the buffer being read */
		p->in.pos = (size_t)(start - p->in.base);
		return;
	}
	/* held and tail may point into the replay buffer: build anew */
	struct mime_buf b = {0};
	if (mime_buf_append(&b, held, held_n) || mime_buf_append(&b, tail, tail_n) ||
	    (p->replaying && mime_buf_append(&b, p->in.buf + p->in.pos, p->in.len - p->in.pos))) {
		mime_buf_free(&b);
		mime_parser_nomem(p);
		return;
	}
	if (p->pend_len && p->pend_in_buf) {
		memcpy(p->pend, p->in.buf + p->pend_off, p->pend_len);
		p->pend_in_buf = 0;
	}
	mime_buf_free(&p->replay);
	p->replay = b;
	if (!p->replaying)
		p->fed = p->in;
	p->replaying = 1;
	p->in = (struct input){.buf = p->replay.data, .len = p->replay.len, .base = start};
}

/* The replayed bytes are read: back to the caller's feed. */
static void replay_done(struct mime_parser *p)
{
	if (p->pend_len && p->pend_in_buf) {
		memcpy(p->pend, p->in.buf + p->pend_off, p->pend_len);
		p->pend_in_buf = 0;
	}
	p->in = p->fed;
	p->replaying = 0;
}

/* ---- delimiters ----------------------------------------------------------- */

/* RFC 2046 5.1.1: dash-boundary ["--"] transport-padding, then the line
 * break. Returns the level whose boundary the line is, or -1. */
static int delimiter_level(const struct mime_parser *p, const char *s, size_t n, int *close)
{
	if (n < 2 || s[0] != '-' || s[1] != '-')
		return -1;
	for (int i = p->top; i >= 0; i--) {
		const struct level *lv = p->levels[i];
		if (!lv_boundary_active(lv))
			continue;
		size_t bl = strlen(lv->info.boundary);
		if (n - 2 < bl || memcmp(s + 2, lv->info.boundary, bl) != 0)
			continue;
		size_t k = 2 + bl;
		*close = n - k >= 2 && s[k] == '-' && s[k + 1] == '-';
		if (*close)
			k += 2;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k < n && s[k] == '\r')
			k++;
		if (k < n && s[k] == '\n')
			k++;
		if (k == n)
			return i;
	}
	return -1;
}

int mime_parser_any_boundary(const struct mime_parser *p)
{
	for (int i = p->top; i >= 0; i--)
		if (lv_boundary_active(p->levels[i]))
			return 1;
	return 0;
}

/* ---- the line at the cursor ----------------------------------------------- */

/* The input at the cursor (the end-of-input feed has no buffer). */
static const char *cursor(const struct mime_parser *p)
{
	return p->in.buf ? p->in.buf + p->in.pos : "";
}

/* Length of the line at s (through its LF), or 0 when no LF in n bytes. */
static size_t line_len(const char *s, size_t n)
{
	const char *lf = n ? memchr(s, '\n', n) : NULL;
	return lf ? (size_t)(lf - s) + 1 : 0;
}

/* A delimiter candidate: a line starting with "--" while a boundary is
 * open. Gather it whole (possibly across feeds, in carry, bounded by
 * max_line). Returns 1 when the whole line is available in *s, *n, 0 when
 * more input is needed, -1 when it is not a candidate (or too long to be
 * one: then the carried bytes, if any, are in *s, *n as ordinary content). */
static int candidate_line(struct mime_parser *p, const char **s, size_t *n)
{
	const char *in = cursor(p);
	size_t avail = p->in.len - p->in.pos;
	if (p->carry.len == 0) {
		if (!mime_parser_any_boundary(p))
			return -1;
		if (avail >= 1 && in[0] != '-')
			return -1;
		if (avail >= 2 && in[1] != '-')
			return -1;
		size_t ll = line_len(in, avail < p->lim.max_line + 2 ? avail : p->lim.max_line + 2);
		if (ll || p->in.eof) {
			*s = in;
			*n = ll ? ll : avail;
			p->in.pos += *n;
			return 1;
		}
		if (avail >= p->lim.max_line + 2)
			return -1;
		if (mime_buf_append(&p->carry, in, avail)) {
			mime_parser_nomem(p);
			return 0;
		}
		p->in.pos = p->in.len;
		return 0;
	}
	/* continuing a carried line */
	size_t room = p->lim.max_line + 2 > p->carry.len ? p->lim.max_line + 2 - p->carry.len : 0;
	size_t ll = line_len(in, avail < room ? avail : room);
	size_t take = ll ? ll : (avail < room ? avail : room);
	if (mime_buf_append(&p->carry, in, take)) {
		mime_parser_nomem(p);
		return 0;
	}
	p->in.pos += take;
	*s = p->carry.data;
	*n = p->carry.len;
	if (p->carry.len >= 2 && (p->carry.data[0] != '-' || p->carry.data[1] != '-'))
		return -1;
	if (ll || p->in.eof)
		return 1;
	if (p->carry.len >= p->lim.max_line + 2)
		return -1;
	return 0;
}

/* ---- stepping --------------------------------------------------------------- */

static void finish_input(struct mime_parser *p)
{
	while (p->top >= 0) {
		struct level *lv = p->levels[p->top];
		if (lv->state == LV_HEADER) {
			mime_parser_header_end_of_input(p);
			if (p->replaying || p->in.pos < p->in.len)
				return;  /* the header ended before a line: read it as body */
		} else
			mime_parser_close_level(p, MIME_D_UNCLOSED_MULTIPART,
						"missing close delimiter at end of input");
	}
	mime_parser_push_ev(p, MIME_END);
	p->done = 1;
}

/* Handle a complete line that is a delimiter of level i. The raw bytes of
 * the event are the pending line break (if any) and the line. */
static void delimiter(struct mime_parser *p, int i, int close, const char *s, size_t n)
{
	while (p->top > i) {
		struct level *lv = p->levels[p->top];
		if (lv->state == LV_HEADER)
			mime_parser_header_cut(p);
		mime_parser_close_level(p, MIME_D_UNCLOSED_MULTIPART,
					"missing close delimiter before an outer boundary");
	}
	struct mime_event *e = mime_parser_push_ev(p, MIME_DELIMITER);
	if (!e)
		return;
	e->close = close;
	if (p->pend_len && p->pend_in_buf && s == p->in.buf + p->pend_off + p->pend_len)
		mime_parser_ev_raw(p, e, p->in.buf + p->pend_off, p->pend_len + n);
	else if (p->pend_len)
		mime_parser_ev_raw_copy(p, e, p->pend_in_buf ? p->in.buf + p->pend_off : p->pend,
					p->pend_len, s, n);
	else
		mime_parser_ev_raw(p, e, s, n);
	p->pend_len = 0;
	struct level *lv = p->levels[i];
	if (close) {
		lv->state = LV_EPILOGUE;
		return;
	}
	lv->state = LV_CHILDREN;
	p->child_pending = 1; /* begun at the next step: queued events still point at the level */
}

/* Emit the pending line break as body bytes of the current level. */
static void flush_pending(struct mime_parser *p)
{
	if (!p->pend_len)
		return;
	if (p->pend_in_buf)
		mime_parser_body(p, p->in.buf + p->pend_off, p->pend_len);
	else
		mime_parser_body_copy(p, p->pend, p->pend_len);
	p->pend_len = 0;
}

/* Copy the pending line break out of the buffer before it goes away. */
static void save_pending(struct mime_parser *p)
{
	if (p->pend_len && p->pend_in_buf) {
		memcpy(p->pend, p->in.buf + p->pend_off, p->pend_len);
		p->pend_in_buf = 0;
	}
}

/* A whole line (or the start of one) that is body content: pass it,
 * holding back its line break as the pending one. */
static void content_line(struct mime_parser *p, const char *s, size_t n)
{
	flush_pending(p);
	int ends = n && s[n - 1] == '\n';
	size_t hold = ends ? (n >= 2 && s[n - 2] == '\r' ? 2 : 1) : 0;
	if (n > hold)
		mime_parser_body(p, s, n - hold);
	if (hold) {
		memcpy(p->pend, s + n - hold, hold);
		p->pend_len = hold;
		p->pend_in_buf = 0;
	}
	p->at_line_start = ends;
}

/* A run of body bytes from the cursor (at a line start or inside a line) up
 * to the next line that may be a delimiter, or the end of the buffer. The
 * final line break is held back: it belongs to a delimiter if one follows
 * (RFC 2046 5.1.1), and so does a CR that ends the buffer. */
static void body_run(struct mime_parser *p)
{
	const char *s = cursor(p);
	size_t avail = p->in.len - p->in.pos;
	if (!mime_parser_any_boundary(p)) {
		flush_pending(p);
		mime_parser_body(p, s, avail);
		p->in.pos = p->in.len;
		p->at_line_start = avail ? s[avail - 1] == '\n' : p->at_line_start;
		return;
	}
	size_t i = 0, end, hold = 0, lines = 0;
	int cr = 0;
	for (;;) {
		size_t ll = line_len(s + i, avail - i);
		if (!ll) {
			end = avail;
			if (end > i && s[end - 1] == '\r' && !p->in.eof) {
				end--;
				hold = 1;
				cr = 1;
			}
			p->at_line_start = 0;
			break;
		}
		i += ll;
		size_t rest = avail - i;
		if (rest == 0 || (s[i] == '-' && (rest < 2 || s[i + 1] == '-'))) {
			hold = ll >= 2 && s[i - 2] == '\r' ? 2 : 1;
			end = i - hold;  /* the held line break is not in the body event */
			p->at_line_start = 1;
			break;
		}
		lines++;
	}
	flush_pending(p);
	if (end)
		mime_parser_body_lines(p, s, end, lines);
	if (hold) {
		p->pend_off = p->in.pos + end;
		p->pend_len = hold;
		p->pend_in_buf = 1;
		p->pend_cr = cr;
	}
	p->in.pos += end + hold;
}

/* A CR held at the end of the last buffer is a line break if LF follows. */
static void resolve_cr(struct mime_parser *p)
{
	p->pend_cr = 0;
	if (p->in.pos < p->in.len && p->in.buf[p->in.pos] == '\n') {
		save_pending(p);
		p->pend[p->pend_len++] = '\n';
		p->in.pos++;
		p->at_line_start = 1;
	} else {
		flush_pending(p);
	}
}

static void step_body(struct mime_parser *p)
{
	if (p->pend_cr) {
		resolve_cr(p);
		return;
	}
	if (p->at_line_start || p->carry.len) {
		const char *s = NULL;
		size_t n = 0;
		int r = candidate_line(p, &s, &n);
		if (r == 0)
			return;
		if (r == 1) {
			int close, lvl = delimiter_level(p, s, n, &close);
			if (lvl >= 0)
				delimiter(p, lvl, close, s, n);
			else
				content_line(p, s, n);
			p->carry_stale = 1;
			return;
		}
		if (p->carry.len) {
			content_line(p, p->carry.data, p->carry.len);
			p->carry_stale = 1;
			return;
		}
	}
	body_run(p);
}

static void step_header(struct mime_parser *p)
{
	if (p->at_line_start || p->carry.len) {
		const char *s = NULL;
		size_t n = 0;
		int r = candidate_line(p, &s, &n);
		if (r == 0)
			return;
		if (r == 1) {
			int close, lvl = delimiter_level(p, s, n, &close);
			if (lvl >= 0) {
				mime_parser_header_cut(p);
				delimiter(p, lvl, close, s, n);
			} else {
				mime_parser_header_bytes(p, s, n);
			}
			p->carry_stale = 1;
			return;
		}
		if (p->carry.len) {
			mime_parser_header_bytes(p, p->carry.data, p->carry.len);
			p->carry_stale = 1;
			return;
		}
	}
	const char *s = cursor(p);
	size_t avail = p->in.len - p->in.pos, ll = line_len(s, avail);
	size_t n = ll ? ll : avail;
	p->in.pos += n;
	mime_parser_header_bytes(p, s, n);
}

static void pop_event(struct mime_parser *p, struct mime_event *ev)
{
	struct qev *q = &p->queue[p->qhead++];
	*ev = q->ev;
	/* dec may still be empty (no memory): data of length 0 */
	const char *dec = p->dec.data ? p->dec.data : "";
	if (q->raw_in_dec)
		ev->raw = dec + q->raw_off;
	if (q->data_in_dec)
		ev->data = dec + q->data_off;
	if (p->qhead == p->qlen)
		p->qhead = p->qlen = 0;
}

/* Between steps, with the queue empty: release what the last events used. */
static void settle(struct mime_parser *p)
{
	p->dec.len = 0;
	if (p->carry_stale) {
		p->carry.len = 0;
		p->carry_stale = 0;
	}
	if (p->child_pending && !p->failed) {
		p->child_pending = 0;
		mime_parser_push_part(p, p->levels[p->top]);
	}
}

/* An event of the parser itself (not from the queue): no bytes, no part. */
static enum mime_ev bare_event(const struct mime_parser *p, struct mime_event *ev, enum mime_ev t)
{
	memset(ev, 0, sizeof *ev);
	ev->type = t;
	ev->line = p->at.line;
	ev->offset = p->at.off;
	return t;
}

enum mime_ev mime_parser_next(struct mime_parser *p, struct mime_event *ev)
{
	for (;;) {
		if (p->qhead < p->qlen) {
			pop_event(p, ev);
			return ev->type;
		}
		settle(p);
		if (p->qlen)
			continue;
		if (p->failed) {
			bare_event(p, ev, MIME_ERROR);
			ev->code = p->fail_code;
			ev->message = p->failed;
			ev->offset = p->fail_at.off;
			ev->line = p->fail_at.line;
			return MIME_ERROR;
		}
		if (p->done)
			return bare_event(p, ev, MIME_END);
		if (p->in.pos == p->in.len && p->replaying) {
			replay_done(p);
			continue;
		}
		if (p->in.pos == p->in.len && !p->in.eof) {
			save_pending(p);
			return bare_event(p, ev, MIME_AWAIT);
		}
		if (p->in.pos == p->in.len && p->in.eof && !p->carry.len && !p->pend_cr) {
			if (p->levels[p->top]->state != LV_HEADER)
				flush_pending(p);
			finish_input(p);
			continue;
		}
		if (p->levels[p->top]->state == LV_HEADER)
			step_header(p);
		else
			step_body(p);
	}
}
