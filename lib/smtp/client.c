/* ember lib/smtp: the client machine. Replies in (smtp_client_feed),
 * commands and events out.
 *
 * - STARTTLS required means no fallback, ever: not offered, refused, or a
 *   handshake the caller could not make, and the session ends. After the
 *   220, bytes that came with it are thrown away and EHLO is sent again
 *   over TLS, old capabilities forgotten (response injection, CVE-2021-38371;
 *   "NO STARTTLS", USENIX Security 2021).
 * - Credentials are never sent in clear unless SMTP_CLI_AUTH_CLEAR.
 * - What the message needs (8BITMIME, SMTPUTF8, its SIZE) is checked
 *   against what the server offers before MAIL: a clean failure, no
 *   silent downgrade.
 * - The body goes out dot-stuffed with CRLF line ends only (RFC 5321
 *   2.3.8, 4.5.2): a bare CR or LF is sent as CRLF, so no smuggling
 *   sequence can leave this client.
 * - Replies are read by the bounded reader of reply.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp-int.h"

enum cstate {
	C_GREET, C_EHLO, C_HELO, C_STARTTLS, C_TLS_WAIT,
	C_AUTH_PLAIN, C_AUTH_LOGIN1, C_AUTH_LOGIN2, C_AUTH_LOGIN3,
	C_IDLE,     /* ready for a message */
	C_TXN,      /* MAIL, RCPTs, DATA sent (or being sent) */
	C_BODY,     /* 354 received: body sent; waiting for the final reply */
	C_DOTONLY,  /* 354 with no recipient: "." sent */
	C_RSET,     /* RSET after every recipient failed */
	C_QUIT, C_DEAD,
};

struct smtp_client {
	struct smtp_client_options o;
	char helo[256];
	char *user, *pass;
	enum cstate st;
	struct reply_reader rr;
	struct sbuf in, out;
	unsigned caps;
	uint64_t size_limit;
	int secure;
	/* the message */
	char **rcpts;
	size_t nrcpts;
	char *sender;
	const char *msg;
	size_t msg_len, msg_pos;
	int bol, skip_lf, body_done;
	size_t expect;          /* index of the reply expected: 0 MAIL, 1..n RCPT, n+1 DATA */
	size_t sent_cmds;       /* non-pipelined: commands sent so far */
	int pipelining;
	int mail_ok;
	size_t accepted;
	enum smtp_cerr fail;    /* the first failure of the transaction */
	struct smtp_reply saved;
	struct sbuf saved_text;
	int mparams_8bit, mparams_utf8;
	/* pending event */
	enum smtp_cev pend;
	struct smtp_client_event pev;
	int use_saved;
	int eof;                /* the server closed; replies read first */
};

const char *smtp_cerr_name(enum smtp_cerr e)
{
	static const char *const n[] = {
		"none", "greeting refused", "EHLO and HELO refused", "STARTTLS unavailable",
		"AUTH unavailable", "AUTH needs TLS", "AUTH refused", "message too big for the server",
		"the server has no 8BITMIME", "the server has no SMTPUTF8", "MAIL FROM refused",
		"every recipient refused", "message refused", "protocol error",
		"connection closed", "timeout", "out of memory",
	};
	return (size_t)e < sizeof n / sizeof *n ? n[e] : "?";
}

static void wipe(void *p, size_t n)
{
	volatile char *v = p;
	while (n--)
		*v++ = 0;
}

static void free_msg(struct smtp_client *c)
{
	for (size_t i = 0; i < c->nrcpts; i++)
		free(c->rcpts[i]);
	free(c->rcpts);
	free(c->sender);
	c->rcpts = NULL;
	c->sender = NULL;
	c->nrcpts = 0;
	c->msg = NULL;
}

