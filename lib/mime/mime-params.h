/* ember lib/mime: MIME parameters and the MIME header fields (RFC 2045
 * 4, 5.1, 6; RFC 2183; RFC 2231). Included by mime.h; include mime.h
 * instead.
 *
 * Parsers take a field value (after the colon, folding kept) and are
 * tolerant: a bad parameter is skipped with a defect, never an error. */
#ifndef EMBER_MIME_PARAMS_H
#define EMBER_MIME_PARAMS_H

#include <stddef.h>

struct mime_buf;
struct mime_defects;
struct mime_fold;

struct mime_param {
	char *name;        /* lowercased, without RFC 2231 "*" and section numbers */
	char *value;       /* decoded: RFC 2231 sections joined, %XX undone and
			      converted to UTF-8; quoted strings unquoted;
			      NUL-terminated (and may hold NULs: see value_len) */
	size_t value_len;
	char *charset;     /* RFC 2231 extended: the declared charset ("" when
			      none was given), informational since value is
			      UTF-8; NULL for a plain parameter */
	char *language;    /* RFC 2231 extended: the language ("" when none),
			      else NULL */
};

struct mime_content_type {
	char *type;        /* lowercased */
	char *subtype;     /* lowercased */
	struct mime_param *params;
	size_t nparams;
};

struct mime_disposition {
	char *type;        /* lowercased: inline, attachment, ... */
	struct mime_param *params;
	size_t nparams;
};

/* RFC 2045 5.1 (+ RFC 2231, + tolerated obsolete CFWS anywhere): MIME_OK; MIME_ENOMEM;
 * MIME_EINVAL the type/subtype is unusable (the caller then applies the
 * RFC 2045 5.2 default; *out is then empty). A bad parameter is skipped
 * with a defect; a repeated parameter: the first wins, defect. df may be
 * NULL. */
enum mime_status mime_content_type_parse(const char *v, size_t n, struct mime_content_type *out,
			    struct mime_defects *df);
void mime_content_type_free(struct mime_content_type *ct);

/* RFC 2183: disposition-type *(";" parameter). MIME_OK, MIME_ENOMEM, MIME_EINVAL (no usable
 * type: RFC 2183 2.8 says treat it as "attachment"... the caller's call). */
enum mime_status mime_disposition_parse(const char *v, size_t n, struct mime_disposition *out,
			   struct mime_defects *df);
void mime_disposition_free(struct mime_disposition *d);

/* A bare parameter list: *(";" parameter), as after a type. MIME_OK or MIME_ENOMEM;
 * *ps is NULL when there are none. Free with mime_params_free. */
enum mime_status mime_params_parse(const char *v, size_t n, struct mime_param **ps, size_t *np,
		      struct mime_defects *df);
void mime_params_free(struct mime_param *ps, size_t n);

/* Case-insensitive; NULL when absent. */
const struct mime_param *mime_param_get(const struct mime_param *ps, size_t n,
					const char *name);

/* RFC 2045 6.1 Content-Transfer-Encoding: the token lowercased, CFWS
 * removed, appended to out. MIME_OK, MIME_ENOMEM, MIME_EINVAL malformed. */
enum mime_status mime_cte_parse(const char *v, size_t n, struct mime_buf *out);

/* RFC 2045 4 MIME-Version: "1.0", also with comments ("1.(comment)0").
 * MIME_OK or MIME_EINVAL. */
enum mime_status mime_version_parse(const char *v, size_t n, int *major, int *minor);

/* Printing through the folding printer (between mime_fold_begin and
 * mime_fold_end). Values are tokens when they can be, else quoted
 * strings; a value that is not printable ASCII, looks like an RFC 2047
 * encoded word, or is too long for one line is written as RFC 2231
 * extended parameters (name*=utf-8'lang'..., or sections name*0*=,
 * name*1*=, ... each short enough to keep lines within 78 columns), so
 * that parsing the output gives back the names, values and languages.
 * MIME_OK; MIME_ENOMEM; -2 a name, type or subtype that is not a token. */
enum mime_status mime_content_type_fold(struct mime_fold *f, const struct mime_content_type *ct);
enum mime_status mime_disposition_fold(struct mime_fold *f, const struct mime_disposition *d);
/* Each parameter as "; name=value" (the ";" glued to what came before). */
enum mime_status mime_params_fold(struct mime_fold *f, const struct mime_param *ps, size_t n);

/* Whole fields: "Content-Type: ...CRLF", "Content-Disposition: ...CRLF"
 * appended to out. MIME_OK, MIME_ENOMEM, MIME_EINVAL. */
enum mime_status mime_content_type_field(struct mime_buf *out, const struct mime_content_type *ct);
enum mime_status mime_disposition_field(struct mime_buf *out, const struct mime_disposition *d);

/* For people (ember hdr): a Content-Type or Content-Disposition value with
 * RFC 2231 parameters joined and decoded, printed on one line as
 * `type/subtype; name="value"` (value quoted when needed, UTF-8, control
 * characters shown as U+FFFD). Falls back to the value unfolded when it
 * does not parse. MIME_OK or MIME_ENOMEM. */
enum mime_status mime_params_render(const char *v, size_t n, struct mime_buf *out,
		       struct mime_defects *df);

#endif
