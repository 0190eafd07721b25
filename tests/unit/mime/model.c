/* The model view and the encoder: parse(print(m)) == m, canonical output. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static struct mime_node *parse(const char *s, size_t n)
{
	struct mime_node *m = NULL;
	const char *err = NULL;
	ck_assert_int_eq(mime_model_parse(s, n, NULL, &m, &err, NULL, NULL), 0);
	return m;
}

/* Every line ends with CRLF. */
static void assert_canonical(const struct mime_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\n')
			ck_assert_msg(i > 0 && b->data[i - 1] == '\r', "bare LF at %zu", i);
}

/* print(m) parses back to m, and printing again gives the same bytes. */
static void round_trip(const char *s, size_t n, struct mime_buf *printed)
{
	struct mime_node *m = parse(s, n);
	struct mime_buf p1 = {0}, p2 = {0};
	ck_assert_int_eq(mime_model_print(m, 0, &p1), 0);
	assert_canonical(&p1);
	struct mime_node *m2 = parse(p1.data, p1.len);
	const char *why = NULL;
	char path[32];
	ck_assert_msg(mime_model_equal(m, m2, &why, path), "%s at %s\n%.600s", why, path, p1.data);
	ck_assert_int_eq(mime_model_print(m2, 0, &p2), 0);
	ck_assert_uint_eq(p1.len, p2.len);
	ck_assert_int_eq(memcmp(p1.data, p2.data, p1.len), 0);
	if (printed)
		mime_buf_append(printed, p1.data, p1.len);
	mime_buf_free(&p1);
	mime_buf_free(&p2);
	mime_model_free(m);
	mime_model_free(m2);
}

START_TEST(simple_text)
{
	const char *s = "From: a@example.org\r\nSubject: hi  there \r\n\r\nline 1\r\nline 2\r\n";
	struct mime_buf out = {0};
	round_trip(s, strlen(s), &out);
	ck_assert_str_eq(out.data, s); /* already canonical: printed as it was */
	mime_buf_free(&out);
}
END_TEST

START_TEST(lf_input_same_model_as_crlf)
{
	const char *lf = "Subject: x\n folded\n\nl1\nl2\n";
	const char *crlf = "Subject: x\r\n folded\r\n\r\nl1\r\nl2\r\n";
	struct mime_node *a = parse(lf, strlen(lf)), *b = parse(crlf, strlen(crlf));
	ck_assert(mime_model_equal(a, b, NULL, NULL));
	ck_assert_str_eq(a->fields[0].value, " x folded");
	ck_assert_str_eq(a->body.data, "l1\r\nl2\r\n");
	mime_model_free(a);
	mime_model_free(b);
	round_trip(lf, strlen(lf), NULL);
}
END_TEST

START_TEST(encodings_chosen_by_content)
{
	const char *s = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
			"AAECA/8KCg==\r\n";
	struct mime_buf out = {0};
	round_trip(s, strlen(s), &out);
	ck_assert_ptr_nonnull(strstr(out.data, "Content-Transfer-Encoding: base64\r\n"));
	struct mime_node *m = parse(s, strlen(s));
	ck_assert_uint_eq(m->body.len, 7);
	ck_assert_int_eq(memcmp(m->body.data, "\x00\x01\x02\x03\xff\n\n", 7), 0);
	mime_model_free(m);
	mime_buf_reset(&out);
	/* mostly ASCII with a few 8-bit octets: quoted-printable in 7bit mode */
	const char *t = "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
			"caf\xe9 au lait\r\n";
	round_trip(t, strlen(t), &out);
	ck_assert_ptr_nonnull(strstr(out.data, "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 au lait\r\n"));
	mime_buf_free(&out);
}
END_TEST

START_TEST(multipart_nested_and_message)
{
	const char *s =
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
		"preamble\r\n--outer\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
		"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
		"--inner\r\n\r\nplain\r\n--inner\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--inner--\r\n"
		"--outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: inside\r\n\r\nbody\r\n"
		"--outer--\r\nepilogue\r\n";
	struct mime_node *m = parse(s, strlen(s));
	ck_assert_int_eq(m->kind, MIME_NODE_MULTIPART);
	ck_assert_uint_eq(m->nchildren, 3);
	ck_assert_int_eq(m->children[1]->kind, MIME_NODE_MULTIPART);
	ck_assert_uint_eq(m->children[1]->nchildren, 2);
	ck_assert_int_eq(m->children[2]->kind, MIME_NODE_MESSAGE);
	ck_assert_str_eq(m->children[2]->children[0]->body.data, "body"); /* CRLF: the delimiter's */
	mime_model_free(m);
	struct mime_buf out = {0};
	round_trip(s, strlen(s), &out);
	/* the boundaries were safe: kept; preamble and epilogue dropped */
	ck_assert_ptr_nonnull(strstr(out.data, "boundary=outer\r\n\r\n--outer\r\n"));
	ck_assert_ptr_null(strstr(out.data, "preamble"));
	mime_buf_free(&out);
}
END_TEST

