/* RFC 5322 3.3 / 4.3 dates: every date of RFC 5322 Appendix A, obsolete
 * forms, errors with positions, conversions, and round-trip properties. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

struct want {
	int year, month, day, hour, min, sec, zone, weekday;
	unsigned flags;
	int64_t unix_time;
};

static void expect(const char *s, struct want w)
{
	struct mime_date d;
	size_t err = 12345;
	ck_assert_msg(mime_date_parse(s, strlen(s), &d, &err, NULL) == 0,
		      "'%s' failed at %zu", s, err);
	ck_assert_int_eq(d.year, w.year);
	ck_assert_int_eq(d.month, w.month);
	ck_assert_int_eq(d.day, w.day);
	ck_assert_int_eq(d.hour, w.hour);
	ck_assert_int_eq(d.min, w.min);
	ck_assert_int_eq(d.sec, w.sec);
	ck_assert_int_eq(d.zone, w.zone);
	ck_assert_int_eq(d.weekday, w.weekday);
	ck_assert_uint_eq(d.flags, w.flags);
	ck_assert_int_eq(mime_date_to_unix(&d), w.unix_time);
}

static void expect_print(const char *s, const char *printed)
{
	struct mime_date d;
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_date_parse(s, strlen(s), &d, NULL, NULL), 0);
	ck_assert_int_eq(mime_date_print(&d, &b), 0);
	ck_assert_str_eq(b.data, printed);
	mime_buf_free(&b);
}

static void expect_error(const char *s, size_t pos)
{
	struct mime_date d;
	size_t err = 12345;
	ck_assert_msg(mime_date_parse(s, strlen(s), &d, &err, NULL) == -2, "'%s' parsed", s);
	ck_assert_msg(err == pos, "'%s': error at %zu, expected %zu", s, err, pos);
}

/* RFC 5322 A.1.1, A.2, A.3, A.4, A.6.1 */
START_TEST(appendix_a_modern)
{
	expect("Fri, 21 Nov 1997 09:55:06 -0600",
	       (struct want){1997, 11, 21, 9, 55, 6, -360, 5, 0, 880127706});
	expect("Tue, 1 Jul 2003 10:52:37 +0200",
	       (struct want){2003, 7, 1, 10, 52, 37, 120, 2, 0, 1057049557});
	expect("Thu, 13 Feb 1969 23:32:54 -0330",
	       (struct want){1969, 2, 13, 23, 32, 54, -210, 4, 0, -27723426});
	expect("Fri, 21 Nov 1997 10:01:10 -0600",
	       (struct want){1997, 11, 21, 10, 1, 10, -360, 5, 0, 880128070});
	expect("Fri, 21 Nov 1997 11:00:00 -0600",
	       (struct want){1997, 11, 21, 11, 0, 0, -360, 5, 0, 880131600});
	expect("Mon, 24 Nov 1997 14:22:01 -0800",
	       (struct want){1997, 11, 24, 14, 22, 1, -480, 1, 0, 880410121});
	/* A.4: the dates of the Received fields (after the ";") */
	expect("  21 Nov 1997 10:05:43 -0600",
	       (struct want){1997, 11, 21, 10, 5, 43, -360, -1, 0, 880128343});
	expect(" 21 Nov 1997 10:01:22 -0600",
	       (struct want){1997, 11, 21, 10, 1, 22, -360, -1, 0, 880128082});
}
END_TEST

/* RFC 5322 A.5 (no seconds, folded, a comment), A.6.2, A.6.3 */
START_TEST(appendix_a_obsolete)
{
	expect(" Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
	       "               -0330 (Newfoundland Time)",
	       (struct want){1969, 2, 13, 23, 32, 0, -210, 4, MIME_DATE_NO_SECONDS, -27723480});
	expect(" 21 Nov 97 09:55:06 GMT",
	       (struct want){1997, 11, 21, 9, 55, 6, 0, -1,
			     MIME_DATE_YEAR2 | MIME_DATE_NAMED_ZONE, 880106106});
	expect(" Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
	       (struct want){1997, 11, 21, 9, 55, 6, -360, 5, MIME_DATE_OBS_CFWS, 880127706});
	/* the same date without the comment (Ruby's test of A.6.3) */
	expect("Fri, 21 Nov 1997 09 :   55  :  06 -0600",
	       (struct want){1997, 11, 21, 9, 55, 6, -360, 5, MIME_DATE_OBS_CFWS, 880127706});
}
END_TEST

