/* libFuzzer: the server machine on arbitrary client bytes. The first byte
 * picks the options (STARTTLS, AUTH, CHUNKING, normalising, small limits)
 * and how questions are answered, the second a chunk size. Checked: the
 * same replies and messages whatever the chunking; every reply line is
 * "DDD[ -]printable" with CRLF; what DATA gives has CRLF line ends only
 * (normalising) and at most max_size bytes; memory held stays bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

struct out {
	char *p;
	size_t n, cap;
};

static void add(struct out *o, const char *p, size_t n)
{
	if (o->n + n + 1 > o->cap) {
		size_t cap = (o->n + n + 1) * 2;
		char *q = realloc(o->p, cap);
		if (!q)
			abort();
		o->p = q;
		o->cap = cap;
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
}

static void check_replies(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *lf = memchr(p + i, '\n', n - i);
		if (!lf)
			abort();  /* a reply line without its end */
		size_t len = (size_t)(lf - (p + i));
		const char *l = p + i;
		if (len < 4 || l[len - 1] != '\r' || l[0] < '2' || l[0] > '5' ||
		    l[1] < '0' || l[1] > '9' || l[2] < '0' || l[2] > '9' || (l[3] != ' ' && l[3] != '-'))
			abort();
		for (size_t j = 0; j + 1 < len; j++)
			if ((unsigned char)l[j] < 0x20 || (unsigned char)l[j] > 0x7e)
				abort();
		if (len + 1 > 512)
			abort();
		i += len + 1;
	}
}

static void run(const uint8_t *data, size_t size, size_t step, unsigned mode, struct out *replies,
		struct out *msgs)
{
	struct smtp_server_options o = {
		.flags = (mode & 1 ? SMTP_SRV_STARTTLS : 0) | (mode & 2 ? SMTP_SRV_AUTH : 0) |
			 (mode & 4 ? SMTP_SRV_CHUNKING : 0) | (mode & 8 ? SMTP_SRV_NORMALISE : 0) |
			 (mode & 2 ? SMTP_SRV_AUTH_CLEAR : 0),
		.max_size = mode & 16 ? 200 : 0,
		.max_rcpts = mode & 16 ? 3 : 0,
		.max_line = mode & 16 ? 64 : 0,
		.max_text_line = mode & 16 ? 40 : 0,
		.max_input = 8192,
	};
	struct smtp_server *s = smtp_server_new(&o);
	if (!s)
		abort();
	uint64_t msize = 0;
	size_t pos = 0;
	int q = 0, fed_eof = 0;
	for (int round = 0; round < 1000000; round++) {
		if (smtp_server_want_input(s) && pos < size) {
			size_t k = size - pos < step ? size - pos : step;
			if (smtp_server_feed(s, (const char *)data + pos, k) == SMTP_ENOMEM)
				abort();
			pos += k;
		} else if (pos >= size && !fed_eof) {
			smtp_server_feed(s, "", 0);
			fed_eof = 1;
		} else if (fed_eof) {
			break;
		}
		struct smtp_event ev;
		enum smtp_ev e;
		while ((e = smtp_server_next(s, &ev)) != SMTP_EV_AWAIT) {
			switch (e) {
			case SMTP_EV_MAIL:
			case SMTP_EV_RCPT:
				q++;  /* questions only: DATA events depend on the chunking */
				smtp_server_reply(s, (mode & 32) && q % 3 == 0 ? 550 : 250, NULL, NULL);
				break;
			case SMTP_EV_DATA_BEGIN:
				msize = 0;
				add(msgs, "<", 1);
				break;
			case SMTP_EV_DATA:
				msize += ev.len;
				if (msize > (o.max_size ? o.max_size : 10u << 20))
					abort();
				add(msgs, ev.data, ev.len);
				break;
			case SMTP_EV_DATA_END:
				add(msgs, ">", 1);
				smtp_server_reply(s, (mode & 64) ? 451 : 250, NULL, NULL);
				break;
			case SMTP_EV_DATA_ABORT:
				add(msgs, "!", 1);
				break;
			case SMTP_EV_AUTH:
				smtp_server_auth(s, (mode & 128) ? 1 : 0);
				break;
			case SMTP_EV_STARTTLS:
				smtp_server_tls_started(s);
				break;
			default:
				break;
			}
		}
		size_t n;
		const char *r = smtp_server_output(s, &n);
		add(replies, r, n);
		smtp_server_drain(s, n);
		if (smtp_server_closed(s))
			break;
	}
	smtp_server_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned mode = data[0];
	size_t step = data[1] % 17 + 1;
	data += 2, size -= 2;
	struct out r1 = {0}, m1 = {0}, r2 = {0}, m2 = {0};
	run(data, size, size ? size : 1, mode, &r1, &m1);
	run(data, size, step, mode, &r2, &m2);
	check_replies(r1.p, r1.n);
	/* STARTTLS drops what came in the same read: chunking may differ there */
	if (!(mode & 1) && (r1.n != r2.n || (r1.n && memcmp(r1.p, r2.p, r1.n))))
		abort();
	if (!(mode & 1) && (m1.n != m2.n || (m1.n && memcmp(m1.p, m2.p, m1.n))))
		abort();
	free(r1.p), free(r2.p), free(m1.p), free(m2.p);
	return 0;
}
