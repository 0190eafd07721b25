/* ember make: build a complete message from options and a body. */
#define _XOPEN_SOURCE 700  /* strptime */
#include "cli.h"
#include "msgio.h"
#include "spool.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "make",
	.summary = "build a complete message from options and a body",
	.usage =
	"Usage: ember make [OPTION]... < BODY\n"
	"Write an RFC 5322 message (CRLF line endings) on stdout. The body is read\n"
	"from stdin unless stdin is a terminal (then it is empty).\n"
	"  -f, --from ADDRS          From (several mailboxes: Sender is the first)\n"
	"  -t, --to ADDRS            To (repeatable; each may be a list)\n"
	"  -c, --cc ADDRS            Cc (repeatable)\n"
	"  -b, --bcc ADDRS           Bcc (repeatable)\n"
	"  -r, --reply-to ADDRS      Reply-To\n"
	"  -s, --subject TEXT        Subject (UTF-8; encoded words when not ASCII)\n"
	"  -d, --date now|none|DATE  Date (default now, local zone); DATE as\n"
	"                            'Tue, 1 Jul 2003 10:52:37 +0200', '1 Jul 2003\n"
	"                            10:52:37 +0200', 2003-07-01T10:52:37+02:00 or\n"
	"                            @SECONDS (UTC); SOURCE_DATE_EPOCH fixes now\n"
	"  -m, --message-id auto|none|ID   Message-ID (default auto: <random@host>)\n"
	"  -H, --header 'Name: value'  an extra field (repeatable, kept in order;\n"
	"                            a non-ASCII value is written as encoded words)\n"
	"  -T, --type TYPE/SUBTYPE   Content-Type (default text/plain)\n"
	"  -C, --charset CHARSET     charset parameter (default for text: us-ascii\n"
	"                            when the body is ASCII, else utf-8)\n"
	"  -e, --encoding 7bit|8bit|quoted-printable|base64\n"
	"                            Content-Transfer-Encoding (default: chosen)\n"
	"  -8, --8bit                the transport takes 8-bit data: allow 8bit\n"
	"                            bodies, and UTF-8 local parts (RFC 6532)\n"
	"      --help, --version\n"
	"Text bodies get CRLF line endings. Exit status: 0, 64 on a bad option or\n"
	"address, 65 when the body cannot be sent with the --encoding asked for.\n",
	.h_is_option = 0,
};

struct make {
	struct mime_address_list from, to, cc, bcc, reply_to;
	const char *subject, *date, *msgid, *type, *charset, *encoding;
	const char **headers;
	size_t nheaders;
	int eightbit;
	struct mime_buf out;
};

static void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* Parse one option's address list and append it to l. */
static void add_addresses(struct mime_address_list *l, const char *opt, const char *arg)
{
	struct mime_address_list more = {0};
	struct mime_addr_error err = {0};
	int r = mime_address_list_parse(arg, strlen(arg), &more, &err);
	if (r == -1)
		oom();
	if (r)
		cli_usage_error("--%s: %s at byte %zu of '%s'", opt, err.msg, err.pos, arg);
	struct mime_address *v = realloc(l->items, (l->count + more.count + 1) * sizeof *v);
	if (!v)
		oom();
	if (more.count)
		memcpy(v + l->count, more.items, more.count * sizeof *v);
	l->items = v;
	l->count += more.count;
	free(more.items);  /* the items themselves now belong to l */
}

static int is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static void no_line_breaks(const char *what, const char *s)
{
	if (strpbrk(s, "\r\n"))
		cli_usage_error("%s: line breaks are not allowed", what);
}

/* An unstructured ASCII value as tokens: a fold may replace any single space
 * that comes before a non-space; the other spaces stay inside the tokens, so
 * unfolding gives the value back (RFC 5322 2.2.3). */
static int put_words(struct mime_fold *f, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		int cut = i == n || (s[i] == ' ' && i > start && i + 1 < n && s[i + 1] != ' ');
		if (!cut)
			continue;
		int r = mime_fold_token(f, s + start, i - start, MIME_FOLD_SPACE);
		if (r)
			return r;
		start = i + 1;
	}
	return 0;
}

