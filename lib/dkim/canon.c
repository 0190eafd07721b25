/* RFC 6376 3.4: simple and relaxed canonicalisation of header fields and
 * of the body, the body as it streams. */
#include "dkim-int.h"

#include <stddef.h>
#include <string.h>

const EVP_MD *dkim_md(enum dkim_alg a)
{
	return a == DKIM_RSA_SHA1 ? EVP_sha1() : EVP_sha256();
}

uint64_t dkim_name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)mime_ascii_lower((unsigned char)s[i])) * 0x100000001b3ull;
	return h;
}

static int is_wsp(int c) { return c == ' ' || c == '\t'; }

/* Where a relaxed body run stops: white space or a CR. */
static int is_body_stop(unsigned char c) { return c <= ' ' && (c == ' ' || c == '\t' || c == '\r'); }

/* The bytes relaxed canonicalisation looks at: white space and line breaks. */
static int is_fold_byte(unsigned char c) { return c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n'); }

/* The field's bytes before its final line break. */
static size_t field_end(const char *raw, size_t n)
{
	if (n && raw[n - 1] == '\n')
		n -= n > 1 && raw[n - 2] == '\r' ? 2 : 1;
	return n;
}

/* RFC 6376 3.4.1 simple: the field as it is; 3.4.2 relaxed: the name
 * lowercased, the value unfolded, each run of white space one SP, none at
 * either end of the value, no white space around the colon. */
int dkim_hash_field(EVP_MD_CTX *md, enum dkim_canon c, const char *raw, size_t raw_len,
		    size_t name_len, size_t value_at, size_t cut_from, size_t cut_to, int crlf)
{
	size_t end = field_end(raw, raw_len);
	if (cut_from > end)
		cut_from = cut_to = end;
	if (cut_to > end)
		cut_to = end;
	if (c == DKIM_SIMPLE) {
		size_t stop = crlf ? raw_len : end;
		return !EVP_DigestUpdate(md, raw, cut_from) ||
		       !EVP_DigestUpdate(md, raw + cut_to, stop - cut_to) ||
		       (crlf && raw_len == end && !EVP_DigestUpdate(md, "\r\n", 2));
	}
	unsigned char buf[1024];
	size_t o = 0;
	int sp = 0, any = 0;
	for (size_t i = 0; i < name_len; i++) {
		buf[o++] = (unsigned char)mime_ascii_lower((unsigned char)raw[i]);
		if (o == sizeof buf) {
			if (!EVP_DigestUpdate(md, buf, o))
				return -1;
			o = 0;
		}
	}
	buf[o++] = ':';
	for (size_t i = value_at; i < end;) {
		if (i == cut_from && cut_to > cut_from) {
			i = cut_to;
			continue;
		}
		unsigned char b = (unsigned char)raw[i];
		if (b == '\r' || b == '\n') {
			i++;
			continue;
		}
		if (is_wsp(b)) {
			sp = any;
			i++;
			continue;
		}
		/* a run of other bytes, to the next white space, line break or cut */
		size_t stop = cut_from > i && cut_from < end ? cut_from : end, k = i + 1;
		while (k < stop && !is_fold_byte((unsigned char)raw[k]))
			k++;
		if (o + 1 + (k - i) > sizeof buf) {
			if (!EVP_DigestUpdate(md, buf, o))
				return -1;
			o = 0;
		}
		if (sp)
			buf[o++] = ' ';
		if (k - i >= sizeof buf) {
			if ((o && !EVP_DigestUpdate(md, buf, o)) || !EVP_DigestUpdate(md, raw + i, k - i))
				return -1;
			o = 0;
		} else {
			memcpy(buf + o, raw + i, k - i);
			o += k - i;
		}
		sp = 0;
		any = 1;
		i = k;
	}
	if (crlf && o + 2 > sizeof buf) {
		if (!EVP_DigestUpdate(md, buf, o))
			return -1;
		o = 0;
	}
	if (crlf) {
		buf[o++] = '\r';
		buf[o++] = '\n';
	}
	return EVP_DigestUpdate(md, buf, o) ? 0 : -1;
}

/* ---- the body ------------------------------------------------------------------ */

int dkim_body_restart(struct dkim_body *b, enum dkim_canon c, const EVP_MD *md, int has_limit,
		      uint64_t limit)
{
	EVP_MD_CTX *keep = b->md;
	/* all but the buffer, which is written before it is read */
	memset(b, 0, offsetof(struct dkim_body, out));
	b->canon = c;
	b->md_type = md;
	b->has_limit = has_limit;
	b->limit = limit;
	b->md = keep ? keep : EVP_MD_CTX_new();
	return b->md && EVP_DigestInit_ex(b->md, md, NULL) ? 0 : -1;
}

int dkim_body_init(struct dkim_body *b, enum dkim_canon c, const EVP_MD *md, int has_limit,
		   uint64_t limit)
{
	b->md = NULL;
	return dkim_body_restart(b, c, md, has_limit, limit);
}

void dkim_body_free(struct dkim_body *b)
{
	EVP_MD_CTX_free(b->md);
	b->md = NULL;
}

static int hash(struct dkim_body *b, const char *s, size_t n);

static int flush(struct dkim_body *b)
{
	size_t n = b->nout;
	b->nout = 0;
	return hash(b, (const char *)b->out, n);
}

/* n octets hashed as they are, l= honoured. */
static int hash(struct dkim_body *b, const char *s, size_t n)
{
	if (b->has_limit && b->hashed + n > b->limit)
		n = b->hashed < b->limit ? (size_t)(b->limit - b->hashed) : 0;
	b->hashed += n;
	return n && !EVP_DigestUpdate(b->md, s, n) ? -1 : 0;
}

static int put(struct dkim_body *b, const char *s, size_t n)
{
	if (n >= 1024) {  /* a long run: no copy */
		b->length += n;
		return flush(b) || hash(b, s, n) ? -1 : 0;
	}
	b->length += n;
	while (n) {
		size_t k = sizeof b->out - b->nout < n ? sizeof b->out - b->nout : n;
		memcpy(b->out + b->nout, s, k);
		b->nout += k;
		s += k;
		n -= k;
		if (b->nout == sizeof b->out && flush(b))
			return -1;
	}
	return 0;
}

/* Content comes: the empty lines held back were not trailing after all;
 * relaxed: the white space held becomes one SP. */
static int content(struct dkim_body *b)
{
	for (; b->empty_lines; b->empty_lines--)
		if (put(b, "\r\n", 2))
			return -1;
	if (b->wsp) {
		b->wsp = 0;
		if (put(b, " ", 1))
			return -1;
	}
	b->any = 1;
	return 0;
}

/* A line ends (CRLF): held back, with the white space before it dropped. */
static void line_end(struct dkim_body *b)
{
	b->wsp = 0;
	b->empty_lines++;
}

int dkim_body_feed(struct dkim_body *b, const char *s, size_t n)
{
	size_t i = 0;
	if (b->cr && n) {  /* a CR at the end of the last chunk */
		b->cr = 0;
		if (s[0] == '\n') {
			line_end(b);
			i = 1;
		} else if (content(b) || put(b, "\r", 1)) {
			return -1;
		}
	}
	while (i < n) {
		/* a run of ordinary bytes */
		size_t k = i;
		if (b->canon == DKIM_SIMPLE) {
			const char *cr = memchr(s + i, '\r', n - i);
			k = cr ? (size_t)(cr - s) : n;
		} else {
			/* relaxed: to the next CR or run of white space that is not a
			 * single SP between two other bytes (kept as it is) */
			while (k < n) {
				unsigned char c = (unsigned char)s[k];
				if (!is_body_stop(c))
					k++;
				else if (c == ' ' && k > i && k + 1 < n && !is_body_stop((unsigned char)s[k + 1]))
					k += 2;
				else
					break;
			}
		}
		if (k > i) {
			if (content(b) || put(b, s + i, k - i))
				return -1;
			i = k;
			continue;
		}
		if (is_wsp(s[i])) {  /* relaxed: a run is one SP, unless the line ends */
			b->wsp = 1;
			i++;
			continue;
		}
		/* a CR */
		if (i + 1 == n) {
			b->cr = 1;
			return 0;
		}
		if (s[i + 1] == '\n') {
			line_end(b);
			i += 2;
		} else {
			if (content(b) || put(b, "\r", 1))
				return -1;
			i++;
		}
	}
	return 0;
}

/* RFC 6376 3.4.3: simple: the trailing empty lines go, one CRLF ends the
 * body, an empty body is CRLF; 3.4.4 (and erratum 1384): relaxed: the
 * same, but an empty body stays empty. */
int dkim_body_end(struct dkim_body *b, unsigned char *digest, unsigned *len)
{
	if (b->cr) {
		b->cr = 0;
		if (content(b) || put(b, "\r", 1))
			return -1;
	}
	if ((b->any || b->canon == DKIM_SIMPLE) && put(b, "\r\n", 2))
		return -1;
	return flush(b) || !EVP_DigestFinal_ex(b->md, digest, len) ? -1 : 0;
}
