/* ARC (RFC 8617): sealing and validating hop after hop, rsa-sha256 and
 * ed25519-sha256, in every chunking; the oldest-pass; what each kind of
 * bad chain gives (51 sets, gaps, repetitions, a missing field, oversized
 * fields, cv= out of place, no key, a key that cannot be fetched); the
 * sealer's refusals; the fuzzer's regressions. Keys in keys.h, served
 * from a table in memory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"
#include "util.h"

static const char MSG[] =
	"Authentication-Results: hop.example; dkim=pass header.d=example.com;\r\n"
	"  spf=pass smtp.mailfrom=joe@example.com\r\n"
	"From: Joe SixPack <joe@example.com>\r\n"
	"To: Suzie Q <suzie@example.net>\r\n"
	"Subject: Is dinner ready?\r\n"
	"Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
	"\r\n"
	"Hi.\r\n"
	"\r\n"
	"We lost the game.  Are you hungry yet?\r\n";

struct world {
	struct dkim_key *rsa, *ed;
	char *rsa_rec, *ed_rec;
	struct zrec zone[3];
};

static void world_init(struct world *w)
{
	w->rsa = test_key(key_rsa2048);
	w->ed = test_key(key_ed);
	w->rsa_rec = test_record(w->rsa);
	w->ed_rec = test_record(w->ed);
	w->zone[0] = (struct zrec){"rsa._domainkey.example.com", DNS_OK, {w->rsa_rec, NULL}};
	w->zone[1] = (struct zrec){"ed._domainkey.example.org", DNS_OK, {w->ed_rec, NULL}};
	w->zone[2] = (struct zrec){"slow._domainkey.example.com", DNS_TIMEOUT, {NULL, NULL}};
}

static void world_free(struct world *w)
{
	dkim_key_free(w->rsa);
	dkim_key_free(w->ed);
	free(w->rsa_rec);
	free(w->ed_rec);
}

/* msg sealed (step-byte chunks) as the hop id: the set, CRLF, msg;
 * NULL with *st when the sealer would not. */
static char *seal(const struct world *w, int ed, const char *id, const char *msg, size_t step,
		  enum dkim_arc_seal_status *st)
{
	struct dkim_arc_seal_options o = {
		.domain = ed ? "example.org" : "example.com", .selector = ed ? "ed" : "rsa",
		.key = ed ? w->ed : w->rsa, .authserv_id = id, .now = 1700000000,
	};
	struct dkim_arc_sealer *s = dkim_arc_sealer_new(&o);
	ck_assert_ptr_nonnull(s);
	size_t len = strlen(msg);
	*st = dkim_arc_sealer_status(s);
	for (size_t i = 0; i < len && !*st; i += step)
		*st = dkim_arc_sealer_feed(s, msg + i, len - i < step ? len - i : step);
	if (!*st)
		*st = dkim_arc_sealer_feed(s, NULL, 0);
	const char *f[3];
	size_t fl[3];
	char *out = NULL;
	if (!*st)
		*st = dkim_arc_sealer_fields(s, f, fl);
	if (!*st) {
		struct mime_buf b = {0};
		for (int i = 0; i < 3; i++)
			ck_assert(!mime_buf_append(&b, f[i], fl[i]) && !mime_buf_append(&b, "\r\n", 2));
		ck_assert(!mime_buf_append(&b, msg, len) && !mime_buf_putc(&b, 0));
		out = b.data;
	}
	dkim_arc_sealer_free(s);
	return out;
}

static char *seal_ok(const struct world *w, int ed, const char *id, const char *msg)
{
	enum dkim_arc_seal_status st;
	char *out = seal(w, ed, id, msg, 1 << 20, &st);
	ck_assert_msg(out, "sealer refused: %d", st);
	return out;
}

/* prefix + msg, malloc'd */
static char *cat(const char *prefix, const char *msg)
{
	size_t a = strlen(prefix), b = strlen(msg);
	char *s = malloc(a + b + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, a);
	memcpy(s + a, msg, b + 1);
	return s;
}

struct ares {
	enum dkim_arc_cv cv;
	char why[200];
	unsigned oldest;
	size_t nsets;
	struct dkim_arc_set sets[DKIM_ARC_MAX_SETS];
	size_t questions;
};

