/* libFuzzer: ARC (RFC 8617). The field parsers (ARC-Message-Signature,
 * ARC-Seal, the i= of ARC-Authentication-Results) on the input as a field
 * value; the chain validator on the input as a message, fed whole and in
 * chunks (the first byte picks the size) with the same status and sets,
 * keys answered from memory; the input as header fields on top of a chain
 * that validates (whole and chunked alike); the sealer on it, and a
 * message it seals as the first hop validates: pass. Nothing may crash,
 * leak or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"

/* An Ed25519 key made for this harness only. */
static const char pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIMuS+H8hTYA+KeHIeAzMZUksBcYGTs5Q2cfsfHlcKH8D\n"
	"-----END PRIVATE KEY-----\n";

static void parsers(const char *s, size_t n)
{
	struct dkim_sig sig;
	const char *err = NULL;
	enum mime_status r = dkim_ams_parse(s, n, 16, &sig, &err);
	if (r == MIME_OK) {
		if (!sig.d || !sig.s || !sig.b.len || sig.bh.len != 32 || sig.instance < 1 ||
		    sig.instance > DKIM_ARC_MAX_SETS || sig.alg == DKIM_RSA_SHA1)
			abort();
		if (sig.b_from < 16 || sig.b_from > sig.b_to || sig.b_to > 16 + n)
			abort();
		for (size_t k = 0; k < sig.nh; k++)
			if (!mime_ascii_casecmp(sig.h[k], "arc-seal") || !*sig.h[k])
				abort();
		dkim_sig_free(&sig);
	} else if (r == MIME_EINVAL && !err) {
		abort();
	}
	struct dkim_seal as;
	err = NULL;
	r = dkim_seal_parse(s, n, 16, &as, &err);
	if (r == MIME_OK) {
		if (!as.d || !as.s || !as.b.len || as.instance < 1 || as.instance > DKIM_ARC_MAX_SETS ||
		    as.cv > DKIM_ARC_FAIL || as.b_from < 16 || as.b_from > as.b_to || as.b_to > 16 + n)
			abort();
		dkim_seal_free(&as);
	} else if (r == MIME_EINVAL && !err) {
		abort();
	}
	size_t rest = 0;
	unsigned i = dkim_aar_instance(s, n, &rest);
	if (i > DKIM_ARC_MAX_SETS || (i && (rest == 0 || rest > n || s[rest - 1] != ';')))
		abort();
}

struct run {
	enum dkim_arc_cv cv;
	size_t nsets;
	char summary[1024];
};

