/* ember send: deliver the message on stdin straight to each recipient
 * domain's mail exchangers: MX through lib/io's c-ares adapter, in
 * preference order (RFC 5321 5.1), the domain itself when it has no MX,
 * none at all for a null MX (RFC 7505); each exchanger's A and AAAA
 * addresses in turn; opportunistic STARTTLS (RFC 3207; RFC 7435: not
 * verified unless --cafile); one result line per recipient. */
#include "cli.h"
#include "io.h"
#include "mime.h"
#include "smtp.h"
#include "smtpdrive.h"
#include "smtpmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "send",
	.summary = "deliver a message to its recipients' mail exchangers (MX)",
	.usage =
	"Usage: ember send [--sender A] [--to A]... [--dns HOST[:PORT]] [--port N]\n"
	"                  [--helo NAME] [--require-tls] [--cafile F] [--timeout S]\n"
	"Delivers the message on stdin to the MX hosts of each recipient's domain, in\n"
	"preference order (the domain's own A/AAAA when it has no MX), with STARTTLS\n"
	"when offered; prints one line per recipient: ADDRESS: sent|refused|deferred:\n"
	"the server's reply or the reason. Recipients from To, Cc and Bcc unless --to;\n"
	"the Bcc field is removed from what is sent.\n"
	"      --sender A         the envelope sender (default: the From address; '' or\n"
	"                         <> for the null sender)\n"
	"      --to A             a recipient (repeatable)\n"
	"      --dns HOST[:PORT]  the DNS server (default $EMBER_DNS, else the system's)\n"
	"      --port N           the SMTP port of the exchangers (default 25)\n"
	"      --helo NAME        the EHLO name (default: the host name)\n"
	"      --require-tls      STARTTLS or no delivery (default: when offered)\n"
	"      --cafile F         verify the exchangers' certificates against F (default:\n"
	"                         opportunistic TLS, not verified)\n"
	"      --timeout S        seconds to wait for each reply (default 60)\n"
	"  -h, --help, --version\n"
	"Exit status: 0 sent to every recipient; 64 usage; 65 no recipients or no\n"
	"sender; 69 a recipient refused (5xx, no such domain, null MX); 75 a recipient\n"
	"deferred (4xx, timeouts, DNS failures, no exchanger reachable).\n",
};

enum { OPT_SENDER = 256, OPT_TO, OPT_DNS, OPT_PORT, OPT_HELO, OPT_REQTLS, OPT_CAFILE, OPT_TIMEOUT };

enum outcome { PENDING, SENT, REFUSED, DEFERRED };

struct rcpt {
	char *addr;
	char *domain;      /* lowercased */
	enum outcome out;
	char why[600];
};

struct host {
	char name[DNS_NAME_MAX + 1];
	unsigned pref;
	struct sockaddr_storage addrs[16];
	socklen_t lens[16];
	size_t naddrs;
	enum dns_status st4, st6;
};

struct lookup {
	struct dns_answer a;
	struct dns_record recs[64];
	char data[64][DNS_NAME_MAX + 1];
	int done;
};

static void on_answer(void *ctx, const struct dns_question *q, const struct dns_answer *a)
{
	struct lookup *l = ctx;
	(void)q;
	l->a = *a;
	l->a.count = a->count < 64 ? a->count : 64;
	for (size_t i = 0; i < l->a.count; i++) {
		size_t n = a->records[i].len < DNS_NAME_MAX ? a->records[i].len : DNS_NAME_MAX;
		memcpy(l->data[i], a->records[i].data, n);
		l->data[i][n] = 0;
		l->recs[i].data = l->data[i];
		l->recs[i].len = n;
		l->recs[i].preference = a->records[i].preference;
	}
	l->a.records = l->recs;
	l->done = 1;
}

static int ask(struct io_dns *d, enum dns_type t, const char *name, struct lookup *l)
{
	struct dns_question q = {.id = 1, .type = t};
	memset(l, 0, sizeof *l);
	snprintf(q.name, sizeof q.name, "%s", name);
	if (io_dns_ask(d, &q, on_answer, l))
		return -1;
	return 0;
}

