/* ember wrap: make a message's body, with its Content-* fields, the first
 * part of a new multipart; every other byte stays as it was. */
#define _GNU_SOURCE  /* memmem */
#include "cli.h"
#include "msgio.h"
#include "spool.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cmd = {
	.name = "wrap",
	.summary = "wrap a message's body as the first part of a new multipart",
	.usage =
	"Usage: ember wrap --mixed|--alternative|--related|--parallel [FILE]\n"
	"       ember wrap --signed --protocol TYPE/SUBTYPE --micalg ALG [FILE]\n"
	"Read a message (FILE, default stdin) and write it to stdout with its body\n"
	"and its Content-* fields moved into the first part of a new multipart.\n"
	"The other header fields stay on top, in order, byte for byte; the body\n"
	"bytes are copied unchanged; MIME-Version: 1.0 is added when absent. New\n"
	"lines take the message's own line ending (that of its first line).\n"
	"  -m, --mixed          multipart/mixed (RFC 2046 5.1.3): add parts with\n"
	"                       'ember put'\n"
	"  -a, --alternative    multipart/alternative (RFC 2046 5.1.4)\n"
	"  -r, --related        multipart/related (RFC 2387), type= the part's type\n"
	"      --parallel       multipart/parallel (RFC 2046 5.1.6)\n"
	"  -s, --signed         multipart/signed (RFC 1847 2.1): needs --protocol\n"
	"                       and --micalg; the signature part is added later\n"
	"      --protocol TYPE  protocol parameter, e.g. application/pgp-signature\n"
	"      --micalg ALG     micalg parameter, e.g. pgp-sha256 or sha-256\n"
	"  -h, --help, --version\n"
	"The boundary is \"=_ember_\" and 16 hex digits, derived from the header,\n"
	"and changed until it occurs nowhere in the message. Exit status: 0, 64\n"
	"on a bad option, 65 when the header cannot be read.\n",
};

enum { OPT_PARALLEL = 0x100, OPT_PROTOCOL, OPT_MICALG };

/* "=_ember_" and 16 hex digits: the prefix, and the length of the whole */
#define PREFIX "=_ember_"
enum { PREFIX_LEN = 8, BOUNDARY_LEN = PREFIX_LEN + 16, MAX_SEEN = 64, CHUNK = 1 << 16 };

/* The message is read twice (spool.h): first the header, kept in memory
 * (bounded by the header reader's limits), and every boundary of ours that
 * already occurs anywhere in the message; then the body, copied. */
struct wrap {
	const char *subtype;     /* of the new multipart */
	const char *protocol;    /* --signed */
	const char *micalg;
	const char *where;       /* input name, for messages */
	struct spool in;
	struct mime_buf head;    /* the header, as read */
	const char *eol;
	/* the header, as offsets of its fields in head */
	struct span { size_t off, len; int content; } *fields;
	size_t nfields;
	uint64_t body;           /* input offset of the body */
	int has_version;         /* a MIME-Version field is there */
	uint64_t seen[MAX_SEEN]; /* "=_ember_XXXX..." values found in the message */
	size_t nseen;
	int seen_overflow;       /* more than MAX_SEEN: look for each candidate */
	char boundary[32];
};

/* ---- reading the header ------------------------------------------------ */

static int is_content_field(const struct mime_field *f)
{
	return f->name_len >= 8 && mime_ascii_caseeq(f->name, 8, "Content-", 8);
}

static void keep_field(struct wrap *w, const struct mime_field *f)
{
	struct span *v = realloc(w->fields, (w->nfields + 1) * sizeof *v);
	if (!v)
		msg_oom();
	w->fields = v;
	v[w->nfields++] = (struct span){(size_t)f->offset, f->raw_len, is_content_field(f)};
	if (mime_field_is(f, "MIME-Version"))
		w->has_version = 1;
}

