#include <check.h>
#include <string.h>
#include "mime.h"
#include "lex.h"

static struct mime_lex L(const char *s)
{
	struct mime_lex l;
	mime_lex_init(&l, s, strlen(s));
	return l;
}

START_TEST(fws_forms)
{
	struct mime_lex l = L(" \t\r\n  x");
	ck_assert_int_eq(mime_lex_fws(&l), 1);
	ck_assert_uint_eq(l.pos, 6);
	l = L("\n\tx");           /* bare LF + WSP is obs-FWS for us */
	ck_assert_int_eq(mime_lex_fws(&l), 1);
	ck_assert_uint_eq(l.pos, 2);
	l = L("\r\nx");           /* a line break not followed by WSP ends the field */
	ck_assert_int_eq(mime_lex_fws(&l), 0);
	ck_assert_uint_eq(l.pos, 0);
	l = L(" \r\n");
	ck_assert_int_eq(mime_lex_fws(&l), 1);
	ck_assert_uint_eq(l.pos, 1);
}
END_TEST

START_TEST(comments_nest_and_unescape)
{
	struct mime_buf t = {0};
	struct mime_lex l = L("(a (b \\) c)\r\n d)x");
	ck_assert_int_eq(mime_lex_comment(&l, &t), 1);
	ck_assert_str_eq(t.data, "a (b ) c) d");
	ck_assert_int_eq(mime_lex_peek(&l), 'x');
	mime_buf_free(&t);
	l = L("(never (closed)");
	ck_assert_int_eq(mime_lex_comment(&l, NULL), -1);
	ck_assert_uint_eq(l.pos, 0);
	l = L("x(y)");
	ck_assert_int_eq(mime_lex_comment(&l, NULL), 0);
}
END_TEST

/* 64 levels of comments are read; 65 are malformed, and a tolerant reader
 * retrying at each '(' of 60,000 stays fast (the scan stops at the cap). */
START_TEST(comment_nesting_is_capped)
{
	char s[200];
	struct mime_lex l;
	for (int depth = 64; depth <= 65; depth++) {
		memset(s, '(', (size_t)depth);
		memset(s + depth, ')', (size_t)depth);
		mime_lex_init(&l, s, (size_t)depth * 2);
		ck_assert_int_eq(mime_lex_comment(&l, NULL), depth == 64 ? 1 : -1);
	}
	static char big[60000];
	memset(big, '(', sizeof big);
	for (size_t i = 0; i < sizeof big; i++) {
		mime_lex_init(&l, big, sizeof big);
		l.pos = i;
		ck_assert_int_eq(mime_lex_comment(&l, NULL), -1);
		ck_assert_uint_eq(l.pos, i);
	}
}
END_TEST

START_TEST(cfws_runs)
{
	struct mime_lex l = L("  (one) (two (three))\r\n (four)  atom");
	ck_assert_int_eq(mime_lex_cfws(&l), 1);
	ck_assert_str_eq(l.s + l.pos, "atom");
	l = L(" (open");
	ck_assert_int_eq(mime_lex_cfws(&l), -1);
}
END_TEST

START_TEST(quoted_strings)
{
	struct mime_buf t = {0};
	struct mime_lex l = L("\"Smith, \\\"J\\\"\r\n  x\" rest");
	ck_assert_int_eq(mime_lex_quoted_string(&l, &t), 1);
	ck_assert_str_eq(t.data, "Smith, \"J\"  x");
	ck_assert_str_eq(l.s + l.pos, " rest");
	mime_buf_reset(&t);
	l = L("\"unterminated");
	ck_assert_int_eq(mime_lex_quoted_string(&l, &t), -1);
	ck_assert_uint_eq(l.pos, 0);
	ck_assert_uint_eq(t.len, 0);
	l = L("\"caf\xc3\xa9\"");     /* RFC 6532: UTF-8 qtext */
	ck_assert_int_eq(mime_lex_quoted_string(&l, &t), 1);
	ck_assert_str_eq(t.data, "caf\xc3\xa9");
	mime_buf_free(&t);
}
END_TEST

START_TEST(atoms_and_tokens)
{
	size_t s, e;
	struct mime_lex l = L("john.q.public@example");
	ck_assert_int_eq(mime_lex_dot_atom_text(&l, &s, &e), 1);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(e, 13);
	l = L("a..b");               /* the second dot is not part of the dot-atom */
	ck_assert_int_eq(mime_lex_dot_atom_text(&l, &s, &e), 1);
	ck_assert_uint_eq(e, 1);
	l = L("text/plain");
	ck_assert_int_eq(mime_lex_token(&l, &s, &e), 1);
	ck_assert_uint_eq(e, 4);
	l = L("@x");
	ck_assert_int_eq(mime_lex_atext(&l, &s, &e), 0);
	ck_assert(mime_is_special('@') && !mime_is_atext('@'));
	ck_assert(mime_is_tspecial('/') && !mime_is_special('/') && mime_is_atext('/'));
	ck_assert(mime_is_atext(0xc3) && !mime_is_token_char(0xc3));
}
END_TEST

Suite *suite_lex(void)
{
	Suite *s = suite_create("lex");
	TCase *tc = tcase_create("lex");
	tcase_add_test(tc, fws_forms);
	tcase_add_test(tc, comments_nest_and_unescape);
	tcase_add_test(tc, cfws_runs);
	tcase_add_test(tc, comment_nesting_is_capped);
	tcase_add_test(tc, quoted_strings);
	tcase_add_test(tc, atoms_and_tokens);
	suite_add_tcase(s, tc);
	return s;
}
