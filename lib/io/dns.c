/* DNS through c-ares: questions in flight at once, answers cached. See
 * io.h. */
#include "io.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { BUCKETS = 1024 };

/* ares_getsock's bits, without ARES_GETSOCK_WRITABLE's 1 << 31 (an int) */
#define READABLE(bits, i) (((unsigned)(bits) >> (i)) & 1u)
#define WRITABLE(bits, i) (((unsigned)(bits) >> ((i) + ARES_GETSOCK_MAXNUM)) & 1u)

struct waiter {
	io_dns_fn fn;
	void *ctx;
	struct dns_question q;
	struct waiter *next;
};

/* A question (type and name): asked once, answered, kept a while. */
struct entry {
	struct entry *next;
	struct io_dns *d;
	enum dns_type type;
	char name[DNS_NAME_MAX + 1];   /* lowercased */
	int answered;
	enum dns_status status;
	struct dns_record *records;
	size_t count;
	double expires;
	struct waiter *waiters;
};

/* A c-ares socket watched by the loop (io_dns_attach). */
struct slot {
	ares_socket_t fd;
	struct io_watch *w;
};

struct io_dns {
	ares_channel ch;
	struct io_loop *loop;
	struct io_timer *timer;
	struct slot slots[ARES_GETSOCK_MAXNUM];
	size_t nslots;
	struct io_dns_options o;
	struct entry *buckets[BUCKETS];
	size_t pending;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t hash(enum dns_type type, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (unsigned)type;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

struct io_dns *io_dns_new(const struct io_dns_options *o, char *err, size_t errlen)
{
	struct io_dns *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o)
		d->o = *o;
	if (!d->o.timeout_ms)
		d->o.timeout_ms = 2000;
	if (!d->o.tries)
		d->o.tries = 3;
	if (!d->o.cache_seconds)
		d->o.cache_seconds = 300;
	if (!d->o.server || !*d->o.server) {
		const char *env = getenv("EMBER_DNS");
		d->o.server = env && *env ? env : NULL;
	}
	int r = ares_library_init(ARES_LIB_INIT_ALL);
	struct ares_options opts = {
		.timeout = (int)d->o.timeout_ms,
		.tries = (int)d->o.tries,
		.flags = ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH,
		.ednspsz = 1232,
	};
	if (r == ARES_SUCCESS)
		r = ares_init_options(&d->ch, &opts,
				      ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ);
	if (r == ARES_SUCCESS && d->o.server)
		r = ares_set_servers_ports_csv(d->ch, d->o.server);
	if (r != ARES_SUCCESS) {
		snprintf(err, errlen, "%s%s%s", d->o.server ? "DNS server " : "DNS: ",
			 d->o.server ? d->o.server : "", r == ARES_EBADSTR ? ": not HOST[:PORT]"
			 : d->o.server ? ": cannot use it" : ares_strerror(r));
		if (d->ch)
			ares_destroy(d->ch);
		ares_library_cleanup();
		free(d);
		return NULL;
	}
	return d;
}

static void free_records(struct entry *e)
{
	free(e->records);  /* the strings live in the same block */
	e->records = NULL;
	e->count = 0;
}

void io_dns_free(struct io_dns *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nslots; i++)
		io_watch_del(d->slots[i].w);
	io_timer_free(d->timer);
	ares_destroy(d->ch);  /* callbacks run with ARES_EDESTRUCTION: nothing delivered */
	for (size_t i = 0; i < BUCKETS; i++)
		for (struct entry *e = d->buckets[i], *n; e; e = n) {
			n = e->next;
			for (struct waiter *w = e->waiters, *wn; w; w = wn) {
				wn = w->next;
				free(w);
			}
			free_records(e);
			free(e);
		}
	ares_library_cleanup();
	free(d);
}

size_t io_dns_pending(const struct io_dns *d) { return d->pending; }

/* ---- answers ---------------------------------------------------------------- */

/* Records as one block: the array, then the bytes. */
struct collect {
	size_t count, bytes;
	struct dns_record *rec;
	char *at;
};

static void add(struct collect *c, const void *p, size_t n, unsigned pref)
{
	if (c->rec) {
		memcpy(c->at, p, n);
		c->rec[c->count] = (struct dns_record){c->at, n, pref};
		c->at += n;
	}
	c->count++;
	c->bytes += n;
}

