/* ember lib/io: the only OS-facing code of ember. The libraries above it
 * are sans-IO; lib/io answers their questions: an epoll event loop with
 * timers and sockets (loop.c, sock.c), DNS through c-ares (dns.c), TLS
 * through OpenSSL memory BIOs (tls.c), Maildir and mboxrd delivery
 * (maildir.c, mbox.c). No global mutable state: every object hangs off a
 * handle the caller owns. */
#ifndef EMBER_IO_H
#define EMBER_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "dns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DNS (c-ares) --------------------------------------------------------
 * Asynchronous: many questions in flight at once; retries and timeouts;
 * TCP after a truncated answer (c-ares does it); the strings of each TXT
 * record joined; answers (and failures) cached for cache_seconds. */

struct io_dns_options {
	const char *server;       /* "HOST", "HOST:PORT", "[V6]:PORT"; NULL: the
				     EMBER_DNS environment variable, else the
				     system's /etc/resolv.conf */
	unsigned timeout_ms;      /* per try (2000) */
	unsigned tries;           /* (3) */
	unsigned cache_seconds;   /* how long an answer is kept (300) */
};

struct io_dns;

/* NULL options: the defaults. NULL on failure, with the reason in err. */
struct io_dns *io_dns_new(const struct io_dns_options *o, char *err, size_t errlen);
void io_dns_free(struct io_dns *d);

/* The answer to q: its records are valid during the call only. */
typedef void (*io_dns_fn)(void *ctx, const struct dns_question *q, const struct dns_answer *a);

/* Ask q (a->id is q->id). A cached answer comes at once, during the call;
 * else during io_dns_wait. 0, or -1 when out of memory. */
int io_dns_ask(struct io_dns *d, const struct dns_question *q, io_dns_fn fn, void *ctx);
/* Questions asked and not answered yet. */
size_t io_dns_pending(const struct io_dns *d);
/* Wait for answers until none is pending (each question gets one: an
 * answer, a failure or a timeout). 0, or -1 when polling fails. */
int io_dns_wait(struct io_dns *d);

/* ---- the event loop (epoll) ----------------------------------------------
 * One thread, one loop. A turn: the end-of-turn hooks run, then the loop
 * waits (epoll_wait, until the nearest timer), then calls the callbacks of
 * the ready fds, then those of the timers that are due. So everything that
 * became ready in one wait is handled before the hooks run again: a hook
 * is the place for group commit (io_maildir_commit once for every session
 * whose data ended in that turn).
 * Callbacks may add and remove watches, timers and hooks, their own
 * included; a removed watch gets no further callback, even in the same
 * turn. Costs: O(1) per fd event, O(log n) per timer change. */

struct io_loop;
struct io_watch;
struct io_timer;
struct io_hook;

enum {
	IO_READ = 1,     /* readable (or EOF, or an error pending) */
	IO_WRITE = 2,    /* writable (a non-blocking connect has finished) */
	IO_ERR = 4,      /* given to callbacks only: EPOLLERR or EPOLLHUP */
};

typedef void (*io_watch_fn)(void *ctx, int fd, unsigned events);
typedef void (*io_timer_fn)(void *ctx);
typedef void (*io_hook_fn)(void *ctx);

/* NULL on failure, with the reason in err. */
struct io_loop *io_loop_new(char *err, size_t errlen);
/* Free the watches and timers first (io_watch_del, io_timer_free); the
 * hooks left are freed here. Closes no fd: the fds are the caller's. */
void io_loop_free(struct io_loop *l);
/* Run turns until io_loop_stop, or until nothing is left to wait for (no
 * watch, no armed timer). 0, or -1 when epoll_wait fails (errno). */
int io_loop_run(struct io_loop *l);
/* One turn, waiting at most timeout_ms (-1: until a timer or an fd).
 * The number of callbacks run, or -1 (errno). */
int io_loop_turn(struct io_loop *l, int timeout_ms);
/* io_loop_run returns after the current turn. */
void io_loop_stop(struct io_loop *l);
/* The loop's clock: CLOCK_MONOTONIC in milliseconds, read once per turn. */
uint64_t io_loop_now(const struct io_loop *l);

/* Watch fd (non-blocking: see io_nonblock) for events (IO_READ|IO_WRITE;
 * level-triggered). NULL when out of memory or epoll_ctl fails (errno). */
