/* ember ar: the Authentication-Results fields of messages (RFC 8601),
 * read through lib/mime's header reader and Authentication-Results
 * reader, printed grouped by authserv-id. */
#include "cli.h"
#include "fields.h"
#include "json.h"
#include "mime.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cmd = {
	.name = "ar",
	.summary = "print Authentication-Results fields grouped by authserv-id",
	.usage =
	"Usage: ember ar [--json] [--authserv-id ID] [FILE...]\n"
	"Print the Authentication-Results fields (RFC 8601) of each message (stdin\n"
	"when no FILE, or \"-\") grouped by authserv-id, the groups in the order of\n"
	"first appearance from the top field down: the authserv-id on a line, then\n"
	"each result of its fields indented by two spaces, one a line, in the\n"
	"field's own syntax without comments:\n"
	"  method[/version]=result [reason=VALUE] [ptype.property=VALUE]...\n"
	"(`none` for a field that says no check was made). Values are written as\n"
	"they would be in the field: a token or addr-spec as it is, anything else\n"
	"as a quoted string; control characters and bytes that are not UTF-8\n"
	"become U+FFFD. With several FILEs each line starts with FILE: .\n"
	"      --authserv-id ID  only the fields of this authserv-id (ASCII\n"
	"                        case-insensitive)\n"
	"      --json            one JSON object per message:\n"
	"                        {\"file\", \"groups\": [{\"authserv_id\", \"fields\":\n"
	"                        [{\"line\", \"version\", \"results\": [{\"method\",\n"
	"                        \"method_version\", \"result\", \"reason\", \"props\":\n"
	"                        [{\"ptype\", \"property\", \"value\"}]}]}]}],\n"
	"                        \"malformed\": [LINE...]}\n"
	"  -h, --help, --version\n"
	"A field that does not parse is reported on stderr as FILE:LINE:\n"
	"Authentication-Results does not parse, and the others are printed.\n"
	"Exit status: 0 when every message had a field to print; 1 when one had\n"
	"none (the text shows nothing for it); 65 when a field did not parse or a\n"
	"header could not be read; 66 when a file cannot be opened; 64 usage.\n",
};

enum { OPT_JSON = 0x100, OPT_AUTHSERV };

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

struct field {
	struct mime_authres *a;
	unsigned long line;
	size_t group;          /* index into the groups */
};

struct msg {
	const char *path, *where;
	struct field *v;
	size_t n, cap;
	unsigned long *bad;    /* lines of the fields that did not parse */
	size_t nbad, capbad;
};

struct ar {
	int json, several;
	const char *only;      /* --authserv-id */
	int status;
	struct msg m;
	struct mime_buf line;
};

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t c = *cap ? 2 * *cap : 8;
	void *q = realloc(p, c * size);
	if (!q)
		oom();
	*cap = c;
	return q;
}

static void on_field(void *ctx, const struct mime_field *f)
{
	struct ar *ar = ctx;
	struct msg *m = &ar->m;
	if (!mime_ascii_is(f->name, f->name_len, "Authentication-Results"))
		return;
	struct mime_authres *a;
	enum mime_status st = mime_authres_parse(f->value, f->value_len, &a);
	if (st == MIME_ENOMEM)
		oom();
	if (st) {
		cli_warn_at(m->where, f->line, "Authentication-Results does not parse");
		m->bad = grow(m->bad, &m->capbad, m->nbad, sizeof *m->bad);
		m->bad[m->nbad++] = f->line;
		return;
	}
	if (ar->only && !mime_authres_id_is(a, ar->only)) {
		mime_authres_free(a);
		return;
	}
	m->v = grow(m->v, &m->cap, m->n, sizeof *m->v);
	m->v[m->n++] = (struct field){a, f->line, 0};
}

/* ---- text ----------------------------------------------------------------- */

/* Bytes as they are but for control characters and what is not UTF-8. */
static void put_safe(struct mime_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t l = mime_unstructured_utf8_len(s + i, n - i);
		int r = !l || c < 0x20 || c == 0x7f ? mime_buf_puts(b, "\xef\xbf\xbd")
						     : mime_buf_append(b, s + i, l);
		if (r)
			oom();
		i += l ? l : 1;
	}
}

