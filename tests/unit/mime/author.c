/* mime_author: the one strict reader of a message's author, on every case
 * it accepts and every reason it refuses. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mime.h"

/* The verdict as one line: "ok ADDRESS DOMAIN [flag]" or "REASON@LINE". */
static const char *author(const char *msg, size_t len)
{
	static char out[512];
	struct mime_author a;
	enum mime_author_status st = mime_author_read(msg, len, NULL, &a);
	ck_assert_int_eq(st, a.status);
	if (st == MIME_AUTHOR_OK)
		snprintf(out, sizeof out, "ok %s %s%s", a.address.data, a.domain.data,
			 a.flags & MIME_AUTHOR_NAME_LOOKS_LIKE_ADDRESS ? " looks-like-address" : "");
	else
		snprintf(out, sizeof out, "%s@%lu", mime_author_reason(st), a.line);
	if (st != MIME_AUTHOR_OK) {
		ck_assert_uint_eq(a.address.len, 0);
		ck_assert_uint_eq(a.domain.len, 0);
		ck_assert_ptr_null(a.mailbox.local);
	}
	mime_author_free(&a);
	return out;
}

#define A(m) author(m, sizeof(m) - 1)

START_TEST(accepted)
{
	ck_assert_str_eq(A("From: user@example.org\r\n\r\nbody"), "ok user@example.org example.org");
	/* the domain lowercased; the address as written */
	ck_assert_str_eq(A("From: User <User@EXAMPLE.Org>\r\n\r\n"), "ok User@EXAMPLE.Org example.org");
	/* IDN: the domain as an A-label */
	ck_assert_str_eq(A("From: user@b\xc3\xbc" "cher.example\r\n\r\n"),
			 "ok user@b\xc3\xbc" "cher.example xn--bcher-kva.example");
	/* the address as ember addr shows it (U-labels) */
	ck_assert_str_eq(A("From: a@xn--bcher-kva.example\r\n\r\n"),
			 "ok a@b\xc3\xbc" "cher.example xn--bcher-kva.example");
	ck_assert_str_eq(A("From: a@XN--BCHER-KVA.Example\r\n\r\n"),
			 "ok a@B\xc3\xbc" "CHER.Example xn--bcher-kva.example");
	ck_assert_str_eq(A("From: =?UTF-8?Q?J=C3=B6rg?= <j@x.example>\n\n"), "ok j@x.example x.example");
	/* folding, comments, a quoted local part, an obsolete route */
	ck_assert_str_eq(A("From: (c) a@x.example\r\n (d)\r\n\r\n"), "ok a@x.example x.example");
	ck_assert_str_eq(A("From: \"a b\"@x.example\r\n\r\n"), "ok \"a b\"@x.example x.example");
	ck_assert_str_eq(A("From: <@r.example:a@x.example>\r\n\r\n"), "ok a@x.example x.example");
	/* a From in the body is not the author's; nor is a repeated Sender a reason */
	ck_assert_str_eq(A("From: a@x.example\r\n\r\nFrom: b@y.example\r\n"), "ok a@x.example x.example");
	ck_assert_str_eq(A("From: a@x.example\r\nSender: s@x.example\r\nSender: t@x.example\r\n\r\n"),
			 "ok a@x.example x.example");
	/* a header without a body, without a final line break */
	ck_assert_str_eq(A("From: a@x.example"), "ok a@x.example x.example");
}
END_TEST

START_TEST(display_name_like_an_address)
{
	/* flagged, not fatal: the author is the address */
	ck_assert_str_eq(A("From: \"ceo@bank.example\" <x@evil.example>\r\n\r\n"),
			 "ok x@evil.example evil.example looks-like-address");
	ck_assert_str_eq(A("From: =?UTF-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?= <x@evil.example>\r\n\r\n"),
			 "ok x@evil.example evil.example looks-like-address");
	ck_assert_str_eq(A("From: \"Bank <ceo\" <x@evil.example>\r\n\r\n"),
			 "ok x@evil.example evil.example looks-like-address");
	ck_assert_str_eq(A("From: x@evil.example (ceo@bank.example)\r\n\r\n"),
			 "ok x@evil.example evil.example looks-like-address");
}
END_TEST

