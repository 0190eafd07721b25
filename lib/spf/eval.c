/* check_host() of RFC 7208 4, as a machine that asks DNS questions.
 *
 * The evaluation is written as the plain recursive function of the RFC,
 * reading answers from a table the evaluation keeps. When it reaches an
 * answer that is not there yet, it puts the question in the table and
 * stops; spf_next hands the questions out, and when every one is answered
 * the evaluation runs again from the start, over answers it now has. An
 * evaluation asks at most a few dozen questions and each run is a few
 * microseconds, so this costs little and keeps check_host as the RFC reads.
 * Where the next step needs several answers at once (the addresses of an
 * mx term's exchanges, of a ptr term's names), all are asked together. */
#include <stdio.h>
#include <stdlib.h>

#include "spf-int.h"

struct rec {
	char *data;
	size_t len;
	unsigned pref;
};

struct ans {
	uint64_t id;
	enum dns_type type;
	char *name;                /* lower case, no final dot */
	uint32_t hash;
	int state;                 /* 0 to ask, 1 asked, 2 answered */
	enum dns_status status;
	struct rec *recs;
	size_t n;
	/* TXT: its one SPF record parsed, once for every run */
	int parsed;                /* 0 not yet, 1 done */
	struct spf_parsed p;
	enum spf_problem perr;
	const char *why;
	size_t at;
};

struct spf_eval {
	int family;
	uint8_t ip[16];
	enum spf_identity identity;
	char *sender, *helo, *receiver;
	int64_t now;
	struct spf_limits lim;

	struct ans *ans;
	size_t nans, cap, next_ask, outstanding;
	uint64_t next_id;
	int done;

	struct spf_outcome out;
	char domain[256], record_domain[256], mechanism[600], explanation[1024], problem_text[400];
	char mailbox[600], local[300], sender_domain[300];
};

const char *spf_result_name(enum spf_result r)
{
	static const char *const names[] = { "none", "neutral", "pass", "fail", "softfail",
					     "temperror", "permerror" };
	return (unsigned)r < sizeof names / sizeof *names ? names[r] : "permerror";
}

int spf_result_parse(const char *s, size_t len)
{
	for (int r = SPF_NONE; r <= SPF_PERMERROR; r++)
		if (spf_ieq(s, len, spf_result_name((enum spf_result)r)))
			return r;
	return -1;
}

/* ---- the answer table ---------------------------------------------------- */

static uint32_t name_hash(const char *s, size_t n, enum dns_type t)
{
	uint32_t h = 2166136261u ^ (uint32_t)t;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint32_t)spf_lower((unsigned char)s[i])) * 16777619u;
	return h;
}

static void clear_answers(struct spf_eval *e)
{
	for (size_t i = 0; i < e->nans; i++) {
		for (size_t j = 0; j < e->ans[i].n; j++)
			free(e->ans[i].recs[j].data);
		free(e->ans[i].recs);
		free(e->ans[i].name);
		free(e->ans[i].p.terms);
	}
	e->nans = e->next_ask = e->outstanding = 0;
}

enum { R_DONE, R_NEED };

/* What one run of the evaluation knows. */
struct run {
	struct spf_eval *e;
	unsigned terms, voids;
	int need;           /* some answer is missing */
	int nomem, capped;
};

