/* ember spf: check a client against SPF (lib/spf; DNS through lib/io's
 * c-ares adapter), as a verdict, as JSON, or as a filter that prepends
 * Received-SPF or Authentication-Results; --analyze re-runs the checks a
 * message's Received-SPF fields recorded. */
#include "authcheck.h"
#include "cli.h"
#include "fields.h"
#include "json.h"
#include "io.h"
#include "mime.h"
#include "spf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "spf",
	.summary = "check a client's address against SPF (RFC 7208)",
	.usage =
	"Usage: ember spf --ip IP --helo HOST [--sender ADDR] [--dns HOST[:PORT]]\n"
	"                 [--json] [--received-spf | --ar [--authserv-id ID]] [FILE]\n"
	"       ember spf --received-by HOST [--sender ADDR] [...] [FILE]\n"
	"       ember spf --analyze [--dns HOST[:PORT]] [FILE]\n"
	"Checks the MAIL FROM identity (the HELO identity when there is no sender or\n"
	"a null one) and prints the result as the first word (pass, fail, softfail,\n"
	"neutral, none, temperror, permerror), the identity and domain checked, then\n"
	"the explanation (fail), the term that matched, or the problem.\n"
	"      --ip IP            the client's address (IPv4 or IPv6)\n"
	"      --helo HOST        the HELO/EHLO name\n"
	"      --sender ADDR      the MAIL FROM address ('' or <>: the null sender)\n"
	"      --received-by HOST the client's IP and HELO name from the Received field\n"
	"                         HOST wrote on top of the message (ember srv --hostname\n"
	"                         HOST: Return-Path, then Received with by HOST, as the\n"
	"                         first two fields), the sender from that Return-Path\n"
	"      --dns HOST[:PORT]  the DNS server (default $EMBER_DNS, else the system's)\n"
	"      --json             one JSON object, with the result of both identities\n"
	"      --received-spf     a filter: the message (FILE, default stdin) with a\n"
	"                         Received-SPF field (RFC 7208 9.1) prepended, every\n"
	"                         other byte unchanged\n"
	"      --ar               a filter, with an Authentication-Results field (RFC 8601)\n"
	"      --authserv-id ID   the authserv-id, and the receiver named in Received-SPF\n"
	"                         (default: the host name)\n"
	"      --analyze          for each Received-SPF field of the message, the result\n"
	"                         it recorded and the result of the same check now\n"
	"      --time SECONDS     the clock (%{t} of explanations; default now)\n"
	"  -h, --help, --version\n"
	"Exit status: 0 pass; 1 any other result; 75 temperror; 64 usage; 66 a file\n"
	"that cannot be read; with --ar or --received-spf, 0. --analyze: 0 when every\n"
	"recorded result is the current one, 1 when one differs or there is none.\n",
};

enum { OPT_IP = 0x100, OPT_HELO, OPT_SENDER, OPT_DNS, OPT_JSON, OPT_RSPF, OPT_AR, OPT_AUTHSERV,
       OPT_ANALYZE, OPT_TIME, OPT_RECEIVED_BY };

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* Run every evaluation to its end, their questions in flight together. */
static void drive(struct io_dns *dns, struct spf_eval **ev, size_t n)
{
	struct ac_job *jobs = calloc(n ? n : 1, sizeof *jobs);
	struct ac_job **jp = calloc(n ? n : 1, sizeof *jp);
	if (!jobs || !jp)
		oom();
	for (size_t i = 0; i < n; i++) {
		ac_job_init(&jobs[i], &ac_spf_ops, ev[i], dns, NULL, NULL);
		jp[i] = &jobs[i];
	}
	if (ac_wait(dns, jp, n))
		cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
	free(jobs);
	free(jp);
}

/* An address given as U-labels: its domain as A-labels (SPF names are
 * DNS names). */
static char *ascii_domain(const char *what, const char *s)
{
	int bad;
	char *a = ac_ascii_domain(s, &bad);
	if (!a && bad)
		cli_usage_error("%s: not a valid domain name: '%s'", what, s);
	if (!a)
		oom();
	return a;
}

static int parse_ip(const char *s, struct spf_request *r)
{
	return spf_parse_address(s, strlen(s), &r->family, r->ip);
}

static int64_t clock_now(const char *given)
{
	if (!given)
		return (int64_t)time(NULL);
	char *end;
	errno = 0;
	long long v = strtoll(given, &end, 10);
	if (errno || *end || end == given || v < 0)
		cli_usage_error("--time: not a number of seconds: '%s'", given);
	return (int64_t)v;
}

