/* libspf2's side of bench/spf and of tests/interop/spf-peers.sh.
 *
 *   libspf2 check --dns HOST:PORT [--receiver NAME]       < QUERIES
 *   libspf2 bench --dns HOST:PORT [-n COUNT] [-t SECONDS] QUERIES
 *
 * QUERIES: one query a line, "IP HELO SENDER" (SENDER "-": none, "<>": the
 * null sender; both check the HELO identity, as RFC 7208 2.4 says).
 * check: one line of output per query, "RESULT<TAB>EXPLANATION" (the
 * explanation of a fail, else empty; RESULT "invalid" when libspf2 gives
 * an error code and leaves the result unset, SPF_RESULT_INVALID, and then
 * the error's text), each query with a new SPF_server_t (nothing cached
 * from one to the next). LIBSPF2_TRACE set in the environment: each DNS
 * question and libspf2's error and warning messages on stderr. bench: every query evaluated in
 * turn, round and round, until COUNT evaluations or SECONDS have passed,
 * all through one SPF_server_t and its cache; prints "libspf2:
 * evaluations=N seconds=S" (and the count of each result on stderr).
 *
 * The evaluation is libspf2's own (SPF_request_query_mailfrom); only the
 * transport under it is ours. libspf2's resolver layer (spf_dns_resolv.c)
 * takes its nameservers from /etc/resolv.conf through a res_state it keeps
 * to itself, so it cannot be pointed at knot's port: the layer below here
 * does what it does (res_nquery, then the answer section read the same way,
 * TXT strings joined, h_errno as the status) with a res_state of our own
 * whose one nameserver is HOST:PORT. Above it, libspf2's SPF_dns_cache
 * layer (2^16 entries), every answer and every failure kept 300 seconds
 * (SPF_dns_cache_set_ttl 300 300 300 300), which is ember's rule in the
 * bench (lib/io, cache_seconds 300).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <spf2/spf_dns_cache.h>

#define CACHE_BITS 16
#define CACHE_TTL 300

static struct __res_state knot_res;
static int trace;   /* LIBSPF2_TRACE set: each question on stderr */

static int knot_init(const char *server)
{
	char host[64];
	const char *colon = strrchr(server, ':');
	unsigned port = 53;
	size_t n = colon ? (size_t)(colon - server) : strlen(server);
	if (n >= sizeof host)
		return -1;
	memcpy(host, server, n);
	host[n] = '\0';
	if (colon)
		port = (unsigned)strtoul(colon + 1, NULL, 10);
	memset(&knot_res, 0, sizeof knot_res);
	if (res_ninit(&knot_res) != 0)
		return -1;
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	knot_res.nsaddr_list[0] = sin;
	knot_res.nscount = 1;
	knot_res.retrans = 2;
	knot_res.retry = 2;
	knot_res.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	return 0;
}