/* The answer for (type, name), or NULL: then it is asked for (r->need). */
static const struct ans *lookup(struct run *r, enum dns_type type, const char *name)
{
	struct spf_eval *e = r->e;
	size_t n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	uint32_t h = name_hash(name, n, type);
	for (size_t i = 0; i < e->nans; i++) {
		struct ans *a = &e->ans[i];
		if (a->hash == h && a->type == type && spf_ieq(name, n, a->name)) {
			if (a->state == 2)
				return a;
			r->need = 1;
			return NULL;
		}
	}
	r->need = 1;
	if (e->nans >= e->lim.queries) {
		r->capped = 1;
		return NULL;
	}
	if (e->nans == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct ans *na = realloc(e->ans, cap * sizeof *na);
		if (!na) {
			r->nomem = 1;
			return NULL;
		}
		e->ans = na;
		e->cap = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy) {
		r->nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		copy[i] = (char)spf_lower((unsigned char)name[i]);
	copy[n] = 0;
	e->ans[e->nans++] = (struct ans){ .id = ++e->next_id, .type = type, .name = copy, .hash = h };
	return NULL;
}

/* ---- results ------------------------------------------------------------- */

struct res {
	enum spf_result result;
	enum spf_problem problem;
	char why[400];
	const struct spf_term *term;   /* the term that matched */
	char record_domain[256];
	int explained;
	char explanation[1024];
};

static int error(struct res *out, enum spf_result result, enum spf_problem p, const char *fmt,
		 const char *arg)
{
	out->result = result;
	out->problem = p;
	snprintf(out->why, sizeof out->why, fmt, arg ? arg : "");
	out->term = NULL;
	return R_DONE;
}

static int temp_dns(struct res *out, const struct ans *a, const char *what)
{
	char why[400];
	snprintf(why, sizeof why, "DNS %s for %s %s",
		 a->status == DNS_TIMEOUT ? "timeout" :
		 a->status == DNS_SERVFAIL ? "server failure" : "error", what, a->name);
	return error(out, SPF_TEMPERROR, SPF_E_DNS, "%s", why);
}

static int result_of(char q)
{
	switch (q) {
	case '-': return SPF_FAIL;
	case '~': return SPF_SOFTFAIL;
	case '?': return SPF_NEUTRAL;
	}
	return SPF_PASS;
}

/* A name we look up: labels of 1 to 63 octets (any octets: DNS allows
 * them, and %_ puts spaces in names), two labels at least. */
static int name_ok(const char *s)
{
	return spf_domain_ok(s, strlen(s), 1);
}

/* 4.3: the <domain> checked is a domain name, not a domain literal or
 * anything else with bytes no host name has. */
static int domain_ok(const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '[' || *c == ']' ||
		    *c == '@')
			return 0;
	return name_ok(s);
}

static void macro_env(struct run *r, const char *domain, const char *validated,
		      struct spf_macro_env *env)
{
	struct spf_eval *e = r->e;
	*env = (struct spf_macro_env){
		.sender = e->mailbox, .local = e->local, .sender_domain = e->sender_domain,
		.domain = domain, .family = e->family, .validated = validated, .helo = e->helo,
		.receiver = e->receiver, .now = e->now,
	};
	memcpy(env->ip, e->ip, 16);
}

/* The addresses (A or AAAA, by the client's family) of a name. */
static enum dns_type addr_type(const struct spf_eval *e) { return e->family == 6 ? DNS_AAAA : DNS_A; }

static int addr_in(const struct spf_eval *e, const struct ans *a, int cidr4, int cidr6)
{
	if (a->status != DNS_OK)
		return 0;
	size_t want = e->family == 6 ? 16 : 4;
	unsigned bits = e->family == 6 ? (unsigned)(cidr6 < 0 ? 128 : cidr6)
				       : (unsigned)(cidr4 < 0 ? 32 : cidr4);
	for (size_t i = 0; i < a->n; i++)
		if (a->recs[i].len == want &&
		    spf_prefix_eq((const uint8_t *)a->recs[i].data, e->ip, bits))
			return 1;
	return 0;
}

static int is_void(const struct ans *a)
{
	return a->status == DNS_NXDOMAIN || a->status == DNS_NODATA ||
	       (a->status == DNS_OK && a->n == 0);
}

static int count_void(struct run *r, struct res *out)
{
	if (++r->voids > r->e->lim.void_lookups)
		return error(out, SPF_PERMERROR, SPF_E_TOO_MANY_VOID,
			     "more than %s void DNS lookups", r->e->lim.void_lookups == 2 ? "2" : "the limit of");
	return -1;
}

/* 5.5: the names of the PTR records of the client's address whose
 * addresses include it. Calls fn for each validated name until fn returns
 * non-zero. R_NEED, or R_DONE with *found. */