struct io_watch *io_watch_add(struct io_loop *l, int fd, unsigned events, io_watch_fn fn, void *ctx);
/* Change what is watched (0: nothing for now). 0, or -1 (errno). */
int io_watch_set(struct io_watch *w, unsigned events);
unsigned io_watch_events(const struct io_watch *w);
/* Stop watching (before closing the fd). NULL is fine. */
void io_watch_del(struct io_watch *w);

/* A timer, disarmed. NULL when out of memory. */
struct io_timer *io_timer_new(struct io_loop *l, io_timer_fn fn, void *ctx);
/* Arm (or re-arm) to fire once, ms from now (0: in this turn or the next). */
void io_timer_set(struct io_timer *t, uint64_t ms);
void io_timer_stop(struct io_timer *t);
int io_timer_armed(const struct io_timer *t);
/* Disarm and free. NULL is fine. */
void io_timer_free(struct io_timer *t);

/* fn(ctx) once per turn, before the loop waits (so: at the end of each
 * turn, and before the first). NULL when out of memory. */
struct io_hook *io_hook_add(struct io_loop *l, io_hook_fn fn, void *ctx);
void io_hook_del(struct io_hook *h);

/* RFC 5321 4.5.3.2's timeouts, in milliseconds, for io_timer_set (tests
 * use seconds). Values only: the SMTP sessions arm their own timers. */
struct io_smtp_timeouts {
	uint64_t greeting;   /* client: for the 220 (5 min) */
	uint64_t command;    /* server: for the next command; client: for the
				reply to MAIL, RCPT and the others (5 min) */
	uint64_t data_init;  /* client: for the 354 after DATA (2 min) */
	uint64_t data_block; /* both: between two blocks of data (3 min) */
	uint64_t data_term;  /* the final dot: the client waits this long for
				the reply (10 min); the server gives itself as
				long to store and answer (10 min) */
};
#define IO_SMTP_TIMEOUTS_DEFAULT {300000, 300000, 120000, 180000, 600000}

/* ---- sockets ---------------------------------------------------------------
 * Every fd returned is non-blocking and close-on-exec. */

/* "ADDR:PORT", "[V6ADDR]:PORT", "*:PORT" or ":PORT" (any address, IPv6
 * and IPv4 both), "HOST:PORT" only where HOST is a numeric address or
 * "localhost" (127.0.0.1), "PORT" alone (any address). A
 * missing ":PORT" takes default_port (0: refused). 0, or -1 with err. */
int io_addr_parse(const char *s, unsigned default_port, struct sockaddr_storage *ss,
		  socklen_t *len, char *err, size_t errlen);
/* "1.2.3.4:25", "[::1]:25" into buf. Returns buf. */
char *io_addr_format(const struct sockaddr *sa, char *buf, size_t len);
#define IO_ADDR_STRLEN 64
/* A listening socket on ADDR:PORT (io_addr_parse), SO_REUSEADDR, backlog
 * (0: SOMAXCONN); "[::]:P" and "*:P" take IPv4 too, "[::1]:P" IPv6 only.
 * The fd, or -1 with err. */
int io_listen(const char *addr, int backlog, char *err, size_t errlen);
/* The bound address of fd (to learn the port of "127.0.0.1:0"). */
unsigned io_local_port(int fd);
/* Accept one connection: the fd; -1 with errno EAGAIN when none is
 * waiting, or another errno (EMFILE...). peer may be NULL. */
int io_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peerlen);
/* Start a non-blocking connect: the fd (watch it for IO_WRITE, then ask
 * io_connect_done), or -1 (errno). */
int io_connect(const struct sockaddr *sa, socklen_t len);
/* After IO_WRITE on a connecting fd: 0 when connected, else the errno. */
int io_connect_done(int fd);
/* Make fd non-blocking and close-on-exec. 0 or -1. */
int io_nonblock(int fd);

/* Read and write: EINTR retried; short transfers accumulated.
 * io_read: bytes read (>0), 0 at EOF, IO_AGAIN when nothing is there yet,
 * -1 on error (errno). It reads at most once past EINTR: call it again
 * while it fills the buffer. */
#define IO_AGAIN (-2)
ssize_t io_read(int fd, void *buf, size_t n);
/* Write as much of buf as the fd takes now: the bytes written (0..n, less
 * than n when the fd would block), or -1 on error (errno; EPIPE is not a
 * signal: send with MSG_NOSIGNAL on sockets, write elsewhere). */
ssize_t io_write(int fd, const void *buf, size_t n);

