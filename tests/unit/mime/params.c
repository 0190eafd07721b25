/* MIME parameters and fields: every example of RFC 2045 (4, 5.1, 6) and
 * RFC 2231 (3, 4, 4.1, 5), RFC 2183 and RFC 2046 examples, the tolerance
 * mail readers need, printing, rendering, and round-trip properties. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

/* Expected parameters: name, value, charset, language (NULL: absent). */
struct wp {
	const char *name, *value, *charset, *language;
};

static void check_params(const struct mime_param *ps, size_t n, const struct wp *w, size_t wn)
{
	ck_assert_uint_eq(n, wn);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(ps[i].name, w[i].name);
		ck_assert_str_eq(ps[i].value, w[i].value);
		ck_assert_uint_eq(ps[i].value_len, strlen(w[i].value));
		if (w[i].charset)
			ck_assert_str_eq(ps[i].charset, w[i].charset);
		else
			ck_assert_ptr_null(ps[i].charset);
		if (w[i].language)
			ck_assert_str_eq(ps[i].language, w[i].language);
		else
			ck_assert_ptr_null(ps[i].language);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void ct(const char *v, const char *type, const char *subtype, uint64_t defects,
	       const struct wp *w, size_t wn)
{
	struct mime_content_type c;
	struct mime_defects df = {0};
	ck_assert_msg(mime_content_type_parse(v, strlen(v), &c, &df) == 0, "'%s'", v);
	ck_assert_str_eq(c.type, type);
	ck_assert_str_eq(c.subtype, subtype);
	check_params(c.params, c.nparams, w, wn);
	ck_assert_msg(df.count == defects, "'%s': %llu defects (first: %s), expected %llu", v,
		      (unsigned long long)df.count, df.first ? df.first : "-",
		      (unsigned long long)defects);
	mime_content_type_free(&c);
	ck_assert_ptr_null(c.type);
}

static void ct_bad(const char *v)
{
	struct mime_content_type c;
	ck_assert_msg(mime_content_type_parse(v, strlen(v), &c, NULL) == -2, "'%s' parsed", v);
	ck_assert_ptr_null(c.type);
	ck_assert_ptr_null(c.params);
}

static void disp(const char *v, const char *type, uint64_t defects, const struct wp *w, size_t wn)
{
	struct mime_disposition d;
	struct mime_defects df = {0};
	ck_assert_msg(mime_disposition_parse(v, strlen(v), &d, &df) == 0, "'%s'", v);
	ck_assert_str_eq(d.type, type);
	check_params(d.params, d.nparams, w, wn);
	ck_assert_msg(df.count == defects, "'%s': %llu defects (first: %s), expected %llu", v,
		      (unsigned long long)df.count, df.first ? df.first : "-",
		      (unsigned long long)defects);
	mime_disposition_free(&d);
}

/* RFC 2045 5.1: "the following two forms are completely equivalent" */
START_TEST(rfc2045_examples)
{
	static const struct wp w[] = {{"charset", "us-ascii", NULL, NULL}};
	ct(" text/plain; charset=us-ascii (Plain text)", "text", "plain", 0, w, 1);
	ct(" text/plain; charset=\"us-ascii\"", "text", "plain", 0, w, 1);
	/* 5.2: the default, written out */
	ct("text/plain; charset=us-ascii", "text", "plain", 0, w, 1);
	/* 5.1: type, subtype and parameter names are case-insensitive */
	static const struct wp up[] = {{"charset", "US-ASCII", NULL, NULL}};
	ct("TEXT/Plain; CharSet=US-ASCII", "text", "plain", 0, up, 1);
	ct("text/plain", "text", "plain", 0, NULL, 0);
}
END_TEST

/* RFC 2046 examples (5.1.1, 5.2.2, 5.2.3) and RFC 2183 2 */
START_TEST(rfc2046_rfc2183_examples)
{
	static const struct wp b1[] = {{"boundary", "gc0p4Jq0M2Yt08jU534c0p", NULL, NULL}};
	ct(" multipart/mixed; boundary=gc0p4Jq0M2Yt08jU534c0p", "multipart", "mixed", 0, b1, 1);
	static const struct wp b2[] = {{"boundary", "simple boundary", NULL, NULL}};
	ct(" multipart/mixed; boundary=\"simple boundary\"", "multipart", "mixed", 0, b2, 1);
	static const struct wp part[] = {{"id", "ABC@host.com", NULL, NULL},
					 {"number", "1", NULL, NULL}, {"total", "2", NULL, NULL}};
	ct(" message/partial; id=\"ABC@host.com\";\r\n   number=1; total=2", "message", "partial", 0,
	   part, 3);
	static const struct wp ext[] = {{"name", "/u/nsb/Me.jpeg", NULL, NULL},
					{"site", "thumper.bellcore.com", NULL, NULL},
					{"access-type", "anon-ftp", NULL, NULL},
					{"directory", "pub", NULL, NULL},
					{"mode", "image", NULL, NULL}};
	ct(" message/external-body; name=\"/u/nsb/Me.jpeg\";\r\n"
	   "     site=\"thumper.bellcore.com\"; access-type=\"anon-ftp\";\r\n"
	   "     directory=\"pub\";\r\n     mode=\"image\"",
	   "message", "external-body", 0, ext, 5);
	disp(" inline", "inline", 0, NULL, 0);
	static const struct wp att[] = {
		{"filename", "genome.jpeg", NULL, NULL},
		{"modification-date", "Wed, 12 Feb 1997 16:29:51 -0500", NULL, NULL}};
	disp(" attachment; filename=genome.jpeg;\r\n  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";",
	     "attachment", 0, att, 2);
}
END_TEST

/* RFC 2231 3: parameter value continuations */
START_TEST(rfc2231_continuations)
{
	static const struct wp w[] = {
		{"access-type", "URL", NULL, NULL},
		{"url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar", NULL, NULL}};
	ct(" message/external-body; access-type=URL;\r\n"
	   "     URL*0=\"ftp://\";\r\n"
	   "     URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
	   "message", "external-body", 0, w, 2);
	/* "is semantically identical to" */
	ct(" message/external-body; access-type=URL;\r\n"
	   "     URL=\"ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
	   "message", "external-body", 0, w, 2);
}
END_TEST

/* RFC 2231 4: charset and language; 4.1: combined with continuations */
START_TEST(rfc2231_charset_language)
{
	static const struct wp w4[] = {{"title", "This is ***fun***", "us-ascii", "en-us"}};
	ct(" application/x-stuff;\r\n     title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
	   "application", "x-stuff", 0, w4, 1);
	static const struct wp w41[] = {
		{"title", "This is even more ***fun*** isn't it!", "us-ascii", "en"}};
	ct(" application/x-stuff;\r\n"
	   "    title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
	   "    title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
	   "    title*2=\"isn't it!\"",
	   "application", "x-stuff", 0, w41, 1);
	/* charset and language may each be empty */
	static const struct wp e[] = {{"title", "a b", "", ""}};
	ct("a/b; title*=''a%20b", "a", "b", 0, e, 1);
	static const struct wp l1[] = {{"name", "caf\xc3\xa9", "iso-8859-1", ""}};
	ct("a/b; name*=iso-8859-1''caf%E9", "a", "b", 0, l1, 1);
	static const struct wp u8[] = {{"name", "\xe2\x82\xac rates", "UTF-8", "de"}};
	ct("a/b; name*=UTF-8'de'%e2%82%ac%20rates", "a", "b", 0, u8, 1);
	/* sections joined before charset conversion: a character split across */
	static const struct wp sp[] = {{"name", "\xe2\x82\xac", "utf-8", ""}};
	ct("a/b; name*0*=utf-8''%E2%82; name*1*=%AC", "a", "b", 0, sp, 1);
}
END_TEST

/* RFC 2231 5: language in encoded words, here where mail readers meet it */
START_TEST(rfc2231_encoded_word_language)
{
	static const struct wp w[] = {{"name", "Keith Moore", NULL, NULL}};
	ct("text/plain; name=\"=?US-ASCII*EN?Q?Keith_Moore?=\"", "text", "plain", 1, w, 1);
	static const struct wp f[] = {{"filename", "\xc3\xa9t\xc3\xa9.pdf", NULL, NULL}};
	disp("attachment; filename=\"=?UTF-8?B?w6l0w6kucGRm?=\"", "attachment", 1, f, 1);
	/* text that only looks like one stays as it is, without a defect */
	static const struct wp n[] = {{"name", "a=?b", NULL, NULL}};
	ct("text/plain; name=\"a=?b\"", "text", "plain", 0, n, 1);
}
END_TEST

START_TEST(tolerance)
{
	static const struct wp cs[] = {{"charset", "utf-8", NULL, NULL}};
	/* obsolete CFWS anywhere */
	ct(" (c) text (c) / (c) plain (c) ; (c) charset (c) = (c) \"utf-8\" (c)", "text", "plain", 0, cs, 1);
	ct("text/plain;;; charset=utf-8;", "text", "plain", 0, cs, 1);
	/* a repeated parameter: the first wins */
	ct("text/plain; charset=utf-8; CHARSET=latin1", "text", "plain", 1, cs, 1);
	/* a missing ';' */
	static const struct wp two[] = {{"charset", "utf-8", NULL, NULL}, {"format", "flowed", NULL, NULL}};
	ct("text/plain charset=utf-8 format=flowed", "text", "plain", 2, two, 2);
	/* bad parameters skipped */
	ct("text/plain; foo; charset=utf-8", "text", "plain", 1, cs, 1);
	ct("text/plain; =x; charset=utf-8; @=y", "text", "plain", 2, cs, 1);
	ct("text/plain; garbage here; charset=utf-8", "text", "plain", 1, cs, 1);
	ct("text/plain; x*y=1; charset=utf-8", "text", "plain", 1, cs, 1);
	ct("text/plain; charset=\"utf-8\"junk", "text", "plain", 1, cs, 1);
	ct("text/plain; charset=utf-8 (open", "text", "plain", 1, cs, 1);
	/* unquoted specials: the value runs to the ';' */
	static const struct wp bnd[] = {{"boundary", "----=_Part_0_123.456", NULL, NULL},
					{"x", "1", NULL, NULL}};
	ct("multipart/mixed; boundary=----=_Part_0_123.456; x=1", "multipart", "mixed", 1, bnd, 2);
	static const struct wp sp[] = {{"name", "my file.pdf", NULL, NULL}};
	ct("application/pdf; name=my file.pdf", "application", "pdf", 1, sp, 1);
	/* raw UTF-8 (RFC 6532 style) kept; bytes that are not UTF-8: U+FFFD */
	static const struct wp u8[] = {{"name", "r\xc3\xa9sum\xc3\xa9.pdf", NULL, NULL}};
	ct("application/pdf; name=\"r\xc3\xa9sum\xc3\xa9.pdf\"", "application", "pdf", 0, u8, 1);
	ct("application/pdf; name=r\xc3\xa9sum\xc3\xa9.pdf", "application", "pdf", 1, u8, 1);
	static const struct wp l1[] = {{"name", "caf\xef\xbf\xbd", NULL, NULL}};
	ct("application/pdf; name=\"caf\xe9\"", "application", "pdf", 1, l1, 1);
	/* an unterminated quoted string: the rest of the field */
	static const struct wp uq[] = {{"name", "a; b", NULL, NULL}};
	ct("application/pdf; name=\"a; b", "application", "pdf", 1, uq, 1);
	static const struct wp uqs[] = {{"name", "   ", NULL, NULL}};
	ct("inva/lid; name=\"   ", "inva", "lid", 1, uqs, 1); /* quoted: the spaces stay */
	/* no value at all is no parameter (RFC 2045 5.1: a token has one
	 * character at least); an empty quoted string is a value */
	static const struct wp em[] = {{"x", "", NULL, NULL}};
	ct("application/pdf; name=; x=\"\"", "application", "pdf", 1, em, 1);
	ct("multipart/mixed; boundary=  ", "multipart", "mixed", 1, NULL, 0);
	/* folded with bare LF */
	ct("text/plain;\n charset=utf-8", "text", "plain", 0, cs, 1);
}
END_TEST

START_TEST(rfc2231_tolerance)
{
	/* sections out of order are sorted; a gap or a repeat is a defect */
	static const struct wp ab[] = {{"t", "ab", NULL, NULL}};
	ct("a/b; t*1=b; t*0=a", "a", "b", 0, ab, 1);
	static const struct wp ac[] = {{"t", "ac", NULL, NULL}};
	ct("a/b; t*0=a; t*2=c", "a", "b", 1, ac, 1);
	ct("a/b; t*0=a; t*0=x; t*2=c", "a", "b", 2, ac, 1);
	static const struct wp bc[] = {{"t", "bc", NULL, NULL}};
	ct("a/b; t*1=b; t*2=c", "a", "b", 1, bc, 1);
	/* leading zeros, numbers too large, bad forms */
	static const struct wp ac2[] = {{"t", "ac", NULL, NULL}};
	ct("a/b; t*0=a; t*01=c", "a", "b", 1, ac2, 1);
	static const struct wp a[] = {{"t", "a", NULL, NULL}};
	ct("a/b; t*0=a; t*1000=c", "a", "b", 1, a, 1);
	ct("a/b; t*0=a; t**=c; t*1x=d; t*1**=e", "a", "b", 3, a, 1);
	/* plain and RFC 2231 forms both given: RFC 2231 wins, a defect only when
	   they differ */
	static const struct wp fn[] = {{"filename", "\xe2\x82\xac.txt", "utf-8", ""}};
	disp("attachment; filename=\"EUR.txt\"; filename*=utf-8''%E2%82%AC.txt", "attachment", 1, fn, 1);
	static const struct wp same[] = {{"filename", "a.txt", "utf-8", ""}};
	disp("attachment; filename*=utf-8''a.txt; filename=a.txt", "attachment", 0, same, 1);
	/* name* together with name*N: name* wins */
	static const struct wp st[] = {{"t", "x", "", ""}};
	ct("a/b; t*0=a; t*=''x", "a", "b", 1, st, 1);
	/* bad escapes kept, unknown charsets read as UTF-8, quotes tolerated */
	static const struct wp pc[] = {{"t", "100%-%4", "us-ascii", ""}};
	ct("a/b; t*=us-ascii''100%-%4", "a", "b", 1, pc, 1);
	static const struct wp uk[] = {{"t", "\xc3\xa9", "x-unknown", ""}};
	ct("a/b; t*=x-unknown''%C3%A9", "a", "b", 1, uk, 1);
	static const struct wp nq[] = {{"t", "a b", "", ""}};
	ct("a/b; t*=a%20b", "a", "b", 1, nq, 1);
	static const struct wp qu[] = {{"t", "a b", "utf-8", "en"}};
	ct("a/b; t*=\"utf-8'en'a%20b\"", "a", "b", 1, qu, 1);
	/* extended sections after a plain section 0: no charset to apply */
	static const struct wp mix[] = {{"t", "a b", "", ""}};
	ct("a/b; t*0=a; t*1*=%20b", "a", "b", 0, mix, 1);
	/* a language that is not a language tag is dropped */
	static const struct wp bl[] = {{"t", "x", "utf-8", ""}};
	ct("a/b; t*=utf-8'e.n'x", "a", "b", 1, bl, 1);
	/* a charset decoding error is reported */
	static const struct wp bad8[] = {{"t", "\xef\xbf\xbd", "utf-8", ""}};
	ct("a/b; t*=utf-8''%FF", "a", "b", 1, bad8, 1);
}
END_TEST

START_TEST(unusable_types)
{
	ct_bad("");
	ct_bad("   ");
	ct_bad("text");
	ct_bad("text; charset=us-ascii");
	ct_bad("/plain");
	ct_bad("text/");
	ct_bad("text/;charset=x");
	ct_bad("\"text\"/plain");
	ct_bad("text/\xc3\xa9");
	struct mime_disposition d;
	ck_assert_int_eq(mime_disposition_parse("", 0, &d, NULL), -2);
	ck_assert_int_eq(mime_disposition_parse("; filename=x", 12, &d, NULL), -2);
	ck_assert_ptr_null(d.type);
	/* junk after the type is a defect, not a failure */
	static const struct wp cs[] = {{"charset", "x", NULL, NULL}};
	ct("text/plain/html; charset=x", "text", "plain", 1, cs, 1);
	ct("(comment) text/plain (open", "text", "plain", 1, NULL, 0);
}
END_TEST

START_TEST(param_get)
{
	struct mime_param *ps;
	size_t n;
	ck_assert_int_eq(mime_params_parse("; a=1; B=2", 10, &ps, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(mime_param_get(ps, n, "b")->value, "2");
	ck_assert_str_eq(mime_param_get(ps, n, "A")->value, "1");
	ck_assert_ptr_null(mime_param_get(ps, n, "c"));
	ck_assert_ptr_null(mime_param_get(ps, n, ""));
	mime_params_free(ps, n);
	struct mime_defects df = {0};
	ck_assert_int_eq(mime_params_parse("a=1", 3, &ps, &n, &df), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(df.count, 0);
	mime_params_free(ps, n);
	ck_assert_int_eq(mime_params_parse("", 0, &ps, &n, NULL), 0);
	ck_assert_ptr_null(ps);
	ck_assert_uint_eq(n, 0);
}
END_TEST

static void cte(const char *v, int r, const char *want)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_buf_puts(&b, ">"), 0);
	ck_assert_msg(mime_cte_parse(v, strlen(v), &b) == r, "'%s'", v);
	ck_assert_str_eq(b.data, want);
	mime_buf_free(&b);
}

/* RFC 2045 6.1 mechanisms */
START_TEST(transfer_encoding)
{
	cte(" 7bit", 0, ">7bit");
	cte(" 8bit", 0, ">8bit");
	cte(" binary", 0, ">binary");
	cte(" quoted-printable", 0, ">quoted-printable");
	cte(" Base64", 0, ">base64");
	cte(" x-uuencode (old)", 0, ">x-uuencode");
	cte("(a)\r\n BASE64\r\n (b)", 0, ">base64");
	cte("", -2, ">");
	cte(" 7 bit", -2, ">");
	cte(" base64;", -2, ">");
	cte(" \"base64\"", -2, ">");
	cte(" (open base64", -2, ">");
}
END_TEST

static void version(const char *v, int r, int major, int minor)
{
	int a = -1, b = -1;
	ck_assert_msg(mime_version_parse(v, strlen(v), &a, &b) == r, "'%s'", v);
	if (r == 0) {
		ck_assert_int_eq(a, major);
		ck_assert_int_eq(b, minor);
	}
}

/* RFC 2045 4: all four examples are version 1.0 */
START_TEST(mime_version)
{
	version(" 1.0", 0, 1, 0);
	version(" 1.0 (produced by MetaSend Vx.x)", 0, 1, 0);
	version(" (produced by MetaSend Vx.x) 1.0", 0, 1, 0);
	version(" 1.(produced by MetaSend Vx.x)0", 0, 1, 0);
	version("2.11", 0, 2, 11);
	version("", -2, 0, 0);
	version("1", -2, 0, 0);
	version("1.", -2, 0, 0);
	version(".0", -2, 0, 0);
	version("a.0", -2, 0, 0);
	version("1.0 x", -2, 0, 0);
	version("1.0 (open", -2, 0, 0);
	version("1.0000000000", -2, 0, 0);
}
END_TEST

static struct mime_param P(const char *name, const char *value, const char *lang)
{
	return (struct mime_param){(char *)name, (char *)value, strlen(value), NULL, (char *)lang};
}

static void print_ct(const char *type, const char *sub, struct mime_param *ps, size_t n,
		     const char *want)
{
	struct mime_content_type c = {(char *)type, (char *)sub, ps, n};
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_content_type_field(&b, &c), 0);
	ck_assert_str_eq(b.data, want);
	mime_buf_free(&b);
}

START_TEST(printing)
{
	struct mime_param p1[] = {P("charset", "us-ascii", NULL)};
	print_ct("text", "plain", p1, 1, "Content-Type: text/plain; charset=us-ascii\r\n");
	struct mime_param p2[] = {P("boundary", "simple boundary", NULL), P("x", "a\"b\\c", NULL),
				  P("e", "", NULL)};
	print_ct("multipart", "mixed", p2, 3,
		 "Content-Type: multipart/mixed; boundary=\"simple boundary\"; x=\"a\\\"b\\\\c\"; e=\"\"\r\n");
	struct mime_param p2b[] = {P("boundary", "simple boundary", NULL), P("x", "a\"b\\c", NULL),
				   P("eeee", "", NULL)};
	print_ct("multipart", "mixed", p2b, 3,
		 "Content-Type: multipart/mixed; boundary=\"simple boundary\"; x=\"a\\\"b\\\\c\";\r\n"
		 " eeee=\"\"\r\n");
	struct mime_param p3[] = {P("name", "caf\xc3\xa9 au lait.pdf", NULL)};
	print_ct("application", "pdf", p3, 1,
		 "Content-Type: application/pdf; name*=utf-8''caf%C3%A9%20au%20lait.pdf\r\n");
	struct mime_param p4[] = {P("title", "This is ***fun***", "en-us")};
	print_ct("application", "x-stuff", p4, 1,
		 "Content-Type: application/x-stuff;\r\n"
		 " title*=utf-8'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A\r\n");
	struct mime_param p5[] = {P("name", "=?UTF-8?Q?x?=", NULL)};
	print_ct("text", "plain", p5, 1, "Content-Type: text/plain; name*=utf-8''%3D%3FUTF-8%3FQ%3Fx%3F%3D\r\n");
	/* too long for a line: sections, each line within 78 columns */
	struct mime_param p6[] = {P("url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar/"
					   "and/a/much/longer/path/than/the/rfc/had.tar", NULL)};
	print_ct("message", "external-body", p6, 1,
		 "Content-Type: message/external-body;\r\n"
		 " url*0*=utf-8''ftp%3A%2F%2Fcs.utk.edu%2Fpub%2Fmoore%2Fbulk-mailer%2Fbulk-mail;\r\n"
		 " url*1*=er.tar%2Fand%2Fa%2Fmuch%2Flonger%2Fpath%2Fthan%2Fthe%2Frfc%2Fhad.tar\r\n");
	/* never split inside a UTF-8 character */
	struct mime_param p7[] = {P("n", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
					 "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", NULL)};
	print_ct("a", "b", p7, 1,
		 "Content-Type: a/b;\r\n"
		 " n*0*=utf-8''%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC;\r\n"
		 " n*1*=%E2%82%AC%E2%82%AC\r\n");
	/* NUL and other control characters survive as %XX */
	struct mime_param p8[] = {P("n", "a", NULL)};
	p8[0].value = "a\0b\r\n";
	p8[0].value_len = 5;
	struct mime_content_type c8 = {"a", "b", p8, 1}, y;
	struct mime_buf b8 = {0};
	ck_assert_int_eq(mime_content_type_field(&b8, &c8), 0);
	ck_assert_str_eq(b8.data, "Content-Type: a/b; n*=utf-8''a%00b%0D%0A\r\n");
	ck_assert_int_eq(mime_content_type_parse(b8.data + 13, b8.len - 15, &y, NULL), 0);
	ck_assert_uint_eq(y.params[0].value_len, 5);
	ck_assert(memcmp(y.params[0].value, "a\0b\r\n", 6) == 0);
	mime_content_type_free(&y);
	mime_buf_free(&b8);
	struct mime_disposition d = {"attachment", p3, 1};
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_disposition_field(&b, &d), 0);
	ck_assert_str_eq(b.data, "Content-Disposition: attachment; name*=utf-8''caf%C3%A9%20au%20lait.pdf\r\n");
	/* names and types that are not tokens cannot be printed */
	mime_buf_reset(&b);
	struct mime_param bad[] = {P("a b", "x", NULL)};
	struct mime_content_type c = {"text", "plain", bad, 1};
	ck_assert_int_eq(mime_content_type_field(&b, &c), -2);
	ck_assert_uint_eq(b.len, 0);
	struct mime_param star[] = {P("a*", "x", NULL)};
	c.params = star;
	ck_assert_int_eq(mime_content_type_field(&b, &c), -2);
	struct mime_param lang[] = {P("a", "x", "e'n")};
	c.params = lang;
	ck_assert_int_eq(mime_content_type_field(&b, &c), -2);
	c = (struct mime_content_type){"te xt", "plain", NULL, 0};
	ck_assert_int_eq(mime_content_type_field(&b, &c), -2);
	ck_assert_uint_eq(b.len, 0);
	mime_buf_free(&b);
}
END_TEST

