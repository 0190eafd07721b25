/* Minimal JSON output; see json.h. */
#include "json.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_str(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
		} else if (c < 0x20) {
			const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
			if (esc)
				fputs(esc, f);
			else
				fprintf(f, "\\u%04x", c);
		} else if (c >= 0x80) {
			size_t l = utf8_len(s + i, n - i);
			if (l) {
				fwrite(s + i, 1, l, f);
				i += l;
			} else {
				fputs("\xef\xbf\xbd", f);
				i++;
			}
			continue;
		} else {
			fputc((int)c, f);
		}
		i++;
	}
	fputc('"', f);
}

void json_kv_str(FILE *f, int *first, const char *key, const char *value)
{
	if (!value)
		return;
	if (!*first)
		fputc(',', f);
	*first = 0;
	json_str(f, key, strlen(key));
	fputc(':', f);
	json_str(f, value, strlen(value));
}

void json_kv_u64(FILE *f, int *first, const char *key, unsigned long long v)
{
	if (!*first)
		fputc(',', f);
	*first = 0;
	json_str(f, key, strlen(key));
	fprintf(f, ":%llu", v);
}
