#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mime.h"

/* The tokens as "KIND:text|..." (W word, S WSP, F fold, C comment, Q quoted,
 * P special, X invalid), checking that they cover the value. */
static char *dump(const char *s, size_t n, unsigned flags)
{
	static const char kinds[] = "WSFCQPX";
	struct mime_unstructured u;
	struct mime_utoken t;
	struct mime_buf o = {0};
	size_t at = 0;
	mime_unstructured_init(&u, s, n, flags);
	mime_buf_puts(&o, "");
	while (mime_unstructured_next(&u, &t)) {
		ck_assert_uint_eq(t.offset, at);
		ck_assert_ptr_eq(t.s, s + at);
		ck_assert_uint_gt(t.len, 0);
		at += t.len;
		mime_buf_putc(&o, kinds[t.kind]);
		mime_buf_putc(&o, ':');
		mime_buf_append(&o, t.s, t.len);
		mime_buf_putc(&o, '|');
	}
	ck_assert_uint_eq(at, n);
	return o.data;
}

static void check_tokens(const char *s, size_t n, unsigned flags, const char *want)
{
	char *got = dump(s, n, flags);
	ck_assert_msg(strcmp(got, want) == 0, "tokens of \"%s\": got %s, want %s", s, got, want);
	free(got);
}

#define TOKENS(s, flags, want) check_tokens(s, sizeof s - 1, flags, want)

START_TEST(words_white_space_and_folds)
{
	TOKENS("a b\r\n c", 0, "W:a|S: |W:b|F:\r\n |W:c|");
	TOKENS("Hello  \t world", 0, "W:Hello|S:  \t |W:world|");
	TOKENS("a\n\tb", 0, "W:a|F:\n\t|W:b|");               /* obs-FWS: bare LF */
	TOKENS("a\r\n \r\n b", 0, "W:a|F:\r\n |F:\r\n |W:b|");
	TOKENS(" lead", 0, "S: |W:lead|");
	TOKENS("trail ", 0, "W:trail|S: |");
	TOKENS("(a) \"b\" <c@d>", 0, "W:(a)|S: |W:\"b\"|S: |W:<c@d>|");
	TOKENS("obs\x01" "ctl\x7f", 0, "W:obs\x01" "ctl\x7f|");  /* obs-utext, RFC 5322 4.1 */
}
END_TEST

START_TEST(invalid_bytes_are_their_own_tokens)
{
	TOKENS("x\ry", 0, "W:x|X:\r|W:y|");
	TOKENS("x\r\ny", 0, "W:x|X:\r|X:\n|W:y|");              /* a line break, not a fold */
	TOKENS("a\r\n", 0, "W:a|X:\r|X:\n|");
	TOKENS("a\0b", 0, "W:a|X:\0|W:b|");
	TOKENS("caf\xc3\xa9 \xff", 0, "W:caf\xc3\xa9|S: |X:\xff|");
	TOKENS("\xc0\x80", 0, "X:\xc0|X:\x80|");                 /* overlong NUL */
	TOKENS("\xed\xa0\x80", 0, "X:\xed|X:\xa0|X:\x80|");      /* surrogate */
	TOKENS("\xf4\x90\x80\x80", 0, "X:\xf4|X:\x90|X:\x80|X:\x80|"); /* > U+10FFFF */
	TOKENS("\xe2\x82", 0, "X:\xe2|X:\x82|");                 /* truncated */
	TOKENS("a\xe2\x82\xac" "b\xf0\x9f\x98\x80", 0, "W:a\xe2\x82\xac" "b\xf0\x9f\x98\x80|");
}
END_TEST

START_TEST(comments_quotes_specials_on_request)
{
	TOKENS("a (b (c)) d", MIME_UTOK_COMMENTS, "W:a|S: |C:(b (c))|S: |W:d|");
	TOKENS("a (b (c)) d", 0, "W:a|S: |W:(b|S: |W:(c))|S: |W:d|");
	TOKENS("x(y \\) z\r\n w)", MIME_UTOK_COMMENTS, "W:x|C:(y \\) z\r\n w)|");
	TOKENS("(open", MIME_UTOK_COMMENTS, "X:(|W:open|");
	TOKENS("\"a b\"c", MIME_UTOK_QUOTES, "Q:\"a b\"|W:c|");
	TOKENS("\"a \\\" b\"", MIME_UTOK_QUOTES, "Q:\"a \\\" b\"|");
	TOKENS("\"a", MIME_UTOK_QUOTES, "X:\"|W:a|");
	TOKENS("\"a b\"", MIME_UTOK_COMMENTS, "W:\"a|S: |W:b\"|");
	TOKENS("J. Doe <j.d@[1.2.3.4]>, x;", MIME_UTOK_SPECIALS,
	       "W:J.|S: |W:Doe|S: |P:<|W:j.d|P:@|P:[|W:1.2.3.4|P:]|P:>|P:,|S: |W:x|P:;|");
	TOKENS("a:b\\c)", MIME_UTOK_SPECIALS, "W:a|P::|W:b|P:\\|W:c|P:)|");
}
END_TEST

static size_t count_tokens(const char *s, size_t n, unsigned flags, enum mime_utok_kind *first)
{
	struct mime_unstructured u;
	struct mime_utoken t;
	size_t k = 0;
	mime_unstructured_init(&u, s, n, flags);
	while (mime_unstructured_next(&u, &t))
		if (k++ == 0)
			*first = t.kind;
	return k;
}