static int validated_names(struct run *r, int (*fn)(const char *name, void *ctx), void *ctx,
			   int *found, int *is_void_out)
{
	struct spf_eval *e = r->e;
	char rev[80];
	*found = 0;
	if (is_void_out)
		*is_void_out = 0;
	if (!spf_reverse_name(e->family, e->ip, rev, sizeof rev))
		return R_DONE;
	const struct ans *p = lookup(r, DNS_PTR, rev);
	if (!p)
		return R_NEED;
	if (p->status != DNS_OK) {
		if (is_void_out)
			*is_void_out = is_void(p);
		return R_DONE;
	}
	size_t n = p->n < e->lim.ptr_names ? p->n : e->lim.ptr_names;
	int missing = 0;
	for (size_t i = 0; i < n; i++) {
		if (!name_ok(p->recs[i].data))
			continue;
		if (!lookup(r, addr_type(e), p->recs[i].data))
			missing = 1;
	}
	if (missing)
		return R_NEED;
	for (size_t i = 0; i < n; i++) {
		if (!name_ok(p->recs[i].data))
			continue;
		const struct ans *a = lookup(r, addr_type(e), p->recs[i].data);
		if (a && addr_in(e, a, -1, -1) && fn(p->recs[i].data, ctx)) {
			*found = 1;
			break;
		}
	}
	return R_DONE;
}

/* name is target or a subdomain of it (ASCII case-insensitive) */
static int in_domain(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);
	if (n && name[n - 1] == '.')
		n--;
	if (t && target[t - 1] == '.')
		t--;
	if (n < t)
		return 0;
	if (!spf_ieqn(name + n - t, t, target, t))
		return 0;
	return n == t || name[n - t - 1] == '.';
}

struct pick {
	const char *target;
	char name[256];
	int any;
};

static int pick_target(const char *name, void *ctx)
{
	struct pick *p = ctx;
	if (!p->any) {
		snprintf(p->name, sizeof p->name, "%s", name);
		p->any = 1;
	}
	if (in_domain(name, p->target)) {
		snprintf(p->name, sizeof p->name, "%s", name);
		return 1;
	}
	return 0;
}

/* Expand a domain-spec; the p macro's validated name is found first when
 * the spec uses it. R_NEED, R_DONE with *ok (0: a macro problem, in out). */
static int expand_spec(struct run *r, const char *domain, const char *spec, size_t n,
		       char *name, size_t namelen, struct res *out, int *ok)
{
	struct pick pk = { .target = domain };
	int uses_p = 0;
	for (size_t i = 0; i + 2 < n; i++)
		if (spec[i] == '%' && spec[i + 1] == '{' && spf_lower((unsigned char)spec[i + 2]) == 'p')
			uses_p = 1;
	if (uses_p) {
		int found;
		if (validated_names(r, pick_target, &pk, &found, NULL) == R_NEED)
			return R_NEED;
	}
	struct spf_macro_env env;
	macro_env(r, domain, pk.any ? pk.name : NULL, &env);
	enum spf_problem pr;
	*ok = spf_expand_domain(&env, spec, n, name, namelen, &pr) == 0;
	if (!*ok)
		error(out, SPF_PERMERROR, pr, "%s", pr == SPF_E_DOMAIN ? "a macro that expands to no name"
								       : "bad macro");
	return R_DONE;
}

static int check_host(struct run *r, const char *domain, int depth, struct res *out);

enum { M_NOMATCH, M_MATCH, M_DONE };

/* One mechanism: M_MATCH, M_NOMATCH, or M_DONE with out set (an error);
 * R_NEED is returned as -1. */