static void render(const char *v, const char *want)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_params_render(v, strlen(v), &b, NULL), 0);
	ck_assert_str_eq(b.data ? b.data : "", want);
	mime_buf_free(&b);
}

START_TEST(rendering)
{
	render(" text/plain; charset=\"us-ascii\" (Plain text)", "text/plain; charset=us-ascii");
	render(" application/x-stuff;\r\n"
	       "    title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
	       "    title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
	       "    title*2=\"isn't it!\"",
	       "application/x-stuff; title=\"This is even more ***fun*** isn't it!\"");
	render(" attachment; filename*=utf-8''caf%C3%A9.pdf",
	       "attachment; filename=\"caf\xc3\xa9.pdf\"");
	render(" attachment; filename=\"a\\\"b\"", "attachment; filename=\"a\\\"b\"");
	render("inline; x*=utf-8''%1B%5B31m", "inline; x=\"\xef\xbf\xbd[31m\"");
	render("  ;;; what\r\n ever\x01 ", ";;; what ever\xef\xbf\xbd");
	render("", "");
	render("text/plain; a=1; A=2", "text/plain; a=1");
}
END_TEST

/* ---- properties ----------------------------------------------------------- */

static void put_cp(struct mime_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		ck_assert_int_eq(mime_buf_putc(b, (int)cp), 0);
	} else if (cp < 0x800) {
		ck_assert_int_eq(mime_buf_putc(b, 0xc0 | cp >> 6), 0);
		ck_assert_int_eq(mime_buf_putc(b, 0x80 | (cp & 63)), 0);
	} else if (cp < 0x10000) {
		ck_assert_int_eq(mime_buf_putc(b, 0xe0 | cp >> 12), 0);
		ck_assert_int_eq(mime_buf_putc(b, 0x80 | (cp >> 6 & 63)), 0);
		ck_assert_int_eq(mime_buf_putc(b, 0x80 | (cp & 63)), 0);
	} else {
		ck_assert_int_eq(mime_buf_putc(b, 0xf0 | cp >> 18), 0);
		ck_assert_int_eq(mime_buf_putc(b, 0x80 | (cp >> 12 & 63)), 0);
		ck_assert_int_eq(mime_buf_putc(b, 0x80 | (cp >> 6 & 63)), 0);
		ck_assert_int_eq(mime_buf_putc(b, 0x80 | (cp & 63)), 0);
	}
}

