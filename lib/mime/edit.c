/* Header edits on the raw view; see mime-edit.h. */
#include "mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct field_list {
	char **v;
	size_t n;
};

struct mime_editor {
	struct mime_hdr_reader *r;
	struct field_list removes, replaces, prepends, appends;
	unsigned char *replaced;     /* per replace: done already */
	int started;                 /* prepends written */
	int header_done;             /* past the top header: pass the rest through */
	const char *eol;             /* the message's line ending */
	int eof;
	const char *in;              /* the current feed, and how far it was given out */
	size_t in_len, in_pos;
	uint64_t fed;                /* input offset of in[0] */
	uint64_t covered;            /* header bytes given out as fields */
	struct mime_buf out;         /* built output (new fields) */
	const char *error;
	unsigned long error_line;
};

static int list_add(struct field_list *l, const char *s, size_t n)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return -1;
	l->v = v;
	char *c = malloc(n + 1);
	if (!c)
		return -1;
	memcpy(c, s, n);
	c[n] = '\0';
	l->v[l->n++] = c;
	return 0;
}

static void list_free(struct field_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

struct mime_editor *mime_editor_new(void)
{
	struct mime_editor *ed = calloc(1, sizeof *ed);
	if (!ed)
		return NULL;
	ed->r = mime_hdr_reader_new(NULL);
	if (!ed->r) {
		free(ed);
		return NULL;
	}
	ed->eol = "\r\n";
	return ed;
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

int mime_editor_remove(struct mime_editor *ed, const char *name)
{
	return list_add(&ed->removes, name, strlen(name));
}

static int add_field(struct field_list *l, const char *f, size_t n)
{
	n = trim_eol(f, n);
	return field_name_len(f, n) ? list_add(l, f, n) : -1;
}

int mime_editor_replace(struct mime_editor *ed, const char *f, size_t n)
{
	if (add_field(&ed->replaces, f, n))
		return -1;
	unsigned char *r = realloc(ed->replaced, ed->replaces.n);
	if (!r)
		return -1;
	ed->replaced = r;
	r[ed->replaces.n - 1] = 0;
	return 0;
}

int mime_editor_prepend(struct mime_editor *ed, const char *f, size_t n)
{
	return add_field(&ed->prepends, f, n);
}

int mime_editor_append(struct mime_editor *ed, const char *f, size_t n)
{
	return add_field(&ed->appends, f, n);
}

void mime_editor_feed(struct mime_editor *ed, const char *buf, size_t len)
{
	if (len == 0)
		ed->eof = 1;
	ed->fed += ed->in_len;
	ed->in = buf;
	ed->in_len = len;
	ed->in_pos = 0;
	if (!ed->header_done)
		mime_hdr_reader_feed(ed->r, buf, len);
}

/* Append a field, its folding line breaks in the message's style. */
static int put_field(struct mime_editor *ed, const char *f)
{
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
	return n == name_len && strncasecmp(field, name, n) == 0;
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

/* The first field (or the end of an empty header) is read: new fields take
 * the line ending of the message's first line; the prepends go out. */
static int start(struct mime_editor *ed, const struct mime_field *first)
{
	ed->started = 1;
	const char *lf = first ? memchr(first->raw, '\n', first->raw_len) : NULL;
	if (lf)
		ed->eol = lf > first->raw && lf[-1] == '\r' ? "\r\n" : "\n";
	else if (!first && mime_hdr_reader_consumed(ed->r) == 1)
		ed->eol = "\n";
	for (size_t i = 0; i < ed->prepends.n; i++)
		if (put_field(ed, ed->prepends.v[i]))
			return -1;
	return 0;
}

/* The empty line: replacements not done yet and appends go above it. */
static int header_end(struct mime_editor *ed)
{
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
	ed->header_done = 1;
	ed->in_pos = (size_t)(consumed - ed->fed);
	return 0;
}

/* The next piece of output: 1 (*out, *len set), 0 (feed more, or done after
 * the end), -1 (error). */
int mime_editor_next(struct mime_editor *ed, const char **outp, size_t *lenp)
{
	struct mime_field f;
	if (ed->error)
		return -1;
	mime_buf_reset(&ed->out);
	while (!ed->header_done) {
		enum mime_hdr_ev ev = mime_hdr_reader_next(ed->r, &f);
		if (ev == MIME_HDR_AWAIT)
			return 0;
		if (ev == MIME_HDR_DEFECT)
			continue;
		if (ev == MIME_HDR_ERROR) {
			ed->error = mime_hdr_reader_message(ed->r);
			ed->error_line = f.line;
			return -1;
		}
		if (!ed->started && start(ed, ev == MIME_HDR_FIELD ? &f : NULL))
			goto nomem;
		if (ev == MIME_HDR_END) {
			if (header_end(ed))
				goto nomem;
			break;
		}
		ed->covered += f.raw_len;
		int r = edit_field(ed, &f);
		if (r < 0 || (r == 0 && mime_buf_append(&ed->out, f.raw, f.raw_len)))
			goto nomem;
		if (ed->out.len)
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
nomem:
	ed->error = "out of memory";
	return -1;
}

const char *mime_editor_error(const struct mime_editor *ed, unsigned long *line)
{
	if (line)
		*line = ed->error_line;
	return ed->error;
}
