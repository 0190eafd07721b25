/* ember dmarc: DMARC (RFC 9989, or RFC 7489 with --rfc7489) for a
 * message, from the SPF and DKIM results of its trusted
 * Authentication-Results fields, computing what is missing (DKIM through
 * lib/dkim, SPF through lib/spf); and aggregate reports (RFC 9990) from
 * the results as JSON lines. */
#include "authcheck.h"
#include "cli.h"
#include "fields.h"
#include "json.h"
#include "jsonin.h"
#include "spool.h"
#include "dkim.h"
#include "dmarc.h"
#include "io.h"
#include "mime.h"
#include "spf.h"

#include <errno.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "dmarc",
	.summary = "check a message against its author domain's DMARC policy; aggregate reports",
	.usage =
	"Usage: ember dmarc [--ip IP --helo HOST --sender ADDR] [--dns HOST[:PORT]]\n"
	"                   [--json] [--ar [--authserv-id ID]] [--rfc7489] [FILE]\n"
	"       ember dmarc report [--org-name NAME] [--email ADDR] [--report-id ID]\n"
	"                          [--domain DOMAIN] [--begin T --end T] [FILE]\n"
	"Reads a message (FILE, default stdin) and prints the DMARC verdict of its\n"
	"author domain (RFC 9989) on a first line:\n"
	"  dmarc=RESULT header.from=DOMAIN policy=POLICY disposition=DISPOSITION\n"
	"then the details. The spf= and dkim= results of the Authentication-Results\n"
	"fields whose authserv-id is ours, in the run of such fields at the top of\n"
	"the header, are used (one further down came with the message: ignored);\n"
	"what they do not give is\n"
	"computed: DKIM from the message's signatures, SPF when --ip is given.\n"
	"      --ip IP            the client's address, for an SPF check\n"
	"      --helo HOST        the HELO/EHLO name (the SPF identity of a null sender)\n"
	"      --sender ADDR      the MAIL FROM address ('' or <>: the null sender)\n"
	"      --dns HOST[:PORT]  the DNS server (default $EMBER_DNS, else the system's)\n"
	"      --json             one JSON object (what ember dmarc report reads)\n"
	"      --ar               a filter: the message with an Authentication-Results\n"
	"                         field prepended (RFC 8601), every other byte unchanged\n"
	"      --authserv-id ID   our authserv-id: the fields trusted, and the one written\n"
	"                         (default: the host name)\n"
	"      --rfc7489          RFC 7489: the organizational domain from the public\n"
	"                         suffix list (Debian's), pct= honoured, no Tree Walk\n"
	"      --random N         pct= sampling's number, 0 to 99 (default: drawn)\n"
	"      --time SECONDS     the clock for DKIM's t= and x= (default now)\n"
	"report: JSON lines, as --json writes them, to an RFC 9990 aggregate report\n"
	"(XML) on stdout, for one policy domain.\n"
	"      --org-name NAME    the reporting organization (default: the host name)\n"
	"      --email ADDR       its contact (default: postmaster@ the host name)\n"
	"      --report-id ID     (default: DOMAIN!BEGIN!END)\n"
	"      --domain DOMAIN    the policy domain to report (needed when the lines\n"
	"                         hold several)\n"
	"      --begin T, --end T the period, seconds (default: the lines' times)\n"
	"  -h, --help, --version\n"
	"Exit status: 0 pass; 1 fail, none or permerror; 75 temperror; 64 usage; 65 a\n"
	"header that cannot be read (report: a line that is not a result); 66 a file\n"
	"that cannot be read; with --ar, 0.\n",
};

enum {
	OPT_IP = 0x100, OPT_HELO, OPT_SENDER, OPT_DNS, OPT_JSON, OPT_AR, OPT_AUTHSERV, OPT_7489,
	OPT_RANDOM, OPT_TIME, OPT_ORG, OPT_EMAIL, OPT_RID, OPT_DOMAIN, OPT_BEGIN, OPT_END,
};

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

static char *xstrdup(const char *s)
{
	char *c = strdup(s ? s : "");
	if (!c)
		oom();
	return c;
}

static long long number(const char *opt, const char *arg, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (end == arg || *end || errno || v < 0 || v > max)
		cli_usage_error("%s: not a number up to %lld: '%s'", opt, max, arg);
	return v;
}