START_TEST(unsafe_boundary_replaced)
{
	/* the part's content holds a "--b" line once decoded: printed as 7bit it
	 * would end the part early, so the encoder takes another boundary */
	const char *s = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
			"Content-Transfer-Encoding: base64\r\n\r\neA0KLS1iDQo=\r\n--b--\r\n";
	struct mime_node *m = parse(s, strlen(s));
	ck_assert_str_eq(m->children[0]->body.data, "x\r\n--b\r\n");
	mime_model_free(m);
	struct mime_buf out = {0};
	round_trip(s, strlen(s), &out);
	ck_assert_ptr_nonnull(strstr(out.data, "=_ember_"));
	mime_buf_free(&out);
}
END_TEST

START_TEST(long_fields_folded)
{
	char s[2000] = "Subject:";
	for (int i = 0; i < 40; i++)
		strcat(s, " word");
	strcat(s, "\r\nX-Long: ");
	for (int i = 0; i < 1100; i++)
		strcat(s, "y");
	strcat(s, "\r\n\r\nb\r\n");
	struct mime_buf out = {0};
	round_trip(s, strlen(s), &out);
	ck_assert_ptr_nonnull(strstr(out.data, " word\r\n word"));
	/* a value with no space cannot fold: kept whole rather than cut */
	ck_assert_ptr_nonnull(strstr(out.data, "X-Long: yyyy"));
	mime_buf_free(&out);
}
END_TEST

START_TEST(opaque_message_stays_opaque)
{
	const char *s = "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n"
			"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
			"U3ViamVjdDogeA0KDQpoaQ0K\r\n--z--\r\n";
	struct mime_node *m = parse(s, strlen(s));
	ck_assert_int_eq(m->children[0]->kind, MIME_NODE_LEAF);
	mime_model_free(m);
	round_trip(s, strlen(s), NULL);
}
END_TEST

START_TEST(shared_testdata)
{
	FILE *l = popen("ls ../shared/testdata/mime/mail-parser/eml/*/*.eml ../shared/testdata/mime/mrmime-bad/*.eml "
			"../shared/testdata/mime/hamlet/* 2>/dev/null", "r");
	char path[512];
	int n = 0;
	static char buf[1 << 21];
	while (l && fgets(path, sizeof path, l)) {
		path[strcspn(path, "\n")] = '\0';
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		struct mime_node *m = NULL;
		if (mime_model_parse(buf, len, NULL, &m, NULL, NULL, NULL) == 0) {
			mime_model_free(m);
			round_trip(buf, len, NULL);
		}
		n++;
	}
	if (l)
		pclose(l);
	if (n == 0)
		fprintf(stderr, "model: ../shared/testdata absent: shared cases skipped\n");
}
END_TEST

/* Inputs that fuzzing found (fuzz/seeds/roundtrip/regress-*): each one
 * round-trips now. */
START_TEST(fuzz_regressions)
{
	FILE *l = popen("ls fuzz/seeds/roundtrip/regress-* 2>/dev/null", "r");
	char path[512];
	int n = 0;
	static char buf[1 << 20];
	while (l && fgets(path, sizeof path, l)) {
		path[strcspn(path, "\n")] = '\0';
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		round_trip(buf, len, NULL);
		n++;
	}
	if (l)
		pclose(l);
	ck_assert_int_ge(n, 1);
}
END_TEST

Suite *suite_model(void)
{
	Suite *s = suite_create("model");
	TCase *t = tcase_create("model");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, simple_text);
	tcase_add_test(t, lf_input_same_model_as_crlf);
	tcase_add_test(t, encodings_chosen_by_content);
	tcase_add_test(t, multipart_nested_and_message);
	tcase_add_test(t, unsafe_boundary_replaced);
	tcase_add_test(t, long_fields_folded);
	tcase_add_test(t, opaque_message_stays_opaque);
	tcase_add_test(t, shared_testdata);
	tcase_add_test(t, fuzz_regressions);
	suite_add_tcase(s, t);
	return s;
}
