/* ember crlf: line endings to CRLF, or back to LF, streaming. */
#include "cli.h"

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

/* The only state carried from one read buffer to the next: whether the
 * last byte was a CR (so an LF at the start of the next buffer is the
 * second half of a CRLF). */
struct conv {
	int lf;  /* --lf */
	int cr;  /* the previous byte was a CR (--lf: a CR not yet written) */
};

/* To CRLF: out needs room for 2n bytes. */
static size_t to_crlf(struct conv *c, const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n' && !c->cr)
			out[o++] = '\r';
		out[o++] = in[i];
		c->cr = in[i] == '\r';
	}
	return o;
}

/* To LF: a CR is held back until the next byte shows whether it starts a
 * CRLF; out needs room for n + 1 bytes. */
static size_t to_lf(struct conv *c, const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (c->cr) {
			c->cr = 0;
			if (in[i] == '\n') {
				out[o++] = '\n';
				continue;
			}
			out[o++] = '\r';
		}
		if (in[i] == '\r')
			c->cr = 1;
		else
			out[o++] = in[i];
	}
	return o;
}

static void one_file(int lf, const char *path, unsigned char *in, unsigned char *out, size_t bufsz)
{
	FILE *f = cli_open(path);
	const char *where = strcmp(path, "-") ? path : "stdin";
	struct conv c = {.lf = lf};
	size_t n;
	while ((n = fread(in, 1, bufsz, f)) > 0) {
		size_t o = lf ? to_lf(&c, in, n, out) : to_crlf(&c, in, n, out);
		cli_write(stdout, out, o);
	}
	if (ferror(f))
		cli_die(EX_IOERR, where, "read error");
	if (lf && c.cr)
		cli_write(stdout, "\r", 1);  /* a CR that ended the file */
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
	unsigned char *in = malloc(bufsz), *out = malloc(2 * bufsz);
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