START_TEST(obsolete_zones)
{
	static const struct { const char *name; int zone; } z[] = {
		{"UT", 0}, {"GMT", 0}, {"EST", -300}, {"EDT", -240}, {"CST", -360},
		{"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"pdt", -420},
	};
	char s[64];
	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++) {
		snprintf(s, sizeof s, "Sat, 1 Jan 2000 00:00:00 %s", z[i].name);
		expect(s, (struct want){2000, 1, 1, 0, 0, 0, z[i].zone, 6, MIME_DATE_NAMED_ZONE,
					946684800 - z[i].zone * 60});
	}
	/* RFC 5322 4.3: military zones are -0000 (and so is "-0000" itself) */
	for (const char *m = "ABCDEFGHIKLMNOPQRSTUVWXYZabcz"; *m; m++) {
		snprintf(s, sizeof s, "1 Jan 2000 00:00:00 %c", *m);
		expect(s, (struct want){2000, 1, 1, 0, 0, 0, 0, -1,
					MIME_DATE_MILITARY | MIME_DATE_LOCAL, 946684800});
	}
	expect("1 Jan 2000 00:00:00 -0000",
	       (struct want){2000, 1, 1, 0, 0, 0, 0, -1, MIME_DATE_LOCAL, 946684800});
	expect("1 Jan 2000 00:00:00 +0000",
	       (struct want){2000, 1, 1, 0, 0, 0, 0, -1, 0, 946684800});
	struct mime_defects df = {0};
	struct mime_date d;
	ck_assert_int_eq(mime_date_parse("1 Jan 2000 00:00:00 CEST", 24, &d, NULL, &df), 0);
	ck_assert_uint_eq(d.flags, MIME_DATE_UNKNOWN_ZONE | MIME_DATE_LOCAL);
	ck_assert_int_eq(d.zone, 0);
	ck_assert_uint_eq(df.count, 1);
	expect_error("1 Jan 2000 00:00:00 J", 20);
	expect_error("1 Jan 2000 00:00:00 ABCDEF", 20);
}
END_TEST

START_TEST(years)
{
	expect("1 Jan 49 00:00:00 +0000",
	       (struct want){2049, 1, 1, 0, 0, 0, 0, -1, MIME_DATE_YEAR2, 2493072000});
	expect("1 Jan 50 00:00:00 +0000",
	       (struct want){1950, 1, 1, 0, 0, 0, 0, -1, MIME_DATE_YEAR2, -631152000});
	expect("1 Jan 00 00:00:00 +0000",
	       (struct want){2000, 1, 1, 0, 0, 0, 0, -1, MIME_DATE_YEAR2, 946684800});
	expect("1 Jan 103 00:00:00 +0000",
	       (struct want){2003, 1, 1, 0, 0, 0, 0, -1, MIME_DATE_YEAR3, 1041379200});
	expect("29 Feb 2000 12:00:00 +0000",
	       (struct want){2000, 2, 29, 12, 0, 0, 0, -1, 0, 951825600});
	expect("29 Feb 2024 12:00:00 +0000",
	       (struct want){2024, 2, 29, 12, 0, 0, 0, -1, 0, 1709208000});
	expect("31 Dec 1969 23:59:60 +0000",
	       (struct want){1969, 12, 31, 23, 59, 60, 0, -1, 0, 0});
	expect_error("29 Feb 1900 12:00:00 +0000", 0);
	expect_error("29 Feb 2023 12:00:00 +0000", 0);
	expect_error("31 Apr 2023 12:00:00 +0000", 0);
	expect_error(" 0 Apr 2023 12:00:00 +0000", 1);
	expect_error("1 Jan 1 00:00:00 +0000", 6);
	expect_error("1 Jan 10000 00:00:00 +0000", 6);
}
END_TEST

