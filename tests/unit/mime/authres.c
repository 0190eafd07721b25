/* Authentication-Results (RFC 8601): the reader on the RFC's appendix B
 * and 2.7 examples, comments and CFWS wherever 2.2 allows them, quoted
 * strings with escapes, versions, none, malformed fields (each refused),
 * the printer, print/read round trips, and a 64 KB field of thousands of
 * results (linear time, one bounded block). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mime.h"

/* The parse as one line: "ID vN | method[/v]=result reason<..> ptype.prop<..> | ..."
 * ("| none" when there is no result). */
static void dump(struct mime_buf *o, const struct mime_authres *a)
{
	char n[32];
	mime_buf_puts(o, a->authserv_id);
	snprintf(n, sizeof n, " v%u", a->version);
	mime_buf_puts(o, n);
	if (a->nresults == 0)
		mime_buf_puts(o, " | none");
	for (size_t i = 0; i < a->nresults; i++) {
		const struct mime_authres_result *r = &a->results[i];
		mime_buf_puts(o, " | ");
		mime_buf_puts(o, r->method);
		if (mime_authres_method_version(a, i) != 1) {
			snprintf(n, sizeof n, "/%u", mime_authres_method_version(a, i));
			mime_buf_puts(o, n);
		}
		mime_buf_putc(o, '=');
		mime_buf_puts(o, r->result);
		if (r->reason) {
			mime_buf_puts(o, " reason<");
			mime_buf_puts(o, r->reason);
			mime_buf_putc(o, '>');
		}
		for (size_t k = 0; k < r->nprops; k++) {
			mime_buf_putc(o, ' ');
			mime_buf_puts(o, r->props[k].ptype);
			mime_buf_putc(o, '.');
			mime_buf_puts(o, r->props[k].name);
			mime_buf_putc(o, '<');
			mime_buf_puts(o, r->props[k].value);
			mime_buf_putc(o, '>');
		}
	}
}

/* Every string of a lies in its one block, no bigger than 16 bytes for each
 * byte of the field (and a little). */
static void check_block(const struct mime_authres *a, size_t len)
{
	const char *lo = (const char *)a, *hi = lo + 16 * len + 256;
#define IN(p) ck_assert((const char *)(p) >= lo && (const char *)(p) < hi)
	IN(a->authserv_id);
	for (size_t i = 0; i < a->nresults; i++) {
		const struct mime_authres_result *r = &a->results[i];
		IN(r);
		IN(r->method);
		IN(r->result);
		if (r->reason)
			IN(r->reason);
		for (size_t k = 0; k < r->nprops; k++) {
			IN(&r->props[k]);
			IN(r->props[k].ptype);
			IN(r->props[k].name);
			IN(r->props[k].value);
		}
	}
#undef IN
}

/* Read in, compare the dump; print it, read that back, same dump (method
 * versions other than 1 are not printed: they are left out of the second
 * comparison). */
static void check_ar(const char *in, const char *want)
{
	struct mime_authres *a = NULL, *b = NULL;
	struct mime_buf o = {0}, o2 = {0}, f = {0};
	int rc = mime_authres_parse(in, strlen(in), &a);
	ck_assert_msg(rc == 0, "parse %d: %s", rc, in);
	check_block(a, strlen(in));
	dump(&o, a);
	ck_assert_str_eq(o.data, want);
	ck_assert_int_eq(mime_authres_field(&f, a->authserv_id, a->results, a->nresults), 0);
	ck_assert(strncmp(f.data, "Authentication-Results:", 23) == 0);
	ck_assert(f.len >= 25 && strcmp(f.data + f.len - 2, "\r\n") == 0);
	ck_assert_msg(mime_authres_parse(f.data + 23, f.len - 23, &b) == 0, "reparse: %s", f.data);
	dump(&o2, b);
	mime_buf_reset(&o);
	/* the same, but the field version and method versions: not printed */
	struct mime_authres a1 = *a;
	a1.version = b->version;
	ck_assert_uint_eq(b->version, 1);
	for (size_t i = 0; i < b->nresults; i++)
		ck_assert_uint_eq(mime_authres_method_version(b, i), 1);
	if (a->version == 1) {
		int v1 = 1;
		for (size_t i = 0; i < a->nresults; i++)
			v1 &= mime_authres_method_version(a, i) == 1;
		if (v1) {
			dump(&o, &a1);
			ck_assert_str_eq(o2.data, o.data);
		}
	}
	mime_authres_free(a);
	mime_authres_free(b);
	mime_buf_free(&o);
	mime_buf_free(&o2);
	mime_buf_free(&f);
}

