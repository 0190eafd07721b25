/* libFuzzer: the client machine on arbitrary server replies. The first
 * byte picks the options (STARTTLS required or opportunistic, AUTH, no
 * pipelining) and the message, the second a chunk size. Checked: no crash
 * or leak; what the client sends is CRLF lines only, no bare CR or LF, and
 * its body lines are dot-stuffed; no AUTH in clear; no MAIL before TLS
 * when TLS is required. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

static void check_out(const char *p, size_t n, int secure, unsigned mode)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			abort();
		if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
			abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (i && p[i - 1] != '\n')
			continue;
		if (!secure && n - i >= 4 && !memcmp(p + i, "AUTH", 4))
			abort();
		if (!secure && (mode & 2) && n - i >= 4 && !memcmp(p + i, "MAIL", 4))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned mode = data[0];
	size_t step = data[1] % 23 + 1;
	data += 2, size -= 2;
	struct smtp_client_options o = {
		.flags = (mode & 1 ? SMTP_CLI_STARTTLS : 0) | (mode & 2 ? SMTP_CLI_STARTTLS_REQUIRED : 0) |
			 (mode & 8 ? SMTP_CLI_NO_PIPELINING : 0),
		.user = mode & 4 ? "user" : NULL,
		.password = mode & 4 ? "secret" : NULL,
		.helo = "fuzz.example",
	};
	struct smtp_client *c = smtp_client_new(&o);
	if (!c)
		abort();
	static const char *const rcpts[] = {"a@x.example", "b@x.example"};
	struct smtp_envelope env = {.sender = mode & 16 ? "" : "s@y.example", .rcpts = rcpts,
				    .nrcpts = mode & 32 ? 2 : 1};
	const char *msg = mode & 64 ? "Subject: \xc3\xa9\n\n.\n..x\r\nbody\r\xff" : "Subject: x\r\n\r\n.\r\n";
	size_t pos = 0;
	int sent = 0, quit = 0;
	for (int end = 0; !end;) {
		size_t k = size - pos < step ? size - pos : step;
		end = k == 0;
		smtp_client_feed(c, (const char *)data + pos, k);
		pos += k;
		struct smtp_client_event ev;
		enum smtp_cev e;
		int dead = 0;
		while ((e = smtp_client_next(c, &ev)) != SMTP_C_AWAIT) {
			if (e == SMTP_C_STARTTLS)
				smtp_client_tls_started(c);
			else if (e == SMTP_C_READY || e == SMTP_C_DONE) {
				if (!sent) {
					sent = 1;
					if (smtp_client_send(c, &env, msg, strlen(msg)) == SMTP_ENOMEM)
						abort();
				} else if (!quit) {
					quit = 1;
					smtp_client_quit(c);
				}
			} else if (e == SMTP_C_RCPT) {
				if (!ev.reply || ev.rcpt >= env.nrcpts)
					abort();
			} else {
				dead = 1;
			}
		}
		size_t n;
		const char *out = smtp_client_output(c, &n);
		check_out(out, n, smtp_client_secure(c), mode);
		smtp_client_drain(c, n);
		if (dead)
			break;
	}
	smtp_client_free(c);
	return 0;
}
