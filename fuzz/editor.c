/* libFuzzer: header edits on arbitrary messages. The first byte picks a
 * chunk size, the second which edits are made. Whatever the chunking, the
 * same output (or the same error); with no edit, the output is the input;
 * with edits, the body (what the header reader calls body) comes out
 * unchanged at the end, and the edited header reads back with the fields
 * removed gone and the fields added present. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static const char *const adds[] = {"X-Fuzz-Prepend: p", "X-Fuzz-Append: a\r\n more",
				   "X-Fuzz-Replace: r", "Subject: replaced"};

static int run(const char *s, size_t n, size_t step, unsigned edits, struct mime_buf *out,
	       enum mime_code *code)
{
	struct mime_editor *ed = mime_editor_new(NULL);
	if (!ed)
		abort();
	if ((edits & 1) && mime_editor_prepend(ed, adds[0], strlen(adds[0])))
		abort();
	if ((edits & 2) && mime_editor_append(ed, adds[1], strlen(adds[1])))
		abort();
	if ((edits & 4) && mime_editor_replace(ed, adds[2], strlen(adds[2])))
		abort();
	if ((edits & 8) && mime_editor_replace(ed, adds[3], strlen(adds[3])))
		abort();
	if ((edits & 16) && mime_editor_remove(ed, "received"))
		abort();
	size_t pos = 0;
	int r = 0;
	for (int end = 0; !end && r >= 0;) {
		size_t k = n - pos < step ? n - pos : step;
		end = k == 0;
		mime_editor_feed(ed, s + pos, k);
		pos += k;
		const char *o;
		size_t len;
		while ((r = mime_editor_next(ed, &o, &len)) == 1)
			if (mime_buf_append(out, o, len))
				abort();
	}
	*code = MIME_C_NONE;
	if (r < 0 && !mime_editor_error(ed, NULL, code))
		abort();
	mime_editor_free(ed);
	return r;
}

/* Where the header reader says the body starts. */
static size_t body_start(const char *s, size_t n)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	mime_hdr_reader_feed(r, s, n);
	struct mime_field f;
	enum mime_hdr_ev ev;
	int fed_end = 0;
	while ((ev = mime_hdr_reader_next(r, &f)) != MIME_HDR_END && ev != MIME_HDR_ERROR)
		if (ev == MIME_HDR_AWAIT) {
			if (fed_end)
				abort();
			mime_hdr_reader_feed(r, NULL, 0);
			fed_end = 1;
		}
	size_t c = ev == MIME_HDR_END ? (size_t)mime_hdr_reader_consumed(r) : (size_t)-1;
	mime_hdr_reader_free(r);
	return c;
}

static int has_field(const char *s, size_t n, const char *name)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	struct mime_field f;
	enum mime_hdr_ev ev;
	int found = 0;
	mime_hdr_reader_feed(r, s, n);
	int fed_end = 0;
	while ((ev = mime_hdr_reader_next(r, &f)) != MIME_HDR_END && ev != MIME_HDR_ERROR) {
		if (ev == MIME_HDR_AWAIT) {
			if (fed_end)
				break;
			mime_hdr_reader_feed(r, NULL, 0);
			fed_end = 1;
		} else if (ev == MIME_HDR_FIELD && mime_field_is(&f, name)) {
			found = 1;
		}
	}
	mime_hdr_reader_free(r);
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t step = (size_t)data[0] % 17 + 1;
	unsigned edits = data[1];
	const char *s = (const char *)data + 2;
	size_t n = size - 2;
	struct mime_buf a = {0}, b = {0};
	enum mime_code ca, cb;
	int ra = run(s, n, n ? n : 1, edits, &a, &ca);
	int rb = run(s, n, step, edits, &b, &cb);
	if (ra != rb || ca != cb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)))
		abort();
	if (ra == 0 && !(edits & 31) && (a.len != n || (n && memcmp(a.data, s, n))))
		abort();
	size_t body = body_start(s, n);
	if (ra == 0 && body != (size_t)-1) {
		/* the body comes out unchanged, last */
		size_t bl = n - body;
		if (a.len < bl || (bl && memcmp(a.data + a.len - bl, s + body, bl)))
			abort();
		size_t head = a.len - bl;
		if ((edits & 1) && !has_field(a.data, head, "X-Fuzz-Prepend"))
			abort();
		if ((edits & 2) && !has_field(a.data, head, "X-Fuzz-Append"))
			abort();
		if ((edits & 16) && has_field(a.data, head, "Received"))
			abort();
	}
	mime_buf_free(&a);
	mime_buf_free(&b);
	return 0;
}