START_TEST(errors)
{
	expect_error("", 0);
	expect_error("Fry, 21 Nov 1997 09:55:06 -0600", 0);
	expect_error("Fri, 21 Nox 1997 09:55:06 -0600", 8);
	expect_error("Fri, 21 Nov 1997 24:55:06 -0600", 17);
	expect_error("Fri, 21 Nov 1997 09:60:06 -0600", 20);
	expect_error("Fri, 21 Nov 1997 09:55:61 -0600", 23);
	expect_error("Fri, 21 Nov 1997 09:5:06 -0600", 20);
	expect_error("Fri, 21 Nov 1997 09 55 06 -0600", 20);
	expect_error("Fri, 21 Nov 1997 09:55:06 -060", 26);
	expect_error("Fri, 21 Nov 1997 09:55:06 -0660", 26);
	expect_error("Fri, 21 Nov 1997 09:55:06 -0600 x7", 32);
	expect_error("Fri, 21 Nov 1997 09:55:06 (open", 26);
	expect_error("Fri, 21 Nov 1997 09:55:06 -0600 (open", 32);
	expect_error("Fri, 121 Nov 1997 09:55:06 -0600", 5);
}
END_TEST

START_TEST(defects)
{
	struct mime_defects df = {0};
	struct mime_date d;
	const char *s = "Sat, 21 Nov 1997 09:55:06 -0600";
	ck_assert_int_eq(mime_date_parse(s, strlen(s), &d, NULL, &df), 0);
	ck_assert_uint_eq(df.count, 1);
	ck_assert_int_eq(d.weekday, 6);
	ck_assert_uint_eq(d.flags, MIME_DATE_BAD_WEEKDAY);
	df = (struct mime_defects){0};
	s = "Fri 21 Nov 1997 9:55:06 +0100 (CET) ";
	ck_assert_int_eq(mime_date_parse(s, strlen(s), &d, NULL, &df), 0);
	ck_assert_uint_eq(df.count, 2); /* no comma, one-digit hour */
	ck_assert_int_eq(d.hour, 9);
	ck_assert_int_eq(d.zone, 60);
	df = (struct mime_defects){0};
	s = "Tue, 1 Jul 2003 10:52:37 +0200 CEST";
	ck_assert_int_eq(mime_date_parse(s, strlen(s), &d, NULL, &df), 0);
	ck_assert_uint_eq(df.count, 1);
	ck_assert_int_eq(d.zone, 120);
	df = (struct mime_defects){0};
	s = "Mon, 21 Mar 2011 03:12:57";
	ck_assert_int_eq(mime_date_parse(s, strlen(s), &d, NULL, &df), 0);
	ck_assert_uint_eq(df.count, 1);
	ck_assert_uint_eq(d.flags, MIME_DATE_NO_ZONE | MIME_DATE_LOCAL);
	/* a bare LF fold is tolerated like CRLF */
	s = "Fri,\n 21 Nov 1997 09:55:06\n -0600";
	ck_assert_int_eq(mime_date_parse(s, strlen(s), &d, NULL, NULL), 0);
	ck_assert_int_eq(mime_date_to_unix(&d), 880127706);
}
END_TEST

START_TEST(printing)
{
	expect_print("Fri, 21 Nov 1997 09:55:06 -0600", "Fri, 21 Nov 1997 09:55:06 -0600");
	expect_print("Tue, 1 Jul 2003 10:52:37 +0200", "Tue, 1 Jul 2003 10:52:37 +0200");
	expect_print(" Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
		     "               -0330 (Newfoundland Time)", "Thu, 13 Feb 1969 23:32:00 -0330");
	expect_print("21 Nov 97 09:55:06 GMT", "Fri, 21 Nov 1997 09:55:06 +0000");
	expect_print("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
		     "Fri, 21 Nov 1997 09:55:06 -0600");
	expect_print("01 Jan 2000 00:00:00 Z", "Sat, 1 Jan 2000 00:00:00 -0000");
	expect_print("Sat, 01 Jan 0999 00:00:00 +1400", "Tue, 1 Jan 0999 00:00:00 +1400");
	expect_print("Wed, 31 Dec 9999 23:59:59 -9959", "Fri, 31 Dec 9999 23:59:59 -9959");
	struct mime_date d = {2023, 2, 29, 0, 0, 0, 0, -1, 0};
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_date_print(&d, &b), -2);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(unix_conversions)
{
	struct mime_date d;
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_date_from_unix(0, 0, &d), 0);
	ck_assert_int_eq(mime_date_print(&d, &b), 0);
	ck_assert_str_eq(b.data, "Thu, 1 Jan 1970 00:00:00 +0000");
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_date_from_unix(1057049557, 120, &d), 0);
	ck_assert_int_eq(mime_date_print(&d, &b), 0);
	ck_assert_str_eq(b.data, "Tue, 1 Jul 2003 10:52:37 +0200");
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_date_from_unix(-27723426, -210, &d), 0);
	ck_assert_int_eq(mime_date_print(&d, &b), 0);
	ck_assert_str_eq(b.data, "Thu, 13 Feb 1969 23:32:54 -0330");
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_date_from_unix(-1, 0, &d), 0);
	ck_assert_int_eq(mime_date_print(&d, &b), 0);
	ck_assert_str_eq(b.data, "Wed, 31 Dec 1969 23:59:59 +0000");
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_date_from_unix(951782400, 0, &d), 0); /* 2000-02-29 */
	ck_assert_int_eq(d.month, 2);
	ck_assert_int_eq(d.day, 29);
	ck_assert_int_eq(d.weekday, 2);
	ck_assert_int_eq(mime_date_from_unix(253402300799, 0, &d), 0);
	ck_assert_int_eq(d.year, 9999);
	ck_assert_int_eq(mime_date_from_unix(253402300800, 0, &d), -2);
	ck_assert_int_eq(mime_date_from_unix(-62167219200, 0, &d), 0);
	ck_assert_int_eq(d.year, 0);
	ck_assert_int_eq(mime_date_from_unix(-62167219201, 0, &d), -2);
	ck_assert_int_eq(mime_date_from_unix(0, 1440, &d), -2);
	mime_buf_free(&b);
}
END_TEST

