/* ember commands: an input read twice in bounded memory. A command that
 * must see all of a message before it writes its first byte (choose a
 * boundary found nowhere in it, a transfer encoding that fits its content,
 * file names that exist nowhere yet) reads the input once, decides, then
 * reads it again: a regular file is read again from where it started;
 * anything else (a pipe) is copied once into an unlinked temporary file in
 * $TMPDIR (else /tmp). Errors exit through cli.h. */
#ifndef EMBER_SPOOL_H
#define EMBER_SPOOL_H

#include <stdio.h>
#include <sys/types.h>

struct spool {
	FILE *f;          /* read from here */
	off_t start;      /* where the input starts in f */
	int temp;         /* f is the temporary copy (closed by spool_close) */
	const char *where;
};

/* in stays open; read s->f, then spool_rewind to read it again. */
void spool_open(struct spool *s, FILE *in, const char *where);
void spool_rewind(struct spool *s);
/* Read up to n bytes; 0 at the end (a read error exits 74). */
size_t spool_read(struct spool *s, char *buf, size_t n);
void spool_close(struct spool *s);
/* spool_read for cli_prepend (ctx: the spool) */
size_t spool_reader(void *ctx, char *buf, size_t n);

#endif
