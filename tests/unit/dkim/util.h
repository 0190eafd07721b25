/* Helpers of the lib/dkim unit tests: sign a message in a given chunking,
 * verify one against a zone held in memory (the DNS question answered by
 * a table, as lib/io's adapter would answer it). */
#ifndef EMBER_TEST_DKIM_UTIL_H
#define EMBER_TEST_DKIM_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "keys.h"

/* One name of the zone: a status and, for DNS_OK, up to two TXT records. */
struct zrec {
	const char *name;
	enum dns_status status;
	const char *txt[2];
};

static inline struct dkim_key *test_key(const char *pem)
{
	struct dkim_key *k = NULL;
	const char *why = NULL;
	ck_assert_int_eq(dkim_key_from_pem(pem, strlen(pem), &k, &why), MIME_OK);
	return k;
}

/* The key record to publish for k, NUL-terminated, malloc'd. */
static inline char *test_record(const struct dkim_key *k)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(dkim_key_record(k, &b), MIME_OK);
	ck_assert_int_eq(mime_buf_putc(&b, 0), MIME_OK);
	return b.data;
}

/* msg signed in chunks of step bytes (0: whole): the field, CRLF, the
 * message; NULL with *st when the signer refused. */
static inline char *test_sign(const struct dkim_sign_options *o, const char *msg, size_t len,
			      size_t step, enum dkim_sign_status *st)
{
	struct dkim_signer *s = dkim_signer_new(o);
	ck_assert_ptr_nonnull(s);
	*st = dkim_signer_status(s);
	for (size_t i = 0; i < len && *st == DKIM_SIGN_OK;) {
		size_t k = step && len - i > step ? step : len - i;
		*st = dkim_signer_feed(s, msg + i, k);
		i += k;
	}
	if (*st == DKIM_SIGN_OK)
		*st = dkim_signer_feed(s, NULL, 0);
	const char *field;
	size_t flen;
	if (*st == DKIM_SIGN_OK)
		*st = dkim_signer_field(s, &field, &flen);
	char *out = NULL;
	if (*st == DKIM_SIGN_OK) {
		out = malloc(flen + 2 + len + 1);
		ck_assert_ptr_nonnull(out);
		memcpy(out, field, flen);
		memcpy(out + flen, "\r\n", 2);
		memcpy(out + flen + 2, msg, len);
		out[flen + 2 + len] = 0;
	}
	dkim_signer_free(s);
	return out;
}

/* What a verification gave, copied out of the verifier. */
struct vres {
	size_t n;
	enum dkim_result verdict;
	enum dkim_result r[8];
	char reason[8][200];
	char domain[8][64];
	int has_length[8];
	uint64_t body_length[8];
	int testing[8];
	unsigned long line[8];
	size_t questions;
	char error[200];
};

static inline void test_answer(struct dkim_verifier *v, const struct zrec *z, size_t nz,
			       const struct dns_question *q)
{
	struct dns_record recs[2];
	struct dns_answer a = {.id = q->id, .status = DNS_NXDOMAIN, .records = recs};
	ck_assert_int_eq(q->type, DNS_TXT);
	for (size_t i = 0; i < nz; i++) {
		if (mime_ascii_casecmp(z[i].name, q->name))
			continue;
		a.status = z[i].status;
		for (size_t k = 0; k < 2 && z[i].txt[k]; k++)
			recs[a.count++] = (struct dns_record){z[i].txt[k], strlen(z[i].txt[k]), 0};
		break;
	}
	dkim_verifier_answer(v, &a);
}

static inline void test_collect(struct dkim_verifier *v, struct vres *out)
{
	const struct dkim_sig_result *r;
	size_t n = dkim_verifier_results(v, &r);
	out->n = n;
	out->verdict = dkim_verifier_verdict(v);
	for (size_t i = 0; i < n && i < 8; i++) {
		out->r[i] = r[i].result;
		snprintf(out->reason[i], sizeof out->reason[i], "%s", r[i].reason ? r[i].reason : "");
		snprintf(out->domain[i], sizeof out->domain[i], "%s", r[i].domain ? r[i].domain : "");
		out->has_length[i] = r[i].has_length;
		out->body_length[i] = r[i].body_length;
		out->testing[i] = r[i].testing;
		out->line[i] = r[i].line;
	}
	const char *e = dkim_verifier_error(v, NULL, NULL);
	snprintf(out->error, sizeof out->error, "%s", e ? e : "");
}

/* Verify msg in chunks of step bytes with v (reset before), each question
 * answered as soon as it is asked. */
static inline void test_verify_with(struct dkim_verifier *v, const struct zrec *z, size_t nz,
				    const char *msg, size_t len, size_t step, struct vres *out)
{
	memset(out, 0, sizeof *out);
	dkim_verifier_reset(v);
	struct dns_question q;
	enum dkim_step st;
	for (size_t i = 0;; ) {
		size_t k = step && len - i > step ? step : len - i;
		dkim_verifier_feed(v, k ? msg + i : NULL, k);
		i += k;
		while ((st = dkim_verifier_next(v, &q)) == DKIM_QUERY) {
			out->questions++;
			test_answer(v, z, nz, &q);
		}
		if (!k)
			break;
	}
	ck_assert_int_eq(st, DKIM_DONE);
	test_collect(v, out);
}

static inline void test_verify(const struct dkim_verify_options *o, const struct zrec *z, size_t nz,
			       const char *msg, size_t step, struct vres *out)
{
	struct dkim_verifier *v = dkim_verifier_new(o);
	ck_assert_ptr_nonnull(v);
	test_verify_with(v, z, nz, msg, strlen(msg), step, out);
	dkim_verifier_free(v);
}

/* The results as "pass,fail,...". */
static inline const char *test_results(const struct vres *r, char *buf, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < r->n && i < 8; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, n - l, "%s%s", i ? "," : "", dkim_result_name(r->r[i]));
	}
	return buf;
}

#endif