/* ---- what the message says -------------------------------------------------- */

struct msg {
	const char *authserv;
	struct mime_author author;
	char *from_value;            /* the first From field's value */
	int have_spf;                /* a trusted spf= result */
	enum dmarc_auth spf;
	char *spf_domain;            /* its smtp.mailfrom's domain, or smtp.helo */
	int spf_helo;
	int have_dkim;               /* a trusted dkim= result */
	struct ac_dmarc dm;          /* what DMARC is given */
	unsigned trusted, ignored;   /* Authentication-Results fields */
	unsigned forged;             /* ours, but below the top (DESIGN.md 4) */
	struct mime_hop hop;         /* which fields this hop wrote */
	int below_top;               /* the field read now is not */
};

static const char *prop(const struct mime_authres_result *r, const char *ptype, const char *name)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (!mime_ascii_casecmp(r->props[i].ptype, ptype) && !mime_ascii_casecmp(r->props[i].name, name))
			return r->props[i].value;
	return NULL;
}

static const char *after_at(const char *s)
{
	const char *at = s ? strrchr(s, '@') : NULL;
	return at ? at + 1 : s;
}

/* RFC 8601 5: only our own authserv-id's fields are trusted, and of
 * those only the ones this hop wrote: the run of Authentication-Results
 * and Received-SPF fields at the top of the header, which ember's filters
 * prepend above the Received field the receiving server put there. One
 * of ours further down came with the message: forged, and ignored. */
static void authres(struct msg *m, const struct mime_field *f)
{
	struct mime_authres *a = NULL;
	enum mime_status st = mime_authres_parse(f->value, f->value_len, &a);
	if (st == MIME_ENOMEM)
		oom();
	if (st || !mime_authres_id_is(a, m->authserv)) {
		m->ignored++;
		mime_authres_free(a);
		return;
	}
	if (m->below_top) {
		m->forged++;
		mime_authres_free(a);
		return;
	}
	m->trusted++;
	for (size_t i = 0; i < a->nresults; i++) {
		const struct mime_authres_result *r = &a->results[i];
		int res = dmarc_auth_parse(r->result, strlen(r->result));
		if (res < 0)
			continue;
		if (!mime_ascii_casecmp(r->method, "spf") && !m->have_spf) {
			const char *mf = prop(r, "smtp", "mailfrom"), *helo = prop(r, "smtp", "helo");
			m->have_spf = 1;
			m->spf = (enum dmarc_auth)res;
			m->spf_helo = !(mf && *after_at(mf));
			m->spf_domain = xstrdup(m->spf_helo ? helo : after_at(mf));
		} else if (!mime_ascii_casecmp(r->method, "dkim")) {
			const char *d = prop(r, "header", "d");
			if (!d)
				d = after_at(prop(r, "header", "i"));
			m->have_dkim = 1;
			if (d && ac_dmarc_add_dkim(&m->dm, d, prop(r, "header", "s"), (enum dmarc_auth)res))
				oom();
		}
	}
	mime_authres_free(a);
}

static void on_field(void *ctx, const struct mime_field *f)
{
	struct msg *m = ctx;
	mime_author_field(&m->author, f);
	if (mime_field_is(f, "From") && !m->from_value) {
		if (!(m->from_value = strndup(f->value, f->value_len)))
			oom();
	}
	m->below_top = !mime_hop_is_ours(&m->hop, f);
	if (mime_field_is(f, "Authentication-Results"))
		authres(m, f);
}

static void on_defect(void *ctx, const struct mime_field *d)
{
	struct msg *m = ctx;
	mime_author_defect(&m->author, d);
}

/* ---- DKIM and SPF, computed ----------------------------------------------------- */

static struct dkim_verifier *dkim_start(struct ac_job *j, struct io_dns *dns, struct spool *in,
					 int64_t now)
{
	struct dkim_verify_options o = {.now = now};
	struct dkim_verifier *v = dkim_verifier_new(&o);
	if (!v)
		oom();
	ac_job_init(j, &ac_dkim_ops, v, dns, NULL, NULL);
	spool_rewind(in);
	static char buf[1 << 16];
	size_t n;
	while ((n = spool_read(in, buf, sizeof buf)) > 0) {
		dkim_verifier_feed(v, buf, n);
		if (ac_ask(j) < 0)
			oom();
	}
	dkim_verifier_feed(v, NULL, 0);
	return v;
}

