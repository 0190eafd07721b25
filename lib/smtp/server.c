/* ember lib/smtp: the server machine (RFC 5321 and the extensions listed in
 * smtp.h). Bytes in (smtp_server_feed), events and replies out.
 *
 * Where others went wrong, and what is done here:
 * - SMTP smuggling (CVE-2023-51764/51765/51766): only CRLF "." CRLF ends
 *   DATA; a bare CR or LF in the message refuses it (550, after the real
 *   end), or with SMTP_SRV_NORMALISE is taken as CRLF, and then a "." line
 *   ends DATA only when it and the line before it ended in a real CRLF.
 * - STARTTLS command injection (CVE-2011-0411): everything received after
 *   the STARTTLS line, until TLS is up, is thrown away; then the session
 *   starts over (RFC 3207 4.2).
 * - AUTH PLAIN and LOGIN only over TLS unless allowed (RFC 4954 4).
 * - Replies never echo what the client sent except its HELO name, made
 *   safe (printable ASCII only); paths go through a strict grammar.
 * - Limits: command line, text line, recipients, size, errors, messages,
 *   and the input held while a question waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp-int.h"

enum state {
	S_CMD,        /* reading command lines */
	S_SKIP,       /* an over-long command line: skipping to its LF */
	S_DATA,       /* inside DATA */
	S_BDAT,       /* inside a BDAT chunk */
	S_AUTH,       /* waiting for an AUTH continuation line */
	S_TLS_WAIT,   /* 220 to STARTTLS sent; waiting for tls_started */
	S_CLOSED,
};

enum question { Q_NONE, Q_MAIL, Q_RCPT, Q_DATA_END, Q_AUTH };

/* DATA line states */
enum dstate { D_BOL, D_MID, D_CR, D_DOT, D_DOTCR };

#define CHUNK 16384
#define MAX_PATH 512
#define MAX_AUTH 1024

struct smtp_server {
	struct smtp_server_options o;
	char host[256];
	struct sbuf in, out;
	enum state st;
	enum question q;
	int close_pending;        /* CLOSE once pending events are given */
	int close_given;
	/* session */
	char helo[256];
	int have_helo, esmtp, secure, authed;
	char user[256];
	unsigned errors;
	unsigned long msgs;
	/* transaction */
	int have_mail;
	size_t nrcpts;
	struct smtp_mail_params mp;
	int bdat_used;            /* this transaction used BDAT */
	int data_begun;
	/* DATA / BDAT */
	enum dstate ds;
	int prev_crlf;
	size_t line_len;
	uint64_t size;
	enum smtp_abort bad;
	int data_end_pending;     /* the end was seen; DATA_END or ABORT next */
	uint64_t bdat_left;
	int bdat_last;
	int bdat_discard;         /* a refused BDAT: swallow its octets */
	int bdat_cr;              /* the last chunk ended in CR */
	char chunk[CHUNK];
	size_t chunk_len;
	/* informational events waiting: one at a time */
	enum smtp_ev pend;
	enum smtp_abort pend_reason;
	size_t discarded;
	/* the current question's strings */
	char path[MAX_PATH];
	/* AUTH */
	int auth_login;           /* 0 PLAIN, 1 LOGIN */
	int auth_step;            /* LOGIN: 0 want user, 1 want password */
	char authzid[MAX_AUTH], auser[MAX_AUTH], apass[MAX_AUTH];
};

static const char *const proto_names[] = {
	"SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA", "UTF8SMTP", "UTF8SMTPS", "UTF8SMTPA",
	"UTF8SMTPSA",
};

/* ---- output ------------------------------------------------------------- */

static void reply(struct smtp_server *s, int code, const char *ehc, const char *text)
{
	if (s->st == S_CLOSED)
		return;
	/* out of memory: the reply is lost, and the session with it */
	if (reply_line(&s->out, code, ehc, text, 1)) {
		s->st = S_CLOSED;
		s->close_pending = 1;
	}
}

static void close_session(struct smtp_server *s)
{
	s->st = S_CLOSED;
	s->close_pending = 1;
	sbuf_free(&s->in);
}

/* An error reply that counts toward max_errors. */
static void error_reply(struct smtp_server *s, int code, const char *ehc, const char *text)
{
	if (++s->errors > s->o.max_errors) {
		reply(s, 421, "4.7.0", "Too many errors, closing the connection");
		close_session(s);
		return;
	}
	reply(s, code, ehc, text);
}

/* ---- lifecycle ---------------------------------------------------------- */

struct smtp_server *smtp_server_new(const struct smtp_server_options *o)
{
	struct smtp_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (o)
		s->o = *o;
	if (!s->o.max_line)
		s->o.max_line = 512;
	if (s->o.max_line < 16)
		s->o.max_line = 16;
	if (!s->o.max_text_line)
		s->o.max_text_line = 998;
	if (!s->o.max_rcpts)
		s->o.max_rcpts = 1000;
	if (!s->o.max_size)
		s->o.max_size = 10u << 20;
	if (!s->o.max_errors)
		s->o.max_errors = 10;
	if (!s->o.max_input)
		s->o.max_input = 256u << 10;
	if (s->o.max_input < s->o.max_line)
		s->o.max_input = s->o.max_line;
	if (!s->o.cmd_timeout_ms)
		s->o.cmd_timeout_ms = 300000;
	if (!s->o.data_timeout_ms)
		s->o.data_timeout_ms = 180000;
	safe_copy(s->host, sizeof s->host, s->o.hostname ? s->o.hostname : "localhost",
		  s->o.hostname ? strlen(s->o.hostname) : 9);
	for (char *p = s->host; *p; p++)
		if (*p == ' ')
			*p = '?';
	s->o.hostname = NULL;
	if (s->o.flags & SMTP_SRV_SECURE)
		s->secure = 1;
	s->pend = SMTP_EV_AWAIT;
	char text[300];
	snprintf(text, sizeof text, "%s ESMTP ember", s->host);
	reply(s, 220, NULL, text);
	return s;
}

