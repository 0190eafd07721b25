/* The generator's header fields (RFC 5322 3.6, RFC 2047, RFC 6532). Most
 * go through the folding printer and the library's printers; some are
 * written by hand, to cover forms the printers never choose. */
#include "gen.h"

#include <string.h>

/* ---- folding helpers -------------------------------------------------------- */

static void fold_begin(struct g *g, struct mime_fold *f, struct mime_buf *out, const char *name)
{
	mime_fold_init(f, out);
	if (mime_fold_begin(f, name) == -1)
		g->err = -1;
}

static void fold_result(struct g *g, int r)
{
	if (r && !g->err)
		g->err = r == -1 ? -1 : -2;   /* -2: a generator bug (a token too long) */
}

static void tok(struct g *g, struct mime_fold *f, const char *s, enum mime_fold_how how)
{
	fold_result(g, mime_fold_token(f, s, strlen(s), how));
}

static void tokn(struct g *g, struct mime_fold *f, const char *s, size_t n, enum mime_fold_how how)
{
	fold_result(g, mime_fold_token(f, s, n, how));
}

static void fold_end(struct g *g, struct mime_fold *f)
{
	fold_result(g, mime_fold_end(f));
}

/* ---- hand-made encoded words in single-byte charsets (RFC 2047 4) ------------------ */

/* RFC 2047 5(3): the Q characters safe in every context */
static int q_plain(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static void q_encode(struct g *g, const unsigned char *s, size_t n, struct mime_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			gen_putc(g, out, '_');
		else if (q_plain(s[i]))
			gen_putc(g, out, s[i]);
		else
			gen_printf(g, out, "=%02X", s[i]);
	}
}

static const int ew_charsets[] = {
	MIME_CS_ISO_8859_1, MIME_CS_ISO_8859_2, MIME_CS_ISO_8859_5, MIME_CS_ISO_8859_7,
	MIME_CS_ISO_8859_9, MIME_CS_ISO_8859_15, MIME_CS_WINDOWS_1251, MIME_CS_WINDOWS_1252,
	MIME_CS_KOI8_R, MIME_CS_KOI8_U, MIME_CS_ISO_8859_13, MIME_CS_WINDOWS_1250,
};

/* A charset name as a sender might spell it. */
static void charset_name(struct g *g, int cs, struct mime_buf *out)
{
	const char *n = mime_charset_name(cs);
	int upper = CHANCE(g, 1, 3);
	for (; *n; n++)
		gen_putc(g, out, upper && *n >= 'a' && *n <= 'z' ? *n - 32 : *n);
}

/* n words as encoded words of a single-byte charset, each at most 75
 * characters (RFC 2047 2), cut anywhere (one byte, one character), as
 * SPACE tokens. */
static void ew_tokens(struct g *g, struct mime_fold *f, int n)
{
	int cs = PICK(g, ew_charsets), b = CHANCE(g, 1, 2);
	struct mime_buf raw = {0}, head = {0}, w = {0}, utf8 = {0};
	text_words(g, text_script_for(cs), n, &utf8);
	text_encode(g, cs, utf8.data ? utf8.data : "", utf8.len, &raw);
	gen_puts(g, &head, "=?");
	charset_name(g, cs, &head);
	if (CHANCE(g, 1, 8))
		gen_puts(g, &head, CHANCE(g, 1, 2) ? "*en" : "*fr-CA");  /* RFC 2231 5 */
	gen_puts(g, &head, b ? "?B?" : "?Q?");
	size_t room = 75 - head.len - 2, per = b ? room / 4 * 3 : room / 3;
	for (size_t i = 0; i < raw.len && !g->err; i += per) {
		size_t k = raw.len - i < per ? raw.len - i : per;
		mime_buf_reset(&w);
		gen_append(g, &w, head.data, head.len);
		if (b) {
			if (mime_base64_encode_all(raw.data + i, k, MIME_BASE64_NOWRAP, &w))
				g->err = -1;
		} else {
			q_encode(g, (const unsigned char *)raw.data + i, k, &w);
		}
		gen_puts(g, &w, "?=");
		if (!g->err)
			tokn(g, f, w.data, w.len, MIME_FOLD_SPACE);
	}
	mime_buf_free(&raw);
	mime_buf_free(&head);
	mime_buf_free(&w);
	mime_buf_free(&utf8);
}

