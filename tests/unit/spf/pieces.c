/* lib/spf's pieces: RFC 7208 7.4's macro examples, the expansion bounds,
 * record syntax, addresses, Received-SPF written and read back, and the
 * machine's behaviour (questions asked together, any answer order, reset,
 * limits, the question cap). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"
#include "../../../lib/spf/spf-int.h"

static struct spf_macro_env env4(void)
{
	/* RFC 7208 7.4: strong-bad@email.example.com from 192.0.2.3 */
	struct spf_macro_env e = {
		.sender = "strong-bad@email.example.com", .local = "strong-bad",
		.sender_domain = "email.example.com", .domain = "email.example.com", .family = 4,
		.helo = "mx.example.org", .receiver = "rcv.example.net", .now = 1234567890,
	};
	uint8_t ip[4] = { 192, 0, 2, 3 };
	memcpy(e.ip, ip, 4);
	return e;
}

static void expands(const struct spf_macro_env *e, const char *in, int exp, const char *want)
{
	char out[1024];
	enum spf_problem pr;
	ck_assert_msg(spf_expand(e, in, strlen(in), exp, out, sizeof out, &pr) == 0, "%s", in);
	ck_assert_str_eq(out, want);
}

START_TEST(macro_examples)
{
	struct spf_macro_env e = env4();
	expands(&e, "%{s}", 0, "strong-bad@email.example.com");
	expands(&e, "%{o}", 0, "email.example.com");
	expands(&e, "%{d}", 0, "email.example.com");
	expands(&e, "%{d4}", 0, "email.example.com");
	expands(&e, "%{d3}", 0, "email.example.com");
	expands(&e, "%{d2}", 0, "example.com");
	expands(&e, "%{d1}", 0, "com");
	expands(&e, "%{dr}", 0, "com.example.email");
	expands(&e, "%{d2r}", 0, "example.email");
	expands(&e, "%{l}", 0, "strong-bad");
	expands(&e, "%{l-}", 0, "strong.bad");
	expands(&e, "%{lr}", 0, "strong-bad");
	expands(&e, "%{lr-}", 0, "bad.strong");
	expands(&e, "%{l1r-}", 0, "strong");
	expands(&e, "%{ir}.%{v}._spf.%{d2}", 0, "3.2.0.192.in-addr._spf.example.com");
	expands(&e, "%{lr-}.lp._spf.%{d2}", 0, "bad.strong.lp._spf.example.com");
	expands(&e, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0,
		"bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expands(&e, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0,
		"3.2.0.192.in-addr.strong.lp._spf.example.com");
	expands(&e, "%{d2}.trusted-domains.example.net", 0, "example.com.trusted-domains.example.net");
	expands(&e, "%%%_%-", 0, "% %20");
	expands(&e, "%{S}", 0, "strong-bad%40email.example.com");
	expands(&e, "%{h}", 0, "mx.example.org");
	expands(&e, "%{p}", 0, "unknown");
	expands(&e, "%{c} %{r} %{t}", 1, "192.0.2.3 rcv.example.net 1234567890");
	/* IPv6: nibbles for i, RFC 5952 for c */
	e.family = 6;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::cb01", e.ip), 1);
	expands(&e, "%{ir}.%{v}._spf.%{d2}", 0,
		"1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
	expands(&e, "%{c}", 1, "2001:db8::cb01");
	/* a huge digit transformer is "all of them" */
	expands(&e, "%{d99999999999}", 0, "email.example.com");
}
END_TEST

START_TEST(macro_errors)
{
	struct spf_macro_env e = env4();
	const char *bad[] = { "%", "%{", "%{s", "%{x}", "%{d0}", "%{d00}", "%{c}", "%{r}", "%{t}",
			      "%a", "%{s:}", "a b", "%{S2x}" };
	char out[64];
	enum spf_problem pr;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_msg(spf_expand(&e, bad[i], strlen(bad[i]), 0, out, sizeof out, &pr) < 0,
			      "%s expanded", bad[i]);
		ck_assert_int_eq(pr, SPF_E_MACRO);
	}
	/* the exp-only letters are fine in an explanation */
	ck_assert_int_eq(spf_expand(&e, "%{c} %{t}", 9, 1, out, sizeof out, &pr), 0);
}
END_TEST

/* libspf2 CVE-2021-20314, CVE-2023-42118: a long expansion is bounded, and
 * a domain loses labels from the left to 253 octets (7.3) */
