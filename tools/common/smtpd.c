/* ember commands: the SMTP server core (see smtpd.h). Moved out of
 * ember srv, whose sessions it ran; srv, relay and receiver differ only in
 * their hooks. */
#include "smtpd.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct user {
	char *name, *pass;
};

struct smtpd {
	struct io_loop *loop;
	const struct smtpd_hooks *h;
	void *ctx;
	int lfd;
	struct io_watch *lw, *sw;
	struct io_timer *pause;      /* accept paused: out of descriptors */
	struct io_tls_ctx *tls;
	const char **domains;
	size_t ndomains;
	struct user *users;
	size_t nusers;
	struct smtp_server_options so;
	size_t max_clients, nclients;
	char host[256];
	unsigned long seq;
	struct smtpd_session *all;
	int sig[2];
};

enum question { Q_NONE, Q_MAIL, Q_RCPT, Q_END };

struct smtpd_session {
	struct smtpd *d;
	struct smtpd_session *next, *prev;
	int fd;
	struct io_watch *w;
	struct io_timer *t;
	struct smtp_server *sm;
	struct io_tls *tls;
	int tls_open;
	struct io_buf out;
	struct sockaddr_storage peer;
	char ip[IO_ADDR_STRLEN];
	char *sender;
	char **rcpts;
	size_t nrcpts, rcap;
	char *asked_rcpt;        /* the RCPT being answered */
	enum question open;      /* a question waits for smtpd_answer */
	int running;             /* inside session_run */
	int failed;              /* begin refused: 451 at the end */
	int closing, dead;
	void *data;
};

/* The signal pipe of the server being run: a handler has nothing else. */
static int sig_fd = -1;

static void on_signal(int sig)
{
	(void)sig;
	int e = errno;
	if (sig_fd >= 0 && write(sig_fd, "x", 1) < 0) {
		/* the loop is being told already */
	}
	errno = e;
}

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* ---- options ---------------------------------------------------------- */

void smtpd_config_init(struct smtpd_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_clients = 1000;
	c->timeout_s = 300;
	c->data_timeout_s = 180;
}

unsigned long smtpd_number(const char *opt, const char *s, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max || *s == '-')
		cli_usage_error("%s: a number from 1 to %lu", opt, max);
	return v;
}

int smtpd_option(struct smtpd_config *c, int opt, const char *arg)
{
	switch (opt - SMTPD_OPT_BASE) {
	case 0: c->listen = arg; return 1;
	case 1: {
		const char **d = realloc(c->domains, (c->ndomains + 1) * sizeof *d);
		if (!d)
			oom();
		c->domains = d;
		d[c->ndomains++] = arg;
		return 1;
	}
	case 2: c->tls_cert = arg; return 1;
	case 3: c->tls_key = arg; return 1;
	case 4: c->auth_file = arg; return 1;
	case 5: c->so.max_size = smtpd_number("--max-size", arg, 1ul << 40); return 1;
	case 6: c->max_clients = smtpd_number("--max-clients", arg, 1000000); return 1;
	case 7: c->so.max_rcpts = smtpd_number("--max-rcpts", arg, 1000000); return 1;
	case 8: c->hostname = arg; return 1;
	case 9: c->timeout_s = smtpd_number("--timeout", arg, 86400); return 1;
	case 10: c->data_timeout_s = smtpd_number("--data-timeout", arg, 86400); return 1;
	case 11: c->so.flags |= SMTP_SRV_NORMALISE; return 1;
	case 12: c->no_chunking = 1; return 1;
	default: return 0;
	}
}

/* ---- output ----------------------------------------------------------- */

static void session_free(struct smtpd_session *s);
static void session_run(struct smtpd_session *s);
static int tls_pump(struct smtpd_session *s);

/* Replies queued for a client that does not read them: past this, its
 * input is not read either (else each command read queues one more reply,
 * and the queue grows without end). */
#define OUT_CAP (256 * 1024)

static int may_read(struct smtpd_session *s)
{
	return !s->closing && io_buf_pending(&s->out) < OUT_CAP &&
	       (smtp_server_want_input(s->sm) || (s->tls && !s->tls_open));
}

static void update_watch(struct smtpd_session *s)
{
	unsigned ev = 0;
	if (!s->w)
		return;  /* the connection broke while a question was open */
	if (may_read(s))
		ev |= IO_READ;
	if (io_buf_pending(&s->out))
		ev |= IO_WRITE;
	if (io_watch_events(s->w) != ev)  /* an epoll_ctl only for a change */
		io_watch_set(s->w, ev);
}

