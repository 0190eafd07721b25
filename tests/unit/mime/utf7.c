/* UTF-7 (RFC 2152) and IMAP modified UTF-7 (RFC 3501 5.1.3): the RFC
 * examples both ways, malformed input, round trips and chunking. */
#include <check.h>
#include <string.h>
#include "mime.h"

#define R "\xef\xbf\xbd" /* U+FFFD */

static const char *enc7(const char *utf8, uint64_t *nd)
{
	static struct mime_buf b;
	struct mime_utf7_enc e;
	struct mime_defects df = {0};
	mime_buf_reset(&b);
	mime_utf7_enc_init(&e);
	ck_assert_int_eq(mime_utf7_encode(&e, utf8, strlen(utf8), &b, &df), 0);
	ck_assert_int_eq(mime_utf7_encode(&e, NULL, 0, &b, &df), 0);
	if (nd)
		*nd = df.count;
	return b.data ? b.data : "";
}

static const char *dec7(const char *s, uint64_t *nd)
{
	static struct mime_buf b;
	struct mime_utf7_dec d;
	struct mime_defects df = {0};
	mime_buf_reset(&b);
	mime_utf7_dec_init(&d);
	ck_assert_int_eq(mime_utf7_decode(&d, s, strlen(s), &b, &df), 0);
	ck_assert_int_eq(mime_utf7_decode(&d, NULL, 0, &b, &df), 0);
	if (nd)
		*nd = df.count;
	ck_assert(mime_utf8_valid(b.data, b.len));
	return b.data ? b.data : "";
}

#define ENC_EQ(in, want, ndef) do { uint64_t n_; \
	ck_assert_str_eq(enc7(in, &n_), want); ck_assert_uint_eq(n_, ndef); } while (0)
#define DEC_EQ(in, want, ndef) do { uint64_t n_; \
	ck_assert_str_eq(dec7(in, &n_), want); ck_assert_uint_eq(n_, ndef); } while (0)

/* RFC 2152, "Examples" */
#define EX1_U "A\xe2\x89\xa2\xce\x91."             /* A≢Α. */
#define EX2_U "Hi Mom -\xe2\x98\xba-!"             /* Hi Mom -☺-! */
#define EX3_U "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" /* 日本語 */
#define EX4_U "Item 3 is \xc2\xa3" "1."            /* Item 3 is £1. */

START_TEST(rfc2152_examples_encode)
{
	ENC_EQ(EX1_U, "A+ImIDkQ.", 0);
	ENC_EQ(EX2_U, "Hi Mom -+Jjo--!", 0);
	ENC_EQ(EX3_U, "+ZeVnLIqe-", 0);
	ENC_EQ(EX4_U, "Item 3 is +AKM-1.", 0);
}
END_TEST

START_TEST(rfc2152_examples_decode)
{
	DEC_EQ("A+ImIDkQ.", EX1_U, 0);
	DEC_EQ("A+ImIDkQ-.", EX1_U, 0);
	DEC_EQ("Hi Mom -+Jjo--!", EX2_U, 0);
	DEC_EQ("+ZeVnLIqe-", EX3_U, 0);
	DEC_EQ("+ZeVnLIqe", EX3_U, 0);     /* the '-' at the end is optional */
	DEC_EQ("Item 3 is +AKM-1.", EX4_U, 0);
}
END_TEST

START_TEST(encode_details)
{
	ENC_EQ("", "", 0);
	ENC_EQ("a+b", "a+-b", 0);
	ENC_EQ("+", "+-", 0);
	ENC_EQ("~\\", "+AH4AXA-", 0);                      /* not in Set D or O */
	ENC_EQ("\xe6\x97\xa5" "a", "+ZeU-a", 0);           /* base64 char next: '-' */
	ENC_EQ("\xe6\x97\xa5.", "+ZeU.", 0);               /* not base64: no '-' */
	ENC_EQ("\xe6\x97\xa5-", "+ZeU--", 0);
	ENC_EQ("\xe6\x97\xa5 x", "+ZeU x", 0);
	ENC_EQ("\xe6\x97\xa5+", "+ZeUAKw-", 0);             /* '+' inside a run */
	ENC_EQ("\xe6\x97\xa5.+", "+ZeU.+-", 0);
	ENC_EQ("\xf0\x9f\x98\x80", "+2D3eAA-", 0);         /* surrogate pair */
	ENC_EQ("a\r\n\tb", "a\r\n\tb", 0);
	ENC_EQ("!\"#$%&*;<=>@[]^_`{|}", "!\"#$%&*;<=>@[]^_`{|}", 0);
	ENC_EQ("a\xff" "b", "a+//0-b", 1);                  /* invalid UTF-8: U+FFFD */
	ENC_EQ("\xe6\x97", "+//0-", 1);                     /* truncated at the end */
	ENC_EQ("\xc0\x80", "+//3//Q-", 2);
}
END_TEST

