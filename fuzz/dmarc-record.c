/* libFuzzer: DMARC records (RFC 9989 4.7, 4.8; RFC 7489 mode). Whatever
 * the input, the parser ends; spans lie inside it; a record that parses
 * starts with v=DMARC1; the values are those of their enums. Then the
 * input is served as _dmarc.example.com's record (and, split at its first
 * newline, as the parent's) to a whole evaluation, which must end with a
 * result that fits what it read; and with two author domains, whose
 * combined verdict must agree with each one's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

static void check_record(const char *s, size_t n, unsigned flags)
{
	struct dmarc_record r;
	enum dmarc_problem w;
	size_t at;
	enum dmarc_problem p = dmarc_record_parse(s, n, flags, &r, &w, &at);
	if (p != DMARC_OK && p != DMARC_E_NOT_DMARC)
		abort();
	if ((p == DMARC_OK) != dmarc_is_record(s, n))
		abort();
	if (p != DMARC_OK)
		return;
	if (r.rua.off + r.rua.len > n || r.ruf.off + r.ruf.len > n || (r.warnings && at >= n))
		abort();
	if (r.p > DMARC_P_INVALID || r.sp > DMARC_P_INVALID || r.np > DMARC_P_INVALID || r.pct > 100)
		abort();
	if ((r.rua_valid && !r.rua.len) || (r.ruf_valid && !r.ruf.len))
		abort();
	int as_none;
	if (dmarc_record_usable(&r, &as_none) && as_none && !r.rua_valid)
		abort();
}

static void evaluate(const char *rec, size_t n, const char *parent, size_t pn, unsigned flags,
		     int two_authors)
{
	struct dmarc_dkim k = {"mail.example.com", "s", DMARC_AUTH_PASS};
	static const char *const authors[] = {"a.b.example.com", "example.net"};
	struct dmarc_request req = {
		.from_domain = "a.b.example.com", .spf = DMARC_AUTH_PASS, .mail_from = "x@example.net",
		.dkim = &k, .ndkim = 1, .flags = flags, .random = 50,
		.from_domains = two_authors ? authors : NULL, .nfrom = two_authors ? 2 : 0,
	};
	struct dmarc_eval *e = dmarc_eval_new(&req);
	if (!e)
		return;
	struct dns_question pend[64];
	size_t np = 0;
	for (int guard = 0;; guard++) {
		if (guard > 200)
			abort();
		struct dns_question q;
		enum dmarc_step s = dmarc_next(e, &q);
		if (s == DMARC_QUERY) {
			if (np == 64)
				abort();
			pend[np++] = q;
			continue;
		}
		if (s == DMARC_DONE)
			break;
		if (!np)
			abort();
		struct dns_question *a = &pend[--np];
		struct dns_record r = {rec, n, 0};
		struct dns_answer ans = {.id = a->id, .status = DNS_NXDOMAIN};
		if (!strcmp(a->name, "_dmarc.a.b.example.com") || !strcmp(a->name, "_dmarc.mail.example.com")) {
			ans.status = DNS_OK;
			ans.records = &r;
			ans.count = 1;
		} else if (!strcmp(a->name, "_dmarc.example.com") && parent) {
			r = (struct dns_record){parent, pn, 0};
			ans.status = DNS_OK;
			ans.records = &r;
			ans.count = 1;
		}
		dmarc_answer(e, &ans);
	}
	const struct dmarc_outcome *o = dmarc_outcome(e);
	if (o->result > DMARC_PERMERROR || o->disposition > DMARC_P_REJECT)
		abort();
	if (o->result == DMARC_PASS && o->disposition != DMARC_P_NONE)
		abort();
	if (o->result == DMARC_PASS && !o->dkim_aligned && !o->spf_aligned)
		abort();
	if (o->queries > (two_authors ? 40u : 20u))
		abort();
	for (size_t i = 0; two_authors && i < o->nauthors; i++) {
		const struct dmarc_outcome *a = dmarc_outcome_at(e, i);
		/* several authors: a pass only when none fails or is unknown */
		if (o->result == DMARC_PASS && a->result != DMARC_PASS && a->result != DMARC_NONE)
			abort();
		if (a->result == DMARC_FAIL && o->result != DMARC_FAIL)
			abort();
	}
	dmarc_eval_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check_record(s, size, 0);
	check_record(s, size, DMARC_RFC7489);
	const char *nl = memchr(s, '\n', size);
	size_t first = nl ? (size_t)(nl - s) : size;
	evaluate(s, first, nl ? nl + 1 : NULL, nl ? size - first - 1 : 0, 0, 0);
	evaluate(s, first, nl ? nl + 1 : NULL, nl ? size - first - 1 : 0, DMARC_RFC7489, 0);
	evaluate(s, first, nl ? nl + 1 : NULL, nl ? size - first - 1 : 0, 0, 1);
	return 0;
}
