/* The ARC test suites (../shared/testdata/arc: ValiMail's arc_test_suite),
 * each scenario's txt-records answering lib/dkim's DNS questions. Every
 * test of both files must pass. Prints "arc-validation: P passed, F
 * failed" and "arc-signing: ..." lines, which tests/run counts (skipped
 * when the test data is absent). The YAML is turned into lines by
 * arc2lines.py (with /usr/bin/python3, which has PyYAML).
 *
 * Two readings of the suite, both from its runner (testarc.py):
 * - validation: three tests (cv_fail_i1_as_cv_fail, cv_fail_i2_as2_fail,
 *   cv_fail_i2_as1_fail) expect an empty cv, which is dkimpy's "the chain
 *   is terminated" (None) for a chain with a seal saying cv=fail. RFC 8617
 *   5.2 steps 2 and 3 call that chain fail, and so does lib/dkim: an
 *   empty cv is read as fail.
 * - signing: the fields are compared as testarc.py compares them, white
 *   space removed and the tags as a set (their order free); since b= is
 *   compared too, the signature is the suite's to the bit. An empty
 *   expectation (no_additional_sig) means no set is added. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "hexline.h"

#define TESTDATA "../shared/testdata/arc/"

struct zrec {
	char *name, *txt;
	size_t len;
};

struct zone {
	struct zrec r[16];
	size_t n;
};

static char *unhex_dup(const char *h, size_t *len)
{
	char *b = malloc(strlen(h) / 2 + 2);
	ck_assert_ptr_nonnull(b);
	size_t n = unhex(h, b);
	if (len)
		*len = n;
	return b;
}

static void zone_clear(struct zone *z)
{
	for (size_t i = 0; i < z->n; i++) {
		free(z->r[i].name);
		free(z->r[i].txt);
	}
	z->n = 0;
}

static void answer(const struct zone *z, const struct dns_question *q, struct dns_answer *a,
		   struct dns_record *rec)
{
	a->id = q->id;
	a->records = rec;
	a->count = 0;
	a->status = DNS_NXDOMAIN;
	for (size_t i = 0; i < z->n; i++)
		if (!mime_ascii_casecmp(z->r[i].name, q->name)) {
			*rec = (struct dns_record){z->r[i].txt, z->r[i].len, 0};
			a->count = 1;
			a->status = DNS_OK;
		}
}

/* One message through the validator in chunks of step bytes, the
 * questions answered last asked first. */
static enum dkim_arc_cv validate(struct dkim_arc_verifier *v, const struct zone *z, const char *msg,
				 size_t len, size_t step, const char **why)
{
	struct dns_question pending[64];
	size_t np = 0;
	for (size_t at = 0;; at += step) {
		size_t k = at < len ? (len - at < step ? len - at : step) : 0;
		dkim_arc_verifier_feed(v, msg + at, k);
		struct dns_question q;
		enum dkim_step s;
		while ((s = dkim_arc_verifier_next(v, &q)) == DKIM_QUERY) {
			ck_assert_uint_lt(np, 64);
			pending[np++] = q;
		}
		if (k == 0)
			break;
	}
	for (;;) {
		struct dns_question q;
		enum dkim_step s = dkim_arc_verifier_next(v, &q);
		if (s == DKIM_DONE)
			break;
		if (s == DKIM_QUERY) {
			pending[np++] = q;
			continue;
		}
		ck_assert_uint_gt(np, 0);
		struct dns_answer a;
		struct dns_record rec;
		answer(z, &pending[--np], &a, &rec);
		dkim_arc_verifier_answer(v, &a);
	}
	return dkim_arc_verifier_result(v, why, NULL);
}

/* The tags of a field's value, white space removed, sorted: as testarc.py
 * compares them. */