/* A text field: ASCII words as they are, else RFC 2047 encoded words. */
static void text_field(struct make *m, const char *name, const char *v)
{
	struct mime_fold f;
	size_t n = strlen(v);
	mime_fold_init(&f, &m->out);
	int r = mime_fold_begin(&f, name);
	if (!r && n)
		r = is_ascii(v, n) ? put_words(&f, v, n)
				   : mime_rfc2047_encode(&f, v, n, MIME_RFC2047_TEXT);
	if (!r)
		r = mime_fold_end(&f);
	if (r == -1)
		oom();
	if (r)
		cli_usage_error("%s: a word is too long for a header line", name);
}

static void address_field(struct make *m, const char *name, const char *opt,
			  const struct mime_address_list *l)
{
	if (!l->count)
		return;
	size_t mark = m->out.len;
	int r = mime_address_list_field(&m->out, name, l, 0);
	if (r == MIME_EUTF8 && m->eightbit) {
		mime_buf_truncate(&m->out, mark);  /* RFC 6532: UTF-8 local parts need 8-bit headers */
		r = mime_address_list_field(&m->out, name, l, MIME_ADDR_UTF8);
	}
	if (r == MIME_ENOMEM)
		oom();
	if (r == MIME_EUTF8)
		cli_usage_error("--%s: a non-ASCII local part needs --8bit (RFC 6532)", opt);
	if (r)
		cli_usage_error("--%s: an address is too long for a header line", opt);
}

/* RFC 5322 3.6.2: a From with several mailboxes needs a Sender. */
static void sender_field(struct make *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->from.count; i++)
		n += m->from.items[i].count;
	if (n < 2)
		return;
	const struct mime_address *a = m->from.items;
	while (!a->count)
		a++;
	struct mime_address one = {.mailboxes = a->mailboxes, .count = 1};
	struct mime_address_list l = {.items = &one, .count = 1};
	address_field(m, "Sender", "from", &l);
}

/* ---- Date --------------------------------------------------------------- */

static int parse_epoch(const char *s, time_t *t)
{
	char *end;
	if (!*s)
		return -1;
	long long v = strtoll(s, &end, 10);
	if (*end || v < 0)
		return -1;
	*t = (time_t)v;
	return 0;
}

/* A date as given: one of the forms of the usage, time and zone kept. */
static int parse_date(const char *s, time_t *t, long *off)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M:%S %z",
		"%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z",
	};
	*off = 0;
	if (*s == '@')
		return parse_epoch(s + 1, t);
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		struct tm tm = {0};
		const char *end = strptime(s, forms[i], &tm);
		if (!end || *end)
			continue;
		struct tm check = tm;
		time_t utc = timegm(&check);
		if (utc == (time_t)-1 || check.tm_mday != tm.tm_mday || check.tm_mon != tm.tm_mon)
			return -1;  /* 31 Feb */
		*off = tm.tm_gmtoff;
		*t = utc - tm.tm_gmtoff;
		return 0;
	}
	return -1;
}

static void date_field(struct make *m)
{
	time_t t;
	long off;
	if (!strcmp(m->date, "none"))
		return;
	if (!strcmp(m->date, "now")) {
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		struct tm tm;
		if (!sde || parse_epoch(sde, &t))
			t = time(NULL);
		if (!localtime_r(&t, &tm))
			cli_die(EX_SOFTWARE, NULL, "cannot read the local time");
		off = tm.tm_gmtoff;
	} else if (parse_date(m->date, &t, &off)) {
		cli_usage_error("--date: cannot read '%s'", m->date);
	}
	/* RFC 5322 3.3: "Tue, 1 Jul 2003 10:52:37 +0200", seen from the zone
	 * off seconds east of UTC */
	struct mime_date d;
	struct mime_buf buf = {0};
	if (mime_date_from_unix((int64_t)t, (int)(off / 60), &d))
		cli_usage_error("--date: out of range");
	if (mime_date_print(&d, &buf))
		oom();
	text_field(m, "Date", buf.data);
	mime_buf_free(&buf);
}

/* ---- Message-ID --------------------------------------------------------- */

