/* Maildir delivery (https://cr.yp.to/proto/maildir.html): a unique name in
 * tmp/, the message written and fsynced, renamed into new/, new/ fsynced.
 * Group commit: a batch of staged messages shares one pass of fsyncs and
 * one fsync of each directory; io_maildir_commit_async runs that part on a
 * worker thread of the handle's own and reports back through an eventfd
 * the loop watches. See io.h. */
#define _GNU_SOURCE  /* renameat2, sync_file_range, syncfs */
#include "io.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

enum { BUFSIZE = 16384, NAME_MAX_LEN = 255 };

struct io_maildir_msg {
	struct io_maildir *md;
	int fd;
	int failed;
	size_t size;
	char *buf;
	size_t buflen;
	char name[208];                 /* in tmp/ */
	char final[NAME_MAX_LEN + 1];   /* in new/ (name,S=size) */
	char err[400];
	io_maildir_fn fn;
	void *ctx;
	struct io_maildir_msg *prev, *next;   /* in md->open or md->staged */
};

struct io_maildir {
	char *path;
	int tmp, new_, cur;
	char host[128];      /* the host name, '/' and ':' escaped */
	long pid;
	unsigned long count;
	uint32_t rnd;        /* this handle's: two handles of one process differ */
	int fsync_each;      /* no syncfs for a batch */
	struct io_maildir_msg *open, *staged, *staged_tail;
	size_t nstaged;
	/* io_maildir_commit_async: one worker thread makes the batches durable;
	 * the loop thread learns of finished ones through efd. The lists
	 * queued (handed over, not taken yet) and done (finished, callbacks
	 * not run yet) and the flags are under mu; busy: the worker holds a
	 * batch of its own. */
	struct io_loop *loop;
	struct io_watch *w;
	int efd;
	int started;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* the worker waits for work or stop; the loop
				   thread (drain) for the worker to be idle */
	struct io_maildir_msg *queued, *queued_tail, *done, *done_tail;
	int busy, stop;
	size_t inflight;        /* handed over, callbacks not run (loop thread's) */
};

/* snprintf that may cut a long path short (and says nothing of it) */
__attribute__((format(printf, 3, 4)))
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- lists ---------------------------------------------------------------------- */

static void unlink_from(struct io_maildir_msg **head, struct io_maildir_msg *m)
{
	if (m->prev)
		m->prev->next = m->next;
	else
		*head = m->next;
	if (m->next)
		m->next->prev = m->prev;
	m->prev = m->next = NULL;
}

/* ---- opening ------------------------------------------------------------------- */

static int sub(int dfd, const char *name, int create, const char *path, char *err, size_t errlen)
{
	if (create && mkdirat(dfd, name, 0700) < 0 && errno != EEXIST) {
		say(err, errlen, "%s/%s: %s", path, name, strerror(errno));
		return -1;
	}
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		say(err, errlen, "%s/%s: %s", path, name, strerror(errno));
	return fd;
}

static void host_name(char *out, size_t len)
{
	char h[256];
	if (gethostname(h, sizeof h) < 0 || !h[0])
		strcpy(h, "localhost");
	h[sizeof h - 1] = '\0';
	/* the Maildir specification: '/' as \057 and ':' as \072 */
	size_t o = 0;
	for (const char *p = h; *p && o + 5 < len; p++) {
		if (*p == '/' || *p == ':')
			o += (size_t)snprintf(out + o, len - o, "\\%03o", (unsigned char)*p);
		else
			out[o++] = *p;
	}
	out[o] = '\0';
}

