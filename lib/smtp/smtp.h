/* ember lib/smtp: the one public header of the SMTP library.
 *
 * Two sans-IO machines, RFC 5321 with PIPELINING (RFC 2920), 8BITMIME
 * (RFC 6152), SMTPUTF8 (RFC 6531), SIZE (RFC 1870), ENHANCEDSTATUSCODES
 * (RFC 2034, 3463), STARTTLS (RFC 3207), AUTH PLAIN and LOGIN (RFC 4954,
 * 4616) and CHUNKING (RFC 3030, server side). Bytes in, replies (or
 * commands) and events out; no sockets, no clocks, no global state. The
 * caller moves the bytes (lib/io: the event loop and TLS), decides what
 * the machine asks (a recipient, credentials, the stored message), and
 * answers.
 *
 * Server:
 *
 *   struct smtp_server *s = smtp_server_new(&opts);     greeting queued
 *   loop:
 *     send what smtp_server_output() gives, then smtp_server_drain()
 *     read bytes (when smtp_server_want_input()), smtp_server_feed()
 *     while ((ev = smtp_server_next(s, &e)) != SMTP_EV_AWAIT)
 *             switch (ev) {
 *             case SMTP_EV_RCPT: smtp_server_reply(s, 250, ...) or later
 *             case SMTP_EV_DATA: store e.data, e.len
 *             case SMTP_EV_DATA_END: fsync, then smtp_server_reply(s, 250, ...)
 *             case SMTP_EV_STARTTLS: flush, handshake, smtp_server_tls_started()
 *             case SMTP_EV_CLOSE: flush, close
 *             ...
 *             }
 *
 * A question (MAIL, RCPT, AUTH, DATA_END) stops the machine until it is
 * answered; input that arrives meanwhile waits in the machine, so the
 * replies of pipelined commands keep their order. */
#ifndef EMBER_SMTP_H
#define EMBER_SMTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum smtp_status {
	SMTP_OK = 0,
	SMTP_ENOMEM = -1,   /* memory ran out */
	SMTP_EINVAL = -2,   /* a bad argument */
	SMTP_ESTATE = -3,   /* called when the machine was not asking */
	SMTP_ELIMIT = -4,   /* more input than the machine will hold */
};

/* ---- replies ---------------------------------------------------------------
 * A reply as read by the client (RFC 5321 4.2): bounded, a 3-digit code
 * repeated on every line, '-' on all lines but the last. */
#define SMTP_REPLY_MAX_LINE 512   /* octets with CRLF (RFC 5321 4.5.3.1.5) */
#define SMTP_REPLY_MAX_LINES 100

struct smtp_reply {
	int code;            /* 200..599 */
	char enhanced[16];   /* "2.1.5" when the text starts with one, else "" */
	char *text;          /* the lines' texts, enhanced code left in, joined
				by '\n', NUL-terminated; owned by the machine */
	size_t text_len;
	size_t nlines;
};

/* ---- server ----------------------------------------------------------------*/
#define SMTP_SRV_STARTTLS   0x001u  /* offer STARTTLS (needs the caller's TLS) */
#define SMTP_SRV_SECURE     0x002u  /* already TLS (port 465): no STARTTLS */
#define SMTP_SRV_AUTH       0x004u  /* offer AUTH PLAIN LOGIN, over TLS only */
#define SMTP_SRV_AUTH_CLEAR 0x008u  /* ... and in clear too (tests, loopback) */
#define SMTP_SRV_AUTH_REQUIRED 0x010u /* MAIL needs a successful AUTH first */
#define SMTP_SRV_CHUNKING   0x020u  /* offer CHUNKING (BDAT) */
#define SMTP_SRV_NORMALISE  0x040u  /* a bare CR or LF in DATA or BDAT is
					taken as CRLF (the default rejects
					the message); CRLF.CRLF alone ends
					DATA either way */

