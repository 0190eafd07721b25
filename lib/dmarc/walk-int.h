/* Internal to lib/dmarc: one DNS Tree Walk (walk.c). */
#ifndef EMBER_DMARC_WALK_INT_H
#define EMBER_DMARC_WALK_INT_H

#include "dmarc-int.h"

enum { LV_IDLE, LV_DUE, LV_ASKED, LV_DONE };

struct dmarc_level {
	int state;
	int temp;                /* the answer was a temporary failure */
	int has;                 /* one DMARC record */
	int multiple;            /* several: all discarded */
	char *text;
	size_t len;
	struct dmarc_record rec;
};

struct dmarc_walk {
	char *domain;            /* where it starts (A-label, lowercase) */
	const char *targets[DMARC_WALK_MAX];
	size_t n;
	struct dmarc_level lv[DMARC_WALK_MAX];
	unsigned flags;
	unsigned id;             /* question ids: id << 8 | level */
	char *org;               /* after dmarc_walk_org */
	int org_temp;
};

int dmarc_walk_init(struct dmarc_walk *w, const char *domain, unsigned flags, unsigned id);
void dmarc_walk_free(struct dmarc_walk *w);
void dmarc_walk_want(struct dmarc_walk *w, size_t to);
int dmarc_walk_question(struct dmarc_walk *w, struct dns_question *q);
int dmarc_walk_answer(struct dmarc_walk *w, const struct dns_answer *a);
int dmarc_walk_pending(const struct dmarc_walk *w, size_t to);
size_t dmarc_walk_stop(const struct dmarc_walk *w);
int dmarc_walk_org(struct dmarc_walk *w);
int dmarc_walk_level_of(const struct dmarc_walk *w, const char *d);

#endif
