/* ember lib/dkim: DomainKeys Identified Mail, signing and verifying
 * (RFC 6376; RFC 8463 ed25519-sha256; RFC 8301: rsa-sha1 and RSA keys
 * under 1024 bits are not accepted).
 *
 * Sans-IO and one pass: feed the message in any chunking; the header is
 * read by lib/mime's header reader (every field raw, in order: the same
 * fields every other reader of ember sees), the body is canonicalised and
 * hashed as it streams and never held. The verifier asks for each key as
 * soon as its DKIM-Signature field is read (a DNS question, dns.h) and
 * resumes with the answer. Memory is bounded by the header limits, not by
 * the message. Crypto is OpenSSL's EVP API.
 *
 * A message stored with bare LF line ends (its first line ends with one,
 * as mbox and Maildir keep mail) is read in its canonical CRLF form (RFC
 * 5322 2.1). A header with a structural defect (mime-header.h: a line that
 * is neither a field nor a continuation, a continuation line first, a NUL
 * or a bare CR in a field) is refused, as dkimpy and OpenDKIM refuse it:
 * the signer will not sign it and every signature of it is a permerror,
 * since readers of such a header do not agree on what it says. */
#ifndef EMBER_DKIM_H
#define EMBER_DKIM_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "mime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 8601 2.7.1 results */
enum dkim_result {
	DKIM_NONE,        /* no signature (a message verdict, never a signature's) */
	DKIM_PASS,
	DKIM_FAIL,        /* it does not verify: body or header changed, wrong key */
	DKIM_NEUTRAL,     /* not counted (a signature past max_signatures) */
	DKIM_POLICY,      /* verifies, but not acceptable: rsa-sha1 (RFC 8301) */
	DKIM_TEMPERROR,   /* the key could not be fetched: try again later */
	DKIM_PERMERROR,   /* a malformed signature or key record, no key, a key that
			     does not fit, expired, a header with a structural defect */
};

const char *dkim_result_name(enum dkim_result r);  /* "pass", "fail", ... */

enum dkim_alg { DKIM_RSA_SHA256, DKIM_ED25519_SHA256, DKIM_RSA_SHA1 };
enum dkim_canon { DKIM_SIMPLE, DKIM_RELAXED };

const char *dkim_alg_name(enum dkim_alg a);        /* "rsa-sha256", ... */

/* ---- keys ------------------------------------------------------------- */

struct dkim_key;  /* a private key, for signing */

/* PEM as OpenSSL writes it: PKCS#8 (RSA, Ed25519) or the traditional RSA
 * form. MIME_OK, MIME_ENOMEM, or MIME_EINVAL with *err (static text). */
enum mime_status dkim_key_from_pem(const char *pem, size_t len, struct dkim_key **out,
				   const char **err);
void dkim_key_free(struct dkim_key *k);
/* rsa-sha256 for an RSA key, ed25519-sha256 for an Ed25519 one. */
enum dkim_alg dkim_key_alg(const struct dkim_key *k);
/* RSA: the modulus in bits; Ed25519: 256. */
unsigned dkim_key_bits(const struct dkim_key *k);
/* The key record to publish: "v=DKIM1; k=rsa; p=..." (p= the
 * SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519, RFC 8463 4),
 * appended to out. */
enum mime_status dkim_key_record(const struct dkim_key *k, struct mime_buf *out);

/* ---- verifying ---------------------------------------------------------- */

/* Parsed key records, kept for the messages that follow: decoding the key
 * is most of what verifying a small message costs. A verifier keeps one of
 * its own (8 keys) across resets; verifiers that run side by side (many
 * messages in flight) can share one given in their options. Keyed by the
 * record's exact bytes, so a changed record is parsed anew; the caller
 * bounds how long an answer is trusted (DNS TTL) by what it answers. Not
 * for threads: one cache, one thread. */
struct dkim_key_cache;
struct dkim_key_cache *dkim_key_cache_new(size_t entries);
void dkim_key_cache_free(struct dkim_key_cache *c);
void dkim_key_cache_stats(const struct dkim_key_cache *c, uint64_t *hits, uint64_t *misses);

struct dkim_verify_options {
	int64_t now;              /* the clock (seconds since the epoch), for x= and t= */
	unsigned clock_drift;     /* how far t= may be in the future, seconds (300) */
	unsigned max_signatures;  /* verified per message; later ones are neutral (16) */
	unsigned flags;
	struct mime_hdr_limits header; /* the header reader's limits */
	struct dkim_key_cache *keys;   /* shared parsed keys (NULL: the verifier's own) */
};

