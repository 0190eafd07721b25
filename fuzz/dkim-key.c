/* libFuzzer: DKIM key records (RFC 6376 3.6.1, RFC 8463 4). A record
 * that parses is either revoked (no key) or holds a key of its k= type;
 * an RSA key has its size; a refusal says why. */
#include <stdint.h>
#include <stdlib.h>

#include "dkim-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_pubkey k;
	const char *err = NULL;
	enum mime_status r = dkim_pubkey_parse((const char *)data, size, &k, &err);
	if (r == MIME_OK) {
		if (k.revoked != !k.pkey)
			abort();
		if (k.pkey) {
			int id = EVP_PKEY_get_base_id(k.pkey);
			if (k.rsa ? id != EVP_PKEY_RSA : id != EVP_PKEY_ED25519)
				abort();
			if (k.rsa && (k.bits == 0 || k.bits != (unsigned)EVP_PKEY_get_bits(k.pkey)))
				abort();
		}
		dkim_pubkey_free(&k);
	} else if (r == MIME_EINVAL && !err) {
		abort();
	}
	return 0;
}
