/* DMARC evaluation: alignment both ways (relaxed, strict; DKIM and SPF;
 * the HELO identity for a null sender; U-labels), sp=, np=, t=y, the rules
 * for temporary failures, and the RFC 7489 mode (the PSL, pct=). */
#include <check.h>
#include <libpsl.h>
#include <string.h>

#include "util.h"

static const struct zrec zone[] = {
	{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=reject; sp=quarantine; np=reject"}},
	{"_dmarc.strict.example", DNS_OK, {"v=DMARC1; p=reject; adkim=s; aspf=s"}},
	{"_dmarc.test.example", DNS_OK, {"v=DMARC1; p=reject; t=y"}},
	{"_dmarc.testq.example", DNS_OK, {"v=DMARC1; p=quarantine; t=y"}},
	{"_dmarc.norua.example", DNS_OK, {"v=DMARC1; p=bogus"}},
	{"_dmarc.rua.example", DNS_OK, {"v=DMARC1; p=bogus; rua=mailto:r@rua.example"}},
	{"_dmarc.xn--bcher-kva.example", DNS_OK, {"v=DMARC1; p=reject"}},
	{"_dmarc.own.example.com", DNS_OK, {"v=DMARC1; p=none; psd=n"}},
	{"*.example.com", DNS_OK, {NULL}},
	{"example.com", DNS_OK, {NULL}},
	{NULL, 0, {NULL}},
};

static struct verdict with_dkim(const char *from, const char *d, enum dmarc_auth r)
{
	struct dmarc_dkim k = {d, "sel", r};
	struct dmarc_request req = req_basic(from, DMARC_AUTH_NONE, NULL);
	req.dkim = &k;
	req.ndkim = 1;
	return evaluate(&req, zone, NULL);
}

static struct verdict with_spf(const char *from, const char *mailfrom, enum dmarc_auth r)
{
	struct dmarc_request req = req_basic(from, r, mailfrom);
	return evaluate(&req, zone, NULL);
}

START_TEST(dkim_alignment)
{
	struct verdict v = with_dkim("example.com", "example.com", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_PASS);
	ck_assert_int_eq(v.dkim_aligned, 1);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	ck_assert_int_eq(v.policy, DMARC_P_REJECT);
	/* relaxed: a subdomain either way */
	ck_assert_int_eq(with_dkim("example.com", "mail.example.com", DMARC_AUTH_PASS).result, DMARC_PASS);
	ck_assert_int_eq(with_dkim("news.example.com", "example.com", DMARC_AUTH_PASS).result, DMARC_PASS);
	ck_assert_int_eq(with_dkim("news.example.com", "bulk.example.com", DMARC_AUTH_PASS).result, DMARC_PASS);
	/* case and a final dot do not matter */
	ck_assert_int_eq(with_dkim("Example.COM", "EXAMPLE.com.", DMARC_AUTH_PASS).result, DMARC_PASS);
	/* another organization */
	v = with_dkim("example.com", "example.net", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.disposition, DMARC_P_REJECT);
	/* a look-alike suffix is not a subdomain */
	ck_assert_int_eq(with_dkim("example.com", "badexample.com", DMARC_AUTH_PASS).result, DMARC_FAIL);
	/* aligned, but it did not pass */
	ck_assert_int_eq(with_dkim("example.com", "example.com", DMARC_AUTH_FAIL).result, DMARC_FAIL);
	ck_assert_int_eq(with_dkim("example.com", "example.com", DMARC_AUTH_POLICY).result, DMARC_FAIL);
	/* a subdomain with psd=n is an organization of its own */
	ck_assert_int_eq(with_dkim("example.com", "own.example.com", DMARC_AUTH_PASS).result, DMARC_FAIL);
	/* strict: the same name only */
	ck_assert_int_eq(with_dkim("strict.example", "strict.example", DMARC_AUTH_PASS).result, DMARC_PASS);
	ck_assert_int_eq(with_dkim("strict.example", "mail.strict.example", DMARC_AUTH_PASS).result, DMARC_FAIL);
}
END_TEST

START_TEST(spf_alignment)
{
	ck_assert_int_eq(with_spf("example.com", "bounce@example.com", DMARC_AUTH_PASS).result, DMARC_PASS);
	ck_assert_int_eq(with_spf("example.com", "bounce@mail.example.com", DMARC_AUTH_PASS).spf_aligned, 1);
	ck_assert_int_eq(with_spf("example.com", "mail.example.com", DMARC_AUTH_PASS).result, DMARC_PASS);
	ck_assert_int_eq(with_spf("example.com", "bounce@example.org", DMARC_AUTH_PASS).result, DMARC_FAIL);
	ck_assert_int_eq(with_spf("example.com", "bounce@example.com", DMARC_AUTH_SOFTFAIL).result, DMARC_FAIL);
	ck_assert_int_eq(with_spf("strict.example", "b@strict.example", DMARC_AUTH_PASS).result, DMARC_PASS);
	ck_assert_int_eq(with_spf("strict.example", "b@mx.strict.example", DMARC_AUTH_PASS).result, DMARC_FAIL);
	/* a null MAIL FROM: the HELO identity */
	struct dmarc_request req = req_basic("example.com", DMARC_AUTH_PASS, "");
	req.helo = "mx.example.com";
	struct verdict v = evaluate(&req, zone, NULL);
	ck_assert_int_eq(v.result, DMARC_PASS);
	ck_assert_int_eq(v.spf_aligned, 1);
	req.helo = "mx.example.net";
	req.mail_from = NULL;
	ck_assert_int_eq(evaluate(&req, zone, NULL).result, DMARC_FAIL);
	/* a pass with neither a sender nor a HELO name: nothing aligns */
	req.mail_from = NULL;
	req.helo = NULL;
	ck_assert_int_eq(evaluate(&req, zone, NULL).result, DMARC_FAIL);
	/* with a sender, HELO does not count */
	req.mail_from = "x@example.net";
	req.helo = "example.com";
	ck_assert_int_eq(evaluate(&req, zone, NULL).result, DMARC_FAIL);
}
END_TEST

START_TEST(several_dkim)
{
	struct dmarc_dkim k[] = {
		{"example.net", "a", DMARC_AUTH_PASS},
		{"example.com", "b", DMARC_AUTH_FAIL},
		{"mail.example.com", "c", DMARC_AUTH_PASS},
	};
	struct dmarc_request req = req_basic("example.com", DMARC_AUTH_NONE, NULL);
	req.dkim = k;
	req.ndkim = 3;
	struct dmarc_eval *e = dmarc_eval_new(&req);
	const struct dmarc_outcome *o = run_eval(e, zone, NULL);
	ck_assert_int_eq(o->result, DMARC_PASS);
	ck_assert_str_eq(o->dkim_domain, "mail.example.com");
	ck_assert_str_eq(o->dkim_selector, "c");
	dmarc_eval_free(e);
}
END_TEST

START_TEST(subdomain_policies)
{
	/* sp= for an existing subdomain */
	struct verdict v = with_dkim("exists.example.com", "example.net", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.tag, DMARC_TAG_SP);
	ck_assert_int_eq(v.policy, DMARC_P_QUARANTINE);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	ck_assert_int_eq(v.nonexistent, 0);
	/* np= for one that does not exist (NXDOMAIN) */
	static const struct zrec z[] = {
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=none; sp=quarantine; np=reject"}},
		{"real.example.com", DNS_OK, {NULL}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_request req = req_basic("ghost.example.com", DMARC_AUTH_NONE, NULL);
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.nonexistent, 1);
	ck_assert_int_eq(v.tag, DMARC_TAG_NP);
	ck_assert_int_eq(v.disposition, DMARC_P_REJECT);
	req.from_domain = "real.example.com";
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.tag, DMARC_TAG_SP);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	/* the domain itself: p= */
	req.from_domain = "example.com";
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.tag, DMARC_TAG_P);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	/* whether the name exists cannot be told now: temperror when np= and
	 * sp= differ, sp= when they agree */
	static const struct zrec zt[] = {
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=none; sp=quarantine; np=reject"}},
		{"_dmarc.same.example", DNS_OK, {"v=DMARC1; p=none; sp=reject; np=reject"}},
		{"ghost.example.com", DNS_SERVFAIL, {NULL}},
		{"ghost.same.example", DNS_TIMEOUT, {NULL}},
		{NULL, 0, {NULL}},
	};
	req.from_domain = "ghost.example.com";
	v = evaluate(&req, zt, NULL);
	ck_assert_int_eq(v.result, DMARC_TEMPERROR);
	req.from_domain = "ghost.same.example";
	v = evaluate(&req, zt, NULL);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.disposition, DMARC_P_REJECT);
	/* no np=: sp=; no sp=: p= */
	static const struct zrec z2[] = {
		{"_dmarc.a.example", DNS_OK, {"v=DMARC1; p=reject; sp=none"}},
		{"_dmarc.b.example", DNS_OK, {"v=DMARC1; p=quarantine"}},
		{NULL, 0, {NULL}},
	};
	req.from_domain = "ghost.a.example";
	v = evaluate(&req, z2, NULL);
	ck_assert_int_eq(v.tag, DMARC_TAG_SP);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	req.from_domain = "ghost.b.example";
	v = evaluate(&req, z2, NULL);
	ck_assert_int_eq(v.tag, DMARC_TAG_P);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
}
END_TEST

