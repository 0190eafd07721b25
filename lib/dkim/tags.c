/* RFC 6376 3.2 tag lists, and the two records written in them: the
 * DKIM-Signature (3.5) and the key record (3.6.1, RFC 8463 4). */
#include "dkim-int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

static int is_wsp(int c) { return c == ' ' || c == '\t'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* FWS (RFC 5322 3.2.2): WSP, and CRLF followed by WSP. Returns the new pos. */
static size_t skip_fws(const char *s, size_t n, size_t i)
{
	for (;;) {
		if (i < n && is_wsp(s[i]))
			i++;
		else if (i + 2 < n && s[i] == '\r' && s[i + 1] == '\n' && is_wsp(s[i + 2]))
			i += 3;
		else
			return i;
	}
}

/* tag-value = [ tval *( 1*(WSP / FWS) tval ) ]; tval = 1*VALCHAR, VALCHAR
 * %x21-3A / %x3C-7E. The value of [i, end): its length once the folding
 * white space after it is dropped, or -1 when a byte has no place there. */
static long value_len(const char *s, size_t i, size_t end)
{
	size_t last = i;
	for (size_t k = i; k < end;) {
		unsigned char c = (unsigned char)s[k];
		if (c >= 0x21 && c <= 0x7e) {
			last = ++k;
			continue;
		}
		size_t f = skip_fws(s, end, k);
		if (f == k)
			return -1;
		k = f;
	}
	return (long)(last - i);
}

enum mime_status dkim_tags_parse(const char *s, size_t n, struct dkim_tag *t, size_t *nt,
				 const char **err)
{
	*nt = 0;
	for (size_t i = 0;;) {
		i = skip_fws(s, n, i);
		if (i == n)
			return MIME_OK;  /* a ';' may end the list */
		size_t name = i;
		if (!is_alpha((unsigned char)s[i]))
			return *err = "tag name does not start with a letter", MIME_EINVAL;
		while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
				 s[i] == '_'))
			i++;
		size_t name_len = i - name;
		i = skip_fws(s, n, i);
		if (i == n || s[i] != '=')
			return *err = "no '=' after a tag name", MIME_EINVAL;
		size_t at = ++i;
		i = skip_fws(s, n, i);
		const char *semi = memchr(s + i, ';', n - i);
		size_t end = semi ? (size_t)(semi - s) : n;
		long vl = value_len(s, i, end);
		if (vl < 0)
			return *err = "a byte that no tag value holds", MIME_EINVAL;
		for (size_t k = 0; k < *nt; k++)
			if (t[k].name_len == name_len && !memcmp(t[k].name, s + name, name_len))
				return *err = "a tag given twice", MIME_EINVAL;
		if (*nt == DKIM_MAX_TAGS)
			return *err = "too many tags", MIME_EINVAL;
		t[(*nt)++] = (struct dkim_tag){s + name, name_len, s + i, (size_t)vl, at, end};
		if (!semi)
			return MIME_OK;
		i = end + 1;
	}
}

const struct dkim_tag *dkim_tag_get(const struct dkim_tag *t, size_t nt, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < nt; i++)
		if (t[i].name_len == n && !memcmp(t[i].name, name, n))
			return &t[i];
	return NULL;
}

enum mime_status dkim_base64(const char *s, size_t n, struct mime_buf *out)
{
	/* the decoder skips the folding white space (CR, LF, SP, TAB) and
	 * reports anything else out of place: strict means no report, every
	 * character of the alphabet, padding only where it belongs, whole
	 * quanta */
	struct mime_defects df = {0};
	enum mime_status r = mime_base64_decode_all(n ? s : "", n, out, &df);
	return !r && df.count ? MIME_EINVAL : r;
}

int dkim_decimal(const char *s, size_t n, size_t digits, uint64_t *v)
{
	if (n == 0 || n > digits)
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;  /* saturates */
	}
	*v = x;
	return 0;
}

