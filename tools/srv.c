/* ember srv: a receiving SMTP server. lib/smtp's server machine per
 * connection, in lib/io's event loop, TLS through lib/io's memory BIOs;
 * Return-Path and Received prepended by lib/mime's editor; a 250 only
 * once the message is durably stored: Maildir messages whose data ended
 * in the same turn of the loop share one round of fsyncs (group commit),
 * mboxrd is appended under a lock and fsynced, --pipe runs a command per
 * message and answers with its exit status. */
#define _GNU_SOURCE  /* memfd_create */
#include "cli.h"
#include "io.h"
#include "mime.h"
#include "pid1.h"
#include "smtp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "srv",
	.summary = "receive mail over SMTP into a Maildir, an mbox or a command",
	.usage =
	"Usage: ember srv --listen ADDR:PORT [--maildir DIR | --mbox FILE | --pipe 'CMD']\n"
	"                 [--domain D]... [--tls-cert C --tls-key K] [--auth-file F]\n"
	"                 [--max-size N] [--max-clients N] [--hostname H]\n"
	"                 [--timeout S] [--data-timeout S] [--normalise] [--no-chunking]\n"
	"An SMTP server (RFC 5321; PIPELINING, 8BITMIME, SMTPUTF8, SIZE,\n"
	"ENHANCEDSTATUSCODES, STARTTLS, AUTH PLAIN LOGIN over TLS, CHUNKING). Each\n"
	"message gets Return-Path and Received fields on top, every other byte as\n"
	"received, and a 250 only once it is stored: fsynced in the Maildir (group\n"
	"commit), fsynced in the mbox, or taken by CMD (exit 0). Prints the address\n"
	"it listens on (with the port, for ADDR:0) on stdout, then runs until SIGTERM\n"
	"or SIGINT.\n"
	"      --listen ADDR:PORT  where to listen (\"127.0.0.1:2525\", \"[::]:25\", \"*:25\")\n"
	"      --maildir DIR       deliver into DIR (made with tmp/, new/, cur/ if missing)\n"
	"      --mbox FILE         append to FILE (mboxrd, fcntl lock)\n"
	"      --pipe 'CMD'        run CMD (/bin/sh -c) per message, the message on its\n"
	"                          stdin: exit 0 is 250, 75 is 451, anything else 554;\n"
	"                          nothing of the envelope reaches the shell\n"
	"      --domain D          accept recipients in domain D only (repeatable; none:\n"
	"                          any); an authenticated client may send anywhere\n"
	"      --tls-cert C        PEM certificate chain: offer STARTTLS\n"
	"      --tls-key K         its PEM private key (default: in C)\n"
	"      --auth-file F       offer AUTH PLAIN and LOGIN (after STARTTLS only) to\n"
	"                          the USER:PASSWORD lines of F ('#' comments)\n"
	"      --max-size N        largest message in bytes (SIZE; default 10485760)\n"
	"      --max-clients N     connections at once; the next get 421 (default 1000)\n"
	"      --max-rcpts N       recipients per message (default 1000)\n"
	"      --hostname H        our name in the greeting and Received (default: the\n"
	"                          host name)\n"
	"      --timeout S         seconds to wait for a command (default 300)\n"
	"      --data-timeout S    seconds to wait inside DATA (default 180)\n"
	"      --normalise         take a bare CR or LF in DATA as CRLF (default: refuse\n"
	"                          the message with 550; CRLF.CRLF alone ends DATA)\n"
	"      --no-chunking       do not offer CHUNKING (BDAT)\n"
	"  -h, --help, --version\n"
	"Exit status: 0 after SIGTERM or SIGINT; 64 usage; 66 a file that cannot be\n"
	"read; 69 cannot listen; 73 cannot create the Maildir; 70 internal error.\n",
};

enum { OPT_LISTEN = 256, OPT_MAILDIR, OPT_MBOX, OPT_PIPE, OPT_DOMAIN, OPT_CERT, OPT_KEY,
       OPT_AUTHFILE, OPT_MAXSIZE, OPT_MAXCLIENTS, OPT_MAXRCPTS, OPT_HOSTNAME, OPT_TIMEOUT,
       OPT_DTIMEOUT, OPT_NORMALISE, OPT_NOCHUNK };

struct user {
	char *name, *pass;
};

