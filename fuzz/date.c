/* Fuzz the date parser. When a date parses: it prints, the printed form
 * parses back to the same date (the weekday now the computed one), and the
 * epoch conversions agree. */
#include <stdint.h>
#include <stdlib.h>
#include "mime.h"

static void same(const struct mime_date *a, const struct mime_date *b)
{
	if (a->year != b->year || a->month != b->month || a->day != b->day ||
	    a->hour != b->hour || a->min != b->min || a->sec != b->sec || a->zone != b->zone ||
	    (a->flags & MIME_DATE_LOCAL) != (b->flags & MIME_DATE_LOCAL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_date d, e, f;
	size_t err = SIZE_MAX;
	struct mime_defects df = {0};
	int r = mime_date_parse((const char *)data, size, &d, &err, &df);
	if (r == -2) {
		if (err > size)
			abort();
		return 0;
	}
	if (r != 0)
		abort();
	struct mime_buf o = {0};
	if (mime_date_print(&d, &o) != 0)
		abort();
	if (mime_date_parse(o.data, o.len, &e, NULL, NULL) != 0)
		abort();
	same(&d, &e);
	if (e.weekday != mime_date_weekday(d.year, d.month, d.day) ||
	    (e.flags & ~MIME_DATE_LOCAL) != 0)
		abort();
	if (mime_date_to_unix(&d) != mime_date_to_unix(&e))
		abort();
	if (d.sec < 60 && d.zone > -1440 && d.zone < 1440 &&
	    mime_date_from_unix(mime_date_to_unix(&d), d.zone, &f) == 0) {
		f.flags = d.flags;
		same(&d, &f);
	}
	mime_buf_free(&o);
	return 0;
}
