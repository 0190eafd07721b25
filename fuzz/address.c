/* Fuzz the address parser and printers. Properties:
 * - the tolerant parser accepts everything; when the strict one succeeds the
 *   tolerant one gives the same list without a defect;
 * - parse(print(x)) == x for the folded field (RFC 6532 output);
 * - every mailbox printed as one line parses back as one mailbox. */
#include <stdint.h>
#include <stdlib.h>
#include "mime.h"

static void check_lines(const struct mime_address_list *l)
{
	struct mime_buf o = {0};
	for (size_t i = 0; i < l->count; i++)
		for (size_t j = 0; j < l->items[i].count; j++) {
			struct mime_mailbox m;
			mime_buf_reset(&o);
			if (mime_mailbox_print(&l->items[i].mailboxes[j], 0, &o))
				continue;
			if (mime_mailbox_parse(o.data, o.len, &m, NULL) != 0)
				abort();
			mime_mailbox_free(&m);
		}
	mime_buf_free(&o);
}

static void check_field(const struct mime_address_list *x)
{
	struct mime_buf o = {0};
	struct mime_address_list y;
	if (mime_address_list_field(&o, "To", x, MIME_ADDR_UTF8) == 0) {
		if (mime_address_list_parse(o.data + 3, o.len - 5, &y, NULL) != 0)
			abort();
		if (mime_address_list_equal(x, &y) == 0)
			abort();
		mime_address_list_free(&y);
	}
	mime_buf_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	struct mime_address_list strict, tol;
	struct mime_defects df = {0};
	int rs = mime_address_list_parse(v, size, &strict, NULL);
	int rt = mime_address_list_parse_tolerant(v, size, &tol, &df);
	if (rt == -1 || rs == -1) {
		if (!rs)
			mime_address_list_free(&strict);
		if (!rt)
			mime_address_list_free(&tol);
		return 0;
	}
	if (rt != 0)
		abort();
	if (rs == 0) {
		if (df.count != 0 || mime_address_list_equal(&strict, &tol) == 0)
			abort();
		check_field(&strict);
		check_lines(&strict);
		mime_address_list_free(&strict);
	}
	check_lines(&tol);
	mime_address_list_free(&tol);
	return 0;
}
