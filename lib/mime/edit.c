/* Header edits on the raw view; see mime-edit.h. */
#include "mime.h"

#include <stdlib.h>
#include <string.h>

struct field_list {
	char **v;
	size_t n, cap;
};

struct mime_editor {
	struct mime_hdr_reader *r;
	struct mime_hdr_limits lim;
	struct field_list removes, replaces, prepends, appends;
	unsigned char *replaced;     /* per replace: done already (replaces.cap long) */
	int started;                 /* prepends written */
	int header_done;             /* past the top header: pass the rest through */
	int open_line;               /* the last field given out had no line break */
	const char *eol;             /* the message's line ending */
	int eof;
	const char *in;              /* the current feed, and how far it was given out */
	size_t in_len, in_pos;
	uint64_t covered;            /* header bytes given out as fields */
	struct mime_buf out;         /* built output (new fields) */
	const char *error;
	unsigned long error_line;
	enum mime_code error_code;
};

static enum mime_status list_add(struct field_list *l, const char *s, size_t n)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return MIME_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	char *c = malloc(n + 1);
	if (!c)
		return MIME_ENOMEM;
	memcpy(c, s, n);
	c[n] = '\0';
	l->v[l->n++] = c;
	return MIME_OK;
}

static void list_clear(struct field_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static void list_free(struct field_list *l)
{
	list_clear(l);
	free(l->v);
}

struct mime_editor *mime_editor_new(const struct mime_hdr_limits *lim)
{
	struct mime_editor *ed = calloc(1, sizeof *ed);
	if (!ed)
		return NULL;
	if (lim)
		ed->lim = *lim;
	ed->r = mime_hdr_reader_new(&ed->lim);
	if (!ed->r) {
		free(ed);
		return NULL;
	}
	ed->eol = "\r\n";
	return ed;
}

void mime_editor_reset(struct mime_editor *ed)
{
	mime_hdr_reader_reset(ed->r, &ed->lim);
	list_clear(&ed->removes);
	list_clear(&ed->replaces);
	list_clear(&ed->prepends);
	list_clear(&ed->appends);
	mime_buf_reset(&ed->out);
	ed->started = ed->header_done = ed->open_line = ed->eof = 0;
	ed->eol = "\r\n";
	ed->in = NULL;
	ed->in_len = ed->in_pos = 0;
	ed->covered = 0;
	ed->error = NULL;
	ed->error_line = 0;
	ed->error_code = MIME_C_NONE;
}

void mime_editor_free(struct mime_editor *ed)
{
	if (!ed)
		return;
	mime_hdr_reader_free(ed->r);
	list_free(&ed->removes);
	list_free(&ed->replaces);
	list_free(&ed->prepends);
	list_free(&ed->appends);
	free(ed->replaced);
	mime_buf_free(&ed->out);
	free(ed);
}

/* Length of the name of "Name: value", or 0 when it is not a field. */
static size_t field_name_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] > 32 && s[i] < 127 && s[i] != ':')
		i++;
	return i > 0 && i < n && s[i] == ':' ? i : 0;
}

