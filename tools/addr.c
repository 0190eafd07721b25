/* ember addr: the mailboxes of address fields, one per line. */
#include "cli.h"
#include "fields.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cmd = {
	.name = "addr",
	.summary = "list the mailboxes of From, To, Cc ... one per line",
	.usage =
	"Usage: ember addr [-h NAME[,NAME...]]... [-a] [--ascii] [FILE...]\n"
	"       ember addr --author [FILE...]\n"
	"Print every mailbox of the address fields of each message (stdin when no\n"
	"FILE), one per line, as `Display Name <local@domain>` or `local@domain`,\n"
	"in the order the fields appear. Group members are listed one by one;\n"
	"routes and comments are dropped; display names are decoded to UTF-8.\n"
	"  -h NAME[,NAME...]   the fields to read (case-insensitive, repeatable,\n"
	"                      ':' separates too); default From,Sender,Reply-To,\n"
	"                      To,Cc,Bcc\n"
	"  -a, --address-only  print only local@domain\n"
	"      --ascii         domains as A-labels (xn--), not U-labels\n"
	"      --author        the author as authentication reads it (DMARC): one\n"
	"                      line, `local@domain A-LABEL-DOMAIN`, when the header\n"
	"                      has exactly one From field with exactly one mailbox\n"
	"                      and no structural defect; else exit 65 with the\n"
	"                      reason (several From fields, several mailboxes in\n"
	"                      From, no From field, group in From, malformed From,\n"
	"                      ...). With several FILEs, each line starts with the\n"
	"                      file name and a TAB\n"
	"      --help, --version\n"
	"A field that does not parse: its good mailboxes are printed, the problem\n"
	"is reported on stderr, and the exit status is 65 at the end. What was\n"
	"wrong in the header and tolerated (a line that is not a field, which ends\n"
	"the header; a repeated From; ...) is reported on stderr as FILE:LINE: what.\n",
	.h_is_option = 1,
};

struct addr {
	struct cli_names names;
	unsigned flags;
	int author;            /* --author */
	int several;           /* several FILEs */
	int bad;
	const char *where;
	const struct mime_field *field;
	struct mime_author au;
};

/* "ember addr: FILE:LINE: what at byte N" (N: offset in the file) */
static void on_defect(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	struct addr *a = ctx;
	(void)code;
	cli_warn_in_value(a->where, a->field, off, what);
	a->bad = 1;
}

static void print_field(struct addr *a, const struct mime_field *f)
{
	struct mime_address_list l;
	struct mime_defects df = {.fn = on_defect, .ctx = a};
	struct mime_buf line = {0};
	a->field = f;
	if (mime_address_list_parse_tolerant(f->value, f->value_len, &l, &df))
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	for (size_t i = 0; i < l.count; i++)
		for (size_t j = 0; j < l.items[i].count; j++) {
			mime_buf_reset(&line);
			if (mime_mailbox_print(&l.items[i].mailboxes[j], a->flags, &line) ||
			    mime_buf_putc(&line, '\n'))
				cli_die(EX_SOFTWARE, NULL, "out of memory");
			cli_write(stdout, line.data, line.len);
		}
	mime_buf_free(&line);
	mime_address_list_free(&l);
}

static void on_field(void *ctx, const struct mime_field *f)
{
	struct addr *a = ctx;
	if (a->author)
		mime_author_field(&a->au, f);
	else if (cli_names_has(&a->names, f->name, f->name_len))
		print_field(a, f);
}

static void on_header_defect(void *ctx, const struct mime_field *d)
{
	struct addr *a = ctx;
	if (a->author)
		mime_author_defect(&a->au, d);
}

/* --author: "local@domain a-label" or the reason. */
static void print_author(struct addr *a, const char *path)
{
	enum mime_author_status st = mime_author_finish(&a->au);
	if (st == MIME_AUTHOR_NOMEM)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	if (st != MIME_AUTHOR_OK) {
		char what[512];
		snprintf(what, sizeof what, "%s%s%s", mime_author_reason(st),
			 a->au.detail ? ": " : "", a->au.detail ? a->au.detail : "");
		if (st == MIME_AUTHOR_NO_FROM)
			cli_warn(a->where, "%s", what);
		else
			cli_warn_at(a->where, a->au.line, what);
		a->bad = 1;
		return;
	}
	if (a->several)
		printf("%s\t", path);
	printf("%s %s\n", a->au.address.data, a->au.domain.data);
}

static void one_file(struct addr *a, const char *path)
{
	FILE *in = cli_open(path);
	a->where = strcmp(path, "-") ? path : "stdin";
	/* --author says one thing: the author, or why there is none */
	struct cli_fields cb = {.field = on_field, .defect = on_header_defect, .ctx = a,
				.quiet = a->author};
	if (a->author)
		mime_author_init(&a->au);
	if (cli_read_fields(in, a->where, &cb))
		a->bad = 1;
	else if (a->author)
		print_author(a, path);
	if (a->author)
		mime_author_free(&a->au);
	if (in != stdin)
		fclose(in);
}

int main(int argc, char **argv)
{
	enum { OPT_ASCII = 1, OPT_AUTHOR };
	static const struct option longopts[] = {
		{"address-only", no_argument, NULL, 'a'},
		{"ascii", no_argument, NULL, OPT_ASCII},
		{"author", no_argument, NULL, OPT_AUTHOR},
		{NULL, 0, NULL, 0},
	};
	struct addr a = {0};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "ah:", longopts)) != -1) {
		if (o == 'h')
			cli_names_add(&a.names, optarg);
		else if (o == OPT_AUTHOR)
			a.author = 1;
		else
			a.flags |= o == 'a' ? MIME_ADDR_SPEC_ONLY : MIME_ADDR_ASCII;
	}
	if (a.author && (a.names.n || a.flags))
		cli_usage_error("--author reads From alone: no -h, -a or --ascii with it");
	if (!a.names.n)
		cli_names_add(&a.names, "From,Sender,Reply-To,To,Cc,Bcc");
	a.several = argc - optind > 1;
	if (optind == argc)
		one_file(&a, "-");
	for (int i = optind; i < argc; i++)
		one_file(&a, argv[i]);
	cli_names_free(&a.names);
	cli_flush_stdout();
	return a.bad ? EX_DATAERR : 0;
}
