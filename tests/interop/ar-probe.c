/* Fields that ember's Authentication-Results printer writes, for
 * tests/interop/ar-python.sh: each field, then a line "--". */
#include <stdio.h>
#include "mime.h"

#define N(a) (sizeof a / sizeof *a)

static void field(const char *id, const struct mime_authres_result *r, size_t n)
{
	struct mime_buf b = {0};
	if (mime_authres_field(&b, id, r, n) == 0)
		fwrite(b.data, 1, b.len, stdout);
	else
		fputs("(printer refused)\r\n", stdout);
	fputs("--\n", stdout);
	mime_buf_free(&b);
}

int main(void)
{
	const struct mime_authres_prop dk[] = {
		{"header", "d", "example.com"}, {"header", "s", "sel"}, {"header", "a", "rsa-sha256"},
		{"header", "b", "AbC/dE+f"},
	};
	const struct mime_authres_prop spf[] = {{"smtp", "mailfrom", "a@example.com"}, {"smtp", "helo", "mail.example.com"}};
	const struct mime_authres_prop dm[] = {{"header", "from", "example.com"}, {"policy", "dmarc", "reject"}};
	const struct mime_authres_prop v6[] = {{"policy", "iprev", "2001:db8::1"}};
	const struct mime_authres_prop odd[] = {{"policy", "x", "semi;colon and space"}, {"policy", "y", "(paren)"},
						{"header", "i", "@example.com"}};
	field("mx.example.org", (struct mime_authres_result[]){{"dkim", "pass", NULL, dk, 4}}, 1);
	field("mx.example.org", (struct mime_authres_result[]){{"dkim", "fail", "body hash mismatch (the body changed)", dk, 4},
							       {"spf", "pass", NULL, spf, 2}, {"dmarc", "fail", NULL, dm, 2}}, 3);
	field("mx.example.org", (struct mime_authres_result[]){{"dkim", "permerror", "bad \"b=\" tag \\ here", dk, 1}}, 1);
	field("mx.example.org", NULL, 0);
	field("mx.example.org", (struct mime_authres_result[]){{"iprev", "pass", NULL, v6, 1}}, 1);
	field("mx.example.org", (struct mime_authres_result[]){{"x-test", "pass", "", odd, 3}}, 1);
	field("mx.example.org", (struct mime_authres_result[]){{"x-test", "pass", "token", odd + 1, 2}}, 1);
	struct mime_authres_result many[24];
	for (size_t i = 0; i < N(many); i++)
		many[i] = (struct mime_authres_result){i % 2 ? "spf" : "dkim", i % 3 ? "pass" : "fail", NULL,
						      i % 2 ? spf : dk, i % 2 ? 1 : 2};
	field("relay.example.net", many, N(many));
	return 0;
}