/* Drain the reader; 1 at the end of the header, 0 when it needs more. */
static int drain(struct wrap *w, struct mime_hdr_reader *r)
{
	struct mime_field f;
	for (;;) {
		switch (mime_hdr_reader_next(r, &f)) {
		case MIME_HDR_AWAIT:
			return 0;
		case MIME_HDR_FIELD:
			keep_field(w, &f);
			break;
		case MIME_HDR_DEFECT:
			break;  /* tolerated: the field is kept as it is */
		case MIME_HDR_END:
			return 1;
		case MIME_HDR_ERROR:
			if (f.code == MIME_E_NOMEM)
				msg_oom();
			cli_die(EX_DATAERR, w->where, "header: %s", f.message);
		}
	}
}

/* "=_ember_" and 16 lowercase hex digits at s: its value, or -1. */
static int ours(const char *s, uint64_t *v)
{
	*v = 0;
	for (int i = PREFIX_LEN; i < BOUNDARY_LEN; i++) {
		int c = (unsigned char)s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/* Our boundaries in s[0..n) (the first BOUNDARY_LEN - 1 bytes are the end
 * of the last chunk, seen already). */
static void find_ours(struct wrap *w, const char *s, size_t n)
{
	for (const char *p = s, *e = s + n; (p = memmem(p, (size_t)(e - p), PREFIX, PREFIX_LEN));
	     p++) {
		uint64_t v;
		if (e - p < BOUNDARY_LEN || ours(p, &v))
			continue;
		size_t i = 0;
		while (i < w->nseen && w->seen[i] != v)
			i++;
		if (i < w->nseen)
			continue;
		if (w->nseen == MAX_SEEN)
			w->seen_overflow = 1;
		else
			w->seen[w->nseen++] = v;
	}
}

/* The first reading: the header into head, the line ending of the first
 * line, and the boundaries of ours anywhere in the message. */
static void first_reading(struct wrap *w)
{
	static char buf[CHUNK + BOUNDARY_LEN];
	struct mime_hdr_reader *r =
		mime_hdr_reader_new(&(struct mime_hdr_limits){.flags = MIME_HDR_MBOX_FROM});
	if (!r)
		msg_oom();
	size_t keep = 0, n;
	int in_header = 1, cr = 0;
	do {
		n = spool_read(&w->in, buf + keep, CHUNK);
		for (size_t i = keep; !w->eol && i < keep + n; cr = buf[i++] == '\r')
			if (buf[i] == '\n')
				w->eol = cr ? "\r\n" : "\n";
		if (in_header) {
			msg_append(&w->head, buf + keep, n);
			mime_hdr_reader_feed(r, buf + keep, n);
			in_header = !drain(w, r);
		}
		find_ours(w, buf, keep + n);
		size_t tail = keep + n < BOUNDARY_LEN - 1 ? keep + n : BOUNDARY_LEN - 1;
		memmove(buf, buf + keep + n - tail, tail);
		keep = tail;
	} while (n);
	if (in_header)
		cli_die(EX_SOFTWARE, w->where, "the header did not end");  /* n == 0 ended it */
	w->body = mime_hdr_reader_consumed(r);
	mime_buf_truncate(&w->head, (size_t)w->body);
	mime_hdr_reader_free(r);
	if (!w->eol)
		w->eol = "\r\n";
}

/* ---- the boundary ------------------------------------------------------- */

/* FNV-1a, 64 bits */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* The message holds this boundary of ours (when too many were seen to
 * remember, it is read again to look). */
static int occurs(struct wrap *w, uint64_t v)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i] == v)
			return 1;
	if (!w->seen_overflow)
		return 0;
	static char buf[CHUNK + BOUNDARY_LEN];
	size_t keep = 0, n;
	spool_rewind(&w->in);
	do {
		n = spool_read(&w->in, buf + keep, CHUNK);
		if (memmem(buf, keep + n, w->boundary, BOUNDARY_LEN))
			return 1;
		size_t tail = keep + n < BOUNDARY_LEN - 1 ? keep + n : BOUNDARY_LEN - 1;
		memmove(buf, buf + keep + n - tail, tail);
		keep = tail;
	} while (n);
	return 0;
}