/* A and AAAA of h->name, asked together. */
static void resolve(struct io_dns *d, struct host *h, unsigned port)
{
	static struct lookup l4, l6;
	if (ask(d, DNS_A, h->name, &l4) || ask(d, DNS_AAAA, h->name, &l6) || io_dns_wait(d))
		cli_die(EX_SOFTWARE, NULL, "DNS: out of memory");
	h->st4 = l4.a.status;
	h->st6 = l6.a.status;
	h->naddrs = 0;
	/* IPv6 first when both are there (RFC 6724's default), then IPv4 */
	for (int pass = 0; pass < 2; pass++) {
		struct lookup *l = pass ? &l4 : &l6;
		if (l->a.status != DNS_OK)
			continue;
		for (size_t i = 0; i < l->a.count && h->naddrs < 16; i++) {
			struct sockaddr_storage *ss = &h->addrs[h->naddrs];
			memset(ss, 0, sizeof *ss);
			if (!pass && l->recs[i].len == 16) {
				struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
				s6->sin6_family = AF_INET6;
				s6->sin6_port = htons((uint16_t)port);
				memcpy(&s6->sin6_addr, l->recs[i].data, 16);
				h->lens[h->naddrs++] = sizeof *s6;
			} else if (pass && l->recs[i].len == 4) {
				struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
				s4->sin_family = AF_INET;
				s4->sin_port = htons((uint16_t)port);
				memcpy(&s4->sin_addr, l->recs[i].data, 4);
				h->lens[h->naddrs++] = sizeof *s4;
			}
		}
	}
}

