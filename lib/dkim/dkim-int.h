/* Internals of lib/dkim: tag lists, the two records, canonicalisation and
 * crypto, shared by verify.c and sign.c. Not installed. */
#ifndef EMBER_DKIM_INT_H
#define EMBER_DKIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "dkim.h"

/* ---- tags.c: RFC 6376 3.2 tag lists -------------------------------------- */

enum { DKIM_MAX_TAGS = 64 };

struct dkim_tag {
	const char *name;
	size_t name_len;
	const char *value;        /* without the white space around it */
	size_t value_len;
	size_t value_at;          /* offset in the list of the byte after '=' */
	size_t spec_end;          /* offset of the ';' ending the tag-spec, or the end */
};

/* MIME_OK; MIME_EINVAL with *err (a duplicate tag, a bad name, more than
 * DKIM_MAX_TAGS tags). */
enum mime_status dkim_tags_parse(const char *s, size_t n, struct dkim_tag *t, size_t *nt,
				 const char **err);
const struct dkim_tag *dkim_tag_get(const struct dkim_tag *t, size_t nt, const char *name);
/* base64 with folding white space inside (RFC 6376 2.10): strict. */
enum mime_status dkim_base64(const char *s, size_t n, struct mime_buf *out);
/* A decimal of at most digits digits. */
int dkim_decimal(const char *s, size_t n, size_t digits, uint64_t *v);

/* A parsed DKIM-Signature (RFC 6376 3.5). Strings NUL-terminated, owned. */
struct dkim_sig {
	enum dkim_alg alg;
	char *alg_text;
	enum dkim_canon hcanon, bcanon;
	char *d, *s, *i;
	char **h;                 /* the names of h=, as written */
	size_t nh;
	struct mime_buf b, bh;    /* decoded */
	char *b_text;             /* b= without white space */
	int has_l, has_t, has_x;
	uint64_t l, t, x;
	size_t b_from, b_to;      /* in the field's raw bytes: the b= value to delete
				     for hashing (RFC 6376 3.7) */
	unsigned instance;        /* an ARC-Message-Signature's i= (1..50) */
};

/* The value of a DKIM-Signature field (raw: value_at is where the value
 * starts in the field's raw bytes). MIME_OK, MIME_ENOMEM, or MIME_EINVAL
 * with *err. */
enum mime_status dkim_sig_parse(const char *value, size_t n, size_t value_at, struct dkim_sig *sig,
				const char **err);
void dkim_sig_free(struct dkim_sig *sig);
/* The value of an ARC-Message-Signature (RFC 8617 4.1.2): a DKIM-Signature
 * but for i=, the instance (1..50), no v=, an h= that may be empty (and
 * must not name ARC-Seal), From not required. */
enum mime_status dkim_ams_parse(const char *value, size_t n, size_t value_at, struct dkim_sig *sig,
				const char **err);

/* A parsed ARC-Seal (RFC 8617 4.1.3). */
struct dkim_seal {
	unsigned instance;        /* i= */
	enum dkim_alg alg;
	char *d, *s;
	enum dkim_arc_cv cv;      /* NONE, PASS or FAIL */
	struct mime_buf b;
	int has_t;
	uint64_t t;
	size_t b_from, b_to;      /* as in dkim_sig */
};

enum mime_status dkim_seal_parse(const char *value, size_t n, size_t value_at, struct dkim_seal *as,
				 const char **err);
void dkim_seal_free(struct dkim_seal *as);
/* The i= an ARC-Authentication-Results value starts with ("i=N;", RFC 8617
 * 4.1.1): 1..50, with *rest the offset after the ';'; 0 when it does not. */
unsigned dkim_aar_instance(const char *value, size_t n, size_t *rest);
/* 1..50, or 0: a decimal instance number without leading zeros. */
unsigned dkim_arc_instance_value(const char *s, size_t n);

/* A key record (RFC 6376 3.6.1, RFC 8463 4). */
struct dkim_pubkey {
	EVP_PKEY *pkey;           /* NULL when revoked (p= empty) */
	int rsa;                  /* k=rsa (or absent), else ed25519 */
	int sha1, sha256;         /* h= allows them (both when absent) */
	int testing, strict;      /* t=y, t=s */
	int revoked;
	unsigned bits;
};

/* MIME_OK, MIME_ENOMEM, MIME_EINVAL with *err (also: not for email). */
enum mime_status dkim_pubkey_parse(const char *txt, size_t n, struct dkim_pubkey *k,
				   const char **err);
