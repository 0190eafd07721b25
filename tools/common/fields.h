/* ember commands: reading the header fields of a message from a stream
 * through lib/mime's header reader, the same way in every command. */
#ifndef EMBER_FIELDS_H
#define EMBER_FIELDS_H

#include <stdio.h>

#include "mime.h"

struct cli_fields {
	/* each field in order (an mbox "From " first line too: name_len 0) */
	void (*field)(void *ctx, const struct mime_field *f);
	/* each header defect (may be NULL); it is also printed on stderr as
	 * "ember CMD: WHERE:LINE: what" unless quiet */
	void (*defect)(void *ctx, const struct mime_field *d);
	void *ctx;
	int quiet;
	unsigned long defects;  /* counted */
};

/* Read the header of the message in `in` in chunks (an mbox "From " first
 * line is taken as such); the body is not read. Returns 0, or 65
 * (EX_DATAERR) after the warning "ember CMD: WHERE:LINE: what" when the
 * header cannot be read. A read error exits 74. */
int cli_read_fields(FILE *in, const char *where, struct cli_fields *cb);

/* The message read by rd (rd returns 0 at its end) with field on top
 * (a final line break on it is dropped: the editor adds its own), every
 * other byte unchanged, to stdout; the editor's refusal exits 65 with
 * "ember CMD: WHERE: line N: what", running out of memory 70. */
void cli_prepend(const char *field, size_t len, size_t (*rd)(void *ctx, char *buf, size_t n),
		 void *ctx, const char *where);

/* A list of field names, as -h takes them: "from,to" or mblaze's "from:to". */
struct cli_names {
	char **v;
	size_t n;
};
void cli_names_add(struct cli_names *l, const char *arg);
/* ASCII case-insensitive */
int cli_names_has(const struct cli_names *l, const char *name, size_t len);
void cli_names_free(struct cli_names *l);

/* "ember CMD: WHERE:LINE: what" */
void cli_warn_at(const char *where, unsigned long line, const char *what);
/* A defect at offset off of field f's value: "ember CMD: WHERE:LINE: what at
 * byte N", LINE and N in the input. */
void cli_warn_in_value(const char *where, const struct mime_field *f, uint64_t off,
		       const char *what);

#endif
