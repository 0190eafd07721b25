/* Aggregate reports (RFC 9990): per-message results counted into rows,
 * written as the report's XML. */
#include "dmarc-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef EMBER_VERSION
#define EMBER_DMARC_VERSION EMBER_VERSION
#else
#define EMBER_DMARC_VERSION "?"
#endif

struct row {
	char *key;                 /* every field below, joined: rows that are equal */
	uint64_t count;
	char *source_ip, *header_from, *envelope_from, *envelope_to;
	char *reason_type, *reason_comment;
	enum dmarc_policy disposition;
	int dkim_aligned, spf_aligned;
	struct dmarc_dkim *dkim;
	size_t ndkim;
	char *spf_domain;
	int spf_helo;
	enum dmarc_auth spf;
};

struct dmarc_report {
	struct row *rows;
	size_t n, cap;
	uint64_t messages;
	int64_t first, last;
};

struct dmarc_report *dmarc_report_new(void)
{
	return calloc(1, sizeof(struct dmarc_report));
}

static void row_free(struct row *r)
{
	free(r->key);
	free(r->source_ip);
	free(r->header_from);
	free(r->envelope_from);
	free(r->envelope_to);
	free(r->reason_type);
	free(r->reason_comment);
	for (size_t i = 0; i < r->ndkim; i++) {
		free((char *)r->dkim[i].domain);
		free((char *)r->dkim[i].selector);
	}
	free(r->dkim);
	free(r->spf_domain);
}

void dmarc_report_free(struct dmarc_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		row_free(&r->rows[i]);
	free(r->rows);
	free(r);
}

size_t dmarc_report_rows(const struct dmarc_report *r) { return r->n; }
uint64_t dmarc_report_messages(const struct dmarc_report *r) { return r->messages; }

void dmarc_report_range(const struct dmarc_report *r, int64_t *first, int64_t *last)
{
	*first = r->first;
	*last = r->last;
}

/* A string in the key: its length first, so that no two differ only in
 * where one ends. */
static int key_str(struct mime_buf *k, const char *s)
{
	char len[24];
	snprintf(len, sizeof len, "%zu:", s ? strlen(s) : (size_t)0);
	return mime_buf_puts(k, len) || (s && mime_buf_puts(k, s)) || mime_buf_putc(k, s ? '|' : '-');
}

static int make_key(struct mime_buf *k, const struct dmarc_report_row *w)
{
	char nums[64];
	snprintf(nums, sizeof nums, "%d,%d,%d,%d,%d,%zu;", (int)w->disposition, w->dkim_aligned,
		 w->spf_aligned, (int)w->spf, w->spf_helo, w->ndkim);
	if (mime_buf_puts(k, nums) || key_str(k, w->source_ip) || key_str(k, w->header_from) ||
	    key_str(k, w->envelope_from) || key_str(k, w->envelope_to) || key_str(k, w->reason_type) ||
	    key_str(k, w->reason_comment) || key_str(k, w->spf_domain))
		return -1;
	for (size_t i = 0; i < w->ndkim; i++) {
		snprintf(nums, sizeof nums, "%d;", (int)w->dkim[i].result);
		if (mime_buf_puts(k, nums) || key_str(k, w->dkim[i].domain) || key_str(k, w->dkim[i].selector))
			return -1;
	}
	return 0;
}

static char *dup(const char *s, int *oom)
{
	if (!s)
		return NULL;
	char *c = strdup(s);
	if (!c)
		*oom = 1;
	return c;
}

