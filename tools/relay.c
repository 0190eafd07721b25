/* ember relay: accept mail for our domains, rewrite each recipient through
 * a map (exact addresses and PCRE2 patterns, Postfix's pcre_table(5)
 * manner), queue it durably, and forward it to each destination's MX (or a
 * smarthost), several recipients of one destination in one transaction,
 * STARTTLS when offered. A 250 only once the message and its envelope are
 * on disk (group commit at the end of each loop turn); retries with backoff
 * on 4xx and connection failures; a DSN (RFC 3464) to the sender on 5xx or
 * expiry, never for a null sender. The message bytes go out as they came,
 * below our Received and, with --dkim-key, a DKIM-Signature for mail whose
 * author is in our domains.
 *
 * Threads: the loop thread serves SMTP (tools/common/smtpd.c) and commits
 * new messages; --workers delivery threads take due messages from the
 * in-memory queue (a mutex and a condition variable), each with its own
 * io_dns, and run blocking client sessions (tools/common/mx.c). */
#include "addrmap.h"
#include "cli.h"
#include "pid1.h"
#include "dkim.h"
#include "io.h"
#include "mime.h"
#include "mx.h"
#include "queue.h"
#include "smtp.h"
#include "smtpd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "relay",
	.summary = "accept mail for some domains, map its recipients, queue and forward it",
	.usage =
	"Usage: ember relay --listen ADDR:PORT --domain D... [--map FILE] [--queue DIR]\n"
	"                   [--smarthost HOST:PORT] [--mx-port N] [--require-tls D]...\n"
	"                   [--tls-ca F | --insecure] [--dkim-key K --dkim-selector S\n"
	"                   [--dkim-domain D]] [--retry S] [--expire S] [--workers N]\n"
	"                   [--dns HOST[:PORT]] [--tls-cert C --tls-key K] ...\n"
	"An SMTP relay. Recipients in a --domain are rewritten through the map and\n"
	"refused (550 5.1.1) when no rule matches; others are refused (550 5.7.1)\n"
	"unless the client authenticated (then forwarded as they are). Each message\n"
	"is queued (a 250 once it is on disk), then forwarded to its recipients'\n"
	"exchangers, unchanged below a Received field (and a DKIM-Signature);\n"
	"retried with backoff on 4xx and failures to connect; returned to the\n"
	"sender in a DSN (RFC 3464) on 5xx or expiry. One line per delivery attempt\n"
	"on stderr. Prints the address it listens on, then runs until SIGTERM.\n"
	"      --listen ADDR:PORT  where to listen\n"
	"      --domain D          a domain we accept mail for (repeatable, one needed)\n"
	"      --map FILE          the recipient map: 'ADDRESS TARGET[, TARGET...]' and\n"
	"                          '/PCRE2/[ix] TARGET' lines with $1..$9, '#' comments\n"
	"                          (none: our recipients as they are)\n"
	"      --queue DIR         the queue (default ./ember-queue, made if missing)\n"
	"      --smarthost H:P     send everything to H:P instead of the MX hosts\n"
	"      --mx-port N         the exchangers' SMTP port (default 25)\n"
	"      --require-tls D     STARTTLS or no delivery to domain D (repeatable; else\n"
	"                          retried later)\n"
	"      --tls-ca F          verify the exchangers' certificates against F\n"
	"      --insecure          opportunistic TLS, not verified (the default)\n"
	"      --dkim-key K        sign mail whose From is in our domains with key K\n"
	"      --dkim-selector S   its selector\n"
	"      --dkim-domain D     d= (default: the From domain)\n"
	"      --retry S           the first retry after S seconds, doubling up to an\n"
	"                          hour (default 60)\n"
	"      --expire S          give up after S seconds in the queue (default 432000)\n"
	"      --workers N         deliveries at once (default 4)\n"
	"      --client-timeout S  seconds to wait for each reply of an exchanger\n"
	"                          (default 60)\n"
	"      --dns HOST[:PORT]   the DNS server (default $EMBER_DNS, else the system's)\n"
	SMTPD_USAGE
	"  -h, --help, --version\n"
	"Exit status: 0 after SIGTERM or SIGINT; 64 usage; 65 a DKIM key that cannot\n"
	"be read; 66 a file that cannot be\n"
	"read; 69 cannot listen; 73 cannot create the queue; 78 a map line that\n"
	"cannot be parsed; 70 internal error.\n",
};

enum {
	OPT_MAP = 256, OPT_QUEUE, OPT_SMARTHOST, OPT_MXPORT, OPT_REQTLS, OPT_TLSCA, OPT_INSECURE,
	OPT_DKIMKEY, OPT_DKIMSEL, OPT_DKIMDOM, OPT_RETRY, OPT_EXPIRE, OPT_WORKERS, OPT_CTIMEOUT,
	OPT_DNS,
};

#define MAX_HEADER (1u << 20)  /* beyond this the author is not looked for */
#define MAX_WORKERS 64
#define MAX_HOPS 50            /* Received fields: more is a mail loop (RFC 5321 6.3;
				  Postfix's hopcount_limit) */

/* A message in the queue, as the workers see it. */
struct item {
	struct queue_env env;
	int busy;
	struct item *next;
};