/* ---- dates (RFC 5322 3.3) ----------------------------------------------------------- */

static const int zones[] = {0, 0, 60, 120, -300, -240, -420, -480, 330, 345, 570, -210,
			    840, -720, 180, 540, 600, -180, 480, 525};

static void date_sp(struct g *g, struct mime_fold *f, const char *s)
{
	/* FWS: one space mostly, two now and then; the printer folds */
	if (CHANCE(g, 1, 25)) {
		char t[64];
		snprintf(t, sizeof t, " %s", s);
		tok(g, f, t, MIME_FOLD_SPACE);
	} else {
		tok(g, f, s, MIME_FOLD_SPACE);
	}
}

/* A date in one of the forms RFC 5322 3.3 lets a generator write: with or
 * without the day of the week, day of one or two digits, with or without
 * seconds, numeric zones (-0000 for an unknown offset), a comment after. */
static void date_value(struct g *g, struct mime_fold *f)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t t = (int64_t)RND(g, 2100000000u) + (CHANCE(g, 1, 30) ? 3000000000 : 0);
	int zone = PICK(g, zones), local = zone == 0 && CHANCE(g, 1, 4);
	struct mime_date d;
	if (mime_date_from_unix(t, zone, &d))
		mime_date_from_unix(0, 0, &d);
	char s[64];
	if (CHANCE(g, 3, 4)) {
		snprintf(s, sizeof s, "%s,", days[d.weekday]);
		date_sp(g, f, s);
	}
	snprintf(s, sizeof s, CHANCE(g, 1, 5) ? "%02d" : "%d", d.day);
	date_sp(g, f, s);
	date_sp(g, f, months[d.month - 1]);
	snprintf(s, sizeof s, "%d", d.year);
	date_sp(g, f, s);
	if (CHANCE(g, 1, 8))
		snprintf(s, sizeof s, "%02d:%02d", d.hour, d.min);
	else
		snprintf(s, sizeof s, "%02d:%02d:%02d", d.hour, d.min, d.sec);
	date_sp(g, f, s);
	int a = zone < 0 ? -zone : zone;
	snprintf(s, sizeof s, "%c%02d%02d", zone < 0 || local ? '-' : '+', a / 60, a % 60);
	date_sp(g, f, s);
	if (CHANCE(g, 1, 6))
		tok(g, f, local ? "(unknown zone)" : zone == 0 ? "(UTC)" : "(local time)", MIME_FOLD_SPACE);
}

void field_date(struct g *g, const char *name, struct mime_buf *out)
{
	struct mime_fold f;
	if (CHANCE(g, 1, 3)) {
		/* the library's canonical form */
		struct mime_date d;
		struct mime_buf v = {0};
		mime_date_from_unix((int64_t)RND(g, 2000000000u) + 100000000, PICK(g, zones), &d);
		if (mime_date_print(&d, &v))
			g->err = -1;
		fold_begin(g, &f, out, name);
		if (!g->err)
			tok(g, &f, v.data, MIME_FOLD_SPACE);
		mime_buf_free(&v);
	} else {
		fold_begin(g, &f, out, name);
		if (CHANCE(g, 1, 15))
			f.width = 12 + RND(g, 20);  /* folded between the parts: FWS */
		date_value(g, &f);
	}
	fold_end(g, &f);
}

/* ---- addresses (RFC 5322 3.4, RFC 6532 3.2) ---------------------------------------- */

static const char *const domains[] = {
	"example.org", "example.com", "example.net", "mail.example.org", "lists.example.com",
	"a.b.c.example", "x-y.example", "xn--bcher-kva.example", "xn--e1afmkfd.example",
	"EXAMPLE.ORG", "123.example", "e.example",
};
static const char *const u_domains[] = {"bücher.example", "пример.example", "例え.example"};
static const char *const literals[] = {"[192.0.2.1]", "[198.51.100.23]", "[IPv6:2001:db8::1]",
				       "[IPv6:2001:db8:0:0:1:0:0:1]"};

const char *gen_domain(struct g *g)
{
	return PICK(g, domains);
}

