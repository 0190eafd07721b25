/* SMTP smuggling (CVE-2023-51764/51765/51766): each malformed end-of-data
 * sequence of ../shared/testdata/smtp/smuggling-eod-sequences.json, sent
 * between a first message and a complete smuggled transaction, then the
 * real CRLF.CRLF: never two messages, never a second MAIL; rejecting (the
 * default), the message is refused; normalising, it is one message that
 * holds the smuggled text. Whole and one byte at a time. */
#include "harness.h"

#define SEQS "../shared/testdata/smtp/smuggling-eod-sequences.json"

static size_t unhex(const char *h, char *out)
{
	size_t n = 0;
	for (; h[0] && h[1] && h[0] != ' '; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (char)v;
	}
	return n;
}

static int contains(const char *h, size_t hn, const char *n)
{
	size_t nn = strlen(n);
	for (size_t i = 0; i + nn <= hn; i++)
		if (!memcmp(h + i, n, nn))
			return 1;
	return 0;
}

static void probe(const char *seq, size_t sn, const char *name, unsigned flags, size_t step)
{
	char buf[1024];
	size_t n = 0;
	const char *pre = "EHLO attacker.example\r\nMAIL FROM:<a@attacker.example>\r\n"
			  "RCPT TO:<v@victim.example>\r\nDATA\r\nFrom: a@attacker.example\r\n\r\nfirst";
	const char *smuggled = "MAIL FROM:<ceo@victim.example>\r\nRCPT TO:<v@victim.example>\r\n"
			       "DATA\r\nFrom: ceo@victim.example\r\n\r\nsmuggled";
	n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", pre);
	memcpy(buf + n, seq, sn);
	n += sn;
	n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\r\n.\r\nQUIT\r\n", smuggled);
	struct smtp_server_options o = {.flags = flags};
	struct drv *d = drv_new(&o);
	drv_feed_step(d, buf, n, step);
	if (d->nmail != 1 || d->nmsgs > 1)
		ck_abort_msg("%s: %d MAIL, %d messages", name, d->nmail, d->nmsgs);
	int has_nul = memchr(seq, 0, sn) != NULL;
	if (!(flags & SMTP_SRV_NORMALISE) || has_nul) {
		if (d->nmsgs != 0 || d->naborts != 1)
			ck_abort_msg("%s: %d messages, %d refused", name, d->nmsgs, d->naborts);
	} else {
		if (d->nmsgs != 1)
			ck_abort_msg("%s (normalised): %d messages", name, d->nmsgs);
		/* the smuggled transaction is text of the one message, in CRLF lines */
		ck_assert(contains(d->msgs[0], d->msg_lens[0], "MAIL FROM:<ceo@victim.example>\r\n"));
		for (size_t i = 0; i < d->msg_lens[0]; i++) {
			if (d->msgs[0][i] == '\n')
				ck_assert(i > 0 && d->msgs[0][i - 1] == '\r');
			if (d->msgs[0][i] == '\r')
				ck_assert(i + 1 < d->msg_lens[0] && d->msgs[0][i + 1] == '\n');
		}
	}
	ck_assert_int_eq(d->closed, 1);
	drv_free(d);
}

START_TEST(smuggling_sequences)
{
	FILE *t = fopen(SEQS, "r");
	if (!t) {
		printf("SKIP " SEQS ": absent\n");
		return;
	}
	fclose(t);
	FILE *f = popen("/usr/bin/python3 tests/unit/smtp/cases2lines.py " SEQS, "r");
	ck_assert_ptr_nonnull(f);
	char line[512];
	int count = 0;
	while (fgets(line, sizeof line, f)) {
		char seq[64], name[64] = "-";
		ck_assert(line[0] == 'Q');
		size_t sn = unhex(line + 2, seq);
		sscanf(line + 2, "%*s %63s", name);
		for (size_t step = 0; step <= 1; step++) {
			probe(seq, sn, name, 0, step);
			probe(seq, sn, name, SMTP_SRV_NORMALISE, step);
			probe(seq, sn, name, SMTP_SRV_CHUNKING, step);
		}
		count++;
	}
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_int_eq(count, 12);
}
END_TEST

/* The valid terminator itself ends the message, in any chunking. */
START_TEST(real_terminator)
{
	for (size_t step = 0; step <= 3; step++) {
		struct drv *d = drv_new(NULL);
		const char *s = "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\nx\r\n.\r\n"
				"MAIL FROM:<a@b.c>\r\nRCPT TO:<a@b.c>\r\nDATA\r\ny\r\n.\r\n";
		drv_feed_step(d, s, strlen(s), step);
		ck_assert_int_eq(d->nmsgs, 2);
		drv_free(d);
	}
}
END_TEST

Suite *suite_smuggling(void)
{
	Suite *s = suite_create("smtp-smuggling");
	TCase *t = tcase_create("smuggling");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, smuggling_sequences);
	tcase_add_test(t, real_terminator);
	suite_add_tcase(s, t);
	return s;
}
