/* The streaming message parser: RFC 5322 messages with RFC 2045/2046 MIME
 * structure. See mime-parser.h for the contract.
 *
 * The input is cut into lines only where it matters: header lines, and
 * lines that may be a boundary delimiter (they start with "--" while some
 * multipart is open). Everything else in a body is passed through in runs,
 * as spans of the caller's buffer. A line is copied into the parser only
 * when it starts as a possible delimiter and is cut by the end of a feed,
 * and then only up to max_line bytes. */
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
};

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
	p->flags = flags;
	p->line = 1;
	p->at_line_start = 1;
	if (mime_parser_push_part(p, NULL)) {
		mime_parser_free(p);
		return NULL;
	}
	return p;
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
	free(p);
}

void mime_parser_feed(struct mime_parser *p, const char *buf, size_t len)
{
	p->base += p->len;
	p->buf = buf;
	p->len = len;
	p->pos = 0;
	if (len == 0)
		p->eof = 1;
	/* the pending line break, if it was in the previous buffer, was copied */
}

/* ---- the event queue ---------------------------------------------------- */

struct mime_event *mime_parser_push_ev(struct mime_parser *p, enum mime_ev type)
{
	if (p->qlen == p->qcap) {
		size_t cap = p->qcap ? p->qcap * 2 : 16;
		struct qev *q = realloc(p->queue, cap * sizeof *q);
		if (!q) {
			p->failed = "out of memory";
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
	e->line = p->line;
	return e;
}

/* Raw bytes that are not contiguous in the input (a line break held from an
 * earlier feed and the line after it): joined in dec. */
int mime_parser_ev_raw_copy(struct mime_parser *p, struct mime_event *e, const char *a, size_t an,
			    const char *b, size_t bn)
{
	struct qev *q = (struct qev *)e;
	q->raw_off = p->dec.len;
	q->raw_in_dec = 1;
	if (mime_buf_append(&p->dec, a, an) || mime_buf_append(&p->dec, b, bn)) {
		p->failed = "out of memory";
		return -1;
	}
	e->raw_len = an + bn;
	return 0;
}

void mime_parser_defect(struct mime_parser *p, const char *what)
{
	struct mime_event *e = mime_parser_push_ev(p, MIME_DEFECT);
	if (e)
		e->message = what;
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
	return p->buf ? p->buf + p->pos : "";
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
	size_t avail = p->len - p->pos;
	if (p->carry.len == 0) {
		if (!mime_parser_any_boundary(p))
			return -1;
		if (avail >= 1 && in[0] != '-')
			return -1;
		if (avail >= 2 && in[1] != '-')
			return -1;
		size_t ll = line_len(in, avail < p->lim.max_line + 2 ? avail : p->lim.max_line + 2);
		if (ll || p->eof) {
			*s = in;
			*n = ll ? ll : avail;
			p->pos += *n;
			return 1;
		}
		if (avail >= p->lim.max_line + 2)
			return -1;
		if (mime_buf_append(&p->carry, in, avail)) {
			p->failed = "out of memory";
			return 0;
		}
		p->pos = p->len;
		return 0;
	}
	/* continuing a carried line */
	size_t room = p->lim.max_line + 2 > p->carry.len ? p->lim.max_line + 2 - p->carry.len : 0;
	size_t ll = line_len(in, avail < room ? avail : room);
	size_t take = ll ? ll : (avail < room ? avail : room);
	if (mime_buf_append(&p->carry, in, take)) {
		p->failed = "out of memory";
		return 0;
	}
	p->pos += take;
	*s = p->carry.data;
	*n = p->carry.len;
	if (p->carry.len >= 2 && (p->carry.data[0] != '-' || p->carry.data[1] != '-'))
		return -1;
	if (ll || p->eof)
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
		if (lv->state == LV_HEADER)
			mime_parser_header_end_of_input(p);
		else
			mime_parser_close_level(p, "missing close delimiter at end of input");
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
		mime_parser_close_level(p, "missing close delimiter before an outer boundary");
	}
	struct mime_event *e = mime_parser_push_ev(p, MIME_DELIMITER);
	if (!e)
		return;
	e->close = close;
	if (p->pend_len && p->pend_in_buf && s == p->buf + p->pend_off + p->pend_len) {
		e->raw = p->buf + p->pend_off;
		e->raw_len = p->pend_len + n;
	} else if (p->pend_len) {
		mime_parser_ev_raw_copy(p, e, p->pend_in_buf ? p->buf + p->pend_off : p->pend,
					p->pend_len, s, n);
	} else {
		e->raw = s;
		e->raw_len = n;
	}
	p->pend_len = 0;
	p->line++;
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
		mime_parser_body(p, p->buf + p->pend_off, p->pend_len);
	else
		mime_parser_body_copy(p, p->pend, p->pend_len);
	p->pend_len = 0;
}

/* Copy the pending line break out of the buffer before it goes away. */
static void save_pending(struct mime_parser *p)
{
	if (p->pend_len && p->pend_in_buf) {
		memcpy(p->pend, p->buf + p->pend_off, p->pend_len);
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
		p->line++;
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
	size_t avail = p->len - p->pos;
	if (!mime_parser_any_boundary(p)) {
		flush_pending(p);
		mime_parser_body(p, s, avail);
		p->pos = p->len;
		p->line += mime_count_lf(s, avail);
		return;
	}
	size_t i = 0, end, hold = 0;
	int cr = 0;
	for (;;) {
		size_t ll = line_len(s + i, avail - i);
		if (!ll) {
			end = avail;
			if (end > i && s[end - 1] == '\r' && !p->eof) {
				end--;
				hold = 1;
				cr = 1;
			}
			p->at_line_start = 0;
			break;
		}
		i += ll;
		p->line++;
		size_t rest = avail - i;
		if (rest == 0 || (s[i] == '-' && (rest < 2 || s[i + 1] == '-'))) {
			hold = ll >= 2 && s[i - 2] == '\r' ? 2 : 1;
			end = i - hold;
			p->at_line_start = 1;
			break;
		}
	}
	flush_pending(p);
	if (end)
		mime_parser_body(p, s, end);
	if (hold) {
		p->pend_off = p->pos + end;
		p->pend_len = hold;
		p->pend_in_buf = 1;
		p->pend_cr = cr;
	}
	p->pos += end + hold;
}

/* A CR held at the end of the last buffer is a line break if LF follows. */
static void resolve_cr(struct mime_parser *p)
{
	p->pend_cr = 0;
	if (p->pos < p->len && p->buf[p->pos] == '\n') {
		save_pending(p);
		p->pend[p->pend_len++] = '\n';
		p->pos++;
		p->line++;
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
	size_t avail = p->len - p->pos, ll = line_len(s, avail);
	size_t n = ll ? ll : avail;
	p->pos += n;
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
	ev->offset = p->emitted;
	p->emitted += ev->raw_len;
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
	ev->line = p->line;
	ev->offset = p->emitted;
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
			ev->message = p->failed;
			return MIME_ERROR;
		}
		if (p->done)
			return bare_event(p, ev, MIME_END);
		if (p->pos == p->len && !p->eof) {
			save_pending(p);
			return bare_event(p, ev, MIME_AWAIT);
		}
		if (p->pos == p->len && p->eof && !p->carry.len && !p->pend_cr) {
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