START_TEST(decode_details)
{
	DEC_EQ("", "", 0);
	DEC_EQ("+-", "+", 0);
	DEC_EQ("a+-+-b", "a++b", 0);
	DEC_EQ("+AGE-", "a", 0);
	DEC_EQ("+2D3eAA-", "\xf0\x9f\x98\x80", 0);
	DEC_EQ("+ZeU-a", "\xe6\x97\xa5" "a", 0);
	DEC_EQ("+ZeU--", "\xe6\x97\xa5-", 0);
	DEC_EQ("+ZeU.+-", "\xe6\x97\xa5.+", 0);
	DEC_EQ("+ZeU+-", "\xe6\x97\xa5" R, 1);             /* '+' is base64: a partial unit */
	DEC_EQ("~\\", "~\\", 0);                             /* tolerated as they are */
}
END_TEST

START_TEST(decode_malformed)
{
	DEC_EQ("a+", "a" R, 1);                   /* '+' at the end */
	DEC_EQ("a+ b", "a" R " b", 1);            /* '+' then not base64 */
	DEC_EQ("+AG-", R, 1);                     /* 12 bits: half a character */
	DEC_EQ("+ZeV-", "\xe6\x97\xa5", 1);       /* nonzero padding bits */
	DEC_EQ("+2D0-", R, 1);                    /* unpaired high surrogate */
	DEC_EQ("+2D0AQQ-", R "A", 1);             /* high then not low */
	DEC_EQ("+3gA-", R, 1);                    /* lone low surrogate */
	DEC_EQ("a\xc3\xa9", "a" R R, 2);          /* 8-bit bytes */
	DEC_EQ("+ZeU\xff", "\xe6\x97\xa5" R, 1);
}
END_TEST

START_TEST(decode_defect_offsets)
{
	struct mime_buf b = {0};
	struct mime_defects df = {0};
	struct mime_utf7_dec d;
	mime_utf7_dec_init(&d);
	ck_assert_int_eq(mime_utf7_decode(&d, "abc", 3, &b, &df), 0);
	ck_assert_int_eq(mime_utf7_decode(&d, "+A", 2, &b, &df), 0);
	ck_assert_int_eq(mime_utf7_decode(&d, "G.", 2, &b, &df), 0);
	ck_assert_int_eq(mime_utf7_decode(&d, NULL, 0, &b, &df), 0);
	ck_assert_uint_eq(df.count, 1);
	ck_assert_uint_eq(df.first_offset, 3);
	ck_assert_str_eq(b.data, "abc" R ".");
	mime_buf_free(&b);
}
END_TEST

/* ---- IMAP ----------------------------------------------------------------------- */

#define IMAP_U "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
#define IMAP_7 "~peter/mail/&U,BTFw-/&ZeVnLIqe-"

static int imap_enc(const char *s, size_t n, struct mime_buf *b)
{
	mime_buf_reset(b);
	return mime_imap_utf7_encode(s, n, b);
}

static int imap_dec(const char *s, struct mime_buf *b)
{
	mime_buf_reset(b);
	return mime_imap_utf7_decode(s, strlen(s), b);
}

START_TEST(rfc3501_example)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(imap_enc(IMAP_U, strlen(IMAP_U), &b), 0);
	ck_assert_str_eq(b.data, IMAP_7);
	ck_assert_int_eq(imap_dec(IMAP_7, &b), 0);
	ck_assert_str_eq(b.data, IMAP_U);
	mime_buf_free(&b);
}
END_TEST

