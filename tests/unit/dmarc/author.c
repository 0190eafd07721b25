/* The author domains DMARC evaluates, from lib/mime's one author reader:
 * several From fields (no author), several mailboxes (the same domain:
 * that one; different domains: each evaluated, the strictest failure
 * decides, never the first one's pass: OpenDMARC CVE-2019-16378), none,
 * malformed. */
#include <check.h>
#include <string.h>

#include "util.h"

static const struct zrec zone[] = {
	{"_dmarc.victim.example", DNS_OK, {"v=DMARC1; p=reject"}},
	{"_dmarc.attacker.example", DNS_OK, {"v=DMARC1; p=none"}},
	{NULL, 0, {NULL}},
};

/* The message's author problem and domain; the From value found by hand
 * (the tool keeps the field the reader gave it). */
static enum dmarc_problem author_of(const char *msg, char *domain, const char **why)
{
	struct mime_author a;
	mime_author_read(msg, strlen(msg), NULL, &a);
	const char *v = strstr(msg, "From:");
	size_t vl = 0;
	if (v) {
		v += 5;
		vl = strcspn(v, "\r\n");
	}
	struct mime_buf d = {0};
	enum dmarc_problem p = dmarc_author_domain(&a, v, vl, &d, why);
	strcpy(domain, d.len ? d.data : "");
	mime_buf_free(&d);
	mime_author_free(&a);
	return p;
}

/* Every author domain of the message evaluated together. */
static struct verdict eval_msg(const char *msg, const char *dkim_d)
{
	struct mime_author a;
	mime_author_read(msg, strlen(msg), NULL, &a);
	const char *v = strstr(msg, "From:");
	size_t vl = 0;
	if (v) {
		v += 5;
		vl = strcspn(v, "\r\n");
	}
	struct mime_buf d = {0};
	size_t n = 0;
	const char *why;
	enum dmarc_problem p = dmarc_author_domains(&a, v, vl, &d, &n, &why);
	const char *doms[16];
	for (size_t i = 0, at = 0; i < n && i < 16; i++, at += strlen(d.data + at) + 1)
		doms[i] = d.data + at;
	struct dmarc_dkim k = {dkim_d, "s", DMARC_AUTH_PASS};
	struct dmarc_request req = req_basic(NULL, DMARC_AUTH_NONE, NULL);
	req.from_domains = doms;
	req.nfrom = p ? 0 : n;
	req.author_problem = p;
	req.author_reason = why;
	req.dkim = &k;
	req.ndkim = 1;
	struct verdict out = evaluate(&req, zone, NULL);
	mime_buf_free(&d);
	mime_author_free(&a);
	return out;
}

START_TEST(one_author)
{
	char d[256];
	const char *why;
	ck_assert_int_eq(author_of("From: Joe <joe@Victim.Example>\r\n\r\nx", d, &why), DMARC_OK);
	ck_assert_str_eq(d, "victim.example");
	ck_assert_int_eq(eval_msg("From: joe@victim.example\r\n\r\nx", "victim.example").result, DMARC_PASS);
	/* a U-label: the A-label */
	ck_assert_int_eq(author_of("From: j@bücher.example\r\n\r\nx", d, &why), DMARC_OK);
	ck_assert_str_eq(d, "xn--bcher-kva.example");
}
END_TEST