struct session;

struct srv {
	struct io_loop *loop;
	int lfd;
	struct io_watch *lw;
	struct io_tls_ctx *tls;
	struct io_maildir *md;
	const char *mbox;
	const char *pipe_cmd;
	char **domains;
	size_t ndomains;
	struct user *users;
	size_t nusers;
	struct smtp_server_options so;
	size_t max_clients, nclients;
	char host[256];
	unsigned long seq;
	struct session *all;          /* every session, for children and shutdown */
	struct session *committed;    /* sessions whose commit finished this turn */
	struct io_timer *child_timer;
	size_t children;
};

struct session {
	struct srv *srv;
	struct session *next, *prev, *cnext;
	int fd;
	struct io_watch *w;
	struct io_timer *t;
	struct smtp_server *sm;
	struct io_tls *tls;
	int tls_open;
	struct io_buf out;
	char ip[IO_ADDR_STRLEN];
	/* envelope */
	char *sender;
	char **rcpts;
	size_t nrcpts, rcap;
	/* the message in progress */
	struct mime_editor *ed;
	struct io_maildir_msg *mm;
	struct mime_buf whole;     /* --mbox, --pipe */
	int failed;                /* storing failed: 451 */
	const char *edit_error;
	int waiting;               /* DATA_END asked; answer pending */
	int staged;                /* a Maildir message staged: not freed before its commit */
	int commit_status;
	char commit_name[256];
	pid_t child;
	int closing, dead;
};

static int sigpipe_fds[2] = {-1, -1};

static void on_signal(int sig)
{
	(void)sig;
	int e = errno;
	if (write(sigpipe_fds[1], "x", 1) < 0) {
		/* nothing to do: the loop is already being told */
	}
	errno = e;
}

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* ---- output --------------------------------------------------------------- */

static void session_free(struct session *s);

/* Replies queued for a client that does not read them: past this, its
 * input is not read either (else each command read queues one more reply,
 * and the queue grows without end). */
#define OUT_CAP (256 * 1024)

static int may_read(struct session *s)
{
	return !s->closing && io_buf_pending(&s->out) < OUT_CAP &&
	       (smtp_server_want_input(s->sm) || (s->tls && !s->tls_open));
}

static void update_watch(struct session *s)
{
	unsigned ev = 0;
	if (may_read(s))
		ev |= IO_READ;
	if (io_buf_pending(&s->out))
		ev |= IO_WRITE;
	if (io_watch_events(s->w) != ev)  /* an epoll_ctl only for a change */
		io_watch_set(s->w, ev);
}

/* The machine's replies, through TLS when it is on, onto the socket.
 * Returns how many bytes it took from the machine. */
static size_t flush(struct session *s)
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

/* ---- the message ----------------------------------------------------------- */

static void clear_envelope(struct session *s)
{
	free(s->sender);
	s->sender = NULL;
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	s->nrcpts = 0;
}

static void abort_message(struct session *s)
{
	if (s->mm)
		io_maildir_abort(s->mm);
	s->mm = NULL;
	mime_buf_reset(&s->whole);
	s->failed = 0;
	s->edit_error = NULL;
}

/* Editor output to the store. */
static void sink(struct session *s, const char *p, size_t n)
{
	if (s->failed)
		return;
	if (s->mm) {
		if (io_maildir_write(s->mm, p, n))
			s->failed = 1;
	} else if (mime_buf_append(&s->whole, p, n)) {
		s->failed = 1;
	}
}

static void edit(struct session *s, const char *p, size_t n)
{
	if (!s->ed || s->edit_error)
		return;
	mime_editor_feed(s->ed, p, n);
	const char *o;
	size_t len;
	int r;
	while ((r = mime_editor_next(s->ed, &o, &len)) > 0)
		sink(s, o, len);
	if (r < 0) {
		s->edit_error = mime_editor_error(s->ed, NULL, NULL);
		if (!s->edit_error)
			s->edit_error = "the header cannot be edited";
	}
}