START_TEST(macro_bounds)
{
	struct spf_macro_env e = env4();
	char local[80];
	memset(local, 'a', 63);
	for (int i = 1; i < 63; i += 2)
		local[i] = '-';
	local[63] = 0;
	e.local = local;
	char spec[4096] = "";
	for (int i = 0; i < 300; i++)
		strcat(spec, "%{L1r-}.%{S}.");
	strcat(spec, "%{d}");
	char out[256];
	enum spf_problem pr;
	ck_assert_int_eq(spf_expand_domain(&e, spec, strlen(spec), out, sizeof out, &pr), 0);
	ck_assert_uint_le(strlen(out), 253);
	size_t n = strlen(out);
	ck_assert_str_eq(out + n - strlen("email.example.com"), "email.example.com");
	ck_assert_int_ne(out[0], '.');
	/* a small buffer: the explanation is cut, never overrun */
	char small[16];
	ck_assert_int_eq(spf_expand(&e, spec, strlen(spec), 0, small, sizeof small, &pr), 0);
	ck_assert_uint_eq(strlen(small), 15);
}
END_TEST

static void record_ok(const char *r)
{
	const char *why = NULL;
	size_t at;
	ck_assert_msg(spf_record_check(r, strlen(r), &why, &at) == SPF_OK, "%s: %s", r, why);
}

static void record_bad(const char *r, enum spf_problem want)
{
	const char *why = NULL;
	size_t at;
	enum spf_problem p = spf_record_check(r, strlen(r), &why, &at);
	ck_assert_msg(p == want, "%s: got %d", r, p);
	ck_assert_ptr_nonnull(why);
}

START_TEST(records)
{
	ck_assert(spf_is_record("v=spf1", 6));
	ck_assert(spf_is_record("V=SPF1 -all", 11));
	ck_assert(!spf_is_record("v=spf10", 7));
	ck_assert(!spf_is_record("v=spf1-all", 10));
	record_ok("v=spf1");
	record_ok("v=spf1 ");
	record_ok("v=spf1  a  mx   -all ");
	record_ok("v=spf1 a/24 a//64 a/24//64 a:x.example/24 mx:%{d}//48 ptr ptr:x.example ?all");
	record_ok("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::ffff:192.0.2.1 ip6:::1");
	record_ok("v=spf1 include:_spf.%{d2} exists:%{ir}.%{l1r+-}._spf.%{d} redirect=x.example");
	record_ok("v=spf1 exp=explain._spf.%{d} foo=bar x-y.z=%{s} -all");
	record_ok("v=spf1 a:foo.com. -all");
	record_bad("v=spf1 ip4:192.0.2.0/33", SPF_E_SYNTAX);
	record_bad("v=spf1 ip4:192.0.2.01", SPF_E_SYNTAX);
	record_bad("v=spf1 ip4:192.0.2", SPF_E_SYNTAX);
	record_bad("v=spf1 ip6:2001:db8::/129", SPF_E_SYNTAX);
	record_bad("v=spf1 ip6:1:2:3:4:5:6:7:8:9", SPF_E_SYNTAX);
	record_bad("v=spf1 a/024", SPF_E_SYNTAX);
	record_bad("v=spf1 a:foo.1", SPF_E_SYNTAX);
	record_bad("v=spf1 a:foo", SPF_E_SYNTAX);
	record_bad("v=spf1 include", SPF_E_SYNTAX);
	record_bad("v=spf1 include:", SPF_E_SYNTAX);
	record_bad("v=spf1 all:x", SPF_E_SYNTAX);
	record_bad("v=spf1 -", SPF_E_SYNTAX);
	record_bad("v=spf1 foo:bar", SPF_E_SYNTAX);
	record_bad("v=spf1 a:%{x}.example", SPF_E_SYNTAX);
	record_bad("v=spf1 a:%{c}.example", SPF_E_SYNTAX);
	record_bad("v=spf1 redirect=a.example redirect=b.example", SPF_E_DUPLICATE_MOD);
	record_bad("v=spf1 exp=a.example exp=b.example", SPF_E_DUPLICATE_MOD);
	record_bad("v=spf1 a:caf\xc3\xa9.example", SPF_E_SYNTAX);
	record_bad("v=spf1 -all\t", SPF_E_SYNTAX);
	record_bad("spf1 -all", SPF_E_SYNTAX);
}
END_TEST

