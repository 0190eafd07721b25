/* ARC sealing in one pass (RFC 8617 5.1): the header kept (the
 * Authentication-Results of this hop, the ARC sets already there, the
 * fields the AMS signs), the body hashed as it streams, the three fields
 * of the new set built at the end. See dkim.h. */
#include "dkim-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dkim_arc_sealer {
	struct dkim_arc_seal_options o;
	struct dkim_input in;
	struct dkim_body body;
	int body_ready;
	EVP_MD_CTX *md;
	enum dkim_arc_seal_status st;
	const char *error;
	unsigned long error_line;
	/* the header */
	size_t *ars;              /* Authentication-Results of the authserv-id (hf) */
	size_t nars;
	struct mime_hop hop;      /* which fields this hop wrote */
	size_t narc;              /* arc= results in them */
	enum dkim_arc_cv arc;     /* the last one's */
	size_t set[DKIM_ARC_MAX_SETS + 1][3]; /* hf + 1 of the first field per instance, kind */
	unsigned max;             /* the highest instance on the message */
	enum dkim_arc_cv max_cv;  /* what its seal says */
	/* the new set */
	unsigned instance;
	enum dkim_arc_cv cv;
	char **h;
	size_t nh;
	struct mime_buf field[3]; /* AS, AMS, AAR */
};

static enum dkim_arc_seal_status fail(struct dkim_arc_sealer *s, enum dkim_arc_seal_status st,
				      const char *why, unsigned long line)
{
	if (s->st == DKIM_ARC_SEAL_OK) {
		s->st = st;
		s->error = why;
		s->error_line = line;
	}
	return s->st;
}

static void nomem(struct dkim_arc_sealer *s)
{
	fail(s, DKIM_ARC_SEAL_ENOMEM, "out of memory", 0);
}

/* An Authentication-Results of ours: kept, its arc= results counted. */
static void on_ar(struct dkim_arc_sealer *s, const struct mime_field *f)
{
	struct mime_authres *a = NULL;
	enum mime_status r = mime_authres_parse(f->value, f->value_len, &a);
	if (r == MIME_ENOMEM)
		return nomem(s);
	if (r || !mime_authres_id_is(a, s->o.authserv_id)) {
		mime_authres_free(a);
		return;  /* another ADMD's, or one that does not parse: not ours to seal */
	}
	for (size_t i = 0; i < a->nresults; i++) {
		const struct mime_authres_result *x = &a->results[i];
		if (mime_ascii_casecmp(x->method, "arc"))
			continue;
		s->narc++;
		s->arc = !mime_ascii_casecmp(x->result, "pass") ? DKIM_ARC_PASS
		       : !mime_ascii_casecmp(x->result, "fail") ? DKIM_ARC_FAIL
		       : !mime_ascii_casecmp(x->result, "none") ? DKIM_ARC_NONE : DKIM_ARC_TEMPERROR;
	}
	mime_authres_free(a);
	size_t *v = realloc(s->ars, (s->nars + 1) * sizeof *v);
	if (!v)
		return nomem(s);
	s->ars = v;
	s->ars[s->nars++] = s->in.nhf - 1;
}

/* An ARC field already there: its instance and, for a seal, its cv=. */
static void on_arc(struct dkim_arc_sealer *s, const struct mime_field *f, int kind)
{
	unsigned inst = 0;
	enum dkim_arc_cv cv = DKIM_ARC_FAIL;
	size_t rest;
	if (kind == ARC_AAR) {
		inst = dkim_aar_instance(f->value, f->value_len, &rest);
	} else {
		struct dkim_tag t[DKIM_MAX_TAGS];
		size_t nt;
		const char *err;
		if (dkim_tags_parse(f->value, f->value_len, t, &nt, &err))
			return;
		const struct dkim_tag *g = dkim_tag_get(t, nt, "i");
		inst = g ? dkim_arc_instance_value(g->value, g->value_len) : 0;
		if (kind == ARC_AS && (g = dkim_tag_get(t, nt, "cv")))
			cv = mime_ascii_is(g->value, g->value_len, "pass") ? DKIM_ARC_PASS
			   : mime_ascii_is(g->value, g->value_len, "none") ? DKIM_ARC_NONE : DKIM_ARC_FAIL;
	}
	if (!inst)
		return;  /* the chain is broken: the validator's to say (arc=fail) */
	if (!s->set[inst][kind])
		s->set[inst][kind] = s->in.nhf;
	if (inst > s->max) {
		s->max = inst;
		s->max_cv = DKIM_ARC_NONE;
	}
	if (kind == ARC_AS && inst == s->max && cv == DKIM_ARC_FAIL)
		s->max_cv = DKIM_ARC_FAIL;
}

