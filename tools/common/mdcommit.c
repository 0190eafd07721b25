/* ember commands: group commit for the SMTP servers (mdcommit.h). */
#include "mdcommit.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void on_committed(void *ctx, int status, const char *name, const char *err)
{
	struct mdc_item *it = ctx;
	it->status = status;
	snprintf(it->name, sizeof it->name, "%s", status ? (err ? err : "?") : name);
	it->next = it->c->done;
	it->c->done = it;
}

/* The answers of the messages whose commit finished: 250, or 451. */
static void answer_done(struct mdc *c)
{
	struct mdc_item *list = c->done;
	c->done = NULL;
	while (list) {
		struct mdc_item *it = list;
		list = it->next;
		if (it->status) {
			cli_warn(io_maildir_path(c->md), "%s", it->name);
			c->answer(c->ctx, it->owner, 451, "4.3.0", "Cannot store the message now");
		} else {
			char t[300];
			snprintf(t, sizeof t, "Ok: queued as %.200s", it->name);
			c->answer(c->ctx, it->owner, 250, "2.0.0", t);
		}
	}
}

/* The end of each turn: the answers of the batches the Maildir's worker
 * finished in it (their callbacks ran from its watch), then everything
 * staged in this turn handed to the worker as one round of fsyncs, which
 * runs while the loop goes on serving. */
static void turn(void *ctx)
{
	struct mdc *c = ctx;
	answer_done(c);
	if (!io_maildir_staged(c->md))
		return;
	if (io_maildir_commit_async(c->md, c->loop) < 0) {
		/* no worker thread: commit here, the loop waiting */
		io_maildir_commit(c->md);
		answer_done(c);
	}
}

int mdc_init(struct mdc *c, struct io_maildir *md, struct io_loop *loop, mdc_fn answer, void *ctx)
{
	memset(c, 0, sizeof *c);
	c->md = md;
	c->loop = loop;
	c->answer = answer;
	c->ctx = ctx;
	return (c->hook = io_hook_add(loop, turn, c)) ? 0 : -1;
}

void mdc_fini(struct mdc *c)
{
	io_hook_del(c->hook);
	c->hook = NULL;
}

void mdc_stage(struct mdc *c, struct mdc_item *it, struct io_maildir_msg *mm, void *owner)
{
	it->c = c;
	it->owner = owner;
	it->next = NULL;
	io_maildir_stage(mm, on_committed, it);  /* committed at the end of the turn */
}

void mdc_flush(struct mdc *c)
{
	/* an answer lets a pipelined message go on and be staged: until none is */
	do {
		io_maildir_commit(c->md);
		answer_done(c);
	} while (io_maildir_staged(c->md) || c->done);
}