/* Nesting is bounded (64), which keeps unterminated "((((..." linear. */
START_TEST(comment_nesting_bounded)
{
	char s[1 << 16];
	enum mime_utok_kind k;
	for (int i = 0; i < 64; i++) {
		s[i] = '(';
		s[127 - i] = ')';
	}
	ck_assert_uint_eq(count_tokens(s, 128, MIME_UTOK_COMMENTS, &k), 1);
	ck_assert_int_eq(k, MIME_UTOK_COMMENT);
	memmove(s + 1, s, 128);                 /* 65 deep: the outer one fails */
	s[0] = '(';
	ck_assert_uint_eq(count_tokens(s, 129, MIME_UTOK_COMMENTS, &k), 2);
	ck_assert_int_eq(k, MIME_UTOK_INVALID);
	clock_t t = clock();
	memset(s, '(', sizeof s);
	ck_assert_uint_eq(count_tokens(s, sizeof s, MIME_UTOK_COMMENTS, &k), sizeof s);
	for (size_t i = 1; i < sizeof s; i += 2)
		s[i] = 'a';
	ck_assert_uint_eq(count_tokens(s, sizeof s, MIME_UTOK_COMMENTS, &k), sizeof s);
	ck_assert_msg((double)(clock() - t) / CLOCKS_PER_SEC < 5, "quadratic?");
}
END_TEST

START_TEST(unfold)
{
	struct mime_buf o = {0};
	const char in[] = "a\r\n b\n\tc\r\nd\r\n";
	ck_assert_int_eq(mime_unstructured_unfold(in, sizeof in - 1, &o), 0);
	ck_assert_str_eq(o.data, "a b\tc\r\nd\r\n");   /* a break without WSP stays */
	mime_buf_reset(&o);
	ck_assert_int_eq(mime_unstructured_unfold("x\r\n\r\n y", 8, &o), 0);
	ck_assert_str_eq(o.data, "x\r\n y");           /* only the second break folds */
	mime_buf_reset(&o);
	ck_assert_int_eq(mime_unstructured_unfold("", 0, &o), 0);
	ck_assert_str_eq(o.data, "");
	/* RFC 5322 2.2.3's example */
	mime_buf_reset(&o);
	const char ex[] = "Subject: This\r\n is a test";
	ck_assert_int_eq(mime_unstructured_unfold(ex, sizeof ex - 1, &o), 0);
	ck_assert_str_eq(o.data, "Subject: This is a test");
	mime_buf_free(&o);
}
END_TEST

START_TEST(utf8_len)
{
	ck_assert_uint_eq(mime_unstructured_utf8_len("a", 1), 1);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xc3\xa9", 2), 2);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xc3", 1), 0);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xc1\xbf", 2), 0);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xe0\x9f\xbf", 3), 0);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xe0\xa0\x80", 3), 3);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xef\xbf\xbd", 3), 3);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xf0\x8f\xbf\xbf", 4), 0);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xf0\x90\x80\x80", 4), 4);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xf4\x8f\xbf\xbf", 4), 4);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\xf5\x80\x80\x80", 4), 0);
	ck_assert_uint_eq(mime_unstructured_utf8_len("\x80", 1), 0);
}
END_TEST

/* Property: for random values (bytes drawn mostly from the interesting
 * ones), with every combination of flags, the tokens cover the value
 * exactly and in order (checked by dump), words are valid UTF-8 with no
 * white space or line break, and unfolding the value equals unfolding each
 * token (no fold is cut in two). */
START_TEST(property_lossless)
{
	static const char pick[] = "ab =?Q_()\"\\<>@,;:.\r\n\t\xc3\xa9\xe2\x82\xac\xff\x80";
	unsigned seed = 12345;
	char v[64];
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof v);
		for (size_t i = 0; i < n; i++)
			v[i] = rand_r(&seed) % 16 == 0 ? (char)(rand_r(&seed) & 0xff)
						       : pick[rand_r(&seed) % (int)(sizeof pick - 1)];
		unsigned flags = (unsigned)iter & 7;
		free(dump(v, n, flags));
		struct mime_unstructured u;
		struct mime_utoken t;
		struct mime_buf a = {0}, b = {0};
		mime_buf_puts(&a, "");
		mime_unstructured_init(&u, v, n, flags);
		while (mime_unstructured_next(&u, &t)) {
			if (t.kind == MIME_UTOK_WORD) {
				for (size_t i = 0; i < t.len;) {
					size_t l = mime_unstructured_utf8_len(t.s + i, t.len - i);
					ck_assert_uint_gt(l, 0);
					ck_assert(!strchr(" \t\r\n", t.s[i]) && t.s[i]);
					i += l;
				}
			}
			/* no fold is cut between two tokens */
			ck_assert_int_eq(mime_unstructured_unfold(t.s, t.len, &a), 0);
		}
		ck_assert_int_eq(mime_unstructured_unfold(v, n, &b), 0);
		ck_assert_uint_eq(a.len, b.len);
		ck_assert(memcmp(a.data, b.data, a.len) == 0);
		mime_buf_free(&a);
		mime_buf_free(&b);
	}
}
END_TEST

Suite *suite_unstructured(void)
{
	Suite *s = suite_create("unstructured");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, words_white_space_and_folds);
	tcase_add_test(tc, invalid_bytes_are_their_own_tokens);
	tcase_add_test(tc, comments_quotes_specials_on_request);
	tcase_add_test(tc, comment_nesting_bounded);
	tcase_add_test(tc, unfold);
	tcase_add_test(tc, utf8_len);
	tcase_add_test(tc, property_lossless);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
