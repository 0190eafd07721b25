/* libFuzzer, differential: arbitrary bytes -> model -> print -> model; the
 * two models must be equal, and printing the second gives the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits lim = {.max_depth = 40, .max_parts = 2000};
	struct mime_node *m = NULL, *m2 = NULL;
	if (mime_model_parse((const char *)data, size, &lim, &m, NULL, NULL, NULL))
		return 0;
	struct mime_buf p1 = {0}, p2 = {0};
	if (mime_model_print(m, 0, &p1))
		abort();
	if (mime_model_parse(p1.data ? p1.data : "", p1.len, &lim, &m2, NULL, NULL, NULL))
		abort();
	const char *why;
	char path[32];
	if (!mime_model_equal(m, m2, &why, path))
		abort();
	if (mime_model_print(m2, 0, &p2) || p1.len != p2.len || memcmp(p1.data, p2.data, p1.len))
		abort();
	mime_buf_free(&p1);
	mime_buf_free(&p2);
	mime_model_free(m);
	mime_model_free(m2);
	return 0;
}
