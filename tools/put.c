/* ember put: append a file as the last part of a multipart message; every
 * other byte of the message stays as it was. Both stream: the message goes
 * through the parser to stdout as it comes, and the file is read in chunks,
 * once to learn what it holds, once more to encode it (and once between,
 * when a line of it could pass for the message's boundary). */
#include "cli.h"
#include "msgio.h"
#include "spool.h"
#include "mime.h"

#include <magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct cli_cmd cmd = {
	.name = "put",
	.summary = "append a file as the last part of a multipart message",
	.usage =
	"Usage: ember put [-t TYPE] [-e ENCODING] [-n NAME] [-i] FILE < MESSAGE\n"
	"Read a multipart message on stdin and write it to stdout with FILE added\n"
	"as its last part, just before the close delimiter of the top multipart.\n"
	"Every other byte is copied unchanged; the new lines take the message's\n"
	"own line ending. Both the message and FILE stream: memory does not grow\n"
	"with their size.\n"
	"  -t, --type TYPE       Content-Type, e.g. image/png or 'text/plain;\n"
	"                        charset=iso-8859-1' (default: guessed by libmagic;\n"
	"                        text types get a charset: us-ascii, utf-8, ...)\n"
	"  -e, --encoding 7bit|8bit|quoted-printable|base64\n"
	"                        Content-Transfer-Encoding (default: the lightest\n"
	"                        that carries the file: 7bit, quoted-printable for\n"
	"                        text, base64 for binary data)\n"
	"  -n, --name NAME       the file name to announce (default: FILE's last\n"
	"                        path component); RFC 2231 encoded when not ASCII\n"
	"  -i, --inline          Content-Disposition inline (default attachment)\n"
	"  -h, --help, --version\n"
	"Exit status: 0; 64 on a bad option; 65 when the message is not multipart\n"
	"(make it one with 'ember wrap --mixed') or cannot be read, or when the file\n"
	"cannot be sent with the --encoding asked for; 66 when FILE cannot be read.\n"
	"Nothing is written when the top header does not do; a message that stops\n"
	"being readable later (a limit) leaves its output cut, with status 65.\n",
};

enum { CHUNK = 1 << 16, MAGIC_MAX = 8 << 20 };

struct put {
	const char *type, *encoding, *name, *file;
	int is_inline;
	/* the file, read in chunks */
	FILE *ff;
	struct spool in;
	struct mime_text_stats st;  /* of its bytes as they are */
	int utf8;                   /* they are well-formed UTF-8 */
	struct mime_buf head;       /* its first bytes, for libmagic */
	struct mime_content_type ct;
	int text;
	enum mime_cte cte;
	/* the message */
	const char *eol;
	char *boundary;             /* of the top multipart */
	struct mime_buf held;       /* output held until the top header is read */
	int flowing;                /* the top header did: output goes out as it comes */
	int closed;                 /* the close delimiter came (the part went before it) */
	struct mime_buf part_head;  /* the new part's delimiter and header */
};

/* ---- the file: what it holds -------------------------------------------- */

static size_t magic_bytes(void)
{
	size_t n = MAGIC_MAX;
	magic_t m = magic_open(MAGIC_NONE);
	if (m) {
		size_t v;
		if (magic_getparam(m, MAGIC_PARAM_BYTES_MAX, &v) == 0 && v < n)
			n = v;  /* libmagic looks at no more than this */
		magic_close(m);
	}
	return n;
}

