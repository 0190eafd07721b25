/* Every DEFECT and ERROR carries the input offset and line of the byte it
 * is about, whatever the chunking: 1, 2, 3, 7 and 64 bytes and whole. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

/* The defects as sorted "code@line:offset" lines; each line number is
 * checked against the offset (1 + the line breaks before it). */
static void collect(const char *m, size_t len, size_t step, unsigned flags, struct mime_buf *out)
{
	struct mime_parser *p = mime_parser_new(NULL, flags);
	size_t pos = 0, n = 0, cap = 0;
	char **lines = NULL;
	for (;;) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT) {
			size_t k = step && len - pos > step ? step : len - pos;
			mime_parser_feed(p, m + pos, k);
			pos += k;
			continue;
		}
		if (e == MIME_END)
			break;
		if (e != MIME_DEFECT && e != MIME_ERROR)
			continue;
		ck_assert_uint_le(ev.offset, len);
		unsigned long want = 1;
		for (uint64_t i = 0; i < ev.offset; i++)
			want += m[i] == '\n';
		ck_assert_msg(ev.line == want, "%s at offset %llu: line %lu, want %lu", ev.message,
			      (unsigned long long)ev.offset, ev.line, want);
		ck_assert_int_ne(ev.code, MIME_C_NONE);
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			lines = realloc(lines, cap * sizeof *lines);
		}
		char buf[256];
		snprintf(buf, sizeof buf, "%s@%lu:%llu", mime_code_name(ev.code), ev.line,
			 (unsigned long long)ev.offset);
		lines[n++] = strdup(buf);
		if (e == MIME_ERROR)
			break;
	}
	mime_parser_free(p);
	/* the order of defects inside one body depends on the chunking */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		mime_buf_puts(out, lines[i]);
		mime_buf_putc(out, '\n');
		free(lines[i]);
	}
	free(lines);
}

static const char *defects(const char *m, unsigned flags)
{
	static char res[4096];
	size_t len = strlen(m);
	struct mime_buf whole = {0};
	collect(m, len, 0, flags, &whole);
	static const size_t steps[] = {1, 2, 3, 7, 64};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		struct mime_buf t = {0};
		collect(m, len, steps[i], flags, &t);
		ck_assert_msg(strcmp(t.data ? t.data : "", whole.data ? whole.data : "") == 0,
			      "chunk %zu:\n%s\nwhole:\n%s", steps[i], t.data, whole.data);
		mime_buf_free(&t);
	}
	snprintf(res, sizeof res, "%s", whole.data ? whole.data : "");
	mime_buf_free(&whole);
	return res;
}

/* The byte at the defect's offset is the one it is about. */
static size_t at(const char *m, const char *needle)
{
	const char *s = strstr(m, needle);
	ck_assert_ptr_nonnull(s);
	return (size_t)(s - m);
}

static const char *multi =
	"From: a@example.org\r\n"                     /* 1 */
	"Content-Type: multipart/mixed; boundary=b\r\n" /* 2 */
	"\r\n"                                          /* 3 */
	"--b\r\n"                                       /* 4 */
	"Content-Type: text/plain\r\n"                  /* 5 */
	"Content-Transfer-Encoding: quoted-printable\r\n" /* 6 */
	"\r\n"                                          /* 7 */
	"ok line\r\n"                                   /* 8 */
	"bad =ZZ here\r\n"                              /* 9 */
	"--b\r\n"                                       /* 10 */
	"Content-Type: application/octet-stream\r\n"    /* 11 */
	"Content-Transfer-Encoding: base64\r\n"         /* 12 */
	"Subject: one\r\n"                              /* 13 */
	"Subject: two\r\n"                              /* 14 */
	"\r\n"                                          /* 15 */
	"aGVs\r\n"                                      /* 16 */
	"b!G8=\r\n"                                     /* 17 */
	"--b\r\n"                                       /* 18 */
	"Content-Type: text/plain; charset=\"utf-8\r\n"  /* 19 */
	"\r\n"                                          /* 20 */
	"x\r\n";                                        /* 21: no close delimiter */

