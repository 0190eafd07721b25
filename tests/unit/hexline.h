/* Shared by the unit-test harnesses that read test suites turned into hex
 * lines by a Python converter (tests/unit/spf/suite2lines.py,
 * tests/unit/dkim/arc2lines.py): one field back to its bytes. */
#ifndef EMBER_TEST_HEXLINE_H
#define EMBER_TEST_HEXLINE_H

#include <stdio.h>
#include <string.h>

/* h: hex, or "-" for the empty string; out: room for strlen(h) / 2 + 1.
 * Returns the length (out is NUL-terminated too). */
static inline size_t unhex(const char *h, char *out)
{
	if (strcmp(h, "-") == 0) {
		out[0] = 0;
		return 0;
	}
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (char)v;
	}
	out[n] = 0;
	return n;
}

#endif
