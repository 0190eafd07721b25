/* The event loop: epoll for fds, a binary heap for timers, hooks run
 * before each wait. See io.h. */
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

enum { MAX_EVENTS = 256 };

struct io_watch {
	struct io_loop *l;
	int fd;
	unsigned events;
	int dead;
	io_watch_fn fn;
	void *ctx;
	struct io_watch *next_dead;
};

struct io_timer {
	struct io_loop *l;
	uint64_t due;
	uint64_t seq;      /* ties broken by arming order */
	size_t slot;       /* index in the heap, or NONE */
	io_timer_fn fn;
	void *ctx;
};
#define NONE ((size_t)-1)

struct io_hook {
	struct io_loop *l;
	io_hook_fn fn;
	void *ctx;
	int dead;
	struct io_hook *next;
};

struct io_loop {
	int ep;
	int stop;
	uint64_t now;
	uint64_t seq;
	size_t watches;             /* live */
	struct io_watch *dead;      /* removed, freed after the turn */
	struct io_timer **heap;
	size_t nheap, capheap, ntimers;
	struct io_hook *hooks;
	int hooks_dirty;
};

static uint64_t clock_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

struct io_loop *io_loop_new(char *err, size_t errlen)
{
	struct io_loop *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		free(l);
		return NULL;
	}
	l->now = clock_ms();
	return l;
}

static void reap(struct io_loop *l)
{
	while (l->dead) {
		struct io_watch *w = l->dead;
		l->dead = w->next_dead;
		free(w);
	}
	if (l->hooks_dirty) {
		for (struct io_hook **p = &l->hooks; *p;) {
			struct io_hook *h = *p;
			if (h->dead) {
				*p = h->next;
				free(h);
			} else {
				p = &h->next;
			}
		}
		l->hooks_dirty = 0;
	}
}

void io_loop_free(struct io_loop *l)
{
	if (!l)
		return;
	reap(l);
	/* watches and timers still live are the caller's (io.h) */
	for (size_t i = 0; i < l->nheap; i++)
		l->heap[i]->slot = NONE, l->heap[i]->l = NULL;
	free(l->heap);
	for (struct io_hook *h = l->hooks, *n; h; h = n) {
		n = h->next;
		free(h);
	}
	close(l->ep);
	free(l);
}

void io_loop_stop(struct io_loop *l) { l->stop = 1; }
uint64_t io_loop_now(const struct io_loop *l) { return l->now; }

/* ---- watches ---------------------------------------------------------------- */

static uint32_t epoll_bits(unsigned ev)
{
	return (ev & IO_READ ? EPOLLIN | EPOLLRDHUP : 0) | (ev & IO_WRITE ? EPOLLOUT : 0);
}

struct io_watch *io_watch_add(struct io_loop *l, int fd, unsigned events, io_watch_fn fn, void *ctx)
{
	struct io_watch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	*w = (struct io_watch){.l = l, .fd = fd, .events = events, .fn = fn, .ctx = ctx};
	struct epoll_event e = {.events = epoll_bits(events), .data.ptr = w};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		int saved = errno;
		free(w);
		errno = saved;
		return NULL;
	}
	l->watches++;
	return w;
}

int io_watch_set(struct io_watch *w, unsigned events)
{
	if (w->dead)
		return -1;
	if (events == w->events)
		return 0;
	struct epoll_event e = {.events = epoll_bits(events), .data.ptr = w};
	if (epoll_ctl(w->l->ep, EPOLL_CTL_MOD, w->fd, &e) < 0)
		return -1;
	w->events = events;
	return 0;
}

unsigned io_watch_events(const struct io_watch *w) { return w->events; }

void io_watch_del(struct io_watch *w)
{
	if (!w || w->dead)
		return;
	struct io_loop *l = w->l;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, w->fd, NULL);  /* fails harmlessly if closed */
	w->dead = 1;
	w->next_dead = l->dead;
	l->dead = w;
	l->watches--;
}

/* ---- timers: a binary min-heap on (due, seq) --------------------------------- */

static int before(const struct io_timer *a, const struct io_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void place(struct io_loop *l, size_t i, struct io_timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

static void sift_up(struct io_loop *l, size_t i)
{
	struct io_timer *t = l->heap[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(t, l->heap[p]))
			break;
		place(l, i, l->heap[p]);
		i = p;
	}
	place(l, i, t);
}

static void sift_down(struct io_loop *l, size_t i)
{
	struct io_timer *t = l->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!before(l->heap[c], t))
			break;
		place(l, i, l->heap[c]);
		i = c;
	}
	place(l, i, t);
}