static void wipe(void *p, size_t n)
{
	volatile char *v = p;
	while (n--)
		*v++ = 0;
}

void smtp_server_free(struct smtp_server *s)
{
	if (!s)
		return;
	sbuf_free(&s->in);
	sbuf_free(&s->out);
	wipe(s->apass, sizeof s->apass);
	free(s);
}

static void reset_transaction(struct smtp_server *s)
{
	s->have_mail = 0;
	s->nrcpts = 0;
	memset(&s->mp, 0, sizeof s->mp);
	s->bdat_used = 0;
	s->data_begun = 0;
	s->bad = SMTP_ABORT_NONE;
	s->size = 0;
	s->bdat_cr = 0;
}

/* ---- commands ----------------------------------------------------------- */

static int auth_offered(const struct smtp_server *s)
{
	return (s->o.flags & SMTP_SRV_AUTH) && (s->secure || (s->o.flags & SMTP_SRV_AUTH_CLEAR));
}

static void do_helo(struct smtp_server *s, const char *arg, size_t n, int esmtp)
{
	while (n && arg[n - 1] == ' ')
		n--;
	if (n == 0) {
		error_reply(s, 501, "5.5.4", esmtp ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
		return;
	}
	/* RFC 5321 4.1.4: a HELO in a transaction resets it */
	if (s->have_mail || s->nrcpts) {
		reset_transaction(s);
	}
	safe_copy(s->helo, sizeof s->helo, arg, n);
	s->have_helo = 1;
	s->esmtp = esmtp;
	char line[600];
	snprintf(line, sizeof line, "%s Hello %s", s->host, s->helo);
	if (!esmtp) {
		reply(s, 250, NULL, line);
	} else {
		const char *ext[12];
		char sz[32];
		size_t k = 0;
		snprintf(sz, sizeof sz, "SIZE %llu", (unsigned long long)s->o.max_size);
		ext[k++] = "PIPELINING";
		ext[k++] = sz;
		ext[k++] = "8BITMIME";
		ext[k++] = "SMTPUTF8";
		ext[k++] = "ENHANCEDSTATUSCODES";
		if ((s->o.flags & SMTP_SRV_STARTTLS) && !s->secure)
			ext[k++] = "STARTTLS";
		if (auth_offered(s) && !s->authed)
			ext[k++] = "AUTH PLAIN LOGIN";
		if (s->o.flags & SMTP_SRV_CHUNKING)
			ext[k++] = "CHUNKING";
		if (reply_line(&s->out, 250, NULL, line, 0))
			goto oom;
		for (size_t i = 0; i < k; i++)
			if (reply_line(&s->out, 250, NULL, ext[i], i + 1 == k))
				goto oom;
	}
	s->pend = SMTP_EV_HELO;
	return;
oom:
	close_session(s);
}

/* ESMTP parameters of MAIL (RFC 5321 4.1.2 Mail-parameters): read forwards
 * with bounds; SIZE, BODY, SMTPUTF8, AUTH (accepted and ignored). */
static int mail_params(struct smtp_server *s, const char *p, size_t n, int *code,
		       const char **ehc, const char **why)
{
	size_t i = 0;
	*code = 555, *ehc = "5.5.4", *why = "Unsupported MAIL parameter";
	while (i < n) {
		while (i < n && p[i] == ' ')
			i++;
		if (i >= n)
			break;
		size_t ks = i;
		while (i < n && p[i] != ' ' && p[i] != '=')
			i++;
		const char *key = p + ks;
		size_t kn = i - ks;
		const char *val = NULL;
		size_t vn = 0;
		if (i < n && p[i] == '=') {
			i++;
			val = p + i;
			while (i < n && p[i] != ' ')
				i++;
			vn = (size_t)(p + i - val);
		}
		if (a_is(key, kn, "SIZE")) {
			uint64_t v = 0;
			if (!val || vn == 0 || vn > 20)
				return -1;
			for (size_t j = 0; j < vn; j++) {
				if (!a_digit(val[j]) || v > (UINT64_MAX - 9) / 10)
					return -1;
				v = v * 10 + (uint64_t)(val[j] - '0');
			}
			if (v > s->o.max_size) {
				*code = 552, *ehc = "5.3.4", *why = "Message size exceeds the limit";
				return -1;
			}
			s->mp.size = v;
		} else if (a_is(key, kn, "BODY")) {
			if (val && a_is(val, vn, "8BITMIME"))
				s->mp.body_8bit = 1;
			else if (!(val && a_is(val, vn, "7BIT")))
				return -1;
		} else if (a_is(key, kn, "SMTPUTF8")) {
			if (val)
				return -1;
			s->mp.smtputf8 = 1;
		} else if (a_is(key, kn, "AUTH")) {
			if (!val || vn == 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* "FROM:" / "TO:" then optional spaces then the path, then parameters. */
static int split_path(const char *arg, size_t n, const char *kw, const char **path,
		      size_t *pn, const char **rest, size_t *rn)
{
	size_t k = strlen(kw);
	if (!a_prefix(arg, n, kw))
		return -1;
	size_t i = k;
	while (i < n && arg[i] == ' ')
		i++;
	if (i >= n || arg[i] != '<')
		return -1;
	size_t ps = i;
	int quoted = 0;
	for (; i < n; i++) {
		if (quoted) {
			if (arg[i] == '\\' && i + 1 < n)
				i++;
			else if (arg[i] == '"')
				quoted = 0;
		} else if (arg[i] == '"') {
			quoted = 1;
		} else if (arg[i] == '>') {
			break;
		}
	}
	if (i >= n)
		return -1;
	*path = arg + ps;
	*pn = i + 1 - ps;
	*rest = arg + i + 1;
	*rn = n - i - 1;
	if (*rn && **rest != ' ')
		return -1;
	return 0;
}

static void do_mail(struct smtp_server *s, const char *arg, size_t n)
{
	const char *path, *rest, *why, *ehc;
	size_t pn, rn;
	int code;
	if (!s->have_helo) {
		error_reply(s, 503, "5.5.1", "Send HELO or EHLO first");
		return;
	}
	if (s->have_mail) {
		error_reply(s, 503, "5.5.1", "Nested MAIL command");
		return;
	}
	if ((s->o.flags & SMTP_SRV_AUTH_REQUIRED) && !s->authed) {
		error_reply(s, 530, "5.7.0", "Authentication required");
		return;
	}
	if (s->o.max_messages && s->msgs >= s->o.max_messages) {
		reply(s, 421, "4.7.0", "Too many messages in this session");
		close_session(s);
		return;
	}
	if (split_path(arg, n, "FROM:", &path, &pn, &rest, &rn)) {
		error_reply(s, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		return;
	}
	memset(&s->mp, 0, sizeof s->mp);
	if (mail_params(s, rest, rn, &code, &ehc, &why)) {
		error_reply(s, code, ehc, why);
		return;
	}
	if (smtp_path_parse(path, pn, 1, s->mp.smtputf8, s->path, sizeof s->path, &why)) {
		error_reply(s, 553, "5.1.7", why);
		return;
	}
	s->q = Q_MAIL;
}

static void do_rcpt(struct smtp_server *s, const char *arg, size_t n)
{
	const char *path, *rest, *why;
	size_t pn, rn;
	if (!s->have_mail) {
		error_reply(s, 503, "5.5.1", "Need MAIL before RCPT");
		return;
	}
	if (split_path(arg, n, "TO:", &path, &pn, &rest, &rn)) {
		error_reply(s, 501, "5.5.4", "Syntax: RCPT TO:<address>");
		return;
	}
	while (rn && *rest == ' ')
		rest++, rn--;
	if (rn) {
		error_reply(s, 555, "5.5.4", "Unsupported RCPT parameter");
		return;
	}
	if (s->nrcpts >= s->o.max_rcpts) {
		reply(s, 452, "4.5.3", "Too many recipients");
		return;
	}
	/* RFC 5321 4.1.1.3: <Postmaster> without a domain */
	if (a_is(path, pn, "<postmaster>")) {
		memcpy(s->path, "Postmaster", 11);
	} else if (smtp_path_parse(path, pn, 0, s->mp.smtputf8, s->path, sizeof s->path, &why)) {
		error_reply(s, 553, "5.1.3", why);
		return;
	}
	s->q = Q_RCPT;
}

static void begin_data(struct smtp_server *s)
{
	s->ds = D_BOL;
	s->prev_crlf = 1;
	s->line_len = 0;
	s->size = 0;
	s->bad = SMTP_ABORT_NONE;
	s->chunk_len = 0;
	s->data_begun = 1;
	s->pend = SMTP_EV_DATA_BEGIN;
}

static void do_data(struct smtp_server *s, size_t n)
{
	if (n) {
		error_reply(s, 501, "5.5.4", "Syntax: DATA");
		return;
	}
	if (!s->have_mail) {
		error_reply(s, 503, "5.5.1", "Need MAIL command");
		return;
	}
	if (!s->nrcpts) {
		error_reply(s, 554, "5.5.1", "No valid recipients");
		return;
	}
	if (s->bdat_used) {
		error_reply(s, 503, "5.5.1", "DATA after BDAT");
		return;
	}
	reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	begin_data(s);
	s->st = S_DATA;
}

static void do_bdat(struct smtp_server *s, const char *arg, size_t n)
{
	uint64_t v = 0;
	size_t i = 0, digits = 0;
	if (!(s->o.flags & SMTP_SRV_CHUNKING)) {
		error_reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	while (i < n && a_digit(arg[i])) {
		if (v > (UINT64_MAX - 9) / 10 || ++digits > 19) {
			error_reply(s, 501, "5.5.4", "Syntax: BDAT size [LAST]");
			close_session(s);  /* we cannot know where its octets end */
			return;
		}
		v = v * 10 + (uint64_t)(arg[i++] - '0');
	}
	int last = 0;
	if (i < n && arg[i] == ' ') {
		size_t j = i;
		while (j < n && arg[j] == ' ')
			j++;
		if (a_is(arg + j, n - j, "LAST"))
			last = 1, i = n;
	}
	if (digits == 0 || i != n) {
		/* without a size we cannot find the end of the chunk */
		reply(s, 501, "5.5.4", "Syntax: BDAT size [LAST]");
		close_session(s);
		return;
	}
	s->bdat_left = v;
	s->bdat_last = last;
	s->st = S_BDAT;
	s->bdat_discard = 0;
	if (!s->have_mail || !s->nrcpts || (s->data_begun && !s->bdat_used)) {
		s->bdat_discard = 1;
		return;
	}
	if (!s->bdat_used) {
		s->bdat_used = 1;
		begin_data(s);
	}
}

static void do_auth(struct smtp_server *s, const char *arg, size_t n);

static void do_starttls(struct smtp_server *s, size_t n)
{
	if (!(s->o.flags & SMTP_SRV_STARTTLS) || s->secure) {
		error_reply(s, 502, "5.5.1", s->secure ? "Already in TLS" : "Command not implemented");
		return;
	}
	if (n) {
		error_reply(s, 501, "5.5.4", "Syntax: STARTTLS");
		return;
	}
	if (s->have_mail) {
		error_reply(s, 503, "5.5.1", "MAIL transaction in progress");
		return;
	}
	reply(s, 220, "2.0.0", "Ready to start TLS");
	/* CVE-2011-0411: what came after the command in clear is dropped */
	s->discarded = sbuf_avail(&s->in);
	sbuf_consume(&s->in, s->discarded);
	s->st = S_TLS_WAIT;
	s->pend = SMTP_EV_STARTTLS;
}

static void command(struct smtp_server *s, const char *l, size_t n)
{
	size_t v = 0;
	while (v < n && l[v] != ' ')
		v++;
	const char *arg = v < n ? l + v + 1 : l + n;
	size_t an = v < n ? n - v - 1 : 0;
	/* "MAIL FROM:" and "RCPT TO:" may carry more than one space; others too */
	if (a_is(l, v, "EHLO") || a_is(l, v, "HELO")) {
		while (an && *arg == ' ')
			arg++, an--;
		do_helo(s, arg, an, a_is(l, v, "EHLO"));
	} else if (a_is(l, v, "MAIL")) {
		do_mail(s, arg, an);
	} else if (a_is(l, v, "RCPT")) {
		do_rcpt(s, arg, an);
	} else if (a_is(l, v, "DATA")) {
		do_data(s, an);
	} else if (a_is(l, v, "BDAT")) {
		do_bdat(s, arg, an);
	} else if (a_is(l, v, "RSET")) {
		if (an) {
			error_reply(s, 501, "5.5.4", "Syntax: RSET");
			return;
		}
		reset_transaction(s);
		reply(s, 250, "2.0.0", "Ok");
		s->pend = SMTP_EV_RSET;
	} else if (a_is(l, v, "NOOP")) {
		reply(s, 250, "2.0.0", "Ok");
	} else if (a_is(l, v, "QUIT")) {
		reply(s, 221, "2.0.0", "Bye");
		close_session(s);
	} else if (a_is(l, v, "VRFY")) {
		/* RFC 5321 3.5.3: 252, no information given */
		reply(s, 252, "2.1.5", "Cannot VRFY user, but will accept message and attempt delivery");
	} else if (a_is(l, v, "EXPN")) {
		reply(s, 502, "5.5.1", "EXPN not available");
	} else if (a_is(l, v, "HELP")) {
		if (reply_line(&s->out, 214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET", 0) ||
		    reply_line(&s->out, 214, "2.0.0", "NOOP QUIT VRFY HELP STARTTLS AUTH", 1))
			close_session(s);
	} else if (a_is(l, v, "STARTTLS")) {
		do_starttls(s, an);
	} else if (a_is(l, v, "AUTH")) {
		do_auth(s, arg, an);
	} else if (a_is(l, v, "TURN") || a_is(l, v, "ETRN") || a_is(l, v, "ATRN")) {
		/* RFC 5321 F.1: TURN can divert mail */
		error_reply(s, 502, "5.5.1", "Command not implemented");
	} else {
		error_reply(s, 500, "5.5.2", "Command unrecognized");
	}
}

/* ---- AUTH (RFC 4954, RFC 4616 PLAIN, draft-murchison-sasl-login) --------- */

static void auth_fail(struct smtp_server *s, int code, const char *ehc, const char *text)
{
	s->st = S_CMD;
	wipe(s->apass, sizeof s->apass);
	error_reply(s, code, ehc, text);
}

/* One base64 response: returns its decoded length or -1 (reply sent). */
static int auth_decode(struct smtp_server *s, const char *b, size_t n, char *out, size_t room)
{
	size_t len = room - 1;
	if (n == 1 && b[0] == '*') {
		auth_fail(s, 501, "5.0.0", "Authentication cancelled");
		return -1;
	}
	if (n == 1 && b[0] == '=')
		n = 0;
	if (smtp_b64_decode(b, n, out, &len)) {
		auth_fail(s, 501, "5.5.2", "Cannot decode the response");
		return -1;
	}
	out[len] = 0;
	return (int)len;
}

static void auth_plain(struct smtp_server *s, const char *b, size_t n)
{
	char buf[MAX_AUTH * 3];
	int len = auth_decode(s, b, n, buf, sizeof buf);
	if (len < 0)
		return;
	/* [authzid] NUL authcid NUL passwd */
	char *z1 = memchr(buf, 0, (size_t)len);
	char *z2 = z1 ? memchr(z1 + 1, 0, (size_t)(buf + len - z1 - 1)) : NULL;
	if (!z1 || !z2 || memchr(z2 + 1, 0, (size_t)(buf + len - z2 - 1)) || z2 == z1 + 1 ||
	    (size_t)(z1 - buf) >= MAX_AUTH || (size_t)(z2 - z1 - 1) >= MAX_AUTH ||
	    (size_t)(buf + len - z2 - 1) >= MAX_AUTH) {
		wipe(buf, sizeof buf);
		auth_fail(s, 501, "5.5.2", "Malformed PLAIN response");
		return;
	}
	memcpy(s->authzid, buf, (size_t)(z1 - buf) + 1);
	memcpy(s->auser, z1 + 1, (size_t)(z2 - z1));
	memcpy(s->apass, z2 + 1, (size_t)(buf + len - z2));
	wipe(buf, sizeof buf);
	s->st = S_CMD;
	s->q = Q_AUTH;
}

static void auth_login(struct smtp_server *s, const char *b, size_t n)
{
	char *dst = s->auth_step == 0 ? s->auser : s->apass;
	int len = auth_decode(s, b, n, dst, MAX_AUTH);
	if (len < 0)
		return;
	if (memchr(dst, 0, (size_t)len) || (s->auth_step == 0 && len == 0)) {
		auth_fail(s, 501, "5.5.2", "Malformed LOGIN response");
		return;
	}
	if (s->auth_step == 0) {
		s->auth_step = 1;
		reply(s, 334, NULL, "UGFzc3dvcmQ6");   /* "Password:" */
		return;
	}
	s->authzid[0] = 0;
	s->st = S_CMD;
	s->q = Q_AUTH;
}

static void do_auth(struct smtp_server *s, const char *arg, size_t n)
{
	if (!(s->o.flags & SMTP_SRV_AUTH)) {
		error_reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	if (!auth_offered(s)) {
		error_reply(s, 538, "5.7.11", "Encryption required for requested authentication mechanism");
		return;
	}
	if (!s->have_helo || !s->esmtp) {
		error_reply(s, 503, "5.5.1", "Send EHLO first");
		return;
	}
	if (s->authed) {
		error_reply(s, 503, "5.5.1", "Already authenticated");
		return;
	}
	if (s->have_mail) {
		error_reply(s, 503, "5.5.1", "MAIL transaction in progress");
		return;
	}
	size_t m = 0;
	while (m < n && arg[m] != ' ')
		m++;
	const char *ir = m < n ? arg + m + 1 : NULL;
	size_t irn = m < n ? n - m - 1 : 0;
	if (a_is(arg, m, "PLAIN")) {
		s->auth_login = 0;
		if (ir) {
			auth_plain(s, ir, irn);
		} else {
			s->st = S_AUTH;
			reply(s, 334, NULL, "");
		}
	} else if (a_is(arg, m, "LOGIN")) {
		s->auth_login = 1;
		s->auth_step = 0;
		if (ir) {
			s->st = S_AUTH;
			auth_login(s, ir, irn);
		} else {
			s->st = S_AUTH;
			reply(s, 334, NULL, "VXNlcm5hbWU6");   /* "Username:" */
		}
	} else {
		error_reply(s, 504, "5.5.4", "Unrecognized authentication type");
	}
}

/* ---- line reading -------------------------------------------------------- */

/* One complete line from in (CRLF-terminated). Returns 1 with the line
 * (without CRLF) in *l, *n; 0 when more input is needed; -1 when the line
 * had a bare CR, a bare LF or a NUL (it was consumed; reply sent). */
static int get_line(struct smtp_server *s, const char **l, size_t *n)
{
	const char *p = sbuf_head(&s->in);
	size_t avail = sbuf_avail(&s->in);
	size_t lim = s->o.max_line;
	if (s->st == S_AUTH && lim < 12288)
		lim = 12288;  /* RFC 4954 4: AUTH lines may be that long */
	const char *lf = memchr(p, '\n', avail < lim ? avail : lim);
	if (!lf) {
		if (avail >= lim) {
			/* over-long: skip to the end of the line, answer then */
			if (s->st == S_AUTH)
				wipe(s->apass, sizeof s->apass);
			lf = memchr(p, '\n', avail);
			if (lf) {
				sbuf_consume(&s->in, (size_t)(lf + 1 - p));
				s->st = S_CMD;
				error_reply(s, 500, "5.5.2", "Line too long");
				return -1;
			}
			sbuf_consume(&s->in, avail);
			s->st = S_SKIP;
		}
		return 0;
	}
	size_t len = (size_t)(lf - p);
	sbuf_consume(&s->in, len + 1);
	if (len == 0 || p[len - 1] != '\r') {
		error_reply(s, 500, "5.5.2", "Bare LF in a command line (RFC 5321 2.3.8)");
		return -1;
	}
	len--;
	if (memchr(p, '\r', len)) {
		error_reply(s, 500, "5.5.2", "Bare CR in a command line (RFC 5321 2.3.8)");
		return -1;
	}
	if (memchr(p, 0, len)) {
		error_reply(s, 500, "5.5.2", "NUL in a command line");
		return -1;
	}
	*l = p;
	*n = len;
	return 1;
}

/* ---- DATA ----------------------------------------------------------------- */

static void put(struct smtp_server *s, const char *p, size_t n)
{
	if (s->bad)
		return;
	if (s->size + n > s->o.max_size) {
		s->bad = SMTP_ABORT_TOO_BIG;
		return;
	}
	s->size += n;
	memcpy(s->chunk + s->chunk_len, p, n);
	s->chunk_len += n;
}

static void mark(struct smtp_server *s, enum smtp_abort why)
{
	if (!s->bad)
		s->bad = why;
}

static void mid_byte(struct smtp_server *s, char c)
{
	if (c == '\r') {
		s->ds = D_CR;
	} else if (c == '\n') {
		if (s->o.flags & SMTP_SRV_NORMALISE)
			put(s, "\r\n", 2);
		else
			mark(s, SMTP_ABORT_BARE_LF);
		s->ds = D_BOL;
		s->prev_crlf = 0;
		s->line_len = 0;
	} else {
		if (c == 0)
			mark(s, SMTP_ABORT_NUL);
		if (++s->line_len > s->o.max_text_line)
			mark(s, SMTP_ABORT_LINE_TOO_LONG);
		put(s, &c, 1);
		s->ds = D_MID;
	}
}

/* A bare CR was seen; c follows it. */
static void bare_cr(struct smtp_server *s, char c)
{
	if (s->o.flags & SMTP_SRV_NORMALISE) {
		put(s, "\r\n", 2);
		s->prev_crlf = 0;
		s->line_len = 0;
		s->ds = D_BOL;
		if (c == '.')
			s->ds = D_DOT;
		else
			mid_byte(s, c);
	} else {
		mark(s, SMTP_ABORT_BARE_CR);
		mid_byte(s, c);
	}
}

/* Consume DATA input; returns 1 when the end (CRLF.CRLF) was read. */
static int data_bytes(struct smtp_server *s)
{
	const char *p = sbuf_head(&s->in);
	size_t n = sbuf_avail(&s->in), i = 0;
	int end = 0;
	while (i < n && s->chunk_len + 4 <= CHUNK) {
		/* fast path: the run of ordinary bytes inside a line, at once */
		if (s->ds == D_MID || (s->ds == D_BOL && p[i] != '.')) {
			/* within the chunk, the line limit and the size limit, so that
			 * what comes out is what one byte at a time gives */
			size_t room = CHUNK - 4 - s->chunk_len;
			size_t line = s->ds == D_BOL ? 0 : s->line_len;
			size_t lroom = line < s->o.max_text_line ? s->o.max_text_line - line : 0;
			uint64_t sroom = s->bad ? UINT64_MAX : s->o.max_size - s->size;
			if (lroom < room)
				room = lroom;
			if (sroom < room)
				room = (size_t)sroom;
			size_t lim = n - i < room ? n : i + room, j = i;
			while (j < lim && p[j] != '\r' && p[j] != '\n' && p[j] != 0)
				j++;
			if (j > i) {
				if (s->ds == D_BOL) {
					s->ds = D_MID;
					s->line_len = 0;
				}
				s->line_len += j - i;
				put(s, p + i, j - i);
				i = j;
				continue;
			}
		}
		char c = p[i++];
		switch (s->ds) {
		case D_BOL:
			if (c == '.') {
				s->ds = D_DOT;
				s->line_len = 1;
			} else {
				s->line_len = 0;
				mid_byte(s, c);
			}
			break;
		case D_MID:
			mid_byte(s, c);
			break;
		case D_CR:
			if (c == '\n') {
				put(s, "\r\n", 2);
				s->ds = D_BOL;
				s->prev_crlf = 1;
				s->line_len = 0;
			} else {
				bare_cr(s, c);
			}
			break;
		case D_DOT:
			if (c == '\r') {
				s->ds = D_DOTCR;
			} else if (c == '\n') {
				/* "\r\n.\n": not the end */
				if (s->o.flags & SMTP_SRV_NORMALISE)
					put(s, ".\r\n", 3);
				else
					mark(s, SMTP_ABORT_BARE_LF);
				s->ds = D_BOL;
				s->prev_crlf = 0;
				s->line_len = 0;
			} else {
				/* RFC 5321 4.5.2: the leading dot goes */
				mid_byte(s, c);
			}
			break;
		case D_DOTCR:
			if (c == '\n' && s->prev_crlf) {
				end = 1;
				goto out;
			}
			if (c == '\n') {
				/* a "." line after a bare line end (normalised only:
				 * rejecting, the message is bad already) */
				put(s, ".\r\n", 3);
				s->ds = D_BOL;
				s->prev_crlf = 1;
				s->line_len = 0;
			} else {
				put(s, ".", 1);
				bare_cr(s, c);
			}
			break;
		}
	}
out:
	sbuf_consume(&s->in, i);
	return end;
}

/* Consume BDAT chunk octets; returns 1 when the chunk is complete. */
static int bdat_bytes(struct smtp_server *s)
{
	const char *p = sbuf_head(&s->in);
	size_t n = sbuf_avail(&s->in), i = 0;
	if (n > s->bdat_left)
		n = (size_t)s->bdat_left;
	if (s->bdat_discard) {
		sbuf_consume(&s->in, n);
		s->bdat_left -= n;
		return s->bdat_left == 0;
	}
	while (i < n && s->chunk_len + 4 <= CHUNK) {
		char c = p[i++];
		if (s->bdat_cr) {
			s->bdat_cr = 0;
			if (c == '\n') {
				put(s, "\r\n", 2);
				continue;
			}
			if (s->o.flags & SMTP_SRV_NORMALISE)
				put(s, "\r\n", 2);
			else
				mark(s, SMTP_ABORT_BARE_CR);
		}
		if (c == '\r') {
			s->bdat_cr = 1;
		} else if (c == '\n') {
			if (s->o.flags & SMTP_SRV_NORMALISE)
				put(s, "\r\n", 2);
			else
				mark(s, SMTP_ABORT_BARE_LF);
		} else {
			if (c == 0)
				mark(s, SMTP_ABORT_NUL);
			put(s, &c, 1);
		}
	}
	sbuf_consume(&s->in, i);
	s->bdat_left -= i;
	return s->bdat_left == 0;
}

static void abort_reply(struct smtp_server *s, enum smtp_abort why)
{
	switch (why) {
	case SMTP_ABORT_BARE_LF:
		reply(s, 550, "5.6.0", "Message refused: bare LF (RFC 5321 2.3.8)");
		break;
	case SMTP_ABORT_BARE_CR:
		reply(s, 550, "5.6.0", "Message refused: bare CR (RFC 5321 2.3.8)");
		break;
	case SMTP_ABORT_NUL:
		reply(s, 550, "5.6.0", "Message refused: NUL byte");
		break;
	case SMTP_ABORT_LINE_TOO_LONG:
		reply(s, 500, "5.5.6", "Message refused: line too long (RFC 5321 4.5.3.1.6)");
		break;
	case SMTP_ABORT_TOO_BIG:
		reply(s, 552, "5.3.4", "Message size exceeds the limit");
		break;
	default:
		break;
	}
}

/* ---- the event loop ---------------------------------------------------- */

enum smtp_status smtp_server_feed(struct smtp_server *s, const char *buf, size_t len)
{
	if (s->st == S_CLOSED)
		return SMTP_OK;
	if (s->st == S_TLS_WAIT) {  /* plaintext before the handshake: dropped */
		if (len == 0)
			s->close_pending = 2;  /* gone before the handshake */
		s->discarded += len;
		return SMTP_OK;
	}
	if (len == 0) {
		/* the client is gone: what it sent is still read first */
		s->close_pending = 2;
		return SMTP_OK;
	}
	if (sbuf_avail(&s->in) > s->o.max_input && s->st != S_SKIP)
		return SMTP_ELIMIT;
	if (s->st == S_SKIP) {
		const char *lf = memchr(buf, '\n', len);
		if (!lf)
			return SMTP_OK;
		s->st = S_CMD;
		error_reply(s, 500, "5.5.2", "Line too long");
		len -= (size_t)(lf + 1 - buf);
		buf = lf + 1;
		if (s->st == S_CLOSED)
			return SMTP_OK;
	}
	if (sbuf_append(&s->in, buf, len))
		return SMTP_ENOMEM;
	return SMTP_OK;
}

static enum smtp_ev give(struct smtp_server *s, struct smtp_event *ev)
{
	enum smtp_ev e = s->pend;
	s->pend = SMTP_EV_AWAIT;
	switch (e) {
	case SMTP_EV_HELO:
		ev->data = s->helo;
		ev->len = strlen(s->helo);
		ev->esmtp = s->esmtp;
		break;
	case SMTP_EV_DATA_ABORT:
		ev->reason = s->pend_reason;
		break;
	case SMTP_EV_STARTTLS:
		ev->discarded = s->discarded;
		break;
	default:
		break;
	}
	return e;
}

static enum smtp_ev question(struct smtp_server *s, struct smtp_event *ev)
{
	switch (s->q) {
	case Q_MAIL:
		ev->data = s->path;
		ev->len = strlen(s->path);
		ev->mail = s->mp;
		return SMTP_EV_MAIL;
	case Q_RCPT:
		ev->data = s->path;
		ev->len = strlen(s->path);
		ev->mail = s->mp;
		return SMTP_EV_RCPT;
	case Q_DATA_END:
		ev->mail = s->mp;
		return SMTP_EV_DATA_END;
	case Q_AUTH:
		ev->mech = s->auth_login ? "LOGIN" : "PLAIN";
		ev->authzid = s->authzid;
		ev->user = s->auser;
		ev->password = s->apass;
		return SMTP_EV_AUTH;
	default:
		return SMTP_EV_AWAIT;
	}
}

/* The message ended (DATA's end, or the LAST chunk): ask, or refuse. */
static void message_end(struct smtp_server *s)
{
	s->st = S_CMD;
	if (s->bad) {
		abort_reply(s, s->bad);
		s->pend_reason = s->bad;
		s->pend = SMTP_EV_DATA_ABORT;
		reset_transaction(s);
	} else {
		s->q = Q_DATA_END;
	}
}

enum smtp_ev smtp_server_next(struct smtp_server *s, struct smtp_event *ev)
{
	memset(ev, 0, sizeof *ev);
	for (;;) {
		if (s->pend != SMTP_EV_AWAIT)
			return give(s, ev);
		if (s->q != Q_NONE)
			return question(s, ev);
		if (s->chunk_len) {
			ev->data = s->chunk;
			ev->len = s->chunk_len;
			s->chunk_len = 0;  /* valid until the next call: not reused before */
			return SMTP_EV_DATA;
		}
		if (s->data_end_pending) {
			s->data_end_pending = 0;
			message_end(s);
			continue;
		}
		if (s->st == S_CLOSED || s->st == S_TLS_WAIT) {
			if (s->close_pending && !s->close_given) {
				s->close_given = 1;
				return SMTP_EV_CLOSE;
			}
			return SMTP_EV_AWAIT;
		}
		/* backpressure: a client that does not read its replies */
		if (sbuf_avail(&s->out) > s->o.max_input)
			return SMTP_EV_AWAIT;
		if (s->st == S_DATA) {
			if (data_bytes(s))
				s->data_end_pending = 1;
			else if (!sbuf_avail(&s->in) && !s->chunk_len)
				goto need_input;
			continue;
		}
		if (s->st == S_BDAT) {
			if (!bdat_bytes(s)) {
				if (!sbuf_avail(&s->in) && !s->chunk_len)
					goto need_input;
				continue;
			}
			s->st = S_CMD;
			if (s->bdat_discard) {
				error_reply(s, 503, "5.5.1", "BDAT without a valid transaction");
			} else if (s->bdat_last) {
				if (s->bdat_cr)
					mark(s, SMTP_ABORT_BARE_CR);
				s->data_end_pending = 1;
			} else if (s->bad) {
				s->data_end_pending = 1;  /* refused now; later BDATs get 503 */
			} else {
				char t[64];
				snprintf(t, sizeof t, "%llu octets received",
					 (unsigned long long)s->size);
				reply(s, 250, "2.0.0", t);
			}
			continue;
		}
		if (s->st == S_SKIP)
			goto need_input;
		const char *l;
		size_t n;
		int k = get_line(s, &l, &n);
		if (k == 0)
			goto need_input;
		if (k < 0) {
			if (s->st == S_AUTH) {
				s->st = S_CMD;
				wipe(s->apass, sizeof s->apass);
			}
			continue;
		}
		if (s->st == S_AUTH) {
			if (s->auth_login)
				auth_login(s, l, n);
			else
				auth_plain(s, l, n);
			continue;
		}
		command(s, l, n);
	}
need_input:
	if (s->close_pending == 2 && s->st != S_CLOSED) {
		/* the client closed: a message in progress is lost */
		if (s->st == S_DATA || s->st == S_BDAT || s->data_begun) {
			if (s->st == S_DATA || s->st == S_BDAT) {
				s->pend = SMTP_EV_DATA_ABORT;
				s->pend_reason = SMTP_ABORT_EOF;
			}
		}
		s->st = S_CLOSED;
		sbuf_free(&s->in);
		if (s->pend != SMTP_EV_AWAIT)
			return give(s, ev);
		s->close_given = 1;
		return SMTP_EV_CLOSE;
	}
	return SMTP_EV_AWAIT;
}

/* ---- answers ------------------------------------------------------------- */

static const char *default_text(int code)
{
	if (code < 300)
		return "Ok";
	if (code < 500)
		return "Try again later";
	return "Refused";
}

static const char *default_ehc(enum question q, int code)
{
	int cls = code / 100;
	switch (q) {
	case Q_MAIL:
		return cls == 2 ? "2.1.0" : cls == 4 ? "4.1.0" : "5.1.0";
	case Q_RCPT:
		return cls == 2 ? "2.1.5" : cls == 4 ? "4.1.1" : "5.1.1";
	default:
		return cls == 2 ? "2.0.0" : cls == 4 ? "4.0.0" : "5.0.0";
	}
}

enum smtp_status smtp_server_reply(struct smtp_server *s, int code, const char *ehc,
				   const char *text)
{
	if (s->q != Q_MAIL && s->q != Q_RCPT && s->q != Q_DATA_END)
		return SMTP_ESTATE;
	if (code < 200 || code > 599 || (code >= 300 && code < 400))
		return SMTP_EINVAL;
	if (ehc && (!a_digit(ehc[0]) || ehc[0] - '0' != code / 100 || strlen(ehc) > 12))
		return SMTP_EINVAL;
	enum question q = s->q;
	s->q = Q_NONE;
	reply(s, code, ehc ? ehc : default_ehc(q, code), text ? text : default_text(code));
	int ok = code < 300;
	switch (q) {
	case Q_MAIL:
		s->have_mail = ok;
		if (!ok)
			memset(&s->mp, 0, sizeof s->mp);
		break;
	case Q_RCPT:
		if (ok)
			s->nrcpts++;
		break;
	case Q_DATA_END:
		if (ok)
			s->msgs++;
		reset_transaction(s);
		break;
	default:
		break;
	}
	if (code == 421)
		close_session(s);
	return SMTP_OK;
}

enum smtp_status smtp_server_auth(struct smtp_server *s, int ok)
{
	if (s->q != Q_AUTH)
		return SMTP_ESTATE;
	s->q = Q_NONE;
	wipe(s->apass, sizeof s->apass);
	if (ok > 0) {
		s->authed = 1;
		safe_copy(s->user, sizeof s->user, s->auser, strlen(s->auser));
		reply(s, 235, "2.7.0", "Authentication successful");
	} else if (ok == 0) {
		error_reply(s, 535, "5.7.8", "Authentication credentials invalid");
	} else {
		reply(s, 454, "4.7.0", "Temporary authentication failure");
	}
	return SMTP_OK;
}

void smtp_server_tls_started(struct smtp_server *s)
{
	if (s->st != S_TLS_WAIT)
		return;
	s->st = S_CMD;
	s->secure = 1;
	s->have_helo = s->esmtp = s->authed = 0;
	s->helo[0] = s->user[0] = 0;
	reset_transaction(s);
	sbuf_consume(&s->in, sbuf_avail(&s->in));
}

void smtp_server_timeout(struct smtp_server *s)
{
	if (s->st == S_CLOSED)
		return;
	if (s->st == S_DATA || s->st == S_BDAT) {
		s->pend = SMTP_EV_DATA_ABORT;
		s->pend_reason = SMTP_ABORT_TIMEOUT;
	}
	reply(s, 421, "4.4.2", "Timeout, closing the connection");
	close_session(s);
}

unsigned smtp_server_timeout_ms(const struct smtp_server *s)
{
	return s->st == S_DATA || s->st == S_BDAT ? s->o.data_timeout_ms : s->o.cmd_timeout_ms;
}

void smtp_server_shutdown(struct smtp_server *s, const char *text)
{
	if (s->st == S_CLOSED)
		return;
	if (s->st == S_DATA || s->st == S_BDAT || s->q == Q_DATA_END) {
		s->pend = SMTP_EV_DATA_ABORT;
		s->pend_reason = SMTP_ABORT_RESET;
	}
	s->q = Q_NONE;
	reply(s, 421, "4.3.2", text ? text : "Service shutting down");
	close_session(s);
}

const char *smtp_server_output(const struct smtp_server *s, size_t *len)
{
	*len = sbuf_avail(&s->out);
	return sbuf_head(&s->out);
}

void smtp_server_drain(struct smtp_server *s, size_t n)
{
	sbuf_consume(&s->out, n);
}

int smtp_server_want_input(const struct smtp_server *s)
{
	if (s->st == S_CLOSED || s->st == S_TLS_WAIT || s->close_pending)
		return 0;
	return sbuf_avail(&s->in) <= s->o.max_input;
}

int smtp_server_closed(const struct smtp_server *s)
{
	return s->st == S_CLOSED;
}

const char *smtp_server_helo(const struct smtp_server *s)
{
	return s->helo;
}

int smtp_server_esmtp(const struct smtp_server *s)
{
	return s->esmtp;
}

int smtp_server_secure(const struct smtp_server *s)
{
	return s->secure;
}

const char *smtp_server_user(const struct smtp_server *s)
{
	return s->authed ? s->user : NULL;
}

const char *smtp_server_protocol(const struct smtp_server *s)
{
	if (!s->esmtp)
		return "SMTP";
	size_t i = s->mp.smtputf8 ? 5 : 1;
	if (s->mp.smtputf8)
		i = 5 + (s->secure ? 1 : 0) + (s->authed ? 2 : 0);
	else
		i = 1 + (s->secure ? 1 : 0) + (s->authed ? 2 : 0);
	return proto_names[i];
}

unsigned long smtp_server_messages(const struct smtp_server *s)
{
	return s->msgs;
}