/* The machine's replies, through TLS when it is on, onto the socket.
 * Returns how many bytes it took from the machine. */
static size_t flush(struct smtpd_session *s)
{
	size_t n;
	const char *p = smtp_server_output(s->sm, &n);
	size_t taken = n;
	if (n) {
		int e = s->tls ? io_tls_write(s->tls, p, n) : io_buf_add(&s->out, p, n);
		if (e)
			s->closing = 1;
		smtp_server_drain(s->sm, n);
	}
	if (s->tls) {
		char buf[16384];
		size_t k;
		while ((k = io_tls_take(s->tls, buf, sizeof buf)) > 0)
			if (io_buf_add(&s->out, buf, k))
				s->closing = 1;
	}
	if (io_buf_flush(&s->out, s->fd) < 0) {
		s->out.off = s->out.len = 0;  /* the peer is gone */
		s->closing = 1;
	}
	update_watch(s);
	return taken;
}

/* ---- the transaction -------------------------------------------------- */

static void clear_envelope(struct smtpd_session *s)
{
	free(s->sender);
	s->sender = NULL;
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	s->nrcpts = 0;
	s->failed = 0;
}

static void add_rcpt(struct smtpd_session *s, char *r)
{
	if (s->nrcpts == s->rcap) {
		size_t cap = s->rcap ? s->rcap * 2 : 8;
		char **n = realloc(s->rcpts, cap * sizeof *n);
		if (!n)
			oom();
		s->rcpts = n;
		s->rcap = cap;
	}
	s->rcpts[s->nrcpts++] = r;
}

void smtpd_answer(struct smtpd_session *s, int code, const char *ehc, const char *text)
{
	enum question q = s->open;
	if (q == Q_NONE)
		return;
	s->open = Q_NONE;
	if (q == Q_RCPT) {
		if (code >= 200 && code < 300 && !s->dead)
			add_rcpt(s, s->asked_rcpt);
		else
			free(s->asked_rcpt);
		s->asked_rcpt = NULL;
	}
	if (s->dead) {
		if (!s->running)
			session_free(s);
		return;
	}
	smtp_server_reply(s->sm, code, ehc, text);
	if (!s->running)
		session_run(s);
}

int smtpd_domain_ok(const struct smtpd *d, const char *rcpt)
{
	if (!d->ndomains || !strcmp(rcpt, "Postmaster"))
		return 1;
	const char *at = strrchr(rcpt, '@');
	if (!at)
		return 0;
	for (size_t i = 0; i < d->ndomains; i++)
		if (mime_ascii_caseeq(at + 1, strlen(at + 1), d->domains[i], strlen(d->domains[i])))
			return 1;
	return 0;
}

/* Compared whole, whatever matches first (no early exit on the password). */
static int same(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);
	unsigned char x = an != bn;
	for (size_t i = 0; i < an; i++)
		x |= (unsigned char)(a[i] ^ b[i % (bn ? bn : 1)]);
	return x == 0;
}

static int check_user(const struct smtpd *d, const char *user, const char *pass, const char *authzid)
{
	int ok = 0;
	if (authzid && *authzid && strcmp(authzid, user))
		return 0;  /* no acting for someone else */
	for (size_t i = 0; i < d->nusers; i++)
		if (!strcmp(d->users[i].name, user) && same(d->users[i].pass, pass))
			ok = 1;
	return ok;
}

/* ---- the session ------------------------------------------------------ */

