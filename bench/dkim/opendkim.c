/* libopendkim (OpenDKIM 2.11) on the command line: the peer of ember's DKIM
 * in tests/interop/ and in bench/dkim.
 *
 *   opendkim sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG] [FILE]
 *   opendkim verify (--dns HOST:PORT | --keys FILE) [FILE]
 *   opendkim bench-verify --keys FILE -n REPEAT FILE...
 *   opendkim bench-sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG]
 *                       -n REPEAT FILE...
 *
 * sign: writes "DKIM-Signature: ..." as libopendkim folds it (CRLF), a CRLF,
 * then the message (FILE or stdin) byte for byte; the field's line ends are
 * LF when the message's are (see below). -c simple or relaxed, header/body
 * (default relaxed/relaxed); -a rsa-sha256 or ed25519-sha256 (default: the
 * key's type); ed25519-sha256 with simple header canonicalisation comes
 * unfolded (folded, libopendkim 2.11 signs something else: the signature
 * verifies nowhere, libopendkim included). The fields signed are
 * libopendkim's default: every field of the header (its
 * dkim_should_signhdrs list, which the milter can be told to use, lacks
 * Message-ID, MIME-Version and Content-*).
 *
 * verify: one line per signature, "pass d=D s=S", "fail d=D s=S REASON",
 * "permerror d=D s=S REASON" or "temperror d=D s=S REASON"; "none" when the
 * message has no signature, "permerror message: REASON" when libopendkim
 * refuses the message itself. Exit 0 when there is a signature and every
 * one passes, else 1. Keys come from --keys FILE (lines
 * "SELECTOR._domainkey.DOMAIN KEY-RECORD", served from memory through
 * dkim_set_key_lookup) or from the DNS server --dns HOST:PORT (an IP
 * address: libopendkim's own resolver can only use port 53, so a small UDP
 * client, TCP when the answer is truncated, is given to it through the
 * dkim_dns_set_query_* callbacks; nothing else is ever asked). An answer
 * other than NOERROR or NXDOMAIN (SERVFAIL, REFUSED) and a timeout are
 * temporary (temperror), as with libopendkim's res_query resolver.
 *
 * Messages with bare LF line ends (the first line ends with one, as mbox
 * and Maildir keep mail) are given to libopendkim in their CRLF form.
 *
 * bench-*: every file is read (and put in CRLF form) first; then REPEAT
 * passes over them are timed (CLOCK_MONOTONIC), keys from memory, and one
 * line is printed: "opendkim: messages=N seconds=S". Exit 1 when a message
 * does not verify (or cannot be signed).
 *
 * Exit status otherwise: 64 usage, 65 bad input (a key, a message
 * libopendkim refuses to sign), 66 a file that cannot be read, 70 internal. */
#include <dkim.h>

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EX_FAIL 1
#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_NOINPUT 66
#define EX_SOFTWARE 70

static const char usage_text[] =
	"usage: opendkim sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG] [FILE]\n"
	"       opendkim verify (--dns HOST:PORT | --keys FILE) [FILE]\n"
	"       opendkim bench-verify --keys FILE -n REPEAT FILE...\n"
	"       opendkim bench-sign -d DOMAIN -s SELECTOR -k KEYFILE [-c H/B] [-a ALG]\n"
	"                           -n REPEAT FILE...\n";

static _Noreturn void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("opendkim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

static _Noreturn void usage(const char *why)
{
	die(EX_USAGE, "%s (opendkim --help: usage)", why);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die(EX_SOFTWARE, "out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

/* ASCII only: DNS names and tags are ASCII, and the C locale is not asked. */
static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int name_eq(const char *a, const char *b)
{
	for (; *a && lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++)
		;
	/* a final dot on either side is the same name */
	if (*a == '.' && !a[1])
		a++;
	if (*b == '.' && !b[1])
		b++;
	return !*a && !*b;
}

/* ---- input --------------------------------------------------------------------- */

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n + 1) {
			if (cap > SIZE_MAX / 2)
				die(EX_SOFTWARE, "out of memory");
			cap *= 2;
		}
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* The whole file ("-": stdin), NUL-terminated. */
static void slurp(const char *path, struct buf *out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		die(EX_NOINPUT, "%s: %s", path, strerror(errno));
	char chunk[65536];
	size_t n;
	out->len = 0;
	buf_add(out, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f))
		die(EX_NOINPUT, "%s: read error: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
}

/* Bare LF to CRLF, in any chunking, when the first line ends with a bare
 * LF; the bytes are left alone otherwise. */
struct crlf {
	int decided, convert, prev;
};

static void crlf_add(struct crlf *c, struct buf *out, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			int bare = (i ? s[i - 1] : c->prev) != '\r';
			if (!c->decided) {
				c->decided = 1;
				c->convert = bare;
			}
			if (c->convert && bare) {
				buf_add(out, s + from, i - from);
				buf_add(out, "\r", 1);
				from = i;
			}
		}
	}
	buf_add(out, s + from, n - from);
	if (n)
		c->prev = (unsigned char)s[n - 1];
}