static int parse_ip(const char *s, struct spf_request *r)
{
	return spf_parse_address(s, strlen(s), &r->family, r->ip);
}

struct opts {
	const char *ip, *helo, *sender, *authserv;
	int json, ar, rfc7489, random_set;
	unsigned random;
	int64_t now;
	struct io_dns_options dns;
};

static const char *tag_name(enum dmarc_tag t)
{
	return t == DMARC_TAG_SP ? "sp" : t == DMARC_TAG_NP ? "np" : "p";
}

static void print_text(const struct dmarc_eval *e, const struct dmarc_outcome *o, const struct msg *m,
		       const struct dmarc_request *rq)
{
	printf("dmarc=%s header.from=%s policy=%s disposition=%s\n", dmarc_result_name(o->result),
	       o->from_domain, dmarc_policy_name(o->policy), dmarc_policy_name(o->disposition));
	/* several author domains (RFC 9989 11.5): each one's verdict */
	for (size_t i = 0; o->nauthors > 1 && i < o->nauthors; i++) {
		const struct dmarc_outcome *a = dmarc_outcome_at(e, i);
		if (a)
			printf("author domain %s: dmarc=%s policy=%s disposition=%s\n", a->from_domain,
			       dmarc_result_name(a->result), dmarc_policy_name(a->policy),
			       dmarc_policy_name(a->disposition));
	}
	if (o->problem_text && *o->problem_text)
		printf("reason: %s\n", o->problem_text);
	if (o->policy_domain && o->record_text)
		printf("policy: %s=%s from _dmarc.%s%s%s: %s\n", tag_name(o->policy_tag),
		       dmarc_policy_name(o->policy), o->policy_domain, o->testing ? " (testing: t=y)" : "",
		       o->sampled_out ? " (left out by pct=)" : o->as_none ? " (no valid p=: as p=none)" : "",
		       o->record_text);
	if (o->org_domain)
		printf("organizational domain: %s%s\n", o->org_domain, o->nonexistent ? " (the author domain does not exist)" : "");
	for (size_t i = 0; i < rq->ndkim; i++) {
		const struct dmarc_dkim *d = &rq->dkim[i];
		int al = o->dkim_aligned && o->dkim_domain && dmarc_domain_eq(o->dkim_domain, d->domain) &&
			 d->result == DMARC_AUTH_PASS;
		printf("dkim: %s d=%s%s%s%s\n", dmarc_auth_name(d->result), d->domain, d->selector ? " s=" : "",
		       d->selector ? d->selector : "", al ? " (aligned)" : "");
	}
	if (!rq->ndkim)
		printf("dkim: none\n");
	printf("spf: %s%s%s%s%s\n", dmarc_auth_name(rq->spf), o->spf_domain ? (o->spf_helo ? " smtp.helo=" : " smtp.mailfrom=") : "",
	       o->spf_domain ? o->spf_domain : "", o->spf_aligned ? " (aligned)" : "",
	       m->have_spf ? " (from Authentication-Results)" : "");
}