/* Return-Path and Received (RFC 5321 4.4), above everything. */
static int begin_message(struct session *s)
{
	struct srv *v = s->srv;
	char err[256];
	abort_message(s);
	if (!s->ed && !(s->ed = mime_editor_new(NULL)))
		return -1;
	mime_editor_reset(s->ed);
	struct mime_buf f = {0};
	struct mime_received r;
	memset(&r, 0, sizeof r);
	char id[32], forv[600], info[IO_ADDR_STRLEN + 4], by_info[] = "ember";
	snprintf(id, sizeof id, "%lx%04lx", (unsigned long)time(NULL), ++v->seq & 0xffff);
	const char *helo = smtp_server_helo(s->sm);
	snprintf(info, sizeof info, "[%s]", s->ip);
	r.from.value = (char *)(*helo ? helo : "unknown");
	r.from.info = info;
	r.by.value = v->host;
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
	if (st) {
		mime_buf_free(&f);
		return -1;
	}
	/* RFC 5321 4.4: Return-Path first, then our Received */
	struct mime_buf rp = {0};
	if (mime_buf_puts(&rp, "Return-Path: <") || mime_buf_puts(&rp, s->sender ? s->sender : "") ||
	    mime_buf_puts(&rp, ">") || mime_editor_prepend(s->ed, rp.data, rp.len) ||
	    mime_editor_prepend(s->ed, f.data, f.len)) {
		mime_buf_free(&rp);
		mime_buf_free(&f);
		return -1;
	}
	mime_buf_free(&rp);
	mime_buf_free(&f);
	if (v->md) {
		s->mm = io_maildir_begin(v->md, err, sizeof err);
		if (!s->mm) {
			cli_warn(io_maildir_path(v->md), "%s", err);
			s->failed = 1;
		}
	}
	return 0;
}

static void answer(struct session *s, int code, const char *ehc, const char *text)
{
	s->waiting = 0;
	smtp_server_reply(s->sm, code, ehc, text);
}

static void on_committed(void *ctx, int status, const char *name, const char *err)
{
	struct session *s = ctx;
	s->staged = 0;
	s->commit_status = status;
	snprintf(s->commit_name, sizeof s->commit_name, "%s", status ? (err ? err : "?") : name);
	s->cnext = s->srv->committed;
	s->srv->committed = s;
}

static void spawn(struct session *s);

static void end_message(struct session *s)
{
	struct srv *v = s->srv;
	edit(s, "", 0);
	if (s->edit_error) {
		abort_message(s);
		answer(s, 554, "5.6.0", "Message refused: its header cannot be edited");
		return;
	}
	if (s->failed) {
		abort_message(s);
		answer(s, 451, "4.3.0", "Cannot store the message now");
		return;
	}
	s->waiting = 1;
	if (v->md) {
		s->staged = 1;
		io_maildir_stage(s->mm, on_committed, s);  /* committed at the end of the turn */
		s->mm = NULL;
	} else if (v->mbox) {
		char err[256];
		int e = io_mbox_append(v->mbox, s->sender, 0, s->whole.data, s->whole.len, err, sizeof err);
		if (e)
			cli_warn(v->mbox, "%s", err);
		mime_buf_reset(&s->whole);
		if (e)
			answer(s, 451, "4.3.0", "Cannot store the message now");
		else
			answer(s, 250, "2.0.0", "Ok: stored");
	} else {
		spawn(s);
	}
}

/* ---- --pipe ------------------------------------------------------------- */

/* All of p to a blocking fd (a memfd): short writes go on, EINTR again. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void spawn(struct session *s)
{
	struct srv *v = s->srv;
	int fd = memfd_create("ember-srv", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, s->whole.data ? s->whole.data : "", s->whole.len) < 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		if (fd >= 0)
			close(fd);
		mime_buf_reset(&s->whole);
		answer(s, 451, "4.3.0", "Cannot store the message now");
		return;
	}
	mime_buf_reset(&s->whole);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		answer(s, 451, "4.3.0", "Cannot store the message now");
		return;
	}
	if (pid == 0) {
		/* the message on stdin, the command's stdout on our stderr; no
		 * envelope data in the command line or the environment */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (dup2(fd, 0) < 0 || dup2(2, 1) < 0)
			_exit(EX_OSERR);
		execl("/bin/sh", "sh", "-c", v->pipe_cmd, (char *)NULL);
		_exit(EX_OSERR);
	}
	close(fd);
	s->child = pid;
	v->children++;
	if (!io_timer_armed(v->child_timer))
		io_timer_set(v->child_timer, 5);
}

