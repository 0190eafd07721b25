/* ember extract: write parts of a message, transfer encoding undone, to
 * files or to stdout. */
#include "cli.h"
#include "msgio.h"
#include "spool.h"
#include "mime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "extract",
	.summary = "write decoded parts of a message to files or stdout",
	.usage =
	"Usage: ember extract -p PART [FILE]              (the part to stdout)\n"
	"       ember extract [-a] [-p PART]... [-o DIR] [-f] [FILE]\n"
	"Read a message (FILE, default stdin) and write parts of it with their\n"
	"transfer encoding (base64, quoted-printable) undone, bytes otherwise as\n"
	"they are. Parts are numbered as by 'ember descr': 1 is the message, 1.2\n"
	"the second part of its multipart, 1.2.1 the message inside a message/rfc822\n"
	"part 1.2.\n"
	"  -p, --part PART   this part (repeatable); alone, without -a and -o, it\n"
	"                    goes to stdout. A multipart part is written whole (its\n"
	"                    header too); a message/rfc822 part as the message it holds\n"
	"  -a, --all         every leaf part (every part that is not a multipart or\n"
	"                    a message), or every leaf inside the --part parts\n"
	"  -o, --output DIR  write files into DIR (default .; created if missing)\n"
	"  -f, --force       overwrite files that exist\n"
	"  -h, --help, --version\n"
	"Files are named by the part's file name (Content-Disposition filename, else\n"
	"Content-Type name) made safe: '/', '\\' and control characters become '_',\n"
	"runs of dots one dot, leading dots and spaces are dropped. A part without\n"
	"one is named part-NUMBER.EXT (part-1.1.txt, part-1.2.bin, ...); a name\n"
	"used twice gets -2, -3 ... before its extension. The names of the files\n"
	"written are printed, one per line. Exit status: 0; 64 on a bad option or\n"
	"part number; 65 when the message has no such part or cannot be read; 73\n"
	"when a file exists (nothing is written then) or cannot be created; 74 on\n"
	"a write error.\n",
};

#define MAX_DEPTH 80

/* The message streams through the parser: to stdout at once for a single
 * part, else twice (spool.h), once to name every file (so that nothing is
 * written when one exists), once to write them. Memory does not grow with
 * the parts' size. */
struct target {
	char *path;              /* part number */
	char *name;              /* file name, safe */
	char *file;              /* where it goes (NULL: stdout) */
	int fd;                  /* while it is written; -1 else */
	unsigned depth;
	int container;           /* a multipart or message: a slice of the input */
};

struct extract {
	char **parts;            /* --part */
	size_t nparts;
	int *found;              /* per --part */
	int all, force, to_stdout;
	const char *dir;         /* -o, or NULL */
	const char *where;
	struct spool in;
	int writing;             /* the second reading (or the only one, to stdout) */
	struct target *t;
	size_t nt, next;         /* targets; the next one the writing meets */
	long open[MAX_DEPTH];    /* per depth: target being written, or -1 */
	struct mime_buf header;  /* the raw header of the part being read */
};

/* ---- part numbers ---------------------------------------------------------- */

/* RFC 3501-style section numbers: 1, 1.2, 1.2.3 */
static int good_part(const char *s)
{
	for (;;) {
		if (*s < '1' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		if (!*s)
			return 1;
		if (*s++ != '.')
			return 0;
	}
}

/* path is part or lies under it */
static int under(const char *path, const char *part)
{
	size_t n = strlen(part);
	return !strncmp(path, part, n) && (path[n] == '\0' || path[n] == '.');
}

/* ---- file names ----------------------------------------------------------- */

static const char *extension(const char *type, const char *subtype, int container)
{
	static const char *const map[][3] = {
		{"text", "plain", "txt"}, {"text", "html", "html"}, {"text", "calendar", "ics"},
		{"image", "png", "png"}, {"image", "jpeg", "jpg"}, {"image", "gif", "gif"},
		{"application", "pdf", "pdf"}, {"application", "zip", "zip"},
		{"application", "pgp-signature", "asc"}, {"message", "rfc822", "eml"},
	};
	if (container)
		return "eml";
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(type, map[i][0]) && !strcmp(subtype, map[i][1]))
			return map[i][2];
	return !strcmp(type, "text") ? "txt" : "bin";
}