START_TEST(refused)
{
	ck_assert_str_eq(A("To: a@x.example\r\n\r\n"), "no From field@0");
	ck_assert_str_eq(A(""), "no From field@0");
	ck_assert_str_eq(A("From: a@x.example\r\nTo: b@y.example\r\nFrom: c@z.example\r\n\r\n"),
			 "several From fields@1");
	ck_assert_str_eq(A("FROM: a@x.example\r\nfrom: a@x.example\r\n\r\n"), "several From fields@1");
	ck_assert_str_eq(A("From: a@x.example, b@y.example\r\n\r\n"), "several mailboxes in From@1");
	ck_assert_str_eq(A("Subject: s\r\nFrom: Team: a@x.example;\r\n\r\n"), "group in From@2");
	ck_assert_str_eq(A("From: undisclosed:;\r\n\r\n"), "group in From@1");
	ck_assert_str_eq(A("From: <a@>\r\n\r\n"), "malformed From@1");
	ck_assert_str_eq(A("From: \r\n\r\n"), "malformed From@1");
	ck_assert_str_eq(A("From: a@x.example b@y.example\r\n\r\n"), "malformed From@1");
	ck_assert_str_eq(A("From: a@[192.0.2.1]\r\n\r\n"), "domain literal in From@1");
	ck_assert_str_eq(A("From: a@xn--zz-.example\r\n\r\n"), "malformed From@1");
	ck_assert_str_eq(A("From: a@\xe2\x98\x83.example\r\n\r\n"), "malformed From@1");
	ck_assert_str_eq(A("From : a@x.example\r\n\r\n"), "white space before the colon of From@1");
}
END_TEST

START_TEST(structural_defects)
{
	/* a line that is not a field ends the header: the From after it is body */
	ck_assert_str_eq(A("Subject: x\r\ngarbage\r\nFrom: a@x.example\r\n\r\n"),
			 "the header has a structural defect@2");
	ck_assert_str_eq(A("From: a@x.example\r\ngarbage line\r\n\r\n"),
			 "the header has a structural defect@2");
	ck_assert_str_eq(A("From: a@x.example\r\nSubject: a\0b\r\n\r\n"),
			 "the header has a structural defect@2");
	ck_assert_str_eq(A("From: a@x.example\r\nSubject: a\rb\r\n\r\n"),
			 "the header has a structural defect@2");
	ck_assert_str_eq(A(" x\r\nFrom: a@x.example\r\n\r\n"), "the header has a structural defect@1");
	ck_assert_str_eq(A("From: a@x.example\r\nF\xc3\xb6rm: b@y.example\r\n\r\n"),
			 "the header has a structural defect@2");
	/* several From fields is said first: it is the attack */
	ck_assert_str_eq(A("From: a@x.example\r\nFrom: b@y.example\r\nbad\r\n\r\n"),
			 "several From fields@1");
}
END_TEST

START_TEST(limits_and_streaming)
{
	/* a header that cannot be read whole has no author */
	struct mime_hdr_limits lim = {.max_header = 64};
	char msg[256];
	snprintf(msg, sizeof msg, "From: a@x.example\r\nSubject: %080d\r\n\r\n", 0);
	struct mime_author a;
	ck_assert_int_eq(mime_author_read(msg, strlen(msg), &lim, &a), MIME_AUTHOR_STRUCTURE);
	ck_assert_str_eq(a.detail, "header longer than the limit");
	mime_author_free(&a);
	/* fed field by field, as a verifier does: the same verdict */
	const char *m = "Received: x\r\nFrom: Z <z@Q.example>\r\n\r\n";
	struct mime_hdr_reader *r = mime_hdr_reader_new(NULL);
	mime_author_init(&a);
	for (size_t i = 0; m[i]; i++) {
		mime_hdr_reader_feed(r, m + i, 1);
		struct mime_field f;
		enum mime_hdr_ev ev;
		while ((ev = mime_hdr_reader_next(r, &f)) != MIME_HDR_AWAIT && ev != MIME_HDR_END) {
			if (ev == MIME_HDR_FIELD)
				mime_author_field(&a, &f);
			else if (ev == MIME_HDR_DEFECT)
				mime_author_defect(&a, &f);
		}
		if (ev == MIME_HDR_END)
			break;
	}
	ck_assert_int_eq(mime_author_finish(&a), MIME_AUTHOR_OK);
	ck_assert_str_eq(a.domain.data, "q.example");
	ck_assert_uint_eq(a.line, 2);
	ck_assert_uint_eq(a.offset, 13);
	mime_author_free(&a);
	mime_hdr_reader_free(r);
	ck_assert_str_eq(mime_author_reason(MIME_AUTHOR_OK), "");
}
END_TEST

Suite *suite_author(void)
{
	Suite *s = suite_create("author");
	TCase *t = tcase_create("author");
	tcase_add_test(t, accepted);
	tcase_add_test(t, display_name_like_an_address);
	tcase_add_test(t, refused);
	tcase_add_test(t, structural_defects);
	tcase_add_test(t, limits_and_streaming);
	suite_add_tcase(s, t);
	return s;
}