static void validate(const char *s, size_t n, size_t step, const char *record, struct run *out)
{
	struct dkim_arc_verifier *v = dkim_arc_verifier_new(NULL);
	if (!v)
		abort();
	struct dns_record rec = {record, strlen(record), 0};
	struct dns_question q;
	enum dkim_step st;
	for (size_t i = 0;;) {
		size_t k = step && n - i > step ? step : n - i;
		dkim_arc_verifier_feed(v, k ? s + i : NULL, k);
		i += k;
		while ((st = dkim_arc_verifier_next(v, &q)) == DKIM_QUERY) {
			struct dns_answer a = {.id = q.id, .status = DNS_NXDOMAIN};
			if (!strcmp(q.name, "sel._domainkey.example.com")) {
				a.status = DNS_OK;
				a.records = &rec;
				a.count = 1;
			} else if (!strcmp(q.name, "slow._domainkey.example.com")) {
				a.status = DNS_TIMEOUT;
			}
			dkim_arc_verifier_answer(v, &a);
		}
		if (!k)
			break;
	}
	if (st != DKIM_DONE)
		abort();
	const char *why = NULL;
	unsigned oldest = 0;
	out->cv = dkim_arc_verifier_result(v, &why, &oldest);
	if (out->cv != DKIM_ARC_NONE && out->cv != DKIM_ARC_PASS && !why)
		abort();
	const struct dkim_arc_set *sets;
	out->nsets = dkim_arc_verifier_sets(v, &sets);
	if (out->nsets > DKIM_ARC_MAX_SETS || (out->cv == DKIM_ARC_PASS && oldest > out->nsets))
		abort();
	snprintf(out->summary, sizeof out->summary, "%d %u %s", out->cv, oldest, why ? why : "");
	for (size_t i = 0; i < out->nsets; i++) {
		size_t l = strlen(out->summary);
		snprintf(out->summary + l, sizeof out->summary - l, "|%u %d %d %d", sets[i].instance,
			 sets[i].cv, sets[i].ams, sets[i].seal);
	}
	dkim_arc_verifier_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_key *key;
	static char record[256];
	if (!key) {
		const char *why;
		if (dkim_key_from_pem(pem, strlen(pem), &key, &why))
			abort();
		struct mime_buf b = {0};
		if (dkim_key_record(key, &b) || b.len >= sizeof record)
			abort();
		memcpy(record, b.data, b.len);
		mime_buf_free(&b);
	}
	if (!size)
		return 0;
	size_t step = data[0] % 17;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	parsers(s, n);
	struct run whole, chunked;
	validate(s, n, 0, record, &whole);
	validate(s, n, step ? step : 1, record, &chunked);
	if (whole.cv != chunked.cv || strcmp(whole.summary, chunked.summary))
		abort();
	/* the input as fields above a two-set chain: the same whole and chunked */
	static struct mime_buf chain;
	if (!chain.len) {
		static const char msg[] = "Authentication-Results: fuzz.example; dkim=pass\r\n"
					  "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n";
		struct dkim_arc_seal_options so = {.domain = "example.com", .selector = "sel", .key = key,
						   .authserv_id = "fuzz.example", .now = 1700000000};
		struct mime_buf m = {0};
		if (mime_buf_puts(&m, msg))
			abort();
		for (int hop = 0; hop < 2; hop++) {
			struct dkim_arc_sealer *sl = dkim_arc_sealer_new(&so);
			const char *f[3];
			size_t fl[3];
			if (!sl || dkim_arc_sealer_feed(sl, m.data, m.len) || dkim_arc_sealer_feed(sl, NULL, 0) ||
			    dkim_arc_sealer_fields(sl, f, fl))
				abort();
			struct mime_buf next = {0};
			if (mime_buf_puts(&next, "Authentication-Results: fuzz2.example; arc=pass\r\n"))
				abort();
			for (int i = 0; i < 3; i++)
				if (mime_buf_append(&next, f[i], fl[i]) || mime_buf_puts(&next, "\r\n"))
					abort();
			if (mime_buf_append(&next, m.data, m.len))
				abort();
			dkim_arc_sealer_free(sl);
			mime_buf_free(&m);
			m = next;
			so.authserv_id = "fuzz2.example";
		}
		chain = m;
		struct run r;
		validate(chain.data, chain.len, 0, record, &r);
		if (r.cv != DKIM_ARC_PASS || r.nsets != 2)
			abort();
	}
	struct mime_buf above = {0};
	if (mime_buf_append(&above, s, n) || (n && s[n - 1] != '\n' && mime_buf_puts(&above, "\r\n")) ||
	    mime_buf_append(&above, chain.data, chain.len))
		abort();
	validate(above.data, above.len, 0, record, &whole);
	validate(above.data, above.len, step ? step : 1, record, &chunked);
	if (whole.cv != chunked.cv || strcmp(whole.summary, chunked.summary))
		abort();
	mime_buf_free(&above);
	validate(s, n, 0, record, &whole);
	/* seal it as the hop fuzz.example; a first set must validate */
	struct dkim_arc_seal_options o = {.domain = "example.com", .selector = "sel", .key = key,
					  .authserv_id = "fuzz.example", .now = 1700000000};
	struct dkim_arc_sealer *sl = dkim_arc_sealer_new(&o);
	if (!sl)
		abort();
	dkim_arc_sealer_feed(sl, s, n);
	dkim_arc_sealer_feed(sl, NULL, 0);
	const char *f[3];
	size_t fl[3];
	if (dkim_arc_sealer_fields(sl, f, fl) == DKIM_ARC_SEAL_OK && dkim_arc_sealer_instance(sl) == 1 &&
	    whole.cv == DKIM_ARC_NONE) {
		struct mime_buf m = {0};
		for (int i = 0; i < 3; i++)
			if (mime_buf_append(&m, f[i], fl[i]) || mime_buf_append(&m, "\r\n", 2))
				abort();
		if (mime_buf_append(&m, s, n))
			abort();
		struct run sealed;
		validate(m.data, m.len, 0, record, &sealed);
		/* bare-LF input: the sealed copy mixes CRLF and LF; only CRLF input is checked */
		if (sealed.cv != DKIM_ARC_PASS && memchr(s, '\n', n) &&
		    ((const char *)memchr(s, '\n', n) > s && ((const char *)memchr(s, '\n', n))[-1] == '\r')) {
			fprintf(stderr, "sealed, then: %s\n", sealed.summary);
			abort();
		}
		mime_buf_free(&m);
	}
	dkim_arc_sealer_free(sl);
	return 0;
}