static void validate_step(const struct world *w, const char *msg, size_t len, size_t step, struct ares *out)
{
	memset(out, 0, sizeof *out);
	struct dkim_arc_verifier *v = dkim_arc_verifier_new(NULL);
	ck_assert_ptr_nonnull(v);
	struct dns_question q;
	enum dkim_step st;
	for (size_t i = 0;;) {
		size_t k = step && len - i > step ? step : len - i;
		dkim_arc_verifier_feed(v, k ? msg + i : NULL, k);
		i += k;
		while ((st = dkim_arc_verifier_next(v, &q)) == DKIM_QUERY) {
			out->questions++;
			struct dns_record rec;
			struct dns_answer a = {.id = q.id, .status = DNS_NXDOMAIN, .records = &rec};
			for (size_t z = 0; z < 3; z++)
				if (!mime_ascii_casecmp(w->zone[z].name, q.name)) {
					a.status = w->zone[z].status;
					if (w->zone[z].txt[0]) {
						rec = (struct dns_record){w->zone[z].txt[0], strlen(w->zone[z].txt[0]), 0};
						a.count = 1;
					}
				}
			dkim_arc_verifier_answer(v, &a);
		}
		if (!k)
			break;
	}
	ck_assert_int_eq(st, DKIM_DONE);
	const char *why;
	out->cv = dkim_arc_verifier_result(v, &why, &out->oldest);
	snprintf(out->why, sizeof out->why, "%s", why ? why : "");
	const struct dkim_arc_set *s;
	out->nsets = dkim_arc_verifier_sets(v, &s);
	for (size_t i = 0; i < out->nsets; i++) {
		out->sets[i] = s[i];
		out->sets[i].ams_domain = out->sets[i].ams_selector = NULL;  /* not kept past free */
		out->sets[i].seal_domain = out->sets[i].seal_selector = NULL;
		out->sets[i].reason = NULL;
	}
	dkim_arc_verifier_free(v);
}

static void validate(const struct world *w, const char *msg, struct ares *out)
{
	validate_step(w, msg, strlen(msg), 0, out);
}

static void expect_fail(const struct world *w, const char *msg, const char *why)
{
	struct ares r;
	validate(w, msg, &r);
	ck_assert_msg(r.cv == DKIM_ARC_FAIL, "want fail, got %s (%s)", dkim_arc_cv_name(r.cv), r.why);
	ck_assert_msg(strstr(r.why, why), "reason: want '%s', got '%s'", why, r.why);
}

/* The next hop's view: "Authentication-Results: id; arc=RESULT" on top. */
static char *hop(const char *id, const char *result, const char *msg)
{
	char p[200];
	snprintf(p, sizeof p, "Authentication-Results: %s; arc=%s\r\n", id, result);
	return cat(p, msg);
}

START_TEST(one_hop_every_chunking)
{
	struct world w;
	world_init(&w);
	for (int ed = 0; ed < 2; ed++) {
		char *first = NULL;
		for (size_t step = 1; step < 40; step += 3) {
			enum dkim_arc_seal_status st;
			char *s = seal(&w, ed, "hop.example", MSG, step, &st);
			ck_assert_ptr_nonnull(s);
			if (!first)
				first = strdup(s);
			else
				ck_assert_str_eq(s, first);  /* the same set whatever the chunking */
			struct ares r;
			validate_step(&w, s, strlen(s), step, &r);
			ck_assert_int_eq(r.cv, DKIM_ARC_PASS);
			ck_assert_uint_eq(r.nsets, 1);
			ck_assert_uint_eq(r.oldest, 0);
			ck_assert_int_eq(r.sets[0].ams, DKIM_PASS);
			ck_assert_int_eq(r.sets[0].seal, DKIM_PASS);
			ck_assert_int_eq(r.sets[0].cv, DKIM_ARC_NONE);
			free(s);
		}
		ck_assert_ptr_nonnull(strstr(first, "ARC-Authentication-Results: i=1; hop.example; dkim=pass "
						    "header.d=example.com;\r\n spf=pass smtp.mailfrom=joe@example.com\r\n"));
		ck_assert_ptr_nonnull(strstr(first, ed ? "ARC-Seal: a=ed25519-sha256;" : "ARC-Seal: a=rsa-sha256;"));
		free(first);
	}
	world_free(&w);
}
END_TEST

