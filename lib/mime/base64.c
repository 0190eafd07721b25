/* Base64, RFC 2045 6.8 and RFC 4648 4: streaming encoder and tolerant,
 * fast decoder. */
#include "mime.h"
#include "ascii-int.h"

#include <string.h>

const char mime_b64_alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void commit(struct mime_buf *out, char *o)
{
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

/* ---- encoder ------------------------------------------------------------- */

void mime_base64_enc_init(struct mime_base64_enc *e, unsigned flags)
{
	memset(e, 0, sizeof *e);
	e->flags = flags;
}

static char *put_group(char *o, const unsigned char *s)
{
	uint32_t v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
	o[0] = mime_b64_alphabet[v >> 18];
	o[1] = mime_b64_alphabet[(v >> 12) & 63];
	o[2] = mime_b64_alphabet[(v >> 6) & 63];
	o[3] = mime_b64_alphabet[v & 63];
	return o + 4;
}

/* RFC 2045 6.8: lines of at most 76 characters (19 groups). */
static char *after_group(struct mime_base64_enc *e, char *o)
{
	if (e->flags & MIME_BASE64_NOWRAP)
		return o;
	e->col += 4;
	if (e->col == MIME_BASE64_LINE_MAX) {
		o[0] = '\r';
		o[1] = '\n';
		o += 2;
		e->col = 0;
	}
	return o;
}

/* Whole groups from s; returns the bytes used (a multiple of 3). */
static size_t encode_groups(struct mime_base64_enc *e, const unsigned char *s, size_t n, char **op)
{
	char *o = *op;
	size_t i = 0;
	int wrap = !(e->flags & MIME_BASE64_NOWRAP);
	/* whole lines at once: 57 bytes give 76 characters */
	if (wrap && e->col == 0) {
		for (; n - i >= 57; i += 57) {
			for (size_t k = 0; k < 57; k += 3)
				o = put_group(o, s + i + k);
			o[0] = '\r';
			o[1] = '\n';
			o += 2;
		}
	}
	for (; n - i >= 3; i += 3)
		o = after_group(e, put_group(o, s + i));
	*op = o;
	return i;
}

static size_t enc_room(size_t n)
{
	size_t chars = (n / 3 + 2) * 4;
	return chars + (chars / MIME_BASE64_LINE_MAX + 2) * 2;
}

enum mime_status mime_base64_encode(struct mime_base64_enc *e, const void *in, size_t len, struct mime_buf *out)
{
	const unsigned char *s = in;
	if (mime_buf_reserve(out, enc_room(len)))
		return -1;
	char *o = out->data + out->len;
	if (len == 0) {
		if (e->nq) {
			memset(e->q + e->nq, 0, 3 - e->nq);
			put_group(o, e->q);
			/* RFC 4648 4: 1 byte gives 2 characters and "==", 2 give 3 and "=" */
			memset(o + e->nq + 1, '=', 3 - e->nq);
			o = after_group(e, o + 4);
		}
		if (e->col) {
			memcpy(o, "\r\n", 2);
			o += 2;
		}
		commit(out, o);
		mime_base64_enc_init(e, e->flags);
		return 0;
	}
	while (e->nq && e->nq < 3 && len) {
		e->q[e->nq++] = *s++;
		len--;
	}
	if (e->nq == 3) {
		o = after_group(e, put_group(o, e->q));
		e->nq = 0;
	}
	size_t used = encode_groups(e, s, len, &o);
	s += used;
	len -= used;
	memcpy(e->q + e->nq, s, len);
	e->nq += (unsigned)len;
	commit(out, o);
	return 0;
}

enum mime_status mime_base64_encode_all(const void *in, size_t len, unsigned flags, struct mime_buf *out)
{
	struct mime_base64_enc e;
	mime_base64_enc_init(&e, flags);
	if (len && mime_base64_encode(&e, in, len, out))
		return -1;
	return mime_base64_encode(&e, NULL, 0, out);
}

/* ---- decoder ------------------------------------------------------------- */

/* Value of each alphabet character; 0x80 white space we skip silently
 * (RFC 2045 6.8: line breaks and transport padding), 0x81 '=', 0xff any
 * other byte. */
#define WS MIME_B64_WS
#define EQ MIME_B64_EQ
#define XX MIME_B64_BAD
const unsigned char mime_b64_dtab[256] = {
	XX, XX, XX, XX, XX, XX, XX, XX, XX, WS, WS, XX, XX, WS, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	WS, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, 62, XX, XX, XX, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, XX, XX, XX, EQ, XX, XX,
	XX, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, XX, XX, XX, XX, XX,
	XX, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
};

void mime_base64_dec_init(struct mime_base64_dec *d)
{
	memset(d, 0, sizeof *d);
}

/* The fast path: whole groups of 4 alphabet characters while nothing is
 * pending, and the CRLF ending each line of them; stops at anything else
 * (padding, junk, other white space). Returns the input bytes used. */
static size_t fast_groups(const unsigned char *s, size_t n, char **op)
{
	unsigned char *o = (unsigned char *)*op;
	size_t i = 0;
	while (n - i >= 4) {
		uint32_t a = mime_b64_dtab[s[i]], b = mime_b64_dtab[s[i + 1]], c = mime_b64_dtab[s[i + 2]], d = mime_b64_dtab[s[i + 3]];
		if ((a | b | c | d) & 0x80) {
			if (s[i] != '\r' || s[i + 1] != '\n')
				break;
			i += 2;
			continue;
		}
		uint32_t v = a << 18 | b << 12 | c << 6 | d;
		o[0] = (unsigned char)(v >> 16);
		o[1] = (unsigned char)(v >> 8);
		o[2] = (unsigned char)v;
		o += 3;
		i += 4;
	}
	*op = (char *)o;
	return i;
}

/* RFC 4648 3.3: padding. "xx==" and "xxx=" end the data; '=' anywhere
 * else is misplaced. */
static void pad_char(struct mime_base64_dec *d, char **o, struct mime_defects *df)
{
	if (d->n == 3) {
		*(*o)++ = (char)(d->acc >> 10);
		*(*o)++ = (char)(d->acc >> 2);
		d->n = 0;
		d->acc = 0;
		d->ended = 1;
	} else if (d->n == 2 && d->pad == 0) {
		d->pad = 1;
	} else if (d->n == 2) {
		*(*o)++ = (char)(d->acc >> 4);
		d->n = 0;
		d->acc = 0;
		d->pad = 0;
		d->ended = 1;
	} else {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: misplaced padding '='");
	}
}

/* An alphabet character. After "xx=" a character is not the '=' that
 * should complete the padding: the quantum is ended there. */
static void data_char(struct mime_base64_dec *d, char **o, unsigned v, struct mime_defects *df)
{
	if (d->pad) {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: incomplete padding");
		*(*o)++ = (char)(d->acc >> 4);
		d->n = 0;
		d->acc = 0;
		d->pad = 0;
		d->ended = 1;
	}
	if (d->ended && !d->after) {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: data after the padding");
		d->after = 1;
	}
	d->acc = d->acc << 6 | v;
	if (++d->n == 4) {
		*(*o)++ = (char)(d->acc >> 16);
		*(*o)++ = (char)(d->acc >> 8);
		*(*o)++ = (char)d->acc;
		d->n = 0;
		d->acc = 0;
	}
}

static void slow_byte(struct mime_base64_dec *d, char **o, unsigned char ch, struct mime_defects *df)
{
	unsigned v = mime_b64_dtab[ch];
	if (v < 64)
		data_char(d, o, v, df);
	else if (v == EQ)
		pad_char(d, o, df);
	else if (v == XX)
		mime_defect(df, MIME_D_BASE64, d->off, "base64: character outside the alphabet skipped");
}

static void decode_run(struct mime_base64_dec *d, const unsigned char *s, size_t n, char **o,
		       struct mime_defects *df)
{
	size_t i = 0;
	while (i < n) {
		if (d->n == 0 && !d->pad && (!d->ended || d->after)) {
			size_t k = fast_groups(s + i, n - i, o);
			i += k;
			d->off += k;
			if (i == n)
				break;
		}
		slow_byte(d, o, s[i++], df);
		d->off++;
	}
}

/* End of input: RFC 4648 3.3 / RFC 2045 6.8: a final quantum of 2 or 3
 * characters without its padding still gives 1 or 2 bytes. */
static void decode_end(struct mime_base64_dec *d, char **o, struct mime_defects *df)
{
	if (d->pad) {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: incomplete padding");
		*(*o)++ = (char)(d->acc >> 4);
	} else if (d->n == 1) {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: final quantum of 1 character dropped");
	} else if (d->n == 2) {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: final quantum without padding");
		*(*o)++ = (char)(d->acc >> 4);
	} else if (d->n == 3) {
		mime_defect(df, MIME_D_BASE64, d->off, "base64: final quantum without padding");
		*(*o)++ = (char)(d->acc >> 10);
		*(*o)++ = (char)(d->acc >> 2);
	}
	mime_base64_dec_init(d);
}

enum mime_status mime_base64_decode(struct mime_base64_dec *d, const void *in, size_t len, struct mime_buf *out,
		       struct mime_defects *df)
{
	/* at most 3 bytes per 4 characters, plus what the held quantum gives */
	if (mime_buf_reserve(out, len / 4 * 3 + 6))
		return -1;
	char *o = out->data + out->len;
	if (len == 0)
		decode_end(d, &o, df);
	else
		decode_run(d, in, len, &o, df);
	commit(out, o);
	return 0;
}

enum mime_status mime_base64_decode_all(const void *in, size_t len, struct mime_buf *out,
			   struct mime_defects *df)
{
	struct mime_base64_dec d;
	mime_base64_dec_init(&d);
	if (len && mime_base64_decode(&d, in, len, out, df))
		return -1;
	return mime_base64_decode(&d, NULL, 0, out, df);
}
