/* The macro language of RFC 7208 7. The output is bounded whatever the
 * input (a 4 KB record of %{s} would otherwise grow without end: libspf2's
 * CVE-2021-20314 and CVE-2023-42118 were both in this expansion). */
#include "spf-int.h"

struct sink {
	char *buf;
	size_t cap, len;     /* cap: usable bytes (the NUL is extra) */
	int keep_right;      /* a domain: keep the rightmost bytes */
	int over;
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->len + n <= k->cap) {
		memcpy(k->buf + k->len, s, n);
		k->len += n;
		return;
	}
	k->over = 1;
	if (!k->keep_right) {
		size_t room = k->cap - k->len;
		memcpy(k->buf + k->len, s, room);
		k->len = k->cap;
		return;
	}
	if (n >= k->cap) {
		memcpy(k->buf, s + n - k->cap, k->cap);
		k->len = k->cap;
		return;
	}
	size_t drop = k->len + n - k->cap;
	memmove(k->buf, k->buf + drop, k->len - drop);
	k->len -= drop;
	memcpy(k->buf + k->len, s, n);
	k->len += n;
}

/* RFC 3986 2.3 unreserved characters stay, all else is %XX (7.3: an
 * upper-case macro letter is URL-escaped). */
static void put_escaped(struct sink *k, const char *s, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (spf_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			put(k, (const char *)&c, 1);
		} else {
			char e[3] = { '%', hx[c >> 4], hx[c & 15] };
			put(k, e, 3);
		}
	}
}

static const char *letter_value(const struct spf_macro_env *env, int letter, char *tmp, size_t tmplen)
{
	switch (letter) {
	case 's': return env->sender ? env->sender : "";
	case 'l': return env->local && *env->local ? env->local : "postmaster";
	case 'o': return env->sender_domain ? env->sender_domain : "";
	case 'd': return env->domain ? env->domain : "";
	case 'h': return env->helo ? env->helo : "";
	case 'p': return env->validated ? env->validated : "unknown";
	case 'r': return env->receiver ? env->receiver : "unknown";
	case 'v': return env->family == 6 ? "ip6" : "in-addr";
	case 'i':
		if (env->family == 6)
			return spf_ip_nibbles(env->ip, tmp, tmplen) ? tmp : "";
		return spf_ip_text(4, env->ip, tmp, tmplen) ? tmp : "";
	case 'c':
		return spf_ip_text(env->family, env->ip, tmp, tmplen) ? tmp : "";
	case 't': {
		/* decimal seconds */
		char r[24];
		size_t n = 0;
		uint64_t v = env->now > 0 ? (uint64_t)env->now : 0;
		do
			r[n++] = (char)('0' + v % 10);
		while ((v /= 10) && n < sizeof r);
		for (size_t i = 0; i < n; i++)
			tmp[i] = r[n - 1 - i];
		tmp[n] = 0;
		return tmp;
	}
	}
	return "";
}

#define MAX_PARTS 128

/* One %{...}: letter, transformers (digits, r) and delimiters. */
static void expand_one(const struct spf_macro_env *env, const char *m, size_t n, struct sink *k)
{
	char tmp[96];
	int letter = (unsigned char)m[0];
	int upper = letter >= 'A' && letter <= 'Z';
	const char *v = letter_value(env, spf_lower(letter), tmp, sizeof tmp);
	size_t i = 1;
	unsigned long keep = 0;
	int digits = 0;
	while (i < n && spf_digit((unsigned char)m[i])) {
		if (keep < 100000)
			keep = keep * 10 + (unsigned long)(m[i] - '0');
		digits = 1;
		i++;
	}
	int rev = 0;
	if (i < n && (m[i] == 'r' || m[i] == 'R')) {
		rev = 1;
		i++;
	}
	const char *delims = m + i;
	size_t ndelims = n - i;
	/* split into parts on the delimiters (default "."), 7.3 */
	struct { const char *s; size_t n; } parts[MAX_PARTS];
	size_t np = 0, vlen = strlen(v), start = 0;
	for (size_t j = 0; j <= vlen; j++) {
		int d = 0;
		if (j < vlen) {
			if (ndelims == 0)
				d = v[j] == '.';
			else
				for (size_t q = 0; q < ndelims; q++)
					d |= v[j] == delims[q];
		}
		if (j == vlen || d) {
			if (np == MAX_PARTS) {
				/* more parts than we keep: fold the rest into the last */
				parts[np - 1].n = vlen - (size_t)(parts[np - 1].s - v);
				break;
			}
			parts[np].s = v + start;
			parts[np].n = j - start;
			np++;
			start = j + 1;
		}
	}
	if (rev)
		for (size_t a = 0, b = np ? np - 1 : 0; a < b; a++, b--) {
			__typeof__(parts[0]) t = parts[a];
			parts[a] = parts[b];
			parts[b] = t;
		}
	size_t first = digits && keep < np ? np - keep : 0;
	for (size_t j = first; j < np; j++) {
		if (j > first)
			put(k, ".", 1);
		if (upper)
			put_escaped(k, parts[j].s, parts[j].n);
		else
			put(k, parts[j].s, parts[j].n);
	}
}

static int expand(const struct spf_macro_env *env, const char *in, size_t len, int exp,
		  struct sink *k, enum spf_problem *problem)
{
	if (spf_macro_check(in, len, exp) < 0) {
		*problem = SPF_E_MACRO;
		return -1;
	}
	for (size_t i = 0; i < len;) {
		if (in[i] != '%') {
			size_t j = i;
			while (j < len && in[j] != '%')
				j++;
			put(k, in + i, j - i);
			i = j;
			continue;
		}
		char c = in[i + 1];
		if (c == '%') {
			put(k, "%", 1);
			i += 2;
		} else if (c == '_') {
			put(k, " ", 1);
			i += 2;
		} else if (c == '-') {
			put(k, "%20", 3);
			i += 2;
		} else {
			size_t j = i + 2;
			while (in[j] != '}')
				j++;
			expand_one(env, in + i + 2, j - i - 2, k);
			i = j + 1;
		}
	}
	return 0;
}

int spf_expand(const struct spf_macro_env *env, const char *in, size_t len, int exp,
	       char *out, size_t outlen, enum spf_problem *problem)
{
	*problem = SPF_OK;
	if (outlen == 0)
		return -1;
	struct sink k = { out, outlen - 1, 0, 0, 0 };
	int r = expand(env, in, len, exp, &k, problem);
	out[k.len] = 0;
	return r;
}

/* 7.3: a name longer than 253 octets loses labels from the left. */
int spf_expand_domain(const struct spf_macro_env *env, const char *in, size_t len,
		      char *out, size_t outlen, enum spf_problem *problem)
{
	*problem = SPF_OK;
	char buf[1024];
	struct sink k = { buf, sizeof buf - 1, 0, 1, 0 };
	if (expand(env, in, len, 0, &k, problem) < 0)
		return -1;
	size_t n = k.len, s = 0;
	if (n && buf[n - 1] == '.')
		n--;   /* a final dot: the same name */
	if (k.over) {
		/* the left part was cut: start at a label boundary */
		while (s < n && buf[s] != '.')
			s++;
		if (s < n)
			s++;
	}
	while (n - s > 253) {
		while (s < n && buf[s] != '.')
			s++;
		if (s < n)
			s++;
	}
	if (n - s + 1 > outlen || n == s) {
		*problem = SPF_E_DOMAIN;
		return -1;
	}
	memcpy(out, buf + s, n - s);
	out[n - s] = 0;
	return 0;
}