static void print_json(const struct dmarc_eval *e, const struct dmarc_outcome *o,
		       const struct dmarc_request *rq, const char *file, const struct opts *op)
{
	int first = 1;
	putchar('{');
	json_kv_str(stdout, &first, "file", file);
	json_kv_str(stdout, &first, "result", dmarc_result_name(o->result));
	json_kv_str(stdout, &first, "header_from", o->from_domain);
	json_kv_str(stdout, &first, "policy", dmarc_policy_name(o->policy));
	json_kv_str(stdout, &first, "disposition", dmarc_policy_name(o->disposition));
	json_kv_str(stdout, &first, "policy_tag", o->record ? tag_name(o->policy_tag) : NULL);
	json_kv_str(stdout, &first, "policy_domain", o->policy_domain);
	json_kv_str(stdout, &first, "org_domain", o->org_domain);
	json_kv_str(stdout, &first, "record", o->record_text);
	printf(",\"testing\":%s,\"sampled_out\":%s,\"nonexistent\":%s", o->testing ? "true" : "false",
	       o->sampled_out ? "true" : "false", o->nonexistent ? "true" : "false");
	printf(",\"dkim_aligned\":%s,\"spf_aligned\":%s", o->dkim_aligned ? "true" : "false",
	       o->spf_aligned ? "true" : "false");
	json_kv_str(stdout, &first, "discovery", op->rfc7489 ? "psl" : "treewalk");
	json_kv_str(stdout, &first, "reason", o->problem_text && *o->problem_text ? o->problem_text : NULL);
	json_kv_str(stdout, &first, "source_ip", op->ip);
	json_kv_u64(stdout, &first, "time", (unsigned long long)op->now);
	fputs(",\"spf\":{", stdout);
	int f2 = 1;
	json_kv_str(stdout, &f2, "result", dmarc_auth_name(rq->spf));
	json_kv_str(stdout, &f2, "domain", o->spf_domain);
	json_kv_str(stdout, &f2, "scope", o->spf_domain ? (o->spf_helo ? "helo" : "mfrom") : NULL);
	fputs("},\"dkim\":[", stdout);
	for (size_t i = 0; i < rq->ndkim; i++) {
		int f3 = 1;
		printf("%s{", i ? "," : "");
		json_kv_str(stdout, &f3, "domain", rq->dkim[i].domain);
		json_kv_str(stdout, &f3, "selector", rq->dkim[i].selector);
		json_kv_str(stdout, &f3, "result", dmarc_auth_name(rq->dkim[i].result));
		putchar('}');
	}
	fputs("]", stdout);
	if (o->nauthors > 1) {
		fputs(",\"authors\":[", stdout);
		for (size_t i = 0; i < o->nauthors; i++) {
			const struct dmarc_outcome *a = dmarc_outcome_at(e, i);
			int f4 = 1;
			if (!a)
				continue;
			printf("%s{", i ? "," : "");
			json_kv_str(stdout, &f4, "header_from", a->from_domain);
			json_kv_str(stdout, &f4, "result", dmarc_result_name(a->result));
			json_kv_str(stdout, &f4, "policy", dmarc_policy_name(a->policy));
			json_kv_str(stdout, &f4, "disposition", dmarc_policy_name(a->disposition));
			putchar('}');
		}
		putchar(']');
	}
	fputs("}\n", stdout);
}


static void filter_ar(struct spool *in, const struct dmarc_outcome *o, const char *authserv,
		      const char *where)
{
	struct ac_results r = {0};
	struct mime_buf field = {0};
	if (ac_add_dmarc(&r, o))
		oom();
	if (ac_results_field(&r, authserv, &field))
		cli_die(EX_USAGE, NULL, "--authserv-id: cannot be written: '%s'", authserv);
	spool_rewind(in);
	cli_prepend(field.data, field.len, spool_reader, in, where);
	mime_buf_free(&field);
	ac_results_free(&r);
}

