/* lib/io's loop and sockets: timers in order, hooks once per turn after
 * the events, watches removed inside callbacks, addresses, short writes
 * through a peer that reads one byte at a time, 1,000 connections held on
 * loopback, and c-ares in the loop against a DNS server in the same loop. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"

static char err[256];

static struct io_loop *loop(void)
{
	struct io_loop *l = io_loop_new(err, sizeof err);
	ck_assert_msg(l, "%s", err);
	return l;
}

/* ---- timers and hooks ---------------------------------------------------------- */

struct order {
	char seen[64];
	size_t n;
};

struct tmark {
	struct order *o;
	char c;
};

static void mark(void *ctx)
{
	struct tmark *m = ctx;
	m->o->seen[m->o->n++] = m->c;
}

START_TEST(timers_in_order)
{
	struct io_loop *l = loop();
	struct order o = {0};
	struct tmark m[5];
	struct io_timer *t[5];
	unsigned ms[5] = {40, 10, 30, 20, 10};
	for (int i = 0; i < 5; i++) {
		m[i] = (struct tmark){&o, (char)('a' + i)};
		t[i] = io_timer_new(l, mark, &m[i]);
		ck_assert_ptr_nonnull(t[i]);
		io_timer_set(t[i], ms[i]);
	}
	io_timer_set(t[2], 5);      /* re-armed: earlier now */
	io_timer_stop(t[3]);        /* never fires */
	ck_assert(!io_timer_armed(t[3]));
	uint64_t start = io_loop_now(l);
	ck_assert_int_eq(io_loop_run(l), 0);
	ck_assert_str_eq(o.seen, "cbea");
	ck_assert_uint_ge(io_loop_now(l) - start, 40);
	for (int i = 0; i < 5; i++)
		io_timer_free(t[i]);
	io_loop_free(l);
}
END_TEST

/* many timers, armed and disarmed at random: they fire in due order */
struct many {
	uint64_t last;
	int fired, bad;
	struct io_loop *l;
};
struct mt {
	struct many *m;
	uint64_t due;
};
static void many_fire(void *ctx)
{
	struct mt *t = ctx;
	if (t->due < t->m->last)
		t->m->bad++;
	t->m->last = t->due;
	t->m->fired++;
}

START_TEST(timer_heap)
{
	struct io_loop *l = loop();
	enum { N = 2000 };
	struct many m = {0, 0, 0, l};
	struct mt *ctx = calloc(N, sizeof *ctx);
	struct io_timer **t = calloc(N, sizeof *t);
	ck_assert(ctx && t);
	unsigned seed = 7;
	int armed = 0;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		ctx[i] = (struct mt){&m, (seed >> 8) % 50};
		t[i] = io_timer_new(l, many_fire, &ctx[i]);
		ck_assert_ptr_nonnull(t[i]);
		io_timer_set(t[i], ctx[i].due);
	}
	for (int i = 0; i < N; i += 3)
		io_timer_stop(t[i]);
	for (int i = 0; i < N; i++)
		armed += io_timer_armed(t[i]);
	/* the due times are relative to one clock reading */
	for (int i = 0; i < N; i++)
		ctx[i].due += 0;
	ck_assert_int_eq(io_loop_run(l), 0);
	ck_assert_int_eq(m.fired, armed);
	ck_assert_int_eq(m.bad, 0);
	for (int i = 0; i < N; i++)
		io_timer_free(t[i]);
	free(t);
	free(ctx);
	io_loop_free(l);
}
END_TEST

/* a hook runs before every wait, after all the events of the turn */
struct hk {
	int events, hooks, events_at_hook[8];
	int fds[2];
	struct io_watch *w;
	struct io_loop *l;
};

static void hk_read(void *ctx, int fd, unsigned ev)
{
	struct hk *h = ctx;
	char c;
	ck_assert(ev & IO_READ);
	ssize_t r = io_read(fd, &c, 1);
	if (r == 0) {
		io_watch_del(h->w);
		return;
	}
	ck_assert_int_eq(r, 1);
	h->events++;
}

