/* Base64 (RFC 2045 6.8, RFC 4648): test vectors, defects, properties. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "mime.h"

/* ---- helpers --------------------------------------------------------------- */

static char *enc(const void *s, size_t n, unsigned flags, size_t *olen)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_base64_encode_all(s, n, flags, &b), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static char *enc_bytewise(const void *s, size_t n, unsigned flags, size_t *olen)
{
	struct mime_buf b = {0};
	struct mime_base64_enc e;
	mime_base64_enc_init(&e, flags);
	int r = 0;
	for (size_t i = 0; i < n; i++)
		r |= mime_base64_encode(&e, (const char *)s + i, 1, &b);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(mime_base64_encode(&e, NULL, 0, &b), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static char *dec(const char *s, size_t n, size_t *olen, struct mime_defects *df)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_base64_decode_all(s, n, &b, df), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static char *dec_bytewise(const char *s, size_t n, size_t *olen, struct mime_defects *df)
{
	struct mime_buf b = {0};
	struct mime_base64_dec d;
	mime_base64_dec_init(&d);
	int r = 0;
	for (size_t i = 0; i < n; i++)
		r |= mime_base64_decode(&d, s + i, 1, &b, df);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(mime_base64_decode(&d, NULL, 0, &b, df), 0);
	*olen = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static void check_enc_n(const void *s, size_t n, unsigned flags, const char *want)
{
	size_t n1, n2;
	char *a = enc(s, n, flags, &n1);
	char *b = enc_bytewise(s, n, flags, &n2);
	ck_assert_str_eq(a, want);
	ck_assert_uint_eq(n1, strlen(want));
	ck_assert_str_eq(b, want);
	ck_assert_uint_eq(n2, strlen(want));
	free(a);
	free(b);
}

static void check_dec_n(const char *s, const void *want, size_t wn, uint64_t ndef, uint64_t off)
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
	}
	free(a);
	free(b);
}

static void check_dec(const char *s, const char *want, uint64_t ndef, uint64_t off)
{
	check_dec_n(s, want, strlen(want), ndef, off);
}

/* ---- RFC 4648 ------------------------------------------------------------------ */

/* RFC 4648 10: test vectors */
static const char *const vec[][2] = {
	{"", ""},
	{"f", "Zg=="},
	{"fo", "Zm8="},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="},
	{"foobar", "Zm9vYmFy"},
};

START_TEST(rfc4648_vectors)
{
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		check_enc_n(vec[i][0], strlen(vec[i][0]), MIME_BASE64_NOWRAP, vec[i][1]);
		check_dec(vec[i][1], vec[i][0], 0, 0);
	}
	/* wrapped (the default), each line ends with CRLF */
	check_enc_n("", 0, 0, "");
	check_enc_n("f", 1, 0, "Zg==\r\n");
	check_enc_n("foobar", 6, 0, "Zm9vYmFy\r\n");
	check_dec("Zm9vYmFy\r\n", "foobar", 0, 0);
}
END_TEST

/* RFC 4648 9: illustrations */
START_TEST(rfc4648_illustrations)
{
	static const unsigned char a[] = {0x14, 0xfb, 0x9c, 0x03, 0xd9, 0x7e};
	check_enc_n(a, 6, MIME_BASE64_NOWRAP, "FPucA9l+");
	check_enc_n(a, 5, MIME_BASE64_NOWRAP, "FPucA9k=");
	check_enc_n(a, 4, MIME_BASE64_NOWRAP, "FPucAw==");
	check_dec_n("FPucA9l+", a, 6, 0, 0);
	check_dec_n("FPucA9k=", a, 5, 0, 0);
	check_dec_n("FPucAw==", a, 4, 0, 0);
	/* the whole alphabet, RFC 4648 4 table 1 */
	static const unsigned char all[] = {
		0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
		0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f,
		0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf,
		0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf};
	const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	check_enc_n(all, sizeof all, MIME_BASE64_NOWRAP, abc);
	check_dec_n(abc, all, sizeof all, 0, 0);
}
END_TEST

/* RFC 2045 6.8: lines of at most 76 characters; 57 bytes fill one. */
START_TEST(rfc2045_line_length)
{
	unsigned char in[200];
	for (int i = 0; i < 200; i++)
		in[i] = (unsigned char)(i * 7);
	size_t n;
	char *a = enc(in, 57, 0, &n);
	ck_assert_uint_eq(n, 78);
	ck_assert_mem_eq(a + 76, "\r\n", 2);
	free(a);
	a = enc(in, 58, 0, &n);
	ck_assert_uint_eq(n, 78 + 6);
	ck_assert_mem_eq(a + 76, "\r\n", 2);
	ck_assert_mem_eq(a + 80, "==\r\n", 4);
	free(a);
	a = enc(in, 200, MIME_BASE64_NOWRAP, &n);
	ck_assert_uint_eq(n, 268);
	ck_assert_ptr_null(memchr(a, '\r', n));
	free(a);
	check_enc_n("foobarfoobarfoobarfoobarfoobarfoobarfoobarfoobarfoobarfoo", 57, 0,
		    "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9v\r\n");
	check_enc_n("foobarfoobarfoobarfoobarfoobarfoobarfoobarfoobarfoobarfoob", 58, 0,
		    "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9v\r\nYg==\r\n");
}
END_TEST

