/* The header reader: fields raw and split, folding, defects, limits, and
 * the same events whatever the chunking. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mime.h"

/* Feed msg in chunks of size step (0: whole) and write a transcript of the
 * events; the raw bytes of the fields and the consumed count must cover
 * the header exactly. */
static void transcript(const char *msg, size_t len, size_t step, unsigned flags,
		       struct mime_buf *t)
{
	struct mime_hdr_limits lim = {.flags = flags, .max_line = 40, .max_field = 200,
				      .max_fields = 5};
	struct mime_hdr_reader *r = mime_hdr_reader_new(&lim);
	ck_assert_ptr_nonnull(r);
	struct mime_buf raw = {0};
	size_t pos = 0, last = 0;
	char line[512];
	for (;;) {
		struct mime_field f;
		enum mime_hdr_ev ev = mime_hdr_reader_next(r, &f);
		if (ev == MIME_HDR_AWAIT) {
			size_t n = step && len - pos > step ? step : len - pos;
			mime_hdr_reader_feed(r, msg + pos, n);
			last = pos;
			pos += n;
			continue;
		}
		if (ev == MIME_HDR_FIELD) {
			snprintf(line, sizeof line, "F%lu@%lu [%.*s] [%.*s]\n", f.line,
				 (unsigned long)f.offset, (int)f.name_len, f.name,
				 (int)f.value_len, f.value);
			ck_assert_int_eq(f.offset, raw.len);
			ck_assert_int_eq(mime_buf_append(&raw, f.raw, f.raw_len), 0);
		} else if (ev == MIME_HDR_DEFECT) {
			snprintf(line, sizeof line, "D%lu@%lu %s\n", f.line, (unsigned long)f.offset,
				 mime_hdr_reader_message(r));
		} else if (ev == MIME_HDR_END) {
			uint64_t c = mime_hdr_reader_consumed(r);
			snprintf(line, sizeof line, "END %lu\n", (unsigned long)c);
			ck_assert_uint_le(raw.len, c);
			ck_assert_int_eq(memcmp(raw.data ? raw.data : "", msg, raw.len), 0);
			/* the body: held bytes, then the last feed from unread on */
			const char *held;
			size_t unread, h = mime_hdr_reader_body(r, &held, &unread);
			ck_assert_uint_eq(c + h, last + unread);
			ck_assert_int_eq(memcmp(held, msg + c, h), 0);
			mime_buf_puts(t, line);
			break;
		} else {
			snprintf(line, sizeof line, "ERROR %s\n", mime_hdr_reader_message(r));
			mime_buf_puts(t, line);
			break;
		}
		mime_buf_puts(t, line);
	}
	mime_buf_free(&raw);
	mime_hdr_reader_free(r);
}

/* Every chunking gives the same transcript; returns it (static). */
static const char *run(const char *msg, unsigned flags)
{
	static char out[4096];
	size_t len = strlen(msg);
	struct mime_buf whole = {0};
	transcript(msg, len, 0, flags, &whole);
	static const size_t steps[] = {1, 2, 3, 5, 7, 64};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct mime_buf t = {0};
		transcript(msg, len, steps[i], flags, &t);
		ck_assert_str_eq(t.data, whole.data);
		mime_buf_free(&t);
	}
	snprintf(out, sizeof out, "%s", whole.data);
	mime_buf_free(&whole);
	return out;
}

START_TEST(simple_fields)
{
	ck_assert_str_eq(run("From: a@b\r\nSubject: hi\r\n\r\nbody\r\n", 0),
			 "F1@0 [From] [ a@b]\n"
			 "F2@11 [Subject] [ hi]\n"
			 "END 26\n");
}
END_TEST

START_TEST(folded_and_lf)
{
	ck_assert_str_eq(run("Subject: one\n two\n\tthree\nTo: x\n\nbody", 0),
			 "F1@0 [Subject] [ one\n two\n\tthree]\n"
			 "F4@25 [To] [ x]\n"
			 "END 32\n");
}
END_TEST

START_TEST(obsolete_space_before_colon)
{
	/* RFC 5322 4.5: obs-optional allows WSP between name and colon */
	ck_assert_str_eq(run("Subject  : x\r\n\r\n", 0),
			 "D1@7 white space before the colon (RFC 5322 4.5)\n"
			 "F1@0 [Subject] [ x]\nEND 16\n");
}
END_TEST

START_TEST(not_a_field)
{
	/* the header-end rule: the header ends before the line, which is body */
	ck_assert_str_eq(run("A: 1\r\nno colon here\r\n (cont)\r\nB: 2\r\n\r\n", 0),
			 "F1@0 [A] [ 1]\n"
			 "D2@6 line is not a header field: the header ends before it\n"
			 "END 6\n");
	ck_assert_str_eq(run(" lead\r\nA: 1\r\n\r\n", 0),
			 "D1@0 continuation line without a field\n"
			 "F1@0 [] [ lead]\n"
			 "F2@7 [A] [ 1]\n"
			 "END 15\n");
}
END_TEST

