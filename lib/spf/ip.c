/* Addresses: parsing, CIDR matching, the text forms the macros need. */
#include <stdio.h>

#include "spf-int.h"

/* RFC 7208 4.6.1 ip4-network: qnum "." qnum "." qnum "." qnum, no leading
 * zeros (qnum is 0..255 written without them). */
int spf_parse_ip4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < n && spf_digit((unsigned char)s[i]) && i - start < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		size_t len = i - start;
		if (len == 0 || len > 3 || v > 255 || (len > 1 && s[start] == '0'))
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

static int hexval(int c)
{
	if (spf_digit(c))
		return c - '0';
	c = spf_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 4291 2.2: eight groups of 1..4 hex digits, one "::" for a run of
 * zero groups, the last 32 bits optionally as dotted IPv4. */
int spf_parse_ip6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t g[8];
	int ng = 0, gap = -1;
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
		if (i == n)
			goto done;
	} else if (n && s[0] == ':') {
		return -1;
	}
	for (;;) {
		size_t start = i;
		unsigned v = 0;
		while (i < n && hexval((unsigned char)s[i]) >= 0 && i - start < 5)
			v = v * 16 + (unsigned)hexval((unsigned char)s[i++]);
		size_t len = i - start;
		if (i < n && s[i] == '.') {
			/* dotted IPv4 in the last 32 bits */
			uint8_t v4[4];
			if (ng > 6 || spf_parse_ip4(s + start, n - start, v4) < 0)
				return -1;
			g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = n;
			break;
		}
		if (len == 0 || len > 4 || ng == 8)
			return -1;
		g[ng++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = ng;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return -1;
		}
	}
done:
	if (gap < 0 ? ng != 8 : ng > 7)
		return -1;
	int zeros = 8 - ng;
	int k = 0;
	for (int j = 0; j < ng; j++) {
		if (j == gap)
			for (int z = 0; z < zeros; z++, k++)
				out[2 * k] = out[2 * k + 1] = 0;
		out[2 * k] = (uint8_t)(g[j] >> 8);
		out[2 * k + 1] = (uint8_t)g[j];
		k++;
	}
	if (gap == ng)
		for (int z = 0; z < zeros; z++, k++)
			out[2 * k] = out[2 * k + 1] = 0;
	return 0;
}

int spf_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, full) != 0)
		return 0;
	if (!rest)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* RFC 5952 4: lowercase, leading zeros dropped, the longest run of two or
 * more zero groups (the first of equal runs) as "::". */
size_t spf_ip_text(int family, const uint8_t *ip, char *out, size_t outlen)
{
	int w;
	if (family == 4) {
		w = snprintf(out, outlen, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
		return w < 0 || (size_t)w >= outlen ? 0 : (size_t)w;
	}
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	size_t len = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			w = snprintf(out + len, outlen - len, "::");
			i += bestlen - 1;
		} else {
			int sep = i > 0 && i != best + bestlen;
			w = snprintf(out + len, outlen - len, "%s%x", sep ? ":" : "", g[i]);
		}
		if (w < 0 || (size_t)w >= outlen - len)
			return 0;
		len += (size_t)w;
	}
	return len;
}

/* RFC 7208 7.3: "i" of an IPv6 address is its 32 nibbles, dot-separated. */
size_t spf_ip_nibbles(const uint8_t ip[16], char *out, size_t outlen)
{
	static const char hx[] = "0123456789abcdef";
	if (outlen < 64)
		return 0;
	size_t k = 0;
	for (int i = 0; i < 16; i++) {
		out[k++] = hx[ip[i] >> 4];
		out[k++] = '.';
		out[k++] = hx[ip[i] & 15];
		out[k++] = '.';
	}
	out[--k] = 0;
	return k;
}

size_t spf_reverse_name(int family, const uint8_t *ip, char *out, size_t outlen)
{
	int w;
	if (family == 4) {
		w = snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1], ip[0]);
		return w < 0 || (size_t)w >= outlen ? 0 : (size_t)w;
	}
	static const char hx[] = "0123456789abcdef";
	if (outlen < 64 + 9)
		return 0;
	size_t k = 0;
	for (int i = 15; i >= 0; i--) {
		out[k++] = hx[ip[i] & 15];
		out[k++] = '.';
		out[k++] = hx[ip[i] >> 4];
		out[k++] = '.';
	}
	memcpy(out + k, "ip6.arpa", 9);
	return k + 8;
}

int spf_domain_ok(const char *s, size_t n, int multi)
{
	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			size_t len = i - start;
			if (len == 0 || len > 63)
				return 0;
			labels++;
			start = i + 1;
		}
	}
	return !multi || labels >= 2;
}

int spf_parse_address(const char *s, size_t n, int *family, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (spf_parse_ip4(s, n, ip) == 0) {
		*family = 4;
		return 0;
	}
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (spf_parse_ip6(s, n, ip) == 0) {
		*family = 6;
		return 0;
	}
	return -1;
}