static void random_value(unsigned *seed, struct mime_buf *b)
{
	static const unsigned maxlen[] = {0, 3, 10, 40, 70, 300};
	size_t n = rand_r(seed) % (maxlen[rand_r(seed) % 6] + 1);
	int kind = rand_r(seed) % 4; /* token, ASCII, mostly ASCII, anything */
	for (size_t i = 0; i < n; i++) {
		unsigned cp, r = rand_r(seed) % 100;
		if (kind == 0 || r < 40)
			cp = "abcXYZ0123-._~!#$&+^`{|}"[rand_r(seed) % 25];
		else if (kind == 1 || r < 70)
			cp = 0x20 + rand_r(seed) % 0x5f;
		else if (r < 75)
			cp = 1 + rand_r(seed) % 0x1f;
		else if (r < 85)
			cp = 0xa0 + rand_r(seed) % 0x700;
		else if (r < 95)
			cp = 0x800 + rand_r(seed) % 0xd000;
		else
			cp = 0x10000 + rand_r(seed) % 0x100000;
		if (kind == 2 && rand_r(seed) % 10 == 0)
			ck_assert_int_eq(mime_buf_puts(b, "=?"), 0);
		put_cp(b, cp);
	}
}

static int same_lang(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static void check_lines(const struct mime_buf *b)
{
	const char *s = b->data, *e = b->data + b->len;
	while (s < e) {
		const char *nl = strstr(s, "\r\n");
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - s <= 78, "line of %d: %.*s", (int)(nl - s), (int)(nl - s), s);
		s = nl + 2;
	}
}

