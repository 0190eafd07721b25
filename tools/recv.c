/* ember recv: the route of a message from its Received fields, or a new
 * Received field prepended to a message (--stamp). */
#include "cli.h"
#include "fields.h"
#include "mime.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct cli_cmd cmd = {
	.name = "recv",
	.summary = "show a message's route from its Received fields, or add one",
	.usage =
	"Usage: ember recv [--dot] [FILE]\n"
	"       ember recv --stamp --from HOST --by HOST [--with PROTO] [--id ID]\n"
	"                  [--for ADDR] [--date DATE] [FILE]\n"
	"Print the hops of the message in FILE (default stdin), oldest first, one\n"
	"a line, tab-separated: from, by, with, time (ISO 8601, UTC), delay since\n"
	"the previous hop in seconds; '-' for a missing value, '?' for an unknown\n"
	"time or delay. From is the name the sender gave, with its IP address in\n"
	"brackets when the receiver recorded one.\n"
	"      --dot         a Graphviz digraph of the hops instead\n"
	"      --stamp       prepend a Received field (RFC 5321 4.4) and copy the\n"
	"                    message unchanged, in its own line ending style:\n"
	"      --from HOST   the sending host: 'name' or 'name (name [192.0.2.1])'\n"
	"      --by HOST     the receiving host, same forms\n"
	"      --with PROTO  ESMTP, ESMTPS, ESMTPSA, LMTP, ... (RFC 3848)\n"
	"      --id ID       the receiver's queue id\n"
	"      --for ADDR    the recipient (angle brackets added when missing)\n"
	"      --date DATE   an RFC 5322 date, or @SECONDS since the epoch;\n"
	"                    default now, in the local time zone\n"
	"      --help, --version\n"
	"A Received field that does not parse completely is reported on stderr as\n"
	"FILE:LINE: what, what could be read is used, and the exit status is 65.\n",
};

enum { BUFSZ = 65536 };

struct hop {
	struct mime_received r;
	int64_t t;      /* valid when r.has_date */
};

struct route {
	const char *where;
	struct hop *hops;
	size_t n;
	int bad;
	const struct mime_field *field;
};

/* "ember recv: FILE:LINE: what at byte N" */
static void on_defect(void *ctx, enum mime_code code, uint64_t off, const char *what)
{
	struct route *rt = ctx;
	(void)code;
	cli_warn_in_value(rt->where, rt->field, off, what);
	rt->bad = 1;
}

static void add_hop(struct route *rt, const struct mime_field *f)
{
	struct hop *h = realloc(rt->hops, (rt->n + 1) * sizeof *h);
	if (!h)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	rt->hops = h;
	h += rt->n++;
	struct mime_defects df = {.fn = on_defect, .ctx = rt};
	rt->field = f;
	if (mime_received_parse(f->value, f->value_len, &h->r, &df))
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	h->t = h->r.has_date ? mime_date_to_unix(&h->r.date) : 0;
}

static void on_field(void *ctx, const struct mime_field *f)
{
	if (mime_field_is(f, "Received"))
		add_hop(ctx, f);
}

/* The header only: the body is not read. */
static void read_header(struct route *rt, FILE *in)
{
	/* the route only: what is wrong elsewhere in the header is hdr's business */
	struct cli_fields cb = {.field = on_field, .ctx = rt, .quiet = 1};
	if (cli_read_fields(in, rt->where, &cb))
		rt->bad = 1;
}

/* ---- printing the route ---------------------------------------------------- */

/* An IP address among the words of a comment: "mail.example.org
 * [192.0.2.1]", "[172.27.56.106] helo=x", "localhost[127.0.0.1]",
 * "2603:10b6:5:2a5::13", "HELO x 192.0.2.1". */
static int is_ip(const char *w, size_t n, char *ip, size_t cap)
{
	unsigned char a[16];
	if (n > 5 && mime_ascii_caseeq(w, 5, "IPv6:", 5))
		w += 5, n -= 5;
	if (!n || n >= cap)
		return 0;
	memcpy(ip, w, n);
	ip[n] = '\0';
	return inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1;
}

static int find_ip(const char *info, char *ip, size_t cap)
{
	for (const char *p = info; p && *p;) {
		size_t n = strcspn(p, " \t");
		const char *open = memchr(p, '[', n);
		const char *close = open ? memchr(open, ']', n - (size_t)(open - p)) : NULL;
		if (close ? is_ip(open + 1, (size_t)(close - open - 1), ip, cap) : is_ip(p, n, ip, cap))
			return 1;
		p += n;
		p += strspn(p, " \t");
	}
	return 0;
}

