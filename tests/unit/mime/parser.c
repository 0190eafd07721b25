/* The message parser: event streams, lossless raw view, chunking, limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

/* A transcript of the events, with consecutive body events merged, so that
 * different chunkings can be compared; and the raw bytes concatenated. */
struct run {
	struct mime_buf t;     /* transcript */
	struct mime_buf raw;   /* every event's raw bytes, in order */
	struct mime_buf body;  /* pending merged body: raw */
	struct mime_buf data;  /* pending merged body: data */
	struct mime_buf pdef;  /* defects met inside the pending body (their place
				  among body events depends on the chunking) */
	int body_kind, in_body;
	int error;
	size_t defects;
};

static void esc(struct mime_buf *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char b[8];
		if (c == '\r')
			mime_buf_puts(t, "\\r");
		else if (c == '\n')
			mime_buf_puts(t, "\\n");
		else if (c < 0x20 || c >= 0x7f || c == '\\') {
			snprintf(b, sizeof b, "\\x%02x", c);
			mime_buf_puts(t, b);
		} else
			mime_buf_putc(t, c);
	}
}

static void flush_body(struct run *r)
{
	if (!r->in_body)
		return;
	static const char *kinds[] = {"body", "preamble", "epilogue"};
	mime_buf_puts(&r->t, kinds[r->body_kind]);
	mime_buf_puts(&r->t, " ");
	esc(&r->t, r->body.data ? r->body.data : "", r->body.len);
	if (r->data.len != r->body.len || memcmp(r->data.data ? r->data.data : "", r->body.data ? r->body.data : "", r->body.len)) {
		mime_buf_puts(&r->t, " => ");
		esc(&r->t, r->data.data ? r->data.data : "", r->data.len);
	}
	mime_buf_puts(&r->t, "\n");
	if (r->pdef.len)
		mime_buf_append(&r->t, r->pdef.data, r->pdef.len);
	mime_buf_reset(&r->pdef);
	mime_buf_reset(&r->body);
	mime_buf_reset(&r->data);
	r->in_body = 0;
}

static void record(struct run *r, const struct mime_event *ev)
{
	mime_buf_append(&r->raw, ev->raw, ev->raw_len);
	if (ev->type == MIME_BODY) {
		if (r->in_body && (int)ev->body_kind != r->body_kind)
			flush_body(r);
		r->in_body = 1;
		r->body_kind = (int)ev->body_kind;
		mime_buf_append(&r->body, ev->raw, ev->raw_len);
		mime_buf_append(&r->data, ev->data, ev->len);
		return;
	}
	if (ev->type == MIME_DEFECT && r->in_body) {
		r->defects++;
		mime_buf_puts(&r->pdef, "defect ");
		mime_buf_puts(&r->pdef, ev->message);
		mime_buf_puts(&r->pdef, "\n");
		return;
	}
	flush_body(r);
	char line[600];
	const struct mime_part_info *pi = ev->part;
	switch (ev->type) {
	case MIME_PART_BEGIN:
		snprintf(line, sizeof line, "begin %s\n", pi->path);
		break;
	case MIME_FIELD:
		snprintf(line, sizeof line, "field %.*s\n", (int)ev->name_len, ev->name);
		break;
	case MIME_HEADER_END:
		snprintf(line, sizeof line, "type %s %s/%s%s%s%s%s%s%s%s%s\n", pi->path, pi->type, pi->subtype,
			 pi->boundary ? " b=" : "", pi->boundary ? pi->boundary : "",
			 pi->charset ? " cs=" : "", pi->charset ? pi->charset : "",
			 pi->cte_name ? " cte=" : "", pi->cte_name ? pi->cte_name : "",
			 pi->filename ? " fn=" : "", pi->filename ? pi->filename : "");
		break;
	case MIME_DELIMITER:
		snprintf(line, sizeof line, "delim%s\n", ev->close ? " close" : "");
		break;
	case MIME_PART_END:
		snprintf(line, sizeof line, "end %s\n", pi->path);
		break;
	case MIME_DEFECT:
		r->defects++;
		snprintf(line, sizeof line, "defect %s\n", ev->message);
		break;
	case MIME_ERROR:
		r->error = 1;
		snprintf(line, sizeof line, "error %s\n", ev->message);
		break;
	case MIME_END:
		snprintf(line, sizeof line, "END\n");
		break;
	default:
		return;
	}
	mime_buf_puts(&r->t, line);
}

