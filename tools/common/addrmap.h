/* ember commands: a recipient map in the manner of Postfix's pcre_table(5)
 * (ember relay). One rule a line, '#' comments and blank lines ignored:
 *   alias@example.org   user@example.net            an exact address
 *   /^(.*)@old\.test$/  $1@new.test                 a PCRE2 pattern
 *   team@example.org    a@example.net, b@example.net  several recipients
 * The first rule that matches wins. Exact addresses are compared with
 * ASCII case folding; a pattern is case-insensitive unless its flags say
 * "i" (Postfix's toggle), "x" for extended syntax. In the result $1..$9 (or
 * ${1}..${9}) are the pattern's groups (empty when a group did not take
 * part), $$ a dollar sign. */
#ifndef EMBER_ADDRMAP_H
#define EMBER_ADDRMAP_H

#include <stddef.h>

struct addrmap;

/* Parse FILE's text. NULL on error, with "LINE: what" in err (line 0: out
 * of memory). */
struct addrmap *addrmap_parse(const char *text, size_t len, char *err, size_t errlen);
void addrmap_free(struct addrmap *m);
size_t addrmap_rules(const struct addrmap *m);

/* The targets of addr: 1 and *out a NULL-terminated array of malloc'd
 * addresses (free with addrmap_list_free), 0 when no rule matches, -1 when
 * out of memory or a result is empty. */
int addrmap_lookup(const struct addrmap *m, const char *addr, char ***out);
void addrmap_list_free(char **l);

#endif