struct smtp_client *smtp_client_new(const struct smtp_client_options *o)
{
	struct smtp_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (o)
		c->o = *o;
	const char *h = c->o.helo ? c->o.helo : "localhost";
	safe_copy(c->helo, sizeof c->helo, h, strlen(h));
	for (char *p = c->helo; *p; p++)
		if (*p == ' ')
			*p = '-';
	if (c->o.user) {
		if (!c->o.password) {
			free(c);
			return NULL;
		}
		c->user = strdup(c->o.user);
		c->pass = strdup(c->o.password);
		if (!c->user || !c->pass) {
			free(c->user);
			free(c->pass);
			free(c);
			return NULL;
		}
	}
	c->o.user = c->o.password = c->o.helo = NULL;
	c->secure = !!(c->o.flags & SMTP_CLI_SECURE);
	c->pend = SMTP_C_AWAIT;
	return c;
}

void smtp_client_free(struct smtp_client *c)
{
	if (!c)
		return;
	free_msg(c);
	free(c->user);
	if (c->pass) {
		wipe(c->pass, strlen(c->pass));
		free(c->pass);
	}
	reply_reader_free(&c->rr);
	sbuf_free(&c->in);
	sbuf_free(&c->out);
	sbuf_free(&c->saved_text);
	free(c);
}

static int cmd(struct smtp_client *c, const char *a, const char *b)
{
	if (sbuf_puts(&c->out, a) || (b && sbuf_puts(&c->out, b)) || sbuf_append(&c->out, "\r\n", 2))
		return -1;
	return 0;
}

static void fail_session(struct smtp_client *c, enum smtp_cerr e, const struct smtp_reply *r,
			 int quit)
{
	if (c->st == C_DEAD)
		return;
	if (quit)
		cmd(c, "QUIT", NULL);
	c->st = C_DEAD;
	c->pend = SMTP_C_ERROR;
	c->pev.err = e;
	c->pev.reply = r;
	c->pev.ok = 0;
}

static void oom(struct smtp_client *c)
{
	fail_session(c, SMTP_CE_NOMEM, NULL, 0);
}

/* ---- the session ---------------------------------------------------------- */

static void parse_caps(struct smtp_client *c, const struct smtp_reply *r)
{
	const char *t = r->text;
	c->caps = 0;
	c->size_limit = 0;
	/* the first line is the greeting part; each next line one keyword */
	const char *nl = strchr(t, '\n');
	while (nl) {
		const char *l = nl + 1;
		nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		size_t k = 0;
		while (k < n && l[k] != ' ')
			k++;
		if (a_is(l, k, "PIPELINING"))
			c->caps |= SMTP_CAP_PIPELINING;
		else if (a_is(l, k, "8BITMIME"))
			c->caps |= SMTP_CAP_8BITMIME;
		else if (a_is(l, k, "SMTPUTF8"))
			c->caps |= SMTP_CAP_SMTPUTF8;
		else if (a_is(l, k, "STARTTLS"))
			c->caps |= SMTP_CAP_STARTTLS;
		else if (a_is(l, k, "ENHANCEDSTATUSCODES"))
			c->caps |= SMTP_CAP_ENHANCED;
		else if (a_is(l, k, "CHUNKING"))
			c->caps |= SMTP_CAP_CHUNKING;
		else if (a_is(l, k, "SIZE")) {
			c->caps |= SMTP_CAP_SIZE;
			uint64_t v = 0;
			for (size_t i = k + 1; i < n && a_digit(l[i]); i++) {
				if (v > (UINT64_MAX - 9) / 10)
					break;
				v = v * 10 + (uint64_t)(l[i] - '0');
			}
			c->size_limit = v;
		} else if (a_is(l, k, "AUTH")) {
			size_t i = k;
			while (i < n) {
				while (i < n && l[i] == ' ')
					i++;
				size_t s = i;
				while (i < n && l[i] != ' ')
					i++;
				if (a_is(l + s, i - s, "PLAIN"))
					c->caps |= SMTP_CAP_AUTH_PLAIN;
				else if (a_is(l + s, i - s, "LOGIN"))
					c->caps |= SMTP_CAP_AUTH_LOGIN;
			}
		}
	}
}

