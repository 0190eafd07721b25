/* DKIM verification in one pass (RFC 6376 6): the header read field by
 * field (each DKIM-Signature parsed and its key asked for as soon as it is
 * read), the header hashes computed when the header ends, the bodies
 * hashed as they stream, the results when the input ends and every key is
 * in. See dkim.h. */
#include "dkim-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vsig {
	struct dkim_sig sig;
	struct dkim_sig_result res;
	int parsed;               /* sig holds a signature */
	int final;                /* res.result is decided */
	size_t field;             /* its field in hf */
	int body;                 /* its body hash in bodies */
	uint64_t qid;             /* the question its key comes by */
	int key_in;               /* the answer came and the key fits */
	int by_key;               /* res was decided by the answer (no key, a key
				     that does not fit): the checks made when the
				     header ends come first, whenever it came */
	struct dkim_pubkey key;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen;            /* the header hash, once the header ended */
	int crypto;               /* -1 not yet, 0 does not verify, 1 verifies */
};

struct dkim_verifier {
	struct dkim_verify_options o;
	struct dkim_input in;
	int done, nomem;
	struct vsig *sigs;
	size_t nsigs, cap_sigs;
	struct dkim_keyqs keys_q;
	struct dkim_body *bodies;         /* kept from message to message, with */
	size_t nbodies, cap_bodies;       /* their digest contexts */
	EVP_MD_CTX *md;
	struct dkim_sig_result *results;  /* once done: the signatures' results */
	struct dkim_key_cache *own_keys;  /* when the options give none */
	EVP_MD *sha256, *sha1;            /* fetched once (not at each use) */
};

static const EVP_MD *vmd(const struct dkim_verifier *v, enum dkim_alg a)
{
	return a == DKIM_RSA_SHA1 ? v->sha1 : v->sha256;
}

static const char *const result_names[] = {"none", "pass", "fail", "neutral", "policy",
					   "temperror", "permerror"};

const char *dkim_result_name(enum dkim_result r)
{
	return (unsigned)r < sizeof result_names / sizeof *result_names ? result_names[r] : "unknown";
}

const char *dkim_alg_name(enum dkim_alg a)
{
	return a == DKIM_ED25519_SHA256 ? "ed25519-sha256" : a == DKIM_RSA_SHA1 ? "rsa-sha1" : "rsa-sha256";
}

static void set_options(struct dkim_verifier *v, const struct dkim_verify_options *o)
{
	memset(&v->o, 0, sizeof v->o);
	if (o)
		v->o = *o;
	if (!v->o.clock_drift)
		v->o.clock_drift = 300;
	if (!v->o.max_signatures)
		v->o.max_signatures = 16;
}

static void on_field(void *ctx, const struct mime_field *f);
static void header_over(void *ctx);
static void on_body(void *ctx, const char *s, size_t n);

struct dkim_verifier *dkim_verifier_new(const struct dkim_verify_options *o)
{
	struct dkim_verifier *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	set_options(v, o);
	int r = dkim_input_init(&v->in, &v->o.header);
	v->in.on_field = on_field;
	v->in.on_header_end = header_over;
	v->in.on_body = on_body;
	v->in.ctx = v;
	v->md = EVP_MD_CTX_new();
	if (!v->o.keys)
		v->o.keys = v->own_keys = dkim_key_cache_new(8);
	v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	v->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (r || !v->md || !v->o.keys || !v->sha256 || !v->sha1) {
		dkim_verifier_free(v);
		return NULL;
	}
	return v;
}

static void clear_message(struct dkim_verifier *v)
{
	for (size_t i = 0; i < v->nsigs; i++) {
		dkim_sig_free(&v->sigs[i].sig);
		dkim_pubkey_free(&v->sigs[i].key);
	}
	free(v->results);
	v->results = NULL;
	dkim_keyqs_clear(&v->keys_q);
	v->nbodies = v->nsigs = 0;
	v->done = v->nomem = 0;
}

void dkim_verifier_reset(struct dkim_verifier *v)
{
	clear_message(v);
	dkim_input_reset(&v->in);
}

void dkim_verifier_free(struct dkim_verifier *v)
{
	if (!v)
		return;
	clear_message(v);
	dkim_input_free(&v->in);
	EVP_MD_CTX_free(v->md);
	for (size_t i = 0; i < v->cap_bodies; i++)
		dkim_body_free(&v->bodies[i]);
	free(v->bodies);
	dkim_key_cache_free(v->own_keys);
	EVP_MD_free(v->sha256);
	EVP_MD_free(v->sha1);
	free(v->sigs);
	dkim_keyqs_free(&v->keys_q);
	free(v->results);
	free(v);
}

static void nomem(struct dkim_verifier *v)
{
	dkim_input_fail(&v->in, MIME_E_NOMEM, "out of memory", 0);
}

