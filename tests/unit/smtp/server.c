/* The server machine: the session, the extensions, the limits, and the
 * safety rules of lib/smtp/server.c. */
#include "harness.h"

static const char SESSION[] =
	"EHLO client.example\r\n"
	"MAIL FROM:<a@example.org>\r\n"
	"RCPT TO:<b@example.net>\r\n"
	"DATA\r\n"
	"Subject: hi\r\n"
	"\r\n"
	"..leading dot\r\n"
	".\r\n"
	"QUIT\r\n";

START_TEST(basic_session)
{
	struct drv *d = drv_new(NULL);
	drv_feed(d, SESSION);
	ck_assert_str_eq(drv_codes(d), "220 250 250 250 354 250 221");
	ck_assert_int_eq(d->nmsgs, 1);
	ck_assert_int_eq(d->closed, 1);
	const char want[] = "Subject: hi\r\n\r\n.leading dot\r\n";
	ck_assert_uint_eq(d->msg_lens[0], sizeof want - 1);
	ck_assert(memcmp(d->msgs[0], want, sizeof want - 1) == 0);
	ck_assert_str_eq(d->last_mail, "a@example.org");
	ck_assert_str_eq(d->last_rcpt, "b@example.net");
	ck_assert(strstr(d->out, "250-PIPELINING\r\n"));
	ck_assert(strstr(d->out, "250-SIZE 10485760\r\n"));
	ck_assert(strstr(d->out, "250-8BITMIME\r\n"));
	ck_assert(strstr(d->out, "250-SMTPUTF8\r\n"));
	ck_assert(!strstr(d->out, "STARTTLS"));
	ck_assert(!strstr(d->out, "AUTH"));
	drv_free(d);
}
END_TEST

/* One byte at a time, three at a time: the same replies and message. */
START_TEST(chunking_invariance)
{
	struct drv *a = drv_new(NULL);
	drv_feed(a, SESSION);
	for (size_t step = 1; step <= 7; step++) {
		struct drv *b = drv_new(NULL);
		drv_feed_step(b, SESSION, sizeof SESSION - 1, step);
		ck_assert_str_eq(a->out, b->out);
		ck_assert_int_eq(b->nmsgs, 1);
		ck_assert_uint_eq(a->msg_lens[0], b->msg_lens[0]);
		ck_assert(memcmp(a->msgs[0], b->msgs[0], a->msg_lens[0]) == 0);
		drv_free(b);
	}
	drv_free(a);
}
END_TEST

/* Pipelined commands with questions answered late: replies in order. */
START_TEST(pipelining_deferred)
{
	struct drv *d = drv_new(NULL);
	d->defer = 1;
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<c@d.e>\r\nRCPT TO:<f@g.h>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250");
	ck_assert_int_eq(d->nmail, 1);
	ck_assert_int_eq(smtp_server_reply(d->s, 250, NULL, NULL), SMTP_OK);
	drv_run(d);  /* now the first RCPT */
	ck_assert_int_eq(d->nrcpt, 1);
	ck_assert_int_eq(smtp_server_reply(d->s, 550, "5.1.1", "no such user"), SMTP_OK);
	drv_run(d);
	ck_assert_int_eq(smtp_server_reply(d->s, 250, NULL, NULL), SMTP_OK);
	drv_run(d);  /* DATA, then DATA_END waits */
	ck_assert_str_eq(drv_codes(d), "220 250 250 550 250 354");
	ck_assert_int_eq(smtp_server_reply(d->s, 250, NULL, "queued as X"), SMTP_OK);
	d->defer = 0;
	drv_run(d);
	ck_assert_str_eq(drv_codes(d), "220 250 250 550 250 354 250 221");
	ck_assert(strstr(d->out, "550 5.1.1 no such user\r\n"));
	ck_assert(strstr(d->out, "250 2.0.0 queued as X\r\n"));
	/* a reply with no question waiting */
	ck_assert_int_eq(smtp_server_reply(d->s, 250, NULL, NULL), SMTP_ESTATE);
	drv_free(d);
}
END_TEST

START_TEST(sequence_errors)
{
	struct drv *d = drv_new(NULL);
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nHELO\r\nHELO x\r\nRCPT TO:<a@b.c>\r\nDATA\r\n"
		    "MAIL FROM:<a@b.c>\r\nMAIL FROM:<a@b.c>\r\nDATA\r\nFOO\r\n");
	ck_assert_str_eq(drv_codes(d), "220 503 501 250 503 503 250 503 554 500");
	drv_free(d);
}
END_TEST