/* The records of the answer, by type, in two passes (count, then copy). */
static int parse(enum dns_type type, const unsigned char *abuf, int alen, struct collect *c)
{
	int r;
	if (type == DNS_TXT) {
		struct ares_txt_ext *txt = NULL;
		if ((r = ares_parse_txt_reply_ext(abuf, alen, &txt)) != ARES_SUCCESS)
			return r;
		for (struct ares_txt_ext *t = txt; t;) {
			/* the character-strings of one record, joined */
			size_t n = 0;
			struct ares_txt_ext *u = t;
			do
				n += u->length;
			while ((u = u->next) && !u->record_start);
			char *joined = malloc(n + 1), *o = joined;
			if (!joined) {
				ares_free_data(txt);
				return ARES_ENOMEM;
			}
			do {
				memcpy(o, t->txt, t->length);
				o += t->length;
			} while ((t = t->next) && !t->record_start);
			add(c, joined, n, 0);
			free(joined);
		}
		ares_free_data(txt);
		return ARES_SUCCESS;
	}
	if (type == DNS_MX) {
		struct ares_mx_reply *mx = NULL;
		if ((r = ares_parse_mx_reply(abuf, alen, &mx)) != ARES_SUCCESS)
			return r;
		for (struct ares_mx_reply *m = mx; m; m = m->next)
			add(c, m->host, strlen(m->host), m->priority);
		ares_free_data(mx);
		return ARES_SUCCESS;
	}
	struct hostent *h = NULL;
	if (type == DNS_A)
		r = ares_parse_a_reply(abuf, alen, &h, NULL, NULL);
	else if (type == DNS_AAAA)
		r = ares_parse_aaaa_reply(abuf, alen, &h, NULL, NULL);
	else if (type == DNS_PTR)
		r = ares_parse_ptr_reply(abuf, alen, NULL, 0, AF_INET, &h);
	else if (type == DNS_NS)
		r = ares_parse_ns_reply(abuf, alen, &h);
	else
		return ARES_ENOTIMP;
	if (r != ARES_SUCCESS)
		return r;
	if (type == DNS_A || type == DNS_AAAA) {
		for (char **a = h->h_addr_list; a && *a; a++)
			add(c, *a, type == DNS_A ? 4 : 16, 0);
	} else {
		if (type == DNS_PTR && h->h_name)
			add(c, h->h_name, strlen(h->h_name), 0);
		for (char **a = h->h_aliases; a && *a; a++)
			add(c, *a, strlen(*a), 0);
	}
	ares_free_hostent(h);
	return ARES_SUCCESS;
}

static enum dns_status status_of(int r)
{
	switch (r) {
	case ARES_SUCCESS: return DNS_OK;
	case ARES_ENODATA: return DNS_NODATA;
	case ARES_ENOTFOUND: return DNS_NXDOMAIN;
	case ARES_ESERVFAIL: return DNS_SERVFAIL;
	case ARES_ETIMEOUT: return DNS_TIMEOUT;
	default: return DNS_ERROR;
	}
}

static void deliver(struct entry *e)
{
	struct waiter *w = e->waiters;
	e->waiters = NULL;
	while (w) {
		struct waiter *n = w->next;
		struct dns_answer a = {w->q.id, e->status, e->records, e->count};
		e->d->pending--;
		w->fn(w->ctx, &w->q, &a);  /* may ask more: e stays valid */
		free(w);
		w = n;
	}
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	struct entry *e = arg;
	if (status == ARES_EDESTRUCTION)
		return;
	int r = status;
	if (r == ARES_SUCCESS) {
		struct collect c = {0};
		r = parse(e->type, abuf, alen, &c);
		if (r == ARES_SUCCESS && c.count) {
			c.rec = malloc(c.count * sizeof *c.rec + c.bytes + 1);
			if (!c.rec) {
				r = ARES_ENOMEM;
			} else {
				c.at = (char *)(c.rec + c.count);
				c.count = c.bytes = 0;
				r = parse(e->type, abuf, alen, &c);
				e->records = c.rec;
				e->count = c.count;
			}
		}
		if (r == ARES_SUCCESS && !e->count)
			r = ARES_ENODATA;
	}
	e->status = status_of(r);
	e->answered = 1;
	/* failures are kept a shorter time than answers */
	e->expires = now() + (dns_temporary(e->status) ? 5 : e->d->o.cache_seconds);
	deliver(e);
}

/* ---- in the event loop ------------------------------------------------------
 * After every call into c-ares, the watched sockets are made to match
 * ares_getsock's (at most ARES_GETSOCK_MAXNUM) and the timer its timeout. */

static void on_fd(void *ctx, int fd, unsigned ev);

