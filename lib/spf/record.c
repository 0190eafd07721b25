/* An SPF record's syntax: RFC 7208 4.5, 4.6.1, 5, 6 and 7.1. The whole
 * record is checked before anything is evaluated (4.6: a syntax error
 * anywhere is a permerror). */
#include <stdlib.h>

#include "spf-int.h"

int spf_is_record(const char *txt, size_t len)
{
	return len >= 6 && spf_ieqn(txt, 6, "v=spf1", 6) && (len == 6 || txt[6] == ' ');
}

static int is_delim(int c)
{
	return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

static int is_letter(int c, int exp)
{
	switch (spf_lower(c)) {
	case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
		return 1;
	case 'c': case 'r': case 't':
		return exp;
	}
	return 0;
}

/* Length of the macro-expand at s (s[0] is '%'), or 0 when it is not one. */
static size_t expand_len(const char *s, size_t n, int exp)
{
	if (n < 2)
		return 0;
	if (s[1] == '%' || s[1] == '_' || s[1] == '-')
		return 2;
	if (s[1] != '{' || n < 4 || !is_letter((unsigned char)s[2], exp))
		return 0;
	size_t i = 3;
	size_t d0 = i;
	while (i < n && spf_digit((unsigned char)s[i]))
		i++;
	if (i > d0) {
		/* 7.1: a DIGIT transformer is nonzero */
		int nonzero = 0;
		for (size_t k = d0; k < i; k++)
			nonzero |= s[k] != '0';
		if (!nonzero)
			return 0;
	}
	if (i < n && (s[i] == 'r' || s[i] == 'R'))
		i++;
	while (i < n && is_delim((unsigned char)s[i]))
		i++;
	return i < n && s[i] == '}' ? i + 1 : 0;
}

int spf_macro_check(const char *s, size_t n, int exp)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			size_t k = expand_len(s + i, n - i, exp);
			if (!k)
				return -1;
			i += k;
		} else if (c >= 0x21 && c <= 0x7e) {
			i++;
		} else if (c == ' ' && exp) {
			i++;   /* explain-string: macro-strings joined by SP */
		} else {
			return -1;
		}
	}
	return 0;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	int alpha = 0, dash = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (spf_alpha(c))
			alpha = 1;
		else if (c == '-')
			dash = 1;
		else if (!spf_digit(c))
			return 0;
	}
	if (!dash)
		return alpha;
	return spf_alnum((unsigned char)s[0]) && spf_alnum((unsigned char)s[n - 1]);
}

int spf_domain_spec_check(const char *s, size_t n)
{
	if (n == 0 || spf_macro_check(s, n, 0) < 0)
		return -1;
	/* where the last macro-expand ends */
	size_t last_end = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '%') {
			i += expand_len(s + i, n - i, 0);
			last_end = i;
		} else {
			i++;
		}
	}
	if (last_end == n)
		return 0;
	/* else the literal tail ends in "." toplabel ["."] */
	size_t end = n;
	if (s[end - 1] == '.')
		end--;
	size_t dot = end;
	while (dot > last_end && s[dot - 1] != '.')
		dot--;
	if (dot == last_end)
		return -1;
	return toplabel_ok(s + dot, end - dot) ? 0 : -1;
}

static int push(struct spf_parsed *p, const struct spf_term *t)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct spf_term *n = realloc(p->terms, cap * sizeof *n);
		if (!n)
			return -1;
		p->terms = n;
		p->cap = cap;
	}
	p->terms[p->n++] = *t;
	return 0;
}

