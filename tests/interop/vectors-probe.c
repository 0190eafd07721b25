/* Probe for tests/interop/vectors.sh: reads records from stdin, each
 *     KIND LEN\n  followed by exactly LEN bytes (a field body),
 * with KIND one of ct, date, id, recv, addr, and writes for each record one
 * line of JSON with what lib/mime makes of it (ember's own model; the
 * comparison with mail-parser's model is done in vectors.py). Strings are
 * written byte for byte (UTF-8 passes through), with '"', '\\' and control
 * characters escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static void jstr(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void jcstr(const char *s)
{
	if (s)
		jstr(s, strlen(s));
	else
		fputs("null", stdout);
}

static void die(const char *what)
{
	fprintf(stderr, "vectors-probe: %s\n", what);
	exit(70);
}

static void jparams(const struct mime_param *ps, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",[" : "[", stdout);
		jcstr(ps[i].name);
		putchar(',');
		jstr(ps[i].value, ps[i].value_len);
		putchar(',');
		jcstr(ps[i].charset);
		putchar(',');
		jcstr(ps[i].language);
		putchar(']');
	}
	putchar(']');
}

/* Content-Type, and the same value read as a Content-Disposition (mail-parser
 * reads both fields with one parser; vectors.py picks). */
static void do_ct(const char *v, size_t n)
{
	struct mime_defects df = {0};
	struct mime_content_type ct = {0};
	int rc = mime_content_type_parse(v, n, &ct, &df);
	if (rc == -1)
		die("out of memory");
	printf("{\"rc\":%d,\"defects\":%llu,\"type\":", rc, (unsigned long long)df.count);
	jcstr(ct.type);
	fputs(",\"subtype\":", stdout);
	jcstr(ct.subtype);
	fputs(",\"params\":", stdout);
	jparams(ct.params, ct.nparams);
	mime_content_type_free(&ct);

	struct mime_defects dd = {0};
	struct mime_disposition d = {0};
	rc = mime_disposition_parse(v, n, &d, &dd);
	if (rc == -1)
		die("out of memory");
	printf(",\"disp\":{\"rc\":%d,\"defects\":%llu,\"type\":", rc, (unsigned long long)dd.count);
	jcstr(d.type);
	fputs(",\"params\":", stdout);
	jparams(d.params, d.nparams);
	fputs("}}\n", stdout);
	mime_disposition_free(&d);
}

static void jdate(const struct mime_date *d)
{
	printf("{\"year\":%d,\"month\":%d,\"day\":%d,\"hour\":%d,\"min\":%d,\"sec\":%d,"
	       "\"zone\":%d,\"weekday\":%d,\"flags\":%u}",
	       d->year, d->month, d->day, d->hour, d->min, d->sec, d->zone, d->weekday,
	       d->flags);
}

static void do_date(const char *v, size_t n)
{
	struct mime_defects df = {0};
	struct mime_date d = {0};
	size_t errpos = 0;
	int rc = mime_date_parse(v, n, &d, &errpos, &df);
	printf("{\"rc\":%d,\"errpos\":%zu,\"defects\":%llu,\"date\":", rc, errpos,
	       (unsigned long long)df.count);
	if (rc == 0)
		jdate(&d);
	else
		fputs("null", stdout);
	fputs("}\n", stdout);
}

static void do_id(const char *v, size_t n)
{
	struct mime_defects df = {0};
	struct mime_msgid_list l = {0};
	if (mime_msgid_list_parse(v, n, &l, &df) != 0)
		die("out of memory");
	printf("{\"defects\":%llu,\"ids\":[", (unsigned long long)df.count);
	for (size_t i = 0; i < l.count; i++) {
		if (i)
			putchar(',');
		jcstr(l.ids[i]);
	}
	fputs("]}\n", stdout);
	mime_msgid_list_free(&l);
}

static void jclause(const char *key, const struct mime_received_clause *c)
{
	if (key)
		printf("\"%s\":", key);
	fputs("{\"name\":", stdout);
	jcstr(c->name);
	fputs(",\"value\":", stdout);
	jcstr(c->value);
	fputs(",\"info\":", stdout);
	jcstr(c->info);
	putchar('}');
}