static int mechanism(struct run *r, const char *domain, const struct spf_term *t, int depth,
		     struct res *out)
{
	struct spf_eval *e = r->e;
	char target[256];
	snprintf(target, sizeof target, "%s", domain);
	if (t->spec) {
		int ok;
		if (expand_spec(r, domain, t->spec, t->spec_len, target, sizeof target, out, &ok) == R_NEED)
			return -1;
		if (!ok)
			return M_DONE;
	}
	switch (t->kind) {
	case K_ALL:
		return M_MATCH;
	case K_IP4:
		if (e->family != 4)
			return M_NOMATCH;
		return spf_prefix_eq(t->net, e->ip, (unsigned)(t->cidr4 < 0 ? 32 : t->cidr4)) ? M_MATCH : M_NOMATCH;
	case K_IP6:
		if (e->family != 6)
			return M_NOMATCH;
		return spf_prefix_eq(t->net, e->ip, (unsigned)(t->cidr6 < 0 ? 128 : t->cidr6)) ? M_MATCH : M_NOMATCH;
	case K_A:
	case K_EXISTS: {
		if (!name_ok(target))
			return count_void(r, out) == R_DONE ? M_DONE : M_NOMATCH;
		enum dns_type ty = t->kind == K_EXISTS ? DNS_A : addr_type(e);
		const struct ans *a = lookup(r, ty, target);
		if (!a)
			return -1;
		if (dns_temporary(a->status))
			return temp_dns(out, a, ty == DNS_A ? "A" : "AAAA"), M_DONE;
		if (is_void(a))
			return count_void(r, out) == R_DONE ? M_DONE : M_NOMATCH;
		if (t->kind == K_EXISTS)
			return M_MATCH;
		return addr_in(e, a, t->cidr4, t->cidr6) ? M_MATCH : M_NOMATCH;
	}
	case K_MX: {
		if (!name_ok(target))
			return count_void(r, out) == R_DONE ? M_DONE : M_NOMATCH;
		const struct ans *m = lookup(r, DNS_MX, target);
		if (!m)
			return -1;
		if (dns_temporary(m->status))
			return temp_dns(out, m, "MX"), M_DONE;
		if (is_void(m))
			return count_void(r, out) == R_DONE ? M_DONE : M_NOMATCH;
		if (m->n > e->lim.mx_names)
			return error(out, SPF_PERMERROR, SPF_E_TOO_MANY_NAMES,
				     "more than 10 MX names for %s", target), M_DONE;
		int missing = 0;
		for (size_t i = 0; i < m->n; i++)
			if (m->recs[i].len && !lookup(r, addr_type(e), m->recs[i].data))
				missing = 1;
		if (missing)
			return -1;
		for (size_t i = 0; i < m->n; i++) {
			if (!m->recs[i].len)
				continue;   /* RFC 7505 null MX */
			const struct ans *a = lookup(r, addr_type(e), m->recs[i].data);
			if (dns_temporary(a->status))
				return temp_dns(out, a, e->family == 6 ? "AAAA" : "A"), M_DONE;
			if (addr_in(e, a, t->cidr4, t->cidr6))
				return M_MATCH;
		}
		return M_NOMATCH;
	}
	case K_PTR: {
		struct pick pk = { .target = target };
		int found, v;
		if (validated_names(r, pick_target, &pk, &found, &v) == R_NEED)
			return -1;
		if (v && count_void(r, out) == R_DONE)
			return M_DONE;
		return found ? M_MATCH : M_NOMATCH;
	}
	case K_INCLUDE: {
		if (!name_ok(target))
			return error(out, SPF_PERMERROR, SPF_E_DOMAIN, "include of a bad name %s", target), M_DONE;
		struct res sub;
		if (check_host(r, target, depth + 1, &sub) == R_NEED)
			return -1;
		switch (sub.result) {
		case SPF_PASS:
			return M_MATCH;
		case SPF_FAIL:
		case SPF_SOFTFAIL:
		case SPF_NEUTRAL:
			return M_NOMATCH;
		case SPF_NONE:
			return error(out, SPF_PERMERROR, SPF_E_INCLUDE_NONE,
				     "include of %s, which has no SPF record", target), M_DONE;
		default:
			*out = sub;
			return M_DONE;
		}
	}
	default:
		return M_NOMATCH;
	}
}

/* 6.2: the explanation of a fail, from exp= of the record (any problem:
 * none, and the default is used). R_NEED or R_DONE. */
static int explain(struct run *r, const char *domain, const struct spf_parsed *p, struct res *out)
{
	if (p->exp < 0)
		return R_DONE;
	const struct spf_term *t = &p->terms[p->exp];
	char name[256];
	int ok;
	struct res scratch;
	if (expand_spec(r, domain, t->spec, t->spec_len, name, sizeof name, &scratch, &ok) == R_NEED)
		return R_NEED;
	if (!ok || !name_ok(name))
		return R_DONE;
	const struct ans *a = lookup(r, DNS_TXT, name);
	if (!a)
		return R_NEED;
	if (a->status != DNS_OK || a->n != 1)
		return R_DONE;
	/* the explain-string may use %{p} */
	struct pick pk = { .target = domain };
	const char *s = a->recs[0].data;
	size_t n = a->recs[0].len;
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == '%' && s[i + 1] == '{' && spf_lower((unsigned char)s[i + 2]) == 'p') {
			int found;
			if (validated_names(r, pick_target, &pk, &found, NULL) == R_NEED)
				return R_NEED;
			break;
		}
	struct spf_macro_env env;
	macro_env(r, domain, pk.any ? pk.name : NULL, &env);
	enum spf_problem pr;
	char text[sizeof out->explanation];
	if (spf_expand(&env, s, n, 1, text, sizeof text, &pr) < 0)
		return R_DONE;
	for (char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return R_DONE;   /* not ASCII: ignored like a syntax error */
	memcpy(out->explanation, text, sizeof text);
	out->explained = 1;
	return R_DONE;
}