/* parse(print(x)) == x for random parameters (non-ASCII, control
 * characters, "=?", long values, languages), every line <= 78, and the
 * re-parse finds no defect. */
START_TEST(property_round_trip)
{
	static const char *const names[] = {"charset", "name", "filename", "boundary", "x-a",
					    "title", "url", "format", "delsp", "n"};
	static const char *const langs[] = {NULL, "", "en", "de-CH", "en-us"};
	unsigned seed = 4242;
	struct mime_buf vals[10] = {{0}}, out = {0};
	for (int round = 0; round < 1000; round++) {
		struct mime_param ps[10];
		size_t n = rand_r(&seed) % 6, first = rand_r(&seed) % 10;
		for (size_t i = 0; i < n; i++) {
			mime_buf_reset(&vals[i]);
			random_value(&seed, &vals[i]);
			ck_assert_int_eq(mime_buf_append(&vals[i], "", 0), 0);
			ps[i] = P(names[(first + i) % 10], vals[i].data, langs[rand_r(&seed) % 5]);
			ps[i].value_len = vals[i].len;
		}
		struct mime_content_type x = {"application", "octet-stream", ps, n}, y;
		mime_buf_reset(&out);
		ck_assert_int_eq(mime_content_type_field(&out, &x), 0);
		check_lines(&out);
		struct mime_defects df = {0};
		ck_assert_int_eq(mime_content_type_parse(out.data + 13, out.len - 15, &y, &df), 0);
		ck_assert_msg(df.count == 0, "%s: %s", out.data, df.first);
		ck_assert_str_eq(y.type, "application");
		ck_assert_str_eq(y.subtype, "octet-stream");
		ck_assert_uint_eq(y.nparams, n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_str_eq(y.params[i].name, ps[i].name);
			ck_assert_uint_eq(y.params[i].value_len, ps[i].value_len);
			ck_assert_msg(memcmp(y.params[i].value, ps[i].value, ps[i].value_len) == 0,
				      "%s", out.data);
			ck_assert(same_lang(y.params[i].language, ps[i].language));
		}
		mime_content_type_free(&y);
	}
	for (int i = 0; i < 10; i++)
		mime_buf_free(&vals[i]);
	mime_buf_free(&out);
}
END_TEST