/* ---- keys from memory ---------------------------------------------------------- */

struct key {
	char *name, *record;
};

struct keys {
	struct key *v;
	size_t n;
};

/* Lines "NAME RECORD"; empty lines and lines starting with # are skipped. */
static void keys_load(struct keys *k, const char *path)
{
	struct buf b = {0};
	slurp(path, &b);
	char *save = NULL;
	for (char *line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		size_t nl = strcspn(line, " \t");
		if (!line[nl])
			die(EX_DATAERR, "%s: a line without a key record: '%s'", path, line);
		line[nl] = '\0';
		char *rec = line + nl + 1;
		rec += strspn(rec, " \t");
		k->v = xrealloc(k->v, (k->n + 1) * sizeof *k->v);
		k->v[k->n].name = xstrdup(line);
		k->v[k->n].record = xstrdup(rec);
		k->n++;
	}
	free(b.data);
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].name);
		free(k->v[i].record);
	}
	free(k->v);
}

static const char *keys_find(const struct keys *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (name_eq(k->v[i].name, name))
			return k->v[i].record;
	return NULL;
}

/* dkim_set_key_lookup: the table is the DKIM handle's user context. */
static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	const struct keys *k = dkim_get_user_context(dkim);
	const char *sel = (const char *)dkim_sig_getselector(sig);
	const char *dom = (const char *)dkim_sig_getdomain(sig);
	char name[600];
	if (!k || !sel || !dom)
		return DKIM_CBSTAT_ERROR;
	int n = snprintf(name, sizeof name, "%s._domainkey.%s", sel, dom);
	if (n < 0 || (size_t)n >= sizeof name)
		return DKIM_CBSTAT_NOTFOUND;
	const char *rec = keys_find(k, name);
	if (!rec)
		return DKIM_CBSTAT_NOTFOUND;
	size_t len = strlen(rec);
	if (len >= buflen)
		return DKIM_CBSTAT_ERROR;
	memcpy(buf, rec, len + 1);
	return DKIM_CBSTAT_CONTINUE;
}

/* ---- keys from a DNS server on any port ------------------------------------------ */

struct resolver {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint16_t next_id;
};

struct query {
	int type, done, status;
	char name[DKIM_MAXHOSTNAMELEN + 1];
	unsigned char *buf;
	size_t buflen, len;
};

static void resolver_init(struct resolver *r, const char *hostport)
{
	const char *colon = strrchr(hostport, ':');
	if (!colon || colon == hostport || !colon[1])
		usage("--dns: HOST:PORT, HOST an IP address");
	char host[256];
	size_t hl = (size_t)(colon - hostport);
	if (hostport[0] == '[' && hl > 2 && hostport[hl - 1] == ']') {  /* [::1]:PORT */
		hostport++;
		hl -= 2;
	}
	if (hl >= sizeof host)
		usage("--dns: HOST too long");
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	/* numeric only: the system's resolver is never asked */
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai;
	int e = getaddrinfo(host, colon + 1, &hints, &ai);
	if (e)
		die(EX_USAGE, "--dns %s: %s", hostport, gai_strerror(e));
	memcpy(&r->addr, ai->ai_addr, ai->ai_addrlen);
	r->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	r->next_id = (uint16_t)(getpid() ^ time(NULL));
}

/* A query for NAME/TYPE, class IN, RD, with an EDNS0 OPT record (4096):
 * its length, or 0 for a name that does not fit. */
