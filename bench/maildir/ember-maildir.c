/* bench/maildir: N deliveries of one message of SIZE bytes into DIR with
 * lib/io's Maildir code, fsync on, from W writer processes, each in
 * batches of B (1: io_maildir_deliver, one message per round of fsyncs;
 * more: group commit, B messages staged then one io_maildir_commit).
 *   ember-maildir DIR N SIZE W B
 * B negative: batches of -B with an fsync per file instead of one syncfs.
 * Prints "messages=N seconds=S" (wall clock, all writers). */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void done(void *ctx, int status, const char *name, const char *err)
{
	(void)name;
	int *failed = ctx;
	if (status) {
		fprintf(stderr, "ember-maildir: %s\n", err);
		(*failed)++;
	}
}

static int writer(const char *dir, long n, const char *msg, size_t len, long batch)
{
	char err[512], name[256];
	struct io_maildir *md = io_maildir_open(dir, 1, err, sizeof err);
	if (!md) {
		fprintf(stderr, "ember-maildir: %s\n", err);
		return 1;
	}
	int failed = 0;
	if (batch < 0) {
		io_maildir_fsync_each(md, 1);
		batch = -batch;
	}
	for (long i = 0; i < n && !failed;) {
		if (batch <= 1) {
			if (io_maildir_deliver(md, msg, len, name, sizeof name, err, sizeof err) < 0) {
				fprintf(stderr, "ember-maildir: %s\n", err);
				failed++;
			}
			i++;
			continue;
		}
		for (long b = 0; b < batch && i < n; b++, i++) {
			struct io_maildir_msg *m = io_maildir_begin(md, err, sizeof err);
			if (!m) {
				fprintf(stderr, "ember-maildir: %s\n", err);
				return 1;
			}
			/* in pieces, as a server gets it */
			for (size_t off = 0; off < len; off += 4096)
				io_maildir_write(m, msg + off, len - off < 4096 ? len - off : 4096);
			io_maildir_stage(m, done, &failed);
		}
		io_maildir_commit(md);
	}
	io_maildir_close(md);
	return failed != 0;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: ember-maildir DIR N SIZE WRITERS BATCH\n");
		return 64;
	}
	const char *dir = argv[1];
	long n = atol(argv[2]), w = atol(argv[4]), batch = atol(argv[5]);
	size_t size = (size_t)atol(argv[3]);
	if (n < 1 || w < 1 || size < 64)
		return 64;
	/* a plain text message: a header, then lines of 72 letters */
	char *msg = malloc(size);
	if (!msg)
		return 70;
	int h = snprintf(msg, size, "From: bench@example.org\nTo: you@example.net\nSubject: bench\n\n");
	unsigned seed = 1;
	for (size_t i = (size_t)h; i < size; i++) {
		seed = seed * 1103515245 + 12345;
		msg[i] = (i - (size_t)h) % 73 == 72 ? '\n' : (char)('a' + (seed >> 16) % 26);
	}
	msg[size - 1] = '\n';
	double t0 = now();
	for (long k = 0; k < w; k++) {
		pid_t p = fork();
		if (p < 0)
			return 71;
		if (p == 0)
			_exit(writer(dir, n / w + (k < n % w), msg, size, batch));
	}
	int bad = 0, st;
	for (long k = 0; k < w; k++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	double t = now() - t0;
	free(msg);
	if (bad)
		return 74;
	printf("ember-maildir: messages=%ld seconds=%.3f\n", n, t);
	return 0;
}
