/* DMARC policy records (RFC 9989 4.7, 4.8; RFC 7489 6.3 in 7489 mode). */
#include "dmarc-int.h"

#include <string.h>

static int is_wsp(int c) { return c == ' ' || c == '\t'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* RFC 9989 4.8: dmarc-version = "v" equals %s"DMARC1", then the end, or
 * *WSP ";". Returns the offset after the version, or 0. */
static size_t version_end(const char *s, size_t n)
{
	size_t i = 0;
	if (n < 1 || (s[0] != 'v' && s[0] != 'V'))  /* ABNF: "v" in any case */
		return 0;
	i = 1;
	while (i < n && is_wsp(s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return 0;
	i++;
	while (i < n && is_wsp(s[i]))
		i++;
	if (n - i < 6 || memcmp(s + i, "DMARC1", 6))
		return 0;
	i += 6;
	size_t j = i;
	while (j < n && is_wsp(s[j]))
		j++;
	if (j < n && s[j] != ';')
		return 0;
	return i;
}

int dmarc_is_record(const char *txt, size_t len)
{
	return version_end(txt, len) != 0;
}

static enum dmarc_policy policy_value(const char *v, size_t n)
{
	if (dmarc_ascii_is(v, n, "none"))
		return DMARC_P_NONE;
	if (dmarc_ascii_is(v, n, "quarantine"))
		return DMARC_P_QUARANTINE;
	if (dmarc_ascii_is(v, n, "reject"))
		return DMARC_P_REJECT;
	return DMARC_P_INVALID;
}

/* RFC 3986 3.1 scheme ":" and then something without white space; a
 * "!size" suffix (RFC 7489) is allowed and ignored (RFC 9989 4.8). */
static int valid_uri(const char *u, size_t n)
{
	size_t i = 0;
	if (!n || !is_alpha(u[0]))
		return 0;
	while (i < n && (is_alpha(u[i]) || is_digit(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'))
		i++;
	if (i >= n || u[i] != ':' || i + 1 >= n)
		return 0;
	for (size_t k = i + 1; k < n; k++) {
		unsigned char c = (unsigned char)u[k];
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
			return 0;
	}
	/* mailto: needs an address */
	if (dmarc_ascii_caseeq(u, i, "mailto", 6) && !memchr(u + i + 1, '@', n - i - 1))
		return 0;
	return 1;
}

/* A comma-separated list of URIs: the valid ones counted. */
/* The item of a sep-separated list that starts at i: [*a, *b) without
 * the white space around it; returns where it ends (at sep or n). */
static size_t item(const char *v, size_t n, size_t i, char sep, size_t *a, size_t *b)
{
	size_t j = i;
	while (j < n && v[j] != sep)
		j++;
	*a = i;
	*b = j;
	while (*a < *b && is_wsp(v[*a]))
		(*a)++;
	while (*b > *a && is_wsp(v[*b - 1]))
		(*b)--;
	return j;
}

static unsigned count_uris(const char *v, size_t n)
{
	unsigned valid = 0;
	size_t i = 0;
	while (i <= n) {
		size_t a, b, j = item(v, n, i, ',', &a, &b);
		const char *bang = memchr(v + a, '!', b - a);
		size_t ulen = bang ? (size_t)(bang - (v + a)) : b - a;
		if (valid_uri(v + a, ulen))
			valid++;
		i = j + 1;
	}
	return valid;
}

/* fo=: "0", "1", "d", "s" separated by ':'; 0 when not that grammar. */
static unsigned fo_value(const char *v, size_t n)
{
	unsigned fo = 0;
	size_t i = 0;
	while (i < n) {
		size_t a, b, j = item(v, n, i, ':', &a, &b);
		if (b - a != 1)
			return 0;
		switch (dmarc_lower(v[a])) {
		case '0': fo |= DMARC_FO_0; break;
		case '1': fo |= DMARC_FO_1; break;
		case 'd': fo |= DMARC_FO_D; break;
		case 's': fo |= DMARC_FO_S; break;
		default: return 0;
		}
		i = j + 1;
		if (j == n - 1 && v[j] == ':')
			return 0;
	}
	return fo;
}

/* A decimal number up to max; -1 otherwise. */
static long number(const char *v, size_t n, long max)
{
	long x = 0;
	if (!n || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x <= max ? x : -1;
}

struct parse {
	struct dmarc_record *r;
	enum dmarc_problem *first;
	size_t *at;
	unsigned seen;  /* tags given, bit per tag: the first one counts */
};

static void warn(struct parse *ps, enum dmarc_problem p, size_t off)
{
	if (!ps->r->warnings++) {
		if (ps->first)
			*ps->first = p;
		if (ps->at)
			*ps->at = off;
	}
}

enum {
	T_P, T_SP, T_NP, T_ADKIM, T_ASPF, T_T, T_PSD, T_FO, T_RUA, T_RUF, T_PCT, T_RF, T_RI, T_N,
};
static const char *const tag_names[T_N] = {
	"p", "sp", "np", "adkim", "aspf", "t", "psd", "fo", "rua", "ruf", "pct", "rf", "ri",
};

/* One tag=value: known tags read, unknown ones ignored (RFC 9989 4.7). */
static void tag(struct parse *ps, const char *rec, size_t noff, size_t nlen, size_t voff,
		size_t vlen, unsigned flags)
{
	const char *name = rec + noff, *v = rec + voff;
	struct dmarc_record *r = ps->r;
	int t = -1;
	for (int i = 0; i < T_N; i++)
		if (dmarc_ascii_is(name, nlen, tag_names[i]))
			t = i;
	if (t >= T_PCT && !(flags & DMARC_RFC7489))
		return;  /* RFC 9989 removed pct, rf, ri: unknown tags now */
	if ((t == T_NP || t == T_PSD || t == T_T) && (flags & DMARC_RFC7489))
		return;  /* not tags of RFC 7489 */
	if (t < 0)
		return;
	if (ps->seen & (1u << t))
		return;  /* a repeated tag: the first one counts */
	ps->seen |= 1u << t;
	int bad = 0;
	switch (t) {
	case T_P: r->p = policy_value(v, vlen); bad = r->p == DMARC_P_INVALID; break;
	case T_SP: r->sp = policy_value(v, vlen); bad = r->sp == DMARC_P_INVALID; break;
	case T_NP: r->np = policy_value(v, vlen); bad = r->np == DMARC_P_INVALID; break;
	case T_ADKIM:
	case T_ASPF: {
		enum dmarc_align *m = t == T_ADKIM ? &r->adkim : &r->aspf;
		if (dmarc_ascii_is(v, vlen, "s"))
			*m = DMARC_STRICT;
		else if (dmarc_ascii_is(v, vlen, "r"))
			*m = DMARC_RELAXED;
		else
			bad = 1;
		break;
	}
	case T_T:
		if (dmarc_ascii_is(v, vlen, "y"))
			r->testing = 1;
		else if (!dmarc_ascii_is(v, vlen, "n"))
			bad = 1;
		break;
	case T_PSD:
		if (dmarc_ascii_is(v, vlen, "y"))
			r->psd = DMARC_PSD_Y;
		else if (dmarc_ascii_is(v, vlen, "n"))
			r->psd = DMARC_PSD_N;
		else if (!dmarc_ascii_is(v, vlen, "u"))
			bad = 1;
		break;
	case T_FO: {
		unsigned fo = fo_value(v, vlen);
		if (fo)
			r->fo = fo;
		else
			bad = 1;
		break;
	}
	case T_RUA:
	case T_RUF: {
		struct dmarc_span *s = t == T_RUA ? &r->rua : &r->ruf;
		s->off = voff;
		s->len = vlen;
		unsigned n = count_uris(v, vlen);
		*(t == T_RUA ? &r->rua_valid : &r->ruf_valid) = n;
		bad = n == 0;
		break;
	}
	case T_PCT: {
		long x = number(v, vlen, 100);
		if (x >= 0) {
			r->pct = (unsigned)x;
			r->has_pct = 1;
		} else {
			bad = 1;
		}
		break;
	}
	case T_RF:
		bad = !dmarc_ascii_is(v, vlen, "afrf") && !dmarc_ascii_is(v, vlen, "iodef");
		break;
	case T_RI: {
		long x = number(v, vlen, 0x7fffffffL);
		if (x >= 0)
			r->ri = (unsigned)x;
		else
			bad = 1;
		break;
	}
	}
	if (bad)
		warn(ps, DMARC_E_BAD_VALUE, voff);
}

enum dmarc_problem dmarc_record_parse(const char *txt, size_t len, unsigned flags,
				      struct dmarc_record *out, enum dmarc_problem *first_warning,
				      size_t *at)
{
	memset(out, 0, sizeof *out);
	out->fo = DMARC_FO_0;
	out->pct = 100;
	out->ri = 86400;
	if (first_warning)
		*first_warning = DMARC_OK;
	if (at)
		*at = 0;
	size_t i = version_end(txt, len);
	if (!i)
		return DMARC_E_NOT_DMARC;
	struct parse ps = {out, first_warning, at, 0};
	/* dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep] */
	while (i < len) {
		size_t j = i;
		while (j < len && txt[j] != ';')
			j++;
		size_t a = i, b = j;
		while (a < b && (is_wsp(txt[a]) || txt[a] == ';'))
			a++;
		while (b > a && is_wsp(txt[b - 1]))
			b--;
		i = j + 1;
		if (a == b)
			continue;  /* ";;" or a final ';' */
		size_t k = a;
		while (k < b && is_alpha(txt[k]))
			k++;
		size_t nend = k;
		while (k < b && is_wsp(txt[k]))
			k++;
		if (nend == a || k >= b || txt[k] != '=') {
			warn(&ps, DMARC_E_SYNTAX, a);
			continue;
		}
		k++;
		while (k < b && is_wsp(txt[k]))
			k++;
		int printable = k < b;
		for (size_t m = k; m < b; m++)
			if ((unsigned char)txt[m] < 0x20 || (unsigned char)txt[m] > 0x7e)
				printable = 0;
		if (!printable) {  /* 1*dmarc-value: printing characters but ';' */
			warn(&ps, DMARC_E_SYNTAX, a);
			continue;
		}
		tag(&ps, txt, a, nend - a, k, b - k, flags);
	}
	return DMARC_OK;
}

int dmarc_record_usable(const struct dmarc_record *r, int *as_none)
{
	int valid_p = r->p == DMARC_P_NONE || r->p == DMARC_P_QUARANTINE || r->p == DMARC_P_REJECT;
	if (as_none)
		*as_none = 0;
	if (valid_p && r->sp != DMARC_P_INVALID && r->np != DMARC_P_INVALID)
		return 1;
	/* RFC 9989 4.10.1 (RFC 7489 6.6.3 step 6): act as p=none when rua=
	 * holds a valid URI, else no DMARC processing */
	if (r->rua_valid) {
		if (as_none)
			*as_none = 1;
		return 1;
	}
	return 0;
}
