/* The round-trip checker: (1) the raw view, (2) the model isomorphism.
 * See corpus.h. */
#include "corpus.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

struct corpus_checker {
	struct mime_buf printed;
};

struct corpus_checker *corpus_checker_new(void)
{
	return calloc(1, sizeof(struct corpus_checker));
}

void corpus_checker_free(struct corpus_checker *c)
{
	if (!c)
		return;
	mime_buf_free(&c->printed);
	free(c);
}

/* ---- (1) raw view ------------------------------------------------------------ */

struct raw_state {
	const char *msg;
	size_t len, pos;      /* bytes of msg matched by the events so far */
	int differs;
};

/* One event's raw bytes against the input at pos. */
static void match_raw(struct raw_state *s, const char *raw, size_t n)
{
	if (s->differs || n == 0)
		return;
	size_t avail = s->len - s->pos, k = n < avail ? n : avail;
	if (memcmp(raw, s->msg + s->pos, k) != 0) {
		size_t i = 0;
		while (raw[i] == s->msg[s->pos + i])
			i++;
		s->pos += i;
		s->differs = 1;
		return;
	}
	s->pos += k;
	if (k < n)
		s->differs = 1;   /* more raw bytes than input */
}

/* How the input is cut into feeds: whole, small fixed pieces, or random
 * sizes; chosen by the message number so a rerun is the same. */
static size_t chunk_size(struct corpus_rng *r, int mode, size_t fixed)
{
	if (mode == 0)
		return (size_t)-1;
	if (mode == 1)
		return fixed;
	return (size_t)1 << corpus_rng_below(r, 17);   /* 1 .. 64 KiB */
}

/* Drain events until AWAIT (0), END (1) or ERROR (-2). */
static int drain(struct mime_parser *p, struct raw_state *s, struct corpus_result *res)
{
	for (;;) {
		struct mime_event ev;
		enum mime_ev e = mime_parser_next(p, &ev);
		if (e == MIME_AWAIT)
			return 0;
		if (e == MIME_END) {
			match_raw(s, ev.raw, ev.raw_len);
			return 1;
		}
		if (e == MIME_ERROR) {
			res->verdict = CORPUS_STOPPED;
			res->why = ev.message;
			res->line = ev.line;
			return -2;
		}
		match_raw(s, ev.raw, ev.raw_len);
	}
}

static int check_raw(const char *msg, size_t len, uint64_t n, struct corpus_result *res)
{
	struct mime_parser *p = mime_parser_new(NULL, 0);
	if (!p)
		return -1;
	struct corpus_rng r;
	corpus_rng_seed(&r, 0x5eed, n);
	int mode = (int)corpus_rng_below(&r, 4);
	if (mode == 1 && len > 20000)
		mode = 0;            /* byte-sized feeds only on small messages */
	size_t fixed = 1 + corpus_rng_below(&r, 7);
	struct raw_state s = {.msg = msg, .len = len};
	int d = 0;
	for (size_t at = 0; at < len && d == 0;) {
		size_t k = chunk_size(&r, mode, fixed);
		k = k < len - at ? k : len - at;
		mime_parser_feed(p, msg + at, k);
		at += k;
		d = drain(p, &s, res);
	}
	if (d == 0) {
		mime_parser_feed(p, NULL, 0);
		d = drain(p, &s, res);
	}
	mime_parser_free(p);
	if (d == -2)
		return 0;
	if (s.differs || s.pos != len) {
		res->verdict = CORPUS_RAW;
		res->offset = s.pos;
		res->why = s.differs ? "raw view differs" : "raw view ends early";
	}
	return 0;
}

/* ---- (2) the model --------------------------------------------------------- */

static int parse_model(const char *msg, size_t len, struct mime_node **m, int printed,
		       struct corpus_result *res)
{
	const char *err = NULL;
	unsigned long line = 0;
	int r = mime_model_parse(msg, len, NULL, m, &err, &line, NULL);
	if (r == -2) {
		res->verdict = CORPUS_STOPPED;
		res->why = err ? err : "parser stopped";
		res->line = line;
		res->printed = printed;
	}
	return r;
}

static int check_model(struct corpus_checker *c, const char *msg, size_t len,
		       struct corpus_result *res)
{
	struct mime_node *a = NULL, *b = NULL;
	int r = parse_model(msg, len, &a, 0, res);
	if (r == 0) {
		mime_buf_reset(&c->printed);
		r = mime_model_print(a, 0, &c->printed);
	}
	if (r == 0)
		r = parse_model(c->printed.data ? c->printed.data : "", c->printed.len, &b, 1, res);
	if (r == 0) {
		const char *why = NULL;
		if (!mime_model_equal(a, b, &why, res->path)) {
			res->verdict = CORPUS_MODEL;
			res->why = why ? why : "models differ";
		}
	}
	mime_model_free(a);
	mime_model_free(b);
	return r == -1 ? -1 : 0;
}

int corpus_check(struct corpus_checker *c, const char *msg, size_t len, uint64_t n,
		 struct corpus_result *res)
{
	memset(res, 0, sizeof *res);
	res->verdict = CORPUS_OK;
	int r = check_raw(msg, len, n, res);
	if (r == 0 && res->verdict == CORPUS_OK)
		r = check_model(c, msg, len, res);
	if (r == -1) {
		res->verdict = CORPUS_NOMEM;
		res->why = "out of memory";
	}
	return r;
}

void corpus_result_text(const struct corpus_result *res, char *buf, size_t size)
{
	switch (res->verdict) {
	case CORPUS_OK:
		snprintf(buf, size, "ok");
		break;
	case CORPUS_RAW:
		snprintf(buf, size, "%s at byte %llu", res->why, (unsigned long long)res->offset);
		break;
	case CORPUS_STOPPED:
		snprintf(buf, size, "the parser stopped%s: %s (line %lu)",
			 res->printed ? " on the printed model" : "", res->why, res->line);
		break;
	case CORPUS_MODEL:
		snprintf(buf, size, "model round trip: %s at part %s", res->why, res->path);
		break;
	case CORPUS_NOMEM:
		snprintf(buf, size, "out of memory");
		break;
	}
}
