/* The encoder: a model printed canonically (see mime-model.h). */
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An unstructured-or-not value as written, folded only where it has a
 * space: a fold there gives the same value back when unfolded (RFC 5322
 * 2.2.3). Runs of spaces stay with the next word, so no line is only white
 * space; a line that cannot be folded may pass 998 (kept, not cut). */
static int fold_value(struct mime_fold *f, const char *v, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t sp = i;
		while (i < n && v[i] == ' ')
			i++;
		size_t w = i;
		while (i < n && v[i] != ' ')
			i++;
		if (sp == w) { /* no space before: stuck to the colon */
			if (mime_fold_token(f, v + w, i - w, MIME_FOLD_GLUE))
				return -1;
		} else if (w == i) { /* trailing spaces */
			if (mime_fold_token(f, v + sp, w - sp, MIME_FOLD_GLUE))
				return -1;
		} else if (mime_fold_token(f, v + sp + 1, i - sp - 1, MIME_FOLD_SPACE)) {
			return -1;
		}
	}
	return 0;
}

static int print_field(const struct mime_mfield *fl, struct mime_buf *out)
{
	struct mime_fold f;
	mime_fold_init(&f, out);
	f.hard = (size_t)-1; /* a value that cannot fold is kept whole */
	mime_fold_begin(&f, fl->name);
	fold_value(&f, fl->value, fl->value_len);
	return mime_fold_end(&f) == -1 ? -1 : 0;
}

/* Content-Type printed from its parsed value (so that printing a printed
 * model gives the same bytes), with another boundary when boundary is not
 * NULL. 1 when the value does not parse: the caller prints it as written. */
static int print_ctype(const struct mime_mfield *fl, const char *boundary, struct mime_buf *out)
{
	struct mime_content_type ct = {0};
	int r = mime_content_type_parse(fl->value, fl->value_len, &ct, NULL);
	if (r == -2)
		return 1;
	for (size_t i = 0; r == 0 && boundary && i < ct.nparams; i++) {
		if (mime_ascii_casecmp(ct.params[i].name, "boundary") != 0)
			continue;
		char *b = strdup(boundary);
		if (!b) {
			r = -1;
			break;
		}
		free(ct.params[i].value);
		ct.params[i].value = b;
		ct.params[i].value_len = strlen(b);
	}
	if (r == 0) {
		size_t mark = out->len;
		struct mime_fold f;
		mime_fold_init(&f, out);
		mime_fold_begin(&f, fl->name);
		int fr = mime_content_type_fold(&f, &ct);
		if (!fr)
			fr = mime_fold_end(&f);
		if (fr == -2) { /* a value the printer refuses: as written */
			out->len = mark;
			r = 1;
		} else if (fr) {
			r = -1;
		}
	}
	mime_content_type_free(&ct);
	return r;
}

static int print_node(const struct mime_node *m, unsigned flags, struct mime_buf *out);

/* The encoding of a leaf, chosen by its content. An enclosed message kept
 * opaque must stay encoded, or a reader would parse it. */
static enum mime_cte leaf_cte(const struct mime_node *m, unsigned flags,
			       const struct mime_text_stats *st)
{
	if (m->cte_unknown)
		return MIME_CTE_UNKNOWN;
	enum mime_cte c = mime_choose_cte_stats(st, MIME_CHOOSE_CRLF |
						(flags & MIME_PRINT_8BIT ? MIME_CHOOSE_8BIT : 0));
	int opaque = strcmp(m->type, "message") == 0 &&
		     (strcmp(m->subtype, "rfc822") == 0 || strcmp(m->subtype, "global") == 0);
	if (opaque && (c == MIME_CTE_7BIT || c == MIME_CTE_8BIT))
		c = MIME_CTE_BASE64;
	return c;
}

static int print_leaf_body(const struct mime_node *m, enum mime_cte c,
			   const struct mime_text_stats *st, struct mime_buf *out)
{
	const char *d = m->body.data ? m->body.data : "";
	size_t n = m->body.len;
	if (c == MIME_CTE_BASE64) {
		struct mime_base64_enc e;
		mime_base64_enc_init(&e, 0);
		return mime_base64_encode(&e, d, n, out) || mime_base64_encode(&e, NULL, 0, out) ? -1 : 0;
	}
	if (c == MIME_CTE_QUOTED_PRINTABLE) {
		struct mime_qp_enc e;
		/* text mode turns every line break into CRLF: only when they are all CRLF */
		mime_qp_enc_init(&e, st->bare_lf || st->bare_cr ? MIME_QP_BINARY : 0);
		return mime_qp_encode(&e, d, n, out) || mime_qp_encode(&e, NULL, 0, out) ? -1 : 0;
	}
	return mime_buf_append(out, d, n);
}