/* The right side of an automatic id: the domain of From, else the host. */
static void id_host(const struct make *m, struct mime_buf *h)
{
	for (size_t i = 0; i < m->from.count; i++)
		if (m->from.items[i].count) {
			const struct mime_mailbox *b = m->from.items[i].mailboxes;
			struct mime_addr_error err;
			if (b->domain_kind == MIME_DOMAIN_NAME &&
			    mime_domain_to_ascii(b->domain, b->domain_len, h, &err) == 0)
				return;
			mime_buf_reset(h);
		}
	char name[256] = "";
	if (gethostname(name, sizeof name - 1) || !*name)
		strcpy(name, "localhost");
	if (mime_buf_puts(h, name))
		oom();
}

static void auto_id(const struct make *m, struct mime_buf *id)
{
	unsigned char r[15];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		cli_die(EX_OSERR, NULL, "cannot get random bytes");
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	struct mime_buf host = {0};
	id_host(m, &host);
	mime_buf_putc(id, '<');
	for (size_t i = 0; i < sizeof r; i += 5) {
		uint64_t v = 0;
		for (size_t j = 0; j < 5; j++)
			v = v << 8 | r[i + j];
		for (int k = 35; k >= 0; k -= 5)
			mime_buf_putc(id, b32[v >> k & 31]);
	}
	if (mime_buf_putc(id, '@') || mime_buf_append(id, host.data, host.len) ||
	    mime_buf_putc(id, '>'))
		oom();
	mime_buf_free(&host);
}

/* An id as given, with or without its angle brackets: left@right, printable
 * ASCII without white space or brackets (RFC 5322 3.6.4). */
static void given_id(const char *s, struct mime_buf *id)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	const char *at = memchr(s, '@', n);
	int ok = at && at > s && at < s + n - 1 && !memchr(at + 1, '@', s + n - at - 1);
	for (size_t i = 0; ok && i < n; i++)
		ok = s[i] > ' ' && s[i] < 0x7f && !strchr("<>()\\\",;:", s[i]);
	if (!ok)
		cli_usage_error("--message-id: not an id left@right: '%s'", s);
	if (mime_buf_putc(id, '<') || mime_buf_append(id, s, n) || mime_buf_putc(id, '>'))
		oom();
}

static void msgid_field(struct make *m)
{
	struct mime_buf id = {0};
	if (!strcmp(m->msgid, "none"))
		return;
	if (!strcmp(m->msgid, "auto"))
		auto_id(m, &id);
	else
		given_id(m->msgid, &id);
	text_field(m, "Message-ID", id.data);
	mime_buf_free(&id);
}

/* ---- extra fields ------------------------------------------------------- */

static const char *const own_fields[] = {
	"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
};

/* "Name: value": RFC 5322 2.2 field name of printable ASCII but ':' */
static void extra_field(struct make *m, const char *h)
{
	size_t n = strcspn(h, ":");
	int ok = n > 0 && h[n] == ':';
	for (size_t i = 0; ok && i < n; i++)
		ok = h[i] > ' ' && h[i] < 0x7f;
	if (!ok)
		cli_usage_error("--header: not 'Name: value': '%s'", h);
	char *name = strndup(h, n);
	if (!name)
		oom();
	for (size_t i = 0; i < sizeof own_fields / sizeof *own_fields; i++)
		if (!mime_ascii_casecmp(name, own_fields[i]))
			cli_usage_error("--header: %s is written by its own option", name);
	const char *v = h + n + 1;
	v += strspn(v, " \t");
	text_field(m, name, v);
	free(name);
}

/* ---- body --------------------------------------------------------------- */

/* The body is read twice, in bounded memory: once to choose the transfer
 * encoding and charset from what it holds, once to encode it. A text body
 * is put in canonical form as it is read (RFC 2045 2.10: every bare LF
 * becomes CRLF). */
struct body {
	struct spool in;
	int present;               /* stdin is not a terminal */
	int text;
	struct mime_text_stats st; /* of the body as it will be encoded */
};

enum { CHUNK = 1 << 16 };