struct smtp_server_options {
	const char *hostname;    /* in the greeting and the EHLO reply; NULL: "localhost" */
	unsigned flags;          /* SMTP_SRV_* */
	size_t max_line;         /* command line with CRLF (0: 512) */
	size_t max_text_line;    /* DATA line without CRLF (0: 998) */
	size_t max_rcpts;        /* per message (0: 1000); the next gets 452 */
	uint64_t max_size;       /* message bytes (0: 10 MiB); SIZE advertises it */
	unsigned max_errors;     /* error replies tolerated; the next one is a
				    421 and the end of the session (0: 10) */
	unsigned max_messages;   /* per session (0: unlimited); then 421 */
	size_t max_input;        /* input held while a question waits, or
				    unread (0: 256 KiB); feed refuses more */
	unsigned cmd_timeout_ms;  /* RFC 5321 4.5.3.2.7: 5 min (0: 300000) */
	unsigned data_timeout_ms; /* inside DATA or BDAT: 4.5.3.2.7's
				     "data block" (0: 180000) */
};

struct smtp_server;

enum smtp_ev {
	SMTP_EV_AWAIT,      /* feed more input, or answer the question asked */
	SMTP_EV_HELO,       /* data: the client's EHLO/HELO name; esmtp: EHLO
			       (informational; a new HELO also resets a transaction) */
	SMTP_EV_MAIL,       /* question: data: the reverse path ("" null), mail */
	SMTP_EV_RCPT,       /* question: data: the forward path ("local@domain",
			       or "Postmaster") */
	SMTP_EV_DATA_BEGIN, /* the message starts (354 sent, or the first BDAT) */
	SMTP_EV_DATA,       /* data, len: message bytes, CRLF lines, unstuffed;
			       valid until the next call */
	SMTP_EV_DATA_END,   /* question: the message is complete; answer when it
			       is stored (250) or not (4xx, 5xx) */
	SMTP_EV_DATA_ABORT, /* the message is refused or cut (reason); the reply
			       is sent; forget what DATA gave */
	SMTP_EV_RSET,       /* the transaction is reset (RSET, HELO, STARTTLS) */
	SMTP_EV_AUTH,       /* question: mech, authzid, user, password; answer
			       with smtp_server_auth() */
	SMTP_EV_STARTTLS,   /* 220 queued: send it, then start TLS, then call
			       smtp_server_tls_started(); discarded: plaintext
			       bytes after the command, thrown away */
	SMTP_EV_CLOSE,      /* send what is queued, then close (QUIT, 421,
			       the client's end of input) */
};

enum smtp_abort {
	SMTP_ABORT_NONE,
	SMTP_ABORT_BARE_LF,
	SMTP_ABORT_BARE_CR,
	SMTP_ABORT_NUL,
	SMTP_ABORT_LINE_TOO_LONG,
	SMTP_ABORT_TOO_BIG,
	SMTP_ABORT_EOF,          /* the connection ended inside the message */
	SMTP_ABORT_TIMEOUT,
	SMTP_ABORT_RESET,        /* RSET between BDAT chunks */
};

struct smtp_mail_params {
	uint64_t size;      /* SIZE=, 0 when absent */
	int body_8bit;      /* BODY=8BITMIME */
	int smtputf8;       /* SMTPUTF8 */
};

struct smtp_event {
	const char *data;
	size_t len;
	int esmtp;                    /* HELO */
	struct smtp_mail_params mail; /* MAIL */
	const char *mech;             /* AUTH: "PLAIN", "LOGIN" */
	const char *authzid, *user, *password; /* AUTH (NUL-terminated; valid
						   until answered) */
	enum smtp_abort reason;       /* DATA_ABORT */
	size_t discarded;             /* STARTTLS */
};

/* NULL options: the defaults. NULL when memory is exhausted. The greeting
 * is queued. */
struct smtp_server *smtp_server_new(const struct smtp_server_options *o);
void smtp_server_free(struct smtp_server *s);

/* Input from the client (len 0: the client closed). SMTP_OK, SMTP_ENOMEM,
 * SMTP_ELIMIT (more than max_input waiting: stop reading, or close). */
enum smtp_status smtp_server_feed(struct smtp_server *s, const char *buf, size_t len);
/* The next event; ev is filled for the types that say so. */
enum smtp_ev smtp_server_next(struct smtp_server *s, struct smtp_event *ev);

