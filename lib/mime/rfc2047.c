/* RFC 2047 encoded words: decoding in text, phrases, comments and
 * structured values; encoding as tokens of the folding printer. See
 * mime-rfc2047.h. */
#include "lex.h"
#include "ascii-int.h"

#include <stdlib.h>
#include <string.h>

/* ---- one encoded word ---------------------------------------------------- */

/* RFC 2047 2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
 * (RFC 2231 5: charset may carry "*" language). */
struct ew {
	size_t len;            /* the whole word */
	const char *cs;        /* charset, language tag removed */
	size_t cs_len;
	int enc;               /* the encoding as written, one character */
	size_t enc_len;
	const char *text;
	size_t text_len;
};

static int ew_char(int c)
{
	return c > 0x20 && c < 0x7f && c != '?';
}

static size_t ew_field(const char *s, size_t n, size_t p)
{
	size_t q = p;
	while (q < n && ew_char((unsigned char)s[q]))
		q++;
	return q - p;
}

/* The form of an encoded word at s[0]: 1 (e filled) or 0. The content of
 * the fields is checked by ew_decode. */
static int ew_scan(const char *s, size_t n, struct ew *e)
{
	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	size_t p = 2, l = ew_field(s, n, p);
	if (!l || p + l >= n || s[p + l] != '?')
		return 0;
	e->cs = s + p;
	e->cs_len = l;
	const char *star = memchr(e->cs, '*', l);
	if (star)
		e->cs_len = (size_t)(star - e->cs);
	p += l + 1;
	l = ew_field(s, n, p);
	if (!l || p + l >= n || s[p + l] != '?')
		return 0;
	e->enc = s[p];
	e->enc_len = l;
	p += l + 1;
	l = ew_field(s, n, p);
	if (p + l + 1 >= n || s[p + l] != '?' || s[p + l + 1] != '=')
		return 0;
	e->text = s + p;
	e->text_len = l;
	e->len = p + l + 2;
	return 1;
}

/* RFC 2047 4.2: "_" is 0x20, "=XX" an octet (lower case hex tolerated).
 * 0, -1 ENOMEM, 1 bad data. */
static int q_decode(const char *s, size_t n, struct mime_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '=') {
			if (n - i < 3)
				return 1;
			int hi = mime_hex_value((unsigned char)s[i + 1]);
			int lo = mime_hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return 1;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '_') {
			c = ' ';
		}
		if (mime_buf_putc(out, c))
			return -1;
	}
	return 0;
}

/* RFC 2047 4.1 (RFC 4648 4). 0; -1 ENOMEM; 1 bad data; 2 decoded, but the
 * padding is missing or short (tolerated, reported). */
static int b_decode(const char *s, size_t n, struct mime_buf *out)
{
	size_t pad = 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	size_t m = n - pad;
	if (m % 4 == 1 || pad > (4 - m % 4) % 4)
		return 1;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < m; i++) {
		int v = mime_b64_value((unsigned char)s[i], '/');
		if (v < 0)
			return 1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (mime_buf_putc(out, (int)(acc >> bits) & 0xff))
				return -1;
		}
	}
	return (m + pad) % 4 ? 2 : 0;
}

/* Defects of the charset converter, reported at the encoded word. */
struct shift {
	struct mime_defects *df;
	uint64_t base;
};

static void shift_defect(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	struct shift *sh = ctx;
	(void)off;  /* an offset in the decoded octets: report the word's */
	mime_defect(sh->df, code, sh->base, what);
}

static int malformed(struct mime_defects *df, uint64_t off, const char *what)
{
	mime_defect(df, MIME_D_RFC2047, off, what);
	return 1;
}

/* The octets of the encoded text, or 1 (reported). */
static int ew_octets(const struct ew *e, struct mime_buf *raw, struct mime_defects *df,
		     uint64_t off)
{
	int enc = e->enc_len == 1 ? e->enc | 0x20 : 0;
	int r;
	if (enc == 'q')
		r = q_decode(e->text, e->text_len, raw);
	else if (enc == 'b')
		r = b_decode(e->text, e->text_len, raw);
	else
		return malformed(df, off, "encoded word: unknown encoding");
	if (r == 2) {
		mime_defect(df, MIME_D_RFC2047, off, "encoded word: base64 padding missing or short");
		r = 0;
	}
	if (r == 1)
		return malformed(df, off, enc == 'q' ? "encoded word: bad Q data"
						     : "encoded word: bad base64 data");
	return r;
}

