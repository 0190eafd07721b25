/* ember lib/spf: Sender Policy Framework, all of RFC 7208. Sans-IO: an
 * evaluation asks its DNS questions (lib/dns) and resumes with the answers;
 * several may be in flight at once (the A/AAAA lookups of an mx or ptr
 * term are asked together).
 *
 *   struct spf_eval *e = spf_eval_new(&req, NULL);
 *   for (;;) {
 *           struct dns_question q;
 *           enum spf_step s = spf_next(e, &q);
 *           if (s == SPF_QUERY) { ask(&q); continue; }  (more may follow)
 *           if (s == SPF_WAIT) { give one answer: spf_answer(e, &a); continue; }
 *           break;                                      (SPF_DONE)
 *   }
 *   const struct spf_outcome *o = spf_outcome(e);
 */
#ifndef EMBER_SPF_H
#define EMBER_SPF_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#ifdef __cplusplus
extern "C" {
#endif

enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};

/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" */
const char *spf_result_name(enum spf_result r);
/* The result of a name (ASCII, any case); -1 when it is none of them. */
int spf_result_parse(const char *s, size_t len);

/* Which identity is checked (RFC 7208 2.3, 2.4). */
enum spf_identity {
	SPF_MAILFROM,
	SPF_HELO,
};

struct spf_request {
	int family;                 /* 4 or 6 */
	uint8_t ip[16];             /* 4 bytes (IPv4) or 16 (IPv6), network
				       order; an IPv4-mapped IPv6 address is
				       checked as the IPv4 address it holds */
	enum spf_identity identity;
	const char *sender;         /* MAIL FROM's address (local@domain);
				       NULL or "": the HELO identity is used */
	const char *helo;           /* the HELO/EHLO name (may be NULL) */
	const char *receiver;       /* %{r}: the receiving host ("unknown") */
	int64_t now;                /* %{t}: seconds since the epoch */
};

struct spf_limits {
	unsigned dns_terms;         /* include a mx ptr exists redirect (10) */
	unsigned void_lookups;      /* answers with no record (2) */
	unsigned mx_names;          /* names looked up per mx term (10) */
	unsigned ptr_names;         /* names looked up per ptr term (10) */
	unsigned queries;           /* every DNS question of one evaluation,
				       the explanation's included (256) */
};

/* The reasons of a permerror or a temperror: a code to switch on. */
enum spf_problem {
	SPF_OK,
	SPF_E_SYNTAX,         /* a term that is not RFC 7208 4.6.1's grammar */
	SPF_E_MULTIPLE,       /* more than one v=spf1 record (4.5) */
	SPF_E_TOO_MANY_TERMS, /* more than 10 DNS-querying terms (4.6.4) */
	SPF_E_TOO_MANY_VOID,  /* more than 2 void lookups (4.6.4) */
	SPF_E_TOO_MANY_NAMES, /* mx with more than 10 exchanges (4.6.4) */
	SPF_E_INCLUDE_NONE,   /* an include of a domain with no record (5.2) */
	SPF_E_REDIRECT_NONE,  /* a redirect to a domain with no record (6.1) */
	SPF_E_MACRO,          /* a macro that is not the grammar (7.1) */
	SPF_E_DOMAIN,         /* a target name that is not a domain (4.8, 7.3) */
	SPF_E_DUPLICATE_MOD,  /* redirect= or exp= twice (6) */
	SPF_E_DNS,            /* DNS failed (temperror) */
	SPF_E_QUERIES,        /* the query cap of spf_limits */
	SPF_E_NOMEM,          /* out of memory (temperror) */
};

struct spf_outcome {
	enum spf_result result;
	enum spf_identity identity;     /* the one checked */
	const char *domain;             /* the domain checked (<domain> of 4.1) */
	const char *mechanism;          /* the term that matched ("-all",
					   "include:x", "default" when none) */
	const char *record_domain;      /* the domain whose record held it */
	const char *explanation;        /* fail: exp= text, else the default
					   explanation; NULL otherwise */
	enum spf_problem problem;
	const char *problem_text;       /* a short reason ("more than 10 DNS
					   lookups", "DNS timeout for x") */
	unsigned dns_terms;             /* the counts spent */
	unsigned void_lookups;
	unsigned queries;
};

