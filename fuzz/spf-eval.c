/* libFuzzer: whole evaluations. The input is a zone: its lines are the TXT
 * records of a.test, b.test, c.test, ... (a.test is checked); every name
 * has an A record (10.0.0.N), an MX to the next name, and a PTR for the
 * client. The evaluation must end after at most the question cap, ask each
 * question once, and give the same result whatever order the answers come
 * in (first asked first, or last asked first). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"

struct zone {
	const char *line[26];
	size_t len[26];
	size_t n;
};

static void answer(const struct zone *z, const struct dns_question *q, struct dns_answer *a,
		   struct dns_record *r, char *buf)
{
	a->id = q->id;
	a->records = r;
	a->count = 0;
	a->status = DNS_NXDOMAIN;
	size_t nl = strlen(q->name);
	if (q->type == DNS_PTR) {
		r[0] = (struct dns_record){ "a.test", 6, 0 };
		a->count = 1;
		a->status = DNS_OK;
		return;
	}
	if (nl != 6 || strcmp(q->name + 1, ".test") || q->name[0] < 'a' || q->name[0] > 'z')
		return;
	size_t i = (size_t)(q->name[0] - 'a');
	a->status = DNS_NODATA;
	switch (q->type) {
	case DNS_TXT:
		if (i < z->n) {
			r[0] = (struct dns_record){ z->line[i], z->len[i], 0 };
			a->count = 1;
			a->status = DNS_OK;
		} else if (i == 25) {
			a->status = DNS_SERVFAIL;
		}
		break;
	case DNS_A:
		buf[0] = 10, buf[1] = 0, buf[2] = 0, buf[3] = (char)i;
		r[0] = (struct dns_record){ buf, 4, 0 };
		a->count = 1;
		a->status = DNS_OK;
		break;
	case DNS_MX:
		snprintf(buf + 4, 16, "%c.test", 'a' + (int)((i + 1) % 26));
		r[0] = (struct dns_record){ buf + 4, 6, 10 };
		a->count = 1;
		a->status = DNS_OK;
		break;
	default:
		break;
	}
}

static enum spf_result run(const struct zone *z, int lifo, unsigned *queries)
{
	struct spf_request req = { .family = 4, .ip = { 10, 0, 0, 3 }, .sender = "x-y.z@a.test",
				   .helo = "b.test", .receiver = "r.test", .now = 1 };
	struct spf_eval *e = spf_eval_new(&req, NULL);
	if (!e)
		return SPF_TEMPERROR;
	struct dns_question pend[300];
	size_t np = 0, asked = 0;
	char seen[300][DNS_NAME_MAX + 8];
	for (;;) {
		struct dns_question q;
		enum spf_step s = spf_next(e, &q);
		if (s == SPF_DONE)
			break;
		if (s == SPF_QUERY) {
			if (np == 300 || asked == 300)
				abort();   /* more than the cap of 256 */
			snprintf(seen[asked], sizeof seen[asked], "%d %s", q.type, q.name);
			for (size_t k = 0; k < asked; k++)
				if (!strcmp(seen[k], seen[asked]))
					abort();   /* asked twice */
			asked++;
			pend[np++] = q;
			continue;
		}
		if (!np)
			abort();   /* waits with nothing out */
		struct dns_question cur = lifo ? pend[--np] : pend[0];
		if (!lifo)
			memmove(pend, pend + 1, --np * sizeof *pend);
		struct dns_record r[2];
		char buf[32];
		struct dns_answer a;
		answer(z, &cur, &a, r, buf);
		spf_answer(e, &a);
	}
	const struct spf_outcome *o = spf_outcome(e);
	enum spf_result res = o->result;
	if (o->dns_terms > 11 || o->void_lookups > 3 || o->queries != asked)
		abort();
	*queries = o->queries;
	spf_eval_free(e);
	return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone z = { 0 };
	const char *s = (const char *)data;
	size_t start = 0;
	for (size_t i = 0; i <= size && z.n < 25; i++)
		if (i == size || s[i] == '\n') {
			z.line[z.n] = s + start;
			z.len[z.n++] = i - start;
			start = i + 1;
		}
	unsigned q1, q2;
	if (run(&z, 0, &q1) != run(&z, 1, &q2) || q1 != q2)
		abort();
	return 0;
}
