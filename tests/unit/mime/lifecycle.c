/* A server's lifecycle: one reader, parser or editor for many messages
 * (reset keeps memory and gives the same events as a new one); a feed
 * while events of the last one wait is a sticky error, never a loss; mbox
 * "From " lines only when asked for; the total header limit. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

/* A transcript of the parser's events for a whole message. */
static void transcript(struct mime_parser *p, const char *m, struct mime_buf *t)
{
	mime_parser_feed(p, m, strlen(m));
	int fed_end = 0;
	for (;;) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT) {
			ck_assert(!fed_end);
			mime_parser_feed(p, NULL, 0);
			fed_end = 1;
			continue;
		}
		char line[128];
		snprintf(line, sizeof line, "%d@%llu:%lu/%s ", (int)e, (unsigned long long)ev.offset,
			 ev.line, e == MIME_DEFECT || e == MIME_ERROR ? mime_code_name(ev.code) : "");
		mime_buf_puts(t, line);
		mime_buf_append(t, ev.raw, ev.raw_len);
		mime_buf_putc(t, '|');
		if (e == MIME_END || e == MIME_ERROR)
			break;
	}
}

static const char *const msgs[] = {
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\n",
	"Subject: two\nSubject: again\n\nbody =ZZ\n",
	"Content-Type: message/rfc822\n\nFrom: x@y\nnot a field\n",
	"",
};

START_TEST(parser_reset_is_a_new_parser)
{
	struct mime_parser *reused = mime_parser_new(NULL, MIME_DECODE_CTE);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) {
			struct mime_parser *fresh = mime_parser_new(NULL, MIME_DECODE_CTE);
			struct mime_buf a = {0}, b = {0};
			transcript(fresh, msgs[i], &a);
			transcript(reused, msgs[i], &b);
			ck_assert_str_eq(a.data, b.data);
			mime_parser_reset(reused);
			mime_parser_free(fresh);
			mime_buf_free(&a);
			mime_buf_free(&b);
		}
	/* reset in the middle of a message */
	mime_parser_feed(reused, "Subject: x\n", 11);
	struct mime_event ev;
	mime_parser_next(reused, &ev);
	mime_parser_reset(reused);
	struct mime_buf a = {0}, b = {0};
	struct mime_parser *fresh = mime_parser_new(NULL, MIME_DECODE_CTE);
	transcript(fresh, msgs[0], &a);
	transcript(reused, msgs[0], &b);
	ck_assert_str_eq(a.data, b.data);
	mime_buf_free(&a);
	mime_buf_free(&b);
	mime_parser_free(fresh);
	mime_parser_free(reused);
}
END_TEST

START_TEST(parser_refuses_an_undrained_feed)
{
	struct mime_parser *p = mime_parser_new(NULL, 0);
	struct mime_event ev;
	/* before the first feed, the part's beginning may wait: that is fine */
	mime_parser_feed(p, "Subject: a\n\nbody\n", 17);
	ck_assert_int_eq(mime_parser_next(p, &ev), MIME_PART_BEGIN);
	/* events of that feed still wait: the next feed is refused, and stays so */
	mime_parser_feed(p, "more", 4);
	enum mime_ev e;
	while ((e = mime_parser_next(p, &ev)) != MIME_ERROR)
		ck_assert_int_ne(e, MIME_END);
	ck_assert_int_eq(ev.code, MIME_E_UNDRAINED);
	mime_parser_feed(p, NULL, 0);
	ck_assert_int_eq(mime_parser_next(p, &ev), MIME_ERROR);
	ck_assert_int_eq(ev.code, MIME_E_UNDRAINED);
	/* reset clears it */
	mime_parser_reset(p);
	struct mime_buf t = {0};
	transcript(p, msgs[1], &t);
	ck_assert_ptr_null(strstr(t.data, "undrained"));
	mime_buf_free(&t);
	mime_parser_free(p);
}
END_TEST

START_TEST(reader_reset_and_undrained)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	struct mime_field f;
	mime_hdr_reader_feed(r, "A: 1\nB: 2\n\n", 11);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_FIELD);
	mime_hdr_reader_feed(r, "C: 3\n", 5);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_ERROR);
	ck_assert_int_eq(f.code, MIME_E_UNDRAINED);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_ERROR);
	mime_hdr_reader_reset(r, NULL);
	mime_hdr_reader_feed(r, "A: 1\n\n", 6);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_FIELD);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_END);
	/* after END nothing more is read, and a feed is no error */
	mime_hdr_reader_feed(r, "X: y\n", 5);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_END);
	mime_hdr_reader_free(r);
}
END_TEST

