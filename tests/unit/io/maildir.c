/* lib/io's Maildir and mboxrd: directories made, names per the Maildir
 * specification, contents byte for byte (whole and one byte at a time),
 * group commit (nothing done before the commit, each reported after),
 * aborts, errors; the commit on the worker thread (callbacks on the loop's
 * thread, in order, each file in new/ by then; a commit while one is in
 * flight; close with one in flight; a failing rename); mboxrd quoting, and appends from several processes at
 * once under the lock. Directories live under a mkdtemp in /tmp. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"

static char top[64];
static char err[512];

static void mk_top(void)
{
	snprintf(top, sizeof top, "/tmp/ember-maildir-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
}

static void rm_top(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
}

static int count(const char *dir, const char *sub)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, sub);
	DIR *d = opendir(p);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void path(char *out, size_t len, const char *dir, const char *sub, const char *name)
{
	snprintf(out, len, "%s/%s/%s", dir, sub, name);
}

START_TEST(deliver_one)
{
	char dir[128], name[256], p[512];
	snprintf(dir, sizeof dir, "%s/Maildir", top);
	ck_assert_ptr_null(io_maildir_open(dir, 0, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "no such Maildir"));
	struct io_maildir *md = io_maildir_open(dir, 1, err, sizeof err);
	ck_assert_msg(md, "%s", err);
	ck_assert_str_eq(io_maildir_path(md), dir);
	const char msg[] = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
	ck_assert_int_eq(io_maildir_deliver(md, msg, sizeof msg - 1, name, sizeof name, err, sizeof err), 0);
	/* TIME.M<usec>P<pid>Q<n>R<hex>.HOST,S=<size> */
	regex_t re;
	ck_assert_int_eq(regcomp(&re, "^[0-9]+\\.M[0-9]{6}P[0-9]+Q[0-9]+R[0-9a-f]{8}\\.[^/:]+,S=42$",
				 REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, name, 0, NULL, 0) == 0, "%s", name);
	regfree(&re);
	path(p, sizeof p, dir, "new", name);
	size_t len;
	char *got = slurp(p, &len);
	ck_assert_uint_eq(len, sizeof msg - 1);
	ck_assert(memcmp(got, msg, len) == 0);
	free(got);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(count(dir, "tmp"), 0);
	ck_assert_int_eq(count(dir, "cur"), 0);
	/* an empty message too */
	ck_assert_int_eq(io_maildir_deliver(md, "", 0, name, sizeof name, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(name, ",S=0"));
	ck_assert_int_eq(count(dir, "new"), 2);
	io_maildir_close(md);
	/* an existing Maildir opens without create; a missing parent fails */
	md = io_maildir_open(dir, 0, err, sizeof err);
	ck_assert_ptr_nonnull(md);
	io_maildir_close(md);
	snprintf(p, sizeof p, "%s/no/such/Maildir", top);
	ck_assert_ptr_null(io_maildir_open(p, 1, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

START_TEST(pieces_and_bytes)
{
	char dir[128], p[512];
	snprintf(dir, sizeof dir, "%s/pieces", top);
	struct io_maildir *md = io_maildir_open(dir, 1, err, sizeof err);
	ck_assert_ptr_nonnull(md);
	enum { BIG = 100000 };
	char *msg = malloc(BIG);
	for (size_t i = 0; i < BIG; i++)
		msg[i] = (char)(i % 251);
	size_t steps[3] = {1, 40000, BIG};  /* one byte at a time, bigger than the buffer, all */
	for (int s = 0; s < 3; s++) {
		struct io_maildir_msg *m = io_maildir_begin(md, err, sizeof err);
		ck_assert_ptr_nonnull(m);
		for (size_t off = 0; off < BIG; off += steps[s])
			ck_assert_int_eq(io_maildir_write(m, msg + off, BIG - off < steps[s] ? BIG - off : steps[s]), 0);
		char name[256] = "";
		struct { char *name; int calls; } r = {name, 0};
		void done(void *ctx, int status, const char *nm, const char *e);
		io_maildir_stage(m, done, &r);
		ck_assert_uint_eq(io_maildir_staged(md), 1);
		ck_assert_uint_eq(io_maildir_commit(md), 1);
		ck_assert_int_eq(r.calls, 1);
		path(p, sizeof p, dir, "new", name);
		size_t len;
		char *got = slurp(p, &len);
		ck_assert_uint_eq(len, BIG);
		ck_assert(memcmp(got, msg, BIG) == 0);
		free(got);
	}
	/* aborted: nothing left */
	struct io_maildir_msg *m = io_maildir_begin(md, err, sizeof err);
	io_maildir_write(m, "x", 1);
	ck_assert_int_eq(count(dir, "tmp"), 1);
	io_maildir_abort(m);
	ck_assert_int_eq(count(dir, "tmp"), 0);
	/* left open or staged at close: removed */
	m = io_maildir_begin(md, err, sizeof err);
	struct io_maildir_msg *m2 = io_maildir_begin(md, err, sizeof err);
	io_maildir_stage(m2, NULL, NULL);
	(void)m;
	io_maildir_close(md);
	ck_assert_int_eq(count(dir, "tmp"), 0);
	ck_assert_int_eq(count(dir, "new"), 3);
	free(msg);
}
END_TEST

/* the callback of pieces_and_bytes */
void done(void *ctx, int status, const char *nm, const char *e)
{
	struct { char *name; int calls; } *r = ctx;
	ck_assert_msg(status == 0, "%s", e ? e : "");
	strcpy(r->name, nm);
	r->calls++;
}

/* ---- group commit ------------------------------------------------------------------ */

struct batch {
	struct io_maildir *md;
	int calls, failures, restage;
	char names[64][256];
};

static void batch_done(void *ctx, int status, const char *name, const char *e)
{
	struct batch *b = ctx;
	if (status) {
		b->failures++;
		ck_assert_ptr_nonnull(e);
		return;
	}
	snprintf(b->names[b->calls++], 256, "%s", name);
	if (b->restage) {   /* a callback that stages more: they wait for the next commit */
		b->restage = 0;
		struct io_maildir_msg *m = io_maildir_begin(b->md, err, sizeof err);
		io_maildir_write(m, "late\n", 5);
		io_maildir_stage(m, batch_done, b);
	}
}

START_TEST(group_commit)
{
	char dir[128];
	snprintf(dir, sizeof dir, "%s/batch", top);
	struct batch b = {0};
	b.md = io_maildir_open(dir, 1, err, sizeof err);
	ck_assert_ptr_nonnull(b.md);
	for (int i = 0; i < 50; i++) {
		struct io_maildir_msg *m = io_maildir_begin(b.md, err, sizeof err);
		ck_assert_ptr_nonnull(m);
		char body[64];
		int n = snprintf(body, sizeof body, "Subject: %d\n\n%d\n", i, i);
		io_maildir_write(m, body, (size_t)n);
		io_maildir_stage(m, batch_done, &b);
	}
	ck_assert_uint_eq(io_maildir_staged(b.md), 50);
	ck_assert_int_eq(b.calls, 0);              /* nothing is done before the commit */
	ck_assert_int_eq(count(dir, "new"), 0);
	ck_assert_int_eq(count(dir, "tmp"), 50);
	b.restage = 1;
	ck_assert_uint_eq(io_maildir_commit(b.md), 50);
	ck_assert_int_eq(b.calls, 50);
	ck_assert_int_eq(b.failures, 0);
	ck_assert_int_eq(count(dir, "new"), 50);
	for (int i = 0; i < 50; i++)
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(b.names[i], b.names[j]);
	ck_assert_uint_eq(io_maildir_staged(b.md), 1);   /* the late one */
	ck_assert_uint_eq(io_maildir_commit(b.md), 1);
	ck_assert_int_eq(b.calls, 51);
	ck_assert_uint_eq(io_maildir_commit(b.md), 0);  /* empty: nothing */
	io_maildir_close(b.md);
}
END_TEST

START_TEST(two_handles)
{
	char dir[128], n1[256], n2[256];
	snprintf(dir, sizeof dir, "%s/two", top);
	struct io_maildir *a = io_maildir_open(dir, 1, err, sizeof err);
	struct io_maildir *b = io_maildir_open(dir, 1, err, sizeof err);
	ck_assert(a && b);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(io_maildir_deliver(a, "a", 1, n1, sizeof n1, err, sizeof err), 0);
		ck_assert_int_eq(io_maildir_deliver(b, "b", 1, n2, sizeof n2, err, sizeof err), 0);
		ck_assert_str_ne(n1, n2);
	}
	ck_assert_int_eq(count(dir, "new"), 40);
	io_maildir_close(a);
	io_maildir_close(b);
}
END_TEST

/* ---- commits off the loop thread ------------------------------------------------------ */

struct async {
	struct io_maildir *md;
	char dir[128];
	pthread_t loop_thread;
	int calls, failures, next;   /* next: the index expected */
	int wrong_thread, out_of_order, not_in_new;
	char err[512];
};

struct async_msg {
	struct async *a;
	int i;
};

static void async_done(void *ctx, int status, const char *name, const char *e)
{
	struct async_msg *am = ctx;
	struct async *a = am->a;
	a->calls++;
	a->wrong_thread += !pthread_equal(pthread_self(), a->loop_thread);
	a->out_of_order += am->i != a->next;
	a->next = am->i + 1;
	if (status) {
		a->failures++;
		snprintf(a->err, sizeof a->err, "%s", e);
		return;
	}
	char p[512];
	struct stat st;
	path(p, sizeof p, a->dir, "new", name);
	a->not_in_new += stat(p, &st) != 0;
}

static void stage_n(struct async *a, struct async_msg *ams, int from, int n)
{
	for (int i = from; i < from + n; i++) {
		struct io_maildir_msg *m = io_maildir_begin(a->md, err, sizeof err);
		ck_assert_ptr_nonnull(m);
		char body[64];
		int len = snprintf(body, sizeof body, "Subject: %d\n\n%d\n", i, i);
		io_maildir_write(m, body, (size_t)len);
		ams[i].a = a;
		ams[i].i = i;
		io_maildir_stage(m, async_done, &ams[i]);
	}
}

static void async_open(struct async *a, const char *name)
{
	memset(a, 0, sizeof *a);
	snprintf(a->dir, sizeof a->dir, "%s/%s", top, name);
	a->md = io_maildir_open(a->dir, 1, err, sizeof err);
	ck_assert_ptr_nonnull(a->md);
	a->loop_thread = pthread_self();
}

/* turns of l until nothing is in flight (at most 30 s) */
static void settle(struct io_loop *l, struct io_maildir *md)
{
	for (int i = 0; i < 300 && io_maildir_in_flight(md); i++)
		ck_assert_int_ge(io_loop_turn(l, 100), 0);
	ck_assert_uint_eq(io_maildir_in_flight(md), 0);
}

START_TEST(async_commit)
{
	struct io_loop *l = io_loop_new(err, sizeof err);
	ck_assert_ptr_nonnull(l);
	struct async a;
	struct async_msg ams[200];
	async_open(&a, "async");
	stage_n(&a, ams, 0, 50);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	ck_assert_uint_eq(io_maildir_staged(a.md), 0);
	ck_assert_uint_eq(io_maildir_in_flight(a.md), 50);
	ck_assert_int_eq(a.calls, 0);      /* never from the call: from the loop */
	/* the loop goes on while the worker syncs: a second batch staged and
	 * handed over with the first most likely still in flight, a third in
	 * the middle of the callbacks */
	stage_n(&a, ams, 50, 50);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	ck_assert_uint_eq(io_maildir_in_flight(a.md), 100);
	settle(l, a.md);
	ck_assert_int_eq(a.calls, 100);
	stage_n(&a, ams, 100, 1);          /* one alone: its fsync */
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);  /* empty: nothing */
	settle(l, a.md);
	ck_assert_int_eq(a.calls, 101);
	ck_assert_int_eq(a.failures, 0);
	ck_assert_int_eq(a.wrong_thread, 0);
	ck_assert_int_eq(a.out_of_order, 0);
	ck_assert_int_eq(a.not_in_new, 0);
	ck_assert_int_eq(count(a.dir, "new"), 101);
	ck_assert_int_eq(count(a.dir, "tmp"), 0);
	/* another loop: refused, nothing taken */
	struct io_loop *l2 = io_loop_new(err, sizeof err);
	ck_assert_ptr_nonnull(l2);
	stage_n(&a, ams, 101, 2);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l2), -1);
	ck_assert_uint_eq(io_maildir_staged(a.md), 2);
	/* the synchronous commit waits for what is in flight and runs its
	 * callbacks first, then commits the staged ones, in order */
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	stage_n(&a, ams, 103, 3);
	ck_assert_uint_eq(io_maildir_commit(a.md), 3);
	ck_assert_uint_eq(io_maildir_in_flight(a.md), 0);
	ck_assert_int_eq(a.calls, 106);
	ck_assert_int_eq(a.out_of_order, 0);
	ck_assert_int_eq(a.wrong_thread, 0);
	ck_assert_int_eq(count(a.dir, "new"), 106);
	io_maildir_close(a.md);
	io_loop_free(l2);
	io_loop_free(l);
}
END_TEST

