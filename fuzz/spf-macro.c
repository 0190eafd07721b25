/* libFuzzer: the macro expander (RFC 7208 7). The first byte picks the
 * mode and the output size, the next ones the local part, the rest is the
 * macro-string. Output always fits the buffer and is NUL-terminated; a
 * domain is at most 253 octets; a string
 * that the checker accepts always expands, and one it refuses never does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int exp = data[0] & 1, domain = data[0] & 2;
	size_t outlen = 1 + (data[0] >> 2) * 8;
	size_t ll = data[1] % 80 < size - 2 ? data[1] % 80 : size - 2;
	char local[81];
	memcpy(local, data + 2, ll);
	local[ll] = 0;
	const char *in = (const char *)data + 2 + ll;
	size_t n = size - 2 - ll;
	struct spf_macro_env env = {
		.sender = "someone@example.org", .local = local, .sender_domain = "example.org",
		.domain = "sub.example.org", .family = data[0] & 0x80 ? 6 : 4,
		.helo = "mail.example.org", .receiver = "rcv.example.net", .now = 1,
	};
	for (int i = 0; i < 16; i++)
		env.ip[i] = (uint8_t)(i * 37 + data[0]);
	char *out = malloc(outlen + 1);
	if (!out)
		return 0;
	out[outlen] = 0x5a;
	enum spf_problem pr;
	int ok_syntax = spf_macro_check(in, n, exp) == 0;
	int r;
	if (domain && !exp) {
		r = spf_expand_domain(&env, in, n, out, outlen, &pr);
		if (r == 0 && (strlen(out) > 253 || strlen(out) >= outlen))
			abort();
		if (!ok_syntax && r == 0)
			abort();
	} else {
		r = spf_expand(&env, in, n, exp, out, outlen, &pr);
		if (r == 0 && strlen(out) >= outlen)
			abort();
		if (ok_syntax != (r == 0))
			abort();
	}
	if (out[outlen] != 0x5a)
		abort();
	free(out);
	return 0;
}
