/* Known answers: go-msgauth's signing vectors (../shared/testdata/dkim/rfc,
 * skipped when absent). RSA PKCS#1 v1.5 and Ed25519 are deterministic, so
 * hashing their exact DKIM-Signature field the way the verifier does and
 * signing the digest with the same key must give their b= byte for byte,
 * and the body hash their bh=. ember's own signer, given the same message,
 * key and options, must give the same bh= and a signature that verifies. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dkim-int.h"
#include "util.h"

#define RFC "../shared/testdata/dkim/rfc/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct mime_buf b = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		ck_assert_int_eq(mime_buf_append(&b, buf, n), MIME_OK);
	fclose(f);
	ck_assert_int_eq(mime_buf_putc(&b, 0), MIME_OK);
	*len = b.len - 1;
	return b.data;
}

/* The private key of a vector. */
static EVP_PKEY *vector_key(int ed, struct dkim_key **holder)
{
	size_t n;
	if (!ed) {
		char *pem = slurp(RFC "rfc6376-C-private-key.pem", &n);
		ck_assert_ptr_nonnull(pem);
		*holder = test_key(pem);
		free(pem);
		return dkim_key_pkey(*holder);
	}
	*holder = NULL;
	char *b64 = slurp(RFC "rfc8463-A.1-ed25519-secret.b64", &n);
	ck_assert_ptr_nonnull(b64);
	while (n && (b64[n - 1] == '\n' || b64[n - 1] == '\r'))
		n--;
	struct mime_buf seed = {0};
	ck_assert_int_eq(dkim_base64(b64, n, &seed), MIME_OK);
	ck_assert_uint_eq(seed.len, 32);
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
						   (const unsigned char *)seed.data, 32);
	ck_assert_ptr_nonnull(k);
	mime_buf_free(&seed);
	free(b64);
	return k;
}

static void kat(const char *file, int ed)
{
	size_t len;
	char *msg = slurp(file, &len);
	if (!msg) {
		printf("kat: skipped: %s is absent\n", file);
		return;
	}
	struct dkim_input in;
	struct mime_hdr_limits lim = {0};
	ck_assert_int_eq(dkim_input_init(&in, &lim), 0);
	dkim_input_feed(&in, msg, len);
	dkim_input_feed(&in, NULL, 0);
	ck_assert_ptr_null(in.error);
	ck_assert_uint_ge(in.nhf, 1);
	const struct dkim_hfield *self = &in.hf[0];
	const char *raw = in.header.data + self->at;
	size_t vlen = self->len - self->value_at;
	while (vlen && (raw[self->value_at + vlen - 1] == '\n' || raw[self->value_at + vlen - 1] == '\r'))
		vlen--;
	struct dkim_sig sig;
	const char *err = NULL;
	ck_assert_int_eq(dkim_sig_parse(raw + self->value_at, vlen, self->value_at, &sig, &err), MIME_OK);
	ck_assert_int_eq(sig.alg, ed ? DKIM_ED25519_SHA256 : DKIM_RSA_SHA256);

	/* the header hash, as the verifier takes it */
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(md);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen;
	ck_assert(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
	ck_assert_int_eq(dkim_input_hash_fields(&in, md, sig.hcanon, sig.h, sig.nh), 0);
	ck_assert_int_eq(dkim_hash_field(md, sig.hcanon, raw, self->len, self->name_len, self->value_at,
					 sig.b_from, sig.b_to, 0), 0);
	ck_assert(EVP_DigestFinal_ex(md, digest, &dlen));
	EVP_MD_CTX_free(md);

	struct dkim_key *holder;
	EVP_PKEY *key = vector_key(ed, &holder);
	struct mime_buf b = {0};
	ck_assert_int_eq(dkim_crypto_sign(key, sig.alg, digest, dlen, &b), 0);
	ck_assert_uint_eq(b.len, sig.b.len);
	ck_assert_msg(!memcmp(b.data, sig.b.data, b.len), "%s: b= differs", file);
	mime_buf_free(&b);

	/* the body hash */
	const char *body = strstr(msg, "\r\n\r\n") + 4;
	struct dkim_body bd;
	unsigned char bh[EVP_MAX_MD_SIZE];
	unsigned bhl;
	ck_assert_int_eq(dkim_body_init(&bd, sig.bcanon, EVP_sha256(), 0, 0), 0);
	ck_assert_int_eq(dkim_body_feed(&bd, body, len - (size_t)(body - msg)), 0);
	ck_assert_int_eq(dkim_body_end(&bd, bh, &bhl), 0);
	dkim_body_free(&bd);
	ck_assert(bhl == sig.bh.len && !memcmp(bh, sig.bh.data, bhl));

	/* ember's signer on the same message and options: the same bh= */
	if (holder) {
		const char *from = strstr(msg, "\r\nFrom:") + 2;
		const char *names[] = {"From", "To", "Subject", "Date", "Message-ID"};
		struct dkim_sign_options o = {.domain = sig.d, .selector = sig.s, .key = holder,
					      .header_canon = DKIM_SIMPLE, .body_canon = DKIM_SIMPLE,
					      .canon_set = 1, .fields = names, .nfields = 5,
					      .flags = DKIM_SIGN_NO_OVERSIGN, .now = 424242};
		enum dkim_sign_status st;
		char *out = test_sign(&o, from, len - (size_t)(from - msg), 0, &st);
		ck_assert_ptr_nonnull(out);
		const char *theirs = strstr(msg, "bh="), *ours = strstr(out, "bh=");
		ck_assert(!strncmp(theirs, ours, 47));
		char *rec = test_record(holder);
		struct zrec z = {"brisbane._domainkey.example.org", DNS_OK, {rec, NULL}};
		struct vres r;
		test_verify(NULL, &z, 1, out, 0, &r);
		ck_assert_int_eq(r.r[0], DKIM_PASS);
		free(rec);
		free(out);
		dkim_key_free(holder);
	} else {
		EVP_PKEY_free(key);
	}
	dkim_sig_free(&sig);
	dkim_input_free(&in);
	free(msg);
}

START_TEST(gomsgauth_rsa)
{
	kat(RFC "gomsgauth-sign-kat-rsa.eml", 0);
}
END_TEST

START_TEST(gomsgauth_ed25519)
{
	kat(RFC "gomsgauth-sign-kat-ed25519.eml", 1);
}
END_TEST

Suite *suite_kat(void)
{
	Suite *s = suite_create("dkim-kat");
	TCase *t = tcase_create("kat");
	tcase_add_test(t, gomsgauth_rsa);
	tcase_add_test(t, gomsgauth_ed25519);
	suite_add_tcase(s, t);
	return s;
}
