/* RFC 6376 3.2 tag lists, the DKIM-Signature's tags (3.5) and key
 * records (3.6.1, RFC 8463 4): what is read, and what is refused with a
 * reason. */
#include <check.h>
#include <string.h>

#include "dkim-int.h"
#include "util.h"

static size_t tags(const char *s, struct dkim_tag *t, const char **err)
{
	size_t nt = 99;
	*err = NULL;
	enum mime_status r = dkim_tags_parse(s, strlen(s), t, &nt, err);
	return r == MIME_OK ? nt : (size_t)-1;
}

static int tag_is(const struct dkim_tag *t, size_t nt, const char *name, const char *value)
{
	const struct dkim_tag *g = dkim_tag_get(t, nt, name);
	return g && g->value_len == strlen(value) && !memcmp(g->value, value, g->value_len);
}

START_TEST(tag_lists)
{
	struct dkim_tag t[DKIM_MAX_TAGS];
	const char *err;
	ck_assert_uint_eq(tags("a=1; b=2", t, &err), 2);
	ck_assert(tag_is(t, 2, "a", "1") && tag_is(t, 2, "b", "2"));
	/* folding white space around names, '=' and values; a final ';' */
	ck_assert_uint_eq(tags(" a = x y \r\n\tz ;\r\n b\t=\r\n 2;", t, &err), 2);
	ck_assert(tag_is(t, 2, "a", "x y \r\n\tz"));
	ck_assert(tag_is(t, 2, "b", "2"));
	/* an empty value */
	ck_assert_uint_eq(tags("p=; v=DKIM1", t, &err), 2);
	ck_assert(tag_is(t, 2, "p", ""));
	ck_assert_uint_eq(tags("", t, &err), 0);
	ck_assert_uint_eq(tags(" ; ", t, &err), (size_t)-1);
	/* names are case-sensitive (3.2): A and a are two tags */
	ck_assert_uint_eq(tags("a=1; A=2", t, &err), 2);
	ck_assert_ptr_null(dkim_tag_get(t, 2, "c"));
	/* refused, each with its reason */
	ck_assert_uint_eq(tags("a=1; a=2", t, &err), (size_t)-1);
	ck_assert_str_eq(err, "a tag given twice");
	ck_assert_uint_eq(tags("1a=1", t, &err), (size_t)-1);
	ck_assert_str_eq(err, "tag name does not start with a letter");
	ck_assert_uint_eq(tags("a 1", t, &err), (size_t)-1);
	ck_assert_str_eq(err, "no '=' after a tag name");
	ck_assert_uint_eq(tags("a=x\r\ny", t, &err), (size_t)-1);  /* a line break without WSP */
	ck_assert_uint_eq(tags("a=x\x01", t, &err), (size_t)-1);
	ck_assert_uint_eq(tags("a=\xc3\xa9", t, &err), (size_t)-1);
	ck_assert_str_eq(err, "a byte that no tag value holds");
	ck_assert_uint_eq(tags("a=x\ry", t, &err), (size_t)-1);
	/* at most DKIM_MAX_TAGS tags */
	char many[2000] = "";
	for (int i = 0; i <= DKIM_MAX_TAGS; i++)
		sprintf(many + strlen(many), "t%d=1;", i);
	ck_assert_uint_eq(tags(many, t, &err), (size_t)-1);
	ck_assert_str_eq(err, "too many tags");
}
END_TEST

