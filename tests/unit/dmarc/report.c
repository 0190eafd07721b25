/* Aggregate reports (RFC 9990): rows counted, the XML's elements. */
#include <check.h>
#include <string.h>

#include "util.h"

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(rows_and_xml)
{
	struct dmarc_report *r = dmarc_report_new();
	ck_assert_ptr_nonnull(r);
	struct dmarc_dkim k = {"example.com", "s1", DMARC_AUTH_PASS};
	struct dmarc_report_row w = {
		.source_ip = "192.0.2.1", .header_from = "example.com", .envelope_from = "example.com",
		.result = DMARC_PASS, .disposition = DMARC_P_NONE, .dkim_aligned = 1,
		.dkim = &k, .ndkim = 1, .spf_domain = "example.com", .spf = DMARC_AUTH_PASS,
		.spf_aligned = 1, .time = 1000,
	};
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(dmarc_report_add(r, &w), 0);
	w.source_ip = "198.51.100.7";
	w.result = DMARC_FAIL;
	w.dkim_aligned = w.spf_aligned = 0;
	w.disposition = DMARC_P_QUARANTINE;
	w.reason_type = "policy_test_mode";
	k.result = DMARC_AUTH_FAIL;
	w.spf = DMARC_AUTH_FAIL;
	w.header_from = "a<b>&\"c.example";  /* escaped */
	w.time = 2000;
	ck_assert_int_eq(dmarc_report_add(r, &w), 0);
	ck_assert_uint_eq(dmarc_report_rows(r), 2);
	ck_assert_uint_eq(dmarc_report_messages(r), 4);
	struct dmarc_record rec;
	ck_assert_int_eq(dmarc_record_parse("v=DMARC1; p=reject; np=quarantine; t=y", 38, 0, &rec, NULL, NULL), DMARC_OK);
	struct dmarc_report_meta m = {
		.org_name = "Receiver & Co", .email = "dmarc@receiver.example", .report_id = "r1",
		.domain = "example.com", .policy = &rec,
	};
	struct mime_buf x = {0};
	ck_assert_int_eq(dmarc_report_xml(r, &m, &x), MIME_OK);
	const char *s = x.data;
	ck_assert(strstr(s, "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"));
	ck_assert(strstr(s, "<version>1.0</version>"));
	ck_assert(strstr(s, "<org_name>Receiver &amp; Co</org_name>"));
	ck_assert(strstr(s, "<begin>1000</begin>"));
	ck_assert(strstr(s, "<end>2000</end>"));
	ck_assert(strstr(s, "<discovery_method>treewalk</discovery_method>"));
	ck_assert(strstr(s, "<np>quarantine</np>"));
	ck_assert(strstr(s, "<testing>y</testing>"));
	ck_assert(!strstr(s, "<pct>"));
	ck_assert_uint_eq(count(s, "<record>"), 2);
	ck_assert(strstr(s, "<count>3</count>"));
	ck_assert(strstr(s, "<count>1</count>"));
	ck_assert(strstr(s, "<type>policy_test_mode</type>"));
	ck_assert(strstr(s, "a&lt;b&gt;&amp;&quot;c.example"));
	ck_assert(strstr(s, "<scope>mfrom</scope>"));
	ck_assert(strstr(s, "<selector>s1</selector>"));
	mime_buf_free(&x);
	/* 7489 mode: psl, no np or testing */
	m.rfc7489 = 1;
	ck_assert_int_eq(dmarc_report_xml(r, &m, &x), MIME_OK);
	ck_assert(strstr(x.data, "<discovery_method>psl</discovery_method>"));
	ck_assert(!strstr(x.data, "<testing>"));
	mime_buf_free(&x);
	dmarc_report_free(r);
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("dmarc-report");
	TCase *t = tcase_create("report");
	tcase_add_test(t, rows_and_xml);
	suite_add_tcase(s, t);
	return s;
}
