/* ember arc: validate and seal ARC chains (RFC 8617; lib/dkim; keys from
 * DNS through lib/io's c-ares adapter). */
#include "authcheck.h"
#include "cli.h"
#include "json.h"
#include "spool.h"
#include "dkim.h"
#include "io.h"
#include "mime.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "arc",
	.summary = "validate and seal ARC chains (Authenticated Received Chain)",
	.usage =
	"Usage: ember arc verify [--dns HOST[:PORT]] [--json] [--ar [--authserv-id ID]]\n"
	"                        [FILE...]\n"
	"       ember arc sign -d DOMAIN -s SELECTOR -k KEYFILE [-a ALG] [--authserv-id ID]\n"
	"                      [-H NAME:NAME...] [--no-oversign] [--time SECONDS] [FILE]\n"
	"verify: the chain validation status of each message (stdin, or each FILE):\n"
	"pass, fail, none or temperror, with a reason, then one line per ARC set: its\n"
	"instance, cv=, and the results of its ARC-Message-Signature and ARC-Seal with\n"
	"their d= and s=; each line starts with FILE: when there are several. The keys\n"
	"of all the messages are asked for at once.\n"
	"      --dns HOST[:PORT]  the DNS server (default $EMBER_DNS, else the system's)\n"
	"      --json             one JSON object per message\n"
	"      --ar               a filter: the message with an Authentication-Results\n"
	"                         field prepended (arc=pass|fail|none, RFC 8617 10.1),\n"
	"                         every other byte unchanged\n"
	"      --authserv-id ID   the Authentication-Results authserv-id (default: the\n"
	"                         host name)\n"
	"      --legacy           RSA keys under 1024 bits may pass (RFC 8301 forbids them)\n"
	"sign: the message (FILE, default stdin) with a new ARC set prepended (ARC-Seal,\n"
	"ARC-Message-Signature, ARC-Authentication-Results); every other byte unchanged.\n"
	"The set seals the results of the Authentication-Results fields of the\n"
	"authserv-id on the message (ember dkim/spf/dmarc/arc verify --ar put them\n"
	"there); cv= is their arc= result.\n"
	"  -d, --domain DOMAIN    d=\n"
	"  -s, --selector SEL     s=\n"
	"  -k, --key KEYFILE      the private key, PEM (PKCS#8, or traditional RSA)\n"
	"  -a, --algorithm ALG    rsa-sha256 or ed25519-sha256 (default: the key's)\n"
	"      --authserv-id ID   whose Authentication-Results to seal (default: the\n"
	"                         host name)\n"
	"  -H, --fields NAMES     the fields the ARC-Message-Signature signs, ':' or ','\n"
	"                         between (default: those of ember dkim sign)\n"
	"      --no-oversign      do not name From, Subject, ... once more than present\n"
	"      --time SECONDS     t= (default now, or $SOURCE_DATE_EPOCH)\n"
	"  -h, --help, --version\n"
	"Exit status: verify: 0 when every chain passes; 75 when one could not be\n"
	"checked now (temperror) and none failed; 1 otherwise; with --ar, 0. sign: 0\n"
	"(also when the chain has ended and the message goes out unsealed, with a\n"
	"warning); 64 usage; 65 a message without Authentication-Results of the\n"
	"authserv-id, or whose header cannot be read; 66 a file that cannot be read.\n",
};

enum { OPT_DNS = 0x100, OPT_JSON, OPT_AR, OPT_AUTHSERV, OPT_TIME, OPT_LEGACY, OPT_NO_OVERSIGN };

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

static uint64_t number(const char *opt, const char *arg, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (end == arg || *end || arg[0] == '-' || errno || v > max)
		cli_usage_error("%s: not a number up to %llu: '%s'", opt, (unsigned long long)max, arg);
	return v;
}

static int64_t clock_now(const char *given)
{
	if (given)
		return (int64_t)number("--time", given, 99999999999ull);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde)
		return (int64_t)number("SOURCE_DATE_EPOCH", sde, 99999999999ull);
	return (int64_t)time(NULL);
}

static const char *host_name(void)
{
	static char host[256];
	if (gethostname(host, sizeof host - 1) || !*host)
		strcpy(host, "localhost");
	return host;
}

/* The message with the fields prepended, in order: every other byte as it came. */
static void write_with(struct spool *in, const char *const *field, const size_t *len, size_t n,
		       const char *where)
{
	struct mime_hdr_limits lim = {.flags = MIME_HDR_MBOX_FROM};
	struct mime_editor *ed = mime_editor_new(&lim);
	if (!ed)
		oom();
	for (size_t i = 0; i < n; i++)
		if (mime_editor_prepend(ed, field[i], len[i]))
			oom();
	spool_rewind(in);
	static char buf[1 << 16];
	for (int end = 0; !end;) {
		size_t k = spool_read(in, buf, sizeof buf);
		end = k == 0;
		mime_editor_feed(ed, buf, k);
		const char *o;
		size_t ol;
		int r;
		while ((r = mime_editor_next(ed, &o, &ol)) > 0)
			cli_write(stdout, o, ol);
		if (r < 0) {
			unsigned long line;
			const char *what = mime_editor_error(ed, &line, NULL);
			cli_die(EX_DATAERR, where, "line %lu: %s", line, what);
		}
	}
	mime_editor_free(ed);
}

