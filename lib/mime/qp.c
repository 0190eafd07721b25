/* Quoted-printable, RFC 2045 6.7: streaming encoder and tolerant decoder. */
#include "mime.h"
#include "ascii-int.h"

#include <string.h>

const char mime_hex_upper[16] = "0123456789ABCDEF";

/* Output is written through a raw pointer into room reserved beforehand
 * (see CHUNK and the bounds at each reserve); len and the NUL are fixed up
 * when a chunk is done. */
#define CHUNK 4096

static void commit(struct mime_buf *out, char *o)
{
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

/* ---- encoder ------------------------------------------------------------- */

void mime_qp_enc_init(struct mime_qp_enc *e, unsigned flags)
{
	memset(e, 0, sizeof *e);
	e->flags = flags;
	e->bol = 1;
}

/* RFC 2045 6.7 rules 2 and 1: printable ASCII except '=' may stand for
 * itself; everything else is written =XY. SPACE and TAB are handled apart
 * (rule 3). */
static int qp_safe(unsigned char c)
{
	return c >= 33 && c <= 126 && c != '=';
}

/* Rule 5: a soft break "=" CRLF when the next token would not fit in the
 * line with room left for that '='. Returns 1 if it broke the line. */
static int fit(struct mime_qp_enc *e, char **o, unsigned w)
{
	if (e->col + w <= MIME_QP_LINE_MAX - 1)
		return 0;
	memcpy(*o, "=\r\n", 3);
	*o += 3;
	e->col = 0;
	return 1;
}

static void put_enc(struct mime_qp_enc *e, char **o, unsigned char c)
{
	fit(e, o, 3);
	char *p = *o;
	p[0] = '=';
	p[1] = mime_hex_upper[c >> 4];
	p[2] = mime_hex_upper[c & 15];
	*o += 3;
	e->col += 3;
	e->bol = 0;
}

/* A literal byte. At the start of a line made by a soft break we cannot
 * see what follows, so 'F' (of "From ", mbox) and '.' (SMTP's lone dot)
 * are encoded there to be safe. */
static void put_lit(struct mime_qp_enc *e, char **o, unsigned char c)
{
	if (fit(e, o, 1) && (c == 'F' || c == '.')) {
		put_enc(e, o, c);
		return;
	}
	*(*o)++ = (char)c;
	e->col++;
	e->bol = 0;
}

static void hard_break(struct mime_qp_enc *e, char **o)
{
	memcpy(*o, "\r\n", 2);
	*o += 2;
	e->col = 0;
	e->bol = 1;
}

/* Write the held bytes (no CR among them). At the end of a line, held
 * white space is encoded (rule 3: no literal white space at a line's end)
 * and so is a lone '.' (it would end SMTP's DATA). */
static void flush_held(struct mime_qp_enc *e, char **o, int eol)
{
	unsigned n = e->nhold;
	e->nhold = 0;
	if (n == 1 && eol && (e->hold[0] == ' ' || e->hold[0] == '\t' || e->hold[0] == '.')) {
		put_enc(e, o, e->hold[0]);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		put_lit(e, o, e->hold[i]);
}

static int is_from_prefix(const struct mime_qp_enc *e)
{
	return e->nhold > 0 && e->hold[0] == 'F';
}

/* What the held bytes become now that c follows them. Returns 1 when c is
 * consumed too, 0 when c is still to be handled as a fresh byte. */
static int resolve(struct mime_qp_enc *e, char **o, unsigned char c)
{
	int text = !(e->flags & MIME_QP_BINARY);
	if (e->nhold && e->hold[e->nhold - 1] == '\r') {
		e->nhold--;
		if (c == '\n') {
			flush_held(e, o, 1);
			hard_break(e, o);
			return 1;
		}
		flush_held(e, o, 0);
		put_enc(e, o, '\r');
		return 0;
	}
	if (text && c == '\n') {
		flush_held(e, o, 1);
		hard_break(e, o);
		return 1;
	}
	if (text && c == '\r') {
		e->hold[e->nhold++] = c;
		return 1;
	}
	if (is_from_prefix(e) && e->nhold < 4 && c == (unsigned char)"From"[e->nhold]) {
		e->hold[e->nhold++] = c;
		return 1;
	}
	if (is_from_prefix(e) && e->nhold == 4 && c == ' ') {
		/* "From " at the start of a line: mbox would mangle it */
		e->nhold = 0;
		put_enc(e, o, 'F');
		put_lit(e, o, 'r');
		put_lit(e, o, 'o');
		put_lit(e, o, 'm');
		return 0;
	}
	flush_held(e, o, 0);
	return 0;
}

static void fresh(struct mime_qp_enc *e, char **o, unsigned char c)
{
	int text = !(e->flags & MIME_QP_BINARY);
	if (text && c == '\n')
		hard_break(e, o);
	else if ((text && c == '\r') || c == ' ' || c == '\t' ||
		 (e->bol && (c == 'F' || c == '.')))
		e->hold[e->nhold++] = c;
	else if (qp_safe(c))
		put_lit(e, o, c);
	else
		put_enc(e, o, c);
}

/* Encoder byte classes: rules 1 and 2 (literal or =XY), SPACE and TAB
 * (rule 3), line breaks (rule 4, text mode). Chosen so that one AND tells
 * the fast path's common case (see fast_enc). */
enum { C_SAFE = 0, C_WS = 1, C_ENC = 2, C_BRK = 3 };
#define S C_SAFE
#define W C_WS
#define E C_ENC
#define B C_BRK
static const unsigned char ecls[256] = {
	E, E, E, E, E, E, E, E, E, W, B, E, E, B, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	W, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, E, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E,
};
#undef S
#undef W
#undef E
#undef B

/* The bulk of the input in mid-line with nothing held: literal bytes and
 * white space not followed by a line break (so not at a line's end), and
 * =XY escapes, written exactly as the byte-wise path would write them
 * while no soft break is due; stops before anything else. Returns the
 * bytes used. */
static size_t fast_enc(struct mime_qp_enc *e, char **o, const unsigned char *s, size_t n)
{
	unsigned text = !(e->flags & MIME_QP_BINARY);
	size_t i = 0;
	char *p = *o;
	unsigned col = e->col;
	while (i + 1 < n) {
		unsigned k = ecls[s[i]], next = ecls[s[i + 1]];
		/* 0 for a safe byte, and for white space unless a break follows */
		if (!(k & (2 | (next & (next >> 1) & text)))) {
			if (col >= MIME_QP_LINE_MAX - 1)
				break;
			*p++ = (char)s[i++];
			col++;
			continue;
		}
		if (k == C_WS || (k == C_BRK && text) || col + 3 > MIME_QP_LINE_MAX - 1)
			break;
		p[0] = '=';
		p[1] = mime_hex_upper[s[i] >> 4];
		p[2] = mime_hex_upper[s[i] & 15];
		p += 3;
		col += 3;
		i++;
	}
	*o = p;
	e->col = col;
	return i;
}

static void encode_chunk(struct mime_qp_enc *e, const unsigned char *s, size_t n, char **o)
{
	size_t i = 0;
	while (i < n) {
		if (!e->nhold && !e->bol) {
			i += fast_enc(e, o, s + i, n - i);
			if (i == n)
				break;
		}
		unsigned char c = s[i++];
		if (!e->nhold || !resolve(e, o, c))
			fresh(e, o, c);
	}
}

static void encode_end(struct mime_qp_enc *e, char **o)
{
	if (e->nhold && e->hold[e->nhold - 1] == '\r') {
		e->nhold--;
		flush_held(e, o, 0);
		put_enc(e, o, '\r');
	} else {
		flush_held(e, o, 1);
	}
	mime_qp_enc_init(e, e->flags);
}

/* Room for n input bytes: each gives at most 3 characters, a held byte
 * flushed with it 3 more each, plus a soft break (3) per 25 tokens and a
 * hard break. */
static size_t enc_room(size_t n)
{
	return 3 * (n + 6) + 3 * ((n + 6) / 25 + 2) + 2;
}

enum mime_status mime_qp_encode(struct mime_qp_enc *e, const void *in, size_t len, struct mime_buf *out)
{
	const unsigned char *s = in;
	if (len == 0) {
		if (mime_buf_reserve(out, enc_room(0)))
			return -1;
		char *o = out->data + out->len;
		encode_end(e, &o);
		commit(out, o);
		return 0;
	}
	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;
		if (mime_buf_reserve(out, enc_room(n)))
			return -1;
		char *o = out->data + out->len;
		encode_chunk(e, s, n, &o);
		commit(out, o);
		s += n;
		len -= n;
	}
	return 0;
}

enum mime_status mime_qp_encode_all(const void *in, size_t len, unsigned flags, struct mime_buf *out)
{
	struct mime_qp_enc e;
	mime_qp_enc_init(&e, flags);
	if (len && mime_qp_encode(&e, in, len, out))
		return -1;
	return mime_qp_encode(&e, NULL, 0, out);
}

/* ---- decoder ------------------------------------------------------------- */

/* hex digit value + 1; 0: not a hex digit */
const unsigned char mime_hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* Decoder classes: first 0 data, 1 white space, 2 anything else; then,
 * for the byte after white space, 0 when it makes that white space data
 * (not at a line's end: data or '='). */
static const unsigned char dfirst[256] = {
	[' '] = 1, ['\t'] = 1, ['='] = 2, ['\r'] = 2, ['\n'] = 2,
};
static const unsigned char dnext[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
};

void mime_qp_dec_init(struct mime_qp_dec *d)
{
	memset(d, 0, sizeof *d);
}

static void put_ws(struct mime_qp_dec *d, char **o)
{
	char *p = *o;
	for (unsigned i = 0; i < d->nws; i++)
		*p++ = (d->ws[i >> 3] >> (i & 7)) & 1 ? '\t' : ' ';
	*o = p;
	d->nws = 0;
}

/* The held '=' turned out not to start an escape or a soft break: it is
 * kept as it stands (RFC 2045 6.7 note: a robust decoder passes it on). */
static void bad_eq(struct mime_qp_dec *d, char **o, struct mime_defects *df)
{
	mime_defect(df, MIME_D_QP, d->eq_off, d->eq == 2 ? "quoted-printable: '=' not followed by two hex digits"
					      : "quoted-printable: lone '='");
	*(*o)++ = '=';
	if (d->eq == 2)
		*(*o)++ = (char)d->hex;
	d->eq = 0;
}

/* The held bytes are followed by something other than a line break or more
 * white space: all of them are data. */
static void release(struct mime_qp_dec *d, char **o, struct mime_defects *df)
{
	if (d->eq)
		bad_eq(d, o, df);
	put_ws(d, o);
	if (d->cr) {
		*(*o)++ = '\r';
		d->cr = 0;
	}
}

/* A line break (LF, CR already held or not): a soft break when '=' is held,
 * else a hard break written as it came; held white space goes (rule 3). */
static void line_break(struct mime_qp_dec *d, char **o)
{
	if (!d->eq) {
		if (d->cr)
			*(*o)++ = '\r';
		*(*o)++ = '\n';
	}
	d->eq = 0;
	d->nws = 0;
	d->cr = 0;
}

static void hold_ws(struct mime_qp_dec *d, char **o, unsigned char c, struct mime_defects *df)
{
	if (d->nws == MIME_QP_WS_MAX) {
		mime_defect(df, MIME_D_QP, d->off, "quoted-printable: overlong run of white space kept");
		if (d->eq)
			bad_eq(d, o, df);
		put_ws(d, o);
	}
	unsigned i = d->nws++;
	unsigned char bit = (unsigned char)(1u << (i & 7));
	if (c == '\t')
		d->ws[i >> 3] |= bit;
	else
		d->ws[i >> 3] &= (unsigned char)~bit;
}

/* One byte while something is held (or anything but plain data). */
static void dec_byte(struct mime_qp_dec *d, char **o, unsigned char c, struct mime_defects *df)
{
	if (d->cr && c != '\n')
		release(d, o, df);
	if (d->eq == 2 && !d->nws && !d->cr) {
		if (mime_hex_tab[c]) {
			*(*o)++ = (char)((mime_hex_tab[d->hex] - 1) << 4 | (mime_hex_tab[c] - 1));
			d->eq = 0;
			return;
		}
		bad_eq(d, o, df);
	} else if (d->eq == 1 && !d->nws && !d->cr && mime_hex_tab[c]) {
		d->eq = 2;
		d->hex = c;
		return;
	}
	if (c == '\n') {
		line_break(d, o);
	} else if (c == '\r') {
		d->cr = 1;
	} else if (c == ' ' || c == '\t') {
		hold_ws(d, o, c, df);
	} else {
		release(d, o, df);
		if (c == '=') {
			d->eq = 1;
			d->eq_off = d->off;
		} else {
			*(*o)++ = (char)c;
		}
	}
}

static int held(const struct mime_qp_dec *d)
{
	return d->eq || d->nws || d->cr;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define QP_SWAR 1
/* Eight bytes at a time: a bit 7 set in each byte of w equal to c, and
 * maybe in bytes above such a byte (borrows), never elsewhere. */
static inline uint64_t eqmask(uint64_t w, unsigned char c)
{
	uint64_t t = w ^ (0x0101010101010101u * c);
	return (t - 0x0101010101010101u) & ~t & 0x8080808080808080u;
}

/* The number of bytes at s (at least 9 readable) that are surely data or
 * white space followed by data or '=': a byte flagged here may be one. */
static inline size_t plain8(const unsigned char *s)
{
	uint64_t w, w1;
	memcpy(&w, s, 8);
	memcpy(&w1, s + 1, 8);
	uint64_t brk = eqmask(w, '=') | eqmask(w, '\r') | eqmask(w, '\n');
	uint64_t ws = eqmask(w, ' ') | eqmask(w, '\t');
	uint64_t next = eqmask(w1, ' ') | eqmask(w1, '\t') | eqmask(w1, '\r') | eqmask(w1, '\n');
	uint64_t m = brk | (ws & next);
	return m ? (size_t)__builtin_ctzll(m) / 8 : 8;
}
#endif

/* The bulk with nothing held: data bytes, white space directly followed
 * by data or '=' (so not at a line's end), whole =XY escapes, line breaks
 * and soft breaks, all as the byte-wise path would give them; stops before
 * anything else (white space before a line break or more white space,
 * a malformed '=', the last byte or two of the input). */
static size_t fast_dec(const unsigned char *s, size_t n, char **o)
{
	size_t i = 0;
	char *p = *o;
	while (i + 2 < n) {
#ifdef QP_SWAR
		if (n - i > 9) {
			size_t k = plain8(s + i);
			memcpy(p, s + i, 8);
			p += k;
			i += k;
			if (k == 8)
				continue;
		}
#endif
		unsigned char c = s[i];
		*p = (char)c;
		if (!(dfirst[c] & (2 | dnext[s[i + 1]]))) {
			p++;
			i++;
		} else if (c == '\n') {
			p++;
			i++;
		} else if (c == '\r' && s[i + 1] == '\n') {
			p[1] = '\n';
			p += 2;
			i += 2;
		} else if (c != '=') {
			break;
		} else if (mime_hex_tab[s[i + 1]] && mime_hex_tab[s[i + 2]]) {
			*p++ = (char)((mime_hex_tab[s[i + 1]] - 1) << 4 | (mime_hex_tab[s[i + 2]] - 1));
			i += 3;
		} else if (s[i + 1] == '\n') {
			i += 2;
		} else if (s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 3;
		} else {
			break;
		}
	}
	*o = p;
	return i;
}

static void decode_chunk(struct mime_qp_dec *d, const unsigned char *s, size_t n, char **o,
			 struct mime_defects *df)
{
	size_t i = 0;
	while (i < n) {
		if (!held(d)) {
			size_t k = fast_dec(s + i, n - i, o);
			i += k;
			d->off += k;
			if (i == n)
				break;
		}
		dec_byte(d, o, s[i++], df);
		d->off++;
	}
}

/* End of input: white space at the end is at the end of the last line
 * (rule 3) and goes; a held '=' is kept, a held CR is data. */
static void decode_end(struct mime_qp_dec *d, char **o, struct mime_defects *df)
{
	if (d->cr) {
		release(d, o, df);
	} else {
		if (d->eq)
			bad_eq(d, o, df);
		d->nws = 0;
	}
	mime_qp_dec_init(d);
}

enum mime_status mime_qp_decode(struct mime_qp_dec *d, const void *in, size_t len, struct mime_buf *out,
		   struct mime_defects *df)
{
	const unsigned char *s = in;
	/* output never exceeds the input plus what is held (white space, '=',
	 * a hex digit, a CR) */
	size_t hold_room = MIME_QP_WS_MAX + 4;
	if (len == 0) {
		if (mime_buf_reserve(out, hold_room))
			return -1;
		char *o = out->data + out->len;
		decode_end(d, &o, df);
		commit(out, o);
		return 0;
	}
	while (len) {
		size_t n = len < 16 * CHUNK ? len : 16 * CHUNK;
		if (mime_buf_reserve(out, n + hold_room))
			return -1;
		char *o = out->data + out->len;
		decode_chunk(d, s, n, &o, df);
		commit(out, o);
		s += n;
		len -= n;
	}
	return 0;
}

enum mime_status mime_qp_decode_all(const void *in, size_t len, struct mime_buf *out, struct mime_defects *df)
{
	struct mime_qp_dec d;
	mime_qp_dec_init(&d);
	if (len && mime_qp_decode(&d, in, len, out, df))
		return -1;
	return mime_qp_decode(&d, NULL, 0, out, df);
}