START_TEST(other_commands)
{
	struct drv *d = drv_new(NULL);
	drv_feed(d, "EHLO x\r\nVRFY root\r\nEXPN list\r\nHELP\r\nNOOP\r\nTURN\r\nETRN x\r\nRSET\r\nnoop\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 252 502 214 250 502 502 250 250");
	drv_free(d);
}
END_TEST

START_TEST(paths)
{
	static const struct { const char *cmd; int code; } t[] = {
		{"MAIL FROM:<>", 250},
		{"MAIL FROM:<a@b>", 250},
		{"MAIL FROM: <a@b>", 250},
		{"MAIL FROM:<@r1,@r2:a@b.c>", 250},
		{"MAIL FROM:<\"a b\"@c.d>", 250},
		{"MAIL FROM:<a@[192.0.2.1]>", 250},
		{"MAIL FROM:<a@[IPv6:2001:db8::1]>", 250},
		{"MAIL FROM:<a@[300.0.0.1]>", 553},
		{"MAIL FROM:<a>", 553},
		{"MAIL FROM:<a@>", 553},
		{"MAIL FROM:<@a>", 553},
		{"MAIL FROM:<a..b@c>", 553},
		{"MAIL FROM:<a.@c>", 553},
		{"MAIL FROM:<a@-c>", 553},
		{"MAIL FROM:<a@c->", 553},
		{"MAIL FROM:<a@c..d>", 553},
		{"MAIL FROM:<`id`|sh@c>", 250}, /* atext: fine as data, never a command */
		{"MAIL FROM:<a;b@c> ", 553},
		{"MAIL FROM:<a b@c>", 553},
		{"MAIL FROM:<a@b>x", 501},
		{"MAIL FROM:a@b", 501},
		{"MAIL FROM:<a@b> SIZE=100 BODY=8BITMIME", 250},
		{"MAIL FROM:<a@b> SIZE=99999999999", 552},
		{"MAIL FROM:<a@b> SIZE=x", 555},
		{"MAIL FROM:<a@b> BODY=BINARYMIME", 555},
		{"MAIL FROM:<a@b> RET=FULL", 555},
		{"MAIL FROM:<j\xc3\xb6@b\xc3\xbc.example> SMTPUTF8", 250},
		{"MAIL FROM:<j\xc3\xb6@b.example>", 553},
		{"MAIL FROM:<j\xc3@b.example> SMTPUTF8", 553},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct drv *d = drv_new(NULL);
		char buf[600];
		snprintf(buf, sizeof buf, "EHLO x\r\n%s\r\n", t[i].cmd);
		drv_feed(d, buf);
		char want[32];
		snprintf(want, sizeof want, "220 250 %d", t[i].code);
		if (strcmp(drv_codes(d), want))
			ck_abort_msg("%s: got %s, want %s", t[i].cmd, drv_codes(d), want);
		drv_free(d);
	}
	struct drv *d = drv_new(NULL);
	drv_feed(d, "EHLO x\r\nMAIL FROM:<@r:a@b.c>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<a@b> NOTIFY=NEVER\r\n"
		    "RCPT TO:<>\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 250 250 555 553");
	ck_assert_str_eq(d->last_mail, "a@b.c");
	ck_assert_str_eq(d->last_rcpt, "Postmaster");
	drv_free(d);
}
END_TEST

/* CVE-2011-0411: plaintext pipelined after STARTTLS is never executed. */
START_TEST(starttls_injection)
{
	struct smtp_server_options o = {.flags = SMTP_SRV_STARTTLS};
	struct drv *d = drv_new(&o);
	drv_feed(d, "EHLO x\r\n");
	ck_assert(strstr(d->out, "STARTTLS\r\n"));
	drv_feed(d, "STARTTLS\r\nMAIL FROM:<evil@x.y>\r\nRCPT TO:<v@x.y>\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 220");
	ck_assert_int_eq(d->nstarttls, 1);
	/* more plaintext before the handshake completes: dropped too */
	drv_feed(d, "DATA\r\n");
	ck_assert_int_eq(smtp_server_want_input(d->s), 0);
	smtp_server_tls_started(d->s);
	drv_run(d);
	ck_assert_int_eq(d->nmail, 0);
	ck_assert_uint_eq(d->discarded, 0 + strlen("MAIL FROM:<evil@x.y>\r\nRCPT TO:<v@x.y>\r\n"));
	ck_assert(smtp_server_secure(d->s));
	/* the session starts over: EHLO again, no STARTTLS offered */
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nEHLO x\r\nSTARTTLS\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 220 503 250 502");
	size_t k = strlen(d->out);
	ck_assert(!strstr(d->out + k - 200, "250-STARTTLS"));
	drv_free(d);
}
END_TEST

