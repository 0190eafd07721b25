/* ember commands: lib/dkim's side of authcheck.h (DKIM and ARC). */
#include "authcheck.h"

#include <stdio.h>

static enum ac_step dkim_step(void *m, struct dns_question *q)
{
	enum dkim_step s = dkim_verifier_next(m, q);
	return s == DKIM_QUERY ? AC_QUERY : s == DKIM_DONE ? AC_DONE : AC_WAIT;
}

static void dkim_ans(void *m, const struct dns_answer *a)
{
	dkim_verifier_answer(m, a);
}

static void dkim_feed(void *m, const char *p, size_t n)
{
	dkim_verifier_feed(m, p, n);
}

const struct ac_ops ac_dkim_ops = {dkim_step, dkim_ans, dkim_feed};

static enum ac_step arc_step(void *m, struct dns_question *q)
{
	enum dkim_step s = dkim_arc_verifier_next(m, q);
	return s == DKIM_QUERY ? AC_QUERY : s == DKIM_DONE ? AC_DONE : AC_WAIT;
}

static void arc_ans(void *m, const struct dns_answer *a)
{
	dkim_arc_verifier_answer(m, a);
}

static void arc_feed(void *m, const char *p, size_t n)
{
	dkim_arc_verifier_feed(m, p, n);
}

const struct ac_ops ac_arc_ops = {arc_step, arc_ans, arc_feed};

int ac_add_dkim(struct ac_results *s, const struct dkim_verifier *v)
{
	const struct dkim_sig_result *r;
	size_t n = dkim_verifier_results(v, &r);
	for (size_t i = 0; i < n; i++) {
		struct mime_authres_prop p[4];
		size_t np = 0;
		if (r[i].domain)
			p[np++] = (struct mime_authres_prop){"header", "d", r[i].domain};
		if (r[i].selector)
			p[np++] = (struct mime_authres_prop){"header", "s", r[i].selector};
		if (r[i].alg)
			p[np++] = (struct mime_authres_prop){"header", "a", r[i].alg};
		if (r[i].b) {  /* RFC 6008: the first eight characters */
			char b[16];
			snprintf(b, sizeof b, "%.8s", r[i].b);
			const char *kept = ac_results_str(s, b);
			if (!kept)
				return -1;
			p[np++] = (struct mime_authres_prop){"header", "b", kept};
		}
		if (ac_result(s, "dkim", dkim_result_name(r[i].result), r[i].reason, p, np))
			return -1;
	}
	if (n)
		return 0;
	/* no signature: none, or permerror for a header that cannot be read as one */
	return ac_result(s, "dkim", dkim_result_name(dkim_verifier_verdict(v)),
			 dkim_verifier_error(v, NULL, NULL), NULL, 0);
}

int ac_add_arc(struct ac_results *s, const struct dkim_arc_verifier *v)
{
	const char *why;
	unsigned oldest;
	enum dkim_arc_cv cv = dkim_arc_verifier_result(v, &why, &oldest);
	const struct dkim_arc_set *set;
	size_t n = dkim_arc_verifier_sets(v, &set);
	struct mime_authres_prop p[2];
	size_t np = 0;
	if (cv == DKIM_ARC_PASS) {
		char op[16];
		snprintf(op, sizeof op, "%u", oldest);
		const char *kept = ac_results_str(s, op);
		if (!kept)
			return -1;
		p[np++] = (struct mime_authres_prop){"header", "oldest-pass", kept};
		if (n && set[n - 1].seal_domain)
			p[np++] = (struct mime_authres_prop){"header", "d", set[n - 1].seal_domain};
	}
	return ac_result(s, "arc", dkim_arc_cv_name(cv), cv == DKIM_ARC_PASS ? NULL : why, p, np);
}
