/* ember lib/mime: line endings. Included by mime.h.
 *
 * A streaming converter between the canonical form of mail (CRLF, RFC 5322
 * 2.1, RFC 2045 2.10) and the bare LF of files, mbox and Maildir: feed any
 * chunking, the output is the same. Every byte that is not part of a line
 * ending is copied unchanged; bare CRs are kept unless a flag says
 * otherwise, and both kinds of bare line end are counted, so a caller that
 * must refuse them (an SMTP server: no bare LF or CR in DATA) can. Used by
 * ember crlf, the model, the commands that write MIME parts, and the
 * layers above (DKIM canonicalisation reads messages stored with LF). */
#ifndef EMBER_MIME_EOL_H
#define EMBER_MIME_EOL_H

#include <stddef.h>
#include <stdint.h>

#include "mime-core.h"

enum mime_eol_mode {
	MIME_EOL_CRLF,   /* a bare LF becomes CRLF; CRLF stays */
	MIME_EOL_LF,     /* CRLF becomes LF; a bare LF stays */
};

#define MIME_EOL_BARE_CR 1u  /* a CR not followed by LF is a line end too
				(written CRLF, or LF) */

struct mime_eol {
	enum mime_eol_mode mode;
	unsigned flags;
	unsigned char cr;    /* the last byte read was a CR (MIME_EOL_LF: not
				written yet) */
	uint64_t bare_lf;    /* LFs read that no CR came before */
	uint64_t bare_cr;    /* CRs read that no LF came after */
};

void mime_eol_init(struct mime_eol *e, enum mime_eol_mode mode, unsigned flags);
/* Room the output of n input bytes may need. */
static inline size_t mime_eol_room(size_t n) { return 2 * n + 1; }
/* Convert n bytes (n == 0: the end of the input, in may be NULL) into out,
 * which has room for mime_eol_room(n) bytes; returns the bytes written. */
size_t mime_eol_convert(struct mime_eol *e, const char *in, size_t n, char *out);
/* The same, appended to a buffer. */
enum mime_status mime_eol_append(struct mime_eol *e, const char *in, size_t n,
				 struct mime_buf *out);
/* Whole buffer: in[0..n) in one mode, appended to out. */
enum mime_status mime_eol_all(enum mime_eol_mode mode, const char *in, size_t n,
			      struct mime_buf *out);

#endif
