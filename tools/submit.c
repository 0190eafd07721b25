/* ember submit: send the message on stdin to a submission server (RFC 6409;
 * 587 with STARTTLS, 465 with implicit TLS, RFC 8314), through lib/smtp's
 * client machine. Recipients from To, Cc and Bcc (lib/mime's strict
 * address parser) unless --to; the sender from --sender, else the From
 * address (lib/mime's one author function); Bcc removed by the editor. */
#include "cli.h"
#include "io.h"
#include "mime.h"
#include "smtp.h"
#include "smtpdrive.h"
#include "smtpmsg.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "submit",
	.summary = "send a message to a submission server (SMTP, STARTTLS or TLS, AUTH)",
	.usage =
	"Usage: ember submit --server HOST[:PORT] [--starttls | --tls | --plain]\n"
	"                    [--user U --password-file F] [--sender A] [--to A]...\n"
	"                    [--cafile F | --insecure] [--helo NAME] [--timeout S]\n"
	"Sends the message on stdin. Recipients: the addresses of its To, Cc and Bcc\n"
	"fields, or the --to addresses only; the Bcc field is removed from what is\n"
	"sent, every other byte goes as it is (CRLF line ends, dot-stuffed).\n"
	"      --server HOST[:PORT]  the server (port: 587, 465 with --tls, 25 with\n"
	"                            --plain)\n"
	"      --starttls            STARTTLS, required: no fallback to clear (default)\n"
	"      --tls                 implicit TLS from the first byte (port 465)\n"
	"      --plain               no TLS at all (no AUTH then)\n"
	"      --user U              AUTH PLAIN (or LOGIN) as U, over TLS only\n"
	"      --password-file F     the password: the first line of F\n"
	"      --sender A            the envelope sender (default: the From address;\n"
	"                            '' or <> for the null sender)\n"
	"      --to A                a recipient (repeatable; then the header's are not used)\n"
	"      --cafile F            the CAs (PEM) the server's certificate must chain to\n"
	"                            (default: the system's)\n"
	"      --insecure            do not verify the server's certificate\n"
	"      --helo NAME           the EHLO name (default: the host name)\n"
	"      --timeout S           seconds to wait for each reply (default 60)\n"
	"  -h, --help, --version\n"
	"Exit status: 0 sent to every recipient; 64 usage; 65 no recipients or no\n"
	"sender in the message; 66 a file that cannot be read; 69 a 5xx reply, a\n"
	"refused connection, TLS unavailable; 75 a 4xx reply or a timeout; 77 AUTH\n"
	"refused.\n",
};

enum { OPT_SERVER = 256, OPT_STARTTLS, OPT_TLS, OPT_PLAIN, OPT_USER, OPT_PWFILE, OPT_SENDER,
       OPT_TO, OPT_CAFILE, OPT_INSECURE, OPT_HELO, OPT_TIMEOUT };

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

