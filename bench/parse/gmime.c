/* GMime 3 side of bench/parse: parse every message, walk every part (into
 * message/rfc822 too) and decode every leaf's content in full.
 *
 *   gmime-parse [--mbox] [-l LIST] [FILE...]
 *
 * FILE: one message each (or, with --mbox, an mbox of many); LIST: a file of
 * such names, one a line. Prints one line:
 *   gmime: messages=N parts=N input=BYTES decoded=BYTES seconds=S maxrss_kb=K
 * seconds counts parsing and decoding only, not start-up. */
#include <gmime/gmime.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

struct totals {
	unsigned long messages, parts;
	unsigned long long input, decoded;
};

static void walk(GMimeObject *obj, struct totals *t);

/* Decode a leaf into a null stream: GMime applies the transfer decoding filter
 * in g_mime_data_wrapper_write_to_stream; the null stream counts the output. */
static void decode_leaf(GMimePart *part, struct totals *t)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	if (!content)
		return;
	GMimeStream *null = g_mime_stream_null_new();
	if (g_mime_data_wrapper_write_to_stream(content, null) >= 0)
		t->decoded += GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
}

static void walk_message(GMimeMessage *msg, struct totals *t)
{
	GMimeObject *top = msg ? g_mime_message_get_mime_part(msg) : NULL;
	if (top)
		walk(top, t);
}

static void walk(GMimeObject *obj, struct totals *t)
{
	t->parts++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), t);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_message(g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj)), t);
	} else if (GMIME_IS_PART(obj)) {
		decode_leaf(GMIME_PART(obj), t);
	}
}

/* Parse one file: one message, or every message of an mbox. */
static int parse_file(const char *path, int mbox, struct totals *t)
{
	GError *err = NULL;
	GMimeStream *stream = g_mime_stream_fs_open(path, O_RDONLY, 0, &err);
	if (!stream) {
		fprintf(stderr, "gmime-parse: %s: %s\n", path, err ? err->message : "cannot open");
		g_clear_error(&err);
		return -1;
	}
	struct stat st;
	if (stat(path, &st) == 0)
		t->input += (unsigned long long)st.st_size;
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
	do {
		GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
		if (!msg)
			break;
		t->messages++;
		walk_message(msg, t);
		g_object_unref(msg);
	} while (mbox && !g_mime_parser_eos(parser));
	g_object_unref(parser);
	g_object_unref(stream);
	return 0;
}

/* Every name in the list file, one a line. */
static int parse_list(const char *list, int mbox, struct totals *t)
{
	FILE *f = fopen(list, "r");
	if (!f) {
		fprintf(stderr, "gmime-parse: %s: %s\n", list, strerror(errno));
		return -1;
	}
	char line[4096];
	int status = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && parse_file(line, mbox, t) < 0)
			status = -1;
	}
	fclose(f);
	return status;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct totals t = {0};
	int mbox = 0, status = 0;
	g_mime_init();
	double start = now();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mbox") == 0)
			mbox = 1;
		else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			status |= parse_list(argv[++i], mbox, &t);
		else if (parse_file(argv[i], mbox, &t) < 0)
			status = -1;
	}
	double secs = now() - start;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("gmime: messages=%lu parts=%lu input=%llu decoded=%llu seconds=%.3f maxrss_kb=%ld\n",
	       t.messages, t.parts, t.input, t.decoded, secs, ru.ru_maxrss);
	g_mime_shutdown();
	return status ? 1 : 0;
}
