/* TLS through OpenSSL memory BIOs: ciphertext in and out through the
 * caller's hands, plaintext in and out; no fd. See io.h. */
#include "io.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct io_tls_ctx {
	SSL_CTX *ssl;
	int server;
	int insecure;
};

struct io_tls {
	SSL *ssl;
	BIO *in;              /* ciphertext from the peer, read by OpenSSL */
	BIO *out;             /* ciphertext OpenSSL wrote, for the peer */
	enum io_tls_state state;
	struct io_buf queued; /* plaintext written before OpenSSL could take it */
	int verify;           /* client: the certificate is checked */
	char err[256];
};

static void openssl_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[200] = "unknown error";
	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	snprintf(err, errlen, "%s: %s", what, buf);
}

static struct io_tls_ctx *ctx_new(const SSL_METHOD *m, int server, char *err, size_t errlen)
{
	struct io_tls_ctx *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(c->ssl = SSL_CTX_new(m))) {
		openssl_error(err, errlen, "TLS");
		free(c);
		return NULL;
	}
	c->server = server;
	SSL_CTX_set_min_proto_version(c->ssl, TLS1_2_VERSION);
	/* thousands of idle sessions: no buffers kept while idle */
	SSL_CTX_set_mode(c->ssl, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(c->ssl, SSL_OP_NO_RENEGOTIATION);
	return c;
}

static int load_cert(struct io_tls_ctx *c, const struct io_tls_options *o, char *err, size_t errlen)
{
	const char *key = o->key_file ? o->key_file : o->cert_file;
	if (SSL_CTX_use_certificate_chain_file(c->ssl, o->cert_file) != 1) {
		openssl_error(err, errlen, o->cert_file);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(c->ssl, key, SSL_FILETYPE_PEM) != 1) {
		openssl_error(err, errlen, key);
		return -1;
	}
	if (SSL_CTX_check_private_key(c->ssl) != 1) {
		snprintf(err, errlen, "%s: the key does not match the certificate", key);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

struct io_tls_ctx *io_tls_server_ctx(const struct io_tls_options *o, char *err, size_t errlen)
{
	if (!o || !o->cert_file) {
		snprintf(err, errlen, "TLS server: no certificate");
		return NULL;
	}
	struct io_tls_ctx *c = ctx_new(TLS_server_method(), 1, err, errlen);
	if (c && load_cert(c, o, err, errlen) < 0) {
		io_tls_ctx_free(c);
		return NULL;
	}
	return c;
}

struct io_tls_ctx *io_tls_client_ctx(const struct io_tls_options *o, char *err, size_t errlen)
{
	static const struct io_tls_options none = {0};
	if (!o)
		o = &none;
	struct io_tls_ctx *c = ctx_new(TLS_client_method(), 0, err, errlen);
	if (!c)
		return NULL;
	c->insecure = o->insecure;
	if (o->cert_file && load_cert(c, o, err, errlen) < 0)
		goto fail;
	if (o->insecure) {
		SSL_CTX_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
		return c;
	}
	SSL_CTX_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
	if (o->ca_file ? SSL_CTX_load_verify_locations(c->ssl, o->ca_file, NULL) != 1
	    : SSL_CTX_set_default_verify_paths(c->ssl) != 1) {
		openssl_error(err, errlen, o->ca_file ? o->ca_file : "the system's CA store");
		goto fail;
	}
	return c;
fail:
	io_tls_ctx_free(c);
	return NULL;
}

void io_tls_ctx_free(struct io_tls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ssl);
	free(c);
}

/* ---- sessions ------------------------------------------------------------------ */

struct io_tls *io_tls_new(struct io_tls_ctx *c, const char *host)
{
	struct io_tls *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ssl = SSL_new(c->ssl);
	t->in = BIO_new(BIO_s_mem());
	t->out = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->in || !t->out) {
		BIO_free(t->in);
		BIO_free(t->out);
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	/* an empty BIO means "not yet", not end of file */
	BIO_set_mem_eof_return(t->in, -1);
	BIO_set_mem_eof_return(t->out, -1);
	SSL_set_bio(t->ssl, t->in, t->out);
	if (c->server) {
		SSL_set_accept_state(t->ssl);
		return t;
	}
	SSL_set_connect_state(t->ssl);
	t->verify = !c->insecure;
	if (host && *host) {
		unsigned char ip[16];
		int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
		int ok = 1;
		if (!is_ip)  /* RFC 6066 3: no SNI for an address */
			ok = SSL_set_tlsext_host_name(t->ssl, host) == 1;
		if (ok && t->verify)
			ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host) == 1
				   : SSL_set1_host(t->ssl, host) == 1;
		if (!ok) {
			ERR_clear_error();
			io_tls_free(t);
			return NULL;
		}
	}
	return t;
}

