/* The key questions of a verifier (DKIM's and ARC's): one per name, handed
 * out once, each answer kept for a signature of the same key read after
 * it. */
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"

long dkim_keyqs_find(struct dkim_keyqs *t, const char *name, int *added)
{
	*added = 0;
	for (size_t i = 0; i < t->n; i++)
		if (!mime_ascii_casecmp(t->q[i].name, name))
			return (long)i;
	size_t len = strlen(name);
	if (len > DNS_NAME_MAX)
		return -1;
	if (t->n == t->cap) {
		size_t c = t->cap ? 2 * t->cap : 4;
		struct dkim_keyq *q = realloc(t->q, c * sizeof *q);
		if (!q)
			return -1;
		t->q = q;
		t->cap = c;
	}
	struct dkim_keyq *q = &t->q[t->n];
	memset(q, 0, sizeof *q);
	q->id = t->n + 1;
	memcpy(q->name, name, len + 1);
	*added = 1;
	return (long)t->n++;
}

int dkim_keyqs_next(struct dkim_keyqs *t, struct dns_question *out)
{
	for (size_t i = 0; i < t->n; i++)
		if (!t->q[i].given) {
			t->q[i].given = 1;
			memset(out, 0, sizeof *out);
			out->id = t->q[i].id;
			out->type = DNS_TXT;
			memcpy(out->name, t->q[i].name, sizeof out->name);
			return 1;
		}
	return 0;
}

int dkim_keyqs_answered(const struct dkim_keyqs *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (!t->q[i].answered)
			return 0;
	return 1;
}

long dkim_keyqs_answer(struct dkim_keyqs *t, const struct dns_answer *a)
{
	for (size_t i = 0; i < t->n; i++) {
		struct dkim_keyq *q = &t->q[i];
		if (q->id != a->id || q->answered)
			continue;
		q->answered = 1;
		q->status = a->status;
		for (size_t k = 0; a->status == DNS_OK && k < a->count && k < DKIM_KEYQ_RECORDS; k++) {
			if (mime_buf_append(&q->data, a->records[k].data, a->records[k].len)) {
				q->status = DNS_ERROR;  /* out of memory: as a failure to fetch */
				q->nrec = 0;
				break;
			}
			q->lens[q->nrec++] = a->records[k].len;
		}
		return (long)i;
	}
	return -1;
}

void dkim_keyq_view(const struct dkim_keyq *q, struct dns_answer *a,
		    struct dns_record recs[DKIM_KEYQ_RECORDS])
{
	*a = (struct dns_answer){.id = q->id, .status = q->status, .records = recs, .count = q->nrec};
	for (size_t i = 0, at = 0; i < q->nrec; at += q->lens[i], i++)
		recs[i] = (struct dns_record){q->data.data + at, q->lens[i], 0};
}

void dkim_keyqs_clear(struct dkim_keyqs *t)
{
	for (size_t i = 0; i < t->n; i++)
		mime_buf_free(&t->q[i].data);
	t->n = 0;
}

void dkim_keyqs_free(struct dkim_keyqs *t)
{
	dkim_keyqs_clear(t);
	free(t->q);
	t->q = NULL;
	t->cap = 0;
}
