/* ember lib/dmarc: Domain-based Message Authentication, Reporting and
 * Conformance as RFC 9989 defines it (it obsoletes RFC 7489 and RFC
 * 9091), with an RFC 7489 mode kept for comparison with older tools.
 *
 * Sans-IO. Policy discovery is a machine that asks TXT questions
 * (lib/dns) for _dmarc.NAME and resumes with the answers; several are in
 * flight at once (the DNS Tree Walk's parents of one domain are asked
 * together). No files are read: in RFC 7489 mode the caller passes
 * libpsl's context; no random numbers are drawn: pct= (7489) uses the
 * caller's.
 *
 *   struct dmarc_eval *e = dmarc_eval_new(&req);
 *   for (;;) {
 *           struct dns_question q;
 *           enum dmarc_step s = dmarc_next(e, &q);
 *           if (s == DMARC_QUERY) { ask(&q); continue; }  (more may follow)
 *           if (s == DMARC_WAIT) { give one answer: dmarc_answer(e, &a); continue; }
 *           break;                                        (DMARC_DONE)
 *   }
 *   const struct dmarc_outcome *o = dmarc_outcome(e);
 *
 * The author domain comes from lib/mime's one author reader
 * (mime-author.h) through dmarc_author_domains. */
#ifndef EMBER_DMARC_H
#define EMBER_DMARC_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include <libpsl.h>

#include "mime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results and policies ------------------------------------------------ */

enum dmarc_result {
	DMARC_NONE,       /* no policy record, or no DMARC processing (RFC 9989 4.10.1) */
	DMARC_PASS,       /* an aligned identifier passed */
	DMARC_FAIL,
	DMARC_TEMPERROR,  /* DNS failed, or an underlying check failed temporarily */
	DMARC_PERMERROR,  /* the message has no usable author (no From, several
			     From fields, a malformed From) */
};
const char *dmarc_result_name(enum dmarc_result r);   /* "pass", ... */

enum dmarc_policy {
	DMARC_P_UNSET,       /* the tag is absent */
	DMARC_P_NONE,
	DMARC_P_QUARANTINE,
	DMARC_P_REJECT,
	DMARC_P_INVALID,     /* the tag is there with a value that is none of them */
};
/* "none", "quarantine", "reject" ("none" for UNSET, "invalid" for INVALID) */
const char *dmarc_policy_name(enum dmarc_policy p);

/* The result of an underlying check, as RFC 8601 names them. */
enum dmarc_auth {
	DMARC_AUTH_NONE,
	DMARC_AUTH_PASS,
	DMARC_AUTH_FAIL,
	DMARC_AUTH_SOFTFAIL,   /* SPF */
	DMARC_AUTH_NEUTRAL,
	DMARC_AUTH_POLICY,     /* DKIM (RFC 8601 2.7.1) */
	DMARC_AUTH_TEMPERROR,
	DMARC_AUTH_PERMERROR,
};
const char *dmarc_auth_name(enum dmarc_auth a);
/* The result of a name (ASCII, any case; "hardfail" is fail); -1 if none. */
int dmarc_auth_parse(const char *s, size_t len);

/* The reasons, for a caller to switch on. */
enum dmarc_problem {
	DMARC_OK,
	DMARC_E_NOT_DMARC,    /* a TXT record that does not start with v=DMARC1 */
	DMARC_E_NO_POLICY,    /* no valid p= (or an invalid sp=/np=) and no valid rua=
				 URI: no DMARC processing (RFC 9989 4.10.1) */
	DMARC_E_MULTIPLE,     /* several DMARC records at one name: all discarded */
	DMARC_E_BAD_VALUE,    /* a known tag with a value that is not its grammar (ignored,
				 the default used; noted by dmarc_record_parse) */
	DMARC_E_SYNTAX,       /* a part that is not tag=value (ignored, noted) */
	DMARC_E_DNS,          /* a DNS failure (temperror) */
	DMARC_E_NO_AUTHOR,    /* no usable author: no From, several From fields,
				 a malformed From, a group (permerror) */
	DMARC_E_FROM_DOMAINS, /* a From with mailboxes of different domains, where
				 one is wanted (dmarc_author_domain), or more than
				 DMARC_MAX_AUTHORS of them (permerror) */
	DMARC_E_DOMAIN,       /* a domain that is not a name (no IDN A-label form) */
	DMARC_E_NOMEM,
};
const char *dmarc_problem_text(enum dmarc_problem p);

