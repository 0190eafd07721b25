/* ember corpus: the generator's internal interface (gen*.c). */
#ifndef EMBER_CORPUS_GEN_H
#define EMBER_CORPUS_GEN_H

#include "corpus.h"
#include "rng.h"

/* The high bytes of a single-byte charset that stand for a printable
 * character, and that character: built once from lib/mime's tables. */
struct sb_charset {
	unsigned char byte[128];
	uint32_t cp[128];
	int n;
};

struct corpus_gen {
	uint64_t seed;
	struct sb_charset sb[MIME_CS_SB_COUNT];
};

/* One message being generated. */
struct g {
	const struct corpus_gen *cg;
	struct corpus_rng rng;
	uint64_t index;       /* message number */
	unsigned serial;      /* ids, file names */
	unsigned depth;       /* nesting of the current part */
	int utf8_header;      /* RFC 6532: UTF-8 allowed in this header */
	int err;              /* sticky: -1 out of memory */
};

#define RND(g, n) corpus_rng_below(&(g)->rng, (uint32_t)(n))
#define CHANCE(g, num, den) corpus_rng_chance(&(g)->rng, (num), (den))
#define PICK(g, arr) (arr)[RND(g, sizeof(arr) / sizeof((arr)[0]))]

/* gen-text.c: words, text, charsets */
enum script { S_ASCII, S_LATIN, S_CYRILLIC, S_GREEK, S_HEBREW, S_ARABIC, S_THAI,
	      S_CJK, S_EMOJI, S_TURKISH, S_BALTIC, S_VIETNAMESE, S_COUNT };
const char *text_word(struct g *g, enum script s);
/* n words of the script (ASCII words mixed in), single spaces, appended */
void text_words(struct g *g, enum script s, int n, struct mime_buf *out);
/* A script suited to a charset id */
enum script text_script_for(int cs);
/* A body of text: CRLF lines, with long and empty lines, lines starting
 * with '.', "From " and ">From ", trailing white space; about size bytes.
 * maxline: the longest line allowed (998 for 7bit/8bit). */
void text_body(struct g *g, enum script s, size_t size, size_t maxline, struct mime_buf *out);
/* UTF-8 to the charset (unmappable characters become '?'); appended. */
void text_encode(struct g *g, int cs, const char *utf8, size_t n, struct mime_buf *out);
int text_sb_init(struct corpus_gen *cg);   /* 0 or -1 */
/* random bytes, appended */
void gen_bytes(struct g *g, size_t n, struct mime_buf *out);
/* an identifier of letters and digits */
void gen_ident(struct g *g, size_t n, struct mime_buf *out);
/* size of an attachment: mostly small, now and then large */
size_t gen_size(struct g *g);
void gen_putc(struct g *g, struct mime_buf *b, int c);
void gen_puts(struct g *g, struct mime_buf *b, const char *s);
void gen_append(struct g *g, struct mime_buf *b, const void *p, size_t n);
void gen_printf(struct g *g, struct mime_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* gen-fields.c: header fields, each appended whole (CRLF included) */
void field_date(struct g *g, const char *name, struct mime_buf *out);
void field_addresses(struct g *g, const char *name, int min, int max, int groups,
		     struct mime_buf *out);
void field_msgid(struct g *g, const char *name, struct mime_buf *out);
void field_msgids(struct g *g, const char *name, int n, struct mime_buf *out);
void field_text(struct g *g, const char *name, size_t words, struct mime_buf *out);
void field_keywords(struct g *g, struct mime_buf *out);
void field_received(struct g *g, struct mime_buf *out);
void field_unknown(struct g *g, struct mime_buf *out);
/* The header of a message (RFC 5322 3.6) without the MIME fields. */
void fields_message(struct g *g, int top, struct mime_buf *out);
/* A domain name for addresses and ids (ASCII) */
const char *gen_domain(struct g *g);

/* gen-mime.c: Content-* fields */
struct ctype {
	const char *type, *subtype;
	struct mime_param params[6];
	size_t n;
};
void ctype_param(struct ctype *ct, const char *name, const char *value);
void field_ctype(struct g *g, const struct ctype *ct, struct mime_buf *out);
void field_disposition(struct g *g, const char *disp, const char *filename,
		       struct mime_buf *out);
void field_cte(struct g *g, const char *cte, struct mime_buf *out);
/* a file name: ASCII or not, short or long */
void gen_filename(struct g *g, const char *ext, struct mime_buf *out);

#endif
