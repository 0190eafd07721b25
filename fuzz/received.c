/* Fuzz the Received reader and printer. Properties:
 * - the reader accepts any bytes (0 or, only on ENOMEM, -1);
 * - whenever the printer accepts what was read, reading the printed field
 *   back gives the same clauses, infos and date (parse(print(x)) == x);
 * - printed lines end in CRLF and never exceed 998 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"
#include "lines.h"

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_clause(const struct mime_received_clause *a, const struct mime_received_clause *b)
{
	return same_str(a->name, b->name) && same_str(a->value, b->value) && same_str(a->info, b->info);
}

static int same(const struct mime_received *a, const struct mime_received *b)
{
	const struct mime_received_clause *ca[] = {&a->from, &a->by, &a->via, &a->with, &a->id, &a->for_};
	const struct mime_received_clause *cb[] = {&b->from, &b->by, &b->via, &b->with, &b->id, &b->for_};
	for (int k = 0; k < 6; k++)
		if (!same_clause(ca[k], cb[k]))
			return 0;
	if (a->nextra != b->nextra || !same_str(a->info, b->info) || a->has_date != b->has_date)
		return 0;
	for (size_t i = 0; i < a->nextra; i++)
		if (!same_clause(&a->extra[i], &b->extra[i]))
			return 0;
	if (a->has_date)
		return mime_date_to_unix(&a->date) == mime_date_to_unix(&b->date) &&
		       a->date.zone == b->date.zone;
	return same_str(a->date_text, b->date_text);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_received r, r2;
	struct mime_defects df = {0};
	struct mime_buf o = {0};
	if (mime_received_parse((const char *)data, size, &r, &df))
		return 0;
	if (mime_received_field(&o, &r) == 0) {
		check_lines(&o);
		if (o.len < 11 || memcmp(o.data, "Received:", 9) != 0)
			abort();
		if (mime_received_parse(o.data + 9, o.len - 11, &r2, NULL))
			abort();
		if (!same(&r, &r2))
			abort();
		mime_received_free(&r2);
	}
	mime_buf_free(&o);
	mime_received_free(&r);
	return 0;
}