#define DKIM_VERIFY_SHA1 1u       /* rsa-sha1 may pass (old corpora): not policy */
#define DKIM_VERIFY_SHORT_KEYS 2u /* RSA keys under 1024 bits may pass (old corpora) */

/* One signature's outcome. Strings are valid until the verifier is reset
 * or freed; NULL where the signature did not say. */
struct dkim_sig_result {
	enum dkim_result result;
	const char *reason;       /* short static text: "body hash mismatch", ... */
	const char *domain;       /* d= */
	const char *selector;     /* s= */
	const char *auid;         /* i=, or "@" d= when absent */
	const char *alg;          /* a= as written */
	const char *b;            /* b= without white space (header.b of RFC 6008) */
	int has_length;           /* l= given: the body it covers may be partial */
	uint64_t length;          /* l= */
	uint64_t body_length;     /* octets of the canonicalised body */
	int testing;              /* the key says t=y */
	uint64_t offset;          /* the DKIM-Signature field's */
	unsigned long line;
};

struct dkim_verifier;

/* NULL options: the defaults (now: 0, so x= and t= are not checked). */
struct dkim_verifier *dkim_verifier_new(const struct dkim_verify_options *o);
void dkim_verifier_free(struct dkim_verifier *v);
/* Ready for the next message, options kept, memory kept. */
void dkim_verifier_reset(struct dkim_verifier *v);
/* Feed the message (len 0: its end). */
void dkim_verifier_feed(struct dkim_verifier *v, const char *buf, size_t len);

enum dkim_step {
	DKIM_AWAIT,   /* feed more input, or answer the questions given */
	DKIM_QUERY,   /* *q is a question (a TXT record) to answer */
	DKIM_DONE,    /* the results are there */
};
enum dkim_step dkim_verifier_next(struct dkim_verifier *v, struct dns_question *q);
/* The answer to the question whose id a->id is (any order, any time). */
void dkim_verifier_answer(struct dkim_verifier *v, const struct dns_answer *a);
/* After DONE: the signatures, in the order of their fields (top first). */
size_t dkim_verifier_results(const struct dkim_verifier *v, const struct dkim_sig_result **r);
/* After DONE: the message's verdict: PASS when a signature passes, else
 * TEMPERROR when one could not be checked now, else the first signature's
 * result; without signatures NONE, or PERMERROR when the header has a
 * structural defect or cannot be read (a signature may be hidden below
 * the line that ended it; TEMPERROR when memory ran out). */
enum dkim_result dkim_verifier_verdict(const struct dkim_verifier *v);
/* After DONE: why the message as a whole cannot be verified, or NULL: it
 * could not be read (a header limit, memory: every signature fails), or
 * its header has a structural defect (the first one, with its code and
 * line: every signature is a permerror). */
const char *dkim_verifier_error(const struct dkim_verifier *v, enum mime_code *code,
				unsigned long *line);

/* ---- signing ------------------------------------------------------------- */

struct dkim_sign_options {
	const char *domain;       /* d= */
	const char *selector;     /* s= */
	const struct dkim_key *key;
	enum dkim_alg alg;        /* must fit the key; the key's by default */
	int alg_set;
	enum dkim_canon header_canon, body_canon; /* relaxed/relaxed by default */
	int canon_set;
	const char *const *fields; /* h=: the names to sign (NULL: the default list) */
	size_t nfields;
	unsigned flags;
	int64_t now;              /* t= */
	uint64_t expire;          /* x= t= + expire seconds (0: no x=) */
	const char *auid;         /* i= (NULL: none) */
	struct mime_hdr_limits header;
};

#define DKIM_SIGN_NO_OVERSIGN 1u  /* do not name From, Subject, ... once more
				     than present (see dkim_sign_oversigned) */
#define DKIM_SIGN_BODY_LENGTH 2u  /* write l= (the body's length): not advised */

/* The fields named once more than present, so that none can be added above
 * the signature (RFC 6376 8.15): From, Sender, Reply-To, Subject, Date,
 * To, Cc, Message-ID, MIME-Version, Content-Type, Content-Transfer-Encoding;
 * NULL-terminated. The default list to sign is these and In-Reply-To,
 * References, and the List-* fields of RFC 2369 and RFC 2919. */
extern const char *const dkim_sign_oversigned[];
extern const char *const dkim_sign_default[];