static void on_field(void *ctx, const struct mime_field *f)
{
	struct dkim_arc_sealer *s = ctx;
	if (s->st)
		return;
	/* this hop's results are the Authentication-Results fields in the
	 * run of them (and Received-SPF) at the top of the header, where its
	 * filters prepend them; one of our authserv-id further down came
	 * with the message and is not ours to seal (DESIGN.md 4) */
	int kind = dkim_arc_kind(f->name, f->name_len);
	int ours = mime_hop_is_ours(&s->hop, f);
	if (mime_field_is(f, "Authentication-Results")) {
		if (ours)
			on_ar(s, f);
		return;
	}
	if (kind >= 0)
		on_arc(s, f, kind);
}

/* RFC 8617 5.1: the new set's instance and cv=, or why there is none. */
static void header_over(void *ctx)
{
	struct dkim_arc_sealer *s = ctx;
	if (s->st)
		return;
	if (s->in.structural) {
		fail(s, DKIM_ARC_SEAL_EHEADER, "the header has a structural defect: a line that is not a "
		     "field, a continuation line first, a NUL or a bare CR", s->in.structural_line);
		return;
	}
	if (!s->nars) {
		fail(s, DKIM_ARC_SEAL_ENORESULTS, "no Authentication-Results field of the authserv-id "
		     "to seal", 0);
		return;
	}
	s->instance = s->max + 1;
	if (s->instance > DKIM_ARC_MAX_SETS) {
		fail(s, DKIM_ARC_SEAL_ECHAIN, "the chain has 50 sets already (RFC 8617 4.2.1)", 0);
		return;
	}
	if (s->instance == 1) {
		s->cv = DKIM_ARC_NONE;
	} else if (s->max_cv == DKIM_ARC_FAIL) {
		fail(s, DKIM_ARC_SEAL_ECHAIN, "the chain has ended: its latest ARC-Seal says cv=fail", 0);
		return;
	} else if (s->narc > 1) {
		s->cv = DKIM_ARC_FAIL;  /* two verdicts on one chain */
	} else if (s->narc == 1 && (s->arc == DKIM_ARC_PASS || s->arc == DKIM_ARC_FAIL)) {
		s->cv = s->arc;
	} else {
		fail(s, DKIM_ARC_SEAL_ECHAIN, "ARC sets on the message and no arc=pass or arc=fail "
		     "result for them in the Authentication-Results", 0);
		return;
	}
	if (dkim_sign_names(&s->in, s->o.fields, s->o.nfields, s->o.flags, &s->h, &s->nh) ||
	    dkim_body_init(&s->body, DKIM_RELAXED, EVP_sha256(), 0, 0)) {
		nomem(s);
		return;
	}
	s->body_ready = 1;
}

static void on_body(void *ctx, const char *b, size_t n)
{
	struct dkim_arc_sealer *s = ctx;
	if (s->body_ready && s->st == DKIM_ARC_SEAL_OK && dkim_body_feed(&s->body, b, n))
		nomem(s);
}

/* The AMS's h=: field names, no ARC field (RFC 8617 4.1.2 forbids
 * ARC-Seal; the others would be picked from the message as it arrived,
 * not with the set being added). */
static int fields_fit(const struct dkim_arc_seal_options *o)
{
	for (size_t i = 0; o->fields && i < o->nfields; i++) {
		const char *f = o->fields[i];
		if (!f || !*f || strlen(f) > 200 || strpbrk(f, ":; \t\r\n") ||
		    dkim_arc_kind(f, strlen(f)) >= 0)
			return 0;
		for (const char *p = f; *p; p++)
			if ((unsigned char)*p < 33 || (unsigned char)*p > 126)
				return 0;
	}
	return 1;
}

