/* UTF-7 (RFC 2152) both ways, streaming, and the modified UTF-7 of IMAP
 * mailbox names (RFC 3501 5.1.3). The UTF-8 side is always well-formed:
 * what cannot be decoded becomes U+FFFD and a defect. */
#include "mime.h"
#include "ascii-int.h"
#include "utf16-int.h"

#include <string.h>

enum { ST_DIRECT, ST_PLUS, ST_B64 };


/* RFC 2152 rule 1, Set D, and rule 3 (SP, TAB, CR, LF); Set O is
 * "optionally direct": the RFC's examples write '!' directly. */
static int is_direct(uint32_t c)
{
	if (c >= 0x80)
		return 0;
	if (mime_is_alnum((int)c))
		return 1;
	return c && strchr("'(),-./:? \t\r\n" "!\"#$%&*;<=>@[]^_`{|}", (int)c) != NULL;
}

/* ---- decoding --------------------------------------------------------------- */

void mime_utf7_dec_init(struct mime_utf7_dec *d)
{
	memset(d, 0, sizeof *d);
}

static int dec_bad(struct mime_buf *out, struct mime_defects *df, uint64_t off, const char *what)
{
	mime_defect(df, MIME_D_UTF7, off, what);
	return mime_utf8_put(out, 0xFFFD);
}


/* A base64 run ends (RFC 2152 rule 2): a partial unit is lost, and the
 * padding bits must be zero. */
static int dec_close(struct mime_utf7_dec *d, struct mime_buf *out, struct mime_defects *df)
{
	int r = 0;
	if (d->high)
		r = dec_bad(out, df, d->high_off, "UTF-7: unpaired high surrogate");
	if (!r && d->nbits >= 6)
		r = dec_bad(out, df, d->shift_start, "UTF-7: run ends inside a character");
	else if (d->bits & ((1u << d->nbits) - 1))
		mime_defect(df, MIME_D_UTF7, d->shift_start, "UTF-7: nonzero padding bits");
	d->high = 0;
	d->bits = 0;
	d->nbits = 0;
	d->state = ST_DIRECT;
	return r;
}

static int dec_direct(struct mime_utf7_dec *d, unsigned c, uint64_t off,
		struct mime_buf *out, struct mime_defects *df)
{
	if (c == '+') {
		d->state = ST_PLUS;
		d->shift_start = off;
		return 0;
	}
	if (c >= 0x80)
		return dec_bad(out, df, off, "UTF-7: 8-bit byte");
	return mime_buf_putc(out, (int)c);
}

static int dec_byte(struct mime_utf7_dec *d, unsigned c, uint64_t off,
		struct mime_buf *out, struct mime_defects *df)
{
	int v = d->state == ST_DIRECT ? -1 : mime_b64_value((int)c, '/');
	if (d->state == ST_PLUS && v < 0) {
		d->state = ST_DIRECT;
		if (c == '-')
			return mime_buf_putc(out, '+');
		if (dec_bad(out, df, d->shift_start, "UTF-7: '+' starts an empty run"))
			return -1;
	}
	if (v >= 0) {
		d->state = ST_B64;
		d->bits = (d->bits << 6 | (unsigned)v) & 0x1FFFFF;
		d->nbits += 6;
		if (d->nbits < 16)
			return 0;
		d->nbits -= 16;
		/* one UTF-16 unit of the run (RFC 2152 uses UTF-16, RFC 2781) */
		return mime_utf16_unit(&d->high, &d->high_off, d->bits >> d->nbits & 0xFFFF, off,
				       "UTF-7", out, df);
	}
	if (d->state == ST_B64) {
		if (dec_close(d, out, df))
			return -1;
		if (c == '-')
			return 0;
	}
	return dec_direct(d, c, off, out, df);
}

enum mime_status mime_utf7_decode(struct mime_utf7_dec *d, const void *in, size_t len,
		struct mime_buf *out, struct mime_defects *df)
{
	const unsigned char *p = in;
	if (len == 0) {
		int r = 0;
		if (d->state == ST_PLUS)
			r = dec_bad(out, df, d->shift_start, "UTF-7: '+' at the end");
		else if (d->state == ST_B64)
			r = dec_close(d, out, df);
		mime_utf7_dec_init(d);
		return r;
	}
	for (size_t i = 0; i < len; i++)
		if (dec_byte(d, p[i], d->offset + i, out, df))
			return -1;
	d->offset += len;
	return 0;
}

/* ---- encoding ------------------------------------------------------------------ */

void mime_utf7_enc_init(struct mime_utf7_enc *e)
{
	memset(e, 0, sizeof *e);
}

