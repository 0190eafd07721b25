/* The DNS Tree Walk (RFC 9989 4.10.1) and the organizational domain
 * (4.10.2): which names are asked, where the walk stops (psd=n, psd=y),
 * the 8-label shortcut, the policy it finds, DNS failures. */
#include <check.h>
#include <string.h>

#include "util.h"

START_TEST(targets)
{
	const char *t[DMARC_WALK_MAX];
	ck_assert_uint_eq(dmarc_walk_targets("a.mail.example.com", t), 4);
	ck_assert_str_eq(t[0], "a.mail.example.com");
	ck_assert_str_eq(t[1], "mail.example.com");
	ck_assert_str_eq(t[3], "com");
	ck_assert_uint_eq(dmarc_walk_targets("com", t), 1);
	/* 7 labels: one at a time */
	ck_assert_uint_eq(dmarc_walk_targets("a.b.c.d.e.example.com", t), 7);
	/* 8 labels or more: straight to 7, then one at a time: 8 names at most */
	ck_assert_uint_eq(dmarc_walk_targets("a.b.c.d.e.f.example.com", t), 8);
	ck_assert_str_eq(t[1], "b.c.d.e.f.example.com");
	ck_assert_uint_eq(dmarc_walk_targets("a.b.c.d.e.f.g.h.i.j.k.l.example.com", t), 8);
	ck_assert_str_eq(t[0], "a.b.c.d.e.f.g.h.i.j.k.l.example.com");
	ck_assert_str_eq(t[1], "h.i.j.k.l.example.com");
	ck_assert_str_eq(t[2], "i.j.k.l.example.com");
	ck_assert_str_eq(t[7], "com");
	ck_assert_uint_eq(dmarc_walk_targets("", t), 0);
}
END_TEST

/* RFC 9989 4.10.2's first example: records at mail.example.com and
 * example.com, none at a.mail.example.com or com: example.com. */
START_TEST(org_fewest_labels)
{
	static const struct zrec z[] = {
		{"_dmarc.mail.example.com", DNS_OK, {"v=DMARC1; p=quarantine"}},
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=reject; sp=none"}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_request req = req_basic("a.mail.example.com", DMARC_AUTH_NONE, NULL);
	struct asked log = {0};
	struct verdict v = evaluate(&req, z, &log);
	ck_assert_str_eq(v.org, "example.com");
	/* the policy: the organizational domain's record, sp= for a subdomain */
	ck_assert_str_eq(v.policy_domain, "example.com");
	ck_assert_int_eq(v.tag, DMARC_TAG_SP);
	ck_assert_int_eq(v.policy, DMARC_P_NONE);
	ck_assert_int_eq(v.result, DMARC_FAIL);
	/* the whole walk was asked, up to _dmarc.com, and the existence of the name */
	ck_assert_uint_eq(log.n, 5);
	ck_assert_str_eq(log.names[0], "_dmarc.a.mail.example.com");
	ck_assert_str_eq(log.names[3], "_dmarc.com");
	ck_assert_str_eq(log.names[4], "a.mail.example.com");
}
END_TEST

/* The second example: only _dmarc.com, with psd=y: example.com is the
 * organizational domain, the policy the PSD's. */
START_TEST(org_psd_y)
{
	static const struct zrec z[] = {
		{"_dmarc.com", DNS_OK, {"v=DMARC1; p=reject; psd=y; sp=quarantine"}},
		{"*.example.com", DNS_OK, {NULL}},   /* names that exist (no A record) */
		{"example.com", DNS_OK, {NULL}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_request req = req_basic("a.mail.example.com", DMARC_AUTH_NONE, NULL);
	struct verdict v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.org, "example.com");
	ck_assert_str_eq(v.policy_domain, "com");
	ck_assert_int_eq(v.tag, DMARC_TAG_SP);
	ck_assert_int_eq(v.policy, DMARC_P_QUARANTINE);
	ck_assert_int_eq(v.disposition, DMARC_P_QUARANTINE);
	/* the organizational domain itself: one label below the PSD */
	req.from_domain = "example.com";
	v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.org, "example.com");
	ck_assert_str_eq(v.policy_domain, "com");
}
END_TEST

/* A public-suffix-like name with psd=y (a PSO's policy): registrations
 * under it are organizational domains of their own; their own records win;
 * the PSD's np= covers names that do not exist. */
START_TEST(psd_public_suffix_like)
{
	static const struct zrec z[] = {
		{"_dmarc.psd.example", DNS_OK, {"v=DMARC1; p=quarantine; np=reject; psd=y"}},
		{"_dmarc.owner.psd.example", DNS_OK, {"v=DMARC1; p=none; sp=none"}},
		{"owner.psd.example", DNS_OK, {NULL}},
		{"*.owner.psd.example", DNS_OK, {NULL}},
		{"silent.psd.example", DNS_OK, {NULL}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_request req = req_basic("mail.owner.psd.example", DMARC_AUTH_NONE, NULL);
	struct verdict v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.org, "owner.psd.example");
	ck_assert_str_eq(v.policy_domain, "owner.psd.example");
	ck_assert_int_eq(v.policy, DMARC_P_NONE);
	/* a registration without a record: the PSD's policy, p= applies as sp= is absent */
	req.from_domain = "silent.psd.example";
	v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.org, "silent.psd.example");
	ck_assert_str_eq(v.policy_domain, "psd.example");
	ck_assert_int_eq(v.tag, DMARC_TAG_P);
	ck_assert_int_eq(v.policy, DMARC_P_QUARANTINE);
	/* a name that does not exist: np= */
	req.from_domain = "ghost.psd.example";
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.nonexistent, 1);
	ck_assert_int_eq(v.tag, DMARC_TAG_NP);
	ck_assert_int_eq(v.policy, DMARC_P_REJECT);
	ck_assert_int_eq(v.disposition, DMARC_P_REJECT);
	/* mail from the PSD itself: its own p=; psd=y at the start stops the walk */
	req.from_domain = "psd.example";
	struct dmarc_dkim d = {"x.psd.example", "s", DMARC_AUTH_PASS};
	req.dkim = &d;
	req.ndkim = 1;
	struct asked log = {0};
	v = evaluate(&req, z, &log);
	ck_assert_str_eq(v.policy_domain, "psd.example");
	ck_assert_int_eq(v.tag, DMARC_TAG_P);
	ck_assert_str_eq(v.org, "psd.example");
	/* the author's walk asks nothing above the PSD; x.psd.example's walk
	 * asks its names together (the answer above the stop is not read):
	 * its organizational domain is x.psd.example, not aligned */
	size_t above = 0;
	for (size_t i = 0; i < log.n; i++)
		above += !strcmp(log.names[i], "_dmarc.example");
	ck_assert_uint_eq(above, 1);
	ck_assert_str_eq(log.names[0], "_dmarc.psd.example");
	ck_assert_str_eq(log.names[1], "_dmarc.x.psd.example");
	ck_assert_int_eq(v.result, DMARC_FAIL);
}
END_TEST

