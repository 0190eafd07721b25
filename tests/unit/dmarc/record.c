/* DMARC records (RFC 9989 4.7, 4.8; RFC 7489 6.3 in 7489 mode): what is
 * read, the defaults, what is ignored, and when a record cannot be used. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static enum dmarc_problem parse(const char *s, unsigned flags, struct dmarc_record *r)
{
	return dmarc_record_parse(s, strlen(s), flags, r, NULL, NULL);
}

START_TEST(tags_read)
{
	struct dmarc_record r;
	ck_assert_int_eq(parse("v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=s; t=y; "
			       "psd=n; fo=1:d:s; rua=mailto:a@example.com,mailto:b@example.net; "
			       "ruf=mailto:f@example.com", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_REJECT);
	ck_assert_int_eq(r.sp, DMARC_P_QUARANTINE);
	ck_assert_int_eq(r.np, DMARC_P_NONE);
	ck_assert_int_eq(r.adkim, DMARC_STRICT);
	ck_assert_int_eq(r.aspf, DMARC_STRICT);
	ck_assert_int_eq(r.testing, 1);
	ck_assert_int_eq(r.psd, DMARC_PSD_N);
	ck_assert_uint_eq(r.fo, DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S);
	ck_assert_uint_eq(r.rua_valid, 2);
	ck_assert_uint_eq(r.ruf_valid, 1);
	ck_assert_uint_eq(r.warnings, 0);
	/* white space around '=' and ';', a final ';', values in any case */
	ck_assert_int_eq(parse("v = DMARC1 ;p = Reject ; ADKIM=S;", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_REJECT);
	ck_assert_int_eq(r.adkim, DMARC_STRICT);
}
END_TEST

