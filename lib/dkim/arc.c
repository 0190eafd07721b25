/* ARC chain validation in one pass (RFC 8617 5.2): each ARC field parsed
 * as it is read and its key asked for at once, the AMS header hashes and
 * the seal hashes computed when the header ends, the AMS bodies hashed as
 * they stream, the chain decided when the input ends and the keys are in.
 * See dkim.h. */
#include "dkim-int.h"

#include <stdlib.h>
#include <string.h>

/* More ARC fields than 50 whole sets is a chain that fails: the rest are
 * not kept (bounded memory for any header). */
enum { MAX_FIELDS = 3 * DKIM_ARC_MAX_SETS + 3 };

struct afield {
	int kind;                 /* ARC_AAR, ARC_AMS, ARC_AS */
	size_t hf;                /* its field in the input's list */
	unsigned instance;        /* 0: none that parses */
	const char *why;          /* why it does not parse, or NULL */
	int parsed;               /* ams or as holds it */
	struct dkim_sig ams;
	struct dkim_seal as;
	size_t q;                 /* its key's question */
	enum dkim_result key;     /* DKIM_NONE until the answer is in */
	const char *key_why;
	struct dkim_pubkey pub;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen;            /* the header hash (0: not made) */
	int body;                 /* AMS: its body hash */
	enum dkim_result res;     /* the signature's result */
	const char *res_why;
};

struct dkim_arc_verifier {
	struct dkim_arc_options o;
	struct dkim_input in;
	struct afield *f;
	size_t nf;
	int too_many;             /* ARC fields past MAX_FIELDS were met */
	struct dkim_keyqs keys_q;
	struct dkim_body *bodies;
	size_t nbodies, cap_bodies;
	EVP_MD_CTX *md;
	struct dkim_key_cache *own_keys;
	/* the chain, once the header is read */
	unsigned n;               /* the highest instance */
	size_t set[DKIM_ARC_MAX_SETS + 1][3]; /* field index + 1 per instance and kind */
	const char *broken;       /* why the chain fails before any crypto, or NULL */
	int done;
	enum dkim_arc_cv cv;
	const char *reason;
	unsigned oldest_pass;
	struct dkim_arc_set sets[DKIM_ARC_MAX_SETS];
	size_t nsets;
};

static const char *const cv_names[] = {"none", "pass", "fail", "temperror"};

const char *dkim_arc_cv_name(enum dkim_arc_cv cv)
{
	return (unsigned)cv < 4 ? cv_names[cv] : "unknown";
}

int dkim_arc_kind(const char *name, size_t n)
{
	if (mime_ascii_caseeq(name, n, "ARC-Authentication-Results", 26))
		return ARC_AAR;
	if (mime_ascii_caseeq(name, n, "ARC-Message-Signature", 21))
		return ARC_AMS;
	if (mime_ascii_caseeq(name, n, "ARC-Seal", 8))
		return ARC_AS;
	return -1;
}

int dkim_arc_seal_hash(EVP_MD_CTX *md, const struct dkim_raw *f, size_t n, unsigned char *digest,
		       unsigned *dlen)
{
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (dkim_hash_field(md, DKIM_RELAXED, f[i].raw, f[i].len, f[i].name_len, f[i].value_at,
				    f[i].cut_from, f[i].cut_to, i + 1 < n))
			return -1;
	return EVP_DigestFinal_ex(md, digest, dlen) ? 0 : -1;
}

static void on_field(void *ctx, const struct mime_field *f);
static void header_over(void *ctx);
static void on_body(void *ctx, const char *s, size_t n);

struct dkim_arc_verifier *dkim_arc_verifier_new(const struct dkim_arc_options *o)
{
	struct dkim_arc_verifier *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	if (o)
		v->o = *o;
	int r = dkim_input_init(&v->in, &v->o.header);
	v->in.on_field = on_field;
	v->in.on_header_end = header_over;
	v->in.on_body = on_body;
	v->in.ctx = v;
	v->md = EVP_MD_CTX_new();
	v->f = calloc(MAX_FIELDS, sizeof *v->f);
	if (!v->o.keys)
		v->o.keys = v->own_keys = dkim_key_cache_new(8);
	if (r || !v->md || !v->f || !v->o.keys) {
		dkim_arc_verifier_free(v);
		return NULL;
	}
	return v;
}