/* psd=n stops the walk: the name is its own organizational domain, and a
 * psd=y above it is not read. */
START_TEST(psd_n_stops)
{
	static const struct zrec z[] = {
		{"_dmarc.b.example.com", DNS_OK, {"v=DMARC1; p=reject; psd=n"}},
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=none; psd=y"}},
		{"*.b.example.com", DNS_OK, {NULL}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_request req = req_basic("a.b.example.com", DMARC_AUTH_NONE, NULL);
	struct verdict v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.org, "b.example.com");
	ck_assert_str_eq(v.policy_domain, "b.example.com");
	ck_assert_int_eq(v.policy, DMARC_P_REJECT);
	/* at the start: one question, nothing above */
	struct asked log = {0};
	req.from_domain = "b.example.com";
	struct dmarc_dkim d = {"other.example.com", "s", DMARC_AUTH_PASS};
	req.dkim = &d;
	req.ndkim = 1;
	v = evaluate(&req, z, &log);
	ck_assert_str_eq(v.org, "b.example.com");
	ck_assert_str_eq(log.names[0], "_dmarc.b.example.com");
	ck_assert_int_eq(v.dkim_aligned, 0);   /* other.example.com's org is example.com */
}
END_TEST

/* The 8-label shortcut: a record 8 labels deep is never asked for; the
 * walk asks 8 names at most. */
START_TEST(eight_labels)
{
	static const struct zrec z[] = {
		{"_dmarc.c.d.e.f.g.h.example.com", DNS_OK, {"v=DMARC1; p=none"}},
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_request req = req_basic("a.b.c.d.e.f.g.h.example.com", DMARC_AUTH_NONE, NULL);
	struct asked log = {0};
	struct verdict v = evaluate(&req, z, &log);
	ck_assert_uint_eq(log.n, 9);  /* 8 TXT names and the existence question */
	ck_assert_str_eq(log.names[1], "_dmarc.d.e.f.g.h.example.com");
	for (size_t i = 0; i < log.n; i++)
		ck_assert_str_ne(log.names[i], "_dmarc.c.d.e.f.g.h.example.com");
	ck_assert_str_eq(v.policy_domain, "example.com");
	ck_assert_int_eq(v.policy, DMARC_P_REJECT);
	/* 7 labels: every parent */
	static const struct zrec z7[] = {
		{"_dmarc.d.e.example.com", DNS_OK, {"v=DMARC1; p=quarantine"}},
		{NULL, 0, {NULL}},
	};
	memset(&log, 0, sizeof log);
	req.from_domain = "a.b.c.d.e.example.com";
	v = evaluate(&req, z7, &log);
	ck_assert_uint_eq(log.n, 8);
	ck_assert_str_eq(v.policy_domain, "d.e.example.com");
	/* a 30-label name: still 8 */
	memset(&log, 0, sizeof log);
	req.from_domain = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.example.com";
	v = evaluate(&req, z, &log);
	ck_assert_uint_eq(log.n, 9);
	ck_assert_str_eq(v.policy_domain, "example.com");
}
END_TEST

/* The author domain's own record: one question when every identifier is
 * the author domain (4.10.2's note). */
START_TEST(one_question)
{
	static const struct zrec z[] = {
		{"_dmarc.example.com", DNS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}},
	};
	struct dmarc_dkim d = {"example.com", "s1", DMARC_AUTH_PASS};
	struct dmarc_request req = req_basic("example.com", DMARC_AUTH_NONE, NULL);
	req.dkim = &d;
	req.ndkim = 1;
	struct asked log = {0};
	struct verdict v = evaluate(&req, z, &log);
	ck_assert_int_eq(v.result, DMARC_PASS);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_uint_eq(v.queries, 1);
}
END_TEST

START_TEST(dns_failures)
{
	static const struct zrec z[] = {
		{"_dmarc.broken.example", DNS_SERVFAIL, {NULL}},
		{"_dmarc.example", DNS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.slow.example", DNS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.sub.slow.example", DNS_TIMEOUT, {NULL}},
		{"_dmarc.net", DNS_SERVFAIL, {NULL}},
		{NULL, 0, {NULL}},
	};
	/* the author domain's record: temperror */
	struct dmarc_request req = req_basic("broken.example", DMARC_AUTH_NONE, NULL);
	struct verdict v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_TEMPERROR);
	ck_assert_int_eq(v.problem, DMARC_E_DNS);
	/* a parent's, when the author domain has none: temperror */
	req.from_domain = "a.sub.slow.example";
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_TEMPERROR);
	/* a parent's failure while the author domain has a record and only
	 * strict comparisons are needed: no matter */
	struct dmarc_dkim d = {"slow.example", "s", DMARC_AUTH_PASS};
	req.from_domain = "slow.example";
	req.dkim = &d;
	req.ndkim = 1;
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_PASS);
	/* no record anywhere, a failure at the top: temperror, not none */
	req.from_domain = "x.y.net";
	req.ndkim = 0;
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_TEMPERROR);
}
END_TEST