/* An answer as libspf2's resolv layer builds it. */
static SPF_dns_rr_t *knot_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type,
				 int should_cache)
{
	(void)should_cache;
	if (trace)
		fprintf(stderr, "libspf2 asks: %s %d\n", domain, (int)type);
	size_t cap = 2048;
	unsigned char *buf = malloc(cap);
	int len;
	if (buf == NULL)
		return SPF_dns_rr_new_init(srv, domain, type, 0, TRY_AGAIN);
	for (;;) {
		len = res_nquery(&knot_res, domain, ns_c_in, type, buf, (int)cap);
		if (len < 0) {
			free(buf);
			return SPF_dns_rr_new_init(srv, domain, type, 0, knot_res.res_h_errno);
		}
		if ((size_t)len <= cap)
			break;
		cap = (size_t)len + (size_t)len / 2;
		unsigned char *nb = realloc(buf, cap);
		if (nb == NULL) {
			free(buf);
			return SPF_dns_rr_new_init(srv, domain, type, 0, TRY_AGAIN);
		}
		buf = nb;
	}
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(srv, domain, type, 0, NETDB_SUCCESS);
	ns_msg msg;
	if (rr == NULL || ns_initparse(buf, len, &msg) < 0) {
		free(buf);
		return rr;
	}
	int count = ns_msg_count(msg, ns_s_an), cnt = 0;
	char name[NS_MAXDNAME];
	for (int i = 0; i < count; i++) {
		ns_rr r;
		if (ns_parserr(&msg, ns_s_an, i, &r) < 0)
			break;
		size_t rdlen = ns_rr_rdlen(r);
		const unsigned char *rd = ns_rr_rdata(r);
		if (rdlen == 0 || ns_rr_type(r) != type)
			continue;
		switch (type) {
		case ns_t_a:
			if (rdlen != 4 || SPF_dns_rr_buf_realloc(rr, cnt, sizeof rr->rr[cnt]->a))
				continue;
			memcpy(&rr->rr[cnt]->a, rd, 4);
			cnt++;
			break;
		case ns_t_aaaa:
			if (rdlen != 16 || SPF_dns_rr_buf_realloc(rr, cnt, sizeof rr->rr[cnt]->aaaa))
				continue;
			memcpy(&rr->rr[cnt]->aaaa, rd, 16);
			cnt++;
			break;
		case ns_t_mx:
		case ns_t_ptr:
			if (ns_name_uncompress(buf, buf + len, rd + (type == ns_t_mx ? NS_INT16SZ : 0),
					       name, sizeof name) < 0)
				continue;
			if (SPF_dns_rr_buf_realloc(rr, cnt, strlen(name) + 1))
				continue;
			strcpy(type == ns_t_mx ? rr->rr[cnt]->mx : rr->rr[cnt]->ptr, name);
			cnt++;
			break;
		case ns_t_txt: {
			/* the character-strings of the record joined */
			if (SPF_dns_rr_buf_realloc(rr, cnt, rdlen + 1))
				continue;
			char *dst = rr->rr[cnt]->txt;
			size_t at = 0;
			while (at < rdlen) {
				size_t l = rd[at++];
				if (l > rdlen - at)
					l = rdlen - at;
				memcpy(dst, rd + at, l);
				dst += l;
				at += l;
			}
			*dst = '\0';
			cnt++;
			break;
		}
		default:
			break;
		}
	}
	rr->num_rr = cnt;
	if (trace)
		fprintf(stderr, "libspf2 hears: %d records%s%s\n", cnt,
			type == ns_t_txt && cnt ? ", the first of length " : "", "");
	if (trace && type == ns_t_txt && cnt)
		fprintf(stderr, "  %zu\n", strlen(rr->rr[0]->txt));
	if (cnt == 0)
		rr->herrno = NO_DATA;
	free(buf);
	return rr;
}

static void knot_free(SPF_dns_server_t *srv) { free(srv); }

static SPF_server_t *server_new(const char *receiver)
{
	SPF_dns_server_t *knot = calloc(1, sizeof *knot);
	if (knot == NULL)
		return NULL;
	knot->destroy = knot_free;
	knot->lookup = knot_lookup;
	knot->name = "knot";
	SPF_dns_server_t *cache = SPF_dns_cache_new(knot, NULL, 0, CACHE_BITS);
	if (cache == NULL)
		return NULL;
	SPF_dns_cache_set_ttl(cache, CACHE_TTL, CACHE_TTL, CACHE_TTL, CACHE_TTL);
	SPF_server_t *s = SPF_server_new_dns(cache, 0);
	if (s != NULL && receiver != NULL)
		SPF_server_set_rec_dom(s, receiver);
	return s;
}

struct query {
	char ip[64], helo[256], sender[1024];
};

static int parse_query(char *line, struct query *q)
{
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	if (sscanf(line, "%63s %255s %1023s", q->ip, q->helo, q->sender) != 3)
		return -1;
	return 0;
}

/* One evaluation: the result, and the explanation of a fail (or NULL). */
static SPF_result_t evaluate(SPF_server_t *s, const struct query *q, char *exp, size_t explen)
{
	SPF_request_t *req = SPF_request_new(s);
	SPF_response_t *resp = NULL;
	SPF_result_t res = SPF_RESULT_INVALID;
	if (exp)
		exp[0] = '\0';
	if (req == NULL)
		return res;
	int bad = strchr(q->ip, ':') ? SPF_request_set_ipv6_str(req, q->ip)
				     : SPF_request_set_ipv4_str(req, q->ip);
	if (bad) {
		SPF_request_free(req);
		return res;
	}
	SPF_request_set_helo_dom(req, q->helo);
	if (strcmp(q->sender, "-") != 0)
		SPF_request_set_env_from(req, strcmp(q->sender, "<>") == 0 ? "" : q->sender);
	SPF_errcode_t err = SPF_request_query_mailfrom(req, &resp);
	if (resp != NULL) {
		res = SPF_response_result(resp);
		if (trace)
			for (int i = 0; i < SPF_response_messages(resp); i++) {
				SPF_error_t *m = SPF_response_message(resp, i);
				fprintf(stderr, "libspf2 says: %s %d: %s\n",
					SPF_error_errorp(m) ? "error" : "warning",
					(int)SPF_error_code(m), SPF_error_message(m));
			}
		/* no result, only an error code: say which */
		if (res == SPF_RESULT_INVALID && exp && err != SPF_E_SUCCESS)
			snprintf(exp, explen, "%s", SPF_strerror(err));
		const char *e = SPF_response_get_explanation(resp);
		if (exp && e && res == SPF_RESULT_FAIL && err == SPF_E_SUCCESS)
			snprintf(exp, explen, "%s", e);
		SPF_response_free(resp);
	}
	SPF_request_free(req);
	return res;
}