/* STARTTLS inside a transaction is refused. */
START_TEST(starttls_in_transaction)
{
	struct smtp_server_options o = {.flags = SMTP_SRV_STARTTLS};
	struct drv *d = drv_new(&o);
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nSTARTTLS\r\nSTARTTLS x\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 250 503 501");
	drv_free(d);
}
END_TEST

START_TEST(auth_needs_tls)
{
	struct smtp_server_options o = {.flags = SMTP_SRV_STARTTLS | SMTP_SRV_AUTH};
	struct drv *d = drv_new(&o);
	drv_feed(d, "EHLO x\r\n");
	ck_assert(!strstr(d->out, "AUTH"));
	drv_feed(d, "AUTH PLAIN AHUAcA==\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 538");
	ck_assert_int_eq(d->nauth, 0);
	drv_feed(d, "STARTTLS\r\n");
	smtp_server_tls_started(d->s);
	drv_feed(d, "EHLO x\r\n");
	ck_assert(strstr(d->out, "AUTH PLAIN LOGIN\r\n"));
	d->want_user = "u";
	d->want_pass = "p";
	drv_feed(d, "AUTH PLAIN AHUAcA==\r\n");  /* \0u\0p */
	ck_assert_str_eq(drv_codes(d), "220 250 538 220 250 235");
	ck_assert_str_eq(smtp_server_user(d->s), "u");
	ck_assert_str_eq(smtp_server_protocol(d->s), "ESMTPSA");
	drv_feed(d, "AUTH PLAIN AHUAcA==\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 538 220 250 235 503");
	drv_free(d);
}
END_TEST

START_TEST(auth_flows)
{
	struct smtp_server_options o = {.flags = SMTP_SRV_AUTH | SMTP_SRV_AUTH_CLEAR | SMTP_SRV_AUTH_REQUIRED};
	struct drv *d = drv_new(&o);
	d->want_user = "user";
	d->want_pass = "pass";
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 530");
	/* PLAIN with a 334 challenge; wrong password */
	drv_feed(d, "AUTH PLAIN\r\n");
	drv_feed(d, "AHVzZXIAd3Jvbmc=\r\n");  /* \0user\0wrong */
	/* cancelled; bad base64; unknown mechanism */
	drv_feed(d, "AUTH LOGIN\r\n*\r\nAUTH PLAIN !!!!\r\nAUTH CRAM-MD5\r\n");
	/* LOGIN */
	drv_feed(d, "AUTH LOGIN dXNlcg==\r\n");
	drv_feed(d, "cGFzcw==\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 530 334 535 334 501 501 504 334 235");
	ck_assert(strstr(d->out, "334 VXNlcm5hbWU6\r\n"));
	ck_assert(strstr(d->out, "334 UGFzc3dvcmQ6\r\n"));
	ck_assert_int_eq(d->nauth, 2);
	drv_feed(d, "MAIL FROM:<a@b.c>\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 530 334 535 334 501 501 504 334 235 250");
	ck_assert_str_eq(smtp_server_protocol(d->s), "ESMTPA");
	drv_free(d);
}
END_TEST

/* A 1 MB command line: one 500, memory bounded, the session goes on. */
START_TEST(huge_line)
{
	struct drv *d = drv_new(NULL);
	drv_feed(d, "EHLO x\r\n");
	char *big = malloc(1 << 20);
	ck_assert_ptr_nonnull(big);
	memset(big, 'A', 1 << 20);
	memcpy(big, "MAIL FROM:<", 11);
	for (size_t i = 0; i < (1 << 20); i += 4096)
		drv_feed_step(d, big + i, 4096, 0);
	free(big);
	drv_feed(d, "\r\nNOOP\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 500 250");
	/* and all at once, with the next command in the same feed */
	struct drv *e = drv_new(NULL);
	size_t n = (1 << 20) + 16;
	big = malloc(n);
	memset(big, 'B', n);
	memcpy(big + n - 8, "\r\nNOOP\r\n", 8);
	ck_assert_int_eq(smtp_server_feed(e->s, big, n), SMTP_OK);
	drv_run(e);
	ck_assert_str_eq(drv_codes(e), "220 500 250");
	free(big);
	drv_free(d);
	drv_free(e);
}
END_TEST