/* Parse s in chunks of `chunk` bytes (0: all at once). */
static void parse(struct run *r, const char *s, size_t n, size_t chunk, unsigned flags,
		  const struct mime_limits *lim)
{
	memset(r, 0, sizeof *r);
	struct mime_parser *p = mime_parser_new(lim, flags);
	ck_assert_ptr_nonnull(p);
	struct mime_event ev;
	size_t off = 0;
	int done = 0;
	/* a private copy per chunk, freed after use: catches spans kept too long */
	while (!done) {
		size_t k = chunk ? (n - off < chunk ? n - off : chunk) : n - off;
		char *copy = k ? malloc(k) : NULL;
		if (k)
			memcpy(copy, s + off, k);
		mime_parser_feed(p, copy, k);
		off += k;
		for (;;) {
			enum mime_ev e = mime_parser_next(p, &ev);
			if (e == MIME_AWAIT)
				break;
			record(r, &ev);
			if (e == MIME_END || e == MIME_ERROR) {
				done = 1;
				break;
			}
		}
		free(copy);
		ck_assert(done || k > 0);
	}
	flush_body(r);
	mime_parser_free(p);
}

static void run_free(struct run *r)
{
	mime_buf_free(&r->t);
	mime_buf_free(&r->raw);
	mime_buf_free(&r->body);
	mime_buf_free(&r->data);
	mime_buf_free(&r->pdef);
}

/* Whole, byte by byte and in odd chunks: same transcript; raw == input. */
static void check_all_chunkings(const char *s, size_t n, unsigned flags, struct run *whole)
{
	parse(whole, s, n, 0, flags, NULL);
	if (!whole->error) {
		ck_assert_uint_eq(whole->raw.len, n);
		ck_assert(memcmp(whole->raw.data, s, n) == 0);
	}
	static const size_t chunks[] = {1, 2, 3, 7, 64, 1000};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		struct run r;
		parse(&r, s, n, chunks[i], flags, NULL);
		if (strcmp(r.t.data, whole->t.data) != 0)
			ck_abort_msg("chunk %zu differs:\n--- whole\n%s\n--- chunked\n%s", chunks[i],
				     whole->t.data, r.t.data);
		if (!r.error)
			ck_assert(r.raw.len == n && memcmp(r.raw.data, s, n) == 0);
		run_free(&r);
	}
}

#define MSG(...) __VA_ARGS__

static void expect(const char *msg, unsigned flags, const char *want)
{
	struct run r;
	check_all_chunkings(msg, strlen(msg), flags, &r);
	if (strcmp(r.t.data, want) != 0)
		ck_abort_msg("transcript:\n%s\nwanted:\n%s", r.t.data, want);
	run_free(&r);
}

START_TEST(simple_message)
{
	expect("From: a@example.org\r\nSubject: hi\r\n\r\nHello\r\nworld\r\n", 0,
	       "begin 1\nfield From\nfield Subject\ntype 1 text/plain\n"
	       "body Hello\\r\\nworld\\r\\n\nend 1\nEND\n");
}
END_TEST

START_TEST(multipart_with_preamble_and_epilogue)
{
	expect(MSG("Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n"
		   "preamble\r\n--xx\r\n\r\none\r\n--xx  \r\nContent-Type: text/html\r\n\r\n<b>\r\n"
		   "--xx--\r\nepilogue\r\n"), 0,
	       "begin 1\nfield Content-Type\ntype 1 multipart/mixed b=xx\n"
	       "preamble preamble\n"
	       "delim\nbegin 1.1\ntype 1.1 text/plain\nbody one\nend 1.1\n"
	       "delim\nbegin 1.2\nfield Content-Type\ntype 1.2 text/html\nbody <b>\nend 1.2\n"
	       "delim close\nepilogue epilogue\\r\\n\nend 1\nEND\n");
}
END_TEST

START_TEST(bare_lf_and_lookalike_boundaries)
{
	expect(MSG("Content-Type: multipart/alternative; boundary=b\n\n"
		   "--b\n\n--bb\n--b x\n-- b\n--b\n\nz\n--b--"), 0,
	       "begin 1\nfield Content-Type\ntype 1 multipart/alternative b=b\n"
	       "delim\nbegin 1.1\ntype 1.1 text/plain\nbody --bb\\n--b x\\n-- b\nend 1.1\n"
	       "delim\nbegin 1.2\ntype 1.2 text/plain\nbody z\nend 1.2\n"
	       "delim close\nend 1\nEND\n");
}
END_TEST