/* from: the name given, then [ip] when the receiver recorded one. */
static void from_name(const struct mime_received *r, struct mime_buf *b)
{
	char ip[64];
	const char *v = r->from.value ? r->from.value : "";
	int has_ip = v[0] != '[' && find_ip(r->from.info, ip, sizeof ip) && strcmp(v, ip) != 0;
	mime_buf_reset(b);
	if (mime_buf_puts(b, *v || has_ip ? v : "-") ||
	    (has_ip && (mime_buf_putc(b, '[') || mime_buf_puts(b, ip) || mime_buf_putc(b, ']'))))
		cli_die(EX_SOFTWARE, NULL, "out of memory");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* ISO 8601 in UTC: 2026-11-24T10:00:00Z, or "?". */
static void iso_time(const struct hop *h, char *out, size_t cap)
{
	struct mime_date d;
	if (!h->r.has_date || mime_date_from_unix(h->t, 0, &d)) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day, d.hour,
		 d.min, d.sec);
}

/* Seconds since the previous hop (hop i - 1 in time order), or "?". */
static void delay(const struct hop *h, size_t i, char *out, size_t cap)
{
	if (i == 0 || !h[i].r.has_date || !h[i - 1].r.has_date)
		snprintf(out, cap, "?");
	else
		snprintf(out, cap, "%lld", (long long)(h[i].t - h[i - 1].t));
}

static void print_lines(const struct route *rt)
{
	struct mime_buf from = {0};
	char t[64], d[32];
	for (size_t i = 0; i < rt->n; i++) {
		const struct hop *h = &rt->hops[i];
		from_name(&h->r, &from);
		iso_time(h, t, sizeof t);
		delay(rt->hops, i, d, sizeof d);
		printf("%s\t%s\t%s\t%s\t%s\n", from.data, or_dash(h->r.by.value),
		       or_dash(h->r.with.value), t, d);
	}
	mime_buf_free(&from);
}

