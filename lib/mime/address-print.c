/* Addresses printed back: one line per mailbox for people and scripts, and
 * address lists as folded header fields (RFC 5322 3.4, RFC 2047, RFC 6532). */
#include "lex.h"
#include "address-int.h"

#include <string.h>

static int decode_name(const char *raw, size_t len, struct mime_buf *out)
{
	mime_buf_reset(out);
	if (!raw)
		return 0;
	if (mime_rfc2047_decode_phrase(raw, len, out, NULL))
		return -1;
	return 0;
}

/* RFC 5322 3.2.5: words of atext (UTF-8 allowed when utf8) separated by
 * single spaces; a word that looks like an encoded word would not read back
 * as itself (RFC 2047 6.1), so it does not count. */
static int is_phrase(const char *s, size_t n, int utf8)
{
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == ' ' ? s[i + 1] == ' ' : !mime_is_atext(c) || (c >= 0x80 && !utf8))
			return 0;
		if (c == '=' && (i == 0 || s[i - 1] == ' ') && i + 1 < n && s[i + 1] == '?')
			return 0;
	}
	return 1;
}

static int quote(struct mime_buf *out, const char *s, size_t n)
{
	if (mime_buf_putc(out, '"'))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((s[i] == '"' || s[i] == '\\') && mime_buf_putc(out, '\\')) ||
		    mime_buf_putc(out, s[i]))
			return -1;
	return mime_buf_putc(out, '"');
}

/* For one line: control characters (a decoded CR, LF, TAB) become spaces. */
static void flatten(struct mime_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			b->data[i] = ' ';
}

static int put_domain(struct mime_buf *out, const struct mime_mailbox *m, int ascii)
{
	int r = ascii ? mime_domain_to_ascii(m->domain, m->domain_len, out, NULL)
		      : mime_domain_to_unicode(m->domain, m->domain_len, out, NULL);
	if (r == -2)  /* not from our parser: as it stands */
		r = mime_buf_append(out, m->domain, m->domain_len);
	return r;
}

static int put_addr_spec(struct mime_buf *out, const struct mime_mailbox *m, int ascii)
{
	if (mime_buf_append(out, m->local, m->local_len) || mime_buf_putc(out, '@'))
		return -1;
	return put_domain(out, m, ascii);
}

enum mime_status mime_mailbox_print(const struct mime_mailbox *m, unsigned flags, struct mime_buf *out)
{
	struct mime_buf name = {0};
	int ascii = (flags & MIME_ADDR_ASCII) != 0, r = 0;
	if (!(flags & MIME_ADDR_SPEC_ONLY))
		r = decode_name(m->name, m->name_len, &name);
	if (!r && name.len) {
		flatten(&name);
		r = is_phrase(name.data, name.len, 1) ? mime_buf_append(out, name.data, name.len)
						      : quote(out, name.data, name.len);
		r = r || mime_buf_puts(out, " <") ? -1 : 0;
	}
	if (!r)
		r = put_addr_spec(out, m, ascii);
	if (!r && name.len)
		r = mime_buf_putc(out, '>');
	mime_buf_free(&name);
	return r;
}

static int needs_encoding(const char *s, size_t n, int utf8)
{
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8) ||
		    (c == '=' && i + 1 < n && s[i + 1] == '?'))
			return 1;
	}
	return 0;
}

/* A display name as tokens: atoms (folding allowed between them), one quoted
 * string, or encoded words (RFC 2047 5(3)). */
static int fold_name(struct mime_fold *f, const char *s, size_t n, int utf8)
{
	if (needs_encoding(s, n, utf8))
		return mime_rfc2047_encode(f, s, n, MIME_RFC2047_PHRASE);
	if (is_phrase(s, n, utf8)) {
		for (size_t i = 0; i < n;) {
			size_t e = i;
			while (e < n && s[e] != ' ')
				e++;
			int r = mime_fold_token(f, s + i, e - i, MIME_FOLD_SPACE);
			if (r)
				return r;
			i = e + 1;
		}
		return 0;
	}
	struct mime_buf q = {0};
	int r = quote(&q, s, n);
	if (!r)
		r = mime_fold_token(f, q.data, q.len, MIME_FOLD_SPACE);
	mime_buf_free(&q);
	return r;
}

