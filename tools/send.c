/* ember send: deliver the message on stdin straight to each recipient
 * domain's mail exchangers: MX through lib/io's c-ares adapter, in
 * preference order (RFC 5321 5.1), the domain itself when it has no MX,
 * none at all for a null MX (RFC 7505); each exchanger's A and AAAA
 * addresses in turn; opportunistic STARTTLS (RFC 3207; RFC 7435: not
 * verified unless --cafile); one result line per recipient. */
#include "cli.h"
#include "io.h"
#include "mime.h"
#include "smtp.h"
#include "mx.h"
#include "smtpmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "send",
	.summary = "deliver a message to its recipients' mail exchangers (MX)",
	.usage =
	"Usage: ember send [--sender A] [--to A]... [--dns HOST[:PORT]] [--port N]\n"
	"                  [--helo NAME] [--require-tls] [--cafile F] [--timeout S]\n"
	"Delivers the message on stdin to the MX hosts of each recipient's domain, in\n"
	"preference order (the domain's own A/AAAA when it has no MX), with STARTTLS\n"
	"when offered; prints one line per recipient: ADDRESS: sent|refused|deferred:\n"
	"the server's reply or the reason. Recipients from To, Cc and Bcc unless --to;\n"
	"the Bcc field is removed from what is sent.\n"
	"      --sender A         the envelope sender (default: the From address; '' or\n"
	"                         <> for the null sender)\n"
	"      --to A             a recipient (repeatable)\n"
	"      --dns HOST[:PORT]  the DNS server (default $EMBER_DNS, else the system's)\n"
	"      --port N           the SMTP port of the exchangers (default 25)\n"
	"      --helo NAME        the EHLO name (default: the host name)\n"
	"      --require-tls      STARTTLS or no delivery (default: when offered)\n"
	"      --cafile F         verify the exchangers' certificates against F (default:\n"
	"                         opportunistic TLS, not verified)\n"
	"      --timeout S        seconds to wait for each reply (default 60)\n"
	"  -h, --help, --version\n"
	"Exit status: 0 sent to every recipient; 64 usage; 65 no recipients or no\n"
	"sender; 69 a recipient refused (5xx, no such domain, null MX); 75 a recipient\n"
	"deferred (4xx, timeouts, DNS failures, no exchanger reachable).\n",
};

enum { OPT_SENDER = 256, OPT_TO, OPT_DNS, OPT_PORT, OPT_HELO, OPT_REQTLS, OPT_CAFILE, OPT_TIMEOUT };

