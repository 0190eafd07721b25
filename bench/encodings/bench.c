/* bench/encodings: base64 and quoted-printable throughput of ember, OpenSSL
 * (EVP_EncodeBlock/EVP_DecodeBlock; base64 only) and GMime 3
 * (g_mime_encoding_step/flush) on the same data, generated in memory.
 *
 * Usage: bench [MB] [RUNS]   (default 64 MB of raw data, best of 3 runs)
 *
 * Throughput is MB (10^6 bytes) of raw, decoded data per second of CPU time
 * (the machine may be shared: CPU time does not count the time others
 * run) for every row, encoders and decoders alike, so rows compare
 * directly; the tools take turns, each run. Inputs:
 *   base64: MB of random bytes; encoders write 76-column lines (ember: CRLF,
 *           GMime: LF), OpenSSL one line (EVP_EncodeBlock cannot wrap).
 *   b64 decode, lines: ember's wrapped encoding (76 columns, CRLF), the
 *           common input; ember and GMime decode the whole buffer at once,
 *           OpenSSL (EVP_DecodeBlock stops at white space) line by line.
 *   b64 decode, 1 line: the same data encoded in one line, decoded in one
 *           call by each.
 *   QP:     MB of text lines (LF), words with some UTF-8 and some '=' and
 *           trailing blanks; decoders read ember's encoding of it.
 * Prints one table; a line starting "check:" reports a wrong result. */
#define _POSIX_C_SOURCE 200809L
#include <gmime/gmime.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "bench: out of memory\n");
		exit(70);
	}
	return p;
}

/* ---- data ------------------------------------------------------------------ */

static unsigned char *random_bytes(size_t n)
{
	unsigned char *p = xmalloc(n);
	uint64_t s = 0x123456789abcdefu;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t r = rnd(&s);
		memcpy(p + i, &r, 8);
	}
	for (size_t i = n / 8 * 8; i < n; i++)
		p[i] = (unsigned char)rnd(&s);
	return p;
}

/* lines of 30 to 110 characters of words; about 2% of words carry a
 * two-byte UTF-8 letter, a few an '=', some lines end in a blank */
static unsigned char *text_bytes(size_t n)
{
	unsigned char *p = xmalloc(n);
	uint64_t s = 0xfeedfacecafebeefu;
	size_t i = 0, col = 0, linelen = 70;
	while (i < n) {
		uint64_t r = rnd(&s);
		if (col >= linelen) {
			if (r % 10 == 0 && i < n)
				p[i++] = ' ';
			if (i < n)
				p[i++] = '\n';
			col = 0;
			linelen = 30 + (r >> 8) % 80;
			continue;
		}
		size_t w = 1 + (r >> 16) % 9;
		for (size_t k = 0; k < w && i < n; k++, col++)
			p[i++] = (unsigned char)('a' + (r >> (20 + k * 3)) % 26);
		if ((r >> 48) % 50 == 0 && i + 2 <= n) {
			p[i++] = 0xc3;
			p[i++] = 0xa9;
			col++;
		} else if ((r >> 48) % 200 == 1 && i < n) {
			p[i++] = '=';
			col++;
		}
		if (i < n) {
			p[i++] = ' ';
			col++;
		}
	}
	return p;
}

/* ---- timing ------------------------------------------------------------------- */

struct job {
	const unsigned char *in;
	size_t len;
	unsigned char *out;   /* room enough */
	size_t outlen;
	int op;
};

enum { B64_ENC, B64_DEC, QP_ENC, QP_DEC };

static size_t run_ember(struct job *j, struct mime_buf *b)
{
	mime_buf_reset(b);
	int r = 0;
	switch (j->op) {
	case B64_ENC:
		r = mime_base64_encode_all(j->in, j->len, 0, b);
		break;
	case B64_DEC:
		r = mime_base64_decode_all(j->in, j->len, b, NULL);
		break;
	case QP_ENC:
		r = mime_qp_encode_all(j->in, j->len, 0, b);
		break;
	case QP_DEC:
		r = mime_qp_decode_all(j->in, j->len, b, NULL);
		break;
	}
	return r ? 0 : b->len;
}

/* OpenSSL: EVP_*Block take an int length: big buffers go in pieces (a
 * multiple of 3 bytes, or of 4 characters). Lines: one call per line. */
static size_t run_openssl(struct job *j, int lines)
{
	size_t o = 0, i = 0;
	if (j->op == B64_ENC) {
		for (; i < j->len; i += 3u << 20) {
			size_t n = j->len - i < 3u << 20 ? j->len - i : 3u << 20;
			o += (size_t)EVP_EncodeBlock(j->out + o, j->in + i, (int)n);
		}
		return o;
	}
	if (lines) {
		while (i < j->len) {
			const unsigned char *eol = memchr(j->in + i, '\r', j->len - i);
			size_t n = eol ? (size_t)(eol - (j->in + i)) : j->len - i;
			int r = EVP_DecodeBlock(j->out + o, j->in + i, (int)n);
			if (r < 0)
				return 0;
			o += (size_t)r;
			i += n + 2;
		}
		return o;
	}
	for (; i < j->len; i += 4u << 20) {
		size_t n = j->len - i < 4u << 20 ? j->len - i : 4u << 20;
		int r = EVP_DecodeBlock(j->out + o, j->in + i, (int)n);
		if (r < 0)
			return 0;
		o += (size_t)r;
	}
	return o;
}

