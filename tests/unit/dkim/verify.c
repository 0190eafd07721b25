/* Signing and verifying: every algorithm and canonicalisation in every
 * chunking; what a change to the body or the header does; the attacks of
 * the DKIM issue, each signed clean and then changed; DNS failures; the
 * clock; l=; several signatures; the verifier's lifecycle. Keys in
 * keys.h, served from a table in memory (util.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"
#include "util.h"

static const char MSG[] =
	"From: Joe SixPack <joe@example.com>\r\n"
	"To: Suzie Q <suzie@example.net>\r\n"
	"Subject: Is dinner ready?\r\n"
	"Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
	"Message-ID: <20030712040037.46341.5F8J@example.com>\r\n"
	"\r\n"
	"Hi.\r\n"
	"\r\n"
	"We lost the game.  Are you hungry yet?\r\n"
	"\r\n"
	"Joe.\r\n"
	"\r\n"
	"\r\n";

/* One signer's world: a key, its zone, default options. */
struct world {
	struct dkim_key *key;
	char *record;
	struct zrec zone[1];
	struct dkim_sign_options so;
};

static void world_init(struct world *w, const char *pem)
{
	memset(w, 0, sizeof *w);
	w->key = test_key(pem);
	w->record = test_record(w->key);
	w->zone[0] = (struct zrec){"sel._domainkey.example.com", DNS_OK, {w->record, NULL}};
	w->so = (struct dkim_sign_options){.domain = "example.com", .selector = "sel", .key = w->key,
					  .now = 1700000000};
}

static void world_free(struct world *w)
{
	dkim_key_free(w->key);
	free(w->record);
}

static char *sign(const struct world *w, const char *msg)
{
	enum dkim_sign_status st;
	char *out = test_sign(&w->so, msg, strlen(msg), 0, &st);
	ck_assert_msg(out, "signer refused: %d", st);
	return out;
}

static const char *verify(const struct world *w, const char *msg, struct vres *r)
{
	static char buf[256];
	test_verify(NULL, w->zone, 1, msg, 0, r);
	return test_results(r, buf, sizeof buf);
}

/* A copy of s with the first occurrence of what replaced by with. */
static char *replace(const char *s, const char *what, const char *with)
{
	const char *at = strstr(s, what);
	ck_assert_ptr_nonnull(at);
	size_t n = strlen(s), a = (size_t)(at - s), wl = strlen(what), tl = strlen(with);
	char *o = malloc(n - wl + tl + 1);
	ck_assert_ptr_nonnull(o);
	memcpy(o, s, a);
	memcpy(o + a, with, tl);
	memcpy(o + a + tl, at + wl, n - a - wl + 1);
	return o;
}

static char *concat(const char *a, const char *b)
{
	char *o = malloc(strlen(a) + strlen(b) + 1);
	ck_assert_ptr_nonnull(o);
	strcpy(o, a);
	strcat(o, b);
	return o;
}

/* The h= value of the first signature of msg, without folding white space. */
static const char *h_of(const char *msg)
{
	static char h[1000];
	h[0] = 0;
	const char *hp = strstr(msg, "h=");
	ck_assert_ptr_nonnull(hp);
	for (hp += 2; *hp && *hp != ';'; hp++)
		if (*hp != '\r' && *hp != '\n' && *hp != ' ' && *hp != '\t')
			strncat(h, hp, 1);
	return h;
}

/* ---- every algorithm, canonicalisation and chunking ----------------------- */

static const size_t steps[] = {0, 1, 2, 3, 7, 64};

START_TEST(sign_verify_all)
{
	const char *pems[] = {key_rsa1024, key_ed};
	for (int k = 0; k < 2; k++) {
		struct world w;
		world_init(&w, pems[k]);
		for (int hc = 0; hc < 2; hc++)
			for (int bc = 0; bc < 2; bc++) {
				w.so.header_canon = hc ? DKIM_RELAXED : DKIM_SIMPLE;
				w.so.body_canon = bc ? DKIM_RELAXED : DKIM_SIMPLE;
				w.so.canon_set = 1;
				char *first = NULL;
				for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
					enum dkim_sign_status st;
					char *out = test_sign(&w.so, MSG, strlen(MSG), steps[s], &st);
					ck_assert_ptr_nonnull(out);
					/* the same signature in every chunking (Ed25519 and
					 * RSA PKCS#1 v1.5 are deterministic) */
					if (first)
						ck_assert_str_eq(out, first);
					else
						first = out;
					for (size_t v = 0; v < sizeof steps / sizeof *steps; v++) {
						struct vres r;
						test_verify(NULL, w.zone, 1, out, steps[v], &r);
						ck_assert_uint_eq(r.n, 1);
						ck_assert_msg(r.r[0] == DKIM_PASS, "%s %d/%d sign step %zu verify step %zu: %s",
							      k ? "ed25519" : "rsa", hc, bc, steps[s], steps[v],
							      r.reason[0]);
						ck_assert_uint_eq(r.questions, 1);
					}
					if (out != first)
						free(out);
				}
				/* every byte after the field is the message's */
				ck_assert_str_eq(strstr(first, "\r\nFrom: ") + 2, MSG);
				free(first);
			}
		world_free(&w);
	}
}
END_TEST

