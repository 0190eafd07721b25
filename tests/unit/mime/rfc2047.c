#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

enum how { TEXT, PHRASE, STRUCTURED };

static void check_decode(enum how h, const char *in, size_t n, const char *want,
			 uint64_t defects, uint64_t first_offset)
{
	struct mime_buf o = {0};
	struct mime_defects df = {0};
	int r = h == TEXT     ? mime_rfc2047_decode_text(in, n, &o, &df)
		: h == PHRASE ? mime_rfc2047_decode_phrase(in, n, &o, &df)
			      : mime_rfc2047_decode_structured(in, n, &o, &df);
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(o.data);
	ck_assert_msg(strcmp(o.data, want) == 0, "decode \"%s\": got \"%s\", want \"%s\"",
		      in, o.data, want);
	ck_assert_uint_eq(o.len, strlen(want));
	ck_assert_msg(df.count == defects, "decode \"%s\": %llu defects (first: %s), want %llu",
		      in, (unsigned long long)df.count, df.first ? df.first : "-",
		      (unsigned long long)defects);
	if (defects)
		ck_assert_uint_eq(df.first_offset, first_offset);
	/* df may be NULL: same output */
	struct mime_buf o2 = {0};
	r = h == TEXT     ? mime_rfc2047_decode_text(in, n, &o2, NULL)
	    : h == PHRASE ? mime_rfc2047_decode_phrase(in, n, &o2, NULL)
			  : mime_rfc2047_decode_structured(in, n, &o2, NULL);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(o2.data, o.data);
	mime_buf_free(&o);
	mime_buf_free(&o2);
}

#define DT(in, want) check_decode(TEXT, in, sizeof in - 1, want, 0, 0)
#define DP(in, want) check_decode(PHRASE, in, sizeof in - 1, want, 0, 0)
#define DS(in, want) check_decode(STRUCTURED, in, sizeof in - 1, want, 0, 0)
#define DT_BAD(in, want, nd, off) check_decode(TEXT, in, sizeof in - 1, want, nd, off)
#define DP_BAD(in, want, nd, off) check_decode(PHRASE, in, sizeof in - 1, want, nd, off)
#define DS_BAD(in, want, nd, off) check_decode(STRUCTURED, in, sizeof in - 1, want, nd, off)