static const char *ident_name(enum spf_identity i) { return i == SPF_HELO ? "helo" : "mailfrom"; }

/* "pass mailfrom example.com: ..." */
static void print_line(const struct spf_outcome *o)
{
	printf("%s %s %s", spf_result_name(o->result), ident_name(o->identity), o->domain);
	if (o->explanation)
		printf(": %s", o->explanation);
	else if (o->problem_text && *o->problem_text)
		printf(": %s", o->problem_text);
	else if (o->mechanism)
		printf(": matched %s%s%s", o->mechanism, o->record_domain ? " in " : "",
		       o->record_domain ? o->record_domain : "");
	putchar('\n');
}

static void json_outcome(const char *key, const struct spf_outcome *o, int *first)
{
	if (!*first)
		putchar(',');
	*first = 0;
	json_str(stdout, key, strlen(key));
	putchar(':');
	if (!o) {
		fputs("null", stdout);
		return;
	}
	int f = 1;
	putchar('{');
	json_kv_str(stdout, &f, "result", spf_result_name(o->result));
	json_kv_str(stdout, &f, "domain", o->domain);
	json_kv_str(stdout, &f, "mechanism", o->mechanism);
	json_kv_str(stdout, &f, "record_domain", o->record_domain);
	json_kv_str(stdout, &f, "explanation", o->explanation);
	json_kv_str(stdout, &f, "problem", o->problem_text);
	json_kv_u64(stdout, &f, "dns_terms", o->dns_terms);
	json_kv_u64(stdout, &f, "void_lookups", o->void_lookups);
	putchar('}');
}


static size_t file_reader(void *ctx, char *buf, size_t n)
{
	size_t got = fread(buf, 1, n, ctx);
	if (got == 0 && ferror((FILE *)ctx))
		cli_die(EX_IOERR, NULL, "read: %s", strerror(errno));
	return got;
}

/* The filter: the field on top of the message, every other byte as it came. */
struct replay;
static size_t replay_reader(void *ctx, char *buf, size_t n);
static struct replay *replayed; /* --received-by: the message already opened */

static void prepend(const char *path, const char *field, size_t len)
{
	if (replayed) {
		cli_prepend(field, len, replay_reader, replayed, strcmp(path, "-") ? path : "stdin");
		cli_flush_stdout();
		return;
	}
	FILE *f = cli_open(path);
	cli_prepend(field, len, file_reader, f, strcmp(path, "-") ? path : "stdin");
	if (f != stdin)
		fclose(f);
	cli_flush_stdout();
}

static void filter_ar(const char *path, const char *authserv, const struct spf_outcome *o,
		      const char *sender, const char *helo)
{
	struct ac_results r = {0};
	struct mime_buf field = {0};
	if (ac_add_spf(&r, o, sender, helo))
		oom();
	if (ac_results_field(&r, authserv, &field))
		cli_die(EX_USAGE, NULL, "--authserv-id: cannot be written: '%s'", authserv);
	prepend(path, field.data, field.len);
	mime_buf_free(&field);
	ac_results_free(&r);
}

static void filter_received(const char *path, const char *receiver, const struct spf_outcome *o,
			    const struct spf_request *req)
{
	static char field[4096];
	size_t len = spf_received_field(o, req, receiver, field, sizeof field);
	if (!len)
		cli_die(EX_USAGE, NULL, "the Received-SPF field does not fit (names too long)");
	prepend(path, field, len);
}

/* --received-by: the message is read through this, its first bytes (the
 * header's top, read to find the trace fields) given back first. */
struct replay {
	FILE *f;
	char *head;
	size_t len, off;
};

static size_t replay_reader(void *ctx, char *buf, size_t n)
{
	struct replay *r = ctx;
	if (r->off < r->len) {
		size_t k = r->len - r->off < n ? r->len - r->off : n;
		memcpy(buf, r->head + r->off, k);
		r->off += k;
		return k;
	}
	return file_reader(r->f, buf, n);
}

struct trace {
	char *ip, *helo, *sender;
};

/* RFC 5321 4.4: at delivery ember srv writes Return-Path, then its own
 * Received ("from HELO ([IP]) by HOST ..."), above every byte received.
 * Only that pair is taken, and only when it is the first two fields and
 * the Received field names HOST: any further one came with the message,
 * and anybody can write one. */