/* "/" ( "0" / %x31-39 0*(max-1)DIGIT ): the value, or -1. */
static int cidr_value(const char *s, size_t n, int max)
{
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!spf_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Take a trailing "/N" (from *n) as a CIDR length; 0 when there is none,
 * 1 when one was taken, -1 when it is malformed. */
static int take_cidr(const char *s, size_t *n, int max, int *out)
{
	size_t i = *n;
	while (i > 0 && spf_digit((unsigned char)s[i - 1]))
		i--;
	if (i == 0 || s[i - 1] != '/')
		return 0;
	if (i == *n)
		return -1;   /* a "/" with no digits */
	int v = cidr_value(s + i, *n - i, max);
	if (v < 0)
		return -1;
	*out = v;
	*n = i - 1;
	return 1;
}

static const struct { const char *name; enum spf_kind kind; } mechs[] = {
	{ "all", K_ALL }, { "include", K_INCLUDE }, { "a", K_A }, { "mx", K_MX },
	{ "ptr", K_PTR }, { "ip4", K_IP4 }, { "ip6", K_IP6 }, { "exists", K_EXISTS },
};

/* [":" domain-spec] after a mechanism's name (a, mx, ptr) */
static int optional_spec(const char *r, size_t rn, struct spf_term *t, const char **why)
{
	if (!rn)
		return 0;
	if (r[0] != ':' || rn < 2) {
		*why = "bad mechanism argument";
		return -1;
	}
	t->spec = r + 1;
	t->spec_len = rn - 1;
	return 0;
}

static enum spf_problem mechanism(const char *s, size_t n, struct spf_term *t, const char **why)
{
	size_t nl = 0;
	while (nl < n && spf_alnum((unsigned char)s[nl]))
		nl++;
	size_t m;
	for (m = 0; m < sizeof mechs / sizeof *mechs; m++)
		if (spf_ieq(s, nl, mechs[m].name))
			break;
	if (m == sizeof mechs / sizeof *mechs) {
		*why = "unknown mechanism";
		return SPF_E_SYNTAX;
	}
	t->kind = mechs[m].kind;
	const char *r = s + nl;
	size_t rn = n - nl;
	switch (t->kind) {
	case K_ALL:
		if (rn) {
			*why = "all takes no argument";
			return SPF_E_SYNTAX;
		}
		return SPF_OK;
	case K_INCLUDE:
	case K_EXISTS:
		if (rn < 2 || r[0] != ':') {
			*why = t->kind == K_INCLUDE ? "include needs a domain" : "exists needs a domain";
			return SPF_E_SYNTAX;
		}
		t->spec = r + 1;
		t->spec_len = rn - 1;
		break;
	case K_A:
	case K_MX: {
		/* [":" domain-spec] [ "/" ip4-cidr ] [ "//" ip6-cidr ] */
		size_t i = rn;
		while (i > 0 && spf_digit((unsigned char)r[i - 1]))
			i--;
		if (i < rn && i >= 2 && r[i - 1] == '/' && r[i - 2] == '/') {
			if ((t->cidr6 = cidr_value(r + i, rn - i, 128)) < 0) {
				*why = "bad CIDR length";
				return SPF_E_SYNTAX;
			}
			rn = i - 2;
			i = rn;
			while (i > 0 && spf_digit((unsigned char)r[i - 1]))
				i--;
		}
		if (i < rn && i >= 1 && r[i - 1] == '/') {
			if ((t->cidr4 = cidr_value(r + i, rn - i, 32)) < 0) {
				*why = "bad CIDR length";
				return SPF_E_SYNTAX;
			}
			rn = i - 1;
		}
		if (optional_spec(r, rn, t, why) < 0)
			return SPF_E_SYNTAX;
		break;
	}
	case K_PTR:
		if (optional_spec(r, rn, t, why) < 0)
			return SPF_E_SYNTAX;
		break;
	case K_IP4:
	case K_IP6: {
		if (rn < 2 || r[0] != ':') {
			*why = "ip4 and ip6 need an address";
			return SPF_E_SYNTAX;
		}
		r++;
		rn--;
		int v = -1;
		int six = t->kind == K_IP6;
		if (take_cidr(r, &rn, six ? 128 : 32, &v) < 0) {
			*why = "bad CIDR length";
			return SPF_E_SYNTAX;
		}
		if ((six ? spf_parse_ip6(r, rn, t->net) : spf_parse_ip4(r, rn, t->net)) < 0) {
			*why = six ? "bad IPv6 network" : "bad IPv4 network";
			return SPF_E_SYNTAX;
		}
		if (six)
			t->cidr6 = v;
		else
			t->cidr4 = v;
		return SPF_OK;
	}
	default:
		break;
	}
	if (t->spec && spf_domain_spec_check(t->spec, t->spec_len) < 0) {
		*why = "bad domain-spec";
		return SPF_E_SYNTAX;
	}
	return SPF_OK;
}

static enum spf_problem term(const char *s, size_t n, struct spf_parsed *p, const char **why)
{
	struct spf_term t = { .qualifier = '+', .text = s, .text_len = n, .cidr4 = -1, .cidr6 = -1 };
	/* modifier: name "=" macro-string */
	size_t nl = 0;
	if (spf_alpha((unsigned char)s[0])) {
		nl = 1;
		while (nl < n && (spf_alnum((unsigned char)s[nl]) || s[nl] == '-' || s[nl] == '_' ||
				  s[nl] == '.'))
			nl++;
	}
	if (nl && nl < n && s[nl] == '=') {
		t.spec = s + nl + 1;
		t.spec_len = n - nl - 1;
		if (spf_ieq(s, nl, "redirect") || spf_ieq(s, nl, "exp")) {
			int red = spf_ieq(s, nl, "redirect");
			t.kind = red ? K_REDIRECT : K_EXP;
			if ((red ? p->redirect : p->exp) >= 0) {
				*why = red ? "redirect= given twice" : "exp= given twice";
				return SPF_E_DUPLICATE_MOD;
			}
			if (spf_domain_spec_check(t.spec, t.spec_len) < 0) {
				*why = "bad domain-spec";
				return SPF_E_SYNTAX;
			}
			if (red)
				p->redirect = (long)p->n;
			else
				p->exp = (long)p->n;
		} else {
			t.kind = K_UNKNOWN_MOD;
			if (spf_macro_check(t.spec, t.spec_len, 0) < 0) {
				*why = "bad modifier value";
				return SPF_E_SYNTAX;
			}
		}
		return push(p, &t) < 0 ? SPF_E_NOMEM : SPF_OK;
	}
	if (s[0] == '+' || s[0] == '-' || s[0] == '~' || s[0] == '?') {
		t.qualifier = s[0];
		s++;
		n--;
	}
	if (n == 0) {
		*why = "a qualifier alone";
		return SPF_E_SYNTAX;
	}
	enum spf_problem pr = mechanism(s, n, &t, why);
	if (pr != SPF_OK)
		return pr;
	return push(p, &t) < 0 ? SPF_E_NOMEM : SPF_OK;
}

enum spf_problem spf_parse(const char *txt, size_t len, struct spf_parsed *p,
			   const char **why, size_t *at)
{
	p->n = 0;
	p->redirect = p->exp = -1;
	*why = NULL;
	*at = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)txt[i];
		if (c < 0x20 || c > 0x7e) {
			*why = "a byte that is not printable ASCII";
			*at = i;
			return SPF_E_SYNTAX;
		}
	}
	for (size_t i = 6; i < len;) {
		while (i < len && txt[i] == ' ')
			i++;
		if (i == len)
			break;
		size_t j = i;
		while (j < len && txt[j] != ' ')
			j++;
		*at = i;
		enum spf_problem pr = term(txt + i, j - i, p, why);
		if (pr != SPF_OK)
			return pr;
		i = j;
	}
	return SPF_OK;
}

enum spf_problem spf_record_check(const char *txt, size_t len, const char **why, size_t *at)
{
	if (!spf_is_record(txt, len)) {
		*why = "not a v=spf1 record";
		*at = 0;
		return SPF_E_SYNTAX;
	}
	struct spf_parsed p = { 0 };
	enum spf_problem pr = spf_parse(txt, len, &p, why, at);
	free(p.terms);
	return pr;
}