static int counts_dns(enum spf_kind k)
{
	return k == K_INCLUDE || k == K_A || k == K_MX || k == K_PTR || k == K_EXISTS;
}

static int check_record(struct run *r, const char *domain, int depth, struct ans *a,
			const struct rec *rec, struct res *out)
{
	const char *txt = rec->data;
	size_t len = rec->len;
	if (!a->parsed) {
		a->perr = spf_parse(txt, len, &a->p, &a->why, &a->at);
		a->parsed = a->perr != SPF_E_NOMEM;
	}
	const struct spf_parsed *pp = &a->p;
	enum spf_problem pr = a->perr;
	const char *why = a->why;
	size_t at = a->at;
	int rc = R_DONE;
	if (pr != SPF_OK) {
		char buf[300];
		size_t tl = 0;
		while (at + tl < len && txt[at + tl] != ' ' && tl < 100)
			tl++;
		snprintf(buf, sizeof buf, "%s in the record of %s at \"%.*s\"", why, domain, (int)tl, txt + at);
		error(out, pr == SPF_E_NOMEM ? SPF_TEMPERROR : SPF_PERMERROR, pr, "%s", buf);
		goto done;
	}
	for (size_t i = 0; i < pp->n; i++) {
		const struct spf_term *t = &pp->terms[i];
		if (t->kind >= K_REDIRECT)
			continue;
		if (counts_dns(t->kind) && ++r->terms > r->e->lim.dns_terms) {
			error(out, SPF_PERMERROR, SPF_E_TOO_MANY_TERMS, "more than 10 DNS lookups%s", "");
			goto done;
		}
		int m = mechanism(r, domain, t, depth, out);
		if (m < 0) {
			rc = R_NEED;
			goto done;
		}
		if (m == M_DONE)
			goto done;
		if (m == M_MATCH) {
			out->result = (enum spf_result)result_of(t->qualifier);
			out->problem = SPF_OK;
			out->why[0] = 0;
			out->term = NULL;
			snprintf(out->why, sizeof out->why, "%.*s", (int)t->text_len, t->text);
			snprintf(out->record_domain, sizeof out->record_domain, "%s", domain);
			out->explained = 0;
			if (out->result == SPF_FAIL)
				rc = explain(r, domain, pp, out);
			goto done;
		}
	}
	if (pp->redirect >= 0) {
		/* 6.1: only when no mechanism matched; the redirect counts */
		if (++r->terms > r->e->lim.dns_terms) {
			error(out, SPF_PERMERROR, SPF_E_TOO_MANY_TERMS, "more than 10 DNS lookups%s", "");
			goto done;
		}
		const struct spf_term *t = &pp->terms[pp->redirect];
		char target[256];
		int ok;
		if (expand_spec(r, domain, t->spec, t->spec_len, target, sizeof target, out, &ok) == R_NEED) {
			rc = R_NEED;
			goto done;
		}
		if (!ok)
			goto done;
		if (!name_ok(target)) {
			error(out, SPF_PERMERROR, SPF_E_REDIRECT_NONE, "redirect to a bad name %s", target);
			goto done;
		}
		rc = check_host(r, target, depth + 1, out);
		if (rc == R_DONE && out->result == SPF_NONE)
			error(out, SPF_PERMERROR, SPF_E_REDIRECT_NONE,
			      "redirect to %s, which has no SPF record", target);
		goto done;
	}
	out->result = SPF_NEUTRAL;
	out->problem = SPF_OK;
	snprintf(out->why, sizeof out->why, "default");
	snprintf(out->record_domain, sizeof out->record_domain, "%s", domain);
done:
	return rc;
}

