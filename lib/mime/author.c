/* The author of a message, read once, strictly; see mime-author.h. */
#include "mime.h"

#include <stdlib.h>
#include <string.h>

static const char *const reasons[] = {
	[MIME_AUTHOR_OK] = "",
	[MIME_AUTHOR_NO_FROM] = "no From field",
	[MIME_AUTHOR_SEVERAL_FROM] = "several From fields",
	[MIME_AUTHOR_STRUCTURE] = "the header has a structural defect",
	[MIME_AUTHOR_WSP_NAME] = "white space before the colon of From",
	[MIME_AUTHOR_MALFORMED] = "malformed From",
	[MIME_AUTHOR_GROUP] = "group in From",
	[MIME_AUTHOR_SEVERAL_MAILBOXES] = "several mailboxes in From",
	[MIME_AUTHOR_LITERAL] = "domain literal in From",
	[MIME_AUTHOR_NOMEM] = "out of memory",
};

const char *mime_author_reason(enum mime_author_status s)
{
	return (unsigned)s < sizeof reasons / sizeof *reasons ? reasons[s] : "unknown";
}

void mime_author_init(struct mime_author *a)
{
	memset(a, 0, sizeof *a);
	a->status = MIME_AUTHOR_NO_FROM;
}

void mime_author_free(struct mime_author *a)
{
	mime_mailbox_free(&a->mailbox);
	mime_buf_free(&a->address);
	mime_buf_free(&a->domain);
	mime_author_init(a);
}

void mime_author_defect(struct mime_author *a, const struct mime_field *d)
{
	if (!mime_code_is_structural(d->code) || a->structural)
		return;
	a->structural = d->code;
	a->s_offset = d->offset;
	a->s_line = d->line;
	a->s_message = d->message;
}

static int has_byte(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] && strchr(set, s[i]))
			return 1;
	return 0;
}

/* "\"ceo@bank.example\" <x@evil.example>": the name people see is an address. */
static enum mime_author_status check_name(struct mime_author *a)
{
	const struct mime_mailbox *m = &a->mailbox;
	if (m->comment && has_byte(m->comment, strlen(m->comment), "@<"))
		a->flags |= MIME_AUTHOR_NAME_LOOKS_LIKE_ADDRESS;
	if (!m->name)
		return MIME_AUTHOR_OK;
	struct mime_buf d = {0};
	if (mime_rfc2047_decode_phrase(m->name, m->name_len, &d, NULL))
		return MIME_AUTHOR_NOMEM;
	if (has_byte(d.data ? d.data : "", d.len, "@<"))
		a->flags |= MIME_AUTHOR_NAME_LOOKS_LIKE_ADDRESS;
	mime_buf_free(&d);
	return MIME_AUTHOR_OK;
}

/* The domain lowercased, as an A-label; the address as written. */
static enum mime_author_status set_domain(struct mime_author *a)
{
	const struct mime_mailbox *m = &a->mailbox;
	if (m->domain_kind != MIME_DOMAIN_NAME)
		return MIME_AUTHOR_LITERAL;
	struct mime_addr_error err = {0};
	int r = mime_domain_to_ascii(m->domain, m->domain_len, &a->domain, &err);
	if (r == MIME_ENOMEM)
		return MIME_AUTHOR_NOMEM;
	if (r || !a->domain.len) {  /* the strict parser checked it already */
		a->detail = err.msg;
		return MIME_AUTHOR_MALFORMED;
	}
	mime_ascii_lower_n(a->domain.data, a->domain.len);
	if (mime_mailbox_print(m, MIME_ADDR_SPEC_ONLY, &a->address))
		return MIME_AUTHOR_NOMEM;
	return MIME_AUTHOR_OK;
}

