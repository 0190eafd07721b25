/* ember commands: one SMTP client session over a socket, for ember submit
 * and ember send: lib/smtp's client machine, lib/io's TLS (memory BIOs)
 * and socket helpers, poll(2) with a timeout on every wait. Header-only
 * (static functions): only the commands that link lib/smtp include it. */
#ifndef EMBER_SMTPDRIVE_H
#define EMBER_SMTPDRIVE_H

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "smtp.h"

struct drive_rcpt {
	int done, ok, code;
	char text[512];
};

struct drive {
	/* in */
	const struct smtp_client_options *co;
	struct io_tls_ctx *tls_ctx;    /* for STARTTLS or implicit TLS */
	int implicit_tls;
	const char *tls_name;          /* name to verify (NULL: none) */
	unsigned timeout_ms;           /* every wait (connect, reply, write) */
	const struct smtp_envelope *env;
	const char *msg;
	size_t len;
	/* out */
	struct drive_rcpt *rcpts;      /* env->nrcpts of them */
	int sent;                      /* the message was accepted */
	int final_code;
	char final_text[512];
	enum smtp_cerr err;            /* SMTP_CE_NONE: the session went through */
	int err_code;                  /* the reply that stopped it, or 0 */
	char err_text[512];
	char tls_error[256];
	int secure;
	int timed_out;
};

/* Wait for fd; 1 ready, 0 timeout, -1 error. */
static int drive_wait(int fd, short ev, unsigned ms)
{
	struct pollfd p = {.fd = fd, .events = ev};
	for (;;) {
		int r = poll(&p, 1, (int)ms);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : r > 0;
	}
}