static void session_run(struct session *s);

static void reap(void *ctx)
{
	struct srv *v = ctx;
	for (struct session *s = v->all, *n; s; s = n) {
		n = s->next;
		if (!s->child)
			continue;
		int st;
		pid_t r = waitpid(s->child, &st, WNOHANG);
		if (r == 0)
			continue;
		s->child = 0;
		v->children--;
		if (s->dead) {
			session_free(s);
			continue;
		}
		if (r < 0 || !WIFEXITED(st))
			answer(s, 451, "4.3.0", "The delivery command failed");
		else if (WEXITSTATUS(st) == 0)
			answer(s, 250, "2.0.0", "Ok: delivered");
		else if (WEXITSTATUS(st) == EX_TEMPFAIL)
			answer(s, 451, "4.3.0", "The delivery command asks to try later");
		else
			answer(s, 554, "5.3.0", "The delivery command refused the message");
		session_run(s);
	}
	if (v->children)
		io_timer_set(v->child_timer, 5);
}

/* ---- policy ----------------------------------------------------------- */

static int domain_ok(const struct srv *v, const char *rcpt)
{
	if (!v->ndomains || !strcmp(rcpt, "Postmaster"))
		return 1;
	const char *at = strrchr(rcpt, '@');
	if (!at)
		return 0;
	for (size_t i = 0; i < v->ndomains; i++)
		if (mime_ascii_caseeq(at + 1, strlen(at + 1), v->domains[i], strlen(v->domains[i])))
			return 1;
	return 0;
}

/* Compared whole, whatever matches first (no early exit on the password). */
static int same(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);
	unsigned char d = an != bn;
	for (size_t i = 0; i < an; i++)
		d |= (unsigned char)(a[i] ^ b[i % (bn ? bn : 1)]);
	return d == 0;
}

static int check_user(const struct srv *v, const char *user, const char *pass, const char *authzid)
{
	int ok = 0;
	if (authzid && *authzid && strcmp(authzid, user))
		return 0;  /* no acting for someone else */
	for (size_t i = 0; i < v->nusers; i++)
		if (!strcmp(v->users[i].name, user) && same(v->users[i].pass, pass))
			ok = 1;
	return ok;
}

/* ---- the session ------------------------------------------------------- */

