/* mboxrd: the writer and an incremental reader.
 * mboxrd (the "rd" variant of mbox, see Hall's mbox description and RFC
 * 4155): each message follows a "From " separator line; a line of the
 * message matching ^>*From  is written with one more '>' and read back
 * with one less, so the quoting is reversible; a blank line ends each
 * message. */
#include "corpus.h"

#include <stdlib.h>
#include <string.h>

/* ^>*From  */
static int is_from_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == '>')
		i++;
	return n - i >= 5 && memcmp(s + i, "From ", 5) == 0;
}

int corpus_mbox_put(struct mime_buf *out, const char *msg, size_t len)
{
	if (mime_buf_puts(out, CORPUS_MBOX_FROM))
		return -1;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - msg) + 1 : len;
		if (is_from_line(msg + i, e - i) && mime_buf_putc(out, '>'))
			return -1;
		if (mime_buf_append(out, msg + i, e - i))
			return -1;
		i = e;
	}
	if (len && msg[len - 1] != '\n' && mime_buf_putc(out, '\n'))
		return -1;
	return mime_buf_putc(out, '\n');
}

/* ---- reader ------------------------------------------------------------------ */

/* Make at least want bytes available after start (fewer at the end of the
 * input). 0 or -1. */
static int fill(struct corpus_mbox *m, size_t want)
{
	while (m->end - m->start < want && !m->eof) {
		if (m->start) {
			memmove(m->buf, m->buf + m->start, m->end - m->start);
			m->end -= m->start;
			m->start = 0;
		}
		if (m->cap - m->end < 65536) {
			size_t cap = m->cap ? m->cap * 2 : 1u << 20;
			char *b = realloc(m->buf, cap);
			if (!b)
				return -1;
			m->buf = b;
			m->cap = cap;
		}
		size_t r = fread(m->buf + m->end, 1, m->cap - m->end, m->f);
		m->end += r;
		if (r == 0) {
			if (ferror(m->f))
				return -1;
			m->eof = 1;
		}
	}
	return 0;
}

/* The next line (with its '\n' when it has one): *line, *n; 0 at the end. */
static int next_line(struct corpus_mbox *m, const char **line, size_t *n)
{
	size_t scanned = 0;
	for (;;) {
		const char *s = m->buf + m->start + scanned;
		size_t avail = m->end - m->start - scanned;
		const char *nl = avail ? memchr(s, '\n', avail) : NULL;
		if (nl || m->eof) {
			size_t len = nl ? (size_t)(nl - (m->buf + m->start)) + 1 : m->end - m->start;
			*line = m->buf + m->start;
			*n = len;
			return len ? 1 : 0;
		}
		scanned = m->end - m->start;
		if (fill(m, scanned + 1))
			return -1;
	}
}

int corpus_mbox_open(struct corpus_mbox *m, FILE *f)
{
	memset(m, 0, sizeof *m);
	m->f = f;
	if (fill(m, 5))
		return -1;
	if (m->end - m->start < 5 || memcmp(m->buf + m->start, "From ", 5) != 0)
		return -2;
	return 0;
}

/* RFC 4155 / mboxrd: the blank line the writer added after the message. */
static void drop_blank_line(struct mime_buf *out)
{
	size_t n = out->len;
	const char *d = out->data;
	if (!n || d[n - 1] != '\n')
		return;
	if (n == 1 || d[n - 2] == '\n')
		out->len -= 1;   /* "\n" */
	else if (d[n - 2] == '\r' && (n == 2 || d[n - 3] == '\n'))
		out->len -= 2;   /* "\r\n", a writer with CRLF lines */
	if (out->data)
		out->data[out->len] = '\0';
}

int corpus_mbox_next(struct corpus_mbox *m, struct mime_buf *out)
{
	const char *l;
	size_t n;
	mime_buf_reset(out);
	int r = next_line(m, &l, &n);   /* the separator */
	if (r <= 0)
		return r;
	m->start += n;
	m->bytes += n;
	while ((r = next_line(m, &l, &n)) > 0 && !(n >= 5 && memcmp(l, "From ", 5) == 0)) {
		size_t q = is_from_line(l, n) && l[0] == '>';
		if (mime_buf_append(out, l + q, n - q))
			return -1;
		m->start += n;
		m->bytes += n;
	}
	if (r < 0)
		return -1;
	drop_blank_line(out);
	m->count++;
	return 1;
}

void corpus_mbox_close(struct corpus_mbox *m)
{
	free(m->buf);
	memset(m, 0, sizeof *m);
}