static const char *const locals[] = {
	"alice", "bob", "carol.jones", "d.e.f", "first.last+tag", "o'neil", "x_y", "a!b#c",
	"{weird}", "user=name", "postmaster", "info", "no-reply", "j", "UPPER", "sales-42",
	"a.very.long.local.part.that.goes.on.and.on", "$money", "~tilde", "^caret|pipe",
};
static const char *const q_locals[] = {
	"\"john doe\"", "\"a\\\"b\"", "\"very.(),:;<>[]\\\".unusual\"", "\"\"", "\"dot.end.\"",
	"\"back\\\\slash\"", "\"@\"",
};
static const char *const u_locals[] = {"jörg", "用户", "почта", "δοκιμή"};

static void addr_spec(struct g *g, struct mime_buf *b)
{
	unsigned k = RND(g, 100);
	if (g->utf8_header && k < 6)
		gen_puts(g, b, PICK(g, u_locals));
	else if (k < 12)
		gen_puts(g, b, PICK(g, q_locals));
	else
		gen_puts(g, b, PICK(g, locals));
	gen_putc(g, b, '@');
	k = RND(g, 100);
	if (k < 5)
		gen_puts(g, b, PICK(g, literals));
	else if (g->utf8_header && k < 12)
		gen_puts(g, b, PICK(g, u_domains));
	else
		gen_puts(g, b, PICK(g, domains));
}

static const char *const names[] = {
	"Alice Martin", "Bob", "Carol Jones", "Dr Who", "O'Neil", "Jean-Luc Picard",
	"Mailer-Daemon", "The Team", "A B C D E F G H", "john_smith",
};
static const char *const quoted_names[] = {
	"\"Smith, John\"", "\"O'Neil, Bob (IT)\"", "\"Joe Q. Public\"", "\"say \\\"hi\\\"\"",
	"\"back\\\\slash\"", "\"<not an address>\"", "\"a@b\"", "\"  spaced  \"", "\"\"",
	"\"semi; colon: comma,\"",
};
static const char *const u_names[] = {
	"Zoë Dupré", "Jürgen Groß", "Иван Петров", "山田 太郎", "Ana 🌸", "Smith, Jöhn",
	"Ελένη", "François \"Fanfan\" Dupont",
};
static const char *const comments[] = {
	"(work)", "(home)", "(comment (nested))", "(with \\) escaped)", "()", "(Alice)",
	"(=?utf-8?q?caf=C3=A9?=)",
};

/* A display name as tokens, in one of the ways RFC 5322 and 2047 allow. */
static void display_name(struct g *g, struct mime_fold *f)
{
	unsigned k = RND(g, 100);
	if (k < 30) {
		const char *n = PICK(g, names);
		for (const char *p = n; *p;) {
			size_t w = strcspn(p, " ");
			tokn(g, f, p, w, MIME_FOLD_SPACE);
			p += w + (p[w] == ' ');
		}
	} else if (k < 50) {
		tok(g, f, PICK(g, quoted_names), MIME_FOLD_SPACE);
	} else if (k < 72 || (!g->utf8_header && k < 85)) {
		const char *n = PICK(g, u_names);
		fold_result(g, mime_rfc2047_encode(f, n, strlen(n), MIME_RFC2047_PHRASE));
	} else if (k < 85) {
		/* RFC 6532 3.2: UTF-8 in a quoted string */
		struct mime_buf q = {0};
		const char *n = PICK(g, u_names);
		gen_putc(g, &q, '"');
		for (; *n; n++) {
			if (*n == '"' || *n == '\\')
				gen_putc(g, &q, '\\');
			gen_putc(g, &q, *n);
		}
		gen_putc(g, &q, '"');
		if (!g->err)
			tok(g, f, q.data, MIME_FOLD_SPACE);
		mime_buf_free(&q);
	} else {
		ew_tokens(g, f, 1 + (int)RND(g, 3));
	}
	if (CHANCE(g, 1, 10))
		tok(g, f, PICK(g, comments), MIME_FOLD_SPACE);
}

static void mailbox(struct g *g, struct mime_fold *f)
{
	struct mime_buf s = {0};
	unsigned k = RND(g, 100);
	if (k < 25) {
		addr_spec(g, &s);
		if (!g->err)
			tok(g, f, s.data, MIME_FOLD_SPACE);
		if (CHANCE(g, 1, 5))
			tok(g, f, PICK(g, comments), MIME_FOLD_SPACE);
	} else {
		display_name(g, f);
		gen_putc(g, &s, '<');
		addr_spec(g, &s);
		gen_putc(g, &s, '>');
		if (!g->err)
			tok(g, f, s.data, MIME_FOLD_SPACE);
	}
	mime_buf_free(&s);
}