static void session_run(struct session *s)
{
	struct smtp_event ev;
	enum smtp_ev e;
again:
	while (!s->waiting && !s->dead && (e = smtp_server_next(s->sm, &ev)) != SMTP_EV_AWAIT) {
		switch (e) {
		case SMTP_EV_HELO:
		case SMTP_EV_RSET:
			abort_message(s);
			clear_envelope(s);
			break;
		case SMTP_EV_MAIL:
			clear_envelope(s);
			if (!(s->sender = strdup(ev.data)))
				oom();
			smtp_server_reply(s->sm, 250, NULL, NULL);
			break;
		case SMTP_EV_RCPT:
			if (!domain_ok(s->srv, ev.data) && !smtp_server_user(s->sm)) {
				smtp_server_reply(s->sm, 550, "5.7.1", "Relaying denied");
				break;
			}
			if (s->nrcpts == s->rcap) {
				size_t cap = s->rcap ? s->rcap * 2 : 8;
				char **r = realloc(s->rcpts, cap * sizeof *r);
				if (!r)
					oom();
				s->rcpts = r;
				s->rcap = cap;
			}
			if (!(s->rcpts[s->nrcpts++] = strdup(ev.data)))
				oom();
			smtp_server_reply(s->sm, 250, NULL, NULL);
			break;
		case SMTP_EV_DATA_BEGIN:
			if (begin_message(s))
				s->failed = 1;
			break;
		case SMTP_EV_DATA:
			edit(s, ev.data, ev.len);
			break;
		case SMTP_EV_DATA_END:
			end_message(s);
			break;
		case SMTP_EV_DATA_ABORT:
			abort_message(s);
			break;
		case SMTP_EV_AUTH:
			smtp_server_auth(s->sm, check_user(s->srv, ev.user, ev.password, ev.authzid));
			break;
		case SMTP_EV_STARTTLS:
			/* the 220 goes out in clear; everything after is TLS */
			flush(s);
			s->tls = io_tls_new(s->srv->tls, NULL);
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
	if (s->dead)
		return;
	io_timer_set(s->t, smtp_server_timeout_ms(s->sm));
	/* the machine stops when its replies pile up: once they are taken,
	 * it may go on with the input it holds (until the socket is full) */
	if (flush(s) && !s->waiting && !s->closing && io_buf_pending(&s->out) < (1u << 20))
		goto again;
	if (s->closing && !io_buf_pending(&s->out))
		session_free(s);
}

static void session_free(struct session *s)
{
	struct srv *v = s->srv;
	if (!s->dead) {
		s->dead = 1;
		io_watch_del(s->w);
		s->w = NULL;
		io_timer_free(s->t);
		s->t = NULL;
		close(s->fd);
		v->nclients--;
	}
	/* a staged message or a running command still points here */
	if (s->staged || s->child)
		return;
	abort_message(s);
	clear_envelope(s);
	free(s->rcpts);
	mime_editor_free(s->ed);
	mime_buf_free(&s->whole);
	io_buf_free(&s->out);
	io_tls_free(s->tls);
	smtp_server_free(s->sm);
	if (s->prev)
		s->prev->next = s->next;
	else
		v->all = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static void on_timeout(void *ctx)
{
	struct session *s = ctx;
	if (s->waiting)
		return;  /* our answer is late, not the client */
	smtp_server_timeout(s->sm);
	session_run(s);
}

static void on_io(void *ctx, int fd, unsigned events)
{
	struct session *s = ctx;
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
			ssize_t k;
			while ((k = io_tls_read(s->tls, buf, sizeof buf)) > 0)
				if (smtp_server_feed(s->sm, buf, (size_t)k) != SMTP_OK)
					s->closing = 1;
			if (k < 0 && io_tls_state(s->tls) != IO_TLS_OPEN)
				smtp_server_feed(s->sm, "", 0);
		}
	}
	session_run(s);
}

static void on_accept(void *ctx, int lfd, unsigned events)
{
	struct srv *v = ctx;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof peer;
		int fd = io_accept(lfd, &peer, &plen);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				cli_warn("accept", "%s", strerror(errno));
			return;
		}
		struct session *s = calloc(1, sizeof *s);
		if (!s)
			oom();
		s->srv = v;
		s->fd = fd;
		io_addr_format((struct sockaddr *)&peer, s->ip, sizeof s->ip);
		/* the address without the port, for Received */
		char *colon = strrchr(s->ip, ':');
		if (colon)
			*colon = 0;
		if (s->ip[0] == '[') {
			memmove(s->ip, s->ip + 1, strlen(s->ip));
			char *b = strchr(s->ip, ']');
			if (b) {
				memmove(s->ip + 5, s->ip, (size_t)(b - s->ip));
				memcpy(s->ip, "IPv6:", 5);
				s->ip[5 + (b - s->ip)] = 0;
			}
		}
		s->sm = smtp_server_new(&v->so);
		s->w = io_watch_add(v->loop, fd, IO_READ, on_io, s);
		s->t = io_timer_new(v->loop, on_timeout, s);
		if (!s->sm || !s->w || !s->t)
			oom();
		s->next = v->all;
		if (v->all)
			v->all->prev = s;
		v->all = s;
		v->nclients++;
		if (v->nclients > v->max_clients) {
			size_t n;
			smtp_server_output(s->sm, &n);
			smtp_server_drain(s->sm, n);  /* a 421 instead of the greeting */
			smtp_server_shutdown(s->sm, "Too many connections, try again later");
		}
		session_run(s);
	}
}

/* The answers of the sessions whose commit finished: 250, or 451. */
static void answer_committed(struct srv *v)
{
	struct session *list = v->committed;
	v->committed = NULL;
	while (list) {
		struct session *s = list;
		list = s->cnext;
		if (s->dead) {
			session_free(s);
			continue;
		}
		if (s->commit_status) {
			cli_warn(io_maildir_path(v->md), "%s", s->commit_name);
			answer(s, 451, "4.3.0", "Cannot store the message now");
		} else {
			char t[300];
			snprintf(t, sizeof t, "Ok: queued as %.200s", s->commit_name);
			answer(s, 250, "2.0.0", t);
		}
		session_run(s);
	}
}

