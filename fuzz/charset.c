/* Fuzz the charset decoders. The first byte chooses the charset (one value
 * past the last id checks the out-of-range fallback). Properties:
 * - the output is always well-formed UTF-8 (invalid input becomes U+FFFD);
 * - feeding one byte at a time gives exactly what the whole buffer gives,
 *   with the same defects;
 * - the rest, taken as a charset name, looks up without harm and a known
 *   name round-trips through its canonical name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static void check_name(const uint8_t *p, size_t n)
{
	int id = mime_charset_lookup((const char *)p, n);
	if (id < 0)
		return;
	const char *c = mime_charset_name(id);
	if (!c || mime_charset_lookup(c, strlen(c)) != id)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int id = data[0] % (MIME_CS_COUNT + 1);
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	struct mime_buf whole = {0}, one = {0};
	struct mime_defects dw = {0}, d1 = {0};
	if (mime_charset_to_utf8(id, p, n, &whole, &dw))
		abort();
	struct mime_charset_dec d;
	mime_charset_dec_init(&d, id);
	for (size_t i = 0; i < n; i++)
		if (mime_charset_dec_feed(&d, p + i, 1, &one, &d1))
			abort();
	if (mime_charset_dec_feed(&d, NULL, 0, &one, &d1))
		abort();
	if (whole.len != one.len || (whole.len && memcmp(whole.data, one.data, whole.len)))
		abort();
	if (dw.count != d1.count || dw.first_offset != d1.first_offset)
		abort();
	if (!mime_utf8_valid(whole.data, whole.len))
		abort();
	if (whole.data && strlen(whole.data) > whole.len)
		abort();
	check_name(p, n);
	mime_buf_free(&whole);
	mime_buf_free(&one);
	return 0;
}