/* ---- sign ----------------------------------------------------------------------- */

struct names {
	const char **v;
	size_t n;
};

static void split_names(struct names *l, const char *arg)
{
	for (const char *p = arg; *p;) {
		size_t n = strcspn(p, ",:");
		if (n) {
			const char **v = realloc(l->v, (l->n + 1) * sizeof *v);
			if (!v || !(v[l->n] = strndup(p, n)))
				oom();
			l->v = v;
			l->n++;
		}
		p += n + (p[n] != '\0');
	}
}

static struct dkim_key *load_key(const char *path)
{
	FILE *f = cli_open(path);
	char *pem;
	size_t len;
	cli_slurp(f, path, &pem, &len);
	fclose(f);
	struct dkim_key *k;
	const char *why = NULL;
	enum mime_status r = dkim_key_from_pem(pem, len, &k, &why);
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (r == MIME_ENOMEM)
		oom();
	if (r)
		cli_die(EX_DATAERR, path, "%s", why);
	return k;
}

/* 0 to go on, 1 when the chain has ended (the message goes out as it came). */
static int seal_status(enum dkim_arc_seal_status st, const struct dkim_arc_sealer *s, const char *where)
{
	unsigned long line;
	const char *why = dkim_arc_sealer_error(s, &line);
	switch (st) {
	case DKIM_ARC_SEAL_OK:
		return 0;
	case DKIM_ARC_SEAL_ENOMEM:
		oom();
	case DKIM_ARC_SEAL_EOPTIONS:
		cli_usage_error("%s", why);
	case DKIM_ARC_SEAL_EHEADER:
	case DKIM_ARC_SEAL_ENORESULTS:
		if (line)
			cli_die(EX_DATAERR, where, "line %lu: %s", line, why);
		cli_die(EX_DATAERR, where, "%s", why);
	case DKIM_ARC_SEAL_ECHAIN:
		cli_warn(where, "not sealed: %s", why);
		return 1;
	case DKIM_ARC_SEAL_ECRYPTO:
		cli_die(EX_SOFTWARE, where, "%s", why);
	}
	return 0;
}

static int do_sign(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'd'}, {"selector", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'k'}, {"algorithm", required_argument, NULL, 'a'},
		{"fields", required_argument, NULL, 'H'},
		{"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{"no-oversign", no_argument, NULL, OPT_NO_OVERSIGN},
		{"time", required_argument, NULL, OPT_TIME}, {NULL, 0, NULL, 0},
	};
	struct dkim_arc_seal_options o = {0};
	struct names fields = {0};
	const char *keyfile = NULL, *alg = NULL, *t = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "d:s:k:a:H:", longopts)) != -1) {
		switch (c) {
		case 'd': o.domain = optarg; break;
		case 's': o.selector = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'a': alg = optarg; break;
		case 'H': split_names(&fields, optarg); break;
		case OPT_AUTHSERV: o.authserv_id = optarg; break;
		case OPT_NO_OVERSIGN: o.flags |= DKIM_SIGN_NO_OVERSIGN; break;
		case OPT_TIME: t = optarg; break;
		}
	}
	if (!o.domain || !o.selector || !keyfile)
		cli_usage_error("sign needs -d DOMAIN, -s SELECTOR and -k KEYFILE");
	if (argc - optind > 1)
		cli_usage_error("one message at a time");
	if (alg) {
		o.alg_set = 1;
		if (!mime_ascii_casecmp(alg, "rsa-sha256"))
			o.alg = DKIM_RSA_SHA256;
		else if (!mime_ascii_casecmp(alg, "ed25519-sha256"))
			o.alg = DKIM_ED25519_SHA256;
		else
			cli_usage_error("-a: rsa-sha256 or ed25519-sha256, not '%s'", alg);
	}
	if (fields.n) {
		o.fields = fields.v;
		o.nfields = fields.n;
	}
	if (!o.authserv_id)
		o.authserv_id = host_name();
	o.now = clock_now(t);
	struct dkim_key *key = load_key(keyfile);
	o.key = key;
	const char *path = optind < argc ? argv[optind] : "-";
	const char *where = strcmp(path, "-") ? path : "stdin";
	struct dkim_arc_sealer *s = dkim_arc_sealer_new(&o);
	if (!s)
		oom();
	seal_status(dkim_arc_sealer_status(s), s, where);  /* the options, before any input */
	FILE *f = cli_open(path);
	struct spool in;
	spool_open(&in, f, where);
	static char buf[1 << 16];
	size_t n;
	int ended = 0;
	while (!ended && (n = spool_read(&in, buf, sizeof buf)) > 0)
		ended = seal_status(dkim_arc_sealer_feed(s, buf, n), s, where);
	if (!ended)
		ended = seal_status(dkim_arc_sealer_feed(s, NULL, 0), s, where);
	const char *field[3];
	size_t len[3];
	if (!ended)
		ended = seal_status(dkim_arc_sealer_fields(s, field, len), s, where);
	write_with(&in, field, len, ended ? 0 : 3, where);
	cli_flush_stdout();
	spool_close(&in);
	if (f != stdin)
		fclose(f);
	dkim_arc_sealer_free(s);
	dkim_key_free(key);
	for (size_t i = 0; i < fields.n; i++)
		free((char *)fields.v[i]);
	free(fields.v);
	return 0;
}