START_TEST(base64_strict)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(dkim_base64("aGVs\r\n bG8=", 11, &b), MIME_OK);
	ck_assert_uint_eq(b.len, 5);
	ck_assert(!memcmp(b.data, "hello", 5));
	mime_buf_free(&b);
	ck_assert_int_eq(dkim_base64("aGVsbG8", 7, &b), MIME_EINVAL);  /* no padding */
	mime_buf_free(&b);
	ck_assert_int_eq(dkim_base64("aGV*bG8=", 8, &b), MIME_EINVAL);
	mime_buf_free(&b);
	ck_assert_int_eq(dkim_base64("aG=sbG8=", 8, &b), MIME_EINVAL);
	mime_buf_free(&b);
	uint64_t v;
	ck_assert_int_eq(dkim_decimal("1528637909", 10, 12, &v), 0);
	ck_assert_uint_eq(v, 1528637909u);
	ck_assert_int_eq(dkim_decimal("", 0, 12, &v), -1);
	ck_assert_int_eq(dkim_decimal("12a", 3, 12, &v), -1);
	ck_assert_int_eq(dkim_decimal("1234567890123", 13, 12, &v), -1);
	ck_assert_int_eq(dkim_decimal("-1", 2, 12, &v), -1);
	/* l= may be up to 76 digits: saturates instead of wrapping */
	ck_assert_int_eq(dkim_decimal("99999999999999999999999", 23, 76, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

#define BH "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="

static const char *sig_err(const char *value)
{
	struct dkim_sig s;
	const char *err = NULL;
	enum mime_status r = dkim_sig_parse(value, strlen(value), 0, &s, &err);
	if (r == MIME_OK) {
		dkim_sig_free(&s);
		return "ok";
	}
	ck_assert_int_eq(r, MIME_EINVAL);
	ck_assert_ptr_nonnull(err);
	return err;
}

START_TEST(signature_tags)
{
	struct dkim_sig s;
	const char *err = NULL;
	const char *v = "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel;\r\n"
			" h=From : To:\r\n subject; i=joe@sub.example.com; l=100; q=dns/txt;\r\n"
			" t=1000; x=2000; " BH "; b=aGVs\r\n bG8=";
	ck_assert_int_eq(dkim_sig_parse(v, strlen(v), 16, &s, &err), MIME_OK);
	ck_assert_int_eq(s.alg, DKIM_RSA_SHA256);
	ck_assert_int_eq(s.hcanon, DKIM_RELAXED);
	ck_assert_int_eq(s.bcanon, DKIM_SIMPLE);
	ck_assert_str_eq(s.d, "example.com");
	ck_assert_str_eq(s.s, "sel");
	ck_assert_str_eq(s.i, "joe@sub.example.com");
	ck_assert_uint_eq(s.nh, 3);
	ck_assert_str_eq(s.h[0], "From");
	ck_assert_str_eq(s.h[2], "subject");
	ck_assert(s.has_l && s.l == 100 && s.has_t && s.t == 1000 && s.has_x && s.x == 2000);
	ck_assert_str_eq(s.b_text, "aGVsbG8=");
	/* the b= value's place in the field: 16 + its offset in the value */
	const char *b = strstr(v, "b=aGVs") + 2;
	ck_assert_uint_eq(s.b_from, 16 + (size_t)(b - v));
	ck_assert_uint_eq(s.b_to, 16 + strlen(v));
	dkim_sig_free(&s);

	/* c= defaults to simple/simple, and c=relaxed means relaxed/simple */
	ck_assert_str_eq(sig_err("v=1; a=ed25519-sha256; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="), "ok");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; c=relaxed; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="),
			 "ok");
	/* each required tag */
	ck_assert_str_eq(sig_err("a=rsa-sha256; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="), "no v= tag");
	ck_assert_str_eq(sig_err("v=1; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="), "no a= tag");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " BH), "no b= tag");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; b=aGVsbG8="), "no bh= tag");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; s=s; h=from; " BH "; b=aGVsbG8="), "no d= tag");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; " BH "; b=aGVsbG8="), "no h= tag");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; h=from; " BH "; b=aGVsbG8="), "no s= tag");
	/* each value refused */
	ck_assert_str_eq(sig_err("v=2; a=rsa-sha256; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="),
			 "v= is not 1");
	ck_assert_str_eq(sig_err("v=1; a=rsa-md5; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="),
			 "an algorithm (a=) this verifier does not know");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " BH "; b=aGVsbG8"),
			 "b= is not base64");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " BH "; b="), "b= is not base64");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; bh=aGVsbG8=; b=aGVsbG8="),
			 "bh= is not a base64 hash of the algorithm's length");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; c=fancy/simple; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="),
			 "a canonicalisation (c=) this verifier does not know");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x..test; s=s; h=from; " BH "; b=aGVsbG8="),
			 "d= is not a domain name");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=a/b; h=from; " BH "; b=aGVsbG8="),
			 "s= is not a selector");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from::to; " BH "; b=aGVsbG8="),
			 "h= is not a list of field names");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=to:subject; " BH "; b=aGVsbG8="),
			 "From is not signed (h=)");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; i=joe@evil.test; " BH "; b=aGVsbG8="),
			 "i= is not in the domain of d=");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; i=joe@ax.test; " BH "; b=aGVsbG8="),
			 "i= is not in the domain of d=");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; i=@X.TEST; " BH "; b=aGVsbG8="), "ok");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; l=-1; " BH "; b=aGVsbG8="),
			 "l= is not a decimal");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; q=http; " BH "; b=aGVsbG8="),
			 "q= does not name dns/txt");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; t=x; " BH "; b=aGVsbG8="),
			 "t= is not a timestamp");
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha256; d=x.test; s=s; h=from; t=10; x=10; " BH "; b=aGVsbG8="),
			 "x= is not after t=");
	ck_assert_str_eq(sig_err("v=1; v=1; a=rsa-sha256; d=x.test; s=s; h=from; " BH "; b=aGVsbG8="),
			 "a tag given twice");
	/* an rsa-sha1 body hash is 20 octets */
	ck_assert_str_eq(sig_err("v=1; a=rsa-sha1; d=x.test; s=s; h=from; bh=qUqP5cyxm6YcTAhz05Hph5gvu9M=; "
				 "b=aGVsbG8="), "ok");
	/* a 64 KB value: refused or read, never more than the tags it has */
	static char big[70000];
	strcpy(big, "v=1; a=rsa-sha256; d=x.test; s=s; h=from; " BH "; z=");
	memset(big + strlen(big), 'A', 65536);
	strcat(big, "; b=aGVsbG8=");
	ck_assert_str_eq(sig_err(big), "ok");
}
END_TEST