START_TEST(multiple_records)
{
	static const struct zrec z[] = {
		{"_dmarc.two.example", DNS_OK, {"v=DMARC1; p=none", "v=DMARC1; p=reject"}},
		{"_dmarc.mixed.example", DNS_OK, {"v=spf1 -all", "v=DMARC1; p=reject", "hello"}},
		{"_dmarc.example", DNS_OK, {"v=DMARC1; p=quarantine; psd=y"}},
		{"two.example", DNS_OK, {NULL}},
		{NULL, 0, {NULL}},
	};
	/* two DMARC records: both discarded, the walk goes on */
	struct dmarc_request req = req_basic("two.example", DMARC_AUTH_NONE, NULL);
	struct verdict v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.policy_domain, "example");
	ck_assert_int_eq(v.policy, DMARC_P_QUARANTINE);
	/* other TXT records are not DMARC records */
	req.from_domain = "mixed.example";
	v = evaluate(&req, z, NULL);
	ck_assert_str_eq(v.policy_domain, "mixed.example");
	ck_assert_int_eq(v.policy, DMARC_P_REJECT);
	/* no record at all */
	req.from_domain = "nothing.invalid";
	v = evaluate(&req, z, NULL);
	ck_assert_int_eq(v.result, DMARC_NONE);
	ck_assert_int_eq(v.disposition, DMARC_P_NONE);
}
END_TEST

Suite *suite_walk(void)
{
	Suite *s = suite_create("dmarc-walk");
	TCase *t = tcase_create("walk");
	tcase_add_test(t, targets);
	tcase_add_test(t, org_fewest_labels);
	tcase_add_test(t, org_psd_y);
	tcase_add_test(t, psd_public_suffix_like);
	tcase_add_test(t, psd_n_stops);
	tcase_add_test(t, eight_labels);
	tcase_add_test(t, one_question);
	tcase_add_test(t, dns_failures);
	tcase_add_test(t, multiple_records);
	suite_add_tcase(s, t);
	return s;
}