/* ---- verify ------------------------------------------------------------------- */

struct job {
	const char *path, *where;
	struct dkim_arc_verifier *v;
	struct ac_job job;         /* its key questions */
};

struct verify {
	struct io_dns *dns;
	struct dkim_arc_options o;
	int json, ar, several;
	const char *authserv;
	int any_fail, any_temp;
};

static const char *res(enum dkim_result r)
{
	return r == DKIM_NONE ? "-" : dkim_result_name(r);
}

static void print_text(const struct verify *vf, const struct job *j, enum dkim_arc_cv cv,
		       const char *why, unsigned oldest, const struct dkim_arc_set *s, size_t n)
{
	if (vf->several)
		printf("%s: ", j->path);
	printf("%s", dkim_arc_cv_name(cv));
	if (cv == DKIM_ARC_PASS)
		printf(" oldest-pass=%u", oldest);
	if (why && *why)
		printf(": %s", why);
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		if (vf->several)
			printf("%s: ", j->path);
		printf("  i=%u cv=%s ams=%s", s[i].instance, dkim_arc_cv_name(s[i].cv), res(s[i].ams));
		if (s[i].ams_domain)
			printf(" d=%s s=%s", s[i].ams_domain, s[i].ams_selector);
		printf(" seal=%s", res(s[i].seal));
		if (s[i].seal_domain)
			printf(" d=%s s=%s", s[i].seal_domain, s[i].seal_selector);
		if (s[i].reason && *s[i].reason)
			printf(": %s", s[i].reason);
		putchar('\n');
	}
}

