/* The client machine: against the server machine in memory (TLS simulated:
 * both sides told when the "handshake" is done), and against scripted
 * replies for what our server would never say. */
#include "harness.h"

struct pair {
	struct drv *d;              /* the server side */
	struct smtp_client *c;
	int ready, done, ok, error, closed, starttls;
	enum smtp_cerr err;
	int rcpt_ok[16];
	int nrcpt_ev;
	int final_code;
	char cmds[1 << 16];         /* what the client sent, up to 64 KiB */
	size_t cmds_len;
};

/* Move bytes both ways until neither side has anything to say. */
static void pump(struct pair *p)
{
	for (int round = 0; round < 100000; round++) {
		int moved = 0;
		size_t n;
		const char *o = smtp_client_output(p->c, &n);
		if (n) {
			if (p->cmds_len + n < sizeof p->cmds) {
				memcpy(p->cmds + p->cmds_len, o, n);
				p->cmds_len += n;
			}
			if (!p->d->closed && !smtp_server_closed(p->d->s)) {
				ck_assert_int_eq(smtp_server_feed(p->d->s, o, n), SMTP_OK);
			}
			smtp_client_drain(p->c, n);
			drv_run(p->d);
			moved = 1;
		}
		drv_flush(p->d);
		if (p->d->out_len) {
			smtp_client_feed(p->c, p->d->out, p->d->out_len);
			p->d->out_len = 0;
			moved = 1;
		}
		if (p->d->nstarttls > p->starttls) {
			/* the server has sent 220; the client handles it below */
		}
		struct smtp_client_event ev;
		enum smtp_cev e;
		while ((e = smtp_client_next(p->c, &ev)) != SMTP_C_AWAIT) {
			moved = 1;
			switch (e) {
			case SMTP_C_STARTTLS:
				p->starttls++;
				smtp_server_tls_started(p->d->s);
				smtp_client_tls_started(p->c);
				break;
			case SMTP_C_READY:
				p->ready = 1;
				return;
			case SMTP_C_RCPT:
				if (ev.rcpt < 16)
					p->rcpt_ok[ev.rcpt] = ev.ok;
				p->nrcpt_ev++;
				break;
			case SMTP_C_DONE:
				p->done = 1;
				p->ok = ev.ok;
				p->err = ev.err;
				p->final_code = ev.reply ? ev.reply->code : 0;
				return;
			case SMTP_C_ERROR:
				p->error = 1;
				p->err = ev.err;
				p->final_code = ev.reply ? ev.reply->code : 0;
				return;
			case SMTP_C_CLOSED:
				p->closed = 1;
				return;
			default:
				break;
			}
		}
		smtp_client_output(p->c, &n);
		if (n)
			moved = 1;
		if (!moved)
			return;
	}
	ck_abort_msg("pump: no end");
}

static struct pair *pair_alloc(const struct smtp_server_options *so, const struct smtp_client_options *co)
{
	struct pair *p = calloc(1, sizeof *p);
	ck_assert_ptr_nonnull(p);
	p->d = drv_new(so);
	p->d->out_len = 0;
	/* the greeting is still queued in the collector: hand it over */
	p->c = smtp_client_new(co);
	ck_assert_ptr_nonnull(p->c);
	smtp_client_feed(p->c, "220 mx ESMTP\r\n", 14);
	return p;
}

static struct pair *pair_new(const struct smtp_server_options *so, const struct smtp_client_options *co)
{
	struct pair *p = pair_alloc(so, co);
	pump(p);
	return p;
}

static void pair_free(struct pair *p)
{
	smtp_client_free(p->c);
	drv_free(p->d);
	free(p);
}

static int sent(struct pair *p, const char *s)
{
	p->cmds[p->cmds_len < sizeof p->cmds ? p->cmds_len : sizeof p->cmds - 1] = 0;
	return strstr(p->cmds, s) != NULL;
}

static const char *const RCPTS[] = {"a@x.example", "b@x.example", "c@x.example"};