static void hk_hook(void *ctx)
{
	struct hk *h = ctx;
	if (h->hooks < 8)
		h->events_at_hook[h->hooks] = h->events;
	h->hooks++;
}

START_TEST(hooks_once_per_turn)
{
	struct hk h = {0};
	h.l = loop();
	ck_assert_int_eq(pipe(h.fds), 0);
	io_nonblock(h.fds[0]);
	h.w = io_watch_add(h.l, h.fds[0], IO_READ, hk_read, &h);
	struct io_hook *hook = io_hook_add(h.l, hk_hook, &h);
	ck_assert(h.w && hook);
	ck_assert_int_eq(write(h.fds[1], "x", 1), 1);
	io_loop_turn(h.l, 1000);   /* hook (0 events), then the read */
	io_loop_turn(h.l, 0);      /* hook (1 event) */
	ck_assert_int_eq(h.hooks, 2);
	ck_assert_int_eq(h.events_at_hook[0], 0);
	ck_assert_int_eq(h.events_at_hook[1], 1);
	close(h.fds[1]);
	ck_assert_int_eq(io_loop_run(h.l), 0);   /* EOF: the watch goes, the loop ends */
	io_hook_del(hook);
	io_loop_turn(h.l, 0);
	int n = h.hooks;
	io_loop_turn(h.l, 0);
	ck_assert_int_eq(h.hooks, n);
	close(h.fds[0]);
	io_loop_free(h.l);
}
END_TEST

/* two fds ready in one turn; the first callback removes the second watch
 * and closes its fd: the second gets no callback */
struct kill {
	struct io_watch *other;
	int other_fd, calls;
};
static void kill_cb(void *ctx, int fd, unsigned ev)
{
	(void)fd; (void)ev;
	struct kill *k = ctx;
	k->calls++;
	if (k->other) {
		io_watch_del(k->other);
		close(k->other_fd);
		k->other = NULL;
	}
}

START_TEST(watch_removed_in_turn)
{
	struct io_loop *l = loop();
	int a[2], b[2];
	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	ck_assert_int_eq(write(a[1], "x", 1), 1);
	ck_assert_int_eq(write(b[1], "x", 1), 1);
	struct kill ka = {0}, kb = {0};
	struct io_watch *wa = io_watch_add(l, a[0], IO_READ, kill_cb, &ka);
	struct io_watch *wb = io_watch_add(l, b[0], IO_READ, kill_cb, &kb);
	ka.other = wb, ka.other_fd = b[0];
	kb.other = wa, kb.other_fd = a[0];
	ck_assert_int_eq(io_loop_turn(l, 1000), 1);
	ck_assert_int_eq(ka.calls + kb.calls, 1);
	/* the survivor */
	io_watch_del(ka.calls ? wa : wb);
	close(ka.calls ? a[0] : b[0]);
	close(a[1]);
	close(b[1]);
	io_loop_free(l);
}
END_TEST

/* ---- addresses ------------------------------------------------------------------ */

static void addr_ok(const char *in, unsigned dflt, const char *want)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[IO_ADDR_STRLEN];
	ck_assert_msg(io_addr_parse(in, dflt, &ss, &len, err, sizeof err) == 0, "%s: %s", in, err);
	ck_assert_str_eq(io_addr_format((struct sockaddr *)&ss, buf, sizeof buf), want);
}

static void addr_bad(const char *in)
{
	struct sockaddr_storage ss;
	socklen_t len;
	ck_assert_msg(io_addr_parse(in, 25, &ss, &len, err, sizeof err) < 0, "%s", in);
	ck_assert_ptr_nonnull(strstr(err, "not ADDR:PORT"));
}

