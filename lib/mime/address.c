/* RFC 5322 3.4 addresses with the obsolete forms of 4.4 and RFC 6532
 * UTF-8: the parser. Printers are in address-print.c, IDN in address-idn.c. */
#include "lex.h"
#include "address-int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

struct ap {
	struct mime_lex l;
	struct mime_addr_error *err;
	struct mime_defects *df;  /* not NULL: tolerant */
	int tolerant;
};

static int fail(struct ap *p, size_t pos, const char *msg)
{
	p->err->pos = pos;
	p->err->msg = msg;
	return -2;
}

static int skip_cfws(struct ap *p)
{
	if (mime_lex_cfws(&p->l) < 0)
		return fail(p, p->l.pos, "unterminated comment");
	return 0;
}

/* The lexer's -1 means malformed when the cursor did not move, out of
 * memory otherwise (it only writes after consuming the opening char). */
static int lex_status(struct ap *p, int r, size_t start, const char *msg)
{
	if (r >= 0)
		return 0;
	return p->l.pos == start ? fail(p, start, msg) : -1;
}

char *mime_addr_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int take(struct mime_buf *b, char **s, size_t *n)
{
	*s = mime_addr_dup(b->data ? b->data : "", b->len);
	if (n)
		*n = b->len;
	return *s ? 0 : -1;
}

/* phrase = 1*word, obs-phrase = word *(word / "." / CFWS) (RFC 5322 3.2.5,
 * 4.1); [*s, *e) is the span from the first word to the last. */
static int phrase(struct ap *p, size_t *s, size_t *e)
{
	*s = *e = p->l.pos;
	for (int any = 0;; any = 1) {
		int r = skip_cfws(p);
		if (r)
			return r;
		size_t at = p->l.pos;
		int c = mime_lex_peek(&p->l);
		if (c == '"')
			r = lex_status(p, mime_lex_quoted_string(&p->l, NULL), at,
				       "unterminated quoted string");
		else if (c == '.' && any)
			p->l.pos++;
		else if (!mime_lex_atext(&p->l, NULL, NULL))
			return 0;
		if (r)
			return r;
		if (!any)
			*s = at;
		*e = p->l.pos;
	}
}

/* local-part = dot-atom / quoted-string / obs-local-part (word *("." word)
 * with CFWS around the dots): the content, words unquoted. */
static int local_words(struct ap *p, struct mime_buf *content)
{
	for (;;) {
		size_t at = p->l.pos;
		int c = mime_lex_peek(&p->l), r;
		size_t s, e;
		if (c == '"') {
			r = lex_status(p, mime_lex_quoted_string(&p->l, content), at,
				       "unterminated quoted string");
			if (r)
				return r;
		} else if (mime_lex_atext(&p->l, &s, &e)) {
			if (mime_buf_append(content, p->l.s + s, e - s))
				return -1;
		} else {
			return fail(p, at, content->len ? "expected a word after '.'"
					   : "expected a local part");
		}
		size_t save = p->l.pos;
		if ((r = skip_cfws(p)) != 0)
			return r;
		if (mime_lex_peek(&p->l) != '.') {
			p->l.pos = save;
			return 0;
		}
		p->l.pos++;
		if (mime_buf_putc(content, '.') || (r = skip_cfws(p)) != 0)
			return r ? r : -1;
	}
}

int mime_addr_is_dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '.' ? s[i + 1] == '.' : !mime_is_atext(c))
			return 0;
	}
	return 1;
}

/* RFC 5322 3.4.1: the canonical form of a local part: dot-atom when the
 * content allows, else a quoted string escaping only '"' and '\'. */
int mime_addr_local_canon(const char *s, size_t n, struct mime_buf *out)
{
	if (mime_addr_is_dot_atom(s, n))
		return mime_buf_append(out, s, n);
	if (mime_buf_putc(out, '"'))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((s[i] == '"' || s[i] == '\\') && mime_buf_putc(out, '\\')) ||
		    mime_buf_putc(out, s[i]))
			return -1;
	return mime_buf_putc(out, '"');
}

