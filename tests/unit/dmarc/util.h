/* Helpers of the lib/dmarc unit tests: an evaluation driven against a
 * zone held in memory (the DNS questions answered by a table, as lib/io's
 * adapter would answer them), answers given in reverse order of asking. */
#ifndef EMBER_TEST_DMARC_UTIL_H
#define EMBER_TEST_DMARC_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

/* One name: a status and, for DNS_OK, up to three TXT records. Names not
 * in the table are NXDOMAIN; "*.NAME" entries answer every name below. */
struct zrec {
	const char *name;
	enum dns_status status;
	const char *txt[3];
};

struct asked {
	char names[64][DNS_NAME_MAX + 1];
	size_t n;
};

static inline const struct zrec *zone_find(const struct zrec *z, const char *name)
{
	for (; z && z->name; z++) {
		if (!strcmp(z->name, name))
			return z;
		if (z->name[0] == '*' && z->name[1] == '.') {
			size_t nl = strlen(name), sl = strlen(z->name + 1);
			if (nl > sl && !strcmp(name + nl - sl, z->name + 1))
				return z;
		}
	}
	return NULL;
}

/* Run e to the end against z; the names asked in *log (may be NULL). */
static inline const struct dmarc_outcome *run_eval(struct dmarc_eval *e, const struct zrec *z,
						   struct asked *log)
{
	struct dns_question pend[64];
	size_t np = 0;
	for (int guard = 0; guard < 1000; guard++) {
		struct dns_question q;
		enum dmarc_step s = dmarc_next(e, &q);
		if (s == DMARC_QUERY) {
			ck_assert_uint_lt(np, 64);
			pend[np++] = q;
			if (log && log->n < 64)
				strcpy(log->names[log->n++], q.name);
			continue;
		}
		if (s == DMARC_DONE)
			return dmarc_outcome(e);
		ck_assert_uint_gt(np, 0);
		struct dns_question *a = &pend[--np];
		const struct zrec *r = zone_find(z, a->name);
		struct dns_record recs[3];
		struct dns_answer ans = {.id = a->id, .status = DNS_NXDOMAIN};
		if (r) {
			ans.status = r->status;
			if (r->status == DNS_OK && a->type == DNS_TXT) {
				for (size_t i = 0; i < 3 && r->txt[i]; i++)
					recs[ans.count++] = (struct dns_record){r->txt[i], strlen(r->txt[i]), 0};
				ans.records = recs;
				if (!ans.count)
					ans.status = DNS_NODATA;
			} else if (r->status == DNS_OK) {
				ans.status = DNS_NODATA;
			}
		}
		dmarc_answer(e, &ans);
	}
	ck_abort_msg("the evaluation did not finish");
	return NULL;
}

/* The usual request: from, SPF result and domain, one DKIM result. */
static inline struct dmarc_request req_basic(const char *from, enum dmarc_auth spf,
					     const char *mailfrom)
{
	struct dmarc_request r = {0};
	r.from_domain = from;
	r.spf = spf;
	r.mail_from = mailfrom;
	r.helo = "mx.helo.example";
	return r;
}

/* Evaluate req against z: the outcome's fields copied out. */
struct verdict {
	enum dmarc_result result;
	enum dmarc_policy policy, disposition;
	enum dmarc_tag tag;
	char policy_domain[256], org[256];
	int dkim_aligned, spf_aligned, testing, nonexistent, as_none, sampled_out;
	enum dmarc_problem problem;
	unsigned queries;
};

static inline struct verdict evaluate(const struct dmarc_request *req, const struct zrec *z,
				      struct asked *log)
{
	struct dmarc_eval *e = dmarc_eval_new(req);
	ck_assert_ptr_nonnull(e);
	const struct dmarc_outcome *o = run_eval(e, z, log);
	struct verdict v = {0};
	v.result = o->result;
	v.policy = o->policy;
	v.disposition = o->disposition;
	v.tag = o->policy_tag;
	if (o->policy_domain)
		strcpy(v.policy_domain, o->policy_domain);
	if (o->org_domain)
		strcpy(v.org, o->org_domain);
	v.dkim_aligned = o->dkim_aligned;
	v.spf_aligned = o->spf_aligned;
	v.testing = o->testing;
	v.nonexistent = o->nonexistent;
	v.as_none = o->as_none;
	v.sampled_out = o->sampled_out;
	v.problem = o->problem;
	v.queries = o->queries;
	dmarc_eval_free(e);
	return v;
}

#endif