static size_t dns_query(unsigned char *q, size_t cap, uint16_t id, const char *name, int type)
{
	size_t at = 12;
	if (cap < 12 + 255 + 4 + 11)
		return 0;
	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 0x01;          /* RD */
	q[5] = 1;             /* QDCOUNT */
	q[11] = 1;            /* ARCOUNT: the OPT record */
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, ".");
		if (n == 0 || n > 63 || at + 1 + n > 12 + 254)
			return 0;
		q[at++] = (unsigned char)n;
		memcpy(q + at, p, n);
		at += n;
		p += n;
		if (*p == '.')
			p++;
	}
	q[at++] = 0;
	q[at++] = (unsigned char)(type >> 8);
	q[at++] = (unsigned char)type;
	q[at++] = 0;
	q[at++] = 1;          /* IN */
	/* OPT: root name, type 41, class = UDP payload size, TTL 0, RDLEN 0 */
	static const unsigned char opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
	memcpy(q + at, opt, sizeof opt);
	return at + sizeof opt;
}

/* The reply answers the query: same id, a response, the same question. */
static int dns_matches(const unsigned char *q, size_t qlen, const unsigned char *a, size_t alen)
{
	size_t qsec = qlen - 11 - 12;  /* the question section, without the OPT */
	if (alen < 12 + qsec || a[0] != q[0] || a[1] != q[1] || !(a[2] & 0x80) ||
	    a[4] != 0 || a[5] != 1)
		return 0;
	for (size_t i = 0; i < qsec; i++)
		if (lower(a[12 + i]) != lower(q[12 + i]))
			return 0;
	return 1;
}