static int local_part(struct ap *p, struct mime_mailbox *m)
{
	struct mime_buf content = {0}, canon = {0};
	int r = local_words(p, &content);
	if (!r)
		r = mime_addr_local_canon(content.data ? content.data : "", content.len, &canon);
	if (!r)
		r = take(&canon, &m->local, &m->local_len);
	mime_buf_free(&content);
	mime_buf_free(&canon);
	return r;
}

static int literal_ok(const char *s, size_t n)
{
	char ip[64];
	if (n >= 5 && mime_ascii_caseeq(s, 5, "IPv6:", 5)) {
		if (n - 5 >= sizeof ip)
			return 0;
		memcpy(ip, s + 5, n - 5);
		ip[n - 5] = '\0';
		return inet_pton(AF_INET6, ip, &(struct in6_addr){0}) == 1;
	}
	if (strspn(s, "0123456789.") < n)
		return 1;  /* RFC 5321 4.1.3 general-address-literal, or other dtext */
	if (n >= sizeof ip)
		return 0;
	memcpy(ip, s, n);
	ip[n] = '\0';
	return inet_pton(AF_INET, ip, &(struct in_addr){0}) == 1;
}

/* domain-literal = "[" *([FWS] dtext) [FWS] "]", obs-dtext = quoted-pair
 * (RFC 5322 3.4.1, 4.4); FWS dropped. */
static int literal(struct ap *p, struct mime_buf *d)
{
	size_t start = p->l.pos++;
	if (mime_buf_putc(d, '['))
		return -1;
	for (;;) {
		int c = mime_lex_peek(&p->l);
		if (c < 0)
			return fail(p, start, "unterminated domain literal");
		if (mime_lex_fws(&p->l))
			continue;
		if (c == ']')
			break;
		if (c == '\\' && p->l.pos + 1 < p->l.len)
			c = (unsigned char)p->l.s[++p->l.pos];
		if (c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == '\\')
			return fail(p, p->l.pos, "invalid character in domain literal");
		if (mime_buf_putc(d, c))
			return -1;
		p->l.pos++;
	}
	p->l.pos++;
	if (!literal_ok(d->data + 1, d->len - 1))
		return fail(p, start, "invalid address literal");
	return mime_buf_putc(d, ']');
}

/* dot-atom-text, or obs-domain = atom *("." atom) with CFWS. */
static int domain_name(struct ap *p, struct mime_buf *d)
{
	for (;;) {
		size_t s, e, save;
		int r;
		if (!mime_lex_atext(&p->l, &s, &e))
			return fail(p, p->l.pos, "expected a domain label");
		if (mime_buf_append(d, p->l.s + s, e - s))
			return -1;
		save = p->l.pos;
		if ((r = skip_cfws(p)) != 0)
			return r;
		if (mime_lex_peek(&p->l) != '.') {
			p->l.pos = save;
			return 0;
		}
		p->l.pos++;
		if (mime_buf_putc(d, '.') || (r = skip_cfws(p)) != 0)
			return r ? r : -1;
	}
}

static int idn_check(struct ap *p, size_t at, const char *d, size_t n)
{
	struct mime_buf a = {0};
	struct mime_addr_error e;
	int r = mime_domain_to_ascii(d, n, &a, &e);
	mime_buf_free(&a);
	return r == -2 ? fail(p, at + e.pos, e.msg) : r;
}