/* Emit the 6-bit groups that are complete. */
static int enc_bits(struct mime_utf7_enc *e, uint32_t u, struct mime_buf *out)
{
	e->bits = (e->bits << 16 | u) & 0x1FFFFF;
	e->nbits += 16;
	while (e->nbits >= 6) {
		e->nbits -= 6;
		if (mime_buf_putc(out, mime_b64_alphabet[e->bits >> e->nbits & 0x3F]))
			return -1;
	}
	return 0;
}

/* Close a run: pad the last group with zero bits; the '-' is needed when
 * the next character could be read as part of the run (RFC 2152 rule 2). */
static int enc_close(struct mime_utf7_enc *e, int next, struct mime_buf *out)
{
	if (!e->shifted)
		return 0;
	if (e->nbits && mime_buf_putc(out, mime_b64_alphabet[e->bits << (6 - e->nbits) & 0x3F]))
		return -1;
	e->shifted = 0;
	e->nbits = 0;
	e->bits = 0;
	if (next < 0 || next == '-' || mime_b64_value(next, '/') >= 0)
		return mime_buf_putc(out, '-');
	return 0;
}

/* '+' is "+-" outside a run (RFC 2152 rule 2) and base64 inside one. */
static int enc_cp(struct mime_utf7_enc *e, uint32_t cp, struct mime_buf *out)
{
	if (is_direct(cp) || (cp == '+' && !e->shifted)) {
		if (enc_close(e, (int)cp, out))
			return -1;
		return cp == '+' ? mime_buf_puts(out, "+-") : mime_buf_putc(out, (int)cp);
	}
	if (!e->shifted) {
		if (mime_buf_putc(out, '+'))
			return -1;
		e->shifted = 1;
	}
	if (cp < 0x10000)
		return enc_bits(e, cp, out);
	cp -= 0x10000;
	if (enc_bits(e, 0xD800 | cp >> 10, out))
		return -1;
	return enc_bits(e, 0xDC00 | (cp & 0x3FF), out);
}

static int enc_bad(struct mime_utf7_enc *e, uint64_t off, struct mime_buf *out,
		struct mime_defects *df)
{
	mime_defect(df, MIME_D_UTF7, off, "UTF-7 encoder: invalid UTF-8");
	return enc_cp(e, 0xFFFD, out);
}

/* Unicode 3.9 table 3-7; see charset.c. -1: not a lead byte. */
static int enc_lead(struct mime_utf7_enc *e, unsigned c)
{
	e->lower = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
	e->upper = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		return 1;
	if (c >= 0xE0 && c <= 0xEF)
		return 2;
	if (c >= 0xF0 && c <= 0xF4)
		return 3;
	return -1;
}

/* UTF-8 in, with U+FFFD for maximal ill-formed subparts (as charset.c). */
static int enc_byte(struct mime_utf7_enc *e, unsigned c, uint64_t off,
		struct mime_buf *out, struct mime_defects *df)
{
	if (e->need) {
		if (c >= e->lower && c <= e->upper) {
			e->cp = e->cp << 6 | (c & 0x3F);
			e->lower = 0x80;
			e->upper = 0xBF;
			if (++e->seen < e->need)
				return 0;
			e->need = 0;
			return enc_cp(e, e->cp, out);
		}
		e->need = 0;
		if (enc_bad(e, e->seq_start, out, df))
			return -1;
	}
	if (c < 0x80)
		return enc_cp(e, c, out);
	int k = enc_lead(e, c);
	if (k < 0)
		return enc_bad(e, off, out, df);
	e->need = (uint8_t)k;
	e->seen = 0;
	e->cp = c & (0x3Fu >> k);
	e->seq_start = off;
	return 0;
}

enum mime_status mime_utf7_encode(struct mime_utf7_enc *e, const void *utf8, size_t len,
		struct mime_buf *out, struct mime_defects *df)
{
	const unsigned char *p = utf8;
	if (len == 0) {
		int r = 0;
		if (e->need)
			r = enc_bad(e, e->seq_start, out, df);
		if (!r)
			r = enc_close(e, -1, out);
		mime_utf7_enc_init(e);
		return r;
	}
	for (size_t i = 0; i < len; i++)
		if (enc_byte(e, p[i], e->offset + i, out, df))
			return -1;
	e->offset += len;
	return 0;
}

/* ---- IMAP mailbox names (RFC 3501 5.1.3) ------------------------------------- */

/* RFC 3501 5.1.3: the base64 alphabet with ',' for '/' */
static char b64_imap(unsigned v)
{
	return v == 63 ? ',' : mime_b64_alphabet[v];
}

