/* ember srv: a receiving SMTP server. lib/smtp's server machine per
 * connection, in lib/io's event loop, TLS through lib/io's memory BIOs;
 * Return-Path and Received prepended by lib/mime's editor; a 250 only
 * once the message is durably stored: Maildir messages whose data ended
 * in the same turn of the loop share one round of fsyncs (group commit),
 * mboxrd is appended under a lock and fsynced, --pipe runs a command per
 * message and answers with its exit status. */
#define _GNU_SOURCE  /* memfd_create */
#include "cli.h"
#include "io.h"
#include "mdcommit.h"
#include "mime.h"
#include "pid1.h"
#include "smtp.h"
#include "smtpd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct cli_cmd cmd = {
	.name = "srv",
	.summary = "receive mail over SMTP into a Maildir, an mbox or a command",
	.usage =
	"Usage: ember srv --listen ADDR:PORT [--maildir DIR | --mbox FILE | --pipe 'CMD']\n"
	"                 [--domain D]... [--tls-cert C --tls-key K] [--auth-file F]\n"
	"                 [--max-size N] [--max-clients N] [--hostname H]\n"
	"                 [--timeout S] [--data-timeout S] [--normalise] [--no-chunking]\n"
	"An SMTP server (RFC 5321; PIPELINING, 8BITMIME, SMTPUTF8, SIZE,\n"
	"ENHANCEDSTATUSCODES, STARTTLS, AUTH PLAIN LOGIN over TLS, CHUNKING). Each\n"
	"message gets Return-Path and Received fields on top, every other byte as\n"
	"received, and a 250 only once it is stored: fsynced in the Maildir (group\n"
	"commit), fsynced in the mbox, or taken by CMD (exit 0). Prints the address\n"
	"it listens on (with the port, for ADDR:0) on stdout, then runs until SIGTERM\n"
	"or SIGINT.\n"
	"      --listen ADDR:PORT  where to listen (\"127.0.0.1:2525\", \"[::]:25\", \"*:25\")\n"
	"      --maildir DIR       deliver into DIR (made with tmp/, new/, cur/ if missing)\n"
	"      --mbox FILE         append to FILE (mboxrd, fcntl lock)\n"
	"      --pipe 'CMD'        run CMD (/bin/sh -c) per message, the message on its\n"
	"                          stdin: exit 0 is 250, 75 is 451, anything else 554;\n"
	"                          nothing of the envelope reaches the shell\n"
	"      --domain D          accept recipients in domain D only (repeatable; none:\n"
	"                          any); an authenticated client may send anywhere\n"
	SMTPD_USAGE
	"  -h, --help, --version\n"
	"Exit status: 0 after SIGTERM or SIGINT; 64 usage; 66 a file that cannot be\n"
	"read; 69 cannot listen; 73 cannot create the Maildir; 70 internal error.\n",
};

enum { OPT_MAILDIR = 256, OPT_MBOX, OPT_PIPE };

struct srv {
	struct smtpd *d;
	struct io_loop *loop;
	struct io_maildir *md;
	struct mdc commit;       /* --maildir: group commit */
	const char *mbox;
	const char *pipe_cmd;
	struct msg *children;    /* messages whose --pipe command runs */
	struct io_timer *child_timer;
};

/* One session's message in progress. */
struct msg {
	struct srv *v;
	struct smtpd_session *s;  /* NULL once the session is gone */
	struct msg *cnext;         /* v->children */
	struct mime_editor *ed;
	struct io_maildir_msg *mm;
	struct mime_buf whole;     /* --mbox, --pipe */
	int failed;                /* storing failed: 451 */
	const char *edit_error;
	int staged;                /* a Maildir message staged: not freed before its commit */
	struct mdc_item commit;
	pid_t child;
};

static _Noreturn void oom(void)
{
	cli_die(EX_SOFTWARE, NULL, "out of memory");
}

/* ---- the message ----------------------------------------------------------- */

static void abort_message(struct msg *m)
{
	if (m->mm)
		io_maildir_abort(m->mm);
	m->mm = NULL;
	mime_buf_reset(&m->whole);
	m->failed = 0;
	m->edit_error = NULL;
}

static void msg_free(struct msg *m)
{
	abort_message(m);
	mime_editor_free(m->ed);
	mime_buf_free(&m->whole);
	free(m);
}

/* Editor output to the store. */
static void sink(struct msg *m, const char *p, size_t n)
{
	if (m->failed)
		return;
	if (m->mm) {
		if (io_maildir_write(m->mm, p, n))
			m->failed = 1;
	} else if (mime_buf_append(&m->whole, p, n)) {
		m->failed = 1;
	}
}

