/* The openspf test suites (../shared/testdata/spf), each scenario's zone
 * data answering lib/spf's DNS questions. Both must pass whole: where RFC
 * 7208 changed an answer of RFC 4408 (void lookups, the SPF RR type, ...),
 * the 4408 file accepts either (18 of its tests give a list of results). Prints "spf-rfc7208: P passed, F failed" lines,
 * which tests/run counts. The YAML is turned into lines by
 * suite2lines.py (with /usr/bin/python3, which has PyYAML). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf.h"
#include "hexline.h"

#define TESTDATA "../shared/testdata/spf/"

struct zrec {
	char *name, type[32];
	char *value;
	size_t vlen;
};

struct zone {
	struct zrec *r;
	size_t n, cap;
};

static int name_eq(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);
	if (an && a[an - 1] == '.')
		an--;
	if (bn && b[bn - 1] == '.')
		bn--;
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		int x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
	}
	return 1;
}

static const char *type_name(enum dns_type t)
{
	switch (t) {
	case DNS_A: return "A";
	case DNS_AAAA: return "AAAA";
	case DNS_MX: return "MX";
	case DNS_PTR: return "PTR";
	case DNS_TXT: return "TXT";
	case DNS_CNAME: return "CNAME";
	default: return "?";
	}
}

/* The test drivers' rules (pyspf's testspf.py): an SPF record stands for a
 * TXT record when the name has no TXT entry (not even "TXT: NONE"); the
 * entries are read in order, and TIMEOUT times out the question unless a
 * record of its type came before it. */
static int has_txt(const struct zone *z, const char *name)
{
	for (size_t i = 0; i < z->n; i++)
		if (name_eq(z->r[i].name, name) &&
		    (strcmp(z->r[i].type, "TXT") == 0 ||
		     (strcmp(z->r[i].type, "NONE") == 0 && strcmp(z->r[i].value, "TXT") == 0)))
			return 1;
	return 0;
}

#define MAXREC 64

static void answer(const struct zone *z, const struct dns_question *q, struct dns_answer *a,
		   struct dns_record *recs, char bufs[MAXREC][4096])
{
	char name[DNS_NAME_MAX + 1];
	snprintf(name, sizeof name, "%s", q->name);
	a->id = q->id;
	a->records = recs;
	a->count = 0;
	for (int chase = 0; chase < 8; chase++) {
		int exists = 0, cname = -1;
		const char *want = type_name(q->type);
		int txt_from_spf = q->type == DNS_TXT && !has_txt(z, name);
		for (size_t i = 0; i < z->n; i++) {
			const struct zrec *r = &z->r[i];
			if (!name_eq(r->name, name))
				continue;
			exists = 1;
			if (strcmp(r->type, "TIMEOUT") == 0) {
				if (a->count == 0) {
					a->status = DNS_TIMEOUT;
					return;
				}
				break;
			}
			if (strcmp(r->type, "CNAME") == 0 && q->type != DNS_CNAME)
				cname = (int)i;
			int match = strcmp(r->type, want) == 0 ||
				    (txt_from_spf && strcmp(r->type, "SPF") == 0);
			if (!match || a->count == MAXREC)
				continue;
			char *b = bufs[a->count];
			struct dns_record *d = &recs[a->count];
			d->preference = 0;
			if (q->type == DNS_A || q->type == DNS_AAAA) {
				int af = q->type == DNS_A ? AF_INET : AF_INET6;
				if (inet_pton(af, r->value, b) != 1)
					continue;
				d->len = q->type == DNS_A ? 4 : 16;
			} else if (q->type == DNS_MX) {
				unsigned pref;
				char host[1024];
				if (sscanf(r->value, "%u %1023s", &pref, host) != 2)
					continue;
				d->preference = pref;
				snprintf(b, 4096, "%s", host);
				d->len = strlen(b);
			} else {
				size_t n = r->vlen < 4095 ? r->vlen : 4095;
				memcpy(b, r->value, n);
				d->len = n;
			}
			d->data = b;
			a->count++;
		}
		if (a->count) {
			a->status = DNS_OK;
			return;
		}
		if (cname >= 0) {
			snprintf(name, sizeof name, "%s", z->r[cname].value);
			continue;
		}
		a->status = exists ? DNS_NODATA : DNS_NXDOMAIN;
		return;
	}
	a->status = DNS_ERROR;
}

/* One evaluation driven from the zone; questions are answered last asked
 * first, to show the order of answers does not matter. */
static const struct spf_outcome *evaluate(struct spf_eval *e, const struct zone *z)
{
	static struct dns_record recs[MAXREC];
	static char bufs[MAXREC][4096];
	struct dns_question pending[300];
	size_t np = 0;
	for (;;) {
		struct dns_question q;
		enum spf_step s = spf_next(e, &q);
		if (s == SPF_QUERY) {
			ck_assert_uint_lt(np, 300);
			pending[np++] = q;
			continue;
		}
		if (s == SPF_WAIT) {
			ck_assert_uint_gt(np, 0);
			struct dns_answer a;
			answer(z, &pending[--np], &a, recs, bufs);
			spf_answer(e, &a);
			continue;
		}
		return spf_outcome(e);
	}
}

