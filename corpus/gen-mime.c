/* The generator's MIME fields: Content-Type, Content-Disposition and
 * Content-Transfer-Encoding (RFC 2045 5, 6; RFC 2183; RFC 2231), through
 * the library's printers or written by hand. */
#include "gen.h"

#include <string.h>

void ctype_param(struct ctype *ct, const char *name, const char *value)
{
	if (ct->n >= sizeof ct->params / sizeof ct->params[0])
		return;
	struct mime_param *p = &ct->params[ct->n++];
	memset(p, 0, sizeof *p);
	p->name = (char *)name;
	p->value = (char *)value;
	p->value_len = strlen(value);
}

static void fold_check(struct g *g, int r)
{
	if (r && !g->err)
		g->err = r == -1 ? -1 : -2;
}

/* ---- parameters by hand ------------------------------------------------------------- */

/* RFC 2045 5.1 token character */
static int token_char(int c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

static int is_token(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!token_char((unsigned char)*p))
			return 0;
	return *s != '\0';
}

static int printable_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return 1;
}

/* name=value: a token, or a quoted string (RFC 2045 5.1, RFC 822 3.2). */
static void plain_param(struct g *g, const char *name, const char *v, struct mime_buf *t)
{
	gen_puts(g, t, name);
	gen_putc(g, t, '=');
	if (is_token(v) && CHANCE(g, 3, 4)) {
		gen_puts(g, t, v);
		return;
	}
	gen_putc(g, t, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			gen_putc(g, t, '\\');
		gen_putc(g, t, *v);
	}
	gen_putc(g, t, '"');
}

/* RFC 2231 3, 4: name*0*=utf-8'lang'%XX..; name*1*=...; sections cut
 * between characters. Each section is one token. */
static void ext_param(struct g *g, struct mime_fold *f, const char *name, const char *v)
{
	struct mime_buf t = {0};
	size_t n = strlen(v), per = 12 + RND(g, 30), sec = 0;
	int sections = n > per || CHANCE(g, 1, 4);
	for (size_t i = 0; i < n && !g->err; sec++) {
		mime_buf_reset(&t);
		if (sections)
			gen_printf(g, &t, "%s*%zu*=", name, sec);
		else
			gen_printf(g, &t, "%s*=", name);
		if (sec == 0)
			gen_puts(g, &t, CHANCE(g, 1, 4) ? "UTF-8'en'" : "utf-8''");
		size_t start = i;
		while (i < n && (!sections || i - start < per || ((unsigned char)v[i] & 0xc0) == 0x80)) {
			unsigned char c = (unsigned char)v[i++];
			if (token_char(c) && c != '%' && c != '\'' && c != '*')
				gen_putc(g, &t, c);
			else
				gen_printf(g, &t, "%%%02X", c);
		}
		fold_check(g, mime_fold_token(f, ";", 1, MIME_FOLD_GLUE));
		if (!g->err)
			fold_check(g, mime_fold_token(f, t.data, t.len, MIME_FOLD_SPACE));
	}
	mime_buf_free(&t);
}

static void hand_params(struct g *g, struct mime_fold *f, const struct mime_param *ps, size_t n)
{
	struct mime_buf t = {0};
	for (size_t i = 0; i < n && !g->err; i++) {
		/* RFC 2047 5: no encoded word in a quoted string, so a value that
		   looks like one goes as RFC 2231 (as the library does) */
		if (!printable_ascii(ps[i].value) || strlen(ps[i].value) > 60 ||
		    strstr(ps[i].value, "=?")) {
			ext_param(g, f, ps[i].name, ps[i].value);
			continue;
		}
		mime_buf_reset(&t);
		plain_param(g, ps[i].name, ps[i].value, &t);
		fold_check(g, mime_fold_token(f, ";", 1, MIME_FOLD_GLUE));
		if (!g->err)
			fold_check(g, mime_fold_token(f, t.data, t.len,
						      CHANCE(g, 1, 10) ? MIME_FOLD_BREAK : MIME_FOLD_SPACE));
	}
	mime_buf_free(&t);
}

