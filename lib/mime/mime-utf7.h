/* ember lib/mime: utf7. Included by mime.h; include mime.h instead.
 *
 * UTF-7 (RFC 2152) both ways as streaming state machines, and the IMAP
 * "modified UTF-7" of RFC 3501 5.1.3 for mailbox names (whole buffer).
 * The UTF-8 side is always well-formed UTF-8 on output; malformed input
 * is repaired (U+FFFD) and reported as a defect, never a failure. */
#ifndef EMBER_MIME_UTF7_H
#define EMBER_MIME_UTF7_H

/* Decoder: UTF-7 bytes in, UTF-8 out. Caller-allocated, no malloc. */
struct mime_utf7_dec {
	uint64_t offset;      /* bytes fed so far (for defect offsets) */
	uint64_t shift_start; /* offset of the '+' opening the current run */
	uint64_t high_off;    /* offset of the byte completing 'high' */
	uint32_t bits;        /* base64 bits not yet forming a 16-bit unit */
	uint16_t high;        /* pending high surrogate, or 0 */
	uint8_t nbits;        /* number of valid bits in 'bits' (0..21) */
	uint8_t state;        /* direct, just after '+', in base64 */
};

void mime_utf7_dec_init(struct mime_utf7_dec *d);
/* Decode len bytes of in; len 0 (in may be NULL) ends the input: an open
 * run with a partial character becomes U+FFFD plus a defect. After the
 * end the decoder is ready for a new input. MIME_OK, or MIME_ENOMEM when out of memory. */
enum mime_status mime_utf7_decode(struct mime_utf7_dec *d, const void *in, size_t len,
		struct mime_buf *out, struct mime_defects *df);

/* Encoder: UTF-8 in, UTF-7 out. Set D, Set O and SP, TAB, CR, LF are
 * written directly (RFC 2152 rules 1 and 3, as in the RFC's examples),
 * '+' as "+-" (inside a run: base64), everything else in '+...' runs of
 * modified base64 (astral characters as surrogate pairs); a run
 * is closed with '-' when the next character is a base64 character or
 * '-', and at the end of the input. */
struct mime_utf7_enc {
	uint64_t offset;    /* UTF-8 bytes fed so far */
	uint64_t seq_start; /* offset of a pending UTF-8 sequence */
	uint32_t cp;        /* partial UTF-8 sequence: code point so far */
	uint32_t bits;      /* base64 bits pending output */
	uint8_t need;       /* UTF-8 continuation bytes expected */
	uint8_t seen;       /* continuation bytes seen */
	uint8_t lower, upper; /* allowed range of the next continuation */
	uint8_t nbits;      /* pending bits (0..5 between units) */
	uint8_t shifted;    /* inside a '+' run */
};

void mime_utf7_enc_init(struct mime_utf7_enc *e);
/* Encode len bytes of UTF-8; len 0 ends the input (closes an open run
 * with '-'; a truncated UTF-8 sequence is encoded as U+FFFD + defect).
 * Invalid UTF-8 is replaced by U+FFFD (maximal subparts) and reported.
 * MIME_OK, or MIME_ENOMEM when out of memory. */
enum mime_status mime_utf7_encode(struct mime_utf7_enc *e, const void *utf8, size_t len,
		struct mime_buf *out, struct mime_defects *df);

/* RFC 3501 5.1.3 modified UTF-7 for IMAP mailbox names, whole buffer,
 * appended to out. encode: MIME_OK, MIME_ENOMEM, MIME_EINVAL invalid UTF-8 input.
 * decode: MIME_OK, MIME_ENOMEM, MIME_EINVAL malformed (strict: '&' runs must be minimal,
 * closed by '-', padded with zero bits, hold well-formed UTF-16 and no
 * printable US-ASCII; bytes outside 0x20-0x7E are refused).
 * On MIME_EINVAL the length of out is restored. */
enum mime_status mime_imap_utf7_encode(const char *utf8, size_t len, struct mime_buf *out);
enum mime_status mime_imap_utf7_decode(const char *s, size_t len, struct mime_buf *out);

#endif
