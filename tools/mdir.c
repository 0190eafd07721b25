/* ember mdir: Maildir in the shell: deliver a message, list, print and
 * flag messages (lib/io's Maildir delivery; names and info flags per the
 * Maildir specification, https://cr.yp.to/proto/maildir.html). */
#define _GNU_SOURCE  /* renameat2 */
#include "cli.h"
#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "mdir",
	.summary = "deliver to a Maildir; list, print and flag its messages",
	.usage =
	"Usage: ember mdir deliver DIR\n"
	"       ember mdir list [--new|--cur] DIR\n"
	"       ember mdir get DIR ID\n"
	"       ember mdir flag DIR ID [--seen] [--replied] [--flagged] [--trashed]\n"
	"                              [--passed] [--draft]\n"
	"deliver: the message on stdin, byte for byte, into DIR/new/ (tmp/ first,\n"
	"fsync of the file and the directories; DIR, tmp/, new/ and cur/ are made\n"
	"when missing); prints the new file's name.\n"
	"list: the file names of the messages in new/ and cur/, in name order (oldest\n"
	"first), one a line.\n"
	"      --new              new/ only (not yet seen by a mail reader)\n"
	"      --cur              cur/ only\n"
	"get: the message ID on stdout: its file name, or the part before \":2,\", or\n"
	"the part before \",S=\".\n"
	"flag: move ID to cur/ with the info \":2,\" and its flags, the old ones and\n"
	"those given, in ASCII order; prints the new name.\n"
	"  -S, --seen   -R, --replied   -F, --flagged   -T, --trashed\n"
	"  -P, --passed -D, --draft\n"
	"  -h, --help, --version\n"
	"Exit status: 0 done; 64 usage; 65 a malformed ID; 66 no such Maildir or\n"
	"message; 73 cannot create the Maildir; 74 an I/O error.\n",
};

enum { OPT_NEW = 256, OPT_CUR };

/* ---- finding a message ---------------------------------------------------------- */

/* The unique part of a name: before the ":" of its info. */
static size_t unique_len(const char *name)
{
	const char *c = strchr(name, ':');
	return c ? (size_t)(c - name) : strlen(name);
}

/* An ID may be given as a name, a path (DIR/cur/NAME) or the unique part. */
static const char *id_name(const char *id)
{
	const char *s = strrchr(id, '/');
	const char *n = s ? s + 1 : id;
	if (!*n || n[0] == '.' || !unique_len(n))
		cli_die(EX_DATAERR, id, "not a message ID (a file name in new/ or cur/)");
	return n;
}

static int open_dir(const char *dir, const char *sub)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, sub);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		cli_die(errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_IOERR, dir, "%s",
			errno == ENOENT || errno == ENOTDIR ? "no such Maildir (no new/ and cur/)" : strerror(errno));
	return fd;
}

/* Look in new/ then cur/; sub gets "new" or "cur", name the file's name. */
static int find(const char *dir, const char *id, const char **sub, char *name, size_t len)
{
	const char *want = id_name(id);
	size_t wl = unique_len(want);
	static const char *subs[2] = {"new", "cur"};
	for (int i = 0; i < 2; i++) {
		int fd = open_dir(dir, subs[i]);
		DIR *d = fdopendir(fd);
		if (!d)
			cli_die(EX_IOERR, dir, "%s", strerror(errno));
		for (struct dirent *e; (e = readdir(d));) {
			size_t ul = unique_len(e->d_name);
			/* the unique part, or the part before its ",S=size" */
			if (e->d_name[0] == '.' || ul < wl || memcmp(e->d_name, want, wl) ||
			    (ul > wl && (e->d_name[wl] != ',' || memchr(want, ',', wl))))
				continue;
			snprintf(name, len, "%s", e->d_name);
			*sub = subs[i];
			closedir(d);
			return 0;
		}
		closedir(d);
	}
	cli_die(EX_NOINPUT, dir, "no message %s", want);
}

/* ---- the subcommands --------------------------------------------------------------- */

struct result {
	int status;
	char name[256];
	char err[512];
};

static void done(void *ctx, int status, const char *name, const char *err)
{
	struct result *r = ctx;
	r->status = status;
	if (status)
		snprintf(r->err, sizeof r->err, "%s", err);
	else
		snprintf(r->name, sizeof r->name, "%s", name);
}

