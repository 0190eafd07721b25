/* Internal to lib/mime: what the header reader and the parser share about
 * field names. */
#ifndef EMBER_MIME_HEADER_INT_H
#define EMBER_MIME_HEADER_INT_H

#include <stddef.h>

struct mime_field_info;

/* The index (below 64) of a field a header may hold once, or -1. */
int mime_field_once_index(const struct mime_field_info *fi);

#endif