/* The field: tags in order, folded under 78 columns, CRLF inside. */
START_TEST(field_form)
{
	struct world w;
	world_init(&w, key_rsa2048);
	w.so.expire = 3600;
	w.so.auid = "joe@example.com";
	char *out = sign(&w, MSG);
	const char *end = strstr(out, "\r\nFrom: ");
	ck_assert_ptr_nonnull(end);
	ck_assert(!strncmp(out, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;",
			   strlen("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;")));
	const char *order[] = {" s=sel;", " i=joe@example.com;", " t=1700000000;", " x=1700003600;",
			       "h=From:", "bh=", " b="};
	const char *at = out;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
		const char *p = strstr(at, order[i]);
		ck_assert_msg(p && p < end, "%s not in order", order[i]);
		at = p;
	}
	for (const char *line = out; line < end;) {
		const char *nl = strstr(line, "\r\n");
		ck_assert_uint_le((size_t)(nl - line), 78);
		if (line != out)
			ck_assert(line[0] == ' ' || line[0] == '\t');
		line = nl + 2;
	}
	/* over-signed: From, To, Subject, Date, Message-ID twice; Sender,
	 * Reply-To, Cc, MIME-Version, Content-* once; nothing else */
	struct vres r;
	ck_assert_str_eq(verify(&w, out, &r), "pass");
	ck_assert_str_eq(h_of(out), "From:From:Sender:Reply-To:Subject:Subject:Date:Date:To:To:Cc:Message-ID:"
			 "Message-ID:MIME-Version:Content-Type:Content-Transfer-Encoding");
	free(out);
	/* --no-oversign: each present field once */
	w.so.flags = DKIM_SIGN_NO_OVERSIGN;
	w.so.expire = 0;
	w.so.auid = NULL;
	out = sign(&w, MSG);
	ck_assert_str_eq(h_of(out), "From:Subject:Date:To:Message-ID");
	ck_assert_ptr_null(strstr(out, " x="));
	free(out);
	/* the names asked for, once each even when asked twice */
	const char *names[] = {"from", "Subject", "X-Custom", "FROM"};
	w.so.fields = names;
	w.so.nfields = 4;
	w.so.flags = 0;
	out = sign(&w, MSG);
	ck_assert_str_eq(h_of(out), "from:from:Subject:Subject");  /* absent: left out */
	ck_assert_str_eq(verify(&w, out, &r), "pass");
	free(out);
	world_free(&w);
}
END_TEST

/* Message stored with LF: read in its CRLF form, so both forms verify. */
START_TEST(lf_form)
{
	struct world w;
	world_init(&w, key_ed);
	char lf[sizeof MSG];
	size_t o = 0;
	for (const char *p = MSG; *p; p++)
		if (*p != '\r')
			lf[o++] = *p;
	lf[o] = 0;
	/* signed, and the field written with the message's line ends */
	char *signed_lf = sign(&w, lf);
	for (char *s = signed_lf, *d = signed_lf;; s++)
		if (*s != '\r' && !(*d++ = *s))
			break;
	ck_assert_str_eq(strstr(signed_lf, "\nFrom: ") + 1, lf);
	struct vres r;
	for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
		test_verify(NULL, w.zone, 1, signed_lf, steps[s], &r);
		ck_assert_msg(r.r[0] == DKIM_PASS, "LF step %zu: %s", steps[s], r.reason[0]);
	}
	/* the same signature over the CRLF form */
	char *signed_crlf = sign(&w, MSG);
	const char *b1 = strstr(signed_lf, " b="), *b2 = strstr(signed_crlf, " b=");
	char *e1 = strstr(b1, "\nFrom:"), *e2 = strstr(b2, "\r\nFrom:");
	size_t n1 = 0;
	char b2lf[1000];
	for (const char *p = b2; p < e2; p++)
		if (*p != '\r')
			b2lf[n1++] = *p;
	ck_assert_uint_eq((size_t)(e1 - b1), n1);
	ck_assert(!strncmp(b1, b2lf, n1));
	free(signed_lf);
	free(signed_crlf);
	world_free(&w);
}
END_TEST

/* ---- changes ------------------------------------------------------------------ */