static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(*s > 0x20 && *s < 0x7f && !strchr("()<>@,;:\\\"/[]?=", *s)))
			return 0;
	return 1;
}

/* A pvalue that reads back as itself unquoted: a token, or an addr-spec
 * or domain RFC 8601 2.2 allows bare. */
static int bare_pvalue(const char *v)
{
	if (is_token(v))
		return 1;
	if (!strchr(v, '@'))
		return 0;
	struct mime_buf t = {0};
	if (mime_buf_puts(&t, "x; x=x x.x=") || mime_buf_puts(&t, v))
		oom();
	struct mime_authres *a;
	enum mime_status st = mime_authres_parse(t.data, t.len, &a);
	if (st == MIME_ENOMEM)
		oom();
	int ok = !st && strcmp(a->results[0].props[0].value, v) == 0;
	if (!st)
		mime_authres_free(a);
	mime_buf_free(&t);
	return ok;
}

static void put_value(struct mime_buf *b, const char *v, int bare)
{
	if (bare) {
		put_safe(b, v, strlen(v));
		return;
	}
	if (mime_buf_putc(b, '"'))
		oom();
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, "\"\\");
		put_safe(b, p, n);
		p += n;
		if (*p && (mime_buf_putc(b, '\\') || mime_buf_putc(b, *p++)))
			oom();
	}
	if (mime_buf_putc(b, '"'))
		oom();
}

static void line_start(struct ar *ar, const char *indent)
{
	mime_buf_reset(&ar->line);
	if ((ar->several && (mime_buf_puts(&ar->line, ar->m.path) || mime_buf_puts(&ar->line, ": "))) ||
	    mime_buf_puts(&ar->line, indent))
		oom();
}

static void line_end(struct ar *ar)
{
	if (mime_buf_putc(&ar->line, '\n'))
		oom();
	cli_write(stdout, ar->line.data, ar->line.len);
}

static void print_result(struct ar *ar, const struct mime_authres *a, size_t i)
{
	const struct mime_authres_result *r = &a->results[i];
	struct mime_buf *b = &ar->line;
	char v[24] = "";
	if (mime_authres_method_version(a, i) != 1)
		snprintf(v, sizeof v, "/%u", mime_authres_method_version(a, i));
	line_start(ar, "  ");
	if (mime_buf_puts(b, r->method) || mime_buf_puts(b, v) || mime_buf_putc(b, '=') ||
	    mime_buf_puts(b, r->result))
		oom();
	if (r->reason) {
		if (mime_buf_puts(b, " reason="))
			oom();
		put_value(b, r->reason, is_token(r->reason));
	}
	for (size_t k = 0; k < r->nprops; k++) {
		const struct mime_authres_prop *p = &r->props[k];
		if (mime_buf_putc(b, ' ') || mime_buf_puts(b, p->ptype) || mime_buf_putc(b, '.') ||
		    mime_buf_puts(b, p->name) || mime_buf_putc(b, '='))
			oom();
		put_value(b, p->value, bare_pvalue(p->value));
	}
	line_end(ar);
}

