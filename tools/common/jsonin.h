/* Minimal JSON input for the commands that read JSON lines (ember dmarc
 * report): one value parsed into a tree. Strings are UTF-8 (\u escapes
 * decoded, surrogate pairs joined); numbers are kept as doubles. */
#ifndef EMBER_JSONIN_H
#define EMBER_JSONIN_H

#include <stddef.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	int b;              /* JV_BOOL */
	double num;         /* JV_NUM */
	char *str;          /* JV_STR (NUL-terminated) */
	struct jv *items;   /* JV_ARR, JV_OBJ */
	char **keys;        /* JV_OBJ */
	size_t n;
};

/* The whole of s[0..len) as one value (white space around it allowed).
 * 0, or -1 with *err (static text; out is then freed). */
int jv_parse(const char *s, size_t len, struct jv *out, const char **err);
void jv_free(struct jv *v);
/* An object's member, or NULL. */
const struct jv *jv_get(const struct jv *obj, const char *key);
/* A member that is a string, or NULL. */
const char *jv_get_str(const struct jv *obj, const char *key);
/* A member that is true (1), false or absent (0). */
int jv_get_bool(const struct jv *obj, const char *key);

#endif