/* A signature's result, once. */
static void decide(struct vsig *s, enum dkim_result r, const char *why)
{
	if (s->final)
		return;
	s->final = 1;
	s->res.result = r;
	s->res.reason = why;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 8;
	void *q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* ---- signatures and their keys --------------------------------------------- */

static void take_key(const struct dkim_verifier *v, struct vsig *s, const struct dns_answer *a);
static void try_crypto(struct dkim_verifier *v, struct vsig *s);

/* A question's kept answer, for a signature that comes after it. */
static void take_kept(struct dkim_verifier *v, struct vsig *s, const struct dkim_keyq *q)
{
	struct dns_record recs[DKIM_KEYQ_RECORDS];
	struct dns_answer a;
	dkim_keyq_view(q, &a, recs);
	int was = s->final;
	take_key(v, s, &a);
	s->by_key = !was && s->final;
	try_crypto(v, s);
}

/* The question for a signature's key: one per name. */
static int ask(struct dkim_verifier *v, struct vsig *s)
{
	char name[2 * DNS_NAME_MAX];
	int n = snprintf(name, sizeof name, "%s._domainkey.%s", s->sig.s, s->sig.d);
	if (n < 0 || (size_t)n > DNS_NAME_MAX) {
		decide(s, DKIM_PERMERROR, "the key's name (s=, d=) is too long for DNS");
		return 0;
	}
	int added;
	long i = dkim_keyqs_find(&v->keys_q, name, &added);
	if (i < 0)
		return -1;
	const struct dkim_keyq *q = &v->keys_q.q[i];
	s->qid = q->id;
	if (!added && q->answered)
		take_kept(v, s, q);
	return 0;
}

/* RFC 6376 6.1.1: the checks that need no key. */
static void check_times(const struct dkim_verifier *v, struct vsig *s)
{
	if (!v->o.now)
		return;
	if (s->sig.has_x && (uint64_t)v->o.now > s->sig.x)
		decide(s, DKIM_PERMERROR, "the signature expired (x=)");
	if (s->sig.has_t && s->sig.t > (uint64_t)v->o.now + v->o.clock_drift)
		decide(s, DKIM_PERMERROR, "the signature is dated in the future (t=)");
}

static void on_signature(struct dkim_verifier *v, const struct mime_field *f)
{
	if (grow((void **)&v->sigs, &v->cap_sigs, v->nsigs, sizeof *v->sigs)) {
		nomem(v);
		return;
	}
	struct vsig *s = &v->sigs[v->nsigs++];
	memset(s, 0, sizeof *s);
	s->field = v->in.nhf - 1;
	s->crypto = -1;
	s->res.offset = f->offset;
	s->res.line = f->line;
	if (v->nsigs > v->o.max_signatures) {
		decide(s, DKIM_NEUTRAL, "more signatures than the verifier checks");
		return;
	}
	const char *why = NULL;
	enum mime_status r = dkim_sig_parse(f->value, f->value_len, (size_t)(f->value - f->raw),
					    &s->sig, &why);
	if (r == MIME_ENOMEM) {
		nomem(v);
		return;
	}
	if (r) {
		decide(s, DKIM_PERMERROR, why);
		return;
	}
	s->parsed = 1;
	s->res.domain = s->sig.d;
	s->res.selector = s->sig.s;
	s->res.alg = s->sig.alg_text;
	s->res.b = s->sig.b_text;
	s->res.auid = s->sig.i;
	s->res.has_length = s->sig.has_l;
	s->res.length = s->sig.l;
	check_times(v, s);
	if (!s->final && ask(v, s))
		nomem(v);
}

/* The key record fits the signature (RFC 6376 6.1.2, RFC 8301). */
static void check_key(const struct dkim_verifier *v, struct vsig *s)
{
	const struct dkim_pubkey *k = &s->key;
	s->res.testing = k->testing;
	if (k->strict && !k->revoked) {  /* t=s: i= in d= itself, not below */
		const char *at = s->sig.i ? strrchr(s->sig.i, '@') : NULL;
		if (at && mime_ascii_casecmp(at + 1, s->sig.d))
			return decide(s, DKIM_PERMERROR, "the key says t=s and i= is below d=");
	}
	const char *why;
	enum dkim_result r = dkim_pubkey_fits(k, s->sig.alg, v->o.flags, &why);
	if (r != DKIM_PASS)
		return decide(s, r, why);
	s->key_in = 1;
}

/* The key record of the first TXT record that is one. */
static void take_key(const struct dkim_verifier *v, struct vsig *s, const struct dns_answer *a)
{
	const char *why;
	enum dkim_result r = dkim_answer_pubkey(v->o.keys, a, &s->key, &why);
	if (r != DKIM_PASS)
		return decide(s, r, why);
	check_key(v, s);
}

/* ---- the header hash -------------------------------------------------------- */

/* RFC 6376 3.7: the fields h= names, then the signature itself without
 * its b= value and without its final CRLF. */
static int header_hash(struct dkim_verifier *v, struct vsig *s)
{
	const struct dkim_hfield *self = &v->in.hf[s->field];
	return !EVP_DigestInit_ex(v->md, vmd(v, s->sig.alg), NULL) ||
	       dkim_input_hash_fields(&v->in, v->md, s->sig.hcanon, s->sig.h, s->sig.nh) ||
	       dkim_hash_field(v->md, s->sig.hcanon, v->in.header.data + self->at, self->len,
			       self->name_len, self->value_at, s->sig.b_from, s->sig.b_to, 0) ||
	       !EVP_DigestFinal_ex(v->md, s->digest, &s->dlen) ? -1 : 0;
}

/* RFC 6376 8.15: a From the signature does not cover, above the ones it
 * covers, is what a reader shows: the signature cannot stand for it (as
 * dkimpy decides too). From only: the author decides DMARC. */
static int uncovered_from(const struct dkim_verifier *v, const struct vsig *s)
{
	size_t signed_from = 0, present = 0;
	uint64_t h = dkim_name_hash("From", 4);
	for (size_t k = 0; k < s->sig.nh; k++)
		signed_from += !mime_ascii_casecmp(s->sig.h[k], "From");
	for (size_t j = 0; j < v->in.nhf; j++)
		present += v->in.hf[j].hash == h &&
			   mime_ascii_caseeq(v->in.header.data + v->in.hf[j].at, v->in.hf[j].name_len, "From", 4);
	return present > signed_from;
}

static void try_crypto(struct dkim_verifier *v, struct vsig *s)
{
	if (s->final || !s->key_in || !s->dlen || s->crypto >= 0)
		return;
	s->crypto = dkim_key_cache_verify(v->o.keys, s->key.pkey, s->sig.alg, s->digest, s->dlen,
					  (const unsigned char *)s->sig.b.data, s->sig.b.len);
	if (s->crypto < 0) {
		s->crypto = 0;
		nomem(v);
	}
}

/* The header is over: the bodies to hash, the header hashes. */
static void header_over(void *ctx)
{
	struct dkim_verifier *v = ctx;
	size_t n = 0;
	for (size_t i = 0; i < v->nsigs; i++)
		n += v->sigs[i].parsed;
	if (n > v->cap_bodies) {
		struct dkim_body *b = realloc(v->bodies, n * sizeof *b);
		if (!b)
			return nomem(v);
		for (size_t i = v->cap_bodies; i < n; i++)
			b[i].md = NULL;
		v->bodies = b;
		v->cap_bodies = n;
	}
	for (size_t i = 0; i < v->nsigs; i++) {
		struct vsig *s = &v->sigs[i];
		if (v->in.structural) {  /* above what a key said, whenever it came */
			s->final = 0;
			decide(s, DKIM_PERMERROR, "the header has a structural defect (a line that is not "
			       "a field, a continuation first, a NUL or a bare CR)");
			continue;
		}
		if (!s->parsed || (s->final && !s->by_key))
			continue;
		if (uncovered_from(v, s)) {
			s->final = 0;
			decide(s, DKIM_FAIL, "a From field the signature does not cover (RFC 6376 8.15)");
			continue;
		}
		if (s->final)
			continue;
		/* one body hash for the signatures that agree on how */
		const EVP_MD *md = vmd(v, s->sig.alg);
		size_t b = 0;
		while (b < v->nbodies && !(v->bodies[b].canon == s->sig.bcanon && v->bodies[b].md_type == md &&
					   v->bodies[b].has_limit == s->sig.has_l && v->bodies[b].limit == s->sig.l))
			b++;
		if (b == v->nbodies) {
			if (dkim_body_restart(&v->bodies[b], s->sig.bcanon, md, s->sig.has_l, s->sig.l))
				return nomem(v);
			v->nbodies++;
		}
		s->body = (int)b;
		if (header_hash(v, s))
			return nomem(v);
		try_crypto(v, s);
	}
}

/* ---- reading ------------------------------------------------------------------ */

static void on_field(void *ctx, const struct mime_field *f)
{
	if (mime_field_is(f, "DKIM-Signature"))
		on_signature(ctx, f);
}

static void on_body(void *ctx, const char *s, size_t n)
{
	struct dkim_verifier *v = ctx;
	for (size_t i = 0; i < v->nbodies; i++)
		if (dkim_body_feed(&v->bodies[i], s, n))
			return nomem(v);
}

void dkim_verifier_feed(struct dkim_verifier *v, const char *buf, size_t len)
{
	dkim_input_feed(&v->in, buf, len);
}

/* ---- results ---------------------------------------------------------------- */

static void finish(struct dkim_verifier *v)
{
	unsigned char bh[EVP_MAX_MD_SIZE];
	unsigned blen;
	for (size_t b = 0; b < v->nbodies; b++) {
		struct dkim_body *body = &v->bodies[b];
		if (dkim_body_end(body, bh, &blen))
			return nomem(v);
		for (size_t i = 0; i < v->nsigs; i++) {
			struct vsig *s = &v->sigs[i];
			if (!s->parsed || s->final || s->body != (int)b)
				continue;
			s->res.body_length = body->length;
			if (s->sig.has_l && s->sig.l > body->length)
				decide(s, DKIM_PERMERROR, "l= is longer than the body");
			else if (blen != s->sig.bh.len || memcmp(bh, s->sig.bh.data, blen))
				decide(s, DKIM_FAIL, "body hash mismatch (the body changed)");
			else if (s->crypto != 1)
				decide(s, DKIM_FAIL, "the signature does not verify (the header changed, "
				       "or another key)");
			else if (s->sig.alg == DKIM_RSA_SHA1 && !(v->o.flags & DKIM_VERIFY_SHA1))
				decide(s, DKIM_POLICY, "rsa-sha1 verifies but is not acceptable (RFC 8301)");
			else
				decide(s, DKIM_PASS, s->sig.has_l && s->sig.l < body->length
				       ? "the signature covers only the first l= octets of the body" : "");
		}
	}
	for (size_t i = 0; i < v->nsigs; i++)
		if (!v->sigs[i].final)
			decide(&v->sigs[i], DKIM_PERMERROR, "not verified");
}

/* The results, side by side for the caller. */
static void publish(struct dkim_verifier *v)
{
	v->done = 1;
	if (!v->nsigs)
		return;
	v->results = calloc(v->nsigs, sizeof *v->results);
	if (!v->results) {
		v->nsigs = 0;  /* cannot say: as if unsigned, and the error says why */
		nomem(v);
		return;
	}
	for (size_t i = 0; i < v->nsigs; i++)
		v->results[i] = v->sigs[i].res;
}

enum dkim_step dkim_verifier_next(struct dkim_verifier *v, struct dns_question *q)
{
	if (v->done)
		return DKIM_DONE;
	if (!v->in.error && dkim_keyqs_next(&v->keys_q, q))
		return DKIM_QUERY;
	if (v->in.error && v->in.ended) {  /* the message could not be read: every signature fails */
		enum dkim_result r = v->in.error_code == MIME_E_NOMEM ? DKIM_TEMPERROR : DKIM_PERMERROR;
		for (size_t i = 0; i < v->nsigs; i++)
			decide(&v->sigs[i], r, v->in.error);
		publish(v);
		return DKIM_DONE;
	}
	if (!v->in.ended || !dkim_keyqs_answered(&v->keys_q))
		return DKIM_AWAIT;
	finish(v);
	publish(v);
	return DKIM_DONE;
}

void dkim_verifier_answer(struct dkim_verifier *v, const struct dns_answer *a)
{
	long i = dkim_keyqs_answer(&v->keys_q, a);
	if (i < 0)
		return;
	for (size_t k = 0; k < v->nsigs; k++) {
		struct vsig *s = &v->sigs[k];
		if (s->qid == a->id && !s->final && !s->key_in)
			take_kept(v, s, &v->keys_q.q[i]);
	}
}

size_t dkim_verifier_results(const struct dkim_verifier *v, const struct dkim_sig_result **r)
{
	*r = v->results;
	return v->done && v->results ? v->nsigs : 0;
}

enum dkim_result dkim_verifier_verdict(const struct dkim_verifier *v)
{
	if (!v->nsigs)  /* unsigned, unless the message cannot be read as one */
		return v->in.error ? (v->in.error_code == MIME_E_NOMEM ? DKIM_TEMPERROR : DKIM_PERMERROR)
		       : v->in.structural ? DKIM_PERMERROR : DKIM_NONE;
	int temp = 0;
	for (size_t i = 0; i < v->nsigs; i++) {
		if (v->sigs[i].res.result == DKIM_PASS)
			return DKIM_PASS;
		temp |= v->sigs[i].res.result == DKIM_TEMPERROR;
	}
	return temp ? DKIM_TEMPERROR : v->sigs[0].res.result;
}

const char *dkim_verifier_error(const struct dkim_verifier *v, enum mime_code *code,
				unsigned long *line)
{
	int s = !v->in.error && v->in.structural;
	if (code)
		*code = s ? v->in.structural_code : v->in.error_code;
	if (line)
		*line = s ? v->in.structural_line : v->in.error_line;
	return s ? v->in.structural_msg : v->in.error;
}
