/* ember commands: lib/dmarc's side of authcheck.h. */
#include "authcheck.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static enum ac_step dmarc_step(void *m, struct dns_question *q)
{
	enum dmarc_step s = dmarc_next(m, q);
	return s == DMARC_QUERY ? AC_QUERY : s == DMARC_WAIT ? AC_WAIT : AC_DONE;
}

static void dmarc_ans(void *m, const struct dns_answer *a)
{
	dmarc_answer(m, a);
}

const struct ac_ops ac_dmarc_ops = {dmarc_step, dmarc_ans, NULL};

int ac_add_dmarc(struct ac_results *s, const struct dmarc_outcome *o)
{
	struct mime_authres_prop p[3];
	size_t np = 0;
	if (*o->from_domain)
		p[np++] = (struct mime_authres_prop){"header", "from", o->from_domain};
	/* RFC 9989 11.4's registered properties: the p= of the record found,
	 * and where it was found when that is not the author domain */
	if (o->record) {
		p[np++] = (struct mime_authres_prop){"polrec", "p", dmarc_policy_name(o->record->p)};
		if (o->policy_domain && !mime_ascii_caseeq(o->policy_domain, strlen(o->policy_domain),
							   o->from_domain, strlen(o->from_domain)))
			p[np++] = (struct mime_authres_prop){"polrec", "domain", o->policy_domain};
	}
	const char *reason = o->problem_text && *o->problem_text && o->result != DMARC_PASS
				     ? o->problem_text : NULL;
	return ac_result(s, "dmarc", dmarc_result_name(o->result), reason, p, np);
}

void ac_dmarc_free(struct ac_dmarc *d)
{
	for (size_t i = 0; i < d->ndkim; i++) {
		free((char *)d->dkim[i].domain);
		free((char *)d->dkim[i].selector);
	}
	free(d->dkim);
	free(d->froms);
	free(d->spf_domain);
	mime_buf_free(&d->dom);
	memset(d, 0, sizeof *d);
}

int ac_dmarc_author(struct ac_dmarc *d, const struct mime_author *a, const char *from_value,
		    size_t from_len, int header_unreadable)
{
	const char *why = NULL;
	size_t nfrom = 0;
	mime_buf_reset(&d->dom);
	enum dmarc_problem ap = dmarc_author_domains(a, from_value, from_value ? from_len : 0,
						     &d->dom, &nfrom, &why);
	if (ap == DMARC_E_NOMEM)
		return -1;
	free(d->froms);
	if (!(d->froms = calloc(nfrom ? nfrom : 1, sizeof *d->froms)))
		return -1;
	for (size_t i = 0, at = 0; i < nfrom; i++, at += strlen(d->dom.data + at) + 1)
		d->froms[i] = d->dom.data + at;
	d->rq.from_domains = d->froms;
	d->rq.nfrom = ap ? 0 : nfrom;
	d->rq.author_problem = ap;
	d->rq.author_reason = why;
	if (header_unreadable && !ap) {  /* a header that cannot be read has no author */
		d->rq.nfrom = 0;
		d->rq.author_problem = DMARC_E_NO_AUTHOR;
		d->rq.author_reason = "the header cannot be read";
	}
	return 0;
}

int ac_dmarc_add_dkim(struct ac_dmarc *d, const char *domain, const char *selector,
		      enum dmarc_auth r)
{
	struct dmarc_dkim *v = realloc(d->dkim, (d->ndkim + 1) * sizeof *v);
	if (!v)
		return -1;
	d->dkim = v;
	char *dd = strdup(domain), *ss = selector ? strdup(selector) : NULL;
	if (!dd || (selector && !ss)) {
		free(dd);
		free(ss);
		return -1;
	}
	v[d->ndkim++] = (struct dmarc_dkim){dd, ss, r};
	d->rq.dkim = d->dkim;
	d->rq.ndkim = d->ndkim;
	return 0;
}

int ac_dmarc_add_verifier(struct ac_dmarc *d, const struct dkim_verifier *v)
{
	const struct dkim_sig_result *r;
	size_t n = dkim_verifier_results(v, &r);
	for (size_t i = 0; i < n; i++) {
		const char *name = dkim_result_name(r[i].result);
		int res = dmarc_auth_parse(name, strlen(name));
		if (r[i].domain &&
		    ac_dmarc_add_dkim(d, r[i].domain, r[i].selector,
				      res < 0 ? DMARC_AUTH_PERMERROR : (enum dmarc_auth)res))
			return -1;
	}
	return 0;
}

int ac_dmarc_spf(struct ac_dmarc *d, enum dmarc_auth r, const char *domain, int helo_identity,
		 const char *helo)
{
	free(d->spf_domain);
	d->spf_domain = NULL;
	if (domain && !(d->spf_domain = strdup(domain)))
		return -1;
	d->rq.spf = r;
	d->rq.mail_from = helo_identity ? NULL : d->spf_domain;
	d->rq.helo = helo_identity ? d->spf_domain : helo;
	return 0;
}

int ac_dmarc_spf_outcome(struct ac_dmarc *d, const struct spf_outcome *o, const char *helo)
{
	const char *name = spf_result_name(o->result);
	int r = dmarc_auth_parse(name, strlen(name));
	return ac_dmarc_spf(d, r < 0 ? DMARC_AUTH_NONE : (enum dmarc_auth)r, o->domain,
			    o->identity == SPF_HELO, helo);
}

psl_ctx_t *ac_psl_load(void)
{
	psl_ctx_t *psl = psl_load_file("/usr/share/publicsuffix/public_suffix_list.dat");
	return psl ? psl : (psl_ctx_t *)psl_latest(NULL);
}

unsigned ac_dmarc_random(void)
{
	unsigned v = 0;
	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = (unsigned)time(NULL) ^ (unsigned)getpid();
	return v % 100;
}