static void refuse(const char *in)
{
	struct mime_authres *a = (struct mime_authres *)1;
	int rc = mime_authres_parse(in, strlen(in), &a);
	ck_assert_msg(rc == MIME_EINVAL, "accepted (%d): %s", rc, in);
	ck_assert_ptr_null(a);
}

/* ---- RFC 8601 appendix B ------------------------------------------------- */

START_TEST(rfc8601_b)
{
	/* B.2 */
	check_ar(" example.org 1; none", "example.org v1 | none");
	/* B.3 */
	check_ar(" example.com;\r\n          spf=pass smtp.mailfrom=example.net",
		 "example.com v1 | spf=pass smtp.mailfrom<example.net>");
	/* B.4 */
	check_ar(" example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
		 "          spf=pass smtp.mailfrom=example.net",
		 "example.com v1 | auth=pass smtp.auth<sender@example.net>"
		 " | spf=pass smtp.mailfrom<example.net>");
	check_ar(" example.com; iprev=pass\r\n          policy.iprev=192.0.2.200",
		 "example.com v1 | iprev=pass policy.iprev<192.0.2.200>");
	/* B.5 */
	check_ar(" example.com;\r\n          dkim=pass (good signature) header.d=example.com",
		 "example.com v1 | dkim=pass header.d<example.com>");
	check_ar(" example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
		 "          spf=fail smtp.mailfrom=example.com",
		 "example.com v1 | auth=pass smtp.auth<sender@example.com>"
		 " | spf=fail smtp.mailfrom<example.com>");
	/* B.6 */
	check_ar(" example.com;\r\n      dkim=pass reason=\"good signature\"\r\n"
		 "        header.i=@mail-router.example.net;\r\n"
		 "      dkim=fail reason=\"bad signature\"\r\n"
		 "        header.i=@newyork.example.com",
		 "example.com v1 | dkim=pass reason<good signature> header.i<@mail-router.example.net>"
		 " | dkim=fail reason<bad signature> header.i<@newyork.example.com>");
	check_ar(" example.net;\r\n      dkim=pass (good signature) header.i=@newyork.example.com",
		 "example.net v1 | dkim=pass header.i<@newyork.example.com>");
	/* B.7 */
	check_ar(" foo.example.net (foobar) 1 (baz);\r\n"
		 "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
		 "      policy (A dot can go here) . (like that) expired\r\n"
		 "      (this surprised me) = (as I wasn't expecting it) 1362471462",
		 "foo.example.net v1 | dkim=fail policy.expired<1362471462>");
	/* 2.7.6: an unknown method and ptype, kept */
	check_ar(" example.com;\r\n          foo=pass bar.baz=blob (2 of 3 tests OK)",
		 "example.com v1 | foo=pass bar.baz<blob>");
	/* with the final line break */
	check_ar(" example.org 1; none\r\n", "example.org v1 | none");
	check_ar(" example.org; spf=pass smtp.mailfrom=example.net\n",
		 "example.org v1 | spf=pass smtp.mailfrom<example.net>");
}
END_TEST

/* ---- real fields --------------------------------------------------------- */

