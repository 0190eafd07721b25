/* ember commands: the persistent mail queue (queue.h). */
#define _GNU_SOURCE  /* syncfs */
#include "queue.h"

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define MAGIC "ember-queue 1"

static int mkdirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

int queue_open(struct queue *q, const char *dir, char *err, size_t errlen)
{
	memset(q, 0, sizeof *q);
	q->dirfd = -1;
	if (mkdirs(dir) || (q->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (!(q->dir = strdup(dir))) {
		snprintf(err, errlen, "out of memory");
		close(q->dirfd);
		return -1;
	}
	return 0;
}

void queue_close(struct queue *q)
{
	if (q->dirfd >= 0)
		close(q->dirfd);
	free(q->dir);
	q->dirfd = -1;
	q->dir = NULL;
}

void queue_new_id(struct queue *q, struct queue_env *e)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	snprintf(e->id, sizeof e->id, "%llX%05lXP%uQ%u", (unsigned long long)tv.tv_sec,
		 (unsigned long)tv.tv_usec, (unsigned)getpid(), ++q->counter);
}

static void name(char *buf, size_t n, const char *id, const char *suffix)
{
	snprintf(buf, n, "%s%s", id, suffix);
}

int queue_msg_create(struct queue *q, const char *id)
{
	char n[96];
	name(n, sizeof n, id, ".msg.tmp");
	return openat(q->dirfd, n, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

static char *dup_clean(const char *s)
{
	char *d = strdup(s ? s : "");
	if (d)
		for (char *p = d; *p; p++)
			if (*p == '\t' || *p == '\r' || *p == '\n')
				*p = ' ';
	return d;
}

int queue_env_add(struct queue_env *e, const char *orig, const char *addr)
{
	struct queue_rcpt *r = realloc(e->r, (e->n + 1) * sizeof *r);
	if (!r)
		return -1;
	e->r = r;
	memset(&r[e->n], 0, sizeof *r);
	r[e->n].orig = dup_clean(orig);
	r[e->n].addr = dup_clean(addr);
	r[e->n].next = e->arrival;
	if (!r[e->n].orig || !r[e->n].addr) {
		free(r[e->n].orig);
		free(r[e->n].addr);
		return -1;
	}
	e->n++;
	return 0;
}

void queue_env_free(struct queue_env *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->r[i].orig);
		free(e->r[i].addr);
		free(e->r[i].error);
	}
	free(e->r);
	free(e->sender);
	mime_buf_free(&e->prefix);
	memset(e, 0, sizeof *e);
}

static const char *const states[] = {"pending", "delivered", "failed"};

int queue_env_print(const struct queue_env *e, struct mime_buf *out)
{
	char line[128];
	snprintf(line, sizeof line, MAGIC "\narrival %" PRId64 "\ndsn %d\nsender ", e->arrival, e->dsn);
	if (mime_buf_puts(out, line) || mime_buf_puts(out, e->sender ? e->sender : "") ||
	    mime_buf_putc(out, '\n'))
		return -1;
	/* the prefix, one line per field line, without its CRLF */
	const char *p = e->prefix.data, *end = p + e->prefix.len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t k = l && p[l - 1] == '\r' ? l - 1 : l;
		if (mime_buf_puts(out, "prefix ") || mime_buf_append(out, p, k) || mime_buf_putc(out, '\n'))
			return -1;
		p += nl ? l + 1 : l;
	}
	for (size_t i = 0; i < e->n; i++) {
		const struct queue_rcpt *r = &e->r[i];
		snprintf(line, sizeof line, "rcpt %s\t%u\t%" PRId64 "\t", states[r->state], r->attempts,
			 r->next);
		if (mime_buf_puts(out, line) || mime_buf_puts(out, r->orig) || mime_buf_putc(out, '\t') ||
		    mime_buf_puts(out, r->addr) || mime_buf_putc(out, '\t'))
			return -1;
		for (const char *s = r->error ? r->error : ""; *s; s++)
			if (mime_buf_putc(out, *s == '\t' || *s == '\r' || *s == '\n' ? ' ' : *s))
				return -1;
		if (mime_buf_putc(out, '\n'))
			return -1;
	}
	return mime_buf_puts(out, "end\n") ? -1 : 0;
}

/* The next tab-separated field of *p (NUL-terminated in place). */
static char *field(char **p)
{
	char *s = *p;
	if (!s)
		return NULL;
	char *t = strchr(s, '\t');
	if (t) {
		*t = 0;
		*p = t + 1;
	} else {
		*p = NULL;
	}
	return s;
}

