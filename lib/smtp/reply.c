/* ember lib/smtp: the client's reply reader (RFC 5321 4.2), bounded where
 * OpenSMTPD's was not (CVE-2020-8794: a multi-line reply read out of
 * bounds): a line is at most SMTP_REPLY_MAX_LINE octets, a reply at most
 * SMTP_REPLY_MAX_LINES lines, every line starts with the same 3 digits,
 * then '-' (more follow), ' ' or the end of the line (the last). A bare LF
 * ends a line too (what servers send is not ours to repair, and no
 * boundary depends on it). */
#include <stdlib.h>
#include <string.h>

#include "smtp-int.h"

void reply_reader_free(struct reply_reader *rr)
{
	sbuf_free(&rr->text);
	memset(rr, 0, sizeof *rr);
}

/* "x.y.z " at the start of text, class matching the code. */
static void take_enhanced(struct smtp_reply *r, const char *t, size_t n)
{
	size_t i = 0, parts = 0;
	r->enhanced[0] = 0;
	if (n < 5 || t[0] != (char)('0' + r->code / 100))
		return;
	for (;;) {
		size_t d = 0;
		while (i < n && a_digit(t[i]) && d < 4)
			i++, d++;
		if (d == 0 || d > 3 || (parts == 0 && d != 1))
			return;
		parts++;
		if (parts == 3)
			break;
		if (i >= n || t[i] != '.')
			return;
		i++;
	}
	if (i < n && t[i] != ' ')
		return;
	memcpy(r->enhanced, t, i);
	r->enhanced[i] = 0;
}

/* One complete line (CR LF stripped): 1 the reply is complete, 0 more
 * lines follow, -1 bad. */
static int take_line(struct reply_reader *rr, const char *l, size_t n)
{
	if (n < 3 || !a_digit(l[0]) || !a_digit(l[1]) || !a_digit(l[2]) || l[0] < '2' || l[0] > '5')
		return -1;
	int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	int last;
	if (n == 3 || l[3] == ' ')
		last = 1;
	else if (l[3] == '-')
		last = 0;
	else
		return -1;
	if (rr->r.nlines == 0) {
		rr->r.code = code;
		rr->text.len = rr->text.off = 0;
	} else if (code != rr->r.code) {
		return -1;
	}
	if (++rr->r.nlines > SMTP_REPLY_MAX_LINES)
		return -1;
	const char *t = n > 4 ? l + 4 : "";
	size_t tn = n > 4 ? n - 4 : 0;
	if (rr->r.nlines > 1 && sbuf_append(&rr->text, "\n", 1))
		return -2;
	if (sbuf_append(&rr->text, t, tn))
		return -2;
	if (rr->r.nlines == 1)
		take_enhanced(&rr->r, t, tn);
	if (!last)
		return 0;
	if (sbuf_append(&rr->text, "", 1))
		return -2;
	rr->text.len--;
	rr->r.text = rr->text.data;
	rr->r.text_len = rr->text.len;
	return 1;
}

int reply_read(struct reply_reader *rr, const char *in, size_t n, size_t *used)
{
	size_t i = 0;
	if (rr->have) {  /* the last reply was taken: start a new one */
		rr->have = 0;
		rr->r.nlines = 0;
	}
	while (i < n) {
		char c = in[i++];
		if (c == '\n') {
			size_t len = rr->line_len;
			if (len && rr->line[len - 1] == '\r')
				len--;
			rr->line_len = 0;
			if (rr->overlong)
				goto bad;
			int k = take_line(rr, rr->line, len);
			if (k == -2) {
				*used = i;
				return -2;
			}
			if (k < 0)
				goto bad;
			if (k == 1) {
				rr->have = 1;
				*used = i;
				return 1;
			}
			continue;
		}
		if (rr->line_len + 2 > SMTP_REPLY_MAX_LINE) {  /* room for CR LF */
			rr->overlong = 1;
			continue;
		}
		rr->line[rr->line_len++] = c;
	}
	*used = i;
	return 0;
bad:
	rr->bad = 1;
	*used = i;
	return -1;
}