static void print_json(const struct job *j, enum dkim_arc_cv cv, const char *why, unsigned oldest,
		       const struct dkim_arc_set *s, size_t n)
{
	int first = 1;
	putchar('{');
	json_kv_str(stdout, &first, "file", j->path);
	json_kv_str(stdout, &first, "result", dkim_arc_cv_name(cv));
	json_kv_str(stdout, &first, "reason", why && *why ? why : NULL);
	if (cv == DKIM_ARC_PASS)
		json_kv_u64(stdout, &first, "oldest_pass", oldest);
	fputs(",\"sets\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		int f1 = 1;
		if (i)
			putchar(',');
		putchar('{');
		json_kv_u64(stdout, &f1, "i", s[i].instance);
		json_kv_str(stdout, &f1, "cv", dkim_arc_cv_name(s[i].cv));
		json_kv_str(stdout, &f1, "ams", s[i].ams == DKIM_NONE ? NULL : dkim_result_name(s[i].ams));
		json_kv_str(stdout, &f1, "d", s[i].ams_domain);
		json_kv_str(stdout, &f1, "s", s[i].ams_selector);
		json_kv_str(stdout, &f1, "seal", s[i].seal == DKIM_NONE ? NULL : dkim_result_name(s[i].seal));
		json_kv_str(stdout, &f1, "seal_d", s[i].seal_domain);
		json_kv_str(stdout, &f1, "seal_s", s[i].seal_selector);
		json_kv_str(stdout, &f1, "reason", s[i].reason && *s[i].reason ? s[i].reason : NULL);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static void report(struct verify *vf, struct job *j)
{
	struct dns_question q;
	if (dkim_arc_verifier_next(j->v, &q) != DKIM_DONE)
		cli_die(EX_SOFTWARE, j->where, "the validator did not finish");
	const char *why;
	unsigned oldest;
	enum dkim_arc_cv cv = dkim_arc_verifier_result(j->v, &why, &oldest);
	const struct dkim_arc_set *s;
	size_t n = dkim_arc_verifier_sets(j->v, &s);
	if (cv == DKIM_ARC_TEMPERROR)
		vf->any_temp = 1;
	else if (cv != DKIM_ARC_PASS)
		vf->any_fail = 1;
	if (vf->json)
		print_json(j, cv, why, oldest, s, n);
	else
		print_text(vf, j, cv, why, oldest, s, n);
}

static void verify_files(struct verify *vf, char **paths, size_t npaths)
{
	enum { BATCH = 256 };
	struct job jobs[BATCH];
	for (size_t at = 0; at < npaths; at += BATCH) {
		size_t nj = npaths - at < BATCH ? npaths - at : BATCH;
		for (size_t i = 0; i < nj; i++) {
			struct job *j = &jobs[i];
			j->path = paths[at + i];
			j->where = strcmp(j->path, "-") ? j->path : "stdin";
			if (!(j->v = dkim_arc_verifier_new(&vf->o)))
				oom();
			ac_job_init(&j->job, &ac_arc_ops, j->v, vf->dns, NULL, NULL);
			FILE *f = cli_open(j->path);
			ac_feed_file(&j->job, f, j->where);
			if (f != stdin)
				fclose(f);
		}
		if (io_dns_wait(vf->dns))
			cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
		for (size_t i = 0; i < nj; i++) {
			report(vf, &jobs[i]);
			dkim_arc_verifier_free(jobs[i].v);
		}
	}
}

/* --ar: "arc=RESULT" with the oldest-pass (RFC 8617 10.1) and the d= of the
 * latest seal, then the message. */
static void verify_filter(struct verify *vf, const char *path)
{
	struct job j = {.path = path, .where = strcmp(path, "-") ? path : "stdin"};
	if (!(j.v = dkim_arc_verifier_new(&vf->o)))
		oom();
	ac_job_init(&j.job, &ac_arc_ops, j.v, vf->dns, NULL, NULL);
	FILE *f = cli_open(path);
	struct spool in;
	spool_open(&in, f, j.where);
	ac_feed_file(&j.job, in.f, j.where);
	if (io_dns_wait(vf->dns))
		cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
	struct dns_question q;
	dkim_arc_verifier_next(j.v, &q);
	struct ac_results r = {0};
	if (ac_add_arc(&r, j.v))
		oom();
	struct mime_buf field = {0};
	if (ac_results_field(&r, vf->authserv, &field))
		cli_die(EX_USAGE, NULL, "--authserv-id: cannot be written: '%s'", vf->authserv);
	const char *fp = field.data;
	size_t fl = field.len;
	write_with(&in, &fp, &fl, 1, j.where);
	cli_flush_stdout();
	mime_buf_free(&field);
	ac_results_free(&r);
	spool_close(&in);
	if (f != stdin)
		fclose(f);
	dkim_arc_verifier_free(j.v);
}

static int do_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dns", required_argument, NULL, OPT_DNS}, {"json", no_argument, NULL, OPT_JSON},
		{"ar", no_argument, NULL, OPT_AR}, {"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{"legacy", no_argument, NULL, OPT_LEGACY}, {NULL, 0, NULL, 0},
	};
	struct verify vf = {0};
	struct io_dns_options dns = {0};
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_DNS: dns.server = optarg; break;
		case OPT_JSON: vf.json = 1; break;
		case OPT_AR: vf.ar = 1; break;
		case OPT_AUTHSERV: vf.authserv = optarg; break;
		case OPT_LEGACY: vf.o.flags |= DKIM_VERIFY_SHORT_KEYS; break;
		}
	}
	if (vf.authserv && !vf.ar)
		cli_usage_error("--authserv-id goes with --ar");
	if (vf.ar && (vf.json || argc - optind > 1))
		cli_usage_error("--ar filters one message, without --json");
	if (vf.ar && !vf.authserv)
		vf.authserv = host_name();
	if (!(vf.o.keys = dkim_key_cache_new(64)))
		oom();
	char err[256];
	if (!(vf.dns = io_dns_new(&dns, err, sizeof err)))
		cli_die(EX_USAGE, NULL, "%s", err);
	static char *stdin_only[] = {"-"};
	char **paths = optind < argc ? argv + optind : stdin_only;
	size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;
	vf.several = npaths > 1;
	if (vf.ar)
		verify_filter(&vf, paths[0]);
	else
		verify_files(&vf, paths, npaths);
	cli_flush_stdout();
	io_dns_free(vf.dns);
	dkim_key_cache_free(vf.o.keys);
	if (vf.ar)
		return 0;
	return vf.any_fail ? 1 : vf.any_temp ? EX_TEMPFAIL : 0;
}

int main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "sign"))
		return do_sign(argc - 1, argv + 1);
	if (sub && !strcmp(sub, "verify"))
		return do_verify(argc - 1, argv + 1);
	cli_getopt(&cmd, argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}});
	cli_usage_error(sub ? "unknown subcommand '%s' (sign or verify)" : "which: sign or verify?%s",
			sub ? sub : "");
}