/* C0 and C1 controls (C1 as UTF-8: C2 80..C2 9F), DEL */
static size_t control_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (s[0] == 0xc2 && n > 1 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	return 0;
}

#define NAME_MAX_BYTES 200

/* Cut to NAME_MAX_BYTES, keeping a short extension and whole UTF-8 characters. */
static void shorten(struct mime_buf *b)
{
	if (b->len <= NAME_MAX_BYTES)
		return;
	const char *dot = strrchr(b->data, '.');
	size_t ext = dot && b->data + b->len - dot <= 16 ? (size_t)(b->data + b->len - dot) : 0;
	size_t keep = NAME_MAX_BYTES - ext;
	while (keep > 0 && ((unsigned char)b->data[keep] & 0xc0) == 0x80)
		keep--;
	memmove(b->data + keep, b->data + b->len - ext, ext);
	b->len = keep + ext;
	b->data[b->len] = '\0';
}

/* A name that stays inside DIR and is no hidden or special file. */
static char *safe_name(const char *name)
{
	struct mime_buf b = {0};
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name);
	for (size_t i = 0; i < n;) {
		size_t c = control_len(s + i, n - i);
		char ch = c ? '_' : s[i] == '/' || s[i] == '\\' ? '_' : (char)s[i];
		i += c ? c : 1;
		if (ch == '.' && b.len && b.data[b.len - 1] == '.')
			continue;  /* no ".." */
		if ((ch == '.' || ch == ' ') && !b.len)
			continue;  /* no leading dot */
		msg_append(&b, &ch, 1);
	}
	if (!b.len) {
		mime_buf_free(&b);
		return NULL;
	}
	shorten(&b);
	return b.data;
}

/* The part's file name made safe; RFC 2047 encoded words, which many
 * mailers put in quoted filename parameters against RFC 2047 5, decoded. */
static char *file_name(const char *given)
{
	if (!strstr(given, "=?"))
		return safe_name(given);
	struct mime_buf d = {0};
	if (mime_rfc2047_decode_text(given, strlen(given), &d, NULL))
		msg_oom();
	char *s = safe_name(d.data ? d.data : "");
	mime_buf_free(&d);
	return s;
}

static char *default_name(const char *path, const struct mime_part_info *pi, int container)
{
	size_t n = strlen(path) + 32;
	char *s = malloc(n);
	if (!s)
		msg_oom();
	snprintf(s, n, "part-%s.%s", path, extension(pi->type, pi->subtype, container));
	return s;
}

static int name_used(const struct extract *x, const char *name, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (!strcmp(x->t[i].name, name))
			return 1;
	return 0;
}

/* A name taken earlier in this run: "stem-2.ext", "stem-3.ext", ... */
static void make_unique(struct extract *x, size_t i)
{
	char *name = x->t[i].name;
	if (!name_used(x, name, i))
		return;
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	size_t n = strlen(name) + 24;
	char *s = malloc(n);
	if (!s)
		msg_oom();
	for (unsigned k = 2;; k++) {
		snprintf(s, n, "%.*s-%u%s", (int)stem, name, k, name + stem);
		if (!name_used(x, s, i))
			break;
	}
	free(name);
	x->t[i].name = s;
}

/* ---- writing ---------------------------------------------------------------------- */

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = malloc(n);
	if (!s)
		msg_oom();
	snprintf(s, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return s;
}

static void write_all(int fd, const char *path, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			cli_die(EX_IOERR, path, "write error: %s", w < 0 ? strerror(errno) : "no progress");
		p += w;
		n -= (size_t)w;
	}
}

static void target_write(const struct target *t, const char *p, size_t n)
{
	if (!n)
		return;
	if (t->fd < 0)
		cli_write(stdout, p, n);
	else
		write_all(t->fd, t->file, p, n);
}

/* O_EXCL: never through a symlink, never over a file that appeared since
 * the check; with --force the old file is removed first. */