enum dkim_sign_status {
	DKIM_SIGN_OK,
	DKIM_SIGN_ENOMEM,
	DKIM_SIGN_EOPTIONS,    /* options that do not fit: no domain, a key of
				  another type than a=, a bad name */
	DKIM_SIGN_EHEADER,     /* the header cannot be read (a limit) or has a
				  structural defect */
	DKIM_SIGN_ENOFROM,     /* no From field (RFC 6376 5.4: From is signed) */
	DKIM_SIGN_ECRYPTO,     /* OpenSSL refused */
};

struct dkim_signer;

struct dkim_signer *dkim_signer_new(const struct dkim_sign_options *o);
void dkim_signer_free(struct dkim_signer *s);
/* DKIM_SIGN_OK, or why the signer stopped (bad options show at once). */
enum dkim_sign_status dkim_signer_status(const struct dkim_signer *s);
/* Feed the message (len 0: its end); the status is sticky. */
enum dkim_sign_status dkim_signer_feed(struct dkim_signer *s, const char *buf, size_t len);
/* After the end: the DKIM-Signature field to put above the message,
 * "DKIM-Signature: v=1; a=...; b=..." folded at 78 columns with CRLF line
 * ends, without the final one (mime_editor_prepend takes it so). */
enum dkim_sign_status dkim_signer_field(struct dkim_signer *s, const char **field, size_t *len);
/* Why the signer stopped: a static message, and the line it is about. */
const char *dkim_signer_error(const struct dkim_signer *s, unsigned long *line);

/* ---- ARC (RFC 8617) -------------------------------------------------------
 *
 * The Authenticated Received Chain: each hop that handles a message adds
 * an ARC set of three fields with one instance number i= (1 to 50):
 * ARC-Authentication-Results (what this hop's checks found), an
 * ARC-Message-Signature (a DKIM signature of the message as this hop saw
 * it) and an ARC-Seal (a signature over every ARC field of the chain so
 * far, which says cv=, what this hop found of the chain before it).
 *
 * Both machines below work as the DKIM ones do: one pass, the header read
 * by lib/mime's header reader, the body hashed as it streams, keys asked
 * for as DNS questions (the same key records as DKIM: sel._domainkey.d),
 * parsed keys kept in a dkim_key_cache. Prefix dkim_arc_. */

/* A chain validation status (RFC 8617 4.4: the cv= values), and the
 * validator's temporary failure: a key that could not be fetched now. */
enum dkim_arc_cv { DKIM_ARC_NONE, DKIM_ARC_PASS, DKIM_ARC_FAIL, DKIM_ARC_TEMPERROR };
const char *dkim_arc_cv_name(enum dkim_arc_cv cv);  /* "none", "pass", "fail", "temperror" */

#define DKIM_ARC_MAX_SETS 50  /* RFC 8617 4.2.1: i= 1 to 50; more sets: fail */

struct dkim_arc_options {
	unsigned flags;                /* DKIM_VERIFY_SHORT_KEYS */
	struct mime_hdr_limits header; /* the header reader's limits */
	struct dkim_key_cache *keys;   /* shared parsed keys (NULL: the validator's own) */
};

/* One ARC set as validated. Strings are valid until the validator is
 * reset or freed; NULL where the set did not say. */
struct dkim_arc_set {
	unsigned instance;
	enum dkim_arc_cv cv;           /* what its ARC-Seal says (cv=) */
	enum dkim_result ams;          /* its ARC-Message-Signature: pass, fail,
					  permerror, temperror; NONE: absent, or
					  not checked (a chain failed by its shape) */
	enum dkim_result seal;         /* its ARC-Seal, the same way */
	const char *ams_domain, *ams_selector;   /* d=, s= of the AMS */
	const char *seal_domain, *seal_selector; /* d=, s= of the AS */
	const char *reason;            /* static text: why the AMS or AS did not pass */
};

struct dkim_arc_verifier;

/* NULL options: the defaults. NULL when memory is exhausted. */
struct dkim_arc_verifier *dkim_arc_verifier_new(const struct dkim_arc_options *o);
void dkim_arc_verifier_free(struct dkim_arc_verifier *v);
void dkim_arc_verifier_reset(struct dkim_arc_verifier *v);
/* Feed the message (len 0: its end). */
void dkim_arc_verifier_feed(struct dkim_arc_verifier *v, const char *buf, size_t len);
/* As dkim_verifier_next: AWAIT, QUERY (*q to answer), DONE. */
enum dkim_step dkim_arc_verifier_next(struct dkim_arc_verifier *v, struct dns_question *q);
void dkim_arc_verifier_answer(struct dkim_arc_verifier *v, const struct dns_answer *a);
/* After DONE: the chain validation status (RFC 8617 5.2): NONE without
 * ARC fields; FAIL for a header that cannot be read (a limit), for a chain
 * that is malformed (more than 50 sets, a gap
 * or a repetition in the instances, a set without one of its three
 * fields, a field that does not parse, cv= that does not fit its place),
 * whose latest seal says cv=fail, whose latest AMS or any of whose seals
 * does not verify; TEMPERROR when a key needed could not be fetched;
 * else PASS. *reason (may be NULL): static text for all but PASS and
 * NONE. *oldest_pass (may be NULL): RFC 8617 5.2 step 5's oldest-pass,
 * for PASS: 0 when every AMS verifies, else the lowest instance from which
 * on every AMS verifies. */
