/* ember lib/smtp: RFC 5321 4.1.2 paths, strictly: what does not match the
 * grammar is refused (fails closed; cf. OpenSMTPD CVE-2020-7247), nothing
 * is expanded or evaluated. RFC 6531 3.3 adds UTF-8 to atext and to
 * sub-domains when SMTPUTF8 was given. */
#include <string.h>

#include "smtp-int.h"

static int is_atext(int c)
{
	return a_alpha(c) || a_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int is_letdig(int c)
{
	return a_alpha(c) || a_digit(c);
}

/* Length of a UTF-8 sequence at s (valid), or 0. */
static size_t u8len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (k == 0 || k > n || !utf8_valid(s, k))
		return 0;
	return k;
}

/* Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]. */
static size_t domain_len(const char *s, size_t n, int utf8)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		int last_hyphen = 0;
		while (i < n) {
			unsigned char c = (unsigned char)s[i];
			size_t k;
			if (is_letdig(c)) {
				i++;
				last_hyphen = 0;
			} else if (c == '-' && i > start) {
				i++;
				last_hyphen = 1;
			} else if (c >= 0x80 && utf8 && (k = u8len(s + i, n - i))) {
				i += k;
				last_hyphen = 0;
			} else {
				break;
			}
		}
		if (i == start || last_hyphen || i - start > 63)
			return 0;
		if (i < n && s[i] == '.' && i + 1 < n) {
			i++;
			continue;
		}
		return i;
	}
}

/* address-literal = "[" ( IPv4 / "IPv6:" IPv6 / tag ":" dcontent ) "]",
 * checked for shape: dcontent %d33-90 / %d94-126. */
static size_t literal_len(const char *s, size_t n)
{
	size_t i = 1;
	if (n < 3 || s[0] != '[')
		return 0;
	while (i < n && s[i] != ']') {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126 || c == '[' || c == '\\')
			return 0;
		i++;
	}
	if (i >= n || i == 1)
		return 0;
	const char *in = s + 1;
	size_t m = i - 1;
	if (a_prefix(in, m, "IPv6:")) {
		for (size_t j = 5; j < m; j++)
			if (!(a_digit(in[j]) || strchr("abcdefABCDEF:.", in[j])))
				return 0;
		if (m == 5)
			return 0;
	} else if (a_digit(in[0])) {
		int dots = 0, digits = 0;
		unsigned v = 0;
		for (size_t j = 0; j < m; j++) {
			if (in[j] == '.') {
				if (!digits)
					return 0;
				dots++, digits = 0, v = 0;
			} else if (a_digit(in[j])) {
				v = v * 10 + (unsigned)(in[j] - '0');
				if (++digits > 3 || v > 255)
					return 0;
			} else {
				return 0;
			}
		}
		if (dots != 3 || !digits)
			return 0;
	} else {
		size_t j = 0;
		while (j < m && (is_letdig(in[j]) || in[j] == '-'))
			j++;
		if (j == 0 || j >= m || in[j] != ':' || j + 1 == m)
			return 0;
	}
	return i + 1;
}

/* Local-part = Dot-string / Quoted-string */
static size_t local_len(const char *s, size_t n, int utf8)
{
	size_t i = 0;
	if (n && s[0] == '"') {
		i = 1;
		while (i < n && s[i] != '"') {
			unsigned char c = (unsigned char)s[i];
			size_t k;
			if (c == '\\') {
				if (i + 1 >= n || (unsigned char)s[i + 1] < 32 || (unsigned char)s[i + 1] > 126)
					return 0;
				i += 2;
			} else if (c >= 32 && c <= 126) {
				i++;
			} else if (c >= 0x80 && utf8 && (k = u8len(s + i, n - i))) {
				i += k;
			} else {
				return 0;
			}
		}
		return i < n ? i + 1 : 0;
	}
	for (;;) {
		size_t start = i;
		while (i < n) {
			unsigned char c = (unsigned char)s[i];
			size_t k;
			if (is_atext(c))
				i++;
			else if (c >= 0x80 && utf8 && (k = u8len(s + i, n - i)))
				i += k;
			else
				break;
		}
		if (i == start)
			return 0;
		if (i + 1 < n && s[i] == '.') {
			i++;
			continue;
		}
		return i;
	}
}

int smtp_path_parse(const char *s, size_t n, int null_ok, int utf8, char *out, size_t outlen,
		    const char **why)
{
	*why = "syntax error in the path";
	if (outlen == 0)
		return -1;
	out[0] = 0;
	if (n < 2 || s[0] != '<' || s[n - 1] != '>') {
		*why = "the path is not in angle brackets";
		return -1;
	}
	s++, n -= 2;
	if (n == 0) {
		if (!null_ok) {
			*why = "the null path is not allowed here";
			return -1;
		}
		return 0;
	}
	if (n > 254) {  /* 256 with the brackets (RFC 5321 4.5.3.1.3) */
		*why = "the path is too long";
		return -1;
	}
	size_t i = 0;
	/* A-d-l ":" : source routes are read and ignored (RFC 5321 C, F.2) */
	if (s[0] == '@') {
		for (;;) {
			if (i >= n || s[i] != '@')
				return -1;
			i++;
			size_t d = domain_len(s + i, n - i, utf8);
			if (!d)
				return -1;
			i += d;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			if (i < n && s[i] == ':') {
				i++;
				break;
			}
			return -1;
		}
	}
	size_t start = i;
	size_t l = local_len(s + i, n - i, utf8);
	if (!l) {
		*why = "syntax error in the local part";
		return -1;
	}
	if (l > 64) {
		*why = "the local part is too long";
		return -1;
	}
	i += l;
	if (i >= n || s[i] != '@') {
		*why = "the address has no domain";
		return -1;
	}
	i++;
	size_t d = (i < n && s[i] == '[') ? literal_len(s + i, n - i) : domain_len(s + i, n - i, utf8);
	if (!d || i + d != n) {
		*why = "syntax error in the domain";
		return -1;
	}
	if (d > 255) {
		*why = "the domain is too long";
		return -1;
	}
	if (n - start + 1 > outlen) {
		*why = "the path is too long";
		return -1;
	}
	memcpy(out, s + start, n - start);
	out[n - start] = 0;
	return 0;
}