/* The next chunk of the body, in canonical form for text; 0 at the end. */
static size_t next_chunk(struct body *b, struct mime_eol *eol, char *raw, struct mime_buf *out)
{
	mime_buf_reset(out);
	size_t n = b->present ? spool_read(&b->in, raw, CHUNK) : 0;
	if (!b->text) {
		if (n && mime_buf_append(out, raw, n))
			oom();
		return n;
	}
	if (mime_eol_append(eol, n ? raw : NULL, n, out))
		oom();
	return n;
}

static void read_stats(struct body *b)
{
	static char raw[CHUNK];
	struct mime_buf chunk = {0};
	struct mime_eol eol;
	mime_eol_init(&eol, MIME_EOL_CRLF, 0);
	mime_text_stats_init(&b->st);
	while (next_chunk(b, &eol, raw, &chunk))
		mime_text_stats_feed(&b->st, chunk.data, chunk.len);
	mime_text_stats_feed(&b->st, chunk.data, chunk.len);  /* the converter's last byte */
	mime_text_stats_end(&b->st);
	mime_buf_free(&chunk);
}

/* The encoding asked for, or the lightest that carries the body. */
static enum mime_cte body_cte(const struct make *m, const struct body *b)
{
	unsigned flags = b->text ? 0 : MIME_CHOOSE_CRLF;
	enum mime_cte best = mime_choose_cte_stats(&b->st, flags | MIME_CHOOSE_8BIT);
	if (!m->encoding)
		return mime_choose_cte_stats(&b->st, flags | (m->eightbit ? MIME_CHOOSE_8BIT : 0));
	enum mime_cte c = msg_parse_cte(m->encoding);
	if (c == MIME_CTE_7BIT && best != MIME_CTE_7BIT)
		cli_die(EX_DATAERR, "stdin", "the body is not 7bit data (RFC 2045 2.7)");
	if (c == MIME_CTE_8BIT && best != MIME_CTE_7BIT && best != MIME_CTE_8BIT)
		cli_die(EX_DATAERR, "stdin", "the body is not 8bit data (RFC 2045 2.8)");
	return c;
}

/* The second reading: encoded as it goes to stdout. */
static void write_body(struct body *b, enum mime_cte c)
{
	static char raw[CHUNK];
	struct mime_buf chunk = {0}, enc = {0};
	struct mime_eol eol;
	struct mime_base64_enc b64;
	struct mime_qp_enc qp;
	mime_eol_init(&eol, MIME_EOL_CRLF, 0);
	mime_base64_enc_init(&b64, 0);
	mime_qp_enc_init(&qp, b->text ? 0 : MIME_QP_BINARY);
	if (b->present)
		spool_rewind(&b->in);
	for (int more = 1; more;) {
		more = next_chunk(b, &eol, raw, &chunk) > 0;
		mime_buf_reset(&enc);
		/* the encoders end with a call of length 0 */
		const char *d = chunk.data ? chunk.data : "";
		int r = 0;
		if (c == MIME_CTE_BASE64)
			r = (chunk.len && mime_base64_encode(&b64, d, chunk.len, &enc)) ||
			    (!more && mime_base64_encode(&b64, NULL, 0, &enc));
		else if (c == MIME_CTE_QUOTED_PRINTABLE)
			r = (chunk.len && mime_qp_encode(&qp, d, chunk.len, &enc)) ||
			    (!more && mime_qp_encode(&qp, NULL, 0, &enc));
		else
			r = mime_buf_append(&enc, d, chunk.len) != MIME_OK;
		if (r)
			oom();
		cli_write(stdout, enc.data, enc.len);
	}
	mime_buf_free(&chunk);
	mime_buf_free(&enc);
}

/* type "/" subtype */
static int is_mime_type(const char *s)
{
	const char *slash = strchr(s, '/');
	return slash && msg_is_token(s, (size_t)(slash - s)) && msg_is_token(slash + 1, strlen(slash + 1));
}

static void content_fields(struct make *m, const struct body *b, enum mime_cte c)
{
	const char *cs = m->charset;
	if (!cs && b->text)
		cs = b->st.high ? "utf-8" : "us-ascii";
	struct mime_buf ct = {0};
	if (mime_buf_puts(&ct, m->type) || (cs && (mime_buf_puts(&ct, "; charset=") ||
						  mime_buf_puts(&ct, cs))))
		oom();
	text_field(m, "MIME-Version", "1.0");
	text_field(m, "Content-Type", ct.data);
	text_field(m, "Content-Transfer-Encoding", mime_cte_name(c));
	mime_buf_free(&ct);
}