static void tag_set(const char *value, char *out, size_t cap)
{
	char buf[8192];
	size_t n = 0;
	for (const char *p = value; *p && n + 1 < sizeof buf; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			buf[n++] = *p;
	buf[n] = 0;
	char *tags[64];
	size_t nt = 0;
	char *save;
	for (char *t = strtok_r(buf, ";", &save); t && nt < 64; t = strtok_r(NULL, ";", &save))
		tags[nt++] = t;
	for (size_t i = 1; i < nt; i++)
		for (size_t j = i; j > 0 && strcmp(tags[j - 1], tags[j]) > 0; j--) {
			char *x = tags[j];
			tags[j] = tags[j - 1];
			tags[j - 1] = x;
		}
	out[0] = 0;
	for (size_t i = 0; i < nt; i++) {
		strncat(out, tags[i], cap - strlen(out) - 2);
		strncat(out, ";", cap - strlen(out) - 1);
	}
}

static int same_tags(const char *field, size_t len, const char *want)
{
	char got_v[8192], a[8192], b[8192];
	const char *colon = memchr(field, ':', len);
	ck_assert_ptr_nonnull(colon);
	size_t vl = len - (size_t)(colon + 1 - field);
	ck_assert_uint_lt(vl, sizeof got_v);
	memcpy(got_v, colon + 1, vl);
	got_v[vl] = 0;
	tag_set(got_v, a, sizeof a);
	tag_set(want, b, sizeof b);
	if (strcmp(a, b))
		fprintf(stderr, "  got  %s\n  want %s\n", a, b);
	return !strcmp(a, b);
}

static int sign_test(char **arg, size_t step)
{
	char *srv = unhex_dup(arg[2], NULL), *sel = unhex_dup(arg[3], NULL), *dom = unhex_dup(arg[4], NULL);
	char *hdrs = unhex_dup(arg[5], NULL), *t = unhex_dup(arg[6], NULL), *pem, *msg;
	char *want[3] = {unhex_dup(arg[9], NULL), unhex_dup(arg[10], NULL), unhex_dup(arg[11], NULL)};
	size_t pl, ml;
	pem = unhex_dup(arg[7], &pl);
	msg = unhex_dup(arg[8], &ml);
	struct dkim_key *key = NULL;
	const char *why = NULL;
	ck_assert_int_eq(dkim_key_from_pem(pem, pl, &key, &why), MIME_OK);
	const char *names[32];
	size_t nn = 0;
	char *save;
	for (char *p = strtok_r(hdrs, ":", &save); p && nn < 32; p = strtok_r(NULL, ":", &save))
		names[nn++] = p;
	struct dkim_arc_seal_options o = {
		.domain = dom, .selector = sel, .key = key, .authserv_id = srv, .fields = names,
		.nfields = nn, .flags = DKIM_SIGN_NO_OVERSIGN, .now = atoll(t),
	};
	struct dkim_arc_sealer *s = dkim_arc_sealer_new(&o);
	ck_assert_ptr_nonnull(s);
	for (size_t at = 0; at < ml; at += step)
		dkim_arc_sealer_feed(s, msg + at, ml - at < step ? ml - at : step);
	dkim_arc_sealer_feed(s, NULL, 0);
	const char *f[3];
	size_t fl[3];
	enum dkim_arc_seal_status st = dkim_arc_sealer_fields(s, f, fl);
	int ok;
	if (!*want[0] && !*want[1] && !*want[2]) {
		ok = st == DKIM_ARC_SEAL_ECHAIN;
	} else {
		ok = st == DKIM_ARC_SEAL_OK;
		if (!ok)
			fprintf(stderr, "  sealer: %d %s\n", st, dkim_arc_sealer_error(s, NULL));
		for (int i = 0; ok && i < 3; i++)
			ok = same_tags(f[i], fl[i], want[i]);
	}
	dkim_arc_sealer_free(s);
	dkim_key_free(key);
	free(srv), free(sel), free(dom), free(hdrs), free(t), free(pem), free(msg);
	for (int i = 0; i < 3; i++)
		free(want[i]);
	return ok;
}

static void run(const char *file, const char *label)
{
	char path[512], cmd[1024];
	snprintf(path, sizeof path, TESTDATA "%s", file);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s: 0 passed, 0 failed, 1 skipped\n", label);
		return;
	}
	fclose(f);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/dkim/arc2lines.py %s", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	static char line[1 << 20];
	struct zone z = {0};
	unsigned passed = 0, failed = 0, n = 0;
	struct dkim_arc_verifier *v = dkim_arc_verifier_new(NULL);
	ck_assert_ptr_nonnull(v);
	while (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\n")] = 0;
		char *arg[13] = {0};
		size_t na = 0;
		char *save;
		for (char *w = strtok_r(line, " ", &save); w && na < 13; w = strtok_r(NULL, " ", &save))
			arg[na++] = w;
		if (!na)
			continue;
		if (!strcmp(arg[0], "S")) {
			zone_clear(&z);
		} else if (!strcmp(arg[0], "Z")) {
			ck_assert_uint_eq(na, 3);
			ck_assert_uint_lt(z.n, 16);
			z.r[z.n].name = unhex_dup(arg[1], NULL);
			z.r[z.n].txt = unhex_dup(arg[2], &z.r[z.n].len);
			z.n++;
		} else if (!strcmp(arg[0], "V")) {
			ck_assert_uint_eq(na, 4);
			char name[256], want[64];
			unhex(arg[1], name);
			unhex(arg[2], want);
			size_t ml;
			char *msg = unhex_dup(arg[3], &ml);
			/* every test whole and in a chunking of its own */
			const char *why = NULL;
			dkim_arc_verifier_reset(v);
			enum dkim_arc_cv cv = validate(v, &z, msg, ml, ml ? ml : 1, &why);
			dkim_arc_verifier_reset(v);
			enum dkim_arc_cv cv2 = validate(v, &z, msg, ml, 1 + n % 13, &why);
			const char *got = dkim_arc_cv_name(cv);
			int ok = cv == cv2 && (!mime_ascii_casecmp(want, got) || (!*want && cv == DKIM_ARC_FAIL));
			if (ok) {
				passed++;
			} else {
				failed++;
				fprintf(stderr, "%s: %s FAILED: want %s, got %s (%s)\n", label, name,
					*want ? want : "(empty)", got, why ? why : "");
			}
			free(msg);
			n++;
		} else if (!strcmp(arg[0], "G")) {
			ck_assert_uint_eq(na, 12);
			char name[256];
			unhex(arg[1], name);
			int ok = sign_test(arg, 1 + n % 7);
			if (ok) {
				passed++;
			} else {
				failed++;
				fprintf(stderr, "%s: %s FAILED\n", label, name);
			}
			n++;
		}
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_gt(n, 0);
	zone_clear(&z);
	dkim_arc_verifier_free(v);
	printf("%s: %u passed, %u failed\n", label, passed, failed);
	fflush(stdout);
	ck_assert_uint_eq(failed, 0);
}

START_TEST(validation) { run("arc-draft-validation-tests.yml", "arc-validation"); }
END_TEST

START_TEST(signing) { run("arc-draft-sign-tests.yml", "arc-signing"); }
END_TEST

Suite *suite_arc_suite(void);
Suite *suite_arc_suite(void)
{
	Suite *s = suite_create("arc-suite");
	TCase *tc = tcase_create("arc_test_suite");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, signing);
	suite_add_tcase(s, tc);
	return s;
}
