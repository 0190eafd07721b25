/* ember lib/mime: shared core types (growable buffer, defect reports).
 * Included by mime.h; do not include directly. */
#ifndef EMBER_MIME_CORE_H
#define EMBER_MIME_CORE_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer owned by the caller. Zero-initialise it
 * (struct mime_buf b = {0};) and release it with mime_buf_free().
 * data is always NUL-terminated after a successful append (the NUL is
 * not counted in len), so text results can be used as C strings. */
struct mime_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* 0 on success, -1 when memory is exhausted (the buffer is unchanged). */
int mime_buf_append(struct mime_buf *b, const void *p, size_t n);
int mime_buf_putc(struct mime_buf *b, int c);
int mime_buf_puts(struct mime_buf *b, const char *s);
/* Ensure room for n more bytes; 0 or -1. */
int mime_buf_reserve(struct mime_buf *b, size_t n);
void mime_buf_reset(struct mime_buf *b);  /* len = 0, memory kept */
void mime_buf_free(struct mime_buf *b);   /* memory released, zeroed */

/* Defects: things wrong with the input that a tolerant reader repairs or
 * keeps as they are. Decoders never fail on them; they count them and,
 * when a callback is set, report each one with the byte offset (from the
 * start of the input fed so far) and a short static message. */
typedef void (*mime_defect_fn)(void *ctx, uint64_t offset, const char *what);

struct mime_defects {
	mime_defect_fn fn;   /* may be NULL */
	void *ctx;
	uint64_t count;
	uint64_t first_offset; /* valid when count > 0 */
	const char *first;     /* message of the first defect, or NULL */
};

void mime_defect(struct mime_defects *d, uint64_t offset, const char *what);

#endif