static int ms_left(const struct timespec *end)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (long long)(end->tv_sec - now.tv_sec) * 1000 +
		       (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

/* Wait until fd is ready for ev, or the deadline: 1, or 0 on timeout. */
static int wait_fd(int fd, short ev, const struct timespec *end)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = ev};
		int r = poll(&p, 1, ms_left(end));
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* UDP: DKIM_DNS_SUCCESS with the reply in a, DKIM_DNS_EXPIRED, DKIM_DNS_ERROR. */
static int dns_udp(const struct resolver *r, const unsigned char *q, size_t qlen,
		   unsigned char *a, size_t cap, size_t *alen, const struct timespec *end)
{
	int fd = socket(r->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return DKIM_DNS_ERROR;
	int st = DKIM_DNS_ERROR;
	/* connected: the kernel drops datagrams from anyone else */
	if (connect(fd, (const struct sockaddr *)&r->addr, r->addrlen) ||
	    send(fd, q, qlen, 0) != (ssize_t)qlen)
		goto out;
	for (;;) {
		int w = wait_fd(fd, POLLIN, end);
		if (w <= 0) {
			st = w == 0 ? DKIM_DNS_EXPIRED : DKIM_DNS_ERROR;
			break;
		}
		ssize_t n = recv(fd, a, cap, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;  /* ECONNREFUSED: nobody there */
		}
		if (dns_matches(q, qlen, a, (size_t)n)) {
			*alen = (size_t)n;
			st = DKIM_DNS_SUCCESS;
			break;
		}
	}
out:
	close(fd);
	return st;
}

static int io_all(int fd, unsigned char *p, size_t n, int out, const struct timespec *end)
{
	while (n) {
		int w = wait_fd(fd, out ? POLLOUT : POLLIN, end);
		if (w <= 0)
			return w == 0 ? DKIM_DNS_EXPIRED : DKIM_DNS_ERROR;
		ssize_t k = out ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return DKIM_DNS_ERROR;
		p += k;
		n -= (size_t)k;
	}
	return DKIM_DNS_SUCCESS;
}

/* TCP (RFC 7766), after a truncated UDP answer. */
static int dns_tcp(const struct resolver *r, const unsigned char *q, size_t qlen,
		   unsigned char *a, size_t cap, size_t *alen, const struct timespec *end)
{
	int fd = socket(r->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return DKIM_DNS_ERROR;
	int st = DKIM_DNS_ERROR;
	if (connect(fd, (const struct sockaddr *)&r->addr, r->addrlen) && errno != EINPROGRESS)
		goto out;
	unsigned char len[2] = {(unsigned char)(qlen >> 8), (unsigned char)qlen};
	unsigned char qq[600];
	memcpy(qq, len, 2);
	memcpy(qq + 2, q, qlen);
	if ((st = io_all(fd, qq, qlen + 2, 1, end)) != DKIM_DNS_SUCCESS ||
	    (st = io_all(fd, len, 2, 0, end)) != DKIM_DNS_SUCCESS)
		goto out;
	size_t n = (size_t)len[0] << 8 | len[1];
	st = DKIM_DNS_ERROR;
	if (n > cap || (st = io_all(fd, a, n, 0, end)) != DKIM_DNS_SUCCESS)
		goto out;
	st = DKIM_DNS_ERROR;
	if (dns_matches(q, qlen, a, n)) {
		*alen = n;
		st = DKIM_DNS_SUCCESS;
	}
out:
	close(fd);
	return st;
}

static void dns_exchange(struct resolver *r, struct query *qu, const struct timeval *to)
{
	unsigned char q[512];
	size_t qlen = dns_query(q, sizeof q, r->next_id++, qu->name, qu->type);
	qu->done = 1;
	qu->status = DKIM_DNS_ERROR;
	if (!qlen)
		return;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += to ? to->tv_sec : 10;
	end.tv_nsec += to ? to->tv_usec * 1000L : 0;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	size_t n = 0;
	int st = dns_udp(r, q, qlen, qu->buf, qu->buflen, &n, &end);
	if (st == DKIM_DNS_SUCCESS && (qu->buf[2] & 0x02))  /* TC */
		st = dns_tcp(r, q, qlen, qu->buf, qu->buflen, &n, &end);
	if (st == DKIM_DNS_SUCCESS) {
		int rcode = qu->buf[3] & 0x0f;
		/* NOERROR, NXDOMAIN: libopendkim reads the answer; anything else
		 * (SERVFAIL, REFUSED) is a failure to look the key up */
		if (rcode != 0 && rcode != 3)
			st = DKIM_DNS_ERROR;
	}
	qu->status = st;
	qu->len = n;
}

static int dns_start(void *srv, int type, unsigned char *name, unsigned char *buf, size_t buflen,
		     void **qh)
{
	(void)srv;
	struct query *qu = calloc(1, sizeof *qu);
	if (!qu || strlen((const char *)name) >= sizeof qu->name) {
		free(qu);
		return DKIM_DNS_ERROR;
	}
	strcpy(qu->name, (const char *)name);
	qu->type = type;
	qu->buf = buf;
	qu->buflen = buflen;
	*qh = qu;
	return DKIM_DNS_SUCCESS;
}

/* The exchange happens here, synchronously (the wait is for its reply). */
static int dns_waitreply(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
			 int *dnssec)
{
	struct query *qu = qh;
	if (!qu->done)
		dns_exchange(srv, qu, to);
	if (bytes)
		*bytes = qu->len;
	if (error)
		*error = 0;
	if (dnssec)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	return qu->status;
}

static int dns_cancel(void *srv, void *qh)
{
	(void)srv;
	free(qh);
	return 0;
}

static int dns_init_noop(void **srv)
{
	(void)srv;
	return 0;
}

static void dns_close_noop(void *srv)
{
	(void)srv;
}

/* ---- the library ----------------------------------------------------------------- */

static DKIM_LIB *lib_new(void)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	if (!lib)
		die(EX_SOFTWARE, "dkim_init failed");
	/* signatures that do not parse get a handle (and a line) too */
	unsigned int flags;
	if (dkim_options(lib, DKIM_OP_GETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) != DKIM_STAT_OK)
		die(EX_SOFTWARE, "dkim_options failed");
	flags |= DKIM_LIBFLAGS_BADSIGHANDLES;
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) != DKIM_STAT_OK)
		die(EX_SOFTWARE, "dkim_options failed");
	return lib;
}

static void lib_use_dns(DKIM_LIB *lib, struct resolver *r)
{
	dkim_dns_set_init(lib, dns_init_noop);
	dkim_dns_set_close(lib, dns_close_noop);
	(void)dkim_dns_set_query_service(lib, r);
	dkim_dns_set_query_start(lib, dns_start);
	dkim_dns_set_query_waitreply(lib, dns_waitreply);
	dkim_dns_set_query_cancel(lib, dns_cancel);
}

static void lib_use_keys(DKIM_LIB *lib)
{
	if (dkim_set_key_lookup(lib, key_lookup) != DKIM_STAT_OK)
		die(EX_SOFTWARE, "dkim_set_key_lookup failed");
}

/* ---- verifying ------------------------------------------------------------------- */

enum verdict { V_PASS, V_FAIL, V_PERMERROR, V_TEMPERROR };
static const char *const verdict_name[] = {"pass", "fail", "permerror", "temperror"};

