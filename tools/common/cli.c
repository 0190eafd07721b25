/* ember commands: shared command-line helper; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef EMBER_VERSION
#define EMBER_VERSION "0"
#endif

static const struct cli_cmd *current;

const char *cli_name(void)
{
	return current ? current->name : "?";
}

static void vwarn(const char *where, const char *fmt, va_list ap)
{
	fprintf(stderr, "ember %s: ", cli_name());
	if (where)
		fprintf(stderr, "%s: ", where);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_warn(const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(where, fmt, ap);
	va_end(ap);
}

void cli_die(int status, const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(where, fmt, ap);
	va_end(ap);
	exit(status);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(NULL, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'ember %s --help'.\n", cli_name());
	exit(EX_USAGE);
}

enum { OPT_HELP = 0x1000, OPT_VERSION, OPT_SUMMARY };

/* The command's long options followed by the standard ones. */
static struct option *merge_options(const struct option *own)
{
	static const struct option std[] = {
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{"summary", no_argument, NULL, OPT_SUMMARY},
		{NULL, 0, NULL, 0},
	};
	size_t n = 0;
	while (own && own[n].name)
		n++;
	struct option *all = calloc(n + 4, sizeof *all);
	if (!all)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	if (n)
		memcpy(all, own, n * sizeof *all);
	memcpy(all + n, std, sizeof std);
	return all;
}

int cli_getopt(const struct cli_cmd *c, int argc, char **argv,
	       const char *shortopts, const struct option *longopts)
{
	static struct option *all;   /* built once per process */
	static char *shorts;
	current = c;
	if (!all) {
		all = merge_options(longopts);
		size_t n = strlen(shortopts);
		shorts = malloc(n + 4);
		if (!shorts)
			cli_die(EX_SOFTWARE, NULL, "out of memory");
		/* ':' first: report missing arguments distinctly */
		snprintf(shorts, n + 4, ":%s%s", shortopts, c->h_is_option ? "" : "h");
	}
	opterr = 0;
	int o = getopt_long(argc, argv, shorts, all, NULL);
	switch (o) {
	case 'h':
		if (c->h_is_option)
			return o;
		/* fall through */
	case OPT_HELP:
		fputs(c->usage, stdout);
		exit(0);
	case OPT_VERSION:
		printf("ember %s %s\n", c->name, EMBER_VERSION);
		exit(0);
	case OPT_SUMMARY:
		printf("%s\n", c->summary);
		exit(0);
	case ':':
		cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
	case '?':
		if (optopt)
			cli_usage_error("unknown option '-%c'", optopt);
		cli_usage_error("unknown option '%s'", argv[optind - 1]);
	}
	return o;
}

FILE *cli_open(const char *path)
{
	if (strcmp(path, "-") == 0)
		return stdin;
	FILE *f = fopen(path, "rb");
	if (!f)
		cli_die(EX_NOINPUT, path, "%s", strerror(errno));
	return f;
}

int cli_slurp(FILE *f, const char *where, char **data, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		cli_die(EX_SOFTWARE, where, "out of memory");
	for (;;) {
		if (cap - n < 2) {
			char *p = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
			if (!p)
				cli_die(EX_SOFTWARE, where, "out of memory");
			buf = p;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				cli_die(EX_IOERR, where, "read error: %s", strerror(errno));
			break;
		}
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

void cli_write(FILE *f, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, f) != n)
		cli_die(EX_IOERR, NULL, "write error: %s", strerror(errno));
}

void cli_flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		cli_die(EX_IOERR, NULL, "write error: %s", strerror(errno));
}

int cli_write_fd(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
