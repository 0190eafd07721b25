/* ember dkim: sign, verify, and make keys (lib/dkim; keys from DNS through
 * lib/io's c-ares adapter). */
#include "authcheck.h"
#include "cli.h"
#include "fields.h"
#include "json.h"
#include "spool.h"
#include "dkim.h"
#include "io.h"
#include "mime.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "dkim",
	.summary = "sign and verify DKIM signatures; make DKIM keys",
	.usage =
	"Usage: ember dkim sign -d DOMAIN -s SELECTOR -k KEYFILE [-a ALG] [-c H/B]\n"
	"                       [-H NAME:NAME...] [--no-oversign] [--expire SECONDS] [FILE]\n"
	"       ember dkim verify [--dns HOST[:PORT]] [--json] [--ar [--authserv-id ID]]\n"
	"                         [FILE...]\n"
	"       ember dkim keygen -t rsa|ed25519 [-b BITS] -d DOMAIN -s SELECTOR -o PREFIX\n"
	"sign: the message (FILE, default stdin) with a DKIM-Signature field\n"
	"prepended (RFC 6376); every other byte unchanged.\n"
	"  -d, --domain DOMAIN    d=\n"
	"  -s, --selector SEL     s=\n"
	"  -k, --key KEYFILE      the private key, PEM (PKCS#8, or traditional RSA)\n"
	"  -a, --algorithm ALG    rsa-sha256 or ed25519-sha256 (default: the key's)\n"
	"  -c, --canon H/B        simple or relaxed, header/body (default relaxed/relaxed)\n"
	"  -H, --fields NAMES     the fields to sign, ':' or ',' between (default From,\n"
	"                         Sender, Reply-To, Subject, Date, To, Cc, Message-ID,\n"
	"                         MIME-Version, Content-*, In-Reply-To, References, List-*)\n"
	"      --no-oversign      do not name From, Subject, ... once more than present\n"
	"      --expire SECONDS   x= that many seconds after t=\n"
	"verify: one line per signature of each message (stdin, or each FILE):\n"
	"pass, fail, neutral, policy, temperror or permerror, with d=, s=, a= and a\n"
	"reason; each line starts with FILE: when there are several. The keys of all\n"
	"the messages are asked for at once.\n"
	"      --dns HOST[:PORT]  the DNS server (default $EMBER_DNS, else the system's)\n"
	"      --json             one JSON object per message\n"
	"      --ar               a filter: the message with an Authentication-Results\n"
	"                         field prepended (RFC 8601), every other byte unchanged\n"
	"      --authserv-id ID   the Authentication-Results authserv-id (default: the\n"
	"                         host name)\n"
	"      --time SECONDS     the clock for t= and x= (sign: t=; default now, or\n"
	"                         $SOURCE_DATE_EPOCH)\n"
	"      --legacy           rsa-sha1 and RSA keys under 1024 bits may pass (old\n"
	"                         corpora; RFC 8301 forbids both)\n"
	"keygen: PREFIX.key (PEM, mode 0600) and PREFIX.txt (the TXT record, zone-file\n"
	"form, in strings of at most 255 octets).\n"
	"  -t, --type rsa|ed25519 -b, --bits BITS (RSA: default 2048, at least 1024)\n"
	"  -o, --output PREFIX\n"
	"  -h, --help, --version\n"
	"Exit status: sign, keygen: 0; 64 usage; 65 a message that cannot be signed\n"
	"(no From, a header with a structural defect); 66 a file that cannot be read;\n"
	"73 PREFIX files that exist. verify: 0 when every message has a signature that\n"
	"passes; 75 when one could not be checked now (temperror) and none failed;\n"
	"1 otherwise; with --ar, 0.\n",
};

enum {
	OPT_NO_OVERSIGN = 0x100, OPT_EXPIRE, OPT_DNS, OPT_JSON, OPT_AR, OPT_AUTHSERV, OPT_TIME,
	OPT_LEGACY,
};

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