static char *dup_n(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

/* A domain name: labels of letters, digits, '-' and '_' (some selectors
 * hold one), 1 to 63 octets each, at most 253 in all. */
static int is_domain(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return 0;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

/* A colon-separated list (FWS around the items): each item to fn; -1 when
 * an item is empty or fn refuses it. */
static int each_item_opt(const char *s, size_t n, int (*fn)(void *, const char *, size_t), void *ctx,
			 int skip_empty)
{
	if (skip_empty && skip_fws(s, n, 0) == n)
		return 0;
	for (size_t i = 0;;) {
		i = skip_fws(s, n, i);
		const char *colon = memchr(s + i, ':', n - i);
		size_t end = colon ? (size_t)(colon - s) : n, e = end;
		while (e > i && (is_wsp(s[e - 1]) || s[e - 1] == '\r' || s[e - 1] == '\n'))
			e--;
		if ((e == i && !skip_empty) || (e > i && fn(ctx, s + i, e - i)))
			return -1;
		if (!colon)
			return 0;
		i = end + 1;
	}
}

static int each_item(const char *s, size_t n, int (*fn)(void *, const char *, size_t), void *ctx)
{
	return each_item_opt(s, n, fn, ctx, 0);
}

static int add_name(void *ctx, const char *s, size_t n)
{
	struct dkim_sig *sig = ctx;
	for (size_t i = 0; i < n; i++)  /* RFC 5322 field name: printable, no ':' */
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
			return -1;
	if (sig->nh == 1000)
		return -1;
	if ((sig->nh & (sig->nh - 1)) == 0) {  /* capacity: powers of two */
		char **v = realloc(sig->h, (sig->nh ? 2 * sig->nh : 1) * sizeof *v);
		if (!v)
			return -1;
		sig->h = v;
	}
	return (sig->h[sig->nh] = dup_n(s, n)) ? (sig->nh++, 0) : -1;
}

static int has_dns_txt(void *ctx, const char *s, size_t n)
{
	if (mime_ascii_caseeq(s, n, "dns/txt", 7))
		*(int *)ctx = 1;
	return 0;
}

static int parse_canon(const char *s, size_t n, struct dkim_sig *sig)
{
	const char *slash = memchr(s, '/', n);
	size_t hn = slash ? (size_t)(slash - s) : n;
	enum dkim_canon *c[2] = {&sig->hcanon, &sig->bcanon};
	const char *part[2] = {s, slash ? slash + 1 : NULL};
	size_t len[2] = {hn, slash ? n - hn - 1 : 0};
	sig->hcanon = sig->bcanon = DKIM_SIMPLE;
	for (int k = 0; k < 2 && part[k]; k++) {
		if (mime_ascii_is(part[k], len[k], "relaxed"))
			*c[k] = DKIM_RELAXED;
		else if (!mime_ascii_is(part[k], len[k], "simple"))
			return -1;
	}
	return 0;
}

/* i= "[local] @ domain": the domain is d= or below it (RFC 6376 3.5). */
static int auid_in_domain(const char *i, const char *d)
{
	const char *at = strrchr(i, '@');
	if (!at)
		return 0;
	size_t n = strlen(at + 1), dn = strlen(d);
	const char *dom = at + 1;
	if (n < dn || !mime_ascii_caseeq(dom + n - dn, dn, d, dn))
		return 0;
	return n == dn || dom[n - dn - 1] == '.';
}

#define FAIL(msg) do { *err = (msg); r = MIME_EINVAL; goto out; } while (0)
#define TEXT(field, tag) do { if (!((field) = dup_n((tag)->value, (tag)->value_len))) goto nomem; } while (0)

/* Tags a record must have: the first missing one's message, or NULL. */
static const char *missing(const struct dkim_tag *t, size_t nt, const char *const *names, size_t n)
{
	static const char *const msgs[][2] = {
		{"v", "no v= tag"}, {"a", "no a= tag"}, {"b", "no b= tag"}, {"bh", "no bh= tag"},
		{"d", "no d= tag"}, {"h", "no h= tag"}, {"s", "no s= tag"}, {"i", "no i= tag"},
		{"cv", "no cv= tag"},
	};
	for (size_t k = 0; k < n; k++)
		if (!dkim_tag_get(t, nt, names[k]))
			for (size_t m = 0; m < sizeof msgs / sizeof *msgs; m++)
				if (!strcmp(msgs[m][0], names[k]))
					return msgs[m][1];
	return NULL;
}

unsigned dkim_arc_instance_value(const char *s, size_t n)
{
	uint64_t v;
	if (!n || s[0] == '0' || dkim_decimal(s, n, 2, &v) || v < 1 || v > DKIM_ARC_MAX_SETS)
		return 0;
	return (unsigned)v;
}

/* b=: its span (to delete for hashing), decoded, and without white space. */
static enum mime_status take_b(const struct dkim_tag *g, size_t value_at, struct mime_buf *b,
			       size_t *from, size_t *to, const char **err)
{
	*from = value_at + g->value_at;
	*to = value_at + g->spec_end;
	enum mime_status r = dkim_base64(g->value, g->value_len, b);
	if (r == MIME_ENOMEM)
		return r;
	if (r || !b->len)
		return *err = "b= is not base64", MIME_EINVAL;
	return MIME_OK;
}

static enum mime_status sig_parse(const char *value, size_t n, size_t value_at, struct dkim_sig *sig,
				  const char **err, int arc)
{
	struct dkim_tag t[DKIM_MAX_TAGS];
	size_t nt;
	enum mime_status r;
	memset(sig, 0, sizeof *sig);
	if ((r = dkim_tags_parse(value, n, t, &nt, err)))
		return r;
	static const char *const required[] = {"v", "a", "b", "bh", "d", "h", "s"};
	static const char *const required_arc[] = {"i", "a", "b", "bh", "d", "h", "s"};
	if ((*err = missing(t, nt, arc ? required_arc : required, 7)))
		return MIME_EINVAL;
	const struct dkim_tag *g;
	if (arc) {
		g = dkim_tag_get(t, nt, "i");
		if (!(sig->instance = dkim_arc_instance_value(g->value, g->value_len)))
			FAIL("i= is not an instance number (1 to 50)");
	} else {
		g = dkim_tag_get(t, nt, "v");
		if (!mime_ascii_is(g->value, g->value_len, "1"))
			FAIL("v= is not 1");
	}
	g = dkim_tag_get(t, nt, "a");
	TEXT(sig->alg_text, g);
	if (mime_ascii_is(g->value, g->value_len, "rsa-sha256"))
		sig->alg = DKIM_RSA_SHA256;
	else if (mime_ascii_is(g->value, g->value_len, "ed25519-sha256"))
		sig->alg = DKIM_ED25519_SHA256;
	else if (mime_ascii_is(g->value, g->value_len, "rsa-sha1") && !arc)
		sig->alg = DKIM_RSA_SHA1;
	else
		FAIL("an algorithm (a=) this verifier does not know");
	g = dkim_tag_get(t, nt, "b");
	if ((r = take_b(g, value_at, &sig->b, &sig->b_from, &sig->b_to, err)) == MIME_ENOMEM)
		goto nomem;
	if (r)
		goto out;
	if (!(sig->b_text = malloc(g->value_len + 1)))
		goto nomem;
	size_t bt = 0;
	for (size_t k = 0; k < g->value_len; k++)
		if (!is_wsp(g->value[k]) && g->value[k] != '\r' && g->value[k] != '\n')
			sig->b_text[bt++] = g->value[k];
	sig->b_text[bt] = '\0';
	g = dkim_tag_get(t, nt, "bh");
	if ((r = dkim_base64(g->value, g->value_len, &sig->bh)) == MIME_ENOMEM)
		goto nomem;
	if (r || sig->bh.len != (sig->alg == DKIM_RSA_SHA1 ? 20u : 32u))
		FAIL("bh= is not a base64 hash of the algorithm's length");
	if ((g = dkim_tag_get(t, nt, "c")) && parse_canon(g->value, g->value_len, sig))
		FAIL("a canonicalisation (c=) this verifier does not know");
	if (!g && arc)  /* ARC is relaxed when c= does not say (as dkimpy reads it) */
		sig->hcanon = sig->bcanon = DKIM_RELAXED;
	g = dkim_tag_get(t, nt, "d");
	if (!is_domain(g->value, g->value_len))
		FAIL("d= is not a domain name");
	TEXT(sig->d, g);
	g = dkim_tag_get(t, nt, "s");
	if (!is_domain(g->value, g->value_len))
		FAIL("s= is not a selector");
	TEXT(sig->s, g);
	g = dkim_tag_get(t, nt, "h");
	/* RFC 8617 4.1.2: an empty h= or item is no error for an AMS (the ARC
	 * test suite's ams_fields_h_empty, ams_fields_h_mis_hdr) */
	if (each_item_opt(g->value, g->value_len, add_name, sig, arc))
		FAIL("h= is not a list of field names");
	int from = 0, seal = 0;
	for (size_t k = 0; k < sig->nh; k++) {
		from |= mime_ascii_casecmp(sig->h[k], "from") == 0;
		seal |= mime_ascii_casecmp(sig->h[k], "arc-seal") == 0;
	}
	if (!from && !arc)
		FAIL("From is not signed (h=)");
	if (seal && arc)  /* RFC 8617 4.1.2: ARC-Seal fields are not signed */
		FAIL("h= names ARC-Seal");
	if (!arc && (g = dkim_tag_get(t, nt, "i"))) {
		TEXT(sig->i, g);
		if (!auid_in_domain(sig->i, sig->d))
			FAIL("i= is not in the domain of d=");
	}
	if ((g = dkim_tag_get(t, nt, "l"))) {
		if (dkim_decimal(g->value, g->value_len, 76, &sig->l))
			FAIL("l= is not a decimal");
		sig->has_l = 1;
	}
	int dns = 0;
	if ((g = dkim_tag_get(t, nt, "q")) && (each_item(g->value, g->value_len, has_dns_txt, &dns) || !dns))
		FAIL("q= does not name dns/txt");
	if ((g = dkim_tag_get(t, nt, "t"))) {
		if (dkim_decimal(g->value, g->value_len, 12, &sig->t))
			FAIL("t= is not a timestamp");
		sig->has_t = 1;
	}
	if ((g = dkim_tag_get(t, nt, "x"))) {
		if (dkim_decimal(g->value, g->value_len, 12, &sig->x))
			FAIL("x= is not a timestamp");
		sig->has_x = 1;
		if (sig->has_t && sig->x <= sig->t)
			FAIL("x= is not after t=");
	}
	return MIME_OK;
nomem:
	r = MIME_ENOMEM;
out:
	dkim_sig_free(sig);
	return r;
}

enum mime_status dkim_sig_parse(const char *value, size_t n, size_t value_at, struct dkim_sig *sig,
				const char **err)
{
	return sig_parse(value, n, value_at, sig, err, 0);
}

enum mime_status dkim_ams_parse(const char *value, size_t n, size_t value_at, struct dkim_sig *sig,
				const char **err)
{
	return sig_parse(value, n, value_at, sig, err, 1);
}

/* RFC 8617 4.1.3: i=, a=, b=, cv=, d=, s=, t=; no h= (nor c=: relaxed). */
enum mime_status dkim_seal_parse(const char *value, size_t n, size_t value_at, struct dkim_seal *as,
				 const char **err)
{
	struct dkim_tag t[DKIM_MAX_TAGS];
	size_t nt;
	enum mime_status r;
	memset(as, 0, sizeof *as);
	if ((r = dkim_tags_parse(value, n, t, &nt, err)))
		return r;
	static const char *const required[] = {"i", "a", "b", "cv", "d", "s"};
	if ((*err = missing(t, nt, required, 6)))
		return MIME_EINVAL;
	const struct dkim_tag *g = dkim_tag_get(t, nt, "i");
	if (!(as->instance = dkim_arc_instance_value(g->value, g->value_len)))
		return *err = "i= is not an instance number (1 to 50)", MIME_EINVAL;
	if (dkim_tag_get(t, nt, "h"))
		return *err = "an ARC-Seal has no h= (RFC 8617 4.1.3)", MIME_EINVAL;
	g = dkim_tag_get(t, nt, "a");
	if (mime_ascii_is(g->value, g->value_len, "rsa-sha256"))
		as->alg = DKIM_RSA_SHA256;
	else if (mime_ascii_is(g->value, g->value_len, "ed25519-sha256"))
		as->alg = DKIM_ED25519_SHA256;
	else
		return *err = "an algorithm (a=) this verifier does not know", MIME_EINVAL;
	g = dkim_tag_get(t, nt, "cv");
	if (mime_ascii_is(g->value, g->value_len, "none"))
		as->cv = DKIM_ARC_NONE;
	else if (mime_ascii_is(g->value, g->value_len, "pass"))
		as->cv = DKIM_ARC_PASS;
	else if (mime_ascii_is(g->value, g->value_len, "fail"))
		as->cv = DKIM_ARC_FAIL;
	else
		return *err = "cv= is not none, pass or fail", MIME_EINVAL;
	if ((g = dkim_tag_get(t, nt, "t"))) {
		if (dkim_decimal(g->value, g->value_len, 12, &as->t))
			return *err = "t= is not a timestamp", MIME_EINVAL;
		as->has_t = 1;
	}
	g = dkim_tag_get(t, nt, "d");
	const struct dkim_tag *sel = dkim_tag_get(t, nt, "s");
	if (!is_domain(g->value, g->value_len))
		return *err = "d= is not a domain name", MIME_EINVAL;
	if (!is_domain(sel->value, sel->value_len))
		return *err = "s= is not a selector", MIME_EINVAL;
	g = dkim_tag_get(t, nt, "b");
	if ((r = take_b(g, value_at, &as->b, &as->b_from, &as->b_to, err)))
		goto fail;
	g = dkim_tag_get(t, nt, "d");
	if (!(as->d = dup_n(g->value, g->value_len)) || !(as->s = dup_n(sel->value, sel->value_len))) {
		r = MIME_ENOMEM;
		goto fail;
	}
	return MIME_OK;
fail:
	dkim_seal_free(as);
	return r;
}

void dkim_seal_free(struct dkim_seal *as)
{
	free(as->d);
	free(as->s);
	mime_buf_free(&as->b);
	memset(as, 0, sizeof *as);
}

/* RFC 8617 4.1.1: arc-info = instance [CFWS] ";" authres-payload, instance
 * = [CFWS] "i" [CFWS] "=" [CFWS] i-value (FWS here: no comment). */
unsigned dkim_aar_instance(const char *v, size_t n, size_t *rest)
{
	size_t i = skip_fws(v, n, 0);
	if (i == n || v[i] != 'i')
		return 0;
	i = skip_fws(v, n, i + 1);
	if (i == n || v[i] != '=')
		return 0;
	i = skip_fws(v, n, i + 1);
	size_t d = i;
	while (i < n && is_digit((unsigned char)v[i]))
		i++;
	unsigned inst = dkim_arc_instance_value(v + d, i - d);
	i = skip_fws(v, n, i);
	if (!inst || i == n || v[i] != ';')
		return 0;
	*rest = i + 1;
	return inst;
}

void dkim_sig_free(struct dkim_sig *sig)
{
	free(sig->alg_text);
	free(sig->d);
	free(sig->s);
	free(sig->i);
	for (size_t k = 0; k < sig->nh; k++)
		free(sig->h[k]);
	free(sig->h);
	mime_buf_free(&sig->b);
	mime_buf_free(&sig->bh);
	free(sig->b_text);
	memset(sig, 0, sizeof *sig);
}

/* ---- key records ------------------------------------------------------------- */

struct key_lists {
	int sha1, sha256, email, y, s;
};

static int on_hash(void *ctx, const char *s, size_t n)
{
	struct key_lists *l = ctx;
	if (mime_ascii_is(s, n, "sha256"))
		l->sha256 = 1;
	else if (mime_ascii_is(s, n, "sha1"))
		l->sha1 = 1;
	return 0;  /* unknown ones are ignored */
}

static int on_service(void *ctx, const char *s, size_t n)
{
	struct key_lists *l = ctx;
	if (mime_ascii_is(s, n, "*") || mime_ascii_is(s, n, "email"))
		l->email = 1;
	return 0;
}

static int on_flag(void *ctx, const char *s, size_t n)
{
	struct key_lists *l = ctx;
	if (n == 1 && s[0] == 'y')
		l->y = 1;
	else if (n == 1 && s[0] == 's')
		l->s = 1;
	return 0;
}

/* p= for RSA: SubjectPublicKeyInfo (RFC 6376 3.6.1), or the bare
 * RSAPublicKey some signers publish; for Ed25519: the raw 32 bytes. */
static EVP_PKEY *public_key(const struct mime_buf *p, int rsa)
{
	const unsigned char *d = (const unsigned char *)p->data;
	if (!rsa)
		return p->len == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, d, 32) : NULL;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &d, (long)p->len);
	if (k && (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA ||
		  d != (const unsigned char *)p->data + p->len)) {
		EVP_PKEY_free(k);
		return NULL;
	}
	if (!k) {
		d = (const unsigned char *)p->data;
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &d, (long)p->len);
		if (k && d != (const unsigned char *)p->data + p->len) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	return k;
}