START_TEST(changes)
{
	struct world w;
	world_init(&w, key_rsa1024);
	struct vres r;
	for (int hc = 0; hc < 2; hc++) {
		w.so.header_canon = w.so.body_canon = hc ? DKIM_RELAXED : DKIM_SIMPLE;
		w.so.canon_set = 1;
		char *out = sign(&w, MSG);
		/* one body byte */
		char *c = replace(out, "hungry", "hungrY");
		ck_assert_str_eq(verify(&w, c, &r), "fail");
		ck_assert_str_eq(r.reason[0], "body hash mismatch (the body changed)");
		free(c);
		/* one header byte */
		c = replace(out, "Is dinner", "Is Dinner");
		ck_assert_str_eq(verify(&w, c, &r), "fail");
		ck_assert_str_eq(r.reason[0], "the signature does not verify (the header changed, or another key)");
		free(c);
		/* a signed field taken out */
		c = replace(out, "To: Suzie Q <suzie@example.net>\r\n", "");
		ck_assert_str_eq(verify(&w, c, &r), "fail");
		free(c);
		/* d= changed to another domain with the same key */
		c = replace(out, "d=example.com", "d=example.org");
		struct zrec z2[] = {{"sel._domainkey.example.org", DNS_OK, {w.record, NULL}}};
		test_verify(NULL, z2, 1, c, 0, &r);
		ck_assert_int_eq(r.r[0], DKIM_FAIL);
		free(c);
		/* white space: relaxed forgives what it folds away, simple does not */
		c = replace(out, "Subject: Is dinner ready?", "Subject:   Is dinner\r\n ready?  ");
		ck_assert_str_eq(verify(&w, c, &r), hc ? "pass" : "fail");
		free(c);
		c = replace(out, "Are you hungry yet?\r\n", "Are   you hungry yet?  \t\r\n");
		ck_assert_str_eq(verify(&w, c, &r), hc ? "pass" : "fail");
		free(c);
		/* trailing empty lines are not signed */
		c = concat(out, "\r\n\r\n");
		ck_assert_str_eq(verify(&w, c, &r), "pass");
		free(c);
		/* an unsigned field added: still passes */
		c = concat("X-Spam: no\r\nReceived: from x by y; Fri, 11 Jul 2003 21:00:37 -0700\r\n", out);
		ck_assert_str_eq(verify(&w, c, &r), "pass");
		free(c);
		/* a field name's case: relaxed lowercases it, simple keeps it */
		c = replace(out, "\r\nSubject:", "\r\nSUBJECT:");
		ck_assert_str_eq(verify(&w, c, &r), hc ? "pass" : "fail");
		free(c);
		free(out);
	}
	world_free(&w);
}
END_TEST

/* RFC 6376 5.4.2: instances from the bottom; a name without one hashes as
 * nothing, and the instance added later breaks the signature. */