/* An output queue: what could not be written yet. */
struct io_buf {
	char *data;
	size_t off, len, cap;   /* pending bytes: data[off..len) */
};
/* Append (copying). 0, or -1 when out of memory. */
int io_buf_add(struct io_buf *b, const void *p, size_t n);
size_t io_buf_pending(const struct io_buf *b);
/* Consume n bytes from the front. */
void io_buf_drop(struct io_buf *b, size_t n);
/* Write what is pending: 0 when all is written, 1 when some is left (watch
 * IO_WRITE), -1 on error (errno). */
int io_buf_flush(struct io_buf *b, int fd);
void io_buf_free(struct io_buf *b);

/* ---- DNS in the loop ------------------------------------------------------
 * After io_dns_attach, the channel's sockets are watched by the loop and
 * its timeouts are loop timers: answers come during io_loop_run, and
 * io_dns_wait must not be used. One loop per io_dns; detached by
 * io_dns_free (before io_loop_free). 0, or -1 when out of memory. */
int io_dns_attach(struct io_dns *d, struct io_loop *l);

/* ---- TLS (OpenSSL through memory BIOs) -----------------------------------
 * The network is the caller's: ciphertext that arrives goes in with
 * io_tls_feed, ciphertext to send comes out with io_tls_take; plaintext
 * comes out with io_tls_read and goes in with io_tls_write. No fd, no
 * blocking: the same object runs in the loop, over a pipe, or in a test
 * that moves one byte at a time. The handshake runs on its own as bytes
 * move (a client's first io_tls_take gives its ClientHello). */

struct io_tls_ctx;
struct io_tls;

struct io_tls_options {
	const char *cert_file;   /* PEM chain (server; client: a client cert) */
	const char *key_file;    /* PEM key (default: in cert_file) */
	const char *ca_file;     /* client: the CAs to trust (NULL: the system
				    store) */
	int insecure;            /* client: verify nothing (--insecure) */
};

/* A server context needs cert_file (and key_file); a client context
 * verifies the server's certificate and host name unless insecure. NULL
 * with err. Contexts are shared by many sessions. */
struct io_tls_ctx *io_tls_server_ctx(const struct io_tls_options *o, char *err, size_t errlen);
struct io_tls_ctx *io_tls_client_ctx(const struct io_tls_options *o, char *err, size_t errlen);
void io_tls_ctx_free(struct io_tls_ctx *c);

/* A session. Client: host is the name to verify and send as SNI (NULL:
 * neither; an IP address: verified as one). NULL when out of memory. */
struct io_tls *io_tls_new(struct io_tls_ctx *c, const char *host);
void io_tls_free(struct io_tls *t);

enum io_tls_state {
	IO_TLS_HANDSHAKE,    /* in progress */
	IO_TLS_OPEN,         /* done: plaintext flows */
	IO_TLS_CLOSED,       /* the peer sent close_notify */
	IO_TLS_FAILED,       /* handshake or record failure: io_tls_error */
};
enum io_tls_state io_tls_state(const struct io_tls *t);
/* Why it failed ("certificate verify failed: hostname mismatch", ...). */
const char *io_tls_error(const struct io_tls *t);
/* After the handshake: "TLSv1.3", "TLS_AES_256_GCM_SHA384". */
const char *io_tls_version(const struct io_tls *t);
const char *io_tls_cipher(const struct io_tls *t);

/* Ciphertext from the peer (all of it is taken). 0, or -1 on failure. */
int io_tls_feed(struct io_tls *t, const void *buf, size_t n);
/* Plaintext from the peer: bytes (>0), 0 when none is ready now, -1 when
 * closed or failed (see io_tls_state). */
ssize_t io_tls_read(struct io_tls *t, void *buf, size_t n);
/* Plaintext to the peer: all is taken (queued until the handshake is
 * done). 0, or -1 when failed or out of memory. */
int io_tls_write(struct io_tls *t, const void *buf, size_t n);
/* Send close_notify. */
void io_tls_close(struct io_tls *t);
/* Ciphertext to send: how much is waiting, and take up to n of it. */
size_t io_tls_pending(struct io_tls *t);
size_t io_tls_take(struct io_tls *t, void *buf, size_t n);
/* Move all the ciphertext waiting into b (then io_buf_flush it to the
 * socket). 0, or -1 when out of memory. */
int io_tls_to_buf(struct io_tls *t, struct io_buf *b);