START_TEST(outer_boundary_closes_inner)
{
	expect(MSG("Content-Type: multipart/mixed; boundary=out\r\n\r\n"
		   "--out\r\nContent-Type: multipart/related; boundary=in\r\n\r\n"
		   "--in\r\n\r\nx\r\n--out\r\n\r\ny\r\n--out--\r\n"), 0,
	       "begin 1\nfield Content-Type\ntype 1 multipart/mixed b=out\n"
	       "delim\nbegin 1.1\nfield Content-Type\ntype 1.1 multipart/related b=in\n"
	       "delim\nbegin 1.1.1\ntype 1.1.1 text/plain\nbody x\nend 1.1.1\n"
	       "defect missing close delimiter before an outer boundary\nend 1.1\n"
	       "delim\nbegin 1.2\ntype 1.2 text/plain\nbody y\nend 1.2\n"
	       "delim close\nend 1\nEND\n");
}
END_TEST

START_TEST(message_rfc822_and_digest_default)
{
	expect(MSG("Content-Type: multipart/digest; boundary=d\r\n\r\n"
		   "--d\r\n\r\nSubject: inner\r\n\r\nbody\r\n"
		   "--d\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y\r\n\r\nb2\r\n--d--\r\n"), 0,
	       "begin 1\nfield Content-Type\ntype 1 multipart/digest b=d\n"
	       "delim\nbegin 1.1\ntype 1.1 message/rfc822\n"
	       "begin 1.1.1\nfield Subject\ntype 1.1.1 text/plain\nbody body\nend 1.1.1\nend 1.1\n"
	       "delim\nbegin 1.2\nfield Content-Type\ntype 1.2 message/rfc822\n"
	       "begin 1.2.1\nfield From\ntype 1.2.1 text/plain\nbody b2\nend 1.2.1\nend 1.2\n"
	       "delim close\nend 1\nEND\n");
}
END_TEST

START_TEST(missing_close_delimiter_at_end)
{
	expect(MSG("Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\nlast"), 0,
	       "begin 1\nfield Content-Type\ntype 1 multipart/mixed b=z\n"
	       "delim\nbegin 1.1\ntype 1.1 text/plain\nbody last\nend 1.1\n"
	       "defect missing close delimiter at end of input\nend 1\nEND\n");
}
END_TEST

START_TEST(decoding_bodies)
{
	expect(MSG("Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
		   "Content-Transfer-Encoding: base64\r\nContent-Type: application/octet-stream\r\n\r\n"
		   "aGVs\r\nbG8=\r\n--q\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
		   "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =\r\nnoir\r\n--q--\r\n"),
	       MIME_DECODE_CTE | MIME_DECODE_TEXT,
	       "begin 1\nfield Content-Type\ntype 1 multipart/mixed b=q\n"
	       "delim\nbegin 1.1\nfield Content-Transfer-Encoding\nfield Content-Type\n"
	       "type 1.1 application/octet-stream cte=base64\nbody aGVs\\r\\nbG8= => hello\nend 1.1\n"
	       "delim\nbegin 1.2\nfield Content-Type\nfield Content-Transfer-Encoding\n"
	       "type 1.2 text/plain cs=iso-8859-1 cte=quoted-printable\n"
	       "body caf=E9 =\\r\\nnoir => caf\\xc3\\xa9 noir\nend 1.2\ndelim close\nend 1\nEND\n");
}
END_TEST

START_TEST(no_header_no_body)
{
	expect("", 0, "begin 1\ndefect empty message\ntype 1 text/plain\nend 1\nEND\n");
	expect("\r\nbody only\r\n", 0, "begin 1\ntype 1 text/plain\nbody body only\\r\\n\nend 1\nEND\n");
}
END_TEST

static char *repeat(const char *unit, size_t times, const char *tail)
{
	size_t u = strlen(unit), t = strlen(tail);
	char *s = malloc(u * times + t + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * u, unit, u);
	memcpy(s + u * times, tail, t + 1);
	return s;
}