START_TEST(async_close_in_flight)
{
	struct io_loop *l = io_loop_new(err, sizeof err);
	ck_assert_ptr_nonnull(l);
	struct async a;
	struct async_msg ams[100];
	async_open(&a, "async-close");
	stage_n(&a, ams, 0, 60);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	stage_n(&a, ams, 60, 20);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	stage_n(&a, ams, 80, 5);           /* staged, not handed over: aborted */
	/* close waits for the worker to finish what it was handed, joins it,
	 * calls no callback */
	io_maildir_close(a.md);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_int_eq(count(a.dir, "new"), 80);
	ck_assert_int_eq(count(a.dir, "tmp"), 0);
	ck_assert_int_eq(io_loop_turn(l, 0), 0);   /* its watch is gone */
	io_loop_free(l);
}
END_TEST

START_TEST(async_error)
{
	struct io_loop *l = io_loop_new(err, sizeof err);
	ck_assert_ptr_nonnull(l);
	struct async a;
	struct async_msg ams[10];
	async_open(&a, "async-error");
	stage_n(&a, ams, 0, 3);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	settle(l, a.md);
	ck_assert_int_eq(a.failures, 0);
	/* new/ removed (root writes into a read-only directory; a removed one
	 * takes no name from anyone): every rename fails, ENOENT */
	char p[256];
	snprintf(p, sizeof p, "%s/new", a.dir);
	DIR *d = opendir(p);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.') {
			char f[600];
			snprintf(f, sizeof f, "%s/%s", p, e->d_name);
			ck_assert_int_eq(unlink(f), 0);
		}
	closedir(d);
	ck_assert_int_eq(rmdir(p), 0);
	stage_n(&a, ams, 3, 4);
	ck_assert_int_eq(io_maildir_commit_async(a.md, l), 0);
	settle(l, a.md);
	ck_assert_int_eq(a.calls, 7);
	ck_assert_int_eq(a.failures, 4);
	ck_assert_int_eq(a.out_of_order, 0);
	ck_assert_int_eq(a.wrong_thread, 0);
	ck_assert_msg(strstr(a.err, "/new: ") != NULL, "%s", a.err);
	ck_assert_int_eq(count(a.dir, "tmp"), 0);  /* nothing left behind */
	io_maildir_close(a.md);
	io_loop_free(l);
}
END_TEST

