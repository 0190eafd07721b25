/* ember lib/mime: choosing a Content-Transfer-Encoding for a body. */
#include "mime.h"
#include "mime-choose.h"

#include <string.h>

/* RFC 5322 2.1.1, RFC 2045 2.7: at most 998 octets between line breaks */
#define MAX_LINE 998

static void count_octet(struct mime_text_stats *st, unsigned char c)
{
	int ctrl = (c < 0x20 && c != '\t') || c == 0x7f;  /* CR, LF: not here */

	if (c == 0)
		st->nul++;
	else if (c >= 0x80)
		st->high++;
	else if (ctrl)
		st->ctrl++;
	if (ctrl || c >= 0x80 || c == '=')
		st->qp_escapes++;
}

/* 1 for the octets that need a look: controls (TAB aside), CR, LF, '=',
 * DEL and 8-bit; printable ASCII runs are skipped in bulk. */
static int needs_look(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == '=' || c >= 0x7f;
}

void mime_text_stats_init(struct mime_text_stats *st)
{
	memset(st, 0, sizeof *st);
}

/* The current line's length and the longest are kept in locals while a
 * chunk is counted (the data could alias the stats for the compiler). */
void mime_text_stats_feed(struct mime_text_stats *st, const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t line = st->line, longest = st->longest;
	int cr = st->cr;
	st->len += len;
	for (size_t i = 0; i < len; i++) {
		if (cr) {
			cr = 0;
			if (s[i] == '\n') {
				st->crlf++;
				longest = line > longest ? line : longest;
				line = 0;
				continue;
			}
			st->bare_cr++;  /* a CR no LF follows */
			st->qp_escapes++;
			line++;
		}
		size_t run = i;
		while (run < len && !needs_look(s[run]))
			run++;
		line += run - i;
		i = run;
		if (i == len)
			break;
		unsigned char c = s[i];
		if (c == '\r') {
			cr = 1;
		} else if (c == '\n') {
			st->bare_lf++;
			longest = line > longest ? line : longest;
			line = 0;
		} else {
			count_octet(st, c);
			line++;
		}
	}
	st->line = line;
	st->longest = longest;
	st->cr = cr;
}

void mime_text_stats_end(struct mime_text_stats *st)
{
	if (st->cr) {
		st->cr = 0;
		st->bare_cr++;
		st->qp_escapes++;
		st->line++;
	}
	if (st->line > st->longest)
		st->longest = st->line;
	st->line = 0;
}

void mime_text_stats(const char *data, size_t len, struct mime_text_stats *st)
{
	mime_text_stats_init(st);
	mime_text_stats_feed(st, data, len);
	mime_text_stats_end(st);
}

/* CR and LF only as line breaks: all CRLF, or (when the data will be put in
 * canonical form) all bare LF. */
static int eol_ok(const struct mime_text_stats *st, unsigned flags)
{
	if (st->bare_cr)
		return 0;
	if (!st->bare_lf)
		return 1;
	return !(flags & MIME_CHOOSE_CRLF) && st->crlf == 0;
}

enum mime_cte mime_choose_cte_stats(const struct mime_text_stats *st, unsigned flags)
{
	int lines_ok = st->nul == 0 && st->longest <= MAX_LINE && eol_ok(st, flags);
	if (lines_ok && st->high == 0)
		return MIME_CTE_7BIT;
	if (lines_ok && (flags & MIME_CHOOSE_8BIT))
		return MIME_CTE_8BIT;
	size_t esc = st->qp_escapes;
	if (flags & MIME_CHOOSE_CRLF)
		esc += st->bare_lf;  /* not a line break: written =0A */
	if (st->nul == 0 && esc * 6 < st->len)
		return MIME_CTE_QUOTED_PRINTABLE;
	return MIME_CTE_BASE64;
}

enum mime_cte mime_choose_cte(const char *data, size_t len, unsigned flags)
{
	struct mime_text_stats st;
	mime_text_stats(data, len, &st);
	return mime_choose_cte_stats(&st, flags);
}

int mime_guess_text(const char *data, size_t len)
{
	size_t odd = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c == 0)
			return 0;
		if ((c < 0x20 && !strchr("\t\r\n\f\033", c)) || c == 0x7f)
			odd++;
	}
	return odd * 100 <= len;
}

const char *mime_cte_name(enum mime_cte cte)
{
	switch (cte) {
	case MIME_CTE_7BIT: return "7bit";
	case MIME_CTE_8BIT: return "8bit";
	case MIME_CTE_BINARY: return "binary";
	case MIME_CTE_QUOTED_PRINTABLE: return "quoted-printable";
	case MIME_CTE_BASE64: return "base64";
	default: return NULL;
	}
}