START_TEST(addresses)
{
	uint8_t a[16], b[16];
	const char *six[] = { "::", "::1", "1::", "2001:db8::1", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4",
			      "1:2:3:4:5:6:1.2.3.4", "fe80::1:2", "A:B::C" };
	for (size_t i = 0; i < sizeof six / sizeof *six; i++) {
		ck_assert_msg(spf_parse_ip6(six[i], strlen(six[i]), a) == 0, "%s", six[i]);
		ck_assert_int_eq(inet_pton(AF_INET6, six[i], b), 1);
		ck_assert_msg(memcmp(a, b, 16) == 0, "%s", six[i]);
	}
	const char *bad6[] = { "", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
			       "1:2:3:4:5:6:7", "::1.2.3", "g::", "1:", ":1" };
	for (size_t i = 0; i < sizeof bad6 / sizeof *bad6; i++)
		ck_assert_msg(spf_parse_ip6(bad6[i], strlen(bad6[i]), a) < 0, "%s", bad6[i]);
	char t[64];
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:0:0:1:0:0:1", a), 1);
	spf_ip_text(6, a, t, sizeof t);
	ck_assert_str_eq(t, "2001:db8::1:0:0:1");   /* RFC 5952 4.2.3: the first longest run */
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:0:1:1:1:1:1", a), 1);
	spf_ip_text(6, a, t, sizeof t);
	ck_assert_str_eq(t, "2001:db8:0:1:1:1:1:1"); /* 4.2.2: one zero group stays */
	int fam;
	ck_assert_int_eq(spf_parse_address("192.0.2.1", 9, &fam, a), 0);
	ck_assert_int_eq(fam, 4);
	ck_assert_int_eq(a[3], 1);
	ck_assert_int_eq(spf_parse_address("[2001:db8::1]", 13, &fam, a), 0);
	ck_assert_int_eq(fam, 6);
	ck_assert_int_eq(a[15], 1);
	ck_assert_int_eq(spf_parse_address("2001:db8::1", 11, &fam, a), 0);
	ck_assert_int_lt(spf_parse_address("[192.0.2.1", 10, &fam, a), 0);
	ck_assert_int_lt(spf_parse_address("192.0.2", 7, &fam, a), 0);
	ck_assert_int_lt(spf_parse_address("", 0, &fam, a), 0);
	uint8_t n1[4] = { 192, 0, 2, 0 }, n2[4] = { 192, 0, 2, 255 }, n3[4] = { 192, 0, 3, 0 };
	ck_assert(spf_prefix_eq(n1, n2, 24));
	ck_assert(!spf_prefix_eq(n1, n3, 24));
	ck_assert(spf_prefix_eq(n1, n3, 23));
	ck_assert(spf_prefix_eq(n1, n3, 0));
	ck_assert(!spf_prefix_eq(n1, n2, 32));
}
END_TEST

