/* RFC 5322 3.6.4 / 4.5.4 message ids: every msg-id of RFC 5322 Appendix A,
 * obsolete forms, errors, lists and new ids; round-trip properties. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static void expect(const char *v, const char *canon)
{
	struct mime_buf b = {0};
	size_t err = 999;
	ck_assert_msg(mime_msgid_parse(v, strlen(v), &b, &err) == 0, "'%s' failed at %zu", v, err);
	ck_assert_str_eq(b.data, canon);
	/* canonical ids are fixed points */
	struct mime_buf c = {0};
	ck_assert_int_eq(mime_msgid_parse(b.data, b.len, &c, NULL), 0);
	ck_assert_str_eq(c.data, canon);
	mime_buf_free(&b);
	mime_buf_free(&c);
}

static void expect_error(const char *v, size_t pos)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_buf_puts(&b, "keep"), 0);
	size_t err = 999;
	ck_assert_msg(mime_msgid_parse(v, strlen(v), &b, &err) == -2, "'%s' parsed", v);
	ck_assert_msg(err == pos, "'%s': error at %zu, expected %zu", v, err, pos);
	ck_assert_str_eq(b.data, "keep");
	mime_buf_free(&b);
}

static void expect_list(const char *v, uint64_t defects, size_t count, ...)
{
	struct mime_msgid_list l;
	struct mime_defects df = {0};
	ck_assert_int_eq(mime_msgid_list_parse(v, strlen(v), &l, &df), 0);
	ck_assert_msg(l.count == count, "'%s': %zu ids, expected %zu", v, l.count, count);
	ck_assert_msg(df.count == defects, "'%s': %llu defects (%s), expected %llu", v,
		      (unsigned long long)df.count, df.first ? df.first : "", (unsigned long long)defects);
	va_list ap;
	va_start(ap, count);
	for (size_t i = 0; i < count; i++)
		ck_assert_str_eq(l.ids[i], va_arg(ap, const char *));
	va_end(ap);
	mime_msgid_list_free(&l);
	ck_assert_ptr_null(l.ids);
}

START_TEST(appendix_a)
{
	expect(" <1234@local.machine.example>", "<1234@local.machine.example>");     /* A.1.1 */
	expect(" <5678.21-Nov-1997@example.com>", "<5678.21-Nov-1997@example.com>"); /* A.1.2 */
	expect(" <testabcd.1234@silly.example>", "<testabcd.1234@silly.example>");   /* A.1.3, A.6.1 */
	expect(" <3456@example.net>", "<3456@example.net>");                         /* A.2 */
	expect(" <abcd.1234@local.machine.test>", "<abcd.1234@local.machine.test>"); /* A.2 */
	expect(" <78910@example.net>", "<78910@example.net>");                       /* A.3 */
	expect(" <1234@local.node.example>", "<1234@local.node.example>");           /* A.4 */
	expect("              <testabcd.1234@silly.test>", "<testabcd.1234@silly.test>"); /* A.5 */
	/* A.6.2, A.6.3: obsolete CFWS inside the id */
	expect(" <1234   @   local(blah)  .machine .example>", "<1234@local.machine.example>");
	/* A.2 In-Reply-To and References */
	expect_list(" <1234@local.machine.example>", 0, 1, "<1234@local.machine.example>");
	expect_list(" <3456@example.net>", 0, 1, "<3456@example.net>");
	expect_list(" <1234@local.machine.example>\r\n <3456@example.net>", 0, 2,
		    "<1234@local.machine.example>", "<3456@example.net>");
	expect_list(" <1234@local.machine.example> <3456@example.net>", 0, 2,
		    "<1234@local.machine.example>", "<3456@example.net>");
}
END_TEST

START_TEST(obsolete_forms)
{
	expect("<\"quoted\"@example.com>", "<quoted@example.com>");
	expect("<\"a b\" . c@example.com>", "<\"a b\".c@example.com>");
	expect("<\"a\\\"b\\\\\"@x>", "<\"a\\\"b\\\\\"@x>");
	expect("(c) < a . b (c) @ [ 192.0.2.1 ] > (trailing)", "<a.b@[192.0.2.1]>");
	expect("<a@[IPv6:2001:db8::1]>", "<a@[IPv6:2001:db8::1]>");
	expect("<a@[x\\]y]>", "<a@[x\\]y]>");
	expect("<a@b>", "<a@b>");
	expect("<\xc3\xa9t\xc3\xa9@exemple.fr>", "<\xc3\xa9t\xc3\xa9@exemple.fr>"); /* RFC 6532 */
	expect("\r\n <a@b>\r\n ", "<a@b>");
}
END_TEST

