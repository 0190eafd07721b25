/* The generator: MIME structures (RFC 2045, 2046, 2387, 1847, 6522, 6532),
 * leaves in every transfer encoding and charset lib/mime supports, and the
 * messages around them. See corpus.h. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

struct corpus_gen *corpus_gen_new(uint64_t seed)
{
	struct corpus_gen *cg = calloc(1, sizeof *cg);
	if (!cg)
		return NULL;
	cg->seed = seed;
	if (text_sb_init(cg)) {
		free(cg);
		return NULL;
	}
	return cg;
}

void corpus_gen_free(struct corpus_gen *cg)
{
	free(cg);
}

/* An entity being built: its Content-* fields and its body. */
struct ent {
	struct mime_buf head, body;
};

static void ent_free(struct ent *e)
{
	mime_buf_free(&e->head);
	mime_buf_free(&e->body);
}

/* head CRLF body */
static void ent_write(struct g *g, const struct ent *e, struct mime_buf *out)
{
	gen_append(g, out, e->head.data, e->head.len);
	gen_puts(g, out, "\r\n");
	gen_append(g, out, e->body.data, e->body.len);
}

static void entity(struct g *g, struct ent *e);
static void message(struct g *g, int top, struct mime_buf *out);

/* ---- transfer encodings ------------------------------------------------------------ */

/* What an identity encoding must declare for these bytes (RFC 2045 2.7-2.9):
 * "7bit", "8bit", or "binary" (NUL, CR or LF not in CRLF, lines over 998). */
static const char *identity_class(const char *d, size_t n)
{
	struct mime_text_stats st;
	mime_text_stats(d ? d : "", n, &st);
	if (st.nul || st.bare_cr || st.bare_lf || st.longest > 998)
		return "binary";
	return st.high ? "8bit" : "7bit";
}

static void base64_body(struct g *g, const char *d, size_t n, struct mime_buf *out)
{
	if (CHANCE(g, 4, 5)) {
		if (!g->err && mime_base64_encode_all(d, n, 0, out))
			g->err = -1;
		return;
	}
	/* RFC 2045 6.8: lines of at most 76 characters; any shorter width */
	struct mime_buf one = {0};
	size_t w = 4 * (1 + RND(g, 19));
	if (!g->err && mime_base64_encode_all(d, n, MIME_BASE64_NOWRAP, &one))
		g->err = -1;
	for (size_t i = 0; i < one.len; i += w) {
		gen_append(g, out, one.data + i, one.len - i < w ? one.len - i : w);
		gen_puts(g, out, "\r\n");
	}
	mime_buf_free(&one);
}

static void qp_body(struct g *g, const char *d, size_t n, int binary, struct mime_buf *out)
{
	if (!g->err && mime_qp_encode_all(d, n, binary ? MIME_QP_BINARY : 0, out))
		g->err = -1;
}

/* ---- leaves: text ------------------------------------------------------------------ */

static const int charsets[] = {
	MIME_CS_US_ASCII, MIME_CS_US_ASCII, MIME_CS_US_ASCII, MIME_CS_UTF_8, MIME_CS_UTF_8,
	MIME_CS_UTF_8, MIME_CS_UTF_8, MIME_CS_UTF_8, MIME_CS_ISO_8859_1, MIME_CS_ISO_8859_15,
	MIME_CS_WINDOWS_1252, MIME_CS_UTF_7, MIME_CS_UTF_16, MIME_CS_UTF_16BE, MIME_CS_UTF_16LE,
	MIME_CS_UTF_32, MIME_CS_UTF_32BE, MIME_CS_UTF_32LE, MIME_CS_ISO_8859_2, MIME_CS_ISO_8859_3,
	MIME_CS_ISO_8859_4, MIME_CS_ISO_8859_5, MIME_CS_ISO_8859_6, MIME_CS_ISO_8859_7,
	MIME_CS_ISO_8859_8, MIME_CS_ISO_8859_9, MIME_CS_ISO_8859_10, MIME_CS_ISO_8859_11,
	MIME_CS_ISO_8859_13, MIME_CS_ISO_8859_14, MIME_CS_ISO_8859_16, MIME_CS_WINDOWS_1250,
	MIME_CS_WINDOWS_1251, MIME_CS_WINDOWS_1253, MIME_CS_WINDOWS_1254, MIME_CS_WINDOWS_1255,
	MIME_CS_WINDOWS_1256, MIME_CS_WINDOWS_1257, MIME_CS_WINDOWS_1258, MIME_CS_KOI8_R,
	MIME_CS_KOI8_U,
};