static int deliver(const char *dir)
{
	char err[512];
	struct io_maildir *md = io_maildir_open(dir, 1, err, sizeof err);
	if (!md)
		cli_die(EX_CANTCREAT, NULL, "%s", err);
	struct io_maildir_msg *m = io_maildir_begin(md, err, sizeof err);
	if (!m)
		cli_die(EX_IOERR, NULL, "%s", err);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		io_maildir_write(m, buf, n);
	if (ferror(stdin)) {
		io_maildir_abort(m);
		io_maildir_close(md);
		cli_die(EX_IOERR, "stdin", "read error: %s", strerror(errno));
	}
	struct result r = {.status = -1};
	io_maildir_stage(m, done, &r);
	io_maildir_commit(md);
	io_maildir_close(md);
	if (r.status)
		cli_die(EX_IOERR, NULL, "%s", r.err);
	printf("%s\n", r.name);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *dir, int which)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	static const char *subs[2] = {"new", "cur"};
	for (int i = 0; i < 2; i++) {
		if (!(which & (1 << i)))
			continue;
		int fd = open_dir(dir, subs[i]);
		DIR *d = fdopendir(fd);
		if (!d)
			cli_die(EX_IOERR, dir, "%s", strerror(errno));
		for (struct dirent *e; (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				if (!(names = realloc(names, cap * sizeof *names)))
					cli_die(EX_SOFTWARE, NULL, "out of memory");
			}
			if (!(names[n++] = strdup(e->d_name)))
				cli_die(EX_SOFTWARE, NULL, "out of memory");
		}
		closedir(d);
	}
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int get(const char *dir, const char *id)
{
	const char *sub;
	char name[1024], p[6144];
	find(dir, id, &sub, name, sizeof name);
	snprintf(p, sizeof p, "%s/%s/%s", dir, sub, name);
	FILE *f = fopen(p, "rb");
	if (!f)
		cli_die(EX_NOINPUT, p, "%s", strerror(errno));
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		cli_write(stdout, buf, n);
	if (ferror(f))
		cli_die(EX_IOERR, p, "read error: %s", strerror(errno));
	fclose(f);
	return 0;
}

/* ":2," and the flags, old and new, in ASCII order, each once. */
static int flag(const char *dir, const char *id, const char *add)
{
	const char *sub;
	char name[1024], to[1100];
	find(dir, id, &sub, name, sizeof name);
	int have[128] = {0};
	const char *info = strchr(name, ':');
	if (info && !strncmp(info, ":2,", 3))
		for (const char *f = info + 3; *f; f++)
			if ((unsigned char)*f < 128 && *f > ' ')
				have[(unsigned char)*f] = 1;
	for (const char *f = add; *f; f++)
		have[(unsigned char)*f] = 1;
	size_t ul = unique_len(name), o;
	memcpy(to, name, ul);
	memcpy(to + ul, ":2,", 3);
	o = ul + 3;
	for (int c = 33; c < 127; c++)
		if (have[c])
			to[o++] = (char)c;
	to[o] = '\0';
	int from = open_dir(dir, sub), cur = open_dir(dir, "cur");
	if (strcmp(sub, "cur") || strcmp(name, to)) {
		if (renameat2(from, name, cur, to, RENAME_NOREPLACE) < 0)
			cli_die(EX_IOERR, dir, "%s/%s to cur/%s: %s", sub, name, to, strerror(errno));
		if (fsync(cur) < 0 || (strcmp(sub, "cur") && fsync(from) < 0))
			cli_die(EX_IOERR, dir, "fsync: %s", strerror(errno));
	}
	close(from);
	close(cur);
	printf("%s\n", to);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"new", no_argument, NULL, OPT_NEW}, {"cur", no_argument, NULL, OPT_CUR},
		{"seen", no_argument, NULL, 'S'}, {"replied", no_argument, NULL, 'R'},
		{"flagged", no_argument, NULL, 'F'}, {"trashed", no_argument, NULL, 'T'},
		{"passed", no_argument, NULL, 'P'}, {"draft", no_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	int which = 0, c;
	char flags[8] = "";
	size_t nf = 0;
	while ((c = cli_getopt(&cmd, argc, argv, "SRFTPD", longopts)) != -1) {
		switch (c) {
		case OPT_NEW: which |= 1; break;
		case OPT_CUR: which |= 2; break;
		default:
			if (!strchr(flags, c) && nf < sizeof flags - 1)
				flags[nf++] = (char)c;
			break;
		}
	}
	int n = argc - optind;
	char **a = argv + optind;
	if (n < 1)
		cli_usage_error("a subcommand: deliver, list, get or flag");
	const char *sub = a[0];
	int is_list = !strcmp(sub, "list"), is_flag = !strcmp(sub, "flag");
	if (which && !is_list)
		cli_usage_error("--new and --cur are options of list");
	if (nf && !is_flag)
		cli_usage_error("the flags are options of flag");
	if (which == 3)
		cli_usage_error("--new or --cur, not both");
	int rc;
	if (!strcmp(sub, "deliver")) {
		if (n != 2)
			cli_usage_error("deliver DIR");
		rc = deliver(a[1]);
	} else if (is_list) {
		if (n != 2)
			cli_usage_error("list [--new|--cur] DIR");
		rc = list(a[1], which ? which : 3);
	} else if (!strcmp(sub, "get")) {
		if (n != 3)
			cli_usage_error("get DIR ID");
		rc = get(a[1], a[2]);
	} else if (is_flag) {
		if (n != 3)
			cli_usage_error("flag DIR ID [--seen] [--replied] ...");
		rc = flag(a[1], a[2], flags);
	} else {
		cli_usage_error("unknown subcommand '%s' (deliver, list, get, flag)", sub);
	}
	cli_flush_stdout();
	return rc;
}