/* ---- records ------------------------------------------------------------- */

enum dmarc_align { DMARC_RELAXED, DMARC_STRICT };
enum dmarc_psd { DMARC_PSD_U, DMARC_PSD_Y, DMARC_PSD_N };

#define DMARC_FO_0 1u
#define DMARC_FO_1 2u
#define DMARC_FO_D 4u
#define DMARC_FO_S 8u

/* A span of the record text the struct was parsed from. */
struct dmarc_span {
	size_t off, len;
};

struct dmarc_record {
	enum dmarc_policy p, sp, np;
	enum dmarc_align adkim, aspf;
	enum dmarc_psd psd;
	int testing;               /* t=y */
	unsigned fo;               /* DMARC_FO_* (DMARC_FO_0 by default) */
	struct dmarc_span rua, ruf; /* the lists as written (len 0: absent) */
	unsigned rua_valid;        /* syntactically valid URIs in rua= */
	unsigned ruf_valid;
	/* RFC 7489 mode only (RFC 9989 removed them: unknown tags there) */
	unsigned pct;              /* 100 by default */
	unsigned ri;               /* 86400 by default */
	int has_pct;
	unsigned warnings;         /* parts ignored: bad values, syntax (counted) */
};

#define DMARC_RFC7489 1u       /* parse and evaluate as RFC 7489 did */

/* Parse one TXT record (the strings joined). DMARC_OK (a DMARC record,
 * perhaps with ignored parts: see warnings and *first_warning), or
 * DMARC_E_NOT_DMARC. RFC 9989 4.7: v=DMARC1 first, exactly; unknown tags
 * ignored; a known tag with a bad value takes its default (p, sp, np:
 * DMARC_P_INVALID, so that the caller can apply 4.10.1). *first_warning
 * (may be NULL): the problem of the first ignored part, with its offset
 * in *at (may be NULL). */
enum dmarc_problem dmarc_record_parse(const char *txt, size_t len, unsigned flags,
				      struct dmarc_record *out, enum dmarc_problem *first_warning,
				      size_t *at);
/* 1 when a TXT record starts with "v=DMARC1" (then the end or ';'). */
int dmarc_is_record(const char *txt, size_t len);
/* RFC 9989 4.10.1: the record can be used as a policy: it has a valid p=
 * (and no invalid sp=, np=), or a valid rua= URI (then it acts as p=none:
 * *as_none is set). */
int dmarc_record_usable(const struct dmarc_record *r, int *as_none);

/* ---- the author ------------------------------------------------------------ */

/* The author domains for DMARC from lib/mime's author reader: MIME_AUTHOR_OK
 * gives its domain; several mailboxes in the one From field (from_value,
 * the field's value, may be NULL otherwise) give every distinct domain of
 * them (RFC 9989 5.3.1 and 11.5: each is evaluated, the strictest failing
 * policy applies; never the first mailbox's alone: OpenDMARC
 * CVE-2019-16378); anything else (no From, several From fields, a group,
 * a literal, a malformed From) is DMARC_E_NO_AUTHOR with the reader's
 * reason in *why. The domains, lowercased A-labels, each with its NUL,
 * appended to out; their number in *count. */
enum dmarc_problem dmarc_author_domains(const struct mime_author *a, const char *from_value,
					size_t from_len, struct mime_buf *out, size_t *count,
					const char **why);
/* The same for a caller that takes one domain only: several are
 * DMARC_E_FROM_DOMAINS. */