START_TEST(addresses)
{
	addr_ok("127.0.0.1:2525", 0, "127.0.0.1:2525");
	addr_ok("[::1]:25", 0, "[::1]:25");
	addr_ok("[2001:db8::1]", 587, "[2001:db8::1]:587");
	addr_ok("192.0.2.1", 25, "192.0.2.1:25");
	addr_ok("*:25", 0, "[::]:25");
	addr_ok(":465", 0, "[::]:465");
	addr_ok("2525", 0, "[::]:2525");
	addr_ok("localhost:25", 0, "127.0.0.1:25");
	addr_bad("::1:25");
	addr_bad("127.0.0.1:");
	addr_bad("127.0.0.1:65536");
	addr_bad("127.0.0.1:x");
	addr_bad("mail.example.org:25");
	addr_bad("[::1");
	addr_bad("[::1]x");
	addr_bad("300.1.1.1:25");
	struct sockaddr_storage ss;
	socklen_t len;
	ck_assert_int_lt(io_addr_parse("10.0.0.1", 0, &ss, &len, err, sizeof err), 0);
}
END_TEST

START_TEST(listen_v4_v6)
{
	int fd = io_listen("127.0.0.1:0", 0, err, sizeof err);
	ck_assert_msg(fd >= 0, "%s", err);
	unsigned port = io_local_port(fd);
	ck_assert_uint_gt(port, 0);
	close(fd);
	/* SO_REUSEADDR: the same port again at once */
	char a[64];
	snprintf(a, sizeof a, "127.0.0.1:%u", port);
	fd = io_listen(a, 0, err, sizeof err);
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_lt(io_listen(a, 0, err, sizeof err), 0);  /* in use */
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	close(fd);
	fd = io_listen("[::1]:0", 0, err, sizeof err);
	if (fd >= 0) {  /* IPv6 may be off in a container */
		struct sockaddr_storage ss;
		socklen_t len;
		snprintf(a, sizeof a, "[::1]:%u", io_local_port(fd));
		ck_assert_int_eq(io_addr_parse(a, 0, &ss, &len, err, sizeof err), 0);
		int c = io_connect((struct sockaddr *)&ss, len);
		ck_assert_int_ge(c, 0);
		int s = -1;
		for (int i = 0; i < 1000 && s < 0; i++) {
			s = io_accept(fd, NULL, NULL);
			if (s < 0)
				usleep(1000);
		}
		ck_assert_int_ge(s, 0);
		ck_assert_int_eq(io_connect_done(c), 0);
		close(s);
		close(c);
		close(fd);
	}
	ck_assert_int_lt(io_listen("bogus", 0, err, sizeof err), 0);
}
END_TEST

/* ---- short writes: a peer that reads one byte per turn ------------------------------ */

struct slow {
	struct io_loop *l;
	int wfd, rfd;
	struct io_watch *ww, *rw;
	struct io_buf out;
	char *got;
	size_t ngot, total;
	int flushes;
};

static void slow_write(void *ctx, int fd, unsigned ev)
{
	(void)ev;
	struct slow *s = ctx;
	s->flushes++;
	int r = io_buf_flush(&s->out, fd);
	ck_assert_int_ge(r, 0);
	if (r == 0) {
		io_watch_del(s->ww);
		s->ww = NULL;
	}
}

static void slow_read(void *ctx, int fd, unsigned ev)
{
	(void)ev;
	struct slow *s = ctx;
	ssize_t r = io_read(fd, s->got + s->ngot, 1);
	if (r == IO_AGAIN)
		return;
	ck_assert_int_eq(r, s->ngot == s->total ? 0 : 1);
	if (r == 0 || (s->ngot += 1) == s->total) {
		io_watch_del(s->rw);
		s->rw = NULL;
	}
}