START_TEST(errors)
{
	expect_error("", 0);
	expect_error("a@b", 0);
	expect_error("<a@b", 4);
	expect_error("<a>", 2);
	expect_error("<@b>", 1);
	expect_error("<a@>", 3);
	expect_error("<a..b@c>", 3);
	expect_error("<a.@c>", 3);
	expect_error("<a@b..c>", 5);
	expect_error("<a@\"b\">", 3);
	expect_error("<a@b@c>", 4);
	expect_error("<a b@c>", 3);
	expect_error("<a@b> <c@d>", 6);
	expect_error("<a@b> x", 6);
	expect_error("<a@b> (open", 6);
	expect_error("<\"open@b>", 1);
	expect_error("<a@[b>", 3);
	expect_error("<a@[b\x01]>", 5);
	expect("<a@[b c]>", "<a@[bc]>"); /* obs: FWS in a domain literal */
	expect_error("<\"a\x01\"@b>", 1);
	expect_error("<a@b>\r\n", 5);
}
END_TEST

START_TEST(lists)
{
	expect_list("", 0, 0);
	expect_list(" (nothing) ", 0, 0);
	/* RFC 5322 4.5.4: phrases between ids */
	expect_list("<1234@local.machine.example> (John's message of \"Fri, 21 Nov\")", 0, 1,
		    "<1234@local.machine.example>");
	expect_list("John's message \"quoted\" . <a@b>", 0, 1, "<a@b>");
	/* broken ids are skipped with a defect, the rest is kept */
	expect_list("<a@b> <broken> <c@d>", 1, 2, "<a@b>", "<c@d>");
	expect_list("<a@b>, <c@d>", 1, 2, "<a@b>", "<c@d>");
	expect_list("<x <a@b>", 1, 1, "<a@b>");
	expect_list("<a@b> <c@d", 1, 1, "<a@b>");
	expect_list("<a@b> (open", 1, 1, "<a@b>");
	expect_list("<a@b> \"open", 1, 1, "<a@b>");
	expect_list("<a@b><c@d>", 0, 2, "<a@b>", "<c@d>");
	expect_list("<a @ b (x)>\r\n\t<c@d>", 0, 2, "<a@b>", "<c@d>");
	expect_list("a@b", 1, 0);
	expect_list("<<a@b>>", 2, 1, "<a@b>");
}
END_TEST

START_TEST(make)
{
	struct mime_buf b = {0};
	const unsigned char r[5] = {0xff, 0x00, 0x12, 0x34, 0x56};
	ck_assert_int_eq(mime_msgid_make(r, 5, 1700000000, "example.org", &b), 0);
	ck_assert_str_eq(b.data, "<74abencw.bsvh4ia@example.org>");
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_msgid_make(r, 1, 0, "a", &b), 0);
	ck_assert_str_eq(b.data, "<74.a@a>");
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_msgid_make(r, 0, 0, "a", &b), -2);
	ck_assert_int_eq(mime_msgid_make(r, 5, -1, "a", &b), -2);
	ck_assert_int_eq(mime_msgid_make(r, 5, 0, "", &b), -2);
	ck_assert_int_eq(mime_msgid_make(r, 5, 0, "a b", &b), -2);
	ck_assert_int_eq(mime_msgid_make(r, 5, 0, "a..b", &b), -2);
	ck_assert_int_eq(mime_msgid_make(r, 5, 0, "a>b", &b), -2);
	ck_assert_uint_eq(b.len, 0);
	unsigned char big[64];
	memset(big, 0xa5, sizeof big);
	ck_assert_int_eq(mime_msgid_make(big, sizeof big, INT64_MAX, "x.y", &b), 0);
	struct mime_buf c = {0};
	ck_assert_int_eq(mime_msgid_parse(b.data, b.len, &c, NULL), 0);
	ck_assert_str_eq(b.data, c.data);
	mime_buf_free(&b);
	mime_buf_free(&c);
}
END_TEST

/* Random ids from pieces (atoms, quoted words, literals, CFWS), fixed
 * seed: each parses, its canonical form is a fixed point, and a list of
 * them, whole or with junk between, gives them back in order. */
static void random_word(unsigned *seed, struct mime_buf *b, int quoted_ok)
{
	static const char at[] = "abcXYZ019!#$%&'*+-/=?^_`{|}~";
	int q = quoted_ok && rand_r(seed) % 4 == 0;
	size_t n = 1 + rand_r(seed) % 8;
	ck_assert_int_eq(mime_buf_putc(b, q ? '"' : 'x'), 0);
	for (size_t i = 0; i < n; i++) {
		int c = at[rand_r(seed) % (sizeof at - 1)];
		if (q && rand_r(seed) % 5 == 0)
			c = " \\\"@<>."[rand_r(seed) % 7];
		if (q && (c == '\\' || c == '"'))
			ck_assert_int_eq(mime_buf_putc(b, '\\'), 0);
		ck_assert_int_eq(mime_buf_putc(b, c), 0);
	}
	if (q)
		ck_assert_int_eq(mime_buf_putc(b, '"'), 0);
}