static int parse_rcpt(struct queue_env *e, char *s)
{
	char *st = field(&s), *att = field(&s), *next = field(&s), *orig = field(&s),
	     *addr = field(&s), *err = s ? s : NULL;
	if (!st || !att || !next || !orig || !addr)
		return -1;
	int k = -1;
	for (int i = 0; i < 3; i++)
		if (!strcmp(st, states[i]))
			k = i;
	if (k < 0 || queue_env_add(e, orig, addr))
		return -1;
	struct queue_rcpt *r = &e->r[e->n - 1];
	r->state = (enum queue_state)k;
	r->attempts = (unsigned)strtoul(att, NULL, 10);
	r->next = strtoll(next, NULL, 10);
	if (err && *err && !(r->error = strdup(err)))
		return -1;
	return 0;
}

int queue_env_parse(const char *p, size_t n, struct queue_env *e)
{
	char *text = malloc(n + 1), *s, *line;
	int magic = 0, end = 0, rc = 0;
	if (!text)
		return -1;
	memcpy(text, p, n);
	text[n] = 0;
	for (s = text; rc == 0 && (line = strsep(&s, "\n")) != NULL;) {
		if (end) {
			if (*line)
				rc = -1;
		} else if (!magic) {
			magic = 1;
			if (strcmp(line, MAGIC))
				rc = -1;
		} else if (!strncmp(line, "arrival ", 8)) {
			e->arrival = strtoll(line + 8, NULL, 10);
		} else if (!strncmp(line, "dsn ", 4)) {
			e->dsn = atoi(line + 4);
		} else if (!strncmp(line, "sender ", 7)) {
			free(e->sender);
			if (!(e->sender = strdup(line + 7)))
				rc = -1;
		} else if (!strncmp(line, "prefix ", 7)) {
			if (mime_buf_puts(&e->prefix, line + 7) || mime_buf_puts(&e->prefix, "\r\n"))
				rc = -1;
		} else if (!strncmp(line, "rcpt ", 5)) {
			rc = parse_rcpt(e, line + 5);
		} else if (!strcmp(line, "end")) {
			end = 1;
		} else {
			rc = -1;
		}
	}
	free(text);
	/* no "end": a file cut short (it never is: it is renamed whole) */
	return rc || !end || !e->sender ? -1 : 0;
}


/* ID.env.tmp with e: the fd (open, not synced), or -1. */
static int env_tmp(struct queue *q, const struct queue_env *e)
{
	char n[96];
	struct mime_buf b = {0};
	name(n, sizeof n, e->id, ".env.tmp");
	if (queue_env_print(e, &b)) {
		mime_buf_free(&b);
		errno = ENOMEM;
		return -1;
	}
	int fd = openat(q->dirfd, n, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && cli_write_fd(fd, b.data, b.len)) {
		int e2 = errno;
		close(fd);
		unlinkat(q->dirfd, n, 0);
		errno = e2;
		fd = -1;
	}
	mime_buf_free(&b);
	return fd;
}

static void unlink_id(struct queue *q, const char *id, const char *suffix)
{
	char n[96];
	name(n, sizeof n, id, suffix);
	unlinkat(q->dirfd, n, 0);
}

static int rename_id(struct queue *q, const char *id, const char *from, const char *to)
{
	char a[96], b[96];
	name(a, sizeof a, id, from);
	name(b, sizeof b, id, to);
	return renameat(q->dirfd, a, q->dirfd, b);
}

