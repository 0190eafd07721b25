/* The model view: built from the parser's events; compared. */
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mime_model_free(struct mime_node *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfields; i++) {
		free(m->fields[i].name);
		free(m->fields[i].value);
	}
	free(m->fields);
	free(m->type);
	free(m->subtype);
	free(m->cte_unknown);
	mime_buf_free(&m->body);
	for (size_t i = 0; i < m->nchildren; i++)
		mime_model_free(m->children[i]);
	free(m->children);
	free(m);
}

static char *dup_n(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

static int add_field(struct mime_node *m, const struct mime_event *ev)
{
	struct mime_mfield *f = realloc(m->fields, (m->nfields + 1) * sizeof *f);
	if (!f)
		return -1;
	m->fields = f;
	f += m->nfields;
	/* RFC 5322 2.2.3: the value unfolded */
	struct mime_buf v = {0};
	f->name = dup_n(ev->name, ev->name_len);
	if (!f->name || mime_unstructured_unfold(ev->value, ev->value_len, &v) ||
	    (!v.data && mime_buf_reserve(&v, 1))) {
		free(f->name);
		mime_buf_free(&v);
		return -1;
	}
	v.data[v.len] = '\0';
	f->value = v.data;
	f->value_len = v.len;
	m->nfields++;
	return 0;
}

static int is_cte(const struct mime_event *ev)
{
	static const char n[] = "content-transfer-encoding";
	return mime_ascii_is(ev->name, ev->name_len, n);
}

static int add_child(struct mime_node *parent, struct mime_node *c)
{
	struct mime_node **v = realloc(parent->children, (parent->nchildren + 1) * sizeof *v);
	if (!v)
		return -1;
	parent->children = v;
	v[parent->nchildren++] = c;
	return 0;
}

/* The header is over: what the part is. */
static int set_kind(struct mime_node *m, const struct mime_part_info *pi)
{
	m->kind = pi->multipart ? MIME_NODE_MULTIPART : pi->message ? MIME_NODE_MESSAGE : MIME_NODE_LEAF;
	m->type = strdup(pi->type);
	m->subtype = strdup(pi->subtype);
	if (!m->type || !m->subtype)
		return -1;
	if (m->kind == MIME_NODE_LEAF && pi->cte == MIME_CTE_UNKNOWN &&
	    !(m->cte_unknown = strdup(pi->cte_name)))
		return -1;
	return 0;
}

/* A message stored with LF line ends (its first line ends with a bare LF,
 * as in mbox and Maildir files) is read as if every bare LF were CRLF: the
 * canonical form (RFC 5322 2.1, RFC 2045 2.10). 0 with c empty when the
 * message is already CRLF (nothing to do), or -1 when memory ran out. */
static int crlf_copy(const char *s, size_t n, struct mime_buf *c)
{
	const char *lf = memchr(s, '\n', n);
	if (!lf || (lf > s && lf[-1] == '\r'))
		return 0;
	return mime_eol_all(MIME_EOL_CRLF, s, n, c);
}

struct build {
	struct mime_node **stack;
	int top, cap;
	struct mime_node *root;
};

static int on_begin(struct build *b)
{
	struct mime_node *n = calloc(1, sizeof *n);
	if (!n)
		return -1;
	if (b->top >= 0 && add_child(b->stack[b->top], n)) {
		free(n);
		return -1;
	}
	if (b->top < 0)
		b->root = n;
	if (b->top + 1 >= b->cap) {
		int cap = b->cap ? b->cap * 2 : 16;
		struct mime_node **s = realloc(b->stack, (size_t)cap * sizeof *s);
		if (!s)
			return -1;
		b->stack = s;
		b->cap = cap;
	}
	b->stack[++b->top] = n;
	return 0;
}

static int on_event(struct build *b, const struct mime_event *ev)
{
	struct mime_node *n = b->top >= 0 ? b->stack[b->top] : NULL;
	switch (ev->type) {
	case MIME_PART_BEGIN:
		return on_begin(b);
	case MIME_FIELD:
		return ev->name_len == 0 || is_cte(ev) ? 0 : add_field(n, ev);
	case MIME_HEADER_END:
		return set_kind(n, ev->part);
	case MIME_BODY:
		if (ev->body_kind == MIME_BODY_LEAF && ev->len)
			return mime_buf_append(&n->body, ev->data, ev->len);
		return 0;
	case MIME_PART_END:
		b->top--;
		return 0;
	default:
		return 0;
	}
}

enum mime_status mime_model_parse(const char *msg, size_t len, const struct mime_limits *lim,
		     struct mime_node **out, const char **err, unsigned long *line,
		     uint64_t *defects)
{
	struct mime_buf canon = {0};
	int oom = crlf_copy(msg, len, &canon);
	struct mime_parser *p = oom ? NULL : mime_parser_new(lim, MIME_DECODE_CTE);
	struct build b = {.top = -1};
	int r = p ? 0 : -1;
	*out = NULL;
	if (p)
		mime_parser_feed(p, canon.data ? canon.data : msg, canon.data ? canon.len : len);
	int fed_end = 0;
	while (!r) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT) {
			if (fed_end)
				break;
			mime_parser_feed(p, NULL, 0);
			fed_end = 1;
		} else if (e == MIME_END) {
			break;
		} else if (e == MIME_ERROR) {
			if (err)
				*err = ev.message;
			if (line)
				*line = ev.line;
			r = ev.code == MIME_E_NOMEM ? MIME_ENOMEM : MIME_EINVAL;
		} else {
			if (e == MIME_DEFECT && defects)
				(*defects)++;
			if (on_event(&b, &ev))
				r = -1;
		}
	}
	mime_parser_free(p);
	mime_buf_free(&canon);
	free(b.stack);
	if (r || !b.root) {
		mime_model_free(b.root);
		return r ? r : -1;
	}
	*out = b.root;
	return 0;
}

