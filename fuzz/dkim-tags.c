/* libFuzzer: RFC 6376 3.2 tag lists and DKIM-Signature values. Every tag
 * found lies inside the input, names are letters, digits and '_', values
 * hold no white space at either end; a signature that parses has the tags
 * it must have, and its b= span is inside the field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dkim_tag t[DKIM_MAX_TAGS];
	size_t nt = 0;
	const char *err = NULL;
	if (dkim_tags_parse(s, size, t, &nt, &err) == MIME_OK) {
		if (nt > DKIM_MAX_TAGS)
			abort();
		for (size_t i = 0; i < nt; i++) {
			if (t[i].name < s || t[i].name + t[i].name_len > s + size || !t[i].name_len)
				abort();
			if (t[i].value < s || t[i].value + t[i].value_len > s + size)
				abort();
			if (t[i].value_at > size || t[i].spec_end > size)
				abort();
			if (t[i].value_len && (t[i].value[0] == ' ' || t[i].value[0] == '\t' ||
					       t[i].value[t[i].value_len - 1] == ' ' ||
					       t[i].value[t[i].value_len - 1] == '\t'))
				abort();
			for (size_t k = 0; k < i; k++)  /* no tag twice */
				if (t[k].name_len == t[i].name_len && !memcmp(t[k].name, t[i].name, t[i].name_len))
					abort();
		}
	} else if (!err) {
		abort();
	}
	struct dkim_sig sig;
	err = NULL;
	enum mime_status r = dkim_sig_parse(s, size, 16, &sig, &err);
	if (r == MIME_OK) {
		if (!sig.d || !sig.s || !sig.nh || !sig.b.len || !sig.bh.len || !sig.b_text)
			abort();
		if (sig.b_from < 16 || sig.b_from > sig.b_to || sig.b_to > 16 + size)
			abort();
		int from = 0;
		for (size_t k = 0; k < sig.nh; k++)
			from |= !mime_ascii_casecmp(sig.h[k], "from");
		if (!from || (sig.has_x && sig.has_t && sig.x <= sig.t))
			abort();
		dkim_sig_free(&sig);
	} else if (r == MIME_EINVAL && !err) {
		abort();
	}
	return 0;
}