int queue_commit(struct queue *q, const struct queue_env *const *e, const int *msgfds, size_t n,
		 int *ok)
{
	int *envfds = calloc(n ? n : 1, sizeof *envfds), rc = 0, saved = 0;
	if (!envfds) {
		for (size_t i = 0; i < n; i++) {
			close(msgfds[i]);
			unlink_id(q, e[i]->id, ".msg.tmp");
			ok[i] = 0;
		}
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		ok[i] = msgfds[i] >= 0;
		envfds[i] = ok[i] ? env_tmp(q, e[i]) : -1;
		if (envfds[i] < 0)
			ok[i] = 0, saved = errno;
	}
	/* the data of every file to the disk: one syncfs for a batch (one
	 * journal commit), an fsync each for one message */
	int synced = 0;
	if (n > 1)
		synced = syncfs(q->dirfd) == 0;
	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (!synced && (fsync(msgfds[i]) || fsync(envfds[i])))
			ok[i] = 0, saved = errno;
	}
	for (size_t i = 0; i < n; i++) {
		if (msgfds[i] >= 0 && close(msgfds[i]))
			ok[i] = 0, saved = errno;
		if (envfds[i] >= 0 && close(envfds[i]))
			ok[i] = 0, saved = errno;
		/* the message first: an ID.env is never without its ID.msg */
		if (ok[i] && (rename_id(q, e[i]->id, ".msg.tmp", ".msg") ||
			      rename_id(q, e[i]->id, ".env.tmp", ".env"))) {
			ok[i] = 0, saved = errno;
			unlink_id(q, e[i]->id, ".env");
			unlink_id(q, e[i]->id, ".msg");
		}
		if (!ok[i]) {
			unlink_id(q, e[i]->id, ".msg.tmp");
			unlink_id(q, e[i]->id, ".env.tmp");
		}
	}
	if (fsync(q->dirfd)) {
		saved = errno;
		for (size_t i = 0; i < n; i++)
			ok[i] = 0;  /* not known to be durable: 451, the client sends again */
	}
	for (size_t i = 0; i < n; i++)
		if (!ok[i])
			rc = -1;
	free(envfds);
	if (rc)
		errno = saved;
	return rc;
}

int queue_env_update(struct queue *q, const struct queue_env *e)
{
	int fd = env_tmp(q, e);
	if (fd < 0)
		return -1;
	if (fsync(fd)) {
		close(fd);
		unlink_id(q, e->id, ".env.tmp");
		return -1;
	}
	close(fd);
	if (rename_id(q, e->id, ".env.tmp", ".env"))
		return -1;
	return fsync(q->dirfd);
}

void queue_remove(struct queue *q, const char *id)
{
	unlink_id(q, id, ".env");
	unlink_id(q, id, ".msg");
}

static int read_file(int dirfd, const char *n, struct mime_buf *out)
{
	int fd = openat(dirfd, n, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[65536];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		if (mime_buf_append(out, buf, (size_t)r)) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
	}
	close(fd);
	return 0;
}

int queue_read_msg(struct queue *q, const char *id, struct mime_buf *out)
{
	char n[96];
	name(n, sizeof n, id, ".msg");
	return read_file(q->dirfd, n, out);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && !strcmp(s + a - b, suf);
}

static int exists(struct queue *q, const char *id, const char *suffix)
{
	char n[96];
	struct stat st;
	name(n, sizeof n, id, suffix);
	return fstatat(q->dirfd, n, &st, 0) == 0;
}

size_t queue_scan(struct queue *q, void (*fn)(void *ctx, struct queue_env *e), void *ctx,
		  void (*warn)(const char *id, const char *what))
{
	int fd = dup(q->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	size_t count = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		warn(q->dir, strerror(errno));
		return 0;
	}
	rewinddir(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *f = de->d_name;
		char id[64];
		size_t l = strlen(f);
		if (has_suffix(f, ".tmp")) {
			unlinkat(q->dirfd, f, 0);
			warn(f, "a half-written file, removed");
			continue;
		}
		if (has_suffix(f, ".msg") && l - 4 < sizeof id) {
			memcpy(id, f, l - 4);
			id[l - 4] = 0;
			if (!exists(q, id, ".env")) {
				unlinkat(q->dirfd, f, 0);
				warn(id, "a message without its envelope (never acknowledged), removed");
			}
			continue;
		}
		if (!has_suffix(f, ".env") || l - 4 >= sizeof id)
			continue;
		memcpy(id, f, l - 4);
		id[l - 4] = 0;
		if (!exists(q, id, ".msg")) {
			unlinkat(q->dirfd, f, 0);
			warn(id, "an envelope without its message, removed");
			continue;
		}
		struct mime_buf b = {0};
		struct queue_env *e = calloc(1, sizeof *e);
		if (!e || read_file(q->dirfd, f, &b) || queue_env_parse(b.data, b.len, e)) {
			warn(id, "an envelope that cannot be read, left in place");
			if (e)
				queue_env_free(e);
			free(e);
			mime_buf_free(&b);
			continue;
		}
		mime_buf_free(&b);
		snprintf(e->id, sizeof e->id, "%s", id);
		count++;
		fn(ctx, e);
	}
	closedir(d);
	return count;
}
