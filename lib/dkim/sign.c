/* DKIM signing in one pass (RFC 6376 5): the header kept (h= picks its
 * fields from the bottom, with over-signing), the body hashed as it
 * streams, the DKIM-Signature field built at the end. See dkim.h. */
#include "dkim-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dkim_sign_oversigned[] = {
	"From", "Sender", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", NULL,
};

const char *const dkim_sign_default[] = {
	"From", "Sender", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", "In-Reply-To", "References",
	"List-Id", "List-Help", "List-Unsubscribe", "List-Subscribe", "List-Post", "List-Owner",
	"List-Archive", NULL,
};

struct dkim_signer {
	struct dkim_sign_options o;
	struct dkim_input in;
	struct dkim_body body;
	int body_ready;
	EVP_MD_CTX *md;
	enum dkim_sign_status st;
	const char *error;
	unsigned long error_line;
	char **h;                  /* h=, decided when the header ends */
	size_t nh;
	struct mime_buf field;
};

static enum dkim_sign_status fail(struct dkim_signer *s, enum dkim_sign_status st, const char *why,
				  unsigned long line)
{
	if (s->st == DKIM_SIGN_OK) {
		s->st = st;
		s->error = why;
		s->error_line = line;
	}
	return s->st;
}

static int is_oversigned(const char *name)
{
	for (const char *const *o = dkim_sign_oversigned; *o; o++)
		if (!mime_ascii_casecmp(*o, name))
			return 1;
	return 0;
}

/* Instances of name in the header. */
static size_t count(const struct dkim_input *in, const char *name)
{
	size_t n = 0, nl = strlen(name);
	uint64_t h = dkim_name_hash(name, nl);
	for (size_t j = 0; j < in->nhf; j++)
		n += in->hf[j].hash == h &&
		     mime_ascii_caseeq(in->header.data + in->hf[j].at, in->hf[j].name_len, name, nl);
	return n;
}

static int add_name(char ***h, size_t *nh, const char *name)
{
	if ((*nh & (*nh - 1)) == 0) {
		char **v = realloc(*h, (*nh ? 2 * *nh : 1) * sizeof *v);
		if (!v)
			return -1;
		*h = v;
	}
	return ((*h)[*nh] = strdup(name)) ? (++*nh, 0) : -1;
}

void dkim_names_free(char **h, size_t nh)
{
	for (size_t i = 0; i < nh; i++)
		free(h[i]);
	free(h);
}

/* h=: each name once per instance, and once more when over-signed, so
 * that no instance can be added above the signature (RFC 6376 8.15). */
int dkim_sign_names(const struct dkim_input *in, const char *const *names, size_t nn,
		    unsigned flags, char ***h, size_t *nh)
{
	if (!names) {
		names = dkim_sign_default;
		nn = (size_t)-1;
	}
	for (size_t i = 0; i < nn && names[i]; i++) {
		size_t seen = 0;  /* a name given twice is signed as if once */
		while (seen < i && mime_ascii_casecmp(names[seen], names[i]))
			seen++;
		if (seen < i)
			continue;
		size_t c = count(in, names[i]);
		c += !(flags & DKIM_SIGN_NO_OVERSIGN) && is_oversigned(names[i]);
		for (size_t k = 0; k < c; k++)
			if (add_name(h, nh, names[i]))
				return -1;
	}
	return 0;
}

static void header_over(void *ctx)
{
	struct dkim_signer *s = ctx;
	if (s->in.structural) {
		fail(s, DKIM_SIGN_EHEADER, "the header has a structural defect: a line that is not a "
		     "field, a continuation line first, a NUL or a bare CR", s->in.structural_line);
		return;
	}
	if (!count(&s->in, "From")) {
		fail(s, DKIM_SIGN_ENOFROM, "no From field: From is always signed (RFC 6376 5.4)", 0);
		return;
	}
	if (dkim_sign_names(&s->in, s->o.fields, s->o.nfields, s->o.flags, &s->h, &s->nh) ||
	    dkim_body_init(&s->body, s->o.body_canon, dkim_md(s->o.alg), 0, 0)) {
		fail(s, DKIM_SIGN_ENOMEM, "out of memory", 0);
		return;
	}
	s->body_ready = 1;
}

static void on_body(void *ctx, const char *b, size_t n)
{
	struct dkim_signer *s = ctx;
	if (s->body_ready && s->st == DKIM_SIGN_OK && dkim_body_feed(&s->body, b, n))
		fail(s, DKIM_SIGN_ENOMEM, "out of memory", 0);
}