/* ---- sign ------------------------------------------------------------------- */

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

static void parse_canon(struct dkim_sign_options *o, const char *arg)
{
	const char *slash = strchr(arg, '/');
	size_t hn = slash ? (size_t)(slash - arg) : strlen(arg);
	const char *parts[2] = {arg, slash ? slash + 1 : "simple"};
	size_t lens[2] = {hn, slash ? strlen(slash + 1) : 6};
	enum dkim_canon *c[2] = {&o->header_canon, &o->body_canon};
	for (int i = 0; i < 2; i++) {
		if (mime_ascii_is(parts[i], lens[i], "relaxed"))
			*c[i] = DKIM_RELAXED;
		else if (mime_ascii_is(parts[i], lens[i], "simple"))
			*c[i] = DKIM_SIMPLE;
		else
			cli_usage_error("-c: not simple or relaxed, header/body: '%s'", arg);
	}
	o->canon_set = 1;
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

static void sign_status(enum dkim_sign_status st, const struct dkim_signer *s, const char *where)
{
	unsigned long line;
	const char *why = dkim_signer_error(s, &line);
	switch (st) {
	case DKIM_SIGN_OK:
		return;
	case DKIM_SIGN_ENOMEM:
		oom();
	case DKIM_SIGN_EOPTIONS:
		cli_usage_error("%s", why);
	case DKIM_SIGN_EHEADER:
	case DKIM_SIGN_ENOFROM:
		if (line)
			cli_warn_at(where, line, why);
		else
			cli_warn(where, "%s", why);
		exit(EX_DATAERR);
	case DKIM_SIGN_ECRYPTO:
		cli_die(EX_SOFTWARE, where, "%s", why);
	}
}

/* The message with the field prepended: the editor copies every other byte. */

static int do_sign(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'd'}, {"selector", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'k'}, {"algorithm", required_argument, NULL, 'a'},
		{"canon", required_argument, NULL, 'c'}, {"fields", required_argument, NULL, 'H'},
		{"no-oversign", no_argument, NULL, OPT_NO_OVERSIGN},
		{"expire", required_argument, NULL, OPT_EXPIRE},
		{"time", required_argument, NULL, OPT_TIME}, {NULL, 0, NULL, 0},
	};
	struct dkim_sign_options o = {0};
	struct names fields = {0};
	const char *keyfile = NULL, *alg = NULL, *t = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "d:s:k:a:c:H:", longopts)) != -1) {
		switch (c) {
		case 'd': o.domain = optarg; break;
		case 's': o.selector = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'a': alg = optarg; break;
		case 'c': parse_canon(&o, optarg); break;
		case 'H': split_names(&fields, optarg); break;
		case OPT_NO_OVERSIGN: o.flags |= DKIM_SIGN_NO_OVERSIGN; break;
		case OPT_EXPIRE: o.expire = number("--expire", optarg, 10ull * 365 * 86400); break;
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
	o.now = clock_now(t);
	struct dkim_key *key = load_key(keyfile);
	o.key = key;
	const char *path = optind < argc ? argv[optind] : "-";
	const char *where = strcmp(path, "-") ? path : "stdin";
	struct dkim_signer *s = dkim_signer_new(&o);
	if (!s)
		oom();
	sign_status(dkim_signer_status(s), s, where);  /* the options, before any input */
	FILE *f = cli_open(path);
	struct spool in;
	spool_open(&in, f, where);
	static char buf[1 << 16];
	size_t n;
	while ((n = spool_read(&in, buf, sizeof buf)) > 0)
		sign_status(dkim_signer_feed(s, buf, n), s, where);
	sign_status(dkim_signer_feed(s, NULL, 0), s, where);
	const char *field;
	size_t len;
	sign_status(dkim_signer_field(s, &field, &len), s, where);
	spool_rewind(&in);
	cli_prepend(field, len, spool_reader, &in, where);
	cli_flush_stdout();
	spool_close(&in);
	if (f != stdin)
		fclose(f);
	dkim_signer_free(s);
	dkim_key_free(key);
	for (size_t i = 0; i < fields.n; i++)
		free((char *)fields.v[i]);
	free(fields.v);
	return 0;
}

/* ---- verify ------------------------------------------------------------------ */

struct job {
	const char *path, *where;
	struct dkim_verifier *v;
	struct ac_job job;         /* its key questions */
	int unreadable;            /* the file could not be opened (reported) */
};

struct verify {
	struct io_dns *dns;
	struct dkim_verify_options o;
	int json, ar, several;
	const char *authserv;
	int any_fail, any_temp;
};

static void print_sig(const struct verify *vf, const struct job *j, const struct dkim_sig_result *r)
{
	if (vf->several)
		printf("%s: ", j->path);
	printf("%s", dkim_result_name(r->result));
	if (r->domain)
		printf(" d=%s", r->domain);
	if (r->selector)
		printf(" s=%s", r->selector);
	if (r->alg)
		printf(" a=%s", r->alg);
	if (r->has_length)
		printf(" l=%llu", (unsigned long long)r->length);
	if (r->testing)
		printf(" (testing: t=y)");
	if (r->reason && *r->reason)
		printf(": %s", r->reason);
	putchar('\n');
}

static void print_json(const struct verify *vf, const struct job *j, enum dkim_result verdict,
		       const struct dkim_sig_result *r, size_t n, const char *error)
{
	(void)vf;
	int first = 1;
	putchar('{');
	json_kv_str(stdout, &first, "file", j->path);
	json_kv_str(stdout, &first, "result", dkim_result_name(verdict));
	json_kv_str(stdout, &first, "error", error);
	fputs(",\"signatures\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		int f1 = 1;
		if (i)
			putchar(',');
		putchar('{');
		json_kv_str(stdout, &f1, "result", dkim_result_name(r[i].result));
		json_kv_str(stdout, &f1, "d", r[i].domain);
		json_kv_str(stdout, &f1, "s", r[i].selector);
		json_kv_str(stdout, &f1, "a", r[i].alg);
		json_kv_str(stdout, &f1, "i", r[i].auid);
		json_kv_str(stdout, &f1, "b", r[i].b);
		if (r[i].has_length)
			json_kv_u64(stdout, &f1, "l", r[i].length);
		json_kv_u64(stdout, &f1, "body_length", r[i].body_length);
		json_kv_u64(stdout, &f1, "line", r[i].line);
		if (r[i].testing)
			fputs(",\"testing\":true", stdout);
		json_kv_str(stdout, &f1, "reason", r[i].reason && *r[i].reason ? r[i].reason : NULL);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static void tally(struct verify *vf, enum dkim_result verdict)
{
	if (verdict == DKIM_TEMPERROR)
		vf->any_temp = 1;
	else if (verdict != DKIM_PASS)
		vf->any_fail = 1;
}

static void report(struct verify *vf, struct job *j)
{
	struct dns_question q;
	if (dkim_verifier_next(j->v, &q) != DKIM_DONE)
		cli_die(EX_SOFTWARE, j->where, "the verifier did not finish");
	const struct dkim_sig_result *r;
	size_t n = dkim_verifier_results(j->v, &r);
	enum dkim_result verdict = dkim_verifier_verdict(j->v);
	enum mime_code code;
	unsigned long line;
	const char *error = dkim_verifier_error(j->v, &code, &line);
	if (code == MIME_E_NOMEM)
		oom();
	tally(vf, verdict);
	if (vf->json)
		return print_json(vf, j, verdict, r, n, error);
	if (error)
		cli_warn_at(j->where, line, error);
	for (size_t i = 0; i < n; i++)
		print_sig(vf, j, &r[i]);
	if (!n) {
		if (vf->several)
			printf("%s: ", j->path);
		printf("%s: %s\n", dkim_result_name(verdict), error ? error : "no DKIM-Signature field");
	}
}

/* Files in batches: every key of a batch asked for before any is waited for. */
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
			if (!(j->v = dkim_verifier_new(&vf->o)))
				oom();
			ac_job_init(&j->job, &ac_dkim_ops, j->v, vf->dns, NULL, NULL);
			FILE *f = cli_open(j->path);
			ac_feed_file(&j->job, f, j->where);
			if (f != stdin)
				fclose(f);
		}
		if (io_dns_wait(vf->dns))
			cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
		for (size_t i = 0; i < nj; i++) {
			report(vf, &jobs[i]);
			dkim_verifier_free(jobs[i].v);
		}
	}
}

