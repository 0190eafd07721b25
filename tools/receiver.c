/* ember receiver: an SMTP server that checks what arrives (SPF, DKIM, ARC,
 * DMARC), prepends Authentication-Results and Received-SPF, and delivers
 * to a Maildir or forwards to the next hop. One process, one event loop,
 * one pass over each message: SPF starts at MAIL FROM; DKIM, ARC and
 * lib/mime's header reader (the author, read once) are fed as the data
 * arrives, their key questions asked at once; DMARC runs at the end of
 * the data from what they found. DNS is lib/io's, attached to the loop:
 * no session ever waits for another's answers. */
#define _GNU_SOURCE  /* pipe2 */
#include "authcheck.h"
#include "cli.h"
#include "pid1.h"
#include "io.h"
#include "mdcommit.h"
#include "mime.h"
#include "smtp.h"
#include "smtpd.h"
#include "smtpdrive.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "receiver",
	.summary = "receive mail over SMTP, check SPF, DKIM, ARC and DMARC, deliver or forward",
	.usage =
	"Usage: ember receiver --listen ADDR:PORT [--domain D]...\n"
	"                      (--maildir DIR | --forward HOST:PORT)\n"
	"                      [--enforce [--spf-reject]] [--authserv-id ID] [--rfc7489]\n"
	"                      [--dns HOST[:PORT]] [--tls-cert C --tls-key K] [...]\n"
	"An SMTP server (the one of ember srv) that checks each message as it\n"
	"arrives: SPF (the client's address against the MAIL FROM domain, or the\n"
	"HELO name for a null sender; the HELO name is checked too and recorded),\n"
	"DKIM, ARC and DMARC (RFC 9989), in one pass and without blocking on DNS.\n"
	"Each message gets, on top: Return-Path (with --maildir), one\n"
	"Authentication-Results field (spf, the HELO name's spf, dkim per\n"
	"signature, arc, dmarc), Received-SPF, X-Ember-Quarantine (see --enforce),\n"
	"Received; every other byte as received. Authentication-Results fields that\n"
	"came with the message, ours by name included, are left below ours and\n"
	"never read.\n"
	"Prints the address it listens on, then runs until SIGTERM or SIGINT.\n"
	"      --listen ADDR:PORT  where to listen (\"127.0.0.1:2525\", \"[::]:25\")\n"
	"      --domain D          accept recipients in domain D only (repeatable)\n"
	"      --maildir DIR       deliver into DIR (group commit; 250 once fsynced)\n"
	"      --forward HOST:PORT send each message to the next hop (numeric address);\n"
	"                          its 250 is ours, its 4xx our 451, its 5xx our 554\n"
	"      --enforce           act on the results: DMARC disposition reject: 550\n"
	"                          5.7.1 at the end of the data, nothing kept;\n"
	"                          quarantine: delivered with X-Ember-Quarantine; a\n"
	"                          DMARC or SPF temperror: 451 4.7.0 / 4.7.24 (retry)\n"
	"      --spf-reject        with --enforce: SPF fail is 550 5.7.23 at MAIL FROM\n"
	"      --authserv-id ID    the Authentication-Results authserv-id (default: the\n"
	"                          --hostname)\n"
	"      --rfc7489           DMARC as RFC 7489 (public suffix list, pct=)\n"
	"      --dns HOST[:PORT]   the DNS server (default $EMBER_DNS, else the system's)\n"
	SMTPD_USAGE
	"  -h, --help, --version\n"
	"Exit status: 0 after SIGTERM or SIGINT; 64 usage; 66 a file that cannot be\n"
	"read; 69 cannot listen; 73 cannot create the Maildir; 70 internal error.\n",
};

enum { OPT_MAILDIR = 256, OPT_FORWARD, OPT_ENFORCE, OPT_SPF_REJECT, OPT_AUTHSERV, OPT_DNS,
       OPT_7489 };

#define FORWARD_TIMEOUT_MS 60000u

struct txn;