static void event(struct smtpd_session *s, enum smtp_ev e, const struct smtp_event *ev)
{
	struct smtpd *d = s->d;
	const struct smtpd_hooks *h = d->h;
	switch (e) {
	case SMTP_EV_HELO:
	case SMTP_EV_RSET:
		clear_envelope(s);
		if (h->reset)
			h->reset(d->ctx, s);
		break;
	case SMTP_EV_MAIL:
		clear_envelope(s);
		if (!(s->sender = strdup(ev->data)))
			oom();
		s->open = Q_MAIL;
		if (h->mail)
			h->mail(d->ctx, s, s->sender);
		else
			smtpd_answer(s, 250, NULL, NULL);
		break;
	case SMTP_EV_RCPT:
		if (!(s->asked_rcpt = strdup(ev->data)))
			oom();
		s->open = Q_RCPT;
		if (h->rcpt)
			h->rcpt(d->ctx, s, ev->data);
		else if (!smtpd_domain_ok(d, ev->data) && !smtp_server_user(s->sm))
			smtpd_answer(s, 550, "5.7.1", "Relaying denied");
		else
			smtpd_answer(s, 250, NULL, NULL);
		break;
	case SMTP_EV_DATA_BEGIN:
		s->failed = h->begin && h->begin(d->ctx, s) != 0;
		break;
	case SMTP_EV_DATA:
		if (!s->failed && h->data)
			h->data(d->ctx, s, ev->data, ev->len);
		break;
	case SMTP_EV_DATA_END:
		s->open = Q_END;
		if (s->failed) {
			if (h->abort)
				h->abort(d->ctx, s);
			s->failed = 0;
			smtpd_answer(s, 451, "4.3.0", "Cannot store the message now");
		} else if (h->end) {
			h->end(d->ctx, s);
		} else {
			smtpd_answer(s, 554, "5.3.0", "No way to store the message");
		}
		break;
	case SMTP_EV_DATA_ABORT:
		s->failed = 0;
		if (h->abort)
			h->abort(d->ctx, s);
		break;
	case SMTP_EV_AUTH:
		smtp_server_auth(s->sm, check_user(d, ev->user, ev->password, ev->authzid));
		break;
	case SMTP_EV_STARTTLS:
		/* the 220 goes out in clear; everything after is TLS */
		flush(s);
		clear_envelope(s);
		if (h->reset)
			h->reset(d->ctx, s);
		s->tls = io_tls_new(d->tls, NULL);
		if (!s->tls)
			s->closing = 1;
		break;
	case SMTP_EV_CLOSE:
		s->closing = 1;
		break;
	default:
		break;
	}
}

static void session_run(struct smtpd_session *s)
{
	struct smtp_event ev;
	enum smtp_ev e;
	s->running = 1;
again:
	while (s->open == Q_NONE && !s->dead && (e = smtp_server_next(s->sm, &ev)) != SMTP_EV_AWAIT)
		event(s, e, &ev);
	if (s->dead) {
		s->running = 0;
		if (s->open == Q_NONE)
			session_free(s);
		return;
	}
	if (s->open == Q_NONE && tls_pump(s))
		goto again;
	io_timer_set(s->t, smtp_server_timeout_ms(s->sm));
	/* the machine stops when its replies pile up: once they are taken,
	 * it may go on with the input it holds (until the socket is full) */
	if (flush(s) && s->open == Q_NONE && !s->closing && io_buf_pending(&s->out) < (1u << 20))
		goto again;
	s->running = 0;
	if (s->closing && !io_buf_pending(&s->out))
		session_free(s);
}