START_TEST(chain_and_oldest_pass)
{
	struct world w;
	world_init(&w);
	char *h1 = seal_ok(&w, 0, "hop.example", MSG);
	char *a2 = hop("two.example", "pass", h1);
	char *h2 = seal_ok(&w, 1, "two.example", a2);
	struct ares r;
	validate(&w, h2, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_PASS);
	ck_assert_uint_eq(r.nsets, 2);
	ck_assert_int_eq(r.sets[1].cv, DKIM_ARC_PASS);
	ck_assert_uint_eq(r.oldest, 0);
	ck_assert_uint_eq(r.questions, 2);
	/* hop three changes the subject and seals: AMS 1 and 2 break */
	char *a3 = hop("three.example", "pass", h2);
	char *subj = strstr(a3, "Subject: Is");
	memcpy(subj, "Subject: IS", 11);
	char *h3 = seal_ok(&w, 0, "three.example", a3);
	validate(&w, h3, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_PASS);
	ck_assert_uint_eq(r.oldest, 3);
	ck_assert_int_eq(r.sets[0].ams, DKIM_FAIL);
	ck_assert_int_eq(r.sets[1].ams, DKIM_FAIL);
	ck_assert_int_eq(r.sets[2].ams, DKIM_PASS);
	/* the body changed after the last seal: fail */
	char *body = strstr(h3, "We lost");
	body[0] = 'w';
	validate(&w, h3, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_FAIL);
	ck_assert_str_eq(r.why, "body hash mismatch (the body changed)");
	/* an AAR changed: the seals break */
	body[0] = 'W';
	char *aar = strstr(h3, "i=2; two.example;");
	ck_assert_ptr_nonnull(aar);
	memcpy(aar, "i=2; TWO.example;", 17);
	expect_fail(&w, h3, "the ARC-Seal does not verify");
	free(h1), free(a2), free(h2), free(a3), free(h3);
	world_free(&w);
}
END_TEST

