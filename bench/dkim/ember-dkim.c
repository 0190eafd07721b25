/* ember side of bench/dkim: lib/dkim, driven as bench/dkim/opendkim.c
 * drives libopendkim.
 *
 *   ember-dkim bench-verify --keys FILE -n REPEAT FILE...
 *   ember-dkim bench-sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG]
 *                         -n REPEAT FILE...
 *
 * Every file is read first; then REPEAT passes over them are timed
 * (CLOCK_MONOTONIC) and one line is printed: "ember: messages=N seconds=S".
 * Verifying: one dkim_verifier, reset between messages, each message fed
 * whole, each DKIM_QUERY answered from the --keys table (lines
 * "SELECTOR._domainkey.DOMAIN KEY-RECORD"; a name not there is NXDOMAIN).
 * Signing: the key read once, one dkim_signer per message, its field made.
 * Exit 1 when a message does not pass (or cannot be signed), 64 usage,
 * 65 a bad key, 66 a file that cannot be read, 70 internal. */
#include "dkim.h"
#include "dns.h"
#include "mime.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Noreturn void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ember-dkim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

static _Noreturn void usage(const char *why)
{
	die(64, "%s\nusage: ember-dkim bench-verify --keys FILE -n REPEAT FILE...\n"
	    "       ember-dkim bench-sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG]"
	    " -n REPEAT FILE...", why);
}

static void slurp(const char *path, struct mime_buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(66, "%s: %s", path, strerror(errno));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (mime_buf_append(out, chunk, n))
			die(70, "out of memory");
	if (ferror(f))
		die(66, "%s: read error: %s", path, strerror(errno));
	fclose(f);
}

static struct mime_buf *load_all(char **paths, size_t n)
{
	struct mime_buf *m = calloc(n, sizeof *m);
	if (!m)
		die(70, "out of memory");
	for (size_t i = 0; i < n; i++)
		slurp(paths[i], &m[i]);
	return m;
}

static void free_all(struct mime_buf *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mime_buf_free(&m[i]);
	free(m);
}

static unsigned long repeat_arg(const char *arg)
{
	char *end;
	unsigned long r = strtoul(arg, &end, 10);
	if (end == arg || *end || !r || arg[0] == '-')
		usage("-n: a positive number");
	return r;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int report(unsigned long long messages, double seconds, unsigned long long bad,
		  const char *what)
{
	printf("ember: messages=%llu seconds=%.6f\n", messages, seconds);
	if (fflush(stdout))
		die(70, "write error: %s", strerror(errno));
	if (bad)
		fprintf(stderr, "ember-dkim: %llu of %llu messages %s\n", bad, messages, what);
	return bad ? 1 : 0;
}

/* ---- verifying ------------------------------------------------------------------- */

struct key {
	char *name;
	struct dns_record rec;
};

struct keys {
	struct key *v;
	size_t n;
};

static void keys_load(struct keys *k, const char *path)
{
	struct mime_buf b = {0};
	slurp(path, &b);
	if (mime_buf_putc(&b, '\0'))
		die(70, "out of memory");
	char *save = NULL;
	for (char *line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		size_t nl = strcspn(line, " \t");
		if (!line[nl])
			die(65, "%s: a line without a key record: '%s'", path, line);
		line[nl] = '\0';
		if (nl && line[nl - 1] == '.')
			line[nl - 1] = '\0';
		char *rec = line + nl + 1;
		rec += strspn(rec, " \t");
		struct key *v = realloc(k->v, (k->n + 1) * sizeof *v);
		char *name = strdup(line), *data = strdup(rec);
		if (!v || !name || !data)
			die(70, "out of memory");
		k->v = v;
		k->v[k->n++] = (struct key){name, {.data = data, .len = strlen(data)}};
	}
	mime_buf_free(&b);
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].name);
		free((char *)k->v[i].rec.data);
	}
	free(k->v);
}

static void answer(struct dkim_verifier *v, const struct keys *k, const struct dns_question *q)
{
	struct dns_answer a = {.id = q->id, .status = DNS_NXDOMAIN};
	if (q->type == DNS_TXT)
		for (size_t i = 0; i < k->n; i++)
			if (!mime_ascii_casecmp(k->v[i].name, q->name)) {
				a.status = DNS_OK;
				a.records = &k->v[i].rec;
				a.count = 1;
				break;
			}
	dkim_verifier_answer(v, &a);
}

/* Feed, answering every question at once: DKIM_DONE or DKIM_AWAIT. */
static enum dkim_step drive(struct dkim_verifier *v, const struct keys *k)
{
	struct dns_question q;
	enum dkim_step st;
	while ((st = dkim_verifier_next(v, &q)) == DKIM_QUERY)
		answer(v, k, &q);
	return st;
}

/* 1 when there is a signature and every one passes. */
static int verify_one(struct dkim_verifier *v, const struct keys *k, const char *msg, size_t len)
{
	dkim_verifier_feed(v, msg, len);
	drive(v, k);
	dkim_verifier_feed(v, NULL, 0);
	if (drive(v, k) != DKIM_DONE)
		die(70, "the verifier did not finish");
	const struct dkim_sig_result *r;
	size_t n = dkim_verifier_results(v, &r);
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].result != DKIM_PASS)
			return 0;
	return 1;
}