struct relay {
	struct smtpd_config cfg;
	struct smtpd *d;
	struct io_loop *loop;
	struct queue q;
	struct addrmap *map;
	struct dkim_key *key;
	const char *selector, *dkim_domain;
	struct msg *ended;             /* messages whose data ended this turn */
	/* delivery */
	const char *smarthost;         /* host part, or NULL */
	unsigned smarthost_port, mx_port;
	const char **reqtls;
	size_t nreqtls;
	struct io_tls_ctx *tls;
	int verify;
	unsigned long retry, expire, client_timeout;
	struct io_dns_options dopt;
	const char *hostname;
	/* shared with the workers */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *items;
	int stop;
	pthread_t th[MAX_WORKERS];
	unsigned nworkers, started, running;
};

/* One session's transaction. */
struct msg {
	struct relay *v;
	struct smtpd_session *s;
	struct msg *next;
	struct queue_env env;
	int fd;                        /* ID.msg.tmp, or -1 */
	int failed, staged;
	struct mime_buf out;           /* bytes not written to fd yet */
	struct mime_buf hdr;           /* the message while in its header */
	int in_header;
	int continued;   /* the first line is a continuation: it would join our Received */
	int loop;                      /* too many Received fields */
	struct dkim_signer *signer;
	char dkim_domain[256];         /* d= (the signer keeps the pointer) */
};

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* One line on stderr, whole, whatever thread writes it. */
static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n = snprintf(line, sizeof line, "ember relay: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t l = strlen(line);
	line[l++] = '\n';
	pthread_mutex_lock(&log_mu);
	fwrite(line, 1, l, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_mu);
}


static int our_domain(const struct relay *v, const char *domain, size_t n)
{
	for (size_t i = 0; i < v->cfg.ndomains; i++)
		if (mime_ascii_caseeq(v->cfg.domains[i], strlen(v->cfg.domains[i]), domain, n))
			return 1;
	return 0;
}

/* ---- the transaction ---------------------------------------------------- */

static void msg_clear(struct msg *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		char n[96];
		snprintf(n, sizeof n, "%s.msg.tmp", m->env.id);
		unlinkat(m->v->q.dirfd, n, 0);
	}
	m->fd = -1;
	m->failed = 0;
	m->loop = 0;
	m->continued = 0;
	mime_buf_reset(&m->out);
	mime_buf_reset(&m->hdr);
	dkim_signer_free(m->signer);
	m->signer = NULL;
}

static void msg_free(struct msg *m)
{
	msg_clear(m);
	queue_env_free(&m->env);
	mime_buf_free(&m->out);
	mime_buf_free(&m->hdr);
	free(m);
}

static struct msg *msg_of(struct relay *v, struct smtpd_session *s)
{
	struct msg *m = smtpd_data(s);
	if (!m) {
		if (!(m = calloc(1, sizeof *m)))
			oom();
		m->v = v;
		m->s = s;
		m->fd = -1;
		smtpd_set_data(s, m);
	}
	return m;
}

static void on_mail(void *ctx, struct smtpd_session *s, const char *sender)
{
	struct msg *m = msg_of(ctx, s);
	(void)sender;
	msg_clear(m);
	queue_env_free(&m->env);
	smtpd_answer(s, 250, "2.1.0", "Ok");
}

/* Add final to the envelope, once. 0, or -1 when out of memory. */
static int add_final(struct msg *m, const char *orig, const char *final)
{
	for (size_t i = 0; i < m->env.n; i++)
		if (!mime_ascii_casecmp(m->env.r[i].addr, final))
			return 0;
	return queue_env_add(&m->env, orig, final);
}

static void on_rcpt(void *ctx, struct smtpd_session *s, const char *rcpt)
{
	struct relay *v = ctx;
	struct msg *m = msg_of(v, s);
	char pm[300];
	const char *addr = rcpt;
	if (strpbrk(rcpt, "\t\r\n")) {
		smtpd_answer(s, 553, "5.1.3", "Bad recipient address syntax");
		return;
	}
	if (!strchr(rcpt, '@')) {  /* "Postmaster": ours, in our first domain */
		snprintf(pm, sizeof pm, "postmaster@%s", v->cfg.domains[0]);
		addr = pm;
	}
	const char *at = strrchr(addr, '@');
	if (!our_domain(v, at + 1, strlen(at + 1))) {
		if (!smtpd_user(s)) {
			smtpd_answer(s, 550, "5.7.1", "Relaying denied");
			return;
		}
		/* submission by an authenticated client: as it is */
		if (add_final(m, rcpt, addr))
			smtpd_answer(s, 451, "4.3.0", "Out of memory, try later");
		else
			smtpd_answer(s, 250, "2.1.5", "Ok");
		return;
	}
	if (!v->map) {
		if (add_final(m, rcpt, addr))
			smtpd_answer(s, 451, "4.3.0", "Out of memory, try later");
		else
			smtpd_answer(s, 250, "2.1.5", "Ok");
		return;
	}
	char **list;
	int r = addrmap_lookup(v->map, addr, &list);
	if (r == 0) {
		smtpd_answer(s, 550, "5.1.1", "No such user here");
		return;
	}
	for (char **p = list; r > 0 && *p; p++)
		if (!strchr(*p, '@') || strpbrk(*p, "\t\r\n<> ") || add_final(m, rcpt, *p))
			r = -1;
	addrmap_list_free(list);
	if (r < 0)
		smtpd_answer(s, 451, "4.3.0", "The recipient map gives no usable address, try later");
	else
		smtpd_answer(s, 250, "2.1.5", "Ok");
}

static void on_reset(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct msg *m = smtpd_data(s);
	if (m && !m->staged) {
		msg_clear(m);
		queue_env_free(&m->env);
	}
}