/* 10,000 RCPTs: 1000 taken (the default), the rest 452, no disconnect. */
START_TEST(many_rcpts)
{
	struct drv *d = drv_new(NULL);
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\n");
	for (int i = 0; i < 10000; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "RCPT TO:<u%d@b.c>\r\n", i);
		drv_feed(d, buf);
		if (d->out_len > 500000) {
			/* keep the collector small: count and forget */
			d->out_len = 0;
		}
	}
	ck_assert_int_eq(d->nrcpt, 1000);
	ck_assert(strstr(d->out, "452 4.5.3 Too many recipients\r\n"));
	ck_assert_int_eq(d->closed, 0);
	drv_feed(d, "DATA\r\nx\r\n.\r\n");
	ck_assert_int_eq(d->nmsgs, 1);
	drv_free(d);
	/* and 10,000 accepted when the limit says so */
	struct smtp_server_options o = {.max_rcpts = 10000};
	d = drv_new(&o);
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\n");
	for (int i = 0; i < 10000; i++) {
		drv_feed(d, "RCPT TO:<u@b.c>\r\n");
		d->out_len = 0;
	}
	ck_assert_int_eq(d->nrcpt, 10000);
	drv_free(d);
}
END_TEST

START_TEST(error_limit)
{
	struct smtp_server_options o = {.max_errors = 3};
	struct drv *d = drv_new(&o);
	drv_feed(d, "FOO\r\nBAR\r\nBAZ\r\nQUUX\r\nNOOP\r\n");
	ck_assert_str_eq(drv_codes(d), "220 500 500 500 421");
	ck_assert_int_eq(d->closed, 1);
	ck_assert(smtp_server_closed(d->s));
	drv_free(d);
}
END_TEST

START_TEST(size_limits)
{
	struct smtp_server_options o = {.max_size = 100, .max_text_line = 20};
	struct drv *d = drv_new(&o);
	drv_feed(d, "EHLO x\r\n");
	ck_assert(strstr(d->out, "250-SIZE 100\r\n"));
	drv_feed(d, "MAIL FROM:<a@b.c> SIZE=101\r\nMAIL FROM:<a@b.c> SIZE=100\r\nRCPT TO:<a@b.c>\r\nDATA\r\n");
	for (int i = 0; i < 20; i++)
		drv_feed(d, "0123456789\r\n");
	drv_feed(d, ".\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 552 250 250 354 552");
	ck_assert_int_eq(d->naborts, 1);
	ck_assert_int_eq(d->last_abort, SMTP_ABORT_TOO_BIG);
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n0123456789012345678901\r\n.\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 552 250 250 354 552 250 250 354 500");
	ck_assert_int_eq(d->last_abort, SMTP_ABORT_LINE_TOO_LONG);
	ck_assert_int_eq(d->nmsgs, 0);
	drv_free(d);
}
END_TEST

START_TEST(bare_endings_in_data)
{
	static const char *bodies[] = {"a\nb\r\n", "a\rb\r\n", "a\r\r\n", "a\0b\r\n", "x\r\n.\nb\r\n"};
	static const size_t lens[] = {5, 5, 4, 5, 8};
	static const enum smtp_abort why[] = {SMTP_ABORT_BARE_LF, SMTP_ABORT_BARE_CR,
		SMTP_ABORT_BARE_CR, SMTP_ABORT_NUL, SMTP_ABORT_BARE_LF};
	static const char *norm[] = {"a\r\nb\r\n", "a\r\nb\r\n", "a\r\n\r\n", NULL, "x\r\n.\r\nb\r\n"};
	for (size_t i = 0; i < 5; i++) {
		struct drv *d = drv_new(NULL);
		drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n");
		drv_feed_step(d, bodies[i], lens[i], 0);
		drv_feed(d, ".\r\n");
		if (strcmp(drv_codes(d), "220 250 250 250 354 550"))
			ck_abort_msg("body %zu: %s", i, drv_codes(d));
		ck_assert_int_eq(d->last_abort, why[i]);
		drv_free(d);
		struct smtp_server_options o = {.flags = SMTP_SRV_NORMALISE};
		d = drv_new(&o);
		drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\n");
		drv_feed_step(d, bodies[i], lens[i], 1);
		drv_feed(d, ".\r\n");
		if (norm[i]) {
			ck_assert_int_eq(d->nmsgs, 1);
			ck_assert_uint_eq(d->msg_lens[0], strlen(norm[i]));
			ck_assert(memcmp(d->msgs[0], norm[i], strlen(norm[i])) == 0);
		} else {
			ck_assert_int_eq(d->nmsgs, 0);
		}
		drv_free(d);
	}
}
END_TEST