struct dkim_arc_sealer *dkim_arc_sealer_new(const struct dkim_arc_seal_options *o)
{
	struct dkim_arc_sealer *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	if (!s->o.alg_set && o->key)
		s->o.alg = dkim_key_alg(o->key);
	int r = dkim_input_init(&s->in, &s->o.header);
	s->in.on_field = on_field;
	s->in.on_header_end = header_over;
	s->in.on_body = on_body;
	s->in.ctx = s;
	s->md = EVP_MD_CTX_new();
	if (r || !s->md) {
		dkim_arc_sealer_free(s);
		return NULL;
	}
	if (!o->domain || !dkim_is_name(o->domain) || !o->selector || !dkim_is_name(o->selector))
		fail(s, DKIM_ARC_SEAL_EOPTIONS, "the domain (d=) and the selector (s=) must be domain names", 0);
	else if (!o->key)
		fail(s, DKIM_ARC_SEAL_EOPTIONS, "no key", 0);
	else if (s->o.alg == DKIM_RSA_SHA1)
		fail(s, DKIM_ARC_SEAL_EOPTIONS, "rsa-sha1 is not for ARC (RFC 8617 4.1.3)", 0);
	else if ((s->o.alg == DKIM_ED25519_SHA256) != (dkim_key_alg(o->key) == DKIM_ED25519_SHA256))
		fail(s, DKIM_ARC_SEAL_EOPTIONS, "the key's type does not fit the algorithm", 0);
	else if (!o->authserv_id || !*o->authserv_id || strpbrk(o->authserv_id, " \t\r\n;()\"\\"))
		fail(s, DKIM_ARC_SEAL_EOPTIONS, "the authserv-id must be a token", 0);
	else if (!fields_fit(o))
		fail(s, DKIM_ARC_SEAL_EOPTIONS, "the fields to sign must be field names, and no ARC "
		     "field", 0);
	return s;
}

void dkim_arc_sealer_free(struct dkim_arc_sealer *s)
{
	if (!s)
		return;
	dkim_input_free(&s->in);
	if (s->body_ready)
		dkim_body_free(&s->body);
	EVP_MD_CTX_free(s->md);
	dkim_names_free(s->h, s->nh);
	free(s->ars);
	for (int i = 0; i < 3; i++)
		mime_buf_free(&s->field[i]);
	free(s);
}

enum dkim_arc_seal_status dkim_arc_sealer_status(const struct dkim_arc_sealer *s)
{
	return s->st;
}

enum dkim_arc_seal_status dkim_arc_sealer_feed(struct dkim_arc_sealer *s, const char *buf, size_t len)
{
	if (s->st != DKIM_ARC_SEAL_OK)
		return s->st;
	dkim_input_feed(&s->in, buf, len);
	if (s->in.error)
		fail(s, s->in.error_code == MIME_E_NOMEM ? DKIM_ARC_SEAL_ENOMEM : DKIM_ARC_SEAL_EHEADER,
		     s->in.error, s->in.error_line);
	return s->st;
}

unsigned dkim_arc_sealer_instance(const struct dkim_arc_sealer *s) { return s->instance; }
enum dkim_arc_cv dkim_arc_sealer_cv(const struct dkim_arc_sealer *s) { return s->cv; }

const char *dkim_arc_sealer_error(const struct dkim_arc_sealer *s, unsigned long *line)
{
	if (line)
		*line = s->error_line;
	return s->error;
}

/* ---- the fields ------------------------------------------------------------------ */

static int is_wsp(char c) { return c == ' ' || c == '\t'; }

/* One token of a field: "text;" (or "text" last), folded before it. */
static int token(struct mime_fold *f, const char *s, size_t n, int last)
{
	return mime_fold_token(f, s, n, MIME_FOLD_SPACE) || (!last && mime_fold_token(f, ";", 1, MIME_FOLD_GLUE));
}

/* The results of an Authentication-Results value after its authserv-id:
 * split at the ';' outside quoted strings and comments, unfolded, trimmed,
 * "none" left out, each a token of the AAR. */
static int add_results(struct mime_fold *f, const char *v, size_t n, size_t *count)
{
	char buf[4096];
	int quoted = 0, first = 1;
	size_t depth = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? v[i] : ';';
		if (i < n && c == '\\' && (quoted || depth)) {
			i++;
			continue;
		}
		if (i < n && quoted) {
			quoted = c != '"';
			continue;
		}
		if (i < n && c == '"' && !depth) {
			quoted = 1;
			continue;
		}
		if (i < n && c == '(') {
			depth++;
			continue;
		}
		if (i < n && c == ')' && depth) {
			depth--;
			continue;
		}
		if (c != ';' || (depth && i < n))
			continue;
		size_t k = 0;
		for (size_t j = start; j < i; j++)
			if (v[j] != '\r' && v[j] != '\n') {
				if (k == sizeof buf)
					return -2;  /* a result too long for a line */
				buf[k++] = v[j];
			}
		start = i + 1;
		size_t a = 0;
		while (a < k && is_wsp(buf[a]))
			a++;
		while (k > a && is_wsp(buf[k - 1]))
			k--;
		if (first) {  /* the authserv-id (and version) */
			first = 0;
			continue;
		}
		if (k == a || mime_ascii_is(buf + a, k - a, "none"))
			continue;
		/* each result goes with the ';' before the next: the last ends the field */
		if (*count && mime_fold_token(f, ";", 1, MIME_FOLD_GLUE))
			return -1;
		if (mime_fold_token(f, buf + a, k - a, MIME_FOLD_SPACE))
			return -1;
		++*count;
	}
	return 0;
}