/* DOT text: '"' and '\' escaped (inside a "..." string). */
static void dot_text(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static void dot_string(const char *s)
{
	putchar('"');
	dot_text(s);
	putchar('"');
}

/* The route as a chain: each hop an edge from the receiver of the hop
 * before (for the first hop, from the sender it names) to its receiver,
 * labelled with its number and protocol, the sender it names when that is
 * another name, its time and its delay. */
static void print_dot(const struct route *rt)
{
	struct mime_buf from = {0};
	char t[64], d[32];
	const char *src = NULL;
	printf("digraph route {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (size_t i = 0; i < rt->n; i++) {
		const struct hop *h = &rt->hops[i];
		const char *by = or_dash(h->r.by.value);
		from_name(&h->r, &from);
		int has_from = strcmp(from.data, "-") != 0;
		if (i == 0 && has_from)
			src = from.data;
		putchar('\t');
		if (src) {
			dot_string(src);
			printf(" -> ");
		}
		dot_string(by);
		if (src) {
			iso_time(h, t, sizeof t);
			delay(rt->hops, i, d, sizeof d);
			printf(" [label=\"%zu ", i + 1);
			dot_text(or_dash(h->r.with.value));
			if (has_from && strcmp(from.data, src) != 0) {
				printf("\\nfrom ");
				dot_text(from.data);
			}
			printf("\\n%s", t);
			if (d[0] != '?')
				printf("\\n%s%ss", d[0] == '-' ? "" : "+", d);
			printf("\"]");
		}
		printf(";\n");
		src = by;
	}
	printf("}\n");
	mime_buf_free(&from);
}

static int route(const char *path, int dot)
{
	struct route rt = {0};
	FILE *in = cli_open(path);
	rt.where = strcmp(path, "-") ? path : "stdin";
	read_header(&rt, in);
	if (in != stdin)
		fclose(in);
	/* Received fields are prepended (RFC 5321 4.4): oldest last */
	for (size_t i = 0; i < rt.n / 2; i++) {
		struct hop tmp = rt.hops[i];
		rt.hops[i] = rt.hops[rt.n - 1 - i];
		rt.hops[rt.n - 1 - i] = tmp;
	}
	if (dot)
		print_dot(&rt);
	else
		print_lines(&rt);
	for (size_t i = 0; i < rt.n; i++)
		mime_received_free(&rt.hops[i].r);
	free(rt.hops);
	cli_flush_stdout();
	return rt.bad ? EX_DATAERR : 0;
}

/* ---- --stamp ----------------------------------------------------------------- */

struct stamp {
	const char *from, *by, *with, *id, *for_, *date;
};

static char *dup_or_die(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	return p;
}

/* "name" or "name (info)" */
static void host_arg(struct mime_received_clause *c, const char *arg)
{
	const char *open = strstr(arg, " (");
	size_t n = strlen(arg);
	if (open && n && arg[n - 1] == ')') {
		c->value = dup_or_die(arg, (size_t)(open - arg));
		c->info = dup_or_die(open + 2, n - (size_t)(open - arg) - 3);
	} else {
		c->value = dup_or_die(arg, n);
	}
}

static void stamp_date(const char *arg, struct mime_date *d)
{
	int64_t t;
	int zone = 0;
	if (arg && arg[0] != '@') {
		size_t err = 0;
		if (mime_date_parse(arg, strlen(arg), d, &err, NULL))
			cli_usage_error("--date: not an RFC 5322 date (at byte %zu): '%s'", err, arg);
		return;
	}
	if (arg) {
		char *end;
		t = strtoll(arg + 1, &end, 10);
		if (end == arg + 1 || *end)
			cli_usage_error("--date: expected @SECONDS: '%s'", arg);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		t = (int64_t)now;
		if (localtime_r(&now, &tm))
			zone = (int)(tm.tm_gmtoff / 60);
	}
	if (mime_date_from_unix(t, zone, d))
		cli_usage_error("--date: out of range: '%s'", arg);
}

static void build_stamp(const struct stamp *s, struct mime_received *r)
{
	memset(r, 0, sizeof *r);
	host_arg(&r->from, s->from);
	host_arg(&r->by, s->by);
	if (s->with)
		r->with.value = dup_or_die(s->with, strlen(s->with));
	if (s->id)
		r->id.value = dup_or_die(s->id, strlen(s->id));
	if (s->for_) {
		size_t n = strlen(s->for_);
		int wrap = s->for_[0] != '<';
		r->for_.value = malloc(n + 3);
		if (!r->for_.value)
			cli_die(EX_SOFTWARE, NULL, "out of memory");
		snprintf(r->for_.value, n + 3, wrap ? "<%s>" : "%s", s->for_);
	}
	stamp_date(s->date, &r->date);
	r->has_date = 1;
}

/* Write the field in the message's line ending style (that of its first
 * line: CRLF or LF), then copy the message unchanged. */
static int stamp(const struct stamp *s, const char *path)
{
	struct mime_received r;
	struct mime_buf field = {0};
	build_stamp(s, &r);
	int rc = mime_received_field(&field, &r);
	mime_received_free(&r);
	if (rc == -1)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	if (rc)
		cli_usage_error("a value cannot be written in a Received field (line break, ';', "
				"'(' or a keyword inside it?)");
	FILE *in = cli_open(path);
	const char *where = strcmp(path, "-") ? path : "stdin";
	static char buf[BUFSZ];
	size_t n = fread(buf, 1, sizeof buf, in);
	const char *nl = memchr(buf, '\n', n);
	if (!(nl && nl > buf && nl[-1] == '\r')) {
		/* LF style: drop the CR of each CRLF the printer wrote */
		size_t o = 0;
		for (size_t i = 0; i < field.len; i++)
			if (!(field.data[i] == '\r' && field.data[i + 1] == '\n'))
				field.data[o++] = field.data[i];
		field.len = o;
	}
	cli_write(stdout, field.data, field.len);
	mime_buf_free(&field);
	for (; n > 0; n = fread(buf, 1, sizeof buf, in))
		cli_write(stdout, buf, n);
	if (ferror(in))
		cli_die(EX_IOERR, where, "read error");
	if (in != stdin)
		fclose(in);
	cli_flush_stdout();
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_DOT = 1, OPT_STAMP, OPT_FROM, OPT_BY, OPT_WITH, OPT_ID, OPT_FOR, OPT_DATE };
	static const struct option longopts[] = {
		{"dot", no_argument, NULL, OPT_DOT},
		{"stamp", no_argument, NULL, OPT_STAMP},
		{"from", required_argument, NULL, OPT_FROM},
		{"by", required_argument, NULL, OPT_BY},
		{"with", required_argument, NULL, OPT_WITH},
		{"id", required_argument, NULL, OPT_ID},
		{"for", required_argument, NULL, OPT_FOR},
		{"date", required_argument, NULL, OPT_DATE},
		{NULL, 0, NULL, 0},
	};
	struct stamp s = {0};
	int dot = 0, do_stamp = 0, o;
	while ((o = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		const char **opt[] = {[OPT_FROM] = &s.from, [OPT_BY] = &s.by, [OPT_WITH] = &s.with,
				      [OPT_ID] = &s.id, [OPT_FOR] = &s.for_, [OPT_DATE] = &s.date};
		if (o == OPT_DOT)
			dot = 1;
		else if (o == OPT_STAMP)
			do_stamp = 1;
		else if (o >= OPT_FROM && o <= OPT_DATE)
			*opt[o] = optarg;
	}
	if (argc - optind > 1)
		cli_usage_error("one message at a time");
	const char *path = optind < argc ? argv[optind] : "-";
	int stamp_opts = s.from || s.by || s.with || s.id || s.for_ || s.date;
	if (!do_stamp && stamp_opts)
		cli_usage_error("--from, --by, --with, --id, --for and --date need --stamp");
	if (do_stamp && dot)
		cli_usage_error("--stamp and --dot do not go together");
	if (do_stamp && (!s.from || !s.by))
		cli_usage_error("--stamp needs --from and --by");
	return do_stamp ? stamp(&s, path) : route(path, dot);
}
