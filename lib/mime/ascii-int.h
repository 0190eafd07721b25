/* Internal to lib/mime: the character tables the codecs share, one copy
 * each (base64.c and qp.c define them). */
#ifndef EMBER_MIME_ASCII_INT_H
#define EMBER_MIME_ASCII_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* RFC 4648 4, the base64 alphabet (RFC 2045 6.8, RFC 2047 4.1, RFC 2152). */
extern const char mime_b64_alphabet[64];
/* Value of each byte in that alphabet; MIME_B64_WS for the white space a
 * MIME body may hold (SP, TAB, CR, LF), MIME_B64_EQ for '=', MIME_B64_BAD
 * for anything else. */
extern const unsigned char mime_b64_dtab[256];
#define MIME_B64_WS 0x80
#define MIME_B64_EQ 0x81
#define MIME_B64_BAD 0xff

/* The value of c, -1 if none; c63 is the character of value 63: '/' in
 * RFC 4648 4, ',' in IMAP's modified UTF-7 (RFC 3501 5.1.3). */
static inline int mime_b64_value(int c, int c63)
{
	if (c == c63)
		return 63;
	unsigned v = mime_b64_dtab[(unsigned char)c];
	return v < 63 ? (int)v : -1;
}

/* Upper-case hex digits, as quoted-printable, RFC 2047 Q and RFC 2231
 * write them. */
extern const char mime_hex_upper[16];
/* Value + 1 of each hex digit (either case); 0 for any other byte. */
extern const unsigned char mime_hex_tab[256];
static inline int mime_hex_value(int c) { return (int)mime_hex_tab[(unsigned char)c] - 1; }

/* Line feeds in s[0..n), eight bytes at a time: t has the high bit of
 * each byte of w that equals '\n' (exactly: no carry crosses bytes); the
 * bits are summed per byte lane, and the lanes every 255 words. */
static inline size_t mime_lanes_sum(uint64_t acc)
{
	acc = (acc & 0x00ff00ff00ff00ffull) + (acc >> 8 & 0x00ff00ff00ff00ffull);
	return (size_t)((acc * 0x0001000100010001ull) >> 48);
}

static inline size_t mime_count_lf(const char *s, size_t n)
{
	const uint64_t lf = 0x0a0a0a0a0a0a0a0aull, low7 = 0x7f7f7f7f7f7f7f7full;
	size_t c = 0, i = 0;
	uint64_t acc = 0;
	for (unsigned k = 0; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t x = w ^ lf;
		acc += ~(((x & low7) + low7) | x | low7) >> 7;
		if (++k == 255) {
			c += mime_lanes_sum(acc);
			acc = 0;
			k = 0;
		}
	}
	c += mime_lanes_sum(acc);
	for (; i < n; i++)
		c += s[i] == '\n';
	return c;
}

static inline int mime_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

#endif
