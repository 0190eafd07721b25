/* ember corpus: generate conforming messages; check the round trips of the
 * parser and the model over a corpus. The generator and the checker live
 * in corpus/; this is the command around them (files, mbox, progress). */
#include "cli.h"
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "corpus",
	.summary = "generate a corpus of conforming messages; check round trips",
	.usage =
	"Usage: ember corpus gen [--seed S] [-n N] [--first K] [-o DIR | --mbox FILE | -]\n"
	"       ember corpus check [-k DIR] [-j N] [DIR | MBOX | FILE... | -]\n"
	"gen writes N messages (default 1000) that follow RFC 5322, 2045-2049, 2047,\n"
	"2231 and 6532; the same seed (default 1) gives the same bytes. Message K\n"
	"depends only on the seed and K: --first K starts there (default 1).\n"
	"  -s, --seed S       the corpus seed (an unsigned 64-bit number)\n"
	"  -n, --count N      how many messages\n"
	"      --first K      the number of the first message\n"
	"  -o, --dir DIR      one file per message, DIR/0000001.eml ...\n"
	"  -m, --mbox FILE    an mboxrd file\n"
	"  -                  mboxrd on stdout (the default)\n"
	"check reads messages (stdin when no argument: an mboxrd stream, read one\n"
	"message at a time; a directory: every regular file, sorted; a file: an mbox\n"
	"when it starts with \"From \", else one message) and checks for each that\n"
	"the parser's raw bytes give it back byte for byte, and that\n"
	"parse(print(parse(x))) == parse(x) in the model. Each failure is reported\n"
	"on stderr; the last line on stdout is\n"
	"  N checked, F failed, S seconds, R MB/s\n"
	"  -k, --keep DIR     write each failing message into DIR\n"
	"  -j, --jobs N       check with N threads (default: one per processor)\n"
	"      --help, --version\n"
	"Exit status: 0 all passed, 1 some failed, 65 an input is not mail,\n"
	"66 an input cannot be opened, 64 usage.\n",
};

static void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t number(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-')
		cli_usage_error("%s: not a number: '%s'", opt, s);
	return (uint64_t)v;
}

/* ---- gen ------------------------------------------------------------------------ */

struct gen_opts {
	uint64_t seed, count, first;
	const char *dir, *mbox;
};

static void write_file(const char *path, const struct mime_buf *b)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		cli_die(EX_CANTCREAT, path, "%s", strerror(errno));
	if ((b->len && fwrite(b->data, 1, b->len, f) != b->len) | fclose(f))
		cli_die(EX_IOERR, path, "write error: %s", strerror(errno));
}

static void progress(const char *what, uint64_t done, uint64_t total)
{
	fprintf(stderr, "\rember corpus: %s %llu/%llu", what, (unsigned long long)done,
		(unsigned long long)total);
}

/* One message: generated, then into its file or the mbox buffer. */
static void gen_one(const struct gen_opts *o, struct corpus_gen *g, uint64_t k,
		    struct mime_buf *msg, struct mime_buf *pending)
{
	mime_buf_reset(msg);
	int r = corpus_gen_message(g, k, msg);
	if (r == -1)
		oom();
	if (r)
		cli_die(EX_SOFTWARE, NULL, "message %llu: a library printer refused a value",
			(unsigned long long)k);
	if (o->dir) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%07llu.eml", o->dir, (unsigned long long)k);
		write_file(path, msg);
	} else if (corpus_mbox_put(pending, msg->data, msg->len)) {
		oom();
	}
}

static int run_gen(const struct gen_opts *o)
{
	struct corpus_gen *g = corpus_gen_new(o->seed);
	FILE *out = stdout;
	if (!g)
		oom();
	if (o->dir && mkdir(o->dir, 0777) && errno != EEXIST)
		cli_die(EX_CANTCREAT, o->dir, "%s", strerror(errno));
	if (o->mbox && !(out = fopen(o->mbox, "wb")))
		cli_die(EX_CANTCREAT, o->mbox, "%s", strerror(errno));
	/* progress on a terminal, but not into a pipe: in gen | check, the
	   checker shows it */
	struct stat st;
	int tty = isatty(2) && (o->dir || o->mbox || fstat(1, &st) || !S_ISFIFO(st.st_mode));
	struct mime_buf msg = {0}, pending = {0};
	for (uint64_t i = 0; i < o->count; i++) {
		gen_one(o, g, o->first + i, &msg, &pending);
		if (pending.len >= (1u << 20) || i + 1 == o->count) {
			cli_write(out, pending.data, pending.len);
			mime_buf_reset(&pending);
		}
		if (tty && (i + 1) % 1000 == 0)
			progress("gen", i + 1, o->count);
	}
	if (tty && o->count >= 1000)
		fputc('\n', stderr);
	if (o->mbox && fclose(out))
		cli_die(EX_IOERR, o->mbox, "write error: %s", strerror(errno));
	if (!o->mbox)
		cli_flush_stdout();
	mime_buf_free(&msg);
	mime_buf_free(&pending);
	corpus_gen_free(g);
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'}, {"count", required_argument, NULL, 'n'},
		{"first", required_argument, NULL, 'F'}, {"dir", required_argument, NULL, 'o'},
		{"mbox", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0},
	};
	struct gen_opts o = {.seed = 1, .count = 1000, .first = 1};
	int c, outs = 0;
	while ((c = cli_getopt(&cmd, argc, argv, "s:n:o:m:", longopts)) != -1) {
		switch (c) {
		case 's': o.seed = number("--seed", optarg); break;
		case 'n': o.count = number("-n", optarg); break;
		case 'F': o.first = number("--first", optarg); break;
		case 'o': o.dir = optarg; outs++; break;
		case 'm': o.mbox = optarg; outs++; break;
		}
	}
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "-") != 0)
			cli_usage_error("gen: unexpected argument '%s'", argv[optind]);
		outs++;
	}
	if (outs > 1)
		cli_usage_error("gen: give one output: -o DIR, --mbox FILE or -");
	if (o.first == 0)
		cli_usage_error("--first: messages are numbered from 1");
	return run_gen(&o);
}