void io_tls_free(struct io_tls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);  /* frees the BIOs */
	io_buf_free(&t->queued);
	free(t);
}

enum io_tls_state io_tls_state(const struct io_tls *t) { return t->state; }
const char *io_tls_error(const struct io_tls *t) { return t->err[0] ? t->err : "no error"; }
const char *io_tls_version(const struct io_tls *t) { return SSL_get_version(t->ssl); }
const char *io_tls_cipher(const struct io_tls *t) { return SSL_get_cipher_name(t->ssl); }

static void fail(struct io_tls *t, int code)
{
	t->state = IO_TLS_FAILED;
	long v = SSL_get_verify_result(t->ssl);
	if (t->verify && v != X509_V_OK) {
		snprintf(t->err, sizeof t->err, "certificate verify failed: %s",
			 X509_verify_cert_error_string(v));
		ERR_clear_error();
	} else if (code == SSL_ERROR_SSL || ERR_peek_error()) {
		openssl_error(t->err, sizeof t->err, "TLS");
	} else {
		snprintf(t->err, sizeof t->err, "TLS: error %d", code);
	}
}

/* 0 when OpenSSL only waits for bytes; -1 when the session failed. */
static int wants(struct io_tls *t, int r)
{
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN) {
		t->state = IO_TLS_CLOSED;
		return -1;
	}
	fail(t, e);
	return -1;
}

/* Write the queued plaintext, as much as OpenSSL takes. */
static int flush_queued(struct io_tls *t)
{
	while (io_buf_pending(&t->queued)) {
		size_t w = 0;
		ERR_clear_error();
		int r = SSL_write_ex(t->ssl, t->queued.data + t->queued.off, io_buf_pending(&t->queued), &w);
		if (r != 1)
			return wants(t, r);
		io_buf_drop(&t->queued, w);  /* += w: a short write is not all */
	}
	return 0;
}

static int step(struct io_tls *t)
{
	if (t->state == IO_TLS_HANDSHAKE) {
		ERR_clear_error();
		int r = SSL_do_handshake(t->ssl);
		if (r != 1)
			return wants(t, r);
		t->state = IO_TLS_OPEN;
	}
	if (t->state == IO_TLS_OPEN)
		return flush_queued(t);
	return t->state == IO_TLS_FAILED ? -1 : 0;
}

int io_tls_feed(struct io_tls *t, const void *buf, size_t n)
{
	if (t->state == IO_TLS_FAILED)
		return -1;
	const char *p = buf;
	while (n) {
		int chunk = n > 1 << 30 ? 1 << 30 : (int)n;
		int w = BIO_write(t->in, p, chunk);
		if (w <= 0) {
			snprintf(t->err, sizeof t->err, "TLS: out of memory");
			t->state = IO_TLS_FAILED;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return step(t) < 0 && t->state == IO_TLS_FAILED ? -1 : 0;
}

ssize_t io_tls_read(struct io_tls *t, void *buf, size_t n)
{
	if (step(t) < 0 || t->state != IO_TLS_OPEN)
		return t->state == IO_TLS_HANDSHAKE ? 0 : -1;
	size_t got = 0;
	ERR_clear_error();
	int r = SSL_read_ex(t->ssl, buf, n, &got);
	if (r == 1)
		return (ssize_t)got;
	return wants(t, r) < 0 ? -1 : 0;
}

int io_tls_write(struct io_tls *t, const void *buf, size_t n)
{
	if (t->state == IO_TLS_FAILED || t->state == IO_TLS_CLOSED)
		return -1;
	if (io_buf_add(&t->queued, buf, n) < 0) {
		snprintf(t->err, sizeof t->err, "TLS: out of memory");
		return -1;
	}
	return step(t) < 0 && t->state == IO_TLS_FAILED ? -1 : 0;
}

void io_tls_close(struct io_tls *t)
{
	if (t->state == IO_TLS_OPEN || t->state == IO_TLS_CLOSED) {
		flush_queued(t);
		ERR_clear_error();
		SSL_shutdown(t->ssl);
		ERR_clear_error();
	}
}

size_t io_tls_pending(struct io_tls *t)
{
	if (t->state == IO_TLS_HANDSHAKE && !BIO_ctrl_pending(t->out))
		step(t);  /* a client's first call: the ClientHello */
	return BIO_ctrl_pending(t->out);
}

size_t io_tls_take(struct io_tls *t, void *buf, size_t n)
{
	if (t->state == IO_TLS_HANDSHAKE && !BIO_ctrl_pending(t->out))
		step(t);  /* a client's first call: the ClientHello */
	size_t got = 0;
	if (n && BIO_read_ex(t->out, buf, n, &got) != 1)
		got = 0;
	return got;
}
