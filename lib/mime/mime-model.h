/* ember lib/mime: the model view of a message, and the encoder. Included
 * by mime.h; include mime.h instead.
 *
 * The model holds what a message means rather than how it was written:
 * each part's header fields (names as written, values unfolded), its type,
 * and for a leaf its body with the transfer encoding undone. What the
 * encoder chooses for itself is not part of the model: the transfer
 * encoding (chosen from the content), the boundaries (kept when they cannot
 * occur in the content, else new ones), the folding, the line ends (CRLF),
 * preambles and epilogues (dropped). A message stored with LF line ends
 * (its first line ends with a bare LF, as mbox and Maildir files keep mail)
 * is read in its canonical form, every bare LF taken as CRLF (RFC 5322
 * 2.1, RFC 2045 2.10); bodies are then held byte for byte. So
 * parse(print(m)) == m for every model m.
 *
 * The raw view, for passing a message through unchanged, is the parser's
 * event stream (mime-parser.h); the model is built on it. */
#ifndef EMBER_MIME_MODEL_H
#define EMBER_MIME_MODEL_H

#include <stddef.h>
#include "mime-core.h"
#include "mime-parser.h"

enum mime_node_kind { MIME_NODE_LEAF, MIME_NODE_MULTIPART, MIME_NODE_MESSAGE };

struct mime_mfield {
	char *name;            /* as written */
	char *value;           /* unfolded (folding line breaks removed), as written */
	size_t value_len;
};

struct mime_node {
	enum mime_node_kind kind;
	struct mime_mfield *fields;  /* in order; Content-Transfer-Encoding is not
					kept (the encoder chooses it) unless unknown */
	size_t nfields;
	char *type, *subtype;        /* resolved, lowercased (defaults applied) */
	char *cte_unknown;           /* an encoding we cannot undo: body kept
					encoded, printed with this name */
	struct mime_buf body;        /* leaf: the body, transfer encoding undone */
	struct mime_node **children; /* multipart: the parts; message: one */
	size_t nchildren;
};

/* Parse a whole message into a model. MIME_OK; MIME_ENOMEM; MIME_EINVAL the parser
 * stopped (a limit: *err says which, *line where). Defects are counted in
 * *defects when not NULL. */
enum mime_status mime_model_parse(const char *msg, size_t len, const struct mime_limits *lim,
		     struct mime_node **out, const char **err, unsigned long *line,
		     uint64_t *defects);
void mime_model_free(struct mime_node *m);

#define MIME_PRINT_8BIT 1u     /* 8bit bodies allowed (8BITMIME) */

/* Print canonically: folded fields, CRLF line ends, a transfer encoding
 * chosen for each leaf by its content. Appended to out. MIME_OK; MIME_ENOMEM. */
enum mime_status mime_model_print(const struct mime_node *m, unsigned flags, struct mime_buf *out);

/* 1 when a and b are the same model, else 0 with *why (static text) and
 * *path (the part: "1.2", written into path, size 32) saying where. */
int mime_model_equal(const struct mime_node *a, const struct mime_node *b, const char **why,
		     char path[32]);

#endif