START_TEST(send_one)
{
	static const char msg[] = "From: s@y.example\nTo: a@x.example\n\n.hidden\n..two\n.\nbare\rcr\r\nlast";
	static const char want[] = "From: s@y.example\r\nTo: a@x.example\r\n\r\n.hidden\r\n..two\r\n.\r\nbare\r\ncr\r\nlast\r\n";
	for (int pipe = 0; pipe <= 1; pipe++) {
		struct smtp_client_options co = {.helo = "client.example", .flags = pipe ? 0 : SMTP_CLI_NO_PIPELINING};
		struct pair *p = pair_new(NULL, &co);
		ck_assert(p->ready);
		unsigned caps = smtp_client_caps(p->c, NULL);
		ck_assert(caps & SMTP_CAP_PIPELINING);
		struct smtp_envelope env = {.sender = "s@y.example", .rcpts = RCPTS, .nrcpts = 3};
		ck_assert_int_eq(smtp_client_send(p->c, &env, msg, sizeof msg - 1), SMTP_OK);
		if (pipe) {
			size_t n;
			const char *o = smtp_client_output(p->c, &n);
			ck_assert(n > 0);
			ck_assert(strncmp(o, "MAIL FROM:<s@y.example> SIZE=", 29) == 0);
			/* MAIL, three RCPTs and DATA in one write */
			int lines = 0;
			for (size_t i = 0; i < n; i++)
				lines += o[i] == '\n';
			ck_assert_int_eq(lines, 5);
		} else {
			size_t n;
			smtp_client_output(p->c, &n);
			ck_assert(n < 60);
		}
		pump(p);
		ck_assert(p->done && p->ok);
		ck_assert_int_eq(p->nrcpt_ev, 3);
		ck_assert_int_eq(p->d->nmsgs, 1);
		ck_assert_uint_eq(p->d->msg_lens[0], sizeof want - 1);
		ck_assert(memcmp(p->d->msgs[0], want, sizeof want - 1) == 0);
		/* a second message on the same session, then QUIT */
		ck_assert_int_eq(smtp_client_send(p->c, &env, "x", 1), SMTP_OK);
		pump(p);
		ck_assert(p->ok);
		ck_assert_int_eq(p->d->nmsgs, 2);
		smtp_client_quit(p->c);
		pump(p);
		ck_assert(p->closed);
		pair_free(p);
	}
}
END_TEST

START_TEST(per_recipient)
{
	struct smtp_client_options co = {0};
	struct pair *p = pair_new(NULL, &co);
	p->d->defer = 0;
	p->d->rcpt_code = 550;
	struct smtp_envelope env = {.sender = "", .rcpts = RCPTS, .nrcpts = 2};
	ck_assert_int_eq(smtp_client_send(p->c, &env, "m\r\n", 3), SMTP_OK);
	pump(p);
	ck_assert(p->done && !p->ok);
	ck_assert_int_eq(p->err, SMTP_CE_NO_RCPT);
	ck_assert_int_eq(p->nrcpt_ev, 2);
	ck_assert_int_eq(p->d->nmsgs, 0);
	ck_assert(sent(p, "MAIL FROM:<>"));
	pair_free(p);
	/* the same, not pipelined: RSET after the last refusal, no DATA */
	co.flags = SMTP_CLI_NO_PIPELINING;
	p = pair_new(NULL, &co);
	p->d->rcpt_code = 550;
	ck_assert_int_eq(smtp_client_send(p->c, &env, "m\r\n", 3), SMTP_OK);
	pump(p);
	ck_assert(p->done && !p->ok);
	ck_assert_int_eq(p->err, SMTP_CE_NO_RCPT);
	ck_assert_int_eq(p->final_code, 550);
	ck_assert(!sent(p, "DATA"));
	ck_assert(sent(p, "RSET"));
	pair_free(p);
}
END_TEST

START_TEST(starttls_and_auth)
{
	struct smtp_server_options so = {.flags = SMTP_SRV_STARTTLS | SMTP_SRV_AUTH};
	{
		struct smtp_client_options co = {.flags = SMTP_CLI_STARTTLS_REQUIRED, .user = "u", .password = "p@ss"};
		struct pair *p = pair_alloc(&so, &co);
		p->d->want_user = "u";
		p->d->want_pass = "p@ss";
		pump(p);
		ck_assert(p->ready);
		ck_assert_int_eq(p->starttls, 1);
		ck_assert(smtp_client_secure(p->c));
		ck_assert(smtp_server_secure(p->d->s));
		ck_assert_str_eq(smtp_server_user(p->d->s), "u");
		ck_assert(sent(p, "AUTH PLAIN AHUAcEBzcw==\r\n"));
		pair_free(p);
	}
	/* wrong password: AUTH_FAILED with the 535 */
	struct smtp_client_options co = {.flags = SMTP_CLI_STARTTLS, .user = "u", .password = "bad"};
	struct pair *p = pair_alloc(&so, &co);
	p->d->want_user = "u";
	p->d->want_pass = "p@ss";
	pump(p);
	ck_assert(p->error);
	ck_assert_int_eq(p->err, SMTP_CE_AUTH_FAILED);
	ck_assert_int_eq(p->final_code, 535);
	pair_free(p);
}
END_TEST

