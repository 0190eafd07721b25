/* libFuzzer: the message parser on arbitrary bytes. The raw spans of the
 * events must give the input back exactly, whatever the chunking (the
 * first byte picks a chunk size), and the parse must end (END or ERROR). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static size_t run(const char *s, size_t n, size_t step, struct mime_buf *raw, unsigned *events)
{
	struct mime_limits lim = {.max_depth = 40, .max_parts = 2000};
	struct mime_parser *p = mime_parser_new(&lim, MIME_DECODE_CTE | MIME_DECODE_TEXT);
	if (!p)
		abort();
	size_t pos = 0;
	int ended = 0;
	*events = 0;
	for (;;) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT) {
			if (ended)
				abort(); /* AWAIT after the end of input: it would hang */
			size_t k = n - pos < step ? n - pos : step;
			mime_parser_feed(p, s + pos, k);
			pos += k;
			ended = k == 0;
			continue;
		}
		if (e == MIME_END || e == MIME_ERROR)
			break;
		(*events)++;
		if (ev.raw_len && mime_buf_append(raw, ev.raw, ev.raw_len))
			abort();
	}
	mime_parser_free(p);
	return raw->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)data[0] % 17 + 1;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct mime_buf a = {0}, b = {0};
	unsigned ea, eb;
	run(s, n, n ? n : 1, &a, &ea);
	run(s, n, step, &b, &eb);
	/* lossless (unless a limit stopped the parse: then a prefix) */
	if (a.len > n || (a.len && memcmp(a.data, s, a.len)))
		abort();
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)))
		abort();
	mime_buf_free(&a);
	mime_buf_free(&b);
	return 0;
}