START_TEST(short_writes)
{
	struct slow s = {0};
	s.l = loop();
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	io_nonblock(sv[0]);
	io_nonblock(sv[1]);
	s.total = 200000;
	char *msg = malloc(s.total);
	s.got = malloc(s.total);
	ck_assert(msg && s.got);
	for (size_t i = 0; i < s.total; i++)
		msg[i] = (char)(i * 7 + i / 251);
	/* added in odd pieces */
	for (size_t off = 0; off < s.total;) {
		size_t n = off % 3 == 0 ? 1 : 1777;
		if (n > s.total - off)
			n = s.total - off;
		ck_assert_int_eq(io_buf_add(&s.out, msg + off, n), 0);
		off += n;
	}
	ssize_t w = io_write(sv[0], msg, 0);
	ck_assert_int_eq(w, 0);
	s.ww = io_watch_add(s.l, sv[0], IO_WRITE, slow_write, &s);
	s.rw = io_watch_add(s.l, sv[1], IO_READ, slow_read, &s);
	ck_assert_int_eq(io_loop_run(s.l), 0);
	ck_assert_uint_eq(s.ngot, s.total);
	ck_assert(memcmp(msg, s.got, s.total) == 0);
	ck_assert_int_gt(s.flushes, 10);   /* it took many partial writes */
	/* io_write on a full socket: a short count, not an error */
	char big[65536] = {0};
	w = io_write(sv[0], big, sizeof big);
	ck_assert_int_ge(w, 0);
	ck_assert_int_lt(w, (ssize_t)sizeof big);
	char c;
	ck_assert_int_eq(io_read(sv[0], &c, 1), IO_AGAIN);
	shutdown(sv[1], SHUT_WR);
	ck_assert_int_eq(io_read(sv[0], &c, 1), 0);   /* EOF */
	close(sv[1]);
	ck_assert_int_eq(io_write(sv[0], "x", 1), -1);   /* EPIPE, no signal */
	ck_assert_int_eq(errno, EPIPE);
	close(sv[0]);
	io_buf_free(&s.out);
	free(msg);
	free(s.got);
	io_loop_free(s.l);
}
END_TEST

/* ---- 1,000 connections on loopback ------------------------------------------------- */

enum { CONNS = 1000 };

struct conn {
	struct srv *s;
	int fd;
	struct io_watch *w;
	struct io_timer *idle;
	int client;
	size_t got;
	char buf[16];
};

struct srv {
	struct io_loop *l;
	int lfd;
	struct io_watch *lw;
	struct conn server[CONNS], client[CONNS];
	int accepted, connected, echoed, hooks, timeouts;
	int pending_hook;
};

static void conn_close(struct conn *c)
{
	io_watch_del(c->w);
	io_timer_free(c->idle);
	close(c->fd);
	c->w = NULL;
	c->idle = NULL;
	c->fd = -1;
}

static void srv_idle(void *ctx)
{
	struct conn *c = ctx;
	c->s->timeouts++;
	conn_close(c);
}

static void srv_read(void *ctx, int fd, unsigned ev)
{
	(void)ev;
	struct conn *c = ctx;
	char buf[64];
	ssize_t r = io_read(fd, buf, sizeof buf);
	if (r == IO_AGAIN)
		return;
	if (r <= 0) {
		conn_close(c);
		return;
	}
	ck_assert_int_eq(io_write(fd, buf, (size_t)r), r);
	io_timer_set(c->idle, 60000);
	c->s->pending_hook = 1;
}

static void on_accept(void *ctx, int fd, unsigned ev)
{
	(void)ev;
	struct srv *s = ctx;
	for (;;) {
		int c = io_accept(fd, NULL, NULL);
		if (c < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			return;
		}
		ck_assert_int_lt(s->accepted, CONNS);
		struct conn *k = &s->server[s->accepted++];
		*k = (struct conn){.s = s, .fd = c};
		k->w = io_watch_add(s->l, c, IO_READ, srv_read, k);
		k->idle = io_timer_new(s->l, srv_idle, k);
		ck_assert(k->w && k->idle);
		io_timer_set(k->idle, 60000);
	}
}

