/* ember lib/mime: choosing a transfer encoding. Included by mime.h.
 *
 * Looks at a whole body (bounded by the caller) and picks the lightest
 * Content-Transfer-Encoding that carries it intact (RFC 2045 2.7, 2.8, 6). */
#ifndef EMBER_MIME_CHOOSE_H
#define EMBER_MIME_CHOOSE_H

#include <stddef.h>
#include "mime-parser.h"

/* What the data holds, counted in one pass. */
struct mime_text_stats {
	size_t len;
	size_t nul;        /* NUL octets */
	size_t high;       /* octets >= 0x80 */
	size_t ctrl;       /* C0 controls other than NUL, TAB, CR, LF; and DEL */
	size_t crlf;       /* CR LF pairs */
	size_t bare_lf;    /* LF not preceded by CR */
	size_t bare_cr;    /* CR not followed by LF */
	size_t longest;    /* longest line in octets, its line break excluded */
	size_t qp_escapes; /* octets quoted-printable writes as =XX: NUL, controls
			      (not TAB), 8-bit octets, '=', bare CR */
	/* while counting */
	size_t line;       /* octets of the current line */
	int cr;            /* the last octet fed was a CR */
};

void mime_text_stats(const char *data, size_t len, struct mime_text_stats *st);
/* The same in any chunking: init, feed..., end. */
void mime_text_stats_init(struct mime_text_stats *st);
void mime_text_stats_feed(struct mime_text_stats *st, const char *data, size_t len);
void mime_text_stats_end(struct mime_text_stats *st);

/* Flags of mime_choose_cte */
#define MIME_CHOOSE_8BIT 1u  /* the transport takes 8bit (8BITMIME, RFC 6152) */
#define MIME_CHOOSE_CRLF 2u  /* line breaks must already be CRLF: the data will
				not be converted to canonical form (non-text
				types), so a bare LF is not a line break */

/* MIME_CTE_7BIT: ASCII, no NUL, CR and LF only as line breaks (all CRLF, or
 * all bare LF, which the canonical conversion turns into CRLF), no line over
 * 998 octets (RFC 5322 2.1.1, RFC 2045 2.7).
 * MIME_CTE_8BIT: 8-bit octets, MIME_CHOOSE_8BIT given, and the other rules
 * of 7bit hold (RFC 2045 2.8).
 * Otherwise MIME_CTE_QUOTED_PRINTABLE when there is no NUL and it is the
 * shorter encoding (every escaped octet costs 3, base64 costs 4/3 an octet:
 * fewer than 1 octet in 6 escaped), else MIME_CTE_BASE64. Never BINARY. */
enum mime_cte mime_choose_cte(const char *data, size_t len, unsigned flags);
/* The same choice from statistics already counted by mime_text_stats. */
enum mime_cte mime_choose_cte_stats(const struct mime_text_stats *st, unsigned flags);

/* A guess: 1 when the data looks like text (no NUL, and at most 1 octet in
 * 100 a control other than TAB, CR, LF, FF and ESC), 0 when binary. */
int mime_guess_text(const char *data, size_t len);

/* The name of an encoding as written in Content-Transfer-Encoding
 * ("7bit", "quoted-printable", ...); NULL for MIME_CTE_UNKNOWN. */
const char *mime_cte_name(enum mime_cte cte);

#endif