/* RFC 2045 6.8: characters outside the alphabet (line breaks, white space)
 * are ignored; anything but white space is reported. */
START_TEST(decode_white_space)
{
	check_dec("Zm9v\r\nYmFy", "foobar", 0, 0);
	check_dec("Zm9v\nYmFy\n", "foobar", 0, 0);
	check_dec(" Zm 9v\tYg= =\r\n", "foob", 0, 0);
	check_dec("\r\n\r\n", "", 0, 0);
}
END_TEST

/* ---- defects ------------------------------------------------------------------- */

START_TEST(decode_bad_characters)
{
	check_dec("Zm9v*YmFy", "foobar", 1, 4);
	check_dec("Zm9v-_YmFy", "foobar", 2, 4);
	check_dec("Z\x80m9v", "foo", 1, 1);
	check_dec_n("Zm\x01\x02\x03" "9vYmFy", "foobar", 6, 3, 2);
}
END_TEST

START_TEST(decode_incomplete_final_quantum)
{
	check_dec("Zg", "f", 1, 2);
	check_dec("Zm8", "fo", 1, 3);
	check_dec("Zm9vY", "foo", 1, 5);
	check_dec("Zg=", "f", 1, 3);
	check_dec("Zm9vYg\r\n", "foob", 1, 8);
}
END_TEST

START_TEST(decode_padding)
{
	check_dec("=Zg==", "f", 1, 0);          /* '=' at a quantum's start */
	check_dec("Z=g==", "f", 1, 1);          /* after one character */
	check_dec("Zg===", "f", 1, 4);          /* one '=' too many */
	check_dec("Zg==Zm8=", "ffo", 1, 4);     /* data after the padding */
	check_dec("Zg==Zm8=Zg==", "ffof", 1, 4);/* reported once */
	check_dec("Zm8=\r\n", "fo", 0, 0);
	check_dec("Zg=x", "f", 3, 3);           /* "Zg=" cut short, then 'x' */
	check_dec("Zg=\r\n=", "f", 0, 0);       /* padding may span a line break */
}
END_TEST

/* ---- properties ------------------------------------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* wrapped: lines of 76 characters but the last, each ended by CRLF; one
 * line otherwise. Returns the offset of the first fault, or n. */
static size_t lines_fault(const char *s, size_t n, int wrap)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (!wrap || i + 1 == n || s[i + 1] != '\n')
				return i;
			if (col != MIME_BASE64_LINE_MAX && i + 2 != n)
				return i;
			col = 0;
			i++;
			continue;
		}
		if (wrap && ++col > MIME_BASE64_LINE_MAX)
			return i;
	}
	if (wrap && n && s[n - 1] != '\n')
		return n - 1;
	return n;
}

static void check_lines(const char *s, size_t n, int wrap)
{
	ck_assert_uint_eq(lines_fault(s, n, wrap), n);
}

START_TEST(property_roundtrip)
{
	uint64_t seed = 0x2545f4914f6cdd1du;
	unsigned char in[700];
	unsigned char ossl[1000];
	for (int i = 0; i < 500; i++) {
		size_t n = rnd(&seed) % sizeof in;
		for (size_t k = 0; k < n; k++)
			in[k] = (unsigned char)rnd(&seed);
		for (unsigned flags = 0; flags < 2; flags++) {
			size_t e1, e2, d1, d2;
			char *a = enc(in, n, flags, &e1);
			char *b = enc_bytewise(in, n, flags, &e2);
			ck_assert_uint_eq(e1, e2);
			ck_assert_mem_eq(a, b, e1);
			check_lines(a, e1, !flags);
			if (flags == MIME_BASE64_NOWRAP) {
				int on = EVP_EncodeBlock(ossl, in, (int)n);
				ck_assert_uint_eq(e1, (size_t)on);
				ck_assert_mem_eq(a, ossl, e1);
			}
			struct mime_defects df1 = {0}, df2 = {0};
			char *x = dec(a, e1, &d1, &df1);
			char *y = dec_bytewise(a, e1, &d2, &df2);
			ck_assert_uint_eq(d1, n);
			ck_assert_mem_eq(x, in, n);
			ck_assert_uint_eq(d2, n);
			ck_assert_mem_eq(y, in, n);
			ck_assert_uint_eq(df1.count + df2.count, 0);
			free(a);
			free(b);
			free(x);
			free(y);
		}
	}
}
END_TEST