static void sync_loop(struct io_dns *d)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	int bits = ares_getsock(d->ch, socks, ARES_GETSOCK_MAXNUM);
	struct slot keep[ARES_GETSOCK_MAXNUM];
	size_t nkeep = 0;
	for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		unsigned ev = (READABLE(bits, i) ? IO_READ : 0) |
			      (WRITABLE(bits, i) ? IO_WRITE : 0);
		if (!ev)
			continue;
		struct io_watch *w = NULL;
		for (size_t j = 0; j < d->nslots; j++)
			if (d->slots[j].w && d->slots[j].fd == socks[i]) {
				w = d->slots[j].w;
				d->slots[j].w = NULL;
				io_watch_set(w, ev);
			}
		if (!w)
			w = io_watch_add(d->loop, socks[i], ev, on_fd, d);
		if (w)  /* else out of memory: the timeout will still fire */
			keep[nkeep++] = (struct slot){socks[i], w};
	}
	for (size_t j = 0; j < d->nslots; j++)
		io_watch_del(d->slots[j].w);  /* the sockets c-ares closed */
	memcpy(d->slots, keep, nkeep * sizeof *keep);
	d->nslots = nkeep;
	struct timeval tv, *t = ares_timeout(d->ch, NULL, &tv);
	if (t)
		io_timer_set(d->timer, (uint64_t)t->tv_sec * 1000 + (uint64_t)t->tv_usec / 1000 + 1);
	else
		io_timer_stop(d->timer);
}

static void on_fd(void *ctx, int fd, unsigned ev)
{
	struct io_dns *d = ctx;
	ares_process_fd(d->ch, ev & (IO_READ | IO_ERR) ? fd : ARES_SOCKET_BAD,
			ev & IO_WRITE ? fd : ARES_SOCKET_BAD);
	sync_loop(d);
}

/* A new socket may reuse the number of one c-ares closed, which epoll has
 * forgotten: the old watch goes, and sync_loop adds a new one. */
static int on_socket(ares_socket_t fd, int type, void *ctx)
{
	(void)type;
	struct io_dns *d = ctx;
	for (size_t j = 0; j < d->nslots; j++)
		if (d->slots[j].w && d->slots[j].fd == fd) {
			io_watch_del(d->slots[j].w);
			d->slots[j].w = NULL;
		}
	return 0;
}

static void on_timer(void *ctx)
{
	struct io_dns *d = ctx;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	sync_loop(d);
}

int io_dns_attach(struct io_dns *d, struct io_loop *l)
{
	if (d->loop)
		return d->loop == l ? 0 : -1;
	if (!(d->timer = io_timer_new(l, on_timer, d)))
		return -1;
	d->loop = l;
	ares_set_socket_callback(d->ch, on_socket, d);
	sync_loop(d);
	return 0;
}

int io_dns_ask(struct io_dns *d, const struct dns_question *q, io_dns_fn fn, void *ctx)
{
	char name[DNS_NAME_MAX + 1];
	size_t n = strnlen(q->name, DNS_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		name[i] = (char)(q->name[i] >= 'A' && q->name[i] <= 'Z' ? q->name[i] + 32 : q->name[i]);
	name[n] = '\0';
	uint64_t h = hash(q->type, name);
	struct entry **b = &d->buckets[h % BUCKETS], *e = *b;
	while (e && (e->type != q->type || strcmp(e->name, name)))
		e = e->next;
	struct waiter *w = malloc(sizeof *w);
	if (!w)
		return -1;
	*w = (struct waiter){fn, ctx, *q, NULL};
	if (e && e->answered && e->expires > now()) {
		struct dns_answer a = {q->id, e->status, e->records, e->count};
		fn(ctx, q, &a);
		free(w);
		return 0;
	}
	if (!e) {
		if (!(e = calloc(1, sizeof *e))) {
			free(w);
			return -1;
		}
		e->d = d;
		e->type = q->type;
		memcpy(e->name, name, n + 1);
		e->next = *b;
		*b = e;
	}
	int ask = !e->waiters;  /* else already in flight */
	w->next = e->waiters;
	e->waiters = w;
	d->pending++;
	if (ask) {
		free_records(e);
		e->answered = 0;
		ares_query(d->ch, e->name, C_IN, (int)q->type, on_answer, e);
		if (d->loop)
			sync_loop(d);
	}
	return 0;
}

int io_dns_wait(struct io_dns *d)
{
	while (d->pending) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		int bits = ares_getsock(d->ch, socks, ARES_GETSOCK_MAXNUM);
		struct pollfd p[ARES_GETSOCK_MAXNUM];
		nfds_t n = 0;
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = (short)((READABLE(bits, i) ? POLLIN : 0) |
					   (WRITABLE(bits, i) ? POLLOUT : 0));
			if (ev)
				p[n++] = (struct pollfd){.fd = socks[i], .events = ev};
		}
		struct timeval tv, *t = ares_timeout(d->ch, NULL, &tv);
		int ms = t ? (int)(t->tv_sec * 1000 + t->tv_usec / 1000) : 1000;
		int r = poll(p, n, ms);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0) {
			ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  /* timeouts */
			continue;
		}
		for (nfds_t i = 0; i < n; i++)
			if (p[i].revents)
				ares_process_fd(d->ch, p[i].revents & (POLLIN | POLLERR | POLLHUP) ? p[i].fd
						: ARES_SOCKET_BAD, p[i].revents & POLLOUT ? p[i].fd : ARES_SOCKET_BAD);
	}
	return 0;
}
