/* Header fields of a message from a stream; see fields.h. */
#include "fields.h"
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_names_add(struct cli_names *l, const char *arg)
{
	for (const char *p = arg; *p;) {
		size_t n = strcspn(p, ",:");
		if (n) {
			char **v = realloc(l->v, (l->n + 1) * sizeof *v);
			if (!v || !(v[l->n] = strndup(p, n)))
				cli_die(EX_SOFTWARE, NULL, "out of memory");
			l->v = v;
			l->n++;
		}
		p += n + (p[n] != '\0');
	}
}

int cli_names_has(const struct cli_names *l, const char *name, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (mime_ascii_is(name, len, l->v[i]))
			return 1;
	return 0;
}

void cli_names_free(struct cli_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void cli_warn_at(const char *where, unsigned long line, const char *what)
{
	char at[4096];
	snprintf(at, sizeof at, "%s:%lu", where, line);
	cli_warn(at, "%s", what);
}

void cli_warn_in_value(const char *where, const struct mime_field *f, uint64_t off,
		       const char *what)
{
	unsigned long line = f->line;
	for (uint64_t i = 0; i < off && i < f->value_len; i++)
		line += f->value[i] == '\n';
	uint64_t at = f->offset + (uint64_t)(f->value - f->raw) + off;
	char where_line[4096];
	snprintf(where_line, sizeof where_line, "%s:%lu", where, line);
	cli_warn(where_line, "%s at byte %llu", what, (unsigned long long)at);
}

/* 1 when the header is over, 0 for more input, -1 when it failed. */
static int drain(struct mime_hdr_reader *r, const char *where, struct cli_fields *cb)
{
	struct mime_field f;
	for (;;) {
		switch (mime_hdr_reader_next(r, &f)) {
		case MIME_HDR_AWAIT:
			return 0;
		case MIME_HDR_FIELD:
			cb->field(cb->ctx, &f);
			break;
		case MIME_HDR_DEFECT:
			cb->defects++;
			if (!cb->quiet)
				cli_warn_at(where, f.line, f.message);
			if (cb->defect)
				cb->defect(cb->ctx, &f);
			break;
		case MIME_HDR_END:
			return 1;
		case MIME_HDR_ERROR:
			if (f.code == MIME_E_NOMEM)
				cli_die(EX_SOFTWARE, where, "out of memory");
			cli_warn_at(where, f.line, f.message);
			return -1;
		}
	}
}

int cli_read_fields(FILE *in, const char *where, struct cli_fields *cb)
{
	static const struct mime_hdr_limits lim = {.flags = MIME_HDR_MBOX_FROM};
	static char buf[1 << 16];
	struct mime_hdr_reader *r = mime_hdr_reader_new(&lim);
	if (!r)
		cli_die(EX_SOFTWARE, where, "out of memory");
	int done = 0;
	while (!done) {
		size_t n = fread(buf, 1, sizeof buf, in);
		if (n == 0 && ferror(in))
			cli_die(EX_IOERR, where, "read error: %s", strerror(errno));
		mime_hdr_reader_feed(r, buf, n);
		done = drain(r, where, cb); /* n == 0 ended the input: END comes */
	}
	mime_hdr_reader_free(r);
	return done < 0 ? EX_DATAERR : 0;
}

void cli_prepend(const char *field, size_t len, size_t (*rd)(void *ctx, char *buf, size_t n),
		 void *ctx, const char *where)
{
	while (len && (field[len - 1] == '\n' || field[len - 1] == '\r'))
		len--;
	struct mime_hdr_limits lim = {.flags = MIME_HDR_MBOX_FROM};
	struct mime_editor *ed = mime_editor_new(&lim);
	if (!ed || mime_editor_prepend(ed, field, len))
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	static char buf[1 << 16];
	for (int end = 0; !end;) {
		size_t n = rd(ctx, buf, sizeof buf);
		end = n == 0;
		mime_editor_feed(ed, buf, n);
		const char *o;
		size_t k;
		int r;
		while ((r = mime_editor_next(ed, &o, &k)) > 0)
			cli_write(stdout, o, k);
		if (r < 0) {
			unsigned long line;
			const char *what = mime_editor_error(ed, &line, NULL);
			cli_die(EX_DATAERR, where, "line %lu: %s", line, what);
		}
	}
	mime_editor_free(ed);
}
