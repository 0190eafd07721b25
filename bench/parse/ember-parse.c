/* ember side of bench/parse: parse every message with lib/mime's streaming
 * parser, undoing every leaf's transfer encoding (as gmime-parse does).
 *
 *   ember-parse [--mbox] [-l LIST] [FILE...]
 *
 * Prints: ember: messages=N parts=N input=BYTES decoded=BYTES seconds=S maxrss_kb=K
 * (seconds: parsing and decoding only). Files are read in 64 KB pieces, so
 * memory stays flat whatever the message size. */
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct totals {
	unsigned long messages, parts;
	unsigned long long input, decoded;
	double seconds;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int drain(struct mime_parser *p, struct totals *t)
{
	struct mime_event ev;
	for (;;) {
		switch (mime_parser_next(p, &ev)) {
		case MIME_AWAIT:
			return 0;
		case MIME_END:
			return 1;
		case MIME_ERROR:
			fprintf(stderr, "ember-parse: %s\n", ev.message);
			return 1;
		case MIME_PART_BEGIN:
			t->parts++;
			break;
		case MIME_BODY:
			if (ev.body_kind == MIME_BODY_LEAF)
				t->decoded += ev.len;
			break;
		default:
			break;
		}
	}
}

/* One message from a memory buffer (mbox mode) */
static void parse_mem(const char *s, size_t n, struct totals *t)
{
	double t0 = now();
	struct mime_parser *p = mime_parser_new(NULL, MIME_DECODE_CTE);
	for (size_t at = 0; at < n; at += 65536) {
		size_t k = n - at < 65536 ? n - at : 65536;
		mime_parser_feed(p, s + at, k);
		if (drain(p, t))
			break;
	}
	mime_parser_feed(p, NULL, 0);
	drain(p, t);
	mime_parser_free(p);
	t->messages++;
	t->input += n;
	t->seconds += now() - t0;
}

static void parse_file(const char *path, int mbox, struct totals *t)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(66);
	}
	static char buf[65536];
	if (!mbox) {
		double t0 = now();
		struct mime_parser *p = mime_parser_new(NULL, MIME_DECODE_CTE);
		size_t n;
		int done = 0;
		while (!done && (n = fread(buf, 1, sizeof buf, f)) > 0) {
			t->input += n;
			mime_parser_feed(p, buf, n);
			done = drain(p, t);
		}
		mime_parser_feed(p, NULL, 0);
		drain(p, t);
		mime_parser_free(p);
		t->messages++;
		t->seconds += now() - t0;
		fclose(f);
		return;
	}
	struct mime_buf all = {0};
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (mime_buf_append(&all, buf, n))
			exit(70);
	fclose(f);
	/* mbox: messages start at "From " lines */
	size_t start = 0;
	for (size_t i = 0; i + 5 <= all.len; i++) {
		if ((i == 0 || all.data[i - 1] == '\n') && memcmp(all.data + i, "From ", 5) == 0 && i > start) {
			parse_mem(all.data + start, i - start, t);
			start = i;
		}
	}
	if (start < all.len)
		parse_mem(all.data + start, all.len - start, t);
	mime_buf_free(&all);
}

int main(int argc, char **argv)
{
	struct totals t = {0};
	int mbox = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mbox") == 0) {
			mbox = 1;
		} else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc) {
			FILE *l = fopen(argv[++i], "r");
			char line[4096];
			if (!l) {
				perror(argv[i]);
				return 66;
			}
			while (fgets(line, sizeof line, l)) {
				line[strcspn(line, "\n")] = '\0';
				if (*line)
					parse_file(line, mbox, &t);
			}
			fclose(l);
		} else {
			parse_file(argv[i], mbox, &t);
		}
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("ember: messages=%lu parts=%lu input=%llu decoded=%llu seconds=%.3f maxrss_kb=%ld\n",
	       t.messages, t.parts, t.input, t.decoded, t.seconds, ru.ru_maxrss);
	return 0;
}
