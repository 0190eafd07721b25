/* ember crlf: line endings to CRLF, or back to LF, streaming. */
#include "cli.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cmd = {
	.name = "crlf",
	.summary = "convert line endings to CRLF (or to LF with --lf)",
	.usage =
	"Usage: ember crlf [--lf] [--buffer-size N] [FILE...]\n"
	"Copy each FILE (stdin when none, or -) to stdout with its line endings\n"
	"converted to CRLF: a bare LF becomes CRLF, an existing CRLF and a bare CR\n"
	"stay as they are. Every other byte is copied unchanged; memory use is\n"
	"constant whatever the size of the input.\n"
	"  -l, --lf             the other way: CRLF becomes LF (bare CR, LF unchanged)\n"
	"      --buffer-size N  read N bytes at a time (default 65536; the output\n"
	"                       is the same whatever N, 1 included)\n"
	"      --help, --version\n",
};

enum { BUFSZ = 65536, MAXBUF = 1 << 24 };

/* lib/mime's converter: the only state carried from one read buffer to the
 * next is whether the last byte was a CR. */
static void one_file(int lf, const char *path, char *in, char *out, size_t bufsz)
{
	FILE *f = cli_open(path);
	const char *where = strcmp(path, "-") ? path : "stdin";
	struct mime_eol c;
	mime_eol_init(&c, lf ? MIME_EOL_LF : MIME_EOL_CRLF, 0);
	size_t n;
	while ((n = fread(in, 1, bufsz, f)) > 0)
		cli_write(stdout, out, mime_eol_convert(&c, in, n, out));
	if (ferror(f))
		cli_die(EX_IOERR, where, "read error");
	cli_write(stdout, out, mime_eol_convert(&c, NULL, 0, out));  /* a CR that ended the file */
	if (f != stdin)
		fclose(f);
	else
		clearerr(stdin);
}

static size_t buffer_size(const char *arg)
{
	char *end;
	unsigned long long n = strtoull(arg, &end, 10);
	if (end == arg || *end || arg[0] == '-' || n < 1 || n > MAXBUF)
		cli_usage_error("--buffer-size: expected 1 to %d: '%s'", MAXBUF, arg);
	return (size_t)n;
}

int main(int argc, char **argv)
{
	enum { OPT_BUFSZ = 1 };
	static const struct option longopts[] = {
		{"lf", no_argument, NULL, 'l'},
		{"buffer-size", required_argument, NULL, OPT_BUFSZ},
		{NULL, 0, NULL, 0},
	};
	int lf = 0, o;
	size_t bufsz = BUFSZ;
	while ((o = cli_getopt(&cmd, argc, argv, "l", longopts)) != -1) {
		if (o == 'l')
			lf = 1;
		else if (o == OPT_BUFSZ)
			bufsz = buffer_size(optarg);
	}
	char *in = malloc(bufsz), *out = malloc(mime_eol_room(bufsz));
	if (!in || !out)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	if (optind == argc)
		one_file(lf, "-", in, out, bufsz);
	for (int i = optind; i < argc; i++)
		one_file(lf, argv[i], in, out, bufsz);
	free(in);
	free(out);
	cli_flush_stdout();
	return 0;
}
