/* ember commands: the machines' questions to lib/io's DNS, and the
 * Authentication-Results builder (authcheck.h). */
#include "authcheck.h"

#include "cli.h"

#include <errno.h>

#include <stdlib.h>
#include <string.h>

/* ---- jobs ------------------------------------------------------------------ */

void ac_job_init(struct ac_job *j, const struct ac_ops *ops, void *m, struct io_dns *dns,
		 void (*wake)(void *ctx), void *ctx)
{
	memset(j, 0, sizeof *j);
	j->ops = ops;
	j->m = m;
	j->dns = dns;
	j->wake = wake;
	j->ctx = ctx;
	j->done = !m;
}

static void on_answer(void *ctx, const struct dns_question *q, const struct dns_answer *a)
{
	(void)q;
	struct ac_job *j = ctx;
	j->pending--;
	j->ops->answer(j->m, a);
	/* an answer given during ac_ask is seen by its loop; a later one
	 * wakes the owner (which may free the job: nothing after this) */
	if (!j->asking && j->wake)
		j->wake(j->ctx);
}

int ac_ask(struct ac_job *j)
{
	if (!j->m)
		return 1;
	if (j->done)
		return 1;
	struct dns_question q;
	enum ac_step s;
	j->asking = 1;
	while ((s = j->ops->next(j->m, &q)) == AC_QUERY) {
		j->pending++;
		if (io_dns_ask(j->dns, &q, on_answer, j)) {
			j->pending--;
			j->asking = 0;
			return -1;
		}
	}
	j->asking = 0;
	j->done = s == AC_DONE;
	return j->done;
}

int ac_feed(struct ac_job *j, const char *p, size_t n)
{
	j->ops->feed(j->m, p, n);
	return ac_ask(j);
}

void ac_feed_file(struct ac_job *j, FILE *f, const char *where)
{
	static char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (ac_feed(j, buf, n) < 0)
			cli_die(EX_SOFTWARE, NULL, "out of memory");
	if (ferror(f))
		cli_die(EX_IOERR, where, "read error: %s", strerror(errno));
	if (ac_feed(j, NULL, 0) < 0)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
}

int ac_wait(struct io_dns *dns, struct ac_job *const *jobs, size_t n)
{
	for (;;) {
		int waiting = 0;
		for (size_t i = 0; i < n; i++) {
			if (!jobs[i])
				continue;
			int r = ac_ask(jobs[i]);
			if (r < 0)
				return -1;
			waiting |= !r && jobs[i]->pending;
		}
		if (!waiting)
			return 0;
		if (io_dns_wait(dns))
			return -1;
	}
}

/* ---- Authentication-Results ---------------------------------------------- */

static void *keep(struct ac_results *s, void *p)
{
	if (!p)
		return NULL;
	if (s->nowned == s->capowned) {
		size_t cap = s->capowned ? 2 * s->capowned : 8;
		void **v = realloc(s->owned, cap * sizeof *v);
		if (!v) {
			free(p);
			return NULL;
		}
		s->owned = v;
		s->capowned = cap;
	}
	s->owned[s->nowned++] = p;
	return p;
}

const char *ac_results_str(struct ac_results *s, const char *str)
{
	return keep(s, strdup(str));
}

void ac_results_free(struct ac_results *s)
{
	for (size_t i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->r);
	memset(s, 0, sizeof *s);
}

int ac_result(struct ac_results *s, const char *method, const char *result, const char *reason,
	      const struct mime_authres_prop *props, size_t nprops)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct mime_authres_result *v = realloc(s->r, cap * sizeof *v);
		if (!v)
			return -1;
		s->r = v;
		s->cap = cap;
	}
	struct mime_authres_prop *p = NULL;
	if (nprops) {
		p = keep(s, malloc(nprops * sizeof *p));
		if (!p)
			return -1;
		memcpy(p, props, nprops * sizeof *p);
	}
	s->r[s->n++] = (struct mime_authres_result){method, result,
						    reason && *reason ? reason : NULL, p, nprops};
	return 0;
}

enum mime_status ac_results_field(const struct ac_results *s, const char *authserv,
				  struct mime_buf *out)
{
	return mime_authres_field(out, authserv, s->r, s->n);
}

/* ---- names ------------------------------------------------------------------- */

char *ac_ascii_domain(const char *s, int *bad)
{
	struct mime_buf b = {0};
	const char *at = strrchr(s, '@');
	const char *dom = at ? at + 1 : s;
	*bad = 0;
	if (at && mime_buf_append(&b, s, (size_t)(at - s + 1)))
		return NULL;
	if (*dom) {
		enum mime_status st = mime_domain_to_ascii(dom, strlen(dom), &b, NULL);
		if (st != MIME_OK) {
			*bad = st != MIME_ENOMEM;
			mime_buf_free(&b);
			return NULL;
		}
	}
	if (mime_buf_putc(&b, 0)) {
		mime_buf_free(&b);
		return NULL;
	}
	return b.data;
}