void dkim_pubkey_free(struct dkim_pubkey *k);
/* dkim_pubkey_parse through a cache (cache.c; NULL: none). */
enum mime_status dkim_key_cache_parse(struct dkim_key_cache *c, const char *txt, size_t n,
				      struct dkim_pubkey *k, const char **err);
int dkim_key_cache_verify(struct dkim_key_cache *c, EVP_PKEY *k, enum dkim_alg a,
			  const unsigned char *digest, size_t dlen, const unsigned char *sig, size_t slen);

/* ---- canon.c: RFC 6376 3.4 ----------------------------------------------- */

/* A header field (name and value as the reader gives them), canonicalised
 * and hashed; the bytes [cut_from, cut_to) of raw left out (the b= value of
 * the signature being hashed: cut_from == cut_to for none); crlf: with its
 * final CRLF (every field but that signature). */
int dkim_hash_field(EVP_MD_CTX *md, enum dkim_canon c, const char *raw, size_t raw_len,
		    size_t name_len, size_t value_at, size_t cut_from, size_t cut_to, int crlf);

/* The body, canonicalised and hashed as it streams. */
struct dkim_body {
	enum dkim_canon canon;
	const EVP_MD *md_type;
	int has_limit;
	uint64_t limit;           /* l= */
	EVP_MD_CTX *md;
	uint64_t length;          /* of the canonical body (all of it) */
	uint64_t hashed;
	uint64_t empty_lines;     /* CRLFs held back: trailing ones are dropped */
	int cr, wsp, any;
	size_t nout;
	unsigned char out[8192];
};

int dkim_body_init(struct dkim_body *b, enum dkim_canon c, const EVP_MD *md, int has_limit,
		   uint64_t limit);
/* As init, keeping the digest context b had (md NULL or valid). */
int dkim_body_restart(struct dkim_body *b, enum dkim_canon c, const EVP_MD *md, int has_limit,
		      uint64_t limit);
int dkim_body_feed(struct dkim_body *b, const char *s, size_t n);
/* The end: the digest (EVP_MAX_MD_SIZE room). */
int dkim_body_end(struct dkim_body *b, unsigned char *digest, unsigned *len);
void dkim_body_free(struct dkim_body *b);

const EVP_MD *dkim_md(enum dkim_alg a);

/* ---- key.c ------------------------------------------------------------------- */

EVP_PKEY *dkim_key_pkey(const struct dkim_key *k);
/* 1 verified, 0 not, -1 OpenSSL failed. */
int dkim_crypto_verify(EVP_PKEY *k, enum dkim_alg a, const unsigned char *digest, size_t dlen,
		       const unsigned char *sig, size_t slen);
/* 0, or -1 when OpenSSL refused. */
int dkim_crypto_sign(EVP_PKEY *k, enum dkim_alg a, const unsigned char *digest, size_t dlen,
		     struct mime_buf *sig);
/* A DNS answer for a key (RFC 6376 6.1.2): the first TXT record that is a
 * key record (through the cache). DKIM_PASS with *k set (the caller frees
 * it), else PERMERROR (no record, none that parses) or TEMPERROR (DNS,
 * memory) with *why. */
enum dkim_result dkim_answer_pubkey(struct dkim_key_cache *c, const struct dns_answer *a,
				    struct dkim_pubkey *k, const char **why);
/* The key fits a signature of alg (revoked, k=, h=, RFC 8301's 1024 bits
 * unless DKIM_VERIFY_SHORT_KEYS): DKIM_PASS, or PERMERROR, FAIL and *why. */
enum dkim_result dkim_pubkey_fits(const struct dkim_pubkey *k, enum dkim_alg alg, unsigned flags,
				  const char **why);
/* Both: DKIM_PASS with *k set, else the result and *why (*k freed). */
enum dkim_result dkim_answer_key(struct dkim_key_cache *c, const struct dns_answer *a,
				 enum dkim_alg alg, unsigned flags, struct dkim_pubkey *k,
				 const char **why);

/* ---- the header a signer or verifier keeps ---------------------------------- */

struct dkim_hfield {
	size_t at, len;           /* in the header buffer */
	size_t name_len, value_at;
	uint64_t hash;            /* of the lowercased name */
	uint64_t offset;
	unsigned long line;
};

uint64_t dkim_name_hash(const char *s, size_t n);

/* ---- input.c: reading a message ------------------------------------------------ */

