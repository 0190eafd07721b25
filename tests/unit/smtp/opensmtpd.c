/* The OpenSMTPD regress cases (../shared/testdata/smtp/
 * opensmtpd-regress-cases.json, converted by cases2lines.py) against the
 * server machine, with OpenSMTPD's limits of test.smtp2 (the 5th error
 * disconnects, 1000 RCPTs, 100 messages). Prints
 * "smtp-opensmtpd: P passed, F failed, S skipped". Cases that need what
 * the machine deliberately does otherwise are skipped, with the reason. */
#include "harness.h"

#define CASES "../shared/testdata/smtp/opensmtpd-regress-cases.json"

static size_t unhex(const char *h, char *out, size_t room)
{
	size_t n = 0;
	if (!strcmp(h, "-"))
		return 0;
	for (; h[0] && h[1] && n + 1 < room; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (char)v;
	}
	out[n] = 0;
	return n;
}

struct tcase {
	char name[64];
	char lines[4096][128];
	char kind[4096];   /* 'S' send, 'E' expect, 'T' starttls */
	size_t n;
};

/* Why a case is skipped, or NULL. */
static const char *skip_reason(const struct tcase *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->kind[i] != 'S')
			continue;
		if (strchr(c->lines[i], '\n'))
			return "a bare LF inside a command line is refused (RFC 5321 2.3.8), "
			       "OpenSMTPD took it as part of the address";
		if (strstr(c->lines[i], "MAIL FROM: <@>"))
			return "<@> is not an RFC 5321 path; the null reverse path is <>";
		if (strstr(c->lines[i], "<whatever:"))
			return "'whatever:' is no RFC 5321 source route (A-d-l is @domain): "
			       "the strict path grammar fails closed";
	}
	return NULL;
}

/* Run one case: NULL when it passes, else what went wrong. */
static const char *run_case(const struct tcase *c, char *why, size_t wn)
{
	struct smtp_server_options o = {
		.hostname = "regress.example", .flags = SMTP_SRV_STARTTLS,
		.max_errors = 4, .max_rcpts = 1000, .max_messages = 100,
	};
	struct drv *d = drv_new(&o);
	size_t pos = 0;
	const char *res = NULL;
	for (size_t i = 0; i < c->n && !res; i++) {
		const char *l = c->lines[i];
		if (c->kind[i] == 'S') {
			char buf[200];
			snprintf(buf, sizeof buf, "%s\r\n", l);
			drv_feed(d, buf);
			if (d->out_len > (1u << 19)) {  /* keep the collector small */
				memmove(d->out, d->out + pos, d->out_len - pos);
				d->out_len -= pos;
				pos = 0;
			}
		} else if (c->kind[i] == 'T') {
			smtp_server_tls_started(d->s);
			drv_run(d);
		} else if (!strcmp(l, "disconnect")) {
			if (!d->closed) {
				snprintf(why, wn, "step %zu: no disconnect", i);
				res = why;
			}
		} else {
			int nl;
			int code = drv_next_reply(d, &pos, &nl);
			int ok = !code ? 0
				: !strcmp(l, "smtp") ? 1
				: !strcmp(l, "ok") || !strcmp(l, "helo") ? code < 400
				: !strcmp(l, "tempfail") ? code / 100 == 4
				: !strcmp(l, "permfail") ? code / 100 == 5 : 0;
			if (!ok) {
				snprintf(why, wn, "step %zu: want %s, got %d", i, l, code);
				res = why;
			}
		}
	}
	drv_free(d);
	return res;
}

START_TEST(opensmtpd_cases)
{
	char cmd[512];
	FILE *t = fopen(CASES, "r");
	if (!t) {
		printf("smtp-opensmtpd: 0 passed, 0 failed, 1 skipped\n");
		printf("SKIP " CASES ": absent\n");
		return;
	}
	fclose(t);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/smtp/cases2lines.py %s", CASES);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	static struct tcase c;
	int pass = 0, failn = 0, skipn = 0, have = 0;
	char line[8192];
	char why[200];
	for (;;) {
		char *got = fgets(line, sizeof line, f);
		if (!got || line[0] == 'C') {
			if (have) {
				const char *r = skip_reason(&c);
				if (r) {
					skipn++;
					printf("SKIP %s: %s\n", c.name, r);
				} else if ((r = run_case(&c, why, sizeof why))) {
					failn++;
					printf("FAIL %s: %s\n", c.name, r);
				} else {
					pass++;
				}
			}
			if (!got)
				break;
			char file[64];
			int idx;
			sscanf(line, "C %63s %d", file, &idx);
			snprintf(c.name, sizeof c.name, "%.40s#%d", file, idx);
			c.n = 0;
			have = 1;
			continue;
		}
		line[strcspn(line, "\n")] = 0;
		ck_assert_uint_lt(c.n, 4096);
		c.kind[c.n] = line[0];
		if (line[0] == 'S')
			unhex(line + 2, c.lines[c.n], sizeof c.lines[0]);
		else if (line[0] == 'E')
			snprintf(c.lines[c.n], sizeof c.lines[0], "%.100s", line + 2);
		else
			c.lines[c.n][0] = 0;
		c.n++;
	}
	ck_assert_int_eq(pclose(f), 0);
	printf("smtp-opensmtpd: %d passed, %d failed, %d skipped\n", pass, failn, skipn);
	fflush(stdout);
	ck_assert_int_eq(failn, 0);
	ck_assert_int_ge(pass, 60);
}
END_TEST

Suite *suite_opensmtpd(void)
{
	Suite *s = suite_create("smtp-opensmtpd");
	TCase *t = tcase_create("regress");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, opensmtpd_cases);
	suite_add_tcase(s, t);
	return s;
}