struct io_maildir *io_maildir_open(const char *dir, int create, char *err, size_t errlen)
{
	struct io_maildir *md = calloc(1, sizeof *md);
	if (!md || !(md->path = strdup(dir))) {
		free(md);
		say(err, errlen, "out of memory");
		return NULL;
	}
	md->tmp = md->new_ = md->cur = md->efd = -1;
	int made = create && mkdir(dir, 0700) == 0;
	if (create && !made && errno != EEXIST) {
		say(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		say(err, errlen, "%s: %s", dir, errno == ENOENT ? "no such Maildir" : strerror(errno));
		goto fail;
	}
	md->tmp = sub(dfd, "tmp", create, dir, err, errlen);
	if (md->tmp >= 0)
		md->new_ = sub(dfd, "new", create, dir, err, errlen);
	if (md->new_ >= 0)
		md->cur = sub(dfd, "cur", create, dir, err, errlen);
	if (md->cur >= 0 && create)
		fsync(dfd);  /* the new subdirectories are durable */
	close(dfd);
	if (md->cur < 0)
		goto fail;
	if (made) {  /* and DIR itself, in its parent */
		char *slash = strrchr(md->path, '/');
		int pfd = -1;
		if (!slash)
			pfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		else if (slash == md->path)
			pfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		else {
			*slash = '\0';
			pfd = open(md->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			*slash = '/';
		}
		if (pfd >= 0) {
			fsync(pfd);
			close(pfd);
		}
	}
	host_name(md->host, sizeof md->host);
	md->pid = (long)getpid();
	if (getrandom(&md->rnd, sizeof md->rnd, GRND_NONBLOCK) != sizeof md->rnd) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		md->rnd = (uint32_t)tv.tv_usec ^ (uint32_t)(uintptr_t)md;
	}
	return md;
fail:
	if (md->tmp >= 0)
		close(md->tmp);
	if (md->new_ >= 0)
		close(md->new_);
	free(md->path);
	free(md);
	return NULL;
}

const char *io_maildir_path(const struct io_maildir *md) { return md->path; }
void io_maildir_fsync_each(struct io_maildir *md, int on) { md->fsync_each = on; }
size_t io_maildir_staged(const struct io_maildir *md) { return md->nstaged; }

static void drain(struct io_maildir *md);
static void free_list(struct io_maildir_msg *m);

static void discard(struct io_maildir_msg *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		unlinkat(m->md->tmp, m->name, 0);
	}
	free(m->buf);
	free(m);
}

void io_maildir_close(struct io_maildir *md)
{
	if (!md)
		return;
	while (md->open)
		io_maildir_abort(md->open);
	while (md->staged) {
		struct io_maildir_msg *m = md->staged;
		unlink_from(&md->staged, m);
		discard(m);
	}
	if (md->started) {
		/* the batches handed over are finished (delivered or not), their
		 * callbacks not called; then the worker ends */
		pthread_mutex_lock(&md->mu);
		while (md->busy || md->queued)
			pthread_cond_wait(&md->cv, &md->mu);
		md->stop = 1;
		pthread_cond_broadcast(&md->cv);
		pthread_mutex_unlock(&md->mu);
		pthread_join(md->thread, NULL);
		free_list(md->done);
		pthread_cond_destroy(&md->cv);
		pthread_mutex_destroy(&md->mu);
	}
	io_watch_del(md->w);
	if (md->efd >= 0)
		close(md->efd);
	close(md->tmp);
	close(md->new_);
	close(md->cur);
	free(md->path);
	free(md);
}

/* ---- writing -------------------------------------------------------------------- */

struct io_maildir_msg *io_maildir_begin(struct io_maildir *md, char *err, size_t errlen)
{
	struct io_maildir_msg *m = calloc(1, sizeof *m);
	if (!m || !(m->buf = malloc(BUFSIZE))) {
		free(m);
		say(err, errlen, "out of memory");
		return NULL;
	}
	m->md = md;
	m->fd = -1;
	for (int tries = 0; m->fd < 0 && tries < 10; tries++) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		/* TIME.M<usec>P<pid>Q<n>R<random>.HOST */
		say(m->name, sizeof m->name, "%lld.M%06ldP%ldQ%luR%08x.%s", (long long)tv.tv_sec,
			 (long)tv.tv_usec, md->pid, ++md->count, (unsigned)md->rnd, md->host);
		m->fd = openat(md->tmp, m->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (m->fd < 0 && errno != EEXIST)
			break;
	}
	if (m->fd < 0) {
		say(err, errlen, "%s/tmp/%s: %s", md->path, m->name, strerror(errno));
		free(m->buf);
		free(m);
		return NULL;
	}
	m->next = md->open;
	if (md->open)
		md->open->prev = m;
	md->open = m;
	return m;
}