/* ---- decoding state ------------------------------------------------------------ */

static const char REPLACEMENT[] = "\xef\xbf\xbd";  /* U+FFFD */

/* The decoder of one value. White space after a decoded encoded word is
 * held back until the next word shows whether it goes (RFC 2047 6.2), and
 * the word's charset decoder stays open meanwhile, so that a character
 * split over two adjacent encoded words (RFC 2047 5 forbids it; mailers do
 * it) comes out whole, and is reported. */
struct dec {
	struct mime_buf *out;
	struct mime_defects *df;
	struct mime_buf ws;         /* the held-back white space */
	int after_ew;               /* the last thing written is a decoded encoded word */
	int open;                   /* cd is that word's decoder, not yet ended */
	int open_id;                /* its charset */
	uint64_t open_off;          /* the word's offset */
	struct mime_charset_dec cd;
};

static int feed(struct dec *d, const void *p, size_t n, uint64_t off)
{
	struct shift sh = {d->df, off};
	struct mime_defects sub = {.fn = shift_defect, .ctx = &sh};
	return mime_charset_dec_feed(&d->cd, p, n, d->out, d->df ? &sub : NULL);
}

/* End the open charset decoder: a truncated character becomes U+FFFD. */
static int dec_close(struct dec *d)
{
	if (!d->open)
		return 0;
	d->open = 0;
	return feed(d, NULL, 0, d->open_off);
}

/* Before writing anything but an adjacent encoded word. */
static int dec_flush(struct dec *d)
{
	if (dec_close(d))
		return -1;
	d->after_ew = 0;
	int r = mime_buf_append(d->out, d->ws.data, d->ws.len);
	mime_buf_reset(&d->ws);
	return r;
}

static int dec_white(struct dec *d, const char *s, size_t n)
{
	return mime_buf_append(d->after_ew ? &d->ws : d->out, s, n);
}

static int dec_end(struct dec *d, int r)
{
	if (!r)
		r = dec_flush(d);
	mime_buf_free(&d->ws);
	return r ? -1 : 0;
}

/* Would ending the open decoder now cut a character? (Ends a copy.) */
static int mid_character(const struct dec *d)
{
	struct mime_charset_dec copy = d->cd;
	struct mime_buf scratch = {0};
	struct mime_defects df = {0};
	int r = mime_charset_dec_feed(&copy, NULL, 0, &scratch, &df);
	mime_buf_free(&scratch);
	return r == 0 && df.count > 0;
}

static int ew_write(struct dec *d, int id, const struct mime_buf *raw, uint64_t off)
{
	int join = d->after_ew && d->open && d->open_id == id;
	if (d->after_ew)
		mime_buf_reset(&d->ws);  /* RFC 2047 6.2: it goes */
	if (join && mid_character(d))
		mime_defect(d->df, MIME_D_RFC2047, off, "encoded word: a character split between two");
	if (!join) {
		if (dec_flush(d))
			return -1;
		mime_charset_dec_init(&d->cd, id);
		d->open = 1;
		d->open_id = id;
	}
	d->open_off = off;
	d->after_ew = 1;
	return raw->len ? feed(d, raw->data, raw->len, off) : 0;
}

/* 0: decoded and written; 1: malformed (nothing written, reported);
 * -1: out of memory. */
static int ew_decode(struct dec *d, const struct ew *e, uint64_t off)
{
	int id = mime_charset_lookup(e->cs, e->cs_len);
	if (id < 0)
		return malformed(d->df, off, "encoded word: unknown charset");
	struct mime_buf raw = {0};
	int r = ew_octets(e, &raw, d->df, off);
	if (r == 0)
		r = ew_write(d, id, &raw, off);
	mime_buf_free(&raw);
	return r;
}

/* ---- decoding: shared pieces ---------------------------------------------------- */

static int looks_like_ew(const char *w, size_t n)
{
	return n >= 4 && w[0] == '=' && w[1] == '?' && w[n - 2] == '?' && w[n - 1] == '=';
}

