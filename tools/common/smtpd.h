/* ember commands: the SMTP server of ember srv, ember relay and ember
 * receiver. lib/smtp's server machine per connection in lib/io's event
 * loop; STARTTLS through lib/io's memory BIOs; AUTH against a USER:PASSWORD
 * file; the limits, timeouts and connection cap of the shared options; the
 * replies in order. What happens to the envelope and the message is the
 * command's, through hooks.
 *
 * Hooks and answers: MAIL, RCPT and the end of the message are questions.
 * A hook that is given one answers it with smtpd_answer(), at once or later
 * (after DNS, after an fsync); until then the session reads and runs
 * nothing more (pipelined commands wait inside lib/smtp, in order). A
 * session whose client went away while a question is open stays allocated
 * until smtpd_answer(); the answer then only frees it, and `gone` runs. */
#ifndef EMBER_SMTPD_H
#define EMBER_SMTPD_H

#include <getopt.h>
#include <stddef.h>
#include <sys/socket.h>

#include "io.h"
#include "mime.h"
#include "smtp.h"

struct smtpd;
struct smtpd_session;

/* The options every server command takes, parsed by smtpd_option(). */
struct smtpd_config {
	const char *listen;             /* --listen ADDR:PORT (required) */
	const char **domains;           /* --domain D... */
	size_t ndomains;
	const char *tls_cert, *tls_key; /* --tls-cert, --tls-key */
	const char *auth_file;          /* --auth-file */
	const char *hostname;           /* --hostname (default: the host name) */
	unsigned long max_clients;      /* --max-clients (default 1000) */
	unsigned long timeout_s;        /* --timeout (default 300) */
	unsigned long data_timeout_s;   /* --data-timeout (default 180) */
	int no_chunking;                /* --no-chunking */
	struct smtp_server_options so;  /* --max-size, --max-rcpts, --normalise */
};

/* getopt_long entries for the shared options, to put first in the
 * command's table; their values are from SMTPD_OPT_BASE up, so the
 * command's own start at 256 and stay below it. */
#define SMTPD_OPT_BASE 1024
#define SMTPD_LONGOPTS                                                       \
	{"listen", required_argument, NULL, SMTPD_OPT_BASE + 0},             \
	{"domain", required_argument, NULL, SMTPD_OPT_BASE + 1},             \
	{"tls-cert", required_argument, NULL, SMTPD_OPT_BASE + 2},           \
	{"tls-key", required_argument, NULL, SMTPD_OPT_BASE + 3},            \
	{"auth-file", required_argument, NULL, SMTPD_OPT_BASE + 4},          \
	{"max-size", required_argument, NULL, SMTPD_OPT_BASE + 5},           \
	{"max-clients", required_argument, NULL, SMTPD_OPT_BASE + 6},        \
	{"max-rcpts", required_argument, NULL, SMTPD_OPT_BASE + 7},          \
	{"hostname", required_argument, NULL, SMTPD_OPT_BASE + 8},           \
	{"timeout", required_argument, NULL, SMTPD_OPT_BASE + 9},            \
	{"data-timeout", required_argument, NULL, SMTPD_OPT_BASE + 10},      \
	{"normalise", no_argument, NULL, SMTPD_OPT_BASE + 11},               \
	{"normalize", no_argument, NULL, SMTPD_OPT_BASE + 11},               \
	{"no-chunking", no_argument, NULL, SMTPD_OPT_BASE + 12}

/* The usage lines of the shared options but --listen and --domain, whose
 * meaning each command gives. */
#define SMTPD_USAGE                                                                  \
	"      --tls-cert C        PEM certificate chain: offer STARTTLS\n"              \
	"      --tls-key K         its PEM private key (default: in C)\n"                \
	"      --auth-file F       offer AUTH PLAIN and LOGIN (after STARTTLS only) to\n" \
	"                          the USER:PASSWORD lines of F ('#' comments)\n"        \
	"      --max-size N        largest message in bytes (SIZE; default 10485760)\n"  \
	"      --max-clients N     connections at once; the next get 421 (default 1000)\n" \
	"      --max-rcpts N       recipients per message (default 1000)\n"              \
	"      --hostname H        our name in the greeting and Received (default: the\n" \
	"                          host name)\n"                                         \
	"      --timeout S         seconds to wait for a command (default 300)\n"        \
	"      --data-timeout S    seconds to wait inside DATA (default 180)\n"          \
	"      --normalise         take a bare CR or LF in DATA as CRLF (default: refuse\n" \
	"                          the message with 550; CRLF.CRLF alone ends DATA)\n"   \
	"      --no-chunking       do not offer CHUNKING (BDAT)\n"