static void do_recv(const char *v, size_t n)
{
	struct mime_defects df = {0};
	struct mime_received r;
	if (mime_received_parse(v, n, &r, &df) != 0)
		die("out of memory");
	printf("{\"defects\":%llu,", (unsigned long long)df.count);
	jclause("from", &r.from);
	putchar(',');
	jclause("by", &r.by);
	putchar(',');
	jclause("via", &r.via);
	putchar(',');
	jclause("with", &r.with);
	putchar(',');
	jclause("id", &r.id);
	putchar(',');
	jclause("for", &r.for_);
	fputs(",\"extra\":[", stdout);
	for (size_t i = 0; i < r.nextra; i++) {
		if (i)
			putchar(',');
		jclause(NULL, &r.extra[i]);
	}
	fputs("],\"info\":", stdout);
	jcstr(r.info);
	fputs(",\"date_text\":", stdout);
	jcstr(r.date_text);
	fputs(",\"date\":", stdout);
	if (r.has_date)
		jdate(&r.date);
	else
		fputs("null", stdout);
	fputs("}\n", stdout);
	mime_received_free(&r);
}

/* A display name: raw, and decoded as RFC 2047 5(3) says (phrase). */
static void jname(const char *key, const char *s, size_t n)
{
	printf("\"%s\":", key);
	if (!s) {
		fputs("null", stdout);
		return;
	}
	struct mime_buf b = {0};
	if (mime_rfc2047_decode_phrase(s, n, &b, NULL) != 0 || mime_buf_putc(&b, 0) != 0)
		die("out of memory");
	jstr(b.data, b.len - 1);
	mime_buf_free(&b);
}

/* A comment's text: encoded words decoded as RFC 2047 5(2) allows. */
static void jcomment(const char *s)
{
	fputs("\"comment\":", stdout);
	if (!s) {
		fputs("null", stdout);
		return;
	}
	struct mime_buf b = {0};
	if (mime_rfc2047_decode_text(s, strlen(s), &b, NULL) != 0 || mime_buf_putc(&b, 0) != 0)
		die("out of memory");
	jstr(b.data, b.len - 1);
	mime_buf_free(&b);
}

static void jmailbox(const struct mime_mailbox *m)
{
	putchar('{');
	jname("name", m->name, m->name_len);
	fputs(",\"local\":", stdout);
	jstr(m->local, m->local_len);
	fputs(",\"domain\":", stdout);
	jstr(m->domain, m->domain_len);
	fputs(",\"route\":", stdout);
	jcstr(m->route);
	putchar(',');
	jcomment(m->comment);
	putchar('}');
}

static void do_addr(const char *v, size_t n)
{
	struct mime_defects df = {0};
	struct mime_address_list l = {0};
	if (mime_address_list_parse_tolerant(v, n, &l, &df) != 0)
		die("out of memory");
	printf("{\"defects\":%llu,\"items\":[", (unsigned long long)df.count);
	for (size_t i = 0; i < l.count; i++) {
		const struct mime_address *a = &l.items[i];
		printf("%s{\"group\":%d,", i ? "," : "", a->is_group);
		jname("name", a->is_group ? a->name : NULL, a->name_len);
		fputs(",\"mailboxes\":[", stdout);
		for (size_t j = 0; j < a->count; j++) {
			if (j)
				putchar(',');
			jmailbox(&a->mailboxes[j]);
		}
		fputs("]}", stdout);
	}
	fputs("]}\n", stdout);
	mime_address_list_free(&l);
}

int main(void)
{
	char kind[8];
	size_t n;
	while (scanf("%7s %zu", kind, &n) == 2) {
		if (getchar() != '\n')
			die("bad record header");
		char *v = malloc(n + 1);
		if (!v)
			die("out of memory");
		if (fread(v, 1, n, stdin) != n)
			die("short record");
		v[n] = 0;
		if (!strcmp(kind, "ct"))
			do_ct(v, n);
		else if (!strcmp(kind, "date"))
			do_date(v, n);
		else if (!strcmp(kind, "id"))
			do_id(v, n);
		else if (!strcmp(kind, "recv"))
			do_recv(v, n);
		else if (!strcmp(kind, "addr"))
			do_addr(v, n);
		else
			die("unknown kind");
		free(v);
		fflush(stdout);
	}
	return 0;
}