static void run_suite(const char *file, const char *label)
{
	char path[512], cmd[1024];
	snprintf(path, sizeof path, TESTDATA "%s", file);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s: 0 passed, 0 failed, 1 skipped\n", label);
		return;
	}
	fclose(f);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/spf/suite2lines.py %s", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	struct zone z = { 0 };
	static char line[65536], a1[16384], a2[16384], a3[16384], a4[16384], a5[256], a6[16384];
	static char v[16384];
	unsigned passed = 0, failed = 0, lines = 0;
	struct spf_eval *e = NULL;
	while (fgets(line, sizeof line, p)) {
		lines++;
		if (line[0] == 'S') {
			for (size_t i = 0; i < z.n; i++) {
				free(z.r[i].name);
				free(z.r[i].value);
			}
			z.n = 0;
			continue;
		}
		if (line[0] == 'Z') {
			char t[32];
			ck_assert_int_eq(sscanf(line, "Z %16383s %31s %16383s", a1, t, a2), 3);
			if (z.n == z.cap) {
				z.cap = z.cap ? 2 * z.cap : 64;
				z.r = realloc(z.r, z.cap * sizeof *z.r);
				ck_assert_ptr_nonnull(z.r);
			}
			struct zrec *r = &z.r[z.n++];
			unhex(a1, v);
			r->name = strdup(v);
			snprintf(r->type, sizeof r->type, "%s", t);
			r->vlen = unhex(a2, v);
			r->value = malloc(r->vlen + 1);
			memcpy(r->value, v, r->vlen + 1);
			continue;
		}
		if (line[0] != 'T')
			continue;
		char tname[256], host[256], helo[1024], from[1024], exp[4096];
		ck_assert_int_eq(sscanf(line, "T %16383s %16383s %16383s %16383s %255s %16383s", a1, a2, a3,
					a4, a5, a6), 6);
		unhex(a1, tname);
		unhex(a2, host);
		unhex(a3, helo);
		unhex(a4, from);
		int has_exp = strcmp(a6, "-") != 0;
		unhex(a6, exp);
		struct spf_request req = { .helo = helo, .sender = from, .receiver = "receiver.test",
					   .now = 1700000000 };
		if (inet_pton(AF_INET, host, req.ip) == 1)
			req.family = 4;
		else {
			ck_assert_int_eq(inet_pton(AF_INET6, host, req.ip), 1);
			req.family = 6;
		}
		if (!e)
			e = spf_eval_new(&req, NULL);
		else
			ck_assert_int_eq(spf_eval_reset(e, &req), 0);
		ck_assert_ptr_nonnull(e);
		const struct spf_outcome *o = evaluate(e, &z);
		const char *got = spf_result_name(o->result);
		int ok = 0;
		char *save, *res = a5;
		for (char *w = strtok_r(res, ",", &save); w; w = strtok_r(NULL, ",", &save))
			ok |= strcmp(w, got) == 0;
		/* the explanation: "DEFAULT" is any default text; compared
		 * without case (the suite writes %{ir} nibbles of an IPv6
		 * address in upper case, RFC 7208 7.3's example in lower) */
		if (ok && has_exp && strcmp(exp, "DEFAULT") != 0)
			ok = o->explanation && strcasecmp(o->explanation, exp) == 0;
		if (ok) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "%s: %s FAILED: want %s%s%s, got %s (%s) exp=%s\n", label, tname,
				a5, has_exp ? " exp=" : "", has_exp ? exp : "", got,
				o->problem_text ? o->problem_text : o->mechanism ? o->mechanism : "",
				o->explanation ? o->explanation : "-");
		}
	}
	int st = pclose(p);
	ck_assert_int_eq(st, 0);
	ck_assert_uint_gt(lines, 0);
	for (size_t i = 0; i < z.n; i++) {
		free(z.r[i].name);
		free(z.r[i].value);
	}
	free(z.r);
	spf_eval_free(e);
	printf("%s: %u passed, %u failed\n", label, passed, failed);
	fflush(stdout);
	ck_assert_uint_eq(failed, 0);
}

START_TEST(rfc7208) { run_suite("rfc7208-tests.yml", "spf-rfc7208"); }
END_TEST

START_TEST(rfc4408) { run_suite("rfc4408-tests.yml", "spf-rfc4408"); }
END_TEST

Suite *suite_suite(void)
{
	Suite *s = suite_create("spf-suite");
	TCase *tc = tcase_create("openspf");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rfc7208);
	tcase_add_test(tc, rfc4408);
	suite_add_tcase(s, tc);
	return s;
}
