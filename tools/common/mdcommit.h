/* ember commands: group commit for the SMTP servers (ember srv, ember
 * receiver). The messages staged in a Maildir during one turn of the
 * event loop are handed, at the end of the turn, to lib/io's commit
 * worker as one round of fsyncs; once it is done each gets its answer,
 * from the loop: 250 with its file name, or 451 (the reason on stderr).
 * The loop serves the other sessions meanwhile. */
#ifndef EMBER_MDCOMMIT_H
#define EMBER_MDCOMMIT_H

#include "io.h"

/* One staged message: embed it in the command's message. */
struct mdc_item {
	struct mdc_item *next;
	struct mdc *c;
	void *owner;
	int status;
	char name[256];    /* its file name in new/, or why it failed */
};

/* The answer for owner: 250 2.0.0 "Ok: queued as NAME", or 451 4.3.0. */
typedef void (*mdc_fn)(void *ctx, void *owner, int code, const char *ehc, const char *text);

struct mdc {
	struct io_maildir *md;
	struct io_loop *loop;
	mdc_fn answer;
	void *ctx;
	struct mdc_item *done;   /* committed in this turn, to answer */
	struct io_hook *hook;
};

/* The end-of-turn hook on loop. 0, or -1 (memory). */
int mdc_init(struct mdc *c, struct io_maildir *md, struct io_loop *loop, mdc_fn answer, void *ctx);
void mdc_fini(struct mdc *c);
/* mm (written, complete) to the turn's batch; answered later. */
void mdc_stage(struct mdc *c, struct mdc_item *it, struct io_maildir_msg *mm, void *owner);
/* Stopping: commit what is staged or handed over now, waiting, and answer. */
void mdc_flush(struct mdc *c);

#endif