/* RFC 8617 4.1.1: "i=N; authserv-id; results". */
static int build_aar(struct dkim_arc_sealer *s, struct mime_buf *out)
{
	struct mime_fold f;
	char i[16];
	snprintf(i, sizeof i, "i=%u", s->instance);
	mime_fold_init(&f, out);
	size_t count = 0;
	if (mime_fold_begin(&f, "ARC-Authentication-Results") || token(&f, i, strlen(i), 0) ||
	    mime_fold_token(&f, s->o.authserv_id, strlen(s->o.authserv_id), MIME_FOLD_SPACE) ||
	    mime_fold_token(&f, ";", 1, MIME_FOLD_GLUE))
		return -1;
	for (size_t k = 0; k < s->nars; k++) {
		const struct dkim_hfield *h = &s->in.hf[s->ars[k]];
		int r = add_results(&f, s->in.header.data + h->at + h->value_at, h->len - h->value_at, &count);
		if (r)
			return r;
	}
	if (!count && mime_fold_token(&f, "none", 4, MIME_FOLD_SPACE))
		return -1;
	return mime_fold_end(&f) ? -1 : 0;
}

struct tagv {
	const char *name, *value;  /* value NULL: b=, blen placeholders */
};

/* "Name: t1=v1; t2=v2" folded only between tags, b= holding blen
 * placeholders; *b_at: where b='s value starts. */
static int build(struct mime_buf *out, const char *name, const struct tagv *t, size_t n, size_t blen,
		 size_t *b_at)
{
	struct mime_fold f;
	mime_fold_init(&f, out);
	if (mime_fold_begin(&f, name))
		return -1;
	char tok[1200];
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(t[i].name);
		size_t vl = t[i].value ? strlen(t[i].value) : blen;
		if (nl + vl + 1 > sizeof tok)
			return -1;
		memcpy(tok, t[i].name, nl);
		tok[nl] = '=';
		if (t[i].value)
			memcpy(tok + nl + 1, t[i].value, vl);
		else
			memset(tok + nl + 1, 'A', vl);
		if (token(&f, tok, nl + 1 + vl, i + 1 == n))
			return -1;
	}
	if (mime_fold_end(&f))
		return -1;
	const char *b = strstr(out->data, " b=");
	if (!b)
		return -1;
	*b_at = (size_t)(b - out->data) + 3;
	return 0;
}

static size_t sig_len(const struct dkim_arc_sealer *s)
{
	size_t n = s->o.alg == DKIM_ED25519_SHA256 ? 64 : (size_t)EVP_PKEY_get_size(dkim_key_pkey(s->o.key));
	return 4 * ((n + 2) / 3);
}

/* Sign the digest into the placeholders of b=. */
static int sign_into(struct dkim_arc_sealer *s, struct mime_buf *field, size_t b_at,
		     const unsigned char *digest, unsigned dlen)
{
	struct mime_buf sig = {0}, b64 = {0};
	int r = -1;
	if (dkim_crypto_sign(dkim_key_pkey(s->o.key), s->o.alg, digest, dlen, &sig)) {
		fail(s, DKIM_ARC_SEAL_ECRYPTO, "OpenSSL refused to sign", 0);
		goto out;
	}
	if (mime_base64_encode_all(sig.data, sig.len, MIME_BASE64_NOWRAP, &b64) ||
	    b_at + b64.len > field->len) {
		nomem(s);
		goto out;
	}
	memcpy(field->data + b_at, b64.data, b64.len);
	r = 0;
out:
	mime_buf_free(&sig);
	mime_buf_free(&b64);
	return r;
}

/* A field of ours as the hash sees it: name_len is up to the colon. */
static struct dkim_raw raw_new(const struct mime_buf *f, size_t cut_from, size_t cut_to)
{
	const char *colon = memchr(f->data, ':', f->len);
	size_t nl = (size_t)(colon - f->data);
	return (struct dkim_raw){f->data, f->len, nl, nl + 1, cut_from, cut_to};
}

/* The end of b='s value: its ';' or the end of the field. */
static size_t b_end(const struct mime_buf *f, size_t b_at)
{
	const char *semi = memchr(f->data + b_at, ';', f->len - b_at);
	return semi ? (size_t)(semi - f->data) : f->len;
}

