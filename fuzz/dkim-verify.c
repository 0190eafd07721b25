/* libFuzzer: the DKIM signer and verifier on arbitrary messages. The
 * verifier gives the same results fed whole and in chunks (the first byte
 * picks the size), with the key of every question answered from memory;
 * a message the signer takes, once signed, verifies: pass, whatever it
 * holds. Nothing here may crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"

/* An Ed25519 key made for this harness only. */
static const char pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIMuS+H8hTYA+KeHIeAzMZUksBcYGTs5Q2cfsfHlcKH8D\n"
	"-----END PRIVATE KEY-----\n"
	;

struct run {
	size_t n;
	enum dkim_result verdict;
	char summary[512];
};

static void verify(const char *s, size_t n, size_t step, const char *record, struct run *out)
{
	struct dkim_verify_options o = {.now = 1700000000};
	struct dkim_verifier *v = dkim_verifier_new(&o);
	if (!v)
		abort();
	struct dns_record rec = {record, strlen(record), 0};
	struct dns_question q;
	enum dkim_step st;
	for (size_t i = 0;;) {
		size_t k = step && n - i > step ? step : n - i;
		dkim_verifier_feed(v, k ? s + i : NULL, k);
		i += k;
		while ((st = dkim_verifier_next(v, &q)) == DKIM_QUERY) {
			/* one name has the key, one times out, the rest do not exist */
			struct dns_answer a = {.id = q.id, .status = DNS_NXDOMAIN};
			if (!strcmp(q.name, "sel._domainkey.example.com")) {
				a.status = DNS_OK;
				a.records = &rec;
				a.count = 1;
			} else if (!strcmp(q.name, "slow._domainkey.example.com")) {
				a.status = DNS_TIMEOUT;
			}
			dkim_verifier_answer(v, &a);
		}
		if (!k)
			break;
	}
	if (st != DKIM_DONE)
		abort();
	const struct dkim_sig_result *r;
	out->n = dkim_verifier_results(v, &r);
	out->verdict = dkim_verifier_verdict(v);
	out->summary[0] = 0;
	for (size_t i = 0; i < out->n && i < 16; i++) {
		size_t l = strlen(out->summary);
		snprintf(out->summary + l, sizeof out->summary - l, "%s:%s:%lu;",
			 dkim_result_name(r[i].result), r[i].reason ? r[i].reason : "", r[i].line);
	}
	dkim_verifier_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)data[0] % 23 + 1;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct dkim_key *key = NULL;
	const char *why;
	if (dkim_key_from_pem(pem, sizeof pem - 1, &key, &why))
		abort();
	struct mime_buf rec = {0};
	if (dkim_key_record(key, &rec) || mime_buf_putc(&rec, 0))
		abort();

	struct run whole, chunked;
	verify(s, n, 0, rec.data, &whole);
	verify(s, n, step, rec.data, &chunked);
	if (whole.n != chunked.n || whole.verdict != chunked.verdict || strcmp(whole.summary, chunked.summary)) {
		fprintf(stderr, "whole (%d): %s\nchunks of %zu (%d): %s\n", whole.verdict, whole.summary, step,
			chunked.verdict, chunked.summary);
		abort();
	}

	/* signed in chunks, then verified: pass */
	struct dkim_sign_options so = {.domain = "example.com", .selector = "sel", .key = key,
				       .now = 1700000000};
	struct dkim_signer *sg = dkim_signer_new(&so);
	if (!sg)
		abort();
	enum dkim_sign_status st = DKIM_SIGN_OK;
	for (size_t i = 0; i < n && st == DKIM_SIGN_OK; i += step)
		st = dkim_signer_feed(sg, s + i, n - i < step ? n - i : step);
	if (st == DKIM_SIGN_OK)
		st = dkim_signer_feed(sg, NULL, 0);
	const char *field;
	size_t flen;
	if (st == DKIM_SIGN_OK && dkim_signer_field(sg, &field, &flen) == DKIM_SIGN_OK) {
		/* the field with the message's line ends, as the editor writes it */
		const char *lf = memchr(s, '\n', n);
		int crlf = !lf || (lf > s && lf[-1] == '\r');
		struct mime_buf m = {0};
		for (size_t i = 0; i < flen; i++)
			if ((crlf || field[i] != '\r') && mime_buf_putc(&m, field[i]))
				abort();
		if (mime_buf_append(&m, crlf ? "\r\n" : "\n", crlf ? 2 : 1) || mime_buf_append(&m, s, n))
			abort();
		struct run signd;
		verify(m.data, m.len, step, rec.data, &signd);
		if (signd.n < 1 || strncmp(signd.summary, "pass:", 5))
			abort();
		mime_buf_free(&m);
	} else if (st == DKIM_SIGN_OK || st == DKIM_SIGN_ECRYPTO || st == DKIM_SIGN_EOPTIONS) {
		abort();
	}
	dkim_signer_free(sg);
	mime_buf_free(&rec);
	dkim_key_free(key);
	return 0;
}
