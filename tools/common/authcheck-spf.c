/* ember commands: lib/spf's side of authcheck.h. */
#include "authcheck.h"

static enum ac_step spf_step(void *m, struct dns_question *q)
{
	enum spf_step s = spf_next(m, q);
	return s == SPF_QUERY ? AC_QUERY : s == SPF_WAIT ? AC_WAIT : AC_DONE;
}

static void spf_ans(void *m, const struct dns_answer *a)
{
	spf_answer(m, a);
}

const struct ac_ops ac_spf_ops = {spf_step, spf_ans, NULL};

int ac_add_spf(struct ac_results *s, const struct spf_outcome *o, const char *sender,
	       const char *helo)
{
	struct mime_authres_prop prop;
	if (o->identity == SPF_HELO)
		prop = (struct mime_authres_prop){"smtp", "helo", helo ? helo : ""};
	else
		prop = (struct mime_authres_prop){"smtp", "mailfrom", sender ? sender : ""};
	const char *reason = o->explanation ? o->explanation : o->problem_text;
	return ac_result(s, "spf", spf_result_name(o->result), reason, &prop, *prop.value ? 1 : 0);
}