static void ready(struct smtp_client *c)
{
	c->st = C_IDLE;
	c->pend = SMTP_C_READY;
}

static void auth_step(struct smtp_client *c)
{
	if (!c->user) {
		ready(c);
		return;
	}
	if (!c->secure && !(c->o.flags & SMTP_CLI_AUTH_CLEAR)) {
		fail_session(c, SMTP_CE_AUTH_NEEDS_TLS, NULL, 1);
		return;
	}
	if (c->caps & SMTP_CAP_AUTH_PLAIN) {
		size_t un = strlen(c->user), pn = strlen(c->pass);
		size_t n = 1 + un + 1 + pn;
		char *raw = malloc(n), *b = malloc(4 * (n / 3 + 1) + 1);
		if (!raw || !b) {
			free(raw);
			free(b);
			oom(c);
			return;
		}
		raw[0] = 0;
		memcpy(raw + 1, c->user, un);
		raw[1 + un] = 0;
		memcpy(raw + 2 + un, c->pass, pn);
		smtp_b64_encode(raw, n, b);
		int e = cmd(c, "AUTH PLAIN ", b);
		wipe(raw, n);
		wipe(b, strlen(b));
		free(raw);
		free(b);
		if (e) {
			oom(c);
			return;
		}
		c->st = C_AUTH_PLAIN;
	} else if (c->caps & SMTP_CAP_AUTH_LOGIN) {
		if (cmd(c, "AUTH LOGIN", NULL)) {
			oom(c);
			return;
		}
		c->st = C_AUTH_LOGIN1;
	} else {
		fail_session(c, SMTP_CE_AUTH_UNAVAILABLE, NULL, 1);
	}
}

static void after_ehlo(struct smtp_client *c)
{
	int want_tls = !c->secure && ((c->o.flags & SMTP_CLI_STARTTLS_REQUIRED) ||
				      ((c->o.flags & SMTP_CLI_STARTTLS) && (c->caps & SMTP_CAP_STARTTLS)));
	if (want_tls) {
		if (!(c->caps & SMTP_CAP_STARTTLS)) {
			fail_session(c, SMTP_CE_TLS_UNAVAILABLE, NULL, 1);
			return;
		}
		if (cmd(c, "STARTTLS", NULL)) {
			oom(c);
			return;
		}
		c->st = C_STARTTLS;
		return;
	}
	auth_step(c);
}

static void send_b64(struct smtp_client *c, const char *s, enum cstate next)
{
	size_t n = strlen(s);
	char *b = malloc(4 * (n / 3 + 1) + 1);
	if (!b) {
		oom(c);
		return;
	}
	smtp_b64_encode(s, n, b);
	int e = cmd(c, b, NULL);
	wipe(b, strlen(b));
	free(b);
	if (e) {
		oom(c);
		return;
	}
	c->st = next;
}

/* ---- the transaction -------------------------------------------------- */

static int save_reply(struct smtp_client *c, const struct smtp_reply *r)
{
	c->saved = *r;
	c->saved_text.len = c->saved_text.off = 0;
	if (sbuf_append(&c->saved_text, r->text, r->text_len + 1))
		return -1;
	c->saved.text = c->saved_text.data;
	return 0;
}

static void done(struct smtp_client *c, int ok, enum smtp_cerr err, const struct smtp_reply *r)
{
	c->st = C_IDLE;
	c->pend = SMTP_C_DONE;
	c->pev.ok = ok;
	c->pev.err = err;
	c->pev.reply = r;
	c->msg = NULL;
}

