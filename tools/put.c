/* ember put: append a file as the last part of a multipart message; every
 * other byte of the message stays as it was. */
#include "cli.h"
#include "msgio.h"
#include "mime.h"

#include <magic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const struct cli_cmd cmd = {
	.name = "put",
	.summary = "append a file as the last part of a multipart message",
	.usage =
	"Usage: ember put [-t TYPE] [-e ENCODING] [-n NAME] [-i] FILE < MESSAGE\n"
	"Read a multipart message on stdin and write it to stdout with FILE added\n"
	"as its last part, just before the close delimiter of the top multipart.\n"
	"Every other byte is copied unchanged; the new lines take the message's\n"
	"own line ending.\n"
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
	"cannot be sent with the --encoding asked for; 66 when FILE cannot be read.\n",
};

struct put {
	const char *type, *encoding, *name, *file;
	int is_inline;
	const char *in;           /* the message */
	size_t len;
	const char *eol;
	char *boundary;           /* of the top multipart */
	size_t insert;            /* offset of the close delimiter (its line break) */
	int closed;               /* a close delimiter was found */
	int lead;                 /* the line break before it is in its raw bytes
				     (not after a close delimiter of a nested
				     multipart, whose line ends its own line) */
};

/* ---- the message -------------------------------------------------------- */

static void not_multipart(const struct mime_part_info *pi, char *err, size_t size)
{
	if (!strcmp(pi->type, "multipart"))
		snprintf(err, size, "the message is %s/%s without a usable boundary parameter",
			 pi->type, pi->subtype);
	else
		snprintf(err, size, "the message is %s/%s, not multipart: make it one first "
			 "with 'ember wrap --mixed'", pi->type, pi->subtype);
}

/* 0, or 1 with err set when the message will not do. */
static int on_event(struct put *p, const struct mime_event *ev, char *err, size_t size)
{
	if (ev->type == MIME_ERROR) {
		snprintf(err, size, "line %lu: %s", ev->line, ev->message);
		return 1;
	}
	if (ev->type == MIME_HEADER_END && ev->depth == 0) {
		if (!ev->part->multipart) {
			not_multipart(ev->part, err, size);
			return 1;
		}
		if (!(p->boundary = strdup(ev->part->boundary)))
			msg_oom();
	} else if (ev->type == MIME_DELIMITER && ev->depth == 0 && ev->close && !p->closed) {
		p->insert = (size_t)ev->offset;
		p->closed = 1;
		p->lead = ev->raw_len && (ev->raw[0] == '\r' || ev->raw[0] == '\n');
	}
	return 0;
}

/* Find the top multipart's boundary and close delimiter (raw view: event
 * offsets are offsets in the input, fed whole). */
static void scan_message(struct put *p)
{
	struct mime_parser *mp = mime_parser_new(NULL, MIME_MBOX_FROM);
	if (!mp)
		msg_oom();
	mime_parser_feed(mp, p->in, p->len);
	int fed_end = 0, bad = 0;
	char err[256];
	struct mime_event ev;
	while (!bad) {
		enum mime_ev e = mime_parser_next(mp, &ev);
		if (e == MIME_END)
			break;
		if (e == MIME_AWAIT) {
			if (fed_end)
				break;
			mime_parser_feed(mp, "", 0);
			fed_end = 1;
			continue;
		}
		bad = on_event(p, &ev, err, sizeof err);
	}
	mime_parser_free(mp);
	if (bad)
		cli_die(EX_DATAERR, "stdin", "%s", err);
	if (!p->closed)
		cli_warn("stdin", "the multipart has no close delimiter: one is added");
}

/* ---- the file's type ------------------------------------------------------- */

static char *magic_says(const char *data, size_t len, int flags)
{
	magic_t m = magic_open(flags);
	if (!m)
		return NULL;
	const char *t = magic_load(m, NULL) ? NULL : magic_buffer(m, data, len);
	char *r = t ? strdup(t) : NULL;
	magic_close(m);
	return r;
}

static int is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Well-formed UTF-8 (RFC 3629 4): no overlongs, surrogates or > U+10FFFF. */
static int is_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2
			 : c >= 0xf0 && c <= 0xf4 ? 3 : 9;
		if (k == 9 || i + k >= n)
			return 0;
		unsigned lo = 0x80, hi = 0xbf;
		if (c == 0xe0) lo = 0xa0;
		if (c == 0xed) hi = 0x9f;
		if (c == 0xf0) lo = 0x90;
		if (c == 0xf4) hi = 0x8f;
		for (size_t j = 1; j <= k; j++, lo = 0x80, hi = 0xbf)
			if (s[i + j] < lo || s[i + j] > hi)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* The charset of a text file: us-ascii, utf-8, or libmagic's guess. */