static void edit(struct msg *m, const char *p, size_t n)
{
	if (!m->ed || m->edit_error)
		return;
	mime_editor_feed(m->ed, p, n);
	const char *o;
	size_t len;
	int r;
	while ((r = mime_editor_next(m->ed, &o, &len)) > 0)
		sink(m, o, len);
	if (r < 0) {
		m->edit_error = mime_editor_error(m->ed, NULL, NULL);
		if (!m->edit_error)
			m->edit_error = "the header cannot be edited";
	}
}

static struct msg *msg_of(struct srv *v, struct smtpd_session *s)
{
	struct msg *m = smtpd_data(s);
	if (!m) {
		if (!(m = calloc(1, sizeof *m)))
			oom();
		m->v = v;
		m->s = s;
		smtpd_set_data(s, m);
	}
	return m;
}

/* Return-Path and Received (RFC 5321 4.4), above everything, through the
 * editor (which refuses a header whose first line would join ours). */
static int on_begin(void *ctx, struct smtpd_session *s)
{
	struct srv *v = ctx;
	struct msg *m = msg_of(v, s);
	char err[256];
	abort_message(m);
	if (!m->ed && !(m->ed = mime_editor_new(NULL)))
		return -1;
	mime_editor_reset(m->ed);
	struct mime_buf f = {0}, rp = {0};
	const char *sender = smtpd_sender(s);
	int bad = smtpd_trace(s, &f, 0) || mime_buf_puts(&rp, "Return-Path: <") ||
		  mime_buf_puts(&rp, sender ? sender : "") || mime_buf_puts(&rp, ">") ||
		  mime_editor_prepend(m->ed, rp.data, rp.len) ||
		  mime_editor_prepend(m->ed, f.data, f.len);
	mime_buf_free(&rp);
	mime_buf_free(&f);
	if (bad)
		return -1;
	if (v->md) {
		m->mm = io_maildir_begin(v->md, err, sizeof err);
		if (!m->mm) {
			cli_warn(io_maildir_path(v->md), "%s", err);
			m->failed = 1;
		}
	}
	return 0;
}

static void on_data(void *ctx, struct smtpd_session *s, const char *p, size_t n)
{
	edit(msg_of(ctx, s), p, n);
}

static void on_abort(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct msg *m = smtpd_data(s);
	if (m && !m->staged && !m->child)
		abort_message(m);
}

/* The commit's answer (the message stays until then). */
static void on_committed(void *ctx, void *owner, int code, const char *ehc, const char *text)
{
	(void)ctx;
	struct msg *m = owner;
	m->staged = 0;
	if (!m->s)
		msg_free(m);
	else
		smtpd_answer(m->s, code, ehc, text);
}

static void spawn(struct msg *m);

static void on_end(void *ctx, struct smtpd_session *s)
{
	struct srv *v = ctx;
	struct msg *m = msg_of(v, s);
	edit(m, "", 0);
	if (m->edit_error) {
		abort_message(m);
		smtpd_answer(s, 554, "5.6.0", "Message refused: its header cannot be edited");
		return;
	}
	if (m->failed) {
		abort_message(m);
		smtpd_answer(s, 451, "4.3.0", "Cannot store the message now");
		return;
	}
	if (v->md) {
		m->staged = 1;
		mdc_stage(&v->commit, &m->commit, m->mm, m);
		m->mm = NULL;
	} else if (v->mbox) {
		char err[256];
		int e = io_mbox_append(v->mbox, smtpd_sender(s), 0, m->whole.data, m->whole.len, err,
				       sizeof err);
		if (e)
			cli_warn(v->mbox, "%s", err);
		mime_buf_reset(&m->whole);
		if (e)
			smtpd_answer(s, 451, "4.3.0", "Cannot store the message now");
		else
			smtpd_answer(s, 250, "2.0.0", "Ok: stored");
	} else {
		spawn(m);
	}
}

/* The session is gone: its message goes too, unless a commit or a
 * command still points at it (then it goes when they end). */
static void on_gone(void *ctx, struct smtpd_session *s)
{
	(void)ctx;
	struct msg *m = smtpd_data(s);
	if (!m)
		return;
	m->s = NULL;
	if (!m->staged && !m->child)
		msg_free(m);
}

/* ---- --pipe ------------------------------------------------------------- */


