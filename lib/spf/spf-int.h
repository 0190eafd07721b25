/* Internal to lib/spf. */
#ifndef EMBER_SPF_INT_H
#define EMBER_SPF_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spf.h"

static inline int spf_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static inline int spf_alpha(int c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static inline int spf_digit(int c) { return c >= '0' && c <= '9'; }
static inline int spf_alnum(int c) { return spf_alpha(c) || spf_digit(c); }

/* ASCII case-insensitive equality of a[0..n) and the NUL-terminated b. */
static inline int spf_ieq(const char *a, size_t n, const char *b)
{
	size_t i = 0;
	for (; i < n && b[i]; i++)
		if (spf_lower((unsigned char)a[i]) != spf_lower((unsigned char)b[i]))
			return 0;
	return i == n && b[i] == 0;
}
static inline int spf_ieqn(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (spf_lower((unsigned char)a[i]) != spf_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* ---- record.c: one record's terms (RFC 7208 4.6.1, 5, 6) ---------------- */

enum spf_kind {
	K_ALL, K_INCLUDE, K_A, K_MX, K_PTR, K_IP4, K_IP6, K_EXISTS,
	K_REDIRECT, K_EXP, K_UNKNOWN_MOD,
};

struct spf_term {
	enum spf_kind kind;
	char qualifier;          /* '+' '-' '~' '?' */
	const char *text;        /* the whole term, as written */
	size_t text_len;
	const char *spec;        /* domain-spec (or macro-string), NULL: none */
	size_t spec_len;
	int cidr4, cidr6;        /* -1: not given */
	uint8_t net[16];         /* ip4: 4 bytes, ip6: 16 */
};

struct spf_parsed {
	struct spf_term *terms;  /* malloc'd, grown as needed */
	size_t n, cap;
	long redirect, exp;      /* index of the modifier, -1 */
};

/* Parse the record (which spf_is_record accepted). SPF_OK or the problem
 * (SPF_E_NOMEM too), with why and the offset of the term. p->terms is the
 * caller's to free, whatever the result (start with it zeroed). */
enum spf_problem spf_parse(const char *txt, size_t len, struct spf_parsed *p,
			   const char **why, size_t *at);

/* A macro-string's syntax (7.1); exp: the c r t letters are allowed. 0 or -1. */
int spf_macro_check(const char *s, size_t n, int exp);
/* A domain-spec's syntax (4.6.1, 7.1): a macro-string ending in a
 * macro-expand or "." toplabel ["."]. 0 or -1. */
int spf_domain_spec_check(const char *s, size_t n);

/* ---- ip.c --------------------------------------------------------------- */

/* Parse dotted IPv4 (4 bytes) or RFC 4291 IPv6 (16 bytes). 0 or -1. */
int spf_parse_ip4(const char *s, size_t n, uint8_t out[4]);
int spf_parse_ip6(const char *s, size_t n, uint8_t out[16]);
/* 1 when the first bits of a and b are equal. */
int spf_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits);
/* Text forms: dotted or RFC 5952 (c macro); nibbles (i macro for IPv6). */
size_t spf_ip_text(int family, const uint8_t *ip, char *out, size_t outlen);
size_t spf_ip_nibbles(const uint8_t ip[16], char *out, size_t outlen);
/* The reverse name for a PTR question. */
size_t spf_reverse_name(int family, const uint8_t *ip, char *out, size_t outlen);

/* A name that 4.3 would call a domain: labels of 1..63 octets, at most 253
 * in all (a final dot allowed), at least two labels when multi. */
int spf_domain_ok(const char *s, size_t n, int multi);

#endif