static char *guess_charset(const char *data, size_t len)
{
	if (is_ascii(data, len))
		return strdup("us-ascii");
	if (is_utf8((const unsigned char *)data, len))
		return strdup("utf-8");
	char *cs = magic_says(data, len, MAGIC_MIME_ENCODING);
	if (cs && (!strcmp(cs, "binary") || strpbrk(cs, " ;\"") || !*cs)) {
		free(cs);
		return strdup("unknown-8bit");  /* RFC 1428 */
	}
	return cs ? cs : strdup("unknown-8bit");
}

/* libmagic's type, or a guess when it has nothing useful to say. */
static char *guess_type(const char *data, size_t len)
{
	char *t = magic_says(data, len, MAGIC_MIME_TYPE);
	if (t && strchr(t, '/') && strncmp(t, "inode/", 6) && strcmp(t, "application/x-empty"))
		return t;
	free(t);
	t = strdup(mime_guess_text(data, len) ? "text/plain" : "application/octet-stream");
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

static void file_type(const struct put *p, const char *data, size_t len,
		      struct mime_content_type *ct)
{
	char *guessed = p->type ? NULL : guess_type(data, len);
	const char *t = p->type ? p->type : guessed;
	int r = mime_content_type_parse(t, strlen(t), ct, NULL);
	if (r == -1)
		msg_oom();
	if (r)
		cli_usage_error("--type: not TYPE/SUBTYPE[; PARAMETERS]: '%s'", t);
	free(guessed);
	if (!strcmp(ct->type, "text") && !mime_param_get(ct->params, ct->nparams, "charset"))
		add_param(ct, "charset", guess_charset(data, len));
}

/* ---- the encoding ------------------------------------------------------------ */

static enum mime_cte parse_cte(const char *s)
{
	static const enum mime_cte all[] = {
		MIME_CTE_7BIT, MIME_CTE_8BIT, MIME_CTE_QUOTED_PRINTABLE, MIME_CTE_BASE64,
	};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (!strcasecmp(s, mime_cte_name(all[i])))
			return all[i];
	cli_usage_error("--encoding: '%s' is not 7bit, 8bit, quoted-printable or base64", s);
}

/* The encoding asked for (if the data allows it), or the lightest one. */
static enum mime_cte choose_cte(const struct put *p, const char *data, size_t len, int text)
{
	unsigned flags = text ? 0 : MIME_CHOOSE_CRLF;
	if (!p->encoding) {
		enum mime_cte c = mime_choose_cte(data, len, flags);
		/* a non-text body is kept byte for byte: its CRLFs would not match
		 * the line ends of a message written with bare LFs */
		if (c == MIME_CTE_7BIT && !text && p->eol[0] == '\n' && memchr(data, '\n', len))
			c = MIME_CTE_BASE64;
		return c;
	}
	enum mime_cte c = parse_cte(p->encoding);
	enum mime_cte best = mime_choose_cte(data, len, flags | MIME_CHOOSE_8BIT);
	if (c == MIME_CTE_7BIT && best != MIME_CTE_7BIT)
		cli_die(EX_DATAERR, p->file, "the file is not 7bit data (RFC 2045 2.7)");
	if (c == MIME_CTE_8BIT && best != MIME_CTE_7BIT && best != MIME_CTE_8BIT)
		cli_die(EX_DATAERR, p->file, "the file is not 8bit data (RFC 2045 2.8)");
	return c;
}

/* The body in the message's line ends. Text in 7bit or 8bit is put in
 * canonical form, its line breaks those of the message (RFC 2045 2.10). */
static void encode(const struct put *p, enum mime_cte c, const char *data, size_t len,
		   int text, struct mime_buf *out)
{
	struct mime_buf enc = {0}, canon = {0};
	int r = 0;
	if (c == MIME_CTE_BASE64 && text) {
		/* RFC 2045 6.8: text is encoded in canonical form, CRLF lines */
		msg_put_lines(&canon, data, len, "\r\n");
		r = mime_base64_encode_all(canon.data ? canon.data : "", canon.len, 0, &enc);
	} else if (c == MIME_CTE_BASE64) {
		r = mime_base64_encode_all(data, len, 0, &enc);
	} else if (c == MIME_CTE_QUOTED_PRINTABLE) {
		r = mime_qp_encode_all(data, len, text ? 0 : MIME_QP_BINARY, &enc);
	}
	if (r)
		msg_oom();
	/* base64's last line break is not content: the delimiter's serves */
	if (c == MIME_CTE_BASE64 && enc.len >= 2)
		enc.len -= 2;
	if (c == MIME_CTE_BASE64 || c == MIME_CTE_QUOTED_PRINTABLE)
		msg_put_lines(out, enc.data ? enc.data : "", enc.len, p->eol);
	else if (text)
		msg_put_lines(out, data, len, p->eol);
	else
		msg_append(out, data, len);
	mime_buf_free(&enc);
	mime_buf_free(&canon);
}

/* RFC 2046 5.1.1: a line of the body that starts with "--boundary" would
 * end the part. */
static int holds_delimiter(const struct put *p, const struct mime_buf *b)
{
	size_t bl = strlen(p->boundary);
	for (size_t i = 0; i < b->len;) {
		if (b->len - i >= bl + 2 && b->data[i] == '-' && b->data[i + 1] == '-' &&
		    !memcmp(b->data + i + 2, p->boundary, bl))
			return 1;
		const char *lf = memchr(b->data + i, '\n', b->len - i);
		if (!lf)
			break;
		i = (size_t)(lf - b->data) + 1;
	}
	return 0;
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

static void read_file(const struct put *p, char **data, size_t *len)
{
	FILE *f = cli_open(p->file);
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		cli_die(EX_NOINPUT, p->file, "is a directory");
	cli_slurp(f, p->file, data, len);
	fclose(f);
}

/* The new part: delimiter, header, empty line, body; the line break that
 * ends the body belongs to the close delimiter (RFC 2046 5.1.1) and is
 * added when the close delimiter's raw bytes do not begin with one. */
static void build_part(const struct put *p, struct mime_buf *part)
{
	char *data;
	size_t len;
	read_file(p, &data, &len);
	struct mime_content_type ct = {0};
	file_type(p, data, len, &ct);
	int text = !strcmp(ct.type, "text");
	enum mime_cte c = choose_cte(p, data, len, text);
	struct mime_buf body = {0};
	encode(p, c, data, len, text, &body);
	if (holds_delimiter(p, &body)) {
		if (p->encoding && c != MIME_CTE_BASE64)
			cli_die(EX_DATAERR, p->file, "a line of the file starts with the message's "
				"boundary: use --encoding base64");
		mime_buf_reset(&body);
		c = MIME_CTE_BASE64;
		encode(p, c, data, len, text, &body);
	}
	if (!p->closed || p->lead)
		msg_puts(part, p->eol);
	msg_puts(part, "--");
	msg_puts(part, p->boundary);
	msg_puts(part, p->eol);
	if (msg_content_type_field(part, p->eol, &ct))
		cli_usage_error("--type: a name that is not a token: '%s'", p->type);
	msg_simple_field(part, p->eol, "Content-Transfer-Encoding", mime_cte_name(c));
	disposition_field(p, part);
	msg_puts(part, p->eol);
	msg_append(part, body.data ? body.data : "", body.len);
	if (p->closed && !p->lead)
		msg_puts(part, p->eol);
	mime_buf_free(&body);
	mime_content_type_free(&ct);
	free(data);
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
		parse_cte(p->encoding);
	if (p->name && strpbrk(p->name, "\r\n"))
		cli_usage_error("--name: line breaks are not allowed");
}

int main(int argc, char **argv)
{
	struct put p = {0};
	parse_options(&p, argc, argv);
	char *data;
	cli_slurp(stdin, "stdin", &data, &p.len);
	p.in = data;
	p.eol = msg_eol(p.in, p.len);
	scan_message(&p);

	struct mime_buf part = {0};
	build_part(&p, &part);
	size_t at = p.closed ? p.insert : p.len;
	cli_write(stdout, p.in, at);
	cli_write(stdout, part.data, part.len);
	if (p.closed) {
		cli_write(stdout, p.in + at, p.len - at);
	} else {
		cli_write(stdout, p.eol, strlen(p.eol));
		cli_write(stdout, "--", 2);
		cli_write(stdout, p.boundary, strlen(p.boundary));
		cli_write(stdout, "--", 2);
		cli_write(stdout, p.eol, strlen(p.eol));
	}
	cli_flush_stdout();
	mime_buf_free(&part);
	free(p.boundary);
	free(data);
	return 0;
}
