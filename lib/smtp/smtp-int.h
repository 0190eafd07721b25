/* ember lib/smtp: internal helpers shared by the server and the client. */
#ifndef EMBER_SMTP_INT_H
#define EMBER_SMTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "smtp.h"

/* A growable byte buffer; off: bytes already consumed from the front. */
struct sbuf {
	char *data;
	size_t len, off, cap;
};
int sbuf_append(struct sbuf *b, const void *p, size_t n);   /* 0 or -1 */
int sbuf_puts(struct sbuf *b, const char *s);
void sbuf_consume(struct sbuf *b, size_t n);
static inline size_t sbuf_avail(const struct sbuf *b) { return b->len - b->off; }
static inline const char *sbuf_head(const struct sbuf *b) { return b->data ? b->data + b->off : ""; }
void sbuf_free(struct sbuf *b);

/* ASCII, whatever the locale. */
static inline int a_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static inline int a_digit(int c) { return c >= '0' && c <= '9'; }
static inline int a_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
/* s[0..n) equals lit ignoring ASCII case */
int a_is(const char *s, size_t n, const char *lit);
/* s[0..n) starts with lit ignoring ASCII case */
int a_prefix(const char *s, size_t n, const char *lit);

/* Append "CODE[-| ]EHC TEXT\r\n" to out with text made safe: bytes outside
 * 0x20..0x7e become '?', at most 400 of them. ehc may be NULL or "". last:
 * ' ' else '-'. 0 or -1. */
int reply_line(struct sbuf *out, int code, const char *ehc, const char *text, int last);
/* Copy text made safe (as above) into dst of size n. */
void safe_copy(char *dst, size_t n, const char *src, size_t len);

/* The client's reply reader. */
struct reply_reader {
	struct smtp_reply r;
	struct sbuf text;
	char line[SMTP_REPLY_MAX_LINE + 1];
	size_t line_len;
	int overlong;
	int have;      /* r holds a complete reply not yet taken */
	int bad;       /* protocol error */
};
/* Feed one byte at a time through the buffer: consume bytes from in until a
 * complete reply is read (returns 1), input runs out (0) or a protocol
 * error (-1; -2 out of memory). *used: bytes consumed. */
int reply_read(struct reply_reader *rr, const char *in, size_t n, size_t *used);
void reply_reader_free(struct reply_reader *rr);

/* 1 when s holds a byte >= 0x80 */
int has_8bit(const char *s, size_t n);
/* 1 when s is valid UTF-8 */
int utf8_valid(const char *s, size_t n);

#endif