/* The first reading: statistics, UTF-8 validity, the head for libmagic. */
static void read_file(struct put *p)
{
	struct stat st;
	p->ff = cli_open(p->file);
	if (fstat(fileno(p->ff), &st) == 0 && S_ISDIR(st.st_mode))
		cli_die(EX_NOINPUT, p->file, "is a directory");
	spool_open(&p->in, p->ff, p->file);
	static char buf[CHUNK];
	size_t head = magic_bytes(), n;
	struct mime_charset_dec u8;
	struct mime_defects bad = {0};
	struct mime_buf scratch = {0};
	mime_charset_dec_init(&u8, MIME_CS_UTF_8);
	mime_text_stats_init(&p->st);
	while ((n = spool_read(&p->in, buf, sizeof buf)) > 0) {
		mime_text_stats_feed(&p->st, buf, n);
		mime_buf_reset(&scratch);
		if (!bad.count && mime_charset_dec_feed(&u8, buf, n, &scratch, &bad))
			msg_oom();
		if (p->head.len < head)
			msg_append(&p->head, buf, n < head - p->head.len ? n : head - p->head.len);
	}
	if (!bad.count && mime_charset_dec_feed(&u8, NULL, 0, &scratch, &bad))
		msg_oom();
	mime_text_stats_end(&p->st);
	p->utf8 = bad.count == 0;
	mime_buf_free(&scratch);
}

static char *magic_says(const struct put *p, int flags)
{
	magic_t m = magic_open(flags);
	if (!m)
		return NULL;
	const char *data = p->head.data ? p->head.data : "";
	const char *t = magic_load(m, NULL) ? NULL : magic_buffer(m, data, p->head.len);
	char *r = t ? strdup(t) : NULL;
	magic_close(m);
	return r;
}

/* The charset of a text file: us-ascii, utf-8, or libmagic's guess. */
static char *guess_charset(const struct put *p)
{
	if (!p->st.high)
		return strdup("us-ascii");
	if (p->utf8)
		return strdup("utf-8");
	char *cs = magic_says(p, MAGIC_MIME_ENCODING);
	if (cs && (!strcmp(cs, "binary") || strpbrk(cs, " ;\"") || !*cs)) {
		free(cs);
		return strdup("unknown-8bit");  /* RFC 1428 */
	}
	return cs ? cs : strdup("unknown-8bit");
}

/* libmagic's type, or a guess when it has nothing useful to say. */
static char *guess_type(const struct put *p)
{
	char *t = magic_says(p, MAGIC_MIME_TYPE);
	if (t && strchr(t, '/') && strncmp(t, "inode/", 6) && strcmp(t, "application/x-empty"))
		return t;
	free(t);
	t = strdup(mime_guess_text(p->head.data ? p->head.data : "", p->head.len)
		   ? "text/plain" : "application/octet-stream");
	if (!t)
		msg_oom();
	return t;
}

static void add_param(struct mime_content_type *ct, const char *name, char *value)
{
	struct mime_param *v = realloc(ct->params, (ct->nparams + 1) * sizeof *v);
	if (!v)
		msg_oom();
	ct->params = v;
	char *n = strdup(name);
	if (!n || !value)
		msg_oom();
	v[ct->nparams++] = (struct mime_param){.name = n, .value = value, .value_len = strlen(value)};
}

static void file_type(struct put *p)
{
	char *guessed = p->type ? NULL : guess_type(p);
	const char *t = p->type ? p->type : guessed;
	int r = mime_content_type_parse(t, strlen(t), &p->ct, NULL);
	if (r == MIME_ENOMEM)
		msg_oom();
	if (r)
		cli_usage_error("--type: not TYPE/SUBTYPE[; PARAMETERS]: '%s'", t);
	free(guessed);
	p->text = !strcmp(p->ct.type, "text");
	if (p->text && !mime_param_get(p->ct.params, p->ct.nparams, "charset"))
		add_param(&p->ct, "charset", guess_charset(p));
}

/* ---- the encoding ------------------------------------------------------------ */

/* The encoding asked for (if the data allows it), or the lightest one. */
static enum mime_cte choose_cte(const struct put *p)
{
	unsigned flags = p->text ? 0 : MIME_CHOOSE_CRLF;
	if (!p->encoding) {
		enum mime_cte c = mime_choose_cte_stats(&p->st, flags);
		/* a non-text body is kept byte for byte: its CRLFs would not match
		 * the line ends of a message written with bare LFs */
		if (c == MIME_CTE_7BIT && !p->text && p->eol[0] == '\n' && p->st.crlf + p->st.bare_lf)
			c = MIME_CTE_BASE64;
		return c;
	}
	enum mime_cte c = msg_parse_cte(p->encoding);
	enum mime_cte best = mime_choose_cte_stats(&p->st, flags | MIME_CHOOSE_8BIT);
	if (c == MIME_CTE_7BIT && best != MIME_CTE_7BIT)
		cli_die(EX_DATAERR, p->file, "the file is not 7bit data (RFC 2045 2.7)");
	if (c == MIME_CTE_8BIT && best != MIME_CTE_7BIT && best != MIME_CTE_8BIT)
		cli_die(EX_DATAERR, p->file, "the file is not 8bit data (RFC 2045 2.8)");
	return c;
}