struct spf_eval;

/* Copies what it needs from req; NULL limits: the defaults. NULL when out
 * of memory. */
struct spf_eval *spf_eval_new(const struct spf_request *req, const struct spf_limits *lim);
void spf_eval_free(struct spf_eval *e);
/* The same evaluation object for another request (memory kept). 0, or -1
 * when out of memory. */
int spf_eval_reset(struct spf_eval *e, const struct spf_request *req);

enum spf_step {
	SPF_QUERY,   /* *q is a question to ask; call spf_next again */
	SPF_WAIT,    /* every question is asked: give an answer */
	SPF_DONE,    /* spf_outcome has the result */
};
enum spf_step spf_next(struct spf_eval *e, struct dns_question *q);
/* The answer to the question whose id a->id is (any order). */
void spf_answer(struct spf_eval *e, const struct dns_answer *a);
/* After DONE; valid until the next reset or free. */
const struct spf_outcome *spf_outcome(const struct spf_eval *e);

/* ---- pieces, for the tools and fuzzers ---------------------------------- */

/* A client address as text: dotted IPv4, or IPv6 (RFC 4291 2.2, in
 * brackets or not) into *family (4 or 6) and ip. 0, or -1. */
int spf_parse_address(const char *s, size_t n, int *family, uint8_t ip[16]);

/* 1 when the TXT record is an SPF record (4.5: "v=spf1" then a space or
 * the end), 0 otherwise. */
int spf_is_record(const char *txt, size_t len);
/* Check a record's syntax alone (no DNS): SPF_OK or the problem, with a
 * short text and the offset of the offending term. */
enum spf_problem spf_record_check(const char *txt, size_t len, const char **why, size_t *at);

/* The values the macros of RFC 7208 7 read. */
struct spf_macro_env {
	const char *sender;    /* s */
	const char *local;     /* l (the local part, "postmaster" when none) */
	const char *sender_domain; /* o */
	const char *domain;    /* d */
	int family;            /* i, v, c */
	uint8_t ip[16];
	const char *validated; /* p ("unknown" when NULL) */
	const char *helo;      /* h */
	const char *receiver;  /* r (exp only) */
	int64_t now;           /* t (exp only) */
};
/* Expand a macro-string (7.1) into out (at most outlen - 1 bytes and a
 * NUL). exp: the c, r and t letters are allowed (an explanation string).
 * 0, or -1 with *problem (SPF_E_MACRO, or SPF_E_DOMAIN when the result does
 * not fit). A domain-spec is then truncated from the left to 253 octets
 * as 7.3 says (spf_expand_domain). */
int spf_expand(const struct spf_macro_env *env, const char *in, size_t len, int exp,
	       char *out, size_t outlen, enum spf_problem *problem);
int spf_expand_domain(const struct spf_macro_env *env, const char *in, size_t len,
		      char *out, size_t outlen, enum spf_problem *problem);

/* The Received-SPF field of RFC 7208 9.1 for an outcome, with a CRLF,
 * folded at 78 columns, into out (at most outlen bytes and a NUL); the
 * length, or 0 when it does not fit. client_ip: printed as "client-ip=";
 * helo and envelope_from may be NULL. */
size_t spf_received_field(const struct spf_outcome *o, const struct spf_request *req,
			  const char *receiver, char *out, size_t outlen);

/* What a Received-SPF field (its value, after the colon; folded or not)
 * recorded: the result and the key=value pairs of 9.1 that are needed to
 * run the check again. 0, or -1 when it is not that grammar. */
struct spf_received_info {
	enum spf_result result;
	char client_ip[64];
	char envelope_from[512];
	char helo[256];
	char identity[32];
	char receiver[256];
	char mechanism[256];
};
int spf_received_parse(const char *value, size_t len, struct spf_received_info *out);

#ifdef __cplusplus
}
#endif
#endif
