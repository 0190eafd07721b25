/* libFuzzer: the bare header reader on arbitrary bytes. Whatever the
 * chunking (the first byte picks a chunk size; the second the limits and
 * the mbox flag), the same events; the fields are contiguous from the
 * first byte, each a line (or lines) of the input, and fields, the empty
 * line and the body (held bytes, then the last feed from unread) give the
 * input back exactly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static void put(struct mime_buf *t, const char *s, size_t n)
{
	if (mime_buf_append(t, s, n))
		abort();
}

static void run(const char *s, size_t n, size_t step, const struct mime_hdr_limits *lim,
		struct mime_buf *t)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(lim);
	if (!r)
		abort();
	size_t pos = 0, last = 0;
	uint64_t covered = 0;
	int ended = 0;
	char line[160];
	for (;;) {
		struct mime_field f;
		enum mime_hdr_ev ev = mime_hdr_reader_next(r, &f);
		if (ev == MIME_HDR_AWAIT) {
			if (ended)
				abort();
			size_t k = n - pos < step ? n - pos : step;
			mime_hdr_reader_feed(r, s + pos, k);
			last = pos;
			pos += k;
			ended = k == 0;
			continue;
		}
		if (ev == MIME_HDR_FIELD) {
			/* contiguous, and the bytes of the input */
			if (f.offset != covered || f.offset + f.raw_len > n ||
			    memcmp(f.raw, s + f.offset, f.raw_len))
				abort();
			if (f.name_len && (f.name != f.raw || f.value < f.name + f.name_len ||
					   f.value + f.value_len > f.raw + f.raw_len))
				abort();
			covered += f.raw_len;
			snprintf(line, sizeof line, "F %llu %lu %zu %zu\n", (unsigned long long)f.offset,
				 f.line, f.raw_len, f.name_len);
			put(t, line, strlen(line));
		} else if (ev == MIME_HDR_DEFECT || ev == MIME_HDR_ERROR) {
			if (!f.message || f.code == MIME_C_NONE || f.offset > n)
				abort();
			/* the line given is the line of the offset */
			unsigned long want = 1;
			for (uint64_t i = 0; i < f.offset && i < n; i++)
				want += s[i] == '\n';
			if (ev == MIME_HDR_DEFECT && f.line != want)
				abort();
			snprintf(line, sizeof line, "%c %s %llu %lu\n", ev == MIME_HDR_DEFECT ? 'D' : 'E',
				 mime_code_name(f.code), (unsigned long long)f.offset, f.line);
			put(t, line, strlen(line));
			if (ev == MIME_HDR_ERROR)
				break;
		} else {
			uint64_t c = mime_hdr_reader_consumed(r);
			const char *held;
			size_t unread, h = mime_hdr_reader_body(r, &held, &unread);
			/* fields, then the empty line (at most CRLF), then the body */
			if (c < covered || c - covered > 2 || c > n)
				abort();
			if (c + h != last + unread || memcmp(held, s + c, h))
				abort();
			if (c - covered == 2 ? memcmp(s + covered, "\r\n", 2)
			    : c - covered == 1 ? s[covered] != '\n' : 0)
				abort();
			/* how much was held depends on the chunking; where the body starts does not */
			snprintf(line, sizeof line, "END %llu\n", (unsigned long long)c);
			put(t, line, strlen(line));
			break;
		}
	}
	mime_hdr_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t step = (size_t)data[0] % 17 + 1;
	struct mime_hdr_limits lim = {
		.max_line = data[1] & 1 ? 40 : 0,
		.max_field = data[1] & 2 ? 120 : 0,
		.max_fields = data[1] & 4 ? 6 : 0,
		.max_header = data[1] & 8 ? 300 : 0,
		.flags = data[1] & 16 ? MIME_HDR_MBOX_FROM : 0,
	};
	const char *s = (const char *)data + 2;
	size_t n = size - 2;
	struct mime_buf a = {0}, b = {0};
	run(s, n, n ? n : 1, &lim, &a);
	run(s, n, step, &lim, &b);
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)))
		abort();
	mime_buf_free(&a);
	mime_buf_free(&b);
	return 0;
}