static int create_file(const struct extract *x, const char *path)
{
	struct stat st;
	if (x->force && lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			cli_die(EX_CANTCREAT, path, "is a directory");
		if (unlink(path))
			cli_die(EX_CANTCREAT, path, "cannot remove: %s", strerror(errno));
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		cli_die(EX_CANTCREAT, path, "%s%s", strerror(errno),
			errno == EEXIST ? " (--force overwrites it)" : "");
	return fd;
}

static void target_close(struct target *t)
{
	if (t->fd >= 0 && close(t->fd))
		cli_die(EX_IOERR, t->file, "write error: %s", strerror(errno));
	t->fd = -1;
}

/* ---- parsing ------------------------------------------------------------------ */

static int selected(struct extract *x, const struct mime_part_info *pi, int leaf)
{
	int hit = 0, in = x->nparts == 0;
	for (size_t i = 0; i < x->nparts; i++) {
		if (!strcmp(pi->path, x->parts[i]))
			hit = x->found[i] = 1;
		if (under(pi->path, x->parts[i]))
			in = 1;
	}
	return x->all ? leaf && in : hit;
}

/* The first reading: a target is named. */
static void add_target(struct extract *x, const struct mime_event *ev, int container)
{
	const struct mime_part_info *pi = ev->part;
	struct target *v = realloc(x->t, (x->nt + 1) * sizeof *v);
	if (!v)
		msg_oom();
	x->t = v;
	struct target *t = &x->t[x->nt++];
	*t = (struct target){.depth = ev->depth, .container = container, .fd = -1};
	t->path = strdup(pi->path);
	if (!t->path)
		msg_oom();
	t->name = pi->filename ? file_name(pi->filename) : NULL;
	if (!t->name)
		t->name = default_name(pi->path, pi, container);
}

/* A part's header is over: is it a target? While writing, it opens: a
 * multipart is written whole, its header too; a message/rfc822 part as the
 * message it holds, after its header. */
static void begin_part(struct extract *x, const struct mime_event *ev)
{
	const struct mime_part_info *pi = ev->part;
	int container = pi->multipart || pi->message;
	if (ev->depth >= MAX_DEPTH || !selected(x, pi, !container))
		return;
	if (!x->writing) {
		add_target(x, ev, container);
		return;
	}
	if (x->next == x->nt)  /* stdout: the first reading is this one */
		add_target(x, ev, container);
	struct target *t = &x->t[x->next];
	if (t->file) {
		t->fd = create_file(x, t->file);
		printf("%s\n", t->file);
	}
	if (container && !pi->message)
		target_write(t, x->header.data, x->header.len);
	x->open[ev->depth] = (long)x->next++;
}

/* Each open container takes every raw byte; a leaf its decoded body. */
static void on_event(struct extract *x, const struct mime_event *ev)
{
	if (ev->type == MIME_PART_BEGIN)
		mime_buf_reset(&x->header);
	if (ev->type == MIME_FIELD || ev->type == MIME_HEADER_END)
		msg_append(&x->header, ev->raw, ev->raw_len);
	for (unsigned d = 0; x->writing && d <= ev->depth && d < MAX_DEPTH; d++) {
		long i = x->open[d];
		if (i < 0)
			continue;
		struct target *t = &x->t[i];
		if (t->container && ev->type != MIME_PART_END)
			target_write(t, ev->raw, ev->raw_len);
		else if (!t->container && ev->type == MIME_BODY && ev->body_kind == MIME_BODY_LEAF)
			target_write(t, ev->data, ev->len);
	}
	if (ev->type == MIME_HEADER_END)
		begin_part(x, ev);
	if (ev->type == MIME_PART_END && ev->depth < MAX_DEPTH && x->open[ev->depth] >= 0) {
		target_close(&x->t[x->open[ev->depth]]);
		x->open[ev->depth] = -1;
	}
}

/* One reading of the message. */
static void scan(struct extract *x)
{
	for (size_t d = 0; d < MAX_DEPTH; d++)
		x->open[d] = -1;
	struct mime_parser *p = mime_parser_new(NULL, MIME_DECODE_CTE | MIME_MBOX_FROM);
	if (!p)
		msg_oom();
	static char buf[1 << 16];
	for (int done = 0; !done;) {
		size_t n = spool_read(&x->in, buf, sizeof buf);
		mime_parser_feed(p, buf, n);
		struct mime_event ev;
		enum mime_ev e;
		while (!done && (e = mime_parser_next(p, &ev)) != MIME_AWAIT) {
			if (e == MIME_END) {
				done = 1;
			} else if (e == MIME_ERROR) {
				if (ev.code == MIME_E_NOMEM)
					msg_oom();
				cli_die(EX_DATAERR, x->where, "line %lu: %s", ev.line, ev.message);
			} else {
				on_event(x, &ev);
			}
		}
	}
	mime_parser_free(p);
	for (size_t i = 0; i < x->nparts; i++)
		if (!x->found[i])
			cli_die(EX_DATAERR, x->where, "the message has no part %s", x->parts[i]);
}

/* mkdir -p */
static void make_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			cli_die(EX_CANTCREAT, dir, "not a directory");
		return;
	}
	char *s = strdup(dir);
	if (!s)
		msg_oom();
	for (char *p = s + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(s, 0777) && errno != EEXIST)
			cli_die(EX_CANTCREAT, s, "cannot create: %s", strerror(errno));
		*p = '/';
	}
	if (mkdir(s, 0777) && errno != EEXIST)
		cli_die(EX_CANTCREAT, dir, "cannot create: %s", strerror(errno));
	free(s);
}

