/* The DNS Tree Walk (RFC 9989 4.10.1) and the organizational domain it
 * finds (4.10.2), as questions: the start name first, then (when the
 * caller needs more) every parent at once. */
#include "walk-int.h"

#include <stdlib.h>
#include <string.h>

int dmarc_walk_init(struct dmarc_walk *w, const char *domain, unsigned flags, unsigned id)
{
	memset(w, 0, sizeof *w);
	if (!(w->domain = strdup(domain)))
		return -1;
	w->flags = flags;
	w->id = id;
	w->n = dmarc_walk_targets(w->domain, w->targets);
	return 0;
}

void dmarc_walk_free(struct dmarc_walk *w)
{
	for (size_t i = 0; i < DMARC_WALK_MAX; i++)
		free(w->lv[i].text);
	free(w->domain);
	free(w->org);
	memset(w, 0, sizeof *w);
}

/* Levels [from, to) become due to be asked. */
void dmarc_walk_want(struct dmarc_walk *w, size_t to)
{
	if (to > w->n)
		to = w->n;
	for (size_t i = 0; i < to; i++)
		if (w->lv[i].state == LV_IDLE)
			w->lv[i].state = LV_DUE;
}

int dmarc_walk_question(struct dmarc_walk *w, struct dns_question *q)
{
	for (size_t i = 0; i < w->n; i++) {
		struct dmarc_level *l = &w->lv[i];
		if (l->state != LV_DUE)
			continue;
		size_t tl = strlen(w->targets[i]);
		if (tl + 7 > 253) {  /* no such name can exist */
			l->state = LV_DONE;
			continue;
		}
		memset(q, 0, sizeof *q);
		q->id = (uint64_t)w->id << 8 | i;
		q->type = DNS_TXT;
		memcpy(q->name, "_dmarc.", 7);
		memcpy(q->name + 7, w->targets[i], tl + 1);
		l->state = LV_ASKED;
		return 1;
	}
	return 0;
}

/* The records of one name: discard those that are not DMARC; several
 * DMARC records: all discarded (4.10.1 step 2). */
static int take(struct dmarc_level *l, const struct dns_answer *a, unsigned flags)
{
	const struct dns_record *found = NULL;
	unsigned count = 0;
	for (size_t i = 0; i < a->count; i++)
		if (dmarc_is_record(a->records[i].data, a->records[i].len)) {
			found = &a->records[i];
			count++;
		}
	if (count > 1) {
		l->multiple = 1;
		return 0;
	}
	if (!found)
		return 0;
	if (!(l->text = malloc(found->len + 1)))
		return -1;
	memcpy(l->text, found->data, found->len);
	l->text[found->len] = '\0';
	l->len = found->len;
	dmarc_record_parse(l->text, l->len, flags, &l->rec, NULL, NULL);
	l->has = 1;
	return 0;
}

int dmarc_walk_answer(struct dmarc_walk *w, const struct dns_answer *a)
{
	size_t i = (size_t)(a->id & 0xff);
	if ((a->id >> 8) != w->id || i >= w->n || w->lv[i].state != LV_ASKED)
		return 0;
	struct dmarc_level *l = &w->lv[i];
	l->state = LV_DONE;
	if (dns_temporary(a->status)) {
		l->temp = 1;
		return 0;
	}
	if (a->status == DNS_OK)
		return take(l, a, w->flags);
	return 0;
}

int dmarc_walk_pending(const struct dmarc_walk *w, size_t to)
{
	if (to > w->n)
		to = w->n;
	for (size_t i = 0; i < to; i++)
		if (w->lv[i].state == LV_DUE || w->lv[i].state == LV_ASKED)
			return 1;
	return 0;
}

/* 4.10 steps 2 and 6: the walk stops at a record with psd=n or psd=y;
 * the number of levels that count. */
size_t dmarc_walk_stop(const struct dmarc_walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct dmarc_level *l = &w->lv[i];
		if (l->has && (l->rec.psd == DMARC_PSD_N || l->rec.psd == DMARC_PSD_Y))
			return i + 1;
	}
	return w->n;
}

/* 4.10.2: from the longest name to the shortest: psd=n is the
 * organizational domain; psd=y (not at the start) makes it the name one
 * label below; else the record of fewest labels; else the start. -1 when
 * a DNS failure leaves it unknown, 0 when found (w->org), 1 when out of
 * memory. */
int dmarc_walk_org(struct dmarc_walk *w)
{
	size_t stop = dmarc_walk_stop(w);
	const char *org = NULL;
	for (size_t i = 0; i < stop; i++) {
		const struct dmarc_level *l = &w->lv[i];
		if (l->temp)
			return w->org_temp = 1, -1;
		if (!l->has)
			continue;
		if (l->rec.psd == DMARC_PSD_N) {
			org = w->targets[i];
			break;
		}
		if (i > 0 && l->rec.psd == DMARC_PSD_Y) {
			org = dmarc_last_labels(w->domain, dmarc_labels(w->targets[i]) + 1);
			break;
		}
		org = w->targets[i];  /* fewer labels each time */
	}
	if (!org)
		org = w->domain;
	free(w->org);
	if (!(w->org = strdup(org)))
		return 1;
	return 0;
}

/* The level whose name is d (or -1). */
int dmarc_walk_level_of(const struct dmarc_walk *w, const char *d)
{
	for (size_t i = 0; i < w->n; i++)
		if (dmarc_domain_eq(w->targets[i], d))
			return (int)i;
	return -1;
}