/* The trace field above the message, a new file for it. */
static int on_begin(void *ctx, struct smtpd_session *s)
{
	struct relay *v = ctx;
	struct msg *m = msg_of(v, s);
	msg_clear(m);
	mime_buf_reset(&m->env.prefix);
	free(m->env.sender);
	if (!(m->env.sender = strdup(smtpd_sender(s) ? smtpd_sender(s) : "")))
		return -1;
	m->env.arrival = (int64_t)time(NULL);
	for (size_t i = 0; i < m->env.n; i++)
		m->env.r[i].next = m->env.arrival;
	pthread_mutex_lock(&v->mu);  /* the workers make IDs too (DSNs) */
	queue_new_id(&v->q, &m->env);
	pthread_mutex_unlock(&v->mu);
	if (smtpd_trace(s, &m->env.prefix, 0))  /* ends with one CRLF */
		return -1;
	m->fd = queue_msg_create(&v->q, m->env.id);
	if (m->fd < 0) {
		logf_("%s: %s", v->q.dir, strerror(errno));
		m->failed = 1;
	}
	m->in_header = 1;
	return 0;
}

static void flush_out(struct msg *m)
{
	if (!m->failed && m->out.len && cli_write_fd(m->fd, m->out.data, m->out.len)) {
		logf_("%s: %s", m->v->q.dir, strerror(errno));
		m->failed = 1;
	}
	mime_buf_reset(&m->out);
}

/* The header is complete (len bytes of m->hdr): sign when the author is
 * ours (lib/mime's one author reader), feeding what came so far. */
static void header_done(struct msg *m, size_t len)
{
	struct relay *v = m->v;
	m->in_header = 0;
	/* RFC 5321 6.3: a loop shows as Received fields without end */
	struct mime_hdr_reader *hr = mime_hdr_reader_new(NULL);
	if (!hr) {
		m->failed = 1;
		return;
	}
	unsigned hops = 0;
	struct mime_field f;
	enum mime_hdr_ev ev;
	mime_hdr_reader_feed(hr, m->hdr.data, len);
	while ((ev = mime_hdr_reader_next(hr, &f)) == MIME_HDR_FIELD || ev == MIME_HDR_DEFECT)
		hops += ev == MIME_HDR_FIELD && mime_field_is(&f, "received");
	if (ev == MIME_HDR_AWAIT) {
		mime_hdr_reader_feed(hr, "", 0);
		while ((ev = mime_hdr_reader_next(hr, &f)) == MIME_HDR_FIELD || ev == MIME_HDR_DEFECT)
			hops += ev == MIME_HDR_FIELD && mime_field_is(&f, "received");
	}
	mime_hdr_reader_free(hr);
	if (hops > MAX_HOPS)
		m->loop = 1;
	if (!v->key)
		return;
	struct mime_author a;
	mime_author_init(&a);
	enum mime_author_status st = mime_author_read(m->hdr.data, len, NULL, &a);
	if (st == MIME_AUTHOR_OK && our_domain(v, a.domain.data, a.domain.len)) {
		snprintf(m->dkim_domain, sizeof m->dkim_domain, "%.*s", (int)a.domain.len, a.domain.data);
		struct dkim_sign_options o = {
			.domain = v->dkim_domain ? v->dkim_domain : m->dkim_domain, .selector = v->selector,
			.key = v->key, .now = (int64_t)time(NULL),
		};
		m->signer = dkim_signer_new(&o);
		if (!m->signer)
			m->failed = 1;
		else
			dkim_signer_feed(m->signer, m->hdr.data, m->hdr.len);
	}
	mime_author_free(&a);
}

static void on_data(void *ctx, struct smtpd_session *s, const char *p, size_t n)
{
	struct msg *m = msg_of(ctx, s);
	if (m->failed)
		return;
	if (mime_buf_append(&m->out, p, n)) {
		m->failed = 1;
		return;
	}
	if (m->out.len >= 65536)
		flush_out(m);
	if (m->in_header) {
		if (!m->hdr.len && n && (p[0] == ' ' || p[0] == '\t'))
			m->continued = 1;
		size_t from = m->hdr.len > 3 ? m->hdr.len - 3 : 0;
		if (mime_buf_append(&m->hdr, p, n)) {
			m->failed = 1;
			return;
		}
		if (m->hdr.len >= 2 && !memcmp(m->hdr.data, "\r\n", 2)) {
			header_done(m, 0);  /* an empty header */
			return;
		}
		for (size_t i = from; i + 4 <= m->hdr.len; i++)
			if (!memcmp(m->hdr.data + i, "\r\n\r\n", 4)) {
				header_done(m, i + 2);
				return;
			}
		if (m->hdr.len > MAX_HEADER) {
			m->in_header = 0;  /* no author to read: not signed */
			mime_buf_reset(&m->hdr);
		}
		return;
	}
	if (m->signer)
		dkim_signer_feed(m->signer, p, n);
}

static void on_abort(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct msg *m = smtpd_data(s);
	if (m && !m->staged)
		msg_clear(m);
}