/* Strip the final line break the caller may have given. */
static size_t trim_eol(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

enum mime_status mime_editor_remove(struct mime_editor *ed, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (name[i] <= 32 || name[i] >= 127 || name[i] == ':')
			return MIME_EINVAL;
	return n ? list_add(&ed->removes, name, n) : MIME_EINVAL;
}

static enum mime_status add_field(struct field_list *l, const char *f, size_t n)
{
	n = trim_eol(f, n);
	return field_name_len(f, n) ? list_add(l, f, n) : MIME_EINVAL;
}

enum mime_status mime_editor_replace(struct mime_editor *ed, const char *f, size_t n)
{
	size_t cap = ed->replaces.cap;
	enum mime_status r = add_field(&ed->replaces, f, n);
	if (r)
		return r;
	if (ed->replaces.cap != cap || !ed->replaced) {
		/* grown with the list: every replace has its flag */
		unsigned char *v = realloc(ed->replaced, ed->replaces.cap);
		if (!v) {
			free(ed->replaces.v[--ed->replaces.n]);
			return MIME_ENOMEM;
		}
		ed->replaced = v;
	}
	ed->replaced[ed->replaces.n - 1] = 0;
	return MIME_OK;
}

enum mime_status mime_editor_prepend(struct mime_editor *ed, const char *f, size_t n)
{
	return add_field(&ed->prepends, f, n);
}

enum mime_status mime_editor_append(struct mime_editor *ed, const char *f, size_t n)
{
	return add_field(&ed->appends, f, n);
}

static void set_error(struct mime_editor *ed, enum mime_code code, const char *what,
		      unsigned long line)
{
	if (ed->error)
		return;
	ed->error = what;
	ed->error_code = code;
	ed->error_line = line;
}

void mime_editor_feed(struct mime_editor *ed, const char *buf, size_t len)
{
	/* in the header, the reader sees an undrained feed itself */
	if (ed->header_done && ed->in_pos < ed->in_len)
		set_error(ed, MIME_E_UNDRAINED, "fed before the chunks of the last feed were taken", 0);
	if (len == 0)
		ed->eof = 1;
	ed->in = buf;
	ed->in_len = len;
	ed->in_pos = 0;
	if (!ed->header_done)
		mime_hdr_reader_feed(ed->r, buf, len);
}

/* Append a field, its folding line breaks in the message's style. */
static int put_field(struct mime_editor *ed, const char *f)
{
	if (ed->open_line) {  /* the field before had no line break (end of input) */
		ed->open_line = 0;
		if (mime_buf_puts(&ed->out, ed->eol))
			return -1;
	}
	for (const char *s = f; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n' ? mime_buf_puts(&ed->out, ed->eol) : mime_buf_putc(&ed->out, *s))
			return -1;
	}
	return mime_buf_puts(&ed->out, ed->eol);
}

static int same_name(const char *field, const char *name, size_t name_len)
{
	size_t n = field_name_len(field, strlen(field));
	return mime_ascii_caseeq(field, n, name, name_len);
}

/* What happens to one top-level field: 0 keep, 1 drop, 2 replaced (written). */
static int edit_field(struct mime_editor *ed, const struct mime_field *f)
{
	if (f->name_len == 0)
		return 0;
	for (size_t i = 0; i < ed->removes.n; i++)
		if (mime_field_is(f, ed->removes.v[i]))
			return 1;
	for (size_t i = 0; i < ed->replaces.n; i++) {
		if (!same_name(ed->replaces.v[i], f->name, f->name_len))
			continue;
		if (ed->replaced[i])
			return 1;
		ed->replaced[i] = 1;
		return put_field(ed, ed->replaces.v[i]) ? -1 : 2;
	}
	return 0;
}

static int is_mbox_line(const struct mime_editor *ed, const struct mime_field *f)
{
	return (ed->lim.flags & MIME_HDR_MBOX_FROM) && f && f->offset == 0 && f->name_len == 0 &&
	       f->raw_len >= 5 && memcmp(f->raw, "From ", 5) == 0;
}

/* The header starts: new fields take the line ending of the message's
 * first line; the prepends go out (after an mbox "From " line, which
 * stays first: then the next event starts the header). */
static int start(struct mime_editor *ed, const struct mime_field *first)
{
	const char *lf = first ? memchr(first->raw, '\n', first->raw_len) : NULL;
	if (lf)
		ed->eol = lf > first->raw && lf[-1] == '\r' ? "\r\n" : "\n";
	else if (!first && mime_hdr_reader_consumed(ed->r) == 1)
		ed->eol = "\n";
	if (is_mbox_line(ed, first))
		return 0;
	ed->started = 1;
	for (size_t i = 0; i < ed->prepends.n; i++)
		if (put_field(ed, ed->prepends.v[i]))
			return -1;
	return 0;
}

/* The end of the header: replacements not done yet and appends go above
 * the empty line (or the line that ended the header); then the body. */
static int header_end(struct mime_editor *ed)
{
	if (!ed->started && start(ed, NULL))
		return -1;
	for (size_t i = 0; i < ed->replaces.n; i++)
		if (!ed->replaced[i] && put_field(ed, ed->replaces.v[i]))
			return -1;
	for (size_t i = 0; i < ed->appends.n; i++)
		if (put_field(ed, ed->appends.v[i]))
			return -1;
	uint64_t consumed = mime_hdr_reader_consumed(ed->r);
	size_t blank = (size_t)(consumed - ed->covered);
	if (blank && mime_buf_puts(&ed->out, blank == 2 ? "\r\n" : "\n"))
		return -1;
	const char *held;
	size_t unread, n = mime_hdr_reader_body(ed->r, &held, &unread);
	if (n && mime_buf_append(&ed->out, held, n))
		return -1;
	ed->header_done = 1;
	ed->in_pos = unread;
	return 0;
}

/* One event of the header reader: 1 to give out what is built, 0 to go
 * on, -1 on an error. */
static int header_event(struct mime_editor *ed, enum mime_hdr_ev ev, const struct mime_field *f)
{
	if (ev == MIME_HDR_DEFECT) {
		if (f->code == MIME_D_CONTINUATION_FIRST && ed->prepends.n)
			set_error(ed, f->code, "the header starts with a continuation line: "
				  "a field added above it would absorb it", f->line);
		return ed->error ? -1 : 0;
	}
	if (ev == MIME_HDR_ERROR) {
		set_error(ed, f->code, f->message, f->line);
		return -1;
	}
	int was_started = ed->started;
	if (!ed->started && ev == MIME_HDR_FIELD && start(ed, f))
		return -1;
	if (ev == MIME_HDR_END)
		return header_end(ed) ? -1 : 1;
	ed->covered += f->raw_len;
	int r = is_mbox_line(ed, f) && !was_started ? 0 : edit_field(ed, f);
	if (r < 0 || (r == 0 && mime_buf_append(&ed->out, f->raw, f->raw_len)))
		return -1;
	if (r == 0)
		ed->open_line = !f->raw_len || f->raw[f->raw_len - 1] != '\n';
	return ed->out.len > 0;
}

/* The next piece of output: 1 (*out, *len set), 0 (feed more, or done after
 * the end), -1 (error). */
int mime_editor_next(struct mime_editor *ed, const char **outp, size_t *lenp)
{
	if (ed->error)
		return -1;
	mime_buf_reset(&ed->out);
	while (!ed->header_done) {
		struct mime_field f;
		enum mime_hdr_ev ev = mime_hdr_reader_next(ed->r, &f);
		if (ev == MIME_HDR_AWAIT)
			return 0;
		int r = header_event(ed, ev, &f);
		if (r < 0) {
			set_error(ed, MIME_E_NOMEM, "out of memory", f.line);
			return -1;
		}
		if (r > 0 && ed->out.len)
			goto give_out;
	}
	if (ed->out.len)
		goto give_out;
	if (ed->in_pos < ed->in_len) {
		*outp = ed->in + ed->in_pos;
		*lenp = ed->in_len - ed->in_pos;
		ed->in_pos = ed->in_len;
		return 1;
	}
	return 0;
give_out:
	*outp = ed->out.data;
	*lenp = ed->out.len;
	return 1;
}

const char *mime_editor_error(const struct mime_editor *ed, unsigned long *line,
			      enum mime_code *code)
{
	if (line)
		*line = ed->error_line;
	if (code)
		*code = ed->error_code;
	return ed->error;
}