/* ---- mboxrd ---------------------------------------------------------------------------- */

START_TEST(mbox_quoting)
{
	char p[128];
	snprintf(p, sizeof p, "%s/mbox", top);
	const char m1[] = "From: a@example.org\nSubject: x\n\nFrom here\n>From there\n>>From afar\nFromage\n From x";
	ck_assert_int_eq(io_mbox_append(p, "a@example.org", 1700000000, m1, sizeof m1 - 1, err, sizeof err), 0);
	const char m2[] = "Subject: y\n\nbody\n";
	ck_assert_int_eq(io_mbox_append(p, NULL, 1700000060, m2, sizeof m2 - 1, err, sizeof err), 0);
	size_t len;
	char *got = slurp(p, &len);
	ck_assert_str_eq(got,
		"From a@example.org Tue Nov 14 22:13:20 2023\n"
		"From: a@example.org\nSubject: x\n\n>From here\n>>From there\n>>>From afar\nFromage\n From x\n\n"
		"From MAILER-DAEMON Tue Nov 14 22:14:20 2023\n"
		"Subject: y\n\nbody\n\n");
	free(got);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_lt(io_mbox_append("/nonexistent/mbox", NULL, 0, "x", 1, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/mbox"));
}
END_TEST

/* eight processes append 50 messages each at once: every message whole */
START_TEST(mbox_locking)
{
	char p[128];
	snprintf(p, sizeof p, "%s/locked", top);
	enum { KIDS = 8, EACH = 50, BODY = 20000 };
	for (int k = 0; k < KIDS; k++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char *msg = malloc(BODY);
			memset(msg, 'a' + k, BODY);
			memcpy(msg, "Subject: s\n\n", 12);
			for (int i = 99; i < BODY; i += 100)
				msg[i] = '\n';
			msg[BODY - 1] = '\n';
			for (int i = 0; i < EACH; i++)
				if (io_mbox_append(p, "k@example.org", 1700000000, msg, BODY, err, sizeof err) < 0)
					_exit(1);
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++) {
		int st;
		wait(&st);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	size_t len;
	char *got = slurp(p, &len);
	ck_assert_uint_eq(len, (size_t)KIDS * EACH * (BODY + 1 + strlen("From k@example.org Tue Nov 14 22:13:20 2023\n")));
	/* each message: one letter throughout */
	int msgs = 0;
	for (char *q = got; q < got + len;) {
		ck_assert(!strncmp(q, "From k@example.org ", 19));
		char *body = strstr(q, "\n\n") + 2;
		char c = *body;
		char *end = body + (BODY - 12);
		size_t bad = 0;
		for (char *r = body; r < end; r++)
			bad += *r != c && *r != '\n';
		ck_assert_uint_eq(bad, 0);
		ck_assert(end[0] == '\n');
		q = end + 1;
		msgs++;
	}
	ck_assert_int_eq(msgs, KIDS * EACH);
	free(got);
}
END_TEST

Suite *suite_maildir(void)
{
	Suite *s = suite_create("io-maildir");
	TCase *t = tcase_create("maildir");
	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, mk_top, rm_top);
	tcase_add_test(t, deliver_one);
	tcase_add_test(t, pieces_and_bytes);
	tcase_add_test(t, group_commit);
	tcase_add_test(t, two_handles);
	tcase_add_test(t, async_commit);
	tcase_add_test(t, async_close_in_flight);
	tcase_add_test(t, async_error);
	tcase_add_test(t, mbox_quoting);
	tcase_add_test(t, mbox_locking);
	suite_add_tcase(s, t);
	return s;
}