static void on_end(void *ctx, struct smtpd_session *s)
{
	struct relay *v = ctx;
	struct msg *m = msg_of(v, s);
	if (m->in_header)
		header_done(m, m->hdr.len);  /* a message that is all header */
	flush_out(m);
	if (!m->failed && m->signer) {
		const char *f;
		size_t len;
		if (dkim_signer_feed(m->signer, NULL, 0) != DKIM_SIGN_OK ||
		    dkim_signer_field(m->signer, &f, &len) != DKIM_SIGN_OK) {
			unsigned long line;
			logf_("queue %s: not signed: %s", m->env.id, dkim_signer_error(m->signer, &line));
		} else if (mime_buf_append(&m->env.prefix, f, len) ||
			   mime_buf_puts(&m->env.prefix, "\r\n")) {
			m->failed = 1;
		}
	}
	if (m->continued) {
		/* as ember srv's editor: a field above it would absorb it */
		msg_clear(m);
		smtpd_answer(s, 554, "5.6.0", "Message refused: its first header line is a continuation");
		return;
	}
	if (m->loop) {
		logf_("queue %s: refused: more than %d Received fields (a mail loop?)", m->env.id, MAX_HOPS);
		msg_clear(m);
		smtpd_answer(s, 554, "5.4.6", "Too many hops: a mail loop?");
		return;
	}
	if (m->failed || !m->env.n) {
		msg_clear(m);
		smtpd_answer(s, 451, "4.3.0", "Cannot queue the message now");
		return;
	}
	m->staged = 1;
	m->next = v->ended;
	v->ended = m;
}

static void on_gone(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct msg *m = smtpd_data(s);
	if (!m)
		return;
	m->s = NULL;
	if (!m->staged)
		msg_free(m);
}

/* ---- group commit ------------------------------------------------------- */

static void hand_over(struct relay *v, struct queue_env *e)
{
	struct item *it = calloc(1, sizeof *it);
	if (!it)
		oom();
	it->env = *e;
	memset(e, 0, sizeof *e);
	pthread_mutex_lock(&v->mu);
	it->next = v->items;
	v->items = it;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
}

/* The end of each turn: every message that ended in it made durable with
 * one round of syncs, then each gets its 250 (or 451). */
static void group_commit(void *ctx)
{
	struct relay *v = ctx;
	size_t n = 0;
	for (struct msg *m = v->ended; m; m = m->next)
		n++;
	if (!n)
		return;
	const struct queue_env **e = calloc(n, sizeof *e);
	int *fds = calloc(n, sizeof *fds), *ok = calloc(n, sizeof *ok);
	struct msg **ms = calloc(n, sizeof *ms);
	if (!e || !fds || !ok || !ms)
		oom();
	size_t i = 0;
	for (struct msg *m = v->ended; m; m = m->next, i++) {
		ms[n - 1 - i] = m;  /* in the order they ended */
	}
	v->ended = NULL;
	for (i = 0; i < n; i++) {
		e[i] = &ms[i]->env;
		fds[i] = ms[i]->fd;
		ms[i]->fd = -1;  /* queue_commit closes it */
	}
	if (queue_commit(&v->q, e, fds, n, ok))
		logf_("%s: %s", v->q.dir, strerror(errno));
	for (i = 0; i < n; i++) {
		struct msg *m = ms[i];
		m->staged = 0;
		if (ok[i]) {
			for (size_t k = 0; k < m->env.n; k++)
				logf_("queue %s: <%s> to %s%s%s: queued", m->env.id, m->env.sender,
				      m->env.r[k].addr, strcmp(m->env.r[k].orig, m->env.r[k].addr) ? " for " : "",
				      strcmp(m->env.r[k].orig, m->env.r[k].addr) ? m->env.r[k].orig : "");
		}
		char text[128];
		snprintf(text, sizeof text, "Ok: queued as %s", m->env.id);
		if (ok[i])
			hand_over(v, &m->env);
		msg_clear(m);
		queue_env_free(&m->env);
		if (!m->s) {
			msg_free(m);
			continue;
		}
		if (ok[i])
			smtpd_answer(m->s, 250, "2.0.0", text);
		else
			smtpd_answer(m->s, 451, "4.3.0", "Cannot queue the message now");
	}
	free(e);
	free(fds);
	free(ok);
	free(ms);
}

static void on_stopping(void *ctx)
{
	group_commit(ctx);
}

/* ---- delivery status notifications (RFC 3464, RFC 3462) ----------------- */

static void put_date(struct mime_buf *b, int64_t t)
{
	struct mime_date d;
	if (mime_date_from_unix(t, 0, &d) == MIME_OK)
		mime_date_print(&d, b);
}

/* The DSN of the failed recipients of e (fail[i]) as a new queue entry
 * for e's sender; msg is the message as queued. 0, or -1. */