static void trace_take(const char *where, const char *by, int i, const struct mime_field *f,
		       struct trace *t)
{
	if (i == 0) {
		if (!mime_field_is(f, "Return-Path"))
			cli_die(EX_DATAERR, where, "--received-by: the first field is not Return-Path");
		const char *v = f->value, *e = v + f->value_len;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
			e--;
		if (e - v < 2 || *v != '<' || e[-1] != '>')
			cli_die(EX_DATAERR, where, "--received-by: Return-Path is not <ADDRESS> or <>");
		if (!(t->sender = strndup(v + 1, (size_t)(e - v - 2))))
			oom();
		return;
	}
	if (!mime_field_is(f, "Received"))
		cli_die(EX_DATAERR, where, "--received-by: the second field is not Received");
	struct mime_received r;
	if (mime_received_parse(f->value, f->value_len, &r, NULL))
		oom();
	if (!r.by.value || mime_ascii_casecmp(r.by.value, by))
		cli_die(EX_DATAERR, where, "--received-by: the top Received field is not by %s", by);
	const char *lb = r.from.info ? strrchr(r.from.info, '[') : NULL;
	const char *rb = lb ? strchr(lb, ']') : NULL;
	if (!r.from.value || !lb || !rb)
		cli_die(EX_DATAERR, where, "--received-by: the top Received field has no from ([IP])");
	lb++;
	if (rb - lb > 5 && mime_ascii_caseeq(lb, 5, "IPv6:", 5))
		lb += 5;
	if (!(t->ip = strndup(lb, (size_t)(rb - lb))))
		oom();
	/* ember srv writes "unknown" for a HELO name it would not repeat */
	if (strcmp(r.from.value, "unknown") && !(t->helo = strdup(r.from.value)))
		oom();
	mime_received_free(&r);
}

static void read_trace(FILE *f, const char *where, const char *by, struct replay *rp,
		       struct trace *t)
{
	struct mime_hdr_reader *rd = mime_hdr_reader_new(NULL);
	if (!rd)
		oom();
	size_t cap = 0;
	int seen = 0;
	*rp = (struct replay){.f = f};
	while (seen < 2) {
		if (rp->len + 4096 > cap) {
			cap = cap ? 2 * cap : 8192;
			if (cap > (1u << 20))
				cli_die(EX_DATAERR, where, "--received-by: no trace fields in the first MB");
			if (!(rp->head = realloc(rp->head, cap)))
				oom();
		}
		size_t got = file_reader(f, rp->head + rp->len, 4096);
		mime_hdr_reader_feed(rd, rp->head + rp->len, got);
		rp->len += got;
		struct mime_field fl;
		enum mime_hdr_ev ev;
		while (seen < 2 && (ev = mime_hdr_reader_next(rd, &fl)) != MIME_HDR_AWAIT) {
			if (ev == MIME_HDR_END || ev == MIME_HDR_ERROR)
				cli_die(EX_DATAERR, where, "--received-by: %s",
					ev == MIME_HDR_ERROR ? fl.message : "no Return-Path and Received on top");
			if (ev == MIME_HDR_FIELD)
				trace_take(where, by, seen++, &fl, t);
		}
		if (got == 0 && seen < 2)
			cli_die(EX_DATAERR, where, "--received-by: no Return-Path and Received on top");
	}
	mime_hdr_reader_free(rd);
}