/* --ar: the message once through the verifier (spooled), then out again
 * with the field on top. */
static void verify_filter(struct verify *vf, const char *path)
{
	struct job j = {.path = path, .where = strcmp(path, "-") ? path : "stdin"};
	if (!(j.v = dkim_verifier_new(&vf->o)))
		oom();
	ac_job_init(&j.job, &ac_dkim_ops, j.v, vf->dns, NULL, NULL);
	FILE *f = cli_open(path);
	struct spool in;
	spool_open(&in, f, j.where);
	ac_feed_file(&j.job, in.f, j.where);
	if (io_dns_wait(vf->dns))
		cli_die(EX_OSERR, NULL, "DNS: %s", strerror(errno));
	struct dns_question q;
	dkim_verifier_next(j.v, &q);
	struct ac_results ar = {0};
	if (ac_add_dkim(&ar, j.v))
		oom();
	struct mime_buf field = {0};
	if (ac_results_field(&ar, vf->authserv, &field))
		cli_die(EX_USAGE, NULL, "--authserv-id: cannot be written: '%s'", vf->authserv);
	spool_rewind(&in);
	cli_prepend(field.data, field.len, spool_reader, &in, j.where);
	cli_flush_stdout();
	mime_buf_free(&field);
	ac_results_free(&ar);
	spool_close(&in);
	if (f != stdin)
		fclose(f);
	dkim_verifier_free(j.v);
}