enum mime_status dkim_pubkey_parse(const char *txt, size_t n, struct dkim_pubkey *k,
				   const char **err)
{
	struct dkim_tag t[DKIM_MAX_TAGS];
	size_t nt;
	memset(k, 0, sizeof *k);
	if (dkim_tags_parse(txt, n, t, &nt, err))
		return MIME_EINVAL;
	const struct dkim_tag *g = dkim_tag_get(t, nt, "v");
	/* RFC 6376 3.6.1: v=DKIM1, first when present */
	if (g && (g != &t[0] || g->value_len != 5 || memcmp(g->value, "DKIM1", 5)))
		return *err = "key record: v= is not DKIM1 first", MIME_EINVAL;
	struct key_lists l = {.email = 1};
	if ((g = dkim_tag_get(t, nt, "h"))) {
		l.sha1 = l.sha256 = 0;
		each_item(g->value, g->value_len, on_hash, &l);
	} else {
		l.sha1 = l.sha256 = 1;
	}
	if ((g = dkim_tag_get(t, nt, "s"))) {
		l.email = 0;
		each_item(g->value, g->value_len, on_service, &l);
		if (!l.email)
			return *err = "key record: not for email (s=)", MIME_EINVAL;
	}
	if ((g = dkim_tag_get(t, nt, "t")))
		each_item(g->value, g->value_len, on_flag, &l);
	k->rsa = 1;
	if ((g = dkim_tag_get(t, nt, "k"))) {
		if (mime_ascii_is(g->value, g->value_len, "ed25519"))
			k->rsa = 0;
		else if (!mime_ascii_is(g->value, g->value_len, "rsa"))
			return *err = "key record: a key type (k=) this verifier does not know", MIME_EINVAL;
	}
	k->sha1 = l.sha1;
	k->sha256 = l.sha256;
	k->testing = l.y;
	k->strict = l.s;
	if (!(g = dkim_tag_get(t, nt, "p")))
		return *err = "key record: no p= tag", MIME_EINVAL;
	if (g->value_len == 0) {
		k->revoked = 1;
		return MIME_OK;
	}
	struct mime_buf p = {0};
	enum mime_status r = dkim_base64(g->value, g->value_len, &p);
	if (r == MIME_OK && !(k->pkey = public_key(&p, k->rsa)))
		r = MIME_EINVAL;
	mime_buf_free(&p);
	if (r == MIME_EINVAL)
		*err = "key record: p= is not a public key of its type";
	if (r == MIME_OK)
		k->bits = (unsigned)EVP_PKEY_get_bits(k->pkey);
	return r;
}

void dkim_pubkey_free(struct dkim_pubkey *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof *k);
}