START_TEST(received_roundtrip)
{
	struct spf_request req = { .family = 4, .ip = { 192, 0, 2, 1 }, .sender = "a\"b@example.com",
				   .helo = "mail.example.com" };
	struct spf_outcome o = { .result = SPF_SOFTFAIL, .identity = SPF_MAILFROM,
				 .domain = "example.com", .mechanism = "~all" };
	char f[1024];
	size_t n = spf_received_field(&o, &req, "mx.example.net", f, sizeof f);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(strlen(f), n);
	ck_assert(strncmp(f, "Received-SPF: softfail (", 24) == 0);
	/* every line within 78 columns, CRLF, folded with a space */
	for (char *l = f; *l;) {
		char *e = strstr(l, "\r\n");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_le(e - l, 78);
		l = e + 2;
		if (*l)
			ck_assert_int_eq(*l, ' ');
	}
	struct spf_received_info info;
	ck_assert_int_eq(spf_received_parse(f + 13, n - 13, &info), 0);
	ck_assert_int_eq(info.result, SPF_SOFTFAIL);
	ck_assert_str_eq(info.client_ip, "192.0.2.1");
	ck_assert_str_eq(info.envelope_from, "a\"b@example.com");
	ck_assert_str_eq(info.helo, "mail.example.com");
	ck_assert_str_eq(info.identity, "mailfrom");
	ck_assert_str_eq(info.receiver, "mx.example.net");
	ck_assert_str_eq(info.mechanism, "~all");
	/* too small a buffer: 0, not a cut field */
	ck_assert_uint_eq(spf_received_field(&o, &req, "mx.example.net", f, 40), 0);
	const char *bad[] = { "", "passed", "pass key", "pass (open", "pass a=\"open", "pass a=b c=d",
			      "pass a=b;;" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(spf_received_parse(bad[i], strlen(bad[i]), &info) < 0, "%s", bad[i]);
	const char *ok = " Pass (comment (nested) \\) ) client-ip = 10.0.0.1 ; helo=\"x y\" (c)";
	ck_assert_int_eq(spf_received_parse(ok, strlen(ok), &info), 0);
	ck_assert_int_eq(info.result, SPF_PASS);
	ck_assert_str_eq(info.client_ip, "10.0.0.1");
	ck_assert_str_eq(info.helo, "x y");
}
END_TEST

/* ---- the machine, over a small zone held here ---------------------------- */

struct z {
	const char *name;
	enum dns_type type;
	enum dns_status status;
	const char *data[12];   /* TXT, names; A/AAAA as text */
};

static const struct z *zone;

static void answer_from(const struct dns_question *q, struct dns_answer *a, struct dns_record *r,
			uint8_t addr[][16])
{
	a->id = q->id;
	a->count = 0;
	a->records = r;
	a->status = DNS_NXDOMAIN;
	for (const struct z *z = zone; z->name; z++) {
		if (strcmp(z->name, q->name) != 0)
			continue;
		if (a->status == DNS_NXDOMAIN)
			a->status = DNS_NODATA;
		if (z->type != q->type)
			continue;
		a->status = z->status;
		for (size_t i = 0; z->data[i]; i++) {
			if (q->type == DNS_A || q->type == DNS_AAAA) {
				inet_pton(q->type == DNS_A ? AF_INET : AF_INET6, z->data[i], addr[a->count]);
				r[a->count] = (struct dns_record){ (const char *)addr[a->count],
								   q->type == DNS_A ? 4u : 16u, 0 };
			} else {
				r[a->count] = (struct dns_record){ z->data[i], strlen(z->data[i]), 10 };
			}
			a->count++;
		}
	}
}

/* Run e; max_together: the most questions out at once seen. */
static const struct spf_outcome *drive(struct spf_eval *e, int lifo, size_t *max_together,
				       size_t *asked)
{
	struct dns_question pend[512];
	size_t np = 0, most = 0, total = 0;
	for (;;) {
		struct dns_question q;
		enum spf_step s = spf_next(e, &q);
		if (s == SPF_QUERY) {
			ck_assert_uint_lt(np, 512);
			pend[np++] = q;
			total++;
			if (np > most)
				most = np;
			continue;
		}
		if (s == SPF_DONE)
			break;
		ck_assert_uint_gt(np, 0);
		struct dns_question cur;
		if (lifo) {
			cur = pend[--np];
		} else {
			cur = pend[0];
			memmove(pend, pend + 1, --np * sizeof *pend);
		}
		struct dns_record r[16];
		uint8_t addr[16][16];
		struct dns_answer a;
		answer_from(&cur, &a, r, addr);
		spf_answer(e, &a);
	}
	if (max_together)
		*max_together = most;
	if (asked)
		*asked = total;
	return spf_outcome(e);
}

static const struct z zone1[] = {
	{ "ex.test", DNS_TXT, DNS_OK, { "v=spf1 mx a:other.test -all" } },
	{ "ex.test", DNS_MX, DNS_OK, { "m1.ex.test", "m2.ex.test", "m3.ex.test" } },
	{ "m1.ex.test", DNS_A, DNS_OK, { "192.0.2.1" } },
	{ "m2.ex.test", DNS_A, DNS_OK, { "192.0.2.2" } },
	{ "m3.ex.test", DNS_A, DNS_OK, { "192.0.2.3" } },
	{ "other.test", DNS_A, DNS_OK, { "192.0.2.9" } },
	{ "srv.test", DNS_TXT, DNS_SERVFAIL, { NULL } },
	{ "inc.test", DNS_TXT, DNS_OK, { "v=spf1 include:srv.test -all" } },
	{ NULL, 0, 0, { NULL } },
};

static struct spf_request req4(const char *sender, const char *ip)
{
	struct spf_request r = { .family = 4, .sender = sender, .helo = "h.test" };
	inet_pton(AF_INET, ip, r.ip);
	return r;
}

START_TEST(machine_together_and_order)
{
	zone = zone1;
	const char *ips[] = { "192.0.2.3", "192.0.2.9", "192.0.2.77" };
	enum spf_result want[] = { SPF_PASS, SPF_PASS, SPF_FAIL };
	for (int lifo = 0; lifo < 2; lifo++)
		for (size_t i = 0; i < 3; i++) {
			struct spf_request r = req4("a@ex.test", ips[i]);
			struct spf_eval *e = spf_eval_new(&r, NULL);
			ck_assert_ptr_nonnull(e);
			size_t most, asked;
			const struct spf_outcome *o = drive(e, lifo, &most, &asked);
			ck_assert_int_eq(o->result, want[i]);
			/* the three exchanges' addresses were out together */
			ck_assert_uint_ge(most, 3);
			ck_assert_uint_eq(o->dns_terms, i == 0 ? 1 : 2);
			/* each question once */
			ck_assert_uint_eq(asked, o->queries);
			spf_eval_free(e);
		}
}
END_TEST

START_TEST(machine_reset_and_errors)
{
	zone = zone1;
	struct spf_request r = req4("a@inc.test", "192.0.2.1");
	struct spf_eval *e = spf_eval_new(&r, NULL);
	const struct spf_outcome *o = drive(e, 0, NULL, NULL);
	ck_assert_int_eq(o->result, SPF_TEMPERROR);
	ck_assert_int_eq(o->problem, SPF_E_DNS);
	ck_assert_str_eq(o->problem_text, "DNS server failure for TXT srv.test");
	/* the same object, another request: nothing of the first stays */
	r = req4("a@ex.test", "192.0.2.2");
	ck_assert_int_eq(spf_eval_reset(e, &r), 0);
	o = drive(e, 1, NULL, NULL);
	ck_assert_int_eq(o->result, SPF_PASS);
	ck_assert_str_eq(o->mechanism, "mx");
	ck_assert_ptr_null(o->problem_text);
	/* HELO identity: postmaster@helo */
	r = req4(NULL, "192.0.2.2");
	r.helo = "ex.test";
	ck_assert_int_eq(spf_eval_reset(e, &r), 0);
	o = drive(e, 0, NULL, NULL);
	ck_assert_int_eq(o->identity, SPF_HELO);
	ck_assert_int_eq(o->result, SPF_PASS);
	/* a domain literal or a single label: none, without asking */
	r = req4("a@[192.0.2.1]", "192.0.2.2");
	ck_assert_int_eq(spf_eval_reset(e, &r), 0);
	size_t asked;
	o = drive(e, 0, NULL, &asked);
	ck_assert_int_eq(o->result, SPF_NONE);
	ck_assert_uint_eq(asked, 0);
	spf_eval_free(e);
}
END_TEST

/* A tight question cap and term limit come from the caller's limits. */
START_TEST(machine_limits)
{
	zone = zone1;
	struct spf_request r = req4("a@ex.test", "192.0.2.9");
	struct spf_limits lim = { .dns_terms = 1, .void_lookups = 2, .mx_names = 10, .ptr_names = 10,
				  .queries = 100 };
	struct spf_eval *e = spf_eval_new(&r, &lim);
	const struct spf_outcome *o = drive(e, 0, NULL, NULL);
	ck_assert_int_eq(o->result, SPF_PERMERROR);
	ck_assert_int_eq(o->problem, SPF_E_TOO_MANY_TERMS);
	spf_eval_free(e);
	lim = (struct spf_limits){ 10, 2, 2, 10, 100 };
	e = spf_eval_new(&r, &lim);
	o = drive(e, 0, NULL, NULL);
	ck_assert_int_eq(o->problem, SPF_E_TOO_MANY_NAMES);
	spf_eval_free(e);
	lim = (struct spf_limits){ 10, 2, 10, 10, 3 };
	e = spf_eval_new(&r, &lim);
	size_t asked;
	o = drive(e, 0, NULL, &asked);
	ck_assert_int_eq(o->problem, SPF_E_QUERIES);
	ck_assert_uint_le(asked, 3);
	spf_eval_free(e);
}
END_TEST

/* An IPv4-mapped IPv6 client is checked as IPv4 (RFC 7208 5). */
START_TEST(machine_mapped)
{
	zone = zone1;
	struct spf_request r = { .family = 6, .sender = "a@ex.test", .helo = "h.test" };
	inet_pton(AF_INET6, "::ffff:192.0.2.2", r.ip);
	struct spf_eval *e = spf_eval_new(&r, NULL);
	const struct spf_outcome *o = drive(e, 0, NULL, NULL);
	ck_assert_int_eq(o->result, SPF_PASS);
	spf_eval_free(e);
}
END_TEST

Suite *suite_pieces(void)
{
	Suite *s = suite_create("spf-pieces");
	TCase *tc = tcase_create("pieces");
	tcase_add_test(tc, macro_examples);
	tcase_add_test(tc, macro_errors);
	tcase_add_test(tc, macro_bounds);
	tcase_add_test(tc, records);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, received_roundtrip);
	tcase_add_test(tc, machine_together_and_order);
	tcase_add_test(tc, machine_reset_and_errors);
	tcase_add_test(tc, machine_limits);
	tcase_add_test(tc, machine_mapped);
	suite_add_tcase(s, tc);
	return s;
}