/* The end of each turn: the answers of the batches the Maildir's worker
 * finished in it (their callbacks ran from its watch), then everything
 * staged in this turn handed to the worker as one round of fsyncs, which
 * runs while the loop goes on serving. */
static void group_commit(void *ctx)
{
	struct srv *v = ctx;
	if (!v->md)
		return;
	answer_committed(v);
	if (!io_maildir_staged(v->md))
		return;
	if (io_maildir_commit_async(v->md, v->loop) < 0) {
		/* no worker thread: commit here, the loop waiting */
		io_maildir_commit(v->md);
		answer_committed(v);
	}
}

static void on_sigpipe(void *ctx, int fd, unsigned events)
{
	struct srv *v = ctx;
	char b[16];
	(void)events;
	if (read(fd, b, sizeof b) < 0) {
		/* a signal came: stop either way */
	}
	io_loop_stop(v->loop);
}

/* ---- setup ---------------------------------------------------------------- */

static void read_users(struct srv *v, const char *path)
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
		struct user *u = realloc(v->users, (v->nusers + 1) * sizeof *u);
		if (!u)
			oom();
		v->users = u;
		u[v->nusers].name = strdup(line);
		u[v->nusers].pass = strdup(c + 1);
		if (!u[v->nusers].name || !u[v->nusers].pass)
			oom();
		v->nusers++;
	}
	free(line);
	fclose(f);
}

static unsigned long number(const char *opt, const char *s, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max || *s == '-')
		cli_usage_error("%s: a number from 1 to %lu", opt, max);
	return v;
}