/* 4: check_host(<ip>, <domain>, <sender>) */
static int check_host(struct run *r, const char *domain, int depth, struct res *out)
{
	if (depth > 32)
		return error(out, SPF_PERMERROR, SPF_E_TOO_MANY_TERMS, "includes nested too deep%s", "");
	struct ans *a = (struct ans *)lookup(r, DNS_TXT, domain);
	if (!a)
		return R_NEED;
	if (dns_temporary(a->status))
		return temp_dns(out, a, "TXT"), R_DONE;
	const struct rec *rec = NULL;
	size_t nrec = 0;
	if (a->status == DNS_OK)
		for (size_t i = 0; i < a->n; i++)
			if (spf_is_record(a->recs[i].data, a->recs[i].len)) {
				rec = &a->recs[i];
				nrec++;
			}
	if (nrec == 0) {
		error(out, SPF_NONE, SPF_OK, "no SPF record for %s", domain);
		return R_DONE;
	}
	if (nrec > 1)
		return error(out, SPF_PERMERROR, SPF_E_MULTIPLE, "more than one SPF record for %s", domain);
	return check_record(r, domain, depth, a, rec, out);
}

/* ---- the machine --------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *c = malloc(n);
	if (c)
		memcpy(c, s, n);
	return c;
}

static const struct spf_limits default_limits = { 10, 2, 10, 10, 256 };

struct spf_eval *spf_eval_new(const struct spf_request *req, const struct spf_limits *lim)
{
	struct spf_eval *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->lim = lim ? *lim : default_limits;
	if (spf_eval_reset(e, req) < 0) {
		spf_eval_free(e);
		return NULL;
	}
	return e;
}

void spf_eval_free(struct spf_eval *e)
{
	if (!e)
		return;
	clear_answers(e);
	free(e->ans);
	free(e->sender);
	free(e->helo);
	free(e->receiver);
	free(e);
}

int spf_eval_reset(struct spf_eval *e, const struct spf_request *req)
{
	clear_answers(e);
	free(e->sender);
	free(e->helo);
	free(e->receiver);
	e->sender = e->helo = e->receiver = NULL;
	e->done = 0;
	memset(&e->out, 0, sizeof e->out);
	e->family = req->family == 6 ? 6 : 4;
	memset(e->ip, 0, sizeof e->ip);
	memcpy(e->ip, req->ip, e->family == 6 ? 16 : 4);
	/* 5: an IPv4-mapped IPv6 address is the IPv4 address it holds */
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (e->family == 6 && memcmp(e->ip, mapped, 12) == 0) {
		memmove(e->ip, e->ip + 12, 4);
		memset(e->ip + 4, 0, 12);
		e->family = 4;
	}
	e->now = req->now;
	e->sender = dup_or_null(req->sender && *req->sender ? req->sender : NULL);
	e->helo = dup_or_null(req->helo);
	e->receiver = dup_or_null(req->receiver ? req->receiver : "unknown");
	if ((req->sender && *req->sender && !e->sender) || (req->helo && !e->helo) || !e->receiver)
		return -1;
	e->identity = req->identity == SPF_HELO || !e->sender ? SPF_HELO : SPF_MAILFROM;
	/* 4.3: the local part is "postmaster" when there is none; the HELO
	 * identity is checked as postmaster@helo */
	const char *at = NULL;
	if (e->identity == SPF_MAILFROM) {
		at = strrchr(e->sender, '@');
		const char *dom = at ? at + 1 : e->sender;
		size_t ll = at ? (size_t)(at - e->sender) : 0;
		if (ll >= sizeof e->local)
			ll = sizeof e->local - 1;
		memcpy(e->local, e->sender, ll);
		e->local[ll] = 0;
		snprintf(e->sender_domain, sizeof e->sender_domain, "%s", dom);
	} else {
		snprintf(e->local, sizeof e->local, "postmaster");
		snprintf(e->sender_domain, sizeof e->sender_domain, "%s", e->helo ? e->helo : "");
	}
	snprintf(e->mailbox, sizeof e->mailbox, "%s@%s", *e->local ? e->local : "postmaster",
		 e->sender_domain);
	/* a name too long for a domain stays too long (never cut to fit) */
	size_t dl = strlen(e->sender_domain);
	if (dl >= sizeof e->domain)
		dl = 0;
	memcpy(e->domain, e->sender_domain, dl);
	e->domain[dl] = 0;
	if (dl && e->domain[dl - 1] == '.')
		e->domain[dl - 1] = 0;
	return 0;
}

