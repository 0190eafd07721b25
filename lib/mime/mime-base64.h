/* ember lib/mime: base64 (RFC 2045 6.8, RFC 4648 4), streaming encoder and
 * decoder. Included by mime.h; include mime.h instead.
 *
 * Sans-IO state machines over caller-allocated plain structs: feed any
 * chunking of the input, then call once with len 0 to end it; one byte at
 * a time gives exactly what the whole input at once gives. After the end
 * call the state is back to its initial value (same flags). */
#ifndef EMBER_MIME_BASE64_H
#define EMBER_MIME_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* One line, no line breaks (default: 76-column lines, each ended by CRLF,
 * the last one included). */
#define MIME_BASE64_NOWRAP 1u

#define MIME_BASE64_LINE_MAX 76

struct mime_base64_enc {
	unsigned flags;
	unsigned col;            /* characters on the current output line */
	unsigned nq;             /* bytes held in q */
	unsigned char q[3];
};

void mime_base64_enc_init(struct mime_base64_enc *e, unsigned flags);
/* Encode len bytes; len 0 (in may be NULL) ends the input: the last
 * quantum is written with its padding. MIME_OK, or MIME_ENOMEM. */
enum mime_status mime_base64_encode(struct mime_base64_enc *e, const void *in, size_t len, struct mime_buf *out);

struct mime_base64_dec {
	uint64_t off;            /* input bytes consumed so far */
	uint32_t acc;            /* bits of the quantum being read */
	unsigned char n;         /* alphabet characters in acc (0..3) */
	unsigned char pad;       /* '=' seen in this quantum */
	unsigned char ended;     /* padding completed a quantum */
	unsigned char after;     /* "data after padding" reported */
};

void mime_base64_dec_init(struct mime_base64_dec *d);
/* Decode len bytes; len 0 (in may be NULL) ends the input. CR, LF, SPACE
 * and TAB are ignored. Reported to df (may be NULL) as defects, never
 * failures: any other character outside the alphabet (skipped), data after
 * the padding (decoded as a new quantum), padding in the wrong place, and
 * a final incomplete quantum (2 or 3 characters give 1 or 2 bytes; 1 gives
 * nothing). MIME_OK, or MIME_ENOMEM when out cannot grow (ENOMEM). */
enum mime_status mime_base64_decode(struct mime_base64_dec *d, const void *in, size_t len, struct mime_buf *out,
		       struct mime_defects *df);

/* Whole-buffer conveniences: encode or decode all of in, appending to out. */
enum mime_status mime_base64_encode_all(const void *in, size_t len, unsigned flags, struct mime_buf *out);
enum mime_status mime_base64_decode_all(const void *in, size_t len, struct mime_buf *out,
			   struct mime_defects *df);

#endif
