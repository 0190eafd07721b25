/* Fuzz the unstructured tokenizer. Properties, for every set of flags:
 * - the tokens cover the value exactly, in order, none empty;
 * - words are valid UTF-8 without white space, CR, LF or NUL; white space
 *   tokens are only SP and HTAB; folds start with a line break;
 * - unfolding the value equals unfolding each token in turn. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"

static void check_word(const struct mime_utoken *t)
{
	for (size_t i = 0; i < t->len;) {
		size_t l = mime_unstructured_utf8_len(t->s + i, t->len - i);
		if (!l || strchr(" \t\r\n", t->s[i]))
			abort();
		i += l;
	}
}

static void check_token(const struct mime_utoken *t)
{
	if (t->kind == MIME_UTOK_WORD)
		check_word(t);
	for (size_t i = 0; t->kind == MIME_UTOK_WSP && i < t->len; i++)
		if (t->s[i] != ' ' && t->s[i] != '\t')
			abort();
	if (t->kind == MIME_UTOK_FWS && t->s[0] != '\r' && t->s[0] != '\n')
		abort();
	if ((t->kind == MIME_UTOK_SPECIAL || t->kind == MIME_UTOK_INVALID) && t->len != 1)
		abort();
}

static void tokens(const char *v, size_t n, unsigned flags)
{
	struct mime_unstructured u;
	struct mime_utoken t;
	struct mime_buf a = {0}, b = {0};
	size_t at = 0;
	int oom = mime_buf_puts(&a, "");
	mime_unstructured_init(&u, v, n, flags);
	while (mime_unstructured_next(&u, &t)) {
		if (t.s != v + at || t.offset != at || t.len == 0)
			abort();
		check_token(&t);
		at += t.len;
		oom |= mime_unstructured_unfold(t.s, t.len, &a);
	}
	if (at != n)
		abort();
	oom |= mime_unstructured_unfold(v, n, &b);
	if (!oom && (a.len != b.len || memcmp(a.data, b.data, a.len)))
		abort();
	mime_buf_free(&a);
	mime_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags < 8; flags++)
		tokens((const char *)data, size, flags);
	return 0;
}