START_TEST(testing_mode)
{
	/* t=y: the next lower disposition; the policy itself reported */
	struct verdict v = with_dkim("test.example", "example.net", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.testing, 1);
	ck_assert_int_eq(v.policy, DMARC_P_REJECT);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	v = with_dkim("testq.example", "example.net", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.policy, DMARC_P_QUARANTINE);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	/* a pass is a pass */
	v = with_dkim("test.example", "test.example", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_PASS);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
}
END_TEST

START_TEST(invalid_p)
{
	/* no valid p=, no rua=: no DMARC processing */
	struct verdict v = with_dkim("norua.example", "example.net", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_NONE);
	ck_assert_int_eq(v.problem, DMARC_E_NO_POLICY);
	/* with a valid rua=: as p=none */
	v = with_dkim("rua.example", "example.net", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.as_none, 1);
	ck_assert_int_eq(v.policy, DMARC_P_NONE);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
}
END_TEST

START_TEST(temporary)
{
	/* no aligned pass and a temporary failure underneath: temperror */
	struct verdict v = with_dkim("example.com", "example.com", DMARC_AUTH_TEMPERROR);
	ck_assert_int_eq(v.result, DMARC_TEMPERROR);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	v = with_spf("example.com", "b@example.com", DMARC_AUTH_TEMPERROR);
	ck_assert_int_eq(v.result, DMARC_TEMPERROR);
	/* an aligned pass wins over another's temporary failure */
	struct dmarc_dkim k = {"example.com", "s", DMARC_AUTH_PASS};
	struct dmarc_request req = req_basic("example.com", DMARC_AUTH_TEMPERROR, "b@example.com");
	req.dkim = &k;
	req.ndkim = 1;
	ck_assert_int_eq(evaluate(&req, zone, NULL).result, DMARC_PASS);
	/* the organizational domain of a d= cannot be found now */
	static const struct zrec z[] = {
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.mail.example.com", DNS_SERVFAIL, {NULL}},
		{NULL, 0, {NULL}},
	};
	k.domain = "mail.example.com";
	req.spf = DMARC_AUTH_NONE;
	ck_assert_int_eq(evaluate(&req, z, NULL).result, DMARC_TEMPERROR);
}
END_TEST

