/* libFuzzer: mime_author on arbitrary headers. Read whole and fed field by
 * field in chunks (the first byte picks the size), the same verdict and the
 * same author; an author always has a lowercase ASCII domain, and its
 * address parses back to one mailbox with that domain. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static enum mime_author_status streamed(const char *s, size_t n, size_t step, struct mime_author *a)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	if (!r)
		abort();
	mime_author_init(a);
	size_t pos = 0;
	for (;;) {
		struct mime_field f;
		enum mime_hdr_ev ev = mime_hdr_reader_next(r, &f);
		if (ev == MIME_HDR_AWAIT) {
			size_t k = n - pos < step ? n - pos : step;
			mime_hdr_reader_feed(r, s + pos, k);
			pos += k;
		} else if (ev == MIME_HDR_FIELD) {
			mime_author_field(a, &f);
		} else if (ev == MIME_HDR_DEFECT) {
			mime_author_defect(a, &f);
		} else if (ev == MIME_HDR_ERROR) {
			mime_author_defect(a, &f);
			mime_hdr_reader_free(r);
			mime_author_finish(a);
			return MIME_AUTHOR_STRUCTURE;
		} else {
			break;
		}
	}
	mime_hdr_reader_free(r);
	return mime_author_finish(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)data[0] % 17 + 1;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct mime_author a, b;
	enum mime_author_status sa = mime_author_read(s, n, NULL, &a);
	enum mime_author_status sb = streamed(s, n, step, &b);
	if (sa == MIME_AUTHOR_NOMEM || sb == MIME_AUTHOR_NOMEM)
		abort();
	/* a header that cannot be read whole: both refuse, maybe for another reason */
	if ((sa == MIME_AUTHOR_OK) != (sb == MIME_AUTHOR_OK))
		abort();
	if (sa != sb && sb != MIME_AUTHOR_STRUCTURE)
		abort();
	if (sa == MIME_AUTHOR_OK) {
		if (strcmp(a.domain.data, b.domain.data) || strcmp(a.address.data, b.address.data))
			abort();
		for (size_t i = 0; i < a.domain.len; i++) {
			unsigned char c = (unsigned char)a.domain.data[i];
			if (c >= 0x80 || (c >= 'A' && c <= 'Z'))
				abort();
		}
		struct mime_address_list l = {0};
		struct mime_addr_error err;
		if (mime_address_list_parse(a.address.data, a.address.len, &l, &err) != MIME_OK ||
		    l.count != 1 || l.items[0].count != 1)
			abort();
		mime_address_list_free(&l);
	}
	mime_author_free(&a);
	mime_author_free(&b);
	return 0;
}
