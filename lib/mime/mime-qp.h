/* ember lib/mime: quoted-printable (RFC 2045 6.7), streaming encoder and
 * decoder. Included by mime.h; include mime.h instead.
 *
 * Both are sans-IO state machines over caller-allocated plain structs (no
 * allocation inside except growing the caller's output buffer): feed any
 * chunking of the input, then call once with len 0 to end it. Feeding one
 * byte at a time gives exactly what feeding the whole input at once gives.
 * After the end call the state is back to its initial value (same flags),
 * ready for a new input. */
#ifndef EMBER_MIME_QP_H
#define EMBER_MIME_QP_H

#include <stddef.h>
#include <stdint.h>

/* Binary mode: CR and LF are data, encoded =0D and =0A. Default (text
 * mode): a line break in the input (CRLF or bare LF) is a hard line break,
 * written CRLF; a CR not followed by LF is data (=0D). */
#define MIME_QP_BINARY 1u

/* Output lines are at most this many characters, the soft break's "="
 * included (RFC 2045 6.7 rule 5). */
#define MIME_QP_LINE_MAX 76

struct mime_qp_enc {
	unsigned flags;
	unsigned col;            /* characters on the current output line */
	unsigned char bol;       /* at the start of a hard line (or the input) */
	unsigned char nhold;     /* input bytes held back until the next byte */
	unsigned char hold[6];   /* white space, "F".."From", "." and a CR */
};

void mime_qp_enc_init(struct mime_qp_enc *e, unsigned flags);
/* Encode len bytes; len 0 (in may be NULL) ends the input and writes what
 * is held back (a final line without a line break gets none). Lines are
 * at most 76 characters with soft breaks "=" CRLF, never inside an =XY;
 * white space before a hard break or at the end is encoded (=20, =09). For
 * safe transport, "From " at the start of a line is written "=46rom " and
 * a line of a lone "." is written "=2E"; after a soft break a line-leading
 * 'F' or '.' is always encoded. MIME_OK, or MIME_ENOMEM when out cannot grow
 * (ENOMEM; the output is then incomplete). */
enum mime_status mime_qp_encode(struct mime_qp_enc *e, const void *in, size_t len, struct mime_buf *out);

/* A run of white space longer than this is written out as it stands even
 * if a line break follows (and reported as a defect): the decoder's memory
 * stays bounded. */
#define MIME_QP_WS_MAX 4096

struct mime_qp_dec {
	uint64_t off;            /* input bytes consumed so far */
	uint64_t eq_off;         /* offset of the held '=' */
	unsigned nws;            /* held white space run: length ... */
	unsigned char eq;        /* 0; 1: '=' held; 2: '=' and one hex digit */
	unsigned char hex;       /* that digit */
	unsigned char cr;        /* a CR held after the rest */
	unsigned char ws[MIME_QP_WS_MAX / 8]; /* ... and bits: 1 TAB, 0 SPACE */
};

void mime_qp_dec_init(struct mime_qp_dec *d);
/* Decode len bytes; len 0 (in may be NULL) ends the input. Tolerant
 * (RFC 2045 6.7 note): soft breaks "=CRLF" and "=LF" (white space allowed
 * between '=' and the break) are removed; white space before a line break
 * or at the end of the input is removed (rule 3); =XY is decoded with upper
 * or lower case hex digits; an invalid "=XY" or a lone "=" is kept as it
 * stands and reported to df (may be NULL) with its input offset. Hard line
 * breaks come out as they came in (CRLF stays CRLF, LF stays LF). Returns
 * MIME_OK, or MIME_ENOMEM when out cannot grow (ENOMEM). */
enum mime_status mime_qp_decode(struct mime_qp_dec *d, const void *in, size_t len, struct mime_buf *out,
		   struct mime_defects *df);

/* Whole-buffer conveniences: encode or decode all of in, appending to out. */
enum mime_status mime_qp_encode_all(const void *in, size_t len, unsigned flags, struct mime_buf *out);
enum mime_status mime_qp_decode_all(const void *in, size_t len, struct mime_buf *out, struct mime_defects *df);

#endif
