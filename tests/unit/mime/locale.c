/* lib/mime folds ASCII whatever the C locale: under tr_TR, where 'I' does
 * not fold to 'i', header names, transfer encodings, types, parameter
 * names, charset names and domains still match. The locale is generated
 * for the test (localedef into a scratch directory, LOCPATH); where it
 * cannot be made, the test says so and checks nothing else. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>

#include "mime.h"

/* 1 when the Turkish locale is in effect and does fold 'I' differently. */
static int turkish(void)
{
	char dir[] = "/tmp/ember-locale-XXXXXX";
	if (!mkdtemp(dir))
		return 0;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "localedef -i tr_TR -f UTF-8 %s/tr_TR.UTF-8 >/dev/null 2>&1", dir);
	if (system(cmd) != 0) {
		printf("locale: skipped: localedef cannot make tr_TR.UTF-8\n");
		return 0;
	}
	setenv("LOCPATH", dir, 1);
	if (!setlocale(LC_ALL, "tr_TR.UTF-8")) {
		printf("locale: skipped: setlocale(tr_TR.UTF-8) failed\n");
		return 0;
	}
	/* what the C library does now: the bug this guards against (strcasecmp
	 * folds through the same table; it is not called here because the
	 * sanitizers replace it with an ASCII one) */
	if (tolower('I') == 'i') {
		printf("locale: skipped: this C library folds 'I' as ASCII under tr_TR\n");
		return 0;
	}
	return 1;
}

static void parse(const char *msg, struct mime_buf *data, struct mime_buf *info)
{
	struct mime_parser *p = mime_parser_new(NULL, MIME_DECODE_CTE | MIME_DECODE_TEXT);
	ck_assert_ptr_nonnull(p);
	mime_parser_feed(p, msg, strlen(msg));
	int fed_end = 0;
	for (;;) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT && !fed_end) {
			mime_parser_feed(p, NULL, 0);
			fed_end = 1;
			continue;
		}
		ck_assert_int_ne(e, MIME_ERROR);
		ck_assert_int_ne(e, MIME_AWAIT);
		if (e == MIME_END)
			break;
		if (e == MIME_BODY && ev.body_kind == MIME_BODY_LEAF)
			mime_buf_append(data, ev.data, ev.len);
		if (e == MIME_HEADER_END) {
			char line[256];
			snprintf(line, sizeof line, "%s %s/%s cs=%s cte=%s fn=%s mp=%d\n", ev.part->path,
				 ev.part->type, ev.part->subtype, ev.part->charset ? ev.part->charset : "-",
				 ev.part->cte_name ? ev.part->cte_name : "-",
				 ev.part->filename ? ev.part->filename : "-", ev.part->multipart);
			mime_buf_puts(info, line);
		}
	}
	mime_parser_free(p);
}

START_TEST(ascii_folding_under_tr_TR)
{
	if (!turkish())
		return;
	/* names with I in upper case everywhere */
	const char *msg =
		"MIME-VERSION: 1.0\r\n"
		"CONTENT-TYPE: MULTIPART/MIXED; BOUNDARY=XI\r\n"
		"\r\n"
		"--XI\r\n"
		"CONTENT-TYPE: TEXT/PLAIN; CHARSET=ISO-8859-1\r\n"
		"CONTENT-TRANSFER-ENCODING: BASE64\r\n"
		"CONTENT-DISPOSITION: ATTACHMENT; FILENAME=I.TXT\r\n"
		"\r\n"
		"6Q==\r\n"
		"--XI\r\n"
		"CONTENT-TYPE: TEXT/PLAIN; CHARSET=WINDOWS-1252\r\n"
		"CONTENT-TRANSFER-ENCODING: QUOTED-PRINTABLE\r\n"
		"\r\n"
		"=80\r\n"
		"--XI--\r\n";
	struct mime_buf data = {0}, info = {0};
	parse(msg, &data, &info);
	ck_assert_str_eq(info.data, "1 multipart/mixed cs=- cte=- fn=- mp=1\n"
				    "1.1 text/plain cs=iso-8859-1 cte=base64 fn=I.TXT mp=0\n"
				    "1.2 text/plain cs=windows-1252 cte=quoted-printable fn=- mp=0\n");
	/* e9 (ISO-8859-1) and 80 (windows-1252) decoded to UTF-8 */
	ck_assert_str_eq(data.data, "\xc3\xa9\xe2\x82\xac");
	mime_buf_free(&data);
	mime_buf_free(&info);

	ck_assert_int_eq(mime_charset_lookup("ISO-8859-9", 10), mime_charset_lookup("iso-8859-9", 10));
	ck_assert_int_ge(mime_charset_lookup("UTF-8", 5), 0);
	ck_assert_int_eq(mime_field_kind("MESSAGE-ID", 10), MIME_FIELD_MSGID);
	ck_assert_int_eq(mime_field_kind("RECEIVED", 8), MIME_FIELD_TRACE);
	struct mime_field f = {.name = "CONTENT-TRANSFER-ENCODING", .name_len = 25};
	ck_assert(mime_field_is(&f, "content-transfer-encoding"));
	ck_assert_int_eq(mime_ascii_casecmp("IIII", "iiii"), 0);

	/* domains: the same address whatever the case */
	struct mime_address_list a = {0}, b = {0};
	ck_assert_int_eq(mime_address_list_parse("i@EXAMPLE.INFO", 14, &a, NULL), 0);
	ck_assert_int_eq(mime_address_list_parse("I@example.info", 14, &b, NULL), 0);
	ck_assert_int_eq(mime_address_list_equal(&a, &b), 0); /* local parts differ in case */
	mime_address_list_free(&b);
	ck_assert_int_eq(mime_address_list_parse("i@example.info", 14, &b, NULL), 0);
	ck_assert_int_eq(mime_address_list_equal(&a, &b), 1);
	mime_address_list_free(&a);
	mime_address_list_free(&b);

	/* repeated fields, in any case, are repeats; the author's domain is lowercased */
	struct mime_author au;
	const char *two = "FROM: a@X.INFO\r\nfrom: b@y.info\r\n\r\n";
	ck_assert_int_eq(mime_author_read(two, strlen(two), NULL, &au), MIME_AUTHOR_SEVERAL_FROM);
	mime_author_free(&au);
	const char *one = "FROM: a@XI.INFO\r\n\r\n";
	ck_assert_int_eq(mime_author_read(one, strlen(one), NULL, &au), MIME_AUTHOR_OK);
	ck_assert_str_eq(au.domain.data, "xi.info");
	mime_author_free(&au);

	/* Received: "with ESMTPSI..."-style keywords in upper case */
	struct mime_received r;
	const char *v = " FROM a.example BY b.example WITH ESMTPS ID 1; Tue, 1 Jul 2003 10:52:37 +0200";
	ck_assert_int_eq(mime_received_parse(v, strlen(v), &r, NULL), 0);
	ck_assert_str_eq(r.from.value, "a.example");
	ck_assert_str_eq(r.with.value, "ESMTPS");
	ck_assert_int_eq(mime_received_with_flags(r.with.value), MIME_WITH_ESMTP | MIME_WITH_TLS);
	mime_received_free(&r);
	setlocale(LC_ALL, "C");
}
END_TEST

Suite *suite_locale(void)
{
	Suite *s = suite_create("locale");
	TCase *t = tcase_create("locale");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, ascii_folding_under_tr_TR);
	suite_add_tcase(s, t);
	return s;
}