/* The charset parameter as senders write it: the preferred MIME name in
 * some case, or a registered alias (IANA). */
static void charset_param(struct g *g, int cs, char *buf, size_t size)
{
	const char *n = mime_charset_name(cs);
	if (cs == MIME_CS_ISO_8859_1 && CHANCE(g, 1, 4))
		n = CHANCE(g, 1, 2) ? "latin1" : "ISO_8859-1:1987";
	else if (cs == MIME_CS_US_ASCII && CHANCE(g, 1, 6))
		n = "ANSI_X3.4-1968";
	else if (cs == MIME_CS_KOI8_R && CHANCE(g, 1, 4))
		n = "csKOI8R";
	snprintf(buf, size, "%s", n);
	if (CHANCE(g, 1, 3))
		for (char *p = buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 32;
}

static size_t text_size(struct g *g)
{
	unsigned k = RND(g, 100);
	if (k < 3)
		return 0;
	if (k < 70)
		return 40 + RND(g, 900);
	if (k < 97)
		return 900 + RND(g, 2000);
	return 4000 + RND(g, 6000);
}

/* The text of a leaf in UTF-8, shaped for its subtype. */
static void text_content(struct g *g, const char *sub, enum script s, size_t maxline,
			 struct mime_buf *out)
{
	size_t size = text_size(g);
	if (!strcmp(sub, "html")) {
		gen_puts(g, out, "<!DOCTYPE html>\r\n<html><head><title>corpus</title></head>\r\n<body>\r\n<p>");
		text_body(g, s, size, maxline, out);
		gen_puts(g, out, "</p>\r\n</body></html>\r\n");
	} else if (!strcmp(sub, "calendar")) {
		gen_puts(g, out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ember//corpus//EN\r\n"
				 "BEGIN:VEVENT\r\nUID:");
		gen_ident(g, 16, out);
		gen_puts(g, out, "@example.org\r\nDTSTART:20260102T100000Z\r\nSUMMARY:");
		text_words(g, s, 3, out);
		gen_puts(g, out, "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	} else if (!strcmp(sub, "csv")) {
		for (unsigned i = 0, n = 2 + RND(g, 20); i < n; i++) {
			text_words(g, s, 1, out);
			gen_printf(g, out, ",%u,\"%s\"\r\n", RND(g, 100000), i ? "x" : "header");
		}
	} else {
		text_body(g, s, size, maxline, out);
	}
	if (out->len >= 2 && CHANCE(g, 1, 10)) {
		out->len -= 2;   /* no final line break */
		out->data[out->len] = '\0';
	}
}

static const char *const text_subtypes[] = {
	"plain", "plain", "plain", "plain", "plain", "plain", "html", "html", "html",
	"csv", "calendar", "markdown", "x-patch", "x-custom", "x-vcard",
};

/* Identity when it can carry the bytes, else quoted-printable. */
static const char *text_cte(int cs, const struct mime_buf *raw, int *enc)
{
	int wide = cs >= MIME_CS_UTF_16 && cs <= MIME_CS_UTF_32LE;
	const char *id = identity_class(raw->data, raw->len);
	if (wide || *enc == 2)
		return *enc = 2, "base64";
	if (*enc == 0 && strcmp(id, "binary") != 0)
		return id;
	return *enc = 1, "quoted-printable";
}

static void text_leaf(struct g *g, const char *sub, struct ent *e)
{
	int cs = PICK(g, charsets);
	int enc = (int)RND(g, 10);   /* 0-5 identity, 6-8 QP, 9 base64 */
	enc = enc < 6 ? 0 : enc < 9 ? 1 : 2;
	size_t maxline = enc == 0 || CHANCE(g, 9, 10) ? 998 : 2500;
	if (cs == MIME_CS_UTF_7)
		maxline /= 4;
	struct mime_buf utf8 = {0}, raw = {0};
	text_content(g, sub, text_script_for(cs), maxline, &utf8);
	text_encode(g, cs, utf8.data ? utf8.data : "", utf8.len, &raw);
	const char *cte = text_cte(cs, &raw, &enc);

	struct ctype ct = {.type = "text", .subtype = sub};
	char csn[40];
	charset_param(g, cs, csn, sizeof csn);
	if (cs != MIME_CS_US_ASCII || CHANCE(g, 2, 3))
		ctype_param(&ct, "charset", csn);
	if (!strcmp(sub, "plain") && CHANCE(g, 1, 8))
		ctype_param(&ct, "format", "flowed");
	if (!strcmp(sub, "calendar"))
		ctype_param(&ct, "method", "REQUEST");
	field_ctype(g, &ct, &e->head);
	if (enc || strcmp(cte, "7bit") || CHANCE(g, 1, 2))
		field_cte(g, cte, &e->head);
	if (enc == 2)
		base64_body(g, raw.data, raw.len, &e->body);
	else if (enc == 1)
		qp_body(g, raw.data, raw.len, 0, &e->body);
	else
		gen_append(g, &e->body, raw.data, raw.len);
	mime_buf_free(&utf8);
	mime_buf_free(&raw);
}

/* ---- leaves: binary ------------------------------------------------------------------ */

struct bintype {
	const char *type, *subtype, *ext, *magic;
	size_t mlen;
};

static const struct bintype bintypes[] = {
	{"application", "octet-stream", "bin", "", 0},
	{"application", "pdf", "pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 15},
	{"application", "zip", "zip", "PK\x03\x04", 4},
	{"image", "png", "png", "\x89PNG\r\n\x1a\n", 8},
	{"image", "jpeg", "jpg", "\xff\xd8\xff\xe0\0\x10JFIF\0", 11},
	{"image", "gif", "gif", "GIF89a", 6},
	{"audio", "ogg", "ogg", "OggS\0\x02", 6},
	{"video", "mp4", "mp4", "\0\0\0\x18" "ftypmp42", 12},
	{"application", "x-ember-unknown", NULL, "", 0},
	{"application", "vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
	 "PK\x03\x04", 4},
};

static void binary_leaf(struct g *g, struct ent *e)
{
	const struct bintype *t = &PICK(g, bintypes);
	struct mime_buf data = {0}, name = {0};
	size_t n = gen_size(g);
	gen_append(g, &data, t->magic, t->mlen < n ? t->mlen : n);
	gen_bytes(g, n - data.len, &data);
	gen_filename(g, t->ext, &name);

	struct ctype ct = {.type = t->type, .subtype = t->subtype};
	if (CHANCE(g, 1, 2) && name.data)
		ctype_param(&ct, "name", name.data);
	field_ctype(g, &ct, &e->head);
	unsigned k = RND(g, 100);
	const char *cte = k < 90 ? "base64" : k < 95 && n < 4096 ? "quoted-printable"
			: identity_class(data.data, data.len);
	field_cte(g, cte, &e->head);
	k = RND(g, 10);
	if (k < 7)
		field_disposition(g, "attachment", name.data, &e->head);
	else if (k < 8)
		field_disposition(g, "inline", CHANCE(g, 1, 2) ? name.data : NULL, &e->head);
	if (!strcmp(cte, "base64"))
		base64_body(g, data.data, data.len, &e->body);
	else if (cte[0] == 'q')
		qp_body(g, data.data, data.len, 1, &e->body);
	else
		gen_append(g, &e->body, data.data, data.len);
	mime_buf_free(&data);
	mime_buf_free(&name);
}

/* application/json, application/xml, application/pgp-*: ASCII text */
static void ascii_app_leaf(struct g *g, const char *sub, const char *body, struct ent *e)
{
	struct ctype ct = {.type = "application", .subtype = sub};
	field_ctype(g, &ct, &e->head);
	if (CHANCE(g, 1, 2))
		field_cte(g, "7bit", &e->head);
	gen_puts(g, &e->body, body);
}

static void armored(struct g *g, const char *what, struct ent *e)
{
	struct mime_buf raw = {0}, b = {0};
	gen_bytes(g, 64 + RND(g, 400), &raw);
	gen_printf(g, &b, "-----BEGIN PGP %s-----\r\n\r\n", what);
	base64_body(g, raw.data, raw.len, &b);
	gen_printf(g, &b, "=%c%c%c%c\r\n-----END PGP %s-----\r\n", 'A' + RND(g, 26),
		   'a' + RND(g, 26), '0' + RND(g, 10), 'Q', what);
	gen_append(g, &e->body, b.data, b.len);
	mime_buf_free(&raw);
	mime_buf_free(&b);
}

/* ---- the other fields of a part ---------------------------------------------------------- */

static void part_extras(struct g *g, struct ent *e)
{
	if (CHANCE(g, 1, 12))
		field_text(g, "Content-Description", 1 + RND(g, 6), &e->head);
	if (CHANCE(g, 1, 15))
		field_msgid(g, "Content-ID", &e->head);
	if (CHANCE(g, 1, 25))
		gen_puts(g, &e->head, CHANCE(g, 1, 2) ? "Content-Language: en\r\n"
						       : "Content-Language: fr-CA, de\r\n");
	if (CHANCE(g, 1, 40))
		field_unknown(g, &e->head);
}

/* ---- multiparts (RFC 2046 5.1) ------------------------------------------------------------ */

#define MAX_KIDS 6

static int contains(const struct mime_buf *b, const char *needle, size_t n)
{
	if (b->len < n)
		return 0;
	for (const char *p = b->data, *end = b->data + b->len - n + 1; p < end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (!p)
			return 0;
		if (memcmp(p, needle, n) == 0)
			return 1;
	}
	return 0;
}

/* bchars := bcharsnospace / " " (RFC 2046 5.1.1), 1 to 70 characters,
 * not ending with a space; never "--"+boundary inside the parts. */
static void boundary(struct g *g, struct mime_buf *kids, size_t nk, struct mime_buf *b)
{
	/* no "'": Python's email misreads a token holding one (RFC 2231 syntax) */
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ()+_,-./:=? ";
	for (int tries = 0;; tries++) {
		mime_buf_reset(b);
		unsigned k = RND(g, 6);
		if (k == 0) {
			gen_printf(g, b, "----=_Part_%u_%u.%u", RND(g, 100000), RND(g, 1000000000),
				   RND(g, 1000000000));
		} else if (k == 1) {
			gen_puts(g, b, CHANCE(g, 1, 2) ? "simple boundary" : CHANCE(g, 1, 2) ? "=_ember="
							      : "it's (a) boundary");
			gen_ident(g, (size_t)tries, b);
		} else if (k == 2) {
			size_t n = 1 + RND(g, 70);
			for (size_t i = 0; i < n; i++)
				gen_putc(g, b, bchars[RND(g, i + 1 < n ? sizeof bchars - 1 : sizeof bchars - 2)]);
		} else {
			gen_puts(g, b, "=_");
			gen_ident(g, 8 + RND(g, 30), b);
		}
		if (g->err || tries > 50)
			return;
		struct mime_buf needle = {0};
		gen_puts(g, &needle, "--");
		gen_append(g, &needle, b->data, b->len);
		int clash = 0;
		for (size_t i = 0; i < nk && !clash && !g->err; i++)
			clash = contains(&kids[i], needle.data, needle.len);
		mime_buf_free(&needle);
		if (!clash)
			return;
	}
}

static void preamble_text(struct g *g, struct mime_buf *out)
{
	static const char *const pre[] = {
		"This is a multi-part message in MIME format.",
		"This is a message with multiple parts in MIME format.\r\n\r\nIgnore this.",
		"", "--", "  \t", "From a preamble line",
	};
	gen_puts(g, out, PICK(g, pre));
}

/* A child: any entity, a leaf, or a given kind. */
static void kid_any(struct g *g, struct mime_buf *out)
{
	struct ent e = {0};
	entity(g, &e);
	ent_write(g, &e, out);
	ent_free(&e);
}

static void kid_text(struct g *g, const char *sub, struct mime_buf *out)
{
	struct ent e = {0};
	text_leaf(g, sub, &e);
	part_extras(g, &e);
	ent_write(g, &e, out);
	ent_free(&e);
}

static void kid_image(struct g *g, struct mime_buf *out)
{
	struct ent e = {0};
	struct ctype ct = {.type = "image", .subtype = "png"};
	struct mime_buf data = {0};
	field_ctype(g, &ct, &e.head);
	field_cte(g, "base64", &e.head);
	field_msgid(g, "Content-ID", &e.head);
	gen_append(g, &data, "\x89PNG\r\n\x1a\n", 8);
	gen_bytes(g, RND(g, 3000), &data);
	base64_body(g, data.data, data.len, &e.body);
	ent_write(g, &e, out);
	ent_free(&e);
	mime_buf_free(&data);
}

static void kid_message(struct g *g, int explicit_type, struct mime_buf *out)
{
	struct mime_buf m = {0};
	message(g, 0, &m);
	/* the digest default (RFC 2046 5.1.5) says 7bit when nothing is said */
	const char *cl = identity_class(m.data, m.len);
	if (explicit_type || strcmp(cl, "7bit")) {
		gen_puts(g, out, "Content-Type: message/rfc822\r\n");
		if (strcmp(cl, "7bit"))
			field_cte(g, cl, out);
	}
	gen_puts(g, out, "\r\n");
	gen_append(g, out, m.data, m.len);
	mime_buf_free(&m);
}

static void kid_app(struct g *g, const char *sub, const char *armor, const char *text,
		    struct mime_buf *out)
{
	struct ent e = {0};
	if (armor) {
		struct ctype ct = {.type = "application", .subtype = sub};
		field_ctype(g, &ct, &e.head);
		armored(g, armor, &e);
	} else {
		ascii_app_leaf(g, sub, text, &e);
	}
	ent_write(g, &e, out);
	ent_free(&e);
}

static void kid_dsn(struct g *g, struct mime_buf *out)
{
	/* RFC 3464 2: per-message fields, a blank line, per-recipient fields */
	gen_puts(g, out, "Content-Type: message/delivery-status\r\n\r\n");
	gen_printf(g, out, "Reporting-MTA: dns; mx.%s\r\n", gen_domain(g));
	field_date(g, "Arrival-Date", out);
	gen_printf(g, out, "\r\nFinal-Recipient: rfc822; user%u@%s\r\nAction: failed\r\n"
		   "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n",
		   RND(g, 1000), gen_domain(g));
}

static void kid_headers(struct g *g, struct mime_buf *out)
{
	gen_puts(g, out, "Content-Type: text/rfc822-headers\r\n\r\n");
	int u = g->utf8_header;
	g->utf8_header = 0;
	fields_message(g, 0, out);
	g->utf8_header = u;
}

/* The children of a multipart of this subtype; returns how many. */
static size_t kids_for(struct g *g, const char *sub, struct ctype *ct, struct mime_buf *k)
{
	size_t n = 0;
	if (!strcmp(sub, "alternative")) {
		kid_text(g, "plain", &k[n++]);
		kid_text(g, "html", &k[n++]);
		if (CHANCE(g, 1, 5))
			kid_any(g, &k[n++]);
	} else if (!strcmp(sub, "related")) {
		ctype_param(ct, "type", "text/html");
		kid_text(g, "html", &k[n++]);
		for (unsigned i = 0, m = 1 + RND(g, 3); i < m; i++)
			kid_image(g, &k[n++]);
	} else if (!strcmp(sub, "digest")) {
		for (unsigned i = 0, m = 1 + RND(g, 3); i < m; i++)
			kid_message(g, CHANCE(g, 1, 3), &k[n++]);
	} else if (!strcmp(sub, "signed")) {
		ctype_param(ct, "protocol", "application/pgp-signature");
		ctype_param(ct, "micalg", "pgp-sha256");
		kid_any(g, &k[n++]);
		kid_app(g, "pgp-signature", "SIGNATURE", NULL, &k[n++]);
	} else if (!strcmp(sub, "encrypted")) {
		ctype_param(ct, "protocol", "application/pgp-encrypted");
		kid_app(g, "pgp-encrypted", NULL, "Version: 1\r\n", &k[n++]);
		kid_app(g, "octet-stream", "MESSAGE", NULL, &k[n++]);
	} else if (!strcmp(sub, "report")) {
		ctype_param(ct, "report-type", "delivery-status");
		kid_text(g, "plain", &k[n++]);
		kid_dsn(g, &k[n++]);
		if (CHANCE(g, 1, 2))
			kid_message(g, 1, &k[n++]);
		else
			kid_headers(g, &k[n++]);
	} else {
		for (unsigned i = 0, m = 1 + RND(g, 4); i < m; i++)
			kid_any(g, &k[n++]);
	}
	return n;
}

static const char *const multipart_subtypes[] = {
	"mixed", "mixed", "mixed", "mixed", "mixed", "alternative", "alternative", "alternative",
	"related", "related", "digest", "parallel", "signed", "encrypted", "report", "x-ember-custom",
};

static void multipart(struct g *g, struct ent *e)
{
	const char *sub = PICK(g, multipart_subtypes);
	struct ctype ct = {.type = "multipart", .subtype = sub};
	struct mime_buf k[MAX_KIDS + 2] = {{0}}, b = {0};
	g->depth++;
	size_t n = kids_for(g, sub, &ct, k);
	g->depth--;
	if (CHANCE(g, 1, 4))
		preamble_text(g, &k[n]);
	int has_pre = k[n].len > 0 || CHANCE(g, 1, 10);
	if (CHANCE(g, 1, 5))
		preamble_text(g, &k[n + 1]);
	boundary(g, k, n + 2, &b);
	ctype_param(&ct, "boundary", b.data ? b.data : "x");
	const char *pad = CHANCE(g, 1, 20) ? " \t" : "";
	if (has_pre) {
		gen_append(g, &e->body, k[n].data, k[n].len);
		gen_puts(g, &e->body, "\r\n");
	}
	for (size_t i = 0; i < n; i++) {
		gen_printf(g, &e->body, "%s--%s%s\r\n", i ? "\r\n" : "", b.data, pad);
		gen_append(g, &e->body, k[i].data, k[i].len);
	}
	gen_printf(g, &e->body, "\r\n--%s--%s", b.data, pad);
	if (k[n + 1].len || CHANCE(g, 1, 3)) {
		gen_puts(g, &e->body, "\r\n");
		gen_append(g, &e->body, k[n + 1].data, k[n + 1].len);
	}
	field_ctype(g, &ct, &e->head);
	const char *cl = identity_class(e->body.data, e->body.len);
	if (strcmp(cl, "7bit") || CHANCE(g, 1, 10))
		field_cte(g, cl, &e->head);
	for (size_t i = 0; i < n + 2; i++)
		mime_buf_free(&k[i]);
	mime_buf_free(&b);
}

/* ---- message/rfc822 and message/global (RFC 2046 5.2.1, RFC 6532 3.5) ------------------- */

static void message_part(struct g *g, struct ent *e)
{
	int global = CHANCE(g, 1, 4), u = g->utf8_header;
	g->utf8_header = global;
	g->depth++;
	message(g, 0, &e->body);
	g->depth--;
	g->utf8_header = u;
	struct ctype ct = {.type = "message", .subtype = global ? "global" : "rfc822"};
	field_ctype(g, &ct, &e->head);
	const char *cl = identity_class(e->body.data, e->body.len);
	if (strcmp(cl, "7bit") || CHANCE(g, 1, 4))
		field_cte(g, cl, &e->head);
	if (CHANCE(g, 1, 3))
		field_disposition(g, CHANCE(g, 1, 2) ? "inline" : "attachment",
				  CHANCE(g, 1, 2) ? "forwarded message.eml" : NULL, &e->head);
}

/* ---- any entity -------------------------------------------------------------------------- */

static void entity(struct g *g, struct ent *e)
{
	unsigned k = RND(g, 100);
	unsigned mp = g->depth == 0 ? 30 : g->depth < 3 ? 12 : 0;
	if (k < mp)
		multipart(g, e);
	else if (k >= 30 && k < 35 && g->depth < 4)
		message_part(g, e);
	else if (k < 70)
		text_leaf(g, PICK(g, text_subtypes), e);
	else if (k < 94)
		binary_leaf(g, e);
	else if (k < 97)
		ascii_app_leaf(g, "json", "{\"corpus\": true, \"list\": [1, 2, 3]}\r\n", e);
	else
		ascii_app_leaf(g, "xml", "<?xml version=\"1.0\"?>\r\n<corpus/>\r\n", e);
	part_extras(g, e);
}

/* ---- messages ------------------------------------------------------------------------------ */

static void mime_version(struct g *g, struct mime_buf *out)
{
	static const char *const v[] = {
		"MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\n",
		"Mime-Version: 1.0\r\n", "MIME-Version: 1.0 (generated by ember corpus)\r\n",
		"MIME-Version: (produced by ember) 1.0\r\n",
	};
	gen_puts(g, out, PICK(g, v));
}

/* RFC 5322 without MIME: US-ASCII text. */
static void plain_message(struct g *g, struct mime_buf *out)
{
	if (CHANCE(g, 1, 10))
		return;  /* header only: RFC 5322 3.5, the body is optional */
	gen_puts(g, out, "\r\n");
	text_body(g, S_ASCII, text_size(g), 998, out);
}

static void message(struct g *g, int top, struct mime_buf *out)
{
	fields_message(g, top, out);
	if (CHANCE(g, 1, 25)) {
		plain_message(g, out);
		return;
	}
	mime_version(g, out);
	struct ent e = {0};
	if (top && CHANCE(g, 1, 3))
		multipart(g, &e);
	else
		entity(g, &e);
	ent_write(g, &e, out);
	ent_free(&e);
}

int corpus_gen_message(struct corpus_gen *cg, uint64_t i, struct mime_buf *out)
{
	struct g g = {.cg = cg, .index = i};
	corpus_rng_seed(&g.rng, cg->seed, i);
	g.utf8_header = CHANCE(&g, 1, 6);
	size_t start = out->len;
	message(&g, 1, out);
	if (out->len == start || out->data[out->len - 1] != '\n')
		gen_puts(&g, out, "\r\n");
	return g.err;
}
