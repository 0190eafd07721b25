/* The folding printer: folds where allowed, glue counted, 998 enforced. */
#include <check.h>
#include <string.h>

#include "mime.h"

static void words(struct mime_fold *f, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, " ");
		ck_assert_int_eq(mime_fold_token(f, s, n, MIME_FOLD_SPACE), 0);
		s += n;
		s += *s == ' ';
	}
}

START_TEST(short_field_one_line)
{
	struct mime_buf b = {0};
	struct mime_fold f;
	mime_fold_init(&f, &b);
	mime_fold_begin(&f, "Subject");
	words(&f, "hello world");
	ck_assert_int_eq(mime_fold_end(&f), 0);
	ck_assert_str_eq(b.data, "Subject: hello world\r\n");
	mime_buf_free(&b);
}
END_TEST

/* Every line within 78, unfolding gives the text back. */
START_TEST(long_text_folds_at_78)
{
	char text[2000] = "";
	for (int i = 0; i < 150; i++)
		strcat(text, i % 3 ? "lorem " : "ipsumdolor ");
	text[strlen(text) - 1] = '\0';
	struct mime_buf b = {0};
	struct mime_fold f;
	mime_fold_init(&f, &b);
	mime_fold_begin(&f, "Subject");
	words(&f, text);
	ck_assert_int_eq(mime_fold_end(&f), 0);
	size_t col = 0, lines = 0;
	char unf[2100];
	size_t u = 0;
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == '\r') {
			ck_assert_int_eq(b.data[i + 1], '\n');
			ck_assert_uint_le(col, 78);
			if (i + 2 < b.len)
				ck_assert_uint_gt(col, 60); /* greedy: lines are filled */
			col = 0;
			lines++;
			i++;
			continue;
		}
		col++;
		unf[u++] = b.data[i];
	}
	unf[u] = '\0';
	ck_assert_uint_gt(lines, 5);
	ck_assert_str_eq(unf + strlen("Subject: "), text);
	mime_buf_free(&b);
}
END_TEST

/* A unit's glue goes with it: "b," moves as one. */
START_TEST(glue_moves_with_token)
{
	struct mime_buf b = {0};
	struct mime_fold f;
	mime_fold_init(&f, &b);
	f.width = 20;
	mime_fold_begin(&f, "To");
	mime_fold_token(&f, "aaaaaaaaaaaaa", 13, MIME_FOLD_SPACE); /* "To: aaaaaaaaaaaaa" = 17 */
	mime_fold_token(&f, ",", 1, MIME_FOLD_GLUE);               /* 18 */
	mime_fold_token(&f, "b", 1, MIME_FOLD_SPACE);              /* 20: fits */
	mime_fold_token(&f, ",", 1, MIME_FOLD_GLUE);               /* 21: b, moves */
	mime_fold_token(&f, "c", 1, MIME_FOLD_SPACE);
	ck_assert_int_eq(mime_fold_end(&f), 0);
	ck_assert_str_eq(b.data, "To: aaaaaaaaaaaaa,\r\n b, c\r\n");
	mime_buf_free(&b);
}
END_TEST

/* The first token never leaves the name's line; BREAK adds the space only
 * when it folds. */
START_TEST(first_token_and_break)
{
	struct mime_buf b = {0};
	struct mime_fold f;
	mime_fold_init(&f, &b);
	f.width = 10;
	mime_fold_begin(&f, "References");
	mime_fold_token(&f, "<a@b>", 5, MIME_FOLD_SPACE);
	mime_fold_token(&f, "<c@d>", 5, MIME_FOLD_BREAK);
	mime_fold_token(&f, "x", 1, MIME_FOLD_BREAK);
	ck_assert_int_eq(mime_fold_end(&f), 0);
	ck_assert_str_eq(b.data, "References: <a@b>\r\n <c@d>x\r\n");
	mime_buf_free(&b);
}
END_TEST

START_TEST(hard_limit)
{
	static char big[1200];
	memset(big, 'x', sizeof big - 1);
	struct mime_buf b = {0};
	struct mime_fold f;
	mime_fold_init(&f, &b);
	mime_fold_begin(&f, "X");
	ck_assert_int_eq(mime_fold_token(&f, big, 990, MIME_FOLD_SPACE), 0);
	ck_assert_int_eq(mime_fold_end(&f), 0);     /* "X: " + 990 = 993 <= 998 */
	mime_buf_reset(&b);
	mime_fold_begin(&f, "X");
	mime_fold_token(&f, big, 1000, MIME_FOLD_SPACE);
	ck_assert_int_eq(mime_fold_end(&f), -2);
	ck_assert_int_eq(mime_fold_token(&f, "a", 1, MIME_FOLD_SPACE), -2); /* sticky */
	mime_buf_free(&b);
}
END_TEST

START_TEST(lf_and_width)
{
	struct mime_buf b = {0};
	struct mime_fold f;
	mime_fold_init(&f, &b);
	f.eol = "\n";
	f.width = 12;
	mime_fold_begin(&f, "S");
	words(&f, "one two three four");
	ck_assert_int_eq(mime_fold_end(&f), 0);
	ck_assert_str_eq(b.data, "S: one two\n three four\n");
	mime_buf_free(&b);
}
END_TEST

Suite *suite_fold(void)
{
	Suite *s = suite_create("fold");
	TCase *t = tcase_create("fold");
	tcase_add_test(t, short_field_one_line);
	tcase_add_test(t, long_text_folds_at_78);
	tcase_add_test(t, glue_moves_with_token);
	tcase_add_test(t, first_token_and_break);
	tcase_add_test(t, hard_limit);
	tcase_add_test(t, lf_and_width);
	suite_add_tcase(s, t);
	return s;
}