/* ---- check --------------------------------------------------------------------------- */

/* Messages are checked in batches, by --jobs threads at once (each with its
 * own checker: lib/mime has no global state); results are reported in
 * input order, so the output does not depend on the number of threads. */
#define BATCH 256
#define MAX_JOBS 64

struct item {
	struct mime_buf msg, name;
	uint64_t n;               /* message number: picks the raw check's chunking */
	struct corpus_result res;
	int err;
};

struct check {
	struct corpus_checker *ck[MAX_JOBS];
	int jobs;
	const char *keep;
	uint64_t checked, failed, bytes;
	int not_mail, tty;
	double start;
	struct mime_buf msg;
	struct item batch[BATCH];
	size_t nbatch;
	atomic_size_t next;       /* the next item a worker takes */
};

static void keep_message(struct check *c, const struct mime_buf *msg)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/fail-%06llu.eml", c->keep, (unsigned long long)c->failed);
	write_file(path, msg);
}

static void show_progress(struct check *c)
{
	double s = now() - c->start;
	fprintf(stderr, "\rember corpus: %llu checked, %llu failed, %.0f MB/s ",
		(unsigned long long)c->checked, (unsigned long long)c->failed,
		s > 0 ? (double)c->bytes / 1e6 / s : 0.0);
}

struct worker {
	struct check *c;
	int id;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct check *c = w->c;
	for (size_t i; (i = atomic_fetch_add(&c->next, 1)) < c->nbatch;) {
		struct item *it = &c->batch[i];
		it->err = corpus_check(c->ck[w->id], it->msg.data ? it->msg.data : "", it->msg.len,
				       it->n, &it->res);
	}
	return NULL;
}

/* Check the batch (the calling thread is worker 0), then report in order. */
static void run_batch(struct check *c)
{
	pthread_t th[MAX_JOBS];
	struct worker w[MAX_JOBS];
	int started = 0;
	atomic_store(&c->next, 0);
	for (int j = 0; j < c->jobs; j++)
		w[j] = (struct worker){c, j};
	for (int j = 1; j < c->jobs && (size_t)j < c->nbatch; j++, started++)
		if (pthread_create(&th[j], NULL, work, &w[j]))
			break;
	work(&w[0]);
	for (int j = 1; j <= started; j++)
		pthread_join(th[j], NULL);
	for (size_t i = 0; i < c->nbatch; i++) {
		struct item *it = &c->batch[i];
		if (it->err)
			oom();
		c->checked++;
		c->bytes += it->msg.len;
		if (it->res.verdict == CORPUS_OK)
			continue;
		char why[256];
		corpus_result_text(&it->res, why, sizeof why);
		c->failed++;
		if (c->tty)
			fputc('\n', stderr);
		cli_warn(it->name.data, "%s", why);
		if (c->keep)
			keep_message(c, &it->msg);
	}
	c->nbatch = 0;
	if (c->tty)
		show_progress(c);
}

/* Queue one message (copied) for checking. */
static void check_one(struct check *c, const char *name, const char *msg, size_t len)
{
	struct item *it = &c->batch[c->nbatch];
	mime_buf_reset(&it->msg);
	mime_buf_reset(&it->name);
	if (mime_buf_append(&it->msg, msg, len) || mime_buf_puts(&it->name, name))
		oom();
	it->n = c->checked + c->nbatch;
	if (++c->nbatch == BATCH)
		run_batch(c);
}

/* Every message of an mbox whose reader is open. */
static void check_mbox_messages(struct check *c, struct corpus_mbox *m, const char *name)
{
	int r;
	while ((r = corpus_mbox_next(m, &c->msg)) == 1) {
		char where[4200];
		snprintf(where, sizeof where, "%s:%llu", name, (unsigned long long)m->count);
		check_one(c, where, c->msg.data ? c->msg.data : "", c->msg.len);
	}
	if (r == -1)
		cli_die(EX_IOERR, name, "read error: %s", strerror(errno));
}