static void heap_remove(struct io_loop *l, struct io_timer *t)
{
	size_t i = t->slot;
	t->slot = NONE;
	struct io_timer *last = l->heap[--l->nheap];
	if (i == l->nheap)
		return;
	place(l, i, last);
	sift_down(l, i);
	sift_up(l, last->slot);
}

struct io_timer *io_timer_new(struct io_loop *l, io_timer_fn fn, void *ctx)
{
	/* the heap has room for every timer, so arming never allocates */
	if (l->ntimers == l->capheap) {
		size_t cap = l->capheap ? l->capheap * 2 : 64;
		struct io_timer **h = realloc(l->heap, cap * sizeof *h);
		if (!h)
			return NULL;
		l->heap = h;
		l->capheap = cap;
	}
	struct io_timer *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	*t = (struct io_timer){.l = l, .slot = NONE, .fn = fn, .ctx = ctx};
	l->ntimers++;
	return t;
}

void io_timer_set(struct io_timer *t, uint64_t ms)
{
	struct io_loop *l = t->l;
	if (!l)
		return;
	if (t->slot != NONE)
		heap_remove(l, t);
	t->due = l->now + ms;
	t->seq = l->seq++;
	place(l, l->nheap++, t);
	sift_up(l, t->slot);
}

void io_timer_stop(struct io_timer *t)
{
	if (t->l && t->slot != NONE)
		heap_remove(t->l, t);
}

int io_timer_armed(const struct io_timer *t) { return t->slot != NONE; }

void io_timer_free(struct io_timer *t)
{
	if (!t)
		return;
	if (t->l) {
		io_timer_stop(t);
		t->l->ntimers--;
	}
	free(t);
}

/* ---- hooks ------------------------------------------------------------------ */

struct io_hook *io_hook_add(struct io_loop *l, io_hook_fn fn, void *ctx)
{
	struct io_hook *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	*h = (struct io_hook){.l = l, .fn = fn, .ctx = ctx};
	/* appended: hooks run in the order they were added */
	struct io_hook **p = &l->hooks;
	while (*p)
		p = &(*p)->next;
	*p = h;
	return h;
}

void io_hook_del(struct io_hook *h)
{
	if (!h)
		return;
	h->dead = 1;
	h->l->hooks_dirty = 1;
}

/* ---- turns -------------------------------------------------------------------- */

static int run_hooks(struct io_loop *l)
{
	int n = 0;
	for (struct io_hook *h = l->hooks; h; h = h->next)
		if (!h->dead) {
			h->fn(h->ctx);
			n++;
		}
	return n;
}

int io_loop_turn(struct io_loop *l, int timeout_ms)
{
	int n = run_hooks(l);
	reap(l);
	l->now = clock_ms();
	if (l->nheap) {
		uint64_t due = l->heap[0]->due;
		int t = due <= l->now ? 0 : due - l->now > 86400000 ? 86400000 : (int)(due - l->now);
		if (timeout_ms < 0 || t < timeout_ms)
			timeout_ms = t;
	}
	struct epoll_event ev[MAX_EVENTS];
	int r = epoll_wait(l->ep, ev, MAX_EVENTS, timeout_ms);
	if (r < 0 && errno != EINTR)
		return -1;
	l->now = clock_ms();
	for (int i = 0; i < r; i++) {
		struct io_watch *w = ev[i].data.ptr;
		if (w->dead)
			continue;  /* removed by an earlier callback of this turn */
		uint32_t e = ev[i].events;
		unsigned got = (e & (EPOLLIN | EPOLLRDHUP) ? IO_READ : 0) | (e & EPOLLOUT ? IO_WRITE : 0) |
			       (e & (EPOLLERR | EPOLLHUP) ? IO_ERR : 0);
		if (got & IO_ERR)
			got |= w->events & (IO_READ | IO_WRITE);  /* let the reader see it */
		w->fn(w->ctx, w->fd, got);
		n++;
	}
	/* timers due now; one armed during this loop for 0 ms waits a turn */
	uint64_t now = l->now, seq = l->seq;
	while (l->nheap && l->heap[0]->due <= now && l->heap[0]->seq < seq) {
		struct io_timer *t = l->heap[0];
		heap_remove(l, t);
		t->fn(t->ctx);
		n++;
	}
	reap(l);
	return n;
}

int io_loop_run(struct io_loop *l)
{
	l->stop = 0;
	while (!l->stop && (l->watches || l->nheap))
		if (io_loop_turn(l, -1) < 0)
			return -1;
	return 0;
}