static int domain(struct ap *p, char **out, size_t *n, enum mime_domain_kind *kind)
{
	struct mime_buf d = {0};
	int r = skip_cfws(p);
	size_t at = p->l.pos;
	*kind = mime_lex_peek(&p->l) == '[' ? MIME_DOMAIN_LITERAL : MIME_DOMAIN_NAME;
	if (!r)
		r = *kind == MIME_DOMAIN_LITERAL ? literal(p, &d) : domain_name(p, &d);
	if (!r && *kind == MIME_DOMAIN_NAME)
		r = idn_check(p, at, d.data, d.len);
	if (!r)
		r = take(&d, out, n);
	mime_buf_free(&d);
	return r;
}

/* addr-spec = local-part "@" domain; trailing CFWS left to the caller. */
static int addr_spec(struct ap *p, struct mime_mailbox *m)
{
	int r = skip_cfws(p);
	if (!r)
		r = local_part(p, m);
	if (!r)
		r = skip_cfws(p);
	if (r)
		return r;
	if (mime_lex_peek(&p->l) != '@')
		return fail(p, p->l.pos, "expected '@'");
	p->l.pos++;
	return domain(p, &m->domain, &m->domain_len, &m->domain_kind);
}

/* obs-route = obs-domain-list ":", obs-domain-list = *(CFWS / ",") "@"
 * domain *("," [CFWS] ["@" domain]) (RFC 5322 4.4): kept as "@a,@b". */
static int route(struct ap *p, struct mime_mailbox *m)
{
	struct mime_buf rt = {0};
	int r = 0;
	while (!r) {
		if ((r = skip_cfws(p)) != 0)
			break;
		int c = mime_lex_peek(&p->l);
		if (c == ',') {
			p->l.pos++;
			continue;
		}
		if (c == ':' && rt.len)
			break;
		if (c != '@') {
			r = fail(p, p->l.pos, rt.len ? "expected ':' after route" : "expected '@'");
			break;
		}
		p->l.pos++;
		char *d;
		size_t n;
		enum mime_domain_kind k;
		if ((r = domain(p, &d, &n, &k)) != 0)
			break;
		r = (rt.len && mime_buf_putc(&rt, ',')) || mime_buf_putc(&rt, '@') ||
		    mime_buf_append(&rt, d, n) ? -1 : 0;
		free(d);
	}
	if (!r) {
		p->l.pos++;
		r = take(&rt, &m->route, NULL);
	}
	mime_buf_free(&rt);
	return r;
}

static int angle_addr(struct ap *p, struct mime_mailbox *m)
{
	p->l.pos++;
	int r = skip_cfws(p);
	if (r)
		return r;
	int c = mime_lex_peek(&p->l);
	if (c == '>')
		return fail(p, p->l.pos, "empty address");
	if ((c == '@' || c == ',') && (r = route(p, m)) != 0)
		return r;
	if ((r = addr_spec(p, m)) != 0 || (r = skip_cfws(p)) != 0)
		return r;
	if (mime_lex_peek(&p->l) != '>')
		return fail(p, p->l.pos, "expected '>'");
	p->l.pos++;
	return skip_cfws(p);
}

/* Comments after a bare addr-spec: "john@example.org (John Doe)". */
static int trailing_comments(struct ap *p, struct mime_mailbox *m)
{
	struct mime_buf text = {0};
	int r = 0;
	for (;;) {
		if (mime_lex_fws(&p->l))
			continue;
		size_t at = p->l.pos;
		if (mime_lex_peek(&p->l) != '(')
			break;
		if (text.len && mime_buf_putc(&text, ' ')) {
			r = -1;
			break;
		}
		r = lex_status(p, mime_lex_comment(&p->l, &text), at, "unterminated comment");
		if (r)
			break;
	}
	if (!r && text.len)
		r = take(&text, &m->comment, NULL);
	mime_buf_free(&text);
	return r;
}