static int do_check(const struct opts *op, const char *path)
{
	const char *where = strcmp(path, "-") ? path : "stdin";
	FILE *f = cli_open(path);
	struct spool in;
	spool_open(&in, f, where);
	struct msg m = {.authserv = op->authserv};
	mime_author_init(&m.author);
	struct cli_fields cb = {.field = on_field, .defect = on_defect, .ctx = &m, .quiet = 1};
	int hst = cli_read_fields(in.f, where, &cb);
	mime_author_finish(&m.author);
	if (m.forged)
		cli_warn(where, "%u Authentication-Results field%s of %s below the top of the header: "
			 "not written by this hop, ignored", m.forged, m.forged > 1 ? "s" : "", op->authserv);
	char err[256];
	struct io_dns *dns = io_dns_new(&op->dns, err, sizeof err);
	if (!dns)
		cli_die(EX_USAGE, NULL, "%s", err);
	/* DKIM and SPF, when no trusted field gave them; asked together */
	struct dkim_verifier *dv = NULL;
	struct spf_eval *se = NULL;
	struct ac_job dj, sj;
	struct spf_request sr = {.now = op->now, .receiver = op->authserv};
	const char *sender = op->sender && strcmp(op->sender, "<>") ? op->sender : NULL;
	if (!m.have_dkim && !hst)
		dv = dkim_start(&dj, dns, &in, op->now);
	if (!m.have_spf && op->ip) {
		if (parse_ip(op->ip, &sr) < 0)
			cli_usage_error("--ip: not an IPv4 or IPv6 address: '%s'", op->ip);
		sr.sender = sender && *sender ? sender : NULL;
		sr.helo = op->helo;
		sr.identity = sr.sender ? SPF_MAILFROM : SPF_HELO;
		if (!(se = spf_eval_new(&sr, NULL)))
			oom();
		ac_job_init(&sj, &ac_spf_ops, se, dns, NULL, NULL);
	}
	struct ac_job *jobs[2] = {dv ? &dj : NULL, se ? &sj : NULL};
	if (ac_wait(dns, jobs, 2))
		cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
	if (dv) {
		if (!dj.done)
			cli_die(EX_SOFTWARE, where, "the DKIM verifier did not finish");
		if (ac_dmarc_add_verifier(&m.dm, dv))
			oom();
	}
	if (se ? ac_dmarc_spf_outcome(&m.dm, spf_outcome(se), op->helo)
	       : ac_dmarc_spf(&m.dm, m.spf, m.spf_domain, m.spf_helo, op->helo))
		oom();
	/* the author, from lib/mime's one reader */
	if (ac_dmarc_author(&m.dm, &m.author, m.from_value, m.from_value ? strlen(m.from_value) : 0,
			    hst != 0))
		oom();
	psl_ctx_t *psl = NULL;
	if (op->rfc7489 && !(psl = ac_psl_load()))
		cli_die(EX_UNAVAILABLE, NULL, "--rfc7489: no public suffix list");
	struct dmarc_request rq = m.dm.rq;
	rq.flags = op->rfc7489 ? DMARC_RFC7489 : 0;
	rq.psl = psl;
	rq.random = op->random_set ? op->random : ac_dmarc_random();
	struct dmarc_eval *e = dmarc_eval_new(&rq);
	if (!e)
		oom();
	struct ac_job ej;
	ac_job_init(&ej, &ac_dmarc_ops, e, dns, NULL, NULL);
	struct ac_job *ejobs[1] = {&ej};
	if (ac_wait(dns, ejobs, 1))
		cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
	const struct dmarc_outcome *o = dmarc_outcome(e);
	enum dmarc_result res = o->result;
	if (op->ar)
		filter_ar(&in, o, op->authserv, where);
	else if (op->json)
		print_json(e, o, &rq, path, op);
	else
		print_text(e, o, &m, &rq);
	cli_flush_stdout();
	dmarc_eval_free(e);
	psl_free(psl);
	dkim_verifier_free(dv);
	spf_eval_free(se);
	io_dns_free(dns);
	ac_dmarc_free(&m.dm);
	free(m.spf_domain);
	free(m.from_value);
	mime_author_free(&m.author);
	spool_close(&in);
	if (f != stdin)
		fclose(f);
	if (op->ar)
		return 0;
	return res == DMARC_PASS ? 0 : res == DMARC_TEMPERROR ? EX_TEMPFAIL : 1;
}

/* ---- report ------------------------------------------------------------------------- */

static enum dmarc_policy policy_of(const char *s)
{
	if (!s)
		return DMARC_P_NONE;
	if (!strcmp(s, "reject"))
		return DMARC_P_REJECT;
	if (!strcmp(s, "quarantine"))
		return DMARC_P_QUARANTINE;
	return DMARC_P_NONE;
}

static enum dmarc_auth auth_of(const char *s)
{
	int r = s ? dmarc_auth_parse(s, strlen(s)) : -1;
	return r < 0 ? DMARC_AUTH_NONE : (enum dmarc_auth)r;
}

static enum dmarc_result result_of(const char *s)
{
	static const enum dmarc_result all[] = {DMARC_NONE, DMARC_PASS, DMARC_FAIL, DMARC_TEMPERROR,
						DMARC_PERMERROR};
	for (size_t i = 0; s && i < sizeof all / sizeof *all; i++)
		if (!strcmp(s, dmarc_result_name(all[i])))
			return all[i];
	return DMARC_NONE;
}