static const char *const groups[] = {
	"undisclosed-recipients", "Team", "\"The Committee\"", "=?utf-8?q?=C3=89quipe?=",
	"friends and family", "\"Group: with colon\"",
};

static void group(struct g *g, struct mime_fold *f, int max)
{
	const char *n = PICK(g, groups);
	for (const char *p = n; *p;) {
		size_t w = *p == '"' ? strlen(p) : strcspn(p, " ");
		tokn(g, f, p, w, MIME_FOLD_SPACE);
		p += w + (p[w] == ' ');
	}
	/* CFWS may follow the phrase; Python's email wants white space after an
	   encoded word before the ':' */
	tok(g, f, ":", n[0] == '=' ? MIME_FOLD_SPACE : MIME_FOLD_GLUE);
	int n_members = (int)RND(g, (uint32_t)max + 1);
	for (int i = 0; i < n_members; i++) {
		mailbox(g, f);
		if (i + 1 < n_members)
			tok(g, f, ",", MIME_FOLD_GLUE);
	}
	tok(g, f, ";", MIME_FOLD_GLUE);
}

/* ---- the library's address printer ------------------------------------------------- */

struct mb_store {
	char name[96], local[64], domain[64];
};

static void fill_mailbox(struct g *g, struct mime_mailbox *m, struct mb_store *st)
{
	memset(m, 0, sizeof *m);
	const char *n = CHANCE(g, 1, 2) ? PICK(g, u_names) : PICK(g, names);
	if (CHANCE(g, 4, 5)) {
		/* as written: a quoted string; the printer re-encodes as it must */
		size_t o = 0;
		st->name[o++] = '"';
		for (; *n && o < sizeof st->name - 3; n++) {
			if (*n == '"' || *n == '\\')
				st->name[o++] = '\\';
			st->name[o++] = *n;
		}
		st->name[o++] = '"';
		st->name[o] = '\0';
		m->name = st->name;
		m->name_len = o;
	}
	int utf8_local = g->utf8_header && CHANCE(g, 1, 10);
	snprintf(st->local, sizeof st->local, "%s", utf8_local ? PICK(g, u_locals) : PICK(g, locals));
	int lit = CHANCE(g, 1, 20);
	snprintf(st->domain, sizeof st->domain, "%s",
		 lit ? PICK(g, literals) : CHANCE(g, 1, 4) ? PICK(g, u_domains) : PICK(g, domains));
	m->local = st->local;
	m->local_len = strlen(st->local);
	m->domain = st->domain;
	m->domain_len = strlen(st->domain);
	m->domain_kind = lit ? MIME_DOMAIN_LITERAL : MIME_DOMAIN_NAME;
}

/* An address list built as values and printed by mime_address_list_fold. */
static void lib_addresses(struct g *g, struct mime_fold *f, int count, int groups_ok)
{
	struct mime_mailbox mb[8];
	struct mb_store st[8];
	struct mime_address items[8];
	int n = count < 8 ? count : 8, used = 0, ni = 0;
	for (int i = 0; i < n; i++)
		fill_mailbox(g, &mb[i], &st[i]);
	while (used < n && ni < 8) {
		struct mime_address *a = &items[ni++];
		memset(a, 0, sizeof *a);
		if (groups_ok && CHANCE(g, 1, 4)) {
			a->is_group = 1;
			a->name = "\"Team\"";
			a->name_len = 6;
			a->count = RND(g, (uint32_t)(n - used + 1));
		} else {
			a->count = 1;
		}
		a->mailboxes = &mb[used];
		used += (int)a->count;
	}
	struct mime_address_list l = {.items = items, .count = (size_t)ni};
	int utf8 = g->utf8_header && CHANCE(g, 1, 2);
	for (int i = 0; i < n; i++)
		for (const char *p = mb[i].local; *p; p++)
			utf8 |= (unsigned char)*p >= 0x80;
	fold_result(g, mime_address_list_fold(f, &l, utf8 ? MIME_ADDR_UTF8 : 0));
}

