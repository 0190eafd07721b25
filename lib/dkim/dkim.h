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

#ifdef __cplusplus
}
#endif
#endif
