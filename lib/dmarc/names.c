/* The names of results, policies and problems. */
#include "dmarc-int.h"

const char *dmarc_result_name(enum dmarc_result r)
{
	static const char *const n[] = {"none", "pass", "fail", "temperror", "permerror"};
	return (unsigned)r < sizeof n / sizeof *n ? n[r] : "?";
}

const char *dmarc_policy_name(enum dmarc_policy p)
{
	static const char *const n[] = {"none", "none", "quarantine", "reject", "invalid"};
	return (unsigned)p < sizeof n / sizeof *n ? n[p] : "?";
}

static const char *const auth_names[] = {
	"none", "pass", "fail", "softfail", "neutral", "policy", "temperror", "permerror",
};

const char *dmarc_auth_name(enum dmarc_auth a)
{
	return (unsigned)a < sizeof auth_names / sizeof *auth_names ? auth_names[a] : "?";
}

int dmarc_auth_parse(const char *s, size_t len)
{
	for (unsigned i = 0; i < sizeof auth_names / sizeof *auth_names; i++)
		if (dmarc_ascii_is(s, len, auth_names[i]))
			return (int)i;
	if (dmarc_ascii_is(s, len, "hardfail"))
		return DMARC_AUTH_FAIL;
	return -1;
}

const char *dmarc_problem_text(enum dmarc_problem p)
{
	switch (p) {
	case DMARC_OK: return "";
	case DMARC_E_NOT_DMARC: return "not a DMARC record (v=DMARC1 first)";
	case DMARC_E_NO_POLICY: return "no valid p= and no valid rua= URI: no DMARC processing";
	case DMARC_E_MULTIPLE: return "several DMARC records: all discarded";
	case DMARC_E_BAD_VALUE: return "a tag with a value that is not its grammar (ignored)";
	case DMARC_E_SYNTAX: return "a part that is not tag=value (ignored)";
	case DMARC_E_DNS: return "DNS failure";
	case DMARC_E_NO_AUTHOR: return "no usable author";
	case DMARC_E_FROM_DOMAINS: return "several From domains";
	case DMARC_E_DOMAIN: return "the domain is not a valid name";
	case DMARC_E_NOMEM: return "out of memory";
	}
	return "?";
}
