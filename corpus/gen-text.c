/* The generator's words, text bodies and charsets. */
#include "gen.h"

#include <stdarg.h>
#include <string.h>

/* ---- output helpers (errors are sticky in g->err) ----------------------------- */

void gen_append(struct g *g, struct mime_buf *b, const void *p, size_t n)
{
	if (!g->err && mime_buf_append(b, p, n))
		g->err = -1;
}

void gen_putc(struct g *g, struct mime_buf *b, int c)
{
	if (!g->err && mime_buf_putc(b, c))
		g->err = -1;
}

void gen_puts(struct g *g, struct mime_buf *b, const char *s)
{
	gen_append(g, b, s, strlen(s));
}

void gen_printf(struct g *g, struct mime_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		gen_append(g, b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- words ----------------------------------------------------------------- */

static const char *const w_ascii[] = {
	"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
	"sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "magna",
	"aliqua", "the", "report", "meeting", "agenda", "budget", "Q3", "draft", "v2.1",
	"re:", "fwd", "hello", "world", "mail", "x-ray", "O'Neil", "e-mail", "100%",
	"#42", "a+b", "C++", "$5", "~home", "it's", "(note)", "[draft]", "<tag>", "a=b",
	"foo@bar", "50/50", "\"quoted\"", "semi;colon", "comma,", "colon:", "back\\slash",
};
static const char *const w_latin[] = {
	"café", "naïve", "résumé", "façade", "über", "Straße", "élève", "garçon",
	"déjà", "señor", "Ångström", "smørrebrød", "crème", "brûlée", "Zoë", "Noël",
	"jalapeño", "Köln", "Ærø", "Łódź", "Dvořák", "Škoda", "Żubr", "Málaga",
};
static const char *const w_cyrillic[] = {
	"привет", "мир", "почта", "сообщение", "письмо", "вложение", "текст",
	"документ", "Съешь", "же", "ещё", "этих", "мягких", "французских", "булок",
	"Київ", "їжак", "ґанок",
};
static const char *const w_greek[] = {
	"γειά", "σου", "κόσμε", "ταχυδρομείο", "μήνυμα", "Ελλάδα", "αλφάβητο", "ώρα",
};
static const char *const w_hebrew[] = {"שלום", "עולם", "דואר", "הודעה", "ספר"};
static const char *const w_arabic[] = {"مرحبا", "عالم", "بريد", "رسالة", "كتاب"};
static const char *const w_thai[] = {"สวัสดี", "โลก", "จดหมาย", "ข้อความ"};
static const char *const w_cjk[] = {
	"こんにちは", "世界", "メール", "添付", "文書", "你好", "邮件", "附件", "한국어",
	"메일", "日本語", "東京",
};
static const char *const w_emoji[] = {"🙂", "📎", "✉", "🚀", "🎉", "☕", "🦆", "👍🏽"};
static const char *const w_turkish[] = {"İstanbul", "ığdır", "şeker", "çay", "Günaydın"};
static const char *const w_baltic[] = {"Lietuva", "ąžuolas", "Rīga", "ēka", "šūna", "Tallinn"};
static const char *const w_vietnamese[] = {"Việt", "Nam", "xin", "chào", "thư", "điện"};

struct wordlist {
	const char *const *w;
	size_t n;
};

#define WL(a) {a, sizeof a / sizeof a[0]}
static const struct wordlist lists[S_COUNT] = {
	WL(w_ascii), WL(w_latin), WL(w_cyrillic), WL(w_greek), WL(w_hebrew), WL(w_arabic),
	WL(w_thai), WL(w_cjk), WL(w_emoji), WL(w_turkish), WL(w_baltic), WL(w_vietnamese),
};

const char *text_word(struct g *g, enum script s)
{
	const struct wordlist *l = &lists[s];
	if (s != S_ASCII && CHANCE(g, 1, 3))
		l = &lists[S_ASCII];
	return l->w[RND(g, l->n)];
}

void text_words(struct g *g, enum script s, int n, struct mime_buf *out)
{
	for (int i = 0; i < n; i++) {
		if (i)
			gen_putc(g, out, ' ');
		gen_puts(g, out, text_word(g, s));
	}
}

enum script text_script_for(int cs)
{
	switch (cs) {
	case MIME_CS_US_ASCII:
		return S_ASCII;
	case MIME_CS_ISO_8859_5: case MIME_CS_WINDOWS_1251: case MIME_CS_KOI8_R: case MIME_CS_KOI8_U:
		return S_CYRILLIC;
	case MIME_CS_ISO_8859_7: case MIME_CS_WINDOWS_1253:
		return S_GREEK;
	case MIME_CS_ISO_8859_8: case MIME_CS_WINDOWS_1255:
		return S_HEBREW;
	case MIME_CS_ISO_8859_6: case MIME_CS_WINDOWS_1256:
		return S_ARABIC;
	case MIME_CS_ISO_8859_11:
		return S_THAI;
	case MIME_CS_ISO_8859_9: case MIME_CS_WINDOWS_1254:
		return S_TURKISH;
	case MIME_CS_ISO_8859_4: case MIME_CS_ISO_8859_13: case MIME_CS_WINDOWS_1257:
		return S_BALTIC;
	case MIME_CS_WINDOWS_1258:
		return S_VIETNAMESE;
	case MIME_CS_UTF_8: case MIME_CS_UTF_7: case MIME_CS_UTF_16: case MIME_CS_UTF_16BE:
	case MIME_CS_UTF_16LE: case MIME_CS_UTF_32: case MIME_CS_UTF_32BE: case MIME_CS_UTF_32LE:
		return (enum script)(cs % S_COUNT);
	default:
		return S_LATIN;
	}
}

/* ---- text bodies --------------------------------------------------------------- */

/* A line of words of about want bytes, at most max bytes. */
static void words_line(struct g *g, enum script s, size_t want, size_t max, struct mime_buf *out)
{
	size_t start = out->len;
	while (out->len - start < want) {
		const char *w = text_word(g, s);
		size_t n = strlen(w), used = out->len - start;
		if (used + n + 1 > max)
			break;
		if (used)
			gen_putc(g, out, ' ');
		gen_append(g, out, w, n);
	}
}

static const char *const special_lines[] = {
	".", "..", ".leading dot", "From the desk of the editor", "From here on, all is well.",
	">From a quoted line", ">>From twice quoted", "From", "--", "--not-a-boundary",
	"=3D looks encoded", "Subject: not a header", "begin 644 not-uuencoded",
	"-- ", " leading space", "\tleading tab", "trailing space ", "trailing tab\t",
	"tab\tinside", "=", "==", "=?utf-8?q?not_an_encoded_word?=",
};

static void one_line(struct g *g, enum script s, size_t maxline, struct mime_buf *out)
{
	unsigned k = RND(g, 100);
	if (k < 10)
		return;                                     /* empty line */
	if (k < 22) {
		gen_puts(g, out, PICK(g, special_lines));
		return;
	}
	if (k < 25 && maxline > 100) {
		size_t want = 100 + RND(g, (uint32_t)(maxline - 100));
		words_line(g, s, want, maxline, out);      /* long line */
		return;
	}
	words_line(g, s, 20 + RND(g, 60), maxline, out);
}

void text_body(struct g *g, enum script s, size_t size, size_t maxline, struct mime_buf *out)
{
	size_t start = out->len;
	while (out->len - start < size && !g->err) {
		one_line(g, s, maxline, out);
		gen_puts(g, out, "\r\n");
	}
}

/* ---- charsets -------------------------------------------------------------------- */

/* The code point of one UTF-8 character of 2 or 3 bytes, else 0. */
static uint32_t cp_of(const unsigned char *p, size_t n)
{
	if (n == 2)
		return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	if (n == 3)
		return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	return 0;
}

/* Which high bytes of each single-byte charset are printable characters. */
int text_sb_init(struct corpus_gen *cg)
{
	struct mime_buf out = {0};
	for (int i = 0; i < MIME_CS_SB_COUNT; i++) {
		struct sb_charset *t = &cg->sb[i];
		t->n = 0;
		for (int b = 0xa0; b <= 0xff; b++) {
			unsigned char c = (unsigned char)b;
			struct mime_defects df = {0};
			mime_buf_reset(&out);
			if (mime_charset_to_utf8(MIME_CS_SB_FIRST + i, &c, 1, &out, &df)) {
				mime_buf_free(&out);
				return -1;
			}
			uint32_t cp = df.count ? 0 : cp_of((const unsigned char *)out.data, out.len);
			if (cp < 0xa0 || cp == 0xfffd || cp == 0xad)
				continue;   /* not a printable character (0xad: soft hyphen) */
			t->byte[t->n] = c;
			t->cp[t->n++] = cp;
		}
	}
	mime_buf_free(&out);
	return 0;
}

/* The next code point of valid UTF-8 (we wrote it). */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
	uint32_t c = s[*i];
	int k = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	c = k == 0 ? c : k == 1 ? c & 0x1f : k == 2 ? c & 0x0f : c & 0x07;
	(*i)++;
	for (int j = 0; j < k && *i < n; j++)
		c = c << 6 | (s[(*i)++] & 0x3f);
	return c;
}

static void put_unit(struct g *g, uint32_t v, int bytes, int big, struct mime_buf *out)
{
	for (int j = 0; j < bytes; j++) {
		int sh = big ? 8 * (bytes - 1 - j) : 8 * j;
		gen_putc(g, out, (int)(v >> sh & 0xff));
	}
}

/* UTF-16 and UTF-32, with a byte order mark when the name has no order. */
static void encode_wide(struct g *g, int cs, const unsigned char *s, size_t n, struct mime_buf *out)
{
	int w = cs >= MIME_CS_UTF_32 ? 4 : 2;
	int big = cs == MIME_CS_UTF_16BE || cs == MIME_CS_UTF_32BE;
	if (cs == MIME_CS_UTF_16 || cs == MIME_CS_UTF_32) {
		big = CHANCE(g, 1, 2);
		put_unit(g, 0xfeff, w, big, out);
	}
	for (size_t i = 0; i < n;) {
		uint32_t c = next_cp(s, n, &i);
		if (w == 2 && c >= 0x10000) {
			put_unit(g, 0xd800 | ((c - 0x10000) >> 10), 2, big, out);
			put_unit(g, 0xdc00 | ((c - 0x10000) & 0x3ff), 2, big, out);
		} else {
			put_unit(g, c, w, big, out);
		}
	}
}

static void encode_sb(struct g *g, int cs, const unsigned char *s, size_t n, struct mime_buf *out)
{
	const struct sb_charset *t = &g->cg->sb[cs - MIME_CS_SB_FIRST];
	for (size_t i = 0; i < n;) {
		uint32_t c = next_cp(s, n, &i);
		int b = c < 0x80 ? (int)c : '?';
		for (int j = 0; c >= 0x80 && j < t->n; j++)
			if (t->cp[j] == c) {
				b = t->byte[j];
				break;
			}
		gen_putc(g, out, b);
	}
}

void text_encode(struct g *g, int cs, const char *utf8, size_t n, struct mime_buf *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	if (cs == MIME_CS_UTF_8) {
		gen_append(g, out, utf8, n);
	} else if (cs == MIME_CS_UTF_7) {
		struct mime_utf7_enc e;
		mime_utf7_enc_init(&e);
		if (!g->err && (mime_utf7_encode(&e, utf8, n, out, NULL) ||
				mime_utf7_encode(&e, NULL, 0, out, NULL)))
			g->err = -1;
	} else if (cs >= MIME_CS_UTF_16 && cs <= MIME_CS_UTF_32LE) {
		encode_wide(g, cs, s, n, out);
	} else if (cs >= MIME_CS_SB_FIRST && cs < MIME_CS_COUNT) {
		encode_sb(g, cs, s, n, out);
	} else {
		for (size_t i = 0; i < n;) {
			uint32_t c = next_cp(s, n, &i);
			gen_putc(g, out, c < 0x80 ? (int)c : '?');
		}
	}
}

/* ---- bytes, identifiers, sizes ---------------------------------------------------- */

void gen_bytes(struct g *g, size_t n, struct mime_buf *out)
{
	if (g->err || mime_buf_reserve(out, n + 8)) {
		g->err = -1;
		return;
	}
	unsigned char *p = (unsigned char *)out->data + out->len;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = corpus_rng_next(&g->rng);
		size_t k = n - i < 8 ? n - i : 8;
		memcpy(p + i, &v, k);
	}
	out->len += n;
	out->data[out->len] = '\0';
}

void gen_ident(struct g *g, size_t n, struct mime_buf *out)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (size_t i = 0; i < n; i++)
		gen_putc(g, out, al[RND(g, sizeof al - 1)]);
}

size_t gen_size(struct g *g)
{
	static const size_t edges[] = {0, 1, 2, 3, 56, 57, 58, 75, 76, 77, 1024};
	unsigned k = RND(g, 1000);
	if (k < 60)
		return PICK(g, edges);
	if (k < 650)
		return RND(g, 1024);
	if (k < 900)
		return 1024 + RND(g, 3 * 1024);
	if (k < 985)
		return 4 * 1024 + RND(g, 12 * 1024);
	if (k < 998)
		return 16 * 1024 + RND(g, 48 * 1024);
	return 64 * 1024 + RND(g, 136 * 1024);
}
