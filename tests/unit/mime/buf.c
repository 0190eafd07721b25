#include <check.h>
#include <string.h>
#include "mime.h"

START_TEST(buf_appends_and_terminates)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_buf_puts(&b, "abc"), 0);
	ck_assert_int_eq(mime_buf_putc(&b, 'd'), 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_str_eq(b.data, "abcd");
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(mime_buf_append(&b, "0123456789", 10), 0);
	ck_assert_uint_eq(b.len, 10004);
	ck_assert_int_eq(b.data[b.len], '\0');
	mime_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	mime_buf_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

static int seen;
static enum mime_code last_code;
static void count(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	(void)what;
	*(uint64_t *)ctx = off;
	last_code = code;
	seen++;
}

START_TEST(defects_record_first)
{
	uint64_t last = 0;
	struct mime_defects d = {.fn = count, .ctx = &last};
	mime_defect(&d, MIME_D_QP, 7, "first");
	mime_defect(&d, MIME_D_BASE64, 9, "second");
	ck_assert_uint_eq(d.count, 2);
	ck_assert_uint_eq(d.first_offset, 7);
	ck_assert_str_eq(d.first, "first");
	ck_assert_int_eq(d.first_code, MIME_D_QP);
	ck_assert_uint_eq(last, 9);
	ck_assert_int_eq(last_code, MIME_D_BASE64);
	ck_assert_int_eq(seen, 2);
	mime_defect(NULL, MIME_D_QP, 1, "ignored");
}
END_TEST

Suite *suite_buf(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");
	tcase_add_test(tc, buf_appends_and_terminates);
	tcase_add_test(tc, defects_record_first);
	suite_add_tcase(s, tc);
	return s;
}
