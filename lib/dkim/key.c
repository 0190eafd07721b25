/* Keys (PEM private keys, the key record to publish) and the two
 * signature schemes over the header hash, through OpenSSL's EVP API:
 * RSASSA-PKCS1-v1_5 (RFC 6376 3.3) and Ed25519 over the SHA-256 hash
 * (RFC 8463 3). */
#include "dkim-int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

struct dkim_key {
	EVP_PKEY *pkey;
};

enum mime_status dkim_key_from_pem(const char *pem, size_t len, struct dkim_key **out,
				   const char **err)
{
	*out = NULL;
	if (len > INT32_MAX)
		return *err = "not a PEM private key", MIME_EINVAL;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return MIME_ENOMEM;
	EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!k)
		return *err = "not a PEM private key (PKCS#8, or the traditional RSA form)", MIME_EINVAL;
	int type = EVP_PKEY_get_base_id(k);
	if (type != EVP_PKEY_RSA && type != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		return *err = "not an RSA or Ed25519 key", MIME_EINVAL;
	}
	if (!(*out = malloc(sizeof **out))) {
		EVP_PKEY_free(k);
		return MIME_ENOMEM;
	}
	(*out)->pkey = k;
	return MIME_OK;
}

void dkim_key_free(struct dkim_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

EVP_PKEY *dkim_key_pkey(const struct dkim_key *k) { return k->pkey; }

enum dkim_alg dkim_key_alg(const struct dkim_key *k)
{
	return EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_ED25519 ? DKIM_ED25519_SHA256 : DKIM_RSA_SHA256;
}

unsigned dkim_key_bits(const struct dkim_key *k)
{
	return (unsigned)EVP_PKEY_get_bits(k->pkey);
}

enum mime_status dkim_key_record(const struct dkim_key *k, struct mime_buf *out)
{
	unsigned char raw[32], *der = NULL;
	size_t n = sizeof raw;
	int rsa = dkim_key_alg(k) != DKIM_ED25519_SHA256;
	const unsigned char *p = raw;
	if (rsa) {
		int dl = i2d_PUBKEY(k->pkey, &der);
		if (dl <= 0)
			return MIME_ENOMEM;
		p = der;
		n = (size_t)dl;
	} else if (!EVP_PKEY_get_raw_public_key(k->pkey, raw, &n)) {
		return MIME_EINVAL;
	}
	enum mime_status r = mime_buf_puts(out, rsa ? "v=DKIM1; k=rsa; p=" : "v=DKIM1; k=ed25519; p=");
	if (!r)
		r = mime_base64_encode_all(p, n, MIME_BASE64_NOWRAP, out);
	OPENSSL_free(der);
	return r;
}

/* 1 verified, 0 not, -1 OpenSSL failed (memory). */
int dkim_crypto_verify(EVP_PKEY *k, enum dkim_alg a, const unsigned char *digest, size_t dlen,
		       const unsigned char *sig, size_t slen)
{
	int r;
	if (a == DKIM_ED25519_SHA256) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		if (!md)
			return -1;
		r = EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1 &&
		    EVP_DigestVerify(md, sig, slen, digest, dlen) == 1;
		EVP_MD_CTX_free(md);
		return r;
	}
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	if (!ctx)
		return -1;
	r = EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, dkim_md(a)) == 1 &&
	    EVP_PKEY_verify(ctx, sig, slen, digest, dlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int dkim_crypto_sign(EVP_PKEY *k, enum dkim_alg a, const unsigned char *digest, size_t dlen,
		     struct mime_buf *sig)
{
	size_t slen = 0;
	int ok;
	if (a == DKIM_ED25519_SHA256) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		if (!md)
			return -1;
		ok = EVP_DigestSignInit(md, NULL, NULL, NULL, k) == 1 &&
		     EVP_DigestSign(md, NULL, &slen, digest, dlen) == 1 &&
		     mime_buf_reserve(sig, slen) == MIME_OK &&
		     EVP_DigestSign(md, (unsigned char *)sig->data, &slen, digest, dlen) == 1;
		EVP_MD_CTX_free(md);
	} else {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
		if (!ctx)
			return -1;
		ok = EVP_PKEY_sign_init(ctx) == 1 &&
		     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_signature_md(ctx, dkim_md(a)) == 1 &&
		     EVP_PKEY_sign(ctx, NULL, &slen, digest, dlen) == 1 &&
		     mime_buf_reserve(sig, slen) == MIME_OK &&
		     EVP_PKEY_sign(ctx, (unsigned char *)sig->data, &slen, digest, dlen) == 1;
		EVP_PKEY_CTX_free(ctx);
	}
	if (!ok)
		return -1;
	sig->len = slen;
	return 0;
}

enum dkim_result dkim_answer_pubkey(struct dkim_key_cache *c, const struct dns_answer *a,
				    struct dkim_pubkey *k, const char **why)
{
	memset(k, 0, sizeof *k);
	if (a->status == DNS_NXDOMAIN || a->status == DNS_NODATA || (a->status == DNS_OK && !a->count))
		return *why = "no key for the signature (no TXT record)", DKIM_PERMERROR;
	if (a->status != DNS_OK)
		return *why = a->status == DNS_TIMEOUT ? "the key's DNS query timed out"
			    : a->status == DNS_SERVFAIL ? "the key's DNS query failed (SERVFAIL)"
			    : "the key's DNS query failed (refused, unreachable or a malformed answer)",
		       DKIM_TEMPERROR;
	const char *first = NULL;
	for (size_t i = 0; i < a->count; i++) {
		const char *e = "";
		enum mime_status r = dkim_key_cache_parse(c, a->records[i].data, a->records[i].len, k, &e);
		if (r == MIME_OK)
			return DKIM_PASS;
		if (r == MIME_ENOMEM)
			return *why = "out of memory", DKIM_TEMPERROR;
		if (!first)
			first = e;
	}
	return *why = first, DKIM_PERMERROR;
}

enum dkim_result dkim_pubkey_fits(const struct dkim_pubkey *k, enum dkim_alg alg, unsigned flags,
				  const char **why)
{
	if (k->revoked)
		return *why = "the key is revoked (empty p=)", DKIM_PERMERROR;
	if (k->rsa != (alg != DKIM_ED25519_SHA256))
		return *why = "the key's type (k=) does not fit the algorithm (a=)", DKIM_PERMERROR;
	if (alg == DKIM_RSA_SHA1 ? !k->sha1 : !k->sha256)
		return *why = "the key does not allow the signature's hash (h=)", DKIM_PERMERROR;
	if (k->rsa && k->bits < 1024 && !(flags & DKIM_VERIFY_SHORT_KEYS))
		return *why = "an RSA key under 1024 bits (RFC 8301)", DKIM_FAIL;
	return DKIM_PASS;
}

enum dkim_result dkim_answer_key(struct dkim_key_cache *c, const struct dns_answer *a,
				 enum dkim_alg alg, unsigned flags, struct dkim_pubkey *k,
				 const char **why)
{
	enum dkim_result r = dkim_answer_pubkey(c, a, k, why);
	if (r == DKIM_PASS && (r = dkim_pubkey_fits(k, alg, flags, why)) != DKIM_PASS)
		dkim_pubkey_free(k);
	return r;
}
