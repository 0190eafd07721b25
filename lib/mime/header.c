/* The header reader: one header section, field by field, raw bytes kept
 * (RFC 5322 2.2, 2.2.3, 3.6; obsolete syntax of 4.5: white space before
 * the colon). A field is complete when the line after it does not start
 * with white space, so the reader holds one field (bounded by max_field)
 * and the line being read. */
#include "mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { R_READING, R_ENDED, R_FAILED };

struct mime_hdr_reader {
	struct mime_hdr_limits lim;
	const char *in;
	size_t in_len, in_pos;
	int eof, state;
	struct mime_buf cur;      /* the pending field's lines, then the line being read */
	size_t line_at;           /* offset in cur of the line being read */
	int in_line;              /* a line is being read (cur holds its start) */
	int line_flagged;         /* the current line was reported as too long */
	struct mime_buf done;     /* the field given out last */
	uint64_t cur_offset;      /* input offset of cur[0] */
	unsigned long cur_lineno; /* line number of cur[0] */
	uint64_t consumed;        /* bytes of complete lines taken */
	unsigned long lineno;     /* lines taken */
	size_t fields;
	const char *msg;
	/* events waiting: a defect (with its position), then a field */
	const char *pend_defect;
	uint64_t defect_offset;
	unsigned long defect_line;
	int pend_field;
};

static void set_limits(struct mime_hdr_reader *r, const struct mime_hdr_limits *lim)
{
	memset(&r->lim, 0, sizeof r->lim);
	if (lim)
		r->lim = *lim;
	if (!r->lim.max_line)
		r->lim.max_line = 998;
	if (!r->lim.max_field)
		r->lim.max_field = 65536;
	if (!r->lim.max_fields)
		r->lim.max_fields = 10000;
}

struct mime_hdr_reader *mime_hdr_reader_new(const struct mime_hdr_limits *lim)
{
	struct mime_hdr_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	set_limits(r, lim);
	r->cur_lineno = 1;
	return r;
}

void mime_hdr_reader_reset(struct mime_hdr_reader *r, const struct mime_hdr_limits *lim)
{
	struct mime_buf cur = r->cur, done = r->done;
	mime_buf_reset(&cur);
	mime_buf_reset(&done);
	memset(r, 0, sizeof *r);
	r->cur = cur;
	r->done = done;
	set_limits(r, lim);
	r->cur_lineno = 1;
}

void mime_hdr_reader_free(struct mime_hdr_reader *r)
{
	if (!r)
		return;
	mime_buf_free(&r->cur);
	mime_buf_free(&r->done);
	free(r);
}

void mime_hdr_reader_feed(struct mime_hdr_reader *r, const char *s, size_t n)
{
	r->in = s;
	r->in_len = n;
	r->in_pos = 0;
	if (n == 0)
		r->eof = 1;
}

const char *mime_hdr_reader_message(const struct mime_hdr_reader *r) { return r->msg; }
uint64_t mime_hdr_reader_consumed(const struct mime_hdr_reader *r) { return r->consumed; }

int mime_field_is(const struct mime_field *f, const char *name)
{
	return f->name_len == strlen(name) && strncasecmp(f->name, name, f->name_len) == 0;
}

static int is_wsp(int c) { return c == ' ' || c == '\t'; }

static enum mime_hdr_ev fail(struct mime_hdr_reader *r, const char *msg)
{
	r->state = R_FAILED;
	r->msg = msg;
	return MIME_HDR_ERROR;
}

static void defect(struct mime_hdr_reader *r, const char *msg, uint64_t off, unsigned long line)
{
	r->pend_defect = msg;
	r->defect_offset = off;
	r->defect_line = line;
}

static size_t eol_len(const char *s, size_t n)
{
	if (n && s[n - 1] == '\n')
		return n > 1 && s[n - 2] == '\r' ? 2 : 1;
	return 0;
}

/* RFC 5322 3.6.8: field-name = 1*ftext (printable ASCII but ':'); obs:
 * white space before the colon. Returns the name's length, 0 if none. */