/* One From field's value, strictly: exactly one mailbox, not in a group. */
static enum mime_author_status read_from(struct mime_author *a, const struct mime_field *f)
{
	if (f->value != f->name + f->name_len + 1)
		return MIME_AUTHOR_WSP_NAME;
	struct mime_address_list l = {0};
	struct mime_addr_error err = {0};
	int r = mime_address_list_parse(f->value, f->value_len, &l, &err);
	if (r == MIME_ENOMEM)
		return MIME_AUTHOR_NOMEM;
	if (r) {
		a->detail = err.msg;
		return MIME_AUTHOR_MALFORMED;
	}
	enum mime_author_status st = MIME_AUTHOR_OK;
	size_t boxes = 0;
	for (size_t i = 0; i < l.count; i++) {
		boxes += l.items[i].count;
		if (l.items[i].is_group)
			st = MIME_AUTHOR_GROUP;
	}
	if (!st && boxes > 1)
		st = MIME_AUTHOR_SEVERAL_MAILBOXES;
	if (!st && boxes == 0) {
		a->detail = "no mailbox";
		st = MIME_AUTHOR_MALFORMED;
	}
	if (!st) {
		struct mime_address *it = &l.items[0];
		a->mailbox = it->mailboxes[0];  /* taken: the list no longer owns it */
		it->count = 0;
		st = set_domain(a);
		if (!st)
			st = check_name(a);
	}
	mime_address_list_free(&l);
	return st;
}

void mime_author_field(struct mime_author *a, const struct mime_field *f)
{
	if (!mime_field_is(f, "From"))
		return;
	if (a->nfrom++ == 0) {
		a->offset = f->offset;
		a->line = f->line;
		a->from_status = read_from(a, f);
	}
}

enum mime_author_status mime_author_finish(struct mime_author *a)
{
	enum mime_author_status st;
	if (a->from_status == MIME_AUTHOR_NOMEM)
		st = MIME_AUTHOR_NOMEM;
	else if (a->nfrom > 1)
		st = MIME_AUTHOR_SEVERAL_FROM;
	else if (a->structural)
		st = MIME_AUTHOR_STRUCTURE;
	else if (a->nfrom == 0)
		st = MIME_AUTHOR_NO_FROM;
	else
		st = a->from_status;
	if (st == MIME_AUTHOR_STRUCTURE) {
		a->offset = a->s_offset;
		a->line = a->s_line;
		a->detail = a->s_message;
	}
	if (st != MIME_AUTHOR_OK) {  /* no author: nothing that could be used as one */
		mime_mailbox_free(&a->mailbox);
		mime_buf_reset(&a->address);
		mime_buf_reset(&a->domain);
		a->flags = 0;
		if (st != MIME_AUTHOR_MALFORMED && st != MIME_AUTHOR_STRUCTURE)
			a->detail = NULL;
	}
	return a->status = st;
}

enum mime_author_status mime_author_read(const char *msg, size_t len,
					 const struct mime_hdr_limits *lim, struct mime_author *a)
{
	mime_author_init(a);
	struct mime_hdr_reader *r = mime_hdr_reader_new(lim);
	if (!r)
		return a->status = MIME_AUTHOR_NOMEM;
	mime_hdr_reader_feed(r, msg, len);
	int fed_end = 0;
	for (;;) {
		struct mime_field f;
		enum mime_hdr_ev ev = mime_hdr_reader_next(r, &f);
		if (ev == MIME_HDR_AWAIT && !fed_end) {
			mime_hdr_reader_feed(r, NULL, 0);
			fed_end = 1;
		} else if (ev == MIME_HDR_FIELD) {
			mime_author_field(a, &f);
		} else if (ev == MIME_HDR_DEFECT) {
			mime_author_defect(a, &f);
		} else if (ev == MIME_HDR_ERROR) {
			/* a header that cannot be read whole has no author */
			if (f.code == MIME_E_NOMEM)
				a->from_status = MIME_AUTHOR_NOMEM;
			a->structural = f.code;
			a->s_offset = f.offset;
			a->s_line = f.line;
			a->s_message = f.message;
			break;
		} else {
			break;
		}
	}
	mime_hdr_reader_free(r);
	return mime_author_finish(a);
}