static void session_free(struct smtpd_session *s)
{
	struct smtpd *d = s->d;
	if (!s->dead) {
		s->dead = 1;
		if (s->w)
			io_watch_del(s->w);
		s->w = NULL;
		io_timer_free(s->t);
		s->t = NULL;
		close(s->fd);
		d->nclients--;
	}
	/* an open question still points here: freed by its answer */
	if (s->open != Q_NONE || s->running)
		return;
	if (d->h->gone)
		d->h->gone(d->ctx, s);
	clear_envelope(s);
	free(s->rcpts);
	free(s->asked_rcpt);
	io_buf_free(&s->out);
	io_tls_free(s->tls);
	smtp_server_free(s->sm);
	if (s->prev)
		s->prev->next = s->next;
	else
		d->all = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

/* Plaintext out of TLS into the machine, as much as it wants: what it does
 * not want yet stays in the TLS object (and the socket is not read, see
 * may_read) until it has taken what it holds. 1 if anything was fed. */
static int tls_pump(struct smtpd_session *s)
{
	char buf[16384];
	ssize_t k = 0;
	int fed = 0;
	if (!s->tls_open)
		return 0;
	while (!s->closing && smtp_server_want_input(s->sm) &&
	       (k = io_tls_read(s->tls, buf, sizeof buf)) > 0) {
		fed = 1;
		if (smtp_server_feed(s->sm, buf, (size_t)k) != SMTP_OK)
			s->closing = 1;
	}
	if (k < 0 && io_tls_state(s->tls) != IO_TLS_OPEN && smtp_server_want_input(s->sm)) {
		smtp_server_feed(s->sm, "", 0);  /* the client closed */
		fed = 1;
	}
	return fed;
}

static void on_timeout(void *ctx)
{
	struct smtpd_session *s = ctx;
	if (s->open != Q_NONE)
		return;  /* our answer is late, not the client */
	if (s->closing) {
		/* the last replies did not go out in a whole timeout: a client
		 * that does not read is not waited for any longer */
		s->out.off = s->out.len = 0;
		session_free(s);
		return;
	}
	smtp_server_timeout(s->sm);
	session_run(s);
}

static void on_io(void *ctx, int fd, unsigned events)
{
	struct smtpd_session *s = ctx;
	char buf[65536];
	if (events & IO_WRITE) {
		if (io_buf_flush(&s->out, fd) < 0) {
			s->out.off = s->out.len = 0;
			s->closing = 1;
		}
	}
	if ((events & (IO_READ | IO_ERR)) && !s->closing) {
		for (int i = 0; i < 4 && may_read(s); i++) {
			ssize_t n = io_read(fd, buf, sizeof buf);
			if (n == IO_AGAIN)
				break;
			if (n <= 0) {
				smtp_server_feed(s->sm, "", 0);
				if (s->tls && !s->tls_open)
					s->closing = 1;  /* gone during the handshake */
				break;
			}
			if (!s->tls) {
				if (smtp_server_feed(s->sm, buf, (size_t)n) != SMTP_OK)
					s->closing = 1;
				if ((size_t)n < sizeof buf)
					break;  /* drained: no read just to hear EAGAIN */
				continue;
			}
			if (io_tls_feed(s->tls, buf, (size_t)n) || io_tls_state(s->tls) == IO_TLS_FAILED) {
				s->closing = 1;
				break;
			}
			if (!s->tls_open && io_tls_state(s->tls) == IO_TLS_OPEN) {
				s->tls_open = 1;
				smtp_server_tls_started(s->sm);
			}
			tls_pump(s);
		}
	}
	if ((events & IO_ERR) && s->open != Q_NONE && s->w) {
		/* broken (reset, hung up) while our answer is being made: epoll
		 * would report it every turn until then */
		io_watch_del(s->w);
		s->w = NULL;
	}
	session_run(s);
}

/* The address without the port, as Received writes it. */
static void peer_text(struct smtpd_session *s)
{
	io_addr_format((struct sockaddr *)&s->peer, s->ip, sizeof s->ip);
	char *colon = strrchr(s->ip, ':');
	if (colon)
		*colon = 0;
	if (s->ip[0] == '[') {
		memmove(s->ip, s->ip + 1, strlen(s->ip));
		char *b = strchr(s->ip, ']');
		if (b) {
			size_t n = (size_t)(b - s->ip);
			memmove(s->ip + 5, s->ip, n);
			memcpy(s->ip, "IPv6:", 5);
			s->ip[5 + n] = 0;
		}
	}
}

static void on_accept(void *ctx, int lfd, unsigned events)
{
	struct smtpd *d = ctx;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof peer;
		int fd = io_accept(lfd, &peer, &plen);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* the listener stays readable: not watched for 100 ms,
				 * else the loop spins and the log fills */
				cli_warn("accept", "%s (paused for 100 ms)", strerror(errno));
				io_watch_set(d->lw, 0);
				io_timer_set(d->pause, 100);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				cli_warn("accept", "%s", strerror(errno));
			}
			return;
		}
		struct smtpd_session *s = calloc(1, sizeof *s);
		if (!s)
			oom();
		s->d = d;
		s->fd = fd;
		s->peer = peer;
		peer_text(s);
		s->sm = smtp_server_new(&d->so);
		s->w = io_watch_add(d->loop, fd, IO_READ, on_io, s);
		s->t = io_timer_new(d->loop, on_timeout, s);
		if (!s->sm || !s->w || !s->t)
			oom();
		s->next = d->all;
		if (d->all)
			d->all->prev = s;
		d->all = s;
		d->nclients++;
		if (d->nclients > d->max_clients) {
			size_t n;
			smtp_server_output(s->sm, &n);
			smtp_server_drain(s->sm, n);  /* a 421 instead of the greeting */
			smtp_server_shutdown(s->sm, "Too many connections, try again later");
		}
		session_run(s);
	}
}

static void on_unpause(void *ctx)
{
	struct smtpd *d = ctx;
	io_watch_set(d->lw, IO_READ);
}

static void on_sigpipe(void *ctx, int fd, unsigned events)
{
	struct smtpd *d = ctx;
	char b[16];
	(void)events;
	if (read(fd, b, sizeof b) < 0) {
		/* a signal came: stop either way */
	}
	io_loop_stop(d->loop);
}