enum dmarc_problem dmarc_author_domain(const struct mime_author *a, const char *from_value,
				       size_t from_len, struct mime_buf *out, const char **why);

/* ---- alignment --------------------------------------------------------------- */

/* Domains compared as A-labels, ASCII case-insensitively, without a final
 * dot. Strict: the same name. Relaxed: the same organizational domain
 * (given: org_a and org_b, from a Tree Walk or the PSL). */
int dmarc_domain_eq(const char *a, const char *b);
int dmarc_aligned(enum dmarc_align mode, const char *a, const char *org_a, const char *b,
		  const char *org_b);

/* The Tree Walk's targets for a domain (RFC 9989 4.10.1): the domain, then
 * (when it has 8 labels or more) its last 7 labels, then one label less
 * each time, to one label. Up to DMARC_WALK_MAX names; their count. The
 * pointers point into domain. */
#define DMARC_WALK_MAX 8
#define DMARC_WALK_LABELS 8   /* names of this many labels or more jump to 7 */
size_t dmarc_walk_targets(const char *domain, const char *targets[DMARC_WALK_MAX]);

/* RFC 7489 3.2: the organizational domain from the public suffix list
 * (libpsl's psl_ctx_t, passed as a pointer to it; the caller loads it);
 * the domain itself when it has no registrable domain. Appended to out. */
enum dmarc_problem dmarc_psl_org_domain(const psl_ctx_t *psl, const char *domain, struct mime_buf *out);

/* ---- evaluation ---------------------------------------------------------------- */

struct dmarc_dkim {
	const char *domain;         /* d= */
	const char *selector;       /* s= (may be NULL) */
	enum dmarc_auth result;
};

#define DMARC_MAX_AUTHORS 8   /* author domains evaluated for one message */

struct dmarc_request {
	const char *from_domain;    /* the author domain (U-labels are converted);
				       NULL: author_problem says why */
	const char *const *from_domains; /* or several (nfrom > 1, from_domain
				       unused): each is evaluated (RFC 9989
				       11.5); the outcome is the strictest
				       failing one's, a pass only when none
				       fails or cannot be checked */
	size_t nfrom;
	enum dmarc_problem author_problem; /* DMARC_E_NO_AUTHOR, DMARC_E_FROM_DOMAINS */
	const char *author_reason;  /* words for it (may be NULL) */
	enum dmarc_auth spf;        /* the SPF result for the identity below */
	const char *mail_from;      /* the MAIL FROM domain (or address: the part
				       after the last '@'); NULL or "": null
				       sender, the HELO identity is used */
	const char *helo;           /* the HELO/EHLO name */
	const struct dmarc_dkim *dkim;
	size_t ndkim;
	unsigned flags;             /* DMARC_RFC7489 */
	const psl_ctx_t *psl;        /* RFC 7489 mode: the public suffix list */
	unsigned random;            /* RFC 7489 pct=: a number 0..99 the caller
				       drew; the policy applies when it is < pct */
};

/* Which tag gave the policy. */
enum dmarc_tag { DMARC_TAG_NONE, DMARC_TAG_P, DMARC_TAG_SP, DMARC_TAG_NP };

struct dmarc_outcome {
	enum dmarc_result result;
	enum dmarc_policy policy;       /* the Domain Owner's: p, sp or np applied
					   (DMARC_P_NONE when no record) */
	enum dmarc_policy disposition;  /* what to do: the policy on fail, lowered one
					   step by t=y (and by pct= sampling in 7489
					   mode); none on pass */
	enum dmarc_tag policy_tag;
	const char *from_domain;        /* A-label ("" when none) */
	const char *policy_domain;      /* the domain whose record applied (NULL: none) */
	const char *org_domain;         /* of the author domain (NULL: unknown) */
	const struct dmarc_record *record; /* the policy record (NULL: none) */
	const char *record_text;        /* its text */
	int as_none;                    /* no valid p=, a valid rua=: acting as p=none */
	int nonexistent;                /* the author domain is NXDOMAIN (np=) */
	int testing;                    /* t=y */
	int sampled_out;                /* 7489: pct= left this message out */
	int dkim_aligned, spf_aligned;  /* an aligned pass */
	const char *dkim_domain;        /* the aligned passing d= (NULL: none) */
	const char *dkim_selector;
	const char *spf_domain;         /* the domain SPF checked (MAIL FROM or HELO) */
	int spf_helo;                   /* it is the HELO identity */
	enum dmarc_problem problem;
	const char *problem_text;       /* a short reason */
	unsigned queries;               /* DNS questions asked */
	size_t nauthors;                /* author domains evaluated (1, or nfrom) */
};