int dmarc_report_add(struct dmarc_report *r, const struct dmarc_report_row *w)
{
	struct mime_buf k = {0};
	if (make_key(&k, w)) {
		mime_buf_free(&k);
		return -1;
	}
	if (!r->messages || w->time < r->first)
		r->first = w->time;
	if (!r->messages || w->time > r->last)
		r->last = w->time;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rows[i].key, k.data)) {
			r->rows[i].count++;
			r->messages++;
			mime_buf_free(&k);
			return 0;
		}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct row *rows = realloc(r->rows, cap * sizeof *rows);
		if (!rows) {
			mime_buf_free(&k);
			return -1;
		}
		r->rows = rows;
		r->cap = cap;
	}
	struct row *x = &r->rows[r->n];
	memset(x, 0, sizeof *x);
	int oom = 0;
	x->key = k.data;
	x->count = 1;
	x->source_ip = dup(w->source_ip, &oom);
	x->header_from = dup(w->header_from, &oom);
	x->envelope_from = dup(w->envelope_from, &oom);
	x->envelope_to = dup(w->envelope_to, &oom);
	x->reason_type = dup(w->reason_type, &oom);
	x->reason_comment = dup(w->reason_comment, &oom);
	x->spf_domain = dup(w->spf_domain, &oom);
	x->disposition = w->disposition;
	x->dkim_aligned = w->dkim_aligned;
	x->spf_aligned = w->spf_aligned;
	x->spf = w->spf;
	x->spf_helo = w->spf_helo;
	if (w->ndkim && !(x->dkim = calloc(w->ndkim, sizeof *x->dkim)))
		oom = 1;
	for (size_t i = 0; i < w->ndkim && !oom; i++) {
		x->dkim[i].domain = dup(w->dkim[i].domain, &oom);
		x->dkim[i].selector = dup(w->dkim[i].selector, &oom);
		x->dkim[i].result = w->dkim[i].result;
		x->ndkim++;
	}
	if (oom) {
		row_free(x);
		return -1;
	}
	r->n++;
	r->messages++;
	return 0;
}

/* ---- XML ---------------------------------------------------------------------- */

struct xml {
	struct mime_buf *out;
	int err;
	int depth;
};

static void put(struct xml *x, const char *s)
{
	if (!x->err && mime_buf_puts(x->out, s))
		x->err = 1;
}

static void esc(struct xml *x, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': put(x, "&lt;"); break;
		case '>': put(x, "&gt;"); break;
		case '&': put(x, "&amp;"); break;
		case '"': put(x, "&quot;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t')
				break;  /* not allowed in XML 1.0 */
			if (!x->err && mime_buf_putc(x->out, *s))
				x->err = 1;
		}
	}
}

static void indent(struct xml *x)
{
	for (int i = 0; i < x->depth; i++)
		put(x, "  ");
}

static void open_(struct xml *x, const char *name)
{
	indent(x);
	put(x, "<");
	put(x, name);
	put(x, ">\n");
	x->depth++;
}

static void close_(struct xml *x, const char *name)
{
	x->depth--;
	indent(x);
	put(x, "</");
	put(x, name);
	put(x, ">\n");
}

static void elem(struct xml *x, const char *name, const char *text)
{
	indent(x);
	put(x, "<");
	put(x, name);
	put(x, ">");
	esc(x, text);
	put(x, "</");
	put(x, name);
	put(x, ">\n");
}

static void elem_num(struct xml *x, const char *name, int64_t v)
{
	char n[32];
	snprintf(n, sizeof n, "%" PRId64, v);
	elem(x, name, n);
}

static const char *policy_word(enum dmarc_policy p)
{
	return p == DMARC_P_QUARANTINE ? "quarantine" : p == DMARC_P_REJECT ? "reject" : "none";
}

static void fo_text(unsigned fo, char *out)
{
	static const char letters[] = "01ds";
	char *p = out;
	for (int i = 0; i < 4; i++)
		if (fo & (1u << i)) {
			if (p != out)
				*p++ = ':';
			*p++ = letters[i];
		}
	if (p == out)
		*p++ = '0';
	*p = '\0';
}

