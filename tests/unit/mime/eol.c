/* The line-ending converter and the streaming text statistics: the same
 * result in every chunking, every byte that is no line ending unchanged. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static char *convert(enum mime_eol_mode mode, unsigned flags, const char *in, size_t n,
		     size_t step, struct mime_eol *end)
{
	struct mime_eol e;
	struct mime_buf out = {0};
	mime_eol_init(&e, mode, flags);
	for (size_t i = 0; i < n;) {
		size_t k = step && n - i > step ? step : n - i;
		ck_assert_int_eq(mime_eol_append(&e, in + i, k, &out), MIME_OK);
		i += k;
	}
	ck_assert_int_eq(mime_eol_append(&e, NULL, 0, &out), MIME_OK);
	*end = e;
	mime_buf_putc(&out, 0);
	return out.data;
}

/* Every chunking the same; the counts too. */
static const char *conv(enum mime_eol_mode mode, unsigned flags, const char *in, uint64_t *lf,
			uint64_t *cr)
{
	static char res[256];
	size_t n = strlen(in);
	struct mime_eol a, b;
	char *whole = convert(mode, flags, in, n, 0, &a);
	for (size_t step = 1; step <= 4; step++) {
		char *c = convert(mode, flags, in, n, step, &b);
		ck_assert_str_eq(c, whole);
		ck_assert_uint_eq(a.bare_lf, b.bare_lf);
		ck_assert_uint_eq(a.bare_cr, b.bare_cr);
		free(c);
	}
	*lf = a.bare_lf;
	*cr = a.bare_cr;
	strcpy(res, whole);
	free(whole);
	return res;
}

START_TEST(to_crlf)
{
	uint64_t lf, cr;
	ck_assert_str_eq(conv(MIME_EOL_CRLF, 0, "a\nb\r\nc\rd\n", &lf, &cr), "a\r\nb\r\nc\rd\r\n");
	ck_assert_uint_eq(lf, 2);
	ck_assert_uint_eq(cr, 1);
	ck_assert_str_eq(conv(MIME_EOL_CRLF, MIME_EOL_BARE_CR, "a\rb\r", &lf, &cr), "a\r\nb\r\n");
	ck_assert_uint_eq(cr, 2);
	ck_assert_str_eq(conv(MIME_EOL_CRLF, 0, "\n\n\r\r\n", &lf, &cr), "\r\n\r\n\r\r\n");
	ck_assert_uint_eq(lf, 2);
	ck_assert_uint_eq(cr, 1);
}
END_TEST

START_TEST(to_lf)
{
	uint64_t lf, cr;
	ck_assert_str_eq(conv(MIME_EOL_LF, 0, "a\r\nb\nc\rd\r", &lf, &cr), "a\nb\nc\rd\r");
	ck_assert_uint_eq(lf, 1);
	ck_assert_uint_eq(cr, 2);
	ck_assert_str_eq(conv(MIME_EOL_LF, MIME_EOL_BARE_CR, "a\rb\r\r\n", &lf, &cr), "a\nb\n\n");
	ck_assert_uint_eq(cr, 2);
}
END_TEST

START_TEST(binary_bytes_pass)
{
	char in[256], want[512];
	size_t w = 0;
	for (int i = 1; i < 256; i++) {
		in[i - 1] = (char)i;
		if (i == '\n')
			want[w++] = '\r';
		want[w++] = (char)i;
	}
	in[255] = 0;
	want[w] = 0;
	struct mime_buf out = {0};
	ck_assert_int_eq(mime_eol_all(MIME_EOL_CRLF, in, 255, &out), MIME_OK);
	ck_assert_uint_eq(out.len, w);
	ck_assert_int_eq(memcmp(out.data, want, w), 0);
	mime_buf_free(&out);
}
END_TEST

START_TEST(stats_in_any_chunking)
{
	static const char in[] = "line one\r\nbare\nbare cr\r=\xff\x01\0\ttab\r\nlast";
	size_t n = sizeof in - 1;
	struct mime_text_stats whole;
	mime_text_stats(in, n, &whole);
	ck_assert_uint_eq(whole.crlf, 2);
	ck_assert_uint_eq(whole.bare_lf, 1);
	ck_assert_uint_eq(whole.bare_cr, 1);
	ck_assert_uint_eq(whole.nul, 1);
	ck_assert_uint_eq(whole.high, 1);
	for (size_t step = 1; step < 8; step++) {
		struct mime_text_stats st;
		mime_text_stats_init(&st);
		for (size_t i = 0; i < n; i += step)
			mime_text_stats_feed(&st, in + i, n - i < step ? n - i : step);
		mime_text_stats_end(&st);
		ck_assert_uint_eq(st.len, whole.len);
		ck_assert_uint_eq(st.crlf, whole.crlf);
		ck_assert_uint_eq(st.bare_lf, whole.bare_lf);
		ck_assert_uint_eq(st.bare_cr, whole.bare_cr);
		ck_assert_uint_eq(st.longest, whole.longest);
		ck_assert_uint_eq(st.qp_escapes, whole.qp_escapes);
		ck_assert_uint_eq(st.ctrl, whole.ctrl);
		ck_assert_int_eq(mime_choose_cte_stats(&st, 0), mime_choose_cte_stats(&whole, 0));
	}
	/* a CR that ends the data is bare */
	struct mime_text_stats st;
	mime_text_stats("a\r", 2, &st);
	ck_assert_uint_eq(st.bare_cr, 1);
}
END_TEST

Suite *suite_eol(void)
{
	Suite *s = suite_create("eol");
	TCase *t = tcase_create("eol");
	tcase_add_test(t, to_crlf);
	tcase_add_test(t, to_lf);
	tcase_add_test(t, binary_bytes_pass);
	tcase_add_test(t, stats_in_any_chunking);
	suite_add_tcase(s, t);
	return s;
}