static int do_bench_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"keys", required_argument, NULL, 'K'}, {NULL, 0, NULL, 0},
	};
	const char *keyfile = NULL;
	unsigned long repeat = 0;
	int c;
	while ((c = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		switch (c) {
		case 'K': keyfile = optarg; break;
		case 'n': repeat = repeat_arg(optarg); break;
		default: usage("bench-verify: unknown option");
		}
	}
	if (!keyfile || !repeat || optind >= argc)
		usage("bench-verify needs --keys FILE, -n REPEAT and files");
	size_t n = (size_t)(argc - optind);
	struct mime_buf *m = load_all(argv + optind, n);
	struct keys keys = {0};
	keys_load(&keys, keyfile);
	struct dkim_verifier *v = dkim_verifier_new(NULL);
	if (!v)
		die(70, "out of memory");
	unsigned long long bad = 0;
	int first = 1;
	double t0 = now();
	for (unsigned long r = 0; r < repeat; r++)
		for (size_t i = 0; i < n; i++) {
			if (!first)
				dkim_verifier_reset(v);
			first = 0;
			bad += !verify_one(v, &keys, m[i].data, m[i].len);
		}
	double t = now() - t0;
	dkim_verifier_free(v);
	keys_free(&keys);
	free_all(m, n);
	return report((unsigned long long)n * repeat, t, bad, "did not pass");
}

/* ---- signing --------------------------------------------------------------------- */

static void parse_canon(struct dkim_sign_options *o, const char *arg)
{
	const char *slash = strchr(arg, '/');
	size_t hn = slash ? (size_t)(slash - arg) : strlen(arg);
	const char *b = slash ? slash + 1 : "simple";
	enum dkim_canon *out[2] = {&o->header_canon, &o->body_canon};
	const char *part[2] = {arg, b};
	size_t len[2] = {hn, strlen(b)};
	for (int i = 0; i < 2; i++) {
		if (mime_ascii_is(part[i], len[i], "relaxed"))
			*out[i] = DKIM_RELAXED;
		else if (mime_ascii_is(part[i], len[i], "simple"))
			*out[i] = DKIM_SIMPLE;
		else
			usage("-c: simple or relaxed, header/body");
	}
	o->canon_set = 1;
}

static struct dkim_key *load_key(const char *path)
{
	struct mime_buf pem = {0};
	slurp(path, &pem);
	struct dkim_key *k;
	const char *why = "";
	enum mime_status r = dkim_key_from_pem(pem.data, pem.len, &k, &why);
	mime_buf_free(&pem);
	if (r == MIME_ENOMEM)
		die(70, "out of memory");
	if (r)
		die(65, "%s: %s", path, why);
	return k;
}

static int sign_one(const struct dkim_sign_options *o, const char *msg, size_t len)
{
	struct dkim_signer *s = dkim_signer_new(o);
	if (!s)
		die(70, "out of memory");
	const char *field;
	size_t flen;
	int ok = dkim_signer_feed(s, msg, len) == DKIM_SIGN_OK &&
		 dkim_signer_feed(s, NULL, 0) == DKIM_SIGN_OK &&
		 dkim_signer_field(s, &field, &flen) == DKIM_SIGN_OK && flen > 0;
	if (dkim_signer_status(s) == DKIM_SIGN_ENOMEM)
		die(70, "out of memory");
	dkim_signer_free(s);
	return ok;
}

static int do_bench_sign(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'd'}, {"selector", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'k'}, {"canon", required_argument, NULL, 'c'},
		{"algorithm", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0},
	};
	struct dkim_sign_options o = {0};
	const char *keyfile = NULL, *alg = NULL;
	unsigned long repeat = 0;
	int c;
	while ((c = getopt_long(argc, argv, "d:s:k:c:a:n:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.domain = optarg; break;
		case 's': o.selector = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'c': parse_canon(&o, optarg); break;
		case 'a': alg = optarg; break;
		case 'n': repeat = repeat_arg(optarg); break;
		default: usage("bench-sign: unknown option");
		}
	}
	if (!o.domain || !o.selector || !keyfile || !repeat || optind >= argc)
		usage("bench-sign needs -d DOMAIN, -s SELECTOR, -k KEYFILE, -n REPEAT and files");
	if (alg) {
		o.alg_set = 1;
		if (!mime_ascii_casecmp(alg, "rsa-sha256"))
			o.alg = DKIM_RSA_SHA256;
		else if (!mime_ascii_casecmp(alg, "ed25519-sha256"))
			o.alg = DKIM_ED25519_SHA256;
		else
			usage("-a: rsa-sha256 or ed25519-sha256");
	}
	size_t n = (size_t)(argc - optind);
	struct mime_buf *m = load_all(argv + optind, n);
	struct dkim_key *key = load_key(keyfile);
	o.key = key;
	o.now = (int64_t)time(NULL);
	struct dkim_signer *probe = dkim_signer_new(&o);
	if (!probe)
		die(70, "out of memory");
	if (dkim_signer_status(probe) != DKIM_SIGN_OK) {
		unsigned long line;
		die(64, "%s", dkim_signer_error(probe, &line));
	}
	dkim_signer_free(probe);
	unsigned long long bad = 0;
	double t0 = now();
	for (unsigned long r = 0; r < repeat; r++)
		for (size_t i = 0; i < n; i++)
			bad += !sign_one(&o, m[i].data, m[i].len);
	double t = now() - t0;
	dkim_key_free(key);
	free_all(m, n);
	return report((unsigned long long)n * repeat, t, bad, "could not be signed");
}

int main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	opterr = 0;  /* one line of our own instead */
	if (!strcmp(sub, "bench-verify"))
		return do_bench_verify(argc - 1, argv + 1);
	if (!strcmp(sub, "bench-sign"))
		return do_bench_sign(argc - 1, argv + 1);
	usage(*sub ? "unknown mode" : "which mode?");
}
