#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"
#include "mime-choose.h"

static enum mime_cte choose(const char *s, unsigned flags)
{
	return mime_choose_cte(s, strlen(s), flags);
}

/* n copies of c, then the tail; caller frees */
static char *line_of(size_t n, int c, const char *tail)
{
	size_t t = strlen(tail);
	char *s = malloc(n + t + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	memcpy(s + n, tail, t + 1);
	return s;
}

START_TEST(stats_counts)
{
	struct mime_text_stats st;
	const char *s = "a=b\r\nc\nd\re\x01\x7f\xc3\xa9\r\n";
	mime_text_stats(s, strlen(s), &st);
	ck_assert_uint_eq(st.len, 16);
	ck_assert_uint_eq(st.nul, 0);
	ck_assert_uint_eq(st.high, 2);
	ck_assert_uint_eq(st.ctrl, 2);
	ck_assert_uint_eq(st.crlf, 2);
	ck_assert_uint_eq(st.bare_lf, 1);
	ck_assert_uint_eq(st.bare_cr, 1);
	ck_assert_uint_eq(st.longest, 7); /* "d\re" + 01 7f c3 a9 */
	ck_assert_uint_eq(st.qp_escapes, 6); /* = CR 01 7f c3 a9 */
}
END_TEST

START_TEST(stats_nul_and_empty)
{
	struct mime_text_stats st;
	mime_text_stats("a\0b", 3, &st);
	ck_assert_uint_eq(st.nul, 1);
	ck_assert_uint_eq(st.qp_escapes, 1);
	ck_assert_uint_eq(st.longest, 3);
	mime_text_stats("", 0, &st);
	ck_assert_uint_eq(st.len, 0);
	ck_assert_uint_eq(st.longest, 0);
}
END_TEST

START_TEST(seven_bit)
{
	ck_assert_int_eq(choose("", 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("hello\r\nworld\r\n", 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("hello\nworld\n", 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("no final break", 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("esc \033$B ok\r\n", 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("hello\r\nworld\r\n", MIME_CHOOSE_CRLF), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("hello\r\nworld\r\n", MIME_CHOOSE_8BIT), MIME_CTE_7BIT);
}
END_TEST

START_TEST(line_998_boundary)
{
	char *s998 = line_of(998, 'x', "\r\nshort\r\n");
	char *s999 = line_of(999, 'x', "\r\nshort\r\n");
	char *lf998 = line_of(998, 'x', "\n");
	char *lf999 = line_of(999, 'x', "\n");
	char *last999 = line_of(999, 'x', "");
	ck_assert_int_eq(choose(s998, 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose(s999, 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose(lf998, 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose(lf999, 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose(last999, 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose(s999, MIME_CHOOSE_8BIT), MIME_CTE_QUOTED_PRINTABLE);
	free(s998);
	free(s999);
	free(lf998);
	free(lf999);
	free(last999);
}
END_TEST

START_TEST(line_998_boundary_8bit)
{
	/* 996 x + é (2 octets) = 998 octets */
	char *s998 = line_of(996, 'x', "\xc3\xa9\r\n");
	char *s999 = line_of(997, 'x', "\xc3\xa9\r\n");
	ck_assert_int_eq(choose(s998, MIME_CHOOSE_8BIT), MIME_CTE_8BIT);
	ck_assert_int_eq(choose(s999, MIME_CHOOSE_8BIT), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose(s998, 0), MIME_CTE_QUOTED_PRINTABLE);
	free(s998);
	free(s999);
}
END_TEST

START_TEST(eol_rules)
{
	/* mixed CRLF and bare LF, bare CR: not 7bit */
	ck_assert_int_eq(choose("a\r\nb\nc\r\n", 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose("abcdef\rghijkl\r\n", 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose("abcdef\rghijkl\r\n", MIME_CHOOSE_8BIT),
			 MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose("a\rb\r\n", 0), MIME_CTE_BASE64); /* 1 escape in 5 */
	ck_assert_int_eq(choose("\xc3\xa9\r\nb\ncdefghijkl", MIME_CHOOSE_8BIT),
			 MIME_CTE_QUOTED_PRINTABLE);
	/* bare LF is fine for text, not when the data is kept as it is */
	ck_assert_int_eq(choose("abcdefgh\nijklmnop\n", MIME_CHOOSE_CRLF),
			 MIME_CTE_QUOTED_PRINTABLE);
	/* ... and counts as an escape then: 2 of 7 octets */
	ck_assert_int_eq(choose("ab\ncd\ne", MIME_CHOOSE_CRLF), MIME_CTE_BASE64);
	ck_assert_int_eq(choose("ab\ncd\ne", 0), MIME_CTE_7BIT);
}
END_TEST

START_TEST(eight_bit)
{
	ck_assert_int_eq(choose("caf\xc3\xa9\r\n", MIME_CHOOSE_8BIT), MIME_CTE_8BIT);
	ck_assert_int_eq(choose("caf\xc3\xa9\n", MIME_CHOOSE_8BIT), MIME_CTE_8BIT);
	ck_assert_int_eq(choose("caf\xc3\xa9\n", MIME_CHOOSE_8BIT | MIME_CHOOSE_CRLF),
			 MIME_CTE_BASE64);
	/* NUL never 7bit nor 8bit nor quoted-printable */
	ck_assert_int_eq(mime_choose_cte("abcdefghijklmnop\0q\r\n", 20, MIME_CHOOSE_8BIT),
			 MIME_CTE_BASE64);
	ck_assert_int_eq(mime_choose_cte("a\0", 2, 0), MIME_CTE_BASE64);
}
END_TEST

START_TEST(qp_or_base64_threshold)
{
	/* 1 escape in 6 octets: base64; 1 in 7: quoted-printable */
	ck_assert_int_eq(choose("abcde\xe9", 0), MIME_CTE_BASE64);
	ck_assert_int_eq(choose("abcdef\xe9", 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose("a=b=c=d", 0), MIME_CTE_7BIT);
	ck_assert_int_eq(choose("\xe9=b=c=d", 0), MIME_CTE_BASE64);
	ck_assert_int_eq(choose("\xe9=bcdefghijklmnopqrstu", 0), MIME_CTE_QUOTED_PRINTABLE);
	ck_assert_int_eq(choose("caf\xc3\xa9 au lait, s'il vous pla\xc3\xaet\r\n", 0),
			 MIME_CTE_QUOTED_PRINTABLE);
	/* Cyrillic: mostly 8-bit octets */
	ck_assert_int_eq(choose("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n", 0),
			 MIME_CTE_BASE64);
}
END_TEST

START_TEST(guess_text)
{
	ck_assert_int_eq(mime_guess_text("", 0), 1);
	ck_assert_int_eq(mime_guess_text("plain\ttext\r\n\f\033$B", 16), 1);
	ck_assert_int_eq(mime_guess_text("text\0", 5), 0);
	char *s = line_of(99, 'a', "\x01");
	ck_assert_int_eq(mime_guess_text(s, 100), 1);
	ck_assert_int_eq(mime_guess_text(s + 1, 99), 0);
	free(s);
	ck_assert_int_eq(mime_guess_text("\x89PNG\r\n\x1a\n", 8), 0);
}
END_TEST

START_TEST(cte_names)
{
	ck_assert_str_eq(mime_cte_name(MIME_CTE_7BIT), "7bit");
	ck_assert_str_eq(mime_cte_name(MIME_CTE_8BIT), "8bit");
	ck_assert_str_eq(mime_cte_name(MIME_CTE_BINARY), "binary");
	ck_assert_str_eq(mime_cte_name(MIME_CTE_QUOTED_PRINTABLE), "quoted-printable");
	ck_assert_str_eq(mime_cte_name(MIME_CTE_BASE64), "base64");
	ck_assert_ptr_null(mime_cte_name(MIME_CTE_UNKNOWN));
}
END_TEST

static uint32_t xs(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* the choice agrees with the stats it rests on, over random data */
START_TEST(random_consistency)
{
	uint32_t seed = 0x2545f491;
	char buf[1200];
	for (int n = 0; n < 2000; n++) {
		size_t len = xs(&seed) % sizeof buf;
		unsigned alpha = xs(&seed) % 3; /* 0 ascii text, 1 + 8-bit, 2 any */
		for (size_t i = 0; i < len; i++) {
			uint32_t r = xs(&seed);
			unsigned v = alpha == 0 ? (r % 40 ? 'a' + r % 26 : '\n')
				: alpha == 1 ? (r % 9 ? 'a' + r % 26 : 0x80 + r % 64)
				: r & 0xff;
			buf[i] = (char)v;
		}
		unsigned flags = xs(&seed) % 4;
		struct mime_text_stats st;
		mime_text_stats(buf, len, &st);
		enum mime_cte c = mime_choose_cte(buf, len, flags);
		if (c == MIME_CTE_7BIT)
			ck_assert(st.high == 0 && st.nul == 0 && st.longest <= 998);
		if (c == MIME_CTE_8BIT)
			ck_assert((flags & MIME_CHOOSE_8BIT) && st.high > 0 && st.nul == 0);
		if (c == MIME_CTE_QUOTED_PRINTABLE)
			ck_assert(st.nul == 0 && st.qp_escapes * 6 < len);
		if (alpha == 0) {
			/* letters and bare LF only */
			enum mime_cte want = st.longest <= 998 ? MIME_CTE_7BIT
					     : MIME_CTE_QUOTED_PRINTABLE;
			if ((flags & MIME_CHOOSE_CRLF) && st.bare_lf)
				want = st.bare_lf * 6 < len ? MIME_CTE_QUOTED_PRINTABLE
							    : MIME_CTE_BASE64;
			ck_assert_int_eq(c, want);
		}
		if (alpha == 1 && st.high && st.longest <= 998 && (flags & MIME_CHOOSE_8BIT) &&
		    !((flags & MIME_CHOOSE_CRLF) && st.bare_lf))
			ck_assert_int_eq(c, MIME_CTE_8BIT);
		ck_assert_int_ne(c, MIME_CTE_BINARY);
	}
}
END_TEST

Suite *suite_choose(void)
{
	Suite *s = suite_create("choose");
	TCase *t = tcase_create("choose");
	tcase_add_test(t, stats_counts);
	tcase_add_test(t, stats_nul_and_empty);
	tcase_add_test(t, seven_bit);
	tcase_add_test(t, line_998_boundary);
	tcase_add_test(t, line_998_boundary_8bit);
	tcase_add_test(t, eol_rules);
	tcase_add_test(t, eight_bit);
	tcase_add_test(t, qp_or_base64_threshold);
	tcase_add_test(t, guess_text);
	tcase_add_test(t, cte_names);
	tcase_add_test(t, random_consistency);
	suite_add_tcase(s, t);
	return s;
}