/* RFC 6376 3.5: d= and s= are domain names; i= "[local]@domain". */
int dkim_is_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(mime_ascii_lower(c) >= 'a' && mime_ascii_lower(c) <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '-' && c != '.' && c != '_')
			return 0;
	}
	return s[0] != '.' && s[n - 1] != '.' && !strstr(s, "..");
}

/* A field name to put in h=: RFC 5322 ftext (printable, no ':'), no ';'
 * (it would end the tag), at most 200 octets. */
static int is_field_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126 || s[i] == ':' || s[i] == ';')
			return 0;
	return 1;
}

/* 1 when the names are all field names and From is one of them. */
static int fields_fit(const struct dkim_sign_options *o)
{
	if (!o->fields)
		return 1;
	int from = 0;
	for (size_t i = 0; i < o->nfields; i++) {
		if (!o->fields[i] || !is_field_name(o->fields[i]))
			return 0;
		from |= !mime_ascii_casecmp(o->fields[i], "From");
	}
	return from;
}

struct dkim_signer *dkim_signer_new(const struct dkim_sign_options *o)
{
	struct dkim_signer *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	if (!s->o.alg_set && o->key)
		s->o.alg = dkim_key_alg(o->key);
	if (!s->o.canon_set)
		s->o.header_canon = s->o.body_canon = DKIM_RELAXED;
	int r = dkim_input_init(&s->in, &s->o.header);
	s->in.on_header_end = header_over;
	s->in.on_body = on_body;
	s->in.ctx = s;
	s->md = EVP_MD_CTX_new();
	if (r || !s->md) {
		dkim_signer_free(s);
		return NULL;
	}
	if (!o->domain || !dkim_is_name(o->domain) || !o->selector || !dkim_is_name(o->selector))
		fail(s, DKIM_SIGN_EOPTIONS, "the domain (d=) and the selector (s=) must be domain names", 0);
	else if (!o->key)
		fail(s, DKIM_SIGN_EOPTIONS, "no key", 0);
	else if (s->o.alg == DKIM_RSA_SHA1)
		fail(s, DKIM_SIGN_EOPTIONS, "rsa-sha1 is not for signing (RFC 8301)", 0);
	else if ((s->o.alg == DKIM_ED25519_SHA256) != (dkim_key_alg(o->key) == DKIM_ED25519_SHA256))
		fail(s, DKIM_SIGN_EOPTIONS, "the key's type does not fit the algorithm", 0);
	else if (!fields_fit(o))
		fail(s, DKIM_SIGN_EOPTIONS, "the fields to sign must be field names and include From "
		     "(RFC 6376 5.4)", 0);
	else if (o->auid && (!strchr(o->auid, '@') || strpbrk(o->auid, " \t\r\n;")))
		fail(s, DKIM_SIGN_EOPTIONS, "i= is not an identity local@domain", 0);
	return s;
}

void dkim_signer_free(struct dkim_signer *s)
{
	if (!s)
		return;
	dkim_input_free(&s->in);
	if (s->body_ready)
		dkim_body_free(&s->body);
	EVP_MD_CTX_free(s->md);
	dkim_names_free(s->h, s->nh);
	mime_buf_free(&s->field);
	free(s);
}

enum dkim_sign_status dkim_signer_status(const struct dkim_signer *s)
{
	return s->st;
}

enum dkim_sign_status dkim_signer_feed(struct dkim_signer *s, const char *buf, size_t len)
{
	if (s->st != DKIM_SIGN_OK)
		return s->st;
	dkim_input_feed(&s->in, buf, len);
	if (s->in.error)
		fail(s, s->in.error_code == MIME_E_NOMEM ? DKIM_SIGN_ENOMEM : DKIM_SIGN_EHEADER,
		     s->in.error, s->in.error_line);
	return s->st;
}

/* ---- the field ------------------------------------------------------------------ */

static int tag(struct mime_fold *f, const char *fmt, const char *a, unsigned long long n)
{
	char t[512];
	snprintf(t, sizeof t, fmt, a, n);
	return mime_fold_token(f, t, strlen(t), MIME_FOLD_SPACE);
}

/* The field with b= holding blen placeholder characters: the folding
 * depends on lengths only, so the real signature takes their places. */