/* RFC 2047 8, first block: the values of the fields. */
START_TEST(rfc2047_8_fields)
{
	DP("=?US-ASCII?Q?Keith_Moore?=", "Keith Moore");
	DS("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>");
	DP("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld J\xc3\xb8rn Simonsen");
	DS("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	   "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>");
	DP("=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xc3\xa9 Pirard");
	DS("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
	   "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>");
	DT(" =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
	   "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	   " If you can read this you understand the example.");
	DS("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>",
	   "Olle J\xc3\xa4rnefors <ojarnef@admin.kth.se>");
	DS("ietf-822@dimacs.rutgers.edu, ojarnef@admin.kth.se",
	   "ietf-822@dimacs.rutgers.edu, ojarnef@admin.kth.se");
	DT("Time for ISO 10646?", "Time for ISO 10646?");
	DS("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>",
	   "Patrik F\xc3\xa4ltstr\xc3\xb6m <paf@nada.kth.se>");
	DT("Re: RFC-HDR care and feeding", "Re: RFC-HDR care and feeding");
	/* a comment with an encoded word, folded before it */
	DS("Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	   "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	   "Nathaniel Borenstein <nsb@thumper.bellcore.com>    ("
	   "\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 "
	   "\xd7\x99\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)");
}
END_TEST

/* RFC 2047 8, the table: white space between encoded words. */
START_TEST(rfc2047_8_white_space)
{
	DS("(=?ISO-8859-1?Q?a?=)", "(a)");
	DS("(=?ISO-8859-1?Q?a?= b)", "(a b)");
	DS("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)");
	DS("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)");
	DS("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)");
	DS("(=?ISO-8859-1?Q?a_b?=)", "(a b)");
	DS("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)");
	/* the same in unstructured text and in phrases */
	DT("=?ISO-8859-1?Q?a?=", "a");
	DT("=?ISO-8859-1?Q?a?= b", "a b");
	DT("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab");
	DT("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab");
	DT("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab");
	DT("=?ISO-8859-1?Q?a_b?=", "a b");
	DT("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b");
	DP("=?ISO-8859-1?Q?a?= b", "a b");
	DP("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab");
	DP("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab");
	DP("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b");
	/* a comment is not white space: the words are not adjacent */
	DP("=?ISO-8859-1?Q?a?= (c) =?ISO-8859-1?Q?b?=", "a b");
	/* plain words keep the white space of unstructured text */
	DT("a  b\r\n\tc", "a  b\tc");
	DT("=?UTF-8?Q?a?= \t =?UTF-8?Q?b?= c  =?UTF-8?Q?d?=", "ab c  d");
}
END_TEST

/* RFC 2231 5: a language after the charset. */
START_TEST(rfc2231_language)
{
	DP("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore");
	DT("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore");
	DS("=?US-ASCII*EN?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>");
	DT("=?utf-8*de-DE?B?R3LDvMOfZQ==?=", "Gr\xc3\xbc\xc3\x9f" "e");
}
END_TEST

START_TEST(charsets_and_encodings)
{
	DT("=?utf-8?q?caf=c3=a9?=", "caf\xc3\xa9");                 /* lower case */
	DT("=?UTF-8?B?Y2Fmw6k=?=", "caf\xc3\xa9");
	DT("=?iso-8859-15?Q?=A4uro?=", "\xe2\x82\xac" "uro");
	DT("=?windows-1252?Q?=80?=", "\xe2\x82\xac");
	DT("=?KOI8-R?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	DT("=?UTF-8?Q?a=3F=5F=3D_?=", "a?_= ");
	DT("=?UTF-8?Q?\?=", "");                                      /* empty text */
	DT("=?UTF-8?B?\?=", "");
	DT("=?UTF-8?Q?(a)?=", "(a)");
	DT("=?utf-8?b?8J+YgA==?= =?utf-8?q?=F0=9F=98=80?=", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
	/* a character split over two encoded words joins up */
	DT_BAD("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=", "\xc3\xa9", 1, 16);
}
END_TEST

/* Kept as written, reported at the word. */
START_TEST(malformed_words)
{
	DT_BAD("=?x-unknown?Q?a?=", "=?x-unknown?Q?a?=", 1, 0);
	DT_BAD("a =?UTF-8?Q?a=ZZ?= b", "a =?UTF-8?Q?a=ZZ?= b", 1, 2);
	DT_BAD("=?UTF-8?Q?a=?=", "=?UTF-8?Q?a=?=", 1, 0);
	DT_BAD("=?UTF-8?B?a$b=?=", "=?UTF-8?B?a$b=?=", 1, 0);
	DT_BAD("=?UTF-8?B?SsO2cmc==?=", "=?UTF-8?B?SsO2cmc==?=", 1, 0);   /* too much */
	DT_BAD("=?UTF-8?B?SsO2cmcA=?=", "=?UTF-8?B?SsO2cmcA=?=", 1, 0);
	DT_BAD("=?UTF-8?B?S?=", "=?UTF-8?B?S?=", 1, 0);
	DT_BAD("=?UTF-8?X?a?=", "=?UTF-8?X?a?=", 1, 0);
	DT_BAD("=?UTF-8?QQ?a?=", "=?UTF-8?QQ?a?=", 1, 0);
	DT_BAD("=?UTF-8?Q?a?b?=", "=?UTF-8?Q?a?b?=", 1, 0);
	DT_BAD("x =??Q?a?=", "x =??Q?a?=", 1, 2);
	DT("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=");      /* not an encoded word at all */
	DT("=? ?=", "=? ?=");
	/* a malformed word is not an encoded word: the white space stays */
	DT_BAD("=?UTF-8?Q?a?= =?bogus?Q?b?= =?UTF-8?Q?c?=", "a =?bogus?Q?b?= c", 1, 14);
	/* tolerated, reported */
	DT_BAD("=?UTF-8?B?SsO2cmc?=", "J\xc3\xb6rg", 1, 0);       /* padding missing */
	DT_BAD("=?iso-8859-1?B?dm=?=", "v", 1, 0);                  /* padding short */
	DT_BAD("=?iso-8859-1?B?dm?=", "v", 1, 0);
	DT("=?iso-8859-1?B?dm==?=", "v");
	DT("=?iso-8859-1?B?dmk=?=", "vi");
	DT_BAD("foo=?UTF-8?Q?bar?=", "foobar", 1, 3);               /* RFC 2047 5(1) */
	DT_BAD("=?UTF-8?Q?a?==?UTF-8?Q?b?=", "ab", 2, 0);
	DT_BAD("(=?UTF-8?Q?a?=)", "(a)", 1, 1);
	/* bad octets for the charset: U+FFFD, reported by the converter */
	DT_BAD("=?UTF-8?Q?caf=C3?=", "caf\xef\xbf\xbd", 1, 0);
	DT_BAD("x =?UTF-8?Q?=FF?=", "x \xef\xbf\xbd", 1, 2);
	DT_BAD("=?UTF-8?Q?=C3?= x", "\xef\xbf\xbd x", 1, 0);
	/* bytes outside encoded words */
	DT_BAD("caf\xe9 ok", "caf\xef\xbf\xbd ok", 1, 3);
	DT_BAD("a\0b", "a\xef\xbf\xbd" "b", 1, 1);
	DT_BAD("a\rb", "a\xef\xbf\xbd" "b", 1, 1);
	DT_BAD("a\r\nb", "a\xef\xbf\xbd\xef\xbf\xbd" "b", 2, 1);
	DT("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");  /* RFC 6532 */
}
END_TEST

START_TEST(phrases)
{
	DP("Joe Q. Public", "Joe Q. Public");
	DP("\"Joe Q. Public\"", "Joe Q. Public");
	DP("\"Giant; \\\"Big\\\" Box\"", "Giant; \"Big\" Box");
	DP("Pete(A nice \\) chap)", "Pete");
	DP("  John \r\n Doe  ", "John Doe");
	DP("A Group(Some people)\r\n     ", "A Group");
	DP("(Empty list)(start)Hidden recipients  ", "Hidden recipients");
	DP("\"a\"\"b\"", "ab");
	DP("\"a\" b", "a b");
	DP("\"\" b", " b");
	DP("\"a \r\n b\"", "a  b");
	DP("=?UTF-8?Q?J=C3=B6rg?= Smith", "J\xc3\xb6rg Smith");
	DP("Smith =?UTF-8?Q?J=C3=B6rg?=", "Smith J\xc3\xb6rg");
	DP("=?UTF-8?Q?a?= \"b\" =?UTF-8?Q?c?=", "a b c");
	DP("=?UTF-8?Q?a?=(x)=?UTF-8?Q?b?=", "a b");
	DP("=?UTF-8?Q?a?=", "a");
	DP("", "");
	DP("(only a comment)", "");
	/* RFC 2047 5: not in a quoted string; reported */
	DP_BAD("\"=?UTF-8?Q?a?=\"", "=?UTF-8?Q?a?=", 1, 0);
	DP_BAD("Joe \"=?UTF-8?Q?a?= b\"", "Joe =?UTF-8?Q?a?= b", 1, 4);
	DP_BAD("Joe (unterminated", "Joe (unterminated", 1, 4);
	DP_BAD("Jo\xe9", "Jo\xef\xbf\xbd", 1, 2);
	DP_BAD("\"Jo\xe9\"", "Jo\xef\xbf\xbd", 1, 3);
}
END_TEST

START_TEST(structured_values)
{
	DS("=?UTF-8?Q?Smith=2C_J?= <j@x.test>", "\"Smith, J\" <j@x.test>");
	DS("=?UTF-8?Q?=22q=22_=5C?= <a@x>", "\"\\\"q\\\" \\\\\" <a@x>");
	DS("=?UTF-8?Q?_a?= <a@x>", "\" a\" <a@x>");
	DS("=?UTF-8?Q?a?=@example.org", "=?UTF-8?Q?a?=@example.org");
	DS("=?UTF-8?Q?a?= (c) @example.org", "=?UTF-8?Q?a?= (c) @example.org");
	DS("x@=?UTF-8?Q?a?=", "x@=?UTF-8?Q?a?=");
	DS("A <=?UTF-8?Q?a?=@x.test>", "A <=?UTF-8?Q?a?=@x.test>");
	DS("a@[=?UTF-8?Q?a?=]", "a@[=?UTF-8?Q?a?=]");
	DS("<=?UTF-8?Q?a?=@x> (=?UTF-8?Q?b?=)", "<=?UTF-8?Q?a?=@x> (b)");
	DS("\"=?UTF-8?Q?a?=\" <a@x>", "\"=?UTF-8?Q?a?=\" <a@x>");
	DS("john@example.org (=?UTF-8?Q?John_D=C3=B6e?=)", "john@example.org (John D\xc3\xb6" "e)");
	DS("G: =?UTF-8?Q?A?= <a@x>, b@x;", "G: A <a@x>, b@x;");
	DS("=?UTF-8?Q?a?=  =?UTF-8?Q?b?=   <a@x>", "ab   <a@x>");
	DS("=?UTF-8?Q?a?= b <x@y>", "a b <x@y>");
	DS("=?UTF-8?Q?a.?= b <x@y>", "\"a.\" b <x@y>");
	DS("Mary Smith\r\n    \r\n <mary@example.net>", "Mary Smith     <mary@example.net>");
	DS("(a (=?UTF-8?Q?b?= c) =?UTF-8?Q?d?=)", "(a (b c) d)");
	DS("from a.example (=?UTF-8?Q?h=C3=B4te?= [192.0.2.1]) by b.example; Thu, 1 Jan 2026",
	   "from a.example (h\xc3\xb4te [192.0.2.1]) by b.example; Thu, 1 Jan 2026");
	DS_BAD("=?UTF-8?Q?a?=\"open", "a\"open", 1, 13);
	DS_BAD("=?bogus?Q?a?= <x@y>", "=?bogus?Q?a?= <x@y>", 1, 0);
}
END_TEST

/* ---- encoding ---------------------------------------------------------------- */

static char *fold_encode(const char *name, const char *x, size_t n, enum mime_rfc2047_ctx ctx)
{
	struct mime_buf out = {0};
	struct mime_fold f;
	mime_fold_init(&f, &out);
	int r = mime_fold_begin(&f, name);
	if (!r && ctx == MIME_RFC2047_COMMENT)
		r = mime_fold_token(&f, "(", 1, MIME_FOLD_SPACE);
	if (!r)
		r = mime_rfc2047_encode(&f, x, n, ctx);
	if (!r && ctx == MIME_RFC2047_COMMENT)
		r = mime_fold_token(&f, ")", 1, MIME_FOLD_GLUE);
	if (!r)
		r = mime_fold_end(&f);
	ck_assert_int_eq(r, 0);
	return out.data;
}

static void check_encode(const char *name, const char *x, enum mime_rfc2047_ctx ctx,
			 const char *want)
{
	char *got = fold_encode(name, x, strlen(x), ctx);
	ck_assert_msg(strcmp(got, want) == 0, "encode \"%s\": got \"%s\", want \"%s\"", x, got, want);
	free(got);
}

START_TEST(encode_examples)
{
	check_encode("Subject", "Hello w\xc3\xb6rld", MIME_RFC2047_TEXT,
		     "Subject: Hello =?UTF-8?B?d8O2cmxk?=\r\n");
	check_encode("Subject", "plain ascii  two  spaces", MIME_RFC2047_TEXT,
		     "Subject: plain ascii  two  spaces\r\n");
	check_encode("Subject", " x", MIME_RFC2047_TEXT, "Subject: =?UTF-8?Q?_x?=\r\n");
	check_encode("Subject", "x ", MIME_RFC2047_TEXT, "Subject: =?UTF-8?Q?x_?=\r\n");
	check_encode("Subject", "=?x?Q?y?=", MIME_RFC2047_TEXT,
		     "Subject: =?UTF-8?B?PT94P1E/eT89?=\r\n");
	check_encode("Subject", "a=?b", MIME_RFC2047_TEXT, "Subject: =?UTF-8?Q?a=3D=3Fb?=\r\n");
	check_encode("Subject", "tab\there", MIME_RFC2047_TEXT, "Subject: =?UTF-8?Q?tab=09here?=\r\n");
	check_encode("Subject", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad"
		     "\xe3\x82\xb9\xe3\x83\x88", MIME_RFC2047_TEXT,
		     "Subject: =?UTF-8?B?5pel5pys6Kqe44OG44Kt44K544OI?=\r\n");
	/* a run: the space between the words inside the encoded word; B is
	 * shorter here */
	check_encode("Subject", "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e ok", MIME_RFC2047_TEXT,
		     "Subject: =?UTF-8?B?Y2Fmw6kgY3LDqG1lIGJyw7tsw6ll?= ok\r\n");
	/* RFC 2047 5(3): in a phrase "," and "." are encoded */
	check_encode("From", "J\xc3\xb6rg Smith, Jr.", MIME_RFC2047_PHRASE,
		     "From: =?UTF-8?Q?J=C3=B6rg_Smith=2C_Jr=2E?=\r\n");
	check_encode("From", "a  b", MIME_RFC2047_PHRASE, "From: a =?UTF-8?Q?_b?=\r\n");
	check_encode("From", "a b ", MIME_RFC2047_PHRASE, "From: a =?UTF-8?Q?b_?=\r\n");
	check_encode("From", "Joe (x)", MIME_RFC2047_PHRASE, "From: Joe =?UTF-8?B?KHgp?=\r\n");
	check_encode("From", "a!*+-/=_?b", MIME_RFC2047_PHRASE, "From: a!*+-/=_?b\r\n"); /* an atom */
	check_encode("From", "J\xc3\xb6rg!*+-/=_?xyzxyzxyz", MIME_RFC2047_PHRASE,
		     "From: =?UTF-8?Q?J=C3=B6rg!*+-/=3D=5F=3Fxyzxyzxyz?=\r\n");
	check_encode("X", "(a)", MIME_RFC2047_COMMENT, "X: (=?UTF-8?B?KGEp?=)\r\n");
	check_encode("X", "a \"b\" c", MIME_RFC2047_COMMENT, "X: (a \"b\" c)\r\n");
	check_encode("X", "\xc3\xa9t\xc3\xa9 x", MIME_RFC2047_COMMENT,
		     "X: (=?UTF-8?B?w6l0w6k=?= x)\r\n");
	check_encode("Subject", "", MIME_RFC2047_TEXT, "Subject:\r\n");
}
END_TEST

/* The value of a field written by fold_encode, unfolded, without the final
 * line break. */
static char *value_of(const char *field)
{
	struct mime_buf v = {0};
	const char *colon = strchr(field, ':');
	size_t n = strlen(colon + 1);
	ck_assert(n >= 2 && colon[n - 1] == '\r' && colon[n] == '\n');
	ck_assert_int_eq(mime_unstructured_unfold(colon + 1, n - 2, &v), 0);
	return v.data;
}

/* Every encoded word at most 75 characters, each decodable alone (so split
 * at character boundaries) without a defect; lines at most max. */
static void check_layout(const char *field, size_t max)
{
	const char *line = field;
	while (*line) {
		const char *end = strstr(line, "\r\n");
		ck_assert_ptr_nonnull(end);
		ck_assert_msg((size_t)(end - line) <= max, "line of %zu: %.*s", (size_t)(end - line),
			      (int)(end - line), line);
		line = end + 2;
	}
	for (const char *p = strstr(field, "=?UTF-8?"); p; p = strstr(p + 1, "=?UTF-8?")) {
		const char *e = strstr(p + 10, "?=");
		ck_assert_ptr_nonnull(e);
		size_t len = (size_t)(e + 2 - p);
		ck_assert_uint_le(len, 75);
		struct mime_buf o = {0};
		struct mime_defects df = {0};
		ck_assert_int_eq(mime_rfc2047_decode_text(p, len, &o, &df), 0);
		ck_assert_msg(df.count == 0, "%.*s: %s", (int)len, p, df.first);
		ck_assert(mime_utf8_valid(o.data, o.len));
		mime_buf_free(&o);
	}
}

static void check_round_trip(const char *x, size_t n, enum mime_rfc2047_ctx ctx, size_t max)
{
	char *field = fold_encode("Subject", x, n, ctx);
	char *v = value_of(field);
	struct mime_buf o = {0}, want = {0};
	struct mime_defects df = {0};
	check_layout(field, max);
	if (ctx == MIME_RFC2047_TEXT) {
		ck_assert(n == 0 || v[0] == ' ');
		ck_assert_int_eq(mime_rfc2047_decode_text(v + (n > 0), strlen(v) - (n > 0), &o, &df), 0);
		mime_buf_append(&want, x, n);
	} else if (ctx == MIME_RFC2047_PHRASE) {
		ck_assert_int_eq(mime_rfc2047_decode_phrase(v, strlen(v), &o, &df), 0);
		mime_buf_append(&want, x, n);
	} else {
		ck_assert_int_eq(mime_rfc2047_decode_structured(v, strlen(v), &o, &df), 0);
		mime_buf_puts(&want, " (");
		mime_buf_append(&want, x, n);
		mime_buf_puts(&want, ")");
	}
	ck_assert_msg(o.len == want.len && memcmp(o.data, want.data, o.len) == 0,
		      "ctx %d: \"%.*s\" -> %s -> \"%s\"", ctx, (int)n, x, field, o.data);
	ck_assert_msg(df.count == 0, "ctx %d: %s: defect %s", ctx, field, df.first);
	mime_buf_free(&o);
	mime_buf_free(&want);
	free(field);
	free(v);
}

/* RFC 2047 5: "Each 'encoded-word' MUST represent an integral number of
 * characters." Long runs of 2-, 3- and 4-byte characters, in every context. */
START_TEST(split_at_character_boundaries)
{
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
					    "a\xc3\xa9", "\xe6\x97\xa5" "a"};
	for (size_t c = 0; c < sizeof chars / sizeof *chars; c++) {
		for (int reps = 1; reps < 120; reps += 7) {
			struct mime_buf x = {0};
			for (int i = 0; i < reps; i++)
				mime_buf_puts(&x, chars[c]);
			for (int ctx = 0; ctx < 3; ctx++)
				check_round_trip(x.data, x.len, ctx, 78);
			mime_buf_free(&x);
		}
	}
}
END_TEST

/* Property: random UTF-8 text (fixed seed), every context:
 * decode(encode(x)) == x, encoded words <= 75, lines <= 78 (words here are
 * short, so a fold is always possible). */
START_TEST(property_round_trip)
{
	static const char *const pool[] = {
		"a", "b", "Z", "7", " ", " ", " ", "  ", "\t", ".", ",", ";", ":", "(", ")", "\"", "\\",
		"<", ">", "@", "[", "]", "=", "?", "_", "=?", "?=", "!", "*", "+", "-", "/", "#",
		"\x01", "\x7f", "\r\n", "\xc3\xa9", "\xc3\x9f", "\xe2\x82\xac", "\xe6\x97\xa5",
		"\xf0\x9f\x98\x80", "\xef\xbf\xbd", "word", "=?UTF-8?Q?x?=",
	};
	unsigned seed = 2047;
	for (int iter = 0; iter < 3000; iter++) {
		struct mime_buf x = {0};
		int len = rand_r(&seed) % 60, word = 0;
		mime_buf_puts(&x, "");
		for (int i = 0; i < len; i++) {
			const char *p = pool[rand_r(&seed) % (int)(sizeof pool / sizeof *pool)];
			word = p[0] == ' ' ? 0 : word + 1;
			if (word > 8) {     /* keep plain words short */
				p = " ";
				word = 0;
			}
			mime_buf_puts(&x, p);
		}
		check_round_trip(x.data, x.len, iter % 3, 78);
		mime_buf_free(&x);
	}
}
END_TEST

/* A word too long for any line is encoded, so that it can be split. */
START_TEST(long_words)
{
	struct mime_buf x = {0};
	for (int i = 0; i < 1200; i++)
		mime_buf_putc(&x, 'a' + i % 26);
	for (int ctx = 0; ctx < 3; ctx++)
		check_round_trip(x.data, x.len, ctx, 78);
	mime_buf_reset(&x);
	for (int i = 0; i < 100; i++)
		mime_buf_putc(&x, 'a' + i % 26);
	char *f = fold_encode("Subject", x.data, x.len, MIME_RFC2047_TEXT);
	ck_assert_str_eq(f + 9 + 100, "\r\n");   /* 100: kept as it is */
	free(f);
	mime_buf_free(&x);
}
END_TEST

Suite *suite_rfc2047(void)
{
	Suite *s = suite_create("rfc2047");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc2047_8_fields);
	tcase_add_test(tc, rfc2047_8_white_space);
	tcase_add_test(tc, rfc2231_language);
	tcase_add_test(tc, charsets_and_encodings);
	tcase_add_test(tc, malformed_words);
	tcase_add_test(tc, phrases);
	tcase_add_test(tc, structured_values);
	tcase_add_test(tc, encode_examples);
	tcase_add_test(tc, split_at_character_boundaries);
	tcase_add_test(tc, property_round_trip);
	tcase_add_test(tc, long_words);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
