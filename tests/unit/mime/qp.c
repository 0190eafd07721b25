/* Quoted-printable (RFC 2045 6.7): examples, defects, properties. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

/* ---- helpers --------------------------------------------------------------- */

static char *enc(const char *s, size_t n, unsigned flags, size_t *olen)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_qp_encode_all(s, n, flags, &b), 0);
	if (olen)
		*olen = b.len;
	if (!b.data)
		return calloc(1, 1);
	return b.data;
}

/* the encoder fed one byte at a time */
static char *enc_bytewise(const char *s, size_t n, unsigned flags, size_t *olen)
{
	struct mime_buf b = {0};
	struct mime_qp_enc e;
	mime_qp_enc_init(&e, flags);
	int r = 0;
	for (size_t i = 0; i < n; i++)
		r |= mime_qp_encode(&e, s + i, 1, &b);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(mime_qp_encode(&e, NULL, 0, &b), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static char *dec(const char *s, size_t n, size_t *olen, struct mime_defects *df)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_qp_decode_all(s, n, &b, df), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static char *dec_bytewise(const char *s, size_t n, size_t *olen, struct mime_defects *df)
{
	struct mime_buf b = {0};
	struct mime_qp_dec d;
	mime_qp_dec_init(&d);
	int r = 0;
	for (size_t i = 0; i < n; i++)
		r |= mime_qp_decode(&d, s + i, 1, &b, df);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(mime_qp_decode(&d, NULL, 0, &b, df), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

/* encode s (a C string) and compare with want, whole and byte by byte */
static void check_enc(const char *s, unsigned flags, const char *want)
{
	size_t n1, n2;
	char *a = enc(s, strlen(s), flags, &n1);
	char *b = enc_bytewise(s, strlen(s), flags, &n2);
	ck_assert_str_eq(a, want);
	ck_assert_uint_eq(n1, strlen(want));
	ck_assert_str_eq(b, want);
	ck_assert_uint_eq(n2, strlen(want));
	free(a);
	free(b);
}

/* decode s, compare with want (n bytes) and the defect count and offset */
static void check_dec_n(const char *s, const char *want, size_t wn, uint64_t ndef, uint64_t off)
{
	struct mime_defects d1 = {0}, d2 = {0};
	size_t n1, n2;
	char *a = dec(s, strlen(s), &n1, &d1);
	char *b = dec_bytewise(s, strlen(s), &n2, &d2);
	ck_assert_uint_eq(n1, wn);
	ck_assert_mem_eq(a, want, wn);
	ck_assert_uint_eq(n2, wn);
	ck_assert_mem_eq(b, want, wn);
	ck_assert_uint_eq(d1.count, ndef);
	ck_assert_uint_eq(d2.count, ndef);
	if (ndef) {
		ck_assert_uint_eq(d1.first_offset, off);
		ck_assert_uint_eq(d2.first_offset, off);
		ck_assert_ptr_nonnull(d1.first);
	}
	free(a);
	free(b);
}

static void check_dec(const char *s, const char *want, uint64_t ndef, uint64_t off)
{
	check_dec_n(s, want, strlen(want), ndef, off);
}

/* ---- RFC 2045 6.7 examples --------------------------------------------------- */

/* Rule 1: "the decimal value 12 (US-ASCII form feed) can be represented by
 * "=0C", and the decimal value 61 (US-ASCII EQUAL SIGN) can be represented
 * by "=3D"". */
START_TEST(rule1_general_8bit)
{
	check_enc("\f", 0, "=0C");
	check_enc("=", 0, "=3D");
	check_enc("a=b\x7f\x80\xff\x01", 0, "a=3Db=7F=80=FF=01");
	check_dec("=0C", "\f", 0, 0);
	check_dec("=3D", "=", 0, 0);
	check_dec("=E9t=E9", "\xe9t\xe9", 0, 0);
}
END_TEST

/* Rule 2: octets 33-60 and 62-126 may stand for themselves. */
START_TEST(rule2_literal)
{
	char all[95];
	size_t n = 0;
	for (int c = 33; c <= 126; c++)
		if (c != '=')
			all[n++] = (char)c;
	all[n] = '\0';
	/* 93 characters: 75 and a soft break, then 18 */
	char want[120];
	snprintf(want, sizeof want, "%.75s=\r\n%s", all, all + 75);
	check_enc(all, 0, want);
	check_dec(want, all, 0, 0);
}
END_TEST

/* Rule 3: TAB and SPACE stay literal, but not at the end of a line: there
 * they are encoded; a decoder deletes trailing white space. */
START_TEST(rule3_white_space)
{
	check_enc("a b\tc", 0, "a b\tc");
	check_enc("a \r\nb\t", 0, "a=20\r\nb=09");
	check_enc("a  \nb", 0, "a =20\r\nb");
	check_enc(" ", 0, "=20");
	check_enc("\t\t\n", 0, "\t=09\r\n");
	check_dec("a  \r\nb \t \r\nc", "a\r\nb\r\nc", 0, 0);
	check_dec("a=20\r\nb=09", "a \r\nb\t", 0, 0);
	check_dec("end   ", "end", 0, 0);
	check_dec("a b", "a b", 0, 0);
}
END_TEST

/* Rule 4: a line break of text is CRLF in the encoding; in binary data CR
 * and LF are octets like others. */
START_TEST(rule4_line_breaks)
{
	check_enc("a\nb\r\nc\n", 0, "a\r\nb\r\nc\r\n");
	check_enc("a\rb", 0, "a=0Db");
	check_enc("a\r", 0, "a=0D");
	check_enc("a\r\r\n", 0, "a=0D\r\n");
	check_enc("a\r\nb\n", MIME_QP_BINARY, "a=0D=0Ab=0A");
	check_enc("a \r\n", MIME_QP_BINARY, "a =0D=0A");
	/* the decoder gives line breaks back as they came */
	check_dec("a\r\nb\nc", "a\r\nb\nc", 0, 0);
	check_dec("a\r\r\nb\rc", "a\r\r\nb\rc", 0, 0);
	check_dec("a=0D=0Ab", "a\r\nb", 0, 0);
}
END_TEST

/* Rule 5: lines at most 76 characters; soft line breaks "=" CRLF. The
 * RFC's example:
 *     Now's the time =
 *     for all folk to come=
 *      to the aid of their country.
 */
START_TEST(rule5_soft_breaks)
{
	check_dec("Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.",
		  "Now's the time for all folk to come to the aid of their country.", 0, 0);
	check_dec("Now's the time =\nfor all folk to come=\n to the aid of their country.",
		  "Now's the time for all folk to come to the aid of their country.", 0, 0);
	/* the same text fits one line */
	check_enc("Now's the time for all folk to come to the aid of their country.", 0,
		  "Now's the time for all folk to come to the aid of their country.");
	char in[201], want[260];
	memset(in, 'a', 200);
	in[200] = '\0';
	snprintf(want, sizeof want, "%.75s=\r\n%.75s=\r\n%.50s", in, in, in);
	check_enc(in, 0, want);
	check_dec(want, in, 0, 0);
}
END_TEST

/* Rule 5: an =XY is never split by a soft break. */
START_TEST(rule5_no_split_escape)
{
	char in[80], want[100];
	memset(in, 'a', 72);
	strcpy(in + 72, "\xff");
	snprintf(want, sizeof want, "%.72s=FF", in);     /* 75 characters fit */
	check_enc(in, 0, want);
	memset(in, 'a', 73);
	strcpy(in + 73, "\xff");
	snprintf(want, sizeof want, "%.73s=\r\n=FF", in); /* 76 would not */
	check_enc(in, 0, want);
	memset(in, 'a', 74);
	strcpy(in + 74, " \n");
	snprintf(want, sizeof want, "%.74s=\r\n=20\r\n", in);
	check_enc(in, 0, want);
}
END_TEST

/* "From " at a line start (mbox) and a line of a lone "." (SMTP) are
 * protected. */
START_TEST(from_and_dot)
{
	check_enc("From me\nFrom\nFrog\nFro", 0, "=46rom me\r\nFrom\r\nFrog\r\nFro");
	check_enc("a From b", 0, "a From b");
	check_enc(".\n.a\n. \n.", 0, "=2E\r\n.a\r\n.=20\r\n=2E");
	check_enc("From \r\n", 0, "=46rom=20\r\n");
	char in[120], want[140];
	memset(in, 'a', 75);
	strcpy(in + 75, "From .");
	/* after a soft break the 'F' is encoded: what follows is not known yet */
	snprintf(want, sizeof want, "%.75s=\r\n=46rom .", in);
	check_enc(in, 0, want);
}
END_TEST

/* ---- decoder defects (RFC 2045 6.7 note: robust decoding) ------------------ */

START_TEST(decode_lowercase_hex)
{
	check_dec("=c3=a9=C3=A9", "\xc3\xa9\xc3\xa9", 0, 0);
}
END_TEST

START_TEST(decode_bad_escapes)
{
	check_dec("a=G1b", "a=G1b", 1, 1);
	check_dec("a=4Gb", "a=4Gb", 1, 1);
	check_dec("x=4", "x=4", 1, 1);
	check_dec("ab=", "ab=", 1, 2);
	check_dec("=", "=", 1, 0);
	check_dec("a= b", "a= b", 1, 1);
	check_dec("a==41", "a=A", 1, 1);
	check_dec("a=\rx", "a=\rx", 1, 1);
	check_dec("=4\r\nb", "=4\r\nb", 1, 0);
	check_dec("a=3D=XY=41", "a==XYA", 1, 4);
}
END_TEST

START_TEST(decode_soft_breaks)
{
	check_dec("a=\r\nb", "ab", 0, 0);
	check_dec("a=\nb", "ab", 0, 0);
	check_dec("a= \t \r\nb", "ab", 0, 0);  /* transport padding after '=' */
	check_dec("a=  \nb", "ab", 0, 0);
	check_dec("a=\r\n", "a", 0, 0);
	check_dec("a \t=\r\nb", "a \tb", 0, 0);
}
END_TEST

START_TEST(decode_long_white_space)
{
	size_t n = 5000;
	char *in = malloc(n + 3);
	ck_assert_ptr_nonnull(in);
	memset(in, ' ', n);
	strcpy(in + n, "\nx");
	char *want = malloc(MIME_QP_WS_MAX + 3);
	ck_assert_ptr_nonnull(want);
	memset(want, ' ', MIME_QP_WS_MAX);
	strcpy(want + MIME_QP_WS_MAX, "\nx");
	check_dec(in, want, 1, MIME_QP_WS_MAX);
	/* tabs and spaces come back as they were */
	for (size_t i = 0; i < n; i++)
		in[i] = i % 3 ? ' ' : '\t';
	strcpy(in + n, "x");
	check_dec(in, in, 1, MIME_QP_WS_MAX);
	free(in);
	free(want);
}
END_TEST

static void count_defect(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	ck_assert_int_eq(code, MIME_D_QP);
	(void)off;
	(void)what;
	++*(int *)ctx;
}

START_TEST(decode_defect_callback)
{
	int n = 0;
	struct mime_defects df = {.fn = count_defect, .ctx = &n};
	size_t len;
	char *s = dec("=ZZ=5", 5, &len, &df);
	ck_assert_str_eq(s, "=ZZ=5");
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(df.first_offset, 0);
	free(s);
	/* NULL defects: still decodes */
	s = dec("=ZZ", 3, &len, NULL);
	ck_assert_str_eq(s, "=ZZ");
	free(s);
}
END_TEST

/* ---- properties --------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* text-like bytes with the interesting ones often */
static size_t random_input(uint64_t *seed, char *buf, size_t max)
{
	static const char pick[] = "  \t\r\n\n=F.From \xff\x80\x01\x7f";
	size_t n = rnd(seed) % max;
	for (size_t i = 0; i < n; i++) {
		uint64_t r = rnd(seed);
		if (r % 4 == 0)
			buf[i] = pick[(r >> 8) % (sizeof pick - 1)];
		else if (r % 4 == 1)
			buf[i] = (char)(r >> 16);
		else
			buf[i] = (char)(' ' + (r >> 16) % 95);
	}
	return n;
}

/* text mode: CRLF and bare LF both come back as CRLF */
static size_t crlf(const char *s, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			out[k++] = '\r';
		out[k++] = s[i];
	}
	return k;
}

/* every line at most 76 characters, no white space at a line end, only
 * printable ASCII, TAB and SPACE, CRLF; returns the offset of the first
 * fault, or n */
static size_t shape_fault(const char *s, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r') {
			if (i + 1 == n || s[i + 1] != '\n')
				return i;
			if (col > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
				return i;
			col = 0;
			i++;
			continue;
		}
		if (!(c == ' ' || c == '\t' || (c >= 33 && c <= 126)) || ++col > MIME_QP_LINE_MAX)
			return i;
	}
	if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		return n - 1;
	return n;
}

static void check_shape(const char *s, size_t n)
{
	ck_assert_uint_eq(shape_fault(s, n), n);
}

static void roundtrip_one(const char *in, size_t n, unsigned flags, char *norm)
{
	size_t e1, e2, d1, d2;
	char *a = enc(in, n, flags, &e1);
	char *b = enc_bytewise(in, n, flags, &e2);
	ck_assert_uint_eq(e1, e2);
	ck_assert_mem_eq(a, b, e1);
	check_shape(a, e1);
	struct mime_defects df1 = {0}, df2 = {0};
	char *x = dec(a, e1, &d1, &df1);
	char *y = dec_bytewise(a, e1, &d2, &df2);
	size_t want = flags & MIME_QP_BINARY ? n : crlf(in, n, norm);
	const char *w = flags & MIME_QP_BINARY ? in : norm;
	ck_assert_uint_eq(d1, want);
	ck_assert_mem_eq(x, w, want);
	ck_assert_uint_eq(d2, want);
	ck_assert_mem_eq(y, w, want);
	ck_assert_uint_eq(df1.count, 0);
	ck_assert_uint_eq(df2.count, 0);
	free(a);
	free(b);
	free(x);
	free(y);
}

START_TEST(property_roundtrip)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char in[600], norm[1200];
	for (int i = 0; i < 400; i++) {
		size_t n = random_input(&seed, in, sizeof in);
		roundtrip_one(in, n, 0, norm);
		roundtrip_one(in, n, MIME_QP_BINARY, norm);
	}
}
END_TEST

/* arbitrary input to the decoder: one byte at a time == whole, in output
 * and in defects; the decoder never fails */
START_TEST(property_decoder_chunking)
{
	uint64_t seed = 12345;
	char in[600];
	for (int i = 0; i < 400; i++) {
		size_t n = random_input(&seed, in, sizeof in);
		struct mime_defects df1 = {0}, df2 = {0}, df3 = {0};
		size_t d1, d2;
		char *x = dec(in, n, &d1, &df1);
		char *y = dec_bytewise(in, n, &d2, &df2);
		ck_assert_uint_eq(d1, d2);
		ck_assert_mem_eq(x, y, d1);
		ck_assert_uint_eq(df1.count, df2.count);
		ck_assert_uint_eq(df1.first_offset, df2.first_offset);
		/* and in two random pieces */
		struct mime_buf b = {0};
		struct mime_qp_dec d;
		mime_qp_dec_init(&d);
		size_t cut = n ? rnd(&seed) % n : 0;
		ck_assert_int_eq(mime_qp_decode(&d, in, cut, &b, &df3), 0);
		ck_assert_int_eq(mime_qp_decode(&d, in + cut, n - cut, &b, &df3), 0);
		ck_assert_int_eq(mime_qp_decode(&d, NULL, 0, &b, &df3), 0);
		ck_assert_uint_eq(b.len, d1);
		ck_assert_mem_eq(b.data ? b.data : "", x, d1);
		ck_assert_uint_eq(df3.count, df1.count);
		mime_buf_free(&b);
		free(x);
		free(y);
	}
}
END_TEST

/* a state is reusable after the end call */
START_TEST(reuse_after_end)
{
	struct mime_buf b = {0};
	struct mime_qp_enc e;
	mime_qp_enc_init(&e, 0);
	ck_assert_int_eq(mime_qp_encode(&e, "a ", 2, &b), 0);
	ck_assert_int_eq(mime_qp_encode(&e, NULL, 0, &b), 0);
	ck_assert_int_eq(mime_qp_encode(&e, "From x", 6, &b), 0);
	ck_assert_int_eq(mime_qp_encode(&e, NULL, 0, &b), 0);
	ck_assert_str_eq(b.data, "a=20=46rom x");
	mime_buf_reset(&b);
	struct mime_qp_dec d;
	mime_qp_dec_init(&d);
	ck_assert_int_eq(mime_qp_decode(&d, "a=", 2, &b, NULL), 0);
	ck_assert_int_eq(mime_qp_decode(&d, NULL, 0, &b, NULL), 0);
	ck_assert_int_eq(mime_qp_decode(&d, "=41", 3, &b, NULL), 0);
	ck_assert_int_eq(mime_qp_decode(&d, NULL, 0, &b, NULL), 0);
	ck_assert_str_eq(b.data, "a=A");
	mime_buf_free(&b);
}
END_TEST

Suite *suite_qp(void)
{
	Suite *s = suite_create("qp");
	TCase *tc = tcase_create("qp");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rule1_general_8bit);
	tcase_add_test(tc, rule2_literal);
	tcase_add_test(tc, rule3_white_space);
	tcase_add_test(tc, rule4_line_breaks);
	tcase_add_test(tc, rule5_soft_breaks);
	tcase_add_test(tc, rule5_no_split_escape);
	tcase_add_test(tc, from_and_dot);
	tcase_add_test(tc, decode_lowercase_hex);
	tcase_add_test(tc, decode_bad_escapes);
	tcase_add_test(tc, decode_soft_breaks);
	tcase_add_test(tc, decode_long_white_space);
	tcase_add_test(tc, decode_defect_callback);
	tcase_add_test(tc, property_roundtrip);
	tcase_add_test(tc, property_decoder_chunking);
	tcase_add_test(tc, reuse_after_end);
	suite_add_tcase(s, tc);
	return s;
}