struct dmarc_eval;

/* Copies what it needs from req. NULL when out of memory. */
struct dmarc_eval *dmarc_eval_new(const struct dmarc_request *req);
void dmarc_eval_free(struct dmarc_eval *e);

enum dmarc_step {
	DMARC_QUERY,   /* *q is a question to ask; call dmarc_next again */
	DMARC_WAIT,    /* every question is asked: give an answer */
	DMARC_DONE,    /* dmarc_outcome has the result */
};
enum dmarc_step dmarc_next(struct dmarc_eval *e, struct dns_question *q);
/* The answer to the question whose id a->id is (any order). */
void dmarc_answer(struct dmarc_eval *e, const struct dns_answer *a);
/* After DONE; valid until free. With several author domains, the one
 * that decided; each one's by dmarc_outcome_at (i < nauthors). */
const struct dmarc_outcome *dmarc_outcome(const struct dmarc_eval *e);
const struct dmarc_outcome *dmarc_outcome_at(const struct dmarc_eval *e, size_t i);

/* ---- aggregate reports (RFC 9990) ----------------------------------------------- */

/* One message's evaluation, as a report row sees it. */
struct dmarc_report_row {
	const char *source_ip;       /* text */
	const char *header_from;
	const char *envelope_from;   /* may be NULL */
	const char *envelope_to;     /* may be NULL */
	enum dmarc_result result;
	enum dmarc_policy disposition;
	int dkim_aligned, spf_aligned;
	const char *reason_type;     /* a policy override (RFC 9990 3.1.1.11):
					"policy_test_mode" (t=y), "other", ...;
					NULL: none */
	const char *reason_comment;  /* may be NULL */
	const struct dmarc_dkim *dkim;
	size_t ndkim;
	const char *spf_domain;      /* may be NULL */
	int spf_helo;
	enum dmarc_auth spf;
	int64_t time;                /* when the message came (seconds) */
};

struct dmarc_report_meta {
	const char *org_name;
	const char *email;
	const char *extra_contact;   /* may be NULL */
	const char *report_id;
	int64_t begin, end;          /* the range; 0, 0: the rows' times */
	const char *domain;          /* the policy domain */
	const char *error;           /* report_metadata's error (may be NULL) */
	const struct dmarc_record *policy; /* the published policy (NULL: p=none) */
	int rfc7489;                 /* discovery_method psl (else treewalk) */
};

struct dmarc_report;

struct dmarc_report *dmarc_report_new(void);
void dmarc_report_free(struct dmarc_report *r);
/* Add a row: identical rows (source, identifiers, evaluation and results)
 * are counted together. Strings are copied. 0, or -1 when out of memory. */
int dmarc_report_add(struct dmarc_report *r, const struct dmarc_report_row *row);
size_t dmarc_report_rows(const struct dmarc_report *r);
uint64_t dmarc_report_messages(const struct dmarc_report *r);
/* The rows' earliest and latest times. */
void dmarc_report_range(const struct dmarc_report *r, int64_t *first, int64_t *last);
/* The XML document (RFC 9990's schema, namespace
 * urn:ietf:params:xml:ns:dmarc-2.0) appended to out. MIME_OK, MIME_ENOMEM. */
enum mime_status dmarc_report_xml(const struct dmarc_report *r, const struct dmarc_report_meta *m,
				  struct mime_buf *out);

#ifdef __cplusplus
}
#endif
#endif