/* Answer MAIL, RCPT or DATA_END: code 2xx accepts, 4xx/5xx refuses; ehc
 * the enhanced code ("2.1.0") or NULL for a default; text NULL for a
 * default. Control and 8-bit bytes in text are sent as '?'.
 * SMTP_OK, SMTP_ESTATE when no such question waits, SMTP_EINVAL. */
enum smtp_status smtp_server_reply(struct smtp_server *s, int code, const char *ehc,
				   const char *text);
/* Answer AUTH: ok 1 (235), 0 (535), -1 temporary failure (454). */
enum smtp_status smtp_server_auth(struct smtp_server *s, int ok);
/* After SMTP_EV_STARTTLS: TLS is up. Everything is forgotten (HELO, AUTH,
 * transaction; RFC 3207 4.2) and the session is secure. */
void smtp_server_tls_started(struct smtp_server *s);
/* Timer: the client was silent for smtp_server_timeout_ms(): 421, close. */
void smtp_server_timeout(struct smtp_server *s);
unsigned smtp_server_timeout_ms(const struct smtp_server *s);
/* End the session from our side with 421 (shutdown, too many clients). */
void smtp_server_shutdown(struct smtp_server *s, const char *text);

/* Bytes to send; drain what was sent. */
const char *smtp_server_output(const struct smtp_server *s, size_t *len);
void smtp_server_drain(struct smtp_server *s, size_t n);
/* 1 when reading more from the client makes sense (not closed, not
 * waiting on TLS, room in the input). */
int smtp_server_want_input(const struct smtp_server *s);
int smtp_server_closed(const struct smtp_server *s);

/* The session, for Received fields and logs. */
const char *smtp_server_helo(const struct smtp_server *s);   /* "" before HELO */
int smtp_server_esmtp(const struct smtp_server *s);
int smtp_server_secure(const struct smtp_server *s);
const char *smtp_server_user(const struct smtp_server *s);   /* NULL: no AUTH */
/* "SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA", "UTF8SMTPS"... (RFC 3848,
 * RFC 6531) for the current transaction. */
const char *smtp_server_protocol(const struct smtp_server *s);
unsigned long smtp_server_messages(const struct smtp_server *s);

/* ---- client ----------------------------------------------------------------*/
#define SMTP_CLI_STARTTLS      0x01u /* STARTTLS when offered (opportunistic) */
#define SMTP_CLI_STARTTLS_REQUIRED 0x02u /* STARTTLS or fail: never in clear */
#define SMTP_CLI_SECURE        0x04u /* already TLS (implicit, port 465) */
#define SMTP_CLI_NO_PIPELINING 0x08u /* one command at a time even if offered */
#define SMTP_CLI_AUTH_CLEAR    0x10u /* allow AUTH without TLS */

struct smtp_client_options {
	const char *helo;       /* EHLO name; NULL: "localhost" */
	unsigned flags;         /* SMTP_CLI_* */
	const char *user;       /* AUTH when set (PLAIN, else LOGIN) */
	const char *password;
};

struct smtp_envelope {
	const char *sender;          /* "" for the null reverse path */
	const char *const *rcpts;
	size_t nrcpts;
};

enum smtp_cev {
	SMTP_C_AWAIT,     /* feed more replies */
	SMTP_C_STARTTLS,  /* 220 to STARTTLS: start TLS, then
			     smtp_client_tls_started() */
	SMTP_C_READY,     /* the session is set up: smtp_client_send() or
			     smtp_client_quit() */
	SMTP_C_RCPT,      /* rcpt: its index, reply: its reply (per recipient) */
	SMTP_C_DONE,      /* the message's outcome: ok, reply (the final one,
			     or the one that stopped it), err */
	SMTP_C_ERROR,     /* the session failed: err, reply (may be NULL);
			     send what is queued (a QUIT) and close */
	SMTP_C_CLOSED,    /* QUIT answered, or the server closed */
};

