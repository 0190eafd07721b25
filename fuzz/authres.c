/* Fuzz the Authentication-Results reader and printer. Properties:
 * - the reader accepts any bytes (MIME_OK or MIME_EINVAL; MIME_ENOMEM
 *   only when memory runs out), and on failure leaves *out NULL;
 * - every string it gives is within its one block, NUL-free by
 *   construction, and a Keyword where the grammar wants one;
 * - whenever the printer accepts what was read (it refuses a word longer
 *   than a line), reading the printed field back gives the same
 *   authserv-id and the same results, in order (parse(print(x)) == x);
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

static int same(const struct mime_authres *a, const struct mime_authres *b)
{
	if (strcmp(a->authserv_id, b->authserv_id) || a->nresults != b->nresults)
		return 0;
	for (size_t i = 0; i < a->nresults; i++) {
		const struct mime_authres_result *x = &a->results[i], *y = &b->results[i];
		if (strcmp(x->method, y->method) || strcmp(x->result, y->result) ||
		    !same_str(x->reason, y->reason) || x->nprops != y->nprops)
			return 0;
		for (size_t k = 0; k < x->nprops; k++)
			if (strcmp(x->props[k].ptype, y->props[k].ptype) ||
			    strcmp(x->props[k].name, y->props[k].name) ||
			    strcmp(x->props[k].value, y->props[k].value))
				return 0;
	}
	return 1;
}

static void keyword(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || s[n - 1] == '-')
		abort();
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			abort();
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_authres *a = (struct mime_authres *)1, *b = NULL;
	struct mime_buf o = {0};
	int rc = mime_authres_parse((const char *)data, size, &a);
	if (rc) {
		if ((rc != MIME_EINVAL && rc != MIME_ENOMEM) || a)
			abort();
		return 0;
	}
	if (!*a->authserv_id)
		abort();
	for (size_t i = 0; i < a->nresults; i++) {
		const struct mime_authres_result *r = &a->results[i];
		keyword(r->method);
		keyword(r->result);
		(void)mime_authres_method_version(a, i);
		for (size_t k = 0; k < r->nprops; k++) {
			keyword(r->props[k].ptype);
			keyword(r->props[k].name);
			(void)strlen(r->props[k].value);
		}
	}
	rc = mime_authres_field(&o, a->authserv_id, a->results, a->nresults);
	if (rc == 0) {
		check_lines(&o);
		if (o.len < 25 || memcmp(o.data, "Authentication-Results:", 23) != 0)
			abort();
		if (mime_authres_parse(o.data + 23, o.len - 23, &b) || !same(a, b))
			abort();
		mime_authres_free(b);
	} else if (rc != MIME_EINVAL || o.len != 0) {
		abort();
	}
	mime_buf_free(&o);
	mime_authres_free(a);
	return 0;
}
