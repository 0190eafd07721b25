/* Minimal JSON output for the commands' --json modes. */
#ifndef EMBER_JSON_H
#define EMBER_JSON_H

#include <stdio.h>
#include <stddef.h>

/* Write s (UTF-8; invalid bytes become U+FFFD) as a JSON string. */
void json_str(FILE *f, const char *s, size_t n);
/* "key":"value" with a leading comma when *first is 0; sets *first to 0. */
void json_kv_str(FILE *f, int *first, const char *key, const char *value);
void json_kv_u64(FILE *f, int *first, const char *key, unsigned long long v);

#endif