/* CVE-2019-16378: the first address's domain signed, a second one shown. */
START_TEST(cve_2019_16378)
{
	const char *msg = "From: <x@attacker.example>, <ceo@victim.example>\r\nTo: a@b.example\r\n\r\nhi\r\n";
	char d[256];
	const char *why;
	/* one domain wanted: refused */
	ck_assert_int_eq(author_of(msg, d, &why), DMARC_E_FROM_DOMAINS);
	/* each evaluated: attacker.example passes, victim.example fails: the
	 * failure with p=reject decides */
	struct verdict v = eval_msg(msg, "attacker.example");
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_str_eq(v.policy_domain, "victim.example");
	ck_assert_int_eq(v.disposition, DMARC_P_REJECT);
	/* the other way round too */
	v = eval_msg("From: ceo@victim.example, x@attacker.example\r\n\r\nhi\r\n", "attacker.example");
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_int_eq(v.disposition, DMARC_P_REJECT);
	/* a pass only when every domain passes */
	static const struct zrec z[] = {
		{"_dmarc.a.example", DNS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.b.example", DNS_OK, {"v=DMARC1; p=quarantine"}},
		{NULL, 0, {NULL}},
	};
	const char *two[] = {"a.example", "b.example"};
	struct dmarc_dkim k[] = {{"a.example", "s", DMARC_AUTH_PASS}, {"b.example", "s", DMARC_AUTH_PASS}};
	struct dmarc_request req = req_basic(NULL, DMARC_AUTH_NONE, NULL);
	req.from_domains = two;
	req.nfrom = 2;
	req.dkim = k;
	req.ndkim = 2;
	struct dmarc_eval *e = dmarc_eval_new(&req);
	const struct dmarc_outcome *o = run_eval(e, z, NULL);
	ck_assert_int_eq(o->result, DMARC_PASS);
	ck_assert_uint_eq(o->nauthors, 2);
	ck_assert_str_eq(dmarc_outcome_at(e, 1)->from_domain, "b.example");
	dmarc_eval_free(e);
	req.ndkim = 1;  /* b.example unsigned: its p=quarantine decides */
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	ck_assert_str_eq(v.policy_domain, "b.example");
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	/* more than DMARC_MAX_AUTHORS domains: permerror, never a pass */
	const char *many[DMARC_MAX_AUTHORS + 1];
	for (size_t i = 0; i <= DMARC_MAX_AUTHORS; i++)
		many[i] = "a.example";
	req.from_domains = many;
	req.nfrom = DMARC_MAX_AUTHORS + 1;
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_PERMERROR);
	ck_assert_int_eq(v.problem, DMARC_E_FROM_DOMAINS);
	/* the same domain in every mailbox: evaluated as that domain */
	msg = "From: a@victim.example, b@VICTIM.example\r\n\r\nhi\r\n";
	ck_assert_int_eq(author_of(msg, d, &why), DMARC_OK);
	ck_assert_str_eq(d, "victim.example");
	ck_assert_int_eq(eval_msg(msg, "attacker.example").result, DMARC_FAIL);
	ck_assert_int_eq(eval_msg(msg, "victim.example").result, DMARC_PASS);
}
END_TEST

START_TEST(no_usable_author)
{
	char d[256];
	const char *why;
	/* two From fields: no author, permerror; never the first one's */
	const char *two = "From: x@attacker.example\r\nFrom: ceo@victim.example\r\n\r\nhi\r\n";
	ck_assert_int_eq(author_of(two, d, &why), DMARC_E_NO_AUTHOR);
	ck_assert_str_eq(why, "several From fields");
	struct verdict v = eval_msg(two, "attacker.example");
	ck_assert_int_eq(v.result, DMARC_PERMERROR);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
	/* none */
	ck_assert_int_eq(author_of("To: a@b.example\r\n\r\nhi\r\n", d, &why), DMARC_E_NO_AUTHOR);
	ck_assert_str_eq(why, "no From field");
	ck_assert_int_eq(eval_msg("To: a@b.example\r\n\r\nhi\r\n", "b.example").result, DMARC_PERMERROR);
	/* malformed, a group, a literal */
	ck_assert_int_eq(author_of("From: <<x@y\r\n\r\n", d, &why), DMARC_E_NO_AUTHOR);
	ck_assert_int_eq(author_of("From: g: a@victim.example;\r\n\r\n", d, &why), DMARC_E_NO_AUTHOR);
	ck_assert_int_eq(author_of("From: a@[192.0.2.1]\r\n\r\n", d, &why), DMARC_E_NO_AUTHOR);
	/* several mailboxes, one of them a literal */
	ck_assert_int_eq(author_of("From: a@victim.example, b@[192.0.2.1]\r\n\r\n", d, &why), DMARC_E_NO_AUTHOR);
}
END_TEST

Suite *suite_author(void)
{
	Suite *s = suite_create("dmarc-author");
	TCase *t = tcase_create("author");
	tcase_add_test(t, one_author);
	tcase_add_test(t, cve_2019_16378);
	tcase_add_test(t, no_usable_author);
	suite_add_tcase(s, t);
	return s;
}
