/* Reading a message for DKIM, the same way for the signer and the
 * verifier: its line-ending form decided by its first line (bare LF: read
 * as CRLF, RFC 5322 2.1), the header through lib/mime's header reader with
 * every field kept raw (h= picks fields from anywhere in it, from the
 * bottom), the body handed on as it streams. */
#include "dkim-int.h"

#include <stdlib.h>
#include <string.h>

enum { MODE_UNKNOWN, MODE_CRLF, MODE_LF, FIRST_LINE_MAX = 65536 };

int dkim_input_init(struct dkim_input *in, const struct mime_hdr_limits *lim)
{
	memset(in, 0, sizeof *in);
	in->lim = *lim;
	in->r = mime_hdr_reader_new(lim);
	in->in_header = 1;
	return in->r ? 0 : -1;
}

void dkim_input_reset(struct dkim_input *in)
{
	mime_hdr_reader_reset(in->r, &in->lim);
	mime_buf_reset(&in->pre);
	mime_buf_reset(&in->conv);
	mime_buf_reset(&in->header);
	in->nhf = 0;
	in->mode = MODE_UNKNOWN;
	in->in_header = 1;
	in->ended = in->structural = 0;
	in->error = NULL;
	in->error_code = MIME_C_NONE;
	in->error_line = in->structural_line = 0;
	in->body_length = 0;
}

void dkim_input_free(struct dkim_input *in)
{
	mime_hdr_reader_free(in->r);
	mime_buf_free(&in->pre);
	mime_buf_free(&in->conv);
	mime_buf_free(&in->header);
	free(in->hf);
	memset(in, 0, sizeof *in);
}

void dkim_input_fail(struct dkim_input *in, enum mime_code code, const char *what, unsigned long line)
{
	if (in->error)
		return;
	in->error = what;
	in->error_code = code;
	in->error_line = line;
}

static void nomem(struct dkim_input *in)
{
	dkim_input_fail(in, MIME_E_NOMEM, "out of memory", 0);
}

static void keep_field(struct dkim_input *in, const struct mime_field *f)
{
	if (in->nhf == in->cap_hf) {
		size_t c = in->cap_hf ? 2 * in->cap_hf : 32;
		struct dkim_hfield *v = realloc(in->hf, c * sizeof *v);
		if (!v)
			return nomem(in);
		in->hf = v;
		in->cap_hf = c;
	}
	if (mime_buf_append(&in->header, f->raw, f->raw_len))
		return nomem(in);
	in->hf[in->nhf++] = (struct dkim_hfield){
		.at = in->header.len - f->raw_len, .len = f->raw_len, .name_len = f->name_len,
		.value_at = (size_t)(f->value - f->raw), .hash = dkim_name_hash(f->name, f->name_len),
		.offset = f->offset, .line = f->line,
	};
	if (in->on_field)
		in->on_field(in->ctx, f);
}

static void body(struct dkim_input *in, const char *s, size_t n)
{
	in->body_length += n;
	if (n && in->on_body)
		in->on_body(in->ctx, s, n);
}

/* Bytes in CRLF form (n == 0: the end). */
static void process(struct dkim_input *in, const char *s, size_t n)
{
	if (!in->in_header)
		return body(in, s, n);
	mime_hdr_reader_feed(in->r, s, n);
	struct mime_field f;
	for (;;) {
		switch (mime_hdr_reader_next(in->r, &f)) {
		case MIME_HDR_AWAIT:
			return;
		case MIME_HDR_FIELD:
			if (f.name_len)
				keep_field(in, &f);
			break;
		case MIME_HDR_DEFECT:
			if (mime_code_is_structural(f.code) && !in->structural) {
				in->structural = 1;
				in->structural_line = f.line;
				in->structural_msg = f.message;
				in->structural_code = f.code;
			}
			break;
		case MIME_HDR_ERROR:
			in->in_header = 0;
			return dkim_input_fail(in, f.code, f.message, f.line);
		case MIME_HDR_END: {
			in->in_header = 0;
			if (in->on_header_end)
				in->on_header_end(in->ctx);
			const char *held;
			size_t unread, h = mime_hdr_reader_body(in->r, &held, &unread);
			body(in, held, h);
			if (n > unread)
				body(in, s + unread, n - unread);
			return;
		}
		}
	}
}

/* Through the LF-to-CRLF converter when the message keeps bare LFs. */
static void convert(struct dkim_input *in, const char *s, size_t n)
{
	if (in->mode == MODE_CRLF)
		return process(in, s, n);
	mime_buf_reset(&in->conv);
	if (mime_eol_append(&in->eol, n ? s : NULL, n, &in->conv))
		return nomem(in);
	if (in->conv.len)
		process(in, in->conv.data, in->conv.len);
}

void dkim_input_feed(struct dkim_input *in, const char *buf, size_t len)
{
	if (in->ended)
		return;
	if (in->error) {
		in->ended = len == 0;
		return;
	}
	if (in->mode == MODE_UNKNOWN) {
		const char *lf = len ? memchr(buf, '\n', len) : NULL;
		if (!lf && len && in->pre.len + len < FIRST_LINE_MAX) {
			if (mime_buf_append(&in->pre, buf, len))
				nomem(in);
			return;
		}
		int cr = lf ? (lf > buf ? lf[-1] == '\r' : in->pre.len && in->pre.data[in->pre.len - 1] == '\r')
			    : 1;
		in->mode = cr ? MODE_CRLF : MODE_LF;
		mime_eol_init(&in->eol, MIME_EOL_CRLF, 0);
		if (in->pre.len)
			convert(in, in->pre.data, in->pre.len);
	}
	if (len)
		convert(in, buf, len);
	if (len == 0) {
		if (in->mode == MODE_LF)
			convert(in, NULL, 0);  /* a CR the converter held */
		if (in->in_header)
			process(in, NULL, 0);
		in->ended = 1;
	}
}

/* RFC 6376 5.4.2: each name of h= takes the last instance not taken yet,
 * from the bottom; a name with none left adds nothing. */
int dkim_input_hash_fields(const struct dkim_input *in, EVP_MD_CTX *md, enum dkim_canon c,
			   char *const *names, size_t nnames)
{
	unsigned char *used = calloc(in->nhf ? in->nhf : 1, 1);
	if (!used)
		return -1;
	const char *hb = in->header.data;
	for (size_t k = 0; k < nnames; k++) {
		size_t nl = strlen(names[k]);
		uint64_t h = dkim_name_hash(names[k], nl);
		for (size_t j = in->nhf; j-- > 0;) {
			const struct dkim_hfield *f = &in->hf[j];
			if (used[j] || f->hash != h || !mime_ascii_caseeq(hb + f->at, f->name_len, names[k], nl))
				continue;
			used[j] = 1;
			if (dkim_hash_field(md, c, hb + f->at, f->len, f->name_len, f->value_at, 0, 0, 1)) {
				free(used);
				return -1;
			}
			break;
		}
	}
	free(used);
	return 0;
}
