/* libFuzzer: SPF records (RFC 7208 4.6.1). Whatever the input, the check
 * ends with a problem code and a reason inside the input's bounds; every
 * term a record parses into lies inside it and has the fields its kind
 * needs; a record that parses parses again the same after "v=spf1 " is
 * put in front of its terms once more. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *why = NULL;
	size_t at = 0;
	enum spf_problem p = spf_record_check(s, size, &why, &at);
	if (p != SPF_OK && (!why || at > size))
		abort();
	char *rec = malloc(size + 8);
	if (!rec)
		return 0;
	memcpy(rec, "v=spf1 ", 7);
	memcpy(rec + 7, s, size);
	struct spf_parsed a = {0};
	p = spf_parse(rec, size + 7, &a, &why, &at);
	if (p == SPF_OK) {
		for (size_t i = 0; i < a.n; i++) {
			const struct spf_term *t = &a.terms[i];
			if (t->text < rec || t->text + t->text_len > rec + size + 7 || !t->text_len)
				abort();
			if (t->spec && (t->spec < t->text || t->spec + t->spec_len > t->text + t->text_len))
				abort();
			if ((t->kind == K_INCLUDE || t->kind == K_EXISTS || t->kind == K_REDIRECT ||
			     t->kind == K_EXP) && (!t->spec || !t->spec_len))
				abort();
			if (t->cidr4 > 32 || t->cidr6 > 128)
				abort();
			if (t->spec && t->kind != K_UNKNOWN_MOD &&
			    spf_domain_spec_check(t->spec, t->spec_len) < 0)
				abort();
		}
		if ((a.redirect >= 0 && a.terms[a.redirect].kind != K_REDIRECT) ||
		    (a.exp >= 0 && a.terms[a.exp].kind != K_EXP))
			abort();
	}
	free(a.terms);
	free(rec);
	return 0;
}
