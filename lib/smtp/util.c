/* ember lib/smtp: buffers, ASCII, base64, safe reply text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp-int.h"

int sbuf_append(struct sbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (b->off && b->off == b->len) {
		b->off = b->len = 0;
	}
	if (b->len + n > b->cap) {
		if (b->off) {  /* compact first */
			memmove(b->data, b->data + b->off, b->len - b->off);
			b->len -= b->off;
			b->off = 0;
		}
		if (b->len + n > b->cap) {
			if (n > SIZE_MAX / 2 - b->len)
				return -1;
			size_t cap = b->cap ? b->cap : 256;
			while (cap < b->len + n)
				cap *= 2;
			char *d = realloc(b->data, cap);
			if (!d)
				return -1;
			b->data = d;
			b->cap = cap;
		}
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int sbuf_puts(struct sbuf *b, const char *s)
{
	return sbuf_append(b, s, strlen(s));
}

void sbuf_consume(struct sbuf *b, size_t n)
{
	if (n > b->len - b->off)
		n = b->len - b->off;
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

void sbuf_free(struct sbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

int a_is(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (a_lower((unsigned char)s[i]) != a_lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

int a_prefix(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return n >= m && a_is(s, m, lit);
}

void safe_copy(char *dst, size_t n, const char *src, size_t len)
{
	size_t j = 0;
	if (n == 0)
		return;
	for (size_t i = 0; i < len && j + 1 < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[j++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[j] = 0;
}

int reply_line(struct sbuf *out, int code, const char *ehc, const char *text, int last)
{
	char line[SMTP_REPLY_MAX_LINE];
	char safe[401];
	safe_copy(safe, sizeof safe, text ? text : "", text ? strlen(text) : 0);
	int k;
	if (code < 200 || code > 599)
		code = 451;
	if (ehc && *ehc)
		k = snprintf(line, sizeof line, "%03d%c%s%s%s\r\n", code, last ? ' ' : '-', ehc,
			     *safe ? " " : "", safe);
	else
		k = snprintf(line, sizeof line, "%03d%c%s\r\n", code, last ? ' ' : '-', safe);
	if (k < 0 || (size_t)k >= sizeof line)
		return -1;
	return sbuf_append(out, line, (size_t)k);
}

int has_8bit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t k;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		unsigned v = c & (0x3f >> k);
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			v = (v << 6) | (p[i + j] & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* ---- base64 (RFC 4648 4), for AUTH ---- */
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t smtp_b64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t j = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[j++] = b64[(v >> 18) & 63];
		out[j++] = b64[(v >> 12) & 63];
		out[j++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[j++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[j] = 0;
	return j;
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int smtp_b64_decode(const char *in, size_t n, char *out, size_t *outlen)
{
	size_t room = *outlen, j = 0;
	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=') {
				/* padding only at the very end, and at most two */
				if (i + 4 != n || k < 2)
					return -1;
				v[k] = 0;
				pad++;
			} else {
				if (pad)
					return -1;
				v[k] = b64_val((unsigned char)in[i + k]);
				if (v[k] < 0)
					return -1;
			}
		}
		unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
		size_t m = 3 - (size_t)pad;
		if (j + m > room)
			return -1;
		out[j++] = (char)(w >> 16);
		if (m > 1)
			out[j++] = (char)(w >> 8);
		if (m > 2)
			out[j++] = (char)w;
	}
	*outlen = j;
	return 0;
}