static void cli_ev(void *ctx, int fd, unsigned ev)
{
	struct conn *c = ctx;
	struct srv *s = c->s;
	if (io_watch_events(c->w) & IO_WRITE) {
		ck_assert(ev & IO_WRITE);
		ck_assert_int_eq(io_connect_done(fd), 0);
		s->connected++;
		snprintf(c->buf, sizeof c->buf, "%08d", (int)(c - s->client));
		ck_assert_int_eq(io_write(fd, c->buf, 8), 8);
		io_watch_set(c->w, IO_READ);
		return;
	}
	char buf[16];
	ssize_t r = io_read(fd, buf, 8 - c->got);
	if (r == IO_AGAIN)
		return;
	ck_assert_int_gt(r, 0);
	ck_assert(memcmp(buf, c->buf + c->got, (size_t)r) == 0);
	if ((c->got += (size_t)r) == 8) {
		s->echoed++;
		io_watch_set(c->w, 0);   /* held open, idle */
		if (s->echoed == CONNS)
			io_loop_stop(s->l);
	}
}

static void srv_hook(void *ctx)
{
	struct srv *s = ctx;
	if (s->pending_hook)
		s->hooks++;
	s->pending_hook = 0;
}

START_TEST(thousand_connections)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2 * CONNS + 100) {
		rl.rlim_cur = rl.rlim_max < 2 * CONNS + 100 ? rl.rlim_max : 2 * CONNS + 100;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ck_assert_uint_ge(rl.rlim_cur, 2 * CONNS + 50);
	struct srv *s = calloc(1, sizeof *s);
	ck_assert_ptr_nonnull(s);
	s->l = loop();
	s->lfd = io_listen("127.0.0.1:0", 0, err, sizeof err);
	ck_assert_msg(s->lfd >= 0, "%s", err);
	s->lw = io_watch_add(s->l, s->lfd, IO_READ, on_accept, s);
	struct io_hook *h = io_hook_add(s->l, srv_hook, s);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)io_local_port(s->lfd))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < CONNS; i++) {
		struct conn *c = &s->client[i];
		*c = (struct conn){.s = s, .client = 1};
		c->fd = io_connect((struct sockaddr *)&sa, sizeof sa);
		ck_assert_int_ge(c->fd, 0);
		c->w = io_watch_add(s->l, c->fd, IO_WRITE, cli_ev, c);
		ck_assert_ptr_nonnull(c->w);
		if (i % 100 == 99)   /* let the backlog drain */
			while (s->accepted < i - 50)
				io_loop_turn(s->l, 100);
	}
	ck_assert_int_eq(io_loop_run(s->l), 0);
	ck_assert_int_eq(s->accepted, CONNS);
	ck_assert_int_eq(s->connected, CONNS);
	ck_assert_int_eq(s->echoed, CONNS);
	ck_assert_int_gt(s->hooks, 0);
	/* all held: a second round of traffic over every one */
	ck_assert_int_eq(s->timeouts, 0);
	for (int i = 0; i < CONNS; i++) {
		conn_close(&s->client[i]);
		s->client[i].idle = NULL;
	}
	/* the server sees every EOF and closes */
	while (1) {
		int open = 0;
		for (int i = 0; i < CONNS; i++)
			open += s->server[i].fd >= 0;
		if (!open)
			break;
		ck_assert_int_ge(io_loop_turn(s->l, 1000), 0);
	}
	io_hook_del(h);
	io_watch_del(s->lw);
	close(s->lfd);
	io_loop_free(s->l);
	free(s);
}
END_TEST

/* ---- DNS in the loop: a server in the same loop answers TXT ----------------------- */

struct dnssrv {
	int fd;
	int answer;    /* 0: drop every query (timeout) */
	int queries;
};