/* The same value written in any of its forms, split anywhere into RFC 2231
 * sections in any order, parses to the same thing. */
START_TEST(property_sections)
{
	unsigned seed = 99;
	struct mime_buf v = {0}, field = {0}, enc = {0};
	for (int round = 0; round < 1000; round++) {
		mime_buf_reset(&v);
		random_value(&seed, &v);
		mime_buf_reset(&enc);
		for (size_t i = 0; i < v.len; i++) {
			char e[4];
			snprintf(e, sizeof e, "%%%02X", (unsigned char)v.data[i]);
			ck_assert_int_eq(mime_buf_puts(&enc, e), 0);
		}
		size_t cuts[8], k = 0, at = 0;
		while (k < 7 && at < enc.len) {
			cuts[k++] = at;
			at += 3 * (1 + rand_r(&seed) % 20);
		}
		cuts[k] = enc.len;
		size_t order[8];
		for (size_t i = 0; i < k; i++)
			order[i] = i;
		for (size_t i = k; i > 1; i--) {
			size_t j = rand_r(&seed) % i, t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		mime_buf_reset(&field);
		ck_assert_int_eq(mime_buf_puts(&field, "a/b"), 0);
		if (k == 0)
			ck_assert_int_eq(mime_buf_puts(&field, "; t*=utf-8''"), 0);
		for (size_t i = 0; i < k; i++) {
			size_t s = order[i];
			char head[40];
			snprintf(head, sizeof head, ";\r\n t*%zu*=%s", s, s == 0 ? "utf-8''" : "");
			ck_assert_int_eq(mime_buf_puts(&field, head), 0);
			ck_assert_int_eq(mime_buf_append(&field, enc.data + cuts[s], cuts[s + 1] - cuts[s]), 0);
		}
		struct mime_content_type y;
		struct mime_defects df = {0};
		ck_assert_int_eq(mime_content_type_parse(field.data, field.len, &y, &df), 0);
		ck_assert_uint_eq(y.nparams, 1);
		ck_assert_uint_eq(y.params[0].value_len, v.len);
		ck_assert(v.len == 0 || memcmp(y.params[0].value, v.data, v.len) == 0);
		ck_assert_uint_eq(df.count, 0);
		mime_content_type_free(&y);
	}
	mime_buf_free(&v);
	mime_buf_free(&field);
	mime_buf_free(&enc);
}
END_TEST

/* Every prefix of tricky fields parses (0 or -2) without reading past n. */
START_TEST(property_prefixes)
{
	static const char *const fields[] = {
		" application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
		" title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\" (c)",
		"multipart/mixed; boundary=----=_Part; name=\"=?UTF-8?B?w6l0w6k=?=\"; x=\"a\\\"",
	};
	for (size_t f = 0; f < N(fields); f++) {
		size_t n = strlen(fields[f]);
		for (size_t i = 0; i <= n; i++) {
			char *c = malloc(i ? i : 1);
			ck_assert_ptr_nonnull(c);
			memcpy(c, fields[f], i);
			struct mime_content_type y;
			int r = mime_content_type_parse(c, i, &y, NULL);
			ck_assert(r == 0 || r == -2);
			if (r == 0)
				mime_content_type_free(&y);
			struct mime_buf b = {0};
			ck_assert_int_eq(mime_params_render(c, i, &b, NULL), 0);
			mime_buf_free(&b);
			free(c);
		}
	}
}
END_TEST

/* Found by fuzzing: a long name leaves room for one character a line, and
 * a long value then needed more RFC 2231 sections than a reader takes;
 * sections now grow instead, and the value reads back whole. */
START_TEST(long_name_long_value)
{
	char name[91], value[3001];
	memset(name, 'd', 90);
	name[90] = '\0';
	for (int i = 0; i < 3000; i++)
		value[i] = "ab\xc3\xa9 %"[i % 6];
	value[3000] = '\0';
	struct mime_param pm = {.name = name, .value = value, .value_len = 3000};
	struct mime_disposition d = {.type = "attachment", .params = &pm, .nparams = 1}, y;
	struct mime_buf o = {0};
	ck_assert_int_eq(mime_disposition_field(&o, &d), 0);
	ck_assert_int_eq(mime_disposition_parse(o.data + 20, o.len - 22, &y, NULL), 0);
	ck_assert_uint_eq(y.nparams, 1);
	ck_assert_uint_eq(y.params[0].value_len, 3000);
	ck_assert_int_eq(memcmp(y.params[0].value, value, 3000), 0);
	mime_disposition_free(&y);
	mime_buf_free(&o);
}
END_TEST

Suite *suite_params(void)
{
	Suite *s = suite_create("params");
	TCase *t = tcase_create("params");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, rfc2045_examples);
	tcase_add_test(t, rfc2046_rfc2183_examples);
	tcase_add_test(t, rfc2231_continuations);
	tcase_add_test(t, rfc2231_charset_language);
	tcase_add_test(t, rfc2231_encoded_word_language);
	tcase_add_test(t, tolerance);
	tcase_add_test(t, rfc2231_tolerance);
	tcase_add_test(t, unusable_types);
	tcase_add_test(t, param_get);
	tcase_add_test(t, transfer_encoding);
	tcase_add_test(t, mime_version);
	tcase_add_test(t, printing);
	tcase_add_test(t, rendering);
	tcase_add_test(t, property_round_trip);
	tcase_add_test(t, property_sections);
	tcase_add_test(t, property_prefixes);
	tcase_add_test(t, long_name_long_value);
	suite_add_tcase(s, t);
	return s;
}
