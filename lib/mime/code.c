/* Defect and error codes, and the ASCII helpers every reader compares with
 * (never the C locale's). */
#include "mime.h"

static const char *const names[MIME_C_COUNT] = {
	[MIME_C_NONE] = "none",
	[MIME_D_NOT_A_FIELD] = "not-a-field",
	[MIME_D_FIELD_NAME_BYTE] = "field-name-byte",
	[MIME_D_CONTINUATION_FIRST] = "continuation-first",
	[MIME_D_FIELD_NUL] = "field-nul",
	[MIME_D_FIELD_BARE_CR] = "field-bare-cr",
	[MIME_D_WSP_BEFORE_COLON] = "wsp-before-colon",
	[MIME_D_LINE_TOO_LONG] = "line-too-long",
	[MIME_D_REPEATED_FIELD] = "repeated-field",
	[MIME_D_EMPTY_MESSAGE] = "empty-message",
	[MIME_D_HEADER_CUT] = "header-cut",
	[MIME_D_UNCLOSED_MULTIPART] = "unclosed-multipart",
	[MIME_D_NO_BOUNDARY] = "no-boundary",
	[MIME_D_ENCODED_MULTIPART] = "encoded-multipart",
	[MIME_D_TOO_DEEP] = "too-deep",
	[MIME_D_CONTENT_TYPE] = "content-type",
	[MIME_D_DISPOSITION] = "disposition",
	[MIME_D_CTE] = "cte",
	[MIME_D_CTE_UNKNOWN] = "cte-unknown",
	[MIME_D_CHARSET_UNKNOWN] = "charset-unknown",
	[MIME_D_QP] = "qp",
	[MIME_D_BASE64] = "base64",
	[MIME_D_UTF7] = "utf7",
	[MIME_D_CHARSET] = "charset",
	[MIME_D_RFC2047] = "rfc2047",
	[MIME_D_PARAMS] = "params",
	[MIME_D_ADDRESS] = "address",
	[MIME_D_DATE] = "date",
	[MIME_D_MSGID] = "msgid",
	[MIME_D_RECEIVED] = "received",
	[MIME_E_NOMEM] = "nomem",
	[MIME_E_FIELD_TOO_LONG] = "field-too-long",
	[MIME_E_TOO_MANY_FIELDS] = "too-many-fields",
	[MIME_E_HEADER_TOO_LONG] = "header-too-long",
	[MIME_E_TOO_MANY_PARTS] = "too-many-parts",
	[MIME_E_UNDRAINED] = "undrained",
};

const char *mime_code_name(enum mime_code c)
{
	return (unsigned)c < MIME_C_COUNT && names[c] ? names[c] : "unknown";
}

int mime_code_is_structural(enum mime_code c)
{
	return c >= MIME_D_NOT_A_FIELD && c <= MIME_D_FIELD_BARE_CR;
}

int mime_code_is_error(enum mime_code c)
{
	return c >= MIME_E_NOMEM && c < MIME_C_COUNT;
}

int mime_ascii_caseeq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (mime_ascii_lower((unsigned char)a[i]) != mime_ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

int mime_ascii_is(const char *s, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n; i++)
		if (!lit[i] || mime_ascii_lower((unsigned char)s[i]) != mime_ascii_lower((unsigned char)lit[i]))
			return 0;
	return lit[i] == '\0';
}

int mime_ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = mime_ascii_lower((unsigned char)*a), y = mime_ascii_lower((unsigned char)*b);
		if (x != y || !x)
			return x - y;
	}
}

void mime_ascii_lower_n(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (char)mime_ascii_lower((unsigned char)s[i]);
}
