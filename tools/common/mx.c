/* ember commands: a message to one domain's mail exchangers (mx.h). */
#include "mx.h"
#include "smtpdrive.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MX_HOSTS 32
#define MX_ADDRS 16

struct host {
	char name[DNS_NAME_MAX + 1];
	unsigned pref;
	struct sockaddr_storage addrs[MX_ADDRS];
	socklen_t lens[MX_ADDRS];
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
	return io_dns_ask(d, &q, on_answer, l) ? -1 : 0;
}

/* A and AAAA of h->name, asked together (a numeric address as it is).
 * 0, or -1 when out of memory. */
static int resolve(struct io_dns *d, struct host *h, unsigned port, struct lookup *l4,
		   struct lookup *l6)
{
	h->naddrs = 0;
	char err[128];
	if (strchr(h->name, ':') || h->name[strspn(h->name, "0123456789.")] == 0) {
		char spec[DNS_NAME_MAX + 16];
		snprintf(spec, sizeof spec, strchr(h->name, ':') ? "[%s]:%u" : "%s:%u", h->name, port);
		if (!io_addr_parse(spec, port, &h->addrs[0], &h->lens[0], err, sizeof err)) {
			h->naddrs = 1;
			return 0;
		}
	}
	if (ask(d, DNS_A, h->name, l4) || ask(d, DNS_AAAA, h->name, l6) || io_dns_wait(d))
		return -1;
	h->st4 = l4->a.status;
	h->st6 = l6->a.status;
	/* IPv6 first when both are there (RFC 6724's default), then IPv4 */
	for (int pass = 0; pass < 2; pass++) {
		struct lookup *l = pass ? l4 : l6;
		if (l->a.status != DNS_OK)
			continue;
		for (size_t i = 0; i < l->a.count && h->naddrs < MX_ADDRS; i++) {
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
	return 0;
}

static int cmp_pref(const void *a, const void *b)
{
	const struct host *x = a, *y = b;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

static void set(struct mx_rcpt *r, enum mx_outcome o, int code, const char *why)
{
	r->out = o;
	r->code = code;
	size_t n = strlen(why);
	if (n >= sizeof r->why)
		n = sizeof r->why - 1;
	memcpy(r->why, why, n);
	r->why[n] = 0;
}

struct work {
	struct lookup mx, l4, l6;
	struct host hosts[MX_HOSTS];
};

/* The exchangers of domain into w->hosts: their number; 0 with the
 * recipients set when there is none to try. -1 when out of memory. */
static int exchangers(struct io_dns *dns, const char *domain, struct work *w, struct mx_rcpt **p,
		      size_t ni)
{
	size_t nh = 0;
	if (ask(dns, DNS_MX, domain, &w->mx) || io_dns_wait(dns))
		return -1;
	if (w->mx.a.status == DNS_OK) {
		for (size_t i = 0; i < w->mx.a.count && nh < MX_HOSTS; i++) {
			const char *name = w->mx.recs[i].data;
			if (!strcmp(name, "") || !strcmp(name, ".")) {
				/* RFC 7505: a null MX, the domain takes no mail */
				for (size_t k = 0; k < ni; k++)
					set(p[k], MX_REFUSED, 0,
					    "the domain accepts no mail (null MX, RFC 7505)");
				return 0;
			}
			snprintf(w->hosts[nh].name, sizeof w->hosts[nh].name, "%s", name);
			w->hosts[nh].pref = w->mx.recs[i].preference;
			nh++;
		}
		qsort(w->hosts, nh, sizeof *w->hosts, cmp_pref);
	} else if (w->mx.a.status == DNS_NODATA) {
		/* RFC 5321 5.1: the domain itself, as if MX 0 */
		snprintf(w->hosts[0].name, sizeof w->hosts[0].name, "%s", domain);
		w->hosts[0].pref = 0;
		nh = 1;
	} else if (w->mx.a.status == DNS_NXDOMAIN) {
		for (size_t k = 0; k < ni; k++)
			set(p[k], MX_REFUSED, 0, "no such domain (NXDOMAIN)");
	} else {
		for (size_t k = 0; k < ni; k++)
			set(p[k], MX_DEFERRED, 0, "DNS: the MX lookup failed for now");
	}
	return (int)nh;
}

/* The outcome of one session that got an answer, for every recipient. */
static void outcome(const struct host *h, const struct drive *d, const struct drive_rcpt *dr,
		    struct mx_rcpt **p, size_t ni)
{
	for (size_t k = 0; k < ni; k++) {
		char line[700];
		if (dr[k].done && !dr[k].ok) {
			snprintf(line, sizeof line, "%.200s: %.400s", h->name, dr[k].text);
			set(p[k], dr[k].code / 100 == 4 ? MX_DEFERRED : MX_REFUSED, dr[k].code, line);
		} else if (d->sent) {
			snprintf(line, sizeof line, "%.200s: %.400s", h->name, d->final_text);
			set(p[k], MX_SENT, d->final_code, line);
		} else {
			snprintf(line, sizeof line, "%.200s: %s%s%.300s", h->name, smtp_cerr_name(d->err),
				 d->err_text[0] ? ": " : "", d->err_text);
			set(p[k], d->err_code / 100 == 5 ? MX_REFUSED : MX_DEFERRED, d->err_code, line);
		}
	}
}

int mx_deliver(struct io_dns *dns, const char *domain, const char *host, struct mx_rcpt *rs,
	       size_t n, const char *sender, const char *msg, size_t len,
	       const struct mx_options *o)
{
	struct work *w = calloc(1, sizeof *w);
	struct mx_rcpt **p = calloc(n ? n : 1, sizeof *p);
	const char **list = calloc(n ? n : 1, sizeof *list);
	struct drive_rcpt *dr = calloc(n ? n : 1, sizeof *dr);
	int rc = -1, nh;
	size_t ni = 0;
	char why[600] = "";
	const char *temp_why = NULL;
	if (!w || !p || !list || !dr)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (rs[i].out == MX_PENDING) {
			p[ni] = &rs[i];
			list[ni++] = rs[i].addr;
		}
	if (host) {
		snprintf(w->hosts[0].name, sizeof w->hosts[0].name, "%s", host);
		nh = 1;
	} else if ((nh = exchangers(dns, domain, w, p, ni)) < 0) {
		goto out;
	}
	struct smtp_envelope env = {.sender = sender, .rcpts = list, .nrcpts = ni};
	int finished = !ni || !nh;
	for (int h = 0; h < nh && !finished; h++) {
		struct host *hh = &w->hosts[h];
		if (resolve(dns, hh, o->port, &w->l4, &w->l6))
			goto out;
		if (!hh->naddrs) {
			snprintf(why, sizeof why, "%.200s: no address%s", hh->name,
				 dns_temporary(hh->st4) || dns_temporary(hh->st6) ? " (DNS failure)" : "");
			temp_why = why;
			continue;
		}
		for (size_t a = 0; a < hh->naddrs && !finished; a++) {
			char where[IO_ADDR_STRLEN];
			io_addr_format((struct sockaddr *)&hh->addrs[a], where, sizeof where);
			int fd = drive_connect((struct sockaddr *)&hh->addrs[a], hh->lens[a], o->timeout_ms);
			if (fd < 0) {
				snprintf(why, sizeof why, "%.200s [%s]: cannot connect: %s", hh->name, where,
					 strerror(errno));
				temp_why = why;
				continue;
			}
			memset(dr, 0, ni * sizeof *dr);
			struct drive d = {
				.co = o->co, .tls_ctx = o->tls,
				.tls_name = o->tls && o->verify_names ? hh->name : NULL,
				.timeout_ms = o->timeout_ms, .env = &env, .msg = msg, .len = len, .rcpts = dr,
			};
			drive_session(&d, fd);
			if (d.err == SMTP_CE_NOMEM)
				goto out;
			int any_answer = 0;
			for (size_t k = 0; k < ni; k++)
				any_answer |= dr[k].done;
			if (d.sent || any_answer || (d.err_code / 100 == 5)) {
				finished = 1;  /* a definite outcome from this exchanger */
				outcome(hh, &d, dr, p, ni);
			} else if (d.tls_error[0]) {
				snprintf(why, sizeof why, "%.200s [%s]: TLS: %.200s", hh->name, where, d.tls_error);
				temp_why = why;
			} else {
				snprintf(why, sizeof why, "%.200s [%s]: %.40s%s%.200s", hh->name, where,
					 smtp_cerr_name(d.err), d.err_text[0] ? ": " : "", d.err_text);
				temp_why = why;
			}
		}
	}
	if (!finished)
		for (size_t k = 0; k < ni; k++)
			set(p[k], MX_DEFERRED, 0, temp_why ? temp_why : "no exchanger reachable");
	rc = 0;
out:
	free(w);
	free(p);
	free(list);
	free(dr);
	return rc;
}

void mx_status(const struct mx_rcpt *r, char *buf)
{
	const char *s = strstr(r->why, ": ");
	int cls = r->code / 100 == 4 ? 4 : 5;
	snprintf(buf, 16, "%d.0.0", cls);
	if (!s || !r->code)
		return;
	s += 2;
	while (*s >= '0' && *s <= '9')
		s++;
	while (*s == ' ' || *s == '-')
		s++;
	unsigned a, b, c;
	int k = 0;
	if (sscanf(s, "%1u.%3u.%3u%n", &a, &b, &c, &k) == 3 && k && (int)a == cls &&
	    (s[k] == ' ' || s[k] == 0))
		snprintf(buf, 16, "%u.%u.%u", a, b, c);
}