static int has_ew(const char *w, size_t n)
{
	struct ew e;
	for (size_t i = 0; i < n; i++)
		if (w[i] == '=' && ew_scan(w + i, n - i, &e))
			return 1;
	return 0;
}

static int replacement(struct dec *d, uint64_t off, int c)
{
	mime_defect(d->df, MIME_D_RFC2047, off, c == 0 ? "NUL in a header value"
				: c == '\r' || c == '\n' ? "stray CR or LF in a header value"
				: "byte that is not UTF-8 in a header value");
	return mime_buf_puts(d->out, REPLACEMENT);
}

/* Text outside encoded words: valid UTF-8 as is, NUL and what is not UTF-8
 * replaced (and reported). */
static int plain(struct dec *d, const char *s, size_t n, uint64_t off)
{
	size_t start = 0, i = 0;
	if (n == 0)
		return 0;
	if (dec_flush(d))
		return -1;
	while (i < n) {
		size_t l = s[i] ? mime_unstructured_utf8_len(s + i, n - i) : 0;
		if (l) {
			i += l;
			continue;
		}
		if (mime_buf_append(d->out, s + start, i - start) ||
		    replacement(d, off + i, (unsigned char)s[i]))
			return -1;
		start = ++i;
	}
	return mime_buf_append(d->out, s + start, n - start);
}

/* One word (no white space in it): its encoded words decoded, the rest as
 * written. RFC 2047 5(1) wants an encoded word to be a whole word; one
 * stuck to other text (a frequent mistake of mailers) is decoded too, and
 * reported. A malformed one is kept as written. */
static int word(struct dec *d, const char *w, size_t n, size_t off)
{
	size_t i = 0, seg = 0;
	int scanned = 0;
	while (i < n) {
		struct ew e;
		if (w[i] != '=' || !ew_scan(w + i, n - i, &e)) {
			i++;
			continue;
		}
		scanned = 1;
		if (plain(d, w + seg, i - seg, off + seg))
			return -1;
		int r = ew_decode(d, &e, off + i);
		if (r < 0 || (r == 1 && plain(d, w + i, e.len, off + i)))
			return -1;
		if (r == 0 && (i > 0 || e.len < n))
			mime_defect(d->df, MIME_D_RFC2047, off + i, "encoded word not delimited by white space");
		i += e.len;
		seg = i;
	}
	if (!scanned && looks_like_ew(w, n))
		mime_defect(d->df, MIME_D_RFC2047, off, "malformed encoded word");
	return plain(d, w + seg, n - seg, off + seg);
}

/* NUL, a stray CR or LF, a byte that is not UTF-8: U+FFFD, reported. An
 * unterminated comment or quoted string: its opening byte, reported. */
static int invalid(struct dec *d, const struct mime_utoken *t)
{
	int c = (unsigned char)t->s[0];
	if (dec_flush(d))
		return -1;
	if (c == '(' || c == '"') {
		mime_defect(d->df, MIME_D_RFC2047, t->offset, c == '(' ? "unterminated comment"
						       : "unterminated quoted string");
		return mime_buf_putc(d->out, c);
	}
	return replacement(d, t->offset, c);
}

static int is_white(const struct mime_utoken *t)
{
	return t->kind == MIME_UTOK_WSP || t->kind == MIME_UTOK_FWS;
}

/* The white space of a WSP or FWS token, line break removed. */
static int white(struct dec *d, const struct mime_utoken *t)
{
	size_t i = 0;
	while (i < t->len && (t->s[i] == '\r' || t->s[i] == '\n'))
		i++;
	return dec_white(d, t->s + i, t->len - i);
}

/* ---- unstructured text ----------------------------------------------------------- */

enum mime_status mime_rfc2047_decode_text(const char *s, size_t n, struct mime_buf *out,
			     struct mime_defects *df)
{
	struct dec d = {.out = out, .df = df};
	struct mime_unstructured u;
	struct mime_utoken t;
	int r = mime_buf_reserve(out, n);
	mime_unstructured_init(&u, s, n, 0);
	while (!r && mime_unstructured_next(&u, &t)) {
		if (is_white(&t))
			r = white(&d, &t);
		else if (t.kind == MIME_UTOK_WORD)
			r = word(&d, t.s, t.len, t.offset);
		else
			r = invalid(&d, &t);
	}
	return dec_end(&d, r);
}