static void clear_message(struct dkim_arc_verifier *v)
{
	for (size_t i = 0; i < v->nf; i++) {
		dkim_sig_free(&v->f[i].ams);
		dkim_seal_free(&v->f[i].as);
		dkim_pubkey_free(&v->f[i].pub);
	}
	dkim_keyqs_clear(&v->keys_q);
	v->nf = v->nbodies = v->nsets = 0;
	v->too_many = v->done = 0;
	v->n = 0;
	v->broken = v->reason = NULL;
	v->oldest_pass = 0;
	v->cv = DKIM_ARC_NONE;
	memset(v->set, 0, sizeof v->set);
}

void dkim_arc_verifier_reset(struct dkim_arc_verifier *v)
{
	clear_message(v);
	dkim_input_reset(&v->in);
}

void dkim_arc_verifier_free(struct dkim_arc_verifier *v)
{
	if (!v)
		return;
	if (v->f)
		clear_message(v);
	dkim_input_free(&v->in);
	EVP_MD_CTX_free(v->md);
	for (size_t i = 0; i < v->cap_bodies; i++)
		dkim_body_free(&v->bodies[i]);
	free(v->bodies);
	dkim_key_cache_free(v->own_keys);
	free(v->f);
	dkim_keyqs_free(&v->keys_q);
	free(v);
}

static void nomem(struct dkim_arc_verifier *v)
{
	dkim_input_fail(&v->in, MIME_E_NOMEM, "out of memory", 0);
}

/* ---- reading ------------------------------------------------------------------ */

/* The question for a key, one per name; NULL name: none (too long). */
static int ask(struct dkim_arc_verifier *v, struct afield *a, const char *sel, const char *dom)
{
	char name[2 * DNS_NAME_MAX + 16];
	size_t sl = strlen(sel), dl = strlen(dom);
	if (sl + dl + 12 > DNS_NAME_MAX) {
		a->key = DKIM_PERMERROR;
		a->key_why = "the key's name (s=, d=) is too long for DNS";
		return 0;
	}
	memcpy(name, sel, sl);
	memcpy(name + sl, "._domainkey.", 12);
	memcpy(name + sl + 12, dom, dl + 1);
	int added;
	long i = dkim_keyqs_find(&v->keys_q, name, &added);
	if (i < 0)
		return -1;
	a->q = (size_t)i;
	return 0;
}

