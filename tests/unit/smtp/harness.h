/* tests/unit/smtp: a driver for the server machine. Feeds bytes (whole or
 * one at a time), answers questions by a policy, collects the replies and
 * the messages. Header-only, static: each suite file includes it. */
#ifndef SMTP_TEST_HARNESS_H
#define SMTP_TEST_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

struct drv {
	struct smtp_server *s;
	char out[1 << 20];      /* replies received, concatenated */
	size_t out_len;
	char msg[1 << 20];      /* the current message */
	size_t msg_len;
	char msgs[8][65536];    /* accepted messages */
	size_t msg_lens[8];
	int nmsgs;              /* DATA_END answered 250 */
	int naborts;
	enum smtp_abort last_abort;
	int nmail, nrcpt, nauth, nstarttls, nhelo, nrset;
	int closed;
	size_t discarded;
	int defer;              /* 1: questions are left unanswered */
	int rcpt_code;          /* answer to RCPT (250) */
	int data_code;          /* answer to DATA_END (250) */
	int auth_ok;            /* answer to AUTH */
	const char *want_user, *want_pass;
	char last_rcpt[600];
	char last_mail[600];
};

static inline void drv_flush(struct drv *d)
{
	size_t n;
	const char *p = smtp_server_output(d->s, &n);
	if (n) {
		ck_assert_uint_lt(d->out_len + n, sizeof d->out);
		memcpy(d->out + d->out_len, p, n);
		d->out_len += n;
		d->out[d->out_len] = 0;
		smtp_server_drain(d->s, n);
	}
}

static inline int drv_answer(struct drv *d, enum smtp_ev e, const struct smtp_event *ev)
{
	switch (e) {
	case SMTP_EV_MAIL:
		d->nmail++;
		snprintf(d->last_mail, sizeof d->last_mail, "%.*s", (int)ev->len, ev->data);
		return d->defer ? 1 : (smtp_server_reply(d->s, 250, NULL, NULL), 0);
	case SMTP_EV_RCPT:
		d->nrcpt++;
		snprintf(d->last_rcpt, sizeof d->last_rcpt, "%.*s", (int)ev->len, ev->data);
		return d->defer ? 1 : (smtp_server_reply(d->s, d->rcpt_code ? d->rcpt_code : 250, NULL, NULL), 0);
	case SMTP_EV_DATA_BEGIN:
		d->msg_len = 0;
		return 0;
	case SMTP_EV_DATA:
		ck_assert_uint_le(d->msg_len + ev->len, sizeof d->msg);
		memcpy(d->msg + d->msg_len, ev->data, ev->len);
		d->msg_len += ev->len;
		return 0;
	case SMTP_EV_DATA_END: {
		if (d->defer)
			return 1;
		int code = d->data_code ? d->data_code : 250;
		if (code == 250 && d->nmsgs < 8 && d->msg_len <= sizeof d->msgs[0]) {
			memcpy(d->msgs[d->nmsgs], d->msg, d->msg_len);
			d->msg_lens[d->nmsgs] = d->msg_len;
		}
		if (code == 250)
			d->nmsgs++;
		smtp_server_reply(d->s, code, NULL, NULL);
		return 0;
	}
	case SMTP_EV_DATA_ABORT:
		d->naborts++;
		d->last_abort = ev->reason;
		return 0;
	case SMTP_EV_AUTH: {
		d->nauth++;
		int ok = d->auth_ok;
		if (d->want_user)
			ok = !strcmp(ev->user, d->want_user) && !strcmp(ev->password, d->want_pass);
		smtp_server_auth(d->s, ok);
		return 0;
	}
	case SMTP_EV_STARTTLS:
		d->nstarttls++;
		d->discarded += ev->discarded;
		return 0;
	case SMTP_EV_HELO:
		d->nhelo++;
		return 0;
	case SMTP_EV_RSET:
		d->nrset++;
		return 0;
	case SMTP_EV_CLOSE:
		d->closed = 1;
		return 0;
	default:
		return 0;
	}
}

/* Run events until AWAIT (or a deferred question). */
static inline void drv_run(struct drv *d)
{
	struct smtp_event ev;
	for (;;) {
		enum smtp_ev e = smtp_server_next(d->s, &ev);
		if (e == SMTP_EV_AWAIT)
			break;
		if (drv_answer(d, e, &ev))
			break;
	}
	drv_flush(d);
}

static inline struct drv *drv_new(const struct smtp_server_options *o)
{
	struct drv *d = calloc(1, sizeof *d);
	ck_assert_ptr_nonnull(d);
	d->auth_ok = 1;
	d->s = smtp_server_new(o);
	ck_assert_ptr_nonnull(d->s);
	drv_run(d);
	return d;
}

static inline void drv_free(struct drv *d)
{
	smtp_server_free(d->s);
	free(d);
}

/* Feed n bytes in pieces of step (0: all at once), running events after
 * each piece. */
static inline void drv_feed_step(struct drv *d, const char *p, size_t n, size_t step)
{
	if (step == 0)
		step = n ? n : 1;
	for (size_t i = 0; i < n; i += step) {
		size_t k = n - i < step ? n - i : step;
		enum smtp_status st = smtp_server_feed(d->s, p + i, k);
		ck_assert_int_eq(st, SMTP_OK);
		drv_run(d);
	}
}

static inline void drv_feed(struct drv *d, const char *s)
{
	drv_feed_step(d, s, strlen(s), 0);
}

static inline void drv_eof(struct drv *d)
{
	smtp_server_feed(d->s, "", 0);
	drv_run(d);
}

/* The reply codes in out, from the offset *pos: the code of the next
 * complete reply (multi-line counted once), or 0. */
static inline int drv_next_reply(struct drv *d, size_t *pos, int *nlines)
{
	int code = 0;
	*nlines = 0;
	while (*pos < d->out_len) {
		char *lf = memchr(d->out + *pos, '\n', d->out_len - *pos);
		if (!lf)
			return 0;
		const char *l = d->out + *pos;
		*pos = (size_t)(lf + 1 - d->out);
		code = atoi(l);
		(*nlines)++;
		if (l[3] != '-')
			return code;
	}
	return 0;
}

/* All reply codes, space-separated: "220 250 250 354 250". */
static inline const char *drv_codes(struct drv *d)
{
	static char buf[65536];
	size_t pos = 0, k = 0;
	int nl, c;
	buf[0] = 0;
	while ((c = drv_next_reply(d, &pos, &nl)) && k + 8 < sizeof buf)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d", k ? " " : "", c);
	return buf;
}

#endif