static int contains(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (!h || n < k)
		return 0;
	for (const char *p = h, *e = h + n; p && (size_t)(e - p) >= k; p++) {
		p = memchr(p, needle[0], (size_t)(e - p) - k + 1);
		if (!p)
			return 0;
		if (memcmp(p, needle, k) == 0)
			return 1;
	}
	return 0;
}

/* Find a boundary that occurs in none of the printed parts: the one the
 * message had when it is safe, else "=_ember_N". */
static int choose_boundary(const struct mime_node *m, struct mime_buf *kids, char *b, size_t bn)
{
	const char *orig = NULL;
	/* the first Content-Type decides, as in the parser */
	for (size_t i = 0; i < m->nfields; i++) {
		if (mime_ascii_casecmp(m->fields[i].name, "content-type") != 0)
			continue;
		struct mime_content_type ct = {0};
		if (mime_content_type_parse(m->fields[i].value, m->fields[i].value_len, &ct, NULL) == 0) {
			const struct mime_param *p = mime_param_get(ct.params, ct.nparams, "boundary");
			if (p && p->value_len < bn)
				snprintf(b, bn, "%s", p->value), orig = b;
		}
		mime_content_type_free(&ct);
		break;
	}
	for (unsigned n = 0;; n++) {
		if (n > 0 || !orig)
			snprintf(b, bn, "=_ember_%u_%zu", n, kids->len);
		char needle[96];
		snprintf(needle, sizeof needle, "--%s", b);
		if (!contains(kids->data, kids->len, needle))
			return n > 0 || !orig; /* 1: the Content-Type must change */
	}
}

/* The parts printed one after the other into kids; ends[i]: where part i ends. */
static int print_parts(const struct mime_node *m, unsigned flags, struct mime_buf *kids,
		       size_t *ends)
{
	for (size_t i = 0; i < m->nchildren; i++) {
		if (print_node(m->children[i], flags, kids))
			return -1;
		ends[i] = kids->len;
	}
	return 0;
}

/* RFC 2046 5.1.1: each part after "--boundary" CRLF and followed by CRLF
 * (which belongs to the next delimiter), then "--boundary--" CRLF. */
static int put_multipart(const struct mime_buf *kids, const size_t *ends, size_t n,
			 const char *boundary, struct mime_buf *out)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (mime_buf_puts(out, "--") || mime_buf_puts(out, boundary) ||
		    mime_buf_puts(out, "\r\n") || mime_buf_append(out, kids->data + at, ends[i] - at) ||
		    mime_buf_puts(out, "\r\n"))
			return -1;
		at = ends[i];
	}
	return mime_buf_puts(out, "--") || mime_buf_puts(out, boundary) || mime_buf_puts(out, "--\r\n");
}

static int print_node(const struct mime_node *m, unsigned flags, struct mime_buf *out)
{
	struct mime_buf kids = {0};
	char boundary[80] = "";
	int new_boundary = 0, r = 0;
	enum mime_cte c = MIME_CTE_7BIT;
	struct mime_text_stats st;
	size_t *ends = NULL;
	if (m->kind == MIME_NODE_MULTIPART) {
		ends = malloc((m->nchildren + 1) * sizeof *ends);
		r = ends ? print_parts(m, flags, &kids, ends) : -1;
		if (!r)
			new_boundary = choose_boundary(m, &kids, boundary, sizeof boundary);
	} else if (m->kind == MIME_NODE_LEAF) {
		mime_text_stats(m->body.data ? m->body.data : "", m->body.len, &st);
		c = leaf_cte(m, flags, &st);
	}
	for (size_t i = 0; !r && i < m->nfields; i++) {
		const struct mime_mfield *fl = &m->fields[i];
		if (mime_ascii_casecmp(fl->name, "content-type") == 0)
			r = print_ctype(fl, new_boundary ? boundary : NULL, out);
		if (r == 1 || mime_ascii_casecmp(fl->name, "content-type") != 0)
			r = print_field(fl, out);
	}
	if (!r && c != MIME_CTE_7BIT) {
		const char *name = c == MIME_CTE_UNKNOWN ? m->cte_unknown : mime_cte_name(c);
		r = mime_buf_puts(out, "Content-Transfer-Encoding: ") || mime_buf_puts(out, name) ||
		    mime_buf_puts(out, "\r\n");
	}
	if (!r)
		r = mime_buf_puts(out, "\r\n");
	if (!r && m->kind == MIME_NODE_LEAF)
		r = print_leaf_body(m, c, &st, out);
	else if (!r && m->kind == MIME_NODE_MESSAGE && m->nchildren)
		r = print_node(m->children[0], flags, out);
	else if (!r && m->kind == MIME_NODE_MULTIPART)
		r = put_multipart(&kids, ends, m->nchildren, boundary, out);
	free(ends);
	mime_buf_free(&kids);
	return r ? -1 : 0;
}

enum mime_status mime_model_print(const struct mime_node *m, unsigned flags, struct mime_buf *out)
{
	return print_node(m, flags, out);
}