/* ---- equality ------------------------------------------------------------ */

static int is_name(const char *a, const char *b) { return mime_ascii_casecmp(a, b) == 0; }

/* Content-Type compared as parsed: the boundary is the encoder's choice. */
static int same_ctype(const struct mime_mfield *a, const struct mime_mfield *b)
{
	struct mime_content_type x = {0}, y = {0};
	int rx = mime_content_type_parse(a->value, a->value_len, &x, NULL);
	int ry = mime_content_type_parse(b->value, b->value_len, &y, NULL);
	int same = rx == ry;
	if (same && rx == 0)
		same = strcmp(x.type, y.type) == 0 && strcmp(x.subtype, y.subtype) == 0;
	if (same && rx == 0) {
		size_t j = 0;
		for (size_t i = 0; same && i < x.nparams; i++) {
			if (is_name(x.params[i].name, "boundary"))
				continue;
			while (j < y.nparams && is_name(y.params[j].name, "boundary"))
				j++;
			same = j < y.nparams && strcmp(x.params[i].name, y.params[j].name) == 0 &&
			       x.params[i].value_len == y.params[j].value_len &&
			       memcmp(x.params[i].value, y.params[j].value, x.params[i].value_len) == 0;
			j++;
		}
		while (same && j < y.nparams && is_name(y.params[j].name, "boundary"))
			j++;
		same = same && j == y.nparams;
	}
	if (rx != 0 && same) /* unusable both: compare as written */
		same = a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0;
	mime_content_type_free(&x);
	mime_content_type_free(&y);
	return same;
}

static int same_field(const struct mime_mfield *a, const struct mime_mfield *b)
{
	if (strcmp(a->name, b->name) != 0)
		return 0;
	if (is_name(a->name, "content-type"))
		return same_ctype(a, b);
	return a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0;
}

static int equal_at(const struct mime_node *a, const struct mime_node *b, const char **why,
		    char *path, size_t plen)
{
	if (a->nfields != b->nfields)
		return *why = "not the same number of header fields", 0;
	for (size_t i = 0; i < a->nfields; i++)
		if (!same_field(&a->fields[i], &b->fields[i]))
			return *why = "a header field differs", 0;
	if (a->kind != b->kind || strcmp(a->type, b->type) || strcmp(a->subtype, b->subtype))
		return *why = "not the same type of part", 0;
	if ((a->cte_unknown == NULL) != (b->cte_unknown == NULL) ||
	    (a->cte_unknown && strcmp(a->cte_unknown, b->cte_unknown)))
		return *why = "not the same unknown transfer encoding", 0;
	if (a->body.len != b->body.len ||
	    (a->body.len && memcmp(a->body.data, b->body.data, a->body.len)))
		return *why = "the bodies differ", 0;
	if (a->nchildren != b->nchildren)
		return *why = "not the same number of parts", 0;
	size_t at = strlen(path);
	for (size_t i = 0; i < a->nchildren; i++) {
		snprintf(path + at, plen - at, ".%zu", i + 1);
		if (!equal_at(a->children[i], b->children[i], why, path, plen))
			return 0;
	}
	path[at] = '\0';
	return 1;
}

int mime_model_equal(const struct mime_node *a, const struct mime_node *b, const char **why,
		     char path[32])
{
	const char *w = NULL;
	char p[32] = "1";
	int r = equal_at(a, b, &w, p, sizeof p);
	if (why)
		*why = w;
	if (path)
		memcpy(path, p, sizeof p);
	return r;
}