START_TEST(real_fields)
{
	/* Gmail */
	check_ar(" mx.google.com;\r\n       dkim=pass header.i=@email.example.com header.s=20111006"
		 " header.b=URn9MW+F;\r\n       spf=pass (google.com: domain of foo@b.email.example.com"
		 " designates 1.2.3.4 as permitted sender) smtp.mailfrom=foo@b.email.example.com;\r\n"
		 "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=email.example.com",
		 "mx.google.com v1 | dkim=pass header.i<@email.example.com> header.s<20111006>"
		 " header.b<URn9MW+F> | spf=pass smtp.mailfrom<foo@b.email.example.com>"
		 " | dmarc=pass header.from<email.example.com>");
	/* OpenDKIM, OpenDMARC, with a quoted authserv-id and header.b */
	check_ar(" \"mx.example.org\"; dkim=pass (2048-bit key; unprotected)"
		 " header.d=example.com header.i=@example.com header.b=\"Xc3/+ab1\"",
		 "mx.example.org v1 | dkim=pass header.d<example.com> header.i<@example.com>"
		 " header.b<Xc3/+ab1>");
	check_ar(" mx.example.org; dmarc=fail (p=reject dis=none) header.from=example.com",
		 "mx.example.org v1 | dmarc=fail header.from<example.com>");
	/* ember's own dkim --ar */
	check_ar(" mx.example.org; dkim=pass header.d=example.com header.s=sel\r\n"
		 " header.a=rsa-sha256 header.b=\"AbC/dE+f\"",
		 "mx.example.org v1 | dkim=pass header.d<example.com> header.s<sel>"
		 " header.a<rsa-sha256> header.b<AbC/dE+f>");
	/* a ptype and names as written */
	check_ar(" MX.Example.ORG; DKIM=Pass Header.D=Example.COM",
		 "MX.Example.ORG v1 | DKIM=Pass Header.D<Example.COM>");
	/* several results, no space after ";" */
	check_ar(" mx;spf=none;dkim=none;dmarc=none",
		 "mx v1 | spf=none | dkim=none | dmarc=none");
	/* arc, with its comment of sub-results */
	check_ar(" mx.example.org; arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass"
		 " dkdomain=example.com dmarc=pass fromdomain=example.com) smtp.remote-ip=192.0.2.1",
		 "mx.example.org v1 | arc=pass smtp.remote-ip<192.0.2.1>");
}
END_TEST

/* ---- comments, CFWS, quoted strings ------------------------------------- */

START_TEST(comments_everywhere)
{
	const char *want = "mx.example.org v1 | dkim=pass reason<ok> header.d<example.com>"
			   " | spf=pass smtp.mailfrom<a@example.com>";
	check_ar("(c0)mx.example.org(c1);(c2)dkim(c3)=(c4)pass(c5)reason(c6)=(c7)ok(c8)"
		 "header(c9).(c10)d(c11)=(c12)example.com(c13);(c14)spf=pass (c15)"
		 "smtp.mailfrom=(c16)a@example.com(c17)", want);
	/* nested, with escapes and parentheses inside */
	check_ar(" mx.example.org (a (nested (comment)) \\) \\( here); dkim=pass (x(y)z)"
		 " reason=ok header.d=example.com; spf=pass smtp.mailfrom=a@example.com ((()))",
		 want);
	/* folded everywhere, tabs, bare LF folding */
	check_ar("\r\n\tmx.example.org\r\n\t;\r\n dkim\r\n =\r\n pass\r\n reason\r\n =\r\n ok"
		 "\r\n header\r\n .\r\n d\r\n =\r\n example.com\n\t;\n spf=pass smtp.mailfrom=\n\t"
		 "a@example.com\r\n ", want);
	/* comments around the version and the method version */
	check_ar(" mx (c) 1 (c); dkim (c) / (c) 1 (c) = pass", "mx v1 | dkim=pass");
	/* a comment in the none case */
	check_ar(" mx (c); (c) none (c)", "mx v1 | none");
	/* a comment right before "@" of the local part (RFC 5322 dot-atom CFWS) */
	check_ar(" mx; auth=pass smtp.auth=sender (c) @example.net",
		 "mx v1 | auth=pass smtp.auth<sender@example.net>");
	/* 64 levels of nesting are a comment; 65 are not */
	char deep[300];
	strcpy(deep, " mx; dkim=pass ");
	for (int i = 0; i < 64; i++)
		strcat(deep, "(");
	for (int i = 0; i < 64; i++)
		strcat(deep, ")");
	check_ar(deep, "mx v1 | dkim=pass");
	strcpy(deep, " mx; dkim=pass ");
	for (int i = 0; i < 65; i++)
		strcat(deep, "(");
	for (int i = 0; i < 65; i++)
		strcat(deep, ")");
	refuse(deep);
}
END_TEST