static void set(struct mx_rcpt *r, enum mx_outcome o, const char *why)
{
	r->out = o;
	size_t n = strlen(why);
	if (n >= sizeof r->why)
		n = sizeof r->why - 1;
	memcpy(r->why, why, n);
	r->why[n] = 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"sender", required_argument, NULL, OPT_SENDER},
		{"to", required_argument, NULL, OPT_TO},
		{"dns", required_argument, NULL, OPT_DNS},
		{"port", required_argument, NULL, OPT_PORT},
		{"helo", required_argument, NULL, OPT_HELO},
		{"require-tls", no_argument, NULL, OPT_REQTLS},
		{"cafile", required_argument, NULL, OPT_CAFILE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	const char *sender = NULL, *helo = NULL, *cafile = NULL;
	struct io_dns_options dopt = {0};
	unsigned long port = 25, timeout = 60;
	int reqtls = 0, c;
	struct list to = {0};
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		char *end;
		switch (c) {
		case OPT_SENDER: sender = optarg; break;
		case OPT_TO: add_arg(&to, optarg); break;
		case OPT_DNS: dopt.server = optarg; break;
		case OPT_PORT:
			port = strtoul(optarg, &end, 10);
			if (*end || !port || port > 65535)
				cli_usage_error("--port: 1 to 65535");
			break;
		case OPT_HELO: helo = optarg; break;
		case OPT_REQTLS: reqtls = 1; break;
		case OPT_CAFILE: cafile = optarg; break;
		case OPT_TIMEOUT:
			timeout = strtoul(optarg, &end, 10);
			if (*end || !timeout || timeout > 86400)
				cli_usage_error("--timeout: seconds, 1 to 86400");
			break;
		}
	}
	if (optind != argc)
		cli_usage_error("the message comes on stdin: no FILE argument");
	char *msg, *from;
	size_t len;
	struct mime_buf body;
	int rc = read_envelope(&to, sender, &msg, &len, &from, &body);
	if (rc)
		return rc;

	struct mx_rcpt *rs = calloc(to.n, sizeof *rs);
	char **domains = calloc(to.n, sizeof *domains);
	if (!rs || !domains)
		msg_oom();
	for (size_t i = 0; i < to.n; i++) {
		rs[i].addr = to.v[i];
		const char *at = strrchr(to.v[i], '@');
		if (!at || !at[1]) {
			domains[i] = strdup("");
			set(&rs[i], MX_REFUSED, "no domain");
		} else {
			domains[i] = strdup(at + 1);
		}
		if (!domains[i])
			msg_oom();
		mime_ascii_lower_n(domains[i], strlen(domains[i]));
		/* a trailing dot is the same domain */
		size_t dl = strlen(domains[i]);
		if (dl && domains[i][dl - 1] == '.')
			domains[i][dl - 1] = 0;
	}
	char err[512];
	struct io_dns *dns = io_dns_new(&dopt, err, sizeof err);
	if (!dns)
		cli_die(EX_TEMPFAIL, "DNS", "%s", err);
	struct io_tls_ctx *ctx;
	struct io_tls_options topt = {.ca_file = cafile, .insecure = !cafile};
	if (!(ctx = io_tls_client_ctx(&topt, err, sizeof err)))
		cli_die(EX_NOINPUT, cafile ? cafile : "TLS", "%s", err);
	char myname[256];
	if (!helo) {
		if (gethostname(myname, sizeof myname - 1) || !myname[0])
			snprintf(myname, sizeof myname, "localhost");
		helo = myname;
	}
	struct smtp_client_options co = {
		.helo = helo, .flags = reqtls ? SMTP_CLI_STARTTLS_REQUIRED : SMTP_CLI_STARTTLS,
	};
	struct mx_options mo = {
		.port = (unsigned)port, .co = &co, .tls = ctx, .verify_names = 1,
		.timeout_ms = (unsigned)(timeout * 1000),
	};
	struct mx_rcpt *one = calloc(to.n, sizeof *one);
	if (!one)
		msg_oom();
	/* one session per domain: its recipients together */
	for (size_t i = 0; i < to.n; i++) {
		if (rs[i].out != MX_PENDING)
			continue;
		size_t k = 0;
		size_t *at = calloc(to.n, sizeof *at);
		if (!at)
			msg_oom();
		for (size_t j = i; j < to.n; j++)
			if (rs[j].out == MX_PENDING && !strcmp(domains[j], domains[i])) {
				at[k] = j;
				one[k++] = rs[j];
			}
		if (mx_deliver(dns, domains[i], NULL, one, k, from, body.data ? body.data : "", body.len,
			       &mo))
			msg_oom();
		for (size_t j = 0; j < k; j++)
			rs[at[j]] = one[j];
		free(at);
	}
	free(one);
	int status = 0;
	static const char *const word[] = {"pending", "sent", "refused", "deferred"};
	for (size_t i = 0; i < to.n; i++) {
		printf("%s: %s: %s\n", rs[i].addr, word[rs[i].out], rs[i].why);
		if (rs[i].out == MX_REFUSED)
			status = EX_UNAVAILABLE;
		else if (rs[i].out != MX_SENT && status == 0)
			status = EX_TEMPFAIL;
		free(domains[i]);
		free(to.v[i]);
	}
	cli_flush_stdout();
	free(rs);
	free(domains);
	free(to.v);
	free(from);
	free(msg);
	mime_buf_free(&body);
	io_tls_ctx_free(ctx);
	io_dns_free(dns);
	return status;
}