/* --analyze: each Received-SPF field, recorded and now. */
static int analyze(struct io_dns *dns, const char *path, int64_t now)
{
	FILE *f = cli_open(path);
	const char *where = strcmp(path, "-") ? path : "stdin";
	struct mime_hdr_limits lim = {.flags = MIME_HDR_MBOX_FROM};
	struct mime_hdr_reader *rd = mime_hdr_reader_new(&lim);
	if (!rd)
		oom();
	struct item { struct spf_received_info info; unsigned long line; struct spf_eval *e;
		      int bad; } *items = NULL;
	size_t n = 0, cap = 0;
	static char buf[1 << 16];
	int done = 0;
	while (!done) {
		size_t got = fread(buf, 1, sizeof buf, f);
		if (got == 0 && ferror(f))
			cli_die(EX_IOERR, where, "%s", strerror(errno));
		mime_hdr_reader_feed(rd, buf, got);
		struct mime_field fl;
		enum mime_hdr_ev ev;
		while ((ev = mime_hdr_reader_next(rd, &fl)) != MIME_HDR_AWAIT) {
			if (ev == MIME_HDR_END) {
				done = 1;
				break;
			}
			if (ev == MIME_HDR_ERROR)
				cli_die(EX_DATAERR, where, "line %lu: %s", fl.line, fl.message);
			if (ev != MIME_HDR_FIELD || !mime_field_is(&fl, "Received-SPF"))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				if (!(items = realloc(items, cap * sizeof *items)))
					oom();
			}
			struct item *it = &items[n++];
			memset(it, 0, sizeof *it);
			it->line = fl.line;
			it->bad = spf_received_parse(fl.value, fl.value_len, &it->info) < 0;
		}
		if (got == 0)
			done = 1;
	}
	if (f != stdin)
		fclose(f);
	mime_hdr_reader_free(rd);
	struct spf_eval **ev = calloc(n ? n : 1, sizeof *ev);
	struct spf_request *req = calloc(n ? n : 1, sizeof *req);
	char **senders = calloc(n ? n : 1, sizeof *senders);
	if (!ev || !req || !senders)
		oom();
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		if (it->bad)
			continue;
		req[i] = (struct spf_request){.helo = it->info.helo, .receiver = it->info.receiver,
					      .now = now};
		if (parse_ip(it->info.client_ip, &req[i]) < 0) {
			it->bad = 1;
			continue;
		}
		int helo_id = it->info.identity[0] ? strcmp(it->info.identity, "helo") == 0
						   : !it->info.envelope_from[0];
		if (!helo_id) {
			const char *s = it->info.envelope_from;
			size_t sl = strlen(s);
			if (sl >= 2 && s[0] == '<' && s[sl - 1] == '>') {
				if (!(senders[i] = strndup(s + 1, sl - 2)))
					oom();
				s = senders[i];
			}
			req[i].sender = s;
		}
		req[i].identity = helo_id ? SPF_HELO : SPF_MAILFROM;
		if (!(ev[i] = spf_eval_new(&req[i], NULL)))
			oom();
	}
	drive(dns, ev, n);
	int differ = n == 0;
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		if (it->bad) {
			printf("%s:%lu: recorded ?, now ?: the field does not parse\n", where, it->line);
			differ = 1;
			continue;
		}
		const struct spf_outcome *o = spf_outcome(ev[i]);
		int same = o->result == it->info.result;
		differ |= !same;
		printf("%s:%lu: recorded %s, now %s%s client-ip=%s identity=%s %s=%s\n", where, it->line,
		       spf_result_name(it->info.result), spf_result_name(o->result),
		       same ? "" : " (changed)", it->info.client_ip, ident_name(o->identity),
		       o->identity == SPF_HELO ? "helo" : "envelope-from",
		       o->identity == SPF_HELO ? it->info.helo : req[i].sender);
		spf_eval_free(ev[i]);
		free(senders[i]);
	}
	if (!n)
		fprintf(stderr, "ember spf: %s: no Received-SPF field\n", where);
	free(ev);
	free(req);
	free(senders);
	free(items);
	cli_flush_stdout();
	return differ ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ip", required_argument, NULL, OPT_IP}, {"helo", required_argument, NULL, OPT_HELO},
		{"sender", required_argument, NULL, OPT_SENDER}, {"dns", required_argument, NULL, OPT_DNS},
		{"json", no_argument, NULL, OPT_JSON}, {"received-spf", no_argument, NULL, OPT_RSPF},
		{"ar", no_argument, NULL, OPT_AR}, {"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{"analyze", no_argument, NULL, OPT_ANALYZE}, {"time", required_argument, NULL, OPT_TIME},
		{"received-by", required_argument, NULL, OPT_RECEIVED_BY},
		{NULL, 0, NULL, 0},
	};
	const char *ip = NULL, *helo = NULL, *sender = NULL, *authserv = NULL, *t = NULL,
		   *received_by = NULL;
	int json = 0, rspf = 0, ar = 0, do_analyze = 0;
	struct io_dns_options dns = {0};
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_IP: ip = optarg; break;
		case OPT_HELO: helo = optarg; break;
		case OPT_SENDER: sender = optarg; break;
		case OPT_DNS: dns.server = optarg; break;
		case OPT_JSON: json = 1; break;
		case OPT_RSPF: rspf = 1; break;
		case OPT_AR: ar = 1; break;
		case OPT_AUTHSERV: authserv = optarg; break;
		case OPT_ANALYZE: do_analyze = 1; break;
		case OPT_TIME: t = optarg; break;
		case OPT_RECEIVED_BY: received_by = optarg; break;
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one FILE at most");
	const char *path = optind < argc ? argv[optind] : "-";
	int64_t now = clock_now(t);
	char err[256];
	struct io_dns *d;
	if (do_analyze) {
		if (ip || helo || sender || json || rspf || ar || authserv || received_by)
			cli_usage_error("--analyze takes only --dns, --time and FILE");
		if (!(d = io_dns_new(&dns, err, sizeof err)))
			cli_die(EX_USAGE, NULL, "%s", err);
		int rc = analyze(d, path, now);
		io_dns_free(d);
		return rc;
	}
	static struct replay rp;
	struct trace tr = {0};
	if (received_by) {
		if (ip || helo)
			cli_usage_error("--received-by takes the IP and HELO name from the message: no --ip or --helo");
		FILE *f = cli_open(path);
		read_trace(f, strcmp(path, "-") ? path : "stdin", received_by, &rp, &tr);
		replayed = &rp;
		ip = tr.ip;
		helo = tr.helo;
		if (!sender)
			sender = tr.sender;
		if (!helo && !*sender)
			cli_die(EX_DATAERR, NULL, "--received-by: a null sender and no HELO name");
	}
	if (!ip)
		cli_usage_error("--ip is required");
	if (!helo && !(sender && *sender))
		cli_usage_error("--helo is required (or a --sender)");
	if (rspf + ar + json > 1)
		cli_usage_error("--json, --received-spf and --ar go one at a time");
	if (authserv && !(ar || rspf))
		cli_usage_error("--authserv-id goes with --ar or --received-spf");
	if (optind < argc && !(ar || rspf || received_by))
		cli_usage_error("FILE goes with --ar or --received-spf");
	struct spf_request req = {.now = now};
	if (parse_ip(ip, &req) < 0)
		cli_usage_error("--ip: not an IPv4 or IPv6 address: '%s'", ip);
	/* <> and "" are the null sender */
	if (sender && (!strcmp(sender, "<>") || !*sender))
		sender = NULL;
	char *sender_a = sender ? ascii_domain("--sender", sender) : NULL;
	char *helo_a = helo ? ascii_domain("--helo", helo) : NULL;
	static char host[256];
	if (!authserv) {
		if (gethostname(host, sizeof host - 1) || !*host)
			strcpy(host, "localhost");
		authserv = host;
	}
	req.helo = helo_a;
	req.receiver = authserv;
	if (!(d = io_dns_new(&dns, err, sizeof err)))
		cli_die(EX_USAGE, NULL, "%s", err);
	/* the identity that decides, and with --json the other one too */
	struct spf_request main_req = req, helo_req = req;
	main_req.sender = sender_a;
	main_req.identity = sender_a ? SPF_MAILFROM : SPF_HELO;
	helo_req.identity = SPF_HELO;
	struct spf_eval *ev[2] = {spf_eval_new(&main_req, NULL), NULL};
	if (!ev[0])
		oom();
	if (json && sender_a && helo_a && !(ev[1] = spf_eval_new(&helo_req, NULL)))
		oom();
	drive(d, ev, 2);
	const struct spf_outcome *o = spf_outcome(ev[0]);
	if (ar) {
		filter_ar(path, authserv, o, sender_a, helo_a);
	} else if (rspf) {
		filter_received(path, authserv, o, &main_req);
	} else if (json) {
		int first = 1;
		putchar('{');
		json_kv_str(stdout, &first, "result", spf_result_name(o->result));
		json_kv_str(stdout, &first, "identity", ident_name(o->identity));
		json_kv_str(stdout, &first, "ip", ip);
		json_kv_str(stdout, &first, "helo", helo_a);
		json_kv_str(stdout, &first, "sender", sender_a);
		fputs(",\"identities\":{", stdout);
		int f2 = 1;
		json_outcome("mailfrom", sender_a ? o : NULL, &f2);
		json_outcome("helo", sender_a ? (ev[1] ? spf_outcome(ev[1]) : NULL) : o, &f2);
		puts("}}");
	} else {
		print_line(o);
	}
	cli_flush_stdout();
	enum spf_result r = o->result;
	spf_eval_free(ev[0]);
	spf_eval_free(ev[1]);
	io_dns_free(d);
	free(sender_a);
	free(helo_a);
	free(tr.ip);
	free(tr.helo);
	free(tr.sender);
	free(rp.head);
	if (ar || rspf)
		return 0;
	return r == SPF_PASS ? 0 : r == SPF_TEMPERROR ? EX_TEMPFAIL : 1;
}