/* Write all of p: a regular file may take less than asked. */
static int write_all(struct io_maildir_msg *m, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(m->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			say(m->err, sizeof m->err, "%s/tmp/%s: %s", m->md->path, m->name,
				 w < 0 ? strerror(errno) : "nothing written");
			m->failed = 1;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(struct io_maildir_msg *m)
{
	int r = m->buflen ? write_all(m, m->buf, m->buflen) : 0;
	m->buflen = 0;
	return r;
}

int io_maildir_write(struct io_maildir_msg *m, const void *p, size_t n)
{
	if (m->failed)
		return -1;
	m->size += n;
	if (m->buflen + n <= BUFSIZE) {
		memcpy(m->buf + m->buflen, p, n);
		m->buflen += n;
		return 0;
	}
	if (flush(m) < 0)
		return -1;
	if (n >= BUFSIZE)
		return write_all(m, p, n);
	memcpy(m->buf, p, n);
	m->buflen = n;
	return 0;
}

void io_maildir_abort(struct io_maildir_msg *m)
{
	if (!m)
		return;
	unlink_from(&m->md->open, m);
	discard(m);
}

void io_maildir_stage(struct io_maildir_msg *m, io_maildir_fn fn, void *ctx)
{
	struct io_maildir *md = m->md;
	unlink_from(&md->open, m);
	flush(m);
	free(m->buf);
	m->buf = NULL;
	m->fn = fn;
	m->ctx = ctx;
	/* start the data on its way to the disk now: the fsyncs of the commit
	 * then wait for writes already under way, all at once */
	if (!m->failed)
		sync_file_range(m->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	m->prev = md->staged_tail;
	if (md->staged_tail)
		md->staged_tail->next = m;
	else
		md->staged = m;
	md->staged_tail = m;
	md->nstaged++;
}

/* ---- committing ------------------------------------------------------------------ */

/* (on the worker thread too: strerror_r, not strerror) */
static void failed(struct io_maildir_msg *m, const char *what)
{
	if (!m->failed) {
		char b[128];
		say(m->err, sizeof m->err, "%s/%s: %s", m->md->path, what,
		    strerror_r(errno, b, sizeof b));
	}
	m->failed = 1;
}

/* The durable part of a commit, on whichever thread: it touches only the
 * batch's messages and md's directory fds. The number delivered. */
static size_t make_durable(struct io_maildir *md, struct io_maildir_msg *batch, int fsync_each)
{
	size_t ok = 0, n = 0;
	for (struct io_maildir_msg *m = batch; m; m = m->next)
		n += !m->failed;
	/* Several files: one syncfs makes the data of all durable at once (one
	 * journal commit, one cache flush), where an fsync each would pay a
	 * flush each. Since Linux 5.8 syncfs reports any writeback error of
	 * the filesystem since the last call on this fd, so 0 means ours were
	 * written; on an error, each file's fsync tells whose it was. */
	int synced = n > 1 && !fsync_each && syncfs(md->tmp) == 0;
	/* the Maildir specification's order: file data durable, then the name
	 * in new/, then new/ durable */
	for (struct io_maildir_msg *m = batch; m; m = m->next) {
		if (!m->failed && !synced && fsync(m->fd) < 0)
			failed(m, "tmp");
		close(m->fd);
		m->fd = -1;
		if (m->failed) {
			unlinkat(md->tmp, m->name, 0);
			continue;
		}
		say(m->final, sizeof m->final, "%s,S=%zu", m->name, m->size);
		if (renameat2(md->tmp, m->name, md->new_, m->final, RENAME_NOREPLACE) < 0) {
			failed(m, "new");
			unlinkat(md->tmp, m->name, 0);
			continue;
		}
		ok++;
	}
	if (ok && fsync(md->new_) < 0) {
		/* the names may not survive a crash: none is reported done */
		for (struct io_maildir_msg *m = batch; m; m = m->next)
			if (!m->failed) {
				failed(m, "new");
				unlinkat(md->new_, m->final, 0);
			}
		ok = 0;
	}
	return ok;
}

/* Every fn of a finished batch, in order; the callbacks may stage more:
 * those go into the next batch. */
static void report(struct io_maildir_msg *batch)
{
	while (batch) {
		struct io_maildir_msg *m = batch;
		batch = m->next;
		if (m->fn)
			m->fn(m->ctx, m->failed ? -1 : 0, m->failed ? NULL : m->final,
			      m->failed ? m->err : NULL);
		free(m);
	}
}

static void free_list(struct io_maildir_msg *m)
{
	while (m) {
		struct io_maildir_msg *next = m->next;
		free(m);
		m = next;
	}
}

static struct io_maildir_msg *take_staged(struct io_maildir *md)
{
	struct io_maildir_msg *batch = md->staged;
	md->staged = md->staged_tail = NULL;
	md->nstaged = 0;
	return batch;
}

size_t io_maildir_commit(struct io_maildir *md)
{
	drain(md);
	struct io_maildir_msg *batch = take_staged(md);
	size_t ok = make_durable(md, batch, md->fsync_each);
	if (batch)
		fsync(md->tmp);   /* the removals from tmp/ */
	report(batch);
	return ok;
}

/* ---- committing off the loop thread ---------------------------------------------- */

static void append(struct io_maildir_msg **head, struct io_maildir_msg **tail,
		   struct io_maildir_msg *list)
{
	if (!list)
		return;
	if (*tail)
		(*tail)->next = list;
	else
		*head = list;
	list->prev = *tail;
	while (list->next)
		list = list->next;
	*tail = list;
}

static void *worker(void *arg)
{
	struct io_maildir *md = arg;
	pthread_mutex_lock(&md->mu);
	for (;;) {
		while (!md->queued && !md->stop)
			pthread_cond_wait(&md->cv, &md->mu);
		if (!md->queued)
			break;  /* stop, nothing left */
		/* everything handed over since the last round: one batch */
		struct io_maildir_msg *batch = md->queued;
		md->queued = md->queued_tail = NULL;
		md->busy = 1;
		int each = md->fsync_each;
		pthread_mutex_unlock(&md->mu);
		make_durable(md, batch, each);
		pthread_mutex_lock(&md->mu);
		append(&md->done, &md->done_tail, batch);
		md->busy = 0;
		pthread_cond_broadcast(&md->cv);
		uint64_t one = 1;
		if (write(md->efd, &one, sizeof one) < 0) {
			/* the counter is past its maximum: the loop is woken anyway */
		}
		/* the removals from tmp/ (no part of a delivery: a crash leaves at
		 * worst a stale name in tmp/): after the answers are on their way,
		 * and only when no batch waits, whose own commit covers them */
		if (!md->queued) {
			pthread_mutex_unlock(&md->mu);
			fsync(md->tmp);
			pthread_mutex_lock(&md->mu);
		}
	}
	pthread_mutex_unlock(&md->mu);
	return NULL;
}

static struct io_maildir_msg *take_done(struct io_maildir *md)
{
	pthread_mutex_lock(&md->mu);
	struct io_maildir_msg *list = md->done;
	md->done = md->done_tail = NULL;
	pthread_mutex_unlock(&md->mu);
	for (struct io_maildir_msg *m = list; m; m = m->next)
		md->inflight--;
	return list;
}

/* the loop: a batch (or several) is finished */
static void on_done(void *ctx, int fd, unsigned events)
{
	struct io_maildir *md = ctx;
	uint64_t n;
	(void)events;
	if (read(fd, &n, sizeof n) < 0) {
		/* EAGAIN: an earlier call took the results already */
	}
	report(take_done(md));
}

/* Wait until the worker has finished all it was handed, then run the
 * callbacks of what it finished (the caller's thread: the loop's). */
static void drain(struct io_maildir *md)
{
	if (!md->started)
		return;
	pthread_mutex_lock(&md->mu);
	while (md->busy || md->queued)
		pthread_cond_wait(&md->cv, &md->mu);
	pthread_mutex_unlock(&md->mu);
	report(take_done(md));
}

static int start(struct io_maildir *md, struct io_loop *loop)
{
	int e;
	md->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (md->efd < 0)
		return -1;
	if (!(md->w = io_watch_add(loop, md->efd, IO_READ, on_done, md)))
		goto fail;
	if ((e = pthread_mutex_init(&md->mu, NULL)))
		goto fail_e;
	if ((e = pthread_cond_init(&md->cv, NULL))) {
		pthread_mutex_destroy(&md->mu);
		goto fail_e;
	}
	/* the worker takes no signal: they stay the loop thread's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&md->thread, NULL, worker, md);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		pthread_cond_destroy(&md->cv);
		pthread_mutex_destroy(&md->mu);
		goto fail_e;
	}
	md->loop = loop;
	md->started = 1;
	return 0;
fail_e:
	errno = e;
fail:
	e = errno;
	io_watch_del(md->w);
	md->w = NULL;
	close(md->efd);
	md->efd = -1;
	errno = e;
	return -1;
}

int io_maildir_commit_async(struct io_maildir *md, struct io_loop *loop)
{
	if (md->started && loop != md->loop) {
		errno = EINVAL;
		return -1;
	}
	if (!md->started && start(md, loop) < 0)
		return -1;
	md->inflight += md->nstaged;
	struct io_maildir_msg *batch = take_staged(md);
	if (!batch)
		return 0;
	pthread_mutex_lock(&md->mu);
	append(&md->queued, &md->queued_tail, batch);
	pthread_cond_broadcast(&md->cv);
	pthread_mutex_unlock(&md->mu);
	return 0;
}

size_t io_maildir_in_flight(const struct io_maildir *md) { return md->inflight; }

/* ---- one message ------------------------------------------------------------------- */

struct one {
	int status;
	char *name;
	size_t namelen;
	char *err;
	size_t errlen;
};

static void one_done(void *ctx, int status, const char *name, const char *err)
{
	struct one *o = ctx;
	o->status = status;
	if (status == 0)
		say(o->name, o->namelen, "%s", name);
	else
		say(o->err, o->errlen, "%s", err);
}

int io_maildir_deliver(struct io_maildir *md, const void *data, size_t len,
		       char *name, size_t namelen, char *err, size_t errlen)
{
	struct io_maildir_msg *m = io_maildir_begin(md, err, errlen);
	if (!m)
		return -1;
	struct one o = {-1, name, namelen, err, errlen};
	io_maildir_write(m, data, len);
	io_maildir_stage(m, one_done, &o);
	io_maildir_commit(md);
	return o.status;
}
