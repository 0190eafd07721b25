/* DMARC evaluation (RFC 9989 5.3.2; RFC 7489 6.6 in 7489 mode): policy
 * discovery for the author domain, the organizational domains relaxed
 * alignment needs, alignment, the policy and the disposition. */
#include "walk-int.h"

#include <stdlib.h>
#include <string.h>

static int is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

#define MAX_IDS 9          /* identifier walks: SPF and up to 8 DKIM domains */
#define EXIST_ID 0xffffffu  /* the author domain's existence (np=) */

enum state { S_START, S_AUTHOR, S_AUTHOR_WALK, S_IDS, S_DONE };

struct ident {
	char *domain;          /* A-label, lowercase */
	char *selector;
	char *org;             /* 7489: from the PSL */
	enum dmarc_auth result;
	int walk;              /* index into ids[], -1: none needed */
};

struct dmarc_eval {
	enum state state;
	unsigned flags;
	const psl_ctx_t *psl;
	unsigned random;
	char *from;                    /* A-label; NULL: no author */
	enum dmarc_problem author_problem;
	char *author_reason;
	struct ident spf;
	int spf_helo;
	struct ident *dkim;
	size_t ndkim;
	struct dmarc_walk author;
	int author_walk;               /* author is initialised */
	struct dmarc_walk ids[MAX_IDS];
	size_t nids;
	int exist_asked;               /* 0 no, 1 due, 2 asked, 3 answered */
	int nonexistent;
	int exist_temp;                /* the existence question failed */
	int need_org;
	int policy_level;              /* in author.lv, -1: none */
	char *org7489;
	struct dmarc_outcome out;
	/* several author domains: one evaluation each (RFC 9989 11.5) */
	struct dmarc_eval **kids;
	size_t nkids;
	int several;
};

