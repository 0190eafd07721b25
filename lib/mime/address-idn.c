/* Domains between U-labels and A-labels: IDNA 2008 with UTS #46
 * non-transitional processing (RFC 5890, RFC 5891), through libidn2. */
#include "address-int.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

static int has_xn_label(const char *d, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if ((i == 0 || d[i - 1] == '.') && mime_ascii_caseeq(d + i, 4, "xn--", 4))
			return 1;
	return 0;
}

static int is_ascii(const char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)d[i] >= 0x80)
			return 0;
	return 1;
}

static int convert(const char *d, size_t n, int to_ascii, char **res)
{
	char *z = mime_addr_dup(d, n);
	if (!z)
		return IDN2_MALLOC;
	int rc = to_ascii ? idn2_to_ascii_8z(z, res, IDN2_NONTRANSITIONAL)
			  : idn2_to_unicode_8z8z(z, res, IDN2_NONTRANSITIONAL);
	free(z);
	return rc;
}

/* The position of the first label that does not convert alone. */
static size_t bad_label(const char *d, size_t n, int to_ascii)
{
	for (size_t s = 0; s < n;) {
		size_t e = s;
		while (e < n && d[e] != '.')
			e++;
		char *res = NULL;
		int rc = convert(d + s, e - s, to_ascii, &res);
		idn2_free(res);
		if (rc != IDN2_OK)
			return s;
		s = e + 1;
	}
	return 0;
}

static int idn(const char *d, size_t n, int to_ascii, struct mime_buf *out,
	       struct mime_addr_error *err)
{
	char *res = NULL;
	int rc = convert(d, n, to_ascii, &res);
	if (rc == IDN2_MALLOC)
		return -1;
	if (rc != IDN2_OK) {
		err->pos = bad_label(d, n, to_ascii);
		err->msg = "invalid IDN";
		return -2;
	}
	rc = mime_buf_puts(out, res);
	idn2_free(res);
	return rc;
}

/* An A-label is valid when it converts to Unicode and back to itself. */
static int check_alabels(const char *d, size_t n, struct mime_addr_error *err)
{
	struct mime_buf u = {0}, a = {0};
	int r = idn(d, n, 0, &u, err);
	if (!r)
		r = idn(u.data, u.len, 1, &a, err);
	if (!r && (a.len != n || !mime_ascii_caseeq(a.data, n, d, n)))
		r = -2;
	if (r == -2) {  /* positions in d, not in the converted forms */
		err->pos = bad_label(d, n, 0);
		err->msg = "invalid IDN";
	}
	mime_buf_free(&u);
	mime_buf_free(&a);
	return r;
}

static int plain(const char *d, size_t n)
{
	return (n > 0 && d[0] == '[') || (is_ascii(d, n) && !has_xn_label(d, n));
}

enum mime_status mime_domain_to_ascii(const char *d, size_t len, struct mime_buf *out,
			 struct mime_addr_error *err)
{
	struct mime_addr_error e;
	if (!err)
		err = &e;
	if (plain(d, len))
		return mime_buf_append(out, d, len);
	if (is_ascii(d, len)) {
		int r = check_alabels(d, len, err);
		return r ? r : mime_buf_append(out, d, len);
	}
	return idn(d, len, 1, out, err);
}

enum mime_status mime_domain_to_unicode(const char *d, size_t len, struct mime_buf *out,
			   struct mime_addr_error *err)
{
	struct mime_addr_error e;
	if (!err)
		err = &e;
	if (plain(d, len))
		return mime_buf_append(out, d, len);
	if (!is_ascii(d, len)) {  /* validate, and give the mapped U-labels */
		struct mime_buf a = {0};
		int r = idn(d, len, 1, &a, err);
		if (!r)
			r = idn(a.data, a.len, 0, out, err);
		mime_buf_free(&a);
		return r;
	}
	return idn(d, len, 0, out, err);
}
