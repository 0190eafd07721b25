/* An input read twice; see spool.h. */
#include "spool.h"
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static FILE *temp_file(const char *where)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	size_t n = strlen(dir) + 32;
	char *path = malloc(n);
	if (!path)
		cli_die(EX_SOFTWARE, NULL, "out of memory");
	snprintf(path, n, "%s/ember-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0)
		cli_die(EX_CANTCREAT, where, "cannot make a temporary file in %s: %s", dir,
			strerror(errno));
	unlink(path);
	free(path);
	FILE *f = fdopen(fd, "w+");
	if (!f)
		cli_die(EX_OSERR, where, "temporary file: %s", strerror(errno));
	return f;
}

void spool_open(struct spool *s, FILE *in, const char *where)
{
	struct stat st;
	*s = (struct spool){.f = in, .where = where};
	off_t at = ftello(in);
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) && at >= 0) {
		s->start = at;
		return;
	}
	s->f = temp_file(where);
	s->temp = 1;
	static char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, s->f) != n)
			cli_die(EX_IOERR, where, "temporary file: %s", strerror(errno));
	if (ferror(in))
		cli_die(EX_IOERR, where, "read error: %s", strerror(errno));
	spool_rewind(s);
}

void spool_rewind(struct spool *s)
{
	if (fflush(s->f) || fseeko(s->f, s->start, SEEK_SET))
		cli_die(EX_IOERR, s->where, "cannot read again: %s", strerror(errno));
}

size_t spool_read(struct spool *s, char *buf, size_t n)
{
	size_t k = fread(buf, 1, n, s->f);
	if (k == 0 && ferror(s->f))
		cli_die(EX_IOERR, s->where, "read error: %s", strerror(errno));
	return k;
}

void spool_close(struct spool *s)
{
	if (s->temp)
		fclose(s->f);
	s->f = NULL;
}

size_t spool_reader(void *ctx, char *buf, size_t n)
{
	return spool_read(ctx, buf, n);
}