START_TEST(bdat)
{
	struct smtp_server_options o = {.flags = SMTP_SRV_CHUNKING};
	struct drv *d = drv_new(&o);
	drv_feed(d, "EHLO x\r\n");
	ck_assert(strstr(d->out, "250 CHUNKING\r\n"));
	/* without a transaction: 503, and the octets are swallowed */
	drv_feed(d, "BDAT 6\r\nNOOP\r\nNOOP\r\n");
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nBDAT 5\r\nab\r\nc");
	drv_feed(d, "BDAT 8 LAST\r\n\r\n.\r\nx\r\n");
	ck_assert_str_eq(drv_codes(d), "220 250 503 250 250 250 250 250");
	ck_assert_int_eq(d->nmsgs, 1);
	ck_assert_uint_eq(d->msg_lens[0], 13);
	ck_assert(memcmp(d->msgs[0], "ab\r\nc\r\n.\r\nx\r\n", 13) == 0);
	/* CR at a chunk's end, LF at the next one's start: one CRLF */
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nBDAT 2\r\na\rBDAT 1 LAST\r\n\n");
	ck_assert_int_eq(d->nmsgs, 2);
	ck_assert_uint_eq(d->msg_lens[1], 3);
	/* bare LF in BDAT: refused */
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nBDAT 3 LAST\r\na\nb");
	ck_assert_int_eq(d->nmsgs, 2);
	ck_assert_int_eq(d->last_abort, SMTP_ABORT_BARE_LF);
	/* DATA after BDAT, BDAT 0 LAST */
	drv_feed(d, "MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nBDAT 1\r\nxDATA\r\nBDAT 0 LAST\r\n");
	ck_assert_int_eq(d->nmsgs, 3);
	ck_assert_str_eq(drv_codes(d), "220 250 503 250 250 250 250 250 250 250 250 250 250 250 550 250 250 250 503 250");
	/* no size: the session cannot go on */
	drv_feed(d, "BDAT x\r\n");
	ck_assert_int_eq(d->closed, 1);
	drv_free(d);
}
END_TEST

START_TEST(timeouts_and_eof)
{
	struct smtp_server_options o = {.cmd_timeout_ms = 1500, .data_timeout_ms = 700};
	struct drv *d = drv_new(&o);
	ck_assert_uint_eq(smtp_server_timeout_ms(d->s), 1500);
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nabc");
	ck_assert_uint_eq(smtp_server_timeout_ms(d->s), 700);
	smtp_server_timeout(d->s);
	drv_run(d);
	ck_assert_str_eq(drv_codes(d), "220 250 250 250 354 421");
	ck_assert_int_eq(d->last_abort, SMTP_ABORT_TIMEOUT);
	ck_assert_int_eq(d->closed, 1);
	drv_free(d);
	d = drv_new(NULL);
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nabc\r\n");
	drv_eof(d);
	ck_assert_int_eq(d->last_abort, SMTP_ABORT_EOF);
	ck_assert_int_eq(d->closed, 1);
	ck_assert_int_eq(d->nmsgs, 0);
	drv_free(d);
	/* EOF right after a complete pipelined session: all of it is served */
	d = drv_new(NULL);
	drv_feed(d, SESSION);
	drv_eof(d);
	ck_assert_int_eq(d->nmsgs, 1);
	drv_free(d);
}
END_TEST