/* ---- main --------------------------------------------------------------- */

static void check_options(const struct make *m)
{
	if (m->subject)
		no_line_breaks("--subject", m->subject);
	for (size_t i = 0; i < m->nheaders; i++)
		no_line_breaks("--header", m->headers[i]);
	if (!is_mime_type(m->type))
		cli_usage_error("--type: not TYPE/SUBTYPE: '%s'", m->type);
	if (m->charset && !msg_is_token(m->charset, strlen(m->charset)))
		cli_usage_error("--charset: not a token: '%s'", m->charset);
	if (m->encoding)
		msg_parse_cte(m->encoding);
}

static void parse_options(struct make *m, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
		{"cc", required_argument, NULL, 'c'}, {"bcc", required_argument, NULL, 'b'},
		{"reply-to", required_argument, NULL, 'r'},
		{"subject", required_argument, NULL, 's'}, {"date", required_argument, NULL, 'd'},
		{"message-id", required_argument, NULL, 'm'},
		{"header", required_argument, NULL, 'H'}, {"type", required_argument, NULL, 'T'},
		{"charset", required_argument, NULL, 'C'},
		{"encoding", required_argument, NULL, 'e'}, {"8bit", no_argument, NULL, '8'},
		{NULL, 0, NULL, 0},
	};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "f:t:c:b:r:s:d:m:H:T:C:e:8", longopts)) != -1) {
		switch (o) {
		case 'f': add_addresses(&m->from, "from", optarg); break;
		case 't': add_addresses(&m->to, "to", optarg); break;
		case 'c': add_addresses(&m->cc, "cc", optarg); break;
		case 'b': add_addresses(&m->bcc, "bcc", optarg); break;
		case 'r': add_addresses(&m->reply_to, "reply-to", optarg); break;
		case 's': m->subject = optarg; break;
		case 'd': m->date = optarg; break;
		case 'm': m->msgid = optarg; break;
		case 'T': m->type = optarg; break;
		case 'C': m->charset = optarg; break;
		case 'e': m->encoding = optarg; break;
		case '8': m->eightbit = 1; break;
		case 'H':
			m->headers = realloc(m->headers, (m->nheaders + 1) * sizeof *m->headers);
			if (!m->headers)
				oom();
			m->headers[m->nheaders++] = optarg;
			break;
		}
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s' (the body comes on stdin)", argv[optind]);
	check_options(m);
}

int main(int argc, char **argv)
{
	struct make m = {.date = "now", .msgid = "auto", .type = "text/plain"};
	parse_options(&m, argc, argv);

	struct body body = {.present = !isatty(0), .text = mime_ascii_is(m.type, 5, "text/")};
	if (body.present)
		spool_open(&body.in, stdin, "stdin");
	read_stats(&body);
	enum mime_cte c = body_cte(&m, &body);

	date_field(&m);
	address_field(&m, "From", "from", &m.from);
	sender_field(&m);
	address_field(&m, "Reply-To", "reply-to", &m.reply_to);
	address_field(&m, "To", "to", &m.to);
	address_field(&m, "Cc", "cc", &m.cc);
	address_field(&m, "Bcc", "bcc", &m.bcc);
	if (m.subject)
		text_field(&m, "Subject", m.subject);
	msgid_field(&m);
	for (size_t i = 0; i < m.nheaders; i++)
		extra_field(&m, m.headers[i]);
	content_fields(&m, &body, c);
	if (mime_buf_puts(&m.out, "\r\n"))
		oom();
	cli_write(stdout, m.out.data, m.out.len);
	write_body(&body, c);
	cli_flush_stdout();
	if (body.present)
		spool_close(&body.in);

	mime_buf_free(&m.out);
	mime_address_list_free(&m.from);
	mime_address_list_free(&m.to);
	mime_address_list_free(&m.cc);
	mime_address_list_free(&m.bcc);
	mime_address_list_free(&m.reply_to);
	free(m.headers);
	return 0;
}
