/* Fuzz the MIME parameter parsers and printers. Properties:
 * - Content-Type and Content-Disposition parse anything without crashing
 *   (0 or -2); when they succeed, the printed field parses back to the same
 *   type, names, values and languages, in lines of at most 78 columns
 *   unless a name is too long for that;
 * - rendering, Content-Transfer-Encoding and MIME-Version never crash, and
 *   a parsed transfer encoding parses back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static int same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static void same_params(const struct mime_param *a, size_t n, const struct mime_param *b, size_t m)
{
	if (n != m)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, b[i].name) || a[i].value_len != b[i].value_len ||
		    memcmp(a[i].value, b[i].value, a[i].value_len) ||
		    !same_str(a[i].language, b[i].language))
			abort();
}

/* Lines of at most 78 columns, unless a name (with its language) is too
 * long for that. */
static void check_lines(const struct mime_buf *o, size_t longest_name)
{
	if (longest_name > 40)
		return;
	size_t col = 0;
	for (size_t i = 0; i < o->len; i++) {
		if (o->data[i] == '\n') {
			col = 0;
			continue;
		}
		if (o->data[i] != '\r' && ++col > 78)
			abort();
	}
}

static size_t longest(const struct mime_param *ps, size_t n, size_t l)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(ps[i].name) + (ps[i].language ? strlen(ps[i].language) : 0);
		if (k > l)
			l = k;
	}
	return l;
}

static void content_type(const char *v, size_t n)
{
	struct mime_content_type x, y;
	int r = mime_content_type_parse(v, n, &x, NULL);
	if (r == -2 || r == -1)
		return;
	if (r != 0)
		abort();
	struct mime_buf o = {0};
	size_t name = longest(x.params, x.nparams, strlen(x.type) + strlen(x.subtype));
	r = mime_content_type_field(&o, &x);
	if (r == 0) {
		check_lines(&o, name);
		/* "Content-Type:" ... CRLF */
		if (mime_content_type_parse(o.data + 13, o.len - 15, &y, NULL) != 0)
			abort();
		if (strcmp(x.type, y.type) || strcmp(x.subtype, y.subtype))
			abort();
		same_params(x.params, x.nparams, y.params, y.nparams);
		mime_content_type_free(&y);
	} else if (r != -1 && !(r == -2 && name > 900)) {
		abort();
	}
	mime_buf_free(&o);
	mime_content_type_free(&x);
}

static void disposition(const char *v, size_t n)
{
	struct mime_disposition x, y;
	if (mime_disposition_parse(v, n, &x, NULL) != 0)
		return;
	struct mime_buf o = {0};
	size_t name = longest(x.params, x.nparams, strlen(x.type));
	int r = mime_disposition_field(&o, &x);
	if (r == 0) {
		check_lines(&o, name);
		if (mime_disposition_parse(o.data + 20, o.len - 22, &y, NULL) != 0)
			abort();
		if (strcmp(x.type, y.type))
			abort();
		same_params(x.params, x.nparams, y.params, y.nparams);
		mime_disposition_free(&y);
	} else if (r != -1 && !(r == -2 && name > 900)) {
		abort();
	}
	mime_buf_free(&o);
	mime_disposition_free(&x);
}

static void simple_fields(const char *v, size_t n)
{
	struct mime_buf o = {0}, p = {0};
	int major, minor;
	if (mime_params_render(v, n, &o, NULL) < -1)
		abort();
	mime_buf_reset(&o);
	if (mime_cte_parse(v, n, &o) == 0) {
		if (mime_cte_parse(o.data, o.len, &p) != 0 || strcmp(o.data, p.data))
			abort();
	}
	(void)mime_version_parse(v, n, &major, &minor);
	mime_buf_free(&o);
	mime_buf_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	content_type(v, size);
	disposition(v, size);
	simple_fields(v, size);
	return 0;
}
