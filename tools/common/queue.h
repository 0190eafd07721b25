/* ember commands: a persistent mail queue in one directory (ember relay).
 * Per message ID two files: ID.msg, the message exactly as received
 * (immutable), and ID.env, its envelope: the sender, the arrival time, the
 * trace fields to put above the message (our Received, a DKIM-Signature),
 * and every final recipient with its state, attempts, next attempt and
 * last error. Files are written as ID.msg.tmp and ID.env.tmp, made durable,
 * renamed, and the directory is fsynced: an ID.env is only ever replaced
 * whole (rename over it), an ID.env without its ID.msg is a message never
 * acknowledged, an ID.msg without ID.env or a .tmp file is a half-written
 * one, and the scan at start-up removes both. */
#ifndef EMBER_QUEUE_H
#define EMBER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "mime.h"

enum queue_state { QUEUE_PENDING, QUEUE_DELIVERED, QUEUE_FAILED };

struct queue_rcpt {
	char *orig;             /* the recipient as the client gave it */
	char *addr;             /* the final recipient (after the map) */
	enum queue_state state;
	unsigned attempts;
	int64_t next;           /* the next attempt (Unix time) */
	char *error;            /* the last error, or NULL */
};

struct queue_env {
	char id[64];
	char *sender;           /* "" for the null sender */
	int64_t arrival;
	int dsn;                /* a delivery status notification of ours */
	struct mime_buf prefix; /* the fields above the message, CRLF lines */
	struct queue_rcpt *r;
	size_t n;
};

struct queue {
	char *dir;
	int dirfd;
	unsigned counter;
};

/* Open DIR, made (0700) when missing. 0, or -1 with err. */
int queue_open(struct queue *q, const char *dir, char *err, size_t errlen);
void queue_close(struct queue *q);

/* A new unique ID into e->id. */
void queue_new_id(struct queue *q, struct queue_env *e);
/* Open ID.msg.tmp for writing (O_EXCL): the fd, or -1 (errno). */
int queue_msg_create(struct queue *q, const char *id);
/* Add a recipient (strings copied). 0, or -1 when out of memory. */
int queue_env_add(struct queue_env *e, const char *orig, const char *addr);
void queue_env_free(struct queue_env *e);
/* The envelope as text (the ID.env format). 0, or -1 when out of memory. */
int queue_env_print(const struct queue_env *e, struct mime_buf *out);
/* Parse ID.env text into e (id set by the caller). 0, or -1 (malformed,
 * or out of memory). */
int queue_env_parse(const char *p, size_t n, struct queue_env *e);

/* Commit n new messages at once: their ID.msg.tmp fds (msgfds[i], closed
 * here) and envelopes written to ID.env.tmp, all made durable by one
 * syncfs (one fsync each when n is 1), renamed into place, the directory
 * fsynced once. ok[i]: 1 when message i is durably queued. 0 when every
 * one is, else -1 (errno; the failed ones are removed). */
int queue_commit(struct queue *q, const struct queue_env *const *e, const int *msgfds, size_t n,
		 int *ok);
/* Replace ID.env with e: tmp, fsync, rename, fsync the directory. 0, or -1. */
int queue_env_update(struct queue *q, const struct queue_env *e);
/* Every recipient is done: remove ID.env, then ID.msg. A crash before the
 * directory reaches the disk gives a second delivery, never a loss. */
void queue_remove(struct queue *q, const char *id);
/* Read ID.msg. 0, or -1 (errno). */
int queue_read_msg(struct queue *q, const char *id, struct mime_buf *out);
/* Scan at start-up: removes .tmp files, envelopes without a message and
 * messages without an envelope (each reported through warn), and calls fn
 * for every envelope read (fn owns it then). The number of messages. */
size_t queue_scan(struct queue *q, void (*fn)(void *ctx, struct queue_env *e), void *ctx,
		  void (*warn)(const char *id, const char *what));

#endif
