/* Fuzz RFC 2047 decoding and encoding. Properties:
 * - the decoders accept everything and always give well-formed UTF-8;
 * - a decoded value with no defect and no encoded word is the input
 *   unfolded (text);
 * - for valid UTF-8 input x, in every context: decode(encode(x)) == x, no
 *   encoded word is longer than 75 characters, and the decoders find no
 *   defect in what the encoder wrote. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static void check_utf8(const struct mime_buf *b)
{
	if (!b->data || !mime_utf8_valid(b->data, b->len))
		abort();
}

static int has_ew_start(const char *v, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (v[i] == '=' && v[i + 1] == '?')
			return 1;
	return 0;
}

static void decoders(const char *v, size_t n)
{
	struct mime_buf t = {0}, p = {0}, s = {0};
	struct mime_defects df = {0};
	if (mime_rfc2047_decode_text(v, n, &t, &df) == 0)
		check_utf8(&t);
	if (mime_rfc2047_decode_phrase(v, n, &p, NULL) == 0)
		check_utf8(&p);
	if (mime_rfc2047_decode_structured(v, n, &s, NULL) == 0)
		check_utf8(&s);
	if (t.data && df.count == 0 && !has_ew_start(v, n)) {
		struct mime_buf u = {0};
		if (mime_unstructured_unfold(v, n, &u) == 0 &&
		    (u.len != t.len || memcmp(u.data, t.data, u.len)))
			abort();
		mime_buf_free(&u);
	}
	mime_buf_free(&t);
	mime_buf_free(&p);
	mime_buf_free(&s);
}

static void check_words(const char *f)
{
	for (const char *p = strstr(f, "=?UTF-8?"); p; p = strstr(p + 1, "=?UTF-8?")) {
		const char *e = strstr(p + 10, "?=");
		if (!e || e + 2 - p > 75)
			abort();
	}
}

static void round_trip(const char *x, size_t n, enum mime_rfc2047_ctx ctx)
{
	struct mime_buf out = {0}, v = {0}, d = {0}, want = {0};
	struct mime_defects df = {0};
	struct mime_fold f;
	mime_fold_init(&f, &out);
	int r = mime_fold_begin(&f, "X");
	if (!r && ctx == MIME_RFC2047_COMMENT)
		r = mime_fold_token(&f, "(", 1, MIME_FOLD_SPACE);
	if (!r)
		r = mime_rfc2047_encode(&f, x, n, ctx);
	if (!r && ctx == MIME_RFC2047_COMMENT)
		r = mime_fold_token(&f, ")", 1, MIME_FOLD_GLUE);
	if (!r)
		r = mime_fold_end(&f);
	if (r == -1)
		goto done;
	if (r)
		abort();
	check_words(out.data);
	if (mime_unstructured_unfold(out.data + 2, out.len - 4, &v))
		goto done;
	if (ctx == MIME_RFC2047_TEXT) {
		r = mime_rfc2047_decode_text(v.data + (n > 0), v.len - (n > 0), &d, &df);
		r = r || mime_buf_append(&want, x, n);
	} else if (ctx == MIME_RFC2047_PHRASE) {
		r = mime_rfc2047_decode_phrase(v.data, v.len, &d, &df);
		r = r || mime_buf_append(&want, x, n);
	} else {
		r = mime_rfc2047_decode_structured(v.data, v.len, &d, &df);
		r = r || mime_buf_puts(&want, " (") || mime_buf_append(&want, x, n) ||
		    mime_buf_puts(&want, ")");
	}
	if (!r && (df.count || d.len != want.len || memcmp(d.data, want.data, d.len)))
		abort();
done:
	mime_buf_free(&out);
	mime_buf_free(&v);
	mime_buf_free(&d);
	mime_buf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	decoders(v, size);
	if (size < 4096 && mime_utf8_valid(v, size))
		for (int ctx = 0; ctx < 3; ctx++)
			round_trip(v, size, ctx);
	return 0;
}