static void policy_published(struct xml *x, const struct dmarc_report_meta *m)
{
	const struct dmarc_record *r = m->policy;
	open_(x, "policy_published");
	elem(x, "domain", m->domain);
	elem(x, "discovery_method", m->rfc7489 ? "psl" : "treewalk");
	elem(x, "p", policy_word(r ? r->p : DMARC_P_NONE));
	/* unspecified tags with their defaults (RFC 9990 3.1.1.4): sp= is p=,
	 * np= is sp= */
	enum dmarc_policy p = r ? r->p : DMARC_P_NONE;
	enum dmarc_policy sp = r && r->sp != DMARC_P_UNSET && r->sp != DMARC_P_INVALID ? r->sp : p;
	enum dmarc_policy np = r && r->np != DMARC_P_UNSET && r->np != DMARC_P_INVALID ? r->np : sp;
	elem(x, "sp", policy_word(sp));
	if (!m->rfc7489)
		elem(x, "np", policy_word(np));
	char fo[16];
	fo_text(r ? r->fo : DMARC_FO_0, fo);
	elem(x, "fo", fo);
	elem(x, "adkim", r && r->adkim == DMARC_STRICT ? "s" : "r");
	elem(x, "aspf", r && r->aspf == DMARC_STRICT ? "s" : "r");
	if (!m->rfc7489)
		elem(x, "testing", r && r->testing ? "y" : "n");
	close_(x, "policy_published");
}

/* RFC 9990: the DKIM results passing first (the aligned ones first of
 * all), at most 100 a row. */
static void auth_dkim(struct xml *x, const struct row *w)
{
	size_t written = 0;
	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < w->ndkim && written < 100; i++) {
			const struct dmarc_dkim *d = &w->dkim[i];
			if ((d->result == DMARC_AUTH_PASS) != pass)
				continue;
			open_(x, "dkim");
			elem(x, "domain", d->domain ? d->domain : "");
			elem(x, "selector", d->selector ? d->selector : "");
			elem(x, "result", dmarc_auth_name(d->result));
			close_(x, "dkim");
			written++;
		}
}

static void record(struct xml *x, const struct row *w)
{
	open_(x, "record");
	open_(x, "row");
	elem(x, "source_ip", w->source_ip ? w->source_ip : "");
	elem_num(x, "count", (int64_t)w->count);
	open_(x, "policy_evaluated");
	elem(x, "disposition", policy_word(w->disposition));
	elem(x, "dkim", w->dkim_aligned ? "pass" : "fail");
	elem(x, "spf", w->spf_aligned ? "pass" : "fail");
	if (w->reason_type) {
		open_(x, "reason");
		elem(x, "type", w->reason_type);
		if (w->reason_comment)
			elem(x, "comment", w->reason_comment);
		close_(x, "reason");
	}
	close_(x, "policy_evaluated");
	close_(x, "row");
	open_(x, "identifiers");
	elem(x, "header_from", w->header_from ? w->header_from : "");
	if (w->envelope_from)
		elem(x, "envelope_from", w->envelope_from);
	if (w->envelope_to)
		elem(x, "envelope_to", w->envelope_to);
	close_(x, "identifiers");
	open_(x, "auth_results");
	auth_dkim(x, w);
	if (w->spf_domain && !w->spf_helo) {  /* only MAIL FROM counts (RFC 9990) */
		open_(x, "spf");
		elem(x, "domain", w->spf_domain);
		elem(x, "scope", "mfrom");
		elem(x, "result", dmarc_auth_name(w->spf));
		close_(x, "spf");
	}
	close_(x, "auth_results");
	close_(x, "record");
}

enum mime_status dmarc_report_xml(const struct dmarc_report *r, const struct dmarc_report_meta *m,
				  struct mime_buf *out)
{
	struct xml x = {out, 0, 0};
	put(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	put(&x, "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n");
	x.depth = 1;
	elem(&x, "version", "1.0");
	open_(&x, "report_metadata");
	elem(&x, "org_name", m->org_name);
	elem(&x, "email", m->email);
	if (m->extra_contact)
		elem(&x, "extra_contact_info", m->extra_contact);
	elem(&x, "report_id", m->report_id);
	open_(&x, "date_range");
	int64_t begin = m->begin, end = m->end;
	if (!begin && !end) {
		begin = r->first;
		end = r->last;
	}
	elem_num(&x, "begin", begin);
	elem_num(&x, "end", end);
	close_(&x, "date_range");
	if (m->error)
		elem(&x, "error", m->error);
	elem(&x, "generator", "ember " EMBER_DMARC_VERSION);
	close_(&x, "report_metadata");
	policy_published(&x, m);
	for (size_t i = 0; i < r->n; i++)
		record(&x, &r->rows[i]);
	put(&x, "</feedback>\n");
	return x.err ? MIME_ENOMEM : MIME_OK;
}