struct rcv {
	struct smtpd *d;
	struct io_loop *loop;
	struct io_dns *dns;
	struct dkim_key_cache *keys;    /* DKIM's and ARC's, shared by every message */
	struct io_maildir *md;
	struct mdc commit;              /* --maildir: group commit */
	struct sockaddr_storage fwd;    /* --forward */
	socklen_t fwd_len;
	int forwarding;
	const char *authserv;
	int enforce, spf_reject, rfc7489;
	psl_ctx_t *psl;
	uint64_t max_size;
	struct txn *live;               /* every transaction not freed */
	int fwd_pipe[2];                /* forwarders hand their transaction back */
	struct io_watch *fwd_watch;
	unsigned fwd_running;
	struct smtp_client_options co;  /* the next hop's session */
};

/* One transaction: from MAIL FROM to the answer of its message (or its
 * end). It outlives its session while DNS questions, a commit or a
 * forward still point at it. */
struct txn {
	struct rcv *v;
	struct smtpd_session *s;        /* NULL once detached */
	struct txn *lnext, *lprev;      /* v->live */
	int busy, again;                /* inside progress() */
	/* SPF, from MAIL FROM on */
	struct spf_request sreq;
	char *sender_a, *helo_a;        /* A-label forms */
	struct spf_eval *spf;
	struct ac_job spf_job;
	struct spf_request hreq;        /* the HELO identity too (RFC 7208 2.3) */
	struct spf_eval *hspf;
	struct ac_job hspf_job;
	int mail_open;                  /* MAIL waits for SPF (--spf-reject) */
	/* the message */
	int in_data, data_done, answered;
	struct dkim_verifier *dkim;
	struct ac_job dkim_job;
	struct dkim_arc_verifier *arc;
	struct ac_job arc_job;
	struct mime_hdr_reader *hr;
	int hdr_done, hdr_bad;
	struct mime_author author;
	char *from_value;
	size_t from_len;
	struct mime_buf msg;            /* as received: the fields go on top */
	int too_big;
	struct ac_dmarc dm;
	struct dmarc_eval *dmarc;
	struct ac_job dmarc_job;
	/* storing */
	int storing;
	struct mdc_item commit;
	struct mime_buf out;            /* --forward: the message with our fields */
	char *env_sender;
	char **env_rcpts;
	size_t env_nrcpts;
	struct smtp_envelope env;
	struct drive drv;
};

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* ---- transactions ------------------------------------------------------ */

static void progress(struct txn *t);

static void wake(void *ctx)
{
	progress(ctx);
}

static unsigned pending(const struct txn *t)
{
	return t->spf_job.pending + t->hspf_job.pending + t->dkim_job.pending + t->arc_job.pending + t->dmarc_job.pending;
}

static void message_free(struct txn *t)
{
	dkim_verifier_free(t->dkim);
	dkim_arc_verifier_free(t->arc);
	dmarc_eval_free(t->dmarc);
	t->dkim = NULL;
	t->arc = NULL;
	t->dmarc = NULL;
	mime_hdr_reader_free(t->hr);
	t->hr = NULL;
	mime_author_free(&t->author);
	free(t->from_value);
	t->from_value = NULL;
	mime_buf_free(&t->msg);
	mime_buf_free(&t->out);
	ac_dmarc_free(&t->dm);
	free(t->env_sender);
	for (size_t i = 0; i < t->env_nrcpts; i++)
		free(t->env_rcpts[i]);
	free(t->env_rcpts);
	free(t->drv.rcpts);
	t->env_sender = NULL;
	t->env_rcpts = NULL;
	t->env_nrcpts = 0;
	t->drv.rcpts = NULL;
}

/* Freed once nothing points at it any more. */
static void release(struct txn *t)
{
	if (t->s || t->busy || t->storing || pending(t))
		return;
	struct rcv *v = t->v;
	if (t->lprev)
		t->lprev->lnext = t->lnext;
	else
		v->live = t->lnext;
	if (t->lnext)
		t->lnext->lprev = t->lprev;
	message_free(t);
	spf_eval_free(t->spf);
	spf_eval_free(t->hspf);
	free(t->sender_a);
	free(t->helo_a);
	free(t);
}

/* The session lets go of it (its answer given, a reset, the end). */
static void detach(struct txn *t)
{
	if (t->s && smtpd_data(t->s) == t)
		smtpd_set_data(t->s, NULL);
	t->s = NULL;
}