int main(int argc, char **argv)
{
	pid1_boot("srv", &argc, &argv);
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"maildir", required_argument, NULL, OPT_MAILDIR},
		{"mbox", required_argument, NULL, OPT_MBOX},
		{"pipe", required_argument, NULL, OPT_PIPE},
		{"domain", required_argument, NULL, OPT_DOMAIN},
		{"tls-cert", required_argument, NULL, OPT_CERT},
		{"tls-key", required_argument, NULL, OPT_KEY},
		{"auth-file", required_argument, NULL, OPT_AUTHFILE},
		{"max-size", required_argument, NULL, OPT_MAXSIZE},
		{"max-clients", required_argument, NULL, OPT_MAXCLIENTS},
		{"max-rcpts", required_argument, NULL, OPT_MAXRCPTS},
		{"hostname", required_argument, NULL, OPT_HOSTNAME},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"data-timeout", required_argument, NULL, OPT_DTIMEOUT},
		{"normalise", no_argument, NULL, OPT_NORMALISE},
		{"normalize", no_argument, NULL, OPT_NORMALISE},
		{"no-chunking", no_argument, NULL, OPT_NOCHUNK},
		{NULL, 0, NULL, 0},
	};
	static struct srv v;
	const char *listen_at = NULL, *maildir = NULL, *cert = NULL, *key = NULL, *authfile = NULL;
	const char *hostname = NULL;
	int c, chunking = 1;
	unsigned long timeout = 300, dtimeout = 180;
	v.max_clients = 1000;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_LISTEN: listen_at = optarg; break;
		case OPT_MAILDIR: maildir = optarg; break;
		case OPT_MBOX: v.mbox = optarg; break;
		case OPT_PIPE: v.pipe_cmd = optarg; break;
		case OPT_DOMAIN: {
			char **d = realloc(v.domains, (v.ndomains + 1) * sizeof *d);
			if (!d)
				oom();
			v.domains = d;
			d[v.ndomains++] = optarg;
			break;
		}
		case OPT_CERT: cert = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_AUTHFILE: authfile = optarg; break;
		case OPT_MAXSIZE: v.so.max_size = number("--max-size", optarg, 1ul << 40); break;
		case OPT_MAXCLIENTS: v.max_clients = number("--max-clients", optarg, 1000000); break;
		case OPT_MAXRCPTS: v.so.max_rcpts = number("--max-rcpts", optarg, 1000000); break;
		case OPT_HOSTNAME: hostname = optarg; break;
		case OPT_TIMEOUT: timeout = number("--timeout", optarg, 86400); break;
		case OPT_DTIMEOUT: dtimeout = number("--data-timeout", optarg, 86400); break;
		case OPT_NORMALISE: v.so.flags |= SMTP_SRV_NORMALISE; break;
		case OPT_NOCHUNK: chunking = 0; break;
		}
	}
	if (optind != argc)
		cli_usage_error("no arguments besides the options");
	if (!listen_at)
		cli_usage_error("--listen ADDR:PORT is needed");
	if (!!maildir + !!v.mbox + !!v.pipe_cmd != 1)
		cli_usage_error("one of --maildir, --mbox and --pipe");
	if (key && !cert)
		cli_usage_error("--tls-key needs --tls-cert");
	if (hostname)
		snprintf(v.host, sizeof v.host, "%s", hostname);
	else if (gethostname(v.host, sizeof v.host - 1) || !v.host[0])
		snprintf(v.host, sizeof v.host, "localhost");
	char err[512];
	if (cert) {
		struct io_tls_options to = {.cert_file = cert, .key_file = key};
		if (!(v.tls = io_tls_server_ctx(&to, err, sizeof err)))
			cli_die(EX_NOINPUT, cert, "%s", err);
		v.so.flags |= SMTP_SRV_STARTTLS;
	}
	if (authfile) {
		read_users(&v, authfile);
		v.so.flags |= SMTP_SRV_AUTH;
		if (!cert)
			cli_warn("--auth-file", "without --tls-cert AUTH is never offered (no TLS)");
	}
	if (chunking)
		v.so.flags |= SMTP_SRV_CHUNKING;
	v.so.hostname = v.host;
	v.so.cmd_timeout_ms = (unsigned)(timeout * 1000);
	v.so.data_timeout_ms = (unsigned)(dtimeout * 1000);
	if (maildir && !(v.md = io_maildir_open(maildir, 1, err, sizeof err)))
		cli_die(EX_CANTCREAT, maildir, "%s", err);
	/* 1,000 clients and more: as many descriptors as allowed */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (pipe(sigpipe_fds) || io_nonblock(sigpipe_fds[0]) || io_nonblock(sigpipe_fds[1]))
		cli_die(EX_OSERR, NULL, "pipe: %s", strerror(errno));
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!(v.loop = io_loop_new(err, sizeof err)))
		cli_die(EX_OSERR, NULL, "%s", err);
	v.lfd = io_listen(listen_at, 0, err, sizeof err);
	if (v.lfd < 0)
		cli_die(EX_UNAVAILABLE, listen_at, "%s", err);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char where[IO_ADDR_STRLEN];
	if (getsockname(v.lfd, (struct sockaddr *)&ss, &sl) == 0)
		printf("%s\n", io_addr_format((struct sockaddr *)&ss, where, sizeof where));
	cli_flush_stdout();
	struct io_watch *sw = io_watch_add(v.loop, sigpipe_fds[0], IO_READ, on_sigpipe, &v);
	v.lw = io_watch_add(v.loop, v.lfd, IO_READ, on_accept, &v);
	v.child_timer = io_timer_new(v.loop, reap, &v);
	struct io_hook *hook = io_hook_add(v.loop, group_commit, &v);
	if (!sw || !v.lw || !v.child_timer || !hook)
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	if (io_loop_run(v.loop))
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	/* stopping: what is in flight or staged is committed and answered
	 * first */
	if (v.md) {
		io_maildir_commit(v.md);
		answer_committed(&v);
	}
	while (v.all) {
		struct session *s = v.all;
		if (s->child) {
			waitpid(s->child, NULL, 0);
			s->child = 0;
		}
		if (!s->dead) {
			smtp_server_shutdown(s->sm, NULL);
			size_t n;
			const char *p = smtp_server_output(s->sm, &n);
			if (!s->tls)
				io_buf_add(&s->out, p, n);
			io_buf_flush(&s->out, s->fd);
		}
		s->staged = 0;
		session_free(s);
	}
	io_watch_del(v.lw);
	io_watch_del(sw);
	io_timer_free(v.child_timer);
	io_hook_del(hook);
	close(v.lfd);
	io_maildir_close(v.md);   /* its watch first, then the loop */
	io_loop_free(v.loop);
	io_tls_ctx_free(v.tls);
	for (size_t i = 0; i < v.nusers; i++) {
		free(v.users[i].name);
		free(v.users[i].pass);
	}
	free(v.users);
	free(v.domains);
	return 0;
}