static enum verdict classify(DKIM *d, DKIM_SIGINFO *sig, const char **reason)
{
	unsigned int flags = dkim_sig_getflags(sig);
	int bh = dkim_sig_getbh(sig);
	int err = dkim_sig_geterror(sig);
	*reason = NULL;
	if (err == DKIM_SIGERROR_OK && (flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH)
		return V_PASS;
	if (bh == DKIM_SIGBH_MISMATCH && (err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_BADSIG)) {
		*reason = "body hash mismatch";
		return V_FAIL;
	}
	switch (err) {
	case DKIM_SIGERROR_BADSIG:
		*reason = "signature mismatch";
		return V_FAIL;
	case DKIM_SIGERROR_KEYFAIL:
		*reason = "key query failed";
		return V_TEMPERROR;
	case DKIM_SIGERROR_OK:
		*reason = (flags & DKIM_SIGFLAG_IGNORE) ? "ignored" :
			  !(flags & DKIM_SIGFLAG_PROCESSED) ? "not processed" : "not verified";
		return V_PERMERROR;
	case DKIM_SIGERROR_UNKNOWN:  /* the message stopped it: "CRLF at end of body missing" */
		*reason = dkim_geterror(d);
		if (!*reason || !**reason)
			*reason = "unknown error";
		return V_PERMERROR;
	default:
		*reason = dkim_sig_geterrorstr(err);
		if (!*reason)
			*reason = "unknown error";
		return V_PERMERROR;
	}
}

/* Statuses after which libopendkim has nothing more to say. */
static int fatal(DKIM_STAT st)
{
	return st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL || st == DKIM_STAT_INVALID;
}

/* A message through a verifying handle, in pieces: verify_begin, then
 * verify_feed for each, verify_end; *status is the first that went wrong
 * (NOSIG: no signature). The handle stays, for dkim_getsiglist. */
static DKIM *verify_begin(DKIM_LIB *lib, const struct keys *keys, DKIM_STAT *status)
{
	DKIM_STAT st;
	DKIM *d = dkim_verify(lib, (const u_char *)"opendkim", NULL, &st);
	if (!d)
		die(EX_SOFTWARE, "dkim_verify: %s", dkim_getresultstr(st));
	if (keys && dkim_set_user_context(d, (void *)keys) != DKIM_STAT_OK)
		die(EX_SOFTWARE, "dkim_set_user_context failed");
	*status = DKIM_STAT_OK;
	return d;
}

static void verify_feed(DKIM *d, char *buf, size_t len, DKIM_STAT *status)
{
	if (*status == DKIM_STAT_OK && len)
		*status = dkim_chunk(d, (u_char *)buf, len);
}

static void verify_end(DKIM *d, DKIM_STAT *status)
{
	if (*status == DKIM_STAT_OK)
		*status = dkim_chunk(d, NULL, 0);
	if (!fatal(*status) && *status != DKIM_STAT_SYNTAX) {
		DKIM_STAT st = dkim_eom(d, NULL);
		if (*status == DKIM_STAT_OK)
			*status = st;
	}
}

static DKIM *verify_msg(DKIM_LIB *lib, const struct keys *keys, char *msg, size_t len,
			DKIM_STAT *status)
{
	DKIM *d = verify_begin(lib, keys, status);
	verify_feed(d, msg, len, status);
	verify_end(d, status);
	return d;
}

/* 1 when there are signatures and every one passes. */
static int all_pass(DKIM *d)
{
	DKIM_SIGINFO **sigs;
	int n = 0;
	if (dkim_getsiglist(d, &sigs, &n) != DKIM_STAT_OK || n <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *why;
		if (classify(d, sigs[i], &why) != V_PASS)
			return 0;
	}
	return 1;
}

static int print_results(DKIM *d, DKIM_STAT status)
{
	DKIM_SIGINFO **sigs;
	int n = 0;
	if (dkim_getsiglist(d, &sigs, &n) != DKIM_STAT_OK)
		n = 0;
	if (n <= 0) {
		if (status == DKIM_STAT_OK || status == DKIM_STAT_NOSIG) {
			puts("none");
		} else {
			const char *e = dkim_geterror(d);
			printf("permerror message: %s\n", e && *e ? e : dkim_getresultstr(status));
		}
		return 0;
	}
	int pass = 1;
	for (int i = 0; i < n; i++) {
		const char *why;
		enum verdict v = classify(d, sigs[i], &why);
		const char *dom = (const char *)dkim_sig_getdomain(sigs[i]);
		const char *sel = (const char *)dkim_sig_getselector(sigs[i]);
		printf("%s d=%s s=%s", verdict_name[v], dom ? dom : "", sel ? sel : "");
		if (why)
			printf(" %s", why);
		putchar('\n');
		pass &= v == V_PASS;
	}
	return pass;
}

static void to_crlf(struct buf *msg)
{
	struct crlf c = {0};
	struct buf out = {0};
	buf_add(&out, "", 0);
	crlf_add(&c, &out, msg->data, msg->len);
	free(msg->data);
	*msg = out;
}

static int do_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dns", required_argument, NULL, 'D'}, {"keys", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *dns = NULL, *keyfile = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': dns = optarg; break;
		case 'K': keyfile = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: usage("verify: unknown option");
		}
	}
	if (!dns == !keyfile)
		usage("verify: give --dns HOST:PORT or --keys FILE");
	if (argc - optind > 1)
		usage("verify: one message at a time");
	DKIM_LIB *lib = lib_new();
	struct keys keys = {0};
	struct resolver res = {0};
	if (keyfile) {
		keys_load(&keys, keyfile);
		lib_use_keys(lib);
	} else {
		resolver_init(&res, dns);
		lib_use_dns(lib, &res);
	}
	/* streamed: memory stays flat whatever the message's size */
	const char *path = optind < argc ? argv[optind] : "-";
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		die(EX_NOINPUT, "%s: %s", path, strerror(errno));
	DKIM_STAT st;
	DKIM *d = verify_begin(lib, keyfile ? &keys : NULL, &st);
	struct crlf cr = {0};
	struct buf piece = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		piece.len = 0;
		crlf_add(&cr, &piece, chunk, n);
		verify_feed(d, piece.data, piece.len, &st);
	}
	if (ferror(f))
		die(EX_NOINPUT, "%s: read error: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	verify_end(d, &st);
	int pass = print_results(d, st);
	dkim_free(d);
	dkim_close(lib);
	keys_free(&keys);
	free(piece.data);
	if (fflush(stdout))
		die(EX_SOFTWARE, "write error: %s", strerror(errno));
	return pass ? 0 : EX_FAIL;
}

