/* Fuzz the message id parsers. Properties: a parsed id's canonical form is
 * a fixed point; every id of a parsed list is canonical, and the ids joined
 * by spaces parse back to the same list without a defect. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static void check_one(const char *v, size_t n)
{
	struct mime_buf a = {0}, b = {0};
	size_t err = SIZE_MAX;
	int r = mime_msgid_parse(v, n, &a, &err);
	if (r == 0) {
		if (mime_msgid_parse(a.data, a.len, &b, NULL) != 0 || strcmp(a.data, b.data))
			abort();
	} else if (r != -1 && !(r == -2 && err <= n)) {
		abort();
	}
	mime_buf_free(&a);
	mime_buf_free(&b);
}

static void check_list(const char *v, size_t n)
{
	struct mime_msgid_list l, m;
	struct mime_defects df = {0};
	struct mime_buf j = {0}, c = {0};
	if (mime_msgid_list_parse(v, n, &l, NULL) != 0)
		return;
	for (size_t i = 0; i < l.count; i++) {
		mime_buf_reset(&c);
		if (mime_msgid_parse(l.ids[i], strlen(l.ids[i]), &c, NULL) != 0 ||
		    strcmp(c.data, l.ids[i]))
			abort();
		if ((i && mime_buf_putc(&j, ' ')) || mime_buf_puts(&j, l.ids[i]))
			abort();
	}
	if (mime_msgid_list_parse(j.data ? j.data : "", j.len, &m, &df) != 0)
		abort();
	if (m.count != l.count || df.count)
		abort();
	for (size_t i = 0; i < l.count; i++)
		if (strcmp(l.ids[i], m.ids[i]))
			abort();
	mime_msgid_list_free(&l);
	mime_msgid_list_free(&m);
	mime_buf_free(&j);
	mime_buf_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one((const char *)data, size);
	check_list((const char *)data, size);
	return 0;
}