static const char *result_name(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_NEUTRAL: return "neutral";
	case SPF_RESULT_PASS: return "pass";
	case SPF_RESULT_FAIL: return "fail";
	case SPF_RESULT_SOFTFAIL: return "softfail";
	case SPF_RESULT_NONE: return "none";
	case SPF_RESULT_TEMPERROR: return "temperror";
	case SPF_RESULT_PERMERROR: return "permerror";
	default: return "invalid";
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: libspf2 check --dns HOST:PORT [--receiver NAME] < QUERIES\n"
			"       libspf2 bench --dns HOST:PORT [-n COUNT] [-t SECONDS] QUERIES\n");
	return 64;
}

int main(int argc, char **argv)
{
	const char *dns = NULL, *receiver = NULL, *file = NULL;
	long count = 100000;
	double seconds = 10;
	if (argc < 2)
		return usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dns") == 0 && i + 1 < argc)
			dns = argv[++i];
		else if (strcmp(argv[i], "--receiver") == 0 && i + 1 < argc)
			receiver = argv[++i];
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return usage();
	}
	trace = getenv("LIBSPF2_TRACE") != NULL;
	if (dns == NULL || knot_init(dns) != 0) {
		fprintf(stderr, "libspf2: --dns HOST:PORT (IPv4) is needed\n");
		return 64;
	}
	char line[2048], exp[4096];
	struct query q;
	if (strcmp(argv[1], "check") == 0) {
		while (fgets(line, sizeof line, stdin)) {
			if (parse_query(line, &q) != 0) {
				printf("invalid\t\n");
				continue;
			}
			SPF_server_t *s = server_new(receiver);
			if (s == NULL)
				return 70;
			SPF_result_t r = evaluate(s, &q, exp, sizeof exp);
			printf("%s\t%s\n", result_name(r), exp);
			fflush(stdout);
			SPF_server_free(s);
		}
		return 0;
	}
	if (strcmp(argv[1], "bench") != 0 || file == NULL)
		return usage();
	FILE *f = fopen(file, "r");
	if (f == NULL) {
		perror(file);
		return 66;
	}
	struct query *qs = NULL;
	size_t nq = 0, capq = 0;
	while (fgets(line, sizeof line, f)) {
		if (nq == capq) {
			capq = capq ? capq * 2 : 256;
			qs = realloc(qs, capq * sizeof *qs);
			if (qs == NULL)
				return 70;
		}
		if (parse_query(line, &qs[nq]) == 0)
			nq++;
	}
	fclose(f);
	if (nq == 0)
		return 65;
	SPF_server_t *s = server_new(receiver);
	if (s == NULL)
		return 70;
	long done = 0, tally[8] = {0};
	double t0 = now(), t = t0;
	while (done < count && t - t0 < seconds) {
		SPF_result_t r = evaluate(s, &qs[done % (long)nq], NULL, 0);
		tally[(unsigned)r < 8 ? r : 0]++;
		done++;
		if ((done & 63) == 0)
			t = now();
	}
	t = now();
	printf("libspf2: evaluations=%ld seconds=%.3f\n", done, t - t0);
	fprintf(stderr, "libspf2 results:");
	for (int r = 0; r < 8; r++)
		if (tally[r])
			fprintf(stderr, " %s=%ld", result_name((SPF_result_t)r), tally[r]);
	fprintf(stderr, "\n");
	SPF_server_free(s);
	free(qs);
	return 0;
}