enum smtp_cerr {
	SMTP_CE_NONE,
	SMTP_CE_GREETING,       /* the server's greeting was not 220 */
	SMTP_CE_HELO,           /* EHLO and HELO refused */
	SMTP_CE_TLS_UNAVAILABLE,/* STARTTLS required, not offered or refused */
	SMTP_CE_AUTH_UNAVAILABLE,/* no AUTH PLAIN or LOGIN offered */
	SMTP_CE_AUTH_NEEDS_TLS, /* credentials given and no TLS */
	SMTP_CE_AUTH_FAILED,    /* AUTH refused (reply says 4xx or 5xx) */
	SMTP_CE_SIZE,           /* bigger than the server's SIZE */
	SMTP_CE_8BITMIME,       /* 8-bit body, no 8BITMIME */
	SMTP_CE_SMTPUTF8,       /* UTF-8 addresses or header, no SMTPUTF8 */
	SMTP_CE_MAIL,           /* MAIL FROM refused */
	SMTP_CE_NO_RCPT,        /* every recipient refused */
	SMTP_CE_DATA,           /* DATA or the message refused */
	SMTP_CE_PROTOCOL,       /* a reply that does not parse or fit */
	SMTP_CE_CLOSED,         /* the server closed the connection */
	SMTP_CE_TIMEOUT,
	SMTP_CE_NOMEM,
};
const char *smtp_cerr_name(enum smtp_cerr e);

struct smtp_client_event {
	const struct smtp_reply *reply; /* valid until the next call */
	size_t rcpt;
	int ok;
	enum smtp_cerr err;
};

struct smtp_client;

/* NULL when memory is exhausted (or options->user without a password). */
struct smtp_client *smtp_client_new(const struct smtp_client_options *o);
void smtp_client_free(struct smtp_client *c);
/* Replies from the server (len 0: it closed). SMTP_OK, SMTP_ENOMEM. */
enum smtp_status smtp_client_feed(struct smtp_client *c, const char *buf, size_t len);
enum smtp_cev smtp_client_next(struct smtp_client *c, struct smtp_client_event *ev);
void smtp_client_tls_started(struct smtp_client *c);
void smtp_client_timeout(struct smtp_client *c);
/* After SMTP_C_READY (or a DONE): send one message. The body (header and
 * body, any line endings) is read in place until SMTP_C_DONE: dot-stuffed,
 * bare CR and LF sent as CRLF, a final CRLF added when missing. Strings are
 * copied. SMTP_OK, SMTP_ESTATE, SMTP_ENOMEM, SMTP_EINVAL (no recipients, or
 * an address with CR, LF, '<' or '>'). */
enum smtp_status smtp_client_send(struct smtp_client *c, const struct smtp_envelope *env,
				  const char *msg, size_t len);
/* QUIT (after READY or DONE), then SMTP_C_CLOSED. */
void smtp_client_quit(struct smtp_client *c);
const char *smtp_client_output(const struct smtp_client *c, size_t *len);
void smtp_client_drain(struct smtp_client *c, size_t n);
/* The server's EHLO capabilities (after READY): SIZE (0 none), flags. */
#define SMTP_CAP_PIPELINING 0x01u
#define SMTP_CAP_8BITMIME   0x02u
#define SMTP_CAP_SMTPUTF8   0x04u
#define SMTP_CAP_STARTTLS   0x08u
#define SMTP_CAP_AUTH_PLAIN 0x10u
#define SMTP_CAP_AUTH_LOGIN 0x20u
#define SMTP_CAP_SIZE       0x40u
#define SMTP_CAP_ENHANCED   0x80u
#define SMTP_CAP_CHUNKING   0x100u
unsigned smtp_client_caps(const struct smtp_client *c, uint64_t *size);
int smtp_client_secure(const struct smtp_client *c);

/* ---- pieces ------------------------------------------------------------- */
/* RFC 5321 4.1.2 Path ("<a@b>", "<@r1,@r2:a@b>"; "<>" when null_ok): the
 * mailbox without route into out (size outlen, NUL-terminated). utf8:
 * RFC 6531 UTF-8 allowed. 0, or -1 with *why set to a static text. */
int smtp_path_parse(const char *s, size_t n, int null_ok, int utf8, char *out, size_t outlen,
		    const char **why);
/* Base64 (RFC 4648) for AUTH: decode 0 or -1; *outlen in: room, out: used. */
int smtp_b64_decode(const char *in, size_t n, char *out, size_t *outlen);
size_t smtp_b64_encode(const void *in, size_t n, char *out); /* out: 4*ceil(n/3)+1 */

#ifdef __cplusplus
}
#endif
#endif