static enum dkim_arc_seal_status seal(struct dkim_arc_sealer *s)
{
	struct mime_buf *as = &s->field[0], *ams = &s->field[1], *aar = &s->field[2];
	unsigned char bh[EVP_MAX_MD_SIZE], digest[EVP_MAX_MD_SIZE];
	unsigned bhl, dlen;
	struct mime_buf bh64 = {0}, hl = {0};
	char inst[16], t[32];
	snprintf(inst, sizeof inst, "%u", s->instance);
	snprintf(t, sizeof t, "%lld", (long long)s->o.now);
	int r = build_aar(s, aar);
	if (r == -2) {
		fail(s, DKIM_ARC_SEAL_EHEADER, "an Authentication-Results result too long to seal", 0);
		goto out;
	}
	if (r || dkim_body_end(&s->body, bh, &bhl) ||
	    mime_base64_encode_all(bh, bhl, MIME_BASE64_NOWRAP, &bh64))
		goto nomem;
	for (size_t i = 0; i < s->nh; i++)
		if ((i && mime_buf_putc(&hl, ':')) || mime_buf_puts(&hl, s->h[i]))
			goto nomem;
	if (mime_buf_putc(&hl, 0))
		goto nomem;
	/* RFC 8617 4.1.2: the AMS, tags in alphabetical order */
	const char *alg = dkim_alg_name(s->o.alg);
	int has_t = s->o.now > 0;
	struct tagv mt[] = {{"a", alg}, {"b", NULL}, {"bh", bh64.data}, {"c", "relaxed/relaxed"},
			    {"d", s->o.domain}, {"h", hl.data}, {"i", inst}, {"s", s->o.selector}, {"t", t}};
	size_t b_at;
	if (build(ams, "ARC-Message-Signature", mt, has_t ? 9 : 8, sig_len(s), &b_at))
		goto nomem;
	struct dkim_raw self = raw_new(ams, b_at, b_end(ams, b_at));
	if (!EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) ||
	    dkim_input_hash_fields(&s->in, s->md, DKIM_RELAXED, s->h, s->nh) ||
	    dkim_hash_field(s->md, DKIM_RELAXED, self.raw, self.len, self.name_len, self.value_at,
			    self.cut_from, self.cut_to, 0) ||
	    !EVP_DigestFinal_ex(s->md, digest, &dlen))
		goto nomem;
	if (sign_into(s, ams, b_at, digest, dlen))
		goto out;
	/* RFC 8617 4.1.3, 5.1.1: the AS over the chain (5.1.2: cv=fail, its own set) */
	struct tagv st[] = {{"a", alg}, {"b", NULL}, {"cv", dkim_arc_cv_name(s->cv)}, {"d", s->o.domain},
			    {"i", inst}, {"s", s->o.selector}, {"t", t}};
	if (build(as, "ARC-Seal", st, has_t ? 7 : 6, sig_len(s), &b_at))
		goto nomem;
	struct dkim_raw f[3 * DKIM_ARC_MAX_SETS];
	size_t n = 0;
	for (unsigned k = 1; s->cv != DKIM_ARC_FAIL && k < s->instance; k++)
		for (int kind = 0; kind < 3; kind++) {
			if (!s->set[k][kind])
				continue;
			const struct dkim_hfield *h = &s->in.hf[s->set[k][kind] - 1];
			f[n++] = (struct dkim_raw){s->in.header.data + h->at, h->len, h->name_len, h->value_at, 0, 0};
		}
	f[n++] = raw_new(aar, 0, 0);
	f[n++] = raw_new(ams, 0, 0);
	f[n++] = raw_new(as, b_at, b_end(as, b_at));
	if (dkim_arc_seal_hash(s->md, f, n, digest, &dlen))
		goto nomem;
	if (sign_into(s, as, b_at, digest, dlen))
		goto out;
	for (int i = 0; i < 3; i++)  /* the final CRLF: the caller's */
		mime_buf_truncate(&s->field[i], s->field[i].len - 2);
	goto out;
nomem:
	nomem(s);
out:
	mime_buf_free(&bh64);
	mime_buf_free(&hl);
	return s->st;
}

enum dkim_arc_seal_status dkim_arc_sealer_fields(struct dkim_arc_sealer *s, const char *field[3],
						 size_t len[3])
{
	if (s->st != DKIM_ARC_SEAL_OK)
		return s->st;
	if (!s->in.ended || !s->body_ready)
		return fail(s, DKIM_ARC_SEAL_EHEADER, "the message has not ended", 0);
	if (!s->field[0].len && seal(s))
		return s->st;
	for (int i = 0; i < 3; i++) {
		field[i] = s->field[i].data;
		len[i] = s->field[i].len;
	}
	return DKIM_ARC_SEAL_OK;
}
