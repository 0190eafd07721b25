/* Header fields of a message from a stream; see fields.h. */
#include "fields.h"
#include "cli.h"

#include <errno.h>
#include <string.h>

/* 1 when the header is over, 0 for more input, -1 when it failed. */
static int drain(struct mime_hdr_reader *r, const char *where, cli_field_fn fn, void *ctx)
{
	struct mime_field f;
	for (;;) {
		switch (mime_hdr_reader_next(r, &f)) {
		case MIME_HDR_AWAIT:
			return 0;
		case MIME_HDR_FIELD:
			fn(ctx, &f);
			break;
		case MIME_HDR_DEFECT:
			break;
		case MIME_HDR_END:
			return 1;
		case MIME_HDR_ERROR: {
			char at[4096];
			snprintf(at, sizeof at, "%s:%lu", where, f.line);
			cli_warn(at, "%s", mime_hdr_reader_message(r));
			return -1;
		}
		}
	}
}

int cli_read_fields(FILE *in, const char *where, cli_field_fn fn, void *ctx)
{
	static const struct mime_hdr_limits lim = {.flags = MIME_HDR_MBOX_FROM};
	static char buf[1 << 16];
	struct mime_hdr_reader *r = mime_hdr_reader_new(&lim);
	if (!r)
		cli_die(EX_SOFTWARE, where, "out of memory");
	int done = 0;
	while (!done) {
		size_t n = fread(buf, 1, sizeof buf, in);
		if (n == 0 && ferror(in))
			cli_die(EX_IOERR, where, "read error: %s", strerror(errno));
		mime_hdr_reader_feed(r, buf, n);
		done = drain(r, where, fn, ctx); /* n == 0 ended the input: END comes */
	}
	mime_hdr_reader_free(r);
	return done < 0 ? EX_DATAERR : 0;
}
