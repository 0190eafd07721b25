/* Header edits on the raw view: the edited fields change, every other byte
 * stays, whatever the chunking. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

struct edits {
	const char *remove, *replace, *prepend, *append;
};

static char *run_edit(const char *msg, const struct edits *e, size_t step)
{
	struct mime_editor *ed = mime_editor_new(NULL);
	ck_assert_ptr_nonnull(ed);
	if (e->remove)
		ck_assert_int_eq(mime_editor_remove(ed, e->remove), 0);
	if (e->replace)
		ck_assert_int_eq(mime_editor_replace(ed, e->replace, strlen(e->replace)), 0);
	if (e->prepend)
		ck_assert_int_eq(mime_editor_prepend(ed, e->prepend, strlen(e->prepend)), 0);
	if (e->append)
		ck_assert_int_eq(mime_editor_append(ed, e->append, strlen(e->append)), 0);
	struct mime_buf out = {0};
	size_t len = strlen(msg), pos = 0;
	for (;;) {
		const char *o;
		size_t n;
		int r;
		while ((r = mime_editor_next(ed, &o, &n)) == 1)
			mime_buf_append(&out, o, n);
		ck_assert_int_eq(r, 0);
		if (pos == len && pos != (size_t)-1) {
			mime_editor_feed(ed, NULL, 0);
			while ((r = mime_editor_next(ed, &o, &n)) == 1)
				mime_buf_append(&out, o, n);
			ck_assert_int_eq(r, 0);
			break;
		}
		size_t k = step && len - pos > step ? step : len - pos;
		mime_editor_feed(ed, msg + pos, k);
		pos += k;
	}
	mime_editor_free(ed);
	mime_buf_putc(&out, '\0');
	return out.data;
}

/* Same result for every chunking; returns a static copy. */
static const char *edit(const char *msg, struct edits e)
{
	static char res[2048];
	char *whole = run_edit(msg, &e, 0);
	static const size_t steps[] = {1, 2, 3, 7, 100};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		char *c = run_edit(msg, &e, steps[i]);
		ck_assert_str_eq(c, whole);
		free(c);
	}
	strncpy(res, whole, sizeof res - 1);
	free(whole);
	return res;
}

static const char *msg = "Received: from a\r\n\tby b; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
			 "From: x@y\r\nSubject: old\r\nsubject: older\r\n\r\n"
			 "Subject: in the body\r\nbody\r\n";

START_TEST(no_edit_is_identity)
{
	ck_assert_str_eq(edit(msg, (struct edits){0}), msg);
	const char *odd = "From me Tue\nA: 1\n no colon\n\nx\n\n";
	ck_assert_str_eq(edit(odd, (struct edits){0}), odd);
}
END_TEST

START_TEST(remove_all_of_a_name)
{
	ck_assert_str_eq(edit(msg, (struct edits){.remove = "SUBJECT"}),
			 "Received: from a\r\n\tby b; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
			 "From: x@y\r\n\r\nSubject: in the body\r\nbody\r\n");
}
END_TEST

START_TEST(replace_first_in_place)
{
	ck_assert_str_eq(edit(msg, (struct edits){.replace = "Subject: new\n two"}),
			 "Received: from a\r\n\tby b; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
			 "From: x@y\r\nSubject: new\r\n two\r\n\r\n"
			 "Subject: in the body\r\nbody\r\n");
	/* absent: appended */
	ck_assert_str_eq(edit("A: 1\n\nb\n", (struct edits){.replace = "X-New: v"}),
			 "A: 1\nX-New: v\n\nb\n");
}
END_TEST

START_TEST(prepend_and_append_in_message_style)
{
	ck_assert_str_eq(edit("A: 1\n\nb\n", (struct edits){.prepend = "Received: x\r\n",
							  .append = "Z: z"}),
			 "Received: x\nA: 1\nZ: z\n\nb\n");
	ck_assert_str_eq(edit("A: 1\r\n\r\nb\n", (struct edits){.prepend = "P: p"}),
			 "P: p\r\nA: 1\r\n\r\nb\n");
	/* no empty line: the header ends with the input */
	ck_assert_str_eq(edit("A: 1\r\n", (struct edits){.append = "Z: z"}),
			 "A: 1\r\nZ: z\r\n");
}
END_TEST

START_TEST(bad_field_refused)
{
	struct mime_editor *ed = mime_editor_new(NULL);
	ck_assert_int_eq(mime_editor_append(ed, "no colon", 8), MIME_EINVAL);
	ck_assert_int_eq(mime_editor_prepend(ed, ": empty name", 12), MIME_EINVAL);
	mime_editor_free(ed);
}
END_TEST

Suite *suite_edit(void)
{
	Suite *s = suite_create("edit");
	TCase *t = tcase_create("edit");
	tcase_add_test(t, no_edit_is_identity);
	tcase_add_test(t, remove_all_of_a_name);
	tcase_add_test(t, replace_first_in_place);
	tcase_add_test(t, prepend_and_append_in_message_style);
	tcase_add_test(t, bad_field_refused);
	suite_add_tcase(s, t);
	return s;
}