/* type/subtype in a case a sender might use: "text/plain", "TEXT/Plain" */
static void cased(struct g *g, const char *s, struct mime_buf *out)
{
	int k = (int)RND(g, 10);
	for (size_t i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];
		if (c >= 'a' && c <= 'z' && (k == 0 || (k == 1 && i == 0)))
			c -= 32;
		gen_putc(g, out, c);
	}
}

/* ---- the fields --------------------------------------------------------------------- */

void field_ctype(struct g *g, const struct ctype *ct, struct mime_buf *out)
{
	struct mime_fold f;
	mime_fold_init(&f, out);
	fold_check(g, mime_fold_begin(&f, CHANCE(g, 1, 10) ? "Content-type" : "Content-Type"));
	if (CHANCE(g, 3, 5)) {
		struct mime_content_type c = {
			.type = (char *)ct->type, .subtype = (char *)ct->subtype,
			.params = (struct mime_param *)ct->params, .nparams = ct->n,
		};
		fold_check(g, mime_content_type_fold(&f, &c));
	} else {
		struct mime_buf t = {0};
		cased(g, ct->type, &t);
		gen_putc(g, &t, '/');
		cased(g, ct->subtype, &t);
		if (!g->err)
			fold_check(g, mime_fold_token(&f, t.data, t.len, MIME_FOLD_SPACE));
		hand_params(g, &f, ct->params, ct->n);
		/* a comment (RFC 2045 5.1 reads the field as RFC 822 structured);
		   after the parameters: Python's get_content_type() takes a comment
		   before the first ';' as part of the subtype */
		if (ct->n && CHANCE(g, 1, 15))
			fold_check(g, mime_fold_token(&f, "(generated)", 11, MIME_FOLD_SPACE));
		mime_buf_free(&t);
	}
	fold_check(g, mime_fold_end(&f));
}

void field_disposition(struct g *g, const char *disp, const char *filename, struct mime_buf *out)
{
	struct ctype d = {.type = disp};
	char size[24], date[64];
	struct mime_buf dt = {0};
	if (filename)
		ctype_param(&d, "filename", filename);
	if (CHANCE(g, 1, 8)) {
		snprintf(size, sizeof size, "%u", RND(g, 100000));
		ctype_param(&d, "size", size);
	}
	if (CHANCE(g, 1, 10)) {
		struct mime_date md;
		mime_date_from_unix((int64_t)RND(g, 2000000000u), 0, &md);
		if (mime_date_print(&md, &dt))
			g->err = -1;
		snprintf(date, sizeof date, "%s", dt.data ? dt.data : "");
		ctype_param(&d, "modification-date", date);  /* RFC 2183 2.5 */
	}
	struct mime_fold f;
	mime_fold_init(&f, out);
	fold_check(g, mime_fold_begin(&f, "Content-Disposition"));
	if (CHANCE(g, 3, 5)) {
		struct mime_disposition c = {
			.type = (char *)disp, .params = d.params, .nparams = d.n,
		};
		fold_check(g, mime_disposition_fold(&f, &c));
	} else {
		struct mime_buf t = {0};
		cased(g, disp, &t);
		if (!g->err)
			fold_check(g, mime_fold_token(&f, t.data, t.len, MIME_FOLD_SPACE));
		hand_params(g, &f, d.params, d.n);
		mime_buf_free(&t);
	}
	fold_check(g, mime_fold_end(&f));
	mime_buf_free(&dt);
}

void field_cte(struct g *g, const char *cte, struct mime_buf *out)
{
	gen_puts(g, out, CHANCE(g, 1, 10) ? "Content-transfer-encoding: " : "Content-Transfer-Encoding: ");
	cased(g, cte, out);
	gen_puts(g, out, "\r\n");
}

static const char *const stems[] = {
	"report", "photo 2024", "résumé", "отчёт", "写真", "données-brutes", "notes (final) v2",
	"🎉party", "a;b=c", "quote\"d", "back\\slash", "Ünïcödé-ñame", "x",
	"a rather long file name that needs more than one line of a header field to be written out",
	"=?utf-8?q?looks_encoded?=", "percent%20sign", "tab", "über straße", "ファイル名",
};

void gen_filename(struct g *g, const char *ext, struct mime_buf *out)
{
	gen_puts(g, out, PICK(g, stems));
	if (ext) {
		gen_putc(g, out, '.');
		gen_puts(g, out, ext);
	}
}