static int same(const struct mime_date *a, const struct mime_date *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day &&
	       a->hour == b->hour && a->min == b->min && a->sec == b->sec && a->zone == b->zone &&
	       a->weekday == b->weekday &&
	       (a->flags & MIME_DATE_LOCAL) == (b->flags & MIME_DATE_LOCAL);
}

/* parse(print(d)) == d and to_unix(from_unix(t)) == t for random instants
 * and zones (fixed seed). */
START_TEST(property_round_trip)
{
	unsigned seed = 20240601;
	struct mime_buf b = {0};
	for (int i = 0; i < 20000; i++) {
		int64_t t = ((int64_t)rand_r(&seed) << 31 | rand_r(&seed)) % 253402300799LL;
		if (rand_r(&seed) % 4 == 0)
			t = -t % 62167219200LL;
		int zone = (int)(rand_r(&seed) % 2879) - 1439;
		struct mime_date d, e;
		if (mime_date_from_unix(t, zone, &d) != 0)
			continue;
		if (zone == 0 && rand_r(&seed) % 2)
			d.flags |= MIME_DATE_LOCAL;
		ck_assert_int_eq(mime_date_to_unix(&d), t);
		mime_buf_reset(&b);
		ck_assert_int_eq(mime_date_print(&d, &b), 0);
		ck_assert_int_eq(mime_date_parse(b.data, b.len, &e, NULL, NULL), 0);
		ck_assert_msg(same(&d, &e), "round trip of %s", b.data);
		ck_assert_uint_eq(e.flags & ~MIME_DATE_LOCAL, 0);
	}
	mime_buf_free(&b);
}
END_TEST

/* Truncating a valid date anywhere never crashes and never reads past n. */
START_TEST(property_prefixes)
{
	const char *s = " Thu,\r\n 13 (x) Feb\r\n 1969 23:32:54 -0330 (Newfoundland Time)";
	size_t n = strlen(s);
	for (size_t i = 0; i <= n; i++) {
		char *c = malloc(i ? i : 1);
		ck_assert_ptr_nonnull(c);
		memcpy(c, s, i);
		struct mime_date d;
		size_t err = 0;
		int r = mime_date_parse(c, i, &d, &err, NULL);
		ck_assert(r == 0 || (r == -2 && err <= i));
		free(c);
	}
}
END_TEST

Suite *suite_date(void)
{
	Suite *s = suite_create("date");
	TCase *t = tcase_create("date");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, appendix_a_modern);
	tcase_add_test(t, appendix_a_obsolete);
	tcase_add_test(t, obsolete_zones);
	tcase_add_test(t, years);
	tcase_add_test(t, errors);
	tcase_add_test(t, defects);
	tcase_add_test(t, printing);
	tcase_add_test(t, unix_conversions);
	tcase_add_test(t, property_round_trip);
	tcase_add_test(t, property_prefixes);
	suite_add_tcase(s, t);
	return s;
}
