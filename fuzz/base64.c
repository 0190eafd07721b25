/* libFuzzer harness for base64: the decoder on arbitrary bytes, whole ==
 * one byte at a time == two pieces (output and defects); the encoder in
 * both modes, whole == one byte at a time, and the decoder gives the input
 * back with no defect. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void dec_pieces(const uint8_t *s, size_t n, size_t step, size_t cut, struct mime_buf *out,
		       struct mime_defects *df)
{
	struct mime_base64_dec d;
	mime_base64_dec_init(&d);
	if (cut) {
		CHECK(mime_base64_decode(&d, s, cut, out, df) == 0);
		CHECK(mime_base64_decode(&d, s + cut, n - cut, out, df) == 0);
	} else {
		for (size_t i = 0; i < n; i += step)
			CHECK(mime_base64_decode(&d, s + i, n - i < step ? n - i : step, out, df) == 0);
	}
	CHECK(mime_base64_decode(&d, NULL, 0, out, df) == 0);
}

static int same(const struct mime_buf *a, const struct mime_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void check_decoder(const uint8_t *s, size_t n)
{
	struct mime_buf a = {0}, b = {0}, c = {0};
	struct mime_defects da = {0}, db = {0}, dc = {0};
	dec_pieces(s, n, n ? n : 1, 0, &a, &da);
	dec_pieces(s, n, 1, 0, &b, &db);
	dec_pieces(s, n, 1, n / 2, &c, &dc);
	CHECK(same(&a, &b) && same(&a, &c));
	CHECK(da.count == db.count && da.count == dc.count);
	CHECK(da.first_offset == db.first_offset);
	CHECK(a.len <= n / 4 * 3 + 2);
	mime_buf_free(&a);
	mime_buf_free(&b);
	mime_buf_free(&c);
}

static void check_roundtrip(const uint8_t *s, size_t n, unsigned flags)
{
	struct mime_buf e1 = {0}, e2 = {0}, d = {0};
	struct mime_base64_enc e;
	CHECK(mime_base64_encode_all(s, n, flags, &e1) == 0);
	mime_base64_enc_init(&e, flags);
	for (size_t i = 0; i < n; i++)
		CHECK(mime_base64_encode(&e, s + i, 1, &e2) == 0);
	CHECK(mime_base64_encode(&e, NULL, 0, &e2) == 0);
	CHECK(same(&e1, &e2));
	struct mime_defects df = {0};
	CHECK(mime_base64_decode_all(e1.data, e1.len, &d, &df) == 0);
	CHECK(df.count == 0);
	CHECK(d.len == n && (n == 0 || memcmp(d.data, s, n) == 0));
	mime_buf_free(&e1);
	mime_buf_free(&e2);
	mime_buf_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decoder(data, size);
	check_roundtrip(data, size, 0);
	check_roundtrip(data, size, MIME_BASE64_NOWRAP);
	return 0;
}