static const char *key_err(const char *rec, struct dkim_pubkey *out)
{
	struct dkim_pubkey k;
	const char *err = NULL;
	enum mime_status r = dkim_pubkey_parse(rec, strlen(rec), &k, &err);
	if (r == MIME_OK) {
		if (out)
			*out = k;
		else
			dkim_pubkey_free(&k);
		return "ok";
	}
	ck_assert_int_eq(r, MIME_EINVAL);
	return err;
}

/* RFC 8463 A.2's keys */
#define ED_P "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RSA_P "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

START_TEST(key_records)
{
	struct dkim_pubkey k;
	ck_assert_str_eq(key_err("v=DKIM1; k=ed25519; " ED_P, &k), "ok");
	ck_assert(!k.rsa && k.sha256 && k.sha1 && !k.testing && !k.revoked);
	dkim_pubkey_free(&k);
	ck_assert_str_eq(key_err("v=DKIM1; k=rsa; " RSA_P, &k), "ok");
	ck_assert(k.rsa && k.bits == 1024);
	dkim_pubkey_free(&k);
	/* v= may be left out; k= defaults to rsa; h=, s=, t= lists */
	ck_assert_str_eq(key_err(RSA_P "; h=sha256; s=email; t=y:s", &k), "ok");
	ck_assert(k.rsa && k.sha256 && !k.sha1 && k.testing && k.strict);
	dkim_pubkey_free(&k);
	ck_assert_str_eq(key_err("h=sha1; s=*; t=x:y; " RSA_P, &k), "ok");
	ck_assert(k.sha1 && !k.sha256 && k.testing && !k.strict);
	dkim_pubkey_free(&k);
	/* unknown hash names are ignored, leaving none */
	ck_assert_str_eq(key_err("h=md5; " RSA_P, &k), "ok");
	ck_assert(!k.sha1 && !k.sha256);
	dkim_pubkey_free(&k);
	/* an empty p= is a revoked key */
	ck_assert_str_eq(key_err("v=DKIM1; p=", &k), "ok");
	ck_assert(k.revoked && !k.pkey);
	dkim_pubkey_free(&k);
	/* refused */
	ck_assert_str_eq(key_err("k=rsa; v=DKIM1; " RSA_P, NULL), "key record: v= is not DKIM1 first");
	ck_assert_str_eq(key_err("v=DKIM2; " RSA_P, NULL), "key record: v= is not DKIM1 first");
	ck_assert_str_eq(key_err("v=DKIM1; s=web; " RSA_P, NULL), "key record: not for email (s=)");
	ck_assert_str_eq(key_err("v=DKIM1; k=dsa; " RSA_P, NULL),
			 "key record: a key type (k=) this verifier does not know");
	ck_assert_str_eq(key_err("v=DKIM1; k=rsa", NULL), "key record: no p= tag");
	ck_assert_str_eq(key_err("v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQ", NULL),
			 "key record: p= is not a public key of its type");
	ck_assert_str_eq(key_err("v=DKIM1; p=MIGf*A0G", NULL), "key record: p= is not a public key of its type");
	/* an Ed25519 key declared as RSA, and an RSA key as Ed25519 */
	ck_assert_str_eq(key_err("v=DKIM1; " ED_P, NULL), "key record: p= is not a public key of its type");
	ck_assert_str_eq(key_err("v=DKIM1; k=ed25519; " RSA_P, NULL),
			 "key record: p= is not a public key of its type");
	/* an Ed25519 key of 31 or 33 bytes */
	ck_assert_str_eq(key_err("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUQ==", NULL),
			 "key record: p= is not a public key of its type");
	/* trailing bytes after the DER */
	ck_assert_str_eq(key_err("v=DKIM1; " RSA_P "AAAA", NULL), "key record: p= is not a public key of its type");
	ck_assert_str_eq(key_err("v=DKIM1; p=a; p=b", NULL), "a tag given twice");
}
END_TEST