static void print_text(struct ar *ar, size_t ngroups)
{
	struct msg *m = &ar->m;
	for (size_t g = 0; g < ngroups; g++) {
		size_t first = 0;
		while (m->v[first].group != g)
			first++;
		line_start(ar, "");
		const char *id = m->v[first].a->authserv_id;
		put_safe(&ar->line, id, strlen(id));
		line_end(ar);
		for (size_t i = first; i < m->n; i++) {
			const struct mime_authres *a = m->v[i].a;
			if (m->v[i].group != g)
				continue;
			if (a->nresults == 0) {
				line_start(ar, "  none");
				line_end(ar);
			}
			for (size_t k = 0; k < a->nresults; k++)
				print_result(ar, a, k);
		}
	}
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_result(const struct mime_authres *a, size_t i)
{
	const struct mime_authres_result *r = &a->results[i];
	int first = 1;
	putchar('{');
	json_kv_str(stdout, &first, "method", r->method);
	json_kv_u64(stdout, &first, "method_version", mime_authres_method_version(a, i));
	json_kv_str(stdout, &first, "result", r->result);
	json_kv_str(stdout, &first, "reason", r->reason);
	fputs(",\"props\":[", stdout);
	for (size_t k = 0; k < r->nprops; k++) {
		int f1 = 1;
		fputs(k ? ",{" : "{", stdout);
		json_kv_str(stdout, &f1, "ptype", r->props[k].ptype);
		json_kv_str(stdout, &f1, "property", r->props[k].name);
		json_kv_str(stdout, &f1, "value", r->props[k].value);
		putchar('}');
	}
	fputs("]}", stdout);
}

static void print_json(struct ar *ar, size_t ngroups)
{
	struct msg *m = &ar->m;
	int first = 1;
	putchar('{');
	json_kv_str(stdout, &first, "file", m->path);
	fputs(",\"groups\":[", stdout);
	for (size_t g = 0; g < ngroups; g++) {
		int gf = 1, nf = 0;
		fputs(g ? ",{" : "{", stdout);
		for (size_t i = 0; i < m->n; i++) {
			const struct mime_authres *a = m->v[i].a;
			if (m->v[i].group != g)
				continue;
			if (nf++ == 0) {
				json_kv_str(stdout, &gf, "authserv_id", a->authserv_id);
				fputs(",\"fields\":[", stdout);
			} else {
				putchar(',');
			}
			int ff = 1;
			putchar('{');
			json_kv_u64(stdout, &ff, "line", m->v[i].line);
			json_kv_u64(stdout, &ff, "version", a->version);
			fputs(",\"results\":[", stdout);
			for (size_t k = 0; k < a->nresults; k++) {
				if (k)
					putchar(',');
				json_result(a, k);
			}
			fputs("]}", stdout);
		}
		fputs("]}", stdout);
	}
	fputs("],\"malformed\":[", stdout);
	for (size_t i = 0; i < m->nbad; i++)
		printf("%s%lu", i ? "," : "", m->bad[i]);
	fputs("]}\n", stdout);
}

/* ---- messages ----------------------------------------------------------- */

/* Groups by authserv-id (ASCII case-insensitive), in order of first
 * appearance. Returns how many. */
static size_t group(struct msg *m)
{
	size_t ng = 0;
	for (size_t i = 0; i < m->n; i++) {
		size_t j = 0;
		while (j < i && !mime_authres_id_is(m->v[j].a, m->v[i].a->authserv_id))
			j++;
		m->v[i].group = j < i ? m->v[j].group : ng++;
	}
	return ng;
}

static void one_file(struct ar *ar, const char *path)
{
	struct msg *m = &ar->m;
	m->path = path;
	m->where = strcmp(path, "-") ? path : "stdin";
	m->n = m->nbad = 0;
	FILE *in = cli_open(path);
	struct cli_fields cb = {.field = on_field, .ctx = ar};
	int bad = cli_read_fields(in, m->where, &cb);
	if (in != stdin)
		fclose(in);
	size_t ng = group(m);
	if (ar->json)
		print_json(ar, ng);
	else
		print_text(ar, ng);
	if (bad || m->nbad)
		ar->status = EX_DATAERR;
	else if (m->n == 0 && ar->status == 0)
		ar->status = 1;
	for (size_t i = 0; i < m->n; i++)
		mime_authres_free(m->v[i].a);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"authserv-id", required_argument, NULL, OPT_AUTHSERV},
		{NULL, 0, NULL, 0},
	};
	struct ar ar = {0};
	int o;
	while ((o = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		if (o == OPT_JSON)
			ar.json = 1;
		else
			ar.only = optarg;
	}
	ar.several = argc - optind > 1;
	if (optind == argc)
		one_file(&ar, "-");
	for (int i = optind; i < argc; i++)
		one_file(&ar, argv[i]);
	free(ar.m.v);
	free(ar.m.bad);
	mime_buf_free(&ar.line);
	cli_flush_stdout();
	return ar.status;
}