START_TEST(deep_nesting_is_bounded)
{
	/* 10,000 levels, each with its own boundary: beyond the depth limit the
	 * part is opaque, and memory stays bounded */
	size_t cap = 10000 * 64 + 16, len = 0;
	char *s = malloc(cap);
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"Content-Type: multipart/mixed; boundary=a%d\r\n\r\n--a%d\r\n", i, i);
	len += (size_t)snprintf(s + len, cap - len, "x\r\n");
	struct run r;
	parse(&r, s, len, 4096, 0, NULL);
	ck_assert(!r.error);
	ck_assert_uint_eq(r.defects, 1 + 63); /* the opaque part (depth 63), 63 unclosed multiparts */
	ck_assert(strstr(r.t.data, "defect nesting deeper than the limit") != NULL);
	ck_assert(r.raw.len == len && memcmp(r.raw.data, s, r.raw.len) == 0);
	run_free(&r);
	free(s);
	/* the same boundary at every level: each "--a" line closes the opaque
	 * part and opens a sibling, until the part limit stops the parse */
	s = repeat("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n", 10000, "x\r\n");
	parse(&r, s, strlen(s), 4096, 0, NULL);
	ck_assert(r.error);
	ck_assert(strstr(r.t.data, "error too many parts") != NULL);
	ck_assert(r.raw.len < strlen(s) && memcmp(r.raw.data, s, r.raw.len) == 0);
	run_free(&r);
	free(s);
}
END_TEST

START_TEST(huge_header_line_is_an_error)
{
	char *s = repeat("x", 1 << 20, "\r\n\r\nbody");
	memcpy(s, "Subject: ", 9);
	struct run r;
	parse(&r, s, strlen(s), 65536, 0, NULL);
	ck_assert(r.error);
	ck_assert(strstr(r.t.data, "error ") != NULL);
	run_free(&r);
	free(s);
}
END_TEST

START_TEST(nul_bytes_and_long_body_lines_pass)
{
	static const char m[] = "Subject: a\0b\r\n\r\nx\0y\r\n";
	struct run r;
	check_all_chunkings(m, sizeof m - 1, 0, &r);
	ck_assert(!r.error);
	run_free(&r);
	char *s = repeat("y", 3 << 20, "\r\n");
	char *msg = malloc(strlen(s) + 64);
	sprintf(msg, "Subject: long\r\n\r\n%s", s);
	parse(&r, msg, strlen(msg), 1 << 16, 0, NULL);
	ck_assert(!r.error);
	ck_assert(r.raw.len == strlen(msg) && memcmp(r.raw.data, msg, r.raw.len) == 0);
	run_free(&r);
	free(msg);
	free(s);
}
END_TEST

/* Every message of the shared test data: lossless and chunking-independent. */
static void check_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	static char buf[1 << 21];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct run r;
	check_all_chunkings(buf, n, MIME_DECODE_CTE | MIME_DECODE_TEXT, &r);
	ck_assert_msg(!r.error, "%s: %s", path, r.t.data);
	run_free(&r);
}

/* Inputs that fuzzing found (fuzz/seeds/parser/regress-*; the first byte
 * was the harness's chunk size): lossless in every chunking now. */
START_TEST(fuzz_regressions)
{
	FILE *l = popen("ls fuzz/seeds/parser/regress-* 2>/dev/null", "r");
	char path[512];
	int n = 0;
	while (l && fgets(path, sizeof path, l)) {
		path[strcspn(path, "\n")] = '\0';
		check_file(path);
		n++;
	}
	if (l)
		pclose(l);
	ck_assert_int_ge(n, 1);
}
END_TEST

START_TEST(shared_testdata)
{
	FILE *l = popen("ls ../shared/testdata/mime/mail-parser/eml/*/*.eml ../shared/testdata/mime/mrmime-bad/*.eml "
			"../shared/testdata/mime/hamlet/* 2>/dev/null", "r");
	char path[512];
	int n = 0;
	while (l && fgets(path, sizeof path, l)) {
		path[strcspn(path, "\n")] = '\0';
		check_file(path);
		n++;
	}
	if (l)
		pclose(l);
	if (n == 0)
		fprintf(stderr, "parser: ../shared/testdata absent: shared cases skipped\n");
}
END_TEST

Suite *suite_parser(void)
{
	Suite *s = suite_create("parser");
	TCase *tc = tcase_create("parser");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, simple_message);
	tcase_add_test(tc, multipart_with_preamble_and_epilogue);
	tcase_add_test(tc, bare_lf_and_lookalike_boundaries);
	tcase_add_test(tc, outer_boundary_closes_inner);
	tcase_add_test(tc, message_rfc822_and_digest_default);
	tcase_add_test(tc, missing_close_delimiter_at_end);
	tcase_add_test(tc, decoding_bodies);
	tcase_add_test(tc, no_header_no_body);
	tcase_add_test(tc, deep_nesting_is_bounded);
	tcase_add_test(tc, huge_header_line_is_an_error);
	tcase_add_test(tc, nul_bytes_and_long_body_lines_pass);
	tcase_add_test(tc, shared_testdata);
	tcase_add_test(tc, fuzz_regressions);
	suite_add_tcase(s, tc);
	return s;
}
