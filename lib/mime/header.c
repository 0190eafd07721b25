/* The header reader: one header section, field by field, raw bytes kept
 * (RFC 5322 2.2, 2.2.3, 3.6; obsolete syntax of 4.5: white space before
 * the colon). A field is complete when the line after it does not start
 * with white space, so the reader holds one field (bounded by max_field)
 * and the line being read. The start of each new line is classified before
 * it is taken (field, empty line, or neither: see mime-header.h for the
 * rule that ends the header there). */
#include "mime.h"
#include "header-int.h"
#include "ascii-int.h"

#include <stdlib.h>
#include <string.h>

enum { R_READING, R_ENDED, R_FAILED };

/* Classifying the start of a line: which bytes were seen so far. */
enum scan {
	S_DONE,     /* decided: a field (or the empty line); take the line */
	S_START,    /* nothing seen yet */
	S_CR,       /* a CR first: the empty line if LF follows */
	S_NAME,     /* field-name characters */
	S_WSP,      /* a name, then white space (obs-optional, if ':' follows) */
};

enum { MAX_PENDING = 8 };

struct pending {
	enum mime_code code;
	const char *msg;
	uint64_t offset;
	unsigned long line;
};

struct mime_hdr_reader {
	struct mime_hdr_limits lim;
	const char *in;
	size_t in_len, in_pos;
	int eof, state;
	struct mime_buf cur;      /* the pending field's lines, then the line being read */
	size_t line_at;           /* offset in cur of the line being read */
	int in_line;              /* a line is being read (cur holds its start) */
	int line_flagged;         /* the current line was reported as too long */
	enum scan scan;           /* the current line's start, while undecided */
	size_t scan_len;          /* its name characters so far */
	char head[5];             /* its first bytes (an mbox "From " line) */
	int mbox;                 /* the line being taken is an mbox "From " line */
	struct mime_buf done;     /* the field given out last */
	uint64_t cur_offset;      /* input offset of cur[0] */
	unsigned long cur_lineno; /* line number of cur[0] */
	uint64_t consumed;        /* bytes of complete lines taken */
	unsigned long lineno;     /* lines taken */
	size_t fields;
	uint64_t once_seen;       /* bits of mime_field_once_index */
	const char *msg;
	enum mime_code code;
	enum mime_code fail_code;
	const char *fail_msg;
	uint64_t fail_offset;
	unsigned long fail_line;
	size_t held;              /* after a line that is not a field: its bytes in cur */
	const struct mime_field_info *done_info; /* of the field in done: its entry, */
	size_t done_name, done_colon;            /* its name's length, its colon */
	/* events waiting: defects (with their positions), then a field */
	struct pending pend[MAX_PENDING];
	unsigned npend, pend_at;
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
	if (!r->lim.max_header)
		r->lim.max_header = 1u << 20;
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

static enum mime_hdr_ev fail_at(struct mime_hdr_reader *r, enum mime_code code, const char *msg,
				uint64_t off, unsigned long line)
{
	r->state = R_FAILED;
	r->fail_code = code;
	r->fail_msg = msg;
	r->fail_offset = off;
	r->fail_line = line;
	return MIME_HDR_ERROR;
}

/* At the line being read. */
static enum mime_hdr_ev fail(struct mime_hdr_reader *r, enum mime_code code, const char *msg)
{
	return fail_at(r, code, msg, r->consumed, r->lineno + 1);
}

static enum mime_hdr_ev nomem(struct mime_hdr_reader *r)
{
	return fail(r, MIME_E_NOMEM, "out of memory");
}

void mime_hdr_reader_feed(struct mime_hdr_reader *r, const char *s, size_t n)
{
	if (r->state != R_READING)
		return;  /* after END the reader reads nothing; after ERROR it stays stopped */
	if (r->in_pos < r->in_len || r->pend_at < r->npend || r->pend_field) {
		fail(r, MIME_E_UNDRAINED, "fed before the events of the last feed were taken");
		return;
	}
	r->in = s;
	r->in_len = n;
	r->in_pos = 0;
	if (n == 0)
		r->eof = 1;
}

const char *mime_hdr_reader_message(const struct mime_hdr_reader *r) { return r->msg; }
uint64_t mime_hdr_reader_consumed(const struct mime_hdr_reader *r) { return r->consumed; }

size_t mime_hdr_reader_body(const struct mime_hdr_reader *r, const char **held, size_t *unread)
{
	*held = r->held ? r->cur.data + r->line_at : "";
	*unread = r->in_pos;
	return r->held;
}

int mime_field_is(const struct mime_field *f, const char *name)
{
	size_t n = strlen(name);
	return n == f->name_len && mime_ascii_caseeq(f->name, n, name, n);
}

static int is_wsp(int c) { return c == ' ' || c == '\t'; }
/* RFC 5322 3.6.8 ftext: printable US-ASCII but ':' */
static int is_ftext(int c) { return c >= 33 && c <= 126 && c != ':'; }

static void defect(struct mime_hdr_reader *r, enum mime_code code, const char *msg, uint64_t off,
		   unsigned long line)
{
	if (r->npend < MAX_PENDING)
		r->pend[r->npend++] = (struct pending){code, msg, off, line};
}

static size_t eol_len(const char *s, size_t n)
{
	if (n && s[n - 1] == '\n')
		return n > 1 && s[n - 2] == '\r' ? 2 : 1;
	return 0;
}

/* RFC 5322 3.6.8: field-name = 1*ftext; obs: white space before the colon.
 * Returns the name's length, 0 if none. */
static size_t field_name(const char *s, size_t n, size_t *colon)
{
	const char *c = memchr(s, ':', n);
	if (!c)
		return 0;
	size_t end = (size_t)(c - s), len = end;
	while (len && is_wsp(s[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++)
		if (!is_ftext((unsigned char)s[i]))
			return 0;
	*colon = end;
	return len;
}

/* Move the pending field (cur up to len) to done and queue it. */
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
	f->line_feeds = mime_count_lf(s, n);
	f->name = s;
	f->name_len = r->done_name;
	colon = r->done_colon;
	if (f->name_len) {
		f->value = s + colon + 1;
		f->value_len = body - colon - 1;
		f->info = r->done_info;
	} else {
		f->value = s;
		f->value_len = body;
	}
}

/* The field in done was given out: advance the position of cur. */
static void field_taken(struct mime_hdr_reader *r, const struct mime_field *f)
{
	r->cur_offset += r->done.len;
	/* the line after the field; a field cut by the end of input has no LF */
	r->cur_lineno += (unsigned long)f->line_feeds +
			 (r->done.len && r->done.data[r->done.len - 1] != '\n');
}

/* The position of byte i of the field in done. */
static void at_byte(const struct mime_hdr_reader *r, size_t i, uint64_t *off, unsigned long *line)
{
	*off = r->cur_offset + i;
	*line = r->cur_lineno;
	for (size_t k = 0; k < i; k++)
		*line += r->done.data[k] == '\n';
}

/* NUL and bare CR: readers split on them differently (structural). */
static void check_bytes(struct mime_hdr_reader *r, const char *s, size_t n)
{
	uint64_t off;
	unsigned long line;
	const char *nul = memchr(s, '\0', n);
	if (nul) {
		at_byte(r, (size_t)(nul - s), &off, &line);
		defect(r, MIME_D_FIELD_NUL, "NUL byte in a header field", off, line);
	}
	for (const char *cr = s; (cr = memchr(cr, '\r', (size_t)(s + n - cr))) != NULL; cr++)
		if (cr + 1 == s + n || cr[1] != '\n') {
			at_byte(r, (size_t)(cr - s), &off, &line);
			defect(r, MIME_D_FIELD_BARE_CR, "bare CR in a header field", off, line);
			break;
		}
}

/* A field was just queued: check it and count it. */
static enum mime_hdr_ev check_field(struct mime_hdr_reader *r, int mbox)
{
	size_t colon = 0;
	const char *s = r->done.data;
	size_t n = r->done.len;
	const char *lf = memchr(s, '\n', n);
	size_t first = lf ? (size_t)(lf - s) : n;
	size_t name = mbox ? 0 : field_name(s, first, &colon);
	r->done_name = name;
	r->done_colon = colon;
	if (!mbox && !name)  /* only a continuation line reaches here without a name */
		defect(r, MIME_D_CONTINUATION_FIRST, "continuation line without a field",
		       r->cur_offset, r->cur_lineno);
	if (name && colon > name)
		defect(r, MIME_D_WSP_BEFORE_COLON, "white space before the colon (RFC 5322 4.5)",
		       r->cur_offset + name, r->cur_lineno);
	check_bytes(r, s, n);
	const struct mime_field_info *fi = name ? mime_field_lookup(s, name) : NULL;
	r->done_info = fi;
	int once = fi ? mime_field_once_index(fi) : -1;
	if (once >= 0 && (r->once_seen >> once & 1))
		defect(r, MIME_D_REPEATED_FIELD, fi->repeated, r->cur_offset, r->cur_lineno);
	else if (once >= 0)
		r->once_seen |= UINT64_C(1) << once;
	if (++r->fields > r->lim.max_fields)
		return fail_at(r, MIME_E_TOO_MANY_FIELDS, "too many header fields", r->cur_offset,
			       r->cur_lineno);
	return MIME_HDR_AWAIT;
}

/* A complete line is in cur from line_at. */
static enum mime_hdr_ev line_done(struct mime_hdr_reader *r)
{
	const char *ln = r->cur.data + r->line_at;
	size_t n = r->cur.len - r->line_at;
	int mbox = r->mbox;
	r->mbox = 0;
	r->in_line = 0;
	r->line_flagged = 0;
	r->consumed += n;
	r->lineno++;
	if (r->line_at == 0 && (n == 1 || (n == 2 && ln[0] == '\r'))) {
		r->state = R_ENDED;
		return MIME_HDR_END;
	}
	r->line_at = r->cur.len;
	if (mbox) {  /* an mbox "From " line stands alone */
		if (complete_field(r, r->cur.len))
			return nomem(r);
		return check_field(r, 1);
	}
	return MIME_HDR_AWAIT;
}

/* Take input up to the end of the current line. Only the bytes within the
 * limits are read: a line that is too long is reported as far as they go,
 * then the limit, whatever the chunking. */
static enum mime_hdr_ev take_line(struct mime_hdr_reader *r)
{
	const char *s = r->in + r->in_pos;
	size_t avail = r->in_len - r->in_pos;
	const char *lf = memchr(s, '\n', avail);
	size_t n = lf ? (size_t)(lf - s) + 1 : avail;
	uint64_t head = r->consumed + (r->cur.len - r->line_at);
	size_t room_field = r->lim.max_field > r->cur.len ? r->lim.max_field - r->cur.len : 0;
	size_t room_head = r->lim.max_header > head ? (size_t)(r->lim.max_header - head) : 0;
	size_t fit = n < room_field ? n : room_field;
	fit = fit < room_head ? fit : room_head;
	size_t ll = r->cur.len - r->line_at + fit;
	if (lf && fit == n) {
		int cr = n >= 2 ? s[n - 2] == '\r'
			 : r->cur.len > r->line_at && r->cur.data[r->cur.len - 1] == '\r';
		ll -= cr ? 2 : 1;
	} else if (fit && s[fit - 1] == '\r') {
		ll--;  /* maybe the CR of a CRLF that comes next */
	}
	if (ll > r->lim.max_line && !r->line_flagged) {
		r->line_flagged = 1;
		defect(r, MIME_D_LINE_TOO_LONG, r->lim.max_line == 998 ? "header line longer than 998 bytes"
		       : "header line longer than the limit", r->consumed, r->lineno + 1);
	}
	if (fit < n && room_field <= room_head)
		return fail_at(r, MIME_E_FIELD_TOO_LONG, "header field longer than the limit",
			       r->cur_offset, r->cur_lineno);
	if (fit < n)
		return fail_at(r, MIME_E_HEADER_TOO_LONG, "header longer than the limit",
			       r->lim.max_header, r->lineno + 1);
	if (mime_buf_append(&r->cur, s, n))
		return nomem(r);
	r->in_pos += n;
	return lf ? line_done(r) : MIME_HDR_AWAIT;
}

/* The line being classified is not a field: the header ends before it, and
 * its bytes (those taken already are held in cur) start the body. */
static enum mime_hdr_ev end_before_line(struct mime_hdr_reader *r, enum mime_code code)
{
	defect(r, code, code == MIME_D_FIELD_NAME_BYTE
	       ? "control or 8-bit byte in a field name: the header ends before this line"
	       : "line is not a header field: the header ends before it", r->consumed, r->lineno + 1);
	r->held = r->cur.len - r->line_at;
	r->in_line = 0;
	r->scan = S_DONE;
	r->state = R_ENDED;
	return MIME_HDR_AWAIT;
}

static int is_mbox_line(const struct mime_hdr_reader *r)
{
	return (r->lim.flags & MIME_HDR_MBOX_FROM) && r->consumed == 0 && r->scan_len == 4 &&
	       memcmp(r->head, "From ", 5) == 0;
}

/* What one byte of a line's start decides. */
enum { C_MORE, C_TAKE, C_MBOX, C_NOT_FIELD, C_NAME_BYTE };

static int classify(struct mime_hdr_reader *r, unsigned char c, size_t at)
{
	if (at < sizeof r->head)
		r->head[at] = (char)c;
	/* a name (and the white space after it) longer than a line is no name:
	 * what is held to decide stays bounded */
	if (at > r->lim.max_line && r->scan != S_START && r->scan != S_CR)
		return C_NOT_FIELD;
	switch (r->scan) {
	case S_START:
		if (c == '\n')
			return C_TAKE;  /* the empty line */
		if (c == '\r')
			return r->scan = S_CR, C_MORE;
		if (is_ftext(c))
			return r->scan = S_NAME, r->scan_len = 1, C_MORE;
		return c == ':' ? C_NOT_FIELD : C_NAME_BYTE;
	case S_CR:
		return c == '\n' ? C_TAKE : C_NAME_BYTE;
	case S_NAME:
		if (is_ftext(c))
			return ++r->scan_len, C_MORE;
		if (c == ':')
			return C_TAKE;
		if (is_wsp(c))
			return r->scan = S_WSP, C_MORE;
		return c == '\r' || c == '\n' ? C_NOT_FIELD : C_NAME_BYTE;
	case S_WSP:
		if (is_wsp(c))
			return C_MORE;
		if (c == ':')
			return C_TAKE;
		return is_mbox_line(r) ? C_MBOX : C_NOT_FIELD;
	case S_DONE:
		break;
	}
	return C_TAKE;
}

/* Classify the start of a new line from the input at in_pos without taking
 * it; undecided at the end of the input, the bytes are taken into cur. */
static enum mime_hdr_ev scan_line(struct mime_hdr_reader *r)
{
	const unsigned char *s = (const unsigned char *)r->in + r->in_pos;
	size_t avail = r->in_len - r->in_pos, seen = r->cur.len - r->line_at;
	for (size_t k = 0; k < avail; k++) {
		int d = classify(r, s[k], seen + k);
		if (d == C_TAKE || d == C_MBOX) {
			r->scan = S_DONE;
			r->mbox = d == C_MBOX;
			return take_line(r);
		}
		if (d != C_MORE)
			return end_before_line(r, d == C_NAME_BYTE ? MIME_D_FIELD_NAME_BYTE
						   : MIME_D_NOT_A_FIELD);
	}
	if (mime_buf_append(&r->cur, s, avail))  /* at most max_line bytes: see classify */
		return nomem(r);
	r->in_pos = r->in_len;
	return MIME_HDR_AWAIT;
}

/* The end of input: the line being read and the pending field end here. */
static enum mime_hdr_ev at_eof(struct mime_hdr_reader *r)
{
	if (r->in_line && r->scan != S_DONE)
		return end_before_line(r, MIME_D_NOT_A_FIELD);
	if (r->in_line) {
		r->in_line = 0;
		r->consumed += r->cur.len - r->line_at;
		r->line_at = r->cur.len;
	}
	if (r->cur.len) {
		if (complete_field(r, r->cur.len))
			return nomem(r);
		return check_field(r, 0);
	}
	r->state = R_ENDED;
	return MIME_HDR_END;
}

static enum mime_hdr_ev step(struct mime_hdr_reader *r)
{
	if (r->in_pos == r->in_len)
		return r->eof ? at_eof(r) : MIME_HDR_AWAIT;
	if (!r->in_line) {
		int c = (unsigned char)r->in[r->in_pos];
		/* a line starts: unless it continues the pending field, that field is complete */
		if (r->line_at > 0 && !is_wsp(c)) {
			if (complete_field(r, r->line_at))
				return nomem(r);
			return check_field(r, 0);
		}
		r->in_line = 1;
		/* a continuation (of a field, or of nothing: reported when complete) */
		r->scan = is_wsp(c) ? S_DONE : S_START;
		r->scan_len = 0;
	}
	return r->scan == S_DONE ? take_line(r) : scan_line(r);
}

enum mime_hdr_ev mime_hdr_reader_next(struct mime_hdr_reader *r, struct mime_field *f)
{
	for (;;) {
		if (r->state == R_FAILED && r->pend_at == r->npend) {
			memset(f, 0, sizeof *f);
			f->offset = r->fail_offset;
			f->line = r->fail_line;
			f->code = r->code = r->fail_code;
			f->message = r->msg = r->fail_msg;
			return MIME_HDR_ERROR;
		}
		if (r->pend_at < r->npend) {
			const struct pending *d = &r->pend[r->pend_at++];
			if (r->pend_at == r->npend)
				r->pend_at = r->npend = 0;
			memset(f, 0, sizeof *f);
			f->offset = d->offset;
			f->line = d->line;
			f->code = d->code;
			f->message = r->msg = d->msg;
			r->code = d->code;
			return MIME_HDR_DEFECT;
		}
		if (r->pend_field) {
			r->pend_field = 0;
			fill_field(r, f);
			field_taken(r, f);
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
			continue; /* END: its defects, if any, go first */
		if (!r->npend && !r->pend_field && r->state == R_READING && pos == r->in_pos &&
		    before == r->in_line)
			return MIME_HDR_AWAIT;
	}
}