/* After the first reading: every name (nothing is written when one exists). */
static void name_files(struct extract *x)
{
	const char *dir = x->dir ? x->dir : ".";
	if (x->dir)
		make_dir(x->dir);
	for (size_t i = 0; i < x->nt; i++) {
		make_unique(x, i);
		x->t[i].file = x->dir ? join(dir, x->t[i].name) : strdup(x->t[i].name);
		if (!x->t[i].file)
			msg_oom();
		struct stat st;
		if (!x->force && lstat(x->t[i].file, &st) == 0)
			cli_die(EX_CANTCREAT, x->t[i].file, "exists (--force overwrites it); "
				"nothing was written");
	}
}

/* ---- main ----------------------------------------------------------------------------- */

static void parse_options(struct extract *x, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"part", required_argument, NULL, 'p'},
		{"all", no_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	int o;
	x->parts = calloc((size_t)argc + 1, sizeof *x->parts);
	x->found = calloc((size_t)argc + 1, sizeof *x->found);
	if (!x->parts || !x->found)
		msg_oom();
	while ((o = cli_getopt(&cmd, argc, argv, "p:ao:f", longopts)) != -1) {
		switch (o) {
		case 'p':
			if (!good_part(optarg))
				cli_usage_error("--part: not a part number like 1.2: '%s'", optarg);
			x->parts[x->nparts++] = optarg;
			break;
		case 'a': x->all = 1; break;
		case 'o': x->dir = optarg; break;
		case 'f': x->force = 1; break;
		}
	}
	if (!x->all && !x->nparts)
		cli_usage_error("which parts? give --part PART or --all");
	if (x->dir && !*x->dir)
		cli_usage_error("--output: an empty directory name");
	if (argc - optind > 1)
		cli_usage_error("one message at a time");
	x->where = optind < argc ? argv[optind] : "-";
}

int main(int argc, char **argv)
{
	struct extract x = {0};
	parse_options(&x, argc, argv);
	FILE *f = cli_open(x.where);
	x.to_stdout = !x.all && !x.dir && x.nparts == 1;
	if (x.to_stdout) {
		x.in = (struct spool){.f = f, .where = x.where};
		x.writing = 1;
		scan(&x);
	} else {
		spool_open(&x.in, f, x.where);
		scan(&x);
		name_files(&x);
		spool_rewind(&x.in);
		x.writing = 1;
		memset(x.found, 0, (size_t)argc * sizeof *x.found);
		scan(&x);
		spool_close(&x.in);
	}
	if (f != stdin)
		fclose(f);
	cli_flush_stdout();
	for (size_t i = 0; i < x.nt; i++) {
		free(x.t[i].path);
		free(x.t[i].name);
		free(x.t[i].file);
	}
	free(x.t);
	free(x.parts);
	free(x.found);
	mime_buf_free(&x.header);
	return 0;
}
