/* ember lib/io: the only OS-facing code of ember. The libraries above it
 * are sans-IO; lib/io answers their questions. For now: DNS, through
 * c-ares. */
#ifndef EMBER_IO_H
#define EMBER_IO_H

#include <stddef.h>

#include "dns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DNS (c-ares) --------------------------------------------------------
 * Asynchronous: many questions in flight at once; retries and timeouts;
 * TCP after a truncated answer (c-ares does it); the strings of each TXT
 * record joined; answers (and failures) cached for cache_seconds. */

struct io_dns_options {
	const char *server;       /* "HOST", "HOST:PORT", "[V6]:PORT"; NULL: the
				     EMBER_DNS environment variable, else the
				     system's /etc/resolv.conf */
	unsigned timeout_ms;      /* per try (2000) */
	unsigned tries;           /* (3) */
	unsigned cache_seconds;   /* how long an answer is kept (300) */
};

struct io_dns;

/* NULL options: the defaults. NULL on failure, with the reason in err. */
struct io_dns *io_dns_new(const struct io_dns_options *o, char *err, size_t errlen);
void io_dns_free(struct io_dns *d);

/* The answer to q: its records are valid during the call only. */
typedef void (*io_dns_fn)(void *ctx, const struct dns_question *q, const struct dns_answer *a);

/* Ask q (a->id is q->id). A cached answer comes at once, during the call;
 * else during io_dns_wait. 0, or -1 when out of memory. */
int io_dns_ask(struct io_dns *d, const struct dns_question *q, io_dns_fn fn, void *ctx);
/* Questions asked and not answered yet. */
size_t io_dns_pending(const struct io_dns *d);
/* Wait for answers until none is pending (each question gets one: an
 * answer, a failure or a timeout). 0, or -1 when polling fails. */
int io_dns_wait(struct io_dns *d);

#ifdef __cplusplus
}
#endif
#endif