/* ---- signing --------------------------------------------------------------------- */

struct signer {
	const char *domain, *selector;
	char *key;                 /* PEM, NUL-terminated */
	dkim_canon_t hc, bc;
	dkim_alg_t alg;
};

static void parse_canon(struct signer *s, const char *arg)
{
	const char *slash = strchr(arg, '/');
	size_t hn = slash ? (size_t)(slash - arg) : strlen(arg);
	const char *b = slash ? slash + 1 : "simple";
	dkim_canon_t *out[2] = {&s->hc, &s->bc};
	const char *part[2] = {arg, b};
	size_t len[2] = {hn, strlen(b)};
	for (int i = 0; i < 2; i++) {
		if (len[i] == 7 && !strncmp(part[i], "relaxed", 7))
			*out[i] = DKIM_CANON_RELAXED;
		else if (len[i] == 6 && !strncmp(part[i], "simple", 6))
			*out[i] = DKIM_CANON_SIMPLE;
		else
			usage("-c: simple or relaxed, header/body");
	}
}

/* The key file, and the algorithm its type gives when -a did not. */
static void load_key(struct signer *s, const char *path, const char *alg, DKIM_LIB *lib)
{
	struct buf b = {0};
	slurp(path, &b);
	s->key = b.data;
	BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	if (!k)
		die(EX_DATAERR, "%s: not a PEM private key", path);
	int ed = EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519;
	EVP_PKEY_free(k);
	BIO_free(bio);
	if (!alg)
		s->alg = ed ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256;
	else if (!strcmp(alg, "rsa-sha256"))
		s->alg = DKIM_SIGN_RSASHA256;
	else if (!strcmp(alg, "ed25519-sha256"))
		s->alg = DKIM_SIGN_ED25519SHA256;
	else
		usage("-a: rsa-sha256 or ed25519-sha256");
	if (s->alg == DKIM_SIGN_ED25519SHA256 && !dkim_libfeature(lib, DKIM_FEATURE_ED25519))
		die(EX_SOFTWARE, "this libopendkim cannot sign ed25519-sha256");
}

/* The DKIM-Signature field for the message (CRLF form): "DKIM-Signature: "
 * and the value as libopendkim folds it, with CRLF line ends, no final one;
 * NULL with *why when libopendkim refuses. */