static int is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static int fold_mailbox(struct mime_fold *f, const struct mime_mailbox *m, unsigned flags)
{
	int utf8 = (flags & MIME_ADDR_UTF8) != 0;
	if (!utf8 && !is_ascii(m->local, m->local_len))
		return -3;
	struct mime_buf name = {0}, spec = {0};
	int r = decode_name(m->name, m->name_len, &name);
	if (!r && name.len)
		r = fold_name(f, name.data, name.len, utf8);
	if (!r)
		r = (name.len && mime_buf_putc(&spec, '<')) || put_addr_spec(&spec, m, !utf8) ||
		    (name.len && mime_buf_putc(&spec, '>')) ? -1 : 0;
	if (!r)
		r = mime_fold_token(f, spec.data, spec.len, MIME_FOLD_SPACE);
	mime_buf_free(&name);
	mime_buf_free(&spec);
	return r;
}

/* group = display-name ":" [group-list] ";" */
static int fold_group(struct mime_fold *f, const struct mime_address *a, unsigned flags)
{
	struct mime_buf name = {0};
	int r = decode_name(a->name, a->name_len, &name);
	if (!r)
		r = name.len ? fold_name(f, name.data, name.len, (flags & MIME_ADDR_UTF8) != 0)
			     : mime_fold_token(f, "\"\"", 2, MIME_FOLD_SPACE);
	mime_buf_free(&name);
	if (!r)
		r = mime_fold_token(f, ":", 1, MIME_FOLD_GLUE);
	for (size_t i = 0; !r && i < a->count; i++) {
		r = fold_mailbox(f, &a->mailboxes[i], flags);
		if (!r && i + 1 < a->count)
			r = mime_fold_token(f, ",", 1, MIME_FOLD_GLUE);
	}
	return r ? r : mime_fold_token(f, ";", 1, MIME_FOLD_GLUE);
}

enum mime_status mime_address_list_fold(struct mime_fold *f, const struct mime_address_list *l,
			   unsigned flags)
{
	int r = 0;
	for (size_t i = 0; !r && i < l->count; i++) {
		const struct mime_address *a = &l->items[i];
		r = a->is_group ? fold_group(f, a, flags) : fold_mailbox(f, a->mailboxes, flags);
		if (!r && i + 1 < l->count)
			r = mime_fold_token(f, ",", 1, MIME_FOLD_GLUE);
	}
	return r;
}

enum mime_status mime_address_list_field(struct mime_buf *out, const char *name,
			    const struct mime_address_list *l, unsigned flags)
{
	struct mime_fold f;
	mime_fold_init(&f, out);
	int r = mime_fold_begin(&f, name);
	if (!r)
		r = mime_address_list_fold(&f, l, flags);
	return r ? r : mime_fold_end(&f);
}

static int same_name(const char *a, size_t an, const char *b, size_t bn)
{
	struct mime_buf x = {0}, y = {0};
	int r = decode_name(a, an, &x) || decode_name(b, bn, &y) ? -1
		: x.len == y.len && (!x.len || memcmp(x.data, y.data, x.len) == 0);
	mime_buf_free(&x);
	mime_buf_free(&y);
	return r;
}

static int same_domain(const struct mime_mailbox *a, const struct mime_mailbox *b)
{
	struct mime_buf x = {0}, y = {0};
	int r = put_domain(&x, a, 1) || put_domain(&y, b, 1) ? -1
		: a->domain_kind == b->domain_kind && mime_ascii_caseeq(x.data, x.len, y.data, y.len);
	mime_buf_free(&x);
	mime_buf_free(&y);
	return r;
}

static int same_mailbox(const struct mime_mailbox *a, const struct mime_mailbox *b)
{
	if (a->local_len != b->local_len || memcmp(a->local, b->local, a->local_len))
		return 0;
	int r = same_domain(a, b);
	return r == 1 ? same_name(a->name, a->name_len, b->name, b->name_len) : r;
}

static int same_address(const struct mime_address *a, const struct mime_address *b)
{
	if (a->is_group != b->is_group || a->count != b->count)
		return 0;
	int r = a->is_group ? same_name(a->name, a->name_len, b->name, b->name_len) : 1;
	for (size_t i = 0; r == 1 && i < a->count; i++)
		r = same_mailbox(&a->mailboxes[i], &b->mailboxes[i]);
	return r;
}

int mime_address_list_equal(const struct mime_address_list *a,
			    const struct mime_address_list *b)
{
	if (a->count != b->count)
		return 0;
	int r = 1;
	for (size_t i = 0; r == 1 && i < a->count; i++)
		r = same_address(&a->items[i], &b->items[i]);
	return r;
}