/* More of the body into the output, up to about 64 KiB queued. */
static void fill_body(struct smtp_client *c)
{
	char tmp[8192];
	while (!c->body_done && sbuf_avail(&c->out) < 65536) {
		size_t k = 0;
		while (c->msg_pos < c->msg_len && k + 3 <= sizeof tmp) {
			char ch = c->msg[c->msg_pos++];
			if (ch == '\r') {
				tmp[k++] = '\r';
				tmp[k++] = '\n';
				c->skip_lf = 1;
				c->bol = 1;
			} else if (ch == '\n') {
				if (!c->skip_lf) {
					tmp[k++] = '\r';
					tmp[k++] = '\n';
				}
				c->skip_lf = 0;
				c->bol = 1;
			} else {
				c->skip_lf = 0;
				if (c->bol && ch == '.')
					tmp[k++] = '.';   /* RFC 5321 4.5.2 */
				tmp[k++] = ch;
				c->bol = 0;
			}
		}
		if (c->msg_pos == c->msg_len && k + 5 <= sizeof tmp) {
			if (!c->bol) {
				tmp[k++] = '\r';
				tmp[k++] = '\n';
			}
			memcpy(tmp + k, ".\r\n", 3);
			k += 3;
			c->body_done = 1;
		}
		if (sbuf_append(&c->out, tmp, k)) {
			oom(c);
			return;
		}
	}
}

static int send_mail_cmd(struct smtp_client *c)
{
	char params[96] = "";
	size_t pl = 0;
	if (c->caps & SMTP_CAP_SIZE)
		pl += (size_t)snprintf(params + pl, sizeof params - pl, " SIZE=%zu", c->msg_len);
	if (c->mparams_8bit)
		pl += (size_t)snprintf(params + pl, sizeof params - pl, " BODY=8BITMIME");
	if (c->mparams_utf8)
		snprintf(params + pl, sizeof params - pl, " SMTPUTF8");
	return sbuf_puts(&c->out, "MAIL FROM:<") || sbuf_puts(&c->out, c->sender) ||
	       sbuf_puts(&c->out, ">") || cmd(c, params, NULL);
}

static int send_rcpt_cmd(struct smtp_client *c, size_t i)
{
	return sbuf_puts(&c->out, "RCPT TO:<") || sbuf_puts(&c->out, c->rcpts[i]) || cmd(c, ">", NULL);
}

static int addr_ok(const char *a)
{
	for (; *a; a++)
		if (*a == '\r' || *a == '\n' || *a == '<' || *a == '>' || (unsigned char)*a < 0x20)
			return 0;
	return 1;
}

/* The header: up to the first empty line. */
static size_t header_len(const char *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i] == '\n' && i + 1 < n && (m[i + 1] == '\n' || (m[i + 1] == '\r' && i + 2 < n && m[i + 2] == '\n')))
			return i + 1;
	}
	return n;
}