/* ---- Maildir ---------------------------------------------------------------
 * Delivery per the Maildir specification: the message is written to tmp/
 * under a unique name (TIME.M<usec>P<pid>Q<n>R<random>.HOST,S=<size>),
 * fsynced, renamed into new/ (never over an existing file), and new/ is
 * fsynced (tmp/ too). The batch API is group commit: stage many messages,
 * then one io_maildir_commit fsyncs them all and each directory once, and
 * only then reports each one done. */

struct io_maildir;
struct io_maildir_msg;

/* Open DIR; with create, make DIR, tmp/, new/ and cur/ when missing
 * (mode 0700). NULL with err. */
struct io_maildir *io_maildir_open(const char *dir, int create, char *err, size_t errlen);
/* Aborts (unlinks) anything begun or staged and not committed; see
 * io_maildir_commit_async for what was handed over. */
void io_maildir_close(struct io_maildir *md);
const char *io_maildir_path(const struct io_maildir *md);

/* One message at once: written, fsynced, in new/ (whatever else was staged
 * is committed with it). name gets its file name in new/. 0, or -1 with
 * err. */
int io_maildir_deliver(struct io_maildir *md, const void *data, size_t len,
		       char *name, size_t namelen, char *err, size_t errlen);

/* A message written piece by piece into tmp/. NULL with err. */
struct io_maildir_msg *io_maildir_begin(struct io_maildir *md, char *err, size_t errlen);
/* 0, or -1 (the error is kept and reported by stage or commit). */
int io_maildir_write(struct io_maildir_msg *m, const void *p, size_t n);
/* Give up: the tmp/ file is removed, m freed. */
void io_maildir_abort(struct io_maildir_msg *m);

/* Called once per staged message when its commit is done: status 0 and
 * the file name in new/, or -1 and err (the message is not delivered;
 * answer 4xx). m is freed after the call. */
typedef void (*io_maildir_fn)(void *ctx, int status, const char *name, const char *err);
/* Close m's file and add it to the batch; fn runs from io_maildir_commit. */
void io_maildir_stage(struct io_maildir_msg *m, io_maildir_fn fn, void *ctx);
size_t io_maildir_staged(const struct io_maildir *md);
/* Commit the batch: make every file durable, rename each into new/, fsync
 * new/ and tmp/ once, then call every fn. The number delivered. A batch of
 * several files is made durable with one syncfs (one journal commit and
 * one cache flush for all, where an fsync each pays a flush each; Linux
 * 5.8 and later report any writeback error through it), one file with its
 * fsync. */
size_t io_maildir_commit(struct io_maildir *md);
/* The same commit with its durable part (syncfs or fsyncs, renames, the
 * fsync of new/ and tmp/) on a worker thread of md's own, started at the
 * first call, so that loop keeps serving while the disk works: the staged
 * messages are handed over and the call returns at once. Each fn then runs
 * on the loop's thread, from a watch of loop (an eventfd), in the order
 * of staging, with the same rules as io_maildir_commit (status 0 only
 * once the file is durable, in new/, and new/ fsynced). What is handed
 * over while the worker is busy becomes its next batch, all of it at once.
 * One loop per md. 0, or -1 (errno: the worker could not be started, or
 * another loop) with the messages still staged. io_maildir_commit and
 * io_maildir_deliver first wait for what was handed over and run its fns.
 * io_maildir_close waits for the worker to finish what it was handed
 * (those messages are delivered, their fns are not called) and joins it;
 * close md before freeing loop. */
int io_maildir_commit_async(struct io_maildir *md, struct io_loop *loop);
/* Messages handed over whose fn has not run yet. */
size_t io_maildir_in_flight(const struct io_maildir *md);
/* on: an fsync per file even in a batch (syncfs also writes whatever else
 * is dirty on that filesystem; bench/maildir compares the two). */
void io_maildir_fsync_each(struct io_maildir *md, int on);

/* ---- mboxrd ------------------------------------------------------------------
 * Append one message to FILE (created 0600 when missing) under an fcntl
 * write lock, O_APPEND: "From SENDER DATE" (sender NULL or "": MAILER-DAEMON;
 * when 0: now), the message with every line that matches ">*From " given
 * one more '>' (mboxrd), an LF added when it lacks one, a blank line, then
 * fsync. A failure truncates what was appended. 0, or -1 with err. */
int io_mbox_append(const char *path, const char *sender, int64_t when,
		   const void *msg, size_t len, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
