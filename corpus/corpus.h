/* ember corpus: the generator of conforming messages and the round-trip
 * checker behind `ember corpus gen|check`. No global state: each part
 * works on a context the caller owns. The generator and the checker do no
 * I/O; mbox.c reads and writes through the caller's FILE. */
#ifndef EMBER_CORPUS_H
#define EMBER_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mime.h"

/* ---- the generator (gen*.c) ------------------------------------------------ */

struct corpus_gen;

/* A generator for the corpus of this seed. NULL when out of memory. */
struct corpus_gen *corpus_gen_new(uint64_t seed);
void corpus_gen_free(struct corpus_gen *g);
/* Message number i (1-based) of the corpus, appended to out. Each message
 * depends only on (seed, i): the same pair gives the same bytes, in any
 * order. Every message ends with CRLF. 0; -1 out of memory; -2 a printer
 * of the library refused what the generator gave it (a bug, here or there). */
int corpus_gen_message(struct corpus_gen *g, uint64_t i, struct mime_buf *out);

/* ---- the checker (check.c) ------------------------------------------------- */

enum corpus_verdict {
	CORPUS_OK,
	CORPUS_RAW,      /* (1) the parser's raw bytes do not give the input back */
	CORPUS_STOPPED,  /* the parser stopped on the input or on the printed model */
	CORPUS_MODEL,    /* (2) parse(print(parse(x))) != parse(x) */
	CORPUS_NOMEM,
};

struct corpus_result {
	enum corpus_verdict verdict;
	uint64_t offset;      /* CORPUS_RAW: first byte that differs */
	const char *why;      /* static text */
	char path[32];        /* CORPUS_MODEL: the part ("1.2") */
	unsigned long line;   /* CORPUS_STOPPED: where */
	int printed;          /* CORPUS_STOPPED: 1 when it is the printed model */
};

struct corpus_checker;

struct corpus_checker *corpus_checker_new(void);
void corpus_checker_free(struct corpus_checker *c);
/* Check one message; res says how it went. The message number n (any
 * value) picks the chunking of the raw check, so a rerun is identical.
 * 0, or -1 when out of memory. */
int corpus_check(struct corpus_checker *c, const char *msg, size_t len, uint64_t n,
		 struct corpus_result *res);
/* One line for people: "raw view differs at byte 123", "model round trip:
 * a header field differs at part 1.2", ... into buf. */
void corpus_result_text(const struct corpus_result *res, char *buf, size_t size);

/* ---- mboxrd (mbox.c) ---------------------------------------------------------- */

#define CORPUS_MBOX_FROM "From ember-corpus@localhost Thu Jan  1 00:00:00 1970\n"

/* Append one message as mboxrd: the separator, every line matching
 * ^>*From  with one more '>', and a blank line. A message that does not
 * end with a line break gets one. 0 or -1. */
int corpus_mbox_put(struct mime_buf *out, const char *msg, size_t len);

/* An incremental mboxrd reader over a stream: one message at a time, with
 * the separator removed, ">From" quoting undone and the blank line that
 * ends each message dropped. */
struct corpus_mbox {
	FILE *f;
	char *buf;            /* read buffer */
	size_t cap, start, end;
	int eof;
	uint64_t count;       /* messages returned so far */
	uint64_t bytes;       /* input bytes consumed */
};

/* 0; -2 the stream does not start with "From " (not an mbox); -1 read
 * error or out of memory. */
int corpus_mbox_open(struct corpus_mbox *m, FILE *f);
/* The next message into out (reset first): 1, 0 at the end, -1 read error
 * or out of memory. */
int corpus_mbox_next(struct corpus_mbox *m, struct mime_buf *out);
void corpus_mbox_close(struct corpus_mbox *m);

#endif