/* mailbox = name-addr / addr-spec */
static int mailbox(struct ap *p, struct mime_mailbox *m)
{
	size_t start = p->l.pos, s, e;
	int r = skip_cfws(p);
	m->offset = p->l.pos;
	if (!r)
		r = phrase(p, &s, &e);
	if (r)
		return r;
	if (mime_lex_peek(&p->l) == '<') {
		if (e > s && !(m->name = mime_addr_dup(p->l.s + s, e - s)))
			return -1;
		m->name_len = e - s;
		return angle_addr(p, m);
	}
	p->l.pos = start;
	r = addr_spec(p, m);
	return r ? r : trailing_comments(p, m);
}

void mime_mailbox_free(struct mime_mailbox *m)
{
	free(m->name);
	free(m->local);
	free(m->domain);
	free(m->route);
	free(m->comment);
	memset(m, 0, sizeof *m);
}

static void address_free(struct mime_address *a)
{
	for (size_t i = 0; i < a->count; i++)
		mime_mailbox_free(&a->mailboxes[i]);
	free(a->mailboxes);
	free(a->name);
	memset(a, 0, sizeof *a);
}

void mime_address_list_free(struct mime_address_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		address_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

static int grow(void *pv, size_t count, size_t size)
{
	void **p = pv;
	if (count & (count - 1))
		return 0;  /* room left: capacities are powers of two */
	void *n = realloc(*p, (count ? count * 2 : 1) * size);
	if (!n)
		return -1;
	*p = n;
	return 0;
}

/* From i, the end of a malformed element: the next ',' (a group member:
 * ',' or ';'; at the top: a ',' outside groups) outside quoted strings and
 * comments. */
static size_t skip_element(const struct mime_lex *l, size_t i, int member)
{
	int depth = 0, quoted = 0, group = 0;
	for (; i < l->len; i++) {
		char c = l->s[i];
		if (c == '\\' && (quoted || depth))
			i++;
		else if (quoted)
			quoted = c != '"';
		else if (c == '(' || (c == ')' && depth))
			depth += c == '(' ? 1 : -1;
		else if (depth)
			continue;
		else if (c == '"')
			quoted = 1;
		else if (member ? c == ',' || c == ';' : c == ',' && !group)
			break;
		else if (!member && (c == ':' || c == ';'))
			group = c == ':';
	}
	return i < l->len ? i : l->len;
}

/* A malformed element: strict parsers stop; tolerant ones report it and go on
 * after it. Returns 0 when parsing should go on. */
static int recover(struct ap *p, int r, size_t start, int in_group)
{
	if (r != -2 || !p->tolerant)
		return r;
	mime_defect(p->df, MIME_D_ADDRESS, p->err->pos, p->err->msg);
	p->l.pos = skip_element(&p->l, start, in_group);
	return 0;
}

static int add_member(struct ap *p, struct mime_address *a)
{
	size_t start = p->l.pos;
	struct mime_mailbox m = {0};
	int r = mailbox(p, &m);
	if (!r && !(r = grow(&a->mailboxes, a->count, sizeof m)))
		a->mailboxes[a->count++] = m;
	else
		mime_mailbox_free(&m);
	return recover(p, r, start, 1);
}

/* group-list = mailbox-list / CFWS / obs-group-list, then ";" */
static int group_members(struct ap *p, struct mime_address *a)
{
	for (;;) {
		int r = skip_cfws(p), c = mime_lex_peek(&p->l);
		if (r)
			return r;
		if (c == ';' || c == ',') {
			p->l.pos++;
			if (c == ';')
				return skip_cfws(p);
			continue;
		}
		if (c < 0) {
			if (!p->tolerant)
				return fail(p, p->l.pos, "expected ';'");
			mime_defect(p->df, MIME_D_ADDRESS, p->l.pos, "expected ';'");
			return 0;
		}
		size_t before = p->l.pos;
		if ((r = add_member(p, a)) != 0)
			return r;
		c = mime_lex_peek(&p->l);
		if (p->l.pos == before || (c >= 0 && c != ',' && c != ';'))
			if ((r = recover(p, fail(p, p->l.pos, "expected ',' or ';'"), p->l.pos, 1)) != 0)
				return r;
	}
}

/* address = mailbox / group */
static int address(struct ap *p, struct mime_address *a)
{
	size_t start = p->l.pos, s, e;
	int r = skip_cfws(p);
	a->offset = p->l.pos;
	if (!r)
		r = phrase(p, &s, &e);
	if (r)
		return r;
	if (mime_lex_peek(&p->l) != ':' || e == s) {
		p->l.pos = start;
		if (!(a->mailboxes = calloc(1, sizeof *a->mailboxes)))
			return -1;
		a->count = 1;
		return mailbox(p, a->mailboxes);
	}
	a->is_group = 1;
	a->name_len = e - s;
	if (!(a->name = mime_addr_dup(p->l.s + s, e - s)))
		return -1;
	p->l.pos++;
	return group_members(p, a);
}

static int add_address(struct ap *p, struct mime_address_list *out)
{
	size_t start = p->l.pos;
	struct mime_address a = {0};
	int r = address(p, &a);
	if (!r && !(r = grow(&out->items, out->count, sizeof a)))
		out->items[out->count++] = a;
	else
		address_free(&a);
	return recover(p, r, start, 0);
}

static int list(struct ap *p, struct mime_address_list *out)
{
	for (;;) {
		int r = skip_cfws(p);
		if (r)
			return r;  /* an unterminated comment runs to the end */
		int c = mime_lex_peek(&p->l);
		if (c < 0)
			return 0;
		if (c == ',') {  /* obs-addr-list: empty element */
			p->l.pos++;
			continue;
		}
		size_t n = out->count;
		if ((r = add_address(p, out)) != 0 || (r = skip_cfws(p)) != 0)
			return r;
		c = mime_lex_peek(&p->l);
		if (c < 0 || c == ',')
			continue;
		r = fail(p, p->l.pos, "expected ','");
		if (p->tolerant && out->count > n && out->items[n].is_group)
			mime_defect(p->df, MIME_D_ADDRESS, p->l.pos, p->err->msg);  /* "G1: a; G2: b;" */
		else if ((r = recover(p, r, p->l.pos, 0)) != 0)
			return r;
	}
}

static int list_parse(const char *v, size_t len, struct mime_address_list *out,
		      struct mime_addr_error *err, struct mime_defects *df)
{
	struct mime_addr_error e;
	struct ap p = {.err = err ? err : &e, .df = df, .tolerant = !err};
	mime_lex_init(&p.l, v, len);
	out->items = NULL;
	out->count = 0;
	int r = list(&p, out);
	if (r == -2 && p.tolerant) {
		mime_defect(df, MIME_D_ADDRESS, p.err->pos, p.err->msg);
		r = 0;
	}
	if (r)
		mime_address_list_free(out);
	return r;
}

enum mime_status mime_address_list_parse(const char *v, size_t len, struct mime_address_list *out,
			    struct mime_addr_error *err)
{
	struct mime_addr_error e;
	return list_parse(v, len, out, err ? err : &e, NULL);
}

enum mime_status mime_address_list_parse_tolerant(const char *v, size_t len, struct mime_address_list *out,
				     struct mime_defects *df)
{
	return list_parse(v, len, out, NULL, df);
}

enum mime_status mime_mailbox_parse(const char *v, size_t len, struct mime_mailbox *out,
		       struct mime_addr_error *err)
{
	struct mime_addr_error e;
	struct ap p = {.err = err ? err : &e};
	mime_lex_init(&p.l, v, len);
	memset(out, 0, sizeof *out);
	int r = mailbox(&p, out);
	if (!r && !(r = skip_cfws(&p)) && !mime_lex_eof(&p.l))
		r = fail(&p, p.l.pos, mime_lex_peek(&p.l) == ',' ? "more than one mailbox"
							       : "expected end of mailbox");
	if (r)
		mime_mailbox_free(out);
	return r;
}