/* Connect to one address within the timeout: the fd, or -1 (errno). */
static int drive_connect(const struct sockaddr *sa, socklen_t len, unsigned ms)
{
	int fd = io_connect(sa, len);
	if (fd < 0)
		return -1;
	int r = drive_wait(fd, POLLOUT, ms);
	if (r <= 0) {
		close(fd);
		errno = r == 0 ? ETIMEDOUT : errno;
		return -1;
	}
	int e = io_connect_done(fd);
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void drive_copy(char *dst, size_t n, const struct smtp_reply *r)
{
	snprintf(dst, n, "%d %s", r ? r->code : 0, r && r->text ? r->text : "");
	for (char *p = dst; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

/* Everything queued, out: through TLS when it is on, a megabyte at a time
 * (the body comes out of the machine in pieces: all of it is sent before
 * this returns, since no reply comes before its end). 0, or -1. */
static int drive_flush(struct drive *d, struct smtp_client *c, struct io_tls *tls, int fd,
		       struct io_buf *out)
{
	size_t n;
	const char *p = smtp_client_output(c, &n);
	for (;;) {
		while (n) {
			if (tls ? io_tls_write(tls, p, n) : io_buf_add(out, p, n))
				return -1;
			smtp_client_drain(c, n);
			p = smtp_client_output(c, &n);
			if (io_buf_pending(out) > (1u << 20) || (tls && io_tls_pending(tls) > (1u << 20)))
				break;
		}
		if (tls) {
			char buf[16384];
			size_t k;
			while ((k = io_tls_take(tls, buf, sizeof buf)) > 0)
				if (io_buf_add(out, buf, k))
					return -1;
		}
		while (io_buf_pending(out)) {
			int r = io_buf_flush(out, fd);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
			if (drive_wait(fd, POLLOUT, d->timeout_ms) <= 0) {
				d->timed_out = 1;
				return -1;
			}
		}
		if (!n)
			return 0;
	}
}

/* One session on a connected fd: the message to every recipient, then
 * QUIT. Results in d. 0 when the session ran its course (see d->sent and
 * the recipients), -1 when it failed (d->err). fd is closed. */
static int drive_session(struct drive *d, int fd)
{
	struct smtp_client *c = smtp_client_new(d->co);
	struct io_tls *tls = NULL;
	struct io_buf out = {0};
	int tls_open = 0, quit = 0, result = -1, sent_msg = 0;
	if (!c) {
		d->err = SMTP_CE_NOMEM;
		close(fd);
		return -1;
	}
	if (d->implicit_tls) {
		tls = io_tls_new(d->tls_ctx, d->tls_name);
		if (!tls) {
			d->err = SMTP_CE_NOMEM;
			goto out;
		}
	}
	for (;;) {
		struct smtp_client_event ev;
		enum smtp_cev e;
		int stop = 0;
		while (!stop && (e = smtp_client_next(c, &ev)) != SMTP_C_AWAIT) {
			switch (e) {
			case SMTP_C_STARTTLS:
				if (drive_flush(d, c, tls, fd, &out))
					goto io_fail;
				tls = io_tls_new(d->tls_ctx, d->tls_name);
				if (!tls) {
					d->err = SMTP_CE_NOMEM;
					goto out;
				}
				break;
			case SMTP_C_READY:
				if (sent_msg) {
					smtp_client_quit(c);
					quit = 1;
					break;
				}
				sent_msg = 1;
				d->secure = smtp_client_secure(c);
				if (smtp_client_send(c, d->env, d->msg, d->len)) {
					d->err = SMTP_CE_NOMEM;
					goto out;
				}
				break;
			case SMTP_C_RCPT:
				if (ev.rcpt < d->env->nrcpts) {
					struct drive_rcpt *r = &d->rcpts[ev.rcpt];
					r->done = 1;
					r->ok = ev.ok;
					r->code = ev.reply->code;
					drive_copy(r->text, sizeof r->text, ev.reply);
				}
				break;
			case SMTP_C_DONE:
				d->sent = ev.ok;
				d->final_code = ev.reply ? ev.reply->code : 0;
				if (ev.reply)
					drive_copy(d->final_text, sizeof d->final_text, ev.reply);
				if (!ev.ok) {
					d->err = ev.err;
					d->err_code = d->final_code;
					snprintf(d->err_text, sizeof d->err_text, "%s", d->final_text);
				}
				smtp_client_quit(c);
				quit = 1;
				break;
			case SMTP_C_ERROR:
				if (!quit) {  /* after DONE, only the QUIT was left */
					d->err = ev.err;
					d->err_code = ev.reply ? ev.reply->code : 0;
					if (ev.reply)
						drive_copy(d->err_text, sizeof d->err_text, ev.reply);
				}
				drive_flush(d, c, tls, fd, &out);  /* the QUIT, when there is one */
				goto out;
			case SMTP_C_CLOSED:
				goto out;
			default:
				break;
			}
		}
		if (drive_flush(d, c, tls, fd, &out))
			goto io_fail;
		/* wait for the server */
		int r = drive_wait(fd, POLLIN, d->timeout_ms);
		if (r <= 0) {
			if (r == 0)
				d->timed_out = 1;
			smtp_client_timeout(c);
			if (quit)
				goto out;  /* QUIT unanswered: the outcome is known */
			continue;
		}
		char buf[65536];
		ssize_t n = io_read(fd, buf, sizeof buf);
		if (n == IO_AGAIN)
			continue;
		if (n <= 0) {
			if (quit)
				goto out;
			smtp_client_feed(c, "", 0);
			continue;
		}
		if (!tls) {
			smtp_client_feed(c, buf, (size_t)n);
			continue;
		}
		if (io_tls_feed(tls, buf, (size_t)n) || io_tls_state(tls) == IO_TLS_FAILED) {
			snprintf(d->tls_error, sizeof d->tls_error, "%s",
				 io_tls_error(tls) ? io_tls_error(tls) : "TLS failed");
			d->err = SMTP_CE_TLS_UNAVAILABLE;
			goto out;
		}
		if (!tls_open && io_tls_state(tls) == IO_TLS_OPEN) {
			tls_open = 1;
			if (!d->implicit_tls)
				smtp_client_tls_started(c);
		}
		ssize_t k;
		while ((k = io_tls_read(tls, buf, sizeof buf)) > 0)
			smtp_client_feed(c, buf, (size_t)k);
		if (k < 0 && io_tls_state(tls) != IO_TLS_OPEN)
			smtp_client_feed(c, "", 0);
	}
io_fail:
out:
	if (!d->sent && d->err == SMTP_CE_NONE)
		d->err = d->timed_out ? SMTP_CE_TIMEOUT : SMTP_CE_CLOSED;
	result = d->sent ? 0 : -1;
	smtp_client_free(c);
	io_tls_free(tls);
	io_buf_free(&out);
	close(fd);
	return result;
}

#endif