static int do_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dns", required_argument, NULL, OPT_DNS}, {"json", no_argument, NULL, OPT_JSON},
		{"ar", no_argument, NULL, OPT_AR}, {"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{"time", required_argument, NULL, OPT_TIME}, {"legacy", no_argument, NULL, OPT_LEGACY},
		{NULL, 0, NULL, 0},
	};
	struct verify vf = {0};
	struct io_dns_options dns = {0};
	const char *t = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_DNS: dns.server = optarg; break;
		case OPT_JSON: vf.json = 1; break;
		case OPT_AR: vf.ar = 1; break;
		case OPT_AUTHSERV: vf.authserv = optarg; break;
		case OPT_TIME: t = optarg; break;
		case OPT_LEGACY: vf.o.flags |= DKIM_VERIFY_SHA1 | DKIM_VERIFY_SHORT_KEYS; break;
		}
	}
	if (vf.authserv && !vf.ar)
		cli_usage_error("--authserv-id goes with --ar");
	if (vf.ar && (vf.json || argc - optind > 1))
		cli_usage_error("--ar filters one message, without --json");
	static char host[256];
	if (vf.ar && !vf.authserv) {
		if (gethostname(host, sizeof host - 1) || !*host)
			strcpy(host, "localhost");
		vf.authserv = host;
	}
	vf.o.now = clock_now(t);
	/* one cache of parsed keys for every message of the run */
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

/* ---- keygen ------------------------------------------------------------------- */

