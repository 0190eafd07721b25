/* Fuzz UTF-7 (RFC 2152) and IMAP modified UTF-7 (RFC 3501 5.1.3).
 * Properties:
 * - decoding: one byte at a time == whole buffer, output well-formed UTF-8;
 * - encoding: one byte at a time == whole buffer, output 7-bit, and
 *   decode(encode(x)) == x with invalid UTF-8 repaired exactly as the
 *   UTF-8 charset decoder repairs it;
 * - IMAP: encode succeeds exactly on valid UTF-8 and decodes back; the
 *   strict decoder accepts only canonical text: encode(decode(s)) == s. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static int same(const struct mime_buf *a, const struct mime_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void decode(const uint8_t *p, size_t n, size_t step, struct mime_buf *out,
		struct mime_defects *df)
{
	struct mime_utf7_dec d;
	mime_utf7_dec_init(&d);
	for (size_t i = 0; i < n; i += step)
		if (mime_utf7_decode(&d, p + i, step < n - i ? step : n - i, out, df))
			abort();
	if (mime_utf7_decode(&d, NULL, 0, out, df))
		abort();
}

static void encode(const uint8_t *p, size_t n, size_t step, struct mime_buf *out)
{
	struct mime_utf7_enc e;
	mime_utf7_enc_init(&e);
	for (size_t i = 0; i < n; i += step)
		if (mime_utf7_encode(&e, p + i, step < n - i ? step : n - i, out, NULL))
			abort();
	if (mime_utf7_encode(&e, NULL, 0, out, NULL))
		abort();
}

static void check_utf7(const uint8_t *p, size_t n)
{
	struct mime_buf a = {0}, b = {0}, e = {0}, e1 = {0}, x = {0}, y = {0};
	struct mime_defects da = {0}, db = {0}, dy = {0};
	decode(p, n, n ? n : 1, &a, &da);
	decode(p, n, 1, &b, &db);
	if (!same(&a, &b) || da.count != db.count || da.first_offset != db.first_offset
			|| !mime_utf8_valid(a.data, a.len))
		abort();
	encode(p, n, n ? n : 1, &e);
	encode(p, n, 1, &e1);
	if (!same(&e, &e1))
		abort();
	for (size_t i = 0; i < e.len; i++)
		if ((unsigned char)e.data[i] >= 0x80)
			abort();
	if (mime_charset_to_utf8(MIME_CS_UTF_8, p, n, &x, NULL))
		abort();
	decode((const uint8_t *)e.data, e.len, e.len ? e.len : 1, &y, &dy);
	if (!same(&x, &y) || dy.count)
		abort();
	mime_buf_free(&a);
	mime_buf_free(&b);
	mime_buf_free(&e);
	mime_buf_free(&e1);
	mime_buf_free(&x);
	mime_buf_free(&y);
}

static void check_imap(const uint8_t *p, size_t n)
{
	struct mime_buf e = {0}, y = {0}, z = {0};
	int r = mime_imap_utf7_encode((const char *)p, n, &e);
	if (r != (mime_utf8_valid(p, n) ? 0 : -2))
		abort();
	if (r == 0) {
		if (mime_imap_utf7_decode(e.data, e.len, &y) || y.len != n || (n && memcmp(y.data, p, n)))
			abort();
	}
	mime_buf_reset(&y);
	r = mime_imap_utf7_decode((const char *)p, n, &y);
	if (r != 0 && r != -2)
		abort();
	if (r == 0) {
		if (!mime_utf8_valid(y.data, y.len) || mime_imap_utf7_encode(y.data, y.len, &z))
			abort();
		if (z.len != n || (n && memcmp(z.data, p, n)))
			abort();
	} else if (y.len != 0) {
		abort();
	}
	mime_buf_free(&e);
	mime_buf_free(&y);
	mime_buf_free(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_utf7(data, size);
	check_imap(data, size);
	return 0;
}