/* A name of LDH labels (and '_'), 1 to 63 octets each, 253 in all. */
static int is_name(const char *d, size_t n)
{
	size_t label = 0;
	if (!n || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)d[i];
		if (c == '.') {
			if (!label)
				return 0;
			label = 0;
			continue;
		}
		if (!is_ldh(c) && c != '_')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

/* A domain as an A-label, lowercased, without a final dot; NULL when it
 * is not a name (*bad set) or memory ran out. */
static char *alabel(const char *d, int *bad)
{
	struct mime_buf b = {0};
	struct mime_addr_error err = {0};
	size_t n = strlen(d);
	if (n && d[n - 1] == '.')
		n--;
	enum mime_status st = n ? mime_domain_to_ascii(d, n, &b, &err) : MIME_EINVAL;
	if (st == MIME_ENOMEM)
		return NULL;
	if (st || !is_name(b.data, b.len)) {
		mime_buf_free(&b);
		*bad = 1;
		return NULL;
	}
	mime_ascii_lower_n(b.data, b.len);
	return b.data;
}

static char *dup_or_null(const char *s, int *oom)
{
	if (!s)
		return NULL;
	char *c = strdup(s);
	if (!c)
		*oom = 1;
	return c;
}

static void finish(struct dmarc_eval *e, enum dmarc_result r, enum dmarc_problem p, const char *why)
{
	e->out.result = r;
	e->out.problem = p;
	if (e->out.policy == DMARC_P_UNSET)
		e->out.policy = DMARC_P_NONE;
	if (e->out.disposition == DMARC_P_UNSET)
		e->out.disposition = DMARC_P_NONE;
	e->out.problem_text = why ? why : dmarc_problem_text(p);
	e->state = S_DONE;
}

/* The identity SPF checked: MAIL FROM's domain, or HELO for a null
 * sender (RFC 9989 4.4.2 and RFC 7208 2.4). */
static const char *spf_identity(const struct dmarc_request *req, int *helo)
{
	const char *mf = req->mail_from;
	if (mf && *mf) {
		const char *at = strrchr(mf, '@');
		*helo = 0;
		return at ? at + 1 : mf;
	}
	*helo = 1;
	return req->helo;
}

static struct dmarc_eval *several_new(const struct dmarc_request *req)
{
	struct dmarc_eval *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->out.from_domain = "";
	e->policy_level = -1;
	e->spf.walk = -1;
	e->several = 1;
	if (req->nfrom > DMARC_MAX_AUTHORS) {
		e->author_problem = DMARC_E_FROM_DOMAINS;
		e->out.nauthors = req->nfrom;
		return e;  /* permerror: not every domain can be checked */
	}
	if (!(e->kids = calloc(req->nfrom, sizeof *e->kids))) {
		free(e);
		return NULL;
	}
	for (size_t i = 0; i < req->nfrom; i++) {
		struct dmarc_request one = *req;
		one.from_domain = req->from_domains[i];
		one.from_domains = NULL;
		one.nfrom = 0;
		if (!(e->kids[e->nkids++] = dmarc_eval_new(&one))) {
			dmarc_eval_free(e);
			return NULL;
		}
	}
	return e;
}

struct dmarc_eval *dmarc_eval_new(const struct dmarc_request *req)
{
	if (req->nfrom > 1 && !req->author_problem)
		return several_new(req);
	struct dmarc_eval *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->out.nauthors = 1;
	int oom = 0, bad = 0;
	e->flags = req->flags;
	e->psl = req->psl;
	e->random = req->random;
	e->policy_level = -1;
	e->spf.walk = -1;
	e->out.from_domain = "";
	e->author_problem = req->author_problem;
	e->author_reason = dup_or_null(req->author_reason, &oom);
	const char *from = req->from_domain;
	if (!from && req->nfrom == 1)
		from = req->from_domains[0];
	if (from && !req->author_problem) {
		e->from = alabel(from, &bad);
		if (!e->from && !bad)
			oom = 1;
		if (bad)
			e->author_problem = DMARC_E_DOMAIN;
	} else if (!req->author_problem) {
		e->author_problem = DMARC_E_NO_AUTHOR;
	}
	const char *sd = spf_identity(req, &e->spf_helo);
	e->spf.result = req->spf;
	if (sd && *sd) {
		bad = 0;
		e->spf.domain = alabel(sd, &bad);
		if (!e->spf.domain && !bad)
			oom = 1;
		if (bad)  /* not a name: it cannot align */
			e->spf.result = e->spf.result == DMARC_AUTH_PASS ? DMARC_AUTH_NONE : e->spf.result;
	}
	if (!e->spf.domain && e->spf.result == DMARC_AUTH_PASS)
		e->spf.result = DMARC_AUTH_NONE;  /* no domain: nothing to align */
	if (req->ndkim && !(e->dkim = calloc(req->ndkim, sizeof *e->dkim)))
		oom = 1;
	for (size_t i = 0; i < req->ndkim && !oom; i++) {
		struct ident *d = &e->dkim[e->ndkim++];
		d->walk = -1;
		d->result = req->dkim[i].result;
		d->selector = dup_or_null(req->dkim[i].selector, &oom);
		if (req->dkim[i].domain) {
			bad = 0;
			d->domain = alabel(req->dkim[i].domain, &bad);
			if (!d->domain && !bad)
				oom = 1;
		}
		if (!d->domain && d->result == DMARC_AUTH_PASS)
			d->result = DMARC_AUTH_NONE;
	}
	if (oom) {
		dmarc_eval_free(e);
		return NULL;
	}
	e->out.spf_domain = e->spf.domain;
	e->out.spf_helo = e->spf_helo;
	return e;
}

void dmarc_eval_free(struct dmarc_eval *e)
{
	if (!e)
		return;
	free(e->from);
	free(e->author_reason);
	free(e->spf.domain);
	free(e->spf.org);
	for (size_t i = 0; i < e->ndkim; i++) {
		free(e->dkim[i].domain);
		free(e->dkim[i].selector);
		free(e->dkim[i].org);
	}
	free(e->dkim);
	if (e->author_walk)
		dmarc_walk_free(&e->author);
	for (size_t i = 0; i < e->nids; i++)
		dmarc_walk_free(&e->ids[i]);
	free(e->org7489);
	for (size_t i = 0; i < e->nkids; i++)
		dmarc_eval_free(e->kids[i]);
	free(e->kids);
	free(e);
}

const struct dmarc_outcome *dmarc_outcome(const struct dmarc_eval *e)
{
	return &e->out;
}

const struct dmarc_outcome *dmarc_outcome_at(const struct dmarc_eval *e, size_t i)
{
	if (!e->kids)
		return i == 0 ? &e->out : NULL;
	return i < e->nkids ? &e->kids[i]->out : NULL;
}

/* RFC 9989 11.5: each author domain evaluated, the strictest policy among
 * those that fail applies; the evaluation passes only when nothing fails
 * and nothing could not be checked. Which one decides: a failure (the
 * strictest disposition, then policy), else a temperror, a permerror, a
 * pass, a none. */
static int rank(const struct dmarc_outcome *o)
{
	switch (o->result) {
	case DMARC_FAIL: return 100 + 10 * (int)o->disposition + (int)o->policy;
	case DMARC_TEMPERROR: return 50;
	case DMARC_PERMERROR: return 40;
	case DMARC_PASS: return 20;
	case DMARC_NONE: return 10;
	}
	return 0;
}

static void combine(struct dmarc_eval *e)
{
	size_t best = 0;
	unsigned queries = 0;
	for (size_t i = 0; i < e->nkids; i++) {
		queries += e->kids[i]->out.queries;
		if (rank(&e->kids[i]->out) > rank(&e->kids[best]->out))
			best = i;
	}
	e->out = e->kids[best]->out;
	e->out.queries = queries;
	e->out.nauthors = e->nkids;
	e->state = S_DONE;
}

static enum dmarc_step several_next(struct dmarc_eval *e, struct dns_question *q)
{
	if (e->state == S_DONE)
		return DMARC_DONE;
	if (!e->kids) {
		finish(e, DMARC_PERMERROR, DMARC_E_FROM_DOMAINS, "more From domains than are checked");
		return DMARC_DONE;
	}
	int waiting = 0;
	for (size_t i = 0; i < e->nkids; i++) {
		enum dmarc_step s = dmarc_next(e->kids[i], q);
		if (s == DMARC_QUERY) {
			q->id |= (uint64_t)(i + 1) << 32;
			return DMARC_QUERY;
		}
		waiting |= s == DMARC_WAIT;
	}
	if (waiting)
		return DMARC_WAIT;
	combine(e);
	return DMARC_DONE;
}

/* ---- the steps ------------------------------------------------------------- */

static int rfc7489(const struct dmarc_eval *e) { return e->flags & DMARC_RFC7489; }

static void start(struct dmarc_eval *e)
{
	if (e->author_problem) {
		e->out.from_domain = e->from ? e->from : "";
		if (e->author_problem == DMARC_E_FROM_DOMAINS)  /* RFC 9989 5.3.1: not possible */
			finish(e, DMARC_NONE, e->author_problem, e->author_reason);
		else
			finish(e, DMARC_PERMERROR, e->author_problem, e->author_reason);
		return;
	}
	e->out.from_domain = e->from;
	if (dmarc_walk_init(&e->author, e->from, e->flags, 0)) {
		finish(e, DMARC_TEMPERROR, DMARC_E_NOMEM, NULL);
		return;
	}
	e->author_walk = 1;
	if (rfc7489(e)) {
		/* RFC 7489 6.6.3: the author domain, then its organizational
		 * domain from the public suffix list */
		struct mime_buf org = {0};
		if (dmarc_psl_org_domain(e->psl, e->from, &org)) {
			finish(e, DMARC_TEMPERROR, DMARC_E_NOMEM, NULL);
			return;
		}
		e->org7489 = org.data;
		e->author.targets[0] = e->author.domain;
		e->author.n = 1;
		if (!dmarc_domain_eq(e->org7489, e->from))
			e->author.targets[e->author.n++] =
				dmarc_last_labels(e->author.domain, dmarc_labels(e->org7489));
	}
	dmarc_walk_want(&e->author, 1);
	e->state = S_AUTHOR;
}

/* Does relaxed alignment of some passing identifier need organizational
 * domains? (RFC 9989 4.10.2's note: not when every one is the author
 * domain, nor under strict alignment.) */
static int needs_org(const struct dmarc_eval *e, const struct dmarc_record *r)
{
	if (e->spf.result == DMARC_AUTH_PASS && r->aspf == DMARC_RELAXED &&
	    !dmarc_domain_eq(e->spf.domain, e->from))
		return 1;
	for (size_t i = 0; i < e->ndkim; i++)
		if (e->dkim[i].result == DMARC_AUTH_PASS && r->adkim == DMARC_RELAXED &&
		    !dmarc_domain_eq(e->dkim[i].domain, e->from))
			return 1;
	return 0;
}

static int aligned_strictly(const struct dmarc_eval *e)
{
	if (e->spf.result == DMARC_AUTH_PASS && dmarc_domain_eq(e->spf.domain, e->from))
		return 1;
	for (size_t i = 0; i < e->ndkim; i++)
		if (e->dkim[i].result == DMARC_AUTH_PASS && dmarc_domain_eq(e->dkim[i].domain, e->from))
			return 1;
	return 0;
}

/* The policy record is chosen: take it, or stop with none. */
static int use_policy(struct dmarc_eval *e, int level)
{
	const struct dmarc_level *l = &e->author.lv[level];
	int as_none = 0;
	if (!dmarc_record_usable(&l->rec, &as_none)) {
		e->out.policy_domain = e->author.targets[level];
		finish(e, DMARC_NONE, DMARC_E_NO_POLICY, NULL);
		return 0;
	}
	e->policy_level = level;
	e->out.as_none = as_none;
	e->out.record = &l->rec;
	e->out.record_text = l->text;
	e->out.policy_domain = e->author.targets[level];
	e->out.testing = l->rec.testing;
	return 1;
}

/* Identifier walks for relaxed alignment: the passing ones whose domain is
 * not the author's (one walk per distinct domain). */
static int walk_for(struct dmarc_eval *e, struct ident *id)
{
	for (size_t k = 0; k < e->nids; k++)
		if (dmarc_domain_eq(e->ids[k].domain, id->domain)) {
			id->walk = (int)k;
			return 0;
		}
	if (e->nids == MAX_IDS)
		return 0;  /* left unaligned */
	struct dmarc_walk *w = &e->ids[e->nids];
	if (dmarc_walk_init(w, id->domain, e->flags, (unsigned)e->nids + 1))
		return -1;
	dmarc_walk_want(w, DMARC_WALK_MAX);
	id->walk = (int)e->nids++;
	return 0;
}

static void start_ids(struct dmarc_eval *e)
{
	const struct dmarc_record *r = e->out.record;
	e->state = S_IDS;
	if (rfc7489(e) || aligned_strictly(e))
		return;  /* 7489: the PSL, no DNS; or a pass already */
	int fail = 0;
	if (e->spf.result == DMARC_AUTH_PASS && r->aspf == DMARC_RELAXED &&
	    !dmarc_domain_eq(e->spf.domain, e->from))
		fail |= walk_for(e, &e->spf);
	for (size_t i = 0; i < e->ndkim; i++)
		if (e->dkim[i].result == DMARC_AUTH_PASS && r->adkim == DMARC_RELAXED &&
		    !dmarc_domain_eq(e->dkim[i].domain, e->from))
			fail |= walk_for(e, &e->dkim[i]);
	if (fail)
		finish(e, DMARC_TEMPERROR, DMARC_E_NOMEM, NULL);
}

static void author_first(struct dmarc_eval *e)
{
	struct dmarc_level *l0 = &e->author.lv[0];
	if (l0->temp) {
		finish(e, DMARC_TEMPERROR, DMARC_E_DNS, "DNS failure for the author domain's record");
		return;
	}
	if (rfc7489(e)) {
		if (l0->has) {
			if (use_policy(e, 0))
				start_ids(e);
			return;
		}
		if (e->author.n < 2) {
			finish(e, DMARC_NONE, DMARC_OK, l0->multiple ? dmarc_problem_text(DMARC_E_MULTIPLE)
								   : "no DMARC record");
			return;
		}
		dmarc_walk_want(&e->author, 2);
		e->state = S_AUTHOR_WALK;
		return;
	}
	if (l0->has) {
		if (!use_policy(e, 0))
			return;
		/* psd=n or psd=y there: the walk stops, the author domain is its
		 * own organizational domain (4.10.2 rules 1 and 3) */
		if (l0->rec.psd != DMARC_PSD_U || !needs_org(e, &l0->rec) || aligned_strictly(e)) {
			e->out.org_domain = e->author.domain;
			start_ids(e);
			return;
		}
		e->need_org = 1;
	} else {
		e->exist_asked = 1;  /* np= may apply */
	}
	dmarc_walk_want(&e->author, DMARC_WALK_MAX);
	e->state = S_AUTHOR_WALK;
}

static void author_rest(struct dmarc_eval *e)
{
	if (rfc7489(e)) {
		struct dmarc_level *l1 = &e->author.lv[1];
		e->out.org_domain = e->author.targets[1];
		if (l1->temp) {
			finish(e, DMARC_TEMPERROR, DMARC_E_DNS, "DNS failure for the organizational domain's record");
			return;
		}
		if (!l1->has) {
			finish(e, DMARC_NONE, DMARC_OK, "no DMARC record");
			return;
		}
		if (use_policy(e, 1))
			start_ids(e);
		return;
	}
	int r = dmarc_walk_org(&e->author);
	if (r > 0) {
		finish(e, DMARC_TEMPERROR, DMARC_E_NOMEM, NULL);
		return;
	}
	if (r == 0)
		e->out.org_domain = e->author.org;
	if (e->policy_level >= 0) {  /* the author domain's own record */
		start_ids(e);
		return;
	}
	if (r < 0) {
		finish(e, DMARC_TEMPERROR, DMARC_E_DNS, "DNS failure in the DNS Tree Walk");
		return;
	}
	/* RFC 9989 4.10.1: the organizational domain's record, else the
	 * public suffix domain's */
	int lv = dmarc_walk_level_of(&e->author, e->author.org);
	size_t stop = dmarc_walk_stop(&e->author);
	if (lv < 0 || !e->author.lv[lv].has || (size_t)lv >= stop) {
		lv = -1;
		for (size_t i = 1; i < stop; i++)
			if (e->author.lv[i].has && e->author.lv[i].rec.psd == DMARC_PSD_Y)
				lv = (int)i;
	}
	if (lv < 0) {
		finish(e, DMARC_NONE, DMARC_OK, "no DMARC record");
		return;
	}
	if (use_policy(e, lv))
		start_ids(e);
}

/* ---- the verdict ------------------------------------------------------------ */

static enum dmarc_policy lower(enum dmarc_policy p)
{
	return p == DMARC_P_REJECT ? DMARC_P_QUARANTINE : DMARC_P_NONE;
}

/* An identifier's organizational domain: NULL when unknown (DNS). */
static const char *org_of(struct dmarc_eval *e, struct ident *id, int *temp)
{
	if (rfc7489(e)) {
		if (!id->org) {
			struct mime_buf b = {0};
			if (dmarc_psl_org_domain(e->psl, id->domain, &b))
				return NULL;
			id->org = b.data;
		}
		return id->org;
	}
	if (id->walk < 0)
		return NULL;
	struct dmarc_walk *w = &e->ids[id->walk];
	if (!w->org && !w->org_temp && dmarc_walk_org(w) != 0)
		*temp = 1;
	if (w->org_temp)
		*temp = 1;
	return w->org;
}

static int align_one(struct dmarc_eval *e, struct ident *id, enum dmarc_align mode,
		     const char *from_org, int *temp)
{
	if (id->result != DMARC_AUTH_PASS || !id->domain)
		return 0;
	if (dmarc_domain_eq(id->domain, e->from))
		return 1;
	if (mode == DMARC_STRICT)
		return 0;
	int t = 0;
	const char *org = org_of(e, id, &t);
	if (!org || !from_org) {
		if (t || !from_org)
			*temp = 1;
		return 0;
	}
	return dmarc_domain_eq(org, from_org);
}

static void verdict(struct dmarc_eval *e)
{
	const struct dmarc_record *r = e->out.record;
	const char *from_org = e->out.org_domain;
	if (rfc7489(e)) {
		from_org = e->org7489;
		e->out.org_domain = e->org7489;
	}
	int temp = 0;
	e->out.spf_domain = e->spf.domain;
	e->out.spf_helo = e->spf_helo;
	e->out.spf_aligned = align_one(e, &e->spf, r->aspf, from_org, &temp);
	for (size_t i = 0; i < e->ndkim; i++)
		if (align_one(e, &e->dkim[i], r->adkim, from_org, &temp) && !e->out.dkim_aligned) {
			e->out.dkim_aligned = 1;
			e->out.dkim_domain = e->dkim[i].domain;
			e->out.dkim_selector = e->dkim[i].selector;
		}
	/* the policy: p= at the author domain; sp= (np= for a name that does
	 * not exist) above it, p= when they are absent (RFC 9989 4.10.1) */
	enum dmarc_policy p = r->p;
	e->out.policy_tag = DMARC_TAG_P;
	if (!dmarc_domain_eq(e->out.policy_domain, e->from)) {
		if (!rfc7489(e) && e->nonexistent && r->np != DMARC_P_UNSET) {
			p = r->np;
			e->out.policy_tag = DMARC_TAG_NP;
		} else if (r->sp != DMARC_P_UNSET) {
			p = r->sp;
			e->out.policy_tag = DMARC_TAG_SP;
		}
	}
	e->out.nonexistent = e->nonexistent;
	if (e->out.as_none)
		p = DMARC_P_NONE;
	e->out.policy = p;
	e->out.disposition = DMARC_P_NONE;
	if (e->out.spf_aligned || e->out.dkim_aligned) {
		finish(e, DMARC_PASS, DMARC_OK, "");
		return;
	}
	/* RFC 9989 5.3.2: no aligned pass, and a check failed for now: no
	 * conclusion, the policy is not applied */
	int under_temp = temp || e->spf.result == DMARC_AUTH_TEMPERROR;
	for (size_t i = 0; i < e->ndkim; i++)
		under_temp |= e->dkim[i].result == DMARC_AUTH_TEMPERROR;
	if (under_temp) {
		finish(e, DMARC_TEMPERROR, DMARC_E_DNS, "no aligned pass, and a check failed temporarily");
		return;
	}
	/* np= and sp= would differ, and whether the name exists is not known
	 * now: no conclusion (RFC 9989 5.3.6) */
	if (!rfc7489(e) && e->exist_temp && !e->out.as_none && e->out.policy_tag == DMARC_TAG_SP &&
	    r->np != DMARC_P_UNSET && r->np != p) {
		finish(e, DMARC_TEMPERROR, DMARC_E_DNS, "DNS failure: does the author domain exist (np=)?");
		return;
	}
	if (!rfc7489(e) && e->exist_temp && !e->out.as_none && e->out.policy_tag == DMARC_TAG_P &&
	    !dmarc_domain_eq(e->out.policy_domain, e->from) && r->np != DMARC_P_UNSET && r->np != p) {
		finish(e, DMARC_TEMPERROR, DMARC_E_DNS, "DNS failure: does the author domain exist (np=)?");
		return;
	}
	enum dmarc_policy d = p;
	if (rfc7489(e)) {
		/* RFC 7489 6.6.4: a message left out by pct= gets the next
		 * policy down */
		if (r->pct < 100 && e->random >= r->pct) {
			e->out.sampled_out = 1;
			d = lower(d);
		}
	} else if (r->testing) {
		d = lower(d);  /* t=y: the next lower disposition */
	}
	e->out.disposition = d;
	finish(e, DMARC_FAIL, DMARC_OK, "no aligned identifier passed");
}

/* ---- the machine ------------------------------------------------------------ */

static int all_ids_done(const struct dmarc_eval *e)
{
	for (size_t i = 0; i < e->nids; i++)
		if (dmarc_walk_pending(&e->ids[i], DMARC_WALK_MAX))
			return 0;
	return 1;
}

static int next_question(struct dmarc_eval *e, struct dns_question *q)
{
	if (e->author_walk && dmarc_walk_question(&e->author, q))
		return 1;
	if (e->exist_asked == 1) {
		memset(q, 0, sizeof *q);
		q->id = EXIST_ID;
		q->type = DNS_A;
		size_t n = strlen(e->from);
		if (n < sizeof q->name) {
			memcpy(q->name, e->from, n + 1);
			e->exist_asked = 2;
			return 1;
		}
		e->exist_asked = 3;
	}
	for (size_t i = 0; i < e->nids; i++)
		if (dmarc_walk_question(&e->ids[i], q))
			return 1;
	return 0;
}

enum dmarc_step dmarc_next(struct dmarc_eval *e, struct dns_question *q)
{
	if (e->several)
		return several_next(e, q);
	for (;;) {
		if (e->state != S_DONE && next_question(e, q)) {
			e->out.queries++;
			return DMARC_QUERY;
		}
		switch (e->state) {
		case S_START:
			start(e);
			continue;
		case S_AUTHOR:
			if (dmarc_walk_pending(&e->author, 1))
				return DMARC_WAIT;
			author_first(e);
			continue;
		case S_AUTHOR_WALK:
			if (dmarc_walk_pending(&e->author, DMARC_WALK_MAX) || e->exist_asked == 2)
				return DMARC_WAIT;
			author_rest(e);
			continue;
		case S_IDS:
			if (!all_ids_done(e))
				return DMARC_WAIT;
			verdict(e);
			continue;
		case S_DONE:
			return DMARC_DONE;
		}
	}
}

void dmarc_answer(struct dmarc_eval *e, const struct dns_answer *a)
{
	if (e->state == S_DONE)
		return;
	if (e->several) {
		uint64_t k = a->id >> 32;
		if (k >= 1 && k <= e->nkids) {
			struct dns_answer one = *a;
			one.id &= 0xffffffffu;
			dmarc_answer(e->kids[k - 1], &one);
		}
		return;
	}
	if (a->id == EXIST_ID) {
		if (e->exist_asked == 2) {
			e->exist_asked = 3;
			/* RFC 9989 3.2.13 (RFC 8020): NXDOMAIN, the name does not
			 * exist; after a failure, sp= (or p=) applies when np=
			 * would say the same, else temperror (verdict) */
			e->nonexistent = a->status == DNS_NXDOMAIN;
			e->exist_temp = dns_temporary(a->status);
		}
		return;
	}
	int r = 0;
	if (a->id >> 8 == 0) {
		if (e->author_walk)
			r = dmarc_walk_answer(&e->author, a);
	} else if ((a->id >> 8) - 1 < e->nids) {
		r = dmarc_walk_answer(&e->ids[(a->id >> 8) - 1], a);
	}
	if (r)
		finish(e, DMARC_TEMPERROR, DMARC_E_NOMEM, NULL);
}
