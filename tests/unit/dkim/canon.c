/* RFC 6376 3.4: the canonical forms of header fields and bodies, checked by
 * hashing the expected canonical bytes directly; the body in every
 * chunking. */
#include <check.h>
#include <string.h>

#include "dkim-int.h"

static void digest_of(const char *s, size_t n, unsigned char *d, unsigned *dl)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(md);
	ck_assert(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
	ck_assert(EVP_DigestUpdate(md, s, n));
	ck_assert(EVP_DigestFinal_ex(md, d, dl));
	EVP_MD_CTX_free(md);
}

/* The body canonicalised in chunks of 1..9 bytes and whole hashes as want. */
static void body_is(enum dkim_canon c, const char *in, const char *want, int has_l, uint64_t l,
		    uint64_t length)
{
	unsigned char w[EVP_MAX_MD_SIZE], g[EVP_MAX_MD_SIZE];
	unsigned wl, gl;
	digest_of(want, strlen(want), w, &wl);
	size_t n = strlen(in);
	for (size_t step = 0; step <= 9; step++) {
		struct dkim_body b;
		ck_assert_int_eq(dkim_body_init(&b, c, EVP_sha256(), has_l, l), 0);
		for (size_t i = 0; i < n;) {
			size_t k = step && n - i > step ? step : n - i;
			ck_assert_int_eq(dkim_body_feed(&b, in + i, k), 0);
			i += k;
		}
		ck_assert_int_eq(dkim_body_end(&b, g, &gl), 0);
		ck_assert_msg(gl == wl && !memcmp(g, w, wl), "body %s of \"%s\" (step %zu) is not \"%s\"",
			      c == DKIM_SIMPLE ? "simple" : "relaxed", in, step, want);
		ck_assert_uint_eq(b.length, length);
		dkim_body_free(&b);
	}
}