struct dkim_input {
	struct mime_hdr_limits lim;
	struct mime_hdr_reader *r;
	int mode;
	struct mime_eol eol;
	struct mime_buf pre;      /* the input before its first LF (mode unknown) */
	struct mime_buf conv;     /* the last chunk in CRLF form */
	int in_header, ended;
	struct mime_buf header;   /* the fields' raw bytes, in CRLF form */
	struct dkim_hfield *hf;
	size_t nhf, cap_hf;
	int structural;           /* a structural defect was met */
	unsigned long structural_line;
	const char *structural_msg;
	enum mime_code structural_code;
	const char *error;        /* the header could not be read */
	enum mime_code error_code;
	unsigned long error_line;
	uint64_t body_length;     /* octets of the body, in CRLF form */
	/* what the reader of the input is told */
	void (*on_field)(void *ctx, const struct mime_field *f);  /* kept as hf[nhf - 1] */
	void (*on_header_end)(void *ctx);
	void (*on_body)(void *ctx, const char *s, size_t n);
	void *ctx;
};

int dkim_input_init(struct dkim_input *in, const struct mime_hdr_limits *lim);
void dkim_input_reset(struct dkim_input *in);
void dkim_input_free(struct dkim_input *in);
void dkim_input_feed(struct dkim_input *in, const char *buf, size_t len);
void dkim_input_fail(struct dkim_input *in, enum mime_code code, const char *what, unsigned long line);
/* The fields h= names, canonicalised, into md (RFC 6376 5.4.2). 0 or -1. */
int dkim_input_hash_fields(const struct dkim_input *in, EVP_MD_CTX *md, enum dkim_canon c,
			   char *const *names, size_t nnames);

/* ---- sign.c: shared with the ARC sealer -------------------------------------- */

/* h= for a header: each name of names (NULL: dkim_sign_default) once per
 * instance present, and once more when over-signed (unless
 * DKIM_SIGN_NO_OVERSIGN); names absent are left out. 0, or -1 (memory). */
int dkim_sign_names(const struct dkim_input *in, const char *const *names, size_t nn,
		    unsigned flags, char ***h, size_t *nh);
void dkim_names_free(char **h, size_t nh);
/* A d= or s= a signer may write: a domain name. */
int dkim_is_name(const char *s);


/* ---- arc.c: shared by the validator and the sealer ------------------------------ */

enum { ARC_AAR, ARC_AMS, ARC_AS };
/* ARC_AAR, ARC_AMS, ARC_AS for the three ARC field names, else -1. */
int dkim_arc_kind(const char *name, size_t n);

/* A field as hashed: raw bytes, the name's length, where the value starts,
 * the bytes to leave out (the b= value of the signature being made or
 * checked). */
struct dkim_raw {
	const char *raw;
	size_t len, name_len, value_at, cut_from, cut_to;
};

/* RFC 8617 5.1.1: what an ARC-Seal signs: the fields in order, relaxed,
 * each with its CRLF but the last (the seal itself, its b= cut). 0 or -1. */
int dkim_arc_seal_hash(EVP_MD_CTX *md, const struct dkim_raw *f, size_t n, unsigned char *digest,
		       unsigned *dlen);
/* ---- keyq.c: a verifier's key questions (DKIM and ARC) ------------------ */

#define DKIM_KEYQ_RECORDS 8   /* records of an answer kept (past the eighth: not) */

struct dkim_keyq {
	uint64_t id;
	char name[DNS_NAME_MAX + 1];
	int given;                /* handed out by next() */
	int answered;
	enum dns_status status;   /* the answer, kept */
	struct mime_buf data;     /* the TXT records, one after the other */
	size_t nrec;
	size_t lens[DKIM_KEYQ_RECORDS];
};

struct dkim_keyqs {
	struct dkim_keyq *q;
	size_t n, cap;
};

/* The question for name (one per name, ASCII case-insensitive): its index,
 * *added when it is new; -1 out of memory or a name too long for DNS. */
long dkim_keyqs_find(struct dkim_keyqs *t, const char *name, int *added);
/* A question not handed out yet into *out: 1, or 0 when there is none. */
int dkim_keyqs_next(struct dkim_keyqs *t, struct dns_question *out);
/* 1 when every question has its answer. */
int dkim_keyqs_answered(const struct dkim_keyqs *t);
/* Keep the answer to the question a->id: its index, or -1 (none waits). */
long dkim_keyqs_answer(struct dkim_keyqs *t, const struct dns_answer *a);
/* A kept answer as a dns_answer (records point into q). */
void dkim_keyq_view(const struct dkim_keyq *q, struct dns_answer *a,
		    struct dns_record recs[DKIM_KEYQ_RECORDS]);
void dkim_keyqs_clear(struct dkim_keyqs *t);   /* for the next message */
void dkim_keyqs_free(struct dkim_keyqs *t);

#endif
