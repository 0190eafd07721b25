/* ember commands: driving the authentication machines (lib/spf, lib/dkim's
 * DKIM and ARC verifiers, lib/dmarc) from lib/io's DNS, and writing what
 * they found as Authentication-Results, the same way in ember spf, dkim,
 * arc, dmarc and receiver.
 *
 * A job is one machine and its questions in flight: ac_ask() hands every
 * question it has to io_dns; each answer goes back to the machine, and,
 * when it came later (io_dns_wait, or the event loop after io_dns_attach),
 * wakes the job's owner. The commands wait with ac_wait(); the receiver
 * never waits: it is woken from the loop.
 *
 * Only what a command calls is linked into it: the job core and the
 * results builder need lib/io and lib/mime alone; each machine's side is
 * in its own file (authcheck-spf.c, -dkim.c, -dmarc.c). */
#ifndef EMBER_AUTHCHECK_H
#define EMBER_AUTHCHECK_H

#include <stddef.h>
#include <stdio.h>

#include "dkim.h"
#include "dmarc.h"
#include "io.h"
#include "mime.h"
#include "spf.h"

/* ---- jobs ------------------------------------------------------------------ */

enum ac_step { AC_QUERY, AC_WAIT, AC_DONE };

struct ac_ops {
	enum ac_step (*next)(void *m, struct dns_question *q);
	void (*answer)(void *m, const struct dns_answer *a);
	/* message bytes (n 0: the end), for the machines that read one */
	void (*feed)(void *m, const char *p, size_t n);
};
extern const struct ac_ops ac_spf_ops;    /* m: struct spf_eval */
extern const struct ac_ops ac_dkim_ops;   /* m: struct dkim_verifier */
extern const struct ac_ops ac_arc_ops;    /* m: struct dkim_arc_verifier */
extern const struct ac_ops ac_dmarc_ops;  /* m: struct dmarc_eval */

struct ac_job {
	const struct ac_ops *ops;
	void *m;
	struct io_dns *dns;
	void (*wake)(void *ctx);  /* an answer came after ac_ask returned (NULL: none) */
	void *ctx;
	unsigned pending;         /* questions in flight: the job (and its machine)
				     must live until it is 0 */
	int done;                 /* the machine said DONE */
	int asking;
};

/* A job for machine m (NULL: an empty job, done at once). */
void ac_job_init(struct ac_job *j, const struct ac_ops *ops, void *m, struct io_dns *dns,
		 void (*wake)(void *ctx), void *ctx);
/* Ask every question the machine has now. 1 when it is done, 0 when it
 * waits (for input or answers), -1 when out of memory. */
int ac_ask(struct ac_job *j);
/* Message bytes to the job's machine (n 0: the end), then ac_ask. */
int ac_feed(struct ac_job *j, const char *p, size_t n);
/* All of f to the job's machine, then its end (a read error: exit 74,
 * where in the message; out of memory: exit 70). */
void ac_feed_file(struct ac_job *j, FILE *f, const char *where);
/* The commands: ask and wait until every job is done (NULL entries are
 * skipped). 0, or -1 when waiting for DNS fails (errno). */
int ac_wait(struct io_dns *dns, struct ac_job *const *jobs, size_t n);

/* ---- Authentication-Results ---------------------------------------------- */

/* Results to write in one field, with the storage they need. Strings the
 * machines gave are pointed to: keep the machines until the field is
 * written. */
struct ac_results {
	struct mime_authres_result *r;
	size_t n, cap;
	void **owned;             /* props arrays and strings made here */
	size_t nowned, capowned;
};

void ac_results_free(struct ac_results *s);
/* One result; props are copied (not their strings). 0, or -1 (memory). */
int ac_result(struct ac_results *s, const char *method, const char *result, const char *reason,
	      const struct mime_authres_prop *props, size_t nprops);
/* A copy of str that lives as long as s (NULL: memory). */
const char *ac_results_str(struct ac_results *s, const char *str);
/* spf= for the identity checked: smtp.mailfrom=SENDER, or smtp.helo=HELO
 * (sender and helo as checked: A-labels). */
int ac_add_spf(struct ac_results *s, const struct spf_outcome *o, const char *sender,
	       const char *helo);
/* dkim= per signature (header.d, header.s, header.a, header.b's first 8
 * characters, RFC 6008), or one dkim=none/permerror without any. After
 * DONE. */
int ac_add_dkim(struct ac_results *s, const struct dkim_verifier *v);
/* arc= with header.oldest-pass and the latest seal's d= on a pass (RFC 8617
 * 10.1). After DONE. */
int ac_add_arc(struct ac_results *s, const struct dkim_arc_verifier *v);
/* dmarc= header.from=, polrec.p= (the record's p=) and polrec.domain=
 * (where it was found, when not the author domain: RFC 9989 11.4), the
 * reason when it did not pass. */
int ac_add_dmarc(struct ac_results *s, const struct dmarc_outcome *o);
/* The field (one, "ID; none" when there is no result), appended to out:
 * MIME_OK, MIME_ENOMEM, MIME_EINVAL (an authserv-id that cannot be
 * written). */
enum mime_status ac_results_field(const struct ac_results *s, const char *authserv,
				  struct mime_buf *out);

/* ---- DMARC's request ------------------------------------------------------- */

/* The request of a DMARC evaluation from what the other checks found and
 * from lib/mime's one author reader; rq is ready once the author is given
 * (and what is known of DKIM and SPF): set its flags, psl and random. */
struct ac_dmarc {
	struct dmarc_request rq;
	struct mime_buf dom;      /* the author domains, NUL after each */
	const char **froms;
	struct dmarc_dkim *dkim;  /* strings owned */
	size_t ndkim;
	char *spf_domain;
};

void ac_dmarc_free(struct ac_dmarc *d);
/* The author from the finished author reader (from_value: the first From
 * field's value, NULL when none); header_unreadable: the header could not
 * be read (no author then). 0, or -1 (memory). */
int ac_dmarc_author(struct ac_dmarc *d, const struct mime_author *a, const char *from_value,
		    size_t from_len, int header_unreadable);
int ac_dmarc_add_dkim(struct ac_dmarc *d, const char *domain, const char *selector,
		      enum dmarc_auth r);
/* Every signature with a d= of a finished verifier. */
int ac_dmarc_add_verifier(struct ac_dmarc *d, const struct dkim_verifier *v);
/* SPF's result for the MAIL FROM domain (helo_identity 0) or the HELO name
 * (1); helo: the HELO name either way (may be NULL). */
int ac_dmarc_spf(struct ac_dmarc *d, enum dmarc_auth r, const char *domain, int helo_identity,
		 const char *helo);
int ac_dmarc_spf_outcome(struct ac_dmarc *d, const struct spf_outcome *o, const char *helo);
/* The public suffix list for RFC 7489 mode (Debian's file, else libpsl's
 * built-in list): NULL when there is none. */
psl_ctx_t *ac_psl_load(void);
/* RFC 7489 pct= sampling's number, 0 to 99, drawn. */
unsigned ac_dmarc_random(void);

/* ---- names ------------------------------------------------------------------- */

/* ADDR or DOMAIN with its domain as an A-label (SPF and DMARC names are
 * DNS names): malloc'd, or NULL (memory, or *bad set: not a valid IDN). */
char *ac_ascii_domain(const char *s, int *bad);

#endif