START_TEST(body_simple)
{
	/* 3.4.3: trailing empty lines go; an empty body is one CRLF */
	body_is(DKIM_SIMPLE, "", "\r\n", 0, 0, 2);
	body_is(DKIM_SIMPLE, "\r\n", "\r\n", 0, 0, 2);
	body_is(DKIM_SIMPLE, "\r\n\r\n\r\n", "\r\n", 0, 0, 2);
	body_is(DKIM_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", 0, 0, 12);
	body_is(DKIM_SIMPLE, "a", "a\r\n", 0, 0, 3);
	body_is(DKIM_SIMPLE, "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n", 0, 0, 8);
	/* a line of white space is not empty */
	body_is(DKIM_SIMPLE, "a\r\n \r\n", "a\r\n \r\n", 0, 0, 6);
	/* a bare CR is data */
	body_is(DKIM_SIMPLE, "a\rb\r\n\r\n", "a\rb\r\n", 0, 0, 5);
}
END_TEST

START_TEST(body_relaxed)
{
	/* 3.4.5's example */
	body_is(DKIM_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n", 0, 0, 9);
	/* an empty body is empty (errata 3133) */
	body_is(DKIM_RELAXED, "", "", 0, 0, 0);
	body_is(DKIM_RELAXED, "\r\n\r\n", "", 0, 0, 0);
	body_is(DKIM_RELAXED, " \t \r\n\r\n", "", 0, 0, 0);
	body_is(DKIM_RELAXED, "a \t\r\n", "a\r\n", 0, 0, 3);
	body_is(DKIM_RELAXED, "a", "a\r\n", 0, 0, 3);
	body_is(DKIM_RELAXED, "a  b\t\tc \r\n \r\nd\r\n", "a b c\r\n\r\nd\r\n", 0, 0, 12);
	body_is(DKIM_RELAXED, "a \rb\r\n", "a \rb\r\n", 0, 0, 6);
}
END_TEST

START_TEST(body_length)
{
	/* l= counts the canonical body; what is past it is not hashed */
	body_is(DKIM_RELAXED, "abcdef\r\n", "abc", 1, 3, 8);
	body_is(DKIM_SIMPLE, "ab  cd\r\n\r\n", "ab  ", 1, 4, 8);
	body_is(DKIM_RELAXED, "ab  cd\r\n", "ab c", 1, 4, 7);
	body_is(DKIM_SIMPLE, "", "", 1, 0, 2);
}
END_TEST

/* A field canonicalised, hashed, compared with the expected bytes. */
static void field_is(enum dkim_canon c, const char *raw, size_t name_len, size_t value_at,
		     size_t cut_from, size_t cut_to, int crlf, const char *want)
{
	unsigned char w[EVP_MAX_MD_SIZE], g[EVP_MAX_MD_SIZE];
	unsigned wl, gl;
	digest_of(want, strlen(want), w, &wl);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(md);
	ck_assert(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
	ck_assert_int_eq(dkim_hash_field(md, c, raw, strlen(raw), name_len, value_at, cut_from, cut_to,
					 crlf), 0);
	ck_assert(EVP_DigestFinal_ex(md, g, &gl));
	EVP_MD_CTX_free(md);
	ck_assert_msg(gl == wl && !memcmp(g, w, wl), "field \"%s\" is not \"%s\"", raw, want);
}

START_TEST(header_fields)
{
	/* 3.4.5's example */
	field_is(DKIM_RELAXED, "A: X\r\n", 1, 2, 0, 0, 1, "a:X\r\n");
	field_is(DKIM_RELAXED, "B : Y\t\r\n\tZ  \r\n", 1, 3, 0, 0, 1, "b:Y Z\r\n");
	field_is(DKIM_SIMPLE, "B : Y\t\r\n\tZ  \r\n", 1, 3, 0, 0, 1, "B : Y\t\r\n\tZ  \r\n");
	/* the name's case is kept by simple, lowered by relaxed */
	field_is(DKIM_SIMPLE, "SUBJect:  Hi \r\n", 7, 8, 0, 0, 1, "SUBJect:  Hi \r\n");
	field_is(DKIM_RELAXED, "SUBJect:  Hi \r\n", 7, 8, 0, 0, 1, "subject:Hi\r\n");
	/* an empty value */
	field_is(DKIM_RELAXED, "X-E:  \r\n", 3, 4, 0, 0, 1, "x-e:\r\n");
	/* a field without its final line break gets one when it is hashed with one */
	field_is(DKIM_SIMPLE, "A: X", 1, 2, 0, 0, 1, "A: X\r\n");
	/* the signature itself: the b= value cut, no final CRLF (3.7) */
	const char *sig = "DKIM-Signature: v=1; b=abc\r\n def; d=x\r\n";
	size_t from = strlen("DKIM-Signature: v=1; b="), to = from + strlen("abc\r\n def");
	field_is(DKIM_SIMPLE, sig, 14, 15, from, to, 0, "DKIM-Signature: v=1; b=; d=x");
	field_is(DKIM_RELAXED, sig, 14, 15, from, to, 0, "dkim-signature:v=1; b=; d=x");
	/* 8-bit bytes (RFC 6532 fields) are data to both */
	field_is(DKIM_RELAXED, "Subject: \xc3\xa9t\xc3\xa9 \r\n", 7, 8, 0, 0, 1,
		 "subject:\xc3\xa9t\xc3\xa9\r\n");
}
END_TEST

/* A value longer than the relaxed form's buffer keeps every byte. */
START_TEST(header_long)
{
	static char raw[5000], want[5000];
	strcpy(raw, "X-Long:");
	strcpy(want, "x-long:");
	for (int i = 0; i < 800; i++) {
		strcat(raw, "  ab");
		strcat(want, i ? " ab" : "ab");
	}
	strcat(raw, "\r\n");
	strcat(want, "\r\n");
	field_is(DKIM_RELAXED, raw, 6, 7, 0, 0, 1, want);
}
END_TEST

Suite *suite_canon(void)
{
	Suite *s = suite_create("dkim-canon");
	TCase *t = tcase_create("canon");
	tcase_add_test(t, body_simple);
	tcase_add_test(t, body_relaxed);
	tcase_add_test(t, body_length);
	tcase_add_test(t, header_fields);
	tcase_add_test(t, header_long);
	suite_add_tcase(s, t);
	return s;
}