START_TEST(idn)
{
	/* a U-label author domain: its A-label's record */
	struct verdict v = with_dkim("bücher.example", "xn--bcher-kva.example", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_PASS);
	ck_assert_str_eq(v.policy_domain, "xn--bcher-kva.example");
	v = with_dkim("xn--bcher-kva.example", "BÜCHER.example", DMARC_AUTH_PASS);
	ck_assert_int_eq(v.result, DMARC_PASS);
	/* not a name */
	struct dmarc_request req = req_basic("a..b", DMARC_AUTH_NONE, NULL);
	v = evaluate(&req, zone, NULL);
	ck_assert_int_eq(v.result, DMARC_PERMERROR);
	ck_assert_int_eq(v.problem, DMARC_E_DOMAIN);
}
END_TEST

/* RFC 7489 mode: the organizational domain from Debian's public suffix
 * list, no Tree Walk; pct= with the caller's number. */
static psl_ctx_t *psl_debian(void)
{
	psl_ctx_t *p = psl_load_file("/usr/share/publicsuffix/public_suffix_list.dat");
	return p ? p : (psl_ctx_t *)psl_builtin();
}

START_TEST(rfc7489_org)
{
	psl_ctx_t *psl = psl_debian();
	ck_assert_ptr_nonnull(psl);
	struct mime_buf b = {0};
	ck_assert_int_eq(dmarc_psl_org_domain(psl, "a.b.c.bcx.com", &b), DMARC_OK);
	ck_assert_str_eq(b.data, "bcx.com");
	mime_buf_reset(&b);
	ck_assert_int_eq(dmarc_psl_org_domain(psl, "a.b.c.educ.ar", &b), DMARC_OK);
	ck_assert_str_eq(b.data, "educ.ar");
	mime_buf_reset(&b);
	ck_assert_int_eq(dmarc_psl_org_domain(psl, "mail.Example.CO.UK", &b), DMARC_OK);
	ck_assert_str_eq(b.data, "example.co.uk");
	mime_buf_reset(&b);
	ck_assert_int_eq(dmarc_psl_org_domain(psl, "co.uk", &b), DMARC_OK);
	ck_assert_str_eq(b.data, "co.uk");
	mime_buf_free(&b);
	static const struct zrec z[] = {
		{"_dmarc.example.co.uk", DNS_OK, {"v=DMARC1; p=reject; sp=quarantine; pct=50"}},
		{"_dmarc.mid.example.co.uk", DNS_OK, {"v=DMARC1; p=none"}},
		{"_dmarc.co.uk", DNS_OK, {"v=DMARC1; p=reject; psd=y"}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_dkim k = {"other.example.co.uk", "s", DMARC_AUTH_PASS};
	struct dmarc_request req = req_basic("a.b.mid.example.co.uk", DMARC_AUTH_NONE, NULL);
	req.flags = DMARC_RFC7489;
	req.psl = psl;
	req.dkim = &k;
	req.ndkim = 1;
	struct asked log = {0};
	struct verdict v = evaluate(&req, z, &log);
	/* the author domain, then the organizational domain: 2 questions;
	 * mid.example.co.uk's record is not read */
	ck_assert_uint_eq(log.n, 2);
	ck_assert_str_eq(log.names[1], "_dmarc.example.co.uk");
	ck_assert_str_eq(v.org, "example.co.uk");
	ck_assert_str_eq(v.policy_domain, "example.co.uk");
	ck_assert_int_eq(v.result, DMARC_PASS);  /* relaxed: same org by the PSL */
	/* fail, chosen by pct (random 10 < 50): sp= applies */
	k.domain = "example.net";
	req.random = 10;
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.tag, DMARC_TAG_SP);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	ck_assert_int_eq(v.sampled_out, 0);
	/* left out by pct (random 70 >= 50): one step down */
	req.random = 70;
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.sampled_out, 1);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	/* the organizational domain itself: p=, left out: reject -> quarantine */
	req.from_domain = "example.co.uk";
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.tag, DMARC_TAG_P);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	/* a registrable domain without a record: 7489 never asks the PSD */
	req.from_domain = "other.co.uk";
	memset(&log, 0, sizeof log);
	v = evaluate(&req, z, &log);
	ck_assert_int_eq(v.result, DMARC_NONE);
	ck_assert_uint_eq(log.n, 1);
	/* RFC 9989 on the same zone: the PSD's record applies */
	req.flags = 0;
	v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.policy_domain, "co.uk");
	ck_assert_int_eq(v.result, DMARC_FAIL);
	psl_free(psl);
}
END_TEST