enum smtp_status smtp_client_send(struct smtp_client *c, const struct smtp_envelope *env,
				  const char *msg, size_t len)
{
	if (c->st != C_IDLE || c->pend != SMTP_C_AWAIT)
		return SMTP_ESTATE;
	if (!env || !env->sender || env->nrcpts == 0 || !addr_ok(env->sender))
		return SMTP_EINVAL;
	for (size_t i = 0; i < env->nrcpts; i++)
		if (!env->rcpts[i] || !*env->rcpts[i] || !addr_ok(env->rcpts[i]))
			return SMTP_EINVAL;
	free_msg(c);
	c->rcpts = calloc(env->nrcpts, sizeof *c->rcpts);
	c->sender = strdup(env->sender);
	if (!c->rcpts || !c->sender) {
		free_msg(c);
		return SMTP_ENOMEM;
	}
	int utf8 = has_8bit(env->sender, strlen(env->sender));
	for (size_t i = 0; i < env->nrcpts; i++) {
		c->rcpts[i] = strdup(env->rcpts[i]);
		if (!c->rcpts[i]) {
			c->nrcpts = i;
			free_msg(c);
			return SMTP_ENOMEM;
		}
		c->nrcpts = i + 1;
		utf8 |= has_8bit(env->rcpts[i], strlen(env->rcpts[i]));
	}
	c->msg = msg;
	c->msg_len = len;
	c->msg_pos = 0;
	c->bol = 1;
	c->skip_lf = 0;
	c->body_done = 0;
	c->expect = 0;
	c->sent_cmds = 0;
	c->mail_ok = 0;
	c->accepted = 0;
	c->fail = SMTP_CE_NONE;
	c->use_saved = 0;
	int eight = has_8bit(msg, len);
	utf8 |= has_8bit(msg, header_len(msg, len));
	c->mparams_8bit = eight && (c->caps & SMTP_CAP_8BITMIME);
	c->mparams_utf8 = utf8;
	if ((c->caps & SMTP_CAP_SIZE) && c->size_limit && len > c->size_limit) {
		done(c, 0, SMTP_CE_SIZE, NULL);
		return SMTP_OK;
	}
	if (utf8 && !(c->caps & SMTP_CAP_SMTPUTF8)) {
		done(c, 0, SMTP_CE_SMTPUTF8, NULL);
		return SMTP_OK;
	}
	if (eight && !(c->caps & SMTP_CAP_8BITMIME)) {
		done(c, 0, SMTP_CE_8BITMIME, NULL);
		return SMTP_OK;
	}
	c->pipelining = (c->caps & SMTP_CAP_PIPELINING) && !(c->o.flags & SMTP_CLI_NO_PIPELINING);
	if (send_mail_cmd(c))
		return SMTP_ENOMEM;
	c->sent_cmds = 1;
	if (c->pipelining) {
		for (size_t i = 0; i < c->nrcpts; i++)
			if (send_rcpt_cmd(c, i))
				return SMTP_ENOMEM;
		if (cmd(c, "DATA", NULL))
			return SMTP_ENOMEM;
		c->sent_cmds = c->nrcpts + 2;
	}
	c->st = C_TXN;
	return SMTP_OK;
}

/* The first failure of a transaction is the one reported. */
static void note_fail(struct smtp_client *c, enum smtp_cerr e, const struct smtp_reply *r)
{
	if (c->fail != SMTP_CE_NONE)
		return;
	c->fail = e;
	if (r && save_reply(c, r) == 0)
		c->use_saved = 1;
}

static void finish_failed(struct smtp_client *c, const struct smtp_reply *r)
{
	done(c, 0, c->fail, c->use_saved ? &c->saved : r);
}

static void txn_reply(struct smtp_client *c, const struct smtp_reply *r)
{
	size_t n = c->nrcpts;
	int ok = r->code / 100 == 2;
	size_t i = c->expect++;
	if (i == 0) {  /* MAIL */
		c->mail_ok = ok;
		if (!ok) {
			note_fail(c, SMTP_CE_MAIL, r);
			if (!c->pipelining) {
				finish_failed(c, r);
				return;
			}
		}
		if (!c->pipelining) {
			if (send_rcpt_cmd(c, 0)) {
				oom(c);
				return;
			}
		}
		return;
	}
	if (i <= n) {  /* RCPT i-1 */
		if (ok)
			c->accepted++;
		c->pend = SMTP_C_RCPT;
		c->pev.rcpt = i - 1;
		c->pev.reply = r;
		c->pev.ok = ok;
		c->pev.err = SMTP_CE_NONE;
		if (!c->pipelining) {
			if (i < n) {
				if (send_rcpt_cmd(c, i))
					oom(c);
			} else if (c->accepted) {
				if (cmd(c, "DATA", NULL))
					oom(c);
			} else {
				note_fail(c, SMTP_CE_NO_RCPT, r);
				if (cmd(c, "RSET", NULL))
					oom(c);
				c->st = C_RSET;
			}
		}
		return;
	}
	/* DATA */
	if (r->code == 354) {
		if (c->mail_ok && c->accepted) {
			c->st = C_BODY;
			fill_body(c);
		} else {
			/* RFC 2920 3.1: every RCPT failed, yet 354: end at once */
			if (!c->mail_ok)
				note_fail(c, SMTP_CE_MAIL, r);
			note_fail(c, SMTP_CE_NO_RCPT, r);
			if (cmd(c, ".", NULL))
				oom(c);
			c->st = C_DOTONLY;
		}
		return;
	}
	if (!c->mail_ok)
		note_fail(c, SMTP_CE_MAIL, r);
	else if (!c->accepted)
		note_fail(c, SMTP_CE_NO_RCPT, r);
	else
		note_fail(c, SMTP_CE_DATA, r);
	finish_failed(c, r);
}