static void random_cfws(unsigned *seed, struct mime_buf *b)
{
	static const char *const k[] = {"", "", " ", "\r\n ", " (c) ", "(a (nested) \\) c)"};
	ck_assert_int_eq(mime_buf_puts(b, k[rand_r(seed) % 6]), 0);
}

static void random_id(unsigned *seed, struct mime_buf *b)
{
	random_cfws(seed, b);
	ck_assert_int_eq(mime_buf_putc(b, '<'), 0);
	for (int parts = 1 + rand_r(seed) % 3, i = 0; i < parts; i++) {
		if (i)
			ck_assert_int_eq(mime_buf_putc(b, '.'), 0);
		random_cfws(seed, b);
		random_word(seed, b, 1);
		random_cfws(seed, b);
	}
	ck_assert_int_eq(mime_buf_putc(b, '@'), 0);
	if (rand_r(seed) % 5 == 0) {
		ck_assert_int_eq(mime_buf_puts(b, "[10.0.0.1]"), 0);
	} else {
		for (int parts = 1 + rand_r(seed) % 3, i = 0; i < parts; i++) {
			if (i)
				ck_assert_int_eq(mime_buf_putc(b, '.'), 0);
			random_cfws(seed, b);
			random_word(seed, b, 0);
			random_cfws(seed, b);
		}
	}
	ck_assert_int_eq(mime_buf_putc(b, '>'), 0);
	random_cfws(seed, b);
}

START_TEST(property_lists)
{
	unsigned seed = 77;
	struct mime_buf field = {0}, one = {0}, canon = {0}, again = {0};
	for (int round = 0; round < 2000; round++) {
		mime_buf_reset(&field);
		size_t n = rand_r(&seed) % 6;
		char *want[6];
		for (size_t i = 0; i < n; i++) {
			mime_buf_reset(&one);
			random_id(&seed, &one);
			mime_buf_reset(&canon);
			ck_assert_msg(mime_msgid_parse(one.data, one.len, &canon, NULL) == 0, "%s", one.data);
			mime_buf_reset(&again);
			ck_assert_int_eq(mime_msgid_parse(canon.data, canon.len, &again, NULL), 0);
			ck_assert_str_eq(canon.data, again.data);
			want[i] = strdup(canon.data);
			ck_assert_ptr_nonnull(want[i]);
			ck_assert_int_eq(mime_buf_append(&field, one.data, one.len), 0);
			if (rand_r(&seed) % 3 == 0)
				ck_assert_int_eq(mime_buf_puts(&field, " phrase \"q\" . "), 0);
		}
		struct mime_msgid_list l;
		struct mime_defects df = {0};
		ck_assert_int_eq(mime_msgid_list_parse(field.data ? field.data : "", field.len, &l, &df), 0);
		ck_assert_uint_eq(df.count, 0);
		ck_assert_uint_eq(l.count, n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_str_eq(l.ids[i], want[i]);
			free(want[i]);
		}
		mime_msgid_list_free(&l);
	}
	mime_buf_free(&field);
	mime_buf_free(&one);
	mime_buf_free(&canon);
	mime_buf_free(&again);
}
END_TEST

/* Every prefix of a list parses without error and never reads past n. */
START_TEST(property_prefixes)
{
	const char *s = "(c) <a . \"b c\" @ [1.2.3.4]> phrase <x@y (z)> \"q\"";
	size_t n = strlen(s);
	for (size_t i = 0; i <= n; i++) {
		char *c = malloc(i ? i : 1);
		ck_assert_ptr_nonnull(c);
		memcpy(c, s, i);
		struct mime_msgid_list l;
		ck_assert_int_eq(mime_msgid_list_parse(c, i, &l, NULL), 0);
		mime_msgid_list_free(&l);
		struct mime_buf b = {0};
		size_t err = 0;
		int r = mime_msgid_parse(c, i, &b, &err);
		ck_assert(r == 0 || (r == -2 && err <= i));
		mime_buf_free(&b);
		free(c);
	}
}
END_TEST

Suite *suite_msgid(void)
{
	Suite *s = suite_create("msgid");
	TCase *t = tcase_create("msgid");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, appendix_a);
	tcase_add_test(t, obsolete_forms);
	tcase_add_test(t, errors);
	tcase_add_test(t, lists);
	tcase_add_test(t, make);
	tcase_add_test(t, property_lists);
	tcase_add_test(t, property_prefixes);
	suite_add_tcase(s, t);
	return s;
}
