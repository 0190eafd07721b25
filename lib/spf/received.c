/* The Received-SPF field, RFC 7208 9.1:
 *   Received-SPF: pass (receiver: comment) client-ip=...; envelope-from=...;
 *    helo=...; receiver=...; identity=mailfrom; mechanism=...
 * folded at 78 columns between its parts. */
#include <stddef.h>
#include <stdio.h>

#include "spf-int.h"

struct out {
	char *buf;
	size_t cap, len, col;
	int over;
};

static void raw(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
	for (size_t i = 0; i < n; i++)
		o->col = s[i] == '\n' ? 0 : o->col + 1;
}

/* A part, after a space or a fold. */
static void part(struct out *o, const char *s, size_t n)
{
	if (o->col + 1 + n > 78 && o->col > 1)
		raw(o, "\r\n", 2);
	raw(o, " ", 1);
	raw(o, s, n);
}

/* key=value; the value as a dot-atom when it is one, else quoted */
static void pair(struct out *o, const char *key, const char *value, int last)
{
	char buf[700];
	size_t n = 0;
	int atom = *value != 0;
	for (const char *c = value; *c; c++) {
		unsigned char ch = (unsigned char)*c;
		if (!(spf_alnum(ch) || strchr("!#$%&'*+-/=?^_`{|}~.:", ch)))
			atom = 0;
	}
	n = (size_t)snprintf(buf, sizeof buf, "%s=", key);
	if (atom) {
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%.600s", value);
	} else {
		buf[n++] = '"';
		for (const char *c = value; *c && n < sizeof buf - 4; c++) {
			if (*c == '"' || *c == '\\')
				buf[n++] = '\\';
			buf[n++] = (unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e ? '?' : *c;
		}
		buf[n++] = '"';
	}
	if (!last)
		buf[n++] = ';';
	part(o, buf, n);
}

size_t spf_received_field(const struct spf_outcome *o, const struct spf_request *req,
			  const char *receiver, char *outbuf, size_t outlen)
{
	struct out w = { outbuf, outlen, 0, 0, 0 };
	if (outlen)
		outbuf[0] = 0;
	char ip[64] = "";
	uint8_t addr[16] = { 0 };
	int fam = req->family == 6 ? 6 : 4;
	memcpy(addr, req->ip, fam == 6 ? 16 : 4);
	spf_ip_text(fam, addr, ip, sizeof ip);
	const char *rcv = receiver && *receiver ? receiver : "unknown";
	raw(&w, "Received-SPF: ", 14);
	raw(&w, spf_result_name(o->result), strlen(spf_result_name(o->result)));
	char comment[700];
	const char *who = o->identity == SPF_HELO ? "helo" : "domain of";
	const char *id = o->identity == SPF_HELO ? (req->helo ? req->helo : "") : req->sender;
	switch (o->result) {
	case SPF_PASS:
		snprintf(comment, sizeof comment, "(%s: %s %s designates %s as permitted sender)", rcv,
			 who, id, ip);
		break;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
		snprintf(comment, sizeof comment, "(%s: %s %s does not designate %s as permitted sender)",
			 rcv, who, id, ip);
		break;
	case SPF_NEUTRAL:
		snprintf(comment, sizeof comment, "(%s: %s is neither permitted nor denied by %s %s)", rcv,
			 ip, who, id);
		break;
	case SPF_NONE:
		snprintf(comment, sizeof comment, "(%s: %s %s does not publish SPF)", rcv, who, id);
		break;
	default:
		snprintf(comment, sizeof comment, "(%s: error in processing during lookup of %s)", rcv,
			 o->domain ? o->domain : "");
		break;
	}
	/* a comment holds no unbalanced parentheses or backslashes */
	for (char *c = comment + 1; c[1]; c++)
		if (*c == '(' || *c == ')' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	/* the comment's words, so that it folds too */
	for (char *c = comment; *c;) {
		char *sp = strchr(c, ' ');
		size_t n = sp ? (size_t)(sp - c) : strlen(c);
		part(&w, c, n);
		c += n;
		while (*c == ' ')
			c++;
	}
	pair(&w, "client-ip", ip, 0);
	if (req->sender && *req->sender)
		pair(&w, "envelope-from", req->sender, 0);
	if (req->helo && *req->helo)
		pair(&w, "helo", req->helo, 0);
	if (o->problem != SPF_OK && o->problem_text)
		pair(&w, "problem", o->problem_text, 0);
	pair(&w, "receiver", rcv, 0);
	if (o->mechanism && o->result != SPF_NONE)
		pair(&w, "mechanism", o->mechanism, 0);
	pair(&w, "identity", o->identity == SPF_HELO ? "helo" : "mailfrom", 1);
	raw(&w, "\r\n", 2);
	return w.over ? 0 : w.len;
}

/* ---- reading one back ---------------------------------------------------- */

static size_t skip_cfws(const char *s, size_t n, size_t i)
{
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i >= n || s[i] != '(')
			return i;
		int depth = 0;
		for (; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n) {
				i++;
				continue;
			}
			if (s[i] == '(')
				depth++;
			else if (s[i] == ')' && --depth == 0) {
				i++;
				break;
			}
		}
		if (depth > 0)
			return n + 1;   /* an open comment */
	}
}

static void store(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

int spf_received_parse(const char *s, size_t n, struct spf_received_info *out)
{
	memset(out, 0, sizeof *out);
	size_t i = skip_cfws(s, n, 0);
	if (i > n)
		return -1;
	size_t w = i;
	while (i < n && spf_alpha((unsigned char)s[i]))
		i++;
	int r = spf_result_parse(s + w, i - w);
	if (r < 0)
		return -1;
	out->result = (enum spf_result)r;
	for (;;) {
		i = skip_cfws(s, n, i);
		if (i > n)
			return -1;
		if (i == n)
			return 0;
		size_t k = i;
		while (i < n && (spf_alnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			i++;
		size_t klen = i - k;
		i = skip_cfws(s, n, i);
		if (klen == 0 || i >= n || s[i] != '=')
			return -1;
		i = skip_cfws(s, n, i + 1);
		if (i > n)
			return -1;
		char val[512];
		size_t vl = 0;
		if (i < n && s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				if (s[i] == '\r' || s[i] == '\n')
					continue;
				if (vl < sizeof val - 1)
					val[vl++] = s[i];
			}
			if (i >= n)
				return -1;
			i++;
		} else {
			while (i < n && s[i] != ';' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
			       s[i] != '\n' && s[i] != '(') {
				if (vl < sizeof val - 1)
					val[vl++] = s[i];
				i++;
			}
		}
		static const struct { const char *key; size_t off, cap; } keys[] = {
			{ "client-ip", offsetof(struct spf_received_info, client_ip), 64 },
			{ "envelope-from", offsetof(struct spf_received_info, envelope_from), 512 },
			{ "helo", offsetof(struct spf_received_info, helo), 256 },
			{ "identity", offsetof(struct spf_received_info, identity), 32 },
			{ "receiver", offsetof(struct spf_received_info, receiver), 256 },
			{ "mechanism", offsetof(struct spf_received_info, mechanism), 256 },
		};
		for (size_t q = 0; q < sizeof keys / sizeof *keys; q++)
			if (spf_ieq(s + k, klen, keys[q].key))
				store((char *)out + keys[q].off, keys[q].cap, val, vl);
		i = skip_cfws(s, n, i);
		if (i > n)
			return -1;
		if (i < n) {
			if (s[i] != ';')
				return -1;
			i++;
		}
	}
}