static void on_reply(struct smtp_client *c, const struct smtp_reply *r)
{
	int cls = r->code / 100;
	switch (c->st) {
	case C_GREET:
		if (r->code != 220) {
			fail_session(c, SMTP_CE_GREETING, r, 1);
			return;
		}
		if (cmd(c, "EHLO ", c->helo)) {
			oom(c);
			return;
		}
		c->st = C_EHLO;
		return;
	case C_EHLO:
		if (cls == 2) {
			parse_caps(c, r);
			after_ehlo(c);
			return;
		}
		/* HELO fallback only where nothing needs an extension */
		if (cls == 5 && !(c->o.flags & SMTP_CLI_STARTTLS_REQUIRED) && !c->user && !c->secure) {
			if (cmd(c, "HELO ", c->helo)) {
				oom(c);
				return;
			}
			c->st = C_HELO;
			return;
		}
		fail_session(c, SMTP_CE_HELO, r, 1);
		return;
	case C_HELO:
		if (cls != 2) {
			fail_session(c, SMTP_CE_HELO, r, 1);
			return;
		}
		c->caps = 0;
		c->size_limit = 0;
		auth_step(c);
		return;
	case C_STARTTLS:
		if (r->code == 220) {
			/* whatever came with the 220 was not protected: dropped */
			sbuf_consume(&c->in, sbuf_avail(&c->in));
			c->st = C_TLS_WAIT;
			c->pend = SMTP_C_STARTTLS;
			c->pev.reply = r;
			return;
		}
		if (c->o.flags & SMTP_CLI_STARTTLS_REQUIRED) {
			fail_session(c, SMTP_CE_TLS_UNAVAILABLE, r, 1);
			return;
		}
		auth_step(c);
		return;
	case C_AUTH_PLAIN:
	case C_AUTH_LOGIN3:
		if (r->code == 235) {
			ready(c);
			return;
		}
		fail_session(c, SMTP_CE_AUTH_FAILED, r, 1);
		return;
	case C_AUTH_LOGIN1:
		if (r->code == 334)
			send_b64(c, c->user, C_AUTH_LOGIN2);
		else
			fail_session(c, SMTP_CE_AUTH_FAILED, r, 1);
		return;
	case C_AUTH_LOGIN2:
		if (r->code == 334)
			send_b64(c, c->pass, C_AUTH_LOGIN3);
		else
			fail_session(c, SMTP_CE_AUTH_FAILED, r, 1);
		return;
	case C_TXN:
		txn_reply(c, r);
		return;
	case C_BODY:
		if (!c->body_done) {
			/* no reply is due before the final "." was sent */
			fail_session(c, SMTP_CE_PROTOCOL, r, 0);
			return;
		}
		if (cls == 2)
			done(c, 1, SMTP_CE_NONE, r);
		else {
			note_fail(c, SMTP_CE_DATA, r);
			finish_failed(c, r);
		}
		return;
	case C_DOTONLY:
	case C_RSET:
		finish_failed(c, r);
		return;
	case C_QUIT:
		c->st = C_DEAD;
		c->pend = SMTP_C_CLOSED;
		return;
	case C_IDLE:
		/* a reply nobody asked for: the stream is out of step */
		if (r->code == 421) {
			fail_session(c, SMTP_CE_CLOSED, r, 0);
			return;
		}
		fail_session(c, SMTP_CE_PROTOCOL, r, 0);
		return;
	default:
		return;
	}
}