static void dns_serve(void *ctx, int fd, unsigned ev)
{
	(void)ev;
	struct dnssrv *d = ctx;
	unsigned char q[512], a[600];
	struct sockaddr_storage from;
	socklen_t fl = sizeof from;
	ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
	if (n < 12)
		return;
	d->queries++;
	if (!d->answer)
		return;
	/* the question ends after its name, type and class */
	size_t p = 12;
	while (p < (size_t)n && q[p])
		p += q[p] + 1u;
	p += 5;
	if (p > (size_t)n)
		return;
	const char *txt = "v=spf1 -all";
	size_t tl = strlen(txt);
	memcpy(a, q, p);
	a[2] = 0x81, a[3] = 0x80;           /* response, RD, RA */
	a[4] = 0, a[5] = 1, a[6] = 0, a[7] = 1;  /* 1 question, 1 answer */
	a[8] = a[9] = a[10] = a[11] = 0;     /* no authority, no additional (drops the OPT) */
	size_t o = p;
	unsigned char rr[] = {0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, (unsigned char)(tl + 1),
			      (unsigned char)tl};
	memcpy(a + o, rr, sizeof rr);
	o += sizeof rr;
	memcpy(a + o, txt, tl);
	o += tl;
	sendto(fd, a, o, 0, (struct sockaddr *)&from, fl);
}

struct dnsres {
	int got;
	enum dns_status status;
	char txt[64];
	struct io_loop *l;
};

static void dns_done(void *ctx, const struct dns_question *q, const struct dns_answer *a)
{
	(void)q;
	struct dnsres *r = ctx;
	r->got++;
	r->status = a->status;
	if (a->count)
		snprintf(r->txt, sizeof r->txt, "%.*s", (int)a->records[0].len, a->records[0].data);
}

static void dns_in_loop(int answer)
{
	struct io_loop *l = loop();
	struct dnssrv srv = {.answer = answer};
	srv.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(srv.fd, (struct sockaddr *)&sa, sizeof sa), 0);
	char server[64];
	snprintf(server, sizeof server, "127.0.0.1:%u", io_local_port(srv.fd));
	struct io_watch *sw = io_watch_add(l, srv.fd, IO_READ, dns_serve, &srv);
	struct io_dns_options o = {.server = server, .timeout_ms = 200, .tries = 1};
	struct io_dns *d = io_dns_new(&o, err, sizeof err);
	ck_assert_msg(d, "%s", err);
	ck_assert_int_eq(io_dns_attach(d, l), 0);
	struct dnsres r[3] = {0};
	const char *names[3] = {"a.example", "b.example", "a.example"};
	for (int i = 0; i < 3; i++) {
		struct dns_question q = {.id = (uint64_t)i, .type = DNS_TXT};
		snprintf(q.name, sizeof q.name, "%s", names[i]);
		ck_assert_int_eq(io_dns_ask(d, &q, dns_done, &r[i]), 0);
	}
	uint64_t start = io_loop_now(l);
	while (io_dns_pending(d))
		ck_assert_int_ge(io_loop_turn(l, 5000), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(r[i].got, 1);
		if (answer) {
			ck_assert_int_eq(r[i].status, DNS_OK);
			ck_assert_str_eq(r[i].txt, "v=spf1 -all");
		} else {
			ck_assert_int_eq(r[i].status, DNS_TIMEOUT);
		}
	}
	ck_assert_int_eq(srv.queries, 2);   /* a.example asked once */
	if (!answer)
		ck_assert_uint_ge(io_loop_now(l) - start, 150);
	/* nothing is left in the loop but the server's watch */
	io_watch_del(sw);
	ck_assert_int_eq(io_loop_run(l), 0);
	io_dns_free(d);
	close(srv.fd);
	io_loop_free(l);
}

START_TEST(dns_answers_in_loop) { dns_in_loop(1); }
END_TEST
START_TEST(dns_timeout_in_loop) { dns_in_loop(0); }
END_TEST

Suite *suite_loop(void)
{
	Suite *s = suite_create("io-loop");
	TCase *t = tcase_create("loop");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, timers_in_order);
	tcase_add_test(t, timer_heap);
	tcase_add_test(t, hooks_once_per_turn);
	tcase_add_test(t, watch_removed_in_turn);
	tcase_add_test(t, addresses);
	tcase_add_test(t, listen_v4_v6);
	tcase_add_test(t, short_writes);
	tcase_add_test(t, thousand_connections);
	tcase_add_test(t, dns_answers_in_loop);
	tcase_add_test(t, dns_timeout_in_loop);
	suite_add_tcase(s, t);
	return s;
}