static int cmp_pref(const void *a, const void *b)
{
	const struct host *x = a, *y = b;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

static void set(struct rcpt *r, enum outcome o, const char *why)
{
	r->out = o;
	size_t n = strlen(why);
	if (n >= sizeof r->why)
		n = sizeof r->why - 1;
	memcpy(r->why, why, n);
	r->why[n] = 0;
}

/* Deliver to the recipients of one domain (those still PENDING with it). */
static void deliver_domain(struct io_dns *dns, const char *domain, struct rcpt *rs, size_t n,
			   const char *sender, const char *msg, size_t len, unsigned port,
			   const struct smtp_client_options *co, struct io_tls_ctx *ctx,
			   unsigned timeout_ms)
{
	static struct lookup mx;
	static struct host hosts[32];
	size_t nh = 0;
	const char *temp_why = NULL;
	char why[600];
	if (ask(dns, DNS_MX, domain, &mx) || io_dns_wait(dns))
		cli_die(EX_SOFTWARE, NULL, "DNS: out of memory");
	size_t idx[512], ni = 0;
	for (size_t i = 0; i < n && ni < 512; i++)
		if (rs[i].out == PENDING && !strcmp(rs[i].domain, domain))
			idx[ni++] = i;
	if (mx.a.status == DNS_OK) {
		for (size_t i = 0; i < mx.a.count && nh < 32; i++) {
			const char *name = mx.recs[i].data;
			if (!strcmp(name, "") || !strcmp(name, ".")) {
				/* RFC 7505: a null MX, the domain takes no mail */
				for (size_t k = 0; k < ni; k++)
					set(&rs[idx[k]], REFUSED, "the domain accepts no mail (null MX, RFC 7505)");
				return;
			}
			snprintf(hosts[nh].name, sizeof hosts[nh].name, "%s", name);
			hosts[nh].pref = mx.recs[i].preference;
			nh++;
		}
		qsort(hosts, nh, sizeof *hosts, cmp_pref);
	} else if (mx.a.status == DNS_NODATA) {
		/* RFC 5321 5.1: the domain itself, as if MX 0 */
		snprintf(hosts[0].name, sizeof hosts[0].name, "%s", domain);
		hosts[0].pref = 0;
		nh = 1;
	} else if (mx.a.status == DNS_NXDOMAIN) {
		for (size_t k = 0; k < ni; k++)
			set(&rs[idx[k]], REFUSED, "no such domain (NXDOMAIN)");
		return;
	} else {
		for (size_t k = 0; k < ni; k++)
			set(&rs[idx[k]], DEFERRED, "DNS: the MX lookup failed for now");
		return;
	}
	const char **list = calloc(ni, sizeof *list);
	struct drive_rcpt *dr = calloc(ni, sizeof *dr);
	if (!list || !dr)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	for (size_t k = 0; k < ni; k++)
		list[k] = rs[idx[k]].addr;
	struct smtp_envelope env = {.sender = sender, .rcpts = list, .nrcpts = ni};
	int finished = 0;
	for (size_t h = 0; h < nh && !finished; h++) {
		resolve(dns, &hosts[h], port);
		if (!hosts[h].naddrs) {
			snprintf(why, sizeof why, "%.200s: no address%s", hosts[h].name,
				 dns_temporary(hosts[h].st4) || dns_temporary(hosts[h].st6) ? " (DNS failure)" : "");
			temp_why = why;
			continue;
		}
		for (size_t a = 0; a < hosts[h].naddrs && !finished; a++) {
			char where[IO_ADDR_STRLEN];
			io_addr_format((struct sockaddr *)&hosts[h].addrs[a], where, sizeof where);
			int fd = drive_connect((struct sockaddr *)&hosts[h].addrs[a], hosts[h].lens[a], timeout_ms);
			if (fd < 0) {
				snprintf(why, sizeof why, "%.200s [%s]: cannot connect: %s", hosts[h].name, where,
					 strerror(errno));
				temp_why = why;
				continue;
			}
			memset(dr, 0, ni * sizeof *dr);
			struct drive d = {
				.co = co, .tls_ctx = ctx, .tls_name = ctx ? hosts[h].name : NULL,
				.timeout_ms = timeout_ms, .env = &env, .msg = msg, .len = len, .rcpts = dr,
			};
			drive_session(&d, fd);
			int any_answer = 0;
			for (size_t k = 0; k < ni; k++)
				any_answer |= dr[k].done;
			if (d.sent || any_answer || (d.err_code / 100 == 5)) {
				/* a definite outcome from this exchanger */
				finished = 1;
				for (size_t k = 0; k < ni; k++) {
					struct rcpt *r = &rs[idx[k]];
					char line[700];
					if (dr[k].done && !dr[k].ok) {
						snprintf(line, sizeof line, "%.200s: %.400s", hosts[h].name, dr[k].text);
						set(r, dr[k].code / 100 == 4 ? DEFERRED : REFUSED, line);
					} else if (d.sent) {
						snprintf(line, sizeof line, "%.200s: %.400s", hosts[h].name, d.final_text);
						set(r, SENT, line);
					} else {
						snprintf(line, sizeof line, "%.200s: %s%s%.300s", hosts[h].name,
							 smtp_cerr_name(d.err), d.err_text[0] ? ": " : "", d.err_text);
						set(r, d.err_code / 100 == 5 ? REFUSED : DEFERRED, line);
					}
				}
			} else {
				if (d.tls_error[0])
					snprintf(why, sizeof why, "%.200s [%s]: TLS: %.200s", hosts[h].name, where,
						 d.tls_error);
				else
					snprintf(why, sizeof why, "%.200s [%s]: %.40s%s%.200s", hosts[h].name, where,
						 smtp_cerr_name(d.err), d.err_text[0] ? ": " : "", d.err_text);
				temp_why = why;
			}
		}
	}
	if (!finished)
		for (size_t k = 0; k < ni; k++)
			set(&rs[idx[k]], DEFERRED, temp_why ? temp_why : "no exchanger reachable");
	free(list);
	free(dr);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"sender", required_argument, NULL, OPT_SENDER},
		{"to", required_argument, NULL, OPT_TO},
		{"dns", required_argument, NULL, OPT_DNS},
		{"port", required_argument, NULL, OPT_PORT},
		{"helo", required_argument, NULL, OPT_HELO},
		{"require-tls", no_argument, NULL, OPT_REQTLS},
		{"cafile", required_argument, NULL, OPT_CAFILE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	const char *sender = NULL, *helo = NULL, *cafile = NULL;
	struct io_dns_options dopt = {0};
	unsigned long port = 25, timeout = 60;
	int reqtls = 0, c;
	struct list to = {0};
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		char *end;
		switch (c) {
		case OPT_SENDER: sender = optarg; break;
		case OPT_TO: add_arg(&to, optarg); break;
		case OPT_DNS: dopt.server = optarg; break;
		case OPT_PORT:
			port = strtoul(optarg, &end, 10);
			if (*end || !port || port > 65535)
				cli_usage_error("--port: 1 to 65535");
			break;
		case OPT_HELO: helo = optarg; break;
		case OPT_REQTLS: reqtls = 1; break;
		case OPT_CAFILE: cafile = optarg; break;
		case OPT_TIMEOUT:
			timeout = strtoul(optarg, &end, 10);
			if (*end || !timeout || timeout > 86400)
				cli_usage_error("--timeout: seconds, 1 to 86400");
			break;
		}
	}
	if (optind != argc)
		cli_usage_error("the message comes on stdin: no FILE argument");
	char *msg, *from;
	size_t len;
	struct mime_buf body;
	int rc = read_envelope(&to, sender, &msg, &len, &from, &body);
	if (rc)
		return rc;

	struct rcpt *rs = calloc(to.n, sizeof *rs);
	if (!rs)
		msg_oom();
	for (size_t i = 0; i < to.n; i++) {
		rs[i].addr = to.v[i];
		const char *at = strrchr(to.v[i], '@');
		if (!at || !at[1]) {
			rs[i].domain = strdup("");
			set(&rs[i], REFUSED, "no domain");
		} else {
			rs[i].domain = strdup(at + 1);
		}
		if (!rs[i].domain)
			msg_oom();
		mime_ascii_lower_n(rs[i].domain, strlen(rs[i].domain));
		/* a trailing dot is the same domain */
		size_t dl = strlen(rs[i].domain);
		if (dl && rs[i].domain[dl - 1] == '.')
			rs[i].domain[dl - 1] = 0;
	}
	char err[512];
	struct io_dns *dns = io_dns_new(&dopt, err, sizeof err);
	if (!dns)
		cli_die(EX_TEMPFAIL, "DNS", "%s", err);
	struct io_tls_ctx *ctx;
	struct io_tls_options topt = {.ca_file = cafile, .insecure = !cafile};
	if (!(ctx = io_tls_client_ctx(&topt, err, sizeof err)))
		cli_die(EX_NOINPUT, cafile ? cafile : "TLS", "%s", err);
	char myname[256];
	if (!helo) {
		if (gethostname(myname, sizeof myname - 1) || !myname[0])
			snprintf(myname, sizeof myname, "localhost");
		helo = myname;
	}
	struct smtp_client_options co = {
		.helo = helo, .flags = reqtls ? SMTP_CLI_STARTTLS_REQUIRED : SMTP_CLI_STARTTLS,
	};
	for (size_t i = 0; i < to.n; i++)
		if (rs[i].out == PENDING)
			deliver_domain(dns, rs[i].domain, rs, to.n, from, body.data ? body.data : "", body.len,
				       (unsigned)port, &co, ctx, (unsigned)(timeout * 1000));
	int status = 0;
	static const char *const word[] = {"pending", "sent", "refused", "deferred"};
	for (size_t i = 0; i < to.n; i++) {
		printf("%s: %s: %s\n", rs[i].addr, word[rs[i].out], rs[i].why);
		if (rs[i].out == REFUSED)
			status = EX_UNAVAILABLE;
		else if (rs[i].out != SENT && status == 0)
			status = EX_TEMPFAIL;
		free(rs[i].domain);
		free(rs[i].addr);
	}
	cli_flush_stdout();
	free(rs);
	free(to.v);
	free(from);
	free(msg);
	mime_buf_free(&body);
	io_tls_ctx_free(ctx);
	io_dns_free(dns);
	return status;
}