typedef void (*sink_fn)(void *ctx, const char *s, size_t n);

/* The body in the message's line ends, read again from the file's start,
 * to sink. Text in 7bit or 8bit is put in canonical form, its line breaks
 * those of the message (RFC 2045 2.10); text in base64 is encoded from its
 * canonical form, CRLF lines (RFC 2045 6.8). base64's last line break is
 * not content: the close delimiter's serves. */
static void encode(struct put *p, enum mime_cte c, sink_fn sink, void *ctx)
{
	static char buf[CHUNK];
	struct mime_buf canon = {0}, enc = {0}, out = {0};
	struct mime_eol to_canon, to_msg;
	struct mime_base64_enc b64;
	struct mime_qp_enc qp;
	mime_eol_init(&to_canon, MIME_EOL_CRLF, 0);
	mime_eol_init(&to_msg, p->eol[0] == '\n' ? MIME_EOL_LF : MIME_EOL_CRLF, 0);
	mime_base64_enc_init(&b64, 0);
	mime_qp_enc_init(&qp, p->text ? 0 : MIME_QP_BINARY);
	int lines = c == MIME_CTE_BASE64 || c == MIME_CTE_QUOTED_PRINTABLE || p->text;
	char held[2];
	size_t nheld = 0;  /* base64: the last two bytes of its output, held back */
	spool_rewind(&p->in);
	for (int more = 1; more;) {
		size_t n = spool_read(&p->in, buf, sizeof buf);
		more = n > 0;
		const char *d = buf;
		mime_buf_reset(&enc);
		mime_buf_reset(&out);
		if (c == MIME_CTE_BASE64 && p->text) {
			mime_buf_reset(&canon);
			if (mime_eol_append(&to_canon, n ? buf : NULL, n, &canon))
				msg_oom();
			d = canon.data;
			n = canon.len;
		}
		int r = 0;
		if (c == MIME_CTE_BASE64)
			r = (n && mime_base64_encode(&b64, d, n, &enc)) ||
			    (!more && mime_base64_encode(&b64, NULL, 0, &enc));
		else if (c == MIME_CTE_QUOTED_PRINTABLE)
			r = (n && mime_qp_encode(&qp, d, n, &enc)) ||
			    (!more && mime_qp_encode(&qp, NULL, 0, &enc));
		else
			r = n && mime_buf_append(&enc, d, n);
		if (r)
			msg_oom();
		const char *e = enc.data ? enc.data : "";
		size_t en = enc.len;
		if (c == MIME_CTE_BASE64) {
			/* the output so far is held (two bytes) then e: keep the last
			 * two back, so that the very last line break can go */
			struct mime_buf *o = &out;
			msg_append(o, held, nheld);
			msg_append(o, e, en);
			nheld = o->len < 2 ? o->len : 2;
			memcpy(held, o->data + o->len - nheld, nheld);
			mime_buf_truncate(o, o->len - nheld);
			mime_buf_reset(&enc);
			msg_append(&enc, o->data, o->len);
			mime_buf_reset(o);
			e = enc.data ? enc.data : "";
			en = enc.len;
		}
		if (lines) {
			if (mime_eol_append(&to_msg, en ? e : NULL, en, &out) ||
			    (!more && mime_eol_append(&to_msg, NULL, 0, &out)))
				msg_oom();
			e = out.data ? out.data : "";
			en = out.len;
		}
		sink(ctx, e, en);
	}
	mime_buf_free(&canon);
	mime_buf_free(&enc);
	mime_buf_free(&out);
}

