/* ember lib/dns: the DNS question and answer every sans-IO library of
 * ember uses (DKIM keys, SPF records, DMARC policies). Types only: no I/O.
 * A library that needs DNS stops and gives a question; the caller answers
 * it from lib/io's c-ares adapter, a zone in memory, or a test table, and
 * the library resumes (DESIGN.md 1). */
#ifndef EMBER_DNS_H
#define EMBER_DNS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum dns_type {
	DNS_A = 1,
	DNS_NS = 2,
	DNS_CNAME = 5,
	DNS_PTR = 12,
	DNS_MX = 15,
	DNS_TXT = 16,
	DNS_AAAA = 28,
};

/* What came back. */
enum dns_status {
	DNS_OK,          /* the name has records of that type (count > 0) */
	DNS_NODATA,      /* the name exists, no record of that type */
	DNS_NXDOMAIN,    /* no such name */
	DNS_SERVFAIL,    /* the server could not answer: try again later */
	DNS_TIMEOUT,     /* no answer in time */
	DNS_ERROR,       /* anything else (a refusal, a malformed answer) */
};

#define DNS_NAME_MAX 255

struct dns_question {
	uint64_t id;                 /* the asker's, given back with the answer */
	enum dns_type type;
	char name[DNS_NAME_MAX + 1]; /* ASCII (A-labels), no final dot */
};

/* One record. TXT: the character-strings of one record joined (RFC 7208
 * 3.3, RFC 6376 3.6.2.2); A: 4 bytes, AAAA: 16, network order; MX: the
 * exchange's name, with its preference; PTR, NS, CNAME: the name. */
struct dns_record {
	const char *data;
	size_t len;
	unsigned preference;         /* MX */
};

struct dns_answer {
	uint64_t id;                 /* the question's */
	enum dns_status status;
	const struct dns_record *records;
	size_t count;
};

/* 1 when the status is a temporary failure (SERVFAIL, TIMEOUT, ERROR). */
static inline int dns_temporary(enum dns_status s)
{
	return s == DNS_SERVFAIL || s == DNS_TIMEOUT || s == DNS_ERROR;
}

#ifdef __cplusplus
}
#endif
#endif