static int build(struct dkim_signer *s, const char *bh, size_t blen)
{
	struct mime_fold f;
	mime_buf_reset(&s->field);
	mime_fold_init(&f, &s->field);
	static const char *const canon[] = {"simple", "relaxed"};
	char c[32];
	snprintf(c, sizeof c, "%s/%s", canon[s->o.header_canon], canon[s->o.body_canon]);
	int r = mime_fold_begin(&f, "DKIM-Signature") || tag(&f, "v=1;", "", 0) ||
		tag(&f, "a=%s;", dkim_alg_name(s->o.alg), 0) || tag(&f, "c=%s;", c, 0) ||
		tag(&f, "d=%s;", s->o.domain, 0) || tag(&f, "s=%s;", s->o.selector, 0) ||
		(s->o.auid && tag(&f, "i=%s;", s->o.auid, 0)) ||
		(s->o.now > 0 && tag(&f, "t=%s%llu;", "", (unsigned long long)s->o.now)) ||
		(s->o.now > 0 && s->o.expire &&
		 tag(&f, "x=%s%llu;", "", (unsigned long long)s->o.now + s->o.expire)) ||
		((s->o.flags & DKIM_SIGN_BODY_LENGTH) &&
		 tag(&f, "l=%s%llu;", "", (unsigned long long)s->body.length));
	for (size_t i = 0; !r && i < s->nh; i++) {
		char t[300];
		snprintf(t, sizeof t, "%s%s%s", i ? ":" : "h=", s->h[i], i + 1 == s->nh ? ";" : "");
		r = mime_fold_token(&f, t, strlen(t), i ? MIME_FOLD_BREAK : MIME_FOLD_SPACE);
	}
	if (!r)
		r = tag(&f, "bh=%s;", bh, 0) || mime_fold_token(&f, "b=", 2, MIME_FOLD_SPACE);
	char chunk[64];
	memset(chunk, 'A', sizeof chunk);
	for (size_t left = blen; !r && left;) {
		size_t k = left < sizeof chunk ? left : sizeof chunk;
		r = mime_fold_token(&f, chunk, k, MIME_FOLD_BREAK);
		left -= k;
	}
	return r || mime_fold_end(&f) ? -1 : 0;
}

/* The placeholders of b= replaced, in order, by the signature's base64. */
static void fill_b(struct mime_buf *field, size_t from, const char *b64)
{
	for (size_t i = from; i < field->len && *b64; i++)
		if (field->data[i] == 'A')
			field->data[i] = *b64++;
}

enum dkim_sign_status dkim_signer_field(struct dkim_signer *s, const char **field, size_t *len)
{
	if (s->st != DKIM_SIGN_OK)
		return s->st;
	if (!s->in.ended || !s->body_ready)
		return fail(s, DKIM_SIGN_EHEADER, "the message has not ended", 0);
	unsigned char bh[EVP_MAX_MD_SIZE];
	unsigned bhl;
	struct mime_buf bh64 = {0}, sig = {0}, sig64 = {0};
	EVP_PKEY *k = dkim_key_pkey(s->o.key);
	size_t slen = s->o.alg == DKIM_ED25519_SHA256 ? 64 : (size_t)EVP_PKEY_get_size(k);
	if (dkim_body_end(&s->body, bh, &bhl) ||
	    mime_base64_encode_all(bh, bhl, MIME_BASE64_NOWRAP, &bh64) ||
	    build(s, bh64.data, 4 * ((slen + 2) / 3)))
		goto nomem;
	/* RFC 6376 3.7: the signed fields, then this one with b= empty and no CRLF */
	const char *b = strstr(s->field.data, " b=");
	size_t from = (size_t)(b - s->field.data) + 3;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen;
	if (!EVP_DigestInit_ex(s->md, dkim_md(s->o.alg), NULL) ||
	    dkim_input_hash_fields(&s->in, s->md, s->o.header_canon, s->h, s->nh) ||
	    dkim_hash_field(s->md, s->o.header_canon, s->field.data, s->field.len, 14, 15, from,
			    s->field.len, 0) ||
	    !EVP_DigestFinal_ex(s->md, digest, &dlen))
		goto nomem;
	if (dkim_crypto_sign(k, s->o.alg, digest, dlen, &sig)) {
		fail(s, DKIM_SIGN_ECRYPTO, "OpenSSL refused to sign", 0);
		goto out;
	}
	if (mime_base64_encode_all(sig.data, sig.len, MIME_BASE64_NOWRAP, &sig64))
		goto nomem;
	fill_b(&s->field, from, sig64.data);
	mime_buf_truncate(&s->field, s->field.len - 2);  /* the final CRLF: the caller's */
	*field = s->field.data;
	*len = s->field.len;
	goto out;
nomem:
	fail(s, DKIM_SIGN_ENOMEM, "out of memory", 0);
out:
	mime_buf_free(&bh64);
	mime_buf_free(&sig);
	mime_buf_free(&sig64);
	return s->st;
}

const char *dkim_signer_error(const struct dkim_signer *s, unsigned long *line)
{
	if (line)
		*line = s->error_line;
	return s->error;
}