/* RFC 2046 5.1.1: a line of the body that starts with "--boundary" would
 * end the part. Looked for in the encoded body, chunk by chunk. */
struct line_scan {
	const char *pat;    /* "--boundary" */
	size_t len;
	size_t got;         /* bytes of pat matched at the start of this line */
	int at_start;       /* still matching: the line began with pat[0..got) */
	int found;
};

static void scan_lines(void *ctx, const char *s, size_t n)
{
	struct line_scan *ls = ctx;
	for (size_t i = 0; i < n && !ls->found; i++) {
		if (s[i] == '\n') {
			ls->at_start = 1;
			ls->got = 0;
		} else if (ls->at_start && s[i] == ls->pat[ls->got]) {
			if (++ls->got == ls->len)
				ls->found = 1;
		} else {
			ls->at_start = 0;
		}
	}
}

static int holds_delimiter(struct put *p, enum mime_cte c)
{
	struct mime_buf pat = {0};
	msg_puts(&pat, "--");
	msg_puts(&pat, p->boundary);
	struct line_scan ls = {.pat = pat.data, .len = pat.len, .at_start = 1};
	encode(p, c, scan_lines, &ls);
	mime_buf_free(&pat);
	return ls.found;
}

/* ---- the part ------------------------------------------------------------------ */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void disposition_field(const struct put *p, struct mime_buf *out)
{
	const char *name = p->name ? p->name : base_name(p->file);
	struct mime_param fp = {.name = "filename", .value = (char *)name, .value_len = strlen(name)};
	struct mime_disposition d = {.type = p->is_inline ? "inline" : "attachment",
				     .params = *name ? &fp : NULL, .nparams = *name ? 1 : 0};
	if (msg_disposition_field(out, p->eol, &d))
		cli_die(EX_SOFTWARE, NULL, "cannot write the Content-Disposition field");
}

/* Once the top header is read (boundary and line ending known): the
 * encoding, and the part's delimiter and header. The line break before the
 * delimiter is written with the part (see write_part). */
static void prepare_part(struct put *p)
{
	enum mime_cte c = choose_cte(p);
	if (c != MIME_CTE_BASE64 && holds_delimiter(p, c)) {
		if (p->encoding)
			cli_die(EX_DATAERR, p->file, "a line of the file starts with the message's "
				"boundary: use --encoding base64");
		c = MIME_CTE_BASE64;  /* no '-' in base64 */
	}
	p->cte = c;
	struct mime_buf *h = &p->part_head;
	msg_puts(h, "--");
	msg_puts(h, p->boundary);
	msg_puts(h, p->eol);
	if (msg_content_type_field(h, p->eol, &p->ct))
		cli_usage_error("--type: a name that is not a token: '%s'", p->type);
	msg_simple_field(h, p->eol, "Content-Transfer-Encoding", mime_cte_name(c));
	disposition_field(p, h);
	msg_puts(h, p->eol);
}

static void to_stdout(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	cli_write(stdout, s, n);
}

/* The part: its delimiter line (after a line break, unless the close
 * delimiter's own raw bytes do not begin with one: after a nested close
 * delimiter, whose line ends its own line), header and body; the body's
 * last line break belongs to what follows (RFC 2046 5.1.1). */
static void write_part(struct put *p, int lead)
{
	if (!p->closed || lead)
		cli_write(stdout, p->eol, strlen(p->eol));
	cli_write(stdout, p->part_head.data, p->part_head.len);
	encode(p, p->cte, to_stdout, NULL);
	if (p->closed && !lead)
		cli_write(stdout, p->eol, strlen(p->eol));
}

/* ---- the message ------------------------------------------------------------- */

static void not_multipart(const struct mime_part_info *pi)
{
	if (!strcmp(pi->type, "multipart"))
		cli_die(EX_DATAERR, "stdin", "the message is %s/%s without a usable boundary parameter",
			pi->type, pi->subtype);
	cli_die(EX_DATAERR, "stdin", "the message is %s/%s, not multipart: make it one first "
		"with 'ember wrap --mixed'", pi->type, pi->subtype);
}

