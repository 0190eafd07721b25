/* ember commands: the shared command-line helper.
 * Each command describes itself once (name, one-line summary, usage) and
 * gets --help, --version and --summary (the line `ember --help` lists),
 * `ember CMD: where: what` diagnostics and sysexits.h statuses. */
#ifndef EMBER_CLI_H
#define EMBER_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <stddef.h>
#include <sysexits.h>

struct cli_cmd {
	const char *name;     /* "hdr": diagnostics say "ember hdr: ..." */
	const char *summary;  /* one line for `ember --help` */
	const char *usage;    /* full --help text: first line "Usage: ember hdr ..." */
	int h_is_option;      /* -h is the command's own option, not help */
};

/* getopt_long with the standard options added (--help, --version, --summary,
 * and -h unless h_is_option). Handles those itself (prints and exits 0) and
 * turns an unknown option or a missing argument into a usage error (64).
 * Otherwise returns what getopt_long returns. */
int cli_getopt(const struct cli_cmd *c, int argc, char **argv,
	       const char *shortopts, const struct option *longopts);

/* "ember CMD: where: what" (where may be NULL) on stderr. */
void cli_warn(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* cli_warn, then exit(status). */
_Noreturn void cli_die(int status, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Usage error: message, "Try 'ember CMD --help'", exit 64. */
_Noreturn void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Open FILE for reading ("-" is stdin); on failure report and exit 66. */
FILE *cli_open(const char *path);
/* Read all of f into a malloc'd buffer (NUL-terminated, not counted).
 * Returns 0, or exits 74 on a read error (70 when out of memory). */
int cli_slurp(FILE *f, const char *where, char **data, size_t *len);
/* Write all bytes; exits 74 on error (EPIPE included). */
void cli_write(FILE *f, const void *p, size_t n);
/* All of p to a blocking fd: short writes go on, EINTR again. 0, or -1
 * (errno). */
int cli_write_fd(int fd, const void *p, size_t n);
/* Flush stdout and exit 74 if anything failed to reach it. */
void cli_flush_stdout(void);

/* The command's name, as set by cli_getopt (for messages). */
const char *cli_name(void);

#endif