enum dkim_arc_cv dkim_arc_verifier_result(const struct dkim_arc_verifier *v, const char **reason,
					  unsigned *oldest_pass);
/* After DONE: the sets found, by instance (1 first); none when the chain
 * is so malformed that it has no instances to speak of. */
size_t dkim_arc_verifier_sets(const struct dkim_arc_verifier *v, const struct dkim_arc_set **sets);

/* Sealing: a new ARC set for a message this hop has checked. Its
 * ARC-Authentication-Results holds the results of the Authentication-Results
 * fields of the sealer's authserv-id on the message (all of them, top
 * first, RFC 8617 4.1.1); cv= is what those results say of the chain (an
 * arc= result: RFC 8617 5.1: the sealer validates the chain first, as
 * `ember arc verify --ar` does). The new instance is one above the highest
 * on the message; the ARC-Message-Signature is relaxed/relaxed with the
 * fields of dkim_sign_options' h= rules; the ARC-Seal covers every ARC set
 * in order, or, for cv=fail, its own set only (RFC 8617 5.1.2). Tags are
 * written in alphabetical order and fields folded only between tags, so
 * that the canonical form a seal signs is the one a reader of the unfolded
 * field sees (and the one of the ARC test suite's signer). */
struct dkim_arc_seal_options {
	const char *domain;       /* d= */
	const char *selector;     /* s= */
	const struct dkim_key *key;
	enum dkim_alg alg;        /* must fit the key; the key's by default */
	int alg_set;
	const char *authserv_id;  /* whose Authentication-Results to seal */
	const char *const *fields; /* the AMS's h= (NULL: dkim_sign_default) */
	size_t nfields;
	unsigned flags;           /* DKIM_SIGN_NO_OVERSIGN */
	int64_t now;              /* t= (0: none) */
	struct mime_hdr_limits header;
};

enum dkim_arc_seal_status {
	DKIM_ARC_SEAL_OK,
	DKIM_ARC_SEAL_ENOMEM,
	DKIM_ARC_SEAL_EOPTIONS,   /* no domain, selector, key or authserv-id; a key
				     of another type than a= */
	DKIM_ARC_SEAL_EHEADER,    /* the header cannot be read or has a structural defect */
	DKIM_ARC_SEAL_ENORESULTS, /* no Authentication-Results of the authserv-id */
	DKIM_ARC_SEAL_ECHAIN,     /* the chain has ended: not sealed (its latest seal
				     says cv=fail, 50 sets already, or sets on the
				     message and no arc= result for them) */
	DKIM_ARC_SEAL_ECRYPTO,    /* OpenSSL refused */
};

struct dkim_arc_sealer;

struct dkim_arc_sealer *dkim_arc_sealer_new(const struct dkim_arc_seal_options *o);
void dkim_arc_sealer_free(struct dkim_arc_sealer *s);
enum dkim_arc_seal_status dkim_arc_sealer_status(const struct dkim_arc_sealer *s);
/* Feed the message (len 0: its end); the status is sticky. */
enum dkim_arc_seal_status dkim_arc_sealer_feed(struct dkim_arc_sealer *s, const char *buf, size_t len);
/* After the end: the three fields, folded, CRLF line ends, without the
 * final one: field[0] ARC-Seal, [1] ARC-Message-Signature, [2]
 * ARC-Authentication-Results, to prepend in that order (the seal on top). */
enum dkim_arc_seal_status dkim_arc_sealer_fields(struct dkim_arc_sealer *s, const char *field[3],
						 size_t len[3]);
/* The new set's instance and cv= (known once the header is read). */
unsigned dkim_arc_sealer_instance(const struct dkim_arc_sealer *s);
enum dkim_arc_cv dkim_arc_sealer_cv(const struct dkim_arc_sealer *s);
/* Why the sealer stopped: a static message, and the line it is about. */
const char *dkim_arc_sealer_error(const struct dkim_arc_sealer *s, unsigned long *line);

#ifdef __cplusplus
}
#endif
#endif