START_TEST(mbox_from_is_opt_in)
{
	const char *m = "From me Tue Jul  1 10:52:37 2003\nSubject: s\n\nbody\n";
	struct mime_buf plain = {0}, mbox = {0};
	struct mime_parser *p = mime_parser_new(NULL, 0);
	transcript(p, m, &plain);
	mime_parser_free(p);
	p = mime_parser_new(NULL, MIME_MBOX_FROM);
	transcript(p, m, &mbox);
	mime_parser_free(p);
	/* wire input: the line is not a field, the header ends before it */
	ck_assert_ptr_nonnull(strstr(plain.data, "not-a-field"));
	ck_assert_ptr_null(strstr(mbox.data, "not-a-field"));
	mime_buf_free(&plain);
	mime_buf_free(&mbox);
}
END_TEST

START_TEST(total_header_limit)
{
	/* 100 fields of 100 bytes: each under max_field, the sum over max_header */
	struct mime_buf m = {0};
	for (int i = 0; i < 100; i++) {
		char f[128];
		snprintf(f, sizeof f, "X-%03d: %092d\n", i, 0);
		mime_buf_puts(&m, f);
	}
	mime_buf_puts(&m, "\nbody\n");
	struct mime_limits lim = {.max_header = 5000};
	struct mime_parser *p = mime_parser_new(&lim, 0);
	struct mime_buf t = {0};
	transcript(p, m.data, &t);
	ck_assert_ptr_nonnull(strstr(t.data, "header-too-long"));
	mime_parser_free(p);
	/* the default (1 MiB) takes it */
	p = mime_parser_new(NULL, 0);
	mime_buf_reset(&t);
	transcript(p, m.data, &t);
	ck_assert_ptr_null(strstr(t.data, "header-too-long"));
	mime_parser_free(p);
	mime_buf_free(&t);
	mime_buf_free(&m);
}
END_TEST

START_TEST(editor_errors_are_coded)
{
	struct mime_editor *ed = mime_editor_new(NULL);
	ck_assert_int_eq(mime_editor_remove(ed, ""), MIME_EINVAL);
	ck_assert_int_eq(mime_editor_remove(ed, "a b"), MIME_EINVAL);
	ck_assert_int_eq(mime_editor_replace(ed, "no colon", 8), MIME_EINVAL);
	/* many replaces: every one keeps its flag (the array grows with the list) */
	for (int i = 0; i < 40; i++) {
		char f[32];
		snprintf(f, sizeof f, "X-%d: v", i);
		ck_assert_int_eq(mime_editor_replace(ed, f, strlen(f)), MIME_OK);
	}
	const char *m = "X-3: old\nX-39: old\n\n";
	mime_editor_feed(ed, m, strlen(m));
	struct mime_buf out = {0};
	const char *o;
	size_t k;
	while (mime_editor_next(ed, &o, &k) == 1)
		mime_buf_append(&out, o, k);
	mime_editor_feed(ed, NULL, 0);
	while (mime_editor_next(ed, &o, &k) == 1)
		mime_buf_append(&out, o, k);
	ck_assert_ptr_nonnull(strstr(out.data, "X-3: v\nX-39: v\nX-0: v\n"));
	ck_assert_ptr_null(strstr(out.data, "old"));
	mime_buf_free(&out);
	/* a header over a limit: the reader's code */
	mime_editor_free(ed);
	struct mime_hdr_limits lim = {.max_field = 16};
	ed = mime_editor_new(&lim);
	mime_editor_feed(ed, "X: 01234567890123456789\n\n", 25);
	ck_assert_int_eq(mime_editor_next(ed, &o, &k), -1);
	enum mime_code code;
	unsigned long line;
	ck_assert_str_eq(mime_editor_error(ed, &line, &code), "header field longer than the limit");
	ck_assert_int_eq(code, MIME_E_FIELD_TOO_LONG);
	ck_assert_uint_eq(line, 1);
	mime_editor_free(ed);
}
END_TEST

Suite *suite_lifecycle(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *t = tcase_create("lifecycle");
	tcase_add_test(t, parser_reset_is_a_new_parser);
	tcase_add_test(t, parser_refuses_an_undrained_feed);
	tcase_add_test(t, reader_reset_and_undrained);
	tcase_add_test(t, mbox_from_is_opt_in);
	tcase_add_test(t, total_header_limit);
	tcase_add_test(t, editor_errors_are_coded);
	suite_add_tcase(s, t);
	return s;
}