/* "=_" cannot occur in quoted-printable or base64 text (RFC 2045 6.7, 6.8),
 * and a boundary found nowhere in the message cannot start a line of it
 * (RFC 2046 5.1.1). Derived from the header, so the output is reproducible. */
static void choose_boundary(struct wrap *w)
{
	for (uint64_t n = 0;; n++) {
		uint64_t h = fnv(0xcbf29ce484222325ull, w->head.data ? w->head.data : "", w->head.len);
		h = fnv(h, &n, sizeof n);
		snprintf(w->boundary, sizeof w->boundary, PREFIX "%016llx", (unsigned long long)h);
		if (!occurs(w, h))
			return;
	}
}

/* ---- writing ------------------------------------------------------------- */

/* multipart/related: type= the root's type (RFC 2387 3.1), from the first
 * Content-Type moved into the part, else the default text/plain. */
static char *root_type(const struct wrap *w)
{
	for (size_t i = 0; i < w->nfields; i++) {
		const char *raw = w->head.data + w->fields[i].off;
		if (!w->fields[i].content || w->fields[i].len < 13 ||
		    !mime_ascii_caseeq(raw, 13, "Content-Type:", 13))
			continue;
		struct mime_content_type ct = {0};
		int r = mime_content_type_parse(raw + 13, w->fields[i].len - 13, &ct, NULL);
		if (r == MIME_ENOMEM)
			msg_oom();
		char *t = NULL;
		if (r == MIME_OK) {
			size_t n = strlen(ct.type) + strlen(ct.subtype) + 2;
			if (!(t = malloc(n)))
				msg_oom();
			snprintf(t, n, "%s/%s", ct.type, ct.subtype);
		}
		mime_content_type_free(&ct);
		return t ? t : strdup("text/plain");
	}
	return strdup("text/plain");
}

static void new_content_type(const struct wrap *w, struct mime_buf *out)
{
	struct mime_param ps[3];
	size_t n = 0;
	char *root = NULL;
	if (w->protocol) {
		ps[n++] = (struct mime_param){.name = "protocol", .value = (char *)w->protocol,
					      .value_len = strlen(w->protocol)};
		ps[n++] = (struct mime_param){.name = "micalg", .value = (char *)w->micalg,
					      .value_len = strlen(w->micalg)};
	}
	if (!strcmp(w->subtype, "related")) {
		if (!(root = root_type(w)))
			msg_oom();
		ps[n++] = (struct mime_param){.name = "type", .value = root, .value_len = strlen(root)};
	}
	ps[n++] = (struct mime_param){.name = "boundary", .value = (char *)w->boundary,
				      .value_len = strlen(w->boundary)};
	struct mime_content_type ct = {.type = "multipart", .subtype = (char *)w->subtype,
				       .params = ps, .nparams = n};
	if (msg_content_type_field(out, w->eol, &ct))
		cli_die(EX_SOFTWARE, NULL, "cannot write the Content-Type field");
	free(root);
}

/* A field as it was; one cut by the end of the input gets its line end. */
static void copy_field(const struct wrap *w, const struct span *s, struct mime_buf *out)
{
	msg_append(out, w->head.data + s->off, s->len);
	if (!s->len || w->head.data[s->off + s->len - 1] != '\n')
		msg_puts(out, w->eol);
}

/* The new header and the first part's header, then the old body (read
 * again from where it starts), then the close delimiter. */