static void finish(struct spf_eval *e, struct run *r, const struct res *res)
{
	struct spf_outcome *o = &e->out;
	o->result = res->result;
	o->identity = e->identity;
	o->domain = e->domain;
	o->problem = res->problem;
	o->dns_terms = r->terms;
	o->void_lookups = r->voids;
	o->queries = (unsigned)e->nans;
	o->mechanism = o->record_domain = o->explanation = o->problem_text = NULL;
	if (res->result == SPF_TEMPERROR || res->result == SPF_PERMERROR ||
	    (res->result == SPF_NONE)) {
		snprintf(e->problem_text, sizeof e->problem_text, "%s", res->why);
		o->problem_text = e->problem_text;
	} else {
		snprintf(e->mechanism, sizeof e->mechanism, "%s", res->why);
		snprintf(e->record_domain, sizeof e->record_domain, "%s", res->record_domain);
		o->mechanism = e->mechanism;
		o->record_domain = e->record_domain;
	}
	if (res->result == SPF_FAIL) {
		if (res->explained)
			snprintf(e->explanation, sizeof e->explanation, "%s", res->explanation);
		else {
			char ip[64];
			spf_ip_text(e->family, e->ip, ip, sizeof ip);
			snprintf(e->explanation, sizeof e->explanation,
				 "%s is not allowed to send mail for %s", ip, e->domain);
		}
		o->explanation = e->explanation;
	}
	e->done = 1;
}

static void run(struct spf_eval *e)
{
	struct run r = { .e = e };
	struct res res = { 0 };
	if (!domain_ok(e->domain)) {
		/* 4.3: a malformed or single-label domain gives none */
		error(&res, SPF_NONE, SPF_OK, "%s is not a domain name", e->domain);
		finish(e, &r, &res);
		return;
	}
	int rc = check_host(&r, e->domain, 0, &res);
	if (r.nomem) {
		error(&res, SPF_TEMPERROR, SPF_E_NOMEM, "out of memory%s", "");
	} else if (r.capped) {
		error(&res, SPF_PERMERROR, SPF_E_QUERIES, "more DNS questions than the limit%s", "");
	} else if (rc == R_NEED) {
		return;
	}
	finish(e, &r, &res);
}

enum spf_step spf_next(struct spf_eval *e, struct dns_question *q)
{
	for (;;) {
		if (e->done)
			return SPF_DONE;
		while (e->next_ask < e->nans) {
			struct ans *a = &e->ans[e->next_ask++];
			if (a->state != 0)
				continue;
			a->state = 1;
			e->outstanding++;
			q->id = a->id;
			q->type = a->type;
			snprintf(q->name, sizeof q->name, "%s", a->name);
			return SPF_QUERY;
		}
		if (e->outstanding)
			return SPF_WAIT;
		size_t before = e->nans;
		run(e);
		if (!e->done && e->nans == before) {
			/* nothing new to ask and not done: cannot happen; stop */
			struct run r = { .e = e };
			struct res res;
			error(&res, SPF_TEMPERROR, SPF_E_DNS, "evaluation stalled%s", "");
			finish(e, &r, &res);
		}
	}
}

void spf_answer(struct spf_eval *e, const struct dns_answer *a)
{
	for (size_t i = 0; i < e->nans; i++) {
		struct ans *x = &e->ans[i];
		if (x->id != a->id || x->state != 1)
			continue;
		x->state = 2;
		e->outstanding--;
		x->status = a->status;
		if (a->status != DNS_OK || a->count == 0) {
			if (a->status == DNS_OK)
				x->status = DNS_NODATA;
			return;
		}
		x->recs = calloc(a->count, sizeof *x->recs);
		if (!x->recs) {
			x->status = DNS_ERROR;
			return;
		}
		for (size_t j = 0; j < a->count; j++) {
			const struct dns_record *d = &a->records[j];
			size_t len = d->len;
			/* names: no final dot */
			if ((x->type == DNS_MX || x->type == DNS_PTR) && len && d->data[len - 1] == '.')
				len--;
			char *c = malloc(len + 1);
			if (!c) {
				x->status = DNS_ERROR;
				return;
			}
			memcpy(c, d->data, len);
			c[len] = 0;
			x->recs[x->n++] = (struct rec){ c, len, d->preference };
		}
		return;
	}
}

const struct spf_outcome *spf_outcome(const struct spf_eval *e)
{
	return &e->out;
}