static struct txn *txn_new(struct rcv *v, struct smtpd_session *s)
{
	struct txn *t = calloc(1, sizeof *t);
	if (!t)
		oom();
	t->v = v;
	t->s = s;
	t->lnext = v->live;
	if (v->live)
		v->live->lprev = t;
	v->live = t;
	mime_author_init(&t->author);
	ac_job_init(&t->spf_job, &ac_spf_ops, NULL, v->dns, wake, t);
	ac_job_init(&t->hspf_job, &ac_spf_ops, NULL, v->dns, wake, t);
	ac_job_init(&t->dkim_job, &ac_dkim_ops, NULL, v->dns, wake, t);
	ac_job_init(&t->arc_job, &ac_arc_ops, NULL, v->dns, wake, t);
	ac_job_init(&t->dmarc_job, &ac_dmarc_ops, NULL, v->dns, wake, t);
	smtpd_set_data(s, t);
	return t;
}

/* The session's transaction: a new one when there is none (DATA without
 * our MAIL hook having seen it cannot happen; this keeps it safe). */
static struct txn *txn_of(struct rcv *v, struct smtpd_session *s)
{
	struct txn *t = smtpd_data(s);
	return t ? t : txn_new(v, s);
}

/* Answer the open question; the session may run its next commands (and
 * our hooks) inside the call. */
static void answer(struct txn *t, int code, const char *ehc, const char *text)
{
	struct smtpd_session *s = t->s;
	if (!s)
		return;
	t->busy++;
	if (code >= 300 || t->data_done)
		detach(t);  /* the transaction is over for the session */
	smtpd_answer(s, code, ehc, text);
	t->busy--;
}

/* ---- SPF, at MAIL FROM ------------------------------------------------------ */

