/* Shared by the fuzz harnesses of printers: what they write is CRLF
 * lines of at most 998 octets (RFC 5322 2.1.1), ending in a line break. */
#ifndef EMBER_FUZZ_LINES_H
#define EMBER_FUZZ_LINES_H

#include <stdlib.h>

#include "mime.h"

static void check_lines(const struct mime_buf *o)
{
	size_t col = 0;
	for (size_t i = 0; i < o->len; i++) {
		if (o->data[i] == '\n') {
			if (i == 0 || o->data[i - 1] != '\r' || col > 999)
				abort();
			col = 0;
		} else {
			col++;
		}
	}
	if (col != 0)
		abort();
}

#endif