/* The record dkim_key_record writes is one the parser reads, with the key. */
START_TEST(key_record_roundtrip)
{
	const char *pems[] = {key_rsa1024, key_rsa1024t, key_rsa2048, key_ed};
	unsigned bits[] = {1024, 1024, 2048, 256};
	for (size_t i = 0; i < 4; i++) {
		struct dkim_key *key = test_key(pems[i]);
		ck_assert_uint_eq(dkim_key_bits(key), bits[i]);
		ck_assert_int_eq(dkim_key_alg(key), i == 3 ? DKIM_ED25519_SHA256 : DKIM_RSA_SHA256);
		char *rec = test_record(key);
		struct dkim_pubkey k;
		ck_assert_str_eq(key_err(rec, &k), "ok");
		ck_assert_int_eq(k.rsa, i != 3);
		ck_assert_int_eq(EVP_PKEY_eq(k.pkey, dkim_key_pkey(key)), 1);
		dkim_pubkey_free(&k);
		free(rec);
		dkim_key_free(key);
	}
	/* not a key */
	struct dkim_key *k = NULL;
	const char *why = NULL;
	ck_assert_int_eq(dkim_key_from_pem("hello", 5, &k, &why), MIME_EINVAL);
	ck_assert_ptr_null(k);
	ck_assert_ptr_nonnull(why);
	/* a public key is not a private one */
	const char *pub = "-----BEGIN PUBLIC KEY-----\n"
			  "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
			  "-----END PUBLIC KEY-----\n";
	ck_assert_int_eq(dkim_key_from_pem(pub, strlen(pub), &k, &why), MIME_EINVAL);
}
END_TEST

Suite *suite_tags(void)
{
	Suite *s = suite_create("dkim-tags");
	TCase *t = tcase_create("tags");
	tcase_add_test(t, tag_lists);
	tcase_add_test(t, base64_strict);
	tcase_add_test(t, signature_tags);
	tcase_add_test(t, key_records);
	tcase_add_test(t, key_record_roundtrip);
	suite_add_tcase(s, t);
	return s;
}