static char *sign_msg(DKIM_LIB *lib, const struct signer *s, char *msg, size_t len,
		      size_t *flen, const char **why)
{
	DKIM_STAT st;
	DKIM *d = dkim_sign(lib, (const u_char *)"opendkim", NULL, (dkim_sigkey_t)s->key,
			    (const u_char *)s->selector, (const u_char *)s->domain, s->hc, s->bc,
			    s->alg, -1, &st);
	if (!d) {
		*why = dkim_getresultstr(st);
		return NULL;
	}
	u_char *hdr = NULL;
	size_t hlen = 0;
	/* libopendkim 2.11's ed25519-sha256 signatures with simple header
	 * canonicalisation verify nowhere (itself, ember, dkimpy) when the
	 * field is folded; unfolded, they do */
	if (s->alg == DKIM_SIGN_ED25519SHA256 && s->hc == DKIM_CANON_SIMPLE &&
	    dkim_set_margin(d, 0) != DKIM_STAT_OK)
		die(EX_SOFTWARE, "dkim_set_margin failed");
	if ((st = dkim_chunk(d, (u_char *)msg, len)) != DKIM_STAT_OK ||
	    (st = dkim_chunk(d, NULL, 0)) != DKIM_STAT_OK || (st = dkim_eom(d, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr_d(d, strlen(DKIM_SIGNHEADER) + 2, &hdr, &hlen)) != DKIM_STAT_OK) {
		const char *e = dkim_geterror(d);
		*why = e && *e ? e : dkim_getresultstr(st);
		/* the text lives in the handle: keep a copy */
		static char msgbuf[512];
		snprintf(msgbuf, sizeof msgbuf, "%s", *why);
		*why = msgbuf;
		dkim_free(d);
		return NULL;
	}
	struct buf f = {0};
	struct crlf c = {.decided = 1, .convert = 1};  /* fold lines end in LF: CRLF */
	buf_add(&f, DKIM_SIGNHEADER ": ", strlen(DKIM_SIGNHEADER) + 2);
	crlf_add(&c, &f, (const char *)hdr, hlen);
	dkim_free(d);
	*flen = f.len;
	return f.data;
}

struct sign_args {
	struct signer s;
	const char *keyfile, *alg;
	unsigned long repeat;
};

static int sign_getopt(int argc, char **argv, struct sign_args *a, int bench)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'd'}, {"selector", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'k'}, {"canon", required_argument, NULL, 'c'},
		{"algorithm", required_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	a->s.hc = a->s.bc = DKIM_CANON_RELAXED;
	int c;
	while ((c = getopt_long(argc, argv, bench ? "d:s:k:c:a:n:h" : "d:s:k:c:a:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd': a->s.domain = optarg; break;
		case 's': a->s.selector = optarg; break;
		case 'k': a->keyfile = optarg; break;
		case 'c': parse_canon(&a->s, optarg); break;
		case 'a': a->alg = optarg; break;
		case 'n': {
			char *end;
			a->repeat = strtoul(optarg, &end, 10);
			if (end == optarg || *end || !a->repeat || optarg[0] == '-')
				usage("-n: a positive number");
			break;
		}
		case 'h': fputs(usage_text, stdout); exit(0);
		default: usage("unknown option");
		}
	}
	if (!a->s.domain || !a->s.selector || !a->keyfile)
		usage("sign needs -d DOMAIN, -s SELECTOR and -k KEYFILE");
	return optind;
}

static void write_all(const char *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n)
		die(EX_SOFTWARE, "write error: %s", strerror(errno));
}

static int do_sign(int argc, char **argv)
{
	struct sign_args a = {0};
	int first = sign_getopt(argc, argv, &a, 0);
	if (argc - first > 1)
		usage("sign: one message at a time");
	DKIM_LIB *lib = lib_new();
	load_key(&a.s, a.keyfile, a.alg, lib);
	struct buf orig = {0}, msg = {0};
	slurp(first < argc ? argv[first] : "-", &orig);
	struct crlf c = {0};
	buf_add(&msg, "", 0);
	crlf_add(&c, &msg, orig.data, orig.len);
	size_t flen;
	const char *why;
	char *field = sign_msg(lib, &a.s, msg.data, msg.len, &flen, &why);
	if (!field)
		die(EX_DATAERR, "cannot sign: %s", why);
	if (c.convert) {  /* a message with LF line ends: the field too */
		size_t k = 0;
		for (size_t i = 0; i < flen; i++)
			if (field[i] != '\r')
				field[k++] = field[i];
		flen = k;
	}
	write_all(field, flen);
	write_all(c.convert ? "\n" : "\r\n", c.convert ? 1 : 2);
	write_all(orig.data, orig.len);
	if (fflush(stdout))
		die(EX_SOFTWARE, "write error: %s", strerror(errno));
	free(field);
	free(orig.data);
	free(msg.data);
	free(a.s.key);
	dkim_close(lib);
	return 0;
}