/* ---- setup ------------------------------------------------------------ */

static void read_users(struct smtpd *d, const char *path)
{
	FILE *f = cli_open(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long no = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		no++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		char *c = strchr(line, ':');
		if (!c || c == line) {
			char where[300];
			snprintf(where, sizeof where, "%s:%lu", path, no);
			cli_die(EX_DATAERR, where, "not USER:PASSWORD");
		}
		*c = 0;
		struct user *u = realloc(d->users, (d->nusers + 1) * sizeof *u);
		if (!u)
			oom();
		d->users = u;
		u[d->nusers].name = strdup(line);
		u[d->nusers].pass = strdup(c + 1);
		if (!u[d->nusers].name || !u[d->nusers].pass)
			oom();
		d->nusers++;
	}
	free(line);
	fclose(f);
}

struct smtpd *smtpd_new(const struct smtpd_config *c, struct io_loop *loop,
			const struct smtpd_hooks *h, void *ctx)
{
	static const struct smtpd_hooks none;
	struct smtpd *d = calloc(1, sizeof *d);
	if (!d)
		oom();
	d->loop = loop;
	d->h = h ? h : &none;
	d->ctx = ctx;
	d->domains = c->domains;
	d->ndomains = c->ndomains;
	d->so = c->so;
	d->max_clients = c->max_clients;
	d->sig[0] = d->sig[1] = -1;
	if (!c->listen)
		cli_usage_error("--listen ADDR:PORT is needed");
	if (c->tls_key && !c->tls_cert)
		cli_usage_error("--tls-key needs --tls-cert");
	if (c->hostname)
		snprintf(d->host, sizeof d->host, "%s", c->hostname);
	else if (gethostname(d->host, sizeof d->host - 1) || !d->host[0])
		snprintf(d->host, sizeof d->host, "localhost");
	char err[512];
	if (c->tls_cert) {
		struct io_tls_options to = {.cert_file = c->tls_cert, .key_file = c->tls_key};
		if (!(d->tls = io_tls_server_ctx(&to, err, sizeof err)))
			cli_die(EX_NOINPUT, c->tls_cert, "%s", err);
		d->so.flags |= SMTP_SRV_STARTTLS;
	}
	if (c->auth_file) {
		read_users(d, c->auth_file);
		d->so.flags |= SMTP_SRV_AUTH;
		if (!c->tls_cert)
			cli_warn("--auth-file", "without --tls-cert AUTH is never offered (no TLS)");
	}
	if (!c->no_chunking)
		d->so.flags |= SMTP_SRV_CHUNKING;
	d->so.hostname = d->host;
	d->so.cmd_timeout_ms = (unsigned)(c->timeout_s * 1000);
	d->so.data_timeout_ms = (unsigned)(c->data_timeout_s * 1000);
	/* 1,000 clients and more: as many descriptors as allowed */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (pipe(d->sig) || io_nonblock(d->sig[0]) || io_nonblock(d->sig[1]) ||
	    fcntl(d->sig[0], F_SETFD, FD_CLOEXEC) || fcntl(d->sig[1], F_SETFD, FD_CLOEXEC))
		cli_die(EX_OSERR, NULL, "pipe: %s", strerror(errno));
	sig_fd = d->sig[1];
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	d->lfd = io_listen(c->listen, 0, err, sizeof err);
	if (d->lfd < 0)
		cli_die(EX_UNAVAILABLE, c->listen, "%s", err);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char where[IO_ADDR_STRLEN];
	if (getsockname(d->lfd, (struct sockaddr *)&ss, &sl) == 0)
		printf("%s\n", io_addr_format((struct sockaddr *)&ss, where, sizeof where));
	cli_flush_stdout();
	d->sw = io_watch_add(loop, d->sig[0], IO_READ, on_sigpipe, d);
	d->lw = io_watch_add(loop, d->lfd, IO_READ, on_accept, d);
	d->pause = io_timer_new(loop, on_unpause, d);
	if (!d->sw || !d->lw || !d->pause)
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	return d;
}