START_TEST(bottom_up)
{
	struct world w;
	world_init(&w, key_ed);
	const char *names[] = {"From", "Comments", "Comments", "Keywords"};
	w.so.fields = names;
	w.so.nfields = 4;
	w.so.flags = DKIM_SIGN_NO_OVERSIGN;
	char *m = concat("Comments: one\r\nComments: two\r\n", MSG);
	char *out = sign(&w, m);
	ck_assert_str_eq(h_of(out), "From:Comments:Comments");
	struct vres r;
	ck_assert_str_eq(verify(&w, out, &r), "pass");
	char *c = replace(out, "Comments: one\r\nComments: two", "Comments: two\r\nComments: one");
	ck_assert_str_eq(verify(&w, c, &r), "fail");
	free(c);
	/* a third Comments above: not covered, still passes (not From) */
	c = concat("Comments: three\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "pass");
	free(c);
	/* a third below the signed two: the bottom two are now other ones */
	c = replace(out, "Comments: two\r\n", "Comments: two\r\nComments: three\r\n");
	ck_assert_str_eq(verify(&w, c, &r), "fail");
	free(c);
	free(out);
	free(m);
	world_free(&w);
}
END_TEST

/* ---- the attacks of the DKIM issue ------------------------------------------ */

START_TEST(attacks)
{
	struct world w;
	world_init(&w, key_rsa1024);
	char *out = sign(&w, MSG);
	struct vres r;
	/* a From added above the signed one: over-signing */
	char *c = concat("From: CEO <ceo@example.com>\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "fail");
	free(c);
	/* the same below the signature field */
	c = replace(out, "\r\nFrom: Joe", "\r\nFrom: CEO <ceo@example.com>\r\nFrom: Joe");
	ck_assert_str_eq(verify(&w, c, &r), "fail");
	free(c);
	/* a Subject added on top */
	c = concat("Subject: URGENT: wire the money\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "fail");
	free(c);
	/* "From :" with white space before the colon, on top */
	c = concat("From : CEO <ceo@example.com>\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "fail");
	free(c);
	c = concat("From\t: CEO <ceo@example.com>\r\n", out);
	ck_assert_str_ne(verify(&w, c, &r), "pass");
	free(c);
	/* a garbage line mid-header: the header has a structural defect */
	c = replace(out, "\r\nTo: Suzie", "\r\nthis is not a field\r\nTo: Suzie");
	ck_assert_str_eq(verify(&w, c, &r), "permerror");
	ck_assert_ptr_nonnull(strstr(r.reason[0], "structural defect"));
	free(c);
	/* a From plus a garbage line on top: the header ends at that line, so
	 * the signature is not in it; the message is a permerror, not unsigned */
	c = concat("From: CEO <ceo@example.com>\r\ngarbage\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "");
	ck_assert_int_eq(r.verdict, DKIM_PERMERROR);
	ck_assert_str_eq(r.error, "line is not a header field: the header ends before it");
	free(c);
	/* a NUL and ", evil@z.test" appended to From */
	{
		const char *at = strstr(out, "joe@example.com>\r\n") + strlen("joe@example.com>");
		size_t a = (size_t)(at - out), n = strlen(out);
		const char add[] = "\0, evil@z.test";
		char *m = malloc(n + sizeof add);
		ck_assert_ptr_nonnull(m);
		memcpy(m, out, a);
		memcpy(m + a, add, sizeof add - 1);
		memcpy(m + a + sizeof add - 1, out + a, n - a + 1);
		struct dkim_verifier *v = dkim_verifier_new(NULL);
		ck_assert_ptr_nonnull(v);
		test_verify_with(v, w.zone, 1, m, n + sizeof add - 1, 0, &r);
		ck_assert_int_eq(r.r[0], DKIM_PERMERROR);
		ck_assert_ptr_nonnull(strstr(r.reason[0], "structural defect"));
		dkim_verifier_free(v);
		free(m);
	}
	/* a bare CR in a signed field */
	c = replace(out, "Is dinner ready?", "Is dinner\r ready?");
	ck_assert_str_eq(verify(&w, c, &r), "permerror");
	free(c);
	/* a continuation line first */
	c = concat(" continued\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "permerror");
	free(c);
	/* a control byte in a field name on top: the header ends there */
	c = concat("X-\001Bad: x\r\n", out);
	ck_assert_str_eq(verify(&w, c, &r), "");
	ck_assert_int_eq(r.verdict, DKIM_PERMERROR);
	free(c);
	free(out);

	/* the signer refuses such headers */
	enum dkim_sign_status st;
	const char *bad[] = {"From: a@example.com\r\ngarbage\r\n\r\nbody\r\n",
			     " first\r\nFrom: a@example.com\r\n\r\nbody\r\n",
			     "From: a@example.com\rx\r\n\r\nbody\r\n"};
	for (size_t i = 0; i < 3; i++) {
		ck_assert_ptr_null(test_sign(&w.so, bad[i], strlen(bad[i]), 0, &st));
		ck_assert_int_eq(st, DKIM_SIGN_EHEADER);
	}
	const char nul[] = "From: a@example.com\0x\r\n\r\nbody\r\n";
	ck_assert_ptr_null(test_sign(&w.so, nul, sizeof nul - 1, 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EHEADER);
	const char *nofrom = "To: a@example.com\r\n\r\nbody\r\n";
	ck_assert_ptr_null(test_sign(&w.so, nofrom, strlen(nofrom), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_ENOFROM);
	world_free(&w);
}
END_TEST

/* A signature field that cannot be read: permerror, never a crash; another
 * signature of the same message still counts. */
START_TEST(malformed_signatures)
{
	struct world w;
	world_init(&w, key_ed);
	char *out = sign(&w, MSG);
	struct vres r;
	const char *bad[] = {
		"DKIM-Signature: v=1; a=rsa-sha256\r\n",
		"DKIM-Signature:\r\n",
		"DKIM-Signature: ;;;\r\n",
		"DKIM-Signature: v=1; v=1; a=ed25519-sha256; d=example.com; s=sel; h=from; "
		"bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=aGVsbG8=\r\n",
		"DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; h=from; "
		"bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=!!!!\r\n",
		"DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; h=from; "
		"bh=2jUSOH9NhtVG; b=aGVsbG8=\r\n",
		"DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; h=from; "
		"bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=aGVsbG8=\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *c = concat(bad[i], out);
		verify(&w, c, &r);
		ck_assert_uint_eq(r.n, 2);
		ck_assert_msg(r.r[0] == (i == 6 ? DKIM_FAIL : DKIM_PERMERROR), "case %zu: %s", i, r.reason[0]);
		ck_assert_int_eq(r.r[1], DKIM_PASS);
		ck_assert_int_eq(r.verdict, DKIM_PASS);
		free(c);
	}
	/* a 64 KB signature field: refused by the header limit or read; no pass */
	size_t big = 70000;
	char *c = malloc(big + strlen(out) + 200);
	ck_assert_ptr_nonnull(c);
	strcpy(c, "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; h=from; "
		  "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=");
	size_t at = strlen(c);
	for (size_t i = 0; i < big; i++)
		c[at + i] = i % 77 == 76 ? ' ' : 'A';
	strcpy(c + at + big, "=\r\n");
	strcat(c, out);
	verify(&w, c, &r);
	ck_assert_int_ne(r.verdict, DKIM_PASS);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_int_ne(r.r[i], DKIM_PASS);
	free(c);
	free(out);
	world_free(&w);
}
END_TEST

/* ---- keys and DNS -------------------------------------------------------------- */

START_TEST(dns_and_keys)
{
	struct world w;
	world_init(&w, key_rsa1024);
	char *out = sign(&w, MSG);
	struct vres r;
	const char *name = "sel._domainkey.example.com";
	char *p = strstr(w.record, "p=");
	char rec[2000];
	struct {
		enum dns_status st;
		const char *txt[2];
		enum dkim_result want;
		const char *reason;
	} cases[] = {
		{DNS_TIMEOUT, {0}, DKIM_TEMPERROR, "the key's DNS query timed out"},
		{DNS_SERVFAIL, {0}, DKIM_TEMPERROR, "the key's DNS query failed (SERVFAIL)"},
		{DNS_ERROR, {0}, DKIM_TEMPERROR,
		 "the key's DNS query failed (refused, unreachable or a malformed answer)"},
		{DNS_NXDOMAIN, {0}, DKIM_PERMERROR, "no key for the signature (no TXT record)"},
		{DNS_NODATA, {0}, DKIM_PERMERROR, "no key for the signature (no TXT record)"},
		{DNS_OK, {"v=DKIM1; p="}, DKIM_PERMERROR, "the key is revoked (empty p=)"},
		{DNS_OK, {"v=spf1 -all", NULL}, DKIM_PERMERROR, NULL},
		{DNS_OK, {"v=spf1 -all", w.record}, DKIM_PASS, NULL},
		{DNS_OK, {"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
		 DKIM_PERMERROR, "the key's type (k=) does not fit the algorithm (a=)"},
		{DNS_OK, {rec}, DKIM_PERMERROR, "the key does not allow the signature's hash (h=)"},
	};
	snprintf(rec, sizeof rec, "v=DKIM1; h=sha1; %s", p);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct zrec z = {name, cases[i].st, {cases[i].txt[0], cases[i].txt[1]}};
		test_verify(NULL, &z, 1, out, 0, &r);
		ck_assert_msg(r.r[0] == cases[i].want, "case %zu: %s", i, r.reason[0]);
		if (cases[i].reason)
			ck_assert_str_eq(r.reason[0], cases[i].reason);
		ck_assert_int_eq(r.verdict, cases[i].want);
	}
	/* t=y: passes, reported as testing */
	snprintf(rec, sizeof rec, "v=DKIM1; t=y; %s", p);
	struct zrec z = {name, DNS_OK, {rec}};
	test_verify(NULL, &z, 1, out, 0, &r);
	ck_assert_int_eq(r.r[0], DKIM_PASS);
	ck_assert_int_eq(r.testing[0], 1);
	/* the bare RSAPublicKey form: p= without the SubjectPublicKeyInfo wrapper */
	{
		struct mime_buf der = {0}, b64 = {0};
		ck_assert_int_eq(dkim_base64(p + 2, strlen(p + 2), &der), MIME_OK);
		/* the SubjectPublicKeyInfo of an RSA key: the BIT STRING holds the
		 * RSAPublicKey after its 22-byte prefix for 1024-bit keys */
		ck_assert_uint_gt(der.len, 22);
		ck_assert_int_eq(mime_base64_encode_all(der.data + 22, der.len - 22, MIME_BASE64_NOWRAP, &b64),
				 MIME_OK);
		snprintf(rec, sizeof rec, "v=DKIM1; p=%.*s", (int)b64.len, b64.data);
		test_verify(NULL, &z, 1, out, 0, &r);
		ck_assert_msg(r.r[0] == DKIM_PASS, "RSAPublicKey: %s", r.reason[0]);
		mime_buf_free(&der);
		mime_buf_free(&b64);
	}
	/* t=s: i= must be in d= itself */
	free(out);
	w.so.auid = "joe@sub.example.com";
	out = sign(&w, MSG);
	snprintf(rec, sizeof rec, "v=DKIM1; t=s; %s", p);
	test_verify(NULL, &z, 1, out, 0, &r);
	ck_assert_int_eq(r.r[0], DKIM_PERMERROR);
	ck_assert_str_eq(r.reason[0], "the key says t=s and i= is below d=");
	free(out);
	world_free(&w);

	/* RSA under 1024 bits fails (RFC 8301), unless asked for */
	world_init(&w, key_rsa512);
	out = sign(&w, MSG);
	ck_assert_str_eq(verify(&w, out, &r), "fail");
	ck_assert_str_eq(r.reason[0], "an RSA key under 1024 bits (RFC 8301)");
	struct dkim_verify_options o = {.flags = DKIM_VERIFY_SHORT_KEYS};
	test_verify(&o, w.zone, 1, out, 0, &r);
	ck_assert_int_eq(r.r[0], DKIM_PASS);
	free(out);
	world_free(&w);
}
END_TEST

/* The question is asked once the signature field is read: before the body. */
START_TEST(early_question)
{
	struct world w;
	world_init(&w, key_ed);
	char *out = sign(&w, MSG);
	struct dkim_verifier *v = dkim_verifier_new(NULL);
	ck_assert_ptr_nonnull(v);
	const char *from = strstr(out, "\r\nFrom:") + 2;
	dkim_verifier_feed(v, out, (size_t)(from - out));
	struct dns_question q;
	ck_assert_int_eq(dkim_verifier_next(v, &q), DKIM_AWAIT);  /* the field may go on */
	dkim_verifier_feed(v, from, 1);
	ck_assert_int_eq(dkim_verifier_next(v, &q), DKIM_QUERY);
	ck_assert_str_eq(q.name, "sel._domainkey.example.com");
	ck_assert_int_eq(q.type, DNS_TXT);
	ck_assert_int_eq(dkim_verifier_next(v, &q), DKIM_AWAIT);
	dkim_verifier_feed(v, from + 1, strlen(from + 1));
	dkim_verifier_feed(v, NULL, 0);
	ck_assert_int_eq(dkim_verifier_next(v, &q), DKIM_AWAIT);  /* the answer is missing */
	struct dns_record rec = {w.record, strlen(w.record), 0};
	struct dns_answer a = {.id = q.id, .status = DNS_OK, .records = &rec, .count = 1};
	dkim_verifier_answer(v, &a);
	ck_assert_int_eq(dkim_verifier_next(v, &q), DKIM_DONE);
	ck_assert_int_eq(dkim_verifier_verdict(v), DKIM_PASS);
	/* an answer nobody asked for is ignored */
	a.id += 1000;
	dkim_verifier_answer(v, &a);
	ck_assert_int_eq(dkim_verifier_verdict(v), DKIM_PASS);
	dkim_verifier_free(v);
	free(out);
	world_free(&w);
}
END_TEST

/* ---- the clock and l= ---------------------------------------------------------- */

START_TEST(times)
{
	struct world w;
	world_init(&w, key_ed);
	w.so.now = 1000000;
	w.so.expire = 100;
	char *out = sign(&w, MSG);
	struct vres r;
	struct {
		int64_t now;
		enum dkim_result want;
	} cases[] = {{0, DKIM_PASS}, {1000000, DKIM_PASS}, {1000099, DKIM_PASS}, {1000101, DKIM_PERMERROR},
		     {999800, DKIM_PASS}, {999000, DKIM_PERMERROR}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct dkim_verify_options o = {.now = cases[i].now};
		test_verify(&o, w.zone, 1, out, 0, &r);
		ck_assert_msg(r.r[0] == cases[i].want, "now %lld: %s", (long long)cases[i].now, r.reason[0]);
	}
	/* an expired signature asks no question */
	struct dkim_verify_options o = {.now = 2000000};
	test_verify(&o, w.zone, 1, out, 0, &r);
	ck_assert_uint_eq(r.questions, 0);
	free(out);
	world_free(&w);
}
END_TEST

START_TEST(body_length)
{
	struct world w;
	world_init(&w, key_ed);
	w.so.flags = DKIM_SIGN_BODY_LENGTH;
	char *out = sign(&w, MSG);
	ck_assert_ptr_nonnull(strstr(out, " l="));
	struct vres r;
	ck_assert_str_eq(verify(&w, out, &r), "pass");
	ck_assert_int_eq(r.has_length[0], 1);
	ck_assert_str_eq(r.reason[0], "");
	/* text appended below the signed length: passes, reported partial */
	char *c = concat(out, "P.S. click here\r\n");
	ck_assert_str_eq(verify(&w, c, &r), "pass");
	ck_assert_str_eq(r.reason[0], "the signature covers only the first l= octets of the body");
	free(c);
	/* a body shorter than l= */
	c = replace(out, "Joe.\r\n", "");
	ck_assert_str_eq(verify(&w, c, &r), "permerror");
	ck_assert_str_eq(r.reason[0], "l= is longer than the body");
	free(c);
	free(out);
	/* never by default */
	w.so.flags = 0;
	out = sign(&w, MSG);
	ck_assert_ptr_null(strstr(out, " l="));
	free(out);
	world_free(&w);
}
END_TEST

/* ---- several signatures ------------------------------------------------------ */

START_TEST(several)
{
	struct world a, b;
	world_init(&a, key_ed);
	world_init(&b, key_rsa2048);
	b.so.selector = "rsa";
	char *one = sign(&a, MSG);
	char *two = sign(&b, one);
	struct zrec z[] = {a.zone[0], {"rsa._domainkey.example.com", DNS_OK, {b.record, NULL}}};
	struct vres r;
	char buf[100];
	test_verify(NULL, z, 2, two, 0, &r);
	ck_assert_str_eq(test_results(&r, buf, sizeof buf), "pass,pass");
	ck_assert_uint_eq(r.questions, 2);
	ck_assert_uint_lt(r.line[0], r.line[1]);
	/* one key cannot be fetched: the other one passes the message */
	z[1].status = DNS_TIMEOUT;
	test_verify(NULL, z, 2, two, 0, &r);
	ck_assert_str_eq(test_results(&r, buf, sizeof buf), "temperror,pass");
	ck_assert_int_eq(r.verdict, DKIM_PASS);
	z[0].status = DNS_SERVFAIL;
	test_verify(NULL, z, 2, two, 0, &r);
	ck_assert_int_eq(r.verdict, DKIM_TEMPERROR);
	z[0].status = z[1].status = DNS_OK;
	/* the body changed: both fail */
	char *c = replace(two, "hungry", "thirsty");
	test_verify(NULL, z, 2, c, 0, &r);
	ck_assert_str_eq(test_results(&r, buf, sizeof buf), "fail,fail");
	ck_assert_int_eq(r.verdict, DKIM_FAIL);
	free(c);
	/* at most max_signatures are checked */
	struct dkim_verify_options o = {.max_signatures = 1};
	test_verify(&o, z, 2, two, 0, &r);
	ck_assert_str_eq(test_results(&r, buf, sizeof buf), "pass,neutral");
	ck_assert_uint_eq(r.questions, 1);

	/* two signatures by one key: one question; the answer, given before the
	 * second signature is read, counts for both (a found bug: the second
	 * one was reported as verified without its crypto being checked) */
	{
		struct dkim_sign_options so = a.so;
		so.header_canon = so.body_canon = DKIM_SIMPLE;
		so.canon_set = 1;
		enum dkim_sign_status st;
		char *again = test_sign(&so, one, strlen(one), 0, &st);
		ck_assert_ptr_nonnull(again);
		for (size_t step = 0; step < 3; step++) {
			test_verify(NULL, a.zone, 1, again, step, &r);
			ck_assert_str_eq(test_results(&r, buf, sizeof buf), "pass,pass");
			ck_assert_uint_eq(r.questions, 1);
		}
		struct zrec none = {"nothing.example", DNS_OK, {NULL, NULL}};
		for (size_t step = 0; step < 3; step++) {
			test_verify(NULL, &none, 1, again, step, &r);
			ck_assert_str_eq(test_results(&r, buf, sizeof buf), "permerror,permerror");
		}
		struct zrec other = {"sel._domainkey.example.com", DNS_OK, {b.record, NULL}};
		for (size_t step = 0; step < 3; step++) {
			test_verify(NULL, &other, 1, again, step, &r);
			ck_assert_str_eq(test_results(&r, buf, sizeof buf), "permerror,permerror");
		}
		free(again);
	}

	/* every question asked before any answer, answered last-first */
	struct dkim_verifier *v = dkim_verifier_new(NULL);
	ck_assert_ptr_nonnull(v);
	dkim_verifier_feed(v, two, strlen(two));
	dkim_verifier_feed(v, NULL, 0);
	struct dns_question q[2];
	ck_assert_int_eq(dkim_verifier_next(v, &q[0]), DKIM_QUERY);
	ck_assert_int_eq(dkim_verifier_next(v, &q[1]), DKIM_QUERY);
	ck_assert_int_eq(dkim_verifier_next(v, &q[1 - 1 + 1]), DKIM_AWAIT);
	test_answer(v, z, 2, &q[1]);
	ck_assert_int_eq(dkim_verifier_next(v, &q[0 + 1]), DKIM_AWAIT);
	ck_assert_int_eq(dkim_verifier_next(v, &q[1]), DKIM_AWAIT);
	test_answer(v, z, 2, &q[0]);
	ck_assert_int_eq(dkim_verifier_next(v, &q[1]), DKIM_DONE);
	test_collect(v, &r);
	ck_assert_str_eq(test_results(&r, buf, sizeof buf), "pass,pass");
	dkim_verifier_free(v);
	free(one);
	free(two);
	world_free(&a);
	world_free(&b);
}
END_TEST

/* One verifier, many messages: each result as if the verifier were new. */
START_TEST(lifecycle)
{
	struct world w;
	world_init(&w, key_ed);
	char *good = sign(&w, MSG);
	char *bad = replace(good, "hungry", "angry");
	char *garbage = concat("From: x@example.com\r\nnot a field\r\n", good);
	const char *unsigned_msg = MSG;
	struct dkim_verifier *v = dkim_verifier_new(NULL);
	ck_assert_ptr_nonnull(v);
	struct vres r;
	char buf[100];
	const char *msgs[] = {good, bad, garbage, unsigned_msg, good, garbage, good};
	const char *want[] = {"pass", "fail", "", "", "pass", "", "pass"};
	enum dkim_result verdict[] = {DKIM_PASS, DKIM_FAIL, DKIM_PERMERROR, DKIM_NONE, DKIM_PASS,
				      DKIM_PERMERROR, DKIM_PASS};
	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) {
		test_verify_with(v, w.zone, 1, msgs[i], strlen(msgs[i]), i % 3, &r);
		ck_assert_str_eq(test_results(&r, buf, sizeof buf), want[i]);
		ck_assert_int_eq(r.verdict, verdict[i]);
	}
	/* a message cut in its header */
	test_verify_with(v, w.zone, 1, good, 40, 0, &r);
	ck_assert_int_ne(r.verdict, DKIM_PASS);
	test_verify_with(v, w.zone, 1, good, strlen(good), 0, &r);
	ck_assert_int_eq(r.verdict, DKIM_PASS);
	dkim_verifier_free(v);
	free(good);
	free(bad);
	free(garbage);
	world_free(&w);
}
END_TEST

/* The header limits hold: a header over max_header fails every signature
 * (permerror), without holding more. */
START_TEST(limits)
{
	struct world w;
	world_init(&w, key_ed);
	char *out = sign(&w, MSG);
	/* 300 KB of fields above the signature */
	size_t n = 300000, at = 0;
	char *pad = malloc(n + 1);
	ck_assert_ptr_nonnull(pad);
	while (at + 300 < n) {
		memcpy(pad + at, "X-Pad: ", 7);
		memset(pad + at + 7, 'x', 200);
		memcpy(pad + at + 207, "\r\n", 2);
		at += 209;
	}
	pad[at] = 0;
	char *c = concat(out, "");
	char *big = concat(pad, c);
	struct dkim_verify_options o = {.header = {.max_header = 100000}};
	struct vres r;
	test_verify(&o, w.zone, 1, big, 0, &r);
	ck_assert_int_ne(r.verdict, DKIM_PASS);
	ck_assert_str_ne(r.error, "");
	/* the default limits take it */
	test_verify(NULL, w.zone, 1, big, 0, &r);
	ck_assert_int_eq(r.verdict, DKIM_PASS);
	free(pad);
	free(c);
	free(big);
	free(out);
	/* the signer: bad options at once */
	enum dkim_sign_status st;
	struct dkim_sign_options so = w.so;
	so.domain = "exa mple.com";
	ck_assert_ptr_null(test_sign(&so, MSG, strlen(MSG), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EOPTIONS);
	so = w.so;
	so.alg = DKIM_RSA_SHA256;
	so.alg_set = 1;
	ck_assert_ptr_null(test_sign(&so, MSG, strlen(MSG), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EOPTIONS);
	so = w.so;
	so.alg = DKIM_RSA_SHA1;
	so.alg_set = 1;
	ck_assert_ptr_null(test_sign(&so, MSG, strlen(MSG), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EOPTIONS);
	const char *nofrom[] = {"To", "Subject"};
	so = w.so;
	so.fields = nofrom;
	so.nfields = 2;
	ck_assert_ptr_null(test_sign(&so, MSG, strlen(MSG), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EOPTIONS);
	const char *badname[] = {"From", "X;y=1"};
	so.fields = badname;
	ck_assert_ptr_null(test_sign(&so, MSG, strlen(MSG), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EOPTIONS);
	so = w.so;
	so.auid = "no-at-sign";
	ck_assert_ptr_null(test_sign(&so, MSG, strlen(MSG), 0, &st));
	ck_assert_int_eq(st, DKIM_SIGN_EOPTIONS);
	world_free(&w);
}
END_TEST

Suite *suite_verify(void)
{
	Suite *s = suite_create("dkim-verify");
	TCase *t = tcase_create("verify");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, sign_verify_all);
	tcase_add_test(t, field_form);
	tcase_add_test(t, lf_form);
	tcase_add_test(t, changes);
	tcase_add_test(t, bottom_up);
	tcase_add_test(t, attacks);
	tcase_add_test(t, malformed_signatures);
	tcase_add_test(t, dns_and_keys);
	tcase_add_test(t, early_question);
	tcase_add_test(t, times);
	tcase_add_test(t, body_length);
	tcase_add_test(t, several);
	tcase_add_test(t, lifecycle);
	tcase_add_test(t, limits);
	suite_add_tcase(s, t);
	return s;
}