enum smtp_status smtp_client_feed(struct smtp_client *c, const char *buf, size_t len)
{
	if (c->st == C_DEAD)
		return SMTP_OK;
	if (len == 0) {
		if (c->st == C_QUIT) {
			c->st = C_DEAD;
			c->pend = SMTP_C_CLOSED;
		} else if (c->st == C_TLS_WAIT) {
			/* gone before the handshake: nothing more can come */
			fail_session(c, SMTP_CE_CLOSED, NULL, 0);
		} else {
			/* replies already read still count: handled at the end */
			c->eof = 1;
		}
		return SMTP_OK;
	}
	if (c->st == C_TLS_WAIT)
		return SMTP_OK;  /* bytes before the handshake: dropped */
	if (sbuf_avail(&c->in) > (1u << 20))
		return SMTP_ELIMIT;
	return sbuf_append(&c->in, buf, len) ? SMTP_ENOMEM : SMTP_OK;
}

enum smtp_cev smtp_client_next(struct smtp_client *c, struct smtp_client_event *ev)
{
	memset(ev, 0, sizeof *ev);
	for (;;) {
		if (c->pend != SMTP_C_AWAIT) {
			enum smtp_cev e = c->pend;
			*ev = c->pev;
			c->pend = SMTP_C_AWAIT;
			memset(&c->pev, 0, sizeof c->pev);
			return e;
		}
		if (c->st == C_DEAD || c->st == C_TLS_WAIT)
			return SMTP_C_AWAIT;
		size_t used = 0;
		int k = reply_read(&c->rr, sbuf_head(&c->in), sbuf_avail(&c->in), &used);
		sbuf_consume(&c->in, used);
		if (k == -2) {
			oom(c);
			continue;
		}
		if (k < 0) {
			fail_session(c, SMTP_CE_PROTOCOL, NULL, 0);
			continue;
		}
		if (k == 0) {
			if (c->eof) {  /* the server closed */
				c->eof = 0;
				fail_session(c, SMTP_CE_CLOSED, NULL, 0);
				continue;
			}
			return SMTP_C_AWAIT;
		}
		on_reply(c, &c->rr.r);
	}
}

void smtp_client_tls_started(struct smtp_client *c)
{
	if (c->st != C_TLS_WAIT)
		return;
	c->secure = 1;
	c->caps = 0;
	c->size_limit = 0;
	sbuf_consume(&c->in, sbuf_avail(&c->in));
	if (cmd(c, "EHLO ", c->helo)) {
		oom(c);
		return;
	}
	c->st = C_EHLO;
}

void smtp_client_timeout(struct smtp_client *c)
{
	if (c->st == C_DEAD)
		return;
	if (c->st == C_QUIT) {
		c->st = C_DEAD;
		c->pend = SMTP_C_CLOSED;
		return;
	}
	fail_session(c, SMTP_CE_TIMEOUT, NULL, 0);
}

void smtp_client_quit(struct smtp_client *c)
{
	if (c->st != C_IDLE)
		return;
	if (cmd(c, "QUIT", NULL)) {
		oom(c);
		return;
	}
	c->st = C_QUIT;
}

const char *smtp_client_output(const struct smtp_client *c, size_t *len)
{
	*len = sbuf_avail(&c->out);
	return sbuf_head(&c->out);
}

void smtp_client_drain(struct smtp_client *c, size_t n)
{
	sbuf_consume(&c->out, n);
	if (c->st == C_BODY && !c->body_done)
		fill_body(c);
}

unsigned smtp_client_caps(const struct smtp_client *c, uint64_t *size)
{
	if (size)
		*size = c->size_limit;
	return c->caps;
}

int smtp_client_secure(const struct smtp_client *c)
{
	return c->secure;
}