void field_addresses(struct g *g, const char *name, int min, int max, int groups_ok,
		     struct mime_buf *out)
{
	struct mime_fold f;
	fold_begin(g, &f, out, name);
	int n = min + (int)RND(g, (uint32_t)(max - min + 1));
	if (CHANCE(g, 2, 5) && n > 0) {
		lib_addresses(g, &f, n, groups_ok);
	} else {
		for (int i = 0; i < n; i++) {
			if (groups_ok && CHANCE(g, 1, 6))
				group(g, &f, 3);
			else
				mailbox(g, &f);
			if (i + 1 < n)
				tok(g, &f, ",", MIME_FOLD_GLUE);
		}
	}
	fold_end(g, &f);
}

/* ---- message identifiers (RFC 5322 3.6.4) ------------------------------------------- */

static void msgid_text(struct g *g, struct mime_buf *b)
{
	unsigned k = RND(g, 4);
	if (k == 0) {
		unsigned char r[12];
		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)RND(g, 256);
		if (mime_msgid_make(r, 1 + RND(g, sizeof r), (int64_t)RND(g, 2000000000u),
				    gen_domain(g), b) == -1)
			g->err = -1;
		return;
	}
	gen_putc(g, b, '<');
	if (k == 1) {
		gen_printf(g, b, "%u.%llu.", 1000000000u + RND(g, 1000000000u),
			   (unsigned long long)g->index);
		gen_ident(g, 8, b);
	} else if (k == 2) {
		gen_puts(g, b, "CA+");
		gen_ident(g, 20 + RND(g, 20), b);
		gen_puts(g, b, "=x_Q-");
		gen_ident(g, 6, b);
	} else {
		gen_ident(g, 4 + RND(g, 10), b);
		gen_printf(g, b, ".%u$%%&'*/=?^_`{|}~!#", g->serial++);
	}
	gen_putc(g, b, '@');
	gen_puts(g, b, CHANCE(g, 1, 12) ? PICK(g, literals) : gen_domain(g));
	gen_putc(g, b, '>');
}

void field_msgid(struct g *g, const char *name, struct mime_buf *out)
{
	struct mime_fold f;
	struct mime_buf id = {0};
	msgid_text(g, &id);
	fold_begin(g, &f, out, name);
	if (CHANCE(g, 1, 20))
		tok(g, &f, "(id)", MIME_FOLD_SPACE);
	if (!g->err)
		tok(g, &f, id.data, MIME_FOLD_SPACE);
	fold_end(g, &f);
	mime_buf_free(&id);
}

void field_msgids(struct g *g, const char *name, int n, struct mime_buf *out)
{
	struct mime_fold f;
	struct mime_buf id = {0};
	fold_begin(g, &f, out, name);
	for (int i = 0; i < n && !g->err; i++) {
		mime_buf_reset(&id);
		msgid_text(g, &id);
		/* RFC 5322 3.6.4: CFWS between ids is optional */
		if (!g->err)
			tok(g, &f, id.data, i && CHANCE(g, 1, 10) ? MIME_FOLD_BREAK : MIME_FOLD_SPACE);
	}
	fold_end(g, &f);
	mime_buf_free(&id);
}

/* ---- unstructured text --------------------------------------------------------------- */

static const char *const prefixes[] = {"Re:", "Fwd:", "RE: Re:", "[list-name]", "AW:", "Fw:"};

/* ASCII words as SPACE tokens, now and then with two spaces before one. */
static void ascii_words(struct g *g, struct mime_fold *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *w = text_word(g, S_ASCII);
		if (i && CHANCE(g, 1, 30)) {
			char t[64];
			snprintf(t, sizeof t, " %s", w);
			tok(g, f, t, MIME_FOLD_SPACE);
		} else {
			tok(g, f, w, MIME_FOLD_SPACE);
		}
	}
}

void field_text(struct g *g, const char *name, size_t words, struct mime_buf *out)
{
	struct mime_fold f;
	struct mime_buf w = {0};
	fold_begin(g, &f, out, name);
	f.width = 76;  /* RFC 2047 2: lines with encoded words */
	if (CHANCE(g, 1, 5))
		tok(g, &f, PICK(g, prefixes), MIME_FOLD_SPACE);
	unsigned k = RND(g, 100);
	enum script s = (enum script)(1 + RND(g, S_COUNT - 1));
	if (k < 40 || words == 0) {
		ascii_words(g, &f, words);
	} else if (k < 70) {
		text_words(g, s, (int)words, &w);
		fold_result(g, mime_rfc2047_encode(&f, w.data ? w.data : "", w.len, MIME_RFC2047_TEXT));
	} else if (k < 85 && g->utf8_header) {
		/* RFC 6532 3.2: UTF-8 as it is */
		text_words(g, s, (int)words, &w);
		for (char *p = w.data, *e = w.data + w.len; p && p < e;) {
			size_t n = strcspn(p, " ");
			tokn(g, &f, p, n, MIME_FOLD_SPACE);
			p += n + 1;
		}
	} else {
		ascii_words(g, &f, words / 2);
		ew_tokens(g, &f, (int)(words - words / 2 + 1));
		ascii_words(g, &f, 1);
	}
	fold_end(g, &f);
	mime_buf_free(&w);
}