static void write_message(struct wrap *w)
{
	struct mime_buf out = {0};
	for (size_t i = 0; i < w->nfields; i++)
		if (!w->fields[i].content)
			copy_field(w, &w->fields[i], &out);
	if (!w->has_version)
		msg_simple_field(&out, w->eol, "MIME-Version", "1.0");
	new_content_type(w, &out);
	msg_puts(&out, w->eol);
	/* RFC 2046 5.1.1: the line break before a delimiter belongs to it, so
	 * the part's body is exactly the old body */
	msg_puts(&out, "--");
	msg_puts(&out, w->boundary);
	msg_puts(&out, w->eol);
	for (size_t i = 0; i < w->nfields; i++)
		if (w->fields[i].content)
			copy_field(w, &w->fields[i], &out);
	msg_puts(&out, w->eol);
	cli_write(stdout, out.data, out.len);
	spool_rewind(&w->in);
	static char buf[CHUNK];
	uint64_t skip = w->body;
	for (size_t n; (n = spool_read(&w->in, buf, sizeof buf)) > 0;) {
		size_t k = skip < n ? (size_t)skip : n;
		skip -= k;
		cli_write(stdout, buf + k, n - k);
	}
	mime_buf_reset(&out);
	msg_puts(&out, w->eol);
	msg_puts(&out, "--");
	msg_puts(&out, w->boundary);
	msg_puts(&out, "--");
	msg_puts(&out, w->eol);
	cli_write(stdout, out.data, out.len);
	mime_buf_free(&out);
}

/* ---- options --------------------------------------------------------------- */

static void set_subtype(struct wrap *w, const char *s)
{
	if (w->subtype && strcmp(w->subtype, s))
		cli_usage_error("--%s and --%s: choose one kind of multipart", w->subtype, s);
	w->subtype = s;
}

static void check_options(const struct wrap *w)
{
	if (!w->subtype)
		cli_usage_error("say which multipart: --mixed, --alternative, --related, "
				"--parallel or --signed");
	int signed_ = !strcmp(w->subtype, "signed");
	if (!signed_ && (w->protocol || w->micalg))
		cli_usage_error("--protocol and --micalg go with --signed");
	if (signed_ && (!w->protocol || !w->micalg))
		cli_usage_error("--signed needs --protocol and --micalg (RFC 1847 2.1)");
	const char *slash = w->protocol ? strchr(w->protocol, '/') : NULL;
	if (w->protocol && (!slash || slash == w->protocol || !slash[1] ||
			    strchr(slash + 1, '/') || strpbrk(w->protocol, " \t\r\n\";")))
		cli_usage_error("--protocol: not TYPE/SUBTYPE: '%s'", w->protocol);
	if (w->micalg && !msg_is_token(w->micalg, strlen(w->micalg)))
		cli_usage_error("--micalg: not a token: '%s'", w->micalg);
}

static void parse_options(struct wrap *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"mixed", no_argument, NULL, 'm'},
		{"alternative", no_argument, NULL, 'a'},
		{"related", no_argument, NULL, 'r'},
		{"parallel", no_argument, NULL, OPT_PARALLEL},
		{"signed", no_argument, NULL, 's'},
		{"protocol", required_argument, NULL, OPT_PROTOCOL},
		{"micalg", required_argument, NULL, OPT_MICALG},
		{NULL, 0, NULL, 0},
	};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "mars", longopts)) != -1) {
		switch (o) {
		case 'm': set_subtype(w, "mixed"); break;
		case 'a': set_subtype(w, "alternative"); break;
		case 'r': set_subtype(w, "related"); break;
		case 's': set_subtype(w, "signed"); break;
		case OPT_PARALLEL: set_subtype(w, "parallel"); break;
		case OPT_PROTOCOL: w->protocol = optarg; break;
		case OPT_MICALG: w->micalg = optarg; break;
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one message at a time");
	w->where = optind < argc ? argv[optind] : "-";
	check_options(w);
}

int main(int argc, char **argv)
{
	struct wrap w = {0};
	parse_options(&w, argc, argv);
	FILE *f = cli_open(w.where);
	spool_open(&w.in, f, w.where);
	first_reading(&w);
	choose_boundary(&w);
	write_message(&w);
	cli_flush_stdout();
	spool_close(&w.in);
	if (f != stdin)
		fclose(f);
	free(w.fields);
	mime_buf_free(&w.head);
	return 0;
}