int smtpd_run(struct smtpd *d)
{
	int r = io_loop_run(d->loop);
	if (d->h->stopping)
		d->h->stopping(d->ctx);
	while (d->all) {
		struct smtpd_session *s = d->all;
		if (!s->dead) {
			smtp_server_shutdown(s->sm, NULL);
			size_t n;
			const char *p = smtp_server_output(s->sm, &n);
			if (!s->tls)
				io_buf_add(&s->out, p, n);
			else if (s->tls_open && !io_tls_write(s->tls, p, n))
				io_tls_to_buf(s->tls, &s->out);
			io_buf_flush(&s->out, s->fd);
		}
		/* nothing is answered any more: what stayed open is dropped */
		if (s->open == Q_RCPT)
			free(s->asked_rcpt);
		s->asked_rcpt = NULL;
		s->open = Q_NONE;
		s->running = 0;
		session_free(s);
	}
	return r;
}

void smtpd_stop(struct smtpd *d)
{
	io_loop_stop(d->loop);
}

void smtpd_free(struct smtpd *d)
{
	if (!d)
		return;
	io_watch_del(d->lw);
	io_watch_del(d->sw);
	io_timer_free(d->pause);
	close(d->lfd);
	if (sig_fd == d->sig[1])
		sig_fd = -1;
	close(d->sig[0]);
	close(d->sig[1]);
	io_tls_ctx_free(d->tls);
	for (size_t i = 0; i < d->nusers; i++) {
		free(d->users[i].name);
		free(d->users[i].pass);
	}
	free(d->users);
	free(d);
}

struct io_loop *smtpd_loop(const struct smtpd *d) { return d->loop; }
const char *smtpd_hostname(const struct smtpd *d) { return d->host; }
void *smtpd_data(const struct smtpd_session *s) { return s->data; }
void smtpd_set_data(struct smtpd_session *s, void *p) { s->data = p; }
struct smtpd *smtpd_server(const struct smtpd_session *s) { return s->d; }
const struct sockaddr *smtpd_peer(const struct smtpd_session *s) { return (const struct sockaddr *)&s->peer; }
const char *smtpd_peer_text(const struct smtpd_session *s) { return s->ip; }
const char *smtpd_helo(const struct smtpd_session *s) { return smtp_server_helo(s->sm); }
const char *smtpd_sender(const struct smtpd_session *s) { return s->sender; }
const char *smtpd_user(const struct smtpd_session *s) { return smtp_server_user(s->sm); }
int smtpd_secure(const struct smtpd_session *s) { return s->tls_open; }
int smtpd_closed(const struct smtpd_session *s) { return s->dead; }

char *const *smtpd_rcpts(const struct smtpd_session *s, size_t *n)
{
	*n = s->nrcpts;
	return s->rcpts;
}

/* ---- trace fields ------------------------------------------------------- */

int smtpd_trace(struct smtpd_session *s, struct mime_buf *out, int return_path)
{
	struct smtpd *d = s->d;
	struct mime_buf f = {0};
	struct mime_received r;
	memset(&r, 0, sizeof r);
	char id[32], forv[600], info[IO_ADDR_STRLEN + 4], by_info[] = "ember";
	snprintf(id, sizeof id, "%lx%04lx", (unsigned long)time(NULL), ++d->seq & 0xffff);
	const char *helo = smtp_server_helo(s->sm);
	snprintf(info, sizeof info, "[%s]", s->ip);
	r.from.value = (char *)(*helo ? helo : "unknown");
	r.from.info = info;
	r.by.value = d->host;
	r.by.info = by_info;
	r.with.value = (char *)smtp_server_protocol(s->sm);
	r.id.value = id;
	if (s->nrcpts == 1) {
		snprintf(forv, sizeof forv, "<%s>", s->rcpts[0]);
		r.for_.value = forv;
	}
	r.has_date = 1;
	if (mime_date_from_unix((int64_t)time(NULL), 0, &r.date))
		return -1;
	enum mime_status st = mime_received_field(&f, &r);
	if (st == MIME_EINVAL) {
		/* a HELO name the printer cannot write back: not repeated */
		r.from.value = "unknown";
		st = mime_received_field(&f, &r);
	}
	if (st == MIME_EINVAL && r.for_.value) {
		r.for_.value = NULL;
		st = mime_received_field(&f, &r);
	}
	/* RFC 5321 4.4: Return-Path first, then our Received */
	if (!st && return_path &&
	    (mime_buf_puts(out, "Return-Path: <") || mime_buf_puts(out, s->sender ? s->sender : "") ||
	     mime_buf_puts(out, ">\r\n")))
		st = MIME_ENOMEM;
	if (!st && (mime_buf_append(out, f.data, f.len) || mime_buf_puts(out, "\r\n")))
		st = MIME_ENOMEM;
	mime_buf_free(&f);
	return st ? -1 : 0;
}