static void spawn(struct msg *m)
{
	struct srv *v = m->v;
	int fd = memfd_create("ember-srv", MFD_CLOEXEC);
	if (fd < 0 || cli_write_fd(fd, m->whole.data ? m->whole.data : "", m->whole.len) < 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		if (fd >= 0)
			close(fd);
		mime_buf_reset(&m->whole);
		smtpd_answer(m->s, 451, "4.3.0", "Cannot store the message now");
		return;
	}
	mime_buf_reset(&m->whole);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		smtpd_answer(m->s, 451, "4.3.0", "Cannot store the message now");
		return;
	}
	if (pid == 0) {
		/* the message on stdin, the command's stdout on our stderr; no
		 * envelope data in the command line or the environment */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (dup2(fd, 0) < 0 || dup2(2, 1) < 0)
			_exit(EX_OSERR);
		execl("/bin/sh", "sh", "-c", v->pipe_cmd, (char *)NULL);
		_exit(EX_OSERR);
	}
	close(fd);
	m->child = pid;
	m->cnext = v->children;
	v->children = m;
	if (!io_timer_armed(v->child_timer))
		io_timer_set(v->child_timer, 5);
}

/* The command's exit status as the answer (none when its session went). */
static void child_done(struct msg *m, pid_t r, int st)
{
	struct smtpd_session *s = m->s;
	m->child = 0;
	if (!s) {
		msg_free(m);
		return;
	}
	if (r < 0 || !WIFEXITED(st))
		smtpd_answer(s, 451, "4.3.0", "The delivery command failed");
	else if (WEXITSTATUS(st) == 0)
		smtpd_answer(s, 250, "2.0.0", "Ok: delivered");
	else if (WEXITSTATUS(st) == EX_TEMPFAIL)
		smtpd_answer(s, 451, "4.3.0", "The delivery command asks to try later");
	else
		smtpd_answer(s, 554, "5.3.0", "The delivery command refused the message");
}

static void reap(void *ctx)
{
	struct srv *v = ctx;
	struct msg **pp = &v->children;
	while (*pp) {
		struct msg *m = *pp;
		int st;
		pid_t r = waitpid(m->child, &st, WNOHANG);
		if (r == 0) {
			pp = &m->cnext;
			continue;
		}
		*pp = m->cnext;
		child_done(m, r, st);
	}
	if (v->children)
		io_timer_set(v->child_timer, 5);
}

/* Stopping: what is in flight or staged is committed and answered, the
 * running commands are waited for. */
static void on_stopping(void *ctx)
{
	struct srv *v = ctx;
	if (v->md)
		mdc_flush(&v->commit);
	while (v->children) {
		struct msg *m = v->children;
		int st = 0;
		pid_t r = waitpid(m->child, &st, 0);
		v->children = m->cnext;
		child_done(m, r, st);
	}
}

/* ---- setup ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	pid1_boot("srv", &argc, &argv);
	static const struct option longopts[] = {
		SMTPD_LONGOPTS,
		{"maildir", required_argument, NULL, OPT_MAILDIR},
		{"mbox", required_argument, NULL, OPT_MBOX},
		{"pipe", required_argument, NULL, OPT_PIPE},
		{NULL, 0, NULL, 0},
	};
	static const struct smtpd_hooks hooks = {
		.begin = on_begin,
		.data = on_data,
		.end = on_end,
		.abort = on_abort,
		.gone = on_gone,
		.stopping = on_stopping,
	};
	struct srv v;
	memset(&v, 0, sizeof v);
	struct smtpd_config cfg;
	smtpd_config_init(&cfg);
	const char *maildir = NULL;
	int c;
	while ((c = cli_getopt(&cmd, argc, argv, "", longopts)) != -1) {
		if (smtpd_option(&cfg, c, optarg))
			continue;
		switch (c) {
		case OPT_MAILDIR: maildir = optarg; break;
		case OPT_MBOX: v.mbox = optarg; break;
		case OPT_PIPE: v.pipe_cmd = optarg; break;
		}
	}
	if (optind != argc)
		cli_usage_error("no arguments besides the options");
	if (!cfg.listen)
		cli_usage_error("--listen ADDR:PORT is needed");
	if (!!maildir + !!v.mbox + !!v.pipe_cmd != 1)
		cli_usage_error("one of --maildir, --mbox and --pipe");
	char err[512];
	if (maildir && !(v.md = io_maildir_open(maildir, 1, err, sizeof err)))
		cli_die(EX_CANTCREAT, maildir, "%s", err);
	if (!(v.loop = io_loop_new(err, sizeof err)))
		cli_die(EX_OSERR, NULL, "%s", err);
	v.d = smtpd_new(&cfg, v.loop, &hooks, &v);
	v.child_timer = io_timer_new(v.loop, reap, &v);
	if (!v.child_timer || (v.md && mdc_init(&v.commit, v.md, v.loop, on_committed, &v)))
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	if (smtpd_run(v.d))
		cli_die(EX_OSERR, NULL, "the event loop: %s", strerror(errno));
	smtpd_free(v.d);
	io_timer_free(v.child_timer);
	if (v.md)
		mdc_fini(&v.commit);
	io_maildir_close(v.md);   /* its watch first, then the loop */
	io_loop_free(v.loop);
	free(cfg.domains);
	return 0;
}