START_TEST(imap_encode_details)
{
	struct mime_buf b = {0};
	static const char *const cases[][2] = {
		{"", ""}, {"INBOX", "INBOX"}, {"&", "&-"}, {"a&b&", "a&-b&-"},
		{"~\\ +/-", "~\\ +/-"}, {"\t", "&AAk-"}, {"\x7f", "&AH8-"},
		{"\xc3\xa9t\xc3\xa9", "&AOk-t&AOk-"}, {"\xf0\x9f\x98\x80", "&2D3eAA-"},
		{"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", "&IKwgrCCs-"},
		{"\xc3\xbf\xc3\xbf", "&AP8A,w-"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_int_eq(imap_enc(cases[i][0], strlen(cases[i][0]), &b), 0);
		ck_assert_str_eq(b.data, cases[i][1]);
		ck_assert_int_eq(imap_dec(cases[i][1], &b), 0);
		ck_assert_str_eq(b.data, cases[i][0]);
	}
	/* invalid UTF-8: -2, and out keeps what it had */
	mime_buf_reset(&b);
	mime_buf_puts(&b, "keep");
	ck_assert_int_eq(mime_imap_utf7_encode("a\xff", 2, &b), -2);
	ck_assert_int_eq(mime_imap_utf7_encode("\xed\xa0\x80", 3, &b), -2);
	ck_assert_int_eq(mime_imap_utf7_encode("\xe2\x82", 2, &b), -2);
	ck_assert_str_eq(b.data, "keep");
	mime_buf_free(&b);
}
END_TEST

START_TEST(imap_decode_strict)
{
	static const char *const bad[] = {
		"&U,BTFw",        /* not closed */
		"&",
		"a&",
		"&AGE-",          /* 'a' must represent itself */
		"&ACY-",          /* so must '&' ("&-") */
		"&U,BTF-",        /* partial character */
		"&ZeV-",          /* nonzero padding bits */
		"&U/BTFw-",       /* '/' is not in modified base64 */
		"&U,BTFw-&ZeVnLIqe-", /* two adjacent runs */
		"&2D0-",          /* unpaired high surrogate */
		"&2D0AOQ-",       /* high then not low */
		"&3gA-",          /* lone low surrogate */
		"a\tb",           /* not printable US-ASCII */
		"\xc3\xa9",       /* 8-bit */
		"a\x7f",
		"&Jjo=-",         /* no padding characters */
	};
	struct mime_buf b = {0};
	mime_buf_puts(&b, "keep");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_msg(mime_imap_utf7_decode(bad[i], strlen(bad[i]), &b) == -2, "%s", bad[i]);
		ck_assert_str_eq(b.data, "keep");
	}
	ck_assert_int_eq(mime_imap_utf7_decode("a\0b", 3, &b), -2);
	ck_assert_int_eq(imap_dec("&-&U,BTFw-&-", &b), 0); /* "&-" next to a run is fine */
	ck_assert_str_eq(b.data, "&\xe5\x8f\xb0\xe5\x8c\x97&");
	mime_buf_free(&b);
}
END_TEST

/* ---- properties ------------------------------------------------------------------- */

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* Random well-formed UTF-8 mixing ASCII (all of it, '+', '-', '&' often),
 * BMP and astral code points. */
static void random_text(uint64_t *seed, struct mime_buf *b)
{
	mime_buf_reset(b);
	for (int k = rnd(seed) % 40; k > 0; k--) {
		uint32_t cp, r = rnd(seed) % 8;
		if (r < 3)
			cp = rnd(seed) % 0x80;
		else if (r == 3)
			cp = "+-&A/~"[rnd(seed) % 6];
		else if (r < 6)
			cp = 0x80 + rnd(seed) % (0x10000 - 0x80);
		else
			cp = 0x10000 + rnd(seed) % 0x100000;
		if (cp >= 0xD800 && cp < 0xE000)
			cp = 0x263A;
		ck_assert_int_eq(mime_utf8_put(b, cp), 0);
	}
}

static void utf7_encode_by(const struct mime_buf *in, size_t step, struct mime_buf *out)
{
	struct mime_utf7_enc e;
	mime_utf7_enc_init(&e);
	mime_buf_reset(out);
	for (size_t i = 0; i < in->len; i += step) {
		size_t k = step < in->len - i ? step : in->len - i;
		ck_assert_int_eq(mime_utf7_encode(&e, in->data + i, k, out, NULL), 0);
	}
	ck_assert_int_eq(mime_utf7_encode(&e, NULL, 0, out, NULL), 0);
}

static void utf7_decode_by(const struct mime_buf *in, size_t step, struct mime_buf *out,
		struct mime_defects *df)
{
	struct mime_utf7_dec d;
	mime_utf7_dec_init(&d);
	mime_buf_reset(out);
	for (size_t i = 0; i < in->len; i += step) {
		size_t k = step < in->len - i ? step : in->len - i;
		ck_assert_int_eq(mime_utf7_decode(&d, in->data + i, k, out, df), 0);
	}
	ck_assert_int_eq(mime_utf7_decode(&d, NULL, 0, out, df), 0);
}