void field_keywords(struct g *g, struct mime_buf *out)
{
	struct mime_fold f;
	fold_begin(g, &f, out, "Keywords");
	int n = 1 + (int)RND(g, 5);
	for (int i = 0; i < n; i++) {
		if (CHANCE(g, 1, 4)) {
			const char *u = PICK(g, u_names);
			fold_result(g, mime_rfc2047_encode(&f, u, strlen(u), MIME_RFC2047_PHRASE));
		} else {
			tok(g, &f, PICK(g, names), MIME_FOLD_SPACE);
		}
		if (i + 1 < n)
			tok(g, &f, ",", MIME_FOLD_GLUE);
	}
	fold_end(g, &f);
}

/* ---- trace (RFC 5322 3.6.7, RFC 5321 4.4) ------------------------------------------------ */

void field_received(struct g *g, struct mime_buf *out)
{
	static const char *const withs[] = {"ESMTP", "ESMTPS", "ESMTPSA", "SMTP", "LMTP", "UTF8SMTPS"};
	char from[64], by[64], id[32], fr[64], finfo[96];
	snprintf(from, sizeof from, "mail%u.%s", RND(g, 99), gen_domain(g));
	snprintf(by, sizeof by, "mx.%s", gen_domain(g));
	snprintf(finfo, sizeof finfo, "%s [192.0.2.%u]", from, RND(g, 255));
	snprintf(id, sizeof id, "%08X%04X", RND(g, 0x7fffffff), RND(g, 0xffff));
	snprintf(fr, sizeof fr, "<%s@%s>", PICK(g, locals) , gen_domain(g));
	struct mime_received r;
	memset(&r, 0, sizeof r);
	r.from.value = from;
	r.from.info = CHANCE(g, 3, 4) ? finfo : NULL;
	r.by.value = by;
	r.by.info = CHANCE(g, 1, 2) ? "Postfix" : NULL;
	r.with.value = (char *)PICK(g, withs);
	r.id.value = id;
	r.for_.value = CHANCE(g, 1, 2) && !strchr(fr, '"') && !strchr(fr, '(') ? fr : NULL;
	r.has_date = 1;
	mime_date_from_unix((int64_t)RND(g, 2000000000u), PICK(g, zones), &r.date);
	int rc = mime_received_field(out, &r);
	if (rc == -1)
		g->err = -1;
	else if (rc)
		field_text(g, "Received", 4, out);   /* a value it refused: never mind */
}

/* ---- other fields ------------------------------------------------------------------------------ */

static const char *const unknown_names[] = {
	"X-Mailer", "X-Spam-Score", "X-Priority", "Importance", "Organization", "X-Loop",
	"Thread-Topic", "X-Original-To", "X-Weird_Name.1", "x-lowercase", "X-ALLCAPS",
	"X-!#$%&'*+-^`{|}~", "X-A-Very-Long-Field-Name-That-Keeps-Going-And-Going-For-Ages",
	"List-Id", "List-Unsubscribe", "X-Empty", "X-Long",
};

void field_unknown(struct g *g, struct mime_buf *out)
{
	const char *n = PICK(g, unknown_names);
	if (!strcmp(n, "X-Empty")) {
		gen_puts(g, out, CHANCE(g, 1, 2) ? "X-Empty:\r\n" : "X-Empty: \r\n");
	} else if (!strcmp(n, "List-Unsubscribe")) {
		struct mime_fold f;
		fold_begin(g, &f, out, n);
		tok(g, &f, "<mailto:unsubscribe@lists.example.com?subject=unsubscribe>", MIME_FOLD_SPACE);
		tok(g, &f, ",", MIME_FOLD_GLUE);
		tok(g, &f, "<https://lists.example.com/u/abcdefghijklmnopqrstuvwxyz0123456789>",
		    MIME_FOLD_SPACE);
		fold_end(g, &f);
	} else if (!strcmp(n, "X-Long")) {
		field_text(g, n, 30 + RND(g, 120), out);
	} else if (!strcmp(n, "List-Id")) {
		gen_puts(g, out, "List-Id: The List <list.lists.example.com>\r\n");
	} else {
		field_text(g, n, 1 + RND(g, 8), out);
	}
}

