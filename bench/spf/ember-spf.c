/* ember's side of bench/spf: lib/spf's evaluations driven by lib/io's
 * c-ares adapter, many in flight at once.
 *
 *   ember-spf bench --dns HOST:PORT [-n COUNT] [-t SECONDS] [-j INFLIGHT] QUERIES
 *
 * QUERIES: one query a line, "IP HELO SENDER" (SENDER "-" or "<>": the HELO
 * identity), as bench/spf/libspf2.c and tests/interop/pyspf.py read them.
 * INFLIGHT evaluations (64) run together: each asks its questions
 * (io_dns_ask; a cached answer comes back at once), then one io_dns_wait
 * gives every question in flight its answer; an evaluation that is done
 * is reset (spf_eval_reset) for the next query of the list, round and
 * round, until COUNT evaluations (100000) or SECONDS (10). One io_dns for
 * the run: every answer and every failure kept 300 seconds (cache_seconds),
 * the rule libspf2's and pyspf's sides are given. Prints "ember:
 * evaluations=N seconds=S", and the count of each result on stderr.
 * Exit 64 usage, 65 no query, 66 unreadable file, 69 DNS, 70 internal. */
#include "io.h"
#include "spf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Noreturn void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ember-spf: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

static _Noreturn void usage(void)
{
	die(64, "usage: ember-spf bench --dns HOST:PORT [-n COUNT] [-t SECONDS] [-j INFLIGHT] QUERIES");
}

struct query {
	struct spf_request req;
	char helo[256], sender[1024];
};

static int parse_query(const char *line, struct query *q)
{
	char ip[64];
	memset(q, 0, sizeof *q);
	if (sscanf(line, "%63s %255s %1023s", ip, q->helo, q->sender) != 3)
		return -1;
	if (inet_pton(AF_INET, ip, q->req.ip) == 1)
		q->req.family = 4;
	else if (inet_pton(AF_INET6, ip, q->req.ip) == 1)
		q->req.family = 6;
	else
		return -1;
	int helo = strcmp(q->sender, "-") == 0 || strcmp(q->sender, "<>") == 0;
	q->req.identity = helo ? SPF_HELO : SPF_MAILFROM;
	q->req.sender = helo ? NULL : q->sender;
	q->req.helo = q->helo;
	q->req.receiver = "bench.test";
	q->req.now = (int64_t)time(NULL);
	return 0;
}

static struct query *read_queries(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die(66, "%s: %s", path, strerror(errno));
	struct query *qs = NULL;
	size_t cap = 0;
	char line[2048];
	*n = 0;
	while (fgets(line, sizeof line, f)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(qs = realloc(qs, cap * sizeof *qs)))
				die(70, "out of memory");
		}
		if (parse_query(line, &qs[*n]) == 0)
			(*n)++;
	}
	fclose(f);
	/* the request points into its own query */
	for (size_t i = 0; i < *n; i++) {
		qs[i].req.helo = qs[i].helo;
		if (qs[i].req.sender)
			qs[i].req.sender = qs[i].sender;
	}
	return qs;
}

static void on_answer(void *ctx, const struct dns_question *q, const struct dns_answer *a)
{
	(void)q;
	spf_answer(ctx, a);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *server = NULL, *file = NULL;
	long count = 100000, inflight = 64;
	double seconds = 10;
	if (argc < 2 || strcmp(argv[1], "bench") != 0)
		usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dns") == 0 && i + 1 < argc)
			server = argv[++i];
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
			inflight = strtol(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			usage();
	}
	if (!server || !file || count < 1 || inflight < 1)
		usage();
	size_t nq;
	struct query *qs = read_queries(file, &nq);
	if (nq == 0)
		die(65, "%s: no query", file);
	char err[256];
	struct io_dns_options o = { .server = server, .cache_seconds = 300 };
	struct io_dns *dns = io_dns_new(&o, err, sizeof err);
	if (!dns)
		die(69, "DNS: %s", err);
	if (inflight > count)
		inflight = count;
	struct spf_eval **ev = calloc((size_t)inflight, sizeof *ev);
	if (!ev)
		die(70, "out of memory");
	long started = 0, done = 0, tally[SPF_PERMERROR + 1] = {0};
	double t0 = now(), t = t0;
	for (long i = 0; i < inflight; i++, started++)
		if (!(ev[i] = spf_eval_new(&qs[(size_t)started % nq].req, NULL)))
			die(70, "out of memory");
	long active = inflight;
	while (active > 0) {
		/* each evaluation asks what it can (a cached answer comes back
		 * at once); one that is done takes the next query of the list */
		int waiting = 0;
		for (long i = 0; i < inflight; i++) {
			while (ev[i]) {
				struct dns_question q;
				enum spf_step s = spf_next(ev[i], &q);
				if (s == SPF_QUERY) {
					if (io_dns_ask(dns, &q, on_answer, ev[i]))
						die(70, "out of memory");
					continue;
				}
				if (s == SPF_WAIT) {
					waiting = 1;
					break;
				}
				tally[spf_outcome(ev[i])->result]++;
				done++;
				if (started < count && ((done & 63) || (t = now()) - t0 < seconds)) {
					if (spf_eval_reset(ev[i], &qs[(size_t)started % nq].req))
						die(70, "out of memory");
					started++;
				} else {
					spf_eval_free(ev[i]);
					ev[i] = NULL;
					active--;
					count = started;   /* time is up: start no more */
				}
			}
		}
		/* every question in flight gets its answer */
		if (waiting && io_dns_wait(dns))
			die(69, "DNS: %s", strerror(errno));
	}
	t = now();
	printf("ember: evaluations=%ld seconds=%.3f\n", done, t - t0);
	fprintf(stderr, "ember results:");
	for (int r = 0; r <= SPF_PERMERROR; r++)
		if (tally[r])
			fprintf(stderr, " %s=%ld", spf_result_name((enum spf_result)r), tally[r]);
	fputc('\n', stderr);
	free(ev);
	io_dns_free(dns);
	free(qs);
	return 0;
}