/* ---- phrases --------------------------------------------------------------------- */

/* RFC 2047 5: "An 'encoded-word' MUST NOT appear within a 'quoted-string'."
 * So one there is not decoded; it is reported, as the mailer that put it
 * there expected it to be. */
static int quoted(struct dec *d, const struct mime_utoken *t)
{
	struct mime_lex l;
	struct mime_buf q = {0};
	mime_lex_init(&l, t->s, t->len);
	/* the tokenizer checked its form: -1 is out of memory */
	int r = mime_lex_quoted_string(&l, &q) == 1 ? 0 : -1;
	if (!r && has_ew(q.data, q.len))
		mime_defect(d->df, MIME_D_RFC2047, t->offset, "encoded word in a quoted string, not decoded");
	if (!r)
		r = q.len ? plain(d, q.data, q.len, t->offset + 1) : dec_flush(d);
	mime_buf_free(&q);
	return r;
}

struct phrase {
	struct dec d;
	int any;            /* a word was written */
	int sep;            /* since it: 0 nothing, 1 white space, 2 a comment */
};

/* One space for the CFWS between two words; white space between adjacent
 * encoded words goes, a comment keeps them apart. */
static int phrase_word(struct phrase *p, const struct mime_utoken *t)
{
	int r = 0;
	if (p->any && p->sep == 1)
		r = dec_white(&p->d, " ", 1);
	else if (p->any && p->sep == 2)
		r = dec_flush(&p->d) || mime_buf_putc(p->d.out, ' ');
	p->any = 1;
	p->sep = 0;
	if (r)
		return -1;
	if (t->kind == MIME_UTOK_WORD)
		return word(&p->d, t->s, t->len, t->offset);
	if (t->kind == MIME_UTOK_QUOTED)
		return quoted(&p->d, t);
	return invalid(&p->d, t);
}

enum mime_status mime_rfc2047_decode_phrase(const char *s, size_t n, struct mime_buf *out,
			       struct mime_defects *df)
{
	struct phrase p = {.d = {.out = out, .df = df}};
	struct mime_unstructured u;
	struct mime_utoken t;
	int r = mime_buf_reserve(out, n);
	mime_unstructured_init(&u, s, n, MIME_UTOK_COMMENTS | MIME_UTOK_QUOTES);
	while (!r && mime_unstructured_next(&u, &t)) {
		if (is_white(&t))
			p.sep = p.sep ? p.sep : 1;
		else if (t.kind == MIME_UTOK_COMMENT)
			p.sep = 2;
		else
			r = phrase_word(&p, &t);
	}
	return dec_end(&p.d, r);
}

/* ---- structured values ----------------------------------------------------------- */

static int comment_delim(int c)
{
	return c == '(' || c == ')' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2047 5(2): in a comment, an encoded word is a whole word of ctext. */
static int comment(struct dec *d, const char *s, size_t n, size_t off)
{
	size_t i = 0;
	while (i < n) {
		int c = (unsigned char)s[i];
		size_t j = i;
		if (c == '(' || c == ')') {
			if (dec_flush(d) || mime_buf_putc(d->out, c))
				return -1;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			for (; j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'); j++)
				if ((s[j] == ' ' || s[j] == '\t') && dec_white(d, s + j, 1))
					return -1;
			i = j;
			continue;
		}
		while (j < n && !comment_delim((unsigned char)s[j]))
			j += s[j] == '\\' && j + 1 < n ? 2 : 1;
		if (word(d, s + i, j - i, off + i))
			return -1;
		i = j;
	}
	return 0;
}

struct structured {
	struct dec d;
	int angle, bracket;   /* depth of <...> and [...] */
	int after_at;         /* the last significant token was "@" */
	int run;              /* a run of words with encoded words is open ... */
	size_t run_start, run_end;  /* ... at out[run_start, run_end) */
};

/* Would the text not read back as atoms separated by single spaces? */
static int needs_quotes(const char *s, size_t n)
{
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 1;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == ' ' ? s[i + 1] == ' ' : !mime_is_atext(c))
			return 1;
	}
	return 0;
}