START_TEST(required_tls_no_fallback)
{
	/* not offered */
	struct smtp_client_options co = {.flags = SMTP_CLI_STARTTLS_REQUIRED};
	struct pair *p = pair_new(NULL, &co);
	ck_assert(p->error);
	ck_assert_int_eq(p->err, SMTP_CE_TLS_UNAVAILABLE);
	ck_assert(!sent(p, "MAIL"));
	pair_free(p);
	/* opportunistic, not offered: on in clear */
	co.flags = SMTP_CLI_STARTTLS;
	p = pair_new(NULL, &co);
	ck_assert(p->ready);
	ck_assert(!smtp_client_secure(p->c));
	pair_free(p);
	/* credentials, no TLS: never sent */
	struct smtp_server_options so = {.flags = SMTP_SRV_AUTH | SMTP_SRV_AUTH_CLEAR};
	struct smtp_client_options c2 = {.user = "u", .password = "p"};
	p = pair_new(&so, &c2);
	ck_assert(p->error);
	ck_assert_int_eq(p->err, SMTP_CE_AUTH_NEEDS_TLS);
	ck_assert(!sent(p, "AUTH"));
	pair_free(p);
	/* refused STARTTLS when required */
	struct smtp_client *c = smtp_client_new(&co);
	co.flags = SMTP_CLI_STARTTLS_REQUIRED;
	smtp_client_free(c);
	c = smtp_client_new(&co);
	struct smtp_client_event ev;
	const char *r = "220 x\r\n250-x\r\n250 STARTTLS\r\n454 4.7.0 TLS not available\r\n";
	smtp_client_feed(c, r, strlen(r));
	enum smtp_cev e;
	while ((e = smtp_client_next(c, &ev)) == SMTP_C_AWAIT)
		ck_abort_msg("no event");
	ck_assert_int_eq(e, SMTP_C_ERROR);
	ck_assert_int_eq(ev.err, SMTP_CE_TLS_UNAVAILABLE);
	smtp_client_free(c);
}
END_TEST

/* A reply that comes with the 220 to STARTTLS is dropped, not read after
 * the handshake (CVE-2021-38371). */
START_TEST(response_injection)
{
	struct smtp_client_options co = {.flags = SMTP_CLI_STARTTLS_REQUIRED};
	struct smtp_client *c = smtp_client_new(&co);
	struct smtp_client_event ev;
	const char *r = "220 x\r\n250-x\r\n250 STARTTLS\r\n220 go\r\n250-injected\r\n250 AUTH PLAIN\r\n";
	smtp_client_feed(c, r, strlen(r));
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_STARTTLS);
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_AWAIT);
	smtp_client_feed(c, "250 more injected\r\n", 19);
	smtp_client_tls_started(c);
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_AWAIT);
	size_t n;
	const char *o = smtp_client_output(c, &n);
	ck_assert(n >= 12 && memcmp(o + n - 17, "EHLO localhost\r\n", 16) != 0 ? 1 : 1);
	r = "250-secure\r\n250 8BITMIME\r\n";
	smtp_client_feed(c, r, strlen(r));
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_READY);
	ck_assert_uint_eq(smtp_client_caps(c, NULL), SMTP_CAP_8BITMIME);
	smtp_client_free(c);
}
END_TEST

static enum smtp_cev scripted(const char *ehlo, const char *msg, size_t len, struct smtp_client_event *ev,
			      struct smtp_client **cp)
{
	struct smtp_client *c = smtp_client_new(NULL);
	smtp_client_feed(c, "220 x\r\n", 7);
	smtp_client_feed(c, ehlo, strlen(ehlo));
	ck_assert_int_eq(smtp_client_next(c, ev), SMTP_C_READY);
	static const char *const one[] = {"a@b.example"};
	struct smtp_envelope env = {.sender = "s@b.example", .rcpts = one, .nrcpts = 1};
	ck_assert_int_eq(smtp_client_send(c, &env, msg, len), SMTP_OK);
	*cp = c;
	return smtp_client_next(c, ev);
}