/* Replies never carry raw client bytes. */
START_TEST(no_echo)
{
	struct drv *d = drv_new(NULL);
	drv_feed(d, "EHLO h\xc3\xa9llo\x1b[31m\r\n");
	ck_assert(strstr(d->out, "Hello h??llo?[31m\r\n"));
	d->defer = 1;
	drv_feed(d, "MAIL FROM:<a@b.c>\r\n");
	smtp_server_reply(d->s, 550, NULL, "bad\r\n250 forged\x01");
	drv_run(d);
	ck_assert(strstr(d->out, "550 5.1.0 bad??250 forged?\r\n"));
	ck_assert_int_eq(smtp_server_reply(d->s, 250, NULL, NULL), SMTP_ESTATE);
	drv_free(d);
	/* our own host name is made safe too */
	struct smtp_server_options o = {.hostname = "mx\r\n250 x"};
	d = drv_new(&o);
	ck_assert_str_eq(d->out, "220 mx??250?x ESMTP ember\r\n");
	drv_free(d);
}
END_TEST

START_TEST(input_limit)
{
	struct smtp_server_options o = {.max_input = 4096};
	struct drv *d = drv_new(&o);
	d->defer = 1;
	drv_feed(d, "EHLO x\r\nMAIL FROM:<a@b.c>\r\n");
	char buf[1000];
	memset(buf, 'N', sizeof buf);
	int refused = 0;
	for (int i = 0; i < 10 && !refused; i++)
		refused = smtp_server_feed(d->s, buf, sizeof buf) == SMTP_ELIMIT;
	ck_assert(refused);
	ck_assert_int_eq(smtp_server_want_input(d->s), 0);
	drv_free(d);
}
END_TEST

START_TEST(shutdown_and_messages)
{
	struct smtp_server_options o = {.max_messages = 2};
	struct drv *d = drv_new(&o);
	drv_feed(d, "EHLO x\r\n");
	for (int i = 0; i < 3; i++)
		drv_feed(d, "MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nx\r\n.\r\n");
	ck_assert_int_eq(d->nmsgs, 2);
	ck_assert_int_eq(d->closed, 1);
	ck_assert_uint_eq(smtp_server_messages(d->s), 2);
	drv_free(d);
	d = drv_new(NULL);
	smtp_server_shutdown(d->s, NULL);
	drv_run(d);
	ck_assert_str_eq(drv_codes(d), "220 421");
	ck_assert_int_eq(d->closed, 1);
	drv_free(d);
}
END_TEST

START_TEST(b64)
{
	char out[64];
	size_t n = sizeof out;
	ck_assert_int_eq(smtp_b64_decode("AHUAcA==", 8, out, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert(memcmp(out, "\0u\0p", 4) == 0);
	n = sizeof out;
	ck_assert_int_eq(smtp_b64_decode("AHUAcA=", 7, out, &n), -1);
	n = sizeof out;
	ck_assert_int_eq(smtp_b64_decode("A=UA", 4, out, &n), -1);
	n = 2;
	ck_assert_int_eq(smtp_b64_decode("AHUAcA==", 8, out, &n), -1);
	smtp_b64_encode("user", 4, out);
	ck_assert_str_eq(out, "dXNlcg==");
	smtp_b64_encode("", 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

Suite *suite_server(void)
{
	Suite *s = suite_create("smtp-server");
	TCase *t = tcase_create("server");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, basic_session);
	tcase_add_test(t, chunking_invariance);
	tcase_add_test(t, pipelining_deferred);
	tcase_add_test(t, sequence_errors);
	tcase_add_test(t, other_commands);
	tcase_add_test(t, paths);
	tcase_add_test(t, starttls_injection);
	tcase_add_test(t, starttls_in_transaction);
	tcase_add_test(t, auth_needs_tls);
	tcase_add_test(t, auth_flows);
	tcase_add_test(t, huge_line);
	tcase_add_test(t, many_rcpts);
	tcase_add_test(t, error_limit);
	tcase_add_test(t, size_limits);
	tcase_add_test(t, bare_endings_in_data);
	tcase_add_test(t, bdat);
	tcase_add_test(t, timeouts_and_eof);
	tcase_add_test(t, no_echo);
	tcase_add_test(t, input_limit);
	tcase_add_test(t, shutdown_and_messages);
	tcase_add_test(t, b64);
	suite_add_tcase(s, t);
	return s;
}