/* out[from, to) as a quoted string (RFC 5322 3.2.4: only DQUOTE and
 * backslash need a quoted-pair), what follows it kept. */
static int quote_range(struct mime_buf *out, size_t from, size_t to)
{
	struct mime_buf q = {0};
	int rc = mime_buf_putc(&q, '"');
	for (size_t i = from; i < to && !rc; i++)
		rc = ((out->data[i] == '"' || out->data[i] == '\\') && mime_buf_putc(&q, '\\')) ||
		     mime_buf_putc(&q, out->data[i]);
	if (!rc)
		rc = mime_buf_putc(&q, '"') ||
		     mime_buf_append(&q, out->data + to, out->len - to);
	if (!rc) {
		out->len = from;
		rc = mime_buf_append(out, q.data, q.len);
	}
	mime_buf_free(&q);
	return rc ? -1 : 0;
}

/* Close the run of decoded words: quoted when it needs to be. */
static int end_run(struct structured *st)
{
	struct mime_buf *out = st->d.out;
	if (!st->run)
		return 0;
	st->run = 0;
	if (st->d.after_ew) {   /* nothing written since: its white space is held back */
		if (dec_close(&st->d))
			return -1;
		st->run_end = out->len;
	}
	if (!needs_quotes(out->data + st->run_start, st->run_end - st->run_start))
		return 0;
	return quote_range(out, st->run_start, st->run_end);
}

/* Is the next token that is not CFWS an "@"? (u is a copy: a look ahead.) */
static int at_follows(struct mime_unstructured u)
{
	struct mime_utoken t;
	while (mime_unstructured_next(&u, &t))
		if (!is_white(&t) && t.kind != MIME_UTOK_COMMENT)
			return t.kind == MIME_UTOK_SPECIAL && t.s[0] == '@';
	return 0;
}

/* RFC 2047 5(3): encoded words only as whole atoms of a phrase, never in an
 * addr-spec, a msg-id or a domain literal. */
static int structured_word(struct structured *st, const struct mime_utoken *t,
			   const struct mime_unstructured *u)
{
	struct mime_buf *out = st->d.out;
	int eligible = !st->angle && !st->bracket && !st->after_at && !at_follows(*u);
	if (!eligible || !has_ew(t->s, t->len))
		return end_run(st) || plain(&st->d, t->s, t->len, t->offset) ? -1 : 0;
	if (!st->run) {
		if (dec_flush(&st->d))
			return -1;
		st->run = 1;
		st->run_start = out->len;
	}
	if (word(&st->d, t->s, t->len, t->offset))
		return -1;
	st->run_end = out->len;
	return 0;
}

static int structured_special(struct structured *st, int c)
{
	if (c == '<' || c == '>')
		st->angle += c == '<' ? 1 : st->angle ? -1 : 0;
	if (c == '[' || c == ']')
		st->bracket += c == '[' ? 1 : st->bracket ? -1 : 0;
	st->after_at = c == '@';
	return mime_buf_putc(st->d.out, c);
}

static int structured_token(struct structured *st, const struct mime_utoken *t,
			    const struct mime_unstructured *u)
{
	struct mime_buf q = {0};
	int r;
	if (is_white(t))
		return white(&st->d, t);
	if (t->kind == MIME_UTOK_WORD) {
		r = structured_word(st, t, u);
		st->after_at = 0;
		return r;
	}
	if (end_run(st) || dec_flush(&st->d))
		return -1;
	switch (t->kind) {
	case MIME_UTOK_COMMENT:
		return comment(&st->d, t->s, t->len, t->offset);
	case MIME_UTOK_SPECIAL:
		return structured_special(st, (unsigned char)t->s[0]);
	case MIME_UTOK_QUOTED:
		st->after_at = 0;
		r = mime_unstructured_unfold(t->s, t->len, &q) ||
		    plain(&st->d, q.data, q.len, t->offset);
		mime_buf_free(&q);
		return r ? -1 : 0;
	default:
		return invalid(&st->d, t);
	}
}

