/* ember commands: delivery of one message to the recipients of one domain
 * through the domain's mail exchangers (ember send, ember relay): MX through
 * lib/io's c-ares adapter in preference order (RFC 5321 5.1), the domain
 * itself when it has no MX, none at all for a null MX (RFC 7505); each
 * exchanger's AAAA and A addresses in turn; or one named host (a relay's
 * smarthost). Blocking (tools/common/smtpdrive.h's session): a command's
 * main thread, or a worker thread with an io_dns of its own. */
#ifndef EMBER_MX_H
#define EMBER_MX_H

#include <stddef.h>

#include "io.h"
#include "smtp.h"

enum mx_outcome { MX_PENDING, MX_SENT, MX_REFUSED, MX_DEFERRED };

struct mx_rcpt {
	const char *addr;
	enum mx_outcome out;
	int code;            /* the server's reply to it (or to the message), 0: none */
	char why[600];       /* "HOST: 250 2.0.0 Ok" or the reason */
};

struct mx_options {
	unsigned port;                            /* the exchangers' SMTP port */
	const struct smtp_client_options *co;     /* EHLO name, STARTTLS flags */
	struct io_tls_ctx *tls;                   /* client context */
	int verify_names;                         /* send and verify the host name */
	unsigned timeout_ms;                      /* every wait */
};

/* The message to every MX_PENDING recipient of rs (all of domain, or all
 * through host when host is not NULL: "NAME" or a numeric address, with
 * port o->port); each gets an outcome. 0, or -1 when out of memory. */
int mx_deliver(struct io_dns *dns, const char *domain, const char *host, struct mx_rcpt *rs,
	       size_t n, const char *sender, const char *msg, size_t len,
	       const struct mx_options *o);

/* "x.y.z" of an enhanced status code after the reply code in why ("HOST:
 * 550 5.1.1 ..."), into buf (size 16); else the class's "5.0.0"/"4.0.0". */
void mx_status(const struct mx_rcpt *r, char *buf);

#endif