static void emit(struct put *p, const char *s, size_t n)
{
	if (p->flowing)
		cli_write(stdout, s, n);
	else
		msg_append(&p->held, s, n);
}

static void on_event(struct put *p, const struct mime_event *ev)
{
	if (ev->type == MIME_ERROR) {
		if (ev->code == MIME_E_NOMEM)
			msg_oom();
		cli_die(EX_DATAERR, "stdin", "line %lu: %s", ev->line, ev->message);
	}
	if (ev->type == MIME_DELIMITER && ev->depth == 0 && ev->close && !p->closed) {
		p->closed = 1;
		write_part(p, ev->raw_len && (ev->raw[0] == '\r' || ev->raw[0] == '\n'));
	}
	emit(p, ev->raw, ev->raw_len);
	if (ev->type == MIME_HEADER_END && ev->depth == 0) {
		if (!ev->part->multipart)
			not_multipart(ev->part);
		if (!(p->boundary = strdup(ev->part->boundary)))
			msg_oom();
		p->eol = msg_eol(p->held.data ? p->held.data : "", p->held.len);
		prepare_part(p);
		p->flowing = 1;
		cli_write(stdout, p->held.data, p->held.len);
		mime_buf_free(&p->held);
	}
}

static void read_message(struct put *p)
{
	struct mime_parser *mp = mime_parser_new(NULL, MIME_MBOX_FROM);
	if (!mp)
		msg_oom();
	static char buf[CHUNK];
	for (int done = 0; !done;) {
		size_t n = fread(buf, 1, sizeof buf, stdin);
		if (n == 0 && ferror(stdin))
			cli_die(EX_IOERR, "stdin", "read error");
		mime_parser_feed(mp, buf, n);
		struct mime_event ev;
		enum mime_ev e;
		while ((e = mime_parser_next(mp, &ev)) != MIME_AWAIT && !done) {
			if (e == MIME_END)
				done = 1;
			else
				on_event(p, &ev);
		}
	}
	mime_parser_free(mp);
	if (!p->closed) {
		cli_warn("stdin", "the multipart has no close delimiter: one is added");
		write_part(p, 0);
		cli_write(stdout, p->eol, strlen(p->eol));
		cli_write(stdout, "--", 2);
		cli_write(stdout, p->boundary, strlen(p->boundary));
		cli_write(stdout, "--", 2);
		cli_write(stdout, p->eol, strlen(p->eol));
	}
}

/* ---- main ----------------------------------------------------------------------- */

static void parse_options(struct put *p, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"type", required_argument, NULL, 't'},
		{"encoding", required_argument, NULL, 'e'},
		{"name", required_argument, NULL, 'n'},
		{"inline", no_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "t:e:n:i", longopts)) != -1) {
		switch (o) {
		case 't': p->type = optarg; break;
		case 'e': p->encoding = optarg; break;
		case 'n': p->name = optarg; break;
		case 'i': p->is_inline = 1; break;
		}
	}
	if (optind == argc)
		cli_usage_error("which FILE? (the message comes on stdin)");
	if (argc - optind > 1)
		cli_usage_error("one FILE at a time (run ember put once per file)");
	p->file = argv[optind];
	if (!strcmp(p->file, "-"))
		cli_usage_error("FILE cannot be stdin: the message comes on stdin");
	if (p->encoding)
		msg_parse_cte(p->encoding);
	if (p->name && strpbrk(p->name, "\r\n"))
		cli_usage_error("--name: line breaks are not allowed");
}

int main(int argc, char **argv)
{
	struct put p = {0};
	parse_options(&p, argc, argv);
	read_file(&p);
	file_type(&p);
	read_message(&p);
	cli_flush_stdout();
	spool_close(&p.in);
	fclose(p.ff);
	mime_buf_free(&p.head);
	mime_buf_free(&p.part_head);
	mime_content_type_free(&p.ct);
	free(p.boundary);
	return 0;
}