START_TEST(defects_in_multipart_bodies)
{
	char want[1024];
	snprintf(want, sizeof want,
		 "base64@17:%zu\n"
		 "params@19:%zu\n"
		 "qp@9:%zu\n"
		 "repeated-field@14:%zu\n"
		 "unclosed-multipart@22:%zu\n",
		 at(multi, "!G8="), at(multi, "\"utf-8"), at(multi, "=ZZ"), at(multi, "Subject: two"),
		 strlen(multi));
	ck_assert_str_eq(defects(multi, MIME_DECODE_CTE), want);
	/* not decoding: no decoder, no decoder defects */
	snprintf(want, sizeof want, "params@19:%zu\nrepeated-field@14:%zu\nunclosed-multipart@22:%zu\n",
		 at(multi, "\"utf-8"), at(multi, "Subject: two"), strlen(multi));
	ck_assert_str_eq(defects(multi, 0), want);
}
END_TEST

START_TEST(defects_of_fields_and_structure)
{
	/* a Content-Type that does not parse: at its value; a header line too
	 * long: at its line; a part header cut by a delimiter; the header-end rule */
	char m[2048];
	char lng[1100];
	memset(lng, 'x', 1000);
	lng[1000] = '\0';
	snprintf(m, sizeof m,
		 "Content-Type: multipart/mixed; boundary=q\n"
		 "X-Long: %s\n"
		 "\n"
		 "--q\n"
		 "Content-Type: /\n"
		 "Content-Disposition: ;\n"
		 "--q\n"
		 "Content-Type: text/plain\n"
		 "not a field\n"
		 "--q--\n", lng);
	char want[1024];
	snprintf(want, sizeof want,
		 "content-type@5:%zu\n"
		 "disposition@6:%zu\n"
		 "header-cut@7:%zu\n"
		 "line-too-long@2:%zu\n"
		 "not-a-field@9:%zu\n",
		 at(m, " /\n"), at(m, " ;\n"), at(m, "\n--q\nContent-Type: text") + 1,
		 at(m, "X-Long"), at(m, "not a field"));
	ck_assert_str_eq(defects(m, 0), want);
}
END_TEST

START_TEST(charset_defects_in_encoded_text)
{
	/* the charset step's defects sit on the encoded byte that completed the
	 * bad character: QP =FF, base64 that decodes to a bare continuation byte,
	 * a sequence cut by the end of the body */
	const char *m =
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"caf=C3=A9 then =FF bad\n"
		"--b\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: base64\n\n"
		"YWJjgGRlZg==\n"
		"--b\n"
		"Content-Type: text/plain; charset=utf-8\n\n"
		"plain \xff here\n"
		"--b\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"cut =E2=82\n"
		"--b--\n";
	/* "=FF": the F that completes it; "gGRl" decodes to "\x80de" once its
	 * fourth character is read; the cut sequence starts at =E2's last digit */
	size_t qp = at(m, "=FF bad") + 2;
	size_t b64 = at(m, "YWJjgGRl") + 7;
	size_t plain = at(m, "\xff here");
	size_t cut = at(m, "=E2") + 2;
	char want[512];
	snprintf(want, sizeof want, "charset@12:%zu\ncharset@16:%zu\ncharset@21:%zu\ncharset@7:%zu\n",
		 b64, plain, cut, qp);
	ck_assert_str_eq(defects(m, MIME_DECODE_CTE | MIME_DECODE_TEXT), want);
}
END_TEST

START_TEST(errors_are_placed)
{
	/* a field over the limit: at the field; too many parts: at the part */
	char m[70100];
	int n = snprintf(m, sizeof m, "A: 1\nB: ");
	memset(m + n, 'b', 70000);
	strcpy(m + n + 70000, "\n\n");
	ck_assert_str_eq(defects(m, 0), "field-too-long@2:5\nline-too-long@2:5\n");
	struct mime_limits lim = {.max_parts = 3};
	const char *parts = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\ny\n--b\n\nz\n--b--\n";
	struct mime_parser *p = mime_parser_new(&lim, 0);
	mime_parser_feed(p, parts, strlen(parts));
	struct mime_event ev;
	while (mime_parser_next(p, &ev) != MIME_ERROR)
		;
	ck_assert_int_eq(ev.code, MIME_E_TOO_MANY_PARTS);
	ck_assert_uint_eq(ev.offset, at(parts, "z") - 1);
	ck_assert_uint_eq(ev.line, 10);  /* the part starts on the empty line after "--b" */
	mime_parser_free(p);
}
END_TEST

Suite *suite_positions(void)
{
	Suite *s = suite_create("positions");
	TCase *t = tcase_create("positions");
	tcase_add_test(t, defects_in_multipart_bodies);
	tcase_add_test(t, defects_of_fields_and_structure);
	tcase_add_test(t, charset_defects_in_encoded_text);
	tcase_add_test(t, errors_are_placed);
	suite_add_tcase(s, t);
	return s;
}