static size_t run_gmime(struct job *j)
{
	GMimeEncoding st;
	GMimeContentEncoding ce = j->op == B64_ENC || j->op == B64_DEC
		? GMIME_CONTENT_ENCODING_BASE64 : GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	if (j->op == B64_ENC || j->op == QP_ENC)
		g_mime_encoding_init_encode(&st, ce);
	else
		g_mime_encoding_init_decode(&st, ce);
	size_t o = g_mime_encoding_step(&st, (const char *)j->in, j->len, (char *)j->out);
	o += g_mime_encoding_flush(&st, "", 0, (char *)j->out + o);
	return o;
}

/* tool 0 ember, 1 OpenSSL, 2 OpenSSL line by line, 3 GMime */
static double timed(struct job *j, int tool, struct mime_buf *b)
{
	double t0 = now();
	if (tool == 0)
		run_ember(j, b);
	else if (tool == 3)
		run_gmime(j);
	else
		run_openssl(j, tool == 2);
	return now() - t0;
}

static void row(const char *name, struct job *j, size_t raw, int openssl_tool, int runs,
		struct mime_buf *b)
{
	double te = 1e30, to = 1e30, tg = 1e30, t;
	/* the tools take turns so that a change in the machine's load hits
	 * them alike; ember last, so b holds its result */
	for (int r = 0; r < runs; r++) {
		if (openssl_tool && (t = timed(j, openssl_tool, b)) < to)
			to = t;
		if ((t = timed(j, 3, b)) < tg)
			tg = t;
		if ((t = timed(j, 0, b)) < te)
			te = t;
	}
	double me = raw / 1e6 / te, mo = openssl_tool ? raw / 1e6 / to : 0, mg = raw / 1e6 / tg;
	printf("%-20s %9.1f ", name, me);
	if (mo > 0)
		printf("%9.1f ", mo);
	else
		printf("%9s ", "-");
	printf("%9.1f ", mg);
	if (mo > 0)
		printf("%13.2f ", me / mo);
	else
		printf("%13s ", "-");
	printf("%12.2f\n", me / mg);
	/* the summary lines of bench/run (bench/README.md) */
	if (mo > 0)
		printf("BENCH %s|%.1f MB/s|OpenSSL|%.1f MB/s|%.2fx\n", name, me, mo, me / mo);
	printf("BENCH %s|%.1f MB/s|GMime 3|%.1f MB/s|%.2fx\n", name, me, mg, me / mg);
}

static void check(const char *what, const struct mime_buf *b, const unsigned char *want, size_t n)
{
	if (b->len != n || memcmp(b->data, want, n) != 0)
		printf("check: %s gives a wrong result\n", what);
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	if (mb == 0 || runs <= 0) {
		fprintf(stderr, "usage: bench [MB] [RUNS]\n");
		return 64;
	}
	size_t raw = mb * 1000 * 1000;
	g_mime_init();
	unsigned char *bin = random_bytes(raw), *txt = text_bytes(raw);
	unsigned char *out = xmalloc(raw * 4 + 1024);
	struct mime_buf b = {0}, wrapped = {0}, oneline = {0}, qp = {0};
	if (mime_base64_encode_all(bin, raw, 0, &wrapped) ||
	    mime_base64_encode_all(bin, raw, MIME_BASE64_NOWRAP, &oneline) ||
	    mime_qp_encode_all(txt, raw, 0, &qp) || mime_buf_reserve(&b, raw * 4)) {
		fprintf(stderr, "bench: out of memory\n");
		return 70;
	}
	printf("bench/encodings: %zu MB of data, best of %d runs; MB of decoded data per CPU second\n",
	       mb, runs);
	printf("%-20s %9s %9s %9s %12s %12s\n", "", "ember", "OpenSSL", "GMime", "ember/OpenSSL",
	       "ember/GMime");
	struct job j = {bin, raw, out, 0, B64_ENC};
	row("base64 encode", &j, raw, 1, runs, &b);
	check("ember base64 encode", &b, (const unsigned char *)wrapped.data, wrapped.len);
	j = (struct job){(unsigned char *)wrapped.data, wrapped.len, out, 0, B64_DEC};
	row("base64 decode", &j, raw, 2, runs, &b);
	check("ember base64 decode", &b, bin, raw);
	j = (struct job){(unsigned char *)oneline.data, oneline.len, out, 0, B64_DEC};
	row("base64 decode 1 line", &j, raw, 1, runs, &b);
	check("ember base64 decode (one line)", &b, bin, raw);
	j = (struct job){txt, raw, out, 0, QP_ENC};
	row("QP encode", &j, raw, 0, runs, &b);
	j = (struct job){(unsigned char *)qp.data, qp.len, out, 0, QP_DEC};
	row("QP decode", &j, raw, 0, runs, &b);
	/* text mode writes LF as CRLF: compare without the CRs */
	size_t k = 0;
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] != '\r')
			b.data[k++] = b.data[i];
	b.len = k;
	check("ember QP decode", &b, txt, raw);
	printf("(base64 encode: ember and GMime write 76-column lines, OpenSSL one line; "
	       "base64 decode: OpenSSL line by line)\n");
	mime_buf_free(&b);
	mime_buf_free(&wrapped);
	mime_buf_free(&oneline);
	mime_buf_free(&qp);
	free(bin);
	free(txt);
	free(out);
	return 0;
}