void smtpd_config_init(struct smtpd_config *c);
/* One option of cli_getopt: 1 if it was a shared one (stored; a bad value
 * is a usage error, exit 64), 0 if it is the command's. */
int smtpd_option(struct smtpd_config *c, int opt, const char *arg);
/* A number option from 1 to max, else a usage error. */
unsigned long smtpd_number(const char *opt, const char *s, unsigned long max);

struct smtpd_hooks {
	/* MAIL FROM (sender "" for the null path): answer. NULL: 250. */
	void (*mail)(void *ctx, struct smtpd_session *s, const char *sender);
	/* RCPT TO ("local@domain", or "Postmaster"): answer; a 2xx answer
	 * adds it to smtpd_rcpts(). NULL: 250 for a recipient in a --domain
	 * (any without --domain; an authenticated client anywhere), else 550. */
	void (*rcpt)(void *ctx, struct smtpd_session *s, const char *rcpt);
	/* The message starts: 0, or -1 to refuse it (451 at its end). */
	int (*begin)(void *ctx, struct smtpd_session *s);
	/* Message bytes as received (CRLF lines, dot-unstuffed), in order. */
	void (*data)(void *ctx, struct smtpd_session *s, const char *p, size_t n);
	/* The message is complete: answer (250 only once it is stored). */
	void (*end)(void *ctx, struct smtpd_session *s);
	/* The message was cut or refused by lib/smtp (no answer is asked). */
	void (*abort)(void *ctx, struct smtpd_session *s);
	/* RSET, HELO/EHLO, STARTTLS: the transaction is forgotten. */
	void (*reset)(void *ctx, struct smtpd_session *s);
	/* The session is freed: free what smtpd_set_data() holds. */
	void (*gone)(void *ctx, struct smtpd_session *s);
	/* After the loop stopped (SIGTERM, SIGINT, smtpd_stop()): answer what
	 * is still open, waiting if need be, before the sessions close. */
	void (*stopping)(void *ctx);
};

/* Listens (exits 69 when it cannot; 66 for an unreadable certificate or
 * auth file), prints the address it listens on, and arms SIGTERM/SIGINT
 * to stop the loop. The loop is the caller's (smtpd_loop to share it). */
struct smtpd *smtpd_new(const struct smtpd_config *c, struct io_loop *loop,
			const struct smtpd_hooks *h, void *ctx);
/* Serve until SIGTERM/SIGINT or smtpd_stop(); then `stopping`, then every
 * session gets 421 and is closed. 0, or -1 if the loop failed. */
int smtpd_run(struct smtpd *d);
void smtpd_stop(struct smtpd *d);
void smtpd_free(struct smtpd *d);
struct io_loop *smtpd_loop(const struct smtpd *d);
const char *smtpd_hostname(const struct smtpd *d);
/* Is rcpt in one of the --domain domains (or Postmaster; any when none)? */
int smtpd_domain_ok(const struct smtpd *d, const char *rcpt);

/* The answer to the open question (MAIL, RCPT or the message's end). */
void smtpd_answer(struct smtpd_session *s, int code, const char *ehc, const char *text);

/* The session. */
void *smtpd_data(const struct smtpd_session *s);
void smtpd_set_data(struct smtpd_session *s, void *p);
struct smtpd *smtpd_server(const struct smtpd_session *s);
/* The client's address (for SPF), and as Received writes it ("192.0.2.1",
 * "IPv6:2001:db8::1"). */
const struct sockaddr *smtpd_peer(const struct smtpd_session *s);
const char *smtpd_peer_text(const struct smtpd_session *s);
const char *smtpd_helo(const struct smtpd_session *s);      /* "" before HELO */
const char *smtpd_sender(const struct smtpd_session *s);    /* NULL before MAIL */
char *const *smtpd_rcpts(const struct smtpd_session *s, size_t *n);
const char *smtpd_user(const struct smtpd_session *s);      /* AUTH user, or NULL */
int smtpd_secure(const struct smtpd_session *s);            /* TLS is on */
/* Are we gone (the client closed or was closed)? */
int smtpd_closed(const struct smtpd_session *s);

/* The Received field of this hop (RFC 5321 4.4; "from HELO ([IP]) by HOST
 * (ember) with PROTO id ID for <RCPT>; DATE", folded, CRLF-terminated),
 * appended to out. With return_path, "Return-Path: <sender>" before it (a
 * final delivery). 0, or -1 when out of memory. */
int smtpd_trace(struct smtpd_session *s, struct mime_buf *out, int return_path);

#endif