static size_t field_name(const char *s, size_t n, size_t *colon)
{
	const char *c = memchr(s, ':', n);
	if (!c)
		return 0;
	size_t end = (size_t)(c - s), len = end;
	while (len && is_wsp(s[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
			return 0;
	*colon = end;
	return len;
}

/* Move the pending field (cur up to line_at) to done and queue it. */
static int complete_field(struct mime_hdr_reader *r, size_t len)
{
	mime_buf_reset(&r->done);
	if (mime_buf_append(&r->done, r->cur.data, len))
		return -1;
	size_t rest = r->cur.len - len;
	memmove(r->cur.data, r->cur.data + len, rest);
	r->cur.len = rest;
	r->cur.data[rest] = '\0';
	r->line_at -= len;
	r->pend_field = 1;
	return 0;
}

static void fill_field(struct mime_hdr_reader *r, struct mime_field *f)
{
	const char *s = r->done.data;
	size_t n = r->done.len, colon = 0;
	memset(f, 0, sizeof *f);
	f->raw = s;
	f->raw_len = n;
	f->offset = r->cur_offset;
	f->line = r->cur_lineno;
	size_t body = n - eol_len(s, n);
	size_t first = body;
	const char *lf = memchr(s, '\n', n);
	if (lf)
		first = (size_t)(lf - s);
	f->name = s;
	f->name_len = field_name(s, first, &colon);
	if (f->name_len) {
		f->value = s + colon + 1;
		f->value_len = body - colon - 1;
	} else {
		f->value = s;
		f->value_len = body;
	}
}

/* The field in done was given out: advance the position of cur. */
static void field_taken(struct mime_hdr_reader *r)
{
	r->cur_offset += r->done.len;
	r->cur_lineno += (unsigned long)(r->done.len ? 1 : 0);
	for (size_t i = 0; i + 1 < r->done.len; i++)
		if (r->done.data[i] == '\n')
			r->cur_lineno++;
}

/* A field was just queued: classify it and count it. */
static enum mime_hdr_ev check_field(struct mime_hdr_reader *r)
{
	size_t colon;
	const char *s = r->done.data;
	const char *lf = memchr(s, '\n', r->done.len);
	size_t first = lf ? (size_t)(lf - s) : r->done.len;
	int mbox = r->cur_offset == 0 && (r->lim.flags & MIME_HDR_MBOX_FROM) &&
		   r->done.len >= 5 && memcmp(s, "From ", 5) == 0;
	if (!mbox && !field_name(s, first, &colon))
		defect(r, is_wsp(s[0]) ? "continuation line without a field"
					: "line is not a header field", r->cur_offset, r->cur_lineno);
	if (++r->fields > r->lim.max_fields)
		return fail(r, "too many header fields");
	return MIME_HDR_AWAIT;
}

/* A complete line is in cur from line_at. */
static enum mime_hdr_ev line_done(struct mime_hdr_reader *r)
{
	const char *ln = r->cur.data + r->line_at;
	size_t n = r->cur.len - r->line_at;
	r->in_line = 0;
	r->line_flagged = 0;
	r->consumed += n;
	r->lineno++;
	if (r->line_at == 0 && (n == 1 || (n == 2 && ln[0] == '\r'))) {
		r->state = R_ENDED;
		return MIME_HDR_END;
	}
	/* an mbox "From " line stands alone */
	if (r->line_at == 0 && r->consumed == n && (r->lim.flags & MIME_HDR_MBOX_FROM) &&
	    n >= 5 && memcmp(ln, "From ", 5) == 0) {
		r->line_at = r->cur.len;
		if (complete_field(r, r->cur.len))
			return fail(r, "out of memory");
		return check_field(r);
	}
	r->line_at = r->cur.len;
	return MIME_HDR_AWAIT;
}

/* Take input up to the end of the current line. */
static enum mime_hdr_ev take_line(struct mime_hdr_reader *r)
{
	const char *s = r->in + r->in_pos;
	size_t avail = r->in_len - r->in_pos;
	const char *lf = memchr(s, '\n', avail);
	size_t n = lf ? (size_t)(lf - s) + 1 : avail;
	if (r->cur.len + n > r->lim.max_field)
		return fail(r, "header field longer than the limit");
	if (mime_buf_append(&r->cur, s, n))
		return fail(r, "out of memory");
	r->in_pos += n;
	size_t ll = r->cur.len - r->line_at;
	if (lf)
		ll -= eol_len(r->cur.data + r->line_at, ll);
	if (ll > r->lim.max_line && !r->line_flagged) {
		r->line_flagged = 1;
		defect(r, r->lim.max_line == 998 ? "header line longer than 998 bytes"
						   : "header line longer than the limit", r->cur_offset + r->line_at,
		       r->lineno + 1);
	}
	return lf ? line_done(r) : MIME_HDR_AWAIT;
}

/* The end of input: the line being read and the pending field end here. */
static enum mime_hdr_ev at_eof(struct mime_hdr_reader *r)
{
	if (r->in_line) {
		r->in_line = 0;
		r->consumed += r->cur.len - r->line_at;
		r->line_at = r->cur.len;
	}
	if (r->cur.len) {
		if (complete_field(r, r->cur.len))
			return fail(r, "out of memory");
		return check_field(r);
	}
	r->state = R_ENDED;
	return MIME_HDR_END;
}

static enum mime_hdr_ev step(struct mime_hdr_reader *r)
{
	if (r->in_pos == r->in_len)
		return r->eof ? at_eof(r) : MIME_HDR_AWAIT;
	if (!r->in_line) {
		/* a line starts: unless it continues the pending field, that field is complete */
		if (r->line_at > 0 && !is_wsp((unsigned char)r->in[r->in_pos])) {
			if (complete_field(r, r->line_at))
				return fail(r, "out of memory");
			enum mime_hdr_ev ev = check_field(r);
			if (ev != MIME_HDR_AWAIT)
				return ev;
			r->in_line = 1;
			return MIME_HDR_AWAIT;
		}
		r->in_line = 1;
	}
	return take_line(r);
}

enum mime_hdr_ev mime_hdr_reader_next(struct mime_hdr_reader *r, struct mime_field *f)
{
	for (;;) {
		if (r->state == R_FAILED) {
			memset(f, 0, sizeof *f);
			f->offset = r->consumed;
			f->line = r->lineno + 1;
			return MIME_HDR_ERROR;
		}
		if (r->pend_defect) {
			memset(f, 0, sizeof *f);
			f->offset = r->defect_offset;
			f->line = r->defect_line;
			r->msg = r->pend_defect;
			r->pend_defect = NULL;
			return MIME_HDR_DEFECT;
		}
		if (r->pend_field) {
			r->pend_field = 0;
			fill_field(r, f);
			field_taken(r);
			return MIME_HDR_FIELD;
		}
		if (r->state == R_ENDED)
			return MIME_HDR_END;
		int before = r->in_line;
		size_t pos = r->in_pos;
		enum mime_hdr_ev ev = step(r);
		if (ev == MIME_HDR_ERROR)
			continue; /* filled above */
		if (ev != MIME_HDR_AWAIT)
			return ev;
		if (!r->pend_defect && !r->pend_field && pos == r->in_pos && before == r->in_line)
			return MIME_HDR_AWAIT;
	}
}
