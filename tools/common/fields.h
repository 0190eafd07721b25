/* ember commands: reading the header fields of a message from a stream
 * through lib/mime's header reader, the same way in every command. */
#ifndef EMBER_FIELDS_H
#define EMBER_FIELDS_H

#include <stdio.h>

#include "mime.h"

typedef void (*cli_field_fn)(void *ctx, const struct mime_field *f);

/* Read the header of the message in `in` in chunks, calling fn for each
 * field in order (lines that are not fields too: name_len 0); the body is
 * not read. An mbox "From " first line is passed as such a line. Returns
 * 0, or 65 (EX_DATAERR) after the warning "ember CMD: WHERE:LINE: what"
 * when the header cannot be read. A read error exits 74. */
int cli_read_fields(FILE *in, const char *where, cli_field_fn fn, void *ctx);

#endif