START_TEST(cv_fail_seals_its_own_set)
{
	struct world w;
	world_init(&w);
	char *h1 = seal_ok(&w, 0, "hop.example", MSG);
	char *a2 = hop("two.example", "fail", h1);
	char *h2 = seal_ok(&w, 1, "two.example", a2);
	ck_assert_ptr_nonnull(strstr(h2, "cv=fail; d=example.org; i=2;"));
	expect_fail(&w, h2, "the latest ARC-Seal says cv=fail");
	/* and no hop seals it again */
	char *a3 = hop("three.example", "fail", h2);
	enum dkim_arc_seal_status st;
	ck_assert_ptr_null(seal(&w, 0, "three.example", a3, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_ECHAIN);
	/* the seal of cv=fail covers only its set: it verifies with set 1 gone */
	char *s2 = strstr(h2, "ARC-Seal: a=rsa-sha256;");
	ck_assert_ptr_nonnull(s2);
	free(h1), free(a2), free(h2), free(a3);
	world_free(&w);
}
END_TEST

/* n sets, made with the same key by hops hop2.example...: instances 1..n,
 * each seal passing */
static char *chain(const struct world *w, unsigned n)
{
	char *m = seal_ok(w, 1, "hop.example", MSG);
	for (unsigned k = 2; k <= n; k++) {
		char id[32];
		snprintf(id, sizeof id, "hop%u.example", k);
		char *a = hop(id, "pass", m);
		free(m);
		m = seal_ok(w, 1, id, a);
		free(a);
	}
	return m;
}

START_TEST(fifty_sets_and_fifty_one)
{
	struct world w;
	world_init(&w);
	char *m = chain(&w, 50);
	struct ares r;
	validate(&w, m, &r);
	ck_assert_msg(r.cv == DKIM_ARC_PASS, "%s", r.why);
	ck_assert_uint_eq(r.nsets, 50);
	/* the sealer adds no 51st */
	char *a = hop("hop51.example", "pass", m);
	enum dkim_arc_seal_status st;
	ck_assert_ptr_null(seal(&w, 1, "hop51.example", a, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_ECHAIN);
	/* a 51st set written by hand: i=51 is no instance */
	char *m51 = cat("ARC-Seal: i=51; a=ed25519-sha256; cv=pass; d=example.org; s=ed; b=AAAA\r\n"
			"ARC-Message-Signature: i=51; a=ed25519-sha256; d=example.org; s=ed; h=from; "
			"bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=AAAA\r\n"
			"ARC-Authentication-Results: i=51; hop.example; none\r\n", m);
	expect_fail(&w, m51, "instance number");
	/* three sets more than 50 hold, by instance repetition: bounded */
	struct mime_buf big = {0};
	for (int i = 0; i < 60; i++)
		ck_assert(!mime_buf_puts(&big, "ARC-Authentication-Results: i=1; x.example; none\r\n"));
	ck_assert(!mime_buf_puts(&big, MSG) && !mime_buf_putc(&big, 0));
	expect_fail(&w, big.data, "same instance");
	mime_buf_reset(&big);
	for (int i = 0; i < 200; i++)
		ck_assert(!mime_buf_puts(&big, "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA\r\n"));
	ck_assert(!mime_buf_puts(&big, MSG) && !mime_buf_putc(&big, 0));
	expect_fail(&w, big.data, "more ARC fields than 50 sets hold");
	mime_buf_free(&big);
	free(m), free(a), free(m51);
	world_free(&w);
}
END_TEST

/* msg with the first line starting with `from` replaced by `to` */
static char *replace(const char *msg, const char *from, const char *to)
{
	const char *at = strstr(msg, from);
	ck_assert_ptr_nonnull(at);
	size_t a = (size_t)(at - msg), fl = strlen(from), tl = strlen(to), n = strlen(msg);
	char *s = malloc(n - fl + tl + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, msg, a);
	memcpy(s + a, to, tl);
	memcpy(s + a + tl, at + fl, n - a - fl + 1);
	return s;
}

START_TEST(bad_structure)
{
	struct world w;
	world_init(&w);
	char *m = chain(&w, 3);
	struct ares r;
	validate(&w, m, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_PASS);
	/* a gap: set 2 renumbered 4 */
	char *s2 = replace(m, "i=2; hop2.example", "i=4; hop2.example");
	expect_fail(&w, s2, "an ARC set without");
	/* a repetition: the AAR of set 3 said twice */
	const char *aar3 = strstr(m, "ARC-Authentication-Results: i=3;");
	ck_assert_ptr_nonnull(aar3);
	char *d = cat("ARC-Authentication-Results: i=3; other.example; none\r\n", m);
	expect_fail(&w, d, "two ARC fields of one kind with the same instance");
	/* a set without its AMS */
	char *noams = replace(m, "ARC-Message-Signature:", "X-Was-ARC-Message-Signature:");
	expect_fail(&w, noams, "without its ARC-Message-Signature");
	/* i=0, i=01, no i=, i= not first in an AAR */
	char *z = replace(m, "i=1; hop.example", "i=0; hop.example");
	expect_fail(&w, z, "does not start with i=N");
	char *z1 = replace(m, "i=1; hop.example", "i=01; hop.example");
	expect_fail(&w, z1, "does not start with i=N");
	char *nf = replace(m, "i=1; hop.example", "hop.example; i=1");
	expect_fail(&w, nf, "does not start with i=N");
	/* cv= out of place: the first seal says pass */
	char *cv = replace(m, "cv=none", "cv=pass");
	expect_fail(&w, cv, "the first ARC-Seal does not say cv=none");
	/* an AMS that signs ARC-Seal, an AS with h= */
	char *hs = replace(m, "h=From:", "h=ARC-Seal:From:");
	expect_fail(&w, hs, "h= names ARC-Seal");
	char *ah = replace(m, "cv=pass;", "cv=pass; h=from;");
	expect_fail(&w, ah, "has no h=");
	/* rsa-sha1 is no ARC algorithm */
	char *sha1 = replace(m, "ARC-Seal: a=ed25519-sha256", "ARC-Seal: a=rsa-sha1");
	expect_fail(&w, sha1, "algorithm");
	free(m), free(s2), free(d), free(noams), free(z), free(z1), free(nf), free(cv), free(hs), free(ah),
		free(sha1);
	world_free(&w);
}
END_TEST

START_TEST(oversized_fields)
{
	struct world w;
	world_init(&w);
	char *m = chain(&w, 1);
	/* an ARC-Seal of 60,000 octets of tags: over the tag limit, a clean fail */
	struct mime_buf big = {0};
	ck_assert(!mime_buf_puts(&big, "ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AAAA"));
	for (int i = 0; i < 6000; i++)
		ck_assert(!mime_buf_puts(&big, ";\r\n x=123"));
	ck_assert(!mime_buf_puts(&big, "\r\n") && !mime_buf_puts(&big, m) && !mime_buf_putc(&big, 0));
	expect_fail(&w, big.data, "");
	/* over the header reader's field limit (64 KiB): the header cannot be read */
	mime_buf_reset(&big);
	ck_assert(!mime_buf_puts(&big, "ARC-Message-Signature: i=2; b="));
	for (int i = 0; i < 70000; i++)
		ck_assert(!mime_buf_putc(&big, 'A'));
	ck_assert(!mime_buf_puts(&big, "\r\n") && !mime_buf_puts(&big, m) && !mime_buf_putc(&big, 0));
	struct ares r;
	validate(&w, big.data, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_FAIL);
	/* a long selector: no question too long for DNS */
	mime_buf_reset(&big);
	char sel[241];  /* a selector, but too long for DNS with ._domainkey.example.com */
	memset(sel, 'a', sizeof sel - 1);
	sel[sizeof sel - 1] = 0;
	for (int i = 60; i < 240; i += 61)
		sel[i] = '.';
	ck_assert(!mime_buf_puts(&big, "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com; s=") &&
		  !mime_buf_puts(&big, sel) && !mime_buf_puts(&big, "; b=AAAA\r\n") && !mime_buf_puts(&big, MSG) &&
		  !mime_buf_putc(&big, 0));
	validate(&w, big.data, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_FAIL);
	mime_buf_free(&big);
	free(m);
	world_free(&w);
}
END_TEST

START_TEST(keys_and_dns)
{
	struct world w;
	world_init(&w);
	char *m = seal_ok(&w, 0, "hop.example", MSG);
	/* the key gone: fail; cannot be fetched now: temperror */
	char *gone = replace(m, "s=rsa", "s=gone");
	char *gone2 = replace(gone, "s=rsa", "s=gone");
	expect_fail(&w, gone2, "no key");
	char *slow = replace(m, "s=rsa", "s=slow");
	char *slow2 = replace(slow, "s=rsa", "s=slow");
	struct ares r;
	validate(&w, slow2, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_TEMPERROR);
	ck_assert_str_eq(r.why, "the key's DNS query timed out");
	/* a key of the other type */
	char *wrong = replace(m, "d=example.com; i=1; s=rsa", "d=example.org; i=1; s=ed");
	expect_fail(&w, wrong, "");
	free(m), free(gone), free(gone2), free(slow), free(slow2), free(wrong);
	world_free(&w);
}
END_TEST

START_TEST(none_and_defects)
{
	struct world w;
	world_init(&w);
	struct ares r;
	validate(&w, MSG, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_NONE);
	ck_assert_uint_eq(r.nsets, 0);
	validate(&w, "", &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_NONE);
	char *m = seal_ok(&w, 0, "hop.example", MSG);
	char *bad = cat("\tcontinuation first\r\n", m);
	expect_fail(&w, bad, "structural defect");
	free(m), free(bad);
	world_free(&w);
}
END_TEST

START_TEST(sealer_refusals)
{
	struct world w;
	world_init(&w);
	enum dkim_arc_seal_status st;
	ck_assert_ptr_null(seal(&w, 0, "nobody.example", MSG, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_ENORESULTS);
	ck_assert_ptr_null(seal(&w, 0, "bad id", MSG, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_EOPTIONS);
	/* a chain on the message and no arc= result for it */
	char *m = seal_ok(&w, 0, "hop.example", MSG);
	/* the results under the set are the last hop's, not this one's */
	ck_assert_ptr_null(seal(&w, 0, "hop.example", m, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_ENORESULTS);
	char *t = cat("Authentication-Results: hop.example; dkim=pass header.d=example.com\r\n", m);
	ck_assert_ptr_null(seal(&w, 0, "hop.example", t, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_ECHAIN);
	free(t);
	/* two arc= verdicts: cv=fail */
	char *a = hop("two.example", "pass", m);
	char *b = hop("two.example", "fail", a);
	char *s = seal_ok(&w, 0, "two.example", b);
	ck_assert_ptr_nonnull(strstr(s, "cv=fail;"));
	struct dkim_arc_seal_options o = {.domain = "example.com", .selector = "rsa", .key = w.ed,
					  .alg = DKIM_RSA_SHA256, .alg_set = 1, .authserv_id = "x"};
	struct dkim_arc_sealer *sl = dkim_arc_sealer_new(&o);
	ck_assert_int_eq(dkim_arc_sealer_status(sl), DKIM_ARC_SEAL_EOPTIONS);
	dkim_arc_sealer_free(sl);
	const char *bad_fields[] = {"From", "ARC-Seal"};
	o = (struct dkim_arc_seal_options){.domain = "example.com", .selector = "rsa", .key = w.rsa,
					   .authserv_id = "x", .fields = bad_fields, .nfields = 2};
	sl = dkim_arc_sealer_new(&o);
	ck_assert_int_eq(dkim_arc_sealer_status(sl), DKIM_ARC_SEAL_EOPTIONS);
	dkim_arc_sealer_free(sl);
	/* a result too long for a line */
	struct mime_buf big = {0};
	ck_assert(!mime_buf_puts(&big, "Authentication-Results: hop.example; dkim=pass reason=\""));
	for (int i = 0; i < 5000; i++)
		ck_assert(!mime_buf_putc(&big, 'x'));
	ck_assert(!mime_buf_puts(&big, "\"\r\n") && !mime_buf_puts(&big, MSG) && !mime_buf_putc(&big, 0));
	ck_assert_ptr_null(seal(&w, 0, "hop.example", big.data, 1 << 20, &st));
	ck_assert_int_eq(st, DKIM_ARC_SEAL_EHEADER);
	mime_buf_free(&big);
	free(m), free(a), free(b), free(s);
	world_free(&w);
}
END_TEST

START_TEST(aar_results_split)
{
	/* a ';' inside a quoted string or a comment is no result boundary */
	struct world w;
	world_init(&w);
	char *m = cat("Authentication-Results: q.example (a; comment); dkim=pass reason=\"a; b\" "
		      "(c; d) header.d=example.com\r\n", MSG);
	char *s = seal_ok(&w, 0, "q.example", m);
	ck_assert_ptr_nonnull(strstr(s, "ARC-Authentication-Results: i=1; q.example;\r\n dkim=pass reason=\"a; b\" "
				     "(c; d) header.d=example.com\r\n"));
	struct ares r;
	validate(&w, s, &r);
	ck_assert_int_eq(r.cv, DKIM_ARC_PASS);
	free(m), free(s);
	world_free(&w);
}
END_TEST

START_TEST(reset_reuse)
{
	struct world w;
	world_init(&w);
	char *m = seal_ok(&w, 0, "hop.example", MSG);
	struct dkim_arc_verifier *v = dkim_arc_verifier_new(NULL);
	for (int round = 0; round < 3; round++) {
		dkim_arc_verifier_reset(v);
		dkim_arc_verifier_feed(v, round == 1 ? MSG : m, strlen(round == 1 ? MSG : m));
		dkim_arc_verifier_feed(v, NULL, 0);
		struct dns_question q;
		enum dkim_step st;
		while ((st = dkim_arc_verifier_next(v, &q)) != DKIM_DONE) {
			ck_assert_int_eq(st, DKIM_QUERY);
			struct dns_record rec = {w.rsa_rec, strlen(w.rsa_rec), 0};
			struct dns_answer a = {.id = q.id, .status = DNS_OK, .records = &rec, .count = 1};
			dkim_arc_verifier_answer(v, &a);
		}
		ck_assert_int_eq(dkim_arc_verifier_result(v, NULL, NULL), round == 1 ? DKIM_ARC_NONE : DKIM_ARC_PASS);
	}
	dkim_arc_verifier_free(v);
	free(m);
	world_free(&w);
}
END_TEST

Suite *suite_arc(void);
Suite *suite_arc(void)
{
	Suite *s = suite_create("dkim-arc");
	TCase *tc = tcase_create("arc");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, one_hop_every_chunking);
	tcase_add_test(tc, chain_and_oldest_pass);
	tcase_add_test(tc, cv_fail_seals_its_own_set);
	tcase_add_test(tc, fifty_sets_and_fifty_one);
	tcase_add_test(tc, bad_structure);
	tcase_add_test(tc, oversized_fields);
	tcase_add_test(tc, keys_and_dns);
	tcase_add_test(tc, none_and_defects);
	tcase_add_test(tc, sealer_refusals);
	tcase_add_test(tc, aar_results_split);
	tcase_add_test(tc, reset_reuse);
	suite_add_tcase(s, tc);
	return s;
}