/* A mail message has a header: the parser's header reader does not end it
 * before the first line (which would make the whole file a body). */
static int has_header(const char *s, size_t n)
{
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	if (!r)
		oom();
	mime_hdr_reader_feed(r, s, n);
	struct mime_field f;
	enum mime_hdr_ev ev = mime_hdr_reader_next(r, &f);
	if (ev == MIME_HDR_AWAIT) {
		mime_hdr_reader_feed(r, NULL, 0);
		ev = mime_hdr_reader_next(r, &f);
	}
	int none = n == 0 || (ev == MIME_HDR_DEFECT && f.offset == 0 &&
			      (f.code == MIME_D_NOT_A_FIELD || f.code == MIME_D_FIELD_NAME_BYTE));
	mime_hdr_reader_free(r);
	return !none;
}

/* Not an mbox: one message, the bytes the reader looked at first included. */
static void check_single(struct check *c, struct corpus_mbox *m, FILE *f, const char *name)
{
	char *rest;
	size_t len;
	cli_slurp(f, name, &rest, &len);
	mime_buf_reset(&c->msg);
	if (mime_buf_append(&c->msg, m->buf + m->start, m->end - m->start) ||
	    mime_buf_append(&c->msg, rest, len))
		oom();
	free(rest);
	if (!has_header(c->msg.data, c->msg.len)) {
		cli_warn(name, "not a mail message (no header field on the first line)");
		c->not_mail = 1;
	} else {
		check_one(c, name, c->msg.data, c->msg.len);
	}
}

/* stdin: an mboxrd stream; a file: an mbox or one message. */
static void check_stream(struct check *c, FILE *f, const char *name, int mbox_only)
{
	struct corpus_mbox m;
	int r = corpus_mbox_open(&m, f);
	if (r == -1)
		cli_die(EX_IOERR, name, "read error: %s", strerror(errno));
	if (r == 0) {
		check_mbox_messages(c, &m, name);
	} else if (mbox_only) {
		cli_warn(name, "not an mbox (it does not start with \"From \")");
		c->not_mail = 1;
	} else {
		check_single(c, &m, f, name);
	}
	corpus_mbox_close(&m);
}

static void check_file(struct check *c, const char *path)
{
	FILE *f = cli_open(path);
	check_stream(c, f, path, 0);
	fclose(f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_dir(struct check *c, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		cli_die(EX_NOINPUT, dir, "%s", strerror(errno));
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		char **v = realloc(names, (n + 1) * sizeof *v);
		if (!v || !(v[n] = strdup(path)))
			oom();
		names = v;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		check_file(c, names[i]);
		free(names[i]);
	}
	free(names);
}

static void check_path(struct check *c, const char *path)
{
	struct stat st;
	if (!strcmp(path, "-"))
		check_stream(c, stdin, "stdin", 1);
	else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		check_dir(c, path);
	else
		check_file(c, path);
}

static int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"keep", required_argument, NULL, 'k'}, {"jobs", required_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	static struct check c;   /* large: the batch */
	c.tty = isatty(2);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c.jobs = cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (int)cpus;
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "k:j:", longopts)) != -1) {
		if (o == 'k')
			c.keep = optarg;
		if (o == 'j' && ((c.jobs = (int)number("--jobs", optarg)) < 1 || c.jobs > MAX_JOBS))
			cli_usage_error("--jobs: 1 to %d", MAX_JOBS);
	}
	if (c.keep && mkdir(c.keep, 0777) && errno != EEXIST)
		cli_die(EX_CANTCREAT, c.keep, "%s", strerror(errno));
	for (int j = 0; j < c.jobs; j++)
		if (!(c.ck[j] = corpus_checker_new()))
			oom();
	c.start = now();
	if (optind == argc)
		check_path(&c, "-");
	for (; optind < argc; optind++)
		check_path(&c, argv[optind]);
	if (c.nbatch)
		run_batch(&c);
	double s = now() - c.start;
	if (c.tty && c.checked)
		fputc('\n', stderr);
	printf("%llu checked, %llu failed, %.1f seconds, %.1f MB/s\n",
	       (unsigned long long)c.checked, (unsigned long long)c.failed, s,
	       s > 0 ? (double)c.bytes / 1e6 / s : 0.0);
	cli_flush_stdout();
	for (int j = 0; j < c.jobs; j++)
		corpus_checker_free(c.ck[j]);
	for (size_t i = 0; i < BATCH; i++) {
		mime_buf_free(&c.batch[i].msg);
		mime_buf_free(&c.batch[i].name);
	}
	mime_buf_free(&c.msg);
	return c.not_mail ? EX_DATAERR : c.failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		/* --help, --version, --summary, or an unknown option */
		static const struct option none[] = {{NULL, 0, NULL, 0}};
		while (cli_getopt(&cmd, argc, argv, "", none) != -1)
			;
		cli_usage_error("gen or check?");
	}
	if (!strcmp(argv[1], "gen"))
		return cmd_gen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	cli_usage_error("unknown subcommand '%s' (gen or check)", argv[1]);
}
