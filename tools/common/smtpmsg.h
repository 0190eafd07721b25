/* ember commands: the message side of ember submit and ember send:
 * recipients from To, Cc and Bcc (lib/mime's strict address parser), Bcc
 * removed by lib/mime's editor. Header-only (static functions). */
#ifndef EMBER_SMTPMSG_H
#define EMBER_SMTPMSG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mime.h"

static _Noreturn void msg_oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

struct list {
	char **v;
	size_t n;
};

static void list_add(struct list *l, const char *s, size_t n)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == n && !memcmp(l->v[i], s, n))
			return;  /* each recipient once */
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		msg_oom();
	l->v = v;
	if (!(v[l->n] = strndup(s, n)))
		msg_oom();
	l->n++;
}

/* A bare address from the command line: "a@b" or "<a@b>". */
static void add_arg(struct list *l, const char *a)
{
	size_t n = strlen(a);
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		a++, n -= 2;
	list_add(l, a, n);
}

struct hdr {
	struct list rcpts;
	const char *where;
	int bad;
};

static void on_field(void *ctx, const struct mime_field *f)
{
	struct hdr *h = ctx;
	if (!mime_field_is(f, "to") && !mime_field_is(f, "cc") && !mime_field_is(f, "bcc"))
		return;
	struct mime_address_list l = {0};
	struct mime_addr_error e;
	if (mime_address_list_parse(f->value, f->value_len, &l, &e)) {
		char where[300];
		snprintf(where, sizeof where, "%s:%lu", h->where, f->line);
		cli_warn(where, "%.*s: %s", (int)f->name_len, f->name, e.msg ? e.msg : "malformed");
		h->bad = 1;
		mime_address_list_free(&l);
		return;
	}
	for (size_t i = 0; i < l.count; i++)
		for (size_t j = 0; j < l.items[i].count; j++) {
			const struct mime_mailbox *m = &l.items[i].mailboxes[j];
			struct mime_buf a = {0};
			if (mime_buf_append(&a, m->local, m->local_len) || mime_buf_putc(&a, '@') ||
			    mime_buf_append(&a, m->domain, m->domain_len))
				msg_oom();
			list_add(&h->rcpts, a.data, a.len);
			mime_buf_free(&a);
		}
	mime_address_list_free(&l);
}

static void read_header(const char *msg, size_t len, struct hdr *h)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	if (!r)
		msg_oom();
	mime_hdr_reader_feed(r, msg, len);
	int fed_end = 0;
	for (;;) {
		struct mime_field f;
		enum mime_hdr_ev e = mime_hdr_reader_next(r, &f);
		if (e == MIME_HDR_FIELD) {
			on_field(h, &f);
		} else if (e == MIME_HDR_AWAIT) {
			if (fed_end)
				break;
			mime_hdr_reader_feed(r, "", 0);
			fed_end = 1;
		} else if (e == MIME_HDR_ERROR) {
			cli_die(EX_DATAERR, h->where, "the header cannot be read: %s",
				f.message ? f.message : "error");
		} else if (e == MIME_HDR_END) {
			break;
		}
	}
	mime_hdr_reader_free(r);
}

/* The message without its Bcc fields. */
static void strip_bcc(const char *msg, size_t len, struct mime_buf *out)
{
	struct mime_editor *ed = mime_editor_new(NULL);
	if (!ed || mime_editor_remove(ed, "bcc"))
		msg_oom();
	for (int pass = 0; pass < 2; pass++) {
		mime_editor_feed(ed, pass ? "" : msg, pass ? 0 : len);
		const char *o;
		size_t n;
		int r;
		while ((r = mime_editor_next(ed, &o, &n)) > 0)
			if (mime_buf_append(out, o, n))
				msg_oom();
		if (r < 0)
			cli_die(EX_DATAERR, "stdin", "the header cannot be edited: %s",
				mime_editor_error(ed, NULL, NULL));
	}
	mime_editor_free(ed);
}

/* The envelope sender: --sender (angle brackets taken off), else the
 * author's address (lib/mime's one author reader); exits 65 when there is
 * neither. malloc'd. */
static char *envelope_sender(const char *sender, const char *msg, size_t len)
{
	char *from;
	if (sender) {
		size_t n = strlen(sender);
		from = n >= 2 && sender[0] == '<' && sender[n - 1] == '>' ? strndup(sender + 1, n - 2)
								      : strdup(sender);
	} else {
		struct mime_author a;
		enum mime_author_status st = mime_author_read(msg, len, NULL, &a);
		if (st != MIME_AUTHOR_OK) {
			mime_author_free(&a);
			cli_die(EX_DATAERR, "stdin", "no sender: %s; give --sender", mime_author_reason(st));
		}
		from = strndup(a.address.data, a.address.len);
		mime_author_free(&a);
	}
	if (!from)
		msg_oom();
	return from;
}

/* What ember submit and ember send read: the message on stdin (*msg,
 * *len), its recipients (to, when no --to gave them: To, Cc and Bcc), the
 * envelope sender and the body to send (Bcc removed). 0, or the exit
 * status for a header that cannot be read; no recipient exits 65. */
static int read_envelope(struct list *to, const char *sender, char **msg, size_t *len,
			 char **from, struct mime_buf *body)
{
	cli_slurp(stdin, "stdin", msg, len);
	struct hdr h = {.where = "stdin"};
	if (to->n == 0) {
		read_header(*msg, *len, &h);
		if (h.bad)
			return EX_DATAERR;
		*to = h.rcpts;
	}
	if (to->n == 0)
		cli_die(EX_DATAERR, "stdin", "no recipients (no To, Cc or Bcc, and no --to)");
	*from = envelope_sender(sender, *msg, *len);
	*body = (struct mime_buf){0};
	strip_bcc(*msg, *len, body);
	return 0;
}

#endif
