/* ember field: add, remove and replace header fields, leaving every other
 * byte of the message as it is. */
#include "cli.h"
#include "mime.h"

#include <string.h>

static const struct cli_cmd cmd = {
	.name = "field",
	.summary = "add, remove or replace header fields; other bytes unchanged",
	.usage =
	"Usage: ember field [-a 'Name: value']... [--append 'Name: value']...\n"
	"                   [-r NAME]... [-R 'Name: value']... [FILE]\n"
	"Edit the header of the message in FILE (default stdin) and write it to\n"
	"stdout. Every byte not edited is copied unchanged.\n"
	"  -a, --add 'Name: value'      prepend a field above all others\n"
	"      --append 'Name: value'   add a field at the end of the header\n"
	"  -r, --remove NAME            remove every field of that name\n"
	"  -R, --replace 'Name: value'  replace the first field of that name in\n"
	"                               place (and remove the others); add it at\n"
	"                               the end of the header when absent\n"
	"Removals apply first, then replacements, then additions. A value longer\n"
	"than a line should be given folded (a line break followed by a space).\n"
	"When a line that is not a field ends the header, fields added at the end\n"
	"go before that line. An mbox \"From \" first line stays first.\n"
	"  -h, --help, --version\n"
	"Exit status: 0; 64 on a bad option or field; 65 when the header cannot be\n"
	"read, or --add meets a header whose first line is a continuation line\n"
	"(the new field would absorb it); 70 when memory runs out.\n",
};

enum { OPT_APPEND = 1 };

static void add(struct mime_editor *ed, int which, const char *arg)
{
	size_t n = strlen(arg);
	int r = which == 'a' ? mime_editor_prepend(ed, arg, n)
	      : which == 'R' ? mime_editor_replace(ed, arg, n)
	      : which == 'r' ? mime_editor_remove(ed, arg)
	      : mime_editor_append(ed, arg, n);
	if (r == MIME_ENOMEM)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	if (r)
		cli_usage_error(which == 'r' ? "not a field name: '%s'"
				: "not a header field (expected 'Name: value'): '%s'", arg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"add", required_argument, NULL, 'a'},
		{"append", required_argument, NULL, OPT_APPEND},
		{"remove", required_argument, NULL, 'r'},
		{"replace", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	static const struct mime_hdr_limits lim = {.flags = MIME_HDR_MBOX_FROM};
	struct mime_editor *ed = mime_editor_new(&lim);
	if (!ed)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "a:r:R:", longopts)) != -1)
		add(ed, o, optarg);
	if (argc - optind > 1)
		cli_usage_error("one message at a time");
	const char *where = optind < argc ? argv[optind] : "-";
	FILE *in = cli_open(where);
	static char buf[1 << 16];
	for (int done = 0; !done;) {
		size_t n = fread(buf, 1, sizeof buf, in);
		if (n == 0 && ferror(in))
			cli_die(EX_IOERR, where, "read error");
		done = n == 0;
		mime_editor_feed(ed, buf, n);
		const char *out;
		size_t len;
		int r;
		while ((r = mime_editor_next(ed, &out, &len)) > 0)
			cli_write(stdout, out, len);
		if (r < 0) {
			unsigned long line;
			enum mime_code code;
			const char *what = mime_editor_error(ed, &line, &code);
			cli_die(code == MIME_E_NOMEM ? EX_SOFTWARE : EX_DATAERR, where, "line %lu: %s",
				line, what);
		}
	}
	mime_editor_free(ed);
	cli_flush_stdout();
	return 0;
}