static void peer_address(const struct sockaddr *sa, struct spf_request *r)
{
	if (sa && sa->sa_family == AF_INET) {
		r->family = 4;
		memcpy(r->ip, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		r->family = 6;
		memcpy(r->ip, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	} else {
		r->family = 4;  /* no address (cannot happen on a socket): 0.0.0.0 */
	}
}

/* The MAIL FROM identity, or the HELO one for a null sender (RFC 7208
 * 2.4); the names as A-labels (an invalid one is checked as written, and
 * SPF finds it is not a domain). */
static void on_mail(void *ctx, struct smtpd_session *s, const char *sender)
{
	struct rcv *v = ctx;
	struct txn *old = smtpd_data(s);
	if (old) {
		detach(old);
		release(old);
	}
	struct txn *t = txn_new(v, s);
	int bad;
	const char *helo = smtpd_helo(s);
	if (*sender && !(t->sender_a = ac_ascii_domain(sender, &bad)) && !bad)
		oom();
	if (*sender && !t->sender_a && !(t->sender_a = strdup(sender)))
		oom();
	if (*helo && !(t->helo_a = ac_ascii_domain(helo, &bad)) && !bad)
		oom();
	if (*helo && !t->helo_a && !(t->helo_a = strdup(helo)))
		oom();
	t->sreq.now = (int64_t)time(NULL);
	t->sreq.receiver = v->authserv;
	peer_address(smtpd_peer(s), &t->sreq);
	t->sreq.sender = t->sender_a;
	t->sreq.helo = t->helo_a;
	t->sreq.identity = t->sender_a ? SPF_MAILFROM : SPF_HELO;
	if (!(t->spf = spf_eval_new(&t->sreq, NULL)))
		oom();
	t->spf_job.m = t->spf;
	t->spf_job.done = 0;
	/* RFC 7208 2.3: the HELO name is checked on its own too (a name, not
	 * an address literal), recorded beside; MAIL FROM's result decides */
	if (t->sender_a && t->helo_a && t->helo_a[0] != '[') {
		t->hreq = t->sreq;
		t->hreq.sender = NULL;
		t->hreq.identity = SPF_HELO;
		if (!(t->hspf = spf_eval_new(&t->hreq, NULL)))
			oom();
		t->hspf_job.m = t->hspf;
		t->hspf_job.done = 0;
	}
	if (v->spf_reject) {
		t->mail_open = 1;   /* answered once SPF is done */
		progress(t);
	} else {
		answer(t, 250, "2.1.0", "Ok");
		progress(t);   /* SPF goes on while the client sends */
	}
}

static void reset_hook(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct txn *t = smtpd_data(s);
	if (t) {
		detach(t);
		release(t);
	}
}

/* ---- the message, in one pass ------------------------------------------------ */

static int begin_hook(void *ctx, struct smtpd_session *s)
{
	struct rcv *v = ctx;
	struct txn *t = txn_of(v, s);
	message_free(t);
	t->in_data = 1;
	struct dkim_verify_options dop = {.now = (int64_t)time(NULL), .keys = v->keys};
	struct dkim_arc_options aop = {.keys = v->keys};
	if (!(t->dkim = dkim_verifier_new(&dop)) || !(t->arc = dkim_arc_verifier_new(&aop)) ||
	    !(t->hr = mime_hdr_reader_new(NULL)))
		oom();
	mime_author_init(&t->author);
	t->dkim_job.m = t->dkim;
	t->arc_job.m = t->arc;
	t->dkim_job.done = t->arc_job.done = 0;
	return 0;
}

/* The header through lib/mime's reader: the author (DESIGN.md 1), once. */
static void read_header(struct txn *t, const char *p, size_t n)
{
	if (t->hdr_done)
		return;
	mime_hdr_reader_feed(t->hr, p, n);
	struct mime_field f;
	enum mime_hdr_ev ev;
	while ((ev = mime_hdr_reader_next(t->hr, &f)) != MIME_HDR_AWAIT) {
		if (ev == MIME_HDR_END || ev == MIME_HDR_ERROR) {
			t->hdr_done = 1;
			t->hdr_bad = ev == MIME_HDR_ERROR;
			mime_author_finish(&t->author);
			return;
		}
		if (ev == MIME_HDR_DEFECT) {
			mime_author_defect(&t->author, &f);
			continue;
		}
		mime_author_field(&t->author, &f);
		if (mime_field_is(&f, "From") && !t->from_value) {
			if (!(t->from_value = strndup(f.value, f.value_len)))
				oom();
			t->from_len = f.value_len;
		}
	}
}

static void data_hook(void *ctx, struct smtpd_session *s, const char *p, size_t n)
{
	struct txn *t = txn_of(ctx, s);
	if (t->too_big)
		return;
	if (t->msg.len + n > t->v->max_size + 4096) {  /* lib/smtp refuses it first */
		t->too_big = 1;
		return;
	}
	if (mime_buf_append(&t->msg, p, n))
		oom();
	if (ac_feed(&t->dkim_job, p, n) < 0 || ac_feed(&t->arc_job, p, n) < 0)
		oom();
	read_header(t, p, n);
}

static void end_hook(void *ctx, struct smtpd_session *s)
{
	struct txn *t = txn_of(ctx, s);
	dkim_verifier_feed(t->dkim, NULL, 0);
	dkim_arc_verifier_feed(t->arc, NULL, 0);
	read_header(t, "", 0);
	if (!t->hdr_done) {
		t->hdr_done = 1;
		mime_author_finish(&t->author);
	}
	t->data_done = 1;
	progress(t);
}

static void abort_hook(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct txn *t = smtpd_data(s);
	if (t && !t->storing) {
		detach(t);
		release(t);
	}
}

static void gone_hook(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct txn *t = smtpd_data(s);
	if (t) {
		detach(t);
		release(t);
	}
}

/* ---- the end: DMARC, the fields, the verdict ------------------------------------ */

static void start_dmarc(struct txn *t)
{
	struct rcv *v = t->v;
	if (ac_dmarc_author(&t->dm, &t->author, t->from_value, t->from_len, t->hdr_bad) ||
	    ac_dmarc_add_verifier(&t->dm, t->dkim))
		oom();
	if (t->spf && ac_dmarc_spf_outcome(&t->dm, spf_outcome(t->spf), t->helo_a))
		oom();
	if (!t->spf && ac_dmarc_spf(&t->dm, DMARC_AUTH_NONE, NULL, 0, t->helo_a))
		oom();
	t->dm.rq.flags = v->rfc7489 ? DMARC_RFC7489 : 0;
	t->dm.rq.psl = v->psl;
	t->dm.rq.random = ac_dmarc_random();
	if (!(t->dmarc = dmarc_eval_new(&t->dm.rq)))
		oom();
	t->dmarc_job.m = t->dmarc;
	t->dmarc_job.done = 0;
}

/* Our fields, top first: Return-Path (a final delivery), one
 * Authentication-Results, Received-SPF, X-Ember-Quarantine, Received. */
static void fields(struct txn *t, const struct dmarc_outcome *o, int quarantine,
		   struct mime_buf *top)
{
	struct rcv *v = t->v;
	struct ac_results r = {0};
	const struct spf_outcome *so = t->spf ? spf_outcome(t->spf) : NULL;
	if ((so && ac_add_spf(&r, so, t->sender_a, t->helo_a)) ||
	    (t->hspf && ac_add_spf(&r, spf_outcome(t->hspf), NULL, t->helo_a)) ||
	    ac_add_dkim(&r, t->dkim) ||
	    ac_add_arc(&r, t->arc) || ac_add_dmarc(&r, o))
		oom();
	if (v->md) {
		const char *sender = smtpd_sender(t->s);
		if (mime_buf_puts(top, "Return-Path: <") || mime_buf_puts(top, sender ? sender : "") ||
		    mime_buf_puts(top, ">\r\n"))
			oom();
	}
	if (ac_results_field(&r, v->authserv, top))
		oom();  /* the authserv-id was checked at the start */
	ac_results_free(&r);
	if (so) {
		char f[4096];
		size_t n = spf_received_field(so, &t->sreq, v->authserv, f, sizeof f);
		if (n && mime_buf_append(top, f, n))
			oom();
	}
	if (quarantine) {
		char f[400];
		snprintf(f, sizeof f, "X-Ember-Quarantine: dmarc policy of %.300s\r\n",
			 o->policy_domain ? o->policy_domain : o->from_domain);
		if (mime_buf_puts(top, f))
			oom();
	}
	if (smtpd_trace(t->s, top, 0))  /* ends with one CRLF */
		oom();
}

static void store(struct txn *t, const struct mime_buf *top);

static void finish(struct txn *t)
{
	struct rcv *v = t->v;
	const struct dmarc_outcome *o = dmarc_outcome(t->dmarc);
	const struct spf_outcome *so = t->spf ? spf_outcome(t->spf) : NULL;
	int fail = o->result == DMARC_FAIL;
	if (t->too_big)
		return answer(t, 552, "5.3.4", "Message too big");
	if (t->msg.len && (t->msg.data[0] == ' ' || t->msg.data[0] == '\t'))
		return answer(t, 554, "5.6.0", "Message refused: its header cannot be edited");
	if (v->enforce && fail && o->disposition == DMARC_P_REJECT) {
		char text[400];
		snprintf(text, sizeof text, "Rejected by the DMARC policy of %.300s",
			 o->policy_domain ? o->policy_domain : o->from_domain);
		return answer(t, 550, "5.7.1", text);
	}
	if (v->enforce && o->result == DMARC_TEMPERROR)
		return answer(t, 451, "4.7.0", "DMARC cannot be checked now: try again later");
	if (v->enforce && so && so->result == SPF_TEMPERROR)
		return answer(t, 451, "4.7.24", "SPF cannot be checked now: try again later");
	struct mime_buf top = {0};
	fields(t, o, v->enforce && fail && o->disposition == DMARC_P_QUARANTINE, &top);
	store(t, &top);
	mime_buf_free(&top);
}

/* Where the transaction stands, run again whenever something arrives. */
static void step(struct txn *t)
{
	struct rcv *v = t->v;
	int spf_done = ac_ask(&t->spf_job), helo_done = ac_ask(&t->hspf_job);
	if (spf_done < 0 || helo_done < 0)
		oom();
	if (t->mail_open && spf_done) {
		t->mail_open = 0;
		const struct spf_outcome *so = spf_outcome(t->spf);
		if (so->result == SPF_FAIL) {
			char text[400];
			snprintf(text, sizeof text, "SPF check failed: %.300s",
				 so->explanation ? so->explanation : so->domain);
			return answer(t, 550, "5.7.23", text);
		}
		if (so->result == SPF_TEMPERROR && v->enforce)
			return answer(t, 451, "4.7.24", "SPF cannot be checked now: try again later");
		return answer(t, 250, "2.1.0", "Ok");
	}
	if (!t->s || !t->data_done || t->answered)
		return;
	int dkim_done = ac_ask(&t->dkim_job), arc_done = ac_ask(&t->arc_job);
	if (dkim_done < 0 || arc_done < 0)
		oom();
	if (!spf_done || !helo_done || !dkim_done || !arc_done)
		return;
	if (!t->dmarc)
		start_dmarc(t);
	int dmarc_done = ac_ask(&t->dmarc_job);
	if (dmarc_done < 0)
		oom();
	if (!dmarc_done)
		return;
	t->answered = 1;
	finish(t);
}

static void progress(struct txn *t)
{
	if (t->busy) {
		t->again = 1;
		return;
	}
	t->busy++;
	do {
		t->again = 0;
		step(t);
	} while (t->again);
	t->busy--;
	release(t);
}

/* ---- --maildir: group commit (mdcommit.h) ---------------------------------------- */

static void on_committed(void *ctx, void *owner, int code, const char *ehc, const char *text)
{
	(void)ctx;
	struct txn *t = owner;
	t->storing = 0;
	answer(t, code, ehc, text);
	release(t);
}

/* ---- --forward: a worker thread per message ------------------------------------------- */

static void *forward_thread(void *arg)
{
	struct txn *t = arg;
	struct rcv *v = t->v;
	int fd = drive_connect((const struct sockaddr *)&v->fwd, v->fwd_len, FORWARD_TIMEOUT_MS);
	if (fd < 0) {
		t->drv.err = SMTP_CE_CLOSED;
		snprintf(t->drv.err_text, sizeof t->drv.err_text, "%s", strerror(errno));
	} else {
		drive_session(&t->drv, fd);
	}
	/* back to the loop: the pointer, in one write (under PIPE_BUF) */
	ssize_t w;
	do
		w = write(v->fwd_pipe[1], &t, sizeof t);
	while (w < 0 && errno == EINTR);
	return NULL;
}

static void forward_done(struct txn *t)
{
	struct drive *d = &t->drv;
	struct rcv *v = t->v;
	v->fwd_running--;
	t->storing = 0;
	char text[700];
	if (d->sent) {
		snprintf(text, sizeof text, "Ok: forwarded: %.600s", d->final_text);
		answer(t, 250, "2.0.0", text);
	} else if (d->err_code >= 500) {
		snprintf(text, sizeof text, "The next hop refused the message: %.600s", d->err_text);
		answer(t, 554, "5.0.0", text);
	} else {
		snprintf(text, sizeof text, "The next hop cannot take the message now: %.600s",
			 *d->err_text ? d->err_text : "no answer");
		answer(t, 451, "4.4.0", text);
	}
	release(t);
}

static void on_forwarded(void *ctx, int fd, unsigned events)
{
	(void)events;
	(void)ctx;
	struct txn *t;
	ssize_t n;
	while ((n = read(fd, &t, sizeof t)) == (ssize_t)sizeof t)
		forward_done(t);
}

static void start_forward(struct txn *t, const struct mime_buf *top)
{
	struct rcv *v = t->v;
	size_t nr;
	char *const *rcpts = smtpd_rcpts(t->s, &nr);
	const char *sender = smtpd_sender(t->s);
	if (mime_buf_append(&t->out, top->data, top->len) ||
	    mime_buf_append(&t->out, t->msg.data ? t->msg.data : "", t->msg.len) ||
	    !(t->env_sender = strdup(sender ? sender : "")) ||
	    !(t->env_rcpts = calloc(nr ? nr : 1, sizeof *t->env_rcpts)) ||
	    !(t->drv.rcpts = calloc(nr ? nr : 1, sizeof *t->drv.rcpts)))
		oom();
	for (size_t i = 0; i < nr; i++, t->env_nrcpts++)
		if (!(t->env_rcpts[i] = strdup(rcpts[i])))
			oom();
	mime_buf_free(&t->msg);
	t->env = (struct smtp_envelope){t->env_sender, (const char *const *)t->env_rcpts,
					t->env_nrcpts};
	t->drv.co = &v->co;
	t->drv.timeout_ms = FORWARD_TIMEOUT_MS;
	t->drv.env = &t->env;
	t->drv.msg = t->out.data;
	t->drv.len = t->out.len;
	t->storing = 1;
	pthread_t th;
	pthread_attr_t at;
	if (pthread_attr_init(&at) || pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) ||
	    pthread_create(&th, &at, forward_thread, t)) {
		t->storing = 0;
		answer(t, 451, "4.3.0", "Cannot forward the message now");
		return;
	}
	pthread_attr_destroy(&at);
	v->fwd_running++;
}

static void store(struct txn *t, const struct mime_buf *top)
{
	struct rcv *v = t->v;
	if (!v->md)
		return start_forward(t, top);
	char err[256];
	struct io_maildir_msg *mm = io_maildir_begin(v->md, err, sizeof err);
	if (!mm) {
		cli_warn(io_maildir_path(v->md), "%s", err);
		return answer(t, 451, "4.3.0", "Cannot store the message now");
	}
	if (io_maildir_write(mm, top->data, top->len) ||
	    io_maildir_write(mm, t->msg.data ? t->msg.data : "", t->msg.len)) {
		io_maildir_abort(mm);
		return answer(t, 451, "4.3.0", "Cannot store the message now");
	}
	mime_buf_free(&t->msg);
	t->storing = 1;
	mdc_stage(&v->commit, &t->commit, mm, t);
}

/* ---- stopping -------------------------------------------------------------------------- */

/* Answer what waits for DNS (451: the loop has stopped); 1 if anything was. */
static int answer_waiting(struct rcv *v)
{
	int any = 0;
	for (struct txn *t = v->live, *next; t; t = next) {
		next = t->lnext;  /* older: nothing an answer runs frees it */
		t->busy++;
		if (t->s && t->mail_open) {
			t->mail_open = 0;
			answer(t, 451, "4.3.2", "Shutting down: try again later");
			any = 1;
		} else if (t->s && t->data_done && !t->answered) {
			t->answered = 1;
			answer(t, 451, "4.3.2", "Shutting down: try again later");
			any = 1;
		}
		t->busy--;
	}
	return any;
}

/* One forward that ended, waited for; 0 when none runs. */
static int wait_forward(struct rcv *v)
{
	while (v->fwd_running) {
		struct txn *t;
		ssize_t n = read(v->fwd_pipe[0], &t, sizeof t);
		if (n == (ssize_t)sizeof t) {
			forward_done(t);
			return 1;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return 0;
		struct pollfd p = {.fd = v->fwd_pipe[0], .events = POLLIN};
		poll(&p, 1, 1000);
	}
	return 0;
}

/* Stopping: what waits for DNS gets 451, what is staged is committed and
 * answered, the forwards running are waited for; until nothing is left
 * (an answer lets a pipelined message of that session go on). */
static void stopping_hook(void *ctx)
{
	struct rcv *v = ctx;
	for (;;) {
		int any = answer_waiting(v);
		if (v->md && (io_maildir_staged(v->md) || io_maildir_in_flight(v->md))) {
			mdc_flush(&v->commit);
			any = 1;
		}
		any |= wait_forward(v);
		if (!any)
			return;
	}
}

/* ---- setup ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	pid1_boot("receiver", &argc, &argv);
	static const struct option longopts[] = {
		SMTPD_LONGOPTS,
		{"maildir", required_argument, NULL, OPT_MAILDIR},
		{"forward", required_argument, NULL, OPT_FORWARD},
		{"enforce", no_argument, NULL, OPT_ENFORCE},
		{"spf-reject", no_argument, NULL, OPT_SPF_REJECT},
		{"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{"dns", required_argument, NULL, OPT_DNS},
		{"rfc7489", no_argument, NULL, OPT_7489},
		{NULL, 0, NULL, 0},
	};
	static const struct smtpd_hooks hooks = {
		.mail = on_mail,
		.begin = begin_hook,
		.data = data_hook,
		.end = end_hook,
		.abort = abort_hook,
		.reset = reset_hook,
		.gone = gone_hook,
		.stopping = stopping_hook,
	};
	struct rcv v;
	memset(&v, 0, sizeof v);
	struct smtpd_config cfg;
	smtpd_config_init(&cfg);
	struct io_dns_options dns = {0};
	const char *maildir = NULL, *forward = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		if (smtpd_option(&cfg, c, optarg))
			continue;
		switch (c) {
		case OPT_MAILDIR: maildir = optarg; break;
		case OPT_FORWARD: forward = optarg; break;
		case OPT_ENFORCE: v.enforce = 1; break;
		case OPT_SPF_REJECT: v.spf_reject = 1; break;
		case OPT_AUTHSERV: v.authserv = optarg; break;
		case OPT_DNS: dns.server = optarg; break;
		case OPT_7489: v.rfc7489 = 1; break;
		}
	}
	if (optind != argc)
		cli_usage_error("no arguments besides the options");
	if (!cfg.listen)
		cli_usage_error("--listen ADDR:PORT is needed");
	if (!!maildir + !!forward != 1)
		cli_usage_error("one of --maildir and --forward");
	if (v.spf_reject && !v.enforce)
		cli_usage_error("--spf-reject goes with --enforce");
	char err[512];
	if (forward && io_addr_parse(forward, 25, &v.fwd, &v.fwd_len, err, sizeof err))
		cli_usage_error("--forward: %s", err);
	v.max_size = cfg.so.max_size ? cfg.so.max_size : 10u << 20;
	if (v.rfc7489 && !(v.psl = ac_psl_load()))
		cli_die(EX_UNAVAILABLE, NULL, "--rfc7489: no public suffix list");
	if (maildir && !(v.md = io_maildir_open(maildir, 1, err, sizeof err)))
		cli_die(EX_CANTCREAT, maildir, "%s", err);
	if (!(v.dns = io_dns_new(&dns, err, sizeof err)))
		cli_die(EX_USAGE, NULL, "%s", err);
	if (!(v.keys = dkim_key_cache_new(256)))
		oom();
	if (!(v.loop = io_loop_new(err, sizeof err)))
		cli_die(EX_OSERR, NULL, "%s", err);
	if (io_dns_attach(v.dns, v.loop))
		oom();
	if (pipe2(v.fwd_pipe, O_CLOEXEC | O_NONBLOCK))
		cli_die(EX_OSERR, NULL, "pipe: %s", strerror(errno));
	/* the workers' end blocks (a write of one pointer always fits) */
	fcntl(v.fwd_pipe[1], F_SETFL, fcntl(v.fwd_pipe[1], F_GETFL) & ~O_NONBLOCK);
	v.d = smtpd_new(&cfg, v.loop, &hooks, &v);
	v.authserv = v.authserv ? v.authserv : smtpd_hostname(v.d);
	v.co.helo = smtpd_hostname(v.d);
	{
		struct mime_buf probe = {0};
		enum mime_status st = mime_authres_field(&probe, v.authserv, NULL, 0);
		mime_buf_free(&probe);
		if (st)
			cli_usage_error("--authserv-id: cannot be written: '%s'", v.authserv);
	}
	v.fwd_watch = io_watch_add(v.loop, v.fwd_pipe[0], IO_READ, on_forwarded, &v);
	if (!v.fwd_watch || (v.md && mdc_init(&v.commit, v.md, v.loop, on_committed, &v)))
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	if (smtpd_run(v.d))
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	smtpd_free(v.d);
	if (v.md)
		mdc_fini(&v.commit);
	io_watch_del(v.fwd_watch);
	io_dns_free(v.dns);       /* the questions in flight are answered: failures */
	io_maildir_close(v.md);   /* its watch first, then the loop */
	io_loop_free(v.loop);
	while (v.live) {          /* what waited for input, its session gone */
		struct txn *t = v.live;
		t->s = NULL;
		t->storing = 0;
		t->spf_job.pending = t->hspf_job.pending = t->dkim_job.pending = t->arc_job.pending = t->dmarc_job.pending = 0;
		release(t);
	}
	dkim_key_cache_free(v.keys);
	psl_free(v.psl);
	close(v.fwd_pipe[0]);
	close(v.fwd_pipe[1]);
	free(cfg.domains);
	return 0;
}
