/* mboxrd append under an fcntl lock: the "From " line, the message with
 * ">*From " lines quoted once more, a blank line, fsync; a failure cuts
 * the file back. See io.h. */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 3, 4)))
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Output gathered in a buffer and written in big pieces. */
struct out {
	int fd;
	int failed;
	char buf[16384];
	size_t len;
};

static void out_flush(struct out *o)
{
	const char *p = o->buf;
	size_t n = o->len;
	while (n && !o->failed) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			o->failed = 1;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	o->len = 0;
}

static void out_add(struct out *o, const char *p, size_t n)
{
	while (n) {
		if (o->len == sizeof o->buf)
			out_flush(o);
		size_t k = sizeof o->buf - o->len < n ? sizeof o->buf - o->len : n;
		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
	}
}

/* mboxrd: a line that is ">*From " gets one more '>' */
static int from_line(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] == '>')
		i++;
	return n - i >= 5 && !memcmp(p + i, "From ", 5);
}

int io_mbox_append(const char *path, const char *sender, int64_t when,
		   const void *msg, size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int r;
	while ((r = fcntl(fd, F_SETLKW, &lk)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		say(err, errlen, "%s: lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	struct out *o = malloc(sizeof *o);
	if (!o) {
		say(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	o->fd = fd, o->failed = 0, o->len = 0;
	/* a file that does not end in a blank line gets one first */
	if (st.st_size > 0) {
		char tail[2] = {0, 0};
		ssize_t t = pread(fd, tail, 2, st.st_size >= 2 ? st.st_size - 2 : 0);
		if (t == 1 && tail[0] != '\n')
			out_add(o, "\n\n", 2);
		else if (t == 2 && tail[1] != '\n')
			out_add(o, "\n\n", 2);
		else if (t == 2 && tail[0] != '\n')
			out_add(o, "\n", 1);
	}
	time_t tt = when ? (time_t)when : time(NULL);
	struct tm tm;
	char date[64], head[400];
	gmtime_r(&tt, &tm);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
	int hl = snprintf(head, sizeof head, "From %.300s %s\n", sender && *sender ? sender : "MAILER-DAEMON", date);
	out_add(o, head, (size_t)hl);
	const char *p = msg, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl + 1 : end;
		if (from_line(p, (size_t)(e - p)))
			out_add(o, ">", 1);
		out_add(o, p, (size_t)(e - p));
		p = e;
	}
	if (len && ((const char *)msg)[len - 1] != '\n')
		out_add(o, "\n", 1);
	out_add(o, "\n", 1);
	out_flush(o);
	int status = 0;
	if (o->failed || fsync(fd) < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		if (ftruncate(fd, st.st_size) == 0)  /* no half message left behind */
			fsync(fd);
		status = -1;
	}
	free(o);
	close(fd);  /* releases the lock */
	return status;
}