START_TEST(lifecycle)
{
	/* free before the end, answers for questions never asked */
	struct dmarc_request req = req_basic("example.com", DMARC_AUTH_NONE, NULL);
	struct dmarc_eval *e = dmarc_eval_new(&req);
	struct dns_question q;
	ck_assert_int_eq(dmarc_next(e, &q), DMARC_QUERY);
	struct dns_answer a = {.id = 12345, .status = DNS_OK};
	dmarc_answer(e, &a);
	ck_assert_int_eq(dmarc_next(e, &q), DMARC_WAIT);
	dmarc_eval_free(e);
	dmarc_eval_free(NULL);
}
END_TEST

Suite *suite_eval(void)
{
	Suite *s = suite_create("dmarc-eval");
	TCase *t = tcase_create("eval");
	tcase_add_test(t, dkim_alignment);
	tcase_add_test(t, spf_alignment);
	tcase_add_test(t, several_dkim);
	tcase_add_test(t, subdomain_policies);
	tcase_add_test(t, testing_mode);
	tcase_add_test(t, invalid_p);
	tcase_add_test(t, temporary);
	tcase_add_test(t, idn);
	tcase_add_test(t, rfc7489_org);
	tcase_add_test(t, lifecycle);
	suite_add_tcase(s, t);
	return s;
}
