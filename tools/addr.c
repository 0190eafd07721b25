/* ember addr: the mailboxes of address fields, one per line. */
#include "cli.h"
#include "fields.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct cli_cmd cmd = {
	.name = "addr",
	.summary = "list the mailboxes of From, To, Cc ... one per line",
	.usage =
	"Usage: ember addr [-h NAME[,NAME...]]... [-a] [--ascii] [FILE...]\n"
	"Print every mailbox of the address fields of each message (stdin when no\n"
	"FILE), one per line, as `Display Name <local@domain>` or `local@domain`,\n"
	"in the order the fields appear. Group members are listed one by one;\n"
	"routes and comments are dropped; display names are decoded to UTF-8.\n"
	"  -h NAME[,NAME...]   the fields to read (case-insensitive, repeatable);\n"
	"                      default From,Sender,Reply-To,To,Cc,Bcc\n"
	"  -a, --address-only  print only local@domain\n"
	"      --ascii         domains as A-labels (xn--), not U-labels\n"
	"      --help, --version\n"
	"A field that does not parse: its good mailboxes are printed, the problem\n"
	"is reported on stderr, and the exit status is 65 at the end.\n",
	.h_is_option = 1,
};

struct addr {
	char **names;
	size_t nnames;
	unsigned flags;
	int bad;
	const char *where;
	const struct mime_field *field;
};

static void add_names(struct addr *a, const char *arg)
{
	const char *p = arg;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n) {
			char **v = realloc(a->names, (a->nnames + 1) * sizeof *v);
			if (!v || !(v[a->nnames] = strndup(p, n)))
				cli_die(EX_SOFTWARE, NULL, "out of memory");
			a->names = v;
			a->nnames++;
		}
		p += n + (p[n] == ',');
	}
}

static int wanted(const struct addr *a, const struct mime_field *f)
{
	for (size_t i = 0; i < a->nnames; i++)
		if (strlen(a->names[i]) == f->name_len &&
		    strncasecmp(a->names[i], f->name, f->name_len) == 0)
			return 1;
	return 0;
}

/* "ember addr: FILE:LINE: what at byte N" (N: offset in the file) */
static void on_defect(void *ctx, uint64_t off, const char *what)
{
	struct addr *a = ctx;
	const struct mime_field *f = a->field;
	unsigned long line = f->line;
	for (uint64_t i = 0; i < off && i < f->value_len; i++)
		line += f->value[i] == '\n';
	uint64_t at = f->offset + (uint64_t)(f->value - f->raw) + off;
	char where[4096];
	snprintf(where, sizeof where, "%s:%lu", a->where, line);
	cli_warn(where, "%s at byte %llu", what, (unsigned long long)at);
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
	if (wanted(a, f))
		print_field(a, f);
}

static void one_file(struct addr *a, const char *path)
{
	FILE *in = cli_open(path);
	a->where = strcmp(path, "-") ? path : "stdin";
	if (cli_read_fields(in, a->where, on_field, a))
		a->bad = 1;
	if (in != stdin)
		fclose(in);
}

int main(int argc, char **argv)
{
	enum { OPT_ASCII = 1 };
	static const struct option longopts[] = {
		{"address-only", no_argument, NULL, 'a'},
		{"ascii", no_argument, NULL, OPT_ASCII},
		{NULL, 0, NULL, 0},
	};
	struct addr a = {0};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "ah:", longopts)) != -1) {
		if (o == 'h')
			add_names(&a, optarg);
		else
			a.flags |= o == 'a' ? MIME_ADDR_SPEC_ONLY : MIME_ADDR_ASCII;
	}
	if (!a.nnames)
		add_names(&a, "From,Sender,Reply-To,To,Cc,Bcc");
	if (optind == argc)
		one_file(&a, "-");
	for (int i = optind; i < argc; i++)
		one_file(&a, argv[i]);
	for (size_t i = 0; i < a.nnames; i++)
		free(a.names[i]);
	free(a.names);
	cli_flush_stdout();
	return a.bad ? EX_DATAERR : 0;
}