static void write_new(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		cli_die(EX_CANTCREAT, path, "%s", strerror(errno));
	FILE *f = fdopen(fd, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		cli_die(EX_IOERR, path, "write error: %s", strerror(errno));
}

/* "name. IN TXT ( "..." "..." )": strings of at most 255 octets (RFC 1035 3.3). */
static void zone_record(struct mime_buf *out, const char *sel, const char *dom, const char *rec)
{
	char head[600];
	snprintf(head, sizeof head, "%s._domainkey.%s. IN TXT (", sel, dom);
	if (mime_buf_puts(out, head))
		oom();
	for (size_t n = strlen(rec), i = 0; i < n; i += 255) {
		size_t k = n - i < 255 ? n - i : 255;
		if (mime_buf_puts(out, "\n\t\"") || mime_buf_append(out, rec + i, k) || mime_buf_putc(out, '"'))
			oom();
	}
	if (mime_buf_puts(out, " )\n"))
		oom();
}

static int do_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"type", required_argument, NULL, 't'}, {"bits", required_argument, NULL, 'b'},
		{"domain", required_argument, NULL, 'd'}, {"selector", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0},
	};
	const char *type = "rsa", *dom = NULL, *sel = NULL, *prefix = NULL;
	uint64_t bits = 2048;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "t:b:d:s:o:", longopts)) != -1) {
		switch (c) {
		case 't': type = optarg; break;
		case 'b': bits = number("-b", optarg, 16384); break;
		case 'd': dom = optarg; break;
		case 's': sel = optarg; break;
		case 'o': prefix = optarg; break;
		}
	}
	if (!dom || !sel || !prefix)
		cli_usage_error("keygen needs -d DOMAIN, -s SELECTOR and -o PREFIX");
	int rsa = !mime_ascii_casecmp(type, "rsa");
	if (!rsa && mime_ascii_casecmp(type, "ed25519"))
		cli_usage_error("-t: rsa or ed25519, not '%s'", type);
	if (rsa && bits < 1024)
		cli_usage_error("-b: RSA keys under 1024 bits are not accepted (RFC 8301)");
	EVP_PKEY *k = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits)
			  : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		cli_die(EX_SOFTWARE, NULL, "OpenSSL could not make the key");
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL))
		oom();
	char *pem;
	long pl = BIO_get_mem_data(bio, &pem);
	struct dkim_key *dk;
	const char *why;
	if (dkim_key_from_pem(pem, (size_t)pl, &dk, &why))
		cli_die(EX_SOFTWARE, NULL, "the key made does not read back: %s", why);
	struct mime_buf rec = {0}, zone = {0};
	if (dkim_key_record(dk, &rec))
		oom();
	zone_record(&zone, sel, dom, rec.data);
	size_t n = strlen(prefix) + 8;
	char *kpath = malloc(n), *tpath = malloc(n);
	if (!kpath || !tpath)
		oom();
	snprintf(kpath, n, "%s.key", prefix);
	snprintf(tpath, n, "%s.txt", prefix);
	struct stat st;
	if (!lstat(kpath, &st) || !lstat(tpath, &st))
		cli_die(EX_CANTCREAT, !lstat(kpath, &st) ? kpath : tpath, "exists");
	write_new(kpath, pem, (size_t)pl, 0600);
	write_new(tpath, zone.data, zone.len, 0644);
	printf("%s\n%s\n", kpath, tpath);
	cli_flush_stdout();
	BIO_free(bio);
	EVP_PKEY_free(k);
	dkim_key_free(dk);
	mime_buf_free(&rec);
	mime_buf_free(&zone);
	free(kpath);
	free(tpath);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "sign"))
		return do_sign(argc - 1, argv + 1);
	if (sub && !strcmp(sub, "verify"))
		return do_verify(argc - 1, argv + 1);
	if (sub && !strcmp(sub, "keygen"))
		return do_keygen(argc - 1, argv + 1);
	/* --help, --version, --summary, or a mistake */
	cli_getopt(&cmd, argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}});
	cli_usage_error(sub ? "unknown subcommand '%s' (sign, verify or keygen)"
			    : "which: sign, verify or keygen?%s", sub ? sub : "");
}