static char *read_password(const char *path)
{
	FILE *f = cli_open(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		line = strdup("");
		if (!line)
			oom();
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	fclose(f);
	return line;
}

static int status_of(int code)
{
	return code / 100 == 4 ? EX_TEMPFAIL : EX_UNAVAILABLE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"server", required_argument, NULL, OPT_SERVER},
		{"starttls", no_argument, NULL, OPT_STARTTLS},
		{"tls", no_argument, NULL, OPT_TLS},
		{"plain", no_argument, NULL, OPT_PLAIN},
		{"user", required_argument, NULL, OPT_USER},
		{"password-file", required_argument, NULL, OPT_PWFILE},
		{"sender", required_argument, NULL, OPT_SENDER},
		{"to", required_argument, NULL, OPT_TO},
		{"cafile", required_argument, NULL, OPT_CAFILE},
		{"insecure", no_argument, NULL, OPT_INSECURE},
		{"helo", required_argument, NULL, OPT_HELO},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	const char *server = NULL, *user = NULL, *pwfile = NULL, *sender = NULL, *cafile = NULL;
	const char *helo = NULL;
	int mode = 0, insecure = 0, c;  /* mode: 0 starttls, 1 tls, 2 plain */
	int modes = 0;
	unsigned long timeout = 60;
	struct list to = {0};
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_SERVER: server = optarg; break;
		case OPT_STARTTLS: mode = 0, modes++; break;
		case OPT_TLS: mode = 1, modes++; break;
		case OPT_PLAIN: mode = 2, modes++; break;
		case OPT_USER: user = optarg; break;
		case OPT_PWFILE: pwfile = optarg; break;
		case OPT_SENDER: sender = optarg; break;
		case OPT_TO: add_arg(&to, optarg); break;
		case OPT_CAFILE: cafile = optarg; break;
		case OPT_INSECURE: insecure = 1; break;
		case OPT_HELO: helo = optarg; break;
		case OPT_TIMEOUT: {
			char *end;
			timeout = strtoul(optarg, &end, 10);
			if (*end || !timeout || timeout > 86400)
				cli_usage_error("--timeout: seconds, 1 to 86400");
			break;
		}
		}
	}
	if (optind != argc)
		cli_usage_error("the message comes on stdin: no FILE argument");
	if (!server)
		cli_usage_error("--server HOST[:PORT] is needed");
	if (modes > 1)
		cli_usage_error("one of --starttls, --tls and --plain");
	if (!!user != !!pwfile)
		cli_usage_error("--user and --password-file go together");
	if (user && mode == 2)
		cli_usage_error("--user needs TLS: --starttls or --tls, not --plain");
	if (cafile && insecure)
		cli_usage_error("--cafile or --insecure, not both");

	char *msg, *from;
	size_t len;
	struct mime_buf body;
	int rc = read_envelope(&to, sender, &msg, &len, &from, &body);
	if (rc)
		return rc;

	/* the server */
	char host[256], port[16];
	const char *colon = strrchr(server, ':');
	const char *h0 = server;
	size_t hn = strlen(server);
	snprintf(port, sizeof port, "%s", mode == 1 ? "465" : mode == 2 ? "25" : "587");
	if (server[0] == '[') {
		const char *rb = strchr(server, ']');
		if (!rb)
			cli_usage_error("--server: a ']' is missing");
		h0 = server + 1;
		hn = (size_t)(rb - h0);
		if (rb[1] == ':')
			snprintf(port, sizeof port, "%s", rb + 2);
	} else if (colon && !strchr(colon + 1, ':') && strchr(server, ':') == colon) {
		hn = (size_t)(colon - server);
		snprintf(port, sizeof port, "%s", colon + 1);
	}
	if (hn == 0 || hn >= sizeof host)
		cli_usage_error("--server: HOST[:PORT]");
	memcpy(host, h0, hn);
	host[hn] = 0;

	struct io_tls_ctx *ctx = NULL;
	char err[512];
	if (mode != 2) {
		struct io_tls_options to2 = {.ca_file = cafile, .insecure = insecure};
		if (!(ctx = io_tls_client_ctx(&to2, err, sizeof err)))
			cli_die(EX_NOINPUT, cafile ? cafile : "TLS", "%s", err);
	}
	char *pass = pwfile ? read_password(pwfile) : NULL;
	char myname[256];
	if (!helo) {
		if (gethostname(myname, sizeof myname - 1) || !myname[0])
			snprintf(myname, sizeof myname, "localhost");
		helo = myname;
	}
	struct smtp_client_options co = {
		.helo = helo,
		.flags = mode == 0 ? SMTP_CLI_STARTTLS_REQUIRED : mode == 1 ? SMTP_CLI_SECURE : 0,
		.user = user,
		.password = pass,
	};
	struct smtp_envelope env = {.sender = from, .rcpts = (const char *const *)to.v, .nrcpts = to.n};
	struct drive d = {
		.co = &co, .tls_ctx = ctx, .implicit_tls = mode == 1, .tls_name = host,
		.timeout_ms = (unsigned)(timeout * 1000), .env = &env, .msg = body.data ? body.data : "",
		.len = body.len,
	};
	d.rcpts = calloc(to.n, sizeof *d.rcpts);
	if (!d.rcpts)
		oom();

	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	int gai = getaddrinfo(host, port, &hints, &ai);
	if (gai)
		cli_die(gai == EAI_AGAIN ? EX_TEMPFAIL : EX_UNAVAILABLE, server, "%s", gai_strerror(gai));
	int fd = -1, cerr = 0;
	for (struct addrinfo *p = ai; p && fd < 0; p = p->ai_next) {
		fd = drive_connect(p->ai_addr, p->ai_addrlen, d.timeout_ms);
		if (fd < 0)
			cerr = errno;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		cli_die(cerr == ETIMEDOUT ? EX_TEMPFAIL : EX_UNAVAILABLE, server, "cannot connect: %s",
			strerror(cerr));
	drive_session(&d, fd);

	int status = 0;
	for (size_t i = 0; i < to.n; i++) {
		const struct drive_rcpt *r = &d.rcpts[i];
		if (r->done && !r->ok) {
			cli_warn(to.v[i], "refused: %s", r->text);
			if (!status || status_of(r->code) == EX_UNAVAILABLE)
				status = status_of(r->code);
		}
	}
	if (!d.sent) {
		const char *what = smtp_cerr_name(d.err);
		int st;
		switch (d.err) {
		case SMTP_CE_AUTH_FAILED:
			st = d.err_code / 100 == 4 ? EX_TEMPFAIL : EX_NOPERM;
			break;
		case SMTP_CE_TIMEOUT:
			st = EX_TEMPFAIL;
			break;
		case SMTP_CE_NOMEM:
			st = EX_SOFTWARE;
			break;
		case SMTP_CE_NO_RCPT:
			st = status ? status : EX_UNAVAILABLE;
			break;
		default:
			st = d.err_code ? status_of(d.err_code) : EX_UNAVAILABLE;
			break;
		}
		if (d.tls_error[0])
			cli_warn(server, "TLS: %s", d.tls_error);
		else if (d.err_text[0])
			cli_warn(server, "%s: %s", what, d.err_text);
		else
			cli_warn(server, "%s", what);
		status = st;
	}
	free(pass);
	free(d.rcpts);
	free(from);
	for (size_t i = 0; i < to.n; i++)
		free(to.v[i]);
	free(to.v);
	mime_buf_free(&body);
	free(msg);
	io_tls_ctx_free(ctx);
	return status;
}