enum mime_status mime_rfc2047_decode_structured(const char *s, size_t n, struct mime_buf *out,
				   struct mime_defects *df)
{
	struct structured st = {.d = {.out = out, .df = df}};
	struct mime_unstructured u;
	struct mime_utoken t;
	int r = mime_buf_reserve(out, n);
	mime_unstructured_init(&u, s, n,
			       MIME_UTOK_COMMENTS | MIME_UTOK_QUOTES | MIME_UTOK_SPECIALS);
	while (!r && mime_unstructured_next(&u, &t))
		r = structured_token(&st, &t, &u);
	if (!r)
		r = end_run(&st);
	return dec_end(&st.d, r);
}

/* ---- encoding ------------------------------------------------------------------ */

#define EW_MAX 75          /* RFC 2047 2: an encoded word is at most 75 characters */
#define EW_OVERHEAD 12     /* "=?UTF-8?Q?" "?=" */
#define LONG_WORD 900      /* a longer word is encoded, so that it can be split */

struct etok {
	size_t start, len;
	int enc;
};

/* TEXT: cut at a space that precedes a non-space (the other spaces stay in
 * the tokens, which keeps them in unstructured text); PHRASE and COMMENT:
 * cut at every space (an empty token is an extra space). */
static size_t cut_tokens(const char *s, size_t n, enum mime_rfc2047_ctx ctx, struct etok *t)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		int cut = i == n || (s[i] == ' ' && (ctx != MIME_RFC2047_TEXT ||
			(i > start && (i + 1 == n || s[i + 1] != ' '))));
		if (!cut)
			continue;
		t[k].start = start;
		t[k].len = i - start;
		t[k].enc = 0;
		k++;
		start = i + 1;
	}
	return k;
}

static int needs_encoding(const char *w, size_t n, enum mime_rfc2047_ctx ctx)
{
	if (n == 0 || n > LONG_WORD || (ctx == MIME_RFC2047_TEXT && w[0] == ' '))
		return 1;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)w[i];
		if (c < 0x20 || c >= 0x7f || (c == '=' && i + 1 < n && w[i + 1] == '?'))
			return 1;
		if (ctx == MIME_RFC2047_PHRASE && c != ' ' && !mime_is_atext(c))
			return 1;
		if (ctx == MIME_RFC2047_COMMENT && (c == '(' || c == ')' || c == '\\'))
			return 1;
	}
	return 0;
}

/* Mark the tokens to encode. A run that would encode nothing (a lone extra
 * space) takes its neighbour in, so that the space lives inside an encoded
 * word (RFC 2047 6.2 would drop it between two of them, and 5(3) phrases
 * collapse white space). */
static void mark_tokens(const char *s, struct etok *t, size_t k, enum mime_rfc2047_ctx ctx)
{
	for (size_t i = 0; i < k; i++)
		t[i].enc = needs_encoding(s + t[i].start, t[i].len, ctx);
	for (size_t i = 0; i < k; i++) {
		if (!t[i].enc || t[i].len || (i > 0 && t[i - 1].enc) || (i + 1 < k && t[i + 1].enc))
			continue;
		if (i + 1 < k)
			t[i + 1].enc = 1;
		else if (i > 0)
			t[i - 1].enc = 1;
	}
}

/* RFC 2047 5(3): in a phrase (and, to be safe, a comment) Q may only keep
 * letters, digits and "!*+-/" as they are. */
static int q_literal(int c, enum mime_rfc2047_ctx ctx)
{
	if (mime_is_alnum(c))
		return 1;
	if (ctx != MIME_RFC2047_TEXT)
		return c && strchr("!*+-/", c) != NULL;
	return c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_';
}

static size_t q_cost(int c, enum mime_rfc2047_ctx ctx)
{
	return c == ' ' || q_literal(c, ctx) ? 1 : 3;
}

static size_t b_cost(size_t octets)
{
	return (octets + 2) / 3 * 4;
}

/* Room for encoded text in the next word: a full word, or what is left of
 * the current line when that is worth a word. */
static size_t budget(const struct mime_fold *f)
{
	size_t full = EW_MAX - EW_OVERHEAD;
	size_t col = f->out->len >= f->line_start ? f->out->len - f->line_start : 0;
	if (col + 1 + EW_OVERHEAD + 16 > f->width)
		return full;
	size_t room = f->width - col - 1 - EW_OVERHEAD;
	return room < full ? room : full;
}

