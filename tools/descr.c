/* ember descr: the MIME structure of messages, as a tree or as JSON. */
#include "cli.h"
#include "fields.h"
#include "json.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cmd = {
	.name = "descr",
	.summary = "describe the MIME structure of messages (tree or JSON)",
	.usage =
	"Usage: ember descr [--json] [FILE...]\n"
	"Print the structure of each message (stdin when no FILE): per part its\n"
	"number (1, 1.1, 1.2.1, ...), type, charset, transfer encoding,\n"
	"disposition, file name and decoded size. What was wrong and tolerated (a\n"
	"line that is not a field, which ends the header, a repeated From, bad\n"
	"base64, a missing close delimiter, ...) is reported on stderr as\n"
	"FILE:LINE: what; the exit status stays 0 for it.\n"
	"  -j, --json     one JSON object per message, one message per line\n"
	"  -h, --help     this help\n"
	"      --version  the version\n"
	"Exit status: 0; 65 when a message cannot be read (a limit); 66 when a\n"
	"file cannot be opened.\n",
};

struct node {
	int container;   /* multipart or message: has "parts" */
	int nparts;      /* children printed so far (JSON commas) */
	uint64_t size;
};

struct descr {
	int json;
	struct node stack[80];
	int depth;
	int overflow;    /* parts deeper than the stack: counted, not printed */
	FILE *out;       /* this message's output, written only when it parses */
};

static void begin_node(struct descr *d, const struct mime_part_info *pi)
{
	if (d->depth >= (int)(sizeof d->stack / sizeof d->stack[0])) {
		d->overflow++;
		return;
	}
	struct node *parent = d->depth ? &d->stack[d->depth - 1] : NULL;
	struct node *n = &d->stack[d->depth++];
	n->container = pi->multipart || pi->message;
	n->nparts = 0;
	n->size = 0;
	if (!d->json) {
		fprintf(d->out, "%*s%s %s/%s", (int)pi->depth * 2, "", pi->path, pi->type, pi->subtype);
		if (pi->charset)
			fprintf(d->out, " charset=%s", pi->charset);
		if (pi->cte_name)
			fprintf(d->out, " encoding=%s", pi->cte_name);
		if (pi->disposition)
			fprintf(d->out, " disposition=%s", pi->disposition);
		if (pi->filename) {
			fputs(" filename=", d->out);
			json_str(d->out, pi->filename, strlen(pi->filename));
		}
		if (n->container)
			fputc('\n', d->out);
		return;
	}
	if (parent && parent->nparts++)
		fputc(',', d->out);
	int first = 1;
	char type[160];
	snprintf(type, sizeof type, "%s/%s", pi->type, pi->subtype);
	fputc('{', d->out);
	json_kv_str(d->out, &first, "type", type);
	json_kv_str(d->out, &first, "charset", pi->charset);
	json_kv_str(d->out, &first, "encoding", pi->cte_name);
	json_kv_str(d->out, &first, "disposition", pi->disposition);
	json_kv_str(d->out, &first, "filename", pi->filename);
	if (n->container)
		fputs(",\"parts\":[", d->out);
}

static void end_node(struct descr *d)
{
	if (d->overflow) {
		d->overflow--;
		return;
	}
	struct node *n = &d->stack[--d->depth];
	if (d->json) {
		if (n->container)
			fputs("]}", d->out);
		else
			fprintf(d->out, ",\"size\":%llu}", (unsigned long long)n->size);
	} else if (!n->container) {
		fprintf(d->out, " size=%llu\n", (unsigned long long)n->size);
	}
}

/* Parse one message from f; returns 0, or 65 when it is not readable as mail. */
static int describe(FILE *f, const char *where, struct descr *d)
{
	struct mime_parser *p = mime_parser_new(NULL, MIME_DECODE_CTE | MIME_MBOX_FROM);
	if (!p)
		cli_die(EX_SOFTWARE, where, "out of memory");
	static char buf[1 << 16];
	struct mime_event ev;
	int status = 0, done = 0;
	char *text = NULL;
	size_t text_len = 0;
	d->depth = d->overflow = 0;
	d->out = open_memstream(&text, &text_len);
	if (!d->out)
		cli_die(EX_SOFTWARE, where, "out of memory");
	while (!done) {
		size_t n = fread(buf, 1, sizeof buf, f);
		if (n == 0 && ferror(f))
			cli_die(EX_IOERR, where, "read error");
		mime_parser_feed(p, buf, n);
		for (;;) {
			enum mime_ev e = mime_parser_next(p, &ev);
			if (e == MIME_AWAIT)
				break;
			if (e == MIME_END) {
				done = 1;
				break;
			}
			if (e == MIME_ERROR) {
				if (ev.code == MIME_E_NOMEM)
					cli_die(EX_SOFTWARE, where, "out of memory");
				cli_warn(where, "line %lu: %s", ev.line, ev.message);
				status = EX_DATAERR;
				done = 1;
				break;
			}
			if (e == MIME_DEFECT)
				cli_warn_at(where, ev.line, ev.message);
			else if (e == MIME_HEADER_END)
				begin_node(d, ev.part);
			else if (e == MIME_BODY && ev.body_kind == MIME_BODY_LEAF && d->depth && !d->overflow)
				d->stack[d->depth - 1].size += ev.len;
			else if (e == MIME_PART_END)
				end_node(d);
		}
	}
	if (d->json && !status)
		fputc('\n', d->out);
	if (fclose(d->out))
		cli_die(EX_SOFTWARE, where, "out of memory");
	if (!status)
		cli_write(stdout, text, text_len);
	free(text);
	mime_parser_free(p);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct descr d = {0};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "j", longopts)) != -1)
		if (o == 'j')
			d.json = 1;
	int status = 0;
	if (optind == argc) {
		status = describe(stdin, "stdin", &d);
	} else {
		for (int i = optind; i < argc; i++) {
			FILE *f = cli_open(argv[i]);
			int r = describe(f, argv[i], &d);
			if (r && !status)
				status = r;
			if (f != stdin)
				fclose(f);
		}
	}
	cli_flush_stdout();
	return status;
}