START_TEST(defaults)
{
	struct dmarc_record r;
	ck_assert_int_eq(parse("v=DMARC1; p=none", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.sp, DMARC_P_UNSET);
	ck_assert_int_eq(r.np, DMARC_P_UNSET);
	ck_assert_int_eq(r.adkim, DMARC_RELAXED);
	ck_assert_int_eq(r.aspf, DMARC_RELAXED);
	ck_assert_int_eq(r.psd, DMARC_PSD_U);
	ck_assert_int_eq(r.testing, 0);
	ck_assert_uint_eq(r.fo, DMARC_FO_0);
	ck_assert_uint_eq(r.pct, 100);
	ck_assert_uint_eq(r.rua.len, 0);
	ck_assert_int_eq(parse("v=DMARC1", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_UNSET);
}
END_TEST

START_TEST(version)
{
	struct dmarc_record r;
	/* v=DMARC1 first, the value exactly (case-sensitive) */
	ck_assert_int_eq(parse("p=reject; v=DMARC1", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse("v=dmarc1; p=reject", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse("v=DMARC1x; p=reject", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse("v=DMARC2; p=reject", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse(" v=DMARC1; p=reject", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse("", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse("v=spf1 -all", 0, &r), DMARC_E_NOT_DMARC);
	ck_assert_int_eq(parse("V=DMARC1; p=reject", 0, &r), DMARC_OK);
	ck_assert_int_eq(parse("v=DMARC1 ; p=reject", 0, &r), DMARC_OK);
	ck_assert(dmarc_is_record("v=DMARC1", 8));
	ck_assert(!dmarc_is_record("v=DMARC10", 9));
}
END_TEST

START_TEST(ignored)
{
	struct dmarc_record r;
	enum dmarc_problem w;
	size_t at;
	/* unknown tags ignored, silently (RFC 9989 4.7) */
	ck_assert_int_eq(parse("v=DMARC1; p=reject; foo=bar; x=1", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_REJECT);
	ck_assert_uint_eq(r.warnings, 0);
	/* RFC 9989 removed pct, rf, ri: unknown tags now, even with bad values */
	ck_assert_int_eq(parse("v=DMARC1; p=reject; pct=500; rf=bob; ri=x", 0, &r), DMARC_OK);
	ck_assert_uint_eq(r.warnings, 0);
	ck_assert_uint_eq(r.pct, 100);
	/* a part that is not tag=value, a bad value: ignored, the default kept, noted */
	const char *s = "v=DMARC1; p=reject; fo:0; adkim=x";
	ck_assert_int_eq(dmarc_record_parse(s, strlen(s), 0, &r, &w, &at), DMARC_OK);
	ck_assert_uint_eq(r.warnings, 2);
	ck_assert_int_eq(w, DMARC_E_SYNTAX);
	ck_assert_uint_eq(at, 20);
	ck_assert_int_eq(r.adkim, DMARC_RELAXED);
	ck_assert_uint_eq(r.fo, DMARC_FO_0);
	/* a repeated tag: the first one counts */
	ck_assert_int_eq(parse("v=DMARC1; p=none; p=reject", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_NONE);
	/* an empty value is not 1*dmarc-value */
	ck_assert_int_eq(parse("v=DMARC1; p=", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_UNSET);
	ck_assert_uint_eq(r.warnings, 1);
	/* control bytes in a value */
	ck_assert_int_eq(parse("v=DMARC1; p=rej\001ect", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_UNSET);
}
END_TEST

START_TEST(policy_rules)
{
	struct dmarc_record r;
	int as_none;
	/* no valid p=, no valid rua= URI: no DMARC processing */
	ck_assert_int_eq(parse("v=DMARC1; p=bob", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_INVALID);
	ck_assert(!dmarc_record_usable(&r, &as_none));
	ck_assert_int_eq(parse("v=DMARC1; sp=reject", 0, &r), DMARC_OK);
	ck_assert(!dmarc_record_usable(&r, &as_none));
	/* ... with a valid rua= URI: act as p=none (RFC 9989 4.10.1) */
	ck_assert_int_eq(parse("v=DMARC1; rua=mailto:r@example.com", 0, &r), DMARC_OK);
	ck_assert(dmarc_record_usable(&r, &as_none));
	ck_assert_int_eq(as_none, 1);
	ck_assert_int_eq(parse("v=DMARC1; p=reject; sp=bob; rua=mailto:r@example.com", 0, &r), DMARC_OK);
	ck_assert(dmarc_record_usable(&r, &as_none));
	ck_assert_int_eq(as_none, 1);
	ck_assert_int_eq(parse("v=DMARC1; p=reject; np=bob", 0, &r), DMARC_OK);
	ck_assert(!dmarc_record_usable(&r, &as_none));
	/* an invalid URI does not count */
	ck_assert_int_eq(parse("v=DMARC1; p=x; rua=example.com", 0, &r), DMARC_OK);
	ck_assert_uint_eq(r.rua_valid, 0);
	ck_assert(!dmarc_record_usable(&r, &as_none));
	ck_assert_int_eq(parse("v=DMARC1; p=x; rua=mailto:nobody", 0, &r), DMARC_OK);
	ck_assert_uint_eq(r.rua_valid, 0);
	/* !size suffixes are allowed (and ignored) */
	ck_assert_int_eq(parse("v=DMARC1; p=x; rua=mailto:r@example.com!10m, https://r.example/x", 0, &r), DMARC_OK);
	ck_assert_uint_eq(r.rua_valid, 2);
	ck_assert_int_eq(parse("v=DMARC1; p=quarantine", 0, &r), DMARC_OK);
	ck_assert(dmarc_record_usable(&r, &as_none));
	ck_assert_int_eq(as_none, 0);
}
END_TEST

START_TEST(psd_and_t)
{
	struct dmarc_record r;
	ck_assert_int_eq(parse("v=DMARC1; p=none; psd=y", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.psd, DMARC_PSD_Y);
	ck_assert_int_eq(parse("v=DMARC1; p=none; psd=u", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.psd, DMARC_PSD_U);
	ck_assert_int_eq(parse("v=DMARC1; p=none; psd=yes", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.psd, DMARC_PSD_U);
	ck_assert_uint_eq(r.warnings, 1);
	ck_assert_int_eq(parse("v=DMARC1; p=none; t=n", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.testing, 0);
	ck_assert_int_eq(parse("v=DMARC1; p=none; t=x", 0, &r), DMARC_OK);
	ck_assert_int_eq(r.testing, 0);
	ck_assert_uint_eq(r.warnings, 1);
	/* 7489 mode: no np, psd, t */
	ck_assert_int_eq(parse("v=DMARC1; p=none; psd=y; t=y; np=reject", DMARC_RFC7489, &r), DMARC_OK);
	ck_assert_int_eq(r.psd, DMARC_PSD_U);
	ck_assert_int_eq(r.testing, 0);
	ck_assert_int_eq(r.np, DMARC_P_UNSET);
}
END_TEST

START_TEST(rfc7489_tags)
{
	struct dmarc_record r;
	ck_assert_int_eq(parse("v=DMARC1; p=reject; pct=20; rf=afrf; ri=3600", DMARC_RFC7489, &r), DMARC_OK);
	ck_assert_uint_eq(r.pct, 20);
	ck_assert_int_eq(r.has_pct, 1);
	ck_assert_uint_eq(r.ri, 3600);
	ck_assert_uint_eq(r.warnings, 0);
	ck_assert_int_eq(parse("v=DMARC1; p=reject; pct=500", DMARC_RFC7489, &r), DMARC_OK);
	ck_assert_uint_eq(r.pct, 100);
	ck_assert_uint_eq(r.warnings, 1);
	ck_assert_int_eq(parse("v=DMARC1; p=reject; pct=0", DMARC_RFC7489, &r), DMARC_OK);
	ck_assert_uint_eq(r.pct, 0);
}
END_TEST

/* OpenDMARC's parse table (../shared/testdata/dmarc/opendmarc/record-parse.tsv):
 * its OKAY rows are DMARC records here, usable as policies; its errors
 * are records whose bad part is ignored (RFC 9989 4.7) or, for p=, that
 * cannot be used. */
START_TEST(opendmarc_table)
{
	static const struct { const char *rec; int dmarc, usable; } t[] = {
		{"v=DMARC1; p=none; rf=afrf; rua=mailto:dmarc-a@abuse.net; ruf=mailto:dmarc-f@abuse.net", 1, 1},
		{"v=DMARC1; p=none;", 1, 1},
		{"v=DMARC1; p=reject;", 1, 1},
		{"v=DMARC1; p=quarantine;", 1, 1},
		{"v=DMARC1; p=n;", 1, 0},          /* OpenDMARC takes p=n as none; it is no value */
		{"", 0, 0},
		{"V=BOB", 0, 0},
		{"v=DMARC1; p=bob;", 1, 0},
		{"v=DMARC1; p=none; sp=bob;", 1, 0},
		{"v=DMARC1; p=none; adkim=bob;", 1, 1},
		{"v=DMARC1; p=none; aspf=bob;", 1, 1},
		{"v=DMARC1; p=none; rf=bob;", 1, 1},
		{"v=DMARC1; p=none; ri=bob;", 1, 1},
		{"v=DMARC1; p=none; pct=500;", 1, 1},
		{"v=DMARC1; pct=100;", 1, 0},
		{"v=DMARC1; p=none; rua=ftp://abuse.com", 1, 1},
		{"v=DMARC1; p=none; ruf=mailto://abuse.com", 1, 1},
		{"v=DMARC1; p=none; ruf=mailto://abuse.com; foo=bar; buzz=happy;", 1, 1},
		{"v=DMARC1; p=none; rf=000000000000000000000000000000000", 1, 1},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct dmarc_record r;
		enum dmarc_problem p = parse(t[i].rec, 0, &r);
		ck_assert_msg((p == DMARC_OK) == t[i].dmarc, "row %zu", i + 1);
		if (p == DMARC_OK)
			ck_assert_msg(dmarc_record_usable(&r, NULL) == t[i].usable, "row %zu", i + 1);
	}
}
END_TEST

/* Mail::DMARC's real-world records with syntax errors: all accepted. */
START_TEST(lenient_records)
{
	FILE *f = fopen("../shared/testdata/dmarc/mail-dmarc/lenient-records.txt", "r");
	if (!f)
		f = fopen("/work/shared/testdata/dmarc/mail-dmarc/lenient-records.txt", "r");
	if (!f)
		return;  /* no test data here */
	char line[2048];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		char *rec = strstr(line, "v=DMARC1");
		if (!rec)
			continue;
		rec[strcspn(rec, "\r\n")] = '\0';
		struct dmarc_record r;
		ck_assert_msg(parse(rec, 0, &r) == DMARC_OK, "%s", rec);
		ck_assert_msg(dmarc_record_usable(&r, NULL), "%s", rec);
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 30);
}
END_TEST

/* 4 KB records: a long rua= list, a long unknown tag; bounded, exact. */
START_TEST(big_records)
{
	static char rec[8192];
	int n = snprintf(rec, sizeof rec, "v=DMARC1; p=quarantine; rua=");
	unsigned uris = 0;
	while (n < 4000) {
		n += snprintf(rec + n, sizeof rec - (size_t)n, "%smailto:r%u@example.com", uris ? "," : "", uris);
		uris++;
	}
	struct dmarc_record r;
	ck_assert_int_eq(parse(rec, 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_QUARANTINE);
	ck_assert_uint_eq(r.rua_valid, uris);
	n = snprintf(rec, sizeof rec, "v=DMARC1; x=");
	memset(rec + n, 'a', 4096);
	snprintf(rec + n + 4096, 64, "; p=reject");
	ck_assert_int_eq(parse(rec, 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_REJECT);
	/* 4 KB of separators */
	n = snprintf(rec, sizeof rec, "v=DMARC1");
	memset(rec + n, ';', 4096);
	snprintf(rec + n + 4096, 64, "p=none");
	ck_assert_int_eq(parse(rec, 0, &r), DMARC_OK);
	ck_assert_int_eq(r.p, DMARC_P_NONE);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(dmarc_result_name(DMARC_TEMPERROR), "temperror");
	ck_assert_str_eq(dmarc_policy_name(DMARC_P_QUARANTINE), "quarantine");
	ck_assert_int_eq(dmarc_auth_parse("PASS", 4), DMARC_AUTH_PASS);
	ck_assert_int_eq(dmarc_auth_parse("hardfail", 8), DMARC_AUTH_FAIL);
	ck_assert_int_eq(dmarc_auth_parse("bogus", 5), -1);
}
END_TEST

Suite *suite_record(void)
{
	Suite *s = suite_create("dmarc-record");
	TCase *t = tcase_create("record");
	tcase_add_test(t, tags_read);
	tcase_add_test(t, defaults);
	tcase_add_test(t, version);
	tcase_add_test(t, ignored);
	tcase_add_test(t, policy_rules);
	tcase_add_test(t, psd_and_t);
	tcase_add_test(t, rfc7489_tags);
	tcase_add_test(t, opendmarc_table);
	tcase_add_test(t, lenient_records);
	tcase_add_test(t, big_records);
	tcase_add_test(t, names);
	suite_add_tcase(s, t);
	return s;
}