/* How many octets of s fit in budget characters, whole UTF-8 characters
 * only (at least one character). */
static size_t chunk(const char *s, size_t n, int b64, size_t budget, enum mime_rfc2047_ctx ctx)
{
	size_t end = 0, q = 0;
	while (end < n) {
		size_t l = mime_unstructured_utf8_len(s + end, n - end);
		size_t cost = 0;
		l = l ? l : 1;
		for (size_t i = 0; i < l && !b64; i++)
			cost += q_cost((unsigned char)s[end + i], ctx);
		if ((b64 ? b_cost(end + l) : q + cost) > budget && end > 0)
			break;
		q += cost;
		end += l;
	}
	return end;
}

static void put_b(char *w, size_t *k, const unsigned char *s, size_t n)
{
	const char *a = mime_b64_alphabet;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		w[(*k)++] = a[v >> 18];
		w[(*k)++] = a[v >> 12 & 63];
		w[(*k)++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		w[(*k)++] = i + 2 < n ? a[v & 63] : '=';
	}
}

static void put_q(char *w, size_t *k, const unsigned char *s, size_t n, enum mime_rfc2047_ctx ctx)
{
	const char *hex = mime_hex_upper;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			w[(*k)++] = '_';
		} else if (q_literal(s[i], ctx)) {
			w[(*k)++] = (char)s[i];
		} else {
			w[(*k)++] = '=';
			w[(*k)++] = hex[s[i] >> 4];
			w[(*k)++] = hex[s[i] & 15];
		}
	}
}

struct enc {
	struct mime_fold *f;
	enum mime_rfc2047_ctx ctx;
	int first;             /* no token written yet */
};

static int put_token(struct enc *e, const char *s, size_t n)
{
	enum mime_fold_how how = e->first && e->ctx == MIME_RFC2047_COMMENT
				 ? MIME_FOLD_GLUE : MIME_FOLD_SPACE;
	e->first = 0;
	return mime_fold_token(e->f, s, n, how);
}

/* A run of words as encoded words, Q or B, whichever is shorter. */
static int encode_run(struct enc *e, const char *s, size_t n)
{
	size_t q = 0;
	for (size_t i = 0; i < n; i++)
		q += q_cost((unsigned char)s[i], e->ctx);
	int b64 = b_cost(n) < q;
	for (size_t pos = 0; pos < n;) {
		char w[EW_MAX + 16];
		/* in a comment, leave room for the caller's ")" */
		size_t room = budget(e->f) - (e->ctx == MIME_RFC2047_COMMENT);
		size_t k, len = chunk(s + pos, n - pos, b64, room, e->ctx);
		memcpy(w, b64 ? "=?UTF-8?B?" : "=?UTF-8?Q?", 10);
		k = 10;
		if (b64)
			put_b(w, &k, (const unsigned char *)s + pos, len);
		else
			put_q(w, &k, (const unsigned char *)s + pos, len, e->ctx);
		w[k++] = '?';
		w[k++] = '=';
		int r = put_token(e, w, k);
		if (r)
			return r;
		pos += len;
	}
	return 0;
}

static int emit(struct enc *e, const char *s, const struct etok *t, size_t k)
{
	for (size_t i = 0; i < k;) {
		size_t j = i;
		int r;
		if (!t[i].enc) {
			r = put_token(e, s + t[i].start, t[i].len);
		} else {
			while (j + 1 < k && t[j + 1].enc)
				j++;
			r = encode_run(e, s + t[i].start, t[j].start + t[j].len - t[i].start);
		}
		if (r)
			return r;
		i = j + 1;
	}
	return 0;
}

enum mime_status mime_rfc2047_encode(struct mime_fold *f, const char *utf8, size_t n,
			enum mime_rfc2047_ctx ctx)
{
	if (n == 0)
		return 0;
	if (n >= SIZE_MAX / sizeof(struct etok) - 1)
		return -1;
	struct etok *t = malloc((n + 1) * sizeof *t);
	if (!t)
		return -1;
	size_t k = cut_tokens(utf8, n, ctx, t);
	mark_tokens(utf8, t, k, ctx);
	struct enc e = {f, ctx, 1};
	int r = emit(&e, utf8, t, k);
	free(t);
	return r;
}