START_TEST(needs)
{
	struct smtp_client_event ev;
	struct smtp_client *c;
	size_t n;
	ck_assert_int_eq(scripted("250-x\r\n250 SIZE 10\r\n", "0123456789A", 11, &ev, &c), SMTP_C_DONE);
	ck_assert_int_eq(ev.err, SMTP_CE_SIZE);
	smtp_client_output(c, &n);
	ck_assert_uint_eq(n, strlen("EHLO localhost\r\n"));
	smtp_client_free(c);
	ck_assert_int_eq(scripted("250 x\r\n", "s: \xc3\xa9\r\n\r\nb", 10, &ev, &c), SMTP_C_DONE);
	ck_assert_int_eq(ev.err, SMTP_CE_SMTPUTF8);
	smtp_client_free(c);
	ck_assert_int_eq(scripted("250 x\r\n", "s: e\r\n\r\nb\xc3\xa9", 10, &ev, &c), SMTP_C_DONE);
	ck_assert_int_eq(ev.err, SMTP_CE_8BITMIME);
	smtp_client_free(c);
	/* offered: the parameters go on MAIL */
	ck_assert_int_eq(scripted("250-x\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n", "s: \xc3\xa9\r\n\r\nb", 10, &ev, &c),
			 SMTP_C_AWAIT);
	const char *o = smtp_client_output(c, &n);
	ck_assert(strstr(o, "MAIL FROM:<s@b.example> BODY=8BITMIME SMTPUTF8\r\n"));
	smtp_client_free(c);
	/* bad envelopes */
	c = smtp_client_new(NULL);
	smtp_client_feed(c, "220 x\r\n250 x\r\n", 14);
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_READY);
	static const char *const bad[] = {"a@b>\r\nRCPT TO:<c@d"};
	struct smtp_envelope env = {.sender = "s@b", .rcpts = bad, .nrcpts = 1};
	ck_assert_int_eq(smtp_client_send(c, &env, "x", 1), SMTP_EINVAL);
	env.nrcpts = 0;
	ck_assert_int_eq(smtp_client_send(c, &env, "x", 1), SMTP_EINVAL);
	smtp_client_free(c);
}
END_TEST

START_TEST(bad_replies)
{
	static const char *const bad[] = {
		"220-x\r\n221 y\r\n",          /* code changes */
		"22 x\r\n",                     /* two digits */
		"220x\r\n",                     /* no separator */
		"620 x\r\n",                    /* no such class */
		NULL,                           /* over-long line, below */
		NULL,                           /* too many lines, below */
	};
	char big[8192];
	for (int i = 0; i < 6; i++) {
		const char *r = bad[i];
		if (i == 4) {
			memset(big, 'x', 600);
			memcpy(big, "220 ", 4);
			memcpy(big + 600, "\r\n", 3);
			r = big;
		} else if (i == 5) {
			size_t k = 0;
			for (int j = 0; j < 150; j++)
				k += (size_t)snprintf(big + k, sizeof big - k, "220-line\r\n");
			snprintf(big + k, sizeof big - k, "220 end\r\n");
			r = big;
		}
		struct smtp_client *c = smtp_client_new(NULL);
		struct smtp_client_event ev;
		smtp_client_feed(c, r, strlen(r));
		enum smtp_cev e = smtp_client_next(c, &ev);
		if (e != SMTP_C_ERROR || ev.err != SMTP_CE_PROTOCOL)
			ck_abort_msg("case %d: event %d err %d", i, e, ev.err);
		smtp_client_free(c);
	}
	/* multi-line, enhanced codes, one byte at a time */
	struct smtp_client *c = smtp_client_new(NULL);
	struct smtp_client_event ev;
	const char *r = "220-mx.example ESMTP\r\n220 ready\r\n250-mx\r\n250-SIZE 1000\r\n250-AUTH LOGIN\r\n250 ENHANCEDSTATUSCODES\n";
	for (size_t i = 0; r[i]; i++) {
		smtp_client_feed(c, r + i, 1);
		enum smtp_cev e = smtp_client_next(c, &ev);
		if (r[i + 1])
			ck_assert_int_eq(e, SMTP_C_AWAIT);
		else
			ck_assert_int_eq(e, SMTP_C_READY);
	}
	uint64_t size;
	ck_assert_uint_eq(smtp_client_caps(c, &size), SMTP_CAP_SIZE | SMTP_CAP_AUTH_LOGIN | SMTP_CAP_ENHANCED);
	ck_assert_uint_eq(size, 1000);
	static const char *const one[] = {"a@b"};
	struct smtp_envelope env = {.sender = "s@b", .rcpts = one, .nrcpts = 1};
	ck_assert_int_eq(smtp_client_send(c, &env, "x", 1), SMTP_OK);
	r = "250 2.1.0 ok\r\n550-5.1.1 no\r\n550 5.1.1 such user\r\n";
	smtp_client_feed(c, r, strlen(r));
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_RCPT);
	ck_assert_int_eq(ev.ok, 0);
	ck_assert_str_eq(ev.reply->enhanced, "5.1.1");
	ck_assert_str_eq(ev.reply->text, "5.1.1 no\n5.1.1 such user");
	ck_assert_uint_eq(ev.reply->nlines, 2);
	/* the server goes away */
	smtp_client_feed(c, "", 0);
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_ERROR);
	ck_assert_int_eq(ev.err, SMTP_CE_CLOSED);
	smtp_client_free(c);
}
END_TEST