static void assert_same(const struct mime_buf *a, const struct mime_buf *b)
{
	ck_assert_uint_eq(a->len, b->len);
	ck_assert(a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

START_TEST(utf7_round_trip)
{
	uint64_t seed = 0x2152;
	struct mime_buf x = {0}, e1 = {0}, e2 = {0}, y = {0}, y1 = {0};
	for (int round = 0; round < 2000; round++) {
		random_text(&seed, &x);
		utf7_encode_by(&x, x.len ? x.len : 1, &e1);
		utf7_encode_by(&x, 1, &e2);
		assert_same(&e1, &e2);
		for (size_t i = 0; i < e1.len; i++)
			ck_assert_int_lt((unsigned char)e1.data[i], 0x80);
		struct mime_defects d = {0}, d1 = {0};
		utf7_decode_by(&e1, e1.len ? e1.len : 1, &y, &d);
		utf7_decode_by(&e1, 1, &y1, &d1);
		ck_assert_uint_eq(d.count, 0);
		ck_assert_uint_eq(d1.count, 0);
		assert_same(&x, &y);
		assert_same(&x, &y1);
	}
	mime_buf_free(&x);
	mime_buf_free(&e1);
	mime_buf_free(&e2);
	mime_buf_free(&y);
	mime_buf_free(&y1);
}
END_TEST

/* Arbitrary bytes into both streaming machines: one byte at a time gives
 * what the whole buffer gives, and the output is well-formed. */
START_TEST(utf7_chunking_on_garbage)
{
	uint64_t seed = 7;
	static const char pick[] = "+-AZaz09/+.\xff\xe6\x97\xa5 ~";
	struct mime_buf in = {0}, a = {0}, b = {0}, c = {0}, e = {0};
	for (int round = 0; round < 2000; round++) {
		mime_buf_reset(&in);
		for (int k = rnd(&seed) % 60; k > 0; k--)
			mime_buf_putc(&in, pick[rnd(&seed) % (sizeof pick - 1)]);
		struct mime_defects da = {0}, db = {0};
		utf7_decode_by(&in, in.len ? in.len : 1, &a, &da);
		utf7_decode_by(&in, 1, &b, &db);
		assert_same(&a, &b);
		ck_assert_uint_eq(da.count, db.count);
		ck_assert_uint_eq(da.first_offset, db.first_offset);
		ck_assert(mime_utf8_valid(a.data, a.len));
		utf7_encode_by(&in, in.len ? in.len : 1, &c);
		utf7_encode_by(&in, 1, &e);
		assert_same(&c, &e);
	}
	mime_buf_free(&in);
	mime_buf_free(&a);
	mime_buf_free(&b);
	mime_buf_free(&c);
	mime_buf_free(&e);
}
END_TEST

START_TEST(imap_round_trip)
{
	uint64_t seed = 0x3501;
	struct mime_buf x = {0}, e = {0}, y = {0}, e2 = {0};
	for (int round = 0; round < 2000; round++) {
		random_text(&seed, &x);
		ck_assert_int_eq(imap_enc(x.data, x.len, &e), 0);
		for (size_t i = 0; i < e.len; i++)
			ck_assert(e.data[i] >= 0x20 && e.data[i] <= 0x7e);
		mime_buf_reset(&y);
		ck_assert_int_eq(mime_imap_utf7_decode(e.data, e.len, &y), 0);
		assert_same(&x, &y);
		/* the encoding is canonical: encode(decode(s)) == s */
		ck_assert_int_eq(imap_enc(y.data, y.len, &e2), 0);
		assert_same(&e, &e2);
	}
	mime_buf_free(&x);
	mime_buf_free(&e);
	mime_buf_free(&y);
	mime_buf_free(&e2);
}
END_TEST

Suite *suite_utf7(void)
{
	Suite *s = suite_create("utf7");
	TCase *tc = tcase_create("utf7");
	tcase_add_test(tc, rfc2152_examples_encode);
	tcase_add_test(tc, rfc2152_examples_decode);
	tcase_add_test(tc, encode_details);
	tcase_add_test(tc, decode_details);
	tcase_add_test(tc, decode_malformed);
	tcase_add_test(tc, decode_defect_offsets);
	tcase_add_test(tc, rfc3501_example);
	tcase_add_test(tc, imap_encode_details);
	tcase_add_test(tc, imap_decode_strict);
	tcase_add_test(tc, utf7_round_trip);
	tcase_add_test(tc, utf7_chunking_on_garbage);
	tcase_add_test(tc, imap_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