/* ---- benchmarks ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct buf *load_all(char **paths, size_t n)
{
	struct buf *m = xrealloc(NULL, n * sizeof *m);
	for (size_t i = 0; i < n; i++) {
		m[i] = (struct buf){0};
		slurp(paths[i], &m[i]);
		to_crlf(&m[i]);
	}
	return m;
}

static void free_all(struct buf *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
	free(m);
}

static int report(unsigned long long messages, double seconds, unsigned long long bad,
		  const char *what)
{
	printf("opendkim: messages=%llu seconds=%.6f\n", messages, seconds);
	if (fflush(stdout))
		die(EX_SOFTWARE, "write error: %s", strerror(errno));
	if (bad)
		fprintf(stderr, "opendkim: %llu of %llu messages %s\n", bad, messages, what);
	return bad ? EX_FAIL : 0;
}

static int do_bench_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"keys", required_argument, NULL, 'K'}, {NULL, 0, NULL, 0},
	};
	const char *keyfile = NULL;
	unsigned long repeat = 0;
	int c;
	while ((c = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'K': keyfile = optarg; break;
		case 'n':
			repeat = strtoul(optarg, &end, 10);
			if (end == optarg || *end || optarg[0] == '-')
				usage("-n: a positive number");
			break;
		default: usage("bench-verify: unknown option");
		}
	}
	if (!keyfile || !repeat || optind >= argc)
		usage("bench-verify needs --keys FILE, -n REPEAT and files");
	size_t n = (size_t)(argc - optind);
	struct buf *m = load_all(argv + optind, n);
	struct keys keys = {0};
	keys_load(&keys, keyfile);
	DKIM_LIB *lib = lib_new();
	lib_use_keys(lib);
	unsigned long long bad = 0;
	double t0 = now();
	for (unsigned long r = 0; r < repeat; r++)
		for (size_t i = 0; i < n; i++) {
			DKIM_STAT st;
			DKIM *d = verify_msg(lib, &keys, m[i].data, m[i].len, &st);
			bad += !all_pass(d);
			dkim_free(d);
		}
	double t = now() - t0;
	dkim_close(lib);
	keys_free(&keys);
	free_all(m, n);
	return report((unsigned long long)n * repeat, t, bad, "did not pass");
}

static int do_bench_sign(int argc, char **argv)
{
	struct sign_args a = {0};
	int first = sign_getopt(argc, argv, &a, 1);
	if (!a.repeat || first >= argc)
		usage("bench-sign needs -n REPEAT and files");
	size_t n = (size_t)(argc - first);
	struct buf *m = load_all(argv + first, n);
	DKIM_LIB *lib = lib_new();
	load_key(&a.s, a.keyfile, a.alg, lib);
	unsigned long long bad = 0;
	double t0 = now();
	for (unsigned long r = 0; r < a.repeat; r++)
		for (size_t i = 0; i < n; i++) {
			size_t flen;
			const char *why;
			char *f = sign_msg(lib, &a.s, m[i].data, m[i].len, &flen, &why);
			bad += !f;
			free(f);
		}
	double t = now() - t0;
	dkim_close(lib);
	free(a.s.key);
	free_all(m, n);
	return report((unsigned long long)n * a.repeat, t, bad, "could not be signed");
}

int main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	opterr = 0;  /* one line of our own instead */
	if (!strcmp(sub, "sign"))
		return do_sign(argc - 1, argv + 1);
	if (!strcmp(sub, "verify"))
		return do_verify(argc - 1, argv + 1);
	if (!strcmp(sub, "bench-verify"))
		return do_bench_verify(argc - 1, argv + 1);
	if (!strcmp(sub, "bench-sign"))
		return do_bench_sign(argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	usage(*sub ? "unknown mode" : "which mode?");
}
