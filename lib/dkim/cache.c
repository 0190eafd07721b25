/* Parsed key records kept for the next message signed with the same key:
 * decoding a public key is most of what verifying a small message costs
 * (OpenSSL's decoder), and the same few keys sign most of the mail a
 * server sees. Keyed by the record's exact bytes; the oldest entry goes. */
#include "dkim-int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

struct entry {
	uint64_t hash;
	struct mime_buf rec;
	struct dkim_pubkey key;   /* pkey holds one reference for the cache */
	EVP_PKEY_CTX *rsa256;     /* made ready once to verify rsa-sha256 */
	uint64_t used;
};

struct dkim_key_cache {
	struct entry *e;
	size_t n, cap;
	uint64_t clock;
	uint64_t hits, misses;
};

struct dkim_key_cache *dkim_key_cache_new(size_t entries)
{
	struct dkim_key_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->cap = entries ? entries : 1;
	if (!(c->e = calloc(c->cap, sizeof *c->e))) {
		free(c);
		return NULL;
	}
	return c;
}

void dkim_key_cache_free(struct dkim_key_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		mime_buf_free(&c->e[i].rec);
		dkim_pubkey_free(&c->e[i].key);
		EVP_PKEY_CTX_free(c->e[i].rsa256);
	}
	free(c->e);
	free(c);
}

void dkim_key_cache_stats(const struct dkim_key_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}

/* A cheap key to skip most entries: the length and the last 16 octets
 * (where two keys' p= values differ); memcmp decides. */
static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ull;
	for (size_t i = n > 16 ? n - 16 : 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* As dkim_pubkey_parse, through the cache: *k has its own reference. */
enum mime_status dkim_key_cache_parse(struct dkim_key_cache *c, const char *txt, size_t n,
				      struct dkim_pubkey *k, const char **err)
{
	if (!c)
		return dkim_pubkey_parse(txt, n, k, err);
	uint64_t h = hash_of(txt, n);
	for (size_t i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];
		if (e->hash != h || e->rec.len != n || memcmp(e->rec.data, txt, n))
			continue;
		if (e->key.pkey && !EVP_PKEY_up_ref(e->key.pkey))
			return MIME_ENOMEM;
		*k = e->key;
		e->used = ++c->clock;
		c->hits++;
		return MIME_OK;
	}
	c->misses++;
	enum mime_status r = dkim_pubkey_parse(txt, n, k, err);
	if (r != MIME_OK)
		return r;  /* refusals are cheap to find again: not kept */
	size_t at = c->n;
	if (at == c->cap) {  /* the least recently used goes */
		at = 0;
		for (size_t i = 1; i < c->n; i++)
			if (c->e[i].used < c->e[at].used)
				at = i;
		dkim_pubkey_free(&c->e[at].key);
		EVP_PKEY_CTX_free(c->e[at].rsa256);
		c->e[at].rsa256 = NULL;
		mime_buf_reset(&c->e[at].rec);
	} else {
		c->n++;
		memset(&c->e[at], 0, sizeof c->e[at]);
	}
	struct entry *e = &c->e[at];
	if (mime_buf_append(&e->rec, txt, n) || (k->pkey && !EVP_PKEY_up_ref(k->pkey))) {
		/* not kept: the key is still the caller's */
		mime_buf_free(&e->rec);
		c->e[at] = c->e[--c->n];
		return MIME_OK;
	}
	e->hash = h;
	e->key = *k;
	e->used = ++c->clock;
	return MIME_OK;
}

/* As dkim_crypto_verify; for a key of the cache, rsa-sha256 with a context
 * made ready once (a third of what an RSA verification costs otherwise). */
int dkim_key_cache_verify(struct dkim_key_cache *c, EVP_PKEY *k, enum dkim_alg a,
			  const unsigned char *digest, size_t dlen, const unsigned char *sig, size_t slen)
{
	for (size_t i = 0; c && a == DKIM_RSA_SHA256 && i < c->n; i++) {
		struct entry *e = &c->e[i];
		if (e->key.pkey != k)
			continue;
		if (!e->rsa256) {
			EVP_PKEY_CTX *x = EVP_PKEY_CTX_new(k, NULL);
			if (x && (EVP_PKEY_verify_init(x) != 1 ||
				  EVP_PKEY_CTX_set_rsa_padding(x, RSA_PKCS1_PADDING) != 1 ||
				  EVP_PKEY_CTX_set_signature_md(x, EVP_sha256()) != 1)) {
				EVP_PKEY_CTX_free(x);
				x = NULL;
			}
			e->rsa256 = x;
		}
		if (e->rsa256)
			return EVP_PKEY_verify(e->rsa256, sig, slen, digest, dlen) == 1;
		break;
	}
	return dkim_crypto_verify(k, a, digest, dlen, sig, slen);
}