START_TEST(quoted_strings)
{
	/* escapes resolved */
	check_ar(" mx; dkim=fail reason=\"bad \\\"sig\\\" \\\\ here\"",
		 "mx v1 | dkim=fail reason<bad \"sig\" \\ here>");
	/* folding in a quoted string: the line break goes, the white space stays */
	check_ar(" mx; dkim=fail reason=\"body hash\r\n did not verify\"",
		 "mx v1 | dkim=fail reason<body hash did not verify>");
	/* empty values */
	check_ar(" mx; dkim=fail reason=\"\" header.b=\"\"", "mx v1 | dkim=fail reason<> header.b<>");
	/* a quoted authserv-id with a space, and ';' '=' inside values */
	check_ar(" \"mx example; org\"; x=pass reason=\"a=b; c\" p.q=\"(not a comment)\"",
		 "mx example; org v1 | x=pass reason<a=b; c> p.q<(not a comment)>");
	/* a quoted local-part: kept as written */
	check_ar(" mx; auth=pass smtp.auth=\"john doe\"@example.net",
		 "mx v1 | auth=pass smtp.auth<\"john doe\"@example.net>");
	check_ar(" mx; auth=pass smtp.auth=\"a\\\"b\"@example.net",
		 "mx v1 | auth=pass smtp.auth<\"a\\\"b\"@example.net>");
	/* found by fuzz/authres: "@" quoted, a property right after it; the
	 * printer once wrote it bare */
	check_ar(" \"-\xffple\"; x=p reason.q=\"@\"reas.v=ze.e",
		 "-\xffple v1 | x=p reason.q<@> reas.v<ze.e>");
	/* dot-atom local parts with atext that a token does not have */
	check_ar(" mx; spf=pass smtp.mailfrom=a/b=c?d@example.net",
		 "mx v1 | spf=pass smtp.mailfrom<a/b=c?d@example.net>");
	/* UTF-8 (RFC 8616): local-part, U-label domain, quoted reason */
	check_ar(" mx; spf=pass reason=\"f\xc3\xbcr\" smtp.mailfrom=j\xc3\xb6rg@b\xc3\xbc" "cher.example"
		 " header.d=b\xc3\xbc" "cher.example",
		 "mx v1 | spf=pass reason<f\xc3\xbcr> smtp.mailfrom<j\xc3\xb6rg@b\xc3\xbc" "cher.example>"
		 " header.d<b\xc3\xbc" "cher.example>");
}
END_TEST

/* ---- versions, none ------------------------------------------------------ */

START_TEST(versions)
{
	check_ar(" mx 1; dkim=pass", "mx v1 | dkim=pass");
	check_ar(" mx 2; dkim=pass", "mx v2 | dkim=pass");
	check_ar(" mx 0001; dkim/0001=pass", "mx v1 | dkim=pass");
	check_ar(" mx; dkim/2=pass; spf/1=fail; dmarc = none", "mx v1 | dkim/2=pass | spf=fail | dmarc=none");
	check_ar(" mx 4294967295; dkim/4294967295=pass", "mx v4294967295 | dkim/4294967295=pass");
	refuse(" mx 4294967296; dkim=pass");
	refuse(" mx; dkim/4294967296=pass");
	refuse(" mx; dkim/=pass");
	refuse(" mx; dkim/x=pass");
	refuse(" mx; dkim/1.0=pass");
	refuse(" mx 1 2; dkim=pass");
	refuse(" mx 1x; dkim=pass");
	/* the version needs CFWS before it: "mx1" is the id */
	check_ar(" mx1; none", "mx1 v1 | none");
	refuse(" \"mx\"1; none");
	check_ar(" \"mx\" 1; none", "mx v1 | none");
	/* an all-digit authserv-id */
	check_ar(" 12345; none", "12345 v1 | none");
	check_ar(" 12345 7; none", "12345 v7 | none");
}
END_TEST

