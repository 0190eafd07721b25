/* libFuzzer: the message parser on arbitrary bytes. Whatever the chunking
 * (the first byte picks a chunk size), the whole transcript must be the
 * same: every event's type, depth, part, offset, line, code and raw bytes,
 * bodies merged (their cut depends on the chunking) with their decoded
 * data, and the defects (whose place among body events depends on it too)
 * as a sorted list. The raw spans give the input back, and the parse ends
 * (END or ERROR). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

struct transcript {
	struct mime_buf events;   /* one line per event, bodies merged */
	struct mime_buf raw;      /* every event's raw bytes, in order */
	char **defects;
	size_t ndefects, cap;
	int in_body;
	enum mime_body_kind kind;
	uint64_t body_raw, body_data; /* FNV-1a of the merged body's raw and data */
	size_t body_len, data_len;
};

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static void put(struct transcript *t, const char *line)
{
	if (mime_buf_puts(&t->events, line))
		abort();
}

static void end_body(struct transcript *t)
{
	if (!t->in_body)
		return;
	char line[128];
	snprintf(line, sizeof line, "body %d %zu %016llx %zu %016llx\n", (int)t->kind, t->body_len,
		 (unsigned long long)t->body_raw, t->data_len, (unsigned long long)t->body_data);
	put(t, line);
	t->in_body = 0;
}

static void record(struct transcript *t, const struct mime_event *ev)
{
	if (ev->raw_len && mime_buf_append(&t->raw, ev->raw, ev->raw_len))
		abort();
	char line[256];
	if (ev->type == MIME_DEFECT || ev->type == MIME_ERROR) {
		if (!ev->message || ev->code == MIME_C_NONE)
			abort();
		snprintf(line, sizeof line, "%d %s %llu %lu %s", (int)ev->type, mime_code_name(ev->code),
			 (unsigned long long)ev->offset, ev->line, ev->message);
		if (t->ndefects == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 16;
			if (!(t->defects = realloc(t->defects, t->cap * sizeof *t->defects)))
				abort();
		}
		if (!(t->defects[t->ndefects++] = strdup(line)))
			abort();
		return;
	}
	if (ev->type == MIME_BODY) {
		if (t->in_body && t->kind != ev->body_kind)
			end_body(t);
		if (!t->in_body) {
			t->in_body = 1;
			t->kind = ev->body_kind;
			t->body_raw = t->body_data = 0xcbf29ce484222325ull;
			t->body_len = t->data_len = 0;
		}
		t->body_raw = fnv(t->body_raw, ev->raw, ev->raw_len);
		t->body_data = fnv(t->body_data, ev->data, ev->len);
		t->body_len += ev->raw_len;
		t->data_len += ev->len;
		return;
	}
	end_body(t);
	/* a part's type is known from its HEADER_END on */
	const struct mime_part_info *pi = ev->type == MIME_FIELD || ev->type == MIME_PART_BEGIN
					  ? NULL : ev->part;
	snprintf(line, sizeof line, "%d d%u @%llu:%lu %s %s/%s %zu %016llx\n", (int)ev->type, ev->depth,
		 (unsigned long long)ev->offset, ev->line, ev->part && ev->part->path ? ev->part->path : "-",
		 pi && pi->type ? pi->type : "-", pi && pi->subtype ? pi->subtype : "-", ev->raw_len,
		 (unsigned long long)fnv(0xcbf29ce484222325ull, ev->raw, ev->raw_len));
	put(t, line);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run(const char *s, size_t n, size_t step, struct transcript *t)
{
	struct mime_limits lim = {.max_depth = 40, .max_parts = 2000};
	struct mime_parser *p = mime_parser_new(&lim, MIME_DECODE_CTE | MIME_DECODE_TEXT);
	if (!p)
		abort();
	size_t pos = 0;
	int ended = 0;
	for (;;) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT) {
			if (ended)
				abort(); /* AWAIT after the end of input: it would hang */
			size_t k = n - pos < step ? n - pos : step;
			mime_parser_feed(p, s + pos, k);
			pos += k;
			ended = k == 0;
			continue;
		}
		record(t, &ev);
		if (e == MIME_END || e == MIME_ERROR)
			break;
	}
	end_body(t);
	mime_parser_free(p);
	if (t->ndefects)
		qsort(t->defects, t->ndefects, sizeof *t->defects, by_text);
}

static void free_transcript(struct transcript *t)
{
	for (size_t i = 0; i < t->ndefects; i++)
		free(t->defects[i]);
	free(t->defects);
	mime_buf_free(&t->events);
	mime_buf_free(&t->raw);
}

static int same(const struct mime_buf *a, const struct mime_buf *b)
{
	return a->len == b->len && (!a->len || memcmp(a->data, b->data, a->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)data[0] % 17 + 1;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct transcript a = {0}, b = {0};
	run(s, n, n ? n : 1, &a);
	run(s, n, step, &b);
	/* lossless (unless a limit stopped the parse: then a prefix) */
	if (a.raw.len > n || (a.raw.len && memcmp(a.raw.data, s, a.raw.len)))
		abort();
	if (!same(&a.raw, &b.raw) || !same(&a.events, &b.events) || a.ndefects != b.ndefects)
		abort();
	for (size_t i = 0; i < a.ndefects; i++)
		if (strcmp(a.defects[i], b.defects[i]))
			abort();
	free_transcript(&a);
	free_transcript(&b);
	return 0;
}