/* arbitrary input: one byte at a time == whole == two pieces, output and
 * defects alike */
START_TEST(property_decoder_chunking)
{
	static const char pick[] = "AZaz09+/====\r\n \t*\x80-";
	uint64_t seed = 777;
	char in[400];
	for (int i = 0; i < 500; i++) {
		size_t n = rnd(&seed) % sizeof in;
		for (size_t k = 0; k < n; k++) {
			uint64_t r = rnd(&seed);
			in[k] = r % 3 ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(r >> 8) % 64]
				      : pick[(r >> 8) % (sizeof pick - 1)];
		}
		struct mime_defects df1 = {0}, df2 = {0}, df3 = {0};
		size_t d1, d2;
		char *x = dec(in, n, &d1, &df1);
		char *y = dec_bytewise(in, n, &d2, &df2);
		ck_assert_uint_eq(d1, d2);
		ck_assert_mem_eq(x, y, d1);
		ck_assert_uint_eq(df1.count, df2.count);
		ck_assert_uint_eq(df1.first_offset, df2.first_offset);
		struct mime_buf b = {0};
		struct mime_base64_dec d;
		mime_base64_dec_init(&d);
		size_t cut = n ? rnd(&seed) % n : 0;
		ck_assert_int_eq(mime_base64_decode(&d, in, cut, &b, &df3), 0);
		ck_assert_int_eq(mime_base64_decode(&d, in + cut, n - cut, &b, &df3), 0);
		ck_assert_int_eq(mime_base64_decode(&d, NULL, 0, &b, &df3), 0);
		ck_assert_uint_eq(b.len, d1);
		ck_assert_mem_eq(b.data ? b.data : "", x, d1);
		ck_assert_uint_eq(df3.count, df1.count);
		mime_buf_free(&b);
		free(x);
		free(y);
	}
}
END_TEST

/* well-formed input decodes like OpenSSL's EVP_DecodeBlock (which keeps
 * the padding's zero bytes: they are cut here) */
START_TEST(property_matches_openssl_decode)
{
	uint64_t seed = 4242;
	unsigned char in[300], ossl[300];
	for (int i = 0; i < 300; i++) {
		size_t n = rnd(&seed) % sizeof in;
		for (size_t k = 0; k < n; k++)
			in[k] = (unsigned char)rnd(&seed);
		size_t e;
		char *a = enc(in, n, MIME_BASE64_NOWRAP, &e);
		int on = EVP_DecodeBlock(ossl, (const unsigned char *)a, (int)e);
		ck_assert_int_eq(on, (int)((n + 2) / 3 * 3));
		size_t d;
		char *x = dec(a, e, &d, NULL);
		ck_assert_uint_eq(d, n);
		ck_assert_mem_eq(x, ossl, n);
		free(a);
		free(x);
	}
}
END_TEST

START_TEST(reuse_after_end)
{
	struct mime_buf b = {0};
	struct mime_base64_enc e;
	mime_base64_enc_init(&e, MIME_BASE64_NOWRAP);
	ck_assert_int_eq(mime_base64_encode(&e, "f", 1, &b), 0);
	ck_assert_int_eq(mime_base64_encode(&e, NULL, 0, &b), 0);
	ck_assert_int_eq(mime_base64_encode(&e, "fo", 2, &b), 0);
	ck_assert_int_eq(mime_base64_encode(&e, NULL, 0, &b), 0);
	ck_assert_str_eq(b.data, "Zg==Zm8=");
	mime_buf_reset(&b);
	struct mime_base64_dec d;
	mime_base64_dec_init(&d);
	ck_assert_int_eq(mime_base64_decode(&d, "Zg==", 4, &b, NULL), 0);
	ck_assert_int_eq(mime_base64_decode(&d, NULL, 0, &b, NULL), 0);
	ck_assert_int_eq(mime_base64_decode(&d, "Zm8=", 4, &b, NULL), 0);
	ck_assert_int_eq(mime_base64_decode(&d, NULL, 0, &b, NULL), 0);
	ck_assert_str_eq(b.data, "ffo");
	mime_buf_free(&b);
}
END_TEST

Suite *suite_base64(void)
{
	Suite *s = suite_create("base64");
	TCase *tc = tcase_create("base64");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rfc4648_vectors);
	tcase_add_test(tc, rfc4648_illustrations);
	tcase_add_test(tc, rfc2045_line_length);
	tcase_add_test(tc, decode_white_space);
	tcase_add_test(tc, decode_bad_characters);
	tcase_add_test(tc, decode_incomplete_final_quantum);
	tcase_add_test(tc, decode_padding);
	tcase_add_test(tc, property_roundtrip);
	tcase_add_test(tc, property_decoder_chunking);
	tcase_add_test(tc, property_matches_openssl_decode);
	tcase_add_test(tc, reuse_after_end);
	suite_add_tcase(s, tc);
	return s;
}