/* The code point at s[*i] of well-formed UTF-8; *i moves past it. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
	unsigned c = s[(*i)++];
	int k = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
	uint32_t cp = k ? c & (0x3Fu >> k) : c;
	while (k--)
		cp = cp << 6 | (s[(*i)++] & 0x3F);
	return cp;
}

struct imap_enc {
	uint32_t bits;
	unsigned nbits;
	int open;
};

static int imap_bits(struct imap_enc *st, uint32_t u, struct mime_buf *out)
{
	st->bits = (st->bits << 16 | u) & 0x1FFFFF;
	st->nbits += 16;
	while (st->nbits >= 6) {
		st->nbits -= 6;
		if (mime_buf_putc(out, b64_imap(st->bits >> st->nbits & 0x3F)))
			return -1;
	}
	return 0;
}

/* Every run is closed by '-' (RFC 3501 5.1.3). */
static int imap_close(struct imap_enc *st, struct mime_buf *out)
{
	if (!st->open)
		return 0;
	if (st->nbits && mime_buf_putc(out, b64_imap(st->bits << (6 - st->nbits) & 0x3F)))
		return -1;
	*st = (struct imap_enc){0};
	return mime_buf_putc(out, '-');
}

static int imap_enc_cp(struct imap_enc *st, uint32_t cp, struct mime_buf *out)
{
	if (cp >= 0x20 && cp <= 0x7E) {
		if (imap_close(st, out))
			return -1;
		return cp == '&' ? mime_buf_puts(out, "&-") : mime_buf_putc(out, (int)cp);
	}
	if (!st->open) {
		if (mime_buf_putc(out, '&'))
			return -1;
		st->open = 1;
	}
	if (cp < 0x10000)
		return imap_bits(st, cp, out);
	cp -= 0x10000;
	if (imap_bits(st, 0xD800 | cp >> 10, out))
		return -1;
	return imap_bits(st, 0xDC00 | (cp & 0x3FF), out);
}

static void restore(struct mime_buf *out, size_t len)
{
	out->len = len;
	if (out->data)
		out->data[len] = '\0';
}

enum mime_status mime_imap_utf7_encode(const char *utf8, size_t len, struct mime_buf *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	if (!mime_utf8_valid(s, len))
		return -2;
	size_t start = out->len;
	struct imap_enc st = {0};
	size_t i = 0;
	while (i < len)
		if (imap_enc_cp(&st, next_cp(s, &i), out)) {
			restore(out, start);
			return -1;
		}
	if (imap_close(&st, out) || mime_buf_reserve(out, 0)) {
		restore(out, start);
		return -1;
	}
	out->data[out->len] = '\0';
	return 0;
}

/* One UTF-16 unit of a run: well-formed UTF-16, and no character that
 * could represent itself. 0, -1 or -2. */
static int imap_unit(uint32_t u, uint32_t *high, struct mime_buf *out)
{
	if (*high) {
		if (u < 0xDC00 || u > 0xDFFF)
			return -2;
		uint32_t cp = 0x10000 + ((*high - 0xD800) << 10) + (u - 0xDC00);
		*high = 0;
		return mime_utf8_put(out, cp);
	}
	if (u >= 0xD800 && u <= 0xDBFF) {
		*high = u;
		return 0;
	}
	if ((u >= 0xDC00 && u <= 0xDFFF) || (u >= 0x20 && u <= 0x7E))
		return -2;
	return mime_utf8_put(out, u);
}

/* s[*pi] is the '&' of a run that is not "&-". */
static int imap_run(const char *s, size_t len, size_t *pi, struct mime_buf *out)
{
	uint32_t bits = 0, high = 0;
	unsigned nbits = 0;
	size_t i = *pi + 1;
	for (; i < len && s[i] != '-'; i++) {
		int v = mime_b64_value((unsigned char)s[i], ',');
		if (v < 0)
			return -2;
		bits = (bits << 6 | (unsigned)v) & 0x1FFFFF;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		int r = imap_unit(bits >> nbits & 0xFFFF, &high, out);
		if (r)
			return r;
	}
	if (i == len || high || nbits >= 6 || (bits & ((1u << nbits) - 1)))
		return -2;
	*pi = i + 1;
	return 0;
}

static int imap_decode(const char *s, size_t len, struct mime_buf *out)
{
	int after_run = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7E)
			return -2;
		int r;
		if (c != '&') {
			r = mime_buf_putc(out, c);
			i++;
			after_run = 0;
		} else if (i + 1 < len && s[i + 1] == '-') {
			r = mime_buf_putc(out, '&');
			i += 2;
			after_run = 0;
		} else if (after_run) {
			return -2; /* two adjacent runs: not the one canonical form */
		} else {
			r = imap_run(s, len, &i, out);
			after_run = 1;
		}
		if (r)
			return r;
	}
	return mime_buf_reserve(out, 0);
}

enum mime_status mime_imap_utf7_decode(const char *s, size_t len, struct mime_buf *out)
{
	size_t start = out->len;
	int r = imap_decode(s, len, out);
	if (r)
		restore(out, start);
	else
		out->data[out->len] = '\0';
	return r;
}