START_TEST(mbox_from)
{
	const char *m = "From me@x Tue Nov 24 10:00:00 2026\nA: 1\n\n";
	ck_assert_str_eq(run(m, MIME_HDR_MBOX_FROM),
			 "F1@0 [] [From me@x Tue Nov 24 10:00:00 2026]\n"
			 "F2@35 [A] [ 1]\n"
			 "END 41\n");
	/* without the flag it is not a field: the header ends before it */
	ck_assert_str_eq(run(m, 0),
			 "D1@0 line is not a header field: the header ends before it\n"
			 "END 0\n");
}
END_TEST

START_TEST(end_of_input)
{
	ck_assert_str_eq(run("A: 1\r\nB: 2", 0), "F1@0 [A] [ 1]\nF2@6 [B] [ 2]\nEND 10\n");
	ck_assert_str_eq(run("A: 1\r\n b", 0), "F1@0 [A] [ 1\r\n b]\nEND 8\n");
	ck_assert_str_eq(run("", 0), "END 0\n");
	ck_assert_str_eq(run("\r\nbody", 0), "END 2\n");
	ck_assert_str_eq(run("\nbody", 0), "END 1\n");
}
END_TEST

START_TEST(limits)
{
	/* a long line is a defect and is kept */
	const char *m = "A: 0123456789012345678901234567890123456789\r\nB: 1\r\n\r\n";
	ck_assert_str_eq(run(m, 0),
			 "D1@0 header line longer than the limit\n"
			 "F1@0 [A] [ 0123456789012345678901234567890123456789]\n"
			 "F2@45 [B] [ 1]\n"
			 "END 53\n");
	/* a field beyond max_field is an error */
	char big[400];
	strcpy(big, "A: x\r\n");
	for (int i = 0; i < 20; i++)
		strcat(big, " 0123456789abc\r\n");
	strcat(big, "\r\n");
	ck_assert_str_eq(run(big, 0), "ERROR header field longer than the limit\n");
	/* more fields than max_fields */
	ck_assert_str_eq(run("A:1\nA:2\nA:3\nA:4\nA:5\nA:6\n\n", 0),
			 "F1@0 [A] [1]\nF2@4 [A] [2]\nF3@8 [A] [3]\nF4@12 [A] [4]\n"
			 "F5@16 [A] [5]\nERROR too many header fields\n");
}
END_TEST

START_TEST(stops_at_body)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	const char *m = "A: 1\r\n\r\nB: not a field\r\n";
	mime_hdr_reader_feed(r, m, strlen(m));
	struct mime_field f;
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_FIELD);
	ck_assert(mime_field_is(&f, "a"));
	ck_assert(!mime_field_is(&f, "ab"));
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_END);
	ck_assert_int_eq(mime_hdr_reader_consumed(r), 8);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_END);
	/* reset: a new header from offset 0, line 1, with the new limits */
	mime_hdr_reader_reset(r, &(struct mime_hdr_limits){.max_fields = 1});
	const char *m2 = "X: 1\nY: 2\n\n";
	mime_hdr_reader_feed(r, m2, strlen(m2));
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_FIELD);
	ck_assert(mime_field_is(&f, "x"));
	ck_assert_int_eq(f.offset, 0);
	ck_assert_int_eq(f.line, 1);
	ck_assert_int_eq(mime_hdr_reader_next(r, &f), MIME_HDR_ERROR);
	ck_assert_str_eq(mime_hdr_reader_message(r), "too many header fields");
	mime_hdr_reader_free(r);
}
END_TEST

/* Property: random headers (fields, folds, garbage, CR/LF mixes) give the
 * same transcript in every chunking and the fields cover the input. */
START_TEST(random_chunking)
{
	unsigned seed = 12345;
	static const char alphabet[] = "ab: \t\r\n\r\n:xy";
	for (int n = 0; n < 300; n++) {
		char m[120];
		size_t len = 0, want;
		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % (sizeof m - 1);
		while (len < want) {
			seed = seed * 1103515245u + 12345u;
			m[len++] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		m[len] = '\0';
		run(m, MIME_HDR_MBOX_FROM);
	}
}
END_TEST

Suite *suite_header(void)
{
	Suite *s = suite_create("header");
	TCase *t = tcase_create("reader");
	tcase_add_test(t, simple_fields);
	tcase_add_test(t, folded_and_lf);
	tcase_add_test(t, obsolete_space_before_colon);
	tcase_add_test(t, not_a_field);
	tcase_add_test(t, mbox_from);
	tcase_add_test(t, end_of_input);
	tcase_add_test(t, limits);
	tcase_add_test(t, stops_at_body);
	tcase_add_test(t, random_chunking);
	suite_add_tcase(s, t);
	return s;
}
