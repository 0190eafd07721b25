/* lib/io's TLS: a self-signed certificate made here (OpenSSL API), then
 * handshakes over memory only: whole flights and one byte at a time,
 * plaintext both ways, verification (trusted, wrong name, unknown CA,
 * --insecure), plaintext written before the handshake, close_notify. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

static char dir[64], cert[128], key[128];
static char err[256];

/* An EC P-256 key and a self-signed certificate for localhost and 127.0.0.1. */
static void make_cert(void)
{
	snprintf(dir, sizeof dir, "/tmp/ember-tls-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof cert, "%s/cert.pem", dir);
	snprintf(key, sizeof key, "%s/key.pem", dir);
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	ck_assert(pk && x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	const char *exts[][2] = {
		{"subjectAltName", "DNS:localhost,IP:127.0.0.1"},
		{"basicConstraints", "critical,CA:TRUE"},
	};
	for (size_t i = 0; i < 2; i++) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
		ck_assert_ptr_nonnull(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	ck_assert(X509_sign(x, pk, EVP_sha256()) > 0);
	FILE *f = fopen(cert, "w");
	ck_assert(f && PEM_write_X509(f, x));
	fclose(f);
	f = fopen(key, "w");
	ck_assert(f && PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static void remove_cert(void)
{
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

/* Move ciphertext both ways, at most chunk bytes per move; returns the
 * number of moves. */
static int pump(struct io_tls *a, struct io_tls *b, size_t chunk)
{
	char buf[16384];
	int moves = 0;
	size_t n;
	for (int again = 1; again;) {
		again = 0;
		struct io_tls *from[2] = {a, b}, *to[2] = {b, a};
		for (int i = 0; i < 2; i++) {
			size_t want = chunk < sizeof buf ? chunk : sizeof buf;
			if ((n = io_tls_take(from[i], buf, want)) > 0) {
				io_tls_feed(to[i], buf, n);
				moves++;
				again = 1;
			}
		}
	}
	return moves;
}

struct pair {
	struct io_tls_ctx *sc, *cc;
	struct io_tls *s, *c;
};

static void pair_new(struct pair *p, const struct io_tls_options *co, const char *host)
{
	struct io_tls_options so = {.cert_file = cert, .key_file = key};
	p->sc = io_tls_server_ctx(&so, err, sizeof err);
	ck_assert_msg(p->sc, "%s", err);
	p->cc = io_tls_client_ctx(co, err, sizeof err);
	ck_assert_msg(p->cc, "%s", err);
	p->s = io_tls_new(p->sc, NULL);
	p->c = io_tls_new(p->cc, host);
	ck_assert(p->s && p->c);
}

static void pair_free(struct pair *p)
{
	io_tls_free(p->s);
	io_tls_free(p->c);
	io_tls_ctx_free(p->sc);
	io_tls_ctx_free(p->cc);
}

/* read everything t has for us */
static size_t drain(struct io_tls *t, char *out, size_t cap)
{
	size_t got = 0;
	ssize_t r;
	while (got < cap && (r = io_tls_read(t, out + got, cap - got)) > 0)
		got += (size_t)r;
	return got;
}

static void exchange(size_t chunk, const char *host)
{
	struct io_tls_options co = {.ca_file = cert};
	struct pair p;
	pair_new(&p, &co, host);
	ck_assert_int_eq(io_tls_state(p.c), IO_TLS_HANDSHAKE);
	/* written before the handshake: queued */
	ck_assert_int_eq(io_tls_write(p.c, "EHLO client\r\n", 13), 0);
	int moves = pump(p.c, p.s, chunk);
	ck_assert_msg(io_tls_state(p.c) == IO_TLS_OPEN, "client: %s", io_tls_error(p.c));
	ck_assert_msg(io_tls_state(p.s) == IO_TLS_OPEN, "server: %s", io_tls_error(p.s));
	if (chunk == 1)
		ck_assert_int_gt(moves, 500);
	ck_assert_str_eq(io_tls_version(p.c), "TLSv1.3");
	char buf[300000];
	ck_assert_uint_eq(drain(p.s, buf, sizeof buf), 13);
	ck_assert(memcmp(buf, "EHLO client\r\n", 13) == 0);
	/* 200 kB from the server in several writes, moved at chunk bytes */
	enum { BIG = 200000 };
	char *msg = malloc(BIG);
	ck_assert_ptr_nonnull(msg);
	for (size_t i = 0; i < BIG; i++)
		msg[i] = (char)(i % 253);
	size_t sent = 0, got = 0;
	while (sent < BIG) {
		size_t n = BIG - sent < 30001 ? BIG - sent : 30001;
		ck_assert_int_eq(io_tls_write(p.s, msg + sent, n), 0);
		sent += n;
		pump(p.s, p.c, chunk);
		got += drain(p.c, buf + got, sizeof buf - got);
	}
	ck_assert_uint_eq(got, BIG);
	ck_assert(memcmp(buf, msg, BIG) == 0);
	/* nothing waits: reads say 0, not an error */
	ck_assert_int_eq(io_tls_read(p.c, buf, sizeof buf), 0);
	/* close_notify */
	io_tls_close(p.s);
	pump(p.s, p.c, chunk);
	ck_assert_int_eq(io_tls_read(p.c, buf, sizeof buf), -1);
	ck_assert_int_eq(io_tls_state(p.c), IO_TLS_CLOSED);
	ck_assert_int_eq(io_tls_write(p.c, "x", 1), -1);
	free(msg);
	pair_free(&p);
}

START_TEST(handshake_whole) { exchange(16384, "localhost"); }
END_TEST
START_TEST(handshake_one_byte) { exchange(1, "localhost"); }
END_TEST
START_TEST(handshake_ip) { exchange(7, "127.0.0.1"); }
END_TEST

static void refused(const struct io_tls_options *co, const char *host, const char *why)
{
	struct pair p;
	pair_new(&p, co, host);
	ck_assert_int_eq(io_tls_write(p.c, "secret", 6), 0);
	pump(p.c, p.s, 100);
	ck_assert_int_eq(io_tls_state(p.c), IO_TLS_FAILED);
	ck_assert_msg(strstr(io_tls_error(p.c), why), "%s", io_tls_error(p.c));
	char buf[64];
	ck_assert_int_le(drain(p.s, buf, sizeof buf), 0);   /* nothing leaked */
	ck_assert_int_eq(io_tls_write(p.c, "x", 1), -1);
	ck_assert_int_eq(io_tls_read(p.c, buf, sizeof buf), -1);
	pair_free(&p);
}

START_TEST(verification)
{
	struct io_tls_options trusted = {.ca_file = cert};
	refused(&trusted, "mail.example.org", "certificate verify failed: hostname mismatch");
	refused(&trusted, "192.0.2.1", "certificate verify failed: IP address mismatch");
	struct io_tls_options system = {0};   /* the system store does not know it */
	refused(&system, "localhost", "certificate verify failed: self-signed certificate");
	/* --insecure: any certificate, any name */
	struct io_tls_options insecure = {.insecure = 1};
	struct pair p;
	pair_new(&p, &insecure, "mail.example.org");
	pump(p.c, p.s, 1);
	ck_assert_int_eq(io_tls_state(p.c), IO_TLS_OPEN);
	pair_free(&p);
}
END_TEST

START_TEST(bad_files)
{
	struct io_tls_options o = {.cert_file = "/nonexistent/cert.pem"};
	ck_assert_ptr_null(io_tls_server_ctx(&o, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cert.pem"));
	ck_assert_ptr_null(io_tls_server_ctx(NULL, err, sizeof err));
	o = (struct io_tls_options){.cert_file = cert};  /* the key is not in it */
	ck_assert_ptr_null(io_tls_server_ctx(&o, err, sizeof err));
	o = (struct io_tls_options){.ca_file = "/nonexistent/ca.pem"};
	ck_assert_ptr_null(io_tls_client_ctx(&o, err, sizeof err));
	/* garbage from the peer */
	struct io_tls_options so = {.cert_file = cert, .key_file = key};
	struct io_tls_ctx *sc = io_tls_server_ctx(&so, err, sizeof err);
	ck_assert_ptr_nonnull(sc);
	struct io_tls *s = io_tls_new(sc, NULL);
	ck_assert_int_eq(io_tls_feed(s, "EHLO plain text\r\n", 17), -1);
	ck_assert_int_eq(io_tls_state(s), IO_TLS_FAILED);
	io_tls_free(s);
	io_tls_ctx_free(sc);
}
END_TEST

Suite *suite_tls(void)
{
	Suite *s = suite_create("io-tls");
	TCase *t = tcase_create("tls");
	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, make_cert, remove_cert);
	tcase_add_test(t, handshake_whole);
	tcase_add_test(t, handshake_one_byte);
	tcase_add_test(t, handshake_ip);
	tcase_add_test(t, verification);
	tcase_add_test(t, bad_files);
	suite_add_tcase(s, t);
	return s;
}
