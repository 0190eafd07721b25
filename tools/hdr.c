/* ember hdr: header fields, unfolded and decoded to UTF-8. */
#include "cli.h"
#include "fields.h"
#include "mime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cmd = {
	.name = "hdr",
	.summary = "print header fields, unfolded and decoded to UTF-8",
	.usage =
	"Usage: ember hdr [-h NAME[,NAME...]]... [-H] [FILE...]\n"
	"Print the header fields of each message (stdin when no FILE, or \"-\"),\n"
	"one per line as `Name: value`, in the order they appear: unfolded, encoded\n"
	"words (RFC 2047) decoded to UTF-8, Content-Type and Content-Disposition\n"
	"parameters (RFC 2231) joined and decoded, in address fields only display\n"
	"names and comments decoded, Received and authentication fields only\n"
	"unfolded. A malformed encoded word is printed as it stands; bytes that are\n"
	"not UTF-8, line breaks and control characters become U+FFFD.\n"
	"  -h NAME[,NAME...]   print only the values of these fields, one per line\n"
	"                      (case-insensitive, repeatable; ':' separates too)\n"
	"  -H, --filename      start each line with the file name and a TAB\n"
	"      --help, --version\n"
	"What was wrong in a header and tolerated (a line that is not a field,\n"
	"which ends the header; a repeated From or Subject; a line over 998 bytes;\n"
	"...) is reported on stderr as FILE:LINE: what. Exit status: 0; 65 when a\n"
	"header cannot be read (FILE:LINE: what); 66 when a file cannot be opened;\n"
	"64 usage.\n",
	.h_is_option = 1,
};

struct hdr {
	struct cli_names names;
	int filename;          /* -H */
	int bad;
	const char *path;      /* as given ("-": stdin) */
	const char *where;     /* for messages */
	struct mime_buf line, val;
};

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value without the white space and folding before it, decoded (the
 * white space at its end is part of it, RFC 5322 3.2.5). */
static int decode(const struct mime_field *f, struct mime_buf *out)
{
	const char *v = f->value;
	size_t n = f->value_len;
	while (n && is_space(*v)) {
		v++;
		n--;
	}
	/* RFC 2047 5: encoded words only in display names and comments of
	 * structured fields, never in Received; authentication fields are
	 * machine-read as they stand: only unfolded */
	switch (mime_field_kind(f->name, f->name_len)) {
	case MIME_FIELD_MIME_PARAMS:
		return mime_params_render(v, n, out, NULL);
	case MIME_FIELD_TRACE:
	case MIME_FIELD_AUTH:
		return mime_unstructured_unfold(v, n, out);
	case MIME_FIELD_ADDRESS:
	case MIME_FIELD_DATE:
	case MIME_FIELD_MSGID:
	case MIME_FIELD_MIME_TOKEN:
		return mime_rfc2047_decode_structured(v, n, out, NULL);
	case MIME_FIELD_UNSTRUCTURED:
		break;
	}
	return mime_rfc2047_decode_text(v, n, out, NULL);
}

/* One value per line: a byte that is not UTF-8, a line break or another
 * control character (TAB excepted) is shown as U+FFFD. */
static int put_value(struct mime_buf *line, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t l = mime_unstructured_utf8_len(s + i, n - i);
		int r = !l || (c < 0x20 && c != '\t') || c == 0x7f
			? mime_buf_puts(line, "\xef\xbf\xbd") : mime_buf_append(line, s + i, l);
		if (r)
			return -1;
		i += l ? l : 1;
	}
	return 0;
}

static void print_field(struct hdr *h, const struct mime_field *f)
{
	if (f->name_len == 0 || (h->names.n && !cli_names_has(&h->names, f->name, f->name_len)))
		return;
	mime_buf_reset(&h->line);
	mime_buf_reset(&h->val);
	int r = decode(f, &h->val);
	if (!r && h->filename)
		r = mime_buf_puts(&h->line, h->path) || mime_buf_putc(&h->line, '\t');
	if (!r && !h->names.n)
		r = mime_buf_append(&h->line, f->name, f->name_len) ||
		    mime_buf_puts(&h->line, h->val.len ? ": " : ":");
	if (r || put_value(&h->line, h->val.data, h->val.len) || mime_buf_putc(&h->line, '\n'))
		oom();
	cli_write(stdout, h->line.data, h->line.len);
}

static void on_field(void *ctx, const struct mime_field *f)
{
	print_field(ctx, f);
}

/* The header is read in chunks as it comes; reading stops after it. */
static void one_file(struct hdr *h, const char *path)
{
	FILE *in = cli_open(path);
	h->path = path;
	h->where = strcmp(path, "-") ? path : "stdin";
	struct cli_fields cb = {.field = on_field, .ctx = h};
	if (cli_read_fields(in, h->where, &cb))
		h->bad = 1;
	if (in != stdin)
		fclose(in);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"filename", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	struct hdr h = {0};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "h:H", longopts)) != -1) {
		if (o == 'h')
			cli_names_add(&h.names, optarg);
		else
			h.filename = 1;
	}
	if (optind == argc)
		one_file(&h, "-");
	for (int i = optind; i < argc; i++)
		one_file(&h, argv[i]);
	cli_names_free(&h.names);
	mime_buf_free(&h.line);
	mime_buf_free(&h.val);
	cli_flush_stdout();
	return h.bad ? EX_DATAERR : 0;
}