static void on_field(void *ctx, const struct mime_field *f)
{
	struct dkim_arc_verifier *v = ctx;
	int kind = dkim_arc_kind(f->name, f->name_len);
	if (kind < 0)
		return;
	if (v->nf == MAX_FIELDS) {
		v->too_many = 1;
		return;
	}
	struct afield *a = &v->f[v->nf++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->hf = v->in.nhf - 1;
	a->body = -1;
	size_t at = (size_t)(f->value - f->raw), rest;
	enum mime_status r = MIME_OK;
	const char *why = NULL;
	if (kind == ARC_AAR) {
		if (!(a->instance = dkim_aar_instance(f->value, f->value_len, &rest)))
			a->why = "an ARC-Authentication-Results that does not start with i=N; (1 to 50)";
		return;
	}
	if (kind == ARC_AMS)
		r = dkim_ams_parse(f->value, f->value_len, at, &a->ams, &why);
	else
		r = dkim_seal_parse(f->value, f->value_len, at, &a->as, &why);
	if (r == MIME_ENOMEM)
		return nomem(v);
	if (r) {
		a->why = why;
		return;
	}
	a->parsed = 1;
	a->instance = kind == ARC_AMS ? a->ams.instance : a->as.instance;
	if (kind == ARC_AMS ? ask(v, a, a->ams.s, a->ams.d) : ask(v, a, a->as.s, a->as.d))
		nomem(v);
}

/* RFC 8617 5.2 steps 1 to 3: the chain's shape, before any crypto. */
static const char *structure(struct dkim_arc_verifier *v)
{
	if (v->too_many)
		return "more ARC fields than 50 sets hold";
	for (size_t i = 0; i < v->nf; i++) {
		struct afield *a = &v->f[i];
		if (a->why)
			return a->why;
		if (a->instance > v->n)
			v->n = a->instance;
		size_t *slot = &v->set[a->instance][a->kind];
		if (*slot)
			return "two ARC fields of one kind with the same instance (i=)";
		*slot = i + 1;
	}
	for (unsigned k = 1; k <= v->n; k++)
		for (int kind = 0; kind < 3; kind++)
			if (!v->set[k][kind])
				return kind == ARC_AAR ? "an ARC set without its ARC-Authentication-Results"
				     : kind == ARC_AMS ? "an ARC set without its ARC-Message-Signature"
				     : "an ARC set without its ARC-Seal";
	/* step 2: the latest seal says the chain failed; step 3: cv= fits */
	if (v->f[v->set[v->n][ARC_AS] - 1].as.cv == DKIM_ARC_FAIL)
		return "the latest ARC-Seal says cv=fail";
	for (unsigned k = 1; k <= v->n; k++) {
		enum dkim_arc_cv cv = v->f[v->set[k][ARC_AS] - 1].as.cv;
		if (cv == DKIM_ARC_FAIL)
			return "an ARC-Seal says cv=fail";
		if (k == 1 && cv != DKIM_ARC_NONE)
			return "the first ARC-Seal does not say cv=none";
		if (k > 1 && cv != DKIM_ARC_PASS)
			return "an ARC-Seal after the first does not say cv=pass";
	}
	return NULL;
}

static struct dkim_raw raw_of(const struct dkim_arc_verifier *v, size_t field, int cut)
{
	const struct afield *a = &v->f[field];
	const struct dkim_hfield *h = &v->in.hf[a->hf];
	struct dkim_raw r = {v->in.header.data + h->at, h->len, h->name_len, h->value_at, 0, 0};
	if (cut) {
		r.cut_from = a->as.b_from;
		r.cut_to = a->as.b_to;
	}
	return r;
}

/* The seal of instance k: sets 1..k, AAR, AMS, AS each. */
static int seal_hash(struct dkim_arc_verifier *v, unsigned k)
{
	struct dkim_raw r[3 * DKIM_ARC_MAX_SETS];
	size_t n = 0;
	for (unsigned j = 1; j <= k; j++)
		for (int kind = 0; kind < 3; kind++)
			r[n++] = raw_of(v, v->set[j][kind] - 1, j == k && kind == ARC_AS);
	struct afield *a = &v->f[v->set[k][ARC_AS] - 1];
	return dkim_arc_seal_hash(v->md, r, n, a->digest, &a->dlen);
}

/* An AMS's header hash: as a DKIM-Signature's (RFC 6376 3.7). */
static int ams_hash(struct dkim_arc_verifier *v, struct afield *a)
{
	const struct dkim_hfield *self = &v->in.hf[a->hf];
	return !EVP_DigestInit_ex(v->md, EVP_sha256(), NULL) ||
	       dkim_input_hash_fields(&v->in, v->md, a->ams.hcanon, a->ams.h, a->ams.nh) ||
	       dkim_hash_field(v->md, a->ams.hcanon, v->in.header.data + self->at, self->len,
			       self->name_len, self->value_at, a->ams.b_from, a->ams.b_to, 0) ||
	       !EVP_DigestFinal_ex(v->md, a->digest, &a->dlen) ? -1 : 0;
}

static int body_for(struct dkim_arc_verifier *v, struct afield *a)
{
	const struct dkim_sig *s = &a->ams;
	size_t b = 0;
	while (b < v->nbodies && !(v->bodies[b].canon == s->bcanon && v->bodies[b].has_limit == s->has_l &&
				   v->bodies[b].limit == s->l))
		b++;
	if (b == v->nbodies) {
		if (b == v->cap_bodies) {
			size_t c = v->cap_bodies ? 2 * v->cap_bodies : 2;
			struct dkim_body *nb = realloc(v->bodies, c * sizeof *nb);
			if (!nb)
				return -1;
			for (size_t i = v->cap_bodies; i < c; i++)
				nb[i].md = NULL;
			v->bodies = nb;
			v->cap_bodies = c;
		}
		if (dkim_body_restart(&v->bodies[b], s->bcanon, EVP_sha256(), s->has_l, s->l))
			return -1;
		v->nbodies++;
	}
	a->body = (int)b;
	return 0;
}

static void header_over(void *ctx)
{
	struct dkim_arc_verifier *v = ctx;
	if (!v->nf)
		return;
	if (v->in.structural) {
		v->broken = "the header has a structural defect (a line that is not a field, a "
			    "continuation first, a NUL or a bare CR)";
		return;
	}
	if ((v->broken = structure(v)))
		return;
	for (unsigned k = 1; k <= v->n; k++) {
		struct afield *ams = &v->f[v->set[k][ARC_AMS] - 1];
		if (ams_hash(v, ams) || body_for(v, ams) || seal_hash(v, k))
			return nomem(v);
	}
}

static void on_body(void *ctx, const char *s, size_t n)
{
	struct dkim_arc_verifier *v = ctx;
	for (size_t i = 0; i < v->nbodies; i++)
		if (dkim_body_feed(&v->bodies[i], s, n))
			return nomem(v);
}

void dkim_arc_verifier_feed(struct dkim_arc_verifier *v, const char *buf, size_t len)
{
	dkim_input_feed(&v->in, buf, len);
}

/* ---- results -------------------------------------------------------------------- */

static void key_of(struct dkim_arc_verifier *v, struct afield *a)
{
	if (a->key != DKIM_NONE)
		return;
	struct dns_record recs[DKIM_KEYQ_RECORDS];
	struct dns_answer ans;
	dkim_keyq_view(&v->keys_q.q[a->q], &ans, recs);
	a->key = dkim_answer_key(v->o.keys, &ans, a->kind == ARC_AMS ? a->ams.alg : a->as.alg,
				 v->o.flags, &a->pub, &a->key_why);
}

/* A signature's result once its key and hash are in. */
static void check(struct dkim_arc_verifier *v, struct afield *a, const unsigned char *bh, unsigned bhl)
{
	key_of(v, a);
	if (a->key != DKIM_PASS) {
		a->res = a->key;
		a->res_why = a->key_why;
		return;
	}
	if (a->kind == ARC_AMS && (a->ams.has_l && a->ams.l > v->bodies[a->body].length)) {
		a->res = DKIM_PERMERROR;
		a->res_why = "l= is longer than the body";
		return;
	}
	if (a->kind == ARC_AMS && (bhl != a->ams.bh.len || memcmp(bh, a->ams.bh.data, bhl))) {
		a->res = DKIM_FAIL;
		a->res_why = "body hash mismatch (the body changed)";
		return;
	}
	const struct mime_buf *b = a->kind == ARC_AMS ? &a->ams.b : &a->as.b;
	int ok = dkim_key_cache_verify(v->o.keys, a->pub.pkey, a->kind == ARC_AMS ? a->ams.alg : a->as.alg,
				       a->digest, a->dlen, (const unsigned char *)b->data, b->len);
	if (ok < 0)
		nomem(v);
	a->res = ok == 1 ? DKIM_PASS : DKIM_FAIL;
	a->res_why = ok == 1 ? NULL : a->kind == ARC_AMS ? "the ARC-Message-Signature does not verify"
					: "the ARC-Seal does not verify";
}

static void decide(struct dkim_arc_verifier *v, enum dkim_arc_cv cv, const char *why)
{
	v->cv = cv;
	v->reason = why;
}

/* A signature that did not pass: FAIL, or TEMPERROR when its key could not
 * be fetched now. */
static void refused(struct dkim_arc_verifier *v, const struct afield *a)
{
	decide(v, a->res == DKIM_TEMPERROR ? DKIM_ARC_TEMPERROR : DKIM_ARC_FAIL, a->res_why);
}

static void report_sets(struct dkim_arc_verifier *v)
{
	unsigned n = 0;
	for (size_t i = 0; i < v->nf; i++)
		if (v->f[i].instance > n)
			n = v->f[i].instance;
	for (unsigned k = 1; k <= n; k++) {
		struct dkim_arc_set *s = &v->sets[k - 1];
		memset(s, 0, sizeof *s);
		s->instance = k;
		for (size_t i = 0; i < v->nf; i++) {
			const struct afield *a = &v->f[i];
			if (a->instance != k || !a->parsed)
				continue;
			if (a->kind == ARC_AMS && !s->ams_domain) {
				s->ams_domain = a->ams.d;
				s->ams_selector = a->ams.s;
				s->ams = a->res;
				if (!s->reason)
					s->reason = a->res == DKIM_PASS ? NULL : a->res_why ? a->res_why : v->reason;
			} else if (a->kind == ARC_AS && !s->seal_domain) {
				s->seal_domain = a->as.d;
				s->seal_selector = a->as.s;
				s->cv = a->as.cv;
				s->seal = a->res;
				if (!s->reason || s->ams == DKIM_PASS)
					s->reason = a->res == DKIM_PASS ? s->reason : a->res_why ? a->res_why : v->reason;
			}
		}
	}
	v->nsets = n;
}

static void finish(struct dkim_arc_verifier *v)
{
	v->done = 1;
	if (v->in.error) {
		if (v->in.error_code == MIME_E_NOMEM)
			return decide(v, DKIM_ARC_TEMPERROR, "out of memory");
		/* a header that cannot be read may hide a chain: not none */
		return decide(v, DKIM_ARC_FAIL, v->in.error);
	}
	if (!v->nf && !v->too_many)
		return decide(v, DKIM_ARC_NONE, NULL);
	if (v->broken) {
		decide(v, DKIM_ARC_FAIL, v->broken);
		return report_sets(v);
	}
	for (size_t b = 0; b < v->nbodies; b++) {
		unsigned char bh[EVP_MAX_MD_SIZE];
		unsigned bhl;
		if (dkim_body_end(&v->bodies[b], bh, &bhl))
			return decide(v, DKIM_ARC_TEMPERROR, "out of memory");
		for (unsigned k = 1; k <= v->n; k++) {
			struct afield *ams = &v->f[v->set[k][ARC_AMS] - 1];
			if (ams->body == (int)b)
				check(v, ams, bh, bhl);
		}
	}
	for (unsigned k = 1; k <= v->n; k++)
		check(v, &v->f[v->set[k][ARC_AS] - 1], NULL, 0);
	report_sets(v);
	/* step 4: the latest AMS */
	const struct afield *last = &v->f[v->set[v->n][ARC_AMS] - 1];
	if (last->res != DKIM_PASS)
		return refused(v, last);
	/* step 6: every seal, the latest first */
	for (unsigned k = v->n; k >= 1; k--) {
		const struct afield *as = &v->f[v->set[k][ARC_AS] - 1];
		if (as->res != DKIM_PASS)
			return refused(v, as);
	}
	/* step 5: oldest-pass, the lowest instance from which on every AMS verifies */
	v->oldest_pass = 0;
	for (unsigned k = v->n - 1; k >= 1; k--)
		if (v->f[v->set[k][ARC_AMS] - 1].res != DKIM_PASS) {
			v->oldest_pass = k + 1;
			break;
		}
	decide(v, DKIM_ARC_PASS, NULL);
}

enum dkim_step dkim_arc_verifier_next(struct dkim_arc_verifier *v, struct dns_question *q)
{
	if (v->done)
		return DKIM_DONE;
	if (!v->in.error && dkim_keyqs_next(&v->keys_q, q))
		return DKIM_QUERY;
	if (!v->in.ended)
		return DKIM_AWAIT;
	/* a chain decided by its shape, or an input that could not be read,
	 * waits for no key */
	if (!v->in.error && !v->broken && !dkim_keyqs_answered(&v->keys_q))
		return DKIM_AWAIT;
	finish(v);
	return DKIM_DONE;
}

void dkim_arc_verifier_answer(struct dkim_arc_verifier *v, const struct dns_answer *a)
{
	dkim_keyqs_answer(&v->keys_q, a);
}

enum dkim_arc_cv dkim_arc_verifier_result(const struct dkim_arc_verifier *v, const char **reason,
					  unsigned *oldest_pass)
{
	if (reason)
		*reason = v->done ? v->reason : "not done";
	if (oldest_pass)
		*oldest_pass = v->oldest_pass;
	return v->done ? v->cv : DKIM_ARC_TEMPERROR;
}

size_t dkim_arc_verifier_sets(const struct dkim_arc_verifier *v, const struct dkim_arc_set **sets)
{
	*sets = v->sets;
	return v->done ? v->nsets : 0;
}