static int make_dsn(struct relay *v, const struct queue_env *e, const int *fail, const char *msg,
		    size_t len, struct queue_env *out)
{
	struct mime_buf b = {0}, t = {0};
	unsigned char rnd[16];
	char boundary[64];
	int64_t now = (int64_t)time(NULL);
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	snprintf(boundary, sizeof boundary, "=_ember-dsn-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	/* the original header: up to the blank line */
	size_t hl = len;
	for (size_t i = 0; i + 4 <= len; i++)
		if (!memcmp(msg + i, "\r\n\r\n", 4)) {
			hl = i + 2;
			break;
		}
	int bad = 0;
#define P(s) (bad |= mime_buf_puts(&b, (s)) != MIME_OK)
	P("From: Mail Delivery System <MAILER-DAEMON@");
	P(v->hostname);
	P(">\r\nTo: <");
	P(e->sender);
	P(">\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: ");
	put_date(&b, now);
	P("\r\n");
	if (mime_msgid_make(rnd, sizeof rnd, now, v->hostname, &t) == MIME_OK) {
		P("Message-ID: ");
		bad |= mime_buf_append(&b, t.data, t.len) != MIME_OK;
		P("\r\n");
	}
	P("Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
	  "Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"");
	P(boundary);
	P("\"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n--");
	P(boundary);
	P("\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
	  "This is the mail system at host ");
	P(v->hostname);
	P(".\r\n\r\nYour message could not be delivered to one or more recipients.\r\n"
	  "The reasons are below.\r\n\r\n");
	for (size_t i = 0; i < e->n; i++)
		if (fail[i]) {
			P("<");
			P(e->r[i].addr);
			P(">: ");
			P(e->r[i].error ? e->r[i].error : "failed");
			P("\r\n");
		}
	P("\r\n--");
	P(boundary);
	P("\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; ");
	P(v->hostname);
	P("\r\nX-Ember-Queue-ID: ");
	P(e->id);
	P("\r\nArrival-Date: ");
	put_date(&b, e->arrival);
	P("\r\n");
	for (size_t i = 0; i < e->n; i++) {
		if (!fail[i])
			continue;
		const struct queue_rcpt *r = &e->r[i];
		struct mx_rcpt x = {.code = 0};
		const char *err = r->error ? r->error : "failed";
		snprintf(x.why, sizeof x.why, "%s", err);
		/* "HOST: 550 5.1.1 text": the code after the host */
		const char *sp = strstr(err, ": ");
		if (sp && sp[2] >= '2' && sp[2] <= '5' && sp[3] >= '0' && sp[3] <= '9')
			x.code = atoi(sp + 2);
		char status[16];
		if (x.code)
			mx_status(&x, status);
		else
			snprintf(status, sizeof status, "%s",
				 strstr(err, "expired")           ? "4.4.7"   /* RFC 3463: delivery time expired */
				 : strstr(err, "null MX")         ? "5.1.10"  /* RFC 7505 */
				 : strstr(err, "no such domain")  ? "5.1.2"   /* bad destination system */
								  : "5.4.0");
		P("\r\nFinal-Recipient: rfc822; ");
		P(r->addr);
		P("\r\nOriginal-Recipient: rfc822; ");
		P(r->orig);
		P("\r\nAction: failed\r\nStatus: ");
		if (status[0] == '4')
			status[0] = '5';  /* given up: permanent now (RFC 3463 4.4.7 as 5.4.7) */
		P(status);
		if (x.code && sp) {
			P("\r\nRemote-MTA: dns; ");
			bad |= mime_buf_append(&b, err, (size_t)(sp - err)) != MIME_OK;
			P("\r\nDiagnostic-Code: smtp; ");
			P(sp + 2);
		} else {
			P("\r\nDiagnostic-Code: X-ember; ");
			P(err);
		}
		P("\r\nLast-Attempt-Date: ");
		put_date(&b, now);
		P("\r\n");
	}
	P("\r\n--");
	P(boundary);
	P("\r\nContent-Type: text/rfc822-headers\r\n\r\n");
	bad |= mime_buf_append(&b, msg, hl) != MIME_OK;
	P("\r\n--");
	P(boundary);
	P("--\r\n");
#undef P
	mime_buf_free(&t);
	if (bad) {
		mime_buf_free(&b);
		return -1;
	}
	/* through lib/mime's model: a transfer encoding for an 8-bit header */
	struct mime_node *node = NULL;
	const char *perr;
	unsigned long pl;
	struct mime_buf printed = {0};
	if (mime_model_parse(b.data, b.len, NULL, &node, &perr, &pl, NULL) == MIME_OK &&
	    mime_model_print(node, 0, &printed) == MIME_OK) {
		mime_buf_free(&b);
		b = printed;
	} else {
		mime_buf_free(&printed);
	}
	mime_model_free(node);
	/* the new entry: from the null sender to e's sender */
	memset(out, 0, sizeof *out);
	out->dsn = 1;
	out->arrival = now;
	int rc = -1;
	if (!(out->sender = strdup("")) || queue_env_add(out, e->sender, e->sender))
		goto done;
	pthread_mutex_lock(&v->mu);
	queue_new_id(&v->q, out);
	pthread_mutex_unlock(&v->mu);
	int fd = queue_msg_create(&v->q, out->id);
	if (fd < 0)
		goto done;
	if (cli_write_fd(fd, b.data, b.len)) {
		close(fd);
		char n[96];
		snprintf(n, sizeof n, "%s.msg.tmp", out->id);
		unlinkat(v->q.dirfd, n, 0);
		goto done;
	}
	const struct queue_env *one = out;
	int ok;
	rc = queue_commit(&v->q, &one, &fd, 1, &ok);
done:
	mime_buf_free(&b);
	if (rc)
		queue_env_free(out);
	return rc;
}

/* ---- delivery ------------------------------------------------------------ */

static int tls_required(const struct relay *v, const char *domain)
{
	for (size_t i = 0; i < v->nreqtls; i++)
		if (!mime_ascii_casecmp(v->reqtls[i], domain))
			return 1;
	return 0;
}

static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at ? at + 1 : "";
}

static unsigned long backoff(const struct relay *v, unsigned attempts)
{
	unsigned long s = v->retry;
	for (unsigned i = 1; i < attempts && s < 3600; i++)
		s *= 2;
	return s < 3600 ? s : (v->retry > 3600 ? v->retry : 3600);
}

static void set_error(struct queue_rcpt *r, const char *why)
{
	char *e = strdup(why);
	if (e) {
		free(r->error);
		r->error = e;
	}
}

/* One attempt for every due recipient of it; then the envelope is updated
 * (or removed, when every recipient is done). Called without the lock. */
static void deliver(struct relay *v, struct io_dns *dns, struct item *it)
{
	struct queue_env *e = &it->env;
	int64_t now = (int64_t)time(NULL);
	struct mime_buf all = {0};
	int *fail = calloc(e->n ? e->n : 1, sizeof *fail), nfail = 0;
	struct mx_rcpt *rs = calloc(e->n ? e->n : 1, sizeof *rs);
	size_t *at = calloc(e->n ? e->n : 1, sizeof *at);
	int *tried = calloc(e->n ? e->n : 1, sizeof *tried);
	if (!fail || !rs || !at || !tried || mime_buf_append(&all, e->prefix.data, e->prefix.len) ||
	    queue_read_msg(&v->q, e->id, &all)) {
		logf_("queue %s: cannot read the message: %s", e->id, strerror(errno));
		for (size_t i = 0; i < e->n; i++)
			if (e->r[i].state == QUEUE_PENDING)
				e->r[i].next = now + (int64_t)backoff(v, ++e->r[i].attempts);
		goto update;
	}
	for (size_t i = 0; i < e->n; i++) {
		if (e->r[i].state != QUEUE_PENDING || e->r[i].next > now || tried[i])
			continue;
		/* every due recipient of this destination, in one session */
		const char *dom = domain_of(e->r[i].addr);
		size_t k = 0;
		for (size_t j = i; j < e->n; j++) {
			if (e->r[j].state != QUEUE_PENDING || e->r[j].next > now || tried[j])
				continue;
			if (!v->smarthost && mime_ascii_casecmp(domain_of(e->r[j].addr), dom))
				continue;
			tried[j] = 1;
			at[k] = j;
			memset(&rs[k], 0, sizeof rs[k]);
			rs[k++].addr = e->r[j].addr;
		}
		char helo[256];
		snprintf(helo, sizeof helo, "%s", v->hostname);
		struct smtp_client_options co = {
			.helo = helo,
			.flags = tls_required(v, dom) ? SMTP_CLI_STARTTLS_REQUIRED : SMTP_CLI_STARTTLS,
		};
		struct mx_options mo = {
			.port = v->smarthost ? v->smarthost_port : v->mx_port, .co = &co, .tls = v->tls,
			.verify_names = v->verify, .timeout_ms = (unsigned)(v->client_timeout * 1000),
		};
		if (mx_deliver(dns, dom, v->smarthost, rs, k, e->sender, all.data, all.len, &mo))
			for (size_t j = 0; j < k; j++)
				if (rs[j].out == MX_PENDING) {
					rs[j].out = MX_DEFERRED;
					snprintf(rs[j].why, sizeof rs[j].why, "out of memory");
				}
		for (size_t j = 0; j < k; j++) {
			struct queue_rcpt *r = &e->r[at[j]];
			r->attempts++;
			set_error(r, rs[j].why);
			if (rs[j].out == MX_SENT) {
				r->state = QUEUE_DELIVERED;
				/* "HOST: 250 ...": "delivered to HOST (250 ...)" */
				const char *sp = strstr(rs[j].why, ": ");
				logf_("queue %s: %s: delivered to %.*s (%s)", e->id, r->addr,
				      sp ? (int)(sp - rs[j].why) : 0, rs[j].why, sp ? sp + 2 : rs[j].why);
			} else if (rs[j].out == MX_REFUSED) {
				r->state = QUEUE_FAILED;
				fail[at[j]] = 1;
				nfail++;
				logf_("queue %s: %s: failed: %s", e->id, r->addr, rs[j].why);
			} else if (now - e->arrival >= (int64_t)v->expire) {
				char why[700];
				snprintf(why, sizeof why, "expired after %u attempts; the last: %s", r->attempts,
					 rs[j].why);
				set_error(r, why);
				r->state = QUEUE_FAILED;
				fail[at[j]] = 1;
				nfail++;
				logf_("queue %s: %s: failed: %s", e->id, r->addr, why);
			} else {
				unsigned long b = backoff(v, r->attempts);
				r->next = now + (int64_t)b;
				logf_("queue %s: %s: deferred (attempt %u, next in %lu s): %s", e->id, r->addr,
				      r->attempts, b, rs[j].why);
			}
		}
	}
	if (nfail) {
		if (e->dsn || !e->sender[0]) {
			logf_("queue %s: no DSN for a message from the null sender", e->id);
		} else {
			struct queue_env dsn;
			if (make_dsn(v, e, fail, all.data + e->prefix.len, all.len - e->prefix.len, &dsn)) {
				/* not durable: the recipients stay pending, the DSN is made later */
				logf_("queue %s: cannot queue the DSN now: %s", e->id, strerror(errno));
				for (size_t i = 0; i < e->n; i++)
					if (fail[i]) {
						e->r[i].state = QUEUE_PENDING;
						e->r[i].next = now + (int64_t)v->retry;
					}
			} else {
				logf_("queue %s: DSN to <%s> queued as %s", e->id, e->sender, dsn.id);
				struct item *d = calloc(1, sizeof *d);
				if (!d)
					oom();
				d->env = dsn;
				pthread_mutex_lock(&v->mu);
				d->next = v->items;
				v->items = d;
				pthread_cond_broadcast(&v->cv);
				pthread_mutex_unlock(&v->mu);
			}
		}
	}
update:;
	int pending = 0;
	for (size_t i = 0; i < e->n; i++)
		pending |= e->r[i].state == QUEUE_PENDING;
	if (!pending) {
		queue_remove(&v->q, e->id);
		logf_("queue %s: done, removed", e->id);
	} else if (queue_env_update(&v->q, e)) {
		logf_("queue %s: cannot update the envelope: %s", e->id, strerror(errno));
	}
	mime_buf_free(&all);
	free(fail);
	free(rs);
	free(at);
	free(tried);
}

/* The earliest due time of it's pending recipients, or INT64_MAX. */
static int64_t due(const struct item *it)
{
	int64_t t = INT64_MAX;
	for (size_t i = 0; i < it->env.n; i++)
		if (it->env.r[i].state == QUEUE_PENDING && it->env.r[i].next < t)
			t = it->env.r[i].next;
	return t;
}

static void *worker(void *arg)
{
	struct relay *v = arg;
	char err[256];
	struct io_dns *dns = io_dns_new(&v->dopt, err, sizeof err);
	if (!dns) {
		logf_("DNS: %s", err);
		return NULL;
	}
	pthread_mutex_lock(&v->mu);
	while (!v->stop) {
		int64_t now = (int64_t)time(NULL), next = INT64_MAX;
		struct item *pick = NULL, **pp, **pick_pp = NULL;
		for (pp = &v->items; *pp; pp = &(*pp)->next) {
			if ((*pp)->busy)
				continue;
			int64_t t = due(*pp);
			if (t <= now && (!pick || t < due(pick))) {
				pick = *pp;
				pick_pp = pp;
			} else if (t < next) {
				next = t;
			}
		}
		(void)pick_pp;
		if (!pick) {
			if (next == INT64_MAX) {
				pthread_cond_wait(&v->cv, &v->mu);
			} else {
				struct timespec ts = {.tv_sec = (time_t)next};
				pthread_cond_timedwait(&v->cv, &v->mu, &ts);
			}
			continue;
		}
		pick->busy = 1;
		pthread_mutex_unlock(&v->mu);
		deliver(v, dns, pick);
		pthread_mutex_lock(&v->mu);
		pick->busy = 0;
		if (due(pick) == INT64_MAX) {
			for (pp = &v->items; *pp; pp = &(*pp)->next)
				if (*pp == pick) {
					*pp = pick->next;
					break;
				}
			queue_env_free(&pick->env);
			free(pick);
		}
		pthread_cond_broadcast(&v->cv);  /* a message is free again */
	}
	v->running--;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	io_dns_free(dns);
	return NULL;
}

/* ---- setup ---------------------------------------------------------------- */

static void on_scanned(void *ctx, struct queue_env *e)
{
	struct relay *v = ctx;
	logf_("queue %s: resumed from the queue", e->id);
	hand_over(v, e);
	free(e);
}

static void on_scan_warn(const char *id, const char *what)
{
	logf_("queue %s: %s", id, what);
}

static unsigned long number(const char *opt, const char *s, unsigned long max)
{
	return smtpd_number(opt, s, max);
}

static struct addrmap *load_map(const char *path)
{
	FILE *f = cli_open(path);
	char *text, err[512];
	size_t len;
	cli_slurp(f, path, &text, &len);
	fclose(f);
	struct addrmap *m = addrmap_parse(text, len, err, sizeof err);
	free(text);
	if (!m) {
		if (!strncmp(err, "0:", 2))
			oom();
		/* "ember relay: map:12: what" */
		cli_die(EX_CONFIG, NULL, "map:%s", err);
	}
	return m;
}

static struct dkim_key *load_key(const char *path)
{
	FILE *f = cli_open(path);
	char *text;
	size_t len;
	cli_slurp(f, path, &text, &len);
	fclose(f);
	struct dkim_key *k = NULL;
	const char *err = NULL;
	enum mime_status st = dkim_key_from_pem(text, len, &k, &err);
	free(text);
	if (st == MIME_ENOMEM)
		oom();
	if (st != MIME_OK)
		cli_die(EX_DATAERR, path, "%s", err ? err : "not a private key");
	return k;
}

int main(int argc, char **argv)
{
	pid1_boot("relay", &argc, &argv);
	static const struct option longopts[] = {
		SMTPD_LONGOPTS,
		{"map", required_argument, NULL, OPT_MAP},
		{"queue", required_argument, NULL, OPT_QUEUE},
		{"smarthost", required_argument, NULL, OPT_SMARTHOST},
		{"mx-port", required_argument, NULL, OPT_MXPORT},
		{"require-tls", required_argument, NULL, OPT_REQTLS},
		{"tls-ca", required_argument, NULL, OPT_TLSCA},
		{"insecure", no_argument, NULL, OPT_INSECURE},
		{"dkim-key", required_argument, NULL, OPT_DKIMKEY},
		{"dkim-selector", required_argument, NULL, OPT_DKIMSEL},
		{"dkim-domain", required_argument, NULL, OPT_DKIMDOM},
		{"retry", required_argument, NULL, OPT_RETRY},
		{"expire", required_argument, NULL, OPT_EXPIRE},
		{"workers", required_argument, NULL, OPT_WORKERS},
		{"client-timeout", required_argument, NULL, OPT_CTIMEOUT},
		{"dns", required_argument, NULL, OPT_DNS},
		{NULL, 0, NULL, 0},
	};
	static const struct smtpd_hooks hooks = {
		.mail = on_mail,
		.rcpt = on_rcpt,
		.begin = on_begin,
		.data = on_data,
		.end = on_end,
		.abort = on_abort,
		.reset = on_reset,
		.gone = on_gone,
		.stopping = on_stopping,
	};
	static struct relay v;
	smtpd_config_init(&v.cfg);
	v.mx_port = 25;
	v.retry = 60;
	v.expire = 5 * 86400;
	v.nworkers = 4;
	v.client_timeout = 60;
	const char *map = NULL, *queue = "ember-queue", *smarthost = NULL, *ca = NULL,
		   *keyfile = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		if (smtpd_option(&v.cfg, c, optarg))
			continue;
		switch (c) {
		case OPT_MAP: map = optarg; break;
		case OPT_QUEUE: queue = optarg; break;
		case OPT_SMARTHOST: smarthost = optarg; break;
		case OPT_MXPORT: v.mx_port = (unsigned)number("--mx-port", optarg, 65535); break;
		case OPT_REQTLS: {
			const char **r = realloc(v.reqtls, (v.nreqtls + 1) * sizeof *r);
			if (!r)
				oom();
			v.reqtls = r;
			r[v.nreqtls++] = optarg;
			break;
		}
		case OPT_TLSCA: ca = optarg; break;
		case OPT_INSECURE: ca = NULL; break;
		case OPT_DKIMKEY: keyfile = optarg; break;
		case OPT_DKIMSEL: v.selector = optarg; break;
		case OPT_DKIMDOM: v.dkim_domain = optarg; break;
		case OPT_RETRY: v.retry = number("--retry", optarg, 86400); break;
		case OPT_EXPIRE: v.expire = number("--expire", optarg, 365ul * 86400); break;
		case OPT_WORKERS: v.nworkers = (unsigned)number("--workers", optarg, MAX_WORKERS); break;
		case OPT_CTIMEOUT: v.client_timeout = number("--client-timeout", optarg, 3600); break;
		case OPT_DNS: v.dopt.server = optarg; break;
		}
	}
	if (optind != argc)
		cli_usage_error("no arguments besides the options");
	if (!v.cfg.listen)
		cli_usage_error("--listen ADDR:PORT is needed");
	if (!v.cfg.ndomains)
		cli_usage_error("--domain D is needed (the domains we accept mail for)");
	if (!!keyfile != !!v.selector)
		cli_usage_error("--dkim-key and --dkim-selector go together");
	static char shost[300];
	if (smarthost) {
		const char *colon = strrchr(smarthost, ':');
		if (!colon || colon == smarthost || (size_t)(colon - smarthost) >= sizeof shost)
			cli_usage_error("--smarthost: HOST:PORT");
		const char *h = smarthost;
		size_t hl = (size_t)(colon - smarthost);
		if (h[0] == '[' && hl > 2 && h[hl - 1] == ']')
			h++, hl -= 2;
		memcpy(shost, h, hl);
		shost[hl] = 0;
		v.smarthost = shost;
		v.smarthost_port = (unsigned)number("--smarthost", colon + 1, 65535);
	}
	if (map)
		v.map = load_map(map);
	if (keyfile)
		v.key = load_key(keyfile);
	char err[512];
	struct io_tls_options topt = {.ca_file = ca, .insecure = !ca};
	if (!(v.tls = io_tls_client_ctx(&topt, err, sizeof err)))
		cli_die(EX_NOINPUT, ca ? ca : "TLS", "%s", err);
	v.verify = ca != NULL;
	if (queue_open(&v.q, queue, err, sizeof err))
		cli_die(EX_CANTCREAT, queue, "%s", err);
	if (!(v.loop = io_loop_new(err, sizeof err)))
		cli_die(EX_OSERR, NULL, "%s", err);
	v.d = smtpd_new(&v.cfg, v.loop, &hooks, &v);
	v.hostname = smtpd_hostname(v.d);
	struct io_hook *hook = io_hook_add(v.loop, group_commit, &v);
	if (!hook)
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	if (pthread_mutex_init(&v.mu, NULL) || pthread_cond_init(&v.cv, NULL))
		cli_die(EX_OSERR, NULL, "pthread: %s", strerror(errno));
	size_t resumed = queue_scan(&v.q, on_scanned, &v, on_scan_warn);
	if (resumed)
		logf_("%s: %zu messages resumed", queue, resumed);
	/* the workers take no signal: SIGTERM and SIGINT stop the loop thread */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (v.started = 0; v.started < v.nworkers; v.started++) {
		pthread_mutex_lock(&v.mu);
		v.running++;
		pthread_mutex_unlock(&v.mu);
		if (pthread_create(&v.th[v.started], NULL, worker, &v))
			cli_die(EX_OSERR, NULL, "pthread_create: %s", strerror(errno));
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	int rc = smtpd_run(v.d);
	/* stop: the deliveries in progress get 5 seconds to finish; one still
	 * running then is left as it is (the queue has it: it is tried again
	 * at the next start, a duplicate at worst) */
	pthread_mutex_lock(&v.mu);
	v.stop = 1;
	pthread_cond_broadcast(&v.cv);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (v.running && pthread_cond_timedwait(&v.cv, &v.mu, &until) == 0)
		;
	unsigned left = v.running;
	pthread_mutex_unlock(&v.mu);
	if (rc)
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	if (left) {
		logf_("stopped; %u deliveries in progress are left to the next start", left);
		return 0;  /* the threads end with the process */
	}
	for (unsigned i = 0; i < v.started; i++)
		pthread_join(v.th[i], NULL);
	smtpd_free(v.d);
	io_hook_del(hook);
	io_loop_free(v.loop);
	while (v.items) {
		struct item *it = v.items;
		v.items = it->next;
		queue_env_free(&it->env);
		free(it);
	}
	queue_close(&v.q);
	addrmap_free(v.map);
	dkim_key_free(v.key);
	io_tls_ctx_free(v.tls);
	free(v.reqtls);
	free(v.cfg.domains);
	return 0;
}