/* Written by hand: the folds and spaces a printer would not choose. */
static void hand_subject(struct g *g, struct mime_buf *out)
{
	static const char *const forms[] = {
		"Subject:no space after the colon\r\n",
		"Subject:   three spaces before\r\n",
		"Subject: folded\r\n\tby a tab\r\n",
		"Subject: folded\r\n   by three spaces\r\n",
		"Subject:\r\n folded right after the colon\r\n",
		"Subject: trailing space \r\n",
		"Subject:\r\n",
		"Subject: =?utf-8?q?caf=C3=A9?= =?utf-8?b?IGNyw6htZQ==?= adjacent words\r\n",
		"Subject: =?ISO-8859-1?Q?a?= b =?ISO-8859-1?Q?c?=\r\n",
		"SUBJECT: upper-case name\r\n",
		"subject: lower-case name\r\n",
		"Subject: a (not a comment) and \"not quoted\" <not@address>\r\n",
		"Subject: a very long word: "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
	};
	gen_puts(g, out, PICK(g, forms));
}

static void resent_block(struct g *g, struct mime_buf *out)
{
	field_date(g, "Resent-Date", out);
	field_addresses(g, "Resent-From", 1, 1, 0, out);
	field_addresses(g, "Resent-To", 1, 2, 1, out);
	field_msgid(g, "Resent-Message-ID", out);
}

static void trace(struct g *g, struct mime_buf *out)
{
	if (CHANCE(g, 1, 2))
		gen_puts(g, out, CHANCE(g, 1, 5) ? "Return-Path: <>\r\n" : "Return-Path: <bounce@example.org>\r\n");
	int n = (int)RND(g, 4);
	for (int i = 0; i < n; i++)
		field_received(g, out);
}

/* RFC 5322 3.6: Date and From required; Sender when From has several. */
void fields_message(struct g *g, int top, struct mime_buf *out)
{
	if (top && CHANCE(g, 2, 3))
		trace(g, out);
	if (CHANCE(g, 1, 15))
		resent_block(g, out);
	field_date(g, CHANCE(g, 1, 8) ? "DATE" : "Date", out);
	int nfrom = CHANCE(g, 1, 8) ? 2 + (int)RND(g, 2) : 1;
	field_addresses(g, "From", nfrom, nfrom, 0, out);
	if (nfrom > 1 || CHANCE(g, 1, 20))
		field_addresses(g, "Sender", 1, 1, 0, out);
	if (CHANCE(g, 1, 6))
		field_addresses(g, "Reply-To", 1, 2, 1, out);
	if (CHANCE(g, 9, 10))
		field_addresses(g, "To", 1, CHANCE(g, 1, 10) ? 12 : 3, 1, out);
	if (CHANCE(g, 1, 4))
		field_addresses(g, "Cc", 1, 6, 1, out);
	if (CHANCE(g, 1, 20))
		field_addresses(g, "Bcc", 0, 2, 1, out);
	if (CHANCE(g, 1, 8))
		hand_subject(g, out);
	else if (CHANCE(g, 9, 10))
		field_text(g, "Subject", 1 + RND(g, CHANCE(g, 1, 10) ? 40 : 10), out);
	if (CHANCE(g, 9, 10))
		field_msgid(g, CHANCE(g, 1, 3) ? "Message-Id" : "Message-ID", out);
	if (CHANCE(g, 1, 3)) {
		field_msgids(g, "In-Reply-To", 1, out);
		field_msgids(g, "References", 1 + (int)RND(g, CHANCE(g, 1, 5) ? 30 : 4), out);
	}
	if (CHANCE(g, 1, 15))
		field_text(g, "Comments", 3 + RND(g, 10), out);
	if (CHANCE(g, 1, 15))
		field_keywords(g, out);
	int nx = (int)RND(g, 4);
	for (int i = 0; i < nx; i++)
		field_unknown(g, out);
}