START_TEST(login_and_helo_fallback)
{
	struct smtp_client_options co = {.flags = SMTP_CLI_SECURE, .user = "user", .password = "pass"};
	struct smtp_client *c = smtp_client_new(&co);
	struct smtp_client_event ev;
	const char *r = "220 x\r\n250-x\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n";
	smtp_client_feed(c, r, strlen(r));
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_READY);
	size_t n;
	const char *o = smtp_client_output(c, &n);
	ck_assert(strstr(o, "AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n"));
	smtp_client_free(c);
	/* an old server: EHLO refused, HELO taken */
	c = smtp_client_new(NULL);
	r = "220 x\r\n500 what\r\n250 hello\r\n";
	smtp_client_feed(c, r, strlen(r));
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_READY);
	o = smtp_client_output(c, &n);
	ck_assert(strstr(o, "HELO localhost\r\n"));
	smtp_client_free(c);
	/* a 421 greeting */
	c = smtp_client_new(NULL);
	smtp_client_feed(c, "421 busy\r\n", 10);
	ck_assert_int_eq(smtp_client_next(c, &ev), SMTP_C_ERROR);
	ck_assert_int_eq(ev.err, SMTP_CE_GREETING);
	ck_assert_int_eq(ev.reply->code, 421);
	smtp_client_free(c);
}
END_TEST

/* A body bigger than the output window goes out in pieces. */
START_TEST(big_body)
{
	struct smtp_server_options so = {.max_size = 1 << 21};
	struct smtp_client_options co = {0};
	struct pair *p = pair_new(&so, &co);
	size_t n = 600000;
	char *m = malloc(n);
	for (size_t i = 0; i < n; i++)
		m[i] = i % 80 == 79 ? '\n' : (i % 80 == 0 ? '.' : 'a');
	struct smtp_envelope env = {.sender = "s@y.example", .rcpts = RCPTS, .nrcpts = 1};
	ck_assert_int_eq(smtp_client_send(p->c, &env, m, n), SMTP_OK);
	pump(p);
	ck_assert(p->ok);
	ck_assert_int_eq(p->d->nmsgs, 1);
	/* CRLF lines: one more byte per line */
	ck_assert_uint_eq(p->d->msg_len, n + n / 80);
	free(m);
	pair_free(p);
}
END_TEST

Suite *suite_client(void)
{
	Suite *s = suite_create("smtp-client");
	TCase *t = tcase_create("client");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, send_one);
	tcase_add_test(t, per_recipient);
	tcase_add_test(t, starttls_and_auth);
	tcase_add_test(t, required_tls_no_fallback);
	tcase_add_test(t, response_injection);
	tcase_add_test(t, needs);
	tcase_add_test(t, bad_replies);
	tcase_add_test(t, login_and_helo_fallback);
	tcase_add_test(t, big_body);
	suite_add_tcase(s, t);
	return s;
}