static int do_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"org-name", required_argument, NULL, OPT_ORG}, {"email", required_argument, NULL, OPT_EMAIL},
		{"report-id", required_argument, NULL, OPT_RID}, {"domain", required_argument, NULL, OPT_DOMAIN},
		{"begin", required_argument, NULL, OPT_BEGIN}, {"end", required_argument, NULL, OPT_END},
		{NULL, 0, NULL, 0},
	};
	const char *org = NULL, *email = NULL, *rid = NULL, *domain = NULL;
	int64_t begin = 0, end = 0;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_ORG: org = optarg; break;
		case OPT_EMAIL: email = optarg; break;
		case OPT_RID: rid = optarg; break;
		case OPT_DOMAIN: domain = optarg; break;
		case OPT_BEGIN: begin = number("--begin", optarg, 99999999999LL); break;
		case OPT_END: end = number("--end", optarg, 99999999999LL); break;
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one stream of results at a time");
	if ((begin != 0) != (end != 0) || end < begin)
		cli_usage_error("--begin and --end go together, in order");
	const char *path = optind < argc ? argv[optind] : "-";
	const char *where = strcmp(path, "-") ? path : "stdin";
	static char host[256];
	if (gethostname(host, sizeof host - 1) || !*host)
		strcpy(host, "localhost");
	char email_buf[300];
	snprintf(email_buf, sizeof email_buf, "postmaster@%s", host);
	FILE *f = cli_open(path);
	struct dmarc_report *rep = dmarc_report_new();
	if (!rep)
		oom();
	char *line = NULL, *dom = domain ? xstrdup(domain) : NULL, *record = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rfc7489 = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		struct jv v;
		const char *err;
		if (jv_parse(line, (size_t)n, &v, &err) || v.type != JV_OBJ) {
			char at[4096];
			snprintf(at, sizeof at, "%s:%lu", where, lineno);
			cli_die(EX_DATAERR, at, "not a JSON object: %s", v.type != JV_OBJ ? "not an object" : err);
		}
		const char *pd = jv_get_str(&v, "policy_domain"), *hf = jv_get_str(&v, "header_from");
		if (!pd || !hf) {  /* no policy: nothing to report to anyone */
			jv_free(&v);
			continue;
		}
		if (!dom)
			dom = xstrdup(pd);
		if (mime_ascii_casecmp(dom, pd)) {
			if (domain) {
				jv_free(&v);
				continue;
			}
			char at[4096];
			snprintf(at, sizeof at, "%s:%lu", where, lineno);
			cli_die(EX_USAGE, at, "a second policy domain (%s after %s): give --domain", pd, dom);
		}
		const char *rec = jv_get_str(&v, "record");
		if (rec && !record)
			record = xstrdup(rec);
		const char *disc = jv_get_str(&v, "discovery");
		rfc7489 = disc && !strcmp(disc, "psl");
		const struct jv *spf = jv_get(&v, "spf"), *dkim = jv_get(&v, "dkim");
		size_t nd = dkim && dkim->type == JV_ARR ? dkim->n : 0;
		struct dmarc_dkim *dk = calloc(nd ? nd : 1, sizeof *dk);
		if (!dk)
			oom();
		for (size_t i = 0; i < nd; i++)
			dk[i] = (struct dmarc_dkim){jv_get_str(&dkim->items[i], "domain"),
						    jv_get_str(&dkim->items[i], "selector"),
						    auth_of(jv_get_str(&dkim->items[i], "result"))};
		const char *scope = jv_get_str(spf, "scope");
		enum dmarc_result result = result_of(jv_get_str(&v, "result"));
		enum dmarc_policy disp = policy_of(jv_get_str(&v, "disposition"));
		enum dmarc_policy pol = policy_of(jv_get_str(&v, "policy"));
		/* RFC 9990's override types; RFC 7489's sampled_out is "other" there */
		const char *reason = NULL, *comment = NULL;
		if (result == DMARC_FAIL && disp != pol) {
			int sampled = jv_get_bool(&v, "sampled_out");
			reason = !sampled && jv_get_bool(&v, "testing") ? "policy_test_mode" : "other";
			comment = sampled ? "sampled out by pct= (RFC 7489)" : NULL;
		}
		const struct jv *t = jv_get(&v, "time");
		struct dmarc_report_row row = {
			.source_ip = jv_get_str(&v, "source_ip"), .header_from = hf,
			.envelope_from = scope && !strcmp(scope, "mfrom") ? jv_get_str(spf, "domain") : NULL,
			.result = result, .disposition = disp,
			.dkim_aligned = jv_get_bool(&v, "dkim_aligned"), .spf_aligned = jv_get_bool(&v, "spf_aligned"),
			.reason_type = reason, .reason_comment = comment, .dkim = dk, .ndkim = nd,
			.spf_domain = jv_get_str(spf, "domain"), .spf_helo = scope && !strcmp(scope, "helo"),
			.spf = auth_of(jv_get_str(spf, "result")),
			.time = t && t->type == JV_NUM ? (int64_t)t->num : 0,
		};
		if (!row.source_ip)
			row.source_ip = "";
		if (dmarc_report_add(rep, &row))
			oom();
		free(dk);
		jv_free(&v);
	}
	if (ferror(f))
		cli_die(EX_IOERR, where, "read error: %s", strerror(errno));
	if (!dmarc_report_rows(rep))
		cli_die(EX_DATAERR, where, "no result with a DMARC policy to report");
	struct dmarc_record pr;
	int have_pr = record && dmarc_record_parse(record, strlen(record), rfc7489 ? DMARC_RFC7489 : 0, &pr,
						   NULL, NULL) == DMARC_OK;
	char rid_buf[600];
	if (!begin && !end)
		dmarc_report_range(rep, &begin, &end);
	if (!rid) {
		snprintf(rid_buf, sizeof rid_buf, "%s!%lld!%lld", dom, (long long)begin, (long long)end);
		rid = rid_buf;
	}
	struct dmarc_report_meta meta = {
		.org_name = org ? org : host, .email = email ? email : email_buf, .report_id = rid,
		.begin = begin, .end = end, .domain = dom, .policy = have_pr ? &pr : NULL, .rfc7489 = rfc7489,
	};
	struct mime_buf out = {0};
	if (dmarc_report_xml(rep, &meta, &out))
		oom();
	cli_write(stdout, out.data, out.len);
	cli_flush_stdout();
	mime_buf_free(&out);
	dmarc_report_free(rep);
	free(line);
	free(dom);
	free(record);
	if (f != stdin)
		fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "report"))
		return do_report(argc - 1, argv + 1);
	static const struct option longopts[] = {
		{"ip", required_argument, NULL, OPT_IP}, {"helo", required_argument, NULL, OPT_HELO},
		{"sender", required_argument, NULL, OPT_SENDER}, {"dns", required_argument, NULL, OPT_DNS},
		{"json", no_argument, NULL, OPT_JSON}, {"ar", no_argument, NULL, OPT_AR},
		{"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{"rfc7489", no_argument, NULL, OPT_7489}, {"random", required_argument, NULL, OPT_RANDOM},
		{"time", required_argument, NULL, OPT_TIME}, {NULL, 0, NULL, 0},
	};
	struct opts op = {0};
	const char *t = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_IP: op.ip = optarg; break;
		case OPT_HELO: op.helo = optarg; break;
		case OPT_SENDER: op.sender = optarg; break;
		case OPT_DNS: op.dns.server = optarg; break;
		case OPT_JSON: op.json = 1; break;
		case OPT_AR: op.ar = 1; break;
		case OPT_AUTHSERV: op.authserv = optarg; break;
		case OPT_7489: op.rfc7489 = 1; break;
		case OPT_RANDOM: op.random = (unsigned)number("--random", optarg, 99); op.random_set = 1; break;
		case OPT_TIME: t = optarg; break;
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one message at a time");
	if (op.ar && op.json)
		cli_usage_error("--ar and --json go one at a time");
	if (op.ip && !op.helo && !(op.sender && *op.sender && strcmp(op.sender, "<>")))
		cli_usage_error("--ip needs --helo (or a --sender)");
	if ((op.helo || op.sender) && !op.ip)
		cli_usage_error("--helo and --sender go with --ip");
	static char host[256];
	if (!op.authserv) {
		if (gethostname(host, sizeof host - 1) || !*host)
			strcpy(host, "localhost");
		op.authserv = host;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	op.now = t ? number("--time", t, 99999999999LL)
		   : sde && *sde ? number("SOURCE_DATE_EPOCH", sde, 99999999999LL) : (int64_t)time(NULL);
	return do_check(&op, optind < argc ? argv[optind] : "-");
}