START_TEST(none)
{
	check_ar(" mx; none", "mx v1 | none");
	check_ar(" mx;none", "mx v1 | none");
	check_ar(" mx; NONE", "mx v1 | none");
	/* a method called none */
	check_ar(" mx; none=pass", "mx v1 | none=pass");
	check_ar(" mx; dkim=pass; none=fail", "mx v1 | dkim=pass | none=fail");
	refuse(" mx; none; dkim=pass");
	refuse(" mx; dkim=pass; none");
	refuse(" mx; none none");
	refuse(" mx; none header.d=x");
	/* "reason" as a ptype, a method, a result */
	check_ar(" mx; x=y reason.a=b", "mx v1 | x=y reason.a<b>");
	check_ar(" mx; reason=pass", "mx v1 | reason=pass");
	check_ar(" mx; x=reason reason=reason", "mx v1 | x=reason reason<reason>");
	check_ar(" mx; x=y REASON = \"r\" reason.a=b", "mx v1 | x=y reason<r> reason.a<b>");
}
END_TEST

/* ---- malformed fields: each refused, nothing left ------------------------ */

START_TEST(malformed)
{
	static const char *const bad[] = {
		"", " ", "\r\n", " ;", " ; none", " mx", " mx;", " mx; ", " mx none",
		" \"\"; none",                      /* empty authserv-id */
		" mx; dkim", " mx; dkim=", " mx; =pass", " mx; dkim pass",
		" mx; dkim=pass;",                  /* no resinfo after ";" */
		" mx; dkim=pass;; spf=pass",
		" mx; dkim=pass header", " mx; dkim=pass header.", " mx; dkim=pass header.d",
		" mx; dkim=pass header.d=", " mx; dkim=pass header.d= ;",
		" mx; dkim=pass header.d=a b",      /* "b" is no propspec */
		" mx; dkim=pass header.d=x.com reason=late", /* reason after the properties */
		" mx; dkim=pass reason=a reason=b", " mx; dkim=pass reason=",
		" mx; dkim=pass reason=\"a\"header.d=x", /* CFWS needed before the properties */
		" mx; dkim=passheader.d=x",
		" mx; dkim=pass header.d=@", " mx; dkim=pass header.i=@example",
		" mx; dkim=pass header.i=a@example", " mx; dkim=pass header.i=a@-x.com",
		" mx; dkim=pass header.i=a@x-.com", " mx; dkim=pass header.i=a@x..com",
		" mx; dkim=pass header.i=a@x.com.", " mx; dkim=pass header.i=a@ x.com",
		" mx; dkim=pass header.i=a.@x.com", " mx; dkim=pass header.i=a@@x.com",
		" mx; dkim=pass header.i=\"a\"b@x.com",
		" mx; iprev=pass policy.iprev=2001:db8::1", /* ':' is a tspecial: quote it */
		" mx; dkim-=pass", " mx; dkim=pass- ", " mx; dk_im=pass", " mx; dkim=pa.ss",
		" mx; dkim=pass header-.d=x", " mx; dkim=pass header.d-=x",
		" mx; dkim=pass header.d.x=y", " mx; dkim=pass .d=x",
		" mx; dkim=\"pass\"", " mx; \"dkim\"=pass",
		" mx; dkim=pass (unterminated", " mx (; none", " mx; dkim=pass )",
		" mx; dkim=fail reason=\"unterminated", " \"mx; none",
		" mx; dkim=fail reason=\"a\r\nb\"",  /* a line break that is not folding */
		" mx; dkim=pass\r\nheader.d=x",   /* ditto, outside */
		" mx; dkim=pass\r\n\r\n",
		" mx; dkim=pass\r",
		" mx@x; none", " mx/x; none", " [mx]; none", " mx=; none",
		" mx; dkim=pass, spf=pass",
		" mx; none (trailing", " mx; none \"x\"",
		"mx;dkim=pass;spf", " mx; spf=pass smtp.mailfrom=a@b.c;x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		refuse(bad[i]);
	/* a NUL anywhere */
	struct mime_authres *a = (struct mime_authres *)1;
	ck_assert_int_eq(mime_authres_parse(" mx; dkim=pass reason=\"a\0b\"", 27, &a), MIME_EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(mime_authres_parse(" mx; none (\0)", 13, &a), MIME_EINVAL);
	ck_assert_ptr_null(a);
	/* the length is the length: what follows is not read */
	ck_assert_int_eq(mime_authres_parse(" mx; nonesense", 9, &a), 0);
	ck_assert_uint_eq(a->nresults, 0);
	mime_authres_free(a);
	mime_authres_free(NULL);
}
END_TEST

/* ---- the printer --------------------------------------------------------- */

START_TEST(printer)
{
	struct mime_buf f = {0};
	const struct mime_authres_prop p[] = {
		{"header", "d", "example.com"}, {"header", "s", "sel"}, {"smtp", "mailfrom", "a@example.com"},
	};
	const struct mime_authres_result r[] = {
		{"dkim", "pass", "good \"sig\"", p, 2},
		{"spf", "pass", NULL, p + 2, 1},
	};
	ck_assert_int_eq(mime_authres_field(&f, "mx.example.org", r, 2), 0);
	ck_assert_str_eq(f.data, "Authentication-Results: mx.example.org; dkim=pass reason=\"good \\\"sig\\\"\"\r\n"
				 " header.d=example.com header.s=sel; spf=pass smtp.mailfrom=a@example.com\r\n");
	struct mime_authres *a;
	ck_assert_int_eq(mime_authres_parse(f.data + 23, f.len - 23, &a), 0);
	struct mime_buf o = {0};
	dump(&o, a);
	ck_assert_str_eq(o.data, "mx.example.org v1 | dkim=pass reason<good \"sig\"> header.d<example.com>"
				 " header.s<sel> | spf=pass smtp.mailfrom<a@example.com>");
	ck_assert(mime_authres_id_is(a, "MX.EXAMPLE.ORG"));
	ck_assert(mime_authres_id_is(a, "mx.example.org"));
	ck_assert(!mime_authres_id_is(a, "mx.example.org."));
	ck_assert(!mime_authres_id_is(a, "mx.example"));
	mime_authres_free(a);
	mime_buf_reset(&f);
	ck_assert_int_eq(mime_authres_field(&f, "mx", NULL, 0), 0);
	ck_assert_str_eq(f.data, "Authentication-Results: mx; none\r\n");
	/* addr-specs bare, other values quoted: a one-label domain, a quoted
	 * local part, a trailing dot, two "@" */
	const struct mime_authres_prop q[] = {
		{"header", "i", "@example.com"}, {"smtp", "mailfrom", "a.b+c@sub.example.com"},
		{"smtp", "mailfrom", "user@localhost"}, {"smtp", "auth", "\"j d\"@example.com"},
		{"smtp", "helo", "example.com."}, {"smtp", "x", "a@b@example.com"}, {"p", "q", "@"},
		{"p", "q", "a@"},
	};
	const struct mime_authres_result rq = {"x", "pass", NULL, q, 8};
	mime_buf_reset(&f);
	ck_assert_int_eq(mime_authres_field(&f, "mx", &rq, 1), 0);
	ck_assert_str_eq(f.data, "Authentication-Results: mx; x=pass header.i=@example.com\r\n"
				 " smtp.mailfrom=a.b+c@sub.example.com smtp.mailfrom=\"user@localhost\"\r\n"
				 " smtp.auth=\"\\\"j d\\\"@example.com\" smtp.helo=example.com.\r\n"
				 " smtp.x=\"a@b@example.com\" p.q=\"@\" p.q=\"a@\"\r\n");
	/* what the printer refuses: an empty id, a method or result that is no token */
	mime_buf_reset(&f);
	ck_assert_int_eq(mime_authres_field(&f, "", &rq, 1), MIME_EINVAL);
	const struct mime_authres_result rb = {"d kim", "pass", NULL, NULL, 0};
	ck_assert_int_eq(mime_authres_field(&f, "mx", &rb, 1), MIME_EINVAL);
	ck_assert_uint_eq(f.len, 0);
	mime_buf_free(&f);
	mime_buf_free(&o);
}
END_TEST

/* Every kind of string through print and read: same results. */
START_TEST(round_trip)
{
	static const char *const values[] = {
		"example.com", "a@example.com", "@example.com", "\"q l\"@example.com", "",
		" lead and trail ", "tab\there", "semi;colon", "(paren)", "back\\slash\"quote",
		"x=y", "1362471462", "192.0.2.200", "2001:db8::1", "b\xc3\xbc" "cher.example",
		"\x01\x7f", "a/b+c==",
	};
	size_t n = sizeof values / sizeof *values;
	struct mime_authres_prop p[sizeof values / sizeof *values];
	struct mime_authres_result r[sizeof values / sizeof *values];
	for (size_t i = 0; i < n; i++) {
		p[i] = (struct mime_authres_prop){"policy", "x-test", values[i]};
		r[i] = (struct mime_authres_result){"x-method", "pass", values[i], &p[i], 1};
	}
	for (size_t i = 0; i < n; i++) {
		struct mime_buf f = {0};
		struct mime_authres *a;
		const char *id = values[i][0] ? values[i] : "mx";
		ck_assert_int_eq(mime_authres_field(&f, id, r, i + 1), 0);
		ck_assert_msg(mime_authres_parse(f.data + 23, f.len - 23, &a) == 0, "%s", f.data);
		ck_assert_str_eq(a->authserv_id, id);
		ck_assert_uint_eq(a->nresults, i + 1);
		for (size_t k = 0; k <= i; k++) {
			ck_assert_str_eq(a->results[k].method, "x-method");
			ck_assert_str_eq(a->results[k].reason, values[k]);
			ck_assert_uint_eq(a->results[k].nprops, 1);
			ck_assert_str_eq(a->results[k].props[0].value, values[k]);
		}
		mime_authres_free(a);
		mime_buf_free(&f);
	}
}
END_TEST

/* ---- limits --------------------------------------------------------------- */

static char *many(size_t n, size_t *len)
{
	struct mime_buf b = {0};
	mime_buf_puts(&b, " mx.example.org");
	for (size_t i = 0; i < n; i++)
		mime_buf_puts(&b, i % 2 ? ";\r\n dkim=pass (c) header.d=example.com header.s=s1"
				    : ";\r\n spf=fail reason=\"r\" smtp.mailfrom=a@example.com");
	*len = b.len;
	return b.data;
}

static double parse_time(const char *s, size_t len, int reps)
{
	clock_t t0 = clock();
	for (int i = 0; i < reps; i++) {
		struct mime_authres *a;
		ck_assert_int_eq(mime_authres_parse(s, len, &a), 0);
		mime_authres_free(a);
	}
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

START_TEST(limits)
{
	size_t len, small_len;
	char *big = many(1400, &len), *small = many(175, &small_len);
	ck_assert_uint_ge(len, 64 * 1024);
	struct mime_authres *a;
	ck_assert_int_eq(mime_authres_parse(big, len, &a), 0);
	ck_assert_uint_eq(a->nresults, 1400);
	ck_assert_str_eq(a->results[1399].props[1].value, "s1");
	ck_assert_str_eq(a->results[1398].props[0].value, "a@example.com");
	check_block(a, len);
	mime_authres_free(a);
	/* eight times the bytes, about eight times the time (quadratic: 64) */
	double ts = parse_time(small, small_len, 400), tb = parse_time(big, len, 50);
	ck_assert_msg(tb < 3 * ts + 0.05, "small x400 %.3fs, big x50 %.3fs", ts, tb);
	free(big);
	free(small);
	/* thousands of bare results in 64 KB: "x=y;" */
	struct mime_buf b = {0};
	mime_buf_puts(&b, " mx");
	while (b.len < 64 * 1024)
		mime_buf_puts(&b, ";x=y");
	ck_assert_int_eq(mime_authres_parse(b.data, b.len, &a), 0);
	ck_assert_uint_eq(a->nresults, (64 * 1024 - 3 + 3) / 4);
	check_block(a, b.len);
	mime_authres_free(a);
	/* 64 KB of comments, and of one quoted string */
	mime_buf_reset(&b);
	mime_buf_puts(&b, " mx; dkim=pass ");
	while (b.len < 64 * 1024)
		mime_buf_puts(&b, "(c (d) e)");
	ck_assert_int_eq(mime_authres_parse(b.data, b.len, &a), 0);
	mime_authres_free(a);
	mime_buf_reset(&b);
	mime_buf_puts(&b, " mx; dkim=pass reason=\"");
	while (b.len < 64 * 1024)
		mime_buf_puts(&b, "\\\" ");
	mime_buf_putc(&b, '"');
	ck_assert_int_eq(mime_authres_parse(b.data, b.len, &a), 0);
	check_block(a, b.len);
	mime_authres_free(a);
	/* "((((...": refused, in linear time */
	mime_buf_reset(&b);
	mime_buf_puts(&b, " mx; dkim=pass ");
	while (b.len < 64 * 1024)
		mime_buf_putc(&b, '(');
	ck_assert_int_eq(mime_authres_parse(b.data, b.len, &a), MIME_EINVAL);
	mime_buf_free(&b);
}
END_TEST

/* this hop's fields: the run of Return-Path, Authentication-Results and
 * Received-SPF at the top; anything else ends it for good */
START_TEST(hop_fields)
{
	static const char msg[] =
		"Return-Path: <s@b.example>\r\n"
		"Authentication-Results: a; spf=pass\r\n"
		"Received-SPF: pass (x) client-ip=192.0.2.1\r\n"
		"authentication-results: a; dkim=pass\r\n"
		"Received: from x by y; Thu, 3 Dec 2026 12:00:00 +0000\r\n"
		"Authentication-Results: a; dkim=pass\r\n"
		"From: a@b.example\r\n\r\n";
	const int want[] = { 1, 1, 1, 1, 0, 0, 0 };
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	ck_assert_ptr_nonnull(r);
	mime_hdr_reader_feed(r, msg, sizeof msg - 1);
	struct mime_hop hop = { 0 };
	struct mime_field f;
	size_t i = 0;
	enum mime_hdr_ev ev;
	while ((ev = mime_hdr_reader_next(r, &f)) == MIME_HDR_FIELD) {
		ck_assert_uint_lt(i, 7);
		ck_assert_int_eq(mime_hop_is_ours(&hop, &f), want[i]);
		i++;
	}
	ck_assert_int_eq(ev, MIME_HDR_END);
	ck_assert_uint_eq(i, 7);
	mime_hdr_reader_free(r);
}
END_TEST

Suite *suite_authres(void)
{
	Suite *s = suite_create("authres");
	TCase *t = tcase_create("authres");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, rfc8601_b);
	tcase_add_test(t, real_fields);
	tcase_add_test(t, comments_everywhere);
	tcase_add_test(t, quoted_strings);
	tcase_add_test(t, versions);
	tcase_add_test(t, none);
	tcase_add_test(t, malformed);
	tcase_add_test(t, printer);
	tcase_add_test(t, round_trip);
	tcase_add_test(t, limits);
	tcase_add_test(t, hop_fields);
	suite_add_tcase(s, t);
	return s;
}
